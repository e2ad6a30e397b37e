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
#include <stdlib.h>
#include <string.h>

#include "input.h"

/* Past this many, warnings are counted, not printed one by one. */
#define MAX_WARNINGS_SHOWN 10

struct pairing {
	enum bst_type_id closing, opening;
	const char *opening_name;
};

/* Each closing event the format defines, and the event it closes. */
static const struct pairing pairings[] = {
	{ BST_T_PROBE_END, BST_T_PROBE_START, "probe.start" },
	{ BST_T_MODULE_LIVE, BST_T_MODULE_COMING, "module.coming" },
	{ BST_T_MODULE_GOING, BST_T_MODULE_COMING, "module.coming" },
	{ BST_T_DISK_PARTITIONS, BST_T_DISK_ADD, "disk.add" },
	{ BST_T_EXIT, BST_T_EXEC, "exec" },
	{ BST_T_FN_END, BST_T_FN_START, "fn.start" },
	{ BST_T_UNIT_END, BST_T_UNIT_START, "unit.start" },
};

/* The opening a closing event must name; NULL for types this reader does
 * not know, whose pairing it does not judge. */
static const struct pairing *pairing_of(enum bst_type_id closing)
{
	size_t i;

	for (i = 0; i < sizeof(pairings) / sizeof(pairings[0]); i++)
		if (pairings[i].closing == closing)
			return &pairings[i];
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

struct key_at {
	const char *key;
	size_t field;
};

static int by_key_then_field(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->field > y->field) - (x->field < y->field);
}

static int duplicate_key(const struct bst_capture *cap,
			 const struct bst_event *ev, size_t first,
			 size_t second, struct bst_error *err)
{
	return invalid(err, cap, ev,
		       "key %s= appears twice (fields %zu and %zu): which one is meant is unknown",
		       bst_event_kv(ev, second).key, first + 5, second + 5);
}

/* The hashed check below covers this many keys; longer lines are sorted. */
#define HASHED_KEYS 64

/*
 * A line longer than the module ever writes (a crafted one can hold a
 * hundred thousand keys): sorted, so that it costs k log k, not k squared.
 * The pair reported is the one whose second field comes first, with the
 * earliest field of that key, as the hashed check reports it.
 */
static int check_many_keys(const struct bst_capture *cap,
			   const struct bst_event *ev, struct bst_error *err)
{
	struct key_at *sorted = malloc(ev->nkv * sizeof(*sorted));
	size_t i, first = 0, second = 0;

	if (!sorted) {
		snprintf(err->msg, sizeof(err->msg), "%s:%zu: out of memory",
			 cap->name, ev->line);
		return -1;
	}
	for (i = 0; i < ev->nkv; i++)
		sorted[i] = (struct key_at){ bst_event_kv(ev, i).key, i };
	qsort(sorted, ev->nkv, sizeof(*sorted), by_key_then_field);
	for (i = 1; i < ev->nkv; i++) {
		if (strcmp(sorted[i - 1].key, sorted[i].key))
			continue;
		/* In a run of one key, the first two are its earliest fields. */
		if (!second || sorted[i].field < second) {
			first = sorted[i - 1].field;
			second = sorted[i].field;
		}
		while (i + 1 < ev->nkv && !strcmp(sorted[i].key, sorted[i + 1].key))
			i++;
	}
	free(sorted);
	return second ? duplicate_key(cap, ev, first, second, err) : 0;
}

/*
 * A key given twice: which value a reader takes would be a guess. Events
 * have up to fifteen keys and every event is checked, so keys are
 * compared only when their hashes are equal.
 */
static int check_duplicate_keys(const struct bst_capture *cap,
				const struct bst_event *ev,
				struct bst_error *err)
{
	unsigned char hash[HASHED_KEYS];
	uint64_t seen = 0;
	size_t i, j;

	if (ev->nkv > HASHED_KEYS)
		return check_many_keys(cap, ev, err);
	for (i = 0; i < ev->nkv; i++) {
		const char *k = bst_event_kv(ev, i).key;
		unsigned h = key_hash(k);

		hash[i] = (unsigned char)h;
		if (!(seen & (uint64_t)1 << h)) {
			seen |= (uint64_t)1 << h;
			continue;
		}
		for (j = 0; j < i; j++)
			if (hash[j] == h && !strcmp(k, bst_event_kv(ev, j).key))
				return duplicate_key(cap, ev, j, i, err);
	}
	return 0;
}

/* start= and dur_ns= of a closing event. */
static int check_closing(const struct bst_capture *cap,
			 const struct bst_event *ev, struct warnings *w,
			 struct bst_error *err)
{
	const struct bst_event *opening;
	const struct pairing *want;
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
	want = pairing_of(ev->type_id);
	if (want && opening->type_id != want->opening)
		return invalid(err, cap, ev,
			       "start=%" PRId64 " names a %s (line %zu), but a %s closes a %s",
			       start, opening->type, opening->line, ev->type,
			       want->opening_name);
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
