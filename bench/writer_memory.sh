#!/bin/sh
# Peak memory and time of the JSON writers on long outputs: `path --json`
# to the end of a chain of N objects, `scan --json` of a ring of N objects
# (one SCC whose cycle and member list are N long) and `scan --json` of N/2
# two-object garbage cycles (many small components), for this tree's
# cycletool and a base commit's (default 63e9e43, the last one whose writers
# built a cJSON tree), in the same run, alternating.  Output goes to
# /dev/null; the dumps are made by bench/make_chain_dump.py.
#
# usage: bench/writer_memory.sh [-n RUNS] [-s N] [-b COMMIT]
#        (defaults: 3 runs, N = 10000000, COMMIT = 63e9e43)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prog=writer_memory
. "$here/lib.sh"
top=$(dirname "$here")
runs=3 n=10000000 base=63e9e43
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-s) n=${2:?-s needs a number}; shift 2 ;;
	-b) base=${2:?-b needs a commit}; shift 2 ;;
	-h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
"$top/bootstrap" --build --bench
new=$top/build/cycletool
out=$here/out
mkdir -p "$out"
# The base commit, built once in its own worktree.
bdir=$out/base-$base
if [ ! -x "$bdir/build/cycletool" ]; then
	[ -d "$bdir" ] || git -C "$top" worktree add --detach "$bdir" "$base" >/dev/null 2>&1 ||
		die "cannot check out $base"
	(cd "$bdir" && meson setup build >/dev/null && meson compile -C build >/dev/null) ||
		die "cannot build $base"
fi
old=$bdir/build/cycletool
chain=$out/chain-$n.jsonl ring=$out/ring-$n.jsonl
[ -f "$chain" ] || python3 "$here/make_chain_dump.py" chain "$n" "$chain"
[ -f "$ring" ] || python3 "$here/make_chain_dump.py" ring "$n" "$ring"
pairs=$out/pairs-$n.jsonl
[ -f "$pairs" ] || python3 "$here/make_chain_dump.py" pairs "$n" "$pairs"
last=$(printf '0x%x' $((0x100000 + 16 * (n - 1))))

# one LABEL EXE ARGS...: a timed run, its figures appended to LABEL.times.
one() {
	label=$1; shift
	timed "$out/t" "$@" > /dev/null || die "$label failed"
	cut -d' ' -f1,2 "$out/t" >> "$out/$label.times"
}
for w in path scan many; do for v in old new; do : > "$out/$w-$v.times"; done; done
say "writer_memory: $runs runs, N = $n, load $(loadavg)"
for i in $(seq "$runs"); do
	one path-old "$old" path --json "$chain" "$last"
	one path-new "$new" path --json "$chain" "$last"
	one scan-old "$old" scan --json --members "$ring"
	one scan-new "$new" scan --json --members "$ring"
	one many-old "$old" scan --json "$pairs"
	one many-new "$new" scan --json "$pairs"
done
col() { cut -d' ' -f"$2" "$out/$1.times" | median; }
echo "path: path --json to the chain's end; scan: scan --json --members of the ring;"
echo "many: scan --json of the pairs"
printf '%-22s %10s %12s\n' "median of $runs" "seconds" "peak MB"
for w in path scan many; do
	for v in old new; do
		printf '%-22s %10s %12.1f\n' "$w ($v)" "$(col "$w-$v" 1)" \
			"$(awk "BEGIN { print $(col "$w-$v" 2) / 1024 }")"
	done
	printf '%-22s %10.2f %12.2f\n' "  old/new" \
		"$(awk "BEGIN { print $(col "$w-old" 1) / $(col "$w-new" 1) }")" \
		"$(awk "BEGIN { print $(col "$w-old" 2) / $(col "$w-new" 2) }")"
done
