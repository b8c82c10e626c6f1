/* cycletool top: the largest retainers, by retained size. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/top.h"
#include "../lib/write.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool top [OPTION]... DUMP\n"
"List the objects of DUMP (a file, or - for standard input) that retain the\n"
"most memory: for each, the bytes and objects that would be freed if it\n"
"went (its retained size: itself and everything it dominates, that is\n"
"everything reachable from the roots only through it), largest first.\n"
"The last column is the object's name or, if it has none, what holds it:\n"
"the reference to it from its dominator (or another referrer), followed up\n"
"through unnamed containers to a named holder: 'module(app) .REGISTRY',\n"
"'(closure)(start) .context.cache', or for a V8 global just 'sessions'; a\n"
"root nothing refers to, its kind when the dump says it: 'root: system\n"
"class' (Java).\n"
"\n"
"Output:\n"
"  -n, --top=N            list N objects (default 20), or all there are if\n"
"                         fewer; for V8, as memlab does, the largest\n"
"                         max(N, 50) are ranked and a ranked object whose\n"
"                         retained size exceeds its ranked dominated\n"
"                         children's by under 500,000 bytes is folded away\n"
"                         (not shown, not counted); if fewer than N remain,\n"
"                         twice as many are ranked and folded again\n"
"      --json             one JSON document (summary, objects)\n"
COLOR_HELP
INPUT_AND_HELP
"Exit status: 0 ok, 2 usage error, 3 input malformed or unreadable, 4 out\n"
"of memory or output not written.\n";

enum { OPT_JSON = 256 };

static const struct option longopts[] = {
	{"top", required_argument, NULL, 'n'},
	{"json", no_argument, NULL, OPT_JSON},
	COLOR_LONGOPTS,
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

int cmd_top(int argc, char **argv)
{
	struct common_opts common = COMMON_OPTS_INIT;
	unsigned long max = 20;
	bool json = false;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_uint(optarg, UINT32_MAX, &max) || max == 0)
				return usage_error("top", "-n needs a positive number, not '%s'", optarg);
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			if ((status = common_option(c, "top", usage, argv, &common)) !=
			    OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (argc - optind != 1)
		return usage_error("top", argc - optind ? "give exactly one DUMP" : "no DUMP given");
	const char *path = argv[optind];

	struct ct_graph g;
	struct ct_top t;
	struct ct_error err = {0};
	/* The labels make the held-by text (lib/top.h); packed (a byte per
	 * reference, not four) before the dominator tree takes its memory. */
	status = load_graph(path, &common, CT_BUILD_DOMINATORS, &g);
	if (status)
		return status;
	memset(&t, 0, sizeof(t));
	if (ct_graph_pack_labels(&g, &err) || ct_top_build(&t, &g, (uint32_t)max, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	struct ct_write_opts wopts = {
		.name = path,
		.color = !json && want_color(common.color, STDOUT_FILENO),
	};
	int rc = json ? ct_top_write_json(stdout, &t, &wopts, &err) :
		 ct_top_write_text(stdout, &t, &wopts, &err);
	if (rc)  /* A write error on stdout is said once, by main(). */
		status = rc == CT_EIO ? EXIT_FAILURE_ : report_error("standard output", &err);
out:
	ct_top_finish(&t);
	ct_graph_finish(&g);
	return status;
}
