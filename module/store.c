// SPDX-License-Identifier: GPL-2.0
/*
 * The event store: an array preallocated at load and filled lock-free.
 *
 * Writers claim a slot with one atomic operation, fill it and publish it
 * with a release store, so recording is safe from kprobe, tracepoint and
 * notifier context and on PREEMPT_RT: no lock, no allocation. A full store
 * counts further events as dropped; it never overwrites one.
 */
#include <linux/atomic.h>
#include <linux/irqflags.h>
#include <linux/sched/clock.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "bootstamps.h"

static struct bst_event *bst_events;
static unsigned int bst_capacity;
static unsigned int bst_mark_quota;
static atomic_t bst_next = ATOMIC_INIT(0);
static atomic_t bst_marks = ATOMIC_INIT(0);
static atomic64_t bst_dropped = ATOMIC64_INIT(0);
static atomic64_t bst_marks_refused = ATOMIC64_INIT(0);

int bst_store_init(unsigned int capacity, unsigned int mark_quota)
{
	/* 1 MiB holds the default 4096 events. */
	BUILD_BUG_ON(sizeof(struct bst_event) > 256);
	/* Every family names its subject first: see bst_event_subject(). */
	BUILD_BUG_ON(offsetof(struct bst_event, id.subject) !=
		     offsetof(struct bst_event, disk.name));
	BUILD_BUG_ON(offsetof(struct bst_event, id.subject) !=
		     offsetof(struct bst_event, net.name));
	BUILD_BUG_ON(offsetof(struct bst_event, id.subject) !=
		     offsetof(struct bst_event, exec.name));
	BUILD_BUG_ON(offsetof(struct bst_event, id.subject) !=
		     offsetof(struct bst_event, note.subject));
	BUILD_BUG_ON(offsetof(struct bst_event, id.subject) !=
		     offsetof(struct bst_event, text));

	bst_events = kvcalloc(capacity, sizeof(*bst_events), GFP_KERNEL);
	if (!bst_events)
		return -ENOMEM;
	bst_capacity = capacity;
	bst_mark_quota = mark_quota;
	/* A store made again (KUnit does) starts empty, like a fresh load. */
	atomic_set(&bst_next, 0);
	atomic_set(&bst_marks, 0);
	atomic64_set(&bst_dropped, 0);
	atomic64_set(&bst_marks_refused, 0);
	return 0;
}

void bst_store_exit(void)
{
	kvfree(bst_events);
	bst_events = NULL;
}

/*
 * Claim the next free slot for an event that happened at the given times.
 * Returns NULL when the store is full. The slot stays invisible to readers
 * until bst_store_commit().
 */
struct bst_event *bst_store_reserve_at(enum bst_event_type type, u64 boot_ns,
				       u64 local_ns)
{
	struct bst_event *ev;
	int idx;

	idx = atomic_read(&bst_next);
	do {
		if (idx >= bst_capacity) {
			atomic64_inc(&bst_dropped);
			return NULL;
		}
	} while (!atomic_try_cmpxchg(&bst_next, &idx, idx + 1));

	ev = &bst_events[idx];
	ev->boot_ns = boot_ns;
	ev->local_ns = local_ns;
	ev->type = type;
	ev->pid = task_pid_nr(current);
	ev->cpu = raw_smp_processor_id();
	/* current->comm is ours to read; get_task_comm() would take a lock. */
	strscpy(ev->comm, current->comm, sizeof(ev->comm));
	return ev;
}

/*
 * Both clocks now, back to back: preemption or an interrupt between the
 * two reads would skew their difference, which converts every kernel-log
 * time. Interrupts are off for two clock reads only.
 */
void bst_clock_pair(u64 *boot_ns, u64 *local_ns)
{
	unsigned long flags;

	local_irq_save(flags);
	*boot_ns = ktime_get_boottime_ns();
	*local_ns = local_clock();
	local_irq_restore(flags);
}

/* Claim a slot for an event happening now. */
struct bst_event *bst_store_reserve(enum bst_event_type type)
{
	/* Stamp first: the event happened now, whatever the claim costs. */
	u64 boot_ns = ktime_get_boottime_ns();

	return bst_store_reserve_at(type, boot_ns, local_clock());
}

void bst_store_commit(struct bst_event *ev)
{
	/* Pairs with smp_load_acquire() in bst_store_get(): fields first. */
	smp_store_release(&ev->committed, 1);
}

/*
 * Markers come from userspace and have their own quota, so that a loop
 * writing markers cannot crowd kernel events out of the store.
 */
struct bst_event *bst_store_reserve_mark(void)
{
	struct bst_event *ev;

	if (!atomic_add_unless(&bst_marks, 1, bst_mark_quota)) {
		atomic64_inc(&bst_marks_refused);
		return NULL;
	}
	ev = bst_store_reserve(BST_EV_MARK);
	if (!ev) {
		atomic_dec(&bst_marks);
		atomic64_inc(&bst_marks_refused);
	}
	return ev;
}

/* Sequence numbers start at 1; 0 means "no event". */
u32 bst_store_seq(const struct bst_event *ev)
{
	return (u32)(ev - bst_events) + 1;
}

u32 bst_store_count(void)
{
	return min_t(u32, atomic_read(&bst_next), bst_capacity);
}

/* The committed event at index idx, or NULL if there is none (yet). */
const struct bst_event *bst_store_get(u32 idx)
{
	const struct bst_event *ev;

	if (idx >= bst_store_count())
		return NULL;
	ev = &bst_events[idx];
	/* Pairs with bst_store_commit(): see the fields it published. */
	if (!smp_load_acquire(&ev->committed))
		return NULL;
	return ev;
}

/*
 * The latest committed event of this type about this subject (and bus,
 * when given) that no later event closes. Used to pair ends with starts
 * where the hook cannot carry state from one to the other (notifiers).
 * A linear scan: it runs a few hundred times per boot over at most
 * `capacity` fixed-size records, and needs neither a lock nor memory.
 */
const struct bst_event *bst_store_find_open(enum bst_event_type type,
					    const char *subject,
					    const char *bus)
{
	u32 i = bst_store_count();
	u32 closed = 0;

	while (i--) {
		const struct bst_event *ev = bst_store_get(i);

		if (!ev || strcmp(ev->id.subject, subject))
			continue;
		if (bus && strcmp(ev->id.bus, bus))
			continue;
		/*
		 * A closing event of another kind says nothing of ours: a
		 * tracked program named like a module (track=nvme) exits
		 * through the same subject as that module's spans.
		 */
		if (ev->start_seq) {
			const struct bst_event *start;

			if (closed)
				continue;
			start = bst_store_get(ev->start_seq - 1);
			if (start && start->type == type)
				closed = ev->start_seq;
			continue;
		}
		if (ev->type != type)
			continue;
		if (closed == i + 1) {
			closed = 0;
			continue;
		}
		return ev;
	}
	return NULL;
}

/* The name every event family keeps first in its part of the record. */
static const char *bst_event_subject(const struct bst_event *ev)
{
	return ev->id.subject;
}

/* The latest committed event of this type about this subject. */
const struct bst_event *bst_store_find_last(enum bst_event_type type,
					    const char *subject)
{
	u32 i = bst_store_count();

	while (i--) {
		const struct bst_event *ev = bst_store_get(i);

		if (ev && ev->type == type &&
		    !strcmp(bst_event_subject(ev), subject))
			return ev;
	}
	return NULL;
}

/*
 * Forget every event (bench.c only: it rewinds between rounds so that
 * every event it times is really kept). Not safe while anything records.
 */
void bst_store_rewind(void)
{
	memset(bst_events, 0, bst_capacity * sizeof(*bst_events));
	atomic_set(&bst_next, 0);
	atomic64_set(&bst_dropped, 0);
}

u32 bst_store_capacity(void)
{
	return bst_capacity;
}

u64 bst_store_dropped(void)
{
	return atomic64_read(&bst_dropped);
}

u32 bst_store_marks(void)
{
	return atomic_read(&bst_marks);
}

u64 bst_store_marks_refused(void)
{
	return atomic64_read(&bst_marks_refused);
}

/* strscpy() that says, through *flags, when it had to cut the text. */
size_t bst_copy_field(char *dst, const char *src, size_t size, u32 *flags)
{
	ssize_t n;

	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	n = strscpy(dst, src, size);
	if (n < 0) {
		*flags |= BST_F_TRUNC;
		return size - 1;
	}
	return n;
}
