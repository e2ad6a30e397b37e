#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A chroot of another Debian suite to build modules in, for kernels whose
# headers need a newer compiler or C library than this machine has (sid's
# 7.x headers pass gcc flags bookworm's gcc 12 rejects, and their kbuild
# tools link against a newer glibc). Built once with debootstrap, cached
# outside the repository; prints the chroot's directory. The file
# .bst-kbuild-root at its top tells kmake.sh to build inside it.
#   tests/lib/kbuild-root.sh SUITE [RELEASE [VERSION]]
# With RELEASE, also makes sure linux-headers-RELEASE is installed in it
# (at VERSION, its pin, when given).
set -euo pipefail
suite=${1:?usage: kbuild-root.sh SUITE [RELEASE]}
release=${2:-}
version=${3:-}
cache=${BST_CACHE:-/var/cache/bootstamps}
mirror=$("$(dirname "$0")/debian-mirror.sh")
packages="gcc make libc6-dev sparse kmod"
recipe=1
key=$(printf '%s\n' "$recipe" "$suite" "$mirror" "$packages" | sha256sum | cut -c1-12)
root=$cache/kbuild-$suite-$key

in_root() {
	local rc=0
	mount --bind /proc "$root/proc"
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	umount -l "$root/proc"
	return $rc
}

if [ ! -e "$root/.bst-kbuild-root" ]; then
	command -v debootstrap >/dev/null || { echo "kbuild-root.sh: debootstrap is not installed" >&2; exit 1; }
	rm -rf "$root.tmp"
	echo "kbuild-root.sh: debootstrap $suite into $root" >&2
	debootstrap --variant=minbase "$suite" "$root.tmp" "$mirror" >"$cache/kbuild-$suite.log" 2>&1 ||
		{ tail -n 20 "$cache/kbuild-$suite.log" >&2; exit 1; }
	mv "$root.tmp" "$root"
	# shellcheck disable=SC2086
	in_root apt-get install -y -q --no-install-recommends $packages >>"$cache/kbuild-$suite.log" 2>&1 ||
		{ tail -n 20 "$cache/kbuild-$suite.log" >&2; exit 1; }
	touch "$root/.bst-kbuild-root"
fi
if [ -n "$release" ] && [ ! -e "$root/usr/src/linux-headers-$release/Makefile" ]; then
	echo "kbuild-root.sh: installing linux-headers-$release in the $suite chroot" >&2
	# The mirror may be a snapshot older than the Release file's
	# Valid-Until; for build headers that is fine.
	{ in_root apt-get -o Acquire::Check-Valid-Until=false update -q && in_root apt-get install -y -q --no-install-recommends "linux-headers-$release${version:+=$version}"; } \
		>>"$cache/kbuild-$suite.log" 2>&1 || { tail -n 20 "$cache/kbuild-$suite.log" >&2; exit 1; }
fi
echo "$root"
