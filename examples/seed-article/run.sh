#!/usr/bin/env bash
# examples/seed-article/run.sh (make seed-article): the seed article's comparison reproduced on this
# machine. A private temporary PostgreSQL (pgpagebench server) is filled with datagen, then each of the
# article's three web stacks serves the seed query's page as JSON from it, one after the other:
#   django   Django's ListView under gunicorn, threads = 2 x CPU cores, CONN_MAX_AGE=0 (Django's default)
#   flask    Flask + SQLAlchemy over psycopg2 under gunicorn, threads = 2 x CPU cores
#   aiohttp  aiohttp + asyncpg, one process, one event loop, a pool of 10 connections
# For each stack and HTTP concurrency, `pgpagebench http-compare --url` runs ab against the app step by
# step with the database alone at the same concurrency and page; the CPU the stack's processes used over
# its HTTP steps is read from /proc; and `pgpagebench run` measures the database-only ceiling with the load
# model that matches the stack (connections opened per request for Django, the stack's concurrency at most
# its threads or its pool). The table goes to seed-article.csv, README.md and index.html in the output.
#
# Usage: examples/seed-article/run.sh [--short] [--out DIR] [--scale S] [--concurrency LIST] [--pages LIST]
#        [--duration T] [--stacks LIST]
# --short is the version `make check` runs (tests/integration/seed_article.sh): a tiny dataset, one
# concurrency and one page, short steps. Nothing here goes through a shell with user text: every command
# is run with its arguments as words.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${PGPB_BIN:-$ROOT/build/pgpagebench}
PY=/usr/bin/python3          # Debian's, which has python3-django, -flask, -aiohttp ... (not a pyenv one)
GUNICORN=/usr/bin/gunicorn
SCALE=0.1 CONC=1,4,16 PAGES=1,10,100 DURATION=5s WARMUP=1s STACKS=django,flask,aiohttp
REQUESTS=() # --short: a number of HTTP requests a step (ab -n) instead of whole seconds
OUT=""
die() { echo "seed-article: error: $*" >&2; exit 1; }
usage() { echo "seed-article: error: $*" >&2; echo "usage: $0 [--short] [--out DIR] [--scale S] [--concurrency LIST] [--pages LIST] [--duration T] [--stacks LIST]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--short) SCALE=0.01 CONC=2 PAGES=1 DURATION=0.5s WARMUP=0.2s REQUESTS=(--requests 40) ;;
	--out) [ $# -ge 2 ] || usage "--out needs a value"; OUT=$2; shift ;;
	--scale) [ $# -ge 2 ] || usage "--scale needs a value"; SCALE=$2; shift ;;
	--concurrency) [ $# -ge 2 ] || usage "--concurrency needs a value"; CONC=$2; shift ;;
	--pages) [ $# -ge 2 ] || usage "--pages needs a value"; PAGES=$2; shift ;;
	--duration) [ $# -ge 2 ] || usage "--duration needs a value"; DURATION=$2; shift ;;
	--stacks) [ $# -ge 2 ] || usage "--stacks needs a value"; STACKS=$2; shift ;;
	*) usage "unrecognized argument \"$1\"" ;;
	esac
	shift
done
[[ $CONC =~ ^[0-9]+(,[0-9]+)*$ ]] || usage "invalid value \"$CONC\" for --concurrency: expected numbers separated by commas"
[[ $PAGES =~ ^[0-9]+(,[0-9]+)*$ ]] || usage "invalid value \"$PAGES\" for --pages: expected numbers separated by commas"
for s in ${STACKS//,/ }; do
	case $s in django | flask | aiohttp) ;; *) usage "invalid value \"$STACKS\" for --stacks: expected django, flask and/or aiohttp" ;; esac
done
[ -x "$B" ] || die "no pgpagebench binary at \"$B\": run make first"
for f in "$PY" "$GUNICORN"; do
	[ -x "$f" ] || die "\"$f\" is missing; as root: apt-get install -y --no-install-recommends python3-django python3-flask python3-sqlalchemy python3-psycopg2 gunicorn python3-aiohttp python3-asyncpg"
done
OUT=${OUT:-results/seed-article-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "could not create \"$OUT\""
OUT=$(cd "$OUT" && pwd)
THREADS=$((2 * $(nproc)))
HZ=$(getconf CLK_TCK)
SERVER_PID="" APP_PID=""

stop_app() {
	[ -n "$APP_PID" ] || return 0
	kill -TERM -- "-$APP_PID" 2>/dev/null
	wait "$APP_PID" 2>/dev/null
	APP_PID=""
}
cleanup() {
	stop_app
	if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the database: a temporary cluster, filled ---------------------------------------------------
"$B" server >"$OUT/server.out" 2>"$OUT/server.err" &
SERVER_PID=$!
conninfo=""
for _ in $(seq 600); do # up to a minute, the server process alive
	conninfo=$(sed -n 's/^conninfo: //p' "$OUT/server.out")
	[ -n "$conninfo" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || die "the temporary server did not start: $(tail -1 "$OUT/server.err")"
	sleep 0.1
done
[ -n "$conninfo" ] || die "the temporary server did not say where it listens within a minute"
val() { printf '%s\n' "$conninfo" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
export PGHOST=$(val host) PGPORT=$(val port) PGUSER=$(val user) PGDATABASE=$(val dbname)
echo "seed-article: temporary server on $PGHOST port $PGPORT; datagen --scale $SCALE"
"$B" datagen --scale "$SCALE" >"$OUT/datagen.out" 2>&1 || die "datagen failed: $(tail -1 "$OUT/datagen.out")"

# ---- the stacks ----------------------------------------------------------------------------------
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_app STACK PORT: in a process group of its own (setsid), so its CPU and its stop take every process
start_app() {
	case $1 in
	django) CONN_MAX_AGE=0 setsid "$GUNICORN" -b "127.0.0.1:$2" --workers 1 --threads "$THREADS" --chdir "$HERE" \
		django_app:application >"$OUT/$1.log" 2>&1 & ;;
	flask) SEED_THREADS=$THREADS setsid "$GUNICORN" -b "127.0.0.1:$2" --workers 1 --threads "$THREADS" --chdir "$HERE" \
		flask_app:app >"$OUT/$1.log" 2>&1 & ;;
	aiohttp) SEED_POOL=10 setsid "$PY" "$HERE/aiohttp_app.py" "$2" >"$OUT/$1.log" 2>&1 & ;;
	esac
	APP_PID=$!
	local code=""
	for _ in $(seq 600); do
		code=$("$PY" - "$2" <<'PY' 2>/dev/null
import sys, urllib.request
try:
    print(urllib.request.urlopen("http://127.0.0.1:%s/records/?page=1" % sys.argv[1], timeout=5).status)
except Exception:
    print("")
PY
)
		[ "$code" = 200 ] && return 0
		kill -0 "$APP_PID" 2>/dev/null || die "the $1 app exited: $(tail -1 "$OUT/$1.log")"
		sleep 0.1
	done
	die "the $1 app did not answer 200 within a minute: $(tail -1 "$OUT/$1.log")"
}
# CPU ticks (user + system) of every process in group $1 (fields after the command's closing parenthesis)
cpu_ticks() {
	local g=$1
	cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^.*) //' | awk -v g="$g" '$3 == g { t += $12 + $13 } END { print t + 0 }'
}
col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
offsets=""
for p in ${PAGES//,/ }; do offsets=${offsets:+$offsets,}$(((p - 1) * 10)); done

CSV=$OUT/seed-article.csv
echo "stack,concurrency,page,http_per_s,db_per_s,db_mean_share,ceiling_qps,app_cpu_pct,notes" >"$CSV"
for stack in ${STACKS//,/ }; do
	port=$(free_port)
	start_app "$stack" "$port"
	echo "seed-article: $stack answers on 127.0.0.1:$port"
	case $stack in
	aiohttp) proto=prepared ;; # asyncpg prepares its statements
	*) proto=simple ;;         # psycopg2 sends the values inline
	esac
	for c in ${CONC//,/ }; do
		d=$OUT/$stack/c$c
		mkdir -p "$OUT/$stack"
		t0=$(cpu_ticks "$APP_PID")
		"$B" http-compare --url "http://127.0.0.1:$port/records/?page={page}" --concurrency "$c" --pages "$PAGES" \
			--duration "$DURATION" --warmup "$WARMUP" ${REQUESTS[@]+"${REQUESTS[@]}"} --protocol "$proto" --no-progress --out "$d" \
			>"$d.out" 2>"$d.err" || die "http-compare against $stack at c=$c failed: $(grep error: "$d.err" | head -1)"
		t1=$(cpu_ticks "$APP_PID")
		http_s=$(paste -d, <(col "$d/http-compare-steps.csv" http_requests) <(col "$d/http-compare-steps.csv" http_per_s) |
			awk -F, '$2 > 0 { s += $1 / $2 } END { print s + 0 }')
		cpu=$(awk -v t="$((t1 - t0))" -v hz="$HZ" -v s="$http_s" 'BEGIN { if (s > 0) printf "%.0f", 100 * t / hz / s }')
		# the ceiling: the database alone at the concurrency the stack lets through, in its model
		case $stack in
		django) n=$((c < THREADS ? c : THREADS)); model=(-C --pools "$n") ;;
		flask) n=$((c < THREADS ? c : THREADS)); model=(--workers "$n" --pools "$n") ;;
		aiohttp) n=$((c < 10 ? c : 10)); model=(--model async --loops 1 --pools "$n") ;;
		esac
		"$B" run "${model[@]}" --offsets "$offsets" --duration "$DURATION" --warmup "$WARMUP" --protocol "$proto" \
			--no-plot --no-progress --quiet --out "$d-ceiling" >"$d-ceiling.out" 2>"$d-ceiling.err" ||
			die "the database ceiling for $stack at c=$c failed: $(grep error: "$d-ceiling.err" | head -1)"
		paste -d, <(col "$d/http-compare-steps.csv" page) <(col "$d/http-compare-steps.csv" http_per_s) \
			<(col "$d/http-compare-steps.csv" db_per_s) <(col "$d/http-compare-steps.csv" mean_share) \
			<(col "$d-ceiling/steps.csv" qps) <(col "$d/http-compare-steps.csv" notes) |
			awk -F, -v s="$stack" -v c="$c" -v cpu="$cpu" 'BEGIN { OFS = "," } { print s, c, $1, $2, $3, $4, $5, cpu, $6 }' >>"$CSV"
	done
	stop_app
done

# ---- the table -----------------------------------------------------------------------------------
{
	echo "# The seed article's three stacks on this machine"
	echo
	echo "$(nproc) CPU cores, gunicorn threads = $THREADS, datagen --scale $SCALE, steps of $DURATION after $WARMUP."
	echo "HTTP: ab at the concurrency, each step just before the database alone at the same concurrency and page."
	echo "Ceiling: the database alone in the stack's own model. CPU: the stack's processes over its HTTP steps"
	echo "(100% = one core)."
	echo
	echo "| stack | c | page | HTTP req/s | DB alone q/s | share of a request in PostgreSQL | DB ceiling q/s | stack CPU | notes |"
	echo "|---|---|---|---|---|---|---|---|---|"
	tail -n +2 "$CSV" | awk -F, '{ sh = $6 == "" ? "-" : sprintf("%.0f%%", 100 * $6)
		printf "| %s | %s | %s | %s | %s | %s | %s | %s%% | %s |\n", $1, $2, $3, $4, $5, sh, $7, $8, $9 }'
} >"$OUT/README.md"
{
	echo '<!doctype html><meta charset="utf-8"><title>The seed article reproduced</title>'
	echo '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style>'
	echo "<h1>The seed article's three stacks on this machine</h1>"
	echo "<p>$(nproc) CPU cores, gunicorn threads = $THREADS, datagen --scale $SCALE, steps of $DURATION after $WARMUP.</p>"
	echo '<table><tr><th>stack</th><th>c</th><th>page</th><th>HTTP req/s</th><th>DB alone q/s</th><th>share in PostgreSQL</th><th>DB ceiling q/s</th><th>stack CPU %</th><th>notes</th><th>report</th></tr>'
	tail -n +2 "$CSV" | awk -F, '{ sh = $6 == "" ? "-" : sprintf("%.0f%%", 100 * $6)
		printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td><a href=\"%s/c%s/index.html\">%s c=%s</a></td></tr>\n", $1, $2, $3, $4, $5, sh, $7, $8, $9, $1, $2, $1, $2 }'
	echo '</table>'
} >"$OUT/index.html"
cat "$OUT/README.md"
echo "seed-article: results in $OUT (index.html, README.md, seed-article.csv)"
