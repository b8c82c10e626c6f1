#!/bin/sh
# Fuzz every loader with libFuzzer (clang), each target loading, then
# running scan's report and writers, top, path, render (DOT and text,
# in memory) and export on what it loaded (tests/fuzz/fuzz_loader.c).
#
# usage: bench/fuzz.sh HOURS [FORMAT...]
#   HOURS    total time, shared evenly by the targets (e.g. 0.05: three
#            minutes; 8: a night)
#   FORMAT   python (through the probes), v8, refjson, hprof, dot,
#            graphml, gml, pajek, lgl, edgelist (default: all)
# Builds in build-fuzz/ (ASan + UBSan); new inputs go to
# build-fuzz/corpus-FORMAT (seeded from tests/fuzz/corpus/FORMAT, which is
# left alone), findings to build-fuzz/findings-FORMAT/.  Prints one line
# per target ("v8: 123456 runs in 60 s, no finding") and exits 1 if any
# target found something, 77 if clang cannot build a fuzzer.
set -eu
prog=fuzz.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

[ $# -ge 1 ] || die "usage: bench/fuzz.sh HOURS [FORMAT...]"
case $1 in ''|*[!0-9.]*) die "HOURS must be a number, not '$1'" ;; esac
hours=$1
shift
formats=${*:-python v8 refjson hprof dot graphml gml pajek lgl edgelist}
n=$(echo $formats | wc -w)
secs=$(awk -v h="$hours" -v n="$n" 'BEGIN { s = int(h * 3600 / n); print s < 1 ? 1 : s }')

command -v clang >/dev/null 2>&1 || { say "$prog: no clang: skipped"; exit 77; }
out=$top/build-fuzz
mkdir -p "$out/obj"
cflags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -D_GNU_SOURCE -DCT_VERSION=\"fuzz\"
	-I$top -I/usr/include/graphviz -I/usr/include/igraph"
libs="-lcgraph -lgvc -ligraph -lz -lzstd -lm -lpthread"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	>"$out/probe.c"
# shellcheck disable=SC2086
clang -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null ||
	{ say "$prog: clang cannot build a libFuzzer target: skipped"; exit 77; }

say "== building the library objects in $out/obj"
objs=
for c in "$top"/lib/*.c "$top"/formats/*.c; do
	o=$out/obj/$(basename "$(dirname "$c")")_$(basename "$c" .c).o
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
		# shellcheck disable=SC2086
		clang $cflags -c "$c" -o "$o" || die "cannot compile $c"
	fi
done

found=0
for fmt in $formats; do
	def=
	[ "$fmt" = python ] || def="-DCT_FUZZ_FORMAT=\"$fmt\""
	say "== fuzz_$fmt: $secs s"
	# shellcheck disable=SC2086
	clang $cflags -fsanitize=fuzzer -DCT_FUZZ_LIBFUZZER $def "$top/tests/fuzz/fuzz_loader.c" \
		$objs $libs -o "$out/fuzz_$fmt" || die "cannot build fuzz_$fmt"
	mkdir -p "$out/corpus-$fmt" "$out/findings-$fmt"
	cp -n "$top/tests/fuzz/corpus/$fmt"/* "$out/corpus-$fmt/" 2>/dev/null || true
	log=$out/fuzz_$fmt.log
	if ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
		"$out/fuzz_$fmt" -max_total_time="$secs" -max_len=65536 -timeout=60 -rss_limit_mb=4096 \
		-artifact_prefix="$out/findings-$fmt/" "$out/corpus-$fmt" >"$log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
		echo "$fmt: ${runs:-ran $secs s}, no finding"
	else
		found=1
		echo "$fmt: FINDING (see $log and $out/findings-$fmt/)"
	fi
done
exit $found
