#!/usr/bin/env bash
# tests/run.sh: runs every unit test (cmocka binaries in $PGPB_BUILD/tests) and every integration test
# (tests/integration/*.sh), then prints one closing line CI can read: "N passed, N failed".
# TESTS=pattern limits the run to matching files.
set -u
cd "$(dirname "$0")/.."
: "${PGPB_BIN:?}" "${PGPB_BUILD:?}"
export PGPB_BIN PGPB_BUILD PATH="$PATH:$(pg_config --bindir 2>/dev/null)"
pattern=${TESTS:-}
passed=0 failed=0
failed_names=()
log=$(mktemp)
for t in "$PGPB_BUILD"/tests/test_* tests/integration/*.sh; do
	[ -e "$t" ] || continue
	case $t in *.d|*.o) continue ;; esac
	[ -n "$pattern" ] && [[ $(basename "$t") != *$pattern* ]] && continue
	name=$(basename "$t")
	start=$(date +%s)
	if [[ $t == *.sh ]]; then
		bash "$t" >"$log" 2>&1; rc=$?
		p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log")
	else
		CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$log" 2>&1; rc=$?
		p=$(grep -c '^\[       OK \]' "$log"); f=$(grep '^\[  FAILED  \] [^0-9]' "$log" | sort -u | wc -l)
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # a crash or a failed setup counts as a failure
	passed=$((passed + p)); failed=$((failed + f))
	status=PASS; [ "$f" != 0 ] && { status=FAIL; failed_names+=("$name"); }
	printf '%-4s %-40s %3d passed %3d failed  %ss\n' "$status" "$name" "$p" "$f" $(( $(date +%s) - start ))
	if [ "$f" != 0 ]; then sed 's/^/    | /' "$log" | grep -v '^    | ok - ' | tail -40; fi
done
rm -f "$log"
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
