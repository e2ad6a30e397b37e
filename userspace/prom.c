// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition, for node_exporter's textfile collector:
 * write it to /var/lib/node_exporter/textfile_collector/bootstamps.prom
 * after each boot and every instance reports its boot timings.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

/* A label value: backslash, double quote and newline are escaped. */
static void label(FILE *out, const char *name, const char *v, int last)
{
	fprintf(out, "%s=\"", name);
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fprintf(out, "\"%s", last ? "}" : ",");
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct probe_total {
	const char *driver, *device, *identity;
	uint64_t ns;
	unsigned int attempts;
};

/* A probe series' labels: which driver, on which device, at which version. */
static void probe_labels(FILE *out, const char *metric,
			 const struct probe_total *pt)
{
	fprintf(out, "%s{", metric);
	label(out, "driver", pt->driver, 0);
	label(out, "device", pt->device, 0);
	label(out, "version", pt->identity, 1);
}

void bst_prom(FILE *out, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot)
{
	struct probe_total *pt = calloc(model->nspans + 1, sizeof(*pt));
	size_t i, j, n = 0;
	const char *v;

	family(out, "bootstamps_info", "gauge",
	       "The boot this capture describes (always 1).");
	fputs("bootstamps_info{", out);
	label(out, "kernel", bst_header_get(cap, "kernel"), 0);
	label(out, "module_version", bst_header_get(cap, "module_version"), 0);
	label(out, "boot_id", bst_header_get(cap, "boot_id"), 1);
	fputs(" 1\n", out);

	family(out, "bootstamps_phase_seconds", "gauge",
	       "How long each boot phase took: kernel (until /init), initramfs (until switch-root), userspace.");
	for (i = 0; i < BST_PHASES; i++) {
		if (!boot->phases[i].known)
			continue;
		fputs("bootstamps_phase_seconds{", out);
		label(out, "phase", boot->phases[i].name, 1);
		fprintf(out, " %.9f\n", (double)(boot->phases[i].end_ns -
						 boot->phases[i].start_ns) / 1e9);
	}

	family(out, "bootstamps_milestone_seconds", "gauge",
	       "When the boot reached each milestone, in seconds since the kernel started.");
	for (i = 0; i < boot->nms; i++) {
		fputs("bootstamps_milestone_seconds{", out);
		label(out, "milestone", boot->ms[i].name, 1);
		fprintf(out, " %.9f\n", (double)boot->ms[i].t_ns / 1e9);
	}

	/* One series per driver, device and version: retries add up. */
	for (i = 0; pt && i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const char *drv, *id;

		if (sp->kind != BST_SPAN_PROBE || !sp->end)
			continue;
		drv = bst_event_get(sp->end, "driver");
		id = bst_driver_identity(cap, sp->end);
		for (j = 0; j < n; j++)
			if (!strcmp(pt[j].device, sp->end->subject) &&
			    !strcmp(pt[j].driver, drv ? drv : "") &&
			    !strcmp(pt[j].identity, id))
				break;
		if (j == n)
			pt[n++] = (struct probe_total){ drv ? drv : "",
							sp->end->subject, id, 0, 0 };
		pt[j].ns += sp->dur_ns;
		pt[j].attempts++;
	}
	family(out, "bootstamps_probe_seconds", "gauge",
	       "Time a driver spent probing a device, all attempts together. version is the module's version, else its srcversion, else the kernel release.");
	for (i = 0; i < n; i++) {
		probe_labels(out, "bootstamps_probe_seconds", &pt[i]);
		fprintf(out, " %.9f\n", (double)pt[i].ns / 1e9);
	}
	family(out, "bootstamps_probe_attempts", "gauge",
	       "How many times a driver probed a device (deferred probes are retried).");
	for (i = 0; i < n; i++) {
		probe_labels(out, "bootstamps_probe_attempts", &pt[i]);
		fprintf(out, " %u\n", pt[i].attempts);
	}
	free(pt);

	family(out, "bootstamps_dropped_events", "gauge",
	       "Events lost because the store was full (raise the capacity parameter).");
	v = bst_header_get(cap, "dropped");
	fprintf(out, "bootstamps_dropped_events %s\n", v ? v : "0");
	family(out, "bootstamps_missed_probes", "gauge",
	       "Probes the kretprobe could not time (all its instances were busy).");
	v = bst_header_get(cap, "missed");
	fprintf(out, "bootstamps_missed_probes %s\n", v ? v : "0");
}
