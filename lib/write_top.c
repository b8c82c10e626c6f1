/* Writers for `top` and `path` (declared in top.h). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <string.h>

#include "top.h"
#include "write.h"

#define ARROW " \xe2\x86\x92 "
#define NAME_MAX_BYTES 60

static int status(FILE *out, struct ct_error *err)
{
	return ferror(out) ? ct_error_set(err, CT_EIO, "write error") : 0;
}

/* The name a person knows the object by: "0x7f…" or "@123" (V8). */
static void id_text(const struct ct_graph *g, uint32_t v, char *buf, size_t n)
{
	ct_format_addr(g, g->addr[v], buf, n);
}

/* The id for scripts: the node id as a number (V8), else "0x…". */
static cJSON *id_json(const struct ct_graph *g, uint32_t v)
{
	char buf[32];

	if (ct_top_numeric_ids(g)) {
		snprintf(buf, sizeof(buf), "%" PRIu64, g->addr[v]);
		return cJSON_CreateRaw(buf);
	}
	ct_format_addr(g, g->addr[v], buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	cJSON_AddRawToObject(o, key, buf);
}

/* The node's name or short value, unless it only repeats the type (V8
 * objects are named by their constructor); NULL if none. */
static const char *name_of(const struct ct_graph *g, uint32_t v)
{
	if (!g->value[v])
		return NULL;
	const char *name = ct_graph_str(g, g->value[v]);
	return strcmp(name, ct_graph_str(g, g->type[v])) == 0 ? NULL : name;
}

/* s with control characters as '?', cut on a UTF-8 boundary after max
 * bytes (then ending in "…"). */
static void put_clean(FILE *out, const char *s, size_t max)
{
	size_t i = 0;

	for (; s[i] && i < max; i++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], out);
	if (!s[i])
		return;
	/* Finish a multi-byte character begun before the cut. */
	for (; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
		fputc(s[i], out);
	if (s[i])
		fputs("\xe2\x80\xa6", out);
}

/* One node as people read it in a chain: "Foo", "module(app)", and for
 * V8's synthetic nodes just the name: "(GC roots)". */
static void node_text(FILE *out, const struct ct_graph *g, uint32_t v)
{
	const char *type = ct_graph_str(g, g->type[v]), *name = name_of(g, v);

	if (name && strcmp(type, "(synthetic)") == 0) {
		put_clean(out, name, NAME_MAX_BYTES);
		return;
	}
	put_clean(out, type, NAME_MAX_BYTES);
	if (name) {
		fputc('(', out);
		put_clean(out, name, NAME_MAX_BYTES);
		fputc(')', out);
	}
}

/* Characters (code points) in a UTF-8 string, for padding. */
static int width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char *reach_note(const struct ct_graph *g, const struct ct_reach *r)
{
	(void)g;
	return r->mode == CT_REACH_INDEGREE ?
	       " (estimated: the dump has no reference counts)" : "";
}

int ct_top_write_text(FILE *out, const struct ct_top *t, const struct ct_top_write_opts *o,
		      struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	const char *bold = o->color ? "\033[1m" : "", *off = o->color ? "\033[0m" : "";
	char b1[32], b2[32];

	ct_format_bytes(t->dom.reached_bytes, b1, sizeof(b1));
	fprintf(out, "%s%s%s: %" PRIu32 " objects, %" PRIu32 " reachable from %" PRIu64
		" root%s (%s)%s\n", bold, o->name ? o->name : "-", off, g->n_nodes,
		t->dom.n_reached, t->reach.n_roots, t->reach.n_roots == 1 ? "" : "s", b1,
		reach_note(g, &t->reach));
	if (t->n == 0) {
		fputs("no reachable objects\n", out);
		return status(out, err);
	}
	int wid = 2, wtype = 4, wobj = 7;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t v = t->nodes[i];
		id_text(g, v, b1, sizeof(b1));
		int k = (int)strlen(b1);
		wid = k > wid ? k : wid;
		k = width(ct_graph_str(g, g->type[v]));
		k = k > 30 ? 30 : k;
		wtype = k > wtype ? k : wtype;
		k = snprintf(b1, sizeof(b1), "%" PRIu32, t->dom.retained_objects[v]);
		wobj = k > wobj ? k : wobj;
	}
	fprintf(out, "\n%s%-*s  %-*s  %10s  %10s  %*s  %s%s\n", bold, wid, "ID", wtype, "TYPE",
		"SELF", "RETAINED", wobj, "OBJECTS", "NAME", off);
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t v = t->nodes[i];
		const char *type = ct_graph_str(g, g->type[v]), *name = name_of(g, v);
		id_text(g, v, b1, sizeof(b1));
		fprintf(out, "%-*s  ", wid, b1);
		put_clean(out, type, 60);
		int pad = wtype - width(type);
		fprintf(out, "%*s  ", pad > 0 ? pad : 0, "");
		ct_format_bytes(g->size[v], b1, sizeof(b1));
		ct_format_bytes(t->dom.retained[v], b2, sizeof(b2));
		fprintf(out, "%10s  %10s  %*" PRIu32, b1, b2, wobj, t->dom.retained_objects[v]);
		if (name) {
			fputs("  ", out);
			put_clean(out, name, NAME_MAX_BYTES);
		}
		fputc('\n', out);
	}
	return status(out, err);
}

/* Print item (consumed) and a newline; CT_EIO or CT_ENOMEM on failure. */
static int emit(FILE *out, cJSON *item, struct ct_error *err)
{
	if (!item)
		return ct_error_nomem(err);
	char *s = cJSON_PrintUnformatted(item);
	cJSON_Delete(item);
	if (!s)
		return ct_error_nomem(err);
	int bad = fputs(s, out) < 0 || fputc('\n', out) == EOF;
	cJSON_free(s);
	return bad ? ct_error_set(err, CT_EIO, "write error") : 0;
}

static void add_head(cJSON *o, const struct ct_graph *g, const struct ct_top_write_opts *opts)
{
	cJSON_AddStringToObject(o, "file", opts->name ? opts->name : "-");
	cJSON_AddStringToObject(o, "format", g->format ? g->format : "");
}

static void add_node(cJSON *o, const struct ct_graph *g, uint32_t v)
{
	const char *name = g->value[v] ? ct_graph_str(g, g->value[v]) : NULL;

	cJSON_AddItemToObject(o, "id", id_json(g, v));
	cJSON_AddStringToObject(o, "type", ct_graph_str(g, g->type[v]));
	if (name)
		cJSON_AddStringToObject(o, "name", name);
	else
		cJSON_AddNullToObject(o, "name");
}

int ct_top_write_json(FILE *out, const struct ct_top *t, const struct ct_top_write_opts *o,
		      struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	cJSON *doc = cJSON_CreateObject(), *s, *a;

	if (!doc)
		return ct_error_nomem(err);
	add_head(doc, g, o);
	s = cJSON_AddObjectToObject(doc, "summary");
	if (s) {
		add_u64(s, "objects", g->n_nodes);
		add_u64(s, "roots", t->reach.n_roots);
		add_u64(s, "reachable_objects", t->dom.n_reached);
		add_u64(s, "reachable_bytes", t->dom.reached_bytes);
		cJSON_AddStringToObject(s, "reachability",
					t->reach.mode == CT_REACH_REFCOUNT ? "refcount" :
					t->reach.mode == CT_REACH_ROOTS ? "roots" : "estimated");
	}
	a = cJSON_AddArrayToObject(doc, "objects");
	for (uint32_t i = 0; a && i < t->n; i++) {
		uint32_t v = t->nodes[i], d = t->dom.idom[v];
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		add_node(e, g, v);
		add_u64(e, "self_size", g->size[v]);
		add_u64(e, "retained", t->dom.retained[v]);
		add_u64(e, "retained_objects", t->dom.retained_objects[v]);
		if (d == CT_DOM_SUPER)
			cJSON_AddNullToObject(e, "dominator");
		else
			cJSON_AddItemToObject(e, "dominator", id_json(g, d));
		cJSON_AddItemToArray(a, e);
	}
	return emit(out, doc, err);
}

int ct_path_write_text(FILE *out, const struct ct_path *p, const struct ct_top_write_opts *o,
		       struct ct_error *err)
{
	const struct ct_graph *g = p->g;
	const char *dim = o->color ? "\033[2m" : "", *off = o->color ? "\033[0m" : "";
	char b1[32];

	id_text(g, p->target, b1, sizeof(b1));
	if (p->len == 0) {
		fprintf(out, "%s ", b1);
		node_text(out, g, p->target);
		fprintf(out, " is not reachable from any root%s\n",
			ct_reach_is_garbage(g, &p->reach, p->target) ?
			": it is garbage" : reach_note(g, &p->reach));
		return status(out, err);
	}
	for (uint32_t i = 0; i < p->len; i++) {
		node_text(out, g, p->nodes[i]);
		uint32_t e = p->edges[i];
		if (e == CT_NONE)
			break;
		if (g->label[e]) {
			fputc(' ', out);
			put_clean(out, ct_graph_str(g, g->label[e]), NAME_MAX_BYTES);
		}
		fputs(ARROW, out);
	}
	fputc('\n', out);
	int wid = 2;
	for (uint32_t i = 0; i < p->len; i++) {
		id_text(g, p->nodes[i], b1, sizeof(b1));
		wid = (int)strlen(b1) > wid ? (int)strlen(b1) : wid;
	}
	/* One line per object, with the reference leaving it. */
	for (uint32_t i = 0; i < p->len; i++) {
		uint32_t v = p->nodes[i], e = p->edges[i];
		id_text(g, v, b1, sizeof(b1));
		fprintf(out, "  %-*s  ", wid, b1);
		node_text(out, g, v);
		if (e != CT_NONE && g->label[e]) {
			fputc(' ', out);
			put_clean(out, ct_graph_str(g, g->label[e]), NAME_MAX_BYTES);
		}
		fputs(e != CT_NONE ? " \xe2\x86\x92\n" : "\n", out);
	}
	id_text(g, p->nodes[0], b1, sizeof(b1));
	fprintf(out, "%s%s %s%s\n", dim, b1,
		p->reach.mode == CT_REACH_REFCOUNT ? "is referenced from outside the dump" :
		p->reach.mode == CT_REACH_ROOTS ? "is a root of the snapshot" :
		"has no referrer in the dump (taken as a root)", off);
	return status(out, err);
}

int ct_path_write_json(FILE *out, const struct ct_path *p, const struct ct_top_write_opts *o,
		       struct ct_error *err)
{
	const struct ct_graph *g = p->g;
	cJSON *doc = cJSON_CreateObject(), *a;

	if (!doc)
		return ct_error_nomem(err);
	add_head(doc, g, o);
	add_node(doc, g, p->target);
	cJSON_AddBoolToObject(doc, "reachable", p->len > 0);
	cJSON_AddBoolToObject(doc, "garbage", ct_reach_is_garbage(g, &p->reach, p->target));
	a = cJSON_AddArrayToObject(doc, "path");
	for (uint32_t i = 0; a && i < p->len; i++) {
		uint32_t v = p->nodes[i], e = p->edges[i];
		cJSON *s = cJSON_CreateObject();
		if (!s)
			break;
		add_node(s, g, v);
		if (e != CT_NONE && g->label[e])
			cJSON_AddStringToObject(s, "label", ct_graph_str(g, g->label[e]));
		else if (e != CT_NONE)
			cJSON_AddNullToObject(s, "label");
		cJSON_AddItemToArray(a, s);
	}
	return emit(out, doc, err);
}
