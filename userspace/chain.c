// SPDX-License-Identifier: GPL-2.0
/*
 * Critical chains: what a milestone waited for, and what that waited for,
 * as systemd-analyze critical-chain shows for units. Here the links are
 * only those the capture's keys prove (docs/format.md):
 *
 *   net.ipv4/ipv6 IF <- net.carrier <- net.up <- net.register  (same ifindex=)
 *   net.register, disk.add <- the probe of its parent= by its driver=,
 *                             the attempt running when it happened
 *   disk.partitions <- disk.add (its start=)
 *   disk.first_io <- the latest disk.add of that disk before it
 *   root.mount <- the disk it is on being ready (disk.partitions, dev= or
 *                 the partition's name), else that disk's disk.add
 *   init.exec phase=root <- root.mount (PID 1 runs from the real root)
 *   anything else <- the start of the phase it happened in (PID 1's exec)
 *
 * A link always goes back in time. Interfaces replayed at load (replay=1)
 * have no real times: a chain stops there.
 *
 * Each lookup scans one list prepared once (the events of one type; the
 * probe spans), and there are at most BST_CHAINS_MAX chains of
 * at most BST_CHAIN_LINKS links: linear in the capture's size.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

/* The events chains link through, one list per type. */
enum rel_type { R_DISK_ADD, R_DISK_PARTITIONS, R_NET_REGISTER, R_NET_UP,
		R_NET_CARRIER, R_INIT_EXEC, R_ROOT_MOUNT, R_TYPES };


struct chain_ctx {
	const struct bst_capture *cap;
	const struct bst_event **rel[R_TYPES];
	size_t nrel[R_TYPES];
	const struct bst_span **probes;
	size_t nprobes;
	const struct bst_event *init_ramfs, *init_root;
};

static int rel_type(enum bst_type_id type)
{
	switch (type) {
	case BST_T_DISK_ADD: return R_DISK_ADD;
	case BST_T_DISK_PARTITIONS: return R_DISK_PARTITIONS;
	case BST_T_NET_REGISTER: return R_NET_REGISTER;
	case BST_T_NET_UP: return R_NET_UP;
	case BST_T_NET_CARRIER: return R_NET_CARRIER;
	case BST_T_INIT_EXEC: return R_INIT_EXEC;
	case BST_T_ROOT_MOUNT: return R_ROOT_MOUNT;
	default: return -1;
	}
}

/* Is a strictly before b, in time then in recording order? */
static int before(const struct bst_event *a, const struct bst_event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

static int field_is(const struct bst_event *ev, const char *key, const char *val)
{
	const char *v = bst_event_get(ev, key);

	return v && val && !strcmp(v, val);
}

/* Does partition (or whole-disk) name part belong to disk? vda1, nvme0n1p2. */
static int on_disk(const char *part, const char *disk)
{
	size_t n = strlen(disk);
	const char *p = part + n;

	if (!*disk || strncmp(part, disk, n))
		return 0;
	if (!*p)
		return 1;
	/* The kernel adds "p" before the number when the disk ends in one. */
	if (isdigit((unsigned char)disk[n - 1]) && *p++ != 'p')
		return 0;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

enum match { ANY, BY_SUBJECT, BY_IFINDEX, BY_DEV, BY_DISK_OF };

/* The latest event of a type before ev whose subject/ifindex/dev matches. */
static const struct bst_event *latest_before(const struct chain_ctx *c,
					     const struct bst_event *ev,
					     enum rel_type type, enum match how,
					     const char *what)
{
	const struct bst_event *best = NULL;
	size_t i;

	if (!what || (!*what && how != ANY))
		return NULL;
	for (i = 0; i < c->nrel[type]; i++) {
		const struct bst_event *e = c->rel[type][i];
		int ok;

		if (!before(e, ev))
			continue;
		ok = how == ANY ? 1 :
		     how == BY_SUBJECT ? !strcmp(e->subject, what) :
		     how == BY_IFINDEX ? field_is(e, "ifindex", what) :
		     how == BY_DEV ? field_is(e, "dev", what) :
		     on_disk(what, e->subject);
		/* A failed partition scan did not make the disk ready. */
		if (ok && type == R_DISK_PARTITIONS &&
		    bst_event_get(e, "rc") && !field_is(e, "rc", "0"))
			ok = 0;
		if (ok && (!best || before(best, e)))
			best = e;
	}
	return best;
}

static void event_link(struct bst_link *l, const struct bst_event *ev)
{
	const char *path = bst_event_get(ev, "path");

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s %s", ev->type,
		 !strcmp(ev->type, "init.exec") && path ? path : ev->subject);
	l->ev = ev;
	l->t_ns = ev->t_ns;
}

/*
 * The probe of device by driver that was running at ev (the attempt that
 * registered the disk or interface), with the attempts before it.
 */
static int probe_link(const struct chain_ctx *c, const struct bst_event *ev,
		      struct bst_link *l)
{
	const char *dev = bst_event_get(ev, "parent");
	const char *drv = bst_event_get(ev, "driver");
	const struct bst_span *best = NULL;
	size_t i;

	if (!dev || !*dev || !drv || !*drv)
		return 0;
	for (i = 0; i < c->nprobes; i++) {
		const struct bst_span *sp = c->probes[i];
		const struct bst_event *any = sp->end ? sp->end : sp->start;
		uint64_t start = bst_span_start_ns(sp);

		/* Times first: they rule out most probes without a strcmp. */
		if (start > ev->t_ns || (sp->end && sp->end->t_ns < ev->t_ns))
			continue;
		if (strcmp(any->subject, dev) || !field_is(any, "driver", drv))
			continue;
		if (!best || start >= bst_span_start_ns(best))
			best = sp;
	}
	if (!best)
		return 0;
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "probe %s %s", dev, drv);
	l->ev = best->end ? best->end : best->start;
	l->probe = best;
	l->t_ns = bst_span_start_ns(best);
	for (i = 0; i < c->nprobes; i++) {
		const struct bst_span *sp = c->probes[i];

		if (sp == best || !sp->end || sp->end->t_ns > l->t_ns ||
		    strcmp(sp->end->subject, dev) || !field_is(sp->end, "driver", drv))
			continue;
		l->earlier_attempts++;
		l->earlier_ns += sp->dur_ns;
	}
	return 1;
}

/* What ev waited for: 1 and the link, or 0 where the capture says no more. */
static int waited_for(const struct chain_ctx *c, const struct bst_event *ev,
		      struct bst_link *l)
{
	const char *t = ev->type;
	const struct bst_event *p = NULL;
	int64_t start;

	if (field_is(ev, "replay", "1"))
		return 0;
	if (!strcmp(t, "net.ipv4") || !strcmp(t, "net.ipv6") ||
	    !strcmp(t, "net.carrier") || !strcmp(t, "net.up")) {
		const char *ifx = bst_event_get(ev, "ifindex");

		if (!strcmp(t, "net.ipv4") || !strcmp(t, "net.ipv6"))
			p = latest_before(c, ev, R_NET_CARRIER, BY_IFINDEX, ifx);
		if (!p && strcmp(t, "net.up"))
			p = latest_before(c, ev, R_NET_UP, BY_IFINDEX, ifx);
		if (!p)
			p = latest_before(c, ev, R_NET_REGISTER, BY_IFINDEX, ifx);
	} else if (!strcmp(t, "net.register") || !strcmp(t, "disk.add")) {
		return probe_link(c, ev, l);
	} else if (!strcmp(t, "disk.partitions")) {
		if (bst_event_get_i64(ev, "start", &start) == 1 && start > 0)
			p = bst_find_seq(c->cap, (unsigned long)start);
		if (p && (strcmp(p->type, "disk.add") || !before(p, ev)))
			p = NULL;
	} else if (!strcmp(t, "disk.first_io")) {
		p = latest_before(c, ev, R_DISK_ADD, BY_SUBJECT, ev->subject);
	} else if (!strcmp(t, "root.mount")) {
		p = latest_before(c, ev, R_DISK_PARTITIONS, BY_DEV,
				  bst_event_get(ev, "dev"));
		if (!p && field_is(ev, "by", "initramfs")) {
			p = latest_before(c, ev, R_DISK_PARTITIONS, BY_DISK_OF, ev->subject);
			if (!p)
				p = latest_before(c, ev, R_DISK_ADD, BY_DISK_OF, ev->subject);
		}
	} else if (!strcmp(t, "init.exec") && field_is(ev, "phase", "root")) {
		p = latest_before(c, ev, R_ROOT_MOUNT, ANY, "");
	} else if (strcmp(t, "init.exec")) {
		if (c->init_root && before(c->init_root, ev))
			p = c->init_root;
		else if (c->init_ramfs && before(c->init_ramfs, ev))
			p = c->init_ramfs;
	}
	if (!p)
		return 0;
	event_link(l, p);
	return 1;
}

/* Follow target back as far as the keys go. */
static void follow(const struct chain_ctx *c, const struct bst_event *target,
		   struct bst_chain *ch)
{
	event_link(&ch->links[0], target);
	ch->nlinks = 1;
	while (ch->nlinks < BST_CHAIN_LINKS) {
		const struct bst_link *last = &ch->links[ch->nlinks - 1];

		if (last->probe || !waited_for(c, last->ev, &ch->links[ch->nlinks]))
			break;
		ch->nlinks++;
	}
}

static void ctx_free(struct chain_ctx *c)
{
	int t;

	for (t = 0; t < R_TYPES; t++)
		free(c->rel[t]);
	free(c->probes);
}

int bst_chains_build(const struct bst_capture *cap, const struct bst_model *model,
		     const struct bst_boot *boot, struct bst_chains *out)
{
	struct chain_ctx c = { .cap = cap };
	const struct bst_event *end = NULL;
	int end_is_mark = 0, bad = 0, t;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < cap->nev; i++) {
		int t = rel_type(cap->ev[i].type_id);

		if (t >= 0)
			c.nrel[t]++;
	}
	for (t = 0; t < R_TYPES; t++) {
		c.rel[t] = calloc(c.nrel[t] + 1, sizeof(*c.rel[t]));
		bad |= !c.rel[t];
		c.nrel[t] = 0;
	}
	c.probes = calloc(model->nspans + 1, sizeof(*c.probes));
	out->chains = calloc(BST_CHAINS_MAX, sizeof(*out->chains));
	if (bad || !c.probes || !out->chains) {
		ctx_free(&c);
		bst_chains_free(out);
		return -1;
	}
	for (i = 0; i < cap->nev; i++) {
		const struct bst_event *ev = &cap->ev[i];

		if ((t = rel_type(ev->type_id)) >= 0)
			c.rel[t][c.nrel[t]++] = ev;
		if (t == R_INIT_EXEC) {
			const struct bst_event **first =
				field_is(ev, "phase", "root") ? &c.init_root :
				field_is(ev, "phase", "initramfs") ? &c.init_ramfs : NULL;

			if (first && (!*first || before(ev, *first)))
				*first = ev;
		}
		/* The boot's end: its last marker, else its last event. */
		if (ev->t_ns == boot->end_ns) {
			int mark = ev->type_id == BST_T_MARK;

			if (!end || mark > end_is_mark ||
			    (mark == end_is_mark && before(end, ev))) {
				end = ev;
				end_is_mark = mark;
			}
		}
	}
	for (i = 0; i < model->nspans; i++)
		if (model->spans[i].kind == BST_SPAN_PROBE)
			c.probes[c.nprobes++] = &model->spans[i];

	if (end) {
		follow(&c, end, &out->chains[out->n]);
		snprintf(out->chains[out->n].to, sizeof(out->chains[0].to), "boot end");
		out->n++;
	}
	/* Each interface's first address: what the network waited for. */
	for (i = 0; i < boot->nms; i++) {
		const struct bst_milestone *m = &boot->ms[i];

		if (strncmp(m->name, "net.ipv4 ", 9))
			continue;
		if (out->n == BST_CHAINS_MAX) {
			out->more++;
			continue;
		}
		follow(&c, m->ev, &out->chains[out->n]);
		snprintf(out->chains[out->n].to, sizeof(out->chains[0].to), "%s", m->name);
		out->n++;
	}
	ctx_free(&c);
	return 0;
}

void bst_chains_free(struct bst_chains *chains)
{
	free(chains->chains);
	memset(chains, 0, sizeof(*chains));
}
