// SPDX-License-Identifier: GPL-2.0
/*
 * bootstamps export: one record per boot, for the engines a fleet already
 * runs (docs/fleet.md). The record is built from the same model show and
 * compare read (phases, blame rows, programs, units), never parsed again,
 * so a fleet's SQL gives what compare gives on the same captures.
 *
 * JSON lines (schema bootstamps.boot/1, docs/reader.md) or CloudWatch's
 * embedded metric format, whose dimensions are only bounded names:
 * driver, version, instance type. Boot ids and host names are plain
 * properties there, never dimensions: each would be a metric of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "inputs.h"
#include "json.h"
#include "outfile.h"
#include "programs.h"
#include "units.h"

/* Milliseconds, exact to the nanosecond, as show --format json writes them. */
static void put_ms(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%06" PRIu64, ns / 1000000, ns % 1000000);
}

static void key_ms(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, ",\"%s\":", key);
	put_ms(out, ns);
}

/* A header value, unescaped, as a JSON string; null when the header lacks it. */
static int header_str(FILE *out, const char *key, const struct bst_capture *cap,
		      const char *header_key)
{
	const char *v = bst_header_get(cap, header_key);
	char *s;

	fprintf(out, ",\"%s\":", key);
	if (!v) {
		fputs("null", out);
		return 0;
	}
	s = bst_unescape(v);
	if (!s)
		return -1;
	bst_json_str(out, s);
	free(s);
	return 0;
}

/* A header count as a JSON number; null when absent or not a number. */
static void header_num(FILE *out, const char *key, const struct bst_capture *cap,
		       const char *header_key)
{
	const char *v = bst_header_get(cap, header_key);
	unsigned long long n;
	char *end;

	fprintf(out, ",\"%s\":", key);
	errno = 0;
	if (!v || !*v || *v == '-' || (n = strtoull(v, &end, 10), *end || errno))
		fputs("null", out);
	else
		fprintf(out, "%llu", n);
}

/* save's saved_at, in seconds since the epoch; 0 if absent or not a number. */
static uint64_t saved_at(const struct bst_capture *cap)
{
	const char *v = bst_header_get(cap, "saved_at");
	unsigned long long n;
	char *end;

	errno = 0;
	if (!v || !*v || *v == '-')
		return 0;
	n = strtoull(v, &end, 10);
	return *end || errno || n > UINT64_MAX / 1000 ? 0 : n;
}

static const char *const phase_keys[BST_PHASES] = { "kernel", "initramfs",
						    "userspace" };

static int by_name_then_index(const void *a, const void *b)
{
	const struct bst_milestone *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	return c ? c : (*x < *y ? -1 : *x > *y);
}

/*
 * Milestones as an object, name to time: the first of each name (an
 * object has each key once). Sorted by name once, not name by name.
 */
static int put_milestones(FILE *out, const struct bst_boot *boot)
{
	const struct bst_milestone **byname = calloc(boot->nms + 1, sizeof(*byname));
	char *first = calloc(boot->nms + 1, 1);
	size_t i, n = 0;

	if (!byname || !first) {
		free(byname);
		free(first);
		return -1;
	}
	for (i = 0; i < boot->nms; i++)
		byname[i] = &boot->ms[i];
	qsort(byname, boot->nms, sizeof(*byname), by_name_then_index);
	for (i = 0; i < boot->nms; i++)
		if (!i || strcmp(byname[i]->name, byname[i - 1]->name))
			first[byname[i] - boot->ms] = 1;
	fputs(",\"milestones\":{", out);
	for (i = 0; i < boot->nms; i++) {
		if (!first[i])
			continue;
		fputs(n++ ? "," : "", out);
		bst_json_str(out, boot->ms[i].name);
		fputc(':', out);
		put_ms(out, boot->ms[i].t_ns);
	}
	fputc('}', out);
	free(byname);
	free(first);
	return 0;
}

static void put_driver(FILE *out, const struct bst_capture *cap,
		       const struct bst_blame_row *r)
{
	const char *builtin = bst_event_get(r->last, "builtin");
	char label[256];

	bst_driver_version_label(cap, r->last, label, sizeof(label));
	fputs("{\"driver\":", out);
	bst_json_str(out, r->driver);
	fputs(",\"module\":", out);
	bst_json_str(out, bst_event_get(r->last, "module"));
	fputs(",\"version\":", out);
	bst_json_str(out, bst_event_get(r->last, "version"));
	fputs(",\"srcversion\":", out);
	bst_json_str(out, bst_event_get(r->last, "srcversion"));
	fprintf(out, ",\"builtin\":%s,\"version_label\":",
		builtin && !strcmp(builtin, "1") ? "true" : "false");
	bst_json_str(out, label);
	fprintf(out, ",\"devices\":%zu,\"attempts\":%zu", r->devices, r->attempts);
	key_ms(out, "total_ms", r->total_ns);
	key_ms(out, "longest_ms", r->longest_ns);
	fprintf(out, ",\"deferred\":%zu,\"failed\":%zu,\"async\":%zu,\"running\":%zu,\"from_kmsg\":%zu}",
		r->deferred, r->failed, r->async, r->running, r->kmsg);
}

static int put_identity(FILE *out, const struct bst_capture *cap)
{
	static const struct {
		const char *key, *header;
	} facts[] = {
		{ "boot_id", "boot_id" },
		{ "hostname", "hostname" },
		{ "machine", "machine" },
		{ "instance_type", "product_name" },
		{ "sys_vendor", "sys_vendor" },
		{ "hypervisor", "hypervisor" },
		{ "kernel", "kernel" },
		{ "os", "os" },
		{ "os_id", "os_id" },
		{ "os_version", "os_version" },
		{ "cmdline", "cmdline" },
		{ "module_version", "module_version" },
	};
	size_t i;

	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (header_str(out, facts[i].key, cap, facts[i].header))
			return -1;
	header_num(out, "saved_at", cap, "saved_at");
	header_num(out, "dropped_events", cap, "dropped");
	header_num(out, "missed_probes", cap, "missed");
	return 0;
}

static int record_jsonl(FILE *out, const struct bst_capture *cap,
			const struct bst_model *model,
			const struct bst_boot *boot)
{
	struct bst_blame blame;
	struct bst_programs programs;
	struct bst_units units;
	size_t i, n;
	uint64_t unnamed_ns = 0;
	size_t unnamed = 0;

	fputs("{\"schema\":\"" BST_EXPORT_SCHEMA "\",\"source\":", out);
	bst_json_str(out, cap->name);
	fprintf(out, ",\"format_version\":%d", cap->format_version);
	if (put_identity(out, cap))
		return -1;
	fprintf(out, ",\"finished\":%s", boot->phases[2].known ? "true" : "false");
	key_ms(out, "boot_ms", boot->end_ns);
	fputs(",\"phases\":{", out);
	for (i = 0, n = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known)
			continue;
		fprintf(out, "%s\"%s\":", n++ ? "," : "", phase_keys[i]);
		put_ms(out, ph->end_ns - ph->start_ns);
	}
	fputc('}', out);
	if (boot->fw.known)
		key_ms(out, "firmware_ms", boot->fw.firmware_ns);
	if (boot->fw.loader_known)
		key_ms(out, "loader_ms", boot->fw.loader_ns);
	if (put_milestones(out, boot))
		return -1;

	if (bst_blame_build(cap, model, &blame))
		return -1;
	fputs(",\"drivers\":[", out);
	for (i = 0, n = 0; i < blame.nrows; i++) {
		const struct bst_blame_row *r = &blame.rows[i];

		if (!*r->driver) {
			/* The kernel log timed it without naming its driver. */
			unnamed_ns += r->total_ns;
			unnamed += r->attempts;
			continue;
		}
		fputs(n++ ? "," : "", out);
		put_driver(out, cap, r);
	}
	fputc(']', out);
	bst_blame_free(&blame);
	fprintf(out, ",\"unnamed_probes\":{\"attempts\":%zu", unnamed);
	key_ms(out, "total_ms", unnamed_ns);
	fputc('}', out);

	if (bst_programs_build(cap, model, &programs))
		return -1;
	fputs(",\"programs\":[", out);
	for (i = 0; i < programs.nrows; i++) {
		const struct bst_program_row *r = &programs.rows[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		bst_json_str(out, r->name);
		fprintf(out, ",\"count\":%zu,\"exited\":%zu", r->count, r->exited);
		key_ms(out, "total_ms", r->total_ns);
		key_ms(out, "longest_ms", r->longest_ns);
		fputc('}', out);
	}
	fputc(']', out);
	bst_programs_free(&programs);

	if (bst_units_build(cap, model, &units))
		return -1;
	fputs(",\"units\":[", out);
	for (i = 0; i < units.nrows; i++) {
		const struct bst_unit_row *r = &units.rows[i];
		char *name = bst_unescape(r->id);

		if (!name) {
			bst_units_free_rows(&units);
			return -1;
		}
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		bst_json_str(out, name);
		free(name);
		fputs(",\"kind\":", out);
		bst_json_str(out, r->kind);
		fputs(",\"result\":", out);
		bst_json_str(out, r->result);
		if (r->running)
			fputs(",\"running\":true", out);
		else
			key_ms(out, "duration_ms", r->dur_ns);
		fputc('}', out);
	}
	fputc(']', out);
	bst_units_free_rows(&units);
	fputs("}\n", out);
	return 0;
}

/*
 * A dimension's value from the header: CloudWatch wants a non-empty
 * string, so a machine that does not show it is "(none)" and a capture
 * save did not write "(not recorded)", as compare names them.
 */
static char *dimension_value(const struct bst_capture *cap, const char *key)
{
	const char *v = bst_header_get(cap, key);

	if (!bst_header_get(cap, "saved_at"))
		return strdup("(not recorded)");
	if (!v || !*v)
		return strdup("(none)");
	return bst_unescape(v);
}

/* What every EMF document of the boot carries beside its metrics. */
static void emf_properties(FILE *out, const struct bst_capture *cap,
			   const char *instance_type)
{
	fputs(",\"InstanceType\":", out);
	bst_json_str(out, instance_type);
	fputs(",\"schema\":\"" BST_EXPORT_SCHEMA "\"", out);
	header_str(out, "boot_id", cap, "boot_id");
	header_str(out, "hostname", cap, "hostname");
	header_str(out, "kernel", cap, "kernel");
	fputs(",\"source\":", out);
	bst_json_str(out, cap->name);
}

static void emf_head(FILE *out, uint64_t ts_ms, const char *dimensions)
{
	fprintf(out, "{\"_aws\":{\"Timestamp\":%" PRIu64 ",\"CloudWatchMetrics\":[{\"Namespace\":\"" BST_EMF_NAMESPACE "\",\"Dimensions\":%s,\"Metrics\":[",
		ts_ms, dimensions);
}

static const char *const emf_phase_metrics[BST_PHASES] = {
	"KernelTime", "InitramfsTime", "UserspaceTime",
};

static int record_emf(FILE *out, const struct bst_capture *cap,
		      const struct bst_model *model,
		      const struct bst_boot *boot, uint64_t now_ms)
{
	uint64_t saved = saved_at(cap), ts = saved ? saved * 1000 : now_ms;
	char *type = dimension_value(cap, "product_name");
	struct bst_blame blame;
	size_t i;

	if (!type)
		return -1;
	/* The boot: its end and phases, by instance type. */
	emf_head(out, ts, "[[\"InstanceType\"]]");
	fputs("{\"Name\":\"BootTime\",\"Unit\":\"Milliseconds\"}", out);
	for (i = 0; i < BST_PHASES; i++)
		if (boot->phases[i].known)
			fprintf(out, ",{\"Name\":\"%s\",\"Unit\":\"Milliseconds\"}",
				emf_phase_metrics[i]);
	fputs("]}]}", out);
	emf_properties(out, cap, type);
	key_ms(out, "BootTime", boot->end_ns);
	for (i = 0; i < BST_PHASES; i++)
		if (boot->phases[i].known)
			key_ms(out, emf_phase_metrics[i],
			       boot->phases[i].end_ns - boot->phases[i].start_ns);
	fputs("}\n", out);

	/* Each driver: its probes, by driver and version (and instance type). */
	if (bst_blame_build(cap, model, &blame)) {
		free(type);
		return -1;
	}
	for (i = 0; i < blame.nrows; i++) {
		const struct bst_blame_row *r = &blame.rows[i];
		char label[256];

		if (!*r->driver)
			continue;	/* no name: nothing bounded to file it under */
		bst_driver_version_label(cap, r->last, label, sizeof(label));
		emf_head(out, ts, "[[\"Driver\",\"Version\"],[\"Driver\",\"Version\",\"InstanceType\"]]");
		fputs("{\"Name\":\"ProbeTime\",\"Unit\":\"Milliseconds\"},"
		      "{\"Name\":\"ProbeAttempts\",\"Unit\":\"Count\"},"
		      "{\"Name\":\"ProbeDeferrals\",\"Unit\":\"Count\"},"
		      "{\"Name\":\"ProbeFailures\",\"Unit\":\"Count\"}]}]}", out);
		fputs(",\"Driver\":", out);
		bst_json_str(out, r->driver);
		fputs(",\"Version\":", out);
		bst_json_str(out, label);
		emf_properties(out, cap, type);
		key_ms(out, "ProbeTime", r->total_ns);
		fprintf(out, ",\"ProbeAttempts\":%zu,\"ProbeDeferrals\":%zu,\"ProbeFailures\":%zu}\n",
			r->attempts, r->deferred, r->failed);
	}
	bst_blame_free(&blame);
	free(type);
	return 0;
}

int bst_export_record(FILE *out, const struct bst_capture *cap,
		      const struct bst_model *model,
		      const struct bst_boot *boot,
		      enum bst_export_format format, uint64_t now_ms)
{
	if (format == BST_EXPORT_EMF)
		return record_emf(out, cap, model, boot, now_ms);
	return record_jsonl(out, cap, model, boot);
}

/* One capture's record in memory, so that it reaches the output whole. */
static int build_record(const char *path, const struct bst_export_opts *o,
			uint64_t now_ms, char **buf, size_t *len,
			struct bst_error *err)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	FILE *f;
	int r;

	*buf = NULL;
	if (bst_parse_file(path, &cap, err))
		return -1;
	if (bst_model_build(&cap, &model, err)) {
		bst_capture_free(&cap);
		return -1;
	}
	if (bst_boot_build(&cap, &boot)) {
		bst_model_free(&model);
		bst_capture_free(&cap);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
		return -1;
	}
	f = open_memstream(buf, len);
	r = f ? bst_export_record(f, &cap, &model, &boot, o->format, now_ms) : -1;
	if (f && (fclose(f) || r)) {
		free(*buf);
		*buf = NULL;
		r = -1;
	}
	if (r)
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return r;
}

/*
 * A record appended with one write(): on a regular file opened O_APPEND,
 * Linux writes it whole at the end, so writers appending at once never
 * interleave their lines. A short write (the disk is full) is an error,
 * never completed by a second write another writer could come between.
 */
static int append_record(int fd, const char *path, const char *buf, size_t len,
			 struct bst_error *err)
{
	ssize_t n = write(fd, buf, len);

	if (n == (ssize_t)len)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "appending to %s: %s", path,
		 n < 0 ? strerror(errno) : "short write (is the disk full?): the last line is torn");
	return -1;
}

int bst_export_with(char **args, size_t nargs, const struct bst_export_opts *o)
{
	struct bst_input *in = NULL;
	struct bst_outfile of = { .f = NULL, .dirfd = -1 };
	struct bst_error err;
	struct timespec now;
	uint64_t now_ms;
	size_t n = 0, i, written = 0;
	int fd = -1, r = 0, opened = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	now_ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	for (i = 0; i < nargs && !r; i++)
		r = bst_inputs_expand(args[i], &in, &n, o->strict, &err);
	if (!r && !n) {
		snprintf(err.msg, sizeof(err.msg), "%s: no captures found", args[0]);
		r = -1;
	}
	/* The inputs first: a typo in a name replaces no file. */
	if (!r && o->append) {
		fd = bst_outfile_open_append(o->output, 0644, &err);
		r = fd < 0 ? -1 : 0;
	} else if (!r) {
		r = bst_outfile_open(&of, o->output, BST_OUT_ANY, 0644, &err);
		opened = !r;
	}
	for (i = 0; i < n && !r; i++) {
		char *buf;
		size_t len;

		if (build_record(in[i].path, o, now_ms, &buf, &len, &err)) {
			char why[sizeof(err.msg)];

			memcpy(why, err.msg, sizeof(why));
			r = in[i].from_dir ? bst_input_skip_or_fail(o->strict, &err, "%s", why) : -1;
			continue;
		}
		if (fd >= 0)
			r = append_record(fd, o->output, buf, len, &err);
		else if (fwrite(buf, 1, len, of.f) != len) {
			snprintf(err.msg, sizeof(err.msg), "writing %s: %s",
				 o->output ? o->output : "standard output",
				 strerror(errno));
			r = -1;
		}
		written += !r;
		free(buf);
	}
	if (!r && !written) {
		snprintf(err.msg, sizeof(err.msg), "no capture could be read");
		r = -1;
	}
	if (opened) {
		if (r)
			bst_outfile_abort(&of);
		else
			r = bst_outfile_commit(&of, &err);
	}
	if (fd >= 0 && close(fd) && !r) {
		snprintf(err.msg, sizeof(err.msg), "appending to %s: %s",
			 o->output, strerror(errno));
		r = -1;
	}
	if (r)
		fprintf(stderr, "bootstamps export: %s\n", err.msg);
	bst_inputs_free(in, n);
	return r ? 2 : 0;
}
