/* cycletool export: one object's graph as $ref JSON, cycles intact. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../formats/graphout.h"
#include "../formats/loader.h"
#include "../lib/export.h"
#include "../lib/present.h"
#include "../lib/report.h"
#include "../lib/select.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool export (--root=ADDR | --scc=ID | --representatives) [OPTION]... DUMP\n"
"       cycletool export --format=FORMAT [SELECTION]... DUMP\n"
"Write the graph reachable from one object of DUMP (a file, or - for standard\n"
"input) as one JSON document: each object in full where it is first met, a\n"
"{\"$ref\": ...} object wherever it is met again, so that cycles survive.\n"
"With --format, write the whole graph of DUMP, or what the selection\n"
"options choose, as a graph file for Gephi, Cytoscape, networkx or graphviz.\n"
"\n"
"Root ($ref JSON):\n"
"      --root=ID          the object with this id, as any command prints it\n"
"                         (0x7f3a5c1e40, @123 or decimal)\n"
"      --scc=ID           the first object of the representative cycle of the\n"
"                         SCC that scan numbers ID\n"
"      --representatives  one document per cycle group, in scan's order, one\n"
"                         per line (NDJSON), each rooted as --scc roots it\n"
"      --top=N            with --representatives: only the first N groups\n"
"      --full-graph       number SCCs as scan --full-graph does (components\n"
"                         over every strong reference)\n"
"\n"
"Output ($ref JSON):\n"
"      --ref-style=STYLE  jsonpath (default): {\"$ref\":\"$[\\\"key\\\"][0]\"};\n"
"                         pointer: {\"$ref\":\"#/key/0\"}; id: \"$id\" on each\n"
"                         object, {\"$ref\":\"<id>\"} afterwards\n"
"      --depth=N          cut the walk N objects below the root; a cut object\n"
"                         is {\"$cut\":true,\"$type\":...}\n"
"      --address          give each object its \"$address\"\n"
"      --follow-runtime   walk into the runtime's own objects too; by default\n"
"                         classes, modules, functions, code and builtins\n"
"                         (Python) and functions, code, system, shape and\n"
"                         synthetic objects (V8) are written without their\n"
"                         references,\n"
"                         as {\"$runtime\":true,\"$type\":...,\"$value\":NAME}\n"
"\n"
"Graph files:\n"
"      --format=FORMAT    graphml, gml, dot, pajek or edgelist (json: the\n"
"                         $ref JSON above, the default).  Nodes carry id,\n"
"                         type, name, bytes, garbage and scc (the SCC id\n"
"                         scan prints, 0 for none), edges label and kind\n"
"                         (strong, weak, internal, shortcut); Pajek keeps\n"
"                         ids and edges, an edge list \"ID ID\" lines only\n"
"Selection (graph files; none: every object and reference of DUMP):\n"
"      --top=N            the first N cycle groups, as render draws them\n"
"      --garbage, --alive only garbage or only alive groups\n"
"      --scc=ID           the SCC with this id (as scan prints it)\n"
"      --signature=SIG    the groups with this signature\n"
"      --object=ID        the neighbourhood of one object:\n"
"      --depth=N            its references up to N steps away (default 2)\n"
"      --backrefs           and its referrers too\n"
"      --path             also the path from a root to each alive SCC\n"
"      --runtime          the runtime's cycle groups too\n"
"      --full-graph       components over every strong reference\n"
"      --max-nodes=N      at most N objects (default: no cap; several groups\n"
"                         are cut at 60 objects each beyond their cycle, as\n"
"                         render cuts them)\n"
"  Only the references between the objects chosen are written.  The\n"
"  options combine as render's do (cycletool render --help).\n"
"\n"
"  -o, --output=FILE      write to FILE instead of standard output: replaced\n"
"                         whole or not at all, a symlink followed, a device\n"
"                         or FIFO written in place (cycletool(1), OUTPUT FILES)\n"
"\n"
"Input:\n"
"  -f, --input-format=NAME  input format (default: detect): python, meliae,\n"
"                         v8, refjson, hprof; graph files: dot, graphml,\n"
"                         gml, pajek, dimacs, lgl, edgelist\n"
"      --allow-dangling   count and drop references to objects not in the\n"
"                         dump instead of failing\n"
"      --max-token=SIZE   longest line (JSON lines) or string a dump may\n"
"                         hold, in bytes or with K, M, G (default 256M)\n"
"\n"
"  -h, --help             show this help and exit\n"
"\n"
"Exit status: 0 ok, 2 usage error (also: no such SCC or signature with\n"
"--format), 3 input malformed or unreadable (also: no object at ADDR, no\n"
"SCC ID), 4 out of memory or output not written.\n";

enum {
	OPT_ROOT = 256, OPT_SCC, OPT_REPS, OPT_TOP, OPT_STYLE, OPT_DEPTH, OPT_ADDRESS,
	OPT_FOLLOW_RUNTIME, OPT_FULL_GRAPH, OPT_FORMAT,
};

static const struct option longopts[] = {
	{"root", required_argument, NULL, OPT_ROOT},
	{"scc", required_argument, NULL, OPT_SCC},
	{"representatives", no_argument, NULL, OPT_REPS},
	{"top", required_argument, NULL, OPT_TOP},
	{"ref-style", required_argument, NULL, OPT_STYLE},
	{"depth", required_argument, NULL, OPT_DEPTH},
	{"address", no_argument, NULL, OPT_ADDRESS},
	{"follow-runtime", no_argument, NULL, OPT_FOLLOW_RUNTIME},
	{"full-graph", no_argument, NULL, OPT_FULL_GRAPH},
	{"format", required_argument, NULL, OPT_FORMAT},
	SELECTION_LONGOPTS,
	{"output", required_argument, NULL, 'o'},
	/* COMMON_LONGOPTS but for --format, which names the output here. */
	{"input-format", required_argument, NULL, 'f'},
	{"allow-dangling", no_argument, NULL, OPT_ALLOW_DANGLING},
	{"max-token", required_argument, NULL, OPT_MAX_TOKEN},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

enum pick { PICK_NONE, PICK_ROOT, PICK_SCC, PICK_REPS };

/* Options that belong to one mode only, for the usage error. */
enum {
	ONLY_REF_ROOT = 1 << 0, ONLY_REF_REPS = 1 << 1, ONLY_REF_STYLE = 1 << 2,
	ONLY_REF_ADDRESS = 1 << 3, ONLY_REF_FOLLOW = 1 << 4,
};

/* export --format: the whole graph, or a selection as render makes it. */
static int export_graph(const char *path, const struct common_opts *common,
			struct outfile *out, int format, struct ct_report_opts *ropts,
			struct ct_select_opts *sopts, bool select, const char *object_arg)
{
	struct ct_graph g;
	struct ct_report r;
	struct ct_selection sel;
	struct ct_error err = {0};
	int status, rc;

	memset(&g, 0, sizeof(g));
	memset(&r, 0, sizeof(r));
	memset(&sel, 0, sizeof(sel));
	if ((status = load_graph(path, common, 0, &g)))
		goto out;
	if (sopts->mode == CT_SELECT_OBJECT && ct_graph_find(&g, sopts->object) == CT_NONE) {
		say("no object %s in '%s'", object_arg, path);
		status = EXIT_INPUT;
		goto out;
	}
	if (ct_report_build(&r, &g, ropts, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	if (select) {
		if (!sopts->max_nodes)
			sopts->max_nodes = g.n_nodes ? g.n_nodes : 1;
		if (ct_select(&sel, &r, sopts, &err)) {
			status = report_error(path, &err);
			goto out;
		}
		if (sel.n == 0)
			say("nothing to export: '%s' has no %scycles (an empty graph is written)", path,
			    ropts->only == CT_ONLY_GARBAGE ? "garbage " :
			    ropts->only == CT_ONLY_ALIVE ? "alive " : "");
		if (sel.n_cut || sel.groups_left_out)
			say("export cut at %" PRIu32 " objects (--max-nodes): %" PRIu32
			    " more objects and %" PRIu32 " more groups not written", sel.max_nodes,
			    sel.n_cut, sel.groups_left_out);
	}
	rc = ct_graphout_write(out->fp, (enum ct_graphout_format)format, &r,
			       select ? &sel : NULL, &err);
	/* A write error is said once: by outfile_close() for a FILE, by
	 * main() for standard output. */
	if (rc == CT_EIO && ferror(out->fp))
		status = out->fp == stdout ? EXIT_FAILURE_ : EXIT_OK;
	else if (rc)
		status = report_error(path, &err);
out:
	ct_selection_finish(&sel);
	ct_report_finish(&r);
	ct_graph_finish(&g);
	return status;
}

int cmd_export(int argc, char **argv)
{
	struct ct_export_opts xopts = {.style = CT_REF_JSONPATH, .depth = UINT32_MAX};
	struct ct_report_opts ropts = {0};
	struct ct_select_opts sopts = {.mode = CT_SELECT_GROUPS, .depth = 2};
	enum pick pick = PICK_NONE;
	struct selection_args sel_args = {.sopts = &sopts, .max_nodes_limit = UINT32_MAX - 1};
	const char *output = NULL, *root_arg = NULL;
	struct common_opts common = COMMON_OPTS_INIT;
	unsigned long n, scc_id = 0, depth = 0;
	unsigned ref_only = 0;
	uint64_t addr = 0;
	int c, status, format = -1;
	bool top = false, have_depth = false, select = false;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
		case OPT_SCC:
		case OPT_REPS: {
			enum pick want = c == OPT_ROOT ? PICK_ROOT : c == OPT_SCC ? PICK_SCC : PICK_REPS;
			if (pick != PICK_NONE && pick != want)
				return usage_error("export",
						   "--root, --scc and --representatives exclude each other");
			pick = want;
			if (c == OPT_ROOT) {
				if (!ct_present_parse_id(optarg, &addr))
					return usage_error("export", "--root needs an object id ("
							   ID_FORMS "), not '%s'", optarg);
				root_arg = optarg;
				ref_only |= ONLY_REF_ROOT;
			} else if (c == OPT_SCC) {
				if (!parse_uint(optarg, UINT32_MAX, &scc_id) || scc_id == 0)
					return usage_error("export", "--scc needs an SCC id, not '%s'",
							   optarg);
			} else {
				ref_only |= ONLY_REF_REPS;
			}
			break;
		}
		case OPT_TOP:
			if (!parse_uint(optarg, UINT32_MAX, &n) || n == 0)
				return usage_error("export", "--top needs a positive number, not '%s'",
						   optarg);
			ropts.top = (uint32_t)n;
			top = true;
			break;
		case OPT_STYLE:
			if (strcmp(optarg, "jsonpath") == 0)
				xopts.style = CT_REF_JSONPATH;
			else if (strcmp(optarg, "pointer") == 0)
				xopts.style = CT_REF_POINTER;
			else if (strcmp(optarg, "id") == 0)
				xopts.style = CT_REF_ID;
			else
				return usage_error("export",
						   "--ref-style must be jsonpath, pointer or id, not '%s'",
						   optarg);
			ref_only |= ONLY_REF_STYLE;
			break;
		case OPT_DEPTH:
			if (!parse_uint(optarg, UINT32_MAX - 1, &depth))
				return usage_error("export", "--depth needs a number, not '%s'", optarg);
			have_depth = true;
			break;
		case OPT_ADDRESS:
			xopts.address = true;
			ref_only |= ONLY_REF_ADDRESS;
			break;
		case OPT_FOLLOW_RUNTIME:
			xopts.follow_runtime = true;
			ref_only |= ONLY_REF_FOLLOW;
			break;
		case OPT_FULL_GRAPH:
			ropts.full_graph = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0) {
				format = -1;
			} else if ((format = ct_graphout_format_from_name(optarg)) < 0) {
				char names[160] = "";
				size_t len = 0;
				for (size_t i = 0; ct_loaders[i] && len < sizeof(names); i++)
					len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
								i ? ", " : "", ct_loaders[i]->name);
				return usage_error("export", "--format names the output: graphml, gml, "
						   "dot, pajek, edgelist or json, not '%s' (the input's "
						   "format goes with -f: %s)", optarg, names);
			}
			break;
		case 'o':
			output = optarg;
			break;
		default:
			if ((status = selection_option(c, "export", &sel_args)) == OPTION_TAKEN) {
				select = true;
				break;
			}
			if (status ||
			    (status = common_option(c, "export", usage, argv, &common)) != OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (argc - optind != 1)
		return usage_error("export", argc - optind ? "give exactly one DUMP" : "no DUMP given");
	const char *path = argv[optind];
	ropts.only = (enum ct_report_only)sel_args.only;

	struct outfile out;
	if (format >= 0) {
		/* Graph files: --scc, --top and --depth choose as render's do. */
		if (ref_only & ONLY_REF_ROOT)
			return usage_error("export", "--root roots $ref JSON; with --format, "
					   "choose an object's neighbourhood with --object");
		if (ref_only)
			return usage_error("export", "--representatives, --ref-style, --address and "
					   "--follow-runtime are for $ref JSON, not --format");
		if (pick == PICK_SCC) {
			sopts.mode = CT_SELECT_SCC;
			sopts.scc_id = (uint32_t)scc_id;
			sel_args.modes++;
			select = true;
		}
		if (top) {
			sopts.groups = ropts.top;
			ropts.top = 0;
			select = true;
		}
		if (have_depth) {
			if (depth > 1000000)
				return usage_error("export", "--depth needs a number up to 1000000, "
						   "not %lu", depth);
			sopts.depth = (uint32_t)depth;
		}
		if ((status = selection_check("export", sel_args.modes, &sopts, top,
					      have_depth, sel_args.only)))
			return status;
		/* Opened first: a FILE that cannot be written fails before the load. */
		if ((status = outfile_open(&out, output)))
			return status;
		status = export_graph(path, &common, &out, format, &ropts, &sopts, select,
				      sel_args.object_arg);
		return outfile_close(&out, status);
	}
	if (select)
		return usage_error("export", "--garbage, --alive, --signature, --object, "
				   "--backrefs, --path, --runtime and --max-nodes choose what "
				   "--format writes; $ref JSON starts at --root, --scc or "
				   "--representatives");
	if (pick == PICK_NONE)
		return usage_error("export", "say what to export: --root, --scc or --representatives "
				   "(or --format to write the graph)");
	if (ropts.top && pick != PICK_REPS)
		return usage_error("export", "--top goes with --representatives");
	if (have_depth)
		xopts.depth = (uint32_t)depth;

	struct ct_graph g;
	struct ct_report r;
	struct ct_export x;
	struct ct_error err = {0};
	memset(&g, 0, sizeof(g));
	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	/* Opened first: a FILE that cannot be written fails before the load. */
	if ((status = outfile_open(&out, output)))
		return status;
	if ((status = load_graph(path, &common, 0, &g)))
		goto out;

	uint32_t root = CT_NONE;
	if (pick == PICK_ROOT) {
		root = ct_graph_find(&g, addr);
		if (root == CT_NONE) {
			say("no object %s in '%s'", root_arg, path);
			status = EXIT_INPUT;
			goto out;
		}
	} else {
		if (ct_report_build(&r, &g, &ropts, &err)) {
			status = report_error(path, &err);
			goto out;
		}
		for (uint32_t i = 0; pick == PICK_SCC && i < r.n_sccs; i++)
			if (r.sccs[i].id == scc_id)
				root = r.cyc_nodes[r.sccs[i].cycle_off];
		if (pick == PICK_SCC && root == CT_NONE) {
			say("no SCC %lu in '%s' (it has %" PRIu64 ")", scc_id, path,
			    r.summary.cyclic_sccs);
			status = EXIT_INPUT;
			goto out;
		}
	}
	if (ct_export_init(&x, &g, &xopts, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	int rc = 0;
	if (pick == PICK_REPS) {
		for (uint32_t i = 0; !rc && i < r.n_groups; i++) {
			const struct ct_report_scc *s = &r.sccs[r.groups[i].first];
			rc = ct_export_write(&x, out.fp, r.cyc_nodes[s->cycle_off], &err);
		}
	} else {
		rc = ct_export_write(&x, out.fp, root, &err);
	}
	/* A write error is said once: by outfile_close() for a FILE, by
	 * main() for standard output. */
	if (rc == CT_EIO && out.fp == stdout)
		status = EXIT_FAILURE_;
	else if (rc && rc != CT_EIO)
		status = report_error(path, &err);
out:
	status = outfile_close(&out, status);
	ct_export_finish(&x);
	ct_report_finish(&r);
	ct_graph_finish(&g);
	return status;
}
