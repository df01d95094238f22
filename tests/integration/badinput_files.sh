# Malformed input files of every type the reading side takes, and hostile paths: a results directory's
# steps.csv, meta.json, summary.json, intervals.csv, .hgrm and explain/ files (plot, compare), ab's text,
# -e CSV and -g TSV (http-compare); paths that are not UTF-8, very long, empty, a directory where a file
# belongs or a file where a directory does. A file the command cannot do without fails with exit 1 and
# exactly one PostgreSQL-style error naming it (tests/lib.sh expect_fail); an optional file that is broken
# costs only what it held: exit 0 and one warning (expect_warn below) or a note in the report. Never a
# crash. No server is needed.
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C
B=$PGPB_BIN
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
R=$FIX/results-small
AB=$FIX/ab
FF=$'\xff'
cd "$TEST_TMP" || exit 1
# what does not exist lives under the test's own directory: plot makes --out with its parents, and as root
# a path such as /nonexistent/x would be created
M=$TEST_TMP/missing

# expect_warn DESC STDERR_REGEX CMD...: exit 0, no error line, a warning matching the regex, in the house
# style (no trailing period)
expect_warn() {
	local desc=$1 re=$2; shift 2
	run_cmd "$@"
	if [ "$RC" != 0 ]; then
		not_ok "$desc: exit $RC, wanted 0 (stderr: $ERR)"
	elif printf '%s\n' "$ERR" | grep -q 'error:'; then
		not_ok "$desc: an error line: $ERR"
	elif ! printf '%s\n' "$ERR" | grep -Eq -- "warning: .*$re"; then
		not_ok "$desc: no warning matching /$re/: $ERR"
	elif printf '%s\n' "$ERR" | grep -E 'warning: .*\.$' >/dev/null; then
		not_ok "$desc: warning ends with a period: $ERR"
	else
		ok "$desc"
	fi
}
# fresh NAME: a copy of the small fixture run as ./NAME, to break one file of
fresh() { rm -rf "$1"; cp -r "$R" "$1"; rm -f "$1"/README.md "$1"/make-fixture.py; }

# -- the results directory itself ------------------------------------------------------------------------
expect_fail "plot of a directory that does not exist" 1 "error: could not open results directory \"$M\": No such file or directory" "$B" plot "$M"
expect_fail "plot of a path that is not UTF-8" 1 "error: could not open results directory \"$TEST_TMP/$FF\": No such file or directory" "$B" plot "$TEST_TMP/$FF"
expect_fail "plot of a 5000-byte path" 1 'error: could not open results directory "d{5000}": File name too long' "$B" plot "$(printf 'd%.0s' $(seq 1 5000))"
expect_fail "plot of a regular file" 1 'error: "/etc/passwd" is not a results directory' "$B" plot /etc/passwd
expect_fail "plot of an empty path" 1 'error: could not open results directory "": No such file or directory' "$B" plot ''
mkdir empty
expect_fail "plot of a directory without steps.csv" 1 'error: could not open file "empty/steps.csv": No such file or directory' "$B" plot empty
mkdir "$FF"
cp "$R"/steps.csv "$FF"/steps.csv
printf 'garbage' > "$FF"/meta.json
expect_warn "plot of a directory whose name is not UTF-8" "no readable meta.json in \"$FF\"" "$B" plot "$FF" --format svg
check "... draws its charts" [ -s "$FF/charts/qps-vs-pool.svg" ]

# -- steps.csv ------------------------------------------------------------------------------------------------
fresh d; : > d/steps.csv
expect_fail "steps.csv empty" 1 'error: invalid "d/steps.csv": no "step" column in the header line' "$B" plot d
fresh d; head -1 "$R"/steps.csv > d/steps.csv
expect_fail "steps.csv with a header only" 1 'error: "d/steps.csv" holds no steps' "$B" plot d
fresh d; sed -i '1s/^step,/stp,/' d/steps.csv
expect_fail "steps.csv without a step column" 1 'error: invalid "d/steps.csv": no "step" column in the header line' "$B" plot d
fresh d; printf 'step,qps\ns1,\0\n' > d/steps.csv
expect_fail "steps.csv holding a NUL byte" 1 'error: invalid "d/steps.csv": not a text file' "$B" plot d
fresh d; sed -i '2s/,900\.0,/,fast,/' d/steps.csv
expect_fail "steps.csv with a word for a number" 1 'error: invalid "d/steps.csv" line 2: column "qps" holds "fast", not a number' "$B" plot d
fresh d; sed -i '2s/,900\.0,/,1e999,/' d/steps.csv
expect_fail "steps.csv with a number that overflows" 1 'error: invalid "d/steps.csv" line 2: column "qps" holds "1e999", not a number' "$B" plot d
fresh d; sed -i '2s/,900\.0,/,nan,/' d/steps.csv
expect_fail "steps.csv with nan" 1 'error: invalid "d/steps.csv" line 2: column "qps" holds "nan", not a number' "$B" plot d
fresh d; sed -i "2s/,900\\.0,/,9$FF,/" d/steps.csv
expect_fail "steps.csv with a byte that is not UTF-8 in a number" 1 "error: invalid \"d/steps.csv\" line 2: column \"qps\" holds \"9$FF\", not a number" "$B" plot d
fresh d; sed -i '3s/^s002-threads-c4-o0//' d/steps.csv
expect_fail "steps.csv with an empty step id" 1 'error: invalid "d/steps.csv" line 3: empty step id' "$B" plot d
fresh d; sed -i '2s/,900\.0,/,"900/' d/steps.csv
expect_fail "steps.csv with an unterminated quote" 1 'error: invalid "d/steps.csv" line [0-9]+: column "qps" holds ".*", not a number' "$B" plot d
fresh d; { head -1 "$R"/steps.csv | tr -d '\n'; printf '%s\n' "$(printf ',x%.0s' $(seq 1 500))"; tail -n +2 "$R"/steps.csv; } > d/steps.csv
run_cmd "$B" plot d --format svg
check "steps.csv with 500 extra columns: plot ignores them (exit $RC: $ERR)" [ "$RC" = 0 ]
fresh d; sed -i '2s/,2\.000,1800,/,2.000,1.76e34,/' d/steps.csv
run_cmd "$B" plot d --format svg
check "steps.csv with an ok count past 64 bits: drawn, no undefined cast (exit $RC: $ERR)" [ "$RC" = 0 ]
fresh d; printf '%s' "$(printf 'x%.0s' $(seq 1 200000))" > d/steps.csv
expect_fail "steps.csv of one 200 KB line" 1 'error: invalid "d/steps.csv": no "step" column in the header line' "$B" plot d
fresh d; rm d/steps.csv; mkdir d/steps.csv
expect_fail "steps.csv that is a directory" 1 'error: could not read file "d/steps.csv": Is a directory' "$B" plot d
fresh d; rm d/steps.csv; ln -s "$M" d/steps.csv
expect_fail "steps.csv a dangling symbolic link" 1 'error: could not open file "d/steps.csv": No such file or directory' "$B" plot d

# -- meta.json, summary.json, intervals.csv, .hgrm, explain/: optional; plot goes on ------------------------
fresh d; echo '{' > d/meta.json; echo '{' > d/summary.json
expect_warn "meta.json and summary.json truncated" 'no readable meta.json in "d": the report will lack the run context' "$B" plot d --format svg
fresh d; echo '[1,2]' > d/meta.json; rm d/summary.json
expect_warn "meta.json an array" 'no readable meta.json in "d"' "$B" plot d --format svg
fresh d; printf '\xff\xfe\x00\x01' > d/meta.json; rm d/summary.json
expect_warn "meta.json binary" 'no readable meta.json in "d"' "$B" plot d --format svg
fresh d; printf '{"run_id": "%s", "host": {"cpus": "many"}, "query": [1], "options": 7}' "$(printf 'r%.0s' $(seq 1 5000))" > d/meta.json
run_cmd "$B" plot d --format svg
check "meta.json with a 5000-byte run id and fields of the wrong type: plot goes on (exit $RC: $ERR)" [ "$RC" = 0 ]
fresh d; python3 -c "print('[' * 100000)" > d/meta.json; rm d/summary.json
expect_warn "meta.json nested 100000 deep" 'no readable meta.json in "d"' "$B" plot d --format svg
fresh d; printf 'garbage\n' > d/intervals.csv
expect_warn "intervals.csv without its columns" 'ignoring "d/intervals.csv": it lacks the step, second or queries column' "$B" plot d --format svg
fresh d; sed -i '2s/,900,/,many,/' d/intervals.csv
expect_warn "intervals.csv with a word for a number" 'ignoring "d/intervals.csv" line 2: not a number where one is expected' "$B" plot d --format svg
fresh d; rm d/intervals.csv; mkdir d/intervals.csv
expect_warn "intervals.csv that is a directory" 'could not read file "d/intervals.csv": Is a directory' "$B" plot d --format svg
fresh d; printf 'junk\n\xff\xfe\n1 2\n-5 0.5 3\nnan 0.5 1\n1 7 1\n' > d/s001-threads-c1-o0.hgrm
run_cmd "$B" plot d --format svg
check "a .hgrm of garbage lines: they are skipped (exit $RC: $ERR)" [ "$RC" = 0 ]
fresh d; rm d/*.hgrm
echo '{"steps":[{"step":"s001-threads-c1-o0","histograms":{"latency":{"buckets":[[1,"x"],[-5,3],"q",[1e308,1e308]]}}}]}' > d/summary.json
run_cmd "$B" plot d --format svg
check "summary.json buckets of the wrong types standing in for the .hgrm files (exit $RC: $ERR)" [ "$RC" = 0 ]
V=$FIX/run-variants
rm -rf v; cp -r "$V" v; echo '{"Plan":' > v/explain/seed-offset-10.json
run_cmd "$B" plot v --format svg
check "an explain/ plan file cut short: plot goes on (exit $RC: $ERR)" [ "$RC" = 0 ]
check "... and the report says the file is invalid" grep -q 'invalid JSON' v/index.html
rm -rf v; cp -r "$V" v; python3 -c "print('[{\"Plan\":' + '{\"Plans\":[' * 100000)" > v/explain/seed-offset-10.json
run_cmd "$B" plot v --format svg
check "an explain/ plan nested 100000 deep: plot goes on (exit $RC: $ERR)" [ "$RC" = 0 ]
check "... and the report names the reason" grep -q 'maximum parsing depth' v/index.html

# -- where plot and compare write ---------------------------------------------------------------------------
expect_fail "plot --out under a regular file" 1 'error: could not create directory "/etc/passwd/x": Not a directory' "$B" plot "$R" --out /etc/passwd/x
expect_fail "plot --out not UTF-8 under a regular file" 1 "error: could not create directory \"/etc/passwd/$FF\": Not a directory" "$B" plot "$R" --out "/etc/passwd/$FF"
expect_fail "plot --out of 5000 bytes" 1 'error: could not create directory "o+": File name too long' "$B" plot "$R" --out "$(printf 'o%.0s' $(seq 1 5000))"

# -- compare ----------------------------------------------------------------------------------------------
fresh d; : > d/steps.csv
expect_fail "compare with run B's steps.csv empty" 1 'error: invalid "d/steps.csv": no "step" column' "$B" compare "$R" d --out c1
expect_fail "compare with run A missing" 1 "error: could not open results directory \"$M\"" "$B" compare "$M" "$R" --out c2
expect_fail "compare with run A a regular file" 1 'error: "/etc/passwd" is not a results directory' "$B" compare /etc/passwd "$R" --out c3
expect_fail "compare with run B not UTF-8" 1 "error: could not open results directory \"$FF$FF\"" "$B" compare "$R" "$FF$FF" --out c4
expect_fail "compare --out under a regular file" 1 'error: could not create directory "/dev/null/x": Not a directory' "$B" compare "$R" "$FIX/run-small" --out /dev/null/x

# -- http-compare: the run ------------------------------------------------------------------------------------
expect_fail "http-compare of a directory that does not exist" 1 "error: could not open results directory \"$M\": No such file or directory" \
	"$B" http-compare "$M" --ab "$AB/ab-c4.txt" --out h
fresh d; sed -i '1s/^step,/stp,/' d/steps.csv
expect_fail "http-compare of a run without a step column" 1 'error: invalid "d/steps.csv": no "step" column' "$B" http-compare d --ab "$AB/ab-c4.txt" --out h
expect_fail "http-compare --step that is not in the run" 1 "error: no step \"nope\" in \"$R/steps.csv\"" "$B" http-compare "$R" --ab "$AB/ab-c4.txt" --step nope --out h
expect_fail "http-compare --step not UTF-8" 1 "error: no step \"$FF\" in \"$R/steps.csv\"" "$B" http-compare "$R" --ab "$AB/ab-c4.txt" --step "$FF" --out h
expect_fail "http-compare --query that matches no step" 1 'error: no step of the run in ".*" has 4 connections and offset 10 for query nope' \
	"$B" http-compare "$R" --ab "$AB/ab-c4.txt" --query nope --out h
expect_fail "http-compare --out under a regular file" 1 'error: could not create directory "/etc/passwd/x": Not a directory' \
	"$B" http-compare "$R" --ab "$AB/ab-c4.txt" --out /etc/passwd/x

# -- http-compare: ab's text ----------------------------------------------------------------------------------
hc() { "$B" http-compare "$R" --out h "$@"; }
expect_fail "--ab that does not exist" 1 "error: could not open file \"$M\": No such file or directory" hc --ab "$M"
expect_fail "--ab empty path" 1 'error: could not open file "": No such file or directory' hc --ab ''
expect_fail "--ab path not UTF-8" 1 "error: could not open file \"$TEST_TMP/$FF$FF\": No such file or directory" hc --ab "$TEST_TMP/$FF$FF"
expect_fail "--ab of a 300-byte file name" 1 'error: could not open file "/tmp/f{300}": File name too long' hc --ab "/tmp/$(printf 'f%.0s' $(seq 1 300))"
expect_fail "--ab a directory" 1 'error: could not read file "/etc"' hc --ab /etc
expect_fail "--ab an empty file" 1 'error: file "/dev/null" is not Apache Bench output: no "Concurrency Level:" line' hc --ab /dev/null
head -c 4096 /dev/urandom > rnd
expect_fail "--ab random bytes" 1 'error: file "rnd" is not Apache Bench output' hc --ab rnd
expect_fail "--ab given ab's CSV" 1 "error: file \"$AB/ab-c4.csv\" is not Apache Bench output: no \"Concurrency Level:\" line" hc --ab "$AB/ab-c4.csv"
sed 's/^Concurrency Level: .*/Concurrency Level:      abc/' "$AB/ab-c4.txt" > t1
expect_fail "--ab with a word for the concurrency" 1 'error: file "t1" line [0-9]+: invalid value "abc" for "Concurrency Level"' hc --ab t1
sed 's/^Concurrency Level: .*/Concurrency Level:      0/' "$AB/ab-c4.txt" > t2
expect_fail "--ab with concurrency 0" 1 'error: file "t2": invalid concurrency level 0' hc --ab t2
sed '/Percentage of the requests/,$d' "$AB/ab-c4.txt" > t3
expect_fail "--ab without the percentile table" 1 'error: file "t3" has no percentile table \(ab -d\?\) and no --ab-csv or --ab-gnuplot was given' hc --ab t3
sed 's/^  99%.*/  99%  xyz/' "$AB/ab-c4.txt" > t4
expect_fail "--ab with a word in the percentile table" 1 'error: file "t4" line [0-9]+: invalid value "xyz" for "99%"' hc --ab t4
sed 's|^Document Path: .*|Document Path:          /r/?page=0|' "$AB/ab-c4.txt" > t5
expect_fail "--ab URL asking for page 0" 1 'error: invalid page "0" in the URL \(pages count from 1\)' hc --ab t5
sed 's|^Document Path: .*|Document Path:          /r/?offset=abc|' "$AB/ab-c4.txt" > t6
expect_fail "--ab URL with a word for the offset" 1 'error: invalid offset "abc" in the URL' hc --ab t6
sed 's|^Document Path: .*|Document Path:          /r/?offset=99999999999999999999999|' "$AB/ab-c4.txt" > t7
expect_fail "--ab URL with an offset past 64 bits" 1 'error: invalid offset "99999999999999999999999" in the URL' hc --ab t7
sed "s|^Document Path: .*|Document Path:          /r/?offset=1$FF|" "$AB/ab-c4.txt" > t8
expect_fail "--ab URL with a byte that is not UTF-8 in the offset" 1 "error: invalid offset \"1$FF\" in the URL" hc --ab t8
sed "s|^Document Path: .*|Document Path:          /r/?offset=$(printf '1%.0s' $(seq 1 5000))|" "$AB/ab-c4.txt" > t9
expect_fail "--ab URL of 5000 bytes" 1 'error: invalid offset "1+" in the URL' hc --ab t9

# -- http-compare: ab -e CSV and ab -g TSV ------------------------------------------------------------------
T=$AB/ab-c4.txt
expect_fail "--ab-csv that does not exist" 1 "error: could not open file \"$M\": No such file or directory" hc --ab "$T" --ab-csv "$M"
expect_fail "--ab-csv given ab's text" 1 "error: file \"$T\" is not an ab -e file: first line is not \"Percentage served,Time in ms\"" hc --ab "$T" --ab-csv "$T"
expect_fail "--ab-csv given ab's TSV" 1 'error: file ".*/ab-c4.tsv" is not an ab -e file' hc --ab "$T" --ab-csv "$AB/ab-c4.tsv"
: > c0
expect_fail "--ab-csv empty" 1 'error: file "c0" is not an ab -e file' hc --ab "$T" --ab-csv c0
printf 'Percentage served,Time in ms\n' > c1
expect_fail "--ab-csv with a header only" 1 'error: file "c1" holds no percentiles' hc --ab "$T" --ab-csv c1
printf 'Percentage served,Time in ms\n150,3.5\n' > c2
expect_fail "--ab-csv with a percentage above 100" 1 'error: file "c2" line 2: expected "percent,milliseconds", got "150,3.5"' hc --ab "$T" --ab-csv c2
printf 'Percentage served,Time in ms\n50,abc\n' > c3
expect_fail "--ab-csv with a word for the time" 1 'error: file "c3" line 2: expected "percent,milliseconds", got "50,abc"' hc --ab "$T" --ab-csv c3
printf 'Percentage served,Time in ms\n50,-3\n' > c4
expect_fail "--ab-csv with a negative time" 1 'error: file "c4" line 2: expected "percent,milliseconds", got "50,-3"' hc --ab "$T" --ab-csv c4
printf 'Percentage served,Time in ms\n50,3%s\n' "$FF" > c5
expect_fail "--ab-csv with a byte that is not UTF-8" 1 "error: file \"c5\" line 2: expected \"percent,milliseconds\", got \"50,3$FF\"" hc --ab "$T" --ab-csv c5
H=$(head -1 "$AB/ab-c4.tsv")
expect_fail "--ab-gnuplot given ab's text" 1 "error: file \"$T\" is not an ab -g file: first line is not the header" hc --ab "$T" --ab-gnuplot "$T"
: > g0
expect_fail "--ab-gnuplot empty" 1 'error: file "g0" is not an ab -g file' hc --ab "$T" --ab-gnuplot g0
printf '%s\n' "$H" > g1
expect_fail "--ab-gnuplot with a header only" 1 'error: file "g1" holds no requests' hc --ab "$T" --ab-gnuplot g1
printf '%s\nMon Jan  1 00:00:00 2024\tabc\t1\t2\t3\t4\n' "$H" > g2
expect_fail "--ab-gnuplot with a word for the start" 1 'error: file "g2" line 2: expected six tab-separated fields' hc --ab "$T" --ab-gnuplot g2
printf '%s\nx\t1\t2\n' "$H" > g3
expect_fail "--ab-gnuplot with three fields" 1 'error: file "g3" line 2: expected six tab-separated fields, got "x 1 2"' hc --ab "$T" --ab-gnuplot g3
printf '%s\nMon Jan  1 00:00:00 2024\t1700000000\t1\t2\t-3\t4\n' "$H" > g4
expect_fail "--ab-gnuplot with a negative time" 1 'error: file "g4" line 2: expected six tab-separated fields' hc --ab "$T" --ab-gnuplot g4
expect_fail "--ab-gnuplot that does not exist" 1 "error: could not open file \"$M\": No such file or directory" hc --ab "$T" --ab-gnuplot "$M"
pgpb_finish
