/* Writers: turn a report into text for people or JSON for scripts.
 * Every text and JSON writer of cycletool is declared here (the DOT,
 * SVG, PNG and text-tree renderers in render.h, the $ref exporter in
 * export.h); all of them name objects through present.h and write JSON
 * through jsonw.h.
 *
 * They write to a FILE * the caller owns and return 0, or CT_EIO when
 * writing failed (the caller still checks ferror/fclose at exit).  JSON
 * is streamed: memory does not grow with the size of the output.
 */
#ifndef CT_WRITE_H
#define CT_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "path.h"
#include "report.h"
#include "top.h"

struct ct_write_opts {
	const char *name;   /* input name shown in the output (borrowed) */
	bool members;       /* scan: list every member id (JSON) / garbage list */
	bool color;         /* ANSI colours and bold (text, for terminals) */
	bool runtime;       /* scan text: list the runtime's components, not one line */
};

/* scan, grouped and aligned: a summary line, a table of groups, then each
 * group's representative cycle (and root path when alive).  The
 * runtime's groups are one line unless o->runtime. */
int ct_write_text(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err);

/* scan as one JSON document: {"file", "format", "summary", "groups",
 * "sccs"} and, with members, "garbage" (every garbage object, cyclic or
 * not).  Every selected group and component is listed, the runtime's
 * flagged "runtime": true. */
int ct_write_json(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err);

/* scan as one JSON object per component and line, as in the "sccs" array. */
int ct_write_ndjson(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		    struct ct_error *err);

/* top as an aligned table: ID, TYPE, SELF, RETAINED, OBJECTS, NAME. */
int ct_top_write_text(FILE *out, const struct ct_top *t, const struct ct_write_opts *o,
		      struct ct_error *err);
/* top as {"file", "format", "summary", "objects": [{"id", "type", "name",
 * "self_size", "retained", "retained_objects", "dominator"}, ...]} */
int ct_top_write_json(FILE *out, const struct ct_top *t, const struct ct_write_opts *o,
		      struct ct_error *err);

/* path as one chain ("module(app) .obj → Foo .b → Bar"), one line per
 * step and the kind of root ("from module app 0x7f… (a user-level
 * root)"); or that the object is unreachable. */
int ct_path_write_text(FILE *out, const struct ct_path *p, const struct ct_write_opts *o,
		       struct ct_error *err);
/* path as {"file", "format", "id", "type", "name", "reachable", "garbage",
 * "any_root", "root": {"kind", "id", "user_level", "text"} or null,
 * "path": [{"id", "type", "name", "label"}, ...]}; every step but the
 * last has the "label" of the reference leaving it. */
int ct_path_write_json(FILE *out, const struct ct_path *p, const struct ct_write_opts *o,
		       struct ct_error *err);

/* Shared by the JSON writers: the members "file" and "format" that open
 * every document, and (top, path) "id", "type" and "name" (null when
 * none) of node v. */
struct ct_jsonw;
void ct_write_head_json(struct ct_jsonw *w, const struct ct_graph *g,
			const struct ct_write_opts *o);
void ct_write_node_json(struct ct_jsonw *w, const struct ct_graph *g, uint32_t v);

#endif
