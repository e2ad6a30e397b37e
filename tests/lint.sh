#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the kernel code, each one a case:
#   checkpatch --strict (from Debian's linux-source package), W=1 with
#   -Werror, sparse, kernel-version logic only in module/compat.h, and
#   every global symbol of bootstamps.ko prefixed bst_ or bootstamps_.
# Prints "lint: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${BST_CACHE:-/var/cache/bootstamps}
work=${BST_WORK:-/tmp/bootstamps-work}/lint
rm -rf "$work"
mkdir -p "$work"
pass=0 fail=0 skipped=0
ok() { pass=$((pass + 1)); echo "[lint] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[lint] not ok $1 # $2"; }

# checkpatch.pl ships only in the full source package; unpack its scripts/.
checkpatch() {
	local src tarball
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || return 1
	src=$cache/$(basename "$tarball" .tar.xz)
	if [ ! -e "$src/scripts/checkpatch.pl" ]; then
		mkdir -p "$cache"
		tar -C "$cache" -xf "$tarball" "$(basename "$tarball" .tar.xz)/scripts" || return 1
	fi
	echo "$src/scripts/checkpatch.pl"
}

cp_pl=$(checkpatch)
if [ -z "$cp_pl" ]; then
	not_ok checkpatch "no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.1)"
else
	out=$(cd "$top" && perl "$cp_pl" --terse -f module/*.c module/*.h tests/fixtures/bst_fixture.c 2>&1 |
		grep -v '^total: 0 errors, 0 warnings, 0 checks')
	if [ -z "$out" ]; then ok checkpatch; else not_ok checkpatch "$(echo "$out" | head -n 3 | tr '\n' ' ')"; fi
fi

out=$(cd "$top" && grep -ln 'LINUX_VERSION_CODE\|KERNEL_VERSION(' module/*.c module/*.h | grep -v '^module/compat.h$')
if [ -z "$out" ]; then ok version_logic_only_in_compat_h; else not_ok version_logic_only_in_compat_h "found in: $out"; fi

# Build against every installed Debian 6.1 headers tree of the test kernels.
for flavour in cloud-amd64 amd64; do
	read -r release _ < <("$top/tests/lib/kernel.sh" "$flavour") || { not_ok "w1.$flavour" "no kernel"; continue; }
	kdir=/lib/modules/$release/build
	b=$work/$flavour
	mkdir -p "$b"
	cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$b/"
	if out=$(make -C "$kdir" M="$b" W=1 KCFLAGS=-Werror modules 2>&1) &&
		! echo "$out" | grep -q 'warning:'; then
		ok "w1.$flavour"
	else
		not_ok "w1.$flavour" "$(echo "$out" | grep -m 3 -E 'warning|error' | tr '\n' ' ')"
		continue
	fi
	# Every global symbol carries the project prefix (module entry points
	# and kbuild's own are exempt).
	bad=$(nm --defined-only "$b/bootstamps.ko" | awk '$2 ~ /^[TDBR]$/ { print $3 }' |
		grep -vE '^(bst_|bootstamps_|init_module$|cleanup_module$|__this_module$|__UNIQUE_ID)' | tr '\n' ' ')
	if [ -z "$bad" ]; then ok "symbol_prefix.$flavour"; else not_ok "symbol_prefix.$flavour" "unprefixed: $bad"; fi
	if ! command -v sparse >/dev/null; then
		not_ok "sparse.$flavour" "sparse is not installed (apt-get install sparse)"
		continue
	fi
	out=$(make -C "$kdir" M="$b" C=2 modules 2>&1 | grep -E '(warning|error):')
	if [ -z "$out" ]; then ok "sparse.$flavour"; else not_ok "sparse.$flavour" "$(echo "$out" | head -n 3 | tr '\n' ' ')"; fi
done

echo "lint: $pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
