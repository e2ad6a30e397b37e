// SPDX-License-Identifier: GPL-2.0
/* Human-readable outputs: the event table and the slowest probes. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "json.h"

/* Milliseconds with three decimals (microsecond resolution). */
void bst_format_ms(char *buf, size_t size, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000;

	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/*
 * In time order: events backfilled from the kernel log, or known only
 * later (root.mount), are recorded after events that happened later.
 */
void bst_print_table(FILE *out, const struct bst_capture *cap,
		     const struct bst_model *model)
{
	const struct bst_event **order = bst_time_order(cap);
	/* The span each event closes, by event index: one pass, not n^2. */
	const struct bst_span **closes = calloc(cap->nev + 1, sizeof(*closes));
	size_t i;

	if (!order || !closes) {
		fprintf(stderr, "bootstamps: out of memory\n");
		free(order);
		free(closes);
		return;
	}
	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].end)
			closes[model->spans[i].end - cap->ev] = &model->spans[i];
	fprintf(out, "%12s  %-17s %-24s %-16s %12s %6s\n", "TIME(ms)", "EVENT",
		"SUBJECT", "DRIVER", "DUR(ms)", "RC");
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = order[i];
		const struct bst_span *sp = closes[ev - cap->ev];
		char t[32], d[32] = "-", rc[24] = "-";

		int64_t v;

		bst_format_ms(t, sizeof(t), ev->t_ns);
		/* A span's duration, else the event's own (disk.first_io). */
		if (sp)
			bst_format_ms(d, sizeof(d), sp->dur_ns);
		else if (bst_event_get_i64(ev, "dur_ns", &v) == 1 && v > 0)
			bst_format_ms(d, sizeof(d), (uint64_t)v);
		if (bst_event_get_i64(ev, "rc", &v) == 1)
			snprintf(rc, sizeof(rc), "%" PRId64, v);
		fprintf(out, "%12s  %-17s %-24s %-16s %12s %6s\n", t, ev->type,
			ev->subject, or_dash(bst_event_get(ev, "driver")), d,
			rc);
	}
	free(order);
	free(closes);
}

void bst_print_slowest(FILE *out, const struct bst_capture *cap,
		       const struct bst_model *model, size_t n)
{
	const struct bst_span **top = calloc(n + 1, sizeof(*top));
	size_t i, m;

	if (!top)
		return;
	m = bst_model_slowest(model, BST_SPAN_PROBE, top, n);
	fprintf(out, "%4s %12s  %-24s %-16s %-24s %6s\n", "#", "DUR(ms)",
		"DEVICE", "DRIVER", "VERSION", "RC");
	for (i = 0; i < m; i++) {
		const struct bst_event *ev = top[i]->end;
		char d[32], rc[24] = "-";

		bst_format_ms(d, sizeof(d), top[i]->dur_ns);
		if (top[i]->has_rc)
			snprintf(rc, sizeof(rc), "%" PRId64, top[i]->rc);
		fprintf(out, "%4zu %12s  %-24s %-16s %-24s %6s\n", i + 1, d,
			ev->subject, or_dash(bst_event_get(ev, "driver")),
			bst_driver_identity(cap, ev), rc);
	}
	free(top);
}

static void print_warnings(FILE *out, const struct bst_capture *cap)
{
	const char *hooks[] = { "probe", "module", "mark", "block", "net",
				"exec", "kmsg" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		v = bst_header_get(cap, hooks[i]);
		if (v && !strncmp(v, "off", 3))
			fprintf(out, "note: the %s hook was %s: its events are missing\n",
				hooks[i], v);
	}
	v = bst_header_get(cap, "dropped");
	if (v && strcmp(v, "0"))
		fprintf(out, "note: %s events were dropped (the store was full; raise capacity=)\n",
			v);
	v = bst_header_get(cap, "missed");
	if (v && strcmp(v, "0"))
		fprintf(out, "note: %s probes were not timed (missed by the kretprobe)\n",
			v);
	v = bst_header_get(cap, "backfill_complete");
	if (v && !strcmp(v, "0"))
		fprintf(out, "note: the kernel log had wrapped or was cleared: early events may be missing (boot with log_buf_len=1M)\n");
}

/* The whole explanation of one boot, for a person. */
void bst_show_text(FILE *out, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest)
{
	const char *v;
	size_t i;

	fprintf(out, "Boot of %s", (v = bst_header_get(cap, "kernel")) ? v : "?");
	if ((v = bst_header_get(cap, "boot_id")))
		fprintf(out, " (boot %s)", v);
	fprintf(out, ": %zu events\n", cap->nev);
	print_warnings(out, cap);

	fputs("\nPhases\n", out);
	for (i = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];
		char a[32], b[32], d[32];

		if (!ph->known) {
			fprintf(out, "  %-10s %s\n", ph->name,
				i == 1 ? "- (no initramfs, or no switch to a real root seen)" :
					 "- (not seen)");
			continue;
		}
		bst_format_ms(a, sizeof(a), ph->start_ns);
		bst_format_ms(b, sizeof(b), ph->end_ns);
		bst_format_ms(d, sizeof(d), ph->end_ns - ph->start_ns);
		fprintf(out, "  %-10s %12s ms  (%s -> %s)\n", ph->name, d, a, b);
	}

	fputs("\nMilestones\n", out);
	for (i = 0; i < boot->nms; i++) {
		char t[32];

		bst_format_ms(t, sizeof(t), boot->ms[i].t_ns);
		fprintf(out, "  %12s ms  %s\n", t, boot->ms[i].name);
	}
	if (!boot->nms)
		fputs("  (none)\n", out);

	bst_print_inside_probes(out, model);
	fprintf(out, "\nSlowest driver probes\n");
	bst_print_slowest(out, cap, model, slowest);
	fputs("\nEvents\n", out);
	bst_print_table(out, cap, model);
}

static void json_kv_ms(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, "\"%s\":%.6f", key, (double)ns / 1e6);
}

/* One JSON object: header, phases, milestones, slowest probes, spans, events. */
void bst_show_json(FILE *out, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest)
{
	const struct bst_span **top = calloc(slowest + 1, sizeof(*top));
	size_t i, j, m = top ? bst_model_slowest(model, BST_SPAN_PROBE, top, slowest) : 0;

	fprintf(out, "{\"format_version\":%d,\"source\":", cap->format_version);
	bst_json_str(out, cap->name);
	fputs(",\"header\":{", out);
	for (i = 0; i < cap->nheader; i++) {
		/* Keys are unique by the format; keep the first if not. */
		for (j = 0; j < i && strcmp(cap->header[j].key, cap->header[i].key); j++)
			;
		if (j < i)
			continue;
		fputs(i ? "," : "", out);
		bst_json_str(out, cap->header[i].key);
		fputc(':', out);
		bst_json_str(out, cap->header[i].val);
	}
	fputs("},\"phases\":[", out);
	for (i = 0, j = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known)
			continue;
		fprintf(out, "%s{\"name\":\"%s\",", j++ ? "," : "", ph->name);
		json_kv_ms(out, "start_ms", ph->start_ns);
		fputc(',', out);
		json_kv_ms(out, "end_ms", ph->end_ns);
		fputc(',', out);
		json_kv_ms(out, "duration_ms", ph->end_ns - ph->start_ns);
		fputc('}', out);
	}
	fputs("],\"milestones\":[", out);
	for (i = 0; i < boot->nms; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		bst_json_str(out, boot->ms[i].name);
		fputc(',', out);
		json_kv_ms(out, "time_ms", boot->ms[i].t_ns);
		fprintf(out, ",\"seq\":%lu}", boot->ms[i].ev->seq);
	}
	fputs("],\"slowest_probes\":[", out);
	for (i = 0; i < m; i++) {
		fputs(i ? ",{\"device\":" : "{\"device\":", out);
		bst_json_str(out, top[i]->end->subject);
		fputs(",\"driver\":", out);
		bst_json_str(out, bst_event_get(top[i]->end, "driver"));
		fputs(",\"identity\":", out);
		bst_json_str(out, bst_driver_identity(cap, top[i]->end));
		fputc(',', out);
		json_kv_ms(out, "duration_ms", top[i]->dur_ns);
		if (top[i]->has_rc)
			fprintf(out, ",\"rc\":%" PRId64, top[i]->rc);
		fputc('}', out);
	}
	free(top);
	fputs("],\"spans\":[", out);
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *any = sp->end ? sp->end : sp->start;

		fprintf(out, "%s{\"kind\":\"%s\",\"subject\":", i ? "," : "",
			bst_span_kind_names[sp->kind]);
		bst_json_str(out, any->subject);
		fputs(",\"driver\":", out);
		bst_json_str(out, bst_event_get(any, "driver"));
		fprintf(out, ",\"start_seq\":%lu,\"end_seq\":%lu,",
			sp->start ? sp->start->seq : 0, sp->end ? sp->end->seq : 0);
		if (sp->end) {
			json_kv_ms(out, "end_ms", sp->end->t_ns);
			fputc(',', out);
			json_kv_ms(out, "duration_ms", sp->dur_ns);
		} else {
			fputs("\"running\":true", out);
		}
		if (sp->has_rc)
			fprintf(out, ",\"rc\":%" PRId64, sp->rc);
		fputc('}', out);
	}
	fputs("],\"events\":[", out);
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		fprintf(out, "%s{\"seq\":%lu,\"time_ns\":%" PRIu64 ",\"event\":",
			i ? "," : "", ev->seq, ev->t_ns);
		bst_json_str(out, ev->type);
		fputs(",\"subject\":", out);
		bst_json_str(out, ev->subject);
		fputs(",\"fields\":{", out);
		for (j = 0; j < ev->nkv; j++) {
			size_t k;

			for (k = 0; k < j && strcmp(bst_event_kv(ev, k).key,
						    bst_event_kv(ev, j).key); k++)
				;
			if (k < j)
				continue;
			fputs(j ? "," : "", out);
			bst_json_str(out, bst_event_kv(ev, j).key);
			fputc(':', out);
			bst_json_str(out, bst_event_kv(ev, j).val);
		}
		fputs("}}", out);
	}
	fputs("]}\n", out);
}

/* RFC 4180: quote a field that holds a comma or a quote. */
static void csv_field(FILE *out, const char *s, int last)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
	fputc(last ? '\n' : ',', out);
}

/* The events, one row each, in the file's order, for spreadsheets. */
void bst_show_csv(FILE *out, const struct bst_capture *cap)
{
	static const char *const keys[] = { "driver", "bus", "dur_ns", "rc",
					    "start", "module", "version",
					    "srcversion", "src" };
	const size_t nk = sizeof(keys) / sizeof(keys[0]);
	size_t i, k;

	fputs("seq,time_ns,event,subject", out);
	for (k = 0; k < nk; k++)
		fprintf(out, ",%s", keys[k]);
	fputc('\n', out);
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		fprintf(out, "%lu,%" PRIu64 ",", ev->seq, ev->t_ns);
		csv_field(out, ev->type, 0);
		csv_field(out, ev->subject, 0);
		for (k = 0; k < nk; k++)
			csv_field(out, bst_event_get(ev, keys[k]), k + 1 == nk);
	}
}

static uint64_t span_start(const struct bst_span *sp)
{
	return sp->end->t_ns - sp->dur_ns;
}

/* Does span b run inside span a, on the same thread? */
static int inside(const struct bst_span *a, const struct bst_span *b)
{
	const char *pa = bst_event_get(a->end, "pid");
	const char *pb = bst_event_get(b->end, "pid");

	return pa && pb && !strcmp(pa, pb) && span_start(b) >= span_start(a) &&
	       b->end->t_ns <= a->end->t_ns;
}

/*
 * Steps timed inside drivers (the `spans` parameter), under the probe that
 * ran them and under each other, by thread and time.
 */
void bst_print_inside_probes(FILE *out, const struct bst_model *model)
{
	const struct bst_span **fn = calloc(model->nspans + 1, sizeof(*fn));
	size_t i, j, k, nfn = 0, shown = 0;

	if (!fn)
		return;
	/* The steps first: usually none or a few, so this stays linear. */
	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].kind == BST_SPAN_FN && model->spans[i].end)
			fn[nfn++] = &model->spans[i];
	for (i = 0; nfn && i < model->nspans; i++) {
		const struct bst_span *p = &model->spans[i];
		char d[32];

		if (p->kind != BST_SPAN_PROBE || !p->end)
			continue;
		for (j = 0; j < nfn && !inside(p, fn[j]); j++)
			;
		if (j == nfn)
			continue;
		if (!shown++)
			fputs("\nInside driver probes\n", out);
		bst_format_ms(d, sizeof(d), p->dur_ns);
		fprintf(out, "  %s %s %12s ms\n", p->end->subject,
			or_dash(bst_event_get(p->end, "driver")), d);
		for (j = 0; j < nfn; j++) {
			const struct bst_span *f = fn[j];
			int depth = 2;

			if (!inside(p, f))
				continue;
			/* One more level for every timed step it runs inside. */
			for (k = 0; k < nfn; k++)
				if (k != j && inside(p, fn[k]) && inside(fn[k], f))
					depth++;
			bst_format_ms(d, sizeof(d), f->dur_ns);
			fprintf(out, "%*s%-*s %12s ms  ret %s\n", depth * 2, "",
				40 - depth * 2, f->end->subject, d,
				or_dash(bst_event_get(f->end, "ret")));
		}
	}
	free(fn);
}
