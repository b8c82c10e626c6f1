/* Unit test: lib/input.c (lines and peeks from memory and from files). */
#include <inttypes.h>

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

int main(void)
{
	test_small_cases();
	test_long_lines();
	test_peek_read();
	test_fmemopen_and_progress();
	test_progress();
	return check_status("test_input");
}
