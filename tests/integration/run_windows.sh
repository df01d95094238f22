# pgpagebench run's measured window on a private cluster: the server's counts (pg_stat_statements) are
# read at the window's edges, so every step's server_calls lies within the client's queries minus those in
# flight at the start and plus those in flight at the end, and the split is never negative beyond its
# stated error; the columns, summary.json keys and the report; and the driver-saturation flag, made
# deterministic by a test hook that stalls the event loop on every turn.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN

pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
# rows FILE COLUMN...: those columns of every data row, comma-separated, by header name
rows() {
	local f=$1
	shift
	awk -F, -v cols="$*" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; n = split(cols, c, " "); next }
		{ line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? "," : "") $h[c[k]]; print line }' "$f"
}

# window_ok FILE: every step's server_calls within ok + validation errors - inflight_start .. + inflight_end,
# inflight_end at most the connections, and rest = client mean - server mean >= -split_error_us; prints the bad
window_ok() {
	local bad="" step conns ok verr calls s e mean exec plan err rel
	[ -s "$1" ] && [ "$(wc -l <"$1")" -gt 1 ] || bad=" no-steps-in-$1"
	while IFS=, read -r step conns ok verr calls s e mean exec plan err rel; do
		[ -n "$calls" ] || { bad="$bad $step:no-server-calls"; continue; }
		[ "$calls" -ge $((ok + verr - s)) ] && [ "$calls" -le $((ok + verr + e)) ] ||
			bad="$bad $step:calls=$calls,ok=$ok,in-flight=$s/$e"
		[ "$e" -le "$conns" ] || bad="$bad $step:inflight_end=$e>conns"
		case $rel in 0 | 1) ;; *) bad="$bad $step:split_reliable=$rel" ;; esac
		awk -v m="$mean" -v x="$exec" -v p="${plan:-0}" -v err="$err" 'BEGIN { exit !(m - x - p >= -err) }' ||
			bad="$bad $step:rest<-error(mean=$mean,exec=$exec,plan=$plan,error=$err)"
	done < <(rows "$1" step connections ok validation_errors server_calls inflight_start inflight_end mean_us \
		server_mean_exec_us server_mean_plan_us split_error_us split_reliable)
	printf '%s' "$bad"
}

# ---- the window on real steps ------------------------------------------------------------------------
R=$TEST_TMP/sweep
run_cmd "$B" run --pools 1,3 --offsets 0,390 --duration 1s --warmup 0.5s --threads 2 --out "$R" --no-progress
check "sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "steps.csv has the window, split and hiccup columns in order (later columns follow them)" \
	grep -qE ',dropped,inflight_start,inflight_end,split_error_us,split_reliable,hiccup_p99_us,hiccup_max_us,driver_saturated(,|$)' "$R/steps.csv"
bad=$(window_ok "$R/steps.csv")
check "every step: server_calls within ok +- in flight, in flight at the end <= pool, rest >= -error (bad:$bad)" [ -z "$bad" ]

# hiccups_ok FILE: every step of an event-loop model has hiccup p99 <= max and a 0/1 saturation flag
hiccups_ok() {
	local bad="" step p99 max sat
	[ -s "$1" ] && [ "$(wc -l <"$1")" -gt 1 ] || bad=" no-steps-in-$1"
	while IFS=, read -r step p99 max sat; do
		[ -n "$p99" ] && [ -n "$max" ] && [ "$p99" -le "$max" ] || bad="$bad $step:hiccup($p99,$max)"
		case $sat in 0 | 1) ;; *) bad="$bad $step:driver_saturated=$sat" ;; esac
	done < <(rows "$1" step hiccup_p99_us hiccup_max_us driver_saturated)
	printf '%s' "$bad"
}
bad=$(hiccups_ok "$R/steps.csv")
check "every step has driver hiccups (p99 <= max) and a saturation flag (bad:$bad)" [ -z "$bad" ]
keys=$(json_q "$R/summary.json" "SELECT count(*) FROM jsonb_array_elements((:'j')::jsonb->'steps') s
	WHERE jsonb_typeof(s->'split_reliable') = 'boolean' AND jsonb_typeof(s->'driver_saturated') = 'boolean'
	  AND s ? 'inflight_start' AND s ? 'inflight_end' AND s ? 'hiccup_p99_us'")
check "summary.json: split_reliable and driver_saturated are booleans on every step ($keys of 4)" [ "$keys" = 4 ]

# the other models count their edges too
R2=$TEST_TMP/models
mkdir -p "$R2"
run_cmd "$B" run --model async --loops 1 --pools 4 --offsets 0 --duration 1s --warmup 0.5s --out "$R2/async" --no-progress --no-plot
check "async step exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
bad=$(window_ok "$R2/async/steps.csv")
check "async: server_calls within ok +- in flight (bad:$bad)" [ -z "$bad" ]
run_cmd "$B" run --workers 3 --pools 2 --offsets 0 --duration 1s --warmup 0.5s --out "$R2/pool" --no-progress --no-plot
check "shared-pool step exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
# pool: a worker waiting for a connection may still start a query as the window ends: in flight <= workers
pool_ok() {
	local calls ok verr s e
	IFS=, read -r calls ok verr s e < <(rows "$1" server_calls ok validation_errors inflight_start inflight_end)
	[ "$calls" -ge $((ok + verr - s)) ] && [ "$calls" -le $((ok + verr + e)) ] && [ "$e" -le 3 ]
}
check "shared pool: server_calls within ok +- in flight, in flight at the end <= workers" pool_ok "$R2/pool/steps.csv"

# ---- an unreliable split is marked, not shown as a share ------------------------------------------------
# A split whose edges are not outweighed by its queries: the report says "not reliable" for it; a reliable
# one shows a share. Which steps are which depends on the machine, so the check follows steps.csv.
report_follows_csv() {
	local n_unrel n_marked
	n_unrel=$(rows "$1/steps.csv" split_reliable | grep -c '^0$')
	n_marked=$(grep -o 'class="bad">not reliable' "$1/index.html" | wc -l)
	[ "$n_unrel" = "$n_marked" ]
}
check "the report marks exactly the steps whose split_reliable is 0" report_follows_csv "$R"

# ---- driver saturation, made deterministic ----------------------------------------------------------
# The hook sleeps 200 ms on every turn of the event loop in the window: every tick is >= 199 ms late and
# every latency is about 200 ms plus the query's, so the hiccup p99 is far above 10% of the p50.
R3=$TEST_TMP/stalled
PGPB_TEST_STALL_US=200000 run_cmd "$B" run --pools 1 --offsets 0 --duration 1s --warmup 0.2s --threads 1 \
	--out "$R3" --no-progress
check "stalled driver: run exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "stalled driver: warned on stderr" grep -q 'warning: step s001-threads-c1-o0: driver saturated: these latencies measure the client, not PostgreSQL' "$TEST_TMP/err"
check "stalled driver: steps.csv flags the step" [ "$(rows "$R3/steps.csv" driver_saturated)" = 1 ]
stalled_hiccup() {
	local p99
	p99=$(rows "$1" hiccup_p99_us)
	[ "$p99" -ge 199000 ]
}
check "stalled driver: hiccup p99 covers the stall" stalled_hiccup "$R3/steps.csv"
check "stalled driver: the summary table marks it" grep -q 's001-threads-c1-o0 .*(driver saturated)' "$TEST_TMP/out"
check "stalled driver: the report marks it" grep -q 'driver saturated: these latencies measure the client' "$R3/index.html"
why=$(json_q "$R3/summary.json" "SELECT s->>'driver_saturated_why' FROM jsonb_array_elements((:'j')::jsonb->'steps') s")
check "stalled driver: summary.json says why ($why)" grep -q 'late (hiccup p99)' <<<"$why"

pgpb_finish
