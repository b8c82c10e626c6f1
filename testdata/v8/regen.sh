#!/bin/sh
# Regenerate the V8 heap snapshots in this directory from their scripts.
#   testdata/v8/regen.sh [node]
# Node ids and sizes change with every node version; tests check the
# structure (known cycles, SCCs against tests/v8/v8_scc.py), not exact ids.
# cycles.heapsnapshot.gz: cycles.js (a bare node heap is ~4 MB, ~0.8 MB gzipped).
# service.heapsnapshot.gz: service.js (tests/cli/test_app_cycles.py).
# tiny.heapsnapshot is written by hand (see tests/v8/test_v8.py for what it holds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node=${1:-node}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$node" --expose-gc "$here/cycles.js" "$tmp/cycles.heapsnapshot"
gzip -9 -n -c "$tmp/cycles.heapsnapshot" > "$here/cycles.heapsnapshot.gz"
printf 'cycles.heapsnapshot.gz: %s bytes (%s unpacked), made by node %s\n' \
    "$(wc -c < "$here/cycles.heapsnapshot.gz")" "$(wc -c < "$tmp/cycles.heapsnapshot")" \
    "$("$node" --version)"
"$node" --expose-gc "$here/service.js" "$tmp/service.heapsnapshot"
gzip -9 -n -c "$tmp/service.heapsnapshot" > "$here/service.heapsnapshot.gz"
printf 'service.heapsnapshot.gz: %s bytes (%s unpacked)\n' \
    "$(wc -c < "$here/service.heapsnapshot.gz")" "$(wc -c < "$tmp/service.heapsnapshot")"
