/* SPDX-License-Identifier: GPL-2.0 */
/* Comparing groups of boots (compare.c). */
#ifndef BST_COMPARE_H
#define BST_COMPARE_H

#include <stdio.h>

/*
 * Compare captures a_args (files or directories) with b_args; or, with
 * group_by_driver, group a_args by that driver's version. Returns an exit
 * status: 0, or 2 for unreadable input or nothing to compare.
 */
int bst_compare(FILE *out, char **a_args, size_t na, char **b_args, size_t nb,
		const char *group_by_driver, int json);

#endif /* BST_COMPARE_H */
