# run, datagen and schema create|drop on the same schema exclude each other through the schema's lock
# (shared for runs, exclusive for what writes), and the refusal names the session holding it; a drop that
# another table's foreign key blocks names that key; run --ephemeral fills its temporary cluster first.
# The commands are caught mid-way by what they print (run's --progress line, datagen's test pause), not
# by a clock; `timeout` only bounds a command that would otherwise wait for ever on the code before.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
BOUND=120 # seconds: a bound on a command that must not wait at all, never a measure

# json_q FILE SQL: runs SQL with the file's JSON as :'j'
json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
fingerprint() { psql_q -c "SELECT fingerprint FROM \"$1\".pgpagebench_dataset"; }
# holder_pid APP: the pid of the session named APP holding an advisory lock, empty when none
holder_pid() {
	psql_q -c "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
	           WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = '$1' LIMIT 1"
}

# bg_start NAME PATTERN CMD...: starts CMD in the background with stderr into a FIFO, returns once a
# line of stderr matches PATTERN (non-zero when CMD ends or $BOUND seconds pass first); BG_PID is its pid
bg_start() {
	local name=$1 pattern=$2 line
	shift 2
	rm -f "$TEST_TMP/$name.fifo"
	mkfifo "$TEST_TMP/$name.fifo"
	"$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.fifo" &
	BG_PID=$!
	exec 8<"$TEST_TMP/$name.fifo"
	while IFS= read -r -t "$BOUND" line <&8; do
		printf '%s\n' "$line" >>"$TEST_TMP/$name.err"
		case $line in *$pattern*) return 0 ;; esac
	done
	return 1
}
# bg_end: signals the background command with $1 (none when empty), waits, sets BG_RC; rest of stderr
# goes to the .err file of bg_start
bg_end() {
	[ -n "$1" ] && kill "-$1" "$BG_PID" 2>/dev/null
	cat <&8 >>"$TEST_TMP/$2.err"
	wait "$BG_PID"
	BG_RC=$?
	exec 8<&-
}

run_cmd "$B" datagen --scale 0.01 --schema busy
check "a dataset to run on (stderr: $ERR)" [ "$RC" = 0 ]
FP=$(fingerprint busy)

# ---- a run holds the lock shared: no load or drop under it, other runs beside it --------------------
if bg_start run "measuring" "$B" run --schema busy --pools 1 --offsets 0 --duration 600s --warmup 0 \
	--no-plot --progress --out "$TEST_TMP/long"; then
	ok "a long run is measuring"
	RUN_LOCK=$(holder_pid "pgpagebench run lock")
	check "the run holds the schema's lock on a session of its own ($RUN_LOCK)" [ -n "$RUN_LOCK" ]
	check "that session holds back no vacuum (no backend_xmin while idle in transaction)" [ "$(psql_q -c \
		"SELECT coalesce(backend_xmin::text, 'none') FROM pg_stat_activity WHERE pid = ${RUN_LOCK:-0}")" = none ]
	expect_fail "datagen --drop is refused while a run reads the schema" 1 \
		"schema \"busy\" is in use by another pgpagebench command: application_name \"pgpagebench run lock\", pid $RUN_LOCK\$" \
		timeout "$BOUND" "$B" datagen --scale 0.02 --schema busy --drop
	check "the refusal says what to do" grep -q 'hint: Wait until it has finished, or use another --schema' "$TEST_TMP/err"
	expect_fail "schema drop is refused while a run reads the schema" 1 \
		"schema \"busy\" is in use by another pgpagebench command: application_name \"pgpagebench run lock\", pid $RUN_LOCK\$" \
		timeout "$BOUND" "$B" schema drop --schema busy
	expect_fail "schema create is refused while a run reads the schema" 1 'schema "busy" is in use by another pgpagebench command' \
		timeout "$BOUND" "$B" schema create --schema busy
	check "the dataset is still the one the run started with" [ "$(fingerprint busy)" = "$FP" ]
	run_cmd timeout "$BOUND" "$B" datagen --scale 0.01 --schema busy
	check "datagen with the loaded arguments (nothing to do) still answers beside the run (exit $RC: $ERR)" [ "$RC" = 0 ]
	run_cmd timeout "$BOUND" "$B" run --schema busy --pools 1 --offsets 0 --duration 1s --warmup 0.2s --no-plot \
		--no-progress --out "$TEST_TMP/beside"
	check "a second run on the same schema runs beside the first (exit $RC: $ERR)" [ "$RC" = 0 ]
	bg_end INT run
	check "the long run, interrupted, exits 130 (got $BG_RC)" [ "$BG_RC" = 130 ]
	check "the long run kept its step" [ "$(($(wc -l <"$TEST_TMP/long/steps.csv") - 1))" = 1 ]
	check "the long run met no error from a changed dataset" sh -c '! grep -q "error:" "$1"' _ "$TEST_TMP/run.err"
else
	not_ok "a long run is measuring: $(cat "$TEST_TMP/run.err" 2>/dev/null)"
	bg_end TERM run
fi
check "and so it is after the run" [ "$(fingerprint busy)" = "$FP" ]
check "the run's lock went with it" [ -z "$(holder_pid "pgpagebench run lock")" ]
run_cmd "$B" datagen --scale 0.02 --schema busy --drop
check "after the run, datagen --drop replaces the dataset (exit $RC: $ERR)" [ "$RC" = 0 ]

# ---- a load holds the lock exclusive: no run, drop, create or second load ----------------------------
if bg_start dg "test pause" env PGPB_DATAGEN_TEST_PAUSE=0.5 "$B" datagen --scale 0.05 --schema loading --jobs 2; then
	ok "a datagen is paused mid-load"
	DG_LOCK=$(holder_pid "pgpagebench datagen lock")
	check "the load holds the schema's lock ($DG_LOCK)" [ -n "$DG_LOCK" ]
	expect_fail "run is refused while a load writes the schema" 1 \
		"schema \"loading\" is in use by another pgpagebench command: application_name \"pgpagebench datagen lock\", pid $DG_LOCK\$" \
		timeout "$BOUND" "$B" run --schema loading --pools 1 --offsets 0 --duration 0.2s --warmup 0 --no-plot --out "$TEST_TMP/refused"
	check "the refused run left no results directory" [ ! -e "$TEST_TMP/refused" ]
	expect_fail "schema drop is refused while a load writes the schema (it used to wait for the load)" 1 \
		"schema \"loading\" is in use by another pgpagebench command: application_name \"pgpagebench datagen lock\", pid $DG_LOCK\$" \
		timeout "$BOUND" "$B" schema drop --schema loading
	expect_fail "a second datagen is refused and told who holds the schema" 1 \
		"schema \"loading\" is in use by another pgpagebench command: application_name \"pgpagebench datagen lock\", pid $DG_LOCK\$" \
		timeout "$BOUND" "$B" datagen --scale 0.05 --schema loading
	check "the other schema is not locked by it" "$B" run --schema busy --pools 1 --offsets 0 --duration 1s --warmup 0.2s \
		--no-plot --no-progress --quiet --out "$TEST_TMP/other"
	bg_end INT dg
	check "the paused load, interrupted, exits 130 (got $BG_RC)" [ "$BG_RC" = 130 ]
else
	not_ok "a datagen is paused mid-load: $(cat "$TEST_TMP/dg.err" 2>/dev/null)"
	bg_end TERM dg
fi
check "the tables of the interrupted load are still there" \
	[ "$(psql_q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'loading'")" = 4 ]
run_cmd "$B" schema drop --schema loading
check "once the load is gone, schema drop works (exit $RC: $ERR)" [ "$RC" = 0 ]

# ---- a drop blocked by another table's foreign key names it -----------------------------------------
run_cmd "$B" datagen --scale 0.01 --schema fk
check "a dataset with a table of someone else's pointing at it (exit $RC)" [ "$RC" = 0 ]
psql_q -c "CREATE TABLE fk.mine (id int PRIMARY KEY, uid int CONSTRAINT mine_uid_fkey REFERENCES fk.auth_user (id))"
FK_FP=$(fingerprint fk)
FK_DETAIL='detail: constraint mine_uid_fkey on table (fk\.)?mine depends on table (fk\.)?auth_user'
expect_fail "schema drop blocked by a foreign key" 1 'could not .*: cannot drop desired object\(s\) because other objects depend on them' \
	"$B" schema drop --schema fk
check "it names the foreign key and its table in a detail line" grep -Eq "$FK_DETAIL" "$TEST_TMP/err"
check "and never suggests CASCADE" sh -c '! grep -q CASCADE "$1"' _ "$TEST_TMP/err"
check "it says nothing was dropped" grep -q 'hint: .*nothing was dropped' "$TEST_TMP/err"
expect_fail "datagen --drop blocked by the same key" 1 'cannot drop desired object\(s\) because other objects depend on them' \
	"$B" datagen --scale 0.02 --schema fk --drop
check "datagen names it too" grep -Eq "$FK_DETAIL" "$TEST_TMP/err"
check "the dataset and the other table are untouched" \
	[ "$(fingerprint fk) $(psql_q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'fk'")" = "$FK_FP 5" ]

# ---- behind PgBouncer in transaction mode the lock ends with the run --------------------------------
# (a session lock would stay on the pooled server session and refuse every later load or drop)
PGB=$TEST_TMP/pgbouncer
mkdir "$PGB"
[ "$(id -u)" != 0 ] || chown postgres "$PGB"
cat >"$PGB/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT user=postgres
[pgbouncer]
listen_addr =
listen_port = 6544
unix_socket_dir = $PGB
auth_type = any
pool_mode = transaction
default_pool_size = 3
logfile = $PGB/pgbouncer.log
pidfile = $PGB/pgbouncer.pid
INI
if [ "$(id -u)" = 0 ]; then pgbouncer -u postgres "$PGB/pgbouncer.ini" & else pgbouncer "$PGB/pgbouncer.ini" & fi
PGB_PID=$!
for _ in $(seq 600); do # poll, bounded: PgBouncer answers once it listens
	if psql_q -h "$PGB" -p 6544 -c 'SELECT 1' >/dev/null 2>&1; then break; fi
	sleep 0.1
done
run_cmd "$B" datagen --scale 0.01
check "a dataset in public, as PgBouncer's sessions see no --schema (exit $RC: $ERR)" [ "$RC" = 0 ]
run_cmd env PGHOST="$PGB" PGPORT=6544 timeout "$BOUND" "$B" run --protocol simple --pools 1 --offsets 0 \
	--duration 1s --warmup 0.2s --no-plot --no-progress --out "$TEST_TMP/bouncer"
check "a run through PgBouncer in transaction mode (exit $RC: $ERR)" [ "$RC" = 0 ]
check "no session keeps the schema's lock after it" [ "$(psql_q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ]
run_cmd timeout "$BOUND" "$B" schema create
check "so schema create (exclusive) goes ahead at once (exit $RC: $ERR)" [ "$RC" = 0 ]
kill -TERM "$PGB_PID"
wait "$PGB_PID"

# ---- run --ephemeral fills its temporary cluster first ------------------------------------------------
expect_fail "--scale without --ephemeral is refused" 2 '--scale applies to --ephemeral' \
	"$B" run --scale 0.01 --pools 1 --offsets 0 --no-plot
expect_fail "--scale out of range" 2 'invalid value "0" for option --scale' "$B" run --ephemeral --scale 0 --no-plot
run_cmd timeout 600 "$B" run --ephemeral --pools 1 --offsets 0,100 --duration 1s --warmup 0.2s --no-plot --no-progress \
	--out "$TEST_TMP/eph"
check "run --ephemeral works on its own (exit $RC: $ERR)" [ "$RC" = 0 ]
check "it says it fills the cluster at scale 0.1 by default" grep -q '^run: datagen --scale 0.1 into the temporary cluster' "$TEST_TMP/out"
check "both steps are written" [ "$(($(wc -l <"$TEST_TMP/eph/steps.csv") - 1))" = 2 ]
check "the run measured the scale 0.1 dataset" [ "$(json_q "$TEST_TMP/eph/meta.json" "SELECT (:'j')::jsonb->'dataset'->>'records'")" = 10000 ]
run_cmd timeout 600 "$B" run --ephemeral --scale 0.01 --schema elsewhere --pools 1 --offsets 0 --duration 1s --warmup 0.2s \
	--no-plot --no-progress --quiet --out "$TEST_TMP/eph2"
check "run --ephemeral --scale 0.01 --schema elsewhere (exit $RC: $ERR)" [ "$RC" = 0 ]
check "the run measured the scale 0.01 dataset" [ "$(json_q "$TEST_TMP/eph2/meta.json" "SELECT (:'j')::jsonb->'dataset'->>'records'")" = 1000 ]
pgpb_finish
