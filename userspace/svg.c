// SPDX-License-Identifier: GPL-2.0
/*
 * An SVG timeline of one boot, made to be read at 1600x1200: a caption
 * with the total, a legend, a time axis at the top and the bottom, and
 * milestones as dashed lines whose labels are staggered so none collide.
 * One row per driver (all its attempts on it, the steps inside a probe
 * drawn inside its bar), per module, disk, interface and program, under
 * the boot's phases. Past the rows that fit in 1200 px (MAX_ROWS at most),
 * each group keeps its busiest and
 * sums the rest into one "N more" row; bars closer than a pixel or two are
 * drawn as one, so a million events still make a picture of a few MB.
 * Everything is sorted once: O(n log n).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "json.h"
#include "names.h"

#define W_TOTAL 1600
#define W_LABEL 320	/* the row labels' column */
#define X_PLOT 330
#define W_PLOT 1240
#define ROW 16
#define GROUP_GAP 22	/* a group's heading */
#define LANE 13		/* one lane of milestone labels */
#define MAX_LANES 16
#define VIEW_H 1200	/* the height it is read at: both axes fit in it */
#define BELOW_ROWS 40	/* the bottom axis and its margin */
#define MIN_ROWS 16	/* rows of spans, besides the phases': at least */
#define MAX_ROWS 50	/* and at most */
#define MAX_LISTED 200	/* milestones listed below when the lanes are full */
#define CHAR_W 6.2	/* average glyph width at 11px, for packing */
#define MERGE_PX 1.5	/* bars closer than this are drawn as one */
#define LABEL_CHARS 40

enum { G_PHASE, G_PROBE, G_MODULE, G_DISK, G_NET, G_USER, G_UNIT, G_N };
enum { K_PHASE, K_PROBE, K_STEP, K_MODULE, K_DISK, K_IO, K_NET, K_PROCESS,
       K_UNIT, K_N };
/* How a row's key reads: a name; a device whose driver the log omits. */
enum { H_NAME, H_DEVICE, H_ORPHAN_STEPS };

static const char *const g_name[G_N] = {
	"phases", "driver probes", "module loads", "disks", "network",
	"userspace", "systemd units",
};
/* What a "N more ..." row sums. */
static const char *const g_more[G_N] = {
	"phases", "drivers", "modules", "disks", "interfaces", "programs",
	"units",
};
static const int g_weight[G_N] = { 1, 2, 1, 1, 1, 1, 1 };
/* The kind whose colour a group's heading takes. */
static const int g_kind[G_N] = { 0, 1, 3, 4, 6, 7, 8 };

static const char *const k_name[K_N] = {
	"phase", "probe", "step inside a probe", "module load",
	"disk add to partitions", "first I/O", "network event", "process",
	"unit activation",
};
static const char *const k_colour[K_N] = {
	"#9e9e9e", "#d62728", "#7b1fa2", "#1f77b4", "#2ca02c", "#0b5d1e",
	"#9467bd", "#ff7f0e", "#17becf",
};
#define MILESTONE_COLOUR "#444"

struct item {
	int group, kind, hint, running;
	const char *key;	/* the row */
	size_t key_rank;	/* key's rank in strcmp's order (names.h) */
	uint64_t start, end;
	const struct bst_event *ev;	/* for the tooltip; NULL for phases */
	const char *text;	/* a phase's name */
};

struct row {
	int group, hint;
	const char *key;
	size_t key_rank;
	size_t from, to;	/* its items */
	size_t spans;		/* not counting steps, I/O, instants */
	size_t running;		/* of which still running when captured */
	uint64_t busy, first;
	int keep;
};

struct plot {
	struct bst_writer *w;
	uint64_t end;		/* the axis' end */
	double scale;		/* px per ns */
};

/* Text for an SVG text node or attribute. */
static void xml(struct bst_writer *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': bst_put_str(out, "&lt;"); break;
		case '>': bst_put_str(out, "&gt;"); break;
		case '&': bst_put_str(out, "&amp;"); break;
		case '"': bst_put_str(out, "&quot;"); break;
		default: bst_put_char(out, *s);
		}
	}
}

/* The first max characters of s, with "..." if cut. */
static void xml_cut(struct bst_writer *out, const char *s, size_t max)
{
	char buf[LABEL_CHARS + 8];

	if (!s)
		return;
	if (max > LABEL_CHARS)
		max = LABEL_CHARS;
	if (strlen(s) <= max) {
		xml(out, s);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s...", (int)(max - 3), s);
	xml(out, buf);
}

/* 9.952s, 495ms, 12.3ms, 46us: as people read a boot. */
static void fmt_dur(char *buf, size_t size, uint64_t ns)
{
	const char *unit = "ns";
	size_t n;

	/* bst_format_fixed: printf's "%.3f" and so on, for every bar. */
	if (ns >= 1000000000ULL) {
		n = bst_format_fixed(buf, size, ns / 1e9, 3);
		unit = "s";
	} else if (ns >= 100000000ULL) {
		n = bst_format_fixed(buf, size, ns / 1e6, 0);
		unit = "ms";
	} else if (ns >= 1000000ULL) {
		n = bst_format_fixed(buf, size, ns / 1e6, 1);
		unit = "ms";
	} else if (ns >= 1000ULL) {
		n = bst_format_fixed(buf, size, ns / 1e3, 0);
		unit = "us";
	} else {
		n = (size_t)snprintf(buf, size, "%" PRIu64, ns);
		n = n < size ? n : size - 1;
	}
	if (n + strlen(unit) < size)
		memcpy(buf + n, unit, strlen(unit) + 1);
}

/* A tick step of 1, 2 or 5 x 10^k ns giving about ten ticks. */
static uint64_t tick_step(uint64_t span)
{
	uint64_t mag = 1;

	while (mag <= span / 100)
		mag *= 10;
	if (span / mag <= 20)
		return mag * 2 > 0 && span / (mag * 2) >= 5 ? mag * 2 : mag;
	return span / (mag * 5) <= 12 ? mag * 5 : mag * 10;
}

static void fmt_tick(char *buf, size_t size, uint64_t t, uint64_t step)
{
	if (step >= 100000000ULL)
		snprintf(buf, size, "%gs", t / 1e9);
	else if (step >= 100000ULL)
		snprintf(buf, size, "%gms", t / 1e6);
	else
		snprintf(buf, size, "%gus", t / 1e3);
}

static double px(const struct plot *p, uint64_t t)
{
	return X_PLOT + (double)t * p->scale;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group - b->group;
	if (a->key_rank != b->key_rank)
		return a->key_rank < b->key_rank ? -1 : 1;
	if (a->hint != b->hint)
		return a->hint - b->hint;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return a->kind - b->kind;
}

static int by_start_only(const void *pa, const void *pb)
{
	const struct item *a = *(const struct item *const *)pa;
	const struct item *b = *(const struct item *const *)pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end > b->end ? -1 : a->end < b->end;
}

/* Busiest first; then earliest. */
static int row_rank(const void *pa, const void *pb)
{
	const struct row *a = *(const struct row *const *)pa;
	const struct row *b = *(const struct row *const *)pb;

	if (a->busy != b->busy)
		return a->busy > b->busy ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->key_rank > b->key_rank) - (a->key_rank < b->key_rank);
}

/* Kept rows in the order the boot reached them. */
static int row_time(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group - b->group;
	if (a->keep != b->keep)
		return b->keep - a->keep;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->key_rank > b->key_rank) - (a->key_rank < b->key_rank);
}

static uint64_t pid_of(const struct bst_event *ev)
{
	int64_t pid = 0;

	if (bst_event_get_i64(ev, "pid", &pid) <= 0 || pid < 0)
		return 0;
	return (uint64_t)pid;
}

/* A finished span ran [end - dur, end]; a dur past the boot starts at 0. */
static void span_times(const struct bst_span *sp, uint64_t axis_end,
		       uint64_t *start, uint64_t *end)
{
	if (!sp->end) {
		*start = sp->start->t_ns;
		*end = axis_end > *start ? axis_end : *start;
		return;
	}
	*end = sp->end->t_ns;
	*start = sp->dur_ns > *end ? 0 : *end - sp->dur_ns;
}

/* A probe's row: its driver, or (the kernel log often omits it) its device. */
static void probe_key(const struct bst_event *ev, struct item *it)
{
	const char *drv = bst_event_get(ev, "driver");

	if (drv && *drv) {
		it->key = drv;
		it->hint = H_NAME;
	} else {
		it->key = ev->subject;
		it->hint = H_DEVICE;
	}
}

struct nest {
	const struct bst_span *sp;
	uint64_t pid, start, end;
	int is_step;
};

static int nest_cmp(const void *pa, const void *pb)
{
	const struct nest *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return a->is_step - b->is_step;
}

/*
 * Each step's row is its probe's: the innermost probe on the same thread
 * that holds it. One sort by thread and time, then a stack: O(n log n).
 * parent[i] is, for span i, the probe span around it or NULL.
 */
static int find_parents(const struct bst_model *model, uint64_t axis_end,
			const struct bst_span **parent)
{
	struct nest *v = calloc(model->nspans + 1, sizeof(*v));
	const struct nest **stack = calloc(model->nspans + 1, sizeof(*stack));
	size_t i, n = 0, depth = 0;

	if (!v || !stack) {
		free(v);
		free(stack);
		return -1;
	}
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = sp->end ? sp->end : sp->start;

		if (sp->kind != BST_SPAN_PROBE && sp->kind != BST_SPAN_FN)
			continue;
		v[n] = (struct nest){ sp, pid_of(ev), 0, 0,
				      sp->kind == BST_SPAN_FN };
		span_times(sp, axis_end, &v[n].start, &v[n].end);
		n++;
	}
	qsort(v, n, sizeof(*v), nest_cmp);
	for (i = 0; i < n; i++) {
		if (i && v[i].pid != v[i - 1].pid)
			depth = 0;
		while (depth && stack[depth - 1]->end <= v[i].start &&
		       stack[depth - 1]->end < v[i].end)
			depth--;
		if (!v[i].is_step) {
			stack[depth++] = &v[i];
		} else if (v[i].pid && depth && stack[depth - 1]->end >= v[i].end) {
			parent[v[i].sp - model->spans] = stack[depth - 1]->sp;
		}
	}
	free(v);
	free(stack);
	return 0;
}

/* Bars in time order, drawn as few shapes as the pixels allow. */
struct merger {
	int kind, running;
	size_t count;
	uint64_t start, end;
	const struct item *only;
};

static void tooltip(struct bst_writer *out, const struct merger *m)
{
	char a[32], b[32];
	const struct item *it = m->only;

	bst_put_str(out, "<title>");
	fmt_dur(a, sizeof(a), m->start);
	fmt_dur(b, sizeof(b), m->end - m->start);
	if (m->count == 1 && it->ev) {
		const char *drv = bst_event_get(it->ev, "driver");
		const char *rc = bst_event_get(it->ev, "rc");
		const char *ret = bst_event_get(it->ev, "ret");

		xml(out, k_name[it->kind]);
		bst_put_char(out, ' ');
		xml(out, it->ev->subject);
		if (drv && *drv && it->kind == K_PROBE) {
			bst_put_str(out, " (");
			xml(out, drv);
			bst_put_char(out, ')');
		}
		if (it->kind == K_NET) {
			bst_put_char(out, ' ');
			xml(out, it->ev->type);
			bst_put_fmt(out, " at %s", a);
		} else {
			bst_put_fmt(out, " at %s for %s", a, b);
		}
		if (rc && *rc) {
			bst_put_str(out, ", rc ");
			xml(out, rc);
		}
		if (ret && *ret) {
			bst_put_str(out, ", ret ");
			xml(out, ret);
		}
	} else if (m->count == 1) {
		xml(out, it->text);
		bst_put_fmt(out, " at %s for %s", a, b);
	} else {
		bst_put_fmt(out, "%zu %ss from %s, spanning %s", m->count,
			k_name[m->kind], a, b);
	}
	if (m->running)
		bst_put_str(out, ", still running when captured");
	bst_put_str(out, "</title>");
}

/* The phases side by side on one row: a shade each. */
static const char *phase_colour(const char *name)
{
	if (!strcmp(name, "kernel"))
		return "#8a8a8a";
	if (!strcmp(name, "initramfs"))
		return "#b3b3b3";
	return "#6a6a6a";
}

static void flush(const struct plot *p, struct merger *m, double y)
{
	double x, w;

	if (!m->count)
		return;
	x = px(p, m->start);
	w = (double)(m->end - m->start) * p->scale;
	if (w < 1)
		w = 1;
	if (m->kind == K_NET) {
		bst_put_fmt(p->w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">",
			x, y + ROW / 2.0, k_colour[m->kind]);
		tooltip(p->w, m);
		bst_put_str(p->w, "</circle>\n");
	} else {
		int inner = m->kind == K_STEP || m->kind == K_IO;

		bst_put_fmt(p->w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s>",
			x, y + (inner ? 6 : 2), w, inner ? 6 : ROW - 4,
			m->kind == K_PHASE ? phase_colour(m->only->text) :
			k_colour[m->kind],
			m->running ? " fill-opacity=\"0.35\"" :
			m->kind == K_PHASE ? " stroke=\"white\"" : "");
		tooltip(p->w, m);
		bst_put_str(p->w, "</rect>\n");
		if (m->kind == K_PHASE && m->count == 1 &&
		    strlen(m->only->text) * CHAR_W + 8 < w)
			bst_put_fmt(p->w, "<text x=\"%.1f\" y=\"%.1f\" fill=\"white\">%s</text>\n",
				x + 4, y + 12, m->only->text);
	}
	m->count = 0;
}

static void add(const struct plot *p, struct merger *m, const struct item *it,
		double y)
{
	double gap = MERGE_PX / p->scale;

	if (m->count && !it->running && !m->running && it->kind != K_PHASE &&
	    (double)it->start <= (double)m->end + gap) {
		if (it->end > m->end)
			m->end = it->end;
		m->count++;
		return;
	}
	flush(p, m, y);
	*m = (struct merger){ .kind = it->kind, .running = it->running,
			      .count = 1, .start = it->start, .end = it->end,
			      .only = it };
}

/* A row's items (in time order) as bars, inner bars and dots. */
static void draw_items(const struct plot *p, const struct item *const *its,
		       size_t n, double y)
{
	struct merger outer = { 0 }, inner = { 0 }, dots = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		const struct item *it = its[i];
		struct merger *m = it->kind == K_NET ? &dots :
				   it->kind == K_STEP || it->kind == K_IO ?
				   &inner : &outer;

		if (m->count && m->kind != it->kind)
			flush(p, m, y);
		add(p, m, it, y);
	}
	/* Inner bars last, so they are drawn over their probe's. */
	flush(p, &outer, y);
	flush(p, &inner, y);
	flush(p, &dots, y);
}

/* "6x 7.018s": how many spans and their time; running ones have none. */
static void row_stats(struct bst_writer *out, size_t spans, size_t running, uint64_t busy,
		      double y)
{
	char d[32];

	fmt_dur(d, sizeof(d), busy);
	bst_put_fmt(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">",
		W_LABEL - 6, y + 12);
	if (spans > 1)
		bst_put_fmt(out, "%zux ", spans);
	if (running == spans)
		bst_put_str(out, "still running");
	else
		bst_put_fmt(out, "%s%s", d, running ? " + running" : "");
	bst_put_str(out, "</text>\n");
}

static void row_label(struct bst_writer *out, const struct row *r, double y)
{
	size_t room = r->hint == H_DEVICE ? 20 : LABEL_CHARS - 12;

	bst_put_fmt(out, "<text class=\"row\" x=\"14\" y=\"%.1f\">", y + 12);
	xml_cut(out, r->key, room);
	if (r->hint == H_DEVICE)
		bst_put_str(out, "<tspan fill=\"#888\"> (log names no driver)</tspan>");
	else if (r->hint == H_ORPHAN_STEPS)
		bst_put_str(out, "<tspan fill=\"#888\"> steps, no probe</tspan>");
	bst_put_str(out, "</text>\n");
	if (r->group == G_PHASE || r->group == G_NET)
		return;
	row_stats(out, r->spans, r->running, r->busy, y);
}

static void axis(const struct plot *p, uint64_t step, double y, int above,
		 double line_from, double line_to)
{
	uint64_t t;

	bst_put_fmt(p->w, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>\n",
		X_PLOT, y, X_PLOT + W_PLOT, y);
	for (t = 0; t <= p->end; t += step) {
		char l[32];

		fmt_tick(l, sizeof(l), t, step);
		if (line_to > line_from)
			bst_put_fmt(p->w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
				px(p, t), line_from, px(p, t), line_to);
		bst_put_fmt(p->w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
			px(p, t), above ? y - 5 : y + 14, l);
		if (t > UINT64_MAX - step)
			break;
	}
}

static void legend(struct bst_writer *out, double y)
{
	double x = 14;
	int k;

	for (k = 0; k < K_N; k++) {
		if (k == K_NET)
			bst_put_fmt(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
				x + 6, y - 4, k_colour[k]);
		else
			bst_put_fmt(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%d\" fill=\"%s\"/>\n",
				x, y - (k == K_STEP || k == K_IO ? 7 : 10),
				k == K_STEP || k == K_IO ? 6 : 12, k_colour[k]);
		bst_put_fmt(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 17, y,
			k_name[k]);
		x += 17 + strlen(k_name[k]) * CHAR_W + 22;
	}
	bst_put_fmt(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"3,3\"/>\n"
		"<text x=\"%.1f\" y=\"%.1f\">milestone</text>\n",
		x + 6, y - 12, x + 6, y + 2, MILESTONE_COLOUR, x + 12, y);
}

/* Milestone labels: a lane each, packed; -1 for no room (listed below). */
static size_t place_labels(const struct plot *p, const struct bst_boot *boot,
			   int *lane_of)
{
	double lane_end[MAX_LANES];
	size_t i, lanes = 0;
	int l;

	for (l = 0; l < MAX_LANES; l++)
		lane_end[l] = -1e9;
	for (i = 0; i < boot->nms; i++) {
		double x = px(p, boot->ms[i].t_ns);
		size_t len = strlen(boot->ms[i].name);
		double w = (len > LABEL_CHARS ? LABEL_CHARS : len) * CHAR_W + 10;
		double from = x + w > W_TOTAL - 4 ? x - w : x;

		for (l = 0; l < MAX_LANES && lane_end[l] > from; l++)
			;
		lane_of[i] = l < MAX_LANES ? l : -1;
		if (l < MAX_LANES) {
			lane_end[l] = from + w;
			if ((size_t)l + 1 > lanes)
				lanes = (size_t)l + 1;
		}
	}
	return lanes;
}

/*
 * How many rows each group may have: a cap c (times its weight) as large
 * as max_rows allows. A group over it keeps c - 1 rows and one "more" row.
 */
static size_t group_cap(const size_t *size, size_t *cap_of, size_t max_rows)
{
	size_t c, g, total = 0, best = 1, most = 0;

	for (g = G_PROBE; g < G_N; g++)
		most = size[g] > most ? size[g] : most;
	for (c = 1; c <= most; c++) {
		total = 0;
		for (g = G_PROBE; g < G_N; g++)
			total += size[g] < c * g_weight[g] ? size[g] : c * g_weight[g];
		if (total > max_rows)
			break;
		best = c;
	}
	total = 0;
	for (g = 0; g < G_N; g++) {
		cap_of[g] = g == G_PHASE ? size[g] : best * g_weight[g];
		total += size[g] < cap_of[g] ? size[g] : cap_of[g];
	}
	return total;
}

struct layout {
	struct item *items;
	size_t nitems;
	struct row *rows;
	size_t nrows;
	size_t more[G_N];	/* rows summed into the group's "more" row */
	uint64_t more_busy[G_N];
	size_t more_spans[G_N];
	size_t more_running[G_N];
};

static int build_items(const struct bst_capture *cap,
		       const struct bst_model *model,
		       const struct bst_boot *boot, uint64_t axis_end,
		       struct layout *lay)
{
	static const int kind_of[BST_SPAN_KINDS] = {
		[BST_SPAN_PROBE] = K_PROBE, [BST_SPAN_MODULE] = K_MODULE,
		[BST_SPAN_DISK] = K_DISK, [BST_SPAN_PROCESS] = K_PROCESS,
		[BST_SPAN_FN] = K_STEP, [BST_SPAN_UNIT] = K_UNIT,
	};
	static const int group_of[K_N] = {
		[K_PHASE] = G_PHASE, [K_PROBE] = G_PROBE, [K_STEP] = G_PROBE,
		[K_MODULE] = G_MODULE, [K_DISK] = G_DISK, [K_IO] = G_DISK,
		[K_NET] = G_NET, [K_PROCESS] = G_USER, [K_UNIT] = G_UNIT,
	};
	const struct bst_span **parent;
	struct bst_names names;
	size_t i, n = 0;

	lay->items = calloc(model->nspans + cap->nev + BST_PHASES + 1,
			    sizeof(*lay->items));
	parent = calloc(model->nspans + 1, sizeof(*parent));
	if (!lay->items || !parent || find_parents(model, axis_end, parent)) {
		free(parent);
		return -1;
	}
	for (i = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known || ph->end_ns < ph->start_ns)
			continue;
		lay->items[n++] = (struct item){ .group = G_PHASE,
			.kind = K_PHASE, .key = "boot phases",
			.start = ph->start_ns, .end = ph->end_ns,
			.text = ph->name };
	}
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = sp->end ? sp->end : sp->start;
		struct item *it = &lay->items[n++];

		it->kind = kind_of[sp->kind];
		it->group = group_of[it->kind];
		it->ev = ev;
		it->running = !sp->end;
		it->key = ev->subject;
		span_times(sp, axis_end, &it->start, &it->end);
		if (sp->kind == BST_SPAN_PROBE) {
			probe_key(ev, it);
		} else if (sp->kind == BST_SPAN_FN) {
			const char *mod = bst_event_get(ev, "module");

			if (parent[i]) {
				probe_key(parent[i]->end ? parent[i]->end :
					  parent[i]->start, it);
			} else {
				it->key = mod && *mod ? mod : ev->subject;
				it->hint = H_ORPHAN_STEPS;
			}
		}
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		struct item *it;
		int64_t dur = 0;

		if (!strcmp(ev->type, "disk.first_io")) {
			it = &lay->items[n++];
			bst_event_get_i64(ev, "dur_ns", &dur);
			*it = (struct item){ .group = G_DISK, .kind = K_IO,
				.key = ev->subject, .ev = ev, .start = ev->t_ns,
				.end = ev->t_ns + (dur > 0 && (uint64_t)dur <
						   axis_end - ev->t_ns ?
						   (uint64_t)dur : 0) };
		} else if (!strncmp(ev->type, "net.", 4)) {
			it = &lay->items[n++];
			*it = (struct item){ .group = G_NET, .kind = K_NET,
				.key = ev->subject, .ev = ev, .start = ev->t_ns,
				.end = ev->t_ns };
		}
	}
	free(parent);
	lay->nitems = n;
	/* Rows are sorted by their names' ranks, not by strcmp on each. */
	if (bst_names_init(&names, n))
		goto fail;
	for (i = 0; i < n; i++)
		if (bst_name_id(&names, lay->items[i].key, &lay->items[i].key_rank))
			goto fail;
	if (bst_names_rank(&names))
		goto fail;
	for (i = 0; i < n; i++)
		lay->items[i].key_rank = names.rank[lay->items[i].key_rank];
	bst_names_free(&names);
	qsort(lay->items, n, sizeof(*lay->items), item_cmp);
	return 0;
fail:
	bst_names_free(&names);
	return -1;
}

/* Rows below rows_top, so that the picture fits in VIEW_H when it can. */
static int build_rows(struct layout *lay, double rows_top)
{
	struct row **rank;
	size_t i, size[G_N] = { 0 }, cap_of[G_N], g, groups = 0;
	double room;

	lay->rows = calloc(lay->nitems + 1, sizeof(*lay->rows));
	rank = calloc(lay->nitems + 1, sizeof(*rank));
	if (!lay->rows || !rank) {
		free(rank);
		return -1;
	}
	for (i = 0; i < lay->nitems; i++) {
		const struct item *it = &lay->items[i];
		struct row *r = lay->nrows ? &lay->rows[lay->nrows - 1] : NULL;
		int main_kind = it->kind != K_STEP && it->kind != K_IO;

		if (!r || r->group != it->group || r->hint != it->hint ||
		    r->key_rank != it->key_rank) {
			r = &lay->rows[lay->nrows++];
			*r = (struct row){ .group = it->group, .hint = it->hint,
					   .key = it->key, .key_rank = it->key_rank,
					   .from = i, .first = it->start };
			size[it->group]++;
		}
		r->to = i + 1;
		if (main_kind && it->kind != K_NET) {
			r->spans++;
			/* Still running: not a duration anyone measured. */
			if (!it->running)
				r->busy += it->end - it->start;
			else
				r->running++;
		}
	}
	for (g = 0; g < G_N; g++)
		groups += size[g] > 0;
	room = (VIEW_H - BELOW_ROWS - rows_top - (double)groups * GROUP_GAP) / ROW -
	       (double)size[G_PHASE];
	group_cap(size, cap_of, room < MIN_ROWS ? MIN_ROWS :
		  room > MAX_ROWS ? MAX_ROWS : (size_t)room);
	for (g = 0; g < G_N; g++) {
		size_t m = 0, keep;

		for (i = 0; i < lay->nrows; i++)
			if (lay->rows[i].group == (int)g)
				rank[m++] = &lay->rows[i];
		qsort(rank, m, sizeof(*rank), row_rank);
		keep = m <= cap_of[g] ? m : cap_of[g] - 1;
		for (i = 0; i < m; i++) {
			rank[i]->keep = i < keep;
			if (i >= keep) {
				lay->more[g]++;
				lay->more_busy[g] += rank[i]->busy;
				lay->more_spans[g] += rank[i]->spans;
				lay->more_running[g] += rank[i]->running;
			}
		}
	}
	free(rank);
	qsort(lay->rows, lay->nrows, sizeof(*lay->rows), row_time);
	return 0;
}

static void caption(struct bst_writer *out, const struct bst_capture *cap,
		    const struct bst_boot *boot, double y)
{
	char d[32];
	size_t i;
	int any = 0;

	fmt_dur(d, sizeof(d), boot->end_ns);
	bst_put_fmt(out, "<text x=\"14\" y=\"%.0f\" font-size=\"14\">Startup finished in <tspan font-weight=\"bold\">%s</tspan>", y, d);
	for (i = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known || ph->end_ns < ph->start_ns)
			continue;
		fmt_dur(d, sizeof(d), ph->end_ns - ph->start_ns);
		bst_put_fmt(out, "%s%s %s", any ? " + " : ": ", d, ph->name);
		any = 1;
	}
	for (i = 0; i < cap->nev && strcmp(cap->ev[i].type, "mark"); i++)
		;
	/* As bst_boot_build ends it: a boot that marks its end is judged by it. */
	bst_put_fmt(out, ", to the last %s &#183; %zu events</text>\n",
		i < cap->nev ? "marker" : "event", cap->nev);
}

void bst_plot(FILE *stream, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot)
{
	struct bst_writer *out = malloc(sizeof(*out));
	struct layout lay = { 0 };
	struct plot p = { .w = out };
	const struct item **its = NULL;
	int *lane_of = NULL;
	size_t i, lanes, listed = 0, shown_rows = 0, g;
	uint64_t step;
	double top, y, height, rows_top, bottom;
	int last_group = -1;

	p.end = boot->end_ns;
	for (i = 0; i < cap->nev; i++)
		if (cap->ev[i].t_ns > p.end)
			p.end = cap->ev[i].t_ns;
	if (!p.end)
		p.end = 1;
	p.scale = W_PLOT / (double)p.end;
	lane_of = calloc(boot->nms + 1, sizeof(*lane_of));
	its = calloc(model->nspans + cap->nev + BST_PHASES + 1, sizeof(*its));
	if (!out || !lane_of || !its) {
		fputs("bootstamps: plot: out of memory\n", stderr);
		goto out;
	}
	bst_writer_init(out, stream);
	lanes = place_labels(&p, boot, lane_of);
	for (i = 0; i < boot->nms; i++)
		listed += lane_of[i] < 0;

	/* Geometry, top down. */
	top = 98;				/* the top axis */
	rows_top = top + 6 + (double)lanes * LANE + 4;
	if (build_items(cap, model, boot, p.end, &lay) ||
	    build_rows(&lay, rows_top)) {
		fputs("bootstamps: plot: out of memory\n", stderr);
		goto out;
	}
	for (i = 0; i < lay.nrows; i++)
		shown_rows += lay.rows[i].keep;
	for (g = 0; g < G_N; g++)
		shown_rows += lay.more[g] > 0;
	height = rows_top + (double)shown_rows * ROW;
	for (g = 0; g < G_N; g++)
		for (i = 0; i < lay.nrows; i++)
			if (lay.rows[i].group == (int)g) {
				height += GROUP_GAP;
				break;
			}
	bottom = height + 6;
	height = bottom + 28;
	if (listed)
		height += 22 + ((listed > MAX_LISTED ? MAX_LISTED : listed) + 3) / 4 * 14.0 +
			  (listed > MAX_LISTED ? 14 : 0);

	bst_put_fmt(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
		W_TOTAL, height, W_TOTAL, height);
	bst_put_str(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"14\" y=\"24\" font-size=\"17\" font-weight=\"bold\">Boot of ");
	xml(out, bst_header_get(cap, "kernel"));
	bst_put_str(out, " <tspan font-weight=\"normal\" font-size=\"12\" fill=\"#666\">");
	xml(out, cap->name);
	bst_put_str(out, "</tspan></text>\n");
	caption(out, cap, boot, 46);
	legend(out, 70);

	step = tick_step(p.end);
	bst_put_fmt(out, "<g id=\"axis-top\">\n");
	axis(&p, step, top, 1, top, bottom);
	bst_put_str(out, "</g>\n<g id=\"axis-bottom\">\n");
	axis(&p, step, bottom, 0, 0, 0);
	bst_put_str(out, "</g>\n");

	/* Milestones: a dashed line each, its label in its lane. */
	bst_put_str(out, "<g id=\"milestones\">\n");
	for (i = 0; i < boot->nms; i++) {
		const struct bst_milestone *m = &boot->ms[i];
		double x = px(&p, m->t_ns);
		char d[32];

		fmt_dur(d, sizeof(d), m->t_ns);
		bst_put_fmt(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"3,3\"><title>",
			x, top, x, bottom, MILESTONE_COLOUR);
		xml(out, m->name);
		bst_put_fmt(out, " at %s</title></line>\n", d);
		if (lane_of[i] < 0)
			continue;
		{
			size_t len = strlen(m->name) > LABEL_CHARS ? LABEL_CHARS : strlen(m->name);
			int left = x + len * CHAR_W + 10 > W_TOTAL - 4;

			bst_put_fmt(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#222\"%s><title>",
				left ? x - 3 : x + 3, top + 6 + lane_of[i] * LANE + 10,
				left ? " text-anchor=\"end\"" : "");
			xml(out, m->name);
			bst_put_fmt(out, " at %s</title>", d);
			xml_cut(out, m->name, LABEL_CHARS);
			bst_put_str(out, "</text>\n");
		}
	}
	bst_put_str(out, "</g>\n");

	/* The rows, group by group; a group's "more" row last. */
	y = rows_top;
	for (i = 0; i <= lay.nrows; i++) {
		const struct row *r = i < lay.nrows ? &lay.rows[i] : NULL;

		if (last_group >= 0 && (!r || r->group != last_group) &&
		    lay.more[last_group]) {
			/* Everything the group did not show, summed on one row. */
			size_t n = 0, j, k;

			for (j = 0; j < lay.nrows; j++)
				if (lay.rows[j].group == last_group && !lay.rows[j].keep)
					for (k = lay.rows[j].from; k < lay.rows[j].to; k++)
						its[n++] = &lay.items[k];
			qsort(its, n, sizeof(*its), by_start_only);
			bst_put_fmt(out, "<text class=\"row\" x=\"14\" y=\"%.1f\" font-style=\"italic\">%zu more %s</text>\n",
				y + 12, lay.more[last_group], g_more[last_group]);
			if (last_group != G_NET)
				row_stats(out, lay.more_spans[last_group],
					  lay.more_running[last_group],
					  lay.more_busy[last_group], y);
			draw_items(&p, its, n, y);
			y += ROW;
		}
		if (!r)
			break;
		if (r->group != last_group) {
			y += GROUP_GAP;
			bst_put_fmt(out, "<text x=\"6\" y=\"%.1f\" font-weight=\"bold\" font-size=\"12\" fill=\"%s\">%s</text>\n"
				"<line x1=\"6\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
				y - 6, k_colour[g_kind[r->group]],
				g_name[r->group], y - 1, X_PLOT + W_PLOT, y - 1);
			last_group = r->group;
		}
		if (!r->keep)
			continue;
		if (i % 2)
			bst_put_fmt(out, "<rect x=\"6\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>\n",
				y, X_PLOT + W_PLOT - 6, ROW);
		row_label(out, r, y);
		{
			size_t n = 0, k;

			for (k = r->from; k < r->to; k++)
				its[n++] = &lay.items[k];
			draw_items(&p, its, n, y);
		}
		y += ROW;
	}

	if (listed) {
		size_t col = 0, shown = 0;
		double ly = bottom + 28 + 16;

		bst_put_fmt(out, "<text x=\"14\" y=\"%.1f\" font-weight=\"bold\">Milestones with no room above (%zu):</text>\n",
			ly, listed);
		ly += 14;
		for (i = 0; i < boot->nms && shown < MAX_LISTED; i++) {
			char d[32];

			if (lane_of[i] >= 0)
				continue;
			fmt_dur(d, sizeof(d), boot->ms[i].t_ns);
			bst_put_fmt(out, "<text x=\"%zu\" y=\"%.1f\">%s ", 14 + col * 395, ly, d);
			xml_cut(out, boot->ms[i].name, LABEL_CHARS);
			bst_put_str(out, "</text>\n");
			shown++;
			if (++col == 4) {
				col = 0;
				ly += 14;
			}
		}
		if (listed > shown)
			bst_put_fmt(out, "<text x=\"14\" y=\"%.1f\">... and %zu more: bootstamps show lists every milestone</text>\n",
				ly + (col ? 14 : 0), listed - shown);
	}
	bst_put_str(out, "</svg>\n");
	bst_writer_flush(out);
out:
	free(out);
	free(lane_of);
	free(its);
	free(lay.items);
	free(lay.rows);
}
