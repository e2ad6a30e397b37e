#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of `make check-debug` once and cache it: Debian's
# linux-source-6.1 configured as allnoconfig plus tests/debug/kernel.config
# (KASAN, lockdep, atomic-sleep checks, kmemleak, debugobjects, list
# debugging, KUnit, panics on any report).
#
#   tests/lib/debug-kernel.sh
# prints "<release> <image dir> <kernel build dir>" on stdout, like
# kernel.sh, so that tests/vm/run.sh boots it like any Debian kernel.
#
# The cache, $BST_CACHE/debug-kernel-<key>, is keyed by the config file and
# the source package's version: change either and it is built again.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BST_CACHE:-/var/cache/bootstamps}
frag=$top/tests/debug/kernel.config
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1 || true)
if [ -z "$tarball" ]; then
	echo "debug-kernel.sh: no /usr/src/linux-source-6.1.tar.* (apt-get install linux-source-6.1)" >&2
	exit 1
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (cat "$frag"; echo "$srcver") | sha256sum | cut -c1-12)
dir=$cache/debug-kernel-$key
src=$dir/src
img=$dir/image

if [ ! -e "$dir/.built" ]; then
	start=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$src" "$img/boot"
	echo "debug-kernel.sh: building linux-source $srcver with $frag into $dir" >&2
	tar -xf "$tarball" -C "$src" --strip-components=1
	make -C "$src" -s allnoconfig KCONFIG_ALLCONFIG="$frag" >&2
	# A requested option that Kconfig dropped (an unmet dependency) would
	# make a weaker kernel than the file says: refuse it by name.
	missing=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1 \2/p' "$frag" | while read -r opt val; do
		if [ "$val" = n ]; then
			grep -qx "$opt=[ym]" "$src/.config" && echo "$opt=n"
		else
			grep -qxF "$opt=$val" "$src/.config" || echo "$opt=$val"
		fi
	done)
	if [ -n "$missing" ]; then
		echo "debug-kernel.sh: the config lost:" $missing >&2
		exit 1
	fi
	make -C "$src" -s -j"$(nproc)" bzImage modules >&2
	make -C "$src" -s INSTALL_MOD_PATH="$img" INSTALL_MOD_STRIP=1 modules_install >&2
	release=$(make -C "$src" -s --no-print-directory kernelrelease)
	cp "$src/arch/x86/boot/bzImage" "$img/boot/vmlinuz-$release"
	cp "$src/.config" "$img/boot/config-$release"
	depmod -b "$img" "$release"
	echo "$release" >"$dir/release"
	echo "debug-kernel.sh: built $release in $(($(date +%s) - start)) s" >&2
	touch "$dir/.built"
	# Kernels built from an older config or source: about 2 GB each.
	for old in "$cache"/debug-kernel-*; do
		[ "$old" = "$dir" ] || rm -rf "$old"
	done
fi
echo "$(cat "$dir/release") $img $src"
