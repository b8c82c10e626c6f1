/* The largest retainers (`top`). */
#include "top.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

bool ct_top_numeric_ids(const struct ct_graph *g)
{
	return g->numeric_ids;
}

bool ct_top_listable(const struct ct_graph *g, uint32_t v)
{
	/* memlab's isNodeWorthInspecting(), on the type names formats/v8.c
	 * gives V8's node types (and its flag for native nodes). */
	static const char *const types[] = {"(array)", "(compiled code)", "(synthetic)",
					    "(system)"};
	static const char *const names[] = {"(Startup object cache)", "(Global handles)",
					    "(External strings)", "(Builtins)"};

	if (!ct_top_numeric_ids(g))
		return true;
	if (g->addr[v] <= 3 || (g->flags[v] & CT_NODE_NATIVE))
		return false;
	const char *t = ct_graph_str(g, g->type[v]);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			return false;
	if (g->value[v]) {
		const char *name = ct_graph_str(g, g->value[v]);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(name, names[i]) == 0)
				return false;
	}
	return true;
}

/* Does a rank above b: more retained, or as much and earlier? */
static bool above(const struct ct_dom *d, uint32_t a, uint32_t b)
{
	return d->retained[a] != d->retained[b] ? d->retained[a] > d->retained[b] : a < b;
}

/* Restore the min-heap (lowest-ranked at the top) below position i. */
static void sift_down(const struct ct_dom *d, uint32_t *h, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, low = i;
		if (l < n && above(d, h[low], h[l]))
			low = l;
		if (l + 1 < n && above(d, h[low], h[l + 1]))
			low = l + 1;
		if (low == i)
			return;
		uint32_t x = h[i];
		h[i] = h[low];
		h[low] = x;
		i = low;
	}
}

/* memlab's filterOutDominators(): a listed node whose immediate dominator
 * is listed too adds its retained size to that dominator's "children in
 * the list"; a dominator whose own retained size exceeds its children's
 * by less than CT_TOP_FOLD_BYTES says nothing they do not, and goes. */
static int fold_dominators(struct ct_top *t, struct ct_error *err)
{
	uint32_t n = t->g->n_nodes;
	/* Zeroed: a fresh mapping costs nothing where it is not written. */
	uint32_t *pos = ct_mem_zalloc(ct_mem_bytes((size_t)n + 1, sizeof(*pos)));
	uint64_t *children = calloc((size_t)t->n + 1, sizeof(*children));
	uint8_t *listed_child = calloc((size_t)t->n + 1, 1);

	if (!pos || !children || !listed_child) {
		ct_mem_free(pos);
		free(children);
		free(listed_child);
		return ct_error_nomem(err);
	}
	for (uint32_t i = 0; i < t->n; i++)
		pos[t->nodes[i]] = i;
	/* pos[] of an unlisted node is 0: check membership by value. */
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t d = t->dom.idom[t->nodes[i]];
		if (d == CT_NONE || d == CT_DOM_SUPER || d >= n)
			continue;
		uint32_t j = pos[d];
		if (j >= t->n || t->nodes[j] != d)
			continue;
		children[j] = ct_sat_add(children[j], t->dom.retained[t->nodes[i]]);
		listed_child[j] = 1;
	}
	uint32_t w = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		uint64_t own = t->dom.retained[t->nodes[i]];
		if (listed_child[i] && own - children[i] < CT_TOP_FOLD_BYTES)
			continue;
		t->nodes[w++] = t->nodes[i];
	}
	t->n = w;
	ct_mem_free(pos);
	free(children);
	free(listed_child);
	return 0;
}

int ct_top_build(struct ct_top *t, const struct ct_graph *g, uint32_t max,
		 struct ct_error *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->g = g;
	/* Only the roots: the dominator walk finds what they reach. */
	if ((rc = ct_reach_roots(g, &t->reach, err)) ||
	    (rc = ct_dom_compute(g, t->reach.root, &t->dom, err)))
		goto out;
	/* For V8, memlab's presentation: rank its 50 (or more) candidates,
	 * then fold away dominators no bigger than their listed children. */
	uint32_t want = max;
	if (ct_top_numeric_ids(g) && max < CT_TOP_MEMLAB_CANDIDATES)
		max = CT_TOP_MEMLAB_CANDIDATES;
	if (max > t->dom.n_reached)
		max = t->dom.n_reached;
	t->nodes = ct_mem_alloc(((size_t)max + 1) * sizeof(*t->nodes));
	if (!t->nodes) {
		rc = ct_error_nomem(err);
		goto out;
	}
	/* A heap of the max best so far, the weakest on top. */
	uint32_t *h = t->nodes, n = 0;
	for (uint32_t v = 0; v < g->n_nodes && max; v++) {
		/* Cheap tests first: most nodes never beat the weakest listed. */
		if (t->dom.idom[v] == CT_NONE || (n == max && !above(&t->dom, v, h[0])) ||
		    !ct_top_listable(g, v))
			continue;
		if (n < max) {
			h[n++] = v;
			for (uint32_t i = n - 1; i > 0 && above(&t->dom, h[(i - 1) / 2], h[i]);
			     i = (i - 1) / 2) {
				uint32_t x = h[i];
				h[i] = h[(i - 1) / 2];
				h[(i - 1) / 2] = x;
			}
		} else if (above(&t->dom, v, h[0])) {
			h[0] = v;
			sift_down(&t->dom, h, n, 0);
		}
	}
	/* Pop the weakest to the back: best first. */
	for (uint32_t k = n; k > 1; k--) {
		uint32_t x = h[0];
		h[0] = h[k - 1];
		h[k - 1] = x;
		sift_down(&t->dom, h, k - 1, 0);
	}
	t->n = n;
	if (ct_top_numeric_ids(g) && (rc = fold_dominators(t, err)))
		goto out;
	if (t->n > want)
		t->n = want;
out:
	if (rc)
		ct_top_finish(t);
	return rc;
}

void ct_top_finish(struct ct_top *t)
{
	if (!t)
		return;
	ct_reach_finish(&t->reach);
	ct_dom_finish(&t->dom);
	ct_mem_free(t->nodes);
	memset(t, 0, sizeof(*t));
}
