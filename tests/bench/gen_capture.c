// SPDX-License-Identifier: GPL-2.0
/*
 * usage: gen_capture -n EVENTS [-s SEED] [-V VERSION] [-j JITTER] [-b] > capture.txt
 *
 *   -n EVENTS   exactly this many event lines (200 to 10000000)
 *   -s SEED     seed of the pseudo-random choices (default 1); same seed, same file
 *   -V VERSION  MODULE_VERSION of the ENA-like driver `ena` and of bst_fixture
 *               (default empty: the in-tree driver, whose identity is the kernel)
 *   -j JITTER   per-boot jitter: every duration of this boot is scaled by one
 *               factor drawn from [1-JITTER, 1+JITTER] (default 0.05)
 *   -b          add the `# saved boot_id=...` header line of a saved capture
 *
 * A synthetic capture in the /proc/bootstamps format (docs/format.md), shaped
 * like the real ones of Debian's cloud kernel under QEMU (tests/vm captures)
 * but of any size, for `make bench` and for scale checks:
 *
 *  - the header lines, bootstamps' own module.live as seq 1, then the kernel-log
 *    backfill (src=kmsg): kernel.start, probes of built-in drivers, many with
 *    driver= empty, nvme's lines, the initramfs' /init. They are recorded after
 *    the load but happened before it, so times do not follow seq there;
 *  - module.coming/module.live around the probes of the drivers each module
 *    registers, synchronous ones on the loading thread (virtio_pci's probe
 *    nesting virtio_blk's or virtio_net's), asynchronous ones (async=1) on
 *    kworker threads of several CPUs, overlapping each other and later loads;
 *  - an ENA-like driver whose probes of each device fail several times
 *    (rc=-517, sometimes -62) before one binds, each attempt holding timed
 *    steps on the probing thread (fn.start/fn.end of ena_device_init around
 *    ena_com_dev_reset, ret=-62), the "steps inside probes" of the spans feature;
 *  - disks (disk.add, disk.first_io, disk.partitions, recorded at completion),
 *    interfaces (net.register inside the probe, later net.up, net.carrier,
 *    net.ipv6, net.ipv4), the root filesystem (fs.mount, switch_root, then
 *    root.mount recorded after it with the mount's time), init.exec, tracked
 *    programs (exec/exit), cloud-init's markers and a final `boot-done`.
 *
 * Events are numbered in the order they are recorded (which is their time,
 * except for the backfill and the events known only later), so the file is
 * sorted by seq. Deterministic: the output depends only on the arguments.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000ULL
#define US 1000ULL
#define NO_REF UINT32_MAX
#define REF_MARK '\001'	/* where the seq of the referenced event goes */
#define WORKERS 4
#define CPUS 4

struct rec {
	uint64_t t;		/* when it happened */
	uint64_t recorded;	/* when it was recorded: orders seq */
	uint64_t text;		/* offset in the arena: "<event> <subject> <keys>" */
	uint32_t ref;		/* index of the event named by start=/mount= */
	uint32_t order;		/* creation order, breaks ties */
	int kmsg;		/* from the kernel log: local= at µs, other offset */
};

static struct rec *recs;
static size_t nrecs, recs_cap, budget;
static char *arena;
static size_t arena_len, arena_cap;
static uint64_t rng_state;
static double boot_factor, ena_factor;
static int ena_failures;	/* typical failed attempts of this version */
static const char *version = "";
static char srcversion[24];
static const char *kernel = "6.1.0-57-cloud-amd64";
static const int64_t local_offset = -35273958, load_local_offset = -35268812;

static void die(const char *what)
{
	fprintf(stderr, "gen_capture: %s\n", what);
	exit(2);
}

/* splitmix64: small, fast, the same everywhere (rand() is not). */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static double uniform(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A duration of this boot: nominal ns, this boot's factor, ±10% noise. */
static uint64_t dur(uint64_t lo, uint64_t hi)
{
	double d = (double)lo + uniform() * (double)(hi - lo);

	d *= boot_factor * (0.9 + 0.2 * uniform());
	return d < 1000 ? 1000 : (uint64_t)d;
}

static uint32_t add_text(uint64_t t, uint64_t recorded, int kmsg, uint32_t ref,
			 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (nrecs == recs_cap) {
		recs_cap = recs_cap ? recs_cap * 2 : 4096;
		recs = realloc(recs, recs_cap * sizeof(*recs));
		if (!recs)
			die("out of memory");
	}
	if (arena_cap - arena_len < 512) {
		arena_cap = arena_cap ? arena_cap * 2 : 1 << 20;
		arena = realloc(arena, arena_cap);
		if (!arena)
			die("out of memory");
	}
	va_start(ap, fmt);
	n = vsnprintf(arena + arena_len, 512, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= 512)
		die("event text too long");
	recs[nrecs] = (struct rec){ t, recorded, arena_len, ref,
				    (uint32_t)nrecs, kmsg };
	arena_len += (size_t)n + 1;
	return (uint32_t)nrecs++;
}

/* Most events are recorded as they happen. */
#define live(t, ref, ...) add_text((t), (t), 0, (ref), __VA_ARGS__)

static size_t left(void)
{
	return budget > nrecs ? budget - nrecs : 0;
}

/* Device and interface names, unique within the boot. */
static unsigned pci_next = 0x10, virtio_next, disk_next, net_next = 2,
		 loop_next, pid_next = 200;

static void pci_name(char *buf, size_t len)
{
	unsigned n = pci_next++;

	snprintf(buf, len, "0000:%02x:%02x.%u", (n >> 8) & 0xff, (n >> 3) & 0x1f,
		 n & 7);
}

static void disk_name(char *buf, size_t len, const char *prefix)
{
	unsigned n = disk_next++;
	char letters[8];
	int i = 7;

	letters[i] = 0;
	do {
		letters[--i] = (char)('a' + n % 26);
		n /= 26;
	} while (n-- && i > 0);
	snprintf(buf, len, "%s%s", prefix, letters + i);
}

/* The workers of async probing: when each is free. */
static uint64_t worker_free[WORKERS];

static int pick_worker(uint64_t now)
{
	int w, best = 0;

	for (w = 1; w < WORKERS; w++)
		if (worker_free[w] < worker_free[best])
			best = w;
	if (worker_free[best] < now)
		worker_free[best] = now;
	return best;
}

struct thread {
	int pid, cpu, async;
	char comm[24];
};

static struct thread worker_thread(int w)
{
	struct thread th = { 29 + w, (int)below(CPUS), 1, "" };

	snprintf(th.comm, sizeof(th.comm), "kworker/u%d:%d", 2 * CPUS, w);
	return th;
}

struct driver {
	const char *module, *driver, *bus;
	enum { PLAIN, STORAGE, NET } what;
	uint64_t lo, hi;	/* probe time, ns */
};

static const struct driver plain_drivers[] = {
	{ "snd_hda_intel", "snd_hda_intel", "pci", PLAIN, 2 * MS, 40 * MS },
	{ "i2c_piix4", "piix4_smbus", "pci", PLAIN, 300 * US, 3 * MS },
	{ "xhci_pci", "xhci_hcd", "pci", PLAIN, 5 * MS, 30 * MS },
	{ "usbhid", "usbhid", "usb", PLAIN, 200 * US, 2 * MS },
	{ "virtio_balloon", "virtio_balloon", "virtio", PLAIN, 100 * US, 1 * MS },
	{ "virtio_console", "virtio_console", "virtio", PLAIN, 500 * US, 4 * MS },
	{ "ahci", "ahci", "pci", STORAGE, 10 * MS, 120 * MS },
	{ "nvme", "nvme", "pci", STORAGE, 2 * MS, 15 * MS },
	{ "e1000e", "e1000e", "pci", NET, 20 * MS, 90 * MS },
	{ "ixgbe", "ixgbe", "pci", NET, 30 * MS, 200 * MS },
};

static int ifindex_next = 2;

/* An interface's later life: up, link, addresses, at times after now. */
static void net_later(uint64_t reg, const char *ifname, int ifindex,
		      const char *parent, const char *drv)
{
	uint64_t up = reg + dur(200 * MS, 3000 * MS);
	uint64_t carrier = up + dur(50 * US, 40 * MS);
	uint64_t v6 = carrier + dur(2 * MS, 10 * MS);
	uint64_t v4 = carrier + dur(100 * MS, 400 * MS);

	live(up, NO_REF, "net.up %s ifindex=%d parent=%s driver=%s", ifname,
	     ifindex, parent, drv);
	live(carrier, NO_REF, "net.carrier %s ifindex=%d parent=%s driver=%s",
	     ifname, ifindex, parent, drv);
	live(v6, NO_REF,
	     "net.ipv6 %s ifindex=%d addr=fe80::5054:ff:fe12:%04x/64 scope=link parent=%s driver=%s",
	     ifname, ifindex, ifindex & 0xffff, parent, drv);
	live(v4, NO_REF,
	     "net.ipv4 %s ifindex=%d addr=10.%d.%d.%d/24 parent=%s driver=%s",
	     ifname, ifindex, (ifindex >> 16) & 0xff, (ifindex >> 8) & 0xff,
	     ifindex & 0xff, parent, drv);
}

#define NET_EVENTS 5	/* register + net_later's four */
#define DISK_EVENTS 3

/* What a probe does inside: its disk or its interface. */
static void probe_body(const struct driver *d, uint64_t s, uint64_t e,
		       const char *dev, const struct thread *th,
		       char *root_disk, size_t root_len)
{
	char name[32];

	if (d->what == STORAGE) {
		uint64_t add = s + (e - s) / 3, io = add + (e - add) / 4;
		uint64_t io_dur = dur(300 * US, 3 * MS), scan = add + (e - add) / 2;
		unsigned minor = disk_next * 16;
		uint32_t a;

		if (!strcmp(d->driver, "nvme"))
			snprintf(name, sizeof(name), "nvme%un1", disk_next++);
		else
			disk_name(name, sizeof(name),
				  strcmp(d->driver, "virtio_blk") ? "sd" : "vd");
		if (root_disk && !*root_disk)
			snprintf(root_disk, root_len, "%s", name);
		a = live(add, NO_REF, "disk.add %s parent=%s driver=%s", name, dev,
			 d->driver);
		/* Recorded when it completes: after events that came later. */
		add_text(io, io + io_dur, 0, NO_REF,
			 "disk.first_io %s rc=0 dur_ns=%llu pid=%d comm=%s", name,
			 (unsigned long long)io_dur, th->pid, th->comm);
		if (io + io_dur > scan)
			scan = io + io_dur + 20 * US;
		live(scan, a,
		     "disk.partitions %s count=%d dev=254:%u rc=0 dur_ns=%llu start=\001",
		     name, (int)below(4), minor & 0xfffff,
		     (unsigned long long)(scan - add));
	} else if (d->what == NET) {
		uint64_t reg = s + (e - s) * 3 / 4;
		int ifindex = ifindex_next++;

		snprintf(name, sizeof(name), "eth%u", net_next++ - 2);
		live(reg, NO_REF, "net.register %s ifindex=%d parent=%s driver=%s",
		     name, ifindex, dev, d->driver);
		net_later(reg, name, ifindex, dev, d->driver);
	}
}

static size_t body_events(const struct driver *d)
{
	return d->what == STORAGE ? DISK_EVENTS : d->what == NET ? NET_EVENTS : 0;
}

static void probe(const struct driver *d, uint64_t s, uint64_t e,
		  const char *dev, const struct thread *th, const char *ver,
		  const char *srcver, int rc, char *root_disk, size_t root_len)
{
	uint32_t p = live(s, NO_REF,
			  "probe.start %s driver=%s bus=%s module=%s version=%s srcversion=%s builtin=0 async=%d cpu=%d pid=%d comm=%s",
			  dev, d->driver, d->bus, d->module, ver, srcver,
			  th->async, th->cpu, th->pid, th->comm);

	if (!rc)
		probe_body(d, s, e, dev, th, root_disk, root_len);
	live(e, p,
	     "probe.end %s driver=%s bus=%s rc=%d dur_ns=%llu start=\001 module=%s version=%s srcversion=%s builtin=0 async=%d cpu=%d pid=%d comm=%s",
	     dev, d->driver, d->bus, rc, (unsigned long long)(e - s), d->module,
	     ver, srcver, th->async, th->cpu, th->pid, th->comm);
}

struct loader {
	uint64_t now;
	struct thread th;
};

static struct loader new_loader(uint64_t now, const char *comm)
{
	struct loader l = { now, { pid_next++, (int)below(CPUS), 0, "" } };

	snprintf(l.th.comm, sizeof(l.th.comm), "%s", comm);
	return l;
}

/* A module whose init registers a driver that probes n devices. */
static void plain_module(struct loader *l, const struct driver *d, int ndev)
{
	uint64_t coming = l->now, t;
	uint32_t c;
	int i, async = ndev > 1 && below(3) == 0;

	c = live(coming, NO_REF, "module.coming %s version= srcversion=",
		 d->module);
	t = coming + dur(300 * US, 3 * MS);
	for (i = 0; i < ndev; i++) {
		char dev[32];
		uint64_t s, e;

		if (!strcmp(d->bus, "pci"))
			pci_name(dev, sizeof(dev));
		else if (!strcmp(d->bus, "usb"))
			snprintf(dev, sizeof(dev), "1-%u:1.0", pci_next++);
		else
			snprintf(dev, sizeof(dev), "virtio%u", virtio_next++);
		if (async) {
			int w = pick_worker(t);
			struct thread th = worker_thread(w);

			s = worker_free[w] + dur(20 * US, 200 * US);
			e = s + dur(d->lo, d->hi);
			worker_free[w] = e;
			probe(d, s, e, dev, &th, "", "", 0, NULL, 0);
		} else {
			s = t + dur(20 * US, 200 * US);
			e = s + dur(d->lo, d->hi);
			probe(d, s, e, dev, &l->th, "", "", 0, NULL, 0);
			t = e;
		}
	}
	t += dur(50 * US, 500 * US);
	live(t, c, "module.live %s dur_ns=%llu start=\001 version= srcversion=",
	     d->module, (unsigned long long)(t - coming));
	l->now = t + dur(1 * MS, 30 * MS);
}

static const struct driver virtio_pci = { "virtio_pci", "virtio-pci", "pci",
					  PLAIN, 0, 0 };
static const struct driver virtio_blk = { "virtio_blk", "virtio_blk",
					  "virtio", STORAGE, 8 * MS, 30 * MS };
static const struct driver virtio_net = { "virtio_net", "virtio_net",
					  "virtio", NET, 10 * MS, 25 * MS };

/* virtio_pci's probe of each function runs its child's probe inside it. */
static void virtio_module(struct loader *l, int ndev, char *root_disk,
			  size_t root_len)
{
	static const char ver[] = "1", srcver[] = "2526A0E335FCA2331138131";
	uint64_t coming = l->now, t;
	uint32_t c;
	int i;

	c = live(coming, NO_REF, "module.coming virtio_pci version=%s srcversion=%s",
		 ver, srcver);
	t = coming + dur(1 * MS, 4 * MS);
	for (i = 0; i < ndev; i++) {
		const struct driver *child = (i % 2) ? &virtio_net : &virtio_blk;
		char dev[32], vdev[32];
		uint64_t s = t + dur(20 * US, 100 * US), cs, ce, e;
		uint32_t p;

		pci_name(dev, sizeof(dev));
		snprintf(vdev, sizeof(vdev), "virtio%u", virtio_next++);
		p = live(s, NO_REF,
			 "probe.start %s driver=%s bus=pci module=virtio_pci version=%s srcversion=%s builtin=0 async=0 cpu=%d pid=%d comm=%s",
			 dev, virtio_pci.driver, ver, srcver, l->th.cpu, l->th.pid,
			 l->th.comm);
		cs = s + dur(3 * MS, 9 * MS);
		ce = cs + dur(child->lo, child->hi);
		probe(child, cs, ce, vdev, &l->th, "", "", 0, root_disk, root_len);
		e = ce + dur(100 * US, 1 * MS);
		live(e, p,
		     "probe.end %s driver=%s bus=pci rc=0 dur_ns=%llu start=\001 module=virtio_pci version=%s srcversion=%s builtin=0 async=0 cpu=%d pid=%d comm=%s",
		     dev, virtio_pci.driver, (unsigned long long)(e - s), ver,
		     srcver, l->th.cpu, l->th.pid, l->th.comm);
		t = e;
	}
	t += dur(200 * US, 1 * MS);
	live(t, c, "module.live virtio_pci dur_ns=%llu start=\001 version=%s srcversion=%s",
	     (unsigned long long)(t - coming), ver, srcver);
	l->now = t + dur(20 * MS, 90 * MS);
}

static const struct driver ena = { "ena", "ena", "pci", NET, 0, 0 };
#define ENA_ATTEMPT_EVENTS 6

/*
 * ENA's probe on a device whose admin queue does not answer: the reset
 * times out (-62), the probe defers (-517), the driver core retries on a
 * worker. Every attempt holds the two timed steps, on its own thread.
 */
static uint64_t ena_attempt(uint64_t s, const char *dev,
			    const struct thread *th, int ok)
{
	uint64_t f1 = s + dur(5 * MS, 10 * MS), f2 = f1 + dur(40 * US, 90 * US);
	uint64_t reset = ok ? dur(20 * MS, 60 * MS)
			    : (uint64_t)((double)dur(800 * MS, 1300 * MS) * ena_factor);
	uint64_t f2e = f2 + reset, f1e = f2e + dur(100 * US, 2 * MS);
	uint64_t e = f1e + dur(5 * MS, 40 * MS);
	int ret = ok ? 0 : -62, rc = ok ? 0 : (below(5) ? -517 : -62);
	uint32_t p, a, b;

	p = live(s, NO_REF,
		 "probe.start %s driver=ena bus=pci module=ena version=%s srcversion=%s builtin=0 async=%d cpu=%d pid=%d comm=%s",
		 dev, version, srcversion, th->async, th->cpu, th->pid, th->comm);
	a = live(f1, NO_REF, "fn.start ena_device_init module=ena pid=%d comm=%s",
		 th->pid, th->comm);
	b = live(f2, NO_REF, "fn.start ena_com_dev_reset module=ena pid=%d comm=%s",
		 th->pid, th->comm);
	live(f2e, b,
	     "fn.end ena_com_dev_reset module=ena ret=%d dur_ns=%llu start=\001 pid=%d comm=%s",
	     ret, (unsigned long long)(f2e - f2), th->pid, th->comm);
	live(f1e, a,
	     "fn.end ena_device_init module=ena ret=%d dur_ns=%llu start=\001 pid=%d comm=%s",
	     ret, (unsigned long long)(f1e - f1), th->pid, th->comm);
	if (ok)
		probe_body(&ena, s, e, dev, th, NULL, 0);
	live(e, p,
	     "probe.end %s driver=ena bus=pci rc=%d dur_ns=%llu start=\001 module=ena version=%s srcversion=%s builtin=0 async=%d cpu=%d pid=%d comm=%s",
	     dev, rc, (unsigned long long)(e - s), version, srcversion,
	     th->async, th->cpu, th->pid, th->comm);
	return e;
}

/* Events of ENA's module with these failed attempts per device. */
static size_t ena_events(const int *fails, int ndev)
{
	size_t n = 2;
	int i;

	for (i = 0; i < ndev; i++)
		n += (size_t)(fails[i] + 1) * ENA_ATTEMPT_EVENTS + NET_EVENTS;
	return n;
}

static int ena_fails(void)
{
	int f = ena_failures + (int)below(3) - 1;

	return f < 1 ? 1 : f;
}

static uint64_t earliest_worker(void)
{
	uint64_t t = worker_free[0];
	int w;

	for (w = 1; w < WORKERS; w++)
		if (worker_free[w] < t)
			t = worker_free[w];
	return t;
}

/*
 * ENA's module: the first attempt of each device in its init, on the
 * loader; then deferred retries on workers, overlapping other devices'.
 */
static void ena_module(struct loader *l, const int *fails, int ndev)
{
	uint64_t coming = l->now, t, ends[3];
	char devs[3][32];
	uint32_t c;
	int i, k;

	c = live(coming, NO_REF, "module.coming ena version=%s srcversion=%s",
		 version, srcversion);
	t = coming + dur(5 * MS, 20 * MS);
	/* The first attempts run in the module's init, one device after the other. */
	for (i = 0; i < ndev; i++) {
		pci_name(devs[i], sizeof(devs[i]));
		ends[i] = ena_attempt(t + dur(1 * MS, 10 * MS), devs[i], &l->th, 0);
		t = ends[i];
	}
	t += dur(200 * US, 2 * MS);
	live(t, c, "module.live ena dur_ns=%llu start=\001 version=%s srcversion=%s",
	     (unsigned long long)(t - coming), version, srcversion);
	for (i = 0; i < ndev; i++) {
		uint64_t s = ends[i];

		for (k = 1; k <= fails[i]; k++) {
			/* The driver core retries after other drivers bind. */
			int w = pick_worker(s + dur(1 * MS, 200 * MS));
			struct thread th = worker_thread(w);

			s = ena_attempt(worker_free[w] + dur(100 * US, 30 * MS),
					devs[i], &th, k == fails[i]);
			worker_free[w] = s;
		}
	}
	/* Loading goes on once a worker is free: retries and loads interleave. */
	t += dur(20 * MS, 60 * MS);
	l->now = t > earliest_worker() ? t : earliest_worker();
}

static void fixture_module(struct loader *l)
{
	uint64_t coming = l->now, s, f, fe, e, t;
	uint32_t c, p, a;

	c = live(coming, NO_REF, "module.coming bst_fixture version=%s srcversion=%s",
		 version, srcversion);
	s = coming + dur(500 * US, 15 * MS);
	f = s + dur(200 * US, 400 * US);
	fe = f + dur(10 * MS, 100 * MS);
	e = fe + dur(300 * US, 800 * US);
	p = live(s, NO_REF,
		 "probe.start 0000:00:02.0 driver=bst_fixture bus=pci module=bst_fixture version=%s srcversion=%s builtin=0 async=0 cpu=%d pid=%d comm=%s",
		 version, srcversion, l->th.cpu, l->th.pid, l->th.comm);
	a = live(f, NO_REF, "fn.start bst_fixture_wait module=bst_fixture pid=%d comm=%s",
		 l->th.pid, l->th.comm);
	live(fe, a,
	     "fn.end bst_fixture_wait module=bst_fixture ret=0 dur_ns=%llu start=\001 pid=%d comm=%s",
	     (unsigned long long)(fe - f), l->th.pid, l->th.comm);
	live(e, p,
	     "probe.end 0000:00:02.0 driver=bst_fixture bus=pci rc=0 dur_ns=%llu start=\001 module=bst_fixture version=%s srcversion=%s builtin=0 async=0 cpu=%d pid=%d comm=%s",
	     (unsigned long long)(e - s), version, srcversion, l->th.cpu,
	     l->th.pid, l->th.comm);
	t = e + dur(300 * US, 1 * MS);
	live(t, c, "module.live bst_fixture dur_ns=%llu start=\001 version=%s srcversion=%s",
	     (unsigned long long)(t - coming), version, srcversion);
	l->now = t + dur(5 * MS, 20 * MS);
}

/* loop: disks added empty, parent= driver= (no device probed them). */
static void loop_module(struct loader *l, int ndisk)
{
	uint64_t coming = l->now, t = coming;
	uint32_t c;
	int i;

	c = live(coming, NO_REF, "module.coming loop version= srcversion=");
	for (i = 0; i < ndisk; i++) {
		t += dur(1 * MS, 3 * MS);
		live(t, NO_REF, "disk.add loop%u parent= driver=", loop_next++);
	}
	t += dur(1 * MS, 5 * MS);
	live(t, c, "module.live loop dur_ns=%llu start=\001 version= srcversion=",
	     (unsigned long long)(t - coming));
	l->now = t + dur(5 * MS, 40 * MS);
}

/* A tracked program's run: exec, and its exit. */
static uint64_t program(uint64_t t, const char *name, const char *path,
			uint64_t lo, uint64_t hi)
{
	int pid = pid_next++;
	uint64_t e = t + dur(lo, hi);
	uint32_t x = live(t, NO_REF, "exec %s path=%s pid=%d ppid=1", name, path,
			  pid);

	live(e, x, "exit %s pid=%d status=0 dur_ns=%llu start=\001", name, pid,
	     (unsigned long long)(e - t));
	return e;
}

/*
 * A line of the kernel log: its time is the log's local_clock() at µs,
 * moved to CLOCK_BOOTTIME; it is read back just after the load, in the log's
 * order (which is time's), so after events that happened later.
 */
#define kmsg(loaded, when, ...)                                               \
	do {                                                                  \
		uint64_t kt_ = (((when) + (uint64_t)load_local_offset) / US) * \
				       US -                                    \
			       (uint64_t)load_local_offset;                    \
		add_text(kt_, (loaded) + 2 * MS + kt_ / 1000, 1, NO_REF,       \
			 __VA_ARGS__);                                         \
	} while (0)

/* The kernel log's part: what happened before bootstamps loaded. */
static void backfill(uint64_t loaded, uint64_t init, size_t nprobes)
{
	static const char *const builtin[] = { "serial8250", "i8042",
					       "alarmtimer", "rtc_cmos" };
	static const char *const anon[] = { "00:%02u", "cpu%u", "serio%u",
					    "PNP0103:%02u" };
	uint64_t span = init - 600 * MS, t;
	size_t i;

	kmsg(loaded, (uint64_t)-load_local_offset,
	     "kernel.start linux release=%s src=kmsg", kernel);
	for (i = 0; i < nprobes; i++) {
		uint64_t d = dur(40 * US, 25 * MS);
		int named = below(5) < 2;
		char dev[32];

		t = 300 * MS + span * i / nprobes + below(span / nprobes + 1);
		if (named)
			snprintf(dev, sizeof(dev), "%s.%zu", builtin[i % 4], i);
		else
			snprintf(dev, sizeof(dev), anon[i % 4], (unsigned)i);
		kmsg(loaded, t,
		     "probe.end %s driver=%s bus=%s rc=%d dur_ns=%llu start=0 module= version= srcversion= builtin=%d async=0 cpu=0 pid=0 comm= src=kmsg",
		     dev, named ? builtin[i % 4] : "", named ? "platform" : "",
		     below(8) ? 0 : -19, (unsigned long long)d, named);
		if (i == nprobes / 2) {
			/* nvme is built in: the log is all there is of it. */
			kmsg(loaded, t + 1 * MS,
			     "nvme.probe nvme0 device=0000:00:04.0 src=kmsg");
			kmsg(loaded, t + 2 * MS,
			     "probe.end 0000:00:04.0 driver=nvme bus=pci rc=0 dur_ns=%llu start=0 module=nvme version= srcversion= builtin=1 async=0 cpu=0 pid=0 comm= src=kmsg",
			     (unsigned long long)dur(3 * MS, 12 * MS));
			kmsg(loaded, t + 140 * MS, "nvme.queues nvme0 queues=2/0/0 src=kmsg");
			kmsg(loaded, t + 200 * MS, "disk.partitions nvme0n1 count=2 src=kmsg");
		}
	}
	kmsg(loaded, init - 35 * MS, "kernel.init_freed linux src=kmsg");
	kmsg(loaded, init, "init.exec init path=/init pid=1 phase=initramfs src=kmsg");
}

/* Modules loaded until the budget (less what must follow) is used. */
static void modules(struct loader *l, size_t reserve, size_t share)
{
	size_t stop = nrecs + (left() > reserve ? left() - reserve : 0) * share / 100;
	int tries;

	for (tries = 0; tries < 20 && nrecs + 2 < stop;) {
		uint64_t r = below(100);
		size_t room = stop - nrecs;

		if (r < 8) {
			int fails[3], ndev = 1 + (int)below(3), i;

			for (i = 0; i < ndev; i++)
				fails[i] = ena_fails();
			if (ena_events(fails, ndev) > room)
				goto full;
			ena_module(l, fails, ndev);
		} else if (r < 14) {
			int npairs = 1 + (int)below(2);

			if (2 + (size_t)npairs * (7 + 9) > room)
				goto full;
			virtio_module(l, 2 * npairs, NULL, 0);
		} else if (r < 18) {
			int ndisk = 1 + (int)below(8);

			if (2 + (size_t)ndisk > room)
				goto full;
			loop_module(l, ndisk);
		} else {
			const struct driver *d = &plain_drivers[below(
				sizeof(plain_drivers) / sizeof(plain_drivers[0]))];
			int ndev = 1 + (int)below(4);

			if (2 + (size_t)ndev * (2 + body_events(d)) > room)
				goto full;
			plain_module(l, d, ndev);
		}
		continue;
full:
		tries++;	/* too big for what is left: try a smaller one */
	}
	/* Small modules to land on the count exactly. */
	while (nrecs + 2 <= stop) {
		uint64_t coming = l->now, t = coming + dur(100 * US, 900 * US);
		uint32_t c = live(coming, NO_REF,
				  "module.coming crc32c_%zu version= srcversion=", nrecs);

		live(t, c, "module.live crc32c_%zu dur_ns=%llu start=\001 version= srcversion=",
		     nrecs - 1, (unsigned long long)(t - coming));
		l->now = t + dur(1 * MS, 4 * MS);
	}
}

static int by_record_time(const void *a, const void *b)
{
	const struct rec *x = &recs[*(const uint32_t *)a];
	const struct rec *y = &recs[*(const uint32_t *)b];

	if (x->recorded != y->recorded)
		return x->recorded < y->recorded ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void print_time(FILE *out, uint64_t ns)
{
	fprintf(out, "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL));
}

int main(int argc, char **argv)
{
	unsigned long long events = 0, seed = 1;
	double jitter = 0.05;
	int saved = 0, opt;
	uint64_t loaded, init, switch_at, fs_at, t, h;
	uint32_t *order, *seq_of, fs, m;
	struct loader l;
	char root_disk[32] = "";
	size_t i, markers = 0, kmsg_events = 0;

	while ((opt = getopt(argc, argv, "n:s:V:j:b")) != -1) {
		char *end = NULL;

		switch (opt) {
		case 'n':
			events = strtoull(optarg, &end, 10);
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			break;
		case 'V':
			version = optarg;
			end = optarg + strlen(optarg);
			break;
		case 'j':
			jitter = strtod(optarg, &end);
			break;
		case 'b':
			saved = 1;
			break;
		}
		if (opt == '?' || (end && *end) ||
		    (opt != 'b' && opt != 'V' && end == optarg))
			goto usage;
	}
	if (optind != argc || events < 200 || events > 10000000 || jitter < 0 ||
	    jitter >= 1 || strlen(version) > 31)
		goto usage;

	budget = (size_t)events;
	rng_state = seed * 0x2545f4914f6cdd1dULL + 1;
	boot_factor = 1 + jitter * (2 * uniform() - 1);
	h = fnv1a(version);
	/* The version decides how long its reset hangs and how often it fails. */
	ena_factor = 0.7 + (double)(h % 61) / 100;
	ena_failures = 2 + (int)((h >> 8) % 4);
	if (*version)
		snprintf(srcversion, sizeof(srcversion), "%016llX%07llX",
			 (unsigned long long)h, (unsigned long long)(h >> 36) & 0xfffffff);

	init = dur(1800 * MS, 2400 * MS);
	loaded = init + dur(300 * MS, 700 * MS);
	live(loaded, NO_REF,
	     "module.live bootstamps dur_ns=0 start=0 version=0.1.0 srcversion=89CA198AA94F43C543D96DB self=1");
	backfill(loaded, init, 14 + budget * 3 / 100);
	kmsg_events = nrecs - 1;

	/* The initramfs: the disks and interfaces a root needs, then more. */
	l = new_loader(loaded + dur(50 * MS, 150 * MS), "modprobe");
	virtio_module(&l, 2, root_disk, sizeof(root_disk));
	{
		int fails = ena_fails();

		ena_module(&l, &fails, 1);
	}
	fixture_module(&l);
	loop_module(&l, 8);
	modules(&l, 40, 40);

	/* The root filesystem: mounted, switched to, its init runs. */
	fs_at = l.now + dur(10 * MS, 80 * MS);
	switch_at = fs_at + dur(50 * MS, 120 * MS);
	fs = live(fs_at, NO_REF, "fs.mount %s fstype=ext4 dev=254:1 source=/dev/%s",
		  root_disk, root_disk);
	live(switch_at, NO_REF,
	     "init.exec switch_root path=/bin/switch_root pid=1 phase=initramfs");
	/* Known when PID 1 first execs from it, with the mount's time. */
	add_text(fs_at, switch_at + dur(20 * MS, 80 * MS), 0, fs,
		 "root.mount %s fstype=ext4 dev=254:1 by=initramfs mount=\001", root_disk);
	t = switch_at + dur(60 * MS, 120 * MS);
	live(t, NO_REF, "init.exec init path=/sbin/init pid=1 phase=root");
	program(t + dur(100 * MS, 300 * MS), "systemd-udevd",
		"/lib/systemd/systemd-udevd", 1000 * MS, 3000 * MS);

	/* udev loads the rest. */
	l = new_loader(t + dur(200 * MS, 400 * MS), "systemd-udevd");
	modules(&l, 24, 100);

	/* cloud-init's stages, each marked, the network's DHCP, boot-done. */
	t = l.now;
	for (i = 0; i < WORKERS; i++)
		if (worker_free[i] > t)
			t = worker_free[i];
	t = program(t + dur(10 * MS, 50 * MS), "dhclient", "/sbin/dhclient",
		    200 * MS, 900 * MS);
	{
		static const char *const marks[] = { "cloud-init:local",
						     "cloud-init:network",
						     "cloud-init:config",
						     "cloud-init:final" };
		for (i = 0; i < 4; i++) {
			int pid = pid_next++;
			uint64_t e;

			t += dur(30 * MS, 200 * MS);
			e = t + dur(300 * MS, 1500 * MS);
			m = live(t, NO_REF, "exec cloud-init path=/usr/bin/cloud-init pid=%d ppid=1",
				 pid);
			live(e, m, "exit cloud-init pid=%d status=0 dur_ns=%llu start=\001",
			     pid, (unsigned long long)(e - t));
			live(e + dur(1 * MS, 5 * MS), NO_REF,
			     "mark %s pid=%d comm=cloud-init", marks[i], pid);
			markers++;
			t = e + dur(5 * MS, 20 * MS);
		}
	}
	t = program(t, "sshd", "/usr/sbin/sshd", 50 * MS, 200 * MS);
	t = program(t + dur(10 * MS, 50 * MS), "chronyd", "/usr/sbin/chronyd",
		    20 * MS, 60 * MS);
	/* Whatever is left to reach the count: module unloads, one each. */
	while (left() > 1) {
		t += dur(1 * MS, 5 * MS);
		live(t, NO_REF, "module.going crc32c_gone_%zu phase=unload version= srcversion=",
		     nrecs);
	}
	for (i = 0; i < nrecs; i++)
		if (recs[i].t > t)
			t = recs[i].t;
	live(t + dur(10 * MS, 40 * MS), NO_REF, "mark boot-done pid=1 comm=bootstamps");
	markers++;
	if (nrecs != budget)
		die("internal error: event count is off");

	order = malloc(nrecs * sizeof(*order));
	seq_of = malloc(nrecs * sizeof(*seq_of));
	if (!order || !seq_of)
		die("out of memory");
	for (i = 0; i < nrecs; i++)
		order[i] = (uint32_t)i;
	qsort(order, nrecs, sizeof(*order), by_record_time);
	for (i = 0; i < nrecs; i++)
		seq_of[order[i]] = (uint32_t)i + 1;

	if (saved)
		printf("# bootstamps 1\n# saved boot_id=%08llx-%04llx-4%03llx-8%03llx-%012llx saved_at=%llu saved_by=bootstamps-0.1.0 hostname=bench machine=x86_64 os_id=debian os_version=12 os=Debian\\x20GNU/Linux\\x2012\\x20(bookworm) cmdline=console=ttyS0\\x20ro\\x20quiet\n",
		       (unsigned long long)(rnd() & 0xffffffff), (unsigned long long)(rnd() & 0xffff),
		       (unsigned long long)(rnd() & 0xfff), (unsigned long long)(rnd() & 0xfff),
		       (unsigned long long)(rnd() & 0xffffffffffffULL),
		       1796183634ULL + seed);
	else
		printf("# bootstamps 1\n");
	printf("# module_version=0.1.0 kernel=%s clock=boottime local_offset_ns=%lld\n",
	       kernel, (long long)local_offset);
	printf("# loaded=");
	print_time(stdout, loaded);
	printf(" load_local_offset_ns=%lld\n", (long long)load_local_offset);
	printf("# capacity=%zu event_bytes=256 events=%zu dropped=0 markers=%zu markers_refused=0 missed=0 user_execs_refused=0\n",
	       nrecs < 4096 ? (size_t)4096 : nrecs, nrecs, markers);
	printf("# hooks probe=kretprobe:really_probe module=notifier mark=proc block=kretprobe:device_add_disk+vfs_get_tree,tracepoint net=notifier:netdev,inet,inet6 exec=tracepoint kmsg=backfill spans=kretprobe\n");
	printf("# kmsg backfill=done backfill_lines=%zu backfill_events=%zu backfill_complete=1 backfill_timestamps=1\n",
	       kmsg_events * 60, kmsg_events);
	printf("# spans ena:ena_device_init=on ena:ena_com_dev_reset=on bst_fixture:bst_fixture_wait=on\n");
	for (i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[order[i]];
		const char *s = arena + r->text, *mark = strchr(s, REF_MARK);

		printf("%u ", (unsigned)i + 1);
		print_time(stdout, r->t);
		if (mark)
			printf(" %.*s%u%s local=", (int)(mark - s), s,
			       r->ref == NO_REF ? 0 : seq_of[r->ref], mark + 1);
		else
			printf(" %s local=", s);
		print_time(stdout, r->t + (uint64_t)(r->kmsg ? load_local_offset
							     : local_offset));
		putchar('\n');
	}
	if (fflush(stdout) || ferror(stdout))
		die("cannot write the capture");
	free(order);
	free(seq_of);
	free(recs);
	free(arena);
	return 0;
usage:
	fputs("usage: gen_capture -n EVENTS [-s SEED] [-V VERSION] [-j JITTER] [-b] > capture.txt\n",
	      stderr);
	return 1;
}
