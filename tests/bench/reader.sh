#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# usage: tests/bench/reader.sh   (part of `make bench`; BST_WORK=DIR to work elsewhere)
#
# Benchmarks of the reader against issue 14's point 3: on captures shaped like
# real ones (tests/bench/gen_capture.c: kernel-log backfill, async probes,
# ENA's deferred attempts with steps inside them) of 10k, 100k and 1M events,
# `show` in each format, `plot`, `trace` and `prom`; then `compare` of 1000
# such captures of two driver versions. Reports wall time (best of 3) and peak
# RSS (GNU time's %M) next to the targets, and how time grows from 100k to 1M
# (10x more events: a growth near 10 is linear, near 100 quadratic). Writes the
# reader's section of docs/performance.md to $work/reader.md (run.sh puts it in).
#
# A benchmark, not a test: it never fails on speed. Every run is capped at
# $BENCH_CAP seconds (default 180) and reported as "> 180 s" past it. It does
# fail (exit 1) when a command exits non-zero on one of these valid captures:
# that is a bug.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${BST_WORK:-/tmp/bootstamps-work}/bench
cap=${BENCH_CAP:-180}
caps=$work/reader-captures
rm -rf "$caps" "$work/reader-build"
mkdir -p "$caps/versions" "$caps/A" "$caps/B"
make -C "$top/userspace" OBJDIR="$work/reader-build" >/dev/null
B=$work/reader-build/bootstamps
gen=$work/reader-build/gen_capture
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$gen" "$top/tests/bench/gen_capture.c"
[ -x /usr/bin/time ] || { echo "$0: needs GNU time (Debian package time)" >&2; exit 1; }

failures=()

# run LABEL CMD...: one capped run; sets run_s (wall seconds), run_kb, run_rc.
run() {
	local label=$1 t0 t1
	shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%M %x' -o "$work/time" timeout "$cap" "$@" >/dev/null 2>"$work/stderr" || true
	t1=$(date +%s%N)
	run_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
	# GNU time prints "Command exited with non-zero status N" first then.
	read -r run_kb run_rc < <(tail -n 1 "$work/time")
	if [ "$run_rc" != 0 ] && [ "$run_rc" != 124 ]; then
		failures+=("$label: exit $run_rc: $(head -c 300 "$work/stderr")")
	fi
}

# best LABEL CMD...: best of 3 wall times, the largest peak RSS; sets best_s
# ("" past the cap), best_kb, best_rc. A run past the cap is not repeated,
# nor is one of more than 20 s (noise does not matter at that length).
best() {
	local label=$1 i
	shift
	best_s="" best_kb=0 best_rc=0
	for i in 1 2 3; do
		run "$label" "$@"
		[ "$run_kb" -gt "$best_kb" ] && best_kb=$run_kb
		if [ "$run_rc" != 0 ]; then
			best_rc=$run_rc
			[ "$run_rc" = 124 ] && best_s=""
			return
		fi
		if [ -z "$best_s" ] || awk -v a="$run_s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
			best_s=$run_s
		fi
		awk -v a="$run_s" 'BEGIN { exit !(a > 20) }' && return
	done
	return 0
}

fmt_time() {	# seconds, or "" for past the cap, or an exit status
	if [ "$2" = 124 ]; then
		echo "> $cap s"
	elif [ "$2" != 0 ]; then
		echo "exit $2"
	else
		awk -v s="$1" 'BEGIN { if (s < 10) printf "%.0f ms", s * 1000; else printf "%.1f s", s }'
	fi
}
fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }

# The floor: what starting a process through time and timeout costs here.
best floor /bin/true
floor_ms=$(awk -v s="$best_s" 'BEGIN { printf "%.1f", s * 1000 }')

sizes="10000 100000 1000000"
for n in $sizes; do
	"$gen" -n "$n" -s 1 -V 1.0.0 -j 0.05 >"$caps/$n.txt"
done
steps=$(grep -c ' fn\.start ' "$caps/100000.txt" || true)
probes=$(grep -c ' probe\.end ' "$caps/100000.txt" || true)
mb_1m=$(du -m "$caps/1000000.txt" | cut -f1)

commands=("show" "show --format json" "show --format csv" "plot" "trace" "prom")
declare -A T R C
for c in "${commands[@]}"; do
	for n in $sizes; do
		# The 1M-event capture (144 MB) is past the default input limit.
		# shellcheck disable=SC2086 # $c is the command and its options
		best "$c $n" "$B" $c --max-size 1G "$caps/$n.txt"
		T[$c,$n]=$best_s C[$c,$n]=$best_rc R[$c,$n]=$best_kb
	done
done

# compare: 1000 boots, 500 of each driver version, seeds differ, jitter 10%.
for i in $(seq 1 500); do
	"$gen" -n 300 -s "$i" -V 1.0.0 -j 0.1 -b >"$caps/A/$i.bst"
	"$gen" -n 300 -s $((i + 500)) -V 2.0.0 -j 0.1 -b >"$caps/B/$i.bst"
	ln -s "../A/$i.bst" "$caps/versions/a$i.bst"
	ln -s "../B/$i.bst" "$caps/versions/b$i.bst"
done
# Metrics one boot gives compare (phases, milestones, drivers, steps): the
# rows of comparing it with a boot of the other group (one boot is never
# compared with itself). Sampled.
metrics_min=
for i in $(seq 1 50 500); do
	m=$("$B" compare --format json "$caps/A/$i.bst" --vs "$caps/B/$i.bst" | grep -o '"metric":' | wc -l)
	if [ -z "$metrics_min" ] || [ "$m" -lt "$metrics_min" ]; then
		metrics_min=$m
	fi
done
best "compare --group-by" "$B" compare --group-by version --driver ena "$caps/versions"
cmp1_s=$best_s cmp1_rc=$best_rc cmp1_kb=$best_kb
best "compare --vs" "$B" compare "$caps/A" --vs "$caps/B"
cmp2_s=$best_s cmp2_rc=$best_rc cmp2_kb=$best_kb

growth() {	# time at 1M / time at 100k
	local c=$1
	if [ "${C[$c,100000]}" != 0 ]; then
		echo "-"
	elif [ "${C[$c,1000000]}" = 124 ]; then
		awk -v a="$cap" -v b="${T[$c,100000]}" 'BEGIN { printf "> %.0fx", a / b }'
	elif [ "${C[$c,1000000]}" != 0 ]; then
		echo "-"
	else
		awk -v a="${T[$c,1000000]}" -v b="${T[$c,100000]}" 'BEGIN { printf "%.1fx", a / b }'
	fi
}
rss_1m() {
	if [ "${C[$1,1000000]}" = 124 ]; then
		echo "> $(fmt_mb "${R[$1,1000000]}") (stopped)"
	else
		fmt_mb "${R[$1,1000000]}"
	fi
}

machine="$(nproc) cores, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n 1), $(uname -r)"
load=$(cut -d' ' -f1-3 /proc/loadavg)
# The reader's own last change, not HEAD: commits elsewhere do not change it.
rev=$(git -C "$top" log -1 --format=%h -- userspace 2>/dev/null || echo unknown)
[ -n "$rev" ] || rev=unknown
# shellcheck disable=SC2016 # the backquotes are markdown's
{
	echo "| command | 10k events | 100k | 1M | growth 1M / 100k | peak RSS at 1M |"
	echo "|---|---|---|---|---|---|"
	for c in "${commands[@]}"; do
		printf '| `%s` | %s | %s | %s | %s | %s |\n' "$c" \
			"$(fmt_time "${T[$c,10000]}" "${C[$c,10000]}")" \
			"$(fmt_time "${T[$c,100000]}" "${C[$c,100000]}")" \
			"$(fmt_time "${T[$c,1000000]}" "${C[$c,1000000]}")" \
			"$(growth "$c")" "$(rss_1m "$c")"
	done
	echo "| target | | <= 100 ms | <= 1 s | 10x (linear) | <= 400 MB |"
	echo
	echo "| command | 1000 captures | peak RSS | target |"
	echo "|---|---|---|---|"
	printf '| `compare --group-by version --driver ena` | %s | %s | <= 1 s |\n' \
		"$(fmt_time "$cmp1_s" "$cmp1_rc")" "$(fmt_mb "$cmp1_kb")"
	printf '| `compare A/ --vs B/` (500 + 500) | %s | %s | <= 1 s |\n' \
		"$(fmt_time "$cmp2_s" "$cmp2_rc")" "$(fmt_mb "$cmp2_kb")"
	echo
	cat <<EOT
Captures from \`tests/bench/gen_capture.c\` (seed 1): at 100k events, $probes probe spans and $steps timed
steps inside them (ENA's deferred attempts); the 1M-event file is $mb_1m MB. The compare set is 1000
captures of 300 events (driver \`ena\` 1.0.0 and 2.0.0, 500 each, 10% per-boot jitter), each giving
compare at least $metrics_min metrics (phases, milestones, drivers, steps; sampled every 50th).
Wall-clock time, best of 3 (runs over 20 s once), each run capped at $cap s; starting a process this
way costs $floor_ms ms here, included in every figure. Peak RSS is GNU time's \`%M\`.

Measured by \`tests/bench/reader.sh\` (the reader as of commit $rev) on $(date -u +%Y-%m-%d): $machine; load average $load
at the end.
EOT
} >"$work/reader.md"
cat "$work/reader.md"

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "$0: commands failed on valid captures (a bug):" >&2
	printf '  %s\n' "${failures[@]}" >&2
	exit 1
fi
