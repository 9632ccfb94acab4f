#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The system test's guest side (tests/host/system.sh), run by the image's
# fortune-systest.service at every boot from the payload disk /dev/vdb,
# which also holds the two versions of the packages (old/ and new/).
#
# Boot 1: apt installs the packages (DKMS builds the module), the service
# is enabled and started, a cookie is added, the cursor moved, the pot
# noted; then the packages are upgraded to the new version and the guest
# reboots.  Boot 2: the service has loaded the module and restored the
# pot; then apt purges both packages and nothing may be left.
#
# Results go to the second serial port (/dev/ttyS1) as KTAP test lines,
# numbered on across both boots; tests/host/system.sh adds the header.
set -u

# The image's unit is a oneshot, part of the boot: run the test as a unit
# of its own, so that the boot can finish and be waited for.
if [ "${1-}" != main ]; then
	exec systemd-run --no-block --unit=fortune-systest-main \
		-p StandardOutput=journal+console \
		-p StandardError=journal+console /bin/sh "$0" main
fi

here=$(cd "$(dirname "$0")" && pwd)
state=/var/lib/systest
out=/dev/ttyS1
release=$(uname -r)
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$state"
stty -F "$out" raw -echo 2>/dev/null || true
n=$(cat "$state/count" 2>/dev/null || echo 0)

result() {	# NAME [REASON]: no reason means the test passed
	n=$((n + 1))
	echo "$n" >"$state/count"
	if [ -z "${2-}" ]; then
		echo "ok $n $1" >"$out"
	else
		echo "not ok $n $1 # $2" >"$out"
	fi
	echo "systest: $1: ${2:-ok}"
}
diag() {
	echo "# $*" >"$out"
	echo "systest: $*"
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
cookies() {
	fortunectl stats | sed -n 's/^cookies: //p'
}

# Not before the boot is done: fortune.service must have run.
systemctl is-system-running --wait >/dev/null 2>&1 || true

boot1() {
	diag "boot 1: $release"
	why=
	run install apt-get install -y -q "$here"/old/fortune-dkms_*.deb \
		"$here"/old/fortunectl_*.deb
	if [ "$rc" -ne 0 ]; then
		why="apt install exits $rc: $(last install)"
	elif ! dkms status fortune | grep -q "$release.*installed"; then
		why="dkms status: $(dkms status fortune | tr '\n' ' ')"
	elif ! modinfo -k "$release" -F filename fortune |
		grep -q "^/lib/modules/$release/updates/dkms/fortune.ko"; then
		why="modinfo: $(modinfo -k "$release" -F filename fortune 2>&1)"
	fi
	result apt_install_builds_with_dkms "$why"
	diag "$(dkms status fortune | tr '\n' ' ')"

	why=
	# The image has no man-db, so the man page is checked as a file.
	run verify systemd-analyze verify --man=no fortune.service
	if [ "$rc" -ne 0 ] || [ -s "$state/verify.log" ]; then
		why="systemd-analyze verify exits $rc: $(last verify)"
	elif [ ! -f /usr/share/man/man1/fortunectl.1.gz ]; then
		why="no man page fortunectl(1)"
	fi
	result systemd_analyze_verify "$why"

	why=
	run enabling systemctl enable --now fortune
	if [ "$rc" -ne 0 ]; then
		why="systemctl enable --now exits $rc: $(last enabling)"
	elif ! systemctl is-active -q fortune; then
		why="fortune.service is $(systemctl is-active fortune)"
	elif [ ! -e /proc/fortune ]; then
		why="no /proc/fortune"
	elif [ "$(cat /sys/module/fortune/parameters/pot_size)" != 1048576 ]; then
		why="pot_size $(cat /sys/module/fortune/parameters/pot_size), not /etc/modprobe.d's 1048576"
	elif [ "$(cookies)" -lt 100 ]; then
		why="$(cookies) cookies: fortunes-min was not loaded"
	fi
	result service_starts_with_fortunes_min "$why"
	diag "$(cookies) cookies loaded from fortunes-min"

	why=
	printf 'systest cookie of boot 1\n' >/proc/fortune || why="write failed"
	fortunectl next >/dev/null && fortunectl next >/dev/null ||
		why="fortunectl next failed"
	fortunectl save "$state/before.pot" || why="fortunectl save failed"
	fortunectl stats >"$state/before.stats"
	grep -q '^systest cookie of boot 1$' "$state/before.pot" ||
		why="the new cookie is not in the saved pot"
	result cookie_added "$why"

	why=
	run upgrade apt-get install -y -q "$here"/new/fortune-dkms_*.deb \
		"$here"/new/fortunectl_*.deb
	new=$(dpkg-deb -f "$here"/new/fortune-dkms_*.deb Version)
	if [ "$rc" -ne 0 ]; then
		why="apt upgrade exits $rc: $(last upgrade)"
	elif ! dkms status "fortune/$new" | grep -q installed; then
		why="dkms status: $(dkms status fortune | tr '\n' ' ')"
	elif [ "$(dkms status fortune | wc -l)" -ne 1 ]; then
		why="old version still in DKMS: $(dkms status fortune | tr '\n' ' ')"
	elif [ "$(dpkg-query -W -f '${Version}' fortunectl)" != "$new" ]; then
		why="fortunectl is $(dpkg-query -W -f '${Version}' fortunectl)"
	elif ! systemctl is-active -q fortune; then
		why="fortune.service is $(systemctl is-active fortune) after the upgrade"
	else
		fortunectl save "$state/upgraded.pot"
		cmp -s "$state/before.pot" "$state/upgraded.pot" ||
			why="the pot changed during the upgrade"
	fi
	result apt_upgrade "$why"
	diag "$(dkms status fortune | tr '\n' ' ')"

	echo 2 >"$state/stage"
	sync
	diag "rebooting"
	systemctl reboot --no-block
}

boot2() {
	diag "boot 2: $release"
	why=
	if ! systemctl is-active -q fortune; then
		why="fortune.service is $(systemctl is-active fortune)"
	elif [ ! -e /proc/fortune ]; then
		why="no /proc/fortune after the reboot"
	elif ! journalctl -b -u fortune | grep -q 'restored the pot'; then
		why="the service did not restore the pot: $(journalctl -b -u fortune | tail -n 2 | tr '\n' ' ')"
	fi
	result service_loaded_module_at_boot "$why"

	why=
	fortunectl save "$state/after.pot" || why="fortunectl save failed"
	if [ -z "$why" ] && ! cmp -s "$state/before.pot" "$state/after.pot"; then
		why="the pot after the reboot differs from the one before"
	elif ! grep -q '^systest cookie of boot 1$' "$state/after.pot"; then
		why="the cookie of boot 1 is gone"
	elif [ "$(fortunectl next)" != "$(sed -n '1,/^%$/p' "$state/before.pot" | sed '$d')" ]; then
		why="the next cookie is not the one the pot would have given"
	fi
	result pot_survives_reboot "$why"

	why=
	run purge apt-get purge -y -q fortune-dkms fortunectl
	rmmod fortune 2>/dev/null || true
	left=
	for path in /usr/src/fortune-* /var/lib/dkms/fortune \
		/lib/modules/*/updates/dkms/fortune.ko* /var/lib/fortune \
		/etc/default/fortune /etc/modprobe.d/fortune.conf \
		/lib/systemd/system/fortune.service \
		/etc/systemd/system/multi-user.target.wants/fortune.service \
		/usr/bin/fortunectl /usr/libexec/fortunectl; do
		if [ -e "$path" ] || [ -L "$path" ]; then
			left="$left $path"
		fi
	done
	if [ "$rc" -ne 0 ]; then
		why="apt purge exits $rc: $(last purge)"
	elif [ -n "$left" ]; then
		why="left behind:$left"
	elif dpkg -l fortune-dkms fortunectl 2>/dev/null | grep -q '^[a-z][a-z] '; then
		why="dpkg still knows: $(dpkg -l fortune-dkms fortunectl | grep '^[a-z][a-z] ' | tr '\n' ' ')"
	elif find /lib/modules -name 'fortune*.ko*' | grep -q .; then
		why="a module is left: $(find /lib/modules -name 'fortune*.ko*')"
	fi
	result apt_purge_leaves_nothing "$why"

	why=
	if dmesg | grep -E -q 'WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|KASAN|kmemleak'; then
		why="$(dmesg | grep -E -m 1 'WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|KASAN|kmemleak')"
	fi
	result no_kernel_splat_in_guest "$why"

	echo "# systest: done" >"$out"
	echo 3 >"$state/stage"
	sync
	systemctl poweroff --no-block
}

case $(cat "$state/stage" 2>/dev/null || echo 1) in
1) boot1 ;;
2) boot2 ;;
*)
	diag "booted again after the test: powering off"
	systemctl poweroff --no-block
	;;
esac
