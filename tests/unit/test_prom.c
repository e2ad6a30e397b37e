// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `bootstamps prom` for fleets (issue 14, point 7): series
 * named only by what stays the same between boots, per driver rather than
 * per device, versions in an info series, the whole boot and its phases.
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
#include <cmocka.h>

#include "capture.h"

/*
 * One boot: ENA probes one device four times (two deferrals, a failure
 * with -62 ETIME, then bound), another device once; a kernel-log probe
 * names no driver; two markers, one of free text.
 */
static const char fixture[] =
	"# bootstamps 1\n"
	"# saved boot_id=7d3e5b1c-0000-4000-8000-00000000b007 saved_at=1796183634 cmdline=ro\n"
	"# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64\n"
	"# capacity=4096 events=16 dropped=3 markers=2 missed=1\n"
	"1 0.000000000 kernel.start linux release=6.1.0-57-cloud-amd64 src=kmsg\n"
	"2 0.500000000 probe.end 00:05 driver= bus= rc=0 dur_ns=1000000 start=0 module= version= srcversion= builtin=0 async=0 src=kmsg\n"
	"3 0.600000000 probe.end serial8250 driver=serial8250 bus=platform rc=0 dur_ns=2000000 start=0 module= version= srcversion= builtin=1 async=0 src=kmsg\n"
	"4 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
	"5 1.100000000 disk.partitions nvme0n1 count=2\n"
	"6 1.200000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=0 pid=9\n"
	"7 1.300000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=100000000 start=6 module=ena version=2.17.0g srcversion=ABC builtin=0 async=0 pid=9\n"
	"8 1.400000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"9 1.600000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=200000000 start=8 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"10 1.700000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"11 2.000000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-62 dur_ns=300000000 start=10 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"12 2.100000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"13 2.500000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=0 dur_ns=400000000 start=12 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"14 2.550000000 probe.start 0000:00:06.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"15 2.600000000 probe.end 0000:00:06.0 driver=ena bus=pci rc=0 dur_ns=50000000 start=14 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"16 3.000000000 root.mount /dev/nvme0n1p1 fstype=ext4\n"
	"17 3.100000000 init.exec init path=/sbin/init pid=1 phase=root\n"
	"18 4.000000000 mark ready\\x20at\\x20\\\"last\\\" pid=1\n"
	"19 5.000000000 mark boot-done pid=1\n";

static char *prom_of(const char *text)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *copy = strdup(text), *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(copy);
	if (bst_parse_text("fixture", copy, &cap, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	bst_prom(f, &cap, &model, &boot);
	fclose(f);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return buf;
}

/* The value of the one sample whose name and labels are `series`. */
static double sample(const char *prom, const char *series)
{
	char want[300];
	const char *p, *again;

	snprintf(want, sizeof(want), "\n%s ", series);
	p = strstr(prom, want);
	if (!p) {
		fail_msg("no sample %s in:\n%s", series, prom);
		return NAN;
	}
	again = strstr(p + 1, want);
	if (again)
		fail_msg("%s twice", series);
	return strtod(p + strlen(want), NULL);
}

/* Printed with nine decimals: equal to the nanosecond. */
#define assert_near(got, want) assert_true(fabs((got) - (want)) < 1e-10)

static void test_prom_per_driver(void **state)
{
	char *prom = prom_of(fixture);

	(void)state;
	/* All of ENA's attempts on both devices: 0.1+0.2+0.3+0.4+0.05 s. */
	assert_near(sample(prom, "bootstamps_driver_probe_seconds{driver=\"ena\"}"), 1.05);
	assert_near(sample(prom, "bootstamps_driver_probe_attempts{driver=\"ena\"}"), 5);
	assert_near(sample(prom, "bootstamps_driver_probe_deferrals{driver=\"ena\"}"), 2);
	assert_near(sample(prom, "bootstamps_driver_probe_failures{driver=\"ena\"}"), 1);
	/* Bound on its last device at 2.6 s. */
	assert_near(sample(prom, "bootstamps_driver_ready_seconds{driver=\"ena\"}"), 2.6);
	assert_near(sample(prom, "bootstamps_driver_probe_seconds{driver=\"serial8250\"}"), 0.002);
	/* The version is in an info series, with the kernel out of it. */
	assert_near(sample(prom, "bootstamps_driver_info{driver=\"ena\",module=\"ena\",version=\"2.17.0g\",srcversion=\"ABC\",origin=\"module\"}"), 1);
	assert_near(sample(prom, "bootstamps_driver_info{driver=\"serial8250\",module=\"\",version=\"\",srcversion=\"\",origin=\"builtin\"}"), 1);
	assert_near(sample(prom, "bootstamps_boot_info{kernel=\"6.1.0-57-cloud-amd64\",module_version=\"0.1.0\"}"), 1);
	/* The kernel log's probe without a driver: counted, not a series of its own. */
	assert_near(sample(prom, "bootstamps_unnamed_probe_seconds"), 0.001);
	assert_near(sample(prom, "bootstamps_unnamed_probe_attempts"), 1);
	assert_null(strstr(prom, "driver=\"\""));
	free(prom);
}

static void test_prom_boot_and_phases(void **state)
{
	char *prom = prom_of(fixture);

	(void)state;
	/* To the last marker, boot-done at 5 s. */
	assert_near(sample(prom, "bootstamps_boot_seconds"), 5);
	assert_near(sample(prom, "bootstamps_phase_seconds{phase=\"kernel\"}"), 1);
	assert_near(sample(prom, "bootstamps_phase_seconds{phase=\"initramfs\"}"), 2.1);
	assert_near(sample(prom, "bootstamps_phase_seconds{phase=\"userspace\"}"), 5 - 3.1);
	assert_near(sample(prom, "bootstamps_milestone_seconds{milestone=\"disk.ready\"}"), 1.1);
	assert_near(sample(prom, "bootstamps_milestone_seconds{milestone=\"root.mount\"}"), 3);
	assert_near(sample(prom, "bootstamps_marker_seconds{marker=\"boot-done\"}"), 5);
	assert_near(sample(prom, "bootstamps_dropped_events"), 3);
	assert_near(sample(prom, "bootstamps_missed_probes"), 1);
	free(prom);
}

static int in(const char *v, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, set[i]))
			return 1;
	return 0;
}

#define IN(v, ...) in(v, (const char *const[]){ __VA_ARGS__ }, \
		      sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

/*
 * Every label of every sample is one of the known names, with a value
 * from its fixed set: nothing that changes each boot (the boot id, times)
 * and no free text (the marker "ready at \"last\"", device names).
 */
static void test_prom_label_values(void **state)
{
	char *prom = prom_of(fixture), *line, *save = NULL;
	size_t series = 0;

	(void)state;
	for (line = strtok_r(prom, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, '{');

		if (line[0] == '#')
			continue;
		series++;
		if (!p)
			continue;
		for (p++; *p && *p != '}';) {
			char name[64], value[256];
			int used = 0;

			if (sscanf(p, "%63[a-z_]=\"%255[^\"]\"%n", name, value, &used) != 2) {
				if (sscanf(p, "%63[a-z_]=\"\"%n", name, &used) != 1)
					fail_msg("cannot read labels of %s", line);
				value[0] = '\0';
			}
			p += used;
			if (*p == ',')
				p++;
			if (!strcmp(name, "phase"))
				assert_true(IN(value, "kernel", "initramfs", "userspace"));
			else if (!strcmp(name, "milestone"))
				assert_true(IN(value, "root.mount", "disk.ready", "net.carrier", "net.ipv4", "net.ipv6"));
			else if (!strcmp(name, "marker"))
				assert_true(IN(value, "boot-done"));
			else if (!strcmp(name, "driver"))
				assert_true(IN(value, "ena", "serial8250"));
			else if (!strcmp(name, "module"))
				assert_true(IN(value, "ena", ""));
			else if (!strcmp(name, "version"))
				assert_true(IN(value, "2.17.0g", ""));
			else if (!strcmp(name, "srcversion"))
				assert_true(IN(value, "ABC", ""));
			else if (!strcmp(name, "origin"))
				assert_true(IN(value, "module", "builtin"));
			else if (!strcmp(name, "kernel"))
				assert_true(IN(value, "6.1.0-57-cloud-amd64"));
			else if (!strcmp(name, "module_version"))
				assert_true(IN(value, "0.1.0"));
			else
				fail_msg("label %s in %s", name, line);
		}
	}
	/* 15 series at most for the boot, 6 per driver: ena and serial8250. */
	assert_true(series <= 15 + 6 * 2);
	free(prom);
}

/* Ten times the devices and reboots: no more series than one boot. */
static void test_prom_bounded_by_drivers(void **state)
{
	char *text = NULL, *prom;
	size_t len = 0, series = 0, i;
	FILE *f = open_memstream(&text, &len);
	const char *p;

	(void)state;
	assert_non_null(f);
	fputs("# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64\n"
	      "1 0.000000000 kernel.start linux release=6.1.0-57-cloud-amd64\n", f);
	for (i = 0; i < 500; i++) {
		fprintf(f, "%zu %zu.%09zu probe.start 0000:%02zx:%02zx.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=0\n",
			2 + 3 * i, 1 + i, (size_t)0, i / 256, i % 256);
		fprintf(f, "%zu %zu.%09zu probe.end 0000:%02zx:%02zx.0 driver=ena bus=pci rc=0 dur_ns=1000 start=%zu module=ena version=2.17.0g srcversion=ABC builtin=0 async=0\n",
			3 + 3 * i, 1 + i, (size_t)1000, i / 256, i % 256, 2 + 3 * i);
		fprintf(f, "%zu %zu.%09zu mark reboot-%zu\n", 4 + 3 * i, 1 + i,
			(size_t)2000, i);
	}
	fclose(f);
	prom = prom_of(text);
	for (p = prom; (p = strchr(p, '\n')); p++)
		if (p[1] && p[1] != '#')
			series++;
	/* 15 for the boot at most, 6 for its one driver. */
	assert_true(series <= 15 + 6);
	assert_null(strstr(prom, "reboot-"));
	assert_null(strstr(prom, "0000:"));
	assert_near(sample(prom, "bootstamps_driver_probe_attempts{driver=\"ena\"}"), 500);
	free(prom);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_per_driver),
		cmocka_unit_test(test_prom_boot_and_phases),
		cmocka_unit_test(test_prom_label_values),
		cmocka_unit_test(test_prom_bounded_by_drivers),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
