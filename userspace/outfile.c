// SPDX-License-Identifier: GPL-2.0
/*
 * Output files, written safely by a program that usually runs as root
 * (bootstamps(8), OUTPUT FILES).
 *
 * - The target's directory is resolved once, component by component with
 *   openat(O_PATH | O_NOFOLLOW), into a directory fd; everything after is
 *   relative to that fd, so nothing renamed in the path meanwhile moves
 *   the output elsewhere. A symbolic link in the directory part is
 *   followed only if it is owned by root or by us (the kernel's
 *   protected_symlinks idea): someone else's link may have been planted to
 *   make root write into a directory of its choosing. The link is read
 *   through an fd of the link itself, so the one checked is the one read.
 * - Absent, or a regular file: written to a temporary file beside it
 *   (O_CREAT | O_EXCL | O_NOFOLLOW, a random name from getrandom(), so
 *   nothing planted in the directory is followed or truncated), synced,
 *   then renamed over the target. rename() replaces a name, never what a
 *   link points to. A regular file replaced keeps its mode (and, when we
 *   are root, its owner and group).
 * - A FIFO or a character device named directly (a pipe, /dev/tty,
 *   /dev/null): written through, never replaced. A FIFO only if it is
 *   owned by root or by us (protected_fifos): someone else's FIFO sends
 *   the output to whoever reads it. It is opened with O_NONBLOCK first so
 *   that nobody reading is an error, not a hang.
 * - A symbolic link: followed only to such a FIFO or to this process's own
 *   standard output or error (/dev/stdout, /dev/fd/2). A link to a regular
 *   file, a device or a directory is refused: it may have been planted to
 *   make root overwrite what it points to.
 * - A directory, block device or socket: refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static int out_fail(struct bst_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* stdout or stderr when st is the file behind one of them, else NULL. */
static FILE *standard_stream_of(const struct stat *st)
{
	struct stat s;

	if (!fstat(STDOUT_FILENO, &s) && same_file(&s, st))
		return stdout;
	if (!fstat(STDERR_FILENO, &s) && same_file(&s, st))
		return stderr;
	return NULL;
}

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" :
	       S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" :
	       S_ISREG(m) ? "a regular file" : S_ISLNK(m) ? "a symbolic link" :
	       "not a regular file";
}

/* Owned by root or by us: what protected_symlinks/protected_fifos trust. */
static int trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Symbolic links followed while resolving one directory, as the kernel's. */
#define MAX_LINKS 40

/*
 * The directory dir (part of path), as an O_PATH fd, or -1 with err set.
 * Each component is opened with O_NOFOLLOW relative to the one before; a
 * component that is a symbolic link is opened as the link itself, checked
 * for its owner, read through that fd and its target walked the same way.
 */
static int open_directory(const char *path, const char *dir,
			  struct bst_error *err)
{
	char *todo = strdup(dir), *next;
	int links = 0, fd;

	if (!todo)
		return out_fail(err, "%s: out of memory", path);
	fd = open(*todo == '/' ? "/" : ".",
		  O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (next = todo; fd >= 0 && *next;) {
		char *comp = next, *slash = strchr(next, '/');
		struct stat st;
		int sub;

		if (slash) {
			*slash = '\0';
			next = slash + 1;
		} else {
			next = comp + strlen(comp);
		}
		if (!*comp)
			continue;
		sub = openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || fstat(sub, &st)) {
			out_fail(err, "cannot write %s: %s: %s", path, comp,
				 strerror(errno));
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], *rest;
			ssize_t n;

			if (!trusted_owner(st.st_uid)) {
				out_fail(err, "cannot write %s: %s is a symbolic link owned by uid %u (not root or us): not followed, it may have been planted",
					 path, comp, (unsigned)st.st_uid);
				close(sub);
				goto fail;
			}
			n = readlinkat(sub, "", target, sizeof(target) - 1);
			close(sub);
			if (n <= 0 || ++links > MAX_LINKS) {
				out_fail(err, "cannot write %s: %s: %s", path,
					 comp, n <= 0 ? strerror(errno) :
					 "too many levels of symbolic links");
				goto fail;
			}
			target[n] = '\0';
			/* The rest of the walk: the link's target, then what followed. */
			if (asprintf(&rest, "%s/%s", target, next) < 0) {
				out_fail(err, "%s: out of memory", path);
				goto fail;
			}
			free(todo);
			todo = next = rest;
			if (*target == '/') {
				close(fd);
				fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(sub);
			out_fail(err, "cannot write %s: %s is %s, not a directory",
				 path, comp, kind_of(st.st_mode));
			goto fail;
		}
		close(fd);
		fd = sub;
	}
	if (fd < 0)
		out_fail(err, "cannot write %s: %s", path, strerror(errno));
	free(todo);
	return fd;
fail:
	close(fd);
	free(todo);
	return -1;
}

/* Open an existing FIFO or device for writing, without replacing it. */
static int open_through(struct bst_outfile *o, int via_link,
			struct bst_error *err)
{
	struct stat before, after;
	FILE *std;
	int fd, flags;

	if (fstatat(o->dirfd, o->base, &before, 0))
		return out_fail(err, "cannot write %s: %s", o->path,
				strerror(errno));
	if (via_link) {
		std = standard_stream_of(&before);
		if (std) {
			o->f = std;
			o->is_stdout = 1;
			return 0;
		}
		if (!S_ISFIFO(before.st_mode))
			return out_fail(err,
					"%s is a symbolic link to %s: not written through (it may have been planted); name the file itself",
					o->path, kind_of(before.st_mode));
	}
	if (S_ISFIFO(before.st_mode) && !trusted_owner(before.st_uid))
		return out_fail(err,
				"%s is a FIFO owned by uid %u (not root or us): not written, the output would go to whoever reads it",
				o->path, (unsigned)before.st_uid);
	/*
	 * No O_CREAT, no O_TRUNC: this never makes or empties a file.
	 * O_NONBLOCK: a FIFO nobody reads fails (ENXIO) instead of hanging.
	 */
	fd = openat(o->dirfd, o->base, O_WRONLY | O_NOCTTY | O_CLOEXEC |
		    O_NONBLOCK | (via_link ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENXIO && S_ISFIFO(before.st_mode))
			return out_fail(err, "cannot write %s: it is a FIFO that nobody is reading",
					o->path);
		return out_fail(err, "cannot write %s: %s", o->path,
				strerror(errno));
	}
	/* What was opened must be what was checked. */
	if (fstat(fd, &after) || !same_file(&before, &after) ||
	    !(S_ISFIFO(after.st_mode) || S_ISCHR(after.st_mode)) ||
	    (S_ISFIFO(after.st_mode) && !trusted_owner(after.st_uid))) {
		close(fd);
		return out_fail(err, "%s changed while it was opened: not written",
				o->path);
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) ||
	    !(o->f = fdopen(fd, "w"))) {
		int e = errno;

		close(fd);
		return out_fail(err, "cannot write %s: %s", o->path,
				strerror(e));
	}
	return 0;
}

/* ".base." and 12 random letters: a name nobody can predict. */
static int random_name(char *buf, size_t size, const char *base)
{
	static const char letters[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char bytes[12];
	size_t n, i;

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return -1;
	n = (size_t)snprintf(buf, size, ".%s.", base);
	if (n + sizeof(bytes) + 1 > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < sizeof(bytes); i++)
		buf[n + i] = letters[bytes[i] % (sizeof(letters) - 1)];
	buf[n + sizeof(bytes)] = '\0';
	return 0;
}

/*
 * A temporary file beside the target, to be renamed over it. old is the
 * regular file being replaced (NULL if none): its mode and owner carry over.
 */
static int open_replacement(struct bst_outfile *o, mode_t mode,
			    const struct stat *old, struct bst_error *err)
{
	char name[NAME_MAX + 1];
	int fd = -1, tries, e;
	mode_t mask;

	for (tries = 0; fd < 0 && tries < 100; tries++) {
		if (random_name(name, sizeof(name), o->base))
			break;
		fd = openat(o->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return out_fail(err, "cannot write %s (a temporary file beside it): %s",
				o->path, strerror(errno));
	o->tmp = strdup(name);
	if (!o->tmp) {
		e = ENOMEM;
		goto fail;
	}
	/* Made 0600; the output gets mode as open() would give, or the old one's. */
	mask = umask(0);
	umask(mask);
	if (old) {
		/* Group and owner first: chown clears set-id bits. */
		if (geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid)) {
			e = errno;
			goto fail;
		}
		mode = old->st_mode & 07777;
	} else {
		mode &= ~mask;
	}
	if (fchmod(fd, mode) || !(o->f = fdopen(fd, "w"))) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	close(fd);
	unlinkat(o->dirfd, name, 0);
	free(o->tmp);
	o->tmp = NULL;
	return out_fail(err, "cannot write %s: %s", o->path, strerror(e));
}

int bst_outfile_open(struct bst_outfile *o, const char *path,
		     enum bst_out_policy policy, mode_t mode,
		     struct bst_error *err)
{
	struct stat st;
	const char *slash;
	char *dir;
	int rc;

	memset(o, 0, sizeof(*o));
	o->dirfd = -1;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = 1;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path)
		return out_fail(err, "%s: out of memory", path);
	slash = strrchr(path, '/');
	o->base = slash ? o->path + (slash - path) + 1 : o->path;
	if (!*o->base || !strcmp(o->base, ".") || !strcmp(o->base, "..")) {
		rc = out_fail(err, "%s names a directory, not a file", path);
		goto out;
	}
	dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup("");
	if (!dir) {
		rc = out_fail(err, "%s: out of memory", path);
		goto out;
	}
	o->dirfd = open_directory(path, dir, err);
	free(dir);
	if (o->dirfd < 0) {
		rc = -1;
		goto out;
	}
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT) {
			rc = out_fail(err, "cannot write %s: %s", path,
				      strerror(errno));
			goto out;
		}
		rc = open_replacement(o, mode, NULL, err);
	} else if (S_ISREG(st.st_mode)) {
		rc = open_replacement(o, mode, &st, err);
	} else if (policy == BST_OUT_REGULAR_ONLY) {
		rc = out_fail(err, "%s is %s: only a regular file is written there",
			      path, kind_of(st.st_mode));
	} else if (S_ISLNK(st.st_mode)) {
		rc = open_through(o, 1, err);
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		rc = open_through(o, 0, err);
	} else {
		rc = out_fail(err, "%s is %s: not written", path,
			      kind_of(st.st_mode));
	}
out:
	if (rc)
		bst_outfile_abort(o);
	return rc;
}

/* fsync the target's directory, so that a rename in it survives a crash. */
static int sync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/*
 * Finish the output: flushed (and for a replacement, synced, renamed into
 * place and its directory synced). On failure the target is untouched.
 */
int bst_outfile_commit(struct bst_outfile *o, struct bst_error *err)
{
	const char *name = o->path ? o->path : "standard output";
	int bad = fflush(o->f) != 0 || ferror(o->f);
	int e = errno;

	if (o->is_stdout) {
		o->f = NULL;
		goto done;
	}
	if (o->tmp && !bad && fsync(fileno(o->f))) {
		bad = 1;
		e = errno;
	}
	if (fclose(o->f) && !bad) {
		bad = 1;
		e = errno;
	}
	o->f = NULL;
	if (o->tmp && !bad) {
		if (renameat(o->dirfd, o->tmp, o->dirfd, o->base)) {
			bad = 1;
			e = errno;
		} else {
			free(o->tmp);
			o->tmp = NULL;	/* renamed: nothing to remove */
			if (sync_dir(o->dirfd)) {
				bad = 1;
				e = errno;
			}
		}
	}
done:
	/* The message first: abort frees the name it quotes. */
	if (bad)
		out_fail(err, "writing %s: %s", name, strerror(e));
	bst_outfile_abort(o);
	return bad ? -1 : 0;
}

/* Give up: the temporary file (if any) is removed, the target untouched. */
void bst_outfile_abort(struct bst_outfile *o)
{
	if (o->f && !o->is_stdout)
		fclose(o->f);
	if (o->tmp)
		unlinkat(o->dirfd, o->tmp, 0);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->dirfd = -1;
}

int bst_outfile_open_append(const char *path, mode_t mode,
			    struct bst_error *err)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	struct stat before, after;
	int dirfd, fd, existed;
	char *dir;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return out_fail(err, "%s names a directory, not a file", path);
	dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup("");
	if (!dir)
		return out_fail(err, "%s: out of memory", path);
	dirfd = open_directory(path, dir, err);
	free(dir);
	if (dirfd < 0)
		return -1;
	/* Checked before it is opened: opening a device or FIFO can act. */
	existed = !fstatat(dirfd, base, &before, AT_SYMLINK_NOFOLLOW);
	if (!existed && errno != ENOENT) {
		out_fail(err, "cannot append to %s: %s", path, strerror(errno));
		close(dirfd);
		return -1;
	}
	if (existed && !S_ISREG(before.st_mode)) {
		out_fail(err, "%s is %s: only a regular file is appended to",
			 path, kind_of(before.st_mode));
		close(dirfd);
		return -1;
	}
	/* O_NONBLOCK: should a FIFO be put there meanwhile, no hang. */
	fd = openat(dirfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		    O_NOCTTY | O_CLOEXEC | O_NONBLOCK, mode);
	close(dirfd);
	if (fd < 0)
		return out_fail(err, "cannot append to %s: %s", path,
				errno == ELOOP ? "it is a symbolic link" :
				strerror(errno));
	/* What was opened must be a regular file, and the one checked. */
	if (fstat(fd, &after) || !S_ISREG(after.st_mode) ||
	    (existed && !same_file(&before, &after))) {
		close(fd);
		return out_fail(err, "%s changed while it was opened: not appended to",
				path);
	}
	return fd;
}
