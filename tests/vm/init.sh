#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test VM (busybox sh), in two stages like a real boot:
#   stage 1, /init in the initramfs: loads bootstamps before any driver,
#     then real drivers against emulated devices, brings the network up,
#     mounts the ext4 root on virtio-blk and switch_roots into it;
#   stage 2, /sbin/init on that root (the same script): checks the
#     switch-root milestones, then reloads the module in every way.
# Each check compares /proc/bootstamps with an oracle from the same boot.
# Results go to their own port as KTAP (ttyS1 on x86, the PCI UART ttyS0 on
# arm64); the console carries only the kernel log, which the host scans
# for splats. tests/vm/run.sh builds the images.

export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
. /etc/bst.conf

exec 3>/dev/$RESULT_TTY
stty -F /dev/$RESULT_TTY raw -echo 2>/dev/null
n=0
[ -f /etc/bst.n ] && . /etc/bst.n
WHY=
# arg NAME: bst.NAME=value from the kernel command line.
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^bst\.$1=//p"; }
# Each result's uptime goes to /tmp/bst.times (builtins only, no fork), so
# that finish can name the slowest cases: where a boot's time goes.
BST_T0=${BST_T0:-0}
stamp() {
	read -r up _ </proc/uptime
	up=$((${up%.*} * 100 + 1${up#*.} - 100))
	[ -w /tmp ] && echo "$((up - BST_T0)) $1" >>/tmp/bst.times
	BST_T0=$up
}
ok() { n=$((n + 1)); stamp "$1"; echo "ok $n $1" >&3; }
not_ok() { n=$((n + 1)); stamp "$1"; echo "not ok $n $1 # $2" >&3; }
skip() { n=$((n + 1)); stamp "$1"; echo "ok $n $1 # SKIP $2" >&3; }
diag() { echo "# $*" >&3; }
# check NAME CMD...: one case; CMD sets WHY when it fails.
check() {
	name=$1
	shift
	WHY=
	if "$@"; then ok "$name"; else not_ok "$name" "${WHY:-failed}"; fi
}
# slowest: the slowest cases of this stage, in seconds (uptime is in
# 1/100 s), then forget them.
slowest() {
	[ -f /tmp/bst.times ] && sort -rn /tmp/bst.times | head -n 8 |
		awk '{ printf "# slowest: %.2f s %s\n", $1 / 100, $2 }' >&3
	rm -f /tmp/bst.times
}
finish() {
	slowest
	echo "1..$n" >&3
	echo "# bootstamps-vm: end" >&3
	sync
	poweroff -f
}

BST=/proc/bootstamps
TRACK=/sys/module/bootstamps/parameters/track
# Stage 2's cases and the benchmark load bootstamps again and again, and
# run thousands of commands: they turn the boot window off (unless they
# test it), so that their own commands do not fill the store they judge.
# Stage 1's load, the A/B and the boot-cost boots keep it, as a boot would.
NOWIN=boot_window=0
snap() { cat $BST >/tmp/snap; }
# q TYPE SUBJECT|* [key=value ...]: event lines of /tmp/snap that match.
q() {
	t=$1 s=$2
	shift 2
	awk -v t="$t" -v s="$s" -v conds="$*" '
		BEGIN { nc = split(conds, c, " ") }
		/^#/ { next }
		$3 == t && (s == "*" || $4 == s) {
			for (i = 1; i <= nc; i++) {
				f = 0
				for (j = 5; j <= NF; j++) if ($j == c[i]) f = 1
				if (!f) next
			}
			print
		}' /tmp/snap
}
# kv KEY: the value of KEY in the line on stdin ("" if absent).
kv() { awk -v k="$1" '{ for (i = 5; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }'; }
# hdr KEY: a header value.
hdr() { awk -v k="$1" '/^# / { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' /tmp/snap; }
now() { bst-vmtool now; }
is_builtin() { case " $BUILTIN " in *" $1 "*) return 0 ;; esac; return 1; }
# t_time LINE: an event line's time as an integer of ns.
t_time() { echo "$1" | awk '{ print $2 }' | tr -d .; }

# load NAME: insmod NAME and its dependencies (resolved on the host).
# Like modprobe, each module gets the options the kernel command line
# gives it (MODULE.PARAM=VALUE): busybox insmod alone would not.
load() {
	while read -r dep file; do
		# shellcheck disable=SC2046
		[ -d "/sys/module/$dep" ] ||
			insmod "/mods/$file" $(tr ' ' '\n' </proc/cmdline | sed -n "s/^$dep\.//p") || return 1
	done <"/mods/$1.deps"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# wait_for CMD...: until CMD succeeds, for up to a minute: a busy host
# slows the guest down, it does not stop it. Fails if it never did.
wait_for() {
	i=0
	until "$@"; do
		[ $i -lt 600 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}
not_there() { [ ! -e "$1" ]; }
# Until the kernel-log backfill is done (it records for a while after load).
backfill_done() { grep -q '^# kmsg backfill=done' $BST 2>/dev/null; }
wait_backfill() { wait_for backfill_done; }

t_taint() {
	t=$(cat /proc/sys/kernel/tainted)
	# Allowed: O (4096, out-of-tree) and E (8192, unsigned module); and N
	# (262144), which KUnit sets once it has run tests, where it has.
	allowed=$((4096 | 8192))
	[ ! -e /mods/bootstamps_kunit.ko ] || allowed=$((allowed | 262144))
	[ $((t & ~allowed)) = 0 ] || { WHY="tainted=$t"; return 1; }
}

stage1() {
# On a kernel with kmemleak (the debug kernel), forget what the boot itself
# leaked before bootstamps loads: what a scan reports at the end is then
# from the tests.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -e $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
fi

# ---------------------------------------------------------------- load
t_load() {
	insmod /mods/bootstamps.ko || { WHY="insmod failed"; return 1; }
	[ -r $BST ] || { WHY="$BST missing after insmod"; return 1; }
}
check load t_load || finish
[ -r $BST ] || finish

t_header() {
	snap
	first=$(head -n 1 /tmp/snap)
	[ "$first" = "# bootstamps 1" ] || { WHY="first line is '$first'"; return 1; }
	[ "$(hdr module_version)" = "$BST_VERSION" ] || { WHY="module_version=$(hdr module_version), want $BST_VERSION"; return 1; }
	[ "$(hdr kernel)" = "$(uname -r)" ] || { WHY="kernel=$(hdr kernel), want $(uname -r)"; return 1; }
	[ "$(hdr clock)" = boottime ] || { WHY="clock=$(hdr clock)"; return 1; }
	[ "$(hdr capacity)" = 4096 ] || { WHY="capacity=$(hdr capacity)"; return 1; }
	# The default store fits in 1 MiB.
	[ "$(hdr event_bytes)" -gt 0 ] && [ $(( $(hdr capacity) * $(hdr event_bytes) )) -le 1048576 ] ||
		{ WHY="capacity x event_bytes = $(hdr capacity) x $(hdr event_bytes) > 1 MiB"; return 1; }
	[ "$(hdr probe)" = kretprobe:really_probe ] || { WHY="probe hook is $(hdr probe)"; return 1; }
	[ "$(hdr module)" = notifier ] || { WHY="module hook is $(hdr module)"; return 1; }
	[ "$(hdr mark)" = proc ] || { WHY="mark hook is $(hdr mark)"; return 1; }
	off=$(hdr local_offset_ns)
	case $off in -[0-9]*|[0-9]*) ;; *) WHY="local_offset_ns='$off'"; return 1 ;; esac
	self=$(q module.live bootstamps self=1 "srcversion=$BST_SRCVERSION")
	[ -n "$self" ] || { WHY="no module.live for bootstamps itself"; return 1; }
	# Every event line must have seq, time, event and subject.
	bad=$(awk '!/^#/ && ($1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+\.[0-9]{9}$/ || NF < 4)' /tmp/snap | head -n 1)
	[ -z "$bad" ] || { WHY="malformed line: $bad"; return 1; }
}
check header t_header

# --------------------------------------------------- before bootstamps
# wait_kmsg: the backfill runs in a work item; wait until it is done.
wait_kmsg() {
	i=0
	while [ $i -lt 600 ]; do
		snap
		grep -q '^# kmsg backfill=done' /tmp/snap && return 0
		sleep 0.1
		i=$((i + 1))
	done
	WHY="kmsg backfill not done after 60 s: $(grep '^# kmsg' /tmp/snap)"
	return 1
}

t_backfill() {
	wait_kmsg || return 1
	grep -q '^# kmsg backfill=done .* backfill_complete=1 backfill_timestamps=1' /tmp/snap ||
		{ WHY="backfill incomplete: $(grep '^# kmsg' /tmp/snap)"; return 1; }
	[ -n "$(q kernel.start linux "release=$(uname -r)" src=kmsg)" ] || { WHY="no kernel.start"; return 1; }
	[ -n "$(q init.exec init path=/init phase=initramfs src=kmsg)" ] || { WHY="no init.exec of /init from the log"; return 1; }
	[ -n "$(q kernel.init_freed linux src=kmsg)" ] || { WHY="no kernel.init_freed"; return 1; }
	# Backfilled events lie before the module's load on the boottime axis.
	loaded=$(hdr loaded | tr -d .)
	late=$(awk -v l="$loaded" '/ src=kmsg / { t = $2; gsub(/\./, "", t); if (t + 0 > l + 0) print }' /tmp/snap | head -n 1)
	[ -z "$late" ] || { WHY="backfilled event after load: $late"; return 1; }
}
check kmsg.backfill t_backfill

# With initcall_debug on the command line, the kernel's own probe lines for
# built-in drivers become exact spans.
t_backfill_initcall() {
	q probe.end '*' src=kmsg start=0 async=0 >/tmp/kp
	[ "$(wc -l </tmp/kp)" -ge 3 ] || { WHY="fewer than 3 probe.end from initcall_debug lines"; return 1; }
	# Some built-in probes really take under 1 us (the kernel prints 0).
	awk '{ for (i = 5; i <= NF; i++) if ($i ~ /^dur_ns=[1-9]/) f = 1 } END { exit !f }' /tmp/kp ||
		{ WHY="every backfilled span has zero duration"; return 1; }
}
check kmsg.initcall_debug t_backfill_initcall

t_builtin_nvme() {
	s=$(q nvme.probe nvme0 src=kmsg | head -n 1)
	[ -n "$s" ] || { WHY="no nvme.probe of the built-in nvme from the log"; return 1; }
	[ -n "$(q nvme.queues nvme0 src=kmsg)" ] || { WHY="no nvme.queues"; return 1; }
	p=$(q disk.partitions nvme0n1 count=2 src=kmsg)
	[ -n "$p" ] || { WHY="no disk.partitions nvme0n1 count=2 from the log"; return 1; }
	dev=$(echo "$s" | kv device)
	e=$(q probe.end "$dev" src=kmsg driver=nvme builtin=1 rc=0)
	[ -n "$e" ] || { WHY="no initcall_debug span for $dev"; return 1; }
	# The log's milestones in boot order: probe, controller up, partitions.
	[ "$(t_time "$s")" -le "$(t_time "$(q nvme.queues nvme0)")" ] &&
		[ "$(t_time "$(q nvme.queues nvme0)")" -le "$(t_time "$p")" ] || { WHY="nvme milestones out of order"; return 1; }
}
if [ "$NVME_IS_MODULE" = 1 ]; then
	skip kmsg.builtin_nvme "nvme is a module in this kernel; probe.nvme and disk.order check it live"
else
	check kmsg.builtin_nvme t_builtin_nvme
fi

# ------------------------------------------------------------- drivers
# virtio_blk and virtio_net first: their probes then run nested inside
# virtio_pci's, the case the kretprobe pairing must get right.
load virtio_blk && load virtio_net && load virtio_pci || diag "virtio load failed"
[ "$NVME_IS_MODULE" = 1 ] && { load nvme || diag "nvme load failed"; }
# Time ENA's steps: attached when ena comes (the last name does not exist).
echo "ena:ena_device_init,ena:ena_com_dev_reset,ena:bst_no_such_function" >/sys/module/bootstamps/parameters/spans
load ena || diag "ena load failed"
ena_t0=$(now)
echo 1234 11e8 >/sys/bus/pci/drivers/ena/new_id 2>/dev/null
ena_t1=$(now)
sleep 1

# probe_span DRIVER BUS [RCTEST]: the driver's probe.end exists, with a
# positive duration, a paired probe.start, and rc matching RCTEST.
probe_span() {
	snap
	line=$(q probe.end '*' "driver=$1" "bus=$2" | head -n 1)
	[ -n "$line" ] || { WHY="no probe.end driver=$1 bus=$2"; return 1; }
	dur=$(echo "$line" | kv dur_ns)
	rc=$(echo "$line" | kv rc)
	start=$(echo "$line" | kv start)
	[ "$dur" -gt 0 ] || { WHY="dur_ns=$dur"; return 1; }
	awk -v s="$start" -v d="$1" '$1 == s && $3 == "probe.start" && index($0, " driver=" d " ")' /tmp/snap | grep -q . ||
		{ WHY="start=$start is not a probe.start of $1"; return 1; }
	case ${3:-ok} in
	ok) [ "$rc" = 0 ] || { WHY="rc=$rc, want 0"; return 1; } ;;
	fail)
		# Before 5.14 the driver's errno is lost: rc must then be absent.
		if [ "$SWALLOWS_RC" = 1 ]; then
			[ -z "$rc" ] || { WHY="rc=$rc on a kernel that swallows it"; return 1; }
		else
			[ "$rc" -lt 0 ] || { WHY="rc=$rc, want < 0"; return 1; }
		fi ;;
	esac
}
if is_builtin virtio_pci; then
	skip probe.virtio_pci "virtio_pci is built into this kernel: it probed before bootstamps loaded"
else
	check probe.virtio_pci probe_span virtio-pci pci
fi
check probe.virtio_blk probe_span virtio_blk virtio
check probe.virtio_net probe_span virtio_net virtio
if [ "$NVME_IS_MODULE" = 1 ]; then
	check probe.nvme probe_span nvme pci
else
	skip probe.nvme "nvme is built into this kernel: it probed before bootstamps could load (kmsg.builtin_nvme checks it from the kernel log)"
fi

t_ena() {
	probe_span ena pci fail || return 1
	[ "$dur" -le $((ena_t1 - ena_t0)) ] || { WHY="dur_ns=$dur is longer than the new_id write that ran it ($((ena_t1 - ena_t0)) ns)"; return 1; }
	echo "$line" | grep -q " module=ena version=$ENA_VERSION srcversion=$ENA_SRCVERSION builtin=0 async=0 " ||
		{ WHY="identity wrong: $line"; return 1; }
	diag "ena probe on edu: rc=$rc dur_ns=$dur"
}
check probe.ena t_ena

t_spans() {
	grep -q '^# spans ena:ena_device_init=on ena:ena_com_dev_reset=on ena:bst_no_such_function=off:-2$' /tmp/snap ||
		{ WHY="header: $(grep '^# spans' /tmp/snap)"; return 1; }
	# The first ENA probe, and the steps inside it on the same thread.
	awk '
		function kv(k,   i) { for (i = 5; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
		$3 == "probe.end" && kv("driver") == "ena" && !pe { pe = $2 * 1e9; ps = pe - kv("dur_ns"); pp = kv("pid") }
		$3 == "fn.end" && !(($4) in fe) { fe[$4] = $2 * 1e9; fs[$4] = fe[$4] - kv("dur_ns"); fp[$4] = kv("pid") }
		END {
			if (!pe) { print "no ENA probe.end"; exit 1 }
			for (f in fe) n++
			if (n != 2) { print n " functions timed, want 2"; exit 1 }
			for (f in fe) if (fp[f] != pp || fs[f] < ps - 1e3 || fe[f] > pe + 1e3) { print f " is not inside the ENA probe"; exit 1 }
			d = "ena_device_init"; r = "ena_com_dev_reset"
			if (fs[r] < fs[d] || fe[r] > fe[d]) { print r " is not inside " d; exit 1 }
			if (fe[r] - fs[r] <= 0) { print r " has no duration"; exit 1 }
			printf "ena probe %.1f ms: ena_device_init %.1f ms, ena_com_dev_reset %.1f ms\n", (pe - ps) / 1e6, (fe[d] - fs[d]) / 1e6, (fe[r] - fs[r]) / 1e6
		}' /tmp/snap >/tmp/spans.out || { WHY="$(cat /tmp/spans.out)"; return 1; }
	diag "$(cat /tmp/spans.out)"
	bootstamps show --events | grep -A3 '^Inside driver probes' | grep -q 'ena_com_dev_reset' || { WHY="bootstamps show does not nest the steps"; return 1; }
}
check spans.ena t_spans

# Nested: virtio_blk's span lies inside a virtio-pci span.
t_nested() {
	awk '
		$3 == "probe.end" {
			for (i = 5; i <= NF; i++) {
				if ($i ~ /^start=/) s = substr($i, 7)
				if ($i ~ /^driver=/) d = substr($i, 8)
			}
			if (d == "virtio-pci") { ps[++np] = s; pe[np] = $1 }
			if (d == "virtio_blk") { bs = s; be = $1 }
		}
		END {
			for (i = 1; i <= np; i++) if (ps[i] < bs && be < pe[i]) exit 0
			exit 1
		}' /tmp/snap || { WHY="virtio_blk span is not nested in a virtio-pci span"; return 1; }
}
if is_builtin virtio_pci; then
	skip probe.nested "virtio_pci is built in here, so virtio_blk's probe does not run inside it"
else
	check probe.nested t_nested
fi

t_modules() {
	for m in virtio virtio_pci virtio_blk virtio_net ena; do
		is_builtin "$m" && continue
		[ "$m" = virtio ] && is_builtin virtio_pci && continue
		c=$(q module.coming $m | head -n 1)
		l=$(q module.live $m | head -n 1)
		[ -n "$c" ] && [ -n "$l" ] || { WHY="$m: coming or live missing"; return 1; }
		cs=$(echo "$c" | awk '{ print $1 }')
		[ "$(echo "$l" | kv start)" = "$cs" ] || { WHY="$m: module.live start= does not name its coming ($cs)"; return 1; }
	done
}
check module.spans t_modules

# ------------------------------------------------------------- fixture
t_fixture_delay() {
	t0=$(now)
	insmod /mods/bst_fixture.ko delay_ms=50 || { WHY="insmod fixture failed"; return 1; }
	t1=$(now)
	probe_span bst_fixture pci ok || return 1
	# Strict lower bound from the injected delay; upper bound from the
	# insmod that contained the probe, measured on the same clock.
	[ "$dur" -ge 50000000 ] || { WHY="dur_ns=$dur < 50 ms injected"; return 1; }
	[ "$dur" -le $((t1 - t0)) ] || { WHY="dur_ns=$dur > insmod took $((t1 - t0))"; return 1; }
	echo "$line" | grep -q " async=0 " || { WHY="sync probe reported async: $line"; return 1; }
	diag "fixture 50 ms probe: dur_ns=$dur, insmod took $((t1 - t0)) ns"
}
check fixture.delay t_fixture_delay

t_fixture_module() {
	l=$(q module.live bst_fixture "version=1.0.0" "srcversion=$FIXTURE_SRCVERSION")
	[ -n "$l" ] || { WHY="module.live bst_fixture lacks version=1.0.0 srcversion=$FIXTURE_SRCVERSION"; return 1; }
	p=$(q probe.end '*' driver=bst_fixture module=bst_fixture version=1.0.0 "srcversion=$FIXTURE_SRCVERSION")
	[ -n "$p" ] || { WHY="probe.end lacks the fixture's version"; return 1; }
}
check fixture.module_version t_fixture_module

t_fixture_rc() {
	rmmod bst_fixture && insmod /mods/bst_fixture.ko probe_rc=-6 || { WHY="reload failed"; return 1; }
	snap
	line=$(q probe.end '*' driver=bst_fixture | tail -n 1)
	[ "$(echo "$line" | kv rc)" = -6 ] || { WHY="rc is not -6 (ENXIO): $line"; return 1; }
}
if [ "$SWALLOWS_RC" = 1 ]; then
	rmmod bst_fixture
	insmod /mods/bst_fixture.ko
	skip fixture.rc "before 5.14 really_probe() does not pass on the driver's errno"
else
	check fixture.rc t_fixture_rc
fi

t_fixture_async() {
	rmmod bst_fixture || { WHY="rmmod fixture failed"; return 1; }
	snap
	last=$(hdr events)
	insmod /mods/bst_fixture.ko delay_ms=20 async_probe=1 || { WHY="insmod async failed"; return 1; }
	i=0
	while [ $i -lt 600 ]; do
		snap
		line=$(q probe.end '*' driver=bst_fixture rc=0 | awk -v l="$last" '$1 > l' | tail -n 1)
		[ -n "$line" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$line" ] || { WHY="no async probe.end within 60 s"; return 1; }
	echo "$line" | grep -q " async=1 " || { WHY="not marked async: $line"; return 1; }
	[ "$(echo "$line" | kv dur_ns)" -ge 20000000 ] || { WHY="async dur below 20 ms: $line"; return 1; }
}
check fixture.async t_fixture_async

# Accuracy against the fixture's own measurement of its probe (same clock,
# same boot): our span encloses it, so it is never shorter (strict). Above,
# the insmod around it bounds it: the probe runs inside insmod. A constant
# margin is no bound under TCG: the rest of really_probe() (PCI runtime PM,
# config space, sysfs links, the bind uevent) usually takes 0.3 to 2.7 ms
# here, but once took 22 ms in a CI run. The overhead is printed; the
# target (1% + 200 us) is for real hardware, and `make bench` reports it.
t_fixture_accuracy() {
	for d in 1 10 100; do
		rmmod bst_fixture
		snap
		last=$(hdr events)
		t0=$(now)
		insmod /mods/bst_fixture.ko delay_ms=$d || { WHY="insmod delay $d"; return 1; }
		t1=$(now)
		own=$(cat /sys/module/bst_fixture/parameters/last_probe_ns)
		snap
		ours=$(q probe.end '*' driver=bst_fixture rc=0 | awk -v l="$last" '$1 > l' | tail -n 1 | kv dur_ns)
		[ -n "$ours" ] || { WHY="no span for delay $d"; return 1; }
		[ "$ours" -ge "$own" ] || { WHY="$d ms: ours $ours < fixture's own $own"; return 1; }
		[ "$ours" -le $((t1 - t0)) ] || { WHY="$d ms: ours $ours, longer than the insmod around it ($((t1 - t0)))"; return 1; }
		diag "accuracy at $d ms: ours - fixture's own = $((ours - own)) ns (insmod took $((t1 - t0)) ns)"
	done
}
check fixture.accuracy t_fixture_accuracy


# ------------------------------------------------------- disks

# nvme scans its namespaces in a work item after its probe returns: the
# disk, its partitions and the scan's first read come when they come.
nvme_disk_seen() { snap; [ -n "$(q disk.partitions nvme0n1 count=2)" ] && [ -n "$(q disk.first_io nvme0n1 rc=0)" ]; }
t_disk_order() {
	wait_for nvme_disk_seen
	snap
	ps=$(q probe.start '*' driver=nvme | tail -n 1)
	da=$(q disk.add nvme0n1 driver=nvme)
	dp=$(q disk.partitions nvme0n1 count=2)
	io=$(q disk.first_io nvme0n1 rc=0)
	[ -n "$ps" ] && [ -n "$da" ] && [ -n "$dp" ] && [ -n "$io" ] ||
		{ WHY="missing: probe.start=${ps:+y} disk.add=${da:+y} disk.partitions(count=2)=${dp:+y} first_io=${io:+y}"; return 1; }
	[ "$(t_time "$ps")" -lt "$(t_time "$da")" ] || { WHY="disk.add before probe.start"; return 1; }
	[ "$(t_time "$da")" -le "$(t_time "$dp")" ] || { WHY="disk.partitions before disk.add"; return 1; }
	[ "$(t_time "$da")" -le "$(t_time "$io")" ] || { WHY="first I/O before disk.add"; return 1; }
	[ -z "$(q nvme.probe '*')" ] || { WHY="a live nvme probe was also reported from the log"; return 1; }
	[ "$(echo "$io" | kv dur_ns)" -gt 0 ] || { WHY="first I/O has no duration"; return 1; }
	[ "$(echo "$dp" | kv start)" = "$(echo "$da" | awk '{ print $1 }')" ] || { WHY="disk.partitions start= does not name disk.add"; return 1; }
}
if [ "$NVME_IS_MODULE" = 1 ]; then
	check disk.order t_disk_order
else
	skip disk.order "nvme is built in here: its disk was added before bootstamps loaded (kmsg.builtin_nvme covers it)"
fi

t_vda() {
	snap
	[ -n "$(q disk.add vda driver=virtio_blk parent=virtio0)" ] || { WHY="no disk.add vda from virtio_blk"; return 1; }
	[ -n "$(q disk.partitions vda count=0)" ] || { WHY="no disk.partitions vda"; return 1; }
	[ -n "$(q disk.first_io vda)" ] || { WHY="no disk.first_io vda"; return 1; }
}
check disk.virtio_blk t_vda

# A 2 MiB image with an MBR and one partition (sectors 2048..4095), made
# with busybox alone: the kernel prints " loop0: p1" when it reads it.
mk_pt_img() {
	dd if=/dev/zero of="$1" bs=1024 count=2048 2>/dev/null || return 1
	# Entry 1 at 446: boot 0, CHS 0, type 0x83, CHS 0, LBA 2048, 2048 sectors.
	printf '\000\000\000\000\203\000\000\000\000\010\000\000\000\010\000\000' |
		dd of="$1" bs=1 seek=446 conv=notrunc 2>/dev/null || return 1
	printf '\125\252' | dd of="$1" bs=1 seek=510 conv=notrunc 2>/dev/null
}
# after T LINES: the lines on stdin whose time (ns) is at or after T.
after() { awk -v t="$1" '{ s = $2; gsub(/\./, "", s); if (s + 0 >= t + 0) print }'; }

# Finding 7, deterministic on every kernel: loop devices are added empty
# (capacity 0), so the kernel does not scan them at device_add_disk();
# losetup -P scans later. Before the change: disk.partitions loop0 count=0
# at the insmod (device_add_disk()'s return), nothing at losetup -P, so
# "when was loop0 ready" said the insmod and the wrong count. After: no
# disk.partitions loop0 at the insmod; one count=1 after losetup -P, closing
# loop0's disk.add (start=), rc=0; a rescan (blockdev --rereadpt) adds none;
# and loop0's first I/O (the scan's read) is recorded after t0 too.
loop0_scanned() { [ -e /sys/block/loop0/loop0p1 ]; }
t_loop_partscan() {
	[ -d /sys/module/loop ] || load loop || { WHY="cannot load loop"; return 1; }
	wait_for test -e /sys/block/loop0 || { WHY="no loop0"; return 1; }
	mk_pt_img /tmp/pt.img || { WHY="cannot make the image"; return 1; }
	snap
	da=$(q disk.add loop0 | tail -n 1)
	[ -n "$da" ] || { WHY="no disk.add loop0"; return 1; }
	[ -z "$(q disk.partitions loop0)" ] ||
		{ WHY="disk.partitions loop0 before any scan: $(q disk.partitions loop0)"; return 1; }
	t0=$(now)
	losetup -P /dev/loop0 /tmp/pt.img || { WHY="losetup -P failed"; return 1; }
	wait_for loop0_scanned || { WHY="the kernel did not scan loop0"; return 1; }
	blockdev --rereadpt /dev/loop0 || diag "rereadpt failed (rc $?)"
	snap
	dp=$(q disk.partitions loop0)
	[ "$(echo "$dp" | grep -c .)" = 1 ] || { WHY="want one disk.partitions loop0, got: $dp"; return 1; }
	echo "$dp" | grep -q ' count=1 ' || { WHY="count is not 1: $dp"; return 1; }
	echo "$dp" | grep -q ' rc=0 ' || { WHY="rc is not 0: $dp"; return 1; }
	[ -n "$(echo "$dp" | after "$t0")" ] || { WHY="disk.partitions loop0 before losetup -P: $dp"; return 1; }
	[ "$(echo "$dp" | kv start)" = "$(echo "$da" | awk '{ print $1 }')" ] ||
		{ WHY="start= does not name disk.add loop0"; return 1; }
	io=$(q disk.first_io loop0 rc=0 | after "$t0")
	[ -n "$io" ] || { WHY="no disk.first_io loop0 after losetup -P"; return 1; }
	[ "$(t_time "$io")" -le "$(t_time "$dp")" ] || { WHY="first I/O after the scan that read the table"; return 1; }
	losetup -d /dev/loop0
}
if [ -e /mods/loop.deps ]; then
	check disk.deferred_scan.loop t_loop_partscan
else
	skip disk.deferred_scan.loop "loop is not a module of this kernel"
fi

# Finding 7's first I/O, without nvme: null_blk with queue_mode=0 makes a
# bio-based disk (like nvme multipath's nvme0n1, md, dm), which never has a
# request of its own. Before: its disk.partitions, but no disk.first_io ever.
# After: disk.first_io nullb0 rc=0 with a duration (the scan's read, a bio).
nullb_io() { snap; [ -n "$(q disk.first_io nullb0 rc=0)" ]; }
t_bio_first_io() {
	wait_for test -e /sys/block/nullb0 || { WHY="no nullb0"; return 1; }
	[ ! -e /sys/block/nullb0/mq ] || { WHY="nullb0 is request-based: queue_mode=0 ignored"; return 1; }
	wait_for nullb_io || { WHY="no disk.first_io nullb0 (bio-based)"; return 1; }
	[ -n "$(q disk.partitions nullb0 count=0 rc=0)" ] || { WHY="no disk.partitions nullb0"; return 1; }
	[ "$(q disk.first_io nullb0 | kv dur_ns)" -gt 0 ] || { WHY="no duration"; return 1; }
}
# null_blk's dependencies, then null_blk itself with our options.
load_null_blk() {
	while read -r dep file; do
		[ "$dep" = null_blk ] || [ -d "/sys/module/$dep" ] || insmod "/mods/$file" || return 1
	done </mods/null_blk.deps
	insmod /mods/null_blk.ko queue_mode=0 nr_devices=1 gb=1 2>/dev/null
}
if [ ! -e /mods/null_blk.deps ]; then
	skip disk.first_io.bio_based "null_blk is not a module of this kernel"
elif load_null_blk; then
	wait_for test -e /sys/block/nullb0
	if [ -e /sys/block/nullb0/mq ]; then
		skip disk.first_io.bio_based "this null_blk has no bio-based mode: queue_mode=0 gave a request-based nullb0"
	else
		check disk.first_io.bio_based t_bio_first_io
	fi
	rmmod null_blk
else
	skip disk.first_io.bio_based "null_blk takes no queue_mode=0 here"
fi

# Finding 8: first-I/O slots are bounded and released at del_gendisk().
# 70 loop devices wait for I/O they never get; they are then deleted
# (rmmod loop), and loop is loaded again with one device that gets I/O.
# Before: 64 slots, held forever and keyed by the gendisk pointer, so the
# new loop0 either has no slot (no disk.first_io) or inherits a dead disk's
# slot at a reused address (disk.first_io named loopNN, not loop0). After:
# 128 slots in windows of 8, released when each loop disk is deleted, the
# longest-waiting giving way: exactly one disk.first_io after t1, loop0's.
t_io_slots_bounded() {
	[ -d /sys/module/loop ] && { rmmod loop || { WHY="loop in use"; return 1; }; }
	insmod /mods/loop.ko max_loop=70 || { WHY="insmod loop max_loop=70"; return 1; }
	wait_for test -e /sys/block/loop69 || { WHY="no loop69"; return 1; }
	rmmod loop || { WHY="rmmod loop"; return 1; }
	t1=$(now)
	insmod /mods/loop.ko max_loop=1 || { WHY="insmod loop max_loop=1"; return 1; }
	wait_for test -e /sys/block/loop0 || { WHY="no loop0"; return 1; }
	[ -e /tmp/pt.img ] || mk_pt_img /tmp/pt.img
	losetup /dev/loop0 /tmp/pt.img || { WHY="losetup"; return 1; }
	dd if=/dev/loop0 of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null ||
		dd if=/dev/loop0 of=/dev/null bs=4096 count=1 2>/dev/null
	io_seen() { snap; [ -n "$(q disk.first_io '*' | after "$t1")" ]; }
	wait_for io_seen
	got=$(q disk.first_io '*' | after "$t1")
	losetup -d /dev/loop0
	[ "$(echo "$got" | grep -c .)" = 1 ] || { WHY="want one disk.first_io after the reload, got: ${got:-none}"; return 1; }
	[ "$(echo "$got" | awk '{ print $4 }')" = loop0 ] || { WHY="first I/O named the wrong disk: $got"; return 1; }
	# 70 adds, 70 deletions: the store kept every disk.add.
	[ "$(q disk.add '*' | awk '$4 ~ /^loop/' | grep -c .)" -ge 71 ] || { WHY="missing disk.add of loop devices"; return 1; }
}
if [ -e /mods/loop.deps ]; then
	check disk.first_io.slots_bounded t_io_slots_bounded
else
	skip disk.first_io.slots_bounded "loop is not a module of this kernel"
fi

# ------------------------------------------------------- network
cat >/tmp/udhcpc.sh <<'EOF2'
#!/bin/sh
case $1 in bound|renew) ip addr add "$ip/$mask" dev "$interface" ;; esac
EOF2
chmod +x /tmp/udhcpc.sh
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -T 1 -s /tmp/udhcpc.sh >/dev/null 2>&1 || diag "udhcpc failed"
t_net() {
	snap
	last=0
	for e in net.register net.up net.carrier net.ipv4; do
		line=$(q $e eth0 driver=virtio_net | head -n 1)
		[ -n "$line" ] || { WHY="no $e for eth0"; return 1; }
		t=$(t_time "$line")
		[ "$t" -ge "$last" ] || { WHY="$e comes before the previous milestone"; return 1; }
		last=$t
	done
	# addrconf adds the link-local address from its own NETDEV_UP handler.
	up=$(t_time "$(q net.up eth0)")
	v6=$(q net.ipv6 eth0 scope=link | head -n 1)
	[ -z "$v6" ] || [ "$up" -le "$(t_time "$v6")" ] || { WHY="net.ipv6 stamped before the net.up that caused it"; return 1; }
	addr=$(ip -4 addr show eth0 | awk '/inet / { print $2 }')
	[ -n "$(q net.ipv4 eth0 "addr=$addr")" ] || { WHY="net.ipv4 does not carry $addr"; return 1; }
}
check net.milestones t_net

# A device that an unprivileged user makes in a network namespace of their
# own is not the boot's: nothing of it is recorded.
t_net_namespace() {
	# Debian's switch for unprivileged user namespaces, where it exists.
	[ ! -e /proc/sys/kernel/unprivileged_userns_clone ] || echo 1 >/proc/sys/kernel/unprivileged_userns_clone
	out=$(bst-vmtool --uid 1000 exec unshare -U -r -n sh -c \
		'ip link add bstns0 type dummy && ip link set bstns0 up && ip addr add 10.9.9.9/24 dev bstns0 && echo made' 2>&1)
	[ "$out" = made ] || { WHY="uid 1000 could not make a device in a namespace of its own: $out"; return 1; }
	snap
	line=$(grep -E ' bstns0 | addr=10\.9\.9\.9/' /tmp/snap | head -n 1)
	[ -z "$line" ] || { WHY="recorded: $line"; return 1; }
}
if [ -e /mods/dummy.deps ] || [ -d /sys/module/dummy ]; then
	load dummy 2>/dev/null
	check net.other_namespace t_net_namespace
else
	skip net.other_namespace "this kernel has no dummy network driver"
fi

# Each interface has its first carrier and first IPv4 address once, however
# often it goes down and up or gains addresses; a device made again under
# the same name is another interface (another ifindex) with its own.
t_net_first_once() {
	ip link add bstfirst0 type dummy && ip link set bstfirst0 up &&
		ip addr add 10.7.0.1/24 dev bstfirst0 && ip addr add 10.7.0.2/24 dev bstfirst0 &&
		ip link set bstfirst0 down && ip link set bstfirst0 up || { WHY="could not set up bstfirst0"; return 1; }
	snap
	[ "$(q net.up bstfirst0 | wc -l)" = 2 ] || { WHY="$(q net.up bstfirst0 | wc -l) net.up for two ups"; return 1; }
	[ "$(q net.carrier bstfirst0 | wc -l)" = 1 ] || { WHY="$(q net.carrier bstfirst0 | wc -l) net.carrier"; return 1; }
	[ "$(q net.ipv4 bstfirst0 | wc -l)" = 1 ] && [ -n "$(q net.ipv4 bstfirst0 addr=10.7.0.1/24)" ] ||
		{ WHY="net.ipv4: $(q net.ipv4 bstfirst0 | tr '\n' ';')"; return 1; }
	old=$(q net.register bstfirst0 | sed -n 's/.* ifindex=\([0-9]*\).*/\1/p')
	ip link del bstfirst0 && ip link add bstfirst0 type dummy && ip link set bstfirst0 up ||
		{ WHY="could not make bstfirst0 again"; return 1; }
	snap
	new=$(q net.register bstfirst0 | sed -n 's/.* ifindex=\([0-9]*\).*/\1/p' | grep -vx "$old")
	[ -n "$new" ] || { WHY="no second net.register bstfirst0 with an ifindex other than $old"; return 1; }
	[ -n "$(q net.carrier bstfirst0 "ifindex=$new")" ] || { WHY="the new bstfirst0 (ifindex $new) has no net.carrier"; return 1; }
	ip link del bstfirst0
}
if [ -e /mods/dummy.deps ] || [ -d /sys/module/dummy ]; then
	load dummy 2>/dev/null
	check net.first_once t_net_first_once
else
	skip net.first_once "this kernel has no dummy network driver"
fi

# The link-local address is added (tentative) when eth0 comes up; the
# inet6addr notifier that reports it runs in atomic context.
t_net6() {
	snap
	addr=$(ip -6 addr show dev eth0 scope link | awk '/inet6/ { print $2; exit }')
	[ -n "$addr" ] || { WHY="eth0 has no link-local address to compare with"; return 1; }
	[ -n "$(q net.ipv6 eth0 "addr=$addr" scope=link driver=virtio_net)" ] || { WHY="no net.ipv6 eth0 addr=$addr scope=link"; return 1; }
}
if [ -e /proc/net/if_inet6 ]; then
	check net.ipv6 t_net6
else
	skip net.ipv6 "this kernel has no IPv6"
fi

# ------------------------------------------------------- tracked programs
t_track() {
	default=$(cat $TRACK)
	case ,$default, in *,cloud-init,*) ;; *) WHY="default track list: $default"; return 1 ;; esac
	# (In the boot window, open here, untracked programs are recorded too:
	# window.every_exec; after it, only these. window.closes_at_boot_done.)
	echo "bst-sleep,other" >$TRACK || { WHY="cannot write track"; return 1; }
	[ "$(cat $TRACK)" = "bst-sleep,other" ] || { WHY="track reads back as $(cat $TRACK)"; return 1; }
	t0=$(now)
	bst-sleep 200 3 &
	p=$!
	wait $p
	t1=$(now)
	snap
	e=$(q exec bst-sleep pid=$p path=/bin/bst-sleep)
	x=$(q exit '*' pid=$p status=768)
	[ -n "$e" ] && [ -n "$x" ] || { WHY="exec or exit missing (exit status 3 is wait status 768)"; return 1; }
	[ "$(echo "$x" | kv start)" = "$(echo "$e" | awk '{ print $1 }')" ] || { WHY="exit start= does not name the exec"; return 1; }
	d=$(echo "$x" | kv dur_ns)
	[ "$d" -ge 200000000 ] && [ "$d" -le $((t1 - t0)) ] || { WHY="dur_ns=$d, want >= 200 ms and <= $((t1 - t0))"; return 1; }
	echo "$default" >$TRACK
	echo "$(printf 'x%.0s' $(seq 40))" >$TRACK 2>/dev/null && { WHY="an over-long name was accepted"; return 1; }
	[ "$(cat $TRACK)" = "$default" ] || { WHY="a refused write changed the list"; return 1; }
}
check exec.track t_track

# ------------------------------------------------------- oracle
# initcall_debug makes the kernel time every probe itself ("probe of DEV
# returned N after M usecs", ktime_get() around really_probe()). Pair the
# k-th live span of a device with the k-th kernel line about it after our
# load. Strict: our span lies inside the kernel's, so it is never longer
# (the kernel truncates to whole us). Lenient: the kernel's line also times
# the rest of really_probe() around the driver's probe (for ENA, which fails,
# devres_release_all()), and under TCG that reached 0.7 ms on an idle
# machine; a loaded CI runner stretches it further. So the systematic
# difference (the median) must stay under 1 ms, and each span must cover
# at least half of the kernel's, which catches a span paired with the wrong
# probe or ended early. The 100 us target on real hardware is measured by
# `make bench`, not judged here.
t_initcall_agree() {
	snap
	loaded=$(hdr loaded)
	dmesg | awk -v l="$loaded" '
		{ t = substr($1, 2) + 0; if ($1 == "[") t = $2 + 0 }
		t >= l && match($0, /probe of [^ ]+ returned -?[0-9]+ after [0-9]+ usecs/) {
			split(substr($0, RSTART, RLENGTH), w, " ")
			print w[3], w[7]
		}' >/tmp/kernel_probes
	awk '$3 == "probe.end" && !/ src=kmsg / { for (i = 5; i <= NF; i++) if ($i ~ /^dur_ns=/) print $4, substr($i, 8) }' /tmp/snap >/tmp/our_probes
	awk '
		NR == FNR { k[$1, ++nk[$1]] = $2; next }
		{ i = ++no[$1]; if (!(($1, i) in k)) { missing++; next }
		  d = k[$1, i] - $2 / 1000
		  if (d < -1) { longer++; ld = $1 }
		  if ($2 / 1000 < k[$1, i] / 2) { short++; sd = $1 " ours " $2 / 1000 " us, kernel " k[$1, i] " us" }
		  if (d >= worst) { worst = d; wd = $1 " ours " $2 / 1000 " us, kernel " k[$1, i] " us" }
		  all[++pairs] = d }
		END {
			for (i = 1; i <= pairs; i++) for (j = i + 1; j <= pairs; j++) if (all[j] < all[i]) { x = all[i]; all[i] = all[j]; all[j] = x }
			printf "%d %d %d %d %.1f %.1f %s%s%s\n", pairs, missing, longer, short, worst, all[int((pairs + 1) / 2)], wd, longer ? " longer: " ld : "", short ? " short: " sd : ""
		}' /tmp/kernel_probes /tmp/our_probes >/tmp/agree
	read -r pairs missing longer short worst median detail </tmp/agree
	diag "initcall_debug oracle: $pairs probes, kernel minus ours: median $median us, worst $worst us ($detail)"
	[ "$pairs" -ge 5 ] || { WHY="only $pairs probes paired with the kernel's lines"; return 1; }
	[ "$missing" = 0 ] || { WHY="$missing of our probes have no kernel line"; return 1; }
	[ "$longer" = 0 ] || { WHY="$longer of our spans are longer than the kernel's own ($detail)"; return 1; }
	[ "$short" = 0 ] || { WHY="$short of our spans cover less than half of the kernel's ($detail)"; return 1; }
	awk -v m="$median" 'BEGIN { exit !(m <= 1000) }' || { WHY="median difference $median us > 1 ms"; return 1; }
}
check probe.initcall_debug_agrees t_initcall_agree

# ------------------------------------------------------------- markers
t_mark() {
	echo "cloud-init:final" >$BST || { WHY="write failed"; return 1; }
	snap
	[ -n "$(q mark cloud-init:final)" ] || { WHY="no mark event"; return 1; }
	[ "$(hdr markers)" = 1 ] || { WHY="markers=$(hdr markers)"; return 1; }
}
check mark t_mark

# bad_write NAME BYTES: refused with EINVAL and no marker recorded. (Other
# events may arrive meanwhile: ENA's deferred probe retries on its own.)
bad_write() {
	snap
	before=$(q mark '*' | wc -l)
	out=$(bst-vmtool write $BST "$2")
	snap
	[ "$out" = EINVAL ] || { WHY="$1: got '$out', want EINVAL"; return 1; }
	[ "$(q mark '*' | wc -l)" = "$before" ] && [ "$(hdr markers)" = "$before" ] ||
		{ WHY="$1: a marker was recorded"; return 1; }
}
long=$(printf '%0129d' 0)
check mark.oversize bad_write oversize "$long"
check mark.empty bad_write empty ""
check mark.newline_only bad_write newline_only '\n'
check mark.control bad_write control 'a\x01b'
check mark.embedded_newline bad_write embedded_newline 'a\nb'
check mark.nul bad_write nul 'a\x00b'
check mark.high_byte bad_write high_byte 'caf\xc3\xa9'
t_mark_max() {
	max=$(printf '%0128d' 0)
	out=$(bst-vmtool write $BST "$max\n")
	[ "$out" = "ok 129" ] || { WHY="128 bytes + newline: $out"; return 1; }
}
check mark.max_length t_mark_max

t_nonroot() {
	out=$(bst-vmtool --uid 1000 write $BST hello)
	case $out in EACCES|EPERM) ;; *) WHY="uid 1000 got '$out'"; return 1 ;; esac
	out=$(unshare -U -r bst-vmtool write $BST hello)
	case $out in EACCES|EPERM) ;; *) WHY="root in a user namespace got '$out'"; return 1 ;; esac
	snap
	[ -z "$(q mark hello)" ] || { WHY="a refused marker was recorded"; return 1; }
}
check mark.unprivileged t_nonroot

# Who may read: root with CAP_SYSLOG, as dmesg_restrict asks of dmesg; not
# a user, not root in a user namespace, not root without CAP_SYSLOG (a
# container's default).
t_read_private() {
	[ "$(stat -c '%a %u %g' $BST)" = "600 0 0" ] || { WHY="mode, owner: $(stat -c '%a %u %g' $BST)"; return 1; }
	out=$(bst-vmtool read $BST)
	case $out in "ok "*) ;; *) WHY="root got '$out'"; return 1 ;; esac
	out=$(bst-vmtool --uid 1000 read $BST)
	[ "$out" = EACCES ] || { WHY="uid 1000 got '$out'"; return 1; }
	out=$(unshare -U -r bst-vmtool read $BST)
	[ "$out" = EACCES ] || { WHY="root in a user namespace got '$out'"; return 1; }
	out=$(bst-vmtool --drop-cap 34 read $BST)
	[ "$out" = EACCES ] || { WHY="root without CAP_SYSLOG got '$out'"; return 1; }
	bst-vmtool --uid 1000 exec bootstamps >/dev/null 2>/tmp/err
	[ $? = 2 ] && grep -q 'read_gid=' /tmp/err || { WHY="the reader as uid 1000 said: $(cat /tmp/err)"; return 1; }
}
check privacy.root_only t_read_private

t_mark_cmd() {
	bootstamps mark reader:mark || { WHY="bootstamps mark failed as root"; return 1; }
	snap
	[ -n "$(q mark reader:mark comm=bootstamps)" ] || { WHY="no marker from bootstamps mark"; return 1; }
	bst-vmtool --uid 1000 exec bootstamps mark nope 2>/tmp/err
	[ $? = 2 ] && grep -q 'only root' /tmp/err || { WHY="non-root: $(cat /tmp/err)"; return 1; }
	bootstamps mark "$(printf 'x%.0s' $(seq 200))" 2>/tmp/err
	[ $? = 2 ] && grep -q '1 to 128 printable' /tmp/err || { WHY="oversize: $(cat /tmp/err)"; return 1; }
}
check reader.mark t_mark_cmd

# --------------------------------------------------------------- reader
t_reader_live() {
	bootstamps --events >/tmp/table 2>/tmp/err || { WHY="exit $? $(cat /tmp/err)"; return 1; }
	grep -q "probe.end .* ena " /tmp/table || { WHY="no ena row"; return 1; }
	grep -q "probe.end .* bst_fixture " /tmp/table || { WHY="no fixture row"; return 1; }
	# --slowest: the first row is the longest probe.end in the file. The
	# same file: ENA's retries go on adding probes to the live one.
	bootstamps --slowest 3 /tmp/snap >/tmp/slow || { WHY="--slowest exit $?"; return 1; }
	want=$(awk '$3 == "probe.end" { for (i = 5; i <= NF; i++) if ($i ~ /^dur_ns=/) { d = substr($i, 8) + 0; if (d > m) m = d } } END { printf "%.0f", m }' /tmp/snap)
	got=$(awk 'NR == 2 { print $2 }' /tmp/slow)
	# The table shows human units (1.324s, 495ms, 6.5ms, 38us): equal to
	# within one unit of its last digit.
	awk -v g="$got" -v w="$want" 'BEGIN {
		u = g; sub(/^[0-9.]+/, "", u); v = substr(g, 1, length(g) - length(u))
		s = (u == "s") ? 1e9 : (u == "ms") ? 1e6 : (u == "us") ? 1e3 : (u == "ns") ? 1 : 0
		dec = index(v, ".") ? length(v) - index(v, ".") : 0
		# Busybox awk has no ^ (built without math support).
		tol = s; for (k = 0; k < dec; k++) tol /= 10
		d = v * s - w; exit !(s && v != "" && d > -tol && d < tol) }' ||
		{ WHY="slowest is $got, the file's longest is $want ns"; return 1; }
}
check reader.live t_reader_live

t_reader_corrupt() {
	# Break the time of the first event line, wherever the header ends.
	l=$(grep -n '^[0-9]' /tmp/snap | head -n 1 | cut -d: -f1)
	awk -v l="$l" 'NR == l { $2 = "12.34" } { print }' /tmp/snap >/tmp/bad
	bootstamps /tmp/bad >/dev/null 2>/tmp/err
	rc=$?
	[ $rc = 2 ] || { WHY="exit $rc, want 2"; return 1; }
	grep -q "/tmp/bad:$l:" /tmp/err || { WHY="error does not name file and line $l: $(cat /tmp/err)"; return 1; }
}
check reader.corrupt t_reader_corrupt


# ----------------------------------------------------------- switch root
# Mount the real root (ext4 on virtio-blk) and hand over to its init, as
# an initramfs does. Stage 2 continues the numbering.
[ -n "$EXT4_MODULE" ] && { load ext4 || diag "ext4 load failed"; }
mkdir -p /newroot
if mount -t ext4 /dev/vda /newroot; then
	slowest
	echo "n=$n BST_T0=$BST_T0" >/newroot/etc/bst.n
	exec 3>&-
	umount /proc /sys /tmp 2>/dev/null
	exec switch_root /newroot /sbin/init
fi
not_ok switch_root "cannot mount /dev/vda"
finish
}

# ============================================================ stage 2
stage2() {
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
t_root() {
	snap
	r=$(q root.mount vda fstype=ext4 by=initramfs)
	i=$(q init.exec init path=/sbin/init phase=root)
	[ -n "$r" ] || { WHY="no root.mount vda fstype=ext4 by=initramfs"; return 1; }
	[ -n "$i" ] || { WHY="no init.exec of /sbin/init from the real root"; return 1; }
	m=$(echo "$r" | kv mount)
	[ -n "$(awk -v m="$m" '$1 == m && $3 == "fs.mount" && $4 == "vda"' /tmp/snap)" ] ||
		{ WHY="root.mount mount=$m is not the fs.mount of vda"; return 1; }
	[ "$(t_time "$r")" -lt "$(t_time "$i")" ] || { WHY="root.mount is not before the real init's exec"; return 1; }
	first=$(q init.exec '*' phase=initramfs | head -n 1)
	[ -n "$first" ] && [ "$(t_time "$first")" -lt "$(t_time "$r")" ] || { WHY="initramfs init.exec not before root.mount"; return 1; }
}
check root.switch t_root

t_nodrop() {
	snap
	[ "$(hdr dropped)" = 0 ] && [ "$(hdr missed)" = 0 ] || { WHY="dropped=$(hdr dropped) missed=$(hdr missed)"; return 1; }
}
check store.nothing_lost t_nodrop

# ---------------------------------------------------------- boot window
# The module loaded in stage 1 has had its boot window open since: every
# program started is recorded with its exit, named in track= or not.
# uptime_s: whole seconds since boot, for boot_window= (builtins only).
uptime_s() { read -r up _ </proc/uptime; echo "${up%.*}"; }
# window_prog NAME MS STATUS: run a program called NAME (bst-vmtool, which
# sleeps MS ms and exits with STATUS); sets $prog_pid.
window_prog() {
	mkdir -p /tmp/w
	cp /bin/bst-vmtool "/tmp/w/$1"
	"/tmp/w/$1" "$2" "$3" &
	prog_pid=$!
	wait $prog_pid
}
t_window_open() {
	snap
	[ "$(hdr window)" = open ] || { WHY="window=$(hdr window) at $(uptime_s) s, boot_window default 600"; return 1; }
	window_prog bst_window_prog 300 3
	snap
	ex=$(q exec bst_window_prog pid=$prog_pid path=/tmp/w/bst_window_prog)
	[ -n "$ex" ] || { WHY="no exec of an untracked program (pid $prog_pid) in the window"; return 1; }
	seq=$(echo "$ex" | awk '{ print $1 }')
	end=$(q exit '*' pid=$prog_pid start=$seq status=768)
	[ -n "$end" ] || { WHY="no exit (status 768) closing exec $seq"; return 1; }
	# It slept 300 ms: a strict lower bound, no upper one (a busy host).
	[ "$(echo "$end" | kv dur_ns)" -ge 300000000 ] || { WHY="exit dur_ns=$(echo "$end" | kv dur_ns) < 300 ms"; return 1; }
	# The boot's own programs too, not only ours: stage 1's sed runs, which
	# busybox starts through /proc/self/exe: named by their argv[0].
	[ -n "$(q exec sed path=/proc/self/exe)" ] || { WHY="stage 1's sed runs were not recorded as sed"; return 1; }
}
check window.every_exec t_window_open

# The first boot-done marker closes the window, as bootstamps-save.service
# does at the end of a real boot: from then on no untracked exec is
# recorded, and with track= empty the exec hooks are detached (writing
# track= attaches them again). On stage 1's module: the capture the host
# gets is of a boot whose window closed.
t_window_boot_done() {
	tracked=$(cat $TRACK)
	echo >$TRACK
	before=$(now)
	echo boot-done >$BST || { WHY="cannot write boot-done"; return 1; }
	after=$(now)
	wait_for sh -c "grep -q '^# window=closed .* window_detached=block,exec' $BST" ||
		{ WHY="no window=closed with block,exec detached: $(grep '^# window' $BST)"; return 1; }
	snap
	[ "$(hdr window_closed_by)" = boot-done ] || { WHY="window_closed_by=$(hdr window_closed_by)"; return 1; }
	at=$(hdr window_closed_at | tr -d .)
	[ "$at" -ge "$before" ] && [ "$at" -le "$after" ] || { WHY="closed at $at, not within the write ($before..$after)"; return 1; }
	window_prog bst_after_window 10 0
	/bin/true
	snap
	[ -z "$(q exec '*' pid=$prog_pid)" ] || { WHY="an exec recorded after the window closed"; return 1; }
	late=$(awk -v at="$at" '!/^#/ && ($3 == "exec" || $3 == "exit") { t = $2; gsub(/\./, "", t); if (t + 0 > at + 0) print }' /tmp/snap | head -n 1)
	[ -z "$late" ] || { WHY="recorded after the close: $late"; return 1; }
	[ "$(hdr events)" -lt "$(hdr capacity)" ] || { WHY="no room left in the store: events=$(hdr events)"; return 1; }
	# A second boot-done is only a marker.
	echo boot-done >$BST
	snap
	[ "$(hdr window_closed_at | tr -d .)" = "$at" ] || { WHY="a second boot-done moved the close"; return 1; }
	# track= written after the close: the exec hooks come back for it.
	echo bst_late >$TRACK
	window_prog bst_late 10 0
	snap
	[ -n "$(q exec bst_late pid=$prog_pid)" ] || { WHY="track= set after the window did not attach exec again"; return 1; }
	[ -n "$(q exit '*' pid=$prog_pid)" ] || { WHY="no exit for the late tracked program"; return 1; }
	echo "$tracked" >$TRACK
}
check window.closes_at_boot_done t_window_boot_done

# The capture, for the host (make demo shows it; the host reader parses it).
echo "bootstamps demo marker" >$BST 2>/dev/null
snap
sed 's/^/capture: /' /tmp/snap >&3

# proc_budget=5: five untracked execs recorded, every later one counted.
t_window_budget() {
	rmmod bootstamps
	insmod /mods/bootstamps.ko proc_budget=5 track= || { WHY="insmod proc_budget=5"; return 1; }
	i=0
	while [ $i -lt 10 ]; do /bin/true; i=$((i + 1)); done
	snap
	got=$(awk '$3 == "exec"' /tmp/snap | wc -l)
	[ "$got" = 5 ] && [ "$(hdr window_execs)" = 5 ] ||
		{ WHY="$got exec events, window_execs=$(hdr window_execs), want 5"; return 1; }
	# Ten /bin/true and the snap's cat at least, less the five kept.
	[ "$(hdr window_execs_over_budget)" -ge 6 ] || { WHY="window_execs_over_budget=$(hdr window_execs_over_budget), want >= 6"; return 1; }
}
check window.budget t_window_budget

# Without boot-done the window closes at boot_window seconds after boot;
# a module loaded past that has no window from the start.
t_window_timeout() {
	rmmod bootstamps
	end=$(($(uptime_s) + 3))
	insmod /mods/bootstamps.ko boot_window=$end || { WHY="insmod boot_window=$end"; return 1; }
	snap
	[ "$(hdr window)" = open ] || { WHY="window=$(hdr window) before boot_window=$end"; return 1; }
	wait_for sh -c "grep -q '^# window=closed .*window_closed_by=timeout' $BST" ||
		{ WHY="the window did not close by timeout: $(grep '^# window' $BST)"; return 1; }
	snap
	[ "$(hdr window_closed_at | tr -d .)" -ge "${end}000000000" ] || { WHY="closed at $(hdr window_closed_at), before ${end} s"; return 1; }
	# The default track= list is not empty: exec stays attached for it.
	case $(grep '^# window' /tmp/snap) in *window_detached=block\ *|*window_detached=block) ;;
	*) WHY="want only block detached with a track= list: $(grep '^# window' /tmp/snap)"; return 1 ;; esac
	rmmod bootstamps
	insmod /mods/bootstamps.ko boot_window=1 || { WHY="insmod boot_window=1"; return 1; }
	wait_for sh -c "grep -q '^# window=closed .*window_closed_by=timeout' $BST" ||
		{ WHY="loaded after boot_window=1, the window is not closed: $(grep '^# window' $BST)"; return 1; }
	rmmod bootstamps
	insmod /mods/bootstamps.ko boot_window=0 || { WHY="insmod boot_window=0"; return 1; }
	window_prog bst_no_window 10 0
	snap
	[ "$(hdr window)" = off ] || { WHY="boot_window=0 gave window=$(hdr window)"; return 1; }
	[ -z "$(q exec '*' pid=$prog_pid)" ] || { WHY="an untracked exec recorded with boot_window=0"; return 1; }
	rmmod bootstamps
	# The next cases' store starts where stage 1's did.
	insmod /mods/bootstamps.ko $NOWIN
}
check window.timeout t_window_timeout


# --------------------------------------------------------------- reload
t_reload() {
	rmmod bst_fixture
	exec 4<$BST
	rmmod bootstamps || { WHY="rmmod failed"; return 1; }
	[ ! -e $BST ] || { WHY="$BST still there after rmmod"; return 1; }
	cat <&4 >/dev/null 2>&1 && { WHY="reading a file held open across rmmod succeeded"; return 1; }
	exec 4<&-
	insmod /mods/bootstamps.ko $NOWIN mark_quota=2 probe_hook=notifier || { WHY="second insmod failed"; return 1; }
	snap
	[ "$(head -n 1 /tmp/snap)" = "# bootstamps 1" ] || { WHY="bad header after reload"; return 1; }
	[ -z "$(q mark cloud-init:final)" ] || { WHY="old events survived the reload"; return 1; }
}
check reload t_reload

t_quota() {
	for i in 1 2 3; do out=$(bst-vmtool write $BST "m$i"); done
	[ "$out" = ENOSPC ] || { WHY="third marker over quota 2: '$out'"; return 1; }
	snap
	[ "$(hdr markers)" = 2 ] && [ "$(hdr markers_refused)" = 1 ] ||
		{ WHY="markers=$(hdr markers) markers_refused=$(hdr markers_refused)"; return 1; }
}
check mark.quota t_quota

t_notifier() {
	[ "$(hdr probe)" = notifier:pci,platform ] || { WHY="probe hook is $(hdr probe)"; return 1; }
	insmod /mods/bst_fixture.ko delay_ms=30 || { WHY="insmod fixture failed"; return 1; }
	snap
	line=$(q probe.end '*' driver=bst_fixture bus=pci | head -n 1)
	[ -n "$line" ] || { WHY="no probe.end from the notifiers"; return 1; }
	[ "$(echo "$line" | kv dur_ns)" -ge 30000000 ] || { WHY="dur below 30 ms: $line"; return 1; }
	[ "$(echo "$line" | kv rc)" = 0 ] || { WHY="a bound probe must say rc=0: $line"; return 1; }
	rmmod bst_fixture
}
check probe.notifier_fallback t_notifier

t_hooks_off() {
	rmmod bootstamps && insmod /mods/bootstamps.ko $NOWIN probe_hook=off || { WHY="load with probe_hook=off failed"; return 1; }
	snap
	[ "$(hdr probe)" = off:disabled ] || { WHY="probe hook is $(hdr probe)"; return 1; }
	dmesg | grep -q "bootstamps: hooks off: probe" || { WHY="no pr_warn about the hook"; return 1; }
}
check hooks.off t_hooks_off

t_params() {
	rmmod bootstamps
	insmod /mods/bootstamps.ko $NOWIN capacity=0 2>/dev/null && { WHY="capacity=0 loaded"; return 1; }
	dmesg | grep -q "capacity=0 is out of range" || { WHY="no message for capacity=0"; return 1; }
	insmod /mods/bootstamps.ko $NOWIN probe_hook=bogus 2>/dev/null && { WHY="probe_hook=bogus loaded"; return 1; }
	insmod /mods/bootstamps.ko $NOWIN capacity=262145 2>/dev/null && { WHY="capacity=262145 (over the maximum) loaded"; return 1; }
	dmesg | grep -q "capacity=262145 is out of range 1..262144" || { WHY="no message for capacity=262145"; return 1; }
	# Past 32 bits and not a number: the kernel's parser refuses them.
	insmod /mods/bootstamps.ko $NOWIN capacity=4294967297 2>/dev/null && { WHY="capacity=4294967297 loaded"; return 1; }
	insmod /mods/bootstamps.ko $NOWIN capacity=lots 2>/dev/null && { WHY="capacity=lots loaded"; return 1; }
	dmesg | grep -q "invalid for parameter .capacity" || { WHY="no message for capacity=lots"; return 1; }
	[ ! -e $BST ] || { WHY="$BST exists after refused loads"; return 1; }
	insmod /mods/bootstamps.ko $NOWIN capacity=8 mark_quota=100 || { WHY="mark_quota=100 with capacity=8 did not load"; return 1; }
	dmesg | grep -q "mark_quota=100 clamped to 4" || { WHY="no message for the clamped mark_quota"; return 1; }
	rmmod bootstamps
	insmod /mods/bootstamps.ko $NOWIN capacity=4 || { WHY="capacity=4 did not load"; return 1; }
	insmod /mods/bst_fixture.ko
	snap
	[ "$(hdr events)" = 4 ] && [ "$(hdr dropped)" -gt 0 ] || { WHY="events=$(hdr events) dropped=$(hdr dropped)"; return 1; }
	rmmod bst_fixture && rmmod bootstamps
}
check params t_params

# A bad spans= at load turns the spans hook off and loads the rest: a typo
# in modprobe.d must not lose the boot. Module names are the kernel's,
# '-' as '_'.
t_spans_params() {
	insmod /mods/bootstamps.ko $NOWIN 'spans=ena:f;x' || { WHY="a bad spans= did not load"; return 1; }
	snap
	echo bst_fixture:bst_fixture_wait >/sys/module/bootstamps/parameters/spans 2>/dev/null && ok_write=1 || ok_write=0
	rmmod bootstamps
	grep -q '^# hooks .* spans=off:-22' /tmp/snap || { WHY="hooks: $(grep '^# hooks' /tmp/snap)"; return 1; }
	dmesg | grep -q "spans: 'ena:f;x' is not module:function" || { WHY="no message for the bad spans="; return 1; }
	[ $ok_write = 0 ] || { WHY="spans= was accepted at run time with the hook off"; return 1; }
	insmod /mods/bootstamps.ko $NOWIN spans=bst-fixture:bst_fixture_wait || { WHY="spans=bst-fixture:... did not load"; return 1; }
	insmod /mods/bst_fixture.ko
	snap
	rmmod bst_fixture; rmmod bootstamps
	grep -qx '# spans bst_fixture:bst_fixture_wait=on' /tmp/snap || { WHY="spans: $(grep '^# spans' /tmp/snap)"; return 1; }
}
check spans.params t_spans_params

# A bad track= at load keeps the default list and loads: a typo must not
# lose the boot. At run time it is refused, and the list stays.
t_track_params() {
	insmod /mods/bootstamps.ko $NOWIN track="$(printf 'x%.0s' $(seq 40))" || { WHY="an over-long track= name did not load"; return 1; }
	dmesg | grep -q "track: each name must be" && dmesg | grep -q "track: using the default list instead" ||
		{ WHY="no message for the over-long track= name"; return 1; }
	list=$(cat /sys/module/bootstamps/parameters/track)
	echo "a,,b" >/sys/module/bootstamps/parameters/track 2>/dev/null && bad=1 || bad=0
	after=$(cat /sys/module/bootstamps/parameters/track)
	rmmod bootstamps
	case $list in *ntpdate*sshd*) ;; *) WHY="track= is '$list', not the default list"; return 1 ;; esac
	[ $bad = 0 ] && [ "$after" = "$list" ] || { WHY="a bad list at run time: accepted=$bad, list now '$after'"; return 1; }
}
check track.params t_track_params

# read_gid=N: that group reads the file too, without CAP_SYSLOG; no other.
t_read_gid() {
	insmod /mods/bootstamps.ko $NOWIN read_gid=1000 || { WHY="insmod read_gid=1000 failed"; return 1; }
	st=$(stat -c '%a %u %g' $BST)
	out=$(bst-vmtool --uid 1000 read $BST)
	out2=$(bst-vmtool --uid 1001 read $BST)
	rmmod bootstamps
	[ "$st" = "640 0 1000" ] || { WHY="mode, owner: $st"; return 1; }
	case $out in "ok "*) ;; *) WHY="uid 1000 (gid 1000) got '$out'"; return 1 ;; esac
	[ "$out2" = EACCES ] || { WHY="uid 1001 got '$out2'"; return 1; }
}
check privacy.read_gid t_read_gid

# ------------------------------------------------------------ stress
# Lifetimes under load. Any splat panics the VM (panic_on_warn, oops=panic)
# and the host fails the run, so these pass only if nothing went wrong.

# stress NAME CMD...: a stress case, run in a full boot; a core boot
# (bst.tier=core, what make check gives the kernels it does not boot in
# full) skips it, saying where it runs.
stress() {
	if [ "$(arg tier)" = core ]; then
		skip "$1" "core boot: make check runs the stress cases on 5.10, 6.1 cloud-amd64 and 6.12, make check-all on every kernel"
	else
		check "$@"
	fi
}

# More interfaces live at once than bootstamps' table of first milestones
# holds (256): the ones past it are still recorded once each, and flaps
# of the first and the last still add no second carrier.
t_net_many_body() {
	k=0
	while [ $k -lt 260 ]; do
		ip link add bstm$k type dummy && ip link set bstm$k up || { WHY="could not make bstm$k"; return 1; }
		k=$((k + 1))
	done
	ip link set bstm0 down && ip link set bstm0 up && ip link set bstm259 down && ip link set bstm259 up
	snap
	bad=$(awk '$3 == "net.carrier" && $4 ~ /^bstm/ { c[$4]++ } END { for (d in c) if (c[d] != 1) print d, c[d]; }' /tmp/snap | head -n 1)
	[ -z "$bad" ] || { WHY="net.carrier count: $bad"; return 1; }
	carriers=$(awk '$3 == "net.carrier" && $4 ~ /^bstm/' /tmp/snap | wc -l)
	[ "$carriers" = 260 ] || { WHY="$carriers of 260 interfaces have a net.carrier"; return 1; }
}
t_net_many() {
	insmod /mods/bootstamps.ko $NOWIN capacity=16384 || { WHY="insmod capacity=16384"; return 1; }
	t_net_many_body
	rc=$?
	# Removing the driver deletes its devices in one batch; the next
	# cases load bootstamps again, which would replay every one of them.
	rmmod dummy 2>/dev/null || for d in /sys/class/net/bstm*; do ip link del "${d##*/}"; done
	rmmod bootstamps
	return $rc
}
if [ -d /sys/module/dummy ]; then
	stress stress.net_interfaces_260 t_net_many
else
	skip stress.net_interfaces_260 "this kernel has no dummy network driver"
fi

# capacity=64 with a thousand events: exactly 64 kept, every other one
# counted as dropped, none overwritten.
t_capacity() {
	rmmod ena 2>/dev/null	# its deferred retries would add events
	insmod /mods/bootstamps.ko $NOWIN capacity=64 || { WHY="insmod capacity=64"; return 1; }
	wait_backfill
	insmod /mods/bst_fixture.ko
	snap
	before=$(( $(hdr events) + $(hdr dropped) ))
	first=$(grep -m 1 '^1 ' /tmp/snap)
	dev=$(basename "$(readlink /sys/bus/pci/drivers/bst_fixture/0000:* | head -n 1)")
	i=0
	while [ $i -lt 500 ]; do
		echo "$dev" >/sys/bus/pci/drivers/bst_fixture/unbind
		echo "$dev" >/sys/bus/pci/drivers/bst_fixture/bind
		i=$((i + 1))
	done
	snap
	[ "$(hdr events)" = 64 ] && [ "$(grep -c '^[0-9]' /tmp/snap)" = 64 ] ||
		{ WHY="events=$(hdr events), $(grep -c '^[0-9]' /tmp/snap) lines"; return 1; }
	# Each cycle is one probe: a probe.start and a probe.end.
	[ $(( $(hdr events) + $(hdr dropped) )) = $((before + 1000)) ] ||
		{ WHY="events+dropped=$(( $(hdr events) + $(hdr dropped) )), want $((before + 1000))"; return 1; }
	[ "$(grep -m 1 '^1 ' /tmp/snap)" = "$first" ] || { WHY="event 1 was overwritten"; return 1; }
	rmmod bst_fixture && rmmod bootstamps
}
stress stress.capacity_exact t_capacity

# 1000 threads released together, 10 markers each: 10000 writes, of which
# exactly mark_quota are kept and the rest refused with ENOSPC; each kept
# line whole, each marker once.
t_writers() {
	insmod /mods/bootstamps.ko $NOWIN capacity=16384 mark_quota=8192 || { WHY="insmod capacity=16384"; return 1; }
	out=$(bst-vmtool writers $BST 1000 10)
	[ "$out" = "ok=8192 ENOSPC=1808 other=0" ] || { WHY="writers: $out, want ok=8192 ENOSPC=1808 other=0"; return 1; }
	snap
	[ "$(hdr markers)" = 8192 ] && [ "$(hdr markers_refused)" = 1808 ] ||
		{ WHY="markers=$(hdr markers) markers_refused=$(hdr markers_refused)"; return 1; }
	awk '$3 == "mark"' /tmp/snap >/tmp/marks
	torn=$(awk 'NF != 7 || $4 !~ /^w[0-9]+\.[0-9]+$/ || $5 !~ /^pid=[0-9]+$/ || $6 != "comm=bst-vmtool" || $7 !~ /^local=[0-9]+\.[0-9]{9}$/' /tmp/marks | head -n 1)
	[ -z "$torn" ] || { WHY="a malformed marker line: $torn"; return 1; }
	[ "$(awk '{ print $4 }' /tmp/marks | sort -u | wc -l)" = 8192 ] || { WHY="markers not distinct: $(awk '{ print $4 }' /tmp/marks | sort | uniq -d | head -n 1)"; return 1; }
	rmmod bootstamps
}
stress stress.writers_10k t_writers

# One open file is one snapshot: reads of every size and at every offset,
# with lseek and pread, agree byte for byte with its first read, though a
# marker is written in between; a new open shows that marker (or, the
# store being full, that it was refused).
t_readcheck() {
	# A small file: every offset re-renders it from the start. The
	# backfill fills it, so readcheck's marker is refused and counted.
	insmod /mods/bootstamps.ko $NOWIN capacity=64 || { WHY="insmod capacity=64"; return 1; }
	wait_backfill
	insmod /mods/bst_fixture.ko
	for i in 1 2 3 4 5; do echo "read:check:$i" >$BST; done
	rmmod bst_fixture
	# On a failure too the module goes, or every later case's insmod fails.
	out=$(bst-vmtool readcheck $BST) || { WHY="$out ($(grep '^# capacity' $BST))"; rmmod bootstamps; return 1; }
	diag "readcheck: $out ($(grep '^# capacity' $BST))"
	rmmod bootstamps
}
stress stress.reads_every_offset t_readcheck

# 100 load/unload cycles while a reader loops over the file and a writer
# writes markers.
t_cycles() {
	# Shell builtins only: a cat per read would exit through the
	# sched_process_exit site that every load and unload re-patches, which
	# has livelocked TCG's two vCPUs there (seen once in four 6.1 runs).
	( while :; do while read -r l; do :; done 2>/dev/null <$BST; done ) &
	reader=$!
	# 2>/dev/null first: while the module is out, a failed >$BST must not
	# print (an error per loop floods the emulated serial console).
	( while :; do echo stress 2>/dev/null >$BST; done ) &
	writer=$!
	i=0
	while [ $i -lt "$cycles" ]; do
		insmod /mods/bootstamps.ko $NOWIN || { WHY="insmod $i failed"; break; }
		rmmod bootstamps || { WHY="rmmod $i failed"; break; }
		i=$((i + 1))
	done
	kill $reader $writer
	wait $reader $writer 2>/dev/null
	[ $i = "$cycles" ]
}
# On Debian's 6.12.95 under TCG this loop once crashed the guest inside
# insmod (970f542: a #DB WARN in exc_debug_kernel, or a double fault, in
# __vmalloc_node_range via execmem_alloc). Module loading and kprobes both
# patch live kernel text, and QEMU's vCPUs were later seen racing over
# that at boot with no bootstamps loaded (tests/vm/run.sh, boot()): a
# likely cause, not a proven one. If it comes back, the console has it.
# A cycle takes over a second under TCG (registering and unregistering
# every hook waits for RCU and patches code): make check's full boots run
# 20 (bst.cycles=20, from tests/vm/run.sh), the tier-2 lanes 100.
cycles=$(arg cycles)
cycles=${cycles:-100}
stress stress.load_unload_cycles t_cycles

# Unload bootstamps while a probe it is timing is still running: the
# kretprobe is gone before the probe returns.
t_unload_mid_probe() {
	insmod /mods/bootstamps.ko $NOWIN || { WHY="insmod"; return 1; }
	# The backfill turns earlier fixture probes in the log into events.
	wait_backfill
	# The fixture's probe holds until told to go on: the test, not a
	# sleep, decides when the probe is in progress.
	insmod /mods/bst_fixture.ko hold=1 async_probe=1 || { WHY="insmod fixture"; return 1; }
	F=/sys/module/bst_fixture/parameters
	wait_for grep -qx 1 $F/probing || { WHY="the fixture's probe never started"; return 1; }
	# The probe is running: our store has its start and no end yet.
	snap
	last=$(awk '$3 ~ /^probe\./ && / driver=bst_fixture / && !/ src=kmsg/ { e = $3 } END { print e }' /tmp/snap)
	[ "$last" = probe.start ] || { WHY="no probe in progress (last fixture event: ${last:-none})"; return 1; }
	# rmmod runs bootstamps' exit, which unregisters its probes and then
	# removes $BST, and then waits for every async probe (the held one
	# too) before freeing the module: so it runs in the background, and
	# the probe is let go once $BST is gone.
	rmmod bootstamps &
	rm_pid=$!
	wait_for not_there $BST || { WHY="$BST still there while rmmod runs"; echo 0 >$F/hold; return 1; }
	echo 0 >$F/hold
	wait $rm_pid || { WHY="rmmod during a probe failed"; return 1; }
	# The probe returned through a kretprobe that no longer exists.
	wait_for grep -qx 0 $F/probing || { WHY="the fixture's probe did not complete"; return 1; }
	[ "$(cat $F/last_probe_ns)" -gt 0 ] || { WHY="the fixture's probe did not complete"; return 1; }
	rmmod bst_fixture
}
stress stress.unload_mid_probe t_unload_mid_probe

# spans= is rewritten while a timed function runs: its kretprobe goes away
# mid-call. Where kretprobes do not use rethook (Debian's 6.1 arm64; x86
# 5.11 to 5.18) unregistering clears the instance's kretprobe pointer
# under handlers that may still be running; the call must end without a
# crash and without an fn.end for a span whose hook is gone.
t_spans_mid_call() {
	insmod /mods/bootstamps.ko $NOWIN spans=bst_fixture:bst_fixture_probe || { WHY="insmod"; return 1; }
	wait_backfill
	insmod /mods/bst_fixture.ko hold=1 async_probe=1 || { WHY="insmod fixture"; rmmod bootstamps; return 1; }
	F=/sys/module/bst_fixture/parameters
	if ! wait_for grep -qx 1 $F/probing; then
		WHY="the fixture's probe never started"
		echo 0 >$F/hold
		rmmod bst_fixture; rmmod bootstamps
		return 1
	fi
	snap
	start=$(awk '$3 == "fn.start" && $4 == "bst_fixture_probe" { s = $1 } END { print s }' /tmp/snap)
	echo >/sys/module/bootstamps/parameters/spans
	echo 0 >$F/hold
	wait_for grep -qx 0 $F/probing || WHY="the fixture's probe did not complete"
	snap
	rmmod bst_fixture; rmmod bootstamps
	[ -z "$WHY" ] || return 1
	[ -n "$start" ] || { WHY="no fn.start for the held call"; return 1; }
	! grep -q '^# spans' /tmp/snap || { WHY="spans still listed after the rewrite: $(grep '^# spans' /tmp/snap)"; return 1; }
	line=$(awk -v s="start=$start" '$3 == "fn.end" { for (i = 5; i <= NF; i++) if ($i == s) print }' /tmp/snap)
	[ -z "$line" ] || { WHY="an fn.end for a span whose hook was removed: $line"; return 1; }
}
check spans.rewrite_mid_call t_spans_mid_call

# A tracked program named like a module exits between that module's load
# and its unload: the unload is still an unload, not a failed init that
# lasted the module's lifetime.
t_going_after_tracked_exit() {
	insmod /mods/bootstamps.ko $NOWIN track=bst_fixture || { WHY="insmod"; return 1; }
	insmod /mods/bst_fixture.ko || { WHY="insmod fixture"; rmmod bootstamps; return 1; }
	cp /bin/busybox /tmp/bst_fixture
	/tmp/bst_fixture >/dev/null 2>&1	# no such applet: an exec and an exit
	rmmod bst_fixture
	snap
	rmmod bootstamps
	[ -n "$(q exit bst_fixture)" ] || { WHY="the tracked program's exit was not recorded"; return 1; }
	line=$(q module.going bst_fixture | tail -n 1)
	case $line in *" phase=unload "*) ;; *) WHY="module.going: ${line:-none}"; return 1 ;; esac
	case $line in *" start="*) WHY="module.going closes a span: $line"; return 1 ;; esac
}
check module.unload_after_tracked_exit t_going_after_tracked_exit

# A user floods a tracked name: 64 long-running copies of a program called
# sshd, then 20 short ones. At most user_exec_quota (64) of their execs are
# recorded, the rest counted; they hold at most half the exit-tracking
# slots, so root's sshd afterwards still gets its whole span.
t_user_flood() {
	insmod /mods/bootstamps.ko $NOWIN track=sshd || { WHY="insmod"; return 1; }
	mkdir -p /tmp/u /tmp/r
	cp /bin/bst-vmtool /tmp/u/sshd
	cp /bin/bst-vmtool /tmp/r/sshd
	bst-vmtool --uid 1000 exec sh -c 'i=0; while [ $i -lt 64 ]; do /tmp/u/sshd 120000 0 & i=$((i + 1)); done; wait' &
	holder=$!
	wait_for sh -c '[ "$(ps | grep -c "[/]tmp/u/sshd 120000")" -ge 64 ]' || WHY="64 sleepers did not start"
	bst-vmtool --uid 1000 exec sh -c 'i=0; while [ $i -lt 20 ]; do /tmp/u/sshd 0 0; i=$((i + 1)); done'
	/tmp/r/sshd 10 0
	snap
	# shellcheck disable=SC2046 # one pid per word
	kill $(ps | awk '/[\/]tmp\/u\/sshd 120000/ { print $1 }') 2>/dev/null
	wait $holder 2>/dev/null
	rmmod bootstamps
	[ -z "$WHY" ] || return 1
	users=$(q exec sshd path=/tmp/u/sshd | wc -l)
	[ "$users" = 64 ] && [ "$(hdr user_execs_refused)" = 20 ] ||
		{ WHY="users' execs recorded: $users, want 64; user_execs_refused=$(hdr user_execs_refused), want 20"; return 1; }
	seq=$(q exec sshd path=/tmp/r/sshd | awk '{ print $1 }')
	[ -n "$seq" ] || { WHY="root's sshd was not recorded"; return 1; }
	[ -n "$(q exit sshd start=$seq status=0)" ] || { WHY="root's sshd has no exit: the users held every slot"; return 1; }
}
check exec.user_flood t_user_flood

# The module's pure logic under KUnit (tests/kunit/), where the kernel has
# it: every case of both suites becomes a result here.
t_kunit() {
	insmod /mods/bootstamps_kunit.ko || { WHY="insmod bootstamps_kunit.ko failed"; return 1; }
	bad=0
	for suite in bootstamps_format bootstamps_store; do
		r=/sys/kernel/debug/kunit/$suite/results
		[ -r $r ] || { not_ok "kunit.$suite" "no $r"; bad=1; continue; }
		# Case lines are indented under their suite's "# Subtest:".
		cases=$(grep -cE '^[[:space:]]+(not )?ok [0-9]+ ' $r)
		[ "$cases" -gt 0 ] || { not_ok "kunit.$suite" "no cases in $r"; bad=1; continue; }
		grep -E '^[[:space:]]+(not )?ok [0-9]+ ' $r | sed 's/^[[:space:]]*//; s/ - / /' |
			while read -r verdict rest; do
				[ "$verdict" = not ] && { set -- $rest; echo "not ok kunit.$suite.$3"; continue; }
				set -- $rest
				echo "ok kunit.$suite.$2"
			done >/tmp/kunit.$suite
		while read -r line; do
			case $line in
			"not ok "*) bad=1; not_ok "${line#not ok }" "see the KUnit report: $(grep -B8 -m 1 "not ok.* ${line##*.}" $r | grep -m 2 -E 'Expected|ASSERT|EXPECT' | tr '\n' ' ')" ;;
			*) ok "${line#ok }" ;;
			esac
		done </tmp/kunit.$suite
	done
	rmmod bootstamps_kunit || { WHY="rmmod bootstamps_kunit failed"; return 1; }
	[ $bad = 0 ] || { WHY="a KUnit case failed (above)"; return 1; }
}
if [ -e /mods/bootstamps_kunit.ko ]; then
	check kunit t_kunit
else
	skip kunit "kernel without CONFIG_KUNIT (Debian's have none): make check-debug runs it"
fi

# kmemleak after every load, unload and stress case above.
t_kmemleak() {
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	# An object is reported once unreferenced for 5 s; scanning twice
	# settles what the first scan saw in flight.
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/kmemleak
	leaks=$(grep -c '^unreferenced object' /tmp/kmemleak)
	[ "$leaks" = 0 ] || {
		sed 's/^/kmemleak: /' /tmp/kmemleak | head -n 40 >/dev/kmsg
		WHY="$leaks unreferenced objects; first: $(grep -m 3 -E '\[<[0-9a-f]+>\]' /tmp/kmemleak | awk '{ print $2 }' | tr '\n' ' ')"
		return 1
	}
}
if [ -e $KMEMLEAK ]; then
	check kmemleak t_kmemleak
else
	skip kmemleak "kernel without CONFIG_DEBUG_KMEMLEAK: make check-debug runs it"
fi

check taint t_taint

finish
}

# One short boot of an A/B series (tests/ab.sh): the fixture probes with a
# known delay, the boot is saved twice (still one file), the file goes to
# the host on the result port.
ab_boot() {
	[ -f /etc/bst-stage2 ] && ab_root
	# The initramfs: bootstamps first (its boot window open, as installed),
	# the disk's drivers, the network driver under test, then the root.
	# The test's driver has its inner function timed (ab.sh checks where
	# the time moved); the demo's shows nothing but the driver.
	spans=
	[ "$AB_DRIVER" = bst_fixture ] && spans=spans=bst_fixture:bst_fixture_wait
	insmod /mods/bootstamps.ko $spans || { not_ok ab.load "insmod failed"; finish; }
	load virtio_blk && load virtio_pci || diag "virtio load failed"
	check ab.driver insmod "/mods/$AB_DRIVER.ko" "delay_ms=$AB_DELAY"
	[ -n "$EXT4_MODULE" ] && { load ext4 || diag "ext4 load failed"; }
	mkdir -p /newroot
	if mount -t ext4 /dev/vda /newroot; then
		echo "n=$n" >/newroot/etc/bst.n
		exec 3>&-
		umount /proc /sys /tmp 2>/dev/null
		exec switch_root /newroot /sbin/init
	fi
	not_ok ab.switch_root "cannot mount /dev/vda"
	finish
}
# The image's root: its OS release ($AB_OS), a service that only some
# images run (ntpdate for $AB_SERVICE ms), then the boot's end marked and
# the boot saved, as bootstamps-save.service does.
ab_root() {
	printf 'ID=demo\nVERSION_ID=%s\nPRETTY_NAME="Demo Linux %s"\n' "$AB_OS" "$AB_OS" >/etc/os-release
	[ "$AB_SERVICE" -gt 0 ] && check ab.service /usr/sbin/ntpdate "$AB_SERVICE" 0
	check ab.mark bootstamps mark boot-done
	t_save_twice() {
		bootstamps save --dir /tmp/archive --quiet && bootstamps save --dir /tmp/archive --quiet ||
			{ WHY="save failed"; return 1; }
		[ "$(ls -A /tmp/archive | wc -l)" = 1 ] || { WHY="$(ls -A /tmp/archive)"; return 1; }
		[ -f "/tmp/archive/$(cat /proc/sys/kernel/random/boot_id).bst" ] || { WHY="not named by boot_id"; return 1; }
	}
	check ab.save_twice_one_file t_save_twice
	sed 's/^/saved: /' /tmp/archive/*.bst >&3
	finish
}

# make bench: recording costs measured in the kernel, the instrument's
# accuracy, and the added cost of each probe hook per bind/unbind cycle.
bench_boot() {
	mount -t debugfs debugfs /sys/kernel/debug
	insmod /mods/bootstamps.ko $NOWIN capacity=262144 || { not_ok bench.load "insmod failed"; finish; }
	for d in 1 10 100; do
		insmod /mods/bst_fixture.ko delay_ms=$d
		snap
		echo "bench: accuracy_${d}ms ours=$(q probe.end '*' driver=bst_fixture | tail -n 1 | kv dur_ns) own=$(cat /sys/module/bst_fixture/parameters/last_probe_ns)" >&3
		rmmod bst_fixture
	done
	# Bind/unbind cycles per probe hook: a warm-up round (TCG translates
	# the code paths once), then each hook in both orders, averaged.
	cycles() {
		rmmod bootstamps
		insmod /mods/bootstamps.ko $NOWIN probe_hook=$1
		insmod /mods/bst_fixture.ko
		dev=$(basename "$(readlink /sys/bus/pci/drivers/bst_fixture/0000:* | head -n 1)")
		t0=$(now)
		i=0
		while [ $i -lt "$2" ]; do
			echo "$dev" >/sys/bus/pci/drivers/bst_fixture/unbind
			echo "$dev" >/sys/bus/pci/drivers/bst_fixture/bind
			i=$((i + 1))
		done
		echo $(( ($(now) - t0) / $2 ))
		rmmod bst_fixture
	}
	cycles kretprobe 50 >/dev/null
	for hook in off notifier kretprobe; do eval "t_$hook=\$(cycles $hook 200)"; done
	for hook in kretprobe notifier off; do eval "t_$hook=\$(( (t_$hook + \$(cycles $hook 200)) / 2 ))"; done
	for hook in off notifier kretprobe; do eval "echo \"bench: bindcycle_${hook}_ns \$t_$hook\"" >&3; done
	# Last: the in-kernel timings (they fill the log with 20k printks).
	rmmod bootstamps
	insmod /mods/bootstamps.ko $NOWIN capacity=262144
	cat /sys/kernel/debug/bootstamps-bench >/tmp/bench.out
	sed 's/^/bench: /' /tmp/bench.out >&3
	check bench.ran grep -q '^record_ns [0-9]' /tmp/bench.out
	finish
}

# One boot of the overhead series: drivers load with or without bootstamps
# loaded first; the time the boot is done is the figure.
bootcost_boot() {
	[ "$(arg load)" = 1 ] && insmod /mods/bootstamps.ko
	load virtio_blk && load virtio_net && load virtio_pci
	[ "$NVME_IS_MODULE" = 1 ] && load nvme
	echo "bench: done_ns $(now)" >&3
	check bootcost.done true
	finish
}

# One short boot of make check-qemu (tests/qemu-repro.sh): the drivers the
# test boot loads, with or without bootstamps first, ENA bound to edu (its
# probe fails after some 600 ms), the ext4 root mounted; then power off.
# What is judged is that the kernel got here at all, without a splat.
repro_boot() {
	[ "$(arg load)" = 1 ] && { check repro.load insmod /mods/bootstamps.ko; }
	load virtio_blk && load virtio_net && load virtio_pci || diag "virtio load failed"
	[ "$NVME_IS_MODULE" = 1 ] && { load nvme || diag "nvme load failed"; }
	[ -n "$EXT4_MODULE" ] && { load ext4 || diag "ext4 load failed"; }
	load ena || diag "ena load failed"
	echo 1234 11e8 >/sys/bus/pci/drivers/ena/new_id 2>/dev/null
	mkdir -p /newroot
	check repro.mount_root mount -t ext4 /dev/vda /newroot
	umount /newroot
	[ "$(arg load)" = 1 ] && check repro.taint t_taint
	check repro.done true
	finish
}

# Many probes at once: bst_fixture_many makes N platform devices whose
# driver prefers async probing, each probe sleeping 100 ms, on a 4-CPU VM.
# Every span must be paired with its own start; the kretprobe's instance
# pool (maxactive) may run out, but then `missed` says exactly how many
# probes went unseen.
async64_boot() {
	check load insmod /mods/bootstamps.ko
	wait_backfill
	# many COUNT MS: COUNT probes of MS ms each; judge their spans. Sets
	# $missed and $peak.
	many() {
		snap
		missed0=$(hdr missed)
		last=$(hdr events)
		insmod /mods/bst_fixture_many.ko count=$1 delay_ms=$2 || { WHY="insmod count=$1 failed"; return 1; }
		snap
		missed=$(($(hdr missed) - missed0))
		awk -v l="$last" '$1 > l && / driver=bst_many / && ($3 == "probe.start" || $3 == "probe.end")' /tmp/snap >/tmp/many
		starts=$(awk '$3 == "probe.start"' /tmp/many | wc -l)
		ends=$(awk '$3 == "probe.end"' /tmp/many | wc -l)
		[ "$((starts + missed))" = "$1" ] && [ "$ends" = "$starts" ] ||
			{ WHY="count=$1: $starts starts, $ends ends, missed=$missed"; return 1; }
		bad=$(awk -v min=$(($2 * 1000000)) '
			$3 == "probe.start" { subj[$1] = $4; next }
			{ s = ""; for (i = 5; i <= NF; i++) if ($i ~ /^start=/) s = substr($i, 7)
			  if (!(s in subj) || subj[s] != $4) { print "unpaired: " $0; exit }
			  if (!/ rc=0 / || !/ async=1 /) { print "not rc=0 async=1: " $0; exit }
			  for (i = 5; i <= NF; i++) if ($i ~ /^dur_ns=/ && substr($i, 8) + 0 < min) { print "shorter than its sleep: " $0; exit }
			  done[$4]++ }
			END { for (d in done) if (done[d] != 1) { print d " closed " done[d] " times"; exit } }' /tmp/many)
		[ -z "$bad" ] || { WHY="count=$1: $bad"; return 1; }
		# How many were in flight at once, and on how many CPUs.
		peak=$(awk '{ print $2, ($3 == "probe.start" ? 1 : -1) }' /tmp/many | sort -n |
			awk '{ n += $2; if (n > p) p = n } END { print p + 0 }')
		cpus=$(awk '$3 == "probe.end"' /tmp/many | grep -o ' cpu=[0-9]*' | sort -u | wc -l)
		fpeak=$(cat /sys/module/bst_fixture_many/parameters/peak)
		diag "count=$1: $starts spans paired, missed=$missed, up to $peak in flight in our spans, $fpeak by the fixture's count, on $cpus CPUs"
		[ "$peak" -ge 2 ] || { WHY="count=$1: the probes never overlapped (peak $peak)"; return 1; }
		rmmod bst_fixture_many || { WHY="rmmod bst_fixture_many failed"; return 1; }
	}
	t_async64() {
		many 64 100 || return 1
		[ "$missed" = 0 ] || { WHY="missed=$missed with 64 probes (maxactive is at least 256)"; return 1; }
	}
	check stress.async_64_paired t_async64
	# More probes in flight than the instance pool holds (maxactive is 256
	# on 4 CPUs; the async workqueue runs up to 512 at once): the ones the
	# kretprobe could not follow are counted in `missed`, the rest still
	# pair. The fixture counts its own peak: past 256, some must be missed.
	t_async1000() {
		many 1000 3000 || return 1
		case $(hdr probe) in kretprobe:*) ;; *) return 0 ;; esac
		[ "$fpeak" -le 256 ] || [ "$missed" -gt 0 ] || { WHY="$fpeak probes in flight, yet missed=0"; return 1; }
	}
	check stress.async_1000_missed_counted t_async1000
	snap
	check stress.async_nothing_dropped [ "$(hdr dropped)" = 0 ]
	check taint t_taint
	finish
}

[ "$(arg scenario)" = ab ] && ab_boot
[ "$(arg scenario)" = async64 ] && async64_boot
[ "$(arg scenario)" = bench ] && bench_boot
[ "$(arg scenario)" = bootcost ] && bootcost_boot
[ "$(arg scenario)" = repro ] && repro_boot
[ -f /etc/bst-stage2 ] && stage2
stage1
