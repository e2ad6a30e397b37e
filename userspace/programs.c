// SPDX-License-Identifier: GPL-2.0
/*
 * Time per program: each process (an exec, its exit, or both) named by
 * its name (bst_program_name()), its exit's dur_ns summed per name, and
 * its parent named by the program the parent pid last exec'd before it.
 *
 * A boot may exec hundreds of processes: everything here sorts once and
 * bisects, never process x process.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "programs.h"

struct process {
	char name[BST_PROGRAM_NAME];
	char parent[BST_PROGRAM_NAME];
	int exited;
	uint64_t dur_ns, start_ns;
};

/* An exec (or PID 1's init.exec): which program a pid ran from when. */
struct pid_exec {
	int64_t pid;
	unsigned long seq;
	const struct bst_event *ev;
};

/*
 * The program's name is the event's subject, which the module takes from
 * argv[0] when the file run says nothing (busybox's applets all run
 * /proc/self/exe: docs/format.md). The subject is cut at 15 characters,
 * as the kernel's comm is; when it is the start of the path's last part,
 * that part is the whole name.
 */
void bst_program_name(char *buf, size_t size, const struct bst_event *ev)
{
	const char *path = bst_event_get(ev, "path"), *base = NULL;
	size_t n = strlen(ev->subject);

	if (path && *path) {
		base = strrchr(path, '/');
		base = base && base[1] ? base + 1 : path;
	}
	if (base && (!n || (strlen(base) > n && !strncmp(base, ev->subject, n))))
		snprintf(buf, size, "%s", base);
	else
		snprintf(buf, size, "%s", ev->subject);
}

static int by_pid_then_seq(const void *a, const void *b)
{
	const struct pid_exec *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* The last exec of pid recorded before seq, or NULL. */
static const struct bst_event *exec_before(const struct pid_exec *execs,
					   size_t n, int64_t pid,
					   unsigned long seq)
{
	size_t lo = 0, hi = n;

	/* The first entry that is not (pid, < seq): the one before it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (execs[mid].pid < pid ||
		    (execs[mid].pid == pid && execs[mid].seq < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || execs[lo - 1].pid != pid)
		return NULL;
	return execs[lo - 1].ev;
}

static int is_exec(const struct bst_event *ev)
{
	return ev->type_id == BST_T_EXEC || ev->type_id == BST_T_INIT_EXEC;
}

static struct pid_exec *index_execs(const struct bst_capture *cap, size_t *n)
{
	struct pid_exec *execs;
	size_t i;

	*n = 0;
	execs = calloc(cap->nev + 1, sizeof(*execs));
	if (!execs)
		return NULL;
	for (i = 0; i < cap->nev; i++) {
		int64_t pid;

		if (!is_exec(&cap->ev[i]) ||
		    bst_event_get_i64(&cap->ev[i], "pid", &pid) != 1)
			continue;
		execs[(*n)++] = (struct pid_exec){ pid, cap->ev[i].seq, &cap->ev[i] };
	}
	qsort(execs, *n, sizeof(*execs), by_pid_then_seq);
	return execs;
}

static void parent_name(char *buf, size_t size, const struct bst_event *exec,
			const struct pid_exec *execs, size_t nexecs)
{
	const struct bst_event *parent;
	int64_t ppid;

	if (!exec || bst_event_get_i64(exec, "ppid", &ppid) != 1) {
		snprintf(buf, size, "unknown");
		return;
	}
	parent = exec_before(execs, nexecs, ppid, exec->seq);
	if (parent)
		bst_program_name(buf, size, parent);
	else
		snprintf(buf, size, "pid %" PRId64, ppid);
}

static int by_name_then_parent(const void *a, const void *b)
{
	const struct process *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->parent, y->parent);
}

static int by_count_desc(const void *a, const void *b)
{
	const struct bst_program_parent *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_total_desc(const void *a, const void *b)
{
	const struct bst_program_row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Processes sorted by name and parent, into rows and their parents. */
static void fold_rows(const struct process *procs, size_t n,
		      struct bst_programs *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct process *pr = &procs[i];
		struct bst_program_row *r = p->nrows ? &p->rows[p->nrows - 1] : NULL;

		if (!r || strcmp(r->name, pr->name)) {
			r = &p->rows[p->nrows++];
			memset(r, 0, sizeof(*r));
			memcpy(r->name, pr->name, sizeof(r->name));
			r->parents = &p->parents[p->nparents];
			r->first_start_ns = pr->start_ns;
		}
		if (!r->nparents || strcmp(r->parents[r->nparents - 1].name, pr->parent)) {
			memcpy(r->parents[r->nparents].name, pr->parent,
			       sizeof(pr->parent));
			r->parents[r->nparents++].count = 0;
			p->nparents++;
		}
		r->parents[r->nparents - 1].count++;
		r->count++;
		if (pr->start_ns < r->first_start_ns)
			r->first_start_ns = pr->start_ns;
		if (pr->exited) {
			r->exited++;
			r->total_ns += pr->dur_ns;
			if (pr->dur_ns > r->longest_ns)
				r->longest_ns = pr->dur_ns;
		}
	}
	for (i = 0; i < p->nrows; i++)
		qsort(p->rows[i].parents, p->rows[i].nparents,
		      sizeof(*p->rows[i].parents), by_count_desc);
	qsort(p->rows, p->nrows, sizeof(*p->rows), by_total_desc);
}

int bst_programs_build(const struct bst_capture *cap,
		       const struct bst_model *model,
		       struct bst_programs *p)
{
	struct process *procs = calloc(model->nspans + 1, sizeof(*procs));
	size_t i, n = 0, nexecs;
	struct pid_exec *execs = index_execs(cap, &nexecs);

	memset(p, 0, sizeof(*p));
	if (!procs || !execs)
		goto oom;
	for (i = 0; i < model->nspans; i++) {
		const struct bst_span *sp = &model->spans[i];
		struct process *pr = &procs[n];

		if (sp->kind != BST_SPAN_PROCESS)
			continue;
		bst_program_name(pr->name, sizeof(pr->name), sp->start ? sp->start : sp->end);
		parent_name(pr->parent, sizeof(pr->parent), sp->start, execs, nexecs);
		pr->exited = sp->end != NULL;
		pr->dur_ns = sp->dur_ns;
		pr->start_ns = bst_span_start_ns(sp);
		n++;
	}
	qsort(procs, n, sizeof(*procs), by_name_then_parent);
	p->rows = calloc(n + 1, sizeof(*p->rows));
	p->parents = calloc(n + 1, sizeof(*p->parents));
	if (!p->rows || !p->parents)
		goto oom;
	fold_rows(procs, n, p);
	free(procs);
	free(execs);
	return 0;
oom:
	free(procs);
	free(execs);
	bst_programs_free(p);
	return -1;
}

void bst_programs_free(struct bst_programs *p)
{
	free(p->rows);
	free(p->parents);
	memset(p, 0, sizeof(*p));
}
