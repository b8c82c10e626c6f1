/* Unit test: lib/input.c (lines and peeks from memory and from files,
 * plain and gzip- or zstd-compressed). */
#include <inttypes.h>

#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "lib/input.h"

/* Read every line of in into a freshly allocated list (NUL-separated copy). */
struct lines {
	char **s;
	size_t *len;
	size_t n, cap;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

static int read_all(struct ct_input *in, struct lines *l)
{
	struct ct_error err = {0};
	const char *p;
	size_t n;
	int rc;

	memset(l, 0, sizeof(*l));
	while ((rc = ct_input_line(in, &p, &n, &err)) == 1) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->s = realloc(l->s, l->cap * sizeof(*l->s));
			l->len = realloc(l->len, l->cap * sizeof(*l->len));
		}
		l->s[l->n] = malloc(n + 1);
		memcpy(l->s[l->n], p, n);
		l->s[l->n][n] = '\0';
		l->len[l->n++] = n;
	}
	if (rc < 0)
		fprintf(stderr, "read error: %s\n", err.msg);
	return rc;
}

/* Expected lines of text: split on \n, strip one \r before it; a final
 * line without \n counts; a final \n adds no empty line. */
static void expect_lines(const char *what, const char *text, size_t len, const struct lines *l)
{
	size_t i = 0, at = 0;

	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		size_t adv = nl ? n + 1 : n;
		if (n > 0 && text[at + n - 1] == '\r')
			n--;
		if (!CHECK(i < l->n, "%s: only %zu lines read", what, l->n))
			return;
		if (!CHECK(l->len[i] == n && memcmp(l->s[i], text + at, n) == 0,
			   "%s: line %zu has %zu bytes, want %zu", what, i + 1, l->len[i], n))
			return;
		i++;
		at += adv;
	}
	CHECK(i == l->n, "%s: %zu lines read, want %zu", what, l->n, i);
}

/* Run text through memory input and through a FILE (tmpfile) input. */
static void both(const char *what, const char *text, size_t len)
{
	struct ct_input in;
	struct lines l;
	char name[128];

	ct_input_init_mem(&in, text, len);
	snprintf(name, sizeof(name), "%s (memory)", what);
	CHECK(read_all(&in, &l) == 0, "%s: read", name);
	expect_lines(name, text, len, &l);
	CHECK(in.line == l.n, "%s: in->line %" PRIu64 " lines %zu", name, in.line, l.n);
	CHECK(in.consumed == len, "%s: consumed %" PRIu64 " of %zu", name, in.consumed, len);
	lines_free(&l);
	ct_input_finish(&in);

	FILE *fp = tmpfile();
	if (!fp || fwrite(text, 1, len, fp) != len || fseek(fp, 0, SEEK_SET)) {
		CHECK(0, "%s: cannot make a temporary file", what);
		return;
	}
	ct_input_init_file(&in, fp, len);
	snprintf(name, sizeof(name), "%s (file)", what);
	CHECK(read_all(&in, &l) == 0, "%s: read", name);
	expect_lines(name, text, len, &l);
	CHECK(in.line == l.n, "%s: in->line %" PRIu64 " lines %zu", name, in.line, l.n);
	CHECK(in.consumed == len, "%s: consumed %" PRIu64 " of %zu", name, in.consumed, len);
	lines_free(&l);
	ct_input_finish(&in);
	fclose(fp);
}

static void test_small_cases(void)
{
	both("empty", "", 0);
	both("one line", "abc\n", 4);
	both("no final newline", "abc\ndef", 7);
	both("crlf", "a\r\nbb\r\n\r\nccc\r\n", 15);
	both("crlf no final newline", "a\r\nb\r", 5);
	both("cr inside", "a\rb\r\n", 5);
	both("blank lines", "\n\n\nx\n\n", 6);
	both("nul in line", "a\0b\nc\0\n", 7);
	both("only newline", "\n", 1);

	/* Exact expectations, not just the oracle above. */
	struct ct_input in;
	struct lines l;
	ct_input_init_mem(&in, "x\r\ny", 4);
	read_all(&in, &l);
	CHECK(l.n == 2 && strcmp(l.s[0], "x") == 0 && strcmp(l.s[1], "y") == 0,
	      "crlf + no final newline: %zu lines", l.n);
	lines_free(&l);
	ct_input_finish(&in);
	ct_input_finish(&in);
	ct_input_finish(NULL);
}

/* Lines far longer than the read chunk and the initial buffer, and lines
 * that straddle every buffer boundary. */
static void test_long_lines(void)
{
	bool small = test_small();
	size_t total = small ? (6u << 20) : (24u << 20);
	char *text = malloc(total);
	uint64_t seed = 7;
	size_t at = 0;

	/* A 5 MB line, a 9 MB line (unless small), then many random lines. */
	size_t longs[] = {5u << 20, small ? 1000 : (9u << 20)};
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < longs[k]; i++)
			text[at++] = (char)('a' + (i % 26));
		text[at++] = '\n';
	}
	while (at < total) {
		size_t n = rng_below(&seed, 4) == 0 ? rng_below(&seed, 3u << 20) : rng_below(&seed, 200);
		for (size_t i = 0; i < n && at < total; i++)
			text[at++] = (char)('0' + (i % 10));
		if (at < total)
			text[at++] = rng_below(&seed, 5) ? '\n' : '\r';
		if (at < total && text[at - 1] == '\r')
			text[at++] = '\n';
	}
	both("long lines", text, total);
	/* The same without a final newline: the last line is a long one. */
	for (size_t i = total - (2u << 20); i < total; i++)
		text[i] = 'z';
	both("long last line without newline", text, total);
	free(text);
}

static void test_peek_read(void)
{
	const char text[] = "{\"cycletool_dump\": 1}\nline2\n";
	size_t len = sizeof(text) - 1;
	FILE *fp = tmpfile();
	fwrite(text, 1, len, fp);
	rewind(fp);

	for (int file = 0; file < 2; file++) {
		struct ct_input in;
		struct ct_error err = {0};
		const char *p;
		size_t n;
		if (file)
			ct_input_init_file(&in, fp, 0);
		else
			ct_input_init_mem(&in, text, len);
		CHECK(ct_input_peek(&in, 4096, &p, &n, &err) == 0 && n == len &&
		      memcmp(p, text, n) == 0, "peek 4096 (%s): %zu bytes", file ? "file" : "mem", n);
		CHECK(ct_input_peek(&in, 5, &p, &n, &err) == 0 && n == 5, "peek 5: %zu", n);
		CHECK(ct_input_line(&in, &p, &n, &err) == 1 && n == 21 && p[0] == '{',
		      "peek did not consume (%s)", file ? "file" : "mem");
		char buf[4];
		long got = ct_input_read(&in, buf, 4, &err);
		CHECK(got == 4 && memcmp(buf, "line", 4) == 0, "read 4: %ld", got);
		CHECK(ct_input_line(&in, &p, &n, &err) == 1 && n == 1 && p[0] == '2', "rest of line");
		CHECK(ct_input_line(&in, &p, &n, &err) == 0, "end");
		CHECK(ct_input_read(&in, buf, 4, &err) == 0, "read at end");
		CHECK(in.line == 2, "line count %" PRIu64, in.line);
		ct_input_finish(&in);
	}
	fclose(fp);
}

static void test_fmemopen_and_progress(void)
{
	/* A FILE that is not a regular file (total unknown) and progress. */
	size_t len = 20u << 20;
	char *text = malloc(len);
	for (size_t i = 0; i < len; i++)
		text[i] = (i % 100 == 99) ? '\n' : 'x';
	FILE *fp = fmemopen(text, len, "r");
	struct ct_input in;
	struct lines l;
	ct_input_init_file(&in, fp, 0);
	read_all(&in, &l);
	CHECK(l.n == (len + 99) / 100, "fmemopen: %zu lines", l.n);
	lines_free(&l);
	ct_input_finish(&in);
	fclose(fp);
	free(text);
}

struct prog {
	uint64_t calls, last, total;
	bool backwards;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct prog *p = ctx;
	p->calls++;
	if (done < p->last)
		p->backwards = true;
	p->last = done;
	p->total = total;
}

static void test_progress(void)
{
	size_t len = 30u << 20;
	char *text = malloc(len);
	for (size_t i = 0; i < len; i++)
		text[i] = (i % 1000 == 999) ? '\n' : 'y';
	struct ct_input in;
	struct lines l;
	struct prog p = {0};
	ct_input_init_mem(&in, text, len);
	in.progress = on_progress;
	in.progress_ctx = &p;
	read_all(&in, &l);
	CHECK(p.calls >= 3 && !p.backwards && p.total == len,
	      "progress: %" PRIu64 " calls, total %" PRIu64, p.calls, p.total);
	lines_free(&l);
	ct_input_finish(&in);
	free(text);
}

/* --- Compressed input --------------------------------------------- */

struct packed {
	unsigned char *p;
	size_t n;
};

/* text as gzip in `parts` members (what cat a.gz b.gz and pigz give). */
static struct packed gzip_of(const char *text, size_t len, int parts)
{
	struct packed z;
	size_t cap = len + len / 64 + 64 * (size_t)(parts + 1) + 1024;

	z.p = malloc(cap);
	z.n = 0;
	for (int m = 0; m < parts; m++) {
		size_t a = len * (size_t)m / (size_t)parts, b = len * (size_t)(m + 1) / (size_t)parts;
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = (Bytef *)(uintptr_t)(text + a);
		zs.avail_in = (uInt)(b - a);
		zs.next_out = z.p + z.n;
		zs.avail_out = (uInt)(cap - z.n);
		int r = deflate(&zs, Z_FINISH);
		CHECK(r == Z_STREAM_END, "deflate: %d", r);
		z.n = cap - zs.avail_out;
		deflateEnd(&zs);
	}
	return z;
}

/* text as zstd (with checksums) in `parts` frames. */
static struct packed zstd_of(const char *text, size_t len, int parts)
{
	struct packed z;
	size_t cap = ZSTD_compressBound(len) + 64 * (size_t)parts;
	ZSTD_CCtx *c = ZSTD_createCCtx();

	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	z.p = malloc(cap);
	z.n = 0;
	for (int m = 0; m < parts; m++) {
		size_t a = len * (size_t)m / (size_t)parts, b = len * (size_t)(m + 1) / (size_t)parts;
		size_t r = ZSTD_compress2(c, z.p + z.n, cap - z.n, text + a, b - a);
		CHECK(!ZSTD_isError(r), "zstd: %s", ZSTD_getErrorName(r));
		if (!ZSTD_isError(r))
			z.n += r;
	}
	ZSTD_freeCCtx(c);
	return z;
}

/* Open z as memory (file = 0) or as a temporary file (file = 1). */
static FILE *open_packed(struct ct_input *in, const struct packed *z, int file)
{
	if (!file) {
		ct_input_init_mem(in, (const char *)z->p, z->n);
		return NULL;
	}
	FILE *fp = tmpfile();
	if (!fp || fwrite(z->p, 1, z->n, fp) != z->n || fseek(fp, 0, SEEK_SET))
		abort();
	ct_input_init_file(in, fp, z->n);
	return fp;
}

/* The lines of text, read back from every compressed form of it. */
static void compressed_lines(const char *what, const char *text, size_t len)
{
	for (int codec = CT_CODEC_GZIP; codec <= CT_CODEC_ZSTD; codec++) {
		for (int parts = 1; parts <= 3; parts += 2) {
			struct packed z = codec == CT_CODEC_GZIP ? gzip_of(text, len, parts)
								 : zstd_of(text, len, parts);
			for (int file = 0; file < 2; file++) {
				char name[160];
				struct ct_input in;
				struct lines l;
				snprintf(name, sizeof(name), "%s (%s, %d part%s, %s)", what,
					 codec == CT_CODEC_GZIP ? "gzip" : "zstd", parts,
					 parts > 1 ? "s" : "", file ? "file" : "memory");
				FILE *fp = open_packed(&in, &z, file);
				CHECK(read_all(&in, &l) == 0, "%s: read", name);
				expect_lines(name, text, len, &l);
				CHECK(in.codec == codec, "%s: codec %d", name, in.codec);
				CHECK(in.line == l.n, "%s: in->line %" PRIu64 " lines %zu", name,
				      in.line, l.n);
				CHECK(in.consumed == len, "%s: consumed %" PRIu64 " of %zu", name,
				      in.consumed, len);
				CHECK(in.total == 0 && in.raw_total == z.n && in.raw_done == z.n,
				      "%s: total %" PRIu64 ", compressed %" PRIu64 " of %" PRIu64
				      " (%zu bytes)", name, in.total, in.raw_done, in.raw_total, z.n);
				lines_free(&l);
				ct_input_finish(&in);
				if (fp)
					fclose(fp);
			}
			free(z.p);
		}
	}
}

static void test_compressed_cases(void)
{
	compressed_lines("empty", "", 0);
	compressed_lines("one line", "abc\n", 4);
	compressed_lines("crlf no final newline", "a\r\nb\r", 5);
	compressed_lines("nul in line", "a\0b\nc\0\n", 7);

	/* Lines longer than the buffers, as in test_long_lines(). */
	size_t total = test_small() ? (3u << 20) : (12u << 20);
	char *text = malloc(total);
	uint64_t seed = 11;
	size_t at = 0;
	while (at < total) {
		size_t n = rng_below(&seed, 8) == 0 ? rng_below(&seed, 6u << 20) : rng_below(&seed, 300);
		for (size_t i = 0; i < n && at < total; i++)
			text[at++] = (char)('a' + rng_below(&seed, 26));
		if (at < total)
			text[at++] = '\n';
	}
	compressed_lines("long lines", text, total);
	free(text);
}

/* Read everything; return the status and the error. */
static int drain_all(struct ct_input *in, struct ct_error *err)
{
	char buf[8192];
	long got;

	memset(err, 0, sizeof(*err));
	while ((got = ct_input_read(in, buf, sizeof(buf), err)) > 0)
		;
	return got < 0 ? err->code : 0;
}

/* Every prefix of a compressed stream is an error naming its length; a
 * flipped byte is an error naming a compressed offset near it. */
static void test_damaged(void)
{
	size_t len = 40000;
	char *text = malloc(len);
	uint64_t seed = 5;
	for (size_t i = 0; i < len; i++)
		text[i] = i % 50 == 49 ? '\n' : (char)('a' + rng_below(&seed, 4));
	for (int codec = CT_CODEC_GZIP; codec <= CT_CODEC_ZSTD; codec++) {
		const char *name = codec == CT_CODEC_GZIP ? "gzip" : "zstd";
		struct packed z = codec == CT_CODEC_GZIP ? gzip_of(text, len, 1)
							 : zstd_of(text, len, 1);
		size_t magic = codec == CT_CODEC_GZIP ? 2 : 4;
		size_t bad = 0;
		for (size_t cut = magic; cut < z.n; cut += cut < 64 || cut + 64 > z.n ? 1 : 37) {
			struct packed t = {z.p, cut};
			for (int file = 0; file < 2; file++) {
				struct ct_input in;
				struct ct_error err;
				char want[64];
				FILE *fp = open_packed(&in, &t, file);
				int rc = drain_all(&in, &err);
				snprintf(want, sizeof(want), "%s data truncated at byte %zu", name, cut);
				if (rc != CT_EINPUT || strcmp(err.msg, want) != 0)
					bad++;
				if (bad == 1 && (rc != CT_EINPUT || strcmp(err.msg, want) != 0))
					CHECK(0, "%s cut at %zu (%s): status %d, '%s'", name, cut,
					      file ? "file" : "memory", rc, err.msg);
				ct_input_finish(&in);
				if (fp)
					fclose(fp);
			}
		}
		CHECK(bad == 0, "%s: %zu truncated streams not reported", name, bad);

		/* A flipped byte past the header, from a file. */
		size_t flips = 0;
		for (size_t pos = 20; pos < z.n; pos += z.n / 23) {
			z.p[pos] ^= 0x41;
			struct ct_input in;
			struct ct_error err;
			FILE *fp = open_packed(&in, &z, 1);
			int rc = drain_all(&in, &err);
			unsigned long long off = 0;
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "%s data corrupt at byte ", name);
			bool named = strncmp(err.msg, prefix, strlen(prefix)) == 0 &&
				     sscanf(err.msg + strlen(prefix), "%llu", &off) == 1;
			/* zlib stops within bytes of the damage, or at the
			 * checksum; zstd at the end of the damaged block (it is
			 * given 16 KB at a time), or at the checksum. */
			CHECK(rc == CT_EINPUT && named && off <= z.n &&
			      (off + 16 >= pos || codec == CT_CODEC_ZSTD),
			      "%s flipped at %zu: status %d, '%s'", name, pos, rc, err.msg);
			CHECK(rc != CT_EINPUT || off + (16u << 10) + 16 >= pos,
			      "%s flipped at %zu: offset %llu is before the damage", name, pos, off);
			/* The error stays: reading again says the same. */
			struct ct_error again;
			CHECK(drain_all(&in, &again) == CT_EINPUT && strcmp(again.msg, err.msg) == 0,
			      "%s flipped at %zu: second read '%s'", name, pos, again.msg);
			flips++;
			ct_input_finish(&in);
			fclose(fp);
			z.p[pos] ^= 0x41;
		}
		CHECK(flips > 10, "%s: %zu flips", name, flips);

		/* Trailing bytes that are not another member (frame). */
		unsigned char *p = malloc(z.n + 3);
		memcpy(p, z.p, z.n);
		memcpy(p + z.n, "xyz", 3);
		struct packed t = {p, z.n + 3};
		struct ct_input in;
		struct ct_error err;
		open_packed(&in, &t, 0);
		int rc = drain_all(&in, &err);
		char want[64];
		snprintf(want, sizeof(want), "%s data corrupt at byte %zu", name, z.n);
		CHECK(rc == CT_EINPUT && strncmp(err.msg, want, strlen(want)) == 0,
		      "%s + trailing bytes: status %d, '%s'", name, rc, err.msg);
		ct_input_finish(&in);
		free(p);
		free(z.p);
	}
	free(text);
}

/* peek sees decompressed bytes; ct_input_drain() finds damage past what
 * was read, and does nothing for plain input. */
static void test_peek_and_drain(void)
{
	const char text[] = "{\"cycletool_dump\": 1}\nline2\n";
	struct packed z = gzip_of(text, sizeof(text) - 1, 1);
	size_t blen = 6u << 20;   /* more than the first buffer holds */
	char *big = malloc(blen);
	struct ct_input in;
	struct ct_error err = {0};
	const char *p;
	size_t n;

	for (int file = 0; file < 2; file++) {
		FILE *fp = open_packed(&in, &z, file);
		CHECK(ct_input_peek(&in, 4096, &p, &n, &err) == 0 && n == sizeof(text) - 1 &&
		      memcmp(p, text, n) == 0, "gzip peek (%s): %zu bytes", file ? "file" : "mem", n);
		CHECK(ct_input_line(&in, &p, &n, &err) == 1 && n == 21, "gzip first line");
		CHECK(ct_input_drain(&in, 0, &err) == 0, "drain a good stream: %s", err.msg);
		CHECK(ct_input_line(&in, &p, &n, &err) == 0, "nothing after drain");
		ct_input_finish(&in);
		if (fp)
			fclose(fp);
	}
	/* The checksum is damaged: the first line reads, drain finds it. */
	free(z.p);
	memset(big, 'x', blen);
	memcpy(big, text, sizeof(text) - 1);
	z = gzip_of(big, blen, 1);
	z.p[z.n - 6] ^= 1;
	open_packed(&in, &z, 0);
	CHECK(ct_input_line(&in, &p, &n, &err) == 1 && n == 21, "damaged gzip: first line");
	CHECK(ct_input_drain(&in, 0, &err) == CT_EINPUT && strstr(err.msg, "incorrect data check"),
	      "drain a damaged stream: '%s'", err.msg);
	ct_input_finish(&in);
	free(z.p);
	/* Letters that compress to megabytes: a drain bounded to 1 MB of
	 * them stops short of the damage; a drain to the end finds it. */
	uint64_t seed = 9;
	blen = 16u << 20;   /* four buffers */
	big = realloc(big, blen);
	for (size_t i = sizeof(text); i < blen; i++)
		big[i] = i % 70 == 69 ? '\n' : (char)('a' + rng_below(&seed, 26));
	z = gzip_of(big, blen, 1);
	z.p[z.n - 6] ^= 1;
	open_packed(&in, &z, 0);
	CHECK(ct_input_line(&in, &p, &n, &err) == 1 && n == 21, "damaged letters: first line");
	uint64_t at = in.raw_done;
	int rc = ct_input_drain(&in, 1u << 20, &err);
	CHECK(rc == 0 && in.raw_done > at && in.raw_done < z.n,
	      "bounded drain: status %d '%s', %" PRIu64 " -> %" PRIu64 " of %zu", rc, err.msg, at,
	      in.raw_done, z.n);
	CHECK(ct_input_drain(&in, 0, &err) == CT_EINPUT && strstr(err.msg, "incorrect data check"),
	      "drain to the end: '%s'", err.msg);
	ct_input_finish(&in);
	free(z.p);
	free(big);

	ct_input_init_mem(&in, text, sizeof(text) - 1);
	CHECK(ct_input_drain(&in, 0, &err) == 0 && in.consumed == 0, "drain plain input");
	ct_input_finish(&in);
}

/* A gzip bomb: memory stays at the buffer, whatever comes out; progress
 * counts compressed bytes up to the compressed size. */
static void test_bomb_and_progress(void)
{
	size_t out_len = test_small() ? (64u << 20) : (512u << 20);
	size_t cap = out_len / 500 + (1u << 20);
	unsigned char *p = malloc(cap);
	char *zeros = calloc(1, 1u << 20);
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
	zs.next_out = p;
	zs.avail_out = (uInt)cap;
	for (size_t done = 0; done < out_len; done += 1u << 20) {
		zs.next_in = (Bytef *)zeros;
		zs.avail_in = 1u << 20;
		deflate(&zs, done + (1u << 20) >= out_len ? Z_FINISH : Z_NO_FLUSH);
	}
	struct packed z = {p, cap - zs.avail_out};
	deflateEnd(&zs);

	struct ct_input in;
	struct ct_error err;
	struct prog pr = {0};
	FILE *fp = open_packed(&in, &z, 1);
	in.progress = on_progress;
	in.progress_ctx = &pr;
	CHECK(drain_all(&in, &err) == 0, "bomb: %s", err.msg);
	CHECK(in.consumed == out_len, "bomb: %" PRIu64 " bytes out", in.consumed);
	CHECK(in.cap <= (8u << 20), "bomb: buffer grew to %zu", in.cap);
	CHECK(pr.calls >= 1 && !pr.backwards && pr.total == z.n && pr.last <= z.n,
	      "bomb progress: %" PRIu64 " calls, last %" PRIu64 " of %" PRIu64 " (%zu)",
	      pr.calls, pr.last, pr.total, z.n);
	ct_input_finish(&in);
	fclose(fp);
	free(zeros);
	free(p);

	/* Progress through a compressed stream big enough for several steps. */
	size_t len = 40u << 20;
	char *text = malloc(len);
	uint64_t seed = 3;
	for (size_t i = 0; i < len; i++)
		text[i] = i % 80 == 79 ? '\n' : (char)('a' + rng_below(&seed, 26));
	z = gzip_of(text, len, 1);
	memset(&pr, 0, sizeof(pr));
	fp = open_packed(&in, &z, 1);
	in.progress = on_progress;
	in.progress_ctx = &pr;
	struct lines l;
	read_all(&in, &l);
	CHECK(pr.calls >= 3 && !pr.backwards && pr.total == z.n && pr.last <= z.n &&
	      pr.last + (8u << 20) >= z.n,
	      "gzip progress: %" PRIu64 " calls, last %" PRIu64 " of %" PRIu64, pr.calls,
	      pr.last, pr.total);
	lines_free(&l);
	ct_input_finish(&in);
	fclose(fp);
	free(z.p);
	free(text);
}

int main(void)
{
	test_small_cases();
	test_long_lines();
	test_peek_read();
	test_fmemopen_and_progress();
	test_progress();
	test_compressed_cases();
	test_damaged();
	test_peek_and_drain();
	test_bomb_and_progress();
	return check_status("test_input");
}
