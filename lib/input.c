#include "input.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mem.h"

#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define CHUNK (1u << 20)
#define PROGRESS_STEP (8u << 20)
#define ZCHUNK (256u << 10)   /* compressed bytes read at a time from a file */
/* Compressed bytes given to zstd at a time: it does not say how far it got
 * when it fails, so the offset of a damaged block is known to a slice. */
#define ZSLICE (16u << 10)

/* The state of a compressed input: the undecoded bytes (a buffer refilled
 * from the file, or the memory input itself) and the decoder. */
struct ct_decoder {
	z_stream zs;
	bool zs_ready;
	ZSTD_DStream *zd;
	const unsigned char *src;  /* zbuf, or the memory input */
	unsigned char *zbuf;       /* file input only: ZCHUNK bytes after this struct */
	size_t zstart, zend;       /* undecoded bytes: src[zstart..zend) */
	uint64_t zbase;            /* compressed offset of src[0] */
	bool src_eof;              /* no compressed bytes past zend */
	bool in_member;            /* inside a gzip member or zstd frame */
	bool any_member;
	struct ct_error fail;      /* the first error, returned ever after */
};

void ct_input_init_file(struct ct_input *in, FILE *fp, uint64_t total)
{
	memset(in, 0, sizeof(*in));
	in->fp = fp;
	in->total = total;
}

static int sniff(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return CT_CODEC_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return CT_CODEC_ZSTD;
	return CT_CODEC_NONE;
}

void ct_input_init_mem(struct ct_input *in, const char *p, size_t n)
{
	memset(in, 0, sizeof(*in));
	in->mem = p;
	in->mem_len = n;
	in->codec = sniff((const unsigned char *)p, n);
	if (in->codec != CT_CODEC_NONE) {
		/* Decompressed into buf by fill(). */
		in->raw_total = n;
		return;
	}
	in->end = n;
	in->total = n;
	in->eof = true;
}

void ct_input_finish(struct ct_input *in)
{
	if (!in)
		return;
	struct ct_decoder *d = in->dec;
	if (d) {
		if (d->zs_ready)
			inflateEnd(&d->zs);
		ZSTD_freeDStream(d->zd);
		free(d);
	}
	ct_mem_free(in->buf);
	if (in->map)
		munmap(in->map, in->map_len);
	memset(in, 0, sizeof(*in));
}


/* Whether the bytes handed out come from buf (rather than mem). */
static bool buffered(const struct ct_input *in)
{
	return in->fp || in->codec > CT_CODEC_NONE;
}

static const char *base(const struct ct_input *in)
{
	return buffered(in) ? in->buf : in->mem;
}

static const char *codec_name(const struct ct_input *in)
{
	return in->codec == CT_CODEC_GZIP ? "gzip" : "zstd";
}

static int read_error(struct ct_error *err)
{
	return ct_error_set(err, CT_EINPUT, "read error: %s", strerror(errno));
}

/* Read up to n bytes of the file as they are; *got is 0 only at its end. */
static int raw_read(struct ct_input *in, char *dst, size_t n, size_t *got, struct ct_error *err)
{
	*got = fread(dst, 1, n, in->fp);
	if (*got == 0 && ferror(in->fp))
		return read_error(err);
	return 0;
}

/* Set up the decoder; head holds the first n bytes of a file (already
 * read to recognise the magic).  Once the decoder exists, a failure is
 * kept in d->fail like any later one. */
static int start_decoder(struct ct_input *in, const char *head, size_t n, struct ct_error *err)
{
	/* One allocation with the compressed buffer of a file, so that the
	 * head is never lost. */
	struct ct_decoder *d = calloc(1, sizeof(*d) + (in->fp ? ZCHUNK : 0));

	if (!d)
		return ct_error_nomem(err);
	in->dec = d;   /* freed by ct_input_finish() whatever happens below */
	if (in->fp) {
		d->zbuf = (unsigned char *)(d + 1);
		memcpy(d->zbuf, head, n);
		d->src = d->zbuf;
		d->zend = n;
	} else {
		d->src = (const unsigned char *)in->mem;
		d->zend = in->mem_len;
		d->src_eof = true;
	}
	if (in->codec == CT_CODEC_GZIP) {
		int r = inflateInit2(&d->zs, 16 + MAX_WBITS);  /* gzip wrapper only */
		if (r == Z_MEM_ERROR)
			ct_error_nomem(&d->fail);
		else if (r != Z_OK)
			ct_error_set(&d->fail, CT_EINPUT, "cannot start the gzip decoder");
		else
			d->zs_ready = true;
	} else if (!(d->zd = ZSTD_createDStream())) {
		ct_error_nomem(&d->fail);
	}
	if (d->fail.code && err)
		*err = d->fail;
	return d->fail.code;
}

/* Bring the next compressed bytes into zbuf (file input, all consumed). */
static int refill(struct ct_input *in, struct ct_error *err)
{
	struct ct_decoder *d = in->dec;
	size_t n = fread(d->zbuf, 1, ZCHUNK, in->fp);

	if (n == 0 && ferror(in->fp))
		return read_error(err);
	d->zbase += d->zend;
	d->zstart = 0;
	d->zend = n;
	if (n == 0)
		d->src_eof = true;
	return 0;
}

static int corrupt(struct ct_input *in, const char *why, struct ct_error *err)
{
	struct ct_decoder *d = in->dec;
	char msg[96];

	snprintf(msg, sizeof(msg), "%s", why);
	msg[0] = (char)tolower((unsigned char)msg[0]);
	return ct_error_set(err, CT_EINPUT, "%s data corrupt at byte %" PRIu64 ": %s",
			    codec_name(in), d->zbase + d->zstart, msg);
}

/* One inflate() call: decode from src[zstart..] into dst[*out..room). */
static int step_gzip(struct ct_input *in, char *dst, size_t room, size_t *out,
		     struct ct_error *err)
{
	struct ct_decoder *d = in->dec;

	if (!d->in_member) {
		/* Another member may follow (cat a.gz b.gz, pigz, bgzip). */
		if (d->any_member && d->src[d->zstart] != 0x1f)
			return ct_error_set(err, CT_EINPUT,
					    "gzip data corrupt at byte %" PRIu64
					    ": not a gzip member after the previous one",
					    d->zbase + d->zstart);
		if (d->any_member && inflateReset(&d->zs) != Z_OK)
			return corrupt(in, "cannot restart the decoder", err);
		d->in_member = d->any_member = true;
	}
	size_t avail = d->zend - d->zstart, space = room - *out;
	if (avail > UINT_MAX)
		avail = UINT_MAX;
	if (space > UINT_MAX)
		space = UINT_MAX;
	d->zs.next_in = d->src + d->zstart;
	d->zs.avail_in = (uInt)avail;
	d->zs.next_out = (Bytef *)dst + *out;
	d->zs.avail_out = (uInt)space;
	int r = inflate(&d->zs, Z_NO_FLUSH);
	d->zstart += avail - d->zs.avail_in;
	*out += space - d->zs.avail_out;
	switch (r) {
	case Z_STREAM_END:
		d->in_member = false;
		return 0;
	case Z_OK:
	case Z_BUF_ERROR:   /* no progress possible: more input is needed */
		return 0;
	case Z_MEM_ERROR:
		return ct_error_nomem(err);
	default:
		return corrupt(in, d->zs.msg ? d->zs.msg : "bad data", err);
	}
}

/* One ZSTD_decompressStream() call, as step_gzip(). */
static int step_zstd(struct ct_input *in, char *dst, size_t room, size_t *out,
		     struct ct_error *err)
{
	struct ct_decoder *d = in->dec;
	size_t avail = d->zend - d->zstart;
	ZSTD_inBuffer ib = {d->src + d->zstart, avail < ZSLICE ? avail : ZSLICE, 0};
	ZSTD_outBuffer ob = {dst, room, *out};

	d->in_member = true;
	size_t r = ZSTD_decompressStream(d->zd, &ob, &ib);
	if (ZSTD_isError(r)) {
		/* The offset is that of the slice it failed in. */
		if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
			return ct_error_nomem(err);
		return corrupt(in, ZSTD_getErrorName(r), err);
	}
	d->zstart += ib.pos;
	*out = ob.pos;
	d->in_member = r != 0;   /* 0: a frame is complete and flushed */
	return 0;
}

/* Decompress up to room bytes into dst; *got is 0 only at the end of the
 * compressed stream, which must end between members (frames). */
static int decode(struct ct_input *in, char *dst, size_t room, size_t *got, struct ct_error *err)
{
	struct ct_decoder *d = in->dec;
	size_t out = 0;
	int rc;

	while (out < room) {
		if (d->zstart == d->zend && !d->src_eof && (rc = refill(in, err)))
			return rc;
		bool no_input = d->zstart == d->zend;
		if (no_input && !d->in_member)
			break;
		size_t in0 = d->zstart, out0 = out;
		rc = in->codec == CT_CODEC_GZIP ? step_gzip(in, dst, room, &out, err)
						: step_zstd(in, dst, room, &out, err);
		in->raw_done = d->zbase + d->zstart;
		if (rc)
			return rc;
		if (d->zstart == in0 && out == out0) {
			if (no_input)
				return ct_error_set(err, CT_EINPUT,
						    "%s data truncated at byte %" PRIu64,
						    codec_name(in), d->zbase + d->zend);
			return corrupt(in, "the decoder makes no progress", err);
		}
	}
	*got = out;
	return 0;
}

/* Up to room new bytes of input into dst; *got is 0 only at the end. */
static int produce(struct ct_input *in, char *dst, size_t room, size_t *got,
		   struct ct_error *err)
{
	int rc;

	*got = 0;
	if (in->codec == CT_CODEC_UNKNOWN) {
		/* The first bytes say whether the file is compressed. */
		size_t n = fread(dst, 1, 4, in->fp);
		if (n < 4 && ferror(in->fp))
			return read_error(err);
		in->codec = sniff((const unsigned char *)dst, n);
		if (in->codec == CT_CODEC_NONE) {
			size_t more = 0;
			if (n == 4 && (rc = raw_read(in, dst + 4, room - 4, &more, err)))
				return rc;
			*got = n + more;
			return 0;
		}
		in->raw_total = in->total;
		in->total = 0;   /* the decompressed size is not known */
		if ((rc = start_decoder(in, dst, n, err)))
			return rc;
	}
	if (in->codec == CT_CODEC_NONE)
		return raw_read(in, dst, room, got, err);
	if (!in->dec) {
		if (in->fp)   /* its first bytes were read: it cannot start again */
			return ct_error_nomem(err);
		if ((rc = start_decoder(in, NULL, 0, err)))
			return rc;
	}
	struct ct_decoder *d = in->dec;
	if (!d->fail.code)
		decode(in, dst, room, got, &d->fail);
	if (d->fail.code) {
		/* A damaged stream stays damaged: the decoders cannot go on. */
		*got = 0;
		if (err)
			*err = d->fail;
		return d->fail.code;
	}
	return 0;
}

/* Read more so that at least need bytes are buffered past start (or eof). */
static int fill(struct ct_input *in, size_t need, struct ct_error *err)
{
	int rc;

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
			/* Huge pages: a fresh buffer of 4 KB pages costs a
			 * fault per page, dearer than the copy on a VM. */
			char *b = ct_mem_realloc(in->buf, cap);
			if (!b)
				return ct_error_nomem(err);
			in->buf = b;
			in->cap = cap;
		}
		/* A chunk at a time, or what is needed: a probe of the first
		 * bytes reads no more than a chunk, which a mapped file then
		 * need not compare with its mapping. */
		size_t room = in->cap - in->end, want = need - (in->end - in->start);
		if (room > CHUNK && room > want)
			room = want > CHUNK ? want : CHUNK;
		size_t got;
		if ((rc = produce(in, in->buf + in->end, room, &got, err)))
			return rc;
		in->end += got;
		if (got == 0)
			in->eof = true;
	}
	return 0;
}

/* Call the progress callback when done has passed the next step. */
static void progress_at(struct ct_input *in, uint64_t done, uint64_t total)
{
	if (in->progress && done >= in->next_progress) {
		in->progress(in->progress_ctx, done, total);
		in->next_progress = done + PROGRESS_STEP;
	}
}

static void report(struct ct_input *in)
{
	/* Compressed input: the compressed bytes, whose total is known. */
	progress_at(in, in->dec ? in->raw_done : in->consumed,
		    in->dec ? in->raw_total : in->total);
}

void ct_input_progress(struct ct_input *in, uint64_t done)
{
	progress_at(in, done, in->total);   /* a mapping is never compressed */
}

int ct_input_peek(struct ct_input *in, size_t want, const char **p, size_t *len,
		  struct ct_error *err)
{
	int rc;

	if ((rc = fill(in, want, err)))
		return rc;  /* CT_ENOMEM stays CT_ENOMEM, even without err */
	*p = base(in) + in->start;
	*len = in->end - in->start;
	if (*len > want)
		*len = want;
	return 0;
}

static int too_long(const struct ct_input *in, struct ct_error *err)
{
	uint64_t max = ct_input_max_token(in);

	ct_error_at(err, CT_EINPUT, in->line + 1, max + 1,
		    "line longer than the limit of %" PRIu64 " bytes (--max-token raises it)", max);
	return -1;
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
			if (n > ct_input_max_token(in))
				return too_long(in, err);
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
		if (avail > ct_input_max_token(in))
			return too_long(in, err);
		scanned = avail;
		if (fill(in, avail + 1, err))
			return -1;
	}
}

long ct_input_read(struct ct_input *in, char *dst, size_t n, struct ct_error *err)
{
	if (in->end == in->start && fill(in, 1, err))
		return -1;
	size_t avail = in->end - in->start;
	if (avail > n)
		avail = n;
	if (avail)
		memcpy(dst, base(in) + in->start, avail);
	in->start += avail;
	in->consumed += avail;
	report(in);
	return (long)avail;
}

int ct_input_drain(struct ct_input *in, uint64_t max_raw, struct ct_error *err)
{
	uint64_t from = in->raw_done;
	int rc;

	if (in->codec <= CT_CODEC_NONE)
		return 0;   /* not compressed: nothing to check */
	do {
		if (max_raw && in->raw_done - from >= max_raw)
			return 0;
		in->consumed += in->end - in->start;
		in->start = in->end;
		if ((rc = fill(in, 1, err)))
			return rc;
	} while (!in->eof);
	return 0;
}

int ct_input_map(struct ct_input *in, const char **p, size_t *n)
{
	struct stat st;
	off_t pos;
	int fd;

	if (in->codec != CT_CODEC_NONE)
		return 0;
	if (!in->fp) {
		*p = in->mem + in->start;
		*n = in->end - in->start;
		return 1;
	}
	if (!in->total || (fd = fileno(in->fp)) < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (pos = ftello(in->fp)) < 0)
		return 0;
	/* The file's offset is past what was buffered; the input began at
	 * origin (not 0 for a shared stdin). */
	uint64_t held = in->end - in->start, size = (uint64_t)st.st_size;
	uint64_t origin = (uint64_t)pos - in->consumed - held;
	if ((uint64_t)pos < in->consumed + held || (uint64_t)pos > size || size > SIZE_MAX)
		return 0;
	if (!in->map) {
		void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return 0;
		in->map = m;
		in->map_len = (size_t)size;
	}
	const char *at = (const char *)in->map + origin + in->consumed;
	/* What is buffered must be what the file holds there. */
	if (held && memcmp(at, base(in) + in->start, held) != 0)
		return 0;
	*p = at;
	*n = (size_t)(size - origin - in->consumed);
	return 1;
}
