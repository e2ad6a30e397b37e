// SPDX-License-Identifier: GPL-2.0
/* Human-readable outputs: the event table and the slowest probes. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "json.h"
#include "programs.h"
#include "units.h"

/* Milliseconds with three decimals (microsecond resolution). */
void bst_format_ms(char *buf, size_t size, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000;

	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

/*
 * A duration as systemd prints one: 1min 2.345s, 1.848s, 495ms, 6.5ms,
 * 38us, 120ns. Each unit is chosen after rounding, so 999.7ms is 1.000s.
 */
void bst_format_duration(char *buf, size_t size, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000, tenth_ms = (ns + 50000) / 100000;
	uint64_t ms = (ns + 500000) / 1000000;

	if (ns < 1000)
		snprintf(buf, size, "%" PRIu64 "ns", ns);
	else if (us < 1000)
		snprintf(buf, size, "%" PRIu64 "us", us);
	else if (tenth_ms < 100)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "ms", tenth_ms / 10,
			 tenth_ms % 10);
	else if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", ms / 1000,
			 ms % 1000);
	else
		snprintf(buf, size, "%" PRIu64 "min %" PRIu64 ".%03" PRIu64 "s",
			 ms / 60000, ms % 60000 / 1000, ms % 1000);
}

/* A moment on the boot's clock, to the microsecond, for the event table. */
static void format_time(char *buf, size_t size, uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000;

	snprintf(buf, size, "%" PRIu64 ".%06" PRIu64 "s", us / 1000000,
		 us % 1000000);
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
	fprintf(out, "%14s  %-17s %-24s %-16s %10s  %s\n", "TIME", "EVENT",
		"SUBJECT", "DRIVER", "DURATION", "RC");
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = order[i];
		const struct bst_span *sp = closes[ev - cap->ev];
		char t[32], d[48] = "-", rc[48] = "-";
		int64_t v;

		format_time(t, sizeof(t), ev->t_ns);
		/* A span's duration, else the event's own (disk.first_io). */
		if (sp)
			bst_format_duration(d, sizeof(d), sp->dur_ns);
		else if (bst_event_get_i64(ev, "dur_ns", &v) == 1 && v > 0)
			bst_format_duration(d, sizeof(d), (uint64_t)v);
		if (bst_event_get_i64(ev, "rc", &v) == 1)
			bst_format_rc(rc, sizeof(rc), v);
		fprintf(out, "%14s  %-17s %-24s %-16s %10s  %s\n", t, ev->type,
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
	fprintf(out, "%4s %10s  %-24s %-16s %-24s %s\n", "#", "DURATION",
		"DEVICE", "DRIVER", "VERSION", "RC");
	for (i = 0; i < m; i++) {
		const struct bst_event *ev = top[i]->end;
		char d[48], rc[48] = "-";

		bst_format_duration(d, sizeof(d), top[i]->dur_ns);
		if (top[i]->has_rc)
			bst_format_rc(rc, sizeof(rc), top[i]->rc);
		fprintf(out, "%4zu %10s  %-24s %-16s %-24s %s\n", i + 1, d,
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

/*
 * systemd-analyze's first line. Firmware and loader times are those save
 * found in ACPI's FPDT (the "# firmware" line); as systemd-analyze does,
 * the total then counts them. Without them the line starts at the kernel.
 */
void bst_print_startup(FILE *out, const struct bst_boot *boot)
{
	const struct bst_phase *k = &boot->phases[0], *i = &boot->phases[1],
			       *u = &boot->phases[2];
	const struct bst_firmware *fw = &boot->fw;
	char a[48], b[48], c[48], t[48], f[48], l[48], pre[160] = "";
	uint64_t before = 0;

	if (fw->known) {
		bst_format_duration(f, sizeof(f), fw->firmware_ns);
		before = fw->firmware_ns;
		if (fw->loader_known) {
			bst_format_duration(l, sizeof(l), fw->loader_ns);
			before += fw->loader_ns;
			snprintf(pre, sizeof(pre), "%s (firmware) + %s (loader) + ", f, l);
		} else {
			snprintf(pre, sizeof(pre), "%s (firmware) + ", f);
		}
	}
	bst_format_duration(a, sizeof(a), k->end_ns - k->start_ns);
	bst_format_duration(t, sizeof(t), before + boot->end_ns);
	if (u->known) {
		bst_format_duration(c, sizeof(c), u->end_ns - u->start_ns);
		if (i->known) {
			bst_format_duration(b, sizeof(b), i->end_ns - i->start_ns);
			fprintf(out, "Startup finished in %s%s (kernel) + %s (initrd) + %s (userspace) = %s\n",
				pre, a, b, c, t);
		} else {
			fprintf(out, "Startup finished in %s%s (kernel) + %s (userspace) = %s\n",
				pre, a, c, t);
		}
	} else if (k->known) {
		/* In the initramfs still: it has run until the last event. */
		bst_format_duration(b, sizeof(b), boot->end_ns > k->end_ns ?
				    boot->end_ns - k->end_ns : 0);
		fprintf(out, "Startup not finished: PID 1 has not run from the real root yet; %s%s (kernel) + %s (initrd) so far = %s\n",
			pre, a, b, t);
	} else {
		fprintf(out, "Startup: no init.exec in the capture, so the kernel's end is unknown; the last event at %s\n",
			t);
	}
}

static void blame_notes(char *buf, size_t size, const struct bst_blame_row *r)
{
	size_t n = 0;

	buf[0] = '\0';
#define NOTE(...) do { \
		if (n < size) \
			n += (size_t)snprintf(buf + n, size - n, "%s", n ? ", " : ""); \
		if (n < size) \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	if (r->devices > 1)
		NOTE("%zu devices", r->devices);
	else if (*r->driver)
		NOTE("on %s", r->device);
	if (r->deferred)
		NOTE("%zu deferred", r->deferred);
	if (r->failed)
		NOTE("%zu failed", r->failed);
	if (r->async)
		NOTE("%zu async", r->async);
	if (r->running)
		NOTE("%zu still running", r->running);
	if (r->kmsg)
		NOTE("%s the kernel log", r->kmsg == r->attempts ? "from" : "partly from");
#undef NOTE
}

/*
 * Like systemd-analyze blame, per driver: every attempt summed, the
 * longest total first, the n first rows; under each, the steps timed
 * inside its probes.
 */
void bst_print_blame(FILE *out, const struct bst_blame *blame, size_t n)
{
	uint64_t rest_ns = 0;
	size_t i, j;

	fputs("Blame: driver probe time, all attempts summed\n", out);
	fprintf(out, "%9s %8s  %-24s %-22s %-20s %s\n", "TOTAL", "ATTEMPTS",
		"DRIVER", "VERSION", "LAST RC", "NOTES");
	for (i = 0; i < blame->nrows; i++) {
		const struct bst_blame_row *r = &blame->rows[i];
		char total[48], rc[48] = "-", name[80], notes[256];

		if (i >= n) {
			rest_ns += r->total_ns;
			continue;
		}
		bst_format_duration(total, sizeof(total), r->total_ns);
		if (r->has_last_rc)
			bst_format_rc(rc, sizeof(rc), r->last_rc);
		/* The kernel log may not name the driver: name the device. */
		snprintf(name, sizeof(name), "%s%s", *r->driver ? "" : "device ",
			 *r->driver ? r->driver : r->device);
		blame_notes(notes, sizeof(notes), r);
		fprintf(out, "%9s %8zu  %-24s %-22s %-20s %s\n", total, r->attempts,
			name, or_dash(r->identity), rc, notes);
		for (j = 0; j < r->nsteps; j++) {
			const struct bst_step_row *s = &r->steps[j];
			char fn[128], ret[48] = "-";

			bst_format_duration(total, sizeof(total), s->total_ns);
			if (s->has_ret)
				bst_format_rc(ret, sizeof(ret), s->last_ret);
			snprintf(fn, sizeof(fn), "%*s`-%s", (int)(s->depth * 2), "",
				 s->function);
			fprintf(out, "%9s %8zu  %-47s %-20s %s\n", total, s->calls, fn,
				ret, "a step timed inside its probes (spans=)");
		}
	}
	if (!blame->nrows)
		fputs("  (no driver probes in the capture)\n", out);
	if (blame->nrows > n) {
		char rest[48];

		bst_format_duration(rest, sizeof(rest), rest_ns);
		fprintf(out, "  ... %zu more, %s in all (bootstamps show --format json lists every one)\n",
			blame->nrows - n, rest);
	}
}

/* "systemd (3), pid 812" : who started a program's processes, bounded. */
static void program_parents(char *buf, size_t size,
			    const struct bst_program_row *r)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nparents && i < 3 && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s (%zu)", i ? ", " : "",
				      r->parents[i].name, r->parents[i].count);
	if (r->nparents > 3 && n < size)
		snprintf(buf + n, size - n, ", %zu more", r->nparents - 3);
}

/*
 * Per program (the basename of what was exec'd), every process summed:
 * the n longest totals, the rest on one line. Nothing when the capture
 * has no processes.
 */
void bst_print_programs(FILE *out, const struct bst_programs *p, size_t n)
{
	uint64_t rest_ns = 0;
	size_t i, rest_count = 0;

	if (!p->nrows)
		return;
	fputs("Programs: exec to exit, every process of a program summed\n", out);
	fprintf(out, "%9s %6s %9s  %-24s %s\n", "TOTAL", "COUNT", "LONGEST",
		"PROGRAM", "STARTED BY (processes)");
	for (i = 0; i < p->nrows; i++) {
		const struct bst_program_row *r = &p->rows[i];
		char total[48], longest[48], parents[256];

		if (i >= n) {
			rest_ns += r->total_ns;
			rest_count += r->count;
			continue;
		}
		bst_format_duration(total, sizeof(total), r->total_ns);
		bst_format_duration(longest, sizeof(longest), r->longest_ns);
		program_parents(parents, sizeof(parents), r);
		fprintf(out, "%9s %6zu %9s  %-24s %s", total, r->count, longest,
			r->name, parents);
		if (r->exited < r->count)
			fprintf(out, "; %zu still running", r->count - r->exited);
		fputc('\n', out);
	}
	if (p->nrows > n) {
		char rest[48];

		bst_format_duration(rest, sizeof(rest), rest_ns);
		fprintf(out, "  ... %zu more programs (%zu processes), %s in all (bootstamps show --format json lists every one)\n",
			p->nrows - n, rest_count, rest);
	}
	fputc('\n', out);
}

/* Like systemd-analyze critical-chain: @ when reached, + after what it waited for. */
void bst_print_chains(FILE *out, const struct bst_chains *chains)
{
	size_t c, i;

	for (c = 0; c < chains->n; c++) {
		const struct bst_chain *ch = &chains->chains[c];

		if (!strcmp(ch->to, "boot end"))
			fputs("Critical chain to the boot's end (@ when reached, + how long after what it waited for)\n",
			      out);
		else
			fprintf(out, "Critical chain to %s\n", ch->to);
		for (i = 0; i < ch->nlinks; i++) {
			const struct bst_link *l = &ch->links[i];
			char at[48], d[48], rc[48];

			bst_format_duration(at, sizeof(at), l->t_ns);
			fprintf(out, "%*s%s%s @%s", (int)(i ? (i - 1) * 2 : 0), "",
				i ? "`-" : "", l->name, at);
			if (i + 1 < ch->nlinks) {
				bst_format_duration(d, sizeof(d),
						    l->t_ns - ch->links[i + 1].t_ns);
				fprintf(out, " +%s", d);
			}
			if (l->probe && l->probe->end) {
				bst_format_duration(d, sizeof(d), l->probe->dur_ns);
				fprintf(out, " (ran %s", d);
				if (l->probe->has_rc) {
					bst_format_rc(rc, sizeof(rc), l->probe->rc);
					fprintf(out, ", rc %s", rc);
				}
				fputc(')', out);
			} else if (l->probe) {
				fputs(" (still running)", out);
			}
			if (l->earlier_attempts) {
				bst_format_duration(d, sizeof(d), l->earlier_ns);
				fprintf(out, ", after %zu earlier attempt%s (%s)",
					l->earlier_attempts,
					l->earlier_attempts == 1 ? "" : "s", d);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	if (chains->more)
		fprintf(out, "(%zu more interfaces: --format json does not follow them either)\n\n",
			chains->more);
}

/*
 * The whole explanation of one boot, for a person: the answers first, the
 * events only when asked for.
 */
void bst_show_text(FILE *out, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest, int events)
{
	struct bst_blame blame;
	struct bst_chains chains;
	struct bst_programs programs;
	struct bst_units units;
	const char *v;
	size_t i;

	bst_print_startup(out, boot);
	fprintf(out, "Boot of %s", (v = bst_header_get(cap, "kernel")) ? v : "?");
	if ((v = bst_header_get(cap, "boot_id")))
		fprintf(out, " (boot %s)", v);
	fprintf(out, ": %zu events%s", cap->nev,
		events ? "" : " (bootstamps show --events lists them)");
	/* save looked for firmware times: say, in passing, that it found none. */
	if (!boot->fw.known && (boot->fw.recorded || bst_header_get(cap, "saved_at")))
		fputs("; firmware time unknown (no ACPI FPDT)", out);
	fputc('\n', out);
	print_warnings(out, cap);

	fputc('\n', out);
	if (bst_blame_build(cap, model, &blame)) {
		fputs("(blame: out of memory)\n", out);
	} else {
		bst_print_blame(out, &blame, slowest);
		bst_blame_free(&blame);
	}
	fputc('\n', out);
	if (bst_programs_build(cap, model, &programs)) {
		fputs("(programs: out of memory)\n\n", out);
	} else {
		bst_print_programs(out, &programs, slowest);
		bst_programs_free(&programs);
	}
	if (bst_units_build(cap, model, &units)) {
		fputs("(units: out of memory)\n\n", out);
	} else {
		bst_print_units(out, cap, &units, slowest);
		bst_units_free_rows(&units);
	}
	if (bst_chains_build(cap, model, boot, &chains)) {
		fputs("(critical chain: out of memory)\n\n", out);
	} else {
		bst_print_chains(out, &chains);
		bst_chains_free(&chains);
	}

	fputs("Milestones\n", out);
	for (i = 0; i < boot->nms; i++) {
		char t[48];

		bst_format_duration(t, sizeof(t), boot->ms[i].t_ns);
		fprintf(out, "  %10s  %s\n", t, boot->ms[i].name);
	}
	if (!boot->nms)
		fputs("  (none)\n", out);
	if (!events)
		return;
	bst_print_inside_probes(out, model);
	fputs("\nEvents\n", out);
	bst_print_table(out, cap, model);
}

/*
 * JSON goes through a bst_writer (json.h): at a million events a stdio
 * call per piece, and printf's parsing of its format, were most of the
 * time. A string literal is put with its length known.
 */
#define PUT_LIT(w, lit) bst_put_mem((w), lit, sizeof(lit) - 1)

/* Milliseconds to the nanosecond, exactly: integer arithmetic, no double. */
static void json_kv_ms(struct bst_writer *out, const char *key, uint64_t ns)
{
	unsigned frac = (unsigned)(ns % 1000000);
	char digits[6];
	int i;

	bst_put_char(out, '"');
	bst_put_str(out, key);
	bst_put_mem(out, "\":", 2);
	bst_put_u64(out, ns / 1000000);
	bst_put_char(out, '.');
	for (i = 5; i >= 0; i--) {
		digits[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	bst_put_mem(out, digits, sizeof(digits));
}

static void put_i64(struct bst_writer *out, int64_t v)
{
	if (v < 0) {
		bst_put_char(out, '-');
		bst_put_u64(out, (uint64_t)0 - (uint64_t)v);
	} else {
		bst_put_u64(out, (uint64_t)v);
	}
}

static const struct bst_kv *kv_base;

static int by_key_then_position(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(kv_base[x].key, kv_base[y].key);

	return c ? c : (x < y ? -1 : (x > y));
}

/* One bit of 64 per key: a key whose bit is new is not a duplicate. */
static uint64_t key_bit(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return (uint64_t)1 << (h >> 26);
}

/*
 * A JSON object of key=value pairs. Keys are unique by the format; keep
 * the first if not. An event's few keys are compared only when their
 * bits collide; many keys (a header, a hostile line) are sorted once, so
 * nothing here is n^2.
 */
static void json_fields(struct bst_writer *out, const struct bst_kv *kv, size_t n)
{
	unsigned char *dup = NULL;
	size_t i, j, *idx = NULL;
	uint64_t seen = 0;
	int first = 1;

	if (n > 64 && (dup = calloc(n, 1)) && (idx = calloc(n, sizeof(*idx)))) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		kv_base = kv;
		qsort(idx, n, sizeof(*idx), by_key_then_position);
		for (i = 1; i < n; i++)
			if (!strcmp(kv[idx[i]].key, kv[idx[i - 1]].key))
				dup[idx[i]] = 1;
	}
	bst_put_char(out, '{');
	for (i = 0; i < n; i++) {
		if (idx) {
			if (dup[i])
				continue;
		} else {
			uint64_t bit = key_bit(kv[i].key);

			if (seen & bit) {
				for (j = 0; j < i && strcmp(kv[j].key, kv[i].key); j++)
					;
				if (j < i)
					continue;
			}
			seen |= bit;
		}
		bst_put_str(out, first ? "" : ",");
		first = 0;
		bst_put_json_str(out, kv[i].key);
		bst_put_char(out, ':');
		bst_put_json_str(out, kv[i].val);
	}
	bst_put_char(out, '}');
	free(dup);
	free(idx);
}

static void json_rc(struct bst_writer *out, const char *key, int64_t rc)
{
	const char *name = rc < 0 && rc > -4096 ? bst_errno_name(-rc) : NULL;

	bst_put_fmt(out, ",\"%s\":", key);
	put_i64(out, rc);
	bst_put_fmt(out, ",\"%s_name\":", key);
	if (name)
		bst_put_json_str(out, name);
	else
		PUT_LIT(out, "null");
}

/* The Startup line's facts: only the phases the capture shows. */
static void json_startup(struct bst_writer *out, const struct bst_boot *boot)
{
	const struct bst_phase *ph = boot->phases;

	bst_put_fmt(out, ",\"startup\":{\"finished\":%s", ph[2].known ? "true" : "false");
	if (ph[0].known) {
		bst_put_char(out, ',');
		json_kv_ms(out, "kernel_ms", ph[0].end_ns - ph[0].start_ns);
	}
	if (ph[1].known) {
		bst_put_char(out, ',');
		json_kv_ms(out, "initrd_ms", ph[1].end_ns - ph[1].start_ns);
	}
	if (ph[2].known) {
		bst_put_char(out, ',');
		json_kv_ms(out, "userspace_ms", ph[2].end_ns - ph[2].start_ns);
	}
	bst_put_char(out, ',');
	json_kv_ms(out, "total_ms", boot->end_ns);
	if (boot->fw.known) {
		uint64_t before = boot->fw.firmware_ns;

		bst_put_char(out, ',');
		json_kv_ms(out, "firmware_ms", boot->fw.firmware_ns);
		if (boot->fw.loader_known) {
			bst_put_char(out, ',');
			json_kv_ms(out, "loader_ms", boot->fw.loader_ns);
			before += boot->fw.loader_ns;
		}
		bst_put_char(out, ',');
		json_kv_ms(out, "total_with_firmware_ms", before + boot->end_ns);
	}
	bst_put_char(out, '}');
}

static void json_units(struct bst_writer *out, const struct bst_units *u)
{
	size_t i;

	PUT_LIT(out, ",\"units\":[");
	for (i = 0; i < u->nrows; i++) {
		const struct bst_unit_row *r = &u->rows[i];

		bst_put_str(out, i ? ",{\"name\":" : "{\"name\":");
		bst_put_json_str(out, r->id);
		PUT_LIT(out, ",\"kind\":");
		bst_put_json_str(out, r->kind);
		PUT_LIT(out, ",\"type\":");
		bst_put_json_str(out, r->type);
		PUT_LIT(out, ",\"state\":");
		bst_put_json_str(out, r->state);
		PUT_LIT(out, ",\"result\":");
		bst_put_json_str(out, r->result);
		bst_put_char(out, ',');
		json_kv_ms(out, "start_ms", r->start_ns);
		if (r->running) {
			PUT_LIT(out, ",\"running\":true");
		} else {
			bst_put_char(out, ',');
			json_kv_ms(out, "duration_ms", r->dur_ns);
		}
		bst_put_char(out, '}');
	}
	bst_put_char(out, ']');
}

static void json_blame(struct bst_writer *out, const struct bst_blame *blame)
{
	size_t i, j;

	PUT_LIT(out, ",\"blame\":[");
	for (i = 0; i < blame->nrows; i++) {
		const struct bst_blame_row *r = &blame->rows[i];

		bst_put_str(out, i ? ",{\"driver\":" : "{\"driver\":");
		bst_put_json_str(out, r->driver);
		PUT_LIT(out, ",\"device\":");
		bst_put_json_str(out, r->device);
		PUT_LIT(out, ",\"identity\":");
		bst_put_json_str(out, r->identity);
		bst_put_fmt(out, ",\"devices\":%zu,\"attempts\":%zu,", r->devices, r->attempts);
		json_kv_ms(out, "total_ms", r->total_ns);
		bst_put_char(out, ',');
		json_kv_ms(out, "longest_ms", r->longest_ns);
		bst_put_fmt(out, ",\"deferred\":%zu,\"failed\":%zu,\"async\":%zu,\"running\":%zu,\"from_kmsg\":%zu",
			r->deferred, r->failed, r->async, r->running, r->kmsg);
		if (r->has_last_rc)
			json_rc(out, "last_rc", r->last_rc);
		PUT_LIT(out, ",\"steps\":[");
		for (j = 0; j < r->nsteps; j++) {
			const struct bst_step_row *s = &r->steps[j];

			bst_put_str(out, j ? ",{\"function\":" : "{\"function\":");
			bst_put_json_str(out, s->function);
			bst_put_fmt(out, ",\"depth\":%zu,\"calls\":%zu,", s->depth, s->calls);
			json_kv_ms(out, "total_ms", s->total_ns);
			if (s->has_ret)
				json_rc(out, "last_ret", s->last_ret);
			bst_put_char(out, '}');
		}
		PUT_LIT(out, "]}");
	}
	bst_put_char(out, ']');
}

static void json_chains(struct bst_writer *out, const struct bst_chains *chains)
{
	size_t c, i;

	PUT_LIT(out, ",\"critical_chains\":[");
	for (c = 0; c < chains->n; c++) {
		const struct bst_chain *ch = &chains->chains[c];

		bst_put_str(out, c ? ",{\"to\":" : "{\"to\":");
		bst_put_json_str(out, ch->to);
		PUT_LIT(out, ",\"links\":[");
		for (i = 0; i < ch->nlinks; i++) {
			const struct bst_link *l = &ch->links[i];

			bst_put_str(out, i ? ",{\"name\":" : "{\"name\":");
			bst_put_json_str(out, l->name);
			PUT_LIT(out, ",\"event\":");
			bst_put_json_str(out, l->probe ? "probe" : l->ev->type);
			PUT_LIT(out, ",\"seq\":");
			bst_put_u64(out, l->ev->seq);
			bst_put_char(out, ',');
			json_kv_ms(out, "time_ms", l->t_ns);
			if (i + 1 < ch->nlinks) {
				bst_put_char(out, ',');
				json_kv_ms(out, "after_ms", l->t_ns - ch->links[i + 1].t_ns);
			}
			if (l->probe && l->probe->end) {
				bst_put_char(out, ',');
				json_kv_ms(out, "duration_ms", l->probe->dur_ns);
				if (l->probe->has_rc)
					json_rc(out, "rc", l->probe->rc);
			}
			if (l->probe) {
				bst_put_fmt(out, ",\"earlier_attempts\":%zu,", l->earlier_attempts);
				json_kv_ms(out, "earlier_attempts_ms", l->earlier_ns);
			}
			bst_put_char(out, '}');
		}
		PUT_LIT(out, "]}");
	}
	bst_put_char(out, ']');
}

static void json_programs(struct bst_writer *out, const struct bst_programs *p)
{
	size_t i, j;

	PUT_LIT(out, ",\"programs\":[");
	for (i = 0; i < p->nrows; i++) {
		const struct bst_program_row *r = &p->rows[i];

		bst_put_str(out, i ? ",{\"name\":" : "{\"name\":");
		bst_put_json_str(out, r->name);
		bst_put_fmt(out, ",\"count\":%zu,\"exited\":%zu,", r->count, r->exited);
		json_kv_ms(out, "total_ms", r->total_ns);
		bst_put_char(out, ',');
		json_kv_ms(out, "longest_ms", r->longest_ns);
		bst_put_char(out, ',');
		json_kv_ms(out, "first_start_ms", r->first_start_ns);
		PUT_LIT(out, ",\"parents\":[");
		for (j = 0; j < r->nparents; j++) {
			bst_put_str(out, j ? ",{\"name\":" : "{\"name\":");
			bst_put_json_str(out, r->parents[j].name);
			bst_put_fmt(out, ",\"count\":%zu}", r->parents[j].count);
		}
		PUT_LIT(out, "]}");
	}
	bst_put_char(out, ']');
}

static void show_json(struct bst_writer *out, const struct bst_capture *cap,
		      const struct bst_model *model, const struct bst_boot *boot,
		      size_t slowest)
{
	const struct bst_span **top = calloc(slowest + 1, sizeof(*top));
	struct bst_blame blame;
	struct bst_chains chains;
	struct bst_programs programs;
	struct bst_units units;
	size_t i, j, m = top ? bst_model_slowest(model, BST_SPAN_PROBE, top, slowest) : 0;

	bst_put_fmt(out, "{\"format_version\":%d,\"source\":", cap->format_version);
	bst_put_json_str(out, cap->name);
	PUT_LIT(out, ",\"header\":");
	json_fields(out, cap->header, cap->nheader);
	json_startup(out, boot);
	PUT_LIT(out, ",\"phases\":[");
	for (i = 0, j = 0; i < BST_PHASES; i++) {
		const struct bst_phase *ph = &boot->phases[i];

		if (!ph->known)
			continue;
		bst_put_fmt(out, "%s{\"name\":\"%s\",", j++ ? "," : "", ph->name);
		json_kv_ms(out, "start_ms", ph->start_ns);
		bst_put_char(out, ',');
		json_kv_ms(out, "end_ms", ph->end_ns);
		bst_put_char(out, ',');
		json_kv_ms(out, "duration_ms", ph->end_ns - ph->start_ns);
		bst_put_char(out, '}');
	}
	PUT_LIT(out, "],\"milestones\":[");
	for (i = 0; i < boot->nms; i++) {
		bst_put_str(out, i ? ",{\"name\":" : "{\"name\":");
		bst_put_json_str(out, boot->ms[i].name);
		bst_put_char(out, ',');
		json_kv_ms(out, "time_ms", boot->ms[i].t_ns);
		PUT_LIT(out, ",\"seq\":");
		bst_put_u64(out, boot->ms[i].ev->seq);
		bst_put_char(out, '}');
	}
	PUT_LIT(out, "],\"slowest_probes\":[");
	for (i = 0; i < m; i++) {
		bst_put_str(out, i ? ",{\"device\":" : "{\"device\":");
		bst_put_json_str(out, top[i]->end->subject);
		PUT_LIT(out, ",\"driver\":");
		bst_put_json_str(out, bst_event_get(top[i]->end, "driver"));
		PUT_LIT(out, ",\"identity\":");
		bst_put_json_str(out, bst_driver_identity(cap, top[i]->end));
		bst_put_char(out, ',');
		json_kv_ms(out, "duration_ms", top[i]->dur_ns);
		if (top[i]->has_rc)
			json_rc(out, "rc", top[i]->rc);
		bst_put_char(out, '}');
	}
	free(top);
	bst_put_char(out, ']');
	/* Out of memory: the keys are null, never silently missing. */
	if (bst_blame_build(cap, model, &blame) == 0) {
		json_blame(out, &blame);
		bst_blame_free(&blame);
	} else {
		PUT_LIT(out, ",\"blame\":null");
	}
	if (bst_programs_build(cap, model, &programs) == 0) {
		json_programs(out, &programs);
		bst_programs_free(&programs);
	} else {
		PUT_LIT(out, ",\"programs\":null");
	}
	if (bst_units_build(cap, model, &units) == 0) {
		json_units(out, &units);
		bst_units_free_rows(&units);
	} else {
		PUT_LIT(out, ",\"units\":null");
	}
	if (bst_chains_build(cap, model, boot, &chains) == 0) {
		json_chains(out, &chains);
		bst_chains_free(&chains);
	} else {
		PUT_LIT(out, ",\"critical_chains\":null");
	}
	PUT_LIT(out, ",\"spans\":[");
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		const struct bst_event *any = sp->end ? sp->end : sp->start;

		bst_put_str(out, i ? ",{\"kind\":\"" : "{\"kind\":\"");
		bst_put_str(out, bst_span_kind_names[sp->kind]);
		PUT_LIT(out, "\",\"subject\":");
		bst_put_json_str(out, any->subject);
		PUT_LIT(out, ",\"driver\":");
		bst_put_json_str(out, bst_event_get(any, "driver"));
		PUT_LIT(out, ",\"start_seq\":");
		bst_put_u64(out, sp->start ? sp->start->seq : 0);
		PUT_LIT(out, ",\"end_seq\":");
		bst_put_u64(out, sp->end ? sp->end->seq : 0);
		bst_put_char(out, ',');
		if (sp->end) {
			json_kv_ms(out, "end_ms", sp->end->t_ns);
			bst_put_char(out, ',');
			json_kv_ms(out, "duration_ms", sp->dur_ns);
		} else {
			PUT_LIT(out, "\"running\":true");
		}
		if (sp->has_rc)
		{
			PUT_LIT(out, ",\"rc\":");
			put_i64(out, sp->rc);
		}
		bst_put_char(out, '}');
	}
	PUT_LIT(out, "],\"events\":[");
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		bst_put_str(out, i ? ",{\"seq\":" : "{\"seq\":");
		bst_put_u64(out, ev->seq);
		PUT_LIT(out, ",\"time_ns\":");
		bst_put_u64(out, ev->t_ns);
		PUT_LIT(out, ",\"event\":");
		bst_put_json_str(out, ev->type);
		PUT_LIT(out, ",\"subject\":");
		bst_put_json_str(out, ev->subject);
		/* No key twice: validate.c refuses such a line. */
		PUT_LIT(out, ",\"fields\":{");
		for (j = 0; j < ev->nkv; j++) {
			bst_put_str(out, j ? "," : "");
			bst_put_json_str(out, bst_event_kv(ev, j).key);
			bst_put_char(out, ':');
			bst_put_json_str(out, bst_event_kv(ev, j).val);
		}
		PUT_LIT(out, "}}");
	}
	PUT_LIT(out, "]}\n");
}

void bst_show_json(FILE *stream, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest)
{
	struct bst_writer *out = malloc(sizeof(*out));

	if (!out) {
		fputs("bootstamps: out of memory\n", stderr);
		return;
	}
	bst_writer_init(out, stream);
	show_json(out, cap, model, boot, slowest);
	bst_writer_flush(out);
	free(out);
}

/* RFC 4180: quote a field that holds a comma or a quote. */
static void csv_field(struct bst_writer *out, const char *s, int last)
{
	size_t n;

	if (!s)
		s = "";
	n = strcspn(s, ",\"");
	if (s[n]) {
		bst_put_char(out, '"');
		for (; *s; s++) {
			if (*s == '"')
				bst_put_char(out, '"');
			bst_put_char(out, *s);
		}
		bst_put_char(out, '"');
	} else {
		bst_put_mem(out, s, n);
	}
	bst_put_char(out, last ? '\n' : ',');
}

/*
 * The events, one row each, in the file's order, for spreadsheets.
 * Through a bst_writer, as JSON is: a stdio call per field was most of
 * the time.
 */
void bst_show_csv(FILE *stream, const struct bst_capture *cap)
{
	static const char *const keys[] = { "driver", "bus", "dur_ns", "rc",
					    "start", "module", "version",
					    "srcversion", "src" };
	const size_t nk = sizeof(keys) / sizeof(keys[0]);
	struct bst_writer *out = malloc(sizeof(*out));
	size_t i, k;

	if (!out) {
		fputs("bootstamps: out of memory\n", stderr);
		return;
	}
	bst_writer_init(out, stream);
	PUT_LIT(out, "seq,time_ns,event,subject");
	for (k = 0; k < nk; k++) {
		bst_put_char(out, ',');
		bst_put_str(out, keys[k]);
	}
	bst_put_char(out, '\n');
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		bst_put_u64(out, ev->seq);
		bst_put_char(out, ',');
		bst_put_u64(out, ev->t_ns);
		bst_put_char(out, ',');
		csv_field(out, ev->type, 0);
		csv_field(out, ev->subject, 0);
		for (k = 0; k < nk; k++)
			csv_field(out, bst_event_get(ev, keys[k]), k + 1 == nk);
	}
	bst_writer_flush(out);
	free(out);
}

struct step_in_probe {
	const struct bst_span *probe, *step;
	size_t depth;
};

static int by_probe_then_start(const void *a, const void *b)
{
	const struct step_in_probe *x = a, *y = b;
	uint64_t sx, sy;

	if (x->probe != y->probe)
		return x->probe < y->probe ? -1 : 1;
	sx = bst_span_start_ns(x->step);
	sy = bst_span_start_ns(y->step);
	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->step < y->step ? -1 : (x->step > y->step);
}

/*
 * Steps timed inside drivers (the `spans` parameter), under the probe that
 * ran them and under each other, by thread and time: each probe that ran
 * steps, then its steps in the order they began. Placed by one sort and
 * one sweep (bst_steps_place), so a million steps cost O(n log n).
 */
void bst_print_inside_probes(FILE *out, const struct bst_model *model)
{
	struct bst_step_place *place = calloc(model->nspans + 1, sizeof(*place));
	struct step_in_probe *steps = calloc(model->nspans + 1, sizeof(*steps));
	size_t i, n = 0;

	if (!place || !steps || bst_steps_place(model, place)) {
		fputs("(steps inside probes: out of memory)\n", out);
		free(place);
		free(steps);
		return;
	}
	for (i = 0; i < model->nspans; i++)
		if (place[i].probe)
			steps[n++] = (struct step_in_probe){ place[i].probe,
				&model->spans[i], place[i].depth };
	qsort(steps, n, sizeof(*steps), by_probe_then_start);
	for (i = 0; i < n; i++) {
		const struct bst_span *p = steps[i].probe, *f = steps[i].step;
		const struct bst_event *pe = p->end ? p->end : p->start;
		int depth = (int)steps[i].depth + 1;
		char d[48], ret[48] = "-";
		int64_t r;

		if (!i)
			fputs("\nInside driver probes\n", out);
		if (!i || steps[i - 1].probe != p) {
			if (p->end)
				bst_format_duration(d, sizeof(d), p->dur_ns);
			else
				snprintf(d, sizeof(d), "running");
			fprintf(out, "  %s %s %10s\n", pe->subject,
				or_dash(bst_event_get(pe, "driver")), d);
		}
		bst_format_duration(d, sizeof(d), f->dur_ns);
		if (bst_event_get_i64(f->end, "ret", &r) == 1)
			bst_format_rc(ret, sizeof(ret), r);
		fprintf(out, "%*s%-*s %10s  ret %s\n", depth * 2, "",
			depth * 2 < 40 ? 40 - depth * 2 : 1, f->end->subject, d, ret);
	}
	free(place);
	free(steps);
}
