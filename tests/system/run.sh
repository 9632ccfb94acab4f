#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The system test's guest side (tests/host/system.sh), run by the image's
# fortune-systest.service at every boot from the payload disk /dev/vdb,
# which also holds the two versions of the packages (old/ and new/).
#
# Boot 1: apt installs the packages (DKMS builds the module), the service
# is enabled and started, cookies are added (every awkward one), the
# cursor moved, the pot noted; then the packages are upgraded to the new
# version (a changelog entry only, as dch -i makes it) and the guest
# reboots.  Boot 2: the service has loaded the module and restored the
# pot; fortune-save.timer, set to 5 s, saves it with a new cookie in it;
# one more cookie, and the host cuts the power.  Boot 3: the pot is the
# one the timer saved; a restore that fails (POT_SIZE too small) leaves
# the saved file whole across restarts, and a larger POT_SIZE restores it;
# debian/tests runs, and fortunectl's own tests with a fortunectl built
# with ASan and UBSan; then apt purges both packages and nothing may be
# left.
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
# first_cookie POTFILE: the text of the first cookie of a pot file (the
# next one the pot it was saved from would have given).
first_cookie() {
	tail -c +16 "$1" | sed -z -n 1p | tr -d '\0'
}
# The cookies a fortune file cannot carry, each one write: a line that is
# only "%" (and "%\r"), a lone carriage return, trailing empty lines,
# bytes that are no text.
add_awkward() {
	for c in 'one\n%%\ntwo' '%%' '\r' '%%\r' 'x\n%%\r\ny' \
		'empty lines\n\n\n\n' '\n\n' '\001\377 \t' 'no newline'; do
		# shellcheck disable=SC2059 # the cookies are formats on purpose
		printf "$c" >/proc/fortune || return 1
	done
}
# set_default NAME VALUE: in /etc/default/fortune.
set_default() {
	sed -i "/^$1=/d" /etc/default/fortune
	echo "$1=$2" >>/etc/default/fortune
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
	run verify systemd-analyze verify --man=no fortune.service \
		fortune-save.service fortune-save.timer
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
		why="pot_size $(cat /sys/module/fortune/parameters/pot_size), not /etc/default/fortune's 1048576"
	elif [ "$(cookies)" -lt 100 ]; then
		why="$(cookies) cookies: fortunes-min was not loaded"
	fi
	result service_starts_with_fortunes_min "$why"
	diag "$(cookies) cookies loaded from fortunes-min"

	why=
	printf 'systest cookie of boot 1\n' >/proc/fortune || why="write failed"
	add_awkward || why="the module refused an awkward cookie"
	fortunectl next >/dev/null && fortunectl next >/dev/null ||
		why="fortunectl next failed"
	fortunectl save --pot "$state/before.pot" || why="fortunectl save failed"
	fortunectl stats >"$state/before.stats"
	grep -q -a 'systest cookie of boot 1' "$state/before.pot" ||
		why="the new cookie is not in the saved pot"
	result cookies_added "$why"

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
		fortunectl save --pot "$state/upgraded.pot"
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
	fortunectl save --pot "$state/after.pot" || why="fortunectl save failed"
	if [ -z "$why" ] && ! cmp -s "$state/before.pot" "$state/after.pot"; then
		why="the pot after the reboot differs from the one before"
	elif [ "$(fortunectl next)" != "$(first_cookie "$state/before.pot")" ]; then
		why="the next cookie is not the one the pot would have given"
	fi
	result every_cookie_survives_reboot "$why"

	# The timer every 5 s; a cookie; its save; then, the timer stopped
	# so that nothing saves it, one more cookie and the power cut.
	why=
	set_default SAVE_INTERVAL 5s
	systemctl daemon-reload
	systemctl restart fortune-save.timer
	printf 'systest cookie before the timer\n' >/proc/fortune
	fortunectl save --pot "$state/timer.pot"
	waited=0
	while ! cmp -s "$state/timer.pot" /var/lib/fortune/pot && [ "$waited" -lt 120 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	systemctl stop fortune-save.timer
	if ! cmp -s "$state/timer.pot" /var/lib/fortune/pot; then
		why="fortune-save.timer did not save the pot in 120 s: $(journalctl -b -u fortune-save --no-pager | tail -n 2 | tr '\n' ' ')"
	elif [ ! -f /var/lib/fortune/pot.old ]; then
		why="no pot.old beside the pot"
	fi
	result timer_saves_the_pot "$why"
	diag "the timer saved the pot after $waited s"
	printf 'systest cookie after the timer\n' >/proc/fortune
	echo 3 >"$state/stage"
	sync
	diag "power cut"
	sleep 600
}

boot3() {
	diag "boot 3: $release, after a power cut"
	why=
	fortunectl save --pot "$state/boot3.pot" || why="fortunectl save failed"
	if [ -z "$why" ] && ! systemctl is-active -q fortune; then
		why="fortune.service is $(systemctl is-active fortune)"
	elif ! cmp -s "$state/timer.pot" "$state/boot3.pot"; then
		why="the pot is not the one the timer saved"
	fi
	result power_cut_keeps_the_timers_save "$why"

	# pot_size too small for the saved pot: the start fails, twice, and
	# the file stays whole; a pot_size large enough restores it all.
	why=
	cp /var/lib/fortune/pot "$state/file.pot"
	set_default POT_SIZE 4096
	run small systemctl restart fortune
	if [ "$rc" -eq 0 ]; then
		why="the restart succeeded with POT_SIZE=4096"
	elif ! cmp -s "$state/file.pot" /var/lib/fortune/pot; then
		why="the saved pot changed"
	elif ! journalctl -b -u fortune --no-pager | grep -q 'failed (above): the file is kept'; then
		why="the journal does not say why: $(journalctl -b -u fortune --no-pager | tail -n 3 | tr '\n' ' ')"
	else
		run small2 systemctl restart fortune
		systemctl stop fortune
		if [ "$rc" -eq 0 ]; then
			why="the second restart succeeded with POT_SIZE=4096"
		elif ! cmp -s "$state/file.pot" /var/lib/fortune/pot; then
			why="a restart after the failed restore changed the saved pot"
		fi
	fi
	result failed_restore_keeps_the_file "$why"

	why=
	set_default POT_SIZE 1048576
	run large systemctl restart fortune
	if [ "$rc" -ne 0 ]; then
		why="the restart with POT_SIZE=1048576 exits $rc: $(journalctl -b -u fortune --no-pager | tail -n 3 | tr '\n' ' ')"
	elif [ "$(cat /sys/module/fortune/parameters/pot_size)" != 1048576 ]; then
		why="pot_size is $(cat /sys/module/fortune/parameters/pot_size)"
	elif ! fortunectl save --pot "$state/large.pot" ||
		! cmp -s "$state/file.pot" "$state/large.pot"; then
		why="the pot restored is not the pot saved"
	fi
	result larger_pot_size_restores_it "$why"

	# debian/tests, as autopkgtest runs them on a testbed it may break:
	# each test of a Tests: field, as root; not DKMS's own
	# dkms-autopkgtest (Test-Command:), which builds the module again.
	# shellcheck disable=SC2013 # the field is a list of words
	for t in $(sed -n 's/^Tests: //p' "$here/debian-tests/control"); do
		why=
		run "autopkgtest-$t" sh "$here/debian-tests/$t"
		[ "$rc" -eq 0 ] || why="debian/tests/$t exits $rc: $(last "autopkgtest-$t")"
		result "autopkgtest_$t" "$why"
	done

	# fortunectl's own tests, with a fortunectl built with ASan and UBSan
	# in this Debian (the guest suite's initramfs has no libasan), against
	# the module DKMS built.
	systemctl stop fortune
	rmmod fortune 2>/dev/null || true
	why=
	san=$state/san
	rm -rf "$san"
	mkdir -p "$san"
	run asan-build gcc -O1 -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall \
		-Wextra -Werror -I"$here/src" -o "$san/fortunectl" \
		"$here/src/fortunectl/fortunectl.c"
	if [ "$rc" -ne 0 ]; then
		why="the sanitized build fails: $(last asan-build)"
	fi
	result fortunectl_builds_with_asan_ubsan "$why"
	ko=$(modinfo -k "$release" -F filename fortune)
	for t in fortunectl save; do
		why=
		[ -f "$san/fortunectl" ] || why="no sanitized fortunectl"
		if [ -z "$why" ]; then
			(cd "$here/src/tests" &&
				FORTUNE_KO=$ko FORTUNECTL=$san/fortunectl FORTUNE_SANITIZED=1 \
				ASAN_OPTIONS=log_path=$san/asan:detect_leaks=1 \
				UBSAN_OPTIONS=log_path=$san/ubsan:print_stacktrace=1 \
				sh "./$t.sh") >"$state/san-$t.ktap" 2>"$state/san-$t.err" || true
			sed "s/^/san-$t: /" "$state/san-$t.ktap"
			if ls "$san"/asan* "$san"/ubsan* >/dev/null 2>&1; then
				why="a sanitizer report: $(cat "$san"/asan* "$san"/ubsan* 2>/dev/null | grep -m 1 -E 'ERROR|runtime error')"
			elif ! grep -q '^1\.\.[1-9]' "$state/san-$t.ktap"; then
				why="no KTAP plan: $(tail -n 2 "$state/san-$t.err" | tr '\n' ' ')"
			elif grep -q '^not ok' "$state/san-$t.ktap"; then
				why="$(grep -m 1 '^not ok' "$state/san-$t.ktap")"
			elif [ "$(grep -c '^ok' "$state/san-$t.ktap")" -ne \
				"$(sed -n 's/^1\.\.//p' "$state/san-$t.ktap")" ]; then
				why="$(grep -c '^ok' "$state/san-$t.ktap") of $(sed -n 's/^1\.\.//p' "$state/san-$t.ktap") tests ran"
			fi
		fi
		result "tests_${t}_under_asan_ubsan" "$why"
	done

	why=
	run purge apt-get purge -y -q fortune-dkms fortunectl
	rmmod fortune 2>/dev/null || true
	left=
	for path in /usr/src/fortune-* /var/lib/dkms/fortune \
		/lib/modules/*/updates/dkms/fortune.ko* /var/lib/fortune \
		/etc/default/fortune /etc/modprobe.d/fortune.conf \
		/lib/systemd/system/fortune.service \
		/lib/systemd/system/fortune-save.timer \
		/lib/systemd/system-generators/fortune-save-generator \
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
	echo 4 >"$state/stage"
	sync
	systemctl poweroff --no-block
}

case $(cat "$state/stage" 2>/dev/null || echo 1) in
1) boot1 ;;
2) boot2 ;;
3) boot3 ;;
*)
	diag "booted again after the test: powering off"
	systemctl poweroff --no-block
	;;
esac
