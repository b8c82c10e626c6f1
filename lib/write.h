/* Writers: turn a report into text for people or JSON for scripts.
 *
 * They write to a FILE * the caller owns and return 0, or CT_EIO when
 * writing failed (the caller still checks ferror/fclose at exit).
 */
#ifndef CT_WRITE_H
#define CT_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "report.h"

struct ct_write_opts {
	const char *name;   /* input name shown in the output (borrowed) */
	bool members;       /* list every member address (JSON) / garbage list */
	bool color;         /* ANSI colours and bold (text, for terminals) */
};

/* Grouped, aligned text: a summary line, a table of groups, then each
 * group's representative cycle (and root path when alive). */
int ct_write_text(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err);

/* One JSON document: {"file", "format", "summary", "groups", "sccs"} and,
 * with members, "garbage" (every garbage object, cyclic or not). */
int ct_write_json(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err);

/* One JSON object per component and line, as in the "sccs" array. */
int ct_write_ndjson(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		    struct ct_error *err);

/* Write addr the way the graph's format names objects ("0x7f…" for
 * Python addresses, "@123" for V8 node ids) into buf (at least 24 bytes). */
void ct_format_addr(const struct ct_graph *g, uint64_t addr, char *buf, size_t n);

/* Human-readable byte count ("1.5 MiB") into buf. */
void ct_format_bytes(uint64_t bytes, char *buf, size_t n);

#endif
