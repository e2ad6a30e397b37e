#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-qemu`: does the emulator crash the kernels we boot? Short
# boots (tests/vm/run.sh --repro: drivers, ENA on edu, the root mounted),
# half of them without bootstamps loaded, while two busy loops load the
# host's CPUs as a busy CI machine would. Each configuration is a kernel,
# a QEMU (the pinned one, or the machine's own with QEMU=system), and a
# vCPU count with TCG's threading. Prints a table of boots and crashes,
# and "check-qemu: N passed, N failed, 0 skipped" (one case per boot).
#
#   tests/qemu-repro.sh [BOOTS [CONFIG...]]
# BOOTS     boots per configuration (default 200)
# CONFIG    FLAVOUR:SUITE:SMP:THREAD, e.g. amd64:bookworm-backports:2:multi;
#           default: every kernel make check boots, in the configurations
#           make check boots it (2 vCPUs multi-threaded, 4 single-threaded)
# QEMU=system   the machine's installed QEMU instead of the pinned one
# BST_REPRO_LOAD=0  no host load
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
boots=${1:-200}
shift || true
configs=${*:-cloud-amd64::2:multi amd64::2:multi rt-amd64::2:multi amd64:bullseye:2:multi amd64:bookworm-backports:2:multi amd64:sid:2:multi cloud-arm64::2:multi amd64:bookworm-backports:4:single}
work=${BST_WORK:-/tmp/bootstamps-work}/check-qemu
rm -rf "$work"
mkdir -p "$work"
loaders=()
stop_load() { [ ${#loaders[@]} = 0 ] || kill "${loaders[@]}" 2>/dev/null; wait 2>/dev/null; }
trap stop_load EXIT
if [ "${BST_REPRO_LOAD:-1}" = 1 ]; then
	for _ in 1 2; do
		(while :; do :; done) &
		loaders+=($!)
	done
fi
pass=0 fail=0
table=$work/table.md
echo "| kernel | QEMU | vCPUs, TCG threads | boots | crashed | s per boot |" >"$table"
echo "|---|---|---|---|---|---|" >>"$table"
for c in $configs; do
	IFS=: read -r flavour suite smp thread <<<"$c"
	name=$flavour${suite:+-$suite}-$smp-$thread-${QEMU:-pinned}
	t0=$(date +%s)
	BST_QEMU=${QEMU:-cached} BST_SMP=$smp BST_TCG_THREAD=$thread BST_WORK=$work/$name \
		"$top/tests/vm/run.sh" "$flavour" ${suite:+--suite "$suite"} --repro "$boots" >"$work/$name.log" 2>&1
	t1=$(date +%s)
	r=$work/$name/vm-$flavour${suite:+-$suite}-repro/repro.txt
	clean=$(grep -c ' clean$' "$r" 2>/dev/null) || clean=0
	crashed=$(grep -c ' crashed' "$r" 2>/dev/null) || crashed=0
	done=$((clean + crashed))
	if [ "$done" != "$boots" ]; then
		echo "[check-qemu] not ok $name.setup # $done of $boots boots ran; see $work/$name.log"
		fail=$((fail + 1))
	fi
	pass=$((pass + clean)) fail=$((fail + crashed))
	grep ' crashed' "$r" 2>/dev/null | sed "s/^/[check-qemu] not ok $name./"
	qbin=$(BST_QEMU=${QEMU:-cached} "$top/tests/lib/qemu.sh" x86_64 | awk '{ print $1 }')
	qv=$("$qbin" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
	echo "[check-qemu] $name: $clean clean, $crashed crashed in $((t1 - t0)) s"
	echo "| $flavour${suite:+ ($suite)} | $qv | $smp, $thread | $done | $crashed | $(( (t1 - t0) / (done > 0 ? done : 1) )) |" >>"$table"
done
stop_load
cat "$table"
echo "check-qemu: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
