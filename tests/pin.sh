#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make pin`: the one command that changes tests/pins.txt. Every kernel is
# moved to the release its suite serves now (tests/lib/kernel.sh
# --packages says which packages that is), and every package to the
# version its suite serves now, with that version's SHA-256 from the
# suite's signed index. Changes are printed. Run it, run make check, and
# commit both.
#   tests/pin.sh [FLAVOUR:SUITE...]    pin these kernels too (SUITE may be
#                                      empty: the machine's own)
#   BST_PIN_PACKAGES="SUITE:PACKAGE:ARCH ..."   pin these packages too
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pins=$top/tests/pins.txt
here=$top/tests/lib
kernels=()
packages=()
declare -A have=()
while read -r a b c _ _ f; do
	case $a in "#"* | "") continue ;; esac
	if [ "$a" = kernel ]; then
		kernels+=("$b:$c")
	elif [ -z "$f" ] && [ -z "${have["$a:$b:$c"]:-}" ]; then
		packages+=("$a:$b:$c")
		have["$a:$b:$c"]=1
	fi
done <"$pins"
for k in "$@"; do
	f=${k%%:*} s=${k#*:}
	kernels+=("$f:${s:-own}")
done
for p in ${BST_PIN_PACKAGES:-}; do
	packages+=("$p")
done

declare -A updated=()
# pin SUITE PACKAGE ARCH [RELEASE]: the line pinning PACKAGE's version
# today. Architecture-independent packages are listed in every
# architecture's index: the machine's own is asked.
pin() {
	local s=$1 p=$2 a=$3 r=${4:-} a2 ver sum old
	a2=$a
	[ "$a" != all ] || a2=$(dpkg --print-architecture)
	[ -n "${updated[$s-$a2]:-}" ] || {
		BST_APT_ARCH=$a2 "$here/apt-suite.sh" "$s" update -q >/dev/null
		updated[$s-$a2]=1
	}
	ver=$(BST_APT_ARCH=$a2 "$here/apt-suite.sh" "$s" policy "$p" | sed -n 's/^  Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "pin.sh: $s has no $p for $a" >&2; return 1; }
	sum=$(BST_APT_ARCH=$a2 "$here/apt-suite.sh" "$s" show "$p=$ver" | sed -n 's/^SHA256: //p' | head -n 1)
	[ -n "$sum" ] || { echo "pin.sh: no SHA256 for $p $ver in $s" >&2; return 1; }
	old=$(awk -v s="$s" -v p="$p" -v a="$a" '$1 == s && $2 == p && $3 == a { print $4; exit }' "$pins")
	[ "$old" = "$ver" ] || echo "pin.sh: $s $p ($a): ${old:-new} -> $ver" >&2
	echo "$s $p $a $ver $sum${r:+ $r}"
}

new=$(mktemp "$pins.XXXXXX")
trap 'rm -f "$new"' EXIT
{
	echo "# The exact inputs the tests fetch. Changed only by \`make pin\` (tests/pin.sh);"
	echo "# read by tests/lib/pins.sh. Lines: SUITE PACKAGE ARCH VERSION SHA256 [RELEASE],"
	echo "# and \"kernel FLAVOUR SUITE RELEASE\" (SUITE own: the machine's own suites)."
	for p in "${packages[@]}"; do
		IFS=: read -r s n a <<<"$p"
		pin "$s" "$n" "$a"
	done
	for k in "${kernels[@]}"; do
		f=${k%%:*} s=${k#*:}
		[ "$s" != own ] || s=
		"$here/kernel.sh" --packages "$f" $s >"$new.k"
		r=$(sed -n 's/^release //p' "$new.k")
		old=$(awk -v f="$f" -v s="${s:-own}" '$1 == "kernel" && $2 == f && $3 == s { print $4 }' "$pins")
		[ "$old" = "$r" ] || echo "pin.sh: kernel $f ${s:-own}: ${old:-new} -> $r" >&2
		echo "kernel $f ${s:-own} $r"
		grep -v '^release ' "$new.k" | while read -r ps pn pa; do
			pin "$ps" "$pn" "$pa" "$r"
		done
	done
	rm -f "$new.k"
} >"$new"
mv "$new" "$pins"
trap - EXIT
echo "pin.sh: $(grep -c '^kernel ' "$pins") kernels, $(grep -vc '^#\|^kernel ' "$pins") packages in $pins"
