# Bad input of every kind the foundation handles: each case asserts the exit status (2 usage, 1 runtime,
# so never a crash), one PostgreSQL-style error line naming the bad value, and, for conninfo strings
# and URIs that carry a password, that the password appears nowhere in the output.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
pgpb_server_start || { not_ok "server start"; exit 1; }
SOCK=$PGHOST

# -- the command line ------------------------------------------------------------------------------
expect_fail "no command" 2 'error: no command given' "$B"
expect_fail "unknown command" 2 'error: unknown command "frobnicate"' "$B" frobnicate
expect_fail "an option before the command" 2 'unrecognized option "--frob" \(a command must come first\)' "$B" --frob
expect_fail "unknown long option" 2 'error: unrecognized option "--frob"' "$B" schema check --frob
expect_fail "unknown short option" 2 "error: invalid option -- 'x'" "$B" schema check -x
expect_fail "unknown letter inside a cluster of short options" 2 "error: invalid option -- 'x'" "$B" schema check -vx
expect_fail "unknown letter first in a cluster" 2 "error: invalid option -- 'x'" "$B" schema --schema=s check -xv
expect_fail "ambiguous abbreviation" 2 'error: unrecognized option "--p"' "$B" schema check --p 1
expect_fail "missing value of -p" 2 "error: option requires an argument -- 'p'" "$B" schema check -p
expect_fail "missing value of --dbname" 2 'error: option "--dbname" requires an argument' "$B" schema check --dbname
expect_fail "missing value of --pg-setting" 2 'error: option "--pg-setting" requires an argument' "$B" server --pg-setting
expect_fail "missing value of --schema" 2 'error: option "--schema" requires an argument' "$B" schema create --schema
expect_fail "a value given to a flag" 2 'error: option "--keep" does not take a value' "$B" schema check --keep=yes
expect_fail "extra arguments" 2 'error: too many command-line arguments \(first is "extra"\)' "$B" schema check extra
expect_fail "schema without an action" 2 'error: missing action: create, drop or check' "$B" schema
expect_fail "schema with an unknown action" 2 'error: unknown action "truncate"' "$B" schema truncate
expect_fail "--no-indexes outside create" 2 'error: --no-indexes only applies to create' "$B" schema drop --no-indexes
expect_fail "server takes no connection options" 2 'error: server takes no connection options' "$B" server -h /tmp
expect_fail "server with an extra argument" 2 'error: too many command-line arguments \(first is "now"\)' "$B" server now
expect_fail "demo takes no connection options" 2 'error: demo always runs on a temporary cluster' "$B" demo -d x

# -- option values ---------------------------------------------------------------------------------
expect_fail "a port that is not a number" 2 'error: invalid value "abc" for option --port: not an integer' "$B" schema check -p abc
expect_fail "port 0" 2 'error: invalid value "0" for option --port: must be in range 1..65535' "$B" schema check -p 0
expect_fail "port 70000" 2 'error: invalid value "70000" for option --port: must be in range 1..65535' "$B" schema check --port=70000
expect_fail "an empty --schema" 2 'error: invalid value "" for option --schema' "$B" schema check --schema=
expect_fail "a --schema longer than 63 bytes" 2 'error: invalid value "s{64}" for option --schema: longer than 63 bytes' \
	"$B" schema check --schema "$(printf 's%.0s' $(seq 1 64))"
expect_fail "--keep without --ephemeral" 2 'error: --keep and --pg-setting need --ephemeral' "$B" schema check --keep
expect_fail "--pg-setting without --ephemeral" 2 'error: --keep and --pg-setting need --ephemeral' \
	"$B" schema check --pg-setting work_mem=1MB
expect_fail "--ephemeral with -h" 2 'error: --ephemeral cannot be combined with -h, -p, -U or -d' \
	"$B" schema check --ephemeral -h /tmp
expect_fail "--pg-setting without '='" 2 'error: invalid value "shared_buffers" for option --pg-setting: expected NAME=VALUE' \
	"$B" schema check --ephemeral --pg-setting shared_buffers
expect_fail "--pg-setting with a bad name" 2 'error: invalid value "work mem=1MB" for option --pg-setting: bad setting name' \
	"$B" schema check --ephemeral --pg-setting 'work mem=1MB'
expect_fail "--pg-setting of a setting the cluster owns" 2 'error: invalid value "port=5433" for option --pg-setting: the temporary cluster sets "port" itself' \
	"$B" server --pg-setting port=5433
expect_fail "PGPB_PG_BINDIR without PostgreSQL in it" 1 'error: PGPB_PG_BINDIR "/nonexistent" does not hold initdb, pg_ctl and postgres' \
	env PGPB_PG_BINDIR=/nonexistent "$B" schema create --ephemeral

# -- connections -----------------------------------------------------------------------------------
expect_fail "a conninfo with an unknown keyword" 1 'error: invalid connection option "foo"' "$B" schema check -d "host=$SOCK foo=bar"
expect_fail "a conninfo with an unterminated quote" 1 'error: unterminated quoted string in connection info string' \
	"$B" schema check -d "host='$SOCK"
expect_fail "a conninfo word without '='" 1 'error: missing "=" after "oops" in connection info string' "$B" schema check -d "host=$SOCK oops"
expect_fail "a URI with an unknown parameter" 1 'error: invalid URI query parameter: "nonsense"' \
	"$B" schema check -d 'postgresql:///postgres?nonsense=1'
expect_fail "a URI with a bad port" 1 'error: invalid integer value "http" for connection option "port"' \
	"$B" schema check -d 'postgresql://localhost:http/postgres'
expect_fail "a PGPORT that is not a number" 1 'error: invalid integer value "abc" for connection option "port"' \
	env PGPORT=abc "$B" schema check
expect_fail "a socket directory that does not exist" 1 'error: connection to server on socket "/nonexistent/dir/.s.PGSQL.5432" failed: No such file or directory' \
	"$B" schema check -h /nonexistent/dir
expect_fail "a closed port on the loopback address" 1 'error: connection to server at "127.0.0.1", port 1 failed: Connection refused' \
	"$B" schema check -h 127.0.0.1 -p 1
expect_fail "a closed port on the server's socket directory" 1 "error: connection to server on socket \"$SOCK/.s.PGSQL.5433\" failed: No such file or directory" \
	"$B" schema check -p 5433
expect_fail "a database that does not exist" 1 'error: connection to server on socket .* failed: FATAL: +database "no_such_db" does not exist' \
	"$B" schema check -d no_such_db
expect_fail "a role that does not exist" 1 'FATAL: +role "no_such_role" does not exist' "$B" schema check -U no_such_role
expect_fail "a very long database name" 1 'FATAL: +database "a{63}" does not exist' \
	"$B" schema check -d "$(printf 'a%.0s' $(seq 1 5000))"
expect_fail "a schema name that is not UTF-8" 1 'error: could not set search_path: ERROR: +invalid byte sequence for encoding "UTF8": 0xff' \
	"$B" schema check --schema $'\xff'
expect_fail "schema check of a schema that does not exist" 1 'error: schema "nowhere" is incomplete' \
	"$B" schema check --schema nowhere

# -- passwords never appear, whatever fails ---------------------------------------------------------
SECRET=Sup3rS3cretPw
no_secret() { # no_secret DESC: the last command's output holds no trace of the password
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q "$SECRET"; then not_ok "$1: the password was printed: $ERR"; else ok "$1: no password in the output"; fi
}
expect_fail "a malformed URI with a password" 1 'end of string reached when looking for matching "\]" in IPv6 host address in URI: "postgresql://u:\*+@\[::1"' \
	"$B" schema check -v -d "postgresql://u:$SECRET@[::1"
no_secret "a malformed URI with a password"
expect_fail "a URI whose password has a bad %-escape" 1 'invalid percent-encoded token: "\*+"' \
	"$B" schema check -d "postgresql://u:${SECRET}%zz@localhost/db"
no_secret "a bad %-escape in the password"
expect_fail "a URI with a bad character after the host" 1 'unexpected character "x" at position' \
	"$B" schema check -d "postgresql://u:$SECRET@[::1]x/db"
no_secret "a bad character after the host"
expect_fail "a URI with a password to a database that does not exist" 1 'database "nodb" does not exist' \
	"$B" schema check -d "postgresql://postgres:$SECRET@/nodb?host=$SOCK"
no_secret "a failing URI with a password"
expect_fail "a conninfo with a password to a closed port" 1 'Connection refused' \
	"$B" schema check -d "host=127.0.0.1 port=1 password=$SECRET"
no_secret "a failing conninfo with a password"
expect_fail "a conninfo with a quoted password and a bad keyword" 1 'invalid connection option "nope"' \
	"$B" schema check -d "password='$SECRET x' nope=1"
no_secret "a quoted password in a bad conninfo"

# -- a role with a schema of its own name (first in the default search_path): without --schema,
#    the tables still go to public, where check and drop look for them
psql_q -c 'CREATE ROLE app LOGIN' -c 'CREATE SCHEMA app AUTHORIZATION app' -c 'GRANT CREATE ON SCHEMA public TO app'
run_cmd "$B" schema create -U app
check "schema create as a role that owns schema app" [ "$RC" = 0 ]
check "... puts the tables in public, as it says" \
	[ "$(psql_q -c "SELECT string_agg(DISTINCT schemaname, ',') FROM pg_tables WHERE tablename IN ('auth_user', 'record', 'tag')")" = public ]
run_cmd "$B" schema check -U app
check "... schema check finds them ($ERR)" [ "$RC" = 0 ]
run_cmd "$B" schema drop -U app
check "... schema drop drops them" eval '[ "$RC" = 0 ] && [ "$(psql_q -c "SELECT count(*) FROM pg_tables WHERE tablename = '"'record'"'")" = 0 ]'

# -- and every command still answers --help ----------------------------------------------------------
for cmd in schema server demo; do
	run_cmd "$B" "$cmd" --help
	check "$cmd --help exits 0 with a usage line" eval '[ "$RC" = 0 ] && grep -q "^Usage:" "$TEST_TMP/out"'
done
run_cmd "$B" --version
check "--version prints the version" grep -Eq '^pgpagebench [0-9]+\.[0-9]+' "$TEST_TMP/out"
pgpb_finish
