#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel for the VM tests without installing it into /boot:
# the image package is downloaded and unpacked into a cache, the headers
# package is installed (dkms and Kbuild need /lib/modules/<rel>/build).
#
#   tests/lib/kernel.sh FLAVOUR [SUITE]   (e.g. cloud-amd64; bullseye)
# prints "<release> <unpacked image dir> <kernel build dir>" on stdout.
#
# Without SUITE, the machine's own suite: the headers package is installed
# (dkms needs it there). With SUITE, nothing is installed: the headers,
# their -common part and linux-kbuild are unpacked into the cache too.
# A flavour of another architecture (cloud-arm64) comes from the machine's
# own suites ("own") in that architecture, unpacked likewise, with the
# machine's own linux-kbuild of the same version: its tools (fixdep,
# modpost) run on this machine; tests/lib/kmake.sh cross-compiles.
#
# BST_CACHE (default /var/cache/bootstamps) holds the downloads, outside the
# repository so that clean clones and CI runs reuse them.
set -euo pipefail

flavour=${1:?usage: kernel.sh FLAVOUR [SUITE]}
suite=${2:-}
cache=${BST_CACHE:-/var/cache/bootstamps}
mkdir -p "$cache/debs"
here=$(cd "$(dirname "$0")" && pwd)
host_arch=$(dpkg --print-architecture)
arch=$host_arch
case $flavour in
*-arm64) arch=arm64 ;;
esac
if [ "$arch" != "$host_arch" ]; then
	export BST_APT_ARCH=$arch
	suite=${suite:-own}
fi
lists=$cache/apt-$suite${BST_APT_ARCH:+-$arch}
if [ -n "$suite" ]; then
	[ -e "$lists/lists/.updated" ] && [ -z "$(find "$lists/lists/.updated" -mmin +720)" ] || {
		"$here/apt-suite.sh" "$suite" update -q >&2
		touch "$lists/lists/.updated"
	}
	acache() { "$here/apt-suite.sh" "$suite" "$@"; }
	aget() { "$here/apt-suite.sh" "$suite" "$@"; }
else
	acache() { apt-cache "$@"; }
	aget() { apt-get "$@"; }
fi

# The metapackage names the current ABI, e.g. linux-image-6.1.0-57-amd64.
image_pkg=$(acache depends "linux-image-$flavour" 2>/dev/null |
	sed -n 's/^  Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
if [ -z "$image_pkg" ]; then
	echo "kernel.sh: no linux-image-$flavour in the apt lists (run apt-get update?)" >&2
	exit 1
fi
release=${image_pkg#linux-image-}
release=${release%-unsigned}

# Download one package of this suite into the cache; print its path. With
# "host", the machine's own architecture's build of the same version.
fetch() {
	local pkg=$1 ver deb a=$arch
	ver=$(acache policy "$pkg" | sed -n 's/^  Candidate: //p')
	[ "${2:-}" != host ] || a=$host_arch
	deb=$(ls "$cache/debs/${pkg}_${ver##*:}_$a.deb" "$cache/debs/${pkg}_${ver##*:}_all.deb" 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		if [ "$a" = "$arch" ]; then
			(cd "$cache/debs" && aget download -q "$pkg=$ver" >&2)
		else
			(cd "$cache/debs" && apt-get download -q "$pkg:$a=$ver" >&2)
		fi
		deb=$(ls "$cache/debs/${pkg}_${ver##*:}_$a.deb" "$cache/debs/${pkg}_${ver##*:}_all.deb" 2>/dev/null | head -n 1)
	fi
	echo "$deb"
}

if [ -z "$suite" ]; then
	kdir=/lib/modules/$release/build
	if [ ! -e "$kdir/Makefile" ]; then
		echo "kernel.sh: installing linux-headers-$release" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"linux-headers-$release" >&2
	fi
elif [ "$suite" = sid ]; then
	# Its headers need a newer compiler and C library than the host's:
	# build in a chroot of the suite (kmake.sh notices).
	root=$("$here/kbuild-root.sh" "$suite" "$release")
	kdir=$root/usr/src/linux-headers-$release
else
	root=$cache/headers-$release
	kdir=$root/usr/src/linux-headers-$release
	if [ ! -e "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		# The headers, their -common part and the matching linux-kbuild.
		for pkg in "linux-headers-$release" $(acache depends "linux-headers-$release" |
			sed -n 's/^  Depends: \(linux-\(headers\|kbuild\)-[^ <>]*\)$/\1/p'); do
			case $pkg in
			linux-kbuild-*) dpkg-deb -x "$(fetch "$pkg" host)" "$root" ;;
			*) dpkg-deb -x "$(fetch "$pkg")" "$root" ;;
			esac
		done
		# Debian's Makefile includes the -common one by absolute path.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
		touch "$root/.unpacked"
	fi
fi

version=$(acache policy "$image_pkg" | sed -n 's/^  Candidate: //p')
dir="$cache/${image_pkg}_${version}"
if [ ! -e "$dir/.unpacked" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	# Since 7.x (sid) the image package is split: the kernel in
	# linux-binary-*, the modules in linux-modules-*, the rest in
	# linux-base-*. Unpack whichever of these the suite has.
	for pkg in "$image_pkg" "linux-binary-$release" "linux-modules-$release" "linux-base-$release"; do
		[ "$pkg" = "$image_pkg" ] || [ -n "$(acache policy "$pkg" 2>/dev/null | sed -n 's/^  Candidate: \([^(]\)/\1/p')" ] ||
			continue
		dpkg-deb -x "$(fetch "$pkg")" "$dir.tmp"
	done
	# 7.x packages install into /usr only, the kernel itself as
	# /usr/lib/modules/REL/vmlinuz: give the tree the /lib and
	# /boot/vmlinuz-REL, config-REL the harness reads.
	[ -e "$dir.tmp/lib" ] || [ ! -d "$dir.tmp/usr/lib" ] || ln -s usr/lib "$dir.tmp/lib"
	for f in vmlinuz config System.map; do
		if [ ! -e "$dir.tmp/boot/$f-$release" ] && [ -e "$dir.tmp/usr/lib/modules/$release/$f" ]; then
			mkdir -p "$dir.tmp/boot"
			ln -s "../usr/lib/modules/$release/$f" "$dir.tmp/boot/$f-$release"
		fi
	done
	# modules.dep, so that the harness can resolve module dependencies.
	depmod -b "$dir.tmp" "$release"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.unpacked"
fi
echo "$release $dir $kdir"
