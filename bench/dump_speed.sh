#!/bin/sh
# Benchmark the Python dumper (formats/python/cycletool_dump) against a
# naive dumper in the same process, on the same heap (issue 13 part 5).
#
# usage: bench/dump_speed.sh [-n RUNS] [-s OBJECTS]
#   -n RUNS     timed runs of each dumper, alternating (default 3; env RUNS)
#   -s OBJECTS  gc-tracked objects in the heap (default 2700000, the issue's
#               heap; env OBJECTS); e.g. -s 300000 for a quick run
#
# bench/dump_speed_heap.py builds the heap in one process (minidom documents,
# half kept and half dropped as garbage cycles with the collector disabled,
# plus logging, asyncio and email imported and used), then, alternating,
# times (wall and this process's CPU time) the naive dumper (address, type, size and refs of gc.get_objects()
# as JSON lines, json.dumps per object; written in that script) and
# cycletool_dump.dump(), and the pause of cycletool_dump.dump(fork=True)
# (until it returns).  Memory: peak RSS during the dump (VmHWM, reset with
# /proc/self/clear_refs) minus RSS before it, per object line written, the
# largest over the runs.
# The dumps go to bench/out/dump/ (git-ignored).
# Environment: PYTHON (default python3); HEAP=service for a second, different
# heap: bench/workload.py's (many small instances, dicts and lists in
# request-tree cycles), scaled to about OBJECTS.
#
# Goals (issue 13): cycletool_dump at most 2x the naive dumper's median wall
# time, at most 50 bytes of extra memory per object, a fork pause of at
# most 100 ms.
# Exit status: 0 all goals met, 1 a goal missed, 2 usage or setup error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=dump_speed
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${OBJECTS:-2700000}
bench_args --no-such-option 2,25 "$@"
case $scale in ''|*[!0-9]*|0) die "-s needs a positive number of objects" ;; esac

python=${PYTHON:-python3}
out=$here/out/dump
mkdir -p "$out"
res=$out/result.txt
say "== $python, ${HEAP:-minidom} heap, $scale objects, $runs runs (load $(loadavg))"
PYTHONPATH=$top/formats/python "$python" "$here/dump_speed_heap.py" "$out" "$scale" "$runs" >"$res" \
	|| die "the benchmark failed"
grep '^#' "$res" >&2 || true
get() { sed -n "s/^$1=//p" "$res"; }
awk -v tracked="$(get tracked)" -v lines="$(get lines)" -v ns="$(get naive_s)" \
    -v cs="$(get cycletool_s)" -v ratio="$(get ratio)" -v nc="$(get naive_cpu_s)" \
    -v cc="$(get cycletool_cpu_s)" -v cr="$(get cpu_ratio)" -v nb="$(get naive_bytes_per_object)" \
    -v cb="$(get bytes_per_object)" -v fp="$(get fork_pause_ms)" -v mb="$(get dump_mb)" \
    -v runs="$runs" -v py="$("$python" -c 'import sys; print(sys.version.split()[0])')" '
function goal(ok) { if (!ok) missed = 1; return ok ? "ok" : "MISSED" }
BEGIN {
	printf "heap:               %d gc-tracked objects, %d lines in the dump (%d MB), Python %s\n", tracked, lines, mb, py
	printf "medians of %d runs (memory: the largest):\n", runs
	printf "  naive dumper      %7.2f s (CPU %7.2f s)   %6.1f B/object extra\n", ns, nc, nb
	printf "  cycletool_dump    %7.2f s (CPU %7.2f s)   %6.1f B/object extra\n", cs, cc, cb
	printf "time ratio:         %.2fx  (goal <= 2x: %s)\n", ratio, goal(ratio <= 2)
	printf "CPU time ratio:     %.2fx  (under load, the one to compare)\n", cr
	printf "extra memory:       %.1f B/object (goal <= 50: %s)\n", cb, goal(cb <= 50)
	printf "fork pause:         %.1f ms (goal <= 100: %s)\n", fp, goal(fp <= 100)
	exit missed
}'
