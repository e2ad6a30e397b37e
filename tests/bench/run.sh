#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: run every benchmark and write docs/performance.md.
# Benchmarks report figures; they never fail a build on speed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}/bench
"$top/tests/bench/reader.sh" >/dev/null
"$top/tests/bench/vm.sh" >/dev/null
{
	cat <<'EOT'
# Performance

Figures from `make bench`, which rewrites this file. They are measurements on the machine named under each
table, not guarantees. Under emulation (the VM tests' TCG) absolute times are not meaningful.

## The reader

`tests/bench/reader.sh` times the reader on captures from `tests/bench/gen_capture.c`, shaped like real ones
(the kernel-log backfill recorded out of time order, module loads, async probes on several CPUs, ENA's
deferred attempts with timed steps inside each, disks, interfaces, markers), at 10k, 100k and 1M events,
and `compare` on 1000 such boots of two driver versions. Growth is the time at 1M over the time at 100k:
10x is linear, 100x quadratic. The targets are those of issue 14.

EOT
	cat "$work/reader.md"
	cat <<'EOT'

## The module

`tests/bench/vm.sh` boots Debian's 6.1 `amd64` kernel with bootstamps built in benchmark mode (`BST_BENCH=1`,
which adds a debugfs file that times recording in the kernel), then 20 short boots alternating without and
with bootstamps loaded first.

EOT
	cat "$work/vm.md"
} >"$top/docs/performance.md"
cat "$top/docs/performance.md"
