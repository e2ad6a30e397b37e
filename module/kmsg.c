// SPDX-License-Identifier: GPL-2.0
/*
 * What happened before bootstamps loaded: read the kernel log once and turn
 * the lines we know into events (flagged src=kmsg, microsecond resolution).
 * Built-in drivers (nvme on Debian's cloud kernel) probe before any module
 * can load, so for them this is the only source.
 *
 * The log runs on local_clock(); each line is placed on the boottime axis
 * with the offset measured at load. It runs in a work item so that loading
 * the module does not wait for it; the header says when it is done.
 */
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "bootstamps.h"
#include "compat.h"

#define BST_KMSG_LINE	1024

enum { BST_KMSG_PENDING, BST_KMSG_DONE, BST_KMSG_FAILED };

static int bst_kmsg_state = BST_KMSG_PENDING;
static unsigned int bst_kmsg_lines;
static unsigned int bst_kmsg_events;
static bool bst_kmsg_complete;		/* the log still starts at boot */
static bool bst_kmsg_timestamps = true;

/* What the parser has seen so far in this pass. */
struct bst_kmsg_ctx {
	u64 local_ns;		/* the current line's printk time */
	bool initramfs;		/* the kernel unpacked an initramfs */
	bool root_mounted;	/* the kernel mounted root itself */
};

static struct bst_event *bst_kmsg_event(const struct bst_kmsg_ctx *c,
					enum bst_event_type type)
{
	s64 boot = (s64)c->local_ns - bst_load_local_offset_ns();
	struct bst_event *ev;

	ev = bst_store_reserve_at(type, boot > 0 ? boot : 0, c->local_ns);
	if (!ev)
		return NULL;
	ev->flags |= BST_F_KMSG;
	/* Not who read the log, but nobody known: the line does not say. */
	ev->pid = 0;
	ev->cpu = 0;
	ev->comm[0] = '\0';
	bst_kmsg_events++;
	return ev;
}

/* Copy the word at s (up to a space, or one of the stop characters). */
static void bst_word(char *dst, size_t size, const char *s, const char *stop)
{
	size_t n = strcspn(s, stop);

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The device a log line names, on the buses a log line can name. */
static struct device *bst_find_device(const char *name)
{
	struct device *dev = bus_find_device_by_name(&pci_bus_type, NULL, name);

	return dev ? dev : bus_find_device_by_name(&platform_bus_type, NULL,
						   name);
}

/*
 * A probe.end for a device named in the log, with the driver's identity
 * taken from the device as it is now, when it is still bound.
 */
static struct bst_event *bst_kmsg_probe_end(const struct bst_kmsg_ctx *c,
					    const char *devname)
{
	struct bst_event *ev = bst_kmsg_event(c, BST_EV_PROBE_END);
	const struct device_driver *drv = NULL;
	struct device *dev;

	if (!ev)
		return NULL;
	dev = bst_find_device(devname);
	/*
	 * Read once, as dev_driver_string() does: an unbind may clear it
	 * meanwhile, and the device lock could wait on a probe in progress.
	 */
	if (dev)
		drv = READ_ONCE(dev->driver);
	if (drv) {
		bst_probe_fill(ev, dev, drv);
		/* That was our worker; the log does not say how it probed. */
		ev->flags &= ~BST_F_ASYNC;
	}
	bst_copy(ev->id.subject, devname, &ev->flags);
	put_device(dev);
	return ev;
}

/* " nvme0n1: p1 p2" or " vda: vda1 < vda5 >": a partition scan's summary. */
static bool bst_kmsg_partitions(const struct bst_kmsg_ctx *c, const char *t)
{
	const char *colon = strchr(t + 1, ':');
	struct bst_event *ev;
	const char *p;
	u32 n = 0;

	if (t[0] != ' ' || !isalnum(t[1]) || !colon || colon[1] != ' ' ||
	    memchr(t + 1, ' ', colon - t - 1))
		return false;
	for (p = colon + 1; *p; p++)
		if (p[0] == ' ' && isalnum(p[1]))
			n++;
	if (strstr(colon, "unable to read"))
		return false;
	ev = bst_kmsg_event(c, BST_EV_DISK_PARTITIONS);
	if (!ev)
		return true;
	bst_word(ev->disk.name, sizeof(ev->disk.name), t + 1, ":");
	ev->disk.count = n;
	bst_store_commit(ev);
	return true;
}

/*
 * nvme_probe() prints "nvme nvme0: pci function 0000:00:04.0" partway
 * through (not as it starts: initcall_debug's span begins earlier), and
 * "nvme nvme0: 2/0/0 default/read/poll queues" once the controller is up.
 */
static void bst_kmsg_nvme(const struct bst_kmsg_ctx *c, const char *t)
{
	const char *p = strstr(t, ": pci function ");
	enum bst_event_type type = BST_EV_NVME_PROBE;
	struct bst_event *ev;

	if (!p) {
		p = strstr(t, ": ");
		type = BST_EV_NVME_QUEUES;
		if (!p || !strstr(t, " default/read/poll queues"))
			return;
	}
	ev = bst_kmsg_event(c, type);
	if (!ev)
		return;
	bst_word(ev->note.subject, sizeof(ev->note.subject), t + 5, ":");
	bst_word(ev->note.detail, sizeof(ev->note.detail),
		 type == BST_EV_NVME_PROBE ? p + 15 : p + 2, " ");
	bst_store_commit(ev);
}

static void bst_kmsg_parse(struct bst_kmsg_ctx *c, const char *t)
{
	struct bst_event *ev;
	const char *p;
	char word[48];
	long long usecs;
	int ret, rc;

	if (str_has_prefix(t, "Linux version ")) {
		ev = bst_kmsg_event(c, BST_EV_KERNEL_START);
		if (!ev)
			return;
		bst_copy(ev->note.subject, "linux", &ev->flags);
		bst_word(ev->note.detail, sizeof(ev->note.detail), t + 14, " ");
		bst_store_commit(ev);
	} else if (strstr(t, "unpack rootfs image as initramfs") ||
		   str_has_prefix(t, "Unpacking initramfs")) {
		c->initramfs = true;
	} else if (str_has_prefix(t, "Run ") && strstr(t, " as init process")) {
		ev = bst_kmsg_event(c, BST_EV_INIT_EXEC);
		if (!ev)
			return;
		bst_word(ev->exec.path, sizeof(ev->exec.path), t + 4, " ");
		p = strrchr(ev->exec.path, '/');
		bst_copy(ev->exec.name, p ? p + 1 : ev->exec.path, &ev->flags);
		ev->pid = 1;
		if (c->initramfs && !c->root_mounted)
			ev->flags |= BST_F_INITRAMFS;
		bst_store_commit(ev);
	} else if (str_has_prefix(t, "VFS: Mounted root (")) {
		/* "VFS: Mounted root (ext4 filesystem) readonly on device 254:1." */
		unsigned int major, minor;

		c->root_mounted = true;
		ev = bst_kmsg_event(c, BST_EV_ROOT_MOUNT);
		if (!ev)
			return;
		bst_word(ev->disk.fstype, sizeof(ev->disk.fstype), t + 19, " )");
		p = strstr(t, " on device ");
		if (p && sscanf(p + 11, "%u:%u", &major, &minor) == 2) {
			ev->disk.major = major;
			ev->disk.minor = minor;
			snprintf(ev->disk.name, sizeof(ev->disk.name), "%u:%u",
				 major, minor);
		}
		ev->flags |= BST_F_BY_KERNEL;
		bst_store_commit(ev);
	} else if (str_has_prefix(t, "Freeing unused kernel image (initmem)") ||
		   /* free_initmem_default(): arm64 and most others */
		   str_has_prefix(t, "Freeing unused kernel memory:")) {
		ev = bst_kmsg_event(c, BST_EV_KERNEL_INIT_FREED);
		if (!ev)
			return;
		bst_copy(ev->note.subject, "linux", &ev->flags);
		bst_store_commit(ev);
	} else if (sscanf(t, "probe of %47s returned %d after %lld usecs",
			  word, &ret, &usecs) == 3) {
		/* initcall_debug: the kernel's own measurement of a probe. */
		ev = bst_kmsg_probe_end(c, word);
		if (!ev)
			return;
		ev->dur_ns = usecs * NSEC_PER_USEC;
		if (bst_compat_probe_rc(ret, &rc)) {
			ev->rc = rc;
			ev->flags |= BST_F_RC;
		}
		bst_store_commit(ev);
	} else if (str_has_prefix(t, "nvme nvme")) {
		bst_kmsg_nvme(c, t);
	} else if (str_has_prefix(t, "ena ") && strstr(t, " found at mem ")) {
		/* "ena 0000:00:05.0: Elastic Network Adapter (ENA) found at mem ..." */
		ev = bst_kmsg_event(c, BST_EV_ENA_FOUND);
		if (!ev)
			return;
		bst_word(ev->note.subject, sizeof(ev->note.subject), t + 4, ": ");
		p = strstr(t, "mac addr ");
		if (p)
			bst_word(ev->note.detail, sizeof(ev->note.detail), p + 9,
				 " ");
		bst_store_commit(ev);
	} else {
		bst_kmsg_partitions(c, t);
	}
}

/* "[    1.234567] text": the time in ns, and where the text starts. */
static const char *bst_kmsg_time(const char *line, u64 *ns)
{
	unsigned long sec, usec;
	int n = 0;

	if (sscanf(line, "[%lu.%lu]%n", &sec, &usec, &n) != 2 || !n)
		return NULL;
	*ns = (u64)sec * NSEC_PER_SEC + (u64)usec * NSEC_PER_USEC;
	line += n;
	return *line == ' ' ? line + 1 : line;
}

static void bst_kmsg_fn(struct work_struct *work)
{
	u64 load_local = bst_load_boot_ns() + bst_load_local_offset_ns();
	struct bst_kmsg_ctx c = { };
	struct bst_kmsg_iter it;
	size_t len;
	char *line;

	line = kmalloc(BST_KMSG_LINE, GFP_KERNEL);
	if (!line) {
		/* Pairs with the acquire in bst_kmsg_show(). */
		smp_store_release(&bst_kmsg_state, BST_KMSG_FAILED);
		return;
	}
	bst_compat_kmsg_rewind(&it);
	while (bst_compat_kmsg_line(&it, line, BST_KMSG_LINE - 1, &len)) {
		const char *text, *next;

		line[len] = '\0';
		/* A record may hold several lines, each with its prefix. */
		for (text = line; text && *text; text = next) {
			char *nl = strchr(text, '\n');
			const char *msg;

			next = nl ? nl + 1 : NULL;
			if (nl)
				*nl = '\0';
			msg = bst_kmsg_time(text, &c.local_ns);
			if (!msg) {
				bst_kmsg_timestamps = false;
				continue;
			}
			/* From here on, bootstamps saw it live. */
			if (c.local_ns >= load_local)
				goto done;
			/*
			 * The kernel's first line is stamped 0: it predates
			 * the clock. It is "Linux version" on x86 but "Booting
			 * Linux on physical CPU" on arm64, so go by the time.
			 * A log that wrapped starts later than that.
			 */
			if (!bst_kmsg_lines++)
				bst_kmsg_complete = c.local_ns == 0 ||
					str_has_prefix(msg, "Linux version ");
			bst_kmsg_parse(&c, msg);
		}
	}
done:
	kfree(line);
	/* Publishes the counters above to bst_kmsg_show(). */
	smp_store_release(&bst_kmsg_state, BST_KMSG_DONE);
}

static DECLARE_WORK(bst_kmsg_work, bst_kmsg_fn);

void bst_kmsg_init(struct bst_hook_status *st)
{
	strscpy(st->how, "backfill", sizeof(st->how));
	schedule_work(&bst_kmsg_work);
}

void bst_kmsg_exit(void)
{
	cancel_work_sync(&bst_kmsg_work);
}

/*
 * "# kmsg backfill=done backfill_lines=412 backfill_events=9
 *  backfill_complete=1 backfill_timestamps=1" (header keys are unique
 * across the file, hence the prefix).
 * complete=0: the log no longer starts at boot (it wrapped, or was
 * cleared with dmesg -C), so early events may be missing.
 */
void bst_kmsg_show(struct seq_file *m)
{
	static const char * const states[] = { "pending", "done", "failed" };
	/* Pairs with the release in bst_kmsg_fn(). */
	int state = smp_load_acquire(&bst_kmsg_state);

	seq_printf(m, "# kmsg backfill=%s", states[state]);
	if (state == BST_KMSG_DONE)
		seq_printf(m, " backfill_lines=%u backfill_events=%u backfill_complete=%d backfill_timestamps=%d",
			   bst_kmsg_lines, bst_kmsg_events, bst_kmsg_complete,
			   bst_kmsg_timestamps);
	seq_putc(m, '\n');
}
