// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/bootstamps line format (docs/format.md). Pure functions over a
 * caller's buffer, so they can be tested without a live store.
 */
#include <linux/kernel.h>
#include <linux/math64.h>

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

static const char *bst_event_name(u8 type)
{
	switch (type) {
	case BST_EV_MODULE_COMING:
		return "module.coming";
	case BST_EV_MODULE_LIVE:
		return "module.live";
	case BST_EV_MODULE_GOING:
		return "module.going";
	case BST_EV_PROBE_START:
		return "probe.start";
	case BST_EV_PROBE_END:
		return "probe.end";
	case BST_EV_MARK:
		return "mark";
	}
	return "unknown";
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

/*
 * Format one event as a line ending in '\n'. Returns its length; a line
 * that does not fit is cut short but still ends in '\n'.
 */
size_t bst_format_event(char *buf, size_t size, const struct bst_event *ev,
			u32 seq)
{
	struct bst_buf b = { .p = buf, .size = size - 1, .len = 0 };

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
		if (ev->flags & BST_F_RC)
			bst_buf_printf(&b, " rc=%d", ev->rc);
		bst_buf_close(&b, ev);
		bst_buf_probe_origin(&b, ev);
		break;
	}
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
