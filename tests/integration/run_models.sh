# The load models of pgpagebench run on a private cluster: a shared pool (W workers over P
# connections), async event loops holding 500 connections, an open-loop rate through an injected stall,
# and the seed-article preset.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start --pg-setting max_connections=520 || { not_ok "server start"; exit 1; }
B=$PGPB_BIN

"$B" schema create >/dev/null || { not_ok "schema create"; exit 1; }
psql_q <<'SQL' || { not_ok "fixture"; exit 1; }
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 'x', false, 'user' || i, '', '', 'u' || i || '@example.com', false, true, now() FROM generate_series(1, 20) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 20, NULL, 'new', timestamptz '2024-01-01' + i * interval '1 minute', 'label ' || i, 'content'
FROM generate_series(1, 200) i;
INSERT INTO tag (kind, kind_id, tag) SELECT 'rec', 1 + i % 200, 'tag' || (i % 13) FROM generate_series(1, 300) i;
UPDATE pgpagebench_dataset SET state = 'complete', scale = 0.001, seed = 1, users = 20, records = 200, tags = 300,
       checksum = 'fixture', fingerprint = 'fixture-models', finished = now();
ANALYZE;
SQL
json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
workers_now() { psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgpagebench run worker%'"; }
# workers_seen N: the driver's backends while the run in the background is measuring: polled until N are
# seen or the run has ended (a loaded machine can take longer than the step to start psql), the most seen
workers_seen() {
	local n most=0
	while kill -0 "$RUN_PID" 2>/dev/null; do
		n=$(workers_now)
		[ "${n:-0}" -gt "$most" ] && most=$n
		[ "$most" -ge "$1" ] && break
	done
	echo "$most"
}
# start_run NAME ARGS...: runs in the background with --progress, returns once it reports measuring
start_run() {
	local name=$1 line
	shift
	mkfifo "$TEST_TMP/$name.fifo"
	"$B" run --progress --out "$TEST_TMP/$name" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.fifo" &
	RUN_PID=$!
	exec 8<"$TEST_TMP/$name.fifo"
	while IFS= read -r line <&8; do
		case $line in *"measuring 1/"*) break ;; esac
	done
}
# finish_run NAME: drains the progress output, waits, leaves the exit status in $RUN_RC
finish_run() {
	cat <&8 >"$TEST_TMP/$1.err"
	exec 8<&-
	wait "$RUN_PID"
	RUN_RC=$?
}

# ---- shared pool: 4 workers over 1 connection, then over 4 -------------------------------------------
start_run pool1 --workers 4 --pools 1 --offsets 0 --duration 2s --warmup 0
backends=$(workers_seen 1)
finish_run pool1
P=$TEST_TMP/pool1
check "W=4 P=1 completes (exit $RUN_RC)" [ "$RUN_RC" = 0 ]
check "exactly one server backend served the 4 workers (saw $backends)" [ "$backends" = 1 ]
check "the step is a pool step with 4 workers and 1 connection" \
	[ "$(csv_col "$P/steps.csv" model),$(csv_col "$P/steps.csv" workers),$(csv_col "$P/steps.csv" connections)" = "pool,4,1" ]
wait_total=$(json_q "$P/summary.json" "SELECT (:'j')::jsonb->'steps'->0->'histograms'->'wait'->>'total'")
check "the pool-wait histogram holds every successful query ($wait_total)" [ "$wait_total" = "$(csv_col "$P/steps.csv" ok)" ]
check "with 4 workers on 1 connection, workers wait: wait p50 > 0" [ "$(csv_col "$P/steps.csv" wait_p50_us)" -gt 0 ]
check "the wait distribution has its .hgrm" [ -s "$P/s001-pool-w4-c1-o0.wait.hgrm" ]
run_cmd "$B" run --workers 4 --pools 4 --offsets 0 --duration 1s --warmup 0 --out "$TEST_TMP/pool4" --no-progress
w50=$(csv_col "$TEST_TMP/pool4/steps.csv" wait_p50_us); s50=$(csv_col "$TEST_TMP/pool4/steps.csv" service_p50_us)
check "P = W: the wait is near zero (wait p50 $w50 us < service p50 $s50 us / 10)" eval '[ "$RC" = 0 ] && [ $((w50 * 10)) -lt "$s50" ]'
expect_fail "a pool larger than the workers is refused" 2 'pool size 8 is larger than --workers 4' \
	"$B" run --workers 4 --pools 8 --offsets 0

# ---- a fair pool: a returned connection goes to the longest waiter ------------------------------------
# A steady query (2 ms on the server), 4 and 8 workers over 1 and 2 connections: every worker waits its
# turn, so wait p50 > 0, and the closed loop obeys Little's law: mean latency = workers / throughput,
# both from the step's own row.
steady=$TEST_TMP/steady.sql
echo 'SELECT pg_sleep(0.002), $1::int' >"$steady"
for w in 4 8; do
	run_cmd "$B" run --workers $w --pools 1,2 --offsets 0 --duration 2s --warmup 0.5s --query "$steady" \
		--out "$TEST_TMP/fair$w" --no-progress --no-plot
	steps=$(csv_col "$TEST_TMP/fair$w/steps.csv" step 2>/dev/null | tr '\n' ' ')
	check "$w workers over 1 and 2 connections: two steps ($steps; stderr: $ERR)" \
		eval '[ "$RC" = 0 ] && [ "$steps" = "s001-pool-w$w-c1-o0 s002-pool-w$w-c2-o0 " ]'
	for row in 2 3; do
		row_figures=$(awk -F, -v row=$row '
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
			NR == row && $c["ok"] > 0 { printf "%s %s %s %s %.1f\n", $c["step"], $c["wait_p50_us"], $c["wait_p99_us"],
			                                   $c["mean_us"], $c["workers"] * $c["duration_s"] / $c["ok"] * 1e6 }' \
			"$TEST_TMP/fair$w/steps.csv")
		read -r step w50 w99 mean little <<<"$row_figures"
		check "${step:-row $row}: every worker waits its turn (wait p50 ${w50:-?} us, p99 ${w99:-?} us)" \
			[ "${w50:-0}" -gt 0 ]
		check "${step:-row $row}: Little's law, mean latency ${mean:-?} us = $w workers / throughput ${little:-?} us, within 5%" \
			awk -v m="${mean:-0}" -v l="${little:-0}" 'BEGIN { exit !(m > 0 && l > 0 && m / l > 0.95 && m / l < 1.05) }'
	done
done
order=$(json_q "$TEST_TMP/fair4/meta.json" "SELECT (:'j')::jsonb->'options'->>'pool_order'")
check "fifo is the default, recorded in meta.json ($order)" [ "$order" = fifo ]
run_cmd "$B" run --workers 4 --pools 1 --pool-order lifo --offsets 0 --duration 0.5s --warmup 0 --query "$steady" \
	--out "$TEST_TMP/lifo" --no-progress --no-plot
order=$(json_q "$TEST_TMP/lifo/meta.json" "SELECT (:'j')::jsonb->'options'->>'pool_order'" 2>/dev/null)
check "--pool-order lifo runs, recorded in meta.json ($order; stderr: $ERR)" eval '[ "$RC" = 0 ] && [ "$order" = lifo ]'
expect_fail "a bad --pool-order is refused" 2 'invalid value "random" for option --pool-order: expected fifo or lifo' \
	"$B" run --workers 4 --pool-order random --offsets 0
expect_fail "--pool-order without a shared pool is refused" 2 'pool-order applies to a shared pool' \
	"$B" run --pool-order fifo --offsets 0

# ---- async: 500 connections on one loop --------------------------------------------------------------
start_run async500 --model async --loops 1 --pools 500 --offsets 0 --duration 2s --warmup 0 --query <(echo 'SELECT $1::int') -v
backends=$(workers_seen 500)
finish_run async500
A=$TEST_TMP/async500
check "async with 500 connections on one loop completes a step (exit $RUN_RC)" eval '[ "$RUN_RC" = 0 ] && [ "$(csv_col "$A/steps.csv" ok)" -gt 0 ]'
check "it used all 500 backends (saw $backends)" [ "$backends" = 500 ]
check "the step names its loop" [ "$(csv_col "$A/steps.csv" loops),$(csv_col "$A/steps.csv" step)" = "1,s001-async-l1-c500-o0" ]
fds=$(sed -n 's/.*open file descriptors: \([0-9]*\) before the sweep, \([0-9]*\) after.*/\1 \2/p' "$TEST_TMP/async500.err")
check "no file descriptor left behind ($fds)" eval '[ -n "$fds" ] && [ "${fds% *}" = "${fds#* }" ]'

# ---- open loop through a stall --------------------------------------------------------------------------
start_run stall --model async --pools 2 --rate 1000 --offsets 0 --duration 4s --warmup 0 \
	--query <(echo 'SELECT count(*) FROM auth_user WHERE id = $1::int')
psql_q -c "BEGIN" -c "LOCK TABLE auth_user IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null
finish_run stall
S=$TEST_TMP/stall
c999=$(csv_col "$S/steps.csv" p999_us); u999=$(csv_col "$S/steps.csv" uncorrected_p999_us)
check "the open-loop step completes (exit $RUN_RC)" [ "$RUN_RC" = 0 ]
check "the rate is recorded" [ "$(csv_col "$S/steps.csv" rate_qps)" = 1000.0 ]
check "corrected p99.9 shows the 1 s stall ($c999 us)" [ "$c999" -ge 900000 ]
check "uncorrected p99.9 hides it ($u999 us, far below $c999)" [ $((u999 * 4)) -lt "$c999" ]
lag99=$(csv_col "$S/steps.csv" lag_p99_us); late=$(csv_col "$S/steps.csv" late_starts)
check "schedule lag and late starts are reported (lag p99 $lag99 us, $late late starts)" eval '[ "$lag99" -gt 0 ] && [ "$late" -gt 0 ]'
check "the uncorrected distribution has its .hgrm" [ -s "$S/s001-async-l1-c2-o0-r1000.uncorrected.hgrm" ]

# ---- the seed article's two stacks --------------------------------------------------------------------
run_cmd "$B" run --preset seed-article --offsets 0,100 --duration 0.5s --warmup 0 --out "$TEST_TMP/preset" --no-progress
check "--preset seed-article runs (stderr: $ERR)" [ "$RC" = 0 ]
check "threads over a pool beside async, for each offset" \
	[ "$(csv_col "$TEST_TMP/preset/steps.csv" model | tr '\n' ' ')" = "pool async pool async " ]
check "the summary shows them side by side" [ "$(grep -c -E '^s00[1-4]-(pool|async)-' "$TEST_TMP/out")" = 4 ]
pgpb_finish
