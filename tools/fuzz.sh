#!/bin/sh
# tools/fuzz.sh BUILD SECONDS TARGET...: runs each libFuzzer target of tests/fuzz for SECONDS (`make fuzz`).
# The seeds in tests/fuzz/<target>/ are read, never written; what the fuzzer finds goes to
# BUILD/corpus/<target>/ and a crash, leak or timeout to BUILD/crashes/<target>-*. Prints one line a target
# and fails when any target failed, naming its reproducer (re-run it with: BUILD/fuzz/<target> FILE).
set -u
build=$1 seconds=$2
shift 2
failed=""
mkdir -p "$build/crashes"
# the harnesses' temporary directories: a target that crashed leaves its own behind
export TMPDIR="$build/tmp"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp print_suppressions=0"
for t in "$@"; do
	bin=$build/fuzz/$t
	mkdir -p "$build/corpus/$t"
	log=$build/fuzz/$t.log
	before=$(ls "$build/crashes" | grep -c "^$t-")
	# -close_fd_mask=3: the readers' own messages on bad input are expected; libFuzzer and the sanitizers
	# keep a copy of stderr for their reports
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	nice "$bin" $dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$build/crashes/$t-" "$build/corpus/$t" "tests/fuzz/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	after=$(ls "$build/crashes" | grep -c "^$t-")
	if [ "$rc" != 0 ] || [ "$after" != "$before" ]; then
		failed="$failed $t"
		echo "FAIL $t: exit $rc after ${runs:-?} runs; log $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 | sed 's/^/    /'
		ls "$build/crashes" | grep "^$t-" | sed "s|^|    reproducer: $build/crashes/|"
	else
		echo "ok   $t: ${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}, corpus $(ls "$build/corpus/$t" | wc -l) + $(ls "tests/fuzz/$t" | wc -l) seeds"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
rm -rf "$TMPDIR"
echo "fuzz: $# targets, no crash"
