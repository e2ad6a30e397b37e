#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian bookworm root filesystem for the full-system tests, built once
# with debootstrap and cached outside the repository, keyed by everything
# that decides its contents. Prints the cache directory, which holds:
#   rootfs/        minbase + systemd, udev, dkms, a compiler, the amd64
#                  kernel and its headers, initramfs-tools
#   debs-dracut/   dracut and what it needs, to swap generators offline
#   debs-upgrade/  bookworm-backports' kernel and headers, for the
#                  kernel-upgrade case
# The project itself is never in the cache: each run copies rootfs/ and
# installs the current sources into the copy.
set -euo pipefail
cache=${BST_CACHE:-/var/cache/bootstamps}
mirror=$("$(dirname "$0")/../lib/debian-mirror.sh")

packages="systemd systemd-sysv udev kmod dbus dkms gcc make libc6-dev linux-image-amd64 linux-headers-amd64 initramfs-tools zstd iproute2 procps"
dracut_packages="dracut"
upgrade_packages="linux-image-amd64 linux-headers-amd64"
# Bump when this script changes what it builds.
recipe=2
key=$(printf '%s\n' "$recipe" "$mirror" "$packages" "$dracut_packages" "$upgrade_packages" | sha256sum | cut -c1-12)
out=$cache/system-bookworm-$key
if [ -f "$out/complete" ]; then
	echo "$out"
	exit 0
fi

command -v debootstrap >/dev/null || { echo "rootfs.sh: debootstrap is not installed" >&2; exit 1; }
tmp=$cache/system-bookworm-$key.tmp
mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
root=$tmp/rootfs
echo "rootfs.sh: debootstrap bookworm from $mirror into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$tmp/debootstrap.log" >&2; exit 1; }

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $mirror bookworm-backports main
EOF
# No daemon may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
for m in proc sys dev; do
	mount --bind "/$m" "$root/$m"
	mounted=("$root/$m" "${mounted[@]}")
done
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
in_root apt-get update -q >&2
# shellcheck disable=SC2086
in_root apt-get install -y -q --no-install-recommends $packages >"$tmp/install.log" 2>&1 ||
	{ tail -n 40 "$tmp/install.log" >&2; exit 1; }
in_root apt-get clean

# Packages the later cases install offline: downloaded now, kept outside
# the root so the images stay small.
fetch() {
	local dir=$1
	shift
	in_root apt-get install -y -q --no-install-recommends --download-only "$@" >>"$tmp/install.log" 2>&1 ||
		{ tail -n 40 "$tmp/install.log" >&2; exit 1; }
	mkdir -p "$tmp/$dir"
	mv "$root"/var/cache/apt/archives/*.deb "$tmp/$dir/"
}
# shellcheck disable=SC2086
fetch debs-dracut $dracut_packages
# shellcheck disable=SC2086
fetch debs-upgrade -t bookworm-backports $upgrade_packages

echo bstsystem >"$root/etc/hostname"
echo '/dev/nvme0n1 / ext4 defaults 0 1' >"$root/etc/fstab"
# No password: nobody logs in, the guest reports on its own.
in_root passwd -d root >/dev/null
rm -f "$root/usr/sbin/policy-rc.d"
cleanup
mounted=()
trap - EXIT
touch "$tmp/complete"
rm -rf "$out"
mv "$tmp" "$out"
echo "$out"
