/* Identity keys and fingerprints for cycletool diff (lib/diff_key.h):
 * small hand-built dumps of each identity kind, built twice (with the
 * string ids shifted the second time) and changed in known ways. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/diff_key.h"
#include "lib/reach.h"

struct nd {
	uint64_t addr;
	const char *type;
	uint64_t size;
	const char *value;  /* NULL = none */
};

struct ed {
	uint32_t from, to;  /* indices into the node list */
	const char *label;  /* NULL = none */
};

/* Build a graph of format fmt from nodes[] added in the order perm[]
 * gives (NULL = as listed), each followed by its edges in list order.
 * pad strings are interned first so that string ids differ between two
 * builds of the same content. */
static void build(struct ct_graph *g, const char *fmt, const struct nd *nodes, uint32_t n,
		  const struct ed *edges, size_t ne, const uint32_t *perm, uint32_t pad,
		  unsigned opts)
{
	struct ct_builder b;
	struct ct_error err = {0};
	char junk[32];

	ct_builder_init(&b, fmt);
	b.no_labels = opts & CT_BUILD_NO_LABELS;  /* as formats.c does */
	for (uint32_t i = 0; i < pad; i++) {
		int len = snprintf(junk, sizeof(junk), "pad%u", i);
		ct_builder_intern(&b, junk, (size_t)len);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct nd *x = &nodes[perm ? perm[i] : i];
		uint32_t t = ct_builder_intern(&b, x->type, strlen(x->type));
		uint32_t v = x->value ? ct_builder_append(&b, x->value, strlen(x->value)) : 0;
		must(ct_builder_node(&b, x->addr, t, x->size, 0, v, false, 0, i + 1, &err), &err,
		     "node");
		for (size_t k = 0; k < ne; k++) {
			if (&nodes[edges[k].from] != x)
				continue;
			const char *l = edges[k].label;
			uint32_t lid = l ? ct_builder_intern(&b, l, strlen(l)) : 0;
			must(ct_builder_edge(&b, nodes[edges[k].to].addr, lid, CT_EDGE_STRONG, &err),
			     &err, "edge");
		}
	}
	must(ct_builder_build(&b, opts, g, &err), &err, "build");
}

struct keyed {
	struct ct_graph g;
	struct ct_reach r;
	uint64_t *key;
	uint32_t *fp;
};

/* Keys of g (reachability computed for structural identity). */
static void keys(struct keyed *k, enum ct_diff_identity id)
{
	struct ct_error err = {0};

	k->key = malloc((k->g.n_nodes + 1) * sizeof(*k->key));
	k->fp = malloc((k->g.n_nodes + 1) * sizeof(*k->fp));
	/* A sentinel, so that a node left unset shows. */
	for (uint32_t v = 0; v < k->g.n_nodes; v++) {
		k->key[v] = 0xdeadbeefULL;
		k->fp[v] = 0xdeadbeefU;
	}
	memset(&k->r, 0, sizeof(k->r));
	if (id == CT_DIFF_STRUCTURAL)
		must(ct_reach_compute(&k->g, &k->r, &err), &err, "reach");
	must(ct_diff_keys(&k->g, id == CT_DIFF_STRUCTURAL ? &k->r : NULL, id, k->key, k->fp,
			  &err), &err, "keys");
}

static void keyed_finish(struct keyed *k)
{
	free(k->key);
	free(k->fp);
	ct_reach_finish(&k->r);
	ct_graph_finish(&k->g);
}

static uint32_t at(const struct keyed *k, uint64_t addr)
{
	uint32_t v = ct_graph_find(&k->g, addr);
	if (v == CT_NONE) {
		fprintf(stderr, "setup failed: no node at %#llx\n", (unsigned long long)addr);
		exit(2);
	}
	return v;
}

static uint64_t key_at(const struct keyed *k, uint64_t addr)
{
	return k->key[at(k, addr)];
}

static uint32_t fp_at(const struct keyed *k, uint64_t addr)
{
	return k->fp[at(k, addr)];
}

/* Every node of a has the key and fingerprint of the node at its address
 * in b. */
static bool same_by_addr(const struct keyed *a, const struct keyed *b)
{
	if (a->g.n_nodes != b->g.n_nodes)
		return false;
	for (uint32_t v = 0; v < a->g.n_nodes; v++) {
		uint32_t w = at(b, ct_graph_addr(&a->g, v));
		if (a->key[v] != b->key[w] || a->fp[v] != b->fp[w])
			return false;
	}
	return true;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* The keys of a and b are equal as multisets. */
static bool same_multiset(const struct keyed *a, const struct keyed *b)
{
	uint32_t n = a->g.n_nodes;
	if (n != b->g.n_nodes)
		return false;
	uint64_t *x = malloc((n + 1) * sizeof(*x)), *y = malloc((n + 1) * sizeof(*y));
	memcpy(x, a->key, n * sizeof(*x));
	memcpy(y, b->key, n * sizeof(*y));
	qsort(x, n, sizeof(*x), cmp_u64);
	qsort(y, n, sizeof(*y), cmp_u64);
	bool same = memcmp(x, y, n * sizeof(*x)) == 0;
	free(x);
	free(y);
	return same;
}

static void test_identity_of(void)
{
	struct ct_graph g = {0};
	const char *fmts[] = {"v8", "python", "meliae", "refjson", "graphml", NULL};
	const enum ct_diff_identity want[] = {CT_DIFF_EXACT, CT_DIFF_ADDRESS, CT_DIFF_ADDRESS,
		CT_DIFF_STRUCTURAL, CT_DIFF_STRUCTURAL, CT_DIFF_STRUCTURAL};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(*fmts); i++) {
		g.format = fmts[i];
		CHECK(ct_diff_identity_of(&g) == want[i], "identity of %s", fmts[i] ? fmts[i] : "NULL");
	}
}

/* Python: a str, a list, an instance of Foo, its class, an int, a tuple,
 * None. */
enum { STR = 0x100, LIST = 0x200, FOO = 0x300, FOOCLS = 0x400, INT = 0x500, TUP = 0x600,
	NONE = 0x700 };

static const struct nd py_nodes[] = {
	{STR, "str", 54, "hello"},
	{LIST, "list", 72, NULL},
	{FOO, "Foo", 48, NULL},
	{FOOCLS, "type", 1064, "Foo"},
	{INT, "int", 28, "42"},
	{TUP, "tuple", 56, NULL},
	{NONE, "NoneType", 16, "None"},
};
static const struct ed py_edges[] = {
	{1, 0, "[0]"}, {1, 2, "[1]"},
	{2, 3, ".__class__"}, {2, 0, ".name"}, {2, 4, ".count"},
	{5, 0, "[0]"}, {5, 4, "[1]"},
};

static void test_python(void)
{
	struct keyed a, a2, b;
	const size_t nn = sizeof(py_nodes) / sizeof(*py_nodes);
	const size_t ne = sizeof(py_edges) / sizeof(*py_edges);

	build(&a.g, "python", py_nodes, nn, py_edges, ne, NULL, 0, 0);
	keys(&a, CT_DIFF_ADDRESS);
	build(&a2.g, "python", py_nodes, nn, py_edges, ne, NULL, 7, 0);
	keys(&a2, CT_DIFF_ADDRESS);
	CHECK(a.g.strings.count != a2.g.strings.count, "setup: string ids differ between builds");
	CHECK(same_by_addr(&a, &a2), "python: the same dump built twice, the same keys and fps");
	for (uint32_t v = 0; v < a.g.n_nodes; v++)
		CHECK(a.key[v] == ct_graph_addr(&a.g, v), "python: key is the address (node %u)", v);
	CHECK(fp_at(&a, STR) && fp_at(&a, INT) && fp_at(&a, TUP) && fp_at(&a, FOO),
	      "python: str, int, tuple, instance have a fingerprint");
	CHECK(fp_at(&a, LIST) == 0 && fp_at(&a, FOOCLS) == 0 && fp_at(&a, NONE) == 0,
	      "python: list, type, None have none");
	CHECK(fp_at(&a, STR) != fp_at(&a, INT), "python: different objects, different fps");

	/* The second dump: the str at STR is another ("world"), the list
	 * grew, Foo gained an attribute, the tuple holds a str in place of
	 * the int. */
	struct nd n2[sizeof(py_nodes) / sizeof(*py_nodes) + 1];
	memcpy(n2, py_nodes, sizeof(py_nodes));
	n2[0].value = "world";
	n2[1].size = 120;
	n2[nn] = (struct nd){0x800, "str", 52, "new"};
	const struct ed e2[] = {
		{1, 0, "[0]"}, {1, 2, "[1]"}, {1, 7, "[2]"},
		{2, 3, ".__class__"}, {2, 0, ".name"}, {2, 4, ".count"}, {2, 7, ".extra"},
		{5, 0, "[0]"}, {5, 0, "[1]"},
	};
	build(&b.g, "python", n2, nn + 1, e2, sizeof(e2) / sizeof(*e2), NULL, 3, 0);
	keys(&b, CT_DIFF_ADDRESS);
	CHECK(key_at(&b, STR) == key_at(&a, STR) && fp_at(&b, STR) != fp_at(&a, STR),
	      "python: a str at the same address with another value, another fp");
	CHECK(key_at(&b, LIST) == key_at(&a, LIST) && fp_at(&b, LIST) == 0,
	      "python: a list that grew keeps its key and fp 0");
	CHECK(fp_at(&b, FOO) != fp_at(&a, FOO), "python: an instance that gained an attribute");
	CHECK(fp_at(&b, TUP) != fp_at(&a, TUP), "python: a tuple of other referent types");
	CHECK(fp_at(&b, INT) == fp_at(&a, INT), "python: the unchanged int, the same fp");
	keyed_finish(&b);

	/* Attributes in another order (holding each other's values): the
	 * same instance. */
	const struct ed e3[] = {
		{1, 0, "[0]"}, {1, 2, "[1]"},
		{2, 4, ".count"}, {2, 0, ".name"}, {2, 3, ".__class__"},
		{5, 0, "[0]"}, {5, 4, "[1]"},
	};
	build(&b.g, "python", py_nodes, nn, e3, sizeof(e3) / sizeof(*e3), NULL, 1, 0);
	keys(&b, CT_DIFF_ADDRESS);
	CHECK(fp_at(&b, FOO) == fp_at(&a, FOO), "python: attribute order does not matter");
	keyed_finish(&b);

	/* An attribute renamed: another object. */
	const struct ed e4[] = {
		{2, 3, ".__class__"}, {2, 0, ".name"}, {2, 4, ".total"},
	};
	build(&b.g, "python", py_nodes, nn, e4, sizeof(e4) / sizeof(*e4), NULL, 0, 0);
	keys(&b, CT_DIFF_ADDRESS);
	CHECK(fp_at(&b, FOO) != fp_at(&a, FOO), "python: an attribute renamed, another fp");
	keyed_finish(&b);

	/* Loaded without labels: no instance is found; immutables still are. */
	build(&b.g, "python", py_nodes, nn, py_edges, ne, NULL, 0, CT_BUILD_NO_LABELS);
	keys(&b, CT_DIFF_ADDRESS);
	CHECK(fp_at(&b, FOO) == 0, "python without labels: an instance gets fp 0");
	CHECK(fp_at(&b, STR) == fp_at(&a, STR) && fp_at(&b, TUP) == fp_at(&a, TUP),
	      "python without labels: immutables keep their fps");
	keyed_finish(&b);

	/* Packed labels read as plain ones. */
	struct ct_error err = {0};
	build(&b.g, "python", py_nodes, nn, py_edges, ne, NULL, 0, 0);
	must(ct_graph_pack_labels(&b.g, &err), &err, "pack");
	keys(&b, CT_DIFF_ADDRESS);
	CHECK(b.g.label == NULL && same_by_addr(&a, &b), "python with packed labels: the same");
	keyed_finish(&b);

	keyed_finish(&a);
	keyed_finish(&a2);
}

static void test_v8(void)
{
	struct keyed a, a2, b;
	const struct nd n[] = {
		{1, "(system)", 0, ""},
		{3, "(closure)", 32, "handler"},
		{5, "Foo", 24, "Foo"},
	};
	const struct ed e[] = {{0, 1, ".h"}, {0, 2, ".f"}, {2, 1, ".cb"}};

	build(&a.g, "v8", n, 3, e, 3, NULL, 0, 0);
	keys(&a, CT_DIFF_EXACT);
	build(&a2.g, "v8", n, 3, e, 3, NULL, 5, 0);
	keys(&a2, CT_DIFF_EXACT);
	CHECK(same_by_addr(&a, &a2), "v8: the same dump built twice, the same keys and fps");
	CHECK(key_at(&a, 3) == 3 && key_at(&a, 5) == 5, "v8: key is the node id");
	CHECK(fp_at(&a, 3) != fp_at(&a, 5), "v8: names differ, fps differ");

	struct nd n2[3];
	memcpy(n2, n, sizeof(n));
	n2[1].value = "other";
	n2[2].size = 4096;
	build(&b.g, "v8", n2, 3, e, 2, NULL, 0, 0);
	keys(&b, CT_DIFF_EXACT);
	CHECK(key_at(&b, 3) == key_at(&a, 3) && fp_at(&b, 3) != fp_at(&a, 3),
	      "v8: the same id with another name, another fp");
	CHECK(fp_at(&b, 5) == fp_at(&a, 5), "v8: the same name (other size, edges), the same fp");
	keyed_finish(&b);
	keyed_finish(&a);
	keyed_finish(&a2);
}

/* A JSON document: {"a": {"x": "1", "y": [5, 5]}, "b": {"x": "1"}}, and
 * two objects that only refer to each other (unreachable). */
enum { DOC = 1, A, AX, AY, AY0, AY1, B, BX, U1, U2 };
static const struct nd doc_nodes[] = {
	{DOC, "object", 0, NULL},
	{A, "object", 0, NULL},
	{AX, "str", 0, "1"},
	{AY, "list", 0, NULL},
	{AY0, "int", 0, "5"},
	{AY1, "int", 0, "5"},
	{B, "object", 0, NULL},
	{BX, "str", 0, "1"},
	{U1, "object", 0, "u"},
	{U2, "object", 0, "v"},
};
#define N_DOC (sizeof(doc_nodes) / sizeof(*doc_nodes))
static const struct ed doc_edges[] = {
	{0, 1, "a"}, {0, 6, "b"},
	{1, 2, "x"}, {1, 3, "y"},
	{3, 4, "[0]"}, {3, 5, "[1]"},
	{6, 7, "x"},
	{8, 9, "peer"}, {9, 8, "peer"},
};
#define NE_DOC (sizeof(doc_edges) / sizeof(*doc_edges))

static void test_structural(void)
{
	struct keyed a, a2, b;
	const uint32_t perm[N_DOC] = {9, 7, 5, 3, 1, 8, 6, 4, 2, 0};

	build(&a.g, "refjson", doc_nodes, N_DOC, doc_edges, NE_DOC, NULL, 0, 0);
	keys(&a, CT_DIFF_STRUCTURAL);
	build(&a2.g, "refjson", doc_nodes, N_DOC, doc_edges, NE_DOC, perm, 4, 0);
	keys(&a2, CT_DIFF_STRUCTURAL);
	CHECK(ct_graph_addr(&a2.g, 0) == U2 && ct_graph_addr(&a.g, 0) == DOC, "setup: node orders differ");
	CHECK(same_multiset(&a, &a2), "structural: built in another order, the same key multiset");
	CHECK(same_by_addr(&a, &a2), "structural: built in another order, each node the same key");
	CHECK(key_at(&a, AX) != key_at(&a, BX), "structural: a.x and b.x are different paths");
	CHECK(fp_at(&a, AX) == fp_at(&a, BX), "structural: equal values, equal fps");
	CHECK(key_at(&a, AY0) != key_at(&a, AY1), "structural: the position is identity");
	CHECK(fp_at(&a, AX) != fp_at(&a, AY0), "structural: fp from the value");
	CHECK(key_at(&a, U1) != 0xdeadbeefULL && key_at(&a, U2) != 0xdeadbeefULL &&
	      key_at(&a, U1) != key_at(&a, U2), "structural: unreachable nodes get their own keys");
	CHECK(!a.r.alive[at(&a, U1)], "setup: U1 unreachable");
	for (uint32_t v = 0; v < a.g.n_nodes; v++)
		CHECK(a.key[v] != 0xdeadbeefULL && a.fp[v] != 0xdeadbeefU && a.fp[v] != 0,
		      "structural: node %u keyed", v);

	/* "a" moved to "c", and U1's value changed. */
	struct ed e2[NE_DOC];
	struct nd n2[N_DOC];
	memcpy(e2, doc_edges, sizeof(e2));
	memcpy(n2, doc_nodes, sizeof(n2));
	e2[0].label = "c";
	n2[8].value = "w";
	build(&b.g, "refjson", n2, N_DOC, e2, NE_DOC, NULL, 0, 0);
	keys(&b, CT_DIFF_STRUCTURAL);
	CHECK(key_at(&b, A) != key_at(&a, A) && key_at(&b, AX) != key_at(&a, AX) &&
	      key_at(&b, AY1) != key_at(&a, AY1), "structural: a moved to c, it and below rekeyed");
	CHECK(key_at(&b, B) == key_at(&a, B) && key_at(&b, BX) == key_at(&a, BX) &&
	      key_at(&b, DOC) == key_at(&a, DOC), "structural: b and the root keep their keys");
	CHECK(key_at(&b, U1) != key_at(&a, U1) && key_at(&b, U2) == key_at(&a, U2),
	      "structural: an unreachable node's key follows its value");
	CHECK(fp_at(&b, U1) != fp_at(&a, U1), "structural: fp follows the value");
	keyed_finish(&b);

	/* A root of another value: every path under it changes. */
	memcpy(n2, doc_nodes, sizeof(n2));
	n2[0].value = "other";
	build(&b.g, "refjson", n2, N_DOC, doc_edges, NE_DOC, NULL, 0, 0);
	keys(&b, CT_DIFF_STRUCTURAL);
	CHECK(key_at(&b, DOC) != key_at(&a, DOC) && key_at(&b, BX) != key_at(&a, BX),
	      "structural: the root's value is part of every key");
	keyed_finish(&b);

	/* Without labels, positions tell siblings apart. */
	build(&b.g, "graphml", doc_nodes, N_DOC, doc_edges, NE_DOC, NULL, 0, CT_BUILD_NO_LABELS);
	keys(&b, CT_DIFF_STRUCTURAL);
	CHECK(key_at(&b, AY0) != key_at(&b, AY1) && key_at(&b, A) != key_at(&b, B),
	      "structural without labels: siblings differ by position");
	keyed_finish(&b);

	/* No reachability: refused. */
	struct ct_error err = {0};
	uint64_t k[N_DOC];
	uint32_t f[N_DOC];
	CHECK(ct_diff_keys(&a.g, NULL, CT_DIFF_STRUCTURAL, k, f, &err) == CT_EUSAGE,
	      "structural without reachability: CT_EUSAGE");
	keyed_finish(&a);
	keyed_finish(&a2);
}

/* A long chain: no recursion, and every depth its own key. */
static void test_long(void)
{
	uint32_t n = test_small() ? 20000 : 500000;
	struct keyed a;
	struct ct_builder bld;
	struct ct_error err = {0};

	ct_builder_init(&bld, "refjson");
	bld.by_index = true;
	uint32_t t = ct_builder_intern(&bld, "object", 6), l = ct_builder_intern(&bld, "next", 4);
	for (uint32_t v = 0; v < n; v++) {
		must(ct_builder_node(&bld, v + 1, t, 8, 0, 0, false, 0, 0, &err), &err, "node");
		if (v + 1 < n)
			must(ct_builder_edge_index(&bld, v + 1, l, CT_EDGE_STRONG, &err), &err, "edge");
	}
	must(ct_builder_build(&bld, 0, &a.g, &err), &err, "build");
	keys(&a, CT_DIFF_STRUCTURAL);
	CHECK(a.r.dist[n - 1] == n - 1, "setup: a chain of %u", n);
	uint64_t *sorted = malloc(n * sizeof(*sorted));
	memcpy(sorted, a.key, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	uint32_t dups = 0;
	for (uint32_t i = 1; i < n; i++)
		dups += sorted[i] == sorted[i - 1];
	CHECK(dups == 0, "chain: every depth its own key (%u repeats)", dups);
	free(sorted);
	keyed_finish(&a);
}

int main(void)
{
	test_identity_of();
	test_python();
	test_v8();
	test_structural();
	test_long();
	return check_status("test_diff_key");
}
