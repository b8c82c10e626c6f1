#!/bin/sh
# Benchmark `cycletool scan --json` against a networkx script doing the same
# work (bench/peer_networkx.py) on the same Python heap dump, in one run.
#
# usage: bench/scan_vs_networkx.sh [-n RUNS] [-s SCALE] [--rebuild-dump]
#   -n RUNS    timed runs of each tool, alternating (default 5; env RUNS)
#   -s SCALE   workload scale; 1 is about 480k tracked / 980k dumped objects
#              (default 1; env SCALE)
#   --rebuild-dump   make the dump again even if the cached one is current
#
# Environment: BUILD (build dir, default build), DUMP_PYTHON (python3 that
# runs the workload under the dumper, default python3), PEER_PYTHON (python3
# with networkx, default Debian's /usr/bin/python3).
#
# Goals (from the issue): cycletool at least 50x faster (median wall time)
# and at most 1/8 of the peak RSS of the peer.  CPU time (user+sys) is shown
# too: on a shared machine it is less disturbed by other load than wall time,
# and the load average is printed so that a noisy run can be recognised.
# Exit status: 0 all goals met, 1 a goal missed, 2 usage or setup error,
# 3 the two tools disagree on the counts (a correctness failure).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
runs=${RUNS:-5}
scale=${SCALE:-1}
rebuild_dump=false
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-s) scale=${2:?-s needs a number}; shift 2 ;;
	--rebuild-dump) rebuild_dump=true; shift ;;
	-h|--help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "scan_vs_networkx: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "scan_vs_networkx: -n needs a positive number" >&2; exit 2 ;; esac

build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
dump_py=${DUMP_PYTHON:-python3}
peer_py=${PEER_PYTHON:-/usr/bin/python3}
out=$here/out
mkdir -p "$out/runs"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'scan_vs_networkx: %s\n' "$*" >&2; exit "${2:-2}"; }

# -- tools -------------------------------------------------------------------
"$top/bootstrap" --bench
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"
"$peer_py" -c 'import networkx' 2>/dev/null || die "$peer_py cannot import networkx"
if [ ! -f "$build/build.ninja" ]; then
	say "== meson setup $build"
	meson setup "$build" "$top" >/dev/null
fi
say "== ninja -C $build"
ninja -C "$build" cycletool >/dev/null || die "building cycletool failed"
ct=$build/cycletool

# -- the dump (cached; made again when the workload or the dumper changed) ---
dump=$out/workload-s$scale.jsonl
dumper=$top/formats/python/cycletool_dump.py
[ -f "$dumper" ] || die "the dumper $dumper is missing"
if $rebuild_dump || [ ! -s "$dump" ] || [ "$here/workload.py" -nt "$dump" ] ||
   [ "$dumper" -nt "$dump" ]; then
	say "== making $dump (scale $scale)"
	rm -f "$dump.tmp"
	(cd "$top" && PYTHONPATH=$top/formats/python "$dump_py" -m cycletool_dump \
		-o "$dump.tmp" -- bench/workload.py --scale "$scale") >&2 ||
		die "the workload or the dumper failed"
	tail -n 1 "$dump.tmp" | grep -q '"cycletool_dump_end"' || die "the dump has no trailer"
	mv "$dump.tmp" "$dump"
fi
dump_bytes=$(wc -c <"$dump")
objects=$(tail -n 1 "$dump" | sed -n 's/.*"objects": *\([0-9]*\).*/\1/p')
[ -n "$objects" ] || die "cannot read the object count from the trailer of $dump"

# -- the runs ----------------------------------------------------------------
# time_run NAME I CMD...: run CMD with stdout to runs/NAME-I.json and append
# "wall-seconds peak-KiB cpu-seconds" to runs/NAME.times.
time_run() {
	name=$1 i=$2
	shift 2
	/usr/bin/time -f '%e %M %U %S' -o "$out/runs/$name.time" "$@" >"$out/runs/$name-$i.json" ||
		die "$name failed (run $i); see $out/runs/$name-$i.json"
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$out/runs/$name.time" >"$out/runs/$name.last"
	cat "$out/runs/$name.last" >>"$out/runs/$name.times"
}

# Compare cycletool's summary with the peer's: the counts must be equal.
check() {
	"$peer_py" - "$1" "$2" <<'EOF' || die "cycletool and networkx disagree (see above)" 3
import json, sys
ct = json.load(open(sys.argv[1]))["summary"]
nx = json.load(open(sys.argv[2]))["summary"]
keys = ("cyclic_sccs", "garbage_sccs", "garbage_objects", "cyclic_objects", "cyclic_bytes")
bad = [k for k in keys if ct.get(k) != nx.get(k)]
for k in bad:
    print("MISMATCH %s: cycletool %s, networkx %s" % (k, ct.get(k), nx.get(k)), file=sys.stderr)
if not bad:
    print("   counts agree: " + ", ".join("%s %s" % (k, ct[k]) for k in keys), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

rm -f "$out/runs/"*
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "== $runs runs of each, alternating, on $dump"
i=1
while [ "$i" -le "$runs" ]; do
	time_run cycletool "$i" "$ct" scan --json "$dump"
	time_run networkx "$i" "$peer_py" "$here/peer_networkx.py" "$dump"
	say "   run $i: cycletool $(cat "$out/runs/cycletool.last")  networkx $(cat "$out/runs/networkx.last")  (wall-s KiB cpu-s)"
	check "$out/runs/cycletool-$i.json" "$out/runs/networkx-$i.json"
	i=$((i + 1))
done

# -- report ------------------------------------------------------------------
median() { # column of runs/NAME.times
	sort -g -k"$2","$2" "$out/runs/$1.times" | awk -v c="$2" '
		{ v[NR] = $c }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ct_s=$(median cycletool 1) ct_kb=$(median cycletool 2) ct_cpu=$(median cycletool 3)
nx_s=$(median networkx 1) nx_kb=$(median networkx 2) nx_cpu=$(median networkx 3)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
# Runs alternate, so each pair saw about the same load: the median of the
# per-pair ratios is less noisy than the ratio of the medians.
pair_ratio() { # column
	paste -d' ' "$out/runs/networkx.times" "$out/runs/cycletool.times" | awk -v c="$1" '
		{ d = $(c + 3) > 0 ? $(c + 3) : 0.005; print $c / d }' | sort -g | awk '
		{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
pair_speed=$(pair_ratio 1) pair_mem=$(pair_ratio 2)
awk -v db="$dump_bytes" -v objs="$objects" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v ns="$nx_s" -v nk="$nx_kb" -v cc="$ct_cpu" -v nc="$nx_cpu" \
    -v ps="$pair_speed" -v pm="$pair_mem" '
function pf(b) { return b ? "PASS" : "FAIL" }
BEGIN {
	if (cs <= 0) cs = 0.005   # GNU time rounds to 10 ms
	if (cc <= 0) cc = 0.005
	speed = ns / cs; mem = nk / ck
	printf "dump:               %.1f MB, %d objects\n", db / 1e6, objs
	printf "load average:       %s before, %s after\n", l0, l1
	printf "medians of %d runs:  wall s   cpu s   peak RSS MB\n", runs
	printf "  cycletool         %7.2f %7.2f   %8.1f\n", cs, cc, ck * 1024 / 1e6
	printf "  networkx          %7.2f %7.2f   %8.1f\n", ns, nc, nk * 1024 / 1e6
	printf "speed ratio:        %.1fx faster   (goal >= 50x)   %s\n", speed, pf(speed >= 50)
	printf "  by cpu time:      %.1fx faster   (for reference)\n", nc / cc
	printf "  per-pair median:  %.1fx faster   (for reference)\n", ps
	printf "memory ratio:       1/%.1f of peak  (goal <= 1/8)   %s\n", mem, pf(mem >= 8)
	printf "  per-pair median:  1/%.1f\n", pm
	printf "cycletool:          %.1f MB/s of dump, %.0f bytes of peak RSS per object\n",
		db / 1e6 / cs, ck * 1024 / objs
	exit !(speed >= 50 && mem >= 8)
}'
