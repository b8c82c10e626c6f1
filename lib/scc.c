#include "scc.h"

#include <stdlib.h>

#include "mem.h"
#include <string.h>

void ct_scc_finish(struct ct_scc *s)
{
	if (!s)
		return;
	ct_mem_free(s->comp);
	ct_mem_free(s->size);
	ct_mem_free(s->cyclic);
	ct_mem_free(s->member_off);
	ct_mem_free(s->members);
	memset(s, 0, sizeof(*s));
}

/*
 * Tarjan's algorithm with an explicit call stack.  index[v] is v's
 * discovery number (0 = unvisited), low[v] its low-link.  A node leaves
 * the Tarjan stack when its component completes; comp[v] != CT_NONE then
 * marks "no longer on the stack", so no separate on-stack bit is needed.
 * The call stack holds (node, next edge to look at).
 */
int ct_scc_compute(const struct ct_graph *g, struct ct_scc *s, struct ct_error *err)
{
	return ct_scc_compute_without(g, NULL, s, err);
}

int ct_scc_compute_without(const struct ct_graph *g, const uint64_t *skip, struct ct_scc *s,
			   struct ct_error *err)
{
	uint32_t n = g->n_nodes;
	uint32_t *index = NULL, *low = NULL, *stack = NULL, *cs_node = NULL, *cs_edge = NULL;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->skip = skip;
	size_t nn = n ? n : 1;
	s->comp = ct_mem_alloc(nn * sizeof(*s->comp));
	index = ct_mem_zalloc(ct_mem_bytes(nn, sizeof(*index)));
	low = ct_mem_alloc(nn * sizeof(*low));
	stack = ct_mem_alloc(nn * sizeof(*stack));
	cs_node = ct_mem_alloc(nn * sizeof(*cs_node));
	cs_edge = ct_mem_alloc(nn * sizeof(*cs_edge));
	if (!s->comp || !index || !low || !stack || !cs_node || !cs_edge) {
		rc = ct_error_nomem(err);
		goto out;
	}
	memset(s->comp, 0xff, nn * sizeof(*s->comp));

	uint32_t counter = 0, sp = 0, ncomp = 0;
	for (uint32_t root = 0; root < n; root++) {
		if (index[root])
			continue;
		uint32_t csp = 0;
		index[root] = low[root] = ++counter;
		stack[sp++] = root;
		cs_node[csp] = root;
		cs_edge[csp] = g->out_off[root];
		csp++;
		while (csp) {
			uint32_t v = cs_node[csp - 1];
			uint32_t e = cs_edge[csp - 1], end = g->out_off[v + 1];
			bool descended = false;
			for (; e < end; e++) {
				if (!ct_scc_edge(s, g, e))
					continue;
				uint32_t w = g->dst[e];
				if (!index[w]) {
					cs_edge[csp - 1] = e + 1;
					index[w] = low[w] = ++counter;
					stack[sp++] = w;
					cs_node[csp] = w;
					cs_edge[csp] = g->out_off[w];
					csp++;
					descended = true;
					break;
				}
				if (s->comp[w] == CT_NONE && index[w] < low[v])
					low[v] = index[w];
			}
			if (descended)
				continue;
			/* v is finished. */
			if (low[v] == index[v]) {
				uint32_t w;
				do {
					w = stack[--sp];
					s->comp[w] = ncomp;
				} while (w != v);
				ncomp++;
			}
			csp--;
			if (csp) {
				uint32_t u = cs_node[csp - 1];
				if (low[v] < low[u])
					low[u] = low[v];
			}
		}
	}
	s->n_comps = ncomp;
	ct_mem_free(index);
	index = NULL;
	ct_mem_free(low);
	low = NULL;

	/* Sizes, members grouped by component (counting sort), cyclicity. */
	s->size = ct_mem_zalloc(ct_mem_bytes(ncomp ? ncomp : 1, sizeof(*s->size)));
	s->cyclic = ct_mem_zalloc(ct_mem_bytes(ncomp ? ncomp : 1, 1));
	s->member_off = ct_mem_alloc(((size_t)ncomp + 1) * sizeof(*s->member_off));
	s->members = ct_mem_alloc(nn * sizeof(*s->members));
	if (!s->size || !s->cyclic || !s->member_off || !s->members) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t v = 0; v < n; v++)
		s->size[s->comp[v]]++;
	uint32_t acc = 0;
	for (uint32_t c = 0; c < ncomp; c++) {
		s->member_off[c] = acc;
		acc += s->size[c];
		s->cyclic[c] = s->size[c] > 1;
	}
	s->member_off[ncomp] = acc;
	/* Reuse cs_edge as the fill cursor. */
	memcpy(cs_edge, s->member_off, ncomp * sizeof(*cs_edge));
	for (uint32_t v = 0; v < n; v++) {
		uint32_t c = s->comp[v];
		s->members[cs_edge[c]++] = v;
		if (!s->cyclic[c]) {
			for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
				if (g->dst[e] == v && ct_scc_edge(s, g, e))
					s->cyclic[c] = 1;
		}
	}
out:
	ct_mem_free(index);
	ct_mem_free(low);
	ct_mem_free(stack);
	ct_mem_free(cs_node);
	ct_mem_free(cs_edge);
	if (rc)
		ct_scc_finish(s);
	return rc;
}
