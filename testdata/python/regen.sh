#!/bin/sh
# Regenerate the Python dumps in this directory from their scripts.
#   testdata/python/regen.sh [python3]
# Addresses, sizes and counts change with every run and interpreter; the
# dumps are data to test loaders and analyses on, not golden output of the
# dumper.  Each dump has its expected report, X.scan, checked by tests/cli/golden.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${1:-python3}
export PYTHONPATH="$here/../../formats/python"
export PYTHONHASHSEED=0
cd "$here"
"$py" leaky_tree.py leaky_tree.jsonl
"$py" -m cycletool_dump -o pool.jsonl -- pool.py
"$py" minidom.py minidom.jsonl
"$py" finalizers.py finalizers.jsonl
for f in leaky_tree pool minidom finalizers; do
    printf '%s.jsonl: %s lines, %s bytes\n' "$f" "$(wc -l < "$f.jsonl")" "$(wc -c < "$f.jsonl")"
done
# The expected reports (*.scan) follow the dumps.
exe="$here/../../build/cycletool"
if [ -x "$exe" ]; then
    for f in leaky_tree pool minidom finalizers; do
        python3 "$here/../../tests/cli/golden.py" "$exe" "$here/$f.jsonl" --update
    done
else
    echo "regen.sh: build/cycletool not built; update the *.scan reports with tests/cli/golden.py --update" >&2
fi
# The picture in the README.
[ -x "$exe" ] && (cd "$here" && "$exe" render --garbage --top 1 pool.jsonl -o pool.png)
# The whole-heap service dump (no gc.freeze: the runtime's cycles are in it),
# gzipped; tests/cli/test_app_cycles.py checks its known cycles.
tmp=$(mktemp -d)
"$py" -m cycletool_dump -o "$tmp/service.jsonl" -- service.py
gzip -9 -n -c "$tmp/service.jsonl" > service.jsonl.gz
printf 'service.jsonl.gz: %s bytes (%s unpacked)\n' "$(wc -c < service.jsonl.gz)" \
    "$(wc -c < "$tmp/service.jsonl")"
rm -rf "$tmp"
