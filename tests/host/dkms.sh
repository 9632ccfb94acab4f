#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf works: `dkms add`, `build`, `install` and `remove` of this tree
# for the kernel that Debian's linux-headers-amd64 points at.  Everything
# happens in a temporary DKMS tree, source tree and install tree (and the
# signing key DKMS makes goes there too), so the system's /var/lib/dkms,
# /usr/src and /lib/modules are left as they were, which the last test
# checks.  Prints one KTAP document.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source=tests/ktap.sh
. "$top/tests/ktap.sh"

echo "KTAP version 1"
if [ "$(id -u)" -ne 0 ]; then
	echo "1..1"
	echo "ok 1 dkms # SKIP dkms add needs root"
	exit 0
fi
echo "1..6"

"$top/scripts/deps.sh" dkms kmod linux-headers-amd64 >&2

# linux-headers-amd64 depends on linux-headers-RELEASE (= VERSION).
kver=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 |
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
arch=$(uname -m)
echo "# kernel $kver, fortune $ver"

tmp=$(mktemp -d /tmp/fortune-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/dkms.log
mkdir "$tmp/dkms" "$tmp/src" "$tmp/lib" "$tmp/lib/$kver" "$tmp/tmp"

# DKMS signs what it builds, making itself a key in /var/lib/dkms unless
# told to use another one.
export mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub"
export TMPDIR="$tmp/tmp"

dkms() {
	command dkms "$@" --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" \
		--installtree "$tmp/lib" >>"$log" 2>&1
}
last_log_line() {
	grep -v '^$' "$log" | tail -n 1
}
status() {
	command dkms status fortune --dkmstree "$tmp/dkms" \
		--sourcetree "$tmp/src" --installtree "$tmp/lib" 2>&1
}
# What the system has where DKMS writes by default.
system_state() {
	find /var/lib/dkms "/lib/modules/$kver" /usr/src -maxdepth 3 \
		2>/dev/null | sort | md5sum
}
before=$(system_state)

# A copy of the sources, as a user would check them out: no build
# products, no harness output, no git.
stage=$tmp/fortune
mkdir "$stage"
tar -C "$top" --exclude=./.git --exclude=./build --exclude='*.o' \
	--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude=modules.order --exclude=Module.symvers \
	--exclude=./fortunectl/fortunectl -cf - . | tar -C "$stage" -xf -

why=
if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	why="no headers for linux-headers-amd64's kernel '$kver'"
elif [ -z "$ver" ]; then
	why="no PACKAGE_VERSION in dkms.conf"
elif ! dkms add "$stage"; then
	why="dkms add: $(last_log_line)"
elif [ ! -f "$tmp/src/fortune-$ver/dkms.conf" ]; then
	why="dkms add made no $tmp/src/fortune-$ver"
elif ! status | grep -q "^fortune/$ver: added"; then
	why="dkms status: $(status)"
fi
result dkms_add "$why"

why=
built=$tmp/dkms/fortune/$ver/$kver/$arch/module/fortune.ko
if ! dkms build -m fortune -v "$ver" -k "$kver"; then
	why="dkms build: $(last_log_line)"
	make_log=$(find "$tmp/dkms" -name make.log | head -n 1)
	[ -z "$make_log" ] || sed 's/^/# /' "$make_log"
elif [ ! -f "$built" ]; then
	why="no $built"
elif ! modinfo -F vermagic "$built" | grep -q "^$kver "; then
	why="vermagic '$(modinfo -F vermagic "$built")' is not for $kver"
elif ! status | grep -q "^fortune/$ver, $kver, $arch: built"; then
	why="dkms status: $(status)"
fi
result dkms_build "$why"

why=
if ! dkms install -m fortune -v "$ver" -k "$kver" --no-depmod; then
	why="dkms install: $(last_log_line)"
else
	installed=$(find "$tmp/lib/$kver" -name 'fortune.ko*' | head -n 1)
	if [ -z "$installed" ]; then
		why="no fortune.ko under $tmp/lib/$kver"
	elif ! cmp -s "$installed" "$built"; then
		why="$installed is not the module dkms built"
	elif ! status | grep -q "^fortune/$ver, $kver, $arch: installed"; then
		why="dkms status: $(status)"
	fi
	echo "# installed as ${installed#"$tmp/lib/"}"
fi
result dkms_install "$why"

# A kernel older than 5.10: DKMS skips it (status 77, which its
# autoinstall and the package's postinst take as "not for this kernel")
# and says why, rather than fail in Kbuild.
why=
rc=0
dkms build -m fortune -v "$ver" -k 5.4.0-1-amd64 || rc=$?
if [ "$rc" -ne 77 ]; then
	why="dkms build for 5.4 exits $rc, not 77: $(last_log_line)"
elif ! grep -q 'BUILD_EXCLUSIVE' "$log"; then
	why="DKMS does not say why: $(last_log_line)"
fi
result dkms_skips_kernels_before_5_10 "$why"

why=
if ! dkms remove "fortune/$ver" --all --no-depmod; then
	why="dkms remove: $(last_log_line)"
elif [ -n "$(find "$tmp/lib/$kver" -name 'fortune.ko*')" ]; then
	why="fortune.ko still installed after dkms remove"
elif [ -n "$(status)" ]; then
	why="dkms status after remove: $(status)"
fi
result dkms_remove "$why"

why=
if [ "$(system_state)" != "$before" ]; then
	why="/var/lib/dkms, /usr/src or /lib/modules/$kver changed"
fi
result system_untouched "$why"
