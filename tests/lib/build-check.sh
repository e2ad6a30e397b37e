# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154
# build_check FLAVOUR [SUITE]: build bootstamps.ko against one Debian
# kernel's headers with W=1 and -Werror, check every global symbol's
# prefix, and run sparse. Sourced by lint.sh and matrix.sh, which define
# ok NAME, not_ok NAME REASON, $top and $work.
build_check() {
	local flavour=$1 suite=${2:-} name kdir b out bad
	name=$flavour${suite:+-$suite}
	read -r _ _ kdir < <("$top/tests/lib/kernel.sh" "$flavour" $suite) ||
		{ not_ok "w1.$name" "cannot fetch the kernel"; return; }
	b=$work/$name
	mkdir -p "$b"
	cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$b/"
	# One build with W=1, -Werror and sparse on every file (C=1 in a fresh
	# directory checks each file it compiles): the compiler's warnings
	# stop the build as errors, sparse's are printed as warnings.
	local rc=0
	if ! command -v sparse >/dev/null; then
		not_ok "sparse.$name" "sparse is not installed (apt-get install sparse)"
		return
	fi
	out=$("$top/tests/lib/kmake.sh" "$kdir" M="$b" W=1 KCFLAGS=-Werror C=1 modules 2>&1) || rc=1
	if [ $rc = 0 ] && ! grep -q 'error:' <<<"$out"; then
		ok "w1.$name"
	else
		not_ok "w1.$name" "$(echo "$out" | grep -m 3 -E 'warning|error' | tr '\n' ' ')"
		return
	fi
	# Every global symbol carries the project prefix (module entry points,
	# and what the toolchain generates: 6.2+'s __pfx_ function padding,
	# 6.10+'s __start_/__stop_ section bounds, are exempt).
	bad=$(nm --defined-only "$b/bootstamps.ko" | awk '$2 ~ /^[TDBR]$/ { print $3 }' |
		grep -vE '^(__pfx_)?(bst_|bootstamps_|init_module$|cleanup_module$|__this_module$|__UNIQUE_ID)' | grep -vE '^__(start|stop)_' | tr '\n' ' ')
	if [ -z "$bad" ]; then ok "symbol_prefix.$name"; else not_ok "symbol_prefix.$name" "unprefixed: $bad"; fi
	out=$(grep -E '(warning|error):' <<<"$out")
	if [ -z "$out" ]; then ok "sparse.$name"; else not_ok "sparse.$name" "$(echo "$out" | head -n 3 | tr '\n' ' ')"; fi
}
