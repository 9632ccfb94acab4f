#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The system test: fortune.ko installed as a Debian user installs it, in a
# full Debian 12 system booted twice under QEMU (TCG).  Prints one KTAP
# document on stdout; progress and the guest's console go to stderr.
#
#   1. scripts/system-image.sh: the cached bookworm root file system image
#      (debootstrap, systemd as PID 1, dkms, gcc, the headers and image of
#      the Debian 6.1 kernel of `scripts/debian-kernel.sh bookworm amd64 amd64`).
#   2. scripts/deb.sh, twice: the packages of this tree, as its version and
#      as a newer one, for the upgrade.
#   3. A copy of the image boots with the packages and tests/system/run.sh
#      on a second disk; the guest installs, enables the service, adds
#      cookies (every awkward one), upgrades and reboots (QEMU exits:
#      -no-reboot); the same disk boots again, the guest checks the pot,
#      lets fortune-save.timer save it, adds a cookie and says so: the host
#      kills QEMU there, a power cut.  The third boot checks what the timer
#      saved came back, that a restore that fails keeps the saved file
#      whole, runs debian/tests and fortunectl's own tests under ASan and
#      UBSan, and purges.  The guest writes its results to its second
#      serial port.
#   4. Any kernel splat on either console fails the test.
#
# FORTUNE_SYSTEM_TEST=skip skips it (it takes minutes); it is also skipped
# when not run as root (debootstrap and chroot need root).
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
work=$top/build/system
boot_timeout=${FORTUNE_SYSTEM_TIMEOUT:-2400}

echo "KTAP version 1"
skip() {
	echo "1..1"
	echo "ok 1 system # SKIP $*"
	exit 0
}
[ "${FORTUNE_SYSTEM_TEST:-}" != skip ] || skip "FORTUNE_SYSTEM_TEST=skip"
[ "$(id -u)" -eq 0 ] || skip "needs root for debootstrap and chroot"

[ -n "${FORTUNE_DEPS_DONE:-}" ] ||
	scripts/deps.sh debootstrap e2fsprogs qemu-system-x86 build-essential \
		dpkg-dev debhelper dh-dkms dkms >&2

rm -rf "$work"
mkdir -p "$work/payload/old" "$work/payload/new"

# shellcheck source=tests/host/vm-ktap.sh
. tests/host/vm-ktap.sh

start=$(date +%s)
image=$(scripts/system-image.sh) || {
	host_result system_image "scripts/system-image.sh failed"
	finish
	exit 0
}
dir=$(echo "$image" | sed -n 's/^dir=//p')
echo "# image: $dir (built in $(cat "$dir/build-seconds") s)"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)

why=
if ! old=$(scripts/deb.sh "$work/deb-old"); then
	why="make deb failed"
elif ! new=$(scripts/deb.sh "$work/deb-new" "$version+systest1"); then
	why="the newer version did not build"
else
	# shellcheck disable=SC2086 # two paths each
	cp $old "$work/payload/old/" && cp $new "$work/payload/new/"
fi
host_result packages_build "$why"
[ -z "$why" ] || {
	finish
	exit 0
}
cp tests/system/run.sh "$work/payload/run.sh"
# For the guest's own runs: debian/tests, and fortunectl's tests with a
# sanitized fortunectl built in the guest.
mkdir -p "$work/payload/src/fortunectl" "$work/payload/src/tests"
cp -R debian/tests "$work/payload/debian-tests"
cp fortune.h "$work/payload/src/"
cp fortunectl/fortunectl.c "$work/payload/src/fortunectl/"
cp tests/ktap.sh tests/ctl-lib.sh tests/fortunectl.sh tests/save.sh \
	"$work/payload/src/tests/"
tar -cf "$work/payload.tar" -C "$work/payload" .

echo "system: copying the image" >&2
cp --sparse=always "$dir/rootfs.img" "$work/disk.img"

# The kernel's RCU stall report waits 60 s, not 21: a TCG guest whose
# vCPU threads a loaded host starves for 21 s reports a stall that is the
# host's, not the kernel's (the debug kernels' configuration says the same).
# The soft lockup detector likewise: 60 s (2 x watchdog_thresh), not 20
# (a udev worker once "stuck for 22 s" at boot on such a host).
append="root=/dev/vda rw console=ttyS0 panic=-1 rcupdate.rcu_cpu_stall_timeout=60"
append="$append watchdog_thresh=30"
# no_timer_check: the IO-APIC timer check counts ticks of a starved TCG
# vCPU and once panicked a boot ("IO-APIC + timer doesn't work!").
append="$append no_timer_check"
append="$append systemd.firstboot=off systemd.show_status=0"

# boot N [cut]: one boot of the disk; the guest ends it (reboot or
# poweroff), or, with cut, QEMU is killed as soon as the guest says
# "# power cut" on its second serial port.
# No display (-vga none): probing bochs-drm on a starved TCG host once
# stalled RCU for 20 s, a splat that has nothing to do with the module.
boot() {
	echo "system: boot $1 (TCG, at most $boot_timeout s)" >&2
	status=0
	: >"$work/ktap$1.log"
	qemu-system-x86_64 \
		-nographic -no-reboot -nic none -vga none -parallel none \
		-m 1536 -smp 2 -cpu max \
		-monitor none -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
		-append "$append" \
		-drive "file=$work/disk.img,format=raw,if=virtio" \
		-drive "file=$work/payload.tar,format=raw,if=virtio,readonly=on" \
		-serial "file:$work/console$1.log" \
		-serial "file:$work/ktap$1.log" \
		</dev/null >&2 &
	qemu=$!
	waited=0
	cut=
	while kill -0 "$qemu" 2>/dev/null; do
		if [ "${2-}" = cut ] && grep -q '^# power cut' "$work/ktap$1.log"; then
			echo "system: boot $1: cutting the power" >&2
			kill -KILL "$qemu"
			cut=yes
			break
		fi
		if [ "$waited" -ge "$boot_timeout" ]; then
			kill -TERM "$qemu"
			sleep 10
			kill -KILL "$qemu" 2>/dev/null || true
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$qemu" || status=$?
	[ -z "$cut" ] || status=0
	echo "system: boot $1 ended with status $status after $waited s" >&2
	return "$status"
}

why=
boot 1 || why="QEMU status $? in boot 1"
if [ -z "$why" ] && ! grep -q '^# rebooting' "$work/ktap1.log"; then
	why="boot 1 did not get to the reboot"
fi
host_result first_boot "$why"
if [ -z "$why" ]; then
	why=
	boot 2 cut || why="QEMU status $? in boot 2"
	if [ -z "$why" ] && ! grep -q '^# power cut' "$work/ktap2.log"; then
		why="boot 2 did not get to the power cut"
	fi
	host_result reboot_then_power_cut "$why"
fi
if [ -z "$why" ]; then
	boot 3 || why="QEMU status $? in boot 3"
	if [ -z "$why" ] && ! grep -q '^# systest: done' "$work/ktap3.log"; then
		why="boot 3 did not finish the test"
	fi
	host_result boot_after_power_cut_and_finish "$why"
fi

# Oopses, WARNs, stalls and the like on either console, each reported by
# its first line; a bare "Call Trace:" with the line before the dump's
# "CPU: N PID: ..." line, which names what printed it.
splat='WARNING:|BUG:|Oops|general protection fault|UBSAN|KASAN|kmemleak'
splat="$splat|Kernel panic|INFO: |page allocation failure"
why=
for log in "$work"/console*.log; do
	hit=$(tr -d '\r' <"$log" | awk -v splat="$splat" '
		$0 ~ splat { print; exit }
		/CPU: [0-9]+ PID: / && before == "" { before = prev " / " }
		/Call Trace:/ { print before $0; exit }
		{ prev = $0 }')
	[ -z "$hit" ] || [ -n "$why" ] || why="$(basename "$log"): $hit"
done
host_result no_kernel_splat "$why"

echo "# system test: $(($(date +%s) - start)) s; consoles in $work"
finish
