#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit tests of the pot (fortune_kunit.c), on kernels built with
# CONFIG_KUNIT, where the harness builds fortune_kunit.ko.  Loading the
# module runs the suite; its results, themselves KTAP, are read back from
# debugfs and handed on, one result per KUnit case.

MODULE=/lib/fortune/fortune_kunit.ko
RESULTS=/sys/kernel/debug/kunit/fortune_pot/results

echo "KTAP version 1"
if [ ! -f "$MODULE" ]; then
	echo "1..1"
	echo "ok 1 kunit_fortune_pot # SKIP kernel without CONFIG_KUNIT"
	exit 0
fi

if ! insmod "$MODULE"; then
	echo "1..1"
	echo "not ok 1 kunit_fortune_pot # insmod fortune_kunit.ko failed"
	exit 0
fi
log=$(cat "$RESULTS" 2>/dev/null)
rmmod fortune_kunit

# The cases are the indented results below the suite's own (indented)
# plan; the results file may start with a top-level header of its own.
plan=$(echo "$log" | sed -n 's/^  *1\.\.\([0-9][0-9]*\)$/\1/p' | head -n 1)
if [ -z "$plan" ]; then
	echo "1..1"
	echo "not ok 1 kunit_fortune_pot # no results in $RESULTS"
	exit 0
fi
echo "$log" | grep -E '^ +# ' | sed 's/^ *//'
echo "1..$plan"
echo "$log" | grep -E '^ +(not )?ok [0-9]+ ' | sed 's/^ *//'
