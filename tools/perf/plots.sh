#!/usr/bin/env bash
# plots benchmark: every chart and the index.html for a 4 pools x 4 offsets run (tests/fixtures/run-small)
# must take under 1 s. Measured RUNS times, alternating the full job (SVG + PNG) with SVG alone as the
# reference, so a slow PNG path shows as a ratio; prints medians and fails when the full job's median
# reaches the budget. RUNS=n overrides the number of runs.
set -u
cd "$(dirname "$0")/../.."
B=${PGPB_BIN:?}
RUNS=${RUNS:-7}
BUDGET_MS=1000
FIX=tests/fixtures/run-small
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgpb-perf-plots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
steps=$(($(wc -l <"$FIX/steps.csv") - 1))

ms() { # ms FORMAT: wall-clock milliseconds of one plot
	local t0 t1
	t0=$(date +%s%N)
	"$B" plot "$FIX" --out "$tmp/out-$1" --format "$1" --quiet || { echo "plot failed" >&2; exit 1; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ms svg,png >/dev/null # warm the page cache
full=() ref=()
for ((i = 0; i < RUNS; i++)); do
	full+=("$(ms svg,png)")
	ref+=("$(ms svg)")
done
mf=$(printf '%s\n' "${full[@]}" | median)
mr=$(printf '%s\n' "${ref[@]}" | median)
charts=$(ls "$tmp/out-svg,png/charts" | wc -l)
echo "plot of $steps steps ($charts chart files + index.html), $RUNS runs each, alternating:"
echo "  svg+png: median ${mf} ms (runs: ${full[*]})"
echo "  svg    : median ${mr} ms (runs: ${ref[*]})"
awk -v f="$mf" -v r="$mr" -v b="$BUDGET_MS" 'BEGIN {
	printf "  ratio svg+png/svg: %.2f; svg+png / budget %d ms: %.2f\n", (r > 0 ? f / r : 0), b, f / b }'
if awk -v f="$mf" -v b="$BUDGET_MS" 'BEGIN { exit !(f >= b) }'; then
	echo "plots: FAILED: median ${mf} ms is not under ${BUDGET_MS} ms"
	exit 1
fi
echo "plots: ok (median ${mf} ms < ${BUDGET_MS} ms)"
