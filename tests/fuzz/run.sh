#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz the reader (libFuzzer, with ASan and UBSan) for a bounded time per
# target, after replaying every input in regressions/ (crashes found
# earlier, kept so they stay fixed). A crash found now is copied into
# regressions/ for the developer to commit, and fails the run.
#   tests/fuzz/run.sh [SECONDS|fixed]   (default 20 s per target)
# "fixed" (what make check runs): a fixed seed and a fixed number of runs,
# so the same tree fuzzes the same inputs every time; make check-all
# fuzzes for minutes instead.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# The reader's sources except main.c: the tests bring their own main().
lib_srcs=()
for f in "$top"/userspace/*.c; do
	[ "${f##*/}" = main.c ] || lib_srcs+=("$f")
done
secs=${1:-20}
work=${BST_WORK:-/tmp/bootstamps-work}/fuzz
rm -rf "$work"
mkdir -p "$work"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "[fuzz] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[fuzz] not ok $1 # $2"; }

if ! command -v clang >/dev/null; then
	not_ok build "clang is not installed (apt-get install clang libclang-rt-14-dev)"
	echo "fuzz: $pass passed, $fail failed, 0 skipped"
	exit 1
fi
for target in fuzz_reader fuzz_compare; do
	bin=$work/$target
	if ! clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-D_GNU_SOURCE -DBST_VERSION='"fuzz"' -I"$top/userspace" -o "$bin" \
		"$top/tests/fuzz/$target.c" "${lib_srcs[@]}" -lm \
		>"$work/$target.build" 2>&1; then
		not_ok "$target.build" "$(head -n 3 "$work/$target.build" | tr '\n' ' ')"
		continue
	fi
	# Regressions first: each must run clean.
	reg=$(ls "$top/tests/fuzz/regressions" 2>/dev/null | wc -l)
	if [ "$reg" -gt 0 ] && ! "$bin" "$top"/tests/fuzz/regressions/* >"$work/$target.reg" 2>&1; then
		not_ok "$target.regressions" "$(grep -m 1 ERROR "$work/$target.reg")"
	else
		ok "$target.regressions ($reg inputs)"
	fi
	mkdir -p "$work/$target.corpus"
	cp "$top"/tests/fuzz/corpus/* "$work/$target.corpus/"
	if [ "$secs" = fixed ]; then
		# About 10 s each on this machine: compare writes its inputs to
		# files and runs some 15 times slower than the parser alone.
		runs=40000
		[ $target != fuzz_compare ] || runs=3000
		budget=(-seed=1 -runs="$runs")
		label=seed1
	else
		budget=(-max_total_time="$secs")
		label=${secs}s
	fi
	if "$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$work/$target-" "$work/$target.corpus" >"$work/$target.log" 2>&1; then
		ok "$target.$label ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$target.log" | awk '{print $2}') runs)"
	else
		for crash in "$work/$target"-*; do
			[ -f "$crash" ] && cp "$crash" "$top/tests/fuzz/regressions/$target-$(basename "$crash" | sed "s/^$target-//")"
		done
		not_ok "$target.$label" "$(grep -m 1 -E 'ERROR|runtime error' "$work/$target.log"); input kept in tests/fuzz/regressions/"
	fi
done
echo "fuzz: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
