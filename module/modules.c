// SPDX-License-Identifier: GPL-2.0
/*
 * Module load spans: COMING (loaded, about to run its init) to LIVE (init
 * returned 0) or GOING (init failed, or the module is being removed).
 * The module notifier chain is process context; we still only record.
 */
#include <linux/module.h>
#include <linux/notifier.h>

#include "bootstamps.h"

static void bst_module_fill(struct bst_event *ev, const struct module *mod)
{
	bst_copy(ev->id.subject, mod->name, &ev->flags);
	bst_copy(ev->id.version, mod->version, &ev->flags);
	bst_copy(ev->id.srcversion, mod->srcversion, &ev->flags);
}

static int bst_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	const struct module *mod = data;
	const struct bst_event *coming = NULL;
	struct bst_event *ev;
	enum bst_event_type type;

	/* Our own load is recorded once, by bst_init(). */
	if (mod == THIS_MODULE)
		return NOTIFY_DONE;

	switch (action) {
	case MODULE_STATE_COMING:
		type = BST_EV_MODULE_COMING;
		break;
	case MODULE_STATE_LIVE:
		type = BST_EV_MODULE_LIVE;
		break;
	case MODULE_STATE_GOING:
		type = BST_EV_MODULE_GOING;
		break;
	default:
		return NOTIFY_DONE;
	}

	/*
	 * Only one module of a name can be between COMING and LIVE at a
	 * time (the loader makes a second one wait), so the latest open
	 * COMING of this name is the one to close.
	 */
	if (type != BST_EV_MODULE_COMING)
		coming = bst_store_find_open(BST_EV_MODULE_COMING, mod->name,
					     NULL);

	ev = bst_store_reserve(type);
	if (!ev)
		return NOTIFY_DONE;
	bst_module_fill(ev, mod);
	if (coming) {
		ev->start_seq = bst_store_seq(coming);
		ev->dur_ns = ev->boot_ns - coming->boot_ns;
	} else if (type == BST_EV_MODULE_GOING) {
		ev->flags |= BST_F_UNLOAD;
	}
	bst_store_commit(ev);
	return NOTIFY_DONE;
}

static struct notifier_block bst_module_nb = {
	.notifier_call = bst_module_notify,
};

int bst_modules_init(struct bst_hook_status *st)
{
	int err = register_module_notifier(&bst_module_nb);

	if (!err)
		strscpy(st->how, "notifier", sizeof(st->how));
	return err;
}

void bst_modules_exit(void)
{
	unregister_module_notifier(&bst_module_nb);
}
