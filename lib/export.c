/* $ref JSON writer (export.h): an iterative depth-first walk that writes
 * as it goes and keeps 17 bytes per node to spell references later. */
#include "export.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "jsonw.h"
#include "present.h"
#include "strings.h"

/* ---- buffers ---- */

void ct_buf_init(struct ct_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void ct_buf_finish(struct ct_buf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int ct_buf_add(struct ct_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return CT_ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_addc(struct ct_buf *b, char c)
{
	return ct_buf_add(b, &c, 1);
}

static int buf_adds(struct ct_buf *b, const char *s)
{
	return ct_buf_add(b, s, strlen(s));
}

static int buf_addu(struct ct_buf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	return ct_buf_add(b, tmp, (size_t)n);
}

/* ---- UTF-8 ---- */

static int buf_utf8(struct ct_buf *b, unsigned cp)
{
	char o[4];
	size_t n;

	if (cp < 0x80) {
		o[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return ct_buf_add(b, o, n);
}

/* Append s, replacing each invalid UTF-8 byte with U+FFFD. */
static int buf_fixed(struct ct_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	unsigned cp;

	while (p < end) {
		const unsigned char *q = p;
		while (q < end && *q < 0x80)
			q++;
		if (q > p && ct_buf_add(b, (const char *)p, (size_t)(q - p)))
			return CT_ENOMEM;
		p = q;
		if (p == end)
			break;
		size_t k = ct_utf8_decode(p, end, &cp);
		if (k) {
			if (ct_buf_add(b, (const char *)p, k))
				return CT_ENOMEM;
			p += k;
		} else {
			if (ct_buf_add(b, "\xef\xbf\xbd", 3))
				return CT_ENOMEM;
			p++;
		}
	}
	return 0;
}

/* Append s as a JSON string literal (quotes included), escaped by the
 * one escaper (ct_json_escape()). */
static int buf_jstr(struct ct_buf *b, const char *s, size_t n)
{
	const char *end = n ? s + n : s;  /* s may be NULL when n is 0 */
	char tmp[512];
	int rc = buf_addc(b, '"');

	while (!rc && s < end) {
		size_t k = ct_json_escape(tmp, sizeof(tmp), &s, end);
		rc = ct_buf_add(b, tmp, k);
	}
	return rc ? rc : buf_addc(b, '"');
}

/* ---- Python str reprs ---- */

/* Characters Python's str.isprintable() rejects, as far as we can tell
 * without the Unicode database: a miss only makes a key fall back to its
 * escaped spelling (see quote_ok()), never a wrong key. */
static bool py_unprintable(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad || cp == 0x34f ||
	       cp == 0x61c || cp == 0x1680 || cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) ||
	       cp == 0x3000 || (cp >= 0xd800 && cp <= 0xf8ff) || cp == 0xfeff ||
	       (cp >= 0xfff0 && cp <= 0xfffb) || cp >= 0xe0000;
}

/* Append "[" + repr(s) + "]" for the str whose UTF-8 is s. */
static int py_quote(struct ct_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
	char q = sq && !dq ? '"' : '\'';
	unsigned cp;
	int rc = buf_addc(b, '[');

	rc = rc ? rc : buf_addc(b, q);
	while (!rc && p < end) {
		size_t k = ct_utf8_decode(p, end, &cp);
		if (!k) { /* not text: spell the byte, never matches a real repr */
			cp = 0xfffd;
			k = 1;
		}
		if (cp == (unsigned)q || cp == '\\') {
			char e[2] = {'\\', (char)cp};
			rc = ct_buf_add(b, e, 2);
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			rc = buf_adds(b, cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r");
		} else if (py_unprintable(cp)) {
			char e[10];
			int w = 0;
			if (cp <= 0xff)
				e[w++] = '\\', e[w++] = 'x';
			else if (cp <= 0xffff)
				e[w++] = '\\', e[w++] = 'u';
			else
				e[w++] = '\\', e[w++] = 'U';
			int digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
			for (int i = digits - 1; i >= 0; i--)
				e[w++] = hex[(cp >> (4 * i)) & 15];
			rc = ct_buf_add(b, e, (size_t)w);
		} else {
			rc = ct_buf_add(b, (const char *)p, k);
		}
		p += k;
	}
	rc = rc ? rc : buf_addc(b, q);
	return rc ? rc : buf_addc(b, ']');
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the label "['...']" (or ["..."]) into the str it names; *ok
 * says whether it is such a label.  Returns 0 or CT_ENOMEM. */
static int py_unquote(struct ct_buf *out, const char *l, size_t n, bool *ok)
{
	*ok = false;
	if (n < 4 || l[0] != '[' || l[n - 1] != ']' || (l[1] != '\'' && l[1] != '"') ||
	    l[n - 2] != l[1])
		return 0;
	char q = l[1];
	const char *p = l + 2, *end = l + n - 2;
	while (p < end) {
		if (*p == q)
			return 0;
		if (*p != '\\') {
			const char *s = p;
			while (p < end && *p != '\\' && *p != q)
				p++;
			if (ct_buf_add(out, s, (size_t)(p - s)))
				return CT_ENOMEM;
			continue;
		}
		if (end - p < 2)
			return 0;
		char e = p[1];
		p += 2;
		unsigned cp = 0;
		int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
		if (digits) {
			if (end - p < digits)
				return 0;
			for (int i = 0; i < digits; i++) {
				int h = hexval(p[i]);
				if (h < 0)
					return 0;
				cp = cp << 4 | (unsigned)h;
			}
			p += digits;
			if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
				return 0;
		} else {
			switch (e) {
			case '\\': cp = '\\'; break;
			case '\'': cp = '\''; break;
			case '"': cp = '"'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			default: return 0;
			}
		}
		if (buf_utf8(out, cp))
			return CT_ENOMEM;
	}
	*ok = true;
	return 0;
}

/* ---- keys ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int ct_export_key(struct ct_buf *out, const char *label, uint32_t dup, bool dict)
{
	size_t n = label ? strlen(label) : 0;
	int rc = 0;

	if (n && dup == 0) {
		if (!dict && label[0] == '.' && label[1] != '$' && label[1] != '@')
			return buf_fixed(out, label + 1, n - 1);
		if (dict && label[0] == '[') {
			struct ct_buf k, q;
			ct_buf_init(&k);
			ct_buf_init(&q);
			bool ok;
			rc = py_unquote(&k, label, n, &ok);
			if (!rc && ok && k.len && (k.p[0] == '$' || k.p[0] == '@'))
				ok = false;
			if (!rc && ok) {
				rc = py_quote(&q, k.p ? k.p : "", k.len);
				ok = !rc && q.len == n && memcmp(q.p, label, n) == 0;
			}
			if (!rc && ok)
				rc = ct_buf_add(out, k.p ? k.p : "", k.len);
			ct_buf_finish(&k);
			ct_buf_finish(&q);
			if (rc || ok)
				return rc;
		}
	}
	rc = buf_addc(out, '@');
	if (!rc && (n == 0 || dup || is_digit(label[0]))) {
		rc = buf_addu(out, dup);
		if (!rc && n)
			rc = buf_addc(out, '@');
	}
	return rc ? rc : buf_fixed(out, label, n);
}

int ct_export_label(struct ct_buf *out, const char *key, size_t n, bool dict)
{
	if (n && key[0] == '@') {
		size_t i = 1;
		while (i < n && is_digit(key[i]))
			i++;
		if (i == n && i > 1)
			return 0;                 /* "@3": no label */
		if (i > 1 && key[i] == '@')
			i++;                      /* "@3@label" */
		else
			i = 1;                    /* "@label" */
		return ct_buf_add(out, key + i, n - i);
	}
	if (dict)
		return py_quote(out, key, n);
	return buf_addc(out, '.') ? CT_ENOMEM : ct_buf_add(out, key, n);
}

/* ---- the walk ---- */

enum { K_NONE = 0, K_OBJECT, K_BARE, K_WRAPPED };

struct frame {
	uint32_t node, depth;
	size_t base, pos, end;  /* its (edge, dup) pairs in work.pairs */
	uint8_t kind;
	bool first;
};

struct work {
	FILE *out;
	struct frame *frames;
	size_t n_frames, frames_cap;
	uint32_t *pairs;        /* (edge, key number or index) per member, per open frame */
	size_t n_pairs, pairs_cap;
	uint64_t *sort;
	size_t sort_cap;
	uint32_t *chain;
	size_t chain_cap;
	size_t *koff;           /* unique_keys(): where each key starts in keys */
	size_t koff_cap;
	uint32_t *slot;         /* unique_keys(): hash table of member numbers */
	size_t slot_cap;
	struct ct_buf line, key, path, keys;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return CT_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

int ct_export_init(struct ct_export *x, const struct ct_graph *g,
		   const struct ct_export_opts *opts, struct ct_error *err)
{
	size_t n = g->n_nodes ? g->n_nodes : 1;

	memset(x, 0, sizeof(*x));
	x->g = g;
	if (opts)
		x->opts = *opts;
	else
		x->opts.depth = UINT32_MAX;
	x->seen = calloc(n, sizeof(*x->seen));
	x->parent = malloc(n * sizeof(*x->parent));
	x->edge = malloc(n * sizeof(*x->edge));
	x->dup = malloc(n * sizeof(*x->dup));
	x->kind = malloc(n);
	x->work = calloc(1, sizeof(struct work));
	if (!x->seen || !x->parent || !x->edge || !x->dup || !x->kind || !x->work) {
		ct_export_finish(x);
		return ct_error_nomem(err);
	}
	return 0;
}

void ct_export_finish(struct ct_export *x)
{
	if (!x)
		return;
	struct work *w = x->work;
	if (w) {
		free(w->frames);
		free(w->pairs);
		free(w->sort);
		free(w->chain);
		free(w->koff);
		free(w->slot);
		ct_buf_finish(&w->keys);
		ct_buf_finish(&w->line);
		ct_buf_finish(&w->key);
		ct_buf_finish(&w->path);
		free(w);
	}
	free(x->seen);
	free(x->parent);
	free(x->edge);
	free(x->dup);
	free(x->kind);
	free(x->visited);
	memset(x, 0, sizeof(*x));
}

static bool exported(const struct ct_graph *g, uint32_t e)
{
	return ct_edge_kind_is_strong(g->kind[e]);
}

static bool type_is(const struct ct_graph *g, uint32_t v, const char *name)
{
	return strcmp(ct_graph_str(g, g->type[v]), name) == 0;
}

static bool has_edges(const struct ct_graph *g, uint32_t v)
{
	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (exported(g, e))
			return true;
	return false;
}

/* ---- runtime objects ---- */

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Does v have an exported out-edge labelled with one of labels? */
static bool has_label(const struct ct_graph *g, uint32_t v, const char *const *labels)
{
	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (g->label[e] && in_list(ct_graph_str(g, g->label[e]), labels))
			return true;
	return false;
}

/* Python: the interpreter's own objects, by type name. */
static const char *const py_runtime_types[] = {
	"type", "module", "function", "code", "builtin_function_or_method",
	"method_descriptor", "classmethod_descriptor", "wrapper_descriptor",
	"method-wrapper", "getset_descriptor", "member_descriptor", "mappingproxy",
	/* metaclasses common enough to matter in dumps without labels (meliae) */
	"ABCMeta", "EnumMeta", "EnumType", "classobj", NULL,
};

/* Labels only a class (an instance of type or of any metaclass) has: the
 * dumper writes them from type's own descriptors. */
static const char *const py_class_labels[] = {".__mro__", ".__bases__", ".__base__", NULL};

static bool py_module_dict(const struct ct_graph *g, uint32_t v)
{
	/* Every module namespace has these three entries, whatever made it. */
	static const char *const name[] = {"['__name__']", NULL}, *const spec[] = {"['__spec__']", NULL},
			  *const loader[] = {"['__loader__']", NULL};
	return has_label(g, v, name) && has_label(g, v, spec) && has_label(g, v, loader);
}

/* V8: what DevTools shows as "(compiled code)" (code), "(system)" (hidden:
 * maps' internals, shared function infos, native contexts...), "(object
 * shape)" (maps), "(synthetic)" (the root and the GC root groups) and
 * "(closure)" (functions, as for Python: every constructor and method
 * leads to the built-in library through its prototype and context). */
static const char *const v8_runtime_types[] = {
	"(compiled code)", "(system)", "(object shape)", "(synthetic)", "(closure)", NULL,
};

bool ct_export_is_runtime(const struct ct_graph *g, uint32_t v)
{
	const char *f = g->format ? g->format : "", *t = ct_graph_str(g, g->type[v]);

	if (strcmp(f, "python") == 0 || strcmp(f, "meliae") == 0)
		return in_list(t, py_runtime_types) || has_label(g, v, py_class_labels) ||
		       (strcmp(t, "dict") == 0 && py_module_dict(g, v));
	if (strcmp(f, "v8") == 0)
		return in_list(t, v8_runtime_types);
	if (strcmp(f, "refjson") == 0)   /* what an export wrote with "$runtime" */
		return (g->flags[v] & CT_NODE_NATIVE) != 0;
	return false;
}

/* Is s a JSON number; *frac says whether it has a fraction or exponent. */
static bool json_number(const char *s, bool *frac)
{
	const char *p = s;

	*frac = false;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (is_digit(*p))
			p++;
	else
		return false;
	if (*p == '.') {
		*frac = true;
		if (!is_digit(*++p))
			return false;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		*frac = true;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
	}
	return *p == '\0';
}

/* Append v as a JSON scalar if it is one (see export.h): *written says
 * whether it was.  Returns 0 or CT_ENOMEM. */
static int scalar(const struct ct_graph *g, uint32_t v, struct ct_buf *b, bool *written)
{
	const char *t = ct_graph_str(g, g->type[v]);
	const char *val = ct_graph_str(g, ct_graph_value(g, v));
	const char *lit = NULL;
	bool frac;

	*written = false;

	switch (t[0]) {
	case 's':
		if (strcmp(t, "str"))
			return 0;
		break;
	case 'i':
		if (strcmp(t, "int") || !json_number(val, &frac) || frac)
			return 0;
		lit = val;
		break;
	case 'f':
		if (strcmp(t, "float") || !json_number(val, &frac) || !frac)
			return 0;
		lit = val;
		break;
	case 'b':
		if (strcmp(t, "bool"))
			return 0;
		lit = strcmp(val, "True") == 0 ? "true" : strcmp(val, "False") == 0 ? "false" : NULL;
		if (!lit)
			return 0;
		break;
	case 'N':
		if (strcmp(t, "NoneType") || strcmp(val, "None"))
			return 0;
		lit = "null";
		break;
	default:
		return 0;
	}
	if (has_edges(g, v))
		return 0;
	int rc = lit ? buf_adds(b, lit) : buf_jstr(b, val, strlen(val));
	*written = !rc;
	return rc;
}

/* Parse a canonical index label "[i]" with i < n. */
static bool index_label(const char *l, uint32_t n, uint32_t *idx)
{
	uint64_t v = 0;

	if (l[0] != '[' || !is_digit(l[1]) || (l[1] == '0' && l[2] != ']'))
		return false;
	const char *p = l + 1;
	while (is_digit(*p)) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= n)
			return false;
		p++;
	}
	if (p[0] != ']' || p[1] != '\0')
		return false;
	*idx = (uint32_t)v;
	return true;
}

static int out_flush(struct work *w)
{
	if (w->line.len && fwrite(w->line.p, 1, w->line.len, w->out) != w->line.len)
		return CT_EIO;
	w->line.len = 0;
	return 0;
}

static int meta_string(struct ct_buf *b, const char *name, const char *s)
{
	int rc = buf_adds(b, name);
	return rc ? rc : buf_jstr(b, s, strlen(s));
}

static int meta_address(struct ct_export *x, struct ct_buf *b, uint32_t v)
{
	char a[32];

	ct_present_id(x->g, v, a);
	return meta_string(b, ",\"$address\":", a);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Fill pr with (edge, key number) for the n exported edges of v, in edge
 * order: the key number of an edge is how many earlier edges of v carry
 * the same label (by string id). */
static int number_members(const struct ct_graph *g, struct work *w, uint32_t v, uint32_t *pr,
			  uint32_t n)
{
	uint32_t lo = g->out_off[v], hi = g->out_off[v + 1], i = 0;

	if (n <= 32) {
		for (uint32_t e = lo; e < hi; e++) {
			if (!exported(g, e))
				continue;
			uint32_t d = 0;
			for (uint32_t f = lo; f < e; f++)
				d += exported(g, f) && g->label[f] == g->label[e];
			pr[2 * i] = e, pr[2 * i + 1] = d;
			i++;
		}
		return 0;
	}
	/* Sort (label, edge), number each run of one label, sort back by edge. */
	if (grow((void **)&w->sort, &w->sort_cap, n, sizeof(uint64_t)))
		return CT_ENOMEM;
	for (uint32_t e = lo; e < hi; e++)
		if (exported(g, e))
			w->sort[i++] = (uint64_t)g->label[e] << 32 | e;
	qsort(w->sort, n, sizeof(uint64_t), cmp);
	uint32_t d = 0, prev = 0;
	for (i = 0; i < n; i++) {
		uint32_t label = (uint32_t)(w->sort[i] >> 32);
		d = i && label == prev ? d + 1 : 0;
		prev = label;
		w->sort[i] = (w->sort[i] & 0xffffffffu) << 32 | d;
	}
	qsort(w->sort, n, sizeof(uint64_t), cmp);
	for (i = 0; i < n; i++)
		pr[2 * i] = (uint32_t)(w->sort[i] >> 32), pr[2 * i + 1] = (uint32_t)w->sort[i];
	return 0;
}

/* Make the member names of v's n members (pr, from number_members())
 * unique: spell each key, and when a spelling was taken already (two
 * labels that differ only in invalid UTF-8, or the same text under two
 * string ids) give the member the next unused key number >= n, which no
 * other member of v was numbered with.  A renumbered key still decodes to
 * its label: ct_export_label() ignores the number. */
static int unique_keys(const struct ct_graph *g, struct work *w, uint32_t v, uint32_t *pr,
		       uint32_t n)
{
	if (n < 2)
		return 0;
	size_t slots = 4;
	while (slots < 2 * (size_t)n)
		slots *= 2;
	if (grow((void **)&w->koff, &w->koff_cap, (size_t)n + 1, sizeof(size_t)) ||
	    grow((void **)&w->slot, &w->slot_cap, slots, sizeof(uint32_t)))
		return CT_ENOMEM;
	for (size_t s = 0; s < slots; s++)
		w->slot[s] = CT_NONE;
	bool dict = type_is(g, v, "dict");
	uint32_t next = n;
	struct ct_buf *k = &w->keys;

	k->len = 0;
	if (ct_buf_add(k, "", 0))  /* k->p is never NULL below, even for "" keys */
		return CT_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const char *label = ct_graph_str(g, g->label[pr[2 * i]]);
		for (;;) {
			size_t at = k->len;
			if (ct_export_key(k, label, pr[2 * i + 1], dict))
				return CT_ENOMEM;
			size_t len = k->len - at;
			size_t s = (size_t)ct_hash_keyed_bytes(k->p + at, len) & (slots - 1);
			bool taken = false;
			for (; w->slot[s] != CT_NONE; s = (s + 1) & (slots - 1)) {
				uint32_t j = w->slot[s];
				size_t jl = w->koff[j + 1] - w->koff[j];
				if (jl == len && memcmp(k->p + w->koff[j], k->p + at, len) == 0) {
					taken = true;
					break;
				}
			}
			if (!taken) {
				w->slot[s] = i;
				w->koff[i] = at;
				w->koff[i + 1] = k->len;
				break;
			}
			k->len = at;
			if (next == UINT32_MAX)
				return CT_ENOMEM;   /* cannot happen: fewer than 2^32 keys */
			pr[2 * i + 1] = next++;
		}
	}
	return 0;
}

/* Open node v (a container met for the first time): decide its kind,
 * push its members and write its opening. */
static int open_node(struct ct_export *x, struct work *w, uint32_t v, uint32_t depth)
{
	const struct ct_graph *g = x->g;
	uint32_t lo = g->out_off[v], hi = g->out_off[v + 1], n = 0;
	int rc;

	for (uint32_t e = lo; e < hi; e++)
		n += exported(g, e);
	size_t base = w->n_pairs;
	if (grow((void **)&w->pairs, &w->pairs_cap, base + 2 * (size_t)n, sizeof(uint32_t)) ||
	    grow((void **)&w->frames, &w->frames_cap, w->n_frames + 1, sizeof(struct frame)))
		return CT_ENOMEM;
	uint32_t *pr = w->pairs ? w->pairs + base : NULL;  /* NULL: no pairs yet, n is 0 */

	/* An array when the labels are exactly [0] .. [n-1]. */
	bool array = n > 0 || type_is(g, v, "list");
	for (uint32_t i = 0; array && i < n; i++)
		pr[2 * i] = CT_NONE;
	for (uint32_t e = lo; array && e < hi; e++) {
		uint32_t i;
		if (!exported(g, e))
			continue;
		if (!index_label(ct_graph_str(g, g->label[e]), n, &i) || pr[2 * i] != CT_NONE)
			array = false;
		else
			pr[2 * i] = e, pr[2 * i + 1] = i;
	}
	uint8_t kind = K_OBJECT;
	if (array)
		kind = type_is(g, v, "list") && !x->opts.address && x->opts.style != CT_REF_ID &&
		       !ct_graph_value(g, v) ? K_BARE : K_WRAPPED;
	else if ((rc = number_members(g, w, v, pr, n)) || (rc = unique_keys(g, w, v, pr, n)))
		return rc;
	w->n_pairs = base + 2 * (size_t)n;
	w->frames[w->n_frames++] = (struct frame){
		.node = v, .depth = depth, .base = base, .pos = base, .end = base + 2 * (size_t)n,
		.kind = kind, .first = kind == K_BARE || kind == K_WRAPPED};

	x->kind[v] = kind;
	struct ct_buf *b = &w->line;
	if (kind == K_BARE)
		return buf_addc(b, '[');
	rc = buf_addc(b, '{');
	if (!rc && x->opts.style == CT_REF_ID) {
		rc = buf_adds(b, "\"$id\":\"");
		rc = rc ? rc : buf_addu(b, x->seen[v]);
		rc = rc ? rc : buf_adds(b, "\",");
	}
	rc = rc ? rc : meta_string(b, "\"$type\":", ct_graph_str(g, g->type[v]));
	if (!rc && x->opts.address)
		rc = meta_address(x, b, v);
	uint32_t value = ct_graph_value(g, v);
	if (!rc && value)
		rc = meta_string(b, ",\"$value\":", ct_graph_str(g, value));
	if (!rc && kind == K_WRAPPED)
		rc = buf_adds(b, ",\"$values\":[");
	return rc;
}

/* Write v, a runtime object the walk does not enter, as an object
 * without members: {"$id", "$runtime": true, "$type", "$address", "$value"}. */
static int runtime_leaf(struct ct_export *x, struct work *w, uint32_t v)
{
	const struct ct_graph *g = x->g;
	struct ct_buf *b = &w->line;
	int rc = buf_addc(b, '{');

	x->kind[v] = K_OBJECT;
	if (!rc && x->opts.style == CT_REF_ID) {
		rc = buf_adds(b, "\"$id\":\"");
		rc = rc ? rc : buf_addu(b, x->seen[v]);
		rc = rc ? rc : buf_adds(b, "\",");
	}
	rc = rc ? rc : meta_string(b, "\"$runtime\":true,\"$type\":", ct_graph_str(g, g->type[v]));
	if (!rc && x->opts.address)
		rc = meta_address(x, b, v);
	uint32_t value = ct_graph_value(g, v);
	if (!rc && value)
		rc = meta_string(b, ",\"$value\":", ct_graph_str(g, value));
	return rc ? rc : buf_addc(b, '}');
}

/* Append the JSON Pointer spelling of key (~0, ~1, then percent-encoding
 * of every byte outside RFC 3986's fragment characters). */
static int pointer_token(struct ct_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '~')
			rc = buf_adds(b, "~0");
		else if (c == '/')
			rc = buf_adds(b, "~1");
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 strchr("-._!$&'()*+,;=:@?", c))
			rc = buf_addc(b, (char)c);
		else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			rc = ct_buf_add(b, e, 3);
		}
	}
	return rc;
}

/* The reference to v (already written) in w->path. */
static int make_ref(struct ct_export *x, struct work *w, uint32_t v)
{
	const struct ct_graph *g = x->g;
	struct ct_buf *p = &w->path;
	size_t depth = 0;
	int rc;

	p->len = 0;
	if (x->opts.style == CT_REF_ID)
		return buf_addu(p, x->seen[v]);
	for (uint32_t u = v; x->parent[u] != CT_NONE; u = x->parent[u]) {
		if (grow((void **)&w->chain, &w->chain_cap, depth + 1, sizeof(uint32_t)))
			return CT_ENOMEM;
		w->chain[depth++] = u;
	}
	bool ptr = x->opts.style == CT_REF_POINTER;
	rc = buf_addc(p, ptr ? '#' : '$');
	while (!rc && depth--) {
		uint32_t u = w->chain[depth], par = x->parent[u];
		if (x->kind[par] == K_OBJECT) {
			w->key.len = 0;
			rc = ct_export_key(&w->key, ct_graph_str(g, g->label[x->edge[u]]), x->dup[u],
					   type_is(g, par, "dict"));
			if (rc)
				break;
			if (ptr) {
				rc = buf_addc(p, '/');
				rc = rc ? rc : pointer_token(p, w->key.p, w->key.len);
			} else {
				rc = buf_addc(p, '[');
				rc = rc ? rc : buf_jstr(p, w->key.p, w->key.len);
				rc = rc ? rc : buf_addc(p, ']');
			}
			continue;
		}
		if (x->kind[par] == K_WRAPPED)
			rc = buf_adds(p, ptr ? "/$values" : "[\"$values\"]");
		rc = rc ? rc : buf_adds(p, ptr ? "/" : "[");
		rc = rc ? rc : buf_addu(p, x->dup[u]);
		if (!rc && !ptr)
			rc = buf_addc(p, ']');
	}
	return rc;
}

/* Meet v through edge e of parent (CT_NONE for the root) with key number
 * or index dup, at depth: write a scalar, a reference, a cut marker, or
 * open it. */
static int meet(struct ct_export *x, struct work *w, uint32_t v, uint32_t parent, uint32_t e,
		uint32_t dup, uint32_t depth)
{
	const struct ct_graph *g = x->g;
	struct ct_buf *b = &w->line;
	bool written;
	int rc = scalar(g, v, b, &written);

	if (rc || written)
		return rc;
	if (x->seen[v]) {
		if ((rc = make_ref(x, w, v)))
			return rc;
		rc = buf_adds(b, "{\"$ref\":");
		rc = rc ? rc : buf_jstr(b, w->path.p, w->path.len);
		return rc ? rc : buf_addc(b, '}');
	}
	bool runtime = parent != CT_NONE && !x->opts.follow_runtime && ct_export_is_runtime(g, v);
	if (!runtime && depth > x->opts.depth) {
		rc = meta_string(b, "{\"$cut\":true,\"$type\":", ct_graph_str(g, g->type[v]));
		if (!rc && x->opts.address)
			rc = meta_address(x, b, v);
		return rc ? rc : buf_addc(b, '}');
	}
	if (x->n_visited == x->visited_cap) {
		uint32_t cap = x->visited_cap ? x->visited_cap * 2 : 1024;
		uint32_t *p = realloc(x->visited, cap * sizeof(*p));
		if (!p)
			return CT_ENOMEM;
		x->visited = p;
		x->visited_cap = cap;
	}
	x->visited[x->n_visited++] = v;
	x->seen[v] = x->n_visited;
	x->parent[v] = parent;
	x->edge[v] = e;
	x->dup[v] = dup;
	return runtime ? runtime_leaf(x, w, v) : open_node(x, w, v, depth);
}

int ct_export_write(struct ct_export *x, FILE *out, uint32_t root, struct ct_error *err)
{
	const struct ct_graph *g = x->g;
	struct work *w = x->work;
	int rc;

	if (root >= g->n_nodes)
		return ct_error_set(err, CT_EUSAGE, "no node %" PRIu32 " in the graph", root);
	for (uint32_t i = 0; i < x->n_visited; i++)
		x->seen[x->visited[i]] = 0;
	x->n_visited = 0;
	w->out = out;
	w->n_frames = w->n_pairs = 0;
	w->line.len = 0;

	rc = meet(x, w, root, CT_NONE, CT_NONE, 0, 0);
	while (!rc && w->n_frames) {
		struct frame *f = &w->frames[w->n_frames - 1];
		struct ct_buf *b = &w->line;
		if (f->pos == f->end) {
			rc = buf_adds(b, f->kind == K_OBJECT ? "}" : f->kind == K_BARE ? "]" : "]}");
			w->n_pairs = f->base;
			w->n_frames--;
			if (!rc && b->len >= 1 << 16)
				rc = out_flush(w);
			continue;
		}
		uint32_t e = w->pairs[f->pos], d = w->pairs[f->pos + 1];
		f->pos += 2;
		if (!f->first)
			rc = buf_addc(b, ',');
		f->first = false;
		if (!rc && f->kind == K_OBJECT) {
			w->key.len = 0;
			rc = ct_export_key(&w->key, ct_graph_str(g, g->label[e]), d,
					   type_is(g, f->node, "dict"));
			rc = rc ? rc : buf_jstr(b, w->key.p, w->key.len);
			rc = rc ? rc : buf_addc(b, ':');
		}
		uint32_t parent = f->node, depth = f->depth + 1;
		/* meet() may push a frame and move w->frames: f is not used after. */
		rc = rc ? rc : meet(x, w, g->dst[e], parent, e, d, depth);
		if (!rc && b->len >= 1 << 16)
			rc = out_flush(w);
	}
	rc = rc ? rc : buf_addc(&w->line, '\n');
	rc = rc ? rc : out_flush(w);
	if (rc == CT_EIO || ferror(out))
		return ct_error_set(err, CT_EIO, "cannot write the document");
	if (rc)
		return ct_error_nomem(err);
	return 0;
}
