/* The JSON and NDJSON writers of `scan`, streamed through jsonw.h. */
#include <string.h>

#include "jsonw.h"
#include "present.h"
#include "write.h"

static void id_json(struct ct_jsonw *w, const struct ct_graph *g, uint32_t v)
{
	char id[CT_PRESENT_ID_MAX];

	ct_present_id(g, v, id);
	ct_jsonw_string(w, id);
}

/* A step of a cycle or path: the node, and the label of the edge leaving it. */
static void step_json(struct ct_jsonw *w, const struct ct_graph *g, uint32_t v, uint32_t e)
{
	ct_jsonw_object(w);
	ct_jsonw_key(w, "address");
	id_json(w, g, v);
	ct_jsonw_kstring(w, "type", ct_graph_str(g, g->type[v]));
	uint32_t value = ct_graph_value(g, v);
	if (value)
		ct_jsonw_kstring(w, "value", ct_graph_str(g, value));
	if (g->site && g->site[v])
		ct_jsonw_kstring(w, "site", ct_graph_str(g, g->site[v]));
	if (e != CT_NONE) {
		ct_jsonw_key(w, "label");
		if (g->label[e])
			ct_jsonw_string(w, ct_graph_str(g, g->label[e]));
		else
			ct_jsonw_null(w);
	}
	ct_jsonw_end(w);
}

static void steps_json(struct ct_jsonw *w, const struct ct_graph *g, const uint32_t *nodes,
		       const uint32_t *edges, uint32_t len)
{
	ct_jsonw_array(w);
	for (uint32_t i = 0; i < len; i++)
		step_json(w, g, nodes[i], edges[i]);
	ct_jsonw_end(w);
}

/* "sites": {"file:line": members allocated there}, when the dump has
 * allocation sites (members without one are left out).  Counted in a
 * small table: an SCC has few sites; past SITES_MAX the rest go
 * uncounted (the table says so with "...": n). */
#define SITES_MAX 64
static void sites_json(struct ct_jsonw *w, const struct ct_report *r,
		       const struct ct_report_scc *e)
{
	const struct ct_graph *g = r->g;
	const struct ct_scc *s = &r->scc;
	uint32_t site[SITES_MAX], count[SITES_MAX], n = 0, other = 0;

	for (uint32_t k = s->member_off[e->comp]; k < s->member_off[e->comp + 1]; k++) {
		uint32_t id = g->site[s->members[k]], i;
		if (!id)
			continue;
		for (i = 0; i < n && site[i] != id; i++)
			;
		if (i < n) {
			count[i]++;
		} else if (n < SITES_MAX) {
			site[n] = id;
			count[n++] = 1;
		} else {
			other++;
		}
	}
	ct_jsonw_key(w, "sites");
	ct_jsonw_object(w);
	for (uint32_t i = 0; i < n; i++)
		ct_jsonw_ku64(w, ct_graph_str(g, site[i]), count[i]);
	if (other)
		ct_jsonw_ku64(w, "...", other);
	ct_jsonw_end(w);
}

static void scc_json(struct ct_jsonw *w, const struct ct_report *r,
		     const struct ct_report_scc *e, bool members)
{
	const struct ct_graph *g = r->g;

	ct_jsonw_object(w);
	ct_jsonw_ku64(w, "id", e->id);
	ct_jsonw_ku64(w, "size", e->size);
	ct_jsonw_ku64(w, "bytes", e->bytes);
	ct_jsonw_kbool(w, "garbage", e->garbage);
	ct_jsonw_kbool(w, "finalizers", e->finalizers);
	ct_jsonw_kbool(w, "runtime", e->runtime);
	ct_jsonw_kstring(w, "signature", ct_report_signature(r, &r->groups[e->group]));
	ct_jsonw_ku64(w, "group", (uint64_t)e->group + 1);
	/* Type names are interned: one key per distinct name. */
	ct_jsonw_key(w, "types");
	ct_jsonw_object(w);
	for (uint32_t i = 0; i < e->types_len; i++) {
		const struct ct_type_count *t = &r->types[e->types_off + i];
		ct_jsonw_ku64(w, ct_graph_str(g, t->type), t->count);
	}
	ct_jsonw_end(w);
	if (g->site)
		sites_json(w, r, e);
	ct_jsonw_key(w, "cycle");
	steps_json(w, g, r->cyc_nodes + e->cycle_off, r->cyc_edges + e->cycle_off, e->cycle_len);
	if (!e->garbage) {
		/* Long paths are cut in the middle as the text report cuts
		 * them: path_omitted steps left out after the first
		 * CT_PRESENT_CHAIN_HEAD (output stays linear in the dump's
		 * size however many components a long chain holds). */
		uint32_t pn[CT_PRESENT_CHAIN_STEPS], pe[CT_PRESENT_CHAIN_STEPS], omitted;
		uint32_t len = ct_report_path(r, e, CT_PRESENT_CHAIN_HEAD,
					      CT_PRESENT_CHAIN_STEPS - CT_PRESENT_CHAIN_HEAD, pn, pe,
					      &omitted);
		ct_jsonw_key(w, "path");
		steps_json(w, g, pn, pe, len);
		ct_jsonw_ku64(w, "path_length", e->path_len);
		if (omitted)
			ct_jsonw_ku64(w, "path_omitted", omitted);
	}
	if (members) {
		const struct ct_scc *s = &r->scc;
		ct_jsonw_key(w, "members");
		ct_jsonw_array(w);
		for (uint32_t k = s->member_off[e->comp]; k < s->member_off[e->comp + 1]; k++)
			id_json(w, g, s->members[k]);
		ct_jsonw_end(w);
	}
	ct_jsonw_end(w);
}

static void summary_json(struct ct_jsonw *w, const struct ct_report *r)
{
	const struct ct_report_summary *s = &r->summary;

	ct_jsonw_object(w);
	ct_jsonw_ku64(w, "objects", s->objects);
	ct_jsonw_ku64(w, "references", s->references);
	ct_jsonw_ku64(w, "dangling_references", s->dangling);
	ct_jsonw_ku64(w, "tracked", s->tracked);
	ct_jsonw_ku64(w, "roots", s->roots);
	ct_jsonw_ku64(w, "garbage_objects", s->garbage_objects);
	ct_jsonw_ku64(w, "garbage_bytes", s->garbage_bytes);
	ct_jsonw_ku64(w, "cyclic_sccs", s->cyclic_sccs);
	ct_jsonw_ku64(w, "garbage_sccs", s->garbage_sccs);
	ct_jsonw_ku64(w, "cyclic_objects", s->cyclic_objects);
	ct_jsonw_ku64(w, "cyclic_bytes", s->cyclic_bytes);
	ct_jsonw_ku64(w, "overcounted", s->overcounted);
	ct_jsonw_kstring(w, "reachability", ct_present_reachability(s->reachability));
	ct_jsonw_kstring(w, "graph", s->full_graph ? "full" : "application");
	ct_jsonw_ku64(w, "runtime_references", s->runtime_references);
	ct_jsonw_ku64(w, "runtime_sccs", s->runtime_sccs);
	ct_jsonw_ku64(w, "runtime_objects", s->runtime_objects);
	ct_jsonw_ku64(w, "runtime_bytes", s->runtime_bytes);
	ct_jsonw_end(w);
}

static void group_json(struct ct_jsonw *w, const struct ct_report *r,
		       const struct ct_report_group *grp)
{
	ct_jsonw_object(w);
	ct_jsonw_ku64(w, "group", (uint64_t)(grp - r->groups) + 1);
	ct_jsonw_kstring(w, "signature", ct_report_signature(r, grp));
	ct_jsonw_ku64(w, "count", grp->count);
	ct_jsonw_ku64(w, "garbage", grp->n_garbage);
	ct_jsonw_ku64(w, "alive", grp->count - grp->n_garbage);
	ct_jsonw_ku64(w, "objects", grp->objects);
	ct_jsonw_ku64(w, "bytes", grp->bytes);
	ct_jsonw_ku64(w, "min_size", grp->min_size);
	ct_jsonw_ku64(w, "max_size", grp->max_size);
	ct_jsonw_kbool(w, "finalizers", grp->finalizers);
	ct_jsonw_kbool(w, "runtime", grp->runtime);
	ct_jsonw_ku64(w, "representative", r->sccs[grp->first].id);
	ct_jsonw_end(w);
}

int ct_write_json(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	struct ct_jsonw w;

	ct_jsonw_init(&w, out);
	ct_jsonw_object(&w);
	ct_write_head_json(&w, g, o);
	ct_jsonw_key(&w, "summary");
	summary_json(&w, r);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "groups");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < r->n_groups && !w.failed; i++) {
		ct_jsonw_newline(&w);
		group_json(&w, r, &r->groups[i]);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	ct_jsonw_key(&w, "sccs");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < r->n_sccs && !w.failed; i++) {
		ct_jsonw_newline(&w);
		scc_json(&w, r, &r->sccs[i], o->members);
	}
	ct_jsonw_end(&w);
	if (o->members) {
		ct_jsonw_newline(&w);
		ct_jsonw_key(&w, "garbage");
		ct_jsonw_array(&w);
		for (uint32_t v = 0; v < g->n_nodes && !w.failed; v++)
			if (ct_reach_is_garbage(g, &r->reach, v))
				id_json(&w, g, v);
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	return ct_jsonw_finish(&w, err);
}

int ct_write_ndjson(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		    struct ct_error *err)
{
	struct ct_jsonw w;

	ct_jsonw_init(&w, out);
	for (uint32_t i = 0; i < r->n_sccs && !w.failed; i++) {
		scc_json(&w, r, &r->sccs[i], o->members);
		ct_jsonw_newline(&w);
	}
	return ct_jsonw_finish(&w, err);
}
