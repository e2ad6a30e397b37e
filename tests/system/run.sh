#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-system`: bootstamps installed with `make install` into a real
# Debian bookworm system and booted, the way an operator would have it.
#
#   initramfs-tools lane: install (twice: idempotent), install a newer
#     version over it, check modprobe's soft dependencies, boot, boot
#     again (two captures, compare), upgrade to bookworm-backports' kernel,
#     its headers only later (dkms builds for it, its initramfs is
#     regenerated with the module), boot that kernel with the archive
#     bounded to 2 boots, uninstall with two kernels installed.
#   dracut lane: swap the generator for dracut, install, boot, uninstall
#     (twice), check every installed file is gone, boot without bootstamps;
#     install again, the same kernel upgrade, boot that kernel.
#
# Each boot: root on an nvme disk, virtio-net with QEMU's user network
# (DHCP), the image's own kernel and initramfs, systemd as init, TCG. The
# guest reports on its second serial port (tests/system/guest/bst-report).
# Fails closed: a kernel splat, a bad taint, a failed unit, a missing
# report or a timeout fails the run.
#   tests/system/run.sh [--core] [LANE...]     lanes: initramfs-tools dracut
# --core: what make check runs, one install and boot per generator (and
# dracut's uninstall); the new version over the old, the second boot, the
# kernel upgrades and the boot after uninstall are make check-system's.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}/system
core=
[ "${1:-}" != --core ] || { core=1; shift; }
lanes=${*:-initramfs-tools dracut}
pass=0 fail=0 skip=0

say() { echo "[system] $*"; }
verdict() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "[system] ok $1"
	else
		fail=$((fail + 1)); echo "[system] not ok $1 # $3"
	fi
}
skipped() {
	skip=$((skip + 1)); echo "[system] skip $1 # $2"
}
finish() {
	echo "system: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit
}
die() { verdict "$1" 1 "$2"; finish; }

mkdir -p "$work"
# The pinned QEMU (tests/lib/qemu.sh), as in every VM lane.
read -ra qemu < <("$top/tests/lib/qemu.sh" x86_64) || die setup.qemu "cannot provide QEMU"
cache=$("$top/tests/system/rootfs.sh") || die setup.rootfs "building the bookworm root filesystem failed"
say "root filesystem cache: $cache"

mounted=()
unmount_all() {
	local m
	for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null; done
	mounted=()
}
trap unmount_all EXIT

# in_root ROOT CMD...: run in the chroot with /proc, /sys and /dev, which
# are unmounted again so no image ever contains them.
in_root() {
	local root=$1 m rc
	shift
	for m in proc sys dev; do
		mount --bind "/$m" "$root/$m" && mounted+=("$root/$m")
	done
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive "$@"
	rc=$?
	unmount_all
	return $rc
}

# The files of a root, excluding what the system itself churns.
file_list() {
	(cd "$1" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
		-o -path ./tmp -o -path ./var/log -o -path ./var/cache -o -path ./var/lib/bootstamps \) \
		-prune -o -printf '%y %p\n' | sort)
}

# prepare LANE: a fresh copy of the cached root with the guest's test
# plumbing (report unit, DHCP) and the project's sources in /tmp.
prepare() {
	local d=$work/$1
	rm -rf "$d"
	[ ! -e "$d" ] || return 1
	mkdir -p "$d/root"
	root=$d/root
	cp -a "$cache/rootfs/." "$root/" || return 1
	install -m 755 "$top/tests/system/guest/bst-report" "$root/usr/local/sbin/bst-report"
	install -m 644 "$top/tests/system/guest/bst-report.service" "$root/etc/systemd/system/"
	install -m 644 "$top/tests/system/guest/20-dhcp.network" "$root/etc/systemd/network/"
	in_root "$root" systemctl enable -q bst-report.service systemd-networkd.service || return 1
	# An operator's setting: the boot's Prometheus series into
	# node_exporter's textfile directory (Debian's default one).
	mkdir -p "$root/var/lib/prometheus/node-exporter"
	echo 'BOOTSTAMPS_PROM_DIR=/var/lib/prometheus/node-exporter' >"$root/etc/default/bootstamps"
	mkdir -p "$root/tmp/bootstamps"
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$root/tmp/bootstamps")
	else
		(cd "$top" && tar --exclude=.git -cf - .) | tar -C "$root/tmp/bootstamps" -xf -
	fi
}

image() {
	rm -f "$img"
	truncate -s 4G "$img"
	mke2fs -q -F -t ext4 -d "$root" "$img"
}

# TCG runs the guest many times slower than hardware. Once, udev loading
# kvm spent 26 s in clear_page_erms (rep stosb) for a module's BTF, no
# bootstamps code on the stack, and tripped the 20 s soft-lockup watchdog.
# Stall and lockup detectors stay on, with limits six times the default: a
# real hang still trips them, and a hang past them the 900 s timeout.
# no_timer_check: the kernel's timer-interrupt check counts loops against
# the guest's clock and can give up on a busy host (tests/vm/run.sh).
slow_cpu="rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=60 no_timer_check"

# boot NAME KERNELRELEASE: boot the image; leaves NAME.console and
# NAME.report (the guest's report) in the lane directory.
boot() {
	local name=$1 kver=$2 splats
	say "booting $name: $kver (TCG)"
	timeout --foreground 900 "${qemu[@]}" \
		-accel tcg -cpu max -smp 2 -m 2048 \
		-nodefaults -display none -no-reboot -monitor none \
		-serial "file:$d/$name.console" -serial "file:$d/$name.raw" \
		-kernel "$root/boot/vmlinuz-$kver" -initrd "$root/boot/initrd.img-$kver" \
		-append "root=/dev/nvme0n1 rw console=ttyS0,115200 panic=-1 $slow_cpu" \
		-drive "file=$img,if=none,id=rootdisk,format=raw" -device nvme,drive=rootdisk,serial=bstroot \
		-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
		>"$d/$name.qemu" 2>&1
	verdict "$name.no_timeout" $? "qemu failed or timed out: $(tail -n 2 "$d/$name.qemu")"
	# A serial line ends in CR LF.
	tr -d '\r' <"$d/$name.raw" >"$d/$name.report"
	splats=$(grep -E 'BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|circular locking|sleeping function called from invalid context|Kernel panic' "$d/$name.console" | head -n 3)
	[ -z "$splats" ]
	verdict "$name.no_splat" $? "console: $(echo "$splats" | head -n 1)"
	grep -q '^@@ end' "$d/$name.report"
	verdict "$name.report" $? "no complete report on the second serial port (see $d/$name.console)"
	# Sections of the report, one file each.
	awk -v dir="$d/$name" '/^@@ [a-z-]+$/ { f = dir "." $2; printf "" >f; next } f { print >f }' \
		"$d/$name.report"
	grep -q "^@@ kernel $kver\$" "$d/$name.report"
	verdict "$name.kernel" $? "the guest did not run $kver"
	local taint
	taint=$(sed -n 's/^@@ tainted //p' "$d/$name.report")
	# Out-of-tree (O, 4096) and unsigned/untrusted-signed (E, 8192) are what
	# a dkms module costs; anything else is a finding.
	[ -n "$taint" ] && [ $((taint & ~(4096 | 8192))) = 0 ]
	verdict "$name.taint" $? "tainted=$taint"
	[ ! -s "$d/$name.failed-units" ]
	verdict "$name.no_failed_units" $? "$(head -n 3 "$d/$name.failed-units" 2>/dev/null | tr '\n' ';')"
	[ ! -s "$d/$name.journal" ]
	verdict "$name.no_bootstamps_warnings" $? "$(head -n 2 "$d/$name.journal" 2>/dev/null | tr '\n' ';')"
}

# Event lines of a boot's /proc/bootstamps, as "time name subject keys...".
events() { awk '!/^#/ && NF >= 3 { $1 = ""; print substr($0, 2) }' "$d/$1.proc"; }
# The regex goes through the environment: awk -v would take its
# backslashes as escapes.
first_time() { events "$1" | re=$2 awk '$0 ~ ENVIRON["re"] { print $1; exit }'; }
# has_event NAME REGEX: whether a boot recorded a matching event. Reads to
# the end: `| grep -q` exits at the first match, and under pipefail the
# writer's SIGPIPE then fails the test (it did, on a cold-cache run).
has_event() { events "$1" | re=$2 awk '$0 ~ ENVIRON["re"] { found = 1 } END { exit !found }'; }
# header NAME KEY: a header value of a boot's /proc/bootstamps.
header() { awk -v k="$2" '/^# / { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' "$d/$1.proc"; }
# boot_id NAME: the boot_id the guest reported for that boot.
boot_id() { sed -n 's/^@@ boot_id //p' "$d/$1.report"; }

# judge_boot NAME KERNELRELEASE: bootstamps recorded this boot from the start.
judge_boot() {
	local name=$1 kver=$2 self t m drv ti tr tu bid
	grep -q '^bootstamps ' "$d/$name.module"
	verdict "$name.module_loaded" $? "bootstamps is not in /proc/modules"
	grep -q '^# bootstamps ' "$d/$name.proc"
	verdict "$name.proc_bootstamps" $? "no /proc/bootstamps"
	self=$(first_time "$name" '^[0-9.]+ module\.live bootstamps .*self=1')
	[ -n "$self" ]
	verdict "$name.self_load_recorded" $? "no module.live for bootstamps itself"
	# Loaded before each of the drivers udev loads from the initramfs. A
	# driver built into this kernel probes before any module can load:
	# there is no load to come first and no probe span to see.
	for m in nvme virtio_pci virtio_net; do
		drv=$m
		[ $m = virtio_pci ] && drv=virtio-pci
		if grep -q "/$m\.ko" "$root/lib/modules/$kver/modules.builtin"; then
			skipped "$name.loaded_before_$m" "$m is built into $kver"
			skipped "$name.probe_span_$drv" "$m is built into $kver: it probes before any module loads"
			continue
		fi
		t=$(first_time "$name" "^[0-9.]+ module\\.coming $m ")
		[ -n "$t" ] && [ -n "$self" ] && awk -v a="$self" -v b="$t" 'BEGIN { exit !(a < b) }'
		verdict "$name.loaded_before_$m" $? "bootstamps live at ${self:-?}, $m coming at ${t:-never seen}"
		has_event "$name" "^[0-9.]+ probe\\.end [^ ]+ driver=$drv .*rc=0 "
		verdict "$name.probe_span_$drv" $? "no successful probe.end of $drv"
	done
	has_event "$name" '^[0-9.]+ disk\.partitions nvme0n1 '
	verdict "$name.disk_nvme0n1" $? "no disk.partitions for nvme0n1"
	# nvme0n1 is native multipath's head here: it takes bios, and its
	# requests (and their completions) are the hidden path disk's.
	has_event "$name" '^[0-9.]+ disk\.first_io nvme0n1 rc=0 '
	verdict "$name.disk_first_io_nvme0n1" $? "no disk.first_io for nvme0n1"
	has_event "$name" '^[0-9.]+ net\.ipv4 '
	verdict "$name.net_ipv4" $? "no net.ipv4 (DHCP address) event"
	ti=$(first_time "$name" '^[0-9.]+ init\.exec .*path=/init .*phase=initramfs')
	tr=$(first_time "$name" '^[0-9.]+ init\.exec .*path=(/usr)?(/sbin/init|/lib/systemd/systemd) .*phase=root')
	[ -n "$ti" ] && [ -n "$tr" ] && awk -v a="$ti" -v b="$tr" 'BEGIN { exit !(a < b) }'
	verdict "$name.init_exec_initramfs_then_systemd" $? "initramfs /init at ${ti:-never}, systemd at ${tr:-never}"
	# Loaded before udev itself: the initramfs's systemd-udevd is seen
	# starting (bootstamps records execs only once loaded), after
	# bootstamps and before the switch to the root.
	tu=$(first_time "$name" '^[0-9.]+ exec systemd-udevd ')
	[ -n "$self" ] && [ -n "$tu" ] && [ -n "$tr" ] && awk -v a="$self" -v b="$tu" -v c="$tr" 'BEGIN { exit !(a < b && b < c) }'
	verdict "$name.loaded_before_udevd" $? "bootstamps live at ${self:-?}, the first systemd-udevd at ${tu:-never seen}, the root's init at ${tr:-never}"
	has_event "$name" '^[0-9.]+ root\.mount '
	verdict "$name.root_mount" $? "no root.mount"
	has_event "$name" '^[0-9.]+ mark boot-done '
	verdict "$name.boot_done_marker" $? "bootstamps-save.service did not mark boot-done"
	# The boot window: every program systemd started for the boot is
	# recorded, named in track= or not (systemd-sysctl runs from its unit,
	# in the initramfs and again from the root); boot-done closed it; the
	# report the guest runs after that (bst-report, untracked) is not.
	has_event "$name" '^[0-9.]+ exec systemd-sysctl .*path=[^ ]*/systemd-sysctl '
	verdict "$name.window_every_unit_program" $? "no exec of systemd-sysctl (window=$(header "$name" window), $(header "$name" window_execs) execs recorded)"
	local closed marked
	closed=$(header "$name" window_closed_at)
	marked=$(first_time "$name" '^[0-9.]+ mark boot-done ')
	[ "$(header "$name" window_closed_by)" = boot-done ] && [ -n "$closed" ] && [ -n "$marked" ] &&
		awk -v a="$marked" -v b="$closed" 'BEGIN { exit !(a <= b) }'
	verdict "$name.window_closed_by_boot_done" $? "window=$(header "$name" window) closed_by=$(header "$name" window_closed_by) at ${closed:-?}, boot-done marked at ${marked:-never}"
	! has_event "$name" '^[0-9.]+ exec bst-report '
	verdict "$name.window_nothing_after_close" $? "bst-report, run after boot-done and not tracked, was recorded"
	# systemd's units, imported by bootstamps-save into the archived
	# capture, on the same clock as the kernel's events: the unit that runs
	# systemd-sysctl ends after its program's exec, and the DHCP address
	# the network comes after systemd-networkd's unit started: two sources,
	# one clock.
	local units sysctl_exec sysctl_end networkd ipv4
	units=$(awk '/^# units / { for (i = 3; i <= NF; i++) if ($i ~ /^units=/) print substr($i, 7) }' "$d/$name.saved")
	[ "${units:-0}" -gt 0 ] && grep -q '^# units units_source=systemctl ' "$d/$name.saved"
	say "$name: units imported: ${units:-none}, systemctl show took $(grep -o 'units_fetch_ms=[0-9]*' "$d/$name.saved" | cut -d= -f2) ms"
	verdict "$name.units_imported" $? "the saved capture's units line: $(grep '^# units' "$d/$name.saved" || echo none); bootstamps-save said: $(grep -i units "$d/$name.save-log" | head -n 2 | tr '\n' ' ')"
	sysctl_exec=$(awk '$3 == "exec" && $4 == "systemd-sysctl" { print $2; exit }' "$d/$name.saved")
	sysctl_end=$(awk '$3 == "unit.end" && $4 == "systemd-sysctl.service" { print $2; exit }' "$d/$name.saved")
	[ -n "$sysctl_exec" ] && [ -n "$sysctl_end" ] && awk -v a="$sysctl_exec" -v b="$sysctl_end" 'BEGIN { exit !(a < b) }'
	verdict "$name.unit_after_its_program" $? "systemd-sysctl exec'd at ${sysctl_exec:-never}, its unit ended at ${sysctl_end:-never}"
	networkd=$(awk '$3 == "unit.start" && $4 == "systemd-networkd.service" { print $2; exit }' "$d/$name.saved")
	# The address from /proc/bootstamps as bst-report read it: DHCP may
	# answer after bootstamps-save archived the boot (it did, once).
	ipv4=$(first_time "$name" '^[0-9.]+ net\.ipv4 ')
	[ -n "$networkd" ] && [ -n "$ipv4" ] && awk -v a="$networkd" -v b="$ipv4" 'BEGIN { exit !(a < b) }'
	verdict "$name.unit_before_the_address_it_gives" $? "systemd-networkd.service started at ${networkd:-never}, net.ipv4 at ${ipv4:-never}"
	# The textfile bootstamps-save wrote is the archived capture's series:
	# the same as the host's reader makes of that capture.
	local prom_diff
	prom_diff=$("$work/reader-build/bootstamps" prom "$d/$name.saved" 2>&1 | diff - "$d/$name.prom" | head -n 2 | tr '\n' ' ')
	[ -s "$d/$name.prom" ] && grep -q '^bootstamps_driver_probe_seconds{driver="nvme"' "$d/$name.prom" && [ -z "$prom_diff" ]
	verdict "$name.prom_textfile_written" $? "$(wc -l <"$d/$name.prom") lines in node_exporter's textfile; against the host's 'bootstamps prom': ${prom_diff:-same}"
	bid=$(boot_id "$name")
	grep -qE 'Result=success .*ExecMainStatus=0 .*ConditionResult=yes|ExecMainStatus=0 .*Result=success' "$d/$name.report" &&
		grep -qx "$bid.bst" "$d/$name.captures"
	verdict "$name.saved_by_boot_id" $? "bootstamps-save: $(sed -n 's/^@@ save //p' "$d/$name.report"); captures: $(tr '\n' ' ' <"$d/$name.captures")"
}

# The bootstamps captures the guest left in the image, copied back into
# the root directory (the next image is made from it).
restore_captures() {
	rm -rf "$d/restore"
	mkdir -p "$d/restore"
	debugfs -R "rdump /var/lib/bootstamps $d/restore" "$img" >/dev/null 2>&1
	mkdir -p "$root/var/lib/bootstamps"
	cp -p "$d/restore/bootstamps/"*.bst "$root/var/lib/bootstamps/" 2>/dev/null
}

# make_in_root TARGET NAME: `make TARGET` in the chroot, as an operator would.
make_in_root() {
	in_root "$root" make -C /tmp/bootstamps "$1" >"$d/$2.log" 2>&1
	verdict "$2" $? "make $1 failed: $(grep -m 1 'error' "$d/$2.log")"
}

# check_softdeps NAME KERNELRELEASE: modprobe, which udev's driver loading
# goes through, loads bootstamps before each driver dist/modprobe.conf
# names. Before the driver's own module, that is: the libraries it needs
# (virtio, crc-t10dif, libata) come first whatever the soft dependency
# says, and they probe no device. Asked of the installed configuration and
# the kernel's own module index, so a misspelt or missing driver name
# fails too. A driver built into the kernel has no load to precede (listed,
# not failed).
check_softdeps() {
	local name=$1 k=$2 drivers drv lines at_self at_own n=0 bad="" builtin=""
	drivers=$(sed -n 's/^softdep \([^ ]*\) pre: bootstamps$/\1/p' "$top/dist/modprobe.conf")
	# shellcheck disable=SC2016,SC2086
	in_root "$root" sh -c 'k=$1; shift; for d; do modprobe -S "$k" --show-depends "$d" 2>&1 | sed "s/^/$d /"; done' \
		sh "$k" $drivers >"$d/$name.show-depends"
	for drv in $drivers; do
		lines=$(sed -n "s/^$drv //p" "$d/$name.show-depends")
		# Built in: modprobe still lists the soft dependency, then
		# "builtin DRIVER".
		if grep -q "^builtin $drv\$" <<<"$lines"; then
			builtin="$builtin $drv"
			continue
		fi
		# Line numbers of bootstamps and of the driver itself (module
		# file names may spell _ as -).
		at_self=$(awk '$1 == "insmod" && $2 ~ /\/bootstamps\.ko/ { print NR; exit }' <<<"$lines")
		at_own=$(want=$drv awk '$1 == "insmod" { f = $2; sub(/.*\//, "", f); sub(/\.ko.*/, "", f); gsub(/-/, "_", f)
			if (f == ENVIRON["want"]) { print NR; exit } }' <<<"$lines")
		if [ -n "$at_self" ] && [ -n "$at_own" ] && [ "$at_self" -lt "$at_own" ]; then
			n=$((n + 1))
		else
			bad="$bad $drv: $(head -n 1 <<<"$lines")...;"
		fi
	done
	[ -z "$bad" ] && [ "$n" -gt 0 ]
	verdict "$name" $? "bootstamps is not loaded before:$bad"
	say "$name: bootstamps loads before $n drivers; built into $k:${builtin:- none}"
}

# upgrade_kernel PREFIX LISTER OLD: the next kernel (bookworm-backports')
# arrives as packages and nothing else is run. The kernel first and its
# headers in a later apt run, the harder order: the kernel's initramfs is
# made before dkms can build, and dkms's POST_INSTALL must regenerate it
# once the headers arrive. LISTER (lsinitramfs, lsinitrd) lists an image;
# OLD is the release installed so far. Sets k2 to the new kernel's release;
# fails if there is none.
upgrade_kernel() {
	local p=$1 lister=$2 old=$3 image_pkg
	cp "$cache/debs-upgrade/"*.deb "$root/var/cache/apt/archives/"
	# The kernel's own package: its metapackage would bring the headers'
	# metapackage along.
	image_pkg=$(cd "$cache/debs-upgrade" && ls linux-image-[0-9]*.deb | head -n 1 | cut -d_ -f1)
	in_root "$root" apt-get install -y -q --no-install-recommends --no-download \
		"$image_pkg" >"$d/$p.upgrade.log" 2>&1
	verdict "$p.upgrade_kernel" $? "installing the new kernel failed: $(tail -n 3 "$d/$p.upgrade.log" | tr '\n' ';')"
	k2=$(ls "$root/lib/modules" | sort -V | tail -n 1)
	[ "$k2" != "$old" ] || { verdict "$p.upgrade_kernel_release" 1 "no newer kernel in /lib/modules"; return 1; }
	[ -e "$root/boot/initrd.img-$k2" ] && ! ls "$root/lib/modules/$k2/updates/dkms/"bootstamps.ko* >/dev/null 2>&1
	verdict "$p.upgrade_initramfs_before_headers" $? "expected $k2's initramfs and no module before its headers"
	in_root "$root" apt-get install -y -q --no-install-recommends --no-download \
		-t bookworm-backports linux-image-amd64 linux-headers-amd64 >"$d/$p.upgrade-headers.log" 2>&1 &&
		in_root "$root" apt-get clean
	verdict "$p.upgrade_headers" $? "installing the new headers failed: $(tail -n 3 "$d/$p.upgrade-headers.log" | tr '\n' ';')"
	ls "$root/lib/modules/$k2/updates/dkms/"bootstamps.ko* >/dev/null 2>&1
	verdict "$p.upgrade_dkms_built" $? "dkms did not build bootstamps for $k2 (see $d/$p.upgrade-headers.log)"
	grep -q "bootstamps: regenerating the initramfs of $k2" "$d/$p.upgrade-headers.log" &&
		in_root "$root" "$lister" "/boot/initrd.img-$k2" >"$d/initrd-$k2.list" 2>&1 &&
		grep -q '/bootstamps\.ko' "$d/initrd-$k2.list"
	verdict "$p.upgrade_initramfs_has_module" $? "dkms-post-install did not regenerate initrd.img-$k2 with bootstamps.ko in it"
}

lane_initramfs_tools() {
	local k1 k2 v_old v_new
	d=$work/initramfs-tools
	say "lane initramfs-tools"
	prepare initramfs-tools || die itools.prepare "copying the root failed"
	img=$d/disk.img
	k1=$(ls "$root/lib/modules" | sort -V | tail -n 1)
	# Not root: refused before anything is touched, and says why.
	file_list "$root" >"$d/before-install.list"
	chroot --userspec=65534:65534 "$root" env -i PATH=/usr/bin:/bin make -C /tmp/bootstamps install \
		>"$d/itools.install_unprivileged.log" 2>&1
	[ $? != 0 ] && grep -q 'must run as root' "$d/itools.install_unprivileged.log" &&
		file_list "$root" | cmp -s - "$d/before-install.list"
	verdict itools.install_unprivileged_refused $? "$(tail -n 1 "$d/itools.install_unprivileged.log")"
	make_in_root install itools.install
	make_in_root install itools.install_again
	grep -q 'unchanged /lib/modprobe.d/bootstamps.conf' "$d/itools.install_again.log" &&
		grep -q "$k1: module already installed" "$d/itools.install_again.log" &&
		! grep -qE 'installed /|added bootstamps' "$d/itools.install_again.log"
	verdict itools.install_idempotent $? "the second install changed something: $(grep -E 'installed /|added' "$d/itools.install_again.log" | head -n 2 | tr '\n' ';')"

	if [ -z "$core" ]; then
		# Not in a core run: the next bootstamps release rolled out over this one, as an operator
		# updates a fleet's image: `make install` from newer sources replaces
		# the old version in dkms and in the initramfs; boot1 must run it.
		v_old=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/tmp/bootstamps/dkms.conf")
		v_new=$v_old.1
		sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$v_new\"/" "$root/tmp/bootstamps/dkms.conf"
		make_in_root install itools.install_new_version
		in_root "$root" dkms status -m bootstamps >"$d/dkms-status-new-version" 2>&1
		grep -q "removed bootstamps $v_old from dkms" "$d/itools.install_new_version.log" &&
			grep -q "added bootstamps $v_new to dkms" "$d/itools.install_new_version.log" &&
			grep -q "bootstamps/$v_new, $k1, .*: installed" "$d/dkms-status-new-version" &&
			! grep -q "${v_old}[,:]" "$d/dkms-status-new-version" && [ ! -e "$root/usr/src/bootstamps-$v_old" ] &&
			[ "$(in_root "$root" modinfo -k "$k1" -F version bootstamps)" = "$v_new" ]
		verdict itools.new_version_replaces_old $? "dkms status: $(tr '\n' ';' <"$d/dkms-status-new-version")"
	fi
	check_softdeps itools.softdeps_load_bootstamps_first "$k1"
	in_root "$root" lsinitramfs "/boot/initrd.img-$k1" >"$d/initrd-$k1.list" 2>&1
	grep -q '/bootstamps\.ko' "$d/initrd-$k1.list" && grep -q 'modprobe.d/bootstamps.conf' "$d/initrd-$k1.list" &&
		grep -q 'scripts/init-top/bootstamps' "$d/initrd-$k1.list"
	verdict itools.initramfs_contents $? "initrd.img-$k1 lacks the module, the soft dependencies or the init-top script"

	image || die itools.image "mke2fs -d failed"
	boot itools.boot1 "$k1"
	judge_boot itools.boot1 "$k1"
	if [ -n "$core" ]; then
		skipped itools.upgrades "core run: a newer version over this one, a second boot, the kernel upgrade and uninstall are make check-system's"
		return
	fi
	grep -q "^# module_version=$v_new " "$d/itools.boot1.proc"
	verdict itools.boot1.new_version_loaded $? "$(grep -m 1 '^# module_version' "$d/itools.boot1.proc")"
	boot itools.boot2 "$k1"
	judge_boot itools.boot2 "$k1"
	[ "$(grep -c '\.bst$' "$d/itools.boot2.captures")" = 2 ]
	verdict itools.two_boots_two_captures $? "captures after two boots: $(tr '\n' ' ' <"$d/itools.boot2.captures")"
	grep -q '^@@ compare-rc 0$' "$d/itools.boot2.report" && [ -s "$d/itools.boot2.compare" ]
	verdict itools.compare_two_boots $? "bootstamps compare over the two captures failed: $(head -n 2 "$d/itools.boot2.compare" | tr '\n' ';')"

	restore_captures
	upgrade_kernel itools lsinitramfs "$k1" || return
	# The operator bounds the archive to 2 boots (docs/install.md): this
	# boot's save deletes boot1's capture, the oldest of 3.
	echo 'BOOTSTAMPS_SAVE_OPTS="--keep 2"' >>"$root/etc/default/bootstamps"
	image || die itools.image "mke2fs -d failed"
	boot itools.boot_upgraded "$k2"
	judge_boot itools.boot_upgraded "$k2"
	local id1 id2 id3
	id1=$(boot_id itools.boot1)
	id2=$(boot_id itools.boot2)
	id3=$(boot_id itools.boot_upgraded)
	[ "$(sort "$d/itools.boot_upgraded.captures" | tr '\n' ' ')" = "$(printf '%s.bst\n' "$id2" "$id3" | sort | tr '\n' ' ')" ]
	verdict itools.save_keep_2_deletes_oldest $? "expected the captures of boot2 and this boot (not boot1's $id1), found: $(tr '\n' ' ' <"$d/itools.boot_upgraded.captures")"
	grep -q '^@@ compare-rc 0$' "$d/itools.boot_upgraded.report"
	verdict itools.compare_across_kernels $? "no compare of $k1 against $k2: $(head -n 2 "$d/itools.boot_upgraded.compare" | tr '\n' ';')"
	check_softdeps itools.upgrade_softdeps_load_bootstamps_first "$k2"

	# Uninstall with two kernels installed: the module leaves both, and
	# both initramfs images are regenerated without it.
	restore_captures
	make_in_root uninstall itools.uninstall
	grep -q 'kept /etc/default/bootstamps' "$d/itools.uninstall.log"
	verdict itools.uninstall_keeps_settings $? "the operator's /etc/default/bootstamps was not reported kept"
	local left k
	left=$(file_list "$root" | grep -i bootstamps | grep -vx 'f ./etc/default/bootstamps')
	[ -z "$left" ]
	verdict itools.uninstall_leaves_no_file $? "still there: $(echo "$left" | head -n 3 | tr '\n' ';')"
	for k in "$k1" "$k2"; do
		in_root "$root" lsinitramfs "/boot/initrd.img-$k" >"$d/initrd-$k-after.list" 2>&1 &&
			! grep -q bootstamps "$d/initrd-$k-after.list"
		verdict "itools.uninstall_initramfs_clean_$k" $? "initrd.img-$k still has bootstamps, or lsinitramfs failed"
	done
	local known
	known=$(in_root "$root" dkms status -m bootstamps 2>&1)
	[ -z "$known" ]
	verdict itools.uninstall_dkms_forgets $? "dkms still knows bootstamps: $(echo "$known" | head -n 2 | tr '\n' ';')"
}

lane_dracut() {
	local k k2
	d=$work/dracut
	say "lane dracut"
	prepare dracut || die dracut.prepare "copying the root failed"
	img=$d/disk.img
	k=$(ls "$root/lib/modules" | sort -V | tail -n 1)
	cp "$cache/debs-dracut/"*.deb "$root/var/cache/apt/archives/"
	# A generic image, as cloud images are built: hostonly would size the
	# initramfs for the machine building it.
	mkdir -p "$root/etc/dracut.conf.d"
	echo 'hostonly="no"' >"$root/etc/dracut.conf.d/10-bootstamps-test.conf"
	in_root "$root" apt-get install -y -q --no-install-recommends --no-download dracut >"$d/dracut-install.log" 2>&1 &&
		in_root "$root" apt-get clean
	verdict dracut.switch_generator $? "installing dracut failed: $(tail -n 3 "$d/dracut-install.log" | tr '\n' ';')"
	# initramfs-tools-core (mkinitramfs) stays behind, as on a real system
	# switched to dracut; update-initramfs goes.
	[ ! -e "$root/usr/sbin/update-initramfs" ]
	verdict dracut.initramfs_tools_removed $? "initramfs-tools is still installed"
	file_list "$root" >"$d/before-install.list"

	make_in_root install dracut.install
	grep -q "regenerated /boot/initrd.img-$k (dracut)" "$d/dracut.install.log"
	verdict dracut.install_used_dracut $? "make install did not regenerate with dracut"
	in_root "$root" lsinitrd "/boot/initrd.img-$k" >"$d/initrd.list" 2>&1
	grep -q '/bootstamps\.ko' "$d/initrd.list" && grep -q 'etc/cmdline.d/90bootstamps.conf' "$d/initrd.list"
	verdict dracut.initramfs_contents $? "the dracut image lacks bootstamps.ko or its rd.driver.pre"

	image || die dracut.image "mke2fs -d failed"
	boot dracut.boot "$k"
	judge_boot dracut.boot "$k"

	restore_captures
	make_in_root uninstall dracut.uninstall
	make_in_root uninstall dracut.uninstall_again
	! grep -qE '^bootstamps: (removed|disabled|unloaded)' "$d/dracut.uninstall_again.log"
	verdict dracut.uninstall_idempotent $? "the second uninstall removed something: $(grep removed "$d/dracut.uninstall_again.log" | head -n 2 | tr '\n' ';')"
	grep -q 'kept 1 archived boot' "$d/dracut.uninstall.log" && [ -n "$(ls "$root/var/lib/bootstamps/"*.bst 2>/dev/null)" ]
	verdict dracut.uninstall_keeps_captures $? "the archived capture was not kept"
	file_list "$root" >"$d/after-uninstall.list"
	diff "$d/before-install.list" "$d/after-uninstall.list" >"$d/uninstall.diff"
	verdict dracut.uninstall_removes_everything $? "files differ from before install: $(grep '^[<>]' "$d/uninstall.diff" | head -n 4 | tr '\n' ';')"
	in_root "$root" lsinitrd "/boot/initrd.img-$k" >"$d/initrd-after.list" 2>&1
	! grep -q 'bootstamps' "$d/initrd-after.list"
	verdict dracut.uninstall_initramfs_clean $? "the regenerated image still has bootstamps"

	if [ -n "$core" ]; then
		skipped dracut.upgrades "core run: the boot after uninstall, reinstalling and the kernel upgrade are make check-system's"
		return
	fi
	image || die dracut.image "mke2fs -d failed"
	boot dracut.boot_uninstalled "$k"
	[ ! -s "$d/dracut.boot_uninstalled.module" ] && ! grep -q '^# bootstamps' "$d/dracut.boot_uninstalled.proc"
	verdict dracut.boot_uninstalled_no_module $? "bootstamps still loads after make uninstall"

	# Installed again after an uninstall, then a kernel upgrade under
	# dracut: dkms-post-install regenerates the new kernel's image with
	# dracut once its headers arrive, and that kernel loads bootstamps
	# early too.
	restore_captures
	make_in_root install dracut.install_after_uninstall
	upgrade_kernel dracut lsinitrd "$k" || return
	grep -q 'etc/cmdline.d/90bootstamps.conf' "$d/initrd-$k2.list"
	verdict dracut.upgrade_initramfs_has_driver_pre $? "initrd.img-$k2 lacks rd.driver.pre=bootstamps"
	image || die dracut.image "mke2fs -d failed"
	boot dracut.boot_upgraded "$k2"
	judge_boot dracut.boot_upgraded "$k2"
}

# The host's reader, to check what the guest's wrote (built apart: the
# reader's tests build beside this lane).
make -s -C "$top/userspace" OBJDIR="$work/reader-build" >"$work/reader-build.log" 2>&1 || die setup.reader "cannot build the reader: $(tail -n 1 "$work/reader-build.log")"
for lane in $lanes; do
	case $lane in
	initramfs-tools) lane_initramfs_tools ;;
	dracut) lane_dracut ;;
	*) die "setup.lanes" "unknown lane $lane" ;;
	esac
done
finish
