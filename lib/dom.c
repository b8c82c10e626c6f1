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
 *   head[i]     the first node whose semidominator is i (bucket)
 *
 * Vertices are processed in reverse preorder; a vertex is in the forest
 * ("linked") exactly when its number is greater than the one being
 * processed, so linking costs nothing and anc[] starts as the parent.
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

/* Per node, by node index: its depth-first number and, first, the count
 * of its counted in-edges from reached nodes, then the cursor where the
 * next of them goes in pred[].  Kept together: both are touched at once. */
struct node_slot {
	uint32_t dfn;
	uint32_t cnt;
};

/* Per vertex, by depth-first number (see the top of the file). */
struct vert {
	uint32_t anc, label, semi, idom;
};

/* Number the nodes reachable from the roots in depth-first preorder,
 * the roots taken in node order as the super-root's children; count
 * each one's counted in-edges from reached nodes on the way.  vertex[]
 * gets the inverse of the numbering, vt[].anc the parent's number.
 * stk_v and stk_e are scratch of n + 1 entries.  Returns the count of
 * numbers used (the super-root included). */
static uint32_t number(const struct ct_graph *g, const uint8_t *root, struct node_slot *nd,
		       uint32_t *vertex, struct vert *vt, uint32_t *stk_v, uint32_t *stk_e)
{
	uint32_t k = 1;

	vertex[0] = CT_NONE;
	vt[0].anc = CT_NONE;
	for (uint32_t r = 0; r < g->n_nodes; r++) {
		if (!root[r] || nd[r].dfn != CT_NONE)
			continue;
		nd[r].dfn = k;
		vertex[k] = r;
		vt[k].anc = 0;
		vt[k].idom = 1;
		k++;
		stk_v[0] = r;
		stk_e[0] = g->out_off[r];
		uint32_t top = 1;
		while (top) {
			/* Scan the top vertex's edges up to its next unvisited
			 * target (the loads of a run of visited ones overlap). */
			uint32_t v = stk_v[top - 1], e = stk_e[top - 1], end = g->out_off[v + 1];
			uint32_t w = CT_NONE;
			for (; e < end; e++) {
				if (!ct_edge_counts_from(g, v, e))
					continue;
				struct node_slot *x = &nd[g->dst[e]];
				x->cnt++;
				if (x->dfn == CT_NONE) {
					w = g->dst[e++];
					break;
				}
			}
			stk_e[top - 1] = e;
			if (w == CT_NONE) {
				top--;
				continue;
			}
			nd[w].dfn = k;
			vertex[k] = w;
			vt[k].anc = nd[v].dfn;
			vt[k].idom = root[w] != 0;   /* until w is processed */
			k++;
			stk_v[top] = w;
			stk_e[top] = g->out_off[w];
			top++;
		}
	}
	return k;
}

/* The predecessors, by number, of each numbered vertex along counted
 * edges (the super-root's edges left out): those of vertex i are
 * pred[off[i] .. off[i+1]-1], the lists laid out in numbering order.
 * off[] has nr + 1 entries. */
static void predecessors(const struct ct_graph *g, struct node_slot *nd, const uint32_t *vertex,
			 uint32_t nr, uint32_t *off, uint32_t *pred)
{
	uint32_t pos = 0;

	off[0] = 0;
	for (uint32_t i = 1; i < nr; i++) {
		struct node_slot *x = &nd[vertex[i]];
		uint32_t c = x->cnt;
		off[i] = pos;
		x->cnt = pos;
		pos += c;
	}
	off[nr] = pos;
	/* In node order, so that out_off[] and dst[] are read straight
	 * through and the slots of targets a few edges ahead can be
	 * prefetched. */
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t i = nd[v].dfn;
		if (i == CT_NONE)
			continue;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			if (e + 16 < g->n_edges)
				__builtin_prefetch(&nd[g->dst[e + 16]]);
			if (ct_edge_counts_from(g, v, e))
				pred[nd[g->dst[e]].cnt++] = i;
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

size_t ct_dom_work_bytes(uint32_t n, uint32_t m)
{
	size_t nn = (size_t)n + 1;

	return ct_mem_block_bytes(nn * sizeof(struct node_slot)) +
	       ct_mem_block_bytes(nn * sizeof(uint32_t)) +
	       ct_mem_block_bytes(nn * sizeof(struct vert)) +
	       ct_mem_block_bytes(nn * sizeof(uint32_t)) +
	       ct_mem_block_bytes((nn + 1) * sizeof(uint32_t)) +
	       ct_mem_block_bytes(((size_t)m ? m : 1) * sizeof(uint32_t));
}

int ct_dom_compute(const struct ct_graph *g, const uint8_t *root, struct ct_dom *d,
		   struct ct_error *err)
{
	uint32_t n = g->n_nodes;
	struct node_slot *nd = NULL;
	struct vert *vt = NULL;
	uint32_t *vertex = NULL, *head = NULL, *off = NULL, *pred = NULL;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if (n >= UINT32_MAX - 2)
		return ct_error_set(err, CT_ENOMEM, "too many objects for the dominator tree");
	size_t nn = (size_t)n + 1;
	/* From the reserve when the loader made one (ct_dom_work_bytes()),
	 * taken in the order that function counts them. */
	nd = ct_mem_take(nn * sizeof(*nd));
	vertex = ct_mem_take(nn * sizeof(*vertex));
	vt = ct_mem_take(nn * sizeof(*vt));
	/* The depth-first stack borrows head[] and off[] (needed later). */
	head = ct_mem_take(nn * sizeof(*head));
	off = ct_mem_take((nn + 1) * sizeof(*off));
	if (!nd || !vertex || !vt || !head || !off) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t v = 0; v < n; v++)
		nd[v] = (struct node_slot){CT_NONE, 0};
	uint32_t nr = number(g, root, nd, vertex, vt, head, off);

	uint64_t m = 0;
	for (uint32_t i = 1; i < nr; i++)
		m += nd[vertex[i]].cnt;
	pred = ct_mem_take(ct_mem_bytes(m ? m : 1, sizeof(*pred)));
	ct_mem_reserve_end();
	if (!pred) {
		rc = ct_error_nomem(err);
		goto out;
	}
	predecessors(g, nd, vertex, nr, off, pred);
	for (uint32_t i = 0; i < nr; i++) {
		vt[i].semi = i;
		vt[i].label = i;
		head[i] = CT_NONE;
	}

	for (uint32_t w = nr - 1; w > 0; w--) {
		/* Every v whose semidominator is w has a greater number and is
		 * linked below w: its idom is w, or deferred to that of u. */
		for (uint32_t v = head[w]; v != CT_NONE;) {
			uint32_t next = vt[v].idom;
			uint32_t u = eval(v, w, vt);
			vt[v].idom = vt[u].semi < vt[v].semi ? u : w;
			v = next;
		}
		uint32_t s = w;
		if (vt[w].idom) {
			s = 0;          /* a child of the super-root */
		} else {
			for (uint32_t k = off[w]; k < off[w + 1]; k++) {
				if (k >= 16)
					__builtin_prefetch(&vt[pred[k - 16]]);
				uint32_t p = pred[k];
				uint32_t u = p > w ? eval(p, w, vt) : p;
				if (vt[u].semi < s)
					s = vt[u].semi;
			}
		}
		vt[w].semi = s;
		vt[w].idom = head[s];
		head[s] = w;
	}
	for (uint32_t v = head[0]; v != CT_NONE;) {
		uint32_t next = vt[v].idom;
		vt[v].idom = 0;
		v = next;
	}
	for (uint32_t w = 1; w < nr; w++)
		if (vt[w].idom != vt[w].semi)
			vt[w].idom = vt[vt[w].idom].idom;
	ct_mem_free(pred);
	ct_mem_free(off);
	ct_mem_free(head);
	pred = off = head = NULL;

	/* Retained sizes: each vertex adds its total to its idom's, children
	 * (greater numbers) first. */
	d->retained = ct_mem_zalloc(nn * sizeof(*d->retained));
	d->retained_objects = ct_mem_zalloc(nn * sizeof(*d->retained_objects));
	d->idom = ct_mem_alloc(nn * sizeof(*d->idom));
	if (!d->retained || !d->retained_objects || !d->idom) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 1; i < nr; i++) {
		uint32_t v = vertex[i];
		d->retained[v] = g->size[v];
		d->retained_objects[v] = 1;
		d->reached_bytes = ct_sat_add(d->reached_bytes, g->size[v]);
	}
	for (uint32_t i = nr - 1; i > 0; i--) {
		uint32_t p = vt[i].idom;
		if (p == 0)
			continue;
		uint32_t v = vertex[i], pv = vertex[p];
		d->retained[pv] = ct_sat_add(d->retained[pv], d->retained[v]);
		d->retained_objects[pv] += d->retained_objects[v];
	}
	for (uint32_t v = 0; v < n; v++) {
		uint32_t i = nd[v].dfn;
		d->idom[v] = i == CT_NONE ? CT_NONE :
			     vt[i].idom ? vertex[vt[i].idom] : CT_DOM_SUPER;
	}
	d->n_reached = nr - 1;
out:
	ct_mem_reserve_end();
	ct_mem_free(nd);
	ct_mem_free(vertex);
	ct_mem_free(vt);
	ct_mem_free(head);
	ct_mem_free(off);
	ct_mem_free(pred);
	if (rc)
		ct_dom_finish(d);
	return rc;
}
