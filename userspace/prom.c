// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition, for node_exporter's textfile collector:
 * write it to /var/lib/node_exporter/textfile_collector/bootstamps.prom
 * after each boot and every instance reports its boot timings.
 *
 * Made for fleets (docs/reader.md, "bootstamps prom"): every series is
 * named by things that stay the same from one boot to the next, so a
 * reboot overwrites values and never adds series. No boot id, no marker
 * text, no device names: label values are the fixed phase and milestone
 * names below, driver names, and the versions of the code that ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "outfile.h"

/*
 * The milestones exported, by the name bst_boot_build gives them. Only the
 * first of each kind (the first disk ready, the first global address), not
 * the per-device ones ("disk.ready nvme0n1"): device names vary between
 * instances and would multiply series across a fleet.
 */
static const char *const exported_milestones[] = {
	"root.mount", "disk.ready", "net.carrier", "net.ipv4", "net.ipv6",
};

/*
 * Markers exported. A marker's text is whatever userspace wrote, so it is
 * not a label value unless it is on this list: "boot-done" is the one
 * bootstamps-save.service writes at the end of every boot.
 */
static const char *const exported_markers[] = { "boot-done" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A label value from the capture: unescaped, then escaped as the text
 * format wants (backslash, double quote, newline). */
static void label(FILE *out, const char *name, const char *raw, int last)
{
	char *v = bst_unescape(raw ? raw : ""), *p;

	fprintf(out, "%s=\"", name);
	for (p = v; p && *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fprintf(out, "\"%s", last ? "}" : ",");
	free(v);
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void seconds(FILE *out, uint64_t ns)
{
	fprintf(out, " %.9f\n", (double)ns / 1e9);
}

/* A counter from the header, or NaN if it is not a number. */
static void header_count(FILE *out, const struct bst_capture *cap,
			 const char *key)
{
	const char *v = bst_header_get(cap, key);
	char *end;
	unsigned long long n;

	if (!v) {
		fputs(" 0\n", out);
		return;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (!*v || *end || errno || *v == '-')
		fputs(" NaN\n", out);
	else
		fprintf(out, " %llu\n", n);
}

/* What one driver's probes add up to in this boot. */
struct driver_total {
	const char *driver;
	const struct bst_event *last;	/* its latest probe.end: the version */
	uint64_t ns, ready_ns;
	unsigned int attempts, deferrals, failures;
	int bound;
};

/* A probe and its driver's name, looked up once (not in every compare). */
struct named_probe {
	const char *driver;
	const struct bst_span *span;
};

static int by_driver(const void *a, const void *b)
{
	const struct named_probe *x = a, *y = b;
	int c = strcmp(x->driver, y->driver);

	if (c)
		return c;
	return x->span->end->seq < y->span->end->seq ? -1 :
	       x->span->end->seq > y->span->end->seq;
}

#define EPROBE_DEFER_RC (-517)

/*
 * Not a failure: -ENODEV and -ENXIO are how a driver declines a device
 * that is not its own, and the driver core says nothing of them either.
 */
static int declined(int64_t rc)
{
	return rc == -19 || rc == -6;
}

/*
 * One total per driver, all its devices and attempts together. Sorted by
 * name, then by seq, so the work is O(n log n) in the probes and the last
 * span of each run is the driver's latest probe.
 */
static struct driver_total *driver_totals(const struct bst_model *model,
					  size_t *ndrivers,
					  uint64_t *unnamed_ns,
					  unsigned int *unnamed)
{
	struct named_probe *probes = calloc(model->nspans + 1, sizeof(*probes));
	struct driver_total *t = calloc(model->nspans + 1, sizeof(*t));
	size_t i, n = 0, nt = 0;

	*ndrivers = 0;
	*unnamed_ns = 0;
	*unnamed = 0;
	if (!probes || !t) {
		free(probes);
		free(t);
		return NULL;
	}
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const char *drv;

		if (sp->kind != BST_SPAN_PROBE || !sp->end)
			continue;
		drv = bst_event_get(sp->end, "driver");
		if (drv && *drv) {
			probes[n++] = (struct named_probe){ drv, sp };
		} else {
			/* The kernel log timed it without naming the driver. */
			*unnamed_ns += sp->dur_ns;
			(*unnamed)++;
		}
	}
	qsort(probes, n, sizeof(*probes), by_driver);
	for (i = 0; i < n; i++) {
		const struct bst_span *sp = probes[i].span;
		const char *drv = probes[i].driver;
		struct driver_total *d;

		if (!nt || strcmp(t[nt - 1].driver, drv))
			t[nt++] = (struct driver_total){ .driver = drv };
		d = &t[nt - 1];
		d->last = sp->end;
		d->ns += sp->dur_ns;
		d->attempts++;
		if (!sp->has_rc)
			continue;	/* the result was not recorded */
		if (sp->rc == EPROBE_DEFER_RC)
			d->deferrals++;
		else if (sp->rc < 0 && !declined(sp->rc))
			d->failures++;
		else if (sp->rc == 0 && sp->end->t_ns >= d->ready_ns) {
			d->ready_ns = sp->end->t_ns;
			d->bound = 1;
		}
	}
	free(probes);
	*ndrivers = nt;
	return t;
}

static void driver_series(FILE *out, const char *metric,
			  const struct driver_total *d)
{
	fprintf(out, "%s{", metric);
	label(out, "driver", d->driver, 1);
}

/* "builtin" or "module": whether a new kernel is needed to change it. */
static const char *origin(const struct bst_event *ev)
{
	const char *b = bst_event_get(ev, "builtin");

	return b && !strcmp(b, "1") ? "builtin" : "module";
}

void bst_prom(FILE *out, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot)
{
	struct driver_total *drv;
	size_t i, j, nd;
	uint64_t unnamed_ns;
	unsigned int unnamed;

	family(out, "bootstamps_boot_info", "gauge",
	       "The kernel and bootstamps module of this boot (always 1). Driver versions are in bootstamps_driver_info.");
	fputs("bootstamps_boot_info{", out);
	label(out, "kernel", bst_header_get(cap, "kernel"), 0);
	label(out, "module_version", bst_header_get(cap, "module_version"), 1);
	fputs(" 1\n", out);

	family(out, "bootstamps_boot_seconds", "gauge",
	       "The whole boot: from the kernel's start to its last marker (boot-done when bootstamps-save.service ran), else to the last event.");
	fputs("bootstamps_boot_seconds", out);
	seconds(out, boot->end_ns);

	family(out, "bootstamps_phase_seconds", "gauge",
	       "How long each boot phase took: kernel (until /init), initramfs (until switch-root), userspace (until the boot's end).");
	for (i = 0; i < BST_PHASES; i++) {
		if (!boot->phases[i].known)
			continue;
		fputs("bootstamps_phase_seconds{", out);
		label(out, "phase", boot->phases[i].name, 1);
		seconds(out, boot->phases[i].end_ns - boot->phases[i].start_ns);
	}

	family(out, "bootstamps_milestone_seconds", "gauge",
	       "When the boot first reached each milestone, in seconds since the kernel started.");
	for (j = 0; j < NELEM(exported_milestones); j++)
		for (i = 0; i < boot->nms; i++)
			if (!strcmp(boot->ms[i].name, exported_milestones[j])) {
				fputs("bootstamps_milestone_seconds{", out);
				label(out, "milestone", exported_milestones[j], 1);
				seconds(out, boot->ms[i].t_ns);
				break;	/* milestones are in time order */
			}

	family(out, "bootstamps_marker_seconds", "gauge",
	       "When userspace first marked each of a fixed set of markers (boot-done), in seconds since the kernel started.");
	for (j = 0; j < NELEM(exported_markers); j++)
		for (i = 0; i < cap->nev; i++) {
			const struct bst_event *ev = &cap->ev[i];
			const struct bst_event *first = NULL;
			size_t k;

			if (strcmp(ev->type, "mark") ||
			    strcmp(ev->subject, exported_markers[j]))
				continue;
			for (k = i; k < cap->nev; k++)	/* seq order is not time order */
				if (!strcmp(cap->ev[k].type, "mark") &&
				    !strcmp(cap->ev[k].subject, exported_markers[j]) &&
				    (!first || cap->ev[k].t_ns < first->t_ns))
					first = &cap->ev[k];
			fputs("bootstamps_marker_seconds{", out);
			label(out, "marker", exported_markers[j], 1);
			seconds(out, first->t_ns);
			break;
		}

	drv = driver_totals(model, &nd, &unnamed_ns, &unnamed);
	family(out, "bootstamps_driver_probe_seconds", "gauge",
	       "Time a driver spent probing, all its devices and attempts together.");
	for (i = 0; drv && i < nd; i++) {
		driver_series(out, "bootstamps_driver_probe_seconds", &drv[i]);
		seconds(out, drv[i].ns);
	}
	family(out, "bootstamps_driver_probe_attempts", "gauge",
	       "How many probes a driver ran (every device, every retry of a deferred probe).");
	for (i = 0; drv && i < nd; i++) {
		driver_series(out, "bootstamps_driver_probe_attempts", &drv[i]);
		fprintf(out, " %u\n", drv[i].attempts);
	}
	family(out, "bootstamps_driver_probe_deferrals", "gauge",
	       "Probes that returned -517 EPROBE_DEFER (the driver core retries them later).");
	for (i = 0; drv && i < nd; i++) {
		driver_series(out, "bootstamps_driver_probe_deferrals", &drv[i]);
		fprintf(out, " %u\n", drv[i].deferrals);
	}
	family(out, "bootstamps_driver_probe_failures", "gauge",
	       "Probes that failed: a negative errno other than EPROBE_DEFER, ENODEV and ENXIO (a driver declining a device).");
	for (i = 0; drv && i < nd; i++) {
		driver_series(out, "bootstamps_driver_probe_failures", &drv[i]);
		fprintf(out, " %u\n", drv[i].failures);
	}
	family(out, "bootstamps_driver_ready_seconds", "gauge",
	       "When the driver's last successful probe ended, in seconds since the kernel started (absent if none succeeded).");
	for (i = 0; drv && i < nd; i++) {
		if (!drv[i].bound)
			continue;
		driver_series(out, "bootstamps_driver_ready_seconds", &drv[i]);
		seconds(out, drv[i].ready_ns);
	}
	family(out, "bootstamps_driver_info", "gauge",
	       "The code of each driver (always 1): its module, MODULE_VERSION and srcversion (empty for in-tree drivers, whose code is the kernel's: see bootstamps_boot_info), built in or a module.");
	for (i = 0; drv && i < nd; i++) {
		const struct bst_event *ev = drv[i].last;

		fputs("bootstamps_driver_info{", out);
		label(out, "driver", drv[i].driver, 0);
		label(out, "module", bst_event_get(ev, "module"), 0);
		label(out, "version", bst_event_get(ev, "version"), 0);
		label(out, "srcversion", bst_event_get(ev, "srcversion"), 0);
		label(out, "origin", origin(ev), 1);
		fputs(" 1\n", out);
	}
	free(drv);

	family(out, "bootstamps_unnamed_probe_seconds", "gauge",
	       "Probes the kernel log timed without naming their driver (initcall_debug), all together.");
	fputs("bootstamps_unnamed_probe_seconds", out);
	seconds(out, unnamed_ns);
	family(out, "bootstamps_unnamed_probe_attempts", "gauge",
	       "How many such probes.");
	fprintf(out, "bootstamps_unnamed_probe_attempts %u\n", unnamed);

	family(out, "bootstamps_dropped_events", "gauge",
	       "Events lost because the store was full (raise the capacity parameter).");
	fputs("bootstamps_dropped_events", out);
	header_count(out, cap, "dropped");
	family(out, "bootstamps_missed_probes", "gauge",
	       "Probes the kretprobe could not time (all its instances were busy).");
	fputs("bootstamps_missed_probes", out);
	header_count(out, cap, "missed");
}

int bst_prom_to_dir(const char *path, const char *dir)
{
	struct bst_outfile o;
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *target;
	int rc = 2;

	if (asprintf(&target, "%s/%s", dir, BST_PROM_FILE) < 0) {
		fprintf(stderr, "bootstamps: out of memory\n");
		return 2;
	}
	if (bst_parse_file(path, &cap, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		free(target);
		return 2;
	}
	if (bst_model_build(&cap, &model, &err))
		goto out_cap;
	if (bst_boot_build(&cap, &boot)) {
		snprintf(err.msg, sizeof(err.msg), "%s: out of memory", path);
		goto out_model;
	}
	/*
	 * A regular file only, replaced by rename: node_exporter never reads
	 * half a file, and its textfile collector reads only names ending in
	 * .prom, not the temporary beside it.
	 */
	if (!bst_outfile_open(&o, target, BST_OUT_REGULAR_ONLY, 0644, &err)) {
		bst_prom(o.f, &cap, &model, &boot);
		rc = bst_outfile_commit(&o, &err) ? 2 : 0;
	}
	bst_boot_free(&boot);
out_model:
	bst_model_free(&model);
out_cap:
	if (rc)
		fprintf(stderr, "bootstamps: %s\n", err.msg);
	bst_capture_free(&cap);
	free(target);
	return rc;
}
