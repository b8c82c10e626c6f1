/* Which objects are alive, and along which path.
 *
 * With reference counts (CPython dumps) this replays the cycle collector:
 * for each object the collector tracks, gc_refs = refcount minus the
 * strong references from other tracked objects; objects with gc_refs > 0
 * are externally referenced (roots); everything reachable from a root is
 * alive and the remaining tracked objects are cyclic garbage.  Without
 * counts, objects nothing in the dump refers to are taken as the roots.
 * Objects flagged CT_NODE_ROOT are roots in both cases.  When the loader
 * knows the roots (g->roots_given: V8's synthetic root), they are the
 * only roots, and whatever they do not reach is garbage.
 *
 * Edges are followed as ct_edge_counts_from() says: strong and internal
 * ones, and shortcuts from a root.
 *
 * One breadth-first search from all roots at once also records, for each
 * alive object, its predecessor on a shortest path from some root.
 */
#ifndef CT_REACH_H
#define CT_REACH_H

#include <stdint.h>

#include "error.h"
#include "graph.h"

enum ct_reach_mode {
	CT_REACH_REFCOUNT,  /* replay of CPython's collector */
	CT_REACH_INDEGREE,  /* no counts: unreferenced objects are the roots */
	CT_REACH_ROOTS,     /* the nodes flagged CT_NODE_ROOT are the roots */
};

struct ct_reach {
	enum ct_reach_mode mode;
	uint8_t *alive;        /* per node: 1 reachable from a root */
	uint8_t *root;         /* per node: 1 externally referenced */
	uint32_t *parent;      /* per node: predecessor on a shortest root path (CT_NONE for roots, unreached) */
	uint32_t *parent_edge; /* per node: the edge from parent */
	uint32_t *dist;        /* per node: edges from the nearest root (CT_NONE if unreached) */
	uint64_t n_roots;
	uint64_t n_tracked;    /* nodes the collector tracks (not CT_NODE_LEAF) */
	uint64_t n_garbage;    /* tracked and unreachable */
	uint64_t garbage_bytes;
	uint64_t n_overcounted;/* internal references exceed the refcount (inconsistent dump) */
};

/* Only the roots: fills r->mode, r->root, r->n_roots and r->n_overcounted
 * and leaves the rest NULL or zero (for analyses such as dominators that
 * walk from the roots themselves).  Release with ct_reach_finish(). */
int ct_reach_roots(const struct ct_graph *g, struct ct_reach *r, struct ct_error *err);

/* Compute reachability of g into r (caller's memory; release with
 * ct_reach_finish()).  Returns 0 or CT_ENOMEM. */
int ct_reach_compute(const struct ct_graph *g, struct ct_reach *r, struct ct_error *err);
void ct_reach_finish(struct ct_reach *r);

/* Is node v garbage: tracked by the collector and unreachable? */
static inline int ct_reach_is_garbage(const struct ct_graph *g, const struct ct_reach *r,
				      uint32_t v)
{
	return !(g->flags[v] & CT_NODE_LEAF) && !r->alive[v];
}

/* The shortest root path to v: writes up to max nodes into nodes[] (root
 * first, v last) and the max-1 edges between them into edges[]; returns
 * the number of nodes on the path (0 when v is unreachable), which may
 * exceed max (then nothing is written). */
uint32_t ct_reach_path(const struct ct_reach *r, uint32_t v, uint32_t *nodes, uint32_t *edges,
		       uint32_t max);

#endif
