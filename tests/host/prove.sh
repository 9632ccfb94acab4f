#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pot's proofs: CBMC on each harness in proofs/ (each NAME/Makefile
# names its bounds), against fortune_pot.h itself.  One KTAP result per
# harness; CBMC's whole output, with the counterexample trace of any
# failure, in build/prove/NAME.log.  Prints one KTAP document; exits 1 if
# a proof fails.
#
#   POT_DIR=DIR  prove DIR/fortune_pot.h instead (tests/host/prove-mutants.sh)
#   PROVE_ARGS   extra make arguments for every harness (e.g. POT_OPS=4)
#   PROVE_OUT    where the logs go (build/prove)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${PROVE_OUT:-$top/build/prove}
mkdir -p "$out"
# CBMC preprocesses with gcc; the rest comes from bullseye (scripts/cbmc.sh).
[ -n "${FORTUNE_DEPS_DONE:-}" ] || "$top/scripts/deps.sh" gcc libc6-dev >&2
# Fetch CBMC once, before the clock of the first proof starts.
"$top/scripts/cbmc.sh" --version >&2

harnesses=
for dir in "$top"/proofs/*/; do
	[ -f "$dir/Makefile" ] || continue
	dir=${dir%/}
	harnesses="$harnesses ${dir##*/}"
done
echo "KTAP version 1"
echo "1..$(echo "$harnesses" | wc -w)"
n=0 failed=0
for h in $harnesses; do
	n=$((n + 1))
	log=$out/$h.log
	start=$(date +%s)
	echo "prove: $h" >&2
	status=0
	# shellcheck disable=SC2086 # PROVE_ARGS is a list of make arguments
	make -s -C "$top/proofs/$h" prove ${POT_DIR:+POT_DIR="$POT_DIR"} \
		${PROVE_ARGS:-} >"$log" 2>&1 || status=$?
	secs=$(($(date +%s) - start))
	bounds=$(sed -n 's/^# Bounds: //p' "$top/proofs/$h/Makefile")
	if [ "$status" -eq 0 ] && grep -q '^VERIFICATION SUCCESSFUL' "$log"; then
		echo "ok $n $h in $secs s"
		continue
	fi
	failed=$((failed + 1))
	echo "# $h: $bounds"
	grep -E '^\[.*: FAILURE$|^VERIFICATION|error' "$log" | head -n 20 |
		sed 's/^/# /'
	echo "# (the whole output and the counterexample: ${log#"$top"/})"
	echo "not ok $n $h in $secs s"
done
[ "$failed" -eq 0 ]
