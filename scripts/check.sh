#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the host tests (every executable tests/host/*.sh, each
# printing one KTAP document), then the guest suite on every kernel of
# scripts/kernels.conf (or those named in FORTUNE_KERNELS), each booted by
# scripts/run.sh check.  Prints one line per host test and per kernel, and
# last "N passed, N failed" (", N skipped" when some were).  Exits 1 if
# anything failed.  A kernel fails on a provider or build failure, a QEMU
# timeout or crash, a missing success marker, a plan that does not match
# its results, any "not ok", or no results at all (scripts/ktap-summary).
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
marker="fortune-ko: suite complete"

# FORTUNE_KERNELS first: a misspelt name should not wait for the rest.
kernels=$(awk '$1 !~ /^#/ && NF >= 2 { print $1 }' scripts/kernels.conf)
if [ -n "${FORTUNE_KERNELS:-}" ]; then
	for k in $FORTUNE_KERNELS; do
		echo "$kernels" | grep -qx "$k" || {
			echo "check: no kernel '$k' in scripts/kernels.conf" \
				"(there are: $(echo "$kernels" | tr '\n' ' '))" >&2
			exit 2
		}
	done
	kernels=$FORTUNE_KERNELS
fi

scripts/deps.sh
export FORTUNE_DEPS_DONE=1
mkdir -p build/host
rm -f build/check-summary build/check-failures

passed=0 failed=0 skipped=0

# tally FILE [MARKER]: read a KTAP results file; set $p, $f (failures
# and problems) and $s; keep its failure lines for report.
tally() {
	summary=$(scripts/ktap-summary -v "marker=${2:-}" "$1") || true
	echo "$summary" | sed '$d' >"$top/build/.failures"
	p=0 f=0 s=0
	for count in $(echo "$summary" | tail -n 1); do
		case $count in
		passed=*) p=${count#*=} ;;
		failed=* | problems=*) f=$((f + ${count#*=})) ;;
		skipped=*) s=${count#*=} ;;
		esac
	done
}

# report LABEL SECONDS [EXTRA-FAILURE-REASON]
report() {
	if [ -n "${3:-}" ]; then
		echo "  $1: $3" >>"$top/build/.failures"
		f=$((f + 1))
	fi
	echo "$1: $p passed, $f failed, $s skipped in $2 s"
	cat "$top/build/.failures"
	if [ "$f" -ne 0 ]; then
		echo "$1:" >>"$top/build/check-failures"
		grep -v -E '^  [^ ]+:     ' "$top/build/.failures" >>"$top/build/check-failures" || true
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for test in tests/host/*.sh; do
	[ -x "$test" ] || continue
	name=host/$(basename "$test" .sh)
	log=build/$name.log
	echo "check: running $name" >&2
	start=$(date +%s)
	status=0
	"$test" >"build/$name.ktap" 2>"$log" || status=$?
	tally "build/$name.ktap"
	extra=
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		extra="exited with status $status"
	fi
	report "$name" $(($(date +%s) - start)) "$extra"
	[ "$f" -eq 0 ] || echo "  its log: $top/$log"
done

# Fetching Debian's kernels, headers and release roots waits on the
# network and dpkg, booting waits on the CPU: fetch the later kernels in
# the background while the earlier ones boot.  One fetch at a time, in
# the order of the list; each kernel's boot waits for its own fetch.
mkdir -p build/prefetch
rm -f build/prefetch/*
(
	for k in $kernels; do
		line=$(awk -v k="$k" '$1 == k { print; exit }' scripts/kernels.conf)
		# shellcheck disable=SC2086 # the line is NAME COMMAND ARGS...
		set -- ${line#*[[:space:]]}
		case $1 in
		*/debian-kernel.sh)
			"$@" >/dev/null 2>"build/prefetch/$k.log" || true
			;;
		esac
		touch "build/prefetch/$k.done"
	done
) </dev/null &
prefetch=$!
trap 'kill "$prefetch" 2>/dev/null || true' EXIT

for k in $kernels; do
	out=build/$k
	while [ ! -f "build/prefetch/$k.done" ] &&
		kill -0 "$prefetch" 2>/dev/null; do
		sleep 2
	done
	start=$(date +%s)
	status=0
	scripts/run.sh check "$k" || status=$?
	release=$(cat "$out/release" 2>/dev/null) || release=unknown
	label="$k ($release)"
	p=0 f=0 s=0
	: >build/.failures
	case $status in
	10) extra="its provider failed" ;;
	11) extra="the module does not build: see $top/$out/build.log" ;;
	12) extra="the initramfs could not be made" ;;
	*)
		tally "$out/results.ktap" "$marker"
		case $status in
		0) extra= ;;
		124) extra="QEMU timed out" ;;
		*) extra="QEMU exited with status $status" ;;
		esac
		;;
	esac
	report "$label" $(($(date +%s) - start)) "$extra"
	if [ "$f" -ne 0 ] && { [ "$status" -lt 10 ] || [ "$status" -gt 12 ]; }; then
		echo "  console: $top/$out/console.log"
		echo "  results: $top/$out/results.ktap"
	fi
done
rm -f build/.failures

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
# What failed, once more at the end, where a truncated log still shows it.
if [ -f build/check-failures ]; then
	echo "what failed:"
	cat build/check-failures
fi >build/check-summary
echo "$line" >>build/check-summary
cat build/check-summary
[ "$failed" -eq 0 ]
