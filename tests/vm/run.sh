#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel under QEMU (TCG) with bootstamps loaded first, real
# drivers bound to emulated devices, and tests/vm/init.sh as PID 1.
#
#   tests/vm/run.sh FLAVOUR [--suite SUITE] [--module KO] [--demo]
#                   [--ab VER:DELAY:BOOTS:DIR[:SERVICE:OS:WORDS:DRIVER]]
#
# FLAVOUR   Debian kernel flavour: cloud-amd64 or amd64; or "debug", the
#           KASAN/lockdep/kmemleak/KUnit kernel of make check-debug, built
#           from linux-source-6.1 by tests/lib/debug-kernel.sh
# --suite   another Debian suite's kernel (bullseye: 5.10,
#           bookworm-backports: 6.12); default: the machine's own
# --module  boot this bootstamps.ko (e.g. the one dkms built) instead of
#           building one from the work tree
# --demo    print the recorded boot timeline instead of the test report
# --bench   instead of the full test: benchmark boots (make bench); the
#           module is built with BST_BENCH=1, results go to $work/bench.txt
# --ab      instead of the full test: boot an image BOOTS times, each
#           saving its boot, and put each saved capture in DIR (tests/ab.sh,
#           make demo). The image: in its initramfs, the fixture driver built
#           at version VER (as module DRIVER, default bst_fixture) probing
#           DELAY ms; on its root, OS release OS (default 1), a service
#           (ntpdate) running SERVICE ms if not 0, and WORDS (comma-separated)
#           on the kernel command line
# --core    a core boot: the test boot without its stress cases, and no
#           4-vCPU async boot (make check boots most kernels so)
# --repro N instead of the full test: N short boots (drivers, ENA on edu,
#           the root mounted), alternately without and with bootstamps,
#           each judged clean or not (make check-qemu, tests/qemu-repro.sh).
#           BST_SMP (default 2) and BST_TCG_THREAD (multi or single) set
#           the vCPUs and TCG's threading; one line per boot goes to
#           $work/repro.txt
#
# The run fails closed: a missing result, a kernel splat on the console, a
# bad taint, a timeout or no clean power-off all count as failures.
# Prints "vm-FLAVOUR: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
flavour=${1:?usage: run.sh FLAVOUR [--module KO] [--demo]}
shift
module=
demo=0
ab=
bench=
repro=
core=
suite=
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--demo) demo=1; shift ;;
	--ab) ab=$2; shift 2 ;;
	--bench) bench=1; shift ;;
	--repro) repro=$2; shift 2 ;;
	--core) core=1; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

label=$flavour${suite:+-$suite}
say() { [ $demo = 1 ] || echo "[vm-$label] $*"; }
# A failure before the boot is a failing case too, so that the summary's
# list of failed cases (all a CI report may show) says what went wrong.
die() {
	echo "[vm-$label] not ok vm-$label.setup # $*"
	echo "vm-$label: 0 passed, 1 failed, 0 skipped"
	exit 1
}

if [ "$flavour" = debug ]; then
	read -r release imgdir kdir < <("$top/tests/lib/debug-kernel.sh") ||
		die "cannot build the debug kernel"
else
	read -r release imgdir kdir < <("$top/tests/lib/kernel.sh" "$flavour" $suite) ||
		die "cannot fetch the $label kernel"
fi
[ -n "$release" ] || die "no $label kernel"
cache=${BST_CACHE:-/var/cache/bootstamps}
# The guest's architecture: arm64 (Graviton) is cross-built and booted on
# QEMU's virt machine, where the one PL011 UART carries the console and a
# PCI 16550 (pci-serial, ttyS0 in the guest) the results.
guest_arch=x86_64
cross=
qemu_arch=x86_64
machine=(-M q35 -cpu max)
console=ttyS0
result_tty=ttyS1
case $flavour in
*-arm64)
	guest_arch=arm64
	[ "$(uname -m)" = aarch64 ] || cross=aarch64-linux-gnu-
	# pauth-impdef: TCG emulates the architected pointer authentication slowly.
	cpu=max,pauth-impdef=on
	qemu_arch=aarch64
	machine=(-M virt -cpu "$cpu")
	console=ttyAMA0
	result_tty=ttyS0
	;;
esac
# The pinned QEMU (tests/lib/qemu.sh), not the machine's own.
read -ra qemu < <("$top/tests/lib/qemu.sh" $qemu_arch) || die "cannot provide QEMU for $qemu_arch"
[ ${#qemu[@]} -gt 0 ] || die "cannot provide QEMU for $qemu_arch"
qemu+=("${machine[@]}")
# TCG on a busy host runs a guest many times slower than hardware: RCU
# stall reports after 2 minutes instead of 21 s, the soft-lockup watchdog
# after 2 minutes instead of 20 s, on every boot. A real stall or lockup
# still trips them, and a hang past them the timeout below.
# no_timer_check: the kernel's check that the timer interrupt works counts
# loops against a guest clock; on a host this busy it once gave up ("IO-APIC
# + timer doesn't work!") at 0.02 s, in 1 of 16 boots under QEMU 10.
slow="rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=60 no_timer_check"
# Under QEMU 10 (not 7.2), Linux's native nvme multipath takes the disk:
# nvme0n1 hangs off a virtual nvme-subsys device, the I/O goes to a hidden
# per-path disk, and disk.add nvme0n1 names no driver and sees no first
# I/O (seen on 5.10 and 6.1). These cases are of a single-path disk: with
# multipath off, nvme0n1 hangs off its controller again. The system lane
# keeps multipath on.
single_path="nvme_core.multipath=N"
# The limit catches a hang, not a slow host: a full test boot takes 2 to 4
# minutes here, and 10 with the host's CPUs oversubscribed three times.
# KASAN's shadow memory and lockdep's tables need room, and under TCG that
# kernel runs several times slower still: a longer limit.
mem=512M
limit=1500
if grep -q '^CONFIG_KASAN=y' "$imgdir/boot/config-$release" 2>/dev/null; then
	mem=1G
	limit=2400
fi
work=${BST_WORK:-/tmp/bootstamps-work}/vm-$label${ab:+-ab}${bench:+-bench}${repro:+-repro}
fixture_version=1.0.0
ab_driver=
if [ -n "$ab" ]; then
	IFS=: read -r fixture_version ab_delay ab_boots ab_dir ab_service ab_os ab_words ab_driver <<<"$ab"
	[ -n "$ab_dir" ] || { echo "run.sh: --ab VERSION:DELAY:BOOTS:DIR[:SERVICE:OS:WORDS:DRIVER]" >&2; exit 2; }
	mkdir -p "$ab_dir"
fi
rm -rf "$work"
mkdir -p "$work/stage"/{bin,etc,mods,proc,sys,dev,tmp}
log=$work/build.log
say "kernel $release, work dir $work"

# ------------------------------------------------------------ build
build_module() {
	mkdir -p "$work/src"
	cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$work/src/"
	"$top/tests/lib/kmake.sh" "$kdir" M="$work/src" ${bench:+BST_BENCH=1} modules >>"$log" 2>&1 || return 1
	module=$work/src/bootstamps.ko
}
if [ -z "$module" ]; then
	build_module || die "building bootstamps.ko failed (see $log)"
fi
[ -f "$module" ] || die "no module at $module"
cp -r "$top/tests/fixtures" "$work/fixture"
ab_driver=${ab_driver:-bst_fixture}
fixture_name=
[ "$ab_driver" = bst_fixture ] || fixture_name=$ab_driver
"$top/tests/lib/kmake.sh" "$kdir" M="$work/fixture" FIXTURE_VERSION="$fixture_version" FIXTURE_NAME="$fixture_name" modules >>"$log" 2>&1 ||
	die "building the fixture failed (see $log)"
make -C "$top/userspace" OBJDIR="$work/reader" STATIC=1 >>"$log" 2>&1 || die "building the reader failed (see $log)"
guest_reader=$work/reader/bootstamps
if [ -n "$cross" ]; then
	make -C "$top/userspace" OBJDIR="$work/reader-$guest_arch" STATIC=1 CC="${cross}gcc" >>"$log" 2>&1 ||
		die "building the $guest_arch reader failed (see $log)"
	guest_reader=$work/reader-$guest_arch/bootstamps
fi
"${cross}gcc" -static -O2 -Wall -Wextra -Werror -pthread -o "$work/stage/bin/bst-vmtool" "$top/tests/vm/bst-vmtool.c" >>"$log" 2>&1 ||
	die "building bst-vmtool failed (see $log)"
ln -s bst-vmtool "$work/stage/bin/bst-sleep"
# The KUnit tests, where the kernel can run them (the debug kernel).
if grep -q '^CONFIG_KUNIT=y' "$kdir/.config" 2>/dev/null; then
	mkdir -p "$work/kunit"
	cp "$top/tests/kunit/Kbuild" "$top/tests/kunit/bst_kunit.c" "$top/module/format.c" \
		"$top/module/store.c" "$top/module/bootstamps.h" "$work/kunit/"
	"$top/tests/lib/kmake.sh" "$kdir" M="$work/kunit" W=1 KCFLAGS=-Werror modules >>"$log" 2>&1 ||
		die "building bootstamps_kunit.ko failed (see $log)"
fi

# ------------------------------------------------------------ initramfs
stage=$work/stage
if [ -n "$cross" ]; then
	# busybox-static of the guest's architecture, from the same suites; its
	# applet list is the machine's busybox's (the same Debian version).
	# shellcheck source=tests/lib/pins.sh
	. "$top/tests/lib/pins.sh"
	deb=$(pin_fetch own busybox-static "$guest_arch" 2>>"$log") ||
		die "cannot download busybox-static for $guest_arch (see $log)"
	dpkg-deb -x "$deb" "$work/busybox-$guest_arch"
	cp "$work/busybox-$guest_arch/bin/busybox" "$stage/bin/busybox"
else
	cp /bin/busybox "$stage/bin/busybox"
fi
for applet in $(/bin/busybox --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
cp "$guest_reader" "$stage/bin/bootstamps"
cp "$top/tests/vm/init.sh" "$stage/init"
chmod 755 "$stage/init"
cp "$module" "$stage/mods/bootstamps.ko"
cp "$work/fixture/bst_fixture.ko" "$work/fixture/bst_fixture_many.ko" "$stage/mods/"
[ -z "$fixture_name" ] || cp "$work/fixture/$fixture_name.ko" "$stage/mods/"
[ ! -e "$work/kunit/bootstamps_kunit.ko" ] || cp "$work/kunit/bootstamps_kunit.ko" "$stage/mods/"

# Driver modules from the kernel package, with dependencies in load order.
mods=(virtio_blk virtio_net virtio_pci ena)
is_module() { grep -q '^insmod' <<<"$(modprobe -d "$imgdir" -S "$release" --show-depends "$1" 2>/dev/null)"; }
nvme_is_module=0
ext4_module=
builtin=
for m in virtio_pci virtio_blk virtio_net ena nvme; do
	is_module $m || builtin="$builtin $m"
done
if is_module nvme; then
	nvme_is_module=1
	mods+=(nvme)
fi
# A device an unprivileged user can make in a network namespace of its own.
if is_module dummy; then
	mods+=(dummy)
fi
# Disks added empty and scanned later (loop), and a bio-based disk (null_blk).
for m in loop null_blk; do
	if is_module $m; then
		mods+=("$m")
	fi
done
if is_module ext4; then
	ext4_module=1
	mods+=(ext4)
fi
for m in "${mods[@]}"; do
	modprobe -d "$imgdir" -S "$release" --show-depends "$m" >"$work/deps.txt" 2>>"$log" ||
		die "cannot resolve module $m"
	: >"$stage/mods/$m.deps"
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		file=$(basename "$path")
		# busybox insmod takes plain modules; the kernel does not mind.
		case $file in
		*.ko.xz) file=${file%.xz}; xz -dc "$path" >"$stage/mods/$file" ;;
		*.ko.zst) file=${file%.zst}; zstd -qdc "$path" >"$stage/mods/$file" ;;
		*) cp "$path" "$stage/mods/$file" ;;
		esac
		name=${file%.ko}
		echo "${name//-/_} $file" >>"$stage/mods/$m.deps"
	done <"$work/deps.txt"
done

modfield() { modinfo -F "$2" "$1" 2>/dev/null; }
# Before 5.14 really_probe() swallows a failed probe's errno (compat.h).
kver=${release%%-*}
swallows_rc=0
[ "$(printf '%s\n5.14\n' "$kver" | sort -V | head -n 1)" = 5.14 ] || swallows_rc=1
# 5.x prints "probe of ... after N usecs" with pr_debug: switch it on.
dyndbg=
case $kver in 5.*) dyndbg='dyndbg="file drivers/base/dd.c +p"' ;; esac
cat >"$stage/etc/bst.conf" <<EOF
BST_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
BST_SRCVERSION=$(modfield "$module" srcversion)
FIXTURE_SRCVERSION=$(modfield "$work/fixture/bst_fixture.ko" srcversion)
ENA_VERSION=$(modfield "$stage/mods/ena.ko" version)
ENA_SRCVERSION=$(modfield "$stage/mods/ena.ko" srcversion)
NVME_IS_MODULE=$nvme_is_module
EXT4_MODULE=$ext4_module
BUILTIN="$builtin"
SWALLOWS_RC=$swallows_rc
RESULT_TTY=$result_tty
AB_DRIVER=$ab_driver
AB_DELAY=${ab_delay:-0}
AB_SERVICE=${ab_service:-0}
AB_OS=${ab_os:-1}
EOF
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initrd.gz" || die "cpio failed"

# The real root: the same tree as an ext4 image on virtio-blk, where the
# same script runs as /sbin/init in its second stage. Made without
# mounting anything on the host.
cp -a "$stage" "$work/rootfs"
mkdir -p "$work/rootfs/sbin" "$work/rootfs/newroot"
cp "$top/tests/vm/init.sh" "$work/rootfs/sbin/init"
touch "$work/rootfs/etc/bst-stage2"
# The service an --ab image may run: a program that sleeps, installed in
# the image as a package would, so starting it costs no more than its exec.
mkdir -p "$work/rootfs/usr/sbin"
cp "$stage/bin/bst-vmtool" "$work/rootfs/usr/sbin/ntpdate"
mke2fs -q -t ext4 -d "$work/rootfs" "$work/vblk.img" 64M >>"$log" 2>&1 || die "mke2fs failed (see $log)"
# The nvme disk carries two partitions, so the scan has something to find.
truncate -s 16M "$work/nvme.img"
printf 'label: dos\n,4M\n,4M\n' | sfdisk -q "$work/nvme.img" >>"$log" 2>&1 || die "sfdisk failed (see $log)"

# ------------------------------------------------------------ boot
pass=0 fail=0 skipped=0
verdict() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "[vm-$label] ok host.$1"
	else
		fail=$((fail + 1)); echo "[vm-$label] not ok host.$1 # $3"
	fi
}

# boot NAME [KERNEL ARGS]: one boot, judged fail-closed; its files are
# $work/NAME.{console,result}.
boot() {
	local name=$1 extra=${2:-} qemu_rc plan splats line
	say "booting $name (TCG)"
	# A boot with more than 2 vCPUs (on these 2-core machines) runs them all
	# on one host thread (thread=single). Debian's 6.12 with 4 vCPUs, each
	# on its own host thread (QEMU 7.2's default), died at boot in 2 of 60
	# tries with no bootstamps loaded (and, by its pattern, in a CI run):
	# "Oops: int3" in sched_clock_idle_wakeup_event, just after
	# "sched_clock: Marking stable" patched that jump label through int3
	# (text_poke_bp). Another vCPU took the int3 and the kernel did not
	# recognise it as the patcher's: vCPUs racing in multi-threaded TCG
	# over code being rewritten, not a bug of ours. Single-threaded, 180 of
	# 180 such boots passed; with 2 vCPUs, 90 of 90 passed multi-threaded.
	# One thread makes the CPU-bound 2-vCPU boots 2.7 times slower, so they
	# keep a thread per vCPU.
	local tcg=tcg
	[ "${smp:-2}" -le 2 ] || tcg=tcg,thread=single
	case ${BST_TCG_THREAD:-} in
	single | multi) tcg=tcg,thread=$BST_TCG_THREAD ;;
	esac
	local results=(-serial "file:$work/$name.raw")
	[ "$guest_arch" = x86_64 ] ||
		results=(-chardev "file,id=results,path=$work/$name.raw" -device "pci-serial,chardev=results")
	timeout --foreground $limit "${qemu[@]}" \
		-accel $tcg -smp "${smp:-2}" -m $mem \
		-nodefaults -display none -no-reboot -monitor none \
		-serial "file:$work/$name.console" "${results[@]}" \
		-kernel "$imgdir/boot/vmlinuz-$release" -initrd "$work/initrd.gz" \
		-append "console=$console rdinit=/init panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 printk.time=1 initcall_debug log_buf_len=1M $dyndbg $slow $single_path $extra" \
		-device edu -device pci-testdev \
		-drive "file=$work/vblk.img,if=none,id=vb0,format=raw" -device virtio-blk-pci,drive=vb0 \
		-drive "file=$work/nvme.img,if=none,id=nv0,format=raw" -device nvme,serial=bst0001,drive=nv0 \
		-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
		>"$work/$name.qemu" 2>&1
	qemu_rc=$?
	tr -d '\r' <"$work/$name.raw" >"$work/$name.result"
	[ $demo = 1 ] && return
	local before=$((pass + fail + skipped))
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) skipped=$((skipped + 1)); echo "[vm-$label] $line" ;;
		"ok "*) pass=$((pass + 1)); echo "[vm-$label] $line" ;;
		"not ok "*) fail=$((fail + 1)); echo "[vm-$label] $line" ;;
		"# "*) echo "[vm-$label] $line" ;;
		esac
	done <"$work/$name.result"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/$name.result")
	grep -q '^# bootstamps-vm: end$' "$work/$name.result" && [ "${plan:-x}" = $((pass + fail + skipped - before)) ]
	verdict "$name.results_complete" $? "result channel incomplete (plan=${plan:-none}, qemu exit $qemu_rc)"
	[ $qemu_rc != 124 ]
	verdict "$name.no_timeout" $? "qemu timed out"
	splats=$(grep -E 'BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|circular locking|sleeping function called from invalid context|Kernel panic|kmemleak: unreferenced|ODEBUG|list_(add|del) corruption|rcu_.*detected stalls|turning off the locking correctness validator' "$work/$name.console" | head -n 5)
	[ -z "$splats" ]
	verdict "$name.no_splat" $? "console: $(echo "$splats" | head -n 1)"
	grep -q 'reboot: Power down' "$work/$name.console"
	verdict "$name.clean_poweroff" $? "no 'reboot: Power down' on the console"
	if [ $fail -gt 0 ]; then
		echo "[vm-$label] console tail:"
		tail -n 30 "$work/$name.console" | sed "s/^/[vm-$label]   /"
	fi
}

if [ -n "$bench" ]; then
	boot bench "bst.scenario=bench"
	sed -n 's/^bench: //p' "$work/bench.result" >"$work/bench.txt"
	# Overhead: alternate boots without and with bootstamps loaded first.
	for i in $(seq 1 10); do
		for load in 0 1; do
			boot "bootcost-$load-$i" "bst.scenario=bootcost bst.load=$load"
			echo "bootcost_${load} $(sed -n 's/^bench: done_ns //p' "$work/bootcost-$load-$i.result")" >>"$work/bench.txt"
		done
	done
	echo "vm-$label-bench: $pass passed, $fail failed, $skipped skipped"
	[ $fail = 0 ]
	exit
fi

if [ -n "$repro" ]; then
	: >"$work/repro.txt"
	for i in $(seq 1 "$repro"); do
		load=$((i % 2))
		before=$fail
		smp=${BST_SMP:-2} boot "repro-$i" "bst.scenario=repro bst.load=$load"
		first=$(grep -m 1 -E 'BUG:|WARNING:|Oops|general protection|double fault|invalid opcode|Kernel panic' "$work/repro-$i.console")
		if [ $fail = "$before" ]; then
			echo "repro-$i load=$load clean" >>"$work/repro.txt"
			rm -f "$work/repro-$i".*
		else
			echo "repro-$i load=$load crashed: ${first:-no splat line; see repro-$i.console}" >>"$work/repro.txt"
		fi
	done
	echo "vm-$label-repro: $pass passed, $fail failed, $skipped skipped"
	[ $fail = 0 ]
	exit
fi

if [ -n "$ab" ]; then
	for i in $(seq 1 "$ab_boots"); do
		# The image's settings are in its /etc/bst.conf: on the command
		# line they would be one more difference between the images.
		boot "ab-$fixture_version-$i" "bst.scenario=ab ${ab_words//,/ }"
		sed -n 's/^saved: //p' "$work/ab-$fixture_version-$i.result" >"$ab_dir/$fixture_version-$i.bst"
		[ -s "$ab_dir/$fixture_version-$i.bst" ]
		verdict "ab-$fixture_version-$i.capture_saved" $? "no saved capture came back"
	done
	echo "vm-$label-ab-$fixture_version: $pass passed, $fail failed, $skipped skipped"
	[ $fail = 0 ]
	exit
fi

# BST_CYCLES: load/unload cycles under readers and writers in a full
# boot (stress.load_unload_cycles): 20 in make check, where each full
# boot would otherwise spend two minutes on them; tier-2 lanes ask for 100.
boot test "${core:+bst.tier=core} bst.cycles=${BST_CYCLES:-20}"
cp "$work/test.console" "$work/console.log"
sed -n 's/^capture: //p' "$work/test.result" >"$work/capture.txt"
if [ $demo = 1 ]; then
	:
elif [ -n "$core" ]; then
	skipped=$((skipped + 1))
	echo "[vm-$label] ok host.async64 # SKIP core boot: make check boots 4 vCPUs on 5.10, 6.1 cloud-amd64 and 6.12"
else
	# 64 and then 1000 async probes at once, on 4 CPUs.
	smp=4 boot async64 "bst.scenario=async64"
fi

if [ $demo = 1 ]; then
	echo "bootstamps demo: Debian's $release kernel booted under QEMU, bootstamps loaded first,"
	echo "then real drivers probing emulated devices (ENA is bound to QEMU's edu device, so it fails)."
	echo "Raw capture: $work/capture.txt"
	echo
	"$work/reader/bootstamps" show "$work/capture.txt"
	"$work/reader/bootstamps" plot -o "$work/timeline.svg" "$work/capture.txt" &&
		"$work/reader/bootstamps" trace -o "$work/trace.json" "$work/capture.txt" &&
		echo && echo "Timeline drawn in $work/timeline.svg (open it in a browser);" &&
		echo "Perfetto trace in $work/trace.json (open it at ui.perfetto.dev)."
	exit $?
fi

"$work/reader/bootstamps" "$work/capture.txt" >/dev/null 2>"$work/reader.err"
verdict reader_parses_capture $? "$(cat "$work/reader.err")"
echo "vm-$label: $pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
