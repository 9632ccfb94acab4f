#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel provider for a Debian kernel (see scripts/kernels.conf):
#
#   scripts/debian-kernel.sh SUITE ARCH FLAVOUR
#
# e.g. `trixie amd64 rt-amd64`.  The metapackage linux-image-FLAVOUR of
# SUITE (bullseye, bookworm, trixie with their -updates and -security, or
# sid) for ARCH names the image, so the matrix follows Debian without
# edits.  Downloads that image into the cache and unpacks its /boot (never
# installs it), and provides headers to build against the way a user of
# that release would:
#
#   bookworm amd64     the host's own headers package (the host is bookworm)
#   bookworm i386      Debian's 686-pae headers and the matching
#                      linux-kbuild, unpacked into the cache; the host's gcc
#   otherwise          a minbase root of SUITE with its own gcc and headers
#                      (scripts/debian-root.sh); for arm64, the root's
#                      gcc-aarch64-linux-gnu (on a bookworm host it
#                      conflicts with gcc-multilib, which the -m32 tests
#                      need) and Debian's arm64 headers unpacked beside its
#                      amd64 ones
#
# Prints image=, kdir=, release=, arch= and, when the build needs them,
# root= (kdir is then inside it), karch= and cross= (kbuild's ARCH and
# CROSS_COMPILE).  Progress goes to stderr.
set -eu

[ $# -eq 3 ] || {
	echo "usage: $0 SUITE ARCH FLAVOUR (e.g. trixie amd64 rt-amd64)" >&2
	exit 2
}
suite=$1 arch=$2 flavour=$3
here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
apt_suite="$here/apt-suite.sh $suite $arch"
meta=linux-image-$flavour

case $arch in
amd64) karch='' cross='' ;;
i386) karch='' cross='' ;;
arm64) karch=arm64 cross=aarch64-linux-gnu- ;;
*)
	echo "debian-kernel: no QEMU guest for architecture '$arch'" >&2
	exit 1
	;;
esac

# version PKG: PKG's candidate version in SUITE for ARCH.
version() {
	$apt_suite apt-cache show --no-all-versions "$1" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }'
}

# The metapackage's images, newest first: one line "IMAGE VERSION" for
# each version of the metapackage that SUITE lists.  apt-suite.sh refreshes
# the lists if the metapackage is unknown, and says on one line what it
# cannot use.
candidates() {
	$apt_suite apt-cache madison "$meta" 2>/dev/null |
		awk -F' *[|] *' '{ print $2 }' | while read -r mv; do
		img=$($apt_suite apt-cache depends "$meta=$mv" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {
				print $2; exit }') || true
		[ -z "$img" ] || echo "$img $(version "$img")"
	done
}
# Asked first on its own: an unknown metapackage makes apt-suite.sh
# refresh the lists (a kernel published since) before it gives up.
$apt_suite apt-cache depends "$meta" >/dev/null 2>&1 || true
list=$(candidates) || true
[ -n "$list" ] || {
	echo "debian-kernel: Debian $suite serves no $meta for $arch" >&2
	exit 1
}
set_candidate() {
	image_pkg=$1 version=$2
	release=${image_pkg#linux-image-}
	# Debian's unsigned images have their own package name.
	release=${release%-unsigned}
}
# shellcheck disable=SC2046 # IMAGE VERSION, two words
set_candidate $(echo "$list" | head -n 1)

# download DIR PKG=VERSION...: download these .debs into DIR.tmp (the
# caller unpacks them and marks DIR complete).
download() {
	d=$1
	shift
	rm -rf "$d.tmp"
	mkdir -p "$d.tmp"
	(cd "$d.tmp" && $apt_suite apt-get download -q "$@") >&2
}

root=
case $suite-$arch in
bookworm-amd64 | bookworm-i386) ;;
*) root=$("$here/debian-root.sh" "$suite") ;;
esac

# fetch_image: download and unpack the candidate image into $dir, or
# fail if the mirror serves neither it nor its -unsigned twin.
fetch_image() {
	echo "debian-kernel: fetching $image_pkg $version ($suite $arch)" >&2
	# Newer images keep the kernel itself in linux-binary-RELEASE.
	binary=$($apt_suite apt-cache depends "$image_pkg=$version" |
		awk '$1 == "Depends:" && $2 ~ /^linux-binary-/ { print $2 "='"$version"'" }')
	# A mirror may lack the signed image: the unsigned one is the same
	# kernel.
	# shellcheck disable=SC2086 # none, or one word per package
	download "$dir" "$image_pkg=$version" $binary ||
		download "$dir" "$image_pkg-unsigned=$version" $binary ||
		return 1
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	# Only the kernel is needed: the guest loads no module of the
	# image's own.  It is in /boot, or (newer) /usr/lib/modules/RELEASE.
	for deb in "$dir.tmp"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xf - -C "$dir.new" --wildcards ./boot \
				"./usr/lib/modules/*/vmlinuz" 2>/dev/null || true
	done
	rm -rf "$dir.tmp"
	touch "$dir.new/.unpacked"
	rm -rf "$dir"
	mv "$dir.new" "$dir" 2>/dev/null || rm -rf "$dir.new"
}

# The newest image the mirror really serves: an archive can list an image
# whose file is missing (seen for bullseye-security's rt image), and then
# the metapackage's previous version (the point release's) stands in.  A
# failed download costs two refreshes of the lists (apt-suite.sh), so it
# is remembered for a day in DIR.unserved, and tried again after that.
while :; do
	dir=$cache/kernels/${image_pkg}_$version
	[ "$arch" = amd64 ] || dir=${dir}_$arch
	# A release's newer headers depend on their image, so its root may
	# hold the very image already.
	# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
	if [ -n "$root" ] && [ -f "$root/boot/vmlinuz-$release" ] &&
		[ "$(dpkg-query --admindir="$root/var/lib/dpkg" -W \
			-f '${Version}' "$image_pkg" 2>/dev/null)" = "$version" ]; then
		dir=$root
		break
	fi
	[ ! -f "$dir/.unpacked" ] || break
	if [ -z "$(find "$dir.unserved" -mmin -1440 2>/dev/null)" ]; then
		fetch_image && break
		rm -rf "$dir.tmp"
		mkdir -p "$(dirname "$dir")"
		touch "$dir.unserved"
	fi
	list=$(echo "$list" | sed 1d)
	[ -n "$list" ] || {
		echo "debian-kernel: Debian $suite $arch lists $meta's images" \
			"but the mirror serves none of them" >&2
		exit 1
	}
	failed="$image_pkg $version"
	# shellcheck disable=SC2046 # IMAGE VERSION, two words
	set_candidate $(echo "$list" | head -n 1)
	echo "debian-kernel: the mirror does not serve $failed;" \
		"taking $image_pkg $version instead" >&2
done

image=$dir/boot/vmlinuz-$release
[ -f "$image" ] || image=$dir/usr/lib/modules/$release/vmlinuz
[ -f "$image" ] || {
	echo "debian-kernel: no kernel image for $release in $image_pkg" >&2
	exit 1
}

case $suite-$arch in
bookworm-amd64)
	"$here/deps.sh" "linux-headers-$release=$version" >&2
	kdir=/usr/src/linux-headers-$release
	;;
bookworm-i386)
	# The headers for ARCH, unpacked with the linux-kbuild they were
	# built with (its tools are amd64: Multi-Arch foreign), so that the
	# headers' relative links to ../../lib/linux-kbuild-* resolve.
	hdir=$cache/headers/linux-headers-${release}_${version}_$arch
	if [ ! -f "$hdir/.unpacked" ]; then
		echo "debian-kernel: fetching headers $release $version" >&2
		hpkg=linux-headers-$release
		common=$($apt_suite apt-cache depends "$hpkg=$version" |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-.*-common/ { print $2 }')
		kbuild=$($apt_suite apt-cache depends "$hpkg=$version" |
			awk '$1 == "Depends:" && $2 ~ /^linux-kbuild-/ { print $2; exit }')
		download "$hdir" "$hpkg=$version"
		for pkg in $common; do
			(cd "$hdir.tmp" && $apt_suite apt-get download -q \
				"$pkg=$version") >&2
		done
		# linux-kbuild for the build machine, amd64.
		(cd "$hdir.tmp" && "$here/apt-suite.sh" "$suite" amd64 \
			apt-get download -q "$kbuild:amd64=$version") >&2
		rm -rf "$hdir.new"
		mkdir -p "$hdir.new"
		for deb in "$hdir.tmp"/*.deb; do
			dpkg-deb -x "$deb" "$hdir.new"
		done
		# The flavour's Makefile includes the common tree by its
		# absolute path: point it inside the cache.
		sed -i "s|include /usr/src/|include $hdir/usr/src/|" \
			"$hdir.new/usr/src/linux-headers-$release/Makefile"
		rm -rf "$hdir.tmp"
		touch "$hdir.new/.unpacked"
		rm -rf "$hdir"
		mv "$hdir.new" "$hdir" 2>/dev/null || rm -rf "$hdir.new"
	fi
	kdir=$hdir/usr/src/linux-headers-$release
	if [ -n "$cross" ] && ! command -v "${cross}gcc" >/dev/null; then
		echo "debian-kernel: no ${cross}gcc for $arch (scripts/deps.sh" \
			"installs gcc-aarch64-linux-gnu)" >&2
		exit 1
	fi
	;;
*)
	kdir=/usr/src/linux-headers-$release
	if [ "$arch" != amd64 ]; then
		# The root carries amd64 headers; unpack ARCH's beside them
		# (the common tree and linux-kbuild are shared).
		[ -d "$root$kdir" ] || {
			echo "debian-kernel: unpacking $release headers into the" \
				"$suite root" >&2
			tmp=$(mktemp -d)
			(cd "$tmp" && $apt_suite apt-get download -q \
				"linux-headers-$release=$version") >&2
			dpkg-deb -x "$tmp"/*.deb "$tmp/x"
			mv "$tmp/x$kdir" "$root$kdir.new.$$"
			mv "$root$kdir.new.$$" "$root$kdir" 2>/dev/null ||
				rm -rf "$root$kdir.new.$$"
			rm -rf "$tmp"
		}
	fi
	if [ "$arch" = amd64 ] && [ ! -f "$root$kdir/Makefile" ]; then
		# An older image than the root was made for (the mirror did
		# not serve the newest): its headers, from the same release.
		echo "debian-kernel: installing linux-headers-$release" \
			"$version in the $suite root" >&2
		chroot "$root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends \
			"linux-headers-$release=$version" >&2 || true
	fi
	[ -f "$root$kdir/Makefile" ] || {
		echo "debian-kernel: no $kdir in the $suite root $root" >&2
		exit 1
	}
	;;
esac
if [ -z "$root" ] && [ ! -f "$kdir/Makefile" ]; then
	echo "debian-kernel: no kernel build tree at $kdir" >&2
	exit 1
fi

echo "image=$image"
echo "kdir=$kdir"
echo "release=$release"
echo "arch=$arch"
[ -z "$root" ] || echo "root=$root"
[ -z "$karch" ] || echo "karch=$karch"
[ -z "$cross" ] || echo "cross=$cross"
