#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/run.sh MODE [KERNEL]
#
# Gets KERNEL (a name in scripts/kernels.conf, default generic) from its
# provider, builds the module for it in build/KERNEL/module, packs the
# initramfs and boots it under QEMU (TCG) with FORTUNE_MODE=MODE:
#
#   check  run tests/suite.list; console in build/KERNEL/console.log,
#          KTAP results in build/KERNEL/results.ktap (scripts/check.sh
#          reads them)
#   bench  run /tests/bench (or bench.sh); console in
#          build/KERNEL/bench-console.log, its output in
#          build/KERNEL/bench.out
#   demo   replay the article's Listing 12 on the screen
#   shell  an interactive shell with the module loaded (exit to leave)
#
# check and bench run under a hard timeout: FORTUNE_TIMEOUT seconds if set,
# else the provider's timeout=, else 600 (1500 for arm64 and i386, 2400
# for a kernel with KASAN, lockdep or kmemleak).  Exit status: 0 when QEMU ran and exited cleanly,
# 124 on timeout, QEMU's status otherwise, and 10 (provider failed),
# 11 (module build failed) or 12 (initramfs failed) before booting.
set -eu

mode=${1:-}
kernel=${2:-generic}
case $mode in
check | bench | demo | shell) ;;
*)
	echo "usage: $0 check|bench|demo|shell [KERNEL]" >&2
	exit 2
	;;
esac

cd "$(dirname "$0")/.."
top=$(pwd)
out=$top/build/$kernel
[ -n "${FORTUNE_DEPS_DONE:-}" ] || scripts/deps.sh

line=$(awk -v k="$kernel" '$1 == k { print; exit }' scripts/kernels.conf)
[ -n "$line" ] || {
	echo "run: no kernel '$kernel' in scripts/kernels.conf" >&2
	exit 2
}
mkdir -p "$out"
rm -f "$out/build-warnings.log"

# The provider: stdout is the answer, stderr (progress of a long build)
# goes straight to the user.  No timeout here.
image='' kdir='' release='' timeout='' arch=amd64 root='' karch='' cross=''
# shellcheck disable=SC2086 # the line is NAME COMMAND ARGS...
set -- ${line#*[[:space:]]}
if ! "$@" >"$out/provider.out"; then
	echo "run: provider for $kernel failed: $*" >&2
	exit 10
fi
while IFS='=' read -r key value; do
	case $key in
	image) image=$value ;;
	kdir) kdir=$value ;;
	release) release=$value ;;
	timeout) timeout=$value ;;
	arch) arch=$value ;;
	root) root=$value ;;
	karch) karch=$value ;;
	cross) cross=$value ;;
	esac
done <"$out/provider.out"
if [ ! -f "$image" ] || [ ! -d "$root$kdir" ]; then
	echo "run: provider for $kernel gave no usable image= and kdir=" >&2
	exit 10
fi
[ -n "$release" ] ||
	release=$(cat "$root$kdir/include/config/kernel.release" 2>/dev/null) ||
	release=unknown
echo "$release" >"$out/release"

# The module, from the sources at the top of the tree (tracked by git, or
# not yet added), built in a copy so that kernels do not share objects.
module_sources() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		ls
	fi | grep -E '^([^/]+\.[ch]|Kbuild|Makefile)$' | sort -u
}
rm -rf "$out/module"
mkdir -p "$out/module"
for f in $(module_sources); do
	[ ! -f "$f" ] || cp "$f" "$out/module/"
done
echo "run: building the module for $kernel ($release, $arch)" >&2
# W=1 on every kernel: a warning any of them gives is a failure of its
# check (scripts/check.sh reads build-warnings.log), not just of lint's.
set -- modules W=1
[ -z "$karch" ] || set -- "$@" ARCH="$karch"
[ -z "$cross" ] || set -- "$@" CROSS_COMPILE="$cross"
if [ -n "$cross" ] && [ -z "$root" ] && ! command -v "${cross}gcc" >/dev/null; then
	echo "run: no cross compiler ${cross}gcc for $kernel ($arch);" \
		"scripts/deps.sh installs it" >&2
	exit 11
fi
if [ -n "$root" ]; then
	# Inside the release's own root, with its own compiler: the module is
	# copied in and the objects copied out.  Newer objtool reads /proc: it
	# is mounted in a mount namespace of the build's own, which takes the
	# mount away with it however the build ends.  The mount that holds the
	# root is made private there first, so that /proc does not propagate
	# back; that mount, not "/", which is no mount point when this runs in
	# a chroot (unshare --propagation private fails there).  In a plain
	# chroot the root's path may sit on no mount that can be seen at all
	# (findmnt finds nothing): nothing can be made private then, so /proc
	# is also unmounted by hand as the build ends, and that unmounting
	# propagates wherever the mounting did.
	inside=$(mktemp -d "$root/tmp/fortune.XXXXXX")
	trap 'rm -rf "$inside"' EXIT
	cp "$out/module/"* "$inside/"
	status=0
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	unshare --mount --propagation unchanged sh -c \
		'holder=$(findmnt -n -o TARGET -T "$1" 2>/dev/null) || true
		 if [ -n "$holder" ]; then
			mount --make-rprivate "$holder" || exit
		 fi
		 mount -t proc proc "$1/proc" || exit
		 root=$1 && shift
		 trap "umount \"\$root/proc\"; exit 1" INT TERM HUP
		 status=0
		 chroot "$root" "$@" || status=$?
		 umount "$root/proc"
		 exit "$status"' sh "$root" \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp make -C "$kdir" M="${inside#"$root"}" "$@" \
		>"$out/build.log" 2>&1 || status=$?
	[ "$status" -ne 0 ] || cp "$inside/"*.ko "$out/module/"
	rm -rf "$inside"
	trap - EXIT
else
	status=0
	make -C "$kdir" M="$out/module" "$@" >"$out/build.log" 2>&1 ||
		status=$?
fi
if [ "$status" -ne 0 ]; then
	echo "run: the module does not build for $kernel; see $out/build.log:" >&2
	grep -E 'error|warning' "$out/build.log" | head -20 >&2
	exit 11
fi
# The compiler's, objtool's and modpost's warnings.
grep -E 'warning:|WARNING:' "$out/build.log" >"$out/build-warnings.log" || true
# Kernels of one architecture share the static test programs: one
# initramfs of an architecture is made at a time (make check runs
# kernels side by side).
flock "build/initramfs-$arch.lock" \
	scripts/initramfs.sh "$kernel" "$arch" >/dev/null || exit 12

# A debug kernel (KASAN, KCSAN, lockdep or kmemleak) makes every operation
# tens of times dearer: a longer limit, and a quarter of the fuzzer's
# operations (tests/fuzz.c), which still try each kind thousands of times.
debug_kernel=
if grep -qE '^CONFIG_(KASAN|KCSAN|LOCKDEP|DEBUG_KMEMLEAK)=y' \
	"$root$kdir/.config" 2>/dev/null; then
	debug_kernel=1
fi
if [ -z "$timeout" ]; then
	timeout=600
	# Another architecture's instructions are translated one by one.
	[ "$arch" = amd64 ] || timeout=1500
	[ -z "$debug_kernel" ] || timeout=2400
fi
timeout=${FORTUNE_TIMEOUT:-$timeout}

# The machine for each architecture: its console, the serial port the
# guest writes KTAP results to (FORTUNE_RESULTS), and QEMU's options.
# arm64's virt machine has one PL011; the results go to a PCI 16550, which
# Debian's arm64 kernels drive without a module (8250_PCI is built in).
mem=1024
case $arch in
amd64)
	qemu=qemu-system-x86_64 tty=ttyS0 results_tty=/dev/ttyS1
	machine="-cpu max"
	;;
i386)
	# Debian's 686-pae kernel on an Intel model of the PAE era, with just
	# over 4 GiB of RAM once the kernel's share is taken: a PAE kernel's
	# RAM in bytes then wraps in 32 bits to a few MiB, which
	# tests/params.c shows the module survives (FORTUNE_I386_MEM changes
	# it).  qemu-system-x86_64, not -i386: the latter keeps guest
	# physical addresses to 32 bits under TCG, and with RAM above 4 GiB
	# user space never ran.  An Intel model: "max" says AuthenticAMD, and
	# a 32-bit kernel warns (panics, with panic_on_warn) that such AMD
	# processors are not fit for SMP.
	qemu=qemu-system-x86_64 tty=ttyS0 results_tty=/dev/ttyS1
	machine="-cpu Nehalem" mem=${FORTUNE_I386_MEM:-4244}
	;;
arm64)
	# -cpu max spends most of its time emulating pointer authentication.
	qemu=qemu-system-aarch64 tty=ttyAMA0 results_tty=/dev/ttyS0
	machine="-M virt -cpu cortex-a57"
	;;
*)
	echo "run: no QEMU machine for architecture '$arch'" >&2
	exit 10
	;;
esac
command -v "$qemu" >/dev/null || {
	echo "run: $qemu is missing (scripts/deps.sh installs it)" >&2
	exit 10
}

# Kernel command-line words with '=' and no '.' reach /init's environment.
append="console=$tty panic_on_warn=1 oops=panic panic=-1"
append="$append FORTUNE_MODE=$mode FORTUNE_KERNEL=$kernel"
append="$append FORTUNE_RESULTS=$results_tty"
append="$append FORTUNE_TEST_TIMEOUT=$((timeout / 2))"
# Each test's own time limit, stretched where instructions are translated
# from another architecture or a debug kernel checks every access
# (tests/testlib.h).
if [ "$arch" != amd64 ] || [ -n "$debug_kernel" ]; then
	append="$append FORTUNE_TIMEOUT_SCALE=4"
fi
[ -z "$debug_kernel" ] || append="$append FORTUNE_FUZZ_OPS=50000"
# shellcheck disable=SC2086 # $machine is a list of options
set -- -nographic -no-reboot -nic none -m "$mem" -smp 2 $machine \
	-kernel "$image" -initrd "$out/initramfs.cpio.gz"
# --foreground: QEMU stays in our process group, so ^C stops it.
limit="timeout --foreground -k 10 $timeout"

case $mode in
check | bench)
	if [ "$mode" = check ]; then
		console=$out/console.log results=$out/results.ktap
	else
		console=$out/bench-console.log results=$out/bench.out
	fi
	first=$out/console-first-boot.log
	rm -f "$console" "$results" "$first"
	echo "run: booting $kernel ($release) in $mode mode," \
		"at most $timeout s" >&2
	if [ "$arch" = arm64 ]; then
		set -- "$@" -serial "file:$console" \
			-chardev "file,id=results,path=$results" \
			-device "pci-serial,chardev=results"
	else
		set -- "$@" -serial "file:$console" -serial "file:$results"
	fi
	boot() {
		status=0
		# shellcheck disable=SC2086 # $limit is a command and its arguments
		$limit "$qemu" "$@" -monitor none \
			-append "$append" </dev/null || status=$?
	}
	boot "$@"
	# A kernel that dies before it runs /init has run nothing of ours:
	# the debug kernel once hit a KASAN report in an interrupt during
	# identify_cpu(), 0.02 s into its boot.  Boot such a kernel once
	# more, keep the first console, and say so (scripts/check.sh puts its
	# splat on the kernel's line).  A death after /init is the suite's to
	# judge.
	if [ "$mode" = check ] && [ "$status" -ne 124 ] &&
		! grep -q 'Run /init as init process' "$console"; then
		mv "$console" "$first"
		echo "run: $kernel died before running /init (its console:" \
			"$first); booting it once more" >&2
		rm -f "$results"
		boot "$@"
	fi
	[ "$status" -ne 124 ] || echo "run: QEMU timed out after $timeout s" >&2
	exit "$status"
	;;
demo)
	echo "Booting $kernel ($release) under QEMU (no KVM: give it a minute)..."
	# The whole console goes to demo.log; the screen shows the guest's
	# part from the first command on, without the firmware's chatter.
	{
		# shellcheck disable=SC2086 # a command and its arguments
		$limit "$qemu" "$@" -monitor none -serial stdio \
			-append "$append quiet loglevel=1" </dev/null ||
			echo "run: QEMU exited with status $?"
	} | sed -u 's/\r$//' | tee "$out/demo.log" |
		sed -un '/^=== fortune.ko demo/,/^demo: /p'
	if ! grep -q '^demo: complete' "$out/demo.log"; then
		echo "run: the demo failed; the console is in $out/demo.log" >&2
		exit 1
	fi
	;;
shell)
	exec "$qemu" "$@" -append "$append quiet"
	;;
esac
