/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The captures a command reads (inputs.c): files named on the command
 * line, and the captures in directories named there (an archive).
 * compare and export take their arguments the same way.
 */
#ifndef BST_INPUTS_H
#define BST_INPUTS_H

#include <stddef.h>

#include "capture.h"

/* A path to read, and whether a directory listing (not the user) named it. */
struct bst_input {
	char *path;
	int from_dir;
};

/*
 * Append arg to *in: a file as it is, a directory as the captures in it,
 * sorted by name. Hidden files (save's temporaries) are skipped silently;
 * files in it that are not regular or not captures are skipped with a
 * warning on stderr, or with strict are an error. -1 with err set on error.
 */
int bst_inputs_expand(const char *arg, struct bst_input **in, size_t *n,
		      int strict, struct bst_error *err);

/*
 * What to do with a file a directory listing gave that cannot be used:
 * a warning and go on (0), or with strict an error (-1, err set).
 */
int bst_input_skip_or_fail(int strict, struct bst_error *err,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void bst_inputs_free(struct bst_input *in, size_t n);

#endif /* BST_INPUTS_H */
