#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/apt-suite.sh SUITE ARCH COMMAND [ARGS...]
#
# Runs COMMAND (apt-get or apt-cache, e.g. `apt-cache show
# linux-image-amd64` or `apt-get download busybox-static`) against Debian
# SUITE for ARCH, with an apt configuration, lists, cache and an empty dpkg
# status of its own under $FORTUNE_CACHE/apt/SUITE-ARCH.  The host's
# sources and dpkg database are never touched.
#
# SUITE is bullseye, bookworm or trixie (each with its -updates and
# -security suites) or sid (alone; a mirror snapshot of sid may carry an
# expired Release file, so its Valid-Until is not checked).  The mirrors
# are the host's own, read from /etc/apt/sources.list.d/debian.sources (or
# /etc/apt/sources.list) at every run.
#
# The lists are fetched once, and again when COMMAND fails (a kernel may
# have been published since).  An index apt refuses (a Release caught
# mid-sync, a bad signature) is reported on one line naming it; the rest
# of SUITE stays usable.  Exit status: COMMAND's, or 3 when SUITE's own
# index cannot be had.
set -eu

[ $# -ge 3 ] || {
	echo "usage: $0 SUITE ARCH apt-get|apt-cache ARGS..." >&2
	exit 2
}
suite=$1 arch=$2
shift 2
case $1 in
apt-get | apt-cache) ;;
*)
	echo "apt-suite: COMMAND must be apt-get or apt-cache, not '$1'" >&2
	exit 2
	;;
esac
case $suite in
bullseye | bookworm | trixie) parts="$suite $suite-updates $suite-security" ;;
sid) parts=sid ;;
*)
	echo "apt-suite: unknown suite '$suite' (bullseye, bookworm, trixie or sid)" >&2
	exit 2
	;;
esac
case $arch in
amd64 | arm64 | i386 | armhf | armel | ppc64el | s390x | riscv64 | mips64el) ;;
*)
	echo "apt-suite: unknown architecture '$arch'" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
dir=$cache/apt/$suite-$arch

# The host's mirrors: the archive, and the security archive.
mirrors() {
	src=/etc/apt/sources.list.d/debian.sources
	if [ -r "$src" ]; then
		# deb822: a blank line ends a stanza.
		awk 'function flush() {
			     if (uris != "" && types ~ /(^| )deb( |$)/)
				     for (i = 1; i <= n; i++)
					     print (suites ~ /-security/ ? "security" : "archive"), u[i]
			     uris = ""; suites = ""; types = ""
		     }
		     /^[ \t]*$/ { flush(); next }
		     /^URIs:/ { uris = $0; n = split(substr($0, 6), u, " ") }
		     /^Suites:/ { suites = $0 }
		     /^Types:/ { types = substr($0, 7) }
		     END { flush() }' "$src"
	fi
	for src in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$src" ] || continue
		awk '$1 == "deb" {
			     i = 2
			     if ($2 ~ /^\[/) while ($i !~ /\]$/) i++
			     if ($2 ~ /^\[/) i++
			     print ($(i + 1) ~ /-security/ ? "security" : "archive"), $i
		     }' "$src"
	done
}
archive=$(mirrors | awk '$1 == "archive" { print $2; exit }')
security=$(mirrors | awk '$1 == "security" { print $2; exit }')
[ -n "$archive" ] || {
	echo "apt-suite: no Debian mirror in the host's apt sources" >&2
	exit 3
}

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc" \
	"$dir/empty"
[ -e "$dir/status" ] || : >"$dir/status"

# The keyring: the host's, unless it cannot verify SUITE (a newer
# release's keys); then debian-archive-keyring from the newest suite the
# host's keyring verifies (written by keyring_upgrade).
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ ! -f "$dir/keyring.gpg" ] || keyring=$dir/keyring.gpg

write_config() {
	{
		for part in $parts; do
			case $part in
			*-security)
				[ -n "$security" ] || continue
				uri=$security
				;;
			*) uri=$archive ;;
			esac
			opts="arch=$arch signed-by=$keyring"
			[ "$suite" != sid ] || opts="$opts check-valid-until=no"
			echo "deb [$opts] $uri $part main"
		done
	} >"$dir/etc/sources.list.tmp"
	mv "$dir/etc/sources.list.tmp" "$dir/etc/sources.list"
	cat >"$dir/etc/apt.conf.tmp" <<-EOF
		Dir::Etc::Parts "$dir/empty";
		Dir::Etc::SourceList "$dir/etc/sources.list";
		Dir::Etc::SourceParts "$dir/empty";
		Dir::Etc::Preferences "$dir/empty/none";
		Dir::Etc::PreferencesParts "$dir/empty";
		Dir::State "$dir";
		Dir::State::Lists "$dir/lists";
		Dir::State::status "$dir/status";
		Dir::Cache "$dir/cache";
		APT::Architecture "$arch";
		APT::Architectures { "$arch"; };
		APT::Sandbox::User "root";
		APT::Get::AllowUnauthenticated "false";
		Acquire::Languages "none";
		Acquire::Retries "3";
	EOF
	mv "$dir/etc/apt.conf.tmp" "$dir/etc/apt.conf"
}

APT_CONFIG=$dir/etc/apt.conf
export APT_CONFIG

# update: fetch the lists; report each refused index on one line.  Fails
# (status 3) only when the suite's own index is missing afterwards.
update() {
	write_config
	log=$dir/update.log
	apt-get update -q >"$log" 2>&1 || true
	if grep -q 'NO_PUBKEY\|EXPKEYSIG\|is not signed' "$log" &&
		[ ! -f "$dir/keyring.gpg" ] && [ "$suite" != bookworm ]; then
		keyring_upgrade
		write_config
		apt-get update -q >"$log" 2>&1 || true
	fi
	for part in $parts; do
		# apt names a repository "URI SUITE Release".
		why=$(grep -E "^(E|W): .*( $part (Release|InRelease)|dists/$part/)" "$log" |
			head -n 1 | sed 's/^[EW]: //') || true
		[ -z "$why" ] || echo "apt-suite: $part $arch refused by apt," \
			"left out: $why" >&2
	done
	if ! ls "$dir/lists/"*"_dists_${suite}_main_binary-${arch}_Packages"* \
		>/dev/null 2>&1; then
		echo "apt-suite: the archive serves no usable $suite $arch" \
			"index; see $log" >&2
		exit 3
	fi
	date +%s >"$dir/updated"
}

# keyring_upgrade: the host's keyring does not verify SUITE.  Take
# debian-archive-keyring from trixie (verified by the host's keys) and use
# its keyring for SUITE.
keyring_upgrade() {
	echo "apt-suite: the host's keyring does not verify $suite;" \
		"using trixie's debian-archive-keyring" >&2
	tmp=$(mktemp -d "$dir/keyring.XXXXXX")
	(cd "$tmp" && "$here/apt-suite.sh" trixie amd64 apt-get download -q \
		debian-archive-keyring) >&2
	dpkg-deb -x "$tmp"/debian-archive-keyring_*.deb "$tmp/root"
	for k in "$tmp"/root/usr/share/keyrings/debian-archive-keyring.gpg \
		"$tmp"/root/usr/share/keyrings/debian-archive-keyring.pgp; do
		[ ! -f "$k" ] || cp "$k" "$dir/keyring.gpg.tmp"
	done
	mv "$dir/keyring.gpg.tmp" "$dir/keyring.gpg"
	rm -rf "$tmp"
	keyring=$dir/keyring.gpg
}

# One apt at a time per SUITE-ARCH: lists and caches are shared by every
# worktree using this cache.
exec 9>"$dir/lock"
flock 9

fresh=
if [ ! -f "$dir/updated" ] || [ ! -f "$dir/etc/apt.conf" ]; then
	update
	fresh=1
fi
write_config
status=0
"$@" || status=$?
if [ "$status" -ne 0 ] && [ -z "$fresh" ]; then
	echo "apt-suite: $* failed on $suite $arch; refreshing its lists" >&2
	update
	status=0
	"$@" || status=$?
fi
exit "$status"
