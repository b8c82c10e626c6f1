/* cycletool export: one object's graph as $ref JSON, cycles intact. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/export.h"
#include "../lib/present.h"
#include "../lib/report.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool export (--root=ADDR | --scc=ID | --representatives) [OPTION]... DUMP\n"
"Write the graph reachable from one object of DUMP (a file, or - for standard\n"
"input) as one JSON document: each object in full where it is first met, a\n"
"{\"$ref\": ...} object wherever it is met again, so that cycles survive.\n"
"\n"
"Root:\n"
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
"Output:\n"
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
"  -o, --output=FILE      write to FILE instead of standard output: replaced\n"
"                         whole or not at all, a symlink followed, a device\n"
"                         or FIFO written in place (cycletool(1), OUTPUT FILES)\n"
"\n"
"Input:\n"
INPUT_HELP
"\n"
"  -h, --help             show this help and exit\n"
"\n"
"Exit status: 0 ok, 2 usage error, 3 input malformed or unreadable (also: no\n"
"object at ADDR, no SCC ID), 4 out of memory or output not written.\n";

enum {
	OPT_ROOT = 256, OPT_SCC, OPT_REPS, OPT_TOP, OPT_STYLE, OPT_DEPTH, OPT_ADDRESS,
	OPT_FOLLOW_RUNTIME, OPT_FULL_GRAPH,
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
	{"output", required_argument, NULL, 'o'},
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

enum pick { PICK_NONE, PICK_ROOT, PICK_SCC, PICK_REPS };

int cmd_export(int argc, char **argv)
{
	struct ct_export_opts xopts = {.style = CT_REF_JSONPATH, .depth = UINT32_MAX};
	struct ct_report_opts ropts = {0};
	enum pick pick = PICK_NONE;
	const char *output = NULL, *root_arg = NULL;
	struct common_opts common = COMMON_OPTS_INIT;
	unsigned long n, scc_id = 0;
	uint64_t addr = 0;
	int c, status;

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
			} else if (c == OPT_SCC) {
				if (!parse_uint(optarg, UINT32_MAX, &scc_id) || scc_id == 0)
					return usage_error("export", "--scc needs an SCC id, not '%s'",
							   optarg);
			}
			break;
		}
		case OPT_TOP:
			if (!parse_uint(optarg, UINT32_MAX, &n) || n == 0)
				return usage_error("export", "--top needs a positive number, not '%s'",
						   optarg);
			ropts.top = (uint32_t)n;
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
			break;
		case OPT_DEPTH:
			if (!parse_uint(optarg, UINT32_MAX - 1, &n))
				return usage_error("export", "--depth needs a number, not '%s'", optarg);
			xopts.depth = (uint32_t)n;
			break;
		case OPT_ADDRESS:
			xopts.address = true;
			break;
		case OPT_FOLLOW_RUNTIME:
			xopts.follow_runtime = true;
			break;
		case OPT_FULL_GRAPH:
			ropts.full_graph = true;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			if ((status = common_option(c, "export", usage, argv, &common)) !=
			    OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (pick == PICK_NONE)
		return usage_error("export", "say what to export: --root, --scc or --representatives");
	if (ropts.top && pick != PICK_REPS)
		return usage_error("export", "--top goes with --representatives");
	if (argc - optind != 1)
		return usage_error("export", argc - optind ? "give exactly one DUMP" : "no DUMP given");
	const char *path = argv[optind];

	struct ct_graph g;
	struct ct_report r;
	struct ct_export x;
	struct ct_error err = {0};
	struct outfile out;
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
