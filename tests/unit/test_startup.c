// SPDX-License-Identifier: GPL-2.0
/* show's first line: "Startup finished in ... (kernel) + ... = ...". */
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

/* show's table output of a capture, with or without --events. */
static char *show(const char *text, int events)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *copy = strdup(text), *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(copy);
	assert_int_equal(bst_parse_text("cap.txt", copy, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	bst_show_text(f, &cap, &model, &boot, 10, events);
	fclose(f);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return buf;
}

static void expect_first_line(const char *text, const char *want)
{
	char *out = show(text, 0);
	size_t n = strlen(want);

	if (strncmp(out, want, n) || out[n] != '\n')
		fail_msg("first line:\n%.*s\nnot:\n%s", (int)strcspn(out, "\n"), out, want);
	free(out);
}

static void test_three_phases(void **state)
{
	(void)state;
	expect_first_line("# bootstamps 1\n"
		"1 0.010000000 kernel.start linux release=6.1.0 src=kmsg\n"
		"2 1.848000000 init.exec init path=/init pid=1 phase=initramfs src=kmsg\n"
		"3 5.000000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=600000000 start=0\n"
		"4 9.563000000 init.exec init path=/sbin/init pid=1 phase=root\n"
		"5 9.952000000 mark boot-done pid=1\n"
		"6 10.500000000 exec sshd path=/usr/sbin/sshd pid=500 ppid=1\n",
		"Startup finished in 1.848s (kernel) + 7.715s (initrd) + 389ms (userspace) = 9.952s");
}

/* No initramfs: the kernel runs the real root's init, as systemd says. */
static void test_no_initramfs(void **state)
{
	(void)state;
	expect_first_line("# bootstamps 1\n"
		"1 2.500000000 init.exec init path=/sbin/init pid=1 phase=root src=kmsg\n"
		"2 3.000000000 mark boot-done pid=1\n",
		"Startup finished in 2.500s (kernel) + 500ms (userspace) = 3.000s");
}

static void test_still_in_initramfs(void **state)
{
	char *out;

	(void)state;
	out = show("# bootstamps 1\n"
		"1 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
		"2 4.000000000 module.coming ena version= srcversion=\n", 0);
	if (strncmp(out, "Startup not finished", 20) ||
	    !strstr(out, "1.000s (kernel) + 3.000s (initrd) so far") ||
	    strstr(out, "Startup finished"))
		fail_msg("%s", out);
	free(out);
}

static void test_no_init_exec(void **state)
{
	char *out;

	(void)state;
	out = show("# bootstamps 1\n"
		"1 4.000000000 module.coming ena version= srcversion=\n", 0);
	if (strncmp(out, "Startup: no init.exec", 21) || strstr(out, "(kernel)"))
		fail_msg("%s", out);
	free(out);
}

/* The events table only on request. */
static void test_events_on_request(void **state)
{
	static const char text[] = "# bootstamps 1\n"
		"1 2.500000000 init.exec init path=/sbin/init pid=1 phase=root src=kmsg\n"
		"2 3.000000000 mark boot-done pid=1\n";
	char *out;

	(void)state;
	out = show(text, 0);
	if (strstr(out, "\nEvents\n") || !strstr(out, "--events"))
		fail_msg("%s", out);
	free(out);
	out = show(text, 1);
	if (!strstr(out, "\nEvents\n") || !strstr(out, "3.000000s  mark              boot-done"))
		fail_msg("%s", out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_phases),
		cmocka_unit_test(test_no_initramfs),
		cmocka_unit_test(test_still_in_initramfs),
		cmocka_unit_test(test_no_init_exec),
		cmocka_unit_test(test_events_on_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
