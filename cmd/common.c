#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../formats/loader.h"
#include "../lib/present.h"
#include "../lib/report.h"
#include "../lib/select.h"
#include "commands.h"

void say(const char *fmt, ...)
{
	va_list ap;

	fputs("cycletool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fputs("cycletool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cycletool %s --help' for more information.\n", command);
	return EXIT_USAGE;
}

/* A size: digits and an optional K, M or G (powers of 1024), at most
 * 2^50 bytes. */
static bool parse_size(const char *s, uint64_t *v)
{
	unsigned long x;
	char digits[32];
	size_t n = strspn(s, "0123456789");
	unsigned shift = 0;

	if (n == 0 || n >= sizeof(digits))
		return false;
	if (s[n]) {
		const char *u = "KMG", *k = strchr(u, s[n] & ~0x20);
		if (!k || s[n + 1])
			return false;
		shift = 10 * (unsigned)(k - u + 1);
	}
	memcpy(digits, s, n);
	digits[n] = 0;
	if (!parse_uint(digits, 1ul << 50 >> shift, &x))
		return false;
	*v = (uint64_t)x << shift;
	return true;
}

static bool long_option(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-' && arg[2];
}

int common_option(int c, const char *command, const char *usage, char **argv,
		  struct common_opts *o)
{
	switch (c) {
	case 'f':
		if (!ct_loader_find(optarg)) {
			char names[128] = "";
			size_t len = 0;
			for (size_t i = 0; ct_loaders[i] && len < sizeof(names); i++)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
							i ? ", " : "", ct_loaders[i]->name);
			return usage_error(command, "unknown format '%s' (%s)", optarg, names);
		}
		o->format = optarg;
		return OPTION_TAKEN;
	case OPT_ALLOW_DANGLING:
		o->load |= CT_BUILD_ALLOW_DANGLING;
		return OPTION_TAKEN;
	case OPT_MAX_TOKEN:
		if (!parse_size(optarg, &o->max_token) || o->max_token == 0)
			return usage_error(command, "--max-token needs a size in bytes such as "
					   "1048576, 512M or 2G, not '%s'", optarg);
		return OPTION_TAKEN;
	case OPT_COLOR:
		if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
			return usage_error(command, "--color must be auto, always or never");
		o->color = optarg;
		return OPTION_TAKEN;
	case 'h':
		fputs(usage, stdout);
		return EXIT_OK;
	case ':':
		if (!long_option(argv[optind - 1]) && optopt > ' ' && optopt < 0x7f)
			return usage_error(command, "option '-%c' needs a value", optopt);
		return usage_error(command, "option '%s' needs a value", argv[optind - 1]);
	default:
		/* A short option inside a group ("-q3") leaves optind on the
		 * group, or past it once it ends: optopt names it either way. */
		if (!long_option(argv[optind - 1]) && optopt > ' ' && optopt < 0x7f)
			return usage_error(command, "unknown option '-%c'", optopt);
		return usage_error(command, "unknown option '%s'", argv[optind - 1]);
	}
}

int report_error(const char *subject, const struct ct_error *err)
{
	switch (err->code) {
	case CT_EINPUT:
		if (err->line && err->column)
			say("cannot parse '%s' at line %" PRIu64 ", column %" PRIu64 ": %s",
			    subject, err->line, err->column, err->msg);
		else if (err->line)
			say("cannot parse '%s' at line %" PRIu64 ": %s", subject, err->line,
			    err->msg);
		else
			say("cannot read '%s': %s", subject, err->msg);
		return EXIT_INPUT;
	case CT_EUSAGE:
		say("%s", err->msg);
		return EXIT_USAGE;
	case CT_ERENDER:
		say("cannot draw '%s': %s", subject, err->msg);
		return EXIT_FAILURE_;
	default:
		say("%s: %s", subject, err->msg[0] ? err->msg : "failed");
		return EXIT_FAILURE_;
	}
}

struct progress {
	const char *name;
	struct timespec start;
	bool shown;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;

	if (since(&p->start) < 1.0)
		return;
	p->shown = true;
	if (total)
		fprintf(stderr, "\rcycletool: loading '%s': %3d%% (%" PRIu64 " MB)", p->name,
			(int)(done * 100 / total), done >> 20);
	else
		fprintf(stderr, "\rcycletool: loading '%s': %" PRIu64 " MB", p->name, done >> 20);
}

int load_graph(const char *path, const struct common_opts *o, unsigned extra,
	       struct ct_graph *g)
{
	struct ct_input in;
	struct ct_error err = {0};
	struct progress prog = {.name = path};
	struct stat st;
	FILE *fp;
	int rc;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
		prog.name = "-";
	} else {
		fp = fopen(path, "rb");
		if (!fp) {
			int e = errno;
			say("cannot open '%s': %s", path, strerror(e));
			return e == ENOMEM ? EXIT_FAILURE_ : EXIT_INPUT;
		}
	}
	bool have_stat = fstat(fileno(fp), &st) == 0;
	uint64_t total = have_stat && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	if (have_stat && S_ISDIR(st.st_mode)) {
		say("cannot read '%s': is a directory", path);
		if (fp != stdin)
			fclose(fp);
		return EXIT_INPUT;
	}
	ct_input_init_file(&in, fp, total);
	in.max_token = o->max_token;
	/* CYCLETOOL_THREADS: at most this many loading threads (tests force 1). */
	const char *threads = getenv("CYCLETOOL_THREADS");
	unsigned long nthreads;
	if (threads && parse_uint(threads, 64, &nthreads))
		in.threads = (unsigned)nthreads;
	if (isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &prog.start);
		in.progress = on_progress;
		in.progress_ctx = &prog;
	}
	rc = ct_load(&in, o->format, o->load | extra, g, &err);
	if (rc == 0 || rc == CT_EINPUT) {
		/* Compressed input: damage past what the loader read (a bad
		 * checksum at the end), or what made the data it read look
		 * malformed, is the error to report.  After a loader's error
		 * only what follows closely is checked (32 MB compressed): a
		 * bad line early in a huge dump is reported without reading
		 * it all. */
		struct ct_error rest = {0};
		if (ct_input_drain(&in, rc ? 32u << 20 : 0, &rest)) {
			if (rc == 0)
				ct_graph_finish(g);
			err = rest;
			rc = rest.code;
		}
	}
	if (prog.shown)
		fputs("\r\033[K", stderr);
	ct_input_finish(&in);
	if (fp != stdin)
		fclose(fp);
	if (rc)
		return report_error(prog.name, &err);
	if (g->dangling)
		say("warning: '%s' refers to %llu objects that are not in it (dropped)", path,
		    (unsigned long long)g->dangling);
	return 0;
}

bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;  /* strtoul would take white space and a sign */
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

bool want_color(const char *when, int fd)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *term = getenv("TERM");
	return isatty(fd) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

int selection_option(int c, const char *command, struct selection_args *a)
{
	struct ct_select_opts *s = a->sopts;
	unsigned long n;

	switch (c) {
	case OPT_SEL_GARBAGE:
	case OPT_SEL_ALIVE: {
		int only = c == OPT_SEL_GARBAGE ? CT_ONLY_GARBAGE : CT_ONLY_ALIVE;
		if (a->only && a->only != only)
			return usage_error(command, "--garbage and --alive exclude each other");
		a->only = only;
		break;
	}
	case OPT_SEL_SIGNATURE:
		s->mode = CT_SELECT_SIGNATURE;
		s->signature = optarg;
		a->modes++;
		break;
	case OPT_SEL_OBJECT:
		if (!ct_present_parse_id(optarg, &s->object))
			return usage_error(command, "--object needs an object id (" ID_FORMS
					   "), not '%s'", optarg);
		s->mode = CT_SELECT_OBJECT;
		a->object_arg = optarg;
		a->modes++;
		break;
	case OPT_SEL_BACKREFS:
		s->backrefs = true;
		break;
	case OPT_SEL_PATH:
		s->path = true;
		break;
	case OPT_SEL_RUNTIME:
		s->runtime = true;
		break;
	case OPT_SEL_MAX_NODES:
		if (!parse_uint(optarg, a->max_nodes_limit, &n) || n == 0)
			return usage_error(command, "--max-nodes needs a number from 1 to %lu, "
					   "not '%s'", a->max_nodes_limit, optarg);
		s->max_nodes = (uint32_t)n;
		break;
	default:
		return 0;
	}
	return OPTION_TAKEN;
}

int selection_check(const char *command, int modes, const struct ct_select_opts *s,
		    bool top, bool depth, bool only)
{
	if (modes > 1)
		return usage_error(command, "--scc, --signature and --object exclude each other");
	/* Every option either works with the others given or is refused. */
	if (s->mode != CT_SELECT_OBJECT && s->backrefs)
		return usage_error(command, "--backrefs goes with --object");
	if (s->mode != CT_SELECT_OBJECT && depth)
		return usage_error(command, "--depth goes with --object");
	if (s->mode == CT_SELECT_OBJECT && s->path)
		return usage_error(command, "--path shows how SCCs are held; it does not go "
				   "with --object (try --backrefs)");
	if (s->mode != CT_SELECT_GROUPS && top)
		return usage_error(command, "--top chooses among groups; it does not go with "
				   "--scc, --signature or --object");
	if ((s->mode == CT_SELECT_SCC || s->mode == CT_SELECT_OBJECT) && only)
		return usage_error(command, "--garbage and --alive choose groups; they do not go "
				   "with --scc or --object");
	return 0;
}
