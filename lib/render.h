/* Renderers: draw a selection (select.h) through graphviz, or as an
 * indented text tree.  They write to a FILE * the caller owns. */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
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
	const char *engine;    /* graphviz layout engine (borrowed); NULL:
				* ct_render_auto_engine() */
	/* Optional: called by ct_render_graphviz() just before graphviz lays
	 * out and renders the picture (start true) and just after (start
	 * false), with the engine used and the size of the graph laid out
	 * (stub nodes and edges included): the caller's chance to warn and
	 * to show progress, since layout runs inside graphviz and cannot
	 * report it.  Not called for DOT, which is written without layout. */
	void (*on_layout)(void *ctx, bool start, const char *engine, uint32_t nodes,
			  uint32_t edges);
	void *ctx;             /* passed to on_layout */
};

/* The layout budget: dot (layered, the most readable) only when the graph
 * laid out has at most CT_RENDER_DOT_BUDGET nodes plus edges, else sfdp.
 *
 * dot's time depends less on the size of a graph than on its shape: it
 * ranks the nodes in layers and routes every edge through one virtual
 * node per layer it spans (two with a label), then reorders the layers
 * to cut crossings.  A long cycle whose members all refer back to one
 * object (minidom: each node's ownerDocument; a chain of n nodes with a
 * labelled edge back to its head) has edges spanning O(n) layers, and
 * the time grows faster than n^3.  `cycletool render` to SVG, measured on
 * the project's 2-core machine (load 2) with graphviz 2.42 by
 * bench/render_layout.sh (nodes and edges as laid out, stubs included):
 *
 *   graph                                     nodes  edges    dot     sfdp
 *   owner ring (bench/make_owner_ring_dump)      30     59    0.10 s  0.05 s
 *                                                50     99    0.45 s  0.06 s
 *                                                60    119    1.2 s   0.06 s
 *                                                70    139    3.5 s   0.08 s
 *                                                80    159   12 s     0.07 s
 *                                               100    199  > 60 s    0.07 s
 *   minidom garbage --top 2 --max-nodes 25       26     75    0.09 s  0.07 s
 *   (bench/minidom_garbage.py)          50       51    248    1.1 s   0.08 s
 *                                      100      101    448   19 s     0.11 s
 *                                      300      301    957   18 s     0.20 s
 *   testdata minidom --top 5                    176    384    0.18 s  0.08 s
 *   testdata V8 --top 1 --max-nodes 150         151    608    0.26 s  0.15 s
 *
 * sfdp stays at a fraction of a second at every size render draws (300
 * objects by default; bench/render_500.sh: 500 in about a second), while
 * dot's time is decided by shape, not size: 608 edges of the V8 testdata
 * take it 0.26 s, 199 edges of a ring over a minute.  A rule on size alone
 * must therefore be set by the worst shape: within nodes + edges <= 150
 * dot stayed under half a second on every graph measured, and just past
 * it (ring of 60, minidom at 50 objects) it already took over a second. */
#define CT_RENDER_DOT_BUDGET 150

/* dot is refused past this many nodes plus edges, even when asked for:
 * a ring of 1,000 objects took it 9 s, one of 5,000 over two minutes
 * and one of 200,000 overflowed its stack after 24 s (layout now runs on
 * a thread with a 1 GiB stack, so it would run for hours instead).
 * CT_EUSAGE, suggesting sfdp. */
#define CT_RENDER_DOT_MAX 5000

/* The engine the default picks for a graph of this many nodes and edges:
 * "dot" within CT_RENDER_DOT_BUDGET, else "sfdp" (static strings). */
const char *ct_render_auto_engine(uint32_t nodes, uint32_t edges);

/* The format named by a file name's extension or a -T argument ("dot",
 * "gv", "svg", "png", "txt"); -1 if unknown. */
int ct_render_format_from_name(const char *name);

/* DOT (through cgraph) or SVG/PNG (laid out through gvc).  Objects the
 * cap cut are stood for by one "N more not drawn" node per cluster, with
 * a dotted edge from (or to) each drawn node that refers to (or is
 * referred to by) cut ones; the edge's "cut" attribute counts them.
 * The graph's "comment" attribute names the engine and why it was chosen
 * ("layout: sfdp, chosen: 331 nodes and edges, over the dot budget of
 * 150"): a
 * comment line in SVG, an attribute in DOT (the engine SVG or PNG would
 * use; it does not bind dot(1), as a "layout" attribute would).
 * SVG and PNG are rendered to memory (gvRenderData) and then written to
 * out, so graphviz never exits the process.  Returns 0, CT_EIO (writing
 * to out failed: see ferror(out) and errno), CT_ENOMEM, or CT_ERENDER when
 * graphviz cannot lay out or render (its message in err); cycletool
 * exits 4 for each of the last three (cycletool(1), EXIT STATUS). */
int ct_render_graphviz(FILE *out, const struct ct_selection *sel,
		       const struct ct_render_opts *o, struct ct_error *err);

/* An indented tree of each cluster (or neighbourhood) with labelled
 * edges; references back to nodes already shown are marked.  With
 * o->by_type, the aggregation the by-type picture draws instead: the
 * types of the drawn objects with their counts and bytes, and the
 * references between types with their counts and most frequent label. */
int ct_render_tree(FILE *out, const struct ct_selection *sel, const struct ct_render_opts *o,
		   struct ct_error *err);

/* "#3 garbage, 50 SCCs, 15.2 KiB" for a cluster, into buf. */
void ct_render_cluster_title(const struct ct_selection *sel, uint32_t cluster, char *buf,
			     size_t n);

#endif
