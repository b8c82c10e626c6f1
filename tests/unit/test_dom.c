/* lib/dom.c: immediate dominators against igraph's dominator tree on
 * random graphs of several shapes (a super-root added as an extra vertex
 * with an edge to each root), retained sizes against their definition
 * (what becomes unreachable when the node goes) on small random graphs,
 * hand-made cases, and chains millions long (no recursion). */
#include <inttypes.h>

#include "check.h"
#include "igraph_util.h"
#include "lib/dom.h"

/* The rule under test, written out independently: does this edge count?
 * arg: the node flags, or NULL (an ig_keep_fn, so that igraph gets the
 * same edges). */
static bool counts(const struct tg_edge *e, const void *arg)
{
	const uint8_t *flags = arg;

	return e->kind == CT_EDGE_STRONG || e->kind == CT_EDGE_INTERNAL ||
	       (e->kind == CT_EDGE_SHORTCUT && flags && (flags[e->from] & CT_NODE_ROOT));
}

struct spec {
	uint32_t n;
	const struct edges *es;
	const uint8_t *root;     /* per node */
	const uint8_t *flags;    /* per node or NULL */
	const uint64_t *sizes;   /* per node or NULL */
};

static bool compute(const char *what, const struct spec *sp, struct ct_graph *g,
		    struct ct_dom *d)
{
	struct tg_spec ts = {.n = sp->n, .edges = sp->es->e, .n_edges = sp->es->n,
			     .flags = sp->flags, .sizes = sp->sizes};
	struct ct_error err = {0};

	tg_build(g, &ts);
	if (!CHECK(ct_dom_compute(g, sp->root, d, &err) == 0, "%s: %s", what, err.msg)) {
		ct_graph_finish(g);
		return false;
	}
	return true;
}

/* Immediate dominators against igraph_dominator_tree(). */
static void against_igraph(const char *what, const struct spec *sp)
{
	struct ct_graph g;
	struct ct_dom d;
	uint32_t n = sp->n;

	if (!compute(what, sp, &g, &d))
		return;
	igraph_vector_int_t ev, dom, leftout;
	igraph_t ig;
	igraph_failed = 0;
	igraph_vector_int_init(&ev, 0);
	igraph_vector_int_init(&dom, 0);
	igraph_vector_int_init(&leftout, 0);
	for (uint32_t v = 0; v < n; v++) {
		if (!sp->root[v])
			continue;
		igraph_vector_int_push_back(&ev, n);     /* the super-root */
		igraph_vector_int_push_back(&ev, v);
	}
	if (!ig_create(&ig, &ev, (igraph_integer_t)n + 1, sp->es, counts, sp->flags)) {
		CHECK(0, "%s: igraph_create failed", what);
		goto out;
	}
	if (igraph_dominator_tree(&ig, n, &dom, NULL, &leftout, IGRAPH_OUT) || igraph_failed) {
		CHECK(0, "%s: igraph_dominator_tree failed", what);
		goto out_ig;
	}
	uint8_t *unreached = calloc(n + 1, 1);
	for (igraph_integer_t i = 0; i < igraph_vector_int_size(&leftout); i++)
		unreached[VECTOR(leftout)[i]] = 1;
	int bad = 0;
	uint32_t reached = 0;
	for (uint32_t v = 0; v < n && bad < 5; v++) {
		uint32_t want = unreached[v] ? CT_NONE :
				VECTOR(dom)[v] == (igraph_integer_t)n ? CT_DOM_SUPER :
				(uint32_t)VECTOR(dom)[v];
		reached += !unreached[v];
		bad += !CHECK(d.idom[v] == want, "%s: node %u: idom %u, igraph says %u", what, v,
			      d.idom[v], want);
		if (unreached[v])
			bad += !CHECK(d.retained[v] == 0 && d.retained_objects[v] == 0,
				      "%s: unreachable node %u retains %" PRIu64, what, v,
				      d.retained[v]);
	}
	CHECK(bad || d.n_reached == reached, "%s: %u reached, igraph %u", what, d.n_reached,
	      reached);
	free(unreached);
out_ig:
	igraph_destroy(&ig);
out:
	igraph_vector_int_destroy(&ev);
	igraph_vector_int_destroy(&dom);
	igraph_vector_int_destroy(&leftout);
	ct_dom_finish(&d);
	ct_graph_finish(&g);
}

/* Nodes reachable from the roots without passing through node cut
 * (CT_NONE = none cut), into seen[]. */
static void reach_without(const struct spec *sp, uint32_t cut, uint8_t *seen, uint32_t *queue)
{
	uint32_t head = 0, tail = 0;

	memset(seen, 0, sp->n);
	for (uint32_t v = 0; v < sp->n; v++)
		if (sp->root[v] && v != cut) {
			seen[v] = 1;
			queue[tail++] = v;
		}
	while (head < tail) {
		uint32_t v = queue[head++];
		for (size_t i = 0; i < sp->es->n; i++) {
			const struct tg_edge *e = &sp->es->e[i];
			if (e->from != v || e->to == cut || seen[e->to] || !counts(e, sp->flags))
				continue;
			seen[e->to] = 1;
			queue[tail++] = e->to;
		}
	}
}

/* Retained sizes against the definition. */
static void against_definition(const char *what, const struct spec *sp)
{
	struct ct_graph g;
	struct ct_dom d;
	uint32_t n = sp->n;
	uint8_t *all = malloc(n), *without = malloc(n);
	uint32_t *queue = malloc(n * sizeof(*queue));

	if (!compute(what, sp, &g, &d))
		goto out;
	reach_without(sp, CT_NONE, all, queue);
	int bad = 0;
	uint64_t total = 0;
	for (uint32_t v = 0; v < n; v++)
		if (all[v])
			total += sp->sizes[v];
	CHECK(d.reached_bytes == total, "%s: reached bytes %" PRIu64 ", want %" PRIu64, what,
	      d.reached_bytes, total);
	for (uint32_t v = 0; v < n && bad < 5; v++) {
		uint64_t bytes = 0;
		uint32_t objects = 0;
		if (all[v]) {
			reach_without(sp, v, without, queue);
			for (uint32_t w = 0; w < n; w++) {
				if (all[w] && !without[w]) {
					bytes += sp->sizes[w];
					objects++;
				}
			}
		}
		bad += !CHECK(d.retained[v] == bytes && d.retained_objects[v] == objects,
			      "%s: node %u retains %" PRIu64 " B in %u objects, want %" PRIu64
			      " B in %u", what, v, d.retained[v], d.retained_objects[v], bytes,
			      objects);
	}
	ct_dom_finish(&d);
	ct_graph_finish(&g);
out:
	free(all);
	free(without);
	free(queue);
}

/* A random graph: n nodes, about deg * n edges of mixed kinds, nroots
 * roots; with v8, node 0 is the flagged synthetic root and the only
 * root, with shortcut edges out of it and elsewhere. */
static void random_graph(uint64_t *seed, uint32_t n, uint32_t deg10, uint32_t nroots, bool v8,
			 struct edges *es, uint8_t *root, uint8_t *flags, uint64_t *sizes)
{
	es->n = 0;
	memset(root, 0, n);
	memset(flags, 0, n);
	for (uint32_t v = 0; v < n; v++)
		sizes[v] = 1 + rng_below(seed, 1000);
	if (v8) {
		root[0] = 1;
		flags[0] = CT_NODE_ROOT;
		for (uint32_t i = 0; i < 3; i++)
			add(es, 0, 1 + rng_below(seed, n - 1), CT_EDGE_SHORTCUT);
		add(es, 0, 1 + rng_below(seed, n - 1), CT_EDGE_STRONG);
	} else {
		for (uint32_t i = 0; i < nroots; i++)
			root[rng_below(seed, n)] = 1;
	}
	for (uint32_t i = 0; i < n * deg10 / 10; i++) {
		uint32_t r = rng_below(seed, 20);
		uint8_t kind = r < 14 ? CT_EDGE_STRONG : r < 16 ? CT_EDGE_INTERNAL :
			       r < 18 ? CT_EDGE_WEAK : CT_EDGE_SHORTCUT;
		add(es, rng_below(seed, n), rng_below(seed, n), kind);
	}
}

static void shapes(bool small)
{
	uint64_t seed = 7;
	struct edges es = {0};
	char what[96];
	uint32_t cap = 40000;
	uint8_t *root = malloc(cap), *flags = malloc(cap);
	uint64_t *sizes = malloc(cap * sizeof(*sizes));
	int rounds = small ? 4 : 12;

	for (int round = 0; round < rounds; round++) {
		/* igraph: several densities, with and without the V8 rule. */
		static const uint32_t deg[] = {8, 12, 15, 20, 30, 60};
		for (size_t i = 0; i < sizeof(deg) / sizeof(deg[0]); i++) {
			for (int v8 = 0; v8 < 2; v8++) {
				uint32_t n = (small ? 500 : 3000) + rng_below(&seed, 1000);
				random_graph(&seed, n, deg[i], 1 + rng_below(&seed, 20), v8, &es,
					     root, flags, sizes);
				struct spec sp = {n, &es, root, flags, sizes};
				snprintf(what, sizeof(what), "random %d deg %u.%u%s (n=%u)", round,
					 deg[i] / 10, deg[i] % 10, v8 ? " v8" : "", n);
				against_igraph(what, &sp);
			}
		}

		/* A ring with chords and trees hanging off it and into it. */
		uint32_t ring = small ? 2000 : 15000, n = 2 * ring;
		es.n = 0;
		memset(root, 0, n);
		memset(flags, 0, n);
		add_ring(&es, &seed, ring, 5);
		for (uint32_t i = ring; i < n; i++) {
			add_tree_edge(&es, &seed, i, 3);
			if (rng_below(&seed, 20) == 0)
				add(&es, rng_below(&seed, n), i, CT_EDGE_WEAK);
		}
		root[rng_below(&seed, n)] = 1;
		root[rng_below(&seed, n)] = 1;
		struct spec sp = {n, &es, root, flags, NULL};
		snprintf(what, sizeof(what), "ring + trees %d", round);
		against_igraph(what, &sp);

		/* A layered DAG: dominators far from the DFS parent. */
		uint32_t layers = 200, width = small ? 10 : 60;
		n = layers * width;
		es.n = 0;
		memset(root, 0, n);
		for (uint32_t l = 0; l + 1 < layers; l++)
			for (uint32_t i = 0; i < width; i++)
				for (uint32_t k = rng_below(&seed, 3); k > 0; k--)
					add(&es, l * width + i, (l + 1) * width + rng_below(&seed, width),
					    CT_EDGE_STRONG);
		for (uint32_t i = 0; i < 3; i++)
			root[rng_below(&seed, width)] = 1;
		sp.n = n;
		snprintf(what, sizeof(what), "layered dag %d", round);
		against_igraph(what, &sp);

		/* Retained sizes by their definition, on small graphs. */
		for (int k = 0; k < 20; k++) {
			uint32_t m = 5 + rng_below(&seed, 60);
			bool v8 = rng_below(&seed, 3) == 0;
			random_graph(&seed, m, 10 + rng_below(&seed, 25), 1 + rng_below(&seed, 4), v8,
				     &es, root, flags, sizes);
			struct spec small_sp = {m, &es, root, flags, sizes};
			snprintf(what, sizeof(what), "retained %d.%d%s (n=%u)", round, k,
				 v8 ? " v8" : "", m);
			against_definition(what, &small_sp);
			against_igraph(what, &small_sp);
		}
	}
	free(es.e);
	free(root);
	free(flags);
	free(sizes);
}

/* Small graphs with known answers. */
static void hand(void)
{
	struct edges es = {0};
	uint8_t root[8] = {0}, flags[8] = {0};
	uint64_t sizes[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
	struct ct_graph g;
	struct ct_dom d;

	/* Diamond 0 -> {1, 2} -> 3 -> 4; 4 -weak-> 0. */
	add(&es, 0, 1, CT_EDGE_STRONG);
	add(&es, 0, 2, CT_EDGE_STRONG);
	add(&es, 1, 3, CT_EDGE_STRONG);
	add(&es, 2, 3, CT_EDGE_INTERNAL);
	add(&es, 3, 4, CT_EDGE_STRONG);
	add(&es, 4, 0, CT_EDGE_WEAK);
	root[0] = 1;
	struct spec sp = {6, &es, root, flags, sizes};
	if (compute("diamond", &sp, &g, &d)) {
		CHECK(d.idom[0] == CT_DOM_SUPER && d.idom[1] == 0 && d.idom[2] == 0 &&
		      d.idom[3] == 0 && d.idom[4] == 3 && d.idom[5] == CT_NONE,
		      "diamond idoms %u %u %u %u %u %u", d.idom[0], d.idom[1], d.idom[2], d.idom[3],
		      d.idom[4], d.idom[5]);
		CHECK(d.retained[0] == 11111 && d.retained_objects[0] == 5 && d.retained[3] == 11000 &&
		      d.retained[1] == 10 && d.retained[5] == 0 && d.n_reached == 5 &&
		      d.reached_bytes == 11111, "diamond retained %" PRIu64 " %" PRIu64,
		      d.retained[0], d.retained[3]);
		ct_dom_finish(&d);
		ct_graph_finish(&g);
	}

	/* Two roots reaching 2 along separate paths: only the super-root
	 * dominates it; a root inside a cycle is still dominated by it. */
	es.n = 0;
	memset(root, 0, sizeof(root));
	add(&es, 0, 2, CT_EDGE_STRONG);
	add(&es, 1, 2, CT_EDGE_STRONG);
	add(&es, 2, 3, CT_EDGE_STRONG);
	add(&es, 3, 0, CT_EDGE_STRONG);
	root[0] = root[1] = 1;
	sp.n = 4;
	if (compute("two roots", &sp, &g, &d)) {
		CHECK(d.idom[0] == CT_DOM_SUPER && d.idom[1] == CT_DOM_SUPER &&
		      d.idom[2] == CT_DOM_SUPER && d.idom[3] == 2,
		      "two roots idoms %u %u %u %u", d.idom[0], d.idom[1], d.idom[2], d.idom[3]);
		CHECK(d.retained[0] == 1 && d.retained[1] == 10 && d.retained[2] == 1100 &&
		      d.retained_objects[2] == 2, "two roots retained %" PRIu64 " %" PRIu64
		      " %" PRIu64, d.retained[0], d.retained[1], d.retained[2]);
		ct_dom_finish(&d);
		ct_graph_finish(&g);
	}

	/* V8: shortcut edges count from the flagged root only. */
	es.n = 0;
	memset(root, 0, sizeof(root));
	add(&es, 0, 1, CT_EDGE_STRONG);     /* root -> (GC roots) */
	add(&es, 0, 3, CT_EDGE_SHORTCUT);   /* root => global: counts */
	add(&es, 1, 2, CT_EDGE_STRONG);     /* (GC roots) -> global handles */
	add(&es, 2, 3, CT_EDGE_STRONG);     /* -> global */
	add(&es, 3, 4, CT_EDGE_STRONG);     /* global -> app */
	add(&es, 2, 5, CT_EDGE_SHORTCUT);   /* not from the root: ignored */
	add(&es, 4, 5, CT_EDGE_STRONG);
	root[0] = 1;
	flags[0] = CT_NODE_ROOT;
	sp.n = 6;
	if (compute("v8 shortcuts", &sp, &g, &d)) {
		CHECK(d.idom[1] == 0 && d.idom[2] == 1 && d.idom[3] == 0 && d.idom[4] == 3 &&
		      d.idom[5] == 4, "v8 idoms %u %u %u %u %u", d.idom[1], d.idom[2], d.idom[3],
		      d.idom[4], d.idom[5]);
		CHECK(d.retained[3] == 111000 && d.retained_objects[3] == 3, "v8 retained %" PRIu64,
		      d.retained[3]);
		ct_dom_finish(&d);
		ct_graph_finish(&g);
	}
	flags[0] = 0;

	/* No roots at all: nothing reached. */
	memset(root, 0, sizeof(root));
	if (compute("no roots", &sp, &g, &d)) {
		CHECK(d.n_reached == 0 && d.reached_bytes == 0 && d.idom[0] == CT_NONE,
		      "no roots: %u reached", d.n_reached);
		ct_dom_finish(&d);
		ct_graph_finish(&g);
	}

	/* The empty graph. */
	sp.n = 0;
	es.n = 0;
	if (compute("empty", &sp, &g, &d)) {
		CHECK(d.n_reached == 0, "empty: %u reached", d.n_reached);
		ct_dom_finish(&d);
		ct_graph_finish(&g);
	}
	free(es.e);

	/* Zeroed and NULL are fine to finish. */
	struct ct_dom z = {0};
	ct_dom_finish(&z);
	ct_dom_finish(NULL);
}

/* A chain of n nodes straight through the builder, root at 0; with back,
 * each node also refers to the previous one (a doubly linked list); with
 * tail, the last node refers to n/2 extra nodes that the root also holds
 * (quadratic for naive idom walks). */
static void deep(uint32_t n, bool back)
{
	struct ct_graph g;
	struct ct_dom d;
	struct ct_error err = {0};

	chain_build(&g, n, back, false);
	uint8_t *root = calloc(n, 1);
	root[0] = 1;
	if (CHECK(ct_dom_compute(&g, root, &d, &err) == 0, "deep: %s", err.msg)) {
		int bad = 0;
		for (uint32_t v = 1; v < n && bad < 5; v++)
			bad += !CHECK(d.idom[v] == v - 1, "%u-chain: idom of %u is %u", n, v, d.idom[v]);
		CHECK(d.retained[0] == 8ULL * n && d.retained_objects[0] == n &&
		      d.retained[n - 1] == 8 && d.retained_objects[n / 2] == n - n / 2,
		      "%u-chain: retained %" PRIu64 " in %u", n, d.retained[0], d.retained_objects[0]);
		ct_dom_finish(&d);
	}
	free(root);
	ct_graph_finish(&g);
}

/* Root 0 -> chain 1..k -> k fans out to the tail nodes, which root 0
 * also refers to: every tail node's idom is 0, far above its DFS parent. */
static void deep_fan(uint32_t k, uint32_t tail)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_dom d;
	struct ct_error err = {0};
	uint32_t n = 1 + k + tail;

	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1);
	for (uint32_t v = 0; v < n; v++) {
		must(ct_builder_node(&b, tg_addr(v), t, 8, 0, 0, false, 0, v + 1, &err), &err, "node");
		if (v == 0) {
			must(ct_builder_edge(&b, tg_addr(1), 0, CT_EDGE_STRONG, &err), &err, "edge");
			for (uint32_t i = 0; i < tail; i++)
				must(ct_builder_edge(&b, tg_addr(1 + k + i), 0, CT_EDGE_STRONG, &err),
				     &err, "edge");
		} else if (v < k) {
			must(ct_builder_edge(&b, tg_addr(v + 1), 0, CT_EDGE_STRONG, &err), &err, "edge");
		} else if (v == k) {
			for (uint32_t i = 0; i < tail; i++)
				must(ct_builder_edge(&b, tg_addr(1 + k + i), 0, CT_EDGE_STRONG, &err),
				     &err, "edge");
		}
	}
	must(ct_builder_build(&b, 0, &g, &err), &err, "build");
	uint8_t *root = calloc(n, 1);
	root[0] = 1;
	if (CHECK(ct_dom_compute(&g, root, &d, &err) == 0, "fan: %s", err.msg)) {
		int bad = 0;
		for (uint32_t v = 1 + k; v < n && bad < 5; v++)
			bad += !CHECK(d.idom[v] == 0, "fan: idom of %u is %u", v, d.idom[v]);
		CHECK(d.retained_objects[1] == k && d.retained_objects[0] == n,
		      "fan: retained objects %u %u", d.retained_objects[1], d.retained_objects[0]);
		ct_dom_finish(&d);
	}
	free(root);
	ct_graph_finish(&g);
}

int main(void)
{
	bool small = test_small();

	igraph_set_error_handler(on_igraph_error);
	hand();
	shapes(small);
	deep(small ? 100000 : 5000000, false);
	deep(small ? 100000 : 2000000, true);
	deep_fan(small ? 20000 : 1000000, small ? 20000 : 1000000);
	return check_status("test_dom");
}
