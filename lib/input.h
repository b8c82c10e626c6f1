/* Buffered input from a FILE * or a memory buffer.
 *
 * Loaders read through this so that they never see paths, can peek at the
 * start of the input (for probes) and can report progress.  The caller
 * owns the FILE * or the memory; ct_input owns only its buffer.
 */
#ifndef CT_INPUT_H
#define CT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef void ct_progress_fn(void *ctx, uint64_t done, uint64_t total);

struct ct_input {
	FILE *fp;            /* NULL for memory input */
	const char *mem;     /* memory input */
	size_t mem_len;
	char *buf;           /* file input buffer */
	size_t cap, start, end;
	bool eof;
	uint64_t consumed;   /* bytes handed out before buf[start] / mem[start] */
	uint64_t total;      /* input size when known, else 0 */
	uint64_t line;       /* lines handed out by ct_input_line() */
	ct_progress_fn *progress;
	void *progress_ctx;
	uint64_t next_progress;
};

/* Read from fp (not closed by ct_input_finish).  total is the input size
 * when known (for progress), else 0. */
void ct_input_init_file(struct ct_input *in, FILE *fp, uint64_t total);
/* Read from the n bytes at p, which must outlive the input. */
void ct_input_init_mem(struct ct_input *in, const char *p, size_t n);
/* Release the buffer; in may be zeroed or NULL. */
void ct_input_finish(struct ct_input *in);

/* Make up to want bytes available without consuming them; *p and *len
 * describe what is available (less than want only at end of input).
 * Returns 0, CT_EINPUT (read error) or CT_ENOMEM. */
int ct_input_peek(struct ct_input *in, size_t want, const char **p, size_t *len,
		  struct ct_error *err);

/* The next line, without its '\n' (and without a '\r' before it).
 * Returns 1 with *p and *len set (valid until the next call), 0 at end of
 * input, or -1 with err set.  in->line counts the lines returned. */
int ct_input_line(struct ct_input *in, const char **p, size_t *len, struct ct_error *err);

/* Read up to n bytes.  Returns the number read (0 at end), or -1 with err set. */
long ct_input_read(struct ct_input *in, char *dst, size_t n, struct ct_error *err);

#endif
