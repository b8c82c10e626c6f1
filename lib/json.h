/* A small JSON scanner over text in memory (one line of a JSON-lines
 * file, or a window of a larger document).
 *
 * It does not build a tree: the caller pulls values in the order it
 * expects them, which keeps loading fast and memory flat.  Every error
 * records the column (byte offset + 1 from the start of the text).
 */
#ifndef CT_JSON_H
#define CT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ct_json {
	const char *start, *p, *end;
	char *scratch;        /* decoded strings with escapes (owned) */
	size_t scratch_cap;
	uint64_t line;        /* copied into errors */
};

/* Token types, as returned by ct_json_peek(). */
enum ct_json_type {
	CT_JSON_END = 0,
	CT_JSON_OBJECT = '{',
	CT_JSON_ARRAY = '[',
	CT_JSON_STRING = '"',
	CT_JSON_NUMBER = '0',
	CT_JSON_TRUE = 't',
	CT_JSON_FALSE = 'f',
	CT_JSON_NULL = 'n',
	CT_JSON_INVALID = '?',
};

void ct_json_init(struct ct_json *j);
/* Release the scratch buffer; j may be zeroed or NULL. */
void ct_json_finish(struct ct_json *j);
/* Point the scanner at n bytes of text. */
void ct_json_reset(struct ct_json *j, const char *p, size_t n, uint64_t line);

/* Skip white space and say what comes next. */
enum ct_json_type ct_json_peek(struct ct_json *j);
/* Consume the character c (after white space), or fail saying what was expected. */
int ct_json_expect(struct ct_json *j, char c, struct ct_error *err);
/* After a member or element: returns 1 if a ',' followed (consumed), 0 if
 * the closing character close followed (consumed), or an error code < 0. */
int ct_json_next(struct ct_json *j, char close, struct ct_error *err);
/* Begin an object or array: consume open; returns 1 if it has a first
 * member/element, 0 if it is empty (close consumed), or < 0 on error. */
int ct_json_begin(struct ct_json *j, char open, char close, struct ct_error *err);

/* A string; *s points at its decoded bytes (valid until the next string
 * is read) and may contain NULs (\u0000).  Invalid escapes, raw control
 * characters and bad UTF-16 surrogates are errors. */
int ct_json_string(struct ct_json *j, const char **s, size_t *len, struct ct_error *err);
/* A non-negative integer that fits in 64 bits (what = field name for errors). */
int ct_json_u64(struct ct_json *j, uint64_t *v, const char *what, struct ct_error *err);
/* A number token of any form; *s and *len is its text. */
int ct_json_number(struct ct_json *j, const char **s, size_t *len, struct ct_error *err);
/* true or false. */
int ct_json_bool(struct ct_json *j, bool *v, const char *what, struct ct_error *err);
/* Skip one value of any type (iteratively; nesting is limited to 4096). */
int ct_json_skip(struct ct_json *j, struct ct_error *err);
/* Only white space remains. */
int ct_json_done(struct ct_json *j, struct ct_error *err);

/* Column of the current position, 1-based. */
static inline uint64_t ct_json_column(const struct ct_json *j)
{
	return (uint64_t)(j->p - j->start) + 1;
}

/* Fail with a message at the current position. */
int ct_json_fail(struct ct_json *j, struct ct_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
