/* Cross-check of lib/scc.c against igraph's strongly connected components
 * on random graphs of several shapes, and deep chains/rings that would
 * overflow the stack of a recursive Tarjan. */
#include <inttypes.h>

#include "check.h"
#include "igraph_util.h"
#include "lib/scc.h"

/* Sprinkle weak and shortcut edges that would merge everything if they
 * counted. */
static void add_weak(struct edges *es, uint32_t n, uint64_t *seed, size_t count)
{
	for (size_t i = 0; i < count; i++)
		add(es, rng_below(seed, n), rng_below(seed, n),
		    rng_below(seed, 2) ? CT_EDGE_WEAK : CT_EDGE_SHORTCUT);
}

/* What lib/scc.c follows (an ig_keep_fn): strong and internal edges. */
static bool strong(const struct tg_edge *e, const void *unused)
{
	(void)unused;
	return ct_edge_kind_is_strong(e->kind);
}

static void compare(const char *what, uint32_t n, const struct edges *es)
{
	struct tg_spec sp = {.n = n, .edges = es->e, .n_edges = es->n};
	struct ct_graph g;
	struct ct_scc s;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	if (!CHECK(ct_scc_compute(&g, &s, &err) == 0, "%s: %s", what, err.msg)) {
		ct_graph_finish(&g);
		return;
	}

	/* The same graph in igraph, strong (and internal) edges only. */
	igraph_vector_int_t ev, membership, csize;
	igraph_t ig;
	igraph_integer_t no = 0;
	igraph_failed = 0;
	igraph_vector_int_init(&ev, 0);
	igraph_vector_int_init(&membership, 0);
	igraph_vector_int_init(&csize, 0);
	if (!ig_create(&ig, &ev, (igraph_integer_t)n, es, strong, NULL)) {
		CHECK(0, "%s: igraph failed", what);
		goto out_igraph;
	}
	if (igraph_connected_components(&ig, &membership, &csize, &no, IGRAPH_STRONG) ||
	    igraph_failed) {
		CHECK(0, "%s: igraph failed", what);
		goto out_ig;
	}
	CHECK((igraph_integer_t)s.n_comps == no, "%s: %u components, igraph has %" PRId64, what,
	      s.n_comps, (int64_t)no);
	/* Same partition: the map ours -> theirs must be a bijection. */
	uint32_t *to_theirs = malloc((s.n_comps + 1) * sizeof(*to_theirs));
	uint32_t *to_ours = malloc(((size_t)no + 1) * sizeof(*to_ours));
	memset(to_theirs, 0xff, (s.n_comps + 1) * sizeof(*to_theirs));
	memset(to_ours, 0xff, ((size_t)no + 1) * sizeof(*to_ours));
	int bad = 0;
	for (uint32_t v = 0; v < n && bad < 5; v++) {
		uint32_t a = s.comp[v], b = (uint32_t)VECTOR(membership)[v];
		if (a >= s.n_comps || b >= (uint32_t)no) {
			bad += !CHECK(0, "%s: node %u: component %u / %u out of range", what, v, a, b);
			continue;
		}
		if (to_theirs[a] == UINT32_MAX)
			to_theirs[a] = b;
		if (to_ours[b] == UINT32_MAX)
			to_ours[b] = a;
		bad += !CHECK(to_theirs[a] == b && to_ours[b] == a,
			      "%s: node %u is in our component %u (igraph %u) but that maps to %u / %u",
			      what, v, a, b, to_theirs[a], to_ours[b]);
	}
	/* cyclic: size > 1, or a strong self-loop. */
	uint8_t *self = calloc(no ? (size_t)no : 1, 1);
	for (size_t i = 0; i < es->n; i++)
		if (ct_edge_kind_is_strong(es->e[i].kind) && es->e[i].from == es->e[i].to)
			self[VECTOR(membership)[es->e[i].from]] = 1;
	for (uint32_t c = 0; c < s.n_comps && bad < 5; c++) {
		uint32_t b = to_theirs[c];
		if (b == UINT32_MAX)
			continue;
		bool want = VECTOR(csize)[b] > 1 || self[b];
		bad += !CHECK(s.size[c] == (uint32_t)VECTOR(csize)[b] && s.cyclic[c] == want,
			      "%s: component %u: size %u (igraph %" PRId64 ") cyclic %u (want %d)",
			      what, c, s.size[c], (int64_t)VECTOR(csize)[b], s.cyclic[c], want);
	}
	free(self);
	free(to_theirs);
	free(to_ours);
out_ig:
	igraph_destroy(&ig);
out_igraph:
	igraph_vector_int_destroy(&membership);
	igraph_vector_int_destroy(&csize);
	igraph_vector_int_destroy(&ev);
	ct_scc_finish(&s);
	ct_graph_finish(&g);
}

static void shapes(bool small)
{
	uint64_t seed = 1;
	struct edges es = {0};
	char what[96];
	uint32_t scale = small ? 10 : 1;

	for (int round = 0; round < 3; round++) {
		/* Sparse random: mostly trees and small components. */
		uint32_t n = 3000 / scale + rng_below(&seed, 1000);
		es.n = 0;
		for (uint32_t i = 0; i < n + n / 4; i++)
			add(&es, rng_below(&seed, n), rng_below(&seed, n), CT_EDGE_STRONG);
		add_weak(&es, n, &seed, n / 2);
		snprintf(what, sizeof(what), "sparse random %d (n=%u)", round, n);
		compare(what, n, &es);

		/* Dense random: one big component, a few stragglers. */
		n = 300 / (small ? 3 : 1);
		es.n = 0;
		for (uint32_t i = 0; i < 20 * n; i++)
			add(&es, rng_below(&seed, n), rng_below(&seed, n),
			    rng_below(&seed, 10) ? CT_EDGE_STRONG : CT_EDGE_INTERNAL);
		snprintf(what, sizeof(what), "dense random %d", round);
		compare(what, n, &es);

		/* Near the threshold where a giant component appears. */
		n = 5000 / scale;
		es.n = 0;
		for (uint32_t i = 0; i < n; i++)
			add(&es, rng_below(&seed, n), rng_below(&seed, n), CT_EDGE_STRONG);
		snprintf(what, sizeof(what), "threshold random %d", round);
		compare(what, n, &es);

		/* Many small rings, linked forward only (a DAG of rings), with
		 * self-loops and multi-edges; weak edges backward. */
		es.n = 0;
		uint32_t v = 0, rings = 4000 / scale;
		uint32_t *first = malloc((rings + 1) * sizeof(*first));
		for (uint32_t r = 0; r < rings; r++) {
			uint32_t k = 1 + rng_below(&seed, 6);
			first[r] = v;
			for (uint32_t i = 0; i < k; i++) {
				if (k > 1 || rng_below(&seed, 2))
					add(&es, v + i, v + (i + 1) % k, CT_EDGE_STRONG);
				if (rng_below(&seed, 5) == 0)
					add(&es, v + i, v + (i + 1) % k, CT_EDGE_STRONG);  /* multi */
				if (rng_below(&seed, 8) == 0)
					add(&es, v + i, v + i, CT_EDGE_STRONG);            /* self */
			}
			v += k;
		}
		first[rings] = v;
		for (uint32_t r = 0; r + 1 < rings; r++) {
			uint32_t to = r + 1 + rng_below(&seed, rings - r - 1);
			add(&es, first[r], first[to] + rng_below(&seed, first[to + 1] - first[to]),
			    CT_EDGE_STRONG);
			add(&es, first[to], first[r], CT_EDGE_WEAK);  /* would close a big cycle */
		}
		free(first);
		snprintf(what, sizeof(what), "small rings %d (n=%u)", round, v);
		compare(what, v, &es);

		/* One giant component (a ring with chords) plus trees hanging
		 * off it and trees pointing into it. */
		es.n = 0;
		uint32_t ring = 20000 / scale, trees = 20000 / scale;
		n = ring + trees;
		add_ring(&es, &seed, ring, 4);
		for (uint32_t i = ring; i < n; i++) {
			add_tree_edge(&es, &seed, i, 2);
			if (rng_below(&seed, 10) == 0)
				add(&es, i, i, CT_EDGE_STRONG);
		}
		add_weak(&es, n, &seed, n / 4);
		snprintf(what, sizeof(what), "giant + trees %d", round);
		compare(what, n, &es);

		/* Self-loops and multi-edges only. */
		n = 1000;
		es.n = 0;
		for (uint32_t i = 0; i < 3 * n; i++) {
			uint32_t a = rng_below(&seed, n);
			uint32_t r = rng_below(&seed, 4);
			add(&es, a, r == 0 ? a : (a + 1) % n, r == 3 ? CT_EDGE_WEAK : CT_EDGE_STRONG);
		}
		snprintf(what, sizeof(what), "self-loops and multi-edges %d", round);
		compare(what, n, &es);
	}
	/* Long chains and rings (igraph can take these too). */
	uint32_t n = small ? 20000 : 200000;
	es.n = 0;
	for (uint32_t i = 0; i + 1 < n; i++)
		add(&es, i, i + 1, CT_EDGE_STRONG);
	compare("chain", n, &es);
	add(&es, n - 1, 0, CT_EDGE_STRONG);
	compare("ring", n, &es);
	es.n = 0;
	for (uint32_t i = n - 1; i > 0; i--)
		add(&es, i, i - 1, CT_EDGE_STRONG);  /* backward chain: Tarjan roots at 0 first */
	compare("backward chain", n, &es);
	free(es.e);
}

/* 5M-node chain and ring straight through the builder: no recursion. */
static void deep(uint32_t n, bool ring)
{
	struct ct_graph g;
	struct ct_scc s;
	struct ct_error err = {0};

	chain_build(&g, n, false, ring);
	if (CHECK(ct_scc_compute(&g, &s, &err) == 0, "deep %s: %s", ring ? "ring" : "chain",
		  err.msg)) {
		if (ring) {
			CHECK(s.n_comps == 1 && s.size[0] == n && s.cyclic[0],
			      "%u-ring: %u components", n, s.n_comps);
		} else {
			CHECK(s.n_comps == n, "%u-chain: %u components", n, s.n_comps);
			/* Reverse topological: the tail completes first. */
			CHECK(s.comp[n - 1] == 0 && s.comp[0] == n - 1 && !s.cyclic[0],
			      "%u-chain numbering: tail %u head %u", n, s.comp[n - 1], s.comp[0]);
		}
		ct_scc_finish(&s);
	}
	ct_graph_finish(&g);
}

int main(void)
{
	bool small = test_small();

	igraph_set_error_handler(on_igraph_error);
	shapes(small);
	deep(small ? 200000 : 5000000, false);
	deep(small ? 200000 : 5000000, true);
	return check_status("test_scc_igraph");
}
