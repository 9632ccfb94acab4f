#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/debian-root.sh SUITE
#
# Prints the path of an amd64 `debootstrap --variant=minbase` root of
# Debian SUITE with what a user of that release builds a module with: its
# gcc, make, perl (W=1's kernel-doc check) and kernel headers
# (linux-headers-amd64 and -rt-amd64; on trixie also gcc-aarch64-linux-gnu,
# its arm64 cross compiler; bookworm's is for arm64 only: its cross
# compiler and arm64 C library).  The root is made once and cached under
# $FORTUNE_CACHE/roots, keyed by SUITE, the versions of gcc and of the
# headers and a recipe number, so a newly published kernel gets a root of
# its own.  It is built in a temporary directory and renamed into place; a
# lock keeps two harnesses from building the same root.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 SUITE" >&2
	exit 2
}
suite=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
apt_suite="$here/apt-suite.sh $suite amd64"

# version PKG: the candidate version of PKG in SUITE.
version() {
	$apt_suite apt-cache show --no-all-versions "$1" |
		awk '$1 == "Version:" { print $2; exit }'
}
gcc_version=$(version gcc)
headers_version=$(version linux-headers-amd64)
if [ -z "$gcc_version" ] || [ -z "$headers_version" ]; then
	echo "debian-root: $suite amd64 serves no gcc or linux-headers-amd64" >&2
	exit 1
fi
# bookworm's root is only for arm64 (the host builds bookworm's amd64
# and i386 modules): on the host, gcc-aarch64-linux-gnu and gcc-multilib
# conflict.  linux-headers-amd64 brings the common headers and linux-kbuild
# that Debian's arm64 headers, unpacked beside them, share.
# headers FLAVOUR: the headers package linux-headers-FLAVOUR points at.
# The metapackage itself is not installed: a mirror may lack it.
headers() {
	$apt_suite apt-cache depends "linux-headers-$1=$headers_version" |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ {
			print $2 "='"$headers_version"'"; exit }'
}
case $suite in
bookworm)
	packages="$(headers amd64) gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	;;
trixie)
	packages="$(headers amd64) $(headers rt-amd64) gcc-aarch64-linux-gnu"
	;;
*)
	packages="$(headers amd64) $(headers rt-amd64)"
	;;
esac
# The recipe's number goes up when what the root is made of changes
# (2: perl's modules, which W=1's kernel-doc check needs).
recipe=2
key=$suite-amd64_r${recipe}_gcc-${gcc_version}_linux-$headers_version
root=$cache/roots/$key
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

mkdir -p "$cache/roots"
exec 9>"$cache/roots/$key.lock"
flock 9
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

# The host's mirror, from apt-suite.sh's sources for this suite.
sources=$cache/apt/$suite-amd64/etc/sources.list
mirror=$(awk '$NF == "main" && $(NF - 1) == "'"$suite"'" { print $(NF - 2); exit }' \
	"$sources")
[ -n "$mirror" ] || {
	echo "debian-root: no mirror for $suite in $sources" >&2
	exit 1
}

tmp=$(mktemp -d "$cache/roots/.$key.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "debian-root: debootstrap $suite into $tmp (a few minutes)" >&2
# debootstrap's own progress is long: keep it in a log, show it on failure.
# A private directory at first (mktemp): the root's / must be world-
# readable for apt's unprivileged _apt user inside it.
chmod 755 "$tmp"
if ! debootstrap --variant=minbase --include=gcc,make,libc6-dev,perl \
	--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	"$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
	tail -n 20 "$tmp.log" >&2
	echo "debian-root: debootstrap of $suite failed; log in $tmp.log" >&2
	exit 1
fi
# The same sources apt-suite.sh uses (with -updates and -security), so the
# headers match the image the provider fetches.
sed 's/arch=amd64 signed-by=[^] ]*/arch=amd64/' "$sources" \
	>"$tmp/etc/apt/sources.list"
# Newer headers depend on their image: no initramfs for it (the guest
# boots our own), and no fsync per file (a cache, rebuilt if lost).  That
# update-initramfs.conf is there before initramfs-tools, whose own copy of
# it is a conffile: dpkg must keep ours without asking (it reads the
# answer from stdin, which has none under CI, and the install fails).
mkdir -p "$tmp/etc/initramfs-tools" "$tmp/etc/dpkg/dpkg.cfg.d"
echo update_initramfs=no >"$tmp/etc/initramfs-tools/update-initramfs.conf"
printf '%s\n' force-unsafe-io force-confdef force-confold \
	>"$tmp/etc/dpkg/dpkg.cfg.d/fortune-root"
echo "debian-root: installing $packages in the $suite root" >&2
# shellcheck disable=SC2086 # one word per package
if ! chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive sh -c \
	"apt-get update -q && apt-get install -y -q --no-install-recommends $packages && apt-get clean" \
	>>"$tmp.log" 2>&1; then
	tail -n 20 "$tmp.log" >&2
	echo "debian-root: installing headers in the $suite root failed;" \
		"log in $tmp.log" >&2
	exit 1
fi
rm -f "$tmp.log"
echo "$(($(date +%s) - start))" >"$tmp/.seconds"
touch "$tmp/.complete"
mv "$tmp" "$root"
trap - EXIT
echo "debian-root: $suite root ready in $(cat "$root/.seconds") s" >&2
echo "$root"
