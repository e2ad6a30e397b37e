/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the parts of bootstamps.ko: the event store, the
 * line format, the /proc interface and the hook families.
 */
#ifndef _BST_BOOTSTAMPS_H
#define _BST_BOOTSTAMPS_H

#include <linux/types.h>
#include <linux/sched.h>

/* Version of the /proc/bootstamps format (docs/format.md). */
#define BST_FORMAT_VERSION	1

/* Longest marker text userspace may write, without its newline. */
#define BST_MARK_MAX		128

enum bst_event_type {
	BST_EV_MODULE_COMING = 1,
	BST_EV_MODULE_LIVE,
	BST_EV_MODULE_GOING,
	BST_EV_PROBE_START,
	BST_EV_PROBE_END,
	BST_EV_MARK,
};

/* bst_event.flags */
#define BST_F_ASYNC		0x01	/* ran on a workqueue worker */
#define BST_F_RC		0x02	/* rc holds a known errno (or 0) */
#define BST_F_BUILTIN		0x04	/* driver built into the kernel */
#define BST_F_TRUNC		0x08	/* a text field was cut to fit */
#define BST_F_UNLOAD		0x10	/* module.going after module.live */
#define BST_F_SELF		0x20	/* bootstamps' own load record */

/* Identity of what an event is about, copied in at record time. */
struct bst_ident {
	char subject[48];	/* device name, or module name */
	char driver[32];
	char bus[16];
	char module[40];	/* module that owns the driver */
	char version[32];	/* its MODULE_VERSION, if any */
	char srcversion[24];	/* 23 hex digits + NUL */
};

/*
 * One record. Fixed size (256 bytes on 64-bit) so that the store can be
 * preallocated and filled from any context without allocating.
 */
struct bst_event {
	u64 boot_ns;		/* CLOCK_BOOTTIME */
	u64 local_ns;		/* local_clock(), the printk/dmesg clock */
	u64 dur_ns;		/* for closing events */
	u32 start_seq;		/* seq of the event this one closes, or 0 */
	s32 rc;
	u32 pid;
	u16 cpu;
	u8 type;		/* enum bst_event_type */
	u8 flags;		/* BST_F_* */
	u32 committed;		/* set last, with release semantics */
	char comm[TASK_COMM_LEN];
	union {
		struct bst_ident id;
		char text[BST_MARK_MAX + 1];	/* BST_EV_MARK */
	};
};

/* store.c */
int bst_store_init(unsigned int capacity, unsigned int mark_quota);
void bst_store_exit(void);
struct bst_event *bst_store_reserve(enum bst_event_type type);
void bst_store_commit(struct bst_event *ev);
struct bst_event *bst_store_reserve_mark(void);
u32 bst_store_seq(const struct bst_event *ev);
const struct bst_event *bst_store_get(u32 idx);
const struct bst_event *bst_store_find_open(enum bst_event_type type,
					    const char *subject,
					    const char *bus);
u32 bst_store_count(void);
u32 bst_store_capacity(void);
u64 bst_store_dropped(void);
u32 bst_store_marks(void);
u64 bst_store_marks_refused(void);
size_t bst_copy_field(char *dst, const char *src, size_t size, u8 *flags);

/* format.c */
size_t bst_format_event(char *buf, size_t size, const struct bst_event *ev,
			u32 seq);
size_t bst_format_time(char *buf, size_t size, u64 ns);

/* Status of one hook family, shown in the header's "# hooks" line. */
struct bst_hook_status {
	const char *name;	/* "probe", "module", "mark" */
	char how[40];		/* e.g. "kretprobe:really_probe" */
	int err;		/* 0 when attached */
};

/* procfs.c */
int bst_procfs_init(void);
void bst_procfs_exit(void);
int bst_mark_record(const char *text, size_t len);

/* probes.c */
int bst_probes_init(const char *mode, struct bst_hook_status *st);
void bst_probes_exit(void);
unsigned long bst_probes_missed(void);

/* modules.c */
int bst_modules_init(struct bst_hook_status *st);
void bst_modules_exit(void);

/* main.c */
void bst_hooks_show(struct seq_file *m);
u64 bst_load_boot_ns(void);
s64 bst_load_local_offset_ns(void);

#endif /* _BST_BOOTSTAMPS_H */
