# PgBouncer in front of the server: run --ephemeral --pooler starts it beside the temporary cluster (its
# figures per step, consistent with the driver's counts; gone after the run and after SIGINT), prepared is
# refused up front in transaction mode and works in session mode, and a PgBouncer the user runs is checked
# through --pooler-admin before anything is prepared.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
# meta FILE KEY...: meta.json's values at dotted KEYs, space separated
meta() { python3 -c 'import json, sys, functools; m = json.load(open(sys.argv[1]))
print(" ".join(str(functools.reduce(lambda o, k: o[k], a.split("."), m)) for a in sys.argv[2:]))' "$@"; }
# pooler_gone DIR: no pgbouncer process runs with DIR's config, and DIR is removed
pooler_gone() {
	local p
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$1/pgbouncer.ini"; then return 1; fi
	done
	[ ! -e "$1" ]
}
SMALL=(--scale 0.01 --offsets 0 --no-plot --no-progress)

# ---- refused before anything starts ------------------------------------------------------------------
expect_fail "--pooler without --ephemeral" 2 'error: --pooler applies to --ephemeral' \
	"$B" run --pooler pgbouncer
expect_fail "an unknown pooler" 2 'invalid value "odyssey" for option --pooler' \
	"$B" run --ephemeral --pooler odyssey
expect_fail "--protocol prepared behind PgBouncer in transaction mode" 2 \
	'error: --protocol prepared cannot run behind PgBouncer in transaction mode' \
	"$B" run --ephemeral --pooler pgbouncer --protocol prepared
check "... with the hint naming extended, simple and session mode" \
	grep -q 'hint: .*use --protocol extended or simple, or --pooler pgbouncer=session' "$TEST_TMP/err"
expect_fail "session mode with more clients than server connections (they would wait for good)" 2 \
	'error: a step of 30 connections cannot run behind PgBouncer in session mode with a pool of 20' \
	"$B" run --ephemeral --pooler pgbouncer=session --pools 30
check "... before a cluster or a pooler was started" eval '! grep -q "datagen\|pgbouncer ready" "$TEST_TMP/err"'
expect_fail "a hard open-file limit below what PgBouncer's clients need, before the cluster is made" 1 \
	"error: pgbouncer's 316 client connections need 400 open files, but the hard limit is 256 \\(soft limit 256\\)" \
	bash -c 'ulimit -n 256 && exec "$0" run --ephemeral --pooler pgbouncer --pools 300 --model async' "$B"
check "... with the ulimit hint" grep -q 'hint: Raise the hard limit (as root: ulimit -Hn 400' "$TEST_TMP/err"
expect_fail "the same for the driver's own connections, before it connects" 1 \
	'error: 300 connections need 364 open files, but the hard limit is 256' \
	bash -c 'ulimit -n 256 && exec "$0" run -h /nonexistent --pools 300 --model async' "$B"

# ---- a pooler that does not start: the cluster is stopped and its directory removed -------------------
mkdir "$TEST_TMP/tmpf"
chmod 755 "$TEST_TMP/tmpf"
expect_fail "a pgbouncer that exits at once" 1 'error: pgbouncer did not start' \
	env TMPDIR="$TEST_TMP/tmpf" PGPB_PGBOUNCER=/bin/false timeout -k 5 120 "$B" run --ephemeral --pooler pgbouncer \
	--pools 1 "${SMALL[@]}"
check "... leaves no directory behind ($(ls "$TEST_TMP/tmpf"))" [ -z "$(ls -A "$TEST_TMP/tmpf")" ]

# ---- transaction mode: a small sweep through a pool of 2 server connections -------------------------
T=$TEST_TMP/tx
run_cmd timeout -k 5 120 "$B" run --ephemeral --pooler pgbouncer=transaction --pooler-pool-size 2 --pools 1,6 \
	--duration 0.5s --warmup 0.2s --out "$T" -v "${SMALL[@]}"
check "a sweep through PgBouncer in transaction mode exits 0 (got $RC: $(grep error: "$TEST_TMP/err"))" [ "$RC" = 0 ]
check "... the default protocol became extended, and it says so" \
	grep -qF 'protocol extended: prepared statements do not survive a transaction pooler' "$TEST_TMP/err"
TDIR=$(sed -n 's/.*pgbouncer ready in transaction mode .* at host=\([^ ]*\) port=6432.*/\1/p' "$TEST_TMP/err")
check "... PgBouncer was started in its private directory ('$TDIR')" [ -n "$TDIR" ]
check "... and is gone with the cluster after the run" pooler_gone "$TDIR"
check "... meta.json names the pooler, its mode and its pool size" \
	[ "$(meta "$T/meta.json" pooler.version pooler.mode pooler.pool_size pooler.started_by)" = \
	  "PgBouncer 1.18.0 transaction 2 pgpagebench" ]
check "... no step failed a query" [ "$(csv_col "$T/steps.csv" errors | sort -u)" = 0 ]
# the pooler's transactions over the window against the driver's: only queries in flight at an edge can
# be counted by one side and not the other (as for the server's calls)
consistent() {
	python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    n = int(r['ok']) + int(r['errors']) + int(r['validation_errors'])
    lo, hi = n - int(r['inflight_start']), n + int(r['inflight_end'])
    x = int(r['pooler_xacts'])
    if not (lo <= x <= hi) or int(r['pooler_queries']) != x or int(r['pooler_servers_max']) > 2:
        print(r['step'], 'pooler_xacts', x, 'queries', r['pooler_queries'], 'driver', lo, hi,
              'servers', r['pooler_servers_max'], file=sys.stderr)
        sys.exit(1)
sys.exit(0 if rows else 1)
PY
}
check "... each step's pooler transactions lie within the driver's queries +- those in flight, on <= 2 servers" \
	consistent "$T/steps.csv"
check "... with 6 clients on 2 server connections, the clients waited for a server (pooler_wait_us > 0)" \
	[ "$(csv_col "$T/steps.csv" pooler_wait_us | tail -1)" -gt 0 ]
check "... and every step has the wait per transaction, the query mean and the queue's samples" \
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	      $h["pooler_wait_mean_us"] != "" && $h["pooler_query_mean_us"] != "" && $h["pooler_cl_waiting_max"] != "" { n++ }
	      END { print n + 0 }' "$T/steps.csv")" = 2 ]
W=$(csv_col "$T/steps.csv" pooler_wait_mean_us | tail -1)
TW=$(sed -n 's/^  s002-[^ ]* *wait \([0-9.]*\) ms a transaction of a .*/\1/p' "$TEST_TMP/out")
check "... the terminal's pooler line gives steps.csv's wait per transaction ($TW ms, $W us)" \
	awk -v t="$TW" -v w="$W" 'BEGIN { d = t - w / 1000; exit !(t != "" && d < 0.0011 && d > -0.0011) }'
"$B" plot "$T" >/dev/null 2>&1
check "... the report shows the pooler and its per-step figures" \
	eval 'grep -q "<th>pooler</th><td>PgBouncer 1.18.0, transaction mode, pool of 2 server connections" "$T/index.html" &&
	      grep -q "pooler clients waiting" "$T/index.html"'

# ---- session mode: prepared statements work; SIGINT stops PgBouncer with the cluster ------------------
S=$TEST_TMP/session
mkfifo "$TEST_TMP/session.fifo"
timeout -k 5 120 "$B" run --ephemeral --pooler pgbouncer=session --pooler-pool-size 2 --pools 2 --protocol prepared \
	--duration 60s --warmup 0 --progress -v --out "$S" --scale 0.01 --offsets 0 --no-plot \
	>"$TEST_TMP/session.out" 2>"$TEST_TMP/session.fifo" &
RUN_PID=$!
exec 8<"$TEST_TMP/session.fifo"
SDIR=""
while IFS= read -r line <&8; do
	case $line in
	*"pgbouncer ready in session mode"*) SDIR=$(printf '%s\n' "$line" | sed -n 's/.* at host=\([^ ]*\) port=6432.*/\1/p') ;;
	*"measuring 1/"*) break ;;
	esac
done
check "a session-mode run with --protocol prepared reaches its measured window ('$SDIR')" [ -n "$SDIR" ]

# A PgBouncer the user runs, in transaction mode, in front of that cluster's server: --pooler-admin lets
# the run see its mode, so prepared is refused before anything is prepared, and the default is extended.
X=$TEST_TMP/ext
mkdir -p "$X"
printf '"postgres" ""\n' >"$X/users.txt"
cat >"$X/pgbouncer.ini" <<INI
[databases]
postgres = host=$SDIR port=5432 dbname=postgres user=postgres
[pgbouncer]
listen_addr =
listen_port = 6545
unix_socket_dir = $X
auth_type = trust
auth_file = $X/users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 2
logfile = $X/pgbouncer.log
pidfile = $X/pgbouncer.pid
INI
[ "$(id -u)" != 0 ] || chown -R postgres "$X"
if [ "$(id -u)" = 0 ]; then pgbouncer -u postgres "$X/pgbouncer.ini" & else pgbouncer "$X/pgbouncer.ini" & fi
XPID=$!
for _ in $(seq 300); do # poll, bounded: PgBouncer answers once it listens
	if psql_q -h "$X" -p 6545 -U postgres -d pgbouncer -c 'SHOW VERSION' >/dev/null 2>&1; then break; fi
	sleep 0.1
done
ADMIN="host=$X port=6545 user=postgres dbname=pgbouncer"
ext() { timeout -k 5 60 "$B" run -h "$X" -p 6545 -U postgres -d postgres --pooler-admin "$ADMIN" --pools 2 --offsets 0 \
	--duration 0.3s --warmup 0 --no-plot --no-progress "$@"; }
expect_fail "a PgBouncer the user runs, in transaction mode: --protocol prepared refused" 2 \
	'error: --protocol prepared cannot run behind PgBouncer 1.18.0 in transaction mode' \
	ext --protocol prepared --out "$TEST_TMP/ext-prepared"
check "... with the hint" grep -q 'hint: .*use --protocol extended or simple' "$TEST_TMP/err"
check "... before the results directory was claimed" [ ! -e "$TEST_TMP/ext-prepared/steps.csv" ]
run_cmd ext --out "$TEST_TMP/ext"
check "... without --protocol the run goes through it with extended (exit $RC: $(grep error: "$TEST_TMP/err"))" \
	eval '[ "$RC" = 0 ] && [ "$(csv_col "$TEST_TMP/ext/steps.csv" errors)" = 0 ] &&
	      grep -q "prepared statements do not survive PgBouncer 1.18.0 in transaction mode" "$TEST_TMP/err"'
check "... and reads its figures: meta.json's pooler started_by external, pooler_xacts in steps.csv" \
	eval '[ "$(meta "$TEST_TMP/ext/meta.json" pooler.started_by)" = external ] &&
	      [ -n "$(csv_col "$TEST_TMP/ext/steps.csv" pooler_xacts)" ]'
# not told of the pooler at all: found by what it does (PgBouncer hands out the server session released
# last, so a second client's transaction gets the one the control connection just used)
run_cmd timeout -k 5 60 "$B" run -h "$X" -p 6545 -U postgres -d postgres --pools 1 --offsets 0 --duration 0.3s \
	--warmup 0 --no-plot --no-progress --protocol prepared --out "$TEST_TMP/ext-probe"
check "a PgBouncer in transaction mode the run was not told of: prepared refused up front (exit $RC)" \
	eval '[ "$RC" = 2 ] && grep -q "error: --protocol prepared cannot run behind a transaction pooler" "$TEST_TMP/err" &&
	      grep -q "detail: another connection.s transaction was handed server process [0-9]*, which had just served this one" "$TEST_TMP/err" &&
	      [ ! -e "$TEST_TMP/ext-probe/steps.csv" ]'
expect_fail "--pooler-admin that is not an admin console" 1 'could not connect to the pooler.s admin console|not PgBouncer' \
	ext --pooler-admin "host=$X port=6545 user=nobody_here dbname=pgbouncer" --out "$TEST_TMP/ext-bad"
kill -INT "$XPID"
wait "$XPID"

kill -INT "$RUN_PID"
cat <&8 >"$TEST_TMP/session.err"
exec 8<&-
wait "$RUN_PID"
RC=$?
check "SIGINT during the session-mode run: exit 130 (got $RC)" [ "$RC" = 130 ]
check "... its step kept, with prepared statements through the session pooler and no error" \
	eval '[ "$(csv_col "$S/steps.csv" ok)" -gt 0 ] && [ "$(csv_col "$S/steps.csv" errors)" = 0 ] &&
	      [ "$(meta "$S/meta.json" options.protocol pooler.mode)" = "prepared session" ]'
check "... and PgBouncer is gone with the cluster" pooler_gone "$SDIR"
pgpb_finish
