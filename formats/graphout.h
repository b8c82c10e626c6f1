/* Graph files out: a dump's graph, or a selection of it, as GraphML, GML,
 * Pajek or an edge list (through igraph's writers) or DOT (through
 * cgraph), for Gephi, Cytoscape, networkx, igraph and graphviz.
 *
 * Per node (GraphML, GML and DOT carry them all):
 *   id       the id any command prints ("0x7f3a5c1e40", "@123"); DOT's
 *            node name, Pajek's vertex label, the edge list's names, and
 *            in GML the node's "label" (GML's own "id" is an integer:
 *            the node's position from 0, which is what the loaders read
 *            back as its id)
 *   type     the type name
 *   name     the short value or name (ct_present_name()), "" for none
 *   bytes    the self size (a number: a double in GraphML and GML)
 *   garbage  whether the object is garbage (boolean; GML: 1 or 0; DOT:
 *            "true" or "false")
 *   scc      the id scan gives the object's cyclic SCC, 0 for none
 * Per edge: label (the attribute name, key or index, "" for none) and
 * kind ("strong", "weak", "internal" or "shortcut").  Edges point from
 * the referrer to the referent.  Pajek keeps only ids and edges, an edge
 * list only the edges ("ID ID" a line: objects without references are
 * not in it).  Text is made valid UTF-8 without control characters
 * (each invalid byte or control character becomes U+FFFD), as XML needs;
 * GML is ASCII ("&#N;" beyond it, as networkx reads it); in DOT each
 * backslash is doubled ("\\" is graphviz's backslash in a label, and a
 * single one could end the quoted string).
 * cycletool's graph-file loaders read these attributes back (graphfile.h).
 */
#ifndef CT_GRAPHOUT_H
#define CT_GRAPHOUT_H

#include <stdio.h>

#include "../lib/error.h"
#include "../lib/report.h"
#include "../lib/select.h"

enum ct_graphout_format {
	CT_GRAPHOUT_GRAPHML,
	CT_GRAPHOUT_GML,
	CT_GRAPHOUT_DOT,
	CT_GRAPHOUT_PAJEK,
	CT_GRAPHOUT_EDGELIST,
};

/* The format called name ("graphml", "gml", "dot", "pajek", "edgelist"),
 * or -1. */
int ct_graphout_format_from_name(const char *name);

/* Write the graph of r (r->g, its garbage and its SCC ids) to out (the
 * caller's): every node and edge, or with sel (from r) only the nodes
 * sel draws and the edges between them.  Returns 0, CT_ENOMEM or CT_EIO
 * (the writer failed; the caller still checks the stream at exit). */
int ct_graphout_write(FILE *out, enum ct_graphout_format f, const struct ct_report *r,
		      const struct ct_selection *sel, struct ct_error *err);

#endif
