#include "diff.h"

#include <stdlib.h>
#include <string.h>

void ct_diff_init(struct ct_diff *d)
{
	memset(d, 0, sizeof(*d));
	ct_strings_init(&d->types);
}

static void dump_finish(struct ct_diff_dump *x)
{
	free(x->file);
	free(x->type_count);
	free(x->type_bytes);
	free(x->obj);
}

void ct_diff_finish(struct ct_diff *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->n_dumps; i++)
		dump_finish(&d->dumps[i]);
	free(d->dumps);
	ct_strings_finish(&d->types);
	memset(d, 0, sizeof(*d));
}

static int by_key(const void *a, const void *b)
{
	const struct ct_diff_obj *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

static enum ct_diff_identity identity_of(const struct ct_graph *g)
{
	if (g->format && strcmp(g->format, "v8") == 0)
		return CT_DIFF_EXACT;
	if (g->format && (strcmp(g->format, "python") == 0 || strcmp(g->format, "meliae") == 0))
		return CT_DIFF_ADDRESS;
	return CT_DIFF_NONE;
}

int ct_diff_add(struct ct_diff *d, const struct ct_graph *g, const char *file,
		struct ct_error *err)
{
	struct ct_diff_dump x = {0};
	uint32_t *map = NULL;  /* graph type string id -> diff type id */

	if (d->n_dumps == 0) {
		d->format = g->format;
		d->identity = identity_of(g);
	} else if (!g->format || !d->format || strcmp(g->format, d->format) != 0) {
		return ct_error_set(err, CT_EUSAGE, "'%s' is a %s dump, the first is %s", file,
				    g->format ? g->format : "?", d->format ? d->format : "?");
	}
	if (d->n_dumps == d->cap) {
		uint32_t cap = d->cap ? 2 * d->cap : 4;
		struct ct_diff_dump *p = realloc(d->dumps, cap * sizeof(*p));
		if (!p)
			return ct_error_nomem(err);
		d->dumps = p;
		d->cap = cap;
	}
	x.file = strdup(file);
	map = malloc((g->strings.count ? g->strings.count : 1) * sizeof(*map));
	if (!x.file || !map)
		goto nomem;
	memset(map, 0xff, (g->strings.count ? g->strings.count : 1) * sizeof(*map));
	/* Type names into the diff's table, once per distinct type. */
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t t = g->type[v];
		if (map[t] != CT_NONE)
			continue;
		const char *name = ct_graph_str(g, t);
		map[t] = ct_strings_intern(&d->types, name, strlen(name));
		if (map[t] == CT_NONE)
			goto nomem;
	}
	x.n_types = d->types.count;
	x.type_count = calloc(x.n_types ? x.n_types : 1, sizeof(*x.type_count));
	x.type_bytes = calloc(x.n_types ? x.n_types : 1, sizeof(*x.type_bytes));
	if (!x.type_count || !x.type_bytes)
		goto nomem;
	if (d->identity != CT_DIFF_NONE) {
		x.obj = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof(*x.obj));
		if (!x.obj)
			goto nomem;
	}
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t t = map[g->type[v]];
		x.type_count[t]++;
		x.type_bytes[t] = ct_sat_add(x.type_bytes[t], g->size[v]);
		x.bytes = ct_sat_add(x.bytes, g->size[v]);
		if (x.obj)
			x.obj[x.n_obj++] = (struct ct_diff_obj){g->addr[v], t, 0};
	}
	x.objects = g->n_nodes;
	if (x.obj)
		qsort(x.obj, x.n_obj, sizeof(*x.obj), by_key);
	free(map);
	d->dumps[d->n_dumps++] = x;
	return 0;
nomem:
	free(map);
	dump_finish(&x);
	return ct_error_nomem(err);
}

/* Objects of a that are not in b, counted per type into out[]. */
static void only_in(const struct ct_diff_dump *a, const struct ct_diff_dump *b, uint64_t *out)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < a->n_obj; i++) {
		while (j < b->n_obj && by_key(&b->obj[j], &a->obj[i]) < 0)
			j++;
		if (j == b->n_obj || by_key(&b->obj[j], &a->obj[i]) != 0)
			out[a->obj[i].type]++;
	}
}

/* Survivors: objects of b not in a and (when c) also in c, per type. */
static void survive(const struct ct_diff_dump *a, const struct ct_diff_dump *b,
		    const struct ct_diff_dump *c, uint64_t *out)
{
	uint32_t i = 0, k = 0;

	for (uint32_t j = 0; j < b->n_obj; j++) {
		const struct ct_diff_obj *o = &b->obj[j];
		while (i < a->n_obj && by_key(&a->obj[i], o) < 0)
			i++;
		if (i < a->n_obj && by_key(&a->obj[i], o) == 0)
			continue;
		if (c) {
			while (k < c->n_obj && by_key(&c->obj[k], o) < 0)
				k++;
			if (k == c->n_obj || by_key(&c->obj[k], o) != 0)
				continue;
		}
		out[o->type]++;
	}
}

static enum ct_diff_trend trend_of(const uint64_t *c, uint32_t n)
{
	bool up = false, down = false, flat = false;

	for (uint32_t i = 1; i < n; i++) {
		up |= c[i] > c[i - 1];
		down |= c[i] < c[i - 1];
		flat |= c[i] == c[i - 1];
	}
	if (!up && !down)
		return CT_TREND_FLAT;
	if (up && !down && !flat)
		return CT_TREND_GROWING;
	if (down && !up && !flat)
		return CT_TREND_SHRINKING;
	return CT_TREND_MIXED;
}

const char *ct_diff_trend_name(enum ct_diff_trend t)
{
	switch (t) {
	case CT_TREND_FLAT: return "flat";
	case CT_TREND_GROWING: return "growing";
	case CT_TREND_SHRINKING: return "shrinking";
	case CT_TREND_MIXED: break;
	}
	return "mixed";
}

static int by_growth(const void *a, const void *b)
{
	const struct ct_diff_type *x = a, *y = b;

	if (x->bytes_delta != y->bytes_delta)
		return x->bytes_delta > y->bytes_delta ? -1 : 1;
	if (x->count_delta != y->count_delta)
		return x->count_delta > y->count_delta ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

void ct_diff_table_finish(struct ct_diff_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

int ct_diff_types(const struct ct_diff *d, struct ct_diff_table *t, struct ct_error *err)
{
	uint32_t nt = d->types.count, nd = d->n_dumps;
	uint64_t *news = NULL, *gone = NULL, *surv = NULL;

	memset(t, 0, sizeof(*t));
	if (nd == 0)
		return ct_error_set(err, CT_EUSAGE, "no dump to compare");
	t->rows = calloc(nt ? nt : 1, sizeof(*t->rows));
	t->cells = calloc(2 * (size_t)(nt ? nt : 1) * nd, sizeof(*t->cells));
	news = calloc(nt ? nt : 1, sizeof(*news));
	gone = calloc(nt ? nt : 1, sizeof(*gone));
	surv = calloc(nt ? nt : 1, sizeof(*surv));
	if (!t->rows || !t->cells || !news || !gone || !surv) {
		free(news);
		free(gone);
		free(surv);
		ct_diff_table_finish(t);
		return ct_error_nomem(err);
	}
	const struct ct_diff_dump *first = &d->dumps[0], *last = &d->dumps[nd - 1];
	if (d->identity != CT_DIFF_NONE && nd > 1) {
		only_in(last, first, news);
		only_in(first, last, gone);
		survive(first, &d->dumps[1], nd > 2 ? last : NULL, surv);
	}
	for (uint32_t ty = 0; ty < nt; ty++) {
		uint64_t *counts = t->cells + 2 * (size_t)ty * nd, *bytes = counts + nd;
		bool any = false;
		for (uint32_t k = 0; k < nd; k++) {
			const struct ct_diff_dump *x = &d->dumps[k];
			counts[k] = ty < x->n_types ? x->type_count[ty] : 0;
			bytes[k] = ty < x->n_types ? x->type_bytes[ty] : 0;
			any |= counts[k] != 0;
		}
		if (!any)
			continue;  /* type id 0 (the empty string) when unused */
		struct ct_diff_type *r = &t->rows[t->n++];
		r->type = ty;
		r->counts = counts;
		r->bytes = bytes;
		r->new_objects = news[ty];
		r->deleted = gone[ty];
		r->survivors = surv[ty];
		r->count_delta = (int64_t)(counts[nd - 1] - counts[0]);
		r->bytes_delta = (int64_t)(bytes[nd - 1] - bytes[0]);
		r->trend = trend_of(counts, nd);
	}
	qsort(t->rows, t->n, sizeof(*t->rows), by_growth);
	free(news);
	free(gone);
	free(surv);
	return 0;
}
