/* The one JSON scanner: a pull scanner over text in memory (one line of
 * a JSON-lines file, or a whole document) or over a document read in
 * windows from a ct_input (a V8 snapshot of any size in constant memory).
 *
 * It does not build a tree: the caller pulls values in the order it
 * expects them, which keeps loading fast and memory flat.  It is strict
 * in both modes: raw bytes in strings must be valid UTF-8 (utf8.h),
 * control characters and bad escapes are errors, and every error records
 * the line and column (1-based, columns in bytes) where it was found.
 *
 * Every function that can fail returns 0 or a positive CT_E* code
 * (CT_EINPUT for bad input, CT_ENOMEM, or a read error's code) and fills
 * the optional struct ct_error.
 */
#ifndef CT_JSON_H
#define CT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "input.h"

/* Options (struct ct_json.opts). */
enum {
	/* A \u escape of a lone UTF-16 surrogate (which V8 writes for
	 * JavaScript strings that hold one) decodes to U+FFFD instead of
	 * being an error. */
	CT_JSON_LONE_SURROGATES = 1,
};

struct ct_json {
	const char *start, *p, *end;  /* the text, or the window */
	unsigned opts;                /* CT_JSON_*; set after ct_json_init() */
	uint64_t max_token;           /* longest string, in bytes of its text; 0 =
				       * CT_INPUT_MAX_TOKEN; windowed mode takes the
				       * input's (ct_input_max_token()) */
	uint64_t line;                /* line of p, 1-based */
	uint64_t line_start;          /* offset where that line starts */
	uint64_t base;                /* offset of start in the document */
	char *scratch;                /* decoded strings with escapes (owned) */
	size_t scratch_cap;
	/* Windowed mode only. */
	struct ct_input *in;          /* not owned */
	char *window;                 /* owned; start == window */
	size_t window_cap;
	bool eof;
	int rc;                       /* a read error, reported by the next failure */
	struct ct_error read_err;
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
/* Release the scratch buffer and the window; j may be zeroed or NULL. */
void ct_json_finish(struct ct_json *j);
/* Point the scanner at n bytes of text (owned by the caller), which
 * start at line `line`, column 1. */
void ct_json_reset(struct ct_json *j, const char *p, size_t n, uint64_t line);
/* Scan the document in, from its current position, through a window of
 * `window` bytes (owned by j; at least 64).  A single number or
 * \u escape must fit in the window; strings may be of any length.
 * Returns 0 or CT_ENOMEM. */
int ct_json_open_input(struct ct_json *j, struct ct_input *in, size_t window,
		       struct ct_error *err);

/* Skip white space and say what comes next.  In windowed mode a read
 * error gives CT_JSON_END here; the next call that fails reports it. */
enum ct_json_type ct_json_peek(struct ct_json *j);
/* Consume the character c (after white space), or fail saying what was expected. */
int ct_json_expect(struct ct_json *j, char c, struct ct_error *err);
/* Begin an object or array: consume open; *more says whether a first
 * member or element follows (false: it was empty, close consumed). */
int ct_json_begin(struct ct_json *j, char open, char close, bool *more, struct ct_error *err);
/* After a member or element: *more is true if a ',' followed (consumed),
 * false if the closing character close followed (consumed). */
int ct_json_next(struct ct_json *j, char close, bool *more, struct ct_error *err);

/* A string; *s and *len are its decoded bytes, which may contain NULs
 * (\u0000).  They point into the text, the window or j's scratch buffer:
 * valid until the next call on j (in memory mode, until the next string).
 * Invalid escapes, raw control characters, invalid UTF-8, (unless
 * CT_JSON_LONE_SURROGATES) unpaired UTF-16 surrogates and a string whose
 * text is longer than max_token (found before more than that is held)
 * are errors. */
int ct_json_string(struct ct_json *j, const char **s, size_t *len, struct ct_error *err);
/* A non-negative integer that fits in 64 bits (what = field name for errors). */
int ct_json_u64(struct ct_json *j, uint64_t *v, const char *what, struct ct_error *err);
/* Up to n elements of an array of non-negative integers (the bulk of a
 * V8 snapshot), into v.  Start after the array's '[' (consumed by
 * ct_json_expect()) with *count 0; *count counts the elements read from
 * the array and is advanced.  Reads n elements, or fewer when the
 * closing ']' comes first (consumed): *got < n says the array ended. */
int ct_json_u64s(struct ct_json *j, uint64_t *v, size_t n, size_t *got, uint64_t *count,
		 const char *what, struct ct_error *err);
/* A number token of any form; *s and *len is its text (valid as for strings). */
int ct_json_number(struct ct_json *j, const char **s, size_t *len, struct ct_error *err);
/* The first byte from p (before end) that ends a plain string's text: a
 * quote, a backslash, a control or a non-ASCII byte; or end.  Eight bytes
 * at a time: a byte of m is set where w has such a byte (exactly at the
 * first one; what is above it may be set by a borrow). */
static inline const char *ct_json_plain_end(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;

	while (end - p >= 8) {
		uint64_t w, q, b;
		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) & high;
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
	       (unsigned char)*p < 0x80)
		p++;
	return p;
}

/* The JSON number whose text starts at p (before end): where it ends in
 * *q, and NULL, or what is wrong with it ("expected a number", "malformed
 * number"), *q then where that was found.  For scanners of their own. */
const char *ct_json_scan_number(const char *p, const char *end, const char **q);
/* A number of any form as the nearest double (what = field name for
 * errors): the JSON number grammar, strictly (no "+1", ".5", "1.",
 * "0x10", "NaN" or "Infinity"); a magnitude too large for a double is
 * an error, one too small becomes 0 or a subnormal.  On failure the
 * scanner stays where the value starts (as for ct_json_u64()). */
int ct_json_double(struct ct_json *j, double *v, const char *what, struct ct_error *err);
/* true or false. */
int ct_json_bool(struct ct_json *j, bool *v, const char *what, struct ct_error *err);
/* Skip one value of any type (iteratively; nesting is limited to 4096). */
int ct_json_skip(struct ct_json *j, struct ct_error *err);
/* Only white space remains. */
int ct_json_done(struct ct_json *j, struct ct_error *err);

/* Column of the current position, 1-based (in bytes). */
static inline uint64_t ct_json_column(const struct ct_json *j)
{
	return j->base + (uint64_t)(j->p - j->start) - j->line_start + 1;
}

/* Fail with CT_EINPUT and a message at the current position (or, after a
 * read error in windowed mode, report that error instead). */
int ct_json_fail(struct ct_json *j, struct ct_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
