#!/bin/sh
# A/B timing of two cycletool binaries on the same V8 heap snapshot: OLD
# and NEW run alternately (so each pair sees about the same machine load),
# then the medians of wall time, cpu time and peak RSS of each, and the
# ratios NEW/OLD (of the medians, and the median of the per-pair ratios).
#
# usage: bench/top_ab.sh [-n RUNS] [-s SCALE] [-c COMMAND] [--rebuild-snapshot] OLD NEW [SNAPSHOT]
#   OLD, NEW   the two cycletool binaries (e.g. one built from an older
#              commit in a `git worktree`)
#   SNAPSHOT   the .heapsnapshot to load; default the one bench/top_vs_memlab.sh
#              uses, bench/out/v8-sSCALE.heapsnapshot, made by
#              bench/v8_workload.js if missing or older than the workload
#   -n RUNS    runs of each binary (default 5; env RUNS)
#   -s SCALE   the workload's scale (default 1.2, ~610 MB; env SCALE)
#   -c COMMAND the cycletool command and options (default "top -n 10 --json")
#   --rebuild-snapshot   make the default snapshot again
#
# Both binaries must succeed and print the same output (a difference is
# reported, as a warning: the figures compare different work then).
# Environment: NODE (default node).
# Exit status: 0 done, 2 usage or setup error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=top_ab
runs=${RUNS:-5}
scale=${SCALE:-1.2}
command="top -n 10 --json"
rebuild=false
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-s) scale=${2:?-s needs a number}; shift 2 ;;
	-c) command=${2:?-c needs a command}; shift 2 ;;
	--rebuild-snapshot) rebuild=true; shift ;;
	-h|--help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
case $runs in ''|*[!0-9]*|0) die "-n needs a positive number" ;; esac
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: bench/top_ab.sh [options] OLD NEW [SNAPSHOT] (see --help)"
fi
old=$1 new=$2
for b in "$old" "$new"; do
	[ -x "$b" ] || die "'$b' is not an executable"
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing (./bootstrap --bench)"

out=$here/out
runs_dir=$out/runs-ab
mkdir -p "$runs_dir"

# -- the snapshot --------------------------------------------------------------
if [ $# -eq 3 ]; then
	snap=$3
	[ -s "$snap" ] || die "no snapshot '$snap'"
else
	node=${NODE:-node}
	snap=$out/v8-s$scale.heapsnapshot
	if $rebuild || [ ! -s "$snap" ] || [ "$here/v8_workload.js" -nt "$snap" ]; then
		command -v "$node" >/dev/null || die "node is missing"
		say "== making $snap (scale $scale; a few minutes)"
		rm -f "$snap.tmp"
		"$node" --expose-gc --max-old-space-size=16000 "$here/v8_workload.js" "$snap.tmp" \
			"$scale" >&2 || die "the workload failed"
		mv "$snap.tmp" "$snap"
	fi
fi
snap_bytes=$(wc -c <"$snap")

# -- the runs ------------------------------------------------------------------
errs_to_file=true
rm -f "$runs_dir/"*
load0=$(loadavg)
say "== $runs runs of each, alternating: $command $snap"
i=1
while [ "$i" -le "$runs" ]; do
	# shellcheck disable=SC2086 # the command is words
	time_run old "$i" "$old" $command "$snap"
	# shellcheck disable=SC2086
	time_run new "$i" "$new" $command "$snap"
	say "   run $i: old $(cat "$runs_dir/old.last")  new $(cat "$runs_dir/new.last")  (wall-s KiB cpu-s)"
	i=$((i + 1))
done
load1=$(loadavg)
same=yes
cmp -s "$runs_dir/old-1.json" "$runs_dir/new-1.json" || same=no
[ "$same" = yes ] || say "   warning: OLD and NEW printed different outputs (see $runs_dir/old-1.json, new-1.json)"

# -- report --------------------------------------------------------------------
# pair COLUMN: the median over the runs of NEW's figure over OLD's.
pair() {
	paste -d' ' "$runs_dir/new.times" "$runs_dir/old.times" | awk -v c="$1" '
		{ d = $(c + 3) > 0 ? $(c + 3) : 0.005; print $c / d }' | median
}
awk -v db="$snap_bytes" -v runs="$runs" -v l0="$load0" -v l1="$load1" -v same="$same" \
    -v cmd="$command" -v old="$old" -v new="$new" \
    -v os="$(times_median old 1)" -v ok="$(times_median old 2)" -v oc="$(times_median old 3)" \
    -v ns="$(times_median new 1)" -v nk="$(times_median new 2)" -v nc="$(times_median new 3)" \
    -v ps="$(pair 1)" -v pk="$(pair 2)" -v pc="$(pair 3)" '
function r(a, b) { return b > 0 ? a / b : 0 }
BEGIN {
	printf "snapshot:       %.1f MB; command: cycletool %s\n", db / 1e6, cmd
	printf "OLD:            %s\nNEW:            %s\n", old, new
	printf "load average:   %s before, %s after\n", l0, l1
	printf "medians of %d runs:   wall s    cpu s   peak RSS MB\n", runs
	printf "  OLD            %8.2f %8.2f   %10.1f\n", os, oc, ok * 1024 / 1e6
	printf "  NEW            %8.2f %8.2f   %10.1f\n", ns, nc, nk * 1024 / 1e6
	printf "NEW/OLD:        wall %.3f  cpu %.3f  peak RSS %.3f   (ratio of the medians)\n",
		r(ns, os), r(nc, oc), r(nk, ok)
	printf "                wall %.3f  cpu %.3f  peak RSS %.3f   (median of the per-pair ratios)\n",
		ps, pc, pk
	printf "same output:    %s\n", same
}'
