# run --queries (query variants as a sweep dimension, keyset replaying the page at each depth by its key),
# --explain (one EXPLAIN ANALYZE per query and offset), and the server/client split from pg_stat_statements.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
"$B" datagen --scale 0.01 >/dev/null 2>&1 || { not_ok "datagen"; exit 1; }

json_q() { printf '\\set j `cat %s`\n%s\n' "$1" "$2" | psql_q; }
csv_col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }

R=$TEST_TMP/variants
V=seed,nocount,pagefirst,keyset,cappedcount
run_cmd "$B" run --queries "$V" --pools 1,2 --offsets 0,10,600 --duration 0.3s --warmup 0 --explain --no-plot \
	--no-progress --out "$R"
check "a sweep over five variants exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "one step per variant, pool and offset" [ "$(($(wc -l <"$R/steps.csv") - 1))" = 30 ]
check "steps.csv names each variant in the query column" \
	[ "$(csv_col "$R/steps.csv" query | sort -u | tr '\n' ' ')" = "cappedcount keyset nocount pagefirst seed " ]
check "every variant passes validation on every page (its own cnt rule, same row counts)" \
	[ "$(csv_col "$R/steps.csv" validation_errors | sort -u)" = 0 ]
check "no query failed" [ "$(csv_col "$R/steps.csv" errors | sort -u)" = 0 ]
check "every step completed queries" [ "$(csv_col "$R/steps.csv" ok | grep -c '^0$')" = 0 ]
check "the summary table has a query column" grep -q '^s0[0-9][0-9]-threads-c1-o0 *keyset ' "$TEST_TMP/out"
check "meta.json lists the five queries with their hashes" \
	[ "$(json_q "$R/meta.json" "SELECT count(*) FROM json_array_elements(:'j'::json->'queries') q WHERE length(q->>'sha256') = 64")" = 5 ]

# --explain: a JSON plan per variant and offset, that the server itself parses, with positive times
n=0 bad=0
for v in seed nocount pagefirst keyset cappedcount; do
	for o in 0 10 600; do
		f=$R/explain/$v-offset-$o.json
		n=$((n + 1))
		[ -s "$f" ] && [ "$(json_q "$f" "SELECT (:'j'::json->0->>'Execution Time')::float > 0 AND (:'j'::json->0->>'Planning Time')::float > 0")" = t ] || bad=$((bad + 1))
	done
done
check "explain/<variant>-offset-<n>.json exists and parses for all $n plans, times positive" [ "$bad" = 0 ]
check "the explain summary names rows processed vs returned" grep -q '^explain seed offset 10: processed .* rows .* to return 10' "$TEST_TMP/out"

# server time from pg_stat_statements: positive, and below the client's latency (it is part of it)
while IFS=, read -r step query srv mean p50; do
	[ "$query" = seed ] || continue
	check "$step: server execution time is recorded and positive ($srv us)" awk -v s="$srv" 'BEGIN { exit !(s > 0) }'
	check "$step: server execution ($srv us) below the client's mean latency ($mean us)" \
		awk -v s="$srv" -v m="$mean" 'BEGIN { exit !(s < m) }'
done < <(paste -d, <(csv_col "$R/steps.csv" step) <(csv_col "$R/steps.csv" query) \
	<(csv_col "$R/steps.csv" server_mean_exec_us) <(csv_col "$R/steps.csv" mean_us) <(csv_col "$R/steps.csv" p50_us))
check "the summary splits client latency into server and rest" grep -q 'server_ms *rest_ms' "$TEST_TMP/out"

# the django variant: what Django's paginator sends for a page, three statements a request, beside the seed
D=$TEST_TMP/django
run_cmd "$B" run --queries seed,django --pools 1 --offsets 0,10 --duration 0.3s --warmup 0 --explain --no-plot \
	--no-progress --out "$D"
check "--queries seed,django exits 0 (stderr: $ERR)" [ "$RC" = 0 ]
check "django's steps completed requests without an error" \
	[ "$(paste -d, <(csv_col "$D/steps.csv" query) <(csv_col "$D/steps.csv" ok) <(csv_col "$D/steps.csv" errors) |
		awk -F, '$1 == "django" && $2 > 0 && $3 == 0' | wc -l)" = 2 ]
check "statements.csv times django's three statements in each of its two steps" \
	[ "$(awk -F, 'NR > 1 && $2 == "query_django.sql" { n[$4]++ } END { print n[1], n[2], n[3] }' "$D/statements.csv")" = "2 2 2" ]
check "the count, the page and the tag prefetch each ran without an error" \
	[ "$(awk -F, 'NR > 1 && ($6 == 0 || $7 != 0)' "$D/statements.csv" | wc -l)" = 0 ]
check "--explain takes the seed's plans and says why django has none" \
	grep -q 'explain: django runs a script of 3 statements: no plan is taken' "$TEST_TMP/err"

# bad combinations are usage errors
expect_fail "an unknown variant is named" 2 'invalid value "seed,bogus" for option --queries: unknown item "bogus"' \
	"$B" run --queries seed,bogus
expect_fail "--query FILE and --queries together" 2 '--query FILE and --queries cannot be combined' \
	"$B" run --queries seed --query /dev/null
expect_fail "keyset over the simple protocol" 1 'keyset variant needs --protocol extended or prepared' \
	"$B" run --queries keyset --protocol simple --pools 1 --offsets 0 --duration 0.1s --no-plot
pgpb_finish
