/* The text writer: grouped, aligned, for people. */
#include <inttypes.h>
#include <string.h>

#include "write.h"

#define ARROW " \xe2\x86\x92 "

void ct_format_bytes(uint64_t b, char *buf, size_t n)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};

	if (b < 1024) {
		snprintf(buf, n, "%" PRIu64 " B", b);
		return;
	}
	double x = (double)b / 1024;
	int u = 0;
	while (x >= 1024 && u < 3) {
		x /= 1024;
		u++;
	}
	snprintf(buf, n, "%.1f %s", x, unit[u]);
}

struct style {
	const char *bold, *red, *green, *dim, *off;
};

static const struct style plain = {"", "", "", "", ""};
static const struct style ansi = {"\033[1m", "\033[31m", "\033[32m", "\033[2m", "\033[0m"};

/* One node as "type" or "type(value)"; strings quoted. */
static void node(FILE *out, const struct ct_graph *g, uint32_t v)
{
	const char *t = ct_graph_str(g, g->type[v]);

	fputs(t, out);
	if (!g->value[v])
		return;
	const char *val = ct_graph_str(g, g->value[v]);
	bool quote = strcmp(t, "str") == 0 || strcmp(t, "bytes") == 0;
	fputc('(', out);
	if (quote)
		fputc('\'', out);
	for (const char *p = val; *p; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, out);
	if (quote)
		fputc('\'', out);
	fputc(')', out);
}

/* A chain of nodes joined by labelled edges; if close, back to the first. */
static void chain(FILE *out, const struct ct_graph *g, const uint32_t *nodes,
		  const uint32_t *edges, uint32_t len, bool close)
{
	for (uint32_t i = 0; i < len; i++) {
		node(out, g, nodes[i]);
		if (i + 1 == len && !close)
			break;
		uint32_t e = edges[i];
		if (e != CT_NONE && g->label[e])
			fprintf(out, " %s", ct_graph_str(g, g->label[e]));
		fputs(ARROW, out);
	}
	if (close && len)
		fputs(ct_graph_str(g, g->type[nodes[0]]), out);
}

static const char *state(const struct ct_report_group *grp)
{
	return grp->n_garbage ? "garbage" : "alive";
}

int ct_write_text(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	const struct ct_report_summary *s = &r->summary;
	const struct style *st = o->color ? &ansi : &plain;
	char b1[32], b2[32];

	ct_format_bytes(s->garbage_bytes, b1, sizeof(b1));
	fprintf(out, "%s%s%s: %" PRIu64 " objects, %" PRIu64 " references",
		st->bold, o->name ? o->name : "-", st->off, s->objects, s->references);
	if (s->dangling)
		fprintf(out, " (%" PRIu64 " dangling, dropped)", s->dangling);
	fprintf(out, "\n%" PRIu64 " cyclic SCCs (%" PRIu64 " objects), %" PRIu64
		" garbage; %" PRIu64 " garbage objects, %s%s\n",
		s->cyclic_sccs, s->cyclic_objects, s->garbage_sccs, s->garbage_objects, b1,
		s->reachability != CT_REACH_INDEGREE ? "" :
		" (estimated: the dump has no reference counts)");
	if (s->overcounted)
		fprintf(out, "warning: %" PRIu64 " objects have more references in the dump "
			"than their reference count\n", s->overcounted);
	if (r->n_groups == 0) {
		fputs("no cycles match\n", out);
		goto out;
	}

	/* The table. */
	int wc = 5, wo = 7;
	for (uint32_t i = 0; i < r->n_groups; i++) {
		int n = snprintf(b1, sizeof(b1), "%" PRIu32, r->groups[i].count);
		if (n > wc)
			wc = n;
		n = snprintf(b1, sizeof(b1), "%" PRIu64, r->groups[i].objects);
		if (n > wo)
			wo = n;
	}
	fprintf(out, "\n%s%5s  %*s  %-7s  %*s  %10s  %s%s\n", st->bold, "GROUP", wc, "COUNT",
		"STATE", wo, "OBJECTS", "BYTES", "SIGNATURE", st->off);
	for (uint32_t i = 0; i < r->n_groups; i++) {
		const struct ct_report_group *grp = &r->groups[i];
		const char *col = grp->n_garbage ? st->red : st->green;
		ct_format_bytes(grp->bytes, b1, sizeof(b1));
		fprintf(out, "%5" PRIu32 "  %*" PRIu32 "  %s%-7s%s  %*" PRIu64 "  %10s  %s\n",
			i + 1, wc, grp->count, col, state(grp), st->off, wo, grp->objects, b1,
			ct_report_signature(r, grp));
	}

	/* Each group's representative. */
	for (uint32_t i = 0; i < r->n_groups; i++) {
		const struct ct_report_group *grp = &r->groups[i];
		const struct ct_report_scc *e = &r->sccs[grp->first];
		ct_format_bytes(grp->bytes, b1, sizeof(b1));
		ct_format_addr(g, g->addr[r->cyc_nodes[e->cycle_off]], b2, sizeof(b2));
		fprintf(out, "\n%s#%" PRIu32 "%s  %" PRIu32 " %s SCC%s, ", st->bold, i + 1, st->off,
			grp->count, state(grp), grp->count == 1 ? "" : "s");
		if (grp->min_size == grp->max_size)
			fprintf(out, "%" PRIu32 " object%s%s", grp->min_size,
				grp->min_size == 1 ? "" : "s", grp->count > 1 ? " each" : "");
		else
			fprintf(out, "%" PRIu32 "-%" PRIu32 " objects", grp->min_size, grp->max_size);
		fprintf(out, ", %s%s\n", b1, grp->finalizers ? ", with finalizers" : "");
		fprintf(out, "    %stypes%s  ", st->dim, st->off);
		for (uint32_t k = 0; k < e->types_len && k < 8; k++)
			fprintf(out, "%s%s %" PRIu32, k ? ", " : "",
				ct_graph_str(g, r->types[e->types_off + k].type),
				r->types[e->types_off + k].count);
		if (e->types_len > 8)
			fprintf(out, ", ... (%" PRIu32 " types)", e->types_len);
		fprintf(out, "\n    %scycle%s  ", st->dim, st->off);
		chain(out, g, r->cyc_nodes + e->cycle_off, r->cyc_edges + e->cycle_off,
		      e->cycle_len, true);
		fprintf(out, "\n           %sSCC %" PRIu32 ", first object at %s%s\n", st->dim,
			e->id, b2, st->off);
		if (!e->garbage && e->path_len) {
			fprintf(out, "    %sheld%s   ", st->dim, st->off);
			chain(out, g, r->path_nodes + e->path_off, r->path_edges + e->path_off,
			      e->path_len, false);
			ct_format_addr(g, g->addr[r->path_nodes[e->path_off]], b2, sizeof(b2));
			fprintf(out, "\n           %s%s %s %s%s\n", st->dim,
				e->path_len == 1 ? "the SCC itself, at" : "root at", b2,
				s->reachability == CT_REACH_REFCOUNT ?
				"is referenced from outside the dump" :
				s->reachability == CT_REACH_ROOTS ? "is a root of the dump" :
				"has no referrer in the dump", st->off);
		}
	}
out:
	return ferror(out) ? ct_error_set(err, CT_EIO, "write error") : 0;
}
