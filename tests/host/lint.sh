#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side lint, as one KTAP document on stdout (progress on stderr):
#
# - checkpatch.pl --strict --no-tree on each module source that exists
# - a W=1 build against the generic kernel's headers: no warnings
# - a sparse build (C=2): no sparse warnings
# - shellcheck on every shell script in scripts/, tests/, .ci/ and
#   proofs/ (the guest's, everything in tests/ but tests/host/, as
#   busybox sh: -s sh)
# - proofs/STEP runs every case of a harness's case split (PROOF_CASES)
# - fortune.h in a plain user-space C program, 64- and 32-bit, and the two
#   agree on the size of struct fortune_stats and on the ioctl numbers
#
# KDIR= overrides the generic headers.  Logs are kept in build/lint/.
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
out=$top/build/lint
rm -rf "$out"
mkdir -p "$out"
body=$out/body.ktap
: >"$body"
n=0

# result STATUS NAME [LOG]: one KTAP result; on failure, the first lines of
# LOG as diagnostics.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2" >>"$body"
		return
	fi
	if [ -n "${3:-}" ]; then
		head -n 30 "$3" | sed 's/^/# /' >>"$body"
		echo "# (all of it in ${3#"$top"/})" >>"$body"
	fi
	echo "not ok $n $2" >>"$body"
}

progress() {
	echo "lint: $*" >&2
}

module_files=
for f in fortune.c fortune.h fortune_compat.h fortune_pot.h fortune_kunit.c; do
	[ ! -f "$f" ] || module_files="$module_files $f"
done

# --- checkpatch ---
src=$(scripts/linux-source.sh)
progress "checkpatch"
if [ -z "$module_files" ]; then
	echo "no module sources" >"$out/checkpatch.log"
	result 1 "checkpatch: module sources exist" "$out/checkpatch.log"
fi
# fortunectl.c too: kernel style for the project's C, as the module.
for f in $module_files fortunectl/fortunectl.c; do
	log=$out/checkpatch-$(echo "$f" | tr / _).log
	status=0
	perl "$src/scripts/checkpatch.pl" --strict --no-tree --no-summary \
		--terse --show-types -f "$f" >"$log" 2>&1 || status=$?
	[ ! -s "$log" ] || status=1
	result "$status" "checkpatch --strict $f" "$log"
done

# --- builds against the generic headers ---
kdir=${KDIR:-}
if [ -z "$kdir" ]; then
	headers=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null |
		awk '{ print $1 }')
	kdir=/usr/src/$headers
fi

# build NAME MAKE-ARGS...: the module sources in $out/NAME, built.
build() {
	dir=$out/$1
	shift
	mkdir -p "$dir"
	for f in $module_files Kbuild; do
		[ ! -f "$f" ] || cp "$f" "$dir/"
	done
	make -C "$kdir" M="$dir" "$@" modules >"$dir.log" 2>&1
}

progress "W=1 build against $kdir"
status=0
build w1 W=1 || status=$?
# gcc's warnings, and modpost's ("WARNING: modpost: ...")
if grep -E 'warning:|WARNING:|error:' "$out/w1.log" >"$out/w1-warnings.log"; then
	status=1
fi
[ "$status" -eq 0 ] || cat "$out/w1.log" >>"$out/w1-warnings.log"
result "$status" "W=1 build, no warnings" "$out/w1-warnings.log"

progress "sparse (C=2) build"
status=0
build sparse C=2 || status=$?
# sparse's own diagnostics: gcc's end in [-Wsomething], and are W=1's job.
if grep -E ': (warning|error):' "$out/sparse.log" |
	grep -vE '\[-W[^]]*\]$' >"$out/sparse-warnings.log"; then
	status=1
fi
[ "$status" -eq 0 ] || cat "$out/sparse.log" >>"$out/sparse-warnings.log"
result "$status" "sparse (C=2) build, no warnings" "$out/sparse-warnings.log"

# --- shellcheck ---
progress "shellcheck"
# The files git would track (no build products, no editors' droppings).
if git rev-parse --git-dir >/dev/null 2>&1; then
	scripts=$(git ls-files --cached --others --exclude-standard \
		scripts tests .ci fortunectl debian/tests proofs)
else
	scripts=$(find scripts tests .ci fortunectl debian/tests proofs \
		-type f ! -name '.*')
fi
for f in $(echo "$scripts" | LC_ALL=C sort -u); do
	[ -f "$f" ] || continue
	case $f in
	*.sh) ;;
	*) head -n 1 "$f" | grep -qE '^#!(/usr)?/bin/(env )?(ba|da)?sh' ||
		continue ;;
	esac
	case $f in
	tests/host/*) set -- ;;
	tests/*) set -- -s sh ;;
	*) set -- ;;
	esac
	log=$out/shellcheck-$(echo "$f" | tr / _).log
	status=0
	shellcheck -x "$@" "$f" >"$log" 2>&1 || status=$?
	result "$status" "shellcheck $*${*:+ }$f" "$log"
done

# --- proofs/STEP: a run for every case of a case split ---
# A harness that proves a goal by cases (PROOF_CASE, proofs/split.sh)
# names their number, "#define PROOF_CASES N"; proofs/STEP must run cases
# 0 to N - 1 of it, each once, and no other.
progress "proofs/STEP's cases"
for c in proofs/*/*_harness.c; do
	cases=$(sed -n 's/^#define PROOF_CASES \([0-9][0-9]*\)$/\1/p' "$c")
	[ -n "$cases" ] || continue
	h=$(basename "$(dirname "$c")")
	log=$out/cases-$h.log
	seq 0 $((cases - 1)) >"$log.want"
	awk -v h="$h" '$1 == h {
		for (i = 2; i <= NF; i++)
			if ($i ~ /^PROOF_CASE=/) {
				sub(/^PROOF_CASE=/, "", $i)
				print $i
			}
	}' proofs/STEP | sort -n >"$log.got"
	status=0
	diff -u "$log.want" "$log.got" >"$log" 2>&1 || status=$?
	result "$status" "proofs/STEP runs each of $h's $cases cases once" "$log"
done

# --- fortune.h from user space ---
progress "fortune.h in user space"
cat >"$out/abi.c" <<'CEOF'
#include <stdio.h>
#include <sys/ioctl.h>
#include "fortune.h"

int main(void)
{
	struct fortune_stats stats = { 0 };

	printf("sizeof(struct fortune_stats) %zu\n", sizeof(stats));
	printf("FORTUNE_IOC_STATS %#lx\n", (unsigned long)FORTUNE_IOC_STATS);
	printf("FORTUNE_IOC_CLEAR %#lx\n", (unsigned long)FORTUNE_IOC_CLEAR);
	printf("FORTUNE_COOKIE_OVERHEAD %d\n", FORTUNE_COOKIE_OVERHEAD);
	printf("FORTUNE_PROC_PATH %s\n", FORTUNE_PROC_PATH);
	return stats.capacity != 0;
}
CEOF
for bits in 64 32; do
	status=0
	gcc -m$bits -std=gnu11 -Wall -Wextra -Werror -I. -o "$out/abi$bits" \
		"$out/abi.c" >"$out/abi$bits.log" 2>&1 || status=$?
	result "$status" "fortune.h builds in user space (gcc -m$bits)" \
		"$out/abi$bits.log"
done
status=0
{
	"$out/abi64" >"$out/abi64.out" &&
		"$out/abi32" >"$out/abi32.out" &&
		diff -u "$out/abi64.out" "$out/abi32.out"
} >"$out/abi-diff.log" 2>&1 || status=$?
result "$status" "fortune.h: same layout and ioctl numbers for -m64 and -m32" \
	"$out/abi-diff.log"

echo "KTAP version 1"
echo "1..$n"
cat "$body"
