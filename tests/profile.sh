#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make profile` (scripts/profile.sh), which puts it in
# place of /tests/bench, with Debian's perf for the kernel under test in
# /usr/bin/perf.  Its standard output is the host's build/KERNEL/profile.out:
#
#  1. perf (cpu-clock, kernel call chains) over 200,000 64-byte writes to
#     /dev/null, 200,000 refused 0-byte writes to /proc/fortune and 200,000
#     64-byte writes to /proc/fortune, then over 300 1 MiB writes: for
#     each, the time by function (self, and with callees), who called the
#     functions that took it, and the offsets sampled most in the module.
#  2. How long each vCPU is away now and then with nothing running
#     (tests/bench-loop gaps: a loop reading the clock); then the latency
#     of a 64-byte write while a 64 MiB cookie is taken and peeked at
#     (tests/bench-loop latency), first untraced, then with function_graph
#     on the writer's write(), the taker's read() and the PEEK's ioctl()
#     showing only calls over 1 ms, and the scheduler's switches and
#     wake-ups on both CPUs: the trace stops at the first write over
#     20 ms, and its part over that write is shown.
#  3. The 2-reader scaling figure of make bench, three times: tests/bench.c
#     is /tests/bench-full here (this script is /tests/bench).
set -eu

ko=/lib/fortune/fortune.ko
loop=/tests/bench-loop
trace=/sys/kernel/tracing

echo "# fortune.ko profile"
echo "info release $(uname -r)"
echo "info cpus $(nproc)"

# profile NAME COMMAND...: perf over COMMAND, reported three ways.
profile() {
	name=$1
	shift
	echo
	echo "## $name: $*"
	perf record -q -N -B -e cpu-clock -F 10000 -g -o "/tmp/$name.data" \
		-- "$@" 2>&1
	echo "### $name: self time by function (--no-children)"
	perf report -i "/tmp/$name.data" --stdio -n --no-children -g none \
		--sort dso,sym --percent-limit 0.3 2>&1 | grep -v '^$'
	echo "### $name: the kernel's functions with their callees (--children)"
	perf report -i "/tmp/$name.data" --stdio --children -g none \
		--sort sym --percent-limit 1 2>&1 | grep -v '^$' | grep '\[k\]'
	echo "### $name: who calls what took the time (callee first)"
	perf report -i "/tmp/$name.data" --stdio --no-children \
		-g callee,2,function,percent --sort sym --percent-limit 4 \
		2>&1 | grep -v '^$' | head -n 300
	# Where in the module's functions: the offsets sampled most, to
	# read against objdump -d of the same fortune.ko.
	echo "### $name: samples by offset in the module and the copies"
	perf script -i "/tmp/$name.data" -G -F ip,sym,symoff 2>&1 |
		awk '$2 ~ /^(fortune_|memcpy|strncpy_from_user|clear_page)/ {
			n[$2]++
		} END { for (s in n) print n[s], s }' | sort -rn | head -n 40
	rm -f "/tmp/$name.data"
}

echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
insmod "$ko" pot_size=67108864
# Where the kernel's text is (KASLR): to read the offsets below against
# objdump -d of the image's vmlinux, at the same offsets from _text.
grep -wE '_text|strncpy_from_user|memcpy_erms|clear_page_erms' /proc/kallsyms
profile null "$loop" null 200000
profile empty "$loop" empty 200000
profile write "$loop" write 200000
profile big "$loop" big 300
rmmod fortune

echo
echo "## latency: a 64-byte write beside a take and a PEEK of a 64 MiB cookie"
mount -t tracefs nodev "$trace" 2>/dev/null || true
# The vCPUs alone, no module: how long each is away now and then.
"$loop" gaps 3 0 &
"$loop" gaps 3 1
wait
insmod "$ko" pot_size=100663296
# First without any tracer, as make bench measures it.
"$loop" latency 3 5000
echo 8192 >"$trace/buffer_size_kb"
echo function_graph >"$trace/current_tracer"
# The writer's write(), and the taker's read() and the PEEK's ioctl() on
# the other CPU: what the lock holder did meanwhile.
printf '%s\n' ksys_write ksys_read __x64_sys_ioctl >"$trace/set_graph_function"
echo 1000 >"$trace/tracing_thresh"
echo funcgraph-abstime >"$trace/trace_options"
echo funcgraph-proc >"$trace/trace_options"
for event in sched/sched_switch sched/sched_wakeup; do
	echo 1 >"$trace/events/$event/enable" 2>/dev/null || true
done
echo 1 >"$trace/tracing_on"
"$loop" latency 6 20000
echo 0 >"$trace/tracing_on"
echo "### the trace over the first write that took over 20 ms"
# Lines begin with the time in seconds (funcgraph-abstime); the marker,
# written just after that write, says how long it took.
awk '
	{ line[++n] = $0 }
	/bench-loop: slow write/ && !stop {
		stop = n
		t = $1 + 0
		us = $0
		sub(/.*slow write, /, "", us)
		from = t - (us + 0) / 1e6 - 0.001
	}
	END {
		if (!stop) {
			print "no slow write in the trace"
			exit
		}
		for (i = 1; i <= stop; i++)
			if (line[i] ~ /^ *[0-9]+\.[0-9]+ / && line[i] + 0 >= from)
				break
		for (; i <= stop; i++)
			print line[i]
	}' "$trace/trace" | tail -n 800
echo "### the kernel's own complaints of long interrupts or stalls"
dmesg | grep -E 'hrtimer: interrupt took|stall|took too long' || echo none
echo nop >"$trace/current_tracer"
echo 0 >"$trace/events/enable"
rmmod fortune

echo
echo "## readers: 2-reader scaling, three runs of make bench's figure"
for run in 1 2 3; do
	echo "### run $run"
	/tests/bench-full readers 2>/dev/null | grep -E '^(scaling|readers|error)'
done
echo "# end"
