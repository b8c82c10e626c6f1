/* GraphML, GML, Pajek, LGL and edge lists, through igraph's readers.
 *
 * The input is read whole (up to CT_GRAPHFILE_MAX) and handed to igraph
 * through fmemopen().  igraph's error and warning handlers are replaced
 * while it reads, so that a bad file is CT_EINPUT with igraph's message
 * (which names the line when igraph knows it), never an abort.
 *
 * Attributes (igraph's C attribute handler): node "type", else "label" ->
 * the type (default "node"); "size", else "bytes" -> bytes (default 0);
 * "id", else "name" -> the id (graphfile.h), and "name" beside an "id" ->
 * the name; edge "label" -> the edge's label, edge "kind" -> its kind
 * (graphfile.h).  Other attributes are dropped.  Edges keep the direction the file
 * writes them in, even in an undirected graph.
 *
 * edgelist: one edge a line, "SOURCE TARGET" (a third column, a weight,
 * is allowed and dropped), read by igraph's NCOL reader: names may be
 * symbolic (NCOL).  lgl: igraph's LGL format ("# source" then a target a
 * line).  dimacs: igraph's DIMACS reader, the max-flow problem ("p max N
 * M", "n ID s|t", "a FROM TO CAPACITY") or the edge problem ("p edge N M",
 * "e FROM TO"), "c" lines comments; nodes keep the file's numbers (from 1)
 * as their ids, capacities are dropped.
 */
#include "loader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <igraph.h>

#include "graphfile.h"

enum which { GRAPHML, GML, PAJEK, EDGELIST, LGL, DIMACS };

/* The type of attribute a of vertices (is_vertex) or edges; -1 when
 * absent. */
static int attr_type(const igraph_t *g, bool is_vertex, const char *a)
{
	igraph_strvector_t vn, en;
	igraph_vector_int_t vt, et;
	int t = -1;

	if (igraph_strvector_init(&vn, 0) || igraph_strvector_init(&en, 0) ||
	    igraph_vector_int_init(&vt, 0) || igraph_vector_int_init(&et, 0))
		return -1;  /* (no memory: the attribute is ignored) */
	if (igraph_cattribute_list(g, NULL, NULL, &vn, &vt, &en, &et) == IGRAPH_SUCCESS) {
		igraph_strvector_t *names = is_vertex ? &vn : &en;
		igraph_vector_int_t *types = is_vertex ? &vt : &et;
		for (igraph_integer_t i = 0; i < igraph_strvector_size(names); i++)
			if (strcmp(igraph_strvector_get(names, i), a) == 0)
				t = (int)VECTOR(*types)[i];
	}
	igraph_strvector_destroy(&vn);
	igraph_strvector_destroy(&en);
	igraph_vector_int_destroy(&vt);
	igraph_vector_int_destroy(&et);
	return t;
}

/* Attribute a (of type t, attr_type()) of vertex (is_vertex) or edge i as
 * text, in tmp when numeric; NULL when absent. */
static const char *attr_text(const igraph_t *g, bool is_vertex, const char *a, int t,
			     igraph_integer_t i, char tmp[64])
{
	if (!a)
		return NULL;
	if (t == IGRAPH_ATTRIBUTE_STRING)
		return is_vertex ? VAS(g, a, i) : EAS(g, a, i);
	if (t == IGRAPH_ATTRIBUTE_NUMERIC) {
		double d = is_vertex ? VAN(g, a, i) : EAN(g, a, i);
		if (d != d)
			return NULL;
		snprintf(tmp, 64, "%.17g", d);
		return tmp;
	}
	if (t == IGRAPH_ATTRIBUTE_BOOLEAN) {
		bool x = is_vertex ? VAB(g, a, i) : EAB(g, a, i);
		return x ? "true" : "false";
	}
	return NULL;
}

static int convert(const igraph_t *ig, struct ct_builder *b, bool one_based,
		   struct ct_error *err)
{
	igraph_integer_t n = igraph_vcount(ig), m = igraph_ecount(ig);
	struct ct_gf gf;
	char tmp[64];
	int rc;

	if ((rc = ct_gf_init(&gf, b, (uint64_t)n, (uint64_t)m, err)))
		goto out;
	const char *id_a = "id", *type_a = "type", *size_a = "size", *label_a = "label";
	int id_t = attr_type(ig, true, id_a), type_t = attr_type(ig, true, type_a);
	int size_t_ = attr_type(ig, true, size_a), label_t = attr_type(ig, false, label_a);
	int name_t = -1, kind_t = attr_type(ig, false, "kind");
	if (id_t < 0)
		id_t = attr_type(ig, true, id_a = "name");
	else
		name_t = attr_type(ig, true, "name");
	if (size_t_ < 0)
		size_t_ = attr_type(ig, true, size_a = "bytes");
	if (type_t < 0)
		type_t = attr_type(ig, true, type_a = "label");
	if (id_t < 0)
		gf.numeric = false;
	if (one_based)
		gf.numeric = true;
	for (igraph_integer_t v = 0; v < n; v++) {
		if (one_based && id_t < 0) {
			snprintf(tmp, sizeof(tmp), "%" PRId64, (int64_t)v + 1);
			if ((rc = ct_gf_set_id(&gf, b, (uint32_t)v, tmp, err)))
				goto out;
		}
		if (id_t >= 0 &&
		    (rc = ct_gf_set_id(&gf, b, (uint32_t)v, attr_text(ig, true, id_a, id_t, v, tmp),
				       err)))
			goto out;
		if (type_t >= 0 &&
		    (rc = ct_gf_set_type(&gf, b, (uint32_t)v,
					 attr_text(ig, true, type_a, type_t, v, tmp), err)))
			goto out;
		if (name_t >= 0 &&
		    (rc = ct_gf_set_name(&gf, b, (uint32_t)v,
					 attr_text(ig, true, "name", name_t, v, tmp), err)))
			goto out;
		if (size_t_ >= 0)
			ct_gf_set_size_text(&gf, (uint32_t)v,
					    attr_text(ig, true, size_a, size_t_, v, tmp));
	}
	for (igraph_integer_t e = 0; e < m; e++) {
		gf.from[e] = (uint32_t)IGRAPH_FROM(ig, e);
		gf.to[e] = (uint32_t)IGRAPH_TO(ig, e);
		if (label_t >= 0 &&
		    (rc = ct_gf_set_label(&gf, b, (uint32_t)e,
					  attr_text(ig, false, label_a, label_t, e, tmp), err)))
			goto out;
		if (kind_t >= 0)
			ct_gf_set_kind_text(&gf, (uint32_t)e,
					    attr_text(ig, false, "kind", kind_t, e, tmp));
	}
	rc = ct_gf_emit(&gf, b, err);
out:
	ct_gf_finish(&gf);
	return rc;
}

/* igraph's DIMACS reader makes room for the largest node number it meets
 * (and the problem line's count) before it checks them: check first.
 * Node numbers on "n", "a" and "e" lines must be within the problem
 * line's count, and the count within 8 nodes per byte of the file (plus
 * 65536): a real problem names its nodes in its arcs. */
static int dimacs_check(const char *buf, size_t len, struct ct_error *err)
{
	unsigned long long declared = 0;
	bool have_p = false;
	uint64_t line = 0;

	for (const char *p = buf, *end = buf + len; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		char kind = p < eol ? *p : '\n';
		/* Only the line kinds DIMACS has, each letter followed by a
		 * blank: what igraph's lexer would otherwise skip or read
		 * differently never reaches it. */
		if (kind == '\r' || kind == '\n' || kind == 'c') {
			p = eol + 1;
			continue;
		}
		if (!strchr("pnae", kind) || eol - p < 2 || (p[1] != ' ' && p[1] != '\t'))
			return ct_error_at(err, CT_EINPUT, line + 1, 0,
					   "dimacs: expected a 'c', 'p', 'n', 'a' or 'e' line");
		if (kind == 'p' && !have_p) {
			char word[16];
			if (sscanf(p, "p %15s %llu", word, &declared) != 2)
				return ct_error_at(err, CT_EINPUT, line + 1, 0,
						   "dimacs: expected 'p max N M' or 'p edge N M'");
			if (declared >= CT_NONE || declared > 8 * (unsigned long long)len + 65536)
				return ct_error_at(err, CT_EINPUT, line + 1, 0,
						   "dimacs: %llu nodes for a file of %zu bytes (at most "
						   "8 a byte)", declared, len);
			have_p = true;
		} else if (have_p && (kind == 'n' || kind == 'a' || kind == 'e')) {
			/* The node numbers: one on "n", two on "a" and "e". */
			const char *q = p + 1;
			for (int k = 0; k < (kind == 'n' ? 1 : 2); k++) {
				while (q < eol && (*q == ' ' || *q == '\t'))
					q++;
				unsigned long long x = 0;
				const char *start = q;
				while (q < eol && *q >= '0' && *q <= '9' && x <= declared)
					x = x * 10 + (unsigned long long)(*q++ - '0');
				if (q == start || (q < eol && !strchr(" \t\r", *q)))
					return ct_error_at(err, CT_EINPUT, line + 1, 0,
							   "dimacs: expected a node number");
				if (x == 0)
					return ct_error_at(err, CT_EINPUT, line + 1, 0,
							   "dimacs: node numbers start at 1");
				if (x > declared)
					return ct_error_at(err, CT_EINPUT, line + 1, 0,
							   "dimacs: a node past the problem line's %llu",
							   declared);
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int load(struct ct_input *in, struct ct_builder *b, struct ct_error *err, enum which w,
		const char *name)
{
	struct ct_gf_igraph guard;
	igraph_t ig;
	bool have = false;
	char *buf = NULL;
	size_t len;
	FILE *fp = NULL;
	int rc, irc;

	if ((rc = ct_gf_slurp(in, name, &buf, &len, err)))
		return rc;
	if (len == 0) {
		/* fmemopen() refuses an empty buffer; no format is empty. */
		rc = ct_error_set(err, CT_EINPUT, "cannot parse %s: empty input", name);
		goto out;
	}
	if (!(fp = fmemopen(buf, len, "r"))) {
		rc = ct_error_nomem(err);
		goto out;
	}
	if (w == DIMACS && (rc = dimacs_check(buf, len, err)))
		goto out;
	ct_gf_igraph_enter(&guard);
	switch (w) {
	case GRAPHML:
		irc = igraph_read_graph_graphml(&ig, fp, 0);
		break;
	case GML:
		irc = igraph_read_graph_gml(&ig, fp);
		break;
	case PAJEK:
		irc = igraph_read_graph_pajek(&ig, fp);
		break;
	case EDGELIST:
		irc = igraph_read_graph_ncol(&ig, fp, NULL, true, IGRAPH_ADD_WEIGHTS_NO, true);
		break;
	case DIMACS: {
		igraph_strvector_t problem;
		igraph_vector_int_t label;
		igraph_vector_t capacity;
		igraph_integer_t source, target;
		if ((irc = igraph_strvector_init(&problem, 0)))
			break;
		if ((irc = igraph_vector_int_init(&label, 0))) {
			igraph_strvector_destroy(&problem);
			break;
		}
		if ((irc = igraph_vector_init(&capacity, 0)) == IGRAPH_SUCCESS) {
			irc = igraph_read_graph_dimacs_flow(&ig, fp, &problem, &label, &source, &target,
							    &capacity, true);
			igraph_vector_destroy(&capacity);
		}
		igraph_vector_int_destroy(&label);
		igraph_strvector_destroy(&problem);
		break;
	}
	default:
		irc = igraph_read_graph_lgl(&ig, fp, true, IGRAPH_ADD_WEIGHTS_NO, true);
		break;
	}
	const char *msg = ct_gf_igraph_leave(&guard, irc);
	if (irc != IGRAPH_SUCCESS) {
		if (irc == IGRAPH_ENOMEM)
			rc = ct_error_nomem(err);
		else
			rc = ct_error_set(err, CT_EINPUT, "cannot parse %s: %s", name, msg);
		goto out;
	}
	have = true;
	rc = convert(&ig, b, w == DIMACS, err);
out:
	if (have)
		igraph_destroy(&ig);
	if (fp)
		fclose(fp);
	free(buf);
	return rc;
}

/* ---- probes ---- */

static bool has(const char *head, size_t len, const char *s)
{
	return memmem(head, len, s, strlen(s)) != NULL;
}

/* Skip white space and lines starting with one of the comment characters. */
static size_t skip(const char *head, size_t len, size_t i, const char *comment)
{
	while (i < len) {
		if (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n') {
			i++;
		} else if (comment && strchr(comment, head[i])) {
			while (i < len && head[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	return i;
}

static bool word_at(const char *head, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);

	return len - i >= n && strncasecmp(head + i, w, n) == 0;
}

static int probe_graphml(const char *head, size_t len)
{
	return has(head, len, "<graphml") ? 100 : 0;
}

static int probe_gml(const char *head, size_t len)
{
	size_t i = skip(head, len, 0, "#");

	/* Top-level keys before "graph [", e.g. networkx's none, igraph's
	 * "Creator "..."". */
	for (int k = 0; k < 8 && i < len; k++) {
		if (word_at(head, len, i, "graph")) {
			size_t j = skip(head, len, i + 5, NULL);
			return j < len && head[j] == '[' ? 90 : 0;
		}
		if (!((head[i] >= 'a' && head[i] <= 'z') || (head[i] >= 'A' && head[i] <= 'Z')))
			return 0;
		while (i < len && head[i] != '\n')
			i++;
		i = skip(head, len, i, "#");
	}
	return 0;
}

static int probe_pajek(const char *head, size_t len)
{
	size_t i = skip(head, len, 0, "%");

	if (word_at(head, len, i, "*vertices") || word_at(head, len, i, "*network") ||
	    word_at(head, len, i, "*arcs") || word_at(head, len, i, "*edges"))
		return 100;
	return 0;
}

/* Lines of two or three fields (the last line may be cut off). */
static int probe_edgelist(const char *head, size_t len)
{
	size_t i = 0, lines = 0;

	while (i < len) {
		size_t end = i;
		while (end < len && head[end] != '\n')
			end++;
		if (end == len && len == CT_PROBE_BYTES)
			break;
		int fields = 0;
		for (size_t j = i; j < end;) {
			while (j < end && (head[j] == ' ' || head[j] == '\t' || head[j] == '\r'))
				j++;
			if (j == end)
				break;
			fields++;
			for (; j < end && head[j] != ' ' && head[j] != '\t' && head[j] != '\r'; j++)
				if (strchr("{}[]<>\"#*;=", head[j]) || (unsigned char)head[j] < 0x20)
					return 0;
		}
		if (fields != 0 && fields != 2 && fields != 3)
			return 0;
		lines += fields != 0;
		i = end + 1;
	}
	return lines ? 20 : 0;
}

static int probe_lgl(const char *head, size_t len)
{
	size_t i = 0;

	while (i < len && (head[i] == ' ' || head[i] == '\t'))
		i++;
	return i + 1 < len && head[i] == '#' && head[i + 1] == ' ' && probe_edgelist(head, 0) == 0
		       ? 30 : 0;
}

/* "p " after "c" comment lines and blank lines. */
static int probe_dimacs(const char *head, size_t len)
{
	size_t i = 0;

	for (;;) {
		while (i < len && strchr(" \t\r\n", head[i]))
			i++;
		if (i < len && head[i] == 'c' && (i + 1 == len || strchr(" \t\r\n", head[i + 1]))) {
			while (i < len && head[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	if (len - i < 2 || head[i] != 'p' || (head[i + 1] != ' ' && head[i + 1] != '\t'))
		return 0;
	for (i += 2; i < len && (head[i] == ' ' || head[i] == '\t'); i++)
		;
	return word_at(head, len, i, "max") || word_at(head, len, i, "edge") ? 100 : 40;
}

static int load_dimacs(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, DIMACS, "dimacs");
}

static int load_graphml(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, GRAPHML, "graphml");
}

static int load_gml(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, GML, "gml");
}

static int load_pajek(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, PAJEK, "pajek");
}

static int load_edgelist(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, EDGELIST, "edgelist");
}

static int load_lgl(struct ct_input *in, struct ct_builder *b, struct ct_error *err)
{
	return load(in, b, err, LGL, "lgl");
}

const struct ct_loader ct_loader_graphml = {
	.name = "graphml",
	.description = "GraphML (networkx, Gephi, Cytoscape, igraph)",
	.probe = probe_graphml,
	.load = load_graphml,
};

const struct ct_loader ct_loader_gml = {
	.name = "gml",
	.description = "GML (graph [ node [ id 1 ] edge [ source 1 target 2 ] ])",
	.probe = probe_gml,
	.load = load_gml,
};

const struct ct_loader ct_loader_pajek = {
	.name = "pajek",
	.description = "Pajek .net (*Vertices, *Arcs)",
	.probe = probe_pajek,
	.load = load_pajek,
};

const struct ct_loader ct_loader_lgl = {
	.name = "lgl",
	.description = "LGL (\"# source\" then one target a line)",
	.probe = probe_lgl,
	.load = load_lgl,
};

const struct ct_loader ct_loader_edgelist = {
	.name = "edgelist",
	.description = "edge list: \"SOURCE TARGET\" a line (NCOL; a weight column is dropped)",
	.probe = probe_edgelist,
	.load = load_edgelist,
};

const struct ct_loader ct_loader_dimacs = {
	.name = "dimacs",
	.description = "DIMACS (\"p max N M\" then \"a FROM TO CAP\", or \"p edge\" and \"e\")",
	.probe = probe_dimacs,
	.load = load_dimacs,
};
