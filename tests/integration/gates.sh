# CI gates and any database: run --query FILE on a database without the tool's tables (the dataset check
# skipped in one line, the database and the query's sha256 recorded), run --threshold exiting 3 with the
# violations listed and recorded in summary.json (the same figures steps.csv holds) and exiting 0 when met,
# a figure too thin to trust failing as not checkable, and compare --max-regression exiting 3 on a run made
# slower by dropping an index this test created, with its CSV. Short steps on one server.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }
# csv_col FILE COLUMN: that column of every data row, by header name
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
short() { timeout -k 5 120 "$B" run --pools 1 --duration 0.3s --warmup 0 --no-progress --no-plot "$@"; }

# ---- any database: a user's query on a database without the pgpagebench tables ----------------------
psql_q -c 'CREATE DATABASE appdb' >/dev/null
psql_q -d appdb <<'SQL'
CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL);
INSERT INTO item SELECT i, 'item ' || i, timestamptz '2024-01-01' + i * interval '1 second' FROM generate_series(1, 50000) i;
CREATE INDEX item_created_idx ON item (created DESC);
ANALYZE item;
SQL
printf '%s\n' 'SELECT id, name, created FROM item ORDER BY created DESC LIMIT 10 OFFSET $1' >"$TEST_TMP/items.sql"
run_cmd "$B" schema check -d appdb
check "schema check says the dataset is the built-in queries' (exit $RC)" \
	grep -q 'the dataset the built-in queries need; run --query FILE runs without it' "$TEST_TMP/out"
A=$TEST_TMP/a
run_cmd short -d appdb --query "$TEST_TMP/items.sql" --offsets 0,1000 --out "$A"
check "run --query FILE on a database without the tool's tables exits 0 (rc $RC: $ERR)" [ "$RC" = 0 ]
check "... saying once that the dataset check is skipped" \
	[ "$(grep -c 'pgpagebench: query "items.sql" is not a built-in query: the dataset check and page validation are skipped' "$TEST_TMP/err")" = 1 ]
check "... with no error and no empty-page warning" eval '! grep -q "error:\|empty pages\|returns no row" "$TEST_TMP/err"'
check "... and measured queries at both offsets" [ "$(csv_col "$A/steps.csv" ok | grep -c '^[1-9]')" = 2 ]
meta=$(jq -r '[.database.name, (.database.host | length > 0), (.database.server_version | startswith("PostgreSQL")),
	.dataset, .dataset_checked, .options.validate, .measured[0].kind, .measured[0].builtin] | map(tostring) | join(" ")' "$A/meta.json")
check "meta.json records the database measured and no dataset ($meta)" [ "$meta" = "appdb true true null false false query false" ]
sha=$(printf '%s' 'SELECT id, name, created FROM item ORDER BY created DESC LIMIT 10 OFFSET $1' | sha256sum | cut -d' ' -f1)
check "meta.json records the sha256 of the query text measured" [ "$(jq -r '.measured[0].sha256' "$A/meta.json")" = "$sha" ]
check "summary.json carries the same record" [ "$(jq -r '.meta.database.name + " " + .meta.measured[0].sha256' "$A/summary.json")" = "appdb $sha" ]
check "no password anywhere in the record" eval '! grep -qi "password" "$A/meta.json"'
run_cmd "$B" plot "$A" --format svg
check "the report's header names the database (rc $RC)" grep -q '<th>database</th><td>appdb on ' "$A/index.html"
run_cmd short -d appdb --query "$TEST_TMP/items.sql" --offsets 0 --validate --out "$TEST_TMP/v"
check "--validate asks for the dataset check, which this database cannot pass: exit 1" [ "$RC" = 1 ]
check "... naming the missing tables" grep -q 'error: the pgpagebench tables do not exist in this database' "$TEST_TMP/err"
expect_fail "--offset-mix draws its pages over the tool's dataset, which this database lacks: exit 1" 1 \
	'error: --offset-mix with --query FILE needs the pgpagebench dataset' \
	short -d appdb --query "$TEST_TMP/items.sql" --offset-mix page1=50 --out "$TEST_TMP/mix"
check "... and leaves no results directory" [ ! -e "$TEST_TMP/mix/meta.json" ]
expect_fail "the seed query on that database still needs the tables" 1 'error: the pgpagebench tables do not exist in this database' \
	short -d appdb --offsets 0 --out "$TEST_TMP/seed-appdb"

# ---- run --threshold -----------------------------------------------------------------------------------
T=$TEST_TMP/t3
run_cmd short --offsets 0,100 --out "$T" --threshold 'qps>100000000' --threshold 'errors<1'
check "a threshold no step meets: exit 3 (rc $RC: $ERR)" [ "$RC" = 3 ]
check "... one error line" [ "$(grep -c 'error:' "$TEST_TMP/err")" = 1 ]
check "... naming the failed checks" grep -q 'error: 2 threshold checks failed (listed above)' "$TEST_TMP/err"
check "... the block lists every step with the figure, the measured value and the limit" \
	eval '[ "$(grep -Ec "^  s00[12]-threads-c1-o(0|100) +qps +[0-9.]+ qps +> 100000000.0 qps$" "$TEST_TMP/out")" = 2 ]'
check "... and not the threshold that was met" eval '! grep -q "^  s.* errors " "$TEST_TMP/out"'
q1=$(csv_col "$T/steps.csv" qps | head -1)
v=$(jq -r '.thresholds | [.passed, (.violations | length), .violations[0].step, .limits[0]] | map(tostring) | join(" ")' "$T/summary.json")
check "summary.json records the verdict ($v)" [ "$v" = "false 2 s001-threads-c1-o0 qps>100000000" ]
m1=$(jq -r '.thresholds.violations[0].measured' "$T/summary.json")
check "... measured as steps.csv holds it ($m1; steps.csv qps $q1)" awk -v a="$m1" -v b="$q1" 'BEGIN { exit !(a == b && b > 0) }'
check "... the run's files are complete all the same" [ "$(jq -r '.meta.status' "$T/summary.json")" = complete ]
run_cmd short --offsets 0 --out "$TEST_TMP/t0" --threshold 'qps > 0.1' --threshold 'errors<1' --threshold 'error_rate<=0%' \
	--threshold 'max<60s' --threshold 'validation_errors<1'
check "thresholds every step meets: exit 0 (rc $RC: $ERR)" [ "$RC" = 0 ]
check "... said in one line" grep -q '^thresholds met: 5 on each of 1 step$' "$TEST_TMP/out"
check "... and recorded" [ "$(jq -r '.thresholds.passed' "$TEST_TMP/t0/summary.json")" = true ]
run_cmd short --offsets 0 --out "$TEST_TMP/thin" --threshold 'p999<60s'
check "a p999 from a short step is not checkable, which fails the gate: exit 3 (rc $RC)" [ "$RC" = 3 ]
check "... saying why" grep -Eq '^  s001-threads-c1-o0 +p999 +[0-9]+ queries, too few for a reliable p999 \(it needs 10000\)$' "$TEST_TMP/out"
check "... recorded as not checkable" [ "$(jq -r '.thresholds.not_checkable[0].figure' "$TEST_TMP/thin/summary.json")" = p999 ]

# ---- compare --max-regression on a run made slower by dropping the test's own index ---------------------
psql_q -d appdb -c 'DROP INDEX item_created_idx' >/dev/null
S=$TEST_TMP/slow
run_cmd short -d appdb --query "$TEST_TMP/items.sql" --offsets 0,1000 --out "$S"
check "the run without the index exits 0 (rc $RC)" [ "$RC" = 0 ]
C=$TEST_TMP/cmp
run_cmd "$B" compare "$A" "$S" --out "$C" --format svg --max-regression 10% --regression-figures qps --csv "$TEST_TMP/side.csv"
check "compare --max-regression 10% on the slower run: exit 3 (rc $RC: $ERR)" [ "$RC" = 3 ]
check "... listing both steps' qps" eval '[ "$(grep -Ec "^  s00[12]-threads-c1-o(0|1000) +qps +[0-9.]+ qps +[0-9.]+ qps +[0-9.]+%$" "$TEST_TMP/out")" = 2 ]'
check "... under one error line" grep -q 'error: 2 figures of B regressed beyond 10% of A (listed above)' "$TEST_TMP/err"
check "the CSV of the side-by-side table is written beside the page and to --csv, the same" cmp -s "$C/compare.csv" "$TEST_TMP/side.csv"
check "... a header and a row per shared step" [ "$(wc -l <"$TEST_TMP/side.csv")" = 3 ]
check "... and the page links it" grep -q '<a href="compare.csv">compare.csv</a>' "$C/index.html"
qa=$(csv_col "$A/steps.csv" qps | head -1) qb=$(csv_col "$S/steps.csv" qps | head -1)
check "... its qps are the runs' steps.csv figures ($qa, $qb)" \
	[ "$(csv_col "$TEST_TMP/side.csv" qps_a | head -1) $(csv_col "$TEST_TMP/side.csv" qps_b | head -1)" = "$qa $qb" ]
run_cmd "$B" compare "$A" "$A" --out "$TEST_TMP/same" --format svg --max-regression 10% --regression-figures qps,errors
check "a run against itself does not regress: exit 0 (rc $RC: $ERR)" [ "$RC" = 0 ]
check "... said in one line" grep -q '^no regression beyond 10% in 2 shared steps$' "$TEST_TMP/out"
run_cmd "$B" compare "$A" "$S" --out "$TEST_TMP/dflt" --format svg --csv -
check "without --max-regression compare gates nothing: exit 0, the CSV on standard output (rc $RC)" \
	eval '[ "$RC" = 0 ] && grep -q "^model,query,connections,workers,offset,rate_qps,ok_a,ok_b,qps_a,qps_b,qps_ratio" "$TEST_TMP/out"'
pgpb_finish
