/* Round-trip property test: random graphs with nasty labels, exported
 * in each reference style (with and without addresses), read back by
 * the refjson loader, must be the same graph.
 *
 * "The same": walking both graphs from the root in step, every container
 * (a node that is not a JSON scalar) pairs with exactly one node of the
 * import, with the same type and value and the same out-edges (the
 * exported kinds: strong and internal) with the same labels, leading to
 * paired nodes.  Scalars cannot be shared in JSON (each occurrence is a
 * new leaf node), so edges to scalars compare by type and value.  With
 * addresses, paired nodes also have the same address.
 *
 * Every document is also read by a strict reader that fails on a member
 * name given twice in one object; "wide" graphs (objects with up to 300
 * references drawn from a few labels that collide in every way we know:
 * repeats, spellings of another label's numbered form, unlabelled edges,
 * the same text under two string ids, labels that differ only in invalid
 * UTF-8) check that member names are unique by construction.
 * ct_export_is_runtime() is checked on small graphs of each format.
 *
 * usage: test_roundtrip [ROUNDS]   (CT_TEST_SMALL=1: fewer rounds)
 */
#include <inttypes.h>

#include "../unit/check.h"
#include "formats/loader.h"
#include "lib/export.h"
#include "lib/json.h"

static const char *const labels[] = {
	".name", ".children", ".parent", ".x y", ".$ref", ".$type", ".@a", ".", ".~/%",
	".a\"b", ".\\", ".caf\xc3\xa9", ".\xf0\x9f\x98\x80", ".1st",
	"['k']", "['a\\'b']", "[\"it's\"]", "['\\n\\t']", "['\xc3\xa9t\xc3\xa9']", "['\\x00']",
	"['$id']", "['@x']", "['']", "['\\\\']", "['a/b~c%d']", "['\\x7f\\x85']",
	"['\\u2028']", "['\\U0001f600']", "['\xe2\x80\xa8']", "['unterminated...",
	"[0]", "[12]", "[007]", "[-1]", "<key>", "<dict 0x12>", "1abc", "@x", "@3", "@3@x",
	"$type", "$ref", "a/b~c", "\"q\"", "\x01\x1f", "emoji \xf0\x9f\x98\x80", "[(None, 'x')]",
	"#/x", "$[\"a\"]", "%41%", "tab\there", "\xe2\x80\xa8\xe2\x80\xa9", "\xef\xbf\xbd",
	NULL,
};
#define N_LABELS (sizeof(labels) / sizeof(labels[0]))

static const char *const types[] = {
	"Foo", "Bar", "dict", "dict", "object", "Tree \"node\"", "caf\xc3\xa9", "list", "tuple",
	"$weird", "@odd", "",
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* Scalars: type, value; whether the exporter writes them as JSON scalars. */
static const struct {
	const char *type, *value;
	bool scalar;
} scalars[] = {
	{"str", "hello", true}, {"str", "", true}, {"str", "q\"b\\s/\n\x01 \xe2\x80\xa8", true},
	{"str", "caf\xc3\xa9 \xf0\x9f\x98\x80", true}, {"int", "42", true}, {"int", "-7", true},
	{"int", "123456789012345678901234567890", true}, {"int", "0", true},
	{"float", "1.5", true}, {"float", "1e+20", true}, {"float", "-0.0", true},
	{"float", "inf", false}, {"float", "nan", false}, {"int", "12.5", false},
	{"bool", "True", true}, {"bool", "False", true}, {"NoneType", "None", true},
	{"bytes", "b'\\x00'", false},
};
#define N_SCALARS (sizeof(scalars) / sizeof(scalars[0]))

struct spec {
	uint32_t n;           /* nodes */
	bool *scalar;         /* per node: written as a JSON scalar */
};

static uint32_t pick(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

/* A random graph: containers 0..nc-1 (0 is the root), then scalars. */
static int make_graph(uint64_t *seed, struct ct_graph *g, struct spec *sp)
{
	struct ct_builder b;
	struct ct_error err = {0};
	uint32_t nc = 1 + pick(seed, 40), ns = pick(seed, 12), n = nc + ns;
	int rc = 0;

	sp->n = n;
	sp->scalar = calloc(n, sizeof(bool));
	ct_builder_init(&b, "test");
	for (uint32_t v = 0; v < n && !rc; v++) {
		uint64_t addr = 0x1000 + (uint64_t)v * 16;
		if (v >= nc) {
			uint32_t k = pick(seed, N_SCALARS);
			sp->scalar[v] = scalars[k].scalar;
			rc = ct_builder_node(&b, addr, ct_builder_intern(&b, scalars[k].type,
									 strlen(scalars[k].type)),
					     24, CT_NODE_LEAF,
					     ct_builder_append(&b, scalars[k].value, strlen(scalars[k].value)),
					     false, 0, v + 1, &err);
			continue;
		}
		const char *t = types[pick(seed, N_TYPES)];
		const char *val = pick(seed, 5) == 0 ? "some value" : "";
		rc = ct_builder_node(&b, addr, ct_builder_intern(&b, t, strlen(t)), 48, 0,
				     ct_builder_append(&b, val, strlen(val)), false, 0, v + 1, &err);
		uint32_t deg = pick(seed, 7);
		bool indexed = (strcmp(t, "list") == 0 || strcmp(t, "tuple") == 0 || pick(seed, 6) == 0)
			       && pick(seed, 8) != 0;
		uint32_t *order = calloc(deg + 1, sizeof(uint32_t));
		for (uint32_t i = 0; i < deg; i++)
			order[i] = i;
		for (uint32_t i = deg; i > 1; i--) {   /* any order, as the dumper's lists */
			uint32_t j = pick(seed, i), x = order[i - 1];
			order[i - 1] = order[j];
			order[j] = x;
		}
		uint32_t prev = CT_NONE;
		for (uint32_t i = 0; i < deg && !rc; i++) {
			uint32_t dst = pick(seed, 3) == 0 ? pick(seed, n) : pick(seed, nc);
			char buf[32];
			const char *l;
			if (indexed) {
				snprintf(buf, sizeof(buf), "[%" PRIu32 "]", order[i]);
				l = buf;
			} else if (prev != CT_NONE && pick(seed, 5) == 0) {
				l = labels[prev];          /* a repeated label */
			} else {
				prev = pick(seed, N_LABELS);
				l = labels[prev];
			}
			uint8_t kind = pick(seed, 12) == 0 ? CT_EDGE_WEAK :
				       pick(seed, 12) == 0 ? CT_EDGE_INTERNAL : CT_EDGE_STRONG;
			rc = ct_builder_edge(&b, 0x1000 + (uint64_t)dst * 16,
					     l ? ct_builder_intern(&b, l, strlen(l)) : 0, kind, &err);
		}
		free(order);
	}
	if (!rc)
		rc = ct_builder_build(&b, 0, g, &err);
	else
		ct_builder_finish(&b);
	CHECK(rc == 0, "building the random graph: %s", err.msg);
	return rc;
}

static const struct ct_graph *SG;   /* for the comparator */

static int by_label(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(ct_graph_str(SG, SG->label[x]), ct_graph_str(SG, SG->label[y]));
	return c ? c : x < y ? -1 : x > y;
}

/* The exported out-edges of v, sorted by label (stably). */
static uint32_t edges_of(const struct ct_graph *g, uint32_t v, uint32_t *out)
{
	uint32_t k = 0;

	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (ct_edge_kind_is_strong(g->kind[e]))
			out[k++] = e;
	SG = g;
	qsort(out, k, sizeof(*out), by_label);
	return k;
}

static bool same_str(const struct ct_graph *g, uint32_t a, const struct ct_graph *h, uint32_t b)
{
	return strcmp(ct_graph_str(g, a), ct_graph_str(h, b)) == 0;
}

/* Compare g (from root 0) with h (root 0). */
static void compare(const char *what, const struct ct_graph *g, const struct spec *sp,
		    const struct ct_graph *h, bool address)
{
	uint32_t *map = malloc(g->n_nodes * sizeof(uint32_t));
	uint32_t *back = malloc((h->n_nodes + 1) * sizeof(uint32_t));
	uint32_t *queue = malloc(g->n_nodes * sizeof(uint32_t));
	uint32_t *ge = malloc((g->n_edges + 1) * sizeof(uint32_t));
	uint32_t *he = malloc((h->n_edges + 1) * sizeof(uint32_t));
	uint32_t qn = 0, qi = 0, containers = 0, scalar_edges = 0;

	for (uint32_t i = 0; i < g->n_nodes; i++)
		map[i] = CT_NONE;
	for (uint32_t i = 0; i < h->n_nodes; i++)
		back[i] = CT_NONE;
	if (sp->scalar[0]) {
		CHECK(h->n_nodes == 1, "%s: a scalar root gives one node, not %u", what, h->n_nodes);
		goto out;
	}
	map[0] = 0;
	back[0] = 0;
	queue[qn++] = 0;
	while (qi < qn) {
		uint32_t v = queue[qi++], w = map[v];
		containers++;
		if (!CHECK(same_str(g, g->type[v], h, h->type[w]), "%s: node 0x%" PRIx64 " type '%s' came back as '%s'",
			   what, ct_graph_addr(g, v), ct_graph_str(g, g->type[v]), ct_graph_str(h, h->type[w])))
			continue;
		CHECK(same_str(g, ct_graph_value(g, v), h, ct_graph_value(h, w)), "%s: node 0x%" PRIx64 " value '%s' came back as '%s'",
		      what, ct_graph_addr(g, v), ct_graph_str(g, ct_graph_value(g, v)), ct_graph_str(h, ct_graph_value(h, w)));
		if (address)
			CHECK(ct_graph_addr(g, v) == ct_graph_addr(h, w), "%s: address 0x%" PRIx64 " came back as 0x%" PRIx64,
			      what, ct_graph_addr(g, v), ct_graph_addr(h, w));
		uint32_t kg = edges_of(g, v, ge), kh = edges_of(h, w, he);
		if (!CHECK(kg == kh, "%s: node 0x%" PRIx64 " (%s) has %u edges, came back with %u", what,
			   ct_graph_addr(g, v), ct_graph_str(g, g->type[v]), kg, kh))
			continue;
		for (uint32_t i = 0; i < kg; i++) {
			uint32_t a = g->dst[ge[i]], b = h->dst[he[i]];
			if (!CHECK(same_str(g, g->label[ge[i]], h, h->label[he[i]]),
				   "%s: node 0x%" PRIx64 " label '%s' came back as '%s'", what, ct_graph_addr(g, v),
				   ct_graph_str(g, g->label[ge[i]]), ct_graph_str(h, h->label[he[i]])))
				break;
			if (sp->scalar[a]) {
				scalar_edges++;
				CHECK(same_str(g, g->type[a], h, h->type[b]) &&
				      same_str(g, ct_graph_value(g, a), h, ct_graph_value(h, b)) && (h->flags[b] & CT_NODE_LEAF),
				      "%s: scalar %s '%s' came back as %s '%s'", what,
				      ct_graph_str(g, g->type[a]), ct_graph_str(g, ct_graph_value(g, a)),
				      ct_graph_str(h, h->type[b]), ct_graph_str(h, ct_graph_value(h, b)));
				continue;
			}
			if (map[a] == CT_NONE) {
				if (!CHECK(back[b] == CT_NONE, "%s: two objects became one (0x%" PRIx64 ")",
					   what, ct_graph_addr(g, a)))
					continue;
				map[a] = b;
				back[b] = a;
				queue[qn++] = a;
			} else {
				CHECK(map[a] == b, "%s: a reference to 0x%" PRIx64 " leads elsewhere", what,
				      ct_graph_addr(g, a));
			}
		}
	}
	CHECK(h->n_nodes == containers + scalar_edges,
	      "%s: %u nodes came back for %u objects and %u scalar uses", what, h->n_nodes,
	      containers, scalar_edges);
out:
	free(map);
	free(back);
	free(queue);
	free(ge);
	free(he);
}

/* ---- a strict reader: no member name twice in one object ---- */

struct keyset {
	char **k;
	size_t *len;
	size_t n, cap;
};

/* Read one value; 0 if every object in it has distinct member names,
 * 1 if some object repeats one (named in *dup), -1 if not JSON.  *members
 * gets the member count of the value when it is an object.  Recursive:
 * the test documents are shallow. */
static int strict_value(struct ct_json *j, char *dup, size_t dup_size, uint32_t *members)
{
	struct ct_error err = {0};
	enum ct_json_type t = ct_json_peek(j);
	int rc, bad = 0;

	if (members)
		*members = 0;
	if (t == CT_JSON_ARRAY) {
		bool more;
		rc = ct_json_begin(j, '[', ']', &more, &err);
		while (!rc && more) {
			int r = strict_value(j, dup, dup_size, NULL);
			if (r < 0)
				return -1;
			bad |= r;
			rc = ct_json_next(j, ']', &more, &err);
		}
		return rc ? -1 : bad;
	}
	if (t != CT_JSON_OBJECT)
		return ct_json_skip(j, &err) ? -1 : 0;
	struct keyset ks = {0};
	bool more;
	rc = ct_json_begin(j, '{', '}', &more, &err);
	while (!rc && more) {
		const char *s;
		size_t n;
		if (ct_json_string(j, &s, &n, &err) || ct_json_expect(j, ':', &err)) {
			rc = CT_EINPUT;
			break;
		}
		for (size_t i = 0; i < ks.n; i++)
			if (ks.len[i] == n && memcmp(ks.k[i], s, n) == 0 && !bad) {
				snprintf(dup, dup_size, "%.*s", (int)n, s);
				bad = 1;
			}
		if (ks.n == ks.cap) {
			ks.cap = ks.cap ? 2 * ks.cap : 16;
			ks.k = realloc(ks.k, ks.cap * sizeof(*ks.k));
			ks.len = realloc(ks.len, ks.cap * sizeof(*ks.len));
		}
		ks.k[ks.n] = malloc(n + 1);
		memcpy(ks.k[ks.n], s, n);
		ks.len[ks.n++] = n;
		int r = strict_value(j, dup, dup_size, NULL);
		if (r < 0) {
			rc = CT_EINPUT;
			break;
		}
		bad |= r;
		rc = ct_json_next(j, '}', &more, &err);
	}
	if (members)
		*members = (uint32_t)ks.n;
	for (size_t i = 0; i < ks.n; i++)
		free(ks.k[i]);
	free(ks.k);
	free(ks.len);
	return rc ? -1 : bad;
}

/* Check text (one document and a newline): JSON, no member name twice.
 * Returns the member count of the top object. */
static uint32_t check_strict(const char *what, const char *text, size_t len)
{
	struct ct_json j;
	struct ct_error err = {0};
	char dup[200] = "";
	uint32_t members = 0;

	ct_json_init(&j);
	ct_json_reset(&j, text, len, 1);
	int r = strict_value(&j, dup, sizeof(dup), &members);
	CHECK(r >= 0 && ct_json_done(&j, &err) == 0, "%s: not JSON:\n%s", what, text);
	CHECK(r != 1, "%s: member name \"%s\" given twice in one object:\n%.3000s", what, dup, text);
	ct_json_finish(&j);
	return members;
}

/* ---- wide objects: many references sharing a few labels ---- */

static const char *const wide_labels[] = {
	".x", "x", "@x", "@1@x", "@1@.x", "1@x", ".1@x", "@0", "@1", ".@1", "@", "",
	"['k']", "['@1@k']", "[0]", "[1]", ".y", ".$ref", NULL,
};
#define N_WIDE (sizeof(wide_labels) / sizeof(wide_labels[0]))

/* Root 0 ("Foo" or "dict") with up to 300 references to nodes 1..nc-1,
 * labels from wide_labels, each either interned or appended (the same
 * text under another string id). */
static int make_wide(uint64_t *seed, struct ct_graph *g, struct spec *sp)
{
	struct ct_builder b;
	struct ct_error err = {0};
	uint32_t nc = 2 + pick(seed, 30), deg = 33 + pick(seed, 268);
	int rc = 0;

	sp->n = nc;
	sp->scalar = calloc(nc, sizeof(bool));
	ct_builder_init(&b, "test");
	for (uint32_t v = 0; v < nc && !rc; v++) {
		const char *t = v == 0 && pick(seed, 2) ? "dict" : v % 3 ? "Foo" : "dict";
		rc = ct_builder_node(&b, 0x1000 + (uint64_t)v * 16, ct_builder_intern(&b, t, strlen(t)),
				     48, 0, 0, false, 0, v + 1, &err);
		uint32_t n = v == 0 ? deg : pick(seed, 40);
		uint32_t few = 1 + pick(seed, N_WIDE);     /* how many distinct labels */
		for (uint32_t i = 0; i < n && !rc; i++) {
			const char *l = wide_labels[pick(seed, few)];
			uint32_t id = !l ? 0 : pick(seed, 4) ? ct_builder_intern(&b, l, strlen(l)) :
				      ct_builder_append(&b, l, strlen(l));
			rc = ct_builder_edge(&b, 0x1000 + (uint64_t)pick(seed, nc) * 16, id,
					     CT_EDGE_STRONG, &err);
		}
	}
	if (!rc)
		rc = ct_builder_build(&b, 0, g, &err);
	else
		ct_builder_finish(&b);
	CHECK(rc == 0, "building the wide graph: %s", err.msg);
	return rc;
}

/* Labels that differ only in invalid UTF-8 spell the same text: the
 * member names must still differ, and every reference be a member. */
static void test_invalid_utf8_labels(void)
{
	static const char *const l[] = {".a\xff", ".a\xfe", ".a\xef\xbf\xbd", "a\xff", "a\xfe",
					"@1@a\xff", ".a\xff", NULL, "\xc3", "\xc4"};
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	int rc;

	for (int dict = 0; dict < 2; dict++) {
		ct_builder_init(&b, "test");
		const char *t = dict ? "dict" : "Foo";
		rc = ct_builder_node(&b, 0x10, ct_builder_intern(&b, t, strlen(t)), 48, 0, 0, false, 0,
				     1, &err);
		for (uint32_t k = 0; k < 3; k++)
			for (size_t i = 0; !rc && i < sizeof(l) / sizeof(l[0]); i++)
				rc = ct_builder_edge(&b, 0x20, l[i] ? ct_builder_intern(&b, l[i], strlen(l[i])) : 0,
						     CT_EDGE_STRONG, &err);
		rc = rc ? rc : ct_builder_node(&b, 0x20, ct_builder_intern(&b, "Bar", 3), 48, 0, 0,
					       false, 0, 2, &err);
		rc = rc ? rc : ct_builder_build(&b, 0, &g, &err);
		if (!CHECK(rc == 0, "building: %s", err.msg))
			return;
		for (int style = 0; style < 3; style++) {
			struct ct_export_opts o = {.style = (enum ct_ref_style)style, .depth = UINT32_MAX};
			struct ct_export x;
			char *text = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&text, &len);
			rc = ct_export_init(&x, &g, &o, &err);
			rc = rc ? rc : ct_export_write(&x, f, 0, &err);
			ct_export_finish(&x);
			fclose(f);
			if (CHECK(rc == 0, "export: %s", err.msg)) {
				uint32_t m = check_strict("invalid UTF-8 labels", text, len);
				/* "$type" (and "$id") besides one member per reference */
				CHECK(m == 30 + 1 + (style == CT_REF_ID),
				      "invalid UTF-8 labels: %u members for 30 references:\n%s", m, text);
			}
			free(text);
		}
		ct_graph_finish(&g);
	}
}

/* ---- runtime objects ---- */

static void test_runtime(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	/* python: type, addr, edge labels to node 0x10 */
	static const struct {
		const char *format, *type, *labels[4];
		bool runtime;
	} cases[] = {
		{"python", "TreeNode", {".__class__", ".name"}, false},
		{"python", "type", {".__dict__"}, true},
		{"python", "MyMeta", {".__dict__", ".__mro__"}, true},      /* any metaclass */
		{"python", "ABCMeta", {NULL}, true},
		{"python", "module", {".__dict__"}, true},
		{"python", "function", {".__code__"}, true},
		{"python", "code", {NULL}, true},
		{"python", "builtin_function_or_method", {".__self__"}, true},
		{"python", "method_descriptor", {NULL}, true},
		{"python", "wrapper_descriptor", {NULL}, true},
		{"python", "getset_descriptor", {NULL}, true},
		{"python", "member_descriptor", {NULL}, true},
		{"python", "method", {".__func__", ".__self__"}, false},   /* a bound method: data */
		{"python", "dict", {"['__name__']", "['__spec__']", "['__loader__']"}, true},
		{"python", "dict", {"['__name__']", "['x']"}, false},
		{"python", "list", {"[0]"}, false},
		{"meliae", "function", {NULL}, true},
		{"v8", "(compiled code)", {NULL}, true},
		{"v8", "(system)", {NULL}, true},
		{"v8", "(object shape)", {NULL}, true},
		{"v8", "(synthetic)", {NULL}, true},
		{"v8", "(closure)", {".context"}, true},
		{"v8", "system / Context", {".holder"}, false},
		{"v8", "CtPair", {".peer"}, false},
		{"v8", "type", {NULL}, false},
		{"refjson", "type", {NULL}, false},    /* only what "$runtime" flagged */
		{"test", "function", {NULL}, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ct_builder_init(&b, cases[i].format);
		int rc = ct_builder_node(&b, 0x10, ct_builder_intern(&b, "X", 1), 8, 0, 0, false, 0, 1,
					 &err);
		rc = rc ? rc : ct_builder_node(&b, 0x20, ct_builder_intern(&b, cases[i].type,
									   strlen(cases[i].type)),
					       8, 0, 0, false, 0, 2, &err);
		for (int k = 0; !rc && k < 4 && cases[i].labels[k]; k++)
			rc = ct_builder_edge(&b, 0x10, ct_builder_intern(&b, cases[i].labels[k],
									 strlen(cases[i].labels[k])),
					     CT_EDGE_STRONG, &err);
		rc = rc ? rc : ct_builder_build(&b, 0, &g, &err);
		if (!CHECK(rc == 0, "building: %s", err.msg))
			continue;
		uint32_t v = ct_graph_find(&g, 0x20);
		CHECK(ct_export_is_runtime(&g, v) == cases[i].runtime, "%s %s: runtime should be %d",
		      cases[i].format, cases[i].type, cases[i].runtime);
		CHECK(!ct_export_is_runtime(&g, ct_graph_find(&g, 0x10)), "%s X is not runtime",
		      cases[i].format);
		ct_graph_finish(&g);
	}
}

static int export_import(const struct ct_graph *g, const struct ct_export_opts *o,
			 struct ct_graph *h, char **text, size_t *len)
{
	struct ct_export x;
	struct ct_error err = {0};
	struct ct_input in;
	FILE *f = open_memstream(text, len);
	int rc;

	if (!f)
		return -1;
	rc = ct_export_init(&x, g, o, &err);
	if (!rc)
		rc = ct_export_write(&x, f, 0, &err);
	ct_export_finish(&x);
	fclose(f);
	if (!CHECK(rc == 0, "export: %s", err.msg))
		return -1;
	check_strict("export", *text, *len);
	ct_input_init_mem(&in, *text, *len);
	rc = ct_load(&in, NULL, 0, h, &err);
	ct_input_finish(&in);
	CHECK(rc == 0, "import: line %" PRIu64 " column %" PRIu64 ": %s\n%s", err.line, err.column,
	      err.msg, *text);
	if (rc == 0)
		CHECK(strcmp(h->format, "refjson") == 0, "probed as %s", h->format);
	return rc;
}

/* The key codec on its own: every label survives, in and out of dicts. */
static void test_keys(void)
{
	struct ct_buf k, l;

	ct_buf_init(&k);
	ct_buf_init(&l);
	for (size_t i = 0; i < N_LABELS; i++)
		for (uint32_t dup = 0; dup < 3; dup++)
			for (int dict = 0; dict < 2; dict++) {
				const char *lab = labels[i] ? labels[i] : "";
				k.len = l.len = 0;
				CHECK(ct_export_key(&k, lab, dup, dict) == 0, "key");
				CHECK(k.len == 0 || (k.p[0] != '$'), "key '%s' starts with $", k.p);
				CHECK(ct_export_label(&l, k.p ? k.p : "", k.len, dict) == 0, "label");
				CHECK(strcmp(l.len ? l.p : "", lab) == 0, "label '%s' (dup %u, dict %d) -> key '%s' -> '%s'", lab, dup, dict,
				      k.p, l.len ? l.p : "");
			}
	/* Plain spellings where they are possible. */
	k.len = 0;
	ct_export_key(&k, ".children", 0, false);
	CHECK(strcmp(k.p, "children") == 0, "'.children' -> '%s'", k.p);
	k.len = 0;
	ct_export_key(&k, "['it\\'s']", 0, true);
	CHECK(strcmp(k.p, "@['it\\'s']") == 0, "a repr Python would not write stays escaped: '%s'", k.p);
	k.len = 0;
	ct_export_key(&k, "[\"it's\"]", 0, true);
	CHECK(strcmp(k.p, "it's") == 0, "'[\"it's\"]' -> '%s'", k.p);
	k.len = 0;
	ct_export_key(&k, "['a\\nb']", 0, true);
	CHECK(strcmp(k.p, "a\nb") == 0, "escapes unquoted: '%s'", k.p);
	k.len = 0;
	ct_export_key(&k, NULL, 2, false);
	CHECK(strcmp(k.p, "@2") == 0, "unlabelled -> '%s'", k.p);
	k.len = 0;
	ct_export_key(&k, ".x", 1, false);
	CHECK(strcmp(k.p, "@1@.x") == 0, "repeat -> '%s'", k.p);
	ct_buf_finish(&k);
	ct_buf_finish(&l);
}

int main(int argc, char **argv)
{
	uint32_t rounds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) :
			  getenv("CT_TEST_SMALL") ? 40 : 300;
	uint64_t seed = 0x5eed5eedULL;

	test_keys();
	test_invalid_utf8_labels();
	test_runtime();
	for (uint32_t r = 0; r < 2 * rounds && check_failures < 20; r++) {
		struct ct_graph g;
		struct spec sp = {0};
		uint64_t s0 = seed;
		/* odd rounds: wide objects with colliding labels */
		if ((r % 2 ? make_wide(&seed, &g, &sp) : make_graph(&seed, &g, &sp))) {
			free(sp.scalar);
			break;
		}
		for (int style = 0; style < 3; style++)
			for (int address = 0; address < 2; address++) {
				struct ct_export_opts o = {.style = (enum ct_ref_style)style,
							   .depth = UINT32_MAX, .address = address};
				struct ct_graph h;
				char *text = NULL, what[96];
				size_t len = 0;
				snprintf(what, sizeof(what), "round %u (seed %#" PRIx64 ") style %d%s", r, s0,
					 style, address ? " --address" : "");
				if (export_import(&g, &o, &h, &text, &len) == 0) {
					int before = check_failures;
					compare(what, &g, &sp, &h, address);
					if (check_failures != before)
						fprintf(stderr, "%s: the document was\n%s", what, text);
					ct_graph_finish(&h);
				}
				free(text);
			}
		ct_graph_finish(&g);
		free(sp.scalar);
	}
	return check_status("test_roundtrip");
}
