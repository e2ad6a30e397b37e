// SPDX-License-Identifier: GPL-2.0
/*
 * Where probe time went, per driver: every attempt of a driver (several
 * devices, deferred and failed retries) summed into one row, as
 * systemd-analyze blame does per unit; and the steps timed inside probes
 * (fn.*), placed under the probe that ran them.
 *
 * Everything here sorts once and sweeps: a capture of a million events
 * with steps inside every probe costs O(n log n), never probe x step.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "names.h"

#define RC_PROBE_DEFER (-517)

/* When a span began: its end minus the kernel's duration, never below 0. */
uint64_t bst_span_start_ns(const struct bst_span *sp)
{
	if (!sp->end)
		return sp->start ? sp->start->t_ns : 0;
	return sp->dur_ns > sp->end->t_ns ? 0 : sp->end->t_ns - sp->dur_ns;
}

/* A span still running ends after everything. */
static uint64_t span_end_ns(const struct bst_span *sp)
{
	return sp->end ? sp->end->t_ns : UINT64_MAX;
}

static const struct bst_event *span_event(const struct bst_span *sp)
{
	return sp->end ? sp->end : sp->start;
}

struct placed {
	const struct bst_span *sp;
	int64_t pid;
	uint64_t start, end;
};

static int by_thread_then_nesting(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* The longer of two spans starting together is the outer one. */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	/* A probe and a step of the same extent: the step is the probe's. */
	if (x->sp->kind != y->sp->kind)
		return x->sp->kind == BST_SPAN_PROBE ? -1 : 1;
	return x->sp < y->sp ? -1 : (x->sp > y->sp);
}

struct open_span {
	const struct placed *p;
	const struct bst_span *probe;	/* innermost probe at or below here */
	size_t steps;			/* steps open above that probe */
};

/*
 * For every finished step (BST_SPAN_FN), the probe running around it on
 * the same thread (pid=), and its depth: 1 directly inside the probe, 2
 * inside another step of it, and so on. place[] is indexed like
 * model->spans; entries of other spans are left zero.
 */
int bst_steps_place(const struct bst_model *model, struct bst_step_place *place)
{
	struct placed *all = calloc(model->nspans + 1, sizeof(*all));
	struct open_span *stack = calloc(model->nspans + 1, sizeof(*stack));
	size_t i, n = 0, depth = 0;

	if (!all || !stack) {
		free(all);
		free(stack);
		return -1;
	}
	memset(place, 0, model->nspans * sizeof(*place));
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		int64_t pid;

		if (sp->kind != BST_SPAN_PROBE && !(sp->kind == BST_SPAN_FN && sp->end))
			continue;
		/* Parsed once: the sort compares numbers, not strings. */
		if (bst_event_get_i64(span_event(sp), "pid", &pid) != 1)
			continue;
		all[n++] = (struct placed){ sp, pid, bst_span_start_ns(sp),
					    span_end_ns(sp) };
	}
	qsort(all, n, sizeof(*all), by_thread_then_nesting);
	for (i = 0; i < n; i++) {
		const struct placed *p = &all[i];
		struct open_span top = { 0 };

		/* Close what does not hold this span: ended, or other thread. */
		while (depth && (stack[depth - 1].p->pid != p->pid ||
				 stack[depth - 1].p->end < p->end))
			depth--;
		if (depth)
			top = stack[depth - 1];
		if (p->sp->kind == BST_SPAN_FN && top.probe) {
			struct bst_step_place *pl = &place[p->sp - model->spans];

			pl->probe = top.probe;
			pl->depth = top.steps + 1;
		}
		stack[depth++] = p->sp->kind == BST_SPAN_PROBE ?
			(struct open_span){ p, p->sp, 0 } :
			(struct open_span){ p, top.probe, top.steps + 1 };
	}
	free(all);
	free(stack);
	return 0;
}

/* A probe, with what its row is sorted by read out once. */
struct attempt {
	const struct bst_span *sp;
	const char *key;	/* its driver, or its device when unnamed */
	const char *device;
	size_t key_n, device_n;	/* their ranks (names.h) */
	int by_device;
	uint64_t start;
	/*
	 * What its row needs from its event, read in the pass over the
	 * spans (in the file's order), not in the sorted order, where each
	 * event is somewhere else in a large capture.
	 */
	const char *identity;	/* bst_driver_identity() */
	uint64_t end_ns;	/* when it ended (finished only) */
	unsigned char async, kmsg;
};

static int by_row_then_device(const void *a, const void *b)
{
	const struct attempt *x = a, *y = b;

	if (x->by_device != y->by_device)
		return x->by_device - y->by_device;
	if (x->key_n != y->key_n)
		return x->key_n < y->key_n ? -1 : 1;
	if (x->device_n != y->device_n)
		return x->device_n < y->device_n ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->sp < y->sp ? -1 : (x->sp > y->sp);
}

static int by_total_desc(const void *a, const void *b)
{
	const struct bst_blame_row *x = a, *y = b;
	int c;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->attempts != y->attempts)
		return x->attempts < y->attempts ? 1 : -1;
	c = strcmp(x->driver, y->driver);
	return c ? c : strcmp(x->device, y->device);
}

struct step_key {
	size_t row;
	const struct bst_span *sp;
	size_t depth;
	size_t function_n;	/* its function's rank (names.h) */
	uint64_t end_ns;	/* read once, as struct attempt's are */
	int has_ret;
	int64_t ret;
};

static int by_row_step(const void *a, const void *b)
{
	const struct step_key *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->function_n != y->function_n)
		return x->function_n < y->function_n ? -1 : 1;
	return x->end_ns < y->end_ns ? -1 : (x->end_ns > y->end_ns);
}

static int step_by_total_desc(const void *a, const void *b)
{
	const struct bst_step_row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return strcmp(x->function, y->function);
}

/* What add_attempt needs of an attempt's event. */
static void read_attempt(const struct bst_capture *cap, struct attempt *at)
{
	const struct bst_event *ev = span_event(at->sp);
	const char *v;

	at->identity = bst_driver_identity(cap, ev);
	if (!at->sp->end)
		return;
	at->end_ns = ev->t_ns;
	at->async = (v = bst_event_get(ev, "async")) && !strcmp(v, "1");
	at->kmsg = (v = bst_event_get(ev, "src")) && !strcmp(v, "kmsg");
}

static void add_attempt(struct bst_blame_row *r, const struct attempt *at,
			uint64_t *last_end)
{
	const struct bst_span *sp = at->sp;

	r->attempts++;
	if (!sp->end) {
		r->running++;
		if (!r->identity) {
			r->identity = at->identity;
			r->last = span_event(sp);
		}
		return;
	}
	r->total_ns += sp->dur_ns;
	if (sp->dur_ns > r->longest_ns)
		r->longest_ns = sp->dur_ns;
	if (sp->has_rc && sp->rc == RC_PROBE_DEFER)
		r->deferred++;
	else if (sp->has_rc && sp->rc < 0)
		r->failed++;
	r->async += at->async;
	r->kmsg += at->kmsg;
	/* The last attempt (by when it ended) gives the row's result. */
	if (!r->identity || at->end_ns >= *last_end) {
		*last_end = at->end_ns;
		r->has_last_rc = sp->has_rc;
		r->last_rc = sp->rc;
		r->identity = at->identity;
		r->last = span_event(sp);
	}
}

int bst_blame_build(const struct bst_capture *cap, const struct bst_model *model,
		    struct bst_blame *blame)
{
	struct attempt *probes = calloc(model->nspans + 1, sizeof(*probes));
	size_t *row_of = calloc(model->nspans + 1, sizeof(*row_of));
	struct bst_step_place *place = calloc(model->nspans + 1, sizeof(*place));
	uint64_t *last_end = NULL;
	struct step_key *keys = NULL;
	size_t i, n = 0, nkeys = 0, k;
	struct bst_blame_row *r = NULL;
	struct bst_names names;

	memset(blame, 0, sizeof(*blame));
	/* Names: a probe's driver (or device) and device, a step's function. */
	if (bst_names_init(&names, 2 * model->nspans) || !probes || !row_of || !place)
		goto fail;
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = span_event(sp);
		const char *drv = bst_event_get(ev, "driver");
		struct attempt *at = &probes[n];

		if (sp->kind != BST_SPAN_PROBE)
			continue;
		*at = (struct attempt){ sp, drv && *drv ? drv : ev->subject,
			ev->subject, 0, 0, !drv || !*drv, bst_span_start_ns(sp), NULL, 0, 0, 0 };
		if (bst_name_id(&names, at->key, &at->key_n) ||
		    bst_name_id(&names, at->device, &at->device_n))
			goto fail;
		read_attempt(cap, at);
		n++;
	}
	/* Steps' functions too, before the names are ranked. */
	if (bst_steps_place(model, place))
		goto fail;
	for (i = 0; i < model->nspans; i++)
		if (place[i].probe &&
		    bst_name_id(&names, model->spans[i].end->subject, &k))
			goto fail;
	if (bst_names_rank(&names))
		goto fail;
	for (i = 0; i < n; i++) {
		probes[i].key_n = names.rank[probes[i].key_n];
		probes[i].device_n = names.rank[probes[i].device_n];
	}
	qsort(probes, n, sizeof(*probes), by_row_then_device);
	blame->rows = calloc(n + 1, sizeof(*blame->rows));
	last_end = calloc(n + 1, sizeof(*last_end));
	if (!blame->rows || !last_end)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct attempt *at = &probes[i], *prev = i ? &probes[i - 1] : NULL;

		if (!prev || at->by_device != prev->by_device || at->key_n != prev->key_n) {
			r = &blame->rows[blame->nrows++];
			r->driver = at->by_device ? "" : at->key;
			r->device = at->device;
			r->devices = 1;
		} else if (at->device_n != prev->device_n) {
			r->devices++;
		}
		add_attempt(r, at, &last_end[r - blame->rows]);
		row_of[at->sp - model->spans] = (size_t)(r - blame->rows);
	}

	/* Steps: grouped by row, depth and function, then summed. */
	keys = calloc(model->nspans + 1, sizeof(*keys));
	if (!keys)
		goto fail;
	for (i = 0; i < model->nspans; i++) {
		const struct bst_event *end = model->spans[i].end;
		struct step_key *key = &keys[nkeys];

		if (!place[i].probe)
			continue;
		/* Every function has an id already: this adds none. */
		if (bst_name_id(&names, end->subject, &k))
			goto fail;
		*key = (struct step_key){ row_of[place[i].probe - model->spans],
			&model->spans[i], place[i].depth, names.rank[k],
			end->t_ns, 0, 0 };
		key->has_ret = bst_event_get_i64(end, "ret", &key->ret) == 1;
		nkeys++;
	}
	qsort(keys, nkeys, sizeof(*keys), by_row_step);
	blame->steps = calloc(nkeys + 1, sizeof(*blame->steps));
	if (!blame->steps)
		goto fail;
	for (i = 0; i < nkeys; i = k) {
		struct bst_step_row *s = &blame->steps[blame->nsteps++];
		struct bst_blame_row *owner = &blame->rows[keys[i].row];

		s->function = keys[i].sp->end->subject;
		s->depth = keys[i].depth;
		for (k = i; k < nkeys && keys[k].row == keys[i].row &&
			    keys[k].depth == keys[i].depth &&
			    keys[k].function_n == keys[i].function_n; k++) {
			s->calls++;
			s->total_ns += keys[k].sp->dur_ns;
			/* keys are in time order within the group: the last wins. */
			s->has_ret = keys[k].has_ret;
			s->last_ret = s->has_ret ? keys[k].ret : 0;
		}
		if (!owner->steps)
			owner->steps = s;
		owner->nsteps++;
	}
	for (i = 0; i < blame->nrows; i++)
		if (blame->rows[i].nsteps)
			qsort(blame->rows[i].steps, blame->rows[i].nsteps,
			      sizeof(*blame->rows[i].steps), step_by_total_desc);
	/* Rows move when sorted: their steps stay where they are. */
	qsort(blame->rows, blame->nrows, sizeof(*blame->rows), by_total_desc);
	free(probes);
	free(row_of);
	free(place);
	free(last_end);
	free(keys);
	bst_names_free(&names);
	return 0;
fail:
	free(probes);
	free(row_of);
	free(place);
	free(last_end);
	free(keys);
	bst_names_free(&names);
	bst_blame_free(blame);
	return -1;
}

void bst_blame_free(struct bst_blame *blame)
{
	free(blame->rows);
	free(blame->steps);
	memset(blame, 0, sizeof(*blame));
}
