#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test, in order of cost. Each part prints its own
# "NAME: N passed, N failed, N skipped" line; the last line is the sum.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export BST_WORK=${BST_WORK:-/tmp/bootstamps-work}
mkdir -p "$BST_WORK"
summaries=$BST_WORK/summaries.txt
: >"$summaries"
failures=$BST_WORK/failures.txt
: >"$failures"

part() {
	echo "=== $*"
	"$@" 2>&1 | tee "$BST_WORK/part.log"
	local rc=${PIPESTATUS[0]}
	grep -E '^[a-z0-9.-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$BST_WORK/part.log" >>"$summaries"
	# Keep each failing case's line, so the end of the log (all a CI
	# report may show) names what failed.
	grep -E '(^|\] )not ok ' "$BST_WORK/part.log" >>"$failures"
	if [ "$rc" != 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$BST_WORK/part.log"; then
		# A part that failed without saying so still counts as a failure.
		echo "$1: 0 passed, 1 failed, 0 skipped" | tee -a "$summaries"
	fi
}

part "$top/tests/lint.sh"
part "$top/tests/unit/run.sh"
part "$top/tests/fuzz/run.sh" "${BST_FUZZ_SECONDS:-20}"
for flavour in cloud-amd64 amd64; do
	part "$top/tests/dkms.sh" "$flavour"
done
# Other Debian kernels users run: 5.10 (bullseye, like Amazon Linux 2),
# 6.12 (bookworm-backports, like Amazon Linux 2023's newer kernel) and the
# newest (sid, 7.x).
for suite in bullseye bookworm-backports sid; do
	part "$top/tests/vm/run.sh" amd64 --suite "$suite"
done
# Graviton: Debian's 6.1 cloud-arm64, cross-compiled, booted on QEMU's
# aarch64 virt machine.
part "$top/tests/vm/run.sh" cloud-arm64
# PREEMPT_RT: spinlocks sleep there, so a hook that takes one in atomic
# context, or sleeps, splats.
part "$top/tests/vm/run.sh" rt-amd64
# The debug kernel (make check-debug): KASAN, lockdep, atomic-sleep checks,
# kmemleak, debugobjects and KUnit, built once from linux-source-6.1 and
# cached; every VM case again, plus the KUnit suites and a kmemleak scan.
part "$top/tests/vm/run.sh" debug
# The reader on the captures the VM runs just made, then across boots.
part "$top/tests/reader.sh"
part "$top/tests/ab.sh" cloud-amd64
# `make install` into a real Debian system, booted (initramfs-tools, dracut,
# a kernel upgrade, uninstall).
part "$top/tests/system/run.sh"

echo "=== summary"
if [ -s "$failures" ]; then
	echo "failed cases:"
	sed 's/^/  /' "$failures"
fi
cat "$summaries"
awk '{ p += $2; f += $4; s += $6 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' \
	FS='[ ,]+' "$summaries"
