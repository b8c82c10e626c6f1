/* Fuzz target for one loader: load from memory, analyse, free.  Any
 * crash, sanitizer report or leak is a bug.  CT_FUZZ_FORMAT names the
 * loader ("v8", "refjson"); without it every input goes through the
 * probes, which is how the Python loaders (cycletool, meliae) are fuzzed.
 *
 * Built by meson once per loader as an ordinary program whose main()
 * replays every file of a corpus directory (the 'fuzz' test suite).  With
 * -Dlibfuzzer=true (clang) it is a libFuzzer target instead:
 * tests/fuzz/run.sh SECONDS [FORMAT...] builds build-fuzz that way and
 * fuzzes each target from its corpus (tests/run: 15 s each), and
 * bench/fuzz.sh HOURS runs them all for hours.
 *
 * Whatever loads is also written by every writer (scan, top, path, the
 * $ref exporter), whose output must be strict JSON and valid UTF-8; drawn
 * by render (DOT, which graphviz must read back, and the text tree) for
 * the largest groups and for one object's neighbourhood; and summarised
 * by diff as two dumps of itself (types, cycles, survivors); and written
 * by the graph-file writers (export --format), whose output must be valid
 * UTF-8 and, for DOT, GraphML and the edge list, read back by cycletool's
 * own loaders with as many nodes and edges.
 *
 * Add any input that crashes to tests/fuzz/corpus/<format>/.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

#include "formats/graphout.h"
#include "formats/loader.h"
#include "lib/diff.h"
#include "lib/export.h"
#include "lib/json.h"
#include "lib/render.h"
#include "lib/report.h"
#include "lib/select.h"
#include "lib/utf8.h"
#include "lib/write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the replay did, for its summary line: inputs loaded, pictures
 * drawn (DOT read back), diffs made. */
static unsigned n_loaded, n_drawn, n_diffed;

/* The writers' promises on whatever the loader accepted: JSON that the
 * strict scanner reads whole (one value, or one per line), text that is
 * valid UTF-8.  A broken promise aborts, so the fuzzer reports it. */
static void check_output(const char *what, char *text, size_t n, int json)
{
	if (json) {
		struct ct_json j;
		struct ct_error err = {0};
		const char *p = text, *end = text + n;
		ct_json_init(&j);
		while (p < end) {
			const char *nl = json == 2 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
			const char *stop = nl ? nl : end;
			ct_json_reset(&j, p, (size_t)(stop - p), 1);
			if (ct_json_skip(&j, &err) || ct_json_done(&j, &err)) {
				fprintf(stderr, "%s wrote invalid JSON: %s\n", what, err.msg);
				abort();
			}
			p = nl ? nl + 1 : end;
		}
		ct_json_finish(&j);
	}
	const unsigned char *q = (const unsigned char *)text, *e = q + n;
	while (q < e) {
		unsigned cp;
		size_t k = ct_utf8_decode(q, e, &cp);
		if (!k) {
			fprintf(stderr, "%s wrote invalid UTF-8\n", what);
			abort();
		}
		q += k;
	}
	free(text);
}

/* DOT that graphviz's own reader must accept, UTF-8 text trees. */
static void check_dot(char *text, size_t n)
{
	check_output("render dot", strndup(text, n), n, 0);
	Agraph_t *a = agmemread(text);
	if (!a) {
		fprintf(stderr, "render wrote DOT that graphviz cannot read\n");
		abort();
	}
	agclose(a);
	n_drawn++;
	free(text);
}

/* render's selections: the largest groups (with root paths), and node's
 * neighbourhood with referrers; each drawn as DOT, as a text tree and by
 * type.  Selection errors (no cycles) are fine; a crash is not. */
static void render_all(const struct ct_graph *g, const struct ct_report *r, uint32_t node)
{
	struct ct_select_opts so[2] = {
		/* cut small (a long cycle drawn cut), with root paths every
		 * other input */
		{.mode = CT_SELECT_GROUPS, .path = node & 1, .runtime = node & 2,
		 .max_nodes = 3 + node % 40},
		{.mode = CT_SELECT_OBJECT, .object = ct_graph_addr(g, node), .depth = 2, .backrefs = true,
		 .max_nodes = 40},
	};
	for (size_t i = 0; i < 2; i++) {
		struct ct_selection sel;
		struct ct_error err = {0};
		if (ct_select(&sel, r, &so[i], &err))
			continue;
		for (int by_type = 0; by_type < 2; by_type++) {
			struct ct_render_opts ro = {.format = CT_RENDER_DOT, .by_type = by_type,
						    .title = "fuzz"};
			char *text;
			size_t n;
			FILE *f = open_memstream(&text, &n);
			int rc = ct_render_graphviz(f, &sel, &ro, &err);
			fclose(f);
			if (rc == 0)
				check_dot(text, n);
			else
				free(text);
			ro.format = CT_RENDER_TXT;
			f = open_memstream(&text, &n);
			(void)ct_render_tree(f, &sel, &ro, &err);
			fclose(f);
			check_output("render tree", text, n, 0);
		}
		ct_selection_finish(&sel);
	}
}

/* diff of g against itself: every object persists, nothing survives. */
static void diff_self(const struct ct_graph *g)
{
	struct ct_diff d;
	struct ct_diff_table t;
	struct ct_diff_cycles c;
	struct ct_error err = {0};

	ct_diff_init(&d);
	if (ct_diff_add(&d, g, "a", 0, &err) == 0 && ct_diff_add(&d, g, "b", CT_DIFF_LAST, &err) == 0) {
		if (d.n_clusters) {
			fprintf(stderr, "diff of a dump with itself found survivors\n");
			abort();
		}
		if (ct_diff_types(&d, &t, &err) == 0)
			ct_diff_table_finish(&t);
		if (ct_diff_cycles(&d, &c, &err) == 0)
			ct_diff_cycles_finish(&c);
		n_diffed++;
	}
	ct_diff_finish(&d);
}

/* Graph files: every format; DOT, GraphML and the edge list are read
 * back. */
static void graph_files(const struct ct_graph *g, const struct ct_report *r)
{
	static const char *const names[] = {"graphml", "gml", "dot", "pajek", "edgelist"};

	for (int k = CT_GRAPHOUT_GRAPHML; k <= CT_GRAPHOUT_EDGELIST; k++) {
		struct ct_error err = {0};
		char *text;
		size_t n;
		FILE *f = open_memstream(&text, &n);
		int rc = ct_graphout_write(f, (enum ct_graphout_format)k, r, NULL, &err);
		fclose(f);
		if (rc == 0 && (k == CT_GRAPHOUT_DOT || k == CT_GRAPHOUT_GRAPHML ||
				(k == CT_GRAPHOUT_EDGELIST && n > 0))) {
			struct ct_input in;
			struct ct_graph back;
			ct_input_init_mem(&in, text, n);
			if (ct_load(&in, names[k], 0, &back, &err) != 0) {
				fprintf(stderr, "%s export not read back: %s\n", names[k], err.msg);
				abort();
			}
			if (k != CT_GRAPHOUT_EDGELIST &&
			    (back.n_nodes != g->n_nodes || back.n_edges != g->n_edges)) {
				fprintf(stderr, "%s export read back with other counts\n", names[k]);
				abort();
			}
			ct_graph_finish(&back);
			ct_input_finish(&in);
		}
		check_output("graph export", text, n, 0);
	}
}

/* Run every writer of write.h and the $ref exporter on g. */
static void write_all(const struct ct_graph *g, const struct ct_report *r, uint32_t node)
{
	struct ct_write_opts o = {.name = "fuzz", .members = true};
	struct ct_error err = {0};
	struct ct_top t;
	struct ct_path p;
	struct ct_export x;
	char *text;
	size_t n;
	FILE *f;

#define WRITE(what, json, call) \
	do { \
		f = open_memstream(&text, &n); \
		(void)(call); \
		fclose(f); \
		check_output(what, text, n, json); \
	} while (0)
	WRITE("scan text", 0, ct_write_text(f, r, &o, &err));
	WRITE("scan json", 1, ct_write_json(f, r, &o, &err));
	WRITE("scan ndjson", 2, ct_write_ndjson(f, r, &o, &err));
	if (ct_top_build(&t, g, 20, &err) == 0) {
		WRITE("top text", 0, ct_top_write_text(f, &t, &o, &err));
		WRITE("top json", 1, ct_top_write_json(f, &t, &o, &err));
		ct_top_finish(&t);
	}
	if (ct_path_build(&p, g, node, &err) == 0) {
		WRITE("path text", 0, ct_path_write_text(f, &p, &o, &err));
		WRITE("path json", 1, ct_path_write_json(f, &p, &o, &err));
		ct_path_finish(&p);
	}
	struct ct_export_opts eo = {.style = (enum ct_ref_style)(node % 3), .depth = 64,
				    .address = node & 1};
	if (ct_export_init(&x, g, &eo, &err) == 0) {
		WRITE("export", 1, ct_export_write(&x, f, node, &err));
		ct_export_finish(&x);
	}
	render_all(g, r, node);
	/* Fuzz inputs are small; a big seed (a real dump) is left out of the
	 * whole-graph work, or the replay under a sanitizer takes minutes. */
	if (g->n_nodes <= 5000) {
		diff_self(g);
		graph_files(g, r);
	}
#undef WRITE
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_input in;
	struct ct_graph g;
	struct ct_report r;
	struct ct_error err = {0};
	/* Every other input also tolerates dangling references, so the
	 * analyses see graphs that the strict loader would refuse. */
	unsigned opts = size && (data[size - 1] & 1) ? CT_BUILD_ALLOW_DANGLING : 0;

	ct_input_init_mem(&in, (const char *)data, size);
#ifdef CT_FUZZ_FORMAT
	if (ct_load(&in, CT_FUZZ_FORMAT, opts, &g, &err) == 0) {
#else
	if (ct_load(&in, NULL, opts, &g, &err) == 0) {
#endif
		struct ct_report_opts ro = {.top = size % 3, .min_size = size % 2};
		n_loaded++;
		if (ct_report_build(&r, &g, &ro, &err) == 0) {
			if (g.n_nodes)
				write_all(&g, &r, (uint32_t)(size % g.n_nodes));
			ct_report_finish(&r);
		}
		ct_graph_finish(&g);
	} else if (err.code == 0 || err.msg[0] == '\0') {
		/* A failure must say why. */
		fprintf(stderr, "load failed without a message\n");
		abort();
	}
	ct_input_finish(&in);
	return 0;
}

#ifndef CT_FUZZ_LIBFUZZER
static int replay(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = malloc(cap);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(fp);
	/* An exact-size copy, so that reading past the end is caught. */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0, count = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			bad |= replay(argv[i]);
			count++;
			continue;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad |= replay(path);
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs: %u loaded, %u pictures drawn, %u diffs\n", count, n_loaded,
	       n_drawn, n_diffed);
	if (count == 0) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	return bad;
}
#endif
