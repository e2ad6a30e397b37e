# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Pinned inputs: the exact Debian packages the tests download, by suite,
# name, architecture, version and SHA-256, in tests/pins.txt; and which
# kernel release each flavour and suite means ("kernel FLAVOUR SUITE
# RELEASE" lines; a package line's sixth field names the release it was
# pinned for). Nothing is
# taken from "whatever the mirror serves today": a package is fetched at
# its pinned version and verified before it enters the cache, and a cached
# file is verified again before use. `make pin` (tests/pin.sh) is the one
# command that changes the pins. Sourced by the scripts that fetch.
#
#   pin_release FLAVOUR SUITE          the kernel release pinned
#   pin_packages SUITE RELEASE REGEX   that release's pinned packages whose
#                                      names match REGEX, in file order
#   pin_version SUITE PACKAGE [ARCH]   the pinned version
#   pin_fetch SUITE PACKAGE [ARCH]     download (or reuse) and verify the
#                                      .deb; prints its path in the cache
# SUITE "own" is the machine's own suites (tests/lib/apt-suite.sh).
bst_pins=${BST_PINS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/pins.txt}

# pin_line SUITE PACKAGE ARCH: "VERSION SHA256" of that pin.
pin_line() {
	local l
	l=$(awk -v s="$1" -v p="$2" -v a="$3" '$1 == s && $2 == p && ($3 == a || $3 == "all") { print $4, $5; exit }' "$bst_pins")
	if [ -z "$l" ]; then
		echo "pins: no pin for $2 ($3) from $1 in $bst_pins: add it with 'make pin'" >&2
		return 1
	fi
	echo "$l"
}

pin_release() {
	local r
	r=$(awk -v f="$1" -v s="$2" '$1 == "kernel" && $2 == f && $3 == s { print $4; exit }' "$bst_pins")
	if [ -z "$r" ]; then
		echo "pins: no kernel pinned for $1 from $2 in $bst_pins: add it with 'make pin KERNELS=$1:$2'" >&2
		return 1
	fi
	echo "$r"
}

pin_packages() {
	awk -v s="$1" -v r="$2" -v re="^$3" '$1 == s && $6 == r && $2 ~ re { print $2 }' "$bst_pins"
}

pin_version() {
	local l
	l=$(pin_line "$1" "$2" "${3:-$(dpkg --print-architecture)}") || return 1
	echo "${l%% *}"
}

# pin_download DIR SUITE PACKAGE ARCH VERSION: apt-get download into DIR.
pin_download() {
	(cd "$1" && BST_APT_ARCH=$4 "$(dirname "${BASH_SOURCE[0]}")/apt-suite.sh" "$2" \
		download -q "$3:$4=$5" >&2 2>"$1/.log")
}

pin_fetch() {
	local suite=$1 pkg=$2 arch=${3:-$(dpkg --print-architecture)} l ver sum cache deb tmp got
	l=$(pin_line "$suite" "$pkg" "$arch") || return 1
	ver=${l%% *} sum=${l#* }
	cache=${BST_CACHE:-/var/cache/bootstamps}/debs
	mkdir -p "$cache"
	deb=$cache/${pkg}_${ver##*:}_$arch.deb
	[ -e "$deb" ] || deb=$cache/${pkg}_${ver##*:}_all.deb
	if [ -e "$deb" ] && echo "$sum  $deb" | sha256sum -c --status; then
		echo "$deb"
		return 0
	fi
	# Downloaded into a directory of its own and verified before it is
	# moved into the cache, so a failed or interrupted fetch leaves nothing.
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# The suite's lists may be missing (a new cache) or old: on a failure,
	# brought up to date once and tried again.
	if ! pin_download "$tmp" "$suite" "$pkg" "$arch" "$ver" &&
		! { BST_APT_ARCH=$arch "$(dirname "${BASH_SOURCE[0]}")/apt-suite.sh" "$suite" update -q >"$tmp/.update" 2>&1 &&
			pin_download "$tmp" "$suite" "$pkg" "$arch" "$ver"; }; then
		echo "pins: cannot download $pkg $ver ($arch) from $suite: $(grep -m 1 '^E:' "$tmp/.log")" >&2
		echo "pins: the mirror may have moved on; 'make pin' takes its current versions" >&2
		rm -rf "$tmp"
		return 1
	fi
	got=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
	if [ -z "$got" ] || ! echo "$sum  $got" | sha256sum -c --status; then
		echo "pins: $pkg $ver from $suite does not match its pinned SHA-256 $sum" >&2
		rm -rf "$tmp"
		return 1
	fi
	deb=$cache/${pkg}_${ver##*:}_${got##*_}
	mv "$got" "$deb"
	rm -rf "$tmp"
	echo "$deb"
}
