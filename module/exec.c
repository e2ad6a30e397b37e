// SPDX-License-Identifier: GPL-2.0
/*
 * Early userspace: every exec by PID 1 (the initramfs's /init, then the
 * real root's init after switch-root); exec/exit spans of every program
 * started while the boot window is open (window.c), up to its budget; and
 * after it, of the programs named in the `track` parameter. Once the
 * window has closed, everything else that execs is ignored after one
 * compare, and with an empty track= the hooks are detached altogether.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/kdev_t.h>
#include <linux/minmax.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
/*
 * Without CREATE_TRACE_POINTS this only declares the sched tracepoints:
 * BST_TP() checks our probes against them, and nothing is referenced.
 */
#include <trace/events/sched.h>

#include "bootstamps.h"
#include "compat.h"

#define BST_TRACK_NAMES		32
#define BST_TRACK_NAME_MAX	32	/* a basename, NUL included */
#define BST_TRACK_DEFAULT \
	"cloud-init,ntpdate,chronyd,systemd-udevd,udevadm,dhclient,dhcpcd,systemd-networkd,sshd"

/* The parsed track= list, replaced whole and read under RCU. */
struct bst_track {
	struct rcu_head rcu;
	unsigned int n;
	char names[BST_TRACK_NAMES][BST_TRACK_NAME_MAX];
};

static struct bst_track __rcu *bst_track;
static DEFINE_MUTEX(bst_track_lock);
static const char bst_track_default[] = BST_TRACK_DEFAULT;
static bool bst_track_loading = true;	/* bst_exec_init() has not run */

/*
 * Recorded processes still running, so that their exit closes the span:
 * open addressing by pid, each pid looked for in BST_LIVE_PROBE slots
 * from its hash, so an exit costs a few reads however full the table is.
 * Daemons started in the window hold their slot for good; a process that
 * finds no free slot has its exit counted in exits_lost.
 */
#define BST_LIVE_BITS		10
#define BST_LIVE_SLOTS		BIT(BST_LIVE_BITS)
#define BST_LIVE_PROBE		32
struct bst_live {
	atomic_t pid;		/* 0 = free */
	u32 seq;
	bool user;		/* counts against bst_user_live */
	u64 start_ns;
};

static struct bst_live bst_live[BST_LIVE_SLOTS];
static atomic_t bst_live_count = ATOMIC_INIT(0);
static atomic64_t bst_exits_lost = ATOMIC64_INIT(0);

static struct bst_live *bst_live_slot(pid_t pid, unsigned int i)
{
	return &bst_live[(hash_32((u32)pid, BST_LIVE_BITS) + i) &
			 (BST_LIVE_SLOTS - 1)];
}

u64 bst_exec_exits_lost(void)
{
	return atomic64_read(&bst_exits_lost);
}

/*
 * Anyone can run a program named like a tracked one (a copy of /bin/true
 * called ~/sshd), so what users other than root cause has a quota of its
 * own, as markers do, and may hold at most half the exit-tracking slots:
 * a loop of fake sshds cannot crowd out the boot's events.
 */
#define BST_USER_EXEC_QUOTA_DEFAULT	64
static unsigned int user_exec_quota = BST_USER_EXEC_QUOTA_DEFAULT;
module_param(user_exec_quota, uint, 0444);
MODULE_PARM_DESC(user_exec_quota, "Most tracked execs recorded from users other than root (default 64)");

static atomic_t bst_user_execs = ATOMIC_INIT(0);
static atomic_t bst_user_live = ATOMIC_INIT(0);
static atomic64_t bst_user_execs_refused = ATOMIC64_INIT(0);

u64 bst_exec_user_refused(void)
{
	return atomic64_read(&bst_user_execs_refused);
}

/* Real uid 0 in the initial user namespace: not a user, not a container. */
static bool bst_exec_by_root(void)
{
	return uid_eq(current_uid(), GLOBAL_ROOT_UID);
}

static int bst_track_parse(const char *val, struct bst_track *t)
{
	const char *p = val;

	t->n = 0;
	while (*p && *p != '\n') {
		size_t len = strcspn(p, ",\n");

		if (len == 0 || len >= BST_TRACK_NAME_MAX) {
			pr_err("track: each name must be 1 to %d characters\n",
			       BST_TRACK_NAME_MAX - 1);
			return -EINVAL;
		}
		if (t->n == BST_TRACK_NAMES) {
			pr_err("track: at most %d names\n", BST_TRACK_NAMES);
			return -EINVAL;
		}
		memcpy(t->names[t->n], p, len);
		t->names[t->n][len] = '\0';
		t->n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void bst_exec_unpark(const struct bst_track *t);

static int bst_track_set(const char *val, const struct kernel_param *kp)
{
	struct bst_track *t, *old;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	err = bst_track_parse(val, t);
	/*
	 * At load (modprobe.d, the kernel command line) a bad list must not
	 * lose the boot: the default list is used, and the log says so.
	 * Written at run time, it is refused.
	 */
	if (err && bst_track_loading && val != bst_track_default) {
		pr_err("track: using the default list instead\n");
		err = bst_track_parse(bst_track_default, t);
	}
	if (err) {
		kfree(t);
		return err;
	}
	mutex_lock(&bst_track_lock);
	old = rcu_replace_pointer(bst_track, t,
				  lockdep_is_held(&bst_track_lock));
	if (!bst_track_loading)
		bst_exec_unpark(t);
	mutex_unlock(&bst_track_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int bst_track_get(char *buf, const struct kernel_param *kp)
{
	const struct bst_track *t;
	int len = 0;
	unsigned int i;

	rcu_read_lock();
	t = rcu_dereference(bst_track);
	for (i = 0; t && i < t->n; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s",
				 i ? "," : "", t->names[i]);
	rcu_read_unlock();
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

/* " track=a,b,c" on the header's window line: which execs last past it. */
void bst_exec_track_show(struct seq_file *m)
{
	const struct bst_track *t;
	unsigned int i;

	seq_puts(m, " track=");
	rcu_read_lock();
	t = rcu_dereference(bst_track);
	for (i = 0; t && i < t->n; i++)
		seq_printf(m, "%s%s", i ? "," : "", t->names[i]);
	rcu_read_unlock();
}

static const struct kernel_param_ops bst_track_ops = {
	.set = bst_track_set,
	.get = bst_track_get,
};

module_param_cb(track, &bst_track_ops, NULL, 0644);
MODULE_PARM_DESC(track, "Programs (basenames, comma-separated) whose exec and exit are recorded; writable at run time. Default: "
		 BST_TRACK_DEFAULT);

static bool bst_is_tracked(const char *name)
{
	const struct bst_track *t;
	bool found = false;
	unsigned int i;

	rcu_read_lock();
	t = rcu_dereference(bst_track);
	for (i = 0; t && i < t->n && !found; i++)
		found = !strcmp(t->names[i], name);
	rcu_read_unlock();
	return found;
}

static const char *bst_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The program's name: the basename of the file exec'd, but for one
 * started through /proc/self/exe or /dev/fd/N the basename of its argv[0].
 * Busybox starts its applets so (a busybox initramfs would otherwise run
 * nothing but "exe"), and fexecve() leaves only a descriptor's name.
 * Called in the new program's context: its argv is in its own memory,
 * read without faulting (the tracepoint may not sleep).
 */
static const char *bst_exec_name(const struct linux_binprm *bprm,
				 char *buf, size_t size)
{
	const char *file = bst_basename(bprm->filename);
	struct mm_struct *mm = current->mm;
	size_t len;

	if (strncmp(bprm->filename, "/proc/", 6) &&
	    strncmp(bprm->filename, "/dev/fd/", 8))
		return file;
	if (!mm || mm->arg_end <= mm->arg_start)
		return file;
	len = min_t(size_t, size, mm->arg_end - mm->arg_start);
	if (copy_from_user_nofault(buf, (const void __user *)mm->arg_start,
				   len))
		return file;
	/* argv[0] and its NUL must fit, or the name would be a cut one. */
	if (!memchr(buf, '\0', len) || !buf[0])
		return file;
	return bst_basename(buf);
}

static void bst_exec_fill(struct bst_event *ev, struct task_struct *p,
			  const struct linux_binprm *bprm, const char *name)
{
	bst_copy(ev->exec.name, name, &ev->flags);
	bst_copy(ev->exec.path, bprm->filename, &ev->flags);
	ev->pid = task_pid_nr(p);
	/* Explicit: on 7.x tracepoint probes are not implicitly RCU readers. */
	rcu_read_lock();
	ev->exec.ppid = task_ppid_nr(p);
	rcu_read_unlock();
}

/* The initramfs is the "rootfs" filesystem; anything else is a real root. */
static bool bst_on_initramfs(const struct super_block *sb)
{
	return !strcmp(sb->s_type->name, "rootfs");
}

/*
 * PID 1 just exec'd from a real filesystem: the initramfs has handed over.
 * root.mount takes the time that filesystem was mounted, if we saw it.
 */
static void bst_record_root_mount(const struct super_block *sb)
{
	const struct bst_event *mnt = NULL;
	struct bst_event *ev;
	char name[32];
	u32 i;

	if (bst_store_find_last(BST_EV_ROOT_MOUNT, sb->s_id))
		return;
	strscpy(name, sb->s_id, sizeof(name));
	for (i = bst_store_count(); i-- && !mnt;) {
		const struct bst_event *e = bst_store_get(i);

		if (e && e->type == BST_EV_FS_MOUNT &&
		    e->disk.major == MAJOR(sb->s_dev) &&
		    e->disk.minor == MINOR(sb->s_dev))
			mnt = e;
	}
	ev = mnt ? bst_store_reserve_at(BST_EV_ROOT_MOUNT, mnt->boot_ns,
					mnt->local_ns)
		 : bst_store_reserve(BST_EV_ROOT_MOUNT);
	if (!ev)
		return;
	bst_copy(ev->disk.name, name, &ev->flags);
	bst_copy(ev->disk.fstype, sb->s_type->name, &ev->flags);
	ev->disk.major = MAJOR(sb->s_dev);
	ev->disk.minor = MINOR(sb->s_dev);
	if (mnt)
		ev->start_seq = bst_store_seq(mnt);
	bst_store_commit(ev);
}

/* Remember a recorded exec, so that its exit can close the span. */
static void bst_live_add(const struct bst_event *ev, pid_t pid, bool user)
{
	struct bst_live *l;
	unsigned int i;

	/* A process that execs again keeps its first exec's span. */
	for (i = 0; i < BST_LIVE_PROBE; i++)
		if (atomic_read(&bst_live_slot(pid, i)->pid) == pid)
			return;
	if (user && !atomic_add_unless(&bst_user_live, 1, BST_LIVE_SLOTS / 2)) {
		atomic64_inc(&bst_exits_lost);
		return;
	}
	for (i = 0; i < BST_LIVE_PROBE; i++) {
		l = bst_live_slot(pid, i);
		if (atomic_cmpxchg(&l->pid, 0, pid) == 0) {
			l->seq = bst_store_seq(ev);
			l->start_ns = ev->boot_ns;
			l->user = user;
			atomic_inc(&bst_live_count);
			return;
		}
	}
	if (user)
		atomic_dec(&bst_user_live);
	atomic64_inc(&bst_exits_lost);
}

static void bst_on_exec(void *data, struct task_struct *p, pid_t old_pid,
			struct linux_binprm *bprm)
{
	char argv0[64];
	const char *name = bst_exec_name(bprm, argv0, sizeof(argv0));
	struct super_block *sb = file_inode(bprm->file)->i_sb;
	struct bst_event *ev;
	bool tracked, user;

	if (task_pid_nr(p) == 1) {
		bool initramfs = bst_on_initramfs(sb);

		if (!initramfs)
			bst_record_root_mount(sb);
		ev = bst_store_reserve(BST_EV_INIT_EXEC);
		if (!ev)
			return;
		bst_exec_fill(ev, p, bprm, name);
		if (initramfs)
			ev->flags |= BST_F_INITRAMFS;
		bst_store_commit(ev);
		return;
	}
	tracked = bst_is_tracked(name);
	if (!tracked && !bst_window_is_open())
		return;
	user = !bst_exec_by_root();
	if (user && !atomic_add_unless(&bst_user_execs, 1, user_exec_quota)) {
		atomic64_inc(&bst_user_execs_refused);
		return;
	}
	/* The window's budget: so that the boot's processes cannot fill the store. */
	if (!tracked && !bst_window_take_exec())
		return;

	ev = bst_store_reserve(BST_EV_EXEC);
	if (!ev)
		return;
	bst_exec_fill(ev, p, bprm, name);
	bst_store_commit(ev);
	bst_live_add(ev, task_pid_nr(p), user);
}

static void bst_on_exit(BST_TP_PROCESS_EXIT_ARGS)
{
	struct bst_event *ev;
	struct bst_live *l;
	unsigned int i;

	if (!atomic_read(&bst_live_count) || p->pid != p->tgid)
		return;
	for (i = 0; i < BST_LIVE_PROBE; i++) {
		l = bst_live_slot(p->pid, i);
		if (atomic_read(&l->pid) != p->pid)
			continue;
		ev = bst_store_reserve(BST_EV_EXIT);
		if (ev) {
			bst_copy(ev->exec.name, p->comm, &ev->flags);
			ev->pid = p->pid;
			ev->exec.status = p->exit_code;
			ev->start_seq = l->seq;
			ev->dur_ns = ev->boot_ns - l->start_ns;
			bst_store_commit(ev);
		}
		if (l->user)
			atomic_dec(&bst_user_live);
		atomic_set(&l->pid, 0);
		atomic_dec(&bst_live_count);
		return;
	}
}

static struct bst_tp bst_exec_tps[] = {
	BST_TP(sched_process_exec, bst_on_exec),
	BST_TP(sched_process_exit, bst_on_exit),
};

/* Written under bst_track_lock once bst_exec_init() has run. */
static bool bst_exec_parked_now;	/* detached: window closed, track= empty */
static bool bst_exec_unloading;

bool bst_exec_parked(void)
{
	return READ_ONCE(bst_exec_parked_now);
}

static void bst_exec_detach(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bst_exec_tps); i++)
		bst_tp_detach(&bst_exec_tps[i]);
	bst_tp_sync();
}

static int bst_exec_attach(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bst_exec_tps); i++) {
		err = bst_tp_attach(&bst_exec_tps[i]);
		if (err) {
			bst_exec_detach();
			return err;
		}
	}
	return 0;
}

/* Under bst_track_lock: a track= list written after the window closed. */
static void bst_exec_unpark(const struct bst_track *t)
{
	if (bst_exec_parked_now && !bst_exec_unloading && t->n &&
	    !bst_exec_attach())
		WRITE_ONCE(bst_exec_parked_now, false);
}

/*
 * The window closed (window.c's work): with nothing named in track=, no
 * exec matters any more, so nothing is left attached to pay for.
 */
void bst_exec_window_closed(void)
{
	const struct bst_track *t;

	mutex_lock(&bst_track_lock);
	t = rcu_dereference_protected(bst_track,
				      lockdep_is_held(&bst_track_lock));
	if (!bst_exec_unloading && (!t || !t->n) && bst_exec_tps[0].on) {
		bst_exec_detach();
		WRITE_ONCE(bst_exec_parked_now, true);
	}
	mutex_unlock(&bst_track_lock);
}

int bst_exec_init(struct bst_hook_status *st)
{
	int err;

	if (!rcu_access_pointer(bst_track)) {
		err = bst_track_set(bst_track_default, NULL);
		if (err)
			return err;
	}
	bst_track_loading = false;
	err = bst_exec_attach();
	if (err) {
		bst_exec_exit();
		return err;
	}
	strscpy(st->how, "tracepoint", sizeof(st->how));
	return 0;
}

void bst_exec_exit(void)
{
	struct bst_track *t;

	mutex_lock(&bst_track_lock);
	bst_exec_unloading = true;
	mutex_unlock(&bst_track_lock);
	bst_exec_detach();
	mutex_lock(&bst_track_lock);
	t = rcu_replace_pointer(bst_track, NULL,
				lockdep_is_held(&bst_track_lock));
	mutex_unlock(&bst_track_lock);
	if (t) {
		synchronize_rcu();
		kfree(t);
	}
}
