# http-compare on the outputs of a real ab run (tests/fixtures/ab) and a results directory made by hand
# after docs/results.md (tests/fixtures/results-small). Every expected value is computed here from the
# fixture files themselves (awk), never written down.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fixtures/lib-results.sh"
B=$PGPB_BIN
AB=tests/fixtures/ab
RES=tests/fixtures/results-small
O1=$TEST_TMP/out1

# num_eq A B [TOL]: numbers equal within TOL (default 0.0005)
num_eq() { awk -v a="$1" -v b="$2" -v t="${3:-0.0005}" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
# csv_field FILE KEYCOL KEY COL: the field COL (by header name) of the first row whose KEYCOL is KEY
csv_field() {
	awk -F, -v kc="$2" -v k="$3" -v c="$4" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h[kc] == k { print $h[c]; exit }' "$1"
}
# ab's text summary, by label
ab_text() { sed -n "s/^$1:[[:space:]]*\([0-9.]*\).*/\1/p" "$AB/ab-c4.txt" | head -1; }
# nearest rank over the -g file's ttime (column 5): the smallest value with ceil(p/100 n) at or below it
tsv_pct() {
	tail -n +2 "$AB/ab-c4.tsv" | cut -f5 | sort -n | awk -v p="$1" '{ v[NR] = $1 }
		END { r = p / 100 * NR; k = int(r); if (k < r) k++; if (k < 1) k = 1; print v[k] }'
}
# the same rank rule over a .hgrm table (TotalCount column); p100 is the Max line
hgrm_pct() {
	awk -v p="$2" '/^#\[Max/ { gsub(/[^0-9.]/, " ", $0); split($0, m, " "); max = m[1] }
		/^ *[0-9]/ && NF >= 3 { n++; val[n] = $1; cnt[n] = $3 }
		END { if (p == 100) { print max; exit } total = cnt[n]; r = p / 100 * total; k = int(r); if (k < r) k++
			for (i = 1; i <= n; i++) if (cnt[i] >= k) { print val[i]; exit } }' "$1"
}
# nearest rank over summary.json's buckets, as the tool's one rule: the bucket where the cumulative count
# first reaches ceil(p/100 n), reported as the bucket's highest equivalent value (3 significant digits: below
# 2048 us a bucket is one microsecond, above it 2^(bits-11) wide), never above the recorded maximum; in ms
summary_pct() {
	jq -r --arg s "$2" '.steps[] | select(.step == $s) | .histograms.latency | "max \(.max_us)", (.buckets[] | "\(.[0]) \(.[1])")' "$1" |
		awk -v p="$3" '$1 == "max" { max = $2; next } { n++; v[n] = $1; c[n] = $2; total += $2 }
		END { r = p * total / 100; k = int(r); if (k < r) k++; if (k < 1) k = 1
			for (i = 1; i <= n; i++) { cum += c[i]; if (cum >= k) break }
			lo = v[i]; hi = lo
			if (lo >= 2048) { b = 0; for (x = lo; x >= 1; x = int(x / 2)) b++; hi = lo + 2 ^ (b - 11) - 1 }
			if (hi > max) hi = max
			print hi / 1000 }'
}

step=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["connections"] == 4 && $h["offset"] == 10 { print $h["step"] }' "$RES/steps.csv")
check "the fixture has exactly one step with 4 connections at offset 10" [ "$(printf '%s\n' "$step" | wc -l)" = 1 ]

run_cmd "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-csv "$AB/ab-c4.csv" --ab-gnuplot "$AB/ab-c4.tsv" --out "$O1"
check "http-compare succeeds on a real ab run (rc $RC: $ERR)" [ "$RC" = 0 ]
check "it names the matched step" grep -q "step $step " "$TEST_TMP/out"
check "it read the offset from the URL" grep -q "offset 10, from ?offset= in the URL" "$TEST_TMP/out"
check "it writes the table" [ -s "$O1/http-compare.csv" ]
check "it writes the chart data" [ -s "$O1/http-compare-percentiles.csv" ]
check "it writes the -g timeline" [ -s "$O1/http-compare-timeline.csv" ]
check "the results fixture stays untouched (--out)" [ ! -e "$RES/http-compare.csv" ]

# the chart: HTTP vs database per percentile, both formats, paths printed
SVG=$O1/charts/http-compare.svg
check "it prints the chart's path" grep -qxF "chart: $SVG" "$TEST_TMP/out"
check "the chart SVG parses as XML" xmllint --noout "$SVG"
check "the chart SVG declares UTF-8 and is UTF-8" svg_is_utf8 "$SVG"
check "the chart holds 2 series (HTTP and database): $(svg_series "$SVG")" [ "$(svg_series "$SVG")" = 2 ]
missing=""
while IFS= read -r label; do svg_has_text "$SVG" "$label" || missing="$missing [$label]"; done < <(svg_labels "$SVG")
check "every series has its legend entry${missing:+ (missing:$missing)}" [ -z "$missing" ]
check "the legend names the step's query" svg_has_text "$SVG" "database ($(csv_field "$RES/steps.csv" step "$step" query))"
check "the chart PNG decodes at 800x480" [ "$(identify -format '%m %wx%h' "$O1/charts/http-compare.png" 2>/dev/null)" = "PNG 800x480" ]
check "no NaN or infinity reached the drawing" sh -c "! LC_ALL=C grep -aqiE '(nan|inf)[^o]' '$SVG'"

# every percentile ab prints, HTTP from each source and the database from the step's histogram
P=$O1/http-compare-percentiles.csv
bad=""
for p in 50 66 75 80 90 95 98 99 100; do
	want_csv=$(awk -F, -v p="$p" 'NR > 1 && $1 == p { print $2 }' "$AB/ab-c4.csv")
	want_tab=$(awk -v p="$p%" '$1 == p { print $2 }' "$AB/ab-c4.txt")
	want_tsv=$(tsv_pct "$p")
	want_db=$(summary_pct "$RES/summary.json" "$step" "$p")
	num_eq "$(csv_field "$P" percentile "$p" http_ms)" "$want_csv" || bad="$bad http_ms@$p"
	num_eq "$(csv_field "$P" percentile "$p" ab_csv_ms)" "$want_csv" || bad="$bad ab_csv_ms@$p"
	num_eq "$(csv_field "$P" percentile "$p" ab_table_ms)" "$want_tab" || bad="$bad ab_table_ms@$p"
	num_eq "$(csv_field "$P" percentile "$p" ab_gnuplot_ms)" "$want_tsv" || bad="$bad ab_gnuplot_ms@$p"
	num_eq "$(csv_field "$P" percentile "$p" db_ms)" "$want_db" || bad="$bad db_ms@$p"
	share=$(awk -v a="$want_db" -v b="$want_csv" 'BEGIN { printf "%.4f", a / b }')
	num_eq "$(csv_field "$P" percentile "$p" db_share)" "$share" 0.00011 || bad="$bad db_share@$p"
	# the table has the same numbers in its latency_ms rows
	num_eq "$(awk -F, -v p="$p" '$1 == "latency_ms" && $2 == p { print $4 }' "$O1/http-compare.csv")" "$want_db" || bad="$bad table@$p"
done
check "every percentile matches the fixture files${bad:+ (wrong:$bad)}" [ -z "$bad" ]

T=$O1/http-compare.csv
check "requests/s is ab's" num_eq "$(csv_field "$T" metric throughput_per_s http)" "$(ab_text 'Requests per second')" 0.05
check "queries/s is the step's" num_eq "$(csv_field "$T" metric throughput_per_s database)" "$(csv_field "$RES/steps.csv" step "$step" qps)" 0.05
check "the HTTP mean is ab's time per request" num_eq "$(csv_field "$T" metric mean_ms http)" "$(ab_text 'Time per request')"
check "the database mean is the step's" num_eq "$(csv_field "$T" metric mean_ms database)" "$(awk -v v="$(csv_field "$RES/steps.csv" step "$step" mean_us)" 'BEGIN { print v / 1000 }')"
check "concurrency matches connections" [ "$(csv_field "$T" metric concurrency http)" = "$(ab_text 'Concurrency Level')" ] 
exec_share=$(awk -v e="$(csv_field "$RES/steps.csv" step "$step" server_mean_exec_us)" -v m="$(ab_text 'Time per request')" 'BEGIN { printf "%.4f", e / 1000 / m }')
check "server execution share of the HTTP mean" num_eq "$(csv_field "$T" metric server_exec_mean_ms database_share)" "$exec_share" 0.00011
check "failed requests are ab's" [ "$(csv_field "$T" metric failed http)" = "$(ab_text 'Failed requests')" ]

# the timeline counts every request once, seconds in order, as many seconds as distinct start times
TL=$O1/http-compare-timeline.csv
check "timeline counts every request" [ "$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$TL")" = "$(tail -n +2 "$AB/ab-c4.tsv" | wc -l)" ]
check "timeline has one row a second of the run" [ "$(($(wc -l <"$TL") - 1))" = "$(tail -n +2 "$AB/ab-c4.tsv" | cut -f2 | sort -u | wc -l)" ]
first_sec_want=$(tail -n +2 "$AB/ab-c4.tsv" | cut -f2 | sort -n | uniq -c | head -1 | awk '{ print $1 }')
check "the first second is the earliest start time, not the file's first line" [ "$(awk -F, 'NR == 2 { print $2 }' "$TL")" = "$first_sec_want" ]

# steps.csv is read by column name: the same result with the columns in reverse order
R2=$TEST_TMP/reordered
cp -r "$RES" "$R2"
awk -F, '{ for (i = NF; i >= 1; i--) printf "%s%s", $i, (i > 1 ? "," : "\n") }' "$RES/steps.csv" >"$R2/steps.csv"
run_cmd "$B" http-compare "$R2" --ab "$AB/ab-c4.txt" --ab-csv "$AB/ab-c4.csv" --quiet
check "reversed columns: succeeds" [ "$RC" = 0 ]
check "reversed columns: same table" cmp -s <(grep -v '^$' "$R2/http-compare.csv") <(grep -v '^$' "$O1/http-compare.csv")
check "--quiet prints no table" [ -z "$OUT" ]

# without summary.json the .hgrm gives the same database percentiles; without both, steps.csv's few
rm "$R2/summary.json"
run_cmd "$B" http-compare "$R2" --ab "$AB/ab-c4.txt" --ab-csv "$AB/ab-c4.csv" --out "$TEST_TMP/out2"
check "hgrm fallback succeeds" [ "$RC" = 0 ]
bad=""
for p in 50 66 75 80 90 95 98 99 100; do
	num_eq "$(csv_field "$TEST_TMP/out2/http-compare-percentiles.csv" percentile "$p" db_ms)" "$(hgrm_pct "$RES/$step.hgrm" "$p")" || bad="$bad $p"
done
check "hgrm fallback: the nearest rank over the .hgrm table${bad:+ (wrong at:$bad)}" [ -z "$bad" ]
rm "$R2"/*.hgrm
run_cmd "$B" http-compare "$R2" --ab "$AB/ab-c4.txt" --out "$TEST_TMP/out3"
check "steps.csv fallback succeeds with a warning" eval '[ "$RC" = 0 ] && grep -q "warning: no latency histogram" "$TEST_TMP/err"'
check "steps.csv fallback: p99 is the step's p99_us" num_eq "$(csv_field "$TEST_TMP/out3/http-compare-percentiles.csv" percentile 99 db_ms)" \
	"$(awk -v v="$(csv_field "$RES/steps.csv" step "$step" p99_us)" 'BEGIN { print v / 1000 }')"
check "steps.csv fallback: the chart still holds 2 series" [ "$(svg_series "$TEST_TMP/out3/charts/http-compare.svg")" = 2 ]
check "steps.csv fallback: the chart parses" xmllint --noout "$TEST_TMP/out3/charts/http-compare.svg"
check "steps.csv fallback: p66 is empty, not 0" [ -z "$(csv_field "$TEST_TMP/out3/http-compare-percentiles.csv" percentile 66 db_ms)" ]
check "text only: HTTP percentiles from ab's table" num_eq "$(csv_field "$TEST_TMP/out3/http-compare-percentiles.csv" percentile 90 http_ms)" "$(awk '$1 == "90%" { print $2 }' "$AB/ab-c4.txt")"

# the page: ?page=N is (N-1)*10, --offset overrides, --step picks
sed 's|^Document Path:.*|Document Path:          /records/?page=2|' "$AB/ab-c4.txt" >"$TEST_TMP/page2.txt"
run_cmd "$B" http-compare "$RES" --ab "$TEST_TMP/page2.txt" --out "$TEST_TMP/out4"
check "?page=2 is offset 10" grep -q "step $step " "$TEST_TMP/out"
step0=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["connections"] == 4 && $h["offset"] == 0 { print $h["step"] }' "$RES/steps.csv")
run_cmd "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --offset 0 --out "$TEST_TMP/out5"
check "--offset 0 overrides the URL" grep -q "step $step0 " "$TEST_TMP/out"
run_cmd "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --step "$step0" --out "$TEST_TMP/out6"
check "--step picks a step" grep -q "step $step0 " "$TEST_TMP/out"

# bad input: a clear error and exit 1 (runtime) or 2 (usage); never a crash
expect_fail "no --ab" 2 'missing --ab' "$B" http-compare "$RES"
expect_fail "no results directory" 2 'missing results directory' "$B" http-compare --ab "$AB/ab-c4.txt"
expect_fail "unknown option" 2 'unrecognized option|invalid option' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --bogus
expect_fail "bad --offset" 2 'invalid value "-3" for option --offset' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --offset -3
expect_fail "bad --page-size" 2 'invalid value "0" for option --page-size' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --page-size 0
expect_fail "connection options are refused" 2 'takes no connection options' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" -h localhost
expect_fail "missing ab file" 1 'could not open file ".*nosuch.txt"' "$B" http-compare "$RES" --ab "$TEST_TMP/nosuch.txt"
expect_fail "not ab output" 1 'is not Apache Bench output' "$B" http-compare "$RES" --ab "$AB/ab-c4.csv"
expect_fail "empty file" 1 'is not Apache Bench output' "$B" http-compare "$RES" --ab /dev/null
expect_fail "--ab-csv not an -e file" 1 'is not an ab -e file' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-csv "$AB/ab-c4.txt"
expect_fail "--ab-gnuplot not a -g file" 1 'is not an ab -g file' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-gnuplot "$AB/ab-c4.csv"
head -c 3000 "$AB/ab-c4.tsv" >"$TEST_TMP/cut.tsv"
expect_fail "a -g file cut mid-line" 1 'line [0-9]+: expected six tab-separated fields' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-gnuplot "$TEST_TMP/cut.tsv"
expect_fail "no matching step" 1 'no step of the run .* has 4 connections and offset 50' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --offset 50
check "no matching step: the hint lists the run's steps" grep -q "1/0, 4/0, 1/10, 4/10" "$TEST_TMP/err"
expect_fail "no such step" 1 'no step "s999" in' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --step s999
expect_fail "not a results directory" 1 'could not open file ".*/steps.csv"' "$B" http-compare "$TEST_TMP" --ab "$AB/ab-c4.txt"
sed 's|^Document Path:.*|Document Path:          /records/?page=0|' "$AB/ab-c4.txt" >"$TEST_TMP/page0.txt"
expect_fail "page 0 in the URL" 1 'invalid page "0" in the URL \(pages count from 1\)' "$B" http-compare "$RES" --ab "$TEST_TMP/page0.txt"
sed 's|^Document Path:.*|Document Path:          /records/?offset=ten|' "$AB/ab-c4.txt" >"$TEST_TMP/offx.txt"
expect_fail "a non-numeric offset in the URL" 1 'invalid offset "ten" in the URL' "$B" http-compare "$RES" --ab "$TEST_TMP/offx.txt"
# two queries at the same pool size and offset: ambiguous until --query says which
R3=$TEST_TMP/twoqueries
cp -r "$RES" "$R3"
awk -F, -v OFS=, -v s="$step" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; print; next } { print }
	$h["step"] == s { $h["step"] = "s005-threads-c4-o10-keyset"; $h["query"] = "keyset"; print }' "$RES/steps.csv" >"$R3/steps.csv"
expect_fail "two matching steps" 1 '2 steps have 4 connections and offset 10' "$B" http-compare "$R3" --ab "$AB/ab-c4.txt"
run_cmd "$B" http-compare "$R3" --ab "$AB/ab-c4.txt" --query keyset
check "--query resolves it" grep -q "step s005-threads-c4-o10-keyset " "$TEST_TMP/out"
expect_fail "unwritable --out" 1 'could not create directory' "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --out /proc/nosuch/dir
pgpb_finish
