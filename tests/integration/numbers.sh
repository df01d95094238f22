# Numbers a reader can trust, on real runs: one percentile rule (steps.csv, summary.json, the report and
# http-compare print the same p99 for the same step), thin steps marked, offsets past the rows the query
# pages through warned about and marked, an unmet open-loop rate warned about with its dropped queries,
# and a step with no finished query printed as "-".
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN

# 400 top-level records, 343 of them 'new': the rows the seed query pages through
"$B" schema create >/dev/null || { not_ok "schema create"; exit 1; }
psql_q <<'SQL' || { not_ok "fixture"; exit 1; }
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 'x', false, 'user' || i, '', '', 'u' || i || '@example.com', false, true, now() FROM generate_series(1, 20) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 20, NULL, CASE WHEN i % 7 = 0 THEN 'old' ELSE 'new' END, timestamptz '2024-01-01' + i * interval '1 minute',
       'label ' || i, repeat('content ', 5) FROM generate_series(1, 400) i;
INSERT INTO tag (kind, kind_id, tag) SELECT 'rec', 1 + i % 400, 'tag' || (i % 13) FROM generate_series(1, 900) i;
UPDATE pgpagebench_dataset SET state = 'complete', scale = 0.001, seed = 1, users = 20, records = 400, tags = 900,
       checksum = 'fixture', fingerprint = 'fixture-0.001', finished = now();
ANALYZE;
SQL
QUALIFYING=$(psql_q -c "SELECT count(*) FROM record WHERE parent_id IS NULL AND status = 'new'")

# field FILE STEP COLUMN: a steps.csv field by header name
field() {
	awk -F, -v s="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["step"] == s { print $h[c] }' "$1"
}
ms() { awk -v v="$1" 'BEGIN { printf "%.3f", v / 1000 }'; }

# ---- a sweep with an offset past the end -----------------------------------------------------------
R=$TEST_TMP/sweep
run_cmd "$B" run --pools 4 --offsets 10,400 --duration 1s --warmup 0 --threads 2 --out "$R" --no-progress
check "the sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
cp "$TEST_TMP/out" "$TEST_TMP/sweep.out"
S=s001-threads-c4-o10
E=s002-threads-c4-o400
check "it warns before measuring offset 400, past the $QUALIFYING qualifying rows" \
	grep -q "warning: offset 400 is at or beyond the $QUALIFYING rows the query pages through: its steps measure empty pages" "$TEST_TMP/err"
check "offset 10 is not warned about" sh -c "! grep -q 'offset 10 is at or beyond' '$TEST_TMP/err'"
check "steps.csv counts the qualifying rows" [ "$(field "$R/steps.csv" "$S" qualifying_rows)" = "$QUALIFYING" ]
check "steps.csv marks offset 400 empty_pages" [ "$(field "$R/steps.csv" "$E" empty_pages)" = 1 ]
check "steps.csv does not mark offset 10" [ "$(field "$R/steps.csv" "$S" empty_pages)" = 0 ]
check "summary.json marks offset 400 empty_pages" [ "$(jq -r --arg s "$E" '.steps[] | select(.step == $s) | .empty_pages' "$R/summary.json")" = 1 ]
check "the terminal table marks the empty step" grep -q "^$E .*(empty pages)" "$TEST_TMP/out"
check "the report marks the empty step" grep -q "400 (empty pages)" "$R/index.html"

# the same p99 for the same step: steps.csv, summary.json, the terminal table, the report, http-compare
want_us=$(field "$R/steps.csv" "$S" p99_us)
want=$(ms "$want_us")
json_p99=$(jq -r --arg s "$S" '.steps[] | select(.step == $s) | .p99_us' "$R/summary.json")
json_pct=$(jq -r --arg s "$S" '.steps[] | select(.step == $s) | .percentiles[] | select(.p == 99) | .value_us' "$R/summary.json")
term=$(awk -v s="$S" '$1 == s { print $8 }' "$TEST_TMP/out" | tr -d '*')
report=$(grep -F "<tr><td>" "$R/index.html" | grep -F ">$S<" | head -1 | grep -o '<td[^>]*>[0-9.]* ms\*\{0,1\}</td>' | sed -n 3p | sed 's/<[^>]*>//g; s/ ms\*\{0,1\}$//')
run_cmd "$B" http-compare "$R" --ab tests/fixtures/ab/ab-c4.txt --out "$TEST_TMP/hc"
check "http-compare matches the step (rc $RC: $ERR)" grep -q "step $S " "$TEST_TMP/out"
hc_table=$(awk '$1 == "p99" && $2 == "(ms)" { print $4 }' "$TEST_TMP/out" | tr -d '*')
hc_csv=$(awk -F, '$1 == 99 { print $7 }' "$TEST_TMP/hc/http-compare-percentiles.csv")
same_p99() {
	[ -n "$want_us" ] && [ "$json_p99" = "$want_us" ] && [ "$json_pct" = "$want_us" ] && [ "$term" = "$want" ] &&
		[ "$report" = "$want" ] && [ "$hc_table" = "$want" ] && [ "$hc_csv" = "$want" ]
}
check "one p99 everywhere: steps.csv $want_us us, summary.json $json_p99/$json_pct, terminal $term, report $report, http-compare $hc_table/$hc_csv" same_p99

# thin: p99 is marked exactly when fewer than 1000 queries were measured, in every output
n=$(field "$R/steps.csv" "$S" ok)
rel=$(field "$R/steps.csv" "$S" p99_reliable)
terminal_thin() {
	local star=""
	[ "$n" -lt 1000 ] && star="*"
	[ "$(awk -v s="$S" '$1 == s { print $5 " " $8 }' "$TEST_TMP/sweep.out")" = "$n $want$star" ] &&
	[ "$rel" = "$([ -n "$star" ] && echo 0 || echo 1)" ] &&
		[ "$(jq -r --arg s "$S" '.steps[] | select(.step == $s) | .percentiles[] | select(.p == 99) | .reliable' "$R/summary.json")" = "$([ -n "$star" ] && echo false || echo true)" ] &&
		[ "$(jq -r --arg s "$S" '.steps[] | select(.step == $s) | .n' "$R/summary.json")" = "$n" ] &&
		grep -q "<td class=\"thin\"[^>]*>$want ms\*</td>\|<td>$want ms</td>" "$R/index.html" &&
		{ [ -z "$star" ] || grep -q "<td class=\"thin\"[^>]*>$want ms\*</td>" "$R/index.html"; }
}
check "p99 of $n queries: n and p99 in the terminal table, reliable $rel in steps.csv and summary.json, starred when thin" terminal_thin

# ---- open loop: a thin step, and a rate one connection cannot reach --------------------------------
O=$TEST_TMP/open
run_cmd "$B" run --pools 1 --offsets 0 --rates 20,1000000 --duration 1s --warmup 0 --threads 1 --out "$O" --no-progress --no-plot
check "the rate sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
T=s001-threads-c1-o0-r20
U=s002-threads-c1-o0-r1000000
term_row() { awk -v s="$1" '$1 == s' "$TEST_TMP/out"; }
check "the terminal table has an n column" grep -q '^step  *query  *conns  *offset  *n  *qps ' "$TEST_TMP/out"
check "the terminal table has a dropped column" grep -q ' dropped ' "$TEST_TMP/out"
thin_row() {
	local row n99
	row=$(term_row "$T")
	n99=$(printf '%s\n' "$row" | awk '{ print $8 }')
	[ "$(printf '%s\n' "$row" | awk '{ print $5 }')" = "$(field "$O/steps.csv" "$T" ok)" ] && [ "${n99%\*}" != "$n99" ]
}
check "a 20/s step of 1 s: its n printed and its p99 starred: $(term_row "$T")" thin_row
check "the run ends with the thin-step warning" grep -q "warning: .* measured fewer than 1000 queries, too few for a reliable p99 (marked \* above): .*$T" "$TEST_TMP/err"
check "and a hint to lengthen --duration" grep -q "hint: Lengthen --duration: about [0-9]*s gives each of them 1000 queries" "$TEST_TMP/err"
check "steps.csv: p99 of the 20/s step not reliable" [ "$(field "$O/steps.csv" "$T" p99_reliable)" = 0 ]
check "steps.csv keeps the target rate" [ "$(field "$O/steps.csv" "$U" rate_qps)" = 1000000.0 ]
dropped=$(field "$O/steps.csv" "$U" dropped)
unmet() {
	[ "$(field "$O/steps.csv" "$U" rate_unmet)" = 1 ] &&
		awk -v r="$(field "$O/steps.csv" "$U" achieved_ratio)" 'BEGIN { exit !(r < 0.95) }' && [ "$dropped" -gt 0 ]
}
check "steps.csv: 1,000,000/s on one connection is unmet, with $dropped dropped" unmet
check "stderr warns of the unmet rate with the dropped count" \
	grep -q "warning: step $U achieved [0-9.]* queries/s, [0-9]*% of its target rate 1000000: $dropped due queries were never sent (dropped)" "$TEST_TMP/err"
check "summary.json carries dropped" [ "$(jq -r --arg s "$U" '.steps[] | select(.step == $s) | .dropped' "$O/summary.json")" = "$dropped" ]
check "the terminal row shows dropped and the unmet rate" sh -c "printf '%s\n' '$(term_row "$U")' | grep -q ' $dropped .*(rate unmet)'"
run_cmd "$B" plot "$O" --quiet
check "the report shows the dropped count" grep -q "<td class=\"bad\">$dropped</td>" "$O/index.html"
check "the report says the rate was not reached" grep -q "% of the target)</td>" "$O/index.html"

# ---- a step where no query finished -----------------------------------------------------------------
printf 'SELECT 1 / ($1::int - $1::int)\n' >"$TEST_TMP/divzero.sql"
Z=$TEST_TMP/zero
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.3s --warmup 0 --query "$TEST_TMP/divzero.sql" --no-validate --out "$Z" --no-progress
none_row() {
	local row
	row=$(awk '$1 == "s001-threads-c1-o0"' "$TEST_TMP/out")
	printf '%s\n' "$row" | awk '{ exit !($5 == 0 && $7 == "-" && $8 == "-" && $9 == "-") }' && ! printf '%s\n' "$row" | grep -q '0\.000'
}
check "no finished query: n 0 and '-' for p50, p99 and max, never 0.000: $(awk '$1 == "s001-threads-c1-o0"' "$TEST_TMP/out")" none_row
run_cmd "$B" plot "$Z" --quiet
check "no finished query: the report prints '-', not 0" sh -c "grep -F '>s001-threads-c1-o0<' '$Z/index.html' | grep -q '<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>'"
pgpb_finish
