#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a test part needs, and only those missing.
#
#   tests/deps.sh TARGET...
#
# TARGET   demo   tests/vm/run.sh cloud-amd64 --demo (make demo)
#          vm     any tests/vm/run.sh lane: every flavour and suite, arm64
#          lint unit fuzz dkms reader ab system debug bench fleet
#                 the part of the same name
#          check  everything make check runs;  all  everything
#          bare   what tests/bare.sh needs on the machine itself
#          matrix, check-system, check-debug, check-qemu: as the make
#          targets of those names
#
# Nothing missing: exits 0 at once, without touching apt. Something
# missing, as root: one apt-get update, one apt-get install of exactly the
# missing packages, without recommends, upgrading nothing installed but
# what a new package needs at a newer version, never a kernel package.
# Not root: prints the command to run and exits 1.
#
# The names are Debian 12 (bookworm)'s: the VM lanes boot Debian's kernels,
# fetched from this machine's own suites with its apt, under
# bookworm-backports' QEMU, which is built against bookworm's libraries
# (tests/lib/qemu.sh).
set -uo pipefail

me=tests/deps.sh
usage() {
	echo "usage: $me TARGET...  (demo vm lint unit fuzz dkms reader ab system debug bench fleet check all bare)" >&2
	exit 2
}
[ $# -gt 0 ] || usage

# ------------------------------------------------------------ package sets
# The module against Debian's headers and the reader, static for the VM:
# libc6-dev holds libc.a. gcc-12 and linux-kbuild come with the headers
# themselves (their Depends), which tests/lib/kernel.sh installs or
# unpacks: never this script, so that no kernel package ever lands on the
# machine through it.
build=(make gcc libc6-dev)
# Fetching: apt-get download and dpkg-deb -x of Debian's kernels, signed
# by the archive key (tests/lib/apt-suite.sh names its keyring), over
# https if the mirror is; modprobe, modinfo and depmod on their modules.
fetch=(ca-certificates debian-archive-keyring kmod)
# bookworm-backports' QEMU 10.0, unpacked into the cache and never
# installed (tests/lib/qemu.sh), links against these: its Depends.
qemu_x86=(libaio1 libbpf1 libcapstone4 libfdt1 libfuse3-3 libglib2.0-0 libgmp10 libgnutls30
	libhogweed6 libibverbs1 libjpeg62-turbo libnettle8 libnuma1 libpixman-1-0 libpmem1 libpng16-16
	librdmacm1 libsasl2-2 libseccomp2 libslirp0 libudev1 liburing2 libvdeplug2 libzstd1 zlib1g)
qemu_arm=(libgcc-s1)
# The VM's initramfs and disks: busybox (static, it is the guest's
# userland), cpio and gzip for the initramfs, mke2fs -d for the root,
# sfdisk for the nvme disk's partitions.
image=(busybox-static cpio gzip e2fsprogs fdisk)

want=()
# Targets that install kernel headers with the machine's own apt lists
# (tests/lib/kernel.sh; other suites have lists of their own).
lists=0
add() { want+=("$@"); }
target() {
	case $1 in
	demo)
		add "${build[@]}" "${fetch[@]}" "${qemu_x86[@]}" "${image[@]}"
		lists=1
		;;
	vm | check-qemu)
		target demo
		# 6.12's and 7.x's modules are .ko.xz; run.sh unpacks .ko.zst
		# too, should a kernel ship those.
		add xz-utils zstd "${qemu_arm[@]}"
		# 6.12's headers (bookworm-backports) ship vmlinux, and with it
		# Kbuild makes each module's BTF with pahole.
		add dwarves
		# cloud-arm64: the module, fixture, reader and bst-vmtool
		# cross-compiled.
		add gcc-aarch64-linux-gnu libc6-dev-arm64-cross
		# sid's headers want a newer compiler and C library: built in a
		# sid chroot (tests/lib/kbuild-root.sh), which has its own.
		add debootstrap
		;;
	lint)
		# Builds against every test kernel as the VM lanes do (pahole for
		# 6.12 too), but boots none: no QEMU. checkpatch.pl is in
		# linux-source's tarball and needs perl's full library
		# (Term::ANSIColor), not perl-base.
		add "${build[@]}" "${fetch[@]}" xz-utils gcc-aarch64-linux-gnu libc6-dev-arm64-cross debootstrap
		add linux-source-6.1 perl shellcheck sparse dwarves
		lists=1
		;;
	unit)
		# ASan and UBSan come with gcc (libasan8, libubsan1).
		add gcc libc6-dev libcmocka-dev
		;;
	fuzz)
		# clang's libFuzzer runtime is in its own package.
		add clang libclang-rt-14-dev
		;;
	dkms)
		# make dkms-install (dkms generates its signing key with openssl),
		# then the VM boots the module it built.
		target demo
		add dkms openssl
		;;
	reader)
		# Each output's real consumer: jq, promtool, xmllint, headless
		# Chromium and tests/lib/png_not_blank.py (zlib and struct only);
		# man checks the man page.
		add "${build[@]}" jq prometheus libxml2-utils chromium python3-minimal man-db
		;;
	fleet)
		# tests/fleet.sh: its servers (prometheus, node_exporter) are
		# unpacked from pinned .debs, never installed (they would start
		# services); it asks them with curl and jq, and SQL with sqlite3.
		add "${build[@]}" "${fetch[@]}" curl jq sqlite3
		;;
	ab)
		target demo
		add jq
		;;
	system | check-system)
		# debootstrap builds the root (tests/system/rootfs.sh), which has
		# dkms, a compiler and the kernels inside it; mke2fs -d makes its
		# image and debugfs reads the captures back. The pinned QEMU boots
		# it. Nothing is built on this machine.
		add "${fetch[@]}" "${qemu_x86[@]}" debootstrap e2fsprogs
		;;
	debug | check-debug)
		# tests/lib/debug-kernel.sh: linux-source-6.1 as allnoconfig plus
		# tests/debug/kernel.config. Kconfig needs flex and bison, the
		# timer constants bc, objtool (ORC unwinder) libelf. That config
		# has no debug info and no module signing: should it ever ask for
		# BTF or signed modules, add dwarves or libssl-dev here. Then
		# every VM case boots it.
		target demo
		add linux-source-6.1 xz-utils flex bison bc libelf-dev
		;;
	bench)
		# The amd64 VM, and /usr/bin/time for the reader's peak RSS.
		target demo
		add time
		;;
	matrix)
		target lint
		target dkms
		target vm
		;;
	check)
		for t in lint unit fuzz dkms vm reader ab system debug bare fleet; do
			target $t
		done
		;;
	all)
		target check
		target bench
		;;
	bare)
		# tests/bare.sh: debootstrap a Debian 12 from the machine's mirror.
		add debootstrap debian-archive-keyring ca-certificates
		;;
	*)
		echo "$me: unknown target '$1'" >&2
		usage
		;;
	esac
}
for t in "$@"; do
	target "$t"
done

# ------------------------------------------------------------ the machine
os_id="" os_codename="" os_name="this system"
if [ -r /etc/os-release ]; then
	# shellcheck disable=SC1091
	os_id=$(. /etc/os-release && echo "${ID:-}")
	# shellcheck disable=SC1091
	os_codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	# shellcheck disable=SC1091
	os_name=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID}")
fi

# What each target needs in words, for a system without Debian's tools.
tools() {
	case $1 in
	demo | vm | dkms | ab | bench | debug | check-debug | check-qemu | system | check-system)
		echo "  $1: gcc, make and a static C library; busybox (static), cpio, gzip, kmod, mke2fs, sfdisk; and apt-get and dpkg-deb, which fetch Debian's kernels and QEMU" ;;
	lint | matrix) echo "  $1: gcc, make, sparse, shellcheck, perl, an aarch64 cross gcc; apt-get and dpkg-deb for Debian's kernel headers" ;;
	unit) echo "  unit: gcc with ASan and UBSan, cmocka" ;;
	fuzz) echo "  fuzz: clang with libFuzzer" ;;
	reader) echo "  reader: gcc, make, jq, promtool, xmllint, chromium, python3, man" ;;
	check | all) echo "  $1: all of the above" ;;
	bare) echo "  bare: debootstrap and Debian's archive keyring" ;;
	esac
}
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "$me: $os_name has no dpkg-query and apt-get: the tests run on Debian 12 (bookworm)." >&2
	echo "$me: they need:" >&2
	for t in "$@"; do tools "$t" >&2; done
	echo "$me: the VM tests fetch Debian's kernels and QEMU with apt-get and dpkg-deb, so run them on" >&2
	echo "$me: Debian 12, or in a Debian 12 chroot (tests/bare.sh shows one, given debootstrap)." >&2
	exit 1
fi

if [ "$os_id" = ubuntu ]; then
	# The VM lanes, dkms and lint take Debian's kernels from the machine's
	# own suites and install the headers with its apt (kernel.sh):
	# Ubuntu's archive has neither, nor linux-image-cloud-amd64 at all.
	# QEMU 10.0 from bookworm-backports needs Debian 12's sonames
	# (libjpeg62-turbo, libaio1 without t64), the pinned ipxe-qemu is
	# Debian's, and so is linux-source-6.1 (checkpatch, the debug kernel).
	for t in "$@"; do
		case $t in
		unit | fuzz | reader | bare) ;;
		*)
			echo "$me: '$t' is not supported on $os_name: it boots or builds against Debian 12's kernels," >&2
			echo "$me: fetched with the machine's apt, under a QEMU built for Debian 12's libraries." >&2
			echo "$me: run it on Debian 12, or in a Debian 12 chroot, as tests/bare.sh demo|check does (it needs debootstrap)." >&2
			exit 1
			;;
		esac
	done
	# Ubuntu's clang is not 14 everywhere: take the runtime of the version
	# its clang package depends on (in libclang-common-N-dev, a
	# dependency of clang-N, up to 22.04; libclang-rt-N-dev since).
	# Chromium is a snap there, which apt cannot install in a container or
	# chroot.
	mapped=()
	for p in "${want[@]}"; do
		case $p in
		libclang-rt-14-dev)
			v=$(apt-cache depends clang 2>/dev/null | sed -n 's/^  Depends: clang-\([0-9]*\)$/\1/p' | head -n 1)
			[ -z "$v" ] || ! apt-cache show "libclang-rt-$v-dev" >/dev/null 2>&1 || mapped+=("libclang-rt-$v-dev")
			;;
		chromium)
			command -v chromium >/dev/null ||
				echo "$me: Ubuntu has Chromium only as a snap: without a 'chromium' command the reader's SVG screenshot case fails" >&2
			;;
		*) mapped+=("$p") ;;
		esac
	done
	want=("${mapped[@]}")
elif [ "$os_id" = debian ] && [ -n "$os_codename" ] && [ "$os_codename" != bookworm ]; then
	echo "$me: this is Debian $os_codename; the package names are Debian 12 (bookworm)'s, and the pinned QEMU needs its libraries" >&2
fi

# ------------------------------------------------------------ missing
# Present means "install ok installed" (or held at that state): a package
# only unpacked, half-configured or removed with its config files left
# does not count. A name dpkg has never heard of prints nothing.
declare -A have=()
installed() {
	local name sel eflag state
	have=()
	while read -r name sel eflag state; do
		[ "$eflag $state" = "ok installed" ] && { [ "$sel" = install ] || [ "$sel" = hold ]; } &&
			have[${name%%:*}]=1
	done < <(dpkg-query -W -f='${binary:Package} ${Status}\n' "$@" 2>/dev/null)
}
installed "${want[@]}"
declare -A seen=()
missing=()
for p in "${want[@]}"; do
	[ -z "${seen[$p]:-}" ] || continue
	seen[$p]=1
	[ -n "${have[$p]:-}" ] || missing+=("$p")
done
# kernel.sh installs the machine's own kernel headers with its apt, from
# its lists: a machine that has every package but no lists (a container
# image without them, say) still needs one apt-get update.
no_lists=0
if [ $lists = 1 ]; then
	eval "$(apt-config shell listdir Dir::State::Lists/d 2>/dev/null)"
	compgen -G "${listdir:-/var/lib/apt/lists/}*_Packages*" >/dev/null || no_lists=1
fi
[ ${#missing[@]} -gt 0 ] || [ $no_lists = 1 ] || exit 0

apt_opts=(-y -q --no-install-recommends --no-upgrade -o DPkg::Lock::Timeout=300)
if [ "$(id -u)" != 0 ]; then
	if [ ${#missing[@]} -gt 0 ]; then
		echo "$me: $* needs these packages, which are not installed: ${missing[*]}" >&2
		echo "$me: install them as root with:" >&2
		echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install ${apt_opts[*]} ${missing[*]}" >&2
	else
		echo "$me: $* reads Debian's kernels from apt's lists, and there are none: run 'apt-get update' as root" >&2
	fi
	exit 1
fi

# ------------------------------------------------------------ install
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/bootstamps-deps.XXXXXX") || exit 1
fail() {
	echo "$me: $*" >&2
	tail -n 15 "$log" | sed 's/^/  /' >&2
	echo "$me: the whole log is $log" >&2
	exit 1
}
# A mirror or proxy that drops a connection now and then: three tries, a
# few seconds apart, before giving up.
update() {
	local n
	for n in 1 2 3; do
		apt-get update -q >>"$log" 2>&1 && return 0
		[ $n = 3 ] || sleep 5
	done
	return 1
}
if ! update; then
	# One unreachable third-party source fails the whole update, while
	# Debian's own lists may be fine: go on if there are any.
	eval "$(apt-config shell listdir Dir::State::Lists/d 2>/dev/null)"
	compgen -G "${listdir:-/var/lib/apt/lists/}*_Packages*" >/dev/null || fail "apt-get update failed three times"
	echo "$me: apt-get update failed three times; going on with the lists there are" >&2
fi
[ ${#missing[@]} -gt 0 ] || { rm -f "$log"; exit 0; }

# Ask apt what it would do first. A dependency that needs a kernel
# package, or the removal of something, is refused: this script installs
# tools, and never changes the machine's kernels or takes anything away.
# --no-upgrade keeps every installed package as it is unless a new one
# depends on a newer version of it: Debian ties perl to perl-base's
# exact version, for one, and a machine a point release or a security
# update behind has older ones (a fresh debootstrap of bookworm does, for
# perl-base, zlib1g, liblzma5 and libzstd1). Those few upgrades are
# the only way to install at all; they are named on the line below.
plan=$(apt-get -s install "${apt_opts[@]}" "${missing[@]}" 2>>"$log") ||
	{ echo "$plan" >>"$log"; fail "apt-get cannot install: ${missing[*]}"; }
echo "$plan" >>"$log"
kernels=$(sed -n 's/^Inst \(linux-\(image\|headers\|modules\|binary\)-[^ ]*\) .*/\1/p' <<<"$plan" | tr '\n' ' ')
upgrades=$(sed -n 's/^Inst \([^ ]*\) \[.*/\1/p' <<<"$plan" | tr '\n' ' ')
removals=$(sed -n 's/^Remv \([^ ]*\) .*/\1/p' <<<"$plan" | tr '\n' ' ')
[ -z "$kernels" ] || fail "refusing: installing ${missing[*]} would install kernel packages: $kernels"
[ -z "$removals" ] || fail "refusing: installing ${missing[*]} would remove: $removals"
deps=$(grep -c '^Inst ' <<<"$plan")
echo "$me: installing for $*: ${missing[*]} ($deps packages with their dependencies${upgrades:+; upgrading ${upgrades% }, which they need newer})"
for n in 1 2 3; do
	apt-get install "${apt_opts[@]}" "${missing[@]}" >>"$log" 2>&1 && break
	[ $n = 3 ] && fail "apt-get install failed three times"
	sleep 5
	update || true
done

# apt-get succeeding is not the proof: the packages must be there now.
installed "${missing[@]}"
left=()
for p in "${missing[@]}"; do
	[ -n "${have[$p]:-}" ] || left+=("$p")
done
[ ${#left[@]} = 0 ] || fail "still not installed after apt-get: ${left[*]}"
rm -f "$log"
