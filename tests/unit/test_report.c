/* Unit test: lib/report.c (components, groups, filters, top). */
#include <inttypes.h>

#include "check.h"
#include "lib/cycle.h"
#include "lib/report.h"

#define S CT_EDGE_STRONG

/*
 * Nodes:
 *   A  0 TreeNode 56, 1 list 72, 2 TreeNode 56        garbage, 184 B
 *   B  3 TreeNode 100, 4 list 72, 5 TreeNode 56       garbage, 228 B
 *   C  6 TreeNode 56, 7 list 72, 8 TreeNode 56        alive (6 held from outside), 184 B
 *   D  9 dict 1000 (self-reference)                   garbage, 1000 B
 *   E  10 module 500 -> 11 Foo 10 <-> 12 Bar 10       alive via the module, 20 B, finalizer
 *   13 int 28, untracked, referenced by the module
 */
static const char *types[] = {"TreeNode", "list", "TreeNode", "TreeNode", "list", "TreeNode",
			      "TreeNode", "list", "TreeNode", "dict", "module", "Foo", "Bar",
			      "int"};
static const uint64_t sizes[] = {56, 72, 56, 100, 72, 56, 56, 72, 56, 1000, 500, 10, 10, 28};
static const uint64_t counts[] = {1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 5};
static const uint8_t flags[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CT_NODE_FINALIZER, 0, CT_NODE_LEAF};
static const struct tg_edge edges[] = {
	{0, 1, S, ".children"}, {1, 2, S, "[0]"}, {2, 0, S, ".parent"},
	{3, 4, S, ".children"}, {4, 5, S, "[3]"}, {5, 3, S, ".parent"},
	{6, 7, S, ".children"}, {7, 8, S, "[0]"}, {8, 6, S, ".parent"},
	{9, 9, S, "['self']"},
	{10, 11, S, ".obj"}, {11, 12, S, ".b"}, {12, 11, S, ".a"}, {10, 13, S, ".n"},
};

static const char *SIG_TREE = "TreeNode .children \xe2\x86\x92 list [*] \xe2\x86\x92 "
			      "TreeNode .parent \xe2\x86\x92 TreeNode";
static const char *SIG_DICT = "dict ['self'] \xe2\x86\x92 dict";
static const char *SIG_FOO = "Bar .a \xe2\x86\x92 Foo .b \xe2\x86\x92 Bar";

static struct ct_graph G;

static int build(struct ct_report *r, const struct ct_report_opts *o)
{
	struct ct_error err = {0};
	int rc = ct_report_build(r, &G, o, &err);
	CHECK(rc == 0, "report: %s", err.msg);
	return rc;
}

/* The scc of the report containing node v, or NULL. */
static const struct ct_report_scc *scc_of(const struct ct_report *r, uint32_t v)
{
	for (uint32_t i = 0; i < r->n_sccs; i++)
		if (r->sccs[i].comp == r->scc.comp[v])
			return &r->sccs[i];
	return NULL;
}

static void check_consistent(const char *what, const struct ct_report *r)
{
	for (uint32_t i = 0; i < r->n_sccs; i++) {
		const struct ct_report_scc *e = &r->sccs[i];
		CHECK(e->group < r->n_groups, "%s: scc %u group %u of %u", what, i, e->group,
		      r->n_groups);
		if (i)
			CHECK(r->sccs[i - 1].bytes >= e->bytes && r->sccs[i - 1].id < e->id,
			      "%s: sccs ordered by bytes and id", what);
		CHECK(e->cycle_len >= 1 && e->cycle_len <= e->size, "%s: scc %u cycle %u", what, i,
		      e->cycle_len);
		CHECK(r->cyc_nodes[e->cycle_off] == ct_cycle_start(r->g, &r->scc, e->comp),
		      "%s: scc %u cycle starts at the canonical node", what, i);
		uint32_t tsum = 0;
		for (uint32_t k = 0; k < e->types_len; k++) {
			tsum += r->types[e->types_off + k].count;
			if (k)
				CHECK(r->types[e->types_off + k - 1].count >= r->types[e->types_off + k].count,
				      "%s: type histogram most frequent first", what);
		}
		CHECK(tsum == e->size, "%s: scc %u type counts add to %u, size %u", what, i, tsum,
		      e->size);
		if (e->garbage)
			CHECK(e->path_len == 0, "%s: garbage scc %u has a path", what, i);
	}
	for (uint32_t k = 0; k < r->n_groups; k++) {
		const struct ct_report_group *grp = &r->groups[k];
		uint32_t count = 0, garbage = 0;
		uint64_t bytes = 0;
		for (uint32_t i = 0; i < r->n_sccs; i++)
			if (r->sccs[i].group == k) {
				count++;
				garbage += r->sccs[i].garbage;
				bytes += r->sccs[i].bytes;
			}
		CHECK(grp->count == count && grp->n_garbage == garbage && grp->bytes == bytes,
		      "%s: group %u: count %u/%u garbage %u/%u bytes %" PRIu64 "/%" PRIu64, what, k,
		      grp->count, count, grp->n_garbage, garbage, grp->bytes, bytes);
		CHECK(grp->n_garbage == 0 || grp->n_garbage == grp->count,
		      "%s: group %u mixes garbage and alive", what, k);
		CHECK(grp->first < r->n_sccs && r->sccs[grp->first].group == k,
		      "%s: group %u first %u", what, k, grp->first);
		for (uint32_t i = 0; i < grp->first; i++)
			CHECK(r->sccs[i].group != k, "%s: group %u first is not its largest", what, k);
		if (k)
			CHECK(r->groups[k - 1].bytes >= grp->bytes, "%s: groups by bytes", what);
	}
}

/* A chain of n objects that each also refer to themselves: n one-object
 * cycles whose root paths are 1..n nodes long, all sharing one tree.
 * Every cut of every path against the whole path from reach. */
static void chain_of_cycles(void)
{
	enum { N = 300 };
	static struct tg_edge ce[2 * N];
	static uint64_t rc[N];
	struct tg_spec sp = {.n = N, .refcounts = rc, .edges = ce};
	struct ct_graph g;
	struct ct_report r;
	struct ct_error err = {0};
	static uint32_t full_n[N], full_e[N];
	static const uint32_t cuts[][2] = {{10, 6}, {32, 32}, {0, 3}, {5, 0}, {40, 1}, {1, 299}};

	for (uint32_t v = 0; v < N; v++) {
		ce[sp.n_edges++] = (struct tg_edge){v, v, S, ".me"};
		if (v + 1 < N)
			ce[sp.n_edges++] = (struct tg_edge){v, v + 1, S, ".next"};
		rc[v] = v ? 2 : 3;
	}
	tg_build(&g, &sp);
	if (!CHECK(ct_report_build(&r, &g, NULL, &err) == 0, "chain: %s", err.msg))
		return;
	CHECK(r.n_sccs == N && r.n_groups == 1, "chain: %u sccs", r.n_sccs);
	for (uint32_t i = 0; i < r.n_sccs; i++) {
		const struct ct_report_scc *e = &r.sccs[i];
		uint32_t v = r.scc.members[r.scc.member_off[e->comp]];
		uint32_t len = ct_reach_path(&r.reach, v, full_n, full_e, N);
		CHECK(e->path_len == v + 1 && len == v + 1 && e->path_end == v,
		      "chain: scc of %u has path_len %u", v, e->path_len);
		full_e[len - 1] = CT_NONE;
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			uint32_t h = cuts[c][0], t = cuts[c][1], hh = h > CT_REPORT_PATH_HEAD ?
				CT_REPORT_PATH_HEAD : h;
			uint32_t pn[N + 40], pe[N + 40], om = 12345;
			uint32_t w = ct_report_path(&r, e, h, t, pn, pe, &om);
			bool cut = len > hh + t;
			bool ok = w == (cut ? hh + t : len) && om == (cut ? len - hh - t : 0);
			for (uint32_t k = 0; ok && k < w; k++) {
				uint32_t at = cut && k >= hh ? len - (w - k) : k;
				ok = pn[k] == full_n[at] && pe[k] == full_e[at];
			}
			CHECK(ok, "chain: path of %u (len %u) cut %u+%u: %u written, %u omitted", v,
			      len, h, t, w, om);
		}
	}
	ct_report_finish(&r);
	ct_graph_finish(&g);
}

int main(void)
{
	struct tg_spec sp = {.n = 14, .types = types, .sizes = sizes, .flags = flags,
			     .refcounts = counts, .edges = edges,
			     .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_report r;

	tg_build(&G, &sp);

	/* Everything. */
	if (build(&r, NULL) == 0) {
		check_consistent("all", &r);
		const struct ct_report_summary *s = &r.summary;
		CHECK(s->objects == 14 && s->references == 14 && s->dangling == 0, "summary counts");
		CHECK(s->tracked == 13 && s->garbage_objects == 7 && s->garbage_bytes == 1412,
		      "summary garbage: tracked %" PRIu64 " objects %" PRIu64 " bytes %" PRIu64,
		      s->tracked, s->garbage_objects, s->garbage_bytes);
		CHECK(s->cyclic_sccs == 5 && s->garbage_sccs == 3 && s->cyclic_objects == 12 &&
		      s->cyclic_bytes == 184 + 228 + 184 + 1000 + 20,
		      "summary cycles: %" PRIu64 " sccs %" PRIu64 " garbage %" PRIu64 " objects",
		      s->cyclic_sccs, s->garbage_sccs, s->cyclic_objects);
		CHECK(s->reachability == CT_REACH_REFCOUNT && s->overcounted == 0, "reachability");
		CHECK(r.n_sccs == 5 && r.n_groups == 4, "%u sccs, %u groups", r.n_sccs, r.n_groups);
		const struct ct_report_scc *a = scc_of(&r, 0), *b = scc_of(&r, 3), *c = scc_of(&r, 6),
					   *d = scc_of(&r, 9), *e = scc_of(&r, 11);
		if (a && b && c && d && e) {
			CHECK(d->id == 1 && b->id == 2 && e->id == 5, "ids by bytes: %u %u %u", d->id,
			      b->id, e->id);
			CHECK((a->id == 3 && c->id == 4) || (a->id == 4 && c->id == 3), "tie ids");
			CHECK(a->garbage && b->garbage && !c->garbage && d->garbage && !e->garbage,
			      "garbage flags");
			CHECK(e->finalizers && !a->finalizers, "finalizers");
			CHECK(a->bytes == 184 && b->bytes == 228 && d->bytes == 1000 && e->bytes == 20,
			      "bytes");
			CHECK(a->group == b->group && a->group != c->group, "A and B share a group, C not");
			const struct ct_report_group *ga = &r.groups[a->group], *gc = &r.groups[c->group];
			CHECK(strcmp(ct_report_signature(&r, ga), SIG_TREE) == 0, "tree signature '%s'",
			      ct_report_signature(&r, ga));
			CHECK(strcmp(ct_report_signature(&r, gc), SIG_TREE) == 0, "alive tree signature");
			CHECK(strcmp(ct_report_signature(&r, &r.groups[d->group]), SIG_DICT) == 0,
			      "dict signature '%s'", ct_report_signature(&r, &r.groups[d->group]));
			CHECK(strcmp(ct_report_signature(&r, &r.groups[e->group]), SIG_FOO) == 0,
			      "foo signature '%s'", ct_report_signature(&r, &r.groups[e->group]));
			CHECK(ga->count == 2 && ga->n_garbage == 2 && ga->objects == 6 && ga->bytes == 412 &&
			      ga->min_size == 3 && ga->max_size == 3 && &r.sccs[ga->first] == b,
			      "tree garbage group");
			CHECK(d->group == 0 && a->group == 1 && c->group == 2 && e->group == 3,
			      "groups by bytes: %u %u %u %u", d->group, a->group, c->group, e->group);
			CHECK(r.groups[e->group].finalizers && !ga->finalizers, "group finalizers");
			/* Root paths: C is its own root, E hangs off the module. */
			uint32_t pn[4], pe[4], om = 9;
			CHECK(c->path_len == 1 && ct_report_path(&r, c, 2, 2, pn, pe, &om) == 1 &&
			      pn[0] == 6 && pe[0] == CT_NONE && om == 0, "C path: %u", c->path_len);
			CHECK(e->path_len == 2 && ct_report_path(&r, e, 2, 2, pn, pe, &om) == 2 &&
			      pn[0] == 10 && pn[1] == 11 && G.dst[pe[0]] == 11 && pe[1] == CT_NONE,
			      "E path: %u", e->path_len);
			CHECK(ct_report_path(&r, a, 2, 2, pn, pe, &om) == 0, "A garbage: no path");
			CHECK(a->types_len == 2 && strcmp(ct_graph_str(&G, r.types[a->types_off].type),
							  "TreeNode") == 0 &&
			      r.types[a->types_off].count == 2, "A type histogram");
		} else {
			CHECK(0, "every component is reported");
		}
		ct_report_finish(&r);
		ct_report_finish(&r);
	}

	struct {
		const char *what;
		struct ct_report_opts o;
		uint32_t n_sccs, n_groups;
		uint32_t members[5];  /* a node of each expected scc */
	} cases[] = {
		{"garbage", {.only = CT_ONLY_GARBAGE}, 3, 2, {9, 3, 0}},
		{"alive", {.only = CT_ONLY_ALIVE}, 2, 2, {6, 11}},
		{"type Bar", {.type = "Bar"}, 1, 1, {12}},
		{"type list", {.type = "list"}, 3, 2, {3, 0, 6}},
		{"type missing", {.type = "NoSuchType"}, 0, 0, {0}},
		{"type int (not in a cycle)", {.type = "int"}, 0, 0, {0}},
		{"min-size 2", {.min_size = 2}, 4, 3, {3, 0, 6, 11}},
		{"min-size 4", {.min_size = 4}, 0, 0, {0}},
		{"top 1", {.top = 1}, 1, 1, {9}},
		{"top 2", {.top = 2}, 3, 2, {9, 3, 0}},
		{"top 3", {.top = 3}, 4, 3, {9, 3, 0, 6}},
		{"top 99", {.top = 99}, 5, 4, {9, 3, 0, 6, 11}},
		{"alive top 1", {.only = CT_ONLY_ALIVE, .top = 1}, 1, 1, {6}},
		{"garbage min-size 3 top 1", {.only = CT_ONLY_GARBAGE, .min_size = 3, .top = 1}, 2, 1,
		 {3, 0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (build(&r, &cases[i].o))
			continue;
		check_consistent(cases[i].what, &r);
		CHECK(r.n_sccs == cases[i].n_sccs && r.n_groups == cases[i].n_groups,
		      "%s: %u sccs %u groups, want %u %u", cases[i].what, r.n_sccs, r.n_groups,
		      cases[i].n_sccs, cases[i].n_groups);
		for (uint32_t k = 0; k < cases[i].n_sccs; k++)
			CHECK(scc_of(&r, cases[i].members[k]) != NULL, "%s: node %u's scc missing",
			      cases[i].what, cases[i].members[k]);
		CHECK(r.summary.cyclic_sccs == 5 && r.summary.garbage_objects == 7,
		      "%s: summary is before filters", cases[i].what);
		ct_report_finish(&r);
	}
	chain_of_cycles();
	/* An empty graph reports nothing. */
	struct ct_graph empty;
	struct tg_spec none = {0};
	tg_build(&empty, &none);
	struct ct_error err = {0};
	CHECK(ct_report_build(&r, &empty, NULL, &err) == 0 && r.n_sccs == 0 && r.n_groups == 0,
	      "empty graph");
	ct_report_finish(&r);
	ct_report_finish(NULL);
	ct_graph_finish(&empty);
	ct_graph_finish(&G);
	return check_status("test_report");
}
