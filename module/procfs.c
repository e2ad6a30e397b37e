// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/bootstamps: reading gives the header and every committed event;
 * writing one line records a userspace marker.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/proc_fs.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "bootstamps.h"

/* Longest line bst_format_event() can produce, with room to spare. */
#define BST_LINE_MAX	2048
/* The header is a few hundred bytes; spans= and hooks can grow it. */
#define BST_HEADER_MIN	1024
#define BST_HEADER_MAX	(64 * 1024)

static struct proc_dir_entry *bst_proc;

/*
 * Events name other users' processes and paths and repeat lines of the
 * kernel log, so by default only those who may read the kernel log
 * (CAP_SYSLOG, as dmesg_restrict asks) read the file, and it is root's
 * alone. read_gid= lets one group read it too, as an administrator's
 * choice, with or without CAP_SYSLOG.
 */
static int read_gid = -1;
module_param(read_gid, int, 0444);
MODULE_PARM_DESC(read_gid, "Group that may read /proc/bootstamps (default -1: only root with CAP_SYSLOG)");
static kgid_t bst_read_kgid;

/*
 * What one open file reads: the header as it was at open, and the events
 * committed by then. seq_file re-renders from the start for every lseek()
 * and pread(), and a header measured anew or a slot filled in between two
 * reads would shift every later byte; a snapshot makes each offset of one
 * open file read the same bytes. A later open sees later events.
 */
struct bst_reader {
	char line[BST_LINE_MAX];
	char *header;
	size_t header_len;
	u32 count;			/* events (slots) in the snapshot */
	unsigned long committed[];	/* which of them were filled in */
};

/* local_clock() - CLOCK_BOOTTIME, measured now as a back-to-back pair. */
static s64 bst_local_offset_now(void)
{
	u64 boot, local;

	bst_clock_pair(&boot, &local);
	return (s64)(local - boot);
}

static void bst_show_header(struct seq_file *m, u32 events)
{
	char t[32];

	seq_printf(m, "# bootstamps %d\n", BST_FORMAT_VERSION);
	seq_printf(m, "# module_version=%s kernel=%s clock=boottime local_offset_ns=%lld\n",
		   BST_VERSION, init_utsname()->release, bst_local_offset_now());
	bst_format_time(t, sizeof(t), bst_load_boot_ns());
	seq_printf(m, "# loaded=%s load_local_offset_ns=%lld\n", t,
		   bst_load_local_offset_ns());
	seq_printf(m, "# capacity=%u event_bytes=%zu events=%u dropped=%llu markers=%u markers_refused=%llu missed=%lu user_execs_refused=%llu exits_lost=%llu\n",
		   bst_store_capacity(), sizeof(struct bst_event), events,
		   bst_store_dropped(), bst_store_marks(),
		   bst_store_marks_refused(), bst_probes_missed(),
		   bst_exec_user_refused(), bst_exec_exits_lost());
	bst_hooks_show(m);
	bst_window_show(m);
	bst_kmsg_show(m);
	bst_spans_show(m);
}

/*
 * Render the header once, into a buffer of its own. The seq_file here is
 * only a buffer for the seq_printf() helpers the hook families share; it
 * is never read through. Too long for BST_HEADER_MAX is cut at a line.
 */
static int bst_reader_header(struct bst_reader *r)
{
	struct seq_file hs;
	size_t size;

	for (size = BST_HEADER_MIN;; size *= 2) {
		memset(&hs, 0, sizeof(hs));
		hs.buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!hs.buf)
			return -ENOMEM;
		hs.size = size;
		bst_show_header(&hs, r->count);
		if (!seq_has_overflowed(&hs) || size >= BST_HEADER_MAX)
			break;
		kvfree(hs.buf);
	}
	if (seq_has_overflowed(&hs))
		while (hs.count && hs.buf[hs.count - 1] != '\n')
			hs.count--;
	r->header = hs.buf;
	r->header_len = hs.count;
	return 0;
}

/*
 * Position 0 is the header; position n > 0 is event n - 1 of the
 * snapshot. Records never change once committed, so a read that seq_file
 * restarts mid-way sees the same lines again.
 */
static void *bst_seq_start(struct seq_file *m, loff_t *pos)
{
	const struct bst_reader *r = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (*pos - 1 >= r->count)
		return NULL;
	return pos;
}

static void *bst_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return bst_seq_start(m, pos);
}

static void bst_seq_stop(struct seq_file *m, void *v)
{
}

static int bst_seq_show(struct seq_file *m, void *v)
{
	struct bst_reader *r = m->private;
	const struct bst_event *ev;
	u32 idx;
	size_t len;

	if (v == SEQ_START_TOKEN) {
		seq_write(m, r->header, r->header_len);
		return 0;
	}
	idx = (u32)(*(loff_t *)v - 1);
	/* Claimed but not yet filled in when the file was opened. */
	if (!test_bit(idx, r->committed))
		return SEQ_SKIP;
	ev = bst_store_get(idx);
	if (WARN_ON_ONCE(!ev))
		return SEQ_SKIP;
	len = bst_format_event(r->line, BST_LINE_MAX, ev, idx + 1);
	seq_write(m, r->line, len);
	return 0;
}

static const struct seq_operations bst_seq_ops = {
	.start = bst_seq_start,
	.next = bst_seq_next,
	.stop = bst_seq_stop,
	.show = bst_seq_show,
};

static void bst_reader_free(struct bst_reader *r)
{
	if (r)
		kvfree(r->header);
	kvfree(r);
}

/* The opener's credentials count, so a setuid helper cannot be fooled. */
static bool bst_may_read(const struct file *file)
{
	if (gid_valid(bst_read_kgid) && in_group_p(bst_read_kgid))
		return true;
	return file_ns_capable(file, &init_user_ns, CAP_SYSLOG);
}

static int bst_proc_open(struct inode *inode, struct file *file)
{
	struct bst_reader *r;
	u32 count = bst_store_count();
	u32 i;
	int err;

	/* Writers need nothing to read; bst_proc_write() checks them. */
	if (!(file->f_mode & FMODE_READ))
		return seq_open(file, &bst_seq_ops);
	if (!bst_may_read(file))
		return -EACCES;
	/* Charged to the opener: many open files cost their owner, not us. */
	r = kvzalloc(struct_size(r, committed, BITS_TO_LONGS(count)),
		     GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->count = count;
	for (i = 0; i < count; i++)
		if (bst_store_get(i))
			__set_bit(i, r->committed);
	err = bst_reader_header(r);
	if (!err)
		err = seq_open(file, &bst_seq_ops);
	if (err) {
		bst_reader_free(r);
		return err;
	}
	((struct seq_file *)file->private_data)->private = r;
	return 0;
}

static int bst_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	bst_reader_free(m->private);
	return seq_release(inode, file);
}

/*
 * A marker is one line of printable ASCII, at most BST_MARK_MAX bytes plus
 * an optional trailing newline. Anything else is refused whole with
 * -EINVAL, so a marker is either recorded exactly or not at all.
 */
static ssize_t bst_proc_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[BST_MARK_MAX + 2];
	size_t len = count;
	size_t i;
	int ret;

	/* The opener's credentials, so a setuid helper cannot be fooled. */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (count == 0 || count > BST_MARK_MAX + 1)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > BST_MARK_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return -EINVAL;
	buf[len] = '\0';

	ret = bst_mark_record(buf, len);
	/* Even when the marker itself was refused: the boot is over. */
	if (!strcmp(buf, "boot-done"))
		bst_window_boot_done();
	return ret ? ret : count;
}

static const struct proc_ops bst_proc_ops = {
	.proc_open = bst_proc_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = bst_proc_release,
	.proc_write = bst_proc_write,
};

int bst_mark_record(const char *text, size_t len)
{
	struct bst_event *ev = bst_store_reserve_mark();

	if (!ev)
		return -ENOSPC;
	memcpy(ev->text, text, len);
	ev->text[len] = '\0';
	bst_store_commit(ev);
	return 0;
}

int bst_procfs_init(void)
{
	umode_t mode = 0600;

	bst_read_kgid = INVALID_GID;
	if (read_gid >= 0) {
		bst_read_kgid = make_kgid(&init_user_ns, read_gid);
		if (!gid_valid(bst_read_kgid)) {
			pr_err("read_gid=%d is not a group\n", read_gid);
			return -EINVAL;
		}
		mode = 0640;
	}
	bst_proc = proc_create("bootstamps", mode, NULL, &bst_proc_ops);
	if (!bst_proc)
		return -ENOMEM;
	proc_set_user(bst_proc, GLOBAL_ROOT_UID, gid_valid(bst_read_kgid) ?
		      bst_read_kgid : GLOBAL_ROOT_GID);
	return 0;
}

/* Waits for readers and writers inside our handlers, and closes the rest. */
void bst_procfs_exit(void)
{
	proc_remove(bst_proc);
}
