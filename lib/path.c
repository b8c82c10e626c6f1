/* A retainer path (`path`): from a user-level root when one reaches the
 * object, else the true shortest from the reachability the analyses
 * compute (lib/path.h says the rule). */
#include "path.h"

#include <inttypes.h>
#include <string.h>

#include "mem.h"
#include "runtime.h"

/* Per node state of the user-level search. */
enum { UNSEEN = 0, SETTLED = 1, NEXT = 2 };

static bool format_is(const struct ct_graph *g, const char *name)
{
	return g->format && strcmp(g->format, name) == 0;
}

static bool python_like(const struct ct_graph *g)
{
	return format_is(g, "python") || format_is(g, "meliae");
}

static bool type_is(const struct ct_graph *g, uint32_t v, const char *type)
{
	return strcmp(ct_graph_str(g, g->type[v]), type) == 0;
}

/* The user-level kind of node v, or CT_PATH_ROOT_NONE.  For V8, v must
 * be the target of a reference from a root (the caller knows). */
static enum ct_path_root_kind user_kind(const struct ct_graph *g, uint32_t v)
{
	if (python_like(g))
		return type_is(g, v, "module") ? CT_PATH_ROOT_MODULE :
		       type_is(g, v, "frame") ? CT_PATH_ROOT_FRAME : CT_PATH_ROOT_NONE;
	if (format_is(g, "v8") && !(g->flags[v] & CT_NODE_ROOT) && !type_is(g, v, "(synthetic)"))
		return CT_PATH_ROOT_GLOBAL;
	return CT_PATH_ROOT_NONE;
}

const char *ct_path_root_kind_name(enum ct_path_root_kind k)
{
	switch (k) {
	case CT_PATH_ROOT_GLOBAL: return "global";
	case CT_PATH_ROOT_MODULE: return "module";
	case CT_PATH_ROOT_FRAME: return "frame";
	case CT_PATH_ROOT_GC_ROOTS: return "gc-roots";
	case CT_PATH_ROOT_SYNTHETIC: return "synthetic";
	case CT_PATH_ROOT_FLAGGED: return "flagged";
	case CT_PATH_ROOT_REFCOUNT: return "refcount";
	case CT_PATH_ROOT_UNREFERENCED: return "unreferenced";
	case CT_PATH_ROOT_NONE: break;
	}
	return "none";
}

/* The node whose out-edges hold edge e (the last v with out_off[v] <= e). */
static uint32_t edge_source(const struct ct_graph *g, uint32_t e)
{
	uint32_t lo = 0, hi = g->n_nodes;   /* out_off[lo] <= e < out_off[hi] */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->out_off[mid] <= e)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Put the user-level roots of g that r says are alive into
 * queue[] (marking them SETTLED); returns how many. */
static uint32_t seed(const struct ct_graph *g, const struct ct_reach *r, uint8_t *state,
		     uint32_t *queue)
{
	uint32_t n = 0;

	if (python_like(g)) {
		for (uint32_t v = 0; v < g->n_nodes; v++) {
			if (r->alive[v] && user_kind(g, v) != CT_PATH_ROOT_NONE) {
				state[v] = SETTLED;
				queue[n++] = v;
			}
		}
	} else if (format_is(g, "v8")) {
		for (uint32_t s = 0; s < g->n_nodes; s++) {
			if (!(g->flags[s] & CT_NODE_ROOT))
				continue;
			for (uint32_t e = g->out_off[s]; e < g->out_off[s + 1]; e++) {
				uint32_t w = g->dst[e];
				if (ct_edge_counts_from(g, s, e) && !state[w] && r->alive[w] &&
				    user_kind(g, w) != CT_PATH_ROOT_NONE) {
					state[w] = SETTLED;
					queue[n++] = w;
				}
			}
		}
	}
	return n;
}

/* Breadth-first search from every user-level root at once, layer by
 * layer: among the shortest routes the one with the fewest structural
 * references (a node in the next layer takes the cheapest of its parents
 * in this one).  Stops once target's layer is complete (CT_NONE: goes on
 * until every node those roots reach is settled).  via[] gets each
 * reached node's edge from its parent (CT_NONE for a root); queue[]
 * holds the reached nodes, parents before children; returns how many.
 * state[] must be zero. */
static uint32_t user_search(const struct ct_graph *g, const struct ct_reach *r,
			    const uint64_t *skip, uint32_t target, uint8_t *state,
			    uint8_t *cost, uint32_t *queue, uint32_t *via, uint64_t *n_roots)
{
	uint32_t tail = seed(g, r, state, queue), head = 0, layer_end = tail;

	*n_roots = tail;
	for (uint32_t i = 0; i < tail; i++) {
		cost[queue[i]] = 0;
		via[queue[i]] = CT_NONE;
	}
	while ((target == CT_NONE || state[target] != SETTLED) && head < tail) {
		if (head == layer_end) {   /* the next layer is final: it becomes this one */
			for (uint32_t i = layer_end; i < tail; i++)
				state[queue[i]] = SETTLED;
			layer_end = tail;
			continue;
		}
		uint32_t v = queue[head++];
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t w = g->dst[e];
			if (state[w] == SETTLED || !ct_edge_counts_from(g, v, e))
				continue;
			unsigned c = cost[v] + ct_runtime_skips(skip, e);
			c = c > UINT8_MAX ? UINT8_MAX : c;
			if (state[w] == UNSEEN) {
				state[w] = NEXT;
				queue[tail++] = w;
			} else if (c >= cost[w]) {
				continue;
			}
			cost[w] = (uint8_t)c;
			via[w] = e;
		}
	}
	for (uint32_t i = layer_end; i < tail; i++)
		state[queue[i]] = SETTLED;
	return tail;
}

/* The route to p->target by user_search(); p->len stays 0 when no
 * user-level root reaches the target. */
static int user_route(struct ct_path *p, struct ct_error *err)
{
	const struct ct_graph *g = p->g;
	size_t nn = g->n_nodes ? g->n_nodes : 1;
	uint8_t *state = ct_mem_zalloc(nn), *cost = ct_mem_alloc(nn);
	uint32_t *queue = ct_mem_alloc(nn * sizeof(*queue));
	uint32_t *via = ct_mem_alloc(nn * sizeof(*via));   /* edge from the parent */
	struct ct_runtime rt = {0};
	int rc = 0;

	if (!state || !cost || !queue || !via) {
		rc = ct_error_nomem(err);
		goto out;
	}
	if ((rc = ct_runtime_compute(&rt, g, &p->reach, err)))
		goto out;
	user_search(g, &p->reach, rt.skip, p->target, state, cost, queue, via, &p->n_user_roots);
	if (state[p->target] != SETTLED)
		goto out;
	uint32_t len = 1;
	for (uint32_t u = p->target; via[u] != CT_NONE; u = edge_source(g, via[u]))
		len++;
	p->nodes = ct_mem_alloc((size_t)len * sizeof(*p->nodes));
	p->edges = ct_mem_alloc((size_t)len * sizeof(*p->edges));
	if (!p->nodes || !p->edges) {
		rc = ct_error_nomem(err);
		goto out;
	}
	p->len = len;
	p->edges[len - 1] = CT_NONE;
	for (uint32_t u = p->target, i = len - 1;; i--) {
		p->nodes[i] = u;
		if (via[u] == CT_NONE)
			break;
		p->edges[i - 1] = via[u];
		u = edge_source(g, via[u]);
	}
	p->user_level = true;
out:
	ct_runtime_finish(&rt);
	ct_mem_free(state);
	ct_mem_free(cost);
	ct_mem_free(queue);
	ct_mem_free(via);
	return rc;
}

int ct_path_tree_build(struct ct_path_tree *t, const struct ct_graph *g, const struct ct_reach *r,
		       const uint64_t *skip, struct ct_error *err)
{
	size_t nn = g->n_nodes ? g->n_nodes : 1;
	uint8_t *state = ct_mem_zalloc(nn), *cost = ct_mem_alloc(nn);
	uint64_t n_roots;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->via = ct_mem_alloc(nn * sizeof(*t->via));
	t->parent = ct_mem_alloc(nn * sizeof(*t->parent));
	t->order = ct_mem_alloc(nn * sizeof(*t->order));
	if (!state || !cost || !t->via || !t->parent || !t->order) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t v = 0; v < g->n_nodes; v++)
		t->via[v] = t->parent[v] = CT_NONE;
	uint32_t n = user_search(g, r, skip, CT_NONE, state, cost, t->order, t->via, &n_roots);
	t->n_user = n;
	/* The rest from every other root: breadth-first into what the
	 * user-level roots did not reach. */
	uint32_t head = n;
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		if (r->root[v] && r->alive[v] && !state[v]) {
			state[v] = SETTLED;
			t->order[n++] = v;
		}
	}
	while (head < n) {
		uint32_t v = t->order[head++];
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t w = g->dst[e];
			if (state[w] || !ct_edge_counts_from(g, v, e))
				continue;
			state[w] = SETTLED;
			t->via[w] = e;
			t->order[n++] = w;
		}
	}
	t->n = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = t->order[i];
		if (t->via[v] != CT_NONE)
			t->parent[v] = edge_source(g, t->via[v]);
	}
out:
	ct_mem_free(state);
	ct_mem_free(cost);
	if (rc)
		ct_path_tree_finish(t);
	return rc;
}

void ct_path_tree_finish(struct ct_path_tree *t)
{
	if (!t)
		return;
	ct_mem_free(t->via);
	ct_mem_free(t->parent);
	ct_mem_free(t->order);
	memset(t, 0, sizeof(*t));
}

/* The true shortest route, from the reachability search. */
static int any_route(struct ct_path *p, struct ct_error *err)
{
	uint32_t len = ct_reach_path(&p->reach, p->target, NULL, NULL, 0);

	if (!len)
		return 0;
	p->nodes = ct_mem_alloc((size_t)len * sizeof(*p->nodes));
	p->edges = ct_mem_alloc((size_t)len * sizeof(*p->edges));
	if (!p->nodes || !p->edges)
		return ct_error_nomem(err);
	p->len = ct_reach_path(&p->reach, p->target, p->nodes, p->edges, len);
	p->edges[len - 1] = CT_NONE;
	return 0;
}

/* What kind of root the route starts at. */
static void classify(struct ct_path *p)
{
	const struct ct_graph *g = p->g;
	uint32_t first = p->nodes[0];

	p->root_via = first;
	if (p->user_level) {
		p->root_kind = user_kind(g, first);
		return;
	}
	if (g->flags[first] & CT_NODE_ROOT) {
		p->root_kind = CT_PATH_ROOT_FLAGGED;
		if (!format_is(g, "v8") || p->len < 2)
			return;
		uint32_t second = p->nodes[1];
		uint32_t value = ct_graph_value(g, second);
		const char *name = value ? ct_graph_str(g, value) : "";
		p->root_via = second;
		if ((p->root_kind = user_kind(g, second)) != CT_PATH_ROOT_NONE) {
			p->user_level = true;
		} else if (strcmp(name, "(GC roots)") == 0) {
			p->root_kind = CT_PATH_ROOT_GC_ROOTS;
			if (p->len > 2 && type_is(g, p->nodes[2], "(synthetic)"))
				p->root_via = p->nodes[2];
		} else {
			p->root_kind = CT_PATH_ROOT_SYNTHETIC;
		}
		return;
	}
	if (p->reach.alive[first] && (p->root_kind = user_kind(g, first)) != CT_PATH_ROOT_NONE) {
		p->user_level = true;
		return;
	}
	p->root_kind = p->reach.mode == CT_REACH_REFCOUNT ? CT_PATH_ROOT_REFCOUNT :
		       p->reach.mode == CT_REACH_INDEGREE ? CT_PATH_ROOT_UNREFERENCED :
		       CT_PATH_ROOT_FLAGGED;
}

int ct_path_build_mode(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		       enum ct_path_mode mode, struct ct_error *err)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->g = g;
	p->target = target;
	p->mode = mode;
	p->root_via = CT_NONE;
	if (target >= g->n_nodes)
		return ct_error_set(err, CT_EUSAGE, "no node %" PRIu32 " in the graph", target);
	if ((rc = ct_reach_compute(g, &p->reach, err)))
		goto out;
	/* Not needed here: its memory goes to the user-level search. */
	ct_mem_free(p->reach.dist);
	p->reach.dist = NULL;
	if (mode == CT_PATH_PREFER_USER && p->reach.alive[target] && (rc = user_route(p, err)))
		goto out;
	if (!p->user_level && (rc = any_route(p, err)))
		goto out;
	if (p->len)
		classify(p);
out:
	if (rc)
		ct_path_finish(p);
	return rc;
}

int ct_path_build(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		  struct ct_error *err)
{
	return ct_path_build_mode(p, g, target, CT_PATH_PREFER_USER, err);
}

void ct_path_finish(struct ct_path *p)
{
	if (!p)
		return;
	ct_reach_finish(&p->reach);
	ct_mem_free(p->nodes);
	ct_mem_free(p->edges);
	memset(p, 0, sizeof(*p));
	p->root_via = CT_NONE;
}
