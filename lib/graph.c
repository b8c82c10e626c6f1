#include "graph.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dom.h"
#include "mem.h"

/* ---- address map ---- */

void ct_addrmap_init(struct ct_addrmap *m)
{
	memset(m, 0, sizeof(*m));
}

void ct_addrmap_finish(struct ct_addrmap *m)
{
	if (!m)
		return;
	ct_mem_free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int rehash(struct ct_addrmap *m, uint64_t cap)
{
	if (cap > (1ULL << 32))
		return CT_ENOMEM;
	struct ct_addrmap_slot *slots = ct_mem_zalloc(ct_mem_bytes(cap, sizeof(*slots)));
	if (!slots)
		return CT_ENOMEM;
	uint32_t mask = (uint32_t)(cap - 1);
	if (m->slots) {
		for (uint64_t i = 0; i <= m->mask; i++) {
			if (!m->slots[i].val)
				continue;
			uint32_t j = (uint32_t)ct_hash_keyed_u64(m->slots[i].key) & mask;
			while (slots[j].val)
				j = (j + 1) & mask;
			slots[j] = m->slots[i];
		}
	}
	ct_mem_free(m->slots);
	m->slots = slots;
	m->mask = m->wrap = mask;
	return 0;
}

int ct_addrmap_reserve(struct ct_addrmap *m, uint32_t n)
{
	uint64_t cap = 16;
	while (cap < (uint64_t)n * 2)
		cap *= 2;
	if (m->slots && cap <= (uint64_t)m->mask + 1)
		return 0;
	return rehash(m, cap);
}

int ct_addrmap_put(struct ct_addrmap *m, uint64_t key, uint32_t val, uint32_t *old)
{
	if (!m->slots || (uint64_t)(m->count + 1) * 2 > (uint64_t)m->mask + 1) {
		uint64_t cap = m->slots ? ((uint64_t)m->mask + 1) * 2 : 1024;
		if (rehash(m, cap))
			return CT_ENOMEM;
	}
	uint32_t i = (uint32_t)ct_hash_keyed_u64(key) & m->mask;
	for (; m->slots[i].val; i = ct_addrmap_next(m, i)) {
		if (m->slots[i].key == key) {
			*old = (uint32_t)(m->slots[i].val - 1);
			return 0;
		}
	}
	m->slots[i].key = key;
	m->slots[i].val = (uint64_t)val + 1;
	m->count++;
	*old = CT_NONE;
	return 0;
}

uint32_t ct_addrmap_get(const struct ct_addrmap *m, uint64_t key)
{
	if (!m->slots)
		return CT_NONE;
	uint32_t i = (uint32_t)ct_hash_keyed_u64(key) & m->mask;
	for (; m->slots[i].val; i = ct_addrmap_next(m, i))
		if (m->slots[i].key == key)
			return (uint32_t)(m->slots[i].val - 1);
	return CT_NONE;
}

/* ---- graph ---- */

void ct_graph_finish(struct ct_graph *g)
{
	if (!g)
		return;
	ct_mem_free(g->addr);
	ct_mem_free(g->addr32);
	ct_mem_free(g->type);
	ct_mem_free(g->size);
	ct_mem_free(g->big_node);
	ct_mem_free(g->big_size);
	ct_mem_free(g->flags);
	ct_mem_free(g->value);
	ct_mem_free(g->value_bits);
	ct_mem_free(g->value_rank);
	ct_mem_free(g->value_list);
	ct_mem_free(g->refcount);
	ct_mem_free(g->site);
	ct_mem_free(g->out_off);
	ct_mem_free(g->dst);
	ct_mem_free(g->label);
	if (g->packed) {
		ct_mem_free(g->packed->code);
		ct_mem_free(g->packed->other_edge);
		ct_mem_free(g->packed->other_label);
		free(g->packed);
	}
	ct_mem_free(g->kind);
	ct_mem_free(g->root_note_node);
	ct_mem_free(g->root_note);
	ct_addrmap_finish(&g->map);
	ct_strings_finish(&g->strings);
	memset(g, 0, sizeof(*g));
}

/* The index of the first overflow entry for a node >= v (n_big if none). */
static uint32_t big_find(const struct ct_graph *g, uint32_t v)
{
	return ct_u32_lower_bound(g->big_node, g->n_big, v);
}

uint64_t ct_graph_big_size(const struct ct_graph *g, uint32_t v)
{
	uint32_t i = big_find(g, v);

	return i < g->n_big && g->big_node[i] == v ? g->big_size[i] : UINT32_MAX;
}

/* Room for want overflow entries.  Returns 0 or CT_ENOMEM. */
static int big_reserve(struct ct_graph *g, uint64_t want)
{
	if (want <= g->big_cap)
		return 0;
	uint64_t cap = g->big_cap ? (uint64_t)g->big_cap * 2 : 64;
	if (cap < want)
		cap = want;
	if (cap > UINT32_MAX)
		return CT_ENOMEM;
	uint32_t *node = ct_mem_realloc(g->big_node, (size_t)cap * sizeof(*node));
	if (node)
		g->big_node = node;
	uint64_t *size = ct_mem_realloc(g->big_size, (size_t)cap * sizeof(*size));
	if (size)
		g->big_size = size;
	if (!node || !size)
		return CT_ENOMEM;
	g->big_cap = (uint32_t)cap;
	return 0;
}

int ct_graph_set_big_size(struct ct_graph *g, uint32_t v, uint64_t s)
{
	uint32_t i = g->n_big && g->big_node[g->n_big - 1] < v ? g->n_big : big_find(g, v);

	if (i < g->n_big && g->big_node[i] == v) {
		g->big_size[i] = s;   /* stale from now on when s fits */
	} else if (s >= UINT32_MAX) {
		if (big_reserve(g, (uint64_t)g->n_big + 1))
			return CT_ENOMEM;
		size_t after = g->n_big - i;
		memmove(g->big_node + i + 1, g->big_node + i, after * sizeof(*g->big_node));
		memmove(g->big_size + i + 1, g->big_size + i, after * sizeof(*g->big_size));
		g->big_node[i] = v;
		g->big_size[i] = s;
		g->n_big++;
	}
	g->size[v] = s < UINT32_MAX ? (uint32_t)s : UINT32_MAX;
	return 0;
}

/* ---- builder ---- */

void ct_builder_init(struct ct_builder *b, const char *format)
{
	memset(b, 0, sizeof(*b));
	ct_strings_init(&b->g.strings);
	ct_addrmap_init(&b->g.map);
	b->g.format = format;
}

void ct_builder_finish(struct ct_builder *b)
{
	if (!b)
		return;
	ct_graph_finish(&b->g);
	ct_mem_free(b->pos);
	ct_mem_free(b->taddr);
	memset(b, 0, sizeof(*b));
}

#define GROW(ptr, cap, ok) \
	do { \
		void *p_ = ct_mem_realloc((ptr), (size_t)(cap) * sizeof(*(ptr))); \
		if (p_) (ptr) = p_; else (ok) = 0; \
	} while (0)

/* The input position of node v, 0 when the loader keeps none. */
static uint64_t pos_of(const struct ct_builder *b, uint32_t v)
{
	return b->pos ? b->pos[v] : 0;
}

/* Room for at least want nodes: twice the room there was, or want when
 * that is more (a reserve made in one step: growing by doubling from
 * nothing would copy each smaller array into the next). */
static int grow_nodes_to(struct ct_builder *b, uint64_t want)
{
	uint64_t cap = b->node_cap ? (uint64_t)b->node_cap * 2 : 4096;
	int ok = 1;

	if (cap < want)
		cap = want;
	if (cap >= CT_NONE)
		cap = CT_NONE - 1;
	if (cap <= b->node_cap)
		return CT_ENOMEM;
	struct ct_graph *g = &b->g;
	if (g->addr)
		GROW(g->addr, cap, ok);
	else
		GROW(g->addr32, cap, ok);   /* compact until an address does not fit */
	GROW(g->type, cap, ok);
	GROW(g->size, cap, ok);
	GROW(g->flags, cap, ok);
	GROW(g->value, cap, ok);
	GROW(g->out_off, cap + 1, ok);
	if (!b->by_index)  /* loaders by index report their own positions */
		GROW(b->pos, cap, ok);
	if (b->has_refcount || g->refcount)
		GROW(g->refcount, cap, ok);
	if (g->site)
		GROW(g->site, cap, ok);
	if (!ok)
		return CT_ENOMEM;
	b->node_cap = (uint32_t)cap;
	return 0;
}

static int grow_nodes(struct ct_builder *b)
{
	return grow_nodes_to(b, 0);
}

/* Room for cap edges: targets (addresses, or indices when by_index),
 * labels and kinds. */
static int grow_edges(struct ct_builder *b, uint32_t cap)
{
	int ok = 1;

	if (b->by_index)
		GROW(b->g.dst, cap, ok);
	else
		GROW(b->taddr, cap, ok);
	if (!b->no_labels)
		GROW(b->g.label, cap, ok);
	GROW(b->g.kind, cap, ok);
	if (!ok)
		return CT_ENOMEM;
	b->edge_cap = cap;
	return 0;
}

int ct_builder_reserve(struct ct_builder *b, uint32_t nodes, uint32_t edges)
{
	if (b->node_cap < nodes && grow_nodes_to(b, nodes))
		return CT_ENOMEM;
	if (edges > b->edge_cap && grow_edges(b, edges))
		return CT_ENOMEM;
	return 0;
}

int ct_builder_expect(struct ct_builder *b, uint32_t nodes, uint32_t edges)
{
	struct ct_graph *g = &b->g;

	if (ct_builder_reserve(b, nodes, edges))
		return CT_ENOMEM;
	if (g->addr)
		ct_mem_prefault(g->addr, (size_t)nodes * sizeof(*g->addr));
	else
		ct_mem_prefault(g->addr32, (size_t)nodes * sizeof(*g->addr32));
	ct_mem_prefault(g->type, (size_t)nodes * sizeof(*g->type));
	ct_mem_prefault(g->size, (size_t)nodes * sizeof(*g->size));
	ct_mem_prefault(g->flags, (size_t)nodes * sizeof(*g->flags));
	ct_mem_prefault(g->value, (size_t)nodes * sizeof(*g->value));
	ct_mem_prefault(g->out_off, ((size_t)nodes + 1) * sizeof(*g->out_off));
	ct_mem_prefault(b->pos, (size_t)nodes * sizeof(*b->pos));
	ct_mem_prefault(g->dst, (size_t)edges * sizeof(*g->dst));
	ct_mem_prefault(b->taddr, (size_t)edges * sizeof(*b->taddr));
	ct_mem_prefault(g->label, (size_t)edges * sizeof(*g->label));
	ct_mem_prefault(g->kind, (size_t)edges * sizeof(*g->kind));
	if (b->dominators)
		ct_mem_reserve(ct_dom_work_bytes(nodes));
	return 0;
}

/* The compact address scheme a graph whose first address is a takes:
 * below 4 GB (small ids: V8's, graph files'), base 0 and shift 0 (ids
 * up to 4 GB); else 8-byte steps when a is aligned to 8 (addresses),
 * else 1, and a base half the reach below a (so that 16 GB either side
 * of a fits with 8-byte steps, as formats/hprof.c's keys do), not below
 * 0, aligned to the step. */
static void addr_scheme(struct ct_graph *g, uint64_t a)
{
	if (a <= UINT32_MAX) {
		g->addr_base = 0;
		g->addr_shift = 0;
		return;
	}
	g->addr_shift = a & 7 ? 0 : 3;
	uint64_t half = (uint64_t)1 << (31 + g->addr_shift);
	g->addr_base = a > half ? (a - half) & ~(((uint64_t)1 << g->addr_shift) - 1) : 0;
}

/* Does address a fit g's compact scheme?  *k its 32-bit form when it does. */
static inline bool addr_fits(const struct ct_graph *g, uint64_t a, uint32_t *k)
{
	if (a < g->addr_base)
		return false;
	uint64_t d = a - g->addr_base;
	if (d & (((uint64_t)1 << g->addr_shift) - 1) || d >> g->addr_shift > UINT32_MAX)
		return false;
	*k = (uint32_t)(d >> g->addr_shift);
	return true;
}

/* Turn the builder's compact addresses into 64-bit ones (once, at the
 * first address that does not fit).  Returns 0 or CT_ENOMEM. */
static int widen(struct ct_builder *b)
{
	struct ct_graph *g = &b->g;
	uint64_t *a = ct_mem_alloc(ct_mem_bytes(b->node_cap ? b->node_cap : 1, sizeof(*a)));

	if (!a)
		return CT_ENOMEM;
	for (uint32_t v = 0; v < g->n_nodes; v++)
		a[v] = ct_graph_addr(g, v);
	ct_mem_free(g->addr32);
	g->addr32 = NULL;
	g->addr = a;
	g->addr_base = 0;
	g->addr_shift = 0;
	return 0;
}

int ct_builder_node(struct ct_builder *b, uint64_t addr, uint32_t type, uint64_t size,
		    uint8_t flags, uint32_t value, bool has_refcount, uint64_t refcount,
		    uint64_t pos, struct ct_error *err)
{
	struct ct_graph *g = &b->g;
	uint32_t i = g->n_nodes;

	if (i == CT_NONE - 1)
		return ct_error_at(err, CT_EINPUT, pos, 0, "too many objects (limit %u)", i);
	if (i == b->node_cap && grow_nodes(b))
		return ct_error_nomem(err);
	if (has_refcount && !g->refcount) {
		/* First object with a count: earlier ones get 0 (unknown). */
		g->refcount = ct_mem_zalloc(ct_mem_bytes(b->node_cap, sizeof(*g->refcount)));
		if (!g->refcount)
			return ct_error_nomem(err);
		b->has_refcount = true;
	}
	if (g->addr32) {
		uint32_t k;
		if (i == 0)
			addr_scheme(g, addr);
		if (addr_fits(g, addr, &k))
			g->addr32[i] = k;
		else if (widen(b))
			return ct_error_nomem(err);
	}
	if (g->addr)
		g->addr[i] = addr;
	if (size >= UINT32_MAX) {
		/* nodes come in order: an append */
		if (big_reserve(g, (uint64_t)g->n_big + 1))
			return ct_error_nomem(err);
		g->big_node[g->n_big] = i;
		g->big_size[g->n_big++] = size;
		g->size[i] = UINT32_MAX;
	} else {
		g->size[i] = (uint32_t)size;
	}
	g->type[i] = type;
	g->flags[i] = flags;
	g->value[i] = value;
	if (g->refcount)
		g->refcount[i] = has_refcount ? refcount : 0;
	if (g->site)
		g->site[i] = 0;
	if (b->pos)
		b->pos[i] = pos;
	g->out_off[i] = (uint32_t)b->n_edges;
	g->n_nodes = i + 1;
	return 0;
}

int ct_builder_site(struct ct_builder *b, uint32_t site, struct ct_error *err)
{
	struct ct_graph *g = &b->g;

	if (g->n_nodes == 0)
		return ct_error_set(err, CT_EUSAGE, "site before any node");
	if (!g->site) {
		/* First node with a site: earlier ones get 0 (none). */
		g->site = ct_mem_zalloc(ct_mem_bytes(b->node_cap, sizeof(*g->site)));
		if (!g->site)
			return ct_error_nomem(err);
	}
	g->site[g->n_nodes - 1] = site;
	return 0;
}

/* The checks and room for one more edge from the last node added, in a
 * builder taking targets by_index or by address; its label and kind are
 * stored, its target is the caller's.  Returns 0 or an error code. */
static inline int edge_slot(struct ct_builder *b, bool by_index, uint32_t label, uint8_t kind,
			    struct ct_error *err)
{
	struct ct_graph *g = &b->g;

	if (g->n_nodes == 0)
		return ct_error_set(err, CT_EUSAGE, "edge before any node");
	if (b->by_index != by_index)
		return ct_error_set(err, CT_EUSAGE, by_index ? "edge by index in a builder by address" :
							       "edge by address in a builder by index");
	if (b->n_edges == b->edge_cap) {
		uint64_t cap = b->edge_cap ? (uint64_t)b->edge_cap * 2 : 16384;
		if (cap >= UINT32_MAX)
			cap = UINT32_MAX - 1;
		if (cap <= b->edge_cap)
			return ct_error_at(err, CT_EINPUT, pos_of(b, g->n_nodes - 1), 0,
					   "too many references (limit %u)", b->edge_cap);
		if (grow_edges(b, (uint32_t)cap))
			return ct_error_nomem(err);
	}
	if (!b->no_labels)
		g->label[b->n_edges] = label;
	g->kind[b->n_edges] = kind;
	return 0;
}

int ct_builder_edge(struct ct_builder *b, uint64_t target_addr, uint32_t label, uint8_t kind,
		    struct ct_error *err)
{
	int rc = edge_slot(b, false, label, kind, err);

	if (rc)
		return rc;
	b->taddr[b->n_edges++] = target_addr;
	return 0;
}

int ct_builder_edge_index(struct ct_builder *b, uint32_t target, uint32_t label, uint8_t kind,
			  struct ct_error *err)
{
	int rc = edge_slot(b, true, label, kind, err);

	if (rc)
		return rc;
	b->g.dst[b->n_edges++] = target;
	return 0;
}

/* Map every address to its node, in one pass over the finished node
 * array: prefetching the slots a few nodes ahead hides most of the cache
 * misses that inserting while parsing could not. */
#define AHEAD 16

/* Filling the map on several threads: the map is cut into blocks that
 * probing does not leave (ct_addrmap.wrap), and each thread fills one
 * block with the addresses whose home slot is there, in node order, so
 * that a duplicate is found against the same first node as in one pass. */
struct index_job {
	const struct ct_graph *g;
	struct ct_addrmap *m;
	uint32_t *home;          /* per node: its home slot */
	uint32_t from, to;       /* nodes to hash */
	uint32_t block, shift;   /* the block filled: slots i with i >> shift == block */
	uint32_t count;          /* addresses put in the block */
	uint32_t dup, first;     /* the first node whose address was there, and
				  * the node that had it; CT_NONE = none */
	bool full;               /* the block filled past what probing is quick at */
};

static void *hash_range(void *arg)
{
	struct index_job *w = arg;

	for (uint32_t i = w->from; i < w->to; i++)
		w->home[i] = (uint32_t)ct_hash_keyed_u64(ct_graph_addr(w->g, i)) & w->m->mask;
	return NULL;
}

static void *fill_block(void *arg)
{
	struct index_job *w = arg;
	struct ct_addrmap *m = w->m;
	uint32_t n = w->g->n_nodes, room = m->wrap - m->wrap / 4;

	for (uint32_t v = 0; v < n; v++) {
		uint32_t i = w->home[v];
		if (i >> w->shift != w->block)
			continue;
		uint64_t a = ct_graph_addr(w->g, v);
		for (; m->slots[i].val; i = ct_addrmap_next(m, i)) {
			if (m->slots[i].key == a) {
				w->dup = v;
				w->first = (uint32_t)(m->slots[i].val - 1);
				return NULL;
			}
		}
		if (++w->count > room) {   /* unlikely: one pass instead */
			w->full = true;
			return NULL;
		}
		m->slots[i].key = a;
		m->slots[i].val = (uint64_t)v + 1;
	}
	return NULL;
}

#define INDEX_PARALLEL_MIN (1u << 18)   /* nodes worth more than one thread */

/* The map filled on b->threads threads (rounded down to a power of two):
 * 0, or CT_ENOMEM, or CT_EINPUT for a duplicate (*dup and *first set),
 * or -1 when it must be filled in one pass (the map left empty). */
static int index_parallel(struct ct_builder *b, uint32_t *dup, uint32_t *first)
{
	struct ct_graph *g = &b->g;
	struct ct_addrmap *m = &g->map;
	struct index_job job[64];
	uint32_t n = g->n_nodes, nt = 1;
	int rc = 0;

	while (nt * 2 <= b->threads && nt * 2 <= 64)
		nt *= 2;
	if (nt < 2 || n < INDEX_PARALLEL_MIN || m->count)
		return -1;
	uint32_t *home = ct_mem_alloc(ct_mem_bytes(n, sizeof(*home)));
	if (!home)
		return CT_ENOMEM;
	uint32_t shift = 0;
	while (((uint64_t)1 << shift) < ((uint64_t)m->mask + 1) / nt)
		shift++;
	m->wrap = (uint32_t)(((uint64_t)1 << shift) - 1);
	for (uint32_t k = 0; k < nt; k++)
		job[k] = (struct index_job){.g = g, .m = m, .home = home,
					    .from = (uint32_t)((uint64_t)n * k / nt),
					    .to = (uint32_t)((uint64_t)n * (k + 1) / nt),
					    .block = k, .shift = shift, .dup = CT_NONE};
	ct_mem_run_jobs(hash_range, job, sizeof(job[0]), nt);
	ct_mem_run_jobs(fill_block, job, sizeof(job[0]), nt);
	*dup = CT_NONE;
	for (uint32_t k = 0; k < nt; k++) {
		m->count += job[k].count;
		if (job[k].full) {
			rc = -1;
		} else if (job[k].dup < *dup) {
			*dup = job[k].dup;
			*first = job[k].first;
		}
	}
	if (rc == 0 && *dup != CT_NONE)
		rc = CT_EINPUT;
	if (rc == -1) {
		memset(m->slots, 0, ((size_t)m->mask + 1) * sizeof(*m->slots));
		m->count = 0;
		m->wrap = m->mask;
	}
	ct_mem_free(home);
	return rc;
}

static int index_addresses(struct ct_builder *b, struct ct_error *err)
{
	struct ct_graph *g = &b->g;
	struct ct_addrmap *m = &g->map;
	uint32_t n = g->n_nodes, old, dup = CT_NONE, first = 0;

	if (ct_addrmap_reserve(m, n))
		return ct_error_nomem(err);
	int rc = index_parallel(b, &dup, &first);
	if (rc == CT_ENOMEM)
		return ct_error_nomem(err);
	if (rc == CT_EINPUT)
		return ct_error_at(err, CT_EINPUT, b->pos[dup], 0,
				   "duplicate address 0x%" PRIx64 " (first at line %" PRIu64 ")",
				   ct_graph_addr(g, dup), b->pos[first]);
	if (rc == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			__builtin_prefetch(&m->slots[(uint32_t)ct_hash_keyed_u64(
							     ct_graph_addr(g, i + AHEAD)) & m->mask], 1);
		if (ct_addrmap_put(m, ct_graph_addr(g, i), i, &old))
			return ct_error_nomem(err);
		if (old != CT_NONE)
			return ct_error_at(err, CT_EINPUT, b->pos[i], 0,
					   "duplicate address 0x%" PRIx64 " (first at line %" PRIu64 ")",
					   ct_graph_addr(g, i), b->pos[old]);
	}
	return 0;
}

/* Give back the slack of the growth strategy in the g->n_edges edges;
 * without labels, give them an array of zeros that takes no memory until
 * written (fresh mappings are zero). */
/* Keep the values apart (ct_graph_value()) when fewer than 9 nodes in
 * 10 have one: a bit per node, a count per 64 and 4 bytes per value, not
 * 4 bytes per node (a Java heap's values are its strings'). */
static int pack_values(struct ct_graph *g, struct ct_error *err)
{
	uint32_t n = g->n_nodes, k = 0, words = (n + 63) / 64;

	for (uint32_t v = 0; v < n; v++)
		k += g->value[v] != 0;
	if (n == 0 || (uint64_t)k * 10 >= (uint64_t)n * 9)
		return 0;
	g->value_bits = ct_mem_zalloc((size_t)words * sizeof(*g->value_bits));
	g->value_rank = ct_mem_alloc((size_t)words * sizeof(*g->value_rank));
	g->value_list = ct_mem_alloc((k ? k : 1) * sizeof(*g->value_list));
	if (!g->value_bits || !g->value_rank || !g->value_list) {
		ct_mem_free(g->value_bits);
		ct_mem_free(g->value_rank);
		ct_mem_free(g->value_list);
		g->value_bits = NULL;
		g->value_rank = NULL;
		g->value_list = NULL;
		return ct_error_nomem(err);
	}
	k = 0;
	for (uint32_t v = 0; v < n; v++) {
		if ((v & 63) == 0)
			g->value_rank[v >> 6] = k;
		if (g->value[v]) {
			g->value_bits[v >> 6] |= (uint64_t)1 << (v & 63);
			g->value_list[k++] = g->value[v];
		}
	}
	ct_mem_free(g->value);
	g->value = NULL;
	return 0;
}

/* The edge arrays cut to their size, and the values packed. */
static int finish_edges(struct ct_builder *b, struct ct_error *err)
{
	struct ct_graph *g = &b->g;
	size_t m = g->n_edges ? g->n_edges : 1;
	uint32_t *d = ct_mem_realloc(g->dst, m * sizeof(*d));
	uint8_t *k = ct_mem_realloc(g->kind, m);

	if (d)
		g->dst = d;
	if (k)
		g->kind = k;
	if (!d || !k)
		return ct_error_nomem(err);
	if (b->no_labels) {
		ct_mem_free(g->label);
		g->label = ct_mem_zalloc(m * sizeof(*g->label));
	} else {
		uint32_t *l = ct_mem_realloc(g->label, m * sizeof(*l));
		if (l)
			g->label = l;
	}
	return g->label ? pack_values(g, err) : ct_error_nomem(err);
}

/* Resolving targets on several threads: each takes a range of edges and
 * writes their node indices in place; a target not in the map is only
 * counted (the one-thread loop below then drops or reports it). */
struct resolve_job {
	struct ct_builder *b;
	uint32_t from, to;   /* edges */
	uint64_t unknown;
};

static void *resolve_range(void *arg)
{
	struct resolve_job *w = arg;
	struct ct_graph *g = &w->b->g;
	const uint64_t *taddr = w->b->taddr;

	for (uint32_t e = w->from; e < w->to; e++) {
		if (e + AHEAD < w->to)
			__builtin_prefetch(&g->map.slots[(uint32_t)ct_hash_keyed_u64(taddr[e + AHEAD]) &
							 g->map.mask]);
		uint32_t t = ct_addrmap_get(&g->map, taddr[e]);
		if (t == CT_NONE)
			w->unknown++;
		g->dst[e] = t;
	}
	return NULL;
}

/* Resolve every edge in place on b->threads threads: true when every
 * target is known (then g->dst is complete, nothing to compact). */
static bool resolve_parallel(struct ct_builder *b, uint32_t m)
{
	struct resolve_job job[64];
	unsigned nt = b->threads < 64 ? b->threads : 64;
	uint64_t unknown = 0;

	for (unsigned k = 0; k < nt; k++)
		job[k] = (struct resolve_job){b, (uint32_t)((uint64_t)m * k / nt),
					      (uint32_t)((uint64_t)m * (k + 1) / nt), 0};
	ct_mem_run_jobs(resolve_range, job, sizeof(job[0]), nt);
	for (unsigned k = 0; k < nt; k++)
		unknown += job[k].unknown;
	return unknown == 0;
}

int ct_builder_build(struct ct_builder *b, unsigned opts, struct ct_graph *out,
		     struct ct_error *err)
{
	struct ct_graph *g = &b->g;
	int rc = 0;
	uint32_t n = g->n_nodes, m = (uint32_t)b->n_edges;

	if (!g->out_off && grow_nodes(b)) {
		rc = ct_error_nomem(err);
		goto out;
	}
	g->out_off[n] = m;
	if (b->by_index) {
		/* Targets are in place: check them; no address map. */
		for (uint32_t v = 0; v < n; v++) {
			for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
				if (g->dst[e] >= n) {
					rc = ct_error_at(err, CT_EINPUT, pos_of(b, v), 0,
							 "object with id %" PRIu64 " refers to node %"
							 PRIu32 " of %" PRIu32, ct_graph_addr(g, v),
							 g->dst[e], n);
					goto out;
				}
			}
		}
		g->n_edges = m;
		ct_mem_free(b->pos);
		b->pos = NULL;
		if ((rc = finish_edges(b, err)))
			goto out;
		*out = *g;
		memset(g, 0, sizeof(*g));
		goto out;
	}
	if ((rc = index_addresses(b, err)))
		goto out;
	g->dst = ct_mem_alloc((m ? m : 1) * sizeof(*g->dst));
	if (!g->dst) {
		rc = ct_error_nomem(err);
		goto out;
	}
	/* Resolve targets; dropped (dangling) edges are compacted away. */
	uint32_t w = 0;
	if (b->threads > 1 && m >= (1u << 20) && resolve_parallel(b, m)) {
		w = m;
		goto resolved;
	}
	for (uint32_t v = 0; v < n; v++) {
		uint32_t start = g->out_off[v], end = g->out_off[v + 1];
		g->out_off[v] = w;
		for (uint32_t e = start; e < end; e++) {
			if (e + AHEAD < m)
				__builtin_prefetch(&g->map.slots[(uint32_t)ct_hash_keyed_u64(b->taddr[e + AHEAD]) &
								 g->map.mask]);
			uint32_t t = ct_addrmap_get(&g->map, b->taddr[e]);
			if (t == CT_NONE) {
				if (!(opts & CT_BUILD_ALLOW_DANGLING)) {
					rc = ct_error_at(err, CT_EINPUT, b->pos[v], 0,
							 "reference to unknown address 0x%" PRIx64
							 " (not in the dump)", b->taddr[e]);
					goto out;
				}
				g->dangling++;
				continue;
			}
			g->dst[w] = t;
			if (!b->no_labels)
				g->label[w] = g->label[e];
			g->kind[w] = g->kind[e];
			w++;
		}
	}
resolved:
	g->out_off[n] = w;
	g->n_edges = w;
	ct_mem_free(b->taddr);
	b->taddr = NULL;
	ct_mem_free(b->pos);
	b->pos = NULL;
	if ((rc = finish_edges(b, err)))
		goto out;
	*out = *g;
	memset(g, 0, sizeof(*g));
out:
	ct_builder_finish(b);
	return rc;
}

uint32_t ct_packed_label_other(const struct ct_packed_labels *p, uint32_t e)
{
	uint32_t i = ct_u32_lower_bound(p->other_edge, p->n_other, e);  /* other_edge[] ascends */

	return i < p->n_other && p->other_edge[i] == e ? p->other_label[i] : 0;
}

/* Min-heap of (count, id) by count: the most frequent labels seen so far. */
static void heap_down(uint64_t *h, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t m = i, l = 2 * i + 1, r = l + 1;
		if (l < n && h[l] < h[m])
			m = l;
		if (r < n && h[r] < h[m])
			m = r;
		if (m == i)
			return;
		uint64_t t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

int ct_graph_pack_labels(struct ct_graph *g, struct ct_error *err)
{
	uint32_t ns = g->strings.count ? g->strings.count : 1, n_other = 0;
	uint32_t *count = NULL;
	uint8_t *code_of = NULL;
	struct ct_packed_labels *p = NULL;
	uint64_t heap[CT_LABEL_OTHER];
	uint32_t nh = 0;

	if (!g->label || g->packed)
		return 0;
	count = calloc(ns, sizeof(*count));
	code_of = malloc(ns);
	p = calloc(1, sizeof(*p));
	if (!count || !code_of || !p)
		goto nomem;
	for (uint32_t e = 0; e < g->n_edges; e++)
		if (g->label[e] < ns && count[g->label[e]] < UINT32_MAX)
			count[g->label[e]]++;
	/* The CT_LABEL_OTHER most frequent labels: (count << 32 | id) in a heap. */
	for (uint32_t id = 0; id < ns; id++) {
		uint64_t key = (uint64_t)count[id] << 32 | id;
		if (!count[id])
			continue;
		if (nh < CT_LABEL_OTHER) {
			heap[nh++] = key;
			if (nh == CT_LABEL_OTHER)
				for (uint32_t i = nh / 2; i-- > 0;)
					heap_down(heap, nh, i);
		} else if (key > heap[0]) {
			heap[0] = key;
			heap_down(heap, nh, 0);
		}
	}
	memset(code_of, CT_LABEL_OTHER, ns);
	for (uint32_t c = 0; c < nh; c++) {
		p->table[c] = (uint32_t)heap[c];
		code_of[p->table[c]] = (uint8_t)c;
	}
	for (uint32_t e = 0; e < g->n_edges; e++)
		n_other += g->label[e] >= ns || code_of[g->label[e]] == CT_LABEL_OTHER;
	p->code = ct_mem_alloc(g->n_edges ? g->n_edges : 1);
	p->other_edge = ct_mem_alloc((size_t)(n_other ? n_other : 1) * sizeof(uint32_t));
	p->other_label = ct_mem_alloc((size_t)(n_other ? n_other : 1) * sizeof(uint32_t));
	if (!p->code || !p->other_edge || !p->other_label)
		goto nomem;
	for (uint32_t e = 0; e < g->n_edges; e++) {
		uint32_t l = g->label[e];
		uint8_t c = l < ns ? code_of[l] : CT_LABEL_OTHER;
		p->code[e] = c;
		if (c == CT_LABEL_OTHER) {
			p->other_edge[p->n_other] = e;
			p->other_label[p->n_other++] = l;
		}
	}
	free(count);
	free(code_of);
	ct_mem_free(g->label);
	g->label = NULL;
	g->packed = p;
	return 0;
nomem:
	free(count);
	free(code_of);
	if (p) {
		ct_mem_free(p->code);
		ct_mem_free(p->other_edge);
		ct_mem_free(p->other_label);
		free(p);
	}
	return ct_error_nomem(err);
}

/* Give b one address representation that holds its own nodes' and every
 * part's: b's compact scheme when all of them fit it (b without nodes
 * takes the first part's), else 64-bit.  Returns 0 or CT_ENOMEM. */
static int join_addresses(struct ct_builder *b, const struct ct_builder *const *parts,
			  unsigned n_parts)
{
	struct ct_graph *g = &b->g;
	uint32_t k;

	for (unsigned p = 0; p < n_parts && g->addr32 && g->n_nodes == 0; p++) {
		const struct ct_graph *s = &parts[p]->g;
		if (!s->n_nodes)
			continue;
		if (!s->addr32)
			return widen(b);
		g->addr_base = s->addr_base;
		g->addr_shift = s->addr_shift;
		break;
	}
	for (unsigned p = 0; p < n_parts && g->addr32; p++) {
		const struct ct_graph *s = &parts[p]->g;
		if (s->addr32 && s->addr_base == g->addr_base && s->addr_shift == g->addr_shift)
			continue;
		for (uint32_t v = 0; v < s->n_nodes; v++)
			if (!addr_fits(g, ct_graph_addr(s, v), &k))
				return widen(b);
	}
	return 0;
}

int ct_builder_make_room(struct ct_builder *b, const struct ct_builder *const *parts,
			 unsigned n_parts, struct ct_error *err)
{
	struct ct_graph *g = &b->g;
	uint64_t nodes = g->n_nodes, edges = b->n_edges, big = g->n_big;
	bool refcount = g->refcount, site = g->site;

	for (unsigned p = 0; p < n_parts; p++) {
		const struct ct_builder *c = parts[p];
		nodes += c->g.n_nodes;
		edges += c->n_edges;
		big += c->g.n_big;
		refcount |= c->g.refcount != NULL;
		site |= c->g.site != NULL;
	}
	if (b->by_index)
		return ct_error_set(err, CT_EUSAGE, "merging into a builder by index");
	if (nodes >= CT_NONE - 1)
		return ct_error_set(err, CT_EINPUT, "too many objects (limit %u)", CT_NONE - 2);
	if (edges >= UINT32_MAX - 1)
		return ct_error_set(err, CT_EINPUT, "too many references (limit %u)", UINT32_MAX - 2);
	if (ct_builder_reserve(b, (uint32_t)nodes, (uint32_t)edges) ||
	    join_addresses(b, parts, n_parts) || big_reserve(g, big))
		return ct_error_nomem(err);
	/* The parts' overflow lists after b's, their nodes numbered on. */
	uint32_t n0 = g->n_nodes;
	for (unsigned p = 0; p < n_parts; p++) {
		const struct ct_graph *s = &parts[p]->g;
		for (uint32_t i = 0; i < s->n_big; i++) {
			g->big_node[g->n_big] = n0 + s->big_node[i];
			g->big_size[g->n_big++] = s->big_size[i];
		}
		n0 += s->n_nodes;
	}
	if (refcount && !g->refcount) {
		g->refcount = ct_mem_zalloc(ct_mem_bytes(b->node_cap, sizeof(*g->refcount)));
		if (!g->refcount)
			return ct_error_nomem(err);
		b->has_refcount = true;
	}
	if (site && !g->site) {
		g->site = ct_mem_zalloc(ct_mem_bytes(b->node_cap, sizeof(*g->site)));
		if (!g->site)
			return ct_error_nomem(err);
	}
	return 0;
}

void ct_builder_copy_in(struct ct_builder *b, const struct ct_builder *src, const uint32_t *remap,
			uint64_t pos_add, uint32_t n0, uint32_t e0, unsigned parts)
{
	struct ct_graph *g = &b->g;
	const struct ct_graph *s = &src->g;
	uint32_t n = parts & CT_COPY_NODES ? s->n_nodes : 0;
	uint64_t m = parts & CT_COPY_EDGES ? src->n_edges : 0;

	if (n && g->addr && s->addr) {
		memcpy(g->addr + n0, s->addr, (size_t)n * sizeof(*g->addr));
	} else if (n && g->addr) {
		for (uint32_t i = 0; i < n; i++)
			g->addr[n0 + i] = ct_graph_addr(s, i);
	} else if (n && s->addr32 && s->addr_base == g->addr_base &&
		   s->addr_shift == g->addr_shift) {
		memcpy(g->addr32 + n0, s->addr32, (size_t)n * sizeof(*g->addr32));
	} else {
		for (uint32_t i = 0; i < n; i++)   /* they fit: join_addresses() saw to it */
			addr_fits(g, ct_graph_addr(s, i), &g->addr32[n0 + i]);
	}
	if (n) {
		/* overflow entries: joined by ct_builder_make_room() */
		memcpy(g->size + n0, s->size, (size_t)n * sizeof(*g->size));
		memcpy(g->flags + n0, s->flags, n);
	}
	for (uint32_t i = 0; i < n; i++) {
		g->type[n0 + i] = remap[s->type[i]];
		g->value[n0 + i] = remap[s->value[i]];
		g->out_off[n0 + i] = s->out_off[i] + e0;
		b->pos[n0 + i] = src->pos[i] + pos_add;
	}
	if (g->refcount && n) {
		if (s->refcount)
			memcpy(g->refcount + n0, s->refcount, (size_t)n * sizeof(*g->refcount));
		else
			memset(g->refcount + n0, 0, (size_t)n * sizeof(*g->refcount));
	}
	if (g->site && n) {
		if (s->site)
			memcpy(g->site + n0, s->site, (size_t)n * sizeof(*g->site));
		else
			memset(g->site + n0, 0, (size_t)n * sizeof(*g->site));
	}
	if (m) {
		memcpy(b->taddr + e0, src->taddr, (size_t)m * sizeof(*b->taddr));
		memcpy(g->kind + e0, s->kind, (size_t)m);
	}
	if (!b->no_labels)
		for (uint64_t e = 0; e < m; e++)
			g->label[e0 + e] = src->no_labels ? 0 : remap[s->label[e]];
}
