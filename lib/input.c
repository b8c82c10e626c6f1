#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)
#define PROGRESS_STEP (8u << 20)

void ct_input_init_file(struct ct_input *in, FILE *fp, uint64_t total)
{
	memset(in, 0, sizeof(*in));
	in->fp = fp;
	in->total = total;
}

void ct_input_init_mem(struct ct_input *in, const char *p, size_t n)
{
	memset(in, 0, sizeof(*in));
	in->mem = p;
	in->mem_len = n;
	in->end = n;
	in->total = n;
	in->eof = true;
}

void ct_input_finish(struct ct_input *in)
{
	if (!in)
		return;
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

static const char *base(const struct ct_input *in)
{
	return in->fp ? in->buf : in->mem;
}

/* Read more so that at least need bytes are buffered past start (or eof). */
static int fill(struct ct_input *in, size_t need, struct ct_error *err)
{
	while (!in->eof && in->end - in->start < need) {
		if (in->start > 0 && in->end == in->start) {
			in->start = in->end = 0;
		} else if (in->start > 0 && in->cap - in->end < CHUNK) {
			memmove(in->buf, in->buf + in->start, in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		if (in->cap - in->end < CHUNK) {
			size_t cap = in->cap ? in->cap * 2 : 4 * (size_t)CHUNK;
			while (cap - in->end < CHUNK)
				cap *= 2;
			char *b = realloc(in->buf, cap);
			if (!b)
				return ct_error_nomem(err);
			in->buf = b;
			in->cap = cap;
		}
		size_t got = fread(in->buf + in->end, 1, in->cap - in->end, in->fp);
		in->end += got;
		if (got == 0) {
			if (ferror(in->fp))
				return ct_error_set(err, CT_EINPUT, "read error: %s", strerror(errno));
			in->eof = true;
		}
	}
	return 0;
}

static void report(struct ct_input *in)
{
	if (in->progress && in->consumed >= in->next_progress) {
		in->progress(in->progress_ctx, in->consumed, in->total);
		in->next_progress = in->consumed + PROGRESS_STEP;
	}
}

int ct_input_peek(struct ct_input *in, size_t want, const char **p, size_t *len,
		  struct ct_error *err)
{
	int rc;

	if (in->fp && (rc = fill(in, want, err)))
		return rc;  /* CT_ENOMEM stays CT_ENOMEM, even without err */
	*p = base(in) + in->start;
	*len = in->end - in->start;
	if (*len > want)
		*len = want;
	return 0;
}

int ct_input_line(struct ct_input *in, const char **p, size_t *len, struct ct_error *err)
{
	size_t scanned = 0;

	for (;;) {
		const char *b = base(in);
		const char *s = b + in->start;
		size_t avail = in->end - in->start;
		const char *nl = avail > scanned ? memchr(s + scanned, '\n', avail - scanned) : NULL;
		if (nl || (in->eof && avail > 0)) {
			size_t n = nl ? (size_t)(nl - s) : avail;
			size_t adv = nl ? n + 1 : n;
			if (n > 0 && s[n - 1] == '\r')
				n--;
			*p = s;
			*len = n;
			in->start += adv;
			in->consumed += adv;
			in->line++;
			report(in);
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = avail;
		if (fill(in, avail + 1, err))
			return -1;
	}
}

long ct_input_read(struct ct_input *in, char *dst, size_t n, struct ct_error *err)
{
	if (in->fp && in->end == in->start && fill(in, 1, err))
		return -1;
	size_t avail = in->end - in->start;
	if (avail > n)
		avail = n;
	memcpy(dst, base(in) + in->start, avail);
	in->start += avail;
	in->consumed += avail;
	report(in);
	return (long)avail;
}
