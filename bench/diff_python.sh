#!/bin/sh
# Benchmark `cycletool diff --json A B C` on three dumps of one Python
# process with a known leak (bench/diff_workload.py, dumped by
# formats/python/cycletool_dump.py), against `cycletool scan --json` on the
# largest dump alone: diff loads the dumps one after another and keeps only
# their summaries, so its peak memory should be near one dump's graph, not
# the sum of the three.
#
# usage: bench/diff_python.sh [-n RUNS] [-s SCALE] [--rebuild-dumps]
#   -n RUNS    timed runs of each, alternating (default 3; env RUNS)
#   -s SCALE   bench/diff_workload.py scale; 1 makes about 1M objects in the
#              last dump (default 1; env SCALE)
#   --rebuild-dumps   make the dumps again even if the cached ones are current
#
# The dumps are cached in bench/out/ (git-ignored).
# Environment: BUILD (build dir, default build), DUMP_PYTHON (the python3
# that runs the workload, default python3).
#
# Goals (issue 12): the survivors (allocated between A and B, alive in C)
# of Session, CacheItem and Temp are exactly the workload's, and diff's peak
# RSS is at most 1.5x that of scan on the largest dump (this script's bound
# for "near one dump's graph": the sum of the three would be over 2x).
# Exit status: 0 all goals met, 1 the memory goal missed, 2 usage or setup
# error, 3 a survivor count differs from the workload's.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=diff_python
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${SCALE:-1}
bench_args --rebuild-dumps 2,25 "$@"

dump_py=${DUMP_PYTHON:-python3}
out=$here/out
runs_dir=$out/runs-diff-py
mkdir -p "$runs_dir"

# -- tools -------------------------------------------------------------------
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing (./bootstrap --bench)"
command -v "$dump_py" >/dev/null || die "$dump_py is missing"
command -v python3 >/dev/null || die "python3 is missing"
build_cycletool

# -- the dumps (cached; made again when the workload or the dumper changed) --
base=$out/diff-py-s$scale
a=$base-a.jsonl b=$base-b.jsonl c=$base-c.jsonl
expect=$base.expect.json
dumper=$top/formats/python/_cycletool_dump.py   # the dumper (cycletool_dump.py only checks the version)
if $rebuild || [ ! -s "$expect" ] || [ "$here/diff_workload.py" -nt "$expect" ] ||
   [ "$dumper" -nt "$expect" ]; then
	say "== making $base-{a,b,c}.jsonl (scale $scale; about a minute)"
	rm -f "$a" "$b" "$c" "$expect"
	PYTHONPATH=$top/formats/python "$dump_py" "$here/diff_workload.py" "$base" "$scale" \
		>"$expect.tmp" || die "the workload failed"
	mv "$expect.tmp" "$expect"
fi
# the largest dump, for scan
largest=$(ls -S "$a" "$b" "$c" | head -n 1)

# -- the runs ----------------------------------------------------------------
errs_to_file=true

# check CT_JSON: the survivors of the workload's types are exactly its own
# counts; dict and list shown for reference (Session's attrs and events,
# CacheItem's value).
check() {
	python3 - "$1" "$expect" <<'PYEOF' || die "cycletool diff's survivors differ from the workload's (see above)" 3
import json, sys
ct = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["survivors"]
mine = {t["type"]: t["survivors"] for t in ct["types"]}
ok = True
for name, n in want.items():
    good = mine.get(name, 0) == n
    ok &= good
    print("   %-10s survivors: cycletool %d (built: %d)%s"
          % (name, mine.get(name, 0), n, "" if good else "   MISMATCH"), file=sys.stderr)
print("   (for reference: dict %d, list %d survivors; the workload made %d attrs dicts,"
      " %d event and value lists)" % (mine.get("dict", 0), mine.get("list", 0), want["Session"],
                                      want["Session"] + want["CacheItem"]), file=sys.stderr)
clusters = ct.get("survivors")
if isinstance(clusters, list):
    for k, s in enumerate(clusters[:3]):
        print("   cluster %d: %d x %s" % (k + 1, s["count"], s["signature"]), file=sys.stderr)
sys.exit(0 if ok else 1)
PYEOF
}

rm -f "$runs_dir"/*
load0=$(loadavg)
say "== $runs runs of each, alternating: diff on $a $b $c; scan on $largest"
i=1
while [ "$i" -le "$runs" ]; do
	time_run diff "$i" "$ct" diff --json "$a" "$b" "$c"
	time_run scan "$i" "$ct" scan --json "$largest"
	say "   run $i: diff $(cat "$runs_dir/diff.last")  scan $(cat "$runs_dir/scan.last")  (wall-s KiB cpu-s)"
	check "$runs_dir/diff-$i.json"
	i=$((i + 1))
done

# -- report ------------------------------------------------------------------
d_s=$(times_median diff 1) d_kb=$(times_median diff 2) d_cpu=$(times_median diff 3)
s_s=$(times_median scan 1) s_kb=$(times_median scan 2) s_cpu=$(times_median scan 3)
objects=$(python3 -c 'import json,sys; print(" ".join(str(d["objects"]) for d in json.load(open(sys.argv[1]))["dumps"]))' \
	"$runs_dir/diff-1.json")
sizes=$(wc -c <"$a") sizes="$sizes $(wc -c <"$b") $(wc -c <"$c")"
load1=$(loadavg)
awk -v sizes="$sizes" -v objects="$objects" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v ds="$d_s" -v dk="$d_kb" -v dc="$d_cpu" -v ss="$s_s" -v sk="$s_kb" -v sc="$s_cpu" \
    -v largest="$(basename "$largest")" "$report_awk"'
BEGIN {
	split(sizes, z, " "); split(objects, o, " ")
	total = z[1] + z[2] + z[3]
	if (ds <= 0) ds = 0.005
	printf "dumps:              %.1f / %.1f / %.1f MB, %d / %d / %d objects\n",
		z[1] / 1e6, z[2] / 1e6, z[3] / 1e6, o[1], o[2], o[3]
	heading(l0, l1, runs)
	printf "%s   (%.0f MB/s of dumps)\n", row("cycletool diff", ds, dc, dk), total / 1e6 / ds
	print row("cycletool scan", ss, sc, sk) "   (" largest " alone)"
	mem = dk / sk
	printf "diff peak / scan peak of the largest dump: %.2f   (goal <= 1.5)   %s\n", mem, pf(mem <= 1.5)
	exit !(mem <= 1.5)
}'
