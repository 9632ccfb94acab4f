#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel provider for a Debian kernel (see scripts/kernels.conf):
#
#   scripts/debian-kernel.sh linux-image-amd64
#
# Resolves the metapackage to the image it points at, downloads that .deb
# into the cache and unpacks its /boot there (never installs it), installs
# the matching headers, and prints image=, kdir= and release=.  The unpacked
# image is keyed by package name and version, so it is fetched only once.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 linux-image-METAPACKAGE" >&2
	exit 2
}
meta=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}

# Package lists may be missing (fresh machine) or stale (a new kernel was
# published since): refresh them once before giving up.
apt_cache_ok() {
	apt-cache show "$meta" >/dev/null 2>&1
}
if ! apt_cache_ok; then
	echo "debian-kernel: refreshing package lists" >&2
	apt-get update -q >&2
fi

image_pkg=$(apt-cache depends "$meta" |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
[ -n "$image_pkg" ] || {
	echo "debian-kernel: $meta depends on no linux-image package" >&2
	exit 1
}
version=$(apt-cache show --no-all-versions "$image_pkg" |
	awk '$1 == "Version:" { print $2; exit }')
release=${image_pkg#linux-image-}
dir=$cache/kernels/${image_pkg}_$version

if [ ! -f "$dir/.unpacked" ]; then
	echo "debian-kernel: fetching $image_pkg $version" >&2
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir" "$dir.tmp"
	# apt fetches as the _apt user when it can write the directory.
	chown _apt "$dir.tmp" 2>/dev/null || true
	(cd "$dir.tmp" && apt-get download -q "$image_pkg=$version") >&2 || {
		apt-get update -q >&2
		(cd "$dir.tmp" && apt-get download -q "$image_pkg=$version") >&2
	}
	# Only /boot is needed: the guest loads no module of the image's own.
	dpkg-deb --fsys-tarfile "$dir.tmp/${image_pkg}_"*.deb |
		tar -xf - -C "$dir" ./boot
	rm -rf "$dir.tmp"
	touch "$dir/.unpacked"
fi

image=$dir/boot/vmlinuz-$release
[ -f "$image" ] || {
	echo "debian-kernel: no $image in $image_pkg" >&2
	exit 1
}

"$here/deps.sh" "linux-headers-$release=$version" >&2
kdir=/usr/src/linux-headers-$release
[ -f "$kdir/Makefile" ] || {
	echo "debian-kernel: no kernel build tree at $kdir" >&2
	exit 1
}

echo "image=$image"
echo "kdir=$kdir"
echo "release=$release"
