#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "cycle.h"
#include "mem.h"

void ct_report_finish(struct ct_report *r)
{
	if (!r)
		return;
	ct_scc_finish(&r->scc);
	ct_reach_finish(&r->reach);
	ct_runtime_finish(&r->runtime);
	free(r->sccs);
	free(r->groups);
	free(r->cyc_nodes);
	free(r->cyc_edges);
	free(r->types);
	ct_strings_finish(&r->strings);
	memset(r, 0, sizeof(*r));
}

/* Report order: garbage, then the application's alive components, then
 * the runtime's. */
static int rank_of(bool garbage, bool runtime)
{
	return garbage ? 0 : runtime ? 2 : 1;
}

static int by_bytes(const void *a, const void *b)
{
	const struct ct_report_scc *x = a, *y = b;
	int rx = rank_of(x->garbage, x->runtime), ry = rank_of(y->garbage, y->runtime);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->comp < y->comp ? -1 : x->comp > y->comp;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int by_count(const void *a, const void *b)
{
	const struct ct_type_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

/* The program's code components (CT_RUNTIME_CODE) whose signature is
 * made more than once are its data: no longer the runtime's. */
static int made_twice(struct ct_report *r, struct ct_cycle_ws *ws, struct ct_report_scc *all,
		      uint32_t n, uint32_t max_size, struct ct_error *err)
{
	struct ct_strings sigs;
	uint32_t *nodes = malloc(max_size * sizeof(*nodes)), *edges = malloc(max_size * sizeof(*edges));
	uint32_t *sig_of = malloc((n ? n : 1) * sizeof(*sig_of)), *count = NULL;
	int rc;

	ct_strings_init(&sigs);
	if (!nodes || !edges || !sig_of) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		if (!all[i].code)
			continue;
		uint32_t steps = ct_cycle_representative(r->g, &r->scc, all[i].comp, ws, nodes, edges);
		if ((rc = ct_cycle_signature(r->g, nodes, edges, steps, ws, &len, err)))
			goto out;
		sig_of[i] = ct_strings_intern(&sigs, ws->buf, len);
		if (sig_of[i] == CT_NONE) {
			rc = ct_error_nomem(err);
			goto out;
		}
	}
	count = calloc(sigs.count ? sigs.count : 1, sizeof(*count));
	if (!count) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		if (all[i].code)
			count[sig_of[i]]++;
	for (uint32_t i = 0; i < n; i++)
		if (all[i].code && count[sig_of[i]] > 1)
			all[i].runtime = false;
out:
	free(nodes);
	free(edges);
	free(sig_of);
	free(count);
	ct_strings_finish(&sigs);
	return rc;
}

/* Measure every cyclic component; fill the summary. */
static int measure(struct ct_report *r, struct ct_cycle_ws *ws, struct ct_report_scc **all,
		   uint32_t *n_all, struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	const struct ct_scc *s = &r->scc;
	uint32_t n = 0, code_max = 0;
	int rc;

	uint32_t max_size = 1;
	for (uint32_t c = 0; c < s->n_comps; c++) {
		n += s->cyclic[c];
		if (s->cyclic[c] && s->size[c] > max_size)
			max_size = s->size[c];
	}
	*all = calloc(n ? n : 1, sizeof(**all));
	uint32_t *scratch = r->runtime.kind ? malloc(max_size * sizeof(*scratch)) : NULL;
	uint8_t *mark = r->runtime.kind ? calloc(g->n_nodes ? g->n_nodes : 1, 1) : NULL;
	if (!*all || (r->runtime.kind && (!scratch || !mark))) {
		free(scratch);
		free(mark);
		return ct_error_nomem(err);
	}
	uint32_t k = 0;
	for (uint32_t c = 0; c < s->n_comps; c++) {
		if (!s->cyclic[c])
			continue;
		struct ct_report_scc *e = &(*all)[k++];
		e->comp = c;
		e->size = s->size[c];
		e->garbage = true;
		for (uint32_t i = s->member_off[c]; i < s->member_off[c + 1]; i++) {
			uint32_t v = s->members[i];
			e->bytes = ct_sat_add(e->bytes, ct_graph_size(g, v));
			e->finalizers |= (g->flags[v] & CT_NODE_FINALIZER) != 0;
			if (!ct_reach_is_garbage(g, &r->reach, v))
				e->garbage = false;
		}
		enum ct_runtime_verdict v = e->garbage ? CT_RUNTIME_APP :
			ct_runtime_component(&r->runtime, g, s->comp, s->members + s->member_off[c],
					     e->size, scratch, mark);
		e->runtime = v != CT_RUNTIME_APP;
		if (v == CT_RUNTIME_CODE)
			code_max = e->size > code_max ? e->size : code_max;
		r->summary.cyclic_objects += e->size;
		r->summary.cyclic_bytes = ct_sat_add(r->summary.cyclic_bytes, e->bytes);
		r->summary.garbage_sccs += e->garbage;
		e->code = v == CT_RUNTIME_CODE;
	}
	free(scratch);
	free(mark);
	if (code_max && (rc = made_twice(r, ws, *all, n, code_max, err)))
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		struct ct_report_scc *e = &(*all)[i];
		if (e->runtime) {
			r->summary.runtime_sccs++;
			r->summary.runtime_objects += e->size;
			r->summary.runtime_bytes = ct_sat_add(r->summary.runtime_bytes, e->bytes);
		}
	}
	r->summary.cyclic_sccs = n;
	qsort(*all, n, sizeof(**all), by_bytes);
	for (uint32_t i = 0; i < n; i++)
		(*all)[i].id = i + 1;
	*n_all = n;
	return 0;
}

static bool has_type(const struct ct_report *r, uint32_t c, uint32_t type)
{
	for (uint32_t i = r->scc.member_off[c]; i < r->scc.member_off[c + 1]; i++)
		if (r->g->type[r->scc.members[i]] == type)
			return true;
	return false;
}

static bool keep(const struct ct_report *r, const struct ct_report_scc *e,
		 const struct ct_report_opts *o, uint32_t type)
{
	if (o->only == CT_ONLY_GARBAGE && !e->garbage)
		return false;
	if (o->only == CT_ONLY_ALIVE && e->garbage)
		return false;
	if (e->size < o->min_size)
		return false;
	if (o->type && (type == CT_NONE || !has_type(r, e->comp, type)))
		return false;
	return true;
}

/* Find the type's string id without adding it to the graph. */
static uint32_t lookup_type(const struct ct_graph *g, const char *name)
{
	for (uint32_t id = 1; id < g->strings.count; id++)
		if (strcmp(ct_strings_get(&g->strings, id), name) == 0)
			return id;
	return CT_NONE;
}

static int by_group_bytes(const void *a, const void *b)
{
	const struct ct_report_group *x = a, *y = b;
	int rx = rank_of(x->n_garbage, x->runtime), ry = rank_of(y->n_garbage, y->runtime);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Representative cycles, signatures and groups of the selected components. */
static int group(struct ct_report *r, struct ct_cycle_ws *ws, struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	uint32_t *group_of = NULL;  /* 4 * signature id + 2 * runtime + garbage ->
				     * group index + 1 */
	uint32_t group_cap = 0;
	size_t cyc_total = 0;
	int rc;

	for (uint32_t i = 0; i < r->n_sccs; i++)
		cyc_total += r->sccs[i].size;
	r->cyc_nodes = malloc((cyc_total ? cyc_total : 1) * sizeof(*r->cyc_nodes));
	r->cyc_edges = malloc((cyc_total ? cyc_total : 1) * sizeof(*r->cyc_edges));
	r->groups = calloc(r->n_sccs ? r->n_sccs : 1, sizeof(*r->groups));
	if (!r->cyc_nodes || !r->cyc_edges || !r->groups)
		return ct_error_nomem(err);
	uint32_t at = 0;
	for (uint32_t i = 0; i < r->n_sccs; i++) {
		struct ct_report_scc *e = &r->sccs[i];
		size_t n;
		e->cycle_off = at;
		e->cycle_len = ct_cycle_representative(g, &r->scc, e->comp, ws, r->cyc_nodes + at,
						       r->cyc_edges + at);
		if ((rc = ct_cycle_signature(g, r->cyc_nodes + at, r->cyc_edges + at,
					     e->cycle_len, ws, &n, err)))
			goto out;
		at += e->cycle_len;
		uint32_t sig = ct_strings_intern(&r->strings, ws->buf, n);
		if (sig == CT_NONE) {
			rc = ct_error_nomem(err);
			goto out;
		}
		uint32_t key = 4 * sig + 2 * e->runtime + e->garbage;
		if (key >= group_cap) {
			uint32_t cap = group_cap ? group_cap : 64;
			while (cap <= key)
				cap *= 2;
			uint32_t *p = realloc(group_of, cap * sizeof(*p));
			if (!p) {
				rc = ct_error_nomem(err);
				goto out;
			}
			memset(p + group_cap, 0, (cap - group_cap) * sizeof(*p));
			group_of = p;
			group_cap = cap;
		}
		if (!group_of[key]) {
			struct ct_report_group *grp = &r->groups[r->n_groups++];
			grp->signature = sig;
			grp->runtime = e->runtime;
			grp->first = i;
			grp->min_size = e->size;
			group_of[key] = r->n_groups;
		}
		struct ct_report_group *grp = &r->groups[group_of[key] - 1];
		e->group = group_of[key] - 1;
		grp->count++;
		grp->n_garbage += e->garbage;
		grp->objects += e->size;
		grp->bytes = ct_sat_add(grp->bytes, e->bytes);
		grp->finalizers |= e->finalizers;
		if (e->size < grp->min_size)
			grp->min_size = e->size;
		if (e->size > grp->max_size)
			grp->max_size = e->size;
	}
	rc = 0;
out:
	free(group_of);
	return rc;
}

/* Sort groups, keep the top ones, renumber and drop the rest's components. */
static int select_top(struct ct_report *r, uint32_t top, struct ct_error *err)
{
	uint32_t *rank = malloc((r->n_groups ? r->n_groups : 1) * sizeof(*rank));

	if (!rank)
		return ct_error_nomem(err);
	/* Each group's old index is sccs[first].group. */
	qsort(r->groups, r->n_groups, sizeof(*r->groups), by_group_bytes);
	for (uint32_t i = 0; i < r->n_groups; i++)
		rank[r->sccs[r->groups[i].first].group] = i;
	if (top && top < r->n_groups)
		r->n_groups = top;
	uint32_t w = 0;
	for (uint32_t i = 0; i < r->n_sccs; i++) {
		struct ct_report_scc e = r->sccs[i];
		e.group = rank[e.group];
		if (e.group >= r->n_groups)
			continue;
		r->sccs[w++] = e;
	}
	/* Components moved: find each group's first again. */
	for (uint32_t i = w; i-- > 0;)
		r->groups[r->sccs[i].group].first = i;
	r->n_sccs = w;
	free(rank);
	return 0;
}

/* The member of component c nearest to a root (CT_NONE if unreachable). */
static uint32_t nearest_member(const struct ct_report *r, uint32_t c)
{
	const struct ct_scc *s = &r->scc;
	uint32_t best = CT_NONE, bd = CT_NONE;

	for (uint32_t k = s->member_off[c]; k < s->member_off[c + 1]; k++) {
		uint32_t v = s->members[k];
		if (r->reach.dist[v] < bd) {
			bd = r->reach.dist[v];
			best = v;
		}
	}
	return best;
}

/* Each long root path's node CT_REPORT_PATH_HEAD steps from the root.
 * anc[] remembers the answer for every node walked, so that paths which
 * share their beginning (a chain of cycles) are walked once in all. */
static int anchors(struct ct_report *r, struct ct_error *err)
{
	const struct ct_reach *re = &r->reach;
	const uint32_t k = CT_REPORT_PATH_HEAD;
	uint32_t *anc = NULL;

	for (uint32_t i = 0; i < r->n_sccs; i++) {
		struct ct_report_scc *e = &r->sccs[i];
		if (e->path_len <= k + 1)
			continue;
		if (!anc) {
			size_t n = r->g->n_nodes;
			anc = ct_mem_alloc(ct_mem_bytes(n, sizeof(*anc)));
			if (!anc)
				return ct_error_nomem(err);
			memset(anc, 0xff, n * sizeof(*anc));
		}
		uint32_t u = e->path_end;
		while (re->dist[u] > k && anc[u] == CT_NONE)
			u = re->parent[u];
		uint32_t a = re->dist[u] == k ? u : anc[u];
		for (uint32_t x = e->path_end; x != u; x = re->parent[x])
			anc[x] = a;
		e->path_anchor = a;
	}
	ct_mem_free(anc);
	return 0;
}

/* Type histograms and root paths of the selected components. */
static int describe(struct ct_report *r, struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	const struct ct_scc *s = &r->scc;
	size_t total = 0;
	uint32_t max_size = 0;

	for (uint32_t i = 0; i < r->n_sccs; i++) {
		total += r->sccs[i].size;
		if (r->sccs[i].size > max_size)
			max_size = r->sccs[i].size;
	}
	r->types = malloc((total ? total : 1) * sizeof(*r->types));
	uint32_t *tmp = malloc((max_size ? max_size : 1) * sizeof(*tmp));
	if (!r->types || !tmp) {
		free(tmp);
		return ct_error_nomem(err);
	}
	uint32_t at = 0;
	for (uint32_t i = 0; i < r->n_sccs; i++) {
		struct ct_report_scc *e = &r->sccs[i];
		uint32_t n = 0;
		for (uint32_t k = s->member_off[e->comp]; k < s->member_off[e->comp + 1]; k++)
			tmp[n++] = g->type[s->members[k]];
		qsort(tmp, n, sizeof(*tmp), cmp_u32);
		e->types_off = at;
		for (uint32_t k = 0; k < n; k++) {
			if (k == 0 || tmp[k] != tmp[k - 1])
				r->types[at++] = (struct ct_type_count){tmp[k], 0};
			r->types[at - 1].count++;
		}
		e->types_len = at - e->types_off;
		qsort(r->types + e->types_off, e->types_len, sizeof(*r->types), by_count);
		e->path_end = nearest_member(r, e->comp);
		e->path_len = e->path_end == CT_NONE ? 0 : r->reach.dist[e->path_end] + 1;
		e->path_anchor = CT_NONE;
	}
	free(tmp);
	return anchors(r, err);
}

uint32_t ct_report_path(const struct ct_report *r, const struct ct_report_scc *e, uint32_t head,
			uint32_t tail, uint32_t *nodes, uint32_t *edges, uint32_t *omitted)
{
	const struct ct_reach *re = &r->reach;
	uint32_t len = e->path_len, w = len, skip = 0, hn[CT_REPORT_PATH_HEAD + 1],
		he[CT_REPORT_PATH_HEAD + 1];

	if (head > CT_REPORT_PATH_HEAD)
		head = CT_REPORT_PATH_HEAD;
	if (len > head + tail) {
		w = head + tail;
		skip = len - w;
	}
	if (omitted)
		*omitted = skip;
	if (!len)
		return 0;
	/* The last nodes, walking up from the member. */
	uint32_t out = CT_NONE, u = e->path_end;
	for (uint32_t k = 0; k < (skip ? tail : len); k++) {
		nodes[w - 1 - k] = u;
		edges[w - 1 - k] = out;
		out = re->parent_edge[u];
		u = re->parent[u];
	}
	if (skip && head) {
		/* The first nodes, from the anchor (the path to it has
		 * CT_REPORT_PATH_HEAD + 1 nodes) or, on a path too short to
		 * have one, from the member: either way more than head nodes,
		 * so he[head - 1] leads on along the path. */
		ct_reach_path(re, e->path_anchor != CT_NONE ? e->path_anchor : e->path_end, hn, he,
			      CT_REPORT_PATH_HEAD + 1);
		for (uint32_t k = 0; k < head; k++) {
			nodes[k] = hn[k];
			edges[k] = he[k];
		}
	}
	return w;
}

int ct_report_build(struct ct_report *r, const struct ct_graph *g,
		    const struct ct_report_opts *opts, struct ct_error *err)
{
	static const struct ct_report_opts none;
	struct ct_report_scc *all = NULL;
	struct ct_cycle_ws ws = {0};  /* measure() and group() find cycles */
	uint32_t n_all = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->g = g;
	ct_strings_init(&r->strings);
	if (!opts)
		opts = &none;
	if ((rc = ct_reach_compute(g, &r->reach, err)) ||
	    (!opts->full_graph && (rc = ct_runtime_compute(&r->runtime, g, &r->reach, err))) ||
	    (rc = ct_scc_compute_without(g, r->runtime.skip, &r->scc, err)))
		goto out;
	struct ct_report_summary *sum = &r->summary;
	sum->objects = g->n_nodes;
	sum->references = g->n_edges;
	sum->dangling = g->dangling;
	sum->tracked = r->reach.n_tracked;
	sum->roots = r->reach.n_roots;
	sum->garbage_objects = r->reach.n_garbage;
	sum->garbage_bytes = r->reach.garbage_bytes;
	sum->overcounted = r->reach.n_overcounted;
	sum->reachability = r->reach.mode;
	sum->full_graph = opts->full_graph || !r->runtime.skip;
	sum->runtime_references = r->runtime.n_skipped;
	if ((rc = ct_cycle_ws_init(&ws, g, err)) || (rc = measure(r, &ws, &all, &n_all, err)))
		goto out;

	uint32_t type = opts->type ? lookup_type(g, opts->type) : CT_NONE;
	uint32_t w = 0;
	for (uint32_t i = 0; i < n_all; i++)
		if (keep(r, &all[i], opts, type))
			all[w++] = all[i];
	r->sccs = all;
	r->n_sccs = w;
	all = NULL;
	if ((rc = group(r, &ws, err)))
		goto out;
	ct_cycle_ws_finish(&ws);  /* before describe() takes its memory */
	if ((rc = select_top(r, opts->top, err)) || (rc = describe(r, err)))
		goto out;
out:
	ct_cycle_ws_finish(&ws);
	free(all);
	if (rc)
		ct_report_finish(r);
	return rc;
}
