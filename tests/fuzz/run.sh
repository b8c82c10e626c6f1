#!/bin/bash
# Fuzz every loader with clang's libFuzzer, and behind each loader every
# path that reads what it loaded (scan's report and writers, top, path,
# render's DOT and text tree, the $ref exporter, diff): tests/fuzz/fuzz_loader.c.
#
#   tests/fuzz/run.sh SECONDS [FORMAT...]
#
# Configures build-fuzz (clang, -Dlibfuzzer=true, ASan+UBSan) once, then
# runs each target for SECONDS, one after another, starting from its
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
if [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: tests/fuzz/run.sh SECONDS [FORMAT...]" >&2
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
mkdir -p $dir/findings
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0 failed=0
for fmt in "${formats[@]}"; do
	exe=$dir/tests/fuzz_$fmt
	if [ ! -x "$exe" ]; then
		echo "FAIL fuzz-$fmt: no target $exe"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p $dir/learnt/$fmt
	log=$dir/findings/$fmt.log
	if "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix=$dir/findings/$fmt- \
		$dir/learnt/$fmt tests/fuzz/corpus/$fmt >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "ok fuzz-$fmt: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?}, no finding"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz-$fmt: see $log and $dir/findings/$fmt-*"
		grep -m3 -E 'ERROR|SUMMARY|abort|runtime error' "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
