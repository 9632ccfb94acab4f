# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest's shell tests of fortunectl (tests/fortunectl.sh,
# tests/save.sh), from beside them in /tests: KTAP results, a scratch
# directory $work that goes away at exit together with the module, and
# small helpers.  The test names its scratch directory before sourcing:
#
#   work_name=save
#   . "$(dirname "$0")/ctl-lib.sh"

# Its variables are for the tests that source it (SC2034).
# shellcheck source=tests/ktap.sh disable=SC2034
. "$(dirname "$0")/ktap.sh"

ko=${FORTUNE_KO:-/lib/fortune/fortune.ko}
ctl=${FORTUNECTL:-fortunectl}
db=${FORTUNE_DB:-/usr/share/games/fortunes}

work=$(mktemp -d "/tmp/${work_name:-ctl}.XXXXXX")
cleanup() {
	if [ -e /proc/fortune ]; then
		rmmod fortune || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# run NAME CMD...: runs CMD with its output in $work/NAME.out and .err,
# its exit status in $rc.
run() {
	name=$1
	shift
	rc=0
	"$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
}
lines() {
	wc -l <"$1" | tr -d ' '
}
first_line() {
	head -n 1 "$1"
}

# take_cookie FILE: takes the next cookie into FILE as `cat /proc/fortune`
# would, but in the shell itself: one open, then the file read line by
# line to its end.  A process per cookie is what makes a test slow under
# TCG (on the debug kernels, most of all); `fortunectl next` is tested
# where it is the point.
take_cookie() {
	while IFS= read -r line; do
		printf '%s\n' "$line"
	done </proc/fortune >"$1"
}

# ctl_next FILE: the next cookie into FILE, with fortunectl next.
ctl_next() {
	"$ctl" next >"$1"
}

# take_each READER DIR FIRST LAST: cookies FIRST to LAST into DIR/FIRST
# .. DIR/LAST, each taken by READER FILE (take_cookie or ctl_next).
take_each() {
	mkdir -p "$2"
	i=$3
	while [ "$i" -le "$4" ]; do
		"$1" "$2/$i" || return 1
		i=$((i + 1))
	done
}
