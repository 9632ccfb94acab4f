#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/initramfs.sh KERNEL
#
# Packs the guest for one target kernel into build/KERNEL/initramfs.cpio.gz
# and prints its path.  The modules come from build/KERNEL/module/*.ko
# (scripts/run.sh builds them); the rest is shared by all kernels:
#
#   /init                      tests/init
#   /bin/busybox + applets     from busybox-static
#   /lib/fortune/*.ko          the modules built for KERNEL
#   /tests/suite.list          tests/suite.list
#   /tests/NAME                tests/NAME.c, static (see tests/suite.list)
#   /tests/NAME.sh             tests/NAME.sh, run with busybox sh
#   /tests/bench*              tests/bench*.c and tests/bench*.sh, if any
#   /usr/bin/fortunectl        fortunectl/fortunectl.c, static
#   /usr/share/games/fortunes  Debian's fortunes-min
#   /...                       FORTUNE_EXTRA=DIR, if set: DIR's tree, copied
#                              over the rest (scripts/bench.sh uses it)
#
# Guest programs are built into build/guest and rebuilt only when their
# source, fortune.h or a tests/*.h header is newer.  A program that does not
# compile is left out (its errors go to stderr): the guest then reports it
# as a failed test.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 KERNEL" >&2
	exit 2
}
kernel=$1
cd "$(dirname "$0")/.."
top=$(pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
guest=$top/build/guest
stage=$top/build/$kernel/initramfs
out=$top/build/$kernel/initramfs.cpio.gz

# Is $1 missing or older than any of the other arguments?
stale() {
	target=$1
	shift
	[ -e "$target" ] || return 0
	for dep; do
		[ -z "$(find "$dep" -newer "$target" 2>/dev/null)" ] ||
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
	gcc -static -O2 -Wall -Wextra -Werror -I. -Itests $flags \
		-o "$target" "$src" >&2 || {
		echo "initramfs: $src does not build, left out" >&2
		touch "$target.failed"
	}
}

mkdir -p "$guest/tests" "$guest/bin"

# The suite: NAME is built from tests/NAME.c, or copied from tests/NAME.sh.
# NAME32 is built with -m32, from tests/NAME32.c if it exists, else from
# tests/NAME.c (the same test, run as a 32-bit program).
rm -f "$guest"/tests/*.sh
while read -r name _; do
	case $name in '' | '#'*) continue ;; esac
	if [ -f "tests/$name.c" ]; then
		case $name in
		*32) guest_cc "$guest/tests/$name" "tests/$name.c" -m32 ;;
		*) guest_cc "$guest/tests/$name" "tests/$name.c" ;;
		esac
	elif [ -f "tests/$name.sh" ]; then
		cp "tests/$name.sh" "$guest/tests/"
	else
		case $name in
		*32) [ ! -f "tests/${name%32}.c" ] ||
			guest_cc "$guest/tests/$name" "tests/${name%32}.c" -m32 ;;
		esac
	fi
done <tests/suite.list
for src in tests/bench*.c; do
	[ ! -f "$src" ] || guest_cc "$guest/tests/$(basename "$src" .c)" "$src"
done
for src in tests/bench*.sh; do
	[ ! -f "$src" ] || cp "$src" "$guest/tests/"
done

if [ -f fortunectl/fortunectl.c ]; then
	# shellcheck disable=SC2046 # one word per source file
	if stale "$guest/bin/fortunectl" fortune.h $(ls fortunectl/*); then
		rm -f "$guest/bin/fortunectl"
		echo "initramfs: building fortunectl" >&2
		gcc -static -O2 -Wall -Wextra -I. -o "$guest/bin/fortunectl" \
			fortunectl/fortunectl.c >&2 ||
			echo "initramfs: fortunectl does not build, left out" >&2
	fi
fi

# Debian's fortunes-min, fetched once per version.
fortunes_version=$(apt-cache show --no-all-versions fortunes-min |
	awk '$1 == "Version:" { print $2; exit }')
fortunes=$cache/fortunes-min_$fortunes_version
if [ ! -f "$fortunes/.unpacked" ]; then
	echo "initramfs: fetching fortunes-min $fortunes_version" >&2
	rm -rf "$fortunes" "$fortunes.tmp"
	mkdir -p "$fortunes" "$fortunes.tmp"
	chown _apt "$fortunes.tmp" 2>/dev/null || true
	(cd "$fortunes.tmp" &&
		apt-get download -q "fortunes-min=$fortunes_version") >&2
	dpkg-deb -x "$fortunes.tmp"/fortunes-min_*.deb "$fortunes"
	rm -rf "$fortunes.tmp"
	touch "$fortunes/.unpacked"
fi

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root" \
	"$stage/etc" "$stage/lib/fortune" "$stage/tests" \
	"$stage/usr/share/games"
cp /bin/busybox "$stage/bin/busybox"
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
