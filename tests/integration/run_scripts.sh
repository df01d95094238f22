# run --script: pgbench's documented scripts (\set, random_zipfian) on a pgbench database, which has none
# of the tool's tables, and a zipfian script on the tool's tables; a weighted mix of two scripts with its
# per-statement rows (statements.csv, summary.json, the terminal agreeing); \gset, \glist and \sleep in
# every protocol and the shared pool; the read-only guard; and each bad script: exit 2, one error line
# naming the file and line, nothing written.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "dataset"; exit 1; }
createdb pgb && pgbench -i -s 1 -q -I dtgp pgb >/dev/null 2>&1 || { not_ok "pgbench -i"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
S=$TEST_TMP
RUN=(--pools 2 --offsets 0 --duration 0.5s --warmup 0 --no-plot --no-progress)

# pgbench's select-only script as its documentation prints it, with its draw made Zipfian
cat >"$S/select-zipf.sql" <<'EOF'
\set aid random_zipfian(1, 100000 * :scale, 1.07)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
EOF
run_cmd "$B" run -d pgb --script "$S/select-zipf.sql" "${RUN[@]}" --out "$S/r1"
check "a pgbench script runs on a database without the tool's tables (stderr: $ERR)" [ "$RC" = 0 ]
check "its statement has a row in statements.csv with successes and no error" \
	awk -F, 'NR == 2 && $4 == 1 && $5 == 2 && $6 > 0 && $7 == 0 { f = 1 } END { exit !f }' "$S/r1/statements.csv"
check "meta.json records the database and the script's sha256" \
	[ "$(json_q "$S/r1/meta.json" "SELECT (:'j'::json->'database'->>'name') || ' ' || (:'j'::json->'scripts'->0->>'sha256')")" = "pgb $(sha256sum <"$S/select-zipf.sql" | cut -d' ' -f1)" ]
check "the terminal prints the statement's latencies as pgbench -r" \
	grep -q '^ *[0-9][0-9]* .* 2  SELECT abalance FROM pgbench_accounts WHERE aid = :aid$' "$S/out"

# the same language on the tool's tables: a Zipfian user, the sweep's :page_size and :offset
cat >"$S/tool-zipf.sql" <<'EOF'
\set uid random_zipfian(1, 20, 1.5)
SELECT id, label FROM record
  WHERE auth_user_id = :uid AND parent_id IS NULL
  ORDER BY id LIMIT :page_size OFFSET :offset;
EOF
run_cmd "$B" run --script "$S/tool-zipf.sql" --pools 1 --offsets 0,10 --duration 0.3s --warmup 0 --no-plot \
	--no-progress --protocol simple --out "$S/r2"
check "a zipfian script on the tool's tables runs, simple protocol (stderr: $ERR)" [ "$RC" = 0 ]
check "one statements.csv row a step" [ "$(csv_col "$S/r2/statements.csv" step | tr '\n' ' ')" = "s001-threads-c1-o0 s002-threads-c1-o10 " ]
check "no statement failed" [ "$(csv_col "$S/r2/statements.csv" errors | sort -u)" = 0 ]

# a weighted mix of two scripts, one of them with two statements and a \sleep
cat >"$S/branch.sql" <<'EOF'
\set bid random(1, :scale)
SELECT bbalance FROM pgbench_branches WHERE bid = :bid;
\sleep 100 us
SELECT count(*) FROM pgbench_tellers WHERE bid = :bid;
EOF
run_cmd "$B" run -d pgb --script "$S/select-zipf.sql@3" --script "$S/branch.sql@1" "${RUN[@]}" --out "$S/r3"
check "a weighted mix of two scripts runs (stderr: $ERR)" [ "$RC" = 0 ]
check "statements.csv: three statements with their scripts, weights and lines" \
	[ "$(awk -F, 'NR > 1 { sub(".*/", "", $2); print $2 ":" $3 ":" $4 ":" $5 }' "$S/r3/statements.csv" | tr '\n' ' ')" = "select-zipf.sql:3:1:2 branch.sql:1:2:2 branch.sql:1:3:4 " ]
n1=$(awk -F, 'NR == 2 { print $6 }' "$S/r3/statements.csv")
n2=$(awk -F, 'NR == 3 { print $6 }' "$S/r3/statements.csv")
n3=$(awk -F, 'NR == 4 { print $6 }' "$S/r3/statements.csv")
check "the 3:1 mix ran the first script more often ($n1 against $n2)" [ "$n1" -gt "$n2" ]
# a request straddling an edge of the window counts some of its statements and not others: one per
# connection at each edge, so the counts agree within the 2 connections either way
check "a request runs its script's statements in order: the second follows the first ($n2, $n3)" \
	[ "$((n2 - n3))" -ge -2 -a "$((n2 - n3))" -le 2 ]
ok3=$(csv_col "$S/r3/steps.csv" ok)
check "the step's requests are the first statement of each ($n1 + $n2 vs $ok3 ok, within the requests in flight)" \
	[ "$((n1 + n2 - ok3))" -ge -2 -a "$((n1 + n2 - ok3))" -le 2 ]
check "summary.json lists the same statements with the same counts and p99" \
	[ "$(json_q "$S/r3/summary.json" "SELECT string_agg((s->>'ok') || '/' || (s->>'p99_us'), ' ') FROM json_array_elements(:'j'::json->'steps'->0->'statements') s")" = \
	  "$(awk -F, 'NR > 1 { printf "%s%s/%s", (NR > 2 ? " " : ""), $6, $10 }' "$S/r3/statements.csv")" ]
check "the terminal prints both scripts' statements" \
	[ "$(grep -c '^  script .*(weight [13])$' "$S/out")" = 2 ]
mean_ms=$(awk -F, 'NR == 3 { printf "%.3f", $8 / 1000 }' "$S/r3/statements.csv")
check "the terminal's mean of a statement is statements.csv's ($mean_ms ms)" \
	grep -q "^ *$n2 *$mean_ms .* 2  SELECT bbalance FROM pgbench_branches WHERE bid = :bid\$" "$S/out"
run_cmd "$B" plot "$S/r3" --format svg --quiet
check "the report has the statements table, with each statement (stderr: $ERR)" \
	[ "$(grep -c '<td class="l"><code>SELECT' "$S/r3/index.html")" = 3 ]

# \gset and \glist (the pgpagebench extension) in every protocol and the shared pool
cat >"$S/lists.sql" <<'EOF'
SELECT count(*) AS n FROM pgbench_tellers WHERE bid = 1 \gset c_
SELECT tid FROM pgbench_tellers WHERE bid = 1 ORDER BY tid LIMIT 3
\glist p_
SELECT 1 / CASE WHEN :c_n = 10 AND cardinality(:p_tid::int[]) = 3 AND count(*) = 3 THEN 1 ELSE 0 END
  FROM pgbench_tellers WHERE tid = ANY(:p_tid);
EOF
for how in "--protocol simple" "--protocol extended" "--protocol prepared" "--workers 2"; do
	run_cmd "$B" run -d pgb --script "$S/lists.sql" $how --pools 1 --offsets 0 --duration 0.3s --warmup 0 --no-plot \
		--no-progress --out "$S/r-lists" --force
	check "\\gset and \\glist feed the next statement, $how (stderr: $ERR)" \
		sh -c "[ $RC = 0 ] && awk -F, 'NR > 1 && (\$7 != 0 || \$6 == 0) { bad = 1 } END { exit bad }' '$S/r-lists/statements.csv'"
done

# a script that writes: refused without --allow-writes, run with a warning with it; a statement that fails
# mid-transaction is counted by its SQLSTATE and rolled back
cat >"$S/tpcb.sql" <<'EOF'
\set aid random(1, 100000 * :scale)
\set bid random(1, 1 * :scale)
\set tid random(1, 10 * :scale)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
EOF
expect_fail "a script that writes needs --allow-writes" 2 'script .*tpcb.sql line 6: UPDATE changes the database' \
	"$B" run -d pgb --script "$S/tpcb.sql" "${RUN[@]}" --out "$S/w1"
check "nothing written for it" [ ! -e "$S/w1" ]
before=$(psql_q -d pgb -c 'SELECT count(*) FROM pgbench_history')
run_cmd "$B" run -d pgb --script "$S/tpcb.sql" --allow-writes "${RUN[@]}" --out "$S/w2"
check "pgbench's tpcb-like script runs unchanged with --allow-writes (stderr: $ERR)" [ "$RC" = 0 ]
check "it warns that the run is not read-only" grep -q 'warning: script .*tpcb.sql writes (UPDATE at line 6): this run is not read-only' "$S/err"
check "its inserts reached the table" [ "$(psql_q -d pgb -c 'SELECT count(*) FROM pgbench_history')" -gt "$before" ]
cat >"$S/fail.sql" <<'EOF'
BEGIN;
SELECT 1 / (:offset::int - :offset::int);
END;
EOF
run_cmd "$B" run -d pgb --script "$S/fail.sql" --pools 1 --offsets 0 --duration 0.3s --warmup 0 --no-plot --no-progress --out "$S/f1"
check "a request whose statement fails is counted under its SQLSTATE" \
	[ "$(json_q "$S/f1/summary.json" "SELECT (:'j'::json->'steps'->0->'errors_by_sqlstate'->>'22012')::int > 0")" = t ]
check "and rolled back: the next requests begin anew (BEGIN never fails with 25P02)" \
	[ "$(awk -F, 'NR == 2 { print $7 }' "$S/f1/statements.csv")" = 0 ]

# bad scripts: exit 2, one line naming the file and line, nothing written
bad() { # bad NAME REGEX SCRIPT-TEXT [OPTIONS...]
	local name=$1 re=$2 text=$3; shift 3
	printf '%s' "$text" >"$S/$name.sql"
	expect_fail "bad script: $name" 2 "$re" "$B" run -d pgb --script "$S/$name.sql$SUFFIX" "$@" "${RUN[@]}" --out "$S/bad-$name"
	check "nothing written for $name" [ ! -e "$S/bad-$name" ]
}
SUFFIX=
bad syntax 'script .*syntax.sql line 2: syntax error in expression' $'SELECT 1;\n\\set x (1 +\n'
bad unknown-var 'script .*unknown-var.sql line 3: unknown variable ":nope"' $'\\set a 1\nSELECT :a;\nSELECT :nope;\n'
bad div-zero 'script .*div-zero.sql line 1: division by zero' $'\\set x 10 / (5 - 5)\nSELECT :x;\n'
bad empty-range 'script .*empty-range.sql line 1: empty range given to random' $'\\set x random(10, 1)\nSELECT :x;\n'
bad zipf-param 'line 1: zipfian parameter must be in range \[1.001, 1000\] \(not 1.000000\)' $'\\set x random_zipfian(1, 10, 1)\nSELECT :x;\n'
bad shell 'script .*shell.sql line 2: unsupported meta-command "\\shell"' $'SELECT 1;\n\\shell echo hi\n'
bad quote 'script .*quote.sql line 1: unterminated quoted string' $'SELECT \'open;\n'
SUFFIX=@0 bad weight0 'invalid value ".*weight0.sql@0" for option --script: the weight must be 1 to 100' $'SELECT 1;\n'
SUFFIX=@101 bad weight101 'the weight must be 1 to 100' $'SELECT 1;\n'
SUFFIX=
expect_fail "a missing script file" 2 'could not open file ".*nosuch.sql"' "$B" run -d pgb --script "$S/nosuch.sql" "${RUN[@]}"
expect_fail "--script with --query" 2 '--script cannot be combined with --query or --queries' \
	"$B" run -d pgb --script "$S/select-zipf.sql" --query "$S/select-zipf.sql" "${RUN[@]}"
printf 'SELECT * FROM no_such_table WHERE x = :offset;\n' >"$S/notable.sql"
expect_fail "a statement that does not run is named by its file and line" 1 \
	'script .*notable.sql line 1: the statement does not run: relation "no_such_table" does not exist' \
	"$B" run -d pgb --script "$S/notable.sql" "${RUN[@]}" --out "$S/nt"
pgpb_finish
