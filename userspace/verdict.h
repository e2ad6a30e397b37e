/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What compare concludes (verdict.c): the rows and differences compare.c
 * measured, turned into a few sentences that say what happened first.
 */
#ifndef BST_VERDICT_H
#define BST_VERDICT_H

#include <stddef.h>
#include <stdio.h>

/* The blocks of compare's table, in the order they are printed. */
enum bst_block {
	BST_BLOCK_BOOT,		/* "boot": to the boot's end */
	BST_BLOCK_PHASE,	/* "phase <name>" */
	BST_BLOCK_AMOUNT,	/* "probe <driver>", "program <name>", "module <name>" */
	BST_BLOCK_STEP,		/* "fn <module>:<function>" */
	BST_BLOCK_MILESTONE,	/* "at <milestone>" */
};

/* One metric measured in both groups. */
struct bst_row {
	const char *key;
	enum bst_block block;
	int phase;		/* the phase its time falls in, or -1 */
	int only_in;		/* 0, or 1/2: no boot of B/A had it (zeros filled in) */
	size_t na, nb;
	double med_a, p90_a, med_b, p90_b, delta, lo, hi, p;
	int has_ci, significant;
	const char *folded_into;	/* a milestone row with the same shift, or NULL */
	size_t folded;		/* how many rows were folded into this one */
};

/* A metric only one group has: its median over the boots that have it. */
struct bst_only {
	const char *key;
	int group;		/* 0: only in A, 1: only in B */
	int phase;
	double median;
	size_t boots, of;	/* in how many of that group's boots */
};

/* What differs between the groups, besides time. */
struct bst_change {
	char what[24];		/* "driver", "kernel", "cmdline", "os", ... */
	char label[32];		/* for people: "driver", "OS release", ... */
	char name[128];		/* the driver; else "" */
	char a[1024], b[1024];
	int with_kernel;	/* an in-tree driver: it changed because the kernel did */
};

struct bst_verdict_in {
	const struct bst_row *rows;
	size_t nrows;
	const struct bst_only *only;
	size_t nonly;
	const struct bst_change *changes;
	size_t nchanges;
	size_t na, nb, boots_needed;
	int can_be_significant;
	double min_p, alpha;
};

#define BST_VERDICT_CONTRIBUTORS 5
#define BST_VERDICT_LINES 8
/* Differences the verdict names besides its causes; the table lists all. */
#define BST_VERDICT_ALSO 4

/* Something that explains part of a phase's change. */
struct bst_contributor {
	const char *key;
	int how;		/* 0 changed, 1 only in A, 2 only in B */
	double delta_ms;	/* its share of B - A */
	size_t boots, of;	/* only in one group: in how many of its boots */
	const struct bst_change *change;	/* its driver's version change, or NULL */
};

struct bst_verdict_phase {
	const struct bst_row *row;
	struct bst_contributor c[BST_VERDICT_CONTRIBUTORS];
	size_t nc;
	double explained_ms, unexplained_ms;
};

struct bst_verdict {
	const struct bst_row *boot;
	struct bst_verdict_phase phases[6];	/* firmware, loader, the 3 phases, and maybe the whole boot */
	size_t nphases;
	char lines[BST_VERDICT_LINES][768];
	size_t nlines;
};

/* The share of a phase's change its contributors must cover. */
#define BST_VERDICT_COVER 0.9

void bst_verdict_build(const struct bst_verdict_in *in, struct bst_verdict *v);
void bst_verdict_text(FILE *out, const struct bst_verdict *v);
void bst_verdict_json(FILE *out, const struct bst_verdict *v);

#endif /* BST_VERDICT_H */
