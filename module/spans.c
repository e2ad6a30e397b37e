// SPDX-License-Identifier: GPL-2.0
/*
 * Driver-internal phase spans: for each "module:function" in the `spans`
 * parameter, a kretprobe records fn.start / fn.end around every call, so a
 * slow probe shows which of its steps waited (ENA's device reset, its
 * admin queue...). A probe is attached when its module comes and removed
 * when it goes; the list can be changed at run time. A function that does
 * not exist or cannot be probed is shown in the header, never a failure.
 */
#include <linux/ctype.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "bootstamps.h"
#include "compat.h"

#define BST_SPANS_MAX		16
#define BST_SPAN_NAME_MAX	64

struct bst_span_hook {
	char module[MODULE_NAME_LEN];
	char func[BST_SPAN_NAME_MAX];
	char symbol[MODULE_NAME_LEN + BST_SPAN_NAME_MAX];	/* "mod:func" */
	struct kretprobe krp;
	bool on;
	bool waiting;		/* off until its module comes */
	int err;		/* why it is off otherwise */
};

/* What fn.start hands to fn.end. */
struct bst_span_call {
	u64 start_ns;
	u32 start_seq;
};

static struct bst_span_hook bst_span_hooks[BST_SPANS_MAX];
static unsigned int bst_span_count;
static bool bst_spans_ready;		/* the store exists: may attach */
static bool bst_spans_loading = true;	/* bst_spans_init() has not run */
static int bst_spans_load_err;		/* spans= given at load was bad */
static DEFINE_MUTEX(bst_spans_lock);	/* the table, and attaching */

/*
 * The hook a call belongs to, or NULL. Where kretprobes do not use rethook
 * (x86 5.11 to 5.18), unregister_kretprobe() clears the instance's
 * kretprobe pointer while calls may still be in our handlers, so a
 * handler can find none: rewriting spans= or unloading while a timed
 * function runs. The kernel's own kretprobe_dispatcher() checks the same.
 */
static const struct bst_span_hook *bst_span_of(struct kretprobe_instance *ri)
{
	struct kretprobe *rp = bst_compat_get_kretprobe(ri);

	return rp ? container_of(rp, struct bst_span_hook, krp) : NULL;
}

static int bst_fn_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct bst_span_hook *h = bst_span_of(ri);
	struct bst_span_call *call = (struct bst_span_call *)ri->data;
	struct bst_event *ev;

	call->start_seq = 0;
	call->start_ns = 0;
	if (!h)
		return 1;	/* and no return handler for this call */
	ev = bst_store_reserve(BST_EV_FN_START);
	if (!ev) {
		call->start_ns = ktime_get_boottime_ns();
		return 0;
	}
	bst_copy(ev->id.subject, h->func, &ev->flags);
	bst_copy(ev->id.module, h->module, &ev->flags);
	call->start_ns = ev->boot_ns;
	call->start_seq = bst_store_seq(ev);
	bst_store_commit(ev);
	return 0;
}

static int bst_fn_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct bst_span_hook *h = bst_span_of(ri);
	const struct bst_span_call *call = (void *)ri->data;
	struct bst_event *ev;

	/* No hook, or its entry saw none: there is no start to close. */
	if (!h || !call->start_ns)
		return 0;
	ev = bst_store_reserve(BST_EV_FN_END);
	if (!ev)
		return 0;
	bst_copy(ev->id.subject, h->func, &ev->flags);
	bst_copy(ev->id.module, h->module, &ev->flags);
	ev->start_seq = call->start_seq;
	ev->dur_ns = ev->boot_ns - call->start_ns;
	/* The low 32 bits: an errno for most functions worth timing. */
	ev->rc = (int)regs_return_value(regs);
	ev->flags |= BST_F_RC;
	bst_store_commit(ev);
	return 0;
}

/*
 * Caller holds bst_spans_lock. coming: the module is known to be there,
 * so a failure means the function cannot be probed. Otherwise -ENOENT may
 * just mean the module has not loaded yet.
 */
static void bst_span_attach(struct bst_span_hook *h, bool coming)
{
	if (h->on || !bst_spans_ready)
		return;
	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = h->symbol;
	h->krp.entry_handler = bst_fn_entry;
	h->krp.handler = bst_fn_return;
	h->krp.data_size = sizeof(struct bst_span_call);
	h->krp.maxactive = 64;
	h->err = register_kretprobe(&h->krp);
	h->on = !h->err;
	h->waiting = h->err == -ENOENT && !coming;
}

/* Caller holds bst_spans_lock. */
static void bst_span_detach(struct bst_span_hook *h)
{
	if (h->on)
		unregister_kretprobe(&h->krp);
	h->on = false;
	h->waiting = true;
}

/*
 * Module and function names are C identifiers (a function may carry a
 * compiler suffix such as ".isra.0", a module name a '-'), so they never
 * need escaping in the header's words.
 */
static bool bst_span_name_ok(const char *s, size_t len, bool module)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && s[i] != '_' &&
		    !(module ? s[i] == '-' : s[i] == '.'))
			return false;
	return true;
}

/*
 * "ena:ena_com_dev_reset,ena:ena_device_init" into the table. Module
 * names are kept as the kernel spells them, '-' as '_' (modprobe takes
 * both).
 */
static int bst_spans_parse(const char *val, struct bst_span_hook *t,
			   unsigned int *n)
{
	const char *p = val;

	*n = 0;
	while (*p && *p != '\n') {
		size_t len = strcspn(p, ",\n");
		const char *colon = memchr(p, ':', len);
		size_t mlen = colon ? (size_t)(colon - p) : 0;
		size_t flen = colon ? len - mlen - 1 : 0;

		if (!colon || !mlen || !flen || mlen >= MODULE_NAME_LEN ||
		    flen >= BST_SPAN_NAME_MAX ||
		    !bst_span_name_ok(p, mlen, true) ||
		    !bst_span_name_ok(colon + 1, flen, false)) {
			pr_err("spans: '%.*s' is not module:function\n",
			       (int)len, p);
			return -EINVAL;
		}
		if (*n == BST_SPANS_MAX) {
			pr_err("spans: at most %d functions\n", BST_SPANS_MAX);
			return -EINVAL;
		}
		memcpy(t[*n].module, p, mlen);
		t[*n].module[mlen] = '\0';
		strreplace(t[*n].module, '-', '_');
		memcpy(t[*n].func, colon + 1, flen);
		t[*n].func[flen] = '\0';
		/* "module:function", as kprobes want it: mlen + flen < size. */
		memcpy(t[*n].symbol, t[*n].module, mlen);
		t[*n].symbol[mlen] = ':';
		memcpy(t[*n].symbol + mlen + 1, t[*n].func, flen + 1);
		t[*n].waiting = true;
		(*n)++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * A bad list is refused. At load (modprobe.d, the kernel command line) it
 * is not an error of the whole module: the boot is still recorded, with
 * "spans=off:-22" in the header and the reason in the kernel log.
 */
static int bst_spans_set(const char *val, const struct kernel_param *kp)
{
	static struct bst_span_hook parsed[BST_SPANS_MAX];
	unsigned int i, n;
	int err;

	mutex_lock(&bst_spans_lock);
	memset(parsed, 0, sizeof(parsed));
	err = bst_spans_parse(val, parsed, &n);
	if (bst_spans_load_err) {
		pr_err("spans: off since load (a bad list); reload to set it\n");
		err = -EINVAL;
	} else if (err && bst_spans_loading) {
		bst_spans_load_err = err;
		err = 0;
	} else if (!err) {
		for (i = 0; i < bst_span_count; i++)
			bst_span_detach(&bst_span_hooks[i]);
		memcpy(bst_span_hooks, parsed, sizeof(parsed));
		bst_span_count = n;
		/* Modules already loaded get theirs now; others when they come. */
		for (i = 0; i < n; i++)
			bst_span_attach(&bst_span_hooks[i], false);
	}
	mutex_unlock(&bst_spans_lock);
	return err;
}

static int bst_spans_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	mutex_lock(&bst_spans_lock);
	for (i = 0; i < bst_span_count; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s",
				 i ? "," : "", bst_span_hooks[i].symbol);
	mutex_unlock(&bst_spans_lock);
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops bst_spans_ops = {
	.set = bst_spans_set,
	.get = bst_spans_get,
};

module_param_cb(spans, &bst_spans_ops, NULL, 0644);
MODULE_PARM_DESC(spans, "Functions to time inside drivers, as module:function,... (e.g. ena:ena_com_dev_reset); writable at run time");

static int bst_spans_module_notify(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	const struct module *mod = data;
	unsigned int i;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&bst_spans_lock);
	for (i = 0; i < bst_span_count; i++) {
		struct bst_span_hook *h = &bst_span_hooks[i];

		if (strcmp(h->module, mod->name))
			continue;
		/* COMING: the text is there and init has not run yet. */
		if (action == MODULE_STATE_COMING)
			bst_span_attach(h, true);
		else
			bst_span_detach(h);
	}
	mutex_unlock(&bst_spans_lock);
	return NOTIFY_DONE;
}

static struct notifier_block bst_spans_module_nb = {
	.notifier_call = bst_spans_module_notify,
};

/*
 * "# spans ena:ena_com_dev_reset=on ena:nope=off:-2 xen_blkfront:f=waiting"
 * waiting: not attached, and its module has not come since the list was
 * set: it is not loaded yet (or, for a module loaded before, the function
 * may not exist: bootstamps cannot tell which).
 */
void bst_spans_show(struct seq_file *m)
{
	unsigned int i;

	mutex_lock(&bst_spans_lock);
	if (bst_span_count) {
		seq_puts(m, "# spans");
		for (i = 0; i < bst_span_count; i++) {
			const struct bst_span_hook *h = &bst_span_hooks[i];

			if (h->on)
				seq_printf(m, " %s=on", h->symbol);
			else if (h->waiting)
				seq_printf(m, " %s=waiting", h->symbol);
			else
				seq_printf(m, " %s=off:%d", h->symbol, h->err);
		}
		seq_putc(m, '\n');
	}
	mutex_unlock(&bst_spans_lock);
}

int bst_spans_init(struct bst_hook_status *st)
{
	unsigned int i;
	int err;

	mutex_lock(&bst_spans_lock);
	bst_spans_loading = false;
	mutex_unlock(&bst_spans_lock);
	if (bst_spans_load_err)
		return bst_spans_load_err;
	err = register_module_notifier(&bst_spans_module_nb);
	if (err)
		return err;
	mutex_lock(&bst_spans_lock);
	bst_spans_ready = true;
	for (i = 0; i < bst_span_count; i++)
		bst_span_attach(&bst_span_hooks[i], false);
	mutex_unlock(&bst_spans_lock);
	strscpy(st->how, "kretprobe", sizeof(st->how));
	return 0;
}

void bst_spans_exit(void)
{
	unsigned int i;

	unregister_module_notifier(&bst_spans_module_nb);
	mutex_lock(&bst_spans_lock);
	bst_spans_ready = false;
	for (i = 0; i < bst_span_count; i++)
		bst_span_detach(&bst_span_hooks[i]);
	mutex_unlock(&bst_spans_lock);
}
