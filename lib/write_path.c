/* The writers of `path` (declared in write.h). */
#include <inttypes.h>
#include <string.h>

#include "jsonw.h"
#include "present.h"
#include "write.h"

static const char *root_note(enum ct_reach_mode m)
{
	return m == CT_REACH_REFCOUNT ? "is referenced from outside the dump" :
	       m == CT_REACH_ROOTS ? "is a root of the snapshot" :
	       "has no referrer in the dump (taken as a root)";
}

int ct_path_write_text(FILE *out, const struct ct_path *p, const struct ct_write_opts *o,
		       struct ct_error *err)
{
	const struct ct_graph *g = p->g;
	const char *dim = o->color ? "\033[2m" : "", *off = o->color ? "\033[0m" : "";
	char id[CT_PRESENT_ID_MAX], text[CT_PRESENT_NODE_MAX];

	if (p->len == 0) {
		ct_present_id(g, p->target, id);
		ct_present_node(g, p->target, text, sizeof(text));
		fprintf(out, "%s %s is not reachable from any root%s\n", id, text,
			ct_reach_is_garbage(g, &p->reach, p->target) ? ": it is garbage" :
			ct_present_estimated_note(p->reach.mode));
		goto out;
	}
	ct_present_chain(out, g, p->nodes, p->edges, p->len, false);
	fputc('\n', out);
	int wid = 2;
	for (uint32_t i = 0; i < p->len; i++) {
		ct_present_id(g, p->nodes[i], id);
		wid = (int)strlen(id) > wid ? (int)strlen(id) : wid;
	}
	/* One line per object, with the reference leaving it. */
	for (uint32_t i = 0; i < p->len; i++) {
		uint32_t v = p->nodes[i], e = p->edges[i];
		ct_present_id(g, v, id);
		ct_present_node(g, v, text, sizeof(text));
		fprintf(out, "  %-*s  %s", wid, id, text);
		ct_present_label(g, e, text, sizeof(text));
		if (text[0])
			fprintf(out, " %s", text);
		fputs(e != CT_NONE ? " \xe2\x86\x92\n" : "\n", out);
	}
	ct_present_id(g, p->nodes[0], id);
	fprintf(out, "%s%s %s%s\n", dim, id, root_note(p->reach.mode), off);
out:
	return ferror(out) ? ct_error_set(err, CT_EIO, "write error") : 0;
}

int ct_path_write_json(FILE *out, const struct ct_path *p, const struct ct_write_opts *o,
		       struct ct_error *err)
{
	const struct ct_graph *g = p->g;
	struct ct_jsonw w;

	ct_jsonw_init(&w, out);
	ct_jsonw_object(&w);
	ct_write_head_json(&w, g, o);
	ct_write_node_json(&w, g, p->target);
	ct_jsonw_kbool(&w, "reachable", p->len > 0);
	ct_jsonw_kbool(&w, "garbage", ct_reach_is_garbage(g, &p->reach, p->target));
	ct_jsonw_key(&w, "path");
	ct_jsonw_array(&w);
	for (uint32_t i = 0; i < p->len && !w.failed; i++) {
		uint32_t v = p->nodes[i], e = p->edges[i];
		ct_jsonw_newline(&w);
		ct_jsonw_object(&w);
		ct_write_node_json(&w, g, v);
		if (e != CT_NONE) {
			ct_jsonw_key(&w, "label");
			if (g->label[e])
				ct_jsonw_string(&w, ct_graph_str(g, g->label[e]));
			else
				ct_jsonw_null(&w);
		}
		ct_jsonw_end(&w);
	}
	ct_jsonw_end(&w);
	ct_jsonw_end(&w);
	ct_jsonw_newline(&w);
	return ct_jsonw_finish(&w, err);
}
