/* The writers of `top` (declared in write.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "present.h"
#include "write.h"

static int status(FILE *out, struct ct_error *err)
{
	return ferror(out) ? ct_error_set(err, CT_EIO, "write error") : 0;
}

/* Characters (code points) of text already made safe, for padding. */
static int width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

int ct_top_write_text(FILE *out, const struct ct_top *t, const struct ct_write_opts *o,
		      struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	const char *bold = o->color ? "\033[1m" : "", *off = o->color ? "\033[0m" : "";
	char b1[CT_PRESENT_BYTES_MAX], b2[CT_PRESENT_BYTES_MAX], id[CT_PRESENT_ID_MAX];
	char text[CT_PRESENT_NODE_MAX], num[24];

	ct_present_bytes(t->dom.reached_bytes, b1);
	fputs(bold, out);
	ct_present_put(out, o->name ? o->name : "-", SIZE_MAX);
	fprintf(out, "%s: %" PRIu32 " objects, %" PRIu32 " reachable from %" PRIu64
		" root%s (%s)%s\n", off, g->n_nodes, t->dom.n_reached, t->reach.n_roots,
		t->reach.n_roots == 1 ? "" : "s", b1, ct_present_estimated_note(t->reach.mode));
	if (t->n == 0) {
		fputs("no reachable objects\n", out);
		return status(out, err);
	}
	int wid = 2, wtype = 4, wobj = 7;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t v = t->nodes[i];
		ct_present_id(g, v, id);
		int k = (int)strlen(id);
		wid = k > wid ? k : wid;
		const char *type = ct_graph_str(g, g->type[v]);
		ct_present_text(text, sizeof(text), type, strlen(type), CT_PRESENT_NAME_BYTES);
		k = width(text);
		k = k > 30 ? 30 : k;
		wtype = k > wtype ? k : wtype;
		k = snprintf(num, sizeof(num), "%" PRIu32, t->dom.retained_objects[v]);
		wobj = k > wobj ? k : wobj;
	}
	fprintf(out, "\n%s%-*s  %-*s  %10s  %10s  %*s  %s%s\n", bold, wid, "ID", wtype, "TYPE",
		"SELF", "RETAINED", wobj, "OBJECTS", "NAME / HELD BY", off);
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t v = t->nodes[i];
		const char *type = ct_graph_str(g, g->type[v]), *name = ct_present_name(g, v);
		ct_present_id(g, v, id);
		ct_present_text(text, sizeof(text), type, strlen(type), CT_PRESENT_NAME_BYTES);
		int pad = wtype - width(text);
		fprintf(out, "%-*s  %s%*s  ", wid, id, text, pad > 0 ? pad : 0, "");
		ct_present_bytes(ct_graph_size(g, v), b1);
		ct_present_bytes(t->dom.retained[v], b2);
		fprintf(out, "%10s  %10s  %*" PRIu32, b1, b2, wobj, t->dom.retained_objects[v]);
		if (name) {
			fputs("  ", out);
			ct_present_put(out, name, CT_PRESENT_NAME_BYTES);
		} else {
			char *held;
			if (ct_top_held_text(t, i, &held, err))
				return CT_ENOMEM;
			if (held) {
				fputs("  ", out);
				ct_present_put(out, held, CT_TOP_HELD_BYTES);
			}
			free(held);
		}
		if (g->site && g->site[v]) {
			fputs("  allocated at ", out);
			ct_present_put(out, ct_graph_str(g, g->site[v]), CT_PRESENT_NAME_BYTES);
		}
		fputc('\n', out);
	}
	return status(out, err);
}

static void id_json(struct ct_jsonw *w, const struct ct_graph *g, uint32_t v)
{
	char id[CT_PRESENT_ID_MAX];

	ct_present_id(g, v, id);
	ct_jsonw_string(w, id);
}

void ct_write_head_json(struct ct_jsonw *w, const struct ct_graph *g,
			const struct ct_write_opts *o)
{
	ct_jsonw_kstring(w, "file", o->name ? o->name : "-");
	ct_jsonw_kstring(w, "format", g->format ? g->format : "");
}

void ct_write_node_json(struct ct_jsonw *w, const struct ct_graph *g, uint32_t v)
{
	ct_jsonw_key(w, "id");
	id_json(w, g, v);
	ct_jsonw_kstring(w, "type", ct_graph_str(g, g->type[v]));
	ct_jsonw_key(w, "name");
	uint32_t value = ct_graph_value(g, v);
	if (value)
		ct_jsonw_string(w, ct_graph_str(g, value));
	else
		ct_jsonw_null(w);
	if (g->site) {   /* a dump with allocation sites: null for none */
		ct_jsonw_key(w, "site");
		if (g->site[v])
			ct_jsonw_string(w, ct_graph_str(g, g->site[v]));
		else
			ct_jsonw_null(w);
	}
}

/* "held_by": the text, "holder": its id, "held_by_labels": the labels
 * from the holder down (lib/top.h); null and [] when nothing holds it. */
static int held_json(struct ct_jsonw *w, const struct ct_top *t, uint32_t i,
		     struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	const struct ct_top_held *h = &t->held[i];
	char *text;

	if (ct_top_held_text(t, i, &text, err))
		return CT_ENOMEM;
	ct_jsonw_key(w, "held_by");
	if (text)
		ct_jsonw_string(w, text);
	else
		ct_jsonw_null(w);
	free(text);
	ct_jsonw_key(w, "holder");
	if (h->holder == CT_NONE)
		ct_jsonw_null(w);
	else
		id_json(w, g, h->holder);
	ct_jsonw_key(w, "held_by_labels");
	ct_jsonw_array(w);
	for (uint32_t k = 0; k < h->n; k++)
		ct_jsonw_string(w, ct_graph_str(g, ct_graph_label(g, h->edge[k])));
	ct_jsonw_end(w);
	return 0;
}

int ct_top_write_json(FILE *out, const struct ct_top *t, const struct ct_write_opts *o,
		      struct ct_error *err)
{
	const struct ct_graph *g = t->g;
	struct ct_jsonw w;
	int rc;

	ct_jsonw_init(&w, out);
	ct_jsonw_object(&w);
	ct_write_head_json(&w, g, o);
	ct_jsonw_key(&w, "summary");
	ct_jsonw_object(&w);
	ct_jsonw_ku64(&w, "objects", g->n_nodes);
	ct_jsonw_ku64(&w, "roots", t->reach.n_roots);
	ct_jsonw_ku64(&w, "reachable_objects", t->dom.n_reached);
	ct_jsonw_ku64(&w, "reachable_bytes", t->dom.reached_bytes);
	ct_jsonw_kstring(&w, "reachability", ct_present_reachability(t->reach.mode));
	ct_jsonw_end(&w);
	ct_jsonw_key(&w, "objects");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < t->n && !w.failed; i++) {
		uint32_t v = t->nodes[i], d = t->dom.idom[v];
		ct_jsonw_newline(&w);
		ct_jsonw_object(&w);
		ct_write_node_json(&w, g, v);
		ct_jsonw_ku64(&w, "self_size", ct_graph_size(g, v));
		ct_jsonw_ku64(&w, "retained", t->dom.retained[v]);
		ct_jsonw_ku64(&w, "retained_objects", t->dom.retained_objects[v]);
		ct_jsonw_key(&w, "dominator");
		if (d == CT_DOM_SUPER)
			ct_jsonw_null(&w);
		else
			id_json(&w, g, d);
		if ((rc = held_json(&w, t, i, err)))
			return rc;
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	return ct_jsonw_finish(&w, err);
}
