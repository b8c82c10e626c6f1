#!/bin/sh
# The valgrind_cli setup's wrapper (CT_WRAPPER):
#   valgrind_every.sh valgrind [VALGRIND OPTION]... CYCLETOOL [ARG]...
# runs cycletool under valgrind; with CT_VALGRIND_EVERY=K (tests/run sets
# 2, to keep CI short) only the first, (K+1)th, (2K+1)th... run of each
# test process, and the others directly.  A run under valgrind spends most
# of a second loading the shared libraries igraph and graphviz bring,
# whatever it does; the CLI tests run cycletool about 1,900 times, and the
# ASan + UBSan build runs every one of them anyway.  Which runs are
# wrapped depends only on their order in the test (counted per test
# process, in the directory CT_VALGRIND_COUNTS), so a failure comes back
# on the next run.
set -eu
every=${CT_VALGRIND_EVERY:-1}
dir=${CT_VALGRIND_COUNTS:-}
n=0
if [ "$every" -gt 1 ] && [ -n "$dir" ] && mkdir -p "$dir" 2>/dev/null; then
	# The test process: its pid and start time (field 22 of its stat,
	# after the command name in parentheses) name its counter.
	stat=$(cat "/proc/$PPID/stat" 2>/dev/null || echo)
	start=$(printf '%s\n' "${stat##*) }" | cut -d' ' -f20)
	f=$dir/$PPID.${start:-0}
	n=$(cat "$f" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$f"
fi
if [ $((n % every)) -eq 0 ]; then
	exec "$@"
fi
# Leave out valgrind and its options: the program is the first argument
# after them that is not an option.
shift
while [ $# -gt 0 ]; do
	case $1 in
	-*) shift ;;
	*) break ;;
	esac
done
exec "$@"
