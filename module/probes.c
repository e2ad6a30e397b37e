// SPDX-License-Identifier: GPL-2.0
/*
 * Driver probe spans, on every bus.
 *
 * First choice: a kretprobe on really_probe(), which brackets the driver's
 * probe on every bus and sees its errno. really_probe() is static, so the
 * compiler may rename or inline it; a short list of fallbacks follows.
 * Second choice: notifiers on the PCI and platform buses, whose BIND and
 * BOUND / NOT_BOUND notifications bracket the probe almost as tightly but
 * cannot see the errno, nor buses other than those two.
 */
#include <linux/device.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "bootstamps.h"
#include "compat.h"

/* Where the probe may be hooked, in order of preference. */
struct bst_probe_site {
	const char *symbol;
	bool dev_first;		/* (dev, drv) rather than (drv, dev) */
};

static const struct bst_probe_site bst_probe_sites[] = {
	{ "really_probe", true },
	{ "__driver_probe_device", false },	/* 5.14+ */
	{ "driver_probe_device", false },
};

/* What the entry handler hands to the return handler. */
struct bst_probe_call {
	struct device *dev;
	struct device_driver *drv;
	u64 start_ns;
	u32 start_seq;
};

static const struct bst_probe_site *bst_site;
static struct kretprobe bst_krp;
static bool bst_krp_on;
static bool bst_notifiers_on;

void bst_probe_fill(struct bst_event *ev, struct device *dev,
		    const struct device_driver *drv)
{
	const struct module *owner = drv->owner;

	bst_copy(ev->id.subject, dev_name(dev), &ev->flags);
	bst_copy(ev->id.driver, drv->name, &ev->flags);
	bst_copy(ev->id.bus, dev->bus ? dev->bus->name : "", &ev->flags);
	if (owner) {
		/* Copied, never kept: the module may be gone when we are read. */
		bst_copy(ev->id.module, owner->name, &ev->flags);
		bst_copy(ev->id.version, owner->version, &ev->flags);
		bst_copy(ev->id.srcversion, owner->srcversion, &ev->flags);
	} else {
		/* Built-in drivers name their would-be module in mod_name. */
		bst_copy(ev->id.module, drv->mod_name, &ev->flags);
		ev->flags |= BST_F_BUILTIN;
	}
	if (current->flags & PF_WQ_WORKER)
		ev->flags |= BST_F_ASYNC;
}

static void bst_probe_start(struct bst_probe_call *call, struct device *dev,
			    struct device_driver *drv)
{
	struct bst_event *ev = bst_store_reserve(BST_EV_PROBE_START);

	call->dev = dev;
	call->drv = drv;
	call->start_seq = 0;
	if (!ev) {
		call->start_ns = ktime_get_boottime_ns();
		return;
	}
	call->start_ns = ev->boot_ns;
	bst_probe_fill(ev, dev, drv);
	call->start_seq = bst_store_seq(ev);
	bst_store_commit(ev);
}

static void bst_probe_end(const struct bst_probe_call *call, bool rc_known,
			  int rc)
{
	struct bst_event *ev = bst_store_reserve(BST_EV_PROBE_END);

	if (!ev)
		return;
	bst_probe_fill(ev, call->dev, call->drv);
	ev->start_seq = call->start_seq;
	ev->dur_ns = ev->boot_ns - call->start_ns;
	if (rc_known) {
		ev->rc = rc;
		ev->flags |= BST_F_RC;
	}
	bst_store_commit(ev);
}

/* kretprobe handlers: preemption is off here; record and return. */
static int bst_krp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct bst_probe_call *call = (struct bst_probe_call *)ri->data;
	void *a0 = (void *)regs_get_kernel_argument(regs, 0);
	void *a1 = (void *)regs_get_kernel_argument(regs, 1);

	if (bst_site->dev_first)
		bst_probe_start(call, a0, a1);
	else
		bst_probe_start(call, a1, a0);
	return 0;
}

static int bst_krp_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct bst_probe_call *call = (void *)ri->data;
	int rc = 0;
	bool known = bst_compat_probe_rc((long)regs_return_value(regs), &rc);

	bst_probe_end(call, known, rc);
	return 0;
}

static int bst_krp_init(struct bst_hook_status *st)
{
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(bst_probe_sites); i++) {
		memset(&bst_krp, 0, sizeof(bst_krp));
		bst_site = &bst_probe_sites[i];
		bst_krp.kp.symbol_name = bst_site->symbol;
		bst_krp.entry_handler = bst_krp_entry;
		bst_krp.handler = bst_krp_return;
		bst_krp.data_size = sizeof(struct bst_probe_call);
		/*
		 * An instance is held for the whole probe, which sleeps, and
		 * probes nest (virtio_pci -> virtio_blk) and run async on many
		 * workers at once. Misses are counted and shown in the header.
		 */
		bst_krp.maxactive = max_t(int, 256, 8 * num_possible_cpus());
		err = register_kretprobe(&bst_krp);
		if (!err) {
			bst_krp_on = true;
			snprintf(st->how, sizeof(st->how), "kretprobe:%s",
				 bst_site->symbol);
			return 0;
		}
	}
	return err;
}

/*
 * Bus notifier fallback. BIND_DRIVER fires just before the driver's probe,
 * BOUND_DRIVER or DRIVER_NOT_BOUND just after, in the probing thread.
 * The start is found again in the store by device and bus.
 */
static int bst_bus_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;
	struct bst_probe_call call = { .dev = dev };
	const struct bst_event *start;

	if (!dev->driver)
		return NOTIFY_DONE;
	call.drv = dev->driver;

	switch (action) {
	case BUS_NOTIFY_BIND_DRIVER:
		bst_probe_start(&call, dev, dev->driver);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
		start = bst_store_find_open(BST_EV_PROBE_START, dev_name(dev),
					    dev->bus->name);
		if (!start)
			break;
		call.start_ns = start->boot_ns;
		call.start_seq = bst_store_seq(start);
		/* The notifier never sees the errno of a failed probe. */
		bst_probe_end(&call, action == BUS_NOTIFY_BOUND_DRIVER, 0);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block bst_pci_nb = { .notifier_call = bst_bus_notify };
static struct notifier_block bst_platform_nb = {
	.notifier_call = bst_bus_notify,
};

static int bst_notifiers_init(struct bst_hook_status *st)
{
	int err;

	err = bus_register_notifier(&pci_bus_type, &bst_pci_nb);
	if (err)
		return err;
	err = bus_register_notifier(&platform_bus_type, &bst_platform_nb);
	if (err) {
		bus_unregister_notifier(&pci_bus_type, &bst_pci_nb);
		return err;
	}
	bst_notifiers_on = true;
	strscpy(st->how, "notifier:pci,platform", sizeof(st->how));
	return 0;
}

/* mode: "auto" (kretprobe, else notifiers), "kretprobe", "notifier", "off". */
int bst_probes_init(const char *mode, struct bst_hook_status *st)
{
	int err = -ENOENT;

	if (!strcmp(mode, "off"))
		return -ECANCELED;
	if (!strcmp(mode, "auto") || !strcmp(mode, "kretprobe")) {
		err = bst_krp_init(st);
		if (!err || strcmp(mode, "auto"))
			return err;
	}
	if (!strcmp(mode, "auto") || !strcmp(mode, "notifier"))
		err = bst_notifiers_init(st);
	return err;
}

/* Returns once no handler of ours runs or can run again. */
void bst_probes_exit(void)
{
	if (bst_krp_on) {
		unregister_kretprobe(&bst_krp);
		bst_krp_on = false;
	}
	if (bst_notifiers_on) {
		bus_unregister_notifier(&platform_bus_type, &bst_platform_nb);
		bus_unregister_notifier(&pci_bus_type, &bst_pci_nb);
		bst_notifiers_on = false;
	}
}

unsigned long bst_probes_missed(void)
{
	return bst_krp_on ? bst_krp.nmissed : 0;
}
