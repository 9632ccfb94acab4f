#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The proofs catch real bugs: plant one bug at a time in a scratch copy of
# fortune_pot.h (build/prove-mutants/NAME/) and run the very proofs of
# `make prove` on it (tests/host/prove.sh, every harness at the bounds in
# its Makefile), which must reject it with a counterexample.  Two things
# differ, to keep the cost down, and neither makes a proof stronger:
# CBMC stops at the first violated property (--stop-on-fail), and the
# probes (reachability witnesses, expected to fail) are left out, so that
# what stops it is a property of the pot.  A surviving mutant fails the
# test.
#
# One KTAP result per bug: ok when a harness reports a violated property
# other than a probe (and the sed really changed the file).  The violated
# property is shown; the whole output, with the counterexample trace, is in
# build/prove-mutants/NAME/.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/prove-mutants

# NAME|what it plants|sed script (one line of fortune_pot.h each).
mutants='
fit-off-by-one|the newer generation has one byte of room too many|s/^\treturn pot_slot(pot, 0).start - pot->new_end;$/\treturn pot_slot(pot, 0).start - pot->new_end + 1;/
fits-middle-plus-one|the middle gap takes one byte too many|s/^\treturn !pot->new_count \&\& len + POT_SLOT_SIZE <= pot_middle_gap(pot);$/\treturn !pot->new_count \&\& len + POT_SLOT_SIZE <= pot_middle_gap(pot) + 1;/
newer-room-strict|the newer generation wants room for two slots|s/^\tif (!pot->old_count || slots_low - pot->old_top < POT_SLOT_SIZE)$/\tif (!pot->old_count || slots_low - pot->old_top <= POT_SLOT_SIZE)/
missed-swap|no hand-over while the newer generation holds cookies|s/^\tif (pot->old_count)$/\tif (pot->old_count || pot->new_count)/
handover-end-order|the hand-over zeroes new_end before copying it|s/^\tpot->old_end = pot->new_end;$/\tpot->new_end = 0;\n\tpot->old_end = pot->new_end;/
handover-count-order|the hand-over zeroes new_count before copying it|s/^\tpot->old_count = pot->new_count;$/\tpot->new_count = 0;\n\tpot->old_count = pot->new_count;/
cursor-stuck|a drop does not move the seq cursor|s/^\t\tpot->cursor--;$/\t\t;/
cursor-above-one|a drop moves the cursor only when above 1|s/^\tif (pot->cursor)$/\tif (pot->cursor > 1)/
cursor-wraps-newest|seq order wraps to the newest, not the oldest|s/^\treturn pot->cursor < pot_count(pot) ? pot->cursor : 0;$/\treturn pot->cursor < pot_count(pot) ? pot->cursor : pot_count(pot) - 1;/
clear-keeps-cursor|a clear keeps the cursor|/^static inline void pot_clear/,/^}/{/^\tpot->cursor = 0;$/d}
largest-short|pot_largest() one byte short of the middle gap|s/^\t\tlargest = max(largest, pot_middle_gap(pot) - POT_SLOT_SIZE);$/\t\tlargest = max(largest, pot_middle_gap(pot) - POT_SLOT_SIZE - 1);/
fits-strict|pot_fits() refuses the exact fit|s/^\treturn pot_fits_middle(pot, len) || len <= pot_largest(pot);$/\treturn pot_fits_middle(pot, len) || len < pot_largest(pot);/
make-room-greedy|pot_make_room() drops until one byte more fits|s/^\twhile (!pot_fits(pot, len)) {$/\twhile (!pot_fits(pot, len + 1)) {/
serial-off-by-one|serials start at 1|s/^\treturn pot->added - pot_count(pot) + rank;$/\treturn pot->added - pot_count(pot) + rank + 1;/
find-serial-unborn|the serial of the next cookie is found|s/^\tif (serial < oldest || serial >= pot->added)$/\tif (serial < oldest || serial > pot->added)/
peek-wrap|PEEK wraps one place late|s/^\treturn pos < to_end ? next + pos : pos - to_end;$/\treturn pos <= to_end ? next + pos : pos - to_end;/
'

# --one N: plant and prove mutant N; its KTAP lines go to $out/N.result.
if [ "${1:-}" = --one ]; then
	n=$2
	line=$(printf '%s\n' "$mutants" | grep '|' | sed -n "${n}p")
	m=${line%%|*}
	rest=${line#*|}
	what=${rest%%|*}
	script=${rest#*|}
	dir=$out/$m
	res=$out/$n.result
	mkdir -p "$dir/src"
	cp "$top/fortune.h" "$dir/src/"
	sed "$script" "$top/fortune_pot.h" >"$dir/src/fortune_pot.h"
	echo "prove-mutants: $m" >&2
	if cmp -s "$top/fortune_pot.h" "$dir/src/fortune_pot.h"; then
		{
			echo "# $m: the sed no longer matches fortune_pot.h"
			echo "not ok $n $m is planted"
		} >"$res"
		exit 0
	fi
	diff -u "$top/fortune_pot.h" "$dir/src/fortune_pot.h" >"$dir/diff" || true
	start=$(date +%s)
	POT_DIR=$dir/src PROVE_OUT=$dir PROVE_FIRST_FAIL=1 PROVE_JOBS=1 \
		PROVE_ARGS='CBMC_EXTRA=--stop-on-fail PROBES=0' \
		FORTUNE_DEPS_DONE=1 "$top/tests/host/prove.sh" \
		>"$dir/prove.ktap" 2>&1 || true
	secs=$(($(date +%s) - start))
	# The property the counterexample violates (probes are left out).
	caught=$(grep -h -A 3 '^Violated property:' "$dir"/*.log 2>/dev/null |
		head -n 4 || true)
	by=$(grep -l '^Violated property:' "$dir"/*.log 2>/dev/null |
		head -n 1 || true)
	by=${by##*/}
	if [ -n "$caught" ] && ! echo "$caught" | grep -q 'probe: ' &&
		grep -q '^Counterexample:' "$dir"/*.log; then
		{
			echo "$caught" | sed "s/^/# $m: /"
			echo "ok $n $m ($what) is rejected by ${by%.log}," \
				"with a counterexample, in $secs s"
		} >"$res"
	else
		{
			echo "# $m ($what): no counterexample (${dir#"$top"/})"
			echo "not ok $n $m ($what) is rejected, in $secs s"
		} >"$res"
	fi
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
[ -n "${FORTUNE_DEPS_DONE:-}" ] || "$top/scripts/deps.sh" gcc libc6-dev >&2
CBMC_ROOT=${CBMC_ROOT:-$("$top/scripts/cbmc.sh" --root)}
export CBMC_ROOT
"$top/scripts/cbmc.sh" --version >&2

# PROVE_JOBS mutants at once (default: one per CPU), each proved by one
# run at a time, stopping at the first that rejects it.
count=$(echo "$mutants" | grep -c '|')
echo "KTAP version 1"
echo "1..$count"
seq 1 "$count" | xargs -P "${PROVE_JOBS:-$(nproc)}" -n 1 "$0" --one
n=0
while [ "$n" -lt "$count" ]; do
	n=$((n + 1))
	cat "$out/$n.result"
done
! grep -q '^not ok' "$out"/*.result
