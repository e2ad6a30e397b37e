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
 * Tracepoint probe prototypes. A probe's prototype must match the
 * tracepoint's exactly: a mismatch reads garbage (kCFI kernels refuse the
 * call). block_rq_issue's request_queue argument is gone in Debian's
 * 5.10.223 already, so a version check cannot tell: Kbuild greps the
 * kernel's own header and defines BST_HAVE_RQ_ISSUE_QUEUE. block_rq_complete's
 * error is an int on 5.10 and a blk_status_t on 6.1 (kernels in between
 * are untested). sched_process_exec/exit are unchanged from 5.10 to 6.12.
 */
#ifdef BST_HAVE_RQ_ISSUE_QUEUE
#define BST_TP_RQ_ISSUE_ARGS	void *data, struct request_queue *q, \
				struct request *rq
#else
#define BST_TP_RQ_ISSUE_ARGS	void *data, struct request *rq
#endif
#if KERNEL_VERSION(6, 0, 0) > LINUX_VERSION_CODE
#define BST_TP_RQ_COMPLETE_ARGS	void *data, struct request *rq, int error, \
				unsigned int nr_bytes
#else
#define BST_TP_RQ_COMPLETE_ARGS	void *data, struct request *rq, \
				blk_status_t error, unsigned int nr_bytes
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

/* A request's completion status as an errno (5.10 passes one already). */
#if KERNEL_VERSION(6, 0, 0) > LINUX_VERSION_CODE
static inline int bst_compat_rq_errno(int error)
{
	return error;
}
#else
static inline int bst_compat_rq_errno(blk_status_t error)
{
	return blk_status_to_errno(error);
}
#endif

/* The disk a request is for: rq->rq_disk until 5.15 added q->disk. */
static inline struct gendisk *bst_compat_rq_disk(struct request *rq)
{
#if KERNEL_VERSION(5, 15, 0) > LINUX_VERSION_CODE
	return rq->rq_disk;
#else
	return rq->q->disk;
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
