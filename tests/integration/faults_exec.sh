# What the driver executes and whether its counts and exit status tell the truth: a COPY and a file of
# comments refused before the run, statements that write refused (or held to read-only transactions) unless
# --allow-writes, an error raised at commit counted under every protocol, a run with no successful query
# exiting 1 with the first error's message, steps with many errors flagged, a query without $1 warned about,
# and PgBouncer 1.18 in transaction mode in front: the prepared protocol refused with the right hint, the
# simple and extended ones working, the max_connections hint only when connections ran out.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

# json_q FILE SQL: runs SQL with the file's JSON as :'j'
json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
# csv_col FILE COLUMN: that column of every data row, by header name
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
# qfile NAME TEXT: a query file
qfile() { printf '%s\n' "$2" >"$TEST_TMP/$1"; echo "$TEST_TMP/$1"; }
# short run: one pool, one offset, a fraction of a second, bounded (a hang fails the test, not the suite)
short() { timeout -k 5 60 "$B" run --pools 1 --offsets 0 --duration 0.3s --warmup 0 --no-progress --no-plot "$@"; }
TAGS=$(psql_q -c 'SELECT count(*) FROM tag')

# ---- COPY and other statements the driver cannot measure: refused before the run ---------------------
copy=$(qfile copy.sql 'COPY (SELECT id FROM record ORDER BY id LIMIT 10 OFFSET $1) TO STDOUT')
expect_fail "COPY ... TO STDOUT is refused before the run (no hang)" 1 \
	'query "copy.sql" is a COPY statement, which the driver cannot measure' short --query "$copy" --out "$TEST_TMP/copy"
check "... and leaves no results directory" [ ! -e "$TEST_TMP/copy/meta.json" ]
copy2=$(qfile copy2.sql '/* a /* nested */ comment */ -- and a line one
  ( copy record (id) from stdin )')
expect_fail "a COPY behind comments and parentheses, in lower case, is refused too, even with --allow-writes" 1 \
	'query "copy2.sql" is a COPY statement' short --query "$copy2" --allow-writes --out "$TEST_TMP/copy2"
for p in simple extended prepared; do
	expect_fail "COPY under --protocol $p: refused at once" 1 'is a COPY statement' \
		short --query "$copy" --protocol $p --out "$TEST_TMP/copy-$p"
done
comments=$(qfile comments.sql '-- only a comment
/* and another */')
expect_fail "a query file holding only comments is refused" 1 'query file "comments.sql" holds no statement, only comments' \
	short --query "$comments" --out "$TEST_TMP/comments"

# ---- read-only by default -------------------------------------------------------------------------
del=$(qfile delete.sql 'DELETE FROM tag WHERE id % 2 = 0 AND $1::int >= 0')
expect_fail "a DELETE is refused before the run, naming the statement" 1 'query "delete.sql" is a DELETE statement: run replays read-only queries' \
	short --query "$del" --no-validate --out "$TEST_TMP/delete"
check "the refusal names --allow-writes" grep -q -- '--allow-writes' "$TEST_TMP/err"
ddl=$(qfile ddl.sql 'CREATE TABLE made_by_run AS SELECT $1::int AS x')
expect_fail "DDL is refused before the run" 1 'query "ddl.sql" is a CREATE statement' short --query "$ddl" --no-validate --out "$TEST_TMP/ddl"
cte=$(qfile cte.sql 'WITH d AS (DELETE FROM tag WHERE id % 3 = 0 RETURNING id) SELECT count(*) FROM d OFFSET $1')
for p in simple extended prepared; do
	run_cmd short --query "$cte" --no-validate --protocol $p --out "$TEST_TMP/cte-$p"
	check "--protocol $p: a DELETE inside WITH fails in the read-only transaction: exit 1 (got $RC)" [ "$RC" = 1 ]
	check "--protocol $p: ... with the server's message ($ERR)" \
		grep -q 'error: no query succeeded: query error: cannot execute SELECT in a read-only transaction (SQLSTATE 25006)' "$TEST_TMP/err"
	check "--protocol $p: ... and its errors kept in summary.json by SQLSTATE" \
		[ "$(json_q "$TEST_TMP/cte-$p/summary.json" "SELECT ((:'j')::jsonb->'steps'->0->'errors_by_sqlstate'->>'25006')::int > 0")" = t ]
done
run_cmd timeout -k 5 60 "$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0 --explain --query "$cte" --no-validate \
	--no-progress --no-plot --out "$TEST_TMP/cte-explain"
check "--explain (EXPLAIN ANALYZE on the control connection) of the DELETE inside WITH fails too (exit $RC)" [ "$RC" = 1 ]
check "not one tag was deleted ($TAGS before)" [ "$(psql_q -c 'SELECT count(*) FROM tag')" = "$TAGS" ]
run_cmd "$B" schema check
check "schema check still reports the dataset complete, and it is (exit $RC)" [ "$RC" = 0 ]
check "no table was created" [ "$(psql_q -c "SELECT count(*) FROM pg_class WHERE relname = 'made_by_run'")" = 0 ]
run_cmd short --query "$(qfile sel.sql '/* lower case, behind a comment */ (select id from record order by id limit 10 offset $1)')" \
	--no-validate --out "$TEST_TMP/sel"
check "a read-only query in lower case behind a comment and a parenthesis runs (exit $RC, stderr: $ERR)" [ "$RC" = 0 ]

# ---- --allow-writes: writes run, and an error at commit is counted under every protocol --------------
psql_q <<'SQL'
CREATE TABLE run_parent (id int PRIMARY KEY);
CREATE TABLE run_child (parent_id int REFERENCES run_parent DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE run_log (x int);
SQL
ins=$(qfile insert.sql 'INSERT INTO run_log (x) VALUES ($1::int)')
run_cmd short --query "$ins" --no-validate --allow-writes --out "$TEST_TMP/insert"
check "--allow-writes runs an INSERT (exit $RC, stderr: $ERR)" [ "$RC" = 0 ]
check "... whose rows are there" [ "$(psql_q -c 'SELECT count(*) > 0 FROM run_log')" = t ]
check "... and meta.json records it" [ "$(json_q "$TEST_TMP/insert/meta.json" "SELECT (:'j')::jsonb->'options'->>'allow_writes'")" = true ]
deferred=$(qfile deferred.sql 'INSERT INTO run_child (parent_id) VALUES ($1::int - 1000000)')
for p in simple extended prepared; do
	run_cmd short --query "$deferred" --no-validate --allow-writes --protocol $p --out "$TEST_TMP/deferred-$p"
	d_ok=$(csv_col "$TEST_TMP/deferred-$p/steps.csv" ok)
	d_err=$(csv_col "$TEST_TMP/deferred-$p/steps.csv" errors)
	d_code=$(json_q "$TEST_TMP/deferred-$p/summary.json" "SELECT ((:'j')::jsonb->'steps'->0->'errors_by_sqlstate'->>'23503')::int = $d_err")
	check "--protocol $p: a deferred foreign key failing at commit counts every query as an error (ok '$d_ok', errors '$d_err', by 23503 $d_code)" \
		eval '[ "$d_ok" = 0 ] && [ "$d_err" -gt 0 ] && [ "$d_code" = t ]'
	check "--protocol $p: ... and the run exits 1 quoting the server (exit $RC)" \
		eval '[ "$RC" = 1 ] && grep -q "no query succeeded: query error: insert or update on table \"run_child\" violates foreign key constraint" "$TEST_TMP/err"'
done
check "no child row was inserted" [ "$(psql_q -c 'SELECT count(*) FROM run_child')" = 0 ]

# ---- exit status and messages ----------------------------------------------------------------------
zero=$(qfile zero.sql 'SELECT 1 / ($1::int - $1::int) AS x')
run_cmd short --query "$zero" --no-validate --out "$TEST_TMP/zero"
check "a run where every query fails exits 1 (got $RC)" [ "$RC" = 1 ]
check "... with the first error's message and SQLSTATE" grep -q 'error: no query succeeded: query error: division by zero (SQLSTATE 22012)' "$TEST_TMP/err"
check "... after writing its results" [ "$(csv_col "$TEST_TMP/zero/steps.csv" errors | grep -c '^[1-9]')" = 1 ]
check "... which name no empty message and no ????? code" \
	eval '! grep -q "?????" "$TEST_TMP/zero/summary.json" "$TEST_TMP/zero/steps.csv" "$TEST_TMP/err" && ! grep -q "error: *$" "$TEST_TMP/err"'
# half the queries fail: offset 0 (page one) divides by zero, the deeper pages do not
half=$(qfile half.sql 'SELECT 1 / least($1::int, 1) AS x')
run_cmd "$B" run --pools 1 --offset-mix page1=50 --duration 0.5s --warmup 0 --query "$half" --no-validate --no-progress \
	--no-plot --out "$TEST_TMP/half"
check "a run where some queries succeed exits 0 (got $RC, stderr: $ERR)" [ "$RC" = 0 ]
check "... but the step with half its queries failed is flagged in the table" grep -Eq '^s001-.*\(errors [0-9.]+%\)' "$TEST_TMP/out"
check "... and named in a warning" grep -q 'warning: 1 step had more than 1% of their queries fail (marked errors above): s001' "$TEST_TMP/err"
nodollar=$(qfile nodollar.sql 'SELECT id FROM record ORDER BY id LIMIT 10')
run_cmd "$B" run --pools 1 --offsets 0,100 --duration 0.2s --warmup 0 --query "$nodollar" --no-validate --no-progress --no-plot \
	--out "$TEST_TMP/nodollar"
check "a query without \$1 in a sweep of offsets runs (exit $RC)" [ "$RC" = 0 ]
check "... with a warning that every offset step runs the same statement" \
	grep -q 'warning: query "nodollar.sql" has no \$1: every offset step runs the same statement' "$TEST_TMP/err"

# ---- PgBouncer 1.18 in transaction mode in front of the server ----------------------------------------
BD=$TEST_TMP/bouncer
mkdir -p "$BD"
BPORT=6543
printf '"postgres" ""\n' >"$BD/userlist.txt"
cat >"$BD/pgbouncer.ini" <<INI
[databases]
postgres = host=$PGHOST port=$PGPORT dbname=postgres user=postgres
[pgbouncer]
listen_port = $BPORT
unix_socket_dir = $BD
auth_type = trust
auth_file = $BD/userlist.txt
pool_mode = transaction
server_round_robin = 1
max_client_conn = 20
default_pool_size = 8
log_connections = 0
log_disconnections = 0
pidfile = $BD/pgbouncer.pid
INI
as_owner=()
if [ "$(id -u)" = 0 ]; then chown -R postgres "$BD"; as_owner=(runuser -u postgres --); fi
mkfifo "$BD/log.fifo"
"${as_owner[@]}" "$(command -v pgbouncer)" "$BD/pgbouncer.ini" 2>"$BD/log.fifo" &
BOUNCER_PID=$!
bouncer_stop() {
	[ -s "$BD/pgbouncer.pid" ] && kill "$(cat "$BD/pgbouncer.pid")" 2>/dev/null
	wait "$BOUNCER_PID" 2>/dev/null
}
trap 'bouncer_stop; pgpb_server_stop; rm -rf "$TEST_TMP"' EXIT
up=""
exec 8<"$BD/log.fifo"
while IFS= read -r -t 30 line <&8; do
	case $line in *"process up"*) up=1; break ;; esac
done
cat <&8 >"$BD/log" &
check "pgbouncer 1.18 starts in transaction mode" [ -n "$up" ]
# Two server connections behind the pooler, used in turn (server_round_robin): one held in a transaction
# while another query opens the second.
coproc HOLD { psql -X -q -A -t -h "$BD" -p $BPORT -U postgres postgres 2>&1; }
printf 'BEGIN;\nSELECT 1;\n' >&"${HOLD[1]}"
read -r -t 30 held <&"${HOLD[0]}"
psql_q -h "$BD" -p $BPORT -c 'SELECT 2' >/dev/null
printf 'COMMIT;\n\\q\n' >&"${HOLD[1]}"
wait "$HOLD_PID" 2>/dev/null
check "two server connections behind the pooler (held '$held')" \
	[ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")" -ge 2 ]
bounced() { timeout -k 5 60 "$B" run -h "$BD" -p $BPORT --offsets 0 --duration 0.3s --warmup 0 --no-progress --no-plot "$@"; }
for p in simple extended; do
	run_cmd bounced --pools 2 --protocol $p --out "$TEST_TMP/bouncer-$p"
	check "behind the pooler --protocol $p runs without errors (exit $RC, errors '$(csv_col "$TEST_TMP/bouncer-$p/steps.csv" errors 2>/dev/null)', stderr: $ERR)" \
		eval '[ "$RC" = 0 ] && [ "$(csv_col "$TEST_TMP/bouncer-$p/steps.csv" errors)" = 0 ]'
done
# the pooler is not named to the run: it is found by what it does (two transactions of the control
# connection on two server sessions, in turn), and prepared is refused before anything is prepared
run_cmd bounced --pools 1 --protocol prepared --out "$TEST_TMP/bouncer-p1"
check "behind the pooler --protocol prepared is refused up front: exit 2 (got $RC)" [ "$RC" = 2 ]
check "... saying why: the statement prepared on one server connection is missing on another" \
	grep -q 'hint: A transaction pooler (PgBouncer in transaction mode) runs each transaction on any server connection' "$TEST_TMP/err"
check "... with what showed the pooler" grep -q 'detail: two transactions of one connection ran in server processes' "$TEST_TMP/err"
check "... before the results directory was claimed" [ ! -e "$TEST_TMP/bouncer-p1/steps.csv" ]
run_cmd bounced --pools 4 --out "$TEST_TMP/bouncer-p4"
check "behind the pooler the default protocol becomes extended and the run succeeds (exit $RC: $(grep error: "$TEST_TMP/err"))" \
	eval '[ "$RC" = 0 ] && grep -q "protocol extended: prepared statements do not survive a transaction pooler" "$TEST_TMP/err" &&
	      [ "$(csv_col "$TEST_TMP/bouncer-p4/steps.csv" errors)" = 0 ]'
check "... and no word of max_connections" eval '! grep -q max_connections "$TEST_TMP/err"'
run_cmd bounced --pools 30 --protocol simple --out "$TEST_TMP/bouncer-full"
check "more connections than the pooler's max_client_conn: exit 1 (got $RC)" [ "$RC" = 1 ]
check "... and then the hint names the connection limits" grep -q 'hint: Check max_connections on the server, or max_client_conn' "$TEST_TMP/err"
bouncer_stop
pgpb_finish
