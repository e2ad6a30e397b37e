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
	out=$(cd "$top" && perl "$cp_pl" --terse -f module/*.c module/*.h tests/fixtures/bst_fixture.c tests/fixtures/bst_fixture_many.c tests/kunit/bst_kunit.c 2>&1 |
		grep -v '^total: 0 errors, 0 warnings, 0 checks')
	if [ -z "$out" ]; then ok checkpatch; else not_ok checkpatch "$(echo "$out" | head -n 3 | tr '\n' ' ')"; fi
fi

# Every shell script: the installer runs as root on users' machines.
if command -v shellcheck >/dev/null; then
	out=$(cd "$top" && shellcheck -S warning .ci/run dist/install.sh dist/dkms-post-install dist/initramfs-tools/*/bootstamps \
		dist/dracut/*/module-setup.sh tests/*.sh tests/*/*.sh tests/system/guest/bst-report 2>&1)
	if [ -z "$out" ]; then ok shellcheck; else not_ok shellcheck "$(echo "$out" | grep -m 2 -E '^In |SC[0-9]' | tr '\n' ' ')"; fi
else
	not_ok shellcheck "shellcheck is not installed (apt-get install shellcheck)"
fi

out=$(cd "$top" && grep -ln 'LINUX_VERSION_CODE\|KERNEL_VERSION(' module/*.c module/*.h | grep -v '^module/compat.h$')
if [ -z "$out" ]; then ok version_logic_only_in_compat_h; else not_ok version_logic_only_in_compat_h "found in: $out"; fi

# Build against the test kernels' headers: Debian 6.1 (cloud-amd64, amd64,
# PREEMPT_RT rt-amd64), 5.10 (bullseye), 6.12 (bookworm-backports) and the
# newest Debian has (sid: 7.x, built in a chroot of sid); and 6.1 cloud-arm64
# (Graviton), cross-compiled.
# shellcheck source=tests/lib/build-check.sh
. "$top/tests/lib/build-check.sh"
for k in cloud-amd64: amd64: rt-amd64: amd64:bullseye amd64:bookworm-backports amd64:sid cloud-arm64:; do
	build_check "${k%%:*}" "${k#*:}"
done

# The benchmark build (bench.c, never shipped) must not rot either.
read -r _ _ kdir < <("$top/tests/lib/kernel.sh" amd64)
b=$work/bench
mkdir -p "$b"
cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$b/"
if out=$("$top/tests/lib/kmake.sh" "$kdir" M="$b" BST_BENCH=1 W=1 KCFLAGS=-Werror C=2 modules 2>&1) &&
	! grep -qE '(warning|error):' <<<"$out"; then
	ok w1_sparse.bench_build
else
	not_ok w1_sparse.bench_build "$(echo "$out" | grep -m 3 -E 'warning|error' | tr '\n' ' ')"
fi

echo "lint: $pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
