// SPDX-License-Identifier: GPL-2.0
/*
 * bootstamps: read /proc/bootstamps (or a saved capture) and explain it.
 *
 * Exit status: 0 success, 1 usage error, 2 unreadable or malformed input.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#ifndef BST_VERSION
#define BST_VERSION "unknown"
#endif

#define BST_PROC "/proc/bootstamps"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bootstamps [show] [--slowest N] [FILE|-]\n"
		"\n"
		"Print the boot timeline recorded by the bootstamps kernel module.\n"
		"FILE defaults to " BST_PROC "; - reads standard input.\n"
		"\n"
		"  --slowest N   list only the N longest driver probes\n"
		"  --help        this text\n"
		"  --version     the reader's version\n"
		"\n"
		"Exit status: 0 ok, 1 usage error, 2 unreadable or malformed input.\n");
}

static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 100000)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = BST_PROC;
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	size_t slowest = 0;
	int path_given = 0;
	int i = 1;

	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("bootstamps %s\n", BST_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--slowest")) {
			if (parse_count(i + 1 < argc ? argv[i + 1] : NULL,
					&slowest)) {
				fprintf(stderr,
					"bootstamps: --slowest needs a count from 1 to 100000\n");
				return 1;
			}
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "bootstamps: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return 1;
		} else if (path_given) {
			fprintf(stderr, "bootstamps: one FILE at a time\n");
			return 1;
		} else {
			path = argv[i];
			path_given = 1;
		}
	}

	if (bst_parse_file(path, &cap, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		if (!path_given)
			fprintf(stderr,
				"bootstamps: is the module loaded? (modprobe bootstamps)\n");
		return 2;
	}
	if (bst_model_build(&cap, &model, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		bst_capture_free(&cap);
		return 2;
	}
	if (slowest)
		bst_print_slowest(stdout, &cap, &model, slowest);
	else
		bst_print_table(stdout, &cap, &model);
	bst_model_free(&model);
	bst_capture_free(&cap);
	if (fflush(stdout) || ferror(stdout)) {
		perror("bootstamps: writing output");
		return 2;
	}
	return 0;
}
