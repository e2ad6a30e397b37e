#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader's commands on live captures from the VM runs (each kernel's
# capture.txt), checked by the real consumers of each output: jq for JSON,
# promtool for Prometheus, xmllint and a headless Chromium screenshot for
# the SVG. Also its command line: help, usage errors, exit statuses.
# Prints "reader: N passed, N failed, N skipped"; exits 1 on failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}
out=$work/reader
rm -rf "$out"
mkdir -p "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "[reader] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[reader] not ok $1 # $2"; }
# case NAME CMD...: one case, failing with CMD's last output line.
case_() {
	local name=$1
	shift
	if "$@" >"$out/case.log" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 1 "$out/case.log")"; fi
}

make -C "$top/userspace" OBJDIR="$out/build" >"$out/build.log" 2>&1 || {
	not_ok build "$(tail -n 3 "$out/build.log" | tr '\n' ' ')"
	echo "reader: $pass passed, $fail failed, 0 skipped"
	exit 1
}
B=$out/build/bootstamps

# ---------------------------------------------------------- command line
t_help() {
	for c in "" show plot trace prom mark save compare; do
		grep -q '^usage: bootstamps' <<<"$($B $c --help)" || { echo "no usage for '$c'"; return 1; }
	done
}
case_ help t_help
t_man() {
	for c in show plot trace prom mark save compare; do
		grep -q "^\.B $c\$\|^\.B bootstamps $c\|^\.B $c " "$top/userspace/bootstamps.8" || { echo "man page lacks $c"; return 1; }
	done
	w=$(MANWIDTH=80 man --warnings -l "$top/userspace/bootstamps.8" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$w" | head -n 1; return 1; }
}
case_ man_page t_man
t_usage() {
	for args in "show --format xml" "show --slowest 0" "compare" "compare a" "compare --group-by size --driver x d" \
		"mark" "plot -o" "show a b" "save --bogus"; do
		$B $args >/dev/null 2>&1
		[ $? = 1 ] || { echo "'$args' did not exit 1"; return 1; }
	done
}
case_ usage_errors_exit_1 t_usage
t_no_module() {
	[ -e /proc/bootstamps ] && { echo "the module is loaded on this host"; return 1; }
	$B >/dev/null 2>"$out/err"; [ $? = 2 ] && grep -q 'is the module loaded' "$out/err" || { cat "$out/err"; return 1; }
	$B mark hello 2>"$out/err"; [ $? = 2 ] && grep -q 'is the module loaded' "$out/err" || { cat "$out/err"; return 1; }
}
case_ no_module_exit_2 t_no_module

captures=$(ls "$work"/vm-*/capture.txt 2>/dev/null)
if [ -z "$captures" ]; then
	not_ok captures "no VM capture in $work/vm-*/ (the VM runs must come first)"
	echo "reader: $pass passed, $fail failed, 0 skipped"
	exit 1
fi

for c in $captures; do
	k=$(basename "$(dirname "$c")")
	nev=$(grep -c '^[0-9]' "$c")
	t_show() {
		$B show "$c" >"$out/$k.show" || return 1
		# The answers first: the Startup line, then blame, chain, milestones.
		head -n 1 "$out/$k.show" | grep -qE '^Startup finished in [0-9.]+(ms|s) \(kernel\) \+ [0-9.]+(ms|s) \(initrd\) \+ [0-9.]+(ms|s) \(userspace\) = [0-9.]+s$' ||
			{ echo "first line: $(head -n 1 "$out/$k.show")"; return 1; }
		for s in 'Blame: ' "Critical chain to the boot's end" Milestones; do
			grep -q "^$s" "$out/$k.show" || { echo "no '$s' section"; return 1; }
		done
		! grep -q '^Events' "$out/$k.show" || { echo "events listed without --events"; return 1; }
		! grep -qE '[0-9]\.[0-9]{3} ms' "$out/$k.show" || { echo "milliseconds with three decimals"; return 1; }
		$B show --events "$c" >"$out/$k.events" || return 1
		[ "$(sed -n '/^Events$/,$p' "$out/$k.events" | grep -cE '^ +[0-9]+\.[0-9]{6}s  ')" = "$nev" ] ||
			{ echo "--events does not list the $nev events"; return 1; }
	}
	case_ "$k.show" t_show
	t_json() {
		$B show --format json "$c" >"$out/$k.json" || return 1
		jq -e --argjson n "$nev" '
			(.phases | map(.name)) == ["kernel", "initramfs", "userspace"]
			and (.events | length) == $n
			and ([.milestones[].name] | index("root.mount")) != null
			and (.slowest_probes | length) == 10
			and (.slowest_probes[0].duration_ms >= .slowest_probes[1].duration_ms)
			and (.header.kernel | length) > 0
			and .startup.finished
			and ((.startup.kernel_ms + .startup.initrd_ms + .startup.userspace_ms - .startup.total_ms) | fabs) < 0.001
			and (.blame | length) > 0
			and .critical_chains[0].to == "boot end"' "$out/$k.json"
	}
	case_ "$k.json" t_json
	t_csv() {
		$B show --format csv "$c" >"$out/$k.csv" || return 1
		[ "$(wc -l <"$out/$k.csv")" = $((nev + 1)) ] || { echo "$(wc -l <"$out/$k.csv") rows for $nev events"; return 1; }
	}
	case_ "$k.csv" t_csv
	t_trace() {
		$B trace -o "$out/$k.trace.json" "$c" || return 1
		jq -e '
			([.traceEvents[] | select(.ph == "X" and .cat == "driver probes")] | length) > 5
			and ([.traceEvents[] | select(.ph == "i")] | length) > 3
			and ([.traceEvents[] | select(.ph == "X") | select(.dur < 0)] | length) == 0
			and ([.traceEvents[] | select(.ph == "M")] | length) == 12' "$out/$k.trace.json"
	}
	case_ "$k.trace" t_trace
	t_prom() {
		$B prom -o "$out/$k.prom" "$c" || return 1
		promtool check metrics <"$out/$k.prom" || return 1
		# ENA's device, as the capture names it (its PCI slot differs
		# between q35 and arm64's virt).
		dev=$(awk '$3 == "probe.end" && / driver=ena / { print $4; exit }' "$c")
		grep -q "^bootstamps_probe_seconds{driver=\"ena\",device=\"${dev:-none}\"," "$out/$k.prom" ||
			{ echo "no ENA probe series for ${dev:-(no ENA probe in the capture)}"; return 1; }
	}
	case_ "$k.prom" t_prom
	t_plot() {
		$B plot -o "$out/$k.svg" "$c" || return 1
		xmllint --noout "$out/$k.svg" || return 1
		[ "$(grep -c '<rect' "$out/$k.svg")" -gt 30 ] || { echo "too few bars"; return 1; }
		ud=$(mktemp -d)
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$ud" --hide-scrollbars --window-size=1270,1100 \
			--screenshot="$out/$k.png" "file://$out/$k.svg" >/dev/null 2>&1
		rm -rf "$ud"
		python3 "$top/tests/lib/png_not_blank.py" "$out/$k.png"
	}
	case_ "$k.plot" t_plot
done

# ---------------------------------------------------------- show's answers (issue 14, point 4)
# Each figure is recomputed from the capture itself with awk, not from the reader.
for c in $captures; do
	k=$(basename "$(dirname "$c")")
	t_show_startup_total() {
		# The boot ends at its last marker; the total is that time.
		want=$(awk '$3 == "mark" && $2 + 0 >= m { m = $2 + 0 } END { printf "%.3f", m }' "$c")
		$B show --format json "$c" | jq -e --argjson w "$want" '((.startup.total_ms / 1000) - $w | fabs) < 0.0006' >/dev/null ||
			{ echo "total is not the last marker's time ($want s)"; return 1; }
		$B show "$c" | head -n 1 | grep -q "= ${want}s\$" || { echo "Startup line does not end in = ${want}s"; return 1; }
	}
	case_ "$k.show_startup_total" t_show_startup_total
	t_show_blame_sums_attempts() {
		# Every probe.end of every named driver, summed and counted per driver.
		awk '$3 == "probe.end" { d = ""; ns = 0
			for (i = 5; i <= NF; i++) { if ($i ~ /^driver=/) d = substr($i, 8); if ($i ~ /^dur_ns=/) ns = substr($i, 8) }
			if (d != "") { n[d]++; t[d] += ns } }
			END { for (d in n) printf "%s %d %.0f\n", d, n[d], t[d] }' "$c" | sort >"$out/$k.want_blame"
		$B show --format json "$c" | jq -r '.blame[] | select(.driver != "") | "\(.driver) \(.attempts) \(.total_ms * 1000000 | round)"' |
			sort >"$out/$k.got_blame"
		diff "$out/$k.want_blame" "$out/$k.got_blame" >"$out/$k.blame_diff" || { head -n 3 "$out/$k.blame_diff" | tr '\n' ' '; return 1; }
		# ENA's attempts are one row in the table, with its errno named.
		ena=$(awk '$1 == "ena" { print $2 }' "$out/$k.want_blame")
		[ -n "$ena" ] || return 0
		[ "$(grep -cE "^ +[0-9.]+(ms|s|us) +[0-9]+  ena " "$out/$k.show")" = 1 ] || { echo "ENA is not one row"; return 1; }
		# Its last attempt's rc (absent on 5.10) and how many were deferred.
		read -r last defer < <(awk '$3 == "probe.end" && / driver=ena / { if ($2 + 0 >= t) { t = $2 + 0; rc = "-" }
			for (i = 5; i <= NF; i++) if ($i ~ /^rc=/ && $2 + 0 >= t) rc = substr($i, 4)
			if (/ rc=-517 /) d++ } END { print rc, d + 0 }' "$c")
		[ "$last" = -517 ] && last="-517 EPROBE_DEFER"
		row=$(grep -E "^ +[0-9.]+(ms|s) +$ena  ena " "$out/$k.show")
		[[ "$row" == *" $last "* ]] || { echo "ENA's row lacks its last rc $last: $row"; return 1; }
		if [ "$defer" -gt 0 ]; then
			[[ "$row" == *"$defer deferred"* ]] || { echo "ENA's row lacks $defer deferred: $row"; return 1; }
		else
			[[ "$row" != *deferred* ]] || { echo "ENA's row says deferred without rc=-517: $row"; return 1; }
		fi
	}
	case_ "$k.show_blame_sums_attempts" t_show_blame_sums_attempts
	t_show_chain_to_probe() {
		# Each interface's address goes back to the probe of the device that
		# registered it (parent= of its net.register), by its driver.
		reg=$(awk '$3 == "net.register" && !/ replay=1/ && / parent=[^ ]/ { for (i = 5; i <= NF; i++) { if ($i ~ /^parent=/) p = substr($i, 8); if ($i ~ /^driver=/) d = substr($i, 8); if ($i ~ /^ifindex=/) x = substr($i, 9) } print x, $4, p, d }' "$c")
		[ -n "$reg" ] || { echo "no interface registered with a parent in the capture"; return 1; }
		$B show --format json "$c" >"$out/$k.chain.json" || return 1
		local ifx ifname parent drv
		while read -r ifx ifname parent drv; do
			grep -q " net.ipv4 .* ifindex=$ifx " "$c" || continue
			jq -e --arg p "probe $parent $drv" --arg r "net.register $ifname" '
				[.critical_chains[] | select(.to | startswith("net.ipv4 ")) | .links | map(.name)]
				| any(index($r) != null and .[-1] == $p)' "$out/$k.chain.json" >/dev/null ||
				{ echo "no chain from an address through $ifname to probe $parent $drv"; return 1; }
		done <<<"$reg"
	}
	case_ "$k.show_chain_to_probe" t_show_chain_to_probe
done
t_show_events_option() {
	$B show --events --format json "$first_capture" | jq -e '.events | length > 0' >/dev/null || return 1
	$B show --bogus "$first_capture" >/dev/null 2>&1
	[ $? = 1 ] || { echo "an unknown option was accepted"; return 1; }
}
first_capture=$(echo "$captures" | head -n 1)
case_ show_events_option t_show_events_option

# ---------------------------------------------------------- save
first=$(echo "$captures" | head -n 1)
t_save() {
	$B save --from "$first" --dir "$out/archive" --quiet || return 1
	$B save --from "$first" --dir "$out/archive" || return 1
	[ "$(ls -A "$out/archive" | wc -l)" = 1 ] || { echo "$(ls -A "$out/archive")"; return 1; }
	f=$out/archive/$(cat /proc/sys/kernel/random/boot_id).bst
	[ -f "$f" ] || { echo "not named by boot_id"; return 1; }
	grep -q "^# saved boot_id=$(cat /proc/sys/kernel/random/boot_id) saved_at=[0-9]* " "$f" || { echo "no metadata line"; return 1; }
	[ "$(grep -c '^[0-9]' "$f")" = "$(grep -c '^[0-9]' "$first")" ] || { echo "events lost"; return 1; }
	$B show "$f" >/dev/null
}
case_ save_one_file_per_boot t_save
t_save_bad() {
	printf '# bootstamps 1\n1 2.0 mark x\n' >"$out/bad.bst"
	$B save --from "$out/bad.bst" --dir "$out/archive2" 2>/dev/null
	[ $? = 2 ] && [ ! -e "$out/archive2" ]
}
case_ save_refuses_corrupt t_save_bad
t_save_keep() {
	mkdir -p "$out/archive3"
	for n in 1 2 3; do
		cp "$first" "$out/archive3/old$n.bst"
		touch -d "@$((1000000000 + n))" "$out/archive3/old$n.bst"
	done
	$B save --from "$first" --dir "$out/archive3" --keep 0 2>"$out/keep0.err"
	[ $? = 1 ] && grep -q -- '--keep needs a count' "$out/keep0.err" || { echo "--keep 0 accepted"; return 1; }
	$B save --from "$first" --dir "$out/archive3" --keep 2 >"$out/keep.out" || return 1
	[ "$(ls "$out/archive3" | tr '\n' ' ')" = "$(cat /proc/sys/kernel/random/boot_id).bst old3.bst " ] ||
		{ echo "left: $(ls "$out/archive3" | tr '\n' ' ')"; return 1; }
	grep -qx "removed $out/archive3/old1.bst (keeping the 2 newest)" "$out/keep.out" &&
		grep -qx "removed $out/archive3/old2.bst (keeping the 2 newest)" "$out/keep.out" ||
		{ echo "deletions not reported: $(tr '\n' ';' <"$out/keep.out")"; return 1; }
}
case_ save_keep_newest t_save_keep

# ---------------------------------------------------------- compare
t_compare_two_kernels() {
	a=$(echo "$captures" | head -n 1)
	b=$(echo "$captures" | tail -n 1)
	[ "$a" != "$b" ] || { echo "needs two kernels' captures"; return 1; }
	$B compare "$a" --vs "$b" >"$out/compare.txt" || return 1
	grep -q "^  kernel release: $(sed -n 's/.* kernel=\([^ ]*\).*/\1/p' "$a" | head -n 1) -> " "$out/compare.txt" || { echo "kernel change not named"; return 1; }
	grep -q 'Significance needs at least 2 boots' "$out/compare.txt" || { echo "no note on one boot per group"; return 1; }
	$B compare --format json "$a" --vs "$b" | jq -e '.rows | length > 5' >/dev/null
}
case_ compare_one_boot_each t_compare_two_kernels

t_corrupt() {
	l=$(grep -n '^[0-9]' "$first" | head -n 1 | cut -d: -f1)
	awk -v l="$l" 'NR == l { $2 = "x" } { print }' "$first" >"$out/corrupt.txt"
	for cmd in show plot trace prom; do
		$B $cmd "$out/corrupt.txt" >/dev/null 2>"$out/err"
		[ $? = 2 ] && grep -q "corrupt.txt:$l:" "$out/err" || { echo "$cmd: $(cat "$out/err")"; return 1; }
	done
}
case_ corrupt_capture_exit_2 t_corrupt

echo "reader: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
