// SPDX-License-Identifier: GPL-2.0
/*
 * compare's verdict: whether B boots faster or slower than A, and for each
 * phase that changed, what changed inside it: the programs, drivers and
 * steps whose time changed significantly, or that only one group has,
 * largest first, until they cover BST_VERDICT_COVER of the phase's change
 * (what they do not cover is said to be unexplained). Then what else
 * differs between the groups. Nothing here measures: it reads the rows
 * compare.c computed, so the verdict can never say more than they do.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "verdict.h"

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A difference in ms as a person reads it: "-614 ms", "+2.5 ms". */
static void fmt_delta(char *buf, size_t size, double ms, int sign)
{
	double a = fabs(ms);
	const char *s = sign ? (ms < 0 ? "-" : "+") : "";

	if (a >= 10)
		snprintf(buf, size, "%s%.0f ms", s, a);
	else if (a >= 1)
		snprintf(buf, size, "%s%.1f ms", s, a);
	else
		snprintf(buf, size, "%s%.2f ms", s, a);
}

static const struct bst_row *find_row(const struct bst_verdict_in *in,
				      const char *key)
{
	size_t i;

	for (i = 0; i < in->nrows; i++)
		if (!strcmp(in->rows[i].key, key))
			return &in->rows[i];
	return NULL;
}

static const struct bst_only *find_only(const struct bst_verdict_in *in,
					const char *key)
{
	size_t i;

	for (i = 0; i < in->nonly; i++)
		if (!strcmp(in->only[i].key, key))
			return &in->only[i];
	return NULL;
}

/* The version change of the driver a "probe <driver>" key names. */
static const struct bst_change *driver_change(const struct bst_verdict_in *in,
					      const char *key)
{
	size_t i;

	if (!starts_with(key, "probe "))
		return NULL;
	for (i = 0; i < in->nchanges; i++)
		if (!strcmp(in->changes[i].what, "driver") &&
		    !strcmp(in->changes[i].name, key + 6))
			return &in->changes[i];
	return NULL;
}

/*
 * Time counted twice is not an explanation: a step is inside its driver's
 * probe, and a module's init holds the synchronous probes of the driver
 * of its name. Either is left out when the outer one already counts.
 */
/* What a key explains, if it explains anything: its share of B - A. */
static int share_of(const struct bst_verdict_in *in, const char *key,
		    double *share)
{
	const struct bst_row *r = find_row(in, key);
	const struct bst_only *o = find_only(in, key);

	if (r && r->significant) {
		*share = r->delta;
		return 1;
	}
	if (o) {
		*share = o->median * (double)o->boots / (double)(o->of ? o->of : 1);
		return 1;
	}
	return 0;
}

/*
 * A service and its program are one time told twice (ntpdate.service runs
 * ntpdate): only the larger explains, the program when they tie.
 */
static int told_by_twin(const struct bst_verdict_in *in, const char *key)
{
	char twin[300];
	double mine, theirs;
	size_t n;

	if (starts_with(key, "program ")) {
		snprintf(twin, sizeof(twin), "unit %s.service", key + 8);
	} else if (starts_with(key, "unit ")) {
		n = strlen(key);
		if (n < 5 + 8 || strcmp(key + n - 8, ".service"))
			return 0;
		snprintf(twin, sizeof(twin), "program %.*s", (int)(n - 5 - 8), key + 5);
	} else {
		return 0;
	}
	if (!share_of(in, key, &mine) || !share_of(in, twin, &theirs))
		return 0;
	if (fabs(theirs) != fabs(mine))
		return fabs(theirs) > fabs(mine);
	return starts_with(key, "unit ");
}

static int counted_elsewhere(const struct bst_verdict_in *in, const char *key)
{
	char outer[300];
	const struct bst_row *r;
	const char *colon;

	if (told_by_twin(in, key))
		return 1;
	if (starts_with(key, "fn ")) {
		colon = strchr(key + 3, ':');
		if (!colon)
			return 0;
		snprintf(outer, sizeof(outer), "probe %.*s", (int)(colon - key - 3),
			 key + 3);
	} else if (starts_with(key, "module ")) {
		snprintf(outer, sizeof(outer), "probe %s", key + 7);
	} else {
		return 0;
	}
	r = find_row(in, outer);
	return (r && r->significant) || find_only(in, outer);
}

static int is_amount(const char *key)
{
	return starts_with(key, "program ") || starts_with(key, "probe ") ||
	       starts_with(key, "module ") || starts_with(key, "fn ") ||
	       starts_with(key, "unit ");
}

static int by_size_desc(const void *a, const void *b)
{
	const struct bst_contributor *x = a, *y = b;
	double dx = fabs(x->delta_ms), dy = fabs(y->delta_ms);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* For the whole boot: contributors wherever their time falls. */
#define ANY_PHASE (-2)
/* For the firmware's and loader's: none. */
#define NO_PHASE (-3)

/* Candidates of one phase whose change has the phase's sign. */
static size_t candidates(const struct bst_verdict_in *in, int phase,
			 double sign, struct bst_contributor *out)
{
	size_t i, n = 0;

	for (i = 0; i < in->nrows; i++) {
		const struct bst_row *r = &in->rows[i];

		if ((phase != ANY_PHASE && r->phase != phase) || !r->significant || r->only_in ||
		    (r->block != BST_BLOCK_AMOUNT && r->block != BST_BLOCK_STEP) ||
		    r->delta * sign <= 0 || counted_elsewhere(in, r->key))
			continue;
		out[n++] = (struct bst_contributor){ r->key, 0, r->delta, 0, 0,
						     driver_change(in, r->key) };
	}
	for (i = 0; i < in->nonly; i++) {
		const struct bst_only *o = &in->only[i];
		/* Its share of the median: the time, in the boots that have it. */
		double d = o->median * (double)o->boots / (double)(o->of ? o->of : 1);

		if (o->group == 0)
			d = -d;
		if ((phase != ANY_PHASE && o->phase != phase) || !is_amount(o->key) || d * sign <= 0 ||
		    counted_elsewhere(in, o->key))
			continue;
		out[n++] = (struct bst_contributor){ o->key, o->group + 1, d,
						     o->boots, o->of,
						     driver_change(in, o->key) };
	}
	qsort(out, n, sizeof(*out), by_size_desc);
	return n;
}

static void explain_phase(const struct bst_verdict_in *in,
			  const struct bst_row *row, int phase,
			  struct bst_verdict_phase *vp)
{
	struct bst_contributor *all;
	double want = fabs(row->delta) * BST_VERDICT_COVER, got = 0;
	size_t n, i;

	memset(vp, 0, sizeof(*vp));
	vp->row = row;
	if (!row->significant)
		return;
	all = calloc(in->nrows + in->nonly + 1, sizeof(*all));
	if (!all)
		return;
	n = candidates(in, phase, row->delta < 0 ? -1 : 1, all);
	for (i = 0; i < n && got < want && vp->nc < BST_VERDICT_CONTRIBUTORS; i++) {
		vp->c[vp->nc++] = all[i];
		got += fabs(all[i].delta_ms);
	}
	free(all);
	vp->explained_ms = row->delta < 0 ? -got : got;
	if (got < want)
		vp->unexplained_ms = row->delta - vp->explained_ms;
}

/* "ntpdate", "ena probe", "module ena init", "step ena:ena_reset" */
static void contributor_name(char *buf, size_t size, const char *key)
{
	if (starts_with(key, "program "))
		snprintf(buf, size, "%s", key + 8);
	else if (starts_with(key, "probe "))
		snprintf(buf, size, "%s probe", key + 6);
	else if (starts_with(key, "module "))
		snprintf(buf, size, "module %s init", key + 7);
	else if (starts_with(key, "fn "))
		snprintf(buf, size, "step %s", key + 3);
	else if (starts_with(key, "unit "))
		snprintf(buf, size, "%s", key + 5);
	else
		snprintf(buf, size, "%s", key);
}

static size_t describe(char *buf, size_t size, const struct bst_contributor *c)
{
	char name[300], d[48];
	size_t n;

	contributor_name(name, sizeof(name), c->key);
	if (c->how) {
		fmt_delta(d, sizeof(d), c->delta_ms * (double)c->of /
			  (double)(c->boots ? c->boots : 1), 0);
		n = (size_t)snprintf(buf, size, "%s only in %s (%s", name,
				     c->how == 1 ? "A" : "B", d);
		if (c->boots < c->of && n < size)
			n += (size_t)snprintf(buf + n, size - n, " in %zu of %zu boots",
					      c->boots, c->of);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, ")");
	} else {
		fmt_delta(d, sizeof(d), c->delta_ms, 1);
		n = (size_t)snprintf(buf, size, "%s %s", name, d);
		if (c->change && !c->change->with_kernel && n < size)
			n += (size_t)snprintf(buf + n, size - n, " (%s -> %s)",
					      c->change->a, c->change->b);
	}
	return n < size ? n : size;
}

#define LINE(v) ((v)->lines[(v)->nlines])

static void add_line(struct bst_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct bst_verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->nlines == BST_VERDICT_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(LINE(v), sizeof(LINE(v)), fmt, ap);
	va_end(ap);
	v->nlines++;
}

static void phase_line(struct bst_verdict *v, const struct bst_verdict_phase *vp)
{
	char buf[sizeof(v->lines[0])], d[48];
	size_t n, i;

	fmt_delta(d, sizeof(d), vp->row->delta, 1);
	n = (size_t)snprintf(buf, sizeof(buf), "%s %s", vp->row == v->boot ?
			     "the whole boot" : vp->row->key + 6, d);
	if (!vp->row->significant) {
		add_line(v, "%s, not significant.", buf);
		return;
	}
	for (i = 0; i < vp->nc && n < sizeof(buf); i++) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", i ? ", " : ": ");
		if (n < sizeof(buf))
			n += describe(buf + n, sizeof(buf) - n, &vp->c[i]);
	}
	if (vp->unexplained_ms != 0 && n < sizeof(buf)) {
		fmt_delta(d, sizeof(d), vp->unexplained_ms, !vp->nc);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s unexplained",
				      vp->nc ? "; " : ": ", d);
	}
	add_line(v, "%s.", buf);
}

/* Whether a contributor of the verdict already named this change. */
static int named(const struct bst_verdict *v, const struct bst_change *c)
{
	size_t i, j;

	for (i = 0; i < v->nphases; i++)
		for (j = 0; j < v->phases[i].nc; j++)
			if (v->phases[i].c[j].change == c)
				return 1;
	return 0;
}

static void also_line(struct bst_verdict *v, const struct bst_verdict_in *in)
{
	char buf[sizeof(v->lines[0])];
	size_t n = 0, i, with_kernel = 0, listed = 0, more = 0;

	for (i = 0; i < in->nchanges && n < sizeof(buf); i++) {
		const struct bst_change *c = &in->changes[i];

		if (c->with_kernel) {
			with_kernel++;
			continue;
		}
		if (named(v, c))
			continue;
		/* A few lines, not a list: the table below has every one. */
		if (listed++ == BST_VERDICT_ALSO) {
			more++;
			listed--;
			continue;
		}
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", n ? "; " : "");
		if (n >= sizeof(buf))
			break;
		if (!strcmp(c->what, "cmdline"))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "kernel command line %s", c->b);
		else if (!strcmp(c->what, "modules"))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "modules loaded %s", c->b);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s %s -> %s",
					      c->label, *c->name ? " " : "", c->name,
					      c->a, c->b);
	}
	if (with_kernel && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "%sin-tree drivers changed with the kernel (%zu)",
				      n ? "; " : "", with_kernel);
	if (more && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "; %zu more (What differs, below)", more);
	if (n)
		add_line(v, "Also different: %s.", buf);
}

void bst_verdict_build(const struct bst_verdict_in *in, struct bst_verdict *v)
{
	/* Firmware and loader first, as they ran; nothing a capture records
	 * happens in them, so they have no contributors. */
	static const char *const phases[] = { "phase firmware", "phase loader",
					      "phase kernel", "phase initramfs",
					      "phase userspace" };
	char d[48], p[32] = "-";
	int any_phase = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->boot = find_row(in, "boot");
	if (!in->can_be_significant) {
		if (v->boot)
			fmt_delta(d, sizeof(d), v->boot->delta, 1);
		add_line(v, "none: with %zu and %zu boots no difference can be significant (the smallest possible p is %.2g); it takes %zu boots per group.%s%s%s",
			 in->na, in->nb, in->min_p, in->boots_needed,
			 v->boot ? " The boots' medians differ by " : "",
			 v->boot ? d : "", v->boot ? " (B-A), which may be chance." : "");
		also_line(v, in);
		return;
	}
	if (!v->boot) {
		add_line(v, "none: the boots' ends cannot be compared.");
		also_line(v, in);
		return;
	}
	fmt_delta(d, sizeof(d), fabs(v->boot->delta), 0);
	if (!isnan(v->boot->p))
		snprintf(p, sizeof(p), "%.2g", v->boot->p);
	if (v->boot->significant)
		add_line(v, "B boots %s %s than A (p = %s).", d,
			 v->boot->delta < 0 ? "faster" : "slower", p);
	else
		add_line(v, "B's boot is not significantly different from A's (%s %s, p = %s).",
			 d, v->boot->delta < 0 ? "shorter" : "longer", p);
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		const struct bst_row *r = find_row(in, phases[i]);

		if (!r)
			continue;
		if (i < 2) {
			explain_phase(in, r, NO_PHASE, &v->phases[v->nphases]);
			v->phases[v->nphases].unexplained_ms = 0;
		} else {
			explain_phase(in, r, (int)i - 2, &v->phases[v->nphases]);
		}
		phase_line(v, &v->phases[v->nphases]);
		any_phase |= r->significant;
		v->nphases++;
	}
	/*
	 * The boot changed and no phase did on its own (phases unknown, or
	 * each too noisy): explain the boot's change itself, from anywhere.
	 */
	if (v->boot->significant && !any_phase) {
		explain_phase(in, v->boot, ANY_PHASE, &v->phases[v->nphases]);
		phase_line(v, &v->phases[v->nphases]);
		v->nphases++;
	}
	also_line(v, in);
}

void bst_verdict_text(FILE *out, const struct bst_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nlines; i++)
		fprintf(out, "%s%s\n", i ? "  " : "Verdict: ", v->lines[i]);
	fputc('\n', out);
}

static const char *const how_names[] = { "changed", "only_in_a", "only_in_b" };

void bst_verdict_json(FILE *out, const struct bst_verdict *v)
{
	size_t i, j;

	fputs("\"verdict\":{\"lines\":[", out);
	for (i = 0; i < v->nlines; i++) {
		fputs(i ? "," : "", out);
		bst_json_str(out, v->lines[i]);
	}
	fputs("],\"phases\":[", out);
	for (i = 0; i < v->nphases; i++) {
		const struct bst_verdict_phase *vp = &v->phases[i];

		fputs(i ? ",{\"metric\":" : "{\"metric\":", out);
		bst_json_str(out, vp->row->key);
		fprintf(out, ",\"delta_ms\":%.6f,\"significant\":%s,\"explained_ms\":%.6f,\"unexplained_ms\":%.6f,\"contributors\":[",
			vp->row->delta, vp->row->significant ? "true" : "false",
			vp->explained_ms, vp->unexplained_ms);
		for (j = 0; j < vp->nc; j++) {
			const struct bst_contributor *c = &vp->c[j];

			fputs(j ? ",{\"metric\":" : "{\"metric\":", out);
			bst_json_str(out, c->key);
			fprintf(out, ",\"how\":\"%s\",\"delta_ms\":%.6f", how_names[c->how],
				c->delta_ms);
			if (c->how)
				fprintf(out, ",\"boots\":%zu,\"of\":%zu", c->boots, c->of);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("]},", out);
}
