#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what the harness needs, and only what is missing.
#
#   scripts/deps.sh            everything: tools, and the headers of every
#                              Debian kernel named in scripts/kernels.conf
#   scripts/deps.sh PKG[=VER]… only these packages (at this exact version)
#
# Each package is checked with dpkg-query first; `apt-get update` and
# `apt-get install` run only when something is missing, so a second run
# does nothing and needs no network.
set -eu

cd "$(dirname "$0")/.."

# The tools: compilers (gcc-multilib for the -m32 guest tests and the
# i386 guest), the kernel build's own needs, linters, the guest's userland,
# QEMU for x86 and arm64, debootstrap for other releases' build roots and
# the system test, linux-kbuild-6.1 for bookworm's headers, and Debian's
# packaging tools (dpkg-buildpackage also wants build-essential), and
# systemd for systemd-analyze, which rates the packaged units.  Not
# gcc-aarch64-linux-gnu: on bookworm it conflicts with gcc-multilib, so
# arm64 builds in a root.
base="gcc make libc6-dev gcc-multilib perl sparse shellcheck dkms kmod cpio
busybox-static qemu-system-x86 linux-source-6.1 flex bison bc libelf-dev
libssl-dev gnuplot-nox xz-utils gzip debootstrap qemu-system-arm
linux-kbuild-6.1 build-essential dpkg-dev debhelper dh-dkms lintian e2fsprogs
systemd"

# Headers for each bookworm amd64 kernel that scripts/debian-kernel.sh
# provides (the metapackage linux-image-FLAVOUR pairs with
# linux-headers-FLAVOUR).  Other releases and architectures get theirs in
# the cache (scripts/debian-kernel.sh).
debian_headers() {
	while read -r name provider suite arch flavour _; do
		case $name in '' | '#'*) continue ;; esac
		[ "${provider##*/}" = debian-kernel.sh ] || continue
		[ "$suite-$arch" = bookworm-amd64 ] || continue
		echo "linux-headers-$flavour"
	done <scripts/kernels.conf
}

if [ $# -gt 0 ]; then
	wanted=$*
else
	wanted="$base $(debian_headers)"
fi

# PKG or PKG=VERSION: is it installed (at that version)?
installed() {
	pkg=${1%%=*}
	status=$(dpkg-query -W -f '${db:Status-Status} ${Version}' "$pkg" \
		2>/dev/null) || return 1
	case $1 in
	*=*) [ "$status" = "installed ${1#*=}" ] ;;
	*) [ "${status%% *}" = installed ] ;;
	esac
}

missing=
for pkg in $wanted; do
	installed "$pkg" || missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=sudo
	else
		echo "deps: not root; install these packages:$missing" >&2
		exit 1
	fi
else
	sudo=
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt (a second harness, unattended-upgrades) may hold dpkg's lock:
# wait for it rather than fail.
lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086 # word splitting of the lists is intended
{
	$sudo apt-get $lock update -q >&2
	$sudo apt-get $lock install -y -q --no-install-recommends $missing >&2
}
