/* Buffered input from a FILE * or a memory buffer.
 *
 * Loaders read through this so that they never see paths, can peek at the
 * start of the input (for probes) and can report progress.  The caller
 * owns the FILE * or the memory; ct_input owns only its buffer (and its
 * decoder).
 *
 * Compressed input is decompressed as it is read: when the first bytes are
 * the gzip magic (1f 8b) or the zstd magic (28 b5 2f fd), every function
 * below hands out the decompressed bytes, and consumed and line count them.
 * Concatenated gzip members and zstd frames are read as one stream.  A
 * corrupt or truncated stream is CT_EINPUT naming the compressed offset.
 * Memory stays bounded by the buffers, whatever the decompressed size.
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
	uint64_t max_token;  /* the longest line or token loaders accept, in bytes
			      * (ct_input_max_token()); 0 = CT_INPUT_MAX_TOKEN */
	ct_progress_fn *progress;
	void *progress_ctx;
	uint64_t next_progress;
	/* Compression, known after the first peek, line or read.  Once a
	 * compressed stream is found, total is 0 (the decompressed size is
	 * not known) and progress counts the compressed bytes: raw_done of
	 * raw_total. */
	int codec;           /* enum ct_codec */
	uint64_t raw_done;   /* compressed bytes decoded so far */
	uint64_t raw_total;  /* compressed size when known, else 0 */
	struct ct_decoder *dec;  /* owned; NULL until a compressed stream is read */
	void *map;           /* ct_input_map()'s mapping of the file (owned), or NULL */
	size_t map_len;
	unsigned threads;    /* loaders that parse in parallel: at most this many
			      * threads; 0 = one per online processor */
};

enum ct_codec {
	CT_CODEC_UNKNOWN = 0,  /* nothing read yet */
	CT_CODEC_NONE,
	CT_CODEC_GZIP,
	CT_CODEC_ZSTD,
};

/* The default limit on a line (JSON-lines formats) or a single token (a
 * string in any JSON), in bytes: what a loader holds in memory for one
 * is bounded by it, not by the input.  `--max-token` changes it. */
#define CT_INPUT_MAX_TOKEN ((uint64_t)256 << 20)

static inline uint64_t ct_input_max_token(const struct ct_input *in)
{
	return in->max_token ? in->max_token : CT_INPUT_MAX_TOKEN;
}

/* Read from fp (not closed by ct_input_finish).  total is the input size
 * when known (for progress), else 0; it becomes raw_total, and total 0,
 * when the input turns out to be compressed. */
void ct_input_init_file(struct ct_input *in, FILE *fp, uint64_t total);
/* Read from the n bytes at p, which must outlive the input.  Compressed
 * bytes are decompressed (into a buffer) like a file's. */
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
 * input, or -1 with err set.  in->line counts the lines returned.  A line
 * longer than ct_input_max_token() is CT_EINPUT naming its line and the
 * column past the limit, found with at most the limit (and a read's
 * worth) in memory. */
int ct_input_line(struct ct_input *in, const char **p, size_t *len, struct ct_error *err);

/* The rest of the input, from the current position to its end, as one
 * block in memory, without consuming it: for a loader that parses
 * pieces of it in parallel.  Memory input is handed out as it is; an
 * uncompressed regular file is mapped (its pages are read when touched;
 * the mapping is the input's, released by ct_input_finish()).  Returns 1
 * with *p and *n set, or 0 when the input is not available so (a pipe,
 * compressed input, nothing peeked yet, mmap() refused): then read it
 * with the functions above, from where it was.  Call after a peek. */
int ct_input_map(struct ct_input *in, const char **p, size_t *n);
/* For a loader reading a block from ct_input_map(): done bytes of the
 * input are read (counted from its start), for the progress callback,
 * which is called every few megabytes.  Call from the loader's own
 * thread only. */
void ct_input_progress(struct ct_input *in, uint64_t done);

/* Read up to n bytes.  Returns the number read (0 at end), or -1 with err set. */
long ct_input_read(struct ct_input *in, char *dst, size_t n, struct ct_error *err);

/* Read and discard the rest of a compressed input, so that damage past
 * what a loader read is found: 0, CT_EINPUT (corrupt, truncated or a read
 * error) or CT_ENOMEM.  Stops (0) once max_raw more compressed bytes are
 * read, unless max_raw is 0.  Does nothing (0) for input that is not
 * compressed.  The bytes discarded count in consumed but not in line. */
int ct_input_drain(struct ct_input *in, uint64_t max_raw, struct ct_error *err);

#endif
