/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names (drivers, devices, functions, rows) ranked once in strcmp's
 * order (names.c), so that sorts of many items compare numbers: strcmp
 * of two equal names reads both to their end, and at a million events
 * each name is in a different line of a large capture.
 */
#ifndef BST_NAMES_H
#define BST_NAMES_H

#include <stddef.h>

struct bst_names {
	const char **name;	/* by id */
	size_t *rank;		/* by id, once bst_names_rank ran */
	size_t n;
	size_t *slot;		/* id + 1; 0: free */
	size_t size;		/* a power of two, at least twice n */
};

/* Room for at most `most` distinct names. -1: out of memory. */
int bst_names_init(struct bst_names *t, size_t most);
void bst_names_free(struct bst_names *t);
/* The id of name s (kept, not copied), added if new; -1: out of memory. */
int bst_name_id(struct bst_names *t, const char *s, size_t *id);
/* Every id's rank among the names, in strcmp's order: t->rank[id]. */
int bst_names_rank(struct bst_names *t);

#endif /* BST_NAMES_H */
