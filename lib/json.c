#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void ct_json_init(struct ct_json *j)
{
	memset(j, 0, sizeof(*j));
}

void ct_json_finish(struct ct_json *j)
{
	if (!j)
		return;
	free(j->scratch);
	memset(j, 0, sizeof(*j));
}

void ct_json_reset(struct ct_json *j, const char *p, size_t n, uint64_t line)
{
	j->start = j->p = p;
	j->end = p + n;
	j->line = line;
}

int ct_json_fail(struct ct_json *j, struct ct_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -CT_EINPUT;
	err->code = CT_EINPUT;
	err->line = j->line;
	err->column = ct_json_column(j);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -CT_EINPUT;
}

static void ws(struct ct_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* A printable description of the byte at the current position. */
static const char *found(const struct ct_json *j, char *buf, size_t n)
{
	if (j->p >= j->end)
		return "end of line";
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

int ct_json_next(struct ct_json *j, char close, struct ct_error *err)
{
	char buf[16];

	ws(j);
	if (j->p < j->end) {
		if (*j->p == ',') {
			j->p++;
			return 1;
		}
		if (*j->p == close) {
			j->p++;
			return 0;
		}
	}
	return ct_json_fail(j, err, "expected ',' or '%c', found %s", close,
			    found(j, buf, sizeof(buf)));
}

int ct_json_begin(struct ct_json *j, char open, char close, struct ct_error *err)
{
	int rc = ct_json_expect(j, open, err);

	if (rc)
		return rc;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	return 1;
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

int ct_json_string(struct ct_json *j, const char **s, size_t *len, struct ct_error *err)
{
	int rc = ct_json_expect(j, '"', err);
	if (rc)
		return rc;
	const char *q = j->p;
	/* Fast path: plain ASCII, no escapes. */
	while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
	       (unsigned char)*q < 0x80)
		q++;
	if (q < j->end && *q == '"') {
		*s = j->p;
		*len = (size_t)(q - j->p);
		j->p = q + 1;
		return 0;
	}
	/* Slow path: decode into scratch (never longer than the input). */
	size_t need = (size_t)(j->end - j->p) + 1;
	if (need > j->scratch_cap) {
		char *b = realloc(j->scratch, need);
		if (!b)
			return -ct_error_nomem(err);
		j->scratch = b;
		j->scratch_cap = need;
	}
	char *o = j->scratch;
	while (j->p < j->end) {
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
		if (j->end - j->p < 2)
			break;
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
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
				    hex4(j->p + 2, &lo) || lo < 0xdc00 || lo >= 0xe000) {
					j->p -= 6;
					return ct_json_fail(j, err, "unpaired UTF-16 surrogate");
				}
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				j->p -= 6;
				return ct_json_fail(j, err, "unpaired UTF-16 surrogate");
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
	return ct_json_fail(j, err, "unterminated string");
}

int ct_json_number(struct ct_json *j, const char **s, size_t *len, struct ct_error *err)
{
	ws(j);
	const char *q = j->p;
	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return ct_json_fail(j, err, "expected a number");
	if (*q == '0')
		q++;
	else
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	if (q < j->end && *q == '.') {
		q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return ct_json_fail(j, err, "malformed number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return ct_json_fail(j, err, "malformed number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	*s = j->p;
	*len = (size_t)(q - j->p);
	j->p = q;
	return 0;
}

int ct_json_u64(struct ct_json *j, uint64_t *v, const char *what, struct ct_error *err)
{
	ws(j);
	const char *q = j->p;
	uint64_t x = 0;

	if (q < j->end && *q == '-')
		return ct_json_fail(j, err, "\"%s\" must not be negative", what);
	if (q >= j->end || *q < '0' || *q > '9')
		return ct_json_fail(j, err, "\"%s\" must be an integer", what);
	while (q < j->end && *q >= '0' && *q <= '9') {
		unsigned d = (unsigned)(*q - '0');
		if (x > (UINT64_MAX - d) / 10)
			return ct_json_fail(j, err, "\"%s\" is too large for 64 bits", what);
		x = x * 10 + d;
		q++;
	}
	if (q < j->end && (*q == '.' || *q == 'e' || *q == 'E'))
		return ct_json_fail(j, err, "\"%s\" must be an integer", what);
	if (q - j->p > 1 && *j->p == '0')
		return ct_json_fail(j, err, "\"%s\" has a leading zero", what);
	j->p = q;
	*v = x;
	return 0;
}

int ct_json_bool(struct ct_json *j, bool *v, const char *what, struct ct_error *err)
{
	ws(j);
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
			return ct_json_fail(j, err, "unexpected end of line (truncated?)");
		default:
			return ct_json_fail(j, err, "expected a value, found %s",
					    found(j, buf, sizeof(buf)));
		}
		/* After a value: close containers or move to the next member. */
		for (;;) {
			if (depth == 0)
				return 0;
			bool obj = stack[(depth - 1) / 8] & (1u << ((depth - 1) % 8));
			rc = ct_json_next(j, obj ? '}' : ']', err);
			if (rc < 0)
				return rc;
			if (rc == 0) {
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
	if (j->p < j->end)
		return ct_json_fail(j, err, "unexpected %s after the end of the value",
				    found(j, buf, sizeof(buf)));
	return 0;
}
