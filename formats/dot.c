/* DOT (graphviz), through cgraph's reader.
 *
 * The input is read whole (up to CT_GRAPHFILE_MAX) and parsed with
 * agread() from memory; text after the first graph is an error.  cgraph's error reporting is redirected while it reads
 * (agseterrf()), so that a bad file is CT_EINPUT with cgraph's message
 * (which names the line), never printed.
 *
 * Nodes in the order cgraph lists them; each node's out-edges (tail ->
 * head, also in an undirected graph).  Attributes: node "type", else
 * "label" -> the type (default "node"; graphviz's "\N" means the node's
 * name); "size" -> bytes (default 0); the node's name -> the id
 * (graphfile.h); edge "label" -> the edge's label.  Other attributes,
 * subgraphs and clusters are dropped (their nodes and edges are kept).
 */
#include "loader.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

#include "graphfile.h"

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
	Agsym_t *elabel = agattr(g, AGEDGE, "label", NULL);
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
		ct_gf_set_size_text(&gf, v, get(n, size));
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
		}
	}
	gf.m = e;
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

static Agiodisc_t mem_io;
static Agdisc_t mem_disc;

__attribute__((constructor)) static void mem_disc_init(void)
{
	mem_io = (Agiodisc_t){mem_read, AgIoDisc.putstr, AgIoDisc.flush};
	mem_disc = (Agdisc_t){&AgMemDisc, &AgIdDisc, &mem_io};
}

/* Past the blanks and comments (what cgraph's lexer skips) from p[i]: a
 * '#' line counts only at a line's start. */
static size_t skip_blank(const char *p, size_t i, size_t len)
{
	while (i < len) {
		bool bol = i == 0 || p[i - 1] == '\n';
		if (strchr(" \t\r\n\f\v", p[i])) {
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
