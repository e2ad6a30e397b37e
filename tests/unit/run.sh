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
flags=(-std=c11 -g -O1 -Wall -Wextra -Werror
	"-fsanitize=address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer
	-I"$top/userspace" -DBST_VERSION='"test"')
# The library once, then each test linked against it: compiling every
# source again for every test file cost minutes.
lib_objs=()
for f in "${lib_srcs[@]}"; do
	o=$work/lib/$(basename "$f" .c).o
	mkdir -p "$work/lib"
	gcc "${flags[@]}" -c -o "$o" "$f" 2>>"$work/build.log" || {
		cat "$work/build.log"
		echo "[  FAILED  ] library: $(basename "$f") does not build" >>"$work/out.txt"
		status=1
	}
	lib_objs+=("$o")
done
for t in "$top"/tests/unit/test_*.c; do
	[ "$status" = 0 ] || break
	name=$(basename "$t" .c)
	if ! gcc "${flags[@]}" -o "$work/$name" "$t" "${lib_objs[@]}" \
		-lcmocka -lm 2>"$work/build.log"; then
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
