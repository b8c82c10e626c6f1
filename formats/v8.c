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
 * The document is read by lib/json.c through a 1 MB window of ct_input
 * (memory is the graph's plus the window), as strictly as every other
 * JSON input: raw bytes in strings must be valid UTF-8, control characters
 * are errors, skipped members must be valid JSON.  One leniency, for
 * what V8 itself writes: a \u escape of a lone UTF-16 surrogate (which a
 * JavaScript string may hold) becomes U+FFFD (CT_JSON_LONE_SURROGATES), as
 * does \u0000.  Errors name the line and column.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/mem.h"
#include "loader.h"

#define WINDOW (1u << 20)   /* bytes read at a time */
#define VALUE_MAX 100       /* bytes of a name kept as the node's value */
#define INDEX_CACHE 4096    /* "[i]" labels remembered for i below this */

/* ---- the snapshot ---- */

enum ntype { N_OTHER, N_OBJECT, N_NATIVE, N_HIDDEN, N_CODE };
enum etype { E_OTHER, E_CONTEXT, E_ELEMENT, E_PROPERTY, E_INTERNAL, E_HIDDEN, E_SHORTCUT, E_WEAK };

/* Roles of a string, for keeping only the strings something names. */
enum { NEED_TYPE = 1, NEED_VALUE = 2, NEED_LABEL = 4 };

#define MAX_FIELDS 64
#define MAX_TYPES 256

struct snap {
	struct ct_json j;
	struct ct_input *in;
	struct ct_error *err;
	const char *str;                      /* the last string read (see string()) */
	size_t str_len;
	char *nul;                            /* it with NULs replaced (owned) */
	size_t nul_cap;
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

static int fail(struct snap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fail at the scanner's position. */
static int fail(struct snap *s, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(s->err->msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ct_json_fail(&s->j, s->err, "%s", msg);
}

/* The next value, which must be a string, into s->str and s->str_len:
 * valid until the next call on s->j.  A NUL (\u0000) becomes U+FFFD, as
 * in the other loaders: names are NUL-terminated once stored. */
static int string(struct snap *s)
{
	int rc = ct_json_string(&s->j, &s->str, &s->str_len, s->err);

	if (rc || !memchr(s->str, '\0', s->str_len))
		return rc;
	size_t cap = s->str_len * 3 + 1;
	if (cap > s->nul_cap) {
		char *p = realloc(s->nul, cap);
		if (!p)
			return ct_error_nomem(s->err);
		s->nul = p;
		s->nul_cap = cap;
	}
	size_t o = 0;
	for (size_t i = 0; i < s->str_len; i++) {
		if (s->str[i]) {
			s->nul[o++] = s->str[i];
		} else {
			memcpy(s->nul + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	s->str = s->nul;
	s->str_len = o;
	return 0;
}

static bool is(const struct snap *s, const char *key)
{
	return strlen(key) == s->str_len && memcmp(s->str, key, s->str_len) == 0;
}

/* A member name, then its ':'.  *which is the index of the name in
 * names (NULL-terminated), or -1: the name itself is gone after the ':'. */
static int member(struct snap *s, const char *const *names, int *which)
{
	int rc;

	if (ct_json_peek(&s->j) != CT_JSON_STRING)
		return fail(s, "expected a member name");
	if ((rc = string(s)))
		return rc;
	*which = -1;
	for (int i = 0; names[i]; i++) {
		if (is(s, names[i])) {
			*which = i;
			break;
		}
	}
	return ct_json_expect(&s->j, ':', s->err);
}

/* An array of strings; each is handed to fn(s, i, ctx). */
static int string_array(struct snap *s, int (*fn)(struct snap *, uint32_t, void *), void *ctx)
{
	uint32_t i = 0;
	bool more;
	int rc;

	if ((rc = ct_json_begin(&s->j, '[', ']', &more, s->err)))
		return rc;
	while (more) {
		if (ct_json_peek(&s->j) != CT_JSON_STRING)
			return fail(s, "expected a string");
		if ((rc = string(s)) || (rc = fn(s, i, ctx)))
			return rc;
		i++;
		if ((rc = ct_json_next(&s->j, ']', &more, s->err)))
			return rc;
	}
	return 0;
}

struct fields {
	char names[MAX_FIELDS][24];
	uint32_t n;
};

static int add_field(struct snap *s, uint32_t i, void *ctx)
{
	struct fields *f = ctx;

	if (i >= MAX_FIELDS)
		return fail(s, "too many fields (limit %d)", MAX_FIELDS);
	size_t n = s->str_len < sizeof(f->names[0]) - 1 ? s->str_len : sizeof(f->names[0]) - 1;
	memcpy(f->names[i], s->str, n);
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
	char name[80];
	(void)ctx;

	if (i >= MAX_TYPES)
		return fail(s, "too many node types (limit %d)", MAX_TYPES);
	s->ntype[i] = is(s, "object") ? N_OBJECT : is(s, "native") ? N_NATIVE
		: is(s, "hidden") ? N_HIDDEN : is(s, "code") ? N_CODE : N_OTHER;
	if (s->ntype[i] == N_HIDDEN)
		snprintf(name, sizeof(name), "(system)");
	else if (s->ntype[i] == N_CODE)
		snprintf(name, sizeof(name), "(compiled code)");
	else
		snprintf(name, sizeof(name), "(%.*s)", (int)(s->str_len < 64 ? s->str_len : 64), s->str);
	s->ntype_class[i] = ct_builder_intern(s->b, name, strlen(name));
	if (s->ntype_class[i] == CT_NONE)
		return ct_error_nomem(s->err);
	s->n_ntypes = i + 1;
	return 0;
}

static int add_etype(struct snap *s, uint32_t i, void *ctx)
{
	(void)ctx;

	if (i >= MAX_TYPES)
		return fail(s, "too many edge types (limit %d)", MAX_TYPES);
	s->etype[i] = is(s, "context") ? E_CONTEXT : is(s, "element") ? E_ELEMENT
		: is(s, "property") ? E_PROPERTY : is(s, "internal") ? E_INTERNAL
		: is(s, "hidden") ? E_HIDDEN : is(s, "shortcut") ? E_SHORTCUT
		: is(s, "weak") ? E_WEAK : E_OTHER;
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
	bool more;
	int rc, i = 0;

	if ((rc = ct_json_begin(&s->j, '[', ']', &more, s->err)))
		return rc;
	while (more) {
		enum ct_json_type t = ct_json_peek(&s->j);
		if (i == type_field) {
			if (t != CT_JSON_ARRAY)
				return fail(s, "the type field's entry must be an array of names");
			if ((rc = string_array(s, add, NULL)))
				return rc;
			*found = true;
		} else if (t == CT_JSON_ARRAY) {
			if ((rc = string_array(s, ignore_string, NULL)))
				return rc;
		} else if ((rc = ct_json_skip(&s->j, s->err))) {
			return rc;
		}
		i++;
		if ((rc = ct_json_next(&s->j, ']', &more, s->err)))
			return rc;
	}
	return 0;
}

static int meta(struct snap *s)
{
	static const char *const names[] = {"node_fields", "edge_fields", "node_types",
					    "edge_types", NULL};
	struct fields nf = {0}, ef = {0};
	bool more, ntypes = false, etypes = false, have_nf = false, have_ef = false;
	int rc, which;

	/* The type names are found by the position of the "type" field, so
	 * node_fields must precede node_types (and edge_fields edge_types),
	 * as in every writer. */
	if ((rc = ct_json_begin(&s->j, '{', '}', &more, s->err)))
		return rc;
	while (more) {
		if ((rc = member(s, names, &which)))
			return rc;
		switch (which) {
		case 0:
			rc = string_array(s, add_field, &nf);
			have_nf = true;
			break;
		case 1:
			rc = string_array(s, add_field, &ef);
			have_ef = true;
			break;
		case 2:
			if (!have_nf)
				return fail(s, "\"node_types\" before \"node_fields\"");
			rc = types(s, find_field(&nf, "type"), add_ntype, &ntypes);
			break;
		case 3:
			if (!have_ef)
				return fail(s, "\"edge_types\" before \"edge_fields\"");
			rc = types(s, find_field(&ef, "type"), add_etype, &etypes);
			break;
		default:
			rc = ct_json_skip(&s->j, s->err);
		}
		if (rc || (rc = ct_json_next(&s->j, '}', &more, s->err)))
			return rc;
	}
	static const char *const nneed[] = {"type", "name", "id", "self_size", "edge_count"};
	static const char *const eneed[] = {"type", "name_or_index", "to_node"};
	int *npos[] = {&s->n_type, &s->n_name, &s->n_id, &s->n_size, &s->n_edges};
	int *epos[] = {&s->e_type, &s->e_name, &s->e_to};
	if (!have_nf || !have_ef)
		return fail(s, "snapshot.meta has no \"%s\"", have_nf ? "edge_fields" : "node_fields");
	for (size_t i = 0; i < 5; i++)
		if ((*npos[i] = find_field(&nf, nneed[i])) < 0)
			return fail(s, "snapshot.meta.node_fields has no \"%s\"", nneed[i]);
	for (size_t i = 0; i < 3; i++)
		if ((*epos[i] = find_field(&ef, eneed[i])) < 0)
			return fail(s, "snapshot.meta.edge_fields has no \"%s\"", eneed[i]);
	if (!ntypes || !etypes)
		return fail(s, "snapshot.meta has no %s type names", ntypes ? "edge" : "node");
	s->nf = nf.n;
	s->ef = ef.n;
	s->have_meta = true;
	return 0;
}

static int snapshot(struct snap *s)
{
	static const char *const names[] = {"meta", "node_count", "edge_count", NULL};
	bool more;
	int rc, which;

	if ((rc = ct_json_begin(&s->j, '{', '}', &more, s->err)))
		return rc;
	while (more) {
		if ((rc = member(s, names, &which)))
			return rc;
		switch (which) {
		case 0:
			rc = meta(s);
			break;
		case 1:
			rc = ct_json_u64(&s->j, &s->node_count, "snapshot.node_count", s->err);
			s->have_node_count = true;
			break;
		case 2:
			rc = ct_json_u64(&s->j, &s->edge_count, "snapshot.edge_count", s->err);
			s->have_edge_count = true;
			break;
		default:
			rc = ct_json_skip(&s->j, s->err);
		}
		if (rc || (rc = ct_json_next(&s->j, '}', &more, s->err)))
			return rc;
	}
	if (!s->have_meta)
		return fail(s, "\"snapshot\" has no \"meta\"");
	/* Reserve what the counts promise, and have it faulted in ahead,
	 * when the input's size can hold them (each number takes two bytes
	 * at least).  From a pipe the size is unknown and the counts are not
	 * believed: the arrays grow as the nodes and edges come. */
	uint64_t total = s->in->total;
	uint64_t n = s->have_node_count ? s->node_count : 0;
	uint64_t m = s->have_edge_count ? s->edge_count : 0;
	if (!total || n * s->nf * 2 > total)
		n = 0;
	if (!total || m * s->ef * 2 > total)
		m = 0;
	if ((n || m) && n < CT_NONE && m < CT_NONE &&
	    ct_builder_expect(s->b, (uint32_t)n, (uint32_t)m))
		return ct_error_nomem(s->err);
	return 0;
}

/* Note that string index i is needed for role.  When the strings were
 * read already, an index past them is an error here, where the position
 * is known; otherwise resolve() checks. */
static int need(struct snap *s, uint64_t i, uint8_t role)
{
	if (s->have_strings && i >= s->n_strings)
		return fail(s, "string index %" PRIu64 " is out of range (%" PRIu32
			    " strings)", i, s->n_strings);
	if (i >= CT_NONE)
		return fail(s, "string index %" PRIu64 " is out of range", i);
	if (i >= s->need_cap) {
		uint64_t cap = s->need_cap ? s->need_cap : 4096;
		while (cap <= i)
			cap *= 2;
		uint8_t *p = ct_mem_realloc(s->need, (size_t)cap);
		if (!p)
			return ct_error_nomem(s->err);
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
	struct ct_builder *b = s->b;
	uint64_t f[MAX_FIELDS], count = 0;
	size_t k;
	int rc;

	if (!s->have_meta)
		return fail(s, "\"nodes\" before \"snapshot\" (its meta describes them)");
	if (s->have_nodes)
		return fail(s, "a second \"nodes\" array");
	if ((rc = ct_json_expect(&s->j, '[', s->err)))
		return rc;
	for (;;) {
		if ((rc = ct_json_u64s(&s->j, f, s->nf, &k, &count, "nodes", s->err)))
			return rc;
		if (k < s->nf)
			break;
		uint64_t t = f[s->n_type], edges = f[s->n_edges];
		if (t >= s->n_ntypes)
			return fail(s, "node type %" PRIu64 " is out of range (%" PRIu32 " types)", t,
				    s->n_ntypes);
		if (f[s->n_name] >= CT_NONE || edges >= CT_NONE)
			return fail(s, "node field out of range");
		if ((rc = need(s, f[s->n_name],
			       NEED_VALUE | (s->ntype[t] == N_OBJECT || s->ntype[t] == N_NATIVE ?
					     NEED_TYPE : 0))))
			return rc;
		uint32_t i = b->g.n_nodes;
		if ((rc = ct_builder_node(b, f[s->n_id], (uint32_t)t, f[s->n_size],
					  i == 0 ? CT_NODE_ROOT : 0, (uint32_t)f[s->n_name], false,
					  0, s->j.line, s->err)))
			return rc;
		b->g.out_off[i] = (uint32_t)edges; /* made offsets by resolve() */
		s->edges_declared += edges;
	}
	if (k)
		return fail(s, "\"nodes\" ends inside a node (%zu of %" PRIu32 " fields)", k, s->nf);
	s->have_nodes = true;
	if (s->have_node_count && s->node_count != b->g.n_nodes)
		return fail(s, "snapshot.node_count is %" PRIu64 " but \"nodes\" has %" PRIu32
			    " nodes", s->node_count, b->g.n_nodes);
	if (b->g.n_nodes == 0)
		return fail(s, "no nodes in the snapshot");
	return 0;
}

static int edges(struct snap *s)
{
	struct ct_builder *b = s->b;
	uint64_t f[MAX_FIELDS], count = 0;
	size_t k;
	uint64_t limit = (uint64_t)b->g.n_nodes * s->nf;
	int rc;

	if (!s->have_nodes)
		return fail(s, "\"edges\" before \"nodes\"");
	if (s->have_edges)
		return fail(s, "a second \"edges\" array");
	s->edges_line = s->j.line;
	s->edges_col = ct_json_column(&s->j);
	if ((rc = ct_json_expect(&s->j, '[', s->err)))
		return rc;
	for (;;) {
		if ((rc = ct_json_u64s(&s->j, f, s->ef, &k, &count, "edges", s->err)))
			return rc;
		if (k < s->ef)
			break;
		uint64_t t = f[s->e_type], name = f[s->e_name], to = f[s->e_to];
		if (t >= s->n_etypes)
			return fail(s, "edge type %" PRIu64 " is out of range (%" PRIu32 " types)", t,
				    s->n_etypes);
		if (to >= limit || to % s->nf)
			return fail(s, "edge to_node %" PRIu64 " is not a node (%" PRIu32
				    " nodes of %" PRIu32 " fields)", to, b->g.n_nodes, s->nf);
		if (b->n_edges >= s->edges_declared)
			return fail(s, "more edges than the nodes' edge counts (%" PRIu64 ")",
				    s->edges_declared);
		if (s->etype[t] == E_ELEMENT || s->etype[t] == E_HIDDEN) {
			if (name >= CT_NONE)
				return fail(s, "edge index %" PRIu64 " is too large", name);
		} else if ((rc = need(s, name, s->b->no_labels ? 0 : NEED_LABEL))) {
			return rc;
		}
		if ((rc = ct_builder_edge_index(b, (uint32_t)(to / s->nf), (uint32_t)name, (uint8_t)t,
						 s->err)))
			return rc;
	}
	if (k)
		return fail(s, "\"edges\" ends inside an edge (%zu of %" PRIu32 " fields)", k, s->ef);
	if (b->n_edges != s->edges_declared)
		return fail(s, "the nodes' edge counts add up to %" PRIu64 " but \"edges\" has %"
			    PRIu64 " edges", s->edges_declared, b->n_edges);
	if (s->have_edge_count && s->edge_count != b->n_edges)
		return fail(s, "snapshot.edge_count is %" PRIu64 " but \"edges\" has %" PRIu64
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
			return ct_error_nomem(s->err);
		s->value_id[i] = id;
		if (role & NEED_TYPE) {
			if (n > VALUE_MAX && (id = ct_builder_intern(s->b, p, n)) == CT_NONE)
				return ct_error_nomem(s->err);
			s->type_id[i] = id;
		}
	}
	if (role & NEED_LABEL) {
		if ((id = dotted(s, p, n)) == CT_NONE)
			return ct_error_nomem(s->err);
		s->label_id[i] = id;
	}
	return 0;
}

static int strings(struct snap *s)
{
	uint32_t i = 0;
	bool more;
	int rc;

	if (s->have_strings)
		return fail(s, "a second \"strings\" array");
	/* After nodes and edges, every role is known and only the strings
	 * with one are kept; before, all are (and resolve() picks). */
	s->strings_early = !s->have_nodes || !s->have_edges;
	if (!s->strings_early) {
		size_t n = s->need_len ? s->need_len : 1;
		s->type_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->value_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->label_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		if (!s->type_id || !s->value_id || !s->label_id)
			return ct_error_nomem(s->err);
	}
	s->strings_line = s->j.line;
	s->strings_col = ct_json_column(&s->j);
	if ((rc = ct_json_begin(&s->j, '[', ']', &more, s->err)))
		return rc;
	while (more) {
		if (ct_json_peek(&s->j) != CT_JSON_STRING)
			return fail(s, "\"strings\" entries must be strings");
		if ((rc = string(s)))
			return rc;
		if (i == CT_NONE - 1)
			return fail(s, "too many strings");
		if (s->strings_early) {
			if (i >= s->early_cap) {
				uint32_t cap = s->early_cap ? s->early_cap * 2 : 4096;
				uint32_t *e = ct_mem_realloc(s->early, cap * sizeof(*e));
				if (!e)
					return ct_error_nomem(s->err);
				s->early = e;
				s->early_cap = cap;
			}
			s->early[i] = ct_builder_append(s->b, s->str, s->str_len);
			if (s->early[i] == CT_NONE)
				return ct_error_nomem(s->err);
		} else if ((rc = keep(s, i, s->str, s->str_len))) {
			return rc;
		}
		i++;
		if ((rc = ct_json_next(&s->j, ']', &more, s->err)))
			return rc;
	}
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
	return ct_error_at(s->err, CT_EINPUT, s->strings_line, s->strings_col,
			   "%s names string %" PRIu64 " but \"strings\" has %" PRIu32 " entries",
			   what, idx, s->n_strings);
}

/* With every section read: turn the raw indices the builder holds into
 * the graph's strings, kinds, targets and edge offsets. */
static int resolve(struct snap *s)
{
	struct ct_builder *b = s->b;
	struct ct_graph *g = &b->g;
	char what[96];

	if (!s->have_nodes || !s->have_edges || !s->have_strings)
		return fail(s, "truncated snapshot: no \"%s\" array",
			    !s->have_nodes ? "nodes" : !s->have_edges ? "edges" : "strings");
	if (s->strings_early) {
		/* Every string was kept: make the ids per role from them. */
		size_t n = s->n_strings ? s->n_strings : 1;
		s->type_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->value_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		s->label_id = ct_mem_zalloc(ct_mem_bytes(n, sizeof(uint32_t)));
		if (!s->type_id || !s->value_id || !s->label_id)
			return ct_error_nomem(s->err);
		for (uint32_t i = 0; i < s->need_len && i < s->n_strings; i++) {
			if (!s->need[i])
				continue;
			const struct ct_strings *st = &g->strings;
			/* keep() interns into the arena, which may move: copy first. */
			size_t len = ct_strings_len(st, s->early[i]);
			char *copy = malloc(len + 1);
			if (!copy)
				return ct_error_nomem(s->err);
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
			snprintf(what, sizeof(what), "node %" PRIu32 " (id %" PRIu64 ")", v,
				 ct_graph_addr(g, v));
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
		return fail(s, "string index %" PRIu32 " is out of range (%" PRIu32 " strings)",
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
					return ct_error_nomem(s->err);
			} else if (name >= s->n_strings) {
				snprintf(what, sizeof(what), "edge %" PRIu32 " (of node id %" PRIu64 ")", e,
					 ct_graph_addr(g, v));
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
	static const char *const names[] = {"snapshot", "nodes", "edges", "strings", NULL};
	struct snap *s = calloc(1, sizeof(*s));
	bool more;
	int rc, which;

	if (!s)
		return ct_error_nomem(err);
	ct_json_init(&s->j);
	s->j.opts = CT_JSON_LONE_SURROGATES;
	s->in = in;
	s->err = err;
	s->b = b;
	b->by_index = true;
	if ((rc = ct_json_open_input(&s->j, in, WINDOW, err)) ||
	    (rc = ct_json_begin(&s->j, '{', '}', &more, err)))
		goto out;
	while (more) {
		if ((rc = member(s, names, &which)))
			goto out;
		switch (which) {
		case 0: rc = snapshot(s); break;
		case 1: rc = nodes(s); break;
		case 2: rc = edges(s); break;
		case 3: rc = strings(s); break;
		default: rc = ct_json_skip(&s->j, err);
		}
		if (rc || (rc = ct_json_next(&s->j, '}', &more, err)))
			goto out;
	}
	if ((rc = ct_json_done(&s->j, err)))
		goto out;
	if (!s->have_meta) {
		rc = fail(s, "no \"snapshot\" member (not a heap snapshot?)");
		goto out;
	}
	rc = resolve(s);
out:
	ct_json_finish(&s->j);
	free(s->nul);
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
