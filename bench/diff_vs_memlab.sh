#!/bin/sh
# Benchmark `cycletool diff --json A B C` against memlab's `find-leaks
# --baseline A --target B --final C --trace-all-objects` on three V8 heap
# snapshots of one node HTTP server with a known leak (bench/diff_server.js).
#
# usage: bench/diff_vs_memlab.sh [-n RUNS] [-s N] [--rebuild-snapshots]
#   -n RUNS    timed runs of each tool, alternating (default 3; env RUNS)
#   -s N       leaking requests between snapshots A and B (default 10000;
#              env SCALE); 10000 makes ~5/115/115 MB snapshots
#   --rebuild-snapshots   make the snapshots again even if the cached ones are current
#
# The snapshots are cached in bench/out/ (git-ignored).  memlab is installed
# into bench/node_modules from bench/package.json and package-lock.json
# (npm install --ignore-scripts, PUPPETEER_SKIP_DOWNLOAD=1: no browser).
# Environment: BUILD (build dir, default build), NODE (default node),
# MEMLAB_HEAP_MB (memlab's --max-old-space-size, default 8192),
# SAMPLES (Sample objects per leaked CacheEntry, default 44: the snapshot size).
#
# Goals (issue 12): cycletool diff at least 20x faster (median wall time),
# at most 1/3 of memlab's peak RSS, and both name the leak: RequestContext
# and CacheEntry survive exactly N times, in cycletool's types[].survivors
# and in memlab's table of objects allocated after A and alive in C (memlab's
# trace clusters sample 1% of traces, so their counts are shown only).
# Exit status: 0 all goals met, 1 a goal missed, 2 usage or setup error,
# 3 a tool does not find the known leak counts.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=diff_vs_memlab
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${SCALE:-10000}
bench_args --rebuild-snapshots 2,26 "$@"
case $scale in ''|*[!0-9]*|0) die "-s needs a positive whole number of requests" ;; esac

node=${NODE:-node}
heap_mb=${MEMLAB_HEAP_MB:-8192}
samples=${SAMPLES:-44}
out=$here/out
runs_dir=$out/runs-diff-v8
mkdir -p "$runs_dir"

# -- tools -------------------------------------------------------------------
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing (./bootstrap --bench)"
command -v "$node" >/dev/null || die "node is missing"
command -v python3 >/dev/null || die "python3 is missing"
build_cycletool
memlab_js=$here/node_modules/memlab/bin/memlab
if [ ! -f "$memlab_js" ]; then
	say "== npm install memlab (into bench/node_modules)"
	(cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --ignore-scripts --no-audit --no-fund \
		>&2) || die "npm install failed"
fi

# -- the snapshots (cached; made again when the server changed) --------------
base=$out/diff-server-n$scale-s$samples
a=$base-a.heapsnapshot b=$base-b.heapsnapshot c=$base-c.heapsnapshot
if $rebuild || [ ! -s "$c" ] || [ "$here/diff_server.js" -nt "$c" ]; then
	say "== making $base-{a,b,c}.heapsnapshot ($scale leaking requests; under a minute)"
	rm -f "$a" "$b" "$c"
	"$node" --expose-gc "$here/diff_server.js" "$base" "$scale" "$samples" >/dev/null ||
		die "the server failed"
fi
sizes=$(wc -c <"$a") sizes="$sizes $(wc -c <"$b") $(wc -c <"$c")"

# -- the runs ----------------------------------------------------------------
# time_run (bench/lib.sh) puts stdout in runs-diff-v8/NAME-I.json (memlab's:
# its table, as text), stderr in NAME-I.err.
errs_to_file=true

# check CT_JSON MEMLAB_STDOUT MEMLAB_STDERR: both tools count N survivors
# of RequestContext and of CacheEntry; the first three clusters of each.
check() {
	python3 - "$1" "$2" "$3" "$scale" <<'PYEOF' || die "a tool missed the known leak (see above)" 3
import json, re, sys
ct = json.load(open(sys.argv[1]))
ml_out = open(sys.argv[2], encoding="utf-8", errors="replace").read()
ml_err = open(sys.argv[3], encoding="utf-8", errors="replace").read()
n = int(sys.argv[4])
leak = ("RequestContext", "CacheEntry")

mine = {t["type"]: t["survivors"] for t in ct["types"]}
# memlab's table: | index | 'name' | 'type' | count | 'retainedSize' |
theirs = {}
for m in re.finditer(r"│\s*\d+\s*│\s*'((?:[^'\\]|\\.)*)'\s*│\s*'([^']*)'\s*│\s*(\d+)\s*│", ml_out):
    if m.group(2) == "object":
        theirs[m.group(1)] = theirs.get(m.group(1), 0) + int(m.group(3))
ok = True
for name in leak:
    c, m = mine.get(name, 0), theirs.get(name, 0)
    good = c == n and m == n
    ok &= good
    print("   %-15s survivors: cycletool %d, memlab %d (built: %d)%s"
          % (name, c, m, n, "" if good else "   MISMATCH"), file=sys.stderr)
clusters = ct.get("survivors")
if isinstance(clusters, list):
    for k, s in enumerate(clusters[:3]):
        print("   cycletool cluster %d: %d x %s" % (k + 1, s["count"], s["signature"]), file=sys.stderr)
found = re.search(r"MemLab found (\d+) leak", ml_err)
heads = re.findall(r"--Similar leaks in this run: (\d+)--\n.*\n.*\n((?:  --.*\n)+)", ml_err)
print("   memlab: %s leak clusters (traces sampled)" % (found.group(1) if found else "?"), file=sys.stderr)
for k, (count, trace) in enumerate(heads[:3]):
    last = trace.strip().splitlines()[-1]
    print("   memlab cluster %d: %s similar, ending %s" % (k + 1, count, last.strip()), file=sys.stderr)
sys.exit(0 if ok else 1)
PYEOF
}

rm -rf "$runs_dir"/*
load0=$(loadavg)
say "== $runs runs of each, alternating, on $a $b $c"
i=1
while [ "$i" -le "$runs" ]; do
	time_run cycletool "$i" "$ct" diff --json "$a" "$b" "$c"
	# memlab's launcher starts '#!/usr/bin/env node --expose-gc ...', which
	# Linux does not split: run it through node with those options.  Its
	# work dir (parsed snapshots, traces) is fresh every run.
	rm -rf "$runs_dir/memlab-work"
	mkdir "$runs_dir/memlab-work"
	time_run memlab "$i" "$node" --expose-gc --max-old-space-size="$heap_mb" "$memlab_js" \
		find-leaks --baseline "$a" --target "$b" --final "$c" --trace-all-objects \
		--work-dir "$runs_dir/memlab-work"
	say "   run $i: cycletool $(cat "$runs_dir/cycletool.last")  memlab $(cat "$runs_dir/memlab.last")  (wall-s KiB cpu-s)"
	check "$runs_dir/cycletool-$i.json" "$runs_dir/memlab-$i.json" "$runs_dir/memlab-$i.err"
	i=$((i + 1))
done

# -- report ------------------------------------------------------------------
ct_s=$(times_median cycletool 1) ct_kb=$(times_median cycletool 2) ct_cpu=$(times_median cycletool 3)
ml_s=$(times_median memlab 1) ml_kb=$(times_median memlab 2) ml_cpu=$(times_median memlab 3)
objects=$(python3 -c 'import json,sys; print(" ".join(str(d["objects"]) for d in json.load(open(sys.argv[1]))["dumps"]))' \
	"$runs_dir/cycletool-1.json")
load1=$(loadavg)
awk -v sizes="$sizes" -v objects="$objects" -v n="$scale" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v cc="$ct_cpu" -v ms="$ml_s" -v mk="$ml_kb" -v mc="$ml_cpu" \
    -v ps="$(pair_ratio memlab 1)" -v pm="$(pair_ratio memlab 2)" "$report_awk"'
BEGIN {
	split(sizes, z, " "); split(objects, o, " ")
	if (cs <= 0) cs = 0.005
	speed = ms / cs; mem = mk / ck
	printf "snapshots:          %.1f / %.1f / %.1f MB, %d / %d / %d nodes; %d leaking requests\n",
		z[1] / 1e6, z[2] / 1e6, z[3] / 1e6, o[1], o[2], o[3], n
	heading(l0, l1, runs)
	print row("cycletool diff", cs, cc, ck)
	print row("memlab find-leaks", ms, mc, mk)
	exit !ratios("speed ratio:        ", speed, 20, mc, cc, ps, mem, 3, pm)
}'
