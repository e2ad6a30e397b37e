// SPDX-License-Identifier: GPL-2.0
/* Human-readable outputs: the event table and the slowest probes. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

/* Milliseconds with three decimals (microsecond resolution). */
void bst_format_ms(char *buf, size_t size, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000;

	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* The span an event closes, if the model paired it. */
static const struct bst_span *span_of(const struct bst_model *model,
				      const struct bst_event *ev)
{
	size_t i;

	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].end == ev)
			return &model->spans[i];
	return NULL;
}

static int by_time(const void *a, const void *b)
{
	const struct bst_event *x = *(const struct bst_event *const *)a;
	const struct bst_event *y = *(const struct bst_event *const *)b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/*
 * In time order: events backfilled from the kernel log, or known only
 * later (root.mount), are recorded after events that happened later.
 */
void bst_print_table(FILE *out, const struct bst_capture *cap,
		     const struct bst_model *model)
{
	const struct bst_event **order = calloc(cap->nev + 1, sizeof(*order));
	size_t i;

	if (!order) {
		fprintf(stderr, "bootstamps: out of memory\n");
		return;
	}
	for (i = 0; i < cap->nev; i++)
		order[i] = &cap->ev[i];
	qsort(order, cap->nev, sizeof(*order), by_time);
	fprintf(out, "%12s  %-17s %-24s %-16s %12s %6s\n", "TIME(ms)", "EVENT",
		"SUBJECT", "DRIVER", "DUR(ms)", "RC");
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = order[i];
		const struct bst_span *sp = span_of(model, ev);
		char t[32], d[32] = "-", rc[24] = "-";

		int64_t v;

		bst_format_ms(t, sizeof(t), ev->t_ns);
		/* A span's duration, else the event's own (disk.first_io). */
		if (sp)
			bst_format_ms(d, sizeof(d), sp->dur_ns);
		else if (bst_event_get_i64(ev, "dur_ns", &v) == 1 && v > 0)
			bst_format_ms(d, sizeof(d), (uint64_t)v);
		if (bst_event_get_i64(ev, "rc", &v) == 1)
			snprintf(rc, sizeof(rc), "%" PRId64, v);
		fprintf(out, "%12s  %-17s %-24s %-16s %12s %6s\n", t, ev->type,
			ev->subject, or_dash(bst_event_get(ev, "driver")), d,
			rc);
	}
	free(order);
}

/*
 * Identity of the code that ran: the module's version, else its
 * srcversion, else (in-tree drivers have neither) the kernel release.
 */
static const char *driver_identity(const struct bst_capture *cap,
				   const struct bst_event *ev)
{
	const char *v = bst_event_get(ev, "version");

	if (v && *v)
		return v;
	v = bst_event_get(ev, "srcversion");
	if (v && *v)
		return v;
	return or_dash(bst_header_get(cap, "kernel"));
}

void bst_print_slowest(FILE *out, const struct bst_capture *cap,
		       const struct bst_model *model, size_t n)
{
	const struct bst_span **top = calloc(n + 1, sizeof(*top));
	size_t i, m;

	if (!top)
		return;
	m = bst_model_slowest(model, BST_SPAN_PROBE, top, n);
	fprintf(out, "%4s %12s  %-24s %-16s %-24s %6s\n", "#", "DUR(ms)",
		"DEVICE", "DRIVER", "VERSION", "RC");
	for (i = 0; i < m; i++) {
		const struct bst_event *ev = top[i]->end;
		char d[32], rc[24] = "-";

		bst_format_ms(d, sizeof(d), top[i]->dur_ns);
		if (top[i]->has_rc)
			snprintf(rc, sizeof(rc), "%" PRId64, top[i]->rc);
		fprintf(out, "%4zu %12s  %-24s %-16s %-24s %6s\n", i + 1, d,
			ev->subject, or_dash(bst_event_get(ev, "driver")),
			driver_identity(cap, ev), rc);
	}
	free(top);
}
