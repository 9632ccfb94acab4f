#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host side of the tests that boot a whole Debian system
# (tests/host/system.sh, tests/host/secureboot.sh): their one KTAP
# document, the guest's results first, then the host's own.
#
# The caller sets $work (its build directory) before sourcing this file;
# the guest writes its KTAP lines to $work/ktap*.log (one file a boot),
# numbered in its own way: finish() numbers them anew, in the order of the
# files and of their lines.

host_results=${work:?set work before sourcing vm-ktap.sh}/host.ktap
: >"$host_results"
hn=0

# host_result NAME [WHY]: a host check, passed, or failed for WHY.
host_result() {
	hn=$((hn + 1))
	if [ -z "${2-}" ]; then
		echo "ok HOST $1" >>"$host_results"
	else
		echo "not ok HOST $1 # $2" >>"$host_results"
	fi
}

# finish: the plan and every result, the guest's and then the host's.
finish() {
	guest=$(cat "$work"/ktap*.log 2>/dev/null | tr -d '\r' |
		grep -E '^(ok|not ok|#) ' || true)
	total=$(($(echo "$guest" | grep -c -E '^(ok|not ok) ' || true) + hn))
	echo "1..$total"
	n=0
	{
		[ -z "$guest" ] || echo "$guest"
		cat "$host_results"
	} | while IFS= read -r line; do
		case $line in
		'#'*) echo "$line" ;;
		*)
			n=$((n + 1))
			echo "$line" | sed -E "s/^(ok|not ok) (HOST|[0-9]+) /\\1 $n /"
			;;
		esac
	done
}
