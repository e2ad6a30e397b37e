#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms for real: `make dkms-install` for a Debian test kernel, boot the
# module dkms built in the VM (tests/vm/run.sh --module), then
# `make dkms-uninstall` and check that nothing is left behind.
#   tests/dkms.sh FLAVOUR [run.sh options, e.g. --core]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: dkms.sh FLAVOUR [RUN.SH OPTIONS]}
shift
work=${BST_WORK:-/tmp/bootstamps-work}/dkms-$flavour
rm -rf "$work"
mkdir -p "$work"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "[dkms-$flavour] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[dkms-$flavour] not ok $1 # $2"; }
summary() { echo "dkms-$flavour: $pass passed, $fail failed, 0 skipped"; [ $fail = 0 ]; }

read -r release _ < <("$top/tests/lib/kernel.sh" "$flavour") || { not_ok kernel "cannot fetch $flavour"; summary; exit 1; }
ko=/lib/modules/$release/updates/dkms/bootstamps.ko

make -C "$top" dkms-uninstall >/dev/null 2>&1
if make -C "$top" dkms-install KVER="$release" >"$work/install.log" 2>&1 && [ -f "$ko" ]; then
	ok install
else
	not_ok install "$(tail -n 3 "$work/install.log" | tr '\n' ' ')"
	summary
	exit 1
fi
got=$(modinfo -F version "$ko")
if [ "$got" = "$version" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$release" ]; then
	ok module_identity
else
	not_ok module_identity "version '$got', vermagic '$(modinfo -F vermagic "$ko")'"
fi
cp "$ko" "$work/bootstamps.ko"

make -C "$top" dkms-uninstall >"$work/uninstall.log" 2>&1
if [ ! -e "$ko" ] && [ ! -e "/usr/src/bootstamps-$version" ] && [ -z "$(dkms status -m bootstamps)" ]; then
	ok uninstall
else
	not_ok uninstall "left behind: $(ls "$ko" "/usr/src/bootstamps-$version" 2>/dev/null) $(dkms status -m bootstamps)"
fi
summary
status=$?
# The VM boots exactly the module dkms built (copied before uninstall).
"$top/tests/vm/run.sh" "$flavour" --module "$work/bootstamps.ko" "$@" || status=1
exit $status
