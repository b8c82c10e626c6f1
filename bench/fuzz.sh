#!/bin/bash
# Fuzz every target for a long time: bench/fuzz.sh HOURS (may be a
# fraction: 0.5).  The time is shared among the targets (tests/fuzz/run.sh
# lists them), two at a time on the machine's two cores; findings land in
# build-fuzz/findings.  Prints each target's line and the total.
set -u
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || ! awk -v h="$1" 'BEGIN { exit !(h + 0 > 0) }'; then
	echo "usage: bench/fuzz.sh HOURS" >&2
	exit 2
fi
formats=($(cd tests/fuzz/corpus && ls -d */ | tr -d /))   # one target each
n=${#formats[@]}
# Two runners, each with half the targets, each for HOURS in all.
seconds=$(awk -v h="$1" -v n="$n" 'BEGIN { s = int(h * 3600 * 2 / n); print s < 1 ? 1 : s }')
echo "fuzzing ${n} targets for ${seconds} s each, two at a time ($(date -u +%FT%TZ))"
tests/fuzz/run.sh --build >/dev/null    # configure and build build-fuzz once
export CT_FUZZ_JOBS=1                   # each runner one target at a time
tests/fuzz/run.sh "$seconds" "${formats[@]:0:n/2}" >/tmp/ct-fuzz-a.$$ 2>&1 &
pid_a=$!
tests/fuzz/run.sh "$seconds" "${formats[@]:n/2}" >/tmp/ct-fuzz-b.$$ 2>&1
rc_b=$?
wait $pid_a
rc_a=$?
grep -h -v '^[0-9]* passed' /tmp/ct-fuzz-a.$$ /tmp/ct-fuzz-b.$$
rm -f /tmp/ct-fuzz-a.$$ /tmp/ct-fuzz-b.$$
echo "done $(date -u +%FT%TZ)"
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ]
