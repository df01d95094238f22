# Where the server time goes: run --wait-sample reads pg_stat_activity in each measured window. A wait is
# forced two ways, a pg_sleep in the query (Timeout:PgSleep) and a row another session holds locked (Lock),
# and each shows in waits.csv, summary.json, the terminal and the report; the classes of a step sum to its
# samples; the chart is drawn; a step with few samples is marked; a plain role sees its own backends and
# another role's as hidden (--wait-filter); --wait-sample off writes none.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
# waits.csv: the samples of class/event NAME in STEP
waits_n() { awk -F, -v s="$2" -v k="$3" -v n="$4" '$1 == s && $2 == k && $3 == n { print $4 }' "$1"; }

# ---- a sleep in the query: the backends wait in Timeout:PgSleep ------------------------------------
cat >"$TEST_TMP/sleep.sql" <<'SQL'
SELECT pg_sleep(0.02), $1::bigint AS o
SQL
R=$TEST_TMP/sleep
run_cmd "$B" run --query "$TEST_TMP/sleep.sql" --no-validate --pools 1,2 --offsets 0 --duration 0.6s --warmup 0 \
	--no-plot --no-progress --out "$R"
check "a sampled sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "waits.csv is written" [ -s "$R/waits.csv" ]
check "its header" [ "$(head -1 "$R/waits.csv")" = "step,kind,name,samples,share,step_samples,trusted" ]
steps=$(awk -F, 'NR > 1 { print $1 }' "$R/steps.csv" | tr '\n' ' ')
wsteps=$(awk -F, 'NR > 1 { print $1 }' "$R/waits.csv" | uniq | tr '\n' ' ')
check "waits.csv holds the steps of steps.csv, in order ('$wsteps')" [ "$wsteps" = "$steps" ]
for s in $steps; do
	total=$(awk -F, -v s="$s" '$1 == s && $2 == "class" { print $6; exit }' "$R/waits.csv")
	sum=$(awk -F, -v s="$s" '$1 == s && $2 == "class" { n += $4 } END { print n }' "$R/waits.csv")
	shares=$(awk -F, -v s="$s" '$1 == s && $2 == "class" { x += $5 } END { printf "%.4f", x }' "$R/waits.csv")
	check "$s: its classes sum to its samples ($sum of $total) and their shares to 100% ($shares)" \
		eval '[ "$total" -gt 0 ] && [ "$sum" = "$total" ] && [ "$shares" = 1.0000 ]'
	sleep_n=$(waits_n "$R/waits.csv" "$s" class Timeout)
	check "$s: the sleeping backends show in the Timeout class ($sleep_n of $total samples)" \
		awk -v a="$sleep_n" -v t="$total" 'BEGIN { exit !(a > 0 && 2 * a > t) }'
	check "$s: Timeout:PgSleep is its top wait event" \
		[ "$(awk -F, -v s="$s" '$1 == s && $2 == "event" { print $3; exit }' "$R/waits.csv")" = Timeout:PgSleep ]
	js=$(json_q "$R/summary.json" "SELECT (s->'waits'->>'samples') || ' ' || (s->'waits'->'classes'->>'Timeout')
		FROM json_array_elements(:'j'::json->'steps') s WHERE s->>'step' = '$s'")
	check "$s: summary.json's waits agree with waits.csv ('$js')" [ "$js" = "$total $sleep_n" ]
	cpu=$(awk -F, -v s="$s" '$1 == s && $3 == "CPU" { printf "%.1f%%", 100 * $4 / $6 }' "$R/waits.csv")
	check "$s: the terminal's line gives the same CPU share ($cpu)" grep -qF "  $s: cpu $cpu," "$TEST_TMP/out"
done
check "the terminal names the top wait" grep -q 'top wait Timeout:PgSleep' "$TEST_TMP/out"

run_cmd "$B" plot "$R"
check "plot draws the chart of where the server time goes (stderr: $ERR)" \
	eval '[ "$RC" = 0 ] && [ -s "$R/charts/server-waits.svg" ] && [ -s "$R/charts/server-waits.png" ]'
check "the report has the table with the Timeout column" \
	eval 'sed -n "/<section id=\"waits\">/,/<\/section>/p" "$R/index.html" | grep -q "<th>Timeout</th>"'
check "the report lists the top wait" grep -q 'Timeout:PgSleep [0-9.]*%' "$R/index.html"
s1=${steps%% *}
pct=$(awk -F, -v s="$s1" '$1 == s && $3 == "Timeout" { printf "%.1f%%", 100 * $4 / $6 }' "$R/waits.csv")
check "the report's Timeout share of $s1 is the terminal's ($pct)" \
	eval 'grep -F "$s1" "$R/index.html" | grep -F "<td>$pct</td>" >/dev/null'

# ---- a row another session holds: the backends wait in Lock -----------------------------------------
psql_q -c "CREATE TABLE waits_probe (id int PRIMARY KEY); INSERT INTO waits_probe VALUES (1)" >/dev/null
PGAPPNAME=waits-holder psql_q -c "BEGIN" -c "SELECT id FROM waits_probe FOR UPDATE" -c "SELECT pg_sleep(600)" \
	>/dev/null 2>&1 &
holder=$!
held=0
for _ in $(seq 1 300); do
	[ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waits-holder' AND wait_event = 'PgSleep'")" = 1 ] && { held=1; break; }
	psql_q -c "SELECT pg_sleep(0.05)" >/dev/null
done
check "the holder has the row locked" [ "$held" = 1 ]
cat >"$TEST_TMP/lock.sql" <<'SQL'
SELECT id FROM waits_probe WHERE id > $1::int FOR SHARE
SQL
R=$TEST_TMP/lock
# each query waits for the row until lock_timeout ends it: the step measures errors and lock waits
PGOPTIONS='-c lock_timeout=200ms' run_cmd "$B" run --query "$TEST_TMP/lock.sql" --allow-writes --no-validate \
	--pools 2 --offsets 0 --duration 0.6s --warmup 0 --no-plot --no-progress --out "$R"
psql_q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'waits-holder'" >/dev/null
wait "$holder" 2>/dev/null
s=$(awk -F, 'NR == 2 { print $1 }' "$R/steps.csv")
lock_n=$(waits_n "$R/waits.csv" "$s" class Lock)
total=$(awk -F, -v s="$s" '$1 == s && $2 == "class" { print $6; exit }' "$R/waits.csv")
check "every query timed out on the lock (exit $RC, errors $(awk -F, 'NR == 2 { print $11 }' "$R/steps.csv"))" \
	eval '[ "$RC" = 1 ] && grep -q 55P03 "$R/summary.json"'
check "the blocked backends show in the Lock class ($lock_n of $total samples)" \
	awk -v a="$lock_n" -v t="$total" 'BEGIN { exit !(a > 0 && 2 * a > t) }'
check "Lock:transactionid is the step's top wait event" \
	[ "$(awk -F, -v s="$s" '$1 == s && $2 == "event" { print $3; exit }' "$R/waits.csv")" = Lock:transactionid ]

# ---- too few samples are marked; off writes nothing -------------------------------------------------
R=$TEST_TMP/few
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.3s --warmup 0 --wait-sample 100ms --no-progress --out "$R"
s=$(awk -F, 'NR == 2 { print $1 }' "$R/steps.csv")
check "a step of a few reads is marked not trusted in waits.csv (exit $RC)" \
	eval '[ "$RC" = 0 ] && [ "$(awk -F, -v s="$s" '\''$1 == s { print $7 }'\'' "$R/waits.csv" | sort -u)" = 0 ]'
check "... in summary.json" [ "$(json_q "$R/summary.json" "SELECT s->'waits'->>'trusted' FROM json_array_elements(:'j'::json->'steps') s")" = false ]
check "... on the terminal" grep -q "  $s: .*too few to trust)" "$TEST_TMP/out"
check "... and in the report" grep -q 'too few to trust' "$R/index.html"
check "... with its interval recorded" [ "$(json_q "$R/summary.json" "SELECT (s->'waits'->>'interval_ms')::float = 100 FROM json_array_elements(:'j'::json->'steps') s")" = t ]

R=$TEST_TMP/off
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0 --wait-sample off --no-progress --out "$R"
check "--wait-sample off runs (exit $RC)" [ "$RC" = 0 ]
check "... writes no waits.csv" [ ! -e "$R/waits.csv" ]
check "... no waits in summary.json" [ "$(json_q "$R/summary.json" "SELECT count(*) FROM json_array_elements(:'j'::json->'steps') s WHERE s->'waits' IS NOT NULL")" = 0 ]
check "... no terminal lines" eval '! grep -q "where the server time goes" "$TEST_TMP/out"'
check "... no chart, and the report says why" \
	eval '[ ! -e "$R/charts/server-waits.svg" ] && grep -q "Not sampled: the run had --wait-sample off" "$R/index.html"'

# ---- a plain role: its own backends in full, another role's hidden ----------------------------------
psql_q -c "CREATE ROLE waits_plain LOGIN; GRANT SELECT ON auth_user, record, tag, pgpagebench_dataset TO waits_plain" >/dev/null
R=$TEST_TMP/plain
PGUSER=waits_plain run_cmd "$B" run --query "$TEST_TMP/sleep.sql" --no-validate --pools 1 --offsets 0 --duration 0.3s \
	--warmup 0 --no-progress --out "$R"
s=$(awk -F, 'NR == 2 { print $1 }' "$R/steps.csv")
check "a plain role sees its own backends' waits (exit $RC, Timeout $(waits_n "$R/waits.csv" "$s" class Timeout), hidden $(waits_n "$R/waits.csv" "$s" class Hidden))" \
	eval '[ "$RC" = 0 ] && [ "$(waits_n "$R/waits.csv" "$s" class Timeout)" -gt 0 ] && [ "$(waits_n "$R/waits.csv" "$s" class Hidden)" = 0 ]'
PGAPPNAME=waits-other psql_q -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
other=$!
up=0
for _ in $(seq 1 300); do
	[ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waits-other' AND wait_event = 'PgSleep'")" = 1 ] && { up=1; break; }
	psql_q -c "SELECT pg_sleep(0.05)" >/dev/null
done
R=$TEST_TMP/hidden
PGUSER=waits_plain run_cmd "$B" run --pools 1 --offsets 0 --duration 0.3s --warmup 0 --wait-filter user=postgres,app=waits-other \
	--no-progress --out "$R"
s=$(awk -F, 'NR == 2 { print $1 }' "$R/steps.csv")
hidden=$(waits_n "$R/waits.csv" "$s" class Hidden)
total=$(awk -F, -v s="$s" '$1 == s && $2 == "class" { print $6; exit }' "$R/waits.csv")
check "--wait-filter samples another role's backend, hidden from a plain role (up $up, exit $RC, hidden $hidden of $total)" \
	eval '[ "$up" = 1 ] && [ "$RC" = 0 ] && [ "$total" -gt 0 ] && [ "$hidden" = "$total" ]'
check "... and the terminal says how to see it" grep -q 'pg_read_all_stats' "$TEST_TMP/err"
psql_q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'waits-other'" >/dev/null
wait "$other" 2>/dev/null
expect_fail "a --wait-filter item that is not db, user or app is refused" 2 \
	'invalid value "host=x" for option --wait-filter: each item is db=NAME, user=NAME or app=NAME' "$B" run --wait-filter host=x

expect_fail "an interval below 1ms is refused" 2 'invalid value "0.5ms" for option --wait-sample: must be from 1ms to 10s, or off' \
	"$B" run --wait-sample 0.5ms
expect_fail "a word that is not an interval is refused" 2 'invalid value "never" for option --wait-sample' \
	"$B" run --wait-sample never
pgpb_finish
