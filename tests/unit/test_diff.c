/* The types table of cycletool diff (lib/diff.h): three hand-built dumps
 * of one "process" with known growth per step. */
#include <string.h>

#include "check.h"
#include "lib/diff.h"

/* A graph of n_leak Leak objects (ids 1000..), n_temp Temp objects whose
 * ids start at temp_base (so they are new in every dump), and 3 Cache
 * objects (ids 10, 11, 12: the same in every dump). */
static void make(struct ct_graph *g, uint32_t n_leak, uint32_t n_temp, uint64_t temp_base)
{
	struct ct_builder b;
	struct ct_error err = {0};

	ct_builder_init(&b, "v8");
	b.by_index = true;
	uint32_t leak = ct_builder_intern(&b, "Leak", 4), temp = ct_builder_intern(&b, "Temp", 4);
	uint32_t cache = ct_builder_intern(&b, "Cache", 5);
	for (uint32_t i = 0; i < 3; i++)
		must(ct_builder_node(&b, 10 + i, cache, 100, 0, 0, false, 0, 0, &err), &err, "n");
	for (uint32_t i = 0; i < n_leak; i++)
		must(ct_builder_node(&b, 1000 + i, leak, 16, 0, 0, false, 0, 0, &err), &err, "n");
	for (uint32_t i = 0; i < n_temp; i++)
		must(ct_builder_node(&b, temp_base + i, temp, 8, 0, 0, false, 0, 0, &err), &err, "n");
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
	g->format = "v8";
}

static const struct ct_diff_type *row(const struct ct_diff *d, const struct ct_diff_table *t,
				      const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(ct_strings_get(&d->types, t->rows[i].type), name) == 0)
			return &t->rows[i];
	return NULL;
}

int main(void)
{
	struct ct_diff d;
	struct ct_diff_table t;
	struct ct_error err = {0};
	const uint32_t leaks[3] = {100, 300, 500}, temps[3] = {50, 20, 50};

	ct_diff_init(&d);
	for (int k = 0; k < 3; k++) {
		struct ct_graph g;
		make(&g, leaks[k], temps[k], 100000 * (uint64_t)(k + 1));
		must(ct_diff_add(&d, &g, "dump", k == 2 ? CT_DIFF_LAST : 0, &err), &err, "add");
		ct_graph_finish(&g);
	}
	must(ct_diff_types(&d, &t, &err), &err, "types");
	CHECK(d.identity == CT_DIFF_EXACT && d.n_dumps == 3, "v8: exact identity");
	const struct ct_diff_type *l = row(&d, &t, "Leak"), *tm = row(&d, &t, "Temp"),
		*c = row(&d, &t, "Cache");
	CHECK(l && l->counts[0] == 100 && l->counts[1] == 300 && l->counts[2] == 500 &&
	      l->new_objects == 400 && l->deleted == 0 && l->trend == CT_TREND_GROWING &&
	      l->bytes_delta == 400 * 16, "Leak: growing by 200 a step, 400 new");
	CHECK(l && l->survivors == 200, "Leak: 200 survivors ((B \\ A) ∩ C), got %llu",
	      l ? (unsigned long long)l->survivors : 0ULL);
	CHECK(tm && tm->survivors == 0 && c && c->survivors == 0, "Temp, Cache: no survivors");
	CHECK(tm && tm->new_objects == 50 && tm->deleted == 50 && tm->count_delta == 0 &&
	      tm->trend == CT_TREND_MIXED, "Temp: all replaced, a sawtooth");
	CHECK(c && c->new_objects == 0 && c->deleted == 0 && c->trend == CT_TREND_FLAT,
	      "Cache: flat");
	CHECK(t.n == 3 && t.rows[0].type == l->type, "rows: the leak first");
	ct_diff_table_finish(&t);

	/* A dump of another format is refused. */
	struct ct_graph g;
	make(&g, 1, 1, 1);
	g.format = "python";
	CHECK(ct_diff_add(&d, &g, "other.jsonl", 0, &err) == CT_EUSAGE &&
	      strstr(err.msg, "other.jsonl") != NULL, "another format: refused (%s)", err.msg);
	ct_graph_finish(&g);
	ct_diff_finish(&d);
	return check_status("test_diff");
}
