// SPDX-License-Identifier: GPL-2.0
/*
 * Pair events into spans. Closing events name the event they close by its
 * sequence number (start=) and carry the kernel's own duration (dur_ns=),
 * so pairing is exact even for nested and concurrent probes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

const char *const bst_span_kind_names[BST_SPAN_KINDS] = {
	"probe", "module", "disk", "process", "fn", "unit",
};

/* Events that open a span, which a later event closes with start=. */
static int is_opening(enum bst_type_id t)
{
	return t == BST_T_PROBE_START || t == BST_T_MODULE_COMING ||
	       t == BST_T_DISK_ADD || t == BST_T_EXEC || t == BST_T_FN_START ||
	       t == BST_T_UNIT_START;
}

static int span_kind(const char *type, enum bst_span_kind *kind)
{
	if (starts_with(type, "probe."))
		*kind = BST_SPAN_PROBE;
	else if (starts_with(type, "module."))
		*kind = BST_SPAN_MODULE;
	else if (starts_with(type, "disk."))
		*kind = BST_SPAN_DISK;
	else if (!strcmp(type, "exec") || !strcmp(type, "exit"))
		*kind = BST_SPAN_PROCESS;
	else if (starts_with(type, "fn."))
		*kind = BST_SPAN_FN;
	else if (starts_with(type, "unit."))
		*kind = BST_SPAN_UNIT;
	else
		return -1;
	return 0;
}

static void model_fail(struct bst_error *err, const struct bst_capture *cap,
		       const struct bst_event *ev, const char *what)
{
	snprintf(err->msg, sizeof(err->msg), "%s:%zu: %s", cap->name, ev->line,
		 what);
}

int bst_model_build(const struct bst_capture *cap, struct bst_model *model,
		    struct bst_error *err)
{
	unsigned char *closed = calloc(cap->nev + 1, 1);
	size_t i;

	memset(model, 0, sizeof(*model));
	model->spans = calloc(cap->nev + 1, sizeof(*model->spans));
	if (!closed || !model->spans) {
		free(closed);
		free(model->spans);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory",
			 cap->name);
		return -1;
	}

	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		struct bst_span sp = { 0 };
		const char *bad = NULL;
		int64_t start, dur;
		int r;

		r = bst_event_get_i64(ev, "start", &start);
		if (r < 0 || (r > 0 && start < 0))
			bad = "start= is not a sequence number";
		else if (r == 0 || span_kind(ev->type, &sp.kind))
			continue;
		else if (bst_event_get_i64(ev, "dur_ns", &dur) <= 0 || dur < 0)
			bad = "a closing event needs dur_ns=<ns>";
		else if ((sp.has_rc = bst_event_get_i64(ev, "rc", &sp.rc)) < 0)
			bad = "rc= is not an integer";
		if (bad) {
			model_fail(err, cap, ev, bad);
			goto fail;
		}
		if (start == 0 && dur == 0)
			continue;	/* an instant, e.g. bootstamps' own load */
		if (start) {
			sp.start = bst_find_seq(cap, (unsigned long)start);
			if (sp.start)
				closed[sp.start - cap->ev] = 1;
		}
		sp.end = ev;
		sp.dur_ns = (uint64_t)dur;
		model->spans[model->nspans++] = sp;
		/*
		 * A closing event of an opening's type (a malformed file can
		 * have one) is in a span already: it must not open another,
		 * or there are more spans than events.
		 */
		closed[i] = 1;
	}

	/* Openings nobody closed were still running when the file was read. */
	for (i = 0; i < cap->nev; i++) {
		struct bst_span sp = { 0 };

		if (closed[i] || !is_opening(cap->ev[i].type_id) ||
		    span_kind(cap->ev[i].type, &sp.kind))
			continue;
		sp.start = &cap->ev[i];
		model->spans[model->nspans++] = sp;
	}
	free(closed);
	return 0;
fail:
	bst_model_free(model);
	free(closed);
	return -1;
}

void bst_model_free(struct bst_model *model)
{
	free(model->spans);
	memset(model, 0, sizeof(*model));
}

static int by_duration_desc(const void *a, const void *b)
{
	const struct bst_span *x = *(const struct bst_span *const *)a;
	const struct bst_span *y = *(const struct bst_span *const *)b;

	if (x->dur_ns != y->dur_ns)
		return x->dur_ns < y->dur_ns ? 1 : -1;
	/* Equal durations: earlier first, so the order is stable. */
	return x->end->seq < y->end->seq ? -1 : 1;
}

/* The n longest finished spans of a kind, longest first. */
size_t bst_model_slowest(const struct bst_model *model,
			 enum bst_span_kind kind,
			 const struct bst_span **out, size_t n)
{
	const struct bst_span **all;
	size_t i, m = 0;

	all = calloc(model->nspans + 1, sizeof(*all));
	if (!all)
		return 0;
	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].kind == kind && model->spans[i].end)
			all[m++] = &model->spans[i];
	qsort(all, m, sizeof(*all), by_duration_desc);
	if (n > m)
		n = m;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/*
 * Milestone names seen so far, hashed: a boot reaches each once, and a
 * capture of many markers or tracked programs must not compare each new
 * name with all the others.
 */
struct name_set {
	size_t *slot;		/* index into boot->ms, plus 1; 0 is free */
	size_t size;		/* a power of two, kept at least twice nms */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t *name_find(const struct name_set *set,
			 const struct bst_boot *boot, const char *name)
{
	size_t i = (size_t)name_hash(name) & (set->size - 1);

	while (set->slot[i] && strcmp(boot->ms[set->slot[i] - 1].name, name))
		i = (i + 1) & (set->size - 1);
	return &set->slot[i];
}

static int name_set_grow(struct name_set *set, const struct bst_boot *boot)
{
	struct name_set bigger = { NULL, set->size ? set->size * 2 : 64 };
	size_t i;

	bigger.slot = calloc(bigger.size, sizeof(*bigger.slot));
	if (!bigger.slot)
		return -1;
	for (i = 0; i < boot->nms; i++)
		*name_find(&bigger, boot, boot->ms[i].name) = i + 1;
	free(set->slot);
	*set = bigger;
	return 0;
}

/* s after buf's first len characters, cut at size - 1; the new length. */
static size_t append(char *buf, size_t len, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n > size - 1 - len)
		n = size - 1 - len;
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
	return len + n;
}

static int add_milestone(struct bst_boot *boot, size_t *cap,
			 struct name_set *seen, const struct bst_event *ev,
			 const char *what, const char *detail)
{
	struct bst_milestone *m;
	char name[sizeof(m->name)];
	size_t *slot, len;

	/* As snprintf("%s %s") would, cut to fit: a call per event is slow. */
	len = append(name, 0, sizeof(name), what);
	if (detail) {
		len = append(name, len, sizeof(name), " ");
		append(name, len, sizeof(name), detail);
	}
	if ((boot->nms + 1) * 2 > seen->size && name_set_grow(seen, boot))
		return -1;
	/* Only the first time a boot reaches a milestone counts. */
	slot = name_find(seen, boot, name);
	if (*slot)
		return 0;
	if (boot->nms == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;

		m = realloc(boot->ms, ncap * sizeof(*m));
		if (!m)
			return -1;
		boot->ms = m;
		*cap = ncap;
	}
	m = &boot->ms[boot->nms++];
	memcpy(m->name, name, sizeof(name));
	m->t_ns = ev->t_ns;
	m->ev = ev;
	*slot = boot->nms;
	return 0;
}

/* The event of a type that happened first (times need not follow seq). */
static const struct bst_event *first_of(const struct bst_capture *cap,
					enum bst_type_id type, const char *key,
					const char *val)
{
	const struct bst_event *best = NULL;
	size_t i;

	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];
		const char *v;

		if (ev->type_id != type)
			continue;
		v = key ? bst_event_get(ev, key) : NULL;
		if (key && (!v || strcmp(v, val)))
			continue;
		if (!best || ev->t_ns < best->t_ns)
			best = ev;
	}
	return best;
}

/*
 * A disk is ready when its partition table was read: a scan that failed
 * (rc not 0; a later one may succeed, and has its own event) is not it.
 */
static int scan_ok(const struct bst_event *ev)
{
	const char *rc = bst_event_get(ev, "rc");

	return !rc || !strcmp(rc, "0");
}

/*
 * Whether a program's first exec and exit are milestones: those named in
 * track= (the "# window" line's track key). In the boot window every
 * process is recorded, hundreds of programs, whose time the programs
 * (programs.c) account for; a capture without a window recorded only
 * tracked programs. Subjects are cut at 15 characters, as comm is.
 */
static int milestone_program(const struct bst_capture *cap, const char *name)
{
	const char *list = bst_header_get(cap, "track");
	size_t n = strlen(name), len;

	if (!bst_header_get(cap, "window") || !list)
		return 1;
	while (*list) {
		len = strcspn(list, ",");
		if ((len == n || (n == 15 && len > n)) && !strncmp(list, name, n))
			return 1;
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

/*
 * Phases: the kernel runs until PID 1 first execs; the initramfs until PID
 * 1 execs from the real root; the real root until the last marker (a boot
 * that marks its end, e.g. with `bootstamps save`, is judged by it) or,
 * without markers, the last event.
 */
int bst_boot_build(const struct bst_capture *cap, struct bst_boot *boot)
{
	const struct bst_event *init_ramfs, *init_root, *first, **order;
	uint64_t last_mark = 0, last = 0;
	struct name_set seen = { NULL, 0 };
	size_t i, mcap = 0;
	int any_mark = 0;

	memset(boot, 0, sizeof(*boot));
	bst_firmware_read(cap, &boot->fw);
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		/*
		 * systemd's units, which save adds, run on long after the boot
		 * (timers, logins): the capture's own events say when it ended.
		 */
		if (bst_is_imported(ev))
			continue;
		if (ev->t_ns > last)
			last = ev->t_ns;
		if (ev->type_id == BST_T_MARK && ev->t_ns >= last_mark) {
			last_mark = ev->t_ns;
			any_mark = 1;
		}
	}
	boot->end_ns = any_mark ? last_mark : last;

	init_ramfs = first_of(cap, BST_T_INIT_EXEC, "phase", "initramfs");
	init_root = first_of(cap, BST_T_INIT_EXEC, "phase", "root");
	first = init_ramfs ? init_ramfs : init_root;
	boot->phases[0] = (struct bst_phase){ "kernel", 0, first ? first->t_ns : 0,
					      first != NULL };
	boot->phases[1] = (struct bst_phase){ "initramfs",
		init_ramfs ? init_ramfs->t_ns : 0,
		init_root ? init_root->t_ns : 0,
		init_ramfs && init_root && init_root->t_ns >= init_ramfs->t_ns };
	boot->phases[2] = (struct bst_phase){ "userspace",
		init_root ? init_root->t_ns : 0, boot->end_ns,
		init_root && boot->end_ns >= init_root->t_ns };

	order = bst_time_order(cap);
	if (!order)
		return -1;
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = order[i];
		const char *t = ev->type;
		enum bst_type_id id = ev->type_id;
		int r = 0;

		if (id == BST_T_INIT_EXEC)
			r = add_milestone(boot, &mcap, &seen, ev, "init.exec",
					  bst_event_get(ev, "path"));
		else if (id == BST_T_ROOT_MOUNT)
			r = add_milestone(boot, &mcap, &seen, ev, "root.mount", NULL);
		else if (id == BST_T_DISK_PARTITIONS && scan_ok(ev)) {
			r = add_milestone(boot, &mcap, &seen, ev, "disk.ready", NULL);
			if (!r)
				r = add_milestone(boot, &mcap, &seen, ev, "disk.ready",
						  ev->subject);
		} else if (id == BST_T_NET_CARRIER || id == BST_T_NET_IPV4 ||
			   id == BST_T_NET_IPV6) {
			const char *scope = bst_event_get(ev, "scope");

			if (scope && strcmp(scope, "global"))
				continue;	/* link-local is not "online" */
			r = add_milestone(boot, &mcap, &seen, ev, t, NULL);
			if (!r)
				r = add_milestone(boot, &mcap, &seen, ev, t, ev->subject);
		} else if (((id == BST_T_EXEC || id == BST_T_EXIT) &&
			    milestone_program(cap, ev->subject)) ||
			   id == BST_T_MARK) {
			r = add_milestone(boot, &mcap, &seen, ev, t, ev->subject);
		}
		if (r) {
			free(order);
			free(seen.slot);
			bst_boot_free(boot);
			return -1;
		}
	}
	free(order);
	free(seen.slot);
	return 0;
}

int bst_is_imported(const struct bst_event *ev)
{
	const char *src = bst_event_get(ev, "src");

	return src && !strcmp(src, "systemd");
}

void bst_boot_free(struct bst_boot *boot)
{
	free(boot->ms);
	memset(boot, 0, sizeof(*boot));
}

/*
 * Identity of the code that ran a probe: the module's version, else its
 * srcversion, else (in-tree drivers have neither) the kernel release.
 */
const char *bst_driver_identity(const struct bst_capture *cap,
				const struct bst_event *ev)
{
	const char *v = bst_event_get(ev, "version");

	if (v && *v)
		return v;
	v = bst_event_get(ev, "srcversion");
	if (v && *v)
		return v;
	v = bst_header_get(cap, "kernel");
	return v && *v ? v : "-";
}

/*
 * Which code ran a probe, as compare --group-by version names it (and export's version_label). A driver built into the
 * kernel, or a module without a MODULE_VERSION (in-tree modules have none;
 * out-of-tree drivers such as Amazon's ENA carry one), is the kernel's own:
 * "in-tree (<kernel release>)", so it is never ordered among version
 * numbers. Anything else is named by its version. (A module's srcversion
 * alone does not tell the two apart: kernels built with
 * CONFIG_MODULE_SRCVERSION_ALL give every module one.)
 */
int bst_driver_version_label(const struct bst_capture *cap,
			     const struct bst_event *ev, char *buf,
			     size_t size)
{
	const char *version = bst_event_get(ev, "version");
	const char *builtin = bst_event_get(ev, "builtin");
	const char *kernel = bst_header_get(cap, "kernel");

	if ((builtin && !strcmp(builtin, "1")) || !version || !*version) {
		snprintf(buf, size, "in-tree (%s)",
			 kernel && *kernel ? kernel : "unknown kernel");
		return 1;
	}
	snprintf(buf, size, "%s", version);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct bst_event *x = *(const struct bst_event *const *)a;
	const struct bst_event *y = *(const struct bst_event *const *)b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* Is a before b in time order (ties: the order recorded)? */
static int time_before(const struct bst_event *a, const struct bst_event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

/*
 * The events in the order they happened (ties: the order recorded).
 * Events backfilled from the kernel log, or known only later, are
 * recorded after events that happened after them. Caller frees.
 *
 * A capture is nearly in time order already (a million-event one has
 * some 3% of its events out of place), so the events are split in one
 * pass into those that come after every event kept so far, in order by
 * construction, and the rest; only the rest are sorted, then the two are
 * merged. A capture in no order at all costs what one sort of it would.
 */
const struct bst_event **bst_time_order(const struct bst_capture *cap)
{
	const struct bst_event **order = calloc(cap->nev + 1, sizeof(*order));
	const struct bst_event **rest = calloc(cap->nev + 1, sizeof(*rest));
	const struct bst_event **kept = order, *last = NULL;
	size_t i, nkept = 0, nrest = 0, a, b, o;

	if (!order || !rest) {
		free(order);
		free(rest);
		return NULL;
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		if (!last || time_before(last, ev)) {
			kept[nkept++] = ev;
			last = ev;
		} else {
			rest[nrest++] = ev;
		}
	}
	if (!nrest) {
		free(rest);
		return order;
	}
	qsort(rest, nrest, sizeof(*rest), by_time);
	/*
	 * Merged from the back into order, where the kept ones are at the
	 * front: a slot is written only after the kept event in it was read.
	 */
	a = nkept;
	b = nrest;
	o = cap->nev;
	while (b) {
		if (a && time_before(rest[b - 1], kept[a - 1]))
			order[--o] = kept[--a];
		else
			order[--o] = rest[--b];
	}
	free(rest);
	return order;
}
