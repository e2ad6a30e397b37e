// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic checks of a capture (validate.c): what start= names, durations
 * against the boot's start, keys given twice. Errors name file:line;
 * warnings leave the capture usable.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "input.h"

#define HEAD "# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0\n"

static int parse(const char *text, struct bst_capture *cap,
		 struct bst_error *err)
{
	char *copy = strdup(text);
	int rc;

	assert_non_null(copy);
	rc = bst_parse_text("cap.txt", copy, cap, err);
	if (rc)
		free(copy);
	return rc;
}

static void expect_error(const char *text, const char *needle)
{
	struct bst_capture cap;
	struct bst_error err;

	if (parse(text, &cap, &err) == 0) {
		bst_capture_free(&cap);
		fail_msg("accepted; expected an error with \"%s\"", needle);
	}
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

/* The warnings bst_validate() writes for text, which must parse. */
static char *warnings_of(const char *text, int *count)
{
	struct bst_capture cap;
	struct bst_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	bst_quiet_warnings = 1;
	assert_int_equal(parse(text, &cap, &err), 0);
	bst_quiet_warnings = 0;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	*count = bst_validate(&cap, f, &err);
	fclose(f);
	bst_capture_free(&cap);
	return buf;
}

/* A trace ts of 1.8e16 us came from a start computed before time 0. */
static void test_duration_before_boot(void **state)
{
	(void)state;
	expect_error(HEAD
		     "1 0.500000000 probe.start a driver=x\n"
		     "2 1.000000000 probe.end a driver=x rc=0 dur_ns=2000000000 start=1\n",
		     "cap.txt:4: dur_ns=2000000000 is longer than the time since boot (1.000000000 s)");
	/* Also without its opening (start=0). */
	expect_error(HEAD "1 0.000001000 probe.end a driver=x rc=0 dur_ns=1001 start=0\n",
		     "cap.txt:3: dur_ns=1001");
}

/*
 * From the kernel log the module clamps a line that maps before the boot
 * to 0 (local_clock() can run ahead of CLOCK_BOOTTIME): only a warning.
 */
static void test_kmsg_duration_before_boot_warns(void **state)
{
	int n;
	char *w;

	(void)state;
	w = warnings_of(HEAD "1 0.000000000 probe.end cpu0 driver= rc=0 dur_ns=1397000 start=0 src=kmsg\n", &n);
	assert_int_equal(n, 1);
	if (!strstr(w, "cap.txt:3: warning: dur_ns=1397000 from the kernel log"))
		fail_msg("warning: %s", w);
	free(w);
}

static void test_duration_up_to_boot_is_fine(void **state)
{
	int n;
	char *w;

	(void)state;
	/* Exactly at boot, and a first I/O (its time is the issue, dur after it). */
	w = warnings_of(HEAD
			"1 1.000000000 probe.end a driver=x rc=0 dur_ns=1000000000 start=0\n"
			"2 0.100000000 disk.first_io vda dur_ns=900000000 rc=0\n", &n);
	assert_int_equal(n, 0);
	free(w);
}

static void test_start_names_itself_or_later(void **state)
{
	(void)state;
	expect_error(HEAD "7 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=7\n",
		     "cap.txt:3: start=7 names this event itself");
	expect_error(HEAD
		     "1 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=2\n"
		     "2 1.000000000 probe.start a driver=x\n",
		     "cap.txt:3: start=2 names a later event");
}

static void test_start_names_other_kind(void **state)
{
	(void)state;
	expect_error(HEAD
		     "1 1.000000000 module.coming ena version=\n"
		     "2 1.500000000 probe.end a driver=ena rc=0 dur_ns=5 start=1\n",
		     "cap.txt:4: start=1 names a module.coming (line 3), but a probe.end closes a probe.start");
	expect_error(HEAD
		     "1 1.000000000 fn.start f module=m pid=3\n"
		     "2 1.500000000 exit sh pid=3 status=0 dur_ns=5 start=1\n",
		     "cap.txt:4: start=1 names a fn.start");
	expect_error(HEAD
		     "1 1.000000000 disk.add vda parent=virtio0\n"
		     "2 1.500000000 module.live m dur_ns=5 start=1\n",
		     "but a module.live closes a module.coming");
}

static void test_every_pairing_of_the_format_is_accepted(void **state)
{
	int n;
	char *w;

	(void)state;
	w = warnings_of(HEAD
			"1 1.000000000 probe.start a driver=x\n"
			"2 1.100000000 probe.end a driver=x rc=0 dur_ns=5 start=1\n"
			"3 1.200000000 module.coming m version=\n"
			"4 1.300000000 module.live m dur_ns=5 start=3\n"
			"5 1.400000000 module.coming n version=\n"
			"6 1.500000000 module.going n phase=init dur_ns=5 start=5\n"
			"7 1.600000000 disk.add vda parent=virtio0\n"
			"8 1.700000000 disk.partitions vda count=0 rc=-5 dur_ns=5 start=7\n"
			"9 1.800000000 disk.partitions vda count=1 rc=0 dur_ns=6 start=7\n"
			"10 1.900000000 exec sh pid=3\n"
			"11 2.000000000 exit sh pid=3 status=0 dur_ns=5 start=10\n"
			"12 2.100000000 fn.start f module=m pid=3\n"
			"13 2.200000000 fn.end f module=m ret=0 dur_ns=5 start=12\n"
			/* A closing event this reader does not know is not judged. */
			"14 2.300000000 future.end q dur_ns=5 start=1\n", &n);
	assert_int_equal(n, 0);
	assert_true(w == NULL || w[0] == '\0');
	free(w);
}

/* The opening may be missing from the file: a warning, the span kept. */
static void test_start_names_missing_seq_warns(void **state)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	int n;
	char *w;

	(void)state;
	w = warnings_of(HEAD "5 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=3\n", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(w, "cap.txt:3: warning: start=3 names no event in the file"));
	free(w);
	bst_quiet_warnings = 1;
	assert_int_equal(parse(HEAD "5 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=3\n",
			       &cap, &err), 0);
	bst_quiet_warnings = 0;
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(model.nspans, 1);
	assert_true(model.spans[0].dur_ns == 5);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

/* Many warnings are counted, and only the first ten printed. */
static void test_warnings_are_bounded(void **state)
{
	char text[8192], *w, *p;
	size_t off, lines = 0;
	int i, n;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "%s", HEAD);
	for (i = 0; i < 50; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"%d 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=%d\n",
					2 * i + 2, 2 * i + 1);
	w = warnings_of(text, &n);
	assert_int_equal(n, 50);
	for (p = w; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 11);
	assert_non_null(strstr(w, "40 more warnings"));
	free(w);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	expect_error(HEAD "1 1.000000000 probe.end a driver=x rc=0 dur_ns=5 start=0 dur_ns=7\n",
		     "cap.txt:3: key dur_ns= appears twice (fields 7 and 9)");
	expect_error(HEAD "1 1.000000000 mark x pid=1 pid=1\n", "key pid= appears twice");
}

/* "1 1.000000000 mark x k0=1 ... k<n-1>=1", then extra, then a newline. */
static char *line_of_keys(size_t n, const char *extra)
{
	size_t size = strlen(HEAD) + 32 + n * 16 + strlen(extra) + 2, len;
	char *text = malloc(size);
	size_t i;

	assert_non_null(text);
	len = (size_t)snprintf(text, size, "%s1 1.000000000 mark x", HEAD);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, " k%zu=1", i);
	snprintf(text + len, size - len, "%s\n", extra);
	return text;
}

/* One line of many keys: every key distinct passes, one repeat is found. */
static void test_duplicate_among_many_keys(void **state)
{
	struct bst_capture cap;
	struct bst_error err;
	char *text, want[128];
	const size_t n = 20000;

	(void)state;
	text = line_of_keys(n, "");
	assert_int_equal(parse(text, &cap, &err), 0);
	bst_capture_free(&cap);
	free(text);
	/* The first key again, after the last: the far ends of the line. */
	text = line_of_keys(n, " k0=2");
	snprintf(want, sizeof(want), "cap.txt:3: key k0= appears twice (fields 5 and %zu)", n + 5);
	expect_error(text, want);
	free(text);
	/* Two repeats: the one whose second field comes first is named. */
	text = line_of_keys(n, " k7=2 k3=2 k3=3");
	snprintf(want, sizeof(want), "key k7= appears twice (fields 12 and %zu)", n + 5);
	expect_error(text, want);
	free(text);
	/* A key that is a prefix of another is not the same key. */
	text = line_of_keys(n, " k1x=1 k=1");
	assert_int_equal(parse(text, &cap, &err), 0);
	bst_capture_free(&cap);
	free(text);
	/* The usual short line, below the sorted path, still reports both. */
	expect_error(HEAD "1 1.000000000 mark x a=1 b=1 c=1 b=2 a=2\n",
		     "key b= appears twice (fields 6 and 8)");
}

static void test_seq_order(void **state)
{
	(void)state;
	expect_error(HEAD "2 1.000000000 mark x\n2 1.000000001 mark y\n",
		     "cap.txt:4: sequence number 2 does not follow 2");
	expect_error(HEAD "3 1.000000000 mark x\n2 1.000000001 mark y\n",
		     "cap.txt:4: sequence number 2 does not follow 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_before_boot),
		cmocka_unit_test(test_kmsg_duration_before_boot_warns),
		cmocka_unit_test(test_duration_up_to_boot_is_fine),
		cmocka_unit_test(test_start_names_itself_or_later),
		cmocka_unit_test(test_start_names_other_kind),
		cmocka_unit_test(test_every_pairing_of_the_format_is_accepted),
		cmocka_unit_test(test_start_names_missing_seq_warns),
		cmocka_unit_test(test_warnings_are_bounded),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_duplicate_among_many_keys),
		cmocka_unit_test(test_seq_order),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
