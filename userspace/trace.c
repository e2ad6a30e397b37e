// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome Trace Event JSON, which the Perfetto UI and chrome://tracing
 * open. Each group (phases, driver probes, module loads, disks, network,
 * userspace) is a process; within it, spans sit on named tracks (threads)
 * on which they nest, as Perfetto needs: a slice that overlaps another on
 * its track without nesting is dropped. Live probes and the steps inside
 * them (fn.*) are on the track of the kernel thread that ran them, so
 * they nest as they did in the kernel (virtio_blk's probe inside
 * virtio_pci's, ena_com_dev_reset inside ENA's probe); spans that overlap
 * otherwise (kernel-log probes, module loads, concurrent processes) get
 * a track of their own (tracks.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "json.h"
#include "tracks.h"

enum { TR_PHASES = 1, TR_PROBES, TR_MODULES, TR_DISKS, TR_NETWORK,
       TR_USERSPACE, TR_N };

static const char *const tr_names[TR_N] = {
	[0] = "other", [TR_PHASES] = "phases", [TR_PROBES] = "driver probes",
	[TR_MODULES] = "module loads", [TR_DISKS] = "disks",
	[TR_NETWORK] = "network", [TR_USERSPACE] = "userspace",
};

/* What each item stands for; its category in the trace. */
enum { IT_PHASE, IT_SPAN, IT_FIRST_IO };

struct trace_ctx {
	FILE *out;
	int first;
	const struct bst_capture *cap;
	const struct bst_model *model;
	const struct bst_boot *boot;
	uint64_t last_ns;	/* where spans still running are drawn to */
};

/* What an item stands for, packed into its src: kind in the low bits. */
#define SRC(kind, index) (((size_t)(index) << 2) | (size_t)(kind))
#define SRC_KIND(src) ((int)((src) & 3))
#define SRC_INDEX(src) ((src) >> 2)

static void sep(struct trace_ctx *c)
{
	if (!c->first)
		fputc(',', c->out);
	c->first = 0;
}

/* The pid= of an event, or 0 (the kernel log's events have 0). */
static uint64_t thread_of(const struct bst_event *ev)
{
	int64_t pid = 0;

	if (!ev || bst_event_get_i64(ev, "pid", &pid) <= 0 || pid < 0)
		return 0;
	return (uint64_t)pid;
}

static int from_kmsg(const struct bst_event *ev)
{
	const char *src = bst_event_get(ev, "src");

	return src && !strcmp(src, "kmsg");
}

static void args_of(FILE *out, const struct bst_event *ev, int *any)
{
	size_t i;

	for (i = 0; ev && i < ev->nkv; i++) {
		fputs(*any ? "," : "", out);
		*any = 1;
		bst_json_str(out, ev->kv[i].key);
		fputc(':', out);
		bst_json_str(out, ev->kv[i].val);
	}
}

/* ts and dur in microseconds, exactly: the ns as a decimal fraction. */
static void us(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000,
		(unsigned)(ns % 1000));
}

static void complete(struct trace_ctx *c, const struct bst_track_item *it,
		     const char *name, const char *cat,
		     const struct bst_event *args, const char *note)
{
	int any = 0;

	sep(c);
	fputs("{\"name\":", c->out);
	bst_json_str(c->out, name);
	fputs(",\"cat\":", c->out);
	bst_json_str(c->out, cat);
	fputs(",\"ph\":\"X\"", c->out);
	us(c->out, "ts", it->start_ns);
	us(c->out, "dur", it->end_ns - it->start_ns);
	fprintf(c->out, ",\"pid\":%d,\"tid\":%zu,\"args\":{", it->group,
		it->track);
	args_of(c->out, args, &any);
	if (note) {
		fputs(any ? "," : "", c->out);
		fputs("\"bootstamps\":", c->out);
		bst_json_str(c->out, note);
	}
	fputs("}}", c->out);
}

static void instant(struct trace_ctx *c, int pid, const char *name,
		    uint64_t t_ns, int global)
{
	sep(c);
	fputs("{\"name\":", c->out);
	bst_json_str(c->out, name);
	fputs(",\"cat\":", c->out);
	bst_json_str(c->out, tr_names[pid]);
	fprintf(c->out, ",\"ph\":\"i\",\"s\":\"%s\"", global ? "g" : "p");
	us(c->out, "ts", t_ns);
	fprintf(c->out, ",\"pid\":%d,\"tid\":0}", pid);
}

static void meta(struct trace_ctx *c, const char *what, int pid, size_t tid,
		 const char *key, const char *sval, size_t ival)
{
	sep(c);
	fprintf(c->out, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,\"tid\":%zu,\"args\":{\"%s\":",
		what, pid, tid, key);
	if (sval)
		bst_json_str(c->out, sval);
	else
		fprintf(c->out, "%zu", ival);
	fputs("}}", c->out);
}

static const struct bst_event *span_event(const struct bst_span *sp)
{
	return sp->end ? sp->end : sp->start;
}

/*
 * A span's key: live probes and steps by their thread, kernel-log probes
 * together, disks by name, processes by program, module loads together.
 */
static void span_key(const struct bst_span *sp, struct bst_track_item *it)
{
	const struct bst_event *ev = span_event(sp);

	switch (sp->kind) {
	case BST_SPAN_PROBE:
	case BST_SPAN_FN:
		it->group = TR_PROBES;
		it->num = from_kmsg(ev) ? 0 : thread_of(ev);
		break;
	case BST_SPAN_MODULE:
		it->group = TR_MODULES;
		break;
	case BST_SPAN_DISK:
		it->group = TR_DISKS;
		it->name = ev->subject;
		break;
	case BST_SPAN_PROCESS:
	default:
		it->group = TR_USERSPACE;
		it->name = ev->subject;
		break;
	}
}

/*
 * Where a finished span ran: it ended at its closing event and lasted
 * dur_ns. A dur_ns longer than the time since boot (a corrupt capture)
 * would start before the boot: it starts at 0, with a note.
 */
static const char *span_times(const struct trace_ctx *c,
			      const struct bst_span *sp,
			      uint64_t *start, uint64_t *end)
{
	if (!sp->end) {
		*start = sp->start->t_ns;
		*end = c->last_ns > *start ? c->last_ns : *start;
		return "still running when captured";
	}
	*end = sp->end->t_ns;
	if (sp->dur_ns > *end) {
		*start = 0;
		return "dur_ns is longer than the time since boot: drawn from 0";
	}
	*start = *end - sp->dur_ns;
	return NULL;
}

/* A track's name, from its first item (the earliest). */
static void track_name(const struct trace_ctx *c,
		       const struct bst_track_item *it, char *buf, size_t size)
{
	const struct bst_span *sp = NULL;
	const struct bst_event *ev = NULL;
	const char *comm;
	char lane[24] = "";

	if (SRC_KIND(it->src) == IT_SPAN) {
		sp = &c->model->spans[SRC_INDEX(it->src)];
		ev = span_event(sp);
	} else if (SRC_KIND(it->src) == IT_FIRST_IO) {
		ev = &c->cap->ev[SRC_INDEX(it->src)];
	}
	if (it->lane)
		snprintf(lane, sizeof(lane), " (%u)", it->lane + 1);
	switch (it->group) {
	case TR_PHASES:
		snprintf(buf, size, "boot phases%s", lane);
		break;
	case TR_PROBES:
		comm = bst_event_get(ev, "comm");
		if (!it->num)
			snprintf(buf, size, "probes from the kernel log%s", lane);
		else
			snprintf(buf, size, "%s (pid %" PRIu64 ")%s",
				 comm && *comm ? comm : "thread", it->num, lane);
		break;
	case TR_MODULES:
		snprintf(buf, size, "module loads%s", lane);
		break;
	case TR_DISKS:
		snprintf(buf, size, "disk %s%s", it->name ? it->name : "", lane);
		break;
	default:
		snprintf(buf, size, "%s%s", it->name ? it->name : "process",
			 lane);
		break;
	}
}

static void emit_item(struct trace_ctx *c, const struct bst_track_item *it,
		      const char *note)
{
	char name[192];
	size_t idx = SRC_INDEX(it->src);

	if (SRC_KIND(it->src) == IT_PHASE) {
		complete(c, it, c->boot->phases[idx].name, "phase", NULL, NULL);
	} else if (SRC_KIND(it->src) == IT_FIRST_IO) {
		const struct bst_event *ev = &c->cap->ev[idx];

		snprintf(name, sizeof(name), "first I/O %s", ev->subject);
		complete(c, it, name, "first I/O", ev, NULL);
	} else {
		const struct bst_span *sp = &c->model->spans[idx];
		const struct bst_event *ev = span_event(sp);
		const char *drv = bst_event_get(ev, "driver");
		uint64_t s, e;

		if (!note)
			note = span_times(c, sp, &s, &e);
		snprintf(name, sizeof(name), "%s%s%s", drv && *drv ? drv : "",
			 drv && *drv ? " " : "", ev->subject);
		complete(c, it, name, bst_span_kind_names[sp->kind], ev, note);
	}
}

void bst_trace(FILE *out, const struct bst_capture *cap,
	       const struct bst_model *model, const struct bst_boot *boot)
{
	struct trace_ctx c = { .out = out, .first = 1, .cap = cap,
			       .model = model, .boot = boot };
	struct bst_track_item *items;
	size_t n = 0, i;
	int pid;

	for (i = 0; i < cap->nev; i++)
		if (cap->ev[i].t_ns > c.last_ns)
			c.last_ns = cap->ev[i].t_ns;
	if (boot->end_ns > c.last_ns)
		c.last_ns = boot->end_ns;

	items = calloc(model->nspans + cap->nev + BST_PHASES + 1, sizeof(*items));
	if (!items) {
		fputs("bootstamps: trace: out of memory\n", stderr);
		return;
	}
	for (i = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known || ph->end_ns < ph->start_ns)
			continue;
		items[n++] = (struct bst_track_item){ .group = TR_PHASES,
			.start_ns = ph->start_ns, .end_ns = ph->end_ns,
			.src = SRC(IT_PHASE, i) };
	}
	for (i = 0; i < model->nspans; i++) {
		struct bst_track_item *it = &items[n++];

		*it = (struct bst_track_item){ .src = SRC(IT_SPAN, i) };
		span_key(&model->spans[i], it);
		span_times(&c, &model->spans[i], &it->start_ns, &it->end_ns);
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		int64_t dur = 0;

		if (strcmp(ev->type, "disk.first_io"))
			continue;
		bst_event_get_i64(ev, "dur_ns", &dur);
		/* The first I/O's time is its issue; dur_ns runs from there. */
		items[n++] = (struct bst_track_item){ .group = TR_DISKS,
			.name = ev->subject, .start_ns = ev->t_ns,
			.end_ns = dur > 0 && (uint64_t)dur <= UINT64_MAX - ev->t_ns ?
				  ev->t_ns + (uint64_t)dur : ev->t_ns,
			.src = SRC(IT_FIRST_IO, i) };
	}
	if (n && !bst_tracks_assign(items, n)) {
		free(items);
		fputs("bootstamps: trace: out of memory\n", stderr);
		return;
	}

	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"kernel\":", out);
	bst_json_str(out, bst_header_get(cap, "kernel"));
	fputs(",\"source\":", out);
	bst_json_str(out, cap->name);
	fputs("},\"traceEvents\":[", out);
	for (pid = TR_PHASES; pid < TR_N; pid++) {
		meta(&c, "process_name", pid, 0, "name", tr_names[pid], 0);
		meta(&c, "process_sort_index", pid, 0, "sort_index", NULL,
		     (size_t)pid);
	}
	/* Items come sorted by track: name each track at its first item. */
	for (i = 0; i < n; i++) {
		if (!i || items[i].track != items[i - 1].track) {
			char name[160];

			track_name(&c, &items[i], name, sizeof(name));
			meta(&c, "thread_name", items[i].group, items[i].track,
			     "name", name, 0);
			meta(&c, "thread_sort_index", items[i].group,
			     items[i].track, "sort_index", NULL, items[i].track);
		}
	}
	/* Within a track, a span comes before the spans inside it. */
	for (i = 0; i < n; i++)
		emit_item(&c, &items[i], NULL);
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		char name[160];

		if (!strncmp(ev->type, "net.", 4)) {
			snprintf(name, sizeof(name), "%s %s", ev->type, ev->subject);
			instant(&c, TR_NETWORK, name, ev->t_ns, 0);
		}
	}
	for (i = 0; i < boot->nms; i++)
		instant(&c, TR_USERSPACE, boot->ms[i].name, boot->ms[i].t_ns,
			!strncmp(boot->ms[i].name, "mark ", 5) ||
			!strncmp(boot->ms[i].name, "init.exec", 9));
	fputs("]}\n", out);
	free(items);
}
