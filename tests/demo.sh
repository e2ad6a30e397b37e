#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: the story bootstamps was made for, with no cloud. Two images
# of one machine (Debian's 6.1 cloud kernel under QEMU), booted four times
# each, every boot saved by `bootstamps save` as bootstamps-save.service
# does:
#   image A: its network driver (demo_nic) at version 0.6.6, whose probe
#            takes 400 ms; ntpdate running 600 ms during the boot;
#            release 2016.03
#   image B: demo_nic 1.0.2 probing 150 ms; no ntpdate; release 2016.09;
#            selinux=0 on the kernel command line
# Then one boot of A as `bootstamps show` explains it (and drawn), and what
# `bootstamps compare A --vs B` concludes.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}
dir=$work/demo-images
rm -rf "$dir"
mkdir -p "$work"

echo "bootstamps demo: two images of one machine, Debian's 6.1 cloud kernel booted under QEMU,"
echo "4 boots each, every boot archived by 'bootstamps save':"
echo "  A: network driver demo_nic 0.6.6 (probe 400 ms), ntpdate during boot, release 2016.03"
echo "  B: demo_nic 1.0.2 (probe 150 ms), no ntpdate, release 2016.09, selinux=0"
# image NAME SPEC: boot one image (tests/vm/run.sh --ab) quietly.
image() {
	local t0=$SECONDS
	printf 'Booting image %s 4 times... ' "$1"
	if ! "$top/tests/vm/run.sh" cloud-amd64 --ab "$2" >"$work/demo-$1.log" 2>&1; then
		echo "failed; see $work/demo-$1.log:"
		grep -E 'not ok|cannot|failed' "$work/demo-$1.log" | head -n 5
		exit 1
	fi
	echo "$((SECONDS - t0)) s"
}
image A "0.6.6:400:4:$dir:600:2016.03::demo_nic"
image B "1.0.2:150:4:$dir:0:2016.09:selinux=0:demo_nic"
B=$work/vm-cloud-amd64-ab/reader/bootstamps

one=$dir/0.6.6-1.bst
echo
echo "=== One boot of image A: bootstamps show $one"
"$B" show "$one" || exit 1
"$B" plot -o "$work/demo-timeline.svg" "$one" &&
	"$B" trace -o "$work/demo-trace.json" "$one" || exit 1
echo
echo "=== The two images: bootstamps compare A --vs B"
# shellcheck disable=SC2206 # the boots, by glob
a=("$dir"/0.6.6-*.bst) b=("$dir"/1.0.2-*.bst)
"$B" compare "${a[@]}" --vs "${b[@]}" || exit 1
echo
echo "Timeline of that boot drawn in $work/demo-timeline.svg (open it in a browser);"
echo "Perfetto trace in $work/demo-trace.json (open it at ui.perfetto.dev)."
echo "Every boot's capture is in $dir."
