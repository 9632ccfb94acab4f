# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced, not run, by the host tests (tests/host/*.sh) and, copied into
# the initramfs as /tests/ktap.sh, by the guest's shell tests: KTAP result
# lines, numbered in order, and diagnostics.

test_count=0

# result NAME [REASON]: no reason means the test passed.
result() {
	test_count=$((test_count + 1))
	if [ -z "${2-}" ]; then
		echo "ok $test_count $1"
	else
		echo "not ok $test_count $1 # $2"
	fi
}

# diag TEXT...: a KTAP diagnostic line.
diag() {
	echo "# $*"
}
