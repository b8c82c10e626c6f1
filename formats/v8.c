/* V8 heap snapshots (.heapsnapshot), as written by node's
 * v8.writeHeapSnapshot(), Chrome DevTools and memlab.
 *
 * A snapshot is one JSON document:
 *
 *   {"snapshot": {"meta": {"node_fields": [...], "node_types": [...],
 *                          "edge_fields": [...], "edge_types": [...], ...},
 *                 "node_count": N, "edge_count": M, ...},
 *    "nodes": [flat integers, node_fields.length per node],
 *    "edges": [flat integers, edge_fields.length per edge],
 *    ..., "strings": ["...", ...]}
 *
 * The layout of a node and of an edge is read from snapshot.meta, not
 * assumed.  A node's edges are the next edge_count entries of "edges";
 * an edge's to_node is an offset into "nodes" (node ordinal times the
 * number of node fields).  Names are indices into "strings", which node
 * writes last: while streaming, the graph under construction holds the
 * raw indices (node type index in type[], name index in value[], edge
 * type index in kind[], name_or_index in label[], edge count in
 * out_off[]) and resolve() turns them into the graph's own strings, kinds
 * and offsets at the end.  Only the strings some node or edge names are
 * kept.  Edges name their targets by node index (ct_builder_edge_index),
 * so no address map is built: node ids are not checked for duplicates.
 *
 * What the graph gets:
 *   addr   the node's "id" (what DevTools shows as @id)
 *   type   what DevTools shows as the constructor (HeapSnapshotNode
 *          className): the name for "object" and "native" nodes (e.g.
 *          "Foo", "Map"), "(system)" for "hidden", "(compiled code)" for
 *          "code", and "(TYPE)" otherwise: "(closure)", "(string)",
 *          "(array)", "(concatenated string)", "(object shape)", ...
 *   value  the node's name, cut to 100 bytes (a function's name, a
 *          string's text, a native's description)
 *   size   self_size
 *   flags  CT_NODE_ROOT on node 0 (the synthetic root, whose children are
 *          "(GC roots)" and the global objects); CT_NODE_WEAKREF on nodes
 *          with weak edges.  The graph says roots_given.
 *   edges  in snapshot order; labels "[i]" for element and hidden edges
 *          and ".name" for the others (property, context variable,
 *          internal, weak, shortcut); kinds: weak -> CT_EDGE_WEAK,
 *          shortcut -> CT_EDGE_SHORTCUT, internal and hidden ->
 *          CT_EDGE_INTERNAL, the rest (context, element, property and
 *          unknown types) -> CT_EDGE_STRONG.
 *
 * "snapshot" must come before "nodes", and "nodes" before "edges" (as
 * every writer does); "strings" and the other members may come anywhere.
 * The document is read in chunks through ct_input: memory is the graph's
 * plus a 1 MB window.  Errors name the line and column.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mem.h"
#include "loader.h"

#define WINDOW (1u << 20)   /* bytes read at a time */
#define VALUE_MAX 100       /* bytes of a name kept as the node's value */
#define DEPTH_MAX 4096      /* nesting allowed in skipped members */
#define INDEX_CACHE 4096    /* "[i]" labels remembered for i below this */

/* ---- a chunked JSON reader over ct_input ---- */

struct rd {
	struct ct_input *in;
	char *buf;
	size_t pos, len;      /* unread bytes are buf[pos..len) */
	uint64_t base;        /* input offset of buf[0] */
	uint64_t line;        /* line of buf[pos], 1-based */
	uint64_t line_start;  /* input offset where that line starts */
	bool eof;
	char *str;            /* the last string read, decoded (owned) */
	size_t str_len, str_cap;
	struct ct_error *err;
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(r->err->msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ct_error_at(r->err, CT_EINPUT, r->line, r->base + r->pos - r->line_start + 1,
			   "%s", msg);
}

/* Make at least need bytes available past pos, unless the input ends
 * first.  Returns 0 or an error code. */
static int refill(struct rd *r, size_t need)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->base += r->pos;
		r->len -= r->pos;
		r->pos = 0;
	}
	while (!r->eof && r->len < need) {
		long got = ct_input_read(r->in, r->buf + r->len, WINDOW - r->len, r->err);
		if (got < 0)
			return r->err ? r->err->code : CT_EINPUT;
		if (got == 0)
			r->eof = true;
		r->len += (size_t)got;
	}
	return 0;
}

/* Skip white space; returns the next byte (not consumed), -1 at the end
 * of input, or -2 on a read error. */
static int peek(struct rd *r)
{
	for (;;) {
		while (r->pos < r->len) {
			char c = r->buf[r->pos];
			if (c == '\n') {
				r->line++;
				r->line_start = r->base + r->pos + 1;
			} else if (c != ' ' && c != '\t' && c != '\r') {
				return (unsigned char)c;
			}
			r->pos++;
		}
		if (r->eof)
			return -1;
		if (refill(r, 1))
			return -2;
	}
}

static const char *describe(int c, char *buf, size_t n)
{
	if (c == -1)
		return "end of input";
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", (unsigned)c);
	return buf;
}

static int expect(struct rd *r, char want)
{
	char b[16];
	int c = peek(r);

	if (c == -2)
		return CT_EINPUT;
	if (c != (unsigned char)want)
		return fail(r, "expected '%c', found %s", want, describe(c, b, sizeof(b)));
	r->pos++;
	return 0;
}

/* Before each element or member: first says whether one was read yet.
 * Returns 1 if another follows (the ',' consumed), 0 if close followed
 * (consumed), or an error code < 0. */
static int next(struct rd *r, bool *first, char close)
{
	char b[16];
	int c = peek(r);

	if (c == -2)
		return -CT_EINPUT;
	if (c == (unsigned char)close) {
		r->pos++;
		return 0;
	}
	if (*first) {
		*first = false;
		return 1;
	}
	if (c == ',') {
		r->pos++;
		return 1;
	}
	return -fail(r, "expected ',' or '%c', found %s", close, describe(c, b, sizeof(b)));
}

static int str_put(struct rd *r, const char *p, size_t n)
{
	if (r->str_len + n + 1 > r->str_cap) {
		size_t cap = r->str_cap ? r->str_cap : 256;
		while (cap < r->str_len + n + 1)
			cap *= 2;
		char *s = realloc(r->str, cap);
		if (!s)
			return ct_error_nomem(r->err);
		r->str = s;
		r->str_cap = cap;
	}
	memcpy(r->str + r->str_len, p, n);
	r->str_len += n;
	return 0;
}

static int put_utf8(struct rd *r, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == 0)
		cp = 0xfffd;  /* strings are NUL-terminated once stored */
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return str_put(r, u, n);
}

/* Four hex digits after "\u" (pos at the first); -1 if malformed. */
static int32_t hex4(const char *p)
{
	int32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string (at the opening quote) into r->str / r->str_len, decoded and
 * NUL-terminated.  Lone UTF-16 surrogates (which JavaScript strings may
 * hold) become U+FFFD, as does \u0000. */
static int string(struct rd *r)
{
	int rc;

	if ((rc = expect(r, '"')))
		return rc;
	r->str_len = 0;
	for (;;) {
		/* Copy the run up to the next quote, backslash or control byte. */
		size_t i = r->pos;
		while (i < r->len) {
			unsigned char c = (unsigned char)r->buf[i];
			if (c == '"' || c == '\\' || c < 0x20)
				break;
			i++;
		}
		if ((rc = str_put(r, r->buf + r->pos, i - r->pos)))
			return rc;
		r->pos = i;
		if (i == r->len) {
			if (r->eof)
				return fail(r, "unterminated string");
			if ((rc = refill(r, 1)))
				return rc;
			continue;
		}
		char c = r->buf[i];
		if (c == '"') {
			r->pos++;
			r->str[r->str_len] = '\0';
			return 0;
		}
		if (c != '\\')
			return fail(r, "control character (byte 0x%02x) in a string", (unsigned)c);
		/* An escape: at most \uXXXX\uXXXX (12 bytes). */
		if (r->len - r->pos < 12 && !r->eof && (rc = refill(r, 12)))
			return rc;
		if (r->len - r->pos < 2)
			return fail(r, "unterminated string");
		const char *p = r->buf + r->pos;
		char out;
		switch (p[1]) {
		case '"': out = '"'; break;
		case '\\': out = '\\'; break;
		case '/': out = '/'; break;
		case 'b': out = '\b'; break;
		case 'f': out = '\f'; break;
		case 'n': out = '\n'; break;
		case 'r': out = '\r'; break;
		case 't': out = '\t'; break;
		case 'u': {
			int32_t u = r->len - r->pos >= 6 ? hex4(p + 2) : -1;
			if (u < 0)
				return fail(r, "bad \\u escape in a string");
			size_t used = 6;
			uint32_t cp = (uint32_t)u;
			if (u >= 0xd800 && u <= 0xdbff) {
				int32_t lo = r->len - r->pos >= 12 && p[6] == '\\' && p[7] == 'u'
					? hex4(p + 8) : -1;
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
					used = 12;
				} else {
					cp = 0xfffd;
				}
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				cp = 0xfffd;
			}
			if ((rc = put_utf8(r, cp)))
				return rc;
			r->pos += used;
			continue;
		}
		default:
			r->pos++;
			return fail(r, "bad escape in a string");
		}
		if ((rc = str_put(r, &out, 1)))
			return rc;
		r->pos += 2;
	}
}

/* A non-negative integer that fits in 64 bits.  what names it in errors. */
static int number(struct rd *r, uint64_t *v, const char *what)
{
	int c = peek(r), rc;

	if (c == -2)
		return CT_EINPUT;
	if (r->len - r->pos < 24 && !r->eof && (rc = refill(r, 24)))
		return rc;
	const char *p = r->buf + r->pos, *end = r->buf + r->len;
	if (p == end || *p < '0' || *p > '9') {
		char b[16];
		if (p < end && *p == '-')
			return fail(r, "%s must not be negative", what);
		return fail(r, "expected a number (%s), found %s", what,
			    describe(p < end ? (unsigned char)*p : -1, b, sizeof(b)));
	}
	uint64_t x = 0;
	const char *s = p;
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return fail(r, "%s is too large", what);
		x = x * 10 + d;
		p++;
	}
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail(r, "%s must be an integer", what);
	if (*s == '0' && p - s > 1)
		return fail(r, "%s has a leading zero", what);
	r->pos = (size_t)(p - r->buf);
	*v = x;
	return 0;
}

/* The next integer of a flat array of integers ("nodes", "edges"):
 * returns 1 with *v set, 0 at the closing ']' (consumed), or an error
 * code < 0.  The common case (a comma, maybe after a newline, and up to
 * 19 digits) is parsed in place; anything else, and the end of the
 * window, takes the general path, which also makes the error messages. */
static int array_number(struct rd *r, bool *first, uint64_t *v, const char *what)
{
	if (r->len - r->pos >= 64) {
		const char *b = r->buf, *p = b + r->pos, *nl = NULL;
		if (!*first) {
			/* node writes ",N" and, before each node or edge, "\n,N". */
			if (*p == ',') {
				p++;
			} else if (p[0] == '\n' && p[1] == ',') {
				nl = p;
				p += 2;
			} else {
				goto general;
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
			goto general;
		r->pos = (size_t)(p - b);
		if (nl) {
			r->line++;
			r->line_start = r->base + (uint64_t)(nl - b) + 1;
		}
		*first = false;
		*v = x;
		return 1;
	}
general:;
	int rc = next(r, first, ']');
	if (rc != 1)
		return rc;
	rc = number(r, v, what);
	return rc ? -rc : 1;
}

static bool scalar_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '+' || c == '.';
}

/* Skip one value of any kind.  Strings are checked (escapes), the rest
 * only for balanced brackets: skipped members are not ours to judge. */
static int skip(struct rd *r)
{
	int depth = 0, rc;
	char b[16];

	for (;;) {
		int c = peek(r);
		if (c == -2)
			return CT_EINPUT;
		if (c == -1)
			return fail(r, "unexpected end of input");
		if (c == '"') {
			if ((rc = string(r)))
				return rc;
		} else if (c == '[' || c == '{') {
			if (++depth > DEPTH_MAX)
				return fail(r, "nesting too deep");
			r->pos++;
			continue;
		} else if (c == ']' || c == '}') {
			if (depth == 0)
				return fail(r, "expected a value, found %s", describe(c, b, sizeof(b)));
			depth--;
			r->pos++;
		} else if (depth && (c == ',' || c == ':')) {
			r->pos++;
			continue;
		} else if (scalar_byte((char)c)) {
			for (;;) {
				while (r->pos < r->len && scalar_byte(r->buf[r->pos]))
					r->pos++;
				if (r->pos < r->len || r->eof)
					break;
				if ((rc = refill(r, 1)))
					return rc;
			}
		} else {
			return fail(r, "expected a value, found %s", describe(c, b, sizeof(b)));
		}
		if (depth == 0)
			return 0;
	}
}

/* ---- the snapshot ---- */

enum ntype { N_OTHER, N_OBJECT, N_NATIVE, N_HIDDEN, N_CODE };
enum etype { E_OTHER, E_CONTEXT, E_ELEMENT, E_PROPERTY, E_INTERNAL, E_HIDDEN, E_SHORTCUT, E_WEAK };

/* Roles of a string, for keeping only the strings something names. */
enum { NEED_TYPE = 1, NEED_VALUE = 2, NEED_LABEL = 4 };

#define MAX_FIELDS 64
#define MAX_TYPES 256

struct snap {
	struct rd r;
	struct ct_builder *b;
	/* meta */
	bool have_meta;
	uint32_t nf, ef;                      /* fields per node and per edge */
	int n_type, n_name, n_id, n_size, n_edges;
	int e_type, e_name, e_to;
	uint32_t n_ntypes, n_etypes;
	uint8_t ntype[MAX_TYPES];             /* enum ntype per node type index */
	uint32_t ntype_class[MAX_TYPES];      /* type string for non-object node types */
	uint8_t etype[MAX_TYPES];             /* enum etype per edge type index */
	uint64_t node_count, edge_count;
	bool have_node_count, have_edge_count;
	/* sections */
	bool have_nodes, have_edges, have_strings;
	uint64_t edges_declared;              /* sum of the nodes' edge counts */
	uint64_t edges_line, edges_col;       /* where "edges" starts */
	/* strings */
	uint8_t *need;                        /* per string index: NEED_* */
	uint32_t need_len, need_cap;
	uint32_t *type_id, *value_id, *label_id; /* per string index, when needed */
	uint32_t n_strings;
	bool strings_early;                   /* read before nodes and edges: all kept */
	uint32_t *early;                      /* then: per index, an id in b's arena */
	uint32_t early_cap;
	uint64_t strings_line, strings_col;
	uint32_t index_label[INDEX_CACHE];    /* "[i]" ids, 0 = not yet */
	char *tmp;                            /* scratch for ".name" labels */
	size_t tmp_cap;
};

static bool is(const struct rd *r, const char *key)
{
	return strlen(key) == r->str_len && memcmp(r->str, key, r->str_len) == 0;
}

/* An array of strings; each is handed to fn(s, i, ctx). */
static int string_array(struct snap *s, int (*fn)(struct snap *, uint32_t, void *), void *ctx)
{
	struct rd *r = &s->r;
	bool first = true;
	uint32_t i = 0;
	int rc;

	if ((rc = expect(r, '[')))
		return rc;
	while ((rc = next(r, &first, ']')) == 1) {
		if (peek(r) != '"')
			return fail(r, "expected a string");
		if ((rc = string(r)) || (rc = fn(s, i, ctx)))
			return rc;
		i++;
	}
	return rc < 0 ? -rc : 0;
}

struct fields {
	char names[MAX_FIELDS][24];
	uint32_t n;
};

static int add_field(struct snap *s, uint32_t i, void *ctx)
{
	struct fields *f = ctx;

	if (i >= MAX_FIELDS)
		return fail(&s->r, "too many fields (limit %d)", MAX_FIELDS);
	size_t n = s->r.str_len < sizeof(f->names[0]) - 1 ? s->r.str_len : sizeof(f->names[0]) - 1;
	memcpy(f->names[i], s->r.str, n);
	f->names[i][n] = '\0';
	f->n = i + 1;
	return 0;
}

static int find_field(const struct fields *f, const char *name)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return (int)i;
	return -1;
}

static int add_ntype(struct snap *s, uint32_t i, void *ctx)
{
	struct rd *r = &s->r;
	char name[80];
	(void)ctx;

	if (i >= MAX_TYPES)
		return fail(r, "too many node types (limit %d)", MAX_TYPES);
	s->ntype[i] = is(r, "object") ? N_OBJECT : is(r, "native") ? N_NATIVE
		: is(r, "hidden") ? N_HIDDEN : is(r, "code") ? N_CODE : N_OTHER;
	if (s->ntype[i] == N_HIDDEN)
		snprintf(name, sizeof(name), "(system)");
	else if (s->ntype[i] == N_CODE)
		snprintf(name, sizeof(name), "(compiled code)");
	else
		snprintf(name, sizeof(name), "(%.*s)", (int)(r->str_len < 64 ? r->str_len : 64), r->str);
	s->ntype_class[i] = ct_builder_intern(s->b, name, strlen(name));
	if (s->ntype_class[i] == CT_NONE)
		return ct_error_nomem(r->err);
	s->n_ntypes = i + 1;
	return 0;
}

static int add_etype(struct snap *s, uint32_t i, void *ctx)
{
	struct rd *r = &s->r;
	(void)ctx;

	if (i >= MAX_TYPES)
		return fail(r, "too many edge types (limit %d)", MAX_TYPES);
	s->etype[i] = is(r, "context") ? E_CONTEXT : is(r, "element") ? E_ELEMENT
		: is(r, "property") ? E_PROPERTY : is(r, "internal") ? E_INTERNAL
		: is(r, "hidden") ? E_HIDDEN : is(r, "shortcut") ? E_SHORTCUT
		: is(r, "weak") ? E_WEAK : E_OTHER;
	s->n_etypes = i + 1;
	return 0;
}

static int ignore_string(struct snap *s, uint32_t i, void *ctx)
{
	(void)s, (void)i, (void)ctx;
	return 0;
}

/* node_types / edge_types: one entry per field; the entry at the "type"
 * field is the array of type names, the others are strings. */
static int types(struct snap *s, int type_field, int (*add)(struct snap *, uint32_t, void *),
		 bool *found)
{
	struct rd *r = &s->r;
	bool first = true;
	int rc, i = 0;

	if ((rc = expect(r, '[')))
		return rc;
	while ((rc = next(r, &first, ']')) == 1) {
		int c = peek(r);
		if (i == type_field) {
			if (c != '[')
				return fail(r, "the type field's entry must be an array of names");
			if ((rc = string_array(s, add, NULL)))
				return rc;
			*found = true;
		} else if (c == '[') {
			if ((rc = string_array(s, ignore_string, NULL)))
				return rc;
		} else if ((rc = skip(r))) {
			return rc;
		}
		i++;
	}
	return rc < 0 ? -rc : 0;
}

static int meta(struct snap *s)
{
	struct rd *r = &s->r;
	struct fields nf = {0}, ef = {0};
	bool first = true, ntypes = false, etypes = false, have_nf = false, have_ef = false;
	int rc;

	/* The type names are found by the position of the "type" field, so
	 * node_fields must precede node_types (and edge_fields edge_types),
	 * as in every writer. */
	if ((rc = expect(r, '{')))
		return rc;
	while ((rc = next(r, &first, '}')) == 1) {
		if (peek(r) != '"')
			return fail(r, "expected a member name");
		if ((rc = string(r)) || (rc = expect(r, ':')))
			return rc;
		if (is(r, "node_fields")) {
			rc = string_array(s, add_field, &nf);
			have_nf = true;
		} else if (is(r, "edge_fields")) {
			rc = string_array(s, add_field, &ef);
			have_ef = true;
		} else if (is(r, "node_types")) {
			if (!have_nf)
				return fail(r, "\"node_types\" before \"node_fields\"");
			rc = types(s, find_field(&nf, "type"), add_ntype, &ntypes);
		} else if (is(r, "edge_types")) {
			if (!have_ef)
				return fail(r, "\"edge_types\" before \"edge_fields\"");
			rc = types(s, find_field(&ef, "type"), add_etype, &etypes);
		} else {
			rc = skip(r);
		}
		if (rc)
			return rc;
	}
	if (rc)
		return -rc;
	static const char *const nneed[] = {"type", "name", "id", "self_size", "edge_count"};
	static const char *const eneed[] = {"type", "name_or_index", "to_node"};
	int *npos[] = {&s->n_type, &s->n_name, &s->n_id, &s->n_size, &s->n_edges};
	int *epos[] = {&s->e_type, &s->e_name, &s->e_to};
	if (!have_nf || !have_ef)
		return fail(r, "snapshot.meta has no \"%s\"", have_nf ? "edge_fields" : "node_fields");
	for (size_t i = 0; i < 5; i++)
		if ((*npos[i] = find_field(&nf, nneed[i])) < 0)
			return fail(r, "snapshot.meta.node_fields has no \"%s\"", nneed[i]);
	for (size_t i = 0; i < 3; i++)
		if ((*epos[i] = find_field(&ef, eneed[i])) < 0)
			return fail(r, "snapshot.meta.edge_fields has no \"%s\"", eneed[i]);
	if (!ntypes || !etypes)
		return fail(r, "snapshot.meta has no %s type names", ntypes ? "edge" : "node");
	s->nf = nf.n;
	s->ef = ef.n;
	s->have_meta = true;
	return 0;
}

static int snapshot(struct snap *s)
{
	struct rd *r = &s->r;
	bool first = true;
	int rc;

	if ((rc = expect(r, '{')))
		return rc;
	while ((rc = next(r, &first, '}')) == 1) {
		if (peek(r) != '"')
			return fail(r, "expected a member name");
		if ((rc = string(r)) || (rc = expect(r, ':')))
			return rc;
		if (is(r, "meta")) {
			rc = meta(s);
		} else if (is(r, "node_count")) {
			rc = number(r, &s->node_count, "snapshot.node_count");
			s->have_node_count = true;
		} else if (is(r, "edge_count")) {
			rc = number(r, &s->edge_count, "snapshot.edge_count");
			s->have_edge_count = true;
		} else {
			rc = skip(r);
		}
		if (rc)
			return rc;
	}
	if (rc)
		return -rc;
	if (!s->have_meta)
		return fail(r, "\"snapshot\" has no \"meta\"");
	/* Reserve what the counts promise, and have it faulted in ahead,
	 * when the input's size can hold them (each number takes two bytes
	 * at least).  From a pipe the size is unknown and the counts are not
	 * believed: the arrays grow as the nodes and edges come. */
	uint64_t total = r->in->total;
	uint64_t n = s->have_node_count ? s->node_count : 0;
	uint64_t m = s->have_edge_count ? s->edge_count : 0;
	if (!total || n * s->nf * 2 > total)
		n = 0;
	if (!total || m * s->ef * 2 > total)
		m = 0;
	if ((n || m) && n < CT_NONE && m < CT_NONE &&
	    ct_builder_expect(s->b, (uint32_t)n, (uint32_t)m))
		return ct_error_nomem(r->err);
	return 0;
}

/* Note that string index i is needed for role.  When the strings were
 * read already, an index past them is an error here, where the position
 * is known; otherwise resolve() checks. */
static int need(struct snap *s, uint64_t i, uint8_t role)
{
	if (s->have_strings && i >= s->n_strings)
		return fail(&s->r, "string index %" PRIu64 " is out of range (%" PRIu32
			    " strings)", i, s->n_strings);
	if (i >= CT_NONE)
		return fail(&s->r, "string index %" PRIu64 " is out of range", i);
	if (i >= s->need_cap) {
		uint64_t cap = s->need_cap ? s->need_cap : 4096;
		while (cap <= i)
			cap *= 2;
		uint8_t *p = ct_mem_realloc(s->need, (size_t)cap);
		if (!p)
			return ct_error_nomem(s->r.err);
		memset(p + s->need_cap, 0, (size_t)(cap - s->need_cap));
		s->need = p;
		s->need_cap = (uint32_t)cap;
	}
	s->need[i] |= role;
	if (i >= s->need_len)
		s->need_len = (uint32_t)i + 1;
	return 0;
}

static int nodes(struct snap *s)
{
	struct rd *r = &s->r;
	struct ct_builder *b = s->b;
	uint64_t f[MAX_FIELDS];
	bool first = true;
	uint32_t k = 0;
	uint64_t line = 0;
	int rc;

	if (!s->have_meta)
		return fail(r, "\"nodes\" before \"snapshot\" (its meta describes them)");
	if (s->have_nodes)
		return fail(r, "a second \"nodes\" array");
	if ((rc = expect(r, '[')))
		return rc;
	while ((rc = array_number(r, &first, &f[k], "a node field")) == 1) {
		if (k == 0)
			line = r->line;
		if (++k < s->nf)
			continue;
		k = 0;
		uint64_t t = f[s->n_type], edges = f[s->n_edges];
		if (t >= s->n_ntypes)
			return fail(r, "node type %" PRIu64 " is out of range (%" PRIu32 " types)", t,
				    s->n_ntypes);
		if (f[s->n_name] >= CT_NONE || edges >= CT_NONE)
			return fail(r, "node field out of range");
		if ((rc = need(s, f[s->n_name],
			       NEED_VALUE | (s->ntype[t] == N_OBJECT || s->ntype[t] == N_NATIVE ?
					     NEED_TYPE : 0))))
			return rc;
		uint32_t i = b->g.n_nodes;
		if ((rc = ct_builder_node(b, f[s->n_id], (uint32_t)t, f[s->n_size],
					  i == 0 ? CT_NODE_ROOT : 0, (uint32_t)f[s->n_name], false,
					  0, line, r->err)))
			return rc;
		b->g.out_off[i] = (uint32_t)edges; /* made offsets by resolve() */
		s->edges_declared += edges;
	}
	if (rc)
		return -rc;
	if (k)
		return fail(r, "\"nodes\" ends inside a node (%" PRIu32 " of %" PRIu32 " fields)", k,
			    s->nf);
	s->have_nodes = true;
	if (s->have_node_count && s->node_count != b->g.n_nodes)
		return fail(r, "snapshot.node_count is %" PRIu64 " but \"nodes\" has %" PRIu32
			    " nodes", s->node_count, b->g.n_nodes);
	if (b->g.n_nodes == 0)
		return fail(r, "no nodes in the snapshot");
	return 0;
}

static int edges(struct snap *s)
{
	struct rd *r = &s->r;
	struct ct_builder *b = s->b;
	uint64_t f[MAX_FIELDS];
	bool first = true;
	uint32_t k = 0;
	uint64_t limit = (uint64_t)b->g.n_nodes * s->nf;
	int rc;

	if (!s->have_nodes)
		return fail(r, "\"edges\" before \"nodes\"");
	if (s->have_edges)
		return fail(r, "a second \"edges\" array");
	s->edges_line = r->line;
	s->edges_col = r->base + r->pos - r->line_start + 1;
	if ((rc = expect(r, '[')))
		return rc;
	while ((rc = array_number(r, &first, &f[k], "an edge field")) == 1) {
		if (++k < s->ef)
			continue;
		k = 0;
		uint64_t t = f[s->e_type], name = f[s->e_name], to = f[s->e_to];
		if (t >= s->n_etypes)
			return fail(r, "edge type %" PRIu64 " is out of range (%" PRIu32 " types)", t,
				    s->n_etypes);
		if (to >= limit || to % s->nf)
			return fail(r, "edge to_node %" PRIu64 " is not a node (%" PRIu32
				    " nodes of %" PRIu32 " fields)", to, b->g.n_nodes, s->nf);
		if (b->n_edges >= s->edges_declared)
			return fail(r, "more edges than the nodes' edge counts (%" PRIu64 ")",
				    s->edges_declared);
		if (s->etype[t] == E_ELEMENT || s->etype[t] == E_HIDDEN) {
			if (name >= CT_NONE)
				return fail(r, "edge index %" PRIu64 " is too large", name);
		} else if ((rc = need(s, name, s->b->no_labels ? 0 : NEED_LABEL))) {
			return rc;
		}
		if ((rc = ct_builder_edge_index(b, (uint32_t)(to / s->nf), (uint32_t)name, (uint8_t)t,
						 r->err)))
			return rc;
	}
	if (rc)
		return -rc;
	if (k)
		return fail(r, "\"edges\" ends inside an edge (%" PRIu32 " of %" PRIu32 " fields)", k,
			    s->ef);
	if (b->n_edges != s->edges_declared)
		return fail(r, "the nodes' edge counts add up to %" PRIu64 " but \"edges\" has %"
			    PRIu64 " edges", s->edges_declared, b->n_edges);
	if (s->have_edge_count && s->edge_count != b->n_edges)
		return fail(r, "snapshot.edge_count is %" PRIu64 " but \"edges\" has %" PRIu64
			    " edges", s->edge_count, b->n_edges);
	s->have_edges = true;
	return 0;
}

/* Cut len bytes to at most max without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *p, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)p[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* ".name" for an edge label. */
static uint32_t dotted(struct snap *s, const char *p, size_t n)
{
	if (n + 2 > s->tmp_cap) {
		size_t cap = s->tmp_cap ? s->tmp_cap : 256;
		while (cap < n + 2)
			cap *= 2;
		char *t = realloc(s->tmp, cap);
		if (!t)
			return CT_NONE;
		s->tmp = t;
		s->tmp_cap = cap;
	}
	s->tmp[0] = '.';
	memcpy(s->tmp + 1, p, n);
	return ct_builder_intern(s->b, s->tmp, n + 1);
}

/* Keep string i (bytes p, n) in the roles recorded for it. */
static int keep(struct snap *s, uint32_t i, const char *p, size_t n)
{
	uint8_t role = i < s->need_len ? s->need[i] : 0;
	uint32_t id;

	if (role & (NEED_VALUE | NEED_TYPE)) {
		id = ct_builder_intern(s->b, p, utf8_cut(p, n, VALUE_MAX));
		if (id == CT_NONE)
			return ct_error_nomem(s->r.err);
		s->value_id[i] = id;
		if (role & NEED_TYPE) {
			if (n > VALUE_MAX && (id = ct_builder_intern(s->b, p, n)) == CT_NONE)
				return ct_error_nomem(s->r.err);
			s->type_id[i] = id;
		}
	}
	if (role & NEED_LABEL) {
		if ((id = dotted(s, p, n)) == CT_NONE)
			return ct_error_nomem(s->r.err);
		s->label_id[i] = id;
	}
	return 0;
}

static int strings(struct snap *s)
{
	struct rd *r = &s->r;
	bool first = true;
	uint32_t i = 0;
	int rc;

	if (s->have_strings)
		return fail(r, "a second \"strings\" array");
	/* After nodes and edges, every role is known and only the strings
	 * with one are kept; before, all are (and resolve() picks). */
	s->strings_early = !s->have_nodes || !s->have_edges;
	if (!s->strings_early) {
		size_t n = s->need_len ? s->need_len : 1;
		s->type_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->value_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->label_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		if (!s->type_id || !s->value_id || !s->label_id)
			return ct_error_nomem(r->err);
	}
	s->strings_line = r->line;
	s->strings_col = r->base + r->pos - r->line_start + 1;
	if ((rc = expect(r, '[')))
		return rc;
	while ((rc = next(r, &first, ']')) == 1) {
		if (peek(r) != '"')
			return fail(r, "\"strings\" entries must be strings");
		if ((rc = string(r)))
			return rc;
		if (i == CT_NONE - 1)
			return fail(r, "too many strings");
		if (s->strings_early) {
			if (i >= s->early_cap) {
				uint32_t cap = s->early_cap ? s->early_cap * 2 : 4096;
				uint32_t *e = ct_mem_realloc(s->early, cap * sizeof(*e));
				if (!e)
					return ct_error_nomem(r->err);
				s->early = e;
				s->early_cap = cap;
			}
			s->early[i] = ct_builder_append(s->b, r->str, r->str_len);
			if (s->early[i] == CT_NONE)
				return ct_error_nomem(r->err);
		} else if ((rc = keep(s, i, r->str, r->str_len))) {
			return rc;
		}
		i++;
	}
	if (rc)
		return -rc;
	s->n_strings = i;
	s->have_strings = true;
	return 0;
}

/* The "[i]" label. */
static uint32_t index_label(struct snap *s, uint32_t i)
{
	char t[16];

	if (i < INDEX_CACHE && s->index_label[i])
		return s->index_label[i];
	int n = snprintf(t, sizeof(t), "[%" PRIu32 "]", i);
	uint32_t id = ct_builder_intern(s->b, t, (size_t)n);
	if (i < INDEX_CACHE && id != CT_NONE)
		s->index_label[i] = id;
	return id;
}

static int bad_index(struct snap *s, const char *what, uint64_t idx)
{
	return ct_error_at(s->r.err, CT_EINPUT, s->strings_line, s->strings_col,
			   "%s names string %" PRIu64 " but \"strings\" has %" PRIu32 " entries",
			   what, idx, s->n_strings);
}

/* With every section read: turn the raw indices the builder holds into
 * the graph's strings, kinds, targets and edge offsets. */
static int resolve(struct snap *s)
{
	struct ct_builder *b = s->b;
	struct ct_graph *g = &b->g;
	struct rd *r = &s->r;
	char what[96];

	if (!s->have_nodes || !s->have_edges || !s->have_strings)
		return fail(r, "truncated snapshot: no \"%s\" array",
			    !s->have_nodes ? "nodes" : !s->have_edges ? "edges" : "strings");
	if (s->strings_early) {
		/* Every string was kept: make the ids per role from them. */
		size_t n = s->n_strings ? s->n_strings : 1;
		s->type_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->value_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->label_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		if (!s->type_id || !s->value_id || !s->label_id)
			return ct_error_nomem(r->err);
		for (uint32_t i = 0; i < s->need_len && i < s->n_strings; i++) {
			if (!s->need[i])
				continue;
			const struct ct_strings *st = &g->strings;
			/* keep() interns into the arena, which may move: copy first. */
			size_t len = ct_strings_len(st, s->early[i]);
			char *copy = malloc(len + 1);
			if (!copy)
				return ct_error_nomem(r->err);
			memcpy(copy, ct_strings_get(st, s->early[i]), len);
			int rc = keep(s, i, copy, len);
			free(copy);
			if (rc)
				return rc;
		}
	}
	/* Nodes: type and value from the name; edge counts to offsets. */
	uint32_t off = 0;
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t t = g->type[v], name = g->value[v];
		if (name >= s->n_strings) {
			snprintf(what, sizeof(what), "node %" PRIu32 " (id %" PRIu64 ")", v, g->addr[v]);
			return bad_index(s, what, name);
		}
		g->type[v] = s->ntype[t] == N_OBJECT || s->ntype[t] == N_NATIVE ? s->type_id[name]
			: s->ntype_class[t];
		if (s->ntype[t] == N_NATIVE)
			g->flags[v] |= CT_NODE_NATIVE;
		g->value[v] = s->value_id[name];
		uint32_t count = g->out_off[v];
		g->out_off[v] = off;
		off += count;
	}
	/* Without labels, the edge names were only range-checked. */
	if (s->b->no_labels && s->need_len > s->n_strings)
		return fail(r, "string index %" PRIu32 " is out of range (%" PRIu32 " strings)",
			    s->need_len - 1, s->n_strings);
	/* Edges: labels and kinds. */
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t end = v + 1 < g->n_nodes ? g->out_off[v + 1] : off;
		for (uint32_t e = g->out_off[v]; e < end; e++) {
			uint8_t t = s->etype[g->kind[e]];
			uint32_t name = s->b->no_labels ? 0 : g->label[e], label = 0;
			if (s->b->no_labels) {
				/* no label to make */
			} else if (t == E_ELEMENT || t == E_HIDDEN) {
				label = index_label(s, name);
				if (label == CT_NONE)
					return ct_error_nomem(r->err);
			} else if (name >= s->n_strings) {
				snprintf(what, sizeof(what), "edge %" PRIu32 " (of node id %" PRIu64 ")", e,
					 g->addr[v]);
				return bad_index(s, what, name);
			} else {
				label = s->label_id[name];
			}
			if (!s->b->no_labels)
				g->label[e] = label;
			g->kind[e] = t == E_WEAK ? CT_EDGE_WEAK : t == E_SHORTCUT ? CT_EDGE_SHORTCUT
				: t == E_INTERNAL || t == E_HIDDEN ? CT_EDGE_INTERNAL : CT_EDGE_STRONG;
			if (t == E_WEAK)
				g->flags[v] |= CT_NODE_WEAKREF;
		}
	}
	g->roots_given = true;
	g->numeric_ids = true;
	return 0;
}

static int load(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	struct snap *s = calloc(1, sizeof(*s));
	struct rd *r;
	bool first = true;
	int rc;

	if (!s)
		return ct_error_nomem(err);
	r = &s->r;
	r->in = in;
	r->err = err;
	r->line = 1;
	s->b = b;
	b->by_index = true;
	r->buf = malloc(WINDOW);
	if (!r->buf) {
		rc = ct_error_nomem(err);
		goto out;
	}
	if ((rc = expect(r, '{')))
		goto out;
	while ((rc = next(r, &first, '}')) == 1) {
		if (peek(r) != '"') {
			rc = fail(r, "expected a member name");
			goto out;
		}
		if ((rc = string(r)) || (rc = expect(r, ':')))
			goto out;
		if (is(r, "snapshot"))
			rc = snapshot(s);
		else if (is(r, "nodes"))
			rc = nodes(s);
		else if (is(r, "edges"))
			rc = edges(s);
		else if (is(r, "strings"))
			rc = strings(s);
		else
			rc = skip(r);
		if (rc)
			goto out;
	}
	if (rc) {
		rc = -rc;
		goto out;
	}
	if (peek(r) != -1) {
		rc = peek(r) == -2 ? CT_EINPUT : fail(r, "data after the snapshot");
		goto out;
	}
	if (!s->have_meta) {
		rc = fail(r, "no \"snapshot\" member (not a heap snapshot?)");
		goto out;
	}
	rc = resolve(s);
out:
	free(r->buf);
	free(r->str);
	free(s->tmp);
	ct_mem_free(s->need);
	ct_mem_free(s->type_id);
	ct_mem_free(s->value_id);
	ct_mem_free(s->label_id);
	ct_mem_free(s->early);
	free(s);
	return rc;
}

static int probe(const char *head, size_t len)
{
	size_t i = 0;

	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == len || head[i] != '{')
		return 0;
	static const char sig[] = "\"snapshot\"";
	for (; i + sizeof(sig) - 1 <= len; i++)
		if (memcmp(head + i, sig, sizeof(sig) - 1) == 0)
			break;
	if (i + sizeof(sig) - 1 > len)
		return 0;
	for (; i + 13 <= len; i++)
		if (memcmp(head + i, "\"node_fields\"", 13) == 0)
			return 100;
	return 50;
}

const struct ct_loader ct_loader_v8 = {
	.name = "v8",
	.description = "V8 heap snapshot (.heapsnapshot from node, Chrome or memlab)",
	.probe = probe,
	.load = load,
};
