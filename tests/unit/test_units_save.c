// SPDX-License-Identifier: GPL-2.0
/*
 * save with systemd and without: units from a file or from systemctl (a
 * script standing in for it: its arguments, a timeout, endless output, a
 * failure), none without systemd, none twice on a second save; and the
 * firmware line from a sysfs tree.
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "archive.h"
#include "capture.h"
#include "units.h"

static char tmp[] = "/tmp/bst-units-save-XXXXXX";
static char data[4096], capture[4200], fixture[4200];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* Save into a fresh directory; the archived file's text. */
static char *save(struct bst_save_opts *o, const char *sub, int *rc)
{
	static char dir[4300];
	char id[64] = "", path[4400];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	assert_non_null(f);
	assert_non_null(fgets(id, sizeof(id), f));
	fclose(f);
	id[strcspn(id, "\n")] = '\0';
	snprintf(dir, sizeof(dir), "%s/%s", tmp, sub);
	o->dir = dir;
	o->quiet = 1;
	if (!o->from)
		o->from = capture;
	*rc = bst_save_with(o);
	snprintf(path, sizeof(path), "%s/%s.bst", dir, id);
	return slurp(path);
}

static void parses(char *text)
{
	struct bst_capture cap;
	struct bst_error err;
	char *copy = strdup(text);

	assert_non_null(copy);
	if (bst_parse_text("saved", copy, &cap, &err))
		fail_msg("%s", err.msg);
	bst_capture_free(&cap);
}

static void test_units_from_file(void **state)
{
	struct bst_save_opts o = { .units_from = fixture };
	int rc;
	char *out = save(&o, "file", &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_non_null(strstr(out, "\n# units units_source=file units=15 "));
	assert_int_equal(count(out, " unit.start "), 15);
	assert_int_equal(count(out, " unit.end "), 14);
	/* The capture's own events are all still there, unchanged. */
	assert_non_null(strstr(out, "\n7 11.100000000 mark boot-done "));
	/* The first unit event follows the capture's last seq. */
	assert_non_null(strstr(out, "\n8 2.981544000 unit.start -.mount "));
	parses(out);
	free(out);
}

/* A file asked for and missing: an error, nothing archived. */
static void test_units_from_missing_file(void **state)
{
	struct bst_save_opts o = { .units_from = "/nonexistent/units.txt" };
	int rc;
	char *out = save(&o, "missing", &rc);

	(void)state;
	assert_int_equal(rc, 2);
	assert_null(out);
}

static void test_without_systemd(void **state)
{
	struct bst_save_opts o = { .systemd_run = "/nonexistent/systemd/system",
				   .sysfs = "/nonexistent" };
	char *src = slurp(capture), *out, *body;
	int rc;

	(void)state;
	out = save(&o, "none", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_null(strstr(out, "# units"));
	assert_null(strstr(out, "unit."));
	assert_null(strstr(out, "# firmware"));
	/* The capture after the saved line is the source after line 1. */
	body = strchr(strchr(out, '\n') + 1, '\n') + 1;
	assert_string_equal(body, strchr(src, '\n') + 1);
	free(out);
	free(src);
}

static void test_no_systemctl(void **state)
{
	char path[4300];
	struct bst_save_opts o = { .systemd_run = tmp };
	int rc;
	char *out;

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-systemctl", tmp);
	o.systemctl = path;
	out = save(&o, "nosystemctl", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_null(strstr(out, "# units"));
	free(out);
}

/* A stand-in for systemctl: prints the fixture and records its arguments. */
static void test_units_from_systemctl(void **state)
{
	char script[4300], args[4300], text[9000];
	struct bst_save_opts o = { .systemd_run = tmp };
	int rc;
	char *out, *got;

	(void)state;
	snprintf(script, sizeof(script), "%s/bin/systemctl", tmp);
	snprintf(args, sizeof(args), "%s/bin/args", tmp);
	snprintf(text, sizeof(text), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > %s\nexec cat %s\n",
		 args, fixture);
	put(script, text, 0755);
	o.systemctl = script;
	out = save(&o, "systemctl", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_non_null(strstr(out, "\n# units units_source=systemctl units=15 "));
	assert_int_equal(count(out, " unit.start "), 15);
	got = slurp(args);
	assert_non_null(got);
	/* Every unit, every property asked for, no pager, no shell glob. */
	assert_string_equal(got, "show\n--all\n--no-pager\n"
			    "--property=Id,Type,ActiveState,SubState,Result,"
			    "InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic,"
			    "ActiveExitTimestampMonotonic,InactiveEnterTimestampMonotonic,"
			    "ExecMainStartTimestampMonotonic,ExecMainExitTimestampMonotonic\n*\n");
	free(got);
	free(out);
}

static void stand_in(const char *name, const char *body, struct bst_save_opts *o)
{
	static char script[4300];
	char text[4400];

	snprintf(script, sizeof(script), "%s/bin/%s", tmp, name);
	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	put(script, text, 0755);
	o->systemctl = script;
	o->systemd_run = tmp;
}

static void test_systemctl_that_hangs(void **state)
{
	struct bst_save_opts o = { .units_timeout_ms = 300 };
	struct timespec a, b;
	int rc;
	char *out;

	(void)state;
	stand_in("hangs", "echo Id=a.service; exec sleep 30", &o);
	clock_gettime(CLOCK_MONOTONIC, &a);
	out = save(&o, "hangs", &rc);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_null(strstr(out, "# units"));
	assert_true(b.tv_sec - a.tv_sec < 10);
	free(out);
}

static void test_systemctl_that_never_stops(void **state)
{
	struct bst_save_opts o = { 0 };
	int rc;
	char *out;

	(void)state;
	stand_in("endless", "exec yes Id=x.service", &o);
	out = save(&o, "endless", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	/* Past the bound: nothing imported, rather than a part. */
	assert_null(strstr(out, "# units"));
	free(out);
}

static void test_systemctl_that_fails(void **state)
{
	struct bst_save_opts o = { 0 };
	int rc;
	char *out;

	(void)state;
	stand_in("fails", "echo Id=a.service; echo InactiveExitTimestampMonotonic=5; exit 3", &o);
	out = save(&o, "fails", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_null(strstr(out, "# units"));
	free(out);
}

/* The read's bound: past it an error, never the first part as if whole. */
static void test_output_bound(void **state)
{
	struct bst_save_opts o = { 0 };
	struct bst_error err;
	size_t len;
	char *out;

	(void)state;
	stand_in("chatty", "printf '%5000s' x", &o);
	assert_int_equal(bst_units_run_systemctl(o.systemctl, 1000, 5000, &out, &len, &err), -1);
	assert_null(out);
	if (!strstr(err.msg, "wrote more than 1000 bytes"))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_units_run_systemctl(o.systemctl, 5000, 5000, &out, &len, &err), 0);
	assert_int_equal(len, 5000);
	free(out);
}

/* Saving a saved capture again replaces its units, never adds them twice. */
static void test_saved_twice(void **state)
{
	struct bst_save_opts o = { .units_from = fixture };
	char again[4400];
	int rc;
	char *first = save(&o, "twice", &rc), *second;

	(void)state;
	assert_non_null(first);
	snprintf(again, sizeof(again), "%s/again.txt", tmp);
	put(again, first, 0644);
	o.from = again;
	second = save(&o, "twice2", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(second);
	assert_int_equal(count(second, "# units "), 1);
	assert_int_equal(count(second, " unit.start "), 15);
	/* The same numbering: after the capture's own last event. */
	assert_non_null(strstr(second, "\n8 2.981544000 unit.start -.mount "));
	parses(second);
	free(first);
	free(second);
}

/*
 * Saved again where there is no systemd (an analysis machine, a
 * container), a saved capture keeps the units it had: nothing replaces them.
 */
static void test_saved_again_without_systemd(void **state)
{
	struct bst_save_opts o = { .units_from = fixture };
	struct bst_save_opts none = { .systemd_run = "/nonexistent/systemd/system",
				      .sysfs = "/nonexistent" };
	char again[4400];
	int rc;
	char *first = save(&o, "keep", &rc), *second;

	(void)state;
	assert_non_null(first);
	snprintf(again, sizeof(again), "%s/keep.txt", tmp);
	put(again, first, 0644);
	none.from = again;
	second = save(&none, "keep2", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(second);
	assert_int_equal(count(second, "# units "), 1);
	assert_int_equal(count(second, " unit.start "), count(first, " unit.start "));
	parses(second);
	free(first);
	free(second);
}

static void test_firmware_line(void **state)
{
	static const char *const files[][2] = {
		{ "firmware_start_ns", "0\n" },
		{ "bootloader_load_ns", "2890311000\n" },
		{ "bootloader_launch_ns", "2904117000\n" },
		{ "exitbootservice_start_ns", "4100223000\n" },
		{ "exitbootservice_end_ns", "not a number\n" },
	};
	struct bst_save_opts o = { .no_units = 1 };
	char root[4300], path[4400];
	size_t i;
	int rc;
	char *out;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys", tmp);
	snprintf(path, sizeof(path), "%s/firmware/acpi/fpdt/boot", root);
	{
		char cmd[4500];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
		assert_int_equal(system(cmd), 0);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char f[4500];

		snprintf(f, sizeof(f), "%s/%s", path, files[i][0]);
		put(f, files[i][1], 0444);
	}
	o.sysfs = root;
	out = save(&o, "firmware", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(out);
	/* Each value as the kernel gave it; the one that is no number left out. */
	assert_non_null(strstr(out, "\n# firmware firmware_source=fpdt firmware_start_ns=0 bootloader_load_ns=2890311000 bootloader_launch_ns=2904117000 exitbootservice_start_ns=4100223000\n"));
	parses(out);
	free(out);
}

static int setup(void **state)
{
	const char *src = __FILE__, *slash = strrchr(src, '/');
	char bin[4300];

	(void)state;
	snprintf(data, sizeof(data), "%.*s/data", slash ? (int)(slash - src) : 1,
		 slash ? src : ".");
	snprintf(capture, sizeof(capture), "%s/capture.txt", data);
	snprintf(fixture, sizeof(fixture), "%s/systemctl-show.txt", data);
	if (!mkdtemp(tmp))
		return -1;
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	return mkdir(bin, 0755);
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_from_file),
		cmocka_unit_test(test_units_from_missing_file),
		cmocka_unit_test(test_without_systemd),
		cmocka_unit_test(test_no_systemctl),
		cmocka_unit_test(test_units_from_systemctl),
		cmocka_unit_test(test_systemctl_that_hangs),
		cmocka_unit_test(test_systemctl_that_never_stops),
		cmocka_unit_test(test_systemctl_that_fails),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_saved_twice),
		cmocka_unit_test(test_saved_again_without_systemd),
		cmocka_unit_test(test_firmware_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
