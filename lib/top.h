/* What `top` reports: the largest retainers of a dump, by retained size
 * (lib/dom.h).  Plain data; the writers (write.h) turn it into text or
 * JSON.
 */
#ifndef CT_TOP_H
#define CT_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "dom.h"
#include "error.h"
#include "graph.h"
#include "reach.h"

/* For V8 snapshots top ranks as memlab's analyze object-size does: the
 * largest CT_TOP_MEMLAB_CANDIDATES worth inspecting, from which a listed
 * dominator whose retained size is within CT_TOP_FOLD_BYTES of its listed
 * children's is folded away (memlab's filterOutDominators). */
#define CT_TOP_MEMLAB_CANDIDATES 50
#define CT_TOP_FOLD_BYTES 500000

struct ct_top {
	const struct ct_graph *g;  /* borrowed: must outlive the report */
	struct ct_reach reach;     /* the roots (and alive/garbage) */
	struct ct_dom dom;         /* rooted at reach.root */
	uint32_t *nodes;           /* the listed nodes, largest retained first */
	uint32_t n;
};

/* Is node v one `top` may list?  Every reachable object of a Python
 * dump; of a V8 snapshot, what memlab's `analyze object-size` considers
 * (node ids above 3, so not the synthetic root or "(GC roots)"; not of
 * V8 type array, code, synthetic or hidden; not named "(Startup object
 * cache)", "(Global handles)", "(External strings)" or "(Builtins)"). */
bool ct_top_listable(const struct ct_graph *g, uint32_t v);

/* Compute reachability and dominators of g and list the max listable
 * nodes of greatest retained size (ties: the earlier node first) into t
 * (caller's memory; release with ct_top_finish()).  g is borrowed.
 * Returns 0 or CT_ENOMEM. */
int ct_top_build(struct ct_top *t, const struct ct_graph *g, uint32_t max,
		 struct ct_error *err);
void ct_top_finish(struct ct_top *t);

/* Does the graph name objects by number (V8 node ids) rather than by
 * address ("0x…")? */
bool ct_top_numeric_ids(const struct ct_graph *g);

#endif
