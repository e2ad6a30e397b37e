// SPDX-License-Identifier: GPL-2.0
/*
 * Early userspace: every exec by PID 1 (the initramfs's /init, then the
 * real root's init after switch-root), and exec/exit spans for the
 * programs named in the `track` parameter. Everything else that execs is
 * ignored after one compare, so the machine's exec rate does not matter.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
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

/* Tracked processes still running, so that their exit closes the span. */
#define BST_LIVE_SLOTS		64
struct bst_live {
	atomic_t pid;		/* 0 = free */
	u32 seq;
	bool user;		/* counts against bst_user_live */
	u64 start_ns;
};

static struct bst_live bst_live[BST_LIVE_SLOTS];
static atomic_t bst_live_count = ATOMIC_INIT(0);

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

static void bst_exec_fill(struct bst_event *ev, struct task_struct *p,
			  const struct linux_binprm *bprm)
{
	bst_copy(ev->exec.name, bst_basename(bprm->filename), &ev->flags);
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

static void bst_on_exec(void *data, struct task_struct *p, pid_t old_pid,
			struct linux_binprm *bprm)
{
	const char *name = bst_basename(bprm->filename);
	struct super_block *sb = file_inode(bprm->file)->i_sb;
	struct bst_event *ev;
	bool user;
	int i;

	if (task_pid_nr(p) == 1) {
		bool initramfs = bst_on_initramfs(sb);

		if (!initramfs)
			bst_record_root_mount(sb);
		ev = bst_store_reserve(BST_EV_INIT_EXEC);
		if (!ev)
			return;
		bst_exec_fill(ev, p, bprm);
		if (initramfs)
			ev->flags |= BST_F_INITRAMFS;
		bst_store_commit(ev);
		return;
	}
	if (!bst_is_tracked(name))
		return;
	user = !bst_exec_by_root();
	if (user && !atomic_add_unless(&bst_user_execs, 1, user_exec_quota)) {
		atomic64_inc(&bst_user_execs_refused);
		return;
	}

	ev = bst_store_reserve(BST_EV_EXEC);
	if (!ev)
		return;
	bst_exec_fill(ev, p, bprm);
	bst_store_commit(ev);

	/* Remember it so that its exit can close the span; first exec wins. */
	for (i = 0; i < BST_LIVE_SLOTS; i++)
		if (atomic_read(&bst_live[i].pid) == task_pid_nr(p))
			return;
	if (user && !atomic_add_unless(&bst_user_live, 1, BST_LIVE_SLOTS / 2))
		return;
	for (i = 0; i < BST_LIVE_SLOTS; i++) {
		if (atomic_cmpxchg(&bst_live[i].pid, 0, task_pid_nr(p)) == 0) {
			bst_live[i].seq = bst_store_seq(ev);
			bst_live[i].start_ns = ev->boot_ns;
			bst_live[i].user = user;
			atomic_inc(&bst_live_count);
			return;
		}
	}
	if (user)
		atomic_dec(&bst_user_live);
}

static void bst_on_exit(BST_TP_PROCESS_EXIT_ARGS)
{
	struct bst_event *ev;
	int i;

	if (!atomic_read(&bst_live_count) || p->pid != p->tgid)
		return;
	for (i = 0; i < BST_LIVE_SLOTS; i++) {
		if (atomic_read(&bst_live[i].pid) != p->pid)
			continue;
		ev = bst_store_reserve(BST_EV_EXIT);
		if (ev) {
			bst_copy(ev->exec.name, p->comm, &ev->flags);
			ev->pid = p->pid;
			ev->exec.status = p->exit_code;
			ev->start_seq = bst_live[i].seq;
			ev->dur_ns = ev->boot_ns - bst_live[i].start_ns;
			bst_store_commit(ev);
		}
		if (bst_live[i].user)
			atomic_dec(&bst_user_live);
		atomic_set(&bst_live[i].pid, 0);
		atomic_dec(&bst_live_count);
		return;
	}
}

static struct bst_tp bst_exec_tps[] = {
	BST_TP(sched_process_exec, bst_on_exec),
	BST_TP(sched_process_exit, bst_on_exit),
};

int bst_exec_init(struct bst_hook_status *st)
{
	size_t i;
	int err;

	if (!rcu_access_pointer(bst_track)) {
		err = bst_track_set(bst_track_default, NULL);
		if (err)
			return err;
	}
	bst_track_loading = false;
	for (i = 0; i < ARRAY_SIZE(bst_exec_tps); i++) {
		err = bst_tp_attach(&bst_exec_tps[i]);
		if (err) {
			bst_exec_exit();
			return err;
		}
	}
	strscpy(st->how, "tracepoint", sizeof(st->how));
	return 0;
}

void bst_exec_exit(void)
{
	struct bst_track *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bst_exec_tps); i++)
		bst_tp_detach(&bst_exec_tps[i]);
	bst_tp_sync();
	mutex_lock(&bst_track_lock);
	t = rcu_replace_pointer(bst_track, NULL,
				lockdep_is_held(&bst_track_lock));
	mutex_unlock(&bst_track_lock);
	if (t) {
		synchronize_rcu();
		kfree(t);
	}
}
