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
       TR_USERSPACE, TR_UNITS, TR_N };

static const char *const tr_names[TR_N] = {
	[0] = "other", [TR_PHASES] = "phases", [TR_PROBES] = "driver probes",
	[TR_MODULES] = "module loads", [TR_DISKS] = "disks",
	[TR_NETWORK] = "network", [TR_USERSPACE] = "userspace",
	[TR_UNITS] = "systemd units",
};

/* What each item stands for; its category in the trace. */
enum { IT_PHASE, IT_SPAN, IT_FIRST_IO };

struct trace_ctx {
	struct bst_writer *w;
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
		bst_put_char(c->w, ',');
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

static void args_of(struct bst_writer *w, const struct bst_event *ev,
		    int *any)
{
	size_t i;

	for (i = 0; ev && i < ev->nkv; i++) {
		struct bst_kv kv = bst_event_kv(ev, i);

		if (*any)
			bst_put_char(w, ',');
		*any = 1;
		bst_put_json_str(w, kv.key);
		bst_put_char(w, ':');
		bst_put_json_str(w, kv.val);
	}
}

/* ,"key":<microseconds>: ts and dur, exactly (the ns as a fraction). */
static void us(struct bst_writer *w, const char *key, uint64_t ns)
{
	bst_put_str(w, key);
	bst_put_us(w, ns);
}

static void complete(struct trace_ctx *c, const struct bst_track_item *it,
		     const char *name, const char *cat,
		     const struct bst_event *args, const char *note)
{
	struct bst_writer *w = c->w;
	int any = 0;

	sep(c);
	bst_put_str(w, "{\"name\":");
	bst_put_json_str(w, name);
	bst_put_str(w, ",\"cat\":");
	bst_put_json_str(w, cat);
	bst_put_str(w, ",\"ph\":\"X\"");
	us(w, ",\"ts\":", it->start_ns);
	us(w, ",\"dur\":", it->end_ns - it->start_ns);
	bst_put_str(w, ",\"pid\":");
	bst_put_u64(w, (uint64_t)it->group);	/* a TR_ number, >= 0 */
	bst_put_str(w, ",\"tid\":");
	bst_put_u64(w, it->track);
	bst_put_str(w, ",\"args\":{");
	args_of(w, args, &any);
	if (note) {
		if (any)
			bst_put_char(w, ',');
		bst_put_str(w, "\"bootstamps\":");
		bst_put_json_str(w, note);
	}
	bst_put_str(w, "}}");
}

static void instant(struct trace_ctx *c, int pid, const char *name,
		    uint64_t t_ns, int global)
{
	struct bst_writer *w = c->w;

	sep(c);
	bst_put_str(w, "{\"name\":");
	bst_put_json_str(w, name);
	bst_put_str(w, ",\"cat\":");
	bst_put_json_str(w, tr_names[pid]);
	bst_put_str(w, global ? ",\"ph\":\"i\",\"s\":\"g\"" :
			 ",\"ph\":\"i\",\"s\":\"p\"");
	us(w, ",\"ts\":", t_ns);
	bst_put_str(w, ",\"pid\":");
	bst_put_u64(w, (uint64_t)pid);	/* a TR_ number, >= 0 */
	bst_put_str(w, ",\"tid\":0}");
}

static void meta(struct trace_ctx *c, const char *what, int pid, size_t tid,
		 const char *key, const char *sval, size_t ival)
{
	struct bst_writer *w = c->w;

	sep(c);
	bst_put_str(w, "{\"name\":\"");
	bst_put_str(w, what);
	bst_put_str(w, "\",\"ph\":\"M\",\"pid\":");
	bst_put_u64(w, (uint64_t)pid);	/* a TR_ number, >= 0 */
	bst_put_str(w, ",\"tid\":");
	bst_put_u64(w, tid);
	bst_put_str(w, ",\"args\":{\"");
	bst_put_str(w, key);
	bst_put_str(w, "\":");
	if (sval)
		bst_put_json_str(w, sval);
	else
		bst_put_u64(w, ival);
	bst_put_str(w, "}}");
}

/*
 * a, b and c one after the other in buf, cut to fit as snprintf("%s%s%s")
 * cuts, without its cost for every span of a million-event trace.
 */
static void concat3(char *buf, size_t size, const char *a, const char *b,
		    const char *c)
{
	const char *part[3] = { a, b, c };
	size_t len = 0, i;

	for (i = 0; i < 3; i++) {
		size_t n = strlen(part[i]);

		if (n > size - 1 - len)
			n = size - 1 - len;
		memcpy(buf + len, part[i], n);
		len += n;
	}
	buf[len] = '\0';
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
	case BST_SPAN_UNIT:
		/* By kind: hundreds of units, each its own track, would not read. */
		it->group = TR_UNITS;
		it->name = bst_event_get(ev, "kind");
		if (!it->name || !*it->name)
			it->name = "other";
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
	case TR_UNITS:
		snprintf(buf, size, "%s units%s", it->name ? it->name : "", lane);
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

		concat3(name, sizeof(name), "first I/O ", ev->subject, "");
		complete(c, it, name, "first I/O", ev, NULL);
	} else {
		const struct bst_span *sp = &c->model->spans[idx];
		const struct bst_event *ev = span_event(sp);
		const char *drv = bst_event_get(ev, "driver");
		uint64_t s, e;

		if (!note)
			note = span_times(c, sp, &s, &e);
		concat3(name, sizeof(name), drv && *drv ? drv : "",
			drv && *drv ? " " : "", ev->subject);
		complete(c, it, name, bst_span_kind_names[sp->kind], ev, note);
	}
}

void bst_trace(FILE *out, const struct bst_capture *cap,
	       const struct bst_model *model, const struct bst_boot *boot)
{
	struct trace_ctx c = { .first = 1, .cap = cap, .model = model,
			       .boot = boot };
	struct bst_writer *w;
	struct bst_track_item *items;
	size_t n = 0, i;
	int pid;
	int has_units;

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

	w = malloc(sizeof(*w));
	if (!w) {
		free(items);
		fputs("bootstamps: trace: out of memory\n", stderr);
		return;
	}
	bst_writer_init(w, out);
	c.w = w;
	bst_put_str(w, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"kernel\":");
	bst_put_json_str(w, bst_header_get(cap, "kernel"));
	bst_put_str(w, ",\"source\":");
	bst_put_json_str(w, cap->name);
	bst_put_str(w, "},\"traceEvents\":[");
	for (i = 0; i < n && items[i].group != TR_UNITS; i++)
		;
	has_units = i < n;
	for (pid = TR_PHASES; pid < TR_N; pid++) {
		/* A boot without imported units gets no empty units process. */
		if (pid == TR_UNITS && !has_units)
			continue;
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
			concat3(name, sizeof(name), ev->type, " ", ev->subject);
			instant(&c, TR_NETWORK, name, ev->t_ns, 0);
		}
	}
	for (i = 0; i < boot->nms; i++)
		instant(&c, TR_USERSPACE, boot->ms[i].name, boot->ms[i].t_ns,
			!strncmp(boot->ms[i].name, "mark ", 5) ||
			!strncmp(boot->ms[i].name, "init.exec", 9));
	bst_put_str(w, "]}\n");
	bst_writer_flush(w);
	free(w);
	free(items);
}
