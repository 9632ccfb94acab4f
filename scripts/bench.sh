#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
#   scripts/bench.sh [KERNEL...]          (make bench)
#   scripts/bench.sh --report [KERNEL...] only redo the tables and the plots
#                                         from the last runs' bench.out
#
# What a cookie costs, against the kernel's own floor.  Boots each KERNEL (a
# name in scripts/kernels.conf; by default $FORTUNE_BENCH_KERNELS, else
# generic, rt and sid where kernels.conf has them) under QEMU with 2 vCPUs
# in bench mode, where tests/bench measures, then prints the results table
# of the first kernel with the targets of issues 6 and 11, the headline
# ratios of every kernel side by side, writes them to docs/bench/latest.md
# and draws the cost of taking a cookie against the number stored in
# docs/bench/take-cost.png, and against the cookie's size in
# docs/bench/size-cost.png.
#
# FORTUNE_BENCH_BEFORE=COMMIT also builds fortune.ko as it was at COMMIT
# and measures it beside the module under test, for the cost against size
# before and after (each relative to /proc/version in its own phase).
#
# Debian's full `fortunes` set is fetched into the cache once and copied
# into the bench guest (FORTUNE_EXTRA, see scripts/initramfs.sh) for the
# fortunectl figure.  The raw figures stay in build/KERNEL/bench.out, the
# guest's console in build/KERNEL/bench-console.log.
#
# A benchmark reports: a missed target is shown as such and the exit status
# is still 0.  It is 1 only when no results came back from the guest.
# FORTUNE_BENCH_DOCS=DIR writes the table and the plot elsewhere.
set -eu

report_only=
if [ "${1:-}" = --report ]; then
	report_only=1
	shift
fi
cd "$(dirname "$0")/.."
top=$(pwd)
if [ $# = 0 ]; then
	if [ -n "${FORTUNE_BENCH_KERNELS:-}" ]; then
		# shellcheck disable=SC2086 # a list of names
		set -- $FORTUNE_BENCH_KERNELS
	else
		for k in generic rt sid; do
			! awk -v k="$k" '$1 == k { found = 1 } END { exit !found }' \
				scripts/kernels.conf || set -- "$@" "$k"
		done
	fi
fi
kernels=$*
cache=${FORTUNE_CACHE:-/var/cache/fortune-ko}
docs=${FORTUNE_BENCH_DOCS:-$top/docs/bench}
before=${FORTUNE_BENCH_BEFORE:-}

say() {
	echo "bench: $*" >&2
}

# Builds fortune.ko as it was at commit $before for $kernel, into $1.
build_before() {
	line=$(awk -v k="$kernel" '$1 == k { print; exit }' scripts/kernels.conf)
	# shellcheck disable=SC2086 # the line is NAME COMMAND ARGS...
	set -- "$1" ${line#*[[:space:]]}
	dest=$1
	shift
	kdir=$("$@" | sed -n 's/^kdir=//p')
	dir=$out/before
	rm -rf "$dir"
	mkdir -p "$dir" "$(dirname "$dest")"
	files=$(git ls-tree --name-only "$before" -- fortune.c fortune.h \
		fortune_pot.h fortune_compat.h)
	# shellcheck disable=SC2086 # a list of paths
	git archive "$before" -- $files | tar -xf - -C "$dir"
	printf '%s\n' "ccflags-y := '-Dpr_fmt(fmt)=KBUILD_MODNAME \": \" fmt'" \
		"obj-m := fortune.o" >"$dir/Kbuild"
	say "building fortune.ko as of $before for $kernel"
	make -C "$kdir" M="$dir" modules >"$dir/build.log" 2>&1 || {
		tail -n 20 "$dir/build.log" >&2
		say "the module as of $before did not build"
		return 1
	}
	cp "$dir/fortune.ko" "$dest"
}

run_guest() {
	scripts/deps.sh
	export FORTUNE_DEPS_DONE=1

	# Debian's `fortunes` (the full set, not fortunes-min), once per version.
	version=$(apt-cache show --no-all-versions fortunes 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }')
	if [ -z "$version" ]; then
		apt-get update -q >&2
		version=$(apt-cache show --no-all-versions fortunes |
			awk '$1 == "Version:" { print $2; exit }')
	fi
	fortunes=$cache/fortunes_$version
	if [ ! -f "$fortunes/.unpacked" ]; then
		say "fetching fortunes $version"
		rm -rf "$fortunes" "$fortunes.tmp"
		mkdir -p "$fortunes" "$fortunes.tmp"
		chown _apt "$fortunes.tmp" 2>/dev/null || true
		(cd "$fortunes.tmp" && apt-get download -q "fortunes=$version") >&2
		mkdir -p "$fortunes/root"
		dpkg-deb --fsys-tarfile "$fortunes.tmp"/fortunes_*.deb |
			tar -xf - -C "$fortunes/root" ./usr/share/games
		rm -rf "$fortunes.tmp"
		touch "$fortunes/.unpacked"
	fi

	extra=$fortunes/root
	if [ -n "$before" ]; then
		extra=$out/bench-extra
		rm -rf "$extra"
		mkdir -p "$extra"
		cp -R "$fortunes/root/." "$extra/"
		build_before "$extra/lib/fortune/fortune-before.ko"
	fi

	start=$(date +%s)
	status=0
	FORTUNE_EXTRA=$extra scripts/run.sh bench "$kernel" || status=$?
	say "the guest ran for $(($(date +%s) - start)) s (QEMU status $status)"
	# Whatever else the host ran meanwhile slowed the emulated CPUs.
	echo "$(cut -d' ' -f1 /proc/loadavg) $(nproc) $(date +%s)" \
		>"$out/bench-host"
}

# Every kernel in turn; those that gave complete results are reported.
done_kernels=
for kernel in $kernels; do
	out=$top/build/$kernel
	results=$out/bench.out
	[ -n "$report_only" ] || run_guest
	if [ ! -s "$results" ] || ! grep -q '^# end' "$results"; then
		say "no complete results in $results; the console is in" \
			"$out/bench-console.log"
		[ ! -s "$results" ] || tail -n 5 "$results" >&2
		continue
	fi
	tr -d '\r' <"$results" >"$out/bench.txt"
	done_kernels="$done_kernels $kernel"
done
[ -n "$done_kernels" ] || exit 1
# shellcheck disable=SC2086 # a list of names
set -- $done_kernels
kernel=$1
out=$top/build/$kernel
results=$out/bench.out

cpu=$(awk -F': *' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)
qemu=$(qemu-system-x86_64 --version |
	awk 'NR == 1 { print $4; exit }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
host_load=unknown host_cpus=$(nproc) when=$(date +%s)
[ ! -f "$out/bench-host" ] ||
	read -r host_load host_cpus when <"$out/bench-host"
date=$(date -u -d "@$when" '+%Y-%m-%d %H:%M UTC')

# An awk function both reports below use: the median of a[1..n], which
# it sorts.
awk_median='
function median(a, n,	i, j, x) {
	for (i = 2; i <= n; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
		a[j + 1] = x
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

# The table (Markdown) and the curve's data file, from the raw figures.
awk -v cpu="$cpu" -v qemu="$qemu" -v commit="$commit" -v date="$date" \
	-v load="$host_load" -v ncpu="$host_cpus" \
	-v curve="$out/bench-curve.dat" -v sizes="$out/bench-size.dat" -v before="$before" \
	"$awk_median"'
function num(x) { return x != "" }
function us(x) { return num(x) ? sprintf("%.2f us", x) : "not measured" }
function fmt(x, f) { return num(x) ? sprintf(f, x) : "-" }
# A row judged on value / base against a target; where the two could not
# run interleaved, on the ratio "judged" given instead, the raw one beside.
function row(figure, value, base_name, base, target, note, judged,
	     ratio, cell, met) {
	targets++
	if (!num(value) || !num(base) || base <= 0) {
		printf "| %s | %s | %s %s | - | <= %.2fx | not measured |\n",
			figure, us(value), base_name, us(base), target
		unmeasured++
		return
	}
	ratio = value / base
	cell = sprintf("%.2fx", ratio)
	if (num(judged)) {
		cell = sprintf("%.2fx (raw %.2fx)", judged, ratio)
		ratio = judged
	}
	met = ratio <= target ? "yes" : "**no**"
	if (ratio <= target)
		hits++
	printf "| %s | %s | %s %s%s | %s | <= %.2fx | %s |\n", figure,
		us(value), base_name, us(base), note, cell, target, met
}
# Two cookie counts cannot run interleaved, and under TCG the machine
# speed drifts between them; /proc/version runs interleaved with each
# (series f beside series s), so s / f at each count is free of the drift.
function rel(s, f, n) {
	if (!num(c[s, n]) || !num(c[f, n]) || c[f, n] <= 0)
		return ""
	return c[s, n] / c[f, n]
}
# The first point (1 stored) was measured before the others and again
# after them: the mean of the two brackets what changed in between.
function first(s) {
	if (!num(c[s, 1]) || !num(c[s "_again", 1]))
		return c[s, 1]
	return (c[s, 1] + c[s "_again", 1]) / 2
}
function rel_first(s, f,    a, b) {
	a = rel(s, f, 1)
	b = rel(s "_again", f "_again", 1)
	if (!num(a) || !num(b))
		return a
	return (a + b) / 2
}
function judged(s, f, n,    a, b) {
	a = rel(s, f, n)
	b = rel_first(s, f)
	return (num(a) && num(b) && b > 0) ? a / b : ""
}
# A size point relative to the /proc/version measured alongside it.
function zrel(s, p,    f) {
	f = (s ~ /_before$/) ? "floor_before" : "floor"
	if (!num(z[s, p]) || !num(z[f, p]) || z[f, p] <= 0)
		return ""
	return z[s, p] / z[f, p]
}
function bracket(s) {
	if (!num(c[s, 1]) || !num(c[s "_again", 1]))
		return ""
	return sprintf(" (mean of %.2f before the others and %.2f after)",
		c[s, 1], c[s "_again", 1])
}
$1 == "info" { key = $2; $1 = $2 = ""; sub(/^ +/, ""); info[key] = $0 }
$1 == "time" { t[$2] = $3 }
$1 == "curve" {
	c[$2, $3] = $4
	if ($2 ~ /_again$/)
		next
	if (!($3 in seen)) { seen[$3] = 1; points[++npoints] = $3 }
	if ($3 + 0 > most) most = $3 + 0
}
$1 == "readers" {
	r[$2, $3] = $4
	if (!($3 in rseen)) { rseen[$3] = 1; rn[++nr] = $3 }
}
$1 == "scaling" { sc[++nsc] = $3 }
$1 == "value" { v[$2] = $3 }
$1 == "size" {
	z[$2, $3] = $4
	if ($2 == "take" && !($3 in zseen)) { zseen[$3] = 1; zp[++nz] = $3 }
}
$1 == "error" { sub(/^error /, ""); errors[++nerrors] = $0 }
END {
	printf "Date: %s  \n", date
	printf "Kernel: %s, %s %s  \n", info["kernel"], info["release"],
		info["version"]
	printf "Machine: %s (host CPU), QEMU %s TCG, %s vCPUs, 1 GiB; host load average %s on %s cores at the end of the run  \n",
		cpu, qemu, info["cpus"], load, ncpu
	printf "Tree: %s; cookies of %s bytes  \n", commit, info["cookie_len"]
	printf "Method: each figure runs interleaved with its baseline, one operation of each in turn, each timed on its own with the TSC; a figure is the median operation of the best of %s rounds of about %s s\n\n",
		info["rounds"], info["round_seconds"]

	print "| figure | measured | baseline (same run) | ratio | target | met |"
	print "|---|---|---|---|---|---|"
	row("open + read + close of /proc/fortune (1 stored)", c["seq", 1],
	    "/proc/version", c["floor", 1], 0.75)
	row("64-byte write() on an open fd", t["write_fortune"],
	    "/dev/null", t["write_null"], 1.75)
	if (num(t["write_empty"]) && t["write_null"] > 0)
		printf "| of which the VFS and procfs alone: a 0-byte write() to /proc/fortune (refused first thing) | %s | /dev/null %s | %.2fx | report | - |\n",
		    us(t["write_empty"]), us(t["write_null"]),
		    t["write_empty"] / t["write_null"]
	label = most ? sprintf("%d", most) : "many"
	row("taking a cookie, " label " stored, order=seq", c["seq", most],
	    "1 stored", first("seq"), 1.15, bracket("seq"),
	    judged("seq", "floor", most))
	row("taking a cookie, " label " stored, order=random",
	    c["random", most], "1 stored", first("random"), 1.15,
	    bracket("random"), judged("random", "random_floor", most))
	row("write (evicting) + take, full pot of " label ", evict=Y",
	    c["evict", most], "full pot of 1", first("evict"), 1.15,
	    bracket("evict"), judged("evict", "evict_floor", most))

	held = ""
	if (num(t["take_held_many"]) && t["floor_held_many"] > 0 &&
	    num(t["take_held_none"]) && t["floor_held_none"] > 0 &&
	    t["take_held_none"] > 0)
		held = t["take_held_many"] / t["floor_held_many"] * \
		    t["floor_held_none"] / t["take_held_none"]
	nheld = num(v["held_snapshots"]) ? v["held_snapshots"] : 100000
	label = "taking a 300-byte cookie (a shared snapshot) with " nheld
	row(label " big snapshots held by open files", t["take_held_many"],
	    "none held", t["take_held_none"], 1.15, "", held)
	if (num(v["write_latency_max_us"]))
		printf "| worst latency of a 64-byte write while one process takes a 64 MiB cookie and another peeks at it (median %.1f us) | %.1f us | nothing else running: worst %.1f us, median %.1f us | - | report | - |\n",
		    v["write_latency_median_us"], v["write_latency_max_us"],
		    v["write_latency_quiet_max_us"],
		    v["write_latency_quiet_median_us"]
	else
		print "| worst latency of a 64-byte write while a 64 MiB cookie is taken and peeked at | not measured | | - | report | - |"

	targets++
	if (num(v["overhead_used"]) && v["full_cookies"] > 0) {
		# The pot is judged as well as its accounting: a fill must
		# stop only when not even one more cookie of 64 + 8 fits.
		room = int(v["full_capacity"] / (info["cookie_len"] + 8))
		ok = v["overhead_used"] <= 8 && v["full_cookies"] >= room
		if (ok)
			hits++
		printf "| pot bytes per %d-byte cookie beyond its text | %.2f (stats: used) | (pot_size - text) / cookies = %.4f: %d cookies in %d bytes | - | <= 8 | %s |\n",
		    info["cookie_len"], v["overhead_used"], v["overhead_pot"],
		    v["full_cookies"], v["full_capacity"], ok ? "yes" : "**no**"
	} else {
		print "| pot bytes per cookie beyond its text | not measured | | - | <= 8 | not measured |"
		unmeasured++
	}

	f1 = r["/proc/fortune", 1]
	v1 = r["/proc/version", 1]
	for (i = 1; i <= nr; i++) {
		n = rn[i]
		f = r["/proc/fortune", n]
		vv = r["/proc/version", n]
		printf "| %d reader%s at once, /proc/fortune (1000 stored) | %s takes/s | /proc/version %s takes/s (%s of one reader) | %s of one reader | report | - |\n",
		    n, n == 1 ? "" : "s", fmt(f, "%.0f"), fmt(vv, "%.0f"),
		    (v1 > 0 ? sprintf("%.2fx", vv / v1) : "-"),
		    (f1 > 0 ? sprintf("%.2fx", f / f1) : "-")
	}
	# Scaling is judged against /proc/version scaling in the same run:
	# the median of the figures of the rounds, each taken within a second
	# (tests/bench.c); the ratio of the best rates is shown beside it.
	f2 = r["/proc/fortune", 2]
	v2 = r["/proc/version", 2]
	targets++
	if (f1 > 0 && v1 > 0 && v2 > 0 && num(f2)) {
		best = (f2 / f1) / (v2 / v1)
		scale = nsc ? median(sc, nsc) : best
		if (scale >= 0.95)
			hits++
		printf "| 2 readers on 2 vCPUs: how /proc/fortune scales, relative to /proc/version (the median of %d rounds; from the best rates above, %.2f) | %.2fx of one reader | /proc/version %.2fx of one reader | %.2f | >= 0.95 | %s |\n",
		    nsc, best, f2 / f1, v2 / v1, scale, (scale >= 0.95) ? "yes" : "**no**"
	} else {
		print "| 2 readers on 2 vCPUs, relative to /proc/version | not measured | | - | >= 0.95 | not measured |"
		unmeasured++
	}
	# Bigger cookies no slower than before: each relative to the
	# /proc/version measured alongside it, the worst size of each.
	worst_take = worst_write = ""
	for (i = 1; i <= nz; i++) {
		p = zp[i]
		a = zrel("take", p)
		b = zrel("take_before", p)
		if (num(a) && num(b) && b > 0 && (worst_take == "" || a / b > worst_take))
			{ worst_take = a / b; worst_take_at = p }
		a = zrel("write", p)
		b = zrel("write_before", p)
		if (num(a) && num(b) && b > 0 && (worst_write == "" || a / b > worst_write))
			{ worst_write = a / b; worst_write_at = p }
	}
	if (num(worst_take) && num(worst_write)) {
		targets++
		ok = worst_take <= 1.10 && worst_write <= 1.10
		if (ok)
			hits++
		printf "| cookies of 1 byte to 1 MiB, against the module before (%s) | worst take %.2fx (%d bytes), worst write %.2fx (%d bytes) | the same, each relative to /proc/version alongside | - | <= 1.10x | %s |\n",
		    before, worst_take, worst_take_at, worst_write,
		    worst_write_at, ok ? "yes" : "**no**"
	}
	if (num(v["load_us_per_cookie"]))
		printf "| fortunectl load of Debian fortunes: %d files, %d bytes, %d cookies | %.2f us per cookie | %.3f s in all | - | report | - |\n",
		    v["load_files"], v["load_bytes"], v["load_cookies"],
		    v["load_us_per_cookie"], v["load_seconds"]
	else
		print "| fortunectl load of Debian fortunes | not measured | | - | report | - |"

	printf "\n**%d of %d targets met%s.**\n", hits, targets,
		unmeasured ? sprintf(" (%d not measured)", unmeasured) : ""
	print "\nReaders at once take from /proc/fortune and /proc/version in turn, all switching together every 5 ms, and each rate counts only the time spent on its own file: whatever share of its 2 cores the host gives the guest (see its load average above), both files get it alike. The scaling figure is the median over the rounds of each round'"'"'s own (2 readers over 1 of /proc/fortune) / (the same of /proc/version); each round'"'"'s is in the raw output, as a scaling line."
	print "\nThe three rows that compare two cookie counts are judged on the ratio of their costs relative to /proc/version, which runs interleaved with each of them: under TCG the speed of the emulated machine drifts by tens of percent between two counts, and this cancels it (the plain ratio of times is shown as raw)."

	print "\nMicroseconds per operation against the number of cookies stored:\n"
	print "| stored | take, seq | take, random | write + take, evict=Y | /proc/version (with seq) |"
	print "|---:|---:|---:|---:|---:|"
	for (i = 1; i <= npoints; i++) {
		p = points[i]
		printf "| %d | %s | %s | %s | %s |\n", p,
		    fmt(c["seq", p], "%.2f"), fmt(c["random", p], "%.2f"),
		    fmt(c["evict", p], "%.2f"), fmt(c["floor", p], "%.2f")
		printf "%d %s %s %s %s %s %s\n", p,
		    fmt(c["seq", p], "%.4f"), fmt(c["random", p], "%.4f"),
		    fmt(c["evict", p], "%.4f"), fmt(c["floor", p], "%.4f"),
		    fmt(c["random_floor", p], "%.4f"),
		    fmt(c["evict_floor", p], "%.4f") >curve
	}
	if (nz) {
		print "\nThe cost against the size of the cookie (one cookie stored): take is open + read to the end + close, write is a clear and one write(); each also relative to /proc/version measured alongside it" (num(z["take_before", zp[1]]) ? ", and the same for the module before (" before ")" : "") ":\n"
		print "| bytes | take | take / version | before | write | write / version | before |"
		print "|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nz; i++) {
			p = zp[i]
			printf "| %d | %s | %s | %s | %s | %s | %s |\n", p,
			    fmt(z["take", p], "%.2f us"), fmt(zrel("take", p), "%.2f"),
			    fmt(zrel("take_before", p), "%.2f"),
			    fmt(z["write", p], "%.2f us"), fmt(zrel("write", p), "%.2f"),
			    fmt(zrel("write_before", p), "%.2f")
			printf "%d %s %s %s %s %s %s\n", p,
			    fmt(z["take", p], "%.4f"), fmt(z["write", p], "%.4f"),
			    fmt(z["floor", p], "%.4f"), fmt(z["take_before", p], "%.4f"),
			    fmt(z["write_before", p], "%.4f"),
			    fmt(z["floor_before", p], "%.4f") >sizes
		}
	}
	if (nerrors) {
		print "\nErrors during the run:\n"
		for (i = 1; i <= nerrors; i++)
			print "- " errors[i]
	}
}' "$out/bench.txt" >"$out/bench-table.md"

# The headline ratios of every kernel side by side, one column each.
for k in "$@"; do
	echo "kernel $k"
	cat "$top/build/$k/bench.txt"
done | awk "$awk_median"'
function num(x) { return x != "" }
$1 == "kernel" { k = $2; ks[++nk] = k; next }
$1 == "info" && $2 == "release" { rel[k] = $3 }
$1 == "curve" && $3 == 1 { c[k, $2] = $4 }
$1 == "time" { t[k, $2] = $3 }
$1 == "readers" { r[k, $2, $3] = $4 }
$1 == "scaling" { sc[k, ++nsc[k]] = $3 }
function cell(x, f) { return num(x) ? sprintf(f, x) : "-" }
function kmedian(k, n,	a, i) {
	for (i = 1; i <= n; i++) a[i] = sc[k, i]
	return median(a, n)
}
END {
	printf "| figure | target |"
	for (i = 1; i <= nk; i++) printf " %s (%s) |", ks[i], rel[ks[i]]
	printf "\n|---|---|"
	for (i = 1; i <= nk; i++) printf "---:|"
	printf "\n| open + read + close, / /proc/version | <= 0.75x |"
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		printf " %s |", (c[k, "floor"] > 0) ? sprintf("%.2fx", c[k, "seq"] / c[k, "floor"]) : "-"
	}
	printf "\n| 64-byte write, / /dev/null | <= 1.75x |"
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		printf " %s |", (t[k, "write_null"] > 0) ? sprintf("%.2fx", t[k, "write_fortune"] / t[k, "write_null"]) : "-"
	}
	printf "\n| 2 readers: scaling / that of /proc/version | >= 0.95 |"
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		f1 = r[k, "/proc/fortune", 1]; f2 = r[k, "/proc/fortune", 2]
		v1 = r[k, "/proc/version", 1]; v2 = r[k, "/proc/version", 2]
		if (nsc[k])
			printf " %.2f |", kmedian(k, nsc[k])
		else
			printf " %s |", (f1 > 0 && v1 > 0 && v2 > 0) ? sprintf("%.2f", (f2 / f1) / (v2 / v1)) : "-"
	}
	printf "\n"
}' >"$out/bench-kernels.md"

mkdir -p "$docs"
{
	echo "# fortune.ko benchmark: latest results"
	echo
	echo "Made by \`make bench\` (scripts/bench.sh, tests/bench.c):" \
		"the module in a real kernel under QEMU."
	echo "Absolute times are those of an emulated CPU (TCG); compare the" \
		"ratios, which are taken within one run."
	echo
	echo "The headline ratios on every kernel benchmarked, each ratio" \
		"taken within that kernel's run:"
	echo
	cat "$out/bench-kernels.md"
	echo
	echo "The full results on $kernel:"
	echo
	cat "$out/bench-table.md"
	echo
	echo "![The cost of taking a cookie against the number stored](take-cost.png)"
	echo
	echo "![The cost of a cookie against its size](size-cost.png)"
	echo
	echo "The raw output of tests/bench, with the mean of each best round" \
		"beside its median, is in [latest.txt](latest.txt)."
} >"$docs/latest.md.tmp"
mv "$docs/latest.md.tmp" "$docs/latest.md"
for k in "$@"; do
	if [ "$k" = "$kernel" ]; then
		cp "$out/bench.txt" "$docs/latest.txt"
	else
		cp "$top/build/$k/bench.txt" "$docs/latest-$k.txt"
	fi
done

set -- -e "data='$out/bench-curve.dat'" -e "out='$docs/take-cost.png.tmp'" \
	-e "title_extra='$(awk '$1 == "info" && $2 == "release" { print $3 }' \
		"$out/bench.txt"), QEMU TCG, $cpu; $date'"
if gnuplot "$@" scripts/bench-plot.gp; then
	mv "$docs/take-cost.png.tmp" "$docs/take-cost.png"
else
	rm -f "$docs/take-cost.png.tmp"
	say "gnuplot failed: no plot"
fi

if [ -s "$out/bench-size.dat" ] &&
	gnuplot -e "data='$out/bench-size.dat'" \
		-e "out='$docs/size-cost.png.tmp'" \
		-e "title_extra='$(awk '$1 == "info" && $2 == "release" { print $3 }' \
			"$out/bench.txt"), QEMU TCG; $date'" scripts/bench-size.gp; then
	mv "$docs/size-cost.png.tmp" "$docs/size-cost.png"
else
	rm -f "$docs/size-cost.png.tmp"
	say "no size plot"
fi

cat "$out/bench-kernels.md"
echo
cat "$out/bench-table.md"
echo
say "written: ${docs#"$top"/}/latest.md and ${docs#"$top"/}/take-cost.png;" \
	"raw figures in ${results#"$top"/}"
