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
	for c in "" show plot trace prom mark save compare export; do
		grep -q '^usage: bootstamps' <<<"$($B $c --help)" || { echo "no usage for '$c'"; return 1; }
	done
}
case_ help t_help
t_man() {
	for c in show plot trace prom mark save compare export; do
		grep -q "^\.B $c\$\|^\.B bootstamps $c\|^\.B $c " "$top/userspace/bootstamps.8" || { echo "man page lacks $c"; return 1; }
	done
	w=$(MANWIDTH=80 man --warnings -l "$top/userspace/bootstamps.8" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$w" | head -n 1; return 1; }
}
case_ man_page t_man
t_usage() {
	for args in "show --format xml" "show --slowest 0" "compare" "compare a" "compare --group-by size --driver x d" \
		"mark" "plot -o" "show a b" "save --bogus" "save --dir" "shwo" "help bogus" "show --max-size 0" \
		"export" "export --format csv x" "export --append x" "export -o" "save --prom-dir"; do
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
		# ENA's probes, all its attempts on one series (not per device).
		grep -q ' driver=ena ' "$c" || { echo "no ENA probe in the capture"; return 1; }
		[ "$(grep -c '^bootstamps_driver_probe_seconds{driver="ena"} ' "$out/$k.prom")" = 1 ] ||
			{ echo "not one ENA probe series"; return 1; }
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

# ---------------------------------------------------------- show's answers (issue 14, point 4)
# Each figure is recomputed from the capture itself with awk, not from the reader.
for c in $captures; do
	k=$(basename "$(dirname "$c")")
	t_show_startup_total() {
		# The boot ends at its last marker; the total is that time.
		want=$(awk '$3 == "mark" && $2 + 0 >= m { m = $2 + 0 } END { printf "%.3f", m }' "$c")
		$B show --format json "$c" | jq -e --argjson w "$want" '((.startup.total_ms / 1000) - $w | fabs) < 0.0006' >/dev/null ||
			{ echo "total is not the last marker's time ($want s)"; return 1; }
		# Through a file: under pipefail, `show | head` could fail on show's
		# SIGPIPE when head exits first (CI saw it, twice).
		$B show "$c" >"$out/$k.startup.txt" || return 1
		sed -n 1p "$out/$k.startup.txt" | grep -q "= ${want}s\$" || { echo "Startup line does not end in = ${want}s"; return 1; }
	}
	case_ "$k.show_startup_total" t_show_startup_total
	t_show_blame_sums_attempts() {
		# Every probe.end of every named driver, summed and counted per driver;
		# but dur_ns=0 with start=0 (a probe the kernel log timed as 0 usecs)
		# is an instant to the model, not a span (model.c), so not an attempt.
		awk '$3 == "probe.end" { d = ""; ns = 0; st = ""
			for (i = 5; i <= NF; i++) { if ($i ~ /^driver=/) d = substr($i, 8); if ($i ~ /^dur_ns=/) ns = substr($i, 8); if ($i ~ /^start=/) st = substr($i, 7) }
			if (d != "" && !(ns == 0 && st == "0")) { n[d]++; t[d] += ns } }
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
# Another boot: compare refuses one boot in both groups.
second=$(echo "$captures" | sed -n 2p)
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
	grep -q '^No difference can be significant with 1 and 1 boots' "$out/compare.txt" || { echo "no note on one boot per group"; return 1; }
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

# ---------------------------------------------------------- compare for fleets (issue 14, point 8)
# The saved A/B boots (bst_fixture 1.0.0 and 2.0.0) made into the
# in-tree driver and two out-of-tree releases, as docs/ec2.md's workflow.
ab=$work/ab-captures
t_compare_in_tree_baseline() {
	[ -n "$(ls "$ab"/1.0.0-*.bst 2>/dev/null)" ] || { echo "no A/B captures in $ab"; return 1; }
	rm -rf "$out/ena" && mkdir -p "$out/ena"
	for f in "$ab"/1.0.0-*.bst; do
		n=$(basename "$f" .bst)
		# Each made-up boot has its own boot id: compare counts a boot once.
		sed -e 's/ version=1\.0\.0 srcversion=[^ ]*/ version= srcversion=/g' \
			-e "s/^# saved boot_id=[^ ]*/# saved boot_id=intree-$n/" "$f" >"$out/ena/intree-$n.bst"
		sed -e 's/ version=1\.0\.0 / version=2.12.0g /g' \
			-e "s/^# saved boot_id=[^ ]*/# saved boot_id=oot12-$n/" "$f" >"$out/ena/oot12-$n.bst"
	done
	for f in "$ab"/2.0.0-*.bst; do
		sed 's/ version=2\.0\.0 / version=2.17.0g /g' "$f" >"$out/ena/oot17-$(basename "$f")"
	done
	kernel=$(sed -n 's/.* kernel=\([^ ]*\).*/\1/p' "$ab/1.0.0-1.bst" | head -n 1)
	$B compare --group-by version --driver bst_fixture "$out/ena" >"$out/ena.txt" || return 1
	[ "$(grep -c "^bst_fixture versions: in-tree ($kernel) (baseline) vs " "$out/ena.txt")" = 2 ] ||
		{ echo "in-tree is not the baseline of both: $(grep versions: "$out/ena.txt" | tr '\n' ';')"; return 1; }
	grep -q "^bst_fixture versions: in-tree ($kernel) (baseline) vs 2.12.0g$" "$out/ena.txt" &&
		grep -q "^  driver bst_fixture: in-tree ($kernel) -> 2.17.0g$" "$out/ena.txt" ||
		{ echo "versions not named against in-tree"; return 1; }
	! grep -q -- "-> $kernel\$" "$out/ena.txt" || { echo "the kernel release is a version"; return 1; }
	# The fixture's 2.0.0 boots wait 40 ms where 1.0.0 waits 10: B-A > 0.
	$B compare --format json --group-by version --driver bst_fixture "$out/ena" >"$out/ena.json" || return 1
	jq -e --arg k "in-tree ($kernel)" '.comparisons | length == 2 and all(.a.label == $k)
		and (.[] | select(.b.label == "2.17.0g") | .rows[] | select(.metric == "probe bst_fixture") | .delta_ms > 20)' \
		"$out/ena.json" >/dev/null || { echo "wrong baseline or sign in JSON"; return 1; }
	# An explicit baseline: 2.17.0g, so in-tree is faster (B-A < 0).
	$B compare --format json --baseline 2.17.0g --group-by version --driver bst_fixture "$out/ena" |
		jq -e '.comparisons | all(.a.label == "2.17.0g") and (.[0].rows[] | select(.metric == "probe bst_fixture") | .delta_ms < -20)' >/dev/null ||
		{ echo "--baseline 2.17.0g not honoured"; return 1; }
	$B compare --baseline 9.9 --group-by version --driver bst_fixture "$out/ena" >/dev/null 2>"$out/err"
	[ $? = 2 ] && grep -q '^bootstamps: --baseline 9.9: no group has that label' "$out/err" || { echo "unknown baseline: $(cat "$out/err")"; return 1; }
}
case_ compare_in_tree_is_the_baseline t_compare_in_tree_baseline
t_compare_baseline_ab() {
	$B compare --format json "$ab"/1.0.0-*.bst --vs "$ab"/2.0.0-*.bst >"$out/ab1.json" || return 1
	$B compare --format json --baseline "$ab/2.0.0-1.bst" "$ab"/1.0.0-*.bst --vs "$ab"/2.0.0-*.bst >"$out/ab2.json" || return 1
	jq -e -n --slurpfile x "$out/ab1.json" --slurpfile y "$out/ab2.json" '
		($x[0].rows[] | select(.metric == "probe bst_fixture") | .delta_ms) as $d1
		| ($y[0].rows[] | select(.metric == "probe bst_fixture") | .delta_ms) as $d2
		| $d1 > 20 and ($d1 + $d2 | fabs) < 1e-6 and $y[0].a.label == $x[0].b.label' >/dev/null ||
		{ echo "--baseline B does not reverse B-A"; return 1; }
}
case_ compare_baseline_reverses t_compare_baseline_ab
t_compare_strays() {
	rm -rf "$out/sa" "$out/sb" && mkdir -p "$out/sa" "$out/sb"
	cp "$ab"/1.0.0-*.bst "$out/sa/" && cp "$ab"/2.0.0-*.bst "$out/sb/"
	echo "Boots of the old driver." >"$out/sa/README"
	# A boot torn by a power cut: cut in the middle of its 12th event line.
	l=$(grep -n '^[0-9]' "$ab/2.0.0-1.bst" | sed -n 12p | cut -d: -f1)
	head -n $((l - 1)) "$ab/2.0.0-1.bst" >"$out/sb/torn.bst"
	sed -n "${l}p" "$ab/2.0.0-1.bst" | head -c 20 >>"$out/sb/torn.bst"
	$B compare "$out/sa" --vs "$out/sb" >"$out/strays.txt" 2>"$out/err" || { cat "$out/err"; return 1; }
	grep -q "^bootstamps: warning: $out/sa/README: not a capture" "$out/err" &&
		grep -q "^bootstamps: warning: $out/sb/torn.bst:$l: .*; skipped" "$out/err" ||
		{ echo "strays not named: $(tr '\n' ';' <"$out/err")"; return 1; }
	grep -q "^A (baseline): $out/sa (4 boots)$" "$out/strays.txt" && grep -q "^B: $out/sb (4 boots)$" "$out/strays.txt" ||
		{ echo "wrong boot counts: $(head -n 2 "$out/strays.txt" | tr '\n' ';')"; return 1; }
	$B compare --strict "$out/sa" --vs "$out/sb" >"$out/strict.txt" 2>"$out/err"
	[ $? = 2 ] && [ ! -s "$out/strict.txt" ] && grep -q "^bootstamps: $out/sa/README: not a capture" "$out/err" ||
		{ echo "--strict: $(cat "$out/err")"; return 1; }
	rm "$out/sa/README"
	$B compare --strict "$out/sa" --vs "$out/sb" >/dev/null 2>"$out/err"
	[ $? = 2 ] && grep -q "^bootstamps: $out/sb/torn.bst:$l: " "$out/err" || { echo "--strict, torn: $(cat "$out/err")"; return 1; }
}
case_ compare_skips_strays_and_torn t_compare_strays
t_compare_few() {
	$B compare "$ab"/1.0.0-[123].bst --vs "$ab"/2.0.0-[123].bst >"$out/few.txt" || return 1
	grep -q '^No difference can be significant with 3 and 3 boots' "$out/few.txt" &&
		grep -q 'for groups this size is 0.1, not below 0.05. It takes at least 4 boots in each group' "$out/few.txt" ||
		{ echo "no note on 3 boots per group"; return 1; }
	! grep -q ' \*$' "$out/few.txt" || { echo "a row marked significant with 3 boots"; return 1; }
	$B compare "$ab"/1.0.0-*.bst --vs "$ab"/2.0.0-*.bst >"$out/four.txt" || return 1
	! grep -q '^No difference can be significant' "$out/four.txt" && grep -q '^probe bst_fixture .* \*$' "$out/four.txt" ||
		{ echo "4 boots per group, separated, not significant"; return 1; }
}
case_ compare_says_when_too_few t_compare_few
# The verdict on the real A/B boots: first, about the whole boot, whose
# B-A is the difference of the medians of each boot's last marker (worked
# out here from the files), and naming the driver whose version changed.
t_compare_verdict() {
	local f want got
	median_end() {	# the median over files of each one's last marker time, in ms
		for f in "$@"; do
			awk '$3 == "mark" && $2 > t { t = $2 } END { printf "%.6f\n", t * 1000 }' "$f"
		done | sort -n | awk '{ v[NR] = $1 } END { printf "%.6f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	}
	[ -n "$(ls "$ab"/1.0.0-*.bst 2>/dev/null)" ] || { echo "no A/B captures in $ab"; return 1; }
	want=$(awk -v a="$(median_end "$ab"/1.0.0-*.bst)" -v b="$(median_end "$ab"/2.0.0-*.bst)" 'BEGIN { printf "%.6f", b - a }')
	$B compare --format json "$ab"/1.0.0-*.bst --vs "$ab"/2.0.0-*.bst >"$out/verdict.json" || return 1
	got=$(jq -r '.rows[0] | select(.metric == "boot") | .delta_ms' "$out/verdict.json")
	awk -v w="$want" -v g="$got" 'BEGIN { d = w - g; exit !(g != "" && d < 0.002 && d > -0.002) }' ||
		{ echo "boot row B-A $got, want $want"; return 1; }
	$B compare "$ab"/1.0.0-*.bst --vs "$ab"/2.0.0-*.bst >"$out/verdict.txt" || return 1
	if jq -e '.rows[0].significant' "$out/verdict.json" >/dev/null; then
		head -n 1 "$out/verdict.txt" | grep -Eq "^Verdict: B boots [0-9.]+ ms $(jq -r 'if .rows[0].delta_ms < 0 then "faster" else "slower" end' "$out/verdict.json") than A \(p = " ||
			{ echo "verdict: $(head -n 1 "$out/verdict.txt")"; return 1; }
	else
		head -n 1 "$out/verdict.txt" | grep -q "^Verdict: B's boot is not significantly different" ||
			{ echo "verdict: $(head -n 1 "$out/verdict.txt")"; return 1; }
	fi
	sed -n '1,/^$/p' "$out/verdict.txt" | grep 'bst_fixture.*1\.0\.0 -> 2\.0\.0' ||
		{ echo "the verdict does not name bst_fixture's version change"; return 1; }
	jq -e '.verdict.lines | length >= 2' "$out/verdict.json" >/dev/null
}
case_ compare_verdict_first t_compare_verdict
t_compare_small_p() {
	# 25 boots per version: each saved boot with its times scaled a little.
	rm -rf "$out/pa" "$out/pb" && mkdir -p "$out/pa" "$out/pb"
	for i in $(seq 1 25); do
		for v in 1.0.0:pa 2.0.0:pb; do
			awk -v f="1.00$(printf %02d "$i")" -v id="${v##*:}-$i" '/^# saved boot_id=/ { sub(/boot_id=[^ ]*/, "boot_id=" id) }
				/^[0-9]/ { $2 = sprintf("%.9f", $2 * f)
				for (k = 5; k <= NF; k++) if ($k ~ /^dur_ns=/) $k = sprintf("dur_ns=%.0f", substr($k, 8) * f) } { print }' \
				"$ab/${v%%:*}-1.bst" >"$out/${v##*:}/$i.bst"
		done
	done
	$B compare "$out/pa" --vs "$out/pb" >"$out/p.txt" || return 1
	$B compare --format json "$out/pa" --vs "$out/pb" >"$out/p.json" || return 1
	p=$(jq -r '.rows[] | select(.metric == "probe bst_fixture") | .p' "$out/p.json")
	want=$(awk -v p="$p" 'BEGIN { printf "%.2g", p }')
	awk -v p="$p" 'BEGIN { exit !(p > 0 && p < 1e-4) }' || { echo "p=$p: not small"; return 1; }
	grep -qE "^probe bst_fixture .* $want \*\$" "$out/p.txt" || { echo "p not printed as $want: $(grep '^probe bst_fixture' "$out/p.txt")"; return 1; }
	! grep -q ' 0\.0000 ' "$out/p.txt" || { echo "p printed as 0.0000"; return 1; }
}
case_ compare_small_p_readable t_compare_small_p

# ---------------------------------------------------------- prom for fleets (issue 14, point 7)
# prom_check PROM CAPTURE: every label is a known name with a value from
# its fixed set or from the capture's own drivers, and the series number
# stays within docs/reader.md's bound: 15 for the boot, 6 per driver.
prom_check() {
	python3 - "$1" "$2" <<'PY'
import re, sys
prom, cap = open(sys.argv[1]).read(), open(sys.argv[2]).read()
def unescape(v):
    return re.sub(r'\\x([0-9a-f]{2})', lambda m: chr(int(m.group(1), 16)), v)
header = dict(kv.split('=', 1) for l in cap.splitlines() if l.startswith('# ')
              for kv in l[2:].split(' ') if '=' in kv)
probe = [dict(kv.split('=', 1) for kv in l.split(' ')[4:] if '=' in kv)
         for l in cap.splitlines() if l.split(' ')[2:3] == ['probe.end']]
drivers = {unescape(p['driver']) for p in probe if p.get('driver')}
allowed = {
    'phase': {'kernel', 'initramfs', 'userspace'},
    'milestone': {'root.mount', 'disk.ready', 'net.carrier', 'net.ipv4', 'net.ipv6'},
    'marker': {'boot-done'},
    'driver': drivers,
    'module': {unescape(p.get('module', '')) for p in probe},
    'version': {unescape(p.get('version', '')) for p in probe},
    'srcversion': {unescape(p.get('srcversion', '')) for p in probe},
    'origin': {'builtin', 'module'},
    'kernel': {header.get('kernel', '')},
    'module_version': {header.get('module_version', '')},
}
series, per_driver = 0, {}
for line in prom.splitlines():
    if line.startswith('#'):
        continue
    series += 1
    m = re.match(r'^([a-z_]+)(?:\{(.*)\})? \S+$', line)
    if not m:
        sys.exit('unreadable sample: ' + line)
    for name, value in re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ''):
        if name not in allowed:
            sys.exit('label %s not allowed: %s' % (name, line))
        if value.replace('\\"', '"').replace('\\\\', '\\') not in allowed[name]:
            sys.exit('%s="%s" not in its set: %s' % (name, value[:40], line[:160]))
        if name == 'driver':
            per_driver[value] = per_driver.get(value, 0) + 1
bound = 15 + 6 * len(drivers)
if series > bound:
    sys.exit('%d series, more than 15 + 6 x %d drivers = %d' % (series, len(drivers), bound))
for d, n in per_driver.items():
    if n > 6:
        sys.exit('%d series for driver %s' % (n, d))
PY
}
for c in $captures; do
	k=$(basename "$(dirname "$c")")
	t_prom_fleet() {
		$B prom "$c" >"$out/$k.fleet.prom" || return 1
		promtool check metrics <"$out/$k.fleet.prom" || return 1
		prom_check "$out/$k.fleet.prom" "$c" || return 1
		# No per-boot label, no marker text (the VM writes free-text markers).
		! grep -q 'boot_id=' "$out/$k.fleet.prom" || { echo "boot_id is a label"; return 1; }
		kernel=$(sed -n 's/.* kernel=\([^ ]*\).*/\1/p' "$c" | head -n 1)
		! grep '^bootstamps_driver' "$out/$k.fleet.prom" | grep -qF "$kernel" || { echo "the kernel release in a driver series"; return 1; }
		# The whole boot and its three phases.
		grep -qE '^bootstamps_boot_seconds [0-9]+\.[0-9]{9}$' "$out/$k.fleet.prom" || { echo "no total"; return 1; }
		for p in kernel initramfs userspace; do
			grep -qE "^bootstamps_phase_seconds\{phase=\"$p\"\} [0-9]" "$out/$k.fleet.prom" || { echo "no phase $p"; return 1; }
		done
	}
	case_ "$k.prom_fleet" t_prom_fleet
done
t_prom_big() {
	# The cloud capture, then 10,000 more events: 3000 probes of 3000
	# devices by 20 drivers (versions varying), 2000 disks, 2000 free-text
	# markers, one boot-done.
	c=$(ls "$work"/vm-cloud-amd64/capture.txt 2>/dev/null || echo "$first")
	awk 'BEGIN { srand(14) }
	/^[0-9]/ { seq = $1; t = $2 } { print }
	END {
		t = int(t) + 1
		for (i = 0; i < 3000; i++) {
			d = "drv" (i % 20); dev = sprintf("0000:%02x:%02x.%d", int(i / 256) % 256, i % 256, i % 8)
			v = "version=1." (i % 20) ".0 srcversion=S" (i % 20)
			printf "%d %d.%09d probe.start %s driver=%s bus=pci module=%s %s builtin=0 async=0\n", ++seq, t, i * 100, dev, d, d, v
			rc = (i % 7 == 0) ? -517 : ((i % 11 == 0) ? -62 : 0)
			printf "%d %d.%09d probe.end %s driver=%s bus=pci rc=%d dur_ns=50 start=%d module=%s %s builtin=0 async=0\n", ++seq, t, i * 100 + 50, dev, d, rc, seq - 1, d, v
		}
		for (i = 0; i < 2000; i++) {
			printf "%d %d.%09d disk.partitions disk%d count=1\n", ++seq, t + 1, i, i
			printf "%d %d.%09d mark note-%d-%d\n", ++seq, t + 1, i, i, int(rand() * 1e9)
		}
		printf "%d %d.%09d mark boot-done\n", ++seq, t + 2, 0
	}' "$c" >"$out/big.txt"
	[ "$(grep -c '^[0-9]' "$out/big.txt")" -gt 10000 ] || { echo "big capture too small"; return 1; }
	$B prom "$out/big.txt" >"$out/big.prom" || return 1
	promtool check metrics <"$out/big.prom" || return 1
	prom_check "$out/big.prom" "$out/big.txt" || return 1
	! grep -q 'note-\|disk[0-9]' "$out/big.prom" || { echo "free text or a device name as a label value"; return 1; }
	grep -qE '^bootstamps_marker_seconds\{marker="boot-done"\} [0-9]' "$out/big.prom" || { echo "no boot-done"; return 1; }
	# drv0 probed 150 devices (i % 20 == 0), all on one series.
	grep -qx 'bootstamps_driver_probe_attempts{driver="drv0"} 150' "$out/big.prom" || { echo "drv0's attempts: $(grep 'attempts{driver="drv0"}' "$out/big.prom")"; return 1; }
}
case_ prom_big_capture_bounded t_prom_big

# ---------------------------------------------------------- front (issue 14: points 1, 2, 9, 10)
# Output files as root, bounded input, semantic validation, the command line.
fw=$out/front
mkdir -p "$fw"
# A capture to break: the first VM capture's header, then lines we write.
hdr() { sed -n '/^#/p' "$first" | grep -v '^# saved' | head -n 6; }

# 1. Output files. The old code wrote FILE.tmp.<pid> following symlinks:
# exec keeps the pid, so a link planted at that name is hit if it is used.
t_out_planted_temp() {
	d=$fw/planted; rm -rf "$d"; mkdir -p "$d"
	echo precious >"$d/victim"
	sh -c 'ln -s "$1/victim" "$1/out.prom.tmp.$$"; exec "$2" prom -o "$1/out.prom" "$3"' - "$d" "$B" "$first" || return 1
	[ "$(cat "$d/victim")" = precious ] || { echo "the planted link's target was overwritten"; return 1; }
	[ -f "$d/out.prom" ] && [ ! -L "$d/out.prom" ] && grep -q '^bootstamps_' "$d/out.prom" || { echo "no output"; return 1; }
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	sh -c 'ln -s "$1/victim" "$1/.$4.bst.$$"; exec "$2" save --quiet --dir "$1" --from "$3"' - "$d" "$B" "$first" "$boot_id" || return 1
	[ "$(cat "$d/victim")" = precious ] || { echo "save overwrote the planted link's target"; return 1; }
}
case_ front.out_planted_temp_name_not_followed t_out_planted_temp
t_out_symlink_target() {
	d=$fw/link; rm -rf "$d"; mkdir -p "$d"
	echo precious >"$d/victim"
	ln -s "$d/victim" "$d/out.prom"
	$B prom -o "$d/out.prom" "$first" 2>"$fw/err"
	[ $? = 2 ] && grep -q 'out.prom is a symbolic link' "$fw/err" || { echo "link target accepted: $(cat "$fw/err")"; return 1; }
	[ "$(cat "$d/victim")" = precious ] && [ -L "$d/out.prom" ] || { echo "link or target changed"; return 1; }
	[ "$(ls -A "$d" | wc -l)" = 2 ] || { echo "left behind: $(ls -A "$d")"; return 1; }
}
case_ front.out_symlink_refused t_out_symlink_target
t_out_device_node() {
	d=$fw/dev; rm -rf "$d"; mkdir -p "$d"
	mknod "$d/null" c 1 3 || return 1
	$B trace -o "$d/null" "$first" || return 1
	[ -c "$d/null" ] || { echo "the device node was replaced: $(ls -l "$d/null")"; return 1; }
	[ "$(ls -A "$d" | wc -l)" = 1 ] || { echo "left behind: $(ls -A "$d")"; return 1; }
	$B save --quiet --dir "$d" --from "$first" >/dev/null 2>&1 || return 1
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	rm -f "$d/$boot_id.bst"; mknod "$d/$boot_id.bst" c 1 3 || return 1
	$B save --quiet --dir "$d" --from "$first" 2>"$fw/err"
	[ $? = 2 ] && [ -c "$d/$boot_id.bst" ] && grep -q 'is a character device' "$fw/err" ||
		{ echo "save over a device node: $(cat "$fw/err")"; return 1; }
}
case_ front.out_device_node_written_through t_out_device_node
t_out_fifo() {
	d=$fw/fifo; rm -rf "$d"; mkdir -p "$d"
	mkfifo "$d/pipe" || return 1
	timeout 60 cat "$d/pipe" >"$fw/from-fifo" &
	reader=$!
	# A FIFO nobody reads yet is refused: try again until cat has opened it.
	for _ in $(seq 100); do
		$B plot -o "$d/pipe" "$first" 2>"$fw/err" && break
		grep -q 'nobody is reading' "$fw/err" || { cat "$fw/err"; kill $reader; return 1; }
		sleep 0.1
	done
	[ -s "$fw/err" ] && { cat "$fw/err"; kill $reader; return 1; }
	wait $reader
	[ -p "$d/pipe" ] || { echo "the FIFO was replaced"; return 1; }
	xmllint --noout "$fw/from-fifo" || return 1
	$B prom -o /dev/stdout "$first" >"$fw/stdout.prom" || return 1
	promtool check metrics <"$fw/stdout.prom" >/dev/null 2>&1 || { echo "-o /dev/stdout gave no metrics"; return 1; }
	[ -L /dev/stdout ] || { echo "/dev/stdout was replaced"; return 1; }
}
case_ front.out_fifo_and_stdout_written_through t_out_fifo
t_out_regular() {
	d=$fw/reg; rm -rf "$d"; mkdir -p "$d"
	echo old >"$d/out.svg"
	ln "$d/out.svg" "$d/hardlink"
	(umask 022; $B plot --output="$d/out.svg" "$first") || return 1
	[ "$(stat -c %a "$d/out.svg")" = 644 ] || { echo "mode $(stat -c %a "$d/out.svg")"; return 1; }
	[ "$(cat "$d/hardlink")" = old ] || { echo "written through a hard link"; return 1; }
	xmllint --noout "$d/out.svg" || return 1
	[ "$(ls -A "$d" | wc -l)" = 2 ] || { echo "left behind: $(ls -A "$d")"; return 1; }
	mkdir "$d/sub"
	$B plot -o "$d/sub" "$first" 2>"$fw/err"
	[ $? = 2 ] && [ -d "$d/sub" ] && grep -q 'is a directory' "$fw/err" || { echo "directory: $(cat "$fw/err")"; return 1; }
}
case_ front.out_regular_file_replaced t_out_regular

# 2. Input: bounded memory (an address space of 200 MB), refused early.
t_in_bounded() {
	truncate -s 2G "$fw/sparse" || return 1
	(ulimit -v 200000; exec $B show /dev/zero) >/dev/null 2>"$fw/err"
	[ $? = 2 ] && grep -q '/dev/zero:1: not a bootstamps capture' "$fw/err" || { echo "/dev/zero: $(cat "$fw/err")"; return 1; }
	(ulimit -v 200000; exec $B show "$fw/sparse") >/dev/null 2>"$fw/err"
	[ $? = 2 ] && grep -q 'larger than the input limit of 64 MiB (67108864 bytes).*--max-size' "$fw/err" || { echo "2 GB: $(cat "$fw/err")"; return 1; }
	(ulimit -v 200000; exec $B show --max-size 4G "$fw/sparse") >/dev/null 2>"$fw/err"
	[ $? = 2 ] && grep -q 'sparse:1: not a bootstamps capture' "$fw/err" || { echo "2 GB, --max-size 4G: $(cat "$fw/err")"; return 1; }
	(printf '# bootstamps 1\n'; yes '# x') | (ulimit -v 200000; exec $B show -) >/dev/null 2>"$fw/err"
	[ "${PIPESTATUS[1]}" = 2 ] && grep -q '^bootstamps: -: larger than the input limit' "$fw/err" || { echo "endless stdin: $(cat "$fw/err")"; return 1; }
	{ hdr; head -c 1000000 /dev/urandom; } >"$fw/binary"
	l=$(( $(hdr | wc -l) + 1 ))
	(ulimit -v 200000; exec $B prom "$fw/binary") >/dev/null 2>"$fw/err"
	[ $? = 2 ] && grep -q "binary:$l: " "$fw/err" || { echo "binary: $(cat "$fw/err")"; return 1; }
}
case_ front.input_refused_early_with_bounded_memory t_in_bounded
t_in_max_size() {
	size=$(stat -c %s "$first")
	for cmd in show plot trace prom; do
		$B $cmd --max-size $((size - 1)) "$first" >/dev/null 2>"$fw/err"
		[ $? = 2 ] && grep -q "input limit of $((size - 1)) bytes" "$fw/err" || { echo "$cmd: $(cat "$fw/err")"; return 1; }
		$B $cmd --max-size=$size "$first" >/dev/null || { echo "$cmd: --max-size=$size refused"; return 1; }
	done
	$B save --max-size 1K --from "$first" --dir "$fw/maxsave" 2>"$fw/err"
	[ $? = 2 ] && grep -q 'input limit of 1024 bytes' "$fw/err" && [ ! -e "$fw/maxsave" ] || { echo "save: $(cat "$fw/err")"; return 1; }
	# compare reads each capture with the same limit.
	$B compare --max-size 1K "$first" --vs "$first" >/dev/null 2>"$fw/err"
	grep -q 'input limit of 1024 bytes' "$fw/err" || { echo "compare: $(cat "$fw/err")"; return 1; }
	$B compare --max-size 1M "$first" --vs "$second" >/dev/null || { echo "compare --max-size 1M failed"; return 1; }
}
case_ front.input_max_size_option t_in_max_size

# 9. Semantic validation: errors name file:line, exit 2, for every command.
t_validation_errors() {
	n=$(( $(hdr | wc -l) + 2 ))
	{ hdr; echo "1 0.500000000 probe.start a driver=x bus=pci"; echo "2 1.000000000 probe.end a driver=x bus=pci rc=0 dur_ns=2000000000 start=1"; } >"$fw/dur.txt"
	{ hdr; echo "1 0.500000000 module.coming m version="; echo "2 1.000000000 probe.end a driver=x bus=pci rc=0 dur_ns=5 start=1"; } >"$fw/kind.txt"
	{ hdr; echo "1 0.500000000 probe.start a driver=x bus=pci"; echo "2 1.000000000 probe.end a driver=x bus=pci rc=0 dur_ns=5 start=2"; } >"$fw/self.txt"
	{ hdr; echo "1 0.500000000 probe.start a driver=x bus=pci"; echo "2 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=1 rc=-5"; } >"$fw/dup.txt"
	for f in dur kind self dup; do
		for cmd in show plot trace prom; do
			$B $cmd "$fw/$f.txt" >/dev/null 2>"$fw/err"
			[ $? = 2 ] && grep -q "$f.txt:$n: " "$fw/err" || { echo "$f, $cmd: $(cat "$fw/err")"; return 1; }
		done
		$B compare "$fw/$f.txt" --vs "$first" >/dev/null 2>"$fw/err"
		grep -q "$f.txt:$n: " "$fw/err" || { echo "$f, compare: $(cat "$fw/err")"; return 1; }
	done
}
case_ front.validation_errors_name_the_line t_validation_errors
t_validation_warning() {
	n=$(( $(hdr | wc -l) + 1 ))
	{ hdr; echo "5 1.000000000 probe.end a driver=x bus=pci rc=0 dur_ns=5 start=3"; } >"$fw/missing.txt"
	$B show --format json "$fw/missing.txt" >"$fw/missing.json" 2>"$fw/err" || { cat "$fw/err"; return 1; }
	grep -q "missing.txt:$n: warning: start=3 names no event" "$fw/err" || { echo "no warning: $(cat "$fw/err")"; return 1; }
	jq -e '.events | length == 1' "$fw/missing.json" >/dev/null
}
case_ front.validation_missing_start_warns t_validation_warning
t_real_captures_clean() {
	for f in $captures "$work"/ab-captures/*.bst; do
		[ -f "$f" ] || continue
		$B show "$f" >/dev/null 2>"$fw/err" && [ ! -s "$fw/err" ] || { echo "$f: $(head -n 1 "$fw/err")"; return 1; }
	done
}
case_ front.real_captures_pass_without_warnings t_real_captures_clean

# 10. The command line.
t_cli_equals() {
	$B show --format=json "$first" | jq -e '.events | length > 0' >/dev/null || { echo "--format=json"; return 1; }
	$B show --slowest=3 "$first" >/dev/null || { echo "--slowest=3"; return 1; }
	$B prom -o"$fw/eq.prom" "$first" && [ -s "$fw/eq.prom" ] || { echo "-oFILE"; return 1; }
	$B save --quiet --dir="$fw/eqsave" --from="$first" --keep=3 && [ "$(ls "$fw/eqsave" | wc -l)" = 1 ] || { echo "save --dir=DIR --from=FILE --keep=N"; return 1; }
	$B compare --format=json "$first" --vs "$second" | jq -e '.rows' >/dev/null || { echo "compare --format=json"; return 1; }
	$B show --quiet=1 "$first" >/dev/null 2>&1; [ $? = 1 ] || { echo "an unknown --opt=value accepted"; return 1; }
}
case_ front.cli_opt_equals_value t_cli_equals
t_cli_double_dash() {
	cp "$first" "$fw/-capture"
	(cd "$fw" && $B show -- -capture >/dev/null) || { echo "show -- -capture"; return 1; }
	(cd "$fw" && $B prom -o out.prom -- -capture) && [ -s "$fw/out.prom" ] || { echo "prom -o F -- -capture"; return 1; }
	cp "$second" "$fw/-other"
	(cd "$fw" && $B compare ./-capture --vs -- -other >/dev/null) || { echo "compare after --: $?"; return 1; }
	(cd "$fw" && $B show -capture >/dev/null 2>&1); [ $? = 1 ] || { echo "-capture without -- was not an unknown option"; return 1; }
}
case_ front.cli_double_dash_ends_options t_cli_double_dash
t_cli_help_command() {
	$B help >"$fw/help" && grep -q '^usage: bootstamps \[COMMAND\]' "$fw/help" || { echo "bootstamps help"; return 1; }
	for c in show plot trace prom mark save compare export; do
		$B help $c >"$fw/help" && grep -q "^usage: bootstamps $c" "$fw/help" || { echo "help $c"; return 1; }
		cmp -s "$fw/help" <($B $c --help) || { echo "help $c differs from $c --help"; return 1; }
	done
	$B help nope >/dev/null 2>&1; [ $? = 1 ] || { echo "help nope did not exit 1"; return 1; }
}
case_ front.cli_help_command t_cli_help_command
t_cli_version() {
	want="bootstamps $(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")"
	for args in "--version" "show --version" "plot -o x --version" "compare a --vs --version" "save --version" "mark --version" "show --format=json --version"; do
		[ "$($B $args 2>&1)" = "$want" ] || { echo "'$args': $($B $args 2>&1 | head -n 1)"; return 1; }
	done
	[ ! -e x ] || { echo "plot wrote x"; return 1; }
}
case_ front.cli_version_anywhere t_cli_version
t_cli_unknown_command() {
	(cd "$fw" && $B shwo) >/dev/null 2>"$fw/err"
	[ $? = 1 ] && grep -q 'unknown command "shwo", did you mean "show"' "$fw/err" || { echo "shwo: $(cat "$fw/err")"; return 1; }
	# A FILE without a command: anything with / or ., or a file that exists.
	$B "$first" >/dev/null || { echo "bootstamps PATH"; return 1; }
	cp "$first" "$fw/capture"
	(cd "$fw" && $B capture >/dev/null) || { echo "bootstamps capture (an existing file)"; return 1; }
	(cd "$fw" && $B ./shwo) >/dev/null 2>"$fw/err"
	[ $? = 2 ] && grep -q './shwo: cannot open' "$fw/err" || { echo "./shwo: $(cat "$fw/err")"; return 1; }
}
case_ front.cli_unknown_command_exit_1 t_cli_unknown_command
t_cli_missing_value() {
	for pair in "save --dir|--dir needs a directory" "save --from|--from needs a capture file" \
		"save --keep|--keep needs a count" "plot -o|-o needs a file" "show --format|--format needs" \
		"show --max-size|--max-size needs a size" "compare a --vs b --driver|--driver needs" \
		"compare --group-by|--group-by needs" "compare a --vs b --format|--format needs"; do
		args=${pair%%|*} msg=${pair#*|}
		$B $args >/dev/null 2>"$fw/err"
		[ $? = 1 ] && grep -q -- "$msg" "$fw/err" || { echo "'$args': $(cat "$fw/err")"; return 1; }
	done
}
case_ front.cli_missing_value_named t_cli_missing_value
t_man_options() {
	man=$top/userspace/bootstamps.8
	grep -q '^\.SH OPTIONS' "$man" || { echo "no OPTIONS section"; return 1; }
	opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$man")
	for o in '\\-\\-format' '\\-\\-slowest' '\\-o' '\\-\\-output' '\\-\\-max\\-size' '\\-\\-dir' '\\-\\-from' \
		'\\-\\-keep' '\\-\\-quiet' '\\-\\-vs' '\\-\\-group\\-by' '\\-\\-driver' '\\-\\-version' '\\-\\-help'; do
		grep -q "^\.B.*$o" <<<"$opts" || { echo "OPTIONS lacks $o"; return 1; }
	done
	grep -q '^\.B \\-\\-$' <<<"$opts" || { echo "OPTIONS lacks --"; return 1; }
}
case_ front.man_page_options t_man_options

# ---------------------------------------------------------- review fixes (issue 14, follow-up)
# Bugs a reviewer found in the reader run as root, each at the command line.
rv=$out/review; mkdir -p "$rv"
# A write error names the file (the name was read after being freed).
t_rv_write_error_names_file() {
	$B plot -o /dev/full "$first" 2>"$rv/err"
	[ $? = 2 ] && grep -q '^bootstamps: writing /dev/full: No space left on device$' "$rv/err" || { cat "$rv/err"; return 1; }
}
case_ review.write_error_names_file t_rv_write_error_names_file
# nobody's link in a directory nobody owns does not send root's output elsewhere.
t_rv_foreign_dir_link() {
	d=$rv/t2; rm -rf "$d"; mkdir -p "$d/victim" "$d/alice"
	echo precious >"$d/victim/important.conf"
	chown nobody "$d/alice"
	su -s /bin/sh nobody -c "ln -s '$d/victim' '$d/alice/reports'" || return 1
	$B prom -o "$d/alice/reports/important.conf" "$first" 2>"$rv/err"
	[ $? = 2 ] && grep -q 'reports is a symbolic link owned by uid' "$rv/err" || { cat "$rv/err"; return 1; }
	[ "$(cat "$d/victim/important.conf")" = precious ] || { echo "victim replaced"; return 1; }
	$B save --quiet --dir "$d/alice/reports" --from "$first" 2>"$rv/err"
	[ $? = 2 ] && grep -q 'symbolic link owned by uid' "$rv/err" || { cat "$rv/err"; return 1; }
	[ "$(ls "$d/victim")" = important.conf ] || { echo "save wrote into victim: $(ls "$d/victim")"; return 1; }
}
case_ review.foreign_directory_link_refused t_rv_foreign_dir_link
# nobody's FIFO is not written (its reader would get root's output).
t_rv_foreign_fifo() {
	d=$rv/t3; rm -rf "$d"; mkdir -p "$d"; chown nobody "$d"
	su -s /bin/sh nobody -c "mkfifo -m 666 '$d/pipe'" || return 1
	timeout 60 cat "$d/pipe" >/dev/null &
	reader=$!
	$B prom -o "$d/pipe" "$first" 2>"$rv/err"
	rc=$?
	kill $reader 2>/dev/null; wait $reader 2>/dev/null
	[ $rc = 2 ] && grep -q 'is a FIFO owned by uid' "$rv/err" || { cat "$rv/err"; return 1; }
	mkfifo "$d/mine"
	timeout 60 $B prom -o "$d/mine" "$first" 2>"$rv/err"
	[ $? = 2 ] && grep -q 'FIFO that nobody is reading' "$rv/err" || { cat "$rv/err"; return 1; }
}
case_ review.foreign_fifo_refused t_rv_foreign_fifo
# A replaced file keeps its mode and owner.
t_rv_keeps_mode() {
	d=$rv/t8; rm -rf "$d"; mkdir -p "$d"
	echo old >"$d/out.prom"; chmod 600 "$d/out.prom"; chown nobody:nogroup "$d/out.prom"
	$B prom -o "$d/out.prom" "$first" || return 1
	[ "$(stat -c '%a %U' "$d/out.prom")" = "600 nobody" ] || { echo "now $(stat -c '%a %U' "$d/out.prom")"; return 1; }
}
case_ review.replaced_file_keeps_mode t_rv_keeps_mode
# A boot named more than once counts once; a boot in both groups is an error.
t_rv_compare_counts_once() {
	d=$rv/t5; rm -rf "$d"; mkdir -p "$d/a" "$d/b"
	cp "$ab"/1.0.0-*.bst "$d/a/"; cp "$ab"/2.0.0-*.bst "$d/b/"
	$B compare "$d/a" "$d/a" "$d/a" --vs "$d/b" "$d/b" "$d/b" >"$rv/out" 2>"$rv/err" || { cat "$rv/err"; return 1; }
	grep -q "^A (baseline): $d/a (4 boots)$" "$rv/out" && grep -q "^B: $d/b (4 boots)$" "$rv/out" ||
		{ echo "counts: $(head -n 2 "$rv/out" | tr '\n' ';')"; return 1; }
	id=$(sed -n 's/^# saved boot_id=\([^ ]*\).*/\1/p' "$ab/1.0.0-1.bst")
	grep -q "^bootstamps: warning: $d/a/1.0.0-1.bst and $d/a/1.0.0-1.bst are one boot (boot_id $id); counted once$" "$rv/err" ||
		{ echo "no warning: $(head -n 1 "$rv/err")"; return 1; }
	$B compare "$d/a" --vs "$d/a" >"$rv/out" 2>"$rv/err"
	[ $? = 2 ] && [ ! -s "$rv/out" ] && grep -q "(in B) are one boot (boot_id $id): a boot cannot be in both groups" "$rv/err" ||
		{ echo "a --vs a: $(cat "$rv/err")"; return 1; }
	ln -s "$d/b/2.0.0-1.bst" "$d/a/link.bst"
	$B compare "$d/a" --vs "$d/b" >/dev/null 2>"$rv/err"
	[ $? = 2 ] && grep -q "^bootstamps: $d/a/link.bst (in A) and $d/b/2.0.0-1.bst (in B) are one boot" "$rv/err" ||
		{ echo "link to B in A: $(cat "$rv/err")"; return 1; }
}
case_ review.compare_counts_a_boot_once t_rv_compare_counts_once
# An empty value names no file: a usage error (exit 1) naming the option.
t_rv_empty_values() {
	for args in "plot --output=:--output" "trace --output=:--output" "save --dir=:--dir" "save --from=:--from" \
		"compare --driver= --group-by version x:--driver" "compare --group-by= --driver d x:--group-by" \
		"compare --baseline= a --vs b:--baseline"; do
		opt=${args##*:}
		# shellcheck disable=SC2086
		$B ${args%%:*} "$first" >/dev/null 2>"$rv/err"
		[ $? = 1 ] && grep -q "^bootstamps [a-z]*: $opt needs " "$rv/err" || { echo "'${args%%:*}': $(cat "$rv/err")"; return 1; }
	done
	$B plot -o '' "$first" >/dev/null 2>"$rv/err"
	[ $? = 1 ] && grep -q -- "-o needs a file" "$rv/err" || { echo "-o '': $(cat "$rv/err")"; return 1; }
}
case_ review.empty_option_value_is_usage_error t_rv_empty_values

echo "reader: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
