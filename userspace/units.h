/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's units on the capture's axis. `save` imports them
 * (units_import.c): every unit's activation timestamps from `systemctl
 * show`, converted from CLOCK_MONOTONIC to CLOCK_BOOTTIME, appended to the
 * archived capture as unit.start / unit.end events (docs/format.md). The
 * reader sums them per unit (units.c) for show's Units section.
 */
#ifndef BST_UNITS_H
#define BST_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

/* A unit name is at most 255 bytes (systemd's UNIT_NAME_MAX). */
#define BST_UNIT_NAME 256
/* Units imported at most: a boot has hundreds; the rest are counted. */
#define BST_UNITS_MAX 20000
/* A line of systemctl's output longer than this is junk, skipped. */
#define BST_UNITS_LINE_MAX 4096
/* systemctl's output read at most, and how long it may take. */
#define BST_UNITS_OUTPUT_MAX ((size_t)16 << 20)
/*
 * systemctl asks PID 1 for each unit in turn: 12.5 s for 175 units in
 * a Debian 12 boot under QEMU's TCG, where 10 s was too little. Far less
 * on real hardware; the bound is there for a hung PID 1.
 */
#define BST_UNITS_TIMEOUT_MS 60000

/* The systemd timestamps used, in CLOCK_MONOTONIC microseconds (0: never). */
enum bst_unit_stamp {
	BST_U_INACTIVE_EXIT,	/* it began activating */
	BST_U_ACTIVE_ENTER,	/* it became active */
	BST_U_ACTIVE_EXIT,	/* it began deactivating */
	BST_U_INACTIVE_ENTER,	/* it became inactive (or failed) */
	BST_U_MAIN_START,	/* its main process started */
	BST_U_MAIN_EXIT,	/* and exited */
	BST_U_STAMPS
};

/* One block of `systemctl show`'s output. */
struct bst_unit_rec {
	char id[BST_UNIT_NAME];
	char type[32];		/* a service's Type=, else "" */
	char state[32];		/* ActiveState= */
	char substate[32];	/* SubState= */
	char result[32];	/* Result= */
	uint64_t us[BST_U_STAMPS];
};

struct bst_unit_list {
	struct bst_unit_rec *u;
	size_t n;
	size_t blocks;		/* blocks read, with or without an Id */
	size_t junk;		/* lines that were not Key=Value, or too long,
				 * or values that were not what the key needs */
	size_t over;		/* units past BST_UNITS_MAX, not kept */
	int64_t fetch_ms;	/* how long systemctl took; < 0: not from it */
};

/*
 * Parse `systemctl show` output (blocks of Key=Value lines separated by
 * blank lines). Never fails on content: what cannot be read is counted in
 * junk. -1 only out of memory.
 */
int bst_units_parse(const char *text, size_t len, struct bst_unit_list *out);
void bst_units_free(struct bst_unit_list *l);

/*
 * CLOCK_BOOTTIME - CLOCK_MONOTONIC now, in ns: 0 unless the machine has
 * been suspended since boot (*suspended set then).
 */
void bst_clock_offset(int64_t *offset_ns, int *suspended);
/* The same from three reads: MONOTONIC, BOOTTIME, MONOTONIC (ns). */
void bst_clock_offset_from(int64_t mono1, int64_t boot, int64_t mono2,
			   int64_t *offset_ns, int *suspended);
/* A systemd CLOCK_MONOTONIC timestamp (us) on the capture's axis (ns). */
uint64_t bst_unit_time_ns(uint64_t mono_us, int64_t offset_ns);

/*
 * Run `systemctl show` for every unit, without a shell: its output in
 * *out (NUL-terminated, caller frees). -1 with err set when it cannot run,
 * fails, passes max_bytes or timeout_ms.
 */
int bst_units_run_systemctl(const char *systemctl, size_t max_bytes,
			    int timeout_ms, char **out, size_t *len,
			    struct bst_error *err);

/*
 * The "# units ..." header line and one unit.start (and unit.end) per unit
 * that activated, seq numbers from first_seq, in time order. source is
 * "systemctl" or "file". Returns the number of units written.
 */
size_t bst_units_write(FILE *out, const struct bst_unit_list *l,
		       unsigned long first_seq, const char *source,
		       int64_t offset_ns, int suspended);

/* units.c: the reader's side. One row per unit, the longest first. */
struct bst_unit_row {
	const char *id;		/* the subject, as written */
	const char *kind;	/* "service", "mount", ... (its name's suffix) */
	const char *type, *state, *result;	/* "" when absent */
	uint64_t start_ns, dur_ns;
	int running;		/* still activating when saved */
	const struct bst_span *span;
};

struct bst_units {
	struct bst_unit_row *rows;
	size_t nrows;
};

int bst_units_build(const struct bst_capture *cap,
		    const struct bst_model *model, struct bst_units *units);
void bst_units_free_rows(struct bst_units *units);
/* The Units section of show: the n longest, and a note on the clocks. */
void bst_print_units(FILE *out, const struct bst_capture *cap,
		     const struct bst_units *units, size_t n);
/* A unit's kind: its name's suffix ("service"), or "" */
const char *bst_unit_kind(const char *id);

#endif /* BST_UNITS_H */
