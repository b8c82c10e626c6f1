/* Loaders: one per input format, each with a probe.
 *
 * To add a format: write formats/<name>.c defining a const struct
 * ct_loader, declare it below and list it in the table in formats.c.
 */
#ifndef CT_LOADER_H
#define CT_LOADER_H

#include <stddef.h>

#include "../lib/error.h"
#include "../lib/graph.h"
#include "../lib/input.h"

/* How many leading bytes a probe is shown (fewer if the input is shorter). */
#define CT_PROBE_BYTES 4096

struct ct_loader {
	const char *name;          /* as given to --format */
	const char *description;   /* one line for --help */
	/* Does head (the first len bytes) look like this format?  0 = no,
	 * higher = more certain (100 = a signature matched). */
	int (*probe)(const char *head, size_t len);
	/* Read the whole input into the builder (not built yet).  Returns 0
	 * or a CT_E* code with err set (position included). */
	int (*load)(struct ct_input *in, struct ct_builder *b, struct ct_error *err);
};

extern const struct ct_loader ct_loader_python;
extern const struct ct_loader ct_loader_meliae;
extern const struct ct_loader ct_loader_refjson;
extern const struct ct_loader ct_loader_v8;
extern const struct ct_loader ct_loader_hprof;
extern const struct ct_loader ct_loader_dot;
extern const struct ct_loader ct_loader_graphml;
extern const struct ct_loader ct_loader_gml;
extern const struct ct_loader ct_loader_pajek;
extern const struct ct_loader ct_loader_dimacs;
extern const struct ct_loader ct_loader_lgl;
extern const struct ct_loader ct_loader_edgelist;

/* All loaders, NULL-terminated, in --help order. */
extern const struct ct_loader *const ct_loaders[];

/* The loader called name, or NULL. */
const struct ct_loader *ct_loader_find(const char *name);

/* Load a graph from in.  format is a loader name or NULL to probe.
 * opts are enum ct_builder_opt bits.  On success *g is filled (the caller
 * releases it with ct_graph_finish()); on failure *g is left zeroed and
 * err says why, with the position. */
int ct_load(struct ct_input *in, const char *format, unsigned opts, struct ct_graph *g,
	    struct ct_error *err);

#endif
