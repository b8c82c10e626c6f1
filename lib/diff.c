/* cycletool diff: per-dump summaries, the types and cycles tables, and the
 * survivors of the last dump clustered by retainer path (diff.h). */
#include "diff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cycle.h"
#include "dom.h"
#include "mem.h"
#include "path.h"
#include "present.h"
#include "report.h"

void ct_diff_init(struct ct_diff *d)
{
	memset(d, 0, sizeof(*d));
	ct_strings_init(&d->types);
	ct_strings_init(&d->text);
}

static void dump_finish(struct ct_diff_dump *x)
{
	free(x->file);
	free(x->type_count);
	free(x->type_bytes);
	free(x->type_retained);
	ct_mem_free(x->obj);
	free(x->cyc);
}

void ct_diff_finish(struct ct_diff *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->n_dumps; i++)
		dump_finish(&d->dumps[i]);
	free(d->dumps);
	free(d->clusters);
	free(d->steps);
	free(d->ctypes);
	ct_strings_finish(&d->types);
	ct_strings_finish(&d->text);
	memset(d, 0, sizeof(*d));
}

static int obj_cmp(const struct ct_diff_obj *x, const struct ct_diff_obj *y)
{
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* An object with its node, while the dump is loaded. */
struct nobj {
	struct ct_diff_obj o;
	uint32_t node;
};

static int by_nobj(const void *a, const void *b)
{
	const struct nobj *x = a, *y = b;
	int c = obj_cmp(&x->o, &y->o);
	return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Sort a[0..n) by (key, type, fp, node): a least-significant-digit radix
 * sort on the key (16-bit digits, skipping those every key shares), then
 * each run of one key by the rest.  a starts in node order, so the radix
 * passes, being stable, leave ties in node order.  tmp has n entries.
 * Linear in n for the distinct keys of V8 ids and Python addresses. */
static void sort_nobj(struct nobj *a, uint32_t n, struct nobj *tmp, uint32_t count[65536])
{
	uint64_t all_or = 0, all_and = UINT64_MAX;
	struct nobj *src = a, *dst = tmp;

	for (uint32_t i = 0; i < n; i++) {
		all_or |= a[i].o.key;
		all_and &= a[i].o.key;
	}
	for (unsigned shift = 0; shift < 64; shift += 16) {
		if (!(((all_or ^ all_and) >> shift) & 0xffff))
			continue;   /* every key has this digit */
		memset(count, 0, 65536 * sizeof(*count));
		for (uint32_t i = 0; i < n; i++)
			count[(src[i].o.key >> shift) & 0xffff]++;
		uint32_t sum = 0;
		for (uint32_t d = 0; d < 65536; d++) {
			uint32_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++)
			dst[count[(src[i].o.key >> shift) & 0xffff]++] = src[i];
		struct nobj *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, (size_t)n * sizeof(*a));
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		while (j < n && a[j].o.key == a[i].o.key)
			j++;
		if (j - i > 1)
			qsort(a + i, j - i, sizeof(*a), by_nobj);
		i = j;
	}
}

static int by_cyc(const void *a, const void *b)
{
	const struct ct_diff_cyc *x = a, *y = b;

	if (x->sig != y->sig)
		return x->sig < y->sig ? -1 : 1;
	if (x->garbage != y->garbage)
		return x->garbage < y->garbage ? -1 : 1;
	return (x->key > y->key) - (x->key < y->key);
}

/* How many objects equal to a[i] a holds from i on (a sorted). */
static uint32_t run_of(const struct ct_diff_obj *a, uint32_t n, uint32_t i)
{
	uint32_t j = i + 1;

	while (j < n && obj_cmp(&a[j], &a[i]) == 0)
		j++;
	return j - i;
}

/* How many objects equal to o sorted a holds; *pos is a cursor that
 * only moves forward (o must not decrease between calls). */
static uint32_t count_in(const struct ct_diff_dump *a, const struct ct_diff_obj *o, uint32_t *pos)
{
	while (*pos < a->n_obj && obj_cmp(&a->obj[*pos], o) < 0)
		(*pos)++;
	return *pos < a->n_obj && obj_cmp(&a->obj[*pos], o) == 0 ? run_of(a->obj, a->n_obj, *pos) : 0;
}

/* Children lists of a forest in CSR form: the children of node v are
 * kid[off[v] .. off[v + 1]), those of a virtual root n (over the forest's
 * roots) kid[off[n] .. off[n + 1]). */
struct kids {
	uint32_t *off;   /* n + 2 */
	uint32_t *kid;   /* n + 1 */
};

/* Build k for the nodes items[0..m) (NULL: every node 0..n-1) of a forest
 * of n nodes where parent[v] is v's parent, top (the virtual root's
 * children) or CT_NONE (not in the forest; when top is CT_NONE, a root).
 * Returns 0 or CT_ENOMEM. */
static int kids_build(struct kids *k, uint32_t n, const uint32_t *items, uint32_t m,
		      const uint32_t *parent, uint32_t top)
{
	k->off = ct_mem_zalloc(((size_t)n + 2) * sizeof(*k->off));
	k->kid = ct_mem_alloc(((size_t)n + 1) * sizeof(*k->kid));
	if (!k->off || !k->kid)
		return CT_ENOMEM;
	for (uint32_t i = 0; i < m; i++) {
		uint32_t p = parent[items ? items[i] : i];
		if (p != CT_NONE || top == CT_NONE)
			k->off[(p == top ? n : p) + 1]++;
	}
	for (uint32_t i = 0; i <= n; i++)
		k->off[i + 1] += k->off[i];
	for (uint32_t i = 0; i < m; i++) {
		uint32_t v = items ? items[i] : i, p = parent[v];
		if (p != CT_NONE || top == CT_NONE)
			k->kid[k->off[p == top ? n : p]++] = v;
	}
	for (uint32_t i = n + 1; i > 0; i--)
		k->off[i] = k->off[i - 1];
	k->off[0] = 0;
	return 0;
}

static void kids_finish(struct kids *k)
{
	ct_mem_free(k->off);
	ct_mem_free(k->kid);
}

/* For every class c: out[c] += retained of each node v with cls[v] == c
 * that no other node of class c dominates (so nothing is counted twice).
 * One walk of the dominator tree keeping, per class, how many of the
 * current node's dominators are of it.  stack and active are scratch
 * (n + 1 and ncls entries). */
static void disjoint_sums(const struct kids *k, const struct ct_dom *dom, uint32_t n,
			  const uint32_t *cls, uint32_t *active, uint32_t ncls, uint32_t *stack,
			  uint64_t *out)
{
	uint32_t *next = stack;
	memset(active, 0, (size_t)ncls * sizeof(*active));
	/* The stack holds nodes; a node's children are pushed after it and it
	 * is popped (its class released) when all of them are done: the top
	 * entry's high bit says "already entered". */
	uint32_t top = 0;
	next[top++] = n;
	while (top) {
		uint32_t e = next[top - 1];
		uint32_t v = e & 0x7fffffffu;
		if (e & 0x80000000u) {
			top--;
			if (v != n && cls[v] != CT_NONE)
				active[cls[v]]--;
			continue;
		}
		next[top - 1] = e | 0x80000000u;
		if (v != n && cls[v] != CT_NONE) {
			if (!active[cls[v]])
				out[cls[v]] = ct_sat_add(out[cls[v]], dom->retained[v]);
			active[cls[v]]++;
		}
		for (uint32_t i = k->off[v]; i < k->off[v + 1]; i++)
			next[top++] = k->kid[i];
	}
}

/* Every child is pushed once and each node is on the stack once at a
 * time: n + 1 entries suffice.  Node indices are below 2^31 (the flag
 * bit): graphs are refused long before. */

/* The cyclic components of g (scan's report) as ct_diff_cyc entries. */
static int add_cycles(struct ct_diff *d, struct ct_diff_dump *x, const struct ct_report *r,
		      const uint64_t *key, struct ct_error *err)
{
	x->cyc = malloc((r->n_sccs ? r->n_sccs : 1) * sizeof(*x->cyc));
	if (!x->cyc)
		return ct_error_nomem(err);
	for (uint32_t i = 0; i < r->n_sccs; i++) {
		const struct ct_report_scc *s = &r->sccs[i];
		const char *sig = ct_report_signature(r, &r->groups[s->group]);
		uint32_t id = ct_strings_intern(&d->text, sig, strlen(sig));
		if (id == CT_NONE)
			return ct_error_nomem(err);
		uint64_t least = UINT64_MAX;
		for (uint32_t j = r->scc.member_off[s->comp]; j < r->scc.member_off[s->comp + 1]; j++)
			if (key[r->scc.members[j]] < least)
				least = key[r->scc.members[j]];
		x->cyc[x->n_cyc++] = (struct ct_diff_cyc){least, id, s->garbage, s->runtime, 0};
	}
	qsort(x->cyc, x->n_cyc, sizeof(*x->cyc), by_cyc);
	return 0;
}

/* ---- survivors ---- */

/* What the survivors' analysis borrows from the last dump. */
struct last {
	const struct ct_graph *g;
	const struct ct_report *r;
	const struct ct_dom *dom;
	const struct kids *kids;
	const struct ct_path_tree *tree;
	const uint32_t *tmap;        /* graph type id -> diff type id */
	uint32_t *scratch;           /* n + 1 */
};

static const char *const py_noise[] = {
	"code", "function", "type", "module", "builtin_function_or_method", "method_descriptor",
	"wrapper_descriptor", "getset_descriptor", "member_descriptor", "classmethod_descriptor",
	"mappingproxy", "method-wrapper", "classmethod", "staticmethod", "property", NULL,
};
static const char *const py_held[] = {"str", "tuple", "bytes", "frozenset", "int", "dict", NULL};
static const char *const v8_noise[] = {
	"(system)", "(compiled code)", "(object shape)", "(code)", "(hidden)", "(synthetic)", NULL,
};
static const char *const v8_held[] = {
	"(array)", "(string)", "(concatenated string)", "(sliced string)", "(number)", NULL,
};

static void mark_types(const struct ct_graph *g, const char *const *names, uint8_t *kind,
		       uint8_t bit)
{
	for (; *names; names++) {
		uint32_t id = ct_strings_find(&g->strings, *names);
		if (id != CT_NONE && id < g->strings.count)
			kind[id] |= bit;
	}
}

/* Bits of kind[] per type (NOISE, HELD) and of noise[] per node (NOISE,
 * and RUN: reached by the same step as its parent). */
enum { NOISE = 1, HELD = 2, RUN = 4 };

/* Per string id: the hash of its text, and of its text as a signature
 * label; computed once. */
struct hcache {
	const struct ct_graph *g;
	uint64_t *type, *label;
};

static uint64_t type_hash(struct hcache *h, uint32_t t)
{
	if (!h->type[t]) {
		const char *s = ct_graph_str(h->g, t);
		h->type[t] = ct_hash_bytes(s, strlen(s)) | 1;
	}
	return h->type[t];
}

static uint64_t label_hash(struct hcache *h, uint32_t l)
{
	if (!h->label[l]) {
		char buf[CT_CYCLE_LABEL_MAX];
		const char *s = ct_cycle_label(ct_graph_str(h->g, l), buf);
		h->label[l] = ct_hash_bytes(s, strlen(s)) | 1;
	}
	return h->label[l];
}

/* The step into v along the tree: its type and the label it is reached by. */
static uint64_t step_hash(struct hcache *h, const struct ct_path_tree *t, uint32_t v)
{
	uint64_t s = type_hash(h, h->g->type[v]);
	if (t->via[v] != CT_NONE)
		s ^= ct_hash_u64(label_hash(h, ct_graph_label(h->g, t->via[v])));
	return s;
}

struct surv {
	uint64_t hash;
	uint32_t type, node;
};

static int by_surv(const void *a, const void *b)
{
	const struct surv *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

static int by_retained(const void *a, const void *b)
{
	const struct ct_diff_cluster *x = a, *y = b;

	if (x->retained != y->retained)
		return x->retained > y->retained ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->signature > y->signature) - (x->signature < y->signature);
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct ct_diff_type_count *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

/* The signature text of a path (nodes path[0..len), root first), by the
 * rule the clustering hashes by (survivors()): the root's type, then per
 * later node a chunk " LABEL → TYPE" (the label it is reached by, as a
 * signature writes labels); a chunk equal to the one before it is written
 * once, with "+" after its label ("Node .next+ → Node").  Only the nodes
 * in [0, head) and [tail, len) are read when head < tail ("…" between). */
static void signature(const struct ct_graph *g, const struct ct_path_tree *t,
		      const uint32_t *path, uint32_t len, uint32_t head, uint32_t tail,
		      struct ct_buf *sb)
{
	char lb[CT_CYCLE_LABEL_MAX], pending[CT_CYCLE_LABEL_MAX];
	const char *pl = NULL, *pt = NULL;   /* the chunk pending */
	bool plus = false;

	sb->len = 0;
	ct_buf_puts(sb, ct_graph_str(g, g->type[path[0]]));
	for (uint32_t i = 1; i <= len; i++) {
		if (i == head && head < tail) {
			i = tail;   /* the loop's i++ is not run: i is a node */
			if (pt) {
				ct_buf_puts(sb, " ");
				ct_buf_puts(sb, pl);
				ct_buf_puts(sb, plus ? "+ \xe2\x86\x92 " : " \xe2\x86\x92 ");
				ct_buf_puts(sb, pt);
			}
			ct_buf_puts(sb, " \xe2\x80\xa6");
			pl = pt = NULL;
			plus = false;
		}
		const char *l = NULL, *ty = NULL;
		if (i < len) {
			l = ct_cycle_label(ct_graph_str(g, ct_graph_label(g, t->via[path[i]])), lb);
			ty = ct_graph_str(g, g->type[path[i]]);
			if (pt && strcmp(ty, pt) == 0 && strcmp(l, pl) == 0) {
				plus = true;
				continue;
			}
		}
		if (pt) {
			ct_buf_puts(sb, " ");
			ct_buf_puts(sb, pl);
			ct_buf_puts(sb, plus ? "+ \xe2\x86\x92 " : " \xe2\x86\x92 ");
			ct_buf_puts(sb, pt);
		}
		if (i == len)
			break;
		/* l may live in lb: keep a copy while it is pending. */
		if (l == lb) {
			memcpy(pending, lb, sizeof(pending));
			l = pending;
		}
		pl = l;
		pt = ty;
		plus = false;
	}
}

/* Write the representative path (nodes path[0..len), root first) of
 * cluster c into d->steps and its signature into d->text.  *budget is
 * how many more path steps signatures may read: past it, a long path's
 * signature is made from the kept steps only. */
static int describe(struct ct_diff *d, struct ct_diff_cluster *c, const struct last *L,
		    const struct ct_path_tree *t, const uint32_t *path, uint32_t len,
		    uint64_t *budget, struct ct_buf *sb, struct ct_error *err)
{
	const struct ct_graph *g = L->g;
	uint32_t keep = len <= CT_DIFF_PATH_HEAD + CT_DIFF_PATH_TAIL ? len :
			CT_DIFF_PATH_HEAD + CT_DIFF_PATH_TAIL;
	struct ct_diff_step *st = realloc(d->steps, ((size_t)d->n_steps + keep) * sizeof(*st));

	if (!st)
		return ct_error_nomem(err);
	d->steps = st;
	c->steps_off = d->n_steps;
	c->steps_len = keep;
	for (uint32_t k = 0; k < keep; k++) {
		uint32_t i = k < CT_DIFF_PATH_HEAD || len == keep ? k : len - (keep - k);
		uint32_t v = path[i];
		uint32_t e = i + 1 < len ? t->via[path[i + 1]] : CT_NONE;
		const char *tn = ct_graph_str(g, g->type[v]);
		const char *ln = e != CT_NONE ? ct_graph_str(g, ct_graph_label(g, e)) : "";
		const char *nm = ct_present_name(g, v);
		uint32_t tid = ct_strings_intern(&d->text, tn, strlen(tn));
		uint32_t lid = e != CT_NONE ? ct_strings_intern(&d->text, ln, strlen(ln)) : 0;
		uint32_t nid = nm ? ct_strings_intern(&d->text, nm, strlen(nm)) : 0;
		if (tid == CT_NONE || lid == CT_NONE || nid == CT_NONE)
			return ct_error_nomem(err);
		struct ct_diff_step *s = &d->steps[d->n_steps++];
		*s = (struct ct_diff_step){.type = tid, .name = nid, .label = lid,
					   .id = ct_graph_addr(g, v),
					   .retained = L->dom->idom[v] != CT_NONE ?
						       L->dom->retained[v] : ct_graph_size(g, v)};
		s->omitted = (k == CT_DIFF_PATH_HEAD && len != keep) ? len - keep : 0;
	}
	if (len <= *budget) {
		*budget -= len;
		signature(g, t, path, len, len, len, sb);
	} else {
		signature(g, t, path, len, keep == len ? len : CT_DIFF_PATH_HEAD,
			  keep == len ? len : len - CT_DIFF_PATH_TAIL, sb);
	}
	if (sb->failed)
		return ct_error_nomem(err);
	c->signature = ct_strings_intern(&d->text, sb->p, sb->len);
	return c->signature == CT_NONE ? ct_error_nomem(err) : 0;
}

/* Walk the retainer tree depth first with the current path on a stack;
 * at each cluster's representative, describe the cluster.  rep_of[v]:
 * the cluster v represents, or CT_NONE. */
static int describe_all(struct ct_diff *d, const struct last *L, const struct ct_path_tree *t,
			const uint32_t *rep_of, const uint32_t *rep, struct ct_error *err)
{
	const struct ct_graph *g = L->g;
	uint32_t n = g->n_nodes;
	struct kids k = {0};
	uint32_t *path = ct_mem_alloc(((size_t)n + 1) * sizeof(*path));
	uint32_t *next = ct_mem_alloc(((size_t)n + 1) * sizeof(*next));
	struct ct_buf sb = {0};
	/* Signatures read whole paths up to this many steps in all: linear
	 * work however deep and many the clusters are. */
	uint64_t budget = 16 * (uint64_t)n + 1000000;
	int rc = 0;

	/* The tree's children; node n is a virtual root over its roots. */
	if (!path || !next || kids_build(&k, n, t->order, t->n, t->parent, CT_NONE)) {
		rc = ct_error_nomem(err);
		goto out;
	}
	const uint32_t *off = k.off, *kid = k.kid;
	uint32_t depth = 0;
	path[0] = n;
	next[0] = off[n];
	for (;;) {
		uint32_t v = path[depth];
		if (next[depth] == off[v + 1]) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		uint32_t w = kid[next[depth]++];
		path[++depth] = w;
		next[depth] = off[w];
		if (rep_of[w] != CT_NONE &&
		    (rc = describe(d, &d->clusters[rep_of[w]], L, t, path + 1, depth, &budget, &sb,
				   err)))
			goto out;
	}
	/* Unreachable representatives: the object alone. */
	for (uint32_t c = 0; c < d->n_clusters; c++) {
		struct ct_diff_cluster *cl = &d->clusters[c];
		if (!cl->garbage)
			continue;
		if ((rc = describe(d, cl, L, t, &rep[c], 1, &budget, &sb, err)))
			goto out;
		/* "(garbage) Type": no path. */
		const char *tn = ct_strings_get(&d->text, d->steps[cl->steps_off].type);
		sb.len = 0;
		ct_buf_put(&sb, "", 0);
		ct_buf_puts(&sb, "(garbage) ");
		ct_buf_puts(&sb, tn);
		if (sb.failed || (cl->signature = ct_strings_intern(&d->text, sb.p, sb.len)) == CT_NONE) {
			rc = ct_error_nomem(err);
			goto out;
		}
	}
out:
	free(sb.p);
	kids_finish(&k);
	ct_mem_free(path);
	ct_mem_free(next);
	return rc;
}

/* By site: each cluster's site, and its signature "Type allocated at
 * file:line" ("(garbage) " first when unreachable; "Type (no allocation
 * site)" for objects tracemalloc knew nothing of), from its
 * representative rep[c]. */
static int site_signatures(struct ct_diff *d, const struct ct_graph *g, const uint32_t *rep,
			   struct ct_error *err)
{
	struct ct_buf sb = {0};
	int rc = 0;

	for (uint32_t c = 0; c < d->n_clusters; c++) {
		struct ct_diff_cluster *cl = &d->clusters[c];
		uint32_t v = rep[c];
		const char *site = g->site[v] ? ct_graph_str(g, g->site[v]) : NULL;
		sb.len = 0;
		ct_buf_put(&sb, "", 0);
		if (cl->garbage)
			ct_buf_puts(&sb, "(garbage) ");
		ct_buf_puts(&sb, ct_graph_str(g, g->type[v]));
		ct_buf_puts(&sb, site ? " allocated at " : " (no allocation site)");
		if (site)
			ct_buf_puts(&sb, site);
		cl->site = site ? ct_strings_intern(&d->text, site, strlen(site)) : 0;
		if (sb.failed || cl->site == CT_NONE ||
		    (cl->signature = ct_strings_intern(&d->text, sb.p, sb.len)) == CT_NONE) {
			rc = ct_error_nomem(err);
			break;
		}
	}
	free(sb.p);
	return rc;
}

/* A (cluster, type) pair of one survivor, for the per-type counts. */
struct member {
	uint32_t cluster, type;
	uint64_t bytes;
};

/* surv[v] = 1 for each survivor v of the last dump, whose objects no
 * (sorted) are: (B \ A) ∩ C, as multisets for structural identity (B is
 * the last dump itself when there are two). */
static void mark_survivors(const struct ct_diff *d, const struct nobj *no, uint32_t n_no,
			   uint8_t *surv)
{
	const struct ct_diff_dump *A = &d->dumps[0];
	const struct ct_diff_dump *B = d->n_dumps >= 2 ? &d->dumps[1] : NULL;  /* NULL: this one */
	uint32_t pa = 0, pb = 0;

	for (uint32_t i = 0; i < n_no;) {
		uint32_t nc = 1;
		while (i + nc < n_no && obj_cmp(&no[i + nc].o, &no[i].o) == 0)
			nc++;
		uint32_t na = count_in(A, &no[i].o, &pa);
		uint32_t nb = B ? count_in(B, &no[i].o, &pb) : nc;
		uint32_t s = nb > na ? nb - na : 0;
		for (uint32_t j = 0; j < nc && j < s; j++)
			surv[no[i + j].node] = 1;
		i += nc;
	}
}

/* Cluster the survivors of the last dump (surv[], mark_survivors()).  A
 * survivor that another survivor dominates belongs to
 * that one (the topmost): what a leaked object holds is part of its leak.
 * The topmost survivors are clustered by the shape of their retainer path;
 * a cluster's retained bytes are its topmost members' (disjoint). */
static int survivors(struct ct_diff *d, const struct last *L, const uint8_t *surv,
		     struct ct_error *err)
{
	const struct ct_graph *g = L->g;
	const struct ct_report *r = L->r;
	const struct ct_dom *dom = L->dom;
	uint32_t n = g->n_nodes;
	size_t nn = n ? n : 1;
	uint8_t *kind = ct_mem_zalloc(g->strings.count ? g->strings.count : 1);
	uint8_t *noise = ct_mem_zalloc(nn);
	uint64_t *hash = ct_mem_alloc(nn * sizeof(*hash));
	uint32_t *owner = ct_mem_alloc(nn * sizeof(*owner));
	struct hcache hc = {g, ct_mem_zalloc(((size_t)g->strings.count + 1) * sizeof(uint64_t)),
			    ct_mem_zalloc(((size_t)g->strings.count + 1) * sizeof(uint64_t))};
	const struct ct_path_tree *tp = L->tree;
	struct surv *sv = NULL;
	struct member *mem = NULL;
	uint32_t *rep_of = NULL, *rep = NULL, *cl_of = NULL;
	int rc = 0;

	if (!kind || !noise || !hash || !owner || !hc.type || !hc.label) {
		rc = ct_error_nomem(err);
		goto out;
	}
	/* The topmost survivor above each node in the dominator tree (parents
	 * before children: breadth first from the super-root). */
	uint32_t *queue = L->scratch, head = 0, tail = 0;
	for (uint32_t v = 0; v < n; v++)
		owner[v] = surv[v] ? v : CT_NONE;   /* unreachable ones: their own */
	for (uint32_t i = L->kids->off[n]; i < L->kids->off[n + 1]; i++)
		queue[tail++] = L->kids->kid[i];
	while (head < tail) {
		uint32_t v = queue[head++];
		for (uint32_t i = L->kids->off[v]; i < L->kids->off[v + 1]; i++) {
			uint32_t w = L->kids->kid[i];
			if (owner[v] != CT_NONE)
				owner[w] = owner[v];
			queue[tail++] = w;
		}
	}
	/* Runtime noise, and each node's path shape, in tree order. */
	bool v8 = g->format && strcmp(g->format, "v8") == 0;
	mark_types(g, v8 ? v8_noise : py_noise, kind, NOISE);
	mark_types(g, v8 ? v8_held : py_held, kind, HELD);
	const uint64_t garbage_seed = 0x9e3779b97f4a7c15ULL, run_mark = 0x2545f4914f6cdd1dULL;
	for (uint32_t v = 0; v < n; v++) {
		hash[v] = ct_hash_u64(garbage_seed ^ type_hash(&hc, g->type[v]));
		noise[v] = (kind[g->type[v]] & NOISE) || (v8 && (g->flags[v] & CT_NODE_NATIVE));
	}
	for (uint32_t i = 0; i < tp->n; i++) {
		uint32_t v = tp->order[i], p = tp->parent[v];
		uint64_t s = step_hash(&hc, tp, v);
		if (p == CT_NONE) {
			hash[v] = ct_hash_u64(s);
			continue;
		}
		noise[v] |= (kind[g->type[v]] & HELD) && (noise[p] & NOISE);
		/* A step equal to its parent's: the first repeat marks the run
		 * ("+"), later ones change nothing. */
		if (s != step_hash(&hc, tp, p)) {
			hash[v] = ct_hash_u64(hash[p] ^ s);
		} else if (!(noise[p] & RUN)) {
			hash[v] = ct_hash_u64(hash[p] ^ s ^ run_mark);
			noise[v] |= RUN;
		} else {
			hash[v] = hash[p];
			noise[v] |= RUN;
		}
	}
	/* Topmost survivors: the runtime's fold into one count with all they
	 * hold; the others are clustered. */
	uint64_t ntop = 0, nmem = 0;
	for (uint32_t v = 0; v < n; v++) {
		if (!surv[v] || (noise[owner[v]] & NOISE)) {
			if (surv[v]) {
				d->noise++;
				d->noise_bytes = ct_sat_add(d->noise_bytes, ct_graph_size(g, v));
			}
			continue;
		}
		ntop += owner[v] == v;
		nmem++;
	}
	sv = ct_mem_alloc((ntop ? ntop : 1) * sizeof(*sv));
	mem = ct_mem_alloc((nmem ? nmem : 1) * sizeof(*mem));
	if (!sv || !mem) {
		rc = ct_error_nomem(err);
		goto out;
	}
	ntop = 0;
	for (uint32_t v = 0; v < n; v++) {
		if (!surv[v] || owner[v] != v || (noise[v] & NOISE))
			continue;
		uint64_t h = hash[v];
		if (d->by_site) {
			/* Type and site, garbage apart from alive. */
			h = type_hash(&hc, g->type[v]) ^
			    ct_hash_u64(g->site[v] ? type_hash(&hc, g->site[v]) : run_mark);
			h = ct_hash_u64(r->reach.alive[v] ? h : h ^ garbage_seed);
		}
		sv[ntop++] = (struct surv){h, L->tmap[g->type[v]], v};
	}
	qsort(sv, ntop, sizeof(*sv), by_surv);
	uint32_t ncl = 0;
	for (uint64_t i = 0; i < ntop; i++)
		ncl += i == 0 || sv[i].hash != sv[i - 1].hash;
	d->clusters = calloc(ncl ? ncl : 1, sizeof(*d->clusters));
	rep = ct_mem_alloc(((size_t)ncl + 1) * sizeof(*rep));
	rep_of = ct_mem_alloc(nn * sizeof(*rep_of));
	cl_of = ct_mem_alloc(nn * sizeof(*cl_of));
	if (!d->clusters || !rep || !rep_of || !cl_of) {
		rc = ct_error_nomem(err);
		goto out;
	}
	for (uint32_t v = 0; v < n; v++)
		rep_of[v] = cl_of[v] = CT_NONE;
	for (uint64_t i = 0; i < ntop; i++) {
		uint32_t v = sv[i].node;
		if (i == 0 || sv[i].hash != sv[i - 1].hash) {
			d->clusters[d->n_clusters] = (struct ct_diff_cluster){.garbage = !r->reach.alive[v]};
			rep[d->n_clusters++] = v;
		}
		struct ct_diff_cluster *c = &d->clusters[d->n_clusters - 1];
		uint64_t rv = dom->idom[v] != CT_NONE ? dom->retained[v] : ct_graph_size(g, v);
		uint32_t best = rep[d->n_clusters - 1];
		uint64_t rb = dom->idom[best] != CT_NONE ? dom->retained[best]
						       : ct_graph_size(g, best);
		c->roots++;
		c->retained = ct_sat_add(c->retained, rv);
		cl_of[v] = d->n_clusters - 1;
		if (rv > rb)
			rep[d->n_clusters - 1] = v;
	}
	/* Every survivor counts in its topmost one's cluster. */
	nmem = 0;
	for (uint32_t v = 0; v < n; v++) {
		if (!surv[v] || (noise[owner[v]] & NOISE))
			continue;
		uint32_t c = cl_of[owner[v]];
		struct ct_diff_cluster *cl = &d->clusters[c];
		cl->count++;
		cl->bytes = ct_sat_add(cl->bytes, ct_graph_size(g, v));
		mem[nmem++] = (struct member){c, L->tmap[g->type[v]], ct_graph_size(g, v)};
		d->survivors++;
		d->survivor_bytes = ct_sat_add(d->survivor_bytes, ct_graph_size(g, v));
	}
	/* Count per cluster and type: the members grouped by cluster (a
	 * counting sort), then each cluster's types counted in a table. */
	{
		uint32_t nt = d->types.count ? d->types.count : 1;
		uint32_t *off = ct_mem_zalloc(((size_t)d->n_clusters + 1) * sizeof(*off));
		uint32_t *by_cl = ct_mem_alloc((nmem ? nmem : 1) * sizeof(*by_cl));
		uint64_t *cnt = ct_mem_zalloc((size_t)nt * sizeof(*cnt));
		uint64_t *byt = ct_mem_zalloc((size_t)nt * sizeof(*byt));
		uint32_t *seen = ct_mem_alloc((size_t)nt * sizeof(*seen));
		uint64_t total = 0;
		if (!off || !by_cl || !cnt || !byt || !seen) {
			ct_mem_free(off);
			ct_mem_free(by_cl);
			ct_mem_free(cnt);
			ct_mem_free(byt);
			ct_mem_free(seen);
			rc = ct_error_nomem(err);
			goto out;
		}
		for (uint64_t i = 0; i < nmem; i++)
			off[mem[i].cluster + 1]++;
		for (uint32_t c = 0; c < d->n_clusters; c++)
			off[c + 1] += off[c];
		for (uint64_t i = 0; i < nmem; i++)
			by_cl[off[mem[i].cluster]++] = (uint32_t)i;
		for (uint32_t c = d->n_clusters; c > 0; c--)
			off[c] = off[c - 1];
		off[0] = 0;
		/* Distinct (cluster, type) pairs: at most the members, and at most
		 * types per cluster. */
		for (uint32_t c = 0; c < d->n_clusters; c++) {
			uint32_t k = 0;
			for (uint32_t i = off[c]; i < off[c + 1]; i++)
				if (!cnt[mem[by_cl[i]].type]++)
					k++;
			total += k;
			for (uint32_t i = off[c]; i < off[c + 1]; i++)
				cnt[mem[by_cl[i]].type] = 0;
		}
		d->ctypes = calloc(total ? total : 1, sizeof(*d->ctypes));
		if (!d->ctypes) {
			ct_mem_free(off);
			ct_mem_free(by_cl);
			ct_mem_free(cnt);
			ct_mem_free(byt);
			ct_mem_free(seen);
			rc = ct_error_nomem(err);
			goto out;
		}
		for (uint32_t c = 0; c < d->n_clusters; c++) {
			struct ct_diff_cluster *cl = &d->clusters[c];
			uint32_t k = 0;
			cl->types_off = d->n_ctypes;
			for (uint32_t i = off[c]; i < off[c + 1]; i++) {
				const struct member *m = &mem[by_cl[i]];
				if (!cnt[m->type]++)
					seen[k++] = m->type;
				byt[m->type] = ct_sat_add(byt[m->type], m->bytes);
			}
			for (uint32_t j = 0; j < k; j++) {
				d->ctypes[d->n_ctypes++] = (struct ct_diff_type_count){
					seen[j], 0, cnt[seen[j]], byt[seen[j]]};
				cnt[seen[j]] = byt[seen[j]] = 0;
			}
			cl->types_len = k;
		}
		ct_mem_free(off);
		ct_mem_free(by_cl);
		ct_mem_free(cnt);
		ct_mem_free(byt);
		ct_mem_free(seen);
	}
	for (uint32_t c = 0; c < d->n_clusters; c++) {
		struct ct_diff_cluster *cl = &d->clusters[c];
		rep_of[rep[c]] = c;
		qsort(d->ctypes + cl->types_off, cl->types_len, sizeof(*d->ctypes), by_bytes_desc);
		d->survivor_retained = ct_sat_add(d->survivor_retained, cl->retained);
	}
	/* Paths and signatures, then the ranking (rep_of indexes clusters as
	 * they are before it). */
	if (d->n_clusters && (rc = describe_all(d, L, tp, rep_of, rep, err)))
		goto out;
	if (d->by_site && (rc = site_signatures(d, g, rep, err)))
		goto out;
	qsort(d->clusters, d->n_clusters, sizeof(*d->clusters), by_retained);
	d->has_survivors = true;
out:
	ct_mem_free(kind);
	ct_mem_free(noise);
	ct_mem_free(hash);
	ct_mem_free(owner);
	ct_mem_free(hc.type);
	ct_mem_free(hc.label);
	ct_mem_free(sv);
	ct_mem_free(mem);
	ct_mem_free(rep_of);
	ct_mem_free(rep);
	ct_mem_free(cl_of);
	return rc;
}

/* Keys, fingerprints and the sorted objects of one dump (a thread's job). */
struct keys_job {
	const struct ct_graph *g;
	const struct ct_reach *reach;   /* NULL unless the identity is structural */
	enum ct_diff_identity identity;
	const uint32_t *map;
	uint64_t *key;
	uint32_t *fp;
	struct nobj *no;
	struct ct_diff_obj *obj;
	int rc;
	struct ct_error err;
};

static void *keys_thread(void *arg)
{
	struct keys_job *j = arg;
	const struct ct_graph *g = j->g;
	uint32_t n = g->n_nodes;

	if ((j->rc = ct_diff_keys(g, j->reach, j->identity, j->key, j->fp, &j->err)))
		return NULL;
	for (uint32_t v = 0; v < n; v++)
		j->no[v] = (struct nobj){{j->key[v], j->map[g->type[v]], j->fp[v]}, v};
	ct_mem_free(j->fp);
	j->fp = NULL;
	struct nobj *tmp = ct_mem_alloc(((size_t)n ? n : 1) * sizeof(*tmp));
	uint32_t *count = malloc(65536 * sizeof(*count));
	if (!tmp || !count) {
		ct_mem_free(tmp);
		free(count);
		j->rc = ct_error_nomem(&j->err);
		return NULL;
	}
	sort_nobj(j->no, n, tmp, count);
	ct_mem_free(tmp);
	free(count);
	for (uint32_t i = 0; i < n; i++)
		j->obj[i] = j->no[i].o;
	return NULL;
}

struct dom_job {
	const struct ct_graph *g;
	const uint8_t *root;
	struct ct_dom *dom;
	int rc;
	struct ct_error err;
};

static void *dom_thread(void *arg)
{
	struct dom_job *j = arg;

	j->rc = ct_dom_compute(j->g, j->root, j->dom, &j->err);
	return NULL;
}

int ct_diff_add(struct ct_diff *d, const struct ct_graph *g, const char *file, unsigned flags,
		struct ct_error *err)
{
	struct ct_diff_dump x = {0};
	uint32_t *map = NULL;  /* graph type string id -> diff type id */
	uint64_t *key = NULL;
	uint32_t *fp = NULL, *cls = NULL, *active = NULL, *scratch = NULL;
	uint8_t *surv = NULL;
	struct nobj *no = NULL;
	struct ct_report r = {0};
	struct ct_dom dom = {0};
	struct kids kids = {0};
	struct ct_path_tree tree = {0};
	int rc = 0;

	if (d->n_dumps == 0) {
		d->format = g->format;
		d->identity = ct_diff_identity_of(g);
		d->numeric_ids = g->numeric_ids;
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
	uint32_t n = g->n_nodes;
	size_t nn = n ? n : 1;
	x.file = strdup(file);
	x.pid = g->pid;
	x.seq = g->seq;
	x.time = g->time;
	map = malloc((g->strings.count ? g->strings.count : 1) * sizeof(*map));
	if (!x.file || !map)
		goto nomem;
	memset(map, 0xff, (g->strings.count ? g->strings.count : 1) * sizeof(*map));
	/* Type names into the diff's table, once per distinct type. */
	for (uint32_t v = 0; v < n; v++) {
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
	x.type_retained = calloc(x.n_types ? x.n_types : 1, sizeof(*x.type_retained));
	if (!x.type_count || !x.type_bytes || !x.type_retained)
		goto nomem;
	for (uint32_t v = 0; v < n; v++) {
		uint32_t t = map[g->type[v]];
		x.type_count[t]++;
		x.type_bytes[t] = ct_sat_add(x.type_bytes[t], ct_graph_size(g, v));
		x.bytes = ct_sat_add(x.bytes, ct_graph_size(g, v));
	}
	x.objects = n;

	/* The identity keys, sorted, on a second core while scan's analysis
	 * (reachability, the application's graph, cycles) runs: only the
	 * structural identity needs the reachability. */
	key = ct_mem_alloc(nn * sizeof(*key));
	fp = ct_mem_alloc(nn * sizeof(*fp));
	no = ct_mem_alloc(nn * sizeof(*no));
	x.obj = ct_mem_alloc(nn * sizeof(*x.obj));
	if (!key || !fp || !no || !x.obj)
		goto nomem;
	struct keys_job kj = {g, NULL, d->identity, map, key, fp, no, x.obj, 0, {0}};
	fp = NULL;   /* the job frees it */
	pthread_t kt;
	bool kt_on = d->identity != CT_DIFF_STRUCTURAL &&
		     pthread_create(&kt, NULL, keys_thread, &kj) == 0;
	rc = ct_report_build(&r, g, NULL, err);
	if (kt_on)
		pthread_join(kt, NULL);
	if (rc)
		goto out;
	if (!kt_on) {
		kj.reach = &r.reach;
		keys_thread(&kj);
	}
	ct_mem_free(kj.fp);   /* when the job stopped early */
	if ((rc = kj.rc)) {
		ct_error_set(err, rc, "%s", kj.err.msg);
		goto out;
	}
	x.n_obj = n;
	if ((rc = add_cycles(d, &x, &r, key, err)))
		goto out;
	ct_mem_free(key);
	key = NULL;
	/* What the rest does not read goes now: the components, the
	 * reachability's routes. */
	ct_scc_finish(&r.scc);
	ct_mem_free(r.reach.parent);
	ct_mem_free(r.reach.parent_edge);
	ct_mem_free(r.reach.dist);
	r.reach.parent = r.reach.parent_edge = r.reach.dist = NULL;
	bool last = flags & CT_DIFF_LAST;
	if (last && (flags & CT_DIFF_BY_SITE)) {
		if (!g->site) {
			rc = ct_error_set(err, CT_EUSAGE, "--by-site: '%s' has no allocation sites "
					  "(dump it while tracemalloc traces: python3 -X "
					  "tracemalloc)", file);
			goto out;
		}
		d->by_site = true;
	}
	if (last) {
		surv = ct_mem_zalloc(nn);
		if (!surv)
			goto nomem;
		mark_survivors(d, no, n, surv);
	}
	ct_mem_free(no);
	no = NULL;

	/* Dominators: retained bytes per type, none counted twice, in the
	 * first and the last dump (the types table compares those). */
	bool first = d->n_dumps == 0;
	if (!first && !last) {
		d->dumps[d->n_dumps++] = x;
		memset(&x, 0, sizeof(x));
		goto out;
	}
	/* The dominators on a second core while the retainer tree is built. */
	struct dom_job dj = {g, r.reach.root, &dom, 0, {0}};
	pthread_t dt;
	bool dt_on = last && pthread_create(&dt, NULL, dom_thread, &dj) == 0;
	if (last)
		rc = ct_path_tree_build(&tree, g, &r.reach, r.runtime.skip, err);
	if (dt_on)
		pthread_join(dt, NULL);
	else
		dom_thread(&dj);
	if (rc)
		goto out;
	if ((rc = dj.rc)) {
		ct_error_set(err, rc, "%s", dj.err.msg);
		goto out;
	}
	if (kids_build(&kids, n, NULL, n, dom.idom, CT_DOM_SUPER))
		goto nomem;
	cls = ct_mem_alloc(nn * sizeof(*cls));
	active = ct_mem_alloc((x.n_types ? x.n_types : 1) * sizeof(*active));
	scratch = ct_mem_alloc((nn + 1) * sizeof(*scratch));
	if (!cls || !active || !scratch)
		goto nomem;
	for (uint32_t v = 0; v < n; v++)
		cls[v] = map[g->type[v]];
	disjoint_sums(&kids, &dom, n, cls, active, x.n_types, scratch, x.type_retained);
	ct_mem_free(cls);
	cls = NULL;

	if (last) {
		struct last L = {g, &r, &dom, &kids, &tree, map, scratch};
		/* The dump being added is not in d->dumps yet: survivors()
		 * reads the earlier ones. */
		if ((rc = survivors(d, &L, surv, err)))
			goto out;
	}
	d->dumps[d->n_dumps++] = x;
	memset(&x, 0, sizeof(x));
	goto out;
nomem:
	rc = ct_error_nomem(err);
out:
	dump_finish(&x);
	free(map);
	ct_mem_free(key);
	ct_mem_free(fp);
	ct_mem_free(no);
	ct_mem_free(surv);
	ct_mem_free(cls);
	ct_mem_free(active);
	ct_mem_free(scratch);
	kids_finish(&kids);
	ct_path_tree_finish(&tree);
	ct_dom_finish(&dom);
	ct_report_finish(&r);
	return rc;
}

/* ---- tables ---- */

enum ct_diff_trend ct_diff_trend_of(const uint64_t *c, uint32_t n)
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

/* Objects of a that b does not have (as multisets), counted per type. */
static void only_in(const struct ct_diff_dump *a, const struct ct_diff_dump *b, uint64_t *out)
{
	uint32_t pb = 0;

	for (uint32_t i = 0; i < a->n_obj;) {
		uint32_t na = run_of(a->obj, a->n_obj, i);
		uint32_t nb = count_in(b, &a->obj[i], &pb);
		if (na > nb)
			out[a->obj[i].type] += na - nb;
		i += na;
	}
}

/* Survivors per type: of c, min(nc, nb - na) of each identity. */
static void survive(const struct ct_diff_dump *a, const struct ct_diff_dump *b,
		    const struct ct_diff_dump *c, uint64_t *out)
{
	uint32_t pa = 0, pc = 0;

	for (uint32_t j = 0; j < b->n_obj;) {
		uint32_t nb = run_of(b->obj, b->n_obj, j);
		uint32_t na = count_in(a, &b->obj[j], &pa);
		uint32_t nc = c ? count_in(c, &b->obj[j], &pc) : nb;
		uint32_t s = nb > na ? nb - na : 0;
		out[b->obj[j].type] += s < nc ? s : nc;
		j += nb;
	}
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

static int64_t delta(uint64_t last, uint64_t first)
{
	if (last >= first)
		return last - first > INT64_MAX ? INT64_MAX : (int64_t)(last - first);
	return first - last > INT64_MAX ? -INT64_MAX : -(int64_t)(first - last);
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
	if (nd > 1) {
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
		r->count_delta = delta(counts[nd - 1], counts[0]);
		r->bytes_delta = delta(bytes[nd - 1], bytes[0]);
		r->retained_delta = delta(ty < last->n_types ? last->type_retained[ty] : 0,
					  ty < first->n_types ? first->type_retained[ty] : 0);
		r->trend = ct_diff_trend_of(counts, nd);
	}
	qsort(t->rows, t->n, sizeof(*t->rows), by_growth);
	free(news);
	free(gone);
	free(surv);
	return 0;
}

/* ---- cycles ---- */

void ct_diff_cycles_finish(struct ct_diff_cycles *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c->cells);
	free(c->garbage_total);
	free(c->alive_total);
	memset(c, 0, sizeof(*c));
}

static int by_cycle_row(const void *a, const void *b)
{
	const struct ct_diff_cycle *x = a, *y = b;

	if (x->runtime != y->runtime)
		return x->runtime ? 1 : -1;
	if (x->garbage != y->garbage)
		return x->garbage ? -1 : 1;
	if (x->new_cycles != y->new_cycles)
		return x->new_cycles > y->new_cycles ? -1 : 1;
	return (x->sig > y->sig) - (x->sig < y->sig);
}

int ct_diff_cycles(const struct ct_diff *d, struct ct_diff_cycles *c, struct ct_error *err)
{
	uint32_t nd = d->n_dumps, ns = d->text.count;
	uint32_t *row = NULL;   /* per (signature, garbage): row index */

	memset(c, 0, sizeof(*c));
	if (nd == 0)
		return ct_error_set(err, CT_EUSAGE, "no dump to compare");
	row = malloc(2 * (size_t)(ns ? ns : 1) * sizeof(*row));
	uint64_t nrows = 0;
	c->garbage_total = calloc(nd, sizeof(uint64_t));
	c->alive_total = calloc(nd, sizeof(uint64_t));
	if (!row || !c->garbage_total || !c->alive_total)
		goto nomem;
	memset(row, 0xff, 2 * (size_t)(ns ? ns : 1) * sizeof(*row));
	for (uint32_t k = 0; k < nd; k++)
		for (uint32_t i = 0; i < d->dumps[k].n_cyc; i++) {
			const struct ct_diff_cyc *y = &d->dumps[k].cyc[i];
			uint32_t *slot = &row[2 * (size_t)y->sig + y->garbage];
			if (*slot == CT_NONE)
				*slot = (uint32_t)nrows++;
		}
	c->rows = calloc(nrows ? nrows : 1, sizeof(*c->rows));
	c->cells = calloc((nrows ? nrows : 1) * nd, sizeof(*c->cells));
	if (!c->rows || !c->cells)
		goto nomem;
	c->n = (uint32_t)nrows;
	for (uint32_t k = 0; k < nd; k++) {
		for (uint32_t i = 0; i < d->dumps[k].n_cyc; i++) {
			const struct ct_diff_cyc *y = &d->dumps[k].cyc[i];
			uint32_t ri = row[2 * (size_t)y->sig + y->garbage];
			struct ct_diff_cycle *rw = &c->rows[ri];
			rw->sig = y->sig;
			rw->garbage = y->garbage;
			rw->runtime |= y->runtime;
			c->cells[(size_t)ri * nd + k]++;
		}
	}
	/* New, persisted and freed: the first dump against the last, by the
	 * least member's key within one signature and state. */
	const struct ct_diff_dump *f = &d->dumps[0], *l = &d->dumps[nd - 1];
	uint32_t i = 0, j = 0;
	while (i < f->n_cyc || j < l->n_cyc) {
		int cmp = i == f->n_cyc ? 1 : j == l->n_cyc ? -1 : by_cyc(&f->cyc[i], &l->cyc[j]);
		const struct ct_diff_cyc *y = cmp <= 0 ? &f->cyc[i] : &l->cyc[j];
		struct ct_diff_cycle *rw = &c->rows[row[2 * (size_t)y->sig + y->garbage]];
		if (cmp == 0) {
			rw->persisted++;
			i++;
			j++;
		} else if (cmp < 0) {
			rw->freed++;
			i++;
		} else {
			rw->new_cycles++;
			j++;
		}
	}
	for (uint32_t r = 0; r < c->n; r++) {
		struct ct_diff_cycle *rw = &c->rows[r];
		rw->counts = c->cells + (size_t)r * nd;
		rw->trend = ct_diff_trend_of(rw->counts, nd);
		if (rw->runtime)
			continue;
		for (uint32_t k = 0; k < nd; k++)
			(rw->garbage ? c->garbage_total : c->alive_total)[k] += rw->counts[k];
		if (rw->garbage)
			c->garbage_persisted += rw->persisted;
	}
	qsort(c->rows, c->n, sizeof(*c->rows), by_cycle_row);
	free(row);
	return 0;
nomem:
	free(row);
	ct_diff_cycles_finish(c);
	return ct_error_nomem(err);
}
