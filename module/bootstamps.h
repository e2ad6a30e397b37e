/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the parts of bootstamps.ko: the event store, the
 * line format, the /proc interface and the hook families.
 */
#ifndef _BST_BOOTSTAMPS_H
#define _BST_BOOTSTAMPS_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/sched.h>

struct device;
struct device_driver;
struct seq_file;

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
	BST_EV_DISK_ADD,
	BST_EV_DISK_PARTITIONS,
	BST_EV_DISK_FIRST_IO,
	BST_EV_FS_MOUNT,
	BST_EV_ROOT_MOUNT,
	BST_EV_NET_REGISTER,
	BST_EV_NET_UP,
	BST_EV_NET_CARRIER,
	BST_EV_NET_IPV4,
	BST_EV_NET_IPV6,
	BST_EV_NET_RENAME,
	BST_EV_INIT_EXEC,
	BST_EV_EXEC,
	BST_EV_EXIT,
	BST_EV_KERNEL_START,
	BST_EV_KERNEL_INIT_FREED,
	BST_EV_NVME_PROBE,
	BST_EV_NVME_QUEUES,
	BST_EV_ENA_FOUND,
	BST_EV_FN_START,
	BST_EV_FN_END,
};

/* bst_event.flags */
#define BST_F_ASYNC		0x0001	/* ran on a workqueue worker */
#define BST_F_RC		0x0002	/* rc holds a known errno (or 0) */
#define BST_F_BUILTIN		0x0004	/* driver built into the kernel */
#define BST_F_TRUNC		0x0008	/* a text field was cut to fit */
#define BST_F_UNLOAD		0x0010	/* module.going after module.live */
#define BST_F_SELF		0x0020	/* bootstamps' own load record */
#define BST_F_KMSG		0x0040	/* backfilled from the kernel log */
#define BST_F_REPLAY		0x0080	/* existed before bootstamps loaded */
#define BST_F_INITRAMFS		0x0100	/* init.exec from the initramfs */
#define BST_F_BY_KERNEL		0x0200	/* root.mount done by the kernel */

/* Identity of a probe or a module, copied in at record time. */
struct bst_ident {
	char subject[48];	/* device name, or module name */
	char driver[32];
	char bus[16];
	char module[40];	/* module that owns the driver */
	char version[32];	/* its MODULE_VERSION, if any */
	char srcversion[24];	/* 23 hex digits + NUL */
};

/* disk.*, fs.mount, root.mount */
struct bst_disk {
	char name[32];		/* nvme0n1, vda, or the mount's source */
	char parent[48];	/* the device that registered the disk */
	char driver[32];	/* the driver bound to that device */
	char fstype[16];	/* fs.mount, root.mount */
	u32 major;
	u32 minor;
	u32 count;		/* disk.partitions */
};

/* net.* */
struct bst_net {
	char name[16];		/* IFNAMSIZ */
	char parent[48];
	char driver[32];
	char addr[48];		/* "a:b:...:h/128" fits */
	u32 ifindex;
	u8 scope;		/* net.ipv6: IFA_* scope */
};

/* init.exec, exec, exit */
struct bst_exec {
	char name[16];		/* basename, as matched against track= */
	char path[160];
	s32 status;		/* exit: the wait status */
	u32 ppid;
};

/* kernel.*, nvme.*, ena.*: facts read back from the kernel log */
struct bst_note {
	char subject[48];
	char detail[144];
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
	u32 flags;		/* BST_F_* */
	u16 cpu;
	u8 type;		/* enum bst_event_type */
	u32 committed;		/* set last, with release semantics */
	char comm[TASK_COMM_LEN];
	union {
		struct bst_ident id;
		char text[BST_MARK_MAX + 1];	/* BST_EV_MARK */
		struct bst_disk disk;
		struct bst_net net;
		struct bst_exec exec;
		struct bst_note note;
	};
};

/* store.c */
int bst_store_init(unsigned int capacity, unsigned int mark_quota);
void bst_store_exit(void);
struct bst_event *bst_store_reserve(enum bst_event_type type);
struct bst_event *bst_store_reserve_at(enum bst_event_type type, u64 boot_ns,
				       u64 local_ns);
void bst_store_commit(struct bst_event *ev);
void bst_clock_pair(u64 *boot_ns, u64 *local_ns);
struct bst_event *bst_store_reserve_mark(void);
u32 bst_store_seq(const struct bst_event *ev);
const struct bst_event *bst_store_get(u32 idx);
const struct bst_event *bst_store_find_open(enum bst_event_type type,
					    const char *subject,
					    const char *bus);
u32 bst_store_count(void);
u32 bst_store_capacity(void);
void bst_store_rewind(void);
u64 bst_store_dropped(void);
u32 bst_store_marks(void);
u64 bst_store_marks_refused(void);
const struct bst_event *bst_store_find_last(enum bst_event_type type,
					    const char *subject);
size_t bst_copy_field(char *dst, const char *src, size_t size, u32 *flags);
/* Copy src into the char array dst, flagging a cut in *flags. */
#define bst_copy(dst, src, flags) \
	bst_copy_field(dst, src, sizeof(dst), flags)

/* format.c */
size_t bst_format_event(char *buf, size_t size, const struct bst_event *ev,
			u32 seq);
size_t bst_format_time(char *buf, size_t size, u64 ns);

/* Status of one hook family, shown in the header's "# hooks" line. */
struct bst_hook_status {
	const char *name;	/* "probe", "module", "mark" */
	char how[64];		/* e.g. "kretprobe:really_probe" */
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

/* tracepoints.c */
struct bst_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool on;
};

/*
 * One entry of a table of tracepoint probes: @fn attached to the tracepoint
 * named @tp. The tracepoint calls @fn with its own arguments whatever @fn's
 * prototype says, so a mismatch reads garbage and kCFI kernels trap on the
 * call. The entry does not build unless @fn has exactly the probe type
 * that check_trace_callback_type_<tp>() takes: <trace/events/...h>
 * declares it for the kernel being built for, and the file using BST_TP()
 * includes that header. The name looked up at run time comes from the same
 * @tp, so the tracepoint attached is the one checked. A mismatch stops the
 * build at the .on initializer (.on starts false either way) with
 * "negative width in bit-field" or, on newer kernels, "static assertion
 * failed".
 */
#define BST_TP(tp, fn) {						\
	.name = #tp,							\
	.probe = fn,							\
	.on = BUILD_BUG_ON_ZERO(!__same_type(&check_trace_callback_type_##tp, \
					     void (*)(typeof(fn) *))),	\
}

int bst_tp_attach(struct bst_tp *t);
void bst_tp_detach(struct bst_tp *t);
void bst_tp_sync(void);

/* exec.c */
int bst_exec_init(struct bst_hook_status *st);
void bst_exec_exit(void);
void bst_exec_window_closed(void);
bool bst_exec_parked(void);
void bst_exec_track_show(struct seq_file *m);
u64 bst_exec_user_refused(void);
u64 bst_exec_exits_lost(void);

/* window.c: the boot window (every exec recorded, block hooks attached) */
enum bst_window_state {
	BST_WINDOW_OPEN,
	BST_WINDOW_BOOT_DONE,	/* closed by the first boot-done marker */
	BST_WINDOW_TIMEOUT,	/* closed at boot_window seconds */
	BST_WINDOW_OFF,		/* boot_window=0 */
};

void bst_window_init(void);
void bst_window_exit(void);
bool bst_window_is_open(void);
bool bst_window_take_exec(void);
void bst_window_boot_done(void);
void bst_window_show(struct seq_file *m);

/* net.c */
int bst_net_init(struct bst_hook_status *st);
void bst_net_exit(void);

/* block.c */
int bst_block_init(struct bst_hook_status *st);
void bst_block_exit(void);
void bst_block_window_closed(void);

/* spans.c */
int bst_spans_init(struct bst_hook_status *st);
void bst_spans_exit(void);
void bst_spans_show(struct seq_file *m);

/* kmsg.c */
void bst_kmsg_init(struct bst_hook_status *st);
void bst_kmsg_exit(void);
void bst_kmsg_show(struct seq_file *m);

/* probes.c, for events about a probe found by other means */
void bst_probe_fill(struct bst_event *ev, struct device *dev,
		    const struct device_driver *drv);

/* bench.c, only in benchmark builds (BST_BENCH=1) */
#ifdef BST_BENCH
void bst_bench_init(void);
void bst_bench_exit(void);
#else
static inline void bst_bench_init(void)
{
}

static inline void bst_bench_exit(void)
{
}
#endif

/* main.c */
void bst_hooks_show(struct seq_file *m);
u64 bst_load_boot_ns(void);
s64 bst_load_local_offset_ns(void);

#endif /* _BST_BOOTSTAMPS_H */
