// SPDX-License-Identifier: GPL-2.0
/*
 * The captures a command reads: files as named, directories as the
 * captures in them (see inputs.h). Moved out of compare.c so that export
 * reads an archive exactly as compare does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "inputs.h"

static int cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct bst_input *)a)->path,
		      ((const struct bst_input *)b)->path);
}

static int add_input(struct bst_input **in, size_t *n, char *path,
		     int from_dir)
{
	struct bst_input *p = realloc(*in, (*n + 1) * sizeof(*p));

	if (!p || !path) {
		free(path);
		return -1;
	}
	*in = p;
	p[(*n)++] = (struct bst_input){ path, from_dir };
	return 0;
}

/*
 * What a command does with a file it cannot use that a directory listing
 * gave it: a warning and the rest of the comparison, or with --strict an
 * error. Returns -1 when fatal (err set).
 */
int bst_input_skip_or_fail(int strict, struct bst_error *err,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (strict)
		return -1;
	fprintf(stderr, "bootstamps: warning: %s; skipped (--strict makes this an error)\n",
		err->msg);
	return 0;
}

/* Expand one argument (a file, or a directory of captures) into inputs. */
int bst_inputs_expand(const char *arg, struct bst_input **in, size_t *n,
		      int strict, struct bst_error *err)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t first = *n;
	int r = 0;

	if (stat(arg, &st)) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (add_input(in, n, strdup(arg), 0))
			goto oom;
		return 0;
	}
	d = opendir(arg);
	if (!d) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	while (!r && (de = readdir(d))) {
		char *p;

		/* Hidden files are temporaries of an unfinished `save`. */
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", arg, de->d_name) < 0) {
			r = -2;
			break;
		}
		if (stat(p, &st) || !S_ISREG(st.st_mode)) {
			/* Never opened: a FIFO would block the comparison. */
			r = bst_input_skip_or_fail(strict, err, "%s: not a regular file", p);
			free(p);
			continue;
		}
		/* Unreadable: left to the parser, which names the error. */
		if (bst_looks_like_capture(p) == 0) {
			r = bst_input_skip_or_fail(strict, err,
					 "%s: not a capture (its first line is not \"# bootstamps <version>\")",
					 p);
			free(p);
			continue;
		}
		if (add_input(in, n, p, 1))
			r = -2;
	}
	closedir(d);
	if (r == -2)
		goto oom;
	/* Directory order is arbitrary; reports must not be. */
	if (*n > first)
		qsort(*in + first, *n - first, sizeof(**in), cmp_input);
	return r;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

void bst_inputs_free(struct bst_input *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(in[i].path);
	free(in);
}
