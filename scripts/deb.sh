#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/deb.sh [OUTDIR [VERSION]]     (`make deb`: OUTDIR is build/deb)
#
# Builds fortune-dkms_VERSION_all.deb and fortunectl_VERSION_ARCH.deb with
# dpkg-buildpackage and debhelper (debian/), from a scratch copy of the
# tree in OUTDIR/fortune-ko-VERSION, and prints the paths of the two .debs.
# The copy holds the files git knows of (tracked or not ignored), or, out
# of a git checkout, everything but build/.
#
# The packages take their version from debian/changelog alone (dh_dkms -V
# writes it into the packaged dkms.conf); dkms.conf's PACKAGE_VERSION, the
# version of a tree added with `dkms add .`, must agree.  VERSION, when
# given, is a new changelog entry in the scratch copy and nothing else,
# as `dch -i` would make it: the system test builds a second, newer
# version that way, and installs it as an upgrade that DKMS adds and
# builds, so a bump made the way Debian maintainers make it is tested.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-build/deb}
case $out in /*) ;; *) out=$top/$out ;; esac

[ -n "${FORTUNE_DEPS_DONE:-}" ] ||
	scripts/deps.sh build-essential dpkg-dev debhelper dh-dkms dkms >&2

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
logged=$(dpkg-parsechangelog -S Version)
if [ "$version" != "$logged" ]; then
	echo "deb: dkms.conf says version $version, debian/changelog $logged:" \
		"make them agree" >&2
	exit 1
fi
new=${2:-$version}

rm -rf "$out"
tree=$out/fortune-ko-$new
mkdir -p "$tree"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Deleted but still tracked files are left out.
	git ls-files -c -o --exclude-standard | while IFS= read -r f; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			cp -P --parents "$f" "$tree"
		fi
	done
else
	tar --exclude=./build -cf - . | tar -xf - -C "$tree"
fi

if [ "$new" != "$version" ]; then
	maintainer=$(dpkg-parsechangelog -S Maintainer)
	{
		printf 'fortune-ko (%s) unstable; urgency=medium\n\n' "$new"
		printf '  * Rebuilt as version %s.\n\n' "$new"
		printf ' -- %s  %s\n\n' "$maintainer" "$(date -R)"
		cat debian/changelog
	} >"$tree/debian/changelog"
fi

echo "deb: building fortune-ko $new in $tree" >&2
(cd "$tree" && dpkg-buildpackage -us -uc) >"$out/build.log" 2>&1 || {
	echo "deb: dpkg-buildpackage failed; the end of $out/build.log:" >&2
	tail -n 20 "$out/build.log" >&2
	exit 1
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
for deb in "$out/fortune-dkms_${new}_all.deb" \
	"$out/fortunectl_${new}_$arch.deb"; do
	[ -f "$deb" ] || {
		echo "deb: $deb was not built" >&2
		exit 1
	}
	echo "$deb"
done
