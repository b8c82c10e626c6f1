/* Unit test: lib/scc.c (iterative Tarjan). */
#include "check.h"
#include "lib/scc.h"

#define S CT_EDGE_STRONG
#define W CT_EDGE_WEAK
#define I CT_EDGE_INTERNAL
#define X CT_EDGE_SHORTCUT

/* Invariants every result must satisfy. */
static void check_shape(const char *what, const struct ct_graph *g, const struct ct_scc *s)
{
	uint32_t total = 0;

	CHECK(s->member_off[0] == 0 && s->member_off[s->n_comps] == g->n_nodes,
	      "%s: member_off spans all nodes", what);
	for (uint32_t c = 0; c < s->n_comps; c++) {
		uint32_t a = s->member_off[c], b = s->member_off[c + 1];
		CHECK(b - a == s->size[c] && s->size[c] > 0, "%s: comp %u size %u vs %u", what, c,
		      s->size[c], b - a);
		total += s->size[c];
		for (uint32_t k = a; k < b; k++) {
			CHECK(s->comp[s->members[k]] == c, "%s: member %u of comp %u has comp %u", what,
			      s->members[k], c, s->comp[s->members[k]]);
			if (k > a)
				CHECK(s->members[k - 1] < s->members[k], "%s: members ascending", what);
		}
	}
	CHECK(total == g->n_nodes, "%s: sizes add up", what);
	/* Reverse topological numbering: strong edges between components
	 * go from a higher number to a lower one. */
	for (uint32_t v = 0; v < g->n_nodes; v++)
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			if (!ct_edge_kind_is_strong(g->kind[e]))
				continue;
			uint32_t w = g->dst[e];
			if (!CHECK(s->comp[v] >= s->comp[w], "%s: edge %u->%u goes from comp %u to %u",
				   what, v, w, s->comp[v], s->comp[w]))
				return;
		}
}

static void run(const char *what, uint32_t n, const struct tg_edge *edges, size_t ne,
		const uint32_t *want_comp_of, const uint8_t *want_cyclic)
{
	struct ct_graph g;
	struct ct_scc s;
	struct ct_error err = {0};
	struct tg_spec sp = {.n = n, .edges = edges, .n_edges = ne};

	tg_build(&g, &sp);
	if (!CHECK(ct_scc_compute(&g, &s, &err) == 0, "%s: compute: %s", what, err.msg)) {
		ct_graph_finish(&g);
		return;
	}
	check_shape(what, &g, &s);
	/* want_comp_of: a label per node; equal labels = same component. */
	for (uint32_t u = 0; u < n; u++)
		for (uint32_t v = 0; v < n; v++)
			CHECK((want_comp_of[u] == want_comp_of[v]) == (s.comp[u] == s.comp[v]),
			      "%s: nodes %u and %u: together %d, want %d", what, u, v,
			      s.comp[u] == s.comp[v], want_comp_of[u] == want_comp_of[v]);
	for (uint32_t v = 0; v < n; v++)
		CHECK(s.cyclic[s.comp[v]] == want_cyclic[v], "%s: node %u cyclic %u want %u", what, v,
		      s.cyclic[s.comp[v]], want_cyclic[v]);
	ct_scc_finish(&s);
	ct_scc_finish(&s);
	ct_graph_finish(&g);
}

/* Small random graphs against a brute-force oracle: u and v share a
 * component iff each reaches the other (transitive closure). */
static void test_random_closure(void)
{
	uint64_t seed = 99;

	for (int round = 0; round < 300; round++) {
		uint32_t n = 1 + rng_below(&seed, 24);
		size_t ne = rng_below(&seed, 3 * n + 1);
		struct tg_edge *e = malloc((ne ? ne : 1) * sizeof(*e));
		for (size_t i = 0; i < ne; i++) {
			uint32_t r = rng_below(&seed, 10);
			e[i] = (struct tg_edge){rng_below(&seed, n), rng_below(&seed, n),
				r < 6 ? S : r < 8 ? W : r < 9 ? I : X, NULL};
		}
		uint8_t reach[24][24] = {{0}};
		for (uint32_t v = 0; v < n; v++)
			reach[v][v] = 1;
		for (size_t i = 0; i < ne; i++)
			if (ct_edge_kind_is_strong(e[i].kind))
				reach[e[i].from][e[i].to] = 1;
		for (uint32_t k = 0; k < n; k++)
			for (uint32_t i = 0; i < n; i++)
				for (uint32_t j = 0; j < n; j++)
					if (reach[i][k] && reach[k][j])
						reach[i][j] = 1;
		uint32_t label[24];
		uint8_t cyc[24] = {0};
		for (uint32_t v = 0; v < n; v++) {
			label[v] = v;
			for (uint32_t u = 0; u < v; u++)
				if (reach[u][v] && reach[v][u]) {
					label[v] = label[u];
					break;
				}
		}
		for (uint32_t v = 0; v < n; v++)
			for (uint32_t u = 0; u < n; u++)
				if (u != v && label[u] == label[v])
					cyc[v] = 1;
		for (size_t i = 0; i < ne; i++)
			if (ct_edge_kind_is_strong(e[i].kind) && e[i].from == e[i].to)
				cyc[e[i].from] = 1;
		char what[64];
		snprintf(what, sizeof(what), "random round %d (n=%u, m=%zu)", round, n, ne);
		int before = check_failures;
		run(what, n, e, ne, label, cyc);
		free(e);
		if (check_failures > before)
			break;
	}
}

int main(void)
{
	/* Empty graph. */
	{
		struct ct_graph g;
		struct ct_scc s;
		struct ct_error err = {0};
		struct tg_spec sp = {0};
		tg_build(&g, &sp);
		CHECK(ct_scc_compute(&g, &s, &err) == 0 && s.n_comps == 0, "empty graph: %u comps",
		      s.n_comps);
		ct_scc_finish(&s);
		ct_graph_finish(&g);
		ct_scc_finish(NULL);
	}
	{
		uint32_t c[] = {0};
		uint8_t y[] = {0};
		run("single node", 1, NULL, 0, c, y);
	}
	{
		struct tg_edge e[] = {{0, 0, S, ".self"}};
		uint32_t c[] = {0};
		uint8_t y[] = {1};
		run("self-loop", 1, e, 1, c, y);
	}
	{
		struct tg_edge e[] = {{0, 0, W, NULL}, {1, 1, X, NULL}, {2, 2, I, NULL}};
		uint32_t c[] = {0, 1, 2};
		uint8_t y[] = {0, 0, 1};
		run("weak/shortcut self-loops do not count, internal does", 3, e, 3, c, y);
	}
	{
		struct tg_edge e[] = {{0, 1, S, NULL}, {1, 0, W, NULL}, {2, 3, S, NULL},
				      {3, 2, X, NULL}};
		uint32_t c[] = {0, 1, 2, 3};
		uint8_t y[] = {0, 0, 0, 0};
		run("a weak back edge closes no cycle", 4, e, 4, c, y);
	}
	{
		/* Two rings joined by one edge, a tail, and multi-edges. */
		struct tg_edge e[] = {{0, 1, S, NULL}, {1, 2, S, NULL}, {2, 0, S, NULL},
				      {2, 3, S, NULL}, {3, 4, S, NULL}, {4, 3, I, NULL},
				      {4, 3, S, NULL}, {4, 5, S, NULL}, {5, 5, W, NULL},
				      {0, 1, S, NULL}};
		uint32_t c[] = {0, 0, 0, 3, 3, 5};
		uint8_t y[] = {1, 1, 1, 1, 1, 0};
		run("two rings and a tail", 6, e, 10, c, y);
	}
	{
		/* Nested cycles sharing nodes form one component. */
		struct tg_edge e[] = {{0, 1, S, NULL}, {1, 0, S, NULL}, {1, 2, S, NULL},
				      {2, 3, S, NULL}, {3, 1, S, NULL}, {4, 0, S, NULL}};
		uint32_t c[] = {0, 0, 0, 0, 4};
		uint8_t y[] = {1, 1, 1, 1, 0};
		run("figure eight", 5, e, 6, c, y);
	}
	test_random_closure();
	return check_status("test_scc");
}
