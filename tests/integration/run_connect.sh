# run --connect-per-request (-C, as pgbench): every request opens its own connection and closes it. The
# connects equal the requests, the connect and query times in steps.csv and summary.json agree with each
# other and with the latency (which counts from the connect), no backend is left behind, and connections
# the server refuses in the middle of a step are counted as errors by SQLSTATE, not a crash.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "dataset"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
workers_now() { psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgpagebench run worker'"; }
# no_workers_left: the driver's backends are gone (a backend exits just after its client closed: polled,
# 10 s at most)
no_workers_left() {
	local i
	for i in $(seq 100); do
		[ "$(workers_now)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# rows_agree DIR: for every step, steps.csv and summary.json give the same connects and connect and query
# figures, the connect distribution holds one sample a connect, every request that got an answer
# connected, and the mean latency is the mean connect plus the mean query (plus, in a shared pool, the mean
# wait for a slot; each sample rounded to the microsecond on its own: 1 us apart at most, 2 with a wait).
# Prints the first disagreement.
rows_agree() {
	local dir=$1 n i
	n=$(($(wc -l <"$dir/steps.csv") - 1))
	for i in $(seq 0 $((n - 1))); do
		local row=$((i + 2)) csv json
		csv=$(awk -F, -v row=$row 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
			NR == row { printf "%s %s %s %s %s %s %s %s %s %s %s", $c["connects"], $c["connect_errors"], $c["ok"],
				$c["errors"], $c["validation_errors"], $c["connect_p50_us"], $c["connect_p99_us"], $c["query_p50_us"],
				$c["connect_mean_us"], $c["query_mean_us"], $c["mean_us"]
				printf " %s", $c["wait_mean_us"] == "" ? "-" : $c["wait_mean_us"] }' "$dir/steps.csv")
		json=$(json_q "$dir/summary.json" "SELECT concat_ws(' ', s->>'connects', s->>'connect_errors', s->>'ok',
			s->>'errors', s->>'validation_errors', s->>'connect_p50_us', s->>'connect_p99_us', s->>'query_p50_us',
			s->'histograms'->'connect'->>'total', s->'histograms'->'query'->>'total',
			round((s->>'connect_mean_us')::numeric, 1), round((s->>'query_mean_us')::numeric, 1),
			round((s->>'mean_us')::numeric, 1), coalesce(round((s->>'wait_mean_us')::numeric, 1)::text, '-'))
			FROM (SELECT (:'j')::jsonb->'steps'->$i s) x")
		local cn ce ok er ve c50 c99 q50 cm qm lm wm jcn jce jok jer jve jc50 jc99 jq50 hc hq jcm jqm jlm jwm
		read -r cn ce ok er ve c50 c99 q50 cm qm lm wm <<<"$csv"
		read -r jcn jce jok jer jve jc50 jc99 jq50 hc hq jcm jqm jlm jwm <<<"$json"
		if [ -z "$q50" ] || [ "$ok" = 0 ]; then
			echo "step $i: no query answered in the window, no connect or query time ($csv)"
			return 1
		fi
		# the means: steps.csv rounds to 0.1 us, and the two sides may round a half apart
		if [ "$cn $ce $ok $er $ve $c50 $c99 $q50" != "$jcn $jce $jok $jer $jve $jc50 $jc99 $jq50" ] ||
			! awk -v a="$cm $qm $lm $wm" -v b="$jcm $jqm $jlm $jwm" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
				for (i = 1; i <= n; i++) if (x[i] - y[i] > 0.1 || y[i] - x[i] > 0.1 || (x[i] == "-") != (y[i] == "-")) exit 1 }'; then
			echo "step $i: steps.csv ($csv) and summary.json ($json) disagree"
			return 1
		fi
		if [ "$hc" != "$cn" ] || [ "$hq" != "$ok" ]; then
			echo "step $i: the connect histogram holds $hc samples for $cn connects, the query one $hq for $ok queries"
			return 1
		fi
		if [ "$cn" != $((ok + ve + er - ce)) ]; then
			echo "step $i: $cn connects for $ok ok + $ve validation errors + $er errors ($ce of them connects)"
			return 1
		fi
		if ! awk -v l="$lm" -v c="$cm" -v q="$qm" -v w="$wm" 'BEGIN { d = l - c - q - (w == "-" ? 0 : w); exit !(d <= 2 && d >= -2) }'; then
			echo "step $i: mean latency $lm is not the mean connect $cm plus the mean query $qm (plus the mean wait $wm)"
			return 1
		fi
	done
}

# ---- -C at pools 1 and 4: the event loops ------------------------------------------------------------
R=$TEST_TMP/c
run_cmd "$B" run -C --pools 1,4 --offsets 0 --duration 0.5s --warmup 0.2s --no-plot --no-progress --out "$R" -v
check "run -C at pools 1 and 4 exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "two steps, no error" [ "$(csv_col "$R/steps.csv" errors | tr "\n" " ")" = "0 0 " ]
check "a request a connection: connects = ok on every step" \
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["connects"] != $c["ok"] || $c["ok"] == 0' "$R/steps.csv")" = "" ]
check "connect and query times agree between steps.csv and summary.json and add up to the latency" rows_agree "$R"
check "meta.json records the option" [ "$(json_q "$R/meta.json" "SELECT (:'j')::jsonb->'options'->>'connect_per_request'")" = true ]
check "the terminal table shows the connect beside the query" grep -q '^step .* p50_ms .* conn_p50 query_p50 ' "$TEST_TMP/out"
check "the server counted sessions in the window (pg_stat_database.sessions)" \
	[ "$(csv_col "$R/steps.csv" db_sessions | grep -c "^[0-9][0-9]*$")" = 2 ]
check "no backend of the driver is left once the run is over" no_workers_left
fds=$(sed -n 's/.*open file descriptors: \([0-9]*\) before the sweep, \([0-9]*\) after.*/\1 \2/p' <<<"$ERR")
check "no file descriptor left behind by the connections opened and closed ($fds)" eval '[ -n "$fds" ] && [ "${fds% *}" = "${fds#* }" ]'
check "no reconnect is counted: a new connection a request is not a reconnect" \
	[ "$(csv_col "$R/steps.csv" reconnects | sort -u)" = 0 ]

# kept connections: the columns stay empty
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/kept"
check "kept connections: the connect columns are empty (exit $RC)" \
	[ "$RC,$(csv_col "$TEST_TMP/kept/steps.csv" connects),$(csv_col "$TEST_TMP/kept/steps.csv" connect_p50_us)" = "0,," ]

# the report: the steps table shows the connects and both times, the chart draws them (kept: skipped)
run_cmd "$B" plot "$R" --format svg
check "plot of the -C run exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "the connect-vs-query chart is drawn" [ -s "$R/charts/connect-vs-query.svg" ]
check "the chart holds connect and query, p50 and p99 (one offset)" \
	[ "$(grep -c '>\(connect\|query\) p\(50\|99\)</text>' "$R/charts/connect-vs-query.svg")" = 4 ]
c50=$(csv_col "$R/steps.csv" connect_p50_us | head -1)
check "the report's steps table shows the connects and steps.csv's connect p50 ($c50 us)" \
	eval 'grep -q "connects (server sessions)" "$R/index.html" && grep -q "<td>$(awk -v v="$c50" "BEGIN { printf \"%.3f ms\", v / 1000 }")</td>" "$R/index.html"'
run_cmd "$B" plot "$TEST_TMP/kept" --format svg
check "kept connections: the chart is skipped, saying why" grep -q '^skipped connect-vs-query: .*--connect-per-request' "$TEST_TMP/out"

# ---- the shared pool: the pool's connections are slots ------------------------------------------------
P=$TEST_TMP/pool
run_cmd "$B" run --connect-per-request --workers 2 --pools 1,2 --offsets 0 --protocol simple --duration 0.5s \
	--warmup 0.2s --no-plot --no-progress --out "$P"
check "run -C with 2 workers over 1 and 2 slots exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "pool: connects = ok, and the figures agree" rows_agree "$P"
check "pool: no backend left" no_workers_left

# ---- connections refused mid-step: counted by SQLSTATE -------------------------------------------------
psql_q -c "CREATE ROLE capped LOGIN; GRANT SELECT ON auth_user, record, tag, pgpagebench_dataset TO capped"
mkfifo "$TEST_TMP/refused.fifo"
"$B" run -U capped -C --pools 2 --offsets 0 --duration 60s --warmup 0 --no-plot --progress \
	--out "$TEST_TMP/refused" >"$TEST_TMP/refused.out" 2>"$TEST_TMP/refused.fifo" &
RUN_PID=$!
exec 8<"$TEST_TMP/refused.fifo"
# once a second of the window has answered queries, the role's new connections are refused
capped=0 erred=0
while IFS= read -r line <&8; do
	printf '%s\n' "$line" >>"$TEST_TMP/refused.err"
	if [ $capped = 0 ] && [[ $line =~ measuring.*\ ([0-9]+)\ qps ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
		capped=1
		psql_q -c "ALTER ROLE capped CONNECTION LIMIT 0"
	elif [ $capped = 1 ] && [[ $line =~ measuring.*\ ([0-9]+)\ errors? ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
		erred=1
		break
	fi
done
kill -INT "$RUN_PID"
cat <&8 >>"$TEST_TMP/refused.err"
exec 8<&-
wait "$RUN_PID"
RUN_RC=$?
psql_q -c "ALTER ROLE capped CONNECTION LIMIT -1"
F=$TEST_TMP/refused
check "the refused connects showed as errors while the step ran" [ "$erred" = 1 ]
check "interrupted, the run exits 130 and keeps the step (exit $RUN_RC: $(tail -3 "$TEST_TMP/refused.err"))" \
	[ "$RUN_RC,$(csv_col "$F/steps.csv" partial)" = "130,1" ]
errs=$(csv_col "$F/steps.csv" errors)
check "the errors are the refused connects ($errs errors)" \
	eval '[ "$errs" -gt 0 ] && [ "$(csv_col "$F/steps.csv" connect_errors)" = "$errs" ]'
check "counted under SQLSTATE 53300 (too many connections for the role)" \
	[ "$(json_q "$F/summary.json" "SELECT (:'j')::jsonb->'steps'->0->'errors_by_sqlstate'->>'53300'")" = "$errs" ]
check "the server's refusal is quoted" grep -q 'could not connect: .*too many connections for role "capped"' "$TEST_TMP/refused.err"
check "the refused step's figures agree (connects = ok, times in both files)" rows_agree "$F"
check "refused: no backend left" no_workers_left

pgpb_finish
