# Interrupted loads (SIGINT, SIGTERM, a lost server) are recognised and finished by the next datagen with
# the fingerprint of an uninterrupted load; one datagen at a time per schema; tables without the
# ownership marker are refused. The load is stopped at half by the test pause (PGPB_DATAGEN_TEST_PAUSE):
# the tool says so on stderr and waits, and the test acts on that line, not on a clock.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
ARGS="--scale 0.1 --seed 9"

run_cmd "$B" datagen $ARGS --schema whole
check "an uninterrupted load" [ "$RC" = 0 ]
FP=$(sed -n 's/^fingerprint: //p' "$TEST_TMP/out")

# paused_start SCHEMA JOBS: starts datagen in the background, returns once it reports the pause
paused_start() {
	rm -f "$TEST_TMP/dg.fifo"
	mkfifo "$TEST_TMP/dg.fifo"
	PGPB_DATAGEN_TEST_PAUSE=0.5 "$B" datagen $ARGS --schema "$1" --jobs "$2" >"$TEST_TMP/dg.out" 2>"$TEST_TMP/dg.fifo" &
	DG_PID=$!
	exec 8<"$TEST_TMP/dg.fifo"
	local line
	while IFS= read -r -t 120 line <&8; do
		case $line in *"test pause"*) return 0 ;; esac
	done
	return 1
}
# paused_end: waits for the tool, sets DG_RC and DG_ERR (the rest of its stderr)
paused_end() {
	wait "$DG_PID"
	DG_RC=$?
	DG_ERR=$(cat <&8)
	exec 8<&-
}
state() { psql_q -c "SELECT state FROM \"$1\".pgpagebench_dataset"; }

# ---- SIGINT, one table a connection (COPY FREEZE) ----
if paused_start intr 2; then
	ok "datagen paused at half (--jobs 2)"
	check "the state is 'loading' mid-load" [ "$(state intr)" = loading ]
	expect_fail "a second datagen on the same schema is refused, naming the load" 1 'schema "intr" is in use by another pgpagebench command: application_name "pgpagebench datagen lock", pid [0-9]+$' "$B" datagen $ARGS --schema intr
	kill -INT "$DG_PID"
	paused_end
	check "SIGINT: exit 130 (got $DG_RC)" [ "$DG_RC" = 130 ]
	check "SIGINT: one error line saying the dataset is incomplete" sh -c 'printf "%s\n" "$1" | grep -q "error: datagen interrupted" && [ "$(printf "%s\n" "$1" | grep -c error:)" = 1 ]' _ "$DG_ERR"
else
	not_ok "datagen paused at half (--jobs 2)"
	kill -INT "$DG_PID" 2>/dev/null
	paused_end
fi
check "after SIGINT the state stays 'loading'" [ "$(state intr)" = loading ]
run_cmd "$B" schema check --schema intr
check "schema check reports an incomplete dataset (exit 1)" [ "$RC" = 1 ]
check "schema check says INCOMPLETE" grep -q 'dataset: INCOMPLETE' "$TEST_TMP/out"
run_cmd "$B" datagen $ARGS --schema intr
check "the rerun finishes the load" [ "$RC" = 0 ]
check "the rerun says it loads again" grep -q 'did not finish' "$TEST_TMP/err"
check "interrupted + rerun gives the uninterrupted fingerprint" grep -qxF "fingerprint: $FP" "$TEST_TMP/out"
check "and the state is complete" [ "$(state intr)" = complete ]

# ---- SIGTERM, chunks on any connection ----
if paused_start term 4; then
	ok "datagen paused at half (--jobs 4)"
	kill -TERM "$DG_PID"
	paused_end
	check "SIGTERM: exit 143 (got $DG_RC)" [ "$DG_RC" = 143 ]
else
	not_ok "datagen paused at half (--jobs 4)"
	kill -TERM "$DG_PID" 2>/dev/null
	paused_end
fi
check "after SIGTERM the state stays 'loading'" [ "$(state term)" = loading ]
run_cmd "$B" datagen $ARGS --schema term --jobs 3
check "the rerun (other --jobs) gives the uninterrupted fingerprint" grep -qxF "fingerprint: $FP" "$TEST_TMP/out"

# ---- a lost server: the loading connections are terminated mid-COPY ----
if paused_start lost 2; then
	ok "datagen paused at half (lost server)"
	killed=$(psql_q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgpagebench datagen worker'")
	check "the loading connections were terminated ($killed)" [ "$killed" -ge 1 ]
	paused_end
	check "a lost server: exit 1 (got $DG_RC)" [ "$DG_RC" = 1 ]
	check "a lost server: the error names the lost connection" sh -c 'printf "%s\n" "$1" | grep -Eqi "error: .*(terminat|closed|connection)"' _ "$DG_ERR"
else
	not_ok "datagen paused at half (lost server)"
	kill -INT "$DG_PID" 2>/dev/null
	paused_end
fi
check "after a lost server the state stays 'loading'" [ "$(state lost)" = loading ]
run_cmd "$B" datagen $ARGS --schema lost
check "the rerun after a lost server gives the uninterrupted fingerprint" grep -qxF "fingerprint: $FP" "$TEST_TMP/out"

# ---- tables datagen did not create ----
psql_q <<'SQL'
CREATE SCHEMA django;
CREATE TABLE django.auth_user ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL,
 "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL,
 "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL,
 "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL,
 "date_joined" timestamp with time zone NOT NULL);
INSERT INTO django.auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES ('x', true, 'admin', '', '', 'a@b.c', true, true, now());
SQL
expect_fail "datagen refuses Django's own auth_user" 1 'table "django.auth_user" was not created by pgpagebench' "$B" datagen --scale 0.01 --schema django
expect_fail "even with --drop" 1 'table "django.auth_user" was not created by pgpagebench' "$B" datagen --scale 0.01 --schema django --drop
check "Django's auth_user keeps its one row and gets no marker" \
	[ "$(psql_q -c "SELECT count(*)::text || coalesce(obj_description('django.auth_user'::regclass, 'pg_class'), '') FROM django.auth_user")" = 1 ]
check "and no other table was created there" [ "$(psql_q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'django'")" = 1 ]
pgpb_finish
