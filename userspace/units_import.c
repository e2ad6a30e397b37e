// SPDX-License-Identifier: GPL-2.0
/*
 * `save` imports systemd's units: `systemctl show` run without a shell,
 * its output read within a size and a time bound, parsed leniently (a
 * line it cannot read is counted, never trusted), and each unit that
 * activated written as unit.start / unit.end events on the capture's
 * clock. systemd stamps units with CLOCK_MONOTONIC, the capture is
 * CLOCK_BOOTTIME: they differ by the time the machine spent suspended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "units.h"

/* Timestamps past this many us would overflow ns on the int64 axis. */
#define STAMP_US_MAX ((uint64_t)INT64_MAX / 1000 / 2)

static const struct {
	const char *key;
	enum bst_unit_stamp stamp;
} stamp_keys[] = {
	{ "InactiveExitTimestampMonotonic", BST_U_INACTIVE_EXIT },
	{ "ActiveEnterTimestampMonotonic", BST_U_ACTIVE_ENTER },
	{ "ActiveExitTimestampMonotonic", BST_U_ACTIVE_EXIT },
	{ "InactiveEnterTimestampMonotonic", BST_U_INACTIVE_ENTER },
	{ "ExecMainStartTimestampMonotonic", BST_U_MAIN_START },
	{ "ExecMainExitTimestampMonotonic", BST_U_MAIN_EXIT },
};
#define NSTAMPS (sizeof(stamp_keys) / sizeof(stamp_keys[0]))

/* Text fields: each kept only if it is one printable word that fits. */
enum { F_ID, F_TYPE, F_STATE, F_SUBSTATE, F_RESULT, F_TEXT };
static const char *const text_keys[F_TEXT] = {
	"Id", "Type", "ActiveState", "SubState", "Result",
};

static char *text_field(struct bst_unit_rec *u, int f, size_t *size)
{
	switch (f) {
	case F_ID: *size = sizeof(u->id); return u->id;
	case F_TYPE: *size = sizeof(u->type); return u->type;
	case F_STATE: *size = sizeof(u->state); return u->state;
	case F_SUBSTATE: *size = sizeof(u->substate); return u->substate;
	default: *size = sizeof(u->result); return u->result;
	}
}

static int set_text(char *dst, size_t size, const char *v, size_t n)
{
	size_t i;

	if (!n || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int set_stamp(uint64_t *dst, const char *v, size_t n)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > STAMP_US_MAX)
		return -1;
	*dst = x;
	return 0;
}

struct block {
	struct bst_unit_rec u;
	unsigned seen;		/* a bit per key: a repeated key is junk */
	int any;		/* a line was read into it */
};

static int end_block(struct block *b, struct bst_unit_list *l, size_t *cap)
{
	if (b->any)
		l->blocks++;
	if (b->u.id[0]) {
		if (l->n >= BST_UNITS_MAX) {
			l->over++;
		} else {
			if (l->n == *cap) {
				size_t ncap = *cap ? *cap * 2 : 256;
				struct bst_unit_rec *g = realloc(l->u, ncap * sizeof(*g));

				if (!g)
					return -1;
				l->u = g;
				*cap = ncap;
			}
			l->u[l->n++] = b->u;
		}
	}
	memset(b, 0, sizeof(*b));
	return 0;
}

/* One Key=Value line into the block; 0 read, -1 junk. */
static int read_line_into(struct block *b, const char *line, size_t n)
{
	const char *eq = memchr(line, '=', n);
	size_t klen, vlen, f, size = 0;
	const char *v;
	char *dst;

	if (!eq || eq == line)
		return -1;
	klen = (size_t)(eq - line);
	v = eq + 1;
	vlen = n - klen - 1;
	b->any = 1;
	for (f = 0; f < F_TEXT; f++) {
		if (strlen(text_keys[f]) != klen || memcmp(text_keys[f], line, klen))
			continue;
		if (b->seen & (1u << f))
			return -1;
		b->seen |= 1u << f;
		/* An empty Type= or Result= is systemd's "none": not junk. */
		if (!vlen && f != F_ID)
			return 0;
		dst = text_field(&b->u, (int)f, &size);
		return set_text(dst, size, v, vlen);
	}
	for (f = 0; f < NSTAMPS; f++) {
		if (strlen(stamp_keys[f].key) != klen ||
		    memcmp(stamp_keys[f].key, line, klen))
			continue;
		if (b->seen & (1u << (F_TEXT + f)))
			return -1;
		b->seen |= 1u << (F_TEXT + f);
		if (!vlen)
			return 0;	/* systemd prints never as 0; empty is never too */
		return set_stamp(&b->u.us[stamp_keys[f].stamp], v, vlen);
	}
	return 0;	/* a property we did not ask for: ignored */
}

int bst_units_parse(const char *text, size_t len, struct bst_unit_list *l)
{
	struct block b;
	size_t pos = 0, cap = 0;

	memset(l, 0, sizeof(*l));
	l->fetch_ms = -1;
	memset(&b, 0, sizeof(b));
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl != NULL);
		if (n && line[n - 1] == '\r')
			n--;
		if (!n) {
			if (end_block(&b, l, &cap))
				goto oom;
			continue;
		}
		b.any = 1;
		if (n > BST_UNITS_LINE_MAX || memchr(line, '\0', n) ||
		    read_line_into(&b, line, n))
			l->junk++;
	}
	if (end_block(&b, l, &cap))
		goto oom;
	return 0;
oom:
	bst_units_free(l);
	return -1;
}

void bst_units_free(struct bst_unit_list *l)
{
	free(l->u);
	memset(l, 0, sizeof(*l));
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

void bst_clock_offset_from(int64_t mono1, int64_t boot, int64_t mono2,
			   int64_t *offset_ns, int *suspended)
{
	/*
	 * BOOTTIME is MONOTONIC plus the time spent suspended, exactly: read
	 * between two MONOTONIC reads, it is within half their gap of their
	 * middle when the machine never slept.
	 */
	int64_t gap = mono2 > mono1 ? mono2 - mono1 : 0;
	int64_t d = boot - (mono1 + gap / 2), slack = gap / 2 + 1000;

	if (d <= slack && d >= -slack) {
		*offset_ns = 0;
		*suspended = 0;
	} else {
		*offset_ns = d;
		*suspended = 1;
	}
}

void bst_clock_offset(int64_t *offset_ns, int *suspended)
{
	struct timespec m1, b, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	bst_clock_offset_from(ts_ns(&m1), ts_ns(&b), ts_ns(&m2), offset_ns,
			      suspended);
}

uint64_t bst_unit_time_ns(uint64_t mono_us, int64_t offset_ns)
{
	int64_t t = (int64_t)(mono_us * 1000) + offset_ns;

	return t > 0 ? (uint64_t)t : 0;
}

static const char systemctl_props[] =
	"--property=Id,Type,ActiveState,SubState,Result,"
	"InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic,"
	"ActiveExitTimestampMonotonic,InactiveEnterTimestampMonotonic,"
	"ExecMainStartTimestampMonotonic,ExecMainExitTimestampMonotonic";

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t) / 1000000;
}

static int run_fail(struct bst_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int run_fail(struct bst_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int bst_units_run_systemctl(const char *systemctl, size_t max_bytes,
			    int timeout_ms, char **out, size_t *len,
			    struct bst_error *err)
{
	char *argv[] = { (char *)systemctl, "show", "--all", "--no-pager",
			 (char *)systemctl_props, "*", NULL };
	/* Its own environment: no pager, no colours, no locale surprises. */
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
			 "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", NULL };
	posix_spawn_file_actions_t fa;
	int64_t deadline = now_ms() + timeout_ms;
	size_t got = 0, cap = max_bytes < 65536 ? max_bytes : 65536;
	char *buf = malloc(cap + 1);
	const char *why = NULL;
	int fds[2], status, rc;
	pid_t pid;

	*out = NULL;
	*len = 0;
	if (!buf)
		return run_fail(err, "out of memory");
	if (pipe2(fds, O_CLOEXEC)) {
		free(buf);
		return run_fail(err, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, systemctl, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		free(buf);
		return run_fail(err, "cannot run %s: %s", systemctl, strerror(rc));
	}
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			why = "timeout";
			break;
		}
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			why = rc ? "poll failed" : "timeout";
			break;
		}
		if (got == cap) {
			char *g;

			/* One byte past the bound tells output that ends there from more. */
			if (cap > max_bytes) {
				why = "too much";
				break;
			}
			cap = cap * 2 <= max_bytes ? cap * 2 : max_bytes + 1;
			g = realloc(buf, cap + 1);
			if (!g) {
				why = "out of memory";
				break;
			}
			buf = g;
		}
		n = read(fds[0], buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				why = "read failed";
			break;
		}
		got += (size_t)n;
	}
	close(fds[0]);
	if (why)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (why) {
		free(buf);
		if (!strcmp(why, "timeout"))
			return run_fail(err, "%s show took longer than %d ms: stopped",
					systemctl, timeout_ms);
		if (!strcmp(why, "too much"))
			return run_fail(err, "%s show wrote more than %zu bytes: stopped",
					systemctl, max_bytes);
		return run_fail(err, "%s show: %s", systemctl, why);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(buf);
		if (WIFSIGNALED(status))
			return run_fail(err, "%s show was killed by signal %d",
					systemctl, WTERMSIG(status));
		return run_fail(err, "%s show exited with status %d", systemctl,
				WEXITSTATUS(status));
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/*
 * When a unit's activation ended: when it became active; else, for a unit
 * that ran and stopped without ever being active (a oneshot service) or
 * that failed, when it became inactive. 0: still activating, or unknown.
 */
static uint64_t activation_end_us(const struct bst_unit_rec *u, const char **how)
{
	uint64_t start = u->us[BST_U_INACTIVE_EXIT];

	if (u->us[BST_U_ACTIVE_ENTER] && u->us[BST_U_ACTIVE_ENTER] >= start) {
		*how = "active";
		return u->us[BST_U_ACTIVE_ENTER];
	}
	if (u->us[BST_U_INACTIVE_ENTER] && u->us[BST_U_INACTIVE_ENTER] >= start) {
		*how = "inactive";
		return u->us[BST_U_INACTIVE_ENTER];
	}
	return 0;
}

/* When it began activating; a unit active from systemd's start has only
 * ActiveEnter. 0: it never activated. */
static uint64_t activation_start_us(const struct bst_unit_rec *u)
{
	if (u->us[BST_U_INACTIVE_EXIT])
		return u->us[BST_U_INACTIVE_EXIT];
	return u->us[BST_U_ACTIVE_ENTER];
}

struct unit_event {
	uint64_t t_ns;
	size_t unit;
	int is_end;
};

static int by_time_start_first(const void *a, const void *b)
{
	const struct unit_event *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	if (x->is_end != y->is_end)
		return x->is_end - y->is_end;
	return x->unit < y->unit ? -1 : (x->unit > y->unit);
}

static void put_time(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

static void put_kv(FILE *out, const char *key, const char *val)
{
	fprintf(out, " %s=", key);
	bst_fput_escaped(out, val);
}

static void put_unit_fields(FILE *out, const struct bst_unit_rec *u)
{
	put_kv(out, "kind", bst_unit_kind(u->id));
	put_kv(out, "type", u->type);
	put_kv(out, "state", u->state);
	put_kv(out, "substate", u->substate);
	put_kv(out, "result", u->result);
}

size_t bst_units_write(FILE *out, const struct bst_unit_list *l,
		       unsigned long first_seq, const char *source,
		       int64_t offset_ns, int suspended)
{
	struct unit_event *evs = calloc(2 * l->n + 1, sizeof(*evs));
	unsigned long *start_seq = calloc(l->n + 1, sizeof(*start_seq));
	unsigned long seq = first_seq;
	size_t i, n = 0, units = 0;

	if (!evs || !start_seq) {
		free(evs);
		free(start_seq);
		return 0;
	}
	for (i = 0; i < l->n; i++) {
		const struct bst_unit_rec *u = &l->u[i];
		uint64_t s = activation_start_us(u), e;
		const char *how;

		if (!s)
			continue;	/* never started in this boot */
		units++;
		evs[n++] = (struct unit_event){ bst_unit_time_ns(s, offset_ns), i, 0 };
		e = u->us[BST_U_INACTIVE_EXIT] ? activation_end_us(u, &how) : s;
		if (e)
			evs[n++] = (struct unit_event){ bst_unit_time_ns(e, offset_ns), i, 1 };
	}
	qsort(evs, n, sizeof(*evs), by_time_start_first);
	fprintf(out, "# units units_source=%s units=%zu units_listed=%zu units_unreadable_lines=%zu units_over_limit=%zu monotonic_offset_ns=%" PRId64 " units_suspended=%d",
		source, units, l->n, l->junk, l->over, offset_ns, suspended);
	if (l->fetch_ms >= 0)
		fprintf(out, " units_fetch_ms=%" PRId64, l->fetch_ms);
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		const struct bst_unit_rec *u = &l->u[evs[i].unit];
		const char *how = "active";

		fprintf(out, "%lu ", seq);
		put_time(out, evs[i].t_ns);
		fputs(evs[i].is_end ? " unit.end " : " unit.start ", out);
		bst_fput_escaped(out, u->id);
		put_unit_fields(out, u);
		if (evs[i].is_end) {
			uint64_t s = activation_start_us(u);
			uint64_t ms = u->us[BST_U_MAIN_START], me = u->us[BST_U_MAIN_EXIT];

			if (u->us[BST_U_INACTIVE_EXIT])
				activation_end_us(u, &how);
			put_kv(out, "reached", how);
			fprintf(out, " dur_ns=%" PRIu64 " start=%lu",
				evs[i].t_ns - bst_unit_time_ns(s, offset_ns),
				start_seq[evs[i].unit]);
			if (ms && me >= ms && ms >= s)
				fprintf(out, " main_dur_ns=%" PRIu64, (me - ms) * 1000);
		} else {
			start_seq[evs[i].unit] = seq;
		}
		fputs(" src=systemd\n", out);
		seq++;
	}
	free(evs);
	free(start_seq);
	return units;
}
