# The .hlog files (HdrHistogram's interval log) of a real run, read by an independent implementation:
# npm's hdr-histogram-js under Debian's nodejs, installed from the npm registry into $PGPB_BUILD/npm the
# first time (later runs reuse it). Its figures must match steps.csv and intervals.csv by the rule written
# at the top of hlog-decode.js. No registry and no cached copy: the test fails and says so.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
HERE=$(cd "$(dirname "$0")" && pwd)
NPM_DIR=$PGPB_BUILD/npm

check "node is installed (tools/deps.sh)" eval 'command -v node >/dev/null'
if [ ! -f "$NPM_DIR/node_modules/hdr-histogram-js/package.json" ]; then
	run_cmd npm install --prefix "$NPM_DIR" --no-audit --no-fund --no-save --fetch-retries=1 hdr-histogram-js@3
	check "npm installs hdr-histogram-js@3 into $NPM_DIR (is the npm registry reachable? npm said: $(printf '%s' "$ERR" | grep -E '(error|ERR!) (code|errno|network|404)' | head -3 | tr '\n' ' '))" \
		[ -f "$NPM_DIR/node_modules/hdr-histogram-js/package.json" ]
fi
[ -f "$NPM_DIR/node_modules/hdr-histogram-js/package.json" ] || { pgpb_finish; exit 1; }

pgpb_server_start || { not_ok "server start"; exit 1; }
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }

# two steps of 1.5 s each, so each step's last second line is half a second long
d=$TEST_TMP/run
run_cmd "$B" run --pools 1,2 --offsets 0 --duration 1.5s --warmup 0.2s --threads 2 --no-plot --no-progress --out "$d"
check "run exits 0 ($ERR)" [ "$RC" = 0 ]
check "one .hlog a step (2)" [ "$(ls "$d"/*.hlog | wc -l)" = 2 ]
for f in "$d"/*.hlog; do
	s=$(basename "$f" .hlog)
	check "$s: the standard header lines, each under 128 bytes (HdrHistogram_c's limit)" eval "[ -z \"\$(awk '/^[#\"]/ && length > 127' '$f')\" ] && grep -q '^#\[Histogram log format version 1.3\]$' '$f' &&
		grep -Eq '^#\[StartTime: [0-9]+\.[0-9]{3} \(seconds since epoch\), ' '$f' &&
		grep -Eq '^#\[BaseTime: [0-9]+\.[0-9]{3} \(seconds since epoch\)\]$' '$f' &&
		grep -qx '\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"' '$f'"
	check "$s: the last second's line is 0.5 s long, the step's line 1.5 s" eval \
		"grep -v '^[#\"T]' '$f' | tail -1 | grep -q '^1\.000,0\.500,' && grep -q '^Tag=step,0\.000,1\.500,' '$f'"
	check "$s: every histogram in the V2 compressed encoding (base64 of cookie 0x1c849314: HISTF...)" \
		eval "[ \"\$(grep -v '^[#\"]' '$f' | grep -vc ',HISTFAAAA')\" = 0 ]"
done
# an open-loop step over a shared pool: its .hlog has Tag=uncorrected and Tag=wait lines too
run_cmd "$B" run --pools 2 --workers 3 --rate 100 --offsets 0 --duration 1s --warmup 0.2s --threads 2 --no-plot --no-progress --out "$d-open"
check "run (open loop, shared pool) exits 0 ($ERR)" [ "$RC" = 0 ]
check "its .hlog has the uncorrected and wait lines" eval "grep -q '^Tag=uncorrected,' '$d-open'/*.hlog && grep -q '^Tag=wait,' '$d-open'/*.hlog"
for r in "$d" "$d-open"; do
	n=$(($(wc -l <"$r/steps.csv") - 1))
	run_cmd node "$HERE/hlog-decode.js" "$NPM_DIR/node_modules" "$r"
	echo "$OUT" | sed 's/^/# /'
	check "$(basename "$r"): hdr-histogram-js decodes every step ($n) ($ERR)" eval "[ \"\$(grep -c '^step ' \"\$TEST_TMP/out\")\" = $n ]"
	check "$(basename "$r"): its counts, extremes, mean and percentiles match steps.csv and intervals.csv" \
		eval "! grep -q MISMATCH \"\$TEST_TMP/out\""
done

# --force replaces a run: the .hlog files go with the rest, and are named
run_cmd "$B" run --pools 1 --offsets 0 --duration 0.2s --warmup 0s --no-plot --no-progress --force --out "$d"
check "--force names the .hlog logs it removed ($ERR)" eval "printf '%s' \"\$ERR\" | grep -q '2 \.hlog logs'"
check "--force: the new run's .hlog only" [ "$(ls "$d"/*.hlog | wc -l)" = 1 ]
pgpb_finish
