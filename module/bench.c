// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark mode, built only with `make ... BST_BENCH=1` (tests/bench/):
 * reading /sys/kernel/debug/bootstamps-bench runs each measurement in the
 * kernel and prints "name ns_per_op" lines:
 *   floor   one ktime_get_boottime_ns() + local_clock() pair, the least
 *           any timestamp with both clocks can cost
 *   record  one event recorded: claim, stamp, fill, publish (the store is
 *           rewound between rounds, so every event is really kept)
 *   printk  one printk of a probe line, what initcall_debug pays per probe
 */
/* pr_debug() below is on by default: a KERN_DEBUG printk, as initcall_debug. */
#define DEBUG
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>

#include "bootstamps.h"

#define BST_BENCH_OPS		1000000
#define BST_BENCH_PRINTK_OPS	20000

static struct dentry *bst_bench_file;

static u64 bst_bench_floor(void)
{
	u64 t0 = ktime_get_ns(), sink = 0;
	u32 i;

	for (i = 0; i < BST_BENCH_OPS; i++)
		sink += ktime_get_boottime_ns() + local_clock();
	/* Keep the loop: its result is used. */
	if (sink == 1)
		pr_info("bench: %llu\n", sink);
	return (ktime_get_ns() - t0) * 1000 / BST_BENCH_OPS;
}

static u64 bst_bench_record(void)
{
	u32 i, done = 0, cap = bst_store_capacity();
	u64 t = 0;

	while (done < BST_BENCH_OPS) {
		u32 n = min(cap, BST_BENCH_OPS - done);
		u64 t0;

		bst_store_rewind();
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++) {
			struct bst_event *ev = bst_store_reserve(BST_EV_MARK);

			if (!ev)
				break;
			strscpy(ev->text, "bench", sizeof(ev->text));
			bst_store_commit(ev);
		}
		t += ktime_get_ns() - t0;
		done += n;
	}
	bst_store_rewind();
	return t * 1000 / BST_BENCH_OPS;
}

static u64 bst_bench_printk(void)
{
	u64 t0 = ktime_get_ns();
	u32 i;

	for (i = 0; i < BST_BENCH_PRINTK_OPS; i++)
		pr_debug("probe of %s returned %d after %lld usecs\n",
			 "0000:00:06.0", 0, (long long)i);
	return (ktime_get_ns() - t0) * 1000 / BST_BENCH_PRINTK_OPS;
}

/* The best of three rounds: the least disturbed by the rest of the VM. */
static u64 bst_bench_best(u64 (*fn)(void))
{
	u64 best = U64_MAX;
	int i;

	for (i = 0; i < 3; i++)
		best = min(best, fn());
	return best;
}

/* Times are in ns per operation, times 1000 (three decimals). */
static int bst_bench_show(struct seq_file *m, void *v)
{
	u64 floor = bst_bench_best(bst_bench_floor);
	u64 record = bst_bench_best(bst_bench_record);
	u64 print = bst_bench_best(bst_bench_printk);

	seq_printf(m, "floor_ns %llu.%03llu\n", floor / 1000, floor % 1000);
	seq_printf(m, "record_ns %llu.%03llu\n", record / 1000, record % 1000);
	seq_printf(m, "printk_ns %llu.%03llu\n", print / 1000, print % 1000);
	seq_printf(m, "event_bytes %zu\n", sizeof(struct bst_event));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bst_bench);

void bst_bench_init(void)
{
	bst_bench_file = debugfs_create_file("bootstamps-bench", 0400, NULL,
					     NULL, &bst_bench_fops);
}

void bst_bench_exit(void)
{
	debugfs_remove(bst_bench_file);
}
