# schema create / check / drop on a private cluster, the ownership marker, and odd schema names.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN

run_cmd "$B" schema create
check "schema create succeeds" [ "$RC" = 0 ]
run_cmd "$B" schema check
check "schema check passes on a fresh schema" [ "$RC" = 0 ]
check "schema check lists the partial index" grep -q record_updated_new_top_idx "$TEST_TMP/out"

psql_q -c 'DROP INDEX record_updated_new_top_idx'
run_cmd "$B" schema check
check "schema check exits 1 with a missing index" [ "$RC" = 1 ]
check "schema check names the missing index" grep -q 'record_updated_new_top_idx (missing)' "$TEST_TMP/out"

run_cmd "$B" schema drop
check "schema drop succeeds" [ "$RC" = 0 ]
check "tables are gone" [ "$(psql_q -c "SELECT count(*) FROM pg_class WHERE relname IN ('record','tag','auth_user')")" = 0 ]

odd='my "odd" schema'
run_cmd "$B" schema create --schema "$odd"
check "schema create in an odd schema name" [ "$RC" = 0 ]
check "tables are in the odd schema" [ "$(psql_q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'my \"odd\" schema'")" = 4 ]
run_cmd "$B" schema check --schema "$odd"
check "schema check in the odd schema" [ "$RC" = 0 ]
run_cmd "$B" schema drop --schema "$odd"
check "schema drop in the odd schema" [ "$RC" = 0 ]

# A Django-made auth_user (no marker) survives a mistaken drop, rows and all.
psql_q <<'SQL'
CREATE TABLE auth_user ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL,
 "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL,
 "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL,
 "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL,
 "date_joined" timestamp with time zone NOT NULL);
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES ('x', true, 'admin', '', '', 'a@b.c', true, true, now());
SQL
expect_fail "schema drop refuses Django's auth_user" 1 'table "public.auth_user" was not created by pgpagebench' "$B" schema drop
check "Django's auth_user and its row survive" [ "$(psql_q -c 'SELECT count(*) FROM auth_user')" = 1 ]
expect_fail "schema create refuses to adopt Django's auth_user" 1 'auth_user.*not created by pgpagebench' "$B" schema create
check "auth_user has no marker afterwards" [ -z "$(psql_q -c "SELECT obj_description('auth_user'::regclass, 'pg_class')")" ]
pgpb_finish
