/* A retainer path (`path`), from the reachability the analyses compute. */
#include "path.h"

#include <inttypes.h>
#include <string.h>

#include "mem.h"

int ct_path_build(struct ct_path *p, const struct ct_graph *g, uint32_t target,
		  struct ct_error *err)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->g = g;
	p->target = target;
	if (target >= g->n_nodes)
		return ct_error_set(err, CT_EUSAGE, "no node %" PRIu32 " in the graph", target);
	if ((rc = ct_reach_compute(g, &p->reach, err)))
		goto out;
	uint32_t len = ct_reach_path(&p->reach, target, NULL, NULL, 0);
	if (len) {
		p->nodes = ct_mem_alloc((size_t)len * sizeof(*p->nodes));
		p->edges = ct_mem_alloc((size_t)len * sizeof(*p->edges));
		if (!p->nodes || !p->edges) {
			rc = ct_error_nomem(err);
			goto out;
		}
		p->len = ct_reach_path(&p->reach, target, p->nodes, p->edges, len);
		p->edges[len - 1] = CT_NONE;
	}
out:
	if (rc)
		ct_path_finish(p);
	return rc;
}

void ct_path_finish(struct ct_path *p)
{
	if (!p)
		return;
	ct_reach_finish(&p->reach);
	ct_mem_free(p->nodes);
	ct_mem_free(p->edges);
	memset(p, 0, sizeof(*p));
}
