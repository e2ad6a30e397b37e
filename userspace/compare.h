/* SPDX-License-Identifier: GPL-2.0 */
/* Comparing groups of boots (compare.c). */
#ifndef BST_COMPARE_H
#define BST_COMPARE_H

#include <stdio.h>

struct bst_compare_opts {
	/*
	 * The group the others are compared with, by label: a group's first
	 * argument, or with --group-by a version ("2.17.0g", "in-tree
	 * (6.1.0-57-cloud-amd64)", or "in-tree" when only one kernel's
	 * in-tree driver is among them). NULL: A, or with --group-by the
	 * in-tree driver, else the oldest version.
	 */
	const char *baseline;
	/* Stray files and torn captures in a directory are fatal, not skipped. */
	int strict;
};

/*
 * Compare captures a_args (files or directories) with b_args; or, with
 * group_by_driver, group a_args by that driver's version. Returns an exit
 * status: 0, or 2 for unreadable input or nothing to compare.
 */
int bst_compare(FILE *out, char **a_args, size_t na, char **b_args, size_t nb,
		const char *group_by_driver, int json);
int bst_compare_with(FILE *out, char **a_args, size_t na, char **b_args,
		     size_t nb, const char *group_by_driver, int json,
		     const struct bst_compare_opts *opts);

#endif /* BST_COMPARE_H */
