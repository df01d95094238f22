# The seed article reproduced, short (examples/seed-article/run.sh --short; `make seed-article` is the whole
# one): a temporary server, datagen, then Django (ListView, gunicorn), Flask (SQLAlchemy, gunicorn) and
# aiohttp (asyncpg) each serve the seed query's page, http-compare --url runs ab against each with the
# database alone in between, the stack's CPU is read from /proc and the database ceiling is run in the
# stack's model; one table for the three.
. "$(dirname "$0")/../lib.sh"
O=$TEST_TMP/sa
run_cmd examples/seed-article/run.sh --short --out "$O"
check "the short seed article runs to the end (exit $RC: $(grep error: "$TEST_TMP/err" | head -1))" [ "$RC" = 0 ]
C=$O/seed-article.csv
check "the table has a row for each of the three stacks" \
	[ "$(tail -n +2 "$C" | cut -d, -f1 | tr '\n' ' ')" = "django flask aiohttp " ]
check "every stack answered requests and the database alone ran queries at the same concurrency" \
	[ "$(tail -n +2 "$C" | awk -F, '!($2 == 2 && $4 > 0 && $5 > 0 && $7 > 0)' | wc -l)" = 0 ]
check "every stack used some CPU over its HTTP steps" [ "$(tail -n +2 "$C" | awk -F, '!($8 > 0)' | wc -l)" = 0 ]
for s in django flask aiohttp; do
	H=$O/$s/c2/http-compare-steps.csv
	check "$s: every page came back with the ten records the database step returned" \
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { n++; if ($h["http_records"] != 10 || $h["db_records"] != 10) bad++ } END { exit !(n == 1 && !bad) }' "$H"
	check "$s: no HTTP request failed" awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { exit !($h["http_failed"] == 0 && $h["http_non2xx"] == 0) }' "$H"
	check "$s: the table's HTTP requests/s is http-compare's" \
		[ "$(awk -F, -v s="$s" '$1 == s { print $4 }' "$C")" = "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["http_per_s"] }' "$H")" ]
	check "$s: the ceiling's queries/s is its run's steps.csv" \
		[ "$(awk -F, -v s="$s" '$1 == s { print $7 }' "$C")" = "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["qps"] }' "$O/$s/c2-ceiling/steps.csv")" ]
done
check "django's ceiling opened a connection per request (CONN_MAX_AGE=0)" \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { exit !($h["connects"] > 0 && $h["connects"] == $h["ok"]) }' "$O/django/c2-ceiling/steps.csv"
check "aiohttp's ceiling ran the async model" grep -q '"model": "async"' "$O/aiohttp/c2-ceiling/meta.json"
check "README.md and index.html hold the table" sh -c "grep -q '^| flask | 2 | 1 |' '$O/README.md' && grep -q '<td>aiohttp</td>' '$O/index.html'"
check "no app or server is left running" [ "$(pgrep -f "seed-article/(django_app|flask_app|aiohttp_app)|$O" | wc -l)" = 0 ]
expect_fail "a stack it does not know is refused" 2 'invalid value "rails" for --stacks' examples/seed-article/run.sh --stacks rails
pgpb_finish
