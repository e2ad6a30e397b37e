#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel for the VM tests without installing it into /boot:
# the image package is downloaded and unpacked into a cache, the headers
# package is installed (dkms and Kbuild need /lib/modules/<rel>/build).
#
#   tests/lib/kernel.sh FLAVOUR [SUITE]   (e.g. cloud-amd64; bullseye)
# prints "<release> <unpacked image dir> <kernel build dir>" on stdout.
#   tests/lib/kernel.sh --packages FLAVOUR [SUITE]
# prints what today's apt lists would fetch, for `make pin`: a line
# "release RELEASE", then "SUITE PACKAGE ARCH" for each package.
#
# The kernel and every package are the ones tests/pins.txt names ("kernel
# FLAVOUR SUITE RELEASE", then the packages pinned for RELEASE), each
# verified by its SHA-256 (tests/lib/pins.sh): the suite's newest is taken
# only by `make pin`.
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

resolve=0
[ "${1:-}" != --packages ] || { resolve=1; shift; }
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
psuite=${suite:-own}
# shellcheck source=tests/lib/pins.sh
. "$here/pins.sh"

if [ $resolve = 1 ]; then
	# What the suite serves today: the metapackage names the current
	# ABI, e.g. linux-image-6.1.0-57-amd64.
	"$here/apt-suite.sh" "$psuite" update -q >&2
	acache() { "$here/apt-suite.sh" "$psuite" "$@"; }
	image_pkg=$(acache depends "linux-image-$flavour" 2>/dev/null |
		sed -n 's/^  Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$image_pkg" ] || { echo "kernel.sh: no linux-image-$flavour in $psuite" >&2; exit 1; }
	release=${image_pkg#linux-image-}
	release=${release%-unsigned}
	echo "release $release"
	echo "$psuite $image_pkg $arch"
	# Since 7.x (sid) the image package is split: the kernel in
	# linux-binary-*, the modules in linux-modules-*, the rest in
	# linux-base-*.
	for pkg in "linux-binary-$release" "linux-modules-$release" "linux-base-$release"; do
		[ -z "$(acache policy "$pkg" 2>/dev/null | sed -n 's/^  Candidate: \([^(]\)/\1/p')" ] ||
			echo "$psuite $pkg $arch"
	done
	echo "$psuite linux-headers-$release $arch"
	if [ -n "$suite" ] && [ "$suite" != sid ] || [ "$arch" != "$host_arch" ]; then
		# Unpacked: the headers' -common part and linux-kbuild too, the
		# latter built for this machine.
		acache depends "linux-headers-$release" | sed -n 's/^  Depends: \(linux-\(headers\|kbuild\)-[^ <>]*\)$/\1/p' |
			while read -r pkg; do
				case $pkg in
				linux-kbuild-*) echo "$psuite $pkg $host_arch" ;;
				*) echo "$psuite $pkg $(acache show "$pkg" | sed -n 's/^Architecture: //p' | head -n 1)" ;;
				esac
			done
	fi
	exit 0
fi

release=$(pin_release "$flavour" "$psuite") || exit 1
image_pkg=linux-image-$release
pin_version "$psuite" "$image_pkg" "$arch" >/dev/null 2>&1 || image_pkg=linux-image-$release-unsigned

# Download one pinned package of this suite into the cache, verified; print
# its path. With "host", the machine's own architecture's build.
fetch() {
	local a=$arch
	[ "${2:-}" != host ] || a=$host_arch
	pin_fetch "$psuite" "$1" "$a"
}

if [ -z "$suite" ]; then
	kdir=/lib/modules/$release/build
	if [ ! -e "$kdir/Makefile" ]; then
		# dkms builds against installed headers: this one package (and
		# what it depends on) is installed, at its pinned version.
		echo "kernel.sh: installing linux-headers-$release" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-upgrade -o DPkg::Lock::Timeout=600 \
			"linux-headers-$release=$(pin_version own "linux-headers-$release")" >&2
	fi
elif [ "$suite" = sid ]; then
	# Its headers need a newer compiler and C library than the host's:
	# build in a chroot of the suite (kmake.sh notices).
	root=$("$here/kbuild-root.sh" "$suite" "$release" "$(pin_version "$suite" "linux-headers-$release")")
	kdir=$root/usr/src/linux-headers-$release
else
	root=$cache/headers-$release
	kdir=$root/usr/src/linux-headers-$release
	if [ ! -e "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		# The headers, their -common part and the matching linux-kbuild.
		for pkg in $(pin_packages "$psuite" "$release" 'linux-(headers|kbuild)-'); do
			case $pkg in
			linux-kbuild-*) deb=$(fetch "$pkg" host) ;;
			*) deb=$(fetch "$pkg") ;;
			esac || exit 1
			dpkg-deb -x "$deb" "$root"
		done
		# Debian's Makefile includes the -common one by absolute path.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
		touch "$root/.unpacked"
	fi
fi

version=$(pin_version "$psuite" "$image_pkg" "$arch")
dir="$cache/${image_pkg}_${version}"
if [ ! -e "$dir/.unpacked" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	# Since 7.x (sid) the image package is split: the kernel in
	# linux-binary-*, the modules in linux-modules-*, the rest in
	# linux-base-*. Unpack whichever of these the suite has.
	for pkg in $(pin_packages "$psuite" "$release" 'linux-(image|binary|modules|base)-'); do
		deb=$(fetch "$pkg") || exit 1
		dpkg-deb -x "$deb" "$dir.tmp"
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
