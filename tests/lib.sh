# tests/lib.sh: helpers for the integration tests (sourced). Each test prints "ok - ..." or "not ok - ...";
# tests/run.sh counts them. A test that needs a server starts one with pgpb_server_start and waits for its
# "conninfo:" line (output, not a clock, is the synchronisation).
set -u
: "${PGPB_BIN:?PGPB_BIN must point at the pgpagebench binary}"
PGPB_FAILS=0
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgpb-test.XXXXXX")
chmod 755 "$TEST_TMP"
PGPB_SERVER_PID=""

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; PGPB_FAILS=$((PGPB_FAILS + 1)); }
check() { # check DESC CMD...: passes when CMD succeeds
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# pgpb_lint_checks FILE: a `check` line whose && or || stands outside the quoted command chains the rest
# after check, where it can never fail the test (`check "x" [ "$RC" = 0 ] && [ ... ]` tests only RC).
# Prints file:line of each such line, after joining lines continued with a backslash. Quotes, $(...),
# backquotes and comments are followed, so an && inside a quoted string or a substitution is fine.
pgpb_lint_checks() {
	awk '
	function scan(s,    i, n, ch, two, top, st, depth) {
		# st: stack of contexts, T top level, D double quotes, S single quotes, C $( ), B backquotes
		top = 1; st[1] = "T"; depth[1] = 0; n = length(s)
		for (i = 1; i <= n; i++) {
			ch = substr(s, i, 1); two = substr(s, i, 2)
			if (st[top] == "S") { if (ch == "\047") top--; continue }
			if (ch == "\\") { i++; continue }
			if (st[top] == "D") {
				if (ch == "\"") top--
				else if (two == "$(") { st[++top] = "C"; depth[top] = 1; i++ }
				else if (ch == "`") st[++top] = "B"
				continue
			}
			if (ch == "`" && st[top] == "B") { top--; continue }
			if (ch == "`") { st[++top] = "B"; continue }
			if (ch == "\047") { st[++top] = "S"; continue }
			if (ch == "\"") { st[++top] = "D"; continue }
			if (two == "$(") { st[++top] = "C"; depth[top] = 1; i++; continue }
			if (st[top] == "C") {
				if (ch == "(") depth[top]++
				else if (ch == ")" && --depth[top] == 0) top--
				continue
			}
			if (st[top] != "T") continue
			if (ch == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/)) return 0
			if (two == "&&" || two == "||") return 1
		}
		return 0
	}
	{
		if (buf == "") start = FNR
		if (sub(/\\$/, "")) { buf = buf $0 " "; next }
		line = buf $0; buf = ""
		if (line ~ /^[ \t]*check[ \t]/ && scan(line)) print FILENAME ":" start
	}' "$1"
}
# The test that sources this file is held to it: each such line is a failure of the suite.
PGPB_TEST_FILE=${BASH_SOURCE[1]:-$0}
if [ -r "$PGPB_TEST_FILE" ]; then
	for pgpb_bad in $(pgpb_lint_checks "$PGPB_TEST_FILE"); do
		not_ok "$pgpb_bad: check with && or || outside its command: the part after it runs unchecked; put the whole condition in the command (eval '...' or sh -c '...')"
	done
	unset pgpb_bad
fi

# run_cmd CMD...: runs, capturing $OUT, $ERR and $RC
run_cmd() {
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	RC=$?
	OUT=$(cat "$TEST_TMP/out")
	ERR=$(cat "$TEST_TMP/err")
}

# expect_fail DESC EXPECTED_RC STDERR_REGEX CMD...: exit status and message; never a crash (rc >= 128)
expect_fail() {
	local desc=$1 want=$2 re=$3; shift 3
	run_cmd "$@"
	local lines
	lines=$(printf '%s\n' "$ERR" | grep -c 'error:')
	if [ "$RC" != "$want" ]; then
		not_ok "$desc: exit $RC, wanted $want (stderr: $ERR)"
	elif ! printf '%s\n' "$ERR" | grep -Eq -- "$re"; then
		not_ok "$desc: stderr does not match /$re/: $ERR"
	elif [ "$lines" != 1 ]; then
		not_ok "$desc: expected exactly one error line, got: $ERR"
	elif printf '%s\n' "$ERR" | grep -E 'error: .*\.$' >/dev/null; then
		not_ok "$desc: error message ends with a period: $ERR"
	else
		ok "$desc"
	fi
}

# pgpb_server_start [--pg-setting ...]: a private cluster for this test file; sets PGHOST etc.
pgpb_server_start() {
	local fifo="$TEST_TMP/server.fifo"
	mkfifo "$fifo"
	"$PGPB_BIN" server "$@" >"$fifo" 2>"$TEST_TMP/server.err" &
	PGPB_SERVER_PID=$!
	local line=""
	exec 9<"$fifo"
	while IFS= read -r line <&9; do
		case $line in conninfo:*) break ;; esac
	done
	case $line in
	conninfo:*)
		PGPB_CONNINFO=${line#conninfo: }
		export PGHOST=$(printf '%s\n' "$PGPB_CONNINFO" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
		export PGPORT=$(printf '%s\n' "$PGPB_CONNINFO" | sed -n 's/.*port=\([^ ]*\).*/\1/p')
		export PGUSER=postgres PGDATABASE=postgres
		;;
	*) echo "server did not start: $(cat "$TEST_TMP/server.err")" >&2; return 1 ;;
	esac
}

pgpb_server_stop() {
	if [ -n "$PGPB_SERVER_PID" ]; then
		kill -TERM "$PGPB_SERVER_PID" 2>/dev/null
		wait "$PGPB_SERVER_PID" 2>/dev/null
		PGPB_SERVER_PID=""
		exec 9<&- 2>/dev/null
	fi
}

psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# pgpb_small_dataset: the tool's tables with a small SQL-made dataset (400 top-level records, 343 of them
# 'new', 600 children, 900 tags), marked complete; returns non-zero when either step fails.
pgpb_small_dataset() {
	"$PGPB_BIN" schema create >/dev/null || return 1
	psql_q <<'SQL'
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 'x', false, 'user' || i, '', '', 'u' || i || '@example.com', false, true, now() FROM generate_series(1, 20) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 20, NULL, CASE WHEN i % 7 = 0 THEN 'old' ELSE 'new' END, timestamptz '2024-01-01' + i * interval '1 minute',
       'label ' || i, repeat('content ', 5) FROM generate_series(1, 400) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 20, 1 + i % 400, CASE WHEN i % 3 = 0 THEN 'old' ELSE 'new' END, timestamptz '2024-02-01' + i * interval '1 minute',
       'part ' || i, 'part' FROM generate_series(1, 600) i;
INSERT INTO tag (kind, kind_id, tag) SELECT 'rec', 1 + i % 400, 'tag' || (i % 13) FROM generate_series(1, 900) i;
UPDATE pgpagebench_dataset SET state = 'complete', scale = 0.001, seed = 1, users = 20, records = 1000, tags = 900,
       checksum = 'fixture', fingerprint = 'fixture-0.001', finished = now();
ANALYZE;
SQL
}

pgpb_finish() {
	pgpb_server_stop
	rm -rf "$TEST_TMP"
	[ "$PGPB_FAILS" = 0 ]
}
trap 'pgpb_server_stop; rm -rf "$TEST_TMP"' EXIT
