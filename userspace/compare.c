// SPDX-License-Identifier: GPL-2.0
/*
 * Compare two groups of boots: for every phase, milestone and driver probe,
 * the median and p90 of each group, the difference of medians with a 95%
 * bootstrap confidence interval, and a Mann-Whitney U p-value. Names what
 * changed between the groups: driver versions, kernel, command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "capture.h"
#include "compare.h"
#include "inputs.h"
#include "json.h"
#include "programs.h"
#include "stats.h"
#include "verdict.h"

#define BST_BOOTSTRAP_ROUNDS 2000
#define BST_ALPHA 0.05
/* Milestone rows fold when B-A differs by at most 1 ms or 2%. */
#define BST_FOLD_MS 1.0
#define BST_FOLD_SHARE 0.02
/* The table lists this many of what only one group has; JSON all. */
#define BST_ONLY_SHOWN 20
/* Modules only one group loaded, named in what differs; the rest counted. */
#define BST_MODULES_NAMED 16

struct bst_kvd {
	char *key;
	double ms;
	/* Of a duration, the part in each phase (by when each span began). */
	double phase_ms[BST_PHASES];
};

/*
 * Facts of the machine save writes on the "# saved" line, compared as
 * they are: which OS release, instance type, vendor, hypervisor.
 */
enum { FACT_OS, FACT_PRODUCT, FACT_VENDOR, FACT_HYPERVISOR, NFACTS };

static const struct {
	const char *what, *label;
} fact_names[NFACTS] = {
	{ "os", "OS release" },
	{ "product_name", "instance type" },
	{ "sys_vendor", "system vendor" },
	{ "hypervisor", "hypervisor" },
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
	char *facts[NFACTS];	/* unescaped; "(not recorded)" without a saved line */
	int exec_on;		/* the exec hook was attached: a program not seen did not run */
	int units_on;		/* save imported systemd's units: a unit not seen did not run */
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
	for (i = 0; i < NFACTS; i++)
		free(s->facts[i]);
	memset(s, 0, sizeof(*s));
}

/*
 * Appended as they come; sort_metrics then merges repeats (several spans
 * of one driver add up), so a boot's metrics cost O(m log m), not O(m^2).
 */
static int add_metric_in(struct bst_summary *s, const char *key, double ms,
			 int phase, size_t *cap)
{
	if (s->nm == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct bst_kvd *m = realloc(s->m, ncap * sizeof(*m));

		if (!m)
			return -1;
		s->m = m;
		*cap = ncap;
	}
	memset(&s->m[s->nm], 0, sizeof(s->m[s->nm]));
	s->m[s->nm].key = strdup(key);
	s->m[s->nm].ms = ms;
	if (phase >= 0)
		s->m[s->nm].phase_ms[phase] = ms;
	return s->m[s->nm++].key ? 0 : -1;
}

static int add_metric(struct bst_summary *s, const char *key, double ms,
		      size_t *cap)
{
	return add_metric_in(s, key, ms, -1, cap);
}

/* The phase a moment falls in: the last known phase begun by then, or -1. */
static int phase_of(const struct bst_boot *boot, uint64_t t_ns)
{
	int i, found = -1;

	for (i = 0; i < BST_PHASES; i++)
		if (boot->phases[i].known && t_ns >= boot->phases[i].start_ns)
			found = i;
	return found;
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
			size_t k;

			s->m[n].ms += s->m[i].ms;
			for (k = 0; k < BST_PHASES; k++)
				s->m[n].phase_ms[k] += s->m[i].phase_ms[k];
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
 * The machine facts of save's "# saved" line, unescaped. A capture saved
 * without the line has none: "(not recorded)", unlike an empty value (the
 * machine does not show it: "(none)").
 */
static int read_facts(const struct bst_capture *cap, struct bst_summary *s)
{
	int saved = bst_header_get(cap, "saved_at") || bst_header_get(cap, "os_id");
	size_t i;

	for (i = 0; i < NFACTS; i++) {
		const char *v = bst_header_get(cap, fact_names[i].what);
		char buf[512];

		if (i == FACT_OS) {
			/* The pretty name, and the id and version that say which release. */
			const char *id = bst_header_get(cap, "os_id");
			const char *ver = bst_header_get(cap, "os_version");
			char release[256];

			snprintf(release, sizeof(release), "%s%s%s", id ? id : "",
				 id && *id && ver && *ver ? " " : "", ver ? ver : "");
			if (v && *v && *release)
				snprintf(buf, sizeof(buf), "%s (%s)", v, release);
			else
				snprintf(buf, sizeof(buf), "%s", v && *v ? v : release);
			v = buf;
		}
		if (!saved)
			s->facts[i] = strdup("(not recorded)");
		else if (!v || !*v)
			s->facts[i] = strdup("(none)");
		else
			s->facts[i] = bst_unescape(v);
		if (!s->facts[i])
			return -1;
	}
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
	r = read_facts(&cap, s);
	{
		const char *exec = bst_header_get(&cap, "exec");

		s->exec_on = !exec || strncmp(exec, "off", 3);
		s->units_on = bst_header_get(&cap, "units_source") != NULL;
	}
	/* The boot's end as show's Startup line has it (its last marker). */
	if (!r)
		r = add_metric(s, "boot", (double)boot.end_ns / 1e6, &mcap);
	/* Compared word by word, so unescaped ("ro\x20quiet" is two words). */
	s->cmdline = bst_unescape(bst_header_get(&cap, "cmdline"));
	for (i = 0; i < BST_PHASES && !r; i++) {
		const struct bst_phase *ph = &boot.phases[i];

		if (!ph->known)
			continue;
		snprintf(key, sizeof(key), "phase %s", ph->name);
		r = add_metric_in(s, key, (double)(ph->end_ns - ph->start_ns) / 1e6,
				  (int)i, &mcap);
	}
	/* Before the kernel: durations of their own, off the kernel's axis. */
	if (!r && boot.fw.known)
		r = add_metric(s, "phase firmware", (double)boot.fw.firmware_ns / 1e6, &mcap);
	if (!r && boot.fw.loader_known)
		r = add_metric(s, "phase loader", (double)boot.fw.loader_ns / 1e6, &mcap);
	for (i = 0; i < boot.nms && !r; i++) {
		snprintf(key, sizeof(key), "at %s", boot.ms[i].name);
		r = add_metric(s, key, (double)boot.ms[i].t_ns / 1e6, &mcap);
	}
	for (i = 0; i < model.nspans && !r; i++) {
		const struct bst_span *sp = &model.spans[i];
		const char *drv;
		double ms = (double)sp->dur_ns / 1e6;
		int phase = phase_of(&boot, bst_span_start_ns(sp));

		if (!sp->end)
			continue;
		if (sp->kind == BST_SPAN_FN) {
			const char *mod = bst_event_get(sp->end, "module");

			/* A step inside a driver: its total time in this boot. */
			snprintf(key, sizeof(key), "fn %s:%s", mod ? mod : "?",
				 sp->end->subject);
			r = add_metric_in(s, key, ms, phase, &mcap);
			continue;
		}
		if (sp->kind == BST_SPAN_PROCESS) {
			char name[BST_PROGRAM_NAME];

			/* Every process of a program: its time in this boot. */
			bst_program_name(name, sizeof(name), sp->start ? sp->start : sp->end);
			snprintf(key, sizeof(key), "program %s", name);
			r = add_metric_in(s, key, ms, phase, &mcap);
			continue;
		}
		if (sp->kind == BST_SPAN_UNIT) {
			/*
			 * A unit's activation. One that took no time (a device, a
			 * target) is the same as one absent: no row of zeros.
			 */
			if (!sp->dur_ns)
				continue;
			snprintf(key, sizeof(key), "unit %s", sp->end->subject);
			r = add_metric_in(s, key, ms, phase, &mcap);
			continue;
		}
		if (sp->kind == BST_SPAN_MODULE) {
			/* Its init, which holds its driver's synchronous probes. */
			snprintf(key, sizeof(key), "module %s", sp->end->subject);
			r = add_metric_in(s, key, ms, phase, &mcap);
			continue;
		}
		if (sp->kind != BST_SPAN_PROBE)
			continue;
		drv = bst_event_get(sp->end, "driver");
		if (!drv || !*drv)
			continue;
		snprintf(key, sizeof(key), "probe %s", drv);
		r = add_metric_in(s, key, ms, phase, &mcap);
		if (!r) {
			int in_tree = bst_driver_version_label(&cap, sp->end, label,
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

/*
 * Programs not seen in a boot that records execs ran 0 ms there; units not
 * seen in a boot whose units save imported did not activate.
 */
static int zero_when_absent(const char *key, const struct bst_summary *s)
{
	return (!strncmp(key, "program ", 8) && s->exec_on) ||
	       (!strncmp(key, "unit ", 5) && s->units_on);
}

/*
 * One metric's value in each boot of a group that has it, and how many
 * boots have it (*present). A program's time counts 0 in a boot that
 * recorded execs and did not run it: leaving such boots out would make a
 * program that runs in one boot of ten look as costly as one that runs in
 * all. Other metrics are left out where absent (a driver absent is a device
 * absent, a milestone absent a moment never reached). phase_ms[] sums the
 * metric's time per phase over the boots, to tell where it falls.
 */
static size_t collect(const struct bst_group *g, const char *key, double *out,
		      size_t *present, double *phase_ms)
{
	const struct bst_kvd want = { (char *)key, 0, { 0 } };
	size_t i, k, n = 0;

	*present = 0;
	for (i = 0; i < g->n; i++) {
		const struct bst_kvd *m = NULL;

		if (g->s[i].nm)	/* no metrics, and no array to search */
			m = bsearch(&want, g->s[i].m, g->s[i].nm, sizeof(want), by_key);
		if (m) {
			out[n++] = m->ms;
			(*present)++;
			for (k = 0; k < BST_PHASES; k++)
				phase_ms[k] += m->phase_ms[k];
		} else if (zero_when_absent(key, &g->s[i])) {
			out[n++] = 0;
		}
	}
	return n;
}

static int any_exec_on(const struct bst_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->s[i].exec_on)
			return 1;
	return 0;
}

static int any_units_on(const struct bst_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->s[i].units_on)
			return 1;
	return 0;
}

/* Phases in time order: firmware and loader before the kernel's. */
static int phase_rank(const struct bst_row *r)
{
	if (!strcmp(r->key, "phase firmware"))
		return -2;
	if (!strcmp(r->key, "phase loader"))
		return -1;
	return r->phase;
}

static enum bst_block block_of(const char *key)
{
	if (!strcmp(key, "boot"))
		return BST_BLOCK_BOOT;
	if (!strncmp(key, "phase ", 6))
		return BST_BLOCK_PHASE;
	if (!strncmp(key, "fn ", 3))
		return BST_BLOCK_STEP;
	if (!strncmp(key, "at ", 3))
		return BST_BLOCK_MILESTONE;
	return BST_BLOCK_AMOUNT;
}

/* The phase with most of the metric's time, or -1 (a moment, or none). */
static int main_phase(const double *phase_ms)
{
	int i, best = -1;

	for (i = 0; i < BST_PHASES; i++)
		if (phase_ms[i] > 0 && (best < 0 || phase_ms[i] > phase_ms[best]))
			best = i;
	return best;
}

/* Blocks in the table's order; in a block, significant first, then by effect. */
static int by_effect(const void *a, const void *b)
{
	const struct bst_row *x = a, *y = b;
	double dx = fabs(x->delta), dy = fabs(y->delta);

	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	if (x->block == BST_BLOCK_PHASE && phase_rank(x) != phase_rank(y))
		return phase_rank(x) < phase_rank(y) ? -1 : 1;	/* firmware ... userspace */
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

/* What a summary holds for one changed thing: a driver's identity, a fact. */
struct fact_ref {
	int kind;		/* 0 driver (name), 1 kernel, 2 a machine fact (fact) */
	const char *name;
	int fact;
};

static const char *fact_value(const struct bst_summary *s,
			      const struct fact_ref *f)
{
	size_t j;

	if (f->kind == 1)
		return s->kernel;
	if (f->kind == 2)
		return s->facts[f->fact];
	for (j = 0; j < s->ndrv; j++)
		if (!strcmp(s->drv[j].name, f->name))
			return s->drv[j].identity;
	return NULL;
}

/*
 * Distinct values of a per-capture string, sorted (two groups with the
 * same values in another order do not differ), joined: "6.1.0-57,
 * 6.1.0-58". *all_in_tree: each is an in-tree driver's.
 */
static void distinct(const struct bst_group *g, const struct fact_ref *f,
		     char *out, size_t size, int *all_in_tree)
{
	const char *seen[16];
	size_t i, j, nseen = 0, len = 0, more = 0;

	out[0] = '\0';
	*all_in_tree = 1;
	for (i = 0; i < g->n; i++) {
		const char *v = fact_value(&g->s[i], f);

		if (!v)
			v = "(absent)";
		if (strncmp(v, "in-tree (", 9))
			*all_in_tree = 0;
		for (j = 0; j < nseen && strcmp(seen[j], v); j++)
			;
		if (j < nseen)
			continue;
		if (nseen == sizeof(seen) / sizeof(seen[0]))
			more++;
		else
			seen[nseen++] = v;
	}
	qsort(seen, nseen, sizeof(*seen), by_str);
	for (i = 0; i < nseen; i++)
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
					len ? ", " : "", seen[i]);
	if (more)
		snprintf(out + (len < size ? len : size - 1),
			 len < size ? size - len : 1, ", and others");
}

/*
 * Words in one group's boots but not the other's, "-word" (only A) and
 * "+word" (only B), each once. Every word of both groups is sorted once
 * and runs of one word read off: O(W log W) for W words, not W x boots.
 */
struct word {
	char *w;
	int g;
};

static int by_word(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	int c = strcmp(x->w, y->w);

	return c ? c : x->g - y->g;
}

static void cmdline_diff(const struct bst_group *a, const struct bst_group *b,
			 char *out, size_t size)
{
	const struct bst_group *gs[2] = { a, b };
	struct word *words = NULL;
	char **copies;
	size_t nw = 0, cap = 0, len = 0, g, i, j;

	out[0] = '\0';
	if (!a->n || !b->n)
		return;
	copies = calloc(a->n + b->n, sizeof(*copies));
	if (!copies)
		return;
	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++) {
			char *save, *w, *c = strdup(gs[g]->s[i].cmdline);

			copies[g ? a->n + i : i] = c;
			for (w = c ? strtok_r(c, " ", &save) : NULL; w;
			     w = strtok_r(NULL, " ", &save)) {
				if (nw == cap) {
					struct word *p = realloc(words, (cap ? cap * 2 : 64) * sizeof(*p));

					if (!p)
						goto out;
					words = p;
					cap = cap ? cap * 2 : 64;
				}
				words[nw++] = (struct word){ w, (int)g };
			}
		}
	if (nw)
		qsort(words, nw, sizeof(*words), by_word);
	/* Only A's words first, then only B's, as before. */
	for (g = 0; g < 2; g++)
		for (i = 0; i < nw; i = j) {
			int in[2] = { 0, 0 };

			for (j = i; j < nw && !strcmp(words[j].w, words[i].w); j++)
				in[words[j].g] = 1;
			if (in[g] && !in[!g])
				len += (size_t)snprintf(out + len, len < size ? size - len : 0,
							"%s%s%s", len ? " " : "",
							g ? "+" : "-", words[i].w);
		}
out:
	for (i = 0; i < a->n + b->n; i++)
		free(copies[i]);
	free(copies);
	free(words);
}

struct changes {
	struct bst_change *c;
	size_t n;
};

static struct bst_change *add_change(struct changes *ch, const char *what,
				     const char *label, const char *name)
{
	struct bst_change *p = realloc(ch->c, (ch->n + 1) * sizeof(*p));

	if (!p)
		return NULL;
	ch->c = p;
	p = &ch->c[ch->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->what, sizeof(p->what), "%s", what);
	snprintf(p->label, sizeof(p->label), "%s", label);
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

static int by_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Everything recorded that differs between the groups, besides time:
 * driver identities, the kernel, its command line, the machine facts of
 * the saved line, and the modules only one group loaded.
 */
static void build_changes(const struct bst_group *a, const struct bst_group *b,
			  const struct bst_only *only, size_t nonly,
			  struct changes *ch)
{
	const struct bst_group *gs[2] = { a, b };
	char va[512], vb[512], diff[1024];
	char **drivers = NULL;
	size_t nd = 0, g, i, j, len;

	memset(ch, 0, sizeof(*ch));
	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++)
			nd += gs[g]->s[i].ndrv;
	drivers = calloc(nd + 1, sizeof(*drivers));
	if (!drivers)
		return;
	nd = 0;
	for (g = 0; g < 2; g++)
		for (i = 0; i < gs[g]->n; i++)
			for (j = 0; j < gs[g]->s[i].ndrv; j++)
				drivers[nd++] = gs[g]->s[i].drv[j].name;
	qsort(drivers, nd, sizeof(*drivers), by_cstr);
	for (i = 0, j = 0; i < nd; i++)
		if (!j || strcmp(drivers[j - 1], drivers[i]))
			drivers[j++] = drivers[i];
	nd = j;
	for (i = 0; i <= nd + NFACTS; i++) {
		struct fact_ref f = { i < nd ? 0 : i == nd ? 1 : 2,
				      i < nd ? drivers[i] : "",
				      i > nd ? (int)(i - nd - 1) : 0 };
		struct bst_change *c;
		int tree_a, tree_b;

		distinct(a, &f, va, sizeof(va), &tree_a);
		distinct(b, &f, vb, sizeof(vb), &tree_b);
		if (!strcmp(va, vb))
			continue;
		if (f.kind == 0)
			c = add_change(ch, "driver", "driver", f.name);
		else if (f.kind == 1)
			c = add_change(ch, "kernel", "kernel release", "");
		else
			c = add_change(ch, fact_names[f.fact].what,
				       fact_names[f.fact].label, "");
		if (!c)
			break;
		snprintf(c->a, sizeof(c->a), "%s", va);
		snprintf(c->b, sizeof(c->b), "%s", vb);
		c->with_kernel = f.kind == 0 && tree_a && tree_b;
	}
	free(drivers);
	cmdline_diff(a, b, diff, sizeof(diff));
	if (*diff) {
		struct bst_change *c = add_change(ch, "cmdline", "kernel command line", "");

		if (c)
			snprintf(c->b, sizeof(c->b), "%s", diff);
	}
	/* The modules only one group loaded, as the command line's words. */
	for (g = 0, len = 0, diff[0] = '\0', j = 0; g < 2; g++)
		for (i = 0; i < nonly; i++) {
			if (only[i].group != (int)g || strncmp(only[i].key, "module ", 7))
				continue;
			if (j++ < BST_MODULES_NAMED)
				len += (size_t)snprintf(diff + len,
							len < sizeof(diff) ? sizeof(diff) - len : 0,
							"%s%s%s", len ? " " : "",
							g ? "+" : "-", only[i].key + 7);
		}
	if (j > BST_MODULES_NAMED && len < sizeof(diff))
		snprintf(diff + len, sizeof(diff) - len, " and %zu more",
			 j - BST_MODULES_NAMED);
	if (*diff) {
		struct bst_change *c = add_change(ch, "modules", "modules loaded", "");

		if (c)
			snprintf(c->b, sizeof(c->b), "%s", diff);
	}
}

static void print_changes(FILE *out, const struct changes *ch, int json)
{
	size_t i, with_kernel = 0;
	int first = 1;

	if (json)
		fputs("\"changes\":[", out);
	else
		fputs("What differs between the groups:\n", out);
	for (i = 0; i < ch->n; i++) {
		const struct bst_change *c = &ch->c[i];

		if (json) {
			fprintf(out, "%s{\"what\":", first ? "" : ",");
			bst_json_str(out, c->what);
			fputs(",\"name\":", out);
			bst_json_str(out, c->name);
			fputs(",\"a\":", out);
			bst_json_str(out, c->a);
			fputs(",\"b\":", out);
			bst_json_str(out, c->b);
			if (!strcmp(c->what, "driver"))
				fprintf(out, ",\"with_kernel\":%s", c->with_kernel ? "true" : "false");
			fputc('}', out);
		} else if (c->with_kernel) {
			with_kernel++;	/* one line for them all, below */
		} else if (!strcmp(c->what, "driver")) {
			fprintf(out, "  driver %s: %s -> %s\n", c->name, c->a, c->b);
		} else if (!strcmp(c->what, "cmdline") || !strcmp(c->what, "modules")) {
			fprintf(out, "  %s: %s\n", c->label, c->b);
		} else {
			fprintf(out, "  %s: %s -> %s\n", c->label, c->a, c->b);
		}
		first = 0;
	}
	if (json)
		fputs("],", out);
	else if (first)
		fputs("  nothing recorded differs (driver versions, kernel, command line, OS release, instance type, system vendor, hypervisor, modules)\n", out);
	if (!json && with_kernel)
		fprintf(out, "  in-tree drivers changed with the kernel (%zu driver%s)\n",
			with_kernel, with_kernel == 1 ? "" : "s");
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

/* Milestone rows fold when their shifts differ by at most this. */
static double fold_tolerance(double delta)
{
	return fmax(BST_FOLD_MS, fabs(delta) * BST_FOLD_SHARE);
}

static const struct bst_row *fold_base;

static int by_shift(const void *a, const void *b)
{
	const struct bst_row *x = &fold_base[*(const size_t *)a];
	const struct bst_row *y = &fold_base[*(const size_t *)b];

	if (x->significant != y->significant)
		return y->significant - x->significant;
	if (x->delta != y->delta)
		return x->delta < y->delta ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/*
 * Milestones a delay moved together (every moment after a slow probe is
 * later by its time) say one thing many times: rows[first..n) (the
 * milestone block) are grouped by shift, ascending, a group taking every
 * row of the same significance whose B-A is within fold_tolerance() of
 * its smallest; each group is shown as its largest-effect row, which
 * counts the others (folded), and they name it (folded_into).
 */
static void fold_milestones(struct bst_row *rows, size_t first, size_t n)
{
	size_t *idx = calloc(n - first + 1, sizeof(*idx)), i, j, k, m = n - first;

	if (!idx)
		return;
	for (i = 0; i < m; i++)
		idx[i] = first + i;
	fold_base = rows;
	qsort(idx, m, sizeof(*idx), by_shift);
	for (i = 0; i < m; i = j) {
		const struct bst_row *anchor = &rows[idx[i]];
		size_t rep = idx[i];

		for (j = i; j < m && rows[idx[j]].significant == anchor->significant &&
		     rows[idx[j]].delta - anchor->delta <= fold_tolerance(anchor->delta); j++)
			if (idx[j] < rep)
				rep = idx[j];	/* the first in table order */
		for (k = i; k < j; k++)
			if (idx[k] != rep) {
				rows[idx[k]].folded_into = rows[rep].key;
				rows[rep].folded++;
			}
	}
	free(idx);
}

static int by_only(const void *a, const void *b)
{
	const struct bst_only *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	if (x->median != y->median)
		return x->median < y->median ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* What only one group has: amounts of time, and markers. */
static int only_kind(const char *key)
{
	return block_of(key) == BST_BLOCK_AMOUNT || block_of(key) == BST_BLOCK_STEP ||
	       !strncmp(key, "at mark ", 8);
}

static const char *const phase_names[BST_PHASES] = { "kernel", "initramfs",
						     "userspace" };

static void print_only_text(FILE *out, const struct bst_only *only, size_t n,
			    const struct bst_group *a, const struct bst_group *b)
{
	size_t g, i, shown;

	for (g = 0; g < 2; g++) {
		const struct bst_group *gr = g ? b : a;
		size_t total = 0;

		for (i = 0; i < n; i++)
			total += only[i].group == (int)g;
		if (!total)
			continue;
		fprintf(out, "Only in %s (median over the boots that have it, in how many of its %zu boots):\n",
			g ? "B" : "A", gr->n);
		for (i = 0, shown = 0; i < n; i++) {
			const struct bst_only *o = &only[i];
			char m[24];

			if (o->group != (int)g)
				continue;
			if (shown++ == BST_ONLY_SHOWN) {
				fprintf(out, "  ... %zu more (--format json lists every one)\n",
					total - BST_ONLY_SHOWN);
				break;
			}
			fmt_ms(m, sizeof(m), o->median, 0);
			fprintf(out, "  %-40.40s %10s ms%s %zu/%zu%s%s\n", o->key, m,
				strncmp(o->key, "at ", 3) ? "" : " (when)",
				o->boots, o->of, o->phase >= 0 ? "  in " : "",
				o->phase >= 0 ? phase_names[o->phase] : "");
		}
	}
}

static void print_only_json(FILE *out, const struct bst_only *only, size_t n)
{
	size_t g, i, k;

	for (g = 0; g < 2; g++) {
		fprintf(out, "\"only_in_%s\":[", g ? "b" : "a");
		for (i = 0, k = 0; i < n; i++) {
			const struct bst_only *o = &only[i];

			if (o->group != (int)g)
				continue;
			fprintf(out, "%s{\"metric\":", k++ ? "," : "");
			bst_json_str(out, o->key);
			fprintf(out, ",\"median_ms\":%.6f,\"boots\":%zu,\"of\":%zu,\"phase\":",
				o->median, o->boots, o->of);
			if (o->phase >= 0)
				bst_json_str(out, phase_names[o->phase]);
			else
				fputs("null", out);
			fputc('}', out);
		}
		fputs("],", out);
	}
}

static void print_rows_json(FILE *out, const struct bst_row *rows, size_t nrows)
{
	size_t i;

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
		fprintf(out, "\"significant\":%s,\"phase\":", r->significant ? "true" : "false");
		if (r->phase >= 0 && r->block != BST_BLOCK_MILESTONE)
			bst_json_str(out, phase_names[r->phase]);
		else
			fputs("null", out);
		fprintf(out, ",\"folded\":%zu,\"folded_into\":", r->folded);
		if (r->folded_into)
			bst_json_str(out, r->folded_into);
		else
			fputs("null", out);
		fputc('}', out);
	}
}

static void print_rows_text(FILE *out, const struct bst_row *rows, size_t nrows)
{
	size_t i, folded = 0;

	fprintf(out, "%-40s %3s %10s %10s %3s %10s %10s %10s  %-23s %8s\n",
		"METRIC (ms)", "nA", "median A", "p90 A", "nB", "median B",
		"p90 B", "B-A", "95% CI", "p");
	for (i = 0; i < nrows; i++) {
		const struct bst_row *r = &rows[i];
		char ma[24], pa[24], mb[24], pb[24], d[24], ci[48] = "-",
		     p[24] = "-", name[64], more[32] = "";

		if (r->folded_into)
			continue;
		fmt_ms(ma, sizeof(ma), r->med_a, 0);
		fmt_ms(pa, sizeof(pa), r->p90_a, 0);
		fmt_ms(mb, sizeof(mb), r->med_b, 0);
		fmt_ms(pb, sizeof(pb), r->p90_b, 0);
		fmt_ms(d, sizeof(d), r->delta, 1);
		if (r->has_ci)
			snprintf(ci, sizeof(ci), "[%+.3f, %+.3f]", r->lo, r->hi);
		if (!isnan(r->p))
			format_p(p, sizeof(p), r->p);
		/* A folded count is never cut off with a long name. */
		if (r->folded) {
			snprintf(more, sizeof(more), " (+%zu)", r->folded);
			folded++;
		}
		snprintf(name, sizeof(name), "%.*s%s", (int)(40 - strlen(more)),
			 r->key, more);
		fprintf(out, "%-40.40s %3zu %10s %10s %3zu %10s %10s %10s  %-23s %8s%s\n",
			name, r->na, ma, pa, r->nb, mb, pb, d, ci, p,
			r->significant ? " *" : "");
	}
	if (folded)
		fprintf(out, "(+N): N more milestones moved by the same B-A (within %.0f ms or %.0f%%); --format json lists each (folded_into).\n",
			BST_FOLD_MS, BST_FOLD_SHARE * 100);
}

/*
 * One row per metric both groups have (the statistics), and the metrics
 * only one has (only[]). Returns the number of rows, or -1 out of memory.
 */
static long measure(const struct bst_group *a, const struct bst_group *b,
		    int can_be_significant, struct bst_row *rows,
		    struct bst_only *only, size_t *nonly)
{
	size_t nkeys, i, nrows = 0;
	const char **keys = all_keys(a, b, &nkeys);
	double *va = malloc((a->n + 1) * sizeof(double));
	double *vb = malloc((b->n + 1) * sizeof(double));
	double *vp = malloc((a->n + b->n + 1) * sizeof(double));
	int exec_a = any_exec_on(a), exec_b = any_exec_on(b);
	int units_a = any_units_on(a), units_b = any_units_on(b);

	*nonly = 0;
	if (!va || !vb || !vp || !keys) {
		free(va);
		free(vb);
		free(vp);
		free(keys);
		return -1;
	}
	for (i = 0; i < nkeys; i++) {
		struct bst_row *r = &rows[nrows];
		double phase_ms[BST_PHASES] = { 0 }, u;
		size_t pa, pb;
		/*
		 * A program unseen where execs were not recorded is unknown, and
		 * so is a unit where save imported none; elsewhere they count 0.
		 */
		int program = !strncmp(keys[i], "program ", 8);
		int unit = !strncmp(keys[i], "unit ", 5);
		int filled = program || unit;

		memset(r, 0, sizeof(*r));
		r->key = keys[i];
		r->na = collect(a, keys[i], va, &pa, phase_ms);
		r->nb = collect(b, keys[i], vb, &pb, phase_ms);
		r->block = block_of(keys[i]);
		r->phase = main_phase(phase_ms);
		if ((!pa || !pb) && only_kind(keys[i]) &&
		    (!program || (pa ? exec_b : exec_a)) &&
		    (!unit || (pa ? units_b : units_a))) {
			struct bst_only *o = &only[(*nonly)++];
			const double *v = pa ? va : vb;
			size_t k, m = 0, nv = pa ? r->na : r->nb;

			/* The median of the boots that have it: not the zeros filled in. */
			for (k = 0; k < nv; k++)
				if (!filled || v[k] != 0)
					vp[m++] = v[k];
			o->key = keys[i];
			o->group = pa ? 0 : 1;
			o->phase = r->phase;
			o->boots = pa ? pa : pb;
			o->of = pa ? a->n : b->n;
			if (bst_quantile(vp, m, 0.5, &o->median))
				o->median = 0;
			r->only_in = pa ? 1 : 2;
		}
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
	free(va);
	free(vb);
	free(vp);
	free(keys);
	return (long)nrows;
}

static int compare_groups(FILE *out, struct bst_group *a, struct bst_group *b,
			  int json)
{
	size_t nkeys_max = 0, i, nonly = 0, first_ms;
	struct bst_row *rows;
	struct bst_only *only;
	struct changes ch;
	struct bst_verdict *verdict;
	long nrows;
	/*
	 * With few boots no ordering of them is rare enough: 2 and 2 give a
	 * smallest p of 1/3, 3 and 3 of 0.1. Then nothing is marked, and the
	 * report says how many boots would do.
	 */
	double min_p = bst_mann_whitney_min_p(a->n, b->n);
	int can_be_significant = min_p < BST_ALPHA;
	size_t needed = bst_boots_needed(BST_ALPHA);

	for (i = 0; i < a->n; i++)
		nkeys_max += a->s[i].nm;
	for (i = 0; i < b->n; i++)
		nkeys_max += b->s[i].nm;
	rows = calloc(nkeys_max + 1, sizeof(*rows));
	only = calloc(nkeys_max + 1, sizeof(*only));
	verdict = calloc(1, sizeof(*verdict));
	nrows = rows && only && verdict ?
		measure(a, b, can_be_significant, rows, only, &nonly) : -1;
	if (nrows < 0) {
		free(rows);
		free(only);
		free(verdict);
		fprintf(stderr, "bootstamps: out of memory\n");
		return 2;
	}
	qsort(rows, (size_t)nrows, sizeof(*rows), by_effect);
	qsort(only, nonly, sizeof(*only), by_only);
	for (first_ms = 0; first_ms < (size_t)nrows &&
	     rows[first_ms].block != BST_BLOCK_MILESTONE; first_ms++)
		;
	fold_milestones(rows, first_ms, (size_t)nrows);
	build_changes(a, b, only, nonly, &ch);
	{
		struct bst_verdict_in in = {
			rows, (size_t)nrows, only, nonly, ch.c, ch.n, a->n, b->n,
			needed, can_be_significant, min_p, BST_ALPHA,
		};

		bst_verdict_build(&in, verdict);
	}

	if (json) {
		fputs("{\"a\":{\"label\":", out);
		bst_json_str(out, a->label);
		fprintf(out, ",\"boots\":%zu},\"b\":{\"label\":", a->n);
		bst_json_str(out, b->label);
		fprintf(out, ",\"boots\":%zu},", b->n);
		bst_verdict_json(out, verdict);
		print_changes(out, &ch, 1);
		print_only_json(out, only, nonly);
		fprintf(out, "\"alpha\":%.2f,\"min_possible_p\":%.6g,\"can_be_significant\":%s,\"boots_needed_per_group\":%zu,\"rows\":[",
			BST_ALPHA, min_p, can_be_significant ? "true" : "false",
			needed);
		print_rows_json(out, rows, (size_t)nrows);
		fputs("]}\n", out);
	} else {
		bst_verdict_text(out, verdict);
		fprintf(out, "A (baseline): %s (%zu boot%s)\nB: %s (%zu boot%s)\n", a->label, a->n,
			a->n == 1 ? "" : "s", b->label, b->n, b->n == 1 ? "" : "s");
		print_changes(out, &ch, 0);
		print_only_text(out, only, nonly, a, b);
		fputc('\n', out);
		print_rows_text(out, rows, (size_t)nrows);
		print_moved(out, rows, (size_t)nrows);
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
	free(ch.c);
	free(rows);
	free(only);
	free(verdict);
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
		r = bst_inputs_expand(args[i], &in, &n, opts->strict, err);
	for (i = 0; i < n && !r; i++) {
		const struct bst_summary *dup;
		struct bst_summary s;

		if (summarize(in[i].path, driver, &s, err)) {
			char why[sizeof(err->msg)];

			memcpy(why, err->msg, sizeof(why));
			r = in[i].from_dir ? bst_input_skip_or_fail(opts->strict, err, "%s", why) : -1;
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
	bst_inputs_free(in, n);
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
