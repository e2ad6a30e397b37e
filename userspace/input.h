/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds and checks on what the reader reads: the input size limit
 * (parse.c) and the semantic checks of a parsed capture (validate.c).
 * See docs/format.md, "What the reader rejects".
 */
#ifndef BST_INPUT_H
#define BST_INPUT_H

#include <stddef.h>
#include <stdio.h>

#include "capture.h"

/*
 * The largest capture the reader reads, in bytes. The module's store holds
 * at most some hundred thousand events of a few hundred bytes, so 64 MiB
 * is far above any real capture and still a bounded amount of memory.
 */
#define BST_MAX_INPUT_DEFAULT ((size_t)64 << 20)

/* The limit every read uses (bst_read_all); --max-size sets it. */
extern size_t bst_max_input_bytes;

/* Nonzero: the semantic checks print no warnings (the fuzzers set it). */
extern int bst_quiet_warnings;

/*
 * "67108864", "64K", "64M", "2G" (powers of 1024) into bytes; -1 if it is
 * not such a size or is 0.
 */
int bst_parse_size(const char *s, size_t *out);

/*
 * The checks of a parsed capture that need more than one line: what
 * start= names, durations against times, duplicate keys. -1 with err set
 * when the capture cannot be trusted; otherwise the number of warnings
 * written to warn (NULL: counted, not written).
 */
int bst_validate(const struct bst_capture *cap, FILE *warn,
		 struct bst_error *err);

#endif /* BST_INPUT_H */
