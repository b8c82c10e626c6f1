/* Drawing a selection through graphviz: cgraph builds the graph and
 * writes DOT; gvc lays it out with dot and renders SVG or PNG. */
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "present.h"
#include "utf8.h"

#define GARBAGE_FILL "#f6c9c4"
#define GARBAGE_LINE "#b03a2e"
#define ALIVE_FILL "#cfe8cf"
#define ALIVE_LINE "#2e7d32"
#define LEAF_FILL "#eeeeee"
#define CUT_COLOR "#888888"

int ct_render_format_from_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *ext = dot ? dot + 1 : name;

	if (!strcmp(ext, "dot") || !strcmp(ext, "gv"))
		return CT_RENDER_DOT;
	if (!strcmp(ext, "svg"))
		return CT_RENDER_SVG;
	if (!strcmp(ext, "png"))
		return CT_RENDER_PNG;
	if (!strcmp(ext, "txt") || !strcmp(ext, "text"))
		return CT_RENDER_TXT;
	return -1;
}

const char *ct_render_auto_engine(uint32_t nodes, uint32_t edges)
{
	return (uint64_t)nodes + edges <= CT_RENDER_DOT_BUDGET ? "dot" : "sfdp";
}

void ct_render_cluster_title(const struct ct_selection *sel, uint32_t cluster, char *buf,
			     size_t n)
{
	const struct ct_report *r = sel->r;
	const struct ct_sel_cluster *c = &sel->clusters[cluster];
	const struct ct_report_group *grp = &r->groups[c->group];
	char bytes[32];

	ct_present_bytes(grp->bytes, bytes);
	snprintf(buf, n, "#%" PRIu32 " %s, %" PRIu32 " SCC%s, %s (SCC %" PRIu32 " shown)",
		 c->group + 1, grp->n_garbage ? "garbage" : "alive", grp->count,
		 grp->count == 1 ? "" : "s", bytes, r->sccs[c->scc].id);
}

/* Text for a graphviz label, appended to buf: a newline becomes
 * graphviz's line break escape, a backslash is doubled (graphviz reads
 * \\n, \\l, \\N... in labels), other control characters become '?' and
 * bytes that are not UTF-8 U+FFFD (present.h). */
static void label_text(char *buf, size_t n, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t at = strlen(buf);

	while (p < end && at + 5 < n) {
		unsigned c = *p, cp;
		if (c >= 0x80) {
			size_t k = ct_utf8_decode(p, end, &cp);
			if (!k) {
				memcpy(buf + at, "\xef\xbf\xbd", 3);
				at += 3;
				p++;
				continue;
			}
			memcpy(buf + at, p, k);
			at += k;
			p += k;
			continue;
		}
		p++;
		if (c == '\n') {
			buf[at++] = '\\';
			buf[at++] = 'n';
			continue;
		}
		if (c == '\\')
			buf[at++] = '\\';
		buf[at++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[at] = '\0';
}

static void set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, "");
}

/* The last graphviz error message (graphviz reports through a global hook). */
static char gv_message[256];

static int capture(char *msg)
{
	size_t n = strlen(msg);

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	if (n >= sizeof(gv_message))
		n = sizeof(gv_message) - 1;
	memcpy(gv_message, msg, n);
	gv_message[n] = '\0';
	return 0;
}

static void node_label(const struct ct_graph *g, uint32_t v, char *buf, size_t n)
{
	const char *type = ct_graph_str(g, g->type[v]);
	char bytes[32];

	buf[0] = '\0';
	label_text(buf, n, type);
	uint32_t value = ct_graph_value(g, v);
	if (value) {
		bool quote = !strcmp(type, "str") || !strcmp(type, "bytes") || !strcmp(type, "string");
		char val[48];
		const char *s = ct_graph_str(g, value);
		size_t len = strlen(s);
		if (len > 32) {
			/* Keep the end of a dotted name (its last part says most),
			 * else the start; cut on a character boundary. */
			if (!quote && strchr(s, '.')) {
				size_t k = len - 29;
				while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
					k++;
				snprintf(val, sizeof(val), "...%s", s + k);
			} else {
				size_t k = 29;
				while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
					k--;
				snprintf(val, sizeof(val), "%.*s...", (int)k, s);
			}
		} else {
			snprintf(val, sizeof(val), "%s", s);
		}
		label_text(buf, n, quote ? "\n'" : "\n");
		label_text(buf, n, val);
		if (quote)
			label_text(buf, n, "'");
	}
	ct_present_bytes(ct_graph_size(g, v), bytes);
	label_text(buf, n, "\n");
	label_text(buf, n, bytes);
}

static void style_node(Agnode_t *an, const struct ct_selection *sel, uint32_t v, uint8_t role)
{
	const struct ct_graph *g = sel->r->g;
	bool leaf = g->flags[v] & CT_NODE_LEAF;
	bool garbage = ct_reach_is_garbage(g, &sel->r->reach, v);
	const char *style = "rounded,filled";

	set(an, "fillcolor", leaf ? LEAF_FILL : garbage ? GARBAGE_FILL : ALIVE_FILL);
	set(an, "color", leaf ? CUT_COLOR : garbage ? GARBAGE_LINE : ALIVE_LINE);
	if (g->flags[v] & CT_NODE_FINALIZER)
		set(an, "shape", "doubleoctagon");
	if (g->flags[v] & CT_NODE_WEAKREF)
		style = "rounded,filled,dashed";
	if (role == CT_SEL_FOCUS)
		set(an, "penwidth", "3");
	if (role == CT_SEL_PATH)
		style = "rounded,filled,dotted";
	set(an, "style", style);
}

/* The stub standing for the nodes of cluster c (CT_NONE: outside
 * clusters) that the cap cut; made on first use. */
static Agnode_t *stub(Agraph_t *root, Agraph_t **subs, const struct ct_selection *sel,
		      uint32_t c)
{
	char name[32], label[96];

	snprintf(name, sizeof(name), "cut%" PRIu32, c == CT_NONE ? 0 : c + 1);
	Agnode_t *s = agnode(c == CT_NONE ? root : subs[c], name, 0);
	if (s)
		return s;
	s = agnode(c == CT_NONE ? root : subs[c], name, 1);
	/* How many of this cluster's objects are in scope but not drawn. */
	uint32_t n = sel->n_cut;
	if (c != CT_NONE) {
		const struct ct_report_scc *e = &sel->r->sccs[sel->clusters[c].scc];
		n = e->size - sel->clusters[c].drawn;
	}
	snprintf(label, sizeof(label), "%" PRIu32 " more not drawn", n);
	set(s, "label", label);
	set(s, "shape", "plaintext");
	set(s, "fontcolor", CUT_COLOR);
	return s;
}

/* A dotted edge between drawn node an and its cluster's stub, standing
 * for n references; the count is kept in the edge's "cut" attribute. */
static void stub_edge(Agraph_t *root, Agnode_t *an, Agnode_t *s, uint32_t i, uint32_t n,
		      bool out)
{
	char name[32], count[16];

	snprintf(name, sizeof(name), "cut%s%" PRIu32, out ? "o" : "i", i);
	Agedge_t *e = out ? agedge(root, an, s, name, 1) : agedge(root, s, an, name, 1);
	snprintf(count, sizeof(count), "%" PRIu32, n);
	set(e, "style", "dotted");
	set(e, "color", CUT_COLOR);
	set(e, "label", "");
	set(e, "cut", count);
}

static void build_nodes(Agraph_t *g, Agraph_t **subs, const struct ct_selection *sel)
{
	const struct ct_graph *gr = sel->r->g;
	char name[32], label[256];

	for (uint32_t i = 0; i < sel->n; i++) {
		uint32_t v = sel->nodes[i];
		Agraph_t *sub = sel->cluster[i] == CT_NONE ? NULL : subs[sel->cluster[i]];
		snprintf(name, sizeof(name), "n%" PRIu32, v);
		Agnode_t *an = agnode(sub ? sub : g, name, 1);
		node_label(gr, v, label, sizeof(label));
		set(an, "label", label);
		char addr[32];
		ct_present_id(gr, v, addr);
		set(an, "tooltip", addr);
		style_node(an, sel, v, sel->role[i]);
		if (sel->cut_out[i])
			stub_edge(g, an, stub(g, subs, sel, sel->cluster[i]), i, sel->cut_out[i], true);
		if (sel->cut_in[i])
			stub_edge(g, an, stub(g, subs, sel, sel->cluster[i]), i, sel->cut_in[i], false);
	}
	for (uint32_t i = 0; i < sel->n; i++) {
		uint32_t v = sel->nodes[i];
		snprintf(name, sizeof(name), "n%" PRIu32, v);
		Agnode_t *from = agnode(g, name, 0);
		for (uint32_t e = gr->out_off[v]; e < gr->out_off[v + 1]; e++) {
			uint32_t w = gr->dst[e], pw = sel->pos[w];
			/* Between two clusters an edge is part of neither cycle. */
			if (pw == CT_NONE || (sel->cluster[i] != CT_NONE && sel->cluster[pw] != CT_NONE &&
					      sel->cluster[i] != sel->cluster[pw]))
				continue;
			snprintf(name, sizeof(name), "n%" PRIu32, w);
			Agnode_t *to = agnode(g, name, 0);
			snprintf(name, sizeof(name), "e%" PRIu32, e);
			Agedge_t *ae = agedge(g, from, to, name, 1);
			label[0] = '\0';
			label_text(label, sizeof(label), ct_graph_str(gr, gr->label[e]));
			set(ae, "label", label);
			if (gr->kind[e] == CT_EDGE_WEAK) {
				set(ae, "style", "dashed");
				set(ae, "arrowhead", "empty");
			} else if (gr->kind[e] == CT_EDGE_SHORTCUT) {
				set(ae, "style", "dotted");
			}
		}
	}
}

static void build_by_type(Agraph_t *g, const struct ct_selection *sel,
			  const struct ct_by_type *bt)
{
	const struct ct_graph *gr = sel->r->g;
	char name[32], label[256], bytes[32];

	for (uint32_t t = 0; t < bt->n_types; t++) {
		const struct ct_type_node *tn = &bt->types[t];
		snprintf(name, sizeof(name), "t%" PRIu32, t);
		Agnode_t *an = agnode(g, name, 1);
		char count[64];
		label[0] = '\0';
		label_text(label, sizeof(label), ct_graph_str(gr, tn->type));
		ct_present_bytes(tn->bytes, bytes);
		snprintf(count, sizeof(count), "\nx%" PRIu32 ", %s", tn->count, bytes);
		label_text(label, sizeof(label), count);
		set(an, "label", label);
		set(an, "style", "rounded,filled");
		set(an, "fillcolor", tn->garbage == tn->count ? GARBAGE_FILL :
				     tn->garbage ? "#f3e5ab" : ALIVE_FILL);
	}
	for (uint32_t i = 0; i < bt->n_edges; i++) {
		const struct ct_type_edge *te = &bt->edges[i];
		snprintf(name, sizeof(name), "t%" PRIu32, te->from);
		Agnode_t *from = agnode(g, name, 0);
		snprintf(name, sizeof(name), "t%" PRIu32, te->to);
		Agnode_t *to = agnode(g, name, 0);
		snprintf(name, sizeof(name), "te%" PRIu32, i);
		Agedge_t *ae = agedge(g, from, to, name, 1);
		snprintf(label, sizeof(label), "x%" PRIu32 " ", te->count);
		label_text(label, sizeof(label), te->label ? ct_graph_str(gr, te->label) : "");
		set(ae, "label", label);
		if (te->weak)
			set(ae, "style", "dashed");
	}
}

/* The picture's caption: title, and what the cap cut. */
static void caption(Agraph_t *g, const struct ct_selection *sel, const struct ct_render_opts *o)
{
	char text[512] = "";

	if (o->title)
		label_text(text, sizeof(text), o->title);
	if (sel->n_cut || sel->groups_left_out) {
		char note[192];
		snprintf(note, sizeof(note),
			 "\ncut at %" PRIu32 " nodes (--max-nodes): %" PRIu32
			 " more objects and %" PRIu32 " more groups not drawn; dotted edges lead to them",
			 sel->max_nodes, sel->n_cut, sel->groups_left_out);
		label_text(text, sizeof(text), note);
	}
	set(g, "label", text);
	set(g, "labelloc", "t");
}

/* Graphviz lays out recursively (dot's ranking and ordering walk the
 * graph depth first), so a long cycle overflows an ordinary stack: a
 * ring of 200,000 objects laid out with dot was a SIGSEGV.  Layout and
 * rendering therefore run on a thread whose stack is reserved big and
 * committed only as deep as graphviz goes. */
#define LAYOUT_STACK ((size_t)1 << 30)

struct layout_job {
	GVC_t *gvc;
	Agraph_t *g;
	const char *engine, *fmt;
	char *data;
	unsigned int len;
	int layout_rc, render_rc;
};

static void *layout_thread(void *arg)
{
	struct layout_job *j = arg;

	j->layout_rc = gvLayout(j->gvc, j->g, j->engine);
	if (j->layout_rc == 0)
		j->render_rc = gvRenderData(j->gvc, j->g, j->fmt, &j->data, &j->len);
	return NULL;
}

static void run_on_big_stack(struct layout_job *j)
{
	/* Smaller reservations if the address space is limited (ulimit -v);
	 * on this thread if no thread can be had at all. */
	for (size_t stack = LAYOUT_STACK; stack >= ((size_t)64 << 20); stack /= 4) {
		pthread_attr_t attr;
		pthread_t t;
		if (pthread_attr_init(&attr) != 0)
			break;
		int ok = pthread_attr_setstacksize(&attr, stack) == 0 &&
			 pthread_create(&t, &attr, layout_thread, j) == 0;
		pthread_attr_destroy(&attr);
		if (ok) {
			pthread_join(t, NULL);
			return;
		}
	}
	layout_thread(j);
}

int ct_render_graphviz(FILE *out, const struct ct_selection *sel,
		       const struct ct_render_opts *o, struct ct_error *err)
{
	struct ct_by_type bt = {0};
	Agraph_t **subs = NULL;
	GVC_t *gvc = NULL;
	bool layout_started = false;
	const char *engine = NULL;
	uint32_t nodes = 0, edges = 0;
	char comment[160];
	int rc = 0;

	agseterrf(capture);
	agseterr(AGERR);
	gv_message[0] = '\0';
	Agraph_t *g = agopen("cycles", Agdirected, NULL);
	if (!g)
		return ct_error_nomem(err);
	set(g, "fontname", "Helvetica");
	set(g, "fontsize", "12");
	agattr(g, AGNODE, "shape", "box");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontsize", "10");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "9");
	caption(g, sel, o);
	if (o->by_type) {
		if ((rc = ct_by_type_build(&bt, sel, err)))
			goto out;
		build_by_type(g, sel, &bt);
	} else {
		subs = calloc(sel->n_clusters + 1, sizeof(*subs));
		if (!subs) {
			rc = ct_error_nomem(err);
			goto out;
		}
		for (uint32_t c = 0; c < sel->n_clusters; c++) {
			char name[32], title[160], label[512];
			const struct ct_report_group *grp = &sel->r->groups[sel->clusters[c].group];
			snprintf(name, sizeof(name), "cluster_%" PRIu32, c + 1);
			subs[c] = agsubg(g, name, 1);
			ct_render_cluster_title(sel, c, title, sizeof(title));
			label[0] = '\0';
			label_text(label, sizeof(label), title);
			label_text(label, sizeof(label), "\n");
			label_text(label, sizeof(label), ct_report_signature(sel->r, grp));
			set(subs[c], "label", label);
			set(subs[c], "style", "rounded");
			set(subs[c], "color", grp->n_garbage ? GARBAGE_LINE : ALIVE_LINE);
		}
		build_nodes(g, subs, sel);
	}
	/* The engine, chosen by the size of the graph graphviz will lay out,
	 * and named in the picture's comment. */
	nodes = (uint32_t)agnnodes(g);
	edges = (uint32_t)agnedges(g);
	engine = o->engine ? o->engine : ct_render_auto_engine(nodes, edges);
	if (o->engine)
		snprintf(comment, sizeof(comment), "layout: %s, as asked: %" PRIu64
			 " nodes and edges (the dot budget is %d)", engine,
			 (uint64_t)nodes + edges, CT_RENDER_DOT_BUDGET);
	else
		snprintf(comment, sizeof(comment), "layout: %s, chosen: %" PRIu64 " nodes and edges, %s "
			 "the dot budget of %d", engine, (uint64_t)nodes + edges,
			 (uint64_t)nodes + edges <= CT_RENDER_DOT_BUDGET ? "within" : "over",
			 CT_RENDER_DOT_BUDGET);
	set(g, "comment", comment);
	if (o->format == CT_RENDER_DOT) {
		if (agwrite(g, out) != 0 || ferror(out))
			rc = ct_error_set(err, CT_EIO, "write error");
		goto out;
	}
	if (!strcmp(engine, "dot") && (uint64_t)nodes + edges > CT_RENDER_DOT_MAX) {
		rc = ct_error_set(err, CT_EUSAGE, "dot cannot lay out %" PRIu32 " nodes and %" PRIu32
				  " edges in reasonable time (at most %d nodes plus edges); "
				  "--layout=sfdp scales further, or -T dot writes the graph without layout",
				  nodes, edges, CT_RENDER_DOT_MAX);
		goto out;
	}
	gvc = gvContext();
	if (!gvc) {
		rc = ct_error_nomem(err);
		goto out;
	}
	if (o->on_layout)
		o->on_layout(o->ctx, true, engine, nodes, edges);
	layout_started = true;
	/* Rendered to memory and written here: gvc's own writers call
	 * exit(1) when a write fails. */
	struct layout_job job = {gvc, g, engine, o->format == CT_RENDER_PNG ? "png" : "svg",
				 NULL, 0, 0, 0};
	run_on_big_stack(&job);
	if (job.layout_rc != 0) {
		rc = ct_error_set(err, CT_ERENDER, "graphviz could not lay out the graph with %s%s%s",
				  engine, gv_message[0] ? ": " : "", gv_message);
		goto out;
	}
	if (job.render_rc != 0)
		rc = ct_error_set(err, CT_ERENDER, "graphviz could not render %s%s%s", job.fmt,
				  gv_message[0] ? ": " : "", gv_message);
	else if (fwrite(job.data, 1, job.len, out) != job.len || ferror(out))
		rc = ct_error_set(err, CT_EIO, "write error");
	if (job.data)
		gvFreeRenderData(job.data);
	gvFreeLayout(gvc, g);
out:
	if (layout_started && o->on_layout)
		o->on_layout(o->ctx, false, engine, nodes, edges);
	if (gvc)
		gvFreeContext(gvc);
	agclose(g);
	free(subs);
	ct_by_type_finish(&bt);
	return rc;
}
