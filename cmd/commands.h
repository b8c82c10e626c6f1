/* Subcommands.
 *
 * To add one: write cmd/<name>.c defining int cmd_<name>(int argc, char
 * **argv), which parses its own options and returns the exit status;
 * declare it below; add a row to the table in cmd/main.c, keeping the
 * table sorted by name; document it in man/cycletool.1 and README.md.
 */
#ifndef CT_COMMANDS_H
#define CT_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/error.h"
#include "../lib/graph.h"

/* Exit statuses (cycletool(1), EXIT STATUS). */
enum {
	EXIT_OK = 0,
	EXIT_CONDITION = 1, /* a --fail-on condition was met */
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,     /* input malformed or unreadable */
	EXIT_FAILURE_ = 4,  /* out of memory, or output could not be written */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_diff(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_top(int argc, char **argv);

/* Shared by the subcommands (cmd/common.c). */

/* The options several commands share, as common_option() sets them. */
struct common_opts {
	const char *format;   /* -f: a loader name, NULL = detect */
	unsigned load;        /* enum ct_builder_opt bits (--allow-dangling) */
	const char *color;    /* --color: "auto", "always" or "never" */
	uint64_t max_token;   /* --max-token: bytes; 0 = CT_INPUT_MAX_TOKEN */
};

#define COMMON_OPTS_INIT {NULL, 0, "auto", 0}

/* getopt_long() codes of the shared long options (commands number their
 * own from 256). */
enum { OPT_ALLOW_DANGLING = 1000, OPT_COLOR, OPT_MAX_TOKEN };

/* Entries for a command's struct option table: the options every
 * command takes, and --color for those that print in colour. */
#define COMMON_LONGOPTS \
	{"format", required_argument, NULL, 'f'}, \
	{"allow-dangling", no_argument, NULL, OPT_ALLOW_DANGLING}, \
	{"max-token", required_argument, NULL, OPT_MAX_TOKEN}, \
	{"help", no_argument, NULL, 'h'}
#define COLOR_LONGOPTS \
	{"color", required_argument, NULL, OPT_COLOR}, \
	{"colour", required_argument, NULL, OPT_COLOR}

/* Their lines in --help, the same in every command. */
#define INPUT_HELP \
	"  -f, --format=NAME      input format (default: detect): python, meliae,\n" \
	"                         v8, refjson, hprof; graph files: dot, graphml,\n" \
	"                         gml, pajek, dimacs, lgl, edgelist\n" \
	"      --allow-dangling   count and drop references to objects not in the\n" \
	"                         dump instead of failing\n" \
	"      --max-token=SIZE   longest line (JSON lines) or string a dump may\n" \
	"                         hold, in bytes or with K, M, G (default 256M)\n"
/* The end of every command's option list: the input options and --help. */
#define INPUT_AND_HELP \
	"\n" \
	"Input:\n" \
	INPUT_HELP \
	"\n" \
	"  -h, --help             show this help and exit\n" \
	"\n"
#define COLOR_HELP \
	"      --color=WHEN       colour text output: auto (default), always, never\n"

/* common_option()'s result when it took the option and parsing goes on. */
#define OPTION_TAKEN (-1)

/* Handle c, a result of getopt_long() that is not one of the command's
 * own options: a shared option (into *o), --help (prints usage), or
 * getopt's complaint about a missing value or an unknown option.
 * Returns OPTION_TAKEN to go on, or the exit status to return now. */
int common_option(int c, const char *command, const char *usage, char **argv,
		  struct common_opts *o);

/* Print "cycletool: <message>" to stderr. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a usage error for command and return EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* getopt_long() codes and table entries of the selection options that
 * render and export (with --format) share; their --scc, --top and
 * --depth are their own (export's mean other things without --format). */
enum {
	OPT_SEL_GARBAGE = 900, OPT_SEL_ALIVE, OPT_SEL_SIGNATURE, OPT_SEL_OBJECT,
	OPT_SEL_BACKREFS, OPT_SEL_PATH, OPT_SEL_RUNTIME, OPT_SEL_MAX_NODES,
};
#define SELECTION_LONGOPTS \
	{"garbage", no_argument, NULL, OPT_SEL_GARBAGE}, \
	{"alive", no_argument, NULL, OPT_SEL_ALIVE}, \
	{"signature", required_argument, NULL, OPT_SEL_SIGNATURE}, \
	{"object", required_argument, NULL, OPT_SEL_OBJECT}, \
	{"backrefs", no_argument, NULL, OPT_SEL_BACKREFS}, \
	{"path", no_argument, NULL, OPT_SEL_PATH}, \
	{"runtime", no_argument, NULL, OPT_SEL_RUNTIME}, \
	{"max-nodes", required_argument, NULL, OPT_SEL_MAX_NODES}

/* What the selection options set. */
struct selection_args {
	struct ct_select_opts *sopts;   /* --signature, --object, --backrefs, ... */
	int only;                       /* enum ct_report_only (--garbage, --alive) */
	int modes;                      /* how many of --scc, --signature, --object */
	const char *object_arg;         /* --object's text, for messages */
	unsigned long max_nodes_limit;  /* the largest --max-nodes taken */
};

/* Handle c if it is one of SELECTION_LONGOPTS (with optarg) for command.
 * Returns OPTION_TAKEN when it was, 0 when c is not a selection option,
 * or the exit status of a usage error. */
int selection_option(int c, const char *command, struct selection_args *a);

/* render's and export's selection options: is this combination one that
 * works?  modes counts --scc, --signature and --object given; top,
 * depth and only say whether --top, --depth and --garbage/--alive were
 * given.  Returns 0, or reports the first conflict as a usage error of
 * command and returns EXIT_USAGE. */
struct ct_select_opts;
int selection_check(const char *command, int modes, const struct ct_select_opts *s,
		    bool top, bool depth, bool only);

/* Load path ("-" = stdin) into *g with o's loader (NULL = probe), builder
 * options (plus extra, enum ct_builder_opt bits) and token limit.
 * On failure prints one line naming the file and position and returns
 * the exit status; returns 0 on success, after a warning with the count
 * of references dropped under --allow-dangling, if any. */
int load_graph(const char *path, const struct common_opts *o, unsigned extra,
	       struct ct_graph *g);

/* Map a library error to an exit status, printing it about subject. */
int report_error(const char *subject, const struct ct_error *err);


/* Parse a non-negative decimal into *v; false if malformed or too big. */
bool parse_uint(const char *s, unsigned long max, unsigned long *v);

/* The forms of an object id (ct_present_parse_id()), for messages. */
#define ID_FORMS "0x7f3a5c1e40, @123 or decimal"

/* Should output to descriptor fd be coloured?  when: "auto", "always" or
 * "never". */
bool want_color(const char *when, int fd);

/* Output files (cmd/output.c).
 *
 * Every command writes standard output, or with -o the file FILE, the
 * way cp and git do:
 *   - a regular file, or a new one, is replaced atomically: written to a
 *     temporary created with O_EXCL beside it, fsync'd and renamed over
 *     it; a new file gets mode 0666 less the umask, an existing one keeps
 *     its mode (and its owner, when we may give it); one we may not
 *     write is left alone (permission denied);
 *   - a symlink is followed to its final target, which is replaced as
 *     above; the link stays (a dangling link's target is created);
 *   - a device node, FIFO or socket, or a link to one (/dev/stdout), is
 *     opened and written in place, never unlinked or replaced;
 *   - on any error only our own temporary is removed.
 * Standard output is checked once, by main() after the command returns
 * (stdout_close()): commands leave a write error on it to be said there.
 */
struct outfile {
	FILE *fp;          /* write here (stdout for "-") */
	const char *name;  /* as the user gave it, for messages (borrowed) */
	char *target;      /* the file written, symlinks followed; NULL: stdout */
	char *tmp;         /* our temporary, renamed to target; NULL: in place */
	int fd;            /* under fp; -1 for stdout */
	int error;         /* errno of the first failed write, 0 if none */
};

/* Open path for writing into *o (caller's memory): NULL or "-" is
 * standard output.  Returns 0, or EXIT_FAILURE_ after one line on stderr
 * ("cannot write 'F': Permission denied"). */
int outfile_open(struct outfile *o, const char *path);

/* Finish *o.  When status is EXIT_OK or EXIT_CONDITION the output is made
 * complete (flushed; a temporary fsync'd and renamed into place), else
 * our temporary is removed.  Returns status, or EXIT_FAILURE_ after one
 * line on stderr if writing failed.  Standard output is left to
 * stdout_close(). */
int outfile_close(struct outfile *o, int status);

/* main() only: make stdout a stream that keeps the errno of a failed
 * write, and at the end flush, check and close it (git's run_builtin):
 * returns status, or EXIT_FAILURE_ after "cannot write standard output:
 * <reason>". */
void stdout_open(void);
int stdout_close(int status);

#endif
