#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Secure Boot test's guest side (tests/host/secureboot.sh), run once by
# the system image's fortune-systest.service from the payload disk
# /dev/vdb, in a guest booted by OVMF with Secure Boot on through shim,
# GRUB and Debian's signed kernel.  The payload holds:
#
#   src/        the module's sources and a fortune.ko the host built for
#               this kernel, not signed
#   deb/        fortune-dkms and fortunectl as scripts/deb.sh built them
#   extra/      mokutil, keyutils, openssl and libraries, if the image
#               lacks them
#   mok.key, mok.pub      the key pre-enrolled in MokList
#   other.key, other.pub  a key nobody enrolled
#   smoke.sh    the suite's smoke test (tests/smoke.sh)
#
# Results go to the second serial port (/dev/ttyS1) as KTAP test lines;
# the host adds the header and the plan.  Then the guest powers off.
set -u

if [ "${1-}" != main ]; then
	exec systemd-run --no-block --unit=fortune-sbtest-main \
		-p StandardOutput=journal+console \
		-p StandardError=journal+console /bin/sh "$0" main
fi

here=$(cd "$(dirname "$0")" && pwd)
state=/var/lib/sbtest
out=/dev/ttyS1
release=$(uname -r)
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$state"
stty -F "$out" raw -echo 2>/dev/null || true
n=0

result() {	# NAME [REASON]: no reason means the test passed
	n=$((n + 1))
	if [ -z "${2-}" ]; then
		echo "ok $n $1" >"$out"
	else
		echo "not ok $n $1 # $2" >"$out"
	fi
	echo "sbtest: $1: ${2:-ok}"
}
diag() {
	echo "$*" | while IFS= read -r line; do
		echo "# $line" >"$out"
		echo "sbtest: $line"
	done
}
# Runs a command with its output in $state/NAME.log (and the journal);
# its status in $rc.
run() {
	name=$1
	shift
	rc=0
	"$@" >"$state/$name.log" 2>&1 || rc=$?
	sed "s/^/$name: /" "$state/$name.log"
}
last() {
	tail -n 3 "$state/$1.log" | tr '\n' ' ' | cut -c1-200
}
# The module is loaded, and /proc/fortune takes a cookie and gives it back.
loaded_and_works() {
	[ -e /proc/fortune ] || {
		echo "no /proc/fortune"
		return
	}
	echo "sbtest cookie" >/proc/fortune || {
		echo "write to /proc/fortune failed"
		return
	}
	got=$(cat /proc/fortune) || got="(read failed)"
	[ "$got" = "sbtest cookie" ] || echo "read '$got', not the cookie"
}

systemctl is-system-running --wait >/dev/null 2>&1 || true
diag "Secure Boot test on $release"

# Offline, what the image lacks, with dpkg: their dependencies are in the
# image, and apt would spend a minute of TCG reading its lists.
missing=
for deb in "$here"/extra/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null |
		grep -qx installed || missing="$missing $deb"
done
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086 # paths without spaces
	run extras dpkg -i $missing
	[ "$rc" -eq 0 ] || diag "installing the extras failed: $(last extras)"
fi

# 1. Secure Boot is on, from the firmware, and the kernel is locked down
# by it: not by a lockdown= on the command line.
why=
sb=$(mokutil --sb-state 2>&1)
lockdown=$(cat /sys/kernel/security/lockdown 2>/dev/null)
diag "mokutil --sb-state: $sb"
diag "lockdown: $lockdown"
diag "$(dmesg | grep -E -i 'secure ?boot|locked down' | head -n 5)"
diag "cmdline: $(cat /proc/cmdline)"
if ! echo "$sb" | grep -q 'SecureBoot enabled'; then
	why="mokutil --sb-state: $sb"
elif ! echo "$lockdown" | grep -q '\[integrity\]\|\[confidentiality\]'; then
	why="not locked down: $lockdown"
elif ! dmesg | grep -q 'Kernel is locked down from EFI Secure Boot'; then
	why="no 'locked down from EFI Secure Boot' line in dmesg"
elif grep -q 'lockdown=' /proc/cmdline; then
	why="lockdown= on the command line"
fi
result secure_boot_on_and_kernel_locked_down "$why"

# 2. The test key is a MOK: shim handed MokList to the kernel, which
# loaded it into a keyring it checks module signatures against.
why=
cn="fortune.ko test mok key"
run testkey mokutil --test-key "$here/mok.pub"
diag "$(dmesg | grep -E 'MokList|Machine keyring|Platform Keyring|X.509 cert .(fortune|DKMS)')"
# What each keyring holds: keyctl list, one key a line.
for ring in .builtin_trusted_keys .secondary_trusted_keys .machine .platform; do
	id=$(awk -v r="$ring:" '$9 == r { print $1 }' /proc/keys | head -n 1)
	[ -n "$id" ] || continue
	keyctl list "0x$id" 2>&1 | sed 1d |
		sed 's/^ *[0-9]*: [^ ]* *[0-9]* *[0-9]* //' >"$state/ring$ring"
	diag "keyring $ring: $(tr '\n' ';' <"$state/ring$ring")"
done
if ! grep -q 'already enrolled' "$state/testkey.log"; then
	why="mokutil --test-key: $(last testkey)"
elif ! dmesg | grep -q "Loaded X.509 cert '$cn"; then
	why="the kernel did not load the MOK (no 'Loaded X.509 cert' line)"
elif ! grep -q "asymmetric: $cn" "$state/ring.machine" 2>/dev/null; then
	why="the MOK is not in the .machine keyring"
elif ! grep -q 'keyring: .machine' "$state/ring.secondary_trusted_keys" \
	2>/dev/null; then
	why=".machine is not linked into .secondary_trusted_keys"
fi
result test_key_is_an_enrolled_mok "$why"

# 3. The fortune.ko the host built, not signed: refused.
why=
run unsigned insmod "$here/src/fortune.ko"
diag "insmod unsigned: $(cat "$state/unsigned.log")"
diag "$(dmesg | grep -i -E 'lockdown|module.*(rejected|verification)' | tail -n 2)"
if [ "$rc" -eq 0 ]; then
	why="the kernel loaded an unsigned module"
	rmmod fortune
elif [ -e /proc/fortune ]; then
	why="/proc/fortune exists"
fi
result unsigned_module_refused "$why"

# 4. make sign with a key nobody enrolled: refused, with the error users
# report.  Then with the enrolled key, on the command line: it loads.
cp -r "$here/src" "$state/src"
why=
run sign_other make -C "$state/src" sign MOK_KEY="$here/other.key" \
	MOK_CERT="$here/other.pub"
if [ "$rc" -ne 0 ]; then
	why="make sign exits $rc: $(last sign_other)"
else
	run other insmod "$state/src/fortune.ko"
	diag "insmod signed by an unenrolled key: $(cat "$state/other.log")"
	diag "$(dmesg | grep 'Loading of' | tail -n 1)"
	if [ "$rc" -eq 0 ]; then
		why="the kernel loaded a module signed by an unenrolled key"
		rmmod fortune
	elif ! grep -q 'Key was rejected by service' "$state/other.log"; then
		why="not 'Key was rejected by service': $(last other)"
	fi
fi
result unenrolled_key_rejected "$why"

why=
run sign make -C "$state/src" sign MOK_KEY="$here/mok.key" \
	MOK_CERT="$here/mok.pub"
if [ "$rc" -ne 0 ]; then
	why="make sign exits $rc: $(last sign)"
elif ! grep -q "sign-file sha256 " "$state/sign.log"; then
	why="make sign did not use the kernel's sha256: $(last sign)"
elif [ "$(modinfo -F signer "$state/src/fortune.ko")" != "$cn" ]; then
	why="signer: $(modinfo -F signer "$state/src/fortune.ko")"
else
	run signed insmod "$state/src/fortune.ko"
	if [ "$rc" -ne 0 ]; then
		why="insmod exits $rc: $(last signed)"
	else
		why=$(loaded_and_works)
		rmmod fortune || why="${why:-rmmod failed}"
	fi
fi
result make_sign_module_loads "$why"

# 5. apt install: DKMS builds and signs with its key, the enrolled one;
# the postinst says nothing since the key is enrolled.
install -d -m 0755 /var/lib/dkms
install -m 0600 "$here/mok.key" /var/lib/dkms/mok.key
install -m 0644 "$here/mok.pub" /var/lib/dkms/mok.pub
why=
run install apt-get install -y -q "$here"/deb/fortune-dkms_*.deb \
	"$here"/deb/fortunectl_*.deb
module=$(modinfo -k "$release" -F filename fortune 2>/dev/null)
if [ "$rc" -ne 0 ]; then
	why="apt install exits $rc: $(last install)"
elif [ -z "$module" ]; then
	why="no fortune module for $release after the install"
elif [ "$(modinfo -F signer "$module")" != "$cn" ]; then
	why="signer of $module: '$(modinfo -F signer "$module")'"
fi
if [ -z "$why" ] && grep -q 'mokutil --import' "$state/install.log"; then
	why="the postinst asked to enroll a key that is enrolled"
fi
result apt_install_builds_and_signs "$why"
diag "$module: signer '$(modinfo -F signer "$module" 2>/dev/null)', $(modinfo -F sig_hashalgo "$module" 2>/dev/null)"

why=
rmmod fortune 2>/dev/null || true
run modprobe modprobe fortune
if [ "$rc" -ne 0 ]; then
	why="modprobe exits $rc: $(last modprobe)"
else
	why=$(loaded_and_works)
	rmmod fortune || why="${why:-rmmod failed}"
fi
result modprobe_loads_dkms_module "$why"

why=
MODULE=$module sh "$here/smoke.sh" >"$state/smoke.log" 2>&1 || true
diag "$(sed 's/^/smoke.sh: /' "$state/smoke.log")"
if grep -q '^not ok' "$state/smoke.log" ||
	! grep -q '^ok 6 ' "$state/smoke.log"; then
	why="$(grep -m 1 '^not ok' "$state/smoke.log")"
	why=${why:-smoke.sh did not finish}
fi
result smoke_test_passes "$why"

why=
run service systemctl start fortune
if [ "$rc" -ne 0 ]; then
	why="systemctl start exits $rc: $(last service)"
elif ! systemctl is-active -q fortune; then
	why="fortune.service is $(systemctl is-active fortune)"
elif [ ! -e /proc/fortune ]; then
	why="no /proc/fortune"
elif ! fortunectl next >/dev/null; then
	why="fortunectl next failed"
fi
result fortune_service_starts "$why"
diag "$(journalctl -b -u fortune --no-pager | tail -n 3)"
systemctl stop fortune

# 6. The postinst's Secure Boot check, run again with DKMS's key swapped
# for one that is not enrolled: the one thing to do, in words.  Without
# its DKMS part (dh_dkms's block), which would build again.
why=
cp /var/lib/dkms/mok.pub "$state/mok.pub.enrolled"
cp "$here/other.pub" /var/lib/dkms/mok.pub
sed '/^# Automatically added by dh_dkms/,/^# End automatically added section/d' \
	/var/lib/dpkg/info/fortune-dkms.postinst >"$state/postinst"
run postinst sh "$state/postinst" configure
cp "$state/mok.pub.enrolled" /var/lib/dkms/mok.pub
diag "$(cat "$state/postinst.log")"
if grep -q 'common.postinst' "$state/postinst"; then
	why="the DKMS block was not cut out"
elif ! grep -q 'mokutil --import /var/lib/dkms/mok.pub' "$state/postinst.log"; then
	why="no 'mokutil --import' hint: $(last postinst)"
elif ! grep -q 'Key was rejected by service' "$state/postinst.log"; then
	why="the hint does not name the error users see"
fi
result postinst_tells_to_enroll "$why"

why=
if dmesg | grep -E -q 'WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|KASAN|kmemleak'; then
	why="$(dmesg | grep -E -m 1 'WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|KASAN|kmemleak')"
fi
result no_kernel_splat_in_guest "$why"

diag "sbtest: done"
sync
systemctl poweroff --no-block
