/* Shared by the graph-file loaders (formats/dot.c, formats/igraph.c):
 * reading the whole input into memory and handing a graph given as node
 * and edge arrays to a builder.
 *
 * Graph files name no addresses and no reference counts.  Nodes whose ids
 * are all decimal integers or "@N" (and distinct) keep them as their ids,
 * shown "@N"; nodes whose ids are all hexadecimal "0x..." addresses (as
 * cycletool export writes a Python or HPROF dump) keep them, shown
 * "0x..."; otherwise every node is numbered by its position (from 0) and
 * a non-numeric id becomes the node's name (its short value).  A node's
 * "name" attribute, where the loader has one, is its name whatever the id.
 * An edge's "kind" attribute "weak", "internal" or "shortcut" gives the
 * edge that kind (cycletool export writes it); anything else is strong.
 */
#ifndef CT_GRAPHFILE_H
#define CT_GRAPHFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/error.h"
#include "../lib/graph.h"
#include "../lib/input.h"

#include <igraph.h>

/* These formats are read whole (they are not streamed): a larger input
 * (after decompression) is refused with CT_EINPUT. */
#define CT_GRAPHFILE_MAX ((size_t)1 << 30)

/* A graph file's graph, strings interned in the builder's arena. */
struct ct_gf {
	uint32_t n;          /* nodes */
	uint64_t *addr;      /* per node: numeric id, when ids are numeric */
	uint32_t *type;      /* per node: type name (string id) */
	uint32_t *value;     /* per node: name (string id, 0 = none) */
	uint64_t *size;      /* per node: bytes */
	uint32_t *name;      /* per node: "name" attribute (string id, 0 = none) */
	bool numeric;        /* every id so far is an id (decimal, "@N" or "0x...") */
	bool any_hex;        /* some id is "0x..." */
	bool any_dec;        /* some id is decimal or "@N" */
	uint32_t m;          /* edges */
	uint32_t *from, *to; /* per edge: node positions */
	uint32_t *label;     /* per edge: label (string id, 0 = none) */
	uint8_t *kind;       /* per edge: enum ct_edge_kind */
};

/* Read all of in into a new NUL-terminated buffer (*buf, the caller
 * frees it; *len excludes the NUL).  format names the format in the
 * message when the input passes CT_GRAPHFILE_MAX.  Returns 0, CT_EINPUT
 * or CT_ENOMEM. */
int ct_gf_slurp(struct ct_input *in, const char *format, char **buf, size_t *len,
		struct ct_error *err);

/* Allocate arrays for n nodes and m edges (types "node", sizes 0, no
 * names, no labels).  Returns 0 or CT_ENOMEM (CT_EINPUT when the counts
 * pass what a graph holds).  Release with ct_gf_finish() either way. */
int ct_gf_init(struct ct_gf *gf, struct ct_builder *b, uint64_t n, uint64_t m,
	       struct ct_error *err);
void ct_gf_finish(struct ct_gf *gf);

/* Node v's id as the file writes it (NULL or "" = none). */
int ct_gf_set_id(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *id,
		 struct ct_error *err);
/* Node v's type (NULL or "" keeps "node"). */
int ct_gf_set_type(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *type,
		   struct ct_error *err);
/* Node v's size from text (a number of bytes; anything else keeps 0). */
void ct_gf_set_size_text(struct ct_gf *gf, uint32_t v, const char *text);
/* Node v's name (NULL or "" = none). */
int ct_gf_set_name(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *name,
		   struct ct_error *err);
/* Edge e's kind from text: "weak", "internal", "shortcut"; anything else
 * (or NULL) keeps it strong. */
void ct_gf_set_kind_text(struct ct_gf *gf, uint32_t e, const char *text);
/* Edge e's label (NULL or "" = none). */
int ct_gf_set_label(struct ct_gf *gf, struct ct_builder *b, uint32_t e, const char *label,
		    struct ct_error *err);

/* Add the nodes and edges to b (targets by index), each node followed by
 * its out-edges in file order.  Returns 0 or a CT_E* code. */
int ct_gf_emit(struct ct_gf *gf, struct ct_builder *b, struct ct_error *err);

/* igraph around a call into it (formats/igraph.c reading, formats/
 * graphout.c writing): igraph's default error handler aborts and its
 * warning handler prints.  ct_gf_igraph_enter() installs handlers that
 * keep igraph's first message, free what igraph allocated (its FINALLY
 * stack) and return, and sets the C attribute handler;
 * ct_gf_igraph_leave() puts the previous handlers back and returns that
 * message (static storage, valid until the next enter) in the project's
 * form -- lower case first letter, no full stop, one line -- or
 * igraph_strerror(irc) when igraph gave none.  Not reentrant. */
struct ct_gf_igraph {
	igraph_error_handler_t *old_err;
	igraph_warning_handler_t *old_warn;
};

void ct_gf_igraph_enter(struct ct_gf_igraph *s);
const char *ct_gf_igraph_leave(struct ct_gf_igraph *s, igraph_error_t irc);

#endif
