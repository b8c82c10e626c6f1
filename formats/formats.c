#include "loader.h"

#include <string.h>

const struct ct_loader *const ct_loaders[] = {
	&ct_loader_python,
	&ct_loader_meliae,
	&ct_loader_v8,
	&ct_loader_refjson,
	&ct_loader_hprof,
	&ct_loader_dot,
	&ct_loader_graphml,
	&ct_loader_gml,
	&ct_loader_pajek,
	&ct_loader_dimacs,
	&ct_loader_lgl,
	&ct_loader_edgelist,
	NULL,
};

const struct ct_loader *ct_loader_find(const char *name)
{
	for (size_t i = 0; ct_loaders[i]; i++)
		if (strcmp(ct_loaders[i]->name, name) == 0)
			return ct_loaders[i];
	return NULL;
}

int ct_load(struct ct_input *in, const char *format, unsigned opts, struct ct_graph *g,
	    struct ct_error *err)
{
	const struct ct_loader *loader = NULL;
	struct ct_builder b;
	const char *head;
	size_t len;
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = ct_input_peek(in, CT_PROBE_BYTES, &head, &len, err)))
		return rc;
	if (format) {
		loader = ct_loader_find(format);
		if (!loader)
			return ct_error_set(err, CT_EUSAGE, "unknown format '%s'", format);
	} else {
		if (len == 0)
			return ct_error_set(err, CT_EINPUT, "empty input");
		int best = 0;
		for (size_t i = 0; ct_loaders[i]; i++) {
			int score = ct_loaders[i]->probe(head, len);
			if (score > best) {
				best = score;
				loader = ct_loaders[i];
			}
		}
		if (!loader)
			return ct_error_set(err, CT_EINPUT,
					    "unrecognised format (not a cycletool, meliae, V8 or Java (HPROF) dump, "
					    "nor a DOT, GraphML, GML, Pajek, LGL or edge list graph)");
	}
	ct_builder_init(&b, loader->name);
	b.no_labels = opts & CT_BUILD_NO_LABELS;
	b.dominators = opts & CT_BUILD_DOMINATORS;
	rc = loader->load(in, &b, err);
	if (rc) {
		ct_builder_finish(&b);
		return rc;
	}
	return ct_builder_build(&b, opts, g, err);
}
