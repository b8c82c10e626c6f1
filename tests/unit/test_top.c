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
				x[v].retained += ct_graph_size(g, w);
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

/* The held-by text of node v, or "(none)"; "(not listed)" if it is not. */
static void held_of(const struct ct_top *t, uint32_t v, char *buf, size_t cap)
{
	struct ct_error err = {0};

	snprintf(buf, cap, "(not listed)");
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->nodes[i] != v)
			continue;
		char *text;
		if (!CHECK(ct_top_held_text(t, i, &text, &err) == 0, "held text: %s", err.msg))
			return;
		snprintf(buf, cap, "%s", text ? text : "(none)");
		free(text);
	}
}

/* What holds each row (top.h): through the dominator or a referrer, up
 * through unnamed containers, at most CT_TOP_HELD_STEPS references. */
static void held(void)
{
	/* A Python-like heap: module 0 (a root) .__dict__ -> dict 1. */
	static const char *const types[] = {
		"module", "dict", "list", "Handler", "Handler", "dict", "list", "tuple", "Foo",
		"Child", "list", "list", "list", "list", "Bar", "dict",
	};
	static const struct tg_edge edges[] = {
		{0, 1, CT_EDGE_STRONG, ".__dict__"},
		{1, 2, CT_EDGE_STRONG, "['REGISTRY']"},   /* list 2 holds both Handlers */
		{2, 3, CT_EDGE_STRONG, "[0]"}, {2, 4, CT_EDGE_STRONG, "[1]"},
		{1, 5, CT_EDGE_STRONG, "['CONFIG']"}, {3, 5, CT_EDGE_STRONG, ".cfg"},
		/* list 6 is held by both Handlers: its dominator, list 2, does
		 * not refer to it, so its first referrer, Handler 3, is taken. */
		{3, 6, CT_EDGE_STRONG, ".cbs"}, {4, 6, CT_EDGE_STRONG, ".cbs"},
		{6, 7, CT_EDGE_STRONG, "[0]"}, {7, 8, CT_EDGE_STRONG, "[1]"},
		/* 1 ['deep'] -> 10 [0] -> 11 [0] -> 12 [0] -> 13 [0] -> Bar 14 */
		{1, 10, CT_EDGE_STRONG, "['deep']"}, {10, 11, CT_EDGE_STRONG, "[0]"},
		{11, 12, CT_EDGE_STRONG, "[0]"}, {12, 13, CT_EDGE_STRONG, "[0]"},
		{13, 14, CT_EDGE_STRONG, "[0]"},
		/* dict 15 is a root too; its child 9 refers back to it by the
		 * best label there is, but 15 dominates 9: module's dict wins. */
		{15, 9, CT_EDGE_STRONG, ".kid"}, {9, 15, CT_EDGE_STRONG, ".__dict__"},
		{1, 15, CT_EDGE_STRONG, "['reg']"},
	};
	uint64_t refcounts[16] = {0};
	struct tg_spec sp = {.n = 16, .types = types, .refcounts = refcounts, .edges = edges,
			     .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_graph g = {0};
	struct ct_error err = {0};
	struct ct_top t;
	char buf[256];

	for (size_t e = 0; e < sp.n_edges; e++)
		refcounts[edges[e].to]++;
	refcounts[0]++;
	refcounts[15]++;
	tg_build(&g, &sp);
	if (!CHECK(ct_top_build(&t, &g, 100, &err) == 0, "held: %s", err.msg))
		goto out;
	static const struct {
		uint32_t v;
		const char *text;
	} want[] = {
		{0, "(none)"},
		{1, "module .__dict__"},
		{2, "module .REGISTRY"},
		{3, "module .REGISTRY[0]"},
		{5, "module .CONFIG"},
		{6, "Handler .cbs"},
		{8, "Handler .cbs[0][1]"},
		{14, "list [0][0][0][0]"},
		{15, "module .reg"},
		{9, "module .reg.kid"},
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		held_of(&t, want[k].v, buf, sizeof(buf));
		CHECK(strcmp(buf, want[k].text) == 0, "held: node %u held by '%s', want '%s'",
		      want[k].v, buf, want[k].text);
	}
	/* The structure behind the text. */
	for (uint32_t i = 0; i < t.n; i++) {
		const struct ct_top_held *h = &t.held[i];
		if (t.nodes[i] == 14)
			CHECK(h->n == CT_TOP_HELD_STEPS && h->holder == 10, "held: Bar: %u steps from %u",
			      h->n, h->holder);
		if (t.nodes[i] == 6)
			CHECK(h->n == 1 && h->holder == 3 && g.dst[h->edge[0]] == 6,
			      "held: list 6: %u steps from %u", h->n, h->holder);
	}
	ct_top_finish(&t);
out:
	ct_graph_finish(&g);

	/* V8: a global object is left out, its property named bare; the
	 * internal label of a backing store stays. */
	static const char *const v8types[] = {"(synthetic)", "global", "Array", "(array)",
					      "Handler", "Map"};
	static const uint8_t v8flags[] = {CT_NODE_ROOT, 0, 0, 0, 0, 0};
	static const struct tg_edge v8edges[] = {
		{0, 1, CT_EDGE_SHORTCUT, ".2"}, {1, 2, CT_EDGE_STRONG, ".handlers"},
		{2, 3, CT_EDGE_INTERNAL, ".elements"}, {3, 4, CT_EDGE_INTERNAL, "[0]"},
		{1, 5, CT_EDGE_STRONG, ".sessions"},
	};
	struct tg_spec v8 = {.n = 6, .types = v8types, .flags = v8flags, .edges = v8edges,
			     .n_edges = sizeof(v8edges) / sizeof(v8edges[0])};
	tg_build(&g, &v8);
	g.roots_given = true;
	g.numeric_ids = true;
	if (CHECK(ct_top_build(&t, &g, 100, &err) == 0, "held v8: %s", err.msg)) {
		held_of(&t, 2, buf, sizeof(buf));
		CHECK(strcmp(buf, "handlers") == 0, "held v8: Array held by '%s'", buf);
		held_of(&t, 4, buf, sizeof(buf));
		CHECK(strcmp(buf, "handlers.elements[0]") == 0, "held v8: Handler held by '%s'", buf);
		held_of(&t, 5, buf, sizeof(buf));
		CHECK(strcmp(buf, "sessions") == 0, "held v8: Map held by '%s'", buf);
		/* memlab's folding: the global object says no more than its
		 * listed children, the Array and the Map. */
		held_of(&t, 1, buf, sizeof(buf));
		CHECK(strcmp(buf, "(not listed)") == 0, "held v8: global listed: '%s'", buf);
		held_of(&t, 3, buf, sizeof(buf));
		CHECK(strcmp(buf, "(not listed)") == 0, "held v8: (array) listed: '%s'", buf);
		ct_top_finish(&t);
	}
	ct_graph_finish(&g);
}

int main(void)
{
	uint64_t seed = 0x70b5eedULL;
	int rounds = test_small() ? 200 : 3000;

	ties();
	held();
	for (int round = 0; round < rounds; round++)
		one(&seed, round);
	ct_top_finish(NULL);
	return check_status("test_top");
}
