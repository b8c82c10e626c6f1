/* Unit test: lib/path.c (ct_path_build) against a breadth-first search
 * written here, on random graphs with every edge kind, roots given as
 * flags (V8) or found from reference counts (Python). */
#include <inttypes.h>

#include "check.h"
#include "lib/path.h"

/* Distances from r's roots over the edges that keep their target alive
 * (ct_edge_counts_from), by a plain queue: the oracle. */
static uint32_t *bfs(const struct ct_graph *g, const struct ct_reach *r)
{
	uint32_t *dist = malloc(g->n_nodes * sizeof(*dist)), *q = malloc(g->n_nodes * sizeof(*q));
	uint32_t head = 0, tail = 0;

	for (uint32_t v = 0; v < g->n_nodes; v++) {
		dist[v] = r->root[v] ? 0 : CT_NONE;
		if (r->root[v])
			q[tail++] = v;
	}
	while (head < tail) {
		uint32_t v = q[head++];
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t w = g->dst[e];
			if (ct_edge_counts_from(g, v, e) && dist[w] == CT_NONE) {
				dist[w] = dist[v] + 1;
				q[tail++] = w;
			}
		}
	}
	free(q);
	return dist;
}

static void random_graph(struct ct_graph *g, uint64_t *seed, uint32_t n, bool flags_roots)
{
	struct ct_builder b;
	struct ct_error err = {0};
	uint32_t m = n + rng_below(seed, 3 * n);
	uint32_t *indeg = calloc(n, sizeof(*indeg));
	uint32_t *from = malloc(m * sizeof(*from)), *to = malloc(m * sizeof(*to));
	uint8_t *kind = malloc(m);

	for (uint32_t i = 0; i < m; i++) {
		from[i] = rng_below(seed, n);
		to[i] = rng_below(seed, n);
		uint32_t k = rng_below(seed, 10);
		kind[i] = k < 6 ? CT_EDGE_STRONG : k < 7 ? CT_EDGE_WEAK :
			  k < 8 ? CT_EDGE_INTERNAL : flags_roots ? CT_EDGE_SHORTCUT : CT_EDGE_STRONG;
		indeg[to[i]]++;
	}
	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1), l = ct_builder_intern(&b, ".x", 2);
	for (uint32_t v = 0; v < n; v++) {
		/* Python: a count above the references in the dump makes a root. */
		bool extra = rng_below(seed, 8) == 0;
		uint8_t f = flags_roots && (v == 0 || rng_below(seed, 16) == 0) ? CT_NODE_ROOT : 0;
		must(ct_builder_node(&b, 16 * ((uint64_t)v + 1), t, 8, f, 0, !flags_roots,
				     indeg[v] + extra, v + 1, &err), &err, "node");
		for (uint32_t i = 0; i < m; i++)
			if (from[i] == v)
				must(ct_builder_edge(&b, 16 * ((uint64_t)to[i] + 1), l, kind[i], &err),
				     &err, "edge");
	}
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
	g->roots_given = flags_roots;
	free(indeg);
	free(from);
	free(to);
	free(kind);
}

static void check_paths(const struct ct_graph *g, const char *what)
{
	struct ct_reach r;
	struct ct_error err = {0};

	must(ct_reach_compute(g, &r, &err), &err, "reach");
	uint32_t *dist = bfs(g, &r);
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		struct ct_path p;
		must(ct_path_build(&p, g, v, &err), &err, "path");
		if (dist[v] == CT_NONE) {
			CHECK(p.len == 0, "%s: node %u unreachable, path of %u", what, v, p.len);
		} else if (CHECK(p.len == dist[v] + 1, "%s: node %u: %u nodes, BFS says %u", what, v,
				 p.len, dist[v] + 1)) {
			CHECK(r.root[p.nodes[0]], "%s: node %u: starts at a root", what, v);
			CHECK(p.nodes[p.len - 1] == v && p.edges[p.len - 1] == CT_NONE,
			      "%s: node %u: ends at it", what, v);
			for (uint32_t i = 0; i + 1 < p.len; i++) {
				uint32_t u = p.nodes[i], e = p.edges[i];
				bool ok = e >= g->out_off[u] && e < g->out_off[u + 1] &&
					  g->dst[e] == p.nodes[i + 1] && ct_edge_counts_from(g, u, e);
				CHECK(ok, "%s: node %u: step %u is a reference that counts", what, v, i);
			}
		}
		ct_path_finish(&p);
	}
	free(dist);
	ct_reach_finish(&r);
}

int main(void)
{
	uint64_t seed = 12345;
	int rounds = test_small() ? 20 : 200;

	for (int i = 0; i < rounds; i++) {
		struct ct_graph g;
		random_graph(&g, &seed, 1 + rng_below(&seed, 60), i % 2);
		check_paths(&g, i % 2 ? "roots" : "refcount");
		ct_graph_finish(&g);
	}
	/* A node that is not in the graph is refused, not read past. */
	struct ct_graph g;
	struct ct_path p;
	struct ct_error err = {0};
	random_graph(&g, &seed, 5, false);
	CHECK(ct_path_build(&p, &g, 5, &err) == CT_EUSAGE, "node past the end: %s", err.msg);
	ct_path_finish(&p);
	ct_graph_finish(&g);
	return check_status("path");
}
