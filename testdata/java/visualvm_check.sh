#!/bin/sh
# visualvm_check.sh DUMP [N]: VisualVM's N biggest retainers of DUMP
# ("top ID CLASS SIZE RETAINED") and per class "class NAME COUNT BYTES",
# next to cycletool's ("cycletool ID TYPE SIZE RETAINED" lines, when
# CYCLETOOL names the binary).  Needs javac and the Debian package
# visualvm (its org-graalvm-visualvm-lib-jfluid-heap.jar); exits 77
# without them.  The dump is copied first: VisualVM writes a cache
# directory next to the file it reads (a .gz dump is unpacked there).
# For bench/top_vs_visualvm.sh: VISUALVM_TOP_ONLY=1 leaves out the
# per-class lines, VISUALVM_TIME=FILE runs VisualVM (only) under GNU time
# writing "wall-seconds peak-KiB user-seconds sys-seconds" to FILE, and
# VISUALVM_XMX sets its heap (default 8g).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dump=$1
n=${2:-10}
jar=/usr/share/visualvm/visualvm/modules/org-graalvm-visualvm-lib-jfluid-heap.jar
if ! command -v javac >/dev/null 2>&1 || [ ! -f "$jar" ]; then
	echo "visualvm_check.sh: javac and the visualvm package are needed" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
javac -cp "$jar" -d "$tmp" "$here/VisualVMCheck.java"
case $dump in
*.gz) gzip -dc "$dump" >"$tmp/dump.hprof" ;;
*) cp "$dump" "$tmp/dump.hprof" ;;
esac
set -- java -Xmx"${VISUALVM_XMX:-8g}" -cp "$jar:$tmp" VisualVMCheck "$tmp/dump.hprof" "$n" \
	${VISUALVM_TOP_ONLY:+top}
if [ -n "${VISUALVM_TIME:-}" ]; then
	/usr/bin/time -f '%e %M %U %S' -o "$VISUALVM_TIME" "$@"
else
	"$@"
fi
if [ -n "${CYCLETOOL:-}" ]; then
	"$CYCLETOOL" top --json -n "$n" "$dump" | python3 -c '
import json, sys
for o in json.load(sys.stdin)["objects"]:
    print("cycletool", o["id"], o["type"], o["self_size"], o["retained"])'
fi
