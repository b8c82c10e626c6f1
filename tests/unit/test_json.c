/* Unit test: lib/json.c (the pull scanner). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

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

static void double_ok(const char *text, double want)
{
	struct ct_error err = {0};
	double v = -42;

	reset(text, strlen(text));
	int rc = ct_json_double(&J, &v, "time", &err);
	CHECK(rc == 0 && v == want, "double %s: rc %d v %.17g want %.17g (%s)", text, rc, v, want,
	      err.msg);
}

/* Expect failure at column col with a message containing what. */
static void double_bad(const char *text, uint64_t col, const char *what)
{
	struct ct_error err = {0};
	double v = -42;

	reset(text, strlen(text));
	int rc = ct_json_double(&J, &v, "time", &err);
	CHECK(rc == CT_EINPUT && err.code == CT_EINPUT && v == -42,
	      "double %s must fail: rc %d v %g", text, rc, v);
	CHECK(err.line == 7 && err.column == col, "double %s: at %" PRIu64 ":%" PRIu64
	      " want 7:%" PRIu64, text, err.line, err.column, col);
	CHECK(strstr(err.msg, what) != NULL, "double %s: message '%s' lacks '%s'", text, err.msg,
	      what);
}

static void test_doubles(void)
{
	double_ok("0", 0.0);
	double_ok("-0", -0.0);
	double_ok("12", 12.0);
	double_ok(" 1764720000.123456,", 1764720000.123456);
	double_ok("-1.5e+10", -1.5e10);
	double_ok("3.25E-2]", 3.25e-2);
	double_ok("1e9}", 1e9);
	double_ok("0.1", 0.1);
	double_ok("18446744073709551616", 18446744073709551616.0);
	double_ok("1.7976931348623157e308", 1.7976931348623157e308);
	double_ok("4.9406564584124654e-324", 4.9406564584124654e-324);  /* subnormal */
	double_ok("1e-400", 0.0);                                       /* underflow */
	/* Longer than the stack buffer: still exact. */
	double_ok("0.1000000000000000000000000000000000000000000000000000000000000000000001",
		  0.1);
	double_bad("\"1.5\"", 1, "\"time\" must be a number");
	double_bad("  true", 3, "\"time\" must be a number");
	double_bad("null", 1, "must be a number");
	double_bad("+1", 1, "must be a number");
	double_bad(".5", 1, "must be a number");
	double_bad("NaN", 1, "must be a number");
	double_bad("Infinity", 1, "must be a number");
	double_bad("", 1, "must be a number");
	/* A malformed number is reported where it starts. */
	double_bad("-", 1, "expected a number");
	double_bad("-Infinity", 1, "expected a number");
	double_bad("1.", 1, "malformed");
	double_bad("1.e5", 1, "malformed");
	double_bad("1e", 1, "malformed");
	double_bad("1e+", 1, "malformed");
	double_bad(" 1e400", 2, "too large");
	double_bad("-1e309", 1, "too large");

	/* Windowed: numbers cut by the window's end are read whole, and an
	 * error names the line and column in the document. */
	{
		static const char doc[] = "[1764720000.123456, 2.5e-3,\n 1e999]";
		struct ct_json w;
		struct ct_input in;
		struct ct_error e = {0};
		double a = 0, b = 0, c = 0;
		bool more;
		ct_input_init_mem(&in, doc, sizeof(doc) - 1);
		ct_json_init(&w);
		CHECK(ct_json_open_input(&w, &in, 64, &e) == 0, "open: %s", e.msg);
		CHECK(ct_json_begin(&w, '[', ']', &more, &e) == 0 && more, "windowed [");
		CHECK(ct_json_double(&w, &a, "t", &e) == 0 && a == 1764720000.123456,
		      "windowed double: %.17g (%s)", a, e.msg);
		CHECK(ct_json_next(&w, ']', &more, &e) == 0 && more, "windowed ,");
		CHECK(ct_json_double(&w, &b, "t", &e) == 0 && b == 2.5e-3, "windowed double 2");
		CHECK(ct_json_next(&w, ']', &more, &e) == 0 && more, "windowed , 2");
		CHECK(ct_json_double(&w, &c, "t", &e) == CT_EINPUT && e.line == 2 && e.column == 2,
		      "windowed 1e999 at 2:2: %" PRIu64 ":%" PRIu64 " %s", e.line, e.column, e.msg);
		ct_json_finish(&w);
		ct_input_finish(&in);
	}

	/* Leading zeros and hex are not the grammar: the number ends early
	 * and what follows is the caller's to reject. */
	struct ct_error err = {0};
	double v = 0;
	reset("012", 3);
	CHECK(ct_json_double(&J, &v, "time", &err) == 0 && v == 0 &&
	      ct_json_done(&J, &err) == CT_EINPUT, "double 012: 0, then '12' left over");
	reset("0x10", 4);
	CHECK(ct_json_double(&J, &v, "time", &err) == 0 && v == 0 &&
	      ct_json_done(&J, &err) == CT_EINPUT, "double 0x10: 0, then 'x10' left over");
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

/* ---- windowed mode ---- */

/* A canonical account of every token of the document at j (strings and
 * numbers as hex bytes), or of the error that stopped the scan: what a
 * scan in memory and a scan through a window must agree on. */
struct walk {
	char out[8192];
	size_t len;
	int rc;
	struct ct_error err;
};

static void emit(struct walk *w, const char *tag, const char *s, size_t n)
{
	w->len += (size_t)snprintf(w->out + w->len, sizeof(w->out) - w->len, "%s", tag);
	for (size_t i = 0; i < n && w->len + 3 < sizeof(w->out); i++)
		w->len += (size_t)snprintf(w->out + w->len, sizeof(w->out) - w->len, "%02x",
					   (unsigned char)s[i]);
	if (w->len + 2 < sizeof(w->out))
		w->out[w->len++] = ' ';
}

static void walk(struct ct_json *j, struct walk *w)
{
	char stack[64];
	size_t depth = 0;
	const char *s;
	size_t n;
	bool more, b;
	uint64_t v;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	for (;;) {
		enum ct_json_type t = ct_json_peek(j);
		switch (t) {
		case CT_JSON_OBJECT:
		case CT_JSON_ARRAY: {
			char close = t == CT_JSON_OBJECT ? '}' : ']';
			if ((rc = ct_json_begin(j, (char)t, close, &more, &w->err)))
				goto out;
			emit(w, t == CT_JSON_OBJECT ? "{" : "[", "", 0);
			if (more) {
				stack[depth++] = close;
				if (t == CT_JSON_OBJECT && ((rc = ct_json_string(j, &s, &n, &w->err)) ||
							    (emit(w, "k", s, n), 0) ||
							    (rc = ct_json_expect(j, ':', &w->err))))
					goto out;
				continue;
			}
			emit(w, close == '}' ? "}" : "]", "", 0);
			break;
		}
		case CT_JSON_STRING:
			if ((rc = ct_json_string(j, &s, &n, &w->err)))
				goto out;
			emit(w, "s", s, n);
			break;
		case CT_JSON_NUMBER:
			/* Non-negative integers through ct_json_u64, the rest as text. */
			if (j->p[0] != '-' && !(rc = ct_json_u64(j, &v, "n", &w->err))) {
				char t[24];
				snprintf(t, sizeof(t), "u%" PRIu64, v);
				emit(w, t, "", 0);
				break;
			}
			memset(&w->err, 0, sizeof(w->err));
			if ((rc = ct_json_number(j, &s, &n, &w->err)))
				goto out;
			emit(w, "n", s, n);
			break;
		case CT_JSON_TRUE:
		case CT_JSON_FALSE:
			if ((rc = ct_json_bool(j, &b, "b", &w->err)))
				goto out;
			emit(w, b ? "true" : "false", "", 0);
			break;
		default:
			if ((rc = ct_json_skip(j, &w->err)))
				goto out;
			emit(w, "null", "", 0);
		}
		for (;;) {
			if (depth == 0) {
				rc = ct_json_done(j, &w->err);
				goto out;
			}
			if ((rc = ct_json_next(j, stack[depth - 1], &more, &w->err)))
				goto out;
			if (more)
				break;
			emit(w, stack[--depth] == '}' ? "}" : "]", "", 0);
		}
		if (stack[depth - 1] == '}' && ((rc = ct_json_string(j, &s, &n, &w->err)) ||
						(emit(w, "k", s, n), 0) ||
						(rc = ct_json_expect(j, ':', &w->err))))
			goto out;
	}
out:
	w->rc = rc;
}

/* Scan text in memory and through windows of `window` bytes. */
static void walk_mem(const char *text, size_t n, unsigned opts, struct walk *w)
{
	struct ct_json j;

	ct_json_init(&j);
	j.opts = opts;
	ct_json_reset(&j, text, n, 1);
	walk(&j, w);
	ct_json_finish(&j);
}

static void walk_window(const char *text, size_t n, size_t window, unsigned opts,
			struct walk *w)
{
	struct ct_json j;
	struct ct_input in;
	struct ct_error err = {0};

	ct_input_init_mem(&in, text, n);
	ct_json_init(&j);
	j.opts = opts;
	if (!CHECK(ct_json_open_input(&j, &in, window, &err) == 0, "open: %s", err.msg))
		return;
	walk(&j, w);
	ct_json_finish(&j);
	ct_input_finish(&in);
}

/* doc, after every amount of padding from 0 to two windows (white space
 * with newlines, so that lines are counted too), scans through a window
 * to what it scans to in memory: the same tokens, or the same error at
 * the same line and column.  Every token of doc thus meets the window's
 * end at every one of its bytes. */
static void same_windowed(const char *doc, unsigned opts)
{
	enum { W = 64 };
	size_t dn = strlen(doc);
	char *text = malloc(2 * W + dn + 1);
	static struct walk a, b;

	for (size_t pad = 0; pad <= 2 * W; pad++) {
		for (size_t i = 0; i < pad; i++)
			text[i] = i % 5 == 4 ? '\n' : ' ';
		memcpy(text + pad, doc, dn);
		walk_mem(text, pad + dn, opts, &a);
		walk_window(text, pad + dn, W, opts, &b);
		bool same = a.rc == b.rc && a.len == b.len && memcmp(a.out, b.out, a.len) == 0 &&
			    a.err.line == b.err.line && a.err.column == b.err.column;
		if (!CHECK(same, "%s after %zu bytes: memory rc %d %" PRIu64 ":%" PRIu64 " '%s' [%.*s]"
			   " vs window rc %d %" PRIu64 ":%" PRIu64 " '%s' [%.*s]", doc, pad,
			   a.rc, a.err.line, a.err.column, a.err.msg, (int)a.len, a.out,
			   b.rc, b.err.line, b.err.column, b.err.msg, (int)b.len, b.out))
			break;
	}
	free(text);
}

static void test_windowed(void)
{
	const char *good[] = {
		"\"plain ascii that is longer than half of the window, so it is decoded in parts\"",
		"[\"a\\nb\", \"\\u00e9\\u20AC\\ud83d\\ude00\", \"x\\\"y\\\\z\\/\", \"\"]",
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf and some more text to go past a window\"",
		"\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\"",
		"\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"",
		"[18446744073709551615, 0, 7, -1.5e+10, 3.25E-2, 1e9, 0.5, -0]",
		"{\"k\\u0041\": [true, false, null, {\"\": \"\"}], \"n\": 12345678901234567890}",
		"[[[[1,2,[3]]]],{\"a\":{\"b\":{\"c\":[]}}}]",
		"\"\\u0000\\u0001\\u001f\"",
	};
	const char *bad[] = {
		"\"bad \\x escape\"",
		"\"\\u12G4\"",
		"[\"ok\", \"\\ud800\"]",
		"[\"ok\", \"\\ud800\\u0041\"]",
		"[\"ok\", \"\\udc00 lone low\"]",
		"\"ctl \x01 char\"",
		"\"bad utf8 \xff here\"",
		"\"overlong \xc0\xaf here\"",
		"\"truncated \xe2\x82 here\"",
		"\"surrogate in utf8 \xed\xa0\x80 here\"",
		"\"unterminated",
		"\"ends in backslash\\",
		"\"ends in an escape \\u00",
		"\"ends in utf8 \xe2\x82",
		"[1, 2",
		"[1 2]",
		"[012]",
		"[1e]",
		"[-]",
		"[1.]",
		"[1, tru]",
		"{\"a\" 1}",
		"{\"a\":1} x",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		static struct walk w;
		walk_mem(good[i], strlen(good[i]), 0, &w);
		CHECK(w.rc == 0, "good document %s: '%s'", good[i], w.err.msg);
		same_windowed(good[i], 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		static struct walk w;
		walk_mem(bad[i], strlen(bad[i]), 0, &w);
		CHECK(w.rc == CT_EINPUT && w.err.column > 0, "bad document %s: rc %d", bad[i], w.rc);
		same_windowed(bad[i], 0);
	}

	/* A string longer than the window, of every kind of character. */
	{
		const char *unit = "ab\\u00e9\\ud83d\\ude00\xe2\x82\xac\\n\\\"";
		const char *want = "ab\xc3\xa9\xf0\x9f\x98\x80\xe2\x82\xac\n\"";
		size_t un = strlen(unit), wn = strlen(want), reps = 1000;
		char *doc = malloc(un * reps + 3), *exp = malloc(wn * reps);
		size_t k = 0;
		doc[k++] = '"';
		for (size_t i = 0; i < reps; i++) {
			memcpy(doc + k, unit, un);
			k += un;
			memcpy(exp + i * wn, want, wn);
		}
		doc[k++] = '"';
		for (size_t window = 64; window <= 256; window += 37) {
			struct ct_json j;
			struct ct_input in;
			struct ct_error err = {0};
			const char *s;
			size_t n;
			ct_input_init_mem(&in, doc, k);
			ct_json_init(&j);
			ct_json_open_input(&j, &in, window, &err);
			int rc = ct_json_string(&j, &s, &n, &err);
			CHECK(rc == 0 && n == wn * reps && memcmp(s, exp, n) == 0,
			      "long string through a %zu-byte window: rc %d '%s', %zu bytes", window, rc,
			      err.msg, n);
			CHECK(ct_json_done(&j, &err) == 0, "long string: nothing left");
			ct_json_finish(&j);
			ct_input_finish(&in);
		}
		free(doc);
		free(exp);
	}

	/* ct_json_u64s: the fast path and the general one, across windows. */
	{
		static char doc[65536];
		uint64_t want[2000];
		size_t k = 0, nw = 0;
		k += (size_t)snprintf(doc + k, sizeof(doc) - k, "[");
		for (size_t i = 0; i < 1500; i++) {
			want[nw] = i % 7 == 3 ? UINT64_MAX - i : (uint64_t)i * i * 1000003u;
			k += (size_t)snprintf(doc + k, sizeof(doc) - k, "%s%" PRIu64,
					      i == 0 ? "" : i % 10 == 0 ? "\n," : i % 13 == 0 ? " , " : ",",
					      want[nw]);
			nw++;
		}
		k += (size_t)snprintf(doc + k, sizeof(doc) - k, "\n]");
		for (int mode = 0; mode < 2; mode++) {
			for (size_t per = 1; per <= 8; per += 3) {
				struct ct_json j;
				struct ct_input in;
				struct ct_error err = {0};
				uint64_t v[8], count = 0;
				size_t got, total = 0;
				bool ok = true;
				ct_json_init(&j);
				ct_input_init_mem(&in, doc, k);
				if (mode)
					ct_json_open_input(&j, &in, 64, &err);
				else
					ct_json_reset(&j, doc, k, 1);
				CHECK(ct_json_expect(&j, '[', &err) == 0, "u64s: '['");
				do {
					int rc = ct_json_u64s(&j, v, per, &got, &count, "nodes", &err);
					if (!CHECK(rc == 0, "u64s (%s, %zu): rc %d '%s'",
						   mode ? "window" : "memory", per, rc, err.msg))
						break;
					for (size_t i = 0; i < got; i++)
						ok &= total + i < nw && v[i] == want[total + i];
					total += got;
				} while (got == per);
				CHECK(ok && total == nw && count == nw && j.line == 151,
				      "u64s (%s, %zu at a time): %zu of %zu values, count %" PRIu64
				      ", line %" PRIu64, mode ? "window" : "memory", per, total, nw, count,
				      j.line);
				CHECK(ct_json_done(&j, &err) == 0, "u64s: done");
				ct_json_finish(&j);
				ct_input_finish(&in);
			}
		}
		/* Errors after elements read by the fast path (with "\n," before
		 * each) and by the general one name the line and column of the
		 * fault: the byte after the tail's first (or the end). */
		const char *tails[] = {",-3]", ",3.5]", ",03]", ",,3]", " 3]",
				       ",99999999999999999999]", ",\"3\"]", ""};
		for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
			for (size_t elems = 0; elems < 80; elems++) {
				/* White space after the tail (elems odd) keeps the
				 * fast path going up to the fault. */
				char text[1024];
				size_t n = 0;
				n += (size_t)snprintf(text + n, sizeof(text) - n, "[0");
				for (size_t e = 1; e <= elems / 2; e++)
					n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%zu",
							      e % 3 ? "\n," : ",", e * 7919);
				size_t at = n + 1;
				n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", tails[i],
						      elems % 2 ? "                                 "
						      "                                 " : "");
				if (!tails[i][0])
					at = n;
				uint64_t want_line = 1, want_col = 1;
				for (size_t c = 0; c < at; c++) {
					want_col++;
					if (text[c] == '\n') {
						want_line++;
						want_col = 1;
					}
				}
				for (int mode = 0; mode < 2; mode++) {
					struct ct_json j;
					struct ct_input in;
					struct ct_error err = {0};
					uint64_t v[4], count = 0;
					size_t got = 4;
					ct_json_init(&j);
					ct_input_init_mem(&in, text, n);
					if (mode)
						ct_json_open_input(&j, &in, 64, &err);
					else
						ct_json_reset(&j, text, n, 1);
					int rc = ct_json_expect(&j, '[', &err);
					while (!rc && got == 4)
						rc = ct_json_u64s(&j, v, 4, &got, &count, "nodes", &err);
					CHECK(rc == CT_EINPUT && err.line == want_line && err.column == want_col,
					      "u64s %s after %zu elements (%s): rc %d at %" PRIu64 ":%" PRIu64
					      ", want %" PRIu64 ":%" PRIu64 " '%s'", tails[i], elems,
					      mode ? "window" : "memory", rc, err.line, err.column, want_line,
					      want_col, err.msg);
					ct_json_finish(&j);
					ct_input_finish(&in);
				}
			}
		}
	}

	/* A number longer than the window is an error, not a hang. */
	{
		char doc[200];
		memset(doc, '1', sizeof(doc) - 1);
		doc[sizeof(doc) - 1] = '\0';
		static struct walk w;
		walk_window(doc, strlen(doc), 64, 0, &w);
		CHECK(w.rc == CT_EINPUT && strstr(w.err.msg, "too long"), "long number: rc %d '%s'",
		      w.rc, w.err.msg);
	}
}

/* CT_JSON_LONE_SURROGATES: what V8 writes for lone surrogates decodes to
 * U+FFFD, in memory and through a window; pairs stay pairs. */
static void test_lone_surrogates(void)
{
	const struct { const char *text, *want; } cases[] = {
		{"\"\\ud800\"", "\xef\xbf\xbd"},
		{"\"\\ud800x\"", "\xef\xbf\xbdx"},
		{"\"\\udc00\"", "\xef\xbf\xbd"},
		{"\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A"},
		{"\"\\ud800\\ud800\\udc00\"", "\xef\xbf\xbd\xf0\x90\x80\x80"},
		{"\"\\udbff\\udfff\\udfff\"", "\xf4\x8f\xbf\xbf\xef\xbf\xbd"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct walk w;
		struct ct_json j;
		struct ct_error err = {0};
		const char *s;
		size_t n;
		ct_json_init(&j);
		j.opts = CT_JSON_LONE_SURROGATES;
		ct_json_reset(&j, cases[i].text, strlen(cases[i].text), 1);
		int rc = ct_json_string(&j, &s, &n, &err);
		CHECK(rc == 0 && n == strlen(cases[i].want) && memcmp(s, cases[i].want, n) == 0,
		      "lone surrogate %s: rc %d '%s' got %zu bytes", cases[i].text, rc, err.msg, n);
		ct_json_finish(&j);
		same_windowed(cases[i].text, CT_JSON_LONE_SURROGATES);
		/* Without the option, the same text is an error. */
		walk_mem(cases[i].text, strlen(cases[i].text), 0, &w);
		CHECK(w.rc == CT_EINPUT && strstr(w.err.msg, "surrogate"),
		      "%s without the option: rc %d '%s'", cases[i].text, w.rc, w.err.msg);
	}
	/* Invalid raw UTF-8 stays an error with the option. */
	static struct walk w;
	walk_mem("\"\xed\xa0\x80\"", 5, CT_JSON_LONE_SURROGATES, &w);
	CHECK(w.rc == CT_EINPUT && strstr(w.err.msg, "UTF-8"), "raw surrogate bytes: '%s'",
	      w.err.msg);
}

/* A stream that gives `limit` bytes of text, then fails with EIO. */
struct failing {
	const char *text;
	size_t pos, limit;
};

static ssize_t failing_read(void *c, char *buf, size_t n)
{
	struct failing *f = c;

	if (f->pos >= f->limit) {
		errno = EIO;
		return -1;
	}
	if (n > f->limit - f->pos)
		n = f->limit - f->pos;
	if (n > 7)
		n = 7;  /* dribble, so the window fills in many reads */
	memcpy(buf, f->text + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

/* A read error in windowed mode is what the scan reports, wherever it
 * comes: not "unterminated string" or "end of input" (nor success). */
static void test_read_error(void)
{
	const char *docs[] = {
		"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28]",
		"[\"a string that the read error cuts in the middle of its text\", 1]",
		"{\"a\": [true, null, \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"]}",
		"{\"a\": 1}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t n = strlen(docs[i]);
		for (size_t limit = 0; limit <= n; limit++) {
			struct failing f = {docs[i], 0, limit};
			cookie_io_functions_t io = {.read = failing_read};
			FILE *fp = fopencookie(&f, "r", io);
			struct ct_input in;
			struct ct_json j;
			struct ct_error err = {0};
			static struct walk w;
			ct_input_init_file(&in, fp, 0);
			ct_json_init(&j);
			ct_json_open_input(&j, &in, 64, &err);
			walk(&j, &w);
			bool ok = w.rc == CT_EINPUT && strstr(w.err.msg, "read error") != NULL;
			ct_json_finish(&j);
			ct_input_finish(&in);
			fclose(fp);
			if (!CHECK(ok, "%s failing after %zu bytes: rc %d '%s'", docs[i], limit, w.rc,
				   w.err.msg))
				break;
		}
	}
}

int main(void)
{
	ct_json_init(&J);
	test_strings();
	test_numbers();
	test_doubles();
	test_skip();
	test_structure();
	test_windowed();
	test_lone_surrogates();
	test_read_error();
	ct_json_finish(&J);
	ct_json_finish(&J);
	ct_json_finish(NULL);
	return check_status("test_json");
}
