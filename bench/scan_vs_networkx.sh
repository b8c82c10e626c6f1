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
. "$here/lib.sh"
prog=scan_vs_networkx
top=$(dirname "$here")
runs=${RUNS:-5}
scale=${SCALE:-1}
bench_args --rebuild-dump 2,19 "$@"

dump_py=${DUMP_PYTHON:-python3}
peer_py=${PEER_PYTHON:-/usr/bin/python3}
out=$here/out
runs_dir=$out/runs
mkdir -p "$runs_dir"

# -- tools -------------------------------------------------------------------
"$top/bootstrap" --bench
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"
"$peer_py" -c 'import networkx' 2>/dev/null || die "$peer_py cannot import networkx"
build_cycletool

# -- the dump (cached; made again when the workload or the dumper changed) ---
dump=$out/workload-s$scale.jsonl
dumper=$top/formats/python/_cycletool_dump.py   # the dumper (cycletool_dump.py only checks the version)
[ -f "$dumper" ] || die "the dumper $dumper is missing"
if $rebuild || [ ! -s "$dump" ] || [ "$here/workload.py" -nt "$dump" ] ||
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
# time_run (bench/lib.sh) puts stdout in runs/NAME-I.json, lets stderr through.
errs_to_file=false

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

rm -f "$runs_dir/"*
load0=$(loadavg)
say "== $runs runs of each, alternating, on $dump"
i=1
while [ "$i" -le "$runs" ]; do
	time_run cycletool "$i" "$ct" scan --json "$dump"
	time_run networkx "$i" "$peer_py" "$here/peer_networkx.py" "$dump"
	say "   run $i: cycletool $(cat "$runs_dir/cycletool.last")  networkx $(cat "$runs_dir/networkx.last")  (wall-s KiB cpu-s)"
	check "$runs_dir/cycletool-$i.json" "$runs_dir/networkx-$i.json"
	i=$((i + 1))
done

# -- report ------------------------------------------------------------------
ct_s=$(times_median cycletool 1) ct_kb=$(times_median cycletool 2) ct_cpu=$(times_median cycletool 3)
nx_s=$(times_median networkx 1) nx_kb=$(times_median networkx 2) nx_cpu=$(times_median networkx 3)
load1=$(loadavg)
pair_speed=$(pair_ratio networkx 1) pair_mem=$(pair_ratio networkx 2)
awk -v db="$dump_bytes" -v objs="$objects" -v runs="$runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v ns="$nx_s" -v nk="$nx_kb" -v cc="$ct_cpu" -v nc="$nx_cpu" \
    -v ps="$pair_speed" -v pm="$pair_mem" "$report_awk"'
BEGIN {
	if (cs <= 0) cs = 0.005   # GNU time rounds to 10 ms
	if (cc <= 0) cc = 0.005
	speed = ns / cs; mem = nk / ck
	printf "dump:               %.1f MB, %d objects\n", db / 1e6, objs
	heading(l0, l1, runs)
	print row("cycletool", cs, cc, ck)
	print row("networkx", ns, nc, nk)
	ok = ratios("speed ratio:        ", speed, 50, nc, cc, ps, mem, 8, pm)
	printf "cycletool:          %.1f MB/s of dump, %.0f bytes of peak RSS per object\n",
		db / 1e6 / cs, ck * 1024 / objs
	exit !ok
}'
