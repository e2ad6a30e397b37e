// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for comparing boots: medians, percentiles, a bootstrap
 * confidence interval for a difference of medians, and the Mann-Whitney U
 * test. Boot timings are skewed and few, so nothing here assumes a normal
 * distribution.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile q (0..1) with linear interpolation between closest ranks. */
static double sorted_quantile(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)pos;
	double frac = pos - (double)lo;

	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

int bst_quantile(const double *v, size_t n, double q, double *out)
{
	double *s;

	if (n == 0)
		return -1;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	*out = sorted_quantile(s, n, q);
	free(s);
	return 0;
}

/* xorshift64*: a fixed seed makes every report reproducible. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* A uniform index below n (multiply-shift: no division, negligible bias). */
static size_t rand_index(uint64_t *state, size_t n)
{
	return (size_t)(((next_rand(state) >> 32) * (uint64_t)n) >> 32);
}

/*
 * The median of one resample (n draws with replacement) of `sorted`.
 * Values are in increasing order of their index, so the resample's order
 * statistics are those of the drawn indices: count how often each index
 * was drawn and walk the counts to the middle. O(n) a resample where
 * sorting it would be O(n log n); the result is the same.
 */
static double resampled_median(const double *sorted, size_t n,
			       unsigned int *count, uint64_t *rng)
{
	double pos = 0.5 * (double)(n - 1);
	size_t lo = (size_t)pos, i, seen = 0, at_lo = n - 1, at_hi = n - 1;
	int have_lo = 0;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < n; i++)
		count[rand_index(rng, n)]++;
	for (i = 0; i < n; i++) {
		seen += count[i];
		if (!have_lo && seen > lo) {
			at_lo = i;
			have_lo = 1;
		}
		if (seen > lo + 1) {
			at_hi = i;
			break;
		}
	}
	if (pos == (double)lo)
		return sorted[at_lo];
	return sorted[at_lo] + (pos - (double)lo) * (sorted[at_hi] - sorted[at_lo]);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/*
 * Percentile bootstrap of median(b) - median(a): resample each group with
 * replacement `rounds` times and take the 2.5th and 97.5th percentiles of
 * the differences. Each group is sorted once; a resample's median is found
 * from the counts of the indices drawn, without sorting the resample.
 */
int bst_bootstrap_median_diff(const double *a, size_t na, const double *b,
			      size_t nb, unsigned int rounds, double *lo,
			      double *hi)
{
	double *diffs, *sa, *sb;
	unsigned int *count;
	uint64_t rng = 0x9E3779B97F4A7C15ULL;
	unsigned int r;

	if (!na || !nb || !rounds)
		return -1;
	diffs = malloc(rounds * sizeof(*diffs));
	count = malloc((na > nb ? na : nb) * sizeof(*count));
	sa = sorted_copy(a, na);
	sb = sorted_copy(b, nb);
	if (!diffs || !count || !sa || !sb) {
		free(diffs);
		free(count);
		free(sa);
		free(sb);
		return -1;
	}
	for (r = 0; r < rounds; r++) {
		double ma = resampled_median(sa, na, count, &rng);

		diffs[r] = resampled_median(sb, nb, count, &rng) - ma;
	}
	qsort(diffs, rounds, sizeof(*diffs), cmp_double);
	*lo = sorted_quantile(diffs, rounds, 0.025);
	*hi = sorted_quantile(diffs, rounds, 0.975);
	free(diffs);
	free(count);
	free(sa);
	free(sb);
	return 0;
}

struct ranked {
	double v;
	int group;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v,
			  &((const struct ranked *)y)->v);
}

/*
 * Exact two-sided p for U of two tie-free samples of sizes m and n.
 * f(m, n, k), the number of orderings giving U = k, follows from where the
 * largest value falls: in the first sample it is above all n others
 * (f(m - 1, n, k - n)), in the second it adds nothing (f(m, n - 1, k)).
 * Only two layers of i are kept: (n + 1) * (mn + 1) counts each.
 */
static double exact_p(size_t m, size_t n, double u)
{
	size_t umax = m * n, i, j, k, stride = umax + 1;
	double *prev = calloc((n + 1) * stride, sizeof(double));
	double *cur = calloc((n + 1) * stride, sizeof(double));
	double total = 0, tail = 0, lower, *swap;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NAN;
	}
	/* i = 0: one ordering, U = 0, whatever j. */
	for (j = 0; j <= n; j++)
		prev[j * stride] = 1;
	for (i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * stride * sizeof(double));
		cur[0] = 1;
		for (j = 1; j <= n; j++)
			for (k = 0; k <= i * j; k++)
				cur[j * stride + k] =
					(k >= j ? prev[j * stride + k - j] : 0) +
					cur[(j - 1) * stride + k];
		swap = prev;
		prev = cur;
		cur = swap;
	}
	lower = u < (double)umax - u ? u : (double)umax - u;
	for (k = 0; k <= umax; k++) {
		total += prev[n * stride + k];
		if ((double)k <= lower + 1e-9)
			tail += prev[n * stride + k];
	}
	free(prev);
	free(cur);
	tail = 2 * tail / total;
	return tail > 1 ? 1 : tail;
}

/*
 * The smallest two-sided p the exact test can give for samples of sizes m
 * and n: every value of one above every value of the other, one ordering
 * in C(m + n, m) at each end.
 */
double bst_mann_whitney_min_p(size_t m, size_t n)
{
	double orderings = 1;
	size_t i;

	if (!m || !n)
		return 1;
	for (i = 1; i <= m; i++)
		orderings = orderings * (double)(n + i) / (double)i;
	return orderings <= 2 ? 1 : 2 / orderings;
}

/* The fewest boots per group (equal groups) with a minimum p below alpha. */
size_t bst_boots_needed(double alpha)
{
	size_t k = 1;

	while (bst_mann_whitney_min_p(k, k) >= alpha && k < 1000)
		k++;
	return k;
}

/*
 * Mann-Whitney U test, two-sided. Returns U for sample a (the number of
 * pairs where a's value is above b's, ties counting half) and its p-value:
 * exact for small tie-free samples, else the normal approximation with
 * tie and continuity corrections.
 */
int bst_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     double *u_out, double *p_out)
{
	size_t n = na + nb, i, j;
	struct ranked *r;
	double ra = 0, ties = 0, u, mu, sigma, z;
	int has_ties = 0;

	if (!na || !nb)
		return -1;
	r = malloc(n * sizeof(*r));
	if (!r)
		return -1;
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double rank;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		/* Ranks i+1 .. j share their average. */
		rank = ((double)(i + 1) + (double)j) / 2;
		if (j - i > 1) {
			double t = (double)(j - i);

			has_ties = 1;
			ties += t * t * t - t;
		}
		for (size_t k = i; k < j; k++)
			if (r[k].group == 0)
				ra += rank;
	}
	free(r);
	u = ra - (double)na * ((double)na + 1) / 2;
	*u_out = u;

	if (!has_ties && na <= 50 && nb <= 50) {
		*p_out = exact_p(na, nb, u);
		return 0;
	}
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb / 12 *
		     ((double)n + 1 - ties / ((double)n * ((double)n - 1))));
	if (sigma == 0) {
		*p_out = 1;
		return 0;
	}
	z = (fabs(u - mu) - 0.5) / sigma;
	if (z < 0)
		z = 0;
	*p_out = erfc(z / sqrt(2));
	return 0;
}
