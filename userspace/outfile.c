// SPDX-License-Identifier: GPL-2.0
/*
 * Output files, written safely by a program that usually runs as root
 * (bootstamps(8), OUTPUT FILES).
 *
 * - Absent, or a regular file: written to a temporary file made by
 *   mkstemp() beside it (O_EXCL, an unpredictable name, so nothing planted
 *   in the directory is followed or truncated), synced, then renamed over
 *   the target. rename() replaces a name, never what a link points to, so
 *   a hard or symbolic link swapped in meanwhile is replaced, not written.
 * - A FIFO or a character device named directly (a pipe, /dev/tty,
 *   /dev/null): written through, never replaced.
 * - A symbolic link: followed only to a FIFO or to this process's own
 *   standard output or error (/dev/stdout, /dev/fd/2). A link to a regular
 *   file, a device or a directory is refused: it may have been planted to
 *   make root overwrite what it points to.
 * - A directory, block device or socket: refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Open an existing FIFO or device for writing, without replacing it. */
static int open_through(struct bst_outfile *o, int via_link,
			struct bst_error *err)
{
	struct stat before, after;
	FILE *std;
	int fd;

	if (stat(o->path, &before))
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
	/* No O_CREAT, no O_TRUNC: this never makes or empties a file. */
	fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC |
		  (via_link ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return out_fail(err, "cannot write %s: %s", o->path,
				strerror(errno));
	/* What was opened must be what was checked. */
	if (fstat(fd, &after) || !same_file(&before, &after) ||
	    !(S_ISFIFO(after.st_mode) || S_ISCHR(after.st_mode))) {
		close(fd);
		return out_fail(err, "%s changed while it was opened: not written",
				o->path);
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		return out_fail(err, "cannot write %s: %s", o->path,
				strerror(errno));
	}
	return 0;
}

/* A temporary file beside the target, to be renamed over it. */
static int open_replacement(struct bst_outfile *o, mode_t mode,
			    struct bst_error *err)
{
	const char *slash = strrchr(o->path, '/');
	const char *base = slash ? slash + 1 : o->path;
	size_t dirlen = slash ? (size_t)(slash - o->path) : 0;
	mode_t mask;
	int fd;

	if (!*base)
		return out_fail(err, "%s names a directory, not a file", o->path);
	if (slash)
		o->dir = dirlen ? strndup(o->path, dirlen) : strdup("/");
	else
		o->dir = strdup(".");
	if (!o->dir || asprintf(&o->tmp, "%s/.%s.XXXXXX", o->dir, base) < 0) {
		o->tmp = NULL;
		return out_fail(err, "%s: out of memory", o->path);
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return out_fail(err, "cannot write %s (a temporary file in %s): %s",
				o->path, o->dir, strerror(e));
	}
	/* mkstemp() makes 0600; the output gets mode as open() would give. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, mode & ~mask) || !(o->f = fdopen(fd, "w"))) {
		int e = errno;

		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return out_fail(err, "cannot write %s: %s", o->path, strerror(e));
	}
	return 0;
}

int bst_outfile_open(struct bst_outfile *o, const char *path,
		     enum bst_out_policy policy, mode_t mode,
		     struct bst_error *err)
{
	struct stat st;
	int rc;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = 1;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path)
		return out_fail(err, "%s: out of memory", path);
	if (lstat(path, &st)) {
		if (errno != ENOENT) {
			rc = out_fail(err, "cannot write %s: %s", path,
				      strerror(errno));
			goto out;
		}
		rc = open_replacement(o, mode, err);
	} else if (S_ISREG(st.st_mode)) {
		rc = open_replacement(o, mode, err);
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

/* fsync a directory, so that a rename in it survives a crash. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		if (rename(o->tmp, o->path)) {
			bad = 1;
			e = errno;
		} else {
			free(o->tmp);
			o->tmp = NULL;	/* renamed: nothing to remove */
			if (sync_dir(o->dir)) {
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
		unlink(o->tmp);
	free(o->tmp);
	free(o->dir);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
