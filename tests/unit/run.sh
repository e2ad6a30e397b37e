#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the reader's unit tests (cmocka) under ASan and UBSan.
# Prints "unit: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# The reader's sources except main.c: the tests bring their own main().
lib_srcs=()
for f in "$top"/userspace/*.c; do
	[ "${f##*/}" = main.c ] || lib_srcs+=("$f")
done
work=${BST_WORK:-/tmp/bootstamps-work}/unit
rm -rf "$work"
mkdir -p "$work"
status=0
: >"$work/out.txt"
for t in "$top"/tests/unit/test_*.c; do
	name=$(basename "$t" .c)
	if ! gcc -std=c11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-I"$top/userspace" -o "$work/$name" "$t" \
		"${lib_srcs[@]}" \
		-DBST_VERSION='"test"' -lcmocka -lm 2>"$work/build.log"; then
		cat "$work/build.log"
		echo "[  FAILED  ] $name: does not build" >>"$work/out.txt"
		status=1
		continue
	fi
	"$work/$name" 2>&1 | tee -a "$work/out.txt"
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
done
pass=$(grep -c '^\[       OK \]' "$work/out.txt")
fail=$(grep -c '^\[  FAILED  \] [a-z]' "$work/out.txt")
[ "$status" = 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "unit: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
