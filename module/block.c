// SPDX-License-Identifier: GPL-2.0
/*
 * Block milestones. nvme's and xen-blkfront's probes return before their
 * disks exist, so "the disk is usable" needs events of its own:
 *
 *   disk.add         a driver hands a gendisk to the block layer
 *                    (entry of device_add_disk())
 *   disk.partitions  the kernel has read the disk's partition table: the
 *                    return of bdev_disk_changed(), where every scan ends.
 *                    The first scan usually runs inside device_add_disk(),
 *                    but not always: nvme multipath scans from a work item
 *                    after it, a disk added empty (loop, nbd, a drive
 *                    without a disc) when its medium comes and it is
 *                    opened, and BLKRRPART or losetup -P at any time. A
 *                    disk the kernel does not scan is done at the return
 *                    of device_add_disk(), which announces it to userspace.
 *   disk.first_io    the disk's first request, issued to completed
 *                    (block_rq_issue / block_rq_complete); for a disk that
 *                    takes bios itself (nvme multipath's nvme0n1, md, dm),
 *                    its first bio (block_bio_queue / block_bio_complete):
 *                    such a disk never has requests of its own
 *   fs.mount         a filesystem on a block device is mounted
 *                    (return of vfs_get_tree())
 */
#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/bitfield.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/hash.h>
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

/* ------------------------------------------------------------ disk slots */

/*
 * One slot per disk bootstamps follows: added while it is loaded, or first
 * seen scanning. The slot says whether its scan was recorded and where its
 * first I/O stands. It is keyed by the gendisk pointer, the only name a
 * request, a bio or a scan gives for its disk (a dynamic dev_t is not even
 * assigned when device_add_disk() starts). A pointer is reused only after
 * its gendisk is freed, which follows del_gendisk(), or a failed
 * device_add_disk(): both release the slot, and every release or claim
 * moves the slot's generation on, so a handler that looked at the slot
 * before cannot act on what it holds now.
 *
 * A disk's slot is one of BST_SLOT_WINDOW places from its hash, so the
 * request hooks look at a few slots, never the whole table or the store.
 * A disk that finds them full takes the place of the one followed
 * longest, preferring one whose first I/O is known: loop and nbd devices,
 * which may wait forever, cannot lock newer disks out.
 */
#define BST_SLOT_BITS		7
#define BST_SLOTS		BIT(BST_SLOT_BITS)
#define BST_SLOT_WINDOW		8

/*
 * A slot's word: its state, what of its scan is recorded, and its
 * generation, changed together with one compare-and-exchange. The states
 * marked "owned" belong to whoever entered them, for a few instructions
 * and without sleeping; the others may be taken by anyone.
 */
enum {
	BST_S_FREE,
	BST_S_CLAIM,	/* being filled in for a disk (owned) */
	BST_S_WAITING,	/* waiting for the disk's first I/O */
	BST_S_ISSUING,	/* its issue being recorded (owned) */
	BST_S_ISSUED,	/* in flight */
	BST_S_CLOSING,	/* its completion being recorded (owned) */
	BST_S_DONE,	/* recorded, or not followed */
};

/* A scan is recorded once; a failed one again once it succeeds. */
enum { BST_SCAN_NONE, BST_SCAN_FAILED, BST_SCAN_OK };

#define BST_W_STATE	GENMASK(2, 0)
#define BST_W_SCAN	GENMASK(4, 3)
#define BST_W_GEN_SHIFT	8

/* Read by the hooks of every request and bio while a disk waits. */
struct bst_disk_slot {
	atomic_t word;
	bool bio;		/* its first I/O is a bio, not a request */
	struct gendisk *disk;	/* a key only, never dereferenced from here */
	void *io;		/* the first request or bio, while in flight */
};

/* Read only by whoever owns the slot or checks its generation after. */
struct bst_disk_info {
	u64 add_ns;		/* disk.add: disk.partitions' dur_ns, start */
	u32 add_seq;
	u32 pid;		/* of the first I/O's issuer */
	u64 boot_ns;		/* the first I/O's issue */
	u64 local_ns;
	char comm[TASK_COMM_LEN];
	char name[32];
};

static struct bst_disk_slot bst_slots[BST_SLOTS];
static struct bst_disk_info bst_infos[BST_SLOTS];

/*
 * Slots still waiting for their disk's first request or bio, or with it
 * in flight: the hooks return at once when these are 0. A bio's
 * completion cannot be hashed to its disk (nvme multipath has moved it to
 * a hidden path's disk by then), so bio completions look through the table,
 * but only while a first bio is in flight.
 */
static atomic_t bst_rq_pending = ATOMIC_INIT(0);
static atomic_t bst_bio_pending = ATOMIC_INIT(0);
static atomic_t bst_bio_inflight = ATOMIC_INIT(0);

/* Whether first I/O is followed (it needs del_gendisk()'s hook) and scans. */
static bool bst_io_on;
static bool bst_scan_on;

static u32 bst_w_state(u32 w)
{
	return FIELD_GET(BST_W_STATE, w);
}

static u32 bst_w_scan(u32 w)
{
	return FIELD_GET(BST_W_SCAN, w);
}

static u32 bst_w_gen(u32 w)
{
	return w >> BST_W_GEN_SHIFT;
}

static u32 bst_w_with_state(u32 w, u32 state)
{
	return (w & ~BST_W_STATE) | FIELD_PREP(BST_W_STATE, state);
}

static u32 bst_w_with_scan(u32 w, u32 scan)
{
	return (w & ~BST_W_SCAN) | FIELD_PREP(BST_W_SCAN, scan);
}

/* Holds a disk (its key and info are set), owned or not. */
static bool bst_w_live(u32 w)
{
	return bst_w_state(w) != BST_S_FREE && bst_w_state(w) != BST_S_CLAIM;
}

static bool bst_w_owned(u32 w)
{
	u32 state = bst_w_state(w);

	return state == BST_S_CLAIM || state == BST_S_ISSUING ||
	       state == BST_S_CLOSING;
}

static u32 bst_w_read(struct bst_disk_slot *s)
{
	return (u32)atomic_read_acquire(&s->word);
}

/* Fully ordered: what was read before it was read from the word's @*w. */
static bool bst_w_cas(struct bst_disk_slot *s, u32 *w, u32 new)
{
	int old = (int)*w;
	bool done = atomic_try_cmpxchg(&s->word, &old, (int)new);

	*w = (u32)old;
	return done;
}

/* An owner leaves @state for @next: only the scan bits move meanwhile. */
static void bst_w_publish(struct bst_disk_slot *s, u32 w, u32 state, u32 next)
{
	w = bst_w_with_state(w, state);
	while (!bst_w_cas(s, &w, bst_w_with_state(w, next)))
		;
}

static struct bst_disk_info *bst_info(const struct bst_disk_slot *s)
{
	return &bst_infos[s - bst_slots];
}

/* The @i-th place a disk hashing to @home may have. */
static struct bst_disk_slot *bst_slot_at(unsigned int home, unsigned int i)
{
	return &bst_slots[(home + i) & (BST_SLOTS - 1)];
}

/* The slot of @disk, its word in @*w; NULL when bootstamps has none. */
static struct bst_disk_slot *bst_slot_find(const struct gendisk *disk,
					   u32 *w)
{
	unsigned int home = hash_ptr(disk, BST_SLOT_BITS), i;

	for (i = 0; i < BST_SLOT_WINDOW; i++) {
		struct bst_disk_slot *s = bst_slot_at(home, i);

		*w = bst_w_read(s);
		if (bst_w_live(*w) && READ_ONCE(s->disk) == disk)
			return s;
	}
	return NULL;
}

/*
 * The counts a slot of @bio kind leaves in @state when it is taken from
 * its disk. The caller read @bio while the slot was still its disk's: once
 * taken, a FREE slot can be another disk's at once.
 */
static void bst_slot_uncount(bool bio, u32 state)
{
	if (state != BST_S_WAITING && state != BST_S_ISSUED)
		return;
	atomic_dec(bio ? &bst_bio_pending : &bst_rq_pending);
	if (state == BST_S_ISSUED && bio)
		atomic_dec(&bst_bio_inflight);
}

/*
 * Take a live slot from its disk, to @next (FREE, or CLAIM for another
 * disk). With @wait, an owner is waited out: it holds the slot for a few
 * instructions, never sleeping and never waiting on us. Returns false when
 * the slot is no longer the one read in @*w, or (without @wait) is owned.
 */
static bool bst_slot_take(struct bst_disk_slot *s, u32 *w, u32 next,
			  bool wait)
{
	u32 gen = bst_w_gen(*w);
	bool bio;

	for (;;) {
		if (bst_w_gen(*w) != gen || !bst_w_live(*w))
			return false;
		if (bst_w_owned(*w)) {
			if (!wait)
				return false;
			cpu_relax();
			*w = bst_w_read(s);
			continue;
		}
		bio = READ_ONCE(s->bio);
		if (bst_w_cas(s, w, next)) {
			bst_slot_uncount(bio, bst_w_state(*w));
			*w = next;
			return true;
		}
	}
}

static u32 bst_w_claimed(u32 w)
{
	return ((bst_w_gen(w) + 1) << BST_W_GEN_SHIFT) | BST_S_CLAIM;
}

/* Which of two live slots gives way first: a done one, then the older. */
static bool bst_slot_yields(const struct bst_disk_slot *a, u32 aw,
			    const struct bst_disk_slot *b, u32 bw)
{
	bool a_done = bst_w_state(aw) == BST_S_DONE;
	bool b_done = bst_w_state(bw) == BST_S_DONE;

	if (a_done != b_done)
		return a_done;
	return READ_ONCE(bst_info(a)->add_ns) < READ_ONCE(bst_info(b)->add_ns);
}

/*
 * A slot in CLAIM state for @disk (its word in @*w), or NULL when every
 * place is owned right now. A slot still held for this gendisk is stale (a
 * gendisk is added once), so it is taken first. Process context.
 */
static struct bst_disk_slot *bst_slot_claim(struct gendisk *disk, u32 *w)
{
	unsigned int home = hash_ptr(disk, BST_SLOT_BITS), i;
	struct bst_disk_slot *s, *victim = NULL;
	u32 vw = 0;

	s = bst_slot_find(disk, w);
	if (s && bst_slot_take(s, w, bst_w_claimed(*w), true))
		return s;
	for (i = 0; i < BST_SLOT_WINDOW; i++) {
		s = bst_slot_at(home, i);
		*w = bst_w_read(s);
		if (bst_w_state(*w) == BST_S_FREE) {
			if (bst_w_cas(s, w, bst_w_claimed(*w))) {
				*w = bst_w_claimed(*w);
				return s;
			}
			continue;
		}
		if (bst_w_owned(*w))
			continue;
		if (!victim || bst_slot_yields(s, *w, victim, vw)) {
			victim = s;
			vw = *w;
		}
	}
	if (victim && bst_slot_take(victim, &vw, bst_w_claimed(vw), false)) {
		*w = vw;
		return victim;
	}
	return NULL;
}

/*
 * Fill a claimed slot for @disk and give it out. @follow: watch for its
 * first I/O. @scan: what of its scan is already recorded.
 */
static void bst_slot_fill(struct bst_disk_slot *s, u32 w,
			  struct gendisk *disk, u64 add_ns, u32 add_seq,
			  bool follow, u32 scan)
{
	struct bst_disk_info *info = bst_info(s);
	bool bio = !queue_is_mq(disk->queue);
	u32 flags = 0;

	WRITE_ONCE(s->disk, disk);
	WRITE_ONCE(s->io, NULL);
	WRITE_ONCE(s->bio, bio);
	WRITE_ONCE(info->add_ns, add_ns);
	WRITE_ONCE(info->add_seq, add_seq);
	/* Copied now: a first_io is recorded where the disk is not at hand. */
	bst_copy(info->name, disk->disk_name, &flags);
	follow = follow && bst_io_on;
	if (follow)
		atomic_inc(bio ? &bst_bio_pending : &bst_rq_pending);
	w = bst_w_with_scan(w, scan);
	atomic_set_release(&s->word, (int)bst_w_with_state(w, follow ?
					BST_S_WAITING : BST_S_DONE));
}

/* A gendisk is going away: after this, its pointer may name another. */
static int bst_del_disk_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct gendisk *disk = (void *)regs_get_kernel_argument(regs, 0);
	struct bst_disk_slot *s;
	u32 w;

	s = bst_slot_find(disk, &w);
	if (s)
		bst_slot_take(s, &w, bst_w_with_state(w, BST_S_FREE), true);
	return 0;
}

static struct kprobe bst_del_disk_kp = {
	.symbol_name = "del_gendisk",
	.pre_handler = bst_del_disk_pre,
};

static bool bst_del_disk_on;

/* ------------------------------------------------------------ first I/O */

static void bst_io_issue(struct gendisk *disk, void *io, bool bio)
{
	struct bst_disk_slot *s;
	struct bst_disk_info *info;
	u32 w, gen;

	s = bst_slot_find(disk, &w);
	if (!s)
		return;
	gen = bst_w_gen(w);
	do {
		if (bst_w_gen(w) != gen || bst_w_state(w) != BST_S_WAITING ||
		    READ_ONCE(s->bio) != bio)
			return;
	} while (!bst_w_cas(s, &w, bst_w_with_state(w, BST_S_ISSUING)));
	info = bst_info(s);
	info->boot_ns = ktime_get_boottime_ns();
	info->local_ns = local_clock();
	info->pid = task_pid_nr(current);
	strscpy(info->comm, current->comm, sizeof(info->comm));
	WRITE_ONCE(s->io, io);
	if (bio)
		atomic_inc(&bst_bio_inflight);
	/* The completion may run on another CPU: the cas publishes io first. */
	bst_w_publish(s, w, BST_S_ISSUING, BST_S_ISSUED);
}

static void bst_io_complete(struct bst_disk_slot *s, u32 w, void *io,
			    int rc)
{
	struct bst_disk_info *info = bst_info(s);
	struct bst_event *ev;
	u32 gen = bst_w_gen(w);
	bool bio;

	do {
		if (bst_w_gen(w) != gen || bst_w_state(w) != BST_S_ISSUED ||
		    READ_ONCE(s->io) != io)
			return;
	} while (!bst_w_cas(s, &w, bst_w_with_state(w, BST_S_CLOSING)));
	/* The event is the issue; its duration runs to completion. */
	ev = bst_store_reserve_at(BST_EV_DISK_FIRST_IO, info->boot_ns,
				  info->local_ns);
	if (ev) {
		bst_copy(ev->disk.name, info->name, &ev->flags);
		ev->dur_ns = ktime_get_boottime_ns() - info->boot_ns;
		ev->rc = rc;
		ev->flags |= BST_F_RC;
		ev->pid = info->pid;
		strscpy(ev->comm, info->comm, sizeof(ev->comm));
		bst_store_commit(ev);
	}
	WRITE_ONCE(s->io, NULL);
	/* Once DONE, the slot may go to another disk. */
	bio = s->bio;
	bst_w_publish(s, w, BST_S_CLOSING, BST_S_DONE);
	atomic_dec(bio ? &bst_bio_pending : &bst_rq_pending);
	if (bio)
		atomic_dec(&bst_bio_inflight);
}

static void bst_on_rq_issue(BST_TP_RQ_ISSUE_ARGS)
{
	if (!atomic_read(&bst_rq_pending))
		return;
	/*
	 * Not a flush: it is not the disk's data, and the block layer ends
	 * its flush request without block_rq_complete.
	 */
	if (req_op(rq) == REQ_OP_FLUSH)
		return;
	bst_io_issue(bst_compat_rq_disk(rq), rq, false);
}

/* A first bio in flight is done: find its slot by the bio itself. */
static void bst_bio_done(struct bio *bio, int rc)
{
	unsigned int i;

	for (i = 0; i < BST_SLOTS; i++) {
		struct bst_disk_slot *s = &bst_slots[i];
		u32 w = bst_w_read(s);

		if (bst_w_state(w) == BST_S_ISSUED && READ_ONCE(s->io) == bio) {
			bst_io_complete(s, w, bio, rc);
			return;
		}
	}
}

static void bst_on_rq_complete(BST_TP_RQ_COMPLETE_ARGS)
{
	struct bst_disk_slot *s;
	struct bio *bio;
	u32 w;

	/*
	 * A bio that nvme multipath moved to a path's disk ends inside this
	 * request, and the block layer then does not trace the bio's own
	 * completion ("completion has already been traced"): look for it
	 * here, while a first bio is in flight.
	 */
	if (atomic_read(&bst_bio_inflight))
		__rq_for_each_bio(bio, rq)
			bst_bio_done(bio, bst_compat_rq_errno(error));
	if (!atomic_read(&bst_rq_pending))
		return;
	s = bst_slot_find(bst_compat_rq_disk(rq), &w);
	if (s)
		bst_io_complete(s, w, rq, bst_compat_rq_errno(error));
}

static void bst_on_bio_queue(BST_TP_BIO_QUEUE_ARGS)
{
	if (!atomic_read(&bst_bio_pending))
		return;
	bst_io_issue(bst_compat_bio_disk(bio), bio, true);
}

static void bst_on_bio_complete(void *data, struct request_queue *q,
				struct bio *bio)
{
	if (atomic_read(&bst_bio_inflight))
		bst_bio_done(bio, blk_status_to_errno(bio->bi_status));
}

/* Attached until the boot window closes (window.c); see bst_block_init(). */
static struct bst_tp bst_block_tps[] = {
	BST_TP(block_rq_issue, bst_on_rq_issue),
	BST_TP(block_rq_complete, bst_on_rq_complete),
	BST_TP(block_bio_queue, bst_on_bio_queue),
	BST_TP(block_bio_complete, bst_on_bio_complete),
};

/* ------------------------------------------------------------ partitions */

static void bst_partitions_record(struct gendisk *disk, u32 add_seq,
				  u64 add_ns, bool has_rc, int rc)
{
	struct bst_event *ev = bst_store_reserve(BST_EV_DISK_PARTITIONS);

	if (!ev)
		return;
	bst_copy(ev->disk.name, disk->disk_name, &ev->flags);
	/* Dynamic numbers (nvme's 259:N) are only assigned inside the add. */
	ev->disk.major = disk->major;
	ev->disk.minor = disk->first_minor;
	ev->disk.count = bst_compat_disk_partitions(disk);
	ev->start_seq = add_seq;
	/* Of a disk added before bootstamps loaded: an instant. */
	ev->dur_ns = add_ns ? ev->boot_ns - add_ns : 0;
	if (has_rc) {
		ev->rc = rc;
		ev->flags |= BST_F_RC;
	}
	bst_store_commit(ev);
}

static int bst_scan_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	*(struct gendisk **)ri->data =
		bst_compat_scan_disk(regs_get_kernel_argument(regs, 0));
	return 0;
}

/*
 * A scan ended. It read nothing when the partitions were in use (-EBUSY),
 * the disk is going (-ENXIO), it has no medium (capacity 0: a removal's
 * scan) or the kernel holds its scans back. Else it is news the first
 * time, and again when it succeeds after failing; later rescans (growpart,
 * partprobe, a drive's media changes) say nothing of when the disk became
 * usable, and would fill the store.
 */
static int bst_scan_return(struct kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	struct gendisk *disk = *(struct gendisk **)ri->data;
	int rc = (int)regs_return_value(regs);
	struct bst_disk_slot *s;
	u32 w, gen, scan, add_seq;
	u64 add_ns;

	if (rc == -EBUSY || rc == -ENXIO || !get_capacity(disk) ||
	    (disk->flags & GENHD_FL_HIDDEN) || bst_compat_scan_suppressed(disk))
		return 0;
	scan = rc ? BST_SCAN_FAILED : BST_SCAN_OK;
	s = bst_slot_find(disk, &w);
	if (!s) {
		/*
		 * Added before bootstamps loaded, whose boot-time scan (if it
		 * came before) is in the log: this scan is news once too.
		 */
		s = bst_slot_claim(disk, &w);
		if (!s)
			return 0;
		bst_slot_fill(s, w, disk, 0, 0, false, scan);
		bst_partitions_record(disk, 0, 0, true, rc);
		return 0;
	}
	gen = bst_w_gen(w);
	add_ns = READ_ONCE(bst_info(s)->add_ns);
	add_seq = READ_ONCE(bst_info(s)->add_seq);
	do {
		if (bst_w_gen(w) != gen || !bst_w_live(w) ||
		    bst_w_scan(w) == BST_SCAN_OK ||
		    (bst_w_scan(w) == BST_SCAN_FAILED && rc))
			return 0;
	} while (!bst_w_cas(s, &w, bst_w_with_scan(w, scan)));
	bst_partitions_record(disk, add_seq, add_ns, true, rc);
	return 0;
}

static struct kretprobe bst_scan_krp = {
	.kp.symbol_name = "bdev_disk_changed",
	.entry_handler = bst_scan_entry,
	.handler = bst_scan_return,
	.data_size = sizeof(struct gendisk *),
	.maxactive = 64,
};

/* ------------------------------------------------------------ add disk */

struct bst_disk_call {
	struct gendisk *disk;
	struct bst_disk_slot *slot;
	u32 gen;
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
	struct bst_disk_slot *s;
	struct bst_event *ev;
	u32 w;

	call->disk = disk;
	call->slot = NULL;
	call->start_seq = 0;
	call->start_ns = ktime_get_boottime_ns();
	/* nvme multipath's per-path disks (nvme0c0n1) are never used directly. */
	call->hidden = disk->flags & GENHD_FL_HIDDEN;
	if (call->hidden)
		return 0;
	ev = bst_store_reserve(BST_EV_DISK_ADD);
	if (ev) {
		call->start_ns = ev->boot_ns;
		call->start_seq = bst_store_seq(ev);
	}
	/* Before the add runs: its partition scan is often the first I/O. */
	s = bst_slot_claim(disk, &w);
	if (s) {
		bst_slot_fill(s, w, disk, call->start_ns, call->start_seq, true,
			      BST_SCAN_NONE);
		call->slot = s;
		call->gen = bst_w_gen(w);
	}
	if (!ev)
		return 0;
	bst_copy(ev->disk.name, disk->disk_name, &ev->flags);
	bst_disk_parent(ev, parent);
	bst_store_commit(ev);
	return 0;
}

/*
 * The disk is registered and announced. Its scan, if the kernel scanned
 * inside, is recorded already. If the kernel holds the scan back, or the
 * disk is empty, the scan comes later. Else the kernel does not scan it
 * (no partition support), or tried and could not: what it has now is
 * what userspace is told, so this is its disk.partitions.
 */
static int bst_add_disk_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	const struct bst_disk_call *call = (void *)ri->data;
	struct bst_disk_slot *s = call->slot;
	struct gendisk *disk = call->disk;
	int rc = BST_ADD_DISK_HAS_RC ? (int)regs_return_value(regs) : 0;
	u32 w = 0;

	if (call->hidden)
		return 0;
	if (s) {
		w = bst_w_read(s);
		if (bst_w_gen(w) != call->gen || !bst_w_live(w))
			s = NULL;	/* another disk needed the place */
	}
	if (!s || rc || !bst_scan_on) {
		bst_partitions_record(disk, call->start_seq, call->start_ns,
				      BST_ADD_DISK_HAS_RC, rc);
		/* A disk that failed to add is put without del_gendisk(). */
		if (s && rc)
			bst_slot_take(s, &w, bst_w_with_state(w, BST_S_FREE),
				      true);
		return 0;
	}
	if (bst_w_scan(w) != BST_SCAN_NONE || !get_capacity(disk) ||
	    bst_compat_scan_suppressed(disk))
		return 0;
	do {
		if (bst_w_gen(w) != call->gen || !bst_w_live(w) ||
		    bst_w_scan(w) != BST_SCAN_NONE)
			return 0;
	} while (!bst_w_cas(s, &w, bst_w_with_scan(w, BST_SCAN_OK)));
	bst_partitions_record(disk, call->start_seq, call->start_ns,
			      BST_ADD_DISK_HAS_RC, rc);
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
 * The request and bio tracepoints stay attached while the module is
 * loaded, and cost one atomic load each once no disk waits for its first
 * I/O. Detaching then would lose the first I/O of disks added later
 * (hotplug, nvme namespaces scanned late): a probe can only be attached
 * from process context, while new disks are seen from the kretprobe above.
 *
 * del_gendisk() and the scan are hooked before disks are: a slot is never
 * given out that its disk's deletion could not release. Without the
 * deletion hook first I/O is not followed (",noio" on the hooks line);
 * without the scan hook disk.partitions is stamped at device_add_disk()'s
 * return, as it was before the hook (",noscan").
 */
int bst_block_init(struct bst_hook_status *st)
{
	size_t i;
	int err = -ENOENT;

	memset(bst_slots, 0, sizeof(bst_slots));
	atomic_set(&bst_rq_pending, 0);
	atomic_set(&bst_bio_pending, 0);
	atomic_set(&bst_bio_inflight, 0);
	for (i = 0; i < ARRAY_SIZE(bst_block_tps); i++) {
		err = bst_tp_attach(&bst_block_tps[i]);
		if (err)
			goto err_tracepoints;
	}
	bst_del_disk_on = !register_kprobe(&bst_del_disk_kp);
	bst_io_on = bst_del_disk_on;
	bst_scan_on = !register_kretprobe(&bst_scan_krp);
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
	snprintf(st->how, sizeof(st->how), "kretprobe:%s%s,tracepoint%s%s",
		 bst_add_disk_krp.kp.symbol_name,
		 bst_get_tree_on ? "+vfs_get_tree" : "",
		 bst_scan_on ? "" : ",noscan", bst_io_on ? "" : ",noio");
	return 0;

err_tracepoints:
	bst_block_exit();
	return err;
}

/*
 * The boot window closed: stop watching block requests. Disks added later
 * still get disk.add and disk.partitions, but no disk.first_io.
 */
void bst_block_window_closed(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bst_block_tps); i++)
		bst_tp_detach(&bst_block_tps[i]);
	bst_tp_sync();
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
	if (bst_scan_on)
		unregister_kretprobe(&bst_scan_krp);
	bst_scan_on = false;
	if (bst_del_disk_on)
		unregister_kprobe(&bst_del_disk_kp);
	bst_del_disk_on = false;
	bst_io_on = false;
	for (i = 0; i < ARRAY_SIZE(bst_block_tps); i++)
		bst_tp_detach(&bst_block_tps[i]);
	bst_tp_sync();
}
