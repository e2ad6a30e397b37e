# SPDX-License-Identifier: GPL-2.0
# A saved capture of one simulated EC2 instance's boot, shaped like the
# archived ones (docs/format.md, reader.md's `bootstamps save`), for
# tests/fleet.sh:
#   awk -v n=INSTANCE -v boot=BOOT -v ena=VERSION -v base_ms=MS -v spread_ms=MS \
#       -v type=m7i.large -f fleet-capture.awk
# ENA's probe lasts base_ms plus up to spread_ms (drawn from a generator
# seeded by n and boot: the same arguments give the same file); every
# second boot first defers once, so its total is two attempts. nvme
# probes from the kernel log, and the boot ends at save's boot-done.
function ts(ns) { return sprintf("%d.%09d", int(ns / 1e9), ns % 1e9) }
function ev(t, rest) { print ++seq, ts(t), rest }
BEGIN {
	srand(n * 1000 + boot)
	id = sprintf("%08x-%04x-4%03x-8%03x-%012x", n, boot, n % 4096, boot % 4096, n * 7919 + boot)
	print "# bootstamps 1"
	print "# saved boot_id=" id " saved_at=" 1796000000 + n * 3600 + boot * 60 " saved_by=bootstamps-0.1.0 hostname=ip-10-0-0-" n \
		" machine=x86_64 os_id=debian os_version=12 os=Debian\\x20GNU/Linux\\x2012\\x20(bookworm)" \
		" cmdline=BOOT_IMAGE=/boot/vmlinuz-6.1.0-57-cloud-amd64\\x20root=PARTUUID=0\\x20ro\\x20console=ttyS0" \
		" product_name=" type " sys_vendor=Amazon\\x20EC2 hypervisor="
	print "# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64 clock=boottime local_offset_ns=0"
	print "# loaded=1.400000000 load_local_offset_ns=0"
	print "# capacity=4096 event_bytes=256 events=" (boot % 2 ? 12 : 10) " dropped=0 markers=1 markers_refused=0 missed=0"
	print "# hooks probe=kretprobe:really_probe module=notifier mark=proc exec=tracepoint kmsg=backfill"
	ev(0, "kernel.start linux release=6.1.0-57-cloud-amd64 src=kmsg")
	nvme = 20000000 + int(rand() * 5000000)
	ev(600000000, "probe.end 0000:00:04.0 driver=nvme bus=pci rc=0 dur_ns=" nvme " start=0 module=nvme version=1.0 srcversion= builtin=0 async=1 cpu=0 pid=0 comm= src=kmsg")
	ev(1200000000, "init.exec init path=/init pid=1 phase=initramfs src=kmsg")
	ev(1400000000, "module.live bootstamps dur_ns=0 start=0 version=0.1.0 srcversion=E5DC1E6DA4327A98BBBCF4A self=1")
	t = 1500000000
	ev(t, "module.coming ena version=" ena " srcversion=SRC" ena)
	coming = seq
	t += 100000
	if (boot % 2) {
		d = 30000000 + int(rand() * 20000000)
		ev(t, "probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=" ena " srcversion=SRC" ena " builtin=0 async=0 cpu=0 pid=210 comm=modprobe")
		t += d
		ev(t, "probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=" d " start=" seq " module=ena version=" ena " srcversion=SRC" ena " builtin=0 async=0 cpu=0 pid=210 comm=modprobe")
		t += 1000000
	}
	d = base_ms * 1000000 + int(rand() * spread_ms * 1000000)
	ev(t, "probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=" ena " srcversion=SRC" ena " builtin=0 async=0 cpu=0 pid=210 comm=modprobe")
	t += d
	ev(t, "probe.end 0000:00:05.0 driver=ena bus=pci rc=0 dur_ns=" d " start=" seq " module=ena version=" ena " srcversion=SRC" ena " builtin=0 async=0 cpu=0 pid=210 comm=modprobe")
	ev(t + 50000, "module.live ena dur_ns=" t + 50000 - 1500000000 " start=" coming " version=" ena " srcversion=SRC" ena)
	t += 300000000
	ev(t, "init.exec init path=/sbin/init pid=1 phase=root")
	ev(t + 4000000000, "mark boot-done pid=1 comm=bootstamps")
}
