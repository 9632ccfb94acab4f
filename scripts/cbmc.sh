#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/cbmc.sh ARGS...
#
# Runs CBMC, the C bounded model checker, with ARGS: trixie's cbmc 6.6.
# Bookworm has no cbmc package, and bullseye's 5.12 is several times
# slower on the pot's proofs (README, "The pot's proofs").  Trixie's needs
# trixie's C and C++ libraries, so it runs in a root of its own: cbmc and
# the packages it links (minisat, libc6, libstdc++6, libgcc-s1, zlib1g),
# with trixie's z3 (z3, libz3-4) for `--z3`, which CBMC starts by name
# (a wrapper in the root's wrap/, first in PATH, runs it),
# taken with scripts/apt-suite.sh (trixie's index, apt's own state, the
# host's mirrors) and unpacked with dpkg-deb -x into
# $FORTUNE_CACHE/tools/cbmc_VERSIONS, once.  cbmc starts through that
# root's own dynamic loader, with the root's libraries only: the host's are
# never mixed in, and nothing is installed on the host.  It preprocesses
# with the host's gcc, as a child process that the loader's library path
# does not reach.  The entry is keyed by the version of every package in
# it (a security update of trixie's libc gives a new entry), built in a
# temporary directory and renamed into place, so that concurrent runs
# never see half of it.
#
#   CBMC_TOOL=goto-cc scripts/cbmc.sh ARGS...
#
# Runs another program of the cbmc package instead (goto-cc,
# goto-instrument: proofs/Makefile.common, for contracts).
#
#   scripts/cbmc.sh --root
#
# Makes the root if need be and prints its path.  With CBMC_ROOT set to
# that path, scripts/cbmc.sh runs the cbmc there without asking trixie's
# index again (tests/host/prove.sh runs many).
set -eu

CBMC_VERSION=6.6.0-4
libs="minisat libc6 libstdc++6 libgcc-s1 zlib1g z3 libz3-4"

here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
apt_suite="$here/apt-suite.sh trixie amd64"

# run DIR ARGS...: cbmc (or CBMC_TOOL) from the root in DIR, its z3 first
# in PATH.
run() {
	lib=$1/usr/lib/x86_64-linux-gnu
	root=$1
	shift
	PATH=$root/wrap:$PATH
	export PATH
	exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib:$root/usr/lib" \
		"$root/usr/bin/${CBMC_TOOL:-cbmc}" "$@"
}

if [ -n "${CBMC_ROOT:-}" ] && [ "${1:-}" != --root ]; then
	[ -x "$CBMC_ROOT/usr/bin/cbmc" ] || {
		echo "cbmc: no cbmc in CBMC_ROOT=$CBMC_ROOT" >&2
		exit 1
	}
	run "$CBMC_ROOT" "$@"
fi

# The candidate version of each library, in trixie.
key=cbmc_$CBMC_VERSION
pins="cbmc=$CBMC_VERSION"
for pkg in $libs; do
	v=$($apt_suite apt-cache show --no-all-versions "$pkg" |
		awk '$1 == "Version:" { print $2; exit }')
	[ -n "$v" ] || {
		echo "cbmc: trixie serves no $pkg" >&2
		exit 1
	}
	key=${key}_$pkg-$(echo "$v" | tr : _)
	pins="$pins $pkg=$v"
done
dir=$cache/tools/$key

if [ ! -x "$dir/usr/bin/cbmc" ]; then
	echo "cbmc: fetching trixie's cbmc $CBMC_VERSION into $dir" >&2
	mkdir -p "$cache/tools"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(
		cd "$tmp"
		# shellcheck disable=SC2086 # one word per package
		$apt_suite apt-get download -q $pins >&2
		for deb in ./*.deb; do
			dpkg-deb -x "$deb" root
		done
	)
	# z3 by name, through the root's loader, wherever the root ends.
	mkdir "$tmp/root/wrap"
	cat >"$tmp/root/wrap/z3" <<'EOF_Z3'
#!/bin/sh
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$root/usr/lib/x86_64-linux-gnu
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$root/usr/bin/z3" "$@"
EOF_Z3
	chmod +x "$tmp/root/wrap/z3"
	lib=$tmp/root/usr/lib/x86_64-linux-gnu
	if ! "$tmp/root/wrap/z3" --version >&2 ||
		! "$lib/ld-linux-x86-64.so.2" --library-path \
			"$lib:$tmp/root/usr/lib" "$tmp/root/usr/bin/cbmc" \
			--version >&2; then
		echo "cbmc: trixie's cbmc or z3 does not run on this host" >&2
		exit 1
	fi
	# Another run may have won the race: keep its copy.
	mv -T "$tmp/root" "$dir" 2>/dev/null || true
	rm -rf "$tmp"
	trap - EXIT
fi

if [ "${1:-}" = --root ]; then
	echo "$dir"
	exit 0
fi
run "$dir" "$@"
