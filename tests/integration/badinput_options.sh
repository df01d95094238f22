# Bad option values for every command, checked before anything connects or starts: each case asserts exit 2,
# exactly one PostgreSQL-style error line (tests/lib.sh expect_fail) naming the bad value. Bytes that are not
# UTF-8 (\xff, \xfe) and very long strings go into every kind of value: numbers, durations, lists, choices,
# key=value lists. No server: PGHOST points nowhere, so a case that wrongly got past the checks fails on
# its exit status (1) instead of reaching a real server.
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C PGHOST=/nonexistent-pgpb-socket-dir
B=$PGPB_BIN
FF=$'\xff'
LONG=$(printf 'x%.0s' $(seq 1 3000))
LONGNUM=$(printf '1%.0s' $(seq 1 3000))

# -- the command line itself -------------------------------------------------------------------------
expect_fail "a command name that is not UTF-8" 2 "error: unknown command \"$FF\"" "$B" "$FF"
expect_fail "a very long command name" 2 "error: unknown command \"x{3000}\"" "$B" "$LONG"
expect_fail "a long option name that is not UTF-8" 2 "error: unrecognized option \"--$FF\"" "$B" run "--$FF"
expect_fail "a short option letter that is not UTF-8" 2 "error: (unrecognized|invalid) option" "$B" run "-$FF"
expect_fail "a very long option name" 2 "error: unrecognized option \"--x{3000}\"" "$B" plot "--$LONG"
expect_fail "an extra argument that is not UTF-8" 2 "error: too many command-line arguments \\(first is \"$FF\"\\)" "$B" run "$FF"

# -- datagen -----------------------------------------------------------------------------------------
expect_fail "datagen without --scale" 2 'error: missing option --scale' "$B" datagen
expect_fail "datagen --scale 0" 2 'error: invalid value "0" for option --scale: must be in range 0.001..1000' "$B" datagen --scale 0
expect_fail "datagen --scale abc" 2 'error: invalid value "abc" for option --scale: not a number' "$B" datagen --scale abc
expect_fail "datagen --scale that overflows a double" 2 'error: invalid value "1e400" for option --scale: not a number' "$B" datagen --scale 1e400
expect_fail "datagen --scale nan" 2 'error: invalid value "nan" for option --scale: not a number' "$B" datagen --scale nan
expect_fail "datagen --scale inf" 2 'error: invalid value "inf" for option --scale: not a number' "$B" datagen --scale inf
expect_fail "datagen --scale not UTF-8" 2 "error: invalid value \"$FF\" for option --scale: not a number" "$B" datagen --scale "$FF"
expect_fail "datagen --seed negative" 2 'error: invalid value "-1" for option --seed: must be in range 0\.\.9223372036854775807' \
	"$B" datagen --scale 0.1 --seed -1
expect_fail "datagen --seed past 64 bits" 2 'error: invalid value "99999999999999999999999" for option --seed: not an integer' \
	"$B" datagen --scale 0.1 --seed 99999999999999999999999
expect_fail "datagen --seed of 3000 digits" 2 'error: invalid value "1{3000}" for option --seed: not an integer' \
	"$B" datagen --scale 0.1 --seed "$LONGNUM"
expect_fail "datagen --jobs 0" 2 'error: invalid value "0" for option --jobs: must be in range 1..64' "$B" datagen --scale 0.1 --jobs 0
expect_fail "datagen --jobs 1000" 2 'error: invalid value "1000" for option --jobs: must be in range 1..64' "$B" datagen --scale 0.1 --jobs 1000
expect_fail "datagen --status-mix without a weight" 2 'error: invalid value "new" for option --status-mix: expected name=weight' \
	"$B" datagen --scale 0.1 --status-mix new
expect_fail "datagen --status-mix with an empty name" 2 'error: invalid value "=5" for option --status-mix: expected name=weight' \
	"$B" datagen --scale 0.1 --status-mix =5
expect_fail "datagen --status-mix with a negative weight" 2 'error: invalid value "new=-1" for option --status-mix: the weight of "new" is not a number' \
	"$B" datagen --scale 0.1 --status-mix new=-1
expect_fail "datagen --status-mix weights adding up to 0" 2 'error: invalid value "new=0" for option --status-mix: the weights must add up to more than 0' \
	"$B" datagen --scale 0.1 --status-mix new=0
expect_fail "datagen --status-mix name not UTF-8" 2 "error: invalid value \"$FF=1\" for option --status-mix: a status name may hold only a-z, 0-9 and _" \
	"$B" datagen --scale 0.1 --status-mix "$FF=1"
expect_fail "datagen --status-mix name of 3000 characters" 2 'error: invalid value "x{3000}=1" for option --status-mix: expected name=weight,\.\.\. \(names of 1 to 31 characters\)' \
	"$B" datagen --scale 0.1 --status-mix "$LONG=1"
expect_fail "datagen --user-zipf negative" 2 'error: invalid value "-1" for option --user-zipf: must be in range 0..5' "$B" datagen --scale 0.1 --user-zipf -1
expect_fail "datagen --user-zipf not a number" 2 'error: invalid value "x" for option --user-zipf: not a number' "$B" datagen --scale 0.1 --user-zipf x
expect_fail "datagen --children above 0.9" 2 'error: invalid value "1.5" for option --children: must be in range 0..0.9' "$B" datagen --scale 0.1 --children 1.5
expect_fail "datagen --children negative" 2 'error: invalid value "-0.1" for option --children: must be in range 0..0.9' "$B" datagen --scale 0.1 --children -0.1
expect_fail "datagen --children with a byte that is not UTF-8" 2 "error: invalid value \"0.$FF\" for option --children: not a number" \
	"$B" datagen --scale 0.1 --children "0.$FF"
expect_fail "datagen with an extra argument" 2 'error: too many command-line arguments \(first is "extra"\)' "$B" datagen --scale 0.1 extra
expect_fail "datagen --keep without --ephemeral" 2 'error: --keep and --pg-setting need --ephemeral' "$B" datagen --scale 0.1 --keep

# -- run: the sweep ----------------------------------------------------------------------------------
expect_fail "run --pools 0" 2 'error: invalid value "0" for option --pools: values must be in range 1..10000' "$B" run --pools 0
expect_fail "run --pools abc" 2 'error: invalid value "abc" for option --pools: expected a number, a range' "$B" run --pools abc
expect_fail "run --pools with an open range" 2 'error: invalid value "1\.\." for option --pools: expected a number' "$B" run --pools 1..
expect_fail "run --pools with a range lacking its kind" 2 'error: invalid value "5\.\.1" for option --pools: a range needs :COUNT, \*FACTOR or \+STEP' "$B" run --pools 5..1
expect_fail "run --pools doubling by 1" 2 'error: invalid value "1\.\.64\*1" for option --pools: a doubling range needs a start >= 1 and a factor >= 2' "$B" run --pools '1..64*1'
expect_fail "run --pools step 0" 2 'error: invalid value "1\.\.100\+0" for option --pools: the step of a range must be >= 1' "$B" run --pools '1..100+0'
expect_fail "run --pools with an empty item" 2 'error: invalid value "1,,2" for option --pools: empty item in list' "$B" run --pools 1,,2
expect_fail "run --pools empty" 2 'error: invalid value "" for option --pools: a list is required' "$B" run --pools ''
expect_fail "run --pools past 64 bits" 2 'error: invalid value "99999999999999999999" for option --pools: expected a number' "$B" run --pools 99999999999999999999
expect_fail "run --pools of 3000 digits" 2 'error: invalid value "1{3000}" for option --pools: expected a number' "$B" run --pools "$LONGNUM"
expect_fail "run --pools range past the limit" 2 'error: invalid value "1\.\.10000000:10000000" for option --pools: values must be in range 1\.\.10000' "$B" run --pools 1..10000000:10000000
expect_fail "run --pools with a byte that is not UTF-8" 2 "error: invalid value \"1,$FF\" for option --pools: expected a number" "$B" run --pools "1,$FF"
expect_fail "run --offsets negative" 2 'error: invalid value "-1" for option --offsets: values must be in range 0\.\.1000000000' "$B" run --offsets -1
expect_fail "run --offsets count 0" 2 'error: invalid value "0\.\.10:0" for option --offsets: the count of a range must be in range 1\.\.1000' "$B" run --offsets 0..10:0
expect_fail "run --offsets of more than 10000 values" 2 'error: invalid value "0\.\.20000\+1" for option --offsets: more than 10000 values' "$B" run --offsets 0..20000+1
expect_fail "run --offsets not UTF-8" 2 "error: invalid value \"1$FF\" for option --offsets: expected a number" "$B" run --offsets "1$FF"
expect_fail "run --rates of 20000 items" 2 'error: invalid value "1,2,3,[0-9,]*" for option --rates' "$B" run --rates "$(seq -s, 1 20000)"
expect_fail "run --duration 0" 2 'error: invalid value "0" for option --duration: must be at least 10ms' "$B" run --duration 0
expect_fail "run --duration negative" 2 'error: invalid value "-1s" for option --duration: not a duration' "$B" run --duration -1s
expect_fail "run --duration with an unknown unit" 2 'error: invalid value "10x" for option --duration: unknown unit \(use ms, s, m or h\)' "$B" run --duration 10x
expect_fail "run --duration nan" 2 'error: invalid value "nan" for option --duration: not a duration' "$B" run --duration nan
expect_fail "run --duration longer than a week" 2 'error: invalid value "1e300h" for option --duration: longer than a week' "$B" run --duration 1e300h
expect_fail "run --duration not UTF-8" 2 "error: invalid value \"$FF\" for option --duration: not a duration" "$B" run --duration "$FF"
expect_fail "run --warmup negative" 2 'error: invalid value "-1" for option --warmup: not a duration' "$B" run --warmup -1
expect_fail "run --threads 0" 2 'error: invalid value "0" for option --threads: must be in range 1\.\.1024' "$B" run --threads 0
expect_fail "run --threads 100000" 2 'error: invalid value "100000" for option --threads: must be in range 1\.\.1024' "$B" run --threads 100000
expect_fail "run --protocol binary" 2 'error: invalid value "binary" for option --protocol: expected simple, extended or prepared' "$B" run --protocol binary
expect_fail "run --protocol not UTF-8" 2 "error: invalid value \"$FF\" for option --protocol: expected simple, extended or prepared" "$B" run --protocol "$FF"
expect_fail "run --protocol of 3000 characters" 2 'error: invalid value "x{3000}" for option --protocol: expected simple, extended or prepared' "$B" run --protocol "$LONG"
expect_fail "run --model foo" 2 'error: invalid value "foo" for option --model: expected threads or async' "$B" run --model foo
expect_fail "run --workers 0" 2 'error: invalid value "0" for option --workers: must be in range 1\.\.4096' "$B" run --workers 0
expect_fail "run --workers with --model async" 2 'error: --workers applies to --model threads, not async' "$B" run --workers 3 --model async
expect_fail "run --loops without --model async" 2 'error: --loops applies to --model async' "$B" run --loops 2
expect_fail "run --workers below the pool" 2 'error: pool size 4 is larger than --workers 2' "$B" run --workers 2 --pools 4
expect_fail "run --pool-order random" 2 'error: invalid value "random" for option --pool-order: expected fifo or lifo' "$B" run --pool-order random
expect_fail "run --rate 0" 2 'error: invalid value "0" for option --rate: values must be in range 1\.\.10000000' "$B" run --rate 0
expect_fail "run --rates with a word" 2 'error: invalid value "1,x" for option --rates: expected a number' "$B" run --rates 1,x
expect_fail "run --arrival burst" 2 'error: invalid value "burst" for option --arrival: expected constant or poisson' "$B" run --arrival burst
expect_fail "run --arrival without an open loop" 2 'error: --arrival applies to an open loop \(--rate or --rates\)' "$B" run --arrival poisson
expect_fail "demo --out empty" 2 'error: invalid value "" for option --out: a directory is required' "$B" demo --out=
expect_fail "server --pg-setting data_directory" 2 'error: invalid value "data_directory=/x" for option --pg-setting: the temporary cluster sets "data_directory" itself' "$B" server --pg-setting data_directory=/x
expect_fail "server --pg-setting hba_file in capitals" 2 'error: invalid value "HBA_FILE=/x" for option --pg-setting: the temporary cluster sets "hba_file" itself' "$B" server --pg-setting HBA_FILE=/x
expect_fail "run --preset unknown" 2 'error: invalid value "x" for option --preset: expected seed-article' "$B" run --preset x
expect_fail "run --offset-mix page1 above 100" 2 'error: invalid value "page1=120" for option --offset-mix: page1 must be in range 0\.\.100' "$B" run --offset-mix page1=120
expect_fail "run --offset-mix without page1" 2 'error: invalid value "zipf=1" for option --offset-mix: page1=PERCENT is required' "$B" run --offset-mix zipf=1
expect_fail "run --offset-mix negative zipf" 2 'error: invalid value "page1=50,zipf=-1" for option --offset-mix: zipf must be in range' "$B" run --offset-mix page1=50,zipf=-1
expect_fail "run --offset-mix unknown key" 2 'error: invalid value "page1=50,foo=1" for option --offset-mix: unknown key "foo"' "$B" run --offset-mix page1=50,foo=1
expect_fail "run --offset-mix value not UTF-8" 2 "error: invalid value \"page1=$FF\" for option --offset-mix: \"$FF\" is not a number" "$B" run --offset-mix "page1=$FF"
expect_fail "run --queries unknown variant" 2 'error: invalid value "nope" for option --queries: unknown item "nope"' "$B" run --queries nope
expect_fail "run --queries empty" 2 'error: invalid value "" for option --queries: a list is required' "$B" run --queries ''
expect_fail "run --queries item not UTF-8" 2 "error: invalid value \"seed,$FF\" for option --queries: unknown item \"$FF\"" "$B" run --queries "seed,$FF"
expect_fail "run --query FILE with --queries" 2 'error: --query FILE and --queries cannot be combined' "$B" run --query /tmp/x.sql --queries nocount
expect_fail "run --out empty" 2 'error: invalid value "" for option --out: a directory is required' "$B" run --out ''
expect_fail "run --schema of 64 bytes" 2 'error: invalid value "s{64}" for option --schema: longer than 63 bytes' "$B" run --schema "$(printf 's%.0s' $(seq 1 64))"
expect_fail "run --schema of 3000 bytes" 2 'error: invalid value "x{3000}" for option --schema: longer than 63 bytes' "$B" run --schema "$LONG"
expect_fail "run --pg-setting without --ephemeral" 2 'error: --keep and --pg-setting need --ephemeral' "$B" run --pg-setting a=b
expect_fail "run --port not UTF-8" 2 "error: invalid value \"5$FF\" for option --port: not an integer" "$B" run -p "5$FF"

# -- plot, compare -------------------------------------------------------------------------------------
R=$(cd "$(dirname "$0")/../fixtures/results-small" && pwd)
expect_fail "plot without a directory" 2 'error: no results directory given' "$B" plot
expect_fail "plot with two directories" 2 'error: too many command-line arguments \(first is "b"\)' "$B" plot a b
expect_fail "plot --format gif" 2 'error: invalid value "gif" for option --format: unknown item "gif"' "$B" plot "$R" --format gif
expect_fail "plot --format with an empty item" 2 'error: invalid value "svg,,png" for option --format: empty item in list' "$B" plot "$R" --format svg,,png
expect_fail "plot --format empty" 2 'error: invalid value "" for option --format: a list is required' "$B" plot "$R" --format ''
expect_fail "plot --format item not UTF-8" 2 "error: invalid value \"svg,$FF\" for option --format: unknown item \"$FF\"" "$B" plot "$R" --format "svg,$FF"
expect_fail "plot --size 0x0" 2 'error: invalid value "0x0" for option --size: expected WIDTHxHEIGHT in pixels, 200x150 to 8000x8000' "$B" plot "$R" --size 0x0
expect_fail "plot --size without a height" 2 'error: invalid value "800" for option --size: expected WIDTHxHEIGHT' "$B" plot "$R" --size 800
expect_fail "plot --size too large" 2 'error: invalid value "100000x100000" for option --size: expected WIDTHxHEIGHT' "$B" plot "$R" --size 100000x100000
expect_fail "plot --size negative" 2 'error: invalid value "-5x10" for option --size: expected WIDTHxHEIGHT' "$B" plot "$R" --size -5x10
expect_fail "plot --size not UTF-8" 2 "error: invalid value \"8${FF}0x480\" for option --size: expected WIDTHxHEIGHT" "$B" plot "$R" --size "8${FF}0x480"
expect_fail "plot --out empty" 2 'error: invalid value "" for option --out: a directory is required' "$B" plot "$R" --out ''
expect_fail "compare without directories" 2 'error: two results directories are required' "$B" compare
expect_fail "compare with one directory" 2 'error: two results directories are required' "$B" compare "$R"
expect_fail "compare with three directories" 2 'error: too many command-line arguments \(first is "c"\)' "$B" compare "$R" "$R" c
expect_fail "compare --format jpg" 2 'error: invalid value "jpg" for option --format: unknown item "jpg"' "$B" compare "$R" "$R" --format jpg
expect_fail "compare --size 1x1" 2 'error: invalid value "1x1" for option --size: expected WIDTHxHEIGHT' "$B" compare "$R" "$R" --size 1x1
expect_fail "compare --out empty" 2 'error: invalid value "" for option --out: a directory is required' "$B" compare "$R" "$R" --out ''

# -- http-compare ----------------------------------------------------------------------------------------
expect_fail "http-compare without a directory" 2 'error: missing results directory' "$B" http-compare
expect_fail "http-compare without --ab" 2 'error: missing --ab FILE' "$B" http-compare "$R"
expect_fail "http-compare with two directories" 2 'error: too many command-line arguments' "$B" http-compare "$R" "$R" --ab x
expect_fail "http-compare --offset negative" 2 'error: invalid value "-1" for option --offset: must be in range 0\.\.1000000000' "$B" http-compare "$R" --ab x --offset -1
expect_fail "http-compare --offset a word" 2 'error: invalid value "x" for option --offset: not an integer' "$B" http-compare "$R" --ab x --offset x
expect_fail "http-compare --offset past 64 bits" 2 'error: invalid value "99999999999999999999" for option --offset: not an integer' "$B" http-compare "$R" --ab x --offset 99999999999999999999
expect_fail "http-compare --page-size 0" 2 'error: invalid value "0" for option --page-size: must be in range 1\.\.1000000' "$B" http-compare "$R" --ab x --page-size 0
expect_fail "http-compare --page-size not UTF-8" 2 "error: invalid value \"$FF\" for option --page-size: not an integer" "$B" http-compare "$R" --ab x --page-size "$FF"

# -- demo, server, schema ----------------------------------------------------------------------------------
expect_fail "demo --scale 0" 2 'error: invalid value "0" for option --scale: must be in range 0\.001\.\.100' "$B" demo --scale 0
expect_fail "demo --scale 2000" 2 'error: invalid value "2000" for option --scale: must be in range 0\.001\.\.100' "$B" demo --scale 2000
expect_fail "demo --scale not UTF-8" 2 "error: invalid value \"$FF\" for option --scale: not a number" "$B" demo --scale "$FF"
expect_fail "demo --duration 0" 2 'error: invalid value "0" for option --duration: at least 100ms' "$B" demo --duration 0
expect_fail "demo with an extra argument" 2 'error: too many command-line arguments \(first is "extra"\)' "$B" demo extra
expect_fail "demo --pg-setting without '='" 2 'error: invalid value "x" for option --pg-setting: expected NAME=VALUE' "$B" demo --pg-setting x
expect_fail "server --pg-setting without a name" 2 'error: invalid value "=1" for option --pg-setting: expected NAME=VALUE' "$B" server --pg-setting =1
expect_fail "server --pg-setting name not UTF-8" 2 "error: invalid value \"$FF=1\" for option --pg-setting: bad setting name" "$B" server --pg-setting "$FF=1"
expect_fail "schema --pg-setting name not UTF-8" 2 "error: invalid value \"$FF=1\" for option --pg-setting: bad setting name" "$B" schema create --ephemeral --pg-setting "$FF=1"
expect_fail "schema --port not UTF-8" 2 "error: invalid value \"5$FF\" for option --port: not an integer" "$B" schema check -p "5$FF"
expect_fail "schema --port of 3000 digits" 2 'error: invalid value "1{3000}" for option --port: not an integer' "$B" schema check -p "$LONGNUM"
expect_fail "schema action not UTF-8" 2 "error: unknown action \"$FF\"" "$B" schema "$FF"
# -- CI gates: run --threshold, compare --max-regression / --regression-figures / --csv ---------------------
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
mkdir "$TEST_TMP/gates" && cd "$TEST_TMP/gates" || exit 1
gate_fail() { # gate_fail DESC REGEX ARGS...: exit 2, the one error line, and nothing written
	local desc=$1 re=$2; shift 2
	expect_fail "$desc" 2 "$re" "$@"
	check "$desc: nothing written" [ -z "$(ls -A "$TEST_TMP/gates")" ]
}
gate_fail "run --threshold naming an unknown figure" 'error: invalid value "p98<5ms" for option --threshold: unknown figure "p98" \(one of p50, .*error_rate\)' \
	"$B" run --threshold 'p98<5ms' --out g1
gate_fail "run --threshold with a bad operator" 'error: invalid value "p99=5ms" for option --threshold: bad operator "=" after "p99"' \
	"$B" run --threshold 'p99=5ms' --out g2
gate_fail "run --threshold with a doubled operator" 'error: invalid value "p99<<5ms" for option --threshold: bad operator "<<"' \
	"$B" run --threshold 'p99<<5ms' --out g3
gate_fail "run --threshold without an operator" 'error: invalid value "p99 5ms" for option --threshold: no operator after "p99"' \
	"$B" run --threshold 'p99 5ms' --out g4
gate_fail "run --threshold with a bad unit" 'error: invalid value "p99<5xs" for option --threshold: bad unit "xs" for p99 \(us, ms or s\)' \
	"$B" run --threshold 'p99<5xs' --out g5
gate_fail "run --threshold latency without a unit" 'error: invalid value "p99<5" for option --threshold: p99 needs a unit' \
	"$B" run --threshold 'p99<5' --out g6
gate_fail "run --threshold qps with a latency unit" 'error: invalid value "qps>5ms" for option --threshold: bad unit "ms" for qps' \
	"$B" run --threshold 'qps>5ms' --out g7
gate_fail "run --threshold error_rate without %" 'error: invalid value "error_rate<1" for option --threshold: error_rate needs %' \
	"$B" run --threshold 'error_rate<1' --out g8
gate_fail "run --threshold with a negative limit" 'error: invalid value "qps>-5" for option --threshold: the limit must be a number of at least 0' \
	"$B" run --threshold 'qps>-5' --out g9
gate_fail "run --threshold without a number" 'error: invalid value "p99<ms" for option --threshold: no number after "p99<"' \
	"$B" run --threshold 'p99<ms' --out g10
gate_fail "run --threshold not UTF-8" "error: invalid value \"$FF<1ms\" for option --threshold: no figure before the comparison" \
	"$B" run --threshold "$FF<1ms" --out g11
gate_fail "run --threshold, the bad one after a good one" 'error: invalid value "mean<1parsec" for option --threshold: bad unit "parsec"' \
	"$B" run --threshold 'p99<50ms' --threshold 'mean<1parsec' --out g12
gate_fail "compare --max-regression negative" 'error: invalid value "-10%" for option --max-regression: a regression limit is at least 0%' \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --max-regression -10% --out c1
gate_fail "compare --max-regression without %" 'error: invalid value "10" for option --max-regression: the limit is a percentage and needs %' \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --max-regression 10 --out c2
gate_fail "compare --max-regression not a number" "error: invalid value \"$FF%\" for option --max-regression: not a percentage" \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --max-regression "$FF%" --out c3
gate_fail "compare --regression-figures naming an unknown figure" 'error: invalid value "p99,speed" for option --regression-figures: unknown figure "speed"' \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --max-regression 10% --regression-figures p99,speed --out c4
gate_fail "compare --regression-figures without --max-regression" 'error: --regression-figures applies to --max-regression' \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --regression-figures p99 --out c5
gate_fail "compare --csv empty" 'error: invalid value "" for option --csv: a file is required' \
	"$B" compare "$FIX/run-small" "$FIX/run-small-b" --csv '' --out c6
cd - >/dev/null || exit 1
pgpb_finish
