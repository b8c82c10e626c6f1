/* cycletool diff (lib/diff.h) on hand-built dumps of one "process" with
 * known growth per step: the types table, then the survivors of the last
 * dump (counts, clusters and retained bytes computed by hand, and the
 * disjoint-retained rule within a cluster). */
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

/* A dump with references (ids stable across dumps, so V8's exact
 * identity matches them):
 *   Root 1 (8 B) .items -> Array 2 (8 B) [i] -> Leak 1000+i (16 B) .buf -> Buffer 50000+i
 *   (100 B), for i < n_leak; Temp objects temp_base.. (8 B, unreferenced, new in every
 *   dump); and with chain, Root .head -> Node 3000 (10 B) .next -> Node 3001 (20 B)
 *   .next -> Node 3002 (30 B) .next -> Node 3003 (40 B). */
static void make_refs(struct ct_graph *g, uint32_t n_leak, uint32_t n_temp, uint64_t temp_base,
		      bool chain)
{
	struct ct_builder b;
	struct ct_error err = {0};

	ct_builder_init(&b, "v8");
	uint32_t root = ct_builder_intern(&b, "Root", 4), arr = ct_builder_intern(&b, "Array", 5);
	uint32_t leak = ct_builder_intern(&b, "Leak", 4), buf = ct_builder_intern(&b, "Buffer", 6);
	uint32_t node = ct_builder_intern(&b, "Node", 4), temp = ct_builder_intern(&b, "Temp", 4);
	uint32_t l_items = ct_builder_intern(&b, ".items", 6), l_head = ct_builder_intern(&b, ".head", 5);
	uint32_t l_next = ct_builder_intern(&b, ".next", 5), l_buf = ct_builder_intern(&b, ".buf", 4);
	must(ct_builder_node(&b, 1, root, 8, 0, 0, false, 0, 0, &err), &err, "root");
	must(ct_builder_edge(&b, 2, l_items, CT_EDGE_STRONG, &err), &err, "e");
	if (chain)
		must(ct_builder_edge(&b, 3000, l_head, CT_EDGE_STRONG, &err), &err, "e");
	must(ct_builder_node(&b, 2, arr, 8, 0, 0, false, 0, 0, &err), &err, "array");
	for (uint32_t i = 0; i < n_leak; i++) {
		char idx[16];
		int len = snprintf(idx, sizeof(idx), "[%u]", i);
		must(ct_builder_edge(&b, 1000 + i, ct_builder_intern(&b, idx, (size_t)len),
				     CT_EDGE_STRONG, &err), &err, "e");
	}
	for (uint32_t i = 0; i < n_leak; i++) {
		must(ct_builder_node(&b, 1000 + i, leak, 16, 0, 0, false, 0, 0, &err), &err, "n");
		must(ct_builder_edge(&b, 50000 + i, l_buf, CT_EDGE_STRONG, &err), &err, "e");
		must(ct_builder_node(&b, 50000 + i, buf, 100, 0, 0, false, 0, 0, &err), &err, "n");
	}
	for (uint32_t i = 0; chain && i < 4; i++) {
		must(ct_builder_node(&b, 3000 + i, node, 10 * (i + 1), 0, 0, false, 0, 0, &err),
		     &err, "n");
		if (i < 3)
			must(ct_builder_edge(&b, 3001 + i, l_next, CT_EDGE_STRONG, &err), &err, "e");
	}
	for (uint32_t i = 0; i < n_temp; i++)
		must(ct_builder_node(&b, temp_base + i, temp, 8, 0, 0, false, 0, 0, &err), &err, "n");
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
	g->format = "v8";
	g->numeric_ids = true;
}

static const struct ct_diff_cluster *cluster_with(const struct ct_diff *d, const char *type,
						  uint64_t count)
{
	for (uint32_t i = 0; i < d->n_clusters; i++) {
		const struct ct_diff_cluster *c = &d->clusters[i];
		if (c->types_len == 1 && c->count == count &&
		    strcmp(ct_strings_get(&d->types, d->ctypes[c->types_off].type), type) == 0)
			return c;
	}
	return NULL;
}

/* Survivors of the last dump: Leak 100 -> 300 -> 500 (ids 1000..), so the
 * survivors ((B \ A) ∩ C) are Leak 1100..1299 and their Buffers, and the
 * chain (absent from the first dump, in the second and the last). */
static void test_survivors(unsigned ndumps)
{
	struct ct_diff d;
	struct ct_error err = {0};
	const uint32_t leaks[3] = {100, 300, 500};

	ct_diff_init(&d);
	for (unsigned k = 0; k < ndumps; k++) {
		struct ct_graph g;
		make_refs(&g, leaks[k], 30, 100000 * (uint64_t)(k + 1), k > 0);
		must(ct_diff_add(&d, &g, "dump", k + 1 == ndumps ? CT_DIFF_LAST : 0, &err), &err,
		     "add");
		ct_graph_finish(&g);
	}
	/* Both: 200 Leak (1100..1299, with 1300..1499 new in the last dump
	 * only), their 200 Buffers, 4 Node; with two dumps (B \ A, B the
	 * last) also the last dump's 30 Temp (8 B, roots of their own). */
	uint64_t n_leak = 200, temps = ndumps == 2 ? 30 : 0;
	CHECK(d.has_survivors && d.survivors == 2 * n_leak + 4 + temps,
	      "%u dumps: survivors 200 Leak + 200 Buffer + 4 Node (+ Temp), got %llu", ndumps,
	      (unsigned long long)d.survivors);
	CHECK(d.survivor_bytes == n_leak * (16 + 100) + 100 + 8 * temps,
	      "%u dumps: survivor bytes %llu", ndumps, (unsigned long long)d.survivor_bytes);
	/* Every Buffer is dominated by its Leak, Nodes 3001.. by Node 3000:
	 * none counted twice, so retained = bytes. */
	CHECK(d.survivor_retained == n_leak * (16 + 100) + 100 + 8 * temps,
	      "%u dumps: survivors retain their own bytes once, got %llu", ndumps,
	      (unsigned long long)d.survivor_retained);
	CHECK(d.noise == 0, "no runtime survivors");
	/* A survivor dominated by another belongs to that one's cluster: each
	 * Buffer to its Leak's, Nodes 3001..3003 to Node 3000's.  Clusters:
	 * Root .items -> Array [*] -> Leak (200 roots, 400 objects) and
	 * Root .head -> Node (1 root, 4 objects); with two dumps the Temps. */
	CHECK(d.n_clusters == 2 + (temps > 0), "%u dumps: 2 clusters (3 with Temp), got %u", ndumps,
	      d.n_clusters);
	const struct ct_diff_cluster *cl = d.n_clusters ? &d.clusters[0] : NULL;
	CHECK(cl && !cl->garbage && cl->roots == n_leak && cl->count == 2 * n_leak &&
	      cl->bytes == n_leak * (16 + 100) && cl->retained == n_leak * (16 + 100),
	      "Leak cluster first: 200 roots, 400 objects retaining 200*(16+100), got %llu",
	      cl ? (unsigned long long)cl->retained : 0ULL);
	if (cl) {
		const char *sig = ct_strings_get(&d.text, cl->signature);
		CHECK(strcmp(sig, "Root .items \xe2\x86\x92 Array [*] \xe2\x86\x92 Leak") == 0,
		      "Leak cluster signature: %s", sig);
		CHECK(cl->types_len == 2 && d.ctypes[cl->types_off].count == n_leak &&
		      d.ctypes[cl->types_off + 1].count == n_leak,
		      "Leak cluster types: Leak 200, Buffer 200");
		const struct ct_diff_step *s = &d.steps[cl->steps_off];
		CHECK(cl->steps_len == 3 && s[0].id == 1 && s[1].id == 2 && s[2].id >= 1100 &&
		      s[2].id < 1300 && s[2].retained == 116 && s[2].label == 0 &&
		      s[0].retained == 8 + 8 + leaks[ndumps - 1] * 116 + 100 && s[0].omitted == 0,
		      "Leak path: Root 1 -> Array 2 -> a surviving Leak (116 B)");
	}
	/* The chain: Node 3000 dominates the rest, so one cluster of one root
	 * retaining the whole chain (10+20+30+40), none counted twice. */
	const struct ct_diff_cluster *h = cluster_with(&d, "Node", 4);
	CHECK(h && h->roots == 1 && h->bytes == 100 && h->retained == 100 &&
	      strcmp(ct_strings_get(&d.text, h->signature), "Root .head \xe2\x86\x92 Node") == 0,
	      "Root .head -> Node: 1 root, 4 objects retaining the whole chain (100)");
	if (temps) {
		const struct ct_diff_cluster *tc = cluster_with(&d, "Temp", temps);
		CHECK(tc && tc->bytes == 8 * temps && tc->retained == 8 * temps && !tc->garbage,
		      "two dumps: the last dump's Temps, one cluster");
	}
	ct_diff_finish(&d);
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

	test_survivors(3);
	test_survivors(2);
	return check_status("test_diff");
}
