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
bytes() {
	wc -c <"$1" | tr -d ' '
}
first_line() {
	head -n 1 "$1"
}

# Cookie streams.  A stream holds cookies one after another, each one
# followed by a line that is "%" alone: fortune's own format, in which no
# cookie can hold such a line.  One pass over two streams compares every
# cookie and every boundary between them, with no file per cookie (making
# a thousand files costs minutes on a debug kernel under TCG).  A reader
# puts back the newline a cookie's last line lacks: the C tests check the
# exact bytes of each read.

# take_stream N: takes N cookies as `cat /proc/fortune` would, each with
# an open, reads to the end of the file and a close, and prints them as a
# stream.  One awk does it all: a process per cookie is what makes a test
# slow under TCG; `fortunectl next` is tested where it is the point.
take_stream() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			while ((got = (getline line <"/proc/fortune")) > 0)
				print line
			if (got < 0)
				exit 1
			close("/proc/fortune")
			print "%"
		}
	}'
}

# ctl_stream N: N cookies as a stream, each from one `fortunectl next`.
ctl_stream() {
	i=0
	while [ "$i" -lt "$1" ]; do
		"$ctl" next || return 1
		echo %
		i=$((i + 1))
	done
}

# cookies STREAM: how many cookies STREAM holds.
cookies() {
	grep -c '^%$' "$1" || true
}

# slice STREAM FIRST LAST: cookies FIRST to LAST (from 1) of STREAM.
slice() {
	awk -v first="$2" -v last="$3" '
		n + 1 >= first && n + 1 <= last { print }
		$0 == "%" { n++ }' "$1"
}

# first_difference A B: nothing when streams A and B hold the same
# cookies, else the number of the first cookie in which they differ.
first_difference() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (n = 1;;) {
			in_a = (getline line_a <a) > 0
			in_b = (getline line_b <b) > 0
			if (!in_a && !in_b)
				exit
			if (in_a != in_b || line_a != line_b) {
				print n
				exit
			}
			n += line_a == "%"
		}
	}'
}
