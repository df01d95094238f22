# pgpagebench run on a private cluster with a small dataset: a 2-pool x 3-offset sweep whose every file is
# read back and cross-checked, validation catching a wrong ORDER BY, a bad query failing fast, protocols,
# the offset mix, a lost connection re-established, and usage errors.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN

# The dataset, made with SQL (tests/lib.sh): 400 top-level records (343 of them 'new'), children, tags.
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

# json_q FILE SQL: runs SQL with the file's JSON as :'j' (the server parses it: no extra tools needed)
json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
# csv_col FILE COLUMN: that column of every data row, by header name
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }

# ---- the sweep -------------------------------------------------------------------------------------
R=$TEST_TMP/sweep
run_cmd "$B" run --pools 1,3 --offsets 0,100,390 --duration 1s --warmup 0 --threads 2 --out "$R" --no-progress
check "2-pool x 3-offset sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "the summary table has a row a step" [ "$(grep -c '^s00[1-6]-threads-c[13]-o' "$TEST_TMP/out")" = 6 ]
check "stdout names the results directory" grep -q "results: $R" "$TEST_TMP/out"
check "steps.csv has one row a step" [ "$(($(wc -l <"$R/steps.csv") - 1))" = 6 ]
check "steps.csv keeps the documented columns" \
	grep -q '^step,model,query,connections,workers,loops,offset,rate_qps,duration_s,ok,errors,validation_errors,reconnects,qps,min_us,mean_us,stddev_us,p50_us,p90_us,p95_us,p99_us,p999_us,max_us,' "$R/steps.csv"
check "steps are in pool-major order" [ "$(csv_col "$R/steps.csv" step | tr '\n' ' ')" = \
	"s001-threads-c1-o0 s002-threads-c1-o100 s003-threads-c1-o390 s004-threads-c3-o0 s005-threads-c3-o100 s006-threads-c3-o390 " ]
bad=""
while IFS=, read -r step ok errors verrors p50 p99 max min partial; do
	[ "$ok" -gt 0 ] || bad="$bad $step:no-queries"
	[ "$errors" = 0 ] && [ "$verrors" = 0 ] || bad="$bad $step:errors"
	[ "$partial" = 0 ] || bad="$bad $step:partial"
	[ "$min" -le "$p50" ] && [ "$p50" -le "$p99" ] && [ "$p99" -le "$max" ] || bad="$bad $step:min<=p50<=p99<=max"
	iv=$(awk -F, -v s="$step" '$1 == s { q += $3; e += $4; v += $8; n++ } END { print q + 0, e + 0, v + 0, n + 0 }' "$R/intervals.csv")
	[ "$iv" = "$ok $errors $verrors 1" ] || bad="$bad $step:intervals($iv)"
	[ -s "$R/$step.hgrm" ] || bad="$bad $step:no-hgrm"
	total=$(sed -n 's/.*Total count *= *\([0-9]*\).*/\1/p' "$R/$step.hgrm")
	[ "$total" = "$ok" ] || bad="$bad $step:hgrm-total($total)"
	hok=$(json_q "$R/summary.json" "SELECT s->'histograms'->'latency'->>'total' || ' ' ||
		(SELECT sum((b->>1)::bigint) FROM jsonb_array_elements(s->'histograms'->'latency'->'buckets') b)
		FROM jsonb_array_elements((:'j')::jsonb->'steps') s WHERE s->>'step' = '$step'")
	[ "$hok" = "$ok $ok" ] || bad="$bad $step:summary-histogram($hok)"
done < <(paste -d, <(csv_col "$R/steps.csv" step) <(csv_col "$R/steps.csv" ok) <(csv_col "$R/steps.csv" errors) \
	<(csv_col "$R/steps.csv" validation_errors) <(csv_col "$R/steps.csv" p50_us) <(csv_col "$R/steps.csv" p99_us) \
	<(csv_col "$R/steps.csv" max_us) <(csv_col "$R/steps.csv" min_us) <(csv_col "$R/steps.csv" partial))
check "every step: queries ran, intervals sum to the step, histogram total = ok, p50 <= p99 <= max (bad:$bad)" [ -z "$bad" ]
check "a .hgrm table a step, in HdrHistogram's layout" grep -q '^       Value     Percentile TotalCount 1/(1-Percentile)' "$R/s001-threads-c1-o0.hgrm"
check "steps ran with their connections (server side)" [ "$(csv_col "$R/steps.csv" connections | tr '\n' ' ')" = "1 1 1 3 3 3 " ]
check "pg_stat_statements calls recorded for every step" [ "$(csv_col "$R/steps.csv" server_calls | grep -c '^[1-9]')" = 6 ]
check "pg_stat_database counters recorded" [ "$(csv_col "$R/steps.csv" db_xact_commit | grep -c '^[0-9]')" = 6 ]
check "client CPU recorded" [ "$(csv_col "$R/steps.csv" cpu_per_query_us | grep -c '^[0-9]')" = 6 ]
meta=$(json_q "$R/meta.json" "SELECT concat_ws(' ', j->>'status', j->'dataset'->>'fingerprint', j->'query'->>'name',
	j->'query'->>'sha256' = encode(sha256(convert_to(j->'query'->>'text', 'UTF8')), 'hex'),
	j->'server'->'settings'->>'max_connections' IS NOT NULL, j->'host'->>'cpus' IS NOT NULL,
	j->>'command_line' LIKE 'pgpagebench run --pools 1,3 %') FROM (SELECT (:'j')::jsonb AS j) x")
check "meta.json: complete, dataset fingerprint, query and its sha256, settings, command line ($meta)" \
	[ "$meta" = "complete fixture-0.001 seed t t t t" ]
check "summary.json holds meta and the six steps" [ "$(json_q "$R/summary.json" "SELECT jsonb_array_length((:'j')::jsonb->'steps') || ' ' || ((:'j')::jsonb->'meta'->>'status')")" = "6 complete" ]
check "the query's text in meta.json is the seed query" \
	[ "$(json_q "$R/meta.json" "SELECT (:'j')::jsonb->'query'->>'text' LIKE '%ORDER BY r.updated DESC%LIMIT 10 OFFSET \$1'")" = t ]
expect_fail "a second run into the same directory is refused" 1 'already holds a run' "$B" run --pools 1 --offsets 0 --duration 0.1s --warmup 0 --out "$R"

# ---- validation ----------------------------------------------------------------------------------
cat >"$TEST_TMP/asc.sql" <<'SQL'
SELECT r.id, r.updated, u.username, ARRAY_AGG(t.tag) tag, COUNT(*) OVER() cnt
FROM record r JOIN auth_user u ON u.id = r.auth_user_id
LEFT JOIN tag t ON t.kind_id = r.id AND t.kind = 'rec'
WHERE r.parent_id IS NULL AND r.status = 'new'
GROUP BY r.id, u.username ORDER BY r.updated ASC LIMIT 10 OFFSET $1;
SQL
run_cmd "$B" run --pools 2 --offsets 0,100 --duration 0.5s --warmup 0 --query "$TEST_TMP/asc.sql" --validate --out "$TEST_TMP/asc" --no-progress
check "a query sorting ascending fails validation (--validate: a FILE's pages are checked too): exit 1" [ "$RC" = 1 ]
check "the failure is named" grep -q 'validation error: offset 0: row 2: updated increases' "$TEST_TMP/err"
asc_ok=$(csv_col "$TEST_TMP/asc/steps.csv" ok | tr '\n' ' ')
asc_verr=$(csv_col "$TEST_TMP/asc/steps.csv" validation_errors | grep -c '^[1-9]')
asc_err=$(csv_col "$TEST_TMP/asc/steps.csv" errors | tr '\n' ' ')
check "validation errors are counted apart, no page counted ok (ok '$asc_ok', steps with validation errors $asc_verr, errors '$asc_err')" \
	eval '[ "$asc_ok" = "0 0 " ] && [ "$asc_verr" = 2 ] && [ "$asc_err" = "0 0 " ]'
run_cmd "$B" run --pools 2 --offsets 0 --duration 0.3s --warmup 0 --query "$TEST_TMP/asc.sql" --no-validate --out "$TEST_TMP/asc2" --no-progress
check "--no-validate runs it" eval '[ "$RC" = 0 ] && [ "$(csv_col "$TEST_TMP/asc2/steps.csv" validation_errors)" = 0 ]'
sed 's/u\.username,/u.no_such_column,/' "$TEST_TMP/asc.sql" >"$TEST_TMP/missing.sql"
expect_fail "a query naming a missing column fails at once with the server's message" 1 \
	'query "missing.sql" does not run: column u.no_such_column does not exist' \
	timeout 60 "$B" run --pools 2 --offsets 0 --duration 30s --query "$TEST_TMP/missing.sql" --out "$TEST_TMP/missing"
check "... and leaves no results directory behind" [ ! -e "$TEST_TMP/missing/meta.json" ]

# ---- protocols and the offset mix ----------------------------------------------------------------
for p in simple extended; do
	run_cmd "$B" run --pools 2 --offsets 5 --offset-mix page1=50 --duration 0.5s --warmup 0 --protocol $p --out "$TEST_TMP/$p" --no-progress
	offs=$(csv_col "$TEST_TMP/$p/steps.csv" offset | tr '\n' ' ')
	nok=$(csv_col "$TEST_TMP/$p/steps.csv" ok | grep -c '^[1-9]')
	check "--protocol $p with an offset mix passes validation (offsets '$offs', steps with ok queries $nok; stderr: $ERR)" \
		eval '[ "$RC" = 0 ] && [ "$offs" = "5 mix " ] && [ "$nok" = 2 ]'
done
psql_q -c 'SELECT pg_stat_statements_reset()' >/dev/null
run_cmd "$B" run --pools 1 --offset-mix page1=0 --duration 0.5s --warmup 0 --out "$TEST_TMP/deep" --no-progress
check "an offset mix without page one reads deeper pages (server side: the query ran with several offsets)" \
	eval '[ "$RC" = 0 ] && [ "$(csv_col "$TEST_TMP/deep/steps.csv" offset)" = mix ]'

# ---- a lost connection is re-established and counted -----------------------------------------------
fifo=$TEST_TMP/progress.fifo
mkfifo "$fifo"
"$B" run --pools 2 --offsets 0 --duration 3s --warmup 0 --out "$TEST_TMP/lost" --progress >"$TEST_TMP/lost.out" 2>"$fifo" &
pid=$!
while IFS= read -r line; do
	case $line in *"measuring 1/"*) break ;; esac
done <"$fifo"
psql_q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'pgpagebench run worker%'" >/dev/null
cat "$fifo" >"$TEST_TMP/lost.err"
wait $pid
rc=$?
check "killed backends do not end the run (exit $rc)" [ "$rc" = 0 ]
check "the lost connections are re-established and counted" [ "$(csv_col "$TEST_TMP/lost/steps.csv" reconnects)" -ge 1 ]
# a backend killed while a query is in flight answers 57P01 (admin shutdown); one killed between queries is
# found closed at the next send (08006, connection failure): either is the loss, counted by its SQLSTATE
check "the failed queries count as errors by SQLSTATE" \
	[ "$(json_q "$TEST_TMP/lost/summary.json" "SELECT coalesce(((:'j')::jsonb->'steps'->0->'errors_by_sqlstate'->>'57P01')::int, 0) + coalesce(((:'j')::jsonb->'steps'->0->'errors_by_sqlstate'->>'08006')::int, 0) >= 1")" = t ]

# ---- SIGINT mid-step: the finished steps stay, the cut one is marked partial, exit 130 -------------------
fifo2=$TEST_TMP/int.fifo
mkfifo "$fifo2"
"$B" run --pools 1 --offsets 0,10,20 --duration 3s --warmup 0 --out "$TEST_TMP/int" --progress >"$TEST_TMP/int.out" 2>"$fifo2" &
pid=$!
while IFS= read -r line; do
	case $line in *"step 2/3"*"measuring"*) break ;; esac
done <"$fifo2"
kill -INT $pid
cat "$fifo2" >"$TEST_TMP/int.err"
wait $pid
rc=$?
I=$TEST_TMP/int
check "SIGINT mid-run exits 130 (got $rc)" [ "$rc" = 130 ]
check "stdout says where the results are" grep -q "interrupted: 2 steps written to $I (the last one partial)" "$TEST_TMP/int.out"
int_steps=$(csv_col "$I/steps.csv" step | tr '\n' ' ')
int_partial=$(csv_col "$I/steps.csv" partial | tr '\n' ' ')
check "steps.csv keeps the finished step and marks the cut one partial (steps '$int_steps', partial '$int_partial')" \
	eval '[ "$int_steps" = "s001-threads-c1-o0 s002-threads-c1-o10 " ] && [ "$int_partial" = "0 1 " ]'
check "the partial step measured less than its duration" awk -F, 'NR == 3 { exit !($9 < 3) }' "$I/steps.csv"
check "intervals of the partial step sum to its total" [ "$(awk -F, '$1 ~ /s002/ { q += $3 } END { print q + 0 }' "$I/intervals.csv")" = "$(csv_col "$I/steps.csv" ok | sed -n 2p)" ]
int_status=$(json_q "$I/meta.json" "SELECT (:'j')::jsonb->>'status'")
int_nsteps=$(json_q "$I/summary.json" "SELECT jsonb_array_length((:'j')::jsonb->'steps')")
check "meta.json and summary.json are readable and say interrupted (status '$int_status', $int_nsteps steps)" \
	eval '[ "$int_status" = interrupted ] && [ "$int_nsteps" = 2 ]'
check "both .hgrm files are complete" [ "$(cat "$I"/*.hgrm | grep -c 'Total count')" = 2 ]

# ---- refusals and usage errors -------------------------------------------------------------------
psql_q -c "UPDATE pgpagebench_dataset SET state = 'loading'"
expect_fail "an incomplete dataset is refused" 1 'dataset is incomplete' "$B" run --pools 1 --offsets 0 --duration 0.1s --out "$TEST_TMP/inc"
psql_q -c "UPDATE pgpagebench_dataset SET state = 'complete'"
expect_fail "bad --protocol" 2 'invalid value "fast" for option --protocol' "$B" run --protocol fast
expect_fail "bad --offset-mix" 2 'invalid value "page1=120" for option --offset-mix' "$B" run --offset-mix page1=120
expect_fail "bad --pools" 2 'invalid value "0" for option --pools' "$B" run --pools 0
expect_fail "bad --duration" 2 'invalid value "soon" for option --duration' "$B" run --duration soon
expect_fail "query with two parameters" 1 'has 2 parameters' "$B" run --query <(echo 'SELECT $1::int + $2::int') --pools 1 --duration 0.1s --out "$TEST_TMP/two"
pgpb_finish
