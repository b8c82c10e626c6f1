# Helpers shared by the benchmark scripts, sourced with `. "$here/lib.sh"`
# (POSIX sh; sourcing only defines functions and report_awk).
#
# The caller sets prog (the name in messages) and top (the source tree);
# time_run, times_median and pair_ratio work in $runs_dir.
# shellcheck shell=sh

say() { printf '%s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-2}"; }

# bench_args REBUILD_OPTION HELP_LINES ARG...: the options of a comparison
# with a peer tool: -n RUNS and -s SCALE (runs and scale keep the caller's
# defaults unless given; runs must be a positive number), REBUILD_OPTION
# (sets rebuild=true, else false) and -h/--help, which prints lines
# HELP_LINES (e.g. 2,19) of the script's header comment.
bench_args() {
	rebuild_opt=$1 help_lines=$2
	shift 2
	rebuild=false
	while [ $# -gt 0 ]; do
		case $1 in
		-n) runs=${2:?-n needs a number}; shift 2 ;;
		-s) scale=${2:?-s needs a number}; shift 2 ;;
		"$rebuild_opt") rebuild=true; shift ;;
		-h|--help) sed -n "${help_lines}s/^# \{0,1\}//p" "$0"; exit 0 ;;
		*) echo "$prog: unknown argument '$1'" >&2; exit 2 ;;
		esac
	done
	case $runs in ''|*[!0-9]*|0) echo "$prog: -n needs a positive number" >&2; exit 2 ;; esac
}

# build_cycletool: build cycletool in $BUILD (default build; relative to
# $top), running meson setup first if it has not been; sets build and ct.
build_cycletool() {
	build=${BUILD:-build}
	case $build in /*) ;; *) build=$top/$build ;; esac
	if [ ! -f "$build/build.ninja" ]; then
		say "== meson setup $build"
		meson setup "$build" "$top" >/dev/null
	fi
	say "== ninja -C $build"
	ninja -C "$build" cycletool >/dev/null || die "building cycletool failed"
	ct=$build/cycletool
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# timed FILE CMD...: run CMD under GNU time, which writes "wall-seconds
# peak-KiB user-seconds sys-seconds" to FILE; CMD's exit status.
timed() {
	timed_file=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$timed_file" "$@"
}

# time_run NAME I CMD...: run I of CMD, timed, with its stdout in
# $runs_dir/NAME-I.json and its stderr in $runs_dir/NAME-I.err if
# errs_to_file is true (if false, the script's); dies if CMD fails.  The run's
# "wall-seconds peak-KiB cpu-seconds" (cpu: user + sys) are then in
# NAME.last and appended to NAME.times.
time_run() {
	name=$1 i=$2
	shift 2
	if [ "$errs_to_file" = true ]; then
		see=$runs_dir/$name-$i.err
		exec 3>"$see"
	else
		see=$runs_dir/$name-$i.json
		exec 3>&2
	fi
	timed "$runs_dir/$name.time" "$@" >"$runs_dir/$name-$i.json" 2>&3 3>&- ||
		die "$name failed (run $i); see $see"
	exec 3>&-
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$runs_dir/$name.time" >"$runs_dir/$name.last"
	cat "$runs_dir/$name.last" >>"$runs_dir/$name.times"
}

# median: the median of the numbers on stdin, one a line (of an even count,
# the mean of the middle two).
median() {
	sort -g | awk '
		{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# times_median NAME COLUMN: the median of a column of $runs_dir/NAME.times
# (1 wall seconds, 2 peak KiB, 3 cpu seconds).
times_median() { cut -d' ' -f"$2" "$runs_dir/$1.times" | median; }

# pair_ratio PEER COLUMN: the median over the runs of PEER's figure in
# COLUMN over cycletool's.  Runs alternate, so each pair saw about the same
# load: the median of the per-pair ratios is less noisy than the ratio of
# the medians.
pair_ratio() {
	paste -d' ' "$runs_dir/$1.times" "$runs_dir/cycletool.times" | awk -v c="$2" '
		{ d = $(c + 3) > 0 ? $(c + 3) : 0.005; print $c / d }' | median
}

# awk functions for the report of a comparison, to put before its program:
# heading(l0, l1, runs) prints the load averages and the head of the table
# of medians, row(name, wall, cpu, kib) is a line of that table (no
# newline), ratios(...) prints the speed and memory ratios against their
# goals and returns whether both goals are met.
report_awk='
function pf(b) { return b ? "PASS" : "FAIL" }
function heading(l0, l1, runs) {
	printf "load average:       %s before, %s after\n", l0, l1
	printf "medians of %d runs:  wall s   cpu s   peak RSS MB\n", runs
}
function row(name, s, c, kb) {
	return sprintf("  %-18s%7.2f %7.2f   %8.1f", name, s, c, kb * 1024 / 1e6)
}
function ratios(head, speed, speed_goal, peer_cpu, ct_cpu, pair_speed, mem, mem_goal, pair_mem) {
	printf "%s%.1fx faster   (goal >= %dx)   %s\n", head, speed, speed_goal, pf(speed >= speed_goal)
	printf "  by cpu time:      %.1fx faster   (for reference)\n", peer_cpu / ct_cpu
	printf "  per-pair median:  %.1fx faster   (for reference)\n", pair_speed
	printf "memory ratio:       1/%.1f of peak  (goal <= 1/%d)   %s\n", mem, mem_goal, pf(mem >= mem_goal)
	printf "  per-pair median:  1/%.1f\n", pair_mem
	return speed >= speed_goal && mem >= mem_goal
}
'
