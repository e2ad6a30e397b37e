#!/bin/bash
# bootstamps dracut module: put the module in the initramfs and load it
# before udev starts. Writing rd.driver.pre into the image is what
# dracut's force_drivers does; a module instead of a force_drivers line
# because force_drivers fails the whole image for a kernel that lacks the
# module (one dkms could not build for), and this leaves such a kernel's
# image alone.

# dracut sets $kernel and $initdir before calling these.
# shellcheck disable=SC2154
check() {
	modinfo -k "$kernel" bootstamps >/dev/null 2>&1 || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	instmods bootstamps
}

install() {
	# dracut copies /lib/modprobe.d always; the soft dependencies there
	# order bootstamps before drivers udev loads, rd.driver.pre before
	# udev itself.
	mkdir -p "${initdir}/etc/cmdline.d"
	echo "rd.driver.pre=bootstamps" >"${initdir}/etc/cmdline.d/90bootstamps.conf"
}
