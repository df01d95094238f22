#!/usr/bin/env bash
# tools/perf/run.sh (make perf): pgpagebench run side by side with pgbench, in one run, alternating,
# same connections, threads, query text and -M prepared, on one private cluster:
#  (a) SELECT $1::int at 2 and 8 connections on 2 threads: TPS ratio pgpagebench/pgbench (required >= 1.0,
#      aim >= 1.05) and client CPU per query (whole process, user + system, / queries) for both;
#  (b) the seed query at OFFSET 100 on a scale-0.1 dataset: TPS within 3% of pgbench, like for like
#      (--no-validate reads text results, as pgbench does), and the validating driver (binary results) not
#      more than 3% slower; the difference between the two is what validating every page costs in client CPU;
#  (c) the driver's peak RSS with 100 connections over 30 s and 60 s (must not grow with duration);
#  (d) the load models (threads over a shared pool, async) on SELECT $1::int at 8, 64 and 256 connections, one run each, alternating:
#      threads (W = P workers over a shared pool), async (2 event loops, as pgbench -j 2) and pgbench -j 2:
#      TPS and client CPU a query; async >= pgbench required at 64 and 256;
#  (e) --preset seed-article on the scale-0.1 dataset: the seed article's two stacks side by side.
# The machine may be shared and its speed drifts by 10% within a minute, so (a) and (b) alternate the tools
# and judge the median of the ratios of runs made one after the other, not only the ratio of the medians.
# PERF_RUNS_A (default 8) runs of PERF_T_A (default 6) seconds for (a); PERF_RUNS_B (default 6) runs of PERF_T
# (default 10) seconds for (b); PERF_RSS_T (default "30 60") and PERF_SECTIONS (default "a b c d e") shrink it
# for a smoke test or rerun one part. The ratios, not the absolute figures, are the result.
set -u
cd "$(dirname "$0")/../.."
export PGPB_BIN=${PGPB_BIN:?}
T=${PERF_T:-10}
RSS_T=${PERF_RSS_T:-30 60}
RUNS_B=${PERF_RUNS_B:-6}
RUNS_A=${PERF_RUNS_A:-8}
T_A=${PERF_T_A:-6}
SECTIONS=" ${PERF_SECTIONS:-a b c d e} "
want() { [[ $SECTIONS == *" $1 "* ]]; }
MODEL_CONNS=${PERF_MODEL_CONNS:-8 64 256}
. tests/lib.sh
pgpb_server_start --pg-setting max_connections=300 || { echo "perf: server did not start" >&2; exit 1; }
B=$PGPB_BIN
W=$TEST_TMP
fail=0

# ---- data: datagen when it exists, else the same shape in SQL -------------------------------------
"$B" schema create >/dev/null || exit 1
if "$B" datagen --scale 0.1 >/dev/null 2>&1; then
	echo "dataset: pgpagebench datagen --scale 0.1"
else
	psql_q <<'SQL' >/dev/null || exit 1
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 'x', false, 'user' || i, '', '', 'u' || i || '@example.com', false, true, now() FROM generate_series(1, 100) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 100, NULL, CASE WHEN i % 5 = 0 THEN 'done' ELSE 'new' END, timestamptz '2020-01-01' + i * interval '7 minutes',
       'label ' || i, repeat(md5(i::text), 4) FROM generate_series(1, 5000) i;
INSERT INTO record (auth_user_id, parent_id, status, updated, label, content)
SELECT 1 + i % 100, 1 + i % 5000, CASE WHEN i % 3 = 0 THEN 'done' ELSE 'new' END, timestamptz '2021-01-01' + i * interval '7 minutes',
       'part ' || i, md5(i::text) FROM generate_series(1, 5000) i;
INSERT INTO tag (kind, kind_id, tag) SELECT 'rec', 1 + i % 5000, 'tag' || (i % 50) FROM generate_series(1, 25000) i;
UPDATE pgpagebench_dataset SET state = 'complete', scale = 0.1, seed = 1, users = 100, records = 10000, tags = 25000,
       checksum = 'perf', fingerprint = 'perf-sql-0.1', finished = now();
VACUUM ANALYZE;
SQL
	echo "dataset: SQL stand-in for scale 0.1 (datagen not available): 100 users, 10000 records, 25000 tags"
fi

# ---- helpers ---------------------------------------------------------------------------------------
# cpu_of CMD...: runs CMD, leaves user+system CPU seconds of the whole process in $CPU
cpu_of() {
	local TIMEFORMAT='%U %S' t
	t=$( { time "$@" >"$W/cmd.out" 2>"$W/cmd.err"; } 2>&1 )
	CPU=$(echo "$t" | awk '{ print $1 + $2 }')
}
# pgbench_run CONNS SCRIPT: TPS and CPU per transaction
pgbench_run() {
	cpu_of pgbench -n -M prepared -c "$1" -j 2 -T "$T" -f "$2"
	TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$W/cmd.out")
	local n
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$W/cmd.out")
	CPUQ=$(awk -v c="$CPU" -v n="$n" 'BEGIN { printf "%.2f", n ? c * 1e6 / n : 0 }')
}
# pgpb_run CONNS QUERYFILE OFFSET [OPTIONS]: TPS and CPU per query
pgpb_run() {
	local c=$1 q=$2 off=$3
	shift 3
	rm -rf "$W/res"
	cpu_of "$B" run --pools "$c" --offsets "$off" --threads 2 --duration "${T}s" --warmup 0 --protocol prepared \
		--query "$q" --out "$W/res" --no-progress --no-plot --quiet "$@"
	TPS=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["qps"] }' "$W/res/steps.csv")
	local n
	n=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["ok"] }' "$W/res/steps.csv")
	CPUQ=$(awk -v c="$CPU" -v n="$n" 'BEGIN { printf "%.2f", n ? c * 1e6 / n : 0 }')
	# the driver's own figure: CPU during the measured window only (steps.csv cpu_per_query_us)
	WCPUQ=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["cpu_per_query_us"] }' "$W/res/steps.csv")
}
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }
# verdict_pair LABEL FILE_A FILE_B RULE [AIM]: A/B from the medians, and the median of the ratios of the
# runs made side by side (line k of A beside line k of B, one after the other), which cancels a machine
# whose speed drifts; the verdict is on the paired median, the other figure is printed beside it.
# RULE is ">= X" or "within P%".
verdict_pair() {
	local label=$1 a=$2 b=$3 rule=$4 aim=${5:-} rm rp range ok
	rm=$(ratio "$(median <"$a")" "$(median <"$b")")
	paste -d' ' "$a" "$b" | awk '$2 > 0 { printf "%.4f\n", $1 / $2 }' >"$W/pairs"
	rp=$(median <"$W/pairs")
	rp=$(awk -v r="$rp" 'BEGIN { printf "%.3f", r }')
	range=$(sort -g "$W/pairs" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f..%.3f", lo, hi }')
	case $rule in
	">= "*) ok=$(awk -v r="$rp" -v x="${rule#>= }" 'BEGIN { print (r >= x) }') ;;
	"within "*) ok=$(awk -v r="$rp" -v p="${rule#within }" 'BEGIN { sub("%", "", p); d = r - 1; if (d < 0) d = -d; print (d <= p / 100 + 1e-9) }') ;;
	esac
	local verdict="ok, required $rule"
	[ "$ok" = 1 ] || { verdict="MISSED (required $rule)"; fail=1; }
	echo "       $label: $rp paired median (runs $range), $rm from the medians ($verdict${aim:+; $aim})"
}

# ---- (a) trivial query ------------------------------------------------------------------------------
printf 'SELECT $1::int\n' >"$W/trivial.sql"
printf '\\set off 0\nSELECT :off::int;\n' >"$W/trivial.pgbench"
if want a; then
echo
echo "(a) SELECT \$1::int, -M prepared, 2 threads, ${T_A} s a run, $RUNS_A runs each, alternating (ABBA)"
printf '%-6s %-12s %12s %12s   %s\n' conns tool median_tps cpu_us/query runs_tps
for c in 2 8; do
	: >"$W/a_pg" >"$W/a_pb" >"$W/a_pgc" >"$W/a_pbc"
	# ABBA order (pgbench first in odd runs, pgpagebench first in even ones), so a machine whose speed
	# drifts during the benchmark does not always penalise the same tool
	for i in $(seq "$RUNS_A"); do
		for who in $( [ $((i % 2)) = 1 ] && echo "pg pb" || echo "pb pg"); do
			if [ "$who" = pg ]; then
				T=$T_A pgbench_run "$c" "$W/trivial.pgbench"
				echo "$TPS" >>"$W/a_pg"; echo "$CPUQ" >>"$W/a_pgc"
			else
				T=$T_A pgpb_run "$c" "$W/trivial.sql" 0
				echo "$TPS" >>"$W/a_pb"; echo "$CPUQ" >>"$W/a_pbc"
			fi
		done
	done
	pg=$(median <"$W/a_pg"); pb=$(median <"$W/a_pb")
	printf '%-6s %-12s %12.1f %12.2f   %s\n' "$c" pgbench "$pg" "$(median <"$W/a_pgc")" "$(tr '\n' ' ' <"$W/a_pg")"
	printf '%-6s %-12s %12.1f %12.2f   %s\n' "$c" pgpagebench "$pb" "$(median <"$W/a_pbc")" "$(tr '\n' ' ' <"$W/a_pb")"
	verdict_pair "TPS ratio pgpagebench/pgbench at $c connections" "$W/a_pb" "$W/a_pg" ">= 1.0" "aim >= 1.05"
done
fi

# ---- (b) the seed query --------------------------------------------------------------------------------
grep -v '^--' schema/query.sql >"$W/seed.sql"
{ printf '\\set off 100\n'; sed 's/\$1/:off/' "$W/seed.sql"; printf ';\n'; } >"$W/seed.pgbench"
c=4
if want b; then
echo
echo "(b) the seed query at OFFSET 100, $c connections, 2 threads, -M prepared, ${T} s a run, $RUNS_B runs each," \
	"order rotating"
printf '%-22s %12s %12s   %s\n' tool median_tps cpu_us/query runs_tps
: >"$W/b_pg" >"$W/b_pb" >"$W/b_nv" >"$W/b_pgc" >"$W/b_pbc" >"$W/b_nvc" >"$W/b_pbw" >"$W/b_nvw"
for i in $(seq "$RUNS_B"); do
	# each tool goes first, second and third in turn
	case $((i % 3)) in 1) order="pg pb nv" ;; 2) order="pb nv pg" ;; *) order="nv pg pb" ;; esac
	for who in $order; do
		case $who in
		pg) pgbench_run $c "$W/seed.pgbench"
		    echo "$TPS" >>"$W/b_pg"; echo "$CPUQ" >>"$W/b_pgc" ;;
		pb) pgpb_run $c "$W/seed.sql" 100
		    echo "$TPS" >>"$W/b_pb"; echo "$CPUQ" >>"$W/b_pbc"; echo "$WCPUQ" >>"$W/b_pbw" ;;
		nv) pgpb_run $c "$W/seed.sql" 100 --no-validate
		    echo "$TPS" >>"$W/b_nv"; echo "$CPUQ" >>"$W/b_nvc"; echo "$WCPUQ" >>"$W/b_nvw" ;;
		esac
	done
done
pg=$(median <"$W/b_pg"); pb=$(median <"$W/b_pb"); nv=$(median <"$W/b_nv")
printf '%-22s %12.1f %12.2f   %s\n' pgbench "$pg" "$(median <"$W/b_pgc")" "$(tr '\n' ' ' <"$W/b_pg")"
printf '%-22s %12.1f %12.2f   %s\n' pgpagebench "$pb" "$(median <"$W/b_pbc")" "$(tr '\n' ' ' <"$W/b_pb")"
printf '%-22s %12.1f %12.2f   %s\n' "pgpagebench no-valid." "$nv" "$(median <"$W/b_nvc")" "$(tr '\n' ' ' <"$W/b_nv")"
# --no-validate reads text results, as pgbench does: the like-for-like comparison, judged both ways.
# Validating reads binary results (libpqtypes), which the server produces more cheaply for timestamps and
# arrays, so it may be faster than pgbench: it must not be slower.
verdict_pair "TPS ratio pgpagebench --no-validate/pgbench (text results, like pgbench)" "$W/b_nv" "$W/b_pg" \
	"within 3%"
verdict_pair "TPS ratio pgpagebench/pgbench (validating, binary results)" "$W/b_pb" "$W/b_pg" ">= 0.97"
echo "       client CPU a query in the measured window (steps.csv): validating $(median <"$W/b_pbw") us," \
	"not validating $(median <"$W/b_nvw") us: validation costs" \
	"$(awk -v a="$(median <"$W/b_pbw")" -v b="$(median <"$W/b_nvw")" 'BEGIN { printf "%.2f", a - b }') us a query"
fi

# ---- (c) peak RSS with 100 connections -------------------------------------------------------------------
if want c; then
echo
echo "(c) peak RSS of pgpagebench run, 100 connections, SELECT \$1::int, 2 threads"
for d in $RSS_T; do
	rm -rf "$W/res"
	"$B" run --pools 100 --offsets 0 --threads 2 --duration "${d}s" --warmup 0 --query "$W/trivial.sql" --out "$W/res" \
		--no-progress --no-plot --quiet >/dev/null 2>"$W/rss.err" &
	pid=$!
	hwm=0
	while kill -0 $pid 2>/dev/null; do
		v=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2>/dev/null)
		[ -n "$v" ] && hwm=$v
		sleep 0.5
	done
	wait $pid || { echo "run failed: $(cat "$W/rss.err")"; fail=1; }
	echo "  ${d} s: peak RSS ${hwm} KiB (VmHWM, sampled every 0.5 s)"
	echo "$hwm" >>"$W/rss"
done
if [ "$(wc -l <"$W/rss")" -ge 2 ]; then
	grow=$(awk 'NR == 1 { a = $1 } END { printf "%.1f", ($1 - a) / a * 100 }' "$W/rss")
	echo "  growth from the first to the last duration: $grow% (fixed memory: should be ~0)"
fi
fi
# ---- (d) load models ------------------------------------------------------------------------------------------
if want d; then
echo
echo "(d) load models, SELECT \$1::int, ${T} s a run, one run each, alternating"
printf '%-6s %-22s %12s %12s\n' conns model tps cpu_us/query
for c in $MODEL_CONNS; do
	pgbench_run "$c" "$W/trivial.pgbench"
	pg=$TPS
	printf '%-6s %-22s %12.1f %12.2f\n' "$c" "pgbench -j 2" "$TPS" "$CPUQ"
	pgpb_run "$c" "$W/trivial.sql" 0 --workers "$c"
	printf '%-6s %-22s %12.1f %12.2f\n' "$c" "threads (W=P=$c)" "$TPS" "$CPUQ"
	pgpb_run "$c" "$W/trivial.sql" 0 --model async --loops 2
	as=$TPS
	printf '%-6s %-22s %12.1f %12.2f\n' "$c" "async (2 loops)" "$TPS" "$CPUQ"
	r=$(ratio "$as" "$pg")
	verdict=ok
	if [ "$c" -ge 64 ] && ! awk -v r="$r" 'BEGIN { exit !(r >= 1.0) }'; then verdict="MISSED (required >= 1.0)"; fail=1; fi
	echo "       TPS ratio async/pgbench at $c connections: $r ($verdict)"
done
fi

# ---- (e) the seed article's stacks -----------------------------------------------------------------------------
if want e; then
echo
echo "(e) pgpagebench run --preset seed-article --offsets 0,100,1000 --duration ${T}s --warmup 1s"
rm -rf "$W/res"
"$B" run --preset seed-article --offsets 0,100,1000 --duration "${T}s" --warmup 1s --out "$W/res" --no-progress \
	--no-plot --quiet >/dev/null || fail=1
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; printf "%-8s %6s %6s %7s %10s %9s %9s %9s %9s\n",
	"model", "conns", "thr", "offset", "qps", "p50_ms", "p99_ms", "wait_p99", "cpu/q_us"; next }
	{ printf "%-8s %6s %6s %7s %10s %9.2f %9.2f %9s %9s\n", $h["model"], $h["connections"],
	  $h["model"] == "pool" ? $h["workers"] : $h["loops"], $h["offset"], $h["qps"], $h["p50_us"] / 1000,
	  $h["p99_us"] / 1000, $h["wait_p99_us"] == "" ? "-" : sprintf("%.2f", $h["wait_p99_us"] / 1000), $h["cpu_per_query_us"] }' \
	"$W/res/steps.csv"
fi

echo
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
pgpb_server_stop
rm -rf "$TEST_TMP"
exit $fail
