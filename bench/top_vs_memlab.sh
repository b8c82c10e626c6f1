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
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${SCALE:-1.2}
rebuild=false
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-s) scale=${2:?-s needs a number}; shift 2 ;;
	--rebuild-snapshot) rebuild=true; shift ;;
	-h|--help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "top_vs_memlab: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "top_vs_memlab: -n needs a positive number" >&2; exit 2 ;; esac

build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
node=${NODE:-node}
heap_mb=${MEMLAB_HEAP_MB:-8192}
out=$here/out
runs_dir=$out/runs-v8
mkdir -p "$runs_dir"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'top_vs_memlab: %s\n' "$*" >&2; exit "${2:-2}"; }

# -- tools -------------------------------------------------------------------
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing (./bootstrap --bench)"
command -v "$node" >/dev/null || die "node is missing"
command -v python3 >/dev/null || die "python3 is missing"
if [ ! -f "$build/build.ninja" ]; then
	say "== meson setup $build"
	meson setup "$build" "$top" >/dev/null
fi
say "== ninja -C $build"
ninja -C "$build" cycletool >/dev/null || die "building cycletool failed"
ct=$build/cycletool
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
# time_run NAME I CMD...: stdout to runs-v8/NAME-I.json, and append
# "wall-seconds peak-KiB cpu-seconds" to runs-v8/NAME.times.
time_run() {
	name=$1 i=$2
	shift 2
	/usr/bin/time -f '%e %M %U %S' -o "$runs_dir/$name.time" "$@" \
		>"$runs_dir/$name-$i.json" 2>"$runs_dir/$name-$i.err" ||
		die "$name failed (run $i); see $runs_dir/$name-$i.err"
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$runs_dir/$name.time" >"$runs_dir/$name.last"
	cat "$runs_dir/$name.last" >>"$runs_dir/$name.times"
}

# check CT_JSON MEMLAB_JSON: memlab's first object among cycletool's, with
# a retained size within 1%.
check() {
	python3 - "$1" "$2" <<'PYEOF' || die "cycletool and memlab disagree on the largest retainer" 3
import json, sys
ct = json.load(open(sys.argv[1]))
ml = json.load(open(sys.argv[2]))
objs = ct["objects"] if isinstance(ct, dict) else ct
first = ml[0]
rank = next((i for i, o in enumerate(objs) if o["id"] == first["id"]), None)
if rank is None:
    print("   MISMATCH: memlab's largest, @%d %s (%d bytes), is not in cycletool's top %d"
          % (first["id"], first["name"], first["retainedSize"], len(objs)), file=sys.stderr)
    sys.exit(1)
mine = objs[rank]["retained"]
diff = abs(mine - first["retainedSize"]) / max(first["retainedSize"], 1)
print("   largest retainer: memlab @%d %s %d bytes; cycletool #%d %d bytes (%.3f%% apart)%s"
      % (first["id"], first["name"], first["retainedSize"], rank + 1, mine, 100 * diff,
         "" if rank == 0 else "; cycletool lists its dominators (%s) first, which memlab folds away"
         % ", ".join("@%d" % o["id"] for o in objs[:rank])), file=sys.stderr)
sys.exit(0 if diff <= 0.01 else 1)
PYEOF
}

rm -f "$runs_dir/"*
load0=$(cut -d' ' -f1-3 /proc/loadavg)
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
median() { # NAME COLUMN
	sort -g -k"$2","$2" "$runs_dir/$1.times" | awk -v c="$2" '
		{ v[NR] = $c }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
pair_ratio() { # COLUMN: median of memlab/cycletool per run
	paste -d' ' "$runs_dir/memlab.times" "$runs_dir/cycletool.times" | awk -v c="$1" '
		{ d = $(c + 3) > 0 ? $(c + 3) : 0.005; print $c / d }' | sort -g | awk '
		{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ct_s=$(median cycletool 1) ct_kb=$(median cycletool 2) ct_cpu=$(median cycletool 3)
ml_s=$(median memlab 1) ml_kb=$(median memlab 2) ml_cpu=$(median memlab 3)
sc_s=$(median scan 1) sc_kb=$(median scan 2) sc_cpu=$(median scan 3)
counts=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["objects"], s["references"])' \
	"$runs_dir/scan-1.json")
load1=$(cut -d' ' -f1-3 /proc/loadavg)
what=top
$have_top || what="scan (top not built)"
awk -v db="$snap_bytes" -v counts="$counts" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v cc="$ct_cpu" -v ms="$ml_s" -v mk="$ml_kb" -v mc="$ml_cpu" \
    -v ss="$sc_s" -v sk="$sc_kb" -v sc="$sc_cpu" -v ps="$(pair_ratio 1)" -v pm="$(pair_ratio 2)" \
    -v what="$what" '
function pf(b) { return b ? "PASS" : "FAIL" }
BEGIN {
	split(counts, n, " ")
	if (cs <= 0) cs = 0.005
	if (ss <= 0) ss = 0.005
	speed = ms / cs; mem = mk / ck
	printf "snapshot:           %.1f MB, %d nodes, %d edges\n", db / 1e6, n[1], n[2]
	printf "load average:       %s before, %s after\n", l0, l1
	printf "medians of %d runs:  wall s   cpu s   peak RSS MB\n", runs
	printf "  cycletool %-8s%7.2f %7.2f   %8.1f\n", substr(what, 1, 8), cs, cc, ck * 1024 / 1e6
	printf "  memlab            %7.2f %7.2f   %8.1f\n", ms, mc, mk * 1024 / 1e6
	printf "  cycletool scan    %7.2f %7.2f   %8.1f   (%.0f MB/s of snapshot)\n", ss, sc,
		sk * 1024 / 1e6, db / 1e6 / ss
	printf "speed ratio (%s):  %.1fx faster   (goal >= 20x)   %s\n", what, speed, pf(speed >= 20)
	printf "  by cpu time:      %.1fx faster   (for reference)\n", mc / cc
	printf "  per-pair median:  %.1fx faster   (for reference)\n", ps
	printf "memory ratio:       1/%.1f of peak  (goal <= 1/3)   %s\n", mem, pf(mem >= 3)
	printf "  per-pair median:  1/%.1f\n", pm
	exit !(speed >= 20 && mem >= 3)
}'
