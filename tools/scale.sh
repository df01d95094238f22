#!/bin/bash
# tools/scale.sh BIN: `make check-scale`, the heavy checks kept out of `make check`: 10,000 clients on one
# driver process (--model async --loops 2) through PgBouncer in transaction mode with a pool of 20 server
# connections. Passes when the run exits 0 without errors, PgBouncer held every client connection at once
# (pooler_clients_max), the driver's peak resident memory stayed under 200 MB, and the open-file limit
# was raised from a low soft limit (and a hard limit too low refused naming both numbers). Prints the
# figures it judged. Takes a few minutes; needs a hard open-file limit of at least 10,100.
set -u
B=${1:?usage: tools/scale.sh PATH/TO/pgpagebench}
CLIENTS=${PGPB_SCALE_CLIENTS:-10000}
MAX_MB=${PGPB_SCALE_MAX_MB:-200}
T=$(mktemp -d "${TMPDIR:-/tmp}/pgpb-scale.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }

# a hard limit below what the clients need: refused before anything connects, both numbers named
(ulimit -n 4096 && "$B" run -h /nonexistent --pools "$CLIENTS" --model async) >"$T/low.out" 2>"$T/low.err"
rc=$?
if [ "$rc" = 1 ] && grep -q "error: $CLIENTS connections need $((CLIENTS + 64)) open files, but the hard limit is 4096" "$T/low.err" &&
	grep -q 'hint: Raise the hard limit' "$T/low.err"; then
	ok "a hard open-file limit of 4096 is refused for $CLIENTS clients: $(grep error: "$T/low.err")"
else
	not_ok "hard limit too low: exit $rc, $(cat "$T/low.err")"
fi

# the run itself, from a soft limit of 1024 (raised, and said so)
(ulimit -Sn 1024 && exec "$B" run --ephemeral --pooler pgbouncer=transaction --pooler-pool-size 20 --model async \
	--loops 2 --pools "$CLIENTS" --offsets 0 --scale 0.01 --duration "${PGPB_SCALE_DURATION:-20s}" --warmup 10s \
	--no-plot --no-progress -v --out "$T/run") >"$T/run.out" 2>"$T/run.err"
rc=$?
grep -v 'datagen' "$T/run.err" | sed 's/^/# /'
sed -n '/^step /,$p' "$T/run.out" | sed 's/^/# /'
if [ "$rc" = 0 ]; then ok "$CLIENTS clients through PgBouncer: exit 0"; else not_ok "the run exited $rc"; fi
# PgBouncer (started first) and the driver share the raised limit: one line says so
if grep -q "raised the open-file limit (soft) from 1024 to" "$T/run.err"; then
	ok "said so: $(grep -o 'raised the open-file limit (soft) from 1024 to.*' "$T/run.err" | head -1)"
else
	not_ok "no line saying the open-file limit was raised from 1024"
fi
S=$T/run/steps.csv
errors=$(col "$S" errors) clients=$(col "$S" pooler_clients_max) okq=$(col "$S" ok)
echo "# ok $okq, errors $errors, pooler_clients_max $clients, pooler_servers_max $(col "$S" pooler_servers_max)," \
	"pooler_wait_mean_us $(col "$S" pooler_wait_mean_us), pooler_cl_waiting_max $(col "$S" pooler_cl_waiting_max)," \
	"mean_us $(col "$S" mean_us), p99_us $(col "$S" p99_us), connect_s $(col "$S" connect_s)"
if [ "$errors" = 0 ] && [ "${okq:-0}" -gt 0 ]; then ok "no query failed ($okq succeeded)"; else not_ok "errors: '$errors', ok '$okq'"; fi
if [ "$clients" = "$CLIENTS" ]; then ok "PgBouncer held all $CLIENTS client connections at once"; else not_ok "pooler_clients_max '$clients'"; fi
mb=$(sed -n 's/.*peak resident memory of the driver: \([0-9.]*\) MB.*/\1/p' "$T/run.err")
if [ -n "$mb" ] && awk -v m="$mb" -v x="$MAX_MB" 'BEGIN { exit !(m < x) }'; then
	ok "the driver's peak resident memory $mb MB < $MAX_MB MB"
else
	not_ok "the driver's peak resident memory '$mb' MB (limit $MAX_MB)"
fi
[ "$fails" = 0 ]
