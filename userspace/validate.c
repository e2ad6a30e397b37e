// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of a parsed capture that one line alone cannot show: what a
 * closing event's start= names, whether its duration fits in the boot, and
 * keys given twice. What the parser checks line by line (syntax, seq order)
 * is in parse.c. docs/format.md, "What the reader rejects", lists both.
 *
 * An error where the outputs would be wrong (a span starting before boot,
 * a span paired with an event of another kind, an ambiguous key); a
 * warning where the capture is still usable as it stands (an opening event
 * that is not in the file: the span keeps its kernel-measured duration, as
 * with start=0).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

/* Past this many, warnings are counted, not printed one by one. */
#define MAX_WARNINGS_SHOWN 10

struct pairing {
	const char *closing;
	const char *opening;
};

/* Each closing event the format defines, and the event it closes. */
static const struct pairing pairings[] = {
	{ "probe.end", "probe.start" },
	{ "module.live", "module.coming" },
	{ "module.going", "module.coming" },
	{ "disk.partitions", "disk.add" },
	{ "exit", "exec" },
	{ "fn.end", "fn.start" },
};

/* The opening a closing event must name; NULL for types this reader does
 * not know, whose pairing it does not judge. */
static const char *opening_of(const char *closing)
{
	size_t i;

	for (i = 0; i < sizeof(pairings) / sizeof(pairings[0]); i++)
		if (!strcmp(pairings[i].closing, closing))
			return pairings[i].opening;
	return NULL;
}

static int invalid(struct bst_error *err, const struct bst_capture *cap,
		   const struct bst_event *ev, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err->msg, sizeof(err->msg), "%s:%zu: ", cap->name, ev->line);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

struct warnings {
	FILE *out;
	const struct bst_capture *cap;
	int count;
};

static void warn(struct warnings *w, const struct bst_event *ev,
		 const char *fmt, ...)
{
	va_list ap;

	if (w->out && w->count < MAX_WARNINGS_SHOWN) {
		fprintf(w->out, "bootstamps: %s:%zu: warning: ", w->cap->name,
			ev->line);
		va_start(ap, fmt);
		vfprintf(w->out, fmt, ap);
		va_end(ap);
		fputc('\n', w->out);
	}
	w->count++;
}

static int by_key_then_field(const void *a, const void *b)
{
	const struct bst_kv *x = *(const struct bst_kv *const *)a;
	const struct bst_kv *y = *(const struct bst_kv *const *)b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x > y) - (x < y);
}

/* Few keys (the usual line) are compared pairwise: no allocation. */
#define FEW_KEYS 16

/*
 * A key given twice: which value a reader takes would be a guess. The
 * pair reported is the one whose second field comes first (then the
 * earliest first field). Many keys are sorted, so that one long line
 * costs k log k, not k squared.
 */
static int check_duplicate_keys(const struct bst_capture *cap,
				const struct bst_event *ev,
				struct bst_error *err)
{
	const struct bst_kv **sorted;
	size_t i, j, first = 0, second = 0;

	if (ev->nkv > FEW_KEYS)
		sorted = malloc(ev->nkv * sizeof(*sorted));
	else
		sorted = NULL;
	if (!sorted) {
		for (i = 1; i < ev->nkv; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(ev->kv[i].key, ev->kv[j].key)) {
					first = j;
					second = i;
					goto found;
				}
		return 0;
	}
	for (i = 0; i < ev->nkv; i++)
		sorted[i] = &ev->kv[i];
	qsort(sorted, ev->nkv, sizeof(*sorted), by_key_then_field);
	/* In a run of one key, the first two are its earliest two fields. */
	for (i = 1; i < ev->nkv; i++) {
		size_t a = (size_t)(sorted[i - 1] - ev->kv);
		size_t b = (size_t)(sorted[i] - ev->kv);

		if (strcmp(sorted[i - 1]->key, sorted[i]->key))
			continue;
		if (!second || b < second) {
			first = a;
			second = b;
		}
		/* Skip the rest of this run: its later fields come after b. */
		while (i + 1 < ev->nkv &&
		       !strcmp(sorted[i]->key, sorted[i + 1]->key))
			i++;
	}
	free(sorted);
	if (!second)
		return 0;
found:
	return invalid(err, cap, ev,
		       "key %s= appears twice (fields %zu and %zu): which one is meant is unknown",
		       ev->kv[second].key, first + 5, second + 5);
}

/* start= and dur_ns= of a closing event. */
static int check_closing(const struct bst_capture *cap,
			 const struct bst_event *ev, struct warnings *w,
			 struct bst_error *err)
{
	const struct bst_event *opening;
	const char *want;
	int64_t start, dur;

	/* Malformed values are the model's to report (model.c). */
	if (bst_event_get_i64(ev, "start", &start) <= 0 || start < 0)
		return 0;
	if (bst_event_get_i64(ev, "dur_ns", &dur) > 0 && dur > 0 &&
	    (uint64_t)dur > ev->t_ns) {
		const char *src = bst_event_get(ev, "src");

		/*
		 * A line of the kernel log is converted from local_clock()
		 * with the offset measured at load; where that clock ran
		 * ahead of CLOCK_BOOTTIME, the kernel's first lines map
		 * before the boot and the module records them at 0. Their
		 * spans start at the boot: usable, so only a warning.
		 */
		if (src && !strcmp(src, "kmsg")) {
			warn(w, ev, "dur_ns=%" PRId64 " from the kernel log is longer than the time since boot; the span is taken to start at the boot",
			     dur);
		} else {
			return invalid(err, cap, ev,
				       "dur_ns=%" PRId64 " is longer than the time since boot (%" PRIu64 ".%09" PRIu64 " s): the span would start before the boot",
				       dur, ev->t_ns / 1000000000u, ev->t_ns % 1000000000u);
		}
	}
	if (start == 0)
		return 0;	/* the opening was not recorded (format.md) */
	if ((uint64_t)start == ev->seq)
		return invalid(err, cap, ev,
			       "start=%" PRId64 " names this event itself", start);
	if ((uint64_t)start > ev->seq)
		return invalid(err, cap, ev,
			       "start=%" PRId64 " names a later event: a span's opening is recorded before its end",
			       start);
	opening = bst_find_seq(cap, (unsigned long)start);
	if (!opening) {
		warn(w, ev,
		     "start=%" PRId64 " names no event in the file; the %s is kept with its own duration, as if its opening were not recorded",
		     start, ev->type);
		return 0;
	}
	want = opening_of(ev->type);
	if (want && strcmp(opening->type, want))
		return invalid(err, cap, ev,
			       "start=%" PRId64 " names a %s (line %zu), but a %s closes a %s",
			       start, opening->type, opening->line, ev->type,
			       want);
	return 0;
}

int bst_validate(const struct bst_capture *cap, FILE *warn_to,
		 struct bst_error *err)
{
	struct warnings w = { .out = warn_to, .cap = cap };
	size_t i;

	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		if (check_duplicate_keys(cap, ev, err) ||
		    check_closing(cap, ev, &w, err))
			return -1;
	}
	if (w.out && w.count > MAX_WARNINGS_SHOWN)
		fprintf(w.out, "bootstamps: %s: %d more warnings like these\n",
			cap->name, w.count - MAX_WARNINGS_SHOWN);
	return w.count;
}
