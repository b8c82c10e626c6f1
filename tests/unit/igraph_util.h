/* Plumbing shared by the unit tests that cross-check lib/ against igraph
 * (test_dom, test_scc_igraph): igraph's error handler, a growable edge
 * list that feeds both tg_build() and igraph, the igraph twin of such a
 * list, random rings and trees, and chains millions long.  What the
 * tests compare stays in the tests. */
#ifndef CT_TEST_IGRAPH_UTIL_H
#define CT_TEST_IGRAPH_UTIL_H

#include <igraph/igraph.h>

#include "check.h"

/* Set by on_igraph_error(); clear it before a run of igraph calls. */
static int igraph_failed;

/* For igraph_set_error_handler(): igraph's default handler aborts, and
 * we would rather fail one check and go on to the next graph. */
static inline void on_igraph_error(const char *reason, const char *file, int line,
				   igraph_error_t code)
{
	fprintf(stderr, "igraph error %d at %s:%d: %s\n", (int)code, file, line, reason);
	igraph_failed = 1;
	IGRAPH_FINALLY_FREE();
}

/* Edges for tg_spec.edges, appended one at a time. */
struct edges {
	struct tg_edge *e;
	size_t n, cap;
};

static inline void add(struct edges *es, uint32_t from, uint32_t to, uint8_t kind)
{
	if (es->n == es->cap) {
		es->cap = es->cap ? 2 * es->cap : 1024;
		es->e = realloc(es->e, es->cap * sizeof(*es->e));
	}
	es->e[es->n++] = (struct tg_edge){from, to, kind, NULL};
}

/* Does this edge count for the algorithm under test?  Each test writes
 * out its own rule; arg is whatever the rule needs. */
typedef bool ig_keep_fn(const struct tg_edge *e, const void *arg);

/* The igraph twin of a test graph: a directed graph of nv vertices with
 * the pairs already in ev (the caller's own, such as edges from a
 * super-root), then the edges of es that keep() accepts, in order.  The
 * caller clears igraph_failed first, and owns ev (initialised) either
 * way; on false, igraph made no graph and ig is not to be destroyed. */
static inline bool ig_create(igraph_t *ig, igraph_vector_int_t *ev, igraph_integer_t nv,
			     const struct edges *es, ig_keep_fn *keep, const void *arg)
{
	igraph_integer_t k = igraph_vector_int_size(ev);
	size_t m = 0;

	for (size_t i = 0; i < es->n; i++)
		m += keep(&es->e[i], arg);
	if (igraph_vector_int_resize(ev, k + 2 * (igraph_integer_t)m) || igraph_failed)
		return false;
	for (size_t i = 0; i < es->n; i++) {
		if (!keep(&es->e[i], arg))
			continue;
		VECTOR(*ev)[k++] = es->e[i].from;
		VECTOR(*ev)[k++] = es->e[i].to;
	}
	return !igraph_create(ig, ev, nv, IGRAPH_DIRECTED) && !igraph_failed;
}

/* A ring 0 -> 1 -> ... -> ring-1 -> 0, and from each node, one time in
 * chord_one_in, a chord to a random node of the ring. */
static inline void add_ring(struct edges *es, uint64_t *seed, uint32_t ring,
			    uint32_t chord_one_in)
{
	for (uint32_t i = 0; i < ring; i++) {
		add(es, i, (i + 1) % ring, CT_EDGE_STRONG);
		if (rng_below(seed, chord_one_in) == 0)
			add(es, i, rng_below(seed, ring), CT_EDGE_STRONG);
	}
}

/* Node i joins a random earlier node: hangs off it, or, one time in
 * in_one_in, points into it (trees growing out of and into a ring). */
static inline void add_tree_edge(struct edges *es, uint64_t *seed, uint32_t i,
				 uint32_t in_one_in)
{
	uint32_t parent = rng_below(seed, i);

	if (rng_below(seed, in_one_in))
		add(es, parent, i, CT_EDGE_STRONG);
	else
		add(es, i, parent, CT_EDGE_STRONG);
}

/* A chain 0 -> 1 -> ... -> n-1 of 8-byte nodes straight through the
 * builder, one node at a time: at millions of nodes an edge list for
 * tg_build() would weigh more than the graph.  With back, each node also
 * refers to the one before it (after the one after it); with ring, n-1
 * refers to 0. */
static inline void chain_build(struct ct_graph *g, uint32_t n, bool back, bool ring)
{
	struct ct_builder b;
	struct ct_error err = {0};

	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1);
	for (uint32_t v = 0; v < n; v++) {
		must(ct_builder_node(&b, tg_addr(v), t, 8, 0, 0, false, 0, v + 1, &err), &err, "node");
		if (v + 1 < n || ring)
			must(ct_builder_edge(&b, tg_addr((v + 1) % n), 0, CT_EDGE_STRONG, &err), &err,
			     "edge");
		if (back && v > 0)
			must(ct_builder_edge(&b, tg_addr(v - 1), 0, CT_EDGE_STRONG, &err), &err, "edge");
	}
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
}

#endif
