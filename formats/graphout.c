/* Graph files out (graphout.h): igraph's writers for GraphML, GML, Pajek
 * and edge lists, cgraph's for DOT.
 *
 * The nodes written are numbered 0..n-1 in the order of the graph (or of
 * the selection); an igraph graph (or a cgraph one) is built with those
 * nodes, their attributes and the edges between them, then handed to the
 * writer, which writes to the caller's stream.
 */
#include "graphout.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <igraph.h>

#include "../lib/export.h"
#include "../lib/present.h"
#include "../lib/utf8.h"
#include "graphfile.h"

int ct_graphout_format_from_name(const char *name)
{
	static const char *const names[] = {"graphml", "gml", "dot", "pajek", "edgelist"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* What is written: the nodes, by position. */
struct view {
	const struct ct_report *r;
	const struct ct_graph *g;
	const struct ct_selection *sel;  /* NULL: every node */
	uint32_t n;                      /* nodes written */
	uint64_t m;                      /* edges between them */
	uint32_t *scc_id;                /* per component: the SCC's id, 0 for none */
	struct ct_buf text;              /* clean()'s result */
	enum ct_graphout_format format;
};

static uint32_t node_at(const struct view *w, uint32_t i)
{
	return w->sel ? w->sel->nodes[i] : i;
}

/* v's position, or CT_NONE when v is not written. */
static uint32_t pos_of(const struct view *w, uint32_t v)
{
	return w->sel ? w->sel->pos[v] : v;
}

/* The written edges, in the order every writer adds them: by source
 * position, then the source's out-edges in order.  Start with
 * struct edge_it it = {0}; each view_edge() gives the next edge e, from
 * position *from to position *to, or returns false at the end. */
struct edge_it {
	uint32_t i, e, end;
	bool started;
};

static bool view_edge(const struct view *w, struct edge_it *it, uint32_t *from, uint32_t *to,
		      uint32_t *e)
{
	const struct ct_graph *g = w->g;

	for (;;) {
		while (it->e == it->end) {
			if (it->started)
				it->i++;
			if (it->i >= w->n)
				return false;
			it->started = true;
			uint32_t v = node_at(w, it->i);
			it->e = g->out_off[v];
			it->end = g->out_off[v + 1];
		}
		uint32_t k = it->e++, t = pos_of(w, g->dst[k]);
		if (t != CT_NONE) {
			*from = it->i;
			*to = t;
			*e = k;
			return true;
		}
	}
}

static int view_init(struct view *w, enum ct_graphout_format f, const struct ct_report *r,
		     const struct ct_selection *sel, struct ct_error *err)
{
	memset(w, 0, sizeof(*w));
	w->format = f;
	w->r = r;
	w->g = r->g;
	w->sel = sel;
	w->n = sel ? sel->n : r->g->n_nodes;
	ct_buf_init(&w->text);
	w->scc_id = calloc((size_t)r->scc.n_comps + 1, sizeof(*w->scc_id));
	if (!w->scc_id)
		return ct_error_nomem(err);
	for (uint32_t i = 0; i < r->n_sccs; i++)
		w->scc_id[r->sccs[i].comp] = r->sccs[i].id;
	struct edge_it it = {0};
	uint32_t from, to, e;
	while (view_edge(w, &it, &from, &to, &e))
		w->m++;
	return 0;
}

static void view_finish(struct view *w)
{
	free(w->scc_id);
	ct_buf_finish(&w->text);
}

/* s as valid UTF-8 without control characters: each invalid byte and
 * each control character, and U+FFFE and U+FFFF (not characters in XML),
 * becomes U+FFFD.  For GML, which is ASCII,
 * '&' is "&amp;" and any other character past ASCII "&#N;" (igraph
 * writes '"' as "&quot;"; networkx decodes all three).  For DOT each
 * backslash is doubled: graphviz's lexer takes a backslash pair as one
 * unit and cgraph's writer escapes only quotes, so a single backslash
 * before a quote or at the end would end the string early.  Valid until
 * the next call; NULL when out of memory. */
static const char *clean(struct view *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + strlen((const char *)p);

	w->text.len = 0;
	while (p < end) {
		unsigned cp;
		size_t k = ct_utf8_decode(p, end, &cp);
		int rc;
		if (k == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffe ||
		    cp == 0xffff) {
			rc = w->format == CT_GRAPHOUT_GML ? ct_buf_add(&w->text, "&#65533;", 8)
							  : ct_buf_add(&w->text, "\xef\xbf\xbd", 3);
			k = k ? k : 1;
		} else if (w->format == CT_GRAPHOUT_DOT && cp == '\\') {
			rc = ct_buf_add(&w->text, "\\\\", 2);
		} else if (w->format == CT_GRAPHOUT_GML && (cp >= 0x80 || cp == '&')) {
			char ent[16];
			int len = cp == '&' ? snprintf(ent, sizeof(ent), "&amp;") :
					      snprintf(ent, sizeof(ent), "&#%u;", cp);
			rc = ct_buf_add(&w->text, ent, (size_t)len);
		} else {
			rc = ct_buf_add(&w->text, (const char *)p, k);
		}
		if (rc)
			return NULL;
		p += k;
	}
	if (ct_buf_add(&w->text, "", 1))
		return NULL;
	return w->text.p;
}

static const char *kind_name(uint8_t kind)
{
	static const char *const names[] = {"strong", "weak", "internal", "shortcut"};

	return kind < 4 ? names[kind] : "strong";
}

/* The text attributes of node v: 0 id, 1 type, 2 name. */
static const char *node_text(struct view *w, uint32_t v, int which, char id[CT_PRESENT_ID_MAX])
{
	switch (which) {
	case 0:
		ct_present_id(w->g, v, id);
		return id;
	case 1:
		return clean(w, ct_graph_str(w->g, w->g->type[v]));
	default:
		return clean(w, ct_present_name(w->g, v));
	}
}

static bool garbage(const struct view *w, uint32_t v)
{
	return w->r->reach.alive && ct_reach_is_garbage(w->g, &w->r->reach, v);
}

static uint32_t scc_of(const struct view *w, uint32_t v)
{
	return w->r->scc.comp ? w->scc_id[w->r->scc.comp[v]] : 0;
}

/* ---- igraph ---- */

static int build_igraph(struct view *w, igraph_t *ig, bool *have, bool gml)
{
	/* GML's own "id" is an integer: igraph numbers the nodes there, and
	 * cycletool's id goes in "label", where networkx looks for names. */
	const char *const text_attr[] = {gml ? "label" : "id", "type", "name"};
	const struct ct_graph *g = w->g;
	igraph_vector_int_t edges;
	igraph_strvector_t sv;
	igraph_vector_t nv;
	igraph_vector_bool_t bv;
	char id[CT_PRESENT_ID_MAX];
	igraph_error_t irc;
	bool e_ok = false, s_ok = false, n_ok = false, b_ok = false;

	if ((irc = igraph_vector_int_init(&edges, (igraph_integer_t)(2 * w->m))))
		goto out;
	e_ok = true;
	igraph_integer_t k = 0;
	struct edge_it it = {0};
	uint32_t from, to, e;
	while (view_edge(w, &it, &from, &to, &e)) {
		VECTOR(edges)[k++] = from;
		VECTOR(edges)[k++] = to;
	}
	if ((irc = igraph_empty(ig, (igraph_integer_t)w->n, IGRAPH_DIRECTED)))
		goto out;
	*have = true;
	if ((irc = igraph_add_edges(ig, &edges, NULL)))
		goto out;
	igraph_vector_int_destroy(&edges);
	e_ok = false;

	/* Node text: id, type, name. */
	if ((irc = igraph_strvector_init(&sv, (igraph_integer_t)w->n)))
		goto out;
	s_ok = true;
	for (int a = 0; a < 3; a++) {
		for (uint32_t i = 0; i < w->n; i++) {
			const char *t = node_text(w, node_at(w, i), a, id);
			if (!t) {
				irc = IGRAPH_ENOMEM;
				goto out;
			}
			if ((irc = igraph_strvector_set(&sv, i, t)))
				goto out;
		}
		if ((irc = igraph_cattribute_VAS_setv(ig, text_attr[a], &sv)))
			goto out;
	}
	/* Numbers: bytes, scc. */
	if ((irc = igraph_vector_init(&nv, (igraph_integer_t)w->n)))
		goto out;
	n_ok = true;
	for (uint32_t i = 0; i < w->n; i++)
		VECTOR(nv)[i] = (double)ct_graph_size(g, node_at(w, i));
	if ((irc = igraph_cattribute_VAN_setv(ig, "bytes", &nv)))
		goto out;
	if ((irc = igraph_vector_bool_init(&bv, (igraph_integer_t)w->n)))
		goto out;
	b_ok = true;
	for (uint32_t i = 0; i < w->n; i++)
		VECTOR(bv)[i] = garbage(w, node_at(w, i));
	if ((irc = igraph_cattribute_VAB_setv(ig, "garbage", &bv)))
		goto out;
	for (uint32_t i = 0; i < w->n; i++)
		VECTOR(nv)[i] = (double)scc_of(w, node_at(w, i));
	if ((irc = igraph_cattribute_VAN_setv(ig, "scc", &nv)))
		goto out;

	/* Edges: label, kind, in the order they were added. */
	if ((irc = igraph_strvector_resize(&sv, (igraph_integer_t)w->m)))
		goto out;
	for (int a = 0; a < 2; a++) {
		k = 0;
		it = (struct edge_it){0};
		while (view_edge(w, &it, &from, &to, &e)) {
			const char *t = a == 0 ? clean(w, ct_graph_str(g, ct_graph_label(g, e)))
					       : kind_name(g->kind[e]);
			if (!t) {
				irc = IGRAPH_ENOMEM;
				goto out;
			}
			if ((irc = igraph_strvector_set(&sv, k++, t)))
				goto out;
		}
		if ((irc = igraph_cattribute_EAS_setv(ig, a == 0 ? "label" : "kind", &sv)))
			goto out;
	}
out:
	if (e_ok)
		igraph_vector_int_destroy(&edges);
	if (s_ok)
		igraph_strvector_destroy(&sv);
	if (n_ok)
		igraph_vector_destroy(&nv);
	if (b_ok)
		igraph_vector_bool_destroy(&bv);
	return (int)irc;
}

/* GML: igraph writes no "multigraph 1", without which networkx refuses
 * a second edge between the same two nodes (two references from one
 * object to another are common: a tuple holding one object twice).  This
 * stream passes igraph's output through to out and adds the line after
 * the header's "directed 1". */
struct gml_filter {
	FILE *out;
	char head[512];
	size_t n;
	bool done;
};

static bool filter_flush(struct gml_filter *f)
{
	static const char key[] = "directed 1\n", line[] = "  multigraph 1\n";
	const char *at = memmem(f->head, f->n, key, sizeof(key) - 1);
	size_t cut = at ? (size_t)(at - f->head) + sizeof(key) - 1 : f->n;

	f->done = true;
	return fwrite(f->head, 1, cut, f->out) == cut &&
	       (!at || fputs(line, f->out) >= 0) &&
	       fwrite(f->head + cut, 1, f->n - cut, f->out) == f->n - cut;
}

static ssize_t filter_write(void *cookie, const char *buf, size_t n)
{
	struct gml_filter *f = cookie;

	if (f->done)
		return (ssize_t)fwrite(buf, 1, n, f->out);
	size_t take = n < sizeof(f->head) - f->n ? n : sizeof(f->head) - f->n;
	memcpy(f->head + f->n, buf, take);
	f->n += take;
	if ((f->n == sizeof(f->head) || memmem(f->head, f->n, "directed 1\n", 11)) &&
	    !filter_flush(f))
		return 0;
	if (take < n && fwrite(buf + take, 1, n - take, f->out) != n - take)
		return (ssize_t)take;
	return (ssize_t)n;
}

static int filter_close(void *cookie)
{
	struct gml_filter *f = cookie;

	return f->done || filter_flush(f) ? 0 : -1;
}

static int write_igraph(FILE *out, enum ct_graphout_format f, struct view *w,
			struct ct_error *err)
{
	struct ct_gf_igraph guard;
	igraph_t ig;
	bool have = false;
	igraph_error_t irc;

	ct_gf_igraph_enter(&guard);
	irc = (igraph_error_t)build_igraph(w, &ig, &have, f == CT_GRAPHOUT_GML);
	if (irc == IGRAPH_SUCCESS) {
		switch (f) {
		case CT_GRAPHOUT_GRAPHML:
			/* Keys "v_id", "e_label": node and edge attributes may
			 * share a name. */
			irc = igraph_write_graph_graphml(&ig, out, true);
			break;
		case CT_GRAPHOUT_GML: {
			struct gml_filter filter = {.out = out};
			cookie_io_functions_t io = {.write = filter_write, .close = filter_close};
			FILE *fp = fopencookie(&filter, "w", io);
			if (!fp) {
				irc = IGRAPH_ENOMEM;
				break;
			}
			/* Entities are ours (clean()): igraph only quotes. */
			irc = igraph_write_graph_gml(&ig, fp, IGRAPH_WRITE_GML_ENCODE_ONLY_QUOT_SW, NULL,
						     "cycletool " CT_VERSION);
			if (fclose(fp) && irc == IGRAPH_SUCCESS)
				irc = IGRAPH_EFILE;
			break;
		}
		case CT_GRAPHOUT_PAJEK:
			irc = igraph_write_graph_pajek(&ig, out);
			break;
		default:
			irc = igraph_write_graph_ncol(&ig, out, "id", NULL);
			break;
		}
	}
	if (have)
		igraph_destroy(&ig);
	const char *msg = ct_gf_igraph_leave(&guard, irc);
	if (irc == IGRAPH_ENOMEM)
		return ct_error_nomem(err);
	if (irc != IGRAPH_SUCCESS)
		return ct_error_set(err, CT_EIO, "cannot write the graph: %s", msg);
	if (ferror(out))
		return ct_error_set(err, CT_EIO, "write error");
	return 0;
}

/* ---- cgraph ---- */

/* agxset() with cgraph 2.42's char * (it copies the value). */
static int xset(void *obj, Agsym_t *sym, const char *value)
{
	return agxset(obj, sym, (char *)value);
}

static int write_dot(FILE *out, struct view *w, struct ct_error *err)
{
	const struct ct_graph *g = w->g;
	Agnode_t **nodes = NULL;
	char id[CT_PRESENT_ID_MAX], num[32];
	int rc = 0;

	Agraph_t *dg = agopen("heap", Agdirected, NULL);
	if (!dg)
		return ct_error_nomem(err);
	Agsym_t *a_type = agattr(dg, AGNODE, "type", "");
	Agsym_t *a_name = agattr(dg, AGNODE, "name", "");
	Agsym_t *a_bytes = agattr(dg, AGNODE, "bytes", "0");
	Agsym_t *a_garbage = agattr(dg, AGNODE, "garbage", "false");
	Agsym_t *a_scc = agattr(dg, AGNODE, "scc", "0");
	Agsym_t *a_label = agattr(dg, AGEDGE, "label", "");
	Agsym_t *a_kind = agattr(dg, AGEDGE, "kind", "strong");
	nodes = calloc((size_t)w->n + 1, sizeof(*nodes));
	if (!a_type || !a_name || !a_bytes || !a_garbage || !a_scc || !a_label || !a_kind ||
	    !nodes) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t i = 0; i < w->n; i++) {
		uint32_t v = node_at(w, i);
		const char *t;
		ct_present_id(g, v, id);
		if (!(nodes[i] = agnode(dg, id, 1))) {
			rc = ct_error_nomem(err);
			goto out;
		}
		if (!(t = node_text(w, v, 1, id)) || xset(nodes[i], a_type, t) ||
		    !(t = node_text(w, v, 2, id)) || xset(nodes[i], a_name, t)) {
			rc = ct_error_nomem(err);
			goto out;
		}
		snprintf(num, sizeof(num), "%" PRIu64, ct_graph_size(g, v));
		agxset(nodes[i], a_bytes, num);
		xset(nodes[i], a_garbage, garbage(w, v) ? "true" : "false");
		snprintf(num, sizeof(num), "%" PRIu32, scc_of(w, v));
		agxset(nodes[i], a_scc, num);
	}
	struct edge_it it = {0};
	uint32_t from, to, e;
	while (view_edge(w, &it, &from, &to, &e)) {
		/* Anonymous, so that parallel references stay apart. */
		Agedge_t *x = agedge(dg, nodes[from], nodes[to], NULL, 1);
		const char *t = clean(w, ct_graph_str(g, ct_graph_label(g, e)));
		if (!x || !t) {
			rc = ct_error_nomem(err);
			goto out;
		}
		xset(x, a_label, t);
		xset(x, a_kind, kind_name(g->kind[e]));
	}
	if (agwrite(dg, out) != 0 || ferror(out))
		rc = ct_error_set(err, CT_EIO, "write error");
out:
	free(nodes);
	agclose(dg);
	return rc;
}

int ct_graphout_write(FILE *out, enum ct_graphout_format f, const struct ct_report *r,
		      const struct ct_selection *sel, struct ct_error *err)
{
	struct view w;
	int rc;

	if ((rc = view_init(&w, f, r, sel, err)))
		goto out;
	if (w.m >= (uint64_t)1 << 40) {
		rc = ct_error_nomem(err);
		goto out;
	}
	rc = f == CT_GRAPHOUT_DOT ? write_dot(out, &w, err) : write_igraph(out, f, &w, err);
out:
	view_finish(&w);
	return rc;
}
