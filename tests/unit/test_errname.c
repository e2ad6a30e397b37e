// SPDX-License-Identifier: GPL-2.0
/* Return codes by name: the kernel's errnos, its internal ones included. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"

static void test_names_of_probe_results(void **state)
{
	(void)state;
	assert_string_equal(bst_errno_name(517), "EPROBE_DEFER");
	assert_string_equal(bst_errno_name(62), "ETIME");
	assert_string_equal(bst_errno_name(19), "ENODEV");
	assert_string_equal(bst_errno_name(12), "ENOMEM");
	assert_string_equal(bst_errno_name(110), "ETIMEDOUT");
	assert_string_equal(bst_errno_name(512), "ERESTARTSYS");
	assert_string_equal(bst_errno_name(524), "ENOTSUPP");
	assert_string_equal(bst_errno_name(530), "ERECALLCONFLICT");
	/* Gaps in the kernel's numbering have no name; neither has 0. */
	assert_null(bst_errno_name(0));
	assert_null(bst_errno_name(41));
	assert_null(bst_errno_name(520));
	assert_null(bst_errno_name(4095));
	assert_null(bst_errno_name(-5));
}

static void test_format_rc(void **state)
{
	char b[64];

	(void)state;
	bst_format_rc(b, sizeof(b), -517);
	assert_string_equal(b, "-517 EPROBE_DEFER");
	bst_format_rc(b, sizeof(b), -62);
	assert_string_equal(b, "-62 ETIME");
	bst_format_rc(b, sizeof(b), 0);
	assert_string_equal(b, "0");
	/* A positive value or an unknown number stays a number. */
	bst_format_rc(b, sizeof(b), 5);
	assert_string_equal(b, "5");
	bst_format_rc(b, sizeof(b), -520);
	assert_string_equal(b, "-520");
	bst_format_rc(b, sizeof(b), INT64_MIN);
	assert_string_equal(b, "-9223372036854775808");
}

/*
 * The table against the C library of a host with the generic numbering
 * (x86 and arm64 both have it): every errno glibc names, named the same.
 */
static void test_table_matches_glibc(void **state)
{
	int e, checked = 0;

	(void)state;
	for (e = 1; e < 512; e++) {
		const char *libc = strerrorname_np(e), *ours = bst_errno_name(e);

		if (!libc)
			continue;
		if (!ours)
			fail_msg("errno %d (%s) has no name", e, libc);
		if (strcmp(libc, ours))
			fail_msg("errno %d: glibc says %s, the table %s", e, libc, ours);
		checked++;
	}
	assert_true(checked > 120);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_of_probe_results),
		cmocka_unit_test(test_format_rc),
		cmocka_unit_test(test_table_matches_glibc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
