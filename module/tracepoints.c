// SPDX-License-Identifier: GPL-2.0
/*
 * Attach to core-kernel tracepoints by name. Their __tracepoint_* symbols
 * are not exported, so they are looked up with for_each_kernel_tracepoint().
 * Nothing here can check a probe's prototype: the tables are built with
 * BST_TP(), which checks it at build time.
 */
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "bootstamps.h"

static void bst_tp_match(struct tracepoint *tp, void *data)
{
	struct bst_tp *t = data;

	if (!strcmp(tp->name, t->name))
		t->tp = tp;
}

int bst_tp_attach(struct bst_tp *t)
{
	int err;

	t->tp = NULL;
	for_each_kernel_tracepoint(bst_tp_match, t);
	if (!t->tp)
		return -ENOENT;
	err = tracepoint_probe_register(t->tp, t->probe, NULL);
	t->on = !err;
	return err;
}

/* Callers run bst_tp_sync() once after detaching all of theirs. */
void bst_tp_detach(struct bst_tp *t)
{
	if (t->on)
		tracepoint_probe_unregister(t->tp, t->probe, NULL);
	t->on = false;
}

/* Waits until no probe of ours runs on any CPU. */
void bst_tp_sync(void)
{
	tracepoint_synchronize_unregister();
}
