#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The article's Listing 12 as a test: load, three cookies in, four out
# (first, second, third, first again), unload, and /proc/fortune is gone.

MODULE=${MODULE:-/lib/fortune/fortune.ko}
PROC=/proc/fortune
FIRST="Success is an individual proposition.  Thomas Watson"
SECOND="If a man does his best, what else is there?  Gen. Patton"
THIRD="Cats: All your base are belong to us.  Zero Wing"

n=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

echo "KTAP version 1"
echo "1..6"

insmod "$MODULE"
result $? "insmod fortune.ko"

status=0
for cookie in "$FIRST" "$SECOND" "$THIRD"; do
	echo "$cookie" >"$PROC" || status=1
done
result $status "three cookies written with echo"

status=0
for want in "$FIRST" "$SECOND" "$THIRD" "$FIRST"; do
	got=$(cat "$PROC") || status=1
	if [ "$got" != "$want" ]; then
		echo "# read '$got', expected '$want'"
		status=1
	fi
done
result $status "four reads give first, second, third, first"

# The output of cat must end with exactly one newline.
bytes=$(wc -c <"$PROC" | tr -d " ")
want=$((${#SECOND} + 1))
[ "$bytes" = "$want" ]
result $? "a read is the cookie and one newline ($bytes bytes, want $want)"

rmmod fortune
result $? "rmmod fortune"

[ ! -e "$PROC" ]
result $? "/proc/fortune is gone after rmmod"
