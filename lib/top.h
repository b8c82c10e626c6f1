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

/* What holds a listed object, in words (cycletool(1), TOP): from the
 * object, up to CT_TOP_HELD_STEPS references are followed backwards.
 * Each step takes the reference from the object's immediate dominator
 * when the dominator refers to it directly (of several, the first with a
 * label, a strong one before an internal one, Python's ".__dict__"
 * first of all); otherwise (its dominator is the roots' super-root, or
 * reaches it only through others) one counted reference to it from a
 * reachable object it does not itself dominate, found in one pass over
 * the edges for all rows at once (best in the same order, then the first
 * in dump order).  The walk goes on through
 * unnamed containers and plain objects (ct_top_plain()) and stops at the
 * first other object, the holder.  The text is the holder as chains show
 * it (ct_present_node()), a space, and the labels from the holder down,
 * joined ("module(__main__) .REGISTRY", "Handler .callbacks[0]"), with
 * two contractions: a V8 global object is left out and its property is
 * named bare ("handlers", "sessions.table[3]"), and Python's
 * ".__dict__" followed by "['key']" reads ".key".  An object nothing
 * in the dump refers to reads "root: " and its kind of root when the
 * dump says it (ct_graph_root_note(): "root: system class"), and has no
 * text otherwise. */
#define CT_TOP_HELD_STEPS 4
/* The held-by text in a text table is cut after this many bytes. */
#define CT_TOP_HELD_BYTES 80

struct ct_top_held {
	uint32_t holder;   /* where the text starts; CT_NONE: nothing in the dump
			    * refers to the object */
	uint32_t n;        /* references from holder down to the object */
	uint32_t edge[CT_TOP_HELD_STEPS]; /* edge[0] leaves holder */
};

struct ct_top {
	const struct ct_graph *g;  /* borrowed: must outlive the report */
	struct ct_reach reach;     /* the roots (and alive/garbage) */
	struct ct_dom dom;         /* rooted at reach.root */
	uint32_t *nodes;           /* the listed nodes, largest retained first */
	struct ct_top_held *held;  /* per listed node: what holds it */
	uint32_t n;
	uint32_t ranked;           /* candidates ranked before folding (V8) */
};

/* Is node v one `top` may list?  Every reachable object of a Python
 * dump; of a V8 snapshot, what memlab's `analyze object-size` considers
 * (node ids above 3, so not the synthetic root or "(GC roots)"; not of
 * V8 type array, code, synthetic or hidden; not named "(Startup object
 * cache)", "(Global handles)", "(External strings)" or "(Builtins)"). */
bool ct_top_listable(const struct ct_graph *g, uint32_t v);

/* Is node v a container or plain object that a held-by walk goes
 * through: unnamed (ct_present_name()), and of a V8 snapshot of type
 * Object, Array, Map, Set, (array), (system) or system / Context; of a
 * Python dump dict, list, tuple, set, frozenset or cell. */
bool ct_top_plain(const struct ct_graph *g, uint32_t v);

/* Compute reachability and dominators of g and list the max listable
 * nodes of greatest retained size (ties: the earlier node first) into t
 * (caller's memory; release with ct_top_finish()), each with what holds
 * it (t->held).  For V8 snapshots the candidates are folded as memlab
 * does: the largest max(max, CT_TOP_MEMLAB_CANDIDATES) are ranked, and a
 * ranked dominator whose retained size exceeds its ranked children's by
 * less than CT_TOP_FOLD_BYTES is dropped; when fewer than max remain,
 * twice as many are ranked and folded again, until max remain or every
 * listable node was ranked.  g is borrowed; its labels, when it has
 * them, make the held-by text.  Returns 0 or CT_ENOMEM. */
int ct_top_build(struct ct_top *t, const struct ct_graph *g, uint32_t max,
		 struct ct_error *err);
void ct_top_finish(struct ct_top *t);

/* The held-by text of listed node i, whole (labels uncut; the holder as
 * ct_present_node() shows it), into *text (ours to the caller, who
 * frees it); NULL when nothing holds it.  Returns 0 or CT_ENOMEM. */
int ct_top_held_text(const struct ct_top *t, uint32_t i, char **text, struct ct_error *err);

/* Does the graph name objects by number (V8 node ids) rather than by
 * address ("0x…"), so that V8's listing rules apply?  Graph files
 * (DOT, GraphML...), also numbered, do not. */
bool ct_top_numeric_ids(const struct ct_graph *g);

#endif
