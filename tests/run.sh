#!/usr/bin/env bash
# tests/run.sh: runs every unit test (cmocka binaries in $PGPB_BUILD/tests) and every integration test
# (tests/integration/*.sh), then prints one closing line CI can read: "N passed, N failed".
# TESTS=pattern limits the run to matching files. JOBS=N runs N test files at once (default 2): each
# starts its own PostgreSQL on its own temporary directory and socket, so they do not meet, and most of a
# test's time is waiting on a server or a step's duration, so two at a time on two cores roughly halves
# the wall time. JOBS=1 runs them one after the other. Results are printed in the files' order.
set -u
cd "$(dirname "$0")/.."
: "${PGPB_BIN:?}" "${PGPB_BUILD:?}"
export PGPB_BIN PGPB_BUILD PATH="$PATH:$(pg_config --bindir 2>/dev/null)"
pattern=${TESTS:-}
jobs=${JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: error: invalid JOBS \"$jobs\": expected a positive integer" >&2; exit 2; }
passed=0 failed=0
failed_names=()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One test file: its log, exit status and seconds into $work/<index>.{log,rc,secs}.
run_one() {
	local t=$1 i=$2 start rc
	start=$(date +%s)
	if [[ $t == *.sh ]]; then
		bash "$t" >"$work/$i.log" 2>&1; rc=$?
	else
		CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$work/$i.log" 2>&1; rc=$?
	fi
	echo $(( $(date +%s) - start )) >"$work/$i.secs"
	echo "$rc" >"$work/$i.rc"
}

tests=()
for t in "$PGPB_BUILD"/tests/test_* tests/integration/*.sh; do
	[ -e "$t" ] || continue
	case $t in *.d|*.o) continue ;; esac
	[ -n "$pattern" ] && [[ $(basename "$t") != *$pattern* ]] && continue
	tests+=("$t")
done

# Prints test i's line (and its failures) once it has finished, in order.
report() {
	local i=$1 t=${tests[$1]} name rc p f status log
	name=$(basename "$t"); log="$work/$i.log"; rc=$(cat "$work/$i.rc")
	if [[ $t == *.sh ]]; then
		p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log")
	else
		p=$(grep -c '^\[       OK \]' "$log"); f=$(grep '^\[  FAILED  \] [^0-9]' "$log" | sort -u | wc -l)
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # a crash or a failed setup counts as a failure
	passed=$((passed + p)); failed=$((failed + f))
	status=PASS; [ "$f" != 0 ] && { status=FAIL; failed_names+=("$name"); }
	printf '%-4s %-40s %3d passed %3d failed  %ss\n' "$status" "$name" "$p" "$f" "$(cat "$work/$i.secs")"
	if [ "$f" != 0 ]; then sed 's/^/    | /' "$log" | grep -v '^    | ok - ' | tail -40; fi
}

next=0 running=0
for i in "${!tests[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n; running=$((running - 1))
	fi
	run_one "${tests[$i]}" "$i" &
	running=$((running + 1))
	while [ "$next" -lt "${#tests[@]}" ] && [ -e "$work/$next.rc" ]; do report "$next"; next=$((next + 1)); done
done
wait
while [ "$next" -lt "${#tests[@]}" ]; do report "$next"; next=$((next + 1)); done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
