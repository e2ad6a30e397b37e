#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The QEMU every VM lane boots with: bookworm-backports' QEMU 10.0, unpacked
# into the cache with dpkg-deb -x, nothing installed. Bookworm's own QEMU
# 7.2 crashes Debian's 6.12 kernels under TCG in many boots with or without
# bootstamps loaded (double faults right after SLUB's cmpxchg16b, invalid
# opcodes, GP faults); `make check-qemu` (tests/qemu-repro.sh) measures
# both. Its libraries are bookworm's (it is built against them), which
# tests/deps.sh installs.
#
#   tests/lib/qemu.sh ARCH      (x86_64 or aarch64)
# prints the command to run as shell words: the binary, then -L options
# naming the unpacked firmware directories, e.g.
#   /var/cache/bootstamps/qemu-10.0.2.../usr/bin/qemu-system-x86_64 -L ...
# BST_QEMU=system uses the machine's installed qemu-system-ARCH instead
# (for comparing against it; nothing in make check sets it).
set -euo pipefail
arch=${1:?usage: qemu.sh x86_64|aarch64}
here=$(cd "$(dirname "$0")" && pwd)
cache=${BST_CACHE:-/var/cache/bootstamps}
if [ "${BST_QEMU:-cached}" = system ]; then
	command -v "qemu-system-$arch" >/dev/null || { echo "qemu.sh: no qemu-system-$arch installed" >&2; exit 1; }
	echo "qemu-system-$arch"
	exit 0
fi
# shellcheck source=tests/lib/pins.sh
. "$here/pins.sh"
ver=$(pin_version bookworm-backports qemu-system-x86)
dir=$cache/qemu-${ver//[:~]/_}
if [ ! -e "$dir/.unpacked" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	# Its firmware too: seabios of the same suite, and iPXE's option ROMs
	# (bookworm's; backports has none of its own).
	for sp in bookworm-backports:qemu-system-x86 bookworm-backports:qemu-system-arm \
		bookworm-backports:qemu-system-data bookworm-backports:qemu-system-common \
		bookworm-backports:seabios own:ipxe-qemu; do
		deb=$(pin_fetch "${sp%%:*}" "${sp#*:}") || { echo "qemu.sh: cannot fetch ${sp#*:}" >&2; exit 1; }
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.unpacked"
fi
bin=$dir/usr/bin/qemu-system-$arch
missing=$(ldd "$bin" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' | tr '\n' ' ')
if [ -n "$missing" ]; then
	echo "qemu.sh: $bin lacks libraries: $missing(run tests/deps.sh vm)" >&2
	exit 1
fi
echo "$bin -L $dir/usr/share/qemu -L $dir/usr/share/seabios -L $dir/usr/lib/ipxe/qemu"
