// SPDX-License-Identifier: GPL-2.0
/*
 * Block milestones. nvme's and xen-blkfront's probes return before their
 * disks exist, so "the disk is usable" needs events of its own:
 *
 *   disk.add         a driver hands a gendisk to the block layer
 *                    (entry of device_add_disk())
 *   disk.partitions  the partition scan is done and the disk announced
 *                    to userspace (return of device_add_disk(): the scan
 *                    runs inside it, right before the disk's uevent)
 *   disk.first_io    the first request issued to the disk, and when it
 *                    completed (block_rq_issue / block_rq_complete)
 *   fs.mount         a filesystem on a block device is mounted
 *                    (return of vfs_get_tree())
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
/*
 * Without CREATE_TRACE_POINTS this only declares the block tracepoints:
 * BST_TP() checks our probes against them, and nothing is referenced.
 */
#include <trace/events/block.h>

#include "bootstamps.h"
#include "compat.h"

/* ------------------------------------------------------------ first I/O */

/*
 * A slot's life: FREE -> SETUP -> WAITING (its disk was added) -> SETUP ->
 * ISSUED (first request out) -> CLOSING (being recorded) -> DONE, which a
 * later disk may reuse. Whoever moves a slot out of a state owns it until
 * it publishes the next one.
 */
enum {
	BST_IO_FREE, BST_IO_SETUP, BST_IO_WAITING, BST_IO_ISSUED,
	BST_IO_CLOSING, BST_IO_DONE,
};

/*
 * One slot per disk still waiting for its first request. The disk
 * pointer is a key only; it is never dereferenced from here.
 */
struct bst_io_slot {
	atomic_t state;
	struct gendisk *disk;
	struct request *rq;
	u64 boot_ns;
	u64 local_ns;
	u32 pid;
	char comm[TASK_COMM_LEN];
	char name[32];
};

#define BST_IO_SLOTS	64
static struct bst_io_slot bst_io[BST_IO_SLOTS];
/* Slots waiting or issued: the request hooks return at once when 0. */
static atomic_t bst_io_pending = ATOMIC_INIT(0);

static void bst_io_watch(struct gendisk *disk)
{
	int i;

	for (i = 0; i < BST_IO_SLOTS; i++) {
		struct bst_io_slot *s = &bst_io[i];
		int old = atomic_read(&s->state);

		if (old != BST_IO_FREE && old != BST_IO_DONE)
			continue;
		if (atomic_cmpxchg(&s->state, old, BST_IO_SETUP) != old)
			continue;
		s->disk = disk;
		strscpy(s->name, disk->disk_name, sizeof(s->name));
		atomic_inc(&bst_io_pending);
		atomic_set_release(&s->state, BST_IO_WAITING);
		return;
	}
}

static void bst_on_rq_issue(BST_TP_RQ_ISSUE_ARGS)
{
	struct gendisk *disk;
	int i;

	if (!atomic_read(&bst_io_pending))
		return;
	disk = bst_compat_rq_disk(rq);
	for (i = 0; i < BST_IO_SLOTS; i++) {
		struct bst_io_slot *s = &bst_io[i];

		if (atomic_read_acquire(&s->state) != BST_IO_WAITING ||
		    s->disk != disk)
			continue;
		if (atomic_cmpxchg(&s->state, BST_IO_WAITING, BST_IO_SETUP) !=
		    BST_IO_WAITING)
			return;
		s->boot_ns = ktime_get_boottime_ns();
		s->local_ns = local_clock();
		s->rq = rq;
		s->pid = task_pid_nr(current);
		strscpy(s->comm, current->comm, sizeof(s->comm));
		/* The completion may run on another CPU: publish rq first. */
		atomic_set_release(&s->state, BST_IO_ISSUED);
		return;
	}
}

static void bst_on_rq_complete(BST_TP_RQ_COMPLETE_ARGS)
{
	struct bst_event *ev;
	int i;

	if (!atomic_read(&bst_io_pending))
		return;
	for (i = 0; i < BST_IO_SLOTS; i++) {
		struct bst_io_slot *s = &bst_io[i];

		if (atomic_read_acquire(&s->state) != BST_IO_ISSUED ||
		    s->rq != rq)
			continue;
		if (atomic_cmpxchg(&s->state, BST_IO_ISSUED, BST_IO_CLOSING) !=
		    BST_IO_ISSUED)
			return;
		/* The event is the issue; its duration runs to completion. */
		ev = bst_store_reserve_at(BST_EV_DISK_FIRST_IO, s->boot_ns,
					  s->local_ns);
		if (ev) {
			bst_copy(ev->disk.name, s->name, &ev->flags);
			ev->dur_ns = ktime_get_boottime_ns() - s->boot_ns;
			ev->rc = bst_compat_rq_errno(error);
			ev->flags |= BST_F_RC;
			ev->pid = s->pid;
			strscpy(ev->comm, s->comm, sizeof(ev->comm));
			bst_store_commit(ev);
		}
		/* Only now may a new disk take the slot. */
		atomic_set_release(&s->state, BST_IO_DONE);
		atomic_dec(&bst_io_pending);
		return;
	}
}

/* Attached for the module's lifetime; see bst_block_init(). */
static struct bst_tp bst_block_tps[] = {
	BST_TP(block_rq_issue, bst_on_rq_issue),
	BST_TP(block_rq_complete, bst_on_rq_complete),
};

/* ------------------------------------------------------------ add disk */

struct bst_disk_call {
	struct gendisk *disk;
	u64 start_ns;
	u32 start_seq;
	bool hidden;
};

static void bst_disk_parent(struct bst_event *ev, const struct device *parent)
{
	int depth;

	/* nvme's parent is the nvme0 class device; its PCI device probed. */
	for (depth = 0; parent && !parent->driver && depth < 8; depth++)
		parent = parent->parent;
	if (!parent)
		return;
	bst_copy(ev->disk.parent, dev_name(parent), &ev->flags);
	bst_copy(ev->disk.driver, parent->driver->name, &ev->flags);
}

static int bst_add_disk_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct bst_disk_call *call = (struct bst_disk_call *)ri->data;
	struct device *parent = (void *)regs_get_kernel_argument(regs, 0);
	struct gendisk *disk = (void *)regs_get_kernel_argument(regs, 1);
	struct bst_event *ev;

	call->disk = disk;
	call->start_seq = 0;
	call->start_ns = ktime_get_boottime_ns();
	/* nvme multipath's per-path disks (nvme0c0n1) are never used directly. */
	call->hidden = disk->flags & GENHD_FL_HIDDEN;
	if (call->hidden)
		return 0;
	bst_io_watch(disk);
	ev = bst_store_reserve(BST_EV_DISK_ADD);
	if (!ev)
		return 0;
	bst_copy(ev->disk.name, disk->disk_name, &ev->flags);
	bst_disk_parent(ev, parent);
	call->start_ns = ev->boot_ns;
	call->start_seq = bst_store_seq(ev);
	bst_store_commit(ev);
	return 0;
}

static int bst_add_disk_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	const struct bst_disk_call *call = (void *)ri->data;
	struct gendisk *disk = call->disk;
	struct bst_event *ev;

	if (call->hidden)
		return 0;
	ev = bst_store_reserve(BST_EV_DISK_PARTITIONS);
	if (!ev)
		return 0;
	bst_copy(ev->disk.name, disk->disk_name, &ev->flags);
	/* Dynamic numbers (nvme's 259:N) are only assigned inside the call. */
	ev->disk.major = disk->major;
	ev->disk.minor = disk->first_minor;
	ev->disk.count = bst_compat_disk_partitions(disk);
	ev->start_seq = call->start_seq;
	ev->dur_ns = ev->boot_ns - call->start_ns;
	if (BST_ADD_DISK_HAS_RC) {
		ev->rc = (int)regs_return_value(regs);
		ev->flags |= BST_F_RC;
	}
	bst_store_commit(ev);
	return 0;
}

/* device_add_disk() everywhere; 7.x also has add_disk_fwnode() under it. */
static const char * const bst_add_disk_symbols[] = {
	"device_add_disk", "add_disk_fwnode",
};

static struct kretprobe bst_add_disk_krp;
static bool bst_add_disk_on;

/* ------------------------------------------------------------ mounts */

static int bst_get_tree_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	*(struct fs_context **)ri->data =
		(void *)regs_get_kernel_argument(regs, 0);
	return 0;
}

static int bst_get_tree_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct fs_context *fc = *(struct fs_context **)ri->data;
	struct super_block *sb;
	struct bst_event *ev;

	if (regs_return_value(regs) || !fc->root)
		return 0;
	sb = fc->root->d_sb;
	if (!sb->s_bdev)	/* proc, sysfs, tmpfs...: not a milestone */
		return 0;
	ev = bst_store_reserve(BST_EV_FS_MOUNT);
	if (!ev)
		return 0;
	bst_copy(ev->disk.name, sb->s_id, &ev->flags);
	bst_copy(ev->disk.parent, fc->source ? fc->source : "", &ev->flags);
	bst_copy(ev->disk.fstype, sb->s_type->name, &ev->flags);
	ev->disk.major = MAJOR(sb->s_dev);
	ev->disk.minor = MINOR(sb->s_dev);
	bst_store_commit(ev);
	return 0;
}

static struct kretprobe bst_get_tree_krp = {
	.kp.symbol_name = "vfs_get_tree",
	.entry_handler = bst_get_tree_entry,
	.handler = bst_get_tree_return,
	.data_size = sizeof(struct fs_context *),
	.maxactive = 64,
};

static bool bst_get_tree_on;

/* ------------------------------------------------------------ lifetime */

/*
 * The request tracepoints stay attached while the module is loaded, and
 * cost one atomic load per request once every disk has had its first I/O.
 * Detaching then would lose the first I/O of disks added later (hotplug,
 * nvme namespaces scanned late): a probe can only be attached from
 * process context, while new disks are seen from the kretprobe above.
 */
int bst_block_init(struct bst_hook_status *st)
{
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(bst_block_tps); i++) {
		err = bst_tp_attach(&bst_block_tps[i]);
		if (err)
			goto err_tracepoints;
	}
	for (i = 0; i < ARRAY_SIZE(bst_add_disk_symbols); i++) {
		memset(&bst_add_disk_krp, 0, sizeof(bst_add_disk_krp));
		bst_add_disk_krp.kp.symbol_name = bst_add_disk_symbols[i];
		bst_add_disk_krp.entry_handler = bst_add_disk_entry;
		bst_add_disk_krp.handler = bst_add_disk_return;
		bst_add_disk_krp.data_size = sizeof(struct bst_disk_call);
		bst_add_disk_krp.maxactive = 64;
		err = register_kretprobe(&bst_add_disk_krp);
		if (!err)
			break;
	}
	if (err)
		goto err_tracepoints;
	bst_add_disk_on = true;
	/* Mounts are a bonus: the block hook stands without them. */
	bst_get_tree_on = !register_kretprobe(&bst_get_tree_krp);
	snprintf(st->how, sizeof(st->how), "kretprobe:%s%s,tracepoint",
		 bst_add_disk_krp.kp.symbol_name,
		 bst_get_tree_on ? "+vfs_get_tree" : "");
	return 0;

err_tracepoints:
	bst_block_exit();
	return err;
}

void bst_block_exit(void)
{
	size_t i;

	if (bst_get_tree_on)
		unregister_kretprobe(&bst_get_tree_krp);
	bst_get_tree_on = false;
	if (bst_add_disk_on)
		unregister_kretprobe(&bst_add_disk_krp);
	bst_add_disk_on = false;
	for (i = 0; i < ARRAY_SIZE(bst_block_tps); i++)
		bst_tp_detach(&bst_block_tps[i]);
	bst_tp_sync();
}
