#!/bin/sh
# Benchmark `cycletool top -n 10 --json` against VisualVM's heap library
# (Heap.getBiggestObjectsByRetainedSize, through
# testdata/java/visualvm_check.sh) on the same HotSpot dump of 3-4M
# objects, in one run; then cycletool's speed (MB/s) and peak memory on
# two dumps of over 1 GB: HeapBench's heap made bigger (small objects,
# 42 bytes of dump each) and a real program's, javac's after compiling
# java.base (bench/JavacHeap.java; 100 bytes of dump an object).
#
# usage: bench/top_vs_visualvm.sh [-n RUNS] [-s SCALE] [--rebuild-dump]
#   -n RUNS    timed runs of cycletool on each dump (default 3; env RUNS);
#              VisualVM runs VV_RUNS times (default 1: a run takes minutes)
#   -s SCALE   bench/HeapBench.java's scale for the compared dump; 1 makes
#              about 3.6M objects, 200 MB (default 1; env SCALE)
#   --rebuild-dump   make the dumps again even if the cached ones are current
#
# The dumps are made by bench/HeapBench.java (compiled here with javac;
# it dumps itself with HotSpotDiagnosticMXBean.dumpHeap, live objects, a
# JVM with its default compressed references) and cached in bench/out/
# (git-ignored).  The large one has scale BIG_SCALE (default 6.2: 24.2M
# objects, 1.02 GB).  The javac dump is made by bench/JavacHeap.java over
# java.base's sources from the Debian package openjdk-17-source (src.zip),
# JAVAC_COPIES compilations kept (default 2: 12.4M objects, 1.24 GB).
# Needs OpenJDK 17 (javac, java) and the Debian packages visualvm and
# openjdk-17-source (./bootstrap --bench).  Environment: BUILD (build dir,
# default build), VV_RUNS, VISUALVM_XMX (VisualVM's heap, default 8g),
# BIG_SCALE, JAVAC_COPIES.
#
# Goals (issue 14): cycletool top at least 30x faster (median wall time)
# and at most 1/8 of VisualVM's peak RSS, with the same largest retainer
# (same id) of the same retained size; on the large dump, cycletool's
# peak at most half the dump's size (reported, not a pass/fail here).
# Exit status: 0 both goals met, 1 a goal missed, 2 usage or setup error,
# 3 the two tools disagree on the largest retainer.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prog=top_vs_visualvm
top=$(dirname "$here")
runs=${RUNS:-3}
scale=${SCALE:-1}
bench_args --rebuild-dump 2,29 "$@"
vv_runs=${VV_RUNS:-1}
big_scale=${BIG_SCALE:-6.2}
out=$here/out
runs_dir=$out/runs-java
mkdir -p "$runs_dir"

# -- tools -------------------------------------------------------------------
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing (./bootstrap --bench)"
command -v javac >/dev/null && command -v java >/dev/null ||
	die "javac and java are needed (openjdk-17-jdk-headless)"
command -v python3 >/dev/null || die "python3 is missing"
[ -f /usr/share/visualvm/visualvm/modules/org-graalvm-visualvm-lib-jfluid-heap.jar ] ||
	die "the visualvm package is needed (its org-graalvm-visualvm-lib-jfluid-heap.jar)"
src_zip=/usr/lib/jvm/openjdk-17/lib/src.zip
[ -f "$src_zip" ] || die "the openjdk-17-source package is needed (its src.zip; ./bootstrap --bench)"
command -v unzip >/dev/null || die "unzip is missing (./bootstrap --bench)"
build_cycletool
check_sh=$top/testdata/java/visualvm_check.sh

# -- the dumps (cached; made again when HeapBench.java changed) ---------------
classes=$out/java-classes
make_dump() {   # make_dump SCALE FILE
	if $rebuild || [ ! -s "$2" ] || [ "$here/HeapBench.java" -nt "$2" ]; then
		mkdir -p "$classes"
		javac -d "$classes" "$here/HeapBench.java" || die "javac failed"
		say "== making $2 (HeapBench scale $1)"
		tmp=${2%.hprof}.tmp.hprof   # dumpHeap wants the .hprof extension
		rm -f "$2" "$tmp"
		java -Xmx8g -cp "$classes" HeapBench "$tmp" "$1" >&2 || die "HeapBench failed"
		mv "$tmp" "$2"
	fi
}
dump=$out/heapbench-s$scale.hprof
big=$out/heapbench-s$big_scale.hprof
make_dump "$scale" "$dump"
make_dump "$big_scale" "$big"
javac_copies=${JAVAC_COPIES:-2}
real=$out/javac-x$javac_copies.hprof
if $rebuild || [ ! -s "$real" ] || [ "$here/JavacHeap.java" -nt "$real" ]; then
	mkdir -p "$classes"
	javac -d "$classes" "$here/JavacHeap.java" || die "javac failed"
	say "== making $real (javac over java.base, $javac_copies compilations kept)"
	rm -rf "$out/jdk-src" "$real" "${real%.hprof}.tmp.hprof"
	mkdir -p "$out/jdk-src"
	unzip -q "$src_zip" 'java.base/*' -d "$out/jdk-src" || die "unzip of $src_zip failed"
	java -Xmx12g -cp "$classes" JavacHeap "${real%.hprof}.tmp.hprof" "$out/jdk-src/java.base" \
		"$javac_copies" >&2 || die "JavacHeap failed"
	mv "${real%.hprof}.tmp.hprof" "$real"
fi
dump_bytes=$(wc -c <"$dump")
big_bytes=$(wc -c <"$big")
real_bytes=$(wc -c <"$real")
[ "$big_bytes" -ge 1000000000 ] || say "   note: the large dump is $big_bytes bytes (under 1 GB; raise BIG_SCALE)"

# -- the runs ----------------------------------------------------------------
errs_to_file=true
rm -f "$runs_dir/"*
load0=$(loadavg)
say "== cycletool $runs runs, VisualVM $vv_runs, alternating, on $dump"
i=1
while [ "$i" -le "$runs" ] || [ "$i" -le "$vv_runs" ]; do
	if [ "$i" -le "$runs" ]; then
		time_run cycletool "$i" "$ct" top -n 10 --json "$dump"
		say "   run $i: cycletool $(cat "$runs_dir/cycletool.last") (wall-s KiB cpu-s)"
	fi
	if [ "$i" -le "$vv_runs" ]; then
		VISUALVM_TOP_ONLY=1 VISUALVM_TIME=$runs_dir/visualvm.time \
			sh "$check_sh" "$dump" 10 >"$runs_dir/visualvm-$i.txt" 2>"$runs_dir/visualvm-$i.err" ||
			die "VisualVM failed (run $i); see $runs_dir/visualvm-$i.err"
		awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$runs_dir/visualvm.time" \
			>"$runs_dir/visualvm.last"
		cat "$runs_dir/visualvm.last" >>"$runs_dir/visualvm.times"
		say "   run $i: VisualVM  $(cat "$runs_dir/visualvm.last") (wall-s KiB cpu-s)"
	fi
	i=$((i + 1))
done

# The largest retainer: VisualVM's first against cycletool's first.
python3 - "$runs_dir/cycletool-1.json" "$runs_dir/visualvm-1.txt" <<'PYEOF' ||
import json, sys
ct = json.load(open(sys.argv[1]))["objects"]
vv = [l.split() for l in open(sys.argv[2]) if l.startswith("top ")]
if not vv or not ct:
    print("   no retainers listed", file=sys.stderr)
    sys.exit(1)
_, vid, vcls, vsize, vret = vv[0]
c = ct[0]
same = c["id"] == vid and c["retained"] == int(vret)
print("   largest retainer: VisualVM %s %s retains %s bytes; cycletool %s %s retains %d bytes: %s"
      % (vid, vcls, vret, c["id"], c["type"], c["retained"], "the same" if same else "DIFFERENT"),
      file=sys.stderr)
for k, (v, o) in enumerate(zip(vv, ct)):
    print("     #%d  VisualVM %-12s %12s   cycletool %-12s %12d" % (k + 1, v[1], v[4], o["id"], o["retained"]),
          file=sys.stderr)
sys.exit(0 if same else 1)
PYEOF
	die "cycletool and VisualVM disagree on the largest retainer" 3

big_runs() {   # big_runs NAME FILE: $runs runs of top, one of scan (NAMEscan)
	say "== cycletool $runs runs of top and one of scan on $2"
	for i in $(seq 1 "$runs"); do
		time_run "$1" "$i" "$ct" top -n 10 --json "$2"
		say "   run $i: top $(cat "$runs_dir/$1.last") (wall-s KiB cpu-s)"
	done
	time_run "$1scan" 1 "$ct" scan --json "$2"
	say "   scan: $(cat "$runs_dir/$1scan.last") (wall-s KiB cpu-s)"
}
big_runs big "$big"
big_runs real "$real"
load1=$(loadavg)

# -- report ------------------------------------------------------------------
ct_s=$(times_median cycletool 1) ct_kb=$(times_median cycletool 2) ct_cpu=$(times_median cycletool 3)
vv_s=$(times_median visualvm 1) vv_kb=$(times_median visualvm 2) vv_cpu=$(times_median visualvm 3)
bg_s=$(times_median big 1) bg_kb=$(times_median big 2) bg_cpu=$(times_median big 3)
bs_s=$(times_median bigscan 1) bs_kb=$(times_median bigscan 2) bs_cpu=$(times_median bigscan 3)
rl_s=$(times_median real 1) rl_kb=$(times_median real 2) rl_cpu=$(times_median real 3)
rs_s=$(times_median realscan 1) rs_kb=$(times_median realscan 2) rs_cpu=$(times_median realscan 3)
counts=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["objects"])' \
	"$runs_dir/cycletool-1.json")
bcounts=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["objects"])' \
	"$runs_dir/big-1.json")
rcounts=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["objects"])' \
	"$runs_dir/real-1.json")
awk -v db="$dump_bytes" -v bb="$big_bytes" -v n="$counts" -v bn="$bcounts" -v runs="$runs" \
    -v vr="$vv_runs" -v l0="$load0" -v l1="$load1" \
    -v cs="$ct_s" -v ck="$ct_kb" -v cc="$ct_cpu" -v vs="$vv_s" -v vk="$vv_kb" -v vc="$vv_cpu" \
    -v gs="$bg_s" -v gk="$bg_kb" -v gc="$bg_cpu" -v ss="$bs_s" -v sk="$bs_kb" -v sc="$bs_cpu" \
    -v rb="$real_bytes" -v rn="$rcounts" \
    -v rs="$rl_s" -v rk="$rl_kb" -v rc="$rl_cpu" -v xs="$rs_s" -v xk="$rs_kb" -v xc="$rs_cpu" \
    "$report_awk"'
BEGIN {
	if (cs <= 0) cs = 0.005
	if (gs <= 0) gs = 0.005
	if (ss <= 0) ss = 0.005
	if (rs <= 0) rs = 0.005
	if (xs <= 0) xs = 0.005
	printf "dump:               %.1f MB, %d objects (HeapBench)\n", db / 1e6, n
	heading(l0, l1, runs)
	if (vr != runs)
		printf "  (VisualVM: %d run%s, its figure is %s)\n", vr, vr == 1 ? "" : "s",
		       vr == 1 ? "that run" : "the median"
	print row("cycletool top", cs, cc, ck)
	print row("VisualVM", vs, vc, vk)
	speed = vs / cs; mem = vk / ck
	printf "speed ratio (top):  %.1fx faster   (goal >= 30x)   %s\n", speed, pf(speed >= 30)
	printf "  by cpu time:      %.1fx faster   (for reference)\n", vc / cc
	printf "memory ratio:       1/%.1f of peak  (goal <= 1/8)   %s\n", mem, pf(mem >= 8)
	ok = speed >= 30 && mem >= 8
	printf "large dump:         %.1f MB, %d objects\n", bb / 1e6, bn
	printf "%s   %.0f MB/s, peak %.2fx the dump\n", row("cycletool top", gs, gc, gk), bb / 1e6 / gs,
	       gk * 1024 / bb
	printf "%s   %.0f MB/s, peak %.2fx the dump\n", row("cycletool scan", ss, sc, sk), bb / 1e6 / ss,
	       sk * 1024 / bb
	printf "javac dump:         %.1f MB, %d objects (a real program)\n", rb / 1e6, rn
	printf "%s   %.0f MB/s, peak %.2fx the dump\n", row("cycletool top", rs, rc, rk), rb / 1e6 / rs,
	       rk * 1024 / rb
	printf "%s   %.0f MB/s, peak %.2fx the dump\n", row("cycletool scan", xs, xc, xk), rb / 1e6 / xs,
	       xk * 1024 / rb
	exit !ok
}'
