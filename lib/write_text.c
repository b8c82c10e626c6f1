/* The text writer: grouped, aligned, for people. */
#include <inttypes.h>
#include <string.h>

#include "present.h"
#include "write.h"

struct style {
	const char *bold, *red, *green, *dim, *off;
};

static const struct style plain = {"", "", "", "", ""};
static const struct style ansi = {"\033[1m", "\033[31m", "\033[32m", "\033[2m", "\033[0m"};

/* "    sites  Node allocated at app.py:12 (2), ..." for an SCC of a dump
 * with allocation sites: its members' distinct (type, site) pairs, most
 * frequent first (members without a site left out). */
#define SITES_MAX 64
#define SITES_SHOWN 6
static void sites_line(FILE *out, const struct ct_report *r, const struct ct_report_scc *e,
		       const struct style *st)
{
	const struct ct_graph *g = r->g;
	const struct ct_scc *s = &r->scc;
	uint32_t type[SITES_MAX], site[SITES_MAX], count[SITES_MAX], n = 0, more = 0;

	for (uint32_t k = s->member_off[e->comp]; k < s->member_off[e->comp + 1]; k++) {
		uint32_t v = s->members[k], i;
		if (!g->site[v])
			continue;
		for (i = 0; i < n && (site[i] != g->site[v] || type[i] != g->type[v]); i++)
			;
		if (i < n) {
			count[i]++;
		} else if (n < SITES_MAX) {
			type[n] = g->type[v];
			site[n] = g->site[v];
			count[n++] = 1;
		} else {
			more++;
		}
	}
	if (!n)
		return;
	/* Most frequent first (insertion sort: n is small), then first seen. */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && count[j] > count[j - 1]; j--) {
			uint32_t ty = type[j], si = site[j], co = count[j];
			type[j] = type[j - 1];
			site[j] = site[j - 1];
			count[j] = count[j - 1];
			type[j - 1] = ty;
			site[j - 1] = si;
			count[j - 1] = co;
		}
	fprintf(out, "\n    %ssites%s  ", st->dim, st->off);
	for (uint32_t i = 0; i < n && i < SITES_SHOWN; i++) {
		fputs(i ? ", " : "", out);
		ct_present_put(out, ct_graph_str(g, type[i]), CT_PRESENT_NAME_BYTES);
		fputs(" allocated at ", out);
		ct_present_put(out, ct_graph_str(g, site[i]), CT_PRESENT_NAME_BYTES);
		if (count[i] > 1)
			fprintf(out, " (%" PRIu32 ")", count[i]);
	}
	if (n > SITES_SHOWN || more)
		fprintf(out, ", ... (%s%" PRIu32 " sites)", more ? "over " : "", n);
}

static const char *state(const struct ct_report_group *grp)
{
	return grp->n_garbage ? "garbage" : grp->runtime ? "runtime" : "alive";
}

int ct_write_text(FILE *out, const struct ct_report *r, const struct ct_write_opts *o,
		  struct ct_error *err)
{
	const struct ct_graph *g = r->g;
	const struct ct_report_summary *s = &r->summary;
	const struct style *st = o->color ? &ansi : &plain;
	char b1[CT_PRESENT_BYTES_MAX], b2[CT_PRESENT_ID_MAX];
	char num[24];

	ct_present_bytes(s->garbage_bytes, b1);
	fputs(st->bold, out);
	ct_present_put(out, o->name ? o->name : "-", SIZE_MAX);
	fprintf(out, "%s: %" PRIu64 " objects, %" PRIu64 " references", st->off, s->objects,
		s->references);
	if (s->dangling)
		fprintf(out, " (%" PRIu64 " dangling, dropped)", s->dangling);
	fprintf(out, "\n%" PRIu64 " cyclic SCCs (%" PRIu64 " objects), %" PRIu64
		" garbage; %" PRIu64 " garbage objects, %s%s\n",
		s->cyclic_sccs, s->cyclic_objects, s->garbage_sccs, s->garbage_objects, b1,
		ct_present_estimated_note(s->reachability));
	if (s->runtime_sccs && !o->runtime) {
		ct_present_bytes(s->runtime_bytes, b1);
		fprintf(out, "runtime: %" PRIu64 " SCC%s (%" PRIu64 " objects, %s) of classes, "
			"functions and modules; --runtime lists them\n", s->runtime_sccs,
			s->runtime_sccs == 1 ? "" : "s", s->runtime_objects, b1);
	}
	if (s->overcounted)
		fprintf(out, "warning: %" PRIu64 " objects have more references in the dump "
			"than their reference count\n", s->overcounted);
	uint32_t n_groups = r->n_groups;
	while (!o->runtime && n_groups && r->groups[n_groups - 1].runtime)
		n_groups--;  /* the runtime's groups come last */
	if (n_groups == 0) {
		fputs(r->n_groups ? "no application cycles match\n" : "no cycles match\n", out);
		goto out;
	}

	/* The table. */
	int wc = 5, wo = 7;
	for (uint32_t i = 0; i < n_groups; i++) {
		int n = snprintf(num, sizeof(num), "%" PRIu32, r->groups[i].count);
		if (n > wc)
			wc = n;
		n = snprintf(num, sizeof(num), "%" PRIu64, r->groups[i].objects);
		if (n > wo)
			wo = n;
	}
	fprintf(out, "\n%s%5s  %*s  %-7s  %*s  %10s  %s%s\n", st->bold, "GROUP", wc, "COUNT",
		"STATE", wo, "OBJECTS", "BYTES", "SIGNATURE", st->off);
	for (uint32_t i = 0; i < n_groups; i++) {
		const struct ct_report_group *grp = &r->groups[i];
		const char *col = grp->n_garbage ? st->red : st->green;
		ct_present_bytes(grp->bytes, b1);
		fprintf(out, "%5" PRIu32 "  %*" PRIu32 "  %s%-7s%s  %*" PRIu64 "  %10s  ",
			i + 1, wc, grp->count, col, state(grp), st->off, wo, grp->objects, b1);
		ct_present_put(out, ct_report_signature(r, grp), CT_PRESENT_SIGNATURE_BYTES);
		fputc('\n', out);
	}

	/* Each group's representative. */
	for (uint32_t i = 0; i < n_groups; i++) {
		const struct ct_report_group *grp = &r->groups[i];
		const struct ct_report_scc *e = &r->sccs[grp->first];
		ct_present_bytes(grp->bytes, b1);
		ct_present_id(g, r->cyc_nodes[e->cycle_off], b2);
		fprintf(out, "\n%s#%" PRIu32 "%s  %" PRIu32 " %s SCC%s, ", st->bold, i + 1, st->off,
			grp->count, state(grp), grp->count == 1 ? "" : "s");
		if (grp->min_size == grp->max_size)
			fprintf(out, "%" PRIu32 " object%s%s", grp->min_size,
				grp->min_size == 1 ? "" : "s", grp->count > 1 ? " each" : "");
		else
			fprintf(out, "%" PRIu32 "-%" PRIu32 " objects", grp->min_size, grp->max_size);
		fprintf(out, ", %s%s\n", b1, grp->finalizers ? ", with finalizers" : "");
		fprintf(out, "    %stypes%s  ", st->dim, st->off);
		for (uint32_t k = 0; k < e->types_len && k < 8; k++) {
			fputs(k ? ", " : "", out);
			ct_present_put(out, ct_graph_str(g, r->types[e->types_off + k].type),
				       CT_PRESENT_NAME_BYTES);
			fprintf(out, " %" PRIu32, r->types[e->types_off + k].count);
		}
		if (e->types_len > 8)
			fprintf(out, ", ... (%" PRIu32 " types)", e->types_len);
		if (g->site)
			sites_line(out, r, e, st);
		fprintf(out, "\n    %scycle%s  ", st->dim, st->off);
		ct_present_chain(out, g, r->cyc_nodes + e->cycle_off, r->cyc_edges + e->cycle_off,
		      e->cycle_len, true);
		fprintf(out, "\n           %sSCC %" PRIu32 ", first object at %s%s\n", st->dim,
			e->id, b2, st->off);
		if (!e->garbage && e->path_len) {
			/* As ct_present_chain() cuts: whole up to its limit, else
			 * the head and enough of the end for its tail. */
			uint32_t pn[CT_PRESENT_CHAIN_STEPS], pe[CT_PRESENT_CHAIN_STEPS], omitted;
			uint32_t len = ct_report_path(r, e, CT_PRESENT_CHAIN_HEAD,
						      CT_PRESENT_CHAIN_STEPS - CT_PRESENT_CHAIN_HEAD,
						      pn, pe, &omitted);
			fprintf(out, "    %sheld%s   ", st->dim, st->off);
			ct_present_chain_cut(out, g, pn, pe, len, omitted, false);
			ct_present_id(g, pn[0], b2);
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
