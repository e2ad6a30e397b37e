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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
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
	char *identity;	/* its version, or "in-tree (<kernel release>)" */
	int in_tree;
};

/* What one capture contributes; the capture itself is freed early. */
struct bst_summary {
	char *path;
	char *kernel;
	char *cmdline;
	char *boot_id;		/* from save's "# saved boot_id=" line, or NULL */
	dev_t dev;		/* the file read, when no boot_id tells the boot */
	ino_t ino;
	int have_inode;
	char *group;		/* identity of --driver, with --group-by */
	int group_in_tree;	/* ... and it is the kernel's own driver */
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
	free(s->boot_id);
	free(s->kernel);
	free(s->cmdline);
	free(s->group);
	memset(s, 0, sizeof(*s));
}

/*
 * Appended as they come; sort_metrics then merges repeats (several spans
 * of one driver add up), so a boot's metrics cost O(m log m), not O(m^2).
 */
static int add_metric(struct bst_summary *s, const char *key, double ms,
		      size_t *cap)
{
	if (s->nm == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct bst_kvd *m = realloc(s->m, ncap * sizeof(*m));

		if (!m)
			return -1;
		s->m = m;
		*cap = ncap;
	}
	s->m[s->nm].key = strdup(key);
	s->m[s->nm].ms = ms;
	return s->m[s->nm++].key ? 0 : -1;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct bst_kvd *)a)->key,
		      ((const struct bst_kvd *)b)->key);
}

/* Sorted by key, each key once: collect() then finds it by bisection. */
static void sort_metrics(struct bst_summary *s)
{
	size_t i, n = 0;

	if (!s->nm)
		return;
	qsort(s->m, s->nm, sizeof(*s->m), by_key);
	for (i = 1; i < s->nm; i++) {
		if (!strcmp(s->m[i].key, s->m[n].key)) {
			s->m[n].ms += s->m[i].ms;
			free(s->m[i].key);
		} else {
			s->m[++n] = s->m[i];
		}
	}
	s->nm = n + 1;
}

static int add_driver(struct bst_summary *s, const char *drv, const char *id,
		      int in_tree)
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
	d[s->ndrv].in_tree = in_tree;
	s->ndrv++;
	return d[s->ndrv - 1].name && d[s->ndrv - 1].identity ? 0 : -1;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/*
 * Which code ran a probe, as compare names it. A driver built into the
 * kernel, or a module without a MODULE_VERSION (in-tree modules have none;
 * out-of-tree drivers such as Amazon's ENA carry one), is the kernel's own:
 * "in-tree (<kernel release>)", so it is never ordered among version
 * numbers. Anything else is named by its version. (A module's srcversion
 * alone does not tell the two apart: kernels built with
 * CONFIG_MODULE_SRCVERSION_ALL give every module one.)
 */
static int driver_label(const struct bst_capture *cap,
			const struct bst_event *ev, char *buf, size_t size)
{
	const char *version = bst_event_get(ev, "version");
	const char *builtin = bst_event_get(ev, "builtin");
	const char *kernel = bst_header_get(cap, "kernel");

	if ((builtin && !strcmp(builtin, "1")) || !version || !*version) {
		snprintf(buf, size, "in-tree (%s)",
			 kernel && *kernel ? kernel : "unknown kernel");
		return 1;
	}
	snprintf(buf, size, "%s", version);
	return 0;
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
	char key[200], label[200];
	size_t i, mcap = 0;
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
	{
		const char *id = bst_header_get(&cap, "boot_id");
		struct stat st;

		s->boot_id = id && *id ? strdup(id) : NULL;
		if (!stat(path, &st)) {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
			s->have_inode = 1;
		}
	}
	s->kernel = dup_or_empty(bst_header_get(&cap, "kernel"));
	/* Compared word by word, so unescaped ("ro\x20quiet" is two words). */
	s->cmdline = bst_unescape(bst_header_get(&cap, "cmdline"));
	for (i = 0; i < BST_PHASES && !r; i++) {
		const struct bst_phase *ph = &boot.phases[i];

		if (!ph->known)
			continue;
		snprintf(key, sizeof(key), "phase %s", ph->name);
		r = add_metric(s, key, (double)(ph->end_ns - ph->start_ns) / 1e6, &mcap);
	}
	for (i = 0; i < boot.nms && !r; i++) {
		snprintf(key, sizeof(key), "at %s", boot.ms[i].name);
		r = add_metric(s, key, (double)boot.ms[i].t_ns / 1e6, &mcap);
	}
	for (i = 0; i < model.nspans && !r; i++) {
		const struct bst_span *sp = &model.spans[i];
		const char *drv;

		if (sp->kind == BST_SPAN_FN && sp->end) {
			const char *mod = bst_event_get(sp->end, "module");

			/* A step inside a driver: its total time in this boot. */
			snprintf(key, sizeof(key), "fn %s:%s", mod ? mod : "?",
				 sp->end->subject);
			r = add_metric(s, key, (double)sp->dur_ns / 1e6, &mcap);
			continue;
		}
		if (sp->kind != BST_SPAN_PROBE || !sp->end)
			continue;
		drv = bst_event_get(sp->end, "driver");
		if (!drv || !*drv)
			continue;
		snprintf(key, sizeof(key), "probe %s", drv);
		r = add_metric(s, key, (double)sp->dur_ns / 1e6, &mcap);
		if (!r) {
			int in_tree = driver_label(&cap, sp->end, label,
						   sizeof(label));

			r = add_driver(s, drv, label, in_tree);
		}
	}
	if (!r)
		sort_metrics(s);
	if (!r && driver) {
		for (i = 0; i < s->ndrv; i++)
			if (!strcmp(s->drv[i].name, driver)) {
				s->group = strdup(s->drv[i].identity);
				s->group_in_tree = s->drv[i].in_tree;
			}
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
	int in_tree;		/* with --group-by: the kernel's own driver */
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

/*
 * Whether two summaries are one boot: the same boot id (save wrote it),
 * or else the same file (a second name, a link). Counting a boot twice
 * would make a difference look more certain than it is.
 */
static int same_boot(const struct bst_summary *a, const struct bst_summary *b)
{
	if (a->boot_id && b->boot_id)
		return !strcmp(a->boot_id, b->boot_id);
	return a->have_inode && b->have_inode && a->dev == b->dev &&
	       a->ino == b->ino;
}

/* How same_boot() knew, for its messages. */
static void boot_name(char *buf, size_t size, const struct bst_summary *s,
		      const struct bst_summary *other)
{
	if (s->boot_id && other->boot_id)
		snprintf(buf, size, "boot_id %s", s->boot_id);
	else
		snprintf(buf, size, "the same file");
}

/* The boot of g that s is, or NULL. */
static const struct bst_summary *find_boot(const struct bst_group *g,
					   const struct bst_summary *s)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (same_boot(&g->s[i], s))
			return &g->s[i];
	return NULL;
}

/* A boot in both groups: an error naming it (it cannot be A and B). */
static int check_groups_disjoint(const struct bst_group *a,
				 const struct bst_group *b,
				 struct bst_error *err)
{
	const struct bst_summary *dup;
	char why[200];
	size_t i;

	for (i = 0; i < b->n; i++) {
		dup = find_boot(a, &b->s[i]);
		if (!dup)
			continue;
		boot_name(why, sizeof(why), dup, &b->s[i]);
		snprintf(err->msg, sizeof(err->msg),
			 "%s (in A) and %s (in B) are one boot (%s): a boot cannot be in both groups",
			 dup->path, b->s[i].path, why);
		return -1;
	}
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

/* A path to read, and whether a directory listing (not the user) named it. */
struct bst_input {
	char *path;
	int from_dir;
};

static int cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct bst_input *)a)->path,
		      ((const struct bst_input *)b)->path);
}

static int add_input(struct bst_input **in, size_t *n, char *path,
		     int from_dir)
{
	struct bst_input *p = realloc(*in, (*n + 1) * sizeof(*p));

	if (!p || !path) {
		free(path);
		return -1;
	}
	*in = p;
	p[(*n)++] = (struct bst_input){ path, from_dir };
	return 0;
}

/*
 * What compare does with a file it cannot use that a directory listing
 * gave it: a warning and the rest of the comparison, or with --strict an
 * error. Returns -1 when fatal (err set).
 */
static int skip_or_fail(const struct bst_compare_opts *opts,
			struct bst_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int skip_or_fail(const struct bst_compare_opts *opts,
			struct bst_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (opts->strict)
		return -1;
	fprintf(stderr, "bootstamps: warning: %s; skipped (--strict makes this an error)\n",
		err->msg);
	return 0;
}

/* Expand one argument (a file, or a directory of captures) into inputs. */
static int expand(const char *arg, struct bst_input **in, size_t *n,
		  const struct bst_compare_opts *opts, struct bst_error *err)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t first = *n;
	int r = 0;

	if (stat(arg, &st)) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (add_input(in, n, strdup(arg), 0))
			goto oom;
		return 0;
	}
	d = opendir(arg);
	if (!d) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", arg,
			 strerror(errno));
		return -1;
	}
	while (!r && (de = readdir(d))) {
		char *p;

		/* Hidden files are temporaries of an unfinished `save`. */
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", arg, de->d_name) < 0) {
			r = -2;
			break;
		}
		if (stat(p, &st) || !S_ISREG(st.st_mode)) {
			/* Never opened: a FIFO would block the comparison. */
			r = skip_or_fail(opts, err, "%s: not a regular file", p);
			free(p);
			continue;
		}
		/* Unreadable: left to the parser, which names the error. */
		if (bst_looks_like_capture(p) == 0) {
			r = skip_or_fail(opts, err,
					 "%s: not a capture (its first line is not \"# bootstamps <version>\")",
					 p);
			free(p);
			continue;
		}
		if (add_input(in, n, p, 1))
			r = -2;
	}
	closedir(d);
	if (r == -2)
		goto oom;
	/* Directory order is arbitrary; reports must not be. */
	if (*n > first)
		qsort(*in + first, *n - first, sizeof(**in), cmp_input);
	return r;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

struct bst_row {
	const char *key;
	size_t na, nb;
	double med_a, p90_a, med_b, p90_b, delta, lo, hi, p;
	int has_ci, significant;
};

static size_t collect(const struct bst_group *g, const char *key, double *out)
{
	const struct bst_kvd want = { (char *)key, 0 };
	size_t i, n = 0;

	for (i = 0; i < g->n; i++) {
		const struct bst_kvd *m;

		if (!g->s[i].nm)
			continue;	/* no metrics, and no array to search */
		m = bsearch(&want, g->s[i].m, g->s[i].nm, sizeof(want), by_key);
		if (m)
			out[n++] = m->ms;
	}
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

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every metric key of either group, once (sorted, so O(N log N)). */
static const char **all_keys(const struct bst_group *a,
			     const struct bst_group *b, size_t *nkeys)
{
	const struct bst_group *gs[2] = { a, b };
	const char **keys;
	size_t total = 0, n = 0, g, i, j;

	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++)
			total += gs[g]->s[i].nm;
	keys = malloc((total + 1) * sizeof(*keys));
	*nkeys = 0;
	if (!keys)
		return NULL;
	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++)
			for (j = 0; j < gs[g]->s[i].nm; j++)
				keys[n++] = gs[g]->s[i].m[j].key;
	qsort(keys, n, sizeof(*keys), by_str);
	for (i = 0, j = 0; i < n; i++)
		if (!j || strcmp(keys[j - 1], keys[i]))
			keys[j++] = keys[i];
	*nkeys = j;
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

/*
 * Two significant digits: 0.33, 0.0079, and 1.1e-05 rather than a row of
 * zeros (printf's %g switches to an exponent below 1e-4).
 */
static void format_p(char *buf, size_t size, double p)
{
	snprintf(buf, size, "%.2g", p);
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
	/*
	 * With few boots no ordering of them is rare enough: 2 and 2 give a
	 * smallest p of 1/3, 3 and 3 of 0.1. Then nothing is marked, and the
	 * report says how many boots would do.
	 */
	double min_p = bst_mann_whitney_min_p(a->n, b->n);
	int can_be_significant = min_p < BST_ALPHA;
	size_t needed = bst_boots_needed(BST_ALPHA);

	if (!va || !vb || !rows || !keys) {
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
				r->significant = can_be_significant &&
						 r->p < BST_ALPHA && r->has_ci &&
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
		fprintf(out, "\"alpha\":%.2f,\"min_possible_p\":%.6g,\"can_be_significant\":%s,\"boots_needed_per_group\":%zu,\"rows\":[",
			BST_ALPHA, min_p, can_be_significant ? "true" : "false",
			needed);
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
		fprintf(out, "A (baseline): %s (%zu boot%s)\nB: %s (%zu boot%s)\n", a->label, a->n,
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
				format_p(p, sizeof(p), r->p);
			fprintf(out, "%-40.40s %3zu %10s %10s %3zu %10s %10s %10s  %-23s %8s%s\n",
				r->key, r->na, ma, pa, r->nb, mb, pb, d, ci, p,
				r->significant ? " *" : "");
		}
		print_moved(out, rows, nrows);
		fputc('\n', out);
		if (!can_be_significant)
			fprintf(out, "No difference can be significant with %zu and %zu boots: the smallest p the Mann-Whitney test\n"
				"can give for groups this size is %.2g, not below %.2f. It takes at least %zu boots in each group\n"
				"(and then only if they do not overlap at all; 5 or more are advised).\n",
				a->n, b->n, min_p, BST_ALPHA, needed);
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

/*
 * Read every capture of a group. One a directory listing gave that does
 * not parse (a boot torn by a power cut: its last line truncated) is
 * reported and left out, unless --strict; a file the user named is read or
 * the comparison fails.
 */
static int load_group(char **args, size_t nargs, const char *driver,
		      const struct bst_compare_opts *opts,
		      struct bst_group *g, struct bst_error *err)
{
	struct bst_input *in = NULL;
	size_t n = 0, i;
	int r = 0;

	for (i = 0; i < nargs && !r; i++)
		r = expand(args[i], &in, &n, opts, err);
	for (i = 0; i < n && !r; i++) {
		const struct bst_summary *dup;
		struct bst_summary s;

		if (summarize(in[i].path, driver, &s, err)) {
			char why[sizeof(err->msg)];

			memcpy(why, err->msg, sizeof(why));
			r = in[i].from_dir ? skip_or_fail(opts, err, "%s", why) : -1;
			continue;
		}
		dup = find_boot(g, &s);
		if (dup) {
			char why[200];

			boot_name(why, sizeof(why), dup, &s);
			fprintf(stderr, "bootstamps: warning: %s and %s are one boot (%s); counted once\n",
				dup->path, s.path, why);
			summary_free(&s);
			continue;
		}
		if (group_add(g, &s)) {
			summary_free(&s);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			r = -1;
		}
	}
	if (!r && g->n == 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: no captures found",
			 nargs ? args[0] : "(none)");
		r = -1;
	}
	for (i = 0; i < n; i++)
		free(in[i].path);
	free(in);
	return r;
}

/*
 * The order groups are reported in with --group-by: the kernel's own
 * driver first (it is what an out-of-tree version replaces), then the
 * versions, oldest first as `sort -V` orders them.
 */
static int by_version(const void *a, const void *b)
{
	const struct bst_group *x = a, *y = b;

	if (x->in_tree != y->in_tree)
		return y->in_tree - x->in_tree;
	return strverscmp(x->label, y->label);
}

/*
 * The group --baseline names: its label exactly, or "in-tree" for the one
 * in-tree group. Returns its index, or ng (err set) if none or ambiguous.
 */
static size_t find_baseline(const struct bst_group *groups, size_t ng,
			    const char *want, struct bst_error *err)
{
	size_t i, found = ng, in_tree = 0, len = 0;

	for (i = 0; i < ng; i++)
		if (!strcmp(groups[i].label, want))
			return i;
	for (i = 0; i < ng; i++)
		if (groups[i].in_tree) {
			found = i;
			in_tree++;
		}
	if (!strcmp(want, "in-tree") && in_tree == 1)
		return found;
	len = (size_t)snprintf(err->msg, sizeof(err->msg),
			       "--baseline %s: %s; the groups are", want,
			       !strcmp(want, "in-tree") && in_tree ?
			       "several kernels' in-tree drivers, name one" :
			       "no group has that label");
	for (i = 0; i < ng && len < sizeof(err->msg); i++)
		len += (size_t)snprintf(err->msg + len, sizeof(err->msg) - len,
					"%s \"%s\"", i ? "," : "",
					groups[i].label);
	return ng;
}

int bst_compare(FILE *out, char **a_args, size_t na, char **b_args, size_t nb,
		const char *group_by_driver, int json)
{
	static const struct bst_compare_opts defaults;

	return bst_compare_with(out, a_args, na, b_args, nb, group_by_driver,
				json, &defaults);
}

int bst_compare_with(FILE *out, char **a_args, size_t na, char **b_args,
		     size_t nb, const char *group_by_driver, int json,
		     const struct bst_compare_opts *opts)
{
	struct bst_group ab[2] = { { 0 }, { 0 } }, all = { 0 }, *groups = NULL;
	struct bst_error err;
	size_t ng = 0, base = 0, i, j, shown;
	int rc = 0;

	if (!group_by_driver) {
		if (load_group(a_args, na, NULL, opts, &ab[0], &err) ||
		    load_group(b_args, nb, NULL, opts, &ab[1], &err) ||
		    check_groups_disjoint(&ab[0], &ab[1], &err)) {
			fprintf(stderr, "bootstamps: %s\n", err.msg);
			group_free(&ab[0]);
			group_free(&ab[1]);
			return 2;
		}
		ab[0].label = strdup(na ? a_args[0] : "A");
		ab[1].label = strdup(nb ? b_args[0] : "B");
		if (!ab[0].label || !ab[1].label) {
			snprintf(err.msg, sizeof(err.msg), "out of memory");
			base = 2;
		} else if (opts->baseline) {
			base = find_baseline(ab, 2, opts->baseline, &err);
		}
		if (base == 2) {
			fprintf(stderr, "bootstamps: %s\n", err.msg);
			rc = 2;
		} else {
			/* B-A is always "the other" minus the baseline. */
			rc = compare_groups(out, &ab[base], &ab[!base], json);
		}
		group_free(&ab[0]);
		group_free(&ab[1]);
		return rc;
	}

	if (load_group(a_args, na, group_by_driver, opts, &all, &err)) {
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
			struct bst_group *g = realloc(groups, (ng + 1) * sizeof(*g));

			if (g)
				groups = g;
			if (!g || !(groups[ng].label = strdup(s->group))) {
				summary_free(s);
				rc = 2;
				continue;
			}
			groups[ng].in_tree = s->group_in_tree;
			groups[ng].s = NULL;
			groups[ng].n = 0;
			ng++;
		}
		if (group_add(&groups[j], s)) {
			summary_free(s);
			rc = 2;
		}
	}
	free(all.s);
	if (rc) {
		fprintf(stderr, "bootstamps: out of memory\n");
	} else if (ng < 2) {
		fprintf(stderr, "bootstamps: all captures have the same %s (%s): nothing to compare\n",
			group_by_driver, ng ? groups[0].label : "none");
		rc = 2;
	} else {
		qsort(groups, ng, sizeof(*groups), by_version);
		if (opts->baseline)
			base = find_baseline(groups, ng, opts->baseline, &err);
		if (base == ng) {
			fprintf(stderr, "bootstamps: %s\n", err.msg);
			rc = 2;
		}
	}
	if (!rc) {
		if (json)
			fputs("{\"comparisons\":[", out);
		for (i = 0, shown = 0; i < ng && !rc; i++) {
			if (i == base)
				continue;
			if (json && shown)
				fputc(',', out);
			else if (!json && shown)
				fputs("\n", out);
			if (!json)
				fprintf(out, "%s versions: %s (baseline) vs %s\n",
					group_by_driver, groups[base].label,
					groups[i].label);
			rc = compare_groups(out, &groups[base], &groups[i], json);
			shown++;
		}
		if (json)
			fputs("]}\n", out);
	}
	for (i = 0; i < ng; i++)
		group_free(&groups[i]);
	free(groups);
	return rc;
}
