// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome Trace Event JSON, which the Perfetto UI and chrome://tracing
 * open. Each group (phases, probes, modules, disks, network, userspace) is
 * a process; within it, each recording thread is a track, so that spans
 * nest as they did in the kernel (virtio_blk's probe inside virtio_pci's).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "json.h"

enum { TR_PHASES = 1, TR_PROBES, TR_MODULES, TR_DISKS, TR_NETWORK,
       TR_USERSPACE };

static const char *const tr_names[] = {
	[TR_PHASES] = "phases", [TR_PROBES] = "driver probes",
	[TR_MODULES] = "module loads", [TR_DISKS] = "disks",
	[TR_NETWORK] = "network", [TR_USERSPACE] = "userspace",
};

static int first;

static void sep(FILE *out)
{
	if (!first)
		fputc(',', out);
	first = 0;
}

static unsigned long tid_of(const struct bst_event *ev)
{
	const char *pid = bst_event_get(ev, "pid");

	return pid ? strtoul(pid, NULL, 10) : 0;
}

/* A complete event: ts and dur in microseconds. */
static void complete(FILE *out, int pid, unsigned long tid, const char *name,
		     uint64_t start_ns, uint64_t dur_ns,
		     const struct bst_event *args)
{
	size_t i;

	sep(out);
	fputs("{\"name\":", out);
	bst_json_str(out, name);
	fprintf(out, ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%d,\"tid\":%lu,\"args\":{",
		tr_names[pid], (double)start_ns / 1e3, (double)dur_ns / 1e3, pid,
		tid);
	for (i = 0; args && i < args->nkv; i++) {
		fputs(i ? "," : "", out);
		bst_json_str(out, args->kv[i].key);
		fputc(':', out);
		bst_json_str(out, args->kv[i].val);
	}
	fputs("}}", out);
}

static void instant(FILE *out, int pid, const char *name, uint64_t t_ns,
		    int global)
{
	sep(out);
	fputs("{\"name\":", out);
	bst_json_str(out, name);
	fprintf(out, ",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"%s\",\"ts\":%.3f,\"pid\":%d,\"tid\":0}",
		tr_names[pid], global ? "g" : "p", (double)t_ns / 1e3, pid);
}

static void names(FILE *out, int pid)
{
	sep(out);
	fprintf(out, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"%s\"}}",
		pid, tr_names[pid]);
	sep(out);
	fprintf(out, "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"sort_index\":%d}}",
		pid, pid);
}

void bst_trace(FILE *out, const struct bst_capture *cap,
	       const struct bst_model *model, const struct bst_boot *boot)
{
	static const int kind_pid[BST_SPAN_KINDS] = {
		[BST_SPAN_PROBE] = TR_PROBES, [BST_SPAN_MODULE] = TR_MODULES,
		[BST_SPAN_DISK] = TR_DISKS, [BST_SPAN_PROCESS] = TR_USERSPACE,
	};
	size_t i;
	int pid;

	first = 1;
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"kernel\":", out);
	bst_json_str(out, bst_header_get(cap, "kernel"));
	fputs(",\"source\":", out);
	bst_json_str(out, cap->name);
	fputs("},\"traceEvents\":[", out);
	for (pid = TR_PHASES; pid <= TR_USERSPACE; pid++)
		names(out, pid);

	for (i = 0; i < BST_PHASES; i++)
		if (boot->phases[i].known)
			complete(out, TR_PHASES, 0, boot->phases[i].name,
				 boot->phases[i].start_ns,
				 boot->phases[i].end_ns - boot->phases[i].start_ns,
				 NULL);

	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *ev = sp->end;
		char name[128];
		const char *drv;

		if (!ev)
			continue;	/* still running: no duration to draw */
		drv = bst_event_get(ev, "driver");
		snprintf(name, sizeof(name), "%s%s%s", drv && *drv ? drv : "",
			 drv && *drv ? " " : "", ev->subject);
		complete(out, kind_pid[sp->kind], tid_of(ev), name,
			 ev->t_ns - sp->dur_ns, sp->dur_ns, ev);
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		char name[160];

		if (!strcmp(ev->type, "disk.first_io")) {
			int64_t dur = 0;

			bst_event_get_i64(ev, "dur_ns", &dur);
			snprintf(name, sizeof(name), "first I/O %s", ev->subject);
			complete(out, TR_DISKS, tid_of(ev), name, ev->t_ns,
				 (uint64_t)(dur > 0 ? dur : 0), ev);
		} else if (!strncmp(ev->type, "net.", 4)) {
			snprintf(name, sizeof(name), "%s %s", ev->type, ev->subject);
			instant(out, TR_NETWORK, name, ev->t_ns, 0);
		}
	}
	for (i = 0; i < boot->nms; i++)
		instant(out, TR_USERSPACE, boot->ms[i].name, boot->ms[i].t_ns,
			!strncmp(boot->ms[i].name, "mark ", 5) ||
			!strncmp(boot->ms[i].name, "init.exec", 9));
	fputs("]}\n", out);
}
