#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test VM (busybox sh). Loads bootstamps before any driver,
# then real drivers against emulated devices, and checks what
# /proc/bootstamps says against oracles taken in the same boot.
# Results go to ttyS1 as KTAP; the console (ttyS0) carries only the kernel
# log, which the host scans for splats. tests/vm/run.sh builds the image.

export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
. /etc/bst.conf

exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
n=0
WHY=
ok() { n=$((n + 1)); echo "ok $n $1" >&3; }
not_ok() { n=$((n + 1)); echo "not ok $n $1 # $2" >&3; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2" >&3; }
diag() { echo "# $*" >&3; }
# check NAME CMD...: one case; CMD sets WHY when it fails.
check() {
	name=$1
	shift
	WHY=
	if "$@"; then ok "$name"; else not_ok "$name" "${WHY:-failed}"; fi
}
finish() {
	echo "1..$n" >&3
	echo "# bootstamps-vm: end" >&3
	sync
	poweroff -f
}

BST=/proc/bootstamps
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

# load NAME: insmod NAME and its dependencies (resolved on the host).
load() {
	while read -r dep file; do
		[ -d "/sys/module/$dep" ] || insmod "/mods/$file" || return 1
	done <"/mods/$1.deps"
}

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

# ------------------------------------------------------------- drivers
# virtio_blk and virtio_net first: their probes then run nested inside
# virtio_pci's, the case the kretprobe pairing must get right.
load virtio_blk && load virtio_net && load virtio_pci || diag "virtio load failed"
[ "$NVME_IS_MODULE" = 1 ] && { load nvme || diag "nvme load failed"; }
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
	fail) [ "$rc" -lt 0 ] || { WHY="rc=$rc, want < 0"; return 1; } ;;
	esac
}
check probe.virtio_pci probe_span virtio-pci pci
check probe.virtio_blk probe_span virtio_blk virtio
check probe.virtio_net probe_span virtio_net virtio
if [ "$NVME_IS_MODULE" = 1 ]; then
	check probe.nvme probe_span nvme pci
else
	skip probe.nvme "nvme is built into this kernel: it probed before bootstamps could load, and backfill from the kernel log is not built yet"
fi

t_ena() {
	probe_span ena pci fail || return 1
	[ "$dur" -le $((ena_t1 - ena_t0)) ] || { WHY="dur_ns=$dur is longer than the new_id write that ran it ($((ena_t1 - ena_t0)) ns)"; return 1; }
	echo "$line" | grep -q " module=ena version=$ENA_VERSION srcversion=$ENA_SRCVERSION builtin=0 async=0 " ||
		{ WHY="identity wrong: $line"; return 1; }
	diag "ena probe on edu: rc=$rc dur_ns=$dur"
}
check probe.ena t_ena

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
check probe.nested t_nested

t_modules() {
	for m in virtio virtio_pci virtio_blk virtio_net ena; do
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
check fixture.rc t_fixture_rc

t_fixture_async() {
	rmmod bst_fixture || { WHY="rmmod fixture failed"; return 1; }
	snap
	last=$(hdr events)
	insmod /mods/bst_fixture.ko delay_ms=20 async_probe=1 || { WHY="insmod async failed"; return 1; }
	i=0
	while [ $i -lt 50 ]; do
		snap
		line=$(q probe.end '*' driver=bst_fixture rc=0 | awk -v l="$last" '$1 > l' | tail -n 1)
		[ -n "$line" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$line" ] || { WHY="no async probe.end within 5 s"; return 1; }
	echo "$line" | grep -q " async=1 " || { WHY="not marked async: $line"; return 1; }
	[ "$(echo "$line" | kv dur_ns)" -ge 20000000 ] || { WHY="async dur below 20 ms: $line"; return 1; }
}
check fixture.async t_fixture_async

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

# --------------------------------------------------------------- reader
t_reader_live() {
	bootstamps >/tmp/table 2>/tmp/err || { WHY="exit $? $(cat /tmp/err)"; return 1; }
	grep -q "probe.end .* ena " /tmp/table || { WHY="no ena row"; return 1; }
	grep -q "probe.end .* bst_fixture " /tmp/table || { WHY="no fixture row"; return 1; }
	# --slowest: the first row is the longest probe.end in the file.
	bootstamps --slowest 3 >/tmp/slow || { WHY="--slowest exit $?"; return 1; }
	want=$(awk '$3 == "probe.end" { for (i = 5; i <= NF; i++) if ($i ~ /^dur_ns=/) { d = substr($i, 8) + 0; if (d > m) m = d } } END { printf "%.3f", m / 1e6 }' /tmp/snap)
	got=$(awk 'NR == 2 { print $2 }' /tmp/slow)
	[ "$got" = "$want" ] || { WHY="slowest is $got ms, the file's longest is $want ms"; return 1; }
}
check reader.live t_reader_live

t_reader_corrupt() {
	awk 'NR == 7 { $2 = "12.34" } { print }' /tmp/snap >/tmp/bad
	bootstamps /tmp/bad >/dev/null 2>/tmp/err
	rc=$?
	[ $rc = 2 ] || { WHY="exit $rc, want 2"; return 1; }
	grep -q "/tmp/bad:7:" /tmp/err || { WHY="error does not name file and line: $(cat /tmp/err)"; return 1; }
}
check reader.corrupt t_reader_corrupt

# The capture, for the host (make demo shows it; the host reader parses it).
echo "bootstamps demo marker" >$BST 2>/dev/null
snap
sed 's/^/capture: /' /tmp/snap >&3

# --------------------------------------------------------------- reload
t_reload() {
	rmmod bst_fixture
	exec 4<$BST
	rmmod bootstamps || { WHY="rmmod failed"; return 1; }
	[ ! -e $BST ] || { WHY="$BST still there after rmmod"; return 1; }
	cat <&4 >/dev/null 2>&1 && { WHY="reading a file held open across rmmod succeeded"; return 1; }
	exec 4<&-
	insmod /mods/bootstamps.ko mark_quota=2 probe_hook=notifier || { WHY="second insmod failed"; return 1; }
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
	rmmod bootstamps && insmod /mods/bootstamps.ko probe_hook=off || { WHY="load with probe_hook=off failed"; return 1; }
	snap
	[ "$(hdr probe)" = off:disabled ] || { WHY="probe hook is $(hdr probe)"; return 1; }
	dmesg | grep -q "bootstamps: hooks off: probe" || { WHY="no pr_warn about the hook"; return 1; }
}
check hooks.off t_hooks_off

t_params() {
	rmmod bootstamps
	insmod /mods/bootstamps.ko capacity=0 2>/dev/null && { WHY="capacity=0 loaded"; return 1; }
	dmesg | grep -q "capacity=0 is out of range" || { WHY="no message for capacity=0"; return 1; }
	insmod /mods/bootstamps.ko probe_hook=bogus 2>/dev/null && { WHY="probe_hook=bogus loaded"; return 1; }
	insmod /mods/bootstamps.ko capacity=4 || { WHY="capacity=4 did not load"; return 1; }
	insmod /mods/bst_fixture.ko
	snap
	[ "$(hdr events)" = 4 ] && [ "$(hdr dropped)" -gt 0 ] || { WHY="events=$(hdr events) dropped=$(hdr dropped)"; return 1; }
	rmmod bst_fixture && rmmod bootstamps
}
check params t_params

t_taint() {
	t=$(cat /proc/sys/kernel/tainted)
	# Allowed: O (4096, out-of-tree) and E (8192, unsigned module).
	[ $((t & ~(4096 | 8192))) = 0 ] || { WHY="tainted=$t"; return 1; }
}
check taint t_taint

finish
