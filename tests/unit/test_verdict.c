// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of compare's verdict, what only one group has, what differs,
 * the folding of milestone rows, and show's Programs section. Captures are
 * made here; every expected number is computed here from what was written
 * into them, never copied from the reader's output.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "capture.h"
#include "compare.h"
#include "programs.h"

static char dir[] = "/tmp/bst-verdict-XXXXXX";

/* One boot of an image: what it ran, and how long each part took (s). */
struct image {
	const char *os_version, *cmdline, *ena_version;
	double ena_s;		/* ENA's probe, in the initramfs */
	double ntpdate_s;	/* 0: the image does not run it */
	double unseen_s;	/* userspace time no event accounts for */
};

#define KERNEL_S 1.0
#define BEFORE_ENA_S 0.1	/* initramfs, before ENA's probe */
#define AFTER_ENA_S 0.2		/* initramfs, after it */
#define USERSPACE_S 0.3		/* userspace besides ntpdate */
#define JITTER_S 0.0012	/* boot i is 1.2 i ms slower in each timed part */

/* When each boot's parts begin and end, as the capture will say. */
struct boot_times {
	double root, ena_start, ena_dur, ntp_start, ntp_dur, end;
};

static struct boot_times times_of(const struct image *im, int i)
{
	struct boot_times t;

	t.ena_start = KERNEL_S + BEFORE_ENA_S;
	t.ena_dur = im->ena_s + i * JITTER_S;
	t.root = t.ena_start + t.ena_dur + AFTER_ENA_S;
	t.ntp_start = t.root + 0.05;
	t.ntp_dur = im->ntpdate_s ? im->ntpdate_s + i * JITTER_S : 0;
	t.end = t.root + USERSPACE_S + t.ntp_dur + im->unseen_s + i * JITTER_S;
	return t;
}

static void write_boot(const char *sub, int i, const struct image *im)
{
	struct boot_times t = times_of(im, i);
	char path[512];
	FILE *f;
	int seq = 1;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/boot%d.bst", dir, sub, i);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# bootstamps 1\n"
		"# saved boot_id=%s-%d saved_at=1700000000 os_id=amzn os_version=%s os=Amazon\\x20Linux\\x202023 cmdline=%s product_name=m7i.large sys_vendor=Amazon\\x20EC2 hypervisor=\n"
		"# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
		"# hooks probe=kretprobe:really_probe module=notifier mark=proc exec=tracepoint\n",
		sub, i, im->os_version, im->cmdline);
	fprintf(f, "%d 0.000000000 kernel.start linux release=6.1.0-57-amd64 src=kmsg\n", seq++);
	fprintf(f, "%d %.9f init.exec init path=/init pid=1 phase=initramfs\n", seq++, KERNEL_S);
	fprintf(f, "%d %.9f module.coming ena version=%s\n", seq++, t.ena_start, im->ena_version);
	fprintf(f, "%d %.9f probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=%s pid=50\n",
		seq++, t.ena_start, im->ena_version);
	fprintf(f, "%d %.9f probe.end 0000:00:05.0 driver=ena bus=pci rc=0 dur_ns=%.0f start=4 module=ena version=%s pid=50\n",
		seq++, t.ena_start + t.ena_dur, t.ena_dur * 1e9, im->ena_version);
	fprintf(f, "%d %.9f module.live ena dur_ns=%.0f start=3 version=%s\n", seq++,
		t.ena_start + t.ena_dur + 0.001, (t.ena_dur + 0.001) * 1e9, im->ena_version);
	/* The interface comes up right after the probe: every milestone moves with it. */
	fprintf(f, "%d %.9f net.register eth0 ifindex=2 parent=0000:00:05.0 driver=ena\n", seq++,
		t.ena_start + t.ena_dur + 0.002);
	fprintf(f, "%d %.9f net.up eth0 ifindex=2 parent=0000:00:05.0 driver=ena\n", seq++,
		t.ena_start + t.ena_dur + 0.003);
	fprintf(f, "%d %.9f net.carrier eth0 ifindex=2 parent=0000:00:05.0 driver=ena\n", seq++,
		t.ena_start + t.ena_dur + 0.004);
	fprintf(f, "%d %.9f net.ipv4 eth0 ifindex=2 parent=0000:00:05.0 driver=ena addr=10.0.0.5/24\n",
		seq++, t.ena_start + t.ena_dur + 0.005);
	fprintf(f, "%d %.9f init.exec systemd path=/usr/lib/systemd/systemd pid=1 phase=root\n",
		seq++, t.root);
	if (im->ntpdate_s) {
		fprintf(f, "%d %.9f exec ntpdate path=/usr/sbin/ntpdate pid=300 ppid=1 extra=ignored\n",
			seq, t.ntp_start);
		fprintf(f, "%d %.9f exit ntpdate pid=300 status=0 dur_ns=%.0f start=%d\n",
			seq + 1, t.ntp_start + t.ntp_dur, t.ntp_dur * 1e9, seq);
		seq += 2;
	}
	fprintf(f, "%d %.9f mark boot-done pid=900 comm=bootstamps\n", seq, t.end);
	fclose(f);
}

static char *run(const char *sub_a, const char *sub_b, int json)
{
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	snprintf(pa, sizeof(pa), "%s/%s", dir, sub_a);
	snprintf(pb, sizeof(pb), "%s/%s", dir, sub_b);
	assert_non_null(f);
	rc = bst_compare(f, a, 1, b, 1, NULL, json);
	fclose(f);
	assert_int_equal(rc, 0);
	return buf;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of four, in ms: the mean of the middle two. */
static double median4(double v[4])
{
	qsort(v, 4, sizeof(*v), by_double);
	return (v[1] + v[2]) / 2 * 1e3;
}

/* A difference as the verdict writes one (whole ms from 10 ms on). */
static void ms_text(char *buf, size_t size, double ms, int sign)
{
	snprintf(buf, size, "%s%.0f ms", sign ? (ms < 0 ? "-" : "+") : "", fabs(ms));
}

/* The verdict's lines: from the top to the first empty line. */
static char *verdict_of(const char *out)
{
	const char *end = strstr(out, "\n\n");

	assert_non_null(end);
	assert_true(!strncmp(out, "Verdict: ", 9));
	return strndup(out, (size_t)(end - out));
}

#define NBOOTS 4

static const struct image image_a = { "2023.1", "ro\\x20quiet", "0.6.6", 0.400, 0.600, 0 };
static const struct image image_b = { "2023.2", "ro\\x20quiet\\x20selinux=0", "1.0.2", 0.150, 0, 0 };

static void test_verdict_names_every_difference(void **state)
{
	double boot_a[NBOOTS], boot_b[NBOOTS], ena_a[NBOOTS], ena_b[NBOOTS],
	       user_a[NBOOTS], user_b[NBOOTS], ntp[NBOOTS], init_a[NBOOTS],
	       init_b[NBOOTS];
	double d_boot, d_ena, d_init, d_user, m_ntp;
	char want[512], d1[48], d2[48], *out, *v;
	int i;

	(void)state;
	for (i = 0; i < NBOOTS; i++) {
		struct boot_times ta = times_of(&image_a, i), tb = times_of(&image_b, i);

		write_boot("a", i, &image_a);
		write_boot("b", i, &image_b);
		boot_a[i] = ta.end;
		boot_b[i] = tb.end;
		ena_a[i] = ta.ena_dur;
		ena_b[i] = tb.ena_dur;
		init_a[i] = ta.root - KERNEL_S;
		init_b[i] = tb.root - KERNEL_S;
		user_a[i] = ta.end - ta.root;
		user_b[i] = tb.end - tb.root;
		ntp[i] = ta.ntp_dur;
	}
	d_boot = median4(boot_b) - median4(boot_a);
	d_ena = median4(ena_b) - median4(ena_a);
	d_init = median4(init_b) - median4(init_a);
	d_user = median4(user_b) - median4(user_a);
	m_ntp = median4(ntp);
	/* The story: B is faster by ENA's probe and by not running ntpdate. */
	assert_true(d_boot < -800 && d_ena < -200 && m_ntp > 500);

	out = run("a", "b", 0);
	v = verdict_of(out);
	ms_text(d1, sizeof(d1), d_boot, 0);
	snprintf(want, sizeof(want), "Verdict: B boots %s faster than A (p = 0.029).", d1);
	if (!strstr(v, want))
		fail_msg("want \"%s\" in:\n%s", want, out);
	/* initramfs: all of it is ENA's probe, and its version changed. */
	ms_text(d1, sizeof(d1), d_init, 1);
	ms_text(d2, sizeof(d2), d_ena, 1);
	snprintf(want, sizeof(want), "initramfs %s: ena probe %s (0.6.6 -> 1.0.2).", d1, d2);
	if (!strstr(v, want))
		fail_msg("want \"%s\" in:\n%s", want, out);
	/* userspace: ntpdate, which only A runs. */
	ms_text(d1, sizeof(d1), d_user, 1);
	ms_text(d2, sizeof(d2), m_ntp, 0);
	snprintf(want, sizeof(want), "userspace %s: ntpdate only in A (%s).", d1, d2);
	if (!strstr(v, want))
		fail_msg("want \"%s\" in:\n%s", want, out);
	/* The kernel did not change: said, not explained. */
	if (!strstr(v, "kernel +0.00 ms, not significant.") &&
	    !strstr(v, "kernel -0.00 ms, not significant."))
		fail_msg("kernel line missing:\n%s", out);
	/* What else differs: the OS release and the command line. */
	if (!strstr(v, "Also different: ") ||
	    !strstr(v, "OS release Amazon Linux 2023 (amzn 2023.1) -> Amazon Linux 2023 (amzn 2023.2)") ||
	    !strstr(v, "kernel command line +selinux=0"))
		fail_msg("differences missing:\n%s", out);
	/* Nothing left unexplained here. */
	if (strstr(v, "unexplained"))
		fail_msg("%s", out);
	free(v);

	/* Below: only A's program, with its time and in how many boots. */
	snprintf(want, sizeof(want), "%.3f ms 4/4  in userspace", m_ntp);
	if (!strstr(out, "Only in A (median over the boots that have it, in how many of its 4 boots):\n  program ntpdate") ||
	    !strstr(out, want))
		fail_msg("want \"%s\" in:\n%s", want, out);
	/* The whole boot's row first, then the phases in the boot's order. */
	{
		const char *boot = strstr(out, "\nboot "), *k = strstr(out, "\nphase kernel "),
			   *in = strstr(out, "\nphase initramfs "),
			   *u = strstr(out, "\nphase userspace "),
			   *p = strstr(out, "\nprobe ena "), *at = strstr(out, "\nat ");

		if (!boot || !k || !in || !u || !p || !at ||
		    !(boot < k && k < in && in < u && u < p && p < at))
			fail_msg("row order:\n%s", out);
	}
	free(out);

	out = run("a", "b", 1);
	snprintf(want, sizeof(want), "\"only_in_a\":[{\"metric\":\"program ntpdate\",\"median_ms\":%.6f,\"boots\":4,\"of\":4,\"phase\":\"userspace\"}]",
		 m_ntp);
	if (!strstr(out, want) || !strstr(out, "\"only_in_b\":[]") ||
	    !strstr(out, "\"verdict\":{\"lines\":[\"B boots ") ||
	    !strstr(out, "{\"what\":\"os\",\"name\":\"\",\"a\":\"Amazon Linux 2023 (amzn 2023.1)\",\"b\":\"Amazon Linux 2023 (amzn 2023.2)\"}") ||
	    !strstr(out, "{\"metric\":\"program ntpdate\",\"how\":\"only_in_a\""))
		fail_msg("want %s in:\n%s", want, out);
	free(out);
}

/* Contributors that cover less than 90% of a phase: the rest is named. */
static void test_verdict_says_what_is_unexplained(void **state)
{
	static const struct image slow = { "2023.1", "ro", "1.0.2", 0.150, 0.100, 0.300 };
	static const struct image fast = { "2023.1", "ro", "1.0.2", 0.150, 0, 0 };
	double user_a[NBOOTS], user_b[NBOOTS], ntp[NBOOTS], d_user, m_ntp;
	char want[512], d1[48], d2[48], d3[48], *out, *v;
	int i;

	(void)state;
	for (i = 0; i < NBOOTS; i++) {
		struct boot_times ta = times_of(&slow, i), tb = times_of(&fast, i);

		write_boot("ua", i, &slow);
		write_boot("ub", i, &fast);
		user_a[i] = ta.end - ta.root;
		user_b[i] = tb.end - tb.root;
		ntp[i] = ta.ntp_dur;
	}
	d_user = median4(user_b) - median4(user_a);
	m_ntp = median4(ntp);
	/* ntpdate is a quarter of the change: far from 90%. */
	assert_true(m_ntp < 0.9 * fabs(d_user));
	out = run("ua", "ub", 0);
	v = verdict_of(out);
	ms_text(d1, sizeof(d1), d_user, 1);
	ms_text(d2, sizeof(d2), m_ntp, 0);
	ms_text(d3, sizeof(d3), d_user + m_ntp, 0);
	snprintf(want, sizeof(want), "userspace %s: ntpdate only in A (%s); %s unexplained.",
		 d1, d2, d3);
	if (!strstr(v, want))
		fail_msg("want \"%s\" in:\n%s", want, out);
	/* The same images otherwise: nothing else differs. */
	if (strstr(v, "Also different"))
		fail_msg("%s", out);
	free(v);
	free(out);
}

/*
 * No phases in the captures (no init.exec: the boot never left the
 * kernel's view), yet the boot changed: its change is explained itself.
 */
static void test_verdict_whole_boot_without_phases(void **state)
{
	double probe_a[NBOOTS], probe_b[NBOOTS], d;
	char path[512], want[300], d1[48], *out, *v;
	const char *sub;
	FILE *f;
	int g, i;

	(void)state;
	for (g = 0; g < 2; g++)
		for (i = 0; i < NBOOTS; i++) {
			double probe = (g ? 0.300 : 0.100) + i * JITTER_S;

			(g ? probe_b : probe_a)[i] = probe;
			sub = g ? "nb" : "na";
			snprintf(path, sizeof(path), "%s/%s", dir, sub);
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/%s/boot%d.bst", dir, sub, i);
			f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "# bootstamps 1\n# saved boot_id=%s-%d\n# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
				"1 0.500000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=%s pid=50\n"
				"2 %.9f probe.end 0000:00:05.0 driver=ena bus=pci rc=0 dur_ns=%.0f start=1 module=ena version=%s pid=50\n"
				"3 %.9f mark boot-done\n", sub, i, g ? "1.0.2" : "0.6.6",
				0.5 + probe, probe * 1e9, g ? "1.0.2" : "0.6.6", 0.6 + probe);
			fclose(f);
		}
	/* The boot's end moves with the probe, one for one. */
	d = median4(probe_b) - median4(probe_a);
	out = run("na", "nb", 0);
	v = verdict_of(out);
	ms_text(d1, sizeof(d1), d, 1);
	snprintf(want, sizeof(want), "the whole boot %s: ena probe %s (0.6.6 -> 1.0.2).", d1, d1);
	if (!strstr(v, want) || strstr(v, "phase") || strstr(v, "unexplained"))
		fail_msg("want \"%s\" in:\n%s", want, out);
	free(v);
	free(out);
}

/* Too few boots: the verdict says so, and names no cause. */
static void test_verdict_too_few_boots(void **state)
{
	char *out, *v;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		write_boot("fa", i, &image_a);
		write_boot("fb", i, &image_b);
	}
	out = run("fa", "fb", 0);
	v = verdict_of(out);
	if (!strstr(v, "Verdict: none: with 3 and 3 boots no difference can be significant") ||
	    !strstr(v, "it takes 4 boots per group") || strstr(v, "only in A (") ||
	    strstr(v, "faster"))
		fail_msg("%s", out);
	free(v);
	free(out);
}

/*
 * Milestones that moved with ENA's probe fold into one row: net.carrier,
 * net.ipv4 (each also per interface) and the real root's init.exec, five
 * rows with the same shift (within 1 ms or 2%), shown as one with (+4).
 */
static void test_milestones_fold(void **state)
{
	const char *p, *row = NULL;
	char *out;
	int rows = 0;

	(void)state;
	/* The groups of the first test (written again: tests run alone too). */
	for (rows = 0; rows < NBOOTS; rows++) {
		write_boot("a", rows, &image_a);
		write_boot("b", rows, &image_b);
	}
	out = run("a", "b", 0);
	for (rows = 0, p = out; (p = strstr(p, "\nat ")); p++) {
		rows++;
		if (strstr(p, "at net.") == p + 1 || strstr(p, "at init.exec /usr/lib") == p + 1)
			row = row ? "twice" : p + 1;
	}
	if (!row || !strcmp(row, "twice") || !strstr(row, " (+4) ") ||
	    !strstr(out, "(+N): N more milestones moved by the same B-A"))
		fail_msg("%s", out);
	free(out);
	out = run("a", "b", 1);
	for (rows = 0, p = out; (p = strstr(p, "\"folded_into\":\"at ")); p++)
		rows++;
	if (rows != 4 || !strstr(out, "\"folded\":4,"))
		fail_msg("%d folded: %s", rows, out);
	free(out);
}

/* A driver only one group probes: its time is listed, not dropped. */
static void test_only_in_b_driver(void **state)
{
	char path[512], want[200], *out;
	FILE *f;
	int i;

	(void)state;
	for (i = 0; i < NBOOTS; i++) {
		write_boot("da", i, &image_b);
		write_boot("db", i, &image_b);
		/* B's boots also probe a new driver, 20 + i ms. */
		snprintf(path, sizeof(path), "%s/db/boot%d.bst", dir, i);
		f = fopen(path, "a");
		assert_non_null(f);
		fprintf(f, "100 1.120000000 probe.start 0000:00:06.0 driver=newdrv bus=pci module=newdrv version=1 pid=51\n"
			"101 %.9f probe.end 0000:00:06.0 driver=newdrv bus=pci rc=0 dur_ns=%d start=100 module=newdrv version=1 pid=51\n",
			1.12 + (20 + i) / 1e3, (20 + i) * 1000000);
		fclose(f);
	}
	out = run("da", "db", 0);
	/* The median of 20, 21, 22, 23 ms, in every B boot, in the initramfs. */
	snprintf(want, sizeof(want), "  %-40s %10.3f ms 4/4  in initramfs", "probe newdrv", 21.5);
	if (!strstr(out, "Only in B (median over the boots that have it, in how many of its 4 boots):") ||
	    !strstr(out, want) || !strstr(out, "driver newdrv: (absent) -> 1"))
		fail_msg("want \"%s\" in:\n%s", want, out);
	free(out);
}

/* In-tree drivers that change with the kernel are one line. */
static void test_in_tree_drivers_one_line(void **state)
{
	char path[512], *out;
	const char *drivers[] = { "virtio_net", "virtio_blk", "nvme" };
	FILE *f;
	int i, g;
	size_t d;

	(void)state;
	for (g = 0; g < 2; g++)
		for (i = 0; i < NBOOTS; i++) {
			snprintf(path, sizeof(path), "%s/k%d", dir, g);
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/k%d/boot%d.bst", dir, g, i);
			f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "# bootstamps 1\n# saved boot_id=k%d-%d\n# module_version=0.1.0 kernel=6.1.0-%d-amd64\n"
				"1 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n", g, i, 57 + g);
			for (d = 0; d < 3; d++)
				fprintf(f, "%zu 1.1%02zu000000 probe.start dev%zu driver=%s bus=pci module=%s version= pid=5\n"
					"%zu 1.1%02zu500000 probe.end dev%zu driver=%s bus=pci rc=0 dur_ns=500000 start=%zu module=%s version= pid=5\n",
					2 + 2 * d, d, d, drivers[d], drivers[d], 3 + 2 * d, d, d,
					drivers[d], 2 + 2 * d, drivers[d]);
			fprintf(f, "9 2.000000000 init.exec systemd path=/sbin/init pid=1 phase=root\n");
			fclose(f);
		}
	out = run("k0", "k1", 0);
	if (!strstr(out, "  in-tree drivers changed with the kernel (3 drivers)\n") ||
	    strstr(out, "  driver virtio_net:") ||
	    !strstr(out, "  kernel release: 6.1.0-57-amd64 -> 6.1.0-58-amd64\n"))
		fail_msg("%s", out);
	free(out);
}

/* show's programs: every process of a program summed, with its parents. */
static void test_programs(void **state)
{
	static char text[] =
		"# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
		"1 1.000000000 init.exec systemd path=/usr/lib/systemd/systemd pid=1 phase=root\n"
		"2 1.100000000 exec bash path=/bin/bash pid=200 ppid=1\n"
		"3 1.200000000 exec ntpdate path=/usr/sbin/ntpdate pid=300 ppid=200\n"
		"4 1.500000000 exit ntpdate pid=300 status=0 dur_ns=300000000 start=3\n"
		"5 1.600000000 exec ntpdate path=/usr/sbin/ntpdate pid=301 ppid=999\n"
		"6 1.650000000 exit ntpdate pid=301 status=256 dur_ns=50000000 start=5\n"
		"7 1.700000000 exit bash pid=200 status=0 dur_ns=600000000 start=2\n"
		"8 1.800000000 exec sleep path=/bin/sleep pid=400 ppid=200\n";
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_programs p;
	struct bst_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	/* The capture owns its text. */
	assert_int_equal(bst_parse_text("t", strdup(text), &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	assert_int_equal(bst_programs_build(&cap, &model, &p), 0);
	/* bash 600 ms, ntpdate 300 + 50 ms, sleep still running. */
	assert_int_equal(p.nrows, 3);
	assert_string_equal(p.rows[0].name, "bash");
	assert_true(p.rows[0].total_ns == 600000000);
	assert_string_equal(p.rows[0].parents[0].name, "systemd");
	assert_string_equal(p.rows[1].name, "ntpdate");
	assert_int_equal(p.rows[1].count, 2);
	assert_true(p.rows[1].total_ns == 350000000 && p.rows[1].longest_ns == 300000000);
	assert_int_equal(p.rows[1].nparents, 2);
	assert_string_equal(p.rows[1].parents[0].name, "bash");
	assert_string_equal(p.rows[1].parents[1].name, "pid 999");
	assert_string_equal(p.rows[2].name, "sleep");
	assert_int_equal(p.rows[2].exited, 0);
	bst_programs_free(&p);

	f = open_memstream(&buf, &len);
	bst_show_text(f, &cap, &model, &boot, 1, 0);
	fclose(f);
	/* The longest row, and the other two on one line: 350 ms in all. */
	if (!strstr(buf, "Programs: exec to exit, every process of a program summed\n") ||
	    !strstr(buf, "    600ms      1     600ms  bash                     systemd (1)\n") ||
	    !strstr(buf, "  ... 2 more programs (3 processes), 350ms in all"))
		fail_msg("%s", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	bst_show_json(f, &cap, &model, &boot, 10);
	fclose(f);
	if (!strstr(buf, "{\"name\":\"ntpdate\",\"count\":2,\"exited\":2,\"total_ms\":350.000000,\"longest_ms\":300.000000,\"first_start_ms\":1200.000000,\"parents\":[{\"name\":\"bash\",\"count\":1},{\"name\":\"pid 999\",\"count\":1}]}"))
		fail_msg("%s", buf);
	free(buf);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_names_every_difference),
		cmocka_unit_test(test_verdict_says_what_is_unexplained),
		cmocka_unit_test(test_verdict_too_few_boots),
		cmocka_unit_test(test_verdict_whole_boot_without_phases),
		cmocka_unit_test(test_milestones_fold),
		cmocka_unit_test(test_only_in_b_driver),
		cmocka_unit_test(test_in_tree_drivers_one_line),
		cmocka_unit_test(test_programs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
