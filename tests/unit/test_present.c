/* Unit test: lib/present.c (ids, text, chains), lib/jsonw.c (the
 * streaming JSON writer) and the writers of write.h, on a graph whose
 * strings hold what dumps can hold: control characters, quotes, invalid
 * UTF-8, non-BMP characters. */
#include <inttypes.h>

#include "check.h"
#include "lib/json.h"
#include "lib/jsonw.h"
#include "lib/path.h"
#include "lib/present.h"
#include "lib/report.h"
#include "lib/top.h"
#include "lib/utf8.h"
#include "lib/write.h"

/* Is s (n bytes) valid UTF-8 with no control character but '\n'? */
static bool clean_utf8(const char *s, size_t n, bool allow_newline)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned cp;
		size_t k = ct_utf8_decode(p, end, &cp);
		if (!k || (cp < 0x20 && !(allow_newline && cp == '\n')) || cp == 0x7f)
			return false;
		p += k;
	}
	return true;
}

/* Does text hold exactly one JSON value per line (ndjson) or one JSON
 * document, as the strict scanner reads them? */
static bool valid_json(const char *text, size_t n, bool per_line)
{
	struct ct_json j;
	struct ct_error err = {0};
	bool ok = true;

	ct_json_init(&j);
	const char *p = text, *end = text + n;
	while (ok && p < end) {
		const char *nl = per_line ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *stop = nl ? nl : end;
		ct_json_reset(&j, p, (size_t)(stop - p), 1);
		ok = ct_json_skip(&j, &err) == 0 && ct_json_done(&j, &err) == 0;
		if (!ok)
			fprintf(stderr, "  json: %s at column %" PRIu64 "\n", err.msg, err.column);
		p = nl ? nl + 1 : end;
	}
	ct_json_finish(&j);
	return ok;
}

static void test_ids(void)
{
	uint64_t id = 0;
	static const char *const bad[] = {"", "@", "0x", " 12", "\t12", "12 ", "+12", "-12",
					  "0x0x12", "@0x12", "0xg", "12a", "@-1", "0x-1",
					  "18446744073709551616", "0x10000000000000000"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!ct_present_parse_id(bad[i], &id), "'%s' is not an id", bad[i]);
	CHECK(ct_present_parse_id("18446744073709551615", &id) && id == UINT64_MAX, "max decimal");
	CHECK(ct_present_parse_id("0xFFFFffffFFFFffff", &id) && id == UINT64_MAX, "max hex");
	CHECK(ct_present_parse_id("@0", &id) && id == 0, "@0");
	CHECK(ct_present_parse_id("0x7f3a", &id) && id == 0x7f3a, "hex");
	CHECK(ct_present_parse_id("123", &id) && id == 123, "decimal");

	/* Every spelling printed reads back, for both kinds of graph. */
	struct ct_graph g = {0};
	uint64_t seed = 7;
	char buf[CT_PRESENT_ID_MAX];
	for (int k = 0; k < 2; k++) {
		g.numeric_ids = k;
		for (int i = 0; i < 10000; i++) {
			uint64_t a = rng_next(&seed) >> (rng_next(&seed) % 64);
			ct_present_addr(&g, a, buf);
			CHECK(ct_present_parse_id(buf, &id) && id == a, "round trip of '%s'", buf);
			CHECK(buf[0] == (k ? '@' : '0'), "spelling '%s'", buf);
		}
	}
}

static void test_text(void)
{
	char buf[CT_PRESENT_NODE_MAX];
	size_t n;

	n = ct_present_text(buf, sizeof(buf), "a\tb\x1b[31m", 8, 60);
	CHECK(strcmp(buf, "a?b?[31m") == 0 && n == 8, "control characters: '%s'", buf);
	n = ct_present_text(buf, sizeof(buf), "x\xff\xc3(y", 5, 60);
	CHECK(strcmp(buf, "x\xef\xbf\xbd\xef\xbf\xbd(y") == 0, "invalid bytes: '%s'", buf);
	/* Surrogates and overlongs are invalid too. */
	ct_present_text(buf, sizeof(buf), "\xed\xa0\x80\xc0\xaf", 5, 60);
	CHECK(clean_utf8(buf, strlen(buf), false) && strstr(buf, "\xef\xbf\xbd"), "surrogate");
	/* Cuts fall on character boundaries and say so. */
	const char *s = "\xc3\xa9\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80";  /* ééé😀 */
	for (size_t max = 0; max <= 11; max++) {
		n = ct_present_text(buf, sizeof(buf), s, strlen(s), max);
		CHECK(clean_utf8(buf, n, false), "cut at %zu: valid", max);
		bool cut = max < strlen(s);
		CHECK(cut == (n >= 3 && memcmp(buf + n - 3, "\xe2\x80\xa6", 3) == 0),
		      "cut at %zu: ellipsis only when cut ('%s')", max, buf);
	}
	/* A small buffer is never overrun. */
	char small[9];
	memset(small, 'Z', sizeof(small));
	ct_present_text(small, 8, "abcdefghijklmnop", 16, 60);
	CHECK(small[8] == 'Z' && strlen(small) < 8, "small buffer: '%s'", small);

	char bytes[CT_PRESENT_BYTES_MAX];
	ct_present_bytes(1023, bytes);
	CHECK(strcmp(bytes, "1023 B") == 0, "%s", bytes);
	ct_present_bytes(1536, bytes);
	CHECK(strcmp(bytes, "1.5 KiB") == 0, "%s", bytes);
	ct_present_bytes(UINT64_MAX, bytes);
	CHECK(strcmp(bytes, "16.0 EiB") == 0, "%s", bytes);
}

/* A ring of n objects with hostile names. */
static const char *const names[] = {"Foo", "Quote\"Back\\slash", "Ctl\x01\n\x1b", "Bad\xff\xfe",
				    "\xf0\x9f\x98\x80 emoji", "Sep\xe2\x80\xa8", "Foo"};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

static void ring(struct ct_graph *g, uint32_t n, bool numeric)
{
	struct ct_builder b;
	struct ct_error err = {0};

	ct_builder_init(&b, "test");
	for (uint32_t v = 0; v < n; v++) {
		const char *t = names[v % N_NAMES];
		uint32_t type = ct_builder_intern(&b, t, strlen(t));
		uint32_t value = ct_builder_append(&b, names[(v + 1) % N_NAMES],
						   strlen(names[(v + 1) % N_NAMES]));
		must(ct_builder_node(&b, 0x1000 + 16 * (uint64_t)v, type, 32, 0, value, true,
				     v == 0 ? 2 : 1, v + 1, &err), &err, "node");
		uint32_t l = ct_builder_intern(&b, names[(v + 2) % N_NAMES],
					       strlen(names[(v + 2) % N_NAMES]));
		must(ct_builder_edge(&b, 0x1000 + 16 * (uint64_t)((v + 1) % n), l, CT_EDGE_STRONG,
				     &err), &err, "edge");
	}
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
	g->numeric_ids = numeric;
}

/* Run a writer into memory; returns its status, text in *out. */
typedef int writer_fn(FILE *, const void *, const struct ct_write_opts *, struct ct_error *);

static int capture(int (*fn)(FILE *, const void *), const void *arg, char **out, size_t *n)
{
	FILE *f = open_memstream(out, n);
	int rc = fn(f, arg);
	fclose(f);
	return rc;
}

static const struct ct_write_opts WOPTS = {.name = "dump\xff.jsonl", .members = true};
static int w_text(FILE *f, const void *r) { return ct_write_text(f, r, &WOPTS, NULL); }
static int w_json(FILE *f, const void *r) { return ct_write_json(f, r, &WOPTS, NULL); }
static int w_ndjson(FILE *f, const void *r) { return ct_write_ndjson(f, r, &WOPTS, NULL); }
static int w_top_text(FILE *f, const void *t) { return ct_top_write_text(f, t, &WOPTS, NULL); }
static int w_top_json(FILE *f, const void *t) { return ct_top_write_json(f, t, &WOPTS, NULL); }
static int w_path_text(FILE *f, const void *p) { return ct_path_write_text(f, p, &WOPTS, NULL); }
static int w_path_json(FILE *f, const void *p) { return ct_path_write_json(f, p, &WOPTS, NULL); }

/* Count occurrences of needle in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t k = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		k++;
	return k;
}

static void test_writers(uint32_t n, bool numeric)
{
	struct ct_graph g;
	struct ct_report r;
	struct ct_top t;
	struct ct_path p;
	struct ct_error err = {0};
	char *out = NULL, id[CT_PRESENT_ID_MAX];
	size_t len = 0;

	ring(&g, n, numeric);
	must(ct_report_build(&r, &g, NULL, &err), &err, "report");
	must(ct_top_build(&t, &g, 5, &err), &err, "top");
	must(ct_path_build(&p, &g, n - 1, &err), &err, "path");
	ct_present_id(&g, n - 1, id);

	CHECK(capture(w_json, &r, &out, &len) == 0, "scan json");
	CHECK(valid_json(out, len, false), "scan json (%u, %d) is strict JSON", n, numeric);
	CHECK(strstr(out, id) != NULL, "scan json names %s", id);
	free(out);
	CHECK(capture(w_ndjson, &r, &out, &len) == 0, "scan ndjson");
	CHECK(valid_json(out, len, true) && count(out, "\n") == r.n_sccs, "scan ndjson is strict");
	free(out);
	CHECK(capture(w_top_json, &t, &out, &len) == 0, "top json");
	CHECK(valid_json(out, len, false), "top json is strict");
	free(out);
	CHECK(capture(w_path_json, &p, &out, &len) == 0, "path json");
	CHECK(valid_json(out, len, false) && strstr(out, id), "path json is strict, names %s", id);
	free(out);

	/* Text: valid UTF-8, no control characters but newlines, short lines. */
	int (*texts[])(FILE *, const void *) = {w_text, w_top_text, w_path_text};
	const void *args[] = {&r, &t, &p};
	for (int k = 0; k < 3; k++) {
		CHECK(capture(texts[k], args[k], &out, &len) == 0, "text %d", k);
		CHECK(clean_utf8(out, len, true), "text %d: clean UTF-8", k);
		size_t longest = 0;
		for (const char *q = out; *q;) {
			const char *nl = strchr(q, '\n');
			size_t l = nl ? (size_t)(nl - q) : strlen(q);
			longest = l > longest ? l : longest;
			q += l + (nl != NULL);
		}
		/* A chain of any length is cut to 16 steps of at most ~2x60 bytes each. */
		CHECK(longest < 4000, "text %d: longest line %zu bytes for a ring of %u", k, longest, n);
		if (k == 2)
			CHECK(strstr(out, id) != NULL, "path text names %s", id);
		free(out);
	}
	ct_path_finish(&p);
	ct_top_finish(&t);
	ct_report_finish(&r);
	ct_graph_finish(&g);
}

static void test_jsonw(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct ct_jsonw w;
	struct ct_error err = {0};

	ct_jsonw_init(&w, f);
	ct_jsonw_object(&w);
	ct_jsonw_ku64(&w, "max", UINT64_MAX);
	ct_jsonw_key(&w, "a");
	ct_jsonw_array(&w);
	ct_jsonw_u64(&w, 0);
	ct_jsonw_string_n(&w, "\0\x1f\x7f\"\\\xc3", 6);
	ct_jsonw_bool(&w, false);
	ct_jsonw_null(&w);
	ct_jsonw_object(&w);
	ct_jsonw_end(&w);
	ct_jsonw_array(&w);
	ct_jsonw_end(&w);
	ct_jsonw_end(&w);
	ct_jsonw_end(&w);
	CHECK(ct_jsonw_finish(&w, &err) == 0, "balanced: %s", err.msg);
	fclose(f);
	CHECK(strcmp(out, "{\"max\":18446744073709551615,\"a\":[0,\"\\u0000\\u001f\x7f\\\"\\\\"
		      "\xef\xbf\xbd\",false,null,{},[]]}") == 0, "document: %s", out);
	free(out);

	/* Misuse is reported, not written silently. */
	f = open_memstream(&out, &len);
	ct_jsonw_init(&w, f);
	ct_jsonw_array(&w);
	ct_jsonw_key(&w, "k");
	CHECK(ct_jsonw_finish(&w, &err) == CT_EUSAGE, "a key in an array");
	fclose(f);
	free(out);

	/* A full disk is CT_EIO. */
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		ct_jsonw_init(&w, f);
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "k", "v");
		ct_jsonw_end(&w);
		CHECK(ct_jsonw_finish(&w, &err) == CT_EIO, "write error");
		fclose(f);
	}
}

/* Steps joined by " → " are cut in the middle at step boundaries: the
 * head, "→ … →", and as many last steps as fit. */
static void test_put_steps(void)
{
	char sig[4096], *out = NULL;
	size_t len = 0, n = 0;

	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(sig + n, sizeof(sig) - n, "%sType%02d .f%02d",
				      i ? " \xe2\x86\x92 " : "", i, i);
	FILE *f = open_memstream(&out, &len);
	ct_present_put_steps(f, "A .x \xe2\x86\x92 B", 240);
	fclose(f);
	CHECK(strcmp(out, "A .x \xe2\x86\x92 B") == 0, "short steps: whole (%s)", out);
	free(out);
	f = open_memstream(&out, &len);
	ct_present_put_steps(f, sig, 240);
	fclose(f);
	CHECK(strncmp(out, "Type00 .f00 \xe2\x86\x92 ", 16) == 0, "cut steps: the head kept (%s)", out);
	CHECK(strstr(out, "\xe2\x86\x92 \xe2\x80\xa6 \xe2\x86\x92 ") != NULL, "cut steps: '→ … →'");
	CHECK(len >= strlen("Type39 .f39") && strcmp(out + len - strlen("Type39 .f39"),
						     "Type39 .f39") == 0,
	      "cut steps: the last step kept whole (%s)", out);
	CHECK(len <= 240 + 16, "cut steps: about the limit (%zu bytes)", len);
	free(out);
}

int main(void)
{
	test_ids();
	test_text();
	test_jsonw();
	for (int numeric = 0; numeric < 2; numeric++) {
		test_writers(3, numeric);
		test_writers(N_NAMES * 3 + 1, numeric);
		test_writers(test_small() ? 2000 : 100000, numeric);
	}
	test_put_steps();
	return check_status("present");
}
