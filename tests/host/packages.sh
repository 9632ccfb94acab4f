#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make deb` and what goes around it, on the host: both packages build,
# lintian finds no error, warning or info (overrides aside, each explained
# in debian/), the packages hold what they should and no test module, the
# DKMS source builds on its own, `make install` leaves fortune_kunit.ko
# out even on a kernel with KUnit, and `make` without kernel headers says
# what to install.  Prints one KTAP document.  (The packages are installed,
# upgraded and purged for real by tests/host/system.sh.)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/fortune-packages.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/ktap.sh
. "$top/tests/ktap.sh"

echo "KTAP version 1"
echo "1..8"

[ -n "${FORTUNE_DEPS_DONE:-}" ] ||
	"$top/scripts/deps.sh" build-essential dpkg-dev debhelper dh-dkms \
		dkms lintian make gcc linux-headers-amd64 systemd >&2

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
out=$tmp/deb
why=
debs=
if ! debs=$("$top/scripts/deb.sh" "$out"); then
	why="scripts/deb.sh failed"
fi
result make_deb "$why"
dkms_deb=$(echo "$debs" | grep '/fortune-dkms_' || true)
ctl_deb=$(echo "$debs" | grep '/fortunectl_' || true)

why=
changes=$(ls "$out"/fortune-ko_"$version"_*.changes 2>/dev/null || true)
if [ -z "$changes" ]; then
	why="no .changes to check"
else
	lintian -I -E --pedantic "$changes" >"$tmp/lintian" 2>&1 || true
	tags=$(grep -E '^[EWIPX]: ' "$tmp/lintian" || true)
	[ -z "$tags" ] || why="lintian: $(echo "$tags" | tr '\n' ' ')"
	sed 's/^/# lintian: /' "$tmp/lintian"
fi
result lintian_clean "$why"

why=
src=usr/src/fortune-$version
if [ -z "$dkms_deb" ] || [ -z "$ctl_deb" ]; then
	why="a package is missing"
else
	dpkg-deb -c "$dkms_deb" | awk '{ print $6 }' >"$tmp/dkms.list"
	dpkg-deb -c "$ctl_deb" | awk '{ print $6 }' >"$tmp/ctl.list"
	for f in "$src/dkms.conf" "$src/Kbuild" "$src/fortune.c" \
		"$src/fortune.h"; do
		grep -qx "./$f" "$tmp/dkms.list" || why="$why no /$f;"
	done
	for f in usr/bin/fortunectl usr/share/man/man1/fortunectl.1.gz \
		lib/systemd/system/fortune.service etc/default/fortune \
		lib/systemd/system/fortune-save.service \
		lib/systemd/system/fortune-save.timer \
		lib/systemd/system-generators/fortune-save-generator \
		etc/modprobe.d/fortune.conf \
		usr/libexec/fortunectl/fortune-service; do
		grep -qx "./$f" "$tmp/ctl.list" || why="$why no /$f;"
	done
	if grep -q kunit "$tmp/dkms.list" "$tmp/ctl.list"; then
		why="$why a KUnit file is packaged;"
	fi
fi
result package_contents "$why"

# The units as packaged: systemd-analyze security rates each 2.0 at most
# (its --threshold counts in tenths), read offline, without running them.
why=
if [ -z "$ctl_deb" ]; then
	why="no fortunectl package"
else
	dpkg-deb -x "$ctl_deb" "$tmp/ctl"
	for unit in fortune.service fortune-save.service; do
		if ! systemd-analyze security --offline=yes --threshold=20 \
			"$tmp/ctl/lib/systemd/system/$unit" >"$tmp/security" 2>&1; then
			why="$why $unit: $(grep 'Overall exposure' "$tmp/security" ||
				tail -n 1 "$tmp/security");"
		fi
		grep 'Overall exposure' "$tmp/security" | sed 's/^/# /'
	done
fi
result units_hardened "$why"

# A version bump as Debian maintainers make it: a changelog entry and a
# plain dpkg-buildpackage (scripts/deb.sh VERSION changes nothing else).
# The packaged dkms.conf, its directory and the maintainer scripts must
# all say the new version (the system test installs such a build, which
# DKMS adds and builds).
why=
bumped=$version+bump1
if ! bdebs=$("$top/scripts/deb.sh" "$tmp/bump" "$bumped"); then
	why="the bumped build failed"
else
	bdkms=$(echo "$bdebs" | grep '/fortune-dkms_')
	dpkg-deb -x "$bdkms" "$tmp/bumped"
	dpkg-deb -e "$bdkms" "$tmp/bumped-ctl"
	conf=$tmp/bumped/usr/src/fortune-$bumped/dkms.conf
	if [ ! -f "$conf" ]; then
		why="no /usr/src/fortune-$bumped/dkms.conf: $(ls "$tmp/bumped/usr/src")"
	elif ! grep -qx "PACKAGE_VERSION=\"$bumped\"" "$conf"; then
		why="dkms.conf says $(grep '^PACKAGE_VERSION' "$conf")"
	elif ! grep -qx "DKMS_VERSION=$bumped" "$tmp/bumped-ctl/postinst"; then
		why="postinst says $(grep '^DKMS_VERSION' "$tmp/bumped-ctl/postinst")"
	fi
fi
result bumped_version_consistent "$why"

# The DKMS source alone, as DKMS builds it, on a kernel said to have KUnit.
kver=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 |
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
kdir=/usr/src/linux-headers-$kver
why=
if [ -z "$dkms_deb" ]; then
	why="no fortune-dkms package"
else
	dpkg-deb -x "$dkms_deb" "$tmp/root"
	if ! make -C "$kdir" M="$tmp/root/$src" CONFIG_KUNIT=m modules \
		>"$tmp/dkms.log" 2>&1; then
		why="the packaged source does not build: $(tail -n 1 "$tmp/dkms.log")"
	elif [ ! -f "$tmp/root/$src/fortune.ko" ]; then
		why="no fortune.ko built"
	elif ls "$tmp/root/$src"/fortune_kunit* >/dev/null 2>&1; then
		why="fortune_kunit was built from the package"
	fi
fi
result dkms_source_builds "$why"

# make install on a kernel with KUnit: fortune_kunit.ko is built (the
# kernel is told CONFIG_KUNIT=m; its symbols are then missing, hence the
# modpost warnings only) but not installed; uninstall removes everything.
why=
copy=$tmp/src
mkdir "$copy"
tar -C "$top" --exclude=./.git --exclude=./build --exclude='*.o' \
	--exclude='*.ko' --exclude='.*.cmd' --exclude=./fortunectl/fortunectl \
	-cf - . | tar -C "$copy" -xf -
dest=$tmp/dest
if ! make -C "$copy" install DESTDIR="$dest" KDIR="$kdir" CONFIG_KUNIT=m \
	KBUILD_MODPOST_WARN=1 >"$tmp/install.log" 2>&1; then
	why="make install: $(tail -n 1 "$tmp/install.log")"
elif [ ! -f "$copy/fortune_kunit.ko" ]; then
	why="the test did not get fortune_kunit.ko built"
elif find "$dest" -name 'fortune_kunit*' | grep -q .; then
	why="installed: $(find "$dest" -name 'fortune_kunit*')"
elif ! make -C "$copy" uninstall DESTDIR="$dest" KDIR="$kdir" \
	>"$tmp/install.log" 2>&1; then
	why="make uninstall: $(tail -n 1 "$tmp/install.log")"
elif [ -n "$(find "$dest" ! -type d)" ]; then
	why="left behind: $(find "$dest" ! -type d | tr '\n' ' ')"
fi
result install_leaves_out_kunit "$why"

# No headers: a message that says what to do, not kbuild's error.
why=
rc=0
make -C "$copy" modules KDIR="$tmp/no-such-kernel" >"$tmp/make.log" 2>&1 ||
	rc=$?
if [ "$rc" -eq 0 ]; then
	why="make without a kernel tree succeeded"
elif ! grep -q 'KDIR=' "$tmp/make.log"; then
	why="no advice: $(head -n 1 "$tmp/make.log")"
elif grep -q 'No such file or directory' "$tmp/make.log"; then
	why="kbuild's error still shows"
elif [ ! -d "/lib/modules/$(uname -r)/build" ]; then
	make -C "$copy" modules >"$tmp/make.log" 2>&1 || true
	grep -q "linux-headers-$(uname -r)" "$tmp/make.log" ||
		why="no linux-headers-$(uname -r) advice: $(head -n 1 "$tmp/make.log")"
fi
result make_without_headers_advises "$why"
