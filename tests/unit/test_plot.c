// SPDX-License-Identifier: GPL-2.0
/*
 * The plot (SVG) as read at 1600x1200: one row per driver with its
 * attempts, steps inside their probe's bar, kernel-log rows named by
 * driver, both axes and the caption in view, no milestone label dropped,
 * and rows collapsed past a limit.
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

static char *render(const char *text)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *copy = strdup(text), *svg = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(copy);
	if (bst_parse_text("cap.txt", copy, &cap, &err))
		fail_msg("%s", err.msg);
	if (bst_model_build(&cap, &model, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	f = open_memstream(&svg, &len);
	assert_non_null(f);
	bst_plot(f, &cap, &model, &boot);
	assert_int_equal(fclose(f), 0);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return svg;
}

/* A capture: lines appended to a growing buffer. */
struct text {
	char *buf;
	size_t len;
	FILE *f;
	unsigned long seq;
};

static void begin(struct text *t)
{
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
	t->seq = 0;
	fputs("# bootstamps 1\n# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64 clock=boottime\n", t->f);
}

static unsigned long line(struct text *t, double s, const char *fmt, ...)
{
	va_list ap;

	fprintf(t->f, "%lu %.9f ", ++t->seq, s);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	fputc('\n', t->f);
	return t->seq;
}

static char *finish(struct text *t)
{
	char *svg;

	assert_int_equal(fclose(t->f), 0);
	svg = render(t->buf);
	free(t->buf);
	return svg;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static double attr(const char *el, const char *name)
{
	char key[32];
	const char *p, *end = strchr(el, '>');

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(el, key);
	if (!p || (end && p > end))
		fail_msg("no %s in %.120s", name, el);
	return strtod(p + strlen(key), NULL);
}

/* ENA's attempts, each with a step inside, then many markers at once. */
static char *ena_capture(void)
{
	struct text t;
	int i;

	begin(&t);
	line(&t, 1.0, "probe.end 0000:00:04.0 driver=nvme bus=pci rc=0 dur_ns=10000000 start=0 pid=0 src=kmsg");
	line(&t, 1.1, "probe.end 00:05 driver= bus= rc=0 dur_ns=10000000 start=0 pid=0 src=kmsg");
	for (i = 0; i < 6; i++) {
		double t0 = 2.0 + i * 1.5;
		unsigned long p = line(&t, t0, "probe.start 0000:00:05.0 driver=ena bus=pci pid=29 comm=kworker");
		unsigned long s = line(&t, t0 + 0.1, "fn.start ena_com_dev_reset module=ena pid=29 comm=kworker");

		line(&t, t0 + 1.0, "fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=900000000 start=%lu pid=29 comm=kworker", s);
		line(&t, t0 + 1.2, "probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=1200000000 start=%lu pid=29 comm=kworker", p);
	}
	/* Twelve markers within 0.2 s of the end, the last the boot's end. */
	for (i = 0; i < 12; i++)
		line(&t, 11.8 + i * 0.02, "mark step-%02d-of-the-boot pid=1 comm=init", i);
	return finish(&t);
}

static void test_attempts_share_a_row_with_their_steps(void **state)
{
	char *svg = ena_capture();
	const char *p = svg;
	double row_y = -1, px0[6], px1[6];
	int probes = 0, steps = 0;

	(void)state;
	while ((p = strstr(p, "<rect "))) {
		const char *title = strstr(p, "<title>");

		if (title && starts(title, "<title>probe 0000:00:05.0 (ena) ")) {
			double y = attr(p, "y");

			if (row_y < 0)
				row_y = y;
			if (y != row_y)
				fail_msg("ENA's attempts are on rows at y=%g and y=%g", row_y, y);
			assert_true(probes < 6);
			px0[probes] = attr(p, "x");
			px1[probes] = px0[probes] + attr(p, "width");
			probes++;
		} else if (title && starts(title, "<title>step inside a probe ena_com_dev_reset ")) {
			double x = attr(p, "x"), y = attr(p, "y");
			int k, inside = 0;

			/* Inside one of the attempts' bars, on their row. */
			for (k = 0; k < probes; k++)
				inside |= x >= px0[k] && x + attr(p, "width") <= px1[k] + 0.01;
			if (!inside || y < row_y || y > row_y + 12)
				fail_msg("step at x=%g y=%g is outside ENA's bars (row y=%g)", x, y, row_y);
			steps++;
		}
		p++;
	}
	assert_int_equal(probes, 6);
	assert_int_equal(steps, 6);
	free(svg);
}

static void test_kernel_log_rows_named_by_driver(void **state)
{
	char *svg = ena_capture();

	(void)state;
	/* The driver, when the log names it; else the device, with a hint. */
	assert_non_null(strstr(svg, ">nvme</text>"));
	assert_non_null(strstr(svg, ">00:05<tspan fill=\"#888\"> (log names no driver)</tspan></text>"));
	assert_null(strstr(svg, ">0000:00:04.0</text>"));
	free(svg);
}

static void test_no_milestone_label_dropped(void **state)
{
	char *svg = ena_capture();
	char needle[64];
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		const char *p;
		int label = 0;

		snprintf(needle, sizeof(needle), "mark step-%02d-of-the-boot", i);
		/* Not only a tooltip (<title>): the text of a <text>. */
		for (p = svg; (p = strstr(p, needle)); p++)
			label |= !strncmp(p + strlen(needle), "</text>", 7);
		if (!label)
			fail_msg("no label for %s", needle);
	}
	free(svg);
}

static void test_axes_caption_and_legend_in_view(void **state)
{
	char *svg = ena_capture();
	const char *top = strstr(svg, "<g id=\"axis-top\">");
	const char *bottom = strstr(svg, "<g id=\"axis-bottom\">");
	const char *cap = strstr(svg, "Startup finished in");

	(void)state;
	assert_non_null(top);
	assert_non_null(bottom);
	assert_non_null(cap);
	assert_non_null(strstr(svg, ">step inside a probe</text>"));
	assert_non_null(strstr(svg, ">milestone</text>"));
	/* The boot ended at its last marker, 12.02 s. */
	assert_non_null(strstr(cap, "<tspan font-weight=\"bold\">12.020s</tspan>"));
	assert_true(attr(strstr(top, "<line "), "y1") < 150);
	assert_true(attr(strstr(bottom, "<line "), "y1") < 1200);
	assert_true(attr(strstr(svg, "<svg "), "height") <= 1200);
	assert_true(attr(strstr(svg, "<svg "), "width") == 1600);
	free(svg);
}

/* 400 drivers, 300 modules: the picture keeps to 1200 px. */
static void test_rows_collapse(void **state)
{
	struct text t;
	char *svg;
	const char *p;
	int i, rows = 0;

	(void)state;
	begin(&t);
	for (i = 0; i < 400; i++) {
		unsigned long m = 0, s;

		if (i < 300)
			m = line(&t, 1.0 + i * 0.01, "module.coming mod%d version=", i);
		s = line(&t, 1.001 + i * 0.01, "probe.start dev%d driver=drv%d bus=pci pid=%d", i, i, 100 + i);
		line(&t, 1.004 + i * 0.01, "probe.end dev%d driver=drv%d bus=pci rc=0 dur_ns=%d start=%lu pid=%d",
		     i, i, 3000000 - i, s, 100 + i);
		if (i < 300)
			line(&t, 1.005 + i * 0.01, "module.live mod%d dur_ns=5000000 start=%lu version=", i, m);
	}
	svg = finish(&t);
	for (p = svg; (p = strstr(p, "<text class=\"row\" ")); p++)
		rows++;
	if (rows > 60)
		fail_msg("%d rows", rows);
	assert_non_null(strstr(svg, " more drivers</text>"));
	assert_non_null(strstr(svg, " more modules</text>"));
	/* The busiest driver is kept; the least busy summed away. */
	assert_non_null(strstr(svg, ">drv0</text>"));
	assert_null(strstr(svg, ">drv399</text>"));
	assert_true(attr(strstr(svg, "<svg "), "height") <= 1200);
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attempts_share_a_row_with_their_steps),
		cmocka_unit_test(test_kernel_log_rows_named_by_driver),
		cmocka_unit_test(test_no_milestone_label_dropped),
		cmocka_unit_test(test_axes_caption_and_legend_in_view),
		cmocka_unit_test(test_rows_collapse),
	};

	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
