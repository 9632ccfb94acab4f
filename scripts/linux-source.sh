#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an unpacked Debian linux-source-6.1 tree, unpacking it
# into the cache on first use.  checkpatch.pl and the debug kernel both
# come from it.  The tree is keyed by the package version, so an upgraded
# linux-source-6.1 gets a fresh copy.
set -eu

cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
tarball=/usr/src/linux-source-6.1.tar.xz

if [ ! -f "$tarball" ]; then
	"$(dirname "$0")/deps.sh" linux-source-6.1 >&2
fi
version=$(dpkg-query -W -f '${Version}' linux-source-6.1)
dir=$cache/linux-source-$version

# make check runs the debug and KCSAN kernels and the lint side by side,
# and each may be the first to need the tree: one unpacks, the others wait
# for it.  A tree is unpacked beside its place and moved there whole.
if [ ! -f "$dir/.unpacked" ]; then
	mkdir -p "$cache"
	exec 9>"$dir.lock"
	flock 9
	if [ ! -f "$dir/.unpacked" ]; then
		echo "unpacking linux-source-6.1 $version into $dir (once)" >&2
		rm -rf "$dir" "$dir.new"
		mkdir -p "$dir.new"
		tar -xJf "$tarball" -C "$dir.new" --strip-components=1
		touch "$dir.new/.unpacked"
		mv "$dir.new" "$dir"
	fi
	exec 9>&-
fi
echo "$dir"
