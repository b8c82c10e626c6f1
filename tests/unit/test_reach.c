/* Unit test: lib/reach.c, against an independent fixed-point oracle. */
#include <inttypes.h>

#include "check.h"
#include "lib/reach.h"

#define S CT_EDGE_STRONG
#define W CT_EDGE_WEAK
#define I CT_EDGE_INTERNAL
#define X CT_EDGE_SHORTCUT

struct oracle {
	uint8_t *alive, *root;
	uint32_t *dist;
	uint64_t n_roots, n_tracked, n_garbage, garbage_bytes, n_overcounted;
};

/* Is edge e from u followed?  Strong and internal edges, and shortcuts
 * from a node flagged as a root (V8's synthetic root). */
static bool followed(const struct ct_graph *g, uint32_t u, uint32_t e)
{
	uint8_t k = g->kind[e];
	return k == CT_EDGE_STRONG || k == CT_EDGE_INTERNAL ||
	       (k == CT_EDGE_SHORTCUT && (g->flags[u] & CT_NODE_ROOT));
}

/* The collector's rule, computed the slow, obvious way. */
static void oracle_compute(const struct ct_graph *g, struct oracle *o)
{
	uint32_t n = g->n_nodes;
	bool counts = g->refcount != NULL && !g->roots_given;
	uint64_t *in = calloc(n + 1, sizeof(*in));

	memset(o, 0, sizeof(*o));
	o->alive = calloc(n + 1, 1);
	o->root = calloc(n + 1, 1);
	o->dist = malloc((n + 1) * sizeof(*o->dist));
	for (uint32_t u = 0; u < n; u++) {
		if (counts && (g->flags[u] & CT_NODE_LEAF))
			continue;  /* the collector does not traverse untracked objects */
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++)
			if (g->kind[e] == CT_EDGE_STRONG || g->kind[e] == CT_EDGE_INTERNAL)
				in[g->dst[e]]++;
	}
	for (uint32_t v = 0; v < n; v++) {
		bool root = (g->flags[v] & CT_NODE_ROOT) != 0;
		bool tracked = !(g->flags[v] & CT_NODE_LEAF);
		if (g->roots_given) {
			/* the flagged nodes only */
		} else if (counts) {
			if (tracked && g->refcount[v] > in[v])
				root = true;
			if (tracked && in[v] > g->refcount[v])
				o->n_overcounted++;
		} else if (in[v] == 0) {
			root = true;
		}
		o->root[v] = root;
		o->n_roots += root;
		o->dist[v] = root ? 0 : UINT32_MAX;
	}
	/* Bellman-Ford style relaxation until nothing changes. */
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t u = 0; u < n; u++) {
			if (o->dist[u] == UINT32_MAX)
				continue;
			for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
				uint32_t w = g->dst[e];
				if (followed(g, u, e) && o->dist[u] + 1 < o->dist[w]) {
					o->dist[w] = o->dist[u] + 1;
					changed = true;
				}
			}
		}
	}
	for (uint32_t v = 0; v < n; v++) {
		o->alive[v] = o->dist[v] != UINT32_MAX;
		if (!(g->flags[v] & CT_NODE_LEAF)) {
			o->n_tracked++;
			if (!o->alive[v]) {
				o->n_garbage++;
				o->garbage_bytes += ct_graph_size(g, v);
			}
		}
	}
	free(in);
}

static void oracle_free(struct oracle *o)
{
	free(o->alive);
	free(o->root);
	free(o->dist);
}

static void compare(const char *what, const struct ct_graph *g)
{
	struct ct_reach r;
	struct ct_error err = {0};
	struct oracle o;

	if (!CHECK(ct_reach_compute(g, &r, &err) == 0, "%s: compute: %s", what, err.msg))
		return;
	oracle_compute(g, &o);
	CHECK(r.mode == (g->roots_given ? CT_REACH_ROOTS : g->refcount ? CT_REACH_REFCOUNT :
			 CT_REACH_INDEGREE), "%s: mode", what);
	CHECK(r.n_roots == o.n_roots && r.n_tracked == o.n_tracked && r.n_garbage == o.n_garbage &&
	      r.garbage_bytes == o.garbage_bytes && r.n_overcounted == o.n_overcounted,
	      "%s: roots %" PRIu64 "/%" PRIu64 " tracked %" PRIu64 "/%" PRIu64
	      " garbage %" PRIu64 "/%" PRIu64 " bytes %" PRIu64 "/%" PRIu64
	      " overcounted %" PRIu64 "/%" PRIu64 " (got/want)", what, r.n_roots, o.n_roots,
	      r.n_tracked, o.n_tracked, r.n_garbage, o.n_garbage, r.garbage_bytes,
	      o.garbage_bytes, r.n_overcounted, o.n_overcounted);
	int bad = 0;
	uint32_t *pn = malloc((g->n_nodes + 1) * sizeof(*pn));
	uint32_t *pe = malloc((g->n_nodes + 1) * sizeof(*pe));
	for (uint32_t v = 0; v < g->n_nodes && bad < 5; v++) {
		bad += !CHECK(r.alive[v] == o.alive[v] && r.root[v] == o.root[v],
			      "%s: node %u alive %u/%u root %u/%u", what, v, r.alive[v], o.alive[v],
			      r.root[v], o.root[v]);
		bad += !CHECK(r.dist[v] == o.dist[v], "%s: node %u dist %u want %u", what, v,
			      r.dist[v], o.dist[v]);
		bad += !CHECK(ct_reach_is_garbage(g, &r, v) ==
			      (!(g->flags[v] & CT_NODE_LEAF) && !o.alive[v]), "%s: garbage %u", what, v);
		if (!r.alive[v] || r.root[v]) {
			bad += !CHECK(r.parent[v] == CT_NONE, "%s: node %u (root or dead) has parent %u",
				      what, v, r.parent[v]);
		} else {
			uint32_t p = r.parent[v], e = r.parent_edge[v];
			bad += !CHECK(p < g->n_nodes && e >= g->out_off[p] && e < g->out_off[p + 1] &&
				      g->dst[e] == v && followed(g, p, e) &&
				      r.dist[p] + 1 == r.dist[v], "%s: node %u: bad parent %u edge %u",
				      what, v, p, e);
		}
		uint32_t len = ct_reach_path(&r, v, pn, pe, g->n_nodes + 1);
		if (!o.alive[v]) {
			bad += !CHECK(len == 0, "%s: path to dead node %u has %u nodes", what, v, len);
			continue;
		}
		if (!CHECK(len == o.dist[v] + 1 && pn[len - 1] == v && o.root[pn[0]],
			   "%s: path to %u: %u nodes, want %u", what, v, len, o.dist[v] + 1)) {
			bad++;
			continue;
		}
		for (uint32_t i = 0; i + 1 < len; i++)
			bad += !CHECK(pe[i] >= g->out_off[pn[i]] && pe[i] < g->out_off[pn[i] + 1] &&
				      g->dst[pe[i]] == pn[i + 1], "%s: path to %u, step %u", what, v, i);
		/* Too small a buffer: the length comes back, nothing written. */
		if (len > 1) {
			pn[0] = 12345;
			CHECK(ct_reach_path(&r, v, pn, pe, len - 1) == len && pn[0] == 12345,
			      "%s: short buffer", what);
		}
	}
	free(pn);
	free(pe);
	oracle_free(&o);
	ct_reach_finish(&r);
	ct_reach_finish(&r);
}

static void test_random(void)
{
	uint64_t seed = 2024;

	for (int round = 0; round < 400; round++) {
		uint32_t n = 1 + rng_below(&seed, round < 300 ? 40 : 2000);
		size_t ne = rng_below(&seed, 3 * n + 1);
		struct tg_edge *e = malloc((ne ? ne : 1) * sizeof(*e));
		uint64_t *rc = calloc(n, sizeof(*rc)), *size = malloc(n * sizeof(*size));
		uint8_t *fl = calloc(n, 1);
		/* Rings now and then, so that cycles are common. */
		for (size_t i = 0; i < ne; i++) {
			uint32_t from = rng_below(&seed, n), k = rng_below(&seed, 10);
			uint32_t to = rng_below(&seed, 4) ? (from + 1 + rng_below(&seed, 3)) % n :
							    rng_below(&seed, n);
			e[i] = (struct tg_edge){from, to, k < 7 ? S : k < 8 ? W : k < 9 ? I : X, NULL};
		}
		for (uint32_t v = 0; v < n; v++) {
			uint32_t k = rng_below(&seed, 100);
			fl[v] = (k < 10 ? CT_NODE_LEAF : 0) | (k >= 97 ? CT_NODE_ROOT : 0) |
				(k % 7 == 0 ? CT_NODE_FINALIZER : 0);
			size[v] = rng_below(&seed, 1000);
		}
		/* Counts: the internal count, plus sometimes an external
		 * reference, minus sometimes one (inconsistent dumps). */
		for (size_t i = 0; i < ne; i++)
			if (ct_edge_kind_is_strong(e[i].kind) && !(fl[e[i].from] & CT_NODE_LEAF))
				rc[e[i].to]++;
		for (uint32_t v = 0; v < n; v++) {
			uint32_t k = rng_below(&seed, 100);
			if (k < 8)
				rc[v] += 1 + rng_below(&seed, 3);
			else if (k < 11 && rc[v])
				rc[v]--;
		}
		struct tg_spec sp = {.n = n, .sizes = size, .flags = fl,
				     .refcounts = round % 3 ? rc : NULL, .edges = e, .n_edges = ne};
		struct ct_graph g;
		tg_build(&g, &sp);
		g.roots_given = round % 4 == 3;
		char what[64];
		snprintf(what, sizeof(what), "round %d (n=%u m=%zu %s)", round, n, ne,
			 g.roots_given ? "roots given" : sp.refcounts ? "refcount" : "indegree");
		int before = check_failures;
		compare(what, &g);
		ct_graph_finish(&g);
		free(e);
		free(rc);
		free(size);
		free(fl);
		if (check_failures > before)
			break;
	}
}

/* The example dump of the notes: two TreeNode cycles, one held from
 * outside (refcount 2), a type object, a self-referencing dict. */
static void test_example(void)
{
	const char *types[] = {"TreeNode", "list", "TreeNode", "type", "TreeNode", "list",
			       "TreeNode", "dict", "str"};
	uint64_t rc[] = {1, 1, 1, 10, 2, 1, 1, 2, 0};
	uint8_t fl[] = {0, 0, 0, 0, 0, 0, 0, 0, CT_NODE_LEAF};
	struct tg_edge e[] = {
		{0, 1, S, ".children"}, {0, 3, S, "__class__"}, {1, 2, S, "[0]"},
		{2, 0, S, ".parent"}, {2, 3, S, "__class__"}, {4, 5, S, ".children"},
		{4, 3, S, "__class__"}, {5, 6, S, "[0]"}, {6, 4, S, ".parent"},
		{6, 3, S, "__class__"}, {7, 7, S, "['self']"}, {7, 8, S, "<key>"},
	};
	struct tg_spec sp = {.n = 9, .types = types, .flags = fl, .refcounts = rc,
			     .edges = e, .n_edges = sizeof(e) / sizeof(e[0])};
	struct ct_graph g;
	struct ct_reach r;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	compare("example", &g);
	if (ct_reach_compute(&g, &r, &err) == 0) {
		/* The dict holds itself once but has refcount 2: held from outside. */
		uint8_t want_garbage[] = {1, 1, 1, 0, 0, 0, 0, 0, 0};
		for (uint32_t v = 0; v < 9; v++)
			CHECK(ct_reach_is_garbage(&g, &r, v) == want_garbage[v], "example: node %u", v);
		CHECK(r.n_garbage == 3 && r.n_tracked == 8, "example: %" PRIu64 " garbage",
		      r.n_garbage);
		CHECK(r.root[3] && r.root[4] && r.root[7] && r.n_roots == 3, "example roots");
		ct_reach_finish(&r);
	}
	ct_graph_finish(&g);

	/* Without counts: unreferenced objects are the roots. */
	sp.refcounts = NULL;
	tg_build(&g, &sp);
	compare("example without counts", &g);
	ct_graph_finish(&g);

	/* V8-like: the synthetic root (flagged, roots given) reaches a global
	 * object through a shortcut and a root group through an element edge;
	 * shortcuts from other nodes and weak edges keep nothing alive; an
	 * unreferenced cycle is garbage although nothing refers to it. */
	const char *v8types[] = {"(synthetic)", "(synthetic)", "Window", "Foo", "Foo", "Bar",
				 "Baz", "Baz"};
	uint8_t v8fl[8] = {CT_NODE_ROOT};
	struct tg_edge v8e[] = {
		{0, 1, S, "[1]"}, {0, 2, X, ".global"}, {1, 3, I, ".handle"}, {2, 5, X, ".bar"},
		{3, 4, S, ".peer"}, {4, 3, S, ".peer"}, {4, 5, W, ".weak"}, {6, 7, S, ".a"},
		{7, 6, S, ".b"},
	};
	struct tg_spec v8 = {.n = 8, .types = v8types, .flags = v8fl, .edges = v8e,
			     .n_edges = sizeof(v8e) / sizeof(v8e[0])};
	tg_build(&g, &v8);
	g.roots_given = true;
	compare("v8 example", &g);
	if (ct_reach_compute(&g, &r, &err) == 0) {
		uint8_t want_alive[] = {1, 1, 1, 1, 1, 0, 0, 0};
		for (uint32_t v = 0; v < 8; v++)
			CHECK(r.alive[v] == want_alive[v], "v8 example: node %u alive %u", v,
			      r.alive[v]);
		CHECK(r.mode == CT_REACH_ROOTS && r.n_roots == 1 && r.n_garbage == 3,
		      "v8 example: %" PRIu64 " roots, %" PRIu64 " garbage", r.n_roots, r.n_garbage);
		CHECK(r.parent[2] == 0 && r.dist[4] == 3, "v8 example: paths");
		ct_reach_finish(&r);
	}
	ct_graph_finish(&g);

	/* Empty graph. */
	struct tg_spec none = {0};
	tg_build(&g, &none);
	CHECK(ct_reach_compute(&g, &r, &err) == 0 && r.n_tracked == 0 && r.n_garbage == 0,
	      "empty graph");
	ct_reach_finish(&r);
	ct_reach_finish(NULL);
	ct_graph_finish(&g);
}

int main(void)
{
	test_example();
	test_random();
	return check_status("test_reach");
}
