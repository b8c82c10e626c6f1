/* What `path` reports: the shortest retainer path from a root to one
 * object (lib/reach.h).  Plain data; the writers (write.h) turn it into
 * text or JSON.
 */
#ifndef CT_PATH_H
#define CT_PATH_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "reach.h"

struct ct_path {
	const struct ct_graph *g;  /* borrowed: must outlive the report */
	struct ct_reach reach;
	uint32_t target;           /* the object asked about */
	uint32_t *nodes;           /* root first, target last */
	uint32_t *edges;           /* edges[i] leads from nodes[i] to nodes[i + 1];
				    * edges[len - 1] is CT_NONE */
	uint32_t len;              /* nodes on the path; 0 when the target is unreachable */
};

/* The shortest path from a root to node target of g (breadth-first, so
 * fewest references) into p (caller's memory; release with
 * ct_path_finish()).  g is borrowed.  Returns 0, CT_EUSAGE (target is
 * not a node of g) or CT_ENOMEM. */
int ct_path_build(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		  struct ct_error *err);
/* Release p; p may be zeroed or NULL. */
void ct_path_finish(struct ct_path *p);

#endif
