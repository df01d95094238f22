# Bad input that only a server can answer: run's --query files of every malformed kind (missing, a
# directory, empty, over the size limit, bytes that are not UTF-8, not one statement, not SQL), connection
# arguments that are not UTF-8 or very long for run, datagen and schema, and --out where no directory can
# be made. Each case asserts the exit status (1: runtime), exactly one PostgreSQL-style error line naming
# the bad value (tests/lib.sh expect_fail), and that no results directory is left behind by a run that
# never started.
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C
B=$PGPB_BIN
FF=$'\xff'
M=$TEST_TMP/missing
pgpb_server_start || { not_ok "server start"; exit 1; }
pgpb_small_dataset || { not_ok "small dataset"; exit 1; }
SOCK=$PGHOST
cd "$TEST_TMP" || exit 1
# run with everything but the bad part cut short; --out under the test's directory (not $TEST_TMP/out,
# where run_cmd keeps standard output)
r() { "$B" run --pools 1 --offsets 0 --duration 100ms --warmup 0 --no-plot --no-progress --out "$TEST_TMP/res" "$@"; }
no_out() { # no_out DESC: the failed run left no results directory
	if [ -e "$TEST_TMP/res" ]; then not_ok "$1: a results directory was left: $(ls "$TEST_TMP/res")"; rm -rf "$TEST_TMP/res"; else ok "$1: no results directory left"; fi
}

# -- --query FILE --------------------------------------------------------------------------------------
expect_fail "--query of a file that does not exist" 1 "error: could not open file \"$M\": No such file or directory" r --query "$M"
no_out "a missing query file"
expect_fail "--query of a path that is not UTF-8" 1 "error: could not open file \"$TEST_TMP/$FF\": No such file or directory" r --query "$TEST_TMP/$FF"
expect_fail "--query of a 5000-byte path" 1 'error: could not open file "q+": File name too long' r --query "$(printf 'q%.0s' $(seq 1 5000))"
mkdir qdir
expect_fail "--query of a directory" 1 'error: could not read file "qdir": Is a directory' r --query qdir
: > q_empty.sql
expect_fail "--query of an empty file" 1 'error: query file "q_empty.sql" holds no statement' r --query q_empty.sql
printf ' ;\n\t;\r\n  ' > q_semis.sql
expect_fail "--query of blanks and semicolons" 1 'error: query file "q_semis.sql" holds no statement' r --query q_semis.sql
{ printf 'SELECT id FROM record ORDER BY id LIMIT 10 OFFSET $1 -- '; head -c 1100000 /dev/zero | tr '\0' x; echo; } > q_big.sql
expect_fail "--query of a file over 1 MB" 1 'error: file "q_big.sql" is larger than the limit of 1 MB' r --query q_big.sql
no_out "a query file over 1 MB"
printf 'SELECT id, label FROM record WHERE label = '"'"'%s'"'"' ORDER BY id LIMIT 10 OFFSET $1\n' "$FF" > q_utf8.sql
expect_fail "--query holding a byte that is not UTF-8" 1 'error: query "q_utf8.sql" does not run: invalid byte sequence for encoding "UTF8": 0xff' r --query q_utf8.sql
printf 'SELEC id FROM record OFFSET $1\n' > q_syntax.sql
expect_fail "--query with a syntax error" 1 'error: query "q_syntax.sql" does not run: syntax error at or near "SELEC"' r --query q_syntax.sql
printf 'SELECT id FROM no_such_table ORDER BY id LIMIT 10 OFFSET $1\n' > q_table.sql
expect_fail "--query of a table that does not exist" 1 'error: query "q_table.sql" does not run: relation "no_such_table" does not exist' r --query q_table.sql
printf 'SELECT id FROM record ORDER BY id LIMIT 10 OFFSET $1; SELECT 1\n' > q_two.sql
expect_fail "--query of two statements" 1 'error: query "q_two.sql" does not run: cannot insert multiple commands into a prepared statement' r --query q_two.sql
printf 'SELECT id FROM record ORDER BY id LIMIT $2 OFFSET $1\n' > q_param2.sql
expect_fail "--query with a second parameter" 1 'error: query "q_param2.sql" (does not run|has 2 parameters)' r --query q_param2.sql
head -c 4096 /dev/urandom | tr -d '\0' > q_random.sql
expect_fail "--query of random bytes" 1 'error: query "q_random.sql" does not run' r --query q_random.sql
printf "SELECT id FROM record WHERE label = '%s ORDER BY id LIMIT 10 OFFSET \$1\n" "$(printf 'x%.0s' $(seq 1 100000))" > q_unterminated.sql
expect_fail "--query with a 100 KB unterminated string" 1 'error: query "q_unterminated.sql" does not run: unterminated quoted string' r --query q_unterminated.sql

# -- connection arguments: not UTF-8, very long -----------------------------------------------------------
expect_fail "run --schema not UTF-8" 1 'error: could not set search_path: ERROR: +invalid byte sequence for encoding "UTF8": 0xff' r --schema "$FF"
no_out "a schema name that is not UTF-8"
expect_fail "run -U not UTF-8" 1 'FATAL: +(role .* does not exist|invalid byte sequence)' r -U "$FF"
expect_fail "run -d not UTF-8" 1 'FATAL: +(database .* does not exist|invalid byte sequence)' r -d "$FF"
expect_fail "run -h a socket directory not UTF-8" 1 "error: connection to server on socket \"$M/$FF/.s.PGSQL.[0-9]+\" failed: No such file or directory" r -h "$M/$FF"
expect_fail "run -h a socket directory of 5000 bytes" 1 'error: .*(too long|File name too long)' r -h "/$(printf 'h%.0s' $(seq 1 5000))"
expect_fail "run -U of 5000 bytes" 1 'FATAL: +role "u+" does not exist' r -U "$(printf 'u%.0s' $(seq 1 5000))"
expect_fail "datagen --schema not UTF-8" 1 'error: .*invalid byte sequence for encoding "UTF8": 0xff' "$B" datagen --scale 0.001 --schema "$FF"
expect_fail "datagen -U not UTF-8" 1 'FATAL: +(role .* does not exist|invalid byte sequence)' "$B" datagen --scale 0.001 -U "$FF"
expect_fail "datagen -d of 5000 bytes" 1 'FATAL: +database "d+" does not exist' "$B" datagen --scale 0.001 -d "$(printf 'd%.0s' $(seq 1 5000))"
expect_fail "schema create --schema not UTF-8" 1 'error: .*invalid byte sequence for encoding "UTF8": 0xff' "$B" schema create --schema "$FF"
expect_fail "schema drop -U not UTF-8" 1 'FATAL: +(role .* does not exist|invalid byte sequence)' "$B" schema drop -U "$FF"
expect_fail "schema check -d a conninfo with a value not UTF-8" 1 'FATAL: +(database .* does not exist|invalid byte sequence)' "$B" schema check -d "host=$SOCK dbname=$FF"
check "the dataset is still complete after all of them" eval '"$B" schema check >/dev/null'

# -- where run writes ---------------------------------------------------------------------------------------
expect_fail "run --out under a regular file" 1 'error: could not create (the results )?directory "/etc/passwd/x"' \
	"$B" run --pools 1 --offsets 0 --duration 100ms --warmup 0 --no-plot --no-progress --out /etc/passwd/x
expect_fail "run --out not UTF-8 under a regular file" 1 "error: could not create (the results )?directory \"/etc/passwd/$FF\"" \
	"$B" run --pools 1 --offsets 0 --duration 100ms --warmup 0 --no-plot --no-progress --out "/etc/passwd/$FF"
pgpb_finish
