// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the reader's statistics, compare, outputs and archive. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "archive.h"
#include "capture.h"
#include "compare.h"
#include "stats.h"

static void test_quantiles(void **state)
{
	double v[] = { 5, 1, 4, 2, 3 }, q;

	(void)state;
	assert_int_equal(bst_quantile(v, 5, 0.5, &q), 0);
	assert_true(q == 3);
	assert_int_equal(bst_quantile(v, 5, 0.9, &q), 0);
	assert_true(fabs(q - 4.6) < 1e-12);	/* 4 + 0.6 * (5 - 4) */
	assert_int_equal(bst_quantile(v, 4, 0.5, &q), 0);
	assert_true(q == 3);			/* 5 1 4 2: (2 + 4) / 2 */
	assert_int_equal(bst_quantile(v, 0, 0.5, &q), -1);
}

static void test_mann_whitney(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	double c[] = { 1, 3, 5, 7, 9 }, d[] = { 2, 4, 6, 8, 10 };
	double e[] = { 1, 1, 2, 2 }, f[] = { 2, 3, 3, 4 };
	double u, p;

	(void)state;
	/* Fully separated: U = 0, exact p = 2 / C(10, 5) = 2 / 252. */
	assert_int_equal(bst_mann_whitney(a, 5, b, 5, &u, &p), 0);
	assert_true(u == 0);
	assert_true(fabs(p - 2.0 / 252) < 1e-12);
	/* Symmetric in which side is above. */
	assert_int_equal(bst_mann_whitney(b, 5, a, 5, &u, &p), 0);
	assert_true(u == 25);
	assert_true(fabs(p - 2.0 / 252) < 1e-12);
	/* Interleaved: U = 10; P(U <= 10) = 87/252, p = 174/252. */
	assert_int_equal(bst_mann_whitney(c, 5, d, 5, &u, &p), 0);
	assert_true(u == 10);
	assert_true(fabs(p - 174.0 / 252) < 1e-12);
	/* Ties: ranks 1.5 1.5 4 4 | 4 6.5 6.5 8, U = 11 - 10 = 1, normal
	 * approximation: sigma^2 = 16/12 * (9 - 36/56), z = 6.5 / sigma.
	 */
	assert_int_equal(bst_mann_whitney(e, 4, f, 4, &u, &p), 0);
	assert_true(u == 1);
	assert_true(fabs(p - erfc(6.5 / sqrt(16.0 / 12 * (9 - 36.0 / 56)) / sqrt(2))) < 1e-12);
	assert_int_equal(bst_mann_whitney(a, 0, b, 5, &u, &p), -1);
}

static void test_bootstrap(void **state)
{
	double a[] = { 10, 11, 12, 13, 14 }, b[] = { 40, 41, 42, 43, 44 };
	double lo, hi, lo2, hi2;

	(void)state;
	assert_int_equal(bst_bootstrap_median_diff(a, 5, b, 5, 2000, &lo, &hi), 0);
	/* Every resampled median lies in [10, 14] and [40, 44]. */
	assert_true(lo >= 26 && hi <= 34 && lo <= 30 && hi >= 30);
	/* Seeded: the same input gives the same interval. */
	assert_int_equal(bst_bootstrap_median_diff(a, 5, b, 5, 2000, &lo2, &hi2), 0);
	assert_true(lo == lo2 && hi == hi2);
}

static char dir[] = "/tmp/bst-unit-XXXXXX";

static void write_capture(const char *sub, int i, const char *version,
			  double probe_ms, const char *cmdline)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/boot%d.bst", dir, sub, i);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# bootstamps 1\n"
		"# saved boot_id=%s-b%d cmdline=%s\n"
		"# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
		"1 0.000000000 kernel.start linux release=6.1.0-57-amd64 src=kmsg\n"
		"2 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
		"3 2.000000000 probe.start 0000:00:02.0 driver=bst_fixture bus=pci module=bst_fixture version=%s pid=7\n"
		"4 2.000001000 fn.start bst_fixture_wait module=bst_fixture pid=7\n"
		"5 %.9f fn.end bst_fixture_wait module=bst_fixture ret=0 dur_ns=%.0f start=4 pid=7\n"
		"6 %.9f probe.end 0000:00:02.0 driver=bst_fixture bus=pci rc=0 dur_ns=%.0f start=3 module=bst_fixture version=%s pid=7\n"
		"7 3.%09d init.exec init path=/sbin/init pid=1 phase=root\n",
		sub, i, cmdline, version, 2.000001 + (probe_ms - 0.01) / 1e3,
		(probe_ms - 0.01) * 1e6, 2 + probe_ms / 1e3, probe_ms * 1e6,
		version, i * 1000);
	fclose(f);
}

static char *run_compare(char **a, size_t na, char **b, size_t nb,
			 const char *driver, int json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = bst_compare(f, a, na, b, nb, driver, json);
	fclose(f);
	return buf;
}

static void test_compare_groups(void **state)
{
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out;
	int i, rc;

	(void)state;
	for (i = 0; i < 5; i++) {
		write_capture("v1", i, "1.0.0", 10 + i * 0.1, "ro\\x20quiet");
		write_capture("v2", i, "2.0.0", 40 + i * 0.1, "ro\\x20quiet\\x20selinux=0");
	}
	snprintf(pa, sizeof(pa), "%s/v1", dir);
	snprintf(pb, sizeof(pb), "%s/v2", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "driver bst_fixture: 1.0.0 -> 2.0.0") ||
	    !strstr(out, "kernel command line: +selinux=0") ||
	    !strstr(out, "probe bst_fixture"))
		fail_msg("%s", out);
	/* The probe row: medians 10.2 and 40.2, B-A +30, significant. */
	if (!strstr(out, "10.200     10.360   5     40.200     40.360    +30.000") ||
	    !strstr(out, "0.0079 *"))
		fail_msg("%s", out);
	/* The step inside the probe took the change with it. */
	if (!strstr(out, "fn bst_fixture:bst_fixture_wait") ||
	    !strstr(out, "Where the time moved: bst_fixture_wait changed by +30.000 ms of the +30.000 ms in bst_fixture's probes."))
		fail_msg("%s", out);
	assert_null(strstr(out, "kernel release"));	/* same kernel */
	free(out);

	/* Grouped by the driver's version, from one directory of both. */
	for (i = 0; i < 5; i++) {
		write_capture("all", i, "1.0.0", 10 + i * 0.1, "ro");
		write_capture("all", 10 + i, "2.0.0", 40 + i * 0.1, "ro");
	}
	snprintf(pa, sizeof(pa), "%s/all", dir);
	out = run_compare(a, 1, NULL, 0, "bst_fixture", 1, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "\"label\":\"1.0.0\",\"boots\":5") ||
	    !strstr(out, "\"label\":\"2.0.0\",\"boots\":5") ||
	    !strstr(out, "\"metric\":\"probe bst_fixture\",\"n_a\":5,\"median_a_ms\":10.200000") ||
	    !strstr(out, "\"delta_ms\":30.000000") ||
	    !strstr(out, "\"significant\":true"))
		fail_msg("%s", out);
	free(out);
}

static void test_compare_single_and_errors(void **state)
{
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out;
	int rc;

	(void)state;
	write_capture("one_a", 0, "1.0.0", 10, "ro");
	write_capture("one_b", 0, "1.0.0", 12, "ro");
	snprintf(pa, sizeof(pa), "%s/one_a/boot0.bst", dir);
	snprintf(pb, sizeof(pb), "%s/one_b/boot0.bst", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	assert_int_equal(rc, 0);
	/* One boot each: no ordering can be rare (p is 1 at best). */
	if (!strstr(out, "No difference can be significant with 1 and 1 boots") ||
	    !strstr(out, "for groups this size is 1, not below 0.05") ||
	    !strstr(out, "nothing recorded differs"))
		fail_msg("%s", out);
	free(out);

	/* Same version everywhere: nothing to group by. */
	snprintf(pa, sizeof(pa), "%s/one_a", dir);
	out = run_compare(a, 1, NULL, 0, "bst_fixture", 0, &rc);
	assert_int_equal(rc, 2);
	free(out);
	snprintf(pa, sizeof(pa), "%s/does-not-exist", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	assert_int_equal(rc, 2);
	free(out);
}

static void test_inside_probes(void **state)
{
	char path[512], *buf = NULL;
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	size_t len = 0;
	FILE *f;

	(void)state;
	write_capture("nest", 0, "1.0.0", 10, "ro");
	snprintf(path, sizeof(path), "%s/nest/boot0.bst", dir);
	assert_int_equal(bst_parse_file(path, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	f = open_memstream(&buf, &len);
	bst_print_inside_probes(f, &model);
	fclose(f);
	/* The probe, then its step one level deeper, with both durations. */
	if (!strstr(buf, "Inside driver probes\n  0000:00:02.0 bst_fixture       10ms\n    bst_fixture_wait ") ||
	    !strstr(buf, " 10ms  ret 0\n"))
		fail_msg("%s", buf);
	free(buf);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

static size_t count_files(const char *d, int hidden)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(dd);
	while ((de = readdir(dd)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    (de->d_name[0] == '.') == hidden)
			n++;
	closedir(dd);
	return n;
}

static void test_save(void **state)
{
	char src[512], arch[512], path[600], *text = NULL;
	struct bst_capture cap;
	struct bst_error err;
	FILE *f;

	(void)state;
	write_capture("src", 0, "1.0.0", 10, "ro");
	snprintf(src, sizeof(src), "%s/src/boot0.bst", dir);
	snprintf(arch, sizeof(arch), "%s/archive/deeper", dir);
	assert_int_equal(bst_save(src, arch, 0, 1), 0);
	assert_int_equal(bst_save(src, arch, 0, 1), 0);
	/* One file per boot, and no temporary left behind. */
	assert_int_equal(count_files(arch, 0), 1);
	assert_int_equal(count_files(arch, 1), 0);

	/* It parses, and carries this machine's boot id and command line. */
	f = popen("ls -d /tmp/bst-unit-*/archive/deeper/*.bst | head -n 1", "r");
	assert_non_null(f);
	assert_non_null(fgets(path, sizeof(path), f));
	pclose(f);
	path[strcspn(path, "\n")] = '\0';
	assert_int_equal(bst_parse_file(path, &cap, &err), 0);
	assert_non_null(bst_header_get(&cap, "saved_at"));
	assert_non_null(bst_header_get(&cap, "cmdline"));
	assert_string_equal(bst_header_get(&cap, "kernel"), "6.1.0-57-amd64");
	/* The source's own "# saved" line was replaced, not kept. */
	assert_string_not_equal(bst_header_get(&cap, "boot_id"), "b0");
	assert_int_equal(cap.nev, 7);
	bst_capture_free(&cap);

	/* A corrupt capture is refused and nothing is written. */
	snprintf(src, sizeof(src), "%s/corrupt.bst", dir);
	f = fopen(src, "w");
	fputs("# bootstamps 1\n1 2.0 mark x\n", f);
	fclose(f);
	snprintf(arch, sizeof(arch), "%s/archive2", dir);
	assert_int_equal(bst_save(src, arch, 0, 1), 2);
	assert_int_equal(access(arch, F_OK), -1);
	free(text);
}

/* An old capture in the archive, modified at `mtime` (seconds). */
static void old_capture(const char *arch, const char *name, time_t mtime)
{
	struct timespec t[2] = { { mtime, 0 }, { mtime, 0 } };
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", arch, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# bootstamps 1\n", f);
	fclose(f);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int exists_in(const char *arch, const char *name)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", arch, name);
	return access(path, F_OK) == 0;
}

static void write_file(const char *sub, const char *name, const char *text);

static void test_save_keep(void **state)
{
	char src[512], arch[512], path[700];

	(void)state;
	write_capture("keepsrc", 0, "1.0.0", 10, "ro");
	snprintf(src, sizeof(src), "%s/keepsrc/boot0.bst", dir);
	snprintf(arch, sizeof(arch), "%s/keep", dir);
	mkdir(arch, 0755);
	old_capture(arch, "a.bst", 1000);
	old_capture(arch, "b.bst", 2000);
	old_capture(arch, "c.bst", 3000);
	old_capture(arch, "d.bst", 4000);
	/* Not captures: never counted, never deleted. */
	old_capture(arch, "notes.txt", 10);
	/* Notes named like a capture, oldest of all: still not a boot. */
	write_file("keep", "notes.bst", "Disk swapped on 2026-11-30.\n");
	write_file("keep", "empty.bst", "");
	old_capture(arch, ".e.bst.123", 10);
	snprintf(path, sizeof(path), "%s/f.bst", arch);
	mkdir(path, 0755);

	/* This boot's plus the two newest older ones. */
	assert_int_equal(bst_save(src, arch, 3, 1), 0);
	assert_false(exists_in(arch, "a.bst"));
	assert_false(exists_in(arch, "b.bst"));
	assert_true(exists_in(arch, "c.bst"));
	assert_true(exists_in(arch, "d.bst"));
	assert_true(exists_in(arch, "notes.txt"));
	assert_true(exists_in(arch, ".e.bst.123"));
	assert_true(exists_in(arch, "f.bst"));
	assert_true(exists_in(arch, "notes.bst"));
	assert_true(exists_in(arch, "empty.bst"));
	assert_int_equal(count_files(arch, 0), 7);	/* 3 + notes + f.bst + notes.bst + empty.bst */

	/* A capture dated in the future (a clock set wrong) does not push
	 * this boot's out: with one kept, it is this boot's. */
	old_capture(arch, "future.bst", 4102444800);	/* 2100 */
	assert_int_equal(bst_save(src, arch, 1, 1), 0);
	assert_false(exists_in(arch, "future.bst"));
	assert_false(exists_in(arch, "c.bst"));
	assert_false(exists_in(arch, "d.bst"));
	assert_true(exists_in(arch, "notes.bst"));
	assert_int_equal(count_files(arch, 0), 5);	/* this boot's + notes + f.bst + notes.bst + empty.bst */
}

/* ---------------------------------------------- issue 14, point 8 */

/* Run compare with options, its table or JSON in a string; stderr kept. */
static char *run_compare_opts(char **a, size_t na, char **b, size_t nb,
			      const char *driver, int json,
			      const struct bst_compare_opts *opts, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = bst_compare_with(f, a, na, b, nb, driver, json, opts);
	fclose(f);
	return buf;
}

/* The table row of `metric`, or NULL. */
static const char *row_of(const char *out, const char *metric)
{
	char want[200];
	const char *p;

	snprintf(want, sizeof(want), "\n%s ", metric);
	p = strstr(out, want);
	return p ? p + 1 : NULL;
}

/* B-A of a table row: the 7th number after the metric's name. */
static double delta_of(const char *row, const char *metric)
{
	const char *p = row + strlen(metric);
	double v = NAN;
	int i;

	for (i = 0; i < 7; i++) {
		char *end;

		v = strtod(p, &end);
		assert_true(end != p);
		p = end;
	}
	return v;
}

/*
 * docs/ec2.md's workflow with Amazon's releases beside the in-tree ENA:
 * the kernel's own driver (no version=) is the baseline of both, and the
 * versions are never ordered against the kernel release.
 */
static void test_compare_in_tree_is_baseline(void **state)
{
	char pa[512], *a[] = { pa }, *out;
	const char *row;
	int i, rc;

	(void)state;
	for (i = 0; i < 5; i++) {
		write_capture("ena", i, "", 2 + i * 0.1, "ro");
		write_capture("ena", 10 + i, "2.12.0g", 100 + i * 0.1, "ro");
		write_capture("ena", 20 + i, "2.17.0g", 170 + i * 0.1, "ro");
	}
	snprintf(pa, sizeof(pa), "%s/ena", dir);
	out = run_compare(a, 1, NULL, 0, "bst_fixture", 0, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "bst_fixture versions: in-tree (6.1.0-57-amd64) (baseline) vs 2.12.0g\n") ||
	    !strstr(out, "bst_fixture versions: in-tree (6.1.0-57-amd64) (baseline) vs 2.17.0g\n") ||
	    !strstr(out, "driver bst_fixture: in-tree (6.1.0-57-amd64) -> 2.12.0g\n") ||
	    strstr(out, "2.12.0g (baseline)") || strstr(out, "-> 6.1.0"))
		fail_msg("%s", out);
	/* Both out-of-tree versions are slower than the baseline: B-A > 0. */
	row = row_of(out, "probe bst_fixture");
	assert_non_null(row);
	assert_true(fabs(delta_of(row, "probe bst_fixture") - (100.2 - 2.2)) < 1e-6);
	row = row_of(strstr(out, "vs 2.17.0g"), "probe bst_fixture");
	assert_non_null(row);
	assert_true(fabs(delta_of(row, "probe bst_fixture") - (170.2 - 2.2)) < 1e-6);
	free(out);
}

static void test_compare_explicit_baseline(void **state)
{
	struct bst_compare_opts opts = { 0 };
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out;
	const char *row;
	int i, rc;

	(void)state;
	for (i = 0; i < 5; i++) {
		write_capture("base_a", i, "1.0.0", 10 + i * 0.1, "ro");
		write_capture("base_b", i, "2.0.0", 40 + i * 0.1, "ro");
	}
	snprintf(pa, sizeof(pa), "%s/base_a", dir);
	snprintf(pb, sizeof(pb), "%s/base_b", dir);
	/* B as the baseline: the difference is A's minus B's. */
	opts.baseline = pb;
	out = run_compare_opts(a, 1, b, 1, NULL, 0, &opts, &rc);
	assert_int_equal(rc, 0);
	row = row_of(out, "probe bst_fixture");
	if (!row || !strstr(out, "A (baseline): ") || !strstr(out, "driver bst_fixture: 2.0.0 -> 1.0.0"))
		fail_msg("%s", out);
	assert_true(fabs(delta_of(row, "probe bst_fixture") - (10.2 - 40.2)) < 1e-6);
	free(out);

	/* --group-by: a version as the baseline, and "in-tree". */
	snprintf(pa, sizeof(pa), "%s/ena", dir);
	opts.baseline = "2.17.0g";
	out = run_compare_opts(a, 1, NULL, 0, "bst_fixture", 0, &opts, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "versions: 2.17.0g (baseline) vs in-tree (6.1.0-57-amd64)\n") ||
	    !strstr(out, "versions: 2.17.0g (baseline) vs 2.12.0g\n"))
		fail_msg("%s", out);
	free(out);
	opts.baseline = "in-tree";
	out = run_compare_opts(a, 1, NULL, 0, "bst_fixture", 1, &opts, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "{\"comparisons\":[{\"a\":{\"label\":\"in-tree (6.1.0-57-amd64)\",\"boots\":5}"))
		fail_msg("%s", out);
	free(out);
	/* A label no group has: an error, nothing printed. */
	opts.baseline = "3.0.0";
	out = run_compare_opts(a, 1, NULL, 0, "bst_fixture", 0, &opts, &rc);
	assert_int_equal(rc, 2);
	assert_string_equal(out, "");
	free(out);
}

static void write_file(const char *sub, const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Compare a and b with opts; what it wrote to stderr (its warnings). */
static char *stderr_of(char **a, char **b, const struct bst_compare_opts *opts,
		       int *rc, char **out)
{
	char errpath[600], *text = NULL;
	int saved = dup(2), fd;
	size_t len = 0;
	FILE *f;

	snprintf(errpath, sizeof(errpath), "%s/stderr.txt", dir);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	*out = run_compare_opts(a, 1, b, 1, NULL, 0, opts, rc);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(errpath, "r");
	assert_non_null(f);
	assert_true(getdelim(&text, &len, '\0', f) >= 0 || feof(f));
	fclose(f);
	return text ? text : strdup("");
}

/*
 * A README beside the captures, and a boot torn by a power cut (its last
 * line truncated): each named in a warning and left out, the rest
 * compared; with --strict, each is an error.
 */
static void test_compare_skips_strays(void **state)
{
	struct bst_compare_opts opts = { 0 };
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out, *err;
	int i, rc;

	(void)state;
	for (i = 0; i < 5; i++) {
		write_capture("stray_a", i, "1.0.0", 10 + i * 0.1, "ro");
		write_capture("stray_b", i, "2.0.0", 40 + i * 0.1, "ro");
	}
	write_file("stray_a", "README", "Boots of the old driver.\n");
	write_file("stray_b", "torn.bst",
		   "# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
		   "1 0.000000000 kernel.start linux release=6.1.0-57-amd64 src=kmsg\n"
		   "2 1.0000");
	snprintf(pa, sizeof(pa), "%s/stray_a", dir);
	snprintf(pb, sizeof(pb), "%s/stray_b", dir);
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 0);
	if (!strstr(err, "warning: ") || !strstr(err, "/stray_a/README: not a capture") ||
	    !strstr(err, "/stray_b/torn.bst:4: ") || !strstr(out, "(5 boots)\nB: "))
		fail_msg("stderr: %s\nstdout: %s", err, out);
	assert_non_null(strstr(out, "B: "));
	assert_non_null(strstr(strstr(out, "B: "), "(5 boots)"));
	free(out);
	free(err);

	opts.strict = 1;
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 2);
	if (!strstr(err, "/stray_a/README: not a capture") || strstr(err, "warning"))
		fail_msg("%s", err);
	assert_string_equal(out, "");
	free(out);
	free(err);
	/* Only the torn one: also fatal under --strict, naming its line. */
	snprintf(pa, sizeof(pa), "%s/base_a", dir);
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 2);
	if (!strstr(err, "/stray_b/torn.bst:4: "))
		fail_msg("%s", err);
	free(out);
	free(err);
}

/* n boots per group, fully separated (A fast, B slow). */
static void separated_groups(const char *sa, const char *sb, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		write_capture(sa, i, "1.0.0", 10 + i * 0.01, "ro");
		write_capture(sb, i, "2.0.0", 40 + i * 0.01, "ro");
	}
}

/*
 * With 2 or 3 boots a group, no difference can be significant (the
 * smallest exact p is 1/3 or 1/10): the report says so and how many boots
 * would do (4, where 2 / C(8, 4) = 0.029 < 0.05).
 */
static void test_compare_too_few_boots(void **state)
{
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out;
	int rc;

	(void)state;
	assert_true(fabs(bst_mann_whitney_min_p(2, 2) - 2.0 / 6) < 1e-12);
	assert_true(fabs(bst_mann_whitney_min_p(3, 3) - 2.0 / 20) < 1e-12);
	assert_true(fabs(bst_mann_whitney_min_p(4, 4) - 2.0 / 70) < 1e-12);
	assert_true(bst_mann_whitney_min_p(1, 1) == 1);
	assert_int_equal(bst_boots_needed(0.05), 4);
	assert_int_equal(bst_boots_needed(0.01), 5);	/* 2 / 252 */

	separated_groups("few3_a", "few3_b", 3);
	snprintf(pa, sizeof(pa), "%s/few3_a", dir);
	snprintf(pb, sizeof(pb), "%s/few3_b", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "No difference can be significant with 3 and 3 boots") ||
	    !strstr(out, "for groups this size is 0.1, not below 0.05") ||
	    !strstr(out, "at least 4 boots in each group") || strstr(out, " *\n"))
		fail_msg("%s", out);
	free(out);
	out = run_compare(a, 1, b, 1, NULL, 1, &rc);
	if (!strstr(out, "\"min_possible_p\":0.1,\"can_be_significant\":false,\"boots_needed_per_group\":4,"))
		fail_msg("%s", out);
	free(out);

	separated_groups("few2_a", "few2_b", 2);
	snprintf(pa, sizeof(pa), "%s/few2_a", dir);
	snprintf(pb, sizeof(pb), "%s/few2_b", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	if (!strstr(out, "with 2 and 2 boots") || !strstr(out, "this size is 0.33,"))
		fail_msg("%s", out);
	free(out);

	/* Four each, separated: significant, and no such note. */
	separated_groups("few4_a", "few4_b", 4);
	snprintf(pa, sizeof(pa), "%s/few4_a", dir);
	snprintf(pb, sizeof(pb), "%s/few4_b", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	if (strstr(out, "No difference can be significant") || !strstr(out, " *\n"))
		fail_msg("%s", out);
	free(out);
}

/* A tiny p keeps its digits: 2 / C(60, 30) for 30 separated boots each. */
static void test_compare_small_p_readable(void **state)
{
	char pa[512], pb[512], *a[] = { pa }, *b[] = { pb }, *out, want[64];
	const char *row;
	double c = 1;
	int i, rc;

	(void)state;
	for (i = 1; i <= 30; i++)
		c = c * (30 + i) / i;
	snprintf(want, sizeof(want), " %.1fe-%02d *\n",
		 2 / c * pow(10, ceil(-log10(2 / c))), (int)ceil(-log10(2 / c)));
	separated_groups("tiny_a", "tiny_b", 30);
	snprintf(pa, sizeof(pa), "%s/tiny_a", dir);
	snprintf(pb, sizeof(pb), "%s/tiny_b", dir);
	out = run_compare(a, 1, b, 1, NULL, 0, &rc);
	assert_int_equal(rc, 0);
	row = row_of(out, "probe bst_fixture");
	if (!row || strncmp(strstr(row, want) ? strstr(row, want) : "", want, strlen(want)) ||
	    strstr(out, "0.0000"))
		fail_msg("want '%s' in: %s", want, out);
	free(out);
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

/*
 * One boot counted once: named twice in a group (the same directory twice,
 * a link to a capture, a copy with the same boot id) it is one boot with a
 * warning; in both groups it is an error naming it.
 */
static void test_compare_counts_a_boot_once(void **state)
{
	struct bst_compare_opts opts = { 0 };
	char pa[512], pb[512], pc[512], l[700], t[700];
	char *a[] = { pa, pa, pa }, *b[] = { pb, pb, pb }, *out, *err;
	char buf[4096];
	size_t n;
	FILE *in, *o;
	int rc;

	(void)state;
	separated_groups("once_a", "once_b", 4);
	snprintf(pa, sizeof(pa), "%s/once_a", dir);
	snprintf(pb, sizeof(pb), "%s/once_b", dir);
	out = run_compare_opts(a, 3, b, 3, NULL, 0, &opts, &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "(4 boots)\nB: ") || !strstr(strstr(out, "B: "), "(4 boots)"))
		fail_msg("%s", out);
	free(out);
	/* A link in A to a capture of B's: the boot is in both. */
	snprintf(l, sizeof(l), "%s/once_a/link.bst", dir);
	snprintf(t, sizeof(t), "%s/once_b/boot2.bst", dir);
	assert_int_equal(symlink(t, l), 0);
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 2);
	if (!strstr(err, "/once_a/link.bst (in A) and ") ||
	    !strstr(err, "/once_b/boot2.bst (in B) are one boot (boot_id once_b-b2)"))
		fail_msg("%s", err);
	free(out);
	free(err);
	unlink(l);
	/* A copy under another name, same boot id: a warning naming both. */
	snprintf(l, sizeof(l), "%s/once_a/copy.bst", dir);
	snprintf(t, sizeof(t), "%s/once_a/boot1.bst", dir);
	in = fopen(t, "r");
	o = fopen(l, "w");
	assert_non_null(in);
	assert_non_null(o);
	while ((n = fread(buf, 1, sizeof(buf), in)))
		fwrite(buf, 1, n, o);
	fclose(in);
	fclose(o);
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 0);
	if (!strstr(err, "warning: ") || !strstr(err, "/once_a/boot1.bst and ") ||
	    !strstr(err, "/once_a/copy.bst are one boot (boot_id once_a-b1); counted once") ||
	    !strstr(out, "(4 boots)\nB: "))
		fail_msg("stderr: %s\nstdout: %s", err, out);
	free(out);
	free(err);
	unlink(l);
	/* Without a boot id, the same file by another name (a hard link). */
	snprintf(t, sizeof(t), "%s/once_c", dir);
	mkdir(t, 0755);
	snprintf(t, sizeof(t), "%s/once_c/x.txt", dir);
	in = fopen(t, "w");
	assert_non_null(in);
	fputs("# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0-57-amd64\n"
	      "1 0.000000000 kernel.start linux release=6.1.0-57-amd64 src=kmsg\n", in);
	fclose(in);
	snprintf(l, sizeof(l), "%s/once_c/y.txt", dir);
	assert_int_equal(link(t, l), 0);
	snprintf(pc, sizeof(pc), "%s/once_c", dir);
	a[0] = pc;
	b[0] = t;
	err = stderr_of(a, b, &opts, &rc, &out);
	assert_int_equal(rc, 2);
	if (!strstr(err, "(in B) are one boot (the same file)"))
		fail_msg("%s", err);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_compare_groups),
		cmocka_unit_test(test_compare_single_and_errors),
		cmocka_unit_test(test_inside_probes),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_save_keep),
		cmocka_unit_test(test_compare_in_tree_is_baseline),
		cmocka_unit_test(test_compare_explicit_baseline),
		cmocka_unit_test(test_compare_skips_strays),
		cmocka_unit_test(test_compare_too_few_boots),
		cmocka_unit_test(test_compare_small_p_readable),
		cmocka_unit_test(test_compare_counts_a_boot_once),
	};

	return cmocka_run_group_tests_name("compare", tests, setup, teardown);
}
