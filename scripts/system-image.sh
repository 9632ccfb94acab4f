#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/system-image.sh
#
# The full Debian 12 system the system test (tests/host/system.sh) boots:
# a debootstrap bookworm root with systemd as PID 1, apt, dkms, gcc, make,
# kmod, fortunes-min, and the image and headers of the Debian kernel that
# `scripts/debian-kernel.sh bookworm amd64 amd64` provides.  Prints, on stdout,
#
#   dir=DIR        holding rootfs.img (ext4, raw), vmlinuz and initrd.img
#   release=UNAME-R
#
# The image is cached in $FORTUNE_CACHE/system/, keyed by a hash of its
# inputs: the package list, the kernel's package and version, and the files
# written into it below.  It is built in a temporary directory and renamed
# into place, so a crash or a second builder never leaves a half image.
#
# Why the image's own kernel and initramfs: Debian's kernel has ext4 and
# virtio_blk as modules, so it needs an initramfs to mount its root.  The
# kernel package's own postinst makes one with initramfs-tools inside the
# root (MODULES=most holds virtio and ext4), exactly as on a real install;
# we copy it out and hand it to QEMU with -kernel/-initrd, which spares a
# boot loader and a partition table.  The guest then has
# /lib/modules/RELEASE and the headers for the running kernel, as any
# Debian system has after `apt install linux-image-amd64 linux-headers-amd64`.
set -eu

cd "$(dirname "$0")/.."
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}

[ "$(id -u)" -eq 0 ] || {
	echo "system-image: needs root (debootstrap, chroot)" >&2
	exit 1
}

provider=$(scripts/debian-kernel.sh bookworm amd64 amd64)
image=$(echo "$provider" | sed -n 's/^image=//p')
release=$(echo "$provider" | sed -n 's/^release=//p')
# The cache directory is named PACKAGE_VERSION (scripts/debian-kernel.sh).
kver=$(basename "$(dirname "$(dirname "$image")")")
kver=${kver#linux-image-"$release"_}

# Everything the guest needs: it has no network.
packages="systemd-sysv udev dbus apt kmod dkms gcc make libc6-dev
fortunes-min initramfs-tools zstd busybox e2fsprogs procps
linux-image-$release=$kver linux-headers-$release=$kver"

# The mirror and suites are the host's, as scripts/apt-suite.sh reads them
# (from debian.sources or sources.list: a debootstrap root has only the
# latter): its list for bookworm, which picked the kernel above, is the
# image's too, so that apt finds the same packages there.
sources=$cache/apt/bookworm-amd64/etc/sources.list
mirror=$(awk '$1 == "deb" && $NF == "main" && $(NF - 1) !~ /-security$/ {
		print $(NF - 2); exit }' "$sources" 2>/dev/null) || true
[ -n "$mirror" ] || {
	echo "system-image: no Debian mirror in $sources" \
		"(scripts/apt-suite.sh writes it from the host's apt sources)" >&2
	exit 1
}

# The unit that starts the test: it unpacks the tar archive the host hands
# over as the second disk (/dev/vdb) and runs its run.sh (with sh: the
# initramfs mounts /run noexec).  The test itself lives on that disk, so
# the image does not change when the test does.
unit='[Unit]
Description=fortune.ko system test driver
After=local-fs.target dev-vdb.device
Wants=dev-vdb.device
ConditionPathExists=/dev/vdb

[Service]
Type=oneshot
ExecStart=/bin/sh -c "rm -rf /run/systest && mkdir -p /run/systest && tar -xf /dev/vdb -C /run/systest && exec /bin/sh /run/systest/run.sh"
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target'
fstab='/dev/vda / ext4 rw,errors=remount-ro 0 0'
format=1

key=$(printf '%s\n' "$format" "$packages" "$mirror" "$unit" "$fstab" |
	sha256sum | cut -c1-16)
out=$cache/system/bookworm-$release-$key

if [ -f "$out/rootfs.img" ]; then
	echo "dir=$out"
	echo "release=$release"
	exit 0
fi

mkdir -p "$cache/system"
tmp=$(mktemp -d "$cache/system/.build.XXXXXX")
root=$tmp/root
cleanup() {
	for m in dev/pts dev proc sys; do
		umount "$root/$m" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

start=$(date +%s)
echo "system-image: debootstrap bookworm into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2

cp "$sources" "$root/etc/apt/sources.list"
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m"
done
echo "system-image: installing $(echo "$packages" | tr '\n' ' ')" >&2
# shellcheck disable=SC2086 # the list is split into packages on purpose
{
	chroot "$root" apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive chroot "$root" \
		apt-get install -y -q --no-install-recommends $packages >&2
}
chroot "$root" apt-get clean
for m in dev/pts dev proc sys; do
	umount "$root/$m"
done

echo fortune-systest >"$root/etc/hostname"
echo "$fstab" >"$root/etc/fstab"
echo "$unit" >"$root/etc/systemd/system/fortune-systest.service"
ln -s ../fortune-systest.service \
	"$root/etc/systemd/system/multi-user.target.wants/fortune-systest.service"
# No login on the consoles: the test is driven by the unit above.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
# A guest without network: do not wait for it, do not try apt's timers.
ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"
ln -sf /dev/null "$root/etc/systemd/system/apt-daily-upgrade.timer"

cp "$root/boot/vmlinuz-$release" "$tmp/vmlinuz"
cp "$root/boot/initrd.img-$release" "$tmp/initrd.img"

# Room for the packages' build: the root's size plus 1 GiB.
mb=$(($(du -sm "$root" | cut -f1) + 1024))
echo "system-image: making a ${mb} MiB ext4 image" >&2
truncate -s "${mb}M" "$tmp/rootfs.img"
mkfs.ext4 -q -F -L fortune-root -d "$root" "$tmp/rootfs.img" >&2
rm -rf "$root"
echo "$(($(date +%s) - start))" >"$tmp/build-seconds"
echo "$packages" >"$tmp/packages"

chmod 755 "$tmp"
if mv -T "$tmp" "$out" 2>/dev/null; then
	echo "system-image: built $out in $(cat "$out/build-seconds") s" >&2
else
	# Another builder won: keep its image.
	rm -rf "$tmp"
fi
trap - EXIT
echo "dir=$out"
echo "release=$release"
