/* cycletool: find the reference cycles in a heap dump. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef CT_VERSION
#define CT_VERSION "unknown"
#endif

/* Sorted by name. */
static const struct command commands[] = {
	{"diff", cmd_diff, "growth across dumps of one process, per type"},
	{"export", cmd_export, "write one object's graph as JSON, cycles as $ref"},
	{"path", cmd_path, "the shortest chain of references from a root to an object"},
	{"render", cmd_render, "draw cycles with graphviz (DOT, SVG, PNG) or as a text tree"},
	{"scan", cmd_scan, "list reference cycles: garbage or alive, grouped by shape"},
	{"top", cmd_top, "list the objects that retain the most memory"},
};

static void help(FILE *out)
{
	fputs("Usage: cycletool COMMAND [OPTION]... DUMP\n"
	      "Find the reference cycles in a heap dump and say which are garbage.\n"
	      "\nCommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -h, --help     show this help and exit\n"
	      "      --version  show the version and exit\n"
	      "\n'cycletool COMMAND --help' describes a command; see also cycletool(1).\n",
	      out);
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		help(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("cycletool %s\n", CT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	say("'%s' is not a command; see 'cycletool --help'", name);
	return EXIT_USAGE;
}

/* Standard output is checked here, once, whatever the command: a full
 * disk is exit status 4 and one line on stderr (git's run_builtin). */
int main(int argc, char **argv)
{
	stdout_open();
	return stdout_close(run(argc, argv));
}
