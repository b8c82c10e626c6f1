/* A growable NUL-terminated text buffer for short texts the analyses
 * build (a held-by chain, a survivor cluster's signature).  Out of memory
 * sets failed and later writes do nothing; the owner checks failed once
 * and frees p with free(). */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ct_buf {
	char *p;       /* the text, NUL-terminated once anything was put */
	size_t len, cap;
	bool failed;
};

/* Append the n bytes at s. */
static inline void ct_buf_put(struct ct_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void ct_buf_puts(struct ct_buf *b, const char *s)
{
	ct_buf_put(b, s, strlen(s));
}

#endif
