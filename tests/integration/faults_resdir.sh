# Faults around the results directory: two runs on one --out (the lock, its pid named, a simultaneous
# start), --force replacing only the tool's files, a run killed hard, --out naming a file, and the disk
# of the results filling up mid-run and before the first step (a small tmpfs). Each time the files are
# consistent (steps.csv and summary.json list the same steps, each with its .hgrm), plot reads them, the
# exit status is right and the error is printed once.
. "$(dirname "$0")/../lib.sh"
MNT=""
trap '[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; pgpb_server_stop; rm -rf "$TEST_TMP"' EXIT
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }

# consistent DIR STATUS: prints what is wrong with the directory (nothing when all is well): steps.csv
# rows all as wide as the header, step ids unique, summary.json listing the same steps in the same order,
# a .hgrm and a .hlog for each of them and for no other, no temporary file left, meta.json and
# summary.json saying STATUS, and no reserve file left.
consistent() {
	local d=$1 want=$2 bad="" ids sids hgrms status sstatus
	awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$d/steps.csv" || bad="$bad ragged-steps.csv"
	ids=$(csv_col "$d/steps.csv" step | tr '\n' ' ')
	[ "$(csv_col "$d/steps.csv" step | sort | uniq -d)" = "" ] || bad="$bad duplicate-steps($ids)"
	sids=$(json_q "$d/summary.json" "SELECT string_agg(s->>'step', ' ') || ' ' FROM jsonb_array_elements((:'j')::jsonb->'steps') s")
	[ "$sids" = "$ids" ] || bad="$bad steps.csv($ids)/summary.json($sids)"
	hgrms=$(cd "$d" && ls | sed -n 's/^\(s[0-9]*-[^.]*\)\.hgrm$/\1/p' | tr '\n' ' ')
	[ "$hgrms" = "$ids" ] || bad="$bad hgrm($hgrms)"
	hgrms=$(cd "$d" && ls | sed -n 's/^\(s[0-9]*-[^.]*\)\.hlog$/\1/p' | tr '\n' ' ')
	[ "$hgrms" = "$ids" ] || bad="$bad hlog($hgrms)"
	[ -z "$(cd "$d" && ls -A | grep '\.tmp$')" ] || bad="$bad tmp-files"
	[ ! -e "$d/.pgpagebench.reserve" ] || bad="$bad reserve-left"
	status=$(json_q "$d/meta.json" "SELECT (:'j')::jsonb->>'status'")
	sstatus=$(json_q "$d/summary.json" "SELECT (:'j')::jsonb->'meta'->>'status'")
	[ "$status $sstatus" = "$want $want" ] || bad="$bad status($status/$sstatus)"
	awk -F, -v ids=" $ids" 'NR > 1 && index(ids, " " $1 " ") == 0 { exit 1 }' "$d/intervals.csv" || bad="$bad intervals-of-unknown-steps"
	printf '%s' "$bad"
}

# ---- --out naming a regular file: one error ----------------------------------------------------------
: >"$TEST_TMP/afile"
expect_fail "--out naming a regular file is refused with one error" 1 \
	"could not use \"$TEST_TMP/afile\" as the results directory: it is not a directory" \
	"$B" run --pools 1 --offsets 0 --duration 0.1s --warmup 0 --out "$TEST_TMP/afile"

# ---- a run holds its directory: a second run is refused, naming the first's pid -------------------------
D=$TEST_TMP/shared
fifo=$TEST_TMP/a.fifo
mkfifo "$fifo"
"$B" run --pools 1 --offsets 0,10,20 --duration 1s --warmup 0 --out "$D" --no-plot --progress >"$TEST_TMP/a.out" 2>"$fifo" &
apid=$!
exec 7<"$fifo" # held open to the end, so the run never writes into a pipe without a reader
while IFS= read -r line <&7; do
	case $line in *"step 1/3"*"measuring"*) break ;; esac
done
expect_fail "a second run into a directory a run holds is refused, naming that run's pid" 1 \
	"results directory \"$D\" is in use by another run \\(pid $apid\\)" \
	"$B" run --pools 1 --offsets 0 --duration 0.1s --warmup 0 --out "$D" --no-plot
check "... with a hint" grep -q 'hint: Choose another directory with --out, or wait for that run to end' "$TEST_TMP/err"
cat <&7 >"$TEST_TMP/a.err"
exec 7<&-
wait $apid
rc=$?
check "the first run goes on and exits 0 (exit $rc)" [ "$rc" = 0 ]
bad=$(consistent "$D" complete)
check "its files are whole: three steps in steps.csv and summary.json (bad:$bad)" \
	eval '[ -z "$bad" ] && [ "$(csv_col "$D/steps.csv" step | wc -l)" = 3 ]'
expect_fail "a run into a directory holding a finished run is refused" 1 "directory \"$D\" already holds a run" \
	"$B" run --pools 1 --offsets 0 --duration 0.1s --warmup 0 --out "$D" --no-plot
check "... and the hint names --force" grep -q 'hint: .*--force' "$TEST_TMP/err"

# ---- two runs started at once on one new directory: one runs, the other is refused ------------------
S=$TEST_TMP/simultaneous
"$B" run --pools 1 --offsets 0,10 --duration 0.5s --warmup 0 --out "$S" --no-plot >"$TEST_TMP/s1.out" 2>"$TEST_TMP/s1.err" &
p1=$!
"$B" run --pools 1 --offsets 0,10 --duration 0.5s --warmup 0 --out "$S" --no-plot >"$TEST_TMP/s2.out" 2>"$TEST_TMP/s2.err" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
refused=$(cat "$TEST_TMP/s1.err" "$TEST_TMP/s2.err" | grep -c "error: \(results directory \"$S\" is in use by another run\|directory \"$S\" already holds a run\)")
check "two runs started at once: one exits 0, the other 1 refused (exits $r1 $r2; stderr: $(cat "$TEST_TMP/s1.err" "$TEST_TMP/s2.err"))" \
	eval '[ "$((r1 + r2))" = 1 ] && [ "$refused" = 1 ]'
bad=$(consistent "$S" complete)
check "... and their directory holds one run's two steps (bad:$bad)" \
	eval '[ -z "$bad" ] && [ "$(csv_col "$S/steps.csv" step | wc -l)" = 2 ]'

# ---- --force replaces the tool's files and nothing else -------------------------------------------------
run_cmd "$B" plot "$D"
check "plot draws the first run's charts into its directory (exit $RC: $ERR)" eval '[ "$RC" = 0 ] && [ -e "$D/index.html" ]'
echo "my notes" >"$D/notes.txt"
mkdir -p "$D/mine"
echo "mine" >"$D/charts/mine.txt"
run_cmd "$B" run --pools 1 --offsets 5 --duration 0.3s --warmup 0 --out "$D" --force --no-plot
check "--force replaces the run (exit $RC: $ERR)" [ "$RC" = 0 ]
check "... and says what it removed" \
	grep -q "removed the previous run's files from \"$D\": .*meta.json.*3 .hgrm tables, .* charts in charts/" "$TEST_TMP/err"
check "... keeping the files it did not write" \
	eval '[ "$(cat "$D/notes.txt")" = "my notes" ] && [ -d "$D/mine" ] && [ -e "$D/charts/mine.txt" ]'
check "... and no chart or table of the old run" \
	eval '[ ! -e "$D/s003-threads-c1-o20.hgrm" ] && [ ! -e "$D/index.html" ] && [ -z "$(ls "$D/charts" | grep -v mine.txt)" ]'
bad=$(consistent "$D" complete)
check "the directory holds the new run alone (bad:$bad)" \
	eval '[ -z "$bad" ] && [ "$(csv_col "$D/steps.csv" step)" = s001-threads-c1-o5 ]'

# ---- a run killed hard: the finished steps are whole, the lock is free -----------------------------------
K=$TEST_TMP/killed
fifo2=$TEST_TMP/k.fifo
mkfifo "$fifo2"
"$B" run --pools 1 --offsets 0,10,20 --duration 2s --warmup 0 --out "$K" --no-plot --progress >/dev/null 2>"$fifo2" &
kpid=$!
exec 8<"$fifo2"
while IFS= read -r line <&8; do
	case $line in *"step 2/3"*"measuring"*) break ;; esac
done
kill -KILL $kpid
wait $kpid
exec 8<&-
bad=$(consistent "$K" running | sed 's/ reserve-left//')
check "SIGKILL mid-run: the finished step is whole in every file, status running (bad:$bad)" \
	eval '[ -z "$bad" ] && [ "$(csv_col "$K/steps.csv" step)" = s001-threads-c1-o0 ]'
run_cmd "$B" plot "$K" --out "$TEST_TMP/killed-plot"
check "plot reads it (exit $RC: $ERR)" [ "$RC" = 0 ]
expect_fail "a run into it is refused: it holds a run (no run holds its lock)" 1 "directory \"$K\" already holds a run" \
	"$B" run --pools 1 --offsets 0 --duration 0.1s --warmup 0 --out "$K" --no-plot
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0 --out "$K" --no-plot --force
check "--force replaces it, the killed run's reserve file too (exit $RC: $ERR)" \
	eval '[ "$RC" = 0 ] && [ -z "$(consistent "$K" complete)" ]'

# ---- the results disk fills up ------------------------------------------------------------------------
F=$TEST_TMP/full
mkdir "$F"
if mount -t tmpfs -o size=256k,mode=755 tmpfs "$F" 2>/dev/null; then
	MNT=$F
	# mid-run: many steps, each adding its .hgrm and its histograms to summary.json, until one no longer fits
	run_cmd "$B" run --pools 1 --offsets 0..300+5 --duration 0.2s --warmup 0 --out "$F/r" --no-plot --no-progress
	n=$(csv_col "$F/r/steps.csv" step | wc -l)
	check "a full disk mid-run: exit 1 after some steps were written (exit $RC, $n of 61 steps; stderr: $ERR)" \
		eval '[ "$RC" = 1 ] && [ "$n" -ge 1 ] && [ "$n" -lt 61 ]'
	check "... the error printed once, naming the full disk ($ERR)" \
		eval '[ "$(printf "%s\n" "$ERR" | grep -c error:)" = 1 ] && printf "%s\n" "$ERR" | grep -q "error: could not .*No space left on device"'
	check "... and stdout says how many steps were kept" grep -q "stopped after $n steps\?; results so far in $F/r" "$TEST_TMP/out"
	bad=$(consistent "$F/r" interrupted)
	check "... steps.csv, summary.json and the .hgrm tables list the same $n steps, marked interrupted (bad:$bad)" [ -z "$bad" ]
	run_cmd "$B" plot "$F/r" --out "$TEST_TMP/full-plot"
	check "... and plot draws them (exit $RC: $ERR)" eval '[ "$RC" = 0 ] && [ -e "$TEST_TMP/full-plot/index.html" ]'
	# before the first step: the disk is full from the start
	rm -rf "$F/r"
	head -c 1M /dev/zero >"$F/filler" 2>/dev/null
	expect_fail "a full disk before the first step: one error, exit 1" 1 'No space left on device' \
		"$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0 --out "$F/r2" --no-plot
	umount "$F"
	MNT=""
else
	ok "# SKIP a full results disk: cannot mount a tmpfs here"
fi
pgpb_finish
