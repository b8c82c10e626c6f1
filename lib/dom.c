/* Lengauer-Tarjan dominators (path compression, no recursion) and
 * retained sizes.
 *
 * Everything below works on depth-first numbers: the super-root is 0,
 * the reachable nodes 1..nr-1 in preorder, so a dominator always has a
 * smaller number than the nodes it dominates.  Arrays indexed by number:
 *
 *   vertex[i]   the node numbered i
 *   anc[i]      the parent in the depth-first tree, later the ancestor in
 *               the link-eval forest (compressed)
 *   semi[i]     the semidominator's number
 *   label[i]    the node of least semi on the compressed forest path
 *   idom[i]     first whether i is a root, then a bucket link, then the
 *               immediate dominator
 *
 * Vertices are processed in reverse preorder; a vertex is in the forest
 * ("linked") exactly when its number is greater than the one being
 * processed, so linking costs nothing and anc[] starts as the parent.
 *
 * Until vertex i is processed its semi is i itself and its label is not
 * read, so the two fields hold other things meanwhile, sparing two
 * arrays: semi[i] the head of i's bucket (the first vertex whose
 * semidominator is i, linked on through idom[]), label[i] the end of
 * i's predecessor list in pred[] (which starts where i - 1's ends).
 * Before that, while numbering and building the predecessor lists,
 * label[i] is i's edge cursor and then its predecessor count, and semi
 * is indexed by node: semi[v] is node v's number (n + 1 entries serve
 * the n nodes), sparing a per-node array.
 *
 * The predecessor lists leave out what the parent already says: edges
 * from i's parent (i's anc until i is processed, as only linked
 * vertices' anc is compressed) give the candidate semi parent, taken
 * without a list, and a child of the super-root has semi 0 whatever
 * refers to it.  A heap is mostly a tree, so the lists hold few edges
 * (on a Java heap of 24M objects and 27M references, 2.5M).
 */
#include "dom.h"

#include <string.h>

#include "mem.h"

void ct_dom_finish(struct ct_dom *d)
{
	if (!d)
		return;
	ct_mem_free(d->idom);
	ct_mem_free(d->retained);
	ct_mem_free(d->retained_objects);
	memset(d, 0, sizeof(*d));
}

/* Per vertex, by depth-first number (see the top of the file). */
struct vert {
	uint32_t anc, label, semi, idom;
};

/* Number the nodes reachable from the roots in depth-first preorder,
 * the roots taken in node order as the super-root's children.  Node v's
 * number goes in vt[v].semi (by node: semi is not used by number until
 * the predecessor lists are built; CT_NONE on entry), vertex[] gets the
 * inverse, vt[].anc the parent's number, vt[].idom whether it is a root.
 * The depth-first stack is the chain of parents from the vertex in hand,
 * each with its edge cursor in vt[].label.  Returns the count of numbers
 * used (the super-root included). */
static uint32_t number(const struct ct_graph *g, const uint8_t *root, uint32_t *vertex,
		       struct vert *vt)
{
	uint32_t k = 1;

	vertex[0] = CT_NONE;
	vt[0].anc = CT_NONE;
	for (uint32_t r = 0; r < g->n_nodes; r++) {
		if (!root[r] || vt[r].semi != CT_NONE)
			continue;
		vt[r].semi = k;
		vertex[k] = r;
		vt[k].anc = 0;
		vt[k].idom = 1;
		vt[k].label = g->out_off[r];
		uint32_t cur = k++;
		while (cur) {
			/* Scan the vertex's edges up to its next unvisited
			 * target (the loads of a run of visited ones overlap). */
			uint32_t v = vertex[cur], e = vt[cur].label;
			uint32_t end = g->out_off[v + 1], w = CT_NONE;
			for (; e < end; e++) {
				if (!ct_edge_counts_from(g, v, e))
					continue;
				if (vt[g->dst[e]].semi == CT_NONE) {
					w = g->dst[e++];
					break;
				}
			}
			vt[cur].label = e;
			if (w == CT_NONE) {
				cur = vt[cur].anc;
				continue;
			}
			vt[w].semi = k;
			vertex[k] = w;
			vt[k].anc = cur;
			vt[k].idom = root[w] != 0;   /* until w is processed */
			vt[k].label = g->out_off[w];
			cur = k++;
		}
	}
	return k;
}

/* Does the edge from vertex i to vertex j go in j's predecessor list?
 * Not when i is j's parent or j is a child of the super-root (j's anc
 * and idom as number() left them). */
static inline bool listed(const struct vert *vt, uint32_t i, uint32_t j)
{
	return vt[j].anc != i && !vt[j].idom;
}

/* Count each numbered vertex's listed in-edges (listed()) from reached
 * nodes into vt[].label; returns their total.  Numbers by node in
 * vt[].semi. */
static uint64_t count_in(const struct ct_graph *g, uint32_t nr, struct vert *vt)
{
	uint64_t m = 0;

	for (uint32_t i = 0; i < nr; i++)
		vt[i].label = 0;
	/* In node order, so that out_off[] and dst[] are read straight
	 * through and the numbers of targets a few edges ahead can be
	 * prefetched. */
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t i = vt[v].semi;
		if (i == CT_NONE)
			continue;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			if (e + 16 < g->n_edges)
				__builtin_prefetch(&vt[g->dst[e + 16]].semi);
			if (!ct_edge_counts_from(g, v, e))
				continue;
			uint32_t j = vt[g->dst[e]].semi;
			if (listed(vt, i, j)) {
				vt[j].label++;
				m++;
			}
		}
	}
	return m;
}

/* The predecessors, by number, of each numbered vertex along counted
 * edges that listed() keeps: those of vertex i are
 * pred[vt[i-1].label .. vt[i].label - 1] (from 0 for i = 1), the lists
 * laid out in numbering order.  vt[].label holds the counts on entry,
 * vt[].semi the numbers by node. */
static void predecessors(const struct ct_graph *g, uint32_t nr, struct vert *vt, uint32_t *pred)
{
	uint32_t pos = 0;

	/* Each label becomes the start of its list, then the cursor where
	 * the next predecessor goes, which ends at the list's end. */
	for (uint32_t i = 1; i < nr; i++) {
		uint32_t c = vt[i].label;
		vt[i].label = pos;
		pos += c;
	}
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t i = vt[v].semi;
		if (i == CT_NONE)
			continue;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			if (e + 16 < g->n_edges)
				__builtin_prefetch(&vt[g->dst[e + 16]].semi);
			if (!ct_edge_counts_from(g, v, e))
				continue;
			uint32_t j = vt[g->dst[e]].semi;
			if (listed(vt, i, j))
				pred[vt[j].label++] = i;
		}
	}
}

/* The node of least semidominator on the forest path from linked vertex
 * v up to (not including) its tree's root, compressing the path.  The
 * path is walked up once reversing anc links, then down once restoring
 * them to point at the root, so no stack is needed. */
static uint32_t eval(uint32_t v, uint32_t cur, struct vert *vt)
{
	uint32_t x = v, prev = CT_NONE;

	while (vt[x].anc > cur) {       /* x's ancestor is linked: compress */
		uint32_t up = vt[x].anc;
		vt[x].anc = prev;
		prev = x;
		x = up;
	}
	uint32_t rootv = vt[x].anc, top = x;
	while (prev != CT_NONE) {
		uint32_t down = vt[prev].anc;
		if (vt[vt[top].label].semi < vt[vt[prev].label].semi)
			vt[prev].label = vt[top].label;
		vt[prev].anc = rootv;
		top = prev;
		prev = down;
	}
	return vt[v].label;
}

size_t ct_dom_work_bytes(uint32_t n)
{
	size_t nn = (size_t)n + 1;

	return ct_mem_block_bytes(nn * sizeof(uint32_t)) +
	       ct_mem_block_bytes(nn * sizeof(struct vert));
}

int ct_dom_compute(const struct ct_graph *g, const uint8_t *root, struct ct_dom *d,
		   struct ct_error *err)
{
	uint32_t n = g->n_nodes;
	struct vert *vt = NULL;
	uint32_t *vertex = NULL, *pred = NULL;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if (n >= UINT32_MAX - 2)
		return ct_error_set(err, CT_ENOMEM, "too many objects for the dominator tree");
	size_t nn = (size_t)n + 1;
	/* From the reserve when the loader made one (ct_dom_work_bytes()),
	 * taken in the order that function counts them. */
	vertex = ct_mem_take(nn * sizeof(*vertex));
	vt = ct_mem_take(nn * sizeof(*vt));
	if (!vertex || !vt) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < nn; i++)
		vt[i].semi = CT_NONE;
	uint32_t nr = number(g, root, vertex, vt);
	uint64_t m = count_in(g, nr, vt);
	pred = ct_mem_take(ct_mem_bytes(m ? m : 1, sizeof(*pred)));
	ct_mem_reserve_end();
	if (!pred) {
		rc = ct_error_nomem(err);
		goto out;
	}
	predecessors(g, nr, vt, pred);
	/* From here on by number only (vertex[] maps back). */
	for (uint32_t i = 0; i < nr; i++)
		vt[i].semi = CT_NONE;   /* empty buckets */

	for (uint32_t w = nr - 1; w > 0; w--) {
		/* Every v whose semidominator is w has a greater number and is
		 * linked below w: its idom is w, or deferred to that of u. */
		for (uint32_t v = vt[w].semi; v != CT_NONE;) {
			uint32_t next = vt[v].idom;
			uint32_t u = eval(v, w, vt);
			vt[v].idom = vt[u].semi < vt[v].semi ? u : w;
			v = next;
		}
		/* The least semi of w's predecessors: an unprocessed one (not
		 * above w) is its own, the parent (unlisted) too. */
		uint32_t s = 0;         /* a child of the super-root */
		if (!vt[w].idom) {
			s = vt[w].anc;
			uint32_t end = vt[w].label;
			for (uint32_t k = w > 1 ? vt[w - 1].label : 0; k < end; k++) {
				if (k >= 16)
					__builtin_prefetch(&vt[pred[k - 16]]);
				uint32_t p = pred[k];
				uint32_t semi = p > w ? vt[eval(p, w, vt)].semi : p;
				if (semi < s)
					s = semi;
			}
		}
		/* w joins the forest, and the bucket of s (< w, unprocessed). */
		vt[w].label = w;
		vt[w].idom = vt[s].semi;
		vt[s].semi = w;
		vt[w].semi = s;
	}
	for (uint32_t v = vt[0].semi; v != CT_NONE;) {
		uint32_t next = vt[v].idom;
		vt[v].idom = 0;
		v = next;
	}
	for (uint32_t w = 1; w < nr; w++)
		if (vt[w].idom != vt[w].semi)
			vt[w].idom = vt[vt[w].idom].idom;
	ct_mem_free(pred);
	pred = NULL;

	/* Only the immediate dominators are needed now: moved to the front
	 * of vt's memory (idn[i] is written after vt[i] is read, and never
	 * past it), whose rest is given back. */
	uint32_t *idn = (uint32_t *)vt;
	for (uint32_t i = 0; i < nr; i++) {
		uint32_t x = vt[i].idom;
		idn[i] = x;
	}
	vt = NULL;
	uint32_t *shrunk = ct_mem_realloc(idn, (nr ? nr : 1) * sizeof(*idn));
	if (shrunk)
		idn = shrunk;

	/* The immediate dominators by node, then idn is given back before
	 * the sizes take their memory: each vertex adds its totals to its
	 * idom's, children (greater numbers) first. */
	d->idom = ct_mem_alloc(nn * sizeof(*d->idom));
	if (!d->idom) {
		ct_mem_free(idn);
		rc = ct_error_nomem(err);
		goto out;
	}
	memset(d->idom, 0xff, nn * sizeof(*d->idom));
	for (uint32_t i = 1; i < nr; i++)
		d->idom[vertex[i]] = idn[i] ? vertex[idn[i]] : CT_DOM_SUPER;
	ct_mem_free(idn);
	d->retained = ct_mem_zalloc(nn * sizeof(*d->retained));
	d->retained_objects = ct_mem_zalloc(nn * sizeof(*d->retained_objects));
	if (!d->retained || !d->retained_objects) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 1; i < nr; i++) {
		uint32_t v = vertex[i];
		d->retained[v] = ct_graph_size(g, v);
		d->retained_objects[v] = 1;
		d->reached_bytes = ct_sat_add(d->reached_bytes, ct_graph_size(g, v));
	}
	for (uint32_t i = nr - 1; i > 0; i--) {
		uint32_t v = vertex[i], pv = d->idom[v];
		if (pv == CT_DOM_SUPER)
			continue;
		d->retained[pv] = ct_sat_add(d->retained[pv], d->retained[v]);
		d->retained_objects[pv] += d->retained_objects[v];
	}
	d->n_reached = nr - 1;
out:
	ct_mem_reserve_end();
	ct_mem_free(vertex);
	ct_mem_free(vt);
	ct_mem_free(pred);
	if (rc)
		ct_dom_finish(d);
	return rc;
}
