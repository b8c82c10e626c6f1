/* cycletool scan: the cyclic strongly connected components of a dump. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/report.h"
#include "../lib/write.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool scan [OPTION]... DUMP\n"
"List the reference cycles in DUMP (a file, or - for standard input): each\n"
"cyclic strongly connected component (SCC), whether it is garbage only the\n"
"cycle collector can free or still alive (and held from where), grouped by\n"
"signature: garbage first, then alive, largest total bytes first.\n"
"\n"
"Alive cycles are found on the application's graph: the dump without the\n"
"runtime's own references (an instance's class, a function's globals, a\n"
"class's MRO; V8 maps, prototypes, code), so that the program's cycles are\n"
"not lost in the runtime's one giant component (see cycletool(1)).  Cycles\n"
"made only of runtime objects (classes, modules, functions...) are one line\n"
"in the text report.\n"
"\n"
"Selection:\n"
"      --garbage          only garbage SCCs\n"
"      --alive            only alive SCCs\n"
"      --type=TYPE        only SCCs with an object of type TYPE\n"
"      --min-size=N       only SCCs of at least N objects\n"
"      --top=N            only the first N groups\n"
"      --runtime          list the runtime's cycles too (text; JSON always\n"
"                         lists them, with \"runtime\": true)\n"
"      --full-graph       components over every strong reference, as the\n"
"                         cycle collector sees them (no application graph)\n"
"\n"
"Output:\n"
"      --json             one JSON document (summary, groups, sccs)\n"
"      --ndjson           one JSON object per SCC and line\n"
"      --members          list member addresses of each SCC, and (--json)\n"
"                         every garbage object in \"garbage\"\n"
COLOR_HELP
"\n"
"Input:\n"
INPUT_HELP
"\n"
"Checks:\n"
"      --fail-on=WHAT     exit 1 if any reported SCC is garbage (WHAT=garbage)\n"
"                         or if any SCC but the runtime's is reported\n"
"                         (WHAT=cycles)\n"
"\n"
"  -h, --help             show this help and exit\n"
"\n"
"Exit status: 0 ok, 1 --fail-on condition met, 2 usage error, 3 input\n"
"malformed or unreadable, 4 out of memory or output not written.\n";

enum {
	OPT_GARBAGE = 256, OPT_ALIVE, OPT_TYPE, OPT_MIN_SIZE, OPT_TOP, OPT_JSON, OPT_NDJSON,
	OPT_MEMBERS, OPT_FAIL_ON, OPT_RUNTIME, OPT_FULL_GRAPH,
};

static const struct option longopts[] = {
	{"garbage", no_argument, NULL, OPT_GARBAGE},
	{"alive", no_argument, NULL, OPT_ALIVE},
	{"type", required_argument, NULL, OPT_TYPE},
	{"min-size", required_argument, NULL, OPT_MIN_SIZE},
	{"top", required_argument, NULL, OPT_TOP},
	{"json", no_argument, NULL, OPT_JSON},
	{"ndjson", no_argument, NULL, OPT_NDJSON},
	{"members", no_argument, NULL, OPT_MEMBERS},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"runtime", no_argument, NULL, OPT_RUNTIME},
	{"full-graph", no_argument, NULL, OPT_FULL_GRAPH},
	COLOR_LONGOPTS,
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

enum output { OUT_TEXT, OUT_JSON, OUT_NDJSON };
enum fail_on { FAIL_NEVER, FAIL_GARBAGE, FAIL_CYCLES };

int cmd_scan(int argc, char **argv)
{
	struct ct_report_opts ropts = {0};
	struct ct_write_opts wopts = {0};
	enum output output = OUT_TEXT;
	enum fail_on fail_on = FAIL_NEVER;
	struct common_opts common = COMMON_OPTS_INIT;
	unsigned long n;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_GARBAGE:
		case OPT_ALIVE: {
			enum ct_report_only only = c == OPT_GARBAGE ? CT_ONLY_GARBAGE : CT_ONLY_ALIVE;
			if (ropts.only && ropts.only != only)
				return usage_error("scan", "--garbage and --alive exclude each other");
			ropts.only = only;
			break;
		}
		case OPT_TYPE:
			ropts.type = optarg;
			break;
		case OPT_MIN_SIZE:
			if (!parse_uint(optarg, UINT32_MAX, &n))
				return usage_error("scan", "--min-size needs a number, not '%s'", optarg);
			ropts.min_size = (uint32_t)n;
			break;
		case OPT_TOP:
			if (!parse_uint(optarg, UINT32_MAX, &n) || n == 0)
				return usage_error("scan", "--top needs a positive number, not '%s'", optarg);
			ropts.top = (uint32_t)n;
			break;
		case OPT_JSON:
		case OPT_NDJSON: {
			enum output want = c == OPT_JSON ? OUT_JSON : OUT_NDJSON;
			if (output != OUT_TEXT && output != want)
				return usage_error("scan", "--json and --ndjson exclude each other");
			output = want;
			break;
		}
		case OPT_MEMBERS:
			wopts.members = true;
			break;
		case OPT_RUNTIME:
			wopts.runtime = true;
			break;
		case OPT_FULL_GRAPH:
			ropts.full_graph = true;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "garbage") == 0)
				fail_on = FAIL_GARBAGE;
			else if (strcmp(optarg, "cycles") == 0)
				fail_on = FAIL_CYCLES;
			else
				return usage_error("scan", "--fail-on must be garbage or cycles, not '%s'",
						   optarg);
			break;
		default:
			if ((status = common_option(c, "scan", usage, argv, &common)) !=
			    OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (argc - optind != 1)
		return usage_error("scan", argc - optind ? "give exactly one DUMP" : "no DUMP given");
	const char *path = argv[optind];

	struct ct_graph g;
	struct ct_report r;
	struct ct_error err = {0};
	status = load_graph(path, &common, 0, &g);
	if (status)
		return status;
	if (ct_report_build(&r, &g, &ropts, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	wopts.name = path;
	wopts.color = output == OUT_TEXT && want_color(common.color, STDOUT_FILENO);
	int rc = output == OUT_JSON ? ct_write_json(stdout, &r, &wopts, &err) :
		 output == OUT_NDJSON ? ct_write_ndjson(stdout, &r, &wopts, &err) :
		 ct_write_text(stdout, &r, &wopts, &err);
	if (rc) {
		/* A write error on stdout is said once, by main(). */
		status = rc == CT_EIO ? EXIT_FAILURE_ : report_error("standard output", &err);
		goto out;
	}
	for (uint32_t i = 0; fail_on == FAIL_CYCLES && i < r.n_sccs; i++)
		if (!r.sccs[i].runtime)
			status = EXIT_CONDITION;
	for (uint32_t i = 0; fail_on == FAIL_GARBAGE && i < r.n_sccs; i++)
		if (r.sccs[i].garbage)
			status = EXIT_CONDITION;
out:
	ct_report_finish(&r);
	ct_graph_finish(&g);
	return status;
}
