#!/bin/bash
# wait-overhead.sh: what the wait sampler (run --wait-sample) costs the run's throughput. Runs the same
# sweep PAIRS times with the sampler on and off, alternating which goes first (on/off, off/on, ...) so a
# drift of the machine's speed hits both alike, and prints per step the median over the pairs of the
# throughput ratio on/off, and the median of all the pairs' whole-sweep ratios. Not part of make check:
# it runs for minutes (docs/run.md quotes its figures).
#
# Usage: tools/wait-overhead.sh PAIRS INTERVAL [run options...]
#   e.g. PGHOST=... tools/wait-overhead.sh 6 10ms --pools 1,4,16 --offsets 0,1000 --duration 3s --warmup 0.5s
# The server is the one the libpq environment names, with a dataset in it (datagen --scale 1).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 PAIRS INTERVAL [run options...]" >&2; exit 2; }
pairs=$1 interval=$2
shift 2
bin=${PGPB_BIN:-$(dirname "$0")/../build/pgpagebench}
dir=$(mktemp -d "${TMPDIR:-/tmp}/wait-overhead.XXXXXX")
trap 'rm -rf "$dir"' EXIT
qps() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "qps") k = i; next } { print $1, $k }' "$1/steps.csv"; }
one() { # one KIND PAIR RUN-OPTIONS...
	local kind=$1 p=$2 sample=off
	shift 2
	[ "$kind" = on ] && sample=$interval
	"$bin" run "$@" --wait-sample "$sample" --no-plot --no-progress --quiet --out "$dir/$kind-$p" >/dev/null
	qps "$dir/$kind-$p" >"$dir/$kind-$p.qps"
}
for p in $(seq 1 "$pairs"); do
	if [ $((p % 2)) = 1 ]; then one on "$p" "$@"; one off "$p" "$@"; else one off "$p" "$@"; one on "$p" "$@"; fi
	echo "pair $p of $pairs done" >&2
done
# per step: the ratios on/off of every pair, and their median; then the whole sweep's
for p in $(seq 1 "$pairs"); do
	paste -d' ' "$dir/on-$p.qps" "$dir/off-$p.qps" | awk -v p="$p" '{ print $1, p, $2 / $4; on += $2; off += $4 }
		END { print "sweep", p, on / off }'
done | sort -k1,1 -k3,3n | awk '
	{ r[$1] = r[$1] " " $3; n[$1]++ }
	END {
		printf "%-28s %8s  %s\n", "step", "median", "ratios on/off (sorted)"
		for (s in n) {
			split(substr(r[s], 2), v, " ")
			k = n[s]; m = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
			printf "%-28s %8.4f  %s\n", s, m, substr(r[s], 2)
		}
	}' | sort
