// SPDX-License-Identifier: GPL-2.0
/* show --format json: the answers as keys; duplicate keys never reach it. */
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
#include "json.h"

static char *json_of(const char *text)
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
	bst_show_json(f, &cap, &model, &boot, 10);
	fclose(f);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return buf;
}

static void expect_in(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("no %s in %s", want, out);
}

static void test_answers_as_keys(void **state)
{
	char *out;

	(void)state;
	out = json_of("# bootstamps 1\n"
		"1 1.848000000 init.exec init path=/init pid=1 phase=initramfs\n"
		"2 3.000000000 probe.start 0000:00:01.0 driver=ena bus=pci pid=29\n"
		"3 3.600000000 probe.end 0000:00:01.0 driver=ena bus=pci rc=-517 dur_ns=600000000 start=2 async=1 pid=29\n"
		"4 4.000000000 probe.start 0000:00:01.0 driver=ena bus=pci pid=29\n"
		"5 4.100000000 net.register eth0 ifindex=2 parent=0000:00:01.0 driver=ena\n"
		"6 4.600000000 probe.end 0000:00:01.0 driver=ena bus=pci rc=0 dur_ns=600000000 start=4 async=1 pid=29\n"
		"7 5.000000000 net.ipv4 eth0 ifindex=2 addr=10.0.2.15/24\n"
		"8 9.563000000 init.exec init path=/sbin/init pid=1 phase=root\n"
		"9 9.952000000 mark boot-done pid=1\n");
	expect_in(out, "\"startup\":{\"finished\":true,\"kernel_ms\":1848.000000,"
		       "\"initrd_ms\":7715.000000,\"userspace_ms\":389.000000,\"total_ms\":9952.000000}");
	expect_in(out, "\"blame\":[{\"driver\":\"ena\",\"device\":\"0000:00:01.0\"");
	expect_in(out, "\"devices\":1,\"attempts\":2,\"total_ms\":1200.000000,\"longest_ms\":600.000000,"
		       "\"deferred\":1,\"failed\":0,\"async\":2,\"running\":0,\"from_kmsg\":0,"
		       "\"last_rc\":0,\"last_rc_name\":null,\"steps\":[]}");
	expect_in(out, "\"rc\":-517,\"rc_name\":\"EPROBE_DEFER\"");
	expect_in(out, "\"critical_chains\":[{\"to\":\"boot end\",\"links\":[{\"name\":\"mark boot-done\"");
	expect_in(out, "{\"to\":\"net.ipv4 eth0\",\"links\":[{\"name\":\"net.ipv4 eth0\",\"event\":\"net.ipv4\",\"seq\":7,"
		       "\"time_ms\":5000.000000,\"after_ms\":900.000000},");
	expect_in(out, "{\"name\":\"probe 0000:00:01.0 ena\",\"event\":\"probe\",\"seq\":6,\"time_ms\":4000.000000,"
		       "\"duration_ms\":600.000000,\"rc\":0,\"rc_name\":null,\"earlier_attempts\":1,\"earlier_attempts_ms\":600.000000}");
	free(out);
}

/*
 * A key given twice never reaches the outputs: the parser refuses the
 * line (validate.c), among few keys or many.
 */
static void test_duplicate_keys_refused(void **state)
{
	char line[2048], *copy;
	struct bst_capture cap;
	struct bst_error err;
	int i, n;

	(void)state;
	for (int keys = 3; keys <= 100; keys += 97) {
		int distinct = keys - 1;

		n = snprintf(line, sizeof(line), "# bootstamps 1\n1 1.000000000 mark x");
		for (i = 0; i < keys; i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " k%d=v%d",
				      i % distinct, i);
		snprintf(line + n, sizeof(line) - (size_t)n, "\n");
		copy = strdup(line);
		assert_non_null(copy);
		if (bst_parse_text("cap.txt", copy, &cap, &err) == 0)
			fail_msg("%d keys, k0 twice: accepted", keys);
		if (!strstr(err.msg, "cap.txt:2:") || !strstr(err.msg, "k0="))
			fail_msg("%d keys: the error names neither line nor key: %s", keys, err.msg);
		free(copy);
	}
}

/* Strings are escaped as RFC 8259 requires, plain runs written whole. */
static void test_string_escapes(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	bst_json_str(f, "plain \"q\" back\\slash \x01\x1f end");
	bst_json_str(f, "");
	bst_json_str(f, NULL);
	fclose(f);
	assert_string_equal(buf, "\"plain \\\"q\\\" back\\\\slash \\u0001\\u001f end\"\"\"\"\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_as_keys),
		cmocka_unit_test(test_duplicate_keys_refused),
		cmocka_unit_test(test_string_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
