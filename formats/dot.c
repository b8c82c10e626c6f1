/* DOT (graphviz), through cgraph's reader.
 *
 * The input is read whole (up to CT_GRAPHFILE_MAX); a plain file is read
 * by the fast path below, anything else parsed with cgraph's agread() from
 * memory, which is given the first graph only: text after it is an error.
 * cgraph's error reporting is redirected while it reads (agseterrf()), so
 * that a bad file is CT_EINPUT with cgraph's message (which names the
 * line), never printed.
 *
 * Nodes in the order cgraph lists them; each node's out-edges (tail ->
 * head, also in an undirected graph).  Attributes: node "type", else
 * "label" -> the type (default "node"; graphviz's "\N" means the node's
 * name); "size", else "bytes" -> bytes (default 0); the node's name -> the
 * id (graphfile.h), a "name" attribute -> the name; edge "label" -> the
 * edge's label, edge "kind" -> its kind (graphfile.h).  Other attributes,
 * subgraphs and clusters are dropped (their nodes and edges are kept).
 */
#include "loader.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

#include "graphfile.h"
#include "../lib/strings.h"

static char dot_msg[512];

static int on_error(char *msg)
{
	/* cgraph hands a message over in pieces ("Error", ": syntax error in
	 * line 1 near ';'\n"): gather them, and keep the first line. */
	size_t n = strlen(dot_msg);
	if (msg && !memchr(dot_msg, '\n', n))
		snprintf(dot_msg + n, sizeof(dot_msg) - n, "%s", msg);
	return 0;
}

struct rec {
	Agrec_t h;
	uint32_t index;
};

static const char *get(void *obj, Agsym_t *sym)
{
	return sym ? agxget(obj, sym) : NULL;
}

static int convert(Agraph_t *g, struct ct_builder *b, struct ct_error *err)
{
	struct ct_gf gf;
	uint32_t v = 0, e = 0;
	int rc;

	if ((rc = ct_gf_init(&gf, b, (uint64_t)agnnodes(g), (uint64_t)agnedges(g), err)))
		goto out;
	Agsym_t *type = agattr(g, AGNODE, "type", NULL);
	Agsym_t *label = agattr(g, AGNODE, "label", NULL);
	Agsym_t *size = agattr(g, AGNODE, "size", NULL);
	Agsym_t *bytes = agattr(g, AGNODE, "bytes", NULL);
	Agsym_t *nname = agattr(g, AGNODE, "name", NULL);
	Agsym_t *elabel = agattr(g, AGEDGE, "label", NULL);
	Agsym_t *ekind = agattr(g, AGEDGE, "kind", NULL);
	for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n), v++) {
		struct rec *r = agbindrec(n, "cycletool", sizeof(*r), false);
		if (!r) {
			rc = ct_error_nomem(err);
			goto out;
		}
		r->index = v;
		const char *name = agnameof(n);
		if ((rc = ct_gf_set_id(&gf, b, v, name, err)))
			goto out;
		const char *t = get(n, type);
		if (!t || !*t) {
			t = get(n, label);
			if (t && strcmp(t, "\\N") == 0)
				t = name;
		}
		if ((rc = ct_gf_set_type(&gf, b, v, t, err)))
			goto out;
		ct_gf_set_size_text(&gf, v, get(n, size ? size : bytes));
		if ((rc = ct_gf_set_name(&gf, b, v, get(n, nname), err)))
			goto out;
	}
	for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
		for (Agedge_t *x = agfstout(g, n); x; x = agnxtout(g, x), e++) {
			if (e >= gf.m) {
				rc = ct_error_set(err, CT_EINPUT, "cannot parse dot: edge count changed");
				goto out;
			}
			gf.from[e] = ((struct rec *)aggetrec(agtail(x), "cycletool", false))->index;
			gf.to[e] = ((struct rec *)aggetrec(aghead(x), "cycletool", false))->index;
			if ((rc = ct_gf_set_label(&gf, b, e, get(x, elabel), err)))
				goto out;
			ct_gf_set_kind_text(&gf, e, get(x, ekind));
		}
	}
	gf.m = e;
	rc = ct_gf_emit(&gf, b, err);
out:
	ct_gf_finish(&gf);
	return rc;
}

/* ---- a fast path for plain DOT ----
 *
 * cgraph keeps every node and edge in ordered sets and spends most of a
 * load comparing ids (a 50,000-node, 150,000-edge graph: 2.3 s, the same
 * as graphviz's own tools).  Most DOT files that carry object graphs are
 * plain: one graph, node statements "ID [a=b, ...]" and edge statements
 * "ID -> ID [...]", default attribute statements before them, graph
 * attributes "a=b".  Those are read here in one pass with a hash table;
 * anything else (strict, subgraphs, edge chains, ports, HTML strings, '+'
 * concatenation, line continuations, defaults after the first node or
 * edge, or any syntax error) makes this reader give up, and cgraph reads
 * the file instead, with its own messages.  Nodes come in the order they
 * are first named and edges in file order, as cgraph lists them. */

enum { A_TYPE, A_LABEL, A_SIZE, A_BYTES, A_NAME, N_NATTR };
enum { E_LABEL, E_KIND, N_EATTR };

struct fast {
	const char *p, *end;
	bool directed;
	/* strings: NUL-terminated copies; offset 0 is "no value" */
	char *str;
	size_t str_len, str_cap;
	/* nodes: name offset and attributes */
	uint32_t *node_name, *node_len, *node_hash, (*nattr)[N_NATTR];
	uint32_t n, n_cap;
	uint32_t *table;    /* hash table of node index + 1 */
	uint32_t mask;
	/* edges */
	uint32_t *from, *to, (*eattr)[N_EATTR];
	uint32_t m, m_cap;
	uint32_t ndef[N_NATTR], edef[N_EATTR];  /* defaults */
	char *tok;          /* the current token's text (unquoted) */
	size_t tok_len, tok_cap;
	char *prev;         /* the statement's first token, kept */
	size_t prev_cap;
	const char *buf;    /* the whole input */
};

enum tok { T_END, T_ID, T_QID, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_EQ, T_SEMI,
	   T_COMMA, T_ARROW, T_BAD };

/* Past the blanks and comments (what cgraph's lexer skips) from p[i]: a
 * '#' line counts only at a line's start. */
static size_t skip_blank(const char *p, size_t i, size_t len)
{
	while (i < len) {
		bool bol = i == 0 || p[i - 1] == '\n';
		char c = p[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if ((bol && p[i] == '#') || (p[i] == '/' && i + 1 < len && p[i + 1] == '/')) {
			while (i < len && p[i] != '\n')
				i++;
		} else if (p[i] == '/' && i + 1 < len && p[i + 1] == '*') {
			const char *e = memmem(p + i + 2, len - i - 2, "*/", 2);
			if (!e)
				return i;  /* unclosed: not blank */
			i = (size_t)(e - p) + 2;
		} else {
			break;
		}
	}
	return i;
}

static bool tok_add(struct fast *f, char c)
{
	if (f->tok_len + 1 >= f->tok_cap) {
		size_t cap = f->tok_cap ? 2 * f->tok_cap : 256;
		char *q = realloc(f->tok, cap);
		if (!q)
			return false;
		f->tok = q;
		f->tok_cap = cap;
	}
	f->tok[f->tok_len++] = c;
	f->tok[f->tok_len] = '\0';
	return true;
}

static bool id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

static enum tok next(struct fast *f)
{
	const char *end = f->end;
	const char *p = f->buf + skip_blank(f->buf, (size_t)(f->p - f->buf),
					    (size_t)(end - f->buf));

	if (p + 1 < end && p[0] == '/' && p[1] == '*')
		return T_BAD;  /* an unclosed comment */
	f->tok_len = 0;
	if (p == end) {
		f->p = p;
		return T_END;
	}
	char c = *p;
	enum tok t = T_BAD;
	switch (c) {
	case '{': t = T_LBRACE; p++; break;
	case '}': t = T_RBRACE; p++; break;
	case '[': t = T_LBRACK; p++; break;
	case ']': t = T_RBRACK; p++; break;
	case '=': t = T_EQ; p++; break;
	case ';': t = T_SEMI; p++; break;
	case ',': t = T_COMMA; p++; break;
	case '"':
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\')) {
				if (p[1] == '\\' && !tok_add(f, '\\'))
					return T_BAD;
				p++;
			} else if (*p == '\\' && p + 1 < end && (p[1] == '\n' || p[1] == '\r')) {
				return T_BAD;  /* a continuation: cgraph's */
			}
			if (!tok_add(f, *p))
				return T_BAD;
		}
		if (p == end)
			return T_BAD;
		p++;
		if (!tok_add(f, '\0'))
			return T_BAD;
		f->tok_len--;
		t = T_QID;
		break;
	case '-':
		if (p + 1 < end && (p[1] == '>' || p[1] == '-')) {
			if ((p[1] == '>') != f->directed)
				return T_BAD;
			t = T_ARROW;
			p += 2;
			break;
		}
		/* a negative numeral */
		/* fall through */
	default: {
		const char *s = p;
		if (c == '-')
			p++;
		while (p < end && (id_char((unsigned char)*p) || *p == '.'))
			p++;
		if (p == s)
			return T_BAD;
		/* A numeral is digits and one '.'; an identifier does not
		 * start with a digit or '.': anything else is cgraph's. */
		bool numeral = c == '-' || (*s >= '0' && *s <= '9') || *s == '.';
		int dots = 0;
		for (const char *q = s; q < p; q++) {
			if (*q == '.')
				dots++;
			else if (numeral && q != s && !(*q >= '0' && *q <= '9'))
				return T_BAD;
		}
		if ((numeral && dots > 1) || (!numeral && dots))
			return T_BAD;
		for (const char *q = s; q < p; q++)
			if (!tok_add(f, *q))
				return T_BAD;
		t = T_ID;
		break;
	}
	}
	f->p = p;
	return t;
}

static uint32_t save(struct fast *f, const char *s, size_t len)
{
	if (f->str_len + len + 1 > f->str_cap) {
		size_t cap = f->str_cap ? f->str_cap : 1 << 16;
		while (cap < f->str_len + len + 1)
			cap *= 2;
		char *q = realloc(f->str, cap);
		if (!q)
			return 0;
		f->str = q;
		f->str_cap = cap;
	}
	if (f->str_len == 0)
		f->str[f->str_len++] = '\0';  /* offset 0: none */
	if (f->str_len + len + 1 > f->str_cap || f->str_len + len >= UINT32_MAX)
		return 0;
	uint32_t at = (uint32_t)f->str_len;
	memcpy(f->str + at, s, len);
	f->str[at + len] = '\0';
	f->str_len += len + 1;
	return at;
}

/* Node names are input: keyed (strings.h), so that they cannot be chosen
 * to collide. */
static uint32_t hash(const char *s, size_t len)
{
	return (uint32_t)ct_hash_keyed_bytes(s, len);
}

static bool grow_table(struct fast *f)
{
	uint32_t cap = f->mask ? 2 * (f->mask + 1) : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return false;
	for (uint32_t v = 0; v < f->n; v++) {
		uint32_t i = f->node_hash[v] & (cap - 1);
		while (t[i])
			i = (i + 1) & (cap - 1);
		t[i] = v + 1;
	}
	free(f->table);
	f->table = t;
	f->mask = cap - 1;
	return true;
}

/* The node named by the current token, made if new; CT_NONE if no memory. */
static uint32_t node_of(struct fast *f)
{
	if (2 * (f->n + 1) > f->mask && !grow_table(f))
		return CT_NONE;
	uint32_t h = hash(f->tok, f->tok_len), i = h & f->mask;
	for (; f->table[i]; i = (i + 1) & f->mask) {
		uint32_t v = f->table[i] - 1;
		if (f->node_hash[v] == h && f->node_len[v] == f->tok_len &&
		    memcmp(f->str + f->node_name[v], f->tok, f->tok_len) == 0)
			return v;
	}
	if (f->n == f->n_cap) {
		uint32_t cap = f->n_cap ? 2 * f->n_cap : 1024;
		uint32_t *nn = realloc(f->node_name, cap * sizeof(*nn));
		if (!nn)
			return CT_NONE;
		f->node_name = nn;
		if (!(nn = realloc(f->node_len, cap * sizeof(*nn))))
			return CT_NONE;
		f->node_len = nn;
		if (!(nn = realloc(f->node_hash, cap * sizeof(*nn))))
			return CT_NONE;
		f->node_hash = nn;
		uint32_t (*na)[N_NATTR] = realloc(f->nattr, cap * sizeof(*na));
		if (!na)
			return CT_NONE;
		f->nattr = na;
		f->n_cap = cap;
	}
	uint32_t v = f->n;
	if (f->tok_len >= UINT32_MAX || !(f->node_name[v] = save(f, f->tok, f->tok_len)))
		return CT_NONE;
	f->node_len[v] = (uint32_t)f->tok_len;
	f->node_hash[v] = h;
	memcpy(f->nattr[v], f->ndef, sizeof(f->ndef));
	f->table[i] = ++f->n;
	return v;
}

static int attr_index(const char *a, bool node)
{
	static const char *const nn[N_NATTR] = {"type", "label", "size", "bytes", "name"};
	static const char *const en[N_EATTR] = {"label", "kind"};
	for (int i = 0; i < (node ? N_NATTR : N_EATTR); i++)
		if (strcmp(a, node ? nn[i] : en[i]) == 0)
			return i;
	return -1;
}

/* An attribute list "[a=b, c=d; ...] [...]" after the '[' already read,
 * into vals (N_NATTR or N_EATTR of them).  Returns the token after it, or
 * T_BAD. */
static enum tok attrs(struct fast *f, uint32_t *vals, bool node)
{
	enum tok t;
	for (;;) {
		t = next(f);
		if (t == T_RBRACK) {
			t = next(f);
			if (t != T_LBRACK)
				return t;
			continue;
		}
		if (t == T_COMMA || t == T_SEMI)
			continue;
		if (t != T_ID && t != T_QID)
			return T_BAD;
		char key[16];
		int k = f->tok_len < sizeof(key) ? (memcpy(key, f->tok, f->tok_len + 1),
						   attr_index(key, node)) : -1;
		if (next(f) != T_EQ)
			return T_BAD;  /* "a" alone means a=true: cgraph's */
		t = next(f);
		if (t != T_ID && t != T_QID)
			return T_BAD;
		if (k >= 0 && !(vals[k] = save(f, f->tok, f->tok_len)))
			return T_BAD;
	}
}

static bool add_edge(struct fast *f, uint32_t u, uint32_t v)
{
	if (f->m == f->m_cap) {
		uint32_t cap = f->m_cap ? 2 * f->m_cap : 4096;
		uint32_t *a = realloc(f->from, cap * sizeof(*a));
		if (!a)
			return false;
		f->from = a;
		if (!(a = realloc(f->to, cap * sizeof(*a))))
			return false;
		f->to = a;
		uint32_t (*ea)[N_EATTR] = realloc(f->eattr, cap * sizeof(*ea));
		if (!ea)
			return false;
		f->eattr = ea;
		f->m_cap = cap;
	}
	f->from[f->m] = u;
	f->to[f->m] = v;
	memcpy(f->eattr[f->m], f->edef, sizeof(f->edef));
	f->m++;
	return true;
}

static bool keyword(const struct fast *f, const char *k)
{
	return strcasecmp(f->tok, k) == 0;
}

/* Parse buf[0..len) into f; false: give up (cgraph reads it). */
static bool fast_parse(struct fast *f, const char *buf, size_t len)
{
	enum tok t;
	bool started = false;  /* a node or edge was met: no more defaults */

	f->p = f->buf = buf;
	f->end = buf + len;
	f->directed = true;
	t = next(f);
	if (t != T_ID)
		return false;
	if (keyword(f, "graph"))
		f->directed = false;
	else if (!keyword(f, "digraph"))
		return false;  /* strict and anything else */
	t = next(f);
	if (t == T_ID || t == T_QID)
		t = next(f);
	if (t != T_LBRACE)
		return false;
	t = next(f);
	for (;;) {
		if (t == T_RBRACE)
			break;
		if (t == T_SEMI) {
			t = next(f);
			continue;
		}
		if (t != T_ID && t != T_QID)
			return false;
		if (t == T_ID && (keyword(f, "node") || keyword(f, "edge") || keyword(f, "graph"))) {
			bool is_node = keyword(f, "node"), is_graph = keyword(f, "graph");
			if (next(f) != T_LBRACK)
				return false;
			uint32_t scratch[N_NATTR] = {0};
			if (!is_graph && started)
				return false;  /* defaults after nodes: cgraph's rules */
			t = attrs(f, is_graph ? scratch : is_node ? f->ndef : f->edef, is_node || is_graph);
			if (t == T_BAD)
				return false;
			continue;
		}
		if (t == T_ID && (keyword(f, "subgraph") || keyword(f, "strict") ||
				  keyword(f, "digraph")))
			return false;
		/* ID: "= ID" (a graph attribute), a node or an edge. */
		if (f->tok_len + 1 > f->prev_cap) {
			size_t cap = 2 * (f->tok_len + 1);
			char *q = realloc(f->prev, cap);
			if (!q)
				return false;
			f->prev = q;
			f->prev_cap = cap;
		}
		memcpy(f->prev, f->tok, f->tok_len + 1);
		size_t first_len = f->tok_len;
		t = next(f);
		if (t == T_EQ) {
			t = next(f);
			if (t != T_ID && t != T_QID)
				return false;
			t = next(f);
			continue;
		}
		/* The node, named by the kept token (the current one is the
		 * next statement's or part of this one). */
		char *swap = f->tok;
		size_t swap_len = f->tok_len, swap_cap = f->tok_cap;
		f->tok = f->prev;
		f->tok_len = first_len;
		uint32_t u = node_of(f);
		f->tok = swap;
		f->tok_len = swap_len;
		f->tok_cap = swap_cap;
		if (u == CT_NONE)
			return false;
		started = true;
		if (t == T_LBRACK) {
			t = attrs(f, f->nattr[u], true);
			if (t == T_BAD)
				return false;
			continue;
		}
		if (t != T_ARROW)
			continue;  /* a bare node; t is the next statement's */
		t = next(f);
		if (t != T_ID && t != T_QID)
			return false;
		if (keyword(f, "subgraph") && t == T_ID)
			return false;
		uint32_t v = node_of(f);
		if (v == CT_NONE || !add_edge(f, u, v))
			return false;
		t = next(f);
		if (t == T_ARROW)
			return false;  /* a chain: cgraph's */
		if (t == T_LBRACK) {
			t = attrs(f, f->eattr[f->m - 1], false);
			if (t == T_BAD)
				return false;
		}
	}
	/* Nothing but white space and comments after the closing brace. */
	return next(f) == T_END;
}

static void fast_finish(struct fast *f)
{
	free(f->str);
	free(f->node_name);
	free(f->node_len);
	free(f->node_hash);
	free(f->nattr);
	free(f->table);
	free(f->from);
	free(f->to);
	free(f->eattr);
	free(f->tok);
	free(f->prev);
}

static int fast_convert(struct fast *f, struct ct_builder *b, struct ct_error *err)
{
	struct ct_gf gf;
	int rc;

#define S(off) ((off) ? f->str + (off) : NULL)
	if ((rc = ct_gf_init(&gf, b, f->n, f->m, err)))
		goto out;
	for (uint32_t v = 0; v < f->n; v++) {
		const char *name = f->str + f->node_name[v];
		if ((rc = ct_gf_set_id(&gf, b, v, name, err)))
			goto out;
		const char *t = S(f->nattr[v][A_TYPE]);
		if (!t || !*t) {
			t = S(f->nattr[v][A_LABEL]);
			if (t && strcmp(t, "\\N") == 0)
				t = name;
		}
		if ((rc = ct_gf_set_type(&gf, b, v, t, err)))
			goto out;
		ct_gf_set_size_text(&gf, v, S(f->nattr[v][f->nattr[v][A_SIZE] ? A_SIZE : A_BYTES]));
		if ((rc = ct_gf_set_name(&gf, b, v, S(f->nattr[v][A_NAME]), err)))
			goto out;
	}
	for (uint32_t e = 0; e < f->m; e++) {
		gf.from[e] = f->from[e];
		gf.to[e] = f->to[e];
		if ((rc = ct_gf_set_label(&gf, b, e, S(f->eattr[e][E_LABEL]), err)))
			goto out;
		ct_gf_set_kind_text(&gf, e, S(f->eattr[e][E_KIND]));
	}
#undef S
	rc = ct_gf_emit(&gf, b, err);
out:
	ct_gf_finish(&gf);
	return rc;
}

/* cgraph reads through an I/O discipline: this one reads from memory (as
 * agmemread() does) so that the reader can be called again on what
 * follows the first graph. */
struct mem_chan {
	const char *p;
	size_t len, pos;
};

static int mem_read(void *chan, char *buf, int bufsize)
{
	struct mem_chan *c = chan;
	size_t n = c->len - c->pos;

	if (bufsize <= 0)
		return 0;
	if (n > (size_t)bufsize)
		n = (size_t)bufsize;
	memcpy(buf, c->p + c->pos, n);
	c->pos += n;
	return (int)n;
}

/* cgraph's lexer (flex, prefix "aag"): exported by libcgraph but not
 * declared in its headers; weak, so that a graphviz without it still
 * links. */
extern int aaglex_destroy(void) __attribute__((weak));

static Agiodisc_t mem_io;
static Agdisc_t mem_disc;

__attribute__((constructor)) static void mem_disc_init(void)
{
	mem_io = (Agiodisc_t){mem_read, AgIoDisc.putstr, AgIoDisc.flush};
	mem_disc = (Agdisc_t){&AgMemDisc, &AgIdDisc, &mem_io};
}

/* Only blanks and comments from p[i] on. */
static bool tail_is_blank(const char *p, size_t i, size_t len)
{
	return skip_blank(p, i, len) == len;
}

/* Where the first graph's text ends: just after the '}' that closes its
 * first '{', tokenised as cgraph's lexer does (quoted strings, where a
 * backslash takes the next character with it: "x\\" ends; HTML strings
 * <...>, nested; comments; '#' lines).  SIZE_MAX when it does not end. */
static size_t graph_end(const char *p, size_t len)
{
	size_t i = 0, depth = 0;

	while (i < len) {
		size_t b = skip_blank(p, i, len);
		if (b > i) {
			i = b;
			continue;
		}
		char c = p[i++];
		if (c == '"') {
			while (i < len && p[i] != '"')
				i += p[i] == '\\' && i + 1 < len ? 2 : 1;
			if (i >= len)
				return SIZE_MAX;
			i++;
		} else if (c == '<') {
			size_t nest = 1;
			while (i < len && nest)
				nest += p[i] == '<' ? 1 : p[i] == '>' ? (size_t)-1 : 0, i++;
			if (nest)
				return SIZE_MAX;
		} else if (c == '/' && i < len && p[i] == '*') {
			return SIZE_MAX;  /* an unclosed comment (skip_blank() took closed ones) */
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && depth && --depth == 0) {
			return i;
		}
	}
	return SIZE_MAX;
}

static int load(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	Agraph_t *g = NULL;
	char *buf = NULL;
	size_t len;
	int rc;

	if ((rc = ct_gf_slurp(in, "dot", &buf, &len, err)))
		return rc;
	if (strlen(buf) != len) {
		rc = ct_error_set(err, CT_EINPUT, "cannot parse dot: NUL byte at byte %zu",
				  strlen(buf));
		goto out;
	}
	struct fast f;
	memset(&f, 0, sizeof(f));
	if (fast_parse(&f, buf, len)) {
		rc = fast_convert(&f, b, err);
		fast_finish(&f);
		goto out;
	}
	fast_finish(&f);
	dot_msg[0] = '\0';
	agusererrf old = agseterrf(on_error);
	agerrlevel_t old_level = agseterr(AGERR);
	agreseterrors();
	/* cgraph is given the first graph only: its lexer is global, and text
	 * after the graph (an unclosed quote, a second graph) would stay in
	 * it for the next graph read in this process. */
	size_t end = graph_end(buf, len);
	struct mem_chan chan = {buf, end == SIZE_MAX ? len : end, 0};
	g = agread(&chan, &mem_disc);
	int errors = agerrors();
	/* After an error the lexer may be left inside a string or comment,
	 * which the next read in this process would start in: reset it. */
	if (aaglex_destroy)
		aaglex_destroy();
	agseterrf(old);
	agseterr(old_level);
	char *nl = strchr(dot_msg, '\n');
	if (nl)
		*nl = '\0';
	for (size_t n = strlen(dot_msg); n && strchr(". ", dot_msg[n - 1]);)
		dot_msg[--n] = '\0';
	/* "Error: syntax error in line 1 near ';'" -> "syntax error ..." */
	const char *msg = dot_msg;
	if (strncmp(msg, "Error: ", 7) == 0)
		msg += 7;
	if (!g || errors || dot_msg[0]) {
		rc = ct_error_set(err, CT_EINPUT, "cannot parse dot: %s",
				  msg[0] ? msg : !g ? "no graph in the input" : "syntax error");
		goto out;
	}
	if (end == SIZE_MAX) {
		/* cgraph read a graph that graph_end() saw no end of: refuse
		 * rather than trust either. */
		rc = ct_error_set(err, CT_EINPUT, "cannot parse dot: the graph has no closing '}'");
		goto out;
	}
	if (end < len && !tail_is_blank(buf, end, len)) {
		size_t line = 1;
		for (size_t i = 0; i < skip_blank(buf, end, len); i++)
			line += buf[i] == '\n';
		rc = ct_error_set(err, CT_EINPUT,
				  "cannot parse dot: text after the graph at line %zu (one graph per file)",
				  line);
		goto out;
	}
	rc = convert(g, b, err);
out:
	if (g)
		agclose(g);
	free(buf);
	return rc;
}

/* [strict] (graph|digraph) [ID] { -- after comments. */
static int probe(const char *head, size_t len)
{
	size_t i = 0;

	for (;;) {
		while (i < len && strchr(" \t\r\n", head[i]))
			i++;
		if (i + 1 < len && head[i] == '/' && head[i + 1] == '/') {
			while (i < len && head[i] != '\n')
				i++;
		} else if (i < len && head[i] == '#') {
			while (i < len && head[i] != '\n')
				i++;
		} else if (i + 1 < len && head[i] == '/' && head[i + 1] == '*') {
			const char *end = memmem(head + i + 2, len - i - 2, "*/", 2);
			if (!end)
				return 0;
			i = (size_t)(end - head) + 2;
		} else {
			break;
		}
	}
	if (len - i >= 6 && strncasecmp(head + i, "strict", 6) == 0)
		i += 6;
	while (i < len && strchr(" \t\r\n", head[i]))
		i++;
	if (len - i >= 7 && strncasecmp(head + i, "digraph", 7) == 0)
		i += 7;
	else if (len - i >= 5 && strncasecmp(head + i, "graph", 5) == 0)
		i += 5;
	else
		return 0;
	/* An id, quoted or not, then '{' (GML has '[' here). */
	while (i < len && head[i] != '{' && head[i] != '[' && head[i] != '\n')
		i++;
	while (i < len && head[i] == '\n')
		i++;
	for (; i < len; i++) {
		if (head[i] == '{')
			return 90;
		if (head[i] == '[')
			return 0;
	}
	return 0;
}

const struct ct_loader ct_loader_dot = {
	.name = "dot",
	.description = "DOT (graphviz, objgraph)",
	.probe = probe,
	.load = load,
};
