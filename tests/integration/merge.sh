# run --start-at and merge: three driver processes on this machine start one sweep at one instant against
# one server and are merged; the totals are the sums of the hosts' figures, and the merged p99 is the one
# of all the hosts' samples together, recomputed here from the hosts' own histogram buckets (summary.json)
# with the nearest-rank rule of docs/results.md. Runs of another plan or another query are refused, and a
# step that misses its slot says so. Short steps: the whole file runs in a few seconds of sweep.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fixtures/lib-results.sh"
B=$PGPB_BIN

# ---- bad values, before any server -----------------------------------------------------------------
expect_fail "--start-at in the past" 2 'invalid value "2020-01-01T00:00:00Z" for option --start-at: the time has passed' \
	"$B" run --start-at 2020-01-01T00:00:00Z
expect_fail "--start-at unparsable" 2 'invalid value "soon" for option --start-at: not an RFC 3339 time' "$B" run --start-at soon
expect_fail "--start-at with a day that does not exist" 2 'not an RFC 3339 time' "$B" run --start-at 2031-02-30T00:00:00Z
expect_fail "--gap without --start-at" 2 '--gap applies to a schedule' "$B" run --gap 1s
expect_fail "--host-tag with a space" 2 'invalid value "a b" for option --host-tag' "$B" run --host-tag 'a b'
expect_fail "merge without --out" 2 '--out is required' "$B" merge a b
expect_fail "merge of one run" 2 'at least two results directories' "$B" merge a --out "$TEST_TMP/m"

pgpb_server_start || exit 1
check "small dataset" pgpb_small_dataset

# ---- three hosts on one schedule, and two that are not the same plan --------------------------------
sed 's/$/ /' "$(dirname "$0")/../../schema/query.sql" >"$TEST_TMP/other.sql" # the seed's text, another hash
AT=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S.%3NZ)
SWEEP="--pools 2 --offsets 0,100 --duration 1s --warmup 0.2s --gap 0.8s --no-plot --no-progress"
pids=""
for h in h1 h2 h3; do
	"$B" run --start-at "$AT" $SWEEP --host-tag $h --out "$TEST_TMP/$h" >"$TEST_TMP/$h.out" 2>"$TEST_TMP/$h.err" &
	pids="$pids $!"
done
"$B" run --start-at "$AT" $SWEEP --host-tag q --query "$TEST_TMP/other.sql" --out "$TEST_TMP/q" >/dev/null 2>"$TEST_TMP/q.err" &
pids="$pids $!"
# another plan: an offset less (same schedule), and a step that cannot keep its slot (no gap and 100 ms
# steps: the second step's 8 connections are opened after its slot began, later than 1% of 100 ms)
"$B" run --start-at "$AT" --pools 2 --offsets 0 --duration 1s --warmup 0.2s --gap 0.8s --no-plot --no-progress \
	--host-tag p --out "$TEST_TMP/p" >/dev/null 2>"$TEST_TMP/p.err" &
pids="$pids $!"
"$B" run --start-at "$AT" --pools 1,8 --offsets 0 --duration 100ms --warmup 0 --gap 0 --no-plot --no-progress \
	--host-tag slip --out "$TEST_TMP/slip" >/dev/null 2>"$TEST_TMP/slip.err" &
slip_pid=$!
rcs=""
for p in $pids; do wait "$p"; rcs="$rcs$?"; done
wait $slip_pid
slip_rc=$?
check "five drivers on one --start-at exit 0 ($rcs)" [ "$rcs" = 00000 ]
# 100 ms steps on a busy machine may see no answer at all (exit 1): what is checked is their schedule
check "the 100 ms sweep wrote its 2 steps (exit $slip_rc)" eval '[ "$slip_rc" -le 1 ] && [ "$(csv_cols "$TEST_TMP/slip/steps.csv" step | wc -l)" = 2 ]' 
check "the schedule is in meta.json" grep -q "\"start_at\": \"$AT\"" "$TEST_TMP/h1/meta.json"
check "the host tag is in meta.json" grep -q '"host_tag": "h2"' "$TEST_TMP/h2/meta.json"
check "the banner names the schedule" grep -q "schedule: the first step starts at $AT, a step every 2 s" "$TEST_TMP/h1.err"
late=$(csv_cols "$TEST_TMP/slip/steps.csv" start_late_s start_slipped | tail -1)
check "a step that started after its slot says so in steps.csv ($late)" eval '[ "${late#*|}" = 1 ] && [ "${late%|*}" != 0.000 ]'
check "... in meta.json" grep -q '"slipped_steps": [1-9]' "$TEST_TMP/slip/meta.json"
check "... in summary.json" grep -q '"start_slipped": 1' "$TEST_TMP/slip/summary.json"
check "... and on the terminal" grep -q "warning: step s002-threads-c8-o0 started [0-9.]* s after its slot in the schedule" "$TEST_TMP/slip.err"

# ---- merged --------------------------------------------------------------------------------------------
M=$TEST_TMP/merged
run_cmd "$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2" "$TEST_TMP/h3" --out "$M"
check "merge exits 0 ($ERR)" [ "$RC" = 0 ]
check "merge says what it wrote" grep -q "^merged 3 runs of 2 steps into $M" "$TEST_TMP/out"
cp "$TEST_TMP/out" "$TEST_TMP/merge.out"
for f in steps.csv intervals.csv summary.json meta.json hosts.csv host-intervals.csv s001-threads-c2-o0.hgrm index.html charts/timeline.svg; do
	check "the merge holds $f" [ -s "$M/$f" ]
done
# totals against the hosts' own files
for col in ok errors connections; do
	want=$(awk -F, -v c=$col 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { s[$1] += $k } END { for (x in s) print x, s[x] }' "$TEST_TMP"/h[123]/steps.csv | sort)
	got=$(csv_cols "$M/steps.csv" step $col | tr '|' ' ' | sort)
	check "merged $col is the sum of the hosts' ($(echo $got | tr '\n' ' '))" [ "$got" = "$want" ]
done
qps_hosts=$(for h in h1 h2 h3; do csv_cols "$TEST_TMP/$h/steps.csv" step qps; done | awk -F'|' '{ s[$1] += $2 } END { for (x in s) printf "%s %.1f\n", x, s[x] }' | sort)
qps_total=$(csv_cols "$M/steps.csv" step qps | tr '|' ' ' | sort)
check "merged qps is the hosts' qps summed, to the rounding of steps.csv ($(echo $qps_total))" \
	eval 'paste -d" " <(echo "$qps_hosts") <(echo "$qps_total") | awk "{ d = \$2 - \$4; if (\$1 != \$3 || d > 0.16 || d < -0.16) exit 1 }"'
per_host=$(csv_cols "$M/hosts.csv" host step qps | sort)
want_ph=$(for h in h1 h2 h3; do csv_cols "$TEST_TMP/$h/steps.csv" step qps | sed "s/^/$h|/"; done | sort)
check "hosts.csv keeps each host's qps" [ "$per_host" = "$want_ph" ]
check "summed seconds: intervals.csv adds up to ok" \
	eval '[ "$(awk -F, "NR > 1 { s[\$1] += \$3 } END { for (x in s) print x, s[x] }" "$M/intervals.csv" | sort)" = "$(csv_cols "$M/steps.csv" step ok | tr "|" " " | sort)" ]'

# the merged p99 against all the samples: the hosts' buckets added here, nearest rank, the bucket's top
cat >"$TEST_TMP/p99.py" <<'PY'
import json, math, sys
out, hosts = sys.argv[1], sys.argv[2:]
def top(v):  # highest value of v's bucket at 3 significant digits (2048 sub-buckets, unit 1 us)
    mag = max(0, (v | 2047).bit_length() - 11)
    return ((v >> mag) << mag) + (1 << mag) - 1
steps = {}
for d in hosts:
    for s in json.load(open(d + "/summary.json"))["steps"]:
        h = s["histograms"]["latency"]
        st = steps.setdefault(s["step"], {"b": {}, "max": 0})
        for v, c in h["buckets"]:
            st["b"][v] = st["b"].get(v, 0) + c
        st["max"] = max(st["max"], h["max_us"])
for sid in sorted(steps):
    st = steps[sid]; n = sum(st["b"].values()); rank = max(1, math.ceil(0.99 * n)); cum = 0
    for v in sorted(st["b"]):
        cum += st["b"][v]
        if cum >= rank:
            print(sid, n, min(top(v), st["max"])); break
PY
want_p99=$(python3 "$TEST_TMP/p99.py" "$M" "$TEST_TMP/h1" "$TEST_TMP/h2" "$TEST_TMP/h3")
got_p99=$(csv_cols "$M/steps.csv" step ok p99_us | tr '|' ' ' | sort)
check "merged p99 = p99 of the combined samples ($(echo $got_p99))" [ -n "$want_p99" -a "$got_p99" = "$want_p99" ]
check "the merge's meta names its 3 hosts" [ "$(grep -c '"host_tag": "h[123]"' "$M/meta.json")" = 3 ]
check "the timeline has a panel per host" eval 'svg_labels "$M/charts/timeline.svg" | grep -c "^host h[123]$" | grep -qx 3'
check "the report names the hosts and links hosts.csv" eval 'grep -q "3 hosts merged: h1, h2, h3" "$M/index.html" && grep -q "href=\"hosts.csv\"" "$M/index.html"'
l=$(html_links_exist "$M")
check "the merge's report links only files that exist $l" [ -z "$l" ]
check "plot read the merge (its report)" grep -q "^report: $M/index.html" "$TEST_TMP/merge.out"
run_cmd "$B" compare "$TEST_TMP/h1" "$M" --out "$TEST_TMP/cmp" --format svg
check "compare reads the merge" [ "$RC" = 0 ]

# ---- a host whose summary.json lost its histograms: merged from its .hlog files ------------------------
cp -r "$TEST_TMP/h2" "$TEST_TMP/h2cut"
jq 'del(.steps[].histograms)' "$TEST_TMP/h2/summary.json" >"$TEST_TMP/h2cut/summary.json"
check "the cut-down summary.json has no histograms left" eval '! grep -q "\"buckets\"" "$TEST_TMP/h2cut/summary.json"'
run_cmd "$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2cut" "$TEST_TMP/h3" --out "$TEST_TMP/mcut" --no-plot
check "merge with h2's histograms from its .hlog exits 0 ($ERR)" [ "$RC" = 0 ]
got_cut=$(csv_cols "$TEST_TMP/mcut/steps.csv" step ok p99_us max_us | sort)
check "... the same p99 (and ok and max) as from summary.json ($(echo $got_cut))" \
	[ "$got_cut" = "$(csv_cols "$M/steps.csv" step ok p99_us max_us | sort)" ]
check "... its meta.json says h2's histograms came from the .hlog, h1's from summary.json checked against it" \
	eval '[ "$(jq -r ".merged.hosts[] | \"\(.host_tag) \(.histograms.from) \(.histograms.steps_checked_against_hlog)\"" "$TEST_TMP/mcut/meta.json" | tr "\n" " ")" = "h1 summary.json 2 h2 hlog 0 h3 summary.json 2 " ]'
# h3's first step's .hlog with the second step's Tag=step line: two truths, refused
cp -r "$TEST_TMP/h3" "$TEST_TMP/h3bad"
s1=$(csv_cols "$TEST_TMP/h3/steps.csv" step | sed -n 1p)
s2=$(csv_cols "$TEST_TMP/h3/steps.csv" step | sed -n 2p)
grep -v '^Tag=step,' "$TEST_TMP/h3/$s1.hlog" >"$TEST_TMP/h3bad/$s1.hlog"
grep '^Tag=step,' "$TEST_TMP/h3/$s2.hlog" >>"$TEST_TMP/h3bad/$s1.hlog"
expect_fail "a .hlog holding other buckets than summary.json is refused" 1 \
	"host h3, step $s1: the latency histogram of summary.json and of $s1.hlog differ at the bucket at [0-9]* us" \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2" "$TEST_TMP/h3bad" --out "$TEST_TMP/mbad"
check "nothing was written for the refused merge" [ ! -e "$TEST_TMP/mbad/steps.csv" ]

# ---- refusals: the first difference, named in one line ----------------------------------------------
expect_fail "another query is refused" 1 'do not share the plan: the query sha256 differs' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/q" --out "$TEST_TMP/mq"
expect_fail "another plan is refused" 1 'do not share the plan: option offsets differs \(\[0,100\] against \[0\]\)' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2" "$TEST_TMP/p" --out "$TEST_TMP/mp"
expect_fail "another schedule is refused" 1 'do not share the plan: the schedule \(--start-at\) warmup_s differs' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/slip" --out "$TEST_TMP/ms"
expect_fail "a host merged twice is refused" 1 'have the same host tag "h1"' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/h1" --out "$TEST_TMP/m2"
expect_fail "the merge over one of its runs is refused" 1 'is one of the runs merged' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2" --out "$TEST_TMP/h2" --force
expect_fail "a second merge into the same directory is refused" 1 'already holds a run' \
	"$B" merge "$TEST_TMP/h1" "$TEST_TMP/h2" --out "$M"
check "nothing was written for a refused merge" [ ! -e "$TEST_TMP/mq/steps.csv" ]
cat "$TEST_TMP/merge.out"
pgpb_finish
