/* Unit test: lib/cycle.c (representative cycles and signatures). */
#include "check.h"
#include "lib/cycle.h"

#define S CT_EDGE_STRONG
#define W CT_EDGE_WEAK

static const char ARROW[] = " \xe2\x86\x92 ";

static const char *norm(const char *l)
{
	return ct_label_is_index(l) ? "[*]" : l;
}

/* Brute force: render every rotation's step sequence, keep the least. */
static void oracle_signature(const struct ct_graph *g, const uint32_t *nodes,
			     const uint32_t *edges, uint32_t len, char *out, size_t cap)
{
	uint32_t best = 0;

	for (uint32_t k = 1; k < len; k++) {
		int d = 0;
		for (uint32_t i = 0; i < len && !d; i++) {
			uint32_t a = (k + i) % len, b = (best + i) % len;
			d = strcmp(ct_graph_str(g, g->type[nodes[a]]), ct_graph_str(g, g->type[nodes[b]]));
			if (!d)
				d = strcmp(norm(ct_graph_str(g, g->label[edges[a]])),
					   norm(ct_graph_str(g, g->label[edges[b]])));
		}
		if (d < 0)
			best = k;
	}
	size_t at = 0;
	out[0] = '\0';
	for (uint32_t i = 0; i <= len; i++) {
		uint32_t s = (best + i) % len;
		at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? ARROW : "",
				       ct_graph_str(g, g->type[nodes[s]]));
		if (i == len)
			break;
		const char *l = norm(ct_graph_str(g, g->label[edges[s]]));
		if (*l)
			at += (size_t)snprintf(out + at, cap - at, " %s", l);
	}
}

static void test_label_is_index(void)
{
	const char *yes[] = {"[0]", "[7]", "[12]", "[123456789]"};
	const char *no[] = {"", "[]", "[a]", "[1]x", "['k']", "[-1]", "0", "[1", "1]", "[ 1]",
			    ".x", "<key>"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(ct_label_is_index(yes[i]), "'%s' is an index", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(!ct_label_is_index(no[i]), "'%s' is not an index", no[i]);
}

/* The example of cycle.h: TreeNode .children -> list [0] -> TreeNode .parent. */
static void test_example(void)
{
	const char *types[] = {"TreeNode", "list", "TreeNode", "type"};
	struct tg_edge e[] = {{0, 1, S, ".children"}, {0, 3, S, "__class__"}, {1, 2, S, "[0]"},
			      {2, 0, S, ".parent"}, {2, 3, S, "__class__"}};
	struct tg_spec sp = {.n = 4, .types = types, .edges = e, .n_edges = 5};
	struct ct_graph g;
	struct ct_scc s;
	struct ct_cycle_ws ws;
	struct ct_error err = {0};
	uint32_t nodes[4], edges[4];
	size_t n;

	tg_build(&g, &sp);
	must(ct_scc_compute(&g, &s, &err), &err, "scc");
	must(ct_cycle_ws_init(&ws, &g, &err), &err, "ws");
	uint32_t c = s.comp[0];
	CHECK(ct_cycle_start(&g, &s, c) == 0, "start is the first TreeNode by index");
	const char *want = "TreeNode .children \xe2\x86\x92 list [*] \xe2\x86\x92 TreeNode .parent "
			   "\xe2\x86\x92 TreeNode";
	for (uint32_t start = 0; start < 3; start++) {
		uint32_t len = ct_cycle_find(&g, &s, start, &ws, nodes, edges);
		CHECK(len == 3 && nodes[0] == start, "cycle from %u: len %u", start, len);
		if (len != 3)
			continue;
		must(ct_cycle_signature(&g, nodes, edges, len, &ws, &n, &err), &err, "sig");
		CHECK(strcmp(ws.buf, want) == 0 && n == strlen(want),
		      "signature from %u: '%s', want '%s'", start, ws.buf, want);
	}
	CHECK(ct_cycle_find(&g, &s, 3, &ws, nodes, edges) == 0, "the type object is on no cycle");
	ct_cycle_ws_finish(&ws);
	ct_cycle_ws_finish(&ws);
	ct_cycle_ws_finish(NULL);
	ct_scc_finish(&s);
	ct_graph_finish(&g);
}

/* Random rings: every rotation of the same cycle gives one signature,
 * the one the brute-force oracle picks; find() from every node of a
 * plain ring returns the whole ring. */
static void test_rotation(void)
{
	static const char *const tnames[] = {"A", "B", "C", "TreeNode", "list"};
	static const char *const lnames[] = {".x", ".y", "[0]", "[5]", "[12]", NULL, "['k']"};
	uint64_t seed = 5;
	char want[8192];

	for (int round = 0; round < 400; round++) {
		uint32_t k = 1 + rng_below(&seed, round < 200 ? 6 : 40);
		uint32_t period = 1 + rng_below(&seed, k);
		while (k % period)
			period--;
		const char **types = malloc(k * sizeof(*types));
		struct tg_edge *e = malloc(k * sizeof(*e));
		uint32_t nt = 1 + rng_below(&seed, 5), nl = 1 + rng_below(&seed, 7);
		for (uint32_t i = 0; i < k; i++) {
			/* Periodic patterns stress the least-rotation search. */
			uint32_t src = i < period ? i : i % period;
			types[i] = i < period ? tnames[rng_below(&seed, nt)] : types[src];
			const char *l = i < period ? lnames[rng_below(&seed, nl)] : e[src].label;
			e[i] = (struct tg_edge){i, (i + 1) % k, S, l};
		}
		struct tg_spec sp = {.n = k, .types = types, .edges = e, .n_edges = k};
		struct ct_graph g;
		struct ct_scc s;
		struct ct_cycle_ws ws;
		struct ct_error err = {0};
		tg_build(&g, &sp);
		must(ct_scc_compute(&g, &s, &err), &err, "scc");
		must(ct_cycle_ws_init(&ws, &g, &err), &err, "ws");
		uint32_t *nodes = malloc(k * sizeof(*nodes)), *edges = malloc(k * sizeof(*edges));
		uint32_t *rn = malloc(k * sizeof(*rn)), *re = malloc(k * sizeof(*re));
		for (uint32_t i = 0; i < k; i++) {
			nodes[i] = i;
			edges[i] = i;  /* edge i leaves node i */
		}
		oracle_signature(&g, nodes, edges, k, want, sizeof(want));
		int bad = 0;
		for (uint32_t r = 0; r < k && !bad; r++) {
			for (uint32_t i = 0; i < k; i++) {
				rn[i] = nodes[(r + i) % k];
				re[i] = edges[(r + i) % k];
			}
			size_t n;
			must(ct_cycle_signature(&g, rn, re, k, &ws, &n, &err), &err, "sig");
			bad += !CHECK(strcmp(ws.buf, want) == 0 && n == strlen(want),
				      "round %d (ring %u, period %u), rotation %u: '%s', want '%s'",
				      round, k, period, r, ws.buf, want);
			/* find() from node r walks the whole ring. */
			uint32_t len = ct_cycle_find(&g, &s, r, &ws, rn, re);
			bad += !CHECK(len == k && rn[0] == r, "round %d: find from %u: len %u", round,
				      r, len);
			for (uint32_t i = 0; i < len && !bad; i++)
				bad += !CHECK(rn[i] == (r + i) % k && g.dst[re[i]] == rn[(i + 1) % len],
					      "round %d: find from %u step %u", round, r, i);
			if (len == k) {
				must(ct_cycle_signature(&g, rn, re, k, &ws, &n, &err), &err, "sig");
				bad += !CHECK(strcmp(ws.buf, want) == 0,
					      "round %d: signature of find() from %u: '%s'", round, r,
					      ws.buf);
			}
		}
		/* The canonical start: least type name, lowest index on ties. */
		uint32_t best = 0;
		for (uint32_t i = 1; i < k; i++)
			if (strcmp(types[i], types[best]) < 0)
				best = i;
		CHECK(ct_cycle_start(&g, &s, s.comp[0]) == best, "round %d: start %u want %u", round,
		      ct_cycle_start(&g, &s, s.comp[0]), best);
		free(nodes);
		free(edges);
		free(rn);
		free(re);
		ct_cycle_ws_finish(&ws);
		ct_scc_finish(&s);
		ct_graph_finish(&g);
		free(types);
		free(e);
		if (bad)
			break;
	}
}

/* Shortest cycle, self-loops, weak edges, and index labels normalised:
 * two components of the same shape with different indices share a
 * signature; a different attribute name does not. */
static void test_shapes(void)
{
	const char *types[] = {"N", "N", "N", "N", "N", "N", "N", "M", "list", "M", "list", "M",
			       "list"};
	struct tg_edge e[] = {
		/* 0: a 2-cycle and a 5-cycle through node 0; a weak shortcut. */
		{0, 1, S, ".a"}, {1, 2, S, ".b"}, {2, 3, S, ".c"}, {3, 4, S, ".d"}, {4, 0, S, ".e"},
		{0, 4, W, ".w"}, {0, 5, S, ".f"}, {5, 0, S, ".g"},
		/* 6: a self-loop. */
		{6, 6, S, ".self"},
		/* 7,8 / 9,10 / 11,12: M -> list -> M with different indices. */
		{7, 8, S, ".items"}, {8, 7, S, "[0]"},
		{9, 10, S, ".items"}, {10, 9, S, "[41]"},
		{11, 12, S, ".other"}, {12, 11, S, "[41]"},
	};
	struct tg_spec sp = {.n = 13, .types = types, .edges = e, .n_edges = sizeof(e) / sizeof(e[0])};
	struct ct_graph g;
	struct ct_scc s;
	struct ct_cycle_ws ws;
	struct ct_error err = {0};
	uint32_t nodes[13], edges[13];
	size_t n;
	char sig[3][256];

	tg_build(&g, &sp);
	must(ct_scc_compute(&g, &s, &err), &err, "scc");
	must(ct_cycle_ws_init(&ws, &g, &err), &err, "ws");
	uint32_t len = ct_cycle_find(&g, &s, 0, &ws, nodes, edges);
	CHECK(len == 2 && nodes[1] == 5, "shortest cycle through 0 has 2 nodes: %u", len);
	len = ct_cycle_find(&g, &s, 1, &ws, nodes, edges);
	CHECK(len == 5, "shortest cycle through 1 has 5 nodes: %u", len);
	len = ct_cycle_find(&g, &s, 6, &ws, nodes, edges);
	CHECK(len == 1 && nodes[0] == 6 && g.dst[edges[0]] == 6, "self-loop: %u", len);
	must(ct_cycle_signature(&g, nodes, edges, len, &ws, &n, &err), &err, "sig");
	CHECK(strcmp(ws.buf, "N .self \xe2\x86\x92 N") == 0, "self-loop signature '%s'", ws.buf);
	for (int i = 0; i < 3; i++) {
		uint32_t start = ct_cycle_start(&g, &s, s.comp[7 + 2 * i]);
		CHECK(start == (uint32_t)(7 + 2 * i), "start of M/list component %d: %u", i, start);
		len = ct_cycle_find(&g, &s, start, &ws, nodes, edges);
		must(ct_cycle_signature(&g, nodes, edges, len, &ws, &n, &err), &err, "sig");
		snprintf(sig[i], sizeof(sig[i]), "%s", ws.buf);
	}
	CHECK(strcmp(sig[0], sig[1]) == 0, "index labels normalised: '%s' vs '%s'", sig[0], sig[1]);
	CHECK(strcmp(sig[0], "M .items \xe2\x86\x92 list [*] \xe2\x86\x92 M") == 0, "'%s'", sig[0]);
	CHECK(strcmp(sig[0], sig[2]) != 0, "a different attribute gives another signature");
	/* Many searches: the stamp keeps marks apart. */
	for (int i = 0; i < 1000; i++)
		len = ct_cycle_find(&g, &s, (uint32_t)i % 6, &ws, nodes, edges);
	CHECK(len == 5 || len == 2, "repeated searches still work: %u", len);
	ws.stamp = UINT32_MAX;  /* force the wrap-around */
	CHECK(ct_cycle_find(&g, &s, 0, &ws, nodes, edges) == 2, "after stamp wrap");
	CHECK(ct_cycle_find(&g, &s, 1, &ws, nodes, edges) == 5, "after stamp wrap (2)");
	ct_cycle_ws_finish(&ws);
	ct_scc_finish(&s);
	ct_graph_finish(&g);
}

int main(void)
{
	test_label_is_index();
	test_example();
	test_rotation();
	test_shapes();
	return check_status("test_cycle");
}
