// SPDX-License-Identifier: GPL-2.0
/*
 * systemd's units and firmware times as the reader shows them: show's
 * Units section and Startup line, --format json, trace and plot, and
 * compare (per-unit rows, units only in one group, the verdict).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "compare.h"

/* A boot saved with its units: kernel 1 s, initramfs 1 s, then systemd. */
static const char boot_with_units[] =
	"# bootstamps 1\n"
	"# saved boot_id=b1 saved_at=1 os_id=debian\n"
	"# firmware firmware_source=fpdt firmware_start_ns=1000000 bootloader_load_ns=2800000000 bootloader_launch_ns=2900000000 exitbootservice_start_ns=3300000000 exitbootservice_end_ns=3400000000\n"
	"# module_version=0.1.0 kernel=6.1.0-57-amd64 exec=tracepoint\n"
	"1 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
	"2 2.000000000 init.exec systemd path=/sbin/init pid=1 phase=root\n"
	"3 2.100000000 probe.start 0000:00:04.0 driver=nvme bus=pci pid=9\n"
	"4 2.150000000 probe.end 0000:00:04.0 driver=nvme bus=pci rc=0 dur_ns=50000000 start=3 pid=9\n"
	"5 6.000000000 mark boot-done pid=1\n"
	"# units units_source=systemctl units=4 units_listed=6 units_unreadable_lines=0 units_over_limit=0 monotonic_offset_ns=0 units_suspended=0\n"
	"6 2.200000000 unit.start cloud-init-local.service kind=service type=oneshot state=active substate=exited result=success src=systemd\n"
	"7 2.300000000 unit.start dev-nvme0n1.device kind=device type= state=active substate=plugged result= src=systemd\n"
	"8 2.300000000 unit.end dev-nvme0n1.device kind=device type= state=active substate=plugged result= reached=active dur_ns=0 start=7 src=systemd\n"
	"9 3.700000000 unit.end cloud-init-local.service kind=service type=oneshot state=active substate=exited result=success reached=active dur_ns=1500000000 start=6 src=systemd\n"
	"10 4.000000000 unit.start ntpdate.service kind=service type=oneshot state=failed substate=failed result=exit-code src=systemd\n"
	"11 4.600000000 unit.end ntpdate.service kind=service type=oneshot state=failed substate=failed result=exit-code reached=inactive dur_ns=600000000 start=10 src=systemd\n"
	"12 5.900000000 unit.start bootstamps-save.service kind=service type=oneshot state=activating substate=start result= src=systemd\n"
	"13 900.000000000 unit.start late.timer kind=timer type= state=active substate=waiting result= src=systemd\n"
	"14 900.000000000 unit.end late.timer kind=timer type= state=active substate=waiting result= reached=active dur_ns=0 start=13 src=systemd\n";

struct parsed {
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
};

static void load(struct parsed *p, const char *text)
{
	struct bst_error err;
	char *copy = strdup(text);

	assert_non_null(copy);
	if (bst_parse_text("cap.txt", copy, &p->cap, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_model_build(&p->cap, &p->model, &err), 0);
	assert_int_equal(bst_boot_build(&p->cap, &p->boot), 0);
}

static void unload(struct parsed *p)
{
	bst_boot_free(&p->boot);
	bst_model_free(&p->model);
	bst_capture_free(&p->cap);
}

enum out { SHOW, JSON, TRACE, PLOT };

static char *output(const char *text, enum out what)
{
	struct parsed p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	load(&p, text);
	if (what == SHOW)
		bst_show_text(f, &p.cap, &p.model, &p.boot, 10, 0);
	else if (what == JSON)
		bst_show_json(f, &p.cap, &p.model, &p.boot, 10);
	else if (what == TRACE)
		bst_trace(f, &p.cap, &p.model, &p.boot);
	else
		bst_plot(f, &p.cap, &p.model, &p.boot);
	fclose(f);
	unload(&p);
	return buf;
}

static void expect_in(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("no \"%s\" in:\n%s", want, out);
}

static void test_units_are_spans_and_end_no_boot(void **state)
{
	struct parsed p;
	size_t i, units = 0, running = 0;
	char *text, *mark;

	(void)state;
	/* Without the marker: the boot ends at the capture's own last event. */
	text = strdup(boot_with_units);
	assert_non_null(text);
	mark = strstr(text, "5 6.000000000 mark boot-done pid=1\n");
	assert_non_null(mark);
	memcpy(mark, "5 6.000000000 net.up eth0 x=123456", 34);
	load(&p, text);
	for (i = 0; i < p.model.nspans; i++) {
		if (p.model.spans[i].kind != BST_SPAN_UNIT)
			continue;
		units++;
		running += !p.model.spans[i].end;
	}
	assert_int_equal(units, 5);
	assert_int_equal(running, 1);
	/* A timer 15 minutes later is not the boot's end. */
	assert_true(p.boot.end_ns == 6000000000ULL);
	unload(&p);
	free(text);
}

static void test_show_units_section(void **state)
{
	char *out = output(boot_with_units, SHOW);
	const char *units, *a, *b;

	(void)state;
	units = strstr(out, "\nUnits: ");
	if (!units)
		fail_msg("no Units section in:\n%s", out);
	/* The longest first, each with when it began, its type and result. */
	a = strstr(units, "1.500s");
	b = strstr(units, "600ms");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	expect_in(units, "2.200s  cloud-init-local.service");
	expect_in(units, "ntpdate.service                          oneshot    failed     exit-code");
	expect_in(units, "bootstamps-save.service");
	expect_in(units, "(still activating when saved)");
	/* After Programs, before the chains. */
	assert_true(units < strstr(out, "Critical chain"));
	free(out);
}

static void test_show_without_units(void **state)
{
	char *out = output("# bootstamps 1\n"
			   "1 1.000000000 init.exec init path=/init pid=1 phase=root\n"
			   "2 2.000000000 mark boot-done pid=1\n", SHOW);

	(void)state;
	assert_null(strstr(out, "Units"));
	/* A live capture: save never looked for firmware, nothing said. */
	assert_null(strstr(out, "firmware"));
	free(out);
}

static void test_suspended_is_said(void **state)
{
	char *text = strdup(boot_with_units), *p, *out;

	(void)state;
	assert_non_null(text);
	p = strstr(text, "monotonic_offset_ns=0 units_suspended=0");
	assert_non_null(p);
	memcpy(p, "monotonic_offset_ns=7 units_suspended=1", 39);
	out = output(text, SHOW);
	expect_in(out, "note: the machine had been suspended");
	expect_in(out, "= 7 ns");
	free(out);
	free(text);
}

static void test_firmware_in_startup(void **state)
{
	char *out = output(boot_with_units, SHOW);

	(void)state;
	/*
	 * Firmware from its start to the loader's (StartImage), the loader
	 * to ExitBootServices' end; the total counts both, as
	 * systemd-analyze's does: 2.899 + 0.5 + 6 s.
	 */
	expect_in(out, "Startup finished in 2.899s (firmware) + 500ms (loader) + 1.000s (kernel) + 1.000s (initrd) + 4.000s (userspace) = 9.399s\n");
	assert_null(strstr(out, "firmware time unknown"));
	free(out);
}

static void test_firmware_unknown_quietly(void **state)
{
	char *out = output("# bootstamps 1\n# saved boot_id=x saved_at=1\n"
			   "1 1.000000000 init.exec init path=/init pid=1 phase=root\n"
			   "2 2.000000000 mark boot-done pid=1\n", SHOW);

	(void)state;
	/* The Startup line as before; a few words on the next one. */
	expect_in(out, "Startup finished in 1.000s (kernel) + 1.000s (userspace) = 2.000s\n");
	expect_in(out, "; firmware time unknown (no ACPI FPDT)\n");
	assert_null(strstr(out, "note: "));
	free(out);
}

static void test_firmware_partial(void **state)
{
	struct parsed p;

	(void)state;
	/* No loader times: firmware and loader together, to ExitBootServices. */
	load(&p, "# bootstamps 1\n# firmware firmware_source=fpdt firmware_start_ns=5 bootloader_load_ns=0 exitbootservice_end_ns=1000000005\n"
		 "1 1.000000000 init.exec init path=/init pid=1 phase=root\n");
	assert_true(p.boot.fw.known);
	assert_false(p.boot.fw.loader_known);
	assert_true(p.boot.fw.firmware_ns == 1000000000ULL);
	unload(&p);
	/* Nothing usable: recorded, not known. */
	load(&p, "# bootstamps 1\n# firmware firmware_source=fpdt firmware_start_ns=junk\n"
		 "1 1.000000000 init.exec init path=/init pid=1 phase=root\n");
	assert_true(p.boot.fw.recorded);
	assert_false(p.boot.fw.known);
	unload(&p);
}

static void test_json_units_and_firmware(void **state)
{
	char *out = output(boot_with_units, JSON);

	(void)state;
	expect_in(out, "\"units\":[{\"name\":\"cloud-init-local.service\",\"kind\":\"service\",\"type\":\"oneshot\",\"state\":\"active\",\"result\":\"success\",\"start_ms\":2200.000000,\"duration_ms\":1500.000000}");
	expect_in(out, "{\"name\":\"bootstamps-save.service\",\"kind\":\"service\",\"type\":\"oneshot\",\"state\":\"activating\",\"result\":\"\",\"start_ms\":5900.000000,\"running\":true}");
	expect_in(out, "\"firmware_ms\":2899.000000,\"loader_ms\":500.000000,\"total_with_firmware_ms\":9399.000000");
	expect_in(out, "{\"kind\":\"unit\",\"subject\":\"ntpdate.service\"");
	free(out);
}

static void test_trace_and_plot(void **state)
{
	char *trace = output(boot_with_units, TRACE), *plot = output(boot_with_units, PLOT);

	(void)state;
	expect_in(trace, "\"systemd units\"");
	expect_in(trace, "\"service units\"");
	/* On the probes' axis: cloud-init-local from 2.2 s for 1.5 s, in us. */
	expect_in(trace, "\"ts\":2200000.000,\"dur\":1500000.000");
	expect_in(plot, "systemd units");
	expect_in(plot, "cloud-init-local.service");
	free(trace);
	free(plot);
}

/* compare: captures written to a directory per group. */
static char dir[] = "/tmp/bst-units-reader-XXXXXX";

static void write_boot(const char *group, int i, int with_units,
		       double cloud_ms, double ntp_ms)
{
	char path[512];
	FILE *f;
	double end = 2.2 + cloud_ms / 1e3;

	snprintf(path, sizeof(path), "%s/%s", dir, group);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/boot%d.bst", dir, group, i);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# bootstamps 1\n# saved boot_id=%s-%d saved_at=1\n"
		"# module_version=0.1.0 kernel=6.1.0-57-amd64 exec=tracepoint\n"
		"1 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
		"2 2.000000000 init.exec systemd path=/sbin/init pid=1 phase=root\n"
		"3 %.9f mark boot-done pid=1\n", group, i,
		end + 0.5 + 2 * ntp_ms / 1e3 + i * 0.001);
	if (with_units) {
		fprintf(f, "# units units_source=systemctl units=2 monotonic_offset_ns=0 units_suspended=0\n"
			"4 2.200000000 unit.start cloud-init.service kind=service type=oneshot src=systemd\n"
			"5 %.9f unit.end cloud-init.service kind=service type=oneshot reached=active dur_ns=%.0f start=4 src=systemd\n",
			end + i * 0.001, cloud_ms * 1e6 + i * 1e6);
		if (ntp_ms > 0)
			fprintf(f, "6 %.9f unit.start ntpdate.service kind=service type=oneshot src=systemd\n"
				"7 %.9f unit.end ntpdate.service kind=service type=oneshot reached=inactive dur_ns=%.0f start=6 src=systemd\n",
				end + 0.1, end + 0.1 + ntp_ms / 1e3, ntp_ms * 1e6);
	}
	/* The service's program, a little shorter than its unit. */
	if (ntp_ms > 0)
		fprintf(f, "8 %.9f exec ntpdate path=/usr/sbin/ntpdate pid=400 ppid=1\n"
			"9 %.9f exit ntpdate pid=400 status=0 dur_ns=%.0f start=8\n",
			end + 0.105, end + 0.105 + (ntp_ms - 10) / 1e3, (ntp_ms - 10) * 1e6);
	fclose(f);
}

static char *compare(const char *a, const char *b, int json)
{
	char pa[512], pb[512], *buf = NULL;
	char *av[] = { pa }, *bv[] = { pb };
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	snprintf(pa, sizeof(pa), "%s/%s", dir, a);
	snprintf(pb, sizeof(pb), "%s/%s", dir, b);
	rc = bst_compare(f, av, 1, bv, 1, NULL, json);
	fclose(f);
	assert_int_equal(rc, 0);
	return buf;
}

static void test_compare_units(void **state)
{
	char *text, *json;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		write_boot("a", i, 1, 1500, 600);	/* ntpdate.service only in A */
		write_boot("b", i, 1, 900, 0);		/* cloud-init 600 ms faster */
	}
	text = compare("a", "b", 0);
	json = compare("a", "b", 1);
	/* Per-unit rows, like programs'. */
	expect_in(text, "unit cloud-init.service");
	expect_in(json, "{\"metric\":\"unit cloud-init.service\",\"n_a\":4,");
	expect_in(json, "\"delta_ms\":-600.000000");
	/* Only in A, with its time. */
	expect_in(text, "Only in A");
	expect_in(text, "unit ntpdate.service");
	expect_in(json, "\"only_in_a\":[{\"metric\":\"unit ntpdate.service\",\"median_ms\":600.000000,\"boots\":4,\"of\":4,\"phase\":\"userspace\"}");
	/* And the verdict names both. */
	expect_in(text, "userspace -");
	expect_in(text, "cloud-init.service -600 ms");
	expect_in(text, "ntpdate.service only in A (600 ms)");
	/* A boot without it ran it 0 ms: a row, like a program's. */
	expect_in(json, "{\"metric\":\"unit ntpdate.service\",\"n_a\":4,\"median_a_ms\":600.000000,\"p90_a_ms\":600.000000,\"n_b\":4,\"median_b_ms\":0.000000");
	/* Its program is the same time: listed, but not named twice. */
	expect_in(json, "\"metric\":\"program ntpdate\",\"median_ms\":590.000000");
	assert_null(strstr(text, "ntpdate only in A"));
	expect_in(text, "; 600 ms unexplained.");
	free(text);
	free(json);
}

/* A group saved without units says nothing about them: not "only in". */
static void test_compare_units_against_no_import(void **state)
{
	char *json;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		write_boot("c", i, 1, 1500, 600);
		write_boot("d", i, 0, 900, 0);
	}
	json = compare("c", "d", 1);
	assert_null(strstr(json, "\"metric\":\"unit ntpdate.service\""));
	assert_null(strstr(json, "\"metric\":\"unit cloud-init.service\""));
	free(json);
}

static void test_compare_firmware(void **state)
{
	char path[512];
	char *text;
	FILE *f;
	int i, g;

	(void)state;
	for (g = 0; g < 2; g++)
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s/fw%d", dir, g);
			mkdir(path, 0755);
			snprintf(path, sizeof(path), "%s/fw%d/boot%d.bst", dir, g, i);
			f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "# bootstamps 1\n# saved boot_id=fw%d-%d saved_at=1\n"
				"# firmware firmware_source=fpdt firmware_start_ns=0 bootloader_launch_ns=%d000000 exitbootservice_end_ns=%d000000\n"
				"1 1.000000000 init.exec init path=/sbin/init pid=1 phase=root\n"
				"2 2.%03d000000 mark boot-done pid=1\n",
				g, i, g ? 1000 + i : 3000 + i, g ? 1400 + i : 3400 + i, i);
			fclose(f);
		}
	text = compare("fw0", "fw1", 0);
	/* Before the kernel's phase, and in the verdict. */
	expect_in(text, "phase firmware");
	expect_in(text, "phase loader");
	assert_true(strstr(text, "phase firmware") < strstr(text, "phase kernel"));
	expect_in(text, "firmware -2000 ms.");
	free(text);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_are_spans_and_end_no_boot),
		cmocka_unit_test(test_show_units_section),
		cmocka_unit_test(test_show_without_units),
		cmocka_unit_test(test_suspended_is_said),
		cmocka_unit_test(test_firmware_in_startup),
		cmocka_unit_test(test_firmware_unknown_quietly),
		cmocka_unit_test(test_firmware_partial),
		cmocka_unit_test(test_json_units_and_firmware),
		cmocka_unit_test(test_trace_and_plot),
		cmocka_unit_test(test_compare_units),
		cmocka_unit_test(test_compare_units_against_no_import),
		cmocka_unit_test(test_compare_firmware),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
