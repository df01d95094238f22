# tools/deps.sh (make deps, run first by make check and make demo): silent and 0 when nothing is
# missing; as an ordinary user with a package missing, it names it, prints the exact apt-get line and
# fails. (The root path, apt-get update + install, is not run here: a test must not install packages.)
. "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
run_cmd sh "$REPO/tools/deps.sh"
check "deps.sh is silent and succeeds when every package is installed ($ERR)" eval '[ "$RC" = 0 ] && [ -z "$ERR$OUT" ]'

if [ "$(id -u)" = 0 ]; then
	AS=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	cp "$REPO/tools/deps.sh" "$TEST_TMP/deps.sh" # the checkout may be unreadable for nobody
	chmod 644 "$TEST_TMP/deps.sh"
	script=$TEST_TMP/deps.sh
else
	AS=()
	script=$REPO/tools/deps.sh
fi
run_cmd env PGPB_DEPS_EXTRA=pgpb-no-such-package "${AS[@]}" sh "$script"
check "as an ordinary user, a missing package makes it fail" [ "$RC" = 1 ]
check "... naming the package" grep -q '^deps: error: missing Debian packages: pgpb-no-such-package$' "$TEST_TMP/err"
check "... with the exact apt-get line" \
	grep -q '^deps: hint: run as root:  apt-get update && apt-get install -y --no-install-recommends pgpb-no-such-package$' "$TEST_TMP/err"
pgpb_finish
