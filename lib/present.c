/* Presentation: ids, sizes, names and chains for every writer (present.h). */
#include "present.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void ct_present_addr(const struct ct_graph *g, uint64_t addr, char buf[CT_PRESENT_ID_MAX])
{
	if (g->numeric_ids)
		snprintf(buf, CT_PRESENT_ID_MAX, "@%" PRIu64, addr);
	else
		snprintf(buf, CT_PRESENT_ID_MAX, "0x%" PRIx64, addr);
}

void ct_present_id(const struct ct_graph *g, uint32_t v, char buf[CT_PRESENT_ID_MAX])
{
	ct_present_addr(g, ct_graph_addr(g, v), buf);
}

bool ct_present_parse_id(const char *s, uint64_t *id)
{
	unsigned base = 10;
	uint64_t x = 0;

	if (s[0] == '@') {
		s++;
	} else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*id = x;
	return true;
}

void ct_present_bytes(uint64_t b, char buf[CT_PRESENT_BYTES_MAX])
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

	if (b < 1024) {
		snprintf(buf, CT_PRESENT_BYTES_MAX, "%" PRIu64 " B", b);
		return;
	}
	double x = (double)b / 1024;
	int u = 0;
	while (x >= 1024 && u < 5) {
		x /= 1024;
		u++;
	}
	snprintf(buf, CT_PRESENT_BYTES_MAX, "%.1f %s", x, unit[u]);
}

const char *ct_present_name(const struct ct_graph *g, uint32_t v)
{
	uint32_t value = ct_graph_value(g, v);
	if (!value)
		return NULL;
	const char *name = ct_graph_str(g, value);
	return strcmp(name, ct_graph_str(g, g->type[v])) == 0 ? NULL : name;
}

const char *ct_present_reachability(enum ct_reach_mode m)
{
	return m == CT_REACH_REFCOUNT ? "refcount" : m == CT_REACH_ROOTS ? "roots" : "estimated";
}

const char *ct_present_estimated_note(enum ct_reach_mode m)
{
	return m == CT_REACH_INDEGREE ? " (estimated: the dump has no reference counts)" : "";
}

bool ct_present_quoted(const char *type)
{
	return !strcmp(type, "str") || !strcmp(type, "bytes") || !strcmp(type, "string") ||
	       !strcmp(type, "(string)") || !strcmp(type, "(concatenated string)") ||
	       !strcmp(type, "(sliced string)");
}

size_t ct_present_text(char *buf, size_t cap, const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t at = 0, used = 0;

	/* Room kept at the end for "…" (3 bytes) and the NUL. */
	while (p < end) {
		unsigned cp;
		size_t len = ct_utf8_decode(p, end, &cp);
		size_t out = len == 0 ? 3 : cp < 0x20 || cp == 0x7f ? 1 : len;
		if (used + (len ? len : 1) > max || at + out + 4 > cap)
			break;
		if (len == 0)
			memcpy(buf + at, "\xef\xbf\xbd", 3);
		else if (out == 1 && (cp < 0x20 || cp == 0x7f))
			buf[at] = '?';
		else
			memcpy(buf + at, p, len);
		at += out;
		used += len ? len : 1;
		p += len ? len : 1;
	}
	if (p < end) {
		memcpy(buf + at, "\xe2\x80\xa6", 3);
		at += 3;
	}
	buf[at] = '\0';
	return at;
}

void ct_present_put(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s), *run = p;
	size_t used = 0;

	while (p < end) {
		unsigned cp;
		size_t len = ct_utf8_decode(p, end, &cp), step = len ? len : 1;
		if (used + step > max)
			break;
		if (len > 1 || (len == 1 && cp >= 0x20 && cp != 0x7f)) {
			p += len;
			used += len;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), out);
		fputs(len ? "?" : "\xef\xbf\xbd", out);
		p += step;
		used += step;
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), out);
	if (p < end)
		fputs("\xe2\x80\xa6", out);
}

void ct_present_put_steps(FILE *out, const char *s, size_t max)
{
	static const char arrow[] = CT_PRESENT_ARROW;
	const size_t al = sizeof(arrow) - 1;
	size_t n = strlen(s);

	if (n <= max) {
		ct_present_put(out, s, SIZE_MAX);
		return;
	}
	/* The head: whole steps within a third of max, at most CHAIN_HEAD. */
	const char *head_end = s, *q = s;
	for (unsigned k = 0; k < CT_PRESENT_CHAIN_HEAD && (q = strstr(q, arrow)); k++) {
		if ((size_t)(q - s) > max / 3)
			break;
		head_end = q;
		q += al;
	}
	/* The tail: whole steps from the end while they fit. */
	size_t room = max - (size_t)(head_end - s);
	const char *tail = s + n;
	for (const char *t = s + n - al; t > head_end; t--) {
		if (memcmp(t, arrow, al) != 0)
			continue;
		if ((size_t)(s + n - (t + al)) > room)
			break;
		tail = t + al;
	}
	if (tail == s + n || head_end == s) {   /* no step boundary to cut at */
		ct_present_put(out, s, max);
		return;
	}
	char *h = strndup(s, (size_t)(head_end - s));
	if (!h) {
		ct_present_put(out, s, max);
		return;
	}
	ct_present_put(out, h, SIZE_MAX);
	free(h);
	fputs(CT_PRESENT_ARROW "\xe2\x80\xa6" CT_PRESENT_ARROW, out);
	ct_present_put(out, tail, SIZE_MAX);
}

static size_t text_at(char *buf, size_t cap, size_t at, const char *s, size_t max)
{
	if (at + 8 > cap)
		return at;
	return at + ct_present_text(buf + at, cap - at, s, strlen(s), max);
}

static size_t lit_at(char *buf, size_t cap, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (at + n + 1 > cap)
		return at;
	memcpy(buf + at, s, n + 1);
	return at + n;
}

void ct_present_node(const struct ct_graph *g, uint32_t v, char *buf, size_t cap)
{
	const char *type = ct_graph_str(g, g->type[v]), *name = ct_present_name(g, v);
	size_t at = 0;

	buf[0] = '\0';
	if (name && strcmp(type, "(synthetic)") == 0) {
		text_at(buf, cap, 0, name, CT_PRESENT_NAME_BYTES);
		return;
	}
	at = text_at(buf, cap, at, type, CT_PRESENT_NAME_BYTES);
	if (!name)
		return;
	bool quote = ct_present_quoted(type);
	at = lit_at(buf, cap, at, quote ? "('" : "(");
	at = text_at(buf, cap, at, name, CT_PRESENT_NAME_BYTES);
	lit_at(buf, cap, at, quote ? "')" : ")");
}

void ct_present_label(const struct ct_graph *g, uint32_t e, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (e != CT_NONE && ct_graph_label(g, e))
		text_at(buf, cap, 0, ct_graph_str(g, ct_graph_label(g, e)), CT_PRESENT_NAME_BYTES);
}

static void step(FILE *out, const struct ct_graph *g, uint32_t v, uint32_t e, bool arrow)
{
	char buf[CT_PRESENT_NODE_MAX];

	ct_present_node(g, v, buf, sizeof(buf));
	fputs(buf, out);
	if (!arrow)
		return;
	ct_present_label(g, e, buf, sizeof(buf));
	if (buf[0]) {
		fputc(' ', out);
		fputs(buf, out);
	}
	fputs(CT_PRESENT_ARROW, out);
}

void ct_present_chain(FILE *out, const struct ct_graph *g, const uint32_t *nodes,
		      const uint32_t *edges, uint32_t len, bool close)
{
	ct_present_chain_cut(out, g, nodes, edges, len, 0, close);
}

void ct_present_chain_cut(FILE *out, const struct ct_graph *g, const uint32_t *nodes,
			  const uint32_t *edges, uint32_t len, uint32_t omitted, bool close)
{
	uint32_t skip_from = len, skip_to = len;

	/* With omitted, the caller gives at least HEAD + TAIL nodes. */
	if (omitted || len > CT_PRESENT_CHAIN_STEPS) {
		skip_from = CT_PRESENT_CHAIN_HEAD;
		skip_to = len - CT_PRESENT_CHAIN_TAIL;
	}
	for (uint32_t i = 0; i < len; i++) {
		if (i == skip_from) {
			fprintf(out, "\xe2\x80\xa6 (%" PRIu64 " more)" CT_PRESENT_ARROW,
				(uint64_t)(skip_to - skip_from) + omitted);
			i = skip_to - 1;
			continue;
		}
		step(out, g, nodes[i], edges[i], i + 1 < len || close);
	}
	if (close && len) {
		char buf[CT_PRESENT_NODE_MAX];
		ct_present_text(buf, sizeof(buf), ct_graph_str(g, g->type[nodes[0]]),
				strlen(ct_graph_str(g, g->type[nodes[0]])), CT_PRESENT_NAME_BYTES);
		fputs(buf, out);
	}
}
