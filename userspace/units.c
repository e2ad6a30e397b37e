// SPDX-License-Identifier: GPL-2.0
/*
 * systemd's units as the reader shows them: one row per unit.start /
 * unit.end span that save added (units_import.c), the longest activation
 * first, as systemd-analyze blame lists them, but on the capture's axis,
 * beside the probes and programs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* systemd's unit types: a name's suffix is its kind only if it is one. */
static const char *const unit_kinds[] = {
	"service", "socket", "target", "device", "mount", "automount", "swap",
	"timer", "path", "slice", "scope",
};

const char *bst_unit_kind(const char *id)
{
	const char *dot = strrchr(id, '.');
	size_t i;

	if (!dot)
		return "";
	for (i = 0; i < sizeof(unit_kinds) / sizeof(unit_kinds[0]); i++)
		if (!strcmp(dot + 1, unit_kinds[i]))
			return unit_kinds[i];
	return "";
}

static const char *field(const struct bst_span *sp, const char *key)
{
	const char *v = sp->end ? bst_event_get(sp->end, key) : NULL;

	if (!v && sp->start)
		v = bst_event_get(sp->start, key);
	return v ? v : "";
}

static int by_duration_desc(const void *a, const void *b)
{
	const struct bst_unit_row *x = a, *y = b;

	if (x->dur_ns != y->dur_ns)
		return x->dur_ns < y->dur_ns ? 1 : -1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

int bst_units_build(const struct bst_capture *cap,
		    const struct bst_model *model, struct bst_units *u)
{
	size_t i;

	(void)cap;
	memset(u, 0, sizeof(*u));
	u->rows = calloc(model->nspans + 1, sizeof(*u->rows));
	if (!u->rows)
		return -1;
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = sp->end ? sp->end : sp->start;
		struct bst_unit_row *r;

		if (sp->kind != BST_SPAN_UNIT || !ev)
			continue;
		r = &u->rows[u->nrows++];
		r->id = ev->subject;
		r->kind = bst_unit_kind(ev->subject);
		r->type = field(sp, "type");
		r->state = field(sp, "state");
		r->result = field(sp, "result");
		r->start_ns = bst_span_start_ns(sp);
		r->dur_ns = sp->dur_ns;
		r->running = !sp->end;
		r->span = sp;
	}
	qsort(u->rows, u->nrows, sizeof(*u->rows), by_duration_desc);
	return 0;
}

void bst_units_free_rows(struct bst_units *u)
{
	free(u->rows);
	memset(u, 0, sizeof(*u));
}

void bst_print_units(FILE *out, const struct bst_capture *cap,
		     const struct bst_units *u, size_t n)
{
	const char *suspended = bst_header_get(cap, "units_suspended");
	const char *offset = bst_header_get(cap, "monotonic_offset_ns");
	uint64_t rest_ns = 0;
	size_t i;

	if (!u->nrows)
		return;
	fputs("Units: systemd's, each from the start of its activation until it was active (or, having run, inactive again)\n",
	      out);
	if (suspended && !strcmp(suspended, "1"))
		fprintf(out, "note: the machine had been suspended when the units were saved: their times assume they ran after the last resume (CLOCK_BOOTTIME - CLOCK_MONOTONIC = %s ns); those before it are drawn too late\n",
			offset ? offset : "?");
	fprintf(out, "%9s %10s  %-40s %-10s %-10s %s\n", "TIME", "@START", "UNIT",
		"TYPE", "STATE", "RESULT");
	for (i = 0; i < u->nrows; i++) {
		const struct bst_unit_row *r = &u->rows[i];
		char d[48], at[48];

		if (i >= n) {
			rest_ns += r->dur_ns;
			continue;
		}
		bst_format_duration(d, sizeof(d), r->dur_ns);
		bst_format_duration(at, sizeof(at), r->start_ns);
		fprintf(out, "%9s %10s  %-40s %-10s %-10s %s%s\n",
			r->running ? "-" : d, at, r->id,
			*r->type ? r->type : r->kind, *r->state ? r->state : "-",
			*r->result ? r->result : "-",
			r->running ? " (still activating when saved)" : "");
	}
	if (u->nrows > n) {
		char rest[48];

		bst_format_duration(rest, sizeof(rest), rest_ns);
		fprintf(out, "  ... %zu more units, %s in all (bootstamps show --format json lists every one)\n",
			u->nrows - n, rest);
	}
	fputc('\n', out);
}
