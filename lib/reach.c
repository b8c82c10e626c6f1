#include "reach.h"

#include <stdlib.h>

#include "mem.h"
#include <string.h>

void ct_reach_finish(struct ct_reach *r)
{
	if (!r)
		return;
	ct_mem_free(r->alive);
	ct_mem_free(r->root);
	ct_mem_free(r->parent);
	ct_mem_free(r->parent_edge);
	ct_mem_free(r->dist);
	memset(r, 0, sizeof(*r));
}

int ct_reach_roots(const struct ct_graph *g, struct ct_reach *r, struct ct_error *err)
{
	uint32_t n = g->n_nodes, *count = NULL;
	size_t nn = n ? n : 1;

	memset(r, 0, sizeof(*r));
	r->mode = g->roots_given ? CT_REACH_ROOTS
		: g->refcount ? CT_REACH_REFCOUNT : CT_REACH_INDEGREE;
	r->root = ct_mem_zalloc(ct_mem_bytes(nn, 1));
	/* Strong references into each node (fewer than 2^32: edges are). */
	if (r->mode != CT_REACH_ROOTS)
		count = ct_mem_zalloc(ct_mem_bytes(nn, sizeof(*count)));
	if (!r->root || (r->mode != CT_REACH_ROOTS && !count)) {
		ct_mem_free(count);
		ct_reach_finish(r);
		return ct_error_nomem(err);
	}
	for (uint32_t v = 0; v < n && count; v++) {
		if (r->mode == CT_REACH_REFCOUNT && (g->flags[v] & CT_NODE_LEAF))
			continue;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
			if (ct_edge_kind_is_strong(g->kind[e]))
				count[g->dst[e]]++;
	}
	for (uint32_t v = 0; v < n; v++) {
		bool root = g->flags[v] & CT_NODE_ROOT;
		if (r->mode == CT_REACH_REFCOUNT) {
			if (!(g->flags[v] & CT_NODE_LEAF)) {
				if (count[v] > g->refcount[v])
					r->n_overcounted++;
				else if (g->refcount[v] > count[v])
					root = true;
			}
		} else if (r->mode == CT_REACH_INDEGREE && count[v] == 0) {
			root = true;
		}
		r->root[v] = root;
		r->n_roots += root;
	}
	ct_mem_free(count);
	return 0;
}

int ct_reach_compute(const struct ct_graph *g, struct ct_reach *r, struct ct_error *err)
{
	uint32_t n = g->n_nodes, *queue = NULL;
	size_t nn = n ? n : 1;
	int rc;

	if ((rc = ct_reach_roots(g, r, err)))
		return rc;
	r->alive = ct_mem_zalloc(ct_mem_bytes(nn, 1));
	r->parent = ct_mem_alloc(nn * sizeof(*r->parent));
	r->parent_edge = ct_mem_alloc(nn * sizeof(*r->parent_edge));
	r->dist = ct_mem_alloc(nn * sizeof(*r->dist));
	if (!r->alive || !r->parent || !r->parent_edge || !r->dist) {
		rc = ct_error_nomem(err);
		goto out;
	}
	queue = ct_mem_alloc(nn * sizeof(*queue));
	if (!queue) {
		rc = ct_error_nomem(err);
		goto out;
	}
	memset(r->parent, 0xff, nn * sizeof(*r->parent));
	memset(r->parent_edge, 0xff, nn * sizeof(*r->parent_edge));
	memset(r->dist, 0xff, nn * sizeof(*r->dist));
	uint32_t head = 0, tail = 0;
	for (uint32_t v = 0; v < n; v++) {
		if (r->root[v]) {
			r->alive[v] = 1;
			r->dist[v] = 0;
			queue[tail++] = v;
		}
	}
	while (head < tail) {
		uint32_t v = queue[head++];
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t w = g->dst[e];
			if (!ct_edge_counts_from(g, v, e) || r->alive[w])
				continue;
			r->alive[w] = 1;
			r->parent[w] = v;
			r->parent_edge[w] = e;
			r->dist[w] = r->dist[v] + 1;
			queue[tail++] = w;
		}
	}
	for (uint32_t v = 0; v < n; v++) {
		if (g->flags[v] & CT_NODE_LEAF)
			continue;
		r->n_tracked++;
		if (!r->alive[v]) {
			r->n_garbage++;
			r->garbage_bytes = ct_sat_add(r->garbage_bytes, ct_graph_size(g, v));
		}
	}
out:
	ct_mem_free(queue);
	if (rc)
		ct_reach_finish(r);
	return rc;
}

uint32_t ct_reach_path(const struct ct_reach *r, uint32_t v, uint32_t *nodes, uint32_t *edges,
		       uint32_t max)
{
	uint32_t len = 0;

	if (!r->alive[v])
		return 0;
	for (uint32_t u = v; u != CT_NONE; u = r->parent[u])
		len++;
	if (len > max)
		return len;
	uint32_t i = len;
	for (uint32_t u = v; u != CT_NONE; u = r->parent[u]) {
		i--;
		nodes[i] = u;
		if (i > 0)
			edges[i - 1] = r->parent_edge[u];
	}
	return len;
}
