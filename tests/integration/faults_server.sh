# The server refuses or cuts the driver's work: max_connections below the pool, a statement_timeout that
# cancels every query, and the driver's own backends terminated mid-step. For each: the exit status and
# message, steps.csv and summary.json listing the same steps, and `plot` drawing what was written.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
# 13 connections: 3 reserved for superusers leave 10, fewer than a pool of 16 plus the tool's own two
pgpb_server_start --pg-setting max_connections=13 || { not_ok "server"; exit 1; }
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

# consistent DIR: steps.csv's step ids are summary.json's, in the same order
consistent() {
	local csv json
	csv=$(awk -F, 'NR > 1 { print $1 }' "$1/steps.csv" | tr '\n' ' ')
	json=$(jq -r '.steps[].step' "$1/summary.json" | tr '\n' ' ')
	[ -n "$csv" ] && [ "$csv" = "$json" ]
}
plots() { "$B" plot "$1" --format svg --quiet; }

# ---- max_connections below the pool: the step that cannot open its connections ends the run -----------
run_cmd "$B" run --pools 2,16 --offsets 0 --duration 1s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/maxconn"
check "pool above max_connections: exit 1" [ "$RC" = 1 ]
check "pool above max_connections: the server's refusal is named" grep -q "too many clients\|remaining connection slots" <<<"$ERR"
check "pool above max_connections: the hint names max_connections" grep -q "max_connections" <<<"$ERR"
check "pool above max_connections: the first step is kept" grep -q '^s001-threads-c2-o0,' "$TEST_TMP/maxconn/steps.csv"
check "pool above max_connections: steps.csv and summary.json list the same steps" consistent "$TEST_TMP/maxconn"
check "pool above max_connections: meta.json says interrupted" [ "$(jq -r .status "$TEST_TMP/maxconn/meta.json")" = interrupted ]
check "pool above max_connections: plot draws what was kept" plots "$TEST_TMP/maxconn"

# ---- statement_timeout cancels every query: no query succeeded, exit 1 with the server's reason --------
printf 'SELECT pg_sleep(0.5), $1::int\n' >"$TEST_TMP/slow.sql"
psql_q -c "ALTER ROLE CURRENT_USER SET statement_timeout = '150ms'" >/dev/null
run_cmd "$B" run --query "$TEST_TMP/slow.sql" --pools 2 --offsets 0 --duration 1s --warmup 0 --no-plot --no-progress \
	--no-validate --out "$TEST_TMP/timeout"
psql_q -c "ALTER ROLE CURRENT_USER RESET statement_timeout" >/dev/null
check "statement_timeout: exit 1" [ "$RC" = 1 ]
check "statement_timeout: the run says no query succeeded, with the server's reason" \
	grep -q "no query succeeded.*statement timeout.*57014" <<<"$ERR"
check "statement_timeout: every query counted under 57014" \
	[ "$(jq -r '.steps[0].errors_by_sqlstate["57014"] // 0' "$TEST_TMP/timeout/summary.json")" -gt 0 ]
check "statement_timeout: no query counted ok" [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ok") k = i; next } { print $k }' "$TEST_TMP/timeout/steps.csv")" = 0 ]
check "statement_timeout: steps.csv and summary.json list the same steps" consistent "$TEST_TMP/timeout"
check "statement_timeout: plot draws the step" plots "$TEST_TMP/timeout"

# ---- the driver's backends terminated mid-step: they reconnect, the losses are counted, exit 0 ---------
"$B" run --pools 4 --offsets 0 --duration 4s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/killed" \
	>"$TEST_TMP/killed.out" 2>"$TEST_TMP/killed.err" &
RUN_PID=$!
workers=0
for _ in $(seq 1 200); do # the step has started once its four worker connections are up (bounded: 20 s)
	workers=$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgpagebench run worker%'")
	[ "$workers" = 4 ] && break
	sleep 0.1
done
check "the step's four worker connections are up" [ "$workers" = 4 ]
killed=$(psql_q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'pgpagebench run worker%'")
check "four worker backends terminated" [ "$killed" = 4 ]
wait "$RUN_PID"
RC=$?
check "backends terminated: the run completes, exit 0" [ "$RC" = 0 ]
reconnects=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "reconnects") k = i; next } { print $k }' "$TEST_TMP/killed/steps.csv")
check "backends terminated: the reconnects are counted" [ "${reconnects:-0}" -ge 4 ]
check "backends terminated: the lost queries are counted as errors (admin shutdown or connection failure)" \
	jq -e '.steps[0].errors_by_sqlstate | has("57P01") or has("08006")' "$TEST_TMP/killed/summary.json"
check "backends terminated: steps.csv and summary.json list the same steps" consistent "$TEST_TMP/killed"
check "backends terminated: plot draws the step" plots "$TEST_TMP/killed"

pgpb_finish
