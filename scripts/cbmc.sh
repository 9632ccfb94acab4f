#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/cbmc.sh ARGS...
#
# Runs CBMC, the C bounded model checker, with ARGS.  Bookworm has no cbmc
# package; bullseye's (built against an older glibc) runs here.  It is
# taken with scripts/apt-suite.sh (bullseye's index, apt's own state, the
# host's mirrors), with the minisat library it links, unpacked with
# dpkg-deb -x into $FORTUNE_CACHE/tools/cbmc_VERSION, once: the entry is
# keyed by the two versions below, built in a temporary directory and
# renamed into place, so that concurrent runs never see half of it.
set -eu

CBMC_VERSION=5.12-5
MINISAT_VERSION=1:2.2.1-5+b3

here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
dir=$cache/tools/cbmc_${CBMC_VERSION}_minisat_$(echo "$MINISAT_VERSION" |
	tr : _)

if [ ! -x "$dir/usr/bin/cbmc" ]; then
	echo "cbmc: fetching bullseye's cbmc $CBMC_VERSION into $dir" >&2
	mkdir -p "$cache/tools"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(
		cd "$tmp"
		"$here/apt-suite.sh" bullseye amd64 apt-get download -q \
			"cbmc=$CBMC_VERSION" "minisat=$MINISAT_VERSION" >&2
		for deb in ./*.deb; do
			dpkg-deb -x "$deb" root
		done
	)
	"$tmp/root/usr/bin/cbmc" --version >/dev/null 2>&1 ||
		LD_LIBRARY_PATH=$tmp/root/usr/lib "$tmp/root/usr/bin/cbmc" \
			--version >&2 || {
		echo "cbmc: bullseye's cbmc does not run on this host" >&2
		exit 1
	}
	# Another run may have won the race: keep its copy.
	mv -T "$tmp/root" "$dir" 2>/dev/null || true
	rm -rf "$tmp"
	trap - EXIT
fi

# cbmc preprocesses with the host's gcc; minisat comes with it.
LD_LIBRARY_PATH=$dir/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
exec "$dir/usr/bin/cbmc" "$@"
