#!/bin/sh
# tools/fresh-debian.sh: the first-contact check, as a new user meets the project. Builds a minbase
# Debian 12 root with debootstrap (from the mirror apt already uses), adds only git and make, clones this
# checkout's HEAD into it and runs `make demo`, then `make check`, in a chroot, timing each. It downloads
# a few hundred MB, so it is not part of `make check`; `make check-fresh` runs it. Root only.
#
#   tools/fresh-debian.sh            # a new root under /var/tmp, removed at the end
#   FRESH_KEEP=1 tools/fresh-debian.sh   # keep the root (its path is printed) to look around afterwards
set -eu

say() { printf 'fresh-debian: %s\n' "$*" >&2; }
die() { printf 'fresh-debian: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { printf 'fresh-debian: error: must run as root (debootstrap, mount and chroot)\n' >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
git -C "$src" rev-parse --verify -q HEAD >/dev/null || die "\"$src\" is not a git checkout with a commit"

# The mirror apt already uses: the first Debian URI of the deb822 sources, else of sources.list.
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources | head -n 1)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >&2 ||
		die "apt-get install debootstrap failed"
fi

root=$(mktemp -d /var/tmp/pgpb-fresh.XXXXXX)
chmod 755 "$root"   # the postgres and man users must be able to enter it
mounted=""
# Processes still running inside the root (a server a test started, an interrupted make) end first.
kill_inside() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -"$1" "${p#/proc/}" 2>/dev/null
	done
	return 0
}
cleanup() {
	kill_inside TERM
	sleep 2   # give the servers a moment for a clean shutdown before they are killed
	kill_inside KILL
	for m in $mounted; do umount -l "$root$m" 2>/dev/null || true; done
	if [ -n "${FRESH_KEEP:-}" ]; then say "kept the root at $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s; }
t0=$(now)
say "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$root.debootstrap.log" >&2; die "debootstrap failed (log: $root.debootstrap.log)"; }
rm -f "$root.debootstrap.log"
t_boot=$(now)

# apt in the root sees what a real Debian 12 install has: the host's Debian sources (updates, security).
cp /etc/resolv.conf "$root/etc/resolv.conf"
# ... and the network as the host reaches it: the host's CA certificates, for a proxy that signs TLS on the
# way out (npm's registry in hlog.sh then answers as on the host; apt's mirror is plain HTTP)
host_ca=""
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	mkdir -p "$root/etc/ssl"
	cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca-bundle.crt"
	host_ca=NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-bundle.crt
fi
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	rm -f "$root/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/debian.sources"
fi

for m in /proc /sys /dev /dev/pts /dev/shm; do mkdir -p "$root$m"; done
mount -t proc proc "$root/proc" && mounted="/proc $mounted"
mount -t sysfs sysfs "$root/sys" && mounted="/sys $mounted"
mount --bind /dev "$root/dev" && mounted="/dev $mounted"
mount --make-private "$root/dev"   # what is mounted below stays out of the host's /dev
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounted="/dev/pts $mounted"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" && mounted="/dev/shm $mounted"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 ${host_ca:+"$host_ca"} \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

say "adding git and make"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git make' >/dev/null ||
	die "apt-get install git make failed in the new root"
git clone -q "$src" "$root/root/pgpagebench"
commit=$(git -C "$root/root/pgpagebench" rev-parse --short HEAD)   # what was tested, whatever HEAD does later
t_ready=$(now)

say "make demo (first time)"
rc_demo=0
in_root sh -c 'cd /root/pgpagebench && make demo' || rc_demo=$?
t_demo=$(now)
say "make check (first time)"
rc_check=0
in_root sh -c 'cd /root/pgpagebench && make check' || rc_check=$?
t_check=$(now)

printf '\nfresh-debian: commit %s on a minbase Debian 12 root (%s)\n' "$commit" "$mirror"
printf '  debootstrap     %5ds\n' $((t_boot - t0))
printf '  git, make       %5ds\n' $((t_ready - t_boot))
printf '  make demo       %5ds  exit %d\n' $((t_demo - t_ready)) "$rc_demo"
printf '  make check      %5ds  exit %d\n' $((t_check - t_demo)) "$rc_check"
[ "$rc_demo" = 0 ] && [ "$rc_check" = 0 ]
