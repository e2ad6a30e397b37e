// SPDX-License-Identifier: GPL-2.0
/*
 * bootstamps: timestamps for driver probes, module loads and userspace
 * markers, read from /proc/bootstamps. See docs/format.md.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>

#include "bootstamps.h"
#include "compat.h"

/* 4096 records of 256 bytes: 1 MiB, enough for a cloud instance's boot. */
#define BST_CAPACITY_DEFAULT	4096
#define BST_CAPACITY_MAX	262144U	/* 64 MiB of events */
#define BST_MARK_QUOTA_DEFAULT	256

static unsigned int capacity = BST_CAPACITY_DEFAULT;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity, "Events kept (default 4096, max 262144); later ones are counted as dropped");

static unsigned int mark_quota = BST_MARK_QUOTA_DEFAULT;
module_param(mark_quota, uint, 0444);
MODULE_PARM_DESC(mark_quota, "Most userspace markers kept (default 256), so they cannot crowd out kernel events");

static char *probe_hook = "auto";
module_param(probe_hook, charp, 0444);
MODULE_PARM_DESC(probe_hook, "How to time probes: auto (kretprobe, else bus notifiers), kretprobe, notifier, off");

static u64 bst_load_boot;
static s64 bst_load_offset;

static struct bst_hook_status bst_hooks[] = {
	{ .name = "probe" },
	{ .name = "module" },
	{ .name = "mark" },
	{ .name = "block" },
	{ .name = "net" },
	{ .name = "exec" },
	{ .name = "kmsg" },
	{ .name = "spans" },
};

enum {
	BST_HOOK_PROBE, BST_HOOK_MODULE, BST_HOOK_MARK, BST_HOOK_BLOCK,
	BST_HOOK_NET, BST_HOOK_EXEC, BST_HOOK_KMSG, BST_HOOK_SPANS,
};

u64 bst_load_boot_ns(void)
{
	return bst_load_boot;
}

s64 bst_load_local_offset_ns(void)
{
	return bst_load_offset;
}

/* "# hooks probe=kretprobe:really_probe module=notifier mark=proc" */
void bst_hooks_show(struct seq_file *m)
{
	size_t i;

	seq_puts(m, "# hooks");
	for (i = 0; i < ARRAY_SIZE(bst_hooks); i++) {
		if (bst_hooks[i].err == -ECANCELED)	/* probe_hook=off */
			seq_printf(m, " %s=off:disabled", bst_hooks[i].name);
		else if (bst_hooks[i].err)
			seq_printf(m, " %s=off:%d", bst_hooks[i].name,
				   bst_hooks[i].err);
		else
			seq_printf(m, " %s=%s", bst_hooks[i].name,
				   bst_hooks[i].how);
	}
	seq_putc(m, '\n');
}

static int __init bst_params_check(void)
{
	if (capacity == 0 || capacity > BST_CAPACITY_MAX) {
		pr_err("capacity=%u is out of range 1..%u\n", capacity,
		       BST_CAPACITY_MAX);
		return -EINVAL;
	}
	/* Markers may never take more than half the store. */
	if (mark_quota > capacity / 2) {
		pr_notice("mark_quota=%u clamped to %u, half of capacity=%u\n",
			  mark_quota, capacity / 2, capacity);
		mark_quota = capacity / 2;
	}
	if (strcmp(probe_hook, "auto") && strcmp(probe_hook, "kretprobe") &&
	    strcmp(probe_hook, "notifier") && strcmp(probe_hook, "off")) {
		pr_err("probe_hook=%s is not one of auto, kretprobe, notifier, off\n",
		       probe_hook);
		return -EINVAL;
	}
	return 0;
}

/* Our own load, so a reader can tell what the store could have seen. */
static void __init bst_record_self(void)
{
	struct bst_event *ev = bst_store_reserve(BST_EV_MODULE_LIVE);

	if (!ev)
		return;
	strscpy(ev->id.subject, THIS_MODULE->name, sizeof(ev->id.subject));
	strscpy(ev->id.version, BST_VERSION, sizeof(ev->id.version));
	bst_copy(ev->id.srcversion, THIS_MODULE->srcversion, &ev->flags);
	ev->flags |= BST_F_SELF;
	bst_store_commit(ev);
}

static int __init bst_init(void)
{
	char off[96] = "";
	u64 local;
	size_t i;
	int ret;

	ret = bst_params_check();
	if (ret)
		goto err_params;

	bst_clock_pair(&bst_load_boot, &local);
	bst_load_offset = (s64)(local - bst_load_boot);

	ret = bst_store_init(capacity, mark_quota);
	if (ret) {
		pr_err("cannot allocate %u events: %d\n", capacity, ret);
		goto err_params;
	}
	ret = bst_procfs_init();
	if (ret) {
		pr_err("cannot create /proc/bootstamps: %d\n", ret);
		goto err_procfs;
	}
	strscpy(bst_hooks[BST_HOOK_MARK].how, "proc",
		sizeof(bst_hooks[BST_HOOK_MARK].how));

	/* No hook is required: one that cannot attach is shown as off. */
	bst_hooks[BST_HOOK_MODULE].err =
		bst_modules_init(&bst_hooks[BST_HOOK_MODULE]);
	bst_hooks[BST_HOOK_PROBE].err =
		bst_probes_init(probe_hook, &bst_hooks[BST_HOOK_PROBE]);
	bst_hooks[BST_HOOK_BLOCK].err =
		bst_block_init(&bst_hooks[BST_HOOK_BLOCK]);
	bst_hooks[BST_HOOK_NET].err = bst_net_init(&bst_hooks[BST_HOOK_NET]);
	bst_hooks[BST_HOOK_EXEC].err =
		bst_exec_init(&bst_hooks[BST_HOOK_EXEC]);
	bst_hooks[BST_HOOK_SPANS].err =
		bst_spans_init(&bst_hooks[BST_HOOK_SPANS]);
	/* Last: the log up to now is what the live hooks did not see. */
	bst_kmsg_init(&bst_hooks[BST_HOOK_KMSG]);
	/* After the hooks it may detach. */
	bst_window_init();

	for (i = 0; i < ARRAY_SIZE(bst_hooks); i++)
		if (bst_hooks[i].err)
			scnprintf(off + strlen(off), sizeof(off) - strlen(off),
				  " %s (%d)", bst_hooks[i].name,
				  bst_hooks[i].err);
	if (off[0])
		pr_warn("hooks off:%s; their events will be missing\n", off);

	bst_record_self();
	bst_bench_init();
	pr_info("%s loaded, %u events\n", BST_VERSION, capacity);
	return 0;

err_procfs:
	bst_store_exit();
err_params:
	/* The track= list was made when the parameters were parsed. */
	bst_exec_exit();
	return ret;
}

/* Hooks first (waiting for their handlers), then the file, then memory. */
static void __exit bst_exit(void)
{
	/* First: its work detaches hooks, and must not run behind us. */
	bst_window_exit();
	bst_bench_exit();
	bst_kmsg_exit();
	if (!bst_hooks[BST_HOOK_SPANS].err)
		bst_spans_exit();
	/* Also frees the track= list, which exists even with the hook off. */
	bst_exec_exit();
	if (!bst_hooks[BST_HOOK_NET].err)
		bst_net_exit();
	if (!bst_hooks[BST_HOOK_BLOCK].err)
		bst_block_exit();
	bst_probes_exit();
	if (!bst_hooks[BST_HOOK_MODULE].err)
		bst_modules_exit();
	bst_procfs_exit();
	bst_store_exit();
}

module_init(bst_init);
module_exit(bst_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("bootstamps developers");
MODULE_DESCRIPTION("Timestamps for driver probes, module loads and boot markers in /proc/bootstamps");
MODULE_VERSION(BST_VERSION);
