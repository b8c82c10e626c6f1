#!/bin/sh
# The scaling curve of cycletool on adversarial dumps (issue 16): wall
# time and peak memory of a command at 1x, 2x, 4x and 8x a base size, for
# each kind of dump tests/cli/make_hostile.py writes (a chain of
# self-referring objects, a star, a chain, a ring, and a plain dump to
# compare with).  Linear work shows as time and memory doubling per row.
#
# usage: bench/scaling.sh [-s BASE] [-c 'COMMAND ARGS'] [KIND...]
#   -s BASE     objects at 1x (default 125000; -s 1250000 reaches the 10M
#               chain and ring and the star of 10M references at 8x, with
#               dumps of about 1 GB each in $TMPDIR)
#   -c COMMAND  the cycletool command (default 'scan'; e.g. 'scan --json')
#   KIND        selfloop, star, chain, ring, plain (default: all)
# Dumps are generated in a temporary folder and removed at the end.
# BUILD names the build folder (default build).
set -eu
prog=scaling.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

base=125000 cmd=scan
while [ $# -gt 0 ]; do
	case $1 in
	-s) base=${2:?-s needs a number}; shift 2 ;;
	-c) cmd=${2:?-c needs a command}; shift 2 ;;
	-h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
case $base in ''|*[!0-9]*|0) die "-s needs a positive number" ;; esac
kinds=${*:-selfloop star chain ring plain}
build_cycletool
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

printf '%-9s %5s %10s %10s %9s %10s\n' KIND SCALE OBJECTS DUMP_MB SECONDS PEAK_MB
for kind in $kinds; do
	for m in 1 2 4 8; do
		n=$((base * m))
		python3 "$top/tests/cli/make_hostile.py" "$kind" "$n" "$tmp/d.jsonl" ||
			die "make_hostile.py $kind $n failed"
		mb=$(du -m "$tmp/d.jsonl" | cut -f1)
		# shellcheck disable=SC2086  # the command's words
		timed "$tmp/t" "$ct" $cmd "$tmp/d.jsonl" >/dev/null ||
			die "cycletool $cmd failed on $kind x$m"
		read -r wall kib _ <"$tmp/t"
		printf '%-9s %4sx %10s %10s %9s %10s\n' "$kind" "$m" "$n" "$mb" "$wall" \
			"$((kib / 1024))"
		rm -f "$tmp/d.jsonl"
	done
done
