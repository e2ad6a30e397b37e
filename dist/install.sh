#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall`: bootstamps on this machine, loaded
# early on every boot of every installed kernel, every boot archived.
#
#   dist/install.sh install     dkms module for each kernel with headers,
#                               reader and man page, modprobe soft
#                               dependencies, initramfs-tools hook and/or
#                               dracut module, systemd unit; then the
#                               initramfs of each kernel is regenerated
#   dist/install.sh uninstall   removes every one of those, regenerates the
#                               initramfs; archived captures are kept
#
# Both can run any number of times. Each line of output says what was done.
# PREFIX (default /usr/local) places the reader and its man page.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
bindir=$PREFIX/bin
man8dir=$PREFIX/share/man/man8
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
src=/usr/src/bootstamps-$version
modprobe_conf=/lib/modprobe.d/bootstamps.conf
itools_hook=/etc/initramfs-tools/hooks/bootstamps
itools_script=/etc/initramfs-tools/scripts/init-top/bootstamps
dracut_module=/usr/lib/dracut/modules.d/90bootstamps
unit=/etc/systemd/system/bootstamps-save.service
archive=/var/lib/bootstamps

say() {
	echo "bootstamps: $*"
}

die() {
	echo "bootstamps: error: $*" >&2
	exit 1
}

# Install file $1 as $2 with mode $3, saying whether anything changed.
put() {
	if cmp -s "$1" "$2"; then
		say "unchanged $2"
	else
		install -D -m "$3" "$1" "$2"
		say "installed $2"
	fi
}

# Remove a file or directory if present.
drop() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		rm -rf "$1"
		say "removed $1"
	fi
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# Kernels installed on this machine, newest last.
kernels() {
	for d in /lib/modules/*/; do
		[ -d "$d/kernel" ] && basename "$d"
	done | sort -V
}

# The initramfs generator this machine uses, or nothing.
generator() {
	if have mkinitramfs && have update-initramfs; then
		echo initramfs-tools
	elif have dracut; then
		echo dracut
	fi
}

initrd_of() {
	for f in "/boot/initrd.img-$1" "/boot/initramfs-$1.img"; do
		if [ -e "$f" ]; then
			echo "$f"
			return
		fi
	done
}

regenerate_initramfs() {
	gen=$(generator)
	if [ -z "$gen" ]; then
		say "no initramfs generator (initramfs-tools or dracut) found: bootstamps loads only once the root filesystem is mounted"
		return
	fi
	for k in $(kernels); do
		initrd=$(initrd_of "$k")
		if [ -z "$initrd" ]; then
			say "$k has no initramfs: not generating one"
			continue
		fi
		case $gen in
		initramfs-tools) update-initramfs -u -k "$k" >/dev/null 2>&1 ||
			die "update-initramfs -u -k $k failed; run it to see why" ;;
		dracut) dracut --force --kver "$k" "$initrd" >/dev/null 2>&1 ||
			die "dracut --force --kver $k failed; run it to see why" ;;
		esac
		say "regenerated $initrd ($gen)"
	done
}

# Versions of bootstamps dkms knows, one per line.
dkms_versions() {
	dkms status -m bootstamps 2>/dev/null |
		sed -n 's/^bootstamps[,/] *\([^,:]*\).*/\1/p' | sort -u
}

dkms_remove_version() {
	dkms remove -m bootstamps -v "$1" --all >/dev/null 2>&1 || true
	say "removed bootstamps $1 from dkms"
	drop "/usr/src/bootstamps-$1"
}

# Whether dkms' copy of this version is these sources (only the sources:
# a developer's build products in module/ are not copied).
same_sources() {
	cmp -s "$top/Kbuild" "$src/Kbuild" && cmp -s "$top/dkms.conf" "$src/dkms.conf" &&
		cmp -s "$top/dist/dkms-post-install" "$src/dkms-post-install" || return 1
	[ "$(cd "$top/module" && ls ./*.[ch])" = "$(cd "$src/module" 2>/dev/null && ls ./*.[ch])" ] || return 1
	for f in "$top"/module/*.[ch]; do
		cmp -s "$f" "$src/module/${f##*/}" || return 1
	done
}

install_module() {
	have dkms || die "dkms is not installed. Debian/Ubuntu: apt install dkms linux-headers-\$(uname -r); Amazon Linux/Fedora: dnf install dkms kernel-devel-\$(uname -r)"
	# Another version, or these same version's sources changed: dkms
	# would keep the old build, so start that version over.
	for v in $(dkms_versions); do
		if [ "$v" != "$version" ]; then
			dkms_remove_version "$v"
		elif ! same_sources; then
			dkms_remove_version "$v"
		fi
	done
	if [ -z "$(dkms_versions)" ]; then
		rm -rf "$src"
		mkdir -p "$src/module"
		cp "$top/Kbuild" "$top/dkms.conf" "$top/dist/dkms-post-install" "$src/"
		cp "$top"/module/*.[ch] "$src/module/"
		dkms add -m bootstamps -v "$version" >/dev/null
		say "added bootstamps $version to dkms ($src)"
	fi
	built=0
	for k in $(kernels); do
		if [ ! -e "/lib/modules/$k/build" ]; then
			say "$k: no kernel headers, module not built (install its headers, then run this again)"
			continue
		fi
		if dkms status -m bootstamps -v "$version" -k "$k" | grep -q ': installed'; then
			say "$k: module already installed"
			built=$((built + 1))
			continue
		fi
		rc=0
		# mktemp, not a name of our own: this runs as root in /tmp.
		log=$(mktemp) || die "cannot create a temporary file"
		BOOTSTAMPS_INSTALLING=1 dkms install -m bootstamps -v "$version" -k "$k" \
			>"$log" 2>&1 || rc=$?
		if [ "$rc" = 0 ]; then
			say "$k: module built and installed by dkms"
			built=$((built + 1))
		elif [ "$rc" = 77 ]; then
			say "$k: outside the kernels bootstamps supports (dkms.conf BUILD_EXCLUSIVE_KERNEL), skipped"
		else
			cat "$log" >&2
			rm -f "$log"
			die "$k: dkms install failed (exit $rc), output above"
		fi
		rm -f "$log"
	done
	[ "$built" -gt 0 ] || say "warning: the module is installed for no kernel yet; dkms builds it when headers or a new kernel are installed"
}

install_reader() {
	obj=$(mktemp -d)
	make -s -C "$top/userspace" OBJDIR="$obj" >/dev/null ||
		{ rm -rf "$obj"; die "building the reader failed (make -C userspace)"; }
	put "$obj/bootstamps" "$bindir/bootstamps" 755
	rm -rf "$obj"
	put "$top/userspace/bootstamps.8" "$man8dir/bootstamps.8" 644
}

install_boot_integration() {
	put "$top/dist/modprobe.conf" "$modprobe_conf" 644
	if [ -d /etc/initramfs-tools ]; then
		put "$top/dist/initramfs-tools/hooks/bootstamps" "$itools_hook" 755
		put "$top/dist/initramfs-tools/init-top/bootstamps" "$itools_script" 755
	fi
	if [ -d /usr/lib/dracut/modules.d ]; then
		put "$top/dist/dracut/90bootstamps/module-setup.sh" "$dracut_module/module-setup.sh" 755
	fi
	if [ -z "$(generator)" ]; then
		say "no initramfs generator found: drivers in an initramfs will probe before bootstamps loads"
	fi
}

install_unit() {
	if ! have systemctl; then
		say "no systemd: archive each boot with '$bindir/bootstamps save' from your boot scripts (docs/install.md)"
		return
	fi
	tmp=$(mktemp)
	sed "s|@BINDIR@|$bindir|g" "$top/dist/systemd/bootstamps-save.service.in" >"$tmp"
	put "$tmp" "$unit" 644
	rm -f "$tmp"
	[ -d /run/systemd/system ] && systemctl daemon-reload
	if systemctl is-enabled bootstamps-save.service >/dev/null 2>&1; then
		say "bootstamps-save.service already enabled"
	else
		systemctl enable bootstamps-save.service >/dev/null 2>&1 ||
			die "systemctl enable bootstamps-save.service failed"
		say "enabled bootstamps-save.service"
	fi
}

do_install() {
	install_module
	install_reader
	install_boot_integration
	install_unit
	regenerate_initramfs
	say "installed bootstamps $version; it loads early from the next boot on ('modprobe bootstamps' loads it now)"
}

do_uninstall() {
	if have systemctl && [ -e "$unit" ]; then
		systemctl disable bootstamps-save.service >/dev/null 2>&1 || true
		say "disabled bootstamps-save.service"
	fi
	drop "$unit"
	have systemctl && [ -d /run/systemd/system ] && systemctl daemon-reload
	drop "$modprobe_conf"
	drop "$itools_hook"
	drop "$itools_script"
	drop "$dracut_module"
	drop "$bindir/bootstamps"
	drop "$man8dir/bootstamps.8"
	# install -D created man8/ if this was the first section-8 page under
	# PREFIX; an empty man8/ means nothing, whoever made it.
	if [ -d "$man8dir" ] && rmdir "$man8dir" 2>/dev/null; then
		say "removed the empty $man8dir"
	fi
	if have dkms; then
		for v in $(dkms_versions); do
			dkms_remove_version "$v"
		done
	fi
	for d in /usr/src/bootstamps-*; do
		[ -e "$d" ] && drop "$d"
	done
	if [ -d /sys/module/bootstamps ]; then
		if modprobe -r bootstamps 2>/dev/null; then
			say "unloaded the running module"
		else
			say "the running module stays loaded until the next boot"
		fi
	fi
	regenerate_initramfs
	if [ -e /etc/default/bootstamps ]; then
		say "kept /etc/default/bootstamps (your settings; make install never wrote it)"
	fi
	n=$(find "$archive" -name '*.bst' 2>/dev/null | wc -l)
	if [ "$n" -gt 0 ]; then
		say "kept $n archived boot(s) in $archive (delete it yourself if you no longer want them)"
	fi
	say "uninstalled"
}

[ "$(id -u)" = 0 ] || die "must run as root (sudo make ${1:-install})"
case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: dist/install.sh install|uninstall" ;;
esac
