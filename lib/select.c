#include "select.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle.h"
#include "mem.h"
#include "present.h"

void ct_selection_finish(struct ct_selection *sel)
{
	if (!sel)
		return;
	free(sel->nodes);
	free(sel->cluster);
	free(sel->role);
	free(sel->cut_out);
	free(sel->cut_in);
	ct_mem_free(sel->pos);
	ct_mem_free(sel->scope);
	free(sel->clusters);
	memset(sel, 0, sizeof(*sel));
}

/* Draw v unless it is drawn already or the cap is reached; 1 if drawn now. */
static int add(struct ct_selection *sel, uint32_t v, uint32_t cluster, uint8_t role)
{
	if (sel->pos[v] != CT_NONE || sel->n == sel->max_nodes)
		return 0;
	sel->pos[v] = sel->n;
	sel->nodes[sel->n] = v;
	sel->cluster[sel->n] = cluster;
	sel->role[sel->n] = role;
	sel->n++;
	sel->scope[v] = 1;
	if (cluster != CT_NONE)
		sel->clusters[cluster].drawn++;
	return 1;
}

static int new_cluster(struct ct_selection *sel, uint32_t scc_index)
{
	const struct ct_report *r = sel->r;
	const struct ct_report_scc *e = &r->sccs[scc_index];
	struct ct_sel_cluster *c = &sel->clusters[sel->n_clusters];

	c->scc = scc_index;
	c->group = e->group;
	c->drawn = 0;
	/* Every member is in scope, drawn or not. */
	for (uint32_t k = r->scc.member_off[e->comp]; k < r->scc.member_off[e->comp + 1]; k++)
		sel->scope[r->scc.members[k]] = 1;
	return (int)sel->n_clusters++;
}

/* The cluster's representative cycle, and its root path with --path.
 * Returns 0 if the cap leaves no room for the whole cycle, unless it is
 * the first: then it is drawn cut at the cap. */
static int add_cycle(struct ct_selection *sel, uint32_t ci, bool path)
{
	const struct ct_report *r = sel->r;
	const struct ct_report_scc *e = &r->sccs[sel->clusters[ci].scc];

	if (sel->max_nodes - sel->n < e->cycle_len) {
		if (sel->n > 0)
			return 0;
		/* The first cycle is longer than the cap: draw as much of it
		 * as fits, from its start; the rest is cut like any member
		 * left out (dotted edges lead to it, the caption counts it). */
		for (uint32_t i = 0; i < sel->max_nodes; i++)
			add(sel, r->cyc_nodes[e->cycle_off + i], ci, CT_SEL_MEMBER);
		return 1;
	}
	for (uint32_t i = 0; i < e->cycle_len; i++)
		add(sel, r->cyc_nodes[e->cycle_off + i], ci, CT_SEL_MEMBER);
	if (path && e->path_len) {
		/* A long path is drawn as its first and last steps. */
		uint32_t pn[2 * CT_REPORT_PATH_HEAD], pe[2 * CT_REPORT_PATH_HEAD];
		uint32_t len = ct_report_path(r, e, CT_REPORT_PATH_HEAD, CT_REPORT_PATH_HEAD, pn, pe,
					      NULL);
		for (uint32_t i = 0; i + 1 < len; i++) {
			sel->scope[pn[i]] = 1;
			add(sel, pn[i], CT_NONE, CT_SEL_PATH);
		}
		/* The member the path reaches belongs to the cluster. */
		add(sel, pn[len - 1], ci, CT_SEL_MEMBER);
	}
	return 1;
}

/* Add up to quota more members of the cluster's SCC, breadth first from
 * those drawn. queue has room for the graph's nodes. */
static void fill(struct ct_selection *sel, uint32_t ci, uint32_t quota, uint32_t *queue)
{
	const struct ct_report *r = sel->r;
	const struct ct_graph *g = r->g;
	uint32_t comp = r->sccs[sel->clusters[ci].scc].comp;
	uint32_t head = 0, tail = 0;

	for (uint32_t i = 0; i < sel->n; i++)
		if (sel->cluster[i] == ci)
			queue[tail++] = sel->nodes[i];
	while (head < tail && quota > 0) {
		uint32_t u = queue[head++];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1] && quota > 0; e++) {
			uint32_t w = g->dst[e];
			if (r->scc.comp[w] != comp || !ct_scc_edge(&r->scc, g, e))
				continue;
			if (add(sel, w, ci, CT_SEL_MEMBER)) {
				queue[tail++] = w;
				quota--;
			}
		}
	}
}

/* Draw clusters for the report's SCCs listed in scc_index[0..n). */
static int clusters(struct ct_selection *sel, const uint32_t *scc_index, uint32_t n, bool path,
		    struct ct_error *err)
{
	uint32_t *queue = ct_mem_alloc(ct_mem_bytes(sel->r->g->n_nodes + 1, sizeof(*queue)));

	if (!queue)
		return ct_error_nomem(err);
	uint32_t i = 0;
	for (; i < n; i++) {
		int ci = new_cluster(sel, scc_index[i]);
		if (!add_cycle(sel, (uint32_t)ci, path)) {
			sel->n_clusters--;  /* no room: leave this group out */
			break;
		}
	}
	sel->groups_left_out = n - i;
	/* Share what is left of the cap among the clusters drawn; beside
	 * others, a cluster stays small enough to read. */
	for (uint32_t c = 0; c < sel->n_clusters; c++) {
		uint32_t quota = (sel->max_nodes - sel->n) / (sel->n_clusters - c);
		if (sel->n_clusters > 1 && quota > CT_SELECT_CLUSTER_NODES)
			quota = CT_SELECT_CLUSTER_NODES;
		fill(sel, c, quota, queue);
	}
	ct_mem_free(queue);
	return 0;
}

/* Breadth-first neighbourhood of v up to depth, through references and,
 * with backrefs, referrers. */
static int neighbourhood(struct ct_selection *sel, uint32_t v, uint32_t depth, bool backrefs,
			 struct ct_error *err)
{
	const struct ct_graph *g = sel->r->g;
	uint32_t n = g->n_nodes, *queue = NULL, *dist = NULL, *in_off = NULL, *in_src = NULL;
	int rc = 0;

	queue = ct_mem_alloc(ct_mem_bytes(n, sizeof(*queue)));
	dist = ct_mem_alloc(ct_mem_bytes(n, sizeof(*dist)));
	if (!queue || !dist) {
		rc = ct_error_nomem(err);
		goto out;
	}
	if (backrefs) {
		in_off = ct_mem_zalloc(ct_mem_bytes((size_t)n + 1, sizeof(*in_off)));
		in_src = ct_mem_alloc(ct_mem_bytes(g->n_edges ? g->n_edges : 1, sizeof(*in_src)));
		if (!in_off || !in_src) {
			rc = ct_error_nomem(err);
			goto out;
		}
		for (uint32_t e = 0; e < g->n_edges; e++)
			in_off[g->dst[e] + 1]++;
		for (uint32_t u = 0; u < n; u++)
			in_off[u + 1] += in_off[u];
		for (uint32_t u = 0; u < n; u++)
			for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++)
				in_src[in_off[g->dst[e]]++] = u;
		for (uint32_t u = n; u > 0; u--)
			in_off[u] = in_off[u - 1];
		in_off[0] = 0;
	}
	uint32_t head = 0, tail = 0;
	sel->scope[v] = 1;
	dist[v] = 0;
	queue[tail++] = v;
	while (head < tail) {
		uint32_t u = queue[head++];
		add(sel, u, CT_NONE, u == v ? CT_SEL_FOCUS : CT_SEL_NEAR);
		if (dist[u] == depth)
			continue;
		for (int dir = 0; dir < (backrefs ? 2 : 1); dir++) {
			uint32_t lo = dir ? in_off[u] : g->out_off[u];
			uint32_t hi = dir ? in_off[u + 1] : g->out_off[u + 1];
			for (uint32_t e = lo; e < hi; e++) {
				uint32_t w = dir ? in_src[e] : g->dst[e];
				if (sel->scope[w])
					continue;
				sel->scope[w] = 1;
				dist[w] = dist[u] + 1;
				queue[tail++] = w;
			}
		}
	}
out:
	ct_mem_free(queue);
	ct_mem_free(dist);
	ct_mem_free(in_off);
	ct_mem_free(in_src);
	return rc;
}

/* Count, per drawn node, the edges to and from nodes in scope but cut. */
static void count_cuts(struct ct_selection *sel)
{
	const struct ct_graph *g = sel->r->g;

	for (uint32_t u = 0; u < g->n_nodes; u++) {
		if (!sel->scope[u])
			continue;
		uint32_t pu = sel->pos[u];
		if (pu == CT_NONE)
			sel->n_cut++;
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t w = g->dst[e];
			if (!sel->scope[w])
				continue;
			uint32_t pw = sel->pos[w];
			if (pu != CT_NONE && pw == CT_NONE)
				sel->cut_out[pu]++;
			else if (pu == CT_NONE && pw != CT_NONE)
				sel->cut_in[pw]++;
		}
	}
}

int ct_select(struct ct_selection *sel, const struct ct_report *r,
	      const struct ct_select_opts *o, struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	uint32_t *list = NULL;
	int rc = 0;

	memset(sel, 0, sizeof(*sel));
	sel->r = r;
	sel->max_nodes = o->max_nodes ? o->max_nodes : CT_SELECT_MAX_NODES;
	sel->backrefs = o->backrefs;
	size_t cap = sel->max_nodes;
	sel->nodes = malloc(cap * sizeof(*sel->nodes));
	sel->cluster = malloc(cap * sizeof(*sel->cluster));
	sel->role = malloc(cap);
	sel->cut_out = calloc(cap, sizeof(*sel->cut_out));
	sel->cut_in = calloc(cap, sizeof(*sel->cut_in));
	sel->pos = ct_mem_alloc(ct_mem_bytes(g->n_nodes + 1, sizeof(*sel->pos)));
	sel->scope = ct_mem_zalloc(g->n_nodes + 1);
	sel->clusters = calloc(r->n_sccs + 1, sizeof(*sel->clusters));
	list = malloc((r->n_sccs + 1) * sizeof(*list));
	if (!sel->nodes || !sel->cluster || !sel->role || !sel->cut_out || !sel->cut_in ||
	    !sel->pos || !sel->scope || !sel->clusters || !list) {
		rc = ct_error_nomem(err);
		goto out;
	}
	memset(sel->pos, 0xff, (g->n_nodes + 1) * sizeof(*sel->pos));

	uint32_t n = 0;
	switch (o->mode) {
	case CT_SELECT_GROUPS: {
		/* In the report's order: garbage groups, then the application's
		 * alive ones, then (if wanted) the runtime's, each by bytes. */
		uint32_t want = o->groups ? o->groups : 5;
		for (uint32_t i = 0; i < r->n_groups && n < want; i++)
			if (o->runtime || !r->groups[i].runtime)
				list[n++] = r->groups[i].first;
		rc = clusters(sel, list, n, o->path, err);
		break;
	}
	case CT_SELECT_SCC:
		for (uint32_t i = 0; i < r->n_sccs && !n; i++)
			if (r->sccs[i].id == o->scc_id)
				list[n++] = i;
		if (!n) {
			rc = ct_error_set(err, CT_EUSAGE, "no cyclic SCC has id %" PRIu32
					  " (ids run from 1 to %" PRIu64 ")", o->scc_id,
					  r->summary.cyclic_sccs);
			goto out;
		}
		rc = clusters(sel, list, n, o->path, err);
		break;
	case CT_SELECT_SIGNATURE:
		for (uint32_t i = 0; i < r->n_groups; i++)
			if (strcmp(ct_report_signature(r, &r->groups[i]), o->signature) == 0)
				list[n++] = r->groups[i].first;
		if (!n) {
			rc = ct_error_set(err, CT_EUSAGE, "no cycle group has the signature '%s'",
					  o->signature);
			goto out;
		}
		rc = clusters(sel, list, n, o->path, err);
		break;
	case CT_SELECT_OBJECT: {
		uint32_t v = ct_graph_find(g, o->object);
		if (v == CT_NONE) {
			char buf[CT_PRESENT_ID_MAX];
			ct_present_addr(g, o->object, buf);
			rc = ct_error_set(err, CT_EUSAGE, "no object %s in the dump", buf);
			goto out;
		}
		rc = neighbourhood(sel, v, o->depth, o->backrefs, err);
		break;
	}
	}
	if (!rc)
		count_cuts(sel);
out:
	free(list);
	if (rc)
		ct_selection_finish(sel);
	return rc;
}

/* ---- by type ---- */

void ct_by_type_finish(struct ct_by_type *bt)
{
	if (!bt)
		return;
	free(bt->types);
	free(bt->edges);
	memset(bt, 0, sizeof(*bt));
}

struct raw_edge {
	uint32_t from, to, label;
	uint8_t weak;
};

static int raw_cmp(const void *a, const void *b)
{
	const struct raw_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->label < y->label ? -1 : x->label > y->label;
}

int ct_by_type_build(struct ct_by_type *bt, const struct ct_selection *sel,
		     struct ct_error *err)
{
	const struct ct_graph *g = sel->r->g;
	uint32_t *tix = malloc((sel->n + 1) * sizeof(*tix));  /* drawn node -> type index */
	struct raw_edge *raw = NULL;
	size_t n_raw = 0, cap_raw = 0;
	int rc = 0;

	memset(bt, 0, sizeof(*bt));
	bt->types = calloc(sel->n + 1, sizeof(*bt->types));
	if (!tix || !bt->types) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 0; i < sel->n; i++) {
		uint32_t v = sel->nodes[i], t = 0;
		while (t < bt->n_types && bt->types[t].type != g->type[v])
			t++;
		if (t == bt->n_types)
			bt->types[bt->n_types++].type = g->type[v];
		tix[i] = t;
		bt->types[t].count++;
		bt->types[t].bytes = ct_sat_add(bt->types[t].bytes, ct_graph_size(g, v));
		bt->types[t].garbage += (uint32_t)ct_reach_is_garbage(g, &sel->r->reach, v);
	}
	for (uint32_t i = 0; i < sel->n; i++) {
		uint32_t u = sel->nodes[i];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t pw = sel->pos[g->dst[e]];
			if (pw == CT_NONE)
				continue;
			if (n_raw == cap_raw) {
				cap_raw = cap_raw ? cap_raw * 2 : 256;
				struct raw_edge *p = realloc(raw, cap_raw * sizeof(*p));
				if (!p) {
					rc = ct_error_nomem(err);
					goto out;
				}
				raw = p;
			}
			uint32_t l = g->label[e];
			if (ct_label_is_index(ct_graph_str(g, l)))
				l = 0;  /* "[3]": the index says nothing about the shape */
			raw[n_raw++] = (struct raw_edge){tix[i], tix[pw], l,
							 g->kind[e] == CT_EDGE_WEAK};
		}
	}
	if (n_raw)  /* qsort wants a valid pointer even for no elements */
		qsort(raw, n_raw, sizeof(*raw), raw_cmp);
	bt->edges = malloc((n_raw + 1) * sizeof(*bt->edges));
	if (!bt->edges) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < n_raw;) {
		struct ct_type_edge *te = &bt->edges[bt->n_edges++];
		*te = (struct ct_type_edge){raw[i].from, raw[i].to, 0, 0, true};
		uint32_t best = 0;
		while (i < n_raw && raw[i].from == te->from && raw[i].to == te->to) {
			size_t j = i;
			while (j < n_raw && raw[j].from == te->from && raw[j].to == te->to &&
			       raw[j].label == raw[i].label) {
				te->weak &= raw[j].weak;
				j++;
			}
			if (j - i > best) {
				best = (uint32_t)(j - i);
				te->label = raw[i].label;
			}
			te->count += (uint32_t)(j - i);
			i = j;
		}
	}
out:
	free(tix);
	free(raw);
	if (rc)
		ct_by_type_finish(bt);
	return rc;
}
