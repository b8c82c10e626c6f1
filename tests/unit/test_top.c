/* Unit test: lib/top.c (ct_top_build) against brute force.
 *
 * On random small graphs, the retained size of each node is computed the
 * slow way -- remove the node, see what the roots no longer reach -- and
 * the list ct_top_build() returns must be the max listable nodes of
 * greatest retained size, ties the earlier node first (lib/top.h).
 */
#include <inttypes.h>

#include "check.h"
#include "lib/top.h"

/* Mark in seen[] what the roots reach through edges that keep their
 * target alive (ct_edge_counts_from), never entering node gone. */
static void reach_without(const struct ct_graph *g, const uint8_t *root, uint32_t gone,
			  uint8_t *seen, uint32_t *queue)
{
	uint32_t head = 0, tail = 0;

	memset(seen, 0, g->n_nodes);
	for (uint32_t v = 0; v < g->n_nodes; v++)
		if (root[v] && v != gone) {
			seen[v] = 1;
			queue[tail++] = v;
		}
	while (head < tail) {
		uint32_t u = queue[head++];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t w = g->dst[e];
			if (w == gone || seen[w] || !ct_edge_counts_from(g, u, e))
				continue;
			seen[w] = 1;
			queue[tail++] = w;
		}
	}
}

struct expect {
	uint8_t reached;
	uint64_t retained;
	uint32_t objects;
};

static void brute(const struct ct_graph *g, const uint8_t *root, struct expect *x)
{
	uint32_t n = g->n_nodes;
	uint8_t *all = malloc(n + 1), *without = malloc(n + 1);
	uint32_t *queue = malloc((n + 1) * sizeof(*queue));

	reach_without(g, root, CT_NONE, all, queue);
	for (uint32_t v = 0; v < n; v++) {
		x[v] = (struct expect){all[v], 0, 0};
		if (!all[v])
			continue;
		reach_without(g, root, v, without, queue);
		for (uint32_t w = 0; w < n; w++)
			if (all[w] && !without[w]) {
				x[v].retained += g->size[w];
				x[v].objects++;
			}
	}
	free(all);
	free(without);
	free(queue);
}

/* Is a ranked before b: more retained, or as much and the earlier node? */
static bool ranks_before(const struct expect *x, uint32_t a, uint32_t b)
{
	return x[a].retained != x[b].retained ? x[a].retained > x[b].retained : a < b;
}

static void random_graph(struct ct_graph *g, uint64_t *seed, uint32_t n, bool counts,
			 bool ties)
{
	uint32_t m = rng_below(seed, 3 * n + 1);
	struct tg_edge *edges = calloc(m + 1, sizeof(*edges));
	uint64_t *sizes = malloc(n * sizeof(*sizes)), *refcounts = calloc(n, sizeof(*refcounts));

	for (uint32_t v = 0; v < n; v++)
		sizes[v] = ties ? 8 * (1 + rng_below(seed, 2)) : 1 + rng_below(seed, 1000);
	for (uint32_t e = 0; e < m; e++) {
		uint32_t k = rng_below(seed, 10);
		edges[e] = (struct tg_edge){rng_below(seed, n), rng_below(seed, n),
					    k == 0 ? CT_EDGE_WEAK : k == 1 ? CT_EDGE_INTERNAL
								    : CT_EDGE_STRONG, NULL};
		if (edges[e].kind != CT_EDGE_WEAK)
			refcounts[edges[e].to]++;
	}
	/* With counts: a few objects are held from outside the dump. */
	for (uint32_t v = 0; v < n; v++)
		if (rng_below(seed, 5) == 0)
			refcounts[v]++;
	struct tg_spec sp = {.n = n, .sizes = sizes, .refcounts = counts ? refcounts : NULL,
			     .edges = edges, .n_edges = m};
	tg_build(g, &sp);
	free(edges);
	free(sizes);
	free(refcounts);
}

static void one(uint64_t *seed, int round)
{
	uint32_t n = 1 + rng_below(seed, 14);
	struct ct_graph g = {0};
	struct ct_error err = {0};
	struct ct_top t;

	random_graph(&g, seed, n, round % 2 == 0, round % 3 == 0);
	struct expect *x = calloc(n, sizeof(*x));
	uint32_t max = round % 4 == 0 ? 1000 : 1 + rng_below(seed, n + 2);
	int rc = ct_top_build(&t, &g, max, &err);
	if (!CHECK(rc == 0, "round %d: ct_top_build: %s", round, err.msg))
		goto out;
	brute(&g, t.reach.root, x);

	/* The retained sizes the ranking used. */
	uint32_t reached = 0;
	for (uint32_t v = 0; v < n; v++) {
		reached += x[v].reached;
		CHECK((t.dom.idom[v] != CT_NONE) == x[v].reached, "round %d: node %u reached %d",
		      round, v, x[v].reached);
		if (x[v].reached)
			CHECK(t.dom.retained[v] == x[v].retained &&
			      t.dom.retained_objects[v] == x[v].objects,
			      "round %d: node %u retained %" PRIu64 "/%u, brute force %" PRIu64 "/%u",
			      round, v, t.dom.retained[v], t.dom.retained_objects[v], x[v].retained,
			      x[v].objects);
	}
	/* The list: the first min(max, reached) nodes in rank order. */
	uint32_t want = max < reached ? max : reached;
	CHECK(t.n == want, "round %d: %u listed, want %u (max %u, reached %u)", round, t.n, want,
	      max, reached);
	uint8_t *listed = calloc(n, 1);
	for (uint32_t i = 0; i < t.n && i < n; i++) {
		uint32_t v = t.nodes[i];
		if (!CHECK(v < n && x[v].reached, "round %d: listed node %u reached", round, v))
			continue;
		CHECK(!listed[v], "round %d: node %u listed twice", round, v);
		listed[v] = 1;
		if (i)
			CHECK(ranks_before(x, t.nodes[i - 1], v),
			      "round %d: position %u: node %u (%" PRIu64 " B) before node %u (%" PRIu64
			      " B)", round, i, t.nodes[i - 1], x[t.nodes[i - 1]].retained, v,
			      x[v].retained);
	}
	/* Nothing left out ranks above the last listed node. */
	if (t.n > 0 && t.n <= n)
		for (uint32_t v = 0; v < n; v++)
			if (x[v].reached && !listed[v])
				CHECK(!ranks_before(x, v, t.nodes[t.n - 1]),
				      "round %d: node %u (%" PRIu64 " B) left out but ranks above "
				      "node %u", round, v, x[v].retained, t.nodes[t.n - 1]);
	free(listed);
	ct_top_finish(&t);
	ct_top_finish(&t);
out:
	free(x);
	ct_graph_finish(&g);
}

/* A fixed case: equal retained sizes list the earlier node first. */
static void ties(void)
{
	/* 0 -> 1 -> 2, 0 -> 3; all 8 B: 1 retains 16, 2 and 3 retain 8. */
	static const struct tg_edge edges[] = {
		{0, 1, CT_EDGE_STRONG, ".a"}, {1, 2, CT_EDGE_STRONG, ".b"},
		{0, 3, CT_EDGE_STRONG, ".c"},
	};
	struct tg_spec sp = {.n = 4, .edges = edges, .n_edges = 3};
	struct ct_graph g = {0};
	struct ct_error err = {0};
	struct ct_top t;

	tg_build(&g, &sp);
	if (CHECK(ct_top_build(&t, &g, 3, &err) == 0, "ties: %s", err.msg)) {
		CHECK(t.n == 3 && t.nodes[0] == 0 && t.nodes[1] == 1 && t.nodes[2] == 2,
		      "ties: listed %u: %u %u %u, want 0 1 2", t.n, t.n > 0 ? t.nodes[0] : 99,
		      t.n > 1 ? t.nodes[1] : 99, t.n > 2 ? t.nodes[2] : 99);
		CHECK(t.dom.retained[0] == 32 && t.dom.retained[1] == 16, "ties: retained");
		ct_top_finish(&t);
	}
	if (CHECK(ct_top_build(&t, &g, 0, &err) == 0, "max 0: %s", err.msg)) {
		CHECK(t.n == 0, "max 0 lists %u", t.n);
		ct_top_finish(&t);
	}
	ct_graph_finish(&g);
}

int main(void)
{
	uint64_t seed = 0x70b5eedULL;
	int rounds = test_small() ? 200 : 3000;

	ties();
	for (int round = 0; round < rounds; round++)
		one(&seed, round);
	ct_top_finish(NULL);
	return check_status("test_top");
}
