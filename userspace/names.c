// SPDX-License-Identifier: GPL-2.0
/*
 * Names ranked in strcmp's order (names.h), for blame's and plot's sorts.
 * Each distinct name gets an id from a hash table, grown with the names
 * so that it stays small enough for the cache; then the distinct names
 * alone are sorted, by their first 16 bytes as numbers (read once) and by
 * strcmp only past them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int bst_names_init(struct bst_names *t, size_t most)
{
	memset(t, 0, sizeof(*t));
	t->size = 1024;
	t->name = calloc(most + 1, sizeof(*t->name));
	t->rank = calloc(most + 1, sizeof(*t->rank));
	t->slot = calloc(t->size, sizeof(*t->slot));
	return t->name && t->rank && t->slot ? 0 : -1;
}

void bst_names_free(struct bst_names *t)
{
	free(t->name);
	free(t->rank);
	free(t->slot);
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static int names_grow(struct bst_names *t)
{
	size_t size = t->size * 2, *slot = calloc(size, sizeof(*slot)), id;

	if (!slot)
		return -1;
	for (id = 0; id < t->n; id++) {
		size_t i = name_hash(t->name[id]) & (size - 1);

		while (slot[i])
			i = (i + 1) & (size - 1);
		slot[i] = id + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->size = size;
	return 0;
}

/* At most the bst_names_init count of distinct names are added. */
int bst_name_id(struct bst_names *t, const char *s, size_t *id)
{
	size_t i;

	if ((t->n + 1) * 2 > t->size && names_grow(t))
		return -1;
	i = name_hash(s) & (t->size - 1);
	while (t->slot[i] && strcmp(t->name[t->slot[i] - 1], s))
		i = (i + 1) & (t->size - 1);
	if (!t->slot[i]) {
		t->name[t->n++] = s;
		t->slot[i] = t->n;
	}
	*id = t->slot[i] - 1;
	return 0;
}

/* A name with its first 16 bytes as two numbers in strcmp's order. */
struct name_key {
	uint64_t hi, lo;
	const char *s;
	size_t id;
};

static int by_name_key(const void *a, const void *b)
{
	const struct name_key *x = a, *y = b;
	size_t i;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* The same 16 bytes: equal if they held the end, else the rest. */
	for (i = 0; i < 16; i++)
		if (!x->s[i])
			return 0;
	return strcmp(x->s + 16, y->s + 16);
}

/* Big-endian bytes 0..7 of s (zero past its end): unsigned order is strcmp's. */
static uint64_t prefix8(const char *s, size_t *at)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		unsigned char c = (unsigned char)s[*at];

		v = v << 8 | c;
		if (c)
			(*at)++;
	}
	return v;
}

int bst_names_rank(struct bst_names *t)
{
	struct name_key *keys = calloc(t->n + 1, sizeof(*keys));
	size_t i;

	if (!keys)
		return -1;
	for (i = 0; i < t->n; i++) {
		size_t at = 0;

		keys[i].hi = prefix8(t->name[i], &at);
		keys[i].lo = prefix8(t->name[i], &at);
		keys[i].s = t->name[i];
		keys[i].id = i;
	}
	qsort(keys, t->n, sizeof(*keys), by_name_key);
	for (i = 0; i < t->n; i++)
		t->rank[keys[i].id] = i;
	free(keys);
	return 0;
}

