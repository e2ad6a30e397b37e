#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A fleet's question asked of the engines a fleet runs, on loopback only:
# "the median ENA probe time by driver version" over simulated instances'
# boots, two ENA versions with different probe times. Debian's
# prometheus-node-exporter reads each instance's bootstamps.prom with its
# textfile collector, Debian's prometheus scrapes them all, and PromQL
# answers over its HTTP API; sqlite3 answers in SQL over `bootstamps
# export`'s JSON lines. Both must equal `bootstamps compare --group-by
# version`'s medians on the same captures. The queries are docs/fleet.md's.
# No VM. Prints "fleet: N passed, N failed, N skipped"; exits 1 on failure.
#
# prometheus and prometheus-node-exporter are unpacked into the cache
# (BST_CACHE, /var/cache/bootstamps) from the pinned .debs, never installed:
# installing them would start system services. sqlite3, jq and curl are
# installed by tests/deps.sh fleet.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}
out=$work/fleet
cache=${BST_CACHE:-/var/cache/bootstamps}
pass=0 fail=0 skip=0	# nothing is skipped: a missing server is a failure
ok() { pass=$((pass + 1)); echo "[fleet] ok $1"; }
not_ok() { fail=$((fail + 1)); echo "[fleet] not ok $1 # $2"; }
finish() {
	echo "fleet: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit
}
# case NAME CMD...: one case, failing with CMD's last output line.
case_() {
	local name=$1
	shift
	if "$@" >"$out/case.log" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 1 "$out/case.log")"; fi
}

# Every server this script starts, stopped however it ends.
pids=()
stop_servers() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

rm -rf "$out"
mkdir -p "$out"

"$top/tests/deps.sh" fleet >"$out/deps.log" 2>&1 || { not_ok deps "$(tail -n 1 "$out/deps.log")"; finish; }
make -C "$top/userspace" OBJDIR="$out/build" >"$out/build.log" 2>&1 || {
	not_ok build "$(tail -n 3 "$out/build.log" | tr '\n' ' ')"
	finish
}
B=$out/build/bootstamps

# ---------------------------------------------------------- the servers, from Debian's packages
# shellcheck source=tests/lib/pins.sh
. "$top/tests/lib/pins.sh"
unpack() {
	local pkg=$1 ver dir deb
	ver=$(pin_version own "$pkg") || return 1
	dir=$cache/$pkg-${ver//[:~]/_}
	if [ ! -e "$dir/.unpacked" ]; then
		deb=$(pin_fetch own "$pkg") || return 1
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp" || return 1
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}
ne_dir=$(unpack prometheus-node-exporter 2>"$out/unpack.log") &&
	prom_dir=$(unpack prometheus 2>>"$out/unpack.log") || {
	not_ok unpack_servers "$(tail -n 1 "$out/unpack.log")"
	finish
}
NE=$ne_dir/usr/bin/prometheus-node-exporter
PROM=$prom_dir/usr/bin/prometheus
ok unpack_servers

# A port nobody listens on now, from the ephemeral range's upper part.
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((40000 + RANDOM % 20000))
		(: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
# wait_http URL SECONDS: until URL answers 200.
wait_http() {
	local i
	for i in $(seq $(($2 * 10))); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# serve LOG URL_PATH CMD... (PORT in CMD's words replaced): start it on a
# free port, retried on another should one be taken meanwhile; the port is
# left in $port. Not in a subshell: pids must reach the EXIT trap.
serve() {
	local log=$1 path=$2 pid
	shift 2
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		"${@//PORT/$port}" >"$log" 2>&1 &
		pid=$!
		pids+=("$pid")
		wait_http "http://127.0.0.1:$port$path" 20 && return 0
		kill "$pid" 2>/dev/null
	done
	return 1
}

# ---------------------------------------------------------- the fleet's boots
# Eleven instances: five on ENA 2.16.0g (probes of 400 to 600 ms), six on
# 2.17.0g (250 to 350 ms); two instance types. Odd boots defer once first.
instances=11
caps=$out/captures
mkdir -p "$caps"
for i in $(seq "$instances"); do
	if [ "$i" -le 5 ]; then v=2.16.0g base=400 spread=200; else v=2.17.0g base=250 spread=100; fi
	if [ $((i % 3)) = 0 ]; then type=c7i.xlarge; else type=m7i.large; fi
	awk -v n="$i" -v boot="$i" -v ena="$v" -v base_ms="$base" -v spread_ms="$spread" -v type="$type" \
		-f "$top/tests/lib/fleet-capture.awk" >"$caps/i-$i.bst"
done
t_captures_parse() {
	for f in "$caps"/*.bst; do
		"$B" show "$f" >/dev/null || return 1
	done
}
case_ captures_parse t_captures_parse

# compare's medians: "VERSION MS" lines, the baseline first.
"$B" compare --format json --group-by version --driver ena "$caps" >"$out/compare.json" 2>"$out/compare.err"
jq -r '.comparisons[0] as $c | ($c.rows[] | select(.metric == "probe ena")) as $r |
	"\($c.a.label) \($r.median_a_ms)", "\($c.b.label) \($r.median_b_ms)"' "$out/compare.json" 2>>"$out/compare.err" |
	sort >"$out/compare.txt"
if [ "$(wc -l <"$out/compare.txt")" = 2 ]; then ok compare_medians; else not_ok compare_medians "$(tail -n 1 "$out/compare.err")"; fi

# same_medians NAME FILE ERRORS: FILE's "VERSION MS" lines equal compare's, to 1 us
# (compare prints its medians to 6 decimals of a ms).
same_medians() {
	local name=$1 got=$2 why
	why=$(sort "$got" | join -a 1 -a 2 -e missing -o 0,1.2,2.2 "$out/compare.txt" - |
		awk '{ if ($2 == "missing" || $3 == "missing" || ($2 - $3) > 0.001 || ($3 - $2) > 0.001) { printf "%s: compare %s, here %s; ", $1, $2, $3; bad = 1 } }
			END { if (NR != 2) printf "%d versions, not 2; ", NR; exit bad || NR != 2 }')
	if [ $? = 0 ] && [ -s "$got" ]; then ok "$name"; else not_ok "$name" "${why:-no answer: $(tail -n 1 "$3")}"; fi
}

# ---------------------------------------------------------- Prometheus
# Each instance's textfile directory holds what save --prom-dir writes:
# bootstamps prom of its capture, as bootstamps.prom.
t_save_prom_dir() {
	local d=$out/save
	mkdir -p "$d/archive" "$d/textfile"
	"$B" save --from "$caps/i-1.bst" --dir "$d/archive" --no-units --quiet --prom-dir "$d/textfile" || return 1
	"$B" prom "$d"/archive/*.bst | cmp - "$d/textfile/bootstamps.prom" || { echo "bootstamps.prom is not prom's output"; return 1; }
	# No temporary left beside it for the collector to find.
	[ "$(find "$d/textfile" -mindepth 1 | wc -l)" = 1 ] || { echo "left behind: $(ls -A "$d/textfile")"; return 1; }
}
case_ save_prom_dir_writes_prom t_save_prom_dir

targets=()
started=1
for i in $(seq "$instances"); do
	mkdir -p "$out/ne-$i"
	"$B" prom -o "$out/ne-$i/bootstamps.prom" "$caps/i-$i.bst" || { started=0; break; }
	serve "$out/ne-$i.log" /metrics "$NE" --web.listen-address=127.0.0.1:PORT \
		--collector.disable-defaults --collector.textfile --collector.textfile.directory="$out/ne-$i" || { started=0; break; }
	targets+=("127.0.0.1:$port")
done
if [ "$started" = 1 ]; then ok "node_exporters_started ($instances)"; else not_ok node_exporters_started "$(tail -n 1 "$out/ne-$i.log")"; fi
t_textfile_read() {
	local m
	m=$(curl -fsS "http://${targets[0]}/metrics") || return 1
	grep -q '^node_textfile_scrape_error 0$' <<<"$m" || { echo "textfile collector: $(grep node_textfile_scrape_error <<<"$m")"; return 1; }
	grep -q '^bootstamps_driver_probe_seconds{driver="ena"}' <<<"$m" || { echo "no ENA series"; return 1; }
}
[ "$started" = 1 ] && case_ node_exporter_reads_textfile t_textfile_read

{
	echo "global:"
	echo "  scrape_interval: 1s"
	echo "  evaluation_interval: 1s"
	echo "scrape_configs:"
	echo "  - job_name: bootstamps"
	echo "    static_configs:"
	echo "      - targets: [$(IFS=,; echo "${targets[*]}")]"
} >"$out/prometheus.yml"
pport=
if [ "$started" = 1 ]; then
	if serve "$out/prometheus.log" /-/ready "$PROM" --config.file="$out/prometheus.yml" \
		--storage.tsdb.path="$out/prom-data" --web.listen-address=127.0.0.1:PORT; then
		pport=$port
		ok prometheus_started
	else
		not_ok prometheus_started "$(tail -n 1 "$out/prometheus.log")"
	fi
fi
api=http://127.0.0.1:$pport/api/v1
query() { curl -fsS "$api/query" --data-urlencode "query=$1"; }

# Until every instance's ENA series has been scraped (a few scrape intervals).
t_scraped() {
	local i n
	for i in $(seq 60); do
		n=$(query 'count(bootstamps_driver_probe_seconds{driver="ena"})' | jq -r '.data.result[0].value[1] // 0')
		[ "$n" = "$instances" ] && return 0
		sleep 0.5
	done
	echo "prometheus has $n of $instances instances' ENA series"
	return 1
}
if [ -n "$pport" ]; then
	case_ prometheus_scraped_all t_scraped
	# docs/fleet.md's PromQL: the probe time, labelled with the version of
	# the code that ran it from bootstamps_driver_info, then the median.
	promql='quantile by (version) (0.5,
  bootstamps_driver_probe_seconds{driver="ena"}
  * on (job, instance, driver) group_left (version)
  bootstamps_driver_info{driver="ena"})'
	query "$promql" >"$out/promql.json" 2>"$out/promql.err"
	jq -r '.data.result[] | "\(.metric.version) \(.value[1] | tonumber * 1000)"' "$out/promql.json" >"$out/promql.txt" 2>>"$out/promql.err"
	same_medians promql_median_equals_compare "$out/promql.txt" "$out/promql.err"

	# Cardinality: no boot id, host name or device among the label values,
	# and a fixed number of series per instance.
	t_cardinality() {
		local series ids
		curl -fsS "$api/series" --data-urlencode 'match[]={__name__=~"bootstamps_.*"}' >"$out/series.json" || return 1
		ids=$(sed -n 's/^# saved boot_id=\([^ ]*\).*/\1/p' "$caps"/*.bst)
		if jq -r '.data[][]' "$out/series.json" | grep -F -x -e "$ids" -e 0000:00:05.0 -e ip-10-0-0-1; then
			echo "a per-boot or per-device value is a label value"
			return 1
		fi
		series=$(jq '.data | length' "$out/series.json")
		per=$(jq '[.data[] | select(.instance == "'"${targets[0]}"'")] | length' "$out/series.json")
		[ "$series" = $((per * instances)) ] || { echo "$series series, not $instances x $per"; return 1; }
		echo "$per series per instance" >"$out/per_instance.txt"
	}
	case_ prometheus_series_bounded t_cardinality
	# A reboot replaces the file: the instance's series are the same ones.
	t_reboot_adds_no_series() {
		local before after i
		before=$(jq '.data | length' "$out/series.json")
		awk -v n=1 -v boot=2 -v ena=2.16.0g -v base_ms=400 -v spread_ms=200 -v type=m7i.large \
			-f "$top/tests/lib/fleet-capture.awk" >"$out/i-1-boot2.bst"
		"$B" prom -o "$out/ne-1/bootstamps.prom" "$out/i-1-boot2.bst" || return 1
		want=$("$B" export "$out/i-1-boot2.bst" | jq '.drivers[] | select(.driver == "ena") | .attempts')
		for i in $(seq 40); do
			got=$(query "bootstamps_driver_probe_attempts{driver=\"ena\",instance=\"${targets[0]}\"}" | jq -r '.data.result[0].value[1]')
			[ "$got" = "$want" ] && break
			sleep 0.5
		done
		[ "$got" = "$want" ] || { echo "the second boot was not scraped ($got attempts, want $want)"; return 1; }
		after=$(curl -fsS "$api/series" --data-urlencode 'match[]={__name__=~"bootstamps_.*"}' | jq '.data | length')
		[ "$before" = "$after" ] || { echo "$before series before the reboot, $after after"; return 1; }
	}
	case_ prometheus_reboot_adds_no_series t_reboot_adds_no_series
else
	for c in prometheus_scraped_all promql_median_equals_compare prometheus_series_bounded prometheus_reboot_adds_no_series; do
		not_ok "$c" "no prometheus"
	done
fi
stop_servers

# ---------------------------------------------------------- SQL over JSON lines
# Appended boot by boot, as instances would each add their record.
rm -f "$out/boots.jsonl"
t_export_append() {
	local f
	for f in "$caps"/*.bst; do
		"$B" export -o "$out/boots.jsonl" --append "$f" || return 1
	done
	[ "$(wc -l <"$out/boots.jsonl")" = "$instances" ] || { echo "$(wc -l <"$out/boots.jsonl") lines"; return 1; }
	"$B" export "$caps" | cmp - "$out/boots.jsonl" || { echo "the archive's export differs from the appended records"; return 1; }
	jq -e -s 'all(.[]; .schema == "bootstamps.boot/1")' "$out/boots.jsonl" >/dev/null || { echo "schema"; return 1; }
}
case_ export_append_one_line_per_boot t_export_append

# docs/fleet.md's SQL for sqlite3: each boot once (by boot_id), ENA's total
# probe time per boot, the median per version (the mean of the middle two
# of an even count, as compare and PromQL's quantile take it).
cat >"$out/median.sql" <<'EOF'
WITH boot AS (
  SELECT json_extract(rec, '$.boot_id') AS boot_id, min(rec) AS rec
  FROM boots GROUP BY 1
), ena AS (
  SELECT json_extract(d.value, '$.version_label') AS version,
         json_extract(d.value, '$.total_ms') AS ms
  FROM boot, json_each(boot.rec, '$.drivers') AS d
  WHERE json_extract(d.value, '$.driver') = 'ena'
), ranked AS (
  SELECT version, ms,
         row_number() OVER (PARTITION BY version ORDER BY ms) AS i,
         count(*) OVER (PARTITION BY version) AS n
  FROM ena
)
SELECT version, avg(ms) FROM ranked
WHERE i IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY version ORDER BY version;
EOF
sqlite3 -batch "$out/boots.db" "CREATE TABLE boots(rec TEXT);" ".mode ascii" ".separator \"\\037\" \"\\n\"" \
	".import $out/boots.jsonl boots" ".mode list" ".separator \" \"" ".read $out/median.sql" >"$out/sql.txt" 2>"$out/sql.err"
same_medians sql_median_equals_compare "$out/sql.txt" "$out/sql.err"

finish
