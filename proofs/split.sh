#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   proofs/split.sh HARNESS.c CBMC ARGS...
#
# Proves a harness's properties a few at a time (SPLIT=1 in
# Makefile.common), from the same program and the same assumptions as one
# run of the whole harness: only the solver's work is cut up.  CBMC's
# single solve of every property of an unbounded step did not end in an
# hour of CPU, while one property alone, or a function's pointer checks
# together, end in seconds (README, "The pot's proofs").
#
# The runs: every property whose description matches SPLIT_ALONE (an
# extended regular expression: by default the bounds of an access and the
# wrap of an arithmetic operation, the checks that need the invariant's
# chains of inequalities) is proved alone; the others a run per function.
#
# Prints every run's output, in order, so that tests/host/prove.sh reads
# the results as it reads one run's.  A run that gives no verdict (an
# error, or SPLIT_CPU seconds of CPU spent) prints a result line of its
# own, "[split.ID] ...: FAILURE", which fails the proof: no property is
# left out unsaid.
#
#   SPLIT_ALONE  the properties proved one a run
#   SPLIT_ALONE_IN  an extended regular expression: every property of a
#                function whose name matches is proved alone too (a
#                function's group that gave no verdict: check_cookie in
#                the readers' lemma)
#   SPLIT_ONLY   an extended regular expression: make only the runs of the
#                functions whose names match (to redo the runs that gave no
#                verdict); the others are not proved, and a failing line
#                says so
#   SPLIT_CASES  an extended regular expression: the properties whose
#                description matches are proved by cases, each alone in
#                each case (a goal that one solve does not close): a run
#                without PROOF_CASE leaves them out, and a line says so;
#                a run with PROOF_CASE (Makefile.common: the harness
#                assumes that case) proves them and nothing else
#   SPLIT_CPU    CPU seconds a run may take (default 900)
#   SPLIT_CACHE  a directory (make prove-step: $FORTUNE_CACHE/proofs): a
#                run that gives a verdict is kept there, under a hash of
#                all it depends on, and a run with the same hash is not
#                made again, its output printed as it was, so that a list
#                of many hours goes on where it stopped.  The hash covers
#                the harness as the preprocessor gives it (SPLIT_SOURCE:
#                its defines, includes and file, with SPLIT_TOP, the
#                tree's path, taken out; line markers kept, so that a
#                cached output's lines are the source's), the rewriting
#                of its goto program (SPLIT_INSTRUMENT), CBMC's version
#                and options, and the run's properties.  A run that gives
#                no verdict is not kept.
set -eu

harness=$1
shift
alone=${SPLIT_ALONE:-outside object bounds|arithmetic overflow}
alone_in=${SPLIT_ALONE_IN:-}
only=${SPLIT_ONLY:-}
cases=${SPLIT_CASES:-}
case=${PROOF_CASE:-}
cpu=${SPLIT_CPU:-900}
if [ -n "$case" ] && [ -z "$cases" ]; then
	echo "split: PROOF_CASE=$case without SPLIT_CASES: no property to prove by cases" >&2
	exit 2
fi
list=$(mktemp)
trap 'rm -f "$list" "$list.out" "$list.cases" "$list.src"' EXIT

# The hash of the program and the options, every run's key but its
# properties: the tree's path out, so that another checkout of the same
# sources finds the same runs.
cache=${SPLIT_CACHE:-}
key=
if [ -n "$cache" ]; then
	if [ -z "${SPLIT_SOURCE:-}" ] || [ -z "${SPLIT_TOP:-}" ]; then
		echo "split: SPLIT_CACHE needs SPLIT_SOURCE and SPLIT_TOP (proofs/Makefile.common sets them)" >&2
		exit 2
	fi
	mkdir -p "$cache"
	# shellcheck disable=SC2086 # one word per option
	"$1" --preprocess $SPLIT_SOURCE >"$list.src"
	[ -s "$list.src" ] || {
		echo "split: the preprocessor gave nothing for $SPLIT_SOURCE" >&2
		exit 2
	}
	key=$({
		"$1" --version
		cat "$list.src"
		echo "instrument: ${SPLIT_INSTRUMENT:-}"
		echo "options: $*"
	} | sed "s|$SPLIT_TOP|TOP|g" | sha256sum | cut -d' ' -f1)
fi

# One line a property: "ID FUNCTION ALONE", ALONE 1 or 0; those of the
# functions SPLIT_ONLY leaves out, in $list.out; those proved by cases,
# in a run without PROOF_CASE, in $list.cases.
"$@" --show-properties "$harness" | awk -v alone="$alone" \
	-v alone_in="$alone_in" -v only="$only" -v out="$list.out" \
	-v cases="$cases" -v pcase="$case" -v by_cases="$list.cases" '
	/^Property / { id = $2; sub(/:$/, "", id); next }
	id != "" && / function / { fn = $NF; next }
	id != "" {
		a = $0 ~ alone || (alone_in != "" && fn ~ alone_in)
		c = cases != "" && $0 ~ cases
		if (pcase != "") {
			if (c)
				print id, fn, 1
		} else if (c) {
			sub(/^ */, "")
			print id " (" $0 ")" >by_cases
		} else if (only == "" || fn ~ only) {
			print id, fn, a ? 1 : 0
		} else {
			print id >out
		}
		id = ""
	}
' >"$list"
[ -s "$list" ] || {
	echo "split: CBMC lists no property in $harness" >&2
	exit 2
}
if [ -s "$list.cases" ]; then
	sed 's/^/split: by cases, in the runs with PROOF_CASE: /' "$list.cases"
fi
if [ -s "$list.out" ]; then
	echo "[split.only] $(wc -l <"$list.out") properties not run (SPLIT_ONLY=$only): FAILURE"
fi

# run NAME ID...: one CBMC run proving the properties ID...
run() {
	name=$1
	shift
	props=
	for id in "$@"; do
		props="$props --property $id"
	done
	echo "split: $name ($# properties)"
	entry=
	if [ -n "$cache" ]; then
		entry=$cache/$(echo "$key$props" | sha256sum | cut -d' ' -f1)
		if [ -f "$entry" ]; then
			tail -n +2 "$entry"
			echo "split: $name: cached, $(head -n 1 "$entry") (${entry##*/})"
			return
		fi
	fi
	start=$SECONDS
	status=0
	# shellcheck disable=SC2086 # one word per option
	out=$( (ulimit -t "$cpu" && exec $cbmc $props "$harness") 2>&1) ||
		status=$?
	echo "$out"
	secs=$((SECONDS - start))
	echo "split: $name: $secs s"
	if ! echo "$out" | grep -qE '^VERIFICATION (SUCCESSFUL|FAILED)$'; then
		echo "[split.$name] no verdict (status $status, at most $cpu s of CPU): FAILURE"
	elif [ -n "$entry" ]; then
		# Written whole, then renamed: a run cut short leaves no entry.
		{
			echo "$secs s on $(date -u +%F)"
			echo "$out"
		} >"$entry.$$"
		mv "$entry.$$" "$entry"
	fi
}

# The command and its options, a word each (none has a space).
cbmc=$*
awk '$3 == 1 { print $1 }' "$list" | while read -r id; do
	run "$id" "$id"
done
awk '$3 == 0 { print $2 }' "$list" | sort -u | while read -r fn; do
	# shellcheck disable=SC2046 # one word per property
	run "$fn" $(awk -v fn="$fn" '$3 == 0 && $2 == fn { print $1 }' "$list")
done
