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

`tests/bench/reader.sh` generates synthetic captures (probe spans of three drivers) and times the reader on
them.

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
