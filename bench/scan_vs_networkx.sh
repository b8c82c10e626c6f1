#!/bin/sh
# Benchmark `cycletool scan --json` against a networkx script doing the same
# work (bench/peer_networkx.py) on Python heap dumps, in one run, on two
# workloads: bench/workload.py (a leaking service built for the benchmark)
# and bench/stdlib_workload.py (stdlib noise: logging, asyncio, email and
# minidom documents, half of them garbage cycles), each dump >= 100 MB.
#
# usage: bench/scan_vs_networkx.sh [-n RUNS] [-p PEER_RUNS] [-s SCALE]
#                                  [-w WORKLOADS] [--rebuild-dump]
#   -n RUNS        timed runs of cycletool per workload, after an untimed
#                  one (default 5; env RUNS)
#   -p PEER_RUNS   timed runs of networkx per workload, after cycletool's
#                  (default 1: a run takes about 40 s; env PEER_RUNS)
#   -s SCALE       workload.py's scale; 1 is about 480k tracked / 980k dumped
#                  objects, 145 MB (default 1; env SCALE)
#   -w WORKLOADS   comma-separated: workload, stdlib (default both)
#   --rebuild-dump   make the dumps again even if the cached ones are current
#
# Environment: BUILD (build dir, default build), DUMP_PYTHON (python3 that
# runs the workload under the dumper, default python3), PEER_PYTHON (python3
# with networkx, default Debian's /usr/bin/python3), CYCLETOOL_THREADS
# (passed on: cycletool's loading threads; default one per core).
#
# Goals (issue 17), per workload: cycletool at least 400 MB of dump per
# second end to end (median wall time), at least 100x faster than the peer
# and at most 1/10 of its peak RSS.  CPU time (user+sys) is shown too: on a
# shared machine it is less disturbed by other load than wall time; the load
# average and the cores cycletool kept busy (CPU time / wall time) are
# printed so that a noisy run can be recognised.
# Exit status: 0 all goals met, 1 a goal missed, 2 usage or setup error,
# 3 the two tools disagree on the counts (a correctness failure).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=scan_vs_networkx
top=$(dirname "$here")
runs=${RUNS:-5}
peer_runs=${PEER_RUNS:-1}
scale=${SCALE:-1}
workloads=workload,stdlib
rebuild=false
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-p) peer_runs=${2:?-p needs a number}; shift 2 ;;
	-s) scale=${2:?-s needs a number}; shift 2 ;;
	-w) workloads=${2:?-w needs workload names}; shift 2 ;;
	--rebuild-dump) rebuild=true; shift ;;
	-h|--help) sed -n '2,31s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
for v in "$runs" "$peer_runs"; do
	case $v in ''|*[!0-9]*|0) die "-n and -p need a positive number" ;; esac
done

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

# -- the dumps (cached; made again when the workload or the dumper changed) --
dumper=$top/formats/python/_cycletool_dump.py   # the dumper (cycletool_dump.py only checks the version)
[ -f "$dumper" ] || die "the dumper $dumper is missing"

# make_dump NAME SCRIPT ARGS...: $out/NAME.jsonl from SCRIPT under the dumper.
make_dump() {
	name=$1 script=$2
	shift 2
	dump=$out/$name.jsonl
	if $rebuild || [ ! -s "$dump" ] || [ "$here/$script" -nt "$dump" ] ||
	   [ "$dumper" -nt "$dump" ]; then
		say "== making $dump"
		rm -f "$dump.tmp"
		(cd "$top" && PYTHONPATH=$top/formats/python "$dump_py" -m cycletool_dump \
			-o "$dump.tmp" -- "bench/$script" "$@") >&2 ||
			die "the workload or the dumper failed"
		tail -n 1 "$dump.tmp" | grep -q '"cycletool_dump_end"' || die "the dump has no trailer"
		mv "$dump.tmp" "$dump"
	fi
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

# time_run (bench/lib.sh) puts stdout in runs/NAME-I.json, lets stderr through.
errs_to_file=false
cores=$(nproc)
all_ok=true

# bench NAME: the runs and the report on $out/NAME.jsonl.
bench() {
	wl=$1   # not "name": time_run (lib.sh) sets that
	dump=$out/$wl.jsonl
	dump_bytes=$(wc -c <"$dump")
	objects=$(tail -n 1 "$dump" | sed -n 's/.*"objects": *\([0-9]*\).*/\1/p')
	[ -n "$objects" ] || die "cannot read the object count from the trailer of $dump"
	rm -f "$runs_dir/"*
	load0=$(loadavg)
	say "== $wl: $runs runs of cycletool, $peer_runs of networkx, on $dump"
	# One untimed run first: the dump is then in the page cache for both
	# tools (the peer reads it for longer than that takes anyway), and a
	# dump just made is written back before the timed runs.
	sync
	"$ct" scan --json "$dump" >/dev/null || die "cycletool scan failed"
	i=1
	while [ "$i" -le "$runs" ]; do
		time_run cycletool "$i" "$ct" scan --json "$dump"
		say "   cycletool run $i: $(cat "$runs_dir/cycletool.last")  (wall-s KiB cpu-s)"
		i=$((i + 1))
	done
	# The peer finds components over every strong reference: its counts
	# are compared with cycletool's --full-graph view (untimed; the timed
	# runs above are the default view, which folds runtime internals).
	"$ct" scan --full-graph --json "$dump" >"$runs_dir/cycletool-full.json" ||
		die "cycletool scan --full-graph failed"
	i=1
	while [ "$i" -le "$peer_runs" ]; do
		time_run networkx "$i" "$peer_py" "$here/peer_networkx.py" "$dump"
		say "   networkx run $i: $(cat "$runs_dir/networkx.last")  (wall-s KiB cpu-s)"
		check "$runs_dir/cycletool-full.json" "$runs_dir/networkx-$i.json"
		i=$((i + 1))
	done
	ct_s=$(times_median cycletool 1) ct_kb=$(times_median cycletool 2) ct_cpu=$(times_median cycletool 3)
	nx_s=$(times_median networkx 1) nx_kb=$(times_median networkx 2) nx_cpu=$(times_median networkx 3)
	load1=$(loadavg)
	awk -v name="$wl" -v db="$dump_bytes" -v objs="$objects" -v runs="$runs" \
	    -v pruns="$peer_runs" -v l0="$load0" -v l1="$load1" -v cores="$cores" \
	    -v threads="${CYCLETOOL_THREADS:-$cores}" \
	    -v cs="$ct_s" -v ck="$ct_kb" -v ns="$nx_s" -v nk="$nx_kb" -v cc="$ct_cpu" -v nc="$nx_cpu" \
	    "$report_awk"'
BEGIN {
	if (cs <= 0) cs = 0.005   # GNU time rounds to 10 ms
	if (cc <= 0) cc = 0.005
	speed = ns / cs; mem = nk / ck; mbs = db / 1e6 / cs
	printf "workload:           %s\n", name
	printf "dump:               %.1f MB, %d objects\n", db / 1e6, objs
	printf "cores:              %d online, cycletool loads on %d threads, kept %.2f busy\n",
		cores, threads, cc / cs
	heading(l0, l1, runs)
	print row("cycletool", cs, cc, ck)
	print row(sprintf("networkx (%d run%s)", pruns, pruns > 1 ? "s" : ""), ns, nc, nk)
	printf "cycletool:          %.1f MB/s of dump   (goal >= 400)   %s\n", mbs, pf(mbs >= 400)
	printf "  by cpu time:      %.1f MB/s   (for reference)\n", db / 1e6 / cc
	printf "speed ratio:        %.1fx faster   (goal >= 100x)   %s\n", speed, pf(speed >= 100)
	printf "  by cpu time:      %.1fx faster   (for reference)\n", nc / cc
	printf "memory ratio:       1/%.1f of peak  (goal <= 1/10)   %s\n", mem, pf(mem >= 10)
	printf "                    %.0f bytes of peak RSS per object\n", ck * 1024 / objs
	exit !(mbs >= 400 && speed >= 100 && mem >= 10)
}' || all_ok=false
}

old_ifs=$IFS
IFS=,
for w in $workloads; do
	IFS=$old_ifs
	case $w in
	workload) make_dump "workload-s$scale" workload.py --scale "$scale" ;;
	stdlib) make_dump stdlib stdlib_workload.py ;;
	*) die "unknown workload '$w' (workload, stdlib)" ;;
	esac
done
IFS=,
for w in $workloads; do
	IFS=$old_ifs
	case $w in
	workload) bench "workload-s$scale" ;;
	stdlib) bench stdlib ;;
	esac
done
IFS=$old_ifs
$all_ok
