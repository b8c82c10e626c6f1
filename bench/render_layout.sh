#!/bin/sh
# Time `cycletool render` to SVG with --layout=dot, with --layout=sfdp and
# with the default (the engine chosen by the layout budget, lib/render.h),
# on the same selections of real and constructed dumps of growing size and
# edge density:
#   - owner rings (bench/make_owner_ring_dump.py): one ring whose every
#     object refers back to the first, dot's worst shape;
#   - minidom garbage (bench/minidom_garbage.py, 50 items parsed 4 times
#     and dropped) drawn with --garbage --top 2 at growing --max-nodes;
#   - the bundled testdata: minidom, pool, and the V8 snapshot.
# Each run is cut at CAP seconds (default 60), shown as ">CAP".  Columns:
# nodes and edges laid out (stubs included), the seconds of each engine,
# and the engine the default chose.
#
# usage: bench/render_layout.sh [-c CAP]
# Exit status: 0 the default was never slower than 2 s, 1 it was, 2 setup error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prog=render_layout
. "$here/lib.sh"
top=$(dirname "$here")
cap=60
case ${1-} in
-c) cap=${2:?-c needs a number of seconds} ;;
-h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') ;;
*) echo "render_layout: unknown argument '$1'" >&2; exit 2 ;;
esac
build_cycletool
out=$here/out/layout
mkdir -p "$out"
for n in 30 50 60 70 80 100; do
	[ -f "$out/ring$n.jsonl" ] || python3 "$here/make_owner_ring_dump.py" "$n" "$out/ring$n.jsonl"
done
[ -f "$out/minidom.jsonl" ] ||
	PYTHONPATH=$top/formats/python python3 "$here/minidom_garbage.py" "$out/minidom.jsonl" 50 4
[ -f "$out/v8.heapsnapshot" ] || gzip -dc "$top/testdata/v8/cycles.heapsnapshot.gz" > "$out/v8.heapsnapshot"

# seconds ARGS...: the wall time of one render to SVG, or ">CAP".
seconds() {
	if timed "$out/t" timeout "$cap" "$ct" render "$@" -o "$out/x.svg" 2>/dev/null; then
		cut -d' ' -f1 "$out/t"
	else
		echo ">$cap"
	fi
}

slow=0
printf 'load average: %s\n' "$(loadavg)"
printf '%-44s %6s %6s %9s %9s %9s  %s\n' case nodes edges dot sfdp default chose
row() {
	name=$1
	shift
	# The graph's size and the engine chosen, from the DOT's comment.
	comment=$("$ct" render "$@" -o - 2>/dev/null | sed -n 's/.*comment="\([^"]*\)".*/\1/p')
	engine=$(printf '%s\n' "$comment" | sed -n 's/^layout: \([a-z]*\),.*/\1/p')
	size=$(printf '%s\n' "$comment" | sed -n 's/.*chosen: \([0-9]*\) nodes.*/\1/p')
	nodes=$("$ct" render "$@" -o - 2>/dev/null | grep -c '^[[:space:]]*\(n\|cut\|t\)[0-9]*[[:space:]]*\[' || true)
	d=$(seconds "$@" --layout=dot)
	s=$(seconds "$@" --layout=sfdp)
	a=$(seconds "$@")
	case $a in '>'*) slow=1 ;; *) awk -v t="$a" 'BEGIN {exit !(t > 2)}' && slow=1 ;; esac
	printf '%-44s %6s %6s %9s %9s %9s  %s\n' "$name" "$nodes" "$((size - nodes))" "$d" "$s" "$a" "$engine"
}
for n in 30 50 60 70 80 100; do
	row "owner ring of $n" --scc 1 "$out/ring$n.jsonl"
done
for m in 25 50 100 150 300; do
	row "minidom garbage --top 2 --max-nodes $m" --garbage --top 2 --max-nodes "$m" "$out/minidom.jsonl"
done
row "testdata minidom --top 5" --top 5 "$top/testdata/python/minidom.jsonl"
row "testdata minidom --garbage --top 2" --garbage --top 2 "$top/testdata/python/minidom.jsonl"
row "testdata pool --top 5" --top 5 "$top/testdata/python/pool.jsonl"
row "testdata V8 --top 5" --top 5 "$out/v8.heapsnapshot"
row "testdata V8 --top 1 --max-nodes 150" --top 1 --max-nodes 150 "$out/v8.heapsnapshot"
row "testdata V8 --top 5 --by-type" --top 5 --by-type "$out/v8.heapsnapshot"
printf 'load average: %s\n' "$(loadavg)"
if [ "$slow" = 0 ]; then
	echo "default under 2 s everywhere: PASS"
else
	echo "default under 2 s everywhere: FAIL"
	exit 1
fi
