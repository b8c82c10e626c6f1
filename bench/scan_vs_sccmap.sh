#!/bin/sh
# Benchmark `cycletool scan` against graphviz's `sccmap` on the same random
# DOT digraphs, in one run.
#
# usage: bench/scan_vs_sccmap.sh [-n RUNS] [SIZE...]
#   -n RUNS   timed runs of each tool per graph, alternating (default 3;
#             env RUNS); the medians are reported
#   SIZE      NODES/EDGES, e.g. 50000/150000 (default: 50000/150000 and
#             200000/600000)
#
# Each graph is a seeded random directed graph (seed 15: the same file
# every time) without self-loops, written as DOT by a small generator
# (bench/out/sccmap-N-M.dot).  Per graph and tool: the median wall time
# and peak RSS (GNU time -v), and their ratio sccmap / cycletool.
# cycletool runs `scan --full-graph --json`; sccmap runs `sccmap -s`
# (statistics only).  Where sccmap succeeds, the number of cyclic SCCs
# (strong components of two or more nodes) must agree: cycletool's
# summary.cyclic_sccs against the components sccmap reports.  Where
# sccmap fails (it recurses once per node on the call stack, and crashes
# on large graphs), its exit status or signal is reported and
# cycletool's count stands alone.
#
# Goal (issue 15): cycletool >= 10x faster (median wall time) at
# 50000/150000.  Environment: BUILD (build dir, default build).
# Exit status: 0 goal met, 1 goal missed, 2 usage or setup error, 3 the
# counts disagree.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
prog=scan_vs_sccmap
runs=${RUNS:-3}
sizes=
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:?-n needs a number}; shift 2 ;;
	-h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*/*) sizes="$sizes $1"; shift ;;
	*) echo "$prog: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "$prog: -n needs a positive number" >&2; exit 2 ;; esac
[ -n "$sizes" ] || sizes="50000/150000 200000/600000"

say() { printf '%s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-2}"; }

[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"
command -v sccmap >/dev/null || die "sccmap (graphviz) is missing"
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" cycletool >/dev/null || die "building cycletool failed"
ct=$build/cycletool
out=$here/out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen N M FILE: M distinct random arcs u -> v (u != v) over nodes n0..n(N-1).
gen() {
	python3 - "$1" "$2" "$3" <<'EOF'
import random, sys
n, m, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(15)
seen = set()
with open(path + '.tmp', 'w') as f:
    f.write('digraph random {\n')
    for v in range(n):
        f.write(f'  n{v};\n')
    while len(seen) < m:
        u, v = rnd.randrange(n), rnd.randrange(n)
        if u != v and (u, v) not in seen:
            seen.add((u, v))
            f.write(f'  n{u} -> n{v};\n')
    f.write('}\n')
EOF
	mv "$3.tmp" "$3"
}

# run_timed TAG CMD...: run CMD under GNU time -v; stdout in $tmp/TAG.out,
# "wall-seconds peak-KiB exit" in $tmp/TAG.res.
run_timed() {
	tag=$1
	shift
	set +e
	/usr/bin/time -v -o "$tmp/$tag.time" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err"
	set -e
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
		/Maximum resident set size/ { rss = $2 }
		/Exit status/ { st = $2 }
		/Command terminated by signal/ { sub(/.*signal /, ""); st = "signal " $0 }
		END { printf "%s %s %s\n", wall, rss, st }' "$tmp/$tag.time" >"$tmp/$tag.res"
	if grep -q 'terminated by signal' "$tmp/$tag.time"; then
		sig=$(sed -n 's/.*terminated by signal \([0-9]*\).*/\1/p' "$tmp/$tag.time")
		awk -v s="signal $sig" '{ $3 = s; print }' "$tmp/$tag.res" >"$tmp/$tag.res2"
		mv "$tmp/$tag.res2" "$tmp/$tag.res"
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

status=0
printf '%-15s %-9s %10s %12s %8s  %s\n' graph tool wall-s peak-MiB cyclic result
for size in $sizes; do
	n=${size%/*} m=${size#*/}
	dot=$out/sccmap-$n-$m.dot
	[ -s "$dot" ] || { say "== generating $dot"; gen "$n" "$m" "$dot"; }
	: >"$tmp/ct.walls"; : >"$tmp/ct.rss"; : >"$tmp/sm.walls"; : >"$tmp/sm.rss"
	sm_fail= ct_count= sm_count=
	i=1
	while [ "$i" -le "$runs" ]; do
		run_timed ct "$ct" scan --full-graph --json "$dot"
		read -r w r st <"$tmp/ct.res"
		[ "$st" = 0 ] || die "cycletool scan failed on $dot: $(cat "$tmp/ct.err")"
		echo "$w" >>"$tmp/ct.walls"; echo "$r" >>"$tmp/ct.rss"
		ct_count=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["cyclic_sccs"])' "$tmp/ct.out")
		run_timed sm sccmap -s "$dot"
		read -r w r st <"$tmp/sm.res"
		echo "$w" >>"$tmp/sm.walls"; echo "$r" >>"$tmp/sm.rss"
		if [ "$st" = 0 ]; then
			# "N nodes, M edges, C strong components" on stderr: C
			# counts the non-trivial components (-d would add the rest).
			sm_count=$(sed -n 's/.* \([0-9][0-9]*\) strong components.*/\1/p' "$tmp/sm.err" "$tmp/sm.out" | head -n 1)
		else
			sm_fail="exit $st"
		fi
		say "   $size run $i: cycletool $(cat "$tmp/ct.res")  sccmap $(cat "$tmp/sm.res")  (wall-s KiB status)"
		i=$((i + 1))
	done
	ct_w=$(median <"$tmp/ct.walls") ct_r=$(median <"$tmp/ct.rss")
	sm_w=$(median <"$tmp/sm.walls") sm_r=$(median <"$tmp/sm.rss")
	if [ -n "$sm_fail" ]; then
		result="sccmap failed ($sm_fail); cycletool's count stands alone"
	elif [ "$sm_count" = "$ct_count" ]; then
		result="counts agree"
	else
		result="COUNTS DISAGREE: cycletool $ct_count, sccmap $sm_count"
		status=3
	fi
	printf '%-15s %-9s %10s %12.1f %8s\n' "$size" cycletool "$ct_w" "$(echo "$ct_r" | awk '{ print $1 / 1024 }')" "$ct_count"
	printf '%-15s %-9s %10s %12.1f %8s  %s\n' "$size" sccmap "$sm_w" "$(echo "$sm_r" | awk '{ print $1 / 1024 }')" "${sm_count:--}" "$result"
	ratio=$(awk -v a="$sm_w" -v b="$ct_w" 'BEGIN { if (b <= 0) b = 0.005; printf "%.1f", a / b }')
	mem=$(awk -v a="$sm_r" -v b="$ct_r" 'BEGIN { printf "%.2f", a / b }')
	printf '%-15s ratio     wall %sx, peak RSS %sx (sccmap / cycletool)%s\n' "$size" "$ratio" "$mem" \
		"$([ -n "$sm_fail" ] && echo ': sccmap did not finish')"
	if [ "$n/$m" = 50000/150000 ] && [ "$status" = 0 ] &&
	   awk -v r="$ratio" 'BEGIN { exit !(r < 10) }'; then
		status=1
	fi
done
exit "$status"
