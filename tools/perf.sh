#!/usr/bin/env bash
# make perf: every benchmark in tools/perf/*.sh, each side by side with its reference in the same run.
# Benchmarks are not tests: they print figures and ratios, and fail only when a required ratio is missed.
# PERF=pattern runs only matching benchmarks.
set -u
cd "$(dirname "$0")/.."
export PGPB_BIN=${1:?usage: tools/perf.sh PGPAGEBENCH_BINARY}
export PATH="$PATH:$(pg_config --bindir 2>/dev/null)"
rc=0
for b in tools/perf/*.sh; do
	[ -e "$b" ] || continue
	[ -n "${PERF:-}" ] && [[ $b != *$PERF* ]] && continue
	echo "=== $(basename "$b" .sh)"
	bash "$b" || { echo "=== $(basename "$b" .sh): FAILED"; rc=1; }
done
exit $rc
