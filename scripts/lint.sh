#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: checkpatch, W=1, sparse, shellcheck and the user-space
# header check of tests/host/lint.sh (which `make check` runs too), with
# its failures and a one-line verdict.  Exits 1 on any failure.
set -eu

cd "$(dirname "$0")/.."
scripts/deps.sh
mkdir -p build
status=0
tests/host/lint.sh >build/lint.ktap || status=$?
summary=$(scripts/ktap-summary build/lint.ktap) || status=1
echo "$summary" | sed '$d'
echo "$summary" | tail -n 1 | tr '=' ' ' |
	awk '{ printf "lint: %d passed, %d failed\n", $2, $4 + $8 }'
[ "$status" -eq 0 ] || echo "lint: details in build/lint/ and build/lint.ktap"
exit "$status"
