// SPDX-License-Identifier: GPL-2.0
/* Durations in human units, as systemd-analyze prints them. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"

static void expect(uint64_t ns, const char *want)
{
	char b[64];

	bst_format_duration(b, sizeof(b), ns);
	if (strcmp(b, want))
		fail_msg("%llu ns printed as \"%s\", not \"%s\"",
			 (unsigned long long)ns, b, want);
}

static void test_each_unit(void **state)
{
	(void)state;
	expect(0, "0ns");
	expect(120, "120ns");
	expect(38000, "38us");
	expect(188400, "188us");
	expect(6545000, "6.5ms");
	expect(495000000, "495ms");
	expect(1848000000ULL, "1.848s");
	expect(9952000000ULL, "9.952s");
	expect(62345000000ULL, "1min 2.345s");
}

/* Rounding never prints 1000 of a unit: it moves to the next one. */
static void test_rounding_moves_up(void **state)
{
	(void)state;
	expect(999, "999ns");
	expect(999600, "1.0ms");
	expect(9960000, "10ms");
	expect(999700000, "1.000s");
	expect(59999600000ULL, "1min 0.000s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_unit),
		cmocka_unit_test(test_rounding_moves_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
