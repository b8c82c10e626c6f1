/* What `path` reports: a retainer path from a root to one object, and
 * what kind of root it starts at.  Plain data; the writers (write.h) turn
 * it into text or JSON.
 *
 * By default the route is taken from a user-level root when one reaches
 * the object: the roots a developer can act on (cycletool(1), PATH
 * ROOTS).
 *   Python (formats python, meliae): every object of type "module" or
 *     "frame" that is alive (lib/reach.h).
 *   V8: the objects the snapshot's synthetic root (a node flagged
 *     CT_NODE_ROOT) refers to directly that are not themselves synthetic
 *     (type "(synthetic)": "(GC roots)", "C++ roots", ...): in node the
 *     `global` object, in a browser each `Window`.
 *   Other formats have none.
 * One breadth-first search from all user-level roots at once finds the
 * fewest references; among routes of that length it takes one with the
 * fewest of the runtime's references (lib/runtime.h: those the
 * application's graph leaves out).  When no
 * user-level root reaches the object, or with CT_PATH_ANY_ROOT, the route
 * is the true shortest from any root (ct_reach_path()).  Both are linear
 * in nodes and edges; edges are followed as ct_edge_counts_from() says
 * (never weak ones).
 */
#ifndef CT_PATH_H
#define CT_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "reach.h"

enum ct_path_mode {
	CT_PATH_PREFER_USER = 0, /* from a user-level root when one reaches it */
	CT_PATH_ANY_ROOT = 1,    /* the true shortest route from any root */
};

/* The kind of root a route starts at (ct_path_root_kind_name() spells
 * them for JSON). */
enum ct_path_root_kind {
	CT_PATH_ROOT_NONE,         /* no route: the object is unreachable */
	CT_PATH_ROOT_GLOBAL,       /* V8: a global object (user-level) */
	CT_PATH_ROOT_MODULE,       /* Python: a module (user-level) */
	CT_PATH_ROOT_FRAME,        /* Python: a thread's stack frame (user-level) */
	CT_PATH_ROOT_GC_ROOTS,     /* V8: (GC roots) and one of its categories,
				    * e.g. "(Stack roots)" */
	CT_PATH_ROOT_SYNTHETIC,    /* V8: another entry of the synthetic root
				    * ("C++ roots", "Node / Environment") */
	CT_PATH_ROOT_FLAGGED,      /* a root the dump names (the object is the
				    * snapshot's root, or a $ref document's) */
	CT_PATH_ROOT_REFCOUNT,     /* Python: referenced from outside the dump
				    * (refcount above the references in it) */
	CT_PATH_ROOT_UNREFERENCED, /* no referrer in the dump (taken as a root) */
};

struct ct_path {
	const struct ct_graph *g;  /* borrowed: must outlive the report */
	struct ct_reach reach;     /* dist is not kept (NULL) */
	uint32_t target;           /* the object asked about */
	uint32_t *nodes;           /* root first, target last */
	uint32_t *edges;           /* edges[i] leads from nodes[i] to nodes[i + 1];
				    * edges[len - 1] is CT_NONE */
	uint32_t len;              /* nodes on the path; 0 when the target is unreachable */
	enum ct_path_mode mode;    /* as asked */
	bool user_level;           /* the route starts at a user-level root */
	enum ct_path_root_kind root_kind;
	uint32_t root_via;         /* the node that names the kind: the global
				    * object, module or frame, the (GC roots)
				    * category or other synthetic entry, else
				    * nodes[0]; CT_NONE when len is 0 */
	uint64_t n_user_roots;     /* user-level roots in the dump (0 with
				    * CT_PATH_ANY_ROOT: not looked for) */
};

/* A route from a root to node target of g, as mode says (see above),
 * into p (caller's memory; release with ct_path_finish()).  g is
 * borrowed.  Returns 0, CT_EUSAGE (target is not a node of g) or
 * CT_ENOMEM. */
int ct_path_build_mode(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		       enum ct_path_mode mode, struct ct_error *err);
/* ct_path_build_mode() with CT_PATH_PREFER_USER. */
int ct_path_build(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		  struct ct_error *err);
/* Release p; p may be zeroed or NULL. */
void ct_path_finish(struct ct_path *p);

/* A retainer tree of every alive node at once, by ct_path_build()'s rule:
 * routes from the user-level roots (the shortest, and among those the
 * fewest of the runtime's references: the edges whose bit is set in
 * skip, ct_runtime_skips(); NULL = none), then the nodes they do not
 * reach by a shortest route from the other roots.  Linear in nodes and
 * edges. */
struct ct_path_tree {
	uint32_t *via;     /* per node: the edge from its parent; CT_NONE for a root
			    * of the tree and for an unreachable node */
	uint32_t *parent;  /* per node: the source of via, or CT_NONE */
	uint32_t *order;   /* the reached nodes, every parent before its children */
	uint32_t n;        /* entries in order */
	uint32_t n_user;   /* of which the first n_user are reached from user-level roots */
};

/* Build the tree of g with reachability r (ct_reach_compute(); borrowed)
 * into t (caller's memory; release with ct_path_tree_finish()).  Returns
 * 0 or CT_ENOMEM. */
int ct_path_tree_build(struct ct_path_tree *t, const struct ct_graph *g, const struct ct_reach *r,
		       const uint64_t *skip, struct ct_error *err);
void ct_path_tree_finish(struct ct_path_tree *t);

/* The kind's name for JSON: "none", "global", "module", "frame",
 * "gc-roots", "synthetic", "flagged", "refcount", "unreferenced".
 * Static. */
const char *ct_path_root_kind_name(enum ct_path_root_kind k);

#endif
