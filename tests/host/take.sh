#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fortune.c's take, snapshot, PEEK and write code on its own: compiles the
# module's source as it is into a user-space program with the kernel API
# stubbed (tests/host/take-harness.c, tests/host/take-stub/), under
# AddressSanitizer and UBSan where the compiler has them, and runs it.  Its
# KTAP document goes to stdout.
set -eu

cd "$(dirname "$0")/../.."
out=build/host/take-harness
rm -rf "$out"
mkdir -p "$out/linux/sched"
# Every kernel header fortune.c and its headers include is the stub.
for h in atomic fs ioctl kernel minmax mm module moduleparam mutex overflow \
	proc_fs random ratelimit refcount sched/signal sizes slab string types \
	uaccess uio vmalloc xarray; do
	echo '#include "fortune_stub.h"' >"$out/linux/$h.h"
done
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
echo 'int main(void) { return 0; }' >"$out/probe.c"
# shellcheck disable=SC2086 # the flags, split
cc $san -o "$out/probe" "$out/probe.c" 2>/dev/null || san=
# shellcheck disable=SC2086 # the flags, split
if ! cc -O1 -g -Wall -Wextra -Wno-unused-parameter -Wno-unused-function \
	-Wno-sign-compare -Wno-missing-field-initializers $san \
	-I"$out" -Itests/host/take-stub -Itests -I. \
	-o "$out/take-harness" tests/host/take-harness.c 2>"$out/build.log"; then
	echo "KTAP version 1"
	echo "1..1"
	sed 's/^/# /' "$out/build.log" | head -n 40
	echo "not ok 1 the take harness builds"
	exit 1
fi
exec "$out/take-harness"
