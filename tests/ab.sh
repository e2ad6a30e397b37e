#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two images A/B across real boots, BOOTS VM boots each, every boot saved
# by `bootstamps save`: image A has the fixture driver at version 1.0.0
# probing 10 ms and a service (ntpdate) running 300 ms on its root, OS
# release 2016.03; image B the driver at 2.0.0 probing 40 ms, no ntpdate,
# release 2016.09 and selinux=0 on its command line. `bootstamps compare
# --group-by version` must report both versions, a difference of medians
# within 10% of 30 ms, significant, and name the version change; with the
# fixture's inner function timed (spans=), name it as where the time
# moved. `compare A --vs B` must name all four differences in its verdict,
# put ntpdate's time (at least the 300 ms it slept) only in A, and find B's
# whole boot shorter.
#   tests/ab.sh [FLAVOUR [BOOTS]]   (default cloud-amd64, 4 boots each)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-cloud-amd64}
boots=${2:-4}
work=${BST_WORK:-/tmp/bootstamps-work}
dir=$work/ab-captures
rm -rf "$dir"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "[ab] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[ab] not ok $1 # $2"; }

status=0
"$top/tests/vm/run.sh" "$flavour" --ab "1.0.0:10:$boots:$dir:300:2016.03" || status=1
"$top/tests/vm/run.sh" "$flavour" --ab "2.0.0:40:$boots:$dir:0:2016.09:selinux=0" || status=1

B=$work/vm-$flavour-ab/reader/bootstamps
if ! "$B" compare --group-by version --driver bst_fixture "$dir" | tee "$work/ab-compare.txt"; then
	not_ok compare "exit status $?"
else
	ok compare
fi
"$B" compare --group-by version --driver bst_fixture --format json "$dir" >"$work/ab-compare.json"
row='.comparisons[0].rows[] | select(.metric == "probe bst_fixture")'
t() { jq -e "$2" "$work/ab-compare.json" >/dev/null && ok "$1" || not_ok "$1" "$3: $(jq -c "$row" "$work/ab-compare.json" 2>/dev/null)"; }
t both_versions '.comparisons[0].a.label == "1.0.0" and .comparisons[0].b.label == "2.0.0" and .comparisons[0].a.boots == '"$boots"' and .comparisons[0].b.boots == '"$boots" "want 1.0.0 and 2.0.0, $boots boots each"
t delta_near_30ms "$row | .delta_ms >= 27 and .delta_ms <= 33" "B-A not within 10% of 30 ms"
t significant "$row | .significant == true and .p < 0.05 and .ci95_ms[0] > 0" "not significant"
t names_the_change '.comparisons[0].changes[] | select(.what == "driver" and .name == "bst_fixture" and .a == "1.0.0" and .b == "2.0.0")' "version change not named"
fnrow='.comparisons[0].rows[] | select(.metric == "fn bst_fixture:bst_fixture_wait")'
jq -e "$fnrow | .significant == true and .delta_ms >= 27 and .delta_ms <= 33" "$work/ab-compare.json" >/dev/null &&
	grep -q "^Where the time moved: bst_fixture_wait changed by +" "$work/ab-compare.txt" &&
	ok inner_function_named || not_ok inner_function_named "$(jq -c "$fnrow" "$work/ab-compare.json")"

# The two images, as someone comparing two AMIs would: compare A --vs B.
# shellcheck disable=SC2206 # globs, on purpose
a=("$dir"/1.0.0-*.bst) b=("$dir"/2.0.0-*.bst)
"$B" compare "${a[@]}" --vs "${b[@]}" >"$work/ab-images.txt"
"$B" compare --format json "${a[@]}" --vs "${b[@]}" >"$work/ab-images.json"
v() { jq -e "$2" "$work/ab-images.json" >/dev/null && ok "$1" || not_ok "$1" "$3: $(sed -n '/^Verdict/,/^$/p' "$work/ab-images.txt" | tr '\n' ' ')"; }
v images.verdict_names_service '.verdict.lines | any(test("ntpdate only in A"))' "the verdict does not name ntpdate"
v images.verdict_names_driver '.verdict.lines | any(test("bst_fixture.*1\\.0\\.0 -> 2\\.0\\.0"))' "the verdict does not name the driver's versions"
v images.verdict_names_os '.verdict.lines | any(test("2016\\.03.*2016\\.09"))' "the verdict does not name the OS release"
v images.verdict_names_cmdline '.verdict.lines | any(test("\\+selinux=0"))' "the verdict does not name +selinux=0"
# ntpdate slept 300 ms: a strict lower bound on its time, no upper one.
v images.service_only_in_a '.only_in_a | any(.metric == "program ntpdate" and .median_ms >= 300 and .boots == '"$boots"')' "ntpdate not only in A with >= 300 ms"
# B's boot lost 300 ms of service and gained 30 ms of probe, but a whole
# boot under emulation varies by more than that from boot to boot when the
# host is busy (a kernel phase +655 ms between the groups, once). So the
# whole boot is judged leniently: B must not be significantly longer.
# What B lost is judged from the boots themselves (service_only_in_a).
v images.boot_not_longer '.rows[] | select(.metric == "boot") | (.delta_ms < 0 or (.significant | not))' "B's whole boot is significantly longer"
sed -n '/^Verdict/,/^$/p' "$work/ab-images.txt"
echo "ab: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ] && [ $status = 0 ]
