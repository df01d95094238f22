# faults_readers.sh: every file the tool reads is bounded and every read ends on a signal. Hostile inputs
# to http-compare, plot and run: endless streams (/dev/zero, a FIFO fed by yes), FIFOs nobody writes to
# (SIGINT and SIGTERM must end the command with 130 and 143, not 1), files past their size limit (refused
# by name and limit), values ab never prints (nan, negative, out of range: refused naming the line), a
# UTF-8 byte order mark before steps.csv (read, not "no step column"), and plot on 10,000 steps (every
# step in the page, the generator tests/fixtures/many-steps.py; its time is tools/perf/plots.sh's).
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
AB=tests/fixtures/ab
RES=tests/fixtures/results-small
RUN=tests/fixtures/run-small
# A hang guard, not a measure: a command that still runs after this many seconds has hung.
GUARD=60
# Memory guard for the endless inputs: a reader without a limit fails here instead of filling the machine.
# A sanitizer build maps terabytes of shadow memory and cannot start under it: it goes without.
MEM_KB=1000000
bash -c 'ulimit -v '"$MEM_KB"'; exec "$1" --version' guard "$B" >/dev/null 2>&1 || MEM_KB=unlimited

# guarded CMD...: runs CMD with the hang and memory guards, capturing $OUT, $ERR and $RC (124/137: hung)
guarded() {
	run_cmd bash -c 'ulimit -v '"$MEM_KB"'; exec timeout -s KILL '"$GUARD"' "$@"' guarded "$@"
}

# blocked PID: polls (at most 20 s) until PID sleeps in the kernel on a FIFO: in open (no writer yet), in
# a read, or in poll; 1 when it never does or has ended.
blocked() {
	local i st wc
	for ((i = 0; i < 400; i++)); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
		wc=$(cat "/proc/$1/wchan" 2>/dev/null)
		case $st:$wc in S:wait_for_partner | S:*pipe_read | S:*poll*) return 0 ;; esac
		sleep 0.05
	done
	return 1
}

# ended PID: polls (at most GUARD s) until PID has ended; then $RC is its status. 1 (and a SIGKILL) if not.
ended() {
	local i
	for ((i = 0; i < GUARD * 20; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			RC=$?
			return 0
		fi
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
	RC=hung
	return 1
}

# stop_writer: ends the FIFO's writer started last ($writer): gone already when the reader read to the
# end, still blocked in open when the reader never started
stop_writer() {
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
}

# on_signal DESC SIGNAL WANT_RC CMD...: starts CMD, waits until it blocks on its FIFO, sends SIGNAL; the
# command must end with WANT_RC and say which file it was reading.
on_signal() {
	local desc=$1 sig=$2 want=$3
	shift 3
	"$@" >"$TEST_TMP/sig.out" 2>"$TEST_TMP/sig.err" &
	local pid=$!
	if ! blocked "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		not_ok "$desc: never blocked on the FIFO ($(cat "$TEST_TMP/sig.err"))"
		return
	fi
	kill -"$sig" "$pid"
	ended "$pid"
	ERR=$(cat "$TEST_TMP/sig.err")
	if [ "$RC" != "$want" ]; then
		not_ok "$desc: exit $RC, wanted $want (stderr: $ERR)"
	elif ! printf '%s\n' "$ERR" | grep -qi 'interrupted'; then
		not_ok "$desc: no word of the interruption: $ERR"
	else
		ok "$desc"
	fi
}

# ---- http-compare: ab's files ----------------------------------------------------------------------
mkfifo "$TEST_TMP/ab.fifo"
on_signal "SIGINT while http-compare waits for a writer on its --ab FIFO exits 130" INT 130 \
	"$B" http-compare "$RES" --ab "$TEST_TMP/ab.fifo" --out "$TEST_TMP/o1"
on_signal "SIGTERM there exits 143" TERM 143 "$B" http-compare "$RES" --ab "$TEST_TMP/ab.fifo" --out "$TEST_TMP/o1"
# a writer that holds the FIFO open and never writes: the read itself must end
exec 7<>"$TEST_TMP/ab.fifo"
on_signal "SIGINT while http-compare reads a FIFO that stays silent exits 130" INT 130 \
	"$B" http-compare "$RES" --ab "$TEST_TMP/ab.fifo" --out "$TEST_TMP/o1"
on_signal "SIGTERM there exits 143" TERM 143 "$B" http-compare "$RES" --ab "$TEST_TMP/ab.fifo" --out "$TEST_TMP/o1"
mkfifo "$TEST_TMP/csv.fifo"
exec 8<>"$TEST_TMP/csv.fifo"
on_signal "SIGINT while http-compare reads a silent --ab-csv FIFO exits 130" INT 130 \
	"$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-csv "$TEST_TMP/csv.fifo" --out "$TEST_TMP/o1"
exec 7>&- 8>&-
# the output side: a FIFO where http-compare writes its table, nobody reading it
mkdir "$TEST_TMP/o5"
mkfifo "$TEST_TMP/o5/http-compare.csv"
on_signal "SIGINT while http-compare opens a FIFO to write its table exits 130" INT 130 \
	"$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --out "$TEST_TMP/o5"

guarded "$B" http-compare "$RES" --ab /dev/zero --out "$TEST_TMP/o2"
check "http-compare --ab /dev/zero stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "file \"/dev/zero\" is larger than the limit of 16 MB" "$TEST_TMP/err"'
yes 'Server Software: endless' >"$TEST_TMP/ab.fifo" 2>/dev/null &
writer=$!
guarded "$B" http-compare "$RES" --ab "$TEST_TMP/ab.fifo" --out "$TEST_TMP/o2"
check "http-compare on an endless stream of lines stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "is larger than the limit of 16 MB" "$TEST_TMP/err"'
stop_writer
guarded "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-csv /dev/zero --out "$TEST_TMP/o2"
check "--ab-csv /dev/zero stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "file \"/dev/zero\" is larger than the limit of 1 MB" "$TEST_TMP/err"'
truncate -s 300M "$TEST_TMP/huge.tsv"
guarded "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-gnuplot "$TEST_TMP/huge.tsv" --out "$TEST_TMP/o2"
check "a 300 MB -g file is refused by name and limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "file \".*/huge.tsv\" is larger than the limit of 256 MB" "$TEST_TMP/err"'
rm -f "$TEST_TMP/huge.tsv"

# values ab never prints: refused with the line that holds them
ab_with() { sed "s|^$1:.*|$1:  $2|" "$AB/ab-c4.txt" >"$TEST_TMP/bad.txt"; }
line_of() { grep -n "^$1:" "$AB/ab-c4.txt" | head -1 | cut -d: -f1; }
ab_with "Requests per second" "nan [#/sec] (mean)"
expect_fail "nan requests/s is refused naming the line" 1 \
	"line $(line_of "Requests per second"): invalid value \"nan \[#/sec\] \(mean\)\" for \"Requests per second\"" \
	"$B" http-compare "$RES" --ab "$TEST_TMP/bad.txt" --out "$TEST_TMP/o3"
ab_with "Time taken for tests" "-1.844 seconds"
expect_fail "a negative time taken is refused" 1 "line $(line_of "Time taken for tests"): invalid value \"-1.844 seconds\"" \
	"$B" http-compare "$RES" --ab "$TEST_TMP/bad.txt" --out "$TEST_TMP/o3"
sed '0,/^Time per request:.*/s//Time per request:  -3.688 [ms] (mean)/' "$AB/ab-c4.txt" >"$TEST_TMP/bad.txt"
expect_fail "a negative time per request is refused" 1 "line $(line_of "Time per request"): invalid value \"-3.688" \
	"$B" http-compare "$RES" --ab "$TEST_TMP/bad.txt" --out "$TEST_TMP/o3"
ab_with "Concurrency Level" "9223372036854775808"
expect_fail "a concurrency level past the range of a long is refused" 1 \
	"line $(line_of "Concurrency Level"): invalid value \"9223372036854775808\" for \"Concurrency Level\"" \
	"$B" http-compare "$RES" --ab "$TEST_TMP/bad.txt" --out "$TEST_TMP/o3"
sed 's/^  50%.*/  50%    -3/' "$AB/ab-c4.txt" >"$TEST_TMP/bad.txt"
expect_fail "a negative percentile in ab's table is refused" 1 'line [0-9]+: invalid value "-3" for "50%"' \
	"$B" http-compare "$RES" --ab "$TEST_TMP/bad.txt" --out "$TEST_TMP/o3"
sed '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t\)[^\t]*/\1nan/' "$AB/ab-c4.tsv" >"$TEST_TMP/bad.tsv"
expect_fail "a nan ttime in the -g file is refused" 1 'line 2: expected six tab-separated fields' \
	"$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-gnuplot "$TEST_TMP/bad.tsv" --out "$TEST_TMP/o3"
printf '\357\273\277' | cat - "$AB/ab-c4.csv" >"$TEST_TMP/bom.csv"
run_cmd "$B" http-compare "$RES" --ab "$AB/ab-c4.txt" --ab-csv "$TEST_TMP/bom.csv" --out "$TEST_TMP/o4"
check "an -e file with a byte order mark reads (rc $RC: $ERR)" [ "$RC" = 0 ]

# ---- plot: the results directory -------------------------------------------------------------------
copy_run() { rm -rf "$2"; cp -r "$1" "$2"; }
D=$TEST_TMP/run
copy_run "$RUN" "$D"
first=$(awk -F, 'NR == 2 { print $1 }' "$D/steps.csv")
rm "$D/$first.hgrm"
mkfifo "$D/$first.hgrm"
exec 7<>"$D/$first.hgrm"
on_signal "SIGINT while plot reads a silent .hgrm FIFO exits 130" INT 130 "$B" plot "$D" --out "$TEST_TMP/p1"
on_signal "SIGTERM there exits 143" TERM 143 "$B" plot "$D" --out "$TEST_TMP/p1"
exec 7>&-
yes ' 1.000     0.500000000000           10           2.00' >"$D/$first.hgrm" 2>/dev/null &
writer=$!
guarded "$B" plot "$D" --out "$TEST_TMP/p2" --quiet
check "plot on a .hgrm that never ends stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "file \".*/$first.hgrm\" is larger than the limit of 16 MB" "$TEST_TMP/err"'
stop_writer
copy_run "$RUN" "$D"
rm "$D/steps.csv"
mkfifo "$D/steps.csv"
on_signal "SIGINT while plot waits for a writer on steps.csv exits 130" INT 130 "$B" plot "$D" --out "$TEST_TMP/p1"
copy_run "$RUN" "$D"
rm "$D/meta.json"
mkfifo "$D/meta.json"
yes ' ' >"$D/meta.json" 2>/dev/null &
writer=$!
guarded "$B" plot "$D" --out "$TEST_TMP/p3" --quiet
check "plot on an endless meta.json stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "meta.json\" is larger than the limit of 16 MB" "$TEST_TMP/err"'
stop_writer
copy_run "$RUN" "$D"
truncate -s 300M "$D/steps.csv"
guarded "$B" plot "$D" --out "$TEST_TMP/p3" --quiet
check "a 300 MB steps.csv is refused by name and limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "steps.csv\" is larger than the limit of 256 MB" "$TEST_TMP/err"'
copy_run "$RUN" "$D"
rm "$D"/*.hgrm # so plot reads the histograms of summary.json
truncate -s 300M "$D/summary.json"
guarded "$B" plot "$D" --out "$TEST_TMP/p3" --quiet
check "a 300 MB summary.json is refused by name and limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "summary.json\" is larger than the limit of 256 MB" "$TEST_TMP/err"'

# a byte order mark before steps.csv (a spreadsheet's export): the same plot as without it
copy_run "$RUN" "$D"
printf '\357\273\277' | cat - "$RUN/steps.csv" >"$D/steps.csv"
run_cmd "$B" plot "$D" --out "$TEST_TMP/p4" --format svg --quiet
check "plot reads a steps.csv that starts with a byte order mark (rc $RC: $ERR)" [ "$RC" = 0 ]
run_cmd "$B" plot "$RUN" --out "$TEST_TMP/p5" --format svg --quiet
check "and draws the same charts as without it" diff -r -x index.html "$TEST_TMP/p4/charts" "$TEST_TMP/p5/charts"

# ---- plot on 10,000 steps: every step in the page and the charts drawn ----------------------------
N=10000
python3 tests/fixtures/many-steps.py "$RUN" "$TEST_TMP/many" "$N"
check "the generator wrote $N steps" [ "$(($(wc -l <"$TEST_TMP/many/steps.csv") - 1))" = "$N" ]
guarded "$B" plot "$TEST_TMP/many" --out "$TEST_TMP/p6" --format svg
check "plot of $N steps succeeds (rc $RC: $ERR)" [ "$RC" = 0 ]
check "its page lists all $N steps" [ "$(grep -c '<tr><td>[0-9]*</td><td class="l">' "$TEST_TMP/p6/index.html")" = "$N" ]
check "the last step is in it" grep -q ">s$N-threads-c[0-9]*-o$N<" "$TEST_TMP/p6/index.html"
check "the charts of closed-loop steps are drawn" \
	eval '[ -s "$TEST_TMP/p6/charts/latency-vs-offset.svg" ] && [ -s "$TEST_TMP/p6/charts/percentile-spectrum.svg" ]'

# ---- run: the query file ---------------------------------------------------------------------------
pgpb_server_start
pgpb_small_dataset >/dev/null
mkfifo "$TEST_TMP/query.fifo"
on_signal "SIGINT while run waits for a writer on its --query FIFO exits 130" INT 130 \
	"$B" run --query "$TEST_TMP/query.fifo" --pools 1 --offsets 0 --duration 1s --warmup 0 --out "$TEST_TMP/r1" --no-plot --no-progress
check "and leaves no results directory" [ ! -e "$TEST_TMP/r1/steps.csv" ]
guarded "$B" run --query /dev/zero --pools 1 --offsets 0 --duration 1s --warmup 0 --out "$TEST_TMP/r2" --no-plot --no-progress
check "run --query /dev/zero stops at the limit (rc $RC: $ERR)" \
	eval '[ "$RC" = 1 ] && grep -q "\"/dev/zero\" is larger than the limit of 1 MB" "$TEST_TMP/err"'

pgpb_finish
