/* Unit test: lib/select.c (what `render` draws) against brute force.
 *
 * On random small graphs with garbage and alive cycles, each mode of
 * ct_select() is checked against what the test computes itself: the
 * neighbourhood of an object by a plain breadth-first search (forward, or
 * both ways with backrefs), the members of an SCC by mutual reachability,
 * the groups drawn by the order lib/select.h states, and, under a node
 * cap, what was cut and the edges to and from it.
 */
#include <inttypes.h>

#include "check.h"
#include "lib/report.h"
#include "lib/select.h"

static const char *const TYPES[] = {"A", "B", "C"};

/* Distances from v by breadth-first search over every edge (and, with
 * back, every edge reversed); CT_NONE beyond depth or unreachable. */
static void bfs(const struct ct_graph *g, uint32_t v, uint32_t depth, bool back, uint32_t *dist)
{
	uint32_t n = g->n_nodes, *queue = malloc((n + 1) * sizeof(*queue)), head = 0, tail = 0;

	for (uint32_t u = 0; u < n; u++)
		dist[u] = CT_NONE;
	dist[v] = 0;
	queue[tail++] = v;
	while (head < tail) {
		uint32_t u = queue[head++];
		if (dist[u] == depth)
			continue;
		for (uint32_t a = 0; a < n; a++)
			for (uint32_t e = g->out_off[a]; e < g->out_off[a + 1]; e++) {
				uint32_t w;
				if (a == u)
					w = g->dst[e];
				else if (back && g->dst[e] == u)
					w = a;
				else
					continue;
				if (dist[w] == CT_NONE) {
					dist[w] = dist[u] + 1;
					queue[tail++] = w;
				}
			}
	}
	free(queue);
}

/* reach[a * n + b]: b reachable from a through strong edges (a itself too). */
static uint8_t *strong_closure(const struct ct_graph *g)
{
	uint32_t n = g->n_nodes;
	uint8_t *r = calloc((size_t)n * n + 1, 1);

	for (uint32_t a = 0; a < n; a++) {
		r[(size_t)a * n + a] = 1;
		for (uint32_t e = g->out_off[a]; e < g->out_off[a + 1]; e++)
			if (ct_edge_kind_is_strong(g->kind[e]))
				r[(size_t)a * n + g->dst[e]] = 1;
	}
	for (uint32_t k = 0; k < n; k++)
		for (uint32_t a = 0; a < n; a++)
			if (r[(size_t)a * n + k])
				for (uint32_t b = 0; b < n; b++)
					r[(size_t)a * n + b] |= r[(size_t)k * n + b];
	return r;
}

/* The invariants every selection keeps, whatever the mode: drawn nodes
 * are distinct, in scope, indexed by pos[]; n_cut counts the in-scope
 * nodes not drawn; cut_out/cut_in count the edges between them. */
static void check_common(const char *what, const struct ct_selection *s, uint32_t max)
{
	const struct ct_graph *g = s->r->g;
	uint32_t n = g->n_nodes, in_scope = 0;

	CHECK(s->n <= max && s->max_nodes == max, "%s: %u drawn, cap %u/%u", what, s->n, s->max_nodes,
	      max);
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t v = s->nodes[i];
		CHECK(v < n && s->pos[v] == i && s->scope[v], "%s: drawn node %u at %u", what, v, i);
		CHECK(s->cluster[i] == CT_NONE || s->cluster[i] < s->n_clusters,
		      "%s: node %u cluster %u of %u", what, v, s->cluster[i], s->n_clusters);
	}
	uint32_t drawn = 0;
	for (uint32_t v = 0; v < n; v++) {
		in_scope += s->scope[v] != 0;
		drawn += s->pos[v] != CT_NONE;
		if (s->pos[v] != CT_NONE)
			CHECK(s->pos[v] < s->n && s->nodes[s->pos[v]] == v, "%s: pos[%u]", what, v);
	}
	CHECK(drawn == s->n, "%s: pos[] names %u nodes, %u drawn", what, drawn, s->n);
	CHECK(s->n_cut == in_scope - s->n, "%s: n_cut %u, in scope %u, drawn %u", what, s->n_cut,
	      in_scope, s->n);
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t v = s->nodes[i], out = 0, in = 0;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
			out += s->scope[g->dst[e]] && s->pos[g->dst[e]] == CT_NONE;
		for (uint32_t a = 0; a < n; a++)
			if (s->scope[a] && s->pos[a] == CT_NONE)
				for (uint32_t e = g->out_off[a]; e < g->out_off[a + 1]; e++)
					in += g->dst[e] == v;
		CHECK(s->cut_out[i] == out && s->cut_in[i] == in,
		      "%s: node %u cut edges out %u/%u in %u/%u", what, v, s->cut_out[i], out,
		      s->cut_in[i], in);
	}
	uint32_t per_cluster[64] = {0};
	for (uint32_t i = 0; i < s->n; i++)
		if (s->cluster[i] != CT_NONE && s->cluster[i] < 64)
			per_cluster[s->cluster[i]]++;
	for (uint32_t c = 0; c < s->n_clusters && c < 64; c++)
		CHECK(s->clusters[c].drawn == per_cluster[c], "%s: cluster %u drawn %u, counted %u",
		      what, c, s->clusters[c].drawn, per_cluster[c]);
}

/* A cluster's drawn members are members of its SCC (by brute force),
 * reached from its representative cycle through strong edges inside the
 * SCC; without a cap in the way, all of them. */
static void check_cluster(const char *what, const struct ct_selection *s, uint32_t c,
			  const uint8_t *closure, bool all)
{
	const struct ct_report *r = s->r;
	const struct ct_graph *g = r->g;
	uint32_t n = g->n_nodes;
	const struct ct_report_scc *e = &r->sccs[s->clusters[c].scc];
	uint32_t rep = r->cyc_nodes[e->cycle_off], members = 0;

	for (uint32_t v = 0; v < n; v++) {
		bool same = closure[(size_t)rep * n + v] && closure[(size_t)v * n + rep];
		members += same;
		CHECK(!!s->scope[v] >= same, "%s: cluster %u: member %u not in scope", what, c, v);
		uint32_t p = s->pos[v];
		if (p != CT_NONE && s->cluster[p] == c)
			CHECK(same && s->role[p] == CT_SEL_MEMBER, "%s: cluster %u: node %u drawn as a "
			      "member (role %u) but not in the SCC of %u", what, c, v, s->role[p], rep);
		if (all && same)
			CHECK(p != CT_NONE && s->cluster[p] == c, "%s: cluster %u: member %u not drawn",
			      what, c, v);
	}
	CHECK(members == e->size, "%s: cluster %u: SCC of %u objects, brute force %u", what, c,
	      e->size, members);
	/* A first cycle longer than the cap is drawn cut at it. */
	uint32_t len = e->cycle_len > s->max_nodes ? s->max_nodes : e->cycle_len;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t p = s->pos[r->cyc_nodes[e->cycle_off + i]];
		CHECK(p != CT_NONE && s->cluster[p] == c, "%s: cluster %u: cycle node %u not drawn",
		      what, c, i);
	}
}

static void check_object(const struct ct_report *r, uint32_t v, uint32_t depth, bool back,
			 uint32_t max, int round)
{
	const struct ct_graph *g = r->g;
	uint32_t n = g->n_nodes, *dist = malloc((n + 1) * sizeof(*dist));
	struct ct_select_opts o = {.mode = CT_SELECT_OBJECT, .object = ct_graph_addr(g, v), .depth = depth,
				   .backrefs = back, .max_nodes = max};
	struct ct_selection s;
	struct ct_error err = {0};
	char what[96];

	snprintf(what, sizeof(what), "round %d object %u depth %u%s cap %u", round, v, depth,
		 back ? " backrefs" : "", max);
	bfs(g, v, depth, back, dist);
	if (!CHECK(ct_select(&s, r, &o, &err) == 0, "%s: %s", what, err.msg))
		goto out;
	check_common(what, &s, max);
	uint32_t ball = 0;
	for (uint32_t u = 0; u < n; u++) {
		ball += dist[u] != CT_NONE;
		CHECK(!!s.scope[u] == (dist[u] != CT_NONE), "%s: node %u in scope %d, distance %d",
		      what, u, s.scope[u], (int)dist[u]);
	}
	CHECK(s.n == (ball < max ? ball : max), "%s: %u drawn of %u", what, s.n, ball);
	CHECK(s.n_clusters == 0, "%s: clusters %u", what, s.n_clusters);
	CHECK(s.n > 0 && s.nodes[0] == v && s.role[0] == CT_SEL_FOCUS, "%s: focus first", what);
	uint32_t last = 0;
	for (uint32_t i = 0; i < s.n; i++) {
		uint32_t u = s.nodes[i];
		if (i)
			CHECK(s.role[i] == CT_SEL_NEAR && s.cluster[i] == CT_NONE,
			      "%s: node %u role %u", what, u, s.role[i]);
		CHECK(dist[u] != CT_NONE && dist[u] >= last, "%s: node %u (distance %d) drawn after "
		      "distance %u: not breadth first", what, u, (int)dist[u], last);
		if (dist[u] != CT_NONE)
			last = dist[u];
	}
	/* The cap cuts the farthest: nothing left out is nearer than the last drawn. */
	for (uint32_t u = 0; u < n; u++)
		if (dist[u] != CT_NONE && s.pos[u] == CT_NONE)
			CHECK(dist[u] >= last, "%s: node %u at distance %u cut, %u drawn", what, u,
			      dist[u], last);
	ct_selection_finish(&s);
out:
	free(dist);
}

static void check_scc(const struct ct_report *r, uint32_t k, bool path, uint32_t max,
		      const uint8_t *closure, int round)
{
	const struct ct_report_scc *e = &r->sccs[k];
	struct ct_select_opts o = {.mode = CT_SELECT_SCC, .scc_id = e->id, .path = path,
				   .max_nodes = max};
	struct ct_selection s;
	struct ct_error err = {0};
	char what[96];

	snprintf(what, sizeof(what), "round %d scc %u%s cap %u", round, e->id, path ? " path" : "",
		 max);
	if (!CHECK(ct_select(&s, r, &o, &err) == 0, "%s: %s", what, err.msg))
		return;
	check_common(what, &s, max);
	if (e->cycle_len > max) {
		/* Drawn cut: its first max steps, the rest counted as cut. */
		bool ok = s.n_clusters == 1 && s.groups_left_out == 0 && s.n == max &&
			  s.n_cut >= e->size - max;
		for (uint32_t i = 0; ok && i < max; i++)
			ok = s.nodes[i] == r->cyc_nodes[e->cycle_off + i] && s.cluster[i] == 0;
		CHECK(ok, "%s: cycle of %u drawn cut: %u clusters, %u left out, %u drawn, %u cut",
		      what, e->cycle_len, s.n_clusters, s.groups_left_out, s.n, s.n_cut);
	} else if (CHECK(s.n_clusters == 1 && s.clusters[0].scc == k && s.groups_left_out == 0,
			 "%s: %u clusters", what, s.n_clusters)) {
		uint32_t pn[2 * CT_REPORT_PATH_HEAD], pe[2 * CT_REPORT_PATH_HEAD];
		uint32_t plen = path ? ct_report_path(r, e, CT_REPORT_PATH_HEAD, CT_REPORT_PATH_HEAD,
						      pn, pe, NULL) : 0;
		uint32_t extra = plen ? plen - 1 : 0;
		check_cluster(what, &s, 0, closure, e->cycle_len + extra + e->size <= max);
		CHECK(s.clusters[0].group == e->group, "%s: group", what);
		if (plen && e->cycle_len + plen - 1 <= max)
			for (uint32_t i = 0; i + 1 < plen; i++) {
				uint32_t p = s.pos[pn[i]];
				CHECK(p != CT_NONE && (s.role[p] == CT_SEL_PATH ||
						       s.role[p] == CT_SEL_MEMBER),
				      "%s: path node %u drawn", what, i);
			}
		if (!path)
			for (uint32_t i = 0; i < s.n; i++)
				CHECK(s.cluster[i] == 0 && s.role[i] == CT_SEL_MEMBER,
				      "%s: only members drawn", what);
	}
	ct_selection_finish(&s);
}

/* Groups mode: garbage groups first, then alive ones, each in the
 * report's order (by bytes), the first `want` of them. */
static void check_groups(const struct ct_report *r, uint32_t want, uint32_t max,
			 const uint8_t *closure, int round)
{
	struct ct_select_opts o = {.mode = CT_SELECT_GROUPS, .groups = want, .max_nodes = max};
	struct ct_selection s;
	struct ct_error err = {0};
	uint32_t order[64], n = 0, w = want ? want : 5;
	char what[96];

	snprintf(what, sizeof(what), "round %d groups %u cap %u", round, want, max);
	for (int garbage = 1; garbage >= 0; garbage--)
		for (uint32_t i = 0; i < r->n_groups && n < w && n < 64; i++)
			if ((r->groups[i].n_garbage > 0) == garbage)
				order[n++] = r->groups[i].first;
	if (!CHECK(ct_select(&s, r, &o, &err) == 0, "%s: %s", what, err.msg))
		return;
	check_common(what, &s, max);
	CHECK(s.n_clusters + s.groups_left_out == n, "%s: %u clusters + %u left out, want %u", what,
	      s.n_clusters, s.groups_left_out, n);
	for (uint32_t c = 0; c < s.n_clusters && c < n; c++) {
		CHECK(s.clusters[c].scc == order[c], "%s: cluster %u is scc index %u, want %u", what,
		      c, s.clusters[c].scc, order[c]);
		check_cluster(what, &s, c, closure, false);
		uint32_t cyc = r->sccs[s.clusters[c].scc].cycle_len;
		if (s.n_clusters > 1)
			CHECK(s.clusters[c].drawn <= cyc + CT_SELECT_CLUSTER_NODES,
			      "%s: cluster %u drew %u beside others", what, c, s.clusters[c].drawn);
	}
	ct_selection_finish(&s);
}

static void check_signature(const struct ct_report *r, uint32_t gi, const uint8_t *closure,
			    int round)
{
	const char *sig = ct_report_signature(r, &r->groups[gi]);
	struct ct_select_opts o = {.mode = CT_SELECT_SIGNATURE, .signature = sig};
	struct ct_selection s;
	struct ct_error err = {0};
	uint32_t want[64], n = 0;
	char what[96];

	snprintf(what, sizeof(what), "round %d signature of group %u", round, gi);
	for (uint32_t i = 0; i < r->n_groups && n < 64; i++)
		if (strcmp(ct_report_signature(r, &r->groups[i]), sig) == 0)
			want[n++] = r->groups[i].first;
	if (!CHECK(ct_select(&s, r, &o, &err) == 0, "%s: %s", what, err.msg))
		return;
	check_common(what, &s, CT_SELECT_MAX_NODES);
	CHECK(s.n_clusters == n, "%s: %u clusters, %u groups", what, s.n_clusters, n);
	for (uint32_t c = 0; c < s.n_clusters && c < n; c++) {
		CHECK(s.clusters[c].scc == want[c], "%s: cluster %u", what, c);
		check_cluster(what, &s, c, closure, n == 1);
	}
	ct_selection_finish(&s);
}

static void missing(const struct ct_report *r)
{
	struct ct_selection s;
	struct ct_error err = {0};
	struct ct_select_opts o[] = {
		{.mode = CT_SELECT_SCC, .scc_id = r->n_sccs + 1},
		{.mode = CT_SELECT_SCC, .scc_id = 0},
		{.mode = CT_SELECT_SIGNATURE, .signature = "no such signature"},
		{.mode = CT_SELECT_OBJECT, .object = 8},  /* tg_addr() never gives 8 */
	};
	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++) {
		memset(&err, 0, sizeof(err));
		int rc = ct_select(&s, r, &o[i], &err);
		/* lib/select.h: CT_EUSAGE; issue 10 may make an unknown
		 * object bad input (exit 3): either, with a message. */
		CHECK((rc == CT_EUSAGE || rc == CT_EINPUT) && err.code == rc && err.msg[0],
		      "missing case %zu: rc %d, '%s'", i, rc, err.msg);
		CHECK(s.nodes == NULL && s.n == 0, "missing case %zu: selection released", i);
	}
}

static void random_graph(struct ct_graph *g, uint64_t *seed, uint32_t n)
{
	uint32_t m = n + rng_below(seed, 2 * n + 1);
	struct tg_edge *edges = calloc(m + 1, sizeof(*edges));
	const char **types = malloc(n * sizeof(*types));
	uint64_t *sizes = malloc(n * sizeof(*sizes)), *counts = calloc(n, sizeof(*counts));

	for (uint32_t v = 0; v < n; v++) {
		types[v] = TYPES[rng_below(seed, 3)];
		sizes[v] = 8 + 8 * rng_below(seed, 8);
	}
	for (uint32_t e = 0; e < m; e++) {
		/* Mostly short back-and-forth edges, so that cycles form. */
		uint32_t a = rng_below(seed, n);
		uint32_t b = rng_below(seed, 3) ? (a + n - rng_below(seed, 3)) % n : rng_below(seed, n);
		uint32_t k = rng_below(seed, 12);
		static const char *labels[] = {".a", ".b", "[0]", NULL};
		edges[e] = (struct tg_edge){a, b, k == 0 ? CT_EDGE_WEAK : CT_EDGE_STRONG,
					    labels[rng_below(seed, 4)]};
		if (edges[e].kind == CT_EDGE_STRONG)
			counts[b]++;
	}
	for (uint32_t v = 0; v < n; v++)
		if (rng_below(seed, 6) == 0)
			counts[v]++;  /* held from outside: alive */
	struct tg_spec sp = {.n = n, .types = types, .sizes = sizes, .refcounts = counts,
			     .edges = edges, .n_edges = m};
	tg_build(g, &sp);
	free(edges);
	free(types);
	free(sizes);
	free(counts);
}

int main(void)
{
	uint64_t seed = 0x5e1ec7ULL;
	int rounds = test_small() ? 60 : 600;
	uint32_t seen_cut = 0, seen_left_out = 0, seen_sccs = 0;

	for (int round = 0; round < rounds; round++) {
		struct ct_graph g = {0};
		struct ct_report r;
		struct ct_error err = {0};
		uint32_t n = 2 + rng_below(&seed, 24);

		random_graph(&g, &seed, n);
		must(ct_report_build(&r, &g, NULL, &err), &err, "report");
		uint8_t *closure = strong_closure(&g);
		uint32_t caps[] = {1, 2, 3, 5, 8, CT_SELECT_MAX_NODES};

		for (uint32_t t = 0; t < 3; t++) {
			uint32_t v = rng_below(&seed, n), depth = rng_below(&seed, 4);
			uint32_t cap = caps[rng_below(&seed, 6)];
			check_object(&r, v, depth, false, cap, round);
			check_object(&r, v, depth, true, cap, round);
		}
		for (uint32_t k = 0; k < r.n_sccs; k++) {
			uint32_t cap = caps[rng_below(&seed, 6)];
			check_scc(&r, k, false, cap, closure, round);
			check_scc(&r, k, true, cap, closure, round);
			seen_cut += r.sccs[k].size > cap;
		}
		seen_sccs += r.n_sccs;
		for (uint32_t want = 0; want < 4; want++) {
			uint32_t cap = caps[rng_below(&seed, 6)];
			check_groups(&r, want, cap, closure, round);
			seen_left_out += r.n_groups > 1 && cap < 3;
		}
		for (uint32_t gi = 0; gi < r.n_groups; gi++)
			check_signature(&r, gi, closure, round);
		if (round == 0)
			missing(&r);
		free(closure);
		ct_report_finish(&r);
		ct_graph_finish(&g);
	}
	/* The random graphs exercise what they are meant to. */
	CHECK(seen_sccs > (uint32_t)rounds && seen_cut > 10 && seen_left_out > 10,
	      "coverage: %u sccs, %u capped, %u groups left out", seen_sccs, seen_cut, seen_left_out);
	ct_selection_finish(NULL);
	return check_status("test_select");
}
