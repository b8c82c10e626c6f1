#include "diff_key.h"

#include <string.h>

#include "mem.h"

/* Seeds that keep the kinds of hash apart. */
#define SEED_NAME 0x6e616d65ULL       /* V8 name */
#define SEED_IMMUTABLE 0x696d6d75ULL
#define SEED_INSTANCE 0x696e7374ULL
#define SEED_ROOT 0x726f6f74ULL
#define SEED_UNREACHED 0x756e7265ULL
#define SEED_VALUE 0x76616c75ULL

/* Types whose objects never change while they live (see the header). */
static const char *const immutable_types[] = {
	"str", "bytes", "int", "float", "complex", "tuple", "frozenset", "code", "range",
	"slice", "unicode", "long",
};
#define N_IMMUTABLE (sizeof(immutable_types) / sizeof(*immutable_types))

enum ct_diff_identity ct_diff_identity_of(const struct ct_graph *g)
{
	if (g->format && strcmp(g->format, "v8") == 0)
		return CT_DIFF_EXACT;
	if (g->format && (strcmp(g->format, "python") == 0 || strcmp(g->format, "meliae") == 0))
		return CT_DIFF_ADDRESS;
	return CT_DIFF_STRUCTURAL;
}

/* Fold x into h; order matters. */
static inline uint64_t mix(uint64_t h, uint64_t x)
{
	return ct_hash_u64(((h << 23) | (h >> 41)) ^ (x + 0x9e3779b97f4a7c15ULL));
}

/* A fingerprint: 32 bits, never 0 (0 is "none"). */
static inline uint32_t fold(uint64_t h)
{
	uint32_t f = (uint32_t)(h ^ (h >> 32));
	return f ? f : 1;
}

/* Text hashes per string id, each computed at most once. */
struct texts {
	const struct ct_graph *g;
	uint64_t *h;      /* per string id; 0 = not yet */
};

static uint64_t text(struct texts *t, uint32_t id)
{
	const struct ct_strings *s = &t->g->strings;

	if (id >= s->count)
		id = 0;
	if (!t->h[id]) {
		uint64_t h = ct_hash_bytes(ct_strings_get(s, id), ct_strings_len(s, id));
		t->h[id] = h ? h : 1;
	}
	return t->h[id];
}

static void exact(const struct ct_graph *g, struct texts *t, uint64_t *key, uint32_t *fp)
{
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		key[v] = ct_graph_addr(g, v);
		fp[v] = fold(mix(SEED_NAME, text(t, ct_graph_value(g, v))));
	}
}

/* The interned id of s in g, or CT_NONE. */
static uint32_t find(const struct ct_graph *g, const char *s)
{
	uint32_t id = ct_strings_find(&g->strings, s);
	return id == UINT32_MAX ? CT_NONE : id;
}

static void address(const struct ct_graph *g, struct texts *t, uint64_t *key, uint32_t *fp)
{
	uint32_t imm[N_IMMUTABLE], n_imm = 0;
	uint32_t cls = find(g, ".__class__"), dict = find(g, ".__dict__");

	for (size_t i = 0; i < N_IMMUTABLE; i++) {
		uint32_t id = find(g, immutable_types[i]);
		if (id != CT_NONE)
			imm[n_imm++] = id;
	}
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t begin = g->out_off[v], end = g->out_off[v + 1];
		bool immutable = false;

		key[v] = ct_graph_addr(g, v);
		fp[v] = 0;
		for (uint32_t i = 0; i < n_imm && !immutable; i++)
			immutable = g->type[v] == imm[i];
		if (immutable) {
			uint64_t h = mix(mix(SEED_IMMUTABLE, ct_graph_size(g, v)), end - begin);
			for (uint32_t e = begin; e < end; e++)
				h = mix(h, text(t, g->type[g->dst[e]]));
			fp[v] = fold(mix(h, text(t, ct_graph_value(g, v))));
			continue;
		}
		if (cls == CT_NONE)
			continue;
		/* An instance: the set of its attribute names, as a sum of
		 * their hashes (order-independent) and their number. */
		bool instance = false;
		uint64_t sum = 0, n = 0;
		for (uint32_t e = begin; e < end; e++) {
			uint32_t l = ct_graph_label(g, e);
			if (l == cls) {
				instance = true;
			} else if (l != dict && l != 0 && ct_graph_str(g, l)[0] == '.') {
				sum += text(t, l);
				n++;
			}
		}
		if (instance)
			fp[v] = fold(mix(mix(SEED_INSTANCE, sum), n));
	}
}

/* Key of a node no root reaches, and the structural fingerprint. */
static uint64_t unreached_key(const struct ct_graph *g, struct texts *t, uint32_t v)
{
	uint64_t h = mix(mix(SEED_UNREACHED, text(t, g->type[v])), text(t, ct_graph_value(g, v)));
	return mix(mix(h, ct_graph_size(g, v)), g->out_off[v + 1] - g->out_off[v]);
}

/* Keys are set parents first: nodes are taken in order of their distance
 * from the roots (a counting sort), so each path costs one step. */
static int structural(const struct ct_graph *g, const struct ct_reach *r, struct texts *t,
		      uint64_t *key, uint32_t *fp, struct ct_error *err)
{
	uint32_t n = g->n_nodes, max = 0, *count = NULL, *order = NULL;
	int rc = 0;

	for (uint32_t v = 0; v < n; v++) {
		fp[v] = fold(mix(mix(SEED_VALUE, text(t, ct_graph_value(g, v))), ct_graph_size(g, v)));
		if (r->dist[v] != CT_NONE && r->dist[v] > max)
			max = r->dist[v];
	}
	count = ct_mem_zalloc(ct_mem_bytes((size_t)max + 2, sizeof(*count)));
	order = ct_mem_alloc(ct_mem_bytes(n ? n : 1, sizeof(*order)));
	if (!count || !order) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t v = 0; v < n; v++)
		if (r->dist[v] != CT_NONE)
			count[r->dist[v] + 1]++;
	for (uint32_t d = 0; d <= max; d++)
		count[d + 1] += count[d];
	for (uint32_t v = 0; v < n; v++)
		if (r->dist[v] != CT_NONE)
			order[count[r->dist[v]]++] = v;
	uint32_t reached = count[max];
	for (uint32_t i = 0; i < reached; i++) {
		uint32_t v = order[i], p = r->parent[v];
		if (p == CT_NONE) {
			key[v] = mix(mix(SEED_ROOT, text(t, g->type[v])), text(t, ct_graph_value(g, v)));
			continue;
		}
		uint32_t e = r->parent_edge[v], l = ct_graph_label(g, e);
		key[v] = l ? mix(key[p], text(t, l)) : mix(mix(key[p], 0), e - g->out_off[p]);
	}
	for (uint32_t v = 0; v < n; v++)
		if (r->dist[v] == CT_NONE)
			key[v] = unreached_key(g, t, v);
out:
	ct_mem_free(count);
	ct_mem_free(order);
	return rc;
}

int ct_diff_keys(const struct ct_graph *g, const struct ct_reach *r, enum ct_diff_identity id,
		 uint64_t *key, uint32_t *fp, struct ct_error *err)
{
	struct texts t = {.g = g};
	int rc = 0;

	if (id == CT_DIFF_STRUCTURAL && (!r || !r->parent || !r->parent_edge || !r->dist))
		return ct_error_set(err, CT_EUSAGE, "structural identity needs reachability");
	t.h = ct_mem_zalloc(ct_mem_bytes(g->strings.count ? g->strings.count : 1, sizeof(*t.h)));
	if (!t.h)
		return ct_error_nomem(err);
	switch (id) {
	case CT_DIFF_EXACT:
		exact(g, &t, key, fp);
		break;
	case CT_DIFF_ADDRESS:
		address(g, &t, key, fp);
		break;
	case CT_DIFF_STRUCTURAL:
		rc = structural(g, r, &t, key, fp, err);
		break;
	}
	ct_mem_free(t.h);
	return rc;
}
