#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/profile.sh [KERNEL]           (make profile; KERNEL: generic)
#
# Where the time of a write goes, by function, inside the guest: boots
# KERNEL (a bookworm amd64 kernel of scripts/kernels.conf) in bench mode
# with tests/profile.sh in place of the benchmark and Debian's perf in the
# guest, the linux-perf package of the kernel's own version, fetched into
# the cache once (its libraries are the host's, as ldd finds them, and
# scripts/deps.sh installs the packages they come from).  See
# tests/profile.sh for what it records.  A measurement, like make bench:
# make check does not run it.
#
# The report goes to build/KERNEL/profile.txt (profile.out as it came from
# the guest), the guest's console to build/KERNEL/profile-console.log; the
# host's side, how long QEMU's threads waited for a host CPU, sampled every
# half second, to build/KERNEL/profile-host.log and, summed up, to the end
# of profile.txt.  FORTUNE_TIMEOUT defaults to 1500 s.
set -eu

kernel=${1:-generic}
cd "$(dirname "$0")/.."
top=$(pwd)
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
out=$top/build/$kernel

say() {
	echo "profile: $*" >&2
}

scripts/deps.sh
export FORTUNE_DEPS_DONE=1

# perf as Debian builds it for this kernel: linux-perf of the same version
# as the kernel's image package, e.g. 6.1.192-3.
line=$(awk -v k="$kernel" '$1 == k { print; exit }' scripts/kernels.conf)
# shellcheck disable=SC2086 # the line is NAME COMMAND ARGS...
set -- ${line#*[[:space:]]}
image=$("$@" | sed -n 's/^image=//p')
version=$(echo "$image" | sed -n 's,.*/linux-image-[^_]*_\([^/]*\)/.*,\1,p')
[ -n "$version" ] || {
	say "no Debian version in the image path of $kernel: $image"
	exit 2
}
perf=$cache/linux-perf_$version
if [ ! -f "$perf/.unpacked" ]; then
	say "fetching linux-perf $version"
	rm -rf "$perf" "$perf.tmp"
	mkdir -p "$perf.tmp"
	chown _apt "$perf.tmp" 2>/dev/null || true
	(cd "$perf.tmp" && apt-get download -q "linux-perf=$version") >&2
	dpkg-deb -x "$perf.tmp"/linux-perf_*.deb "$perf"
	rm -rf "$perf.tmp"
	touch "$perf/.unpacked"
fi
bin=$perf/usr/bin/perf
# The libraries it links with, from the package's Depends (not perl's and
# python's interpreters: perf record and report need neither).
# shellcheck disable=SC2046 # one word per package
scripts/deps.sh $(apt-cache show "linux-perf=$version" |
	awk -F': ' '$1 == "Depends" {
		n = split($2, d, ", ")
		for (i = 1; i <= n; i++) {
			sub(/ .*/, "", d[i])
			sub(/:any$/, "", d[i])
			if (d[i] != "perl" && d[i] != "python3") print d[i]
		}
		exit
	}')
if ldd "$bin" | grep -q 'not found'; then
	ldd "$bin" | grep 'not found' >&2
	say "perf's libraries are missing on the host"
	exit 1
fi

# The guest's extra files: perf, its libraries at the same paths,
# tests/profile.sh as /tests/bench and tests/bench.c as /tests/bench-full.
extra=$out/profile-extra
rm -rf "$extra"
mkdir -p "$extra/usr/bin" "$extra/tests"
cp "$bin" "$extra/usr/bin/perf"
for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
	$1 ~ /^\// { print $1 }'); do
	mkdir -p "$extra$(dirname "$lib")"
	cp -L "$lib" "$extra$lib"
done
cp tests/profile.sh "$extra/tests/bench"
chmod 755 "$extra/tests/bench"
# The benchmark itself, which that takes the place of, for its readers
# figure: built as scripts/initramfs.sh builds it.
gcc -static -O2 -Wall -Wextra -Werror -I. -Itests \
	-o "$extra/tests/bench-full" tests/bench.c

# run.sh's bench mode writes bench.out and bench-console.log: the last
# make bench's are kept aside and put back.
for f in bench.out bench-console.log; do
	[ ! -f "$out/$f" ] || mv "$out/$f" "$out/$f.keep"
done
# The host's side of it: every half second, each QEMU thread's time run
# and time spent waiting for a host CPU (/proc/PID/task/TID/schedstat).
rm -f "$out/profile-host.log"
(
	qemu=
	while [ -z "$qemu" ] && sleep 1; do
		for pid in $(pgrep -f -- "-initrd $out/initramfs.cpio.gz"); do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != \
				qemu-system-x86 ] || qemu=$pid
		done
	done
	while [ -d "/proc/$qemu" ]; do
		now=$(date +%s.%N)
		for task in "/proc/$qemu/task/"*; do
			read -r run wait _ <"$task/schedstat" 2>/dev/null &&
				echo "$now ${task##*/} $run $wait"
		done
		sleep 0.5
	done
) >"$out/profile-host.log" 2>/dev/null &
watcher=$!
status=0
FORTUNE_TIMEOUT=${FORTUNE_TIMEOUT:-1500} FORTUNE_EXTRA=$extra \
	scripts/run.sh bench "$kernel" || status=$?
# QEMU has exited (or never started): the watcher has nothing left to do.
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
mv "$out/bench.out" "$out/profile.out" 2>/dev/null || true
mv "$out/bench-console.log" "$out/profile-console.log" 2>/dev/null || true
for f in bench.out bench-console.log; do
	[ ! -f "$out/$f.keep" ] || mv "$out/$f.keep" "$out/$f"
done
tr -d '\r' <"$out/profile.out" >"$out/profile.txt" 2>/dev/null || true
# The threads that ran most (the two vCPUs first): how long each waited
# for a host CPU, in all and in its worst half second.
{
	echo
	echo "## host: the QEMU threads that ran most, and their waits for a host CPU"
	awk '
	{
		if ($2 in run) {
			dw = $4 - wait[$2]
			if (dw > worst[$2]) {
				worst[$2] = dw
				span[$2] = $1 - at[$2]
			}
			total_run[$2] += $3 - run[$2]
			total_wait[$2] += dw
		}
		run[$2] = $3
		wait[$2] = $4
		at[$2] = $1
	}
	END {
		for (t in total_run)
			printf "thread %s ran %.1f s and waited %.1f s for a CPU (%.0f%% of the time it wanted one); worst: %.0f ms of waiting in %.2f s\n",
				t, total_run[t] / 1e9, total_wait[t] / 1e9,
				100 * total_wait[t] / (total_run[t] + total_wait[t] + 1),
				worst[t] / 1e6, span[t]
	}' "$out/profile-host.log" | sort -k4 -rn | head -n 3
} >>"$out/profile.txt"
say "QEMU status $status, host load $(cut -d' ' -f1-3 /proc/loadavg)" \
	"on $(nproc) cores; report in ${out#"$top"/}/profile.txt"
grep -q '^# end' "$out/profile.txt"
