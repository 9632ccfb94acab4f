#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Secure Boot test: fortune.ko on a machine that loads only signed
# modules, in one boot of the system test's Debian 12 image under QEMU
# (TCG).  Prints one KTAP document on stdout; progress and the guest's
# console go to stderr.
#
#   1. scripts/secureboot-image.sh: the ESP (Debian's signed shim, GRUB
#      and kernel) and OVMF's variable store, Microsoft's keys enrolled,
#      Secure Boot on, a test key pre-enrolled as a MOK; derived from
#      scripts/system-image.sh's image, both cached.
#   2. scripts/deb.sh: the packages of this tree; and fortune.ko built on
#      the host against the guest kernel's headers, not signed.
#   3. q35 with SMM, OVMF's Secure Boot firmware, the ESP as a SATA disk,
#      a copy of the root image and the payload (tests/secureboot/run.sh,
#      the packages, the module, the keys) as virtio disks.  The guest
#      checks that Secure Boot is on and the MOK loaded, that the unsigned
#      module and one signed by an unenrolled key are refused, that `make
#      sign` with the enrolled key makes one that loads, that `apt
#      install` builds and signs with DKMS's key (the enrolled one), that
#      `modprobe fortune`, the suite's smoke test and fortune.service
#      work, and that the postinst tells a user whose key is not enrolled
#      what to do; then it powers off.
#   4. The host fails the test if the console does not show Secure Boot
#      from the firmware on, or shows any kernel splat.
#
# FORTUNE_SECUREBOOT_TEST=skip skips it (it takes minutes); it is also
# skipped when not run as root (debootstrap and chroot need root).
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
work=$top/build/secureboot
boot_timeout=${FORTUNE_SECUREBOOT_TIMEOUT:-2400}

echo "KTAP version 1"
skip() {
	echo "1..1"
	echo "ok 1 secureboot # SKIP $*"
	exit 0
}
[ "${FORTUNE_SECUREBOOT_TEST:-}" != skip ] ||
	skip "FORTUNE_SECUREBOOT_TEST=skip"
[ "$(id -u)" -eq 0 ] || skip "needs root for debootstrap and chroot"

[ -n "${FORTUNE_DEPS_DONE:-}" ] ||
	scripts/deps.sh debootstrap e2fsprogs qemu-system-x86 build-essential \
		dpkg-dev debhelper dh-dkms dkms >&2
# Not in scripts/deps.sh's list (another's file): what only this test uses.
scripts/deps.sh ovmf mtools dosfstools python3-cryptography openssl >&2

rm -rf "$work"
mkdir -p "$work/payload/src" "$work/payload/deb" "$work/payload/extra"

# shellcheck source=tests/host/vm-ktap.sh
. tests/host/vm-ktap.sh

start=$(date +%s)
image=$(scripts/secureboot-image.sh) || {
	host_result secureboot_image "scripts/secureboot-image.sh failed"
	finish
	exit 0
}
sb=$(echo "$image" | sed -n 's/^dir=//p')
sys=$(echo "$image" | sed -n 's/^system=//p')
release=$(echo "$image" | sed -n 's/^release=//p')
echo "# images: $sys, $sb (built in $(cat "$sb/build-seconds") s)"

why=
payload=$work/payload
if ! debs=$(scripts/deb.sh "$work/deb"); then
	why="make deb failed"
else
	# shellcheck disable=SC2086 # two paths
	cp $debs "$payload/deb/"
	# The module as a user builds it by hand, for the guest's kernel.
	scripts/deps.sh "linux-headers-$release" >&2
	for f in Makefile Kbuild ./*.c ./*.h; do
		cp "$f" "$payload/src/"
	done
	make -C "$payload/src" KDIR="/usr/src/linux-headers-$release" \
		modules >"$work/module.log" 2>&1 ||
		why="fortune.ko did not build: $(tail -n 1 "$work/module.log")"
fi
host_result packages_and_module_build "$why"
[ -z "$why" ] || {
	finish
	exit 0
}
cp tests/secureboot/run.sh tests/smoke.sh "$payload/"
cp "$sb"/mok.key "$sb"/mok.pub "$sb"/other.key "$sb"/other.pub "$payload/"
cp "$sb"/debs/*.deb "$payload/extra/"
tar -cf "$work/payload.tar" -C "$payload" .

echo "secureboot: copying the image" >&2
cp --sparse=always "$sys/rootfs.img" "$work/disk.img"
cp "$sb/OVMF_VARS.fd" "$work/OVMF_VARS.fd"

# q35 with SMM and a secure flash: OVMF's Secure Boot build keeps its
# variables where only SMM code writes them, so the OS cannot turn Secure
# Boot off.  The ESP (SATA port 0: the variable store's Boot0001) is
# written to a throw-away overlay (snapshot=on).  No -kernel: the firmware
# boots shim, shim GRUB, GRUB the kernel, each checking the next.
echo "secureboot: booting (TCG, at most $boot_timeout s)" >&2
status=0
timeout --foreground -k 10 "$boot_timeout" qemu-system-x86_64 \
	-machine q35,smm=on -global ICH9-LPC.disable_s3=1 \
	-global driver=cfi.pflash01,property=secure,value=on \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd \
	-drive "if=pflash,format=raw,unit=1,file=$work/OVMF_VARS.fd" \
	-nographic -no-reboot -nic none -vga none -parallel none -monitor none \
	-m 1536 -smp 2 -cpu max \
	-drive "if=none,id=esp,format=raw,snapshot=on,file=$sb/esp.img" \
	-device ide-hd,drive=esp,bus=ide.0 \
	-drive "file=$work/disk.img,format=raw,if=virtio" \
	-drive "file=$work/payload.tar,format=raw,if=virtio,readonly=on" \
	-serial "file:$work/console.log" \
	-serial "file:$work/ktap.log" \
	</dev/null >&2 || status=$?
echo "secureboot: the boot ended with status $status" >&2

why=
if [ "$status" -ne 0 ]; then
	why="QEMU status $status"
elif ! grep -q '^# sbtest: done' "$work/ktap.log"; then
	why="the guest did not finish the test"
fi
host_result boot_and_finish "$why"

# From the console, not the guest's word: the EFI stub saw Secure Boot
# on, and the kernel locked itself down for it.
why=
console=$(tr -d '\r' <"$work/console.log")
if ! echo "$console" | grep -q 'EFI stub: UEFI Secure Boot is enabled'; then
	why="the console has no 'UEFI Secure Boot is enabled'"
elif ! echo "$console" | grep -q 'Kernel is locked down from EFI Secure Boot'; then
	why="the console has no 'Kernel is locked down from EFI Secure Boot'"
fi
host_result console_shows_secure_boot "$why"

splat='WARNING:|BUG:|Oops|general protection fault|UBSAN|KASAN|kmemleak'
splat="$splat|Kernel panic|INFO: |page allocation failure"
why=$(echo "$console" | awk -v splat="$splat" '
	$0 ~ splat { print; exit }
	/CPU: [0-9]+ PID: / && before == "" { before = prev " / " }
	/Call Trace:/ { print before $0; exit }
	{ prev = $0 }')
host_result no_kernel_splat "$why"

echo "# secure boot test: $(($(date +%s) - start)) s; console in $work"
finish
