/* The heap graph every analysis reads, and the builder loaders feed.
 *
 * Nodes are numbered 0..n_nodes-1 (32-bit).  Out-edges are stored in
 * compressed sparse rows: the edges of node i are out_off[i] ..
 * out_off[i+1]-1, in the order the loader gave them.  Type names, edge
 * labels and short values are ids into the graph's own string arena.
 *
 * Memory: 21 bytes per node when the addresses fit in 32 bits (address,
 * type, size, value and edge offset 4 bytes each, flags 1: HPROF, V8 and
 * graph files' dumps), 25 when they do not (Python's), 8 more with
 * reference counts, 4 more with allocation sites; sizes of 4 GB and more
 * (rare: huge arrays) 12 bytes more each.  Once built, a graph where
 * fewer than 9 nodes in 10 have a value keeps 0.19 bytes per node and 4
 * per value instead of the 4 per node (a Java heap: 17.2 bytes per node
 * and 4 per string).  9 bytes per edge; plus the
 * address map (16 bytes per slot, 2 to 4 slots per node) and the
 * strings.
 */
#ifndef CT_GRAPH_H
#define CT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strings.h"

#define CT_NONE UINT32_MAX

/* Node flags: facts the loader knows. */
enum ct_node_flag {
	CT_NODE_ROOT = 1 << 0,      /* referenced from outside the dump (V8 roots) */
	CT_NODE_FINALIZER = 1 << 1, /* has a finalizer (__del__) */
	CT_NODE_WEAKREF = 1 << 2,   /* a weak reference or weak container */
	CT_NODE_LEAF = 1 << 3,      /* not tracked by the cycle collector */
	CT_NODE_NATIVE = 1 << 4,    /* the engine's own object, not the program's
				     * (V8 "native" nodes) */
};

/* Edge kinds. */
enum ct_edge_kind {
	CT_EDGE_STRONG = 0,
	CT_EDGE_WEAK = 1,     /* does not keep its target alive */
	CT_EDGE_INTERNAL = 2, /* engine-internal, keeps its target alive */
	CT_EDGE_SHORTCUT = 3, /* V8 shortcut: only meaningful from the root */
};

/* a + b, saturating at UINT64_MAX (sizes come from untrusted input). */
static inline uint64_t ct_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline bool ct_edge_kind_is_strong(uint8_t kind)
{
	return kind == CT_EDGE_STRONG || kind == CT_EDGE_INTERNAL;
}

/* Address -> node index map (open addressing, linear probing).  Key and
 * value share a slot so that a lookup costs one cache miss. */
struct ct_addrmap_slot {
	uint64_t key;
	uint64_t val;     /* node index + 1; 0 = empty slot */
};

struct ct_addrmap {
	struct ct_addrmap_slot *slots;
	uint32_t mask;    /* capacity - 1; capacity is a power of two */
	uint32_t count;
	uint32_t wrap;    /* probing wraps within aligned blocks of wrap + 1
			   * slots: mask (one table), or smaller when the map
			   * was filled by several threads, a block each */
};

/* The slot probed after slot i. */
static inline uint32_t ct_addrmap_next(const struct ct_addrmap *m, uint32_t i)
{
	return (i & ~m->wrap) | ((i + 1) & m->wrap);
}

void ct_addrmap_init(struct ct_addrmap *m);
void ct_addrmap_finish(struct ct_addrmap *m);
/* Make room for n entries without rehashing.  Returns 0 or CT_ENOMEM. */
int ct_addrmap_reserve(struct ct_addrmap *m, uint32_t n);
/* Insert key -> val unless key is present; *old gets the present value
 * (or CT_NONE when inserted).  Returns 0 or CT_ENOMEM. */
int ct_addrmap_put(struct ct_addrmap *m, uint64_t key, uint32_t val, uint32_t *old);
/* The node with this address, or CT_NONE. */
uint32_t ct_addrmap_get(const struct ct_addrmap *m, uint64_t key);

struct ct_graph {
	uint32_t n_nodes;
	uint32_t n_edges;
	/* Original address or id per node, read with ct_graph_addr(): in
	 * addr32 when every one fits, as addr_base + (addr32[v] <<
	 * addr_shift), else in addr (exactly one of the two is set; the
	 * builder chooses, see ct_builder_node()). */
	uint64_t *addr;
	uint32_t *addr32;
	uint64_t addr_base;
	unsigned addr_shift;
	uint32_t *type;       /* type name (string id), per node */
	/* Self size in bytes per node, read with ct_graph_size(): size[v],
	 * or when that is UINT32_MAX, big_size[i] for the i with big_node[i]
	 * == v (big_node[] ascends; n_big entries; an entry whose node's
	 * size[] is not UINT32_MAX is stale and unused).  Write with
	 * ct_graph_set_size(). */
	uint32_t *size;
	uint32_t n_big, big_cap;
	uint32_t *big_node;
	uint64_t *big_size;
	uint8_t *flags;       /* enum ct_node_flag bits, per node */
	uint32_t *value;      /* short value or name (string id, 0 = none) per
			       * node, while loading; once built, NULL when
			       * fewer than 9 nodes in 10 have one (HPROF:
			       * strings only), which are then kept apart:
			       * read them with ct_graph_value() */
	uint64_t *value_bits; /* per 64 nodes: which have a value */
	uint32_t *value_rank; /* per 64 nodes: values of the nodes before them */
	uint32_t *value_list; /* the values, in node order */
	uint64_t *refcount;   /* runtime reference count, or NULL if unknown */
	uint32_t *site;       /* allocation site ("file:line", string id, 0 = none)
			       * per node, or NULL when no node has one (no
			       * memory then; set with ct_builder_site()) */
	uint32_t *out_off;    /* n_nodes + 1 entries */
	uint32_t *dst;        /* per edge: target node */
	uint32_t *label;      /* per edge: label (string id, 0 = none); NULL once
			       * packed (ct_graph_pack_labels(): read them with
			       * ct_graph_label()) */
	struct ct_packed_labels *packed;  /* or NULL */
	uint8_t *kind;        /* per edge: enum ct_edge_kind */
	uint64_t dangling;    /* references to addresses not in the dump (dropped) */
	struct ct_addrmap map;
	struct ct_strings strings;
	const char *format;   /* static name of the loader that built it */
	bool roots_given;     /* the roots are exactly the nodes flagged CT_NODE_ROOT
			       * (V8), not estimated from references */
	/* What kind of root each root is, when the dump says (HPROF's GC
	 * root kinds): root_note_node[] ascending, root_note[i] the kind of
	 * root_note_node[i] as text (a string id: "JNI global"); NULL and 0
	 * otherwise.  Read with ct_graph_root_note(). */
	uint32_t n_root_notes;
	uint32_t *root_note_node, *root_note;
	bool numeric_ids;     /* addr holds ids shown as "@123" (V8), not addresses
			       * shown as "0x7f..." */
	/* Where the dump came from, when it says (cycletool's Python dumper
	 * header): */
	uint64_t pid;         /* process id; 0 = unknown */
	uint64_t seq;         /* the process's dump number, from 1; 0 = unknown */
	double time;          /* Unix time the dump was taken; 0 = unknown */
};

/* The short value or name of node v (a string id, 0 = none). */
static inline uint32_t ct_graph_value(const struct ct_graph *g, uint32_t v)
{
	if (g->value)
		return g->value[v];
	if (!g->value_bits)
		return 0;
	uint64_t w = g->value_bits[v >> 6], bit = (uint64_t)1 << (v & 63);
	return w & bit ? g->value_list[g->value_rank[v >> 6] +
				       (uint32_t)__builtin_popcountll(w & (bit - 1))] : 0;
}

/* Does edge e (an out-edge of src) keep its target alive?  The one rule
 * for reachability, retainer paths and dominators: strong and internal
 * edges always, shortcut edges only from a node flagged CT_NODE_ROOT (as
 * DevTools and memlab treat V8's synthetic root), weak edges never.
 * Strongly connected components ignore shortcut edges altogether
 * (ct_edge_kind_is_strong()). */
static inline bool ct_edge_counts_from(const struct ct_graph *g, uint32_t src, uint32_t e)
{
	uint8_t k = g->kind[e];
	return ct_edge_kind_is_strong(k) ||
	       (k == CT_EDGE_SHORTCUT && (g->flags[src] & CT_NODE_ROOT));
}

/* Edge labels in about one byte per edge: the 255 most frequent labels
 * have a one-byte code, the others (code CT_LABEL_OTHER) are listed with
 * their edge, in edge order.  On a V8 heap the 255 most frequent labels
 * (element indices, map, context, ...) are about 96% of the edges. */
#define CT_LABEL_OTHER 255
struct ct_packed_labels {
	uint8_t *code;        /* per edge */
	uint32_t table[CT_LABEL_OTHER];  /* code -> string id */
	uint32_t n_other;
	uint32_t *other_edge, *other_label;  /* edges with code CT_LABEL_OTHER */
};

/* Replace g->label by packed labels (g->label becomes NULL), for a caller
 * that keeps labels only to name a few edges and reads every label with
 * ct_graph_label() (top).  Returns 0 or CT_ENOMEM (then g is unchanged). */
int ct_graph_pack_labels(struct ct_graph *g, struct ct_error *err);

uint32_t ct_packed_label_other(const struct ct_packed_labels *p, uint32_t e);

/* The label of edge e (a string id, 0 = none), packed or not. */
static inline uint32_t ct_graph_label(const struct ct_graph *g, uint32_t e)
{
	if (g->label)
		return g->label[e];
	if (!g->packed)
		return 0;
	uint8_t c = g->packed->code[e];
	return c < CT_LABEL_OTHER ? g->packed->table[c] : ct_packed_label_other(g->packed, e);
}

/* Release everything the graph owns; g may be zeroed or NULL. */
void ct_graph_finish(struct ct_graph *g);

/* The address or id of node v. */
static inline uint64_t ct_graph_addr(const struct ct_graph *g, uint32_t v)
{
	return g->addr32 ? g->addr_base + ((uint64_t)g->addr32[v] << g->addr_shift) : g->addr[v];
}

/* The size of node v whose size[v] is UINT32_MAX (the overflow list). */
uint64_t ct_graph_big_size(const struct ct_graph *g, uint32_t v);

/* The self size of node v in bytes. */
static inline uint64_t ct_graph_size(const struct ct_graph *g, uint32_t v)
{
	uint32_t s = g->size[v];
	return s != UINT32_MAX ? s : ct_graph_big_size(g, v);
}

/* ct_graph_set_size()'s slow path: v has or gets an overflow entry. */
int ct_graph_set_big_size(struct ct_graph *g, uint32_t v, uint64_t s);

/* Set the size of node v (< n_nodes), for loaders that know sizes only
 * after the nodes are in (HPROF).  A size of UINT32_MAX or more goes in
 * the overflow list: appended when v is past its last node (sizes set
 * in node order), else inserted in place (a move of the entries after
 * it: fine for the few big sizes there are).  Returns 0 or CT_ENOMEM
 * (then the size is unchanged). */
static inline int ct_graph_set_size(struct ct_graph *g, uint32_t v, uint64_t s)
{
	if (s < UINT32_MAX && g->size[v] != UINT32_MAX) {
		g->size[v] = (uint32_t)s;
		return 0;
	}
	return ct_graph_set_big_size(g, v, s);
}

/* The node with this address, or CT_NONE.  Graphs built with targets by
 * index have no address map: then this scans the nodes (milliseconds). */
static inline uint32_t ct_graph_find(const struct ct_graph *g, uint64_t addr)
{
	if (!g->map.slots) {
		for (uint32_t v = 0; v < g->n_nodes; v++)
			if (ct_graph_addr(g, v) == addr)
				return v;
		return CT_NONE;
	}
	return ct_addrmap_get(&g->map, addr);
}

static inline const char *ct_graph_str(const struct ct_graph *g, uint32_t id)
{
	return ct_strings_get(&g->strings, id);
}

/* The first index i < n with a[i] >= v in the ascending a[], or n. */
static inline uint32_t ct_u32_lower_bound(const uint32_t *a, uint32_t n, uint32_t v)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The kind of root node v is, as the dump says (a string id), or 0. */
static inline uint32_t ct_graph_root_note(const struct ct_graph *g, uint32_t v)
{
	uint32_t i = ct_u32_lower_bound(g->root_note_node, g->n_root_notes, v);
	return i < g->n_root_notes && g->root_note_node[i] == v ? g->root_note[i] : 0;
}

/* A graph under construction.  Loaders call ct_builder_node() once per
 * object, then ct_builder_edge() for each of its references, and finally
 * ct_builder_finish(), which resolves addresses to node indices. */
struct ct_builder {
	struct ct_graph g;     /* node arrays grow in place */
	uint32_t node_cap;
	uint64_t *pos;         /* per node: input line (for messages); NULL when
				* by_index (those loaders report positions) */
	uint64_t *taddr;       /* per edge: target address until resolved */
	uint32_t edge_cap;
	uint64_t n_edges;      /* may pass UINT32_MAX before we refuse */
	bool has_refcount;
	bool by_index;         /* targets are node indices (ct_builder_edge_index) */
	bool no_labels;        /* CT_BUILD_NO_LABELS: labels given are dropped */
	bool dominators;       /* CT_BUILD_DOMINATORS */
	unsigned threads;      /* ct_builder_build() resolves big graphs' targets
				* on this many threads when more than 1 (the
				* loader's choice; 0 = one) */
};

/* Options for ct_builder_finish(). */
enum ct_builder_opt {
	CT_BUILD_ALLOW_DANGLING = 1 << 0, /* count and drop unknown targets */
	CT_BUILD_NO_LABELS = 1 << 1,      /* edge labels are not wanted: every label is
					   * 0, and the label array takes no memory */
	CT_BUILD_DOMINATORS = 1 << 2,     /* the caller computes dominators next: when
					   * the input declares its size, reserve their
					   * per-node working memory (ct_dom_work_bytes()) */
};

void ct_builder_init(struct ct_builder *b, const char *format);
/* Release a builder that was not finished (or was); b may be NULL. */
void ct_builder_finish(struct ct_builder *b);

/* Make room for about this many nodes and edges (a hint: growing past it
 * is fine).  Returns 0 or CT_ENOMEM. */
int ct_builder_reserve(struct ct_builder *b, uint32_t nodes, uint32_t edges);

/* The input declares this many nodes and edges (V8's node_count and
 * edge_count): reserve them, and have the arrays' pages faulted in on
 * another thread while the loader parses (ct_mem_prefault()), with the
 * dominator tree's working memory when b->dominators.  Only for counts
 * the input will fill: faulted pages count as used.  Returns 0 or
 * CT_ENOMEM. */
int ct_builder_expect(struct ct_builder *b, uint32_t nodes, uint32_t edges);

/* Intern a string in the graph's arena.  Returns CT_NONE on no memory. */
static inline uint32_t ct_builder_intern(struct ct_builder *b, const char *p, size_t len)
{
	return ct_strings_intern(&b->g.strings, p, len);
}

/* Store a string without interning it (values, which rarely repeat). */
static inline uint32_t ct_builder_append(struct ct_builder *b, const char *p, size_t len)
{
	return ct_strings_append(&b->g.strings, p, len);
}

/* Add a node.  refcount is ignored unless has_refcount.  pos is the input
 * line (used in messages about duplicates and dangling references).
 * Addresses are checked for duplicates by ct_builder_build().  A size of
 * UINT32_MAX or more goes in the overflow list (ct_graph_size()).
 * Addresses are kept in 32 bits (addr32) while they fit a scheme the
 * first one sets: a first address below 4 GB gives base 0 and steps of
 * 1 (small ids: V8's, graph files'); else steps of 8 bytes when it is
 * aligned to 8, else 1, from a base 2^31 steps below it (or 0), so that
 * 16 GB either side of it fits with steps of 8 (a Java heap).  At the
 * first address that does not fit (below the base, between steps, or
 * too far) the array turns 64-bit (addr), once, for good: a Python dump,
 * whose addresses spread over the address space, usually does. */
int ct_builder_node(struct ct_builder *b, uint64_t addr, uint32_t type, uint64_t size,
		    uint8_t flags, uint32_t value, bool has_refcount, uint64_t refcount,
		    uint64_t pos, struct ct_error *err);

/* Give the last node added an allocation site (a string id, not 0): the
 * per-node array is made at the first site, so a graph without sites
 * takes no memory for them.  Returns 0 or an error code. */
int ct_builder_site(struct ct_builder *b, uint32_t site, struct ct_error *err);

/* Add an edge from the last node added to the object at target_addr. */
int ct_builder_edge(struct ct_builder *b, uint64_t target_addr, uint32_t label, uint8_t kind,
		    struct ct_error *err);

/* Add an edge from the last node added to the node with index target
 * (which may be added later), for formats that name targets by position
 * (V8).  Set b->by_index before the first ct_builder_reserve() or edge;
 * a builder takes targets by index or by address, not both.  Saves the
 * 8-byte address per edge and the look-ups; ct_builder_build() then
 * checks each target is a node and builds no address map (so duplicate
 * addresses are not detected, and ct_graph_find() scans). */
int ct_builder_edge_index(struct ct_builder *b, uint32_t target, uint32_t label, uint8_t kind,
			  struct ct_error *err);

/* Joining builders by address that were fed consecutive parts of one
 * input (in parallel): make room in b for its nodes and edges and those
 * of the n_parts parts, which come after b's in this order (and the
 * refcount and site arrays when a part has them; one address
 * representation for all, b's compact one when every address fits it;
 * the parts' overflow sizes joined to b's), copy each part in with
 * ct_builder_copy_in() (parts may be copied on different threads at
 * once: they write disjoint ranges), then set b->g.n_nodes and
 * b->n_edges to the totals.  No node may be added to b after this.
 * Returns 0 or an error code. */
int ct_builder_make_room(struct ct_builder *b, const struct ct_builder *const *parts,
			 unsigned n_parts, struct ct_error *err);
/* Copy the nodes and edges of src into b from node n0 and edge e0, as if
 * b had been fed them: string ids through remap (src's id -> b's, from
 * ct_strings_merge()), positions plus pos_add, site ids as they are.
 * src is not changed (release it with ct_builder_finish()).  parts says
 * what to copy: CT_COPY_NODES, CT_COPY_EDGES or both (two threads may
 * copy the two parts of one src at once). */
enum { CT_COPY_NODES = 1, CT_COPY_EDGES = 2 };
void ct_builder_copy_in(struct ct_builder *b, const struct ct_builder *src, const uint32_t *remap,
			uint64_t pos_add, uint32_t n0, uint32_t e0, unsigned parts);

/* Index the addresses, resolve every edge and move the result into *g
 * (which the caller owns from then on and releases with
 * ct_graph_finish()).  The builder is released either way.  A duplicate
 * address is an error naming the line of the second object (and of the
 * first in the message); unknown targets are an error naming the line of
 * the referring object, unless CT_BUILD_ALLOW_DANGLING. */
int ct_builder_build(struct ct_builder *b, unsigned opts, struct ct_graph *g,
		     struct ct_error *err);

#endif
