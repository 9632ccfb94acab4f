#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#	scripts/debug-kernel.sh [FRAGMENT]
#
# Kernel provider "debug" and "kcsan" (see scripts/kernels.conf): builds
# Debian's linux-source-6.1 with `make tinyconfig` plus FRAGMENT, by default
# scripts/debug.config (KASAN, UBSAN, lockdep, kmemleak, fault injection,
# KUnit); scripts/kcsan.config is the data-race detector's.  It prints
#
#	image=<bzImage to boot>
#	kdir=<build tree for make -C KDIR M=... modules>
#
# on standard output; progress goes to standard error.  The build lives in
# ${FORTUNE_CACHE:-/var/cache/fortune-ko}/NAME-kernel-<key>, NAME being the
# fragment's file name without .config, where the key hashes the fragment,
# the linux-source-6.1 version and the recipe number below, and is done
# once: a finished build (its stamp is written last) is never redone.  An
# interrupted build resumes where make stopped.  A build takes about
# 8 minutes on two cores and 330 MB of disk; one build of a fragment runs
# at a time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
fragment=${1:-$here/debug.config}
case $fragment in
/*) ;;
*) fragment=$(pwd)/$fragment ;;
esac
[ -f "$fragment" ] || {
	echo "debug-kernel: no config fragment $fragment" >&2
	exit 1
}
name=$(basename "$fragment" .config)

say() {
	echo "debug-kernel: $*" >&2
}

die() {
	say "error: $*"
	exit 1
}

# Install what building a kernel needs, through deps.sh when it is there.
need_packages() {
	if [ -x "$here/deps.sh" ]; then
		"$here/deps.sh" "$@" >&2
		return
	fi
	missing=
	for pkg in "$@"; do
		if ! dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null |
			grep -q 'install ok installed'; then
			missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return
	say "installing$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing >&2
}

# Fail unless every option the fragment sets came out of kconfig as asked.
check_config() {
	bad=0
	grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' \
		"$fragment" >"$out/fragment.want"
	while IFS= read -r want; do
		if ! grep -qxF -- "$want" "$out/.config"; then
			name=$(echo "$want" | sed -E 's/^(# )?(CONFIG_[A-Za-z0-9_]+).*/\2/')
			got=$(grep -E "^(# )?${name}[= ]" "$out/.config" || true)
			say "asked for '$want', got '${got:-nothing}'"
			bad=1
		fi
	done <"$out/fragment.want"
	[ "$bad" = 0 ] || die "kconfig dropped options of $fragment (see above)"
}

# Run make in the background, one line of progress a minute.
build() {
	log=$out/build.log
	say "make $*: log in $log"
	make -C "$src" O="$out" "$@" >"$log" 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM HUP
	start=$(date +%s)
	last=$start
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if [ $((now - last)) -ge 60 ]; then
			last=$now
			objs=$(grep -c '^  CC ' "$log" || true)
			say "$(((now - start) / 60)) min, $objs files compiled," \
				"now: $(tail -n 1 "$log" | cut -c1-60)"
		fi
	done
	status=0
	wait "$pid" || status=$?
	trap - EXIT INT TERM HUP
	if [ "$status" != 0 ]; then
		tail -n 40 "$log" >&2
		die "make failed ($status); full log in $log"
	fi
	say "built in $(($(date +%s) - start)) s"
}

need_packages make gcc flex bison bc libelf-dev libssl-dev xz-utils
src=$("$here/linux-source.sh")
version=$(dpkg-query -W -f '${Version}' linux-source-6.1)
# Bump when the build steps below change what comes out: a kernel takes
# minutes to build, so an edit of a comment or of how the fragment is
# named must not throw one away.
recipe=1
key=$({ cat "$fragment"; echo "$version"; echo "recipe $recipe"; } |
	sha256sum | cut -c1-16)
out=$cache/$name-kernel-$key
stamp=$out/.complete

mkdir -p "$cache"
# Two harness runs at once must not build into the same tree; a kernel
# already built needs no lock (its stamp is written last).
exec 9>"$cache/$name-kernel.lock"
if [ ! -f "$stamp" ] && ! flock -n 9; then
	say "another build holds $cache/$name-kernel.lock, waiting"
	flock 9
fi

if [ ! -f "$stamp" ]; then
	say "building linux-source $version into $out"
	mkdir -p "$out"
	make -C "$src" O="$out" tinyconfig >"$out/config.log" 2>&1 ||
		{ cat "$out/config.log" >&2; die "make tinyconfig failed"; }
	cat "$fragment" >>"$out/.config"
	make -C "$src" O="$out" olddefconfig >>"$out/config.log" 2>&1 ||
		{ cat "$out/config.log" >&2; die "make olddefconfig failed"; }
	check_config
	build -j"$(nproc)" bzImage modules
	[ -f "$out/arch/x86/boot/bzImage" ] || die "no bzImage in $out"
	[ -f "$out/Module.symvers" ] || die "no Module.symvers in $out"
	touch "$stamp"
fi

echo "image=$out/arch/x86/boot/bzImage"
echo "kdir=$out"
