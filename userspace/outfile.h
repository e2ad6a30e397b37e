/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing an output file safely when run as root (outfile.c): a new or
 * regular file is replaced atomically through a temporary file with an
 * unpredictable name; a pipe or terminal is written through; anything
 * else (a symbolic link to a file, a directory, a block device) is refused.
 */
#ifndef BST_OUTFILE_H
#define BST_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "capture.h"

enum bst_out_policy {
	/* -o: pipes, terminals and character devices are written through. */
	BST_OUT_ANY,
	/* save: the target must be absent or a regular file. */
	BST_OUT_REGULAR_ONLY,
};

struct bst_outfile {
	FILE *f;
	char *path;		/* the target, as given */
	const char *base;	/* the target's last component, inside path */
	int dirfd;		/* the target's directory (O_PATH), -1 if none */
	char *tmp;		/* the temporary file's name in dirfd, NULL when
				 * writing through */
	int is_stdout;
};

int bst_outfile_open(struct bst_outfile *o, const char *path,
		     enum bst_out_policy policy, mode_t mode,
		     struct bst_error *err);
int bst_outfile_commit(struct bst_outfile *o, struct bst_error *err);
void bst_outfile_abort(struct bst_outfile *o);

/*
 * A file to append records to (export --append): its directory resolved as
 * above, then the file itself created (mode) or opened with O_APPEND and
 * O_NOFOLLOW. Only a regular file is appended to: a symbolic link, FIFO,
 * device or directory is refused. Returns the fd, or -1 with err set.
 */
int bst_outfile_open_append(const char *path, mode_t mode,
			    struct bst_error *err);

#endif /* BST_OUTFILE_H */
