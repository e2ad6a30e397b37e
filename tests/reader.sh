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
		"mark" "plot -o" "show a b" "save --bogus" "save --dir" "shwo" "help bogus" "show --max-size 0"; do
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
	$B plot -o "$d/pipe" "$first" || { kill $reader; return 1; }
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
	$B compare --max-size 1M "$first" --vs "$first" >/dev/null || { echo "compare --max-size 1M failed"; return 1; }
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
	$B compare --format=json "$first" --vs "$first" | jq -e '.rows' >/dev/null || { echo "compare --format=json"; return 1; }
	$B show --quiet=1 "$first" >/dev/null 2>&1; [ $? = 1 ] || { echo "an unknown --opt=value accepted"; return 1; }
}
case_ front.cli_opt_equals_value t_cli_equals
t_cli_double_dash() {
	cp "$first" "$fw/-capture"
	(cd "$fw" && $B show -- -capture >/dev/null) || { echo "show -- -capture"; return 1; }
	(cd "$fw" && $B prom -o out.prom -- -capture) && [ -s "$fw/out.prom" ] || { echo "prom -o F -- -capture"; return 1; }
	(cd "$fw" && $B compare ./-capture --vs -- -capture >/dev/null) || { echo "compare after --: $?"; return 1; }
	(cd "$fw" && $B show -capture >/dev/null 2>&1); [ $? = 1 ] || { echo "-capture without -- was not an unknown option"; return 1; }
}
case_ front.cli_double_dash_ends_options t_cli_double_dash
t_cli_help_command() {
	$B help >"$fw/help" && grep -q '^usage: bootstamps \[COMMAND\]' "$fw/help" || { echo "bootstamps help"; return 1; }
	for c in show plot trace prom mark save compare; do
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

echo "reader: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
