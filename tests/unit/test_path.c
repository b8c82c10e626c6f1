/* Unit test: lib/path.c (ct_path_build) against a breadth-first search
 * written here, on random graphs with every edge kind, roots given as
 * flags (V8) or found from reference counts (Python); the preference for
 * user-level roots on hand-built Python and V8 graphs and, against an
 * oracle written here, on random Python graphs with modules. */
#include <inttypes.h>
#include <stdio.h>

#include "check.h"
#include "lib/path.h"
#include "lib/runtime.h"
#include "lib/write.h"

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
		must(ct_path_build_mode(&p, g, v, CT_PATH_ANY_ROOT, &err), &err, "path");
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

/* ---- user-level roots ---- */

/* Does p run through exactly the nodes want[0..n-1]? */
static bool route_is(const struct ct_path *p, const uint32_t *want, uint32_t n)
{
	if (p->len != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (p->nodes[i] != want[i])
			return false;
	return true;
}

/* The text writer's last line, into buf. */
static void last_line(const struct ct_path *p, char *buf, size_t cap)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct ct_write_opts o = {.name = "t"};

	buf[0] = '\0';
	if (!f || ct_path_write_text(f, p, &o, NULL) || fclose(f))
		exit(2);
	if (len && out[len - 1] == '\n')
		out[--len] = '\0';
	const char *nl = strrchr(out, '\n');
	snprintf(buf, cap, "%s", nl ? nl + 1 : out);
	free(out);
}

static void show(const struct ct_path *p, const char *what)
{
	fprintf(stderr, "  %s: route of %u:", what, p->len);
	for (uint32_t i = 0; i < p->len; i++)
		fprintf(stderr, " %u", p->nodes[i]);
	fprintf(stderr, " (kind %s)\n", ct_path_root_kind_name(p->root_kind));
}

static void test_python_preference(void)
{
	enum { D, M, A, B, T, R, U, P1, P2, T2, G2, N };
	static const char *const types[N] = {"dict", "module", "dict", "list", "Foo", "dict",
					      "Bar", "Baz", "Baz", "Qux", "module"};
	/* refcount: D and R are referenced from outside; G2 only by itself. */
	static const uint64_t rc[N] = {1, 1, 1, 1, 2, 1, 2, 1, 1, 2, 1};
	static const struct tg_edge edges[] = {
		{D, M, CT_EDGE_STRONG, "['app']"},
		{M, P1, CT_EDGE_STRONG, ".__class__"},   /* first: a plain BFS takes it */
		{M, P2, CT_EDGE_STRONG, ".y"},
		{M, A, CT_EDGE_STRONG, ".__dict__"},
		{M, U, CT_EDGE_WEAK, ".w"},              /* never followed */
		{A, B, CT_EDGE_STRONG, "['REGISTRY']"},
		{B, T, CT_EDGE_STRONG, "[0]"},
		{R, T, CT_EDGE_STRONG, ".t"},            /* shorter, from a non-user root */
		{R, U, CT_EDGE_STRONG, ".u"},
		{P1, T2, CT_EDGE_STRONG, ".z"},
		{P2, T2, CT_EDGE_STRONG, ".z"},
		{G2, G2, CT_EDGE_STRONG, ".self"},       /* a garbage module ... */
		{G2, U, CT_EDGE_STRONG, ".x"},           /* ... is no user-level root */
	};
	const char *names[N] = {[M] = "app", [G2] = "gone"};
	struct tg_spec sp = {.n = N, .types = types, .refcounts = rc, .values = names,
			     .edges = edges, .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_graph g;
	struct ct_path p;
	struct ct_error err = {0};
	char line[512];

	tg_build(&g, &sp);
	g.format = "python";

	must(ct_path_build(&p, &g, T, &err), &err, "path T");
	if (!CHECK(route_is(&p, (uint32_t[]){M, A, B, T}, 4) && p.user_level &&
		   p.root_kind == CT_PATH_ROOT_MODULE && p.root_via == M && p.n_user_roots == 1,
		   "python: the module's longer route is preferred"))
		show(&p, "T");
	last_line(&p, line, sizeof(line));
	CHECK(strcmp(line, "from module app 0x20 (a user-level root)") == 0, "python text: '%s'",
	      line);
	ct_path_finish(&p);

	must(ct_path_build_mode(&p, &g, T, CT_PATH_ANY_ROOT, &err), &err, "path T any");
	if (!CHECK(route_is(&p, (uint32_t[]){R, T}, 2) && !p.user_level &&
		   p.root_kind == CT_PATH_ROOT_REFCOUNT && p.root_via == R,
		   "python --any-root: the true shortest, from an externally referenced object"))
		show(&p, "T any");
	last_line(&p, line, sizeof(line));
	CHECK(strcmp(line, "from 0x60, externally referenced (refcount 1)") == 0,
	      "python --any-root text: '%s'", line);
	ct_path_finish(&p);

	/* Only a non-user root (and a weak edge, and a garbage module) reach U. */
	must(ct_path_build(&p, &g, U, &err), &err, "path U");
	if (!CHECK(route_is(&p, (uint32_t[]){R, U}, 2) && !p.user_level &&
		   p.root_kind == CT_PATH_ROOT_REFCOUNT, "python: falls back to the shortest"))
		show(&p, "U");
	last_line(&p, line, sizeof(line));
	CHECK(strstr(line, "; no user-level root reaches it") != NULL, "fallback text: '%s'", line);
	ct_path_finish(&p);

	/* Two routes of two references: the one without __class__. */
	must(ct_path_build(&p, &g, T2, &err), &err, "path T2");
	if (!CHECK(route_is(&p, (uint32_t[]){M, P2, T2}, 3), "python: structural edge avoided"))
		show(&p, "T2");
	ct_path_finish(&p);
	must(ct_path_build_mode(&p, &g, T2, CT_PATH_ANY_ROOT, &err), &err, "path T2 any");
	CHECK(route_is(&p, (uint32_t[]){D, M, P1, T2}, 4) && !p.user_level &&
	      p.root_kind == CT_PATH_ROOT_REFCOUNT && p.root_via == D,
	      "python --any-root: plain BFS, a module on the way is not the root");
	ct_path_finish(&p);

	/* The garbage module itself: unreachable, no route, no kind. */
	must(ct_path_build(&p, &g, G2, &err), &err, "path G2");
	CHECK(p.len == 0 && p.root_kind == CT_PATH_ROOT_NONE && p.root_via == CT_NONE,
	      "python: a garbage module has no route");
	ct_path_finish(&p);
	ct_graph_finish(&g);
}

static void test_v8_preference(void)
{
	enum { ROOT, GC, STACK, GLOB, A, B, T, X, P1, P2, T4, N };
	static const char *const types[N] = {"(synthetic)", "(synthetic)", "(synthetic)",
					      "global", "Object", "Array", "Handler", "Foo",
					      "(system)", "Object", "Bar"};
	static const uint8_t flags[N] = {CT_NODE_ROOT};
	static const struct tg_edge edges[] = {
		{ROOT, GC, CT_EDGE_STRONG, "[1]"},
		{ROOT, GLOB, CT_EDGE_SHORTCUT, ".2"},
		{GC, STACK, CT_EDGE_STRONG, "[0]"},
		{STACK, T, CT_EDGE_STRONG, "[0]"},
		{STACK, X, CT_EDGE_STRONG, "[1]"},
		{GLOB, T, CT_EDGE_WEAK, ".w"},          /* never followed */
		{GLOB, P1, CT_EDGE_INTERNAL, ".map"},  /* first: a plain BFS takes it */
		{GLOB, P2, CT_EDGE_STRONG, ".q"},
		{GLOB, A, CT_EDGE_STRONG, ".app"},
		{A, B, CT_EDGE_STRONG, ".handlers"},
		{B, T, CT_EDGE_STRONG, "[3]"},
		{P1, T4, CT_EDGE_STRONG, ".r"},
		{P2, T4, CT_EDGE_STRONG, ".r"},
	};
	const char *names[N] = {[GC] = "(GC roots)", [STACK] = "(Stack roots)", [GLOB] = "global"};
	struct tg_spec sp = {.n = N, .types = types, .flags = flags, .values = names,
			     .edges = edges, .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_graph g;
	struct ct_path p;
	struct ct_error err = {0};
	char line[512];

	tg_build(&g, &sp);
	g.format = "v8";
	g.roots_given = true;
	g.numeric_ids = true;

	must(ct_path_build(&p, &g, T, &err), &err, "v8 path T");
	if (!CHECK(route_is(&p, (uint32_t[]){GLOB, A, B, T}, 4) && p.user_level &&
		   p.root_kind == CT_PATH_ROOT_GLOBAL && p.root_via == GLOB && p.n_user_roots == 1,
		   "v8: the global object's longer route is preferred"))
		show(&p, "T");
	last_line(&p, line, sizeof(line));
	CHECK(strcmp(line, "from the global object @64 (a user-level root)") == 0,
	      "v8 text: '%s'", line);
	ct_path_finish(&p);

	must(ct_path_build_mode(&p, &g, T, CT_PATH_ANY_ROOT, &err), &err, "v8 path T any");
	if (!CHECK(route_is(&p, (uint32_t[]){ROOT, GC, STACK, T}, 4) && !p.user_level &&
		   p.root_kind == CT_PATH_ROOT_GC_ROOTS && p.root_via == STACK,
		   "v8 --any-root: through (GC roots) and (Stack roots)"))
		show(&p, "T any");
	last_line(&p, line, sizeof(line));
	CHECK(strcmp(line, "from a stack root (GC roots \xe2\x86\x92 Stack roots) @48") == 0,
	      "v8 --any-root text: '%s'", line);
	ct_path_finish(&p);

	must(ct_path_build(&p, &g, X, &err), &err, "v8 path X");
	CHECK(route_is(&p, (uint32_t[]){ROOT, GC, STACK, X}, 4) && !p.user_level &&
	      p.root_kind == CT_PATH_ROOT_GC_ROOTS, "v8: falls back to the shortest");
	ct_path_finish(&p);

	must(ct_path_build(&p, &g, T4, &err), &err, "v8 path T4");
	if (!CHECK(route_is(&p, (uint32_t[]){GLOB, P2, T4}, 3), "v8: the map edge avoided"))
		show(&p, "T4");
	ct_path_finish(&p);

	must(ct_path_build(&p, &g, ROOT, &err), &err, "v8 path root");
	CHECK(route_is(&p, (uint32_t[]){ROOT}, 1) && p.root_kind == CT_PATH_ROOT_FLAGGED,
	      "v8: the root is its own route");
	ct_path_finish(&p);
	ct_graph_finish(&g);
}

/* Random Python graphs with modules: the route is a shortest one from an
 * alive module and, among those, has the fewest structural references
 * (oracle: distances by BFS, then the cheapest over parents one layer
 * up); without one, the true shortest. */
static void test_random_python(uint64_t *seed, uint32_t n)
{
	static const char *const labels[] = {".x", ".__class__", ".__globals__", "[0]"};
	struct ct_builder b;
	struct ct_graph g;
	struct ct_reach r;
	struct ct_error err = {0};
	uint32_t m = n + rng_below(seed, 3 * n);
	uint32_t *indeg = calloc(n, sizeof(*indeg)), *from = malloc(m * sizeof(*from));
	uint32_t *to = malloc(m * sizeof(*to)), *lab = malloc(m * sizeof(*lab));
	uint8_t *kind = malloc(m), *mod = malloc(n);

	for (uint32_t i = 0; i < m; i++) {
		from[i] = rng_below(seed, n);
		to[i] = rng_below(seed, n);
		kind[i] = rng_below(seed, 8) == 0 ? CT_EDGE_WEAK : CT_EDGE_STRONG;
		lab[i] = rng_below(seed, 4);
		indeg[to[i]] += kind[i] == CT_EDGE_STRONG;
	}
	ct_builder_init(&b, "python");
	uint32_t tm = ct_builder_intern(&b, "module", 6), tt = ct_builder_intern(&b, "T", 1);
	uint32_t li[4];
	for (int k = 0; k < 4; k++)
		li[k] = ct_builder_intern(&b, labels[k], strlen(labels[k]));
	for (uint32_t v = 0; v < n; v++) {
		mod[v] = rng_below(seed, 5) == 0;
		must(ct_builder_node(&b, 16 * ((uint64_t)v + 1), mod[v] ? tm : tt, 8, 0, 0, true,
				     indeg[v] + (rng_below(seed, 8) == 0), v + 1, &err), &err, "node");
		for (uint32_t i = 0; i < m; i++)
			if (from[i] == v)
				must(ct_builder_edge(&b, 16 * ((uint64_t)to[i] + 1), li[lab[i]], kind[i],
						     &err), &err, "edge");
	}
	must(ct_builder_build(&b, 0, &g, &err), &err, "build");
	must(ct_reach_compute(&g, &r, &err), &err, "reach");
	struct ct_runtime rt;
	must(ct_runtime_compute(&rt, &g, &r, &err), &err, "runtime");

	/* Oracle: distance from the alive modules, then cost by layers. */
	uint32_t *dist = malloc(n * sizeof(*dist)), *q = malloc(n * sizeof(*q)), head = 0, tail = 0;
	uint32_t *cost = malloc(n * sizeof(*cost));
	for (uint32_t v = 0; v < n; v++) {
		bool s = mod[v] && r.alive[v];
		dist[v] = s ? 0 : CT_NONE;
		cost[v] = s ? 0 : UINT32_MAX;
		if (s)
			q[tail++] = v;
	}
	while (head < tail) {
		uint32_t v = q[head++];
		for (uint32_t e = g.out_off[v]; e < g.out_off[v + 1]; e++)
			if (ct_edge_counts_from(&g, v, e) && dist[g.dst[e]] == CT_NONE) {
				dist[g.dst[e]] = dist[v] + 1;
				q[tail++] = g.dst[e];
			}
	}
	for (uint32_t i = 0; i < tail; i++) {   /* q holds the nodes by distance */
		uint32_t v = q[i];
		for (uint32_t e = g.out_off[v]; e < g.out_off[v + 1]; e++) {
			uint32_t w = g.dst[e], c = cost[v] + ct_runtime_skips(rt.skip, e);
			if (ct_edge_counts_from(&g, v, e) && dist[w] == dist[v] + 1 && c < cost[w])
				cost[w] = c;
		}
	}
	for (uint32_t v = 0; v < n; v++) {
		struct ct_path p;
		must(ct_path_build(&p, &g, v, &err), &err, "path");
		if (dist[v] != CT_NONE) {
			uint32_t c = 0;
			bool ok = p.len == dist[v] + 1 && p.user_level && mod[p.nodes[0]] &&
				  r.alive[p.nodes[0]] && p.nodes[p.len - 1] == v;
			for (uint32_t i = 0; ok && i + 1 < p.len; i++) {
				uint32_t u = p.nodes[i], e = p.edges[i];
				ok = e >= g.out_off[u] && e < g.out_off[u + 1] &&
				     g.dst[e] == p.nodes[i + 1] && ct_edge_counts_from(&g, u, e);
				c += ok && ct_runtime_skips(rt.skip, e);
			}
			if (!CHECK(ok && c == cost[v], "random python: node %u: route of %u (BFS %u), "
				   "%u structural (fewest %u)", v, p.len, dist[v] + 1, c, cost[v]))
				show(&p, "random");
		} else {
			uint32_t len = ct_reach_path(&r, v, NULL, NULL, 0);
			CHECK(p.len == len && !p.user_level, "random python: node %u: fallback %u, "
			      "shortest %u", v, p.len, len);
		}
		ct_path_finish(&p);
	}
	free(dist);
	free(q);
	free(cost);
	ct_reach_finish(&r);
	ct_runtime_finish(&rt);
	ct_graph_finish(&g);
	free(indeg);
	free(from);
	free(to);
	free(lab);
	free(kind);
	free(mod);
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
	test_python_preference();
	test_v8_preference();
	for (int i = 0; i < rounds; i++)
		test_random_python(&seed, 1 + rng_below(&seed, 60));
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
