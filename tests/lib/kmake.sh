#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make against a Debian kernel build dir, with the compiler its headers
# name (gcc-12 for 6.1) when that exists, else plain gcc: bullseye's 5.10
# headers name gcc-10, which bookworm lacks, and gcc 12 builds them.
#   tests/lib/kmake.sh KDIR [make arguments]
kdir=${1:?usage: kmake.sh KDIR [ARGS]}
shift
cc=$(sed -n 's/^CC = .*)\(gcc[-0-9]*\)$/\1/p' "$kdir/.kernelvariables" 2>/dev/null)
if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
	exec make -C "$kdir" CC=gcc "$@"
fi
exec make -C "$kdir" "$@"
