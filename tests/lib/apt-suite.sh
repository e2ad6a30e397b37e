#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apt-get for another Debian suite (bullseye, bookworm-backports, trixie,
# sid) without touching the machine's own sources: a private sources file
# and lists directory in the cache, using the same mirror the machine
# uses (read from its sources at run time).
#   tests/lib/apt-suite.sh SUITE update
#   tests/lib/apt-suite.sh SUITE <apt-get or apt-cache arguments>
set -euo pipefail
suite=${1:?usage: apt-suite.sh SUITE ARGS...}
shift
cache=${BST_CACHE:-/var/cache/bootstamps}
dir=$cache/apt-$suite
mirror=$(sed -n 's/^URIs: *\(.*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \([^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "apt-suite.sh: cannot find the machine's Debian mirror" >&2; exit 1; }
mkdir -p "$dir/lists/partial" "$dir/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$dir/sources.list"
opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::archives=$dir/archives"
      -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0"
      -o "Acquire::Check-Valid-Until=false")
case $1 in
update|download|install|source|clean) exec apt-get "${opts[@]}" "$@" ;;
*) exec apt-cache "${opts[@]}" "$@" ;;
esac
