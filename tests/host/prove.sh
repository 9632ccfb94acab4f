#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pot's proofs: CBMC on each harness in proofs/ (each NAME/Makefile
# names its bounds), against fortune_pot.h itself.  One KTAP result per
# harness; CBMC's whole output, with the counterexample trace of any
# failure, in build/prove/NAME.log.  Prints one KTAP document; exits 1 if
# a proof fails.
#
# A harness passes when CBMC proves every property, and fails every probe:
# a probe ("probe: WHAT", proofs/lib/pot_check.h) asserts that a state the
# proof must reach is never reached, so its counterexample is the witness
# that the state is reachable.  A probe that holds means the harness no
# longer reaches that state: the proof would be vacuous there, and fails.
#
#   POT_DIR=DIR  prove DIR/fortune_pot.h instead (tests/host/prove-mutants.sh)
#   PROVE_ARGS   extra make arguments for every harness (e.g. POT_OPS=4)
#   PROVE_OUT    where the logs go (build/prove)
#   PROVE_FIRST_FAIL=1  stop at the first harness that fails
#   PROVE_LIST   the file naming the harnesses (proofs/ORDER)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${PROVE_OUT:-$top/build/prove}
mkdir -p "$out"
# CBMC preprocesses with gcc; the rest comes from bullseye (scripts/cbmc.sh).
[ -n "${FORTUNE_DEPS_DONE:-}" ] || "$top/scripts/deps.sh" gcc libc6-dev >&2
# Fetch CBMC once, before the clock of the first proof starts.
"$top/scripts/cbmc.sh" --version >&2

# The harnesses, in the order of proofs/ORDER (or PROVE_LIST, a file of
# the same form: proofs/STEP, the inductive step, is `make prove-step`).
# Every harness must be named in one of the two.
list=${PROVE_LIST:-$top/proofs/ORDER}
harnesses=$(grep -v '^#' "$list")
for dir in "$top"/proofs/*/; do
	[ -f "$dir/Makefile" ] || continue
	dir=${dir%/}
	cat "$top/proofs/ORDER" "$top/proofs/STEP" | grep -qx "${dir##*/}" || {
		echo "prove: ${dir##*/} is in neither proofs/ORDER nor proofs/STEP" >&2
		exit 1
	}
done

echo "KTAP version 1"
echo "1..$(echo "$harnesses" | wc -w)"
n=0 failed=0
for h in $harnesses; do
	n=$((n + 1))
	log=$out/$h.log
	if [ "$failed" -gt 0 ] && [ -n "${PROVE_FIRST_FAIL:-}" ]; then
		echo "ok $n $h # SKIP after a failure"
		continue
	fi
	start=$(date +%s)
	echo "prove: $h" >&2
	status=0
	# shellcheck disable=SC2086 # PROVE_ARGS is a list of make arguments
	make -s -C "$top/proofs/$h" prove ${POT_DIR:+POT_DIR="$POT_DIR"} \
		${PROVE_ARGS:-} >"$log" 2>&1 || status=$?
	secs=$(($(date +%s) - start))
	bounds=$(sed -n 's/^# Bounds: //p' "$top/proofs/$h/Makefile")
	# CBMC exits 0 (all proved) or 10 (some property fails); the rest is
	# an error.  Its results: "[NAME] line N DESCRIPTION: STATUS".
	results=$(grep -E '^\[.*: (SUCCESS|FAILURE)$' "$log" || true)
	bad=$(echo "$results" | grep -v ' probe: ' | grep ': FAILURE$' || true)
	vacuous=$(echo "$results" | grep ' probe: ' | grep ': SUCCESS$' || true)
	probes=$(echo "$results" | grep -c ' probe: ' || true)
	if { [ "$status" -eq 0 ] || [ "$status" -eq 10 ]; } &&
		[ -n "$results" ] && [ -z "$bad" ] && [ -z "$vacuous" ]; then
		echo "ok $n $h in $secs s ($probes states reached)"
		continue
	fi
	failed=$((failed + 1))
	echo "# $h: $bounds"
	[ -n "$results" ] || grep -E 'error|^VERIFICATION' "$log" | head -n 10 |
		sed 's/^/# /'
	[ -z "$bad" ] || echo "$bad" | head -n 20 | sed 's/^/# /'
	[ -z "$vacuous" ] || echo "$vacuous" |
		sed 's/^/# no longer reached: /'
	echo "# (the whole output and the counterexample: ${log#"$top"/})"
	echo "not ok $n $h in $secs s"
done
[ "$failed" -eq 0 ]
