/* The writers of `path` (declared in write.h). */
#include <inttypes.h>
#include <string.h>

#include "jsonw.h"
#include "present.h"
#include "write.h"

static bool format_v8(const struct ct_graph *g)
{
	return g->format && strcmp(g->format, "v8") == 0;
}

/* Append the n bytes at s made safe and cut (ct_present_text) to buf at
 * *at (room cap). */
static void put(char *buf, size_t cap, size_t *at, const char *s)
{
	if (*at + 8 <= cap)
		*at += ct_present_text(buf + *at, cap - *at, s, strlen(s), CT_PRESENT_NAME_BYTES);
}

/* What the route starts at, for people: "the global object @6049",
 * "module app 0x100", "a stack root (GC roots → Stack roots) @5",
 * "0x69c800000 (root: thread main stack frame)",
 * "0x7f3a…, externally referenced (refcount 2)".  Into buf. */
static void root_phrase(const struct ct_path *p, char *buf, size_t cap)
{
	const struct ct_graph *g = p->g;
	uint32_t via = p->root_via;
	const char *name = ct_present_name(g, via);
	char id[CT_PRESENT_ID_MAX], num[32];
	size_t at = 0;

	buf[0] = '\0';
	ct_present_id(g, via, id);
	switch (p->root_kind) {
	case CT_PATH_ROOT_GLOBAL:
		put(buf, cap, &at, "the global object");
		if (name && strcmp(name, "global") != 0) {   /* a browser's "Window / url" */
			put(buf, cap, &at, " ");
			put(buf, cap, &at, name);
		}
		break;
	case CT_PATH_ROOT_MODULE:
		put(buf, cap, &at, "module ");
		put(buf, cap, &at, name ? name : "?");
		break;
	case CT_PATH_ROOT_FRAME:
		put(buf, cap, &at, "a stack frame");
		if (name) {
			put(buf, cap, &at, " of ");
			put(buf, cap, &at, name);
		}
		break;
	case CT_PATH_ROOT_GC_ROOTS:
	case CT_PATH_ROOT_SYNTHETIC: {
		/* "(Stack roots)" reads "Stack roots" inside our parentheses. */
		char inner[CT_PRESENT_NODE_MAX];
		ct_present_node(g, via, inner, sizeof(inner));
		size_t l = strlen(inner);
		if (l > 2 && inner[0] == '(' && inner[l - 1] == ')') {
			inner[l - 1] = '\0';
			memmove(inner, inner + 1, l - 1);
		}
		bool gc = p->root_kind == CT_PATH_ROOT_GC_ROOTS;
		bool stack = gc && strcmp(inner, "Stack roots") == 0;
		put(buf, cap, &at, stack ? "a stack root (" : gc ? "a GC root (" :
		    "a synthetic root (");
		if (gc && strcmp(inner, "GC roots") != 0)
			put(buf, cap, &at, "GC roots \xe2\x86\x92 ");
		put(buf, cap, &at, inner);
		put(buf, cap, &at, ")");
		break;
	}
	case CT_PATH_ROOT_FLAGGED:
		if (ct_graph_root_note(g, via)) {   /* HPROF: "0x… (root: JNI global)" */
			put(buf, cap, &at, id);
			put(buf, cap, &at, " (root: ");
			put(buf, cap, &at, ct_graph_str(g, ct_graph_root_note(g, via)));
			put(buf, cap, &at, ")");
			return;
		}
		put(buf, cap, &at, g->roots_given && format_v8(g) ? "the root of the snapshot" :
		    "a root the dump names");
		break;
	case CT_PATH_ROOT_REFCOUNT:
		put(buf, cap, &at, id);
		snprintf(num, sizeof(num), "%" PRIu64, g->refcount ? g->refcount[via] : 0);
		put(buf, cap, &at, ", externally referenced (refcount ");
		put(buf, cap, &at, num);
		put(buf, cap, &at, ")");
		return;
	case CT_PATH_ROOT_UNREFERENCED:
		put(buf, cap, &at, id);
		put(buf, cap, &at, ", which nothing in the dump refers to (taken as a root)");
		return;
	case CT_PATH_ROOT_NONE:
		return;
	}
	put(buf, cap, &at, " ");
	put(buf, cap, &at, id);
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
		if (g->site && g->site[v]) {
			fputs(" allocated at ", out);
			ct_present_put(out, ct_graph_str(g, g->site[v]), CT_PRESENT_NAME_BYTES);
		}
		ct_present_label(g, e, text, sizeof(text));
		if (text[0])
			fprintf(out, " %s", text);
		fputs(e != CT_NONE ? " \xe2\x86\x92\n" : "\n", out);
	}
	root_phrase(p, text, sizeof(text));
	fprintf(out, "%sfrom %s%s%s%s\n", dim, text, p->user_level ? " (a user-level root)" : "",
		p->mode == CT_PATH_PREFER_USER && !p->user_level ?
		"; no user-level root reaches it" : "", off);
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
	ct_jsonw_kbool(&w, "any_root", p->mode == CT_PATH_ANY_ROOT);
	ct_jsonw_key(&w, "root");
	if (p->len) {
		char id[CT_PRESENT_ID_MAX], text[CT_PRESENT_NODE_MAX];
		ct_present_id(g, p->root_via, id);
		root_phrase(p, text, sizeof(text));
		ct_jsonw_object(&w);
		ct_jsonw_kstring(&w, "kind", ct_path_root_kind_name(p->root_kind));
		ct_jsonw_kstring(&w, "id", id);
		uint32_t note = p->root_kind == CT_PATH_ROOT_FLAGGED ?
				ct_graph_root_note(g, p->root_via) : 0;
		if (note)   /* the kind of GC root the dump says (HPROF) */
			ct_jsonw_kstring(&w, "gc_root", ct_graph_str(g, note));
		ct_jsonw_kbool(&w, "user_level", p->user_level);
		ct_jsonw_kstring(&w, "text", text);
		ct_jsonw_end(&w);
	} else {
		ct_jsonw_null(&w);
	}
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
