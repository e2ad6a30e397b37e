// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/bootstamps line format (docs/format.md). Pure functions over a
 * caller's buffer, so they can be tested without a live store.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/time64.h>

#include "bootstamps.h"

struct bst_buf {
	char *p;
	size_t size;
	size_t len;
};

static __printf(2, 3) void bst_buf_printf(struct bst_buf *b, const char *fmt, ...)
{
	va_list args;

	if (b->len >= b->size)
		return;
	va_start(args, fmt);
	b->len += vscnprintf(b->p + b->len, b->size - b->len, fmt, args);
	va_end(args);
}

/*
 * Subjects and values never contain whitespace: every byte outside
 * 0x21..0x7e, and the backslash itself, is written as \xHH.
 */
static void bst_buf_escaped(struct bst_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c > 0x20 && c < 0x7f && c != '\\')
			bst_buf_printf(b, "%c", c);
		else
			bst_buf_printf(b, "\\x%02x", c);
	}
}

static void bst_buf_key(struct bst_buf *b, const char *key, const char *val)
{
	bst_buf_printf(b, " %s=", key);
	bst_buf_escaped(b, val);
}

/* Seconds with nine decimals, the form every time in the file takes. */
size_t bst_format_time(char *buf, size_t size, u64 ns)
{
	u32 rem;
	u64 sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);

	return scnprintf(buf, size, "%llu.%09u", sec, rem);
}

static void bst_buf_time(struct bst_buf *b, u64 ns)
{
	if (b->len < b->size)
		b->len += bst_format_time(b->p + b->len, b->size - b->len, ns);
}

static const char * const bst_event_names[] = {
	[BST_EV_MODULE_COMING] = "module.coming",
	[BST_EV_MODULE_LIVE] = "module.live",
	[BST_EV_MODULE_GOING] = "module.going",
	[BST_EV_PROBE_START] = "probe.start",
	[BST_EV_PROBE_END] = "probe.end",
	[BST_EV_MARK] = "mark",
	[BST_EV_DISK_ADD] = "disk.add",
	[BST_EV_DISK_PARTITIONS] = "disk.partitions",
	[BST_EV_DISK_FIRST_IO] = "disk.first_io",
	[BST_EV_FS_MOUNT] = "fs.mount",
	[BST_EV_ROOT_MOUNT] = "root.mount",
	[BST_EV_NET_REGISTER] = "net.register",
	[BST_EV_NET_UP] = "net.up",
	[BST_EV_NET_CARRIER] = "net.carrier",
	[BST_EV_NET_IPV4] = "net.ipv4",
	[BST_EV_NET_IPV6] = "net.ipv6",
	[BST_EV_NET_RENAME] = "net.rename",
	[BST_EV_INIT_EXEC] = "init.exec",
	[BST_EV_EXEC] = "exec",
	[BST_EV_EXIT] = "exit",
	[BST_EV_KERNEL_START] = "kernel.start",
	[BST_EV_KERNEL_INIT_FREED] = "kernel.init_freed",
	[BST_EV_NVME_PROBE] = "nvme.probe",
	[BST_EV_NVME_QUEUES] = "nvme.queues",
	[BST_EV_ENA_FOUND] = "ena.found",
	[BST_EV_FN_START] = "fn.start",
	[BST_EV_FN_END] = "fn.end",
};

static const char *bst_event_name(u8 type)
{
	if (type < ARRAY_SIZE(bst_event_names) && bst_event_names[type])
		return bst_event_names[type];
	return "unknown";
}

/* IFA_* scopes of an IPv6 address, as named by `ip -6 addr`. */
static const char *bst_scope_name(u8 scope)
{
	switch (scope) {
	case 0:
		return "global";
	case 0x10:
		return "host";
	case 0x20:
		return "link";
	case 0x40:
		return "site";
	}
	return "other";
}

static void bst_buf_module_ident(struct bst_buf *b, const struct bst_event *ev)
{
	bst_buf_key(b, "version", ev->id.version);
	bst_buf_key(b, "srcversion", ev->id.srcversion);
}

static void bst_buf_probe_ident(struct bst_buf *b, const struct bst_event *ev)
{
	bst_buf_key(b, "driver", ev->id.driver);
	bst_buf_key(b, "bus", ev->id.bus);
}

static void bst_buf_probe_origin(struct bst_buf *b, const struct bst_event *ev)
{
	bst_buf_key(b, "module", ev->id.module);
	bst_buf_module_ident(b, ev);
	bst_buf_printf(b, " builtin=%d async=%d cpu=%u pid=%u",
		       !!(ev->flags & BST_F_BUILTIN),
		       !!(ev->flags & BST_F_ASYNC), ev->cpu, ev->pid);
	bst_buf_key(b, "comm", ev->comm);
}

static void bst_buf_close(struct bst_buf *b, const struct bst_event *ev)
{
	bst_buf_printf(b, " dur_ns=%llu start=%u", ev->dur_ns, ev->start_seq);
}

static void bst_buf_rc(struct bst_buf *b, const struct bst_event *ev)
{
	if (ev->flags & BST_F_RC)
		bst_buf_printf(b, " rc=%d", ev->rc);
}

static void bst_buf_devt(struct bst_buf *b, const struct bst_event *ev)
{
	if (ev->disk.major || ev->disk.minor)
		bst_buf_printf(b, " dev=%u:%u", ev->disk.major, ev->disk.minor);
}

static void bst_buf_disk(struct bst_buf *b, const struct bst_event *ev)
{
	switch (ev->type) {
	case BST_EV_DISK_ADD:
		bst_buf_key(b, "parent", ev->disk.parent);
		bst_buf_key(b, "driver", ev->disk.driver);
		break;
	case BST_EV_DISK_PARTITIONS:
		bst_buf_printf(b, " count=%u", ev->disk.count);
		bst_buf_devt(b, ev);
		bst_buf_rc(b, ev);
		if (!(ev->flags & BST_F_KMSG))
			bst_buf_close(b, ev);
		break;
	case BST_EV_DISK_FIRST_IO:
		bst_buf_rc(b, ev);
		bst_buf_printf(b, " dur_ns=%llu pid=%u", ev->dur_ns, ev->pid);
		bst_buf_key(b, "comm", ev->comm);
		break;
	case BST_EV_FS_MOUNT:
	case BST_EV_ROOT_MOUNT:
		bst_buf_key(b, "fstype", ev->disk.fstype);
		bst_buf_devt(b, ev);
		if (ev->type == BST_EV_FS_MOUNT) {
			bst_buf_key(b, "source", ev->disk.parent);
			break;
		}
		bst_buf_printf(b, " by=%s", ev->flags & BST_F_BY_KERNEL ?
			       "kernel" : "initramfs");
		if (ev->start_seq)
			bst_buf_printf(b, " mount=%u", ev->start_seq);
		break;
	}
}

static void bst_buf_net(struct bst_buf *b, const struct bst_event *ev)
{
	bst_buf_printf(b, " ifindex=%u", ev->net.ifindex);
	if (ev->type == BST_EV_NET_IPV4 || ev->type == BST_EV_NET_IPV6)
		bst_buf_key(b, "addr", ev->net.addr);
	if (ev->type == BST_EV_NET_IPV6)
		bst_buf_printf(b, " scope=%s", bst_scope_name(ev->net.scope));
	bst_buf_key(b, "parent", ev->net.parent);
	bst_buf_key(b, "driver", ev->net.driver);
	if (ev->flags & BST_F_REPLAY)
		bst_buf_printf(b, " replay=1");
}

static void bst_buf_exec(struct bst_buf *b, const struct bst_event *ev)
{
	if (ev->type == BST_EV_EXIT) {
		bst_buf_printf(b, " pid=%u status=%d", ev->pid,
			       ev->exec.status);
		bst_buf_close(b, ev);
		return;
	}
	bst_buf_key(b, "path", ev->exec.path);
	bst_buf_printf(b, " pid=%u", ev->pid);
	if (ev->type == BST_EV_INIT_EXEC)
		bst_buf_printf(b, " phase=%s", ev->flags & BST_F_INITRAMFS ?
			       "initramfs" : "root");
	else
		bst_buf_printf(b, " ppid=%u", ev->exec.ppid);
}

static void bst_buf_note(struct bst_buf *b, const struct bst_event *ev)
{
	static const char * const keys[] = {
		[BST_EV_KERNEL_START] = "release",
		[BST_EV_NVME_PROBE] = "device",
		[BST_EV_NVME_QUEUES] = "queues",
		[BST_EV_ENA_FOUND] = "mac",
	};

	if (ev->type < ARRAY_SIZE(keys) && keys[ev->type])
		bst_buf_key(b, keys[ev->type], ev->note.detail);
}

/*
 * Format one event as a line ending in '\n'. Returns its length; a line
 * that does not fit is cut short but still ends in '\n'. A buffer with
 * no room for "\n" and its NUL gets no line at all.
 */
size_t bst_format_event(char *buf, size_t size, const struct bst_event *ev,
			u32 seq)
{
	struct bst_buf b = { .p = buf, .size = size - 1, .len = 0 };

	if (size < 2) {
		if (size)
			buf[0] = '\0';
		return 0;
	}

	bst_buf_printf(&b, "%u ", seq);
	bst_buf_time(&b, ev->boot_ns);
	bst_buf_printf(&b, " %s ", bst_event_name(ev->type));

	if (ev->type == BST_EV_MARK) {
		bst_buf_escaped(&b, ev->text);
		bst_buf_printf(&b, " pid=%u", ev->pid);
		bst_buf_key(&b, "comm", ev->comm);
	} else {
		bst_buf_escaped(&b, ev->id.subject[0] ? ev->id.subject : "?");
	}

	switch (ev->type) {
	case BST_EV_MODULE_COMING:
		bst_buf_module_ident(&b, ev);
		break;
	case BST_EV_MODULE_LIVE:
		bst_buf_close(&b, ev);
		bst_buf_module_ident(&b, ev);
		if (ev->flags & BST_F_SELF)
			bst_buf_printf(&b, " self=1");
		break;
	case BST_EV_MODULE_GOING:
		if (ev->start_seq)
			bst_buf_close(&b, ev);
		bst_buf_printf(&b, " phase=%s",
			       ev->flags & BST_F_UNLOAD ? "unload" : "init");
		bst_buf_module_ident(&b, ev);
		break;
	case BST_EV_PROBE_START:
		bst_buf_probe_ident(&b, ev);
		bst_buf_probe_origin(&b, ev);
		break;
	case BST_EV_PROBE_END:
		bst_buf_probe_ident(&b, ev);
		bst_buf_rc(&b, ev);
		bst_buf_close(&b, ev);
		bst_buf_probe_origin(&b, ev);
		break;
	case BST_EV_DISK_ADD:
	case BST_EV_DISK_PARTITIONS:
	case BST_EV_DISK_FIRST_IO:
	case BST_EV_FS_MOUNT:
	case BST_EV_ROOT_MOUNT:
		bst_buf_disk(&b, ev);
		break;
	case BST_EV_NET_REGISTER:
	case BST_EV_NET_UP:
	case BST_EV_NET_CARRIER:
	case BST_EV_NET_IPV4:
	case BST_EV_NET_IPV6:
	case BST_EV_NET_RENAME:
		bst_buf_net(&b, ev);
		break;
	case BST_EV_INIT_EXEC:
	case BST_EV_EXEC:
	case BST_EV_EXIT:
		bst_buf_exec(&b, ev);
		break;
	case BST_EV_FN_START:
		bst_buf_key(&b, "module", ev->id.module);
		bst_buf_printf(&b, " pid=%u", ev->pid);
		bst_buf_key(&b, "comm", ev->comm);
		break;
	case BST_EV_FN_END:
		bst_buf_key(&b, "module", ev->id.module);
		bst_buf_printf(&b, " ret=%d", ev->rc);
		bst_buf_close(&b, ev);
		bst_buf_printf(&b, " pid=%u", ev->pid);
		bst_buf_key(&b, "comm", ev->comm);
		break;
	case BST_EV_KERNEL_START:
	case BST_EV_KERNEL_INIT_FREED:
	case BST_EV_NVME_PROBE:
	case BST_EV_NVME_QUEUES:
	case BST_EV_ENA_FOUND:
		bst_buf_note(&b, ev);
		break;
	}
	if (ev->flags & BST_F_KMSG)
		bst_buf_printf(&b, " src=kmsg");
	if (ev->flags & BST_F_TRUNC)
		bst_buf_printf(&b, " truncated=1");
	bst_buf_printf(&b, " local=");
	bst_buf_time(&b, ev->local_ns);

	/* b.size left room for the newline. */
	b.len = min(b.len, b.size);
	buf[b.len++] = '\n';
	buf[b.len] = '\0';
	return b.len;
}
