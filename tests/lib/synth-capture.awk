# SPDX-License-Identifier: GPL-2.0
# A synthetic capture shaped like the real ones (docs/format.md), of about
# `events` events (awk -v events=100000 -f synth-capture.awk): probes from
# the kernel log that overlap without nesting, module loads that overlap,
# ENA's failing probe with fn.* steps inside, async probes of other
# drivers on several CPUs at the same time, disks with their first I/O,
# network events, processes and markers. Times do not follow seq, as in
# real captures. Deterministic: the same size gives the same file.
function ts(ns) { return sprintf("%d.%09d", int(ns / 1e9), ns % 1e9) }
function ev(t, rest) { print ++seq, ts(t), rest }
BEGIN {
	if (!events) events = 100000
	print "# bootstamps 1"
	print "# module_version=0.1.0 kernel=6.1.0-synthetic-amd64 clock=boottime local_offset_ns=0"
	print "# loaded=0.900000000 load_local_offset_ns=0"
	print "# capacity=" events * 2 " event_bytes=256 events=" events " dropped=0 markers=0 markers_refused=0 missed=0"
	print "# hooks probe=kretprobe:really_probe module=notifier mark=proc block=kretprobe:device_add_disk+vfs_get_tree,tracepoint net=notifier:netdev,inet,inet6 exec=tracepoint kmsg=backfill spans=kretprobe"
	print "# spans ena:ena_device_init=on ena:ena_com_dev_reset=on"
	ev(1000000000, "module.live bootstamps dur_ns=0 start=0 version=0.1.0 srcversion=X self=1")
	ev(35000000, "kernel.start linux release=6.1.0-synthetic-amd64 src=kmsg")
	ev(800000000, "init.exec init path=/init pid=1 phase=initramfs src=kmsg")
	# Each round is 24 events and 400 us; the kernel-log probes of a round
	# overlap the next round's, and its module load the next one's.
	for (r = 0; seq + 24 <= events - 3; r++) {
		t = 1000000000 + r * 400000
		ev(t - 300000 + 150000, "probe.end 00:" sprintf("%02d", r % 90) " driver= bus= rc=0 dur_ns=300000 start=0 module= version= srcversion= builtin=0 async=0 cpu=0 pid=0 comm= src=kmsg")
		ev(t - 250000 + 200000, "probe.end serial" r % 40 " driver=builtin" r % 40 " bus=platform rc=0 dur_ns=250000 start=0 module= version= srcversion= builtin=1 async=0 cpu=0 pid=0 comm= src=kmsg")
		m = seq + 1
		ev(t, "module.coming mod" r % 300 " version=1." r % 3 " srcversion=S" r % 300)
		a = seq + 1
		w = 100 + r % 7
		ev(t + 10000, "probe.start dev" r % 500 " driver=drv" r % 200 " bus=pci module=mod" r % 300 " version=1 srcversion=S builtin=0 async=1 cpu=" r % 4 " pid=" w " comm=kworker/u8:" r % 7)
		e = seq + 1
		k = 200 + r % 5
		ev(t + 20000, "probe.start 0000:00:" sprintf("%02x", r % 32) ".0 driver=ena bus=pci module=ena version= srcversion= builtin=0 async=1 cpu=" (r + 1) % 4 " pid=" k " comm=kworker/" r % 5 ":1")
		f1 = seq + 1
		ev(t + 30000, "fn.start ena_device_init module=ena pid=" k " comm=kworker/" r % 5 ":1")
		f2 = seq + 1
		ev(t + 40000, "fn.start ena_com_dev_reset module=ena pid=" k " comm=kworker/" r % 5 ":1")
		d = seq + 1
		ev(t + 50000, "disk.add loop" r % 64 " parent= driver=")
		ev(t + 60000, "disk.first_io loop" r % 64 " rc=0 dur_ns=20000 pid=" 500 + r % 9 " comm=losetup")
		ev(t + 140000, "fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=100000 start=" f2 " pid=" k " comm=kworker/" r % 5 ":1")
		ev(t + 150000, "fn.end ena_device_init module=ena ret=-62 dur_ns=120000 start=" f1 " pid=" k " comm=kworker/" r % 5 ":1")
		ev(t + 160000, "probe.end dev" r % 500 " driver=drv" r % 200 " bus=pci rc=0 dur_ns=150000 start=" a " module=mod" r % 300 " version=1 srcversion=S builtin=0 async=1 cpu=" r % 4 " pid=" w " comm=kworker/u8:" r % 7)
		ev(t + 180000, "probe.end 0000:00:" sprintf("%02x", r % 32) ".0 driver=ena bus=pci rc=-517 dur_ns=160000 start=" e " module=ena version= srcversion= builtin=0 async=1 cpu=" (r + 1) % 4 " pid=" k " comm=kworker/" r % 5 ":1")
		ev(t + 500000, "module.live mod" r % 300 " dur_ns=500000 start=" m " version=1." r % 3 " srcversion=S" r % 300)
		ev(t + 450000, "disk.partitions loop" r % 64 " count=1 dev=7:" r % 64 " rc=0 dur_ns=400000 start=" d)
		x = seq + 1
		ev(t + 5000, "exec prog" r % 50 " path=/usr/bin/prog" r % 50 " pid=" 1000 + r " ppid=1")
		ev(t + 700000, "exit prog" r % 50 " pid=" 1000 + r " status=0 dur_ns=695000 start=" x)
		ev(t + 70000, "net.register eth" r % 8 " ifindex=" 2 + r % 8 " parent=dev" r % 500 " driver=drv" r % 200)
		ev(t + 80000, "net.up eth" r % 8 " ifindex=" 2 + r % 8 " parent=dev" r % 500 " driver=drv" r % 200)
		ev(t + 90000, "net.carrier eth" r % 8 " ifindex=" 2 + r % 8 " parent=dev" r % 500 " driver=drv" r % 200)
		ev(t + 95000, "net.ipv4 eth" r % 8 " ifindex=" 2 + r % 8 " addr=10.0." r % 8 ".2/24 parent=dev" r % 500 " driver=drv" r % 200)
		ev(t + 300000, "fs.mount vda fstype=ext4 dev=254:0 source=/dev/vda")
		if (r % 1000 == 999)
			ev(t + 350000, "mark round-" r " pid=1 comm=init")
		else
			ev(t + 350000, "kernel.init_freed linux src=kmsg")
	}
	t = 1000000000 + r * 400000
	ev(t + 1000000, "init.exec switch_root path=/bin/switch_root pid=1 phase=initramfs")
	ev(t + 2000000, "init.exec init path=/sbin/init pid=1 phase=root")
	ev(t + 3000000, "mark boot-done pid=1 comm=init")
}
