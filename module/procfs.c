// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/bootstamps: reading gives the header and every committed event;
 * writing one line records a userspace marker.
 */
#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "bootstamps.h"

/* Longest line bst_format_event() can produce, with room to spare. */
#define BST_LINE_MAX	2048

static struct proc_dir_entry *bst_proc;

/* local_clock() - CLOCK_BOOTTIME, measured now as a back-to-back pair. */
static s64 bst_local_offset_now(void)
{
	u64 boot = ktime_get_boottime_ns();

	return (s64)(local_clock() - boot);
}

static void bst_show_header(struct seq_file *m)
{
	char t[32];

	seq_printf(m, "# bootstamps %d\n", BST_FORMAT_VERSION);
	seq_printf(m, "# module_version=%s kernel=%s clock=boottime local_offset_ns=%lld\n",
		   BST_VERSION, init_utsname()->release, bst_local_offset_now());
	bst_format_time(t, sizeof(t), bst_load_boot_ns());
	seq_printf(m, "# loaded=%s load_local_offset_ns=%lld\n", t,
		   bst_load_local_offset_ns());
	seq_printf(m, "# capacity=%u event_bytes=%zu events=%u dropped=%llu markers=%u markers_refused=%llu missed=%lu\n",
		   bst_store_capacity(), sizeof(struct bst_event),
		   bst_store_count(), bst_store_dropped(),
		   bst_store_marks(), bst_store_marks_refused(),
		   bst_probes_missed());
	bst_hooks_show(m);
	bst_kmsg_show(m);
	bst_spans_show(m);
}

/*
 * Position 0 is the header; position n > 0 is event n - 1. Records never
 * change once committed, so a read that seq_file restarts mid-way sees the
 * same lines again.
 */
static void *bst_seq_start(struct seq_file *m, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (*pos - 1 >= bst_store_count())
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
	const struct bst_event *ev;
	char *line = m->private;
	u32 idx;
	size_t len;

	if (v == SEQ_START_TOKEN) {
		bst_show_header(m);
		return 0;
	}
	idx = (u32)(*(loff_t *)v - 1);
	ev = bst_store_get(idx);
	if (!ev)		/* claimed but not yet filled in */
		return SEQ_SKIP;
	len = bst_format_event(line, BST_LINE_MAX, ev, idx + 1);
	seq_write(m, line, len);
	return 0;
}

static const struct seq_operations bst_seq_ops = {
	.start = bst_seq_start,
	.next = bst_seq_next,
	.stop = bst_seq_stop,
	.show = bst_seq_show,
};

static int bst_proc_open(struct inode *inode, struct file *file)
{
	/* Each reader gets its own line buffer, so reads never share state. */
	return seq_open_private(file, &bst_seq_ops, BST_LINE_MAX) ? -ENOMEM : 0;
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
	return ret ? ret : count;
}

static const struct proc_ops bst_proc_ops = {
	.proc_open = bst_proc_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release_private,
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
	bst_proc = proc_create("bootstamps", 0644, NULL, &bst_proc_ops);
	return bst_proc ? 0 : -ENOMEM;
}

/* Waits for readers and writers inside our handlers, and closes the rest. */
void bst_procfs_exit(void)
{
	proc_remove(bst_proc);
}
