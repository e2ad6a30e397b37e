// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the reader's parse, model and output code (cmocka). */
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

static const char good[] =
	"# bootstamps 1\n"
	"# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64 clock=boottime local_offset_ns=-24883000\n"
	"# capacity=4096 events=7 dropped=0 markers=1 missed=0\n"
	"# hooks probe=kretprobe:really_probe module=notifier mark=proc\n"
	"1 2.350211432 module.coming ena version= srcversion=\n"
	"2 2.351606012 module.live ena dur_ns=1394580 start=1 version= srcversion=\n"
	"3 2.356705762 probe.start 0000:00:06.0 driver=virtio-pci bus=pci\n"
	"4 2.360000000 probe.start virtio0 driver=virtio_blk bus=virtio\n"
	"5 2.370000000 probe.end virtio0 driver=virtio_blk bus=virtio rc=0 dur_ns=10000000 start=4 future_key=x\n"
	"6 3.104911472 probe.end 0000:00:06.0 driver=virtio-pci bus=pci rc=-110 dur_ns=748205710 start=3\n"
	"8 3.110482382 mark cloud-init:final pid=1\n";

/* Parse a copy of text; the capture owns the copy on success. */
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

	assert_int_equal(parse(text, &cap, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_parse_good(void **state)
{
	struct bst_capture cap;
	struct bst_error err;
	int64_t v;

	(void)state;
	assert_int_equal(parse(good, &cap, &err), 0);
	assert_int_equal(cap.format_version, 1);
	assert_int_equal(cap.nev, 7);
	assert_string_equal(bst_header_get(&cap, "kernel"),
			    "6.1.0-57-cloud-amd64");
	assert_string_equal(bst_header_get(&cap, "probe"),
			    "kretprobe:really_probe");
	assert_string_equal(bst_header_get(&cap, "local_offset_ns"),
			    "-24883000");
	assert_int_equal(cap.ev[0].seq, 1);
	assert_true(cap.ev[0].t_ns == 2350211432ULL);
	assert_string_equal(cap.ev[5].type, "probe.end");
	assert_string_equal(cap.ev[5].subject, "0000:00:06.0");
	assert_int_equal(bst_event_get_i64(&cap.ev[5], "rc", &v), 1);
	assert_int_equal(v, -110);
	assert_string_equal(bst_event_get(&cap.ev[0], "version"), "");
	assert_null(bst_event_get(&cap.ev[0], "nope"));
	assert_int_equal(cap.ev[6].seq, 8);	/* gaps are allowed */
	assert_int_equal(cap.ev[6].line, 11);
	assert_ptr_equal(bst_find_seq(&cap, 5), &cap.ev[4]);
	assert_null(bst_find_seq(&cap, 7));
	bst_capture_free(&cap);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("", "empty file");
	expect_error("hello\n", "cap.txt:1: not a bootstamps capture");
	expect_error("# bootstamps 2\n", "format version 2 is not supported");
	expect_error("# bootstamps 1\n1 2.000000000 mark x", "cap.txt:2: last line has no newline");
	expect_error("# bootstamps 1\n1 2.00000000 mark x\n", "cap.txt:2: time");
	expect_error("# bootstamps 1\n1 2.0000000000 mark x\n", "cap.txt:2: time");
	expect_error("# bootstamps 1\n1 -2.000000000 mark x\n", "cap.txt:2: time");
	expect_error("# bootstamps 1\n0 2.000000000 mark x\n", "cap.txt:2: sequence number");
	expect_error("# bootstamps 1\n2 2.000000000 mark x\n2 2.000000001 mark y\n",
		     "cap.txt:3: sequence number 2 does not follow 2");
	expect_error("# bootstamps 1\n1 2.000000000 mark\n", "cap.txt:2: event line has 3 fields");
	expect_error("# bootstamps 1\n1 2.000000000 Mark x\n", "cap.txt:2: event name");
	expect_error("# bootstamps 1\n1 2.000000000 mark x novalue\n", "cap.txt:2: field 5");
	expect_error("# bootstamps 1\n1 2.000000000 mark x =v\n", "cap.txt:2: field 5");
	expect_error("# bootstamps 1\n1 2.000000000 mark x\ty\n", "cap.txt:2: byte 0x09");
	expect_error("# bootstamps 1\n1 2.000000000 mark caf\xc3\xa9\n", "cap.txt:2: byte 0xc3");
	expect_error("# bootstamps 1\n99999999999 2.000000000 mark x\n", "sequence number");
	expect_error("# bootstamps 1\n1 99999999999999999999.000000000 mark x\n", "time");
}

static void test_model_pairs_nested(void **state)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	size_t i, probes = 0;

	(void)state;
	assert_int_equal(parse(good, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(model.nspans, 3);
	for (i = 0; i < model.nspans; i++) {
		const struct bst_span *sp = &model.spans[i];

		assert_non_null(sp->start);
		assert_non_null(sp->end);
		/* Each end is paired with the start it names, even nested. */
		assert_int_equal(bst_event_get_i64(sp->end, "start", &(int64_t){0}), 1);
		if (sp->kind == BST_SPAN_PROBE) {
			probes++;
			assert_string_equal(bst_event_get(sp->start, "driver"),
					    bst_event_get(sp->end, "driver"));
		}
	}
	assert_int_equal(probes, 2);
	assert_true(model.spans[1].dur_ns == 10000000ULL);
	assert_ptr_equal(model.spans[1].start, &cap.ev[3]);
	assert_true(model.spans[2].has_rc);
	assert_int_equal(model.spans[2].rc, -110);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

static void test_model_open_and_instant(void **state)
{
	static const char text[] =
		"# bootstamps 1\n"
		"1 1.000000000 module.live bootstamps dur_ns=0 start=0 self=1\n"
		"2 1.500000000 probe.start 0000:00:01.0 driver=ena bus=pci\n"
		"3 1.600000000 probe.end virtio0 driver=virtio_blk rc=0 dur_ns=5 start=0\n";
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;

	(void)state;
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	/* The self record is an instant; ena is still probing; the
	 * virtio_blk end lost its start (dropped) but keeps its duration. */
	assert_int_equal(model.nspans, 2);
	assert_null(model.spans[0].start);
	assert_true(model.spans[0].dur_ns == 5);
	assert_ptr_equal(model.spans[1].start, &cap.ev[1]);
	assert_null(model.spans[1].end);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

static void test_model_errors(void **state)
{
	static const char *bad[] = {
		"# bootstamps 1\n1 1.000000000 probe.end a rc=0 start=x dur_ns=1\n",
		"# bootstamps 1\n1 1.000000000 probe.end a rc=0 start=0\n",
		"# bootstamps 1\n1 1.000000000 probe.end a rc=zero start=0 dur_ns=1\n",
		"# bootstamps 1\n1 1.000000000 probe.end a start=-3 dur_ns=1\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bst_capture cap;
		struct bst_model model;
		struct bst_error err;

		assert_int_equal(parse(bad[i], &cap, &err), 0);
		assert_int_equal(bst_model_build(&cap, &model, &err), -1);
		assert_non_null(strstr(err.msg, "cap.txt:2:"));
		bst_capture_free(&cap);
	}
}

static void test_slowest(void **state)
{
	static const char text[] =
		"# bootstamps 1\n"
		"1 1.000000000 probe.end a driver=x rc=0 dur_ns=30 start=0\n"
		"2 1.000000001 probe.end b driver=y rc=0 dur_ns=50 start=0\n"
		"3 1.000000002 module.live m dur_ns=99 start=0\n"
		"4 1.000000003 probe.end c driver=z rc=0 dur_ns=30 start=0\n";
	const struct bst_span *top[4];
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;

	(void)state;
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_model_slowest(&model, BST_SPAN_PROBE, top, 4), 3);
	assert_string_equal(top[0]->end->subject, "b");
	/* Ties keep the order of the file. */
	assert_string_equal(top[1]->end->subject, "a");
	assert_string_equal(top[2]->end->subject, "c");
	assert_int_equal(bst_model_slowest(&model, BST_SPAN_PROBE, top, 1), 1);
	assert_string_equal(top[0]->end->subject, "b");
	bst_model_free(&model);
	bst_capture_free(&cap);
}

/* A failed partition scan is not the disk's ready time; the later success is. */
static void test_disk_ready_skips_failed_scan(void **state)
{
	static const char text[] =
		"# bootstamps 1\n"
		"1 1.000000000 disk.add vda parent=virtio0 driver=virtio_blk\n"
		"2 1.500000000 disk.partitions vda count=0 rc=-5 dur_ns=500000000 start=1\n"
		"3 2.000000000 disk.partitions vda count=1 rc=0 dur_ns=1000000000 start=1\n";
	struct bst_capture cap;
	struct bst_boot boot;
	struct bst_error err;
	size_t i, found = 0;

	(void)state;
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	for (i = 0; i < boot.nms; i++) {
		if (strcmp(boot.ms[i].name, "disk.ready vda"))
			continue;
		assert_int_equal(boot.ms[i].t_ns, 2000000000ULL);
		found++;
	}
	assert_int_equal(found, 1);
	bst_boot_free(&boot);
	bst_capture_free(&cap);
}

static void test_table_in_time_order(void **state)
{
	static const char text[] =
		"# bootstamps 1\n"
		"1 3.000000000 module.live bootstamps dur_ns=0 start=0 self=1\n"
		"2 0.000000000 kernel.start linux release=6.1.0 src=kmsg\n"
		"3 1.500000000 init.exec init path=/init src=kmsg\n"
		"4 1.500000000 mark same-time-later-seq\n";
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	char *buf = NULL, *a, *b, *c, *d;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	bst_print_table(f, &cap, &model);
	fclose(f);
	a = strstr(buf, "kernel.start");
	b = strstr(buf, "init.exec");
	c = strstr(buf, "same-time-later-seq");
	d = strstr(buf, "module.live");
	assert_true(a && b && c && d);
	assert_true(a < b && b < c && c < d);
	free(buf);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

static void test_format_ms(void **state)
{
	char b[32];

	(void)state;
	bst_format_ms(b, sizeof(b), 0);
	assert_string_equal(b, "0.000");
	bst_format_ms(b, sizeof(b), 1234567);
	assert_string_equal(b, "1.235");
	bst_format_ms(b, sizeof(b), 748205710);
	assert_string_equal(b, "748.206");
	bst_format_ms(b, sizeof(b), 999);
	assert_string_equal(b, "0.001");
}

static void test_table_output(void **state)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(parse(good, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	bst_print_table(f, &cap, &model);
	bst_print_slowest(f, &cap, &model, 5);
	fclose(f);
	assert_non_null(strstr(buf, "3.104911s  probe.end         0000:00:06.0             virtio-pci"));
	/* The table's duration, then the slowest probe's, errno named. */
	assert_non_null(strstr(buf, "     748ms  -110 ETIMEDOUT\n"));
	assert_non_null(strstr(buf, "748ms  0000:00:06.0"));
	assert_non_null(strstr(buf, "3.110482s  mark              cloud-init:final"));
	/* In-tree drivers without a version are named by the kernel release. */
	assert_non_null(strstr(buf, "virtio-pci       6.1.0-57-cloud-amd64"));
	free(buf);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_model_pairs_nested),
		cmocka_unit_test(test_model_open_and_instant),
		cmocka_unit_test(test_model_errors),
		cmocka_unit_test(test_slowest),
		cmocka_unit_test(test_disk_ready_skips_failed_scan),
		cmocka_unit_test(test_table_in_time_order),
		cmocka_unit_test(test_format_ms),
		cmocka_unit_test(test_table_output),
	};

	return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
