# pgpagebench compare A B: steps matched by what they measured (not by id), B/A ratios, charts with A solid
# and B dashed, an index.html that links only existing files, and bad input. Counts come from the fixtures.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fixtures/lib-results.sh"
B=$PGPB_BIN
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
A_DIR=$FIX/run-small B_DIR=$FIX/run-small-b

keys() { csv_cols "$1/steps.csv" model query connections workers offset rate_qps | sort; }
shared=$(comm -12 <(keys "$A_DIR") <(keys "$B_DIR") | wc -l)
only_a=$(comm -23 <(keys "$A_DIR") <(keys "$B_DIR") | wc -l)
check "fixtures share some steps and not others ($shared shared, $only_a only in A)" [ "$shared" -gt 0 -a "$only_a" -gt 0 ]

out=$TEST_TMP/cmp
run_cmd "$B" compare "$A_DIR" "$B_DIR" --out "$out"
check "compare exits 0" [ "$RC" = 0 ]
check "compare reports $shared shared steps" grep -q "^compared $shared shared steps" "$TEST_TMP/out"
check "the ratio table has a row per shared step" [ "$(grep -c '×</td></tr>$' "$out/index.html")" = "$shared" ]
# one ratio recomputed from the files: the first shared step's queries/s B/A
k=$(comm -12 <(keys "$A_DIR") <(keys "$B_DIR") | head -1)
qa=$(paste -d'#' <(csv_cols "$A_DIR/steps.csv" model query connections workers offset rate_qps) <(csv_cols "$A_DIR/steps.csv" qps) | grep -F "$k#" | cut -d'#' -f2)
qb=$(paste -d'#' <(csv_cols "$B_DIR/steps.csv" model query connections workers offset rate_qps) <(csv_cols "$B_DIR/steps.csv" qps) | grep -F "$k#" | cut -d'#' -f2)
ratio=$(awk -v a="$qa" -v b="$qb" 'BEGIN { printf "%.2f", b / a }')
check "queries/s ratio of step $k is ${ratio}x" grep -q "<td>$(printf '%.1f' "$qa")</td><td>$(printf '%.1f' "$qb")</td><td[^>]*>$ratio×" "$out/index.html"
noff=$(comm -12 <(keys "$A_DIR") <(keys "$B_DIR") | cut -d'|' -f5 | sort -u | wc -l)
for c in compare-qps compare-p50 compare-p99; do
	check "$c: SVG parses as XML" xmllint --noout "$out/charts/$c.svg"
	check "$c: SVG declares UTF-8 and is UTF-8" svg_is_utf8 "$out/charts/$c.svg"
	check "$c: one A and one B series per offset ($((2 * noff)))" [ "$(svg_series "$out/charts/$c.svg")" = $((2 * noff)) ]
	check "$c: A solid and B dashed in the legend" svg_has_text "$out/charts/$c.svg" "B offset $(comm -12 <(keys "$A_DIR") <(keys "$B_DIR") | cut -d'|' -f5 | sort -n | head -1)"
	check "$c: PNG decodes at 800x480" [ "$(identify -format '%wx%h' "$out/charts/$c.png")" = 800x480 ]
done
check "dashed B lines in the SVG" grep -q 'stroke-dasharray="[0-9]' "$out/charts/compare-qps.svg"
l=$(html_links_exist "$out")
check "index.html links only files that exist $l" [ -z "$l" ]
check "index.html links the steps.csv of both runs" [ "$(grep -c 'steps.csv">steps.csv' "$out/index.html")" = 2 ]

# Steps are matched by what they measured, not by id or order.
mkdir -p "$TEST_TMP/renamed"
cp "$B_DIR/meta.json" "$TEST_TMP/renamed/"
{ head -1 "$B_DIR/steps.csv"; tail -n +2 "$B_DIR/steps.csv" | sed 's/^s0/other-/' | tac; } >"$TEST_TMP/renamed/steps.csv"
run_cmd "$B" compare "$A_DIR" "$TEST_TMP/renamed" --out "$TEST_TMP/cmp2" --format svg
check "renamed and reordered steps still match ($shared)" grep -q "^compared $shared shared steps" "$TEST_TMP/out"
check "--format svg: no PNG" [ -z "$(ls "$TEST_TMP/cmp2/charts" | grep png)" ]

# A run against itself: every ratio is 1.00.
run_cmd "$B" compare "$A_DIR" "$A_DIR" --out "$TEST_TMP/self" --quiet
n=$(csv_cols "$A_DIR/steps.csv" step | wc -l)
check "a run against itself: $n shared steps, all ratios 1.00" [ "$(grep -o '>[0-9.]*×<' "$TEST_TMP/self/index.html" | sort -u)" = '>1.00×<' ]

# An all-errors step (qps 0, no latency): no division by zero, "-" instead of a ratio.
run_cmd "$B" compare "$FIX/run-errors" "$FIX/run-errors" --out "$TEST_TMP/errs" --quiet
check "all-errors steps compare without failing" [ "$RC" = 0 ]
check "no NaN or infinity in the report" sh -c "! grep -qiE 'nan|inf[^o]' '$TEST_TMP/errs/index.html'"
check "ratios of zero throughput are shown as -" grep -q '<td>0.0</td><td>0.0</td><td>-</td>' "$TEST_TMP/errs/index.html"

# Runs with nothing in common: a warning, charts skipped, still a page.
run_cmd "$B" compare "$A_DIR" "$FIX/run-open" --out "$TEST_TMP/none"
check "disjoint runs: exit 0" [ "$RC" = 0 ]
check "disjoint runs: a warning" grep -q 'warning: the runs share no step' "$TEST_TMP/err"
check "disjoint runs: no chart files" [ -z "$(ls "$TEST_TMP/none/charts")" ]
l=$(html_links_exist "$TEST_TMP/none")
check "disjoint runs: links exist $l" [ -z "$l" ]
# Different datasets are compared, under a warning.
mkdir -p "$TEST_TMP/otherdata"
cp "$B_DIR/steps.csv" "$TEST_TMP/otherdata/"
sed 's/"fingerprint": "[^"]*"/"fingerprint": "another"/' "$B_DIR/meta.json" >"$TEST_TMP/otherdata/meta.json"
run_cmd "$B" compare "$A_DIR" "$TEST_TMP/otherdata" --out "$TEST_TMP/od" --quiet
check "different datasets: warned" grep -q 'warning: the runs differ in: dataset' "$TEST_TMP/err"
check "different datasets: said in the page" grep -q 'The runs differ in: dataset' "$TEST_TMP/od/index.html"

# Default output directory: compare-A-vs-B in the current directory.
(cd "$TEST_TMP" && "$B" compare "$A_DIR" "$B_DIR" --quiet)
check "default --out is compare-run-small-vs-run-small-b" [ -f "$TEST_TMP/compare-run-small-vs-run-small-b/index.html" ]
l=$(html_links_exist "$TEST_TMP/compare-run-small-vs-run-small-b")
check "default out: links exist $l" [ -z "$l" ]

expect_fail "missing run B" 1 'could not open results directory ".*nope"' "$B" compare "$A_DIR" "$TEST_TMP/nope"
expect_fail "one directory only" 2 'two results directories are required' "$B" compare "$A_DIR"
expect_fail "three directories" 2 'too many command-line arguments' "$B" compare "$A_DIR" "$B_DIR" "$A_DIR"
expect_fail "bad --format" 2 'unknown item "jpg"' "$B" compare "$A_DIR" "$B_DIR" --format jpg
pgpb_finish
