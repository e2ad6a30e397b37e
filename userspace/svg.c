// SPDX-License-Identifier: GPL-2.0
/*
 * An SVG timeline of one boot: one row per span, grouped (phases, driver
 * probes, module loads, disks, network, userspace) with a colour each, a
 * time axis in ms, and milestones as vertical lines. Every label sits on
 * its own row or in its own lane, so labels never overlap.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#define W_LABEL 330	/* the row labels' column */
#define W_PLOT 900
#define ROW 16
#define LANE 14		/* one lane of milestone labels */
#define LANES 9
#define CHAR_W 6.2	/* average glyph width at 11px, for lane packing */

struct row {
	int group;
	char label[160];	/* owned: rows are sorted, so no pointers */
	uint64_t start_ns, dur_ns;
	int instant;
	const char *tip;
};

enum { G_PHASE, G_PROBE, G_MODULE, G_DISK, G_NET, G_USER, G_N };

static const char *const g_name[G_N] = {
	"phases", "driver probes", "module loads", "disks", "network", "userspace",
};
static const char *const g_colour[G_N] = {
	"#7f7f7f", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e",
};

/* Text for an SVG text node or attribute. */
static void xml(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static double nice_step(double span_ms)
{
	double raw = span_ms / 10, mag = pow(10, floor(log10(raw > 0 ? raw : 1)));

	if (raw / mag < 2)
		return 2 * mag;
	if (raw / mag < 5)
		return 5 * mag;
	return 10 * mag;
}

static int by_group_then_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return 0;
}

void bst_plot(FILE *out, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot)
{
	static const int kind_group[BST_SPAN_KINDS] = {
		[BST_SPAN_PROBE] = G_PROBE, [BST_SPAN_MODULE] = G_MODULE,
		[BST_SPAN_DISK] = G_DISK, [BST_SPAN_PROCESS] = G_USER,
	};
	struct row *rows = calloc(model->nspans + cap->nev + BST_PHASES + 1,
				  sizeof(*rows));
	double lane_end[LANES];
	uint64_t end = boot->end_ns;
	size_t n = 0, i;
	double step, scale, top, y, height;
	int last_group = -1;

	if (!rows)
		return;
	for (i = 0; i < cap->nev; i++)
		if (cap->ev[i].t_ns > end)
			end = cap->ev[i].t_ns;
	if (!end)
		end = 1;

	for (i = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known)
			continue;
		rows[n] = (struct row){ .group = G_PHASE,
					.start_ns = ph->start_ns,
					.dur_ns = ph->end_ns - ph->start_ns };
		snprintf(rows[n].label, sizeof(rows[n].label), "%s", ph->name);
		n++;
	}
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = sp->end ? sp->end : sp->start;
		const char *drv = bst_event_get(ev, "driver");
		struct row *r = &rows[n++];

		r->group = kind_group[sp->kind];
		snprintf(r->label, sizeof(r->label), "%s%s%s%s", ev->subject,
			 drv && *drv ? " (" : "", drv && *drv ? drv : "",
			 drv && *drv ? ")" : "");
		if (sp->end) {
			r->start_ns = sp->end->t_ns - sp->dur_ns;
			r->dur_ns = sp->dur_ns;
		} else {
			/* Still running when captured: draw it to the end. */
			r->start_ns = sp->start->t_ns;
			r->dur_ns = end - sp->start->t_ns;
			r->tip = "still running when captured";
		}
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		struct row *r;
		int64_t dur = 0;

		if (strcmp(ev->type, "disk.first_io") && strncmp(ev->type, "net.", 4))
			continue;
		r = &rows[n++];
		snprintf(r->label, sizeof(r->label), "%s %s", ev->type, ev->subject);
		r->start_ns = ev->t_ns;
		if (!strcmp(ev->type, "disk.first_io")) {
			r->group = G_DISK;
			bst_event_get_i64(ev, "dur_ns", &dur);
			r->dur_ns = dur > 0 ? (uint64_t)dur : 0;
		} else {
			r->group = G_NET;
			r->instant = 1;
		}
	}
	qsort(rows, n, sizeof(*rows), by_group_then_time);

	scale = W_PLOT / ((double)end / 1e6);
	step = nice_step((double)end / 1e6);
	top = 40 + LANES * LANE;
	height = top + 30;
	for (i = 0; i < n; i++)
		height += ROW + (i == 0 || rows[i].group != rows[i - 1].group ? 22 : 0);

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
		W_LABEL + W_PLOT + 40, height, W_LABEL + W_PLOT + 40, height);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Boot of ", out);
	xml(out, bst_header_get(cap, "kernel"));
	fprintf(out, ": %.1f ms, %zu events</text>\n", (double)end / 1e6, cap->nev);

	/* Time axis and grid. */
	for (double t = 0; t <= (double)end / 1e6 + 1e-9; t += step) {
		double x = W_LABEL + t * scale;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e0e0e0\"/>\n"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#555\">%g ms</text>\n",
			x, top - 4, x, height - 20, x, height - 6, t);
	}

	/* Milestones: a line each; labels packed into lanes, never overlapping. */
	for (i = 0; i < LANES; i++)
		lane_end[i] = -1e9;
	for (i = 0; i < boot->nms; i++) {
		const struct bst_milestone *m = &boot->ms[i];
		double x = W_LABEL + (double)m->t_ns / 1e6 * scale;
		size_t len = strlen(m->name) > 40 ? 40 : strlen(m->name);
		double w = len * CHAR_W + 8;
		/* Near the right edge a label reads leftwards from its line. */
		int left = x + w > W_LABEL + W_PLOT + 40;
		double from = left ? x - w : x;
		int lane;

		for (lane = 0; lane < LANES && lane_end[lane] > from; lane++)
			;
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#444\" stroke-dasharray=\"3,3\"><title>",
			x, top - 4, x, height - 20);
		xml(out, m->name);
		fputs("</title></line>\n", out);
		if (lane == LANES)
			continue;	/* no room: the line keeps its tooltip */
		lane_end[lane] = from + w;
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" fill=\"#222\"%s>",
			left ? x - 2 : x + 2, 40 + lane * LANE + 10,
			left ? " text-anchor=\"end\"" : "");
		/* Cut long marker texts; the line's tooltip has them whole. */
		if (len < strlen(m->name)) {
			char cut[48];

			snprintf(cut, sizeof(cut), "%.37s...", m->name);
			xml(out, cut);
		} else {
			xml(out, m->name);
		}
		fputs("</text>\n", out);
	}

	y = top;
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		double x = W_LABEL + (double)r->start_ns / 1e6 * scale;
		double w = (double)r->dur_ns / 1e6 * scale;
		char d[32];

		if (r->group != last_group) {
			y += 22;
			fprintf(out, "<text x=\"10\" y=\"%.0f\" font-weight=\"bold\" fill=\"%s\">%s</text>\n",
				y - 6, g_colour[r->group], g_name[r->group]);
			last_group = r->group;
		}
		/* Long labels are cut to the column; the tooltip has them whole. */
		fprintf(out, "<text x=\"20\" y=\"%.0f\">", y + 11);
		snprintf(d, sizeof(d), "%.28s%s", r->label,
			 strlen(r->label) > 50 ? "..." : "");
		xml(out, strlen(r->label) > 50 ? d : r->label);
		fputs("</text>\n", out);
		if (r->instant) {
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.0f\" r=\"4\" fill=\"%s\"><title>",
				x, y + 7, g_colour[r->group]);
		} else {
			fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s><title>",
				x, y + 2, w < 1 ? 1 : w, ROW - 4, g_colour[r->group],
				r->tip ? " fill-opacity=\"0.4\"" : "");
		}
		xml(out, r->label);
		bst_format_ms(d, sizeof(d), r->start_ns);
		fprintf(out, " at %s ms", d);
		if (!r->instant) {
			bst_format_ms(d, sizeof(d), r->dur_ns);
			fprintf(out, ", %s ms", d);
		}
		if (r->tip) {
			fputs(", ", out);
			xml(out, r->tip);
		}
		fprintf(out, "</title></%s>\n", r->instant ? "circle" : "rect");
		if (!r->instant) {
			double tx = x + (w < 1 ? 1 : w) + 4;
			/* Near the right edge, the duration goes left of the bar. */
			int left = tx + 80 > W_LABEL + W_PLOT + 40;

			bst_format_ms(d, sizeof(d), r->dur_ns);
			fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" fill=\"#333\"%s>%s ms</text>\n",
				left ? x - 4 : tx, y + 11,
				left ? " text-anchor=\"end\"" : "", d);
		}
		y += ROW;
	}
	fputs("</svg>\n", out);
	free(rows);
}
