/* The streaming JSON writer (jsonw.h). */
#include "jsonw.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "utf8.h"

void ct_jsonw_init(struct ct_jsonw *w, FILE *out)
{
	memset(w, 0, offsetof(struct ct_jsonw, buf));
	w->out = out;
}

static void flush(struct ct_jsonw *w)
{
	if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->out) != w->len)
		w->failed = true;
	w->len = 0;
}

static void put(struct ct_jsonw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof(w->buf)) {
		flush(w);
		if (n > sizeof(w->buf)) {
			if (!w->failed && fwrite(s, 1, n, w->out) != n)
				w->failed = true;
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* The inside of a string, escaped into the buffer. */
static void put_chars(struct ct_jsonw *w, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		if (sizeof(w->buf) - w->len < 8)
			flush(w);
		w->len += ct_json_escape(w->buf + w->len, sizeof(w->buf) - w->len, &s, end);
	}
}

/* Before a value: the comma between array elements. */
static void value_begins(struct ct_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	uint64_t bit = 1ULL << (w->depth - 1);
	if (w->has_items & bit)
		put(w, ",", 1);
	w->has_items |= bit;
	if (w->newline) {
		put(w, "\n", 1);
		w->newline = false;
	}
}

static void open_container(struct ct_jsonw *w, char c)
{
	value_begins(w);
	put(w, &c, 1);
	if (w->depth == CT_JSONW_DEPTH) {
		w->misused = true;
		return;
	}
	uint64_t bit = 1ULL << w->depth;
	w->depth++;
	w->has_items &= ~bit;
	if (c == '{')
		w->objects |= bit;
	else
		w->objects &= ~bit;
}

void ct_jsonw_object(struct ct_jsonw *w)
{
	open_container(w, '{');
}

void ct_jsonw_array(struct ct_jsonw *w)
{
	open_container(w, '[');
}

void ct_jsonw_end(struct ct_jsonw *w)
{
	if (w->depth == 0 || w->after_key) {
		w->misused = true;
		return;
	}
	w->newline = false;
	w->depth--;
	put(w, (w->objects >> w->depth) & 1 ? "}" : "]", 1);
}

void ct_jsonw_key(struct ct_jsonw *w, const char *key)
{
	if (w->depth == 0 || !((w->objects >> (w->depth - 1)) & 1) || w->after_key) {
		w->misused = true;
		return;
	}
	value_begins(w);
	put(w, "\"", 1);
	put_chars(w, key, strlen(key));
	put(w, "\":", 2);
	w->after_key = true;
}

size_t ct_json_escape(char *out, size_t cap, const char **s, const char *end)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)*s, *e = (const unsigned char *)end;
	size_t at = 0;

	/* Each step writes at most 6 bytes. */
	while (p < e && at + 6 <= cap) {
		unsigned c = *p, cp;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			out[at++] = (char)c;
			p++;
			continue;
		}
		if (c >= 0x80) {
			size_t k = ct_utf8_decode(p, e, &cp);
			if (!k) {
				memcpy(out + at, "\xef\xbf\xbd", 3);  /* U+FFFD */
				at += 3;
				p++;
			} else if (cp == 0x2028 || cp == 0x2029) {
				memcpy(out + at, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
				at += 6;
				p += k;
			} else {
				memcpy(out + at, p, k);
				at += k;
				p += k;
			}
			continue;
		}
		p++;
		out[at++] = '\\';
		switch (c) {
		case '"': out[at++] = '"'; break;
		case '\\': out[at++] = '\\'; break;
		case '\n': out[at++] = 'n'; break;
		case '\t': out[at++] = 't'; break;
		case '\r': out[at++] = 'r'; break;
		case '\b': out[at++] = 'b'; break;
		case '\f': out[at++] = 'f'; break;
		default:
			memcpy(out + at, "u00", 3);
			at += 3;
			out[at++] = hex[c >> 4];
			out[at++] = hex[c & 15];
		}
	}
	*s = (const char *)p;
	return at;
}

void ct_jsonw_string_n(struct ct_jsonw *w, const char *s, size_t n)
{
	value_begins(w);
	put(w, "\"", 1);
	put_chars(w, s, n);
	put(w, "\"", 1);
}

void ct_jsonw_string(struct ct_jsonw *w, const char *s)
{
	ct_jsonw_string_n(w, s, strlen(s));
}

static void number(struct ct_jsonw *w, uint64_t v, bool minus)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10));
	if (minus)
		*--p = '-';
	value_begins(w);
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void ct_jsonw_u64(struct ct_jsonw *w, uint64_t v)
{
	number(w, v, false);
}

void ct_jsonw_i64(struct ct_jsonw *w, int64_t v)
{
	number(w, v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, v < 0);
}

void ct_jsonw_bool(struct ct_jsonw *w, bool v)
{
	value_begins(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void ct_jsonw_null(struct ct_jsonw *w)
{
	value_begins(w);
	put(w, "null", 4);
}

void ct_jsonw_newline(struct ct_jsonw *w)
{
	if (w->depth == 0)
		put(w, "\n", 1);
	else
		w->newline = true;
}

int ct_jsonw_finish(struct ct_jsonw *w, struct ct_error *err)
{
	flush(w);
	if (w->failed || ferror(w->out))
		return ct_error_set(err, CT_EIO, "write error");
	if (w->misused || w->depth || w->after_key)
		return ct_error_set(err, CT_EUSAGE, "unbalanced JSON document");
	return 0;
}
