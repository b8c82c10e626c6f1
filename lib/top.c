/* The largest retainers (`top`). */
#include "top.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "present.h"

bool ct_top_numeric_ids(const struct ct_graph *g)
{
	/* Graph files (formats/graphfile.h) number their nodes too, but
	 * V8's rules below are not theirs. */
	static const char *const graph_files[] = {"dot", "graphml", "gml", "pajek", "lgl",
						  "edgelist"};

	if (!g->numeric_ids)
		return false;
	for (size_t i = 0; g->format && i < sizeof(graph_files) / sizeof(graph_files[0]); i++)
		if (strcmp(g->format, graph_files[i]) == 0)
			return false;
	return true;
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
	if (ct_graph_addr(g, v) <= 3 || (g->flags[v] & CT_NODE_NATIVE))
		return false;
	const char *t = ct_graph_str(g, g->type[v]);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			return false;
	uint32_t value = ct_graph_value(g, v);
	if (value) {
		const char *name = ct_graph_str(g, value);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(name, names[i]) == 0)
				return false;
	}
	return true;
}

/* ---- what holds a listed node (top.h, CT_TOP_HELD_STEPS) ---- */

/* Is v a V8 global object, whose properties are a program's globals? */
static bool global_object(const struct ct_graph *g, uint32_t v)
{
	const char *type = ct_graph_str(g, g->type[v]);

	return ct_top_numeric_ids(g) &&
	       (strcmp(type, "global") == 0 || strncmp(type, "Window", 6) == 0);
}

bool ct_top_plain(const struct ct_graph *g, uint32_t v)
{
	static const char *const v8[] = {"Object", "Array", "Map", "Set", "(array)", "(system)",
					 "system / Context"};
	static const char *const py[] = {"dict", "list", "tuple", "set", "frozenset", "cell"};
	const char *const *types = ct_top_numeric_ids(g) ? v8 : py;
	size_t n = ct_top_numeric_ids(g) ? sizeof(v8) / sizeof(v8[0]) : sizeof(py) / sizeof(py[0]);
	const char *type = ct_graph_str(g, g->type[v]);

	if (ct_present_name(g, v))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/* How well edge e (out of src) names its target: 0 it does not count,
 * 1 no label, 2 a label on an internal edge, 3 a label on a strong one,
 * 4 Python's ".__dict__" (an object's own attributes: their owner). */
#define RANK_BEST 4
static int edge_rank(const struct ct_graph *g, uint32_t src, uint32_t e)
{
	if (!ct_edge_counts_from(g, src, e))
		return 0;
	uint32_t l = ct_graph_label(g, e);
	if (!l)
		return 1;
	if (g->kind[e] != CT_EDGE_STRONG)
		return 2;
	return strcmp(ct_graph_str(g, l), ".__dict__") == 0 ? RANK_BEST : 3;
}

/* The best edge from d to v, or CT_NONE. */
static uint32_t edge_to(const struct ct_graph *g, uint32_t d, uint32_t v)
{
	uint32_t best = CT_NONE;
	int best_rank = 0;

	for (uint32_t e = g->out_off[d]; e < g->out_off[d + 1] && best_rank < RANK_BEST; e++) {
		if (g->dst[e] != v)
			continue;
		int r = edge_rank(g, d, e);
		if (r > best_rank) {
			best = e;
			best_rank = r;
		}
	}
	return best;
}

/* Does v dominate u?  Looks at most this many dominators up from u (a
 * deeper u is taken as not dominated: a referrer, if a poor one). */
#define DOMINATED_LOOKUP 64
static bool dominates(const struct ct_dom *d, uint32_t v, uint32_t u)
{
	for (int i = 0; i < DOMINATED_LOOKUP && u < CT_DOM_SUPER; i++, u = d->idom[u])
		if (u == v)
			return true;
	return false;
}

/* One walk per listed node. */
struct walk {
	uint32_t cur;        /* where the walk is */
	uint32_t n;          /* steps taken */
	uint32_t src[CT_TOP_HELD_STEPS];  /* bottom-up: src[k] refers by edge[k] */
	uint32_t edge[CT_TOP_HELD_STEPS];
	bool done;
};

static bool on_walk(const struct walk *w, uint32_t v, uint32_t row)
{
	if (v == row)
		return true;
	for (uint32_t k = 0; k < w->n; k++)
		if (w->src[k] == v)
			return true;
	return false;
}

/* For each walk in need (found[i] == CT_NONE and not done): one counted
 * edge to its node from a reachable node that is not on the walk and is
 * not dominated by it; best by edge_rank(), then the first.  One pass
 * over the edges for all of them.  found[] gets the edges, srcs[] their
 * sources. */
static int find_referrers(struct ct_top *t, struct walk *w, uint32_t *found, uint32_t *srcs,
			  struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	/* slot[v]: 1 + the first walk in need at v; zeroed pages cost nothing
	 * where they are not written. */
	uint32_t *slot = ct_mem_zalloc(ct_mem_bytes((size_t)g->n_nodes + 1, sizeof(*slot)));
	int *best = calloc((size_t)t->n + 1, sizeof(*best));

	if (!slot || !best) {
		ct_mem_free(slot);
		free(best);
		return ct_error_nomem(err);
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (!w[i].done && found[i] == CT_NONE && !slot[w[i].cur])
			slot[w[i].cur] = i + 1;
	for (uint32_t u = 0; u < g->n_nodes; u++) {
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t s = slot[g->dst[e]];
			if (!s)
				continue;
			uint32_t i = s - 1;
			int r = edge_rank(g, u, e);
			if (r <= best[i] || t->dom.idom[u] == CT_NONE ||
			    on_walk(&w[i], u, t->nodes[i]) || dominates(&t->dom, w[i].cur, u))
				continue;
			best[i] = r;
			found[i] = e;
			srcs[i] = u;
		}
	}
	/* Walks at the same node share what was found. */
	for (uint32_t i = 0; i < t->n; i++) {
		if (w[i].done || found[i] != CT_NONE)
			continue;
		uint32_t j = slot[w[i].cur] - 1;
		if (j != i && found[j] != CT_NONE && !on_walk(&w[i], srcs[j], t->nodes[i])) {
			found[i] = found[j];
			srcs[i] = srcs[j];
		}
	}
	ct_mem_free(slot);
	free(best);
	return 0;
}

/* Fill t->held: walk up from each listed node (top.h). */
static int held_by(struct ct_top *t, struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	struct walk *w = calloc((size_t)t->n + 1, sizeof(*w));
	uint32_t *found = malloc(((size_t)t->n + 1) * sizeof(*found));
	uint32_t *srcs = malloc(((size_t)t->n + 1) * sizeof(*srcs));
	int rc = 0;

	t->held = calloc((size_t)t->n + 1, sizeof(*t->held));
	if (!w || !found || !srcs || !t->held) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 0; i < t->n; i++)
		w[i].cur = t->nodes[i];
	for (int step = 0; step < CT_TOP_HELD_STEPS; step++) {
		bool need = false;
		for (uint32_t i = 0; i < t->n; i++) {
			found[i] = CT_NONE;
			if (w[i].done)
				continue;
			uint32_t d = t->dom.idom[w[i].cur];
			if (d < CT_DOM_SUPER && !on_walk(&w[i], d, t->nodes[i]) &&
			    (found[i] = edge_to(g, d, w[i].cur)) != CT_NONE)
				srcs[i] = d;
			else
				need = true;
		}
		if (need && (rc = find_referrers(t, w, found, srcs, err)))
			goto out;
		bool more = false;
		for (uint32_t i = 0; i < t->n; i++) {
			if (w[i].done)
				continue;
			if (found[i] == CT_NONE) {
				w[i].done = true;
				continue;
			}
			uint32_t u = srcs[i];
			w[i].src[w[i].n] = u;
			w[i].edge[w[i].n++] = found[i];
			w[i].cur = u;
			w[i].done = !ct_top_plain(g, u) || global_object(g, u);
			more |= !w[i].done;
		}
		if (!more)
			break;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		struct ct_top_held *h = &t->held[i];
		h->n = w[i].n;
		h->holder = w[i].n ? w[i].src[w[i].n - 1] : CT_NONE;
		for (uint32_t k = 0; k < w[i].n; k++)
			h->edge[k] = w[i].edge[w[i].n - 1 - k];
	}
out:
	free(w);
	free(found);
	free(srcs);
	return rc;
}

/* A growing string for ct_top_held_text(). */
static const char *label_of(const struct ct_graph *g, uint32_t e)
{
	return ct_graph_str(g, ct_graph_label(g, e));
}

/* Is s "['key']"?  Then the key's bytes. */
static bool dict_key(const char *s, const char **key, size_t *n)
{
	size_t len = strlen(s);

	if (len < 5 || strncmp(s, "['", 2) != 0 || strcmp(s + len - 2, "']") != 0)
		return false;
	*key = s + 2;
	*n = len - 4;
	return true;
}

int ct_top_held_text(const struct ct_top *t, uint32_t i, char **text, struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	const struct ct_top_held *h = &t->held[i];
	struct ct_buf b = {0};
	char node[CT_PRESENT_NODE_MAX];

	*text = NULL;
	if (h->holder == CT_NONE) {
		/* Nothing in the dump refers to it: a root, whose kind the
		 * dump may say (HPROF: "root: thread main stack frame"). */
		uint32_t note = ct_graph_root_note(g, t->nodes[i]);
		if (!note)
			return 0;
		ct_buf_puts(&b, "root: ");
		ct_buf_puts(&b, ct_graph_str(g, note));
		goto out;
	}
	bool bare = global_object(g, h->holder);
	if (!bare) {
		ct_present_node(g, h->holder, node, sizeof(node));
		ct_buf_put(&b, node, strlen(node));
	}
	for (uint32_t k = 0; k < h->n; k++) {
		const char *l = label_of(g, h->edge[k]), *key;
		size_t n;
		if (!*l)
			continue;
		if (k == 0 && !bare)
			ct_buf_put(&b, " ", 1);
		/* module .__dict__ ['x'] and Foo .__dict__ ['x'] read .x */
		if (strcmp(l, ".__dict__") == 0 && k + 1 < h->n &&
		    dict_key(label_of(g, h->edge[k + 1]), &key, &n)) {
			if (b.len)
				ct_buf_put(&b, ".", 1);
			ct_buf_put(&b, key, n);
			k++;
			continue;
		}
		if (b.len == 0 && l[0] == '.')
			l++;
		ct_buf_put(&b, l, strlen(l));
	}
	if (b.len == 0) {
		ct_present_node(g, h->holder, node, sizeof(node));
		ct_buf_put(&b, node, strlen(node));
	}
out:
	if (b.failed) {
		free(b.p);
		return ct_error_nomem(err);
	}
	*text = b.p;
	return 0;
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

/* Rank the max listable nodes of greatest retained size into t->nodes
 * (room for max + 1), best first; t->n gets how many there were. */
static void rank(struct ct_top *t, uint32_t max)
{
	const struct ct_graph *g = t->g;
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
	 * then fold away dominators no bigger than their listed children;
	 * rank twice as many while fewer than max survive. */
	uint32_t want = max, cand = max;
	bool fold = ct_top_numeric_ids(g);
	if (fold && cand < CT_TOP_MEMLAB_CANDIDATES)
		cand = CT_TOP_MEMLAB_CANDIDATES;
	for (;;) {
		if (cand > t->dom.n_reached)
			cand = t->dom.n_reached;
		ct_mem_free(t->nodes);
		t->nodes = ct_mem_alloc(((size_t)cand + 1) * sizeof(*t->nodes));
		if (!t->nodes) {
			rc = ct_error_nomem(err);
			goto out;
		}
		rank(t, cand);
		t->ranked = t->n;
		if (!fold)
			break;
		if ((rc = fold_dominators(t, err)))
			goto out;
		/* Fewer ranked than asked for: every listable node was. */
		if (t->n >= want || t->ranked < cand || cand >= t->dom.n_reached)
			break;
		cand = cand > UINT32_MAX / 2 ? UINT32_MAX - 1 : 2 * cand;
	}
	if (t->n > want)
		t->n = want;
	rc = held_by(t, err);
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
	free(t->held);
	memset(t, 0, sizeof(*t));
}
