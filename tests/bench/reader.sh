#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmarks of the reader (`make bench`): formatting a 100k-event capture,
# and comparing 1000 captures of 500 events. Reports wall time (best of 3)
# and peak RSS next to the targets; writes the reader's section of
# docs/performance.md. A benchmark, not a test: it never fails on speed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}/bench
rm -rf "$work"
mkdir -p "$work/captures"
make -C "$top/userspace" OBJDIR="$work/build" >/dev/null
B=$work/build/bootstamps

# capture EVENTS DELAY_NS VERSION: a synthetic capture on stdout.
capture() {
	awk -v n="$1" -v d="$2" -v v="$3" 'BEGIN {
		print "# bootstamps 1"
		print "# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64 clock=boottime local_offset_ns=0"
		print "# capacity=1000000 events=" n " dropped=0 markers=0 missed=0"
		t = 1000000000; seq = 0
		while (seq < n) {
			dev = sprintf("0000:00:%02x.%d", (seq / 4) % 32, seq % 8)
			drv = (seq % 3 == 0) ? "ena" : (seq % 3 == 1) ? "nvme" : "virtio_blk"
			printf "%d %d.%09d probe.start %s driver=%s bus=pci module=%s version=%s srcversion= builtin=0 async=0 cpu=0 pid=1 comm=modprobe\n", ++seq, t / 1e9, t % 1e9, dev, drv, drv, v
			s = seq; t += d + seq % 1000
			printf "%d %d.%09d probe.end %s driver=%s bus=pci rc=0 dur_ns=%d start=%d module=%s version=%s srcversion= builtin=0 async=0 cpu=0 pid=1 comm=modprobe\n", ++seq, t / 1e9, t % 1e9, dev, drv, d + s % 1000, s, drv, v
			t += 10000
		}
	}'
}

best() {	# best of 3 wall-clock seconds and the peak RSS (KiB) of "$@"
	local i t best=999999 rss=0
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
		read -r t r <"$work/time"
		best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (a < b) ? a : b }')
		[ "$r" -gt "$rss" ] && rss=$r
	done
	echo "$best $rss"
}

capture 100000 2000000 1.0.0 >"$work/100k.txt"
for i in $(seq 1 500); do
	capture 500 2000000 1.0.0 >"$work/captures/a$i.bst"
	capture 500 2500000 2.0.0 >"$work/captures/b$i.bst"
done

read -r show_s show_kb < <(best "$B" show "$work/100k.txt")
read -r json_s json_kb < <(best "$B" show --format json "$work/100k.txt")
read -r cmp_s cmp_kb < <(best "$B" compare --group-by version --driver ena "$work/captures")
max_kb=$(printf '%s\n' "$show_kb" "$json_kb" "$cmp_kb" | sort -n | tail -n 1)

machine="$(nproc) cores, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n 1), $(uname -r)"
cat >"$work/reader.md" <<EOT
| figure | measured | target | command |
|---|---|---|---|
| format a 100k-event capture (\`show\`, table) | $(awk -v s="$show_s" 'BEGIN { printf "%.0f ms", s * 1000 }') | < 100 ms | \`bootstamps show 100k.txt\` |
| the same as JSON | $(awk -v s="$json_s" 'BEGIN { printf "%.0f ms", s * 1000 }') | | \`bootstamps show --format json 100k.txt\` |
| compare 1000 captures of 500 events | $(awk -v s="$cmp_s" 'BEGIN { printf "%.2f s", s }') | < 2 s | \`bootstamps compare --group-by version --driver ena captures/\` |
| peak RSS of any of them | $(awk -v k="$max_kb" 'BEGIN { printf "%.1f MB", k / 1024 }') | < 50 MB | GNU time \`%M\` |

Measured by \`make bench\` on $(date -u +%Y-%m-%d): $machine. Best of 3 runs each; wall-clock time.
EOT
cat "$work/reader.md"
