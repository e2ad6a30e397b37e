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

# ---------------------------------------------------------- trace and plot helpers (issue 14, points 5 and 6)
# The capture's last event time, in microseconds.
last_us() { awk '/^[0-9]/ { split($2, t, "."); us = t[1] * 1000000 + substr(t[2], 1, 6); if (us > m) m = us } END { printf "%d\n", m + 1 }' "$1"; }
svg_attr() { xmllint --xpath "string(/*[local-name()='svg']/@$2)" "$1"; }
# The plot as read at 1600x1200: valid XML, 1600 wide, the caption and
# both axes within the first 1200 px.
plot_in_view() {
	xmllint --noout "$1" || return 1
	[ "$(svg_attr "$1" width)" = 1600 ] || { echo "width $(svg_attr "$1" width)"; return 1; }
	cy=$(xmllint --xpath "string(//*[local-name()='text'][starts-with(., 'Startup finished in')]/@y)" "$1")
	[ -n "$cy" ] && [ "${cy%.*}" -lt 1200 ] || { echo "no caption in view (y=$cy)"; return 1; }
	for a in axis-top axis-bottom; do
		ay=$(xmllint --xpath "string(//*[local-name()='g'][@id='$a']/*[local-name()='line'][1]/@y1)" "$1")
		[ -n "$ay" ] && [ "${ay%.*}" -lt 1200 ] || { echo "$a not in view (y=$ay)"; return 1; }
		[ "$(xmllint --xpath "count(//*[local-name()='g'][@id='$a']/*[local-name()='text'])" "$1")" -ge 3 ] ||
			{ echo "$a has fewer than 3 tick labels"; return 1; }
	done
}
screenshot() {
	local ud
	ud=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" --hide-scrollbars --window-size=1600,1200 \
		--screenshot="$2" "file://$1" >/dev/null 2>&1
	rm -rf "$ud"
}

for c in $captures; do
	k=$(basename "$(dirname "$c")")
	nev=$(grep -c '^[0-9]' "$c")
	t_show() {
		$B show "$c" >"$out/$k.show" || return 1
		for s in Phases Milestones 'Slowest driver probes' Events; do
			grep -q "^$s" "$out/$k.show" || { echo "no '$s' section"; return 1; }
		done
		for p in kernel initramfs userspace; do
			grep -qE "^  $p +[0-9]+\.[0-9]{3} ms" "$out/$k.show" || { echo "phase $p has no duration"; return 1; }
		done
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
			and (.header.kernel | length) > 0' "$out/$k.json"
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
			([.traceEvents[] | select(.ph == "X" and .cat == "probe")] | length) > 5
			and ([.traceEvents[] | select(.ph == "i")] | length) > 3
			and ([.traceEvents[] | select(.ph == "M" and .name == "process_name")] | length) == 6' "$out/$k.trace.json" || return 1
		# Perfetto's nesting rule, named tracks, no null, nothing after the
		# capture's last event (an underflowed start ends far past it).
		python3 "$top/tests/lib/trace_nesting.py" --max-us "$(last_us "$c")" "$out/$k.trace.json"
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
		plot_in_view "$out/$k.svg" || return 1
		[ "$(grep -c '<rect' "$out/$k.svg")" -gt 30 ] || { echo "too few bars"; return 1; }
		# Every milestone has its label, none listed for want of room.
		nms=$($B show --format json "$c" | jq '.milestones | length')
		labels=$(sed -n '/<g id="milestones">/,/<\/g>/p' "$out/$k.svg" | grep -c '^<text ')
		[ "$labels" = "$nms" ] || { echo "$labels labels for $nms milestones"; return 1; }
		! grep -q 'no room above' "$out/$k.svg" || { echo "milestones listed below the plot"; return 1; }
		# Its height fits the view, so the bottom axis is in it too.
		[ "$(svg_attr "$out/$k.svg" height)" -le 1200 ] || { echo "taller than 1200 px"; return 1; }
		screenshot "$out/$k.svg" "$out/$k.png"
		python3 "$top/tests/lib/png_not_blank.py" "$out/$k.png"
	}
	case_ "$k.plot" t_plot
done

# ---------------------------------------------------------- trace and plot at scale (issue 14, points 5 and 6)
# A 100k-event capture shaped like the real ones: ENA's probes with fn.*
# steps, async probes overlapping on several CPUs, overlapping module
# loads and kernel-log probes.
awk -v events=100000 -f "$top/tests/lib/synth-capture.awk" >"$out/synth-100k.txt"
t_trace_100k() {
	$B trace -o "$out/synth-100k.trace.json" "$out/synth-100k.txt" || return 1
	python3 "$top/tests/lib/trace_nesting.py" --max-us "$(last_us "$out/synth-100k.txt")" "$out/synth-100k.trace.json" || return 1
	# Steps sit on their probe's track: on the track of an ENA probe.
	jq -e '[.traceEvents[] | select(.ph == "X")] | (map(select(.cat == "probe") | .tid) | unique) as $p
		| map(select(.cat == "fn")) | length > 1000 and all(.tid as $t | $p | index($t) != null)' \
		"$out/synth-100k.trace.json" >/dev/null || { echo "steps off their probes' tracks"; return 1; }
}
case_ trace_nests_at_100k_events t_trace_100k
t_plot_100k() {
	$B plot -o "$out/synth-100k.svg" "$out/synth-100k.txt" || return 1
	plot_in_view "$out/synth-100k.svg" || return 1
	size=$(stat -c %s "$out/synth-100k.svg")
	[ "$size" -le 5000000 ] || { echo "$size bytes"; return 1; }
	rows=$(grep -c '^<text class="row" ' "$out/synth-100k.svg")
	[ "$rows" -le 60 ] || { echo "$rows rows"; return 1; }
	grep -q ' more drivers</text>' "$out/synth-100k.svg" || { echo "no collapsed driver row"; return 1; }
	screenshot "$out/synth-100k.svg" "$out/synth-100k.png"
	python3 "$top/tests/lib/png_not_blank.py" "$out/synth-100k.png"
}
case_ plot_readable_at_100k_events t_plot_100k

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
