#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check` and `make check-all`: the test parts, each printing its own
# "NAME: N passed, N failed, N skipped" line; the last line is the sum.
#
#   tests/check.sh [check|all] [LANE...]
#   tests/check.sh lanes        prints the tier-2 lanes
#
# check (what CI runs) proves every behaviour in a real kernel once per
# change, with as little repetition as that allows:
#   - host work (lint on every kernel, unit, fuzz regressions and a
#     fixed-seed fuzz run, the fleet servers) runs beside the VM work,
#     not before it;
#   - a full boot (every VM case, then 64 and 1000 async probes on 4
#     vCPUs) for each generation of the kretprobe code: 5.10, 6.1
#     (cloud-amd64, the module dkms built) and 6.12; a core boot (no stress
#     cases, no 4-vCPU boot) for 6.1 amd64 (dkms), PREEMPT_RT, sid's 7.x
#     and arm64;
#   - the reader on those captures, the A/B at 4+4 boots, and one install
#     and boot each with initramfs-tools and dracut.
# all (make check-all) is check plus every tier-2 lane below.
# LANE...: those lanes too (tests/check.sh check debug), or alone
# (tests/check.sh debug). The tier-2 lanes:
#   full-amd64 full-rt-amd64 full-sid full-cloud-arm64 full-bullseye-cloud
#       a full boot of a kernel that check boots core (make matrix has
#       them all, and writes the README's table)
#   system   make check-system: upgrades, second boots, uninstall boots
#   debug    make check-debug: the KASAN/lockdep/kmemleak/KUnit kernel
#   fuzz-long  five minutes per fuzz target
#   bare-demo  make demo as the first command in a bare Debian 12 chroot
#   bare-check make check likewise (make check-all only: it takes as long
#              as make check)
# CI (.ci/run) adds one tier-2 lane chosen from the commit's hash, so that
# each runs every few commits.
#
# BST_DEADLINE (seconds, default 4500): past it no part starts, a running
# part is stopped, and the summary still prints, failing: well before CI's
# 90 minutes, instead of being cut off with no summary.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export BST_WORK=${BST_WORK:-/tmp/bootstamps-work}
mkdir -p "$BST_WORK/parts"
summaries=$BST_WORK/summaries.txt
failures=$BST_WORK/failures.txt
times=$BST_WORK/times.txt
: >"$summaries"
: >"$failures"
: >"$times"
start=$(date +%s)
deadline=$((start + ${BST_DEADLINE:-4500}))

tier2_lanes="full-amd64 full-rt-amd64 full-sid full-cloud-arm64 full-bullseye-cloud system fuzz-long bare-demo debug"
# make check-all only: bare-check is a whole make check again, too long for
# CI's rotation.
all_only_lanes="bare-check"

# record NAME LOG RC SECONDS: a finished part's summary, failing cases and
# time, into the files the summary is made of.
record() {
	local name=$1 log=$2 rc=$3 secs=$4
	grep -E '^[a-z0-9.-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" >>"$summaries"
	# Keep each failing case's line, so the end of the log (all a CI
	# report may show) names what failed.
	grep -E '(^|\] )not ok ' "$log" >>"$failures"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "$name: 0 passed, 1 failed, 0 skipped" >>"$summaries"
		echo "not ok $name # stopped at the deadline (BST_DEADLINE)" >>"$failures"
	elif [ "$rc" != 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$log"; then
		# A part that failed without saying so still counts as a failure.
		echo "$name: 0 passed, 1 failed, 0 skipped" >>"$summaries"
	fi
	printf '%-28s %5d s\n' "$name" "$secs" >>"$times"
}

# run NAME CMD...: one part in the foreground, its output shown as it
# comes, stopped at the deadline.
run() {
	local name=$1 t0 rc left
	shift
	left=$((deadline - $(date +%s)))
	echo "=== $name: $*"
	if [ "$left" -le 0 ]; then
		echo "$name: not started, past the deadline" | tee "$BST_WORK/parts/$name.log"
		record "$name" "$BST_WORK/parts/$name.log" 124 0
		return
	fi
	t0=$(date +%s)
	if declare -F "$1" >/dev/null; then
		# A function of this script (provision): quick, and timeout(1)
		# cannot run it.
		"$@" 2>&1 | tee "$BST_WORK/parts/$name.log"
	else
		timeout -k 30 "$left" "$@" 2>&1 | tee "$BST_WORK/parts/$name.log"
	fi
	rc=${PIPESTATUS[0]}
	record "$name" "$BST_WORK/parts/$name.log" "$rc" $(($(date +%s) - t0))
}

# The host parts, one after another, in the background beside the VM
# parts: they need the CPU in bursts, the VM boots often wait (probes
# sleep, the ENA probe times out). Their output is shown when they end.
host_parts() {
	local name t0 rc
	for name in lint unit fuzz fleet; do
		t0=$(date +%s)
		case $name in
		lint) timeout -k 30 $((deadline - t0)) "$top/tests/lint.sh" ;;
		unit) timeout -k 30 $((deadline - t0)) "$top/tests/unit/run.sh" ;;
		fuzz) timeout -k 30 $((deadline - t0)) "$top/tests/fuzz/run.sh" "${BST_FUZZ_SECONDS:-fixed}" ;;
		# Real Prometheus, node_exporter and sqlite3 on loopback: about 20 s.
		fleet) timeout -k 30 $((deadline - t0)) "$top/tests/fleet.sh" ;;
		esac >"$BST_WORK/parts/$name.log" 2>&1
		rc=$?
		echo "$name $rc $(($(date +%s) - t0))" >>"$BST_WORK/parts/host.done"
	done
}

# beside NAME CMD...: one host part in the background, like host_parts.
beside() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	if [ $((deadline - t0)) -le 0 ]; then
		echo "$name: not started, past the deadline" >"$BST_WORK/parts/$name.log"
		rc=124
	else
		timeout -k 30 $((deadline - t0)) "$@" >"$BST_WORK/parts/$name.log" 2>&1
		rc=$?
	fi
	echo "$name $rc $(($(date +%s) - t0))" >>"$BST_WORK/parts/host.done"
}

# Kernels and QEMU are fetched first, one at a time: parts running side
# by side then only read the cache.
provision() {
	local k rc=0
	"$top/tests/lib/qemu.sh" x86_64 >/dev/null || rc=1
	for k in cloud-amd64: amd64: rt-amd64: amd64:bullseye amd64:bookworm-backports amd64:sid cloud-arm64: "$@"; do
		"$top/tests/lib/kernel.sh" "${k%%:*}" ${k#*:} >/dev/null || { echo "[provision] not ok ${k%:} # cannot fetch"; rc=1; }
	done
	[ $rc = 0 ] && echo "[provision] ok kernels_and_qemu"
	echo "provision: $((1 - rc)) passed, $rc failed, 0 skipped"
	return $rc
}

tier1() {
	run provision provision
	rm -f "$BST_WORK/parts/host.done"
	host_parts &
	local host_pid=$!
	# Full boots: one per kretprobe generation.
	run dkms-cloud-amd64 "$top/tests/dkms.sh" cloud-amd64
	run vm-bullseye "$top/tests/vm/run.sh" amd64 --suite bullseye
	run vm-bookworm-backports "$top/tests/vm/run.sh" amd64 --suite bookworm-backports
	# Core boots of the other kernels users run: 6.1 amd64 (nvme a
	# module, the module dkms built), PREEMPT_RT (spinlocks sleep there,
	# so a hook that takes one in atomic context splats), the newest
	# Debian has (sid, 7.x), and Graviton (arm64, cross-compiled).
	run dkms-amd64 "$top/tests/dkms.sh" amd64 --core
	run vm-rt-amd64 "$top/tests/vm/run.sh" rt-amd64 --core
	run vm-sid "$top/tests/vm/run.sh" amd64 --suite sid --core
	run vm-cloud-arm64 "$top/tests/vm/run.sh" cloud-arm64 --core
	# The A/B boots, then the reader on the captures all those boots made
	# (its compare cases read the A/B captures: on a fresh machine they
	# exist only once ab has run). The reader needs no VM: it runs beside
	# the system lane, whose boots mostly wait on the emulated disk.
	run ab "$top/tests/ab.sh" cloud-amd64 4
	beside reader "$top/tests/reader.sh" &
	local reader_pid=$!
	run system-core "$top/tests/system/run.sh" --core
	wait $host_pid $reader_pid
	local name rc secs
	while read -r name rc secs; do
		echo "=== $name (ran beside the VM parts)"
		cat "$BST_WORK/parts/$name.log"
		record "$name" "$BST_WORK/parts/$name.log" "$rc" "$secs"
	done <"$BST_WORK/parts/host.done"
}

lane() {
	case $1 in
	full-amd64) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" amd64 ;;
	full-rt-amd64) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" rt-amd64 ;;
	full-sid) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" amd64 --suite sid ;;
	full-cloud-arm64) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" cloud-arm64 ;;
	full-bullseye-cloud) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" cloud-amd64 --suite bullseye ;;
	system) run "$1" "$top/tests/system/run.sh" ;;
	debug) BST_CYCLES=100 run "$1" "$top/tests/vm/run.sh" debug ;;
	fuzz-long) run "$1" "$top/tests/fuzz/run.sh" 300 ;;
	bare-demo) run "$1" "$top/tests/bare.sh" demo ;;
	bare-check) run "$1" "$top/tests/bare.sh" check ;;
	*) echo "check.sh: unknown lane $1 (lanes: $tier2_lanes $all_only_lanes)" >&2
	   echo "$1: 0 passed, 1 failed, 0 skipped" >>"$summaries" ;;
	esac
}

case ${1:-check} in
lanes) echo "$tier2_lanes"; exit 0 ;;
check) tier1; shift ;;
all) tier1; for l in $tier2_lanes $all_only_lanes; do lane "$l"; done; shift ;;
esac
for l in "$@"; do lane "$l"; done

echo "=== summary"
if [ -s "$failures" ]; then
	echo "failed cases:"
	sed 's/^/  /' "$failures"
fi
cat "$summaries"
echo "wall time of each part (the host parts ran beside the VM parts):"
sed 's/^/  /' "$times"
printf '  %-26s %5d s\n' total $(($(date +%s) - start))
awk '{ p += $2; f += $4; s += $6 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' \
	FS='[ ,]+' "$summaries"
