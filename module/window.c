// SPDX-License-Identifier: GPL-2.0
/*
 * The boot window: while it is open, every program exec'd is recorded
 * (exec.c) and block requests are watched for first I/Os (block.c). It
 * closes at the first "boot-done" marker, or once CLOCK_BOOTTIME passes
 * boot_window seconds, whichever comes first; the high-volume hooks then
 * detach, so a booted machine pays nothing for them and nobody can fill
 * the store through them afterwards.
 *
 * Closing happens in a work item: the marker's writer and the timeout
 * only ask for it. Detaching waits for running handlers (an RCU grace
 * period), which must not happen under a lock a handler could want, and
 * module unload cancels the work before it detaches anything itself.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "bootstamps.h"

#define BST_WINDOW_DEFAULT_S	600
#define BST_PROC_BUDGET_DEFAULT	1024

static unsigned int boot_window = BST_WINDOW_DEFAULT_S;
module_param(boot_window, uint, 0444);
MODULE_PARM_DESC(boot_window, "Seconds after boot (CLOCK_BOOTTIME) at which the boot window closes if no boot-done marker closed it (default 600; 0: no window, only track= programs are recorded)");

static unsigned int proc_budget = BST_PROC_BUDGET_DEFAULT;
module_param(proc_budget, uint, 0444);
MODULE_PARM_DESC(proc_budget, "Most execs of programs not named in track= recorded in the boot window (default 1024); the rest are counted");

static const char *const bst_window_names[] = {
	[BST_WINDOW_OPEN] = "open",
	[BST_WINDOW_BOOT_DONE] = "boot-done",
	[BST_WINDOW_TIMEOUT] = "timeout",
	[BST_WINDOW_OFF] = "off",
};

/* enum bst_window_state; read locklessly by the handlers. */
static int bst_window_state = BST_WINDOW_OFF;
static u64 bst_window_closed_ns;
static DEFINE_MUTEX(bst_window_lock);	/* closing, and unload */
static bool bst_window_unloading;
static bool bst_window_detached;
static struct delayed_work bst_window_work;

static atomic_t bst_window_execs = ATOMIC_INIT(0);
static atomic64_t bst_window_over_budget = ATOMIC64_INIT(0);

bool bst_window_is_open(void)
{
	return READ_ONCE(bst_window_state) == BST_WINDOW_OPEN;
}

bool bst_window_take_exec(void)
{
	if (atomic_add_unless(&bst_window_execs, 1, proc_budget))
		return true;
	atomic64_inc(&bst_window_over_budget);
	return false;
}

static u64 bst_window_end_ns(void)
{
	return (u64)boot_window * NSEC_PER_SEC;
}

/* Under bst_window_lock. */
static void bst_window_set_closed(enum bst_window_state why)
{
	if (bst_window_state != BST_WINDOW_OPEN)
		return;
	bst_window_closed_ns = ktime_get_boottime_ns();
	/* Handlers that see the new state no longer record. */
	WRITE_ONCE(bst_window_state, why);
}

static void bst_window_work_fn(struct work_struct *work)
{
	mutex_lock(&bst_window_lock);
	if (bst_window_state == BST_WINDOW_OPEN &&
	    ktime_get_boottime_ns() >= bst_window_end_ns())
		bst_window_set_closed(BST_WINDOW_TIMEOUT);
	if (bst_window_state != BST_WINDOW_OPEN && !bst_window_detached &&
	    !bst_window_unloading) {
		bst_block_window_closed();
		bst_exec_window_closed();
		WRITE_ONCE(bst_window_detached, true);
	}
	mutex_unlock(&bst_window_lock);
}

/* The first boot-done marker; process context (the marker's write). */
void bst_window_boot_done(void)
{
	mutex_lock(&bst_window_lock);
	if (bst_window_state == BST_WINDOW_OPEN && !bst_window_unloading) {
		bst_window_set_closed(BST_WINDOW_BOOT_DONE);
		mod_delayed_work(system_wq, &bst_window_work, 0);
	}
	mutex_unlock(&bst_window_lock);
}

/*
 * "# window=closed window_end_s=600 window_budget=1024 window_execs=37
 *  window_execs_over_budget=0 track=sshd window_closed_at=12.345678901
 *  window_closed_by=boot-done window_detached=block,exec"
 */
void bst_window_show(struct seq_file *m)
{
	int state = READ_ONCE(bst_window_state);
	char t[32];

	seq_printf(m, "# window=%s", state == BST_WINDOW_OPEN ? "open" :
		   state == BST_WINDOW_OFF ? "off" : "closed");
	seq_printf(m, " window_end_s=%u window_budget=%u window_execs=%d window_execs_over_budget=%lld",
		   boot_window, proc_budget, atomic_read(&bst_window_execs),
		   atomic64_read(&bst_window_over_budget));
	bst_exec_track_show(m);
	if (state == BST_WINDOW_BOOT_DONE || state == BST_WINDOW_TIMEOUT) {
		/* Set before the state, under the lock: take it to be sure. */
		mutex_lock(&bst_window_lock);
		bst_format_time(t, sizeof(t), bst_window_closed_ns);
		mutex_unlock(&bst_window_lock);
		seq_printf(m, " window_closed_at=%s window_closed_by=%s", t,
			   bst_window_names[state]);
	}
	/* What no longer costs anything (exec stays while track= names some). */
	if (READ_ONCE(bst_window_detached))
		seq_printf(m, " window_detached=block%s",
			   bst_exec_parked() ? ",exec" : "");
	seq_putc(m, '\n');
}

void bst_window_init(void)
{
	u64 now = ktime_get_boottime_ns(), end = bst_window_end_ns();

	INIT_DELAYED_WORK(&bst_window_work, bst_window_work_fn);
	if (!boot_window)
		return;
	WRITE_ONCE(bst_window_state, BST_WINDOW_OPEN);
	/*
	 * Loaded after the window (modprobe on a running machine): the boot
	 * is over, so the window closes at once, as a timeout.
	 */
	schedule_delayed_work(&bst_window_work, now >= end ? 0 :
			      nsecs_to_jiffies(end - now) + 1);
}

/* First at unload: afterwards nothing detaches behind the hooks' backs. */
void bst_window_exit(void)
{
	mutex_lock(&bst_window_lock);
	bst_window_unloading = true;
	mutex_unlock(&bst_window_lock);
	cancel_delayed_work_sync(&bst_window_work);
}
