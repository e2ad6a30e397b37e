#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel under QEMU (TCG) with bootstamps loaded first, real
# drivers bound to emulated devices, and tests/vm/init.sh as PID 1.
#
#   tests/vm/run.sh FLAVOUR [--module KO] [--demo]
#
# FLAVOUR   Debian kernel flavour: cloud-amd64 or amd64
# --module  boot this bootstamps.ko (e.g. the one dkms built) instead of
#           building one from the work tree
# --demo    print the recorded boot timeline instead of the test report
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
while [ $# -gt 0 ]; do
	case $1 in
	--module) module=$2; shift 2 ;;
	--demo) demo=1; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

say() { [ $demo = 1 ] || echo "[vm-$flavour] $*"; }
die() { echo "vm-$flavour: $*" >&2; echo "vm-$flavour: 0 passed, 1 failed, 0 skipped"; exit 1; }

read -r release imgdir < <("$top/tests/lib/kernel.sh" "$flavour") || die "cannot fetch the $flavour kernel"
kdir=/lib/modules/$release/build
work=${BST_WORK:-/tmp/bootstamps-work}/vm-$flavour
rm -rf "$work"
mkdir -p "$work/stage"/{bin,etc,mods,proc,sys,dev,tmp}
log=$work/build.log
say "kernel $release, work dir $work"

# ------------------------------------------------------------ build
build_module() {
	mkdir -p "$work/src"
	cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$work/src/"
	make -C "$kdir" M="$work/src" modules >>"$log" 2>&1 || return 1
	module=$work/src/bootstamps.ko
}
if [ -z "$module" ]; then
	build_module || die "building bootstamps.ko failed (see $log)"
fi
[ -f "$module" ] || die "no module at $module"
cp -r "$top/tests/fixtures" "$work/fixture"
make -C "$kdir" M="$work/fixture" modules >>"$log" 2>&1 || die "building the fixture failed (see $log)"
make -C "$top/userspace" OBJDIR="$work/reader" STATIC=1 >>"$log" 2>&1 || die "building the reader failed (see $log)"
gcc -static -O2 -Wall -Wextra -Werror -o "$work/stage/bin/bst-vmtool" "$top/tests/vm/bst-vmtool.c" >>"$log" 2>&1 ||
	die "building bst-vmtool failed (see $log)"
ln -s bst-vmtool "$work/stage/bin/bst-sleep"

# ------------------------------------------------------------ initramfs
stage=$work/stage
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
cp "$work/reader/bootstamps" "$stage/bin/bootstamps"
cp "$top/tests/vm/init.sh" "$stage/init"
chmod 755 "$stage/init"
cp "$module" "$stage/mods/bootstamps.ko"
cp "$work/fixture/bst_fixture.ko" "$stage/mods/"

# Driver modules from the kernel package, with dependencies in load order.
mods=(virtio_blk virtio_net virtio_pci ena)
is_module() { modprobe -d "$imgdir" -S "$release" --show-depends "$1" 2>/dev/null | grep -q '^insmod'; }
nvme_is_module=0
ext4_module=
if is_module nvme; then
	nvme_is_module=1
	mods+=(nvme)
fi
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
		name=${file%.ko}
		cp "$path" "$stage/mods/$file"
		echo "${name//-/_} $file" >>"$stage/mods/$m.deps"
	done <"$work/deps.txt"
done

modfield() { modinfo -F "$2" "$1" 2>/dev/null; }
cat >"$stage/etc/bst.conf" <<EOF
BST_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
BST_SRCVERSION=$(modfield "$module" srcversion)
FIXTURE_SRCVERSION=$(modfield "$work/fixture/bst_fixture.ko" srcversion)
ENA_VERSION=$(modfield "$stage/mods/ena.ko" version)
ENA_SRCVERSION=$(modfield "$stage/mods/ena.ko" srcversion)
NVME_IS_MODULE=$nvme_is_module
EXT4_MODULE=$ext4_module
EOF
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initrd.gz" || die "cpio failed"

# The real root: the same tree as an ext4 image on virtio-blk, where the
# same script runs as /sbin/init in its second stage. Made without
# mounting anything on the host.
cp -a "$stage" "$work/rootfs"
mkdir -p "$work/rootfs/sbin" "$work/rootfs/newroot"
cp "$top/tests/vm/init.sh" "$work/rootfs/sbin/init"
touch "$work/rootfs/etc/bst-stage2"
mke2fs -q -t ext4 -d "$work/rootfs" "$work/vblk.img" 64M >>"$log" 2>&1 || die "mke2fs failed (see $log)"
# The nvme disk carries two partitions, so the scan has something to find.
truncate -s 16M "$work/nvme.img"
printf 'label: dos\n,4M\n,4M\n' | sfdisk -q "$work/nvme.img" >>"$log" 2>&1 || die "sfdisk failed (see $log)"

# ------------------------------------------------------------ boot
say "booting (TCG)"
timeout --foreground 600 qemu-system-x86_64 \
	-accel tcg -cpu max -M q35 -smp 2 -m 512M \
	-nodefaults -display none -no-reboot -monitor none \
	-serial "file:$work/console.log" -serial "file:$work/result.raw" \
	-kernel "$imgdir/boot/vmlinuz-$release" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 rdinit=/init panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 printk.time=1 initcall_debug log_buf_len=1M" \
	-device edu -device pci-testdev \
	-drive "file=$work/vblk.img,if=none,id=vb0,format=raw" -device virtio-blk-pci,drive=vb0 \
	-drive "file=$work/nvme.img,if=none,id=nv0,format=raw" -device nvme,serial=bst0001,drive=nv0 \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
	>"$work/qemu.log" 2>&1
qemu_rc=$?

# ------------------------------------------------------------ judge
tr -d '\r' <"$work/result.raw" >"$work/result.txt"
sed -n 's/^capture: //p' "$work/result.txt" >"$work/capture.txt"

if [ $demo = 1 ]; then
	echo "bootstamps demo: Debian's $release kernel booted under QEMU, bootstamps loaded first,"
	echo "then real drivers probing emulated devices (ENA is bound to QEMU's edu device, so it fails)."
	echo "Raw capture: $work/capture.txt"
	echo
	echo "Slowest driver probes:"
	"$work/reader/bootstamps" --slowest 5 "$work/capture.txt" &&
		echo && "$work/reader/bootstamps" "$work/capture.txt"
	exit $?
fi

pass=0 fail=0 skipped=0
while IFS= read -r line; do
	case $line in
	"ok "*"# SKIP"*) skipped=$((skipped + 1)); echo "[vm-$flavour] $line" ;;
	"ok "*) pass=$((pass + 1)); echo "[vm-$flavour] $line" ;;
	"not ok "*) fail=$((fail + 1)); echo "[vm-$flavour] $line" ;;
	"# "*) echo "[vm-$flavour] $line" ;;
	esac
done <"$work/result.txt"

# host-level verdicts, each counted as a case
verdict() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "[vm-$flavour] ok host.$1"
	else
		fail=$((fail + 1)); echo "[vm-$flavour] not ok host.$1 # $3"
	fi
}
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/result.txt")
grep -q '^# bootstamps-vm: end$' "$work/result.txt" && [ "${plan:-x}" = $((pass + fail + skipped)) ]
verdict results_complete $? "result channel incomplete (plan=${plan:-none}, qemu exit $qemu_rc)"
[ $qemu_rc != 124 ]
verdict no_timeout $? "qemu timed out"
splats=$(grep -E 'BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|circular locking|sleeping function called from invalid context|Kernel panic' "$work/console.log" | head -n 5)
[ -z "$splats" ]
verdict no_splat $? "console: $(echo "$splats" | head -n 1)"
grep -q 'reboot: Power down' "$work/console.log"
verdict clean_poweroff $? "no 'reboot: Power down' on the console"
"$work/reader/bootstamps" "$work/capture.txt" >/dev/null 2>"$work/reader.err"
verdict reader_parses_capture $? "$(cat "$work/reader.err")"

if [ $fail -gt 0 ]; then
	echo "[vm-$flavour] console tail:"
	tail -n 30 "$work/console.log" | sed "s/^/[vm-$flavour]   /"
fi
echo "vm-$flavour: $pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
