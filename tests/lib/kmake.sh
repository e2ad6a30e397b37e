#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make against a Debian kernel build dir, with the compiler its headers
# name (gcc-12 for 6.1) when that exists, else plain gcc: bullseye's 5.10
# headers name gcc-10, which bookworm lacks, and gcc 12 builds them.
# A build dir inside a chroot made by kbuild-root.sh (sid's 7.x) is built
# in that chroot, with each M= directory bind-mounted at its own path.
#   tests/lib/kmake.sh KDIR [make arguments]
kdir=${1:?usage: kmake.sh KDIR [ARGS]}
shift
root=$kdir
while [ "$root" != / ] && [ ! -e "$root/.bst-kbuild-root" ]; do
	root=$(dirname "$root")
done
if [ -e "$root/.bst-kbuild-root" ] && [ "$root" != / ]; then
	binds=("$root/proc")
	mount --bind /proc "$root/proc"
	for a in "$@"; do
		case $a in
		M=*)
			mkdir -p "$root${a#M=}"
			mount --bind "${a#M=}" "$root${a#M=}"
			binds+=("$root${a#M=}")
			;;
		esac
	done
	rc=0
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C make -j"$(nproc)" -C "${kdir#"$root"}" "$@" || rc=$?
	for b in "${binds[@]}"; do
		umount -l "$b"
	done
	exit $rc
fi
# Headers of another architecture (arm64 on an x86 machine): cross-compile.
cross=() prefix=
if grep -q '^CONFIG_ARM64=y' "$kdir/.config" 2>/dev/null && [ "$(uname -m)" != aarch64 ]; then
	prefix=aarch64-linux-gnu-
	cross=(ARCH=arm64 "CROSS_COMPILE=$prefix")
fi
cc=$(sed -n 's/^CC = .*)\(gcc[-0-9]*\)$/\1/p' "$kdir/.kernelvariables" 2>/dev/null)
if [ -n "$cc" ] && ! command -v "$prefix$cc" >/dev/null; then
	exec make -j"$(nproc)" -C "$kdir" "${cross[@]}" CC="${prefix}gcc" "$@"
fi
exec make -j"$(nproc)" -C "$kdir" "${cross[@]}" "$@"
