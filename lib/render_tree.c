/* The text rendering: each cluster (or neighbourhood) as an indented
 * tree of labelled references, walked depth first without recursion. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "present.h"

struct frame {
	uint32_t i;        /* drawn node */
	uint32_t e, end;   /* next edge, end of its edges */
	uint32_t last;     /* its last edge to a drawn node, or CT_NONE */
	bool cut_pending;  /* the "more not drawn" line is still to come */
};

static void node_text(FILE *out, const struct ct_graph *g, uint32_t v)
{
	char addr[CT_PRESENT_ID_MAX], bytes[CT_PRESENT_BYTES_MAX];
	const char *type = ct_graph_str(g, g->type[v]);

	ct_present_id(g, v, addr);
	ct_present_bytes(ct_graph_size(g, v), bytes);
	ct_present_put(out, type, CT_PRESENT_NAME_BYTES);
	uint32_t value = ct_graph_value(g, v);
	if (value) {
		bool quote = ct_present_quoted(type);
		fputs(quote ? " '" : " ", out);
		ct_present_put(out, ct_graph_str(g, value), CT_PRESENT_NAME_BYTES);
		if (quote)
			fputc('\'', out);
	}
	fprintf(out, " %s (%s)", addr, bytes);
}

/* Does the tree follow edge e out of drawn node i: to a drawn node of
 * the same cluster (each cluster gets its own tree). */
static bool follows(const struct ct_selection *sel, uint32_t i, uint32_t e)
{
	uint32_t w = sel->pos[sel->r->g->dst[e]];

	return w != CT_NONE && sel->cluster[w] == sel->cluster[i];
}

static uint32_t last_drawn_edge(const struct ct_selection *sel, uint32_t i)
{
	const struct ct_graph *g = sel->r->g;
	uint32_t v = sel->nodes[i], last = CT_NONE;

	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (follows(sel, i, e))
			last = e;
	return last;
}

static void prefix(FILE *out, const bool *more, uint32_t depth)
{
	for (uint32_t d = 0; d < depth; d++)
		fputs(more[d] ? "\xe2\x94\x82   " : "    ", out);  /* "│   " */
}

/* Print the tree under drawn node root; shown[] marks nodes printed. */
static void tree(FILE *out, const struct ct_selection *sel, uint32_t root, bool *shown,
		 struct frame *stack, bool *more)
{
	const struct ct_graph *g = sel->r->g;
	uint32_t sp = 0;

	node_text(out, g, sel->nodes[root]);
	fputc('\n', out);
	shown[root] = true;
	uint32_t v = sel->nodes[root];
	stack[sp++] = (struct frame){root, g->out_off[v], g->out_off[v + 1],
				     last_drawn_edge(sel, root), sel->cut_out[root] > 0};
	while (sp) {
		struct frame *f = &stack[sp - 1];
		uint32_t e = f->e;
		while (e < f->end && !follows(sel, f->i, e))
			e++;
		if (e >= f->end) {
			if (f->cut_pending) {
				prefix(out, more, sp - 1);
				fprintf(out, "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 ... %" PRIu32
					" more references to objects not drawn\n", sel->cut_out[f->i]);
				f->cut_pending = false;
			}
			sp--;
			continue;
		}
		f->e = e + 1;
		bool is_last = e == f->last && !f->cut_pending;
		uint32_t wi = sel->pos[g->dst[e]];
		prefix(out, more, sp - 1);
		fputs(is_last ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 " : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 ",
		      out);  /* "└── " or "├── " */
		const char *label = ct_graph_str(g, g->label[e]);
		if (*label) {
			ct_present_put(out, label, CT_PRESENT_NAME_BYTES);
			fputc(' ', out);
		}
		if (g->kind[e] == CT_EDGE_WEAK)
			fputs("(weak) ", out);
		fputs("\xe2\x86\x92 ", out);  /* "→ " */
		if (shown[wi]) {
			fputs("\xe2\x86\xba ", out);  /* "↺ " back to a node shown above */
			node_text(out, g, sel->nodes[wi]);
			fputc('\n', out);
			continue;
		}
		node_text(out, g, sel->nodes[wi]);
		fputc('\n', out);
		shown[wi] = true;
		more[sp - 1] = !is_last;
		uint32_t w = sel->nodes[wi];
		stack[sp++] = (struct frame){wi, g->out_off[w], g->out_off[w + 1],
					     last_drawn_edge(sel, wi), sel->cut_out[wi] > 0};
	}
}

/* A row of a by-type table, sorted by count (most first), then by the
 * type names, so that the output does not depend on the dump's order. */
struct row {
	uint32_t count;
	const char *from, *to;  /* type names; to is "" for a type row */
	uint32_t i;             /* index into the types or the edges */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->from, y->from)))
		return c;
	return strcmp(x->to, y->to);
}

/* The by-type aggregation as two tables: what the by-type picture draws
 * as nodes (types with counts and bytes) and as edges (type to type,
 * with the number of references and their most frequent label). */
static int by_type_text(FILE *out, const struct ct_selection *sel, struct ct_error *err)
{
	const struct ct_graph *g = sel->r->g;
	struct ct_by_type bt = {0};
	struct row *rows = NULL;
	uint64_t refs = 0;
	int rc;

	if ((rc = ct_by_type_build(&bt, sel, err)))
		return rc;
	rows = malloc(((size_t)bt.n_types + bt.n_edges + 1) * sizeof(*rows));
	if (!rows) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t t = 0; t < bt.n_types; t++)
		rows[t] = (struct row){bt.types[t].count, ct_graph_str(g, bt.types[t].type), "", t};
	qsort(rows, bt.n_types, sizeof(*rows), row_cmp);
	fprintf(out, "\n%" PRIu32 " type%s, %" PRIu32 " object%s drawn\n", bt.n_types,
		bt.n_types == 1 ? "" : "s", sel->n, sel->n == 1 ? "" : "s");
	fputs("  OBJECTS  GARBAGE       BYTES  TYPE\n", out);
	for (uint32_t k = 0; k < bt.n_types; k++) {
		const struct ct_type_node *tn = &bt.types[rows[k].i];
		char bytes[CT_PRESENT_BYTES_MAX];
		ct_present_bytes(tn->bytes, bytes);
		fprintf(out, "  %7" PRIu32 "  %7" PRIu32 "  %10s  ", tn->count, tn->garbage, bytes);
		ct_present_put(out, rows[k].from, CT_PRESENT_NAME_BYTES);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < bt.n_edges; i++) {
		const struct ct_type_edge *te = &bt.edges[i];
		rows[i] = (struct row){te->count, ct_graph_str(g, bt.types[te->from].type),
				       ct_graph_str(g, bt.types[te->to].type), i};
		refs += te->count;
	}
	qsort(rows, bt.n_edges, sizeof(*rows), row_cmp);
	fprintf(out, "\n%" PRIu64 " reference%s between drawn objects, %" PRIu32
		" type-to-type pair%s\n", refs, refs == 1 ? "" : "s", bt.n_edges,
		bt.n_edges == 1 ? "" : "s");
	if (bt.n_edges)
		fputs("     REFS  FROM \xe2\x86\x92 TO  (most frequent label)\n", out);
	for (uint32_t k = 0; k < bt.n_edges; k++) {
		const struct ct_type_edge *te = &bt.edges[rows[k].i];
		fprintf(out, "  %7" PRIu32 "  ", te->count);
		ct_present_put(out, rows[k].from, CT_PRESENT_NAME_BYTES);
		fputs(CT_PRESENT_ARROW, out);
		ct_present_put(out, rows[k].to, CT_PRESENT_NAME_BYTES);
		const char *label = te->label ? ct_graph_str(g, te->label) : "";
		if (*label || te->weak) {
			fputs("  (", out);
			ct_present_put(out, label, CT_PRESENT_NAME_BYTES);
			fputs(te->weak ? (*label ? ", weak)" : "weak)") : ")", out);
		}
		fputc('\n', out);
	}
out:
	free(rows);
	ct_by_type_finish(&bt);
	return rc;
}

int ct_render_tree(FILE *out, const struct ct_selection *sel, const struct ct_render_opts *o,
		   struct ct_error *err)
{
	const struct ct_report *r = sel->r;
	const struct ct_graph *g = r->g;
	bool *shown = calloc(sel->n + 1, sizeof(*shown));
	bool *more = calloc(sel->n + 1, sizeof(*more));
	struct frame *stack = malloc((sel->n + 1) * sizeof(*stack));
	char title[160];
	int rc = 0;

	if (!shown || !more || !stack) {
		free(shown);
		free(more);
		free(stack);
		return ct_error_nomem(err);
	}
	if (o->title) {
		ct_present_put(out, o->title, SIZE_MAX);
		fputc('\n', out);
	}
	if (o->by_type) {
		rc = by_type_text(out, sel, err);
		goto cut;
	}
	for (uint32_t c = 0; c < sel->n_clusters; c++) {
		const struct ct_report_scc *e = &r->sccs[sel->clusters[c].scc];
		ct_render_cluster_title(sel, c, title, sizeof(title));
		fprintf(out, "\n%s\n", title);
		ct_present_put_steps(out, ct_report_signature(r, &r->groups[e->group]),
				     CT_PRESENT_SIGNATURE_BYTES);
		fputc('\n', out);
		/* With --path, how the SCC is held, root first. */
		bool path = false;
		for (uint32_t i = 0; i < sel->n && !path; i++)
			path = sel->role[i] == CT_SEL_PATH;
		if (path && e->path_len > 1) {
			uint32_t pn[2 * CT_REPORT_PATH_HEAD], pes[2 * CT_REPORT_PATH_HEAD], omitted;
			uint32_t len = ct_report_path(r, e, CT_REPORT_PATH_HEAD, CT_REPORT_PATH_HEAD,
						      pn, pes, &omitted);
			fputs("held by:\n", out);
			for (uint32_t k = 0; k + 1 < len; k++) {
				uint32_t u = pn[k];
				uint32_t pe = pes[k];
				if (omitted && k == CT_REPORT_PATH_HEAD)
					fprintf(out, "  \xe2\x80\xa6 (%" PRIu32 " more)\n", omitted);
				fprintf(out, "  ");
				node_text(out, g, u);
				fputc(' ', out);
				ct_present_put(out, ct_graph_str(g, g->label[pe]), CT_PRESENT_NAME_BYTES);
				fputs(" \xe2\x86\x92\n", out);
			}
		}
		/* The tree from the representative cycle's start, then any members
		 * it did not reach. */
		for (uint32_t i = 0; i < sel->n; i++)
			if (sel->cluster[i] == c && sel->role[i] == CT_SEL_MEMBER && !shown[i])
				tree(out, sel, i, shown, stack, more);
	}
	if (sel->n_clusters == 0)
		for (uint32_t i = 0; i < sel->n; i++)
			if (!shown[i])
				tree(out, sel, i, shown, stack, more);
cut:
	if (!rc && (sel->n_cut || sel->groups_left_out))
		fprintf(out, "\ncut at %" PRIu32 " nodes (--max-nodes): %" PRIu32
			" more objects and %" PRIu32 " more groups not shown\n",
			sel->max_nodes, sel->n_cut, sel->groups_left_out);
	free(shown);
	free(more);
	free(stack);
	if (rc)
		return rc;
	return ferror(out) ? ct_error_set(err, CT_EIO, "write error") : 0;
}
