/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time spent per program (programs.c): every exec of a program (by the
 * basename of its path) summed into one row, with who started it.
 */
#ifndef BST_PROGRAMS_H
#define BST_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define BST_PROGRAM_NAME 64

/* Who started a program's processes: a program by name, or "pid N". */
struct bst_program_parent {
	char name[BST_PROGRAM_NAME];
	size_t count;
};

struct bst_program_row {
	char name[BST_PROGRAM_NAME];	/* basename of path=, as written */
	size_t count;			/* processes (execs, or exits without one) */
	size_t exited;			/* of them, with their exit in the capture */
	uint64_t total_ns, longest_ns;	/* exit's dur_ns, summed and the most */
	uint64_t first_start_ns;	/* when its first process started */
	struct bst_program_parent *parents;	/* most processes first */
	size_t nparents;
};

struct bst_programs {
	struct bst_program_row *rows;	/* longest total first */
	size_t nrows;
	struct bst_program_parent *parents;	/* storage of every row's parents */
	size_t nparents;
};

/* The program an exec (or exit) names: its path's basename, else its subject. */
void bst_program_name(char *buf, size_t size, const struct bst_event *ev);
int bst_programs_build(const struct bst_capture *cap,
		       const struct bst_model *model,
		       struct bst_programs *programs);
void bst_programs_free(struct bst_programs *programs);

/* output.c: the Programs section of show, the n longest totals */
#include <stdio.h>
void bst_print_programs(FILE *out, const struct bst_programs *programs,
			size_t n);

#endif /* BST_PROGRAMS_H */
