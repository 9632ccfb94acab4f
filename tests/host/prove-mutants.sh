#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The proofs can fail: plant one bug at a time in a scratch copy of
# fortune_pot.h (build/prove-mutants/NAME/) and check that CBMC rejects
# each with a counterexample.  The bugs:
#
#   fit-off-by-one    the newer generation's room is one byte too large, so
#                     its newest text may run into the oldest cookie's
#   missed-swap       when the older generation drains while a newer one
#                     exists, the newer one does not take its place
#   cursor-stuck      eviction does not move the seq cursor down, so the
#                     next cookie skips one
#
# One KTAP result per bug: ok when CBMC fails the proof (and the sed really
# changed the file).  The failing properties are shown; the whole output,
# with the counterexample trace, is in build/prove-mutants/NAME.log.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/prove-mutants
rm -rf "$out"
mkdir -p "$out"
[ -n "${FORTUNE_DEPS_DONE:-}" ] || "$top/scripts/deps.sh" gcc libc6-dev >&2
"$top/scripts/cbmc.sh" --version >&2

# The bounds: the fewest operations that reach each bug (ops_for), on the
# small pot of proofs/pot_contents.
harness=pot_contents

mutants="fit-off-by-one missed-swap cursor-stuck"
sed_for() {
	case $1 in
	fit-off-by-one)
		printf '%s\n' 's/^\treturn pot_slot(pot, 0).start - pot->new_end;$/\treturn pot_slot(pot, 0).start - pot->new_end + 1;/' ;;
	missed-swap)
		printf '%s\n' 's/^\tif (pot->old_count)$/\tif (pot->old_count || pot->new_count)/' ;;
	cursor-stuck)
		printf '%s\n' 's/^\t\tpot->cursor--;$/\t\t;/' ;;
	esac
}

# push, push, then an evicting push that starts the newer generation
# in the room of the first, one byte too much of it; a hand-over with a
# newer generation, or a cursor pointing past a dropped cookie, takes one
# operation more.
ops_for() {
	case $1 in
	fit-off-by-one) echo 3 ;;
	*) echo 4 ;;
	esac
}

echo "KTAP version 1"
echo "1..$(echo "$mutants" | wc -w)"
n=0 failed=0
for m in $mutants; do
	n=$((n + 1))
	dir=$out/$m
	log=$out/$m.log
	mkdir -p "$dir"
	cp "$top/fortune.h" "$dir/"
	sed "$(sed_for "$m")" "$top/fortune_pot.h" >"$dir/fortune_pot.h"
	echo "prove-mutants: $m" >&2
	if cmp -s "$top/fortune_pot.h" "$dir/fortune_pot.h"; then
		echo "# $m: the sed no longer matches fortune_pot.h"
		echo "not ok $n $m is planted"
		failed=$((failed + 1))
		continue
	fi
	diff -u "$top/fortune_pot.h" "$dir/fortune_pot.h" >"$log" || true
	start=$(date +%s)
	status=0
	make -s -C "$top/proofs/$harness" prove POT_DIR="$dir" \
		POT_OPS="$(ops_for "$m")" CBMC_EXTRA=--stop-on-fail \
		>>"$log" 2>&1 || status=$?
	secs=$(($(date +%s) - start))
	# The property the counterexample violates.
	grep -A 3 '^Violated property:' "$log" | head -n 4 | sed "s/^/# $m: /"
	if [ "$status" -ne 0 ] && grep -q '^VERIFICATION FAILED' "$log" &&
		grep -q '^Counterexample:' "$log"; then
		echo "ok $n $m is rejected, with a counterexample, in $secs s"
	else
		echo "# $m: CBMC did not report a counterexample (${log#"$top"/})"
		echo "not ok $n $m is rejected, with a counterexample, in $secs s"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
