/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place in bootstamps that knows kernel versions. Everything else
 * is written against the newest API; older kernels get it from here.
 */
#ifndef _BST_COMPAT_H
#define _BST_COMPAT_H

#include <linux/version.h>
#include <linux/types.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/kmsg_dump.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/xarray.h>

/* Keep in step with BUILD_EXCLUSIVE_KERNEL in dkms.conf and the README. */
#if KERNEL_VERSION(5, 10, 0) > LINUX_VERSION_CODE
#error "bootstamps requires Linux 5.10 or newer"
#endif
#if KERNEL_VERSION(8, 0, 0) <= LINUX_VERSION_CODE
#error "bootstamps has not been ported to Linux 8.x yet"
#endif

/*
 * Turn the return value of really_probe() (and of the fallback probe
 * symbols, which pass it through) into the driver's own errno.
 *
 * 5.10: 1 = bound, 0 = the driver's probe failed (its errno is swallowed),
 *       < 0 = not attempted (deferred, supplier links).
 * 5.14+ ("driver core: Better distinguish probe errors in really_probe"):
 *       0 = bound, > 0 = the driver's errno negated, < 0 = not attempted.
 *       5.11 to 5.13 are end-of-life and untested here.
 *
 * Returns false when the errno cannot be known (5.10's swallowed failure).
 */
static inline bool bst_compat_probe_rc(long ret, int *rc)
{
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
	if (ret == 1) {
		*rc = 0;
		return true;
	}
	if (ret == 0)
		return false;
	*rc = (int)ret;
	return true;
#else
	*rc = ret > 0 ? (int)-ret : (int)ret;
	return true;
#endif
}

/*
 * Tracepoint probe prototypes. A tracepoint calls its probes with its own
 * arguments, whatever a probe's prototype says: a mismatch reads garbage,
 * and kCFI kernels trap on the call. BST_TP() (bootstamps.h) checks each
 * probe against <trace/events/...h> and stops the build on a mismatch, so
 * a wrong line here cannot reach a running kernel.
 *
 * block_rq_issue's request_queue argument is gone in Debian's 5.10.223
 * already, so a version cannot tell: Kbuild reads the kernel's own header
 * and defines BST_HAVE_RQ_ISSUE_QUEUE.
 */
#ifdef BST_HAVE_RQ_ISSUE_QUEUE
#define BST_TP_RQ_ISSUE_ARGS	void *data, struct request_queue *q, \
				struct request *rq
#else
#define BST_TP_RQ_ISSUE_ARGS	void *data, struct request *rq
#endif

/*
 * block_rq_complete's error is the errno until 5.15 and the blk_status_t
 * itself from 5.16 ("block: don't call blk_status_to_errno in
 * blk_update_request"). Returns the request's completion status as an
 * errno either way.
 */
#if KERNEL_VERSION(5, 16, 0) > LINUX_VERSION_CODE
#define BST_TP_RQ_COMPLETE_ARGS	void *data, struct request *rq, int error, \
				unsigned int nr_bytes
static inline int bst_compat_rq_errno(int error)
{
	return error;
}
#else
#define BST_TP_RQ_COMPLETE_ARGS	void *data, struct request *rq, \
				blk_status_t error, unsigned int nr_bytes
static inline int bst_compat_rq_errno(blk_status_t error)
{
	return blk_status_to_errno(error);
}
#endif

/*
 * sched_process_exit gained group_dead in 6.16 ("sched/tracepoints: Move
 * and extend the sched_process_exit() tracepoint"). sched_process_exec is
 * (p, old_pid, bprm) from 5.10 to 7.x.
 */
#if KERNEL_VERSION(6, 16, 0) > LINUX_VERSION_CODE
#define BST_TP_PROCESS_EXIT_ARGS	void *data, struct task_struct *p
#else
#define BST_TP_PROCESS_EXIT_ARGS	void *data, struct task_struct *p, \
					bool group_dead
#endif

/* The kretprobe an instance belongs to (Kbuild greps kprobes.h for it). */
static inline struct kretprobe *
bst_compat_get_kretprobe(struct kretprobe_instance *ri)
{
#ifdef BST_HAVE_GET_KRETPROBE
	return get_kretprobe(ri);
#else
	return ri->rp;
#endif
}

/* The disk a request is for: rq->rq_disk until 5.15 added q->disk. */
static inline struct gendisk *bst_compat_rq_disk(struct request *rq)
{
#if KERNEL_VERSION(5, 15, 0) > LINUX_VERSION_CODE
	return rq->rq_disk;
#else
	return rq->q->disk;
#endif
}

/*
 * block_bio_queue lost its request_queue argument in 5.11 ("block: remove
 * the request_queue argument to the block_bio tracepoints"); Debian's
 * 5.10.223 still has it. BST_TP() proves the choice against the header.
 * block_bio_complete is (q, bio) from 5.10 to 7.x.
 */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
#define BST_TP_BIO_QUEUE_ARGS	void *data, struct request_queue *q, \
				struct bio *bio
#else
#define BST_TP_BIO_QUEUE_ARGS	void *data, struct bio *bio
#endif

/* The disk a bio is for: bio->bi_disk until 5.12 gave bios a bi_bdev. */
static inline struct gendisk *bst_compat_bio_disk(struct bio *bio)
{
#if KERNEL_VERSION(5, 12, 0) > LINUX_VERSION_CODE
	return bio->bi_disk;
#else
	return bio->bi_bdev->bd_disk;
#endif
}

/*
 * The disk bdev_disk_changed() (the partition scan, wherever it runs)
 * scans, from its first argument: the whole disk's block_device until 5.14
 * ("block: pass a gendisk to bdev_disk_changed"), the gendisk from then on.
 */
static inline struct gendisk *bst_compat_scan_disk(unsigned long arg)
{
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
	return ((struct block_device *)arg)->bd_disk;
#else
	return (struct gendisk *)arg;
#endif
}

/*
 * Whether the kernel holds a disk's partition scan back: nvme multipath
 * sets GD_SUPPRESS_PART_SCAN on its disks and scans from a work item once
 * device_add_disk() has returned (6.12, and 6.1.y and 6.6.y); loop keeps it
 * set until losetup -P. The bit is newer than 5.10 and came to some stable
 * kernels with loop's fixes, so its definition is tested, not the version.
 */
static inline bool bst_compat_scan_suppressed(struct gendisk *disk)
{
#ifdef GD_SUPPRESS_PART_SCAN
	return test_bit(GD_SUPPRESS_PART_SCAN, &disk->state);
#else
	return false;
#endif
}

/* device_add_disk() returns an int from 5.15; before, it returned void. */
#if KERNEL_VERSION(5, 15, 0) <= LINUX_VERSION_CODE
#define BST_ADD_DISK_HAS_RC	1
#else
#define BST_ADD_DISK_HAS_RC	0
#endif

/*
 * How many partitions a disk has, for disk.partitions. Safe in atomic
 * context: both walks are RCU-protected. The table became an xarray in
 * 5.14; index 0 is the whole disk.
 */
static inline u32 bst_compat_disk_partitions(struct gendisk *disk)
{
	u32 n = 0;
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
	struct disk_part_tbl *tbl;
	int i;

	rcu_read_lock();
	tbl = rcu_dereference(disk->part_tbl);
	for (i = 1; tbl && i < tbl->len; i++)
		if (rcu_dereference(tbl->part[i]))
			n++;
	rcu_read_unlock();
#else
	struct block_device *part;
	unsigned long idx;

	xa_for_each_start(&disk->part_tbl, idx, part, 1)
		n++;
#endif
	return n;
}

/*
 * Reading the kernel log from a module. 5.13 replaced the dumper, which a
 * reader had to mark active by hand, with a plain iterator.
 */
struct bst_kmsg_iter {
#if KERNEL_VERSION(5, 13, 0) > LINUX_VERSION_CODE
	struct kmsg_dumper dumper;
#else
	struct kmsg_dump_iter iter;
#endif
};

static inline void bst_compat_kmsg_rewind(struct bst_kmsg_iter *it)
{
#if KERNEL_VERSION(5, 13, 0) > LINUX_VERSION_CODE
	memset(&it->dumper, 0, sizeof(it->dumper));
	it->dumper.active = true;
	kmsg_dump_rewind(&it->dumper);
#else
	kmsg_dump_rewind(&it->iter);
#endif
}

/* One record as text ("[    1.234567] message"), false at the end. */
static inline bool bst_compat_kmsg_line(struct bst_kmsg_iter *it, char *buf,
					size_t size, size_t *len)
{
#if KERNEL_VERSION(5, 13, 0) > LINUX_VERSION_CODE
	return kmsg_dump_get_line(&it->dumper, false, buf, size, len);
#else
	return kmsg_dump_get_line(&it->iter, false, buf, size, len);
#endif
}

#endif /* _BST_COMPAT_H */
