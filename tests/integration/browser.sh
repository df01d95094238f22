# The report in a real browser: the index.html of real runs (a sweep with an http-compare chart, a
# shared-pool run, a variants run with --explain, a rate run) and of a compare page, opened in headless
# Chromium. Fails when an <img> does not load (naturalWidth 0), when a chart SVG opened on its own is not
# an SVG document that draws something, or when a link of the page points at a missing file.
#
# How: a copy of each index.html, beside it so relative paths resolve the same, gets a script appended
# (the report itself has none). Before the page's load event the script adds an <iframe> per chart SVG
# (the SVG opened as a document, as a user clicking its link gets it); in the load handler, which runs
# after every image and frame has loaded or failed, it checks them and every link (a synchronous
# XMLHttpRequest per file: --allow-file-access-from-files lets file:// pages read files, and a missing
# one throws), then writes what it found into a <pre>. --dump-dom prints the DOM once the load event
# has been handled; the <pre> ends with a fixed line, so a check that did not run fails instead of
# passing quietly.
. "$(dirname "$0")/../lib.sh"
B=$PGPB_BIN
AB=$(cd "$(dirname "$0")/../fixtures/ab" && pwd)

command -v chromium >/dev/null || { not_ok "chromium is installed (make deps installs it)"; pgpb_finish; exit 1; }
pgpb_server_start || { not_ok "server start"; exit 1; }
"$B" datagen --scale 0.01 >/dev/null 2>&1 || { not_ok "datagen"; exit 1; }

cat >"$TEST_TMP/check.js" <<'EOF'
(function () {
	var seen = {}, frames = [];
	Array.prototype.forEach.call(document.querySelectorAll('img[src$=".svg"], a[href$=".svg"]'), function (e) {
		var src = e.getAttribute('src') || e.getAttribute('href');
		if (seen[src]) return;
		seen[src] = 1;
		var f = document.createElement('iframe');
		f.setAttribute('src', src);
		f.setAttribute('width', '820');
		f.setAttribute('height', '500');
		document.body.appendChild(f);
		frames.push(f);
	});
	window.addEventListener('load', function () {
		var bad = [], nimg = 0, nlink = 0;
		Array.prototype.forEach.call(document.images, function (img) {
			nimg++;
			if (!img.complete || img.naturalWidth === 0)
				bad.push('image does not load: ' + img.getAttribute('src'));
		});
		frames.forEach(function (f) {
			var src = f.getAttribute('src'), d = null;
			try { d = f.contentDocument; } catch (e) { bad.push('SVG not readable: ' + src + ': ' + e); return; }
			var root = d && d.documentElement;
			if (!root || root.localName !== 'svg' || d.getElementsByTagName('parsererror').length)
				bad.push('SVG opened on its own is not an SVG document: ' + src + ' (' + (root ? root.localName : 'none') + ')');
			else if (d.characterSet !== 'UTF-8')
				bad.push('SVG opened on its own is read as ' + d.characterSet + ': ' + src);
			else {
				var box = root.getBBox();
				if (!(box.width > 0 && box.height > 0))
					bad.push('SVG opened on its own draws nothing: ' + src);
			}
		});
		Array.prototype.forEach.call(document.querySelectorAll('a[href]'), function (a) {
			var h = a.getAttribute('href');
			if (h.charAt(0) === '#') return;
			nlink++;
			var x = new XMLHttpRequest();
			try {
				x.open('GET', a.href, false);
				x.send();
				if (x.status !== 0 && x.status !== 200) bad.push('link ' + h + ': status ' + x.status);
			} catch (e) {
				bad.push('link to a missing file: ' + h);
			}
		});
		var pre = document.createElement('pre');
		pre.id = 'pgpb-browser-check';
		pre.textContent = 'images ' + nimg + ', SVGs ' + frames.length + ', links ' + nlink + '\n' +
			bad.map(function (b) { return 'bad: ' + b + '\n'; }).join('') + 'end of check';
		document.body.appendChild(pre);
	});
})();
EOF

# browser_check NAME DIR: opens DIR/index.html (with the check appended) in headless Chromium
browser_check() {
	local name=$1 dir=$2 page=$2/browser-check.html
	{
		sed '/<\/body>/,$d' "$dir/index.html"
		printf '<script>\n'
		cat "$TEST_TMP/check.js"
		printf '</script>\n</body>\n</html>\n'
	} >"$page"
	local profile
	profile=$(mktemp -d "$TEST_TMP/chromium.XXXXXX")
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$profile" --allow-file-access-from-files \
		--dump-dom "file://$page" >"$TEST_TMP/dom-$name.html" 2>"$TEST_TMP/chromium-$name.err"
	local rc=$?
	rm -f "$page"
	sed -n '/^<pre id="pgpb-browser-check">/,/end of check<\/pre>/p' "$TEST_TMP/dom-$name.html" |
		sed 's/^<pre id="pgpb-browser-check">//; s/<\/pre>.*//' >"$TEST_TMP/check-$name"
	check "$name: Chromium ran the check (rc $rc)" grep -qx 'end of check' "$TEST_TMP/check-$name"
	local counts nimg
	counts=$(head -1 "$TEST_TMP/check-$name")
	nimg=$(grep -c '<img ' "$dir/index.html")
	check "$name: the page shows charts ($counts)" [ "$nimg" -gt 0 ]
	check "$name: Chromium saw all $nimg images of the page ($counts)" grep -q "^images $nimg," "$TEST_TMP/check-$name"
	local bad
	bad=$(grep '^bad: ' "$TEST_TMP/check-$name")
	check "$name: every image loads, every SVG renders on its own, every link resolves${bad:+
$bad}" [ -z "$bad" ]
}

# real_run NAME OPTION...: a run that draws its own report, as a user runs it
real_run() {
	local name=$1; shift
	run_cmd "$B" run --duration 0.3s --warmup 0 --no-progress --out "$TEST_TMP/$name" "$@"
	check "$name run exits 0 and writes its report (stderr: $ERR)" [ "$RC" = 0 -a -s "$TEST_TMP/$name/index.html" ]
}

real_run sweep --pools 1,2,4 --offsets 0,10,1000
# the sweep's step with 4 connections at offset 10 matches the ab fixture (concurrency 4, ?offset=10)
run_cmd "$B" http-compare "$TEST_TMP/sweep" --ab "$AB/ab-c4.txt" --ab-csv "$AB/ab-c4.csv" --ab-gnuplot "$AB/ab-c4.tsv"
check "http-compare on the sweep exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
run_cmd "$B" plot "$TEST_TMP/sweep" --quiet
check "plot again after http-compare exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "the report now shows the http-compare chart" grep -q '<img src="charts/http-compare.svg"' "$TEST_TMP/sweep/index.html"
check "... and links its table" grep -q 'href="http-compare.csv"' "$TEST_TMP/sweep/index.html"
real_run pool --workers 4 --pools 1,2,4 --offsets 0,1000
real_run variants --queries seed,nocount,pagefirst,keyset,cappedcount --pools 1,2 --offsets 0,1000 --explain
real_run rate --rates 50,100 --pools 2 --offsets 0,1000
real_run sweep-b --pools 1,2,4 --offsets 0,10,1000 --protocol extended
run_cmd "$B" compare "$TEST_TMP/sweep" "$TEST_TMP/sweep-b" --out "$TEST_TMP/compare"
check "compare of two sweeps exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
pgpb_server_stop

for r in sweep pool variants rate compare; do
	browser_check "$r" "$TEST_TMP/$r"
done
pgpb_finish
