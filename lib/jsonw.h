/* A streaming JSON writer: values go to the FILE * as they are given, so
 * memory stays constant however long the document is.
 *
 * The writer puts the commas and colons; the caller opens and closes
 * objects and arrays in order and names each member with ct_jsonw_key().
 * Keys are unique by construction: callers pass fixed keys, or strings
 * the graph has interned (one id per distinct string, see
 * ct_strings_intern()).
 *
 * Strings are written as strict UTF-8 (ct_json_escape()): '"', '\\' and
 * control characters are escaped, and every byte that is not part of a valid UTF-8 sequence
 * (lib/utf8.h: no overlongs, no surrogates, nothing past U+10FFFF)
 * becomes U+FFFD, the rule every writer follows (cycletool(1), "TEXT
 * ENCODING").  Integers are written exactly (no doubles).
 *
 * Errors are sticky: after the first failed write the writer writes
 * nothing more, and ct_jsonw_finish() reports it.
 */
#ifndef CT_JSONW_H
#define CT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define CT_JSONW_DEPTH 64  /* nesting the writer tracks */
#define CT_JSONW_BUF 16384 /* bytes gathered before each fwrite() */

struct ct_jsonw {
	FILE *out;            /* borrowed */
	size_t len;           /* bytes in buf not yet written to out */
	uint32_t depth;       /* open objects and arrays */
	uint64_t has_items;   /* bit d: the container at depth d + 1 has a member */
	uint64_t objects;     /* bit d: the container at depth d + 1 is an object */
	bool after_key;       /* a key was written; its value comes next */
	bool newline;         /* a line break is due before the next member */
	bool failed;          /* a write failed */
	bool misused;         /* unbalanced, a key outside an object, or too deep */
	char buf[CT_JSONW_BUF];
};

/* Write to out (the caller's, not closed), through w's own buffer:
 * everything is in out after ct_jsonw_finish(). */
void ct_jsonw_init(struct ct_jsonw *w, FILE *out);

void ct_jsonw_object(struct ct_jsonw *w);      /* { */
void ct_jsonw_array(struct ct_jsonw *w);       /* [ */
void ct_jsonw_end(struct ct_jsonw *w);         /* } or ], whichever is open */
/* The next member's key (in an object). */
void ct_jsonw_key(struct ct_jsonw *w, const char *key);

void ct_jsonw_string(struct ct_jsonw *w, const char *s);
void ct_jsonw_string_n(struct ct_jsonw *w, const char *s, size_t n);
void ct_jsonw_u64(struct ct_jsonw *w, uint64_t v);
void ct_jsonw_i64(struct ct_jsonw *w, int64_t v);
void ct_jsonw_bool(struct ct_jsonw *w, bool v);
void ct_jsonw_null(struct ct_jsonw *w);

/* A line break before the next member or element (after its comma), or
 * at once between top-level values (NDJSON), so that long arrays read one
 * element per line. */
void ct_jsonw_newline(struct ct_jsonw *w);

/* Key and value together, the usual case. */
static inline void ct_jsonw_kstring(struct ct_jsonw *w, const char *key, const char *s)
{
	ct_jsonw_key(w, key);
	ct_jsonw_string(w, s);
}

static inline void ct_jsonw_ku64(struct ct_jsonw *w, const char *key, uint64_t v)
{
	ct_jsonw_key(w, key);
	ct_jsonw_u64(w, v);
}

static inline void ct_jsonw_ki64(struct ct_jsonw *w, const char *key, int64_t v)
{
	ct_jsonw_key(w, key);
	ct_jsonw_i64(w, v);
}

static inline void ct_jsonw_kbool(struct ct_jsonw *w, const char *key, bool v)
{
	ct_jsonw_key(w, key);
	ct_jsonw_bool(w, v);
}

/* Write what is buffered to out and check that everything was written:
 * 0, or CT_EIO ("write error") when a
 * write failed, or CT_EUSAGE when the caller left containers open or
 * nested past CT_JSONW_DEPTH. */
int ct_jsonw_finish(struct ct_jsonw *w, struct ct_error *err);

/* The one JSON string escaper of cycletool: the bytes from *s to end as
 * the inside of a JSON string (no quotes) into out, as much as fits in
 * cap bytes (at least 8): '"', '\\' and control characters escaped, and
 * U+2028 and U+2029 too (so that the text is also a JavaScript literal),
 * invalid UTF-8 bytes as U+FFFD.  Advances *s past what it took; returns
 * the bytes written to out. */
size_t ct_json_escape(char *out, size_t cap, const char **s, const char *end);

#endif
