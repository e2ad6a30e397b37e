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
#include <stdint.h>
#include <stdio.h>
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

/* A hash of a key's first four characters (fewer if it is shorter), 0..63. */
static unsigned key_hash(const char *k)
{
	const unsigned char *u = (const unsigned char *)k;
	uint32_t x = u[0] | (uint32_t)u[1] << 8;	/* keys are never empty */

	if (u[1]) {
		x |= (uint32_t)u[2] << 16;
		if (u[2])
			x |= (uint32_t)u[3] << 24;
	}
	return (unsigned)((x * 2654435761u) >> 26);
}

/*
 * A key given twice: which value a reader takes would be a guess. Events
 * have up to fifteen keys and every event is checked, so keys are
 * compared only when their hashes are equal (the first 64 keys; a longer
 * line, which the module never writes, is compared pair by pair).
 */
static int check_duplicate_keys(const struct bst_capture *cap,
				const struct bst_event *ev,
				struct bst_error *err)
{
	unsigned char hash[64];
	uint64_t seen = 0;
	size_t i, j;

	for (i = 0; i < ev->nkv; i++) {
		const char *k = bst_event_kv(ev, i).key;
		unsigned h = i < 64 ? key_hash(k) : 0;

		if (i < 64) {
			hash[i] = (unsigned char)h;
			if (!(seen & (uint64_t)1 << h)) {
				seen |= (uint64_t)1 << h;
				continue;
			}
		}
		for (j = 0; j < i; j++)
			if ((i >= 64 || j >= 64 || hash[j] == h) &&
			    !strcmp(k, bst_event_kv(ev, j).key))
				return invalid(err, cap, ev,
					       "key %s= appears twice (fields %zu and %zu): which one is meant is unknown",
					       k, j + 5, i + 5);
	}
	return 0;
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
	    (uint64_t)dur > ev->t_ns)
		return invalid(err, cap, ev,
			       "dur_ns=%" PRId64 " is longer than the time since boot (%" PRIu64 ".%09" PRIu64 " s): the span would start before the boot",
			       dur, ev->t_ns / 1000000000u, ev->t_ns % 1000000000u);
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
