#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the host tests (every executable tests/host/*.sh, each
# printing one KTAP document) and the guest suite on every kernel of
# scripts/kernels.conf (or those named in FORTUNE_KERNELS), each booted by
# scripts/run.sh check.  Prints a line per host test and per kernel as
# each ends, and last "N passed, N failed" (", N skipped" when some were).
# Exits 1 if anything failed.  A kernel fails on a provider or build
# failure, a QEMU timeout or crash, a missing success marker, a plan that
# does not match its results, any "not ok", or no results at all
# (scripts/ktap-summary).
#
# A guest's suite keeps about one of its two vCPUs busy, and the system
# test's guest no more: FORTUNE_JOBS (default: the number of CPUs) of
# these jobs run at once, each taking the next job of the list nobody has
# taken yet.  The longest go first, so that the short ones fill the gaps.
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
jobs=${FORTUNE_JOBS:-$(nproc)}
case $jobs in
'' | *[!0-9]* | 0)
	echo "check: FORTUNE_JOBS must be a number of jobs, 1 or more," \
		"not '$jobs'" >&2
	exit 2
	;;
esac

scripts/deps.sh
export FORTUNE_DEPS_DONE=1
mkdir -p build/host
rm -rf build/check-summary build/check-failures build/jobs
mkdir -p build/jobs

# The jobs, longest first: the debug kernels (tens of minutes), then the
# system test (about ten), then the Secure Boot test (a few: after the
# system test, whose image it waits for rather than build it twice at
# once), then the rest in the order of their lists.
long='' hosts='' others='' after=''
for k in $kernels; do
	case $k in
	debug | kcsan) long="$long kernel:$k" ;;
	*) others="$others kernel:$k" ;;
	esac
done
for test in tests/host/*.sh; do
	[ -x "$test" ] || continue
	name=$(basename "$test" .sh)
	case $name in
	system) long="$long host:$name" ;;
	secureboot) after="$after host:$name" ;;
	*) hosts="$hosts host:$name" ;;
	esac
done
queue="$long $after $hosts $others"

# tally FILE [MARKER]: read a KTAP results file; set $p, $f (failures
# and problems) and $s; keep its failure lines in $fails for report.
tally() {
	summary=$(scripts/ktap-summary -v "marker=${2:-}" "$1") || true
	echo "$summary" | sed '$d' >"$fails"
	p=0 f=0 s=0
	for count in $(echo "$summary" | tail -n 1); do
		case $count in
		passed=*) p=${count#*=} ;;
		failed=* | problems=*) f=$((f + ${count#*=})) ;;
		skipped=*) s=${count#*=} ;;
		esac
	done
}

# report LABEL SECONDS [EXTRA-FAILURE-REASON]: the job's lines in
# $job.report, its counts in $job.counts and what failed, without the
# diagnostics, in $job.failed; then shows the report.
report() {
	if [ -n "${3:-}" ]; then
		echo "  $1: $3" >>"$fails"
		f=$((f + 1))
	fi
	{
		echo "$1: $p passed, $f failed, $s skipped in $2 s"
		cat "$fails"
	} >"$job.report"
	if [ "$f" -ne 0 ]; then
		{
			echo "$1:"
			grep -v -E '^  [^ ]+:     ' "$fails" || true
		} >"$job.failed"
	fi
	echo "$p $f $s" >"$job.counts"
}

# run_host NAME: tests/host/NAME.sh.
run_host() {
	name=host/$1
	log=build/$name.log
	# The system test's image comes from the fetcher below.
	while [ "$1" = system ] && [ ! -f build/prefetch/system-image.done ] &&
		kill -0 "$prefetch" 2>/dev/null; do
		sleep 2
	done
	echo "check: running $name" >&2
	start=$(date +%s)
	status=0
	"tests/host/$1.sh" >"build/$name.ktap" 2>"$log" </dev/null || status=$?
	tally "build/$name.ktap"
	extra=
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		extra="exited with status $status"
	fi
	report "$name" $(($(date +%s) - start)) "$extra"
	[ "$f" -eq 0 ] || echo "  its log: $top/$log" >>"$job.report"
}

# console_says FILE: why a guest whose suite did not finish stopped, as
# its console FILE tells it: the first splat and the panic, or else its
# last line.  (A "Call Trace:" alone is no sign: the fault-injection tests
# make the allocator print some on purpose.)
console_says() {
	splat='WARNING:|BUG:|Oops|general protection fault|UBSAN:|KASAN:|KCSAN:|INFO: '
	said=$({
		grep -a -m 1 -E "$splat" "$1" || true
		grep -a -m 1 'Kernel panic' "$1" || true
	} 2>/dev/null)
	[ -n "$said" ] || said=$(tail -n 1 "$1" 2>/dev/null) || true
	[ -n "$said" ] || said="(no console output)"
	echo "$said" | tr -d '\r' | sed 's/^/  console: /'
}

# run_kernel NAME: the guest suite on kernel NAME.
run_kernel() {
	k=$1
	out=build/$k
	# Its kernel, headers and root come from the fetcher below.
	while [ ! -f "build/prefetch/$k.done" ] &&
		kill -0 "$prefetch" 2>/dev/null; do
		sleep 2
	done
	start=$(date +%s)
	status=0
	scripts/run.sh check "$k" </dev/null || status=$?
	release=$(cat "$out/release" 2>/dev/null) || release=unknown
	p=0 f=0 s=0
	: >"$fails"
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
	if [ -s "$out/build-warnings.log" ]; then
		echo "  build: the module builds with warnings (W=1):" \
			"$(head -n 1 "$out/build-warnings.log")" >>"$fails"
		f=$((f + 1))
	fi
	if grep -q 'no success marker' "$fails"; then
		console_says "$out/console.log" >>"$fails"
	fi
	report "$k ($release)" $(($(date +%s) - start)) "$extra"
	# scripts/run.sh boots twice a kernel that died before /init: said,
	# not counted (nothing of ours had run).
	if [ -f "$out/console-first-boot.log" ]; then
		{
			echo "  note: booted twice, the first boot died before" \
				"/init: $top/$out/console-first-boot.log"
			console_says "$out/console-first-boot.log"
		} >>"$job.report"
	fi
	if [ "$f" -ne 0 ] && { [ "$status" -lt 10 ] || [ "$status" -gt 12 ]; }; then
		echo "  console: $top/$out/console.log" >>"$job.report"
		echo "  results: $top/$out/results.ktap" >>"$job.report"
	fi
}

# job_dir ENTRY: where the files of job ENTRY (host:NAME, kernel:NAME) go.
job_dir() {
	echo "build/jobs/${1%%:*}-${1#*:}"
}

# A worker takes the jobs of the queue in order, each one that no other
# worker has claimed yet (mkdir is the claim: it succeeds once).
worker() {
	for entry in $queue; do
		job=$top/$(job_dir "$entry")
		mkdir "$job.claimed" 2>/dev/null || continue
		fails=$job.fails
		: >"$fails"
		case $entry in
		host:*) run_host "${entry#host:}" ;;
		kernel:*) run_kernel "${entry#kernel:}" ;;
		esac
		cat "$job.report"
	done
}

# Fetching Debian's kernels, headers and release roots waits on the
# network and dpkg, booting waits on the CPU: fetch the kernels in the
# background, one at a time in the order of the list, while others boot;
# each kernel's boot waits for its own fetch.  The system test's image
# (a debootstrap and an apt install, cached) comes first: on a cold cache
# it is made while the debug kernels build, not after them.
mkdir -p build/prefetch
rm -f build/prefetch/*
(
	case " $queue " in
	*" host:system "*)
		[ "${FORTUNE_SYSTEM_TEST:-}" = skip ] || [ "$(id -u)" -ne 0 ] ||
			scripts/system-image.sh >/dev/null \
				2>build/prefetch/system-image.log || true
		;;
	esac
	touch build/prefetch/system-image.done
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

workers=
i=0
while [ "$i" -lt "$jobs" ]; do
	worker &
	workers="$workers $!"
	i=$((i + 1))
done
# shellcheck disable=SC2064 # the pids are known now
trap "kill $prefetch $workers 2>/dev/null || true" EXIT
trap 'exit 130' INT TERM HUP
for pid in $workers; do
	wait "$pid" || true
done

# The totals, and what failed in the order of the queue.
passed=0 failed=0 skipped=0
for entry in $queue; do
	job=$(job_dir "$entry")
	if [ ! -f "$job.counts" ]; then
		echo "  ${entry#*:}: did not finish" >>build/check-failures
		failed=$((failed + 1))
		continue
	fi
	read -r p f s <"$job.counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ ! -f "$job.failed" ] || cat "$job.failed" >>build/check-failures
done

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
