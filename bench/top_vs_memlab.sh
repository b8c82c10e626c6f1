#!/bin/sh
# Benchmark `cycletool top -n 10 --json` against memlab's `analyze
# object-size` on the same V8 heap snapshot (>= 500 MB), in one run; also
# times `cycletool scan --json` on it (the load figure: MB/s).
#
# usage: bench/top_vs_memlab.sh [-n RUNS] [-s SCALE] [--rebuild-snapshot]
#   -n RUNS    timed runs of each tool, alternating (default 3; env RUNS)
#   -s SCALE   bench/v8_workload.js scale; 1.2 makes a ~610 MB snapshot of
#              7.5M nodes and 24M edges (default 1.2; env SCALE)
#   --rebuild-snapshot   make the snapshot again even if the cached one is current
#
# The snapshot is cached in bench/out/ (git-ignored).  memlab is installed
# into bench/node_modules from bench/package.json and package-lock.json
# (npm install --ignore-scripts, PUPPETEER_SKIP_DOWNLOAD=1: no browser).
# Environment: BUILD (build dir, default build), NODE (default node),
# MEMLAB_HEAP_MB (memlab's --max-old-space-size, default 8192).
#
# Goals (issue 5): cycletool top at least 20x faster (median wall time), at
# most 1/3 of memlab's peak RSS, and the same largest retainer: memlab's
# first object (same node id) is among cycletool's ten with a retained size
# within 1%.  Until `cycletool top` exists, `scan` is timed in its place and
# the retainer check is skipped.
# Exit status: 0 all goals met, 1 a goal missed, 2 usage or setup error,
# 3 the two tools disagree on the largest retainer.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=top_vs_memlab
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${SCALE:-1.2}
bench_args --rebuild-snapshot 2,25 "$@"

node=${NODE:-node}
heap_mb=${MEMLAB_HEAP_MB:-8192}
out=$here/out
runs_dir=$out/runs-v8
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
if "$ct" top --help >/dev/null 2>&1; then
	have_top=true
else
	have_top=false
	say "   'cycletool top' is not built yet: timing 'cycletool scan --json' in its place"
fi

# -- the snapshot (cached; made again when the workload changed) ------------
snap=$out/v8-s$scale.heapsnapshot
if $rebuild || [ ! -s "$snap" ] || [ "$here/v8_workload.js" -nt "$snap" ]; then
	say "== making $snap (scale $scale; a few minutes)"
	rm -f "$snap.tmp"
	"$node" --expose-gc --max-old-space-size=16000 "$here/v8_workload.js" "$snap.tmp" "$scale" >&2 ||
		die "the workload failed"
	mv "$snap.tmp" "$snap"
fi
snap_bytes=$(wc -c <"$snap")
[ "$snap_bytes" -ge 500000000 ] || say "   warning: the snapshot is under 500 MB; raise -s"

# -- the runs ----------------------------------------------------------------
# time_run (bench/lib.sh) puts stdout in runs-v8/NAME-I.json, stderr in NAME-I.err.
errs_to_file=true

# check CT_JSON MEMLAB_JSON: memlab's first object among cycletool's, with
# a retained size within 1%.
check() {
	python3 - "$1" "$2" <<'PYEOF' || die "cycletool and memlab disagree on the largest retainer" 3
import json, sys
ct = json.load(open(sys.argv[1]))
ml = json.load(open(sys.argv[2]))
objs = ct["objects"] if isinstance(ct, dict) else ct
first = ml[0]
rank = next((i for i, o in enumerate(objs) if o["id"] == "@%d" % first["id"]), None)
if rank is None:
    print("   MISMATCH: memlab's largest, @%d %s (%d bytes), is not in cycletool's top %d"
          % (first["id"], first["name"], first["retainedSize"], len(objs)), file=sys.stderr)
    sys.exit(1)
mine = objs[rank]["retained"]
diff = abs(mine - first["retainedSize"]) / max(first["retainedSize"], 1)
print("   largest retainer: memlab @%d %s %d bytes; cycletool #%d %d bytes (%.3f%% apart)%s"
      % (first["id"], first["name"], first["retainedSize"], rank + 1, mine, 100 * diff,
         "" if rank == 0 else "; cycletool lists its dominators (%s) first, which memlab folds away"
         % ", ".join(o["id"] for o in objs[:rank])), file=sys.stderr)
sys.exit(0 if diff <= 0.01 else 1)
PYEOF
}

rm -f "$runs_dir/"*
load0=$(loadavg)
say "== $runs runs of each, alternating, on $snap"
i=1
while [ "$i" -le "$runs" ]; do
	if $have_top; then
		time_run cycletool "$i" "$ct" top -n 10 --json "$snap"
	else
		time_run cycletool "$i" "$ct" scan --json "$snap"
	fi
	# memlab's launcher starts '#!/usr/bin/env node --expose-gc ...', which
	# Linux does not split: run it through node with those options.
	time_run memlab "$i" "$node" --expose-gc --max-old-space-size="$heap_mb" "$memlab_js" \
		analyze object-size --snapshot "$snap" --output json
	time_run scan "$i" "$ct" scan --json "$snap"
	say "   run $i: cycletool $(cat "$runs_dir/cycletool.last")  memlab $(cat "$runs_dir/memlab.last")  scan $(cat "$runs_dir/scan.last")  (wall-s KiB cpu-s)"
	if $have_top; then
		check "$runs_dir/cycletool-$i.json" "$runs_dir/memlab-$i.json"
	fi
	i=$((i + 1))
done

# -- report ------------------------------------------------------------------
ct_s=$(times_median cycletool 1) ct_kb=$(times_median cycletool 2) ct_cpu=$(times_median cycletool 3)
ml_s=$(times_median memlab 1) ml_kb=$(times_median memlab 2) ml_cpu=$(times_median memlab 3)
sc_s=$(times_median scan 1) sc_kb=$(times_median scan 2) sc_cpu=$(times_median scan 3)
counts=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["objects"], s["references"])' \
	"$runs_dir/scan-1.json")
load1=$(loadavg)
what=top
$have_top || what="scan (top not built)"
awk -v db="$snap_bytes" -v counts="$counts" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v cc="$ct_cpu" -v ms="$ml_s" -v mk="$ml_kb" -v mc="$ml_cpu" \
    -v ss="$sc_s" -v sk="$sc_kb" -v sc="$sc_cpu" -v ps="$(pair_ratio memlab 1)" \
    -v pm="$(pair_ratio memlab 2)" -v what="$what" "$report_awk"'
BEGIN {
	split(counts, n, " ")
	if (cs <= 0) cs = 0.005
	if (ss <= 0) ss = 0.005
	speed = ms / cs; mem = mk / ck
	printf "snapshot:           %.1f MB, %d nodes, %d edges\n", db / 1e6, n[1], n[2]
	heading(l0, l1, runs)
	print row("cycletool " substr(what, 1, 8), cs, cc, ck)
	print row("memlab", ms, mc, mk)
	printf "%s   (%.0f MB/s of snapshot)\n", row("cycletool scan", ss, sc, sk), db / 1e6 / ss
	exit !ratios("speed ratio (" what "):  ", speed, 20, mc, cc, ps, mem, 3, pm)
}'
