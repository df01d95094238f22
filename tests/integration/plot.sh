# pgpagebench plot: every chart from the fixture results directories to SVG and PNG, what each holds, the
# offline index.html, odd input (one step, an all-errors step, non-Latin-1 labels, libplot's environment
# variables) and bad input. Expected counts come from the fixtures' own files (tests/fixtures/lib-results.sh).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fixtures/lib-results.sh"
B=$PGPB_BIN
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
CHARTS="qps-vs-pool latency-vs-pool latency-vs-offset percentile-spectrum timeline pool-wait-vs-service throughput-vs-latency corrected-vs-uncorrected latency-vs-variant latency-split"

# expected FIXTURE_DIR: "chart series_count" for every chart the results hold data for (0 = not drawn)
expected() {
	local d=$1 nh=0 f tot
	for f in "$d"/*.hgrm; do
		case $f in *.uncorrected.hgrm|*.wait.hgrm) continue ;; esac
		[ -f "$f" ] || continue
		tot=$(sed -n 's/.*Total count *= *\([0-9]*\).*/\1/p' "$f")
		[ "${tot:-0}" -gt 0 ] && echo "$(basename "$f" .hgrm)"
	done >"$TEST_TMP/hgrm-steps"
	local niv errs
	niv=$(awk -F, 'NR > 1' "$d/intervals.csv" 2>/dev/null | wc -l)
	errs=$(csv_cols "$d/intervals.csv" errors 2>/dev/null | awk '$1 > 0 { e = 1 } END { print e + 0 }')
	# the latency panel has p99 and p50 only when some second had successful queries
	lat=$(csv_cols "$d/intervals.csv" p50_us 2>/dev/null | awk '$1 != "" { l = 1 } END { print l + 0 }')
	# series of one run are told apart by model and query only when the run mixes them; the charts
	# against pool size and offset draw a panel per query instead (2 to 9 queries), whose series are
	# labelled without it and listed once
	local mm mq
	mm=$(csv_cols "$d/steps.csv" model | sort -u | wc -l)
	mq=$(csv_cols "$d/steps.csv" query | sort -u | wc -l)
	csv_cols "$d/steps.csv" step model connections workers offset rate_qps qps p50_us p99_us wait_p50_us wait_p99_us \
		uncorrected_p50_us uncorrected_p99_us query mean_us server_mean_exec_us server_mean_plan_us service_p50_us service_p99_us |
	awk -F'|' -v niv="$niv" -v errs="$errs" -v lat="$lat" -v hgrm="$TEST_TMP/hgrm-steps" -v mm="$mm" -v mq="$mq" '
		BEGIN { while ((getline l < hgrm) > 0) h[l] = 1 }
		{ step=$1; model=$2; c=$3; w=$4; off=$5; rate=$6; qps=$7; p50=$8; p99=$9; wp50=$10; wp99=$11; u50=$12; u99=$13
		  query=$14; mean=$15; exec=$16; plan=$17; sp50=$18; sp99=$19
		  pre = (mm > 1 ? model " " : "") (mq > 1 ? query " " : "")
		  fpre = (mm > 1 ? model " " : "") (mq > 9 ? query " " : "")
		  if (rate == "") {
			if (qps != "") q[fpre off] = 1
			if (p99 != "") l99[fpre off] = 1; if (p50 != "") l50[fpre off] = 1
			if (off != "mix") {
				if (p99 != "") o99[fpre c] = 1; if (p50 != "") o50[fpre c] = 1; closedoff = 1
				nv++; vq[nv] = query; vc_[nv] = c; v99[nv] = p99; v50[nv] = p50; qs[query] = 1
			}
		  } else {
			pools[c] = 1
			if (p99 != "") t99[pre off "|" c] = 1; if (p50 != "") t50[pre off "|" c] = 1
			if (u99 != "" || u50 != "") cu[pre off "|" c] = 1
		  }
		  # pool wait: a series per offset with a positive value (a zero has no point on the log axis)
		  if ((model == "pool" || w + 0 > c + 0) && (wp50 != "" || wp99 != "")) {
			pw[fpre off] = 1
			if (sp99 + 0 > 0) pws99[fpre off] = 1; if (wp99 + 0 > 0) pww99[fpre off] = 1
			if (sp50 + 0 > 0) pws50[fpre off] = 1; if (wp50 + 0 > 0) pww50[fpre off] = 1
		  }
		  if (NR == 1) { c0 = c; r0 = rate } else { if (c != c0) vc = 1; if (rate != r0) vr = 1 }
		  if (step in h) { nh++; hp[pre off] = 1; hc[pre off, c] = 1; hr[pre off, rate] = 1 }
		  if (exec != "" && mean != "" && mean + 0 > 0) { split_ = 1; if (mean - exec - plan > 0) rest = 1 }
		}
		function n(a,   k, m) { m = 0; for (k in a) m++; return m }
		END {
			print "qps-vs-pool", n(q)
			print "latency-vs-pool", n(l99) + n(l50)
			print "latency-vs-offset", closedoff ? n(o99) + n(o50) : 0
			if (nh <= 8) s = nh + 0
			else if (2 * n(hp) <= 8) {
				# the smallest and largest pool (or rate, when only rates vary) at each offset
				s = 0
				for (k in hp) {
					m = 0
					if (vc || !vr) { for (kk in hc) { split(kk, part, SUBSEP); if (part[1] == k) m++ } }
					else { for (kk in hr) { split(kk, part, SUBSEP); if (part[1] == k) m++ } }
					s += (m > 1) ? 2 : 1
				}
			}
			else s = 8
			print "percentile-spectrum", s
			print "timeline", (niv > 0 ? 1 + 2 * lat + errs : 0)
			print "pool-wait-vs-service", n(pws99) + n(pww99) + (n(pw) == 1 ? n(pws50) + n(pww50) : 0)
			print "throughput-vs-latency", n(t99) + n(t50)
			print "corrected-vs-uncorrected", n(cu) == 1 ? 4 : 2 * n(cu)
			# p99 and p50 per query variant at the smallest pool, when closed-loop steps ran several queries
			vs = 0
			if (n(qs) > 1) {
				minc = ""
				for (i = 1; i <= nv; i++) if (minc == "" || vc_[i] + 0 < minc + 0) minc = vc_[i]
				for (i = 1; i <= nv; i++) if (vc_[i] + 0 == minc + 0) { if (v99[i] != "") a99[vq[i]] = 1; if (v50[i] != "") a50[vq[i]] = 1 }
				vs = n(a99) + n(a50)
			}
			print "latency-vs-variant", vs
			print "latency-split", split_ ? 2 + rest : 0
		}'
}

# axis and chart titles each chart must show (as <text> in the SVG)
titles() {
	case $1 in
	qps-vs-pool) echo "Queries per second by pool size"; echo "pool size (connections)"; echo "queries/s" ;;
	latency-vs-pool) echo "Latency p50 and p99 by pool size"; echo "pool size (connections)"; echo "latency (log scale)" ;;
	latency-vs-offset) echo "Latency by page depth (offset)"; echo "latency (log scale)" ;;
	percentile-spectrum) echo "Latency percentile spectrum"; echo "percentile"; echo "latency (log scale)"; echo "50%"; echo "99%" ;;
	timeline) echo "Queries per second and latency over time"; echo "per second"; echo "latency (log)" ;;
	pool-wait-vs-service) echo "Pool wait versus service time"; echo "pool size (connections)"; echo "time per query (log scale)" ;;
	throughput-vs-latency) echo "Throughput versus latency (rate sweep)"; echo "achieved queries/s"; echo "latency (log scale)" ;;
	corrected-vs-uncorrected) echo "Corrected versus uncorrected latency"; echo "target rate (queries/s)"; echo "latency (log scale)" ;;
	latency-vs-variant) echo "Latency by page depth, per query variant"; echo "latency (log scale)" ;;
	latency-split) echo "Client latency split: server execution and the rest"; echo "step (numbers as in the steps table)"; echo "mean time per query (log scale)" ;;
	esac
}

declare -A drawn_somewhere
for d in "$FIX"/run-*; do
	[ -f "$d/steps.csv" ] || continue
	name=$(basename "$d")
	out="$TEST_TMP/out-$name"
	run_cmd "$B" plot "$d" --out "$out" --format svg,png --size 640x400
	check "$name: plot exits 0" [ "$RC" = 0 ]
	check "$name: no error or warning on stderr" [ -z "$ERR" ]
	check "$name: index.html written" [ -s "$out/index.html" ]
	expected "$d" >"$TEST_TMP/expect-$name"
	check "$name: expectations derived for all $(echo $CHARTS | wc -w) charts" [ "$(wc -l <"$TEST_TMP/expect-$name")" = "$(echo $CHARTS | wc -w)" ]
	while read -r chart want; do
		svg="$out/charts/$chart.svg" png="$out/charts/$chart.png"
		if [ "$want" = 0 ]; then
			check "$name/$chart: skipped with a note" grep -q "^skipped $chart: ..*" "$TEST_TMP/out"
			check "$name/$chart: no file for a skipped chart" [ ! -e "$svg" -a ! -e "$png" ]
			check "$name/$chart: the report says why it was not drawn" grep -q "id=\"$chart\"" "$out/index.html"
			continue
		fi
		drawn_somewhere[$chart]=1
		check "$name/$chart: SVG parses as XML" xmllint --noout "$svg"
		check "$name/$chart: SVG declares UTF-8 and is UTF-8" svg_is_utf8 "$svg"
		got=$(svg_series "$svg")
		check "$name/$chart: $want series expected, SVG holds ${got:-none}" [ "$got" = "$want" ]
		# a legend too long for the chart ends in "+K more (see the table)": the first ones must be drawn
		more=$(LC_ALL=C grep -ao '>+[0-9]* more (see the table)</text>' "$svg" | grep -o '[0-9][0-9]*')
		missing=""
		while IFS= read -r label; do
			svg_has_text "$svg" "$label" || missing="$missing [$label]"
		done < <(svg_labels "$svg" | head -n $((got - ${more:-0})))
		check "$name/$chart: every series has its legend entry${missing:+ (missing:$missing)}" [ -z "$missing" ]
		missing=""
		while IFS= read -r t; do svg_has_text "$svg" "$t" || missing="$missing [$t]"; done < <(titles "$chart")
		check "$name/$chart: title and axis titles shown${missing:+ (missing:$missing)}" [ -z "$missing" ]
		check "$name/$chart: no NaN or infinity reached the drawing" sh -c "! LC_ALL=C grep -aqiE '(nan|inf)[^o]' '$svg'"
		size=$(identify -format '%m %wx%h' "$png" 2>/dev/null)
		check "$name/$chart: PNG decodes at the requested 640x400 (got: $size)" [ "$size" = "PNG 640x400" ]
	done <"$TEST_TMP/expect-$name"
	out_links=$(html_links_exist "$out")
	check "$name: index.html links only files that exist $out_links" [ -z "$out_links" ]
	check "$name: index.html has no script and no network reference" sh -c "! grep -qiE '<script|https?://|//[a-z]' '$out/index.html'"
	nsteps=$(csv_cols "$d/steps.csv" step | wc -l)
	check "$name: the steps table lists all $nsteps steps" [ "$(grep -c '^<tr><td>[0-9]' "$out/index.html")" = "$nsteps" ]
done
for c in $CHARTS; do
	check "chart $c is drawn from at least one fixture" [ -n "${drawn_somewhere[$c]:-}" ]
done

# A run where every query failed: the timeline's empty latency panel says why; a run with successes does not.
check "all-errors run: the timeline says no query succeeded" \
	svg_has_text "$TEST_TMP/out-run-errors/charts/timeline.svg" "no query succeeded, so there is no latency to draw (errors by SQLSTATE: summary.json and the report)"
check "a run with successful queries has no such note" sh -c "! grep -q 'no query succeeded' '$TEST_TMP/out-run-small/charts/timeline.svg'"

# xtick_x FILE LABEL: the x of the lowest <text> showing exactly LABEL (an x tick label; libplot writes
# translate(x,y) with y up, and the text's left edge as x)
xtick_x() {
	LC_ALL=C grep -ao "translate([0-9.]*,[0-9.]*)[^>]*>$2</text>" "$1" |
		sed 's/translate(\([0-9.]*\),\([0-9.]*\)).*/\2 \1/' | sort -n | head -1 | cut -d' ' -f2
}
# evenly_spaced FILE LABEL...: the x tick labels (of one width) are evenly spaced, within a pixel
evenly_spaced() {
	local f=$1 xs="" l; shift
	for l in "$@"; do xs="$xs $(xtick_x "$f" "$l")"; done
	awk -v xs="$xs" -v want=$# 'BEGIN { n = split(xs, x, " "); if (n != want) exit 1; d = x[2] - x[1]
		for (i = 3; i <= n; i++) { e = x[i] - x[i - 1] - d; if (e > 1 || e < -1) exit 1 }
		exit !(d > 10) }'
}
not_evenly_spaced() { [ -n "$(xtick_x "$1" "$2")" ] && ! evenly_spaced "$@"; }
# set_col DIR COLUMN VALUE [FROM]: sets a column of DIR/steps.csv (every row, or the rows holding FROM)
set_col() {
	awk -F, -v OFS=, -v c="$2" -v v="$3" -v from="${4-}" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
		NR > 1 && (from == "" || $k == from) { $k = v } { print }' "$1/steps.csv" >"$1/steps.tmp" && mv "$1/steps.tmp" "$1/steps.csv"
}

# Pool sizes that are all powers of two sit on a log2 axis, evenly spaced; other pool sizes on a linear one.
check "pools 1, 2, 4, 8: evenly spaced (log2 axis)" evenly_spaced "$TEST_TMP/out-run-small/charts/qps-vs-pool.svg" 1 2 4 8
check "pools 1, 2, 4, 8: the latency chart too" evenly_spaced "$TEST_TMP/out-run-small/charts/latency-vs-pool.svg" 1 2 4 8
cp -r "$FIX/run-small" "$TEST_TMP/pool6"
set_col "$TEST_TMP/pool6" connections 6 8
"$B" plot "$TEST_TMP/pool6" --format svg --quiet
check "pools 1, 2, 4, 6: a linear axis (1, 2, 3, 4 evenly spaced)" evenly_spaced "$TEST_TMP/pool6/charts/qps-vs-pool.svg" 1 2 3 4
check "pools 1, 2, 4, 6: 1, 2, 4 are not evenly spaced" not_evenly_spaced "$TEST_TMP/pool6/charts/qps-vs-pool.svg" 1 2 4
# Offsets 0, 100, 1000, 10000 span two decades: a log10 axis, where 100 to 200 is as wide as 1k to 2k
# (labels of a pair have one width, so their left edges are as far apart as their ticks).
same_ratio_same_gap() {
	awk -v a="$(xtick_x "$1" 100)" -v b="$(xtick_x "$1" 200)" -v c="$(xtick_x "$1" 1k)" -v d="$(xtick_x "$1" 2k)" \
		'BEGIN { e = (b - a) - (d - c); exit !(a != "" && c != "" && b - a > 10 && e < 1 && e > -1) }'
}
check "offsets over two decades: a log axis (100 to 200 as wide as 1k to 2k)" \
	same_ratio_same_gap "$TEST_TMP/out-run-small/charts/latency-vs-offset.svg"

# A zero on a log axis is never a point: a pool-wait run whose waits were all 0 draws no wait line and
# says why.
cp -r "$FIX/run-pool" "$TEST_TMP/nowait"
for col in wait_mean_us wait_p50_us wait_p99_us; do set_col "$TEST_TMP/nowait" "$col" 0; done
"$B" plot "$TEST_TMP/nowait" --format svg --quiet
nw=$TEST_TMP/nowait/charts/pool-wait-vs-service.svg
check "all waits 0: the chart says so" grep -q 'every wait was 0 (a connection was always free): no wait line' "$nw"
check "all waits 0: no wait series drawn ($(LC_ALL=C grep -ao '<desc>[^<]*' "$nw"))" sh -c "! LC_ALL=C grep -aq '<desc>.*wait' '$nw'"
check "all waits 0: the service series still are" [ "$(svg_series "$nw")" -gt 0 ]

# The percentile axis never prints labels on top of each other: at 640 px "0%" gives way to "50%".
sp=$TEST_TMP/out-run-small/charts/percentile-spectrum.svg
check "spectrum: 50% is labelled" svg_has_text "$sp" "50%"
check "spectrum: 0% is not squeezed in beside it" sh -c "! LC_ALL=C grep -aqF '>0%</text>' '$sp'"

# A variants run: a panel per query, each titled with it, the series (offsets or pools) listed once.
for chart in qps-vs-pool latency-vs-pool latency-vs-offset; do
	missing=""
	for q in $(csv_cols "$FIX/run-variants/steps.csv" query | sort -u); do
		svg_has_text "$TEST_TMP/out-run-variants/charts/$chart.svg" "$q" || missing="$missing $q"
	done
	check "run-variants/$chart: a panel titled with each query${missing:+ (missing:$missing)}" [ -z "$missing" ]
done

# Columns are read by name: run-single has them in reverse order plus an unknown one.
qps=$(csv_cols "$FIX/run-single/steps.csv" qps | head -1)
check "columns found by name (qps $qps in the table)" grep -q "<td>$(printf '%.1f' "$qps")</td>" "$TEST_TMP/out-run-single/index.html"

# Non-Latin-1 text (CJK, emoji, backslash, <&>) in the host and query names: drawn as Latin-1 with '?',
# the file in UTF-8 (the é of café stays é), valid XML everywhere, the original UTF-8 in the HTML.
host=$(sed -n 's/.*"hostname": "\(.*\)".*/\1/p' "$FIX/run-single/meta.json")
check "fixture hostname has non-Latin-1 characters" sh -c "printf '%s' '$host' | iconv -f UTF-8 -t ISO-8859-1 >/dev/null 2>&1; [ \$? != 0 ]"
sub=$(LC_ALL=C grep -ao '>PostgreSQL[^<]*</text>' "$TEST_TMP/out-run-single/charts/qps-vs-pool.svg" | head -1)
check "subtitle drawn with the host name in Latin-1, written as UTF-8 (${sub})" sh -c "printf '%s' '$sub' | grep -qF 'host ???-? &lt;café&gt; &amp; co'"
esc_host=$(printf '%s' "$host" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
check "index.html keeps the UTF-8 host name, escaped" grep -qF "$esc_host" "$TEST_TMP/out-run-single/index.html"
check "index.html is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TEST_TMP/out-run-single/index.html" -o /dev/null

# libplot falls back to environment variables for unset parameters: they must not change the output.
clean="$TEST_TMP/env-clean" dirty="$TEST_TMP/env-dirty"
"$B" plot "$FIX/run-small" --out "$clean" --quiet
env BITMAPSIZE=123x45 PAGESIZE=a4 BG_COLOR=black ROTATION=90 TRANSPARENT_COLOR=white INTERLACE=yes \
	EMULATE_COLOR=yes MAX_LINE_LENGTH=3 "$B" plot "$FIX/run-small" --out "$dirty" --quiet
for f in "$clean"/charts/*.svg; do
	check "libplot env vars leave $(basename "$f") byte-identical" cmp -s "$f" "$dirty/charts/$(basename "$f")"
done
for f in "$clean"/charts/*.png; do
	a=$(identify -format '%wx%h %#' "$f") b=$(identify -format '%wx%h %#' "$dirty/charts/$(basename "$f")")
	check "libplot env vars leave $(basename "$f") pixels identical ($b)" [ "$a" = "$b" ]
done
check "default size is 800x480" [ "$(identify -format '%wx%h' "$clean/charts/qps-vs-pool.png")" = 800x480 ]

# Formats: only what was asked for, and the page shows what exists.
run_cmd "$B" plot "$FIX/run-small" --out "$TEST_TMP/svgonly" --format svg --quiet
check "--format svg: exit 0" [ "$RC" = 0 ]
check "--format svg: no PNG written" [ -z "$(ls "$TEST_TMP/svgonly/charts" | grep '\.png$')" ]
check "--format svg: links exist" html_links_exist "$TEST_TMP/svgonly"
run_cmd "$B" plot "$FIX/run-small" --out "$TEST_TMP/svgonly" --format png --quiet
check "--format png over an svg report: old SVGs removed" [ -z "$(ls "$TEST_TMP/svgonly/charts" | grep '\.svg$')" ]
check "--format png: the page shows the PNGs" grep -q 'src="charts/qps-vs-pool.png"' "$TEST_TMP/svgonly/index.html"
check "--format png: links exist" html_links_exist "$TEST_TMP/svgonly"
# A run without open-loop steps plotted over an open-loop report: no stale charts stay behind.
"$B" plot "$FIX/run-open" --out "$TEST_TMP/reuse" --quiet
"$B" plot "$FIX/run-small" --out "$TEST_TMP/reuse" --quiet
check "charts the new run skips are removed" [ ! -e "$TEST_TMP/reuse/charts/throughput-vs-latency.svg" ]

# Default output: the results directory itself, with relative links to its files.
cp -r "$FIX/run-errors" "$TEST_TMP/inplace"
run_cmd "$B" plot "$TEST_TMP/inplace"
check "plot without --out exits 0" [ "$RC" = 0 ]
check "plot without --out writes into the results directory" [ -f "$TEST_TMP/inplace/index.html" ]
check "in place: the page links steps.csv" grep -q 'href="steps.csv"' "$TEST_TMP/inplace/index.html"
check "in place: links exist" html_links_exist "$TEST_TMP/inplace"

# Without the .hgrm files the spectrum comes from summary.json's buckets, the same steps.
cp -r "$FIX/run-small" "$TEST_TMP/nohgrm"
rm -f "$TEST_TMP/nohgrm"/*.hgrm
"$B" plot "$TEST_TMP/nohgrm" --quiet
check "spectrum from summary.json when the .hgrm files are gone" \
	[ "$(svg_series "$TEST_TMP/nohgrm/charts/percentile-spectrum.svg")" = "$(svg_series "$TEST_TMP/out-run-small/charts/percentile-spectrum.svg")" ]

# Missing optional files: no intervals, no histograms, no meta.json -> charts skipped with notes, exit 0.
cp -r "$FIX/run-small" "$TEST_TMP/bare"
rm -f "$TEST_TMP/bare/intervals.csv" "$TEST_TMP/bare"/*.hgrm "$TEST_TMP/bare/meta.json" "$TEST_TMP/bare/summary.json"
run_cmd "$B" plot "$TEST_TMP/bare" --out "$TEST_TMP/bare-out"
check "bare results: exit 0" [ "$RC" = 0 ]
check "bare results: a warning about the missing meta.json" grep -q 'warning: no readable meta.json' "$TEST_TMP/err"
check "bare results: timeline skipped" grep -q '^skipped timeline: intervals.csv' "$TEST_TMP/out"
check "bare results: spectrum skipped" grep -q '^skipped percentile-spectrum:' "$TEST_TMP/out"
check "bare results: links exist" html_links_exist "$TEST_TMP/bare-out"

# Bad input: a clear error and exit 1 (runtime) or 2 (usage), never a crash.
expect_fail "missing results directory" 1 'could not open results directory ".*nope"' "$B" plot "$TEST_TMP/nope"
mkdir -p "$TEST_TMP/empty"
expect_fail "no steps.csv" 1 'could not open file ".*/steps.csv": No such file' "$B" plot "$TEST_TMP/empty"
cp -r "$FIX/run-small" "$TEST_TMP/corrupt"
head -c 300 /dev/urandom >"$TEST_TMP/corrupt/steps.csv"
expect_fail "binary steps.csv" 1 'invalid ".*steps.csv"' "$B" plot "$TEST_TMP/corrupt"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ok") k = i } NR == 2 { $k = "many" } { print }' \
	"$FIX/run-small/steps.csv" >"$TEST_TMP/corrupt/steps.csv"
check "fixture line 2 was corrupted" grep -q ',many,' "$TEST_TMP/corrupt/steps.csv"
expect_fail "a word in a number column" 1 'line 2: column "ok" holds "many", not a number' "$B" plot "$TEST_TMP/corrupt"
printf 'stp,qps\nx,1\n' >"$TEST_TMP/corrupt/steps.csv"
expect_fail "steps.csv without a step column" 1 'no "step" column' "$B" plot "$TEST_TMP/corrupt"
head -1 "$FIX/run-small/steps.csv" >"$TEST_TMP/corrupt/steps.csv"
expect_fail "steps.csv with no steps" 1 'holds no steps' "$B" plot "$TEST_TMP/corrupt"
: >"$TEST_TMP/corrupt/steps.csv"
expect_fail "empty steps.csv" 1 'steps.csv' "$B" plot "$TEST_TMP/corrupt"
expect_fail "bad --format" 2 'invalid value "svg,gif" for option --format: unknown item "gif"' "$B" plot "$FIX/run-small" --format svg,gif
expect_fail "empty --format" 2 'option --format' "$B" plot "$FIX/run-small" --format ""
expect_fail "bad --size" 2 'invalid value "big" for option --size' "$B" plot "$FIX/run-small" --size big
expect_fail "no results directory" 2 'no results directory given' "$B" plot
expect_fail "two results directories" 2 'too many command-line arguments' "$B" plot "$FIX/run-small" "$FIX/run-open"
expect_fail "connection options refused" 2 'takes no connection options' "$B" plot -h localhost "$FIX/run-small"
touch "$TEST_TMP/afile"
expect_fail "--out is a file" 1 'could not create directory' "$B" plot "$FIX/run-small" --out "$TEST_TMP/afile"
run_cmd "$B" plot --help
check "plot --help exits 0" [ "$RC" = 0 ]
check "plot --help names --format" grep -q -- '--format' "$TEST_TMP/out"
pgpb_finish
