/* Dominators and retained sizes.
 *
 * The graph is rooted at a virtual super-root whose children are the
 * given roots (for Python dumps the externally referenced objects that
 * lib/reach.c finds; for V8 snapshots the synthetic root).  Node d
 * dominates v when every path from the super-root to v passes through
 * d; the immediate dominator of v is the closest such d other than v.
 * Removing v frees exactly the nodes v dominates, so the retained size of
 * v is the total self size of its dominator subtree.
 *
 * Edges count as ct_edge_counts_from() (graph.h) says, the rule the
 * runtime's own tools use: strong and internal edges count, weak edges
 * never do, V8 shortcut edges only from a node flagged CT_NODE_ROOT (the
 * synthetic root), as in DevTools and memlab.
 *
 * The algorithm is Lengauer-Tarjan with path compression, written without
 * recursion (heaps have chains millions long): an iterative depth-first
 * numbering, a predecessor index of the counted edges that are not
 * tree edges, then the semidominators in reverse preorder.  Retained
 * sizes are summed up the dominator tree in reverse preorder.  Memory
 * while computing: 20 bytes per node and 4 per counted edge other than
 * the depth-first tree's (a heap's references are mostly tree edges),
 * then 4 bytes per node besides the result, which keeps 16 bytes per
 * node.
 */
#ifndef CT_DOM_H
#define CT_DOM_H

#include <stdint.h>

#include "error.h"
#include "graph.h"

/* idom[] value of a node whose immediate dominator is the super-root:
 * a root, or a node reachable from two roots along disjoint paths. */
#define CT_DOM_SUPER (UINT32_MAX - 1)

struct ct_dom {
	uint32_t *idom;          /* per node: immediate dominator, CT_DOM_SUPER, or
				  * CT_NONE when unreachable from every root */
	uint64_t *retained;      /* per node: bytes freed if it went (its own size
				  * included), saturating; 0 when unreachable */
	uint32_t *retained_objects; /* per node: objects freed if it went (itself
				  * included); 0 when unreachable */
	uint32_t n_reached;      /* nodes reachable from the roots */
	uint64_t reached_bytes;  /* their total self size: the super-root's retained size */
};

/* Compute the dominator tree and retained sizes of g rooted at the nodes
 * v with root[v] != 0 (for example struct ct_reach.root) into d (caller's
 * memory; release with ct_dom_finish()).  root is borrowed.  Returns 0,
 * or CT_ENOMEM with err set. */
int ct_dom_compute(const struct ct_graph *g, const uint8_t *root, struct ct_dom *d,
		   struct ct_error *err);

/* The per-node working memory ct_dom_compute() takes for n nodes (the
 * predecessor lists, a few bytes per node, come after): a loader that
 * knows the size early reserves it (ct_mem_reserve()) so that it is
 * faulted in while the input is still being read. */
size_t ct_dom_work_bytes(uint32_t n);

/* Release what d holds; d may be zeroed or NULL. */
void ct_dom_finish(struct ct_dom *d);

#endif
