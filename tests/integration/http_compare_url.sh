# http-compare --url: the HTTP load (ab, then wrk) against a real web app (tests/apps/records_app.py,
# Flask over psycopg2, serving the seed query's page as JSON) alternating with the database steps of one
# sweep on a real server; then its failure modes: a URL that does not answer, statuses that are not 2xx,
# a page with fewer records than the query's, a missing tool, an app much slower than its database (the
# app pauses 0.5 s a request on that page; the query takes milliseconds on this dataset).
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3 # Debian's: python3-flask and python3-psycopg2 (tools/deps.sh)
APP_PID=""
trap '[ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null; pgpb_server_stop; rm -rf "$TEST_TMP"' EXIT

pgpb_server_start || exit 1
check "the small dataset loads" pgpb_small_dataset
QUALIFYING=$(psql_q -c "SELECT count(*) FROM record WHERE parent_id IS NULL AND status = 'new'")

# The app listens on a free port of its choosing and says which on its first line.
mkfifo "$TEST_TMP/app.fifo"
"$PY" tests/apps/records_app.py schema/query.sql --slow-ms 500 >"$TEST_TMP/app.fifo" 2>"$TEST_TMP/app.err" &
APP_PID=$!
exec 7<"$TEST_TMP/app.fifo"
PORT=""
IFS= read -r -t 60 line <&7 && PORT=${line#port: }
check "the web app listens (port ${PORT:-none}; $(tail -1 "$TEST_TMP/app.err"))" [ -n "$PORT" ]
BASE=http://127.0.0.1:$PORT

# ---- ab, two concurrencies by two pages, each HTTP step just before its database step ---------------
# The app's backends (it connects as the run does, postgres to postgres: the tool's own are left out) are
# sampled through each HTTP load, every 5 ms on both sides.
R1=$TEST_TMP/r-ab
"$B" http-compare --url "$BASE/records/?page={page}" --concurrency 1,2 --pages 1,2 --requests 20 --duration 0.3 \
	--warmup 0 --progress --app-user postgres --app-db postgres --wait-sample 5ms --out "$R1" >"$TEST_TMP/ab.out" 2>&1
RC=$?
check "http-compare --url with ab succeeds (rc $RC: $(grep error: "$TEST_TMP/ab.out"))" [ "$RC" = 0 ]
check "it GETs each page first and counts its ten records" \
	sh -c "grep -q '^GET /records/?page=1: 200, .* 10 records' '$TEST_TMP/ab.out' && grep -q '^GET /records/?page=2: 200, .* 10 records' '$TEST_TMP/ab.out'"
# the order on the terminal: http s001, its database step done, http s002, ... (stdout and stderr flushed)
order=$(grep -E '^(http s[0-9]+|step [0-9]+/[0-9]+ done)' "$TEST_TMP/ab.out" | sed -E 's/^http (s[0-9]+)-.*/H \1/; s/^step ([0-9]+)\/[0-9]+ done: (s[0-9]+)-.*/D \2/' | tr '\n' ' ')
check "HTTP and database steps alternate, HTTP first: $order" [ "$order" = "H s001 D s001 H s002 D s002 H s003 D s003 H s004 D s004 " ]
check "the steps are c1 page 1, c1 page 2, c2 page 1, c2 page 2" \
	[ "$(cut -d, -f1 "$R1/steps.csv" | tail -n +2 | tr '\n' ' ')" = "s001-threads-c1-o0 s002-threads-c1-o10 s003-threads-c2-o0 s004-threads-c2-o10 " ]
for s in s001-threads-c1-o0 s004-threads-c2-o10; do
	check "ab's three files for $s are kept" sh -c "[ -s '$R1/http/$s.ab.txt' ] && [ -s '$R1/http/$s.ab.csv' ] && [ -s '$R1/http/$s.ab.tsv' ]"
	check "ab ran $s's 20 requests at its concurrency" \
		sh -c "grep -q '^Complete requests: *20$' '$R1/http/$s.ab.txt' && grep -q '^Concurrency Level: *${s:14:1}$' '$R1/http/$s.ab.txt'"
	check "the step's own comparison and chart are written" sh -c "[ -s '$R1/http/$s/http-compare.csv' ] && [ -s '$R1/http/$s/charts/http-compare.svg' ]"
done
check "ab asked for page 2 of step s002" grep -q '^Document Path: */records/?page=2$' "$R1/http/s002-threads-c1-o10.ab.txt"
S=$R1/http-compare-steps.csv
check "the table of all steps has a row a step" [ "$(tail -n +2 "$S" | wc -l)" = 4 ]
# its figures are those of each step's own comparison and of steps.csv (the same rounding; awk's printf
# rounds a double as C does, bash's a long double)
fmt1() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
col() { awk -F, -v c="$2" -v k="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == k { print $h[c] }' "$1"; }
bad=""
for s in s001-threads-c1-o0 s002-threads-c1-o10 s003-threads-c2-o0 s004-threads-c2-o10; do
	own=$R1/http/$s/http-compare.csv
	mean_http=$(awk -F, '$1 == "mean_ms" { print $3 }' "$own")
	mean_db=$(awk -F, '$1 == "mean_ms" { print $4 }' "$own")
	p50_db=$(awk -F, '$1 == "latency_ms" && $2 == 50 { print $4 }' "$own")
	[ "$(col "$S" http_mean_ms "$s")" = "$mean_http" ] || bad="$bad $s:http_mean"
	[ "$(col "$S" db_mean_ms "$s")" = "$mean_db" ] || bad="$bad $s:db_mean"
	[ "$(col "$S" db_p50_ms "$s")" = "$p50_db" ] || bad="$bad $s:db_p50"
	qps=$(col "$R1/steps.csv" qps "$s")
	[ "$(col "$S" db_per_s "$s")" = "$(fmt1 "$qps")" ] || bad="$bad $s:qps"
	rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$R1/http/$s.ab.txt")
	[ "$(col "$S" http_per_s "$s")" = "$(fmt1 "$rps")" ] || bad="$bad $s:rps"
	[ "$(col "$S" http_records "$s")" = 10 ] || bad="$bad $s:records"
	[ "$(col "$S" db_records "$s")" = 10 ] || bad="$bad $s:db_records"
done
check "every figure of the table agrees with the step's files${bad:+ (differ:$bad)}" [ -z "$bad" ]
check "the terminal table shows the steps' rows" [ "$(grep -cE '^s00[1-4]-threads-c[12]-o(0|10) +[12] +[12] ' "$TEST_TMP/ab.out")" = 4 ]
check "http-load.json records the tool and the pages" \
	sh -c "[ \"\$(jq -r '.tool + \" \" + (.pages | map(tostring) | join(\",\"))' '$R1/http/http-load.json')\" = 'ab 1,2' ]"
check "the report links the HTTP comparison" grep -q 'http-compare-steps.csv' "$R1/index.html"

# where the app's server time goes: http/waits.csv in waits.csv's format, a step's classes summing to its
# samples (shares to 100%), the same one-decimal shares on the terminal and in the report
AW=$R1/http/waits.csv
check "http/waits.csv has the header of waits.csv" [ "$(head -1 "$AW")" = "$(head -1 "$R1/waits.csv")" ]
check "... and the fourteen classes of each HTTP step" [ "$(grep -c ',class,' "$AW")" = 56 ]
sums=$(awk -F, '$2 == "class" { n[$1] += $4; sh[$1] += $5; t[$1] = $6 }
	END { for (s in n) printf "%s:%d:%d:%.3f ", s, (n[s] == t[s]), (t[s] > 0), sh[s] }' "$AW")
check "each step's classes sum to its samples, which it has, and their shares to 100% ($sums)" \
	[ "$(printf '%s\n' $sums | grep -c ':1:1:1.000$')" = 4 ]
check "the app's backends were seen working (CPU or a wait, not only idle)" \
	[ "$(awk -F, '$2 == "class" && $3 != "Idle" && $3 != "IdleInTransaction" && $3 != "Hidden" { n += $4 } END { print (n > 0) }' "$AW")" = 1 ]
check "the terminal says where the app's server time goes" grep -q "^where the app's server time goes" "$TEST_TMP/ab.out"
bad=""
for s in s001-threads-c1-o0 s002-threads-c1-o10 s003-threads-c2-o0 s004-threads-c2-o10; do
	cpu=$(awk -F, -v s="$s" '$1 == s && $3 == "CPU" { printf "%.1f%%", $6 ? 100 * $4 / $6 : 0 }' "$AW")
	idle=$(awk -F, -v s="$s" '$1 == s && ($3 == "Idle" || $3 == "IdleInTransaction") { n += $4; t = $6 } END { printf "%.1f%%", t ? 100 * n / t : 0 }' "$AW")
	idle1=$(awk -F, -v s="$s" '$1 == s && $3 == "Idle" { printf "%.1f%%", $6 ? 100 * $4 / $6 : 0 }' "$AW")
	grep -q "^  $s: cpu $cpu, idle $idle" "$TEST_TMP/ab.out" || bad="$bad $s:terminal"
	grep -q "<td class=\"l\">$s</td><td[^>]*>[0-9]*[^<]*</td><td>$cpu</td><td>$idle1</td>" "$R1/index.html" || bad="$bad $s:report"
done
check "the terminal and the report show http/waits.csv's shares${bad:+ (differ:$bad)}" [ -z "$bad" ]
check "the report has the app's table" grep -q "<h3>Where the app's server time goes</h3>" "$R1/index.html"

# ---- wrk: the percentile script's block read; concurrency 2 on page 2 (wrk runs whole seconds) ---
R2=$TEST_TMP/r-wrk
"$B" http-compare --url "$BASE/records/?offset={offset}" --http-tool wrk --concurrency 2 --pages 2 --duration 1 \
	--warmup 0 --no-plot --out "$R2" >"$TEST_TMP/wrk.out" 2>&1
RC=$?
check "http-compare --url with wrk succeeds (rc $RC: $(grep error: "$TEST_TMP/wrk.out"))" [ "$RC" = 0 ]
check "without --app-user or --app-db it says once that the app's backends are not sampled" \
	[ "$(grep -c "the web app's backends are not sampled: --app-user or --app-db names them" "$TEST_TMP/wrk.out")" = 1 ]
check "... and writes no http/waits.csv" [ ! -e "$R2/http/waits.csv" ]
check "wrk got the script, written beside the results" grep -q 'latency:percentile' "$R2/http/wrk-percentiles.lua"
check "wrk asked for offset 10 (page 2)" grep -q "@ $BASE/records/?offset=10\$" "$R2/http/s001-threads-c2-o10.wrk.txt"
check "wrk's output holds the script's percentiles" grep -q '^percentile 99 ' "$R2/http/s001-threads-c2-o10.wrk.txt"
W=$R2/http/s001-threads-c2-o10/http-compare-percentiles.csv
want=$(awk '$1 == "percentile" && $2 == 90 { printf "%.3f", $3 / 1000 }' "$R2/http/s001-threads-c2-o10.wrk.txt")
check "wrk's p90 is the script's, in ms ($want)" [ "$(awk -F, '$1 == 90 { print $2 "/" $3 }' "$W")" = "$want/wrk" ]
want=$(awk '$1 == "requests" { print $2 }' "$R2/http/s001-threads-c2-o10.wrk.txt")
check "wrk's request count is the table's ($want)" [ "$(col "$R2/http-compare-steps.csv" http_requests s001-threads-c2-o10)" = "$want" ]

# ---- failure modes ----------------------------------------------------------------------------------
expect_fail "a URL nobody answers ends before any load" 1 'error: could not connect to 127.0.0.1 port 1: Connection refused' \
	"$B" http-compare --url "http://127.0.0.1:1/records/?page={page}" --pages 1 --concurrency 1 --requests 5 --out "$TEST_TMP/r-none"
check "... and names what to do" grep -q 'hint: Start the web app first' "$TEST_TMP/err"
check "... and made no results directory" [ ! -e "$TEST_TMP/r-none" ]
expect_fail "an https URL" 2 'error: invalid URL "https://x/": only http:// URLs are supported' \
	"$B" http-compare --url https://x/ --pages 1
expect_fail "several pages without {page} or {offset}" 2 'error: the URL has no \{page\} or \{offset\}' \
	"$B" http-compare --url "$BASE/records/" --pages 1,2
expect_fail "wrk by number of requests" 2 'error: wrk runs for a time, not a number of requests' \
	"$B" http-compare --url "$BASE/records/?page={page}" --http-tool wrk --requests 10
expect_fail "an HTTP tool it does not drive" 2 'error: invalid value "curl" for option --http-tool: expected ab or wrk' \
	"$B" http-compare --url "$BASE/records/?page={page}" --http-tool curl
expect_fail "page 0" 2 'error: invalid value "0,1" for option --pages: values must be in range 1\.\.100000000' \
	"$B" http-compare --url "$BASE/records/?page={page}" --pages 0,1
expect_fail "a temporary cluster the app cannot see" 2 'error: --url needs the database the web app uses, not --ephemeral' \
	"$B" http-compare --url "$BASE/records/?page={page}" --ephemeral
expect_fail "fewer requests than connections" 2 'error: --requests 2 is fewer than the concurrency 4' \
	"$B" http-compare --url "$BASE/records/?page={page}" --concurrency 1,4 --requests 2
expect_fail "the HTTP side by a fraction of a second" 2 'error: the HTTP side runs whole seconds' \
	"$B" http-compare --url "$BASE/records/?page={page}" --duration 1.5
mkdir "$TEST_TMP/nobin"
expect_fail "ab missing from PATH" 1 'error: could not find "ab" on PATH' \
	env PATH="$TEST_TMP/nobin" "$B" http-compare --url "$BASE/records/?page={page}" --pages 1 --concurrency 1 --requests 5
check "... with the apt-get line" grep -q 'hint: Install it with: apt-get install apache2-utils' "$TEST_TMP/err"
expect_fail "wrk missing from PATH" 1 'error: could not find "wrk" on PATH' \
	env PATH="$TEST_TMP/nobin" "$B" http-compare --url "$BASE/records/?page={page}" --pages 1 --http-tool wrk
check "... with the apt-get line" grep -q 'hint: Install it with: apt-get install wrk' "$TEST_TMP/err"

# One sweep of /modes/, a failure mode a page: page 1 answers 500, page 2 lacks its last record, page 3
# pauses 0.5 s a request (the query takes milliseconds), and the last page, with fewer than ten records in
# the data too, is right.
last=$(( (QUALIFYING + 9) / 10 ))
R3=$TEST_TMP/r-modes
run_cmd "$B" http-compare --url "$BASE/modes/?page={page}" --pages "1,2,3,$last" --concurrency 1 --requests 2 \
	--duration 0.2 --warmup 0 --no-plot --out "$R3"
check "the failure modes are measured, not refused (rc $RC: $(printf '%s\n' "$ERR" | grep error:))" [ "$RC" = 0 ]
M=$R3/http-compare-steps.csv
# statuses that are not 2xx: counted by ab, warned about, marked on the step's row
check "the GET before the load says page 1 answered 500" grep -q 'warning: page 1 (/modes/?page=1) answered "HTTP/1.[01] 500' "$TEST_TMP/err"
check "ab's non-2xx count is warned about" grep -q 'warning: .*/modes/?page=1: 2 of 2 responses were not 2xx (the GET before the load answered 500)' "$TEST_TMP/err"
check "the step's row counts them" [ "$(col "$M" http_non2xx s001-threads-c1-o0)" = 2 ]
check "the step's row says so" grep -q '^s001-threads-c1-o0 .*2 non-2xx; GET answered 500' "$TEST_TMP/out"
# a page with one record less than the query's
check "the short page is warned about before the load" \
	grep -q 'warning: page 2 returned 9 records where the database step returns 10: the app.s page is not the query.s (the length of the JSON list "results")' "$TEST_TMP/err"
check "the short page's row says so" grep -q '^s002-threads-c1-o10 .*page has 9 of 10 records' "$TEST_TMP/out"
check "the CSV keeps both counts" [ "$(col "$M" http_records s002-threads-c1-o10)/$(col "$M" db_records s002-threads-c1-o10)" = 9/10 ]
# past the last record the query returns fewer than ten too: the expected count follows the data
lastid=$(printf 's004-threads-c1-o%d' $(( (last - 1) * 10 )))
check "the last page ($last: $((QUALIFYING - (last - 1) * 10)) records) is no short page" \
	sh -c "[ '$(col "$M" http_records "$lastid")' = '$(col "$M" db_records "$lastid")' ] && ! grep -q 'page $last returned' '$TEST_TMP/err'"
# an app far slower than its database
share=$(col "$M" mean_share s003-threads-c1-o20)
check "the slow page's row says the database is not the bottleneck" grep -q '^s003-threads-c1-o20 .*db not the bottleneck' "$TEST_TMP/out"
check "so does the line under the table, with the share (${share:-none})" \
	sh -c "grep -q '^the database is not the bottleneck: in [0-9]* steps\? it is under 20% of the mean request' '$TEST_TMP/out' && [ -n '$share' ]"

# SIGINT while ab runs (for 30 s, were it let): ab is stopped, the run ends as interrupted (130)
R7=$TEST_TMP/r-int
"$B" http-compare --url "$BASE/records/?page={page}" --pages 1,2 --concurrency 1 --duration 30 --warmup 0 \
	--no-plot --out "$R7" >"$TEST_TMP/int.out" 2>&1 &
pid=$!
for _ in $(seq 400); do [ -e "$R7/http/s001-threads-c1-o0.ab.stderr" ] && break; sleep 0.05; done
check "ab started" [ -e "$R7/http/s001-threads-c1-o0.ab.stderr" ]
kill -INT "$pid"
wait "$pid"
RC=$?
check "SIGINT during the HTTP load exits 130 (rc $RC: $(grep -E 'error|interrupted' "$TEST_TMP/int.out"))" [ "$RC" = 130 ]
check "no ab is left running against the app" sh -c "! pgrep -a -x ab | grep -qF ':$PORT/records/'"
check "the results directory says interrupted" [ "$(jq -r .status "$R7/meta.json")" = interrupted ]

# the file-reading form is untouched by the new one: --url and RESULTS_DIR are two forms
expect_fail "the file-reading form still refuses connection options" 2 'error: http-compare reads files only' \
	"$B" http-compare "$R1" --ab "$R1/http/s001-threads-c1-o0.ab.txt" -h localhost
run_cmd "$B" http-compare "$R1" --ab "$R1/http/s001-threads-c1-o0.ab.txt" --ab-csv "$R1/http/s001-threads-c1-o0.ab.csv" --out "$TEST_TMP/o-files"
check "the file-reading form reads the files --url kept (rc $RC: $ERR)" [ "$RC" = 0 ]
check "... and matches the same step" grep -q '^database: step s001-threads-c1-o0 ' "$TEST_TMP/out"

kill "$APP_PID" 2>/dev/null
wait "$APP_PID" 2>/dev/null
APP_PID=""
pgpb_finish
