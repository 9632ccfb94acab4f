#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make install` and `make uninstall` with DESTDIR= and KDIR=: the module
# goes to lib/modules/RELEASE/extra for the release of KDIR (here the kernel
# that Debian's linux-headers-amd64 points at, not the host's), fortunectl
# to PREFIX/bin, nothing else is left behind by uninstall, and nothing
# outside DESTDIR changes.  Builds in a copy of the tree.  Prints one KTAP
# document.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source=tests/ktap.sh
. "$top/tests/ktap.sh"

echo "KTAP version 1"
echo "1..5"

"$top/scripts/deps.sh" make gcc libc6-dev kmod linux-headers-amd64 >&2

kver=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 |
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
kdir=/usr/src/linux-headers-$kver
echo "# KDIR=$kdir"

tmp=$(mktemp -d /tmp/fortune-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
log=$tmp/make.log

# What the system has where an install without DESTDIR would write.
system_state() {
	find "/lib/modules/$kver" /usr/local/bin -maxdepth 3 2>/dev/null |
		sort | md5sum
}
before=$(system_state)

# A copy of the sources without build products, so that this builds from
# scratch and never races a build in the work tree.
src=$tmp/src
mkdir "$src"
tar -C "$top" --exclude=./.git --exclude=./build --exclude='*.o' \
	--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude=modules.order --exclude=Module.symvers \
	--exclude=./fortunectl/fortunectl -cf - . | tar -C "$src" -xf -

last_log_line() {
	grep -v '^$' "$log" | tail -n 1
}

module=$dest/lib/modules/$kver/extra/fortune.ko
ctl=$dest/usr/local/bin/fortunectl

why=
if [ ! -f "$kdir/Makefile" ]; then
	why="no kernel headers at $kdir"
elif ! make -C "$src" install DESTDIR="$dest" KDIR="$kdir" >"$log" 2>&1; then
	why="make install: $(last_log_line)"
elif [ ! -f "$module" ]; then
	why="no $module"
elif ! modinfo -F vermagic "$module" | grep -q "^$kver "; then
	why="vermagic '$(modinfo -F vermagic "$module")' is not for $kver"
fi
result install_module "$why"

why=
if [ ! -f "$ctl" ] || [ ! -x "$ctl" ]; then
	why="no executable $ctl"
elif ! "$ctl" --help | grep -q '^usage: fortunectl'; then
	why="the installed fortunectl does not run"
fi
result install_fortunectl "$why"

why=
others=$(find "$dest" -type f ! -path "$module" ! -path "$ctl")
if [ -n "$others" ]; then
	why="also installed: $(echo "$others" | tr '\n' ' ')"
fi
result install_nothing_else "$why"

why=
if ! make -C "$src" uninstall DESTDIR="$dest" KDIR="$kdir" >"$log" 2>&1; then
	why="make uninstall: $(last_log_line)"
else
	left=$(find "$dest" ! -type d)
	[ -z "$left" ] || why="left behind: $(echo "$left" | tr '\n' ' ')"
fi
result uninstall "$why"

why=
if [ "$(system_state)" != "$before" ]; then
	why="/lib/modules/$kver or /usr/local/bin changed"
fi
result system_untouched "$why"
