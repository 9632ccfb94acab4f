#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pot's proofs: CBMC on each run named in proofs/ORDER, one line each:
# a harness (proofs/NAME, whose Makefile names its bounds) and the make
# arguments of that run (e.g. POT_SIZE=65), against fortune_pot.h itself.
# One KTAP result per run; CBMC's whole output, with the counterexample
# trace of any failure, in build/prove/LABEL.log.  Prints one KTAP
# document; exits 1 if a proof fails.  PROVE_JOBS runs (default: one per
# CPU) run at once; the results come in the order of the list.
#
# A run passes when CBMC proves every property, and fails every probe:
# a probe ("probe: WHAT", proofs/lib/pot_check.h) asserts that a state the
# proof must reach is never reached, so its counterexample is the witness
# that the state is reachable.  A probe that holds means the harness no
# longer reaches that state: the proof would be vacuous there, and fails.
#
#   POT_DIR=DIR  prove DIR/fortune_pot.h instead (tests/host/prove-mutants.sh)
#   PROVE_ARGS   extra make arguments for every run (e.g. POT_OPS=5)
#   PROVE_OUT    where the logs go (build/prove)
#   PROVE_FIRST_FAIL=1  start no run after one has failed
#   PROVE_LIST   the file naming the runs (proofs/ORDER)
#   PROVE_JOBS   runs at once (default: the number of CPUs)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${PROVE_OUT:-$top/build/prove}

# label NAME ARGS...: the run's name in KTAP and its log's, e.g.
# pot_contents-POT_SIZE=65.
label() {
	echo "$*" | tr ' ' '-'
}

# --one N NAME ARGS...: run N of the list, alone; its KTAP lines go to
# $out/N.result, and $out/failed is made when it fails.
if [ "${1:-}" = --one ]; then
	n=$2 h=$3
	shift 3
	name=$(label "$h" "$@")
	log=$out/$name.log
	res=$out/$n.result
	if [ -n "${PROVE_FIRST_FAIL:-}" ] && [ -e "$out/failed" ]; then
		echo "ok $n $name # SKIP after a failure" >"$res"
		exit 0
	fi
	start=$(date +%s)
	echo "prove: $name" >&2
	status=0
	# shellcheck disable=SC2086 # PROVE_ARGS is a list of make arguments
	make -s -C "$top/proofs/$h" prove ${POT_DIR:+POT_DIR="$POT_DIR"} \
		"$@" ${PROVE_ARGS:-} >"$log" 2>&1 || status=$?
	secs=$(($(date +%s) - start))
	bounds=$(sed -n 's/^# Bounds: //p' "$top/proofs/$h/Makefile")
	# CBMC's verdict: VERIFICATION SUCCESSFUL (all proved) or FAILED
	# (some property fails, as every probe must), not ERROR; make turns
	# its exit status 10 into its own 2, so the log is what tells.  Its
	# results: "[NAME] line N DESCRIPTION: STATUS".
	verdict=$(grep -E '^VERIFICATION (SUCCESSFUL|FAILED)$' "$log" || true)
	results=$(grep -E '^\[.*: (SUCCESS|FAILURE)$' "$log" || true)
	bad=$(echo "$results" | grep -v ' probe: ' | grep ': FAILURE$' || true)
	vacuous=$(echo "$results" | grep ' probe: ' | grep ': SUCCESS$' || true)
	probes=$(echo "$results" | grep -c ' probe: ' || true)
	if { [ "$status" -eq 0 ] || [ "$status" -eq 2 ]; } &&
		[ -n "$verdict" ] && [ -n "$results" ] && [ -z "$bad" ] &&
		[ -z "$vacuous" ]; then
		echo "ok $n $name in $secs s ($probes states reached)" >"$res"
		exit 0
	fi
	: >"$out/failed"
	{
		echo "# $name: $bounds${*:+ ($*)}"
		[ -n "$results" ] || grep -E 'error|^VERIFICATION' "$log" |
			head -n 10 | sed 's/^/# /'
		[ -z "$bad" ] || echo "$bad" | head -n 20 | sed 's/^/# /'
		[ -z "$vacuous" ] || echo "$vacuous" |
			sed 's/^/# no longer reached: /'
		echo "# (the whole output and the counterexample: ${log#"$top"/})"
		echo "not ok $n $name in $secs s"
	} >"$res"
	exit 0
fi

mkdir -p "$out"
rm -f "$out"/*.result "$out/failed"
# CBMC preprocesses with gcc; the rest comes from trixie (scripts/cbmc.sh).
[ -n "${FORTUNE_DEPS_DONE:-}" ] || "$top/scripts/deps.sh" gcc libc6-dev >&2
# A run with SAT=cadical (../../proofs/Makefile.common) solves with
# bookworm's CaDiCaL.
list=${PROVE_LIST:-$top/proofs/ORDER}
if grep -v '^#' "$list" | grep -qw 'SAT=cadical'; then
	"$top/scripts/deps.sh" cadical >&2
fi
# Fetch CBMC once, before the clock of the first proof starts; the runs
# take it from there.
CBMC_ROOT=${CBMC_ROOT:-$("$top/scripts/cbmc.sh" --root)}
export CBMC_ROOT
"$top/scripts/cbmc.sh" --version >&2

# The runs of proofs/ORDER (or PROVE_LIST, a file of the same form:
# proofs/STEP is `make prove-step`).  Every harness must be named in one
# of the two.
runs=$(grep -v -e '^#' -e '^$' "$list")
for dir in "$top"/proofs/*/; do
	[ -f "$dir/Makefile" ] || continue
	dir=${dir%/}
	cat "$top/proofs/ORDER" "$top/proofs/STEP" | awk '{ print $1 }' |
		grep -qx "${dir##*/}" || {
		echo "prove: ${dir##*/} is in neither proofs/ORDER nor proofs/STEP" >&2
		exit 1
	}
done

count=$(echo "$runs" | wc -l)
echo "KTAP version 1"
echo "1..$count"
PROVE_OUT=$out
export PROVE_OUT
echo "$runs" | awk '{ print NR, $0 }' |
	xargs -P "${PROVE_JOBS:-$(nproc)}" -L 1 "$0" --one
n=0
while [ "$n" -lt "$count" ]; do
	n=$((n + 1))
	cat "$out/$n.result"
done
[ ! -e "$out/failed" ]
