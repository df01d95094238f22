# make install (DESTDIR, PREFIX) puts the binary, the man page and the docs in place, and the installed
# binary works from any directory: its SQL is embedded, nothing is read from the checkout.
. "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEST=$TEST_TMP/dest
# the build directory under test (build or build-san): install what was tested, build nothing new
run_cmd make -s -C "$REPO" install DESTDIR="$DEST" PREFIX=/usr BUILD="$PGPB_BUILD"
check "make install DESTDIR=... PREFIX=/usr succeeds" [ "$RC" = 0 ]
check "the binary is installed, executable" [ -x "$DEST/usr/bin/pgpagebench" ]
check "the man page is installed" [ -f "$DEST/usr/share/man/man1/pgpagebench.1" ]
check "docs/results.md is installed" [ -f "$DEST/usr/share/doc/pgpagebench/results.md" ]
check "the installed binary is the one under test" cmp -s "$PGPB_BIN" "$DEST/usr/bin/pgpagebench"
run_cmd man -l "$DEST/usr/share/man/man1/pgpagebench.1"
check "the man page renders" eval '[ "$RC" = 0 ] && grep -q "ephemeral" "$TEST_TMP/out" && grep -q "EXIT STATUS" "$TEST_TMP/out"'
run_cmd groff -man -ww -z "$DEST/usr/share/man/man1/pgpagebench.1"
check "the man page has no roff warnings ($ERR)" [ -z "$ERR" ]

# from another directory, with the checkout out of reach of the SQL lookup
mkdir "$TEST_TMP/elsewhere" "$TEST_TMP/t"
run_cmd sh -c 'cd "$1" && TMPDIR="$2" "$3" schema create --ephemeral' sh "$TEST_TMP/elsewhere" "$TEST_TMP/t" "$DEST/usr/bin/pgpagebench"
check "the installed binary runs schema create --ephemeral from another directory ($ERR)" [ "$RC" = 0 ]
check "... and says what it created" grep -q 'created tables auth_user, record, tag' "$TEST_TMP/out"
check "... and leaves no cluster directory behind" [ -z "$(ls -A "$TEST_TMP/t")" ]
pgpb_finish
