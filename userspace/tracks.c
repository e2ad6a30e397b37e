// SPDX-License-Identifier: GPL-2.0
/*
 * Nesting tracks. Items of one key are taken in start order; each lane
 * keeps a stack of the spans open on it (a span's parent is the one below
 * it). A new span fits a lane whose innermost open span ends no earlier
 * than it does, or an empty lane: it then nests inside everything open
 * there. The lowest such lane is found in a segment tree over the lanes
 * holding, per lane, the end of its innermost open span (UINT64_MAX when
 * empty); spans that ended are popped by the same tree's minimum. Every
 * span is pushed and popped once: O(n log n) for any input, however many
 * spans overlap.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "tracks.h"

#define EMPTY UINT64_MAX

static int key_cmp(const struct bst_track_item *a,
		   const struct bst_track_item *b)
{
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->name != b->name) {
		if (!a->name || !b->name)
			return a->name ? 1 : -1;
		return strcmp(a->name, b->name);
	}
	return 0;
}

int bst_tracks_same_key(const struct bst_track_item *a,
			const struct bst_track_item *b)
{
	return key_cmp(a, b) == 0;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct bst_track_item *a = pa, *b = pb;
	int k = key_cmp(a, b);

	if (k)
		return k;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	if (a->end_ns != b->end_ns)
		return a->end_ns > b->end_ns ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	return 0;
}

struct lanes {
	size_t size;		/* leaves: a power of two */
	uint64_t *lo, *hi;	/* per node: min and max of the leaves' ends */
	size_t *top;		/* per lane: its innermost open item, or SIZE_MAX */
	size_t *below;		/* per item: the item open under it */
};

static void set_leaf(struct lanes *l, size_t lane, uint64_t end)
{
	size_t i = l->size + lane;

	l->lo[i] = l->hi[i] = end;
	for (i /= 2; i >= 1; i /= 2) {
		l->lo[i] = l->lo[2 * i] < l->lo[2 * i + 1] ? l->lo[2 * i] : l->lo[2 * i + 1];
		l->hi[i] = l->hi[2 * i] > l->hi[2 * i + 1] ? l->hi[2 * i] : l->hi[2 * i + 1];
	}
}

/* The lowest lane whose end is <= t (the caller checked one exists). */
static size_t lowest_ended(const struct lanes *l, uint64_t t)
{
	size_t i = 1;

	while (i < l->size)
		i = l->lo[2 * i] <= t ? 2 * i : 2 * i + 1;
	return i - l->size;
}

/* The lowest lane whose end is >= t: one always exists (an empty lane). */
static size_t lowest_fitting(const struct lanes *l, uint64_t t)
{
	size_t i = 1;

	while (i < l->size)
		i = l->hi[2 * i] >= t ? 2 * i : 2 * i + 1;
	return i - l->size;
}

/* Lanes for items[0..m), all of one key, sorted. Returns lanes used. */
static unsigned pack(struct lanes *l, struct bst_track_item *items, size_t m)
{
	size_t i, used = 0;

	for (l->size = 1; l->size < m; l->size *= 2)
		;
	for (i = 0; i < 2 * l->size; i++)
		l->lo[i] = l->hi[i] = EMPTY;
	for (i = 0; i < l->size; i++)
		l->top[i] = SIZE_MAX;
	for (i = 0; i < m; i++) {
		struct bst_track_item *it = &items[i];
		size_t lane;

		/* Close what ended by now: it cannot hold this span. */
		while (l->lo[1] != EMPTY && l->lo[1] <= it->start_ns) {
			lane = lowest_ended(l, it->start_ns);
			l->top[lane] = l->below[l->top[lane]];
			set_leaf(l, lane, l->top[lane] == SIZE_MAX ? EMPTY :
				 items[l->top[lane]].end_ns);
		}
		lane = lowest_fitting(l, it->end_ns);
		l->below[i] = l->top[lane];
		l->top[lane] = i;
		/*
		 * An empty lane's key is EMPTY; a span ending at EMPTY would
		 * look empty, so it ends one ns earlier (never in practice).
		 */
		set_leaf(l, lane, it->end_ns == EMPTY ? EMPTY - 1 : it->end_ns);
		it->lane = (unsigned)lane;
		if (lane + 1 > used)
			used = lane + 1;
	}
	return (unsigned)used;
}

size_t bst_tracks_assign(struct bst_track_item *items, size_t n)
{
	struct lanes l = { 0 };
	size_t size, i, j, tracks = 0;

	if (!n)
		return 0;
	qsort(items, n, sizeof(*items), item_cmp);
	for (size = 1; size < n; size *= 2)
		;
	l.lo = malloc(2 * size * sizeof(*l.lo));
	l.hi = malloc(2 * size * sizeof(*l.hi));
	l.top = malloc(size * sizeof(*l.top));
	l.below = malloc(n * sizeof(*l.below));
	if (!l.lo || !l.hi || !l.top || !l.below) {
		tracks = 0;
		goto out;
	}
	for (i = 0; i < n; i = j) {
		unsigned lanes;

		for (j = i + 1; j < n && !key_cmp(&items[i], &items[j]); j++)
			;
		lanes = pack(&l, items + i, j - i);
		for (size_t k = i; k < j; k++)
			items[k].track = tracks + 1 + items[k].lane;
		tracks += lanes;
	}
out:
	free(l.lo);
	free(l.hi);
	free(l.top);
	free(l.below);
	return tracks;
}
