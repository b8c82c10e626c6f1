#!/bin/sh
# Make testdata/java/leaky.hprof.gz from Leaky.java (OpenJDK 17: javac,
# java): the dump, gzip'd (cycletool reads it as it is).  An OUT not ending
# in .gz gets the plain dump.
# The committed dump makes the tests independent of Java; run this to
# regenerate it.  Exits 77 when no JDK is installed.
#
# A small heap (-Xmx16m, serial GC, no class data sharing archive, the
# interpreter only) keeps the dump small (about 3 MB).  Compressed
# references are off (-XX:-UseCompressedOops): references of 8 bytes, as
# cycletool and VisualVM's heap library both find from the dump
# (cycletool(1), HPROF; with compressed references both find 4).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/leaky.hprof.gz}
if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
	echo "make_dump.sh: javac and java are needed (openjdk-17-jdk-headless)" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
javac -d "$tmp" "$here/Leaky.java"
rm -f "$out"
java -Xmx16m -Xshare:off -XX:+UseSerialGC -Xint -XX:-UseCompressedOops \
	-cp "$tmp" Leaky "$tmp/dump.hprof"
case $out in
*.gz) gzip -9n <"$tmp/dump.hprof" >"$out" ;;
*) mv "$tmp/dump.hprof" "$out" ;;
esac
ls -l "$out"
