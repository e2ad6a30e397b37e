/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracks on which spans nest: on one track two spans either nest fully or
 * do not overlap, the rule the Perfetto UI (and chrome://tracing) needs to
 * draw complete events. Spans that would break it get a track of their own.
 */
#ifndef BST_TRACKS_H
#define BST_TRACKS_H

#include <stddef.h>
#include <stdint.h>

struct bst_track_item {
	/* The key: items of different keys never share a track. */
	int group;		/* sorts first (a process in the trace) */
	uint64_t num;		/* then a number (a thread id) */
	const char *name;	/* then a name (a disk); NULL sorts first */
	uint64_t start_ns, end_ns;	/* end_ns >= start_ns */
	size_t src;		/* the caller's index: ties sort by it */
	/* Out: */
	unsigned lane;		/* 0, 1, ... within the key */
	size_t track;		/* unique over all keys and lanes, from 1 */
};

/*
 * Sort items by key, then start (earlier first), then end (later first,
 * so that a span comes before the spans inside it), then src; give each a
 * lane of its key and a track number. O(n log n). Returns the number of
 * tracks, or 0 on allocation failure (with n > 0).
 */
size_t bst_tracks_assign(struct bst_track_item *items, size_t n);

/* Do a and b have the same key? */
int bst_tracks_same_key(const struct bst_track_item *a,
			const struct bst_track_item *b);

#endif /* BST_TRACKS_H */
