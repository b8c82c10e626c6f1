#include "cycle.h"

#include <stdbool.h>
#include <stdlib.h>

#include "mem.h"
#include <string.h>

int ct_cycle_ws_init(struct ct_cycle_ws *ws, const struct ct_graph *g, struct ct_error *err)
{
	size_t n = g->n_nodes ? g->n_nodes : 1;

	memset(ws, 0, sizeof(*ws));
	ws->mark = ct_mem_zalloc(ct_mem_bytes(n, sizeof(*ws->mark)));
	ws->pnode = ct_mem_alloc(n * sizeof(*ws->pnode));
	ws->pedge = ct_mem_alloc(n * sizeof(*ws->pedge));
	ws->queue = ct_mem_alloc(n * sizeof(*ws->queue));
	if (!ws->mark || !ws->pnode || !ws->pedge || !ws->queue) {
		ct_cycle_ws_finish(ws);
		return ct_error_nomem(err);
	}
	return 0;
}

void ct_cycle_ws_finish(struct ct_cycle_ws *ws)
{
	if (!ws)
		return;
	ct_mem_free(ws->mark);
	ct_mem_free(ws->pnode);
	ct_mem_free(ws->pedge);
	ct_mem_free(ws->queue);
	ct_mem_free(ws->buf);
	ct_mem_free(ws->rank);
	ct_mem_free(ws->order);
	memset(ws, 0, sizeof(*ws));
}

/* Is this type name the engine's ("(closure)", "(array)", "system / Context":
 * V8's names for what is not an object of a class)? */
static bool engine_type(const char *t)
{
	return t[0] == '(' || strncmp(t, "system / ", 9) == 0;
}

/* Type names in signature order: the program's before the engine's, so
 * that a cycle reads from the program's class ("Handler .callback →
 * (closure) ..."); then by their text. */
static int type_cmp(const char *a, const char *b)
{
	bool ea = engine_type(a), eb = engine_type(b);
	return ea != eb ? (ea ? 1 : -1) : strcmp(a, b);
}

uint32_t ct_cycle_start(const struct ct_graph *g, const struct ct_scc *s, uint32_t c)
{
	uint32_t best = s->members[s->member_off[c]];
	const char *bt = ct_graph_str(g, g->type[best]);

	for (uint32_t i = s->member_off[c] + 1; i < s->member_off[c + 1]; i++) {
		uint32_t v = s->members[i];
		if (g->type[v] == g->type[best])
			continue;
		const char *t = ct_graph_str(g, g->type[v]);
		if (type_cmp(t, bt) < 0) {
			best = v;
			bt = t;
		}
	}
	return best;
}

uint32_t ct_cycle_find(const struct ct_graph *g, const struct ct_scc *s, uint32_t start,
		       struct ct_cycle_ws *ws, uint32_t *nodes, uint32_t *edges)
{
	uint32_t c = s->comp[start];
	uint32_t head = 0, tail = 0;
	uint32_t stamp = ++ws->stamp;

	if (stamp == 0) { /* wrapped: start afresh */
		memset(ws->mark, 0, (g->n_nodes ? g->n_nodes : 1) * sizeof(*ws->mark));
		stamp = ws->stamp = 1;
	}
	ws->mark[start] = stamp;
	ws->queue[tail++] = start;
	while (head < tail) {
		uint32_t u = ws->queue[head++];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t w = g->dst[e];
			if (s->comp[w] != c || !ct_scc_edge(s, g, e))
				continue;
			if (w == start) {
				/* Closed the cycle: walk back from u. */
				uint32_t len = 1;
				for (uint32_t x = u; x != start; x = ws->pnode[x])
					len++;
				uint32_t i = len - 1;
				edges[i] = e;
				for (uint32_t x = u; x != start; x = ws->pnode[x]) {
					nodes[i] = x;
					edges[i - 1] = ws->pedge[x];
					i--;
				}
				nodes[0] = start;
				return len;
			}
			if (ws->mark[w] == stamp)
				continue;
			ws->mark[w] = stamp;
			ws->pnode[w] = u;
			ws->pedge[w] = e;
			ws->queue[tail++] = w;
		}
	}
	return 0;
}

/* Does node a sort before node b as a cycle start (type name, then index)? */
static bool start_before(const struct ct_graph *g, uint32_t a, uint32_t b)
{
	int d = g->type[a] == g->type[b] ? 0 :
		type_cmp(ct_graph_str(g, g->type[a]), ct_graph_str(g, g->type[b]));
	return d < 0 || (d == 0 && a < b);
}

uint32_t ct_cycle_representative(const struct ct_graph *g, const struct ct_scc *s, uint32_t c,
				 struct ct_cycle_ws *ws, uint32_t *nodes, uint32_t *edges)
{
	uint32_t size = s->member_off[c + 1] - s->member_off[c];

	if (size > CT_CYCLE_EXHAUSTIVE)
		return ct_cycle_find(g, s, ct_cycle_start(g, s, c), ws, nodes, edges);
	uint32_t best_len = 0, best_start = CT_NONE;
	uint32_t bn[CT_CYCLE_EXHAUSTIVE], be[CT_CYCLE_EXHAUSTIVE];
	for (uint32_t i = s->member_off[c]; i < s->member_off[c + 1]; i++) {
		uint32_t v = s->members[i];
		uint32_t len = ct_cycle_find(g, s, v, ws, nodes, edges);
		if (!len)
			continue;
		if (best_len && (len > best_len ||
				 (len == best_len && !start_before(g, v, best_start))))
			continue;
		best_len = len;
		best_start = v;
		memcpy(bn, nodes, len * sizeof(*bn));
		memcpy(be, edges, len * sizeof(*be));
	}
	memcpy(nodes, bn, best_len * sizeof(*nodes));
	memcpy(edges, be, best_len * sizeof(*edges));
	return best_len;
}

int ct_label_is_index(const char *l)
{
	if (l[0] != '[' || l[1] < '0' || l[1] > '9')
		return 0;
	l++;
	while (*l >= '0' && *l <= '9')
		l++;
	return l[0] == ']' && l[1] == '\0';
}

#define SIG_LABEL_MAX CT_CYCLE_LABEL_MAX

/* The label l as a signature writes it, in buf (SIG_LABEL_MAX bytes) or
 * static text: a sequence index is "[*]"; a key shown as an object with
 * its address ("[<tuple 0x7f3a5c1e40>]", as the Python dumper writes
 * keys that are not strings or numbers) loses the address ("[<tuple>]"),
 * so that cycles through such keys group together. */
const char *ct_cycle_label(const char *l, char buf[CT_CYCLE_LABEL_MAX])
{
	if (ct_label_is_index(l))
		return "[*]";
	if (l[0] != '[' || l[1] != '<')
		return l;
	const char *a = strstr(l, " 0x");
	if (!a)
		return l;
	const char *q = a + 3;
	while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
		q++;
	size_t pre = (size_t)(a - l);
	if (q == a + 3 || strcmp(q, ">]") != 0 || pre + 3 > SIG_LABEL_MAX)
		return l;
	memcpy(buf, l, pre);
	memcpy(buf + pre, ">]", 3);
	return buf;
}

/* Compare two steps (type, then signature label) by their text. */
static int step_cmp(const struct ct_graph *g, const uint32_t *nodes, const uint32_t *edges,
		    uint32_t a, uint32_t b)
{
	char ba[SIG_LABEL_MAX], bb[SIG_LABEL_MAX];
	int d = type_cmp(ct_graph_str(g, g->type[nodes[a]]), ct_graph_str(g, g->type[nodes[b]]));
	if (d)
		return d;
	return strcmp(ct_cycle_label(ct_graph_str(g, g->label[edges[a]]), ba),
		      ct_cycle_label(ct_graph_str(g, g->label[edges[b]]), bb));
}

/* Sort step indices by step text: bottom-up merge sort, tmp has len slots. */
static void sort_steps(const struct ct_graph *g, const uint32_t *nodes, const uint32_t *edges,
		       uint32_t *order, uint32_t *tmp, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		order[i] = i;
	for (uint32_t width = 1; width < len; width *= 2) {
		for (uint32_t lo = 0; lo < len; lo += 2 * width) {
			uint32_t mid = lo + width < len ? lo + width : len;
			uint32_t hi = lo + 2 * width < len ? lo + 2 * width : len;
			uint32_t a = lo, b = mid, o = lo;
			while (a < mid && b < hi)
				tmp[o++] = step_cmp(g, nodes, edges, order[a], order[b]) <= 0 ?
					   order[a++] : order[b++];
			while (a < mid)
				tmp[o++] = order[a++];
			while (b < hi)
				tmp[o++] = order[b++];
		}
		memcpy(order, tmp, len * sizeof(*order));
	}
}

/* Least rotation of rank[0..n) (Booth's algorithm). */
static uint32_t least_rotation(const uint32_t *rank, uint32_t n, int32_t *f)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < 2 * n; i++)
		f[i] = -1;
	for (uint32_t j = 1; j < 2 * n; j++) {
		uint32_t sj = rank[j % n];
		int32_t i = f[j - k - 1];
		while (i != -1 && sj != rank[(k + (uint32_t)i + 1) % n]) {
			if (sj < rank[(k + (uint32_t)i + 1) % n])
				k = j - (uint32_t)i - 1;
			i = f[i];
		}
		if (i == -1 && sj != rank[(k + (uint32_t)i + 1) % n]) {
			if (sj < rank[(k + (uint32_t)i + 1) % n])
				k = j;
			f[j - k] = -1;
		} else {
			f[j - k] = i + 1;
		}
	}
	return k;
}

static int put(struct ct_cycle_ws *ws, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > ws->buf_cap) {
		size_t cap = ws->buf_cap ? ws->buf_cap : 256;
		while (cap < *at + n + 1)
			cap *= 2;
		char *b = ct_mem_realloc(ws->buf, cap);
		if (!b)
			return CT_ENOMEM;
		ws->buf = b;
		ws->buf_cap = cap;
	}
	memcpy(ws->buf + *at, s, n);
	*at += n;
	ws->buf[*at] = '\0';
	return 0;
}

int ct_cycle_signature(const struct ct_graph *g, const uint32_t *nodes, const uint32_t *edges,
		       uint32_t len, struct ct_cycle_ws *ws, size_t *n, struct ct_error *err)
{
	static const char arrow[] = " \xe2\x86\x92 "; /* " → " */

	if (len * 2 > ws->steps_cap) {
		uint32_t cap = len * 2;
		uint32_t *r = ct_mem_realloc(ws->rank, cap * sizeof(*r));
		if (r)
			ws->rank = r;
		uint32_t *o = ct_mem_realloc(ws->order, cap * sizeof(*o));
		if (o)
			ws->order = o;
		if (!r || !o)
			return ct_error_nomem(err);
		ws->steps_cap = cap;
	}
	/* Rank each step by its text, then find the least rotation. */
	sort_steps(g, nodes, edges, ws->order, ws->rank, len);
	uint32_t r = 0;
	for (uint32_t i = 0; i < len; i++) {
		if (i > 0 && step_cmp(g, nodes, edges, ws->order[i - 1], ws->order[i]) != 0)
			r++;
		ws->rank[ws->order[i]] = r;
	}
	uint32_t k = least_rotation(ws->rank, len, (int32_t *)ws->order);

	size_t at = 0;
	for (uint32_t i = 0; i <= len; i++) {
		uint32_t step = (k + i) % len;
		const char *t = ct_graph_str(g, g->type[nodes[step]]);
		if ((i > 0 && put(ws, &at, arrow, sizeof(arrow) - 1)) || put(ws, &at, t, strlen(t)))
			return ct_error_nomem(err);
		if (i == len)
			break;
		char lb[SIG_LABEL_MAX];
		const char *l = ct_cycle_label(ct_graph_str(g, g->label[edges[step]]), lb);
		if (*l && (put(ws, &at, " ", 1) || put(ws, &at, l, strlen(l))))
			return ct_error_nomem(err);
	}
	if (at == 0 && put(ws, &at, "", 0))
		return ct_error_nomem(err);
	*n = at;
	return 0;
}
