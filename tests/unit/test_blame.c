// SPDX-License-Identifier: GPL-2.0
/* Blame: every probe attempt of a driver in one row, steps under it. */
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

#define ENA_START(seq, t, pid, async) \
	#seq " " t " probe.start 0000:00:01.0 driver=ena bus=pci module=ena version= srcversion= async=" #async " pid=" #pid "\n"
#define ENA_END(seq, t, dur, start, pid, async) \
	#seq " " t " probe.end 0000:00:01.0 driver=ena bus=pci rc=-517 dur_ns=" #dur " start=" #start " module=ena version= srcversion= async=" #async " pid=" #pid "\n"

static const char capture[] =
	"# bootstamps 1\n"
	"# kernel=6.1.0-57-cloud-amd64\n"
	/* Built-in probes read back from the kernel log; one unnamed. */
	"1 1.857031812 probe.end 00:05 driver= bus= rc=0 dur_ns=6545000 start=0 module= version= srcversion= async=0 pid=0 comm= src=kmsg\n"
	"2 2.752825812 probe.end 0000:00:04.0 driver=nvme bus=pci rc=0 dur_ns=11942000 start=0 module=nvme version= srcversion= async=0 pid=0 comm= src=kmsg\n"
	/* virtio-pci runs virtio_blk's probe inside its own, on one thread. */
	"3 6.790000000 probe.start 0000:00:03.0 driver=virtio-pci bus=pci async=0 pid=228\n"
	"4 6.798000000 probe.start virtio0 driver=virtio_blk bus=virtio async=0 pid=228\n"
	"5 6.800000000 fn.start virtblk_step module=virtio_blk pid=228\n"
	"6 6.810000000 fn.end virtblk_step module=virtio_blk ret=0 dur_ns=10000000 start=5 pid=228\n"
	"7 6.826000000 probe.end virtio0 driver=virtio_blk bus=virtio rc=0 dur_ns=28000000 start=4 async=0 pid=228\n"
	"8 6.827000000 probe.end 0000:00:03.0 driver=virtio-pci bus=pci rc=0 dur_ns=37000000 start=3 async=0 pid=228\n"
	"9 6.830000000 probe.start 0000:00:05.0 driver=virtio-pci bus=pci async=0 pid=228\n"
	"10 6.850000000 probe.end 0000:00:05.0 driver=virtio-pci bus=pci rc=0 dur_ns=20000000 start=9 async=0 pid=228\n"
	/* ENA: three deferred attempts, each with two nested steps. */
	ENA_START(11, "7.000000000", 1, 0)
	"12 7.010000000 fn.start ena_device_init module=ena pid=1\n"
	"13 7.011000000 fn.start ena_com_dev_reset module=ena pid=1\n"
	/* The same step at the same time on another thread is not ENA's. */
	"14 7.012000000 fn.start ena_com_dev_reset module=ena pid=30\n"
	"15 7.100000000 fn.end ena_com_dev_reset module=ena ret=0 dur_ns=88000000 start=14 pid=30\n"
	"16 7.611000000 fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=600000000 start=13 pid=1\n"
	"17 7.612000000 fn.end ena_device_init module=ena ret=-62 dur_ns=602000000 start=12 pid=1\n"
	ENA_END(18, "7.620000000", 620000000, 11, 1, 0)
	ENA_START(19, "8.000000000", 29, 1)
	"20 8.010000000 fn.start ena_device_init module=ena pid=29\n"
	"21 8.011000000 fn.start ena_com_dev_reset module=ena pid=29\n"
	"22 8.611000000 fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=600000000 start=21 pid=29\n"
	"23 8.612000000 fn.end ena_device_init module=ena ret=-62 dur_ns=602000000 start=20 pid=29\n"
	ENA_END(24, "8.630000000", 630000000, 19, 29, 1)
	ENA_START(25, "9.000000000", 29, 1)
	"26 9.010000000 fn.start ena_device_init module=ena pid=29\n"
	"27 9.011000000 fn.start ena_com_dev_reset module=ena pid=29\n"
	"28 9.611000000 fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=600000000 start=27 pid=29\n"
	"29 9.612000000 fn.end ena_device_init module=ena ret=-62 dur_ns=602000000 start=26 pid=29\n"
	ENA_END(30, "9.640000000", 640000000, 25, 29, 1)
	/* A failed attempt, and one still running when captured. */
	"31 10.000000000 probe.start 0000:00:02.0 driver=bst_fixture bus=pci async=0 pid=401\n"
	"32 10.001000000 probe.end 0000:00:02.0 driver=bst_fixture bus=pci rc=-6 dur_ns=1000000 start=31 async=0 pid=401\n"
	"33 11.000000000 probe.start 0000:00:02.0 driver=bst_fixture bus=pci async=0 pid=402\n";

struct fixture {
	struct bst_capture cap;
	struct bst_model model;
	struct bst_blame blame;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct bst_error err;
	char *copy = strdup(capture);

	assert_non_null(fx);
	assert_non_null(copy);
	assert_int_equal(bst_parse_text("cap.txt", copy, &fx->cap, &err), 0);
	assert_int_equal(bst_model_build(&fx->cap, &fx->model, &err), 0);
	assert_int_equal(bst_blame_build(&fx->cap, &fx->model, &fx->blame), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	bst_blame_free(&fx->blame);
	bst_model_free(&fx->model);
	bst_capture_free(&fx->cap);
	free(fx);
	return 0;
}

static const struct bst_blame_row *row(const struct bst_blame *b,
				       const char *driver, const char *device)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		if (!strcmp(b->rows[i].driver, driver) &&
		    (!device || !strcmp(b->rows[i].device, device)))
			return &b->rows[i];
	fail_msg("no row for driver \"%s\"", driver);
	return NULL;
}

static void test_attempts_summed(void **state)
{
	struct fixture *fx = *state;
	const struct bst_blame_row *ena = row(&fx->blame, "ena", NULL);
	size_t i;

	/* One row per driver: ena, nvme, virtio-pci, virtio_blk, bst_fixture, 00:05. */
	assert_int_equal(fx->blame.nrows, 6);
	assert_int_equal(ena->attempts, 3);
	assert_int_equal(ena->total_ns, 620000000ULL + 630000000ULL + 640000000ULL);
	assert_int_equal(ena->longest_ns, 640000000ULL);
	assert_int_equal(ena->deferred, 3);
	assert_int_equal(ena->failed, 0);
	assert_int_equal(ena->async, 2);
	assert_int_equal(ena->devices, 1);
	assert_true(ena->has_last_rc);
	assert_int_equal(ena->last_rc, -517);
	assert_string_equal(ena->identity, "6.1.0-57-cloud-amd64");
	/* The longest total first. */
	assert_ptr_equal(ena, &fx->blame.rows[0]);
	for (i = 1; i < fx->blame.nrows; i++)
		assert_true(fx->blame.rows[i - 1].total_ns >= fx->blame.rows[i].total_ns);
	assert_int_equal(row(&fx->blame, "virtio-pci", NULL)->devices, 2);
	assert_int_equal(row(&fx->blame, "virtio-pci", NULL)->total_ns, 57000000ULL);
}

static void test_unnamed_failed_running(void **state)
{
	struct fixture *fx = *state;
	const struct bst_blame_row *dev = row(&fx->blame, "", "00:05");
	const struct bst_blame_row *fix = row(&fx->blame, "bst_fixture", NULL);

	assert_int_equal(dev->attempts, 1);
	assert_int_equal(dev->kmsg, 1);
	assert_int_equal(row(&fx->blame, "nvme", NULL)->kmsg, 1);
	assert_int_equal(fix->attempts, 2);
	assert_int_equal(fix->failed, 1);
	assert_int_equal(fix->running, 1);
	assert_int_equal(fix->total_ns, 1000000);
	assert_int_equal(fix->last_rc, -6);
}

static void test_steps_under_their_probe(void **state)
{
	struct fixture *fx = *state;
	const struct bst_blame_row *ena = row(&fx->blame, "ena", NULL);
	const struct bst_blame_row *blk = row(&fx->blame, "virtio_blk", NULL);

	assert_int_equal(ena->nsteps, 2);
	assert_string_equal(ena->steps[0].function, "ena_device_init");
	assert_int_equal(ena->steps[0].depth, 1);
	assert_int_equal(ena->steps[0].calls, 3);
	assert_int_equal(ena->steps[0].total_ns, 3 * 602000000ULL);
	assert_string_equal(ena->steps[1].function, "ena_com_dev_reset");
	assert_int_equal(ena->steps[1].depth, 2);
	/* Not the call on thread 30. */
	assert_int_equal(ena->steps[1].calls, 3);
	assert_int_equal(ena->steps[1].last_ret, -62);
	/* The innermost probe around a step owns it. */
	assert_int_equal(blk->nsteps, 1);
	assert_string_equal(blk->steps[0].function, "virtblk_step");
	assert_int_equal(row(&fx->blame, "virtio-pci", NULL)->nsteps, 0);
}

static char *print(void (*fn)(FILE *, const struct fixture *), const struct fixture *fx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, fx);
	fclose(f);
	return buf;
}

static void print_blame(FILE *f, const struct fixture *fx)
{
	bst_print_blame(f, &fx->blame, 3);
}

static void print_inside(FILE *f, const struct fixture *fx)
{
	bst_print_inside_probes(f, &fx->model);
}

static void test_text(void **state)
{
	char *out = print(print_blame, *state), *ena, *init, *reset;

	ena = strstr(out, "   1.890s        3  ena ");
	init = strstr(out, "   1.806s        3    `-ena_device_init ");
	reset = strstr(out, "   1.800s        3      `-ena_com_dev_reset ");
	if (!ena || !init || !reset || !(ena < init && init < reset) ||
	    !strstr(ena, "-517 EPROBE_DEFER") || !strstr(reset, "-62 ETIME") ||
	    !strstr(ena, "3 deferred, 2 async"))
		fail_msg("%s", out);
	/* Three rows of six: the others summed on one line. */
	if (!strstr(out, "... 3 more, "))
		fail_msg("%s", out);
	free(out);
}

static void test_inside_probes_each_attempt(void **state)
{
	char *out = print(print_inside, *state);
	const char *p = out;
	int n;

	for (n = 0; (p = strstr(p, "  0000:00:01.0 ena ")); n++) {
		const char *next = strstr(p + 1, "  0000:00:01.0 ena ");
		const char *init = strstr(p, "\n    ena_device_init ");
		const char *reset = strstr(p, "\n      ena_com_dev_reset ");

		if (!init || !reset || init > reset || (next && reset > next))
			fail_msg("attempt %d: %s", n, out);
		p++;
	}
	assert_int_equal(n, 3);
	if (!strstr(out, "  virtio0 virtio_blk ") || strstr(out, "  0000:00:03.0 "))
		fail_msg("%s", out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attempts_summed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unnamed_failed_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps_under_their_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inside_probes_each_attempt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
