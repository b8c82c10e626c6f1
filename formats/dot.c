/* DOT (graphviz), through cgraph's reader.
 *
 * The input is read whole (up to CT_GRAPHFILE_MAX) and parsed with
 * agmemread().  cgraph's error reporting is redirected while it reads
 * (agseterrf()), so that a bad file is CT_EINPUT with cgraph's message
 * (which names the line), never printed.
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
	g = agmemread(buf);
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
