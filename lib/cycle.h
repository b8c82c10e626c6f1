/* Representative cycles of strongly connected components, and their
 * signatures.
 *
 * The representative cycle of a component is a shortest cycle of it (see
 * ct_cycle_representative()).  Its signature is the cycle's sequence of
 * (type, label) steps, with list/tuple indices written "[*]" and object
 * keys written without their address ("[<tuple>]"), rotated to the
 * least rotation (steps ordered by type name, the program's names before
 * V8's "(closure)", "(array)", "system / ..."; then by label), e.g.
 *     "TreeNode .children → list [*] → TreeNode .parent → TreeNode"
 * so components of the same shape share it across dumps.
 */
#ifndef CT_CYCLE_H
#define CT_CYCLE_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "scc.h"

/* Scratch for ct_cycle_find(), sized for the graph; reuse it across calls. */
struct ct_cycle_ws {
	uint32_t *mark;       /* per node: stamp of the search that reached it */
	uint32_t *pnode;      /* per node: BFS predecessor */
	uint32_t *pedge;      /* per node: edge from the predecessor */
	uint32_t *queue;
	uint32_t stamp;
	char *buf;            /* signature text */
	size_t buf_cap;
	uint32_t *rank;       /* per step: rank of its token */
	uint32_t *order;
	uint32_t steps_cap;
};

int ct_cycle_ws_init(struct ct_cycle_ws *ws, const struct ct_graph *g, struct ct_error *err);
void ct_cycle_ws_finish(struct ct_cycle_ws *ws);

/* The canonical start node of component c. */
uint32_t ct_cycle_start(const struct ct_graph *g, const struct ct_scc *s, uint32_t c);

/* Find the shortest cycle through start inside its component.  Writes its
 * nodes (start first) to nodes[] and the edge leaving each node to
 * edges[]; both need room for the component's size.  Returns the cycle
 * length (>= 1), or 0 if start is on no cycle. */
uint32_t ct_cycle_find(const struct ct_graph *g, const struct ct_scc *s, uint32_t start,
		       struct ct_cycle_ws *ws, uint32_t *nodes, uint32_t *edges);

/* The signature of the cycle nodes[0..len) / edges[0..len).  The result
 * is NUL-terminated in ws->buf (valid until the next call), its length in
 * *n.  Returns 0 or CT_ENOMEM. */
int ct_cycle_signature(const struct ct_graph *g, const uint32_t *nodes, const uint32_t *edges,
		       uint32_t len, struct ct_cycle_ws *ws, size_t *n, struct ct_error *err);

/* Components up to this size get an exhaustive search in
 * ct_cycle_representative(). */
#define CT_CYCLE_EXHAUSTIVE 64

/* The representative cycle of component c, written as by ct_cycle_find():
 * for components of up to CT_CYCLE_EXHAUSTIVE members a shortest cycle of
 * the component (ties: the start whose type name sorts first, the
 * program's names before the engine's "(closure)", "(array)", "system /
 * ..."; then the lowest index); for bigger ones the shortest cycle through
 * the canonical start node, chosen by the same order.  Returns its length, 0 if c is not cyclic. */
uint32_t ct_cycle_representative(const struct ct_graph *g, const struct ct_scc *s, uint32_t c,
				 struct ct_cycle_ws *ws, uint32_t *nodes, uint32_t *edges);

/* The label l as a signature writes it: "[*]" for an index, a key
 * "[<tuple 0x7f...>]" without its address ("[<tuple>]"), else l itself.
 * Returns l, a static string or buf. */
#define CT_CYCLE_LABEL_MAX 256
const char *ct_cycle_label(const char *l, char buf[CT_CYCLE_LABEL_MAX]);

/* Is this label a sequence index ("[12]")? */
int ct_label_is_index(const char *label);

#endif
