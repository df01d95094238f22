# The temporary cluster's whole life, as the current user (root in CI, where the server must run as
# postgres) or, from cluster_nobody.sh, as the user nobody. It starts and stops and leaves no process and
# no directory behind: on normal exit; on SIGINT, SIGTERM and SIGHUP during initdb, during start-up and
# while it runs; when the server refuses a --pg-setting; when initdb fails; when the server dies under
# `pgpagebench server`; and with --keep once the printed stop command ran.
# Every case gets a private TMPDIR, so clusters of other tests or other users never confuse the check:
# "left behind" means a process whose command line or environment mentions that directory (every child
# inherits TMPDIR, even initdb's bootstrap backend) or anything inside it.
. "$(dirname "$0")/../lib.sh"

AS=${PGPB_CLUSTER_AS:-} # empty: the current user; else a user name to run the tool as (needs root)
MOUNTED=""
cleanup() {
	local p
	for p in $(procs_mentioning "$BASE"); do kill -KILL "$p" 2>/dev/null; done
	[ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
	[ "$BASE" != "$TEST_TMP" ] && rm -rf "$BASE"
	pgpb_server_stop
	rm -rf "$TEST_TMP"
}

if [ -n "$AS" ]; then
	if [ "$(id -u)" != 0 ] || ! id "$AS" >/dev/null 2>&1; then
		ok "# SKIP running the tool as $AS needs root and that user"
		pgpb_finish
		exit
	fi
	# CI clones into any folder, which that user may not be able to read: use a world-readable copy
	BASE=$(mktemp -d /tmp/pgpb-as.XXXXXX)
	chmod 755 "$BASE"
	cp "$PGPB_BIN" "$BASE/pgpagebench"
	chmod 755 "$BASE/pgpagebench"
	B=$BASE/pgpagebench
	RUN=(setpriv --reuid="$AS" --regid="$(id -g "$AS")" --clear-groups)
	OWNER=$AS
else
	BASE=$TEST_TMP
	B=$PGPB_BIN
	RUN=()
	OWNER=$(id -un)
	[ "$OWNER" = root ] && OWNER=postgres
fi
trap cleanup EXIT
WHO="as ${AS:-$(id -un)}"

# pids of the processes whose command line or environment mentions $1 (the glob is expanded before the
# grep starts, so grep never lists itself)
procs_mentioning() {
	local files=(/proc/[0-9]*/cmdline /proc/[0-9]*/environ)
	grep -lsF -- "$1" "${files[@]}" | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -u
}

# newdir NAME: a fresh private TMPDIR the tool's user can write to
newdir() {
	local d=$BASE/$1
	mkdir "$d"
	[ -n "$AS" ] && chown "$AS" "$d"
	echo "$d"
}

# clean DESC DIR: nothing mentions DIR any more and DIR is empty
clean() {
	local procs left
	procs=$(procs_mentioning "$2")
	left=$(ls -A "$2" 2>&1)
	if [ -z "$procs" ] && [ -z "$left" ]; then
		ok "$1: no process and no directory left behind"
	else
		not_ok "$1: left behind: processes [$(ps -o pid=,user=,args= -p "$(echo $procs | tr ' ' ,)")] files [$left]"
		for p in $procs; do kill -KILL "$p" 2>/dev/null; done
	fi
}

# tool DIR ARGS...: the binary with TMPDIR=DIR, as the chosen user. It execs (setpriv and env exec too),
# so in the background $! is the tool itself and signals reach it.
tool() {
	local d=$1
	shift
	"${RUN[@]}" env TMPDIR="$d" "$B" "$@"
}
tool_exec() { exec "${RUN[@]}" env TMPDIR="$1" "$B" "${@:2}"; } # only in a subshell

# wait_for PID CMD...: polls CMD until it succeeds; fails when PID (the tool) exits first. The condition
# synchronises; the 60 s bound only stops a broken test from hanging.
wait_for() {
	local pid=$1 i
	shift
	for ((i = 0; i < 6000; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# start_server DIR [ARGS...]: `pgpagebench server` in the background; waits for its conninfo line and
# sets SPID (the tool) and SDIR (the cluster directory, its socket directory)
start_server() {
	local d=$1 fifo line=""
	shift
	fifo=$d.fifo
	mkfifo "$fifo"
	(tool_exec "$d" server "$@") >"$fifo" 2>"$d.err" &
	SPID=$!
	exec 8<"$fifo"
	while IFS= read -r line <&8; do
		case $line in conninfo:*) break ;; esac
	done
	SDIR=$(printf '%s\n' "$line" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	[ -n "$SDIR" ]
}

# stop_server SIGNAL WANT_RC DESC: signals the tool, waits for it, checks its exit status
stop_server() {
	kill -"$1" "$SPID"
	wait "$SPID"
	local rc=$?
	exec 8<&-
	check "$3: exit status $rc is $2" [ "$rc" = "$2" ]
}

# 1. normal exit, and -v reports the start-up time
d=$(newdir ok)
run_cmd tool "$d" schema create --ephemeral -v
check "schema create --ephemeral $WHO succeeds" [ "$RC" = 0 ]
check "-v reports the start-up time" grep -Eq 'temporary cluster ready in [0-9.]+ s \(initdb [0-9.]+ s, server start [0-9.]+ s\)' "$TEST_TMP/err"
clean "normal exit $WHO" "$d"

# 2. killed while the cluster runs: SIGINT 130, SIGTERM 143, SIGHUP 129 (as another user, SIGINT: the
# other two take the same path, and the suite's time is shared)
sigs="INT:130 TERM:143 HUP:129"
[ -n "$AS" ] && sigs=INT:130
for sig in $sigs; do
	d=$(newdir "run${sig%%:*}")
	if ! start_server "$d"; then
		not_ok "server $WHO did not start: $(cat "$d.err")"
		continue
	fi
	if [ "$sig" = INT:130 ]; then
		check "the server accepts connections on its socket" [ "$(psql_q -h "$SDIR" -p 5432 -U postgres -d postgres -c 'SELECT 1')" = 1 ]
		pm=$(head -1 "$SDIR/data/postmaster.pid")
		check "the postmaster runs as $OWNER" [ "$(ps -o user= -p "$pm" | tr -d ' ')" = "$OWNER" ]
		users=$(ps -o user= -p "$(pgrep -d, -f -- "$SDIR")" | tr -d ' ' | sort -u)
		check "every server process runs as $OWNER (got: $users)" [ "$users" = "$OWNER" ]
		check "the cluster directory belongs to $OWNER" [ "$(stat -c %U "$SDIR" "$SDIR/data" | sort -u)" = "$OWNER" ]
		check "every server process's title names the cluster (cluster_name)" [ "$(pgrep -c -f -- "$SDIR")" -ge 4 ]
	fi
	stop_server "${sig%%:*}" "${sig##*:}" "SIG${sig%%:*} while the server runs $WHO"
	rm -f "$d.fifo" "$d.err"
	clean "SIG${sig%%:*} while the server runs $WHO" "$d"
done

# 3. SIGINT during initdb, SIGTERM during the server's start-up
d=$(newdir initdb)
(tool_exec "$d" server) >"$d.out" 2>"$d.err" &
pid=$!
if wait_for "$pid" pgrep -f -- "--pgdata=$d/"; then
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	check "SIGINT during initdb $WHO: exit status $rc is 130" [ "$rc" = 130 ]
	check "... and the server never came up" [ ! -s "$d.out" ]
else
	wait "$pid"
	not_ok "initdb was never seen running: $(cat "$d.err")"
fi
rm -f "$d.out" "$d.err"
clean "SIGINT during initdb $WHO" "$d"

d=$(newdir start)
(tool_exec "$d" server) >"$d.out" 2>"$d.err" &
pid=$!
if wait_for "$pid" pgrep -f -- "postgres -D $d/"; then
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "SIGTERM as soon as the postmaster exists $WHO: exit status $rc is 143" [ "$rc" = 143 ]
else
	wait "$pid"
	not_ok "the postmaster was never seen: $(cat "$d.err")"
fi
rm -f "$d.out" "$d.err"
clean "SIGTERM during start-up $WHO" "$d"

# 4. the server refuses a setting: the error names it
d=$(newdir badval)
expect_fail "a bad --pg-setting value is named $WHO" 1 \
	'did not start: FATAL: invalid value for parameter "shared_buffers": "nonsense"' \
	tool "$d" schema create --ephemeral --pg-setting shared_buffers=nonsense
clean "server refused shared_buffers=nonsense $WHO" "$d"
if [ -z "$AS" ]; then
	d=$(newdir badname)
	expect_fail "an unknown --pg-setting name is named $WHO" 1 \
		'did not start: FATAL: unrecognized configuration parameter "no_such_setting"' \
		tool "$d" server --pg-setting no_such_setting=1
	clean "server refused no_such_setting $WHO" "$d"
fi

# 5. initdb fails. A bin directory with a copy of the real initdb and pg_ctl, beside a "postgres" that
# reports another version: the real initdb refuses to run with it.
d=$(newdir initdbfail)
bin=$BASE/bin
mkdir -p "$bin"
cp "$(pg_config --bindir)/initdb" "$bin/initdb"
ln -sf "$(pg_config --bindir)/pg_ctl" "$bin/pg_ctl"
printf '#!/bin/sh\necho "postgres (PostgreSQL) 9.9"\n' >"$bin/postgres"
chmod 755 "$bin" "$bin/initdb" "$bin/postgres"
expect_fail "initdb failure is reported $WHO" 1 'initdb failed: .*"postgres".*not the same version as initdb' \
	env PGPB_PG_BINDIR="$bin" "${RUN[@]}" env TMPDIR="$d" "$B" schema create --ephemeral
clean "initdb failed $WHO" "$d"

# 6. the server dies under `pgpagebench server` (immediate shutdown): it says so and exits 1 (for the
# current user only: the same code path for any user)
if [ -z "$AS" ]; then
	d=$(newdir died)
	if start_server "$d"; then
		kill -QUIT "$(head -1 "$SDIR/data/postmaster.pid")"
		wait "$SPID"
		rc=$?
		exec 8<&-
		check "server exits 1 when its postmaster dies $WHO (got $rc)" [ "$rc" = 1 ]
		check "and says so" grep -q 'error: the temporary server exited unexpectedly' "$d.err"
	else
		not_ok "server $WHO did not start: $(cat "$d.err")"
	fi
	rm -f "$d.fifo" "$d.err"
	clean "postmaster died $WHO" "$d"
fi

# 6b. the tool is SIGKILLed: the kernel's parent-death signal shuts the server down; the directory stays
# (nothing of the tool runs any more to remove it) until the next start in the same TMPDIR removes it. That
# sweep spares a --keep cluster (no owner file), a directory whose owner runs, and one whose server runs.
if [ -z "$AS" ]; then
	d=$(newdir killed)
	if start_server "$d"; then
		pm=$(head -1 "$SDIR/data/postmaster.pid")
		kill -KILL "$SPID"
		wait "$SPID"
		exec 8<&-
		for ((i = 0; i < 6000; i++)); do kill -0 "$pm" 2>/dev/null || break; sleep 0.01; done
		check "SIGKILL of the tool shuts its server down" [ -z "$(procs_mentioning "$d")" ]
		check "the killed tool's directory stays, with its owner file" [ -s "$SDIR/owner" ]
		me="$$ $(awk '{ print $22 }' /proc/$$/stat) $(cat /proc/sys/kernel/hostname)"
		mkdir "$d/pgpagebench-kept00" "$d/pgpagebench-alive0" "$d/pgpagebench-srvup0" "$d/pgpagebench-srvup0/data"
		echo "$me" >"$d/pgpagebench-alive0/owner"
		echo "999999999 1 $(cat /proc/sys/kernel/hostname)" >"$d/pgpagebench-srvup0/owner"
		echo "$$" >"$d/pgpagebench-srvup0/data/postmaster.pid"
		# a server whose pid we cannot see (another pid namespace) still answers on its socket
		sockpid=""
		if command -v python3 >/dev/null; then
			mkdir "$d/pgpagebench-sockup"
			echo "999999999 1 $(cat /proc/sys/kernel/hostname)" >"$d/pgpagebench-sockup/owner"
			exec 9< <(exec python3 -c 'import socket, sys, signal
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8); print("listening", flush=True); signal.pause()' \
				"$d/pgpagebench-sockup/.s.PGSQL.5432")
			sockpid=$!
			read -r line <&9
		fi
		run_cmd tool "$d" schema create --ephemeral
		check "the next start in that TMPDIR succeeds (stderr: $ERR)" [ "$RC" = 0 ]
		check "... removes the killed tool's directory" [ ! -e "$SDIR" ]
		check "... and says so" grep -qF "removed \"$SDIR\", left by an earlier run that was killed" "$TEST_TMP/err"
		check "... spares a directory without an owner file (--keep)" [ -d "$d/pgpagebench-kept00" ]
		check "... spares a directory whose owner runs" [ -d "$d/pgpagebench-alive0" ]
		check "... spares a directory whose server runs" [ -d "$d/pgpagebench-srvup0" ]
		if [ -n "$sockpid" ]; then
			check "... spares a directory whose socket answers" [ -d "$d/pgpagebench-sockup" ]
			kill "$sockpid"
			exec 9<&-
		fi
		rm -rf "${d:?}"/*
	else
		not_ok "server $WHO did not start: $(cat "$d.err")"
	fi
	rm -f "$d.fifo" "$d.err"
fi

# 7. --keep prints the conninfo and the exact stop command; the server outlives the tool until it runs
d=$(newdir keep)
run_cmd tool "$d" schema create --ephemeral --keep
check "schema create --ephemeral --keep $WHO succeeds" [ "$RC" = 0 ]
kdir=$(sed -n 's/^conninfo: host=\([^ ]*\) .*/\1/p' "$TEST_TMP/out")
stopcmd=$(sed -n 's/^stop it with: //p' "$TEST_TMP/out")
check "--keep prints the conninfo" [ -n "$kdir" ]
check "--keep prints the stop command" [ -n "$stopcmd" ]
check "the kept server still answers, with the schema in it" \
	[ "$(psql_q -h "$kdir" -p 5432 -U postgres -d postgres -c 'SELECT count(*) FROM auth_user')" = 0 ]
check "the leftover check does see the kept server" [ -n "$(procs_mentioning "$d")" ]
"${RUN[@]}" sh -c "$stopcmd" >/dev/null 2>&1
check "the printed stop command succeeds" [ "$?" = 0 ]
clean "--keep, after its stop command $WHO" "$d"

# 8. TMPDIR: missing, too long for a socket path, not writable
d=$(newdir tmpdirs)
expect_fail "a missing TMPDIR is named" 1 'could not use temporary directory ".*/nope" \(from TMPDIR\): No such file or directory' \
	tool "$d/nope" schema create --ephemeral
long=$d/$(printf 'x%.0s' $(seq 1 90))
mkdir "$long"
[ -n "$AS" ] && chown "$AS" "$long"
run_cmd tool "$long" schema create --ephemeral -v
check "a TMPDIR too long for a socket path still works $WHO" [ "$RC" = 0 ]
check "... with a warning naming it" grep -q "warning: temporary directory \"$long\" is too long" "$TEST_TMP/err"
fallback=$(sed -n 's/.* at host=\([^ ]*\) .*/\1/p' "$TEST_TMP/err")
check "... in /tmp, removed afterwards ($fallback)" eval '[ "${fallback#/tmp/pgpagebench-}" != "$fallback" ] && [ ! -e "$fallback" ]'
rmdir "$long"
clean "TMPDIR too long $WHO" "$d"
if [ -z "$AS" ]; then
	odd="$d/a b,c'd"
	mkdir "$odd"
	run_cmd tool "$odd" schema create --ephemeral -v
	check "a TMPDIR with a space, a comma and a quote still works" [ "$RC" = 0 ]
	check "... with a warning naming it" grep -qF "warning: temporary directory \"$odd\" is too long or holds characters unsafe" "$TEST_TMP/err"
	rmdir "$odd"
	clean "TMPDIR with unsafe characters" "$d"
fi

if [ -n "$AS" ]; then
	d=$(newdir ro)
	chown root "$d"
	chmod 755 "$d"
	expect_fail "a TMPDIR $AS cannot write to is named" 1 "could not create a temporary directory in \"$d\": Permission denied" \
		tool "$d" schema create --ephemeral
	clean "unwritable TMPDIR $WHO" "$d"
elif [ "$(id -u)" = 0 ]; then
	# as root the server runs as postgres, which must be able to reach the directory
	d=$(newdir locked)
	chmod 700 "$d"
	expect_fail "as root, a TMPDIR postgres cannot enter is named" 1 "user \"postgres\" cannot enter directory \"$d/pgpagebench-" \
		tool "$d" schema create --ephemeral
	clean "TMPDIR closed to postgres" "$d"
	# a real initdb failure: the disk fills up during initdb (a 4 MB tmpfs)
	d=$(newdir full)
	if mount -t tmpfs -o size=4m,mode=755 tmpfs "$d" 2>/dev/null; then
		MOUNTED=$d
		expect_fail "initdb on a full disk is reported" 1 'initdb failed: .*No space left on device' \
			tool "$d" schema create --ephemeral
		clean "initdb on a full disk" "$d"
		umount "$d" && MOUNTED=""
	else
		ok "# SKIP initdb on a full disk: cannot mount a tmpfs here"
	fi
fi
pgpb_finish
