#!/bin/bash
# Fuzz every loader with clang's libFuzzer, and behind each loader every
# path that reads what it loaded (scan's report and writers, top, path,
# render's DOT and text tree, the $ref exporter, diff): tests/fuzz/fuzz_loader.c.
#
#   tests/fuzz/run.sh SECONDS [FORMAT...]
#   tests/fuzz/run.sh --build          configure and build only (tests/run
#                                      builds ahead while other tests run)
#
# Configures build-fuzz (clang, -Dlibfuzzer=true, ASan+UBSan) once, then
# runs each target for SECONDS, CT_FUZZ_JOBS at a time (default: the
# number of processors, at most 4; each target is one process on its own
# processor, so it gets its SECONDS in full), starting from its
# corpus in tests/fuzz/corpus/FORMAT (read only; what the fuzzer learns
# goes to build-fuzz/learnt/FORMAT).  A crash, sanitizer report, leak,
# timeout (10 s per input) or out-of-memory (4 GiB) is saved as
# build-fuzz/findings/FORMAT-* and fails the target: copy it into the
# corpus once fixed.  Prints "ok fuzz-FORMAT ..." or "FAIL fuzz-FORMAT ..."
# per target, then "N passed, N failed".  Exit 0 when all passed, 1 when
# one failed, 77 when clang's libFuzzer is not installed (Debian: clang
# libclang-rt-14-dev; ./bootstrap installs them).
set -u
cd "$(dirname "$0")/../.."
build_only=
if [ "${1-}" = --build ] && [ $# -eq 1 ]; then
	build_only=1
elif [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: tests/fuzz/run.sh SECONDS [FORMAT...]" >&2
	echo "       tests/fuzz/run.sh --build" >&2
	exit 2
fi
seconds=$1; shift
formats=("$@")
if [ ${#formats[@]} -eq 0 ]; then
	# One target per corpus directory (tests/meson.build builds them).
	formats=($(cd tests/fuzz/corpus && ls -d */ | tr -d /))
fi
if ! command -v clang >/dev/null ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	echo "fuzz: skipped: clang's libFuzzer is not installed (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
dir=build-fuzz
if [ ! -f $dir/build.ninja ]; then
	CC=clang meson setup $dir -Dlibfuzzer=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized >/dev/null || exit 1
fi
meson compile -C $dir >/dev/null || { echo "fuzz: the libFuzzer build failed" >&2; exit 1; }
[ -n "$build_only" ] && exit 0
mkdir -p $dir/findings
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
jobs=${CT_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] 2>/dev/null && jobs=4
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
# fuzz_one FORMAT: runs one target, writes its result line(s) to
# $dir/findings/FORMAT.result.
fuzz_one() {
	local fmt=$1 exe=$dir/tests/fuzz_$1 log=$dir/findings/$1.log res=$dir/findings/$1.result
	if [ ! -x "$exe" ]; then
		echo "FAIL fuzz-$fmt: no target $exe" >"$res"
		return
	fi
	mkdir -p $dir/learnt/$fmt
	if "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix=$dir/findings/$fmt- \
		$dir/learnt/$fmt tests/fuzz/corpus/$fmt >"$log" 2>&1; then
		local runs cov
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "ok fuzz-$fmt: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?}, no finding" >"$res"
	else
		{
			echo "FAIL fuzz-$fmt: see $log and $dir/findings/$fmt-*"
			grep -m3 -E 'ERROR|SUMMARY|abort|runtime error' "$log" | sed 's/^/    /'
		} >"$res"
	fi
}
running=0
for fmt in "${formats[@]}"; do
	rm -f $dir/findings/$fmt.result
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz_one "$fmt" &
	running=$((running + 1))
done
wait
passed=0 failed=0
for fmt in "${formats[@]}"; do
	res=$dir/findings/$fmt.result
	[ -f "$res" ] || echo "FAIL fuzz-$fmt: no result" >"$res"
	cat "$res"
	if grep -q '^ok ' "$res"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
