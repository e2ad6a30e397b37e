#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel for the VM tests without installing it into /boot:
# the image package is downloaded and unpacked into a cache, the headers
# package is installed (dkms and Kbuild need /lib/modules/<rel>/build).
#
#   tests/lib/kernel.sh FLAVOUR     (e.g. cloud-amd64, amd64)
# prints "<release> <unpacked image dir>" on stdout.
#
# BST_CACHE (default /var/cache/bootstamps) holds the downloads, outside the
# repository so that clean clones and CI runs reuse them.
set -euo pipefail

flavour=${1:?usage: kernel.sh FLAVOUR}
cache=${BST_CACHE:-/var/cache/bootstamps}
mkdir -p "$cache/debs"

# The metapackage names the current ABI, e.g. linux-image-6.1.0-57-amd64.
image_pkg=$(apt-cache depends "linux-image-$flavour" 2>/dev/null |
	sed -n 's/^  Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
if [ -z "$image_pkg" ]; then
	echo "kernel.sh: no linux-image-$flavour in the apt lists (run apt-get update?)" >&2
	exit 1
fi
release=${image_pkg#linux-image-}
release=${release%-unsigned}

if [ ! -e "/lib/modules/$release/build/Makefile" ]; then
	echo "kernel.sh: installing linux-headers-$release" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"linux-headers-$release" >&2
fi

version=$(apt-cache policy "$image_pkg" | sed -n 's/^  Candidate: //p')
dir="$cache/${image_pkg}_${version}"
if [ ! -e "$dir/.unpacked" ]; then
	deb=$(ls "$cache/debs/${image_pkg}_"*"${version##*:}"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && apt-get download -q "$image_pkg=$version" >&2)
		deb=$(ls "$cache/debs/${image_pkg}_"*.deb | head -n 1)
	fi
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp"
	# modules.dep, so that the harness can resolve module dependencies.
	depmod -b "$dir.tmp" "$release"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.unpacked"
fi
echo "$release $dir"
