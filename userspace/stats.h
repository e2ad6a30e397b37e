/* SPDX-License-Identifier: GPL-2.0 */
/* Statistics for comparing groups of boots (stats.c). */
#ifndef BST_STATS_H
#define BST_STATS_H

#include <stddef.h>
#include <stdint.h>

int bst_quantile(const double *v, size_t n, double q, double *out);
int bst_bootstrap_median_diff(const double *a, size_t na, const double *b,
			      size_t nb, unsigned int rounds, double *lo,
			      double *hi);
int bst_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     double *u, double *p);
double bst_mann_whitney_min_p(size_t m, size_t n);
size_t bst_boots_needed(double alpha);

#endif /* BST_STATS_H */
