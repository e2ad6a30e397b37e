// SPDX-License-Identifier: GPL-2.0
/*
 * Compare two groups of boots: for every phase, milestone and driver probe,
 * the median and p90 of each group, the difference of medians with a 95%
 * bootstrap confidence interval, and a Mann-Whitney U p-value. Names what
 * changed between the groups: driver versions, kernel, command line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "compare.h"
#include "json.h"
#include "stats.h"

#define BST_BOOTSTRAP_ROUNDS 2000
#define BST_ALPHA 0.05

struct bst_kvd {
	char *key;
	double ms;
};

struct bst_driver_id {
	char *name;
	char *identity;	/* version, else srcversion, else kernel release */
};

/* What one capture contributes; the capture itself is freed early. */
struct bst_summary {
	char *path;
	char *kernel;
	char *cmdline;
	char *group;		/* identity of --driver, with --group-by */
	struct bst_kvd *m;	/* metrics */
	size_t nm;
	struct bst_driver_id *drv;	/* each driver that probed, and its identity */
	size_t ndrv;
};

static void summary_free(struct bst_summary *s)
{
	size_t i;

	for (i = 0; i < s->nm; i++)
		free(s->m[i].key);
	for (i = 0; i < s->ndrv; i++) {
		free(s->drv[i].name);
		free(s->drv[i].identity);
	}
	free(s->m);
	free(s->drv);
	free(s->path);
	free(s->kernel);
	free(s->cmdline);
	free(s->group);
	memset(s, 0, sizeof(*s));
}

static int add_metric(struct bst_summary *s, const char *key, double ms)
{
	struct bst_kvd *m;
	size_t i;

	for (i = 0; i < s->nm; i++) {
		if (!strcmp(s->m[i].key, key)) {
			s->m[i].ms += ms;	/* several spans of one driver */
			return 0;
		}
	}
	m = realloc(s->m, (s->nm + 1) * sizeof(*m));
	if (!m)
		return -1;
	s->m = m;
	s->m[s->nm].key = strdup(key);
	s->m[s->nm].ms = ms;
	return s->m[s->nm++].key ? 0 : -1;
}

static int add_driver(struct bst_summary *s, const char *drv, const char *id)
{
	struct bst_driver_id *d;
	size_t i;

	for (i = 0; i < s->ndrv; i++)
		if (!strcmp(s->drv[i].name, drv))
			return 0;
	d = realloc(s->drv, (s->ndrv + 1) * sizeof(*d));
	if (!d)
		return -1;
	s->drv = d;
	d[s->ndrv].name = strdup(drv);
	d[s->ndrv].identity = strdup(id);
	s->ndrv++;
	return d[s->ndrv - 1].name && d[s->ndrv - 1].identity ? 0 : -1;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/*
 * Metrics of one boot, in ms: phase durations, when each milestone was
 * reached, and each driver's total probe time (all its spans: a driver
 * that probes three devices, or retries a deferred probe, spends the sum).
 */
static int summarize(const char *path, const char *driver,
		     struct bst_summary *s, struct bst_error *err)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	char key[200];
	size_t i;
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (bst_parse_file(path, &cap, err))
		return -1;
	if (bst_model_build(&cap, &model, err)) {
		bst_capture_free(&cap);
		return -1;
	}
	if (bst_boot_build(&cap, &boot)) {
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
		bst_model_free(&model);
		bst_capture_free(&cap);
		return -1;
	}
	s->path = strdup(path);
	s->kernel = dup_or_empty(bst_header_get(&cap, "kernel"));
	/* Compared word by word, so unescaped ("ro\x20quiet" is two words). */
	s->cmdline = bst_unescape(bst_header_get(&cap, "cmdline"));
	for (i = 0; i < BST_PHASES && !r; i++) {
		const struct bst_phase *ph = &boot.phases[i];

		if (!ph->known)
			continue;
		snprintf(key, sizeof(key), "phase %s", ph->name);
		r = add_metric(s, key, (double)(ph->end_ns - ph->start_ns) / 1e6);
	}
	for (i = 0; i < boot.nms && !r; i++) {
		snprintf(key, sizeof(key), "at %s", boot.ms[i].name);
		r = add_metric(s, key, (double)boot.ms[i].t_ns / 1e6);
	}
	for (i = 0; i < model.nspans && !r; i++) {
		const struct bst_span *sp = &model.spans[i];
		const char *drv;

		if (sp->kind == BST_SPAN_FN && sp->end) {
			const char *mod = bst_event_get(sp->end, "module");

			/* A step inside a driver: its total time in this boot. */
			snprintf(key, sizeof(key), "fn %s:%s", mod ? mod : "?",
				 sp->end->subject);
			r = add_metric(s, key, (double)sp->dur_ns / 1e6);
			continue;
		}
		if (sp->kind != BST_SPAN_PROBE || !sp->end)
			continue;
		drv = bst_event_get(sp->end, "driver");
		if (!drv || !*drv)
			continue;
		snprintf(key, sizeof(key), "probe %s", drv);
		r = add_metric(s, key, (double)sp->dur_ns / 1e6);
		if (!r)
			r = add_driver(s, drv, bst_driver_identity(&cap, sp->end));
	}
	if (!r && driver) {
		for (i = 0; i < s->ndrv; i++)
			if (!strcmp(s->drv[i].name, driver))
				s->group = strdup(s->drv[i].identity);
	}
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	if (r || !s->path || !s->kernel || !s->cmdline) {
		summary_free(s);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
		return -1;
	}
	return 0;
}

struct bst_group {
	char *label;
	struct bst_summary *s;
	size_t n;
};

static int group_add(struct bst_group *g, struct bst_summary *s)
{
	struct bst_summary *p = realloc(g->s, (g->n + 1) * sizeof(*p));

	if (!p)
		return -1;
	g->s = p;
	g->s[g->n++] = *s;
	return 0;
}

static void group_free(struct bst_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		summary_free(&g->s[i]);
	free(g->s);
	free(g->label);
	memset(g, 0, sizeof(*g));
}

static int is_capture_name(const char *name)
{
	/* Hidden files are temporaries of an unfinished `save`. */
	return name[0] != '.';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand one argument (a file, or a directory of captures) into paths. */
static int expand(const char *arg, char ***paths, size_t *n,
		  struct bst_error *err)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t first = *n;

	if (stat(arg, &st)) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*paths = realloc(*paths, (*n + 1) * sizeof(**paths));
		(*paths)[(*n)++] = strdup(arg);
		return 0;
	}
	d = opendir(arg);
	if (!d) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char *p;

		if (!is_capture_name(de->d_name))
			continue;
		if (asprintf(&p, "%s/%s", arg, de->d_name) < 0)
			break;
		if (stat(p, &st) || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		*paths = realloc(*paths, (*n + 1) * sizeof(**paths));
		(*paths)[(*n)++] = p;
	}
	closedir(d);
	/* Directory order is arbitrary; reports must not be. */
	if (*n > first)
		qsort(*paths + first, *n - first, sizeof(**paths), cmp_str);
	return 0;
}

struct bst_row {
	const char *key;
	size_t na, nb;
	double med_a, p90_a, med_b, p90_b, delta, lo, hi, p;
	int has_ci, significant;
};

static size_t collect(const struct bst_group *g, const char *key, double *out)
{
	size_t i, j, n = 0;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->s[i].nm; j++)
			if (!strcmp(g->s[i].m[j].key, key))
				out[n++] = g->s[i].m[j].ms;
	return n;
}

static int by_effect(const void *a, const void *b)
{
	const struct bst_row *x = a, *y = b;
	double dx = fabs(x->delta), dy = fabs(y->delta);

	if (x->significant != y->significant)
		return y->significant - x->significant;
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Every metric key of either group, once. */
static const char **all_keys(const struct bst_group *a,
			     const struct bst_group *b, size_t *nkeys)
{
	const struct bst_group *gs[2] = { a, b };
	const char **keys = NULL;
	size_t n = 0, g, i, j, k;

	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++)
			for (j = 0; j < gs[g]->s[i].nm; j++) {
				const char *key = gs[g]->s[i].m[j].key;

				for (k = 0; k < n && strcmp(keys[k], key); k++)
					;
				if (k < n)
					continue;
				keys = realloc(keys, (n + 1) * sizeof(*keys));
				keys[n++] = key;
			}
	*nkeys = n;
	return keys;
}

/* Distinct values of a per-capture string, joined: "6.1.0-57, 6.1.0-58". */
static void distinct(const struct bst_group *g, const char *driver,
		     int kernel, char *out, size_t size)
{
	size_t i, j, len = 0;

	out[0] = '\0';
	for (i = 0; i < g->n; i++) {
		const char *v = NULL;

		if (kernel)
			v = g->s[i].kernel;
		for (j = 0; !kernel && j < g->s[i].ndrv; j++)
			if (!strcmp(g->s[i].drv[j].name, driver))
				v = g->s[i].drv[j].identity;
		if (!v)
			v = "(absent)";
		if (strstr(out, v))
			continue;
		len += snprintf(out + len, len < size ? size - len : 0, "%s%s",
				len ? ", " : "", v);
	}
}

/* Kernel command-line words in one group's boots but not the other's. */
static void cmdline_diff(const struct bst_group *a, const struct bst_group *b,
			 char *out, size_t size)
{
	const struct bst_group *gs[2] = { a, b };
	size_t len = 0, g, i;

	out[0] = '\0';
	for (g = 0; g < 2; g++) {
		for (i = 0; i < gs[g]->n; i++) {
			char *words = strdup(gs[g]->s[i].cmdline), *w, *save;

			for (w = strtok_r(words, " ", &save); w;
			     w = strtok_r(NULL, " ", &save)) {
				const struct bst_group *o = gs[!g];
				size_t k, found = 0;
				char tag[300];

				for (k = 0; k < o->n && !found; k++) {
					char pad[4096];

					snprintf(pad, sizeof(pad), " %s ", o->s[k].cmdline);
					snprintf(tag, sizeof(tag), " %s ", w);
					found = strstr(pad, tag) != NULL;
				}
				if (found || !o->n)
					continue;
				snprintf(tag, sizeof(tag), "%s%s", g ? "+" : "-", w);
				if (strstr(out, tag))
					continue;
				len += snprintf(out + len, len < size ? size - len : 0,
						"%s%s", len ? " " : "", tag);
			}
			free(words);
		}
	}
}

static void print_changes(FILE *out, const struct bst_group *a,
			  const struct bst_group *b, int json)
{
	char va[512], vb[512], diff[1024];
	const char **drivers = NULL;
	size_t nd = 0, g, i, j, k;
	int first = 1;

	if (json)
		fputs("\"changes\":[", out);
	else
		fputs("What differs between the groups:\n", out);
	for (g = 0; g < 2; g++) {
		const struct bst_group *gr = g ? b : a;

		for (i = 0; i < gr->n; i++)
			for (j = 0; j < gr->s[i].ndrv; j++) {
				for (k = 0; k < nd && strcmp(drivers[k], gr->s[i].drv[j].name); k++)
					;
				if (k == nd) {
					drivers = realloc(drivers, (nd + 1) * sizeof(*drivers));
					drivers[nd++] = gr->s[i].drv[j].name;
				}
			}
	}
	for (k = 0; k <= nd; k++) {
		const char *what = k < nd ? drivers[k] : "kernel";

		distinct(a, what, k == nd, va, sizeof(va));
		distinct(b, what, k == nd, vb, sizeof(vb));
		if (!strcmp(va, vb))
			continue;
		if (json) {
			fprintf(out, "%s{\"what\":", first ? "" : ",");
			bst_json_str(out, k < nd ? "driver" : "kernel");
			fputs(",\"name\":", out);
			bst_json_str(out, what);
			fputs(",\"a\":", out);
			bst_json_str(out, va);
			fputs(",\"b\":", out);
			bst_json_str(out, vb);
			fputc('}', out);
		} else {
			if (k < nd)
				fprintf(out, "  driver %s: %s -> %s\n", what, va, vb);
			else
				fprintf(out, "  kernel release: %s -> %s\n", va, vb);
		}
		first = 0;
	}
	cmdline_diff(a, b, diff, sizeof(diff));
	if (*diff) {
		if (json) {
			fprintf(out, "%s{\"what\":\"cmdline\",\"name\":\"\",\"a\":\"\",\"b\":",
				first ? "" : ",");
			bst_json_str(out, diff);
			fputc('}', out);
		} else {
			fprintf(out, "  kernel command line: %s\n", diff);
		}
		first = 0;
	}
	if (json)
		fputs("],", out);
	else if (first)
		fputs("  nothing recorded differs (driver versions, kernel, command line)\n", out);
	free(drivers);
}

static void fmt_ms(char *buf, size_t size, double v, int sign)
{
	snprintf(buf, size, sign ? "%+.3f" : "%.3f", v);
}

/*
 * For each driver whose probe time changed significantly, the steps timed
 * inside it (spans=) whose time changed too: where the time moved.
 */
static void print_moved(FILE *out, const struct bst_row *rows, size_t n)
{
	size_t i, j, shown = 0;

	for (i = 0; i < n; i++) {
		const char *drv;
		size_t len;

		if (!rows[i].significant || strncmp(rows[i].key, "probe ", 6))
			continue;
		drv = rows[i].key + 6;
		len = strlen(drv);
		for (j = 0; j < n; j++) {
			const char *k = rows[j].key;

			if (!rows[j].significant || strncmp(k, "fn ", 3) ||
			    strncmp(k + 3, drv, len) || k[3 + len] != ':')
				continue;
			fprintf(out, "%sWhere the time moved: %s changed by %+.3f ms of the %+.3f ms in %s's probes.\n",
				shown++ ? "" : "\n", k + 4 + len, rows[j].delta,
				rows[i].delta, drv);
		}
	}
}

static int compare_groups(FILE *out, struct bst_group *a, struct bst_group *b,
			  int json)
{
	size_t nkeys, i, nrows = 0;
	const char **keys = all_keys(a, b, &nkeys);
	double *va = malloc((a->n + 1) * sizeof(double));
	double *vb = malloc((b->n + 1) * sizeof(double));
	struct bst_row *rows = calloc(nkeys + 1, sizeof(*rows));
	int few = a->n < 2 || b->n < 2;

	if (!va || !vb || !rows || (nkeys && !keys)) {
		free(va);
		free(vb);
		free(rows);
		free(keys);
		fprintf(stderr, "bootstamps: out of memory\n");
		return 2;
	}
	for (i = 0; i < nkeys; i++) {
		struct bst_row *r = &rows[nrows];
		double u;

		r->key = keys[i];
		r->na = collect(a, keys[i], va);
		r->nb = collect(b, keys[i], vb);
		if (!r->na || !r->nb)
			continue;	/* only in one group: nothing to compare */
		bst_quantile(va, r->na, 0.5, &r->med_a);
		bst_quantile(va, r->na, 0.9, &r->p90_a);
		bst_quantile(vb, r->nb, 0.5, &r->med_b);
		bst_quantile(vb, r->nb, 0.9, &r->p90_b);
		r->delta = r->med_b - r->med_a;
		r->p = NAN;
		if (r->na >= 2 && r->nb >= 2) {
			r->has_ci = !bst_bootstrap_median_diff(va, r->na, vb, r->nb,
							       BST_BOOTSTRAP_ROUNDS,
							       &r->lo, &r->hi);
			if (!bst_mann_whitney(va, r->na, vb, r->nb, &u, &r->p))
				r->significant = r->p < BST_ALPHA && r->has_ci &&
						 (r->lo > 0 || r->hi < 0);
		}
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), by_effect);

	if (json) {
		fputs("{\"a\":{\"label\":", out);
		bst_json_str(out, a->label);
		fprintf(out, ",\"boots\":%zu},\"b\":{\"label\":", a->n);
		bst_json_str(out, b->label);
		fprintf(out, ",\"boots\":%zu},", b->n);
		print_changes(out, a, b, 1);
		fprintf(out, "\"alpha\":%.2f,\"rows\":[", BST_ALPHA);
		for (i = 0; i < nrows; i++) {
			const struct bst_row *r = &rows[i];

			fprintf(out, "%s{\"metric\":", i ? "," : "");
			bst_json_str(out, r->key);
			fprintf(out, ",\"n_a\":%zu,\"median_a_ms\":%.6f,\"p90_a_ms\":%.6f,\"n_b\":%zu,\"median_b_ms\":%.6f,\"p90_b_ms\":%.6f,\"delta_ms\":%.6f,",
				r->na, r->med_a, r->p90_a, r->nb, r->med_b, r->p90_b, r->delta);
			if (r->has_ci)
				fprintf(out, "\"ci95_ms\":[%.6f,%.6f],", r->lo, r->hi);
			else
				fputs("\"ci95_ms\":null,", out);
			if (isnan(r->p))
				fputs("\"p\":null,", out);
			else
				fprintf(out, "\"p\":%.6g,", r->p);
			fprintf(out, "\"significant\":%s}", r->significant ? "true" : "false");
		}
		fputs("]}\n", out);
	} else {
		fprintf(out, "A: %s (%zu boot%s)\nB: %s (%zu boot%s)\n", a->label, a->n,
			a->n == 1 ? "" : "s", b->label, b->n, b->n == 1 ? "" : "s");
		print_changes(out, a, b, 0);
		fputc('\n', out);
		fprintf(out, "%-40s %3s %10s %10s %3s %10s %10s %10s  %-23s %8s\n",
			"METRIC (ms)", "nA", "median A", "p90 A", "nB", "median B",
			"p90 B", "B-A", "95% CI", "p");
		for (i = 0; i < nrows; i++) {
			const struct bst_row *r = &rows[i];
			char ma[24], pa[24], mb[24], pb[24], d[24], ci[48] = "-",
			     p[24] = "-";

			fmt_ms(ma, sizeof(ma), r->med_a, 0);
			fmt_ms(pa, sizeof(pa), r->p90_a, 0);
			fmt_ms(mb, sizeof(mb), r->med_b, 0);
			fmt_ms(pb, sizeof(pb), r->p90_b, 0);
			fmt_ms(d, sizeof(d), r->delta, 1);
			if (r->has_ci)
				snprintf(ci, sizeof(ci), "[%+.3f, %+.3f]", r->lo, r->hi);
			if (!isnan(r->p))
				snprintf(p, sizeof(p), "%.4f", r->p);
			fprintf(out, "%-40.40s %3zu %10s %10s %3zu %10s %10s %10s  %-23s %8s%s\n",
				r->key, r->na, ma, pa, r->nb, mb, pb, d, ci, p,
				r->significant ? " *" : "");
		}
		print_moved(out, rows, nrows);
		fputc('\n', out);
		if (few)
			fprintf(out, "Significance needs at least 2 boots per group (5 or more to be useful); these are single samples.\n");
		else
			fprintf(out, "* significant: Mann-Whitney p < %.2f and the 95%% bootstrap CI of B-A excludes 0.\n",
				BST_ALPHA);
	}
	free(va);
	free(vb);
	free(rows);
	free(keys);
	return 0;
}

static int load_group(char **args, size_t nargs, const char *driver,
		      struct bst_group *g, struct bst_error *err)
{
	char **paths = NULL;
	size_t n = 0, i;
	int r = 0;

	for (i = 0; i < nargs && !r; i++)
		r = expand(args[i], &paths, &n, err);
	for (i = 0; i < n && !r; i++) {
		struct bst_summary s;

		r = summarize(paths[i], driver, &s, err);
		if (!r && group_add(g, &s)) {
			summary_free(&s);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			r = -1;
		}
	}
	if (!r && n == 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: no captures found",
			 nargs ? args[0] : "(none)");
		r = -1;
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return r;
}

static int by_version(const void *a, const void *b)
{
	return strverscmp(((const struct bst_group *)a)->label,
			  ((const struct bst_group *)b)->label);
}

int bst_compare(FILE *out, char **a_args, size_t na, char **b_args, size_t nb,
		const char *group_by_driver, int json)
{
	struct bst_group a = { 0 }, b = { 0 }, all = { 0 }, *groups = NULL;
	struct bst_error err;
	size_t ng = 0, i, j;
	int rc = 0;

	if (!group_by_driver) {
		if (load_group(a_args, na, NULL, &a, &err) ||
		    load_group(b_args, nb, NULL, &b, &err)) {
			fprintf(stderr, "bootstamps: %s\n", err.msg);
			group_free(&a);
			group_free(&b);
			return 2;
		}
		a.label = strdup(na ? a_args[0] : "A");
		b.label = strdup(nb ? b_args[0] : "B");
		rc = compare_groups(out, &a, &b, json);
		group_free(&a);
		group_free(&b);
		return rc;
	}

	if (load_group(a_args, na, group_by_driver, &all, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		group_free(&all);
		return 2;
	}
	/* One group per identity of the driver; boots without it are left out. */
	for (i = 0; i < all.n; i++) {
		struct bst_summary *s = &all.s[i];

		if (!s->group) {
			fprintf(stderr, "bootstamps: %s: no probe of %s; left out\n",
				s->path, group_by_driver);
			summary_free(s);
			continue;
		}
		for (j = 0; j < ng && strcmp(groups[j].label, s->group); j++)
			;
		if (j == ng) {
			groups = realloc(groups, (ng + 1) * sizeof(*groups));
			memset(&groups[ng], 0, sizeof(*groups));
			groups[ng].label = strdup(s->group);
			ng++;
		}
		group_add(&groups[j], s);
	}
	free(all.s);
	if (ng < 2) {
		fprintf(stderr, "bootstamps: all captures have the same %s (%s): nothing to compare\n",
			group_by_driver, ng ? groups[0].label : "none");
		rc = 2;
	} else {
		/* Oldest version first; each later one is compared with it. */
		qsort(groups, ng, sizeof(*groups), by_version);
		if (json)
			fputs("{\"comparisons\":[", out);
		for (i = 1; i < ng && !rc; i++) {
			if (json && i > 1)
				fputc(',', out);
			else if (!json && i > 1)
				fputs("\n", out);
			if (!json)
				fprintf(out, "%s %s: %s vs %s\n", group_by_driver,
					"versions", groups[0].label, groups[i].label);
			rc = compare_groups(out, &groups[0], &groups[i], json);
		}
		if (json)
			fputs("]}\n", out);
	}
	for (i = 0; i < ng; i++)
		group_free(&groups[i]);
	free(groups);
	return rc;
}
