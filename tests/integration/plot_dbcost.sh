# pgpagebench plot, database cost: the run-variants fixture (real runs of four query variants,
# merged by tests/fixtures/merge-runs.py, with real EXPLAIN plans) gives the variant chart, the client
# latency split (server time vs the rest, per step) and the EXPLAIN summaries with links; a run without
# pg_stat_statements says how to enable it. Every expected value comes from the fixture's own files.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fixtures/lib-results.sh"
B=$PGPB_BIN
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
V=$FIX/run-variants
O=$TEST_TMP/variants

run_cmd "$B" plot "$V" --out "$O"
check "run-variants: plot exits 0 ($ERR)" [ "$RC" = 0 ]
H=$O/index.html

# the variant chart: one colour per query, p50 and p99, at the smallest pool
nq=$(csv_cols "$V/steps.csv" query | sort -u | wc -l)
check "the fixture holds several query variants ($nq)" [ "$nq" -gt 1 ]
minpool=$(csv_cols "$V/steps.csv" connections | sort -n | head -1)
check "the variant chart holds p50 and p99 of each of the $nq variants" \
	[ "$(svg_series "$O/charts/latency-vs-variant.svg")" = $((2 * nq)) ]
for q in $(csv_cols "$V/steps.csv" query | sort -u); do
	check "the variant chart's legend names $q" svg_has_text "$O/charts/latency-vs-variant.svg" "p99 $q"
done
check "the variant chart says which pool size it shows ($minpool)" \
	grep -q "pool size $minpool (the smallest of the run)" "$O/charts/latency-vs-variant.svg"
check "the variant chart is in the page" grep -q 'src="charts/latency-vs-variant.svg"' "$H"
check "the variant chart's PNG decodes at 800x480" [ "$(identify -format '%wx%h' "$O/charts/latency-vs-variant.png")" = 800x480 ]
# one query only: skipped with a note naming it
run_cmd "$B" plot "$FIX/run-small" --out "$TEST_TMP/small"
check "a one-query run skips the variant chart with a note" grep -q "^skipped latency-vs-variant: the run measured one query ($(csv_cols "$FIX/run-small/steps.csv" query | head -1))" "$TEST_TMP/out"

# the split: a row per step, client mean = server execution (+ planning) + rest, from steps.csv
nsteps=$(csv_cols "$V/steps.csv" step | wc -l)
check "the split table has a row for each of the $nsteps steps" [ "$(grep -c '^<tr class="split">' "$H")" = "$nsteps" ]
check "the split chart is drawn" xmllint --noout "$O/charts/latency-split.svg"
check "the split chart holds client, server and rest" [ "$(svg_series "$O/charts/latency-split.svg")" = 3 ]
bad=""
i=0
while IFS='|' read -r step mean exec plan calls; do
	i=$((i + 1))
	row=$(grep "^<tr class=\"split\"><td>$i</td><td class=\"l\">$step</td>" "$H")
	share=$(awk -v m="$mean" -v e="$exec" -v p="$plan" 'BEGIN { printf "%.1f%%", 100 * (e + p) / m }')
	case $row in *"<td>$share</td><td>$calls</td>"*) ;; *) bad="$bad $step:share($share),calls($calls)" ;; esac
done < <(csv_cols "$V/steps.csv" step mean_us server_mean_exec_us server_mean_plan_us server_calls)
check "each step's server share and calls match steps.csv${bad:+ (wrong:$bad)}" [ -z "$bad" ]
# server time is below the client latency in every step of a real run
check "server execution is positive and below the client mean and p50 in every real step" \
	awk -F'|' '{ if (!($2 > 0 && $2 < $1 && $2 < $3)) exit 1 }' <(csv_cols "$V/steps.csv" mean_us server_mean_exec_us p50_us)

# the EXPLAIN summaries: a row per plan file, its times and a link to it
nplans=$(ls "$V"/explain/*.json | wc -l)
check "the fixture has EXPLAIN plans ($nplans)" [ "$nplans" -gt 0 ]
check "a row per plan file" [ "$(grep -c '^<tr class="explain">' "$H")" = "$nplans" ]
bad=""
for f in "$V"/explain/*.json; do
	name=$(basename "$f")
	exe=$(sed -n 's/.*"Execution Time": *\([0-9.]*\).*/\1/p' "$f" | head -1)
	pl=$(sed -n 's/.*"Planning Time": *\([0-9.]*\).*/\1/p' "$f" | head -1)
	exe=$(awk -v v="$exe" 'BEGIN { printf "%.3f ms", v }') pl=$(awk -v v="$pl" 'BEGIN { printf "%.3f ms", v }')
	variant=${name%-offset-*} off=${name##*-offset-} off=${off%.json}
	row=$(grep "^<tr class=\"explain\"><td class=\"l\">$variant</td><td>$off</td>" "$H")
	case $row in *"<td>$pl</td><td>$exe</td>"*"explain/$name\">$name</a>"*) ;; *) bad="$bad $name" ;; esac
	case $row in *"to return "*) ;; *) bad="$bad $name:summary" ;; esac
done
check "each plan's planning and execution time and link are in its row${bad:+ (wrong:$bad)}" [ -z "$bad" ]
check "the page links only files that exist $(html_links_exist "$O")" html_links_exist "$O"
check "the page is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$H" -o /dev/null

# a broken plan file and an unrelated file: the row says why, no crash, other rows stay
R=$TEST_TMP/broken
cp -r "$V" "$R"
first=$(ls "$R"/explain/*.json | head -1)
head -c 200 "$first" >"$first.cut" && mv "$first.cut" "$first"
echo '{"not": "a plan"}' >"$R/explain/offset-7.json"
echo x >"$R/explain/notes.txt"
run_cmd "$B" plot "$R" --quiet
check "broken plans: plot exits 0" [ "$RC" = 0 ]
check "broken plans: the rows say why" [ "$(grep -c '^<tr class="explain">.*class="l bad">' "$R/index.html")" = 2 ]
check "broken plans: every plan file has a row, others ignored" [ "$(grep -c '^<tr class="explain">' "$R/index.html")" = $((nplans + 1)) ]

# without pg_stat_statements (empty server_* columns): no split chart, and the page says how to enable it
N=$TEST_TMP/nopgss
cp -r "$V" "$N"
rm -r "$N/explain"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^server_/) blank[i] = 1; print; next }
	{ for (i in blank) $i = ""; print }' "$V/steps.csv" >"$N/steps.csv"
run_cmd "$B" plot "$N"
check "no pg_stat_statements: plot exits 0" [ "$RC" = 0 ]
check "no pg_stat_statements: the split chart is skipped, saying why" grep -q '^skipped latency-split: no server time per step: pg_stat_statements was not available' "$TEST_TMP/out"
check "no pg_stat_statements: the page says how to enable it" grep -q "shared_preload_libraries = &#39;pg_stat_statements&#39;.*CREATE EXTENSION pg_stat_statements" "$N/index.html"
check "no pg_stat_statements: no split rows" [ "$(grep -c '^<tr class="split">' "$N/index.html")" = 0 ]
check "no explain/: no EXPLAIN section" sh -c "! grep -q 'id=\"explain\"' '$N/index.html'"
pgpb_finish
