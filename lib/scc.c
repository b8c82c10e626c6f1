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
 * Tarjan's components, found the way Pearce's space-efficient variant
 * does ("A space-efficient algorithm for finding strongly connected
 * components", 2016), without recursion.  One number per node,
 * rindex[v]: 0 unvisited; while v is unassigned, the least visiting
 * number it is known to reach (its own to start with); once its
 * component is complete, that component's number counted down from
 * n - 1, which is never below a visiting number in use (visiting
 * numbers are given back as nodes are assigned), so a reference to a
 * completed node never lowers anything.  A bit per node says v is still
 * the root of its component.  Nodes waiting for their component's root
 * (Tarjan's stack) and the call stack share one array of n entries,
 * from either end: a node is on one or the other, never both.  The call
 * stack's edge cursors are apart.  Components complete in Tarjan's
 * order, so their numbers are his: 12 bytes a node and a bit, where
 * index, low-link, component, stack and the call stack's two took 24.
 */
int ct_scc_compute(const struct ct_graph *g, struct ct_scc *s, struct ct_error *err)
{
	return ct_scc_compute_without(g, NULL, s, err);
}

static bool bit(const uint64_t *b, uint32_t v)
{
	return b[v >> 6] >> (v & 63) & 1;
}

int ct_scc_compute_without(const struct ct_graph *g, const uint64_t *skip, struct ct_scc *s,
			   struct ct_error *err)
{
	uint32_t n = g->n_nodes;
	uint32_t *rindex = NULL, *stk = NULL, *cs_edge = NULL;
	uint64_t *isroot = NULL;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->skip = skip;
	size_t nn = n ? n : 1;
	rindex = ct_mem_zalloc(ct_mem_bytes(nn, sizeof(*rindex)));
	stk = ct_mem_alloc(nn * sizeof(*stk));
	cs_edge = ct_mem_alloc(nn * sizeof(*cs_edge));
	isroot = ct_mem_zalloc(ct_mem_bytes(nn / 64 + 1, sizeof(*isroot)));
	if (!rindex || !stk || !cs_edge || !isroot) {
		rc = ct_error_nomem(err);
		goto out;
	}

	/* Waiting nodes: stk[0 .. sp-1]; the call stack's node at depth d:
	 * stk[n - 1 - d], its edge cursor cs_edge[d]. */
	uint32_t index = 1, c = n - 1, sp = 0, ncomp = 0;
	for (uint32_t root = 0; root < n; root++) {
		if (rindex[root])
			continue;
		uint32_t csp = 0;
		rindex[root] = index++;
		isroot[root >> 6] |= (uint64_t)1 << (root & 63);
		stk[n - 1] = root;
		cs_edge[0] = g->out_off[root];
		csp++;
		while (csp) {
			uint32_t v = stk[n - csp];
			uint32_t e = cs_edge[csp - 1], end = g->out_off[v + 1];
			bool descended = false;
			for (; e < end; e++) {
				if (!ct_scc_edge(s, g, e))
					continue;
				uint32_t w = g->dst[e];
				if (!rindex[w]) {
					/* back at e once w is done, for w's number */
					cs_edge[csp - 1] = e;
					rindex[w] = index++;
					isroot[w >> 6] |= (uint64_t)1 << (w & 63);
					stk[n - 1 - csp] = w;
					cs_edge[csp] = g->out_off[w];
					csp++;
					descended = true;
					break;
				}
				if (rindex[w] < rindex[v]) {
					rindex[v] = rindex[w];
					isroot[v >> 6] &= ~((uint64_t)1 << (v & 63));
				}
			}
			if (descended)
				continue;
			/* v is finished. */
			csp--;
			if (!bit(isroot, v)) {
				stk[sp++] = v;
				continue;
			}
			index--;
			while (sp && rindex[v] <= rindex[stk[sp - 1]]) {
				rindex[stk[--sp]] = c;
				index--;
			}
			rindex[v] = c--;
			ncomp++;
		}
	}
	s->n_comps = ncomp;
	ct_mem_free(stk);
	stk = NULL;
	ct_mem_free(cs_edge);
	cs_edge = NULL;
	ct_mem_free(isroot);
	isroot = NULL;
	/* Components numbered in completion order from 0. */
	for (uint32_t v = 0; v < n; v++)
		rindex[v] = n - 1 - rindex[v];
	s->comp = rindex;
	rindex = NULL;

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
	for (uint32_t k = 0; k < ncomp; k++) {
		s->member_off[k] = acc;
		acc += s->size[k];
		s->cyclic[k] = s->size[k] > 1;
	}
	s->member_off[ncomp] = acc;
	/* member_off[k] is the fill cursor of k, ending at k + 1's start. */
	for (uint32_t v = 0; v < n; v++) {
		uint32_t k = s->comp[v];
		s->members[s->member_off[k]++] = v;
		if (!s->cyclic[k]) {
			for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
				if (g->dst[e] == v && ct_scc_edge(s, g, e))
					s->cyclic[k] = 1;
		}
	}
	for (uint32_t k = ncomp; k > 0; k--)
		s->member_off[k] = s->member_off[k - 1];
	s->member_off[0] = 0;
out:
	ct_mem_free(rindex);
	ct_mem_free(stk);
	ct_mem_free(cs_edge);
	ct_mem_free(isroot);
	if (rc)
		ct_scc_finish(s);
	return rc;
}
