# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host tests (not run: it is not executable, so
# scripts/check.sh leaves it out): KTAP result lines, numbered in order.

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
