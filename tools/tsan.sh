#!/bin/sh
# tools/tsan.sh BUILD PATTERN...: runs the tests matching each PATTERN (tests/run.sh's TESTS) with the
# ThreadSanitizer build in BUILD (`make check-tsan`). Every race or lock-order report is written to
# BUILD/tsan/report.<pid>, whether or not the test noticed the exit status; any report fails the run.
set -u
build=$(cd "$1" && pwd)
shift
rm -rf "$build/tsan"
mkdir -p "$build/tsan"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 log_path=$build/tsan/report"
rc=0
for p in "$@"; do
	TESTS=$p PGPB_BIN="$build/pgpagebench" PGPB_BUILD="$build" nice tests/run.sh || rc=1
done
reports=$(ls "$build/tsan" | wc -l)
if [ "$reports" != 0 ]; then
	echo "tsan: $reports report(s) in $build/tsan:"
	for f in "$build"/tsan/report.*; do
		grep -m3 -E 'WARNING: ThreadSanitizer|#0 ' "$f" | sed "s|^|    $(basename "$f"): |"
	done
	exit 1
fi
[ "$rc" = 0 ] && echo "tsan: no report"
exit $rc
