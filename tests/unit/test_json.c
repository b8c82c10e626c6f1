/* Unit test: lib/json.c (the pull scanner). */
#include <inttypes.h>

#include "check.h"
#include "lib/json.h"

static struct ct_json J;

static void reset(const char *text, size_t n)
{
	ct_json_reset(&J, text, n, 7);
}

/* Decode the JSON string literal text; expect ok and want[0..wn). */
static void string_ok(const char *text, const char *want, size_t wn)
{
	struct ct_error err = {0};
	const char *s = NULL;
	size_t n = 0;

	reset(text, strlen(text));
	int rc = ct_json_string(&J, &s, &n, &err);
	if (!CHECK(rc == 0, "string %s: rc %d '%s'", text, rc, err.msg))
		return;
	CHECK(n == wn && memcmp(s, want, wn) == 0, "string %s decoded to %zu bytes '%.*s'", text,
	      n, (int)n, s);
	CHECK(ct_json_done(&J, &err) == 0, "string %s: nothing left", text);
}

/* Expect the string literal to fail at column col with msg containing what. */
static void string_bad(const char *text, size_t len, uint64_t col, const char *what)
{
	struct ct_error err = {0};
	const char *s;
	size_t n;

	reset(text, len);
	int rc = ct_json_string(&J, &s, &n, &err);
	CHECK(rc == CT_EINPUT && err.code == CT_EINPUT, "bad string %s: rc %d", text, rc);
	CHECK(err.line == 7, "bad string %s: line %" PRIu64, text, err.line);
	if (col)
		CHECK(err.column == col, "bad string %s: column %" PRIu64 " want %" PRIu64 " (%s)",
		      text, err.column, col, err.msg);
	CHECK(strstr(err.msg, what) != NULL, "bad string %s: message '%s' lacks '%s'", text,
	      err.msg, what);
}

static void test_strings(void)
{
	string_ok("\"plain\"", "plain", 5);
	string_ok("\"\"", "", 0);
	string_ok("  \"lead ws\"", "lead ws", 7);
	string_ok("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\" \\ / \b \f \n \r \t", 15);
	string_ok("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6);
	string_ok("\"\\u0000x\"", "\0x", 2);
	string_ok("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);          /* U+1F600 */
	string_ok("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4);          /* U+10000 */
	string_ok("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);          /* U+10FFFF */
	string_ok("\"\\u07ff\\u0800\\uffff\"", "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 8);
	string_ok("\"raw \xe2\x86\x92 utf8\"", "raw \xe2\x86\x92 utf8", 12);
	string_ok("\"a\\nb\"  ", "a\nb", 3);
	/* Escapes decoded in a longer literal stay correct after the first. */
	string_ok("\"x\\\"y\\\"z\"", "x\"y\"z", 5);

	string_bad("\"bad \\x escape\"", 15, 6, "invalid escape");
	string_bad("\"\\u12G4\"", 8, 2, "\\u");
	string_bad("\"\\u12\"", 6, 2, "\\u");
	string_bad("\"\\ud800\"", 8, 2, "surrogate");            /* lone high */
	string_bad("\"\\ud800x\"", 9, 2, "surrogate");
	string_bad("\"\\ud800\\u0041\"", 14, 2, "surrogate");    /* high + non-low */
	string_bad("\"\\ud800\\ud800\"", 14, 2, "surrogate");    /* high + high */
	string_bad("\"\\udc00\"", 8, 2, "surrogate");            /* lone low */
	string_bad("\"ctl \x01 char\"", 12, 6, "control");
	string_bad("\"tab\tin\"", 8, 5, "control");
	string_bad("\"nl\nin\"", 7, 4, "control");
	string_bad("\"unterminated", 13, 0, "unterminated");
	string_bad("\"ends in backslash\\", 19, 0, "unterminated");
	string_bad("\"esc \\n then unterminated", 25, 0, "unterminated");
	string_bad("notastring", 10, 1, "expected '\"'");
	/* A NUL inside the text (not an escape) is a control character. */
	string_bad("\"a\0b\"", 5, 3, "control");
}

static void u64_ok(const char *text, uint64_t want)
{
	struct ct_error err = {0};
	uint64_t v = 12345;

	reset(text, strlen(text));
	int rc = ct_json_u64(&J, &v, "n", &err);
	CHECK(rc == 0 && v == want, "u64 %s: rc %d v %" PRIu64 " (%s)", text, rc, v, err.msg);
}

static void u64_bad(const char *text, const char *what)
{
	struct ct_error err = {0};
	uint64_t v = 12345;

	reset(text, strlen(text));
	int rc = ct_json_u64(&J, &v, "size", &err);
	CHECK(rc == CT_EINPUT && err.code == CT_EINPUT, "u64 %s must fail: rc %d v %" PRIu64, text, rc, v);
	CHECK(strstr(err.msg, what) && strstr(err.msg, "\"size\""),
	      "u64 %s: message '%s' lacks '%s' or the field name", text, err.msg, what);
	CHECK(err.column >= 1, "u64 %s: column set", text);
}

static void test_numbers(void)
{
	u64_ok("0", 0);
	u64_ok("7", 7);
	u64_ok(" 140234567890123,", 140234567890123ULL);
	u64_ok("18446744073709551615", UINT64_MAX);
	u64_ok("18446744073709551610]", 18446744073709551610ULL);
	u64_bad("18446744073709551616", "too large");
	u64_bad("99999999999999999999", "too large");
	u64_bad("184467440737095516150", "too large");
	u64_bad("-1", "negative");
	u64_bad("-0", "negative");
	u64_bad("1.5", "integer");
	u64_bad("1.0", "integer");
	u64_bad("1e3", "integer");
	u64_bad("2E3", "integer");
	u64_bad("\"12\"", "integer");
	u64_bad("true", "integer");
	u64_bad("", "integer");
	u64_bad("012", "leading zero");

	const char *nums[] = {"0", "-0", "12", "-1.5e+10", "3.25E-2", "1e9", "0.5"};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		struct ct_error err = {0};
		const char *s;
		size_t n;
		char text[32];
		snprintf(text, sizeof(text), "%s,", nums[i]);
		reset(text, strlen(text));
		int rc = ct_json_number(&J, &s, &n, &err);
		CHECK(rc == 0 && n == strlen(nums[i]) && memcmp(s, nums[i], n) == 0,
		      "number %s: rc %d got '%.*s'", nums[i], rc, (int)n, s);
	}
	const char *badnums[] = {"-", "1.", "1.e5", "1e", "1e+", ".5", "-x", "+1"};
	for (size_t i = 0; i < sizeof(badnums) / sizeof(badnums[0]); i++) {
		struct ct_error err = {0};
		const char *s;
		size_t n;
		reset(badnums[i], strlen(badnums[i]));
		int rc = ct_json_number(&J, &s, &n, &err);
		CHECK(rc == CT_EINPUT && err.code == CT_EINPUT, "number %s must fail: rc %d", badnums[i], rc);
	}

	struct ct_error err = {0};
	bool b = false;
	reset(" true", 5);
	CHECK(ct_json_bool(&J, &b, "gc", &err) == 0 && b, "bool true");
	reset("false", 5);
	CHECK(ct_json_bool(&J, &b, "gc", &err) == 0 && !b, "bool false");
	reset("tru", 3);
	CHECK(ct_json_bool(&J, &b, "gc", &err) == CT_EINPUT && strstr(err.msg, "\"gc\""),
	      "bool 'tru' fails naming the field: '%s'", err.msg);
	reset("1", 1);
	CHECK(ct_json_bool(&J, &b, "gc", &err) == CT_EINPUT, "bool '1' fails");
}

static int skip(const char *text, size_t n, struct ct_error *err)
{
	memset(err, 0, sizeof(*err));
	reset(text, n);
	return ct_json_skip(&J, err);
}

static void skip_ok(const char *text, const char *rest)
{
	struct ct_error err;
	int rc = skip(text, strlen(text), &err);

	if (!CHECK(rc == 0, "skip %s: rc %d '%s'", text, rc, err.msg))
		return;
	ct_json_peek(&J);
	CHECK(strcmp(J.p, rest) == 0, "skip %s: left '%s', want '%s'", text, J.p, rest);
}

static void skip_bad(const char *text, const char *what)
{
	struct ct_error err;
	int rc = skip(text, strlen(text), &err);

	CHECK(rc == CT_EINPUT && err.code == CT_EINPUT, "skip %s must fail: rc %d", text, rc);
	CHECK(strstr(err.msg, what) != NULL, "skip %s: message '%s' lacks '%s'", text, err.msg,
	      what);
}

static void test_skip(void)
{
	skip_ok("1, 2", ", 2");
	skip_ok("\"s\\\"}]\" ]", "]");
	skip_ok("null}", "}");
	skip_ok("true false", "false");
	skip_ok("[] 1", "1");
	skip_ok("{} 1", "1");
	skip_ok("[ ] 1", "1");
	skip_ok("{\"a\":[1,{\"b\":null,\"c\":[true,false,\"x\\\"y\"]},-2.5e3],\"d\":{},\"e\":[[]]} ,5",
		",5");
	skip_ok("[[[[[[1]]]],[[]]]] x", "x");
	skip_ok("{\"k\\u0041\": {\"\": \"\"}} x", "x");

	skip_bad("[1,]", "expected a value");
	skip_bad("[1 2]", "expected ','");
	skip_bad("{\"a\" 1}", "expected ':'");
	skip_bad("{\"a\":1,}", "expected '\"'");
	skip_bad("{1:2}", "expected '\"'");
	skip_bad("[1", "expected ','");
	skip_bad("{\"a\":[1,2}", "expected ','");
	skip_bad("tru", "invalid literal");
	skip_bad("nul", "invalid literal");
	skip_bad("", "end of line");
	skip_bad("[\"\\q\"]", "invalid escape");
	skip_bad("@", "expected a value");

	/* Nesting: exactly the limit is fine, one more is an error; far
	 * deeper must fail cleanly (no recursion, no overflow). */
	size_t deep = 200000;
	char *t = malloc(2 * deep + 2);
	for (size_t depth = 4095; depth <= 4097; depth++) {
		size_t k = 0;
		for (size_t i = 0; i < depth; i++)
			t[k++] = '[';
		t[k++] = '1';
		for (size_t i = 0; i < depth; i++)
			t[k++] = ']';
		struct ct_error err;
		int rc = skip(t, k, &err);
		if (depth <= 4096)
			CHECK(rc == 0, "nesting %zu must be accepted: %s", depth, err.msg);
		else
			CHECK(rc == CT_EINPUT && strstr(err.msg, "nesting"), "nesting %zu must fail: rc %d '%s'",
			      depth, rc, err.msg);
	}
	/* Objects nested in arrays nested in objects ... mixing the bit stack. */
	{
		size_t k = 0, depth = 3000;
		char *u = malloc(depth * 8 + 16);
		for (size_t i = 0; i < depth; i++) {
			if (i % 3 == 0) {
				memcpy(u + k, "{\"k\":", 5);
				k += 5;
			} else {
				u[k++] = '[';
			}
		}
		u[k++] = '0';
		for (size_t i = depth; i-- > 0;) {
			if (i % 3 == 0) {
				memcpy(u + k, ",\"z\":1}", 7);
				k += 7;
			} else {
				memcpy(u + k, ",2]", 3);
				k += 3;
			}
		}
		struct ct_error err;
		int rc = skip(u, k, &err);
		CHECK(rc == 0 && J.p == J.end, "mixed nesting 3000: rc %d '%s'", rc, err.msg);
		free(u);
	}
	memset(t, '[', deep);
	struct ct_error err;
	int rc = skip(t, deep, &err);
	CHECK(rc == CT_EINPUT && strstr(err.msg, "nesting"), "nesting %zu must fail: '%s'", deep, err.msg);
	free(t);
}

static void test_structure(void)
{
	struct ct_error err = {0};
	const char *text = " { \"a\" : [ ] , \"b\":[1 ,2] } ";
	bool more;

	reset(text, strlen(text));
	CHECK(ct_json_peek(&J) == CT_JSON_OBJECT, "peek object");
	CHECK(ct_json_begin(&J, '{', '}', &more, &err) == 0 && more, "object has members");
	const char *s;
	size_t n;
	CHECK(ct_json_string(&J, &s, &n, &err) == 0 && n == 1 && *s == 'a', "key a");
	CHECK(ct_json_expect(&J, ':', &err) == 0, "colon");
	CHECK(ct_json_begin(&J, '[', ']', &more, &err) == 0 && !more, "empty array");
	CHECK(ct_json_next(&J, '}', &more, &err) == 0 && more, "comma");
	CHECK(ct_json_string(&J, &s, &n, &err) == 0 && n == 1 && *s == 'b', "key b");
	CHECK(ct_json_expect(&J, ':', &err) == 0, "colon");
	CHECK(ct_json_begin(&J, '[', ']', &more, &err) == 0 && more, "array has elements");
	uint64_t v;
	CHECK(ct_json_u64(&J, &v, "x", &err) == 0 && v == 1, "1");
	CHECK(ct_json_next(&J, ']', &more, &err) == 0 && more, "comma");
	CHECK(ct_json_u64(&J, &v, "x", &err) == 0 && v == 2, "2");
	CHECK(ct_json_next(&J, ']', &more, &err) == 0 && !more, "close array");
	CHECK(ct_json_next(&J, '}', &more, &err) == 0 && !more, "close object");
	CHECK(ct_json_done(&J, &err) == 0, "done");
	CHECK(ct_json_peek(&J) == CT_JSON_END, "peek end");

	const struct { const char *t; enum ct_json_type want; } peeks[] = {
		{"[", CT_JSON_ARRAY}, {"\"", CT_JSON_STRING}, {"-1", CT_JSON_NUMBER},
		{"9", CT_JSON_NUMBER}, {"true", CT_JSON_TRUE}, {"false", CT_JSON_FALSE},
		{"null", CT_JSON_NULL}, {"x", CT_JSON_INVALID}, {"   ", CT_JSON_END},
		{"]", CT_JSON_INVALID},
	};
	for (size_t i = 0; i < sizeof(peeks) / sizeof(peeks[0]); i++) {
		reset(peeks[i].t, strlen(peeks[i].t));
		CHECK(ct_json_peek(&J) == peeks[i].want, "peek '%s'", peeks[i].t);
	}

	reset("{\"a\":1} x", 9);
	ct_json_skip(&J, &err);
	memset(&err, 0, sizeof(err));
	CHECK(ct_json_done(&J, &err) == CT_EINPUT && err.column == 9 && strstr(err.msg, "'x'"),
	      "trailing data: column %" PRIu64 " '%s'", err.column, err.msg);
	reset("[1 2]", 5);
	ct_json_begin(&J, '[', ']', &more, &err);
	ct_json_u64(&J, &v, "x", &err);
	memset(&err, 0, sizeof(err));
	CHECK(ct_json_next(&J, ']', &more, &err) == CT_EINPUT && err.column == 4 && strstr(err.msg, "'2'"),
	      "missing comma: column %" PRIu64 " '%s'", err.column, err.msg);
	reset("[1", 2);
	ct_json_begin(&J, '[', ']', &more, &err);
	ct_json_u64(&J, &v, "x", &err);
	memset(&err, 0, sizeof(err));
	CHECK(ct_json_next(&J, ']', &more, &err) == CT_EINPUT && strstr(err.msg, "end of line"),
	      "truncated: '%s'", err.msg);
	/* Binary bytes are described, not printed raw. */
	reset("\x01", 1);
	memset(&err, 0, sizeof(err));
	CHECK(ct_json_expect(&J, '{', &err) == CT_EINPUT && strstr(err.msg, "0x01"), "binary: '%s'",
	      err.msg);
	/* ct_json_fail with no error struct still fails. */
	reset("x", 1);
	CHECK(ct_json_expect(&J, '{', NULL) == CT_EINPUT, "NULL err");
}

int main(void)
{
	ct_json_init(&J);
	test_strings();
	test_numbers();
	test_skip();
	test_structure();
	ct_json_finish(&J);
	ct_json_finish(&J);
	ct_json_finish(NULL);
	return check_status("test_json");
}
