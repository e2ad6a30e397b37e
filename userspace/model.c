// SPDX-License-Identifier: GPL-2.0
/*
 * Pair events into spans. Closing events name the event they close by its
 * sequence number (start=) and carry the kernel's own duration (dur_ns=),
 * so pairing is exact even for nested and concurrent probes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int is_opening(const char *type)
{
	size_t n = strlen(type);

	return !strcmp(type, "module.coming") ||
	       (n > 6 && !strcmp(type + n - 6, ".start"));
}

static int span_kind(const char *type, enum bst_span_kind *kind)
{
	if (starts_with(type, "probe.")) {
		*kind = BST_SPAN_PROBE;
		return 0;
	}
	if (starts_with(type, "module.")) {
		*kind = BST_SPAN_MODULE;
		return 0;
	}
	return -1;
}

static void model_fail(struct bst_error *err, const struct bst_capture *cap,
		       const struct bst_event *ev, const char *what)
{
	snprintf(err->msg, sizeof(err->msg), "%s:%zu: %s", cap->name, ev->line,
		 what);
}

int bst_model_build(const struct bst_capture *cap, struct bst_model *model,
		    struct bst_error *err)
{
	unsigned char *closed = calloc(cap->nev + 1, 1);
	size_t i;

	memset(model, 0, sizeof(*model));
	model->spans = calloc(cap->nev + 1, sizeof(*model->spans));
	if (!closed || !model->spans) {
		free(closed);
		free(model->spans);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory",
			 cap->name);
		return -1;
	}

	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		struct bst_span sp = { 0 };
		const char *bad = NULL;
		int64_t start, dur;
		int r;

		r = bst_event_get_i64(ev, "start", &start);
		if (r < 0 || (r > 0 && start < 0))
			bad = "start= is not a sequence number";
		else if (r == 0 || span_kind(ev->type, &sp.kind))
			continue;
		else if (bst_event_get_i64(ev, "dur_ns", &dur) <= 0 || dur < 0)
			bad = "a closing event needs dur_ns=<ns>";
		else if ((sp.has_rc = bst_event_get_i64(ev, "rc", &sp.rc)) < 0)
			bad = "rc= is not an integer";
		if (bad) {
			model_fail(err, cap, ev, bad);
			goto fail;
		}
		if (start == 0 && dur == 0)
			continue;	/* an instant, e.g. bootstamps' own load */
		if (start) {
			sp.start = bst_find_seq(cap, (unsigned long)start);
			if (sp.start)
				closed[sp.start - cap->ev] = 1;
		}
		sp.end = ev;
		sp.dur_ns = (uint64_t)dur;
		model->spans[model->nspans++] = sp;
	}

	/* Openings nobody closed were still running when the file was read. */
	for (i = 0; i < cap->nev; i++) {
		struct bst_span sp = { 0 };

		if (closed[i] || !is_opening(cap->ev[i].type) ||
		    span_kind(cap->ev[i].type, &sp.kind))
			continue;
		sp.start = &cap->ev[i];
		model->spans[model->nspans++] = sp;
	}
	free(closed);
	return 0;
fail:
	bst_model_free(model);
	free(closed);
	return -1;
}

void bst_model_free(struct bst_model *model)
{
	free(model->spans);
	memset(model, 0, sizeof(*model));
}

static int by_duration_desc(const void *a, const void *b)
{
	const struct bst_span *x = *(const struct bst_span *const *)a;
	const struct bst_span *y = *(const struct bst_span *const *)b;

	if (x->dur_ns != y->dur_ns)
		return x->dur_ns < y->dur_ns ? 1 : -1;
	/* Equal durations: earlier first, so the order is stable. */
	return x->end->seq < y->end->seq ? -1 : 1;
}

/* The n longest finished spans of a kind, longest first. */
size_t bst_model_slowest(const struct bst_model *model,
			 enum bst_span_kind kind,
			 const struct bst_span **out, size_t n)
{
	const struct bst_span **all;
	size_t i, m = 0;

	all = calloc(model->nspans + 1, sizeof(*all));
	if (!all)
		return 0;
	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].kind == kind && model->spans[i].end)
			all[m++] = &model->spans[i];
	qsort(all, m, sizeof(*all), by_duration_desc);
	if (n > m)
		n = m;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}
