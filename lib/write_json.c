/* JSON and NDJSON writers.  Each component is built as a small cJSON
 * tree and printed at once, so output streams however many there are. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write.h"

void ct_format_addr(const struct ct_graph *g, uint64_t addr, char *buf, size_t n)
{
	if (g->numeric_ids)
		snprintf(buf, n, "@%" PRIu64, addr);
	else
		snprintf(buf, n, "0x%" PRIx64, addr);
}

/* Add an exact integer member (cJSON numbers are doubles: inexact past 2^53). */
static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	cJSON_AddRawToObject(o, key, buf);
}

static cJSON *addr_json(const struct ct_graph *g, uint32_t v)
{
	char buf[32];

	ct_format_addr(g, g->addr[v], buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

/* A step of a cycle or path: the node, and the label of the edge leaving it. */
static cJSON *step_json(const struct ct_graph *g, uint32_t v, uint32_t e)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddItemToObject(o, "address", addr_json(g, v));
	cJSON_AddStringToObject(o, "type", ct_graph_str(g, g->type[v]));
	if (g->value[v])
		cJSON_AddStringToObject(o, "value", ct_graph_str(g, g->value[v]));
	if (e != CT_NONE) {
		if (g->label[e])
			cJSON_AddStringToObject(o, "label", ct_graph_str(g, g->label[e]));
		else
			cJSON_AddNullToObject(o, "label");
	}
	return o;
}

static cJSON *scc_json(const struct ct_report *r, const struct ct_report_scc *e, bool members)
{
	const struct ct_graph *g = r->g;
	cJSON *o = cJSON_CreateObject();
	cJSON *a;

	if (!o)
		return NULL;
	add_u64(o, "id", e->id);
	add_u64(o, "size", e->size);
	add_u64(o, "bytes", e->bytes);
	cJSON_AddBoolToObject(o, "garbage", e->garbage);
	cJSON_AddBoolToObject(o, "finalizers", e->finalizers);
	cJSON_AddStringToObject(o, "signature", ct_report_signature(r, &r->groups[e->group]));
	add_u64(o, "group", e->group + 1);
	a = cJSON_AddObjectToObject(o, "types");
	for (uint32_t i = 0; a && i < e->types_len; i++) {
		const struct ct_type_count *t = &r->types[e->types_off + i];
		add_u64(a, ct_graph_str(g, t->type), t->count);
	}
	a = cJSON_AddArrayToObject(o, "cycle");
	for (uint32_t i = 0; a && i < e->cycle_len; i++)
		cJSON_AddItemToArray(a, step_json(g, r->cyc_nodes[e->cycle_off + i],
						  r->cyc_edges[e->cycle_off + i]));
	if (!e->garbage) {
		a = cJSON_AddArrayToObject(o, "path");
		for (uint32_t i = 0; a && i < e->path_len; i++)
			cJSON_AddItemToArray(a, step_json(g, r->path_nodes[e->path_off + i],
							  r->path_edges[e->path_off + i]));
	}
	if (members) {
		const struct ct_scc *s = &r->scc;
		a = cJSON_AddArrayToObject(o, "members");
		for (uint32_t k = s->member_off[e->comp]; a && k < s->member_off[e->comp + 1]; k++)
			cJSON_AddItemToArray(a, addr_json(g, s->members[k]));
	}
	return o;
}

static cJSON *summary_json(const struct ct_report *r)
{
	const struct ct_report_summary *s = &r->summary;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_u64(o, "objects", s->objects);
	add_u64(o, "references", s->references);
	add_u64(o, "dangling_references", s->dangling);
	add_u64(o, "tracked", s->tracked);
	add_u64(o, "roots", s->roots);
	add_u64(o, "garbage_objects", s->garbage_objects);
	add_u64(o, "garbage_bytes", s->garbage_bytes);
	add_u64(o, "cyclic_sccs", s->cyclic_sccs);
	add_u64(o, "garbage_sccs", s->garbage_sccs);
	add_u64(o, "cyclic_objects", s->cyclic_objects);
	add_u64(o, "cyclic_bytes", s->cyclic_bytes);
	add_u64(o, "overcounted", s->overcounted);
	cJSON_AddStringToObject(o, "reachability",
				s->reachability == CT_REACH_REFCOUNT ? "refcount" :
				s->reachability == CT_REACH_ROOTS ? "roots" : "estimated");
	return o;
}

static cJSON *group_json(const struct ct_report *r, const struct ct_report_group *grp)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_u64(o, "group", (uint64_t)(grp - r->groups) + 1);
	cJSON_AddStringToObject(o, "signature", ct_report_signature(r, grp));
	add_u64(o, "count", grp->count);
	add_u64(o, "garbage", grp->n_garbage);
	add_u64(o, "alive", grp->count - grp->n_garbage);
	add_u64(o, "objects", grp->objects);
	add_u64(o, "bytes", grp->bytes);
	add_u64(o, "min_size", grp->min_size);
	add_u64(o, "max_size", grp->max_size);
	cJSON_AddBoolToObject(o, "finalizers", grp->finalizers);
	add_u64(o, "representative", r->sccs[grp->first].id);
	return o;
}

/* Print item (consumed) followed by suffix; CT_EIO or CT_ENOMEM on failure. */
static int emit(FILE *out, cJSON *item, const char *suffix, struct ct_error *err)
{
	if (!item)
		return ct_error_nomem(err);
	char *s = cJSON_PrintUnformatted(item);
	cJSON_Delete(item);
	if (!s)
		return ct_error_nomem(err);
	int bad = fputs(s, out) < 0 || fputs(suffix, out) < 0;
	cJSON_free(s);
	return bad ? ct_error_set(err, CT_EIO, "write error") : 0;
}

static int put(FILE *out, const char *s, struct ct_error *err)
{
	return fputs(s, out) < 0 ? ct_error_set(err, CT_EIO, "write error") : 0;
}

int ct_write_json(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	cJSON *head = cJSON_CreateObject();
	int rc;

	if (!head)
		return ct_error_nomem(err);
	cJSON_AddStringToObject(head, "file", o->name ? o->name : "-");
	cJSON_AddStringToObject(head, "format", g->format ? g->format : "");
	cJSON_AddItemToObject(head, "summary", summary_json(r));
	/* Print the head without its closing brace, then stream the arrays. */
	char *s = cJSON_PrintUnformatted(head);
	cJSON_Delete(head);
	if (!s)
		return ct_error_nomem(err);
	s[strlen(s) - 1] = '\0';
	rc = put(out, s, err);
	cJSON_free(s);
	if (rc || (rc = put(out, ",\n\"groups\":[", err)))
		return rc;
	for (uint32_t i = 0; i < r->n_groups; i++)
		if ((rc = emit(out, group_json(r, &r->groups[i]),
			       i + 1 < r->n_groups ? ",\n" : "", err)))
			return rc;
	if ((rc = put(out, "],\n\"sccs\":[", err)))
		return rc;
	for (uint32_t i = 0; i < r->n_sccs; i++)
		if ((rc = emit(out, scc_json(r, &r->sccs[i], o->members),
			       i + 1 < r->n_sccs ? ",\n" : "", err)))
			return rc;
	if ((rc = put(out, "]", err)))
		return rc;
	if (o->members) {
		if ((rc = put(out, ",\n\"garbage\":[", err)))
			return rc;
		bool first = true;
		for (uint32_t v = 0; v < g->n_nodes; v++) {
			if (!ct_reach_is_garbage(g, &r->reach, v))
				continue;
			char buf[32];
			ct_format_addr(g, g->addr[v], buf, sizeof(buf));
			if (fprintf(out, "%s\"%s\"", first ? "" : ",", buf) < 0)
				return ct_error_set(err, CT_EIO, "write error");
			first = false;
		}
		if ((rc = put(out, "]", err)))
			return rc;
	}
	return put(out, "}\n", err);
}

int ct_write_ndjson(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		    struct ct_error *err)
{
	int rc;

	for (uint32_t i = 0; i < r->n_sccs; i++)
		if ((rc = emit(out, scc_json(r, &r->sccs[i], o->members), "\n", err)))
			return rc;
	return 0;
}
