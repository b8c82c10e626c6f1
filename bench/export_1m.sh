#!/bin/sh
# Export of a 1M-object graph: time and peak memory (medians of RUNS runs).
#
#   bench/export_1m.sh [BUILD_DIR] [RUNS]      (default: build, 5)
#
# Generates bench/out/export-tree-1m.jsonl (333,333 TreeNodes with their
# children lists and name strings, parent back-pointers: cycles everywhere)
# and bench/out/export-chain-1m.jsonl (one cycle 1M objects long), then for
# each reference style runs `cycletool export` from the root to a file,
# and `cycletool scan` of the tree's export (the refjson import).  Wall time
# and peak RSS come from /usr/bin/time; loading the dump is included.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
case ${1-} in -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
build=${1:-$here/../build}
runs=${2:-5}
exe=$build/cycletool
out=$here/out
mkdir -p "$out"

measure() {  # measure NAME CMD...: print median seconds and MB
	name=$1; shift
	: > "$out/export.times"
	i=0
	while [ $i -lt "$runs" ]; do
		timed "$out/export.time1" "$@" > /dev/null
		cat "$out/export.time1" >> "$out/export.times"
		i=$((i + 1))
	done
	t=$(cut -d' ' -f1 "$out/export.times" | median)
	m=$(cut -d' ' -f2 "$out/export.times" | median)
	printf '%-34s %8.2f s %8.0f MB\n' "$name" "$t" "$(echo "$m / 1024" | bc -l)"
}

for shape in tree chain; do
	dump=$out/export-$shape-1m.jsonl
	[ -s "$dump" ] || python3 "$here/export_1m_dump.py" "$dump" 1000000 "$shape" > /dev/null
done
root=$(python3 -c 'print(hex(0x7f0000000000))')
echo "cycletool export, 1M objects, medians of $runs runs (load included)"
echo "load only (scan --top=1):"
measure "  scan tree dump" "$exe" scan --top=1 "$out/export-tree-1m.jsonl"
for style in jsonpath pointer id; do
	measure "export tree --ref-style=$style" "$exe" export --root "$root" --ref-style "$style" \
		-o "$out/export-tree-$style.json" "$out/export-tree-1m.jsonl"
done
measure "export tree --address" "$exe" export --root "$root" --address \
	-o "$out/export-tree-address.json" "$out/export-tree-1m.jsonl"
measure "export chain (1M deep)" "$exe" export --root "$root" \
	-o "$out/export-chain.json" "$out/export-chain-1m.jsonl"
ls -l "$out"/export-tree-*.json "$out/export-chain.json" | awk '{printf "  %s %d MB\n", $NF, $5 / 1048576}'
echo "import (refjson loader, whole document in memory):"
for style in jsonpath pointer id; do
	measure "  scan export-tree-$style.json" "$exe" scan --top=1 "$out/export-tree-$style.json"
done
