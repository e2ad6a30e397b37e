#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the reader's unit tests (cmocka) under ASan and UBSan.
# Prints "unit: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}/unit
rm -rf "$work"
mkdir -p "$work"
if ! gcc -std=c11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-I"$top/userspace" -o "$work/test_reader" "$top/tests/unit/test_reader.c" \
	$(ls "$top"/userspace/*.c | grep -v '/main\.c$') \
	-DBST_VERSION='"test"' -lcmocka -lm 2>"$work/build.log"; then
	cat "$work/build.log"
	echo "unit: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
"$work/test_reader" 2>&1 | tee "$work/out.txt"
status=${PIPESTATUS[0]}
pass=$(grep -c '^\[       OK \]' "$work/out.txt")
fail=$(grep -c '^\[  FAILED  \] [a-z]' "$work/out.txt")
[ "$status" = 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "unit: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
