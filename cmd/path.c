/* cycletool path: why is this object still alive? */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/path.h"
#include "../lib/present.h"
#include "../lib/write.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool path [OPTION]... DUMP ID\n"
"Print a chain of references from a root of DUMP (a file, or - for\n"
"standard input) to the object ID, with the label of each reference: why\n"
"the object is still alive.  ID is an object id as any command prints it:\n"
"0x7f3a5c1e40 (an address) or @123 (a V8 node id); decimal also works.\n"
"\n"
"The chain starts at a user-level root when one reaches the object: a\n"
"module or a thread's stack frame (Python), the global object (V8).  It is\n"
"the shortest such chain, with the fewest runtime-structural references\n"
"(__class__, __proto__, map, ...) among equally short ones.  When no\n"
"user-level root reaches the object, it is the shortest chain from any\n"
"root.  The last line says what kind of root the chain starts at.\n"
"\n"
"      --any-root         the shortest chain from any root (V8: often through\n"
"                         (GC roots); Python: an externally referenced object)\n"
"\n"
"Output:\n"
"      --json             one JSON document (id, reachable, root, path)\n"
INPUT_AND_HELP
"Exit status: 0 ok, 1 the object is not reachable from any root, 2 usage\n"
"error, 3 input malformed or unreadable, or no object ID in it, 4 out of\n"
"memory or output not written.\n";

enum { OPT_JSON = 256, OPT_ANY_ROOT };

static const struct option longopts[] = {
	{"any-root", no_argument, NULL, OPT_ANY_ROOT},
	{"json", no_argument, NULL, OPT_JSON},
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

int cmd_path(int argc, char **argv)
{
	struct common_opts common = COMMON_OPTS_INIT;
	bool json = false;
	enum ct_path_mode mode = CT_PATH_PREFER_USER;
	uint64_t id;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_ANY_ROOT:
			mode = CT_PATH_ANY_ROOT;
			break;
		default:
			if ((status = common_option(c, "path", usage, argv, &common)) !=
			    OPTION_TAKEN)
				return status;
			break;
		}
	}
	if (argc - optind != 2)
		return usage_error("path", argc - optind < 2 ? "give a DUMP and an ID" :
				   "give exactly one DUMP and one ID");
	const char *path = argv[optind], *ids = argv[optind + 1];
	if (!ct_present_parse_id(ids, &id))
		return usage_error("path", "ID must be an object id (" ID_FORMS "), not '%s'",
				   ids);

	struct ct_graph g;
	struct ct_path p = {0};
	struct ct_error err = {0};
	status = load_graph(path, &common, 0, &g);
	if (status)
		return status;
	uint32_t v = ct_graph_find(&g, id);
	if (v == CT_NONE) {
		say("no object %s in '%s'", ids, path);
		status = EXIT_INPUT;
		goto out;
	}
	if (ct_path_build_mode(&p, &g, v, mode, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	struct ct_write_opts wopts = {.name = path};
	int rc = json ? ct_path_write_json(stdout, &p, &wopts, &err) :
		 ct_path_write_text(stdout, &p, &wopts, &err);
	if (rc)  /* A write error on stdout is said once, by main(). */
		status = rc == CT_EIO ? EXIT_FAILURE_ : report_error("standard output", &err);
	else if (p.len == 0)
		status = EXIT_CONDITION;
out:
	ct_path_finish(&p);
	ct_graph_finish(&g);
	return status;
}
