# datagen on a private cluster: counts, keys, shapes, determinism across --jobs, Django's auth_user,
# the seed query, the dataset state, and usage errors.
. "$(dirname "$0")/../lib.sh"
pgpb_server_start || { not_ok "server start"; exit 1; }
B=$PGPB_BIN
cd "$(dirname "$0")/../.."

# ---- usage errors (exit 2, one error line) ----
expect_fail "datagen without --scale" 2 'missing option --scale' "$B" datagen
expect_fail "datagen --scale 0" 2 'invalid value "0" for option --scale' "$B" datagen --scale 0
expect_fail "datagen --scale abc" 2 'invalid value "abc" for option --scale' "$B" datagen --scale abc
expect_fail "datagen --jobs 0" 2 'invalid value "0" for option --jobs' "$B" datagen --scale 1 --jobs 0
expect_fail "datagen --status-mix without weights" 2 'invalid value "new" for option --status-mix' "$B" datagen --scale 1 --status-mix new
expect_fail "datagen --children 2" 2 'invalid value "2" for option --children' "$B" datagen --scale 1 --children 2
expect_fail "datagen with a stray argument" 2 'too many command-line arguments' "$B" datagen --scale 1 extra
run_cmd "$B" datagen --help
check "datagen --help documents the password and the state rules" \
	sh -c 'printf "%s" "$1" | grep -q "pgpagebench" && printf "%s" "$1" | grep -q -- "--status-mix" && printf "%s" "$1" | grep -q "already loaded\|nothing to do"' _ "$OUT"

# ---- the same data for --jobs 1 and --jobs 4 (freeze mode and chunk mode) ----
run_cmd "$B" datagen --scale 0.1 --seed 5 --jobs 1 --schema j1
check "datagen --jobs 1 succeeds" [ "$RC" = 0 ]
check "not a TTY: no progress bar, only the summary" sh -c '! grep -q "\[#" "$1" && grep -q "^record .* [0-9]" "$2"' _ "$TEST_TMP/err" "$TEST_TMP/out"
FP1=$(sed -n 's/^fingerprint: //p' "$TEST_TMP/out")
CK1=$(sed -n 's/^checksums: //p' "$TEST_TMP/out")
run_cmd "$B" datagen --scale 0.1 --seed 5 --jobs 4 --schema j4
check "datagen --jobs 4 succeeds" [ "$RC" = 0 ]
FP4=$(sed -n 's/^fingerprint: //p' "$TEST_TMP/out")
CK4=$(sed -n 's/^checksums: //p' "$TEST_TMP/out")
check "--jobs 1 and --jobs 4 give the same per-table checksums ($CK1)" test -n "$CK1" -a "$CK1" = "$CK4"
check "--jobs 1 and --jobs 4 give the same fingerprint" test -n "$FP1" -a "$FP1" = "$FP4"
dump() { # every row of every table in id order, hashed here (not by datagen's own checksum)
	psql_q -c "SET search_path = $1" -c "SET TimeZone = 'UTC'" \
		-c "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM auth_user t" \
		-c "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM record t" \
		-c "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM tag t"
}
check "--jobs 1 and --jobs 4 give identical rows (md5 of every row in id order)" [ "$(dump j1)" = "$(dump j4)" ]
check "the fingerprint and checksums are stored in pgpagebench_dataset" \
	[ "$(psql_q -c "SELECT state || ' ' || fingerprint || ' ' || checksum FROM j1.pgpagebench_dataset")" = "complete $FP1 $CK1" ]
check "another seed gives other checksums" sh -c '"$1" datagen --scale 0.1 --seed 6 --schema s6 >"$2" && grep -q "^checksums: " "$2" && ! grep -qF "$3" "$2"' _ "$B" "$TEST_TMP/s6" "$CK1"

q() { psql_q -c "SET search_path = j1" -c "$1"; }
# ---- counts follow the formulas ----
check "users = 1000 x 0.1" [ "$(q 'SELECT count(*) FROM auth_user')" = 100 ]
check "records = 100000 x 0.1" [ "$(q 'SELECT count(*) FROM record')" = 10000 ]
tags=$(q 'SELECT count(*) FROM tag')
check "the fingerprint counts the tags ($tags)" sh -c 'printf "%s" "$1" | grep -q "tags=$2 "' _ "$FP1" "$tags"
check "about 2.5 record tags a record" [ "$(q "SELECT count(*) BETWEEN 24000 AND 27000 FROM tag WHERE kind = 'rec'")" = t ]
check "tags of kind 'user' exist" [ "$(q "SELECT count(*) > 0 FROM tag WHERE kind = 'user'")" = t ]
check "serial sequences continue after the loaded ids" \
	[ "$(q "SELECT nextval(pg_get_serial_sequence('record', 'id'))")" = 10001 ]

# ---- every key and foreign key holds ----
check "primary keys, username unique and both foreign keys exist and are validated" \
	[ "$(q "SELECT count(*) FROM pg_constraint WHERE connamespace = 'j1'::regnamespace AND convalidated AND conname IN ('auth_user_pkey', 'auth_user_username_key', 'record_pkey', 'tag_pkey', 'record_auth_user_id_fk_auth_user_id', 'record_parent_id_fk_record_id')")" = 6 ]
check "every record's user exists" [ "$(q 'SELECT count(*) FROM record r LEFT JOIN auth_user u ON u.id = r.auth_user_id WHERE u.id IS NULL')" = 0 ]
check "every parent is an earlier top-level record" \
	[ "$(q 'SELECT count(*) FROM record c LEFT JOIN record p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND (p.id IS NULL OR p.id >= c.id OR p.parent_id IS NOT NULL)')" = 0 ]
check "every 'rec' tag points at a record, every 'user' tag at a user" \
	[ "$(q "SELECT count(*) FROM tag t WHERE (kind = 'rec' AND NOT EXISTS (SELECT 1 FROM record r WHERE r.id = t.kind_id)) OR (kind = 'user' AND NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = t.kind_id))")" = 0 ]
check "the query's indexes exist" [ "$("$B" schema check --schema j1 >/dev/null 2>&1; echo $?)" = 0 ]
check "schema check reports the dataset complete" sh -c '"$1" schema check --schema j1 | grep -q "dataset: complete"' _ "$B"

# ---- shapes ----
check "status new 70% +- 3%" [ "$(q "SELECT abs(count(*) FILTER (WHERE status = 'new') / count(*)::numeric - 0.70) <= 0.03 FROM record")" = t ]
check "status done 20% +- 3%" [ "$(q "SELECT abs(count(*) FILTER (WHERE status = 'done') / count(*)::numeric - 0.20) <= 0.03 FROM record")" = t ]
check "status archived 10% +- 3%" [ "$(q "SELECT abs(count(*) FILTER (WHERE status = 'archived') / count(*)::numeric - 0.10) <= 0.03 FROM record")" = t ]
check "children 25% +- 3%" [ "$(q "SELECT abs(count(parent_id) / count(*)::numeric - 0.25) <= 0.03 FROM record")" = t ]
check "the top 1% of users own well over 1% of the records (over 5%)" \
	[ "$(q "SELECT sum(n) / 10000.0 > 0.05 FROM (SELECT count(*) n FROM record GROUP BY auth_user_id ORDER BY n DESC LIMIT 1) x")" = t ]
check "the heaviest user is not user 1 (permuted user order)" \
	[ "$(q "SELECT auth_user_id <> 1 FROM record GROUP BY auth_user_id ORDER BY count(*) DESC, auth_user_id LIMIT 1")" = t ]
check "children per parent are skewed (busiest parent over 10 x the mean)" \
	[ "$(q "SELECT max(n) > 10 * avg(n) FROM (SELECT count(*) n FROM record WHERE parent_id IS NOT NULL GROUP BY parent_id) x")" = t ]
tagdist=$(q "SELECT string_agg(n::text, ' ' ORDER BY c DESC, n) FROM (SELECT n, count(*) c FROM (SELECT r.id, count(t.id) n FROM record r LEFT JOIN tag t ON t.kind = 'rec' AND t.kind_id = r.id GROUP BY r.id) x GROUP BY n) y")
check "tags a record: 0..5, most common first 3 2 4 1 5 0 (got $tagdist)" [ "$tagdist" = "3 2 4 1 5 0" ]
check "no record has the same tag twice" [ "$(q "SELECT count(*) FROM (SELECT kind_id, tag FROM tag WHERE kind = 'rec' GROUP BY 1, 2 HAVING count(*) > 1) x")" = 0 ]
check "tag popularity follows a power law (top tag over 5% of record tags, over 100 distinct tags)" \
	[ "$(q "SELECT max(c) / sum(c) > 0.05 AND count(*) > 100 FROM (SELECT tag, count(*) c FROM tag WHERE kind = 'rec' GROUP BY tag) x")" = t ]
check "updated is unique" [ "$(q 'SELECT count(DISTINCT updated) = count(*) FROM record')" = t ]
check "updated spans about two years before 2026-01-01" \
	[ "$(q "SELECT max(updated) < '2026-01-01 00:00+00' AND max(updated) - min(updated) > interval '700 days' AND min(updated) > timestamptz '2026-01-01 00:00+00' - interval '731 days' FROM record")" = t ]
check "labels have 3 to 12 words" [ "$(q "SELECT min(array_length(string_to_array(label, ' '), 1)) = 3 AND max(array_length(string_to_array(label, ' '), 1)) = 12 FROM record")" = t ]
check "content: median about 200 bytes, at most 4 KiB" \
	[ "$(q "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY octet_length(content)) BETWEEN 170 AND 230 AND max(octet_length(content)) <= 4096 FROM record")" = t ]

# ---- auth_user as Django 3.x has it ----
cat >"$TEST_TMP/django_cols" <<'EOF'
date_joined|timestamp with time zone||NO
email|character varying|254|NO
first_name|character varying|150|NO
id|integer||NO
is_active|boolean||NO
is_staff|boolean||NO
is_superuser|boolean||NO
last_login|timestamp with time zone||YES
last_name|character varying|150|NO
password|character varying|128|NO
username|character varying|150|NO
EOF
psql_q -c "SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_schema = 'j1' AND table_name = 'auth_user' ORDER BY column_name" >"$TEST_TMP/cols"
check "auth_user columns, types and nullability equal Django's" diff "$TEST_TMP/django_cols" "$TEST_TMP/cols"
check "usernames and emails unique, names never NULL" \
	[ "$(q 'SELECT count(DISTINCT username) = count(*) AND count(DISTINCT email) = count(*) AND count(first_name) = count(*) AND count(last_name) = count(*) FROM auth_user')" = t ]
check "date_joined <= last_login" [ "$(q 'SELECT count(*) FROM auth_user WHERE last_login < date_joined')" = 0 ]
check "user 1 is admin, a superuser" [ "$(q 'SELECT username || is_superuser::text || is_staff::text FROM auth_user WHERE id = 1')" = admintruetrue ]
pw=$(q 'SELECT DISTINCT password FROM auth_user')
check "every password is one pbkdf2_sha256 hash" sh -c 'printf "%s\n" "$1" | grep -Eqx "pbkdf2_sha256\\\$260000\\\$[A-Za-z0-9]{22}\\\$[A-Za-z0-9+/]{43}="' _ "$pw"
if command -v python3 >/dev/null; then
	check "the hash verifies the documented password (Python's hashlib, as Django computes it)" python3 -c '
import base64, hashlib, sys
alg, it, salt, h = sys.argv[1].split("$")
dk = hashlib.pbkdf2_hmac("sha256", b"pgpagebench", salt.encode(), int(it))
sys.exit(0 if base64.b64encode(dk).decode() == h else 1)' "$pw"
fi

# ---- the seed query ----
query=$(grep -v '^--' schema/query.sql)
top=$(q "SELECT count(*) FROM record WHERE parent_id IS NULL AND status = 'new'")
rows0=$(psql_q -c "SET search_path = j1" -c "PREPARE q(int) AS $query" -c "EXECUTE q(0)" | grep -c .)
rowsN=$(psql_q -c "SET search_path = j1" -c "PREPARE q(int) AS $query" -c "EXECUTE q($top)" | grep -c .)
check "the seed query returns 10 rows at OFFSET 0" [ "$rows0" = 10 ]
check "the seed query returns 0 rows past the end (OFFSET $top)" [ "$rowsN" = 0 ]

# ---- what is there already ----
run_cmd "$B" datagen --scale 0.1 --seed 5 --schema j1
check "same arguments again: nothing to do, exit 0, same fingerprint" sh -c '[ "$1" = 0 ] && grep -q "already loaded" "$2" && grep -qF "fingerprint: $3" "$2"' _ "$RC" "$TEST_TMP/out" "$FP1"
expect_fail "other arguments without --drop are refused" 1 'already holds a dataset loaded with other arguments' "$B" datagen --scale 0.01 --seed 5 --schema j1
check "the refused load left the dataset alone" [ "$(q 'SELECT count(*) FROM record')" = 10000 ]
run_cmd "$B" datagen --scale 0.01 --seed 5 --schema j1 --drop --status-mix new=50,gone=50 --no-indexes
check "--drop replaces it with the new arguments" [ "$RC:$(q 'SELECT count(*) FROM record')" = 0:1000 ]
check "--status-mix sets the statuses" [ "$(q 'SELECT string_agg(DISTINCT status, $$,$$ ORDER BY status) FROM record')" = gone,new ]
check "--no-indexes leaves out the query's indexes" [ "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'j1' AND indexname = 'record_updated_new_top_idx'")" = 0 ]
"$B" schema create --schema fresh >/dev/null 2>&1
run_cmd "$B" datagen --scale 0.01 --schema fresh
check "datagen fills the empty tables of schema create" [ "$RC:$(psql_q -c 'SELECT count(*) FROM fresh.record')" = 0:1000 ]
"$B" schema create --schema theirs >/dev/null 2>&1
psql_q -c "INSERT INTO theirs.auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES ('x', false, 'someone', '', '', 's@x', false, true, now())"
expect_fail "rows datagen did not load are not replaced without --drop" 1 'hold rows that datagen did not load' "$B" datagen --scale 0.01 --schema theirs
check "those rows survive" [ "$(psql_q -c 'SELECT count(*) FROM theirs.auth_user')" = 1 ]
odd='my "odd" schema'
run_cmd "$B" datagen --scale 0.01 --schema "$odd" --jobs 4
check "datagen into an odd schema name (chunk mode)" [ "$RC:$(psql_q -c "SELECT count(*) FROM \"my \"\"odd\"\" schema\".record")" = 0:1000 ]
pgpb_finish
