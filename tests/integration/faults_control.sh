# The control connection under faults: a server restarted (fast and immediate), stopped for 5 s, stopped for
# good, and the control session terminated, each mid-run; a lock held on `record` while the run waits and
# while it runs (SIGINT must end the run with the lock still held, and a long wait says what it waits for);
# and a plain role: `run` with SELECT on the three tables only, `schema create` and `datagen` into a schema
# the role owns without CREATE on the database.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN

# ---- a server the test may restart --------------------------------------------------------------------
# `pgpagebench server` removes its cluster when the postmaster exits, so a restart needs a kept cluster
# (server --keep), driven with pg_ctl as the cluster's owner.
KEPT_DIR=""
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgctl() { as_owner "$(pg_config --bindir)/pg_ctl" -D "$KEPT_DIR/data" -l "$KEPT_DIR/pgctl.log" "$@" >/dev/null; }
# pg_ctl start with the settings the cluster was started with (restart reads them itself; start does not)
pgctl_start() { pgctl start -o "$(sed 's/^[^ ]* //' "$KEPT_DIR/data/postmaster.opts")"; }
kept_cleanup() {
	if [ -n "$KEPT_DIR" ]; then
		pgctl stop -m immediate 2>/dev/null
		rm -rf "$KEPT_DIR"
	fi
	rm -rf "$TEST_TMP"
}
trap kept_cleanup EXIT
"$B" server --keep >"$TEST_TMP/kept.out" 2>"$TEST_TMP/kept.err" || { not_ok "server --keep: $(cat "$TEST_TMP/kept.err")"; exit 1; }
KEPT_DIR=$(sed -n 's/^temporary cluster left running in //p' "$TEST_TMP/kept.out")
conninfo=$(sed -n 's/^conninfo: //p' "$TEST_TMP/kept.out")
export PGHOST=$(printf '%s\n' "$conninfo" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
export PGPORT=$(printf '%s\n' "$conninfo" | sed -n 's/.*port=\([^ ]*\).*/\1/p')
export PGUSER=postgres PGDATABASE=postgres
check "a kept cluster to restart" [ -d "$KEPT_DIR/data" ]
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }

# ---- a run in the background, its stderr read line by line -------------------------------------------
BG_PID="" BG_NAME="" DRAIN_PID=""
# bg_start NAME ARGS...: pgpagebench ARGS in the background; stdout in NAME.out, stderr kept in NAME.err
bg_start() {
	BG_NAME=$1; shift
	mkfifo "$TEST_TMP/$BG_NAME.fifo"
	: >"$TEST_TMP/$BG_NAME.err"
	"$B" "$@" >"$TEST_TMP/$BG_NAME.out" 2>"$TEST_TMP/$BG_NAME.fifo" &
	BG_PID=$!
	exec 6<"$TEST_TMP/$BG_NAME.fifo"
}
# bg_line PATTERN SECONDS: reads stderr until a line matches the glob PATTERN; 1 when none did in SECONDS
bg_line() {
	local line end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ] && IFS= read -r -t $((end - SECONDS)) line <&6; do
		printf '%s\n' "$line" >>"$TEST_TMP/$BG_NAME.err"
		case $line in $1) return 0 ;; esac
	done
	return 1
}
# bg_drain: the rest of stderr goes to NAME.err in the background
bg_drain() {
	cat <&6 >>"$TEST_TMP/$BG_NAME.err" &
	DRAIN_PID=$!
	exec 6<&-
}
bg_running() { [ -e "/proc/$BG_PID" ] && [ "$(awk '{ print $3 }' "/proc/$BG_PID/stat" 2>/dev/null)" != Z ]; }
# bg_end SECONDS: waits (polling) at most SECONDS for the run to exit; BG_RC = its status, or "running"
bg_end() {
	local end=$((SECONDS + $1))
	while bg_running && [ $SECONDS -lt $end ]; do sleep 0.1; done
	if bg_running; then
		BG_RC=running
		return
	fi
	wait "$BG_PID"
	BG_RC=$?
	[ -z "$DRAIN_PID" ] || wait "$DRAIN_PID"
	DRAIN_PID=""
	BG_ERR=$(cat "$TEST_TMP/$BG_NAME.err")
}
# bg_finish: the run must end now (the fault is over): drain, wait, BG_RC
bg_finish() {
	[ -n "$DRAIN_PID" ] || bg_drain
	bg_end 120
	if [ "$BG_RC" = running ]; then
		kill -KILL "$BG_PID"
		bg_end 10
		BG_RC=killed
	fi
}
# files_agree DIR N: steps.csv and summary.json list the same N steps, and plot draws them
files_agree() {
	local rows json
	rows=$(csv_col "$1/steps.csv" step | tr '\n' ' ')
	json=$(json_q "$1/summary.json" "SELECT string_agg(s->>'step', ' ' ORDER BY o) || ' '
		FROM jsonb_array_elements((:'j')::jsonb->'steps') WITH ORDINALITY AS x(s, o)")
	[ "$(csv_col "$1/steps.csv" step | wc -l)" = "$2" ] && [ "$rows" = "$json" ] &&
		"$B" plot "$1" --quiet >/dev/null 2>"$TEST_TMP/plot.err"
}
RUN3="run --pools 1 --offsets 0,10,20 --duration 2s --warmup 0 --threads 1 --no-plot --progress"

# ---- a fault mid-step: the control connection comes back, every step is written -------------------------
# restarted NAME DESC CMD...: CMD (the fault) while step 1 of 3 measures; the run must finish all three
restarted() {
	local name=$1 desc=$2; shift 2
	bg_start "$name" $RUN3 --out "$TEST_TMP/$name"
	if bg_line '*step 1/3*measuring*' 60; then
		"$@"
	else
		not_ok "$desc: the run never reached its first step"
	fi
	bg_finish
	check "$desc: the run goes on and exits 0 (exit $BG_RC; stderr: $BG_ERR)" [ "$BG_RC" = 0 ]
	check "$desc: the control connection is re-established" grep -q 're-established the control connection after' "$TEST_TMP/$name.err"
	check "$desc: steps.csv and summary.json hold the 3 steps, and plot draws them" files_agree "$TEST_TMP/$name" 3
	check "$desc: the steps after the fault measured queries" [ "$(csv_col "$TEST_TMP/$name/steps.csv" ok | tail -1)" -gt 0 ]
	check "$desc: the last step has the server's counters (read on the control connection)" \
		[ -n "$(csv_col "$TEST_TMP/$name/steps.csv" db_xact_commit | tail -1)" ]
	check "$desc: meta.json says complete" [ "$(json_q "$TEST_TMP/$name/meta.json" "SELECT (:'j')::jsonb->>'status'")" = complete ]
}
restarted fast "pg_ctl restart -m fast" pgctl restart -m fast
restarted immediate "pg_ctl restart -m immediate" pgctl restart -m immediate
terminate_control() {
	psql_q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgpagebench run'" >/dev/null
}
restarted terminated "control session terminated" terminate_control

# a 5 s stop: the server goes down mid-step and comes back 5 s after the run noticed (the length of the
# fault, not a synchronisation: the run's own line says it is waiting)
stop5() {
	pgctl stop -m fast
	bg_line '*lost the control connection*reconnecting*' 60 || not_ok "5 s stop: the run does not say it lost the control connection"
	sleep 5
	pgctl_start
}
restarted stop5 "a 5 s stop" stop5

# a server that stays away past --reconnect-timeout: the run ends with the finished steps, exit 1
bg_start gone $RUN3 --reconnect-timeout 1s --out "$TEST_TMP/gone"
if bg_line '*step 1/3*measuring*' 60; then
	pgctl stop -m fast
else
	not_ok "server gone: the run never reached its first step"
fi
bg_finish
pgctl_start
check "server gone past --reconnect-timeout: exit 1 (exit $BG_RC; stderr: $BG_ERR)" [ "$BG_RC" = 1 ]
check "server gone: the message says the control connection did not come back within 1 s" \
	grep -q 'error: could not re-establish the control connection within 1 s' "$TEST_TMP/gone.err"
check "server gone: one error line" [ "$(grep -c 'pgpagebench: error:' "$TEST_TMP/gone.err")" = 1 ]
check "server gone: stdout keeps the steps so far" grep -q "stopped after 1 step; results so far in $TEST_TMP/gone" "$TEST_TMP/gone.out"
check "server gone: the finished step is kept in both files, and plot draws it" files_agree "$TEST_TMP/gone" 1
check "server gone: meta.json says interrupted" [ "$(json_q "$TEST_TMP/gone/meta.json" "SELECT (:'j')::jsonb->>'status'")" = interrupted ]
expect_fail "--reconnect-timeout takes a duration" 2 'invalid value "soon" for option --reconnect-timeout' "$B" run --reconnect-timeout soon

# ---- a lock on record ----------------------------------------------------------------------------------
LOCK_PSQL=""
# lock_take: a psql session holds ACCESS EXCLUSIVE on record until lock_release; LOCK_HOLDER = its pid
lock_take() {
	rm -f "$TEST_TMP/lock.in"
	mkfifo "$TEST_TMP/lock.in"
	psql -X -q -v ON_ERROR_STOP=1 <"$TEST_TMP/lock.in" >"$TEST_TMP/lock.out" 2>&1 &
	LOCK_PSQL=$!
	exec 7>"$TEST_TMP/lock.in"
	echo "BEGIN; LOCK TABLE record IN ACCESS EXCLUSIVE MODE;" >&7
	local end=$((SECONDS + 30))
	LOCK_HOLDER=""
	while [ -z "$LOCK_HOLDER" ] && [ $SECONDS -lt $end ]; do
		LOCK_HOLDER=$(psql_q -c "SELECT pid FROM pg_locks WHERE relation = 'record'::regclass AND mode = 'AccessExclusiveLock' AND granted")
		[ -n "$LOCK_HOLDER" ] || sleep 0.1
	done
	[ -n "$LOCK_HOLDER" ]
}
lock_held() { [ "$(psql_q -c "SELECT pid FROM pg_locks WHERE relation = 'record'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = "$LOCK_HOLDER" ]; }
lock_release() {
	echo "ROLLBACK;" >&7
	exec 7>&-
	wait "$LOCK_PSQL"
}

# 1. the lock is held before the run starts: the control connection waits to prepare the query
check "a psql session holds ACCESS EXCLUSIVE on record" lock_take
bg_start lockwait run --pools 1 --offsets 0 --duration 1s --warmup 0 --no-plot --out "$TEST_TMP/lockwait"
if bg_line '*still * after 5 s: waiting for a lock*' 60; then
	ok "a wait behind the lock says so after 5 s"
else
	not_ok "a wait behind the lock says so after 5 s (stderr: $(cat "$TEST_TMP/lockwait.err"))"
fi
check "the message names the relation and the holder's pid and application_name" \
	grep -q "waiting for a lock on relation record held by process $LOCK_HOLDER (psql)" "$TEST_TMP/lockwait.err"
bg_drain
kill -INT "$BG_PID"
bg_end 30
check "SIGINT while waiting for the lock ends the run with the lock still held (exit $BG_RC)" [ "$BG_RC" = 130 ]
check "the lock was still held when the run ended" lock_held
check "no error line for the cancelled statement" [ "$(grep -c 'error:' "$TEST_TMP/lockwait.err")" = 0 ]
lock_release
[ "$BG_RC" != running ] || bg_finish

# 2. the lock is taken while a step runs: the driver's queries wait behind it, then SIGINT
bg_start locked run --pools 1 --offsets 0,10 --duration 30s --warmup 0 --threads 1 --no-plot --progress --out "$TEST_TMP/locked"
bg_line '*step 1/2*measuring*' 60 || not_ok "locked mid-run: the run never reached its first step"
bg_drain
check "mid-run: a psql session takes the lock" lock_take
end=$((SECONDS + 30))
until [ "$(psql_q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	WHERE l.relation = 'record'::regclass AND NOT l.granted AND a.application_name LIKE 'pgpagebench run worker%'")" -ge 1 ] ||
	[ $SECONDS -ge $end ]; do sleep 0.1; done
kill -INT "$BG_PID"
bg_end 30
check "SIGINT while the driver waits for the lock ends the run with the lock still held (exit $BG_RC)" [ "$BG_RC" = 130 ]
check "mid-run: the lock was still held when the run ended" lock_held
lock_release
[ "$BG_RC" != running ] || bg_finish
check "mid-run: the cut step is written, and plot draws it" files_agree "$TEST_TMP/locked" 1

# ---- a plain role ------------------------------------------------------------------------------------
psql_q <<'SQL'
CREATE ROLE plain LOGIN;
GRANT SELECT ON auth_user, record, tag TO plain;
CREATE ROLE owner LOGIN;
CREATE SCHEMA owned AUTHORIZATION owner;
SQL
check "the test roles exist" [ "$(psql_q -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('plain', 'owner')")" = 2 ]
check "the plain role cannot read the settings superusers see" \
	[ "$(psql_q -U plain -c "SELECT count(*) FROM pg_settings WHERE name = 'shared_preload_libraries'")" = 0 ]

run_cmd "$B" run -U plain --pools 1 --offsets 0,10 --duration 0.5s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/plain"
check "run as a plain role with SELECT on the three tables exits 0 (exit $RC; stderr: $ERR)" [ "$RC" = 0 ]
check "plain role: no error line" [ "$(printf '%s\n' "$ERR" | grep -c 'error:')" = 0 ]
check "plain role: both steps written, and plot draws them" files_agree "$TEST_TMP/plain" 2
check "plain role: meta.json records the settings" \
	[ "$(json_q "$TEST_TMP/plain/meta.json" "SELECT (:'j')::jsonb->'server'->'settings'->>'max_connections'")" = 100 ]
check "plain role: pg_stat_statements figures of its own queries are recorded" \
	[ "$(csv_col "$TEST_TMP/plain/steps.csv" server_calls | grep -c '^[1-9]')" = 2 ]
check "plain role: the run's connections were the plain role's" \
	[ "$(json_q "$TEST_TMP/plain/meta.json" "SELECT (:'j')::jsonb->>'connection' LIKE '%user=plain%'")" = t ]

# the issue's role: SELECT on the four tables, the marker included: the dataset is checked and recorded
psql_q -c "CREATE ROLE reader LOGIN; GRANT SELECT ON auth_user, record, tag, pgpagebench_dataset TO reader"
run_cmd "$B" run -U reader --pools 1 --offsets 0 --duration 0.5s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/reader"
check "run as a role with SELECT on the four tables exits 0 (exit $RC; stderr: $ERR)" [ "$RC" = 0 ]
check "reader role: no error or warning about settings or the dataset" \
	[ "$(printf '%s\n' "$ERR" | grep -c 'settings\|dataset')" = 0 ]
check "reader role: meta.json records the dataset's fingerprint" \
	[ "$(json_q "$TEST_TMP/reader/meta.json" "SELECT (:'j')::jsonb->'dataset'->>'fingerprint'")" = fixture-0.001 ]

# pg_stat_statements out of the role's reach: its figures are skipped with one line, the run goes on
psql_q -c "REVOKE EXECUTE ON FUNCTION pg_stat_statements(boolean) FROM PUBLIC"
run_cmd "$B" run -U plain --pools 1 --offsets 0 --duration 0.5s --warmup 0 --no-plot --no-progress --out "$TEST_TMP/plain2"
check "plain role without pg_stat_statements: exit 0 (exit $RC; stderr: $ERR)" [ "$RC" = 0 ]
check "plain role without pg_stat_statements: one line says its figures are skipped" \
	[ "$(printf '%s\n' "$ERR" | grep -c 'pg_stat_statements figures skipped: permission denied for function pg_stat_statements')" = 1 ]
check "plain role without pg_stat_statements: the step is written without its server calls" \
	[ "$(csv_col "$TEST_TMP/plain2/steps.csv" server_calls)" = "" ]
psql_q -c "GRANT EXECUTE ON FUNCTION pg_stat_statements(boolean) TO PUBLIC"

# a schema the role owns, no CREATE on the database
check "the owner role has no CREATE on the database" [ "$(psql_q -c "SELECT has_database_privilege('owner', 'postgres', 'CREATE')")" = f ]
run_cmd "$B" schema create -U owner --schema owned
check "schema create into a schema the role owns exits 0 (exit $RC; stderr: $ERR)" [ "$RC" = 0 ]
check "the tables are in that schema, owned by the role" \
	[ "$(psql_q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'owned' AND tableowner = 'owner'")" = 4 ]
run_cmd "$B" datagen -U owner --schema owned --scale 0.001 --no-progress
check "datagen into a schema the role owns exits 0 (exit $RC; stderr: $ERR)" [ "$RC" = 0 ]
check "and the dataset is complete" [ "$(psql_q -c "SELECT state FROM owned.pgpagebench_dataset")" = complete ]
expect_fail "a schema the role neither owns nor may create is still refused" 1 'could not create schema: .*permission denied for database postgres' \
	"$B" schema create -U owner --schema elsewhere

pgpb_finish
