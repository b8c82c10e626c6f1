/* Renderers: draw a selection (select.h) through graphviz, or as an
 * indented text tree.  They write to a FILE * the caller owns. */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "select.h"

enum ct_render_format {
	CT_RENDER_DOT,
	CT_RENDER_SVG,
	CT_RENDER_PNG,
	CT_RENDER_TXT,
};

struct ct_render_opts {
	enum ct_render_format format;
	bool by_type;          /* one node per type (ct_by_type_build) */
	const char *title;     /* shown at the top (borrowed), e.g. the dump's name */
	const char *engine;    /* graphviz layout engine; NULL: dot for up to
				* CT_RENDER_DOT_NODES drawn nodes, else sfdp */
};

/* dot's layered layout reads best but takes tens of seconds past a few
 * hundred densely linked nodes; sfdp lays out 500 in about a second. */
#define CT_RENDER_DOT_NODES 150

/* The format named by a file name's extension or a -T argument ("dot",
 * "gv", "svg", "png", "txt"); -1 if unknown. */
int ct_render_format_from_name(const char *name);

/* DOT (through cgraph) or SVG/PNG (laid out through gvc).  Objects the
 * cap cut are stood for by one "N more not drawn" node per cluster, with
 * a dotted edge from (or to) each drawn node that refers to (or is
 * referred to by) cut ones; the edge's "cut" attribute counts them.
 * SVG and PNG are rendered to memory (gvRenderData) and then written to
 * out, so graphviz never exits the process.  Returns 0, CT_EIO (writing
 * to out failed: see ferror(out) and errno), CT_ENOMEM, or CT_ERENDER when
 * graphviz cannot lay out or render (its message in err); cycletool
 * exits 4 for each of the last three (cycletool(1), EXIT STATUS). */
int ct_render_graphviz(FILE *out, const struct ct_selection *sel,
		       const struct ct_render_opts *o, struct ct_error *err);

/* An indented tree of each cluster (or neighbourhood) with labelled
 * edges; references back to nodes already shown are marked. */
int ct_render_tree(FILE *out, const struct ct_selection *sel, const struct ct_render_opts *o,
		   struct ct_error *err);

/* "#3 garbage, 50 SCCs, 15.2 KiB" for a cluster, into buf. */
void ct_render_cluster_title(const struct ct_selection *sel, uint32_t cluster, char *buf,
			     size_t n);

#endif
