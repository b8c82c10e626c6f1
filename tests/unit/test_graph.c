/* Unit test: lib/graph.c (address map, builder, graph). */
#include <inttypes.h>

#include "check.h"
#include "lib/graph.h"

static void test_addrmap(void)
{
	struct ct_addrmap m;
	uint32_t n = test_small() ? 100000 : 1000000, old;
	uint64_t seed = 42;

	ct_addrmap_init(&m);
	CHECK(ct_addrmap_get(&m, 123) == CT_NONE, "empty map finds nothing");
	/* Python-like addresses: 16-byte aligned, clustered, then random. */
	uint64_t *keys = malloc(n * sizeof(*keys));
	for (uint32_t i = 0; i < n; i++)
		keys[i] = i < n / 2 ? 0x7f3a00000000ULL + 16ULL * i : (rng_next(&seed) | 1);
	keys[n - 1] = 0;                 /* extreme keys are ordinary keys */
	keys[n - 2] = UINT64_MAX;
	int bad = 0;
	for (uint32_t i = 0; i < n; i++) {
		int rc = ct_addrmap_put(&m, keys[i], i, &old);
		if (rc || old != CT_NONE)
			bad += !CHECK(0, "put #%u (0x%" PRIx64 ") rc %d old %u", i, keys[i], rc, old);
		if (bad > 5)
			break;
	}
	CHECK(m.count == n, "count %u, want %u", m.count, n);
	bad = 0;
	for (uint32_t i = 0; i < n && bad < 5; i++)
		bad += !CHECK(ct_addrmap_get(&m, keys[i]) == i, "get #%u = %u", i,
			      ct_addrmap_get(&m, keys[i]));
	CHECK(ct_addrmap_get(&m, 0x7f3a00000008ULL) == CT_NONE, "absent key not found");
	/* Re-putting a key keeps the first value and reports it. */
	CHECK(ct_addrmap_put(&m, keys[7], 99, &old) == 0 && old == 7, "duplicate put: old %u", old);
	CHECK(ct_addrmap_get(&m, keys[7]) == 7 && m.count == n, "duplicate put changes nothing");
	ct_addrmap_finish(&m);
	free(keys);

	/* reserve, then fill without further growth. */
	ct_addrmap_init(&m);
	CHECK(ct_addrmap_reserve(&m, 5000) == 0, "reserve");
	uint32_t mask = m.mask;
	for (uint32_t i = 0; i < 5000; i++)
		ct_addrmap_put(&m, 1000 + i, i, &old);
	CHECK(m.mask == mask, "no rehash after reserve (mask %u -> %u)", mask, m.mask);
	for (uint32_t i = 0; i < 5000; i++)
		if (!CHECK(ct_addrmap_get(&m, 1000 + i) == i, "after reserve, key %u", i))
			break;
	CHECK(ct_addrmap_reserve(&m, 10) == 0 && m.mask == mask, "smaller reserve is a no-op");
	ct_addrmap_finish(&m);
	ct_addrmap_finish(&m);
	ct_addrmap_finish(NULL);
}

/* Node with address a, type t, and no value. */
static int node(struct ct_builder *b, uint64_t a, const char *t, uint64_t size, uint64_t line,
		struct ct_error *err)
{
	uint32_t type = ct_builder_intern(b, t, strlen(t));
	return ct_builder_node(b, a, type, size, 0, 0, false, 0, line, err);
}

static int edge(struct ct_builder *b, uint64_t to, const char *label, uint8_t kind,
		struct ct_error *err)
{
	uint32_t l = label ? ct_builder_intern(b, label, strlen(label)) : 0;
	return ct_builder_edge(b, to, l, kind, err);
}

static void test_builder(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};

	ct_builder_init(&b, "test");
	must(node(&b, 0x100, "A", 10, 1, &err), &err, "node");
	must(edge(&b, 0x300, ".z", CT_EDGE_STRONG, &err), &err, "edge");
	must(edge(&b, 0x200, ".y", CT_EDGE_WEAK, &err), &err, "edge");
	must(edge(&b, 0x300, NULL, CT_EDGE_STRONG, &err), &err, "edge (multi)");
	must(node(&b, 0x200, "B", 20, 2, &err), &err, "node");
	must(node(&b, 0x300, "A", 30, 3, &err), &err, "node");
	must(edge(&b, 0x100, "[0]", CT_EDGE_INTERNAL, &err), &err, "edge");
	must(edge(&b, 0x300, ".self", CT_EDGE_STRONG, &err), &err, "edge");
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "build: %d %s", rc, err.msg);
	if (rc)
		return;
	CHECK(g.n_nodes == 3 && g.n_edges == 5, "n_nodes %u n_edges %u", g.n_nodes, g.n_edges);
	CHECK(strcmp(g.format, "test") == 0, "format '%s'", g.format);
	CHECK(g.out_off[0] == 0 && g.out_off[1] == 3 && g.out_off[2] == 3 && g.out_off[3] == 5,
	      "out_off %u %u %u %u", g.out_off[0], g.out_off[1], g.out_off[2], g.out_off[3]);
	/* Edges stay in the order given, duplicates included. */
	uint32_t want_dst[] = {2, 1, 2, 0, 2};
	uint8_t want_kind[] = {CT_EDGE_STRONG, CT_EDGE_WEAK, CT_EDGE_STRONG, CT_EDGE_INTERNAL,
			       CT_EDGE_STRONG};
	const char *want_label[] = {".z", ".y", "", "[0]", ".self"};
	for (uint32_t e = 0; e < 5; e++) {
		CHECK(g.dst[e] == want_dst[e], "edge %u dst %u want %u", e, g.dst[e], want_dst[e]);
		CHECK(g.kind[e] == want_kind[e], "edge %u kind %u", e, g.kind[e]);
		CHECK(strcmp(ct_graph_str(&g, g.label[e]), want_label[e]) == 0,
		      "edge %u label '%s' want '%s'", e, ct_graph_str(&g, g.label[e]), want_label[e]);
	}
	CHECK(g.label[2] == 0, "no label is id 0");
	CHECK(g.type[0] == g.type[2] && g.type[0] != g.type[1], "types are interned");
	CHECK(ct_graph_addr(&g, 1) == 0x200 && ct_graph_size(&g, 2) == 30, "addr/size kept");
	CHECK(ct_graph_find(&g, 0x300) == 2 && ct_graph_find(&g, 0x400) == CT_NONE, "find");
	CHECK(g.refcount == NULL, "no refcounts given: refcount is NULL");
	CHECK(g.dangling == 0, "no dangling");
	ct_graph_finish(&g);
	ct_graph_finish(&g);
	ct_graph_finish(NULL);
}

/* Targets by node index (V8): the same graph as by address, no map,
 * find() by scanning, targets checked at build, no mixing. */
static void test_by_index(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	uint32_t z = 0;

	for (int reserve = 0; reserve < 2; reserve++) {
		ct_builder_init(&b, "test");
		b.by_index = true;
		if (reserve)
			must(ct_builder_reserve(&b, 3, 5) ? -1 : 0, &err, "reserve");
		must(node(&b, 0x100, "A", 10, 1, &err), &err, "node");
		must(ct_builder_edge_index(&b, 2, z, CT_EDGE_STRONG, &err), &err, "edge");
		must(ct_builder_edge_index(&b, 1, z, CT_EDGE_WEAK, &err), &err, "edge");
		CHECK(ct_builder_edge(&b, 0x300, z, CT_EDGE_STRONG, &err) == CT_EUSAGE,
		      "no edge by address in a builder by index");
		must(node(&b, 0x200, "B", 20, 2, &err), &err, "node");
		must(node(&b, 0x300, "A", 30, 3, &err), &err, "node");
		must(ct_builder_edge_index(&b, 0, z, CT_EDGE_INTERNAL, &err), &err, "edge");
		must(ct_builder_edge_index(&b, 2, z, CT_EDGE_STRONG, &err), &err, "edge");
		int rc = ct_builder_build(&b, 0, &g, &err);
		CHECK(rc == 0, "build by index: %d %s", rc, err.msg);
		if (rc)
			return;
		CHECK(g.n_nodes == 3 && g.n_edges == 4 && g.out_off[1] == 2 && g.out_off[3] == 4,
		      "by index: %u nodes %u edges", g.n_nodes, g.n_edges);
		uint32_t want_dst[] = {2, 1, 0, 2};
		for (uint32_t e = 0; e < 4; e++)
			CHECK(g.dst[e] == want_dst[e], "by index: edge %u dst %u", e, g.dst[e]);
		CHECK(g.map.slots == NULL, "by index: no address map");
		CHECK(ct_graph_find(&g, 0x300) == 2 && ct_graph_find(&g, 0x400) == CT_NONE,
		      "by index: find scans");
		ct_graph_finish(&g);
	}

	/* A target past the last node fails at build, naming the referring
	 * object by id (builders by index keep no input lines: their loaders
	 * check targets with positions first). */
	ct_builder_init(&b, "test");
	b.by_index = true;
	must(node(&b, 0x100, "A", 10, 7, &err), &err, "node");
	must(ct_builder_edge_index(&b, 1, z, CT_EDGE_STRONG, &err), &err, "edge");
	CHECK(ct_builder_build(&b, 0, &g, &err) == CT_EINPUT && strstr(err.msg, "id 256") &&
	      strstr(err.msg, "node 1 of 1"),
	      "target past the end: line %" PRIu64 " '%s'", err.line, err.msg);

	/* And no edge by index into a builder by address. */
	ct_builder_init(&b, "test");
	must(node(&b, 0x100, "A", 10, 1, &err), &err, "node");
	CHECK(ct_builder_edge_index(&b, 0, z, CT_EDGE_STRONG, &err) == CT_EUSAGE,
	      "no edge by index in a builder by address");
	ct_builder_finish(&b);
}

static void test_duplicate(void)
{
	struct ct_builder b;
	struct ct_error err = {0};

	ct_builder_init(&b, "test");
	struct ct_graph g;
	must(node(&b, 0x10, "A", 1, 1, &err), &err, "node");
	must(node(&b, 0x20, "A", 1, 5, &err), &err, "node");
	must(node(&b, 0x10, "B", 1, 9, &err), &err, "node");
	/* Duplicates are found when the addresses are indexed, at build. */
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == CT_EINPUT && err.code == CT_EINPUT, "duplicate address: rc %d", rc);
	CHECK(err.line == 9, "error line %" PRIu64 ", want 9 (the duplicate)", err.line);
	CHECK(strstr(err.msg, "0x10") && strstr(err.msg, "line 1"),
	      "message names the address and the first line: '%s'", err.msg);
	ct_builder_finish(&b);
	ct_builder_finish(&b);
	ct_builder_finish(NULL);
}

static void test_dangling(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};

	for (int allow = 0; allow < 2; allow++) {
		memset(&err, 0, sizeof(err));
		ct_builder_init(&b, "test");
		must(node(&b, 0x10, "A", 1, 2, &err), &err, "node");
		must(edge(&b, 0x20, "a", CT_EDGE_STRONG, &err), &err, "edge");
		must(node(&b, 0x20, "A", 1, 3, &err), &err, "node");
		must(edge(&b, 0x99, "lost1", CT_EDGE_STRONG, &err), &err, "edge");
		must(edge(&b, 0x10, "b", CT_EDGE_STRONG, &err), &err, "edge");
		must(edge(&b, 0x98, "lost2", CT_EDGE_WEAK, &err), &err, "edge");
		must(node(&b, 0x30, "C", 1, 4, &err), &err, "node");
		must(edge(&b, 0x99, "lost3", CT_EDGE_STRONG, &err), &err, "edge");
		must(edge(&b, 0x30, "c", CT_EDGE_STRONG, &err), &err, "edge");
		int rc = ct_builder_build(&b, allow ? CT_BUILD_ALLOW_DANGLING : 0, &g, &err);
		if (!allow) {
			CHECK(rc == CT_EINPUT, "dangling reference is an error: rc %d", rc);
			CHECK(err.line == 3, "error names the referring object's line: %" PRIu64,
			      err.line);
			CHECK(strstr(err.msg, "0x99") != NULL, "message names the address: '%s'",
			      err.msg);
			continue;
		}
		CHECK(rc == 0, "allowed dangling: rc %d %s", rc, err.msg);
		if (rc)
			continue;
		CHECK(g.dangling == 3, "dangling count %" PRIu64 ", want 3", g.dangling);
		CHECK(g.n_edges == 3, "dangling edges dropped: %u edges", g.n_edges);
		CHECK(g.out_off[0] == 0 && g.out_off[1] == 1 && g.out_off[2] == 2 &&
		      g.out_off[3] == 3, "offsets compacted: %u %u %u %u", g.out_off[0],
		      g.out_off[1], g.out_off[2], g.out_off[3]);
		const char *want[] = {"a", "b", "c"};
		uint32_t want_dst[] = {1, 0, 2};
		for (uint32_t e = 0; e < 3 && e < g.n_edges; e++)
			CHECK(g.dst[e] == want_dst[e] &&
			      strcmp(ct_graph_str(&g, g.label[e]), want[e]) == 0,
			      "edge %u: dst %u label '%s'", e, g.dst[e], ct_graph_str(&g, g.label[e]));
		ct_graph_finish(&g);
	}
}

static void test_empty_and_misc(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};

	ct_builder_init(&b, "test");
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "empty graph builds: %d %s", rc, err.msg);
	if (!rc) {
		CHECK(g.n_nodes == 0 && g.n_edges == 0 && g.out_off && g.out_off[0] == 0,
		      "empty graph: %u nodes %u edges", g.n_nodes, g.n_edges);
		CHECK(ct_graph_find(&g, 0) == CT_NONE, "empty graph finds nothing");
		ct_graph_finish(&g);
	}

	/* An edge before any node is the caller's mistake. */
	ct_builder_init(&b, "test");
	memset(&err, 0, sizeof(err));
	rc = ct_builder_edge(&b, 1, 0, CT_EDGE_STRONG, &err);
	CHECK(rc == CT_EUSAGE, "edge before node: rc %d", rc);
	ct_builder_finish(&b);

	/* Reference counts: objects before the first counted one get 0. */
	ct_builder_init(&b, "test");
	memset(&err, 0, sizeof(err));
	uint32_t t = ct_builder_intern(&b, "T", 1);
	uint32_t n = 10000; /* past the first growth */
	for (uint32_t i = 0; i < n; i++)
		must(ct_builder_node(&b, 16 * (i + 1), t, 8, 0, 0, i >= 3, 100 + i, i + 1, &err),
		     &err, "node");
	rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0 && g.refcount, "refcounts kept: rc %d", rc);
	if (!rc && g.refcount) {
		CHECK(g.refcount[0] == 0 && g.refcount[2] == 0 && g.refcount[3] == 103 &&
		      g.refcount[n - 1] == 100 + n - 1, "refcounts %" PRIu64 " %" PRIu64 " %" PRIu64,
		      g.refcount[0], g.refcount[3], g.refcount[n - 1]);
		CHECK(g.n_nodes == n && g.out_off[n] == 0, "nodes %u", g.n_nodes);
	}
	ct_graph_finish(&g);

	/* Flags and values. */
	ct_builder_init(&b, "test");
	uint32_t v = ct_builder_intern(&b, "hello", 5);
	must(ct_builder_node(&b, 1, t, 0, CT_NODE_FINALIZER | CT_NODE_LEAF, v, false, 0, 1, &err),
	     &err, "node");
	rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0 && g.flags[0] == (CT_NODE_FINALIZER | CT_NODE_LEAF) &&
	      strcmp(ct_graph_str(&g, ct_graph_value(&g, 0)), "hello") == 0, "flags and value kept");
	ct_graph_finish(&g);
}

/* A big graph: 1M nodes in a ring with extra edges, through the builder. */
static void test_big(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	uint32_t n = test_small() ? 50000 : 1000000;

	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = 0x7f0000000000ULL + 32ULL * (((uint64_t)i * 7919) % n);
		must(ct_builder_node(&b, a, t, 1, 0, 0, false, 0, i + 1, &err), &err, "node");
		uint32_t j = (i + 1) % n;
		must(ct_builder_edge(&b, 0x7f0000000000ULL + 32ULL * (((uint64_t)j * 7919) % n), 0,
				     CT_EDGE_STRONG, &err), &err, "edge");
	}
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "big build: %s", err.msg);
	if (rc)
		return;
	int bad = 0;
	for (uint32_t i = 0; i < n && bad < 5; i++)
		bad += !CHECK(g.out_off[i] == i && g.dst[i] == (i + 1) % n, "node %u", i);
	ct_graph_finish(&g);
}

/* Packed labels read back as they were: frequent ones by code, the rest
 * from the list (more than 255 distinct labels, skewed counts, none). */
static void test_pack_labels(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	uint64_t rng = 7;
	uint32_t n = test_small() ? 2000 : 20000, per = 5;
	char text[32];

	ct_builder_init(&b, "test");
	b.by_index = true;
	must(ct_builder_reserve(&b, n, n * per), &err, "reserve");
	for (uint32_t v = 0; v < n; v++) {
		must(ct_builder_node(&b, v + 1, 0, 8, 0, 0, false, 0, 0, &err), &err, "node");
		for (uint32_t k = 0; k < per; k++) {
			uint32_t r = rng_below(&rng, 1000), l = 0;
			if (r < 900) {  /* a few frequent labels */
				snprintf(text, sizeof(text), "[%u]", r % 50);
				l = ct_builder_intern(&b, text, strlen(text));
			} else if (r < 990) {  /* many rare ones */
				snprintf(text, sizeof(text), ".p%u", rng_below(&rng, 5000));
				l = ct_builder_intern(&b, text, strlen(text));
			}
			must(ct_builder_edge_index(&b, rng_below(&rng, n), l, CT_EDGE_STRONG, &err),
			     &err, "edge");
		}
	}
	must(ct_builder_build(&b, 0, &g, &err), &err, "build");
	uint32_t *want = malloc(g.n_edges * sizeof(*want));
	memcpy(want, g.label, g.n_edges * sizeof(*want));
	must(ct_graph_pack_labels(&g, &err), &err, "pack");
	uint32_t bad = 0;
	for (uint32_t e = 0; e < g.n_edges; e++)
		bad += ct_graph_label(&g, e) != want[e];
	CHECK(!g.label && g.packed && g.packed->n_other > 0 && g.packed->n_other < g.n_edges / 5,
	      "pack: %u of %u edges listed apart", g.packed ? g.packed->n_other : 0, g.n_edges);
	CHECK(bad == 0, "pack: %u labels differ", bad);
	CHECK(ct_graph_pack_labels(&g, &err) == 0 && ct_graph_label(&g, 0) == want[0],
	      "pack: a second call changes nothing");
	free(want);
	ct_graph_finish(&g);
}

/* The address map filled on several threads (over 2^18 nodes): the same
 * duplicate reported as in one pass, every address found, and the map
 * still takes more addresses afterwards (and grows). */
static int build_threads(unsigned threads, uint32_t n, uint32_t dup_at, uint32_t dup_of,
			 struct ct_graph *g, struct ct_error *err)
{
	struct ct_builder b;

	ct_builder_init(&b, "test");
	b.threads = threads;
	uint32_t t = ct_builder_intern(&b, "T", 1);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = 0x7f0000000000ULL + 48ULL * (i == dup_at ? dup_of : i);
		must(ct_builder_node(&b, a, t, 1, 0, 0, false, 0, 10ULL + i, err), err, "node");
		must(ct_builder_edge(&b, 0x7f0000000000ULL + 48ULL * ((i * 7ULL) % n == dup_at ?
								      0 : (i * 7ULL) % n),
				     0, CT_EDGE_STRONG, err), err, "edge");
	}
	int rc = ct_builder_build(&b, 0, g, err);
	ct_builder_finish(&b);
	return rc;
}

static void test_index_threads(void)
{
	uint32_t n = 300000;
	struct ct_graph g;
	struct ct_error one = {0};

	/* Two duplicates: the first in node order is reported. */
	for (int round = 0; round < 2; round++) {
		uint32_t at = round ? 299999 : 250000, of = round ? 7 : 5;
		memset(&one, 0, sizeof(one));
		int rc1 = build_threads(1, n, at, of, &g, &one);
		CHECK(rc1 == CT_EINPUT && one.line == 10ULL + at, "one thread: duplicate at line %"
		      PRIu64 ": %s", one.line, one.msg);
		for (unsigned threads = 2; threads <= 8; threads++) {
			struct ct_error e = {0};
			int rc = build_threads(threads, n, at, of, &g, &e);
			CHECK(rc == rc1 && e.line == one.line && strcmp(e.msg, one.msg) == 0,
			      "%u threads: '%s' vs one thread's '%s'", threads, e.msg, one.msg);
		}
	}
	struct ct_error err = {0};
	int rc = build_threads(4, n, CT_NONE, 0, &g, &err);
	CHECK(rc == 0, "4 threads, no duplicate: %s", err.msg);
	if (rc)
		return;
	CHECK(g.map.wrap < g.map.mask, "the map was filled in blocks (wrap %u, mask %u)",
	      g.map.wrap, g.map.mask);
	int bad = 0;
	for (uint32_t i = 0; i < n && bad < 5; i++) {
		bad += !CHECK(ct_addrmap_get(&g.map, 0x7f0000000000ULL + 48ULL * i) == i,
			      "address of node %u found", i);
		bad += !CHECK(g.dst[i] == (uint32_t)((i * 7ULL) % n), "edge of node %u", i);
	}
	/* More addresses than the map has room for: it grows (one table). */
	uint32_t old;
	for (uint32_t i = 0; i < 2 * n && bad < 5; i++)
		bad += !CHECK(ct_addrmap_put(&g.map, 0x100000000ULL + 8ULL * i, n + i, &old) == 0 &&
			      old == CT_NONE, "put %u", i);
	for (uint32_t i = 0; i < n && bad < 5; i += 7)
		bad += !CHECK(ct_addrmap_get(&g.map, 0x7f0000000000ULL + 48ULL * i) == i &&
			      ct_addrmap_get(&g.map, 0x100000000ULL + 8ULL * i) == n + i,
			      "after growing, address %u found", i);
	CHECK(g.map.wrap == g.map.mask, "a grown map is one table");
	ct_graph_finish(&g);
}

/* Sizes of 4 GB and more go in the overflow list and come back whole,
 * through the builder and ct_graph_set_size(), in order or not. */
static void test_big_sizes(void)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	const uint64_t size[] = {5, UINT32_MAX - 1, UINT32_MAX, 1ULL << 32, 7, UINT64_MAX,
				 (1ULL << 35) + 3, 0};
	const uint32_t n = sizeof(size) / sizeof(size[0]);

	ct_builder_init(&b, "test");
	for (uint32_t i = 0; i < n; i++)
		must(node(&b, 0x1000 + 16 * i, "T", size[i], i + 1, &err), &err, "node");
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "build: %s", err.msg);
	if (rc)
		return;
	CHECK(g.n_big == 4, "4 sizes in the overflow list, not %u", g.n_big);
	for (uint32_t v = 0; v < n; v++) {
		CHECK(ct_graph_size(&g, v) == size[v], "node %u: size %" PRIu64 ", want %" PRIu64, v,
		      ct_graph_size(&g, v), size[v]);
		CHECK((g.size[v] == UINT32_MAX) == (size[v] >= UINT32_MAX), "node %u: size[] %u", v,
		      g.size[v]);
	}
	/* Set after the fact, out of order: inserted, updated, made small
	 * and big again. */
	uint64_t want[sizeof(size) / sizeof(size[0])];
	memcpy(want, size, sizeof(want));
	const struct { uint32_t v; uint64_t s; } set[] = {
		{7, 1ULL << 40}, {0, 1ULL << 33}, {4, 1ULL << 34}, {3, 12}, {5, 99},
		{3, (1ULL << 36) + 1}, {1, UINT32_MAX}, {6, 6}, {2, UINT32_MAX - 1},
	};
	for (size_t k = 0; k < sizeof(set) / sizeof(set[0]); k++) {
		CHECK(ct_graph_set_size(&g, set[k].v, set[k].s) == 0, "set_size #%zu", k);
		want[set[k].v] = set[k].s;
		for (uint32_t v = 0; v < n; v++)
			CHECK(ct_graph_size(&g, v) == want[v], "after set #%zu, node %u: %" PRIu64
			      ", want %" PRIu64, k, v, ct_graph_size(&g, v), want[v]);
	}
	for (uint32_t i = 1; i < g.n_big; i++)
		CHECK(g.big_node[i - 1] < g.big_node[i], "overflow list ascends at %u", i);
	ct_graph_finish(&g);
}

/* Every address of a[0..n) comes back from the built graph and
 * ct_graph_find() finds it (through the map, or by scanning when
 * by_index).  Returns whether the graph kept them in 32 bits. */
static bool addresses_back(const char *what, const uint64_t *a, uint32_t n, bool by_index,
			   bool *compact_at_end)
{
	struct ct_builder b;
	struct ct_graph g;
	struct ct_error err = {0};
	bool compact_midway = false;

	ct_builder_init(&b, "test");
	b.by_index = by_index;
	for (uint32_t i = 0; i < n; i++) {
		must(node(&b, a[i], "T", 8, i + 1, &err), &err, "node");
		if (i == n / 2 - 1)
			compact_midway = b.g.addr32 != NULL;
	}
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "%s: build: %s", what, err.msg);
	if (rc)
		return false;
	CHECK((g.addr32 == NULL) != (g.addr == NULL), "%s: one address array", what);
	int bad = 0;
	for (uint32_t v = 0; v < n && bad < 5; v++) {
		bad += !CHECK(ct_graph_addr(&g, v) == a[v], "%s: node %u address 0x%" PRIx64
			      ", want 0x%" PRIx64, what, v, ct_graph_addr(&g, v), a[v]);
		bad += !CHECK(ct_graph_find(&g, a[v]) == v, "%s: find 0x%" PRIx64 " = %u, want %u",
			      what, a[v], ct_graph_find(&g, a[v]), v);
	}
	*compact_at_end = g.addr32 != NULL;
	ct_graph_finish(&g);
	return compact_midway;
}

/* Addresses in 32 bits while they fit, 64-bit from the first that does
 * not (below the base, off the 8-byte steps, too far), exactly. */
static void test_addresses(void)
{
	uint32_t n = 1000;
	uint64_t *a = malloc(n * sizeof(*a));
	bool end;
	const struct { const char *what; uint64_t odd; } odd[] = {
		{"below the base", 0x10},
		{"off the steps", 0x7f0000000000ULL + 4},
		{"too far", 0x7f0000000000ULL + (32ULL << 30)},
		{"far below", 0x7f0000000000ULL - (17ULL << 30)},
	};

	for (int by_index = 0; by_index < 2; by_index++) {
		/* Java-like: 8-byte aligned, within 16 GB of the first */
		for (uint32_t i = 0; i < n; i++)
			a[i] = 0x7f0000000000ULL + (i % 2 ? 8ULL * i : (15ULL << 30) + 8ULL * i);
		a[0] = 0x7f0000000000ULL;   /* the first sets the base: 16 GB below */
		a[4] = 0x7f0000000000ULL - (16ULL << 30);   /* the base itself */
		a[6] = 0x7f0000000000ULL + (16ULL << 30) - 8;   /* the last step in reach */
		CHECK(addresses_back("fitting", a, n, by_index, &end) && end,
		      "addresses within 16 GB stay 32-bit");
		for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
			a[n / 2 + 7] = odd[k].odd;
			CHECK(addresses_back(odd[k].what, a, n, by_index, &end) && !end,
			      "%s: 32-bit until then, 64-bit after", odd[k].what);
			a[n / 2 + 7] = 0x7f0000000000ULL + 8ULL * (n + 1);
		}
		/* small ids (V8): base 0, any id below 4 GB */
		for (uint32_t i = 0; i < n; i++)
			a[i] = i % 3 ? 2ULL * i + 1 : UINT32_MAX - i;
		CHECK(addresses_back("small ids", a, n, by_index, &end) && end,
		      "ids below 4 GB stay 32-bit");
		a[n - 1] = 1ULL << 32;
		CHECK(addresses_back("an id of 4 GB", a, n, by_index, &end) && !end,
		      "an id of 4 GB turns 64-bit");
	}
	free(a);
}

/* A builder fed nodes [from, to) of a[] and size[], with one edge from
 * each to the next (the last to the first). */
static void feed(struct ct_builder *b, const uint64_t *a, const uint64_t *size, uint32_t from,
		 uint32_t to, uint32_t n)
{
	struct ct_error err = {0};

	ct_builder_init(b, "test");
	for (uint32_t i = from; i < to; i++) {
		char t[16];
		snprintf(t, sizeof(t), "T%u", i % 5);
		must(node(b, a[i], t, size[i], i - from + 1, &err), &err, "node");
		must(edge(b, a[(i + 1) % n], ".next", CT_EDGE_STRONG, &err), &err, "edge");
	}
}

/* Parts joined as the Python loader joins them: sizes at the parts'
 * boundaries, address schemes that differ. */
static bool join_parts(const char *what, const uint64_t *a, const uint64_t *size, uint32_t n,
		       const uint32_t *cut, unsigned n_parts)
{
	struct ct_builder b, part[4];
	const struct ct_builder *pp[4];
	struct ct_graph g;
	struct ct_error err = {0};
	uint32_t *remap[4] = {NULL};
	bool compact = false;

	feed(&b, a, size, 0, cut[0], n);
	for (unsigned k = 0; k < n_parts; k++) {
		feed(&part[k], a, size, cut[k], k + 1 < n_parts ? cut[k + 1] : n, n);
		pp[k] = &part[k];
		remap[k] = malloc(part[k].g.strings.count * sizeof(uint32_t));
		must(ct_strings_merge(&b.g.strings, &part[k].g.strings, remap[k]) ? -1 : 0, &err,
		     "merge strings");
	}
	must(ct_builder_make_room(&b, pp, n_parts, &err), &err, "make room");
	uint32_t n0 = b.g.n_nodes, e0 = (uint32_t)b.n_edges;
	for (unsigned k = 0; k < n_parts; k++) {
		ct_builder_copy_in(&b, &part[k], remap[k], 0, n0, e0, CT_COPY_EDGES);
		ct_builder_copy_in(&b, &part[k], remap[k], 0, n0, e0, CT_COPY_NODES);
		n0 += part[k].g.n_nodes;
		e0 += (uint32_t)part[k].n_edges;
		ct_builder_finish(&part[k]);
		free(remap[k]);
	}
	b.g.n_nodes = n0;
	b.n_edges = e0;
	int rc = ct_builder_build(&b, 0, &g, &err);
	CHECK(rc == 0, "%s: build: %s", what, err.msg);
	if (rc)
		return false;
	CHECK(g.n_nodes == n && g.n_edges == n, "%s: %u nodes, %u edges", what, g.n_nodes,
	      g.n_edges);
	int bad = 0;
	for (uint32_t v = 0; v < n && bad < 5; v++) {
		char t[16];
		snprintf(t, sizeof(t), "T%u", v % 5);
		bad += !CHECK(ct_graph_size(&g, v) == size[v], "%s: node %u size %" PRIu64
			      ", want %" PRIu64, what, v, ct_graph_size(&g, v), size[v]);
		bad += !CHECK(ct_graph_addr(&g, v) == a[v] && ct_graph_find(&g, a[v]) == v,
			      "%s: node %u address 0x%" PRIx64 ", want 0x%" PRIx64, what, v,
			      ct_graph_addr(&g, v), a[v]);
		bad += !CHECK(g.dst[v] == (v + 1) % n && strcmp(ct_graph_str(&g, g.type[v]), t) == 0,
			      "%s: node %u edge or type", what, v);
	}
	for (uint32_t i = 1; i < g.n_big; i++)
		CHECK(g.big_node[i - 1] < g.big_node[i], "%s: overflow list ascends at %u", what, i);
	compact = g.addr32 != NULL;
	ct_graph_finish(&g);
	return compact;
}

static void test_join(void)
{
	enum { N = 40 };
	uint64_t a[N], size[N];
	const uint32_t cut[] = {10, 20, 30};

	for (uint32_t i = 0; i < N; i++) {
		a[i] = 0x7f0000000000ULL + 64ULL * i;
		size[i] = 16 + i;
	}
	/* big sizes on both sides of each boundary, and at both ends */
	size[0] = 1ULL << 32;
	size[9] = (1ULL << 33) + 9;
	size[10] = (1ULL << 33) + 10;
	size[19] = UINT32_MAX;
	size[29] = UINT64_MAX;
	size[30] = 1ULL << 40;
	size[N - 1] = (1ULL << 34) + 1;
	CHECK(join_parts("one scheme", a, size, N, cut, 3), "one scheme: stays 32-bit");
	/* a part whose first address sets a base of its own, still within
	 * reach of the first part's: 32-bit, re-based */
	a[20] = 0x7f0000000000ULL + (8ULL << 30);
	CHECK(join_parts("another base", a, size, N, cut, 3), "another base: stays 32-bit");
	/* a part that went 64-bit */
	a[25] = 0x10;
	CHECK(!join_parts("a 64-bit part", a, size, N, cut, 3), "a 64-bit part: 64-bit");
	a[25] = 0x7f0000000000ULL + 64ULL * 25;
	/* a part of its own scheme, but out of the first part's reach */
	for (uint32_t i = 30; i < N; i++)
		a[i] = 0x7e0000000000ULL + 64ULL * i;
	CHECK(!join_parts("out of reach", a, size, N, cut, 3), "out of reach: 64-bit");
	/* a first part without nodes takes the next one's scheme */
	const uint32_t cut0[] = {0, 20};
	for (uint32_t i = 0; i < N; i++)
		a[i] = 0x7f0000000000ULL + 64ULL * i;
	CHECK(join_parts("empty first", a, size, N, cut0, 2), "empty first: 32-bit");
}

/* Values kept apart when fewer than 9 nodes in 10 have one: every node
 * reads back its own, across 64-node words, with and without the parts
 * of a parallel load; and one per node when nearly all have one. */
static void build_values(uint32_t n, uint32_t every, struct ct_graph *g, uint32_t *want)
{
	struct ct_builder b;
	struct ct_error err = {0};
	char text[32];

	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1);
	for (uint32_t v = 0; v < n; v++) {
		want[v] = 0;
		if (v % every == 0 || v == 63 || v == 64 || v == n - 1) {
			snprintf(text, sizeof(text), "v%u", v);
			want[v] = ct_builder_append(&b, text, strlen(text));
		}
		must(ct_builder_node(&b, 16 * ((uint64_t)v + 1), t, 8, 0, want[v], false, 0, v + 1,
				     &err), &err, "node");
	}
	must(ct_builder_build(&b, 0, g, &err), &err, "build");
}

static void test_values(void)
{
	enum { N = 1000 };
	static uint32_t want[N];
	struct ct_graph g;
	const uint32_t every[] = {7, 64, 1000, 2};   /* sparse, sparser, ends, half */

	for (size_t k = 0; k < sizeof(every) / sizeof(every[0]); k++) {
		build_values(N, every[k], &g, want);
		CHECK(g.value == NULL && g.value_bits != NULL, "every %u: values kept apart", every[k]);
		uint32_t bad = 0;
		for (uint32_t v = 0; v < N; v++)
			bad += ct_graph_value(&g, v) != want[v];
		CHECK(bad == 0, "every %u: %u of %u values differ", every[k], bad, N);
		CHECK(strcmp(ct_graph_str(&g, ct_graph_value(&g, 64)), "v64") == 0 &&
		      ct_graph_value(&g, 65) == 0, "every %u: node 64 'v64', node 65 none", every[k]);
		ct_graph_finish(&g);
	}
	/* Nine in ten and more: one per node. */
	struct ct_builder b;
	struct ct_error err = {0};
	ct_builder_init(&b, "test");
	uint32_t t = ct_builder_intern(&b, "T", 1), name = ct_builder_intern(&b, "x", 1);
	for (uint32_t v = 0; v < 100; v++)
		must(ct_builder_node(&b, 16 * ((uint64_t)v + 1), t, 8, 0, v % 10 == 9 ? 0 : name, false,
				     0, v + 1, &err), &err, "node");
	must(ct_builder_build(&b, 0, &g, &err), &err, "build");
	CHECK(g.value != NULL && g.value_bits == NULL && ct_graph_value(&g, 8) == name &&
	      ct_graph_value(&g, 9) == 0, "90 values of 100: one per node");
	ct_graph_finish(&g);
}

int main(void)
{
	test_values();
	test_pack_labels();
	test_addrmap();
	test_builder();
	test_by_index();
	test_duplicate();
	test_dangling();
	test_empty_and_misc();
	test_big();
	test_index_threads();
	test_big_sizes();
	test_addresses();
	test_join();
	return check_status("test_graph");
}
