#!/bin/sh
# Installs the Debian packages pgpagebench needs to build, test and run (as root), or prints the exact
# apt-get line and fails (as any other user). Used by `make deps`, `make check` and `make demo`.
PKGS="gcc make pkg-config gawk libpq-dev libpqtypes-dev libplot-dev libjansson-dev libcmocka-dev zlib1g-dev chromium \
postgresql postgresql-contrib pgbouncer apache2-utils libxml2-utils librsvg2-bin imagemagick util-linux procps \
man-db groff-base jq nodejs wrk python3-flask python3-psycopg2 python3-django python3-sqlalchemy gunicorn \
python3-aiohttp python3-asyncpg $PGPB_DEPS_EXTRA"
# PGPB_DEPS_EXTRA: more package names, so a test can see the "missing" path without uninstalling anything
# npm (the .hlog test installs hdr-histogram-js with it): Debian's package, unless the nodejs installed
# already brings npm (NodeSource's provides it and conflicts with Debian's)
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2 || {
    echo "deps: error: apt-get install failed for:$missing" >&2; exit 1; }
  exit 0
fi
echo "deps: error: missing Debian packages:$missing" >&2
echo "deps: hint: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
exit 1
