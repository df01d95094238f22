// hlog-decode.js MODULES_DIR RESULTS_DIR: reads every <step>.hlog of a results directory with npm's
// hdr-histogram-js (HistogramLogReader, which decodes each line with decodeFromCompressedBase64), an
// implementation independent of pgpagebench's, and holds what it decodes against steps.csv and
// intervals.csv. One line a step, "step ID: ..." with both sides' figures and "ok" or "MISMATCH what".
// The rule (values in microseconds; the histogram keeps buckets, the CSV files exact extremes):
//   count   the decoded total equals ok (the Tag=step line) and each second's queries (untagged lines)
//   pXX     the CSV's value equals min(decoded pXX, CSV max): both take the bucket at rank ceil(p/100 x n)
//           and report its highest value, the CSV never beyond the exact maximum
//   min     the decoded minimum equals the lowest value of the CSV minimum's bucket
//   max     the decoded maximum equals the highest value of the CSV maximum's bucket
//   mean    within mean/2048 + 0.05 of the CSV's (each value counted at its bucket's middle, at most half
//           a bucket = 1/2048 of it away at 3 digits; the CSV rounds to 0.1)
//   Tag=uncorrected, Tag=wait (open loop, shared pool): their pXX columns lie in the bucket of the
//           decoded pXX (no exact maximum of theirs in steps.csv to clamp with)
// and the log's StartTime lies within the run's started_at .. finished_at.
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, dir] = process.argv.slice(2);
const hdr = require(path.resolve(modules, 'hdr-histogram-js'));

function csv(file) {
	const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length);
	const head = lines[0].split(',');
	return lines.slice(1).map((l) => {
		const cells = l.split(','), row = {};
		head.forEach((h, i) => (row[h] = cells[i]));
		return row;
	});
}

const steps = csv(path.join(dir, 'steps.csv'));
const seconds = csv(path.join(dir, 'intervals.csv'));
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const t0 = Date.parse(meta.started_at) / 1000 - 1, t1 = Date.parse(meta.finished_at) / 1000 + 1;
const pcts = [['p50_us', 50], ['p90_us', 90], ['p99_us', 99], ['p999_us', 99.9]];

for (const s of steps) {
	const bad = [];
	const file = path.join(dir, s.step + '.hlog');
	if (!fs.existsSync(file)) {
		console.log(`step ${s.step}: MISMATCH no ${s.step}.hlog`);
		continue;
	}
	const reader = new hdr.HistogramLogReader(fs.readFileSync(file, 'utf8'));
	let whole = null, h;
	const per = [], tagged = {};
	while ((h = reader.nextIntervalHistogram()) !== null) {
		if (h.tag === 'step') whole = h;
		else if (h.tag === 'NO TAG') per.push(h); // hdr-histogram-js's name for an untagged line
		else tagged[h.tag] = h;
	}
	if (!whole) {
		console.log(`step ${s.step}: MISMATCH no Tag=step line`);
		continue;
	}
	const max = Number(s.max_us), min = Number(s.min_us);
	const got = { n: whole.totalCount, min: whole.minNonZeroValue, max: whole.maxValue, mean: whole.mean };
	if (got.n !== Number(s.ok)) bad.push(`total ${got.n} != ok ${s.ok}`);
	if (got.min !== whole.lowestEquivalentValue(min)) bad.push(`min ${got.min} != bucket of ${min}`);
	if (got.max !== whole.highestEquivalentValue(max)) bad.push(`max ${got.max} != bucket of ${max}`);
	if (Math.abs(got.mean - Number(s.mean_us)) > Number(s.mean_us) / 2048 + 0.05)
		bad.push(`mean ${got.mean} vs ${s.mean_us}`);
	const shown = [];
	for (const [col, p] of pcts) {
		const v = whole.getValueAtPercentile(p);
		shown.push(`${col.replace('_us', '')} ${v}/${s[col]}`);
		if (Math.min(v, max) !== Number(s[col])) bad.push(`${col} min(${v}, ${max}) != ${s[col]}`);
	}
	// open loop's and a shared pool's whole-window lines: steps.csv has no exact maximum for them, so
	// the CSV's value lies in the decoded value's bucket
	for (const [tag, cols] of [['uncorrected', [['uncorrected_p50_us', 50], ['uncorrected_p99_us', 99], ['uncorrected_p999_us', 99.9]]],
		['wait', [['wait_p50_us', 50], ['wait_p99_us', 99]]]]) {
		if (!s[cols[0][0]] !== !tagged[tag]) bad.push(`Tag=${tag} line ${tagged[tag] ? 'without' : 'missing, with'} ${cols[0][0]}`);
		if (!tagged[tag] || !s[cols[0][0]]) continue;
		for (const [col, p] of cols) {
			const v = tagged[tag].getValueAtPercentile(p);
			shown.push(`${tag} ${col.replace(/^[a-z]*_|_us$/g, '')} ${v}/${s[col]}`);
			if (!(Number(s[col]) <= v && Number(s[col]) >= tagged[tag].lowestEquivalentValue(v)))
				bad.push(`${col} ${s[col]} not in the bucket of ${v}`);
		}
	}
	const start = whole.startTimeStampMsec / 1000;
	if (!(start >= t0 && start <= t1)) bad.push(`StartTime ${start} outside the run ${meta.started_at}..${meta.finished_at}`);
	// the seconds: one untagged line a row of intervals.csv, in order, with its counts and extremes
	const rows = seconds.filter((r) => r.step === s.step);
	let sum = 0;
	if (per.length !== rows.length) bad.push(`${per.length} second lines, ${rows.length} intervals.csv rows`);
	per.forEach((x, i) => {
		const r = rows[i];
		sum += x.totalCount;
		if (!r) return;
		if (x.totalCount !== Number(r.queries)) bad.push(`second ${r.second}: ${x.totalCount} != ${r.queries}`);
		if (x.totalCount && x.maxValue !== x.highestEquivalentValue(Number(r.max_us)))
			bad.push(`second ${r.second}: max ${x.maxValue} != bucket of ${r.max_us}`);
		for (const [col, p] of [['p50_us', 50], ['p99_us', 99]])
			if (x.totalCount && Math.min(x.getValueAtPercentile(p), Number(r.max_us)) !== Number(r[col]))
				bad.push(`second ${r.second}: ${col} ${x.getValueAtPercentile(p)} vs ${r[col]}`);
	});
	if (sum !== Number(s.ok)) bad.push(`seconds add up to ${sum}, ok ${s.ok}`);
	console.log(`step ${s.step}: decoded n ${got.n}/${s.ok} min ${got.min}/${min} max ${got.max}/${max} ` +
		`mean ${got.mean.toFixed(1)}/${s.mean_us} ${shown.join(' ')} seconds ${per.length} adding to ${sum}: ` +
		(bad.length ? 'MISMATCH ' + bad.join('; ') : 'ok'));
}
