#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/secureboot-image.sh
#
# What the Secure Boot test (tests/host/secureboot.sh) boots besides the
# system image of scripts/system-image.sh, which it only reads.  Prints,
# on stdout,
#
#   dir=DIR        holding the files below
#   system=DIR     the system image's directory (rootfs.img)
#   release=UNAME-R
#
#   esp.img        a FAT file system, the EFI system partition: Debian's
#                  shim (signed by Microsoft) as \EFI\BOOT\BOOTX64.EFI,
#                  MokManager, Debian's signed GRUB, a grub.cfg, and the
#                  system image's kernel (signed by Debian) and initramfs.
#   OVMF_VARS.fd   the ovmf package's variable store with Microsoft's keys
#                  enrolled and Secure Boot on (OVMF_VARS_4M.ms.fd), plus
#                  mok.pub in shim's MokList: the key pre-enrolled.
#   mok.key, mok.pub   that Machine Owner Key (mok.pub in DER, as DKMS
#                  keeps it in /var/lib/dkms); the guest uses it as DKMS's.
#   other.key, other.pub   a key nobody enrolled.
#   debs/          what the guest installs offline: mokutil, keyutils,
#                  openssl and their libraries, if the image lacks them.
#
# Pre-enrolling is what MokManager does when a person confirms a
# `mokutil --import`: shim's MokManager appends the certificate to the
# boot-services-only variable MokList; at each boot shim reads MokList,
# trusts it for what it loads and hands it to the kernel as MokListRT.
# Here virt-fw-vars (python3-virt-firmware, from trixie: bookworm has no
# package of it) writes the same variable, with the same attributes, into
# the firmware's store before the first boot.
#
# Cached in $FORTUNE_CACHE/secureboot/, keyed by the system image, the
# versions of the packages used and this file; built in a temporary
# directory and renamed into place.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
ovmf=/usr/share/OVMF
# shim's own GUID: the owner of MokList entries.
shim_guid=605dab50-e046-4300-abb6-3dd810dd8b23

# The system test may be building the image right now (make check starts
# it first): wait for that build, which takes minutes, rather than make a
# second one beside it.  A build directory older than an hour is a dead
# builder's.
while find "$cache/system" -maxdepth 1 -name '.build.*' -mmin -60 \
	2>/dev/null | grep -q .; do
	echo "secureboot-image: waiting for the system image's build" >&2
	sleep 20
done
system=$(scripts/system-image.sh)
sysdir=$(echo "$system" | sed -n 's/^dir=//p')
release=$(echo "$system" | sed -n 's/^release=//p')

# Signed boot chain (bookworm, the host's suite), the guest's extras, and
# virt-fw-vars with the two pure-Python libraries bookworm lacks (it runs
# on the host's python3 with its python3-cryptography).
bootdebs="shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed"
guestdebs="mokutil libefivar1 keyutils openssl"
vfdebs="python3-virt-firmware python3-importlib-resources python3-zipp"

version() {
	scripts/apt-suite.sh "$1" amd64 apt-cache show --no-all-versions "$2" |
		sed -n 's/^Version: //p'
}
versions=
for p in $bootdebs $guestdebs; do
	versions="$versions $p=$(version bookworm "$p")"
done
for p in $vfdebs; do
	versions="$versions $p=$(version trixie "$p")"
done
ovmf_version=$(dpkg-query -W -f '${Version}' ovmf)

grub_cfg="set timeout=0
linux /vmlinuz root=/dev/vda rw console=ttyS0 panic=-1 rcupdate.rcu_cpu_stall_timeout=60 systemd.firstboot=off systemd.show_status=0
initrd /initrd.img
boot"

key=$(printf '%s\n' "$sysdir" "$versions" "$ovmf_version" "$grub_cfg" |
	cat - scripts/secureboot-image.sh | sha256sum | cut -c1-16)
out=$cache/secureboot/$release-$key

say() {
	echo "dir=$out"
	echo "system=$sysdir"
	echo "release=$release"
}
if [ -f "$out/OVMF_VARS.fd" ]; then
	say
	exit 0
fi

mkdir -p "$cache/secureboot"
tmp=$(mktemp -d "$cache/secureboot/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
start=$(date +%s)

# Each suite's packages through its own apt (scripts/apt-suite.sh).
mkdir "$tmp/dl" "$tmp/x" "$tmp/debs"
# shellcheck disable=SC2086 # lists of packages
(cd "$tmp/dl" && "$top/scripts/apt-suite.sh" bookworm amd64 \
	apt-get download $bootdebs >&2)
# shellcheck disable=SC2086
(cd "$tmp/debs" && "$top/scripts/apt-suite.sh" bookworm amd64 \
	apt-get download $guestdebs >&2)
# shellcheck disable=SC2086
(cd "$tmp/dl" && "$top/scripts/apt-suite.sh" trixie amd64 \
	apt-get download $vfdebs >&2)
for deb in "$tmp"/dl/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done

# The keys, made as DKMS 3.0.10 makes its own (dkms's prepare_signing).
for k in mok other; do
	openssl req -new -x509 -nodes -days 36500 -newkey rsa:2048 \
		-subj "/CN=fortune.ko test $k key/" \
		-keyout "$tmp/$k.key" -outform DER -out "$tmp/$k.pub" 2>/dev/null
done
openssl x509 -inform DER -in "$tmp/mok.pub" -out "$tmp/mok.pem"

echo "secureboot-image: enrolling mok.pub in MokList" >&2
PYTHONPATH=$tmp/x/usr/lib/python3/dist-packages python3 -m virt.firmware.vars \
	-i "$ovmf/OVMF_VARS_4M.ms.fd" --secure-boot \
	--add-mok "$shim_guid" "$tmp/mok.pem" -o "$tmp/OVMF_VARS.fd" >&2

# The ESP: a whole-disk FAT file system, as UEFI reads removable media
# (no partition table, so no loop device and no root-only tool).
echo "secureboot-image: making the ESP" >&2
kb=16384
for f in "$sysdir/vmlinuz" "$sysdir/initrd.img"; do
	kb=$((kb + $(du -k "$f" | cut -f1)))
done
mkfs.vfat -C -n ESP "$tmp/esp.img" "$kb" >/dev/null
echo "$grub_cfg" >"$tmp/grub.cfg"
lib=$tmp/x/usr/lib
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/debian
mcopy -i "$tmp/esp.img" "$lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$tmp/esp.img" "$lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi
mcopy -i "$tmp/esp.img" "$lib/grub/x86_64-efi-signed/grubx64.efi.signed" \
	::/EFI/BOOT/grubx64.efi
# Debian's signed GRUB reads $prefix/grub.cfg (prefix /EFI/debian),
# and else the one beside itself.
mcopy -i "$tmp/esp.img" "$tmp/grub.cfg" ::/EFI/debian/grub.cfg
mcopy -i "$tmp/esp.img" "$tmp/grub.cfg" ::/EFI/BOOT/grub.cfg
mcopy -i "$tmp/esp.img" "$sysdir/vmlinuz" ::/vmlinuz
mcopy -i "$tmp/esp.img" "$sysdir/initrd.img" ::/initrd.img

rm -rf "$tmp/dl" "$tmp/x" "$tmp/grub.cfg" "$tmp/mok.pem"
echo "$(($(date +%s) - start))" >"$tmp/build-seconds"
chmod 755 "$tmp"
if mv -T "$tmp" "$out" 2>/dev/null; then
	echo "secureboot-image: built $out in $(cat "$out/build-seconds") s" >&2
else
	rm -rf "$tmp"
fi
trap - EXIT
say
