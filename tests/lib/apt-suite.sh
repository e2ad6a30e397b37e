#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apt-get for another Debian suite (bullseye, bookworm-backports, trixie,
# sid) or another architecture without touching the machine's own sources:
# a private sources file and lists directory in the cache, using the same
# mirror the machine uses (read from its sources at run time).
#   tests/lib/apt-suite.sh SUITE update
#   tests/lib/apt-suite.sh SUITE <apt-get or apt-cache arguments>
# SUITE "own" means the machine's own suites (updates and security too), so
# that another architecture gets the same versions the machine has.
# BST_APT_ARCH (e.g. arm64) selects packages of that architecture.
set -euo pipefail
suite=${1:?usage: apt-suite.sh SUITE ARGS...}
shift
cache=${BST_CACHE:-/var/cache/bootstamps}
arch=${BST_APT_ARCH:-}
[ "$arch" != "$(dpkg --print-architecture)" ] || arch=
dir=$cache/apt-$suite${arch:+-$arch}
key=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$dir/lists/partial" "$dir/archives/partial"
if [ "$suite" = own ]; then
	# Every URI/suite pair of the machine's deb822 and one-line sources.
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
			awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) print u, $i } /^$/ { u = "" }' || true
		cat /etc/apt/sources.list 2>/dev/null |
			sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) \([^ ]*\) .*/\2 \3/p' || true
	} | while read -r uri s; do
		echo "deb [${arch:+arch=$arch }signed-by=$key] $uri $s main"
	done >"$dir/sources.list"
	[ -s "$dir/sources.list" ] || { echo "apt-suite.sh: cannot read the machine's sources" >&2; exit 1; }
else
	mirror=$("$(dirname "$0")/debian-mirror.sh")
	echo "deb [${arch:+arch=$arch }signed-by=$key] $mirror $suite main" >"$dir/sources.list"
fi
opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::archives=$dir/archives"
      -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0"
      -o "Acquire::Check-Valid-Until=false")
[ -z "$arch" ] || opts+=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
case $1 in
update|download|install|source|clean) exec apt-get "${opts[@]}" "$@" ;;
*) exec apt-cache "${opts[@]}" "$@" ;;
esac
