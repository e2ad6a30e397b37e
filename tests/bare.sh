#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proof that the README's commands work on a bare machine: a minbase
# Debian 12 (bookworm) chroot with nothing but make added, the
# repository's files copied in, and `make demo` (or `make check`) run in
# it with a clean environment and an empty /var/cache/bootstamps, so that
# every package and download the command needs comes from the command
# itself (tests/deps.sh, then the scripts' own fetches).
#
#   tests/bare.sh demo|check [--keep]
#
# --keep   leave the chroot in the work dir afterwards (it is removed by
#          default: several GB after a check)
#
# The debootstrapped tree is cached as a tarball,
# /var/cache/bootstamps/bare-bookworm-<key>.tar, keyed by the mirror and
# this recipe; each run unpacks a fresh copy of it. QEMU runs inside the
# chroot under TCG, as everywhere else.
# Prints "bare-TARGET: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-}
case $what in
demo | check) ;;
*) echo "usage: tests/bare.sh demo|check [--keep]" >&2; exit 2 ;;
esac
keep=
[ "${2:-}" != --keep ] || keep=1
label=bare-$what
cache=${BST_CACHE:-/var/cache/bootstamps}
work=${BST_WORK:-/tmp/bootstamps-work}/$label
root=$work/root
pass=0 fail=0 skipped=0

say() { echo "[bare] # $*"; }
verdict() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "[bare] ok $1"
	else
		fail=$((fail + 1)); echo "[bare] not ok $1 # $3"
	fi
}
finished=
finish() {
	finished=1
	echo "$label: $pass passed, $fail failed, $skipped skipped"
	[ "$fail" = 0 ]
	exit
}
die() { verdict "$1" 1 "$2"; finish; }

[ "$(id -u)" = 0 ] || die setup.root "needs root (debootstrap, chroot, bind mounts)"
"$top/tests/deps.sh" bare || die setup.deps "tests/deps.sh bare failed"

# ------------------------------------------------------------ mounts
# Everything mounted below a directory, deepest first, unmounted; then
# nothing of the machine's /dev, /proc or /sys is reachable through it,
# and removing the directory cannot touch them. Also catches what the
# command left mounted inside the chroot (system/run.sh's and kmake.sh's
# own binds, if it was interrupted).
unmount_under() {
	local d=$1 m
	awk -v d="$d/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	! awk -v d="$d/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}
remove_tree() {
	[ -e "$1" ] || return 0
	unmount_under "$1" || { echo "[bare] # still mounted under $1: not removing it" >&2; return 1; }
	rm -rf --one-file-system "$1"
}
# Every process whose root is the chroot: the command, and what it left
# behind (the test parts run under timeout, each in a process group of its
# own, so killing this script's group does not reach them).
kill_in_root() {
	local sig p n
	for sig in TERM TERM TERM KILL; do
		n=0
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
			kill -"$sig" "${p#/proc/}" 2>/dev/null && n=$((n + 1))
		done
		[ $n = 0 ] && return
		sleep 2
	done
}
# A run that failed or was interrupted keeps its chroot, to look into; a
# passed one is removed unless --keep.
tmp=
cleanup() {
	kill_in_root
	# A debootstrap that did not finish.
	[ -z "$tmp" ] || remove_tree "$tmp"
	unmount_under "$root" || say "could not unmount everything under $root"
	[ -z "$finished" ] || [ "$fail" != 0 ] || [ -n "$keep" ] || remove_tree "$work"
}
trap cleanup EXIT
# Stopped: the command first, and its last output, then the summary.
interrupted() {
	kill_in_root
	wait
	verdict interrupted 1 "stopped by a signal"
	finish
}
trap interrupted INT TERM

# ------------------------------------------------------------ the tarball
# The same mirror the machine's apt uses, for debootstrap and for the
# chroot's own sources.
mirror=$("$top/tests/lib/debian-mirror.sh")
# Bump when this script changes what goes into the tarball.
recipe=1
key=$(printf '%s\n' "$recipe" "$mirror" bookworm minbase | sha256sum | cut -c1-12)
tarball=$cache/bare-bookworm-$key.tar
mkdir -p "$cache"
if [ -e "$tarball" ]; then
	say "debootstrap: cached in $tarball"
else
	# Built in a directory of its own and renamed into place, so that a
	# failed or interrupted debootstrap leaves no tarball behind.
	tmp=$(mktemp -d "$cache/bare-bookworm-$key.XXXXXX") || die setup.debootstrap "mktemp failed"
	t0=$SECONDS
	say "debootstrap --variant=minbase bookworm from $mirror"
	if ! debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
		tail -n 20 "$tmp/debootstrap.log" | sed 's/^/[bare] #   /'
		remove_tree "$tmp"
		die setup.debootstrap "debootstrap failed"
	fi
	tar --numeric-owner -C "$tmp/root" -cf "$tmp/root.tar" . || { remove_tree "$tmp"; die setup.debootstrap "tar failed"; }
	mv "$tmp/root.tar" "$tarball"
	remove_tree "$tmp"
	tmp=
	say "debootstrap: $((SECONDS - t0)) s, cached in $tarball"
	# Tarballs of an older recipe or another mirror.
	for old in "$cache"/bare-bookworm-*.tar; do
		[ "$old" = "$tarball" ] || rm -f "$old"
	done
fi

# ------------------------------------------------------------ the machine
remove_tree "$work" || die setup.work "cannot clear $work"
mkdir -p "$root"
tar --numeric-owner -C "$root" -xf "$tarball" || die setup.unpack "cannot unpack $tarball"
# The sources a Debian 12 installation has: the release, its updates and
# security, from the machine's own mirrors.
security=$(sed -n 's/^URIs: *\(.*\/debian-security\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$security" ] || security=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian-security\)\/* .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
{
	echo "deb $mirror bookworm main"
	echo "deb $mirror bookworm-updates main"
	[ -z "$security" ] || echo "deb $security bookworm-security main"
} >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Packages must not start daemons inside the chroot (prometheus, which
# make check's deps install, would listen on the machine's network):
# invoke-rc.d asks this policy first.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

mount_all() {
	local m
	# /dev/pts for apt's and dpkg's terminal log, /dev/shm for Chromium
	# (make check's reader): plain binds do not bring submounts along.
	for m in proc sys dev dev/pts dev/shm; do
		mountpoint -q "/$m" || continue
		mkdir -p "$root/$m"
		mount --bind "/$m" "$root/$m" || return 1
	done
}
mount_all || die setup.mount "cannot bind-mount /proc, /sys and /dev"
# in_root CMD...: the chroot with nothing of this shell's environment.
in_root() {
	chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
}
[ -z "$(ls -A "$root/var/cache/bootstamps" 2>/dev/null)" ]
verdict setup.cold_cache $? "the chroot's /var/cache/bootstamps is not empty"

# make, and only make: a user needs it to type `make demo` at all. Every
# other package is the command's own business (tests/deps.sh).
t0=$SECONDS
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends make && apt-get clean' \
	>"$work/make-install.log" 2>&1
verdict setup.install_make $? "$(tail -n 2 "$work/make-install.log" | tr '\n' ' ')"
say "apt-get install make: $((SECONDS - t0)) s"
[ "$fail" = 0 ] || finish

# The repository as a clone has it: tracked files and untracked ones that
# are not ignored (so uncommitted work is tested too), no build output.
src=$root/root/bootstamps
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do
		# A tracked file deleted in the work tree is not copied.
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done | xargs -0 cp -P --preserve=mode,timestamps --parents -t "$src")
else
	(cd "$top" && tar --exclude=.git -cf - .) | tar -C "$src" -xf -
fi
verdict setup.copy_sources $? "copying the repository into $src failed"

# ------------------------------------------------------------ the command
# Its output streams with the seconds since it started, and goes to
# $work/make-TARGET.log.
say "make $what in the chroot (env -i, HOME=/root), in /root/bootstamps"
# In the background, waited for: a signal to this script then stops the
# run at once (cleanup) instead of after the command.
t0=$SECONDS
(
	in_root sh -c 'cd /root/bootstamps && exec make "$1"' sh "$what" </dev/null 2>&1 |
		tee "$work/make-$what.log" |
		while IFS= read -r l; do printf '[bare] # %5ds  %s\n' $((SECONDS - t0)) "$l"; done
	exit "${PIPESTATUS[0]}"
) &
wait $!
rc=$?
elapsed=$((SECONDS - t0))
say "make $what: exit $rc after $elapsed s"
out=$work/make-$what.log
verdict "$what.runs" "$rc" "make $what exited $rc"

if [ "$what" = demo ]; then
	# tests/demo.sh: its title, one boot as the reader's show explains it,
	# then compare's verdict on the two images.
	grep -q "^bootstamps demo: two images of one machine" "$out"
	verdict demo.title $? "no 'bootstamps demo:' line"
	missing=
	for s in 'Startup finished in ' 'Blame: ' "Critical chain to the boot's end" Milestones Programs 'Verdict: '; do
		grep -q "^$s" "$out" || missing="$missing '$s'"
	done
	[ -z "$missing" ]
	verdict demo.show_sections $? "the demo's output lacks:$missing"
	# systemd-analyze's line: each phase timed, and their sum.
	# "1min 2.345s" past a minute, as systemd-analyze prints it.
	grep -qE '^Startup finished in ([0-9]+min )?[0-9.]+(ms|s) \(kernel\) \+ ([0-9]+min )?[0-9.]+(ms|s) \(initrd\) \+ ([0-9]+min )?[0-9.]+(ms|s) \(userspace\) = ([0-9]+min )?[0-9.]+s$' "$out"
	verdict demo.phases_timed $? "no 'Startup finished in ... (kernel) + ... (initrd) + ... (userspace) = ...' line"
	awk '/^Blame: / { s = 1; next } s && /^$/ { exit } s && $3 == "demo_nic" { f = 1 } END { exit !f }' "$out"
	verdict demo.driver_probe $? "no demo_nic row in show's blame"
	awk '/^Blame: / { s = 1; next } s && /^$/ { exit } s && $3 == "virtio_blk" { f = 1 } END { exit !f }' "$out"
	verdict demo.virtio_blk_probe $? "no virtio_blk row in show's blame"
	# The story's answer: the service and the driver, and what else changed.
	sed -n '/^Verdict: /,/^$/p' "$out" >"$work/demo-verdict.txt"
	grep -q 'ntpdate only in A' "$work/demo-verdict.txt" && grep -q 'demo_nic.*0\.6\.6 -> 1\.0\.2' "$work/demo-verdict.txt" &&
		grep -q '+selinux=0' "$work/demo-verdict.txt" && grep -q '2016\.03.*2016\.09' "$work/demo-verdict.txt"
	verdict demo.verdict $? "the verdict does not name ntpdate, demo_nic's versions, selinux=0 and the release: $(tr '\n' ' ' <"$work/demo-verdict.txt")"
	! grep -qE 'bst_fixture|bst-vmtool|bst[.]scenario' "$out"
	verdict demo.no_test_names $? "the demo shows test names: $(grep -m 1 -E 'bst_fixture|bst-vmtool|bst[.]scenario' "$out")"
	svg=$(sed -n 's|^Timeline of that boot drawn in \(/[^ ]*\) (open it in a browser);$|\1|p' "$out")
	[ -n "$svg" ] && [ -s "$root$svg" ]
	verdict demo.svg_written $? "no timeline SVG (${svg:-not named})"
	# Cold: the kernel came from the network into the chroot's own cache.
	ls "$root/var/cache/bootstamps/debs/"linux-image-*-cloud-amd64_*.deb >/dev/null 2>&1
	verdict demo.cache_filled_from_cold $? "no cloud-amd64 kernel package in the chroot's /var/cache/bootstamps/debs"
else
	grep -qE '^[0-9]+ passed, 0 failed, [0-9]+ skipped$' "$out"
	verdict check.summary $? "$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)"
fi
grep -q '^tests/deps.sh: installing for ' "$out"
verdict "$what.deps_installed" $? "make $what did not install its packages with tests/deps.sh"
finish
