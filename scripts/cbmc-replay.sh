#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/cbmc-replay.sh build/prove/NAME.log
#
# Turns the first counterexample (or probe witness) of a bounded run of
# the pot's proofs (proofs/lib/pot_model.h) into a line of the replays[]
# table of fortune_kunit.c, so that KUnit replays it on a real kernel:
# the pot's size and each operation with its length, as the harness
# recorded them in replay_size and replay_ops[] (OP_WRITE 0, OP_DROP 1,
# OP_CLEAR 2, OP_TAKE 3, the numbering of both files).
set -eu

log=${1:?usage: scripts/cbmc-replay.sh CBMC_LOG}
awk '
/^Trace for / && seen { exit }
/^Trace for |^Counterexample:/ { seen = 1 }
!seen { next }
/^  replay_size=/ { split($1, a, "="); size = a[2] + 0 }
/^  replay_ops\[[0-9]+l*\]\.op=/ {
	match($1, /\[[0-9]+/); i = substr($1, RSTART + 1, RLENGTH - 1) + 0
	split($1, a, "="); op[i] = a[2] + 0; if (i + 1 > n) n = i + 1
}
/^  replay_ops\[[0-9]+l*\]\.len=/ {
	match($1, /\[[0-9]+/); i = substr($1, RSTART + 1, RLENGTH - 1) + 0
	split($1, a, "="); len[i] = a[2] + 0
}
/^  replay_n=/ { split($1, a, "="); count = a[2] + 0 }
END {
	if (!seen) { print "cbmc-replay: no trace in the log" > "/dev/stderr"; exit 1 }
	names[0] = "OP_WRITE"; names[1] = "OP_DROP"; names[2] = "OP_CLEAR"
	names[3] = "OP_TAKE"
	line = sprintf("\t{ %d, %d, {", size, count)
	for (i = 0; i < count; i++)
		line = line sprintf(" { %s, %d },", names[op[i]], len[i])
	sub(/,$/, "", line)
	print line " } },"
}' "$log"
