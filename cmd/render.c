/* cycletool render: pictures of cycles through graphviz, or a text tree. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/present.h"
#include "../lib/render.h"
#include "../lib/report.h"
#include "commands.h"

static const char usage[] =
"Usage: cycletool render [OPTION]... DUMP\n"
"Draw reference cycles of DUMP (a file, or - for standard input): by\n"
"default the representative SCC of each of the largest cycle groups, one\n"
"cluster per group labelled with its signature, count and bytes.  Garbage\n"
"is red, alive green; finalizer objects are octagons, weak references\n"
"dashed; dotted edges lead to objects the node cap left out.\n"
"\n"
"Output:\n"
"  -o FILE                write to FILE; its extension picks the format\n"
"                         (.dot/.gv, .svg, .png, .txt); - is standard output\n"
"                         (DOT unless -T says otherwise).  Without -o: a text\n"
"                         tree on standard output.  A file is replaced whole\n"
"                         or not at all, a symlink followed, a device or FIFO\n"
"                         written in place (cycletool(1), OUTPUT FILES)\n"
"  -T FORMAT              dot, svg, png or txt, whatever the file name\n"
"      --max-nodes=N      draw at most N objects (default 300); what is cut\n"
"                         is said on stderr and in the picture (a longer\n"
"                         cycle is drawn cut)\n"
"      --by-type          one node per type, edges counted: the shape of a\n"
"                         big SCC at a glance (as text: a table of types\n"
"                         and one of type-to-type references)\n"
"      --layout=ENGINE    graphviz layout for svg and png: dot, neato, fdp,\n"
"                         sfdp, circo or twopi (default: dot up to 150 nodes\n"
"                         plus edges, else sfdp, which stays fast where dot\n"
"                         can take minutes; the picture's comment names\n"
"                         it).  A layout past a second says so on a\n"
"                         terminal; dot is refused past 5000 nodes plus\n"
"                         edges (exit 2)\n"
"\n"
"Selection (default: the first 5 groups in scan's order: garbage, then\n"
"alive, the runtime's cycles left out):\n"
"      --top=N            the first N groups\n"
"      --garbage          only garbage groups\n"
"      --alive            only alive groups\n"
"      --scc=ID           the SCC with this id (as scan prints it)\n"
"      --signature=SIG    the groups with this signature (as scan prints it)\n"
"      --object=ID        the neighbourhood of one object (its id as any\n"
"                         command prints it: 0x7f3a5c1e40, @123 or decimal):\n"
"      --depth=N            its references up to N steps away (default 2)\n"
"      --backrefs           and its referrers too\n"
"      --path             also draw the path from a root to each alive SCC\n"
"      --runtime          the runtime's cycle groups too (see scan --runtime)\n"
"      --full-graph       components over every strong reference (see scan\n"
"                         --full-graph; SCC ids and groups as it numbers them)\n"
"  --top goes with none of --scc, --signature and --object, --garbage and\n"
"  --alive with neither --scc nor --object; --depth and --backrefs need\n"
"  --object, --path does not take it; --layout is not for text (exit 2)\n"
INPUT_AND_HELP
"Exit status: 0 ok, 2 usage error (also: no such SCC or signature), 3 input\n"
"malformed or unreadable (also: no such object), 4 out of memory, output not\n"
"written, or graphviz could not lay out or render.\n";

enum {
	OPT_BY_TYPE = 256, OPT_TOP, OPT_SCC, OPT_DEPTH, OPT_LAYOUT, OPT_FULL_GRAPH,
};

static const struct option longopts[] = {
	{"by-type", no_argument, NULL, OPT_BY_TYPE},
	{"layout", required_argument, NULL, OPT_LAYOUT},
	{"top", required_argument, NULL, OPT_TOP},
	{"scc", required_argument, NULL, OPT_SCC},
	{"depth", required_argument, NULL, OPT_DEPTH},
	{"full-graph", no_argument, NULL, OPT_FULL_GRAPH},
	SELECTION_LONGOPTS,
	COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* Around graphviz's layout (ct_render_opts.on_layout).  Layout runs
 * inside graphviz and cannot report progress, so when standard error is
 * a terminal an alarm prints "laying out N nodes and M edges with E…"
 * once it has run for a second, and the end of layout adds how long it
 * took.  The message is made before the alarm is armed; the handler only
 * write()s it. */
static char layout_msg[192];
static size_t layout_len;
static volatile sig_atomic_t layout_shown;

static void on_alarm(int sig)
{
	(void)sig;
	ssize_t r = write(STDERR_FILENO, layout_msg, layout_len);
	(void)r;
	layout_shown = 1;
}

/* n with a comma between thousands: "12,345". */
static void thousands(uint64_t n, char buf[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n), at = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[at++] = ',';
		buf[at++] = digits[i];
	}
	buf[at] = '\0';
}

struct layout_watch {
	bool asked;                /* --layout given */
	bool armed;                /* the alarm is set */
	struct sigaction old;      /* SIGALRM's disposition before */
	struct timespec start;
};

static void on_layout(void *ctx, bool start, const char *engine, uint32_t nodes,
		      uint32_t edges)
{
	struct layout_watch *w = ctx;
	char ns[32], es[32];

	if (!start) {
		if (!w->armed)
			return;
		alarm(0);
		sigaction(SIGALRM, &w->old, NULL);
		w->armed = false;
		if (layout_shown) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			fprintf(stderr, " done in %.1f s\n", (double)(t.tv_sec - w->start.tv_sec) +
				(double)(t.tv_nsec - w->start.tv_nsec) / 1e9);
		}
		return;
	}
	thousands(nodes, ns);
	thousands(edges, es);
	if (w->asked && !strcmp(engine, "dot") && (uint64_t)nodes + edges > CT_RENDER_DOT_BUDGET)
		say("dot may take minutes on %s nodes and %s edges (over its budget of %d "
		    "nodes plus edges); --layout=sfdp would lay them out in about a second",
		    ns, es, CT_RENDER_DOT_BUDGET);
	if (!isatty(STDERR_FILENO))
		return;
	int len = snprintf(layout_msg, sizeof(layout_msg),
			   "cycletool: laying out %s nodes and %s edges with %s\xe2\x80\xa6", ns,
			   es, engine);
	layout_len = len < 0 ? 0 : (size_t)len < sizeof(layout_msg) ? (size_t)len :
		     sizeof(layout_msg) - 1;
	layout_shown = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGALRM, &sa, &w->old) != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &w->start);
	w->armed = true;
	alarm(1);
}

int cmd_render(int argc, char **argv)
{
	struct ct_select_opts sopts = {.mode = CT_SELECT_GROUPS, .depth = 2};
	struct ct_report_opts ropts = {0};
	struct layout_watch watch = {0};
	struct ct_render_opts oopts = {.on_layout = on_layout, .ctx = &watch};
	struct selection_args sel_args = {.sopts = &sopts, .max_nodes_limit = 1000000};
	const char *out_path = NULL;
	int forced = -1;
	bool top = false, depth = false;
	struct common_opts common = COMMON_OPTS_INIT;
	unsigned long n;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:T:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'T':
			forced = ct_render_format_from_name(optarg);
			if (forced < 0 || strchr(optarg, '.'))
				return usage_error("render", "-T must be dot, svg, png or txt, not '%s'",
						   optarg);
			break;
		case OPT_BY_TYPE:
			oopts.by_type = true;
			break;
		case OPT_LAYOUT: {
			static const char *const engines[] = {"dot", "neato", "fdp", "sfdp", "circo",
							      "twopi"};
			oopts.engine = NULL;
			for (size_t k = 0; k < sizeof(engines) / sizeof(engines[0]); k++)
				if (!strcmp(optarg, engines[k]))
					oopts.engine = engines[k];
			if (!oopts.engine)
				return usage_error("render", "--layout must be dot, neato, fdp, sfdp, "
						   "circo or twopi, not '%s'", optarg);
			watch.asked = true;
			break;
		}
		case OPT_TOP:
			if (!parse_uint(optarg, UINT32_MAX, &n) || n == 0)
				return usage_error("render", "--top needs a positive number, not '%s'",
						   optarg);
			sopts.groups = (uint32_t)n;
			top = true;
			break;
		case OPT_SCC:
			if (!parse_uint(optarg, UINT32_MAX, &n) || n == 0)
				return usage_error("render", "--scc needs an SCC id, not '%s'", optarg);
			sopts.mode = CT_SELECT_SCC;
			sopts.scc_id = (uint32_t)n;
			sel_args.modes++;
			break;
		case OPT_DEPTH:
			if (!parse_uint(optarg, 1000000, &n))
				return usage_error("render", "--depth needs a number from 0 to 1000000, "
						   "not '%s'", optarg);
			sopts.depth = (uint32_t)n;
			depth = true;
			break;
		case OPT_FULL_GRAPH:
			ropts.full_graph = true;
			break;
		default:
			if ((status = selection_option(c, "render", &sel_args)) == OPTION_TAKEN)
				break;
			if (status ||
			    (status = common_option(c, "render", usage, argv, &common)) != OPTION_TAKEN)
				return status;
			break;
		}
	}
	if ((status = selection_check("render", sel_args.modes, &sopts, top, depth,
				      sel_args.only)))
		return status;
	if (argc - optind != 1)
		return usage_error("render", argc - optind ? "give exactly one DUMP" : "no DUMP given");
	const char *path = argv[optind];
	ropts.only = (enum ct_report_only)sel_args.only;

	/* The format: -T, else the file's extension, else DOT for -o -, else text. */
	if (forced >= 0)
		oopts.format = (enum ct_render_format)forced;
	else if (!out_path)
		oopts.format = CT_RENDER_TXT;
	else if (!strcmp(out_path, "-"))
		oopts.format = CT_RENDER_DOT;
	else if ((forced = ct_render_format_from_name(out_path)) >= 0)
		oopts.format = (enum ct_render_format)forced;
	else
		return usage_error("render", "cannot tell the format of '%s' from its name; "
				   "use -T dot, svg, png or txt", out_path);
	if (oopts.format == CT_RENDER_TXT && watch.asked)
		return usage_error("render", "--layout is for pictures (svg, png, dot); the text "
				   "output is not laid out");
	if (oopts.format == CT_RENDER_PNG && (!out_path || !strcmp(out_path, "-")) &&
	    isatty(STDOUT_FILENO))
		return usage_error("render", "refusing to write PNG to a terminal; use -o FILE");

	struct ct_graph g;
	struct ct_report r;
	struct ct_selection sel;
	struct ct_error err = {0};
	struct outfile out;
	memset(&g, 0, sizeof(g));
	memset(&r, 0, sizeof(r));
	memset(&sel, 0, sizeof(sel));
	/* Opened first: a FILE that cannot be written fails before the load. */
	if ((status = outfile_open(&out, out_path)))
		return status;
	if ((status = load_graph(path, &common, 0, &g)))
		goto out;
	if (sopts.mode == CT_SELECT_OBJECT && ct_graph_find(&g, sopts.object) == CT_NONE) {
		say("no object %s in '%s'", sel_args.object_arg, path);
		status = EXIT_INPUT;
		goto out;
	}
	if (ct_report_build(&r, &g, &ropts, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	if (ct_select(&sel, &r, &sopts, &err)) {
		status = report_error(path, &err);
		goto out;
	}
	if (sel.n == 0) {
		say("nothing to draw: '%s' has no %scycles", path,
		    ropts.only == CT_ONLY_GARBAGE ? "garbage " :
		    ropts.only == CT_ONLY_ALIVE ? "alive " : "");
		status = EXIT_OK;
	}
	if (sel.n_cut || sel.groups_left_out)
		say("picture cut at %" PRIu32 " objects (--max-nodes): %" PRIu32
		    " more objects and %" PRIu32 " more groups not drawn", sel.max_nodes, sel.n_cut,
		    sel.groups_left_out);
	oopts.title = path;
	int rc = oopts.format == CT_RENDER_TXT ? ct_render_tree(out.fp, &sel, &oopts, &err) :
		 ct_render_graphviz(out.fp, &sel, &oopts, &err);
	/* A write error is said once: by outfile_close() for a FILE, by
	 * main() for standard output. */
	if (rc == CT_EIO && out.fp == stdout)
		status = EXIT_FAILURE_;
	else if (rc && rc != CT_EIO)
		status = report_error(path, &err);
out:
	status = outfile_close(&out, status);
	ct_selection_finish(&sel);
	ct_report_finish(&r);
	ct_graph_finish(&g);
	return status;
}
