/* Error reporting shared by every library function.
 *
 * Library functions never print or exit.  They return a status (0 on
 * success, a CT_E* code otherwise) and fill an optional struct ct_error,
 * which the caller owns (usually on its stack).  cmd/ turns it into one
 * line on stderr and an exit status.
 */
#ifndef CT_ERROR_H
#define CT_ERROR_H

#include <stdint.h>

/* Always positive: a function returns 0 or one of these, never its
 * negation.  Out of memory is CT_ENOMEM wherever it happens, never
 * CT_EINPUT. */
enum ct_status {
	CT_OK = 0,
	CT_EINPUT = 3,   /* input malformed or unreadable (exit status 3) */
	CT_ENOMEM = 4,   /* out of memory (exit status 4) */
	CT_EUSAGE = 5,   /* a caller asked for something impossible (exit status 2) */
	CT_EIO = 6,      /* writing output failed (exit status 4) */
	CT_ERENDER = 7,  /* graphviz could not lay out or render (exit status 4) */
};

struct ct_error {
	int code;          /* CT_E*; 0 when nothing was set */
	uint64_t line;     /* 1-based line, 0 when not applicable */
	uint64_t column;   /* 1-based column, 0 when not applicable */
	char msg[256];     /* lowercase, no full stop, no position */
};

/* Fill err (if non-NULL) and return code.  The position fields are left
 * as the caller set them; use ct_error_at() to set them. */
int ct_error_set(struct ct_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ct_error_set() but also records a line and column (1-based). */
int ct_error_at(struct ct_error *err, int code, uint64_t line, uint64_t column,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Out of memory: always the same message. */
int ct_error_nomem(struct ct_error *err);

#endif
