#include "json.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define WINDOW_MIN 64   /* the fast path of ct_json_u64s() looks this far ahead */

void ct_json_init(struct ct_json *j)
{
	memset(j, 0, sizeof(*j));
}

void ct_json_finish(struct ct_json *j)
{
	if (!j)
		return;
	free(j->scratch);
	free(j->window);
	memset(j, 0, sizeof(*j));
}

void ct_json_reset(struct ct_json *j, const char *p, size_t n, uint64_t line)
{
	j->start = j->p = p;
	j->end = p + n;
	j->line = line;
	j->line_start = 0;
	j->base = 0;
	j->in = NULL;
	j->eof = true;
	j->rc = 0;
}

int ct_json_open_input(struct ct_json *j, struct ct_input *in, size_t window,
		       struct ct_error *err)
{
	j->max_token = ct_input_max_token(in);
	if (window < WINDOW_MIN)
		window = WINDOW_MIN;
	if (window != j->window_cap) {
		free(j->window);
		j->window_cap = 0;
		if (!(j->window = malloc(window)))
			return ct_error_nomem(err);
		j->window_cap = window;
	}
	j->start = j->p = j->end = j->window;
	j->in = in;
	j->base = j->line_start = in->consumed;
	j->line = 1;
	j->eof = false;
	j->rc = 0;
	return 0;
}

int ct_json_fail(struct ct_json *j, struct ct_error *err, const char *fmt, ...)
{
	va_list ap;

	if (j->rc) {
		/* What looked like the end of the input was a read error. */
		if (err)
			*err = j->read_err;
		return j->rc;
	}
	if (!err)
		return CT_EINPUT;
	err->code = CT_EINPUT;
	err->line = j->line;
	err->column = ct_json_column(j);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return CT_EINPUT;
}

/* Windowed mode: whether more input may come into the window. */
static bool can_refill(const struct ct_json *j)
{
	return j->in && !j->eof && !j->rc;
}

/* Make at least need bytes available at p, keeping the bytes from p on
 * (pointers at or after p stay valid relative to p; earlier ones, and
 * strings handed out, do not).  Returns whether need bytes are there; a
 * read error is kept in j->rc and reported by the next ct_json_fail(). */
static bool refill(struct ct_json *j, size_t need)
{
	size_t len = (size_t)(j->end - j->p);

	if (len >= need)
		return true;
	if (!can_refill(j) || need > j->window_cap)
		return false;
	if (j->p != j->window) {
		memmove(j->window, j->p, len);
		j->base += (uint64_t)(j->p - j->start);
		j->start = j->p = j->window;
		j->end = j->window + len;
	}
	while (len < need) {
		long got = ct_input_read(j->in, j->window + len, j->window_cap - len, &j->read_err);
		if (got < 0) {
			j->rc = j->read_err.code ? j->read_err.code : CT_EINPUT;
			break;
		}
		if (got == 0) {
			j->eof = true;
			break;
		}
		len += (size_t)got;
		j->end = j->window + len;
	}
	return len >= need;
}

static void ws(struct ct_json *j)
{
	for (;;) {
		const char *p = j->p, *end = j->end;
		while (p < end) {
			char c = *p;
			if (c == '\n') {
				j->line++;
				j->line_start = j->base + (uint64_t)(p - j->start) + 1;
			} else if (c != ' ' && c != '\t' && c != '\r') {
				j->p = p;
				return;
			}
			p++;
		}
		j->p = p;
		if (!refill(j, 1))
			return;
	}
}

/* A printable description of the byte at the current position. */
static const char *found(const struct ct_json *j, char *buf, size_t n)
{
	if (j->p >= j->end)
		return j->in ? "end of input" : "end of line";
	unsigned char c = (unsigned char)*j->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

enum ct_json_type ct_json_peek(struct ct_json *j)
{
	ws(j);
	if (j->p >= j->end)
		return CT_JSON_END;
	switch (*j->p) {
	case '{': return CT_JSON_OBJECT;
	case '[': return CT_JSON_ARRAY;
	case '"': return CT_JSON_STRING;
	case 't': return CT_JSON_TRUE;
	case 'f': return CT_JSON_FALSE;
	case 'n': return CT_JSON_NULL;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return CT_JSON_NUMBER;
	default:
		return CT_JSON_INVALID;
	}
}

int ct_json_expect(struct ct_json *j, char c, struct ct_error *err)
{
	char buf[16];

	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 0;
	}
	return ct_json_fail(j, err, "expected '%c', found %s", c, found(j, buf, sizeof(buf)));
}

int ct_json_next(struct ct_json *j, char close, bool *more, struct ct_error *err)
{
	char buf[16];

	ws(j);
	if (j->p < j->end) {
		if (*j->p == ',') {
			j->p++;
			*more = true;
			return 0;
		}
		if (*j->p == close) {
			j->p++;
			*more = false;
			return 0;
		}
	}
	*more = false;
	return ct_json_fail(j, err, "expected ',' or '%c', found %s", close,
			    found(j, buf, sizeof(buf)));
}

int ct_json_begin(struct ct_json *j, char open, char close, bool *more, struct ct_error *err)
{
	int rc = ct_json_expect(j, open, err);

	*more = false;
	if (rc)
		return rc;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	*more = true;
	return 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Make room for n more decoded bytes after the first used ones. */
static int scratch_room(struct ct_json *j, size_t used, size_t n, struct ct_error *err)
{
	if (used + n <= j->scratch_cap)
		return 0;
	size_t cap = j->scratch_cap * 2;
	if (cap < used + n)
		cap = used + n;
	char *b = realloc(j->scratch, cap);
	if (!b)
		return ct_error_nomem(err);
	j->scratch = b;
	j->scratch_cap = cap;
	return 0;
}

/* A string longer than the limit: the error names where it starts. */
static int too_long(const struct ct_json *j, uint64_t line, uint64_t column, struct ct_error *err)
{
	uint64_t max = j->max_token ? j->max_token : CT_INPUT_MAX_TOKEN;

	return ct_error_at(err, CT_EINPUT, line, column,
			   "string longer than the limit of %" PRIu64 " bytes (--max-token raises it)",
			   max);
}

int ct_json_string(struct ct_json *j, const char **s, size_t *len, struct ct_error *err)
{
	uint64_t max = j->max_token ? j->max_token : CT_INPUT_MAX_TOKEN;
	int rc = ct_json_expect(j, '"', err);
	if (rc)
		return rc;
	uint64_t sline = j->line, scol = ct_json_column(j) - 1;  /* at the quote */
	/* Fast path: plain ASCII, no escapes, all in the text or the window
	 * (which is refilled for a string that fits in half of it). */
	for (;;) {
		const char *q = ct_json_plain_end(j->p, j->end);
		if (q < j->end) {
			if (*q != '"')
				break;
			if ((uint64_t)(q - j->p) > max)
				return too_long(j, sline, scol, err);
			*s = j->p;
			*len = (size_t)(q - j->p);
			j->p = q + 1;
			return 0;
		}
		size_t have = (size_t)(q - j->p);
		if (!can_refill(j) || have >= j->window_cap / 2 || !refill(j, have + 1))
			break;
	}
	/* Slow path: decode into scratch, which holds at least what is left of
	 * the text or window (decoding never lengthens), refilling as needed. */
	size_t used = 0;
	for (;;) {
		/* Scratch grows to what is left of the window or text: keep
		 * what a memory-mode text holds from growing it past the limit. */
		size_t room = (size_t)(j->end - j->p) + 1;
		if (room > max - used + 2)
			room = (size_t)(max - used) + 2;
		/* Decoding never lengthens; a character or escape begun
		 * before stop may end up to 11 bytes past it. */
		if ((rc = scratch_room(j, used, room + 16, err)))
			return rc;
		const char *stop = j->p + room - 1;
		char *o = j->scratch + used;
		bool more = can_refill(j);
		size_t want = 1;
		while (j->p < stop) {
			unsigned char c = (unsigned char)*j->p;
			if (c == '"') {
				j->p++;
				*s = j->scratch;
				*len = (size_t)(o - j->scratch);
				return 0;
			}
			if (c < 0x20)
				return ct_json_fail(j, err, "control character 0x%02x in string", c);
			if (c >= 0x80) {
				if (more && j->end - j->p < 4) {
					want = 4;
					break;
				}
				unsigned cp;
				size_t n = ct_utf8_decode((const unsigned char *)j->p,
							  (const unsigned char *)j->end, &cp);
				if (!n)
					return ct_json_fail(j, err, "invalid UTF-8 in string");
				memcpy(o, j->p, n);
				o += n;
				j->p += n;
				continue;
			}
			if (c != '\\') {
				*o++ = (char)c;
				j->p++;
				continue;
			}
			/* An escape: at most \uXXXX\uXXXX. */
			if (more && j->end - j->p < 12) {
				want = 12;
				break;
			}
			if (j->end - j->p < 2)
				return ct_json_fail(j, err, "unterminated string");
			char e = j->p[1];
			j->p += 2;
			switch (e) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (j->end - j->p < 4 || hex4(j->p, &cp)) {
					j->p -= 2;
					return ct_json_fail(j, err, "invalid \\u escape");
				}
				j->p += 4;
				bool lone = false;
				if (cp >= 0xd800 && cp < 0xdc00) {
					if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
					    hex4(j->p + 2, &lo) || lo < 0xdc00 || lo >= 0xe000) {
						lone = true;
					} else {
						j->p += 6;
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					}
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					lone = true;
				}
				if (lone) {
					if (!(j->opts & CT_JSON_LONE_SURROGATES)) {
						j->p -= 6;
						return ct_json_fail(j, err, "unpaired UTF-16 surrogate");
					}
					cp = 0xfffd;
				}
				o += put_utf8(o, cp);
				break;
			}
			default:
				j->p -= 2;
				return ct_json_fail(j, err, "invalid escape '\\%c'",
						    (e >= 0x20 && e < 0x7f) ? e : '?');
			}
		}
		used = (size_t)(o - j->scratch);
		if (used > max)
			return too_long(j, sline, scol, err);
		if (j->p < j->end && want == 1)
			continue;  /* stopped at the room given, not for a refill */
		/* The window ran out: refill and go on (when nothing more comes,
		 * the next round decodes what is left with the plain checks). */
		if (!more || (!refill(j, want) && j->p >= j->end))
			return ct_json_fail(j, err, "unterminated string");
	}
}

/* Windowed mode: a token scanned from p stopped at q, the end of the
 * window, so the input may continue it.  Refill to hold it and one more
 * byte (true: scan again), unless it cannot (false: the scan stands). */
static bool cut(struct ct_json *j, const char *q, bool *too_long)
{
	if (q < j->end || !can_refill(j))
		return false;
	size_t have = (size_t)(q - j->p);
	if (have + 1 > j->window_cap) {
		*too_long = true;
		return false;
	}
	refill(j, have + 1);
	return true;
}

const char *ct_json_scan_number(const char *p, const char *end, const char **q)
{
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9') {
		*q = p;
		return "expected a number";
	}
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9') {
			*q = p;
			return "malformed number";
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9') {
			*q = p;
			return "malformed number";
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	*q = p;
	return NULL;
}

int ct_json_number(struct ct_json *j, const char **s, size_t *len, struct ct_error *err)
{
	const char *q, *why;
	bool too_long = false;

	ws(j);
	do
		why = ct_json_scan_number(j->p, j->end, &q);
	while (cut(j, q, &too_long));
	if (too_long)
		return ct_json_fail(j, err, "number too long");
	if (why)
		return ct_json_fail(j, err, "%s", why);
	*s = j->p;
	*len = (size_t)(q - j->p);
	j->p = q;
	return 0;
}

int ct_json_double(struct ct_json *j, double *v, const char *what, struct ct_error *err)
{
	char small[64], *buf = small, *stop;
	const char *s, *dp;
	size_t n, dn, k = 0;
	double x;
	int rc;

	if (ct_json_peek(j) != CT_JSON_NUMBER)
		return ct_json_fail(j, err, "\"%s\" must be a number", what);
	if ((rc = ct_json_number(j, &s, &n, err)))
		return rc;
	/* The grammar is checked: strtod() only converts (correctly
	 * rounded), in whatever decimal point the C locale has. */
	dp = localeconv()->decimal_point;
	dn = strlen(dp);
	if (n + dn + 1 > sizeof(small) && !(buf = malloc(n + dn + 1)))
		return ct_error_nomem(err);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			memcpy(buf + k, dp, dn);
			k += dn;
		} else {
			buf[k++] = s[i];
		}
	}
	buf[k] = '\0';
	x = strtod(buf, &stop);
	rc = stop != buf + k || isinf(x) || isnan(x);
	if (buf != small)
		free(buf);
	if (rc) {
		j->p = s;   /* still in the window: report where the number starts */
		return ct_json_fail(j, err, "\"%s\" is too large for a double", what);
	}
	*v = x;
	return 0;
}

enum { U64_OK, U64_NEGATIVE, U64_NOT_INTEGER, U64_TOO_LARGE, U64_LEADING_ZERO };

/* The non-negative integer at p (before end): its value in *v and its end
 * in *q, or a U64_* complaint. */
static int scan_u64(const char *p, const char *end, const char **q, uint64_t *v)
{
	const char *d = p;
	uint64_t x = 0;

	*q = p;
	if (p < end && *p == '-')
		return U64_NEGATIVE;
	if (p >= end || *p < '0' || *p > '9')
		return U64_NOT_INTEGER;
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned c = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - c) / 10) {
			*q = p;
			return U64_TOO_LARGE;
		}
		x = x * 10 + c;
		p++;
	}
	*q = p;
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return U64_NOT_INTEGER;
	if (p - d > 1 && *d == '0')
		return U64_LEADING_ZERO;
	*v = x;
	return U64_OK;
}

int ct_json_u64(struct ct_json *j, uint64_t *v, const char *what, struct ct_error *err)
{
	static const char *const why[] = {
		[U64_NEGATIVE] = "must not be negative",
		[U64_NOT_INTEGER] = "must be an integer",
		[U64_TOO_LARGE] = "is too large for 64 bits",
		[U64_LEADING_ZERO] = "has a leading zero",
	};
	const char *q;
	bool too_long = false;
	int rc;

	ws(j);
	do
		rc = scan_u64(j->p, j->end, &q, v);
	while (cut(j, q, &too_long));
	if (too_long)
		return ct_json_fail(j, err, "\"%s\" is too long", what);
	if (rc)
		return ct_json_fail(j, err, "\"%s\" %s", what, why[rc]);
	j->p = q;
	return 0;
}

int ct_json_bool(struct ct_json *j, bool *v, const char *what, struct ct_error *err)
{
	ws(j);
	refill(j, 5);
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		j->p += 4;
		*v = true;
		return 0;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		j->p += 5;
		*v = false;
		return 0;
	}
	return ct_json_fail(j, err, "\"%s\" must be true or false", what);
}

static int literal(struct ct_json *j, const char *word, struct ct_error *err)
{
	size_t n = strlen(word);

	refill(j, n);
	if ((size_t)(j->end - j->p) >= n && memcmp(j->p, word, n) == 0) {
		j->p += n;
		return 0;
	}
	return ct_json_fail(j, err, "invalid literal (expected '%s')", word);
}

int ct_json_skip(struct ct_json *j, struct ct_error *err)
{
	enum { MAXDEPTH = 4096 };
	unsigned char stack[MAXDEPTH / 8] = {0}; /* bit set = object */
	unsigned depth = 0;
	const char *s;
	size_t n;
	int rc;
	char buf[16];

	for (;;) {
		/* One value. */
		switch (ct_json_peek(j)) {
		case CT_JSON_OBJECT:
		case CT_JSON_ARRAY: {
			bool obj = *j->p == '{';
			if (depth == MAXDEPTH)
				return ct_json_fail(j, err, "nesting deeper than %d", MAXDEPTH);
			j->p++;
			ws(j);
			if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
				j->p++;
				break;
			}
			if (obj)
				stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
			else
				stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
			depth++;
			if (obj) {
				if ((rc = ct_json_string(j, &s, &n, err)) ||
				    (rc = ct_json_expect(j, ':', err)))
					return rc;
			}
			continue;
		}
		case CT_JSON_STRING:
			if ((rc = ct_json_string(j, &s, &n, err)))
				return rc;
			break;
		case CT_JSON_NUMBER:
			if ((rc = ct_json_number(j, &s, &n, err)))
				return rc;
			break;
		case CT_JSON_TRUE:
			if ((rc = literal(j, "true", err)))
				return rc;
			break;
		case CT_JSON_FALSE:
			if ((rc = literal(j, "false", err)))
				return rc;
			break;
		case CT_JSON_NULL:
			if ((rc = literal(j, "null", err)))
				return rc;
			break;
		case CT_JSON_END:
			return ct_json_fail(j, err, "unexpected end of %s (truncated?)",
					    j->in ? "input" : "line");
		default:
			return ct_json_fail(j, err, "expected a value, found %s",
					    found(j, buf, sizeof(buf)));
		}
		/* After a value: close containers or move to the next member. */
		for (;;) {
			if (depth == 0)
				return 0;
			bool obj = stack[(depth - 1) / 8] & (1u << ((depth - 1) % 8));
			bool more;
			if ((rc = ct_json_next(j, obj ? '}' : ']', &more, err)))
				return rc;
			if (!more) {
				depth--;
				continue;
			}
			if (obj && ((rc = ct_json_string(j, &s, &n, err)) ||
				    (rc = ct_json_expect(j, ':', err))))
				return rc;
			break;
		}
	}
}

int ct_json_done(struct ct_json *j, struct ct_error *err)
{
	char buf[16];

	ws(j);
	if (j->p < j->end || j->rc)
		return ct_json_fail(j, err, "unexpected %s after the end of the value",
				    found(j, buf, sizeof(buf)));
	return 0;
}

/* The common case of ct_json_u64s(): with at least WINDOW_MIN bytes
 * ahead, a comma (but not before the first element), maybe after a
 * newline (node writes "\n," before each node or edge), and up to 19
 * digits.  False leaves everything else, and the errors, to the general
 * path. */
static inline bool fast_u64(struct ct_json *j, bool first, uint64_t *v)
{
	const char *p = j->p, *nl = NULL;

	if (!first) {
		if (*p == ',') {
			p++;
		} else if (p[0] == '\n' && p[1] == ',') {
			nl = p;
			p += 2;
		} else {
			return false;
		}
	}
	const char *d = p;
	uint64_t x = 0;
	unsigned c;
	while (p < d + 19 && (c = (unsigned char)*p - '0') <= 9) {
		x = x * 10 + c;
		p++;
	}
	if (p == d || (d[0] == '0' && p - d > 1) || (unsigned char)(*p - '0') <= 9 ||
	    *p == '.' || *p == 'e' || *p == 'E')
		return false;
	if (nl) {
		j->line++;
		j->line_start = j->base + (uint64_t)(nl - j->start) + 1;
	}
	j->p = p;
	*v = x;
	return true;
}

int ct_json_u64s(struct ct_json *j, uint64_t *v, size_t n, size_t *got, uint64_t *count,
		 const char *what, struct ct_error *err)
{
	size_t k = 0;
	int rc = 0;

	for (; k < n; k++, (*count)++) {
		if (j->end - j->p >= WINDOW_MIN && fast_u64(j, *count == 0, &v[k]))
			continue;
		bool more = true;
		if (*count == 0) {
			ws(j);
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				more = false;
			}
		} else if ((rc = ct_json_next(j, ']', &more, err))) {
			break;
		}
		if (!more || (rc = ct_json_u64(j, &v[k], what, err)))
			break;
	}
	*got = k;
	return rc;
}
