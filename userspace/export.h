/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One record per boot for a fleet's own engines (export.c): JSON lines of
 * the schema bootstamps.boot/1 for SQL over JSON (sqlite, DuckDB, Athena),
 * or CloudWatch's embedded metric format. See docs/fleet.md.
 */
#ifndef BST_EXPORT_H
#define BST_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "capture.h"

#define BST_EXPORT_SCHEMA "bootstamps.boot/1"
#define BST_EMF_NAMESPACE "bootstamps"
/* CloudWatch takes at most 100 metrics in one directive. */
#define BST_EMF_MAX_METRICS 100

enum bst_export_format { BST_EXPORT_JSONL, BST_EXPORT_EMF };

/*
 * The boot's record, ending with a newline: one line for JSON lines; for
 * EMF one line for the boot and one per driver that probed (a document
 * has one value per dimension, and each driver is its own). now_ms is
 * the EMF Timestamp of a capture without save's saved_at. -1 if out of
 * memory (nothing useful was written).
 */
int bst_export_record(FILE *out, const struct bst_capture *cap,
		      const struct bst_model *model,
		      const struct bst_boot *boot,
		      enum bst_export_format format, uint64_t now_ms);

struct bst_export_opts {
	enum bst_export_format format;
	const char *output;	/* NULL: standard output */
	int append;		/* output is appended to, never replaced */
	int strict;		/* an unusable file in a directory is an error */
};

/* The export command over args (captures and archive directories):
 * an exit status. */
int bst_export_with(char **args, size_t nargs, const struct bst_export_opts *o);

#endif /* BST_EXPORT_H */
