#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the Debian mirror this machine's apt uses (deb822 .sources first,
# then the one-line sources.list), so that every chroot, suite and
# download goes where the machine itself is allowed to go. Falls back to
# deb.debian.org, saying so.
set -uo pipefail
mirror=$(sed -n 's/^URIs: *\(.*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\)\/* .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
if [ -z "$mirror" ]; then
	mirror=http://deb.debian.org/debian
	echo "debian-mirror.sh: no Debian mirror in the machine's apt sources, using $mirror" >&2
fi
echo "$mirror"
