#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/initramfs.sh KERNEL [ARCH]
#
# Packs the guest for one target kernel into build/KERNEL/initramfs.cpio.gz
# and prints its path.  The modules come from build/KERNEL/module/*.ko
# (scripts/run.sh builds them); the rest is shared by all kernels:
#
#   /init                      tests/init
#   /bin/busybox + applets     from busybox-static (the host's for amd64,
#                              Debian bookworm's for another ARCH)
#   /lib/fortune/*.ko          the modules built for KERNEL
#   /tests/suite.list          tests/suite.list
#   /tests/NAME                tests/NAME.c, static (see tests/suite.list)
#   /tests/NAME.sh             tests/NAME.sh, run with busybox sh
#   /tests/ktap.sh, ctl-lib.sh what those source
#   /tests/bench*              tests/bench*.c and tests/bench*.sh, if any
#   /usr/bin/fortunectl        fortunectl/fortunectl.c, static
#   /usr/share/games/fortunes  Debian's fortunes-min
#   /...                       FORTUNE_EXTRA=DIR, if set: DIR's tree, copied
#                              over the rest (scripts/bench.sh uses it)
#
# ARCH is amd64 (the default), i386 or arm64: the guest programs are then
# built with gcc -m32 or aarch64-linux-gnu-gcc, static.  The -m32 tests
# (NAME32) are x86 programs run on an x86-64 kernel: on i386 every program
# is already 32-bit, on arm64 there is no 32-bit userland, so there they
# are replaced by a note the guest reports as a skip with its reason.
#
# Guest programs are built into build/guest (build/guest-ARCH) and rebuilt
# only when their
# source, fortune.h or a tests/*.h header is newer.  A program that does not
# compile is left out (its errors go to stderr): the guest then reports it
# as a failed test.
set -eu

[ $# -eq 1 ] || [ $# -eq 2 ] || {
	echo "usage: $0 KERNEL [ARCH]" >&2
	exit 2
}
kernel=$1
arch=${2:-amd64}
cd "$(dirname "$0")/.."
top=$(pwd)
here=$top/scripts
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
case $arch in
amd64) guest=$top/build/guest cc="gcc" ;;
i386) guest=$top/build/guest-$arch cc="gcc -m32" ;;
arm64) guest=$top/build/guest-$arch cc="aarch64-linux-gnu-gcc" ;;
*)
	echo "initramfs: no guest for architecture '$arch'" >&2
	exit 2
	;;
esac
# arm64's programs are built in a bookworm root (scripts/debian-root.sh):
# on the host, gcc-aarch64-linux-gnu conflicts with gcc-multilib.
root=
if [ "$arch" = arm64 ]; then
	root=$("$here/debian-root.sh" bookworm)
	inside=$root/tmp/fortune-guest.$$
	trap 'rm -rf "$inside"' EXIT
fi
# shellcheck disable=SC2086 # the compiler and its options
command -v $root/usr/bin/${cc%% *} >/dev/null || {
	echo "initramfs: no ${cc%% *} for a $arch guest (scripts/deps.sh" \
		"installs it)" >&2
	exit 1
}

# compile OUTPUT GCC-ARGUMENTS...: a static program; the arguments' paths
# are relative to the top of the tree.  In a root, the sources are copied
# in and the program copied out, so nothing is mounted.
compile() {
	target=$1
	shift
	if [ -z "$root" ]; then
		# shellcheck disable=SC2086 # the compiler and its options
		$cc -static -o "$target" "$@"
		return
	fi
	rm -rf "$inside"
	mkdir -p "$inside"
	cp -R fortune.h tests "$inside/"
	[ ! -d fortunectl ] || cp -R fortunectl "$inside/"
	# shellcheck disable=SC2086,SC2016 # compiler options; $1 is sh's
	chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin sh -c \
		'cd "$1" && shift && exec "$@"' sh "${inside#"$root"}" \
		$cc -static -o program "$@" || return 1
	cp "$inside/program" "$target"
}
stage=$top/build/$kernel/initramfs
out=$top/build/$kernel/initramfs.cpio.gz

# Is $1 missing or older than any of the other arguments?  (It names its
# variable apart: sh has no locals, and guest_cc's $target must survive.)
stale() {
	stale_file=$1
	shift
	[ -e "$stale_file" ] || return 0
	for dep; do
		[ -z "$(find "$dep" -newer "$stale_file" 2>/dev/null)" ] ||
			return 0
	done
	return 1
}

# guest_cc OUTPUT SOURCE [-m32]: a static guest program.  A failure is
# remembered in OUTPUT.failed, so that it is reported once, not per kernel.
guest_cc() {
	target=$1
	src=$2
	flags=${3:-}
	stamp=$target
	[ ! -e "$target.failed" ] || stamp=$target.failed
	# shellcheck disable=SC2046 # one word per header
	if ! stale "$stamp" "$src" fortune.h $(ls tests/*.h 2>/dev/null); then
		[ ! -e "$target.failed" ] ||
			echo "initramfs: $src still does not build, left out" >&2
		return 0
	fi
	rm -f "$target" "$target.failed"
	echo "initramfs: building ${target#"$top"/}" >&2
	# shellcheck disable=SC2086 # no flags, or one
	compile "$target" -O2 -Wall -Wextra -Werror -I. -Itests $flags \
		"$src" >&2 || {
		echo "initramfs: $src does not build, left out" >&2
		touch "$target.failed"
	}
}

mkdir -p "$guest/tests" "$guest/bin"

# guest_cc32 NAME SOURCE: the 32-bit x86 build of a test, or on another
# architecture a note saying why it is skipped (tests/init reads it).
guest_cc32() {
	case $arch in
	amd64) guest_cc "$guest/tests/$1" "$2" -m32 ;;
	i386)
		rm -f "$guest/tests/$1"
		echo "the kernel is i386: every test already runs as a native 32-bit program" \
			>"$guest/tests/$1.skip"
		;;
	*)
		rm -f "$guest/tests/$1"
		echo "no 32-bit userland in the $arch guest" \
			>"$guest/tests/$1.skip"
		;;
	esac
}

# The suite: NAME is built from tests/NAME.c, or copied from tests/NAME.sh.
# NAME32 is built with -m32, from tests/NAME32.c if it exists, else from
# tests/NAME.c (the same test, run as a 32-bit program).
rm -f "$guest"/tests/*.sh
while read -r name _; do
	case $name in '' | '#'*) continue ;; esac
	if [ -f "tests/$name.c" ]; then
		case $name in
		*32) guest_cc32 "$name" "tests/$name.c" ;;
		*) guest_cc "$guest/tests/$name" "tests/$name.c" ;;
		esac
	elif [ -f "tests/$name.sh" ]; then
		cp "tests/$name.sh" "$guest/tests/"
	else
		case $name in
		*32) [ ! -f "tests/${name%32}.c" ] ||
			guest_cc32 "$name" "tests/${name%32}.c" ;;
		esac
	fi
done <tests/suite.list
# What the shell tests source from beside them.
cp tests/ktap.sh tests/ctl-lib.sh "$guest/tests/"
# The benchmark reads the TSC: x86-64 only.
[ "$arch" = amd64 ] || rm -f "$guest"/tests/bench*
for src in tests/bench*.c; do
	[ "$arch" = amd64 ] || break
	[ ! -f "$src" ] || guest_cc "$guest/tests/$(basename "$src" .c)" "$src"
done
for src in tests/bench*.sh; do
	[ "$arch" = amd64 ] || break
	[ ! -f "$src" ] || cp "$src" "$guest/tests/"
done

if [ -f fortunectl/fortunectl.c ]; then
	# shellcheck disable=SC2046 # one word per source file
	if stale "$guest/bin/fortunectl" fortune.h $(ls fortunectl/*); then
		rm -f "$guest/bin/fortunectl"
		echo "initramfs: building fortunectl" >&2
		compile "$guest/bin/fortunectl" -O2 -Wall -Wextra -I. \
			fortunectl/fortunectl.c >&2 ||
			echo "initramfs: fortunectl does not build, left out" >&2
	fi
fi

# Debian's fortunes-min, fetched once per version.
fortunes_version=$(apt-cache show --no-all-versions fortunes-min |
	awk '$1 == "Version:" { print $2; exit }')
fortunes=$cache/fortunes-min_$fortunes_version
# Initramfs builds of two architectures may run at once: each fetches
# into a directory of its own, and the first to finish puts it in place.
if [ ! -f "$fortunes/.unpacked" ]; then
	echo "initramfs: fetching fortunes-min $fortunes_version" >&2
	tmp=$fortunes.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/deb"
	chown _apt "$tmp/deb" 2>/dev/null || true
	(cd "$tmp/deb" &&
		apt-get download -q "fortunes-min=$fortunes_version") >&2
	dpkg-deb -x "$tmp"/deb/fortunes-min_*.deb "$tmp"
	rm -rf "$tmp/deb"
	touch "$tmp/.unpacked"
	[ -f "$fortunes/.unpacked" ] || rm -rf "$fortunes"
	mv -T "$tmp" "$fortunes" 2>/dev/null || rm -rf "$tmp"
fi

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root" \
	"$stage/etc" "$stage/lib/fortune" "$stage/tests" \
	"$stage/usr/share/games"
# busybox for ARCH: the host's, or Debian bookworm's busybox-static for
# ARCH, unpacked once per version.
busybox=/bin/busybox
if [ "$arch" != amd64 ]; then
	bb_version=$("$here/apt-suite.sh" bookworm "$arch" apt-cache show \
		--no-all-versions busybox-static |
		awk '$1 == "Version:" { print $2; exit }')
	bb=$cache/busybox-static_${bb_version}_$arch
	if [ ! -f "$bb/.unpacked" ]; then
		echo "initramfs: fetching busybox-static $bb_version ($arch)" >&2
		rm -rf "$bb.tmp.$$"
		mkdir -p "$bb.tmp.$$/deb"
		(cd "$bb.tmp.$$/deb" && "$here/apt-suite.sh" bookworm "$arch" \
			apt-get download -q "busybox-static=$bb_version") >&2
		dpkg-deb -x "$bb.tmp.$$"/deb/*.deb "$bb.tmp.$$"
		rm -rf "$bb.tmp.$$/deb"
		touch "$bb.tmp.$$/.unpacked"
		mv "$bb.tmp.$$" "$bb" 2>/dev/null || rm -rf "$bb.tmp.$$"
	fi
	busybox=$bb/bin/busybox
fi
cp "$busybox" "$stage/bin/busybox"
# The applet list is the host busybox's: the same Debian configuration.
for applet in $(/bin/busybox --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
cp tests/init "$stage/init"
chmod 755 "$stage/init"
echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
echo 'root:x:0:' >"$stage/etc/group"
[ "$(id -u)" -ne 0 ] || mknod "$stage/dev/console" c 5 1

for ko in "build/$kernel/module"/*.ko; do
	[ ! -f "$ko" ] || cp "$ko" "$stage/lib/fortune/"
done
cp tests/suite.list "$stage/tests/"
cp -R "$guest/tests/." "$stage/tests/"
[ ! -f "$guest/bin/fortunectl" ] || cp "$guest/bin/fortunectl" "$stage/usr/bin/"
cp -R "$fortunes/usr/share/games/fortunes" "$stage/usr/share/games/"
[ -z "${FORTUNE_EXTRA:-}" ] || cp -R "$FORTUNE_EXTRA/." "$stage/"

(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
