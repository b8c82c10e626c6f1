/* Graph files read whole, and handed to the builder (graphfile.h). */
#include "graphfile.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/present.h"

int ct_gf_slurp(struct ct_input *in, const char *format, char **buf, size_t *len,
		struct ct_error *err)
{
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap + 1), *q;
	long got;
	int rc = 0;

	if (!p)
		return ct_error_nomem(err);
	for (;;) {
		if (n == cap) {
			if (cap >= CT_GRAPHFILE_MAX) {
				rc = ct_error_set(err, CT_EINPUT,
						  "%s input larger than 1 GiB (graph files are read "
						  "whole, up to 1 GiB)", format);
				goto out;
			}
			cap = cap * 2 > CT_GRAPHFILE_MAX ? CT_GRAPHFILE_MAX : cap * 2;
			if (!(q = realloc(p, cap + 1))) {
				rc = ct_error_nomem(err);
				goto out;
			}
			p = q;
		}
		got = ct_input_read(in, p + n, cap - n, err);
		if (got < 0) {
			rc = err && err->code ? err->code : CT_EINPUT;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n == cap && cap == CT_GRAPHFILE_MAX) {
			/* One more byte says whether the input goes on. */
			char c;
			got = ct_input_read(in, &c, 1, err);
			if (got < 0) {
				rc = err && err->code ? err->code : CT_EINPUT;
				goto out;
			}
			if (got == 0)
				break;
			rc = ct_error_set(err, CT_EINPUT,
					  "%s input larger than 1 GiB (graph files are read whole, "
					  "up to 1 GiB)", format);
			goto out;
		}
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	p = NULL;
out:
	free(p);
	return rc;
}

int ct_gf_init(struct ct_gf *gf, struct ct_builder *b, uint64_t n, uint64_t m,
	       struct ct_error *err)
{
	memset(gf, 0, sizeof(*gf));
	if (n >= CT_NONE || m >= UINT32_MAX)
		return ct_error_set(err, CT_EINPUT, "graph too large (%" PRIu64 " nodes, %" PRIu64
				    " edges)", n, m);
	gf->n = (uint32_t)n;
	gf->m = (uint32_t)m;
	gf->numeric = true;
	uint32_t node = ct_builder_intern(b, "node", 4);
	if (node == CT_NONE)
		return ct_error_nomem(err);
	gf->addr = calloc(n + 1, sizeof(*gf->addr));
	gf->type = malloc((n + 1) * sizeof(*gf->type));
	gf->value = calloc(n + 1, sizeof(*gf->value));
	gf->size = calloc(n + 1, sizeof(*gf->size));
	gf->from = malloc((m + 1) * sizeof(*gf->from));
	gf->to = malloc((m + 1) * sizeof(*gf->to));
	gf->label = calloc(m + 1, sizeof(*gf->label));
	gf->name = calloc(n + 1, sizeof(*gf->name));
	gf->kind = calloc(m + 1, sizeof(*gf->kind));
	if (!gf->addr || !gf->type || !gf->value || !gf->size || !gf->from || !gf->to ||
	    !gf->label || !gf->name || !gf->kind)
		return ct_error_nomem(err);
	for (uint64_t v = 0; v < n; v++)
		gf->type[v] = node;
	return 0;
}

void ct_gf_finish(struct ct_gf *gf)
{
	free(gf->addr);
	free(gf->type);
	free(gf->value);
	free(gf->size);
	free(gf->from);
	free(gf->to);
	free(gf->label);
	free(gf->name);
	free(gf->kind);
	memset(gf, 0, sizeof(*gf));
}

int ct_gf_set_id(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *id,
		 struct ct_error *err)
{
	if (!id || !*id) {
		gf->numeric = false;
		return 0;
	}
	/* Decimal, "@N" or "0x..." (ct_present_parse_id()). */
	if (!ct_present_parse_id(id, &gf->addr[v]))
		gf->numeric = false;
	else if (id[0] == '0' && (id[1] == 'x' || id[1] == 'X'))
		gf->any_hex = true;
	else
		gf->any_dec = true;
	if ((gf->value[v] = ct_builder_intern(b, id, strlen(id))) == CT_NONE)
		return ct_error_nomem(err);
	return 0;
}

int ct_gf_set_name(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *name,
		   struct ct_error *err)
{
	if (!name || !*name)
		return 0;
	if ((gf->name[v] = ct_builder_intern(b, name, strlen(name))) == CT_NONE)
		return ct_error_nomem(err);
	return 0;
}

void ct_gf_set_kind_text(struct ct_gf *gf, uint32_t e, const char *text)
{
	if (!text)
		return;
	if (strcmp(text, "weak") == 0)
		gf->kind[e] = CT_EDGE_WEAK;
	else if (strcmp(text, "internal") == 0)
		gf->kind[e] = CT_EDGE_INTERNAL;
	else if (strcmp(text, "shortcut") == 0)
		gf->kind[e] = CT_EDGE_SHORTCUT;
}

int ct_gf_set_type(struct ct_gf *gf, struct ct_builder *b, uint32_t v, const char *type,
		   struct ct_error *err)
{
	if (!type || !*type)
		return 0;
	if ((gf->type[v] = ct_builder_intern(b, type, strlen(type))) == CT_NONE)
		return ct_error_nomem(err);
	return 0;
}

void ct_gf_set_size_text(struct ct_gf *gf, uint32_t v, const char *text)
{
	char *end;
	double d;

	if (!text || !*text)
		return;
	errno = 0;
	d = strtod(text, &end);
	if (end == text || *end || errno || !(d >= 0))
		return;
	gf->size[v] = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
}

int ct_gf_set_label(struct ct_gf *gf, struct ct_builder *b, uint32_t e, const char *label,
		    struct ct_error *err)
{
	if (!label || !*label || b->no_labels)
		return 0;
	if ((gf->label[e] = ct_builder_intern(b, label, strlen(label))) == CT_NONE)
		return ct_error_nomem(err);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int ct_gf_emit(struct ct_gf *gf, struct ct_builder *b, struct ct_error *err)
{
	uint32_t *off = NULL, *order = NULL;
	uint64_t *sorted = NULL;
	/* Hexadecimal addresses and "@N" ids do not mix. */
	bool numeric = gf->numeric && gf->n > 0 && !(gf->any_hex && gf->any_dec);
	int rc = 0;

	b->by_index = true;
	if (numeric) {
		/* Numeric ids must also be distinct to stand for the nodes. */
		if (!(sorted = malloc(gf->n * sizeof(*sorted)))) {
			rc = ct_error_nomem(err);
			goto out;
		}
		memcpy(sorted, gf->addr, gf->n * sizeof(*sorted));
		qsort(sorted, gf->n, sizeof(*sorted), cmp_u64);
		for (uint32_t i = 1; i < gf->n && numeric; i++)
			numeric = sorted[i] != sorted[i - 1];
	}
	off = calloc((size_t)gf->n + 2, sizeof(*off));
	order = malloc(((size_t)gf->m + 1) * sizeof(*order));
	if (!off || !order) {
		rc = ct_error_nomem(err);
		goto out;
	}
	/* The edges grouped by source, in file order (a counting sort). */
	for (uint32_t e = 0; e < gf->m; e++)
		off[gf->from[e] + 2]++;
	for (uint32_t v = 0; v < gf->n; v++)
		off[v + 2] += off[v + 1];
	for (uint32_t e = 0; e < gf->m; e++)
		order[off[gf->from[e] + 1]++] = e;
	if ((rc = ct_builder_reserve(b, gf->n, gf->m)))
		goto out;
	for (uint32_t v = 0; v < gf->n; v++) {
		/* A numeric id is shown as the id; the name would repeat it. */
		uint32_t value = gf->name[v] ? gf->name[v] : numeric ? 0 : gf->value[v];
		if ((rc = ct_builder_node(b, numeric ? gf->addr[v] : v, gf->type[v], gf->size[v], 0,
					  value, false, 0, 0, err)))
			goto out;
		for (uint32_t i = off[v]; i < off[v + 1]; i++) {
			uint32_t e = order[i];
			if ((rc = ct_builder_edge_index(b, gf->to[e], gf->label[e], gf->kind[e],
							err)))
				goto out;
		}
	}
	/* Positions and "@N" ids are shown "@N", addresses "0x...". */
	b->g.numeric_ids = !(numeric && gf->any_hex);
out:
	free(sorted);
	free(off);
	free(order);
	return rc;
}

/* ---- igraph's handlers ---- */

static char igraph_msg[512];

static void igraph_on_error(const char *reason, const char *file, int line,
			    igraph_error_t code)
{
	(void)file;
	(void)line;
	(void)code;
	/* Keep the first: later ones are consequences.  Copy it before
	 * freeing igraph's objects (reason may live in one). */
	if (!igraph_msg[0])
		snprintf(igraph_msg, sizeof(igraph_msg), "%s", reason ? reason : "unknown error");
	IGRAPH_FINALLY_FREE();
}

static void igraph_on_warning(const char *reason, const char *file, int line)
{
	(void)reason;
	(void)file;
	(void)line;
}

void ct_gf_igraph_enter(struct ct_gf_igraph *s)
{
	igraph_set_attribute_table(&igraph_cattribute_table);
	s->old_err = igraph_set_error_handler(igraph_on_error);
	s->old_warn = igraph_set_warning_handler(igraph_on_warning);
	igraph_msg[0] = '\0';
}

const char *ct_gf_igraph_leave(struct ct_gf_igraph *s, igraph_error_t irc)
{
	igraph_set_error_handler(s->old_err);
	igraph_set_warning_handler(s->old_warn);
	if (!igraph_msg[0])
		return igraph_strerror(irc);
	/* In the project's lower case: libxml2's "Line 6: ..." (GraphML) and
	 * any other sentence ("Reading DIMACS ... failed"), not an acronym
	 * ("GML ..."), */
	if (igraph_msg[0] >= 'A' && igraph_msg[0] <= 'Z' && igraph_msg[1] >= 'a' &&
	    igraph_msg[1] <= 'z')
		igraph_msg[0] = (char)(igraph_msg[0] - 'A' + 'a');
	/* and without a full stop or a newline at the end. */
	size_t n = strlen(igraph_msg);
	while (n && strchr(".\n ", igraph_msg[n - 1]))
		igraph_msg[--n] = '\0';
	for (char *c = igraph_msg; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return igraph_msg;
}
