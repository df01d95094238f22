#!/usr/bin/env bash
# plots benchmark: every chart and the index.html for a 4 pools x 4 offsets run (tests/fixtures/run-small)
# must take under 1 s. Measured RUNS times, alternating the full job (SVG + PNG) with SVG alone as the
# reference, so a slow PNG path shows as a ratio; prints medians and fails when the full job's median
# reaches the budget. RUNS=n overrides the number of runs.
# Then the scaling: the same fixture copied to 5,000 and 10,000 steps (tests/fixtures/many-steps.py), each
# plotted BIG_RUNS times, alternating, measured in CPU time (a shared machine stretches wall time); 10,000
# steps must take under 2 s and at most 3 times the 5,000 (linear work doubles, quadratic quadruples).
set -u
cd "$(dirname "$0")/../.."
B=${PGPB_BIN:?}
RUNS=${RUNS:-7}
BIG_RUNS=${BIG_RUNS:-3}
BUDGET_MS=1000
BIG_BUDGET_MS=2000
FIX=tests/fixtures/run-small
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgpb-perf-plots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
steps=$(($(wc -l <"$FIX/steps.csv") - 1))

ms() { # ms FORMAT [DIR]: wall-clock milliseconds of one plot
	local t0 t1
	t0=$(date +%s%N)
	"$B" plot "${2:-$FIX}" --out "$tmp/out-$1" --format "$1" --quiet || { echo "plot failed" >&2; exit 1; }
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
rc=0
if awk -v f="$mf" -v b="$BUDGET_MS" 'BEGIN { exit !(f >= b) }'; then
	echo "plots: FAILED: median ${mf} ms is not under ${BUDGET_MS} ms"
	rc=1
else
	echo "plots: ok (median ${mf} ms < ${BUDGET_MS} ms)"
fi

cpu_ms() { # cpu_ms DIR: CPU milliseconds (user + system) of one plot, steady on a loaded machine
	local t
	t=$({ TIMEFORMAT='%3U %3S'; time "$B" plot "$1" --out "$tmp/out-big" --quiet >/dev/null 2>"$tmp/err"; } 2>&1) ||
		{ echo "plot failed: $(cat "$tmp/err")" >&2; exit 1; }
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d\n", (a[1] + a[2]) * 1000 }'
}

python3 tests/fixtures/many-steps.py "$FIX" "$tmp/half" 5000
python3 tests/fixtures/many-steps.py "$FIX" "$tmp/full" 10000
cpu_ms "$tmp/full" >/dev/null # warm the page cache
half=() big=()
for ((i = 0; i < BIG_RUNS; i++)); do
	half+=("$(cpu_ms "$tmp/half")")
	big+=("$(cpu_ms "$tmp/full")")
done
mh=$(printf '%s\n' "${half[@]}" | median)
mb=$(printf '%s\n' "${big[@]}" | median)
echo "plot of 5,000 and 10,000 steps (svg+png), CPU time (user + system), $BIG_RUNS runs each, alternating:"
echo "   5,000: median ${mh} ms (runs: ${half[*]})"
echo "  10,000: median ${mb} ms (runs: ${big[*]})"
awk -v h="$mh" -v b="$mb" -v g="$BIG_BUDGET_MS" 'BEGIN {
	printf "  ratio 10,000/5,000: %.2f (linear: 2, quadratic: 4); 10,000 / budget %d ms: %.2f\n", (h > 0 ? b / h : 0), g, b / g }'
if awk -v h="$mh" -v b="$mb" -v g="$BIG_BUDGET_MS" 'BEGIN { exit !(b >= g || (h > 0 && b / h > 3)) }'; then
	echo "plots scaling: FAILED: 10,000 steps take ${mb} ms (budget ${BIG_BUDGET_MS} ms, at most 3 x ${mh} ms)"
	rc=1
else
	echo "plots scaling: ok (${mb} ms < ${BIG_BUDGET_MS} ms, ratio under 3)"
fi
exit $rc
