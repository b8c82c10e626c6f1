/* Strongly connected components of the strong-reference graph.
 *
 * Iterative Tarjan in Pearce's space-efficient form: no recursion, so
 * chains millions of objects long are fine, and 12 bytes and a bit per
 * node of working memory besides the result (lib/scc.c).  Only edges for
 * which ct_edge_kind_is_strong() holds count.
 */
#ifndef CT_SCC_H
#define CT_SCC_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"

struct ct_scc {
	uint32_t n_comps;
	uint32_t *comp;      /* per node: its component, numbered in reverse
			      * topological order (Tarjan's completion order) */
	uint32_t *size;      /* per component: number of nodes */
	uint8_t *cyclic;     /* per component: size > 1 or a self-reference */
	uint32_t *member_off;/* per component: start in members (n_comps + 1) */
	uint32_t *members;   /* nodes grouped by component, ascending within */
	const uint64_t *skip;/* borrowed: edges left out (ct_runtime_skips()), or NULL */
};

/* Does edge e (of the graph s was computed on) join components: strong,
 * and not one of the edges left out? */
static inline bool ct_scc_edge(const struct ct_scc *s, const struct ct_graph *g, uint32_t e)
{
	return ct_edge_kind_is_strong(g->kind[e]) &&
	       !(s->skip && (s->skip[e >> 6] >> (e & 63) & 1));
}

/* Compute the components of g into s (caller's memory, filled by us;
 * release with ct_scc_finish()).  Returns 0 or CT_ENOMEM. */
int ct_scc_compute(const struct ct_graph *g, struct ct_scc *s, struct ct_error *err);
/* The same on g without the edges whose bit is set in skip (one bit per
 * edge, as ct_runtime_skips() reads it; NULL = none).  skip is borrowed
 * by s and must outlive it. */
int ct_scc_compute_without(const struct ct_graph *g, const uint64_t *skip, struct ct_scc *s,
			   struct ct_error *err);
/* Release what ct_scc_compute() allocated; s may be zeroed or NULL. */
void ct_scc_finish(struct ct_scc *s);

#endif
