// SPDX-License-Identifier: GPL-2.0
/*
 * save's import of systemd's units: reading `systemctl show` (the fixture
 * in data/, junk, huge lines, missing fields, units that never started),
 * the clock conversion, and the lines written, read back by the parser.
 */
#define _GNU_SOURCE
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
#include "units.h"

#define DATA_DIR_OF(file) file
static char fixture_path[4096];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const struct bst_unit_rec *find(const struct bst_unit_list *l,
				       const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->u[i].id, id))
			return &l->u[i];
	return NULL;
}

static void parse_str(const char *s, struct bst_unit_list *l)
{
	assert_int_equal(bst_units_parse(s, strlen(s), l), 0);
}

static void test_fixture(void **state)
{
	struct bst_unit_list l;
	const struct bst_unit_rec *u;
	size_t len;
	char *text = slurp(fixture_path, &len);

	(void)state;
	assert_int_equal(bst_units_parse(text, len, &l), 0);
	assert_int_equal(l.n, 17);
	assert_int_equal(l.blocks, 17);
	assert_int_equal(l.junk, 0);
	/* Properties in systemctl's order (Type first), not the asked one. */
	u = find(&l, "cloud-final.service");
	assert_non_null(u);
	assert_string_equal(u->type, "oneshot");
	assert_string_equal(u->state, "active");
	assert_string_equal(u->substate, "exited");
	assert_string_equal(u->result, "success");
	assert_true(u->us[BST_U_INACTIVE_EXIT] == 9300010);
	assert_true(u->us[BST_U_ACTIVE_ENTER] == 10999660);
	assert_true(u->us[BST_U_MAIN_EXIT] == 10998871);
	/* A device has no Type=: empty, not another unit's. */
	u = find(&l, "dev-nvme0n1.device");
	assert_non_null(u);
	assert_string_equal(u->type, "");
	assert_non_null(find(&l, "dev-disk-by\\x2duuid-5f1e8c2a\\x2d0b4d\\x2d4c55.device"));
	free(text);
	bst_units_free(&l);
}

static void test_junk_is_counted_not_trusted(void **state)
{
	struct bst_unit_list l;
	const struct bst_unit_rec *u;

	(void)state;
	parse_str("Id=a.service\n"
		  "this line has no equals sign\n"
		  "=value without a key\n"
		  "InactiveExitTimestampMonotonic=12x4\n"	/* not a number */
		  "ActiveEnterTimestampMonotonic=-5\n"
		  "InactiveEnterTimestampMonotonic=99999999999999999999\n"	/* overflows */
		  "ActiveState=has space\n"
		  "SomethingElse=ignored\n"
		  "\n"
		  "Id=b.service\n"
		  "InactiveExitTimestampMonotonic=100\r\n"	/* CRLF is fine */
		  "InactiveExitTimestampMonotonic=200\n"	/* a key twice: the first stands */
		  "ActiveEnterTimestampMonotonic=300", &l);	/* no final newline */
	assert_int_equal(l.n, 2);
	assert_int_equal(l.junk, 7);
	u = find(&l, "a.service");
	assert_non_null(u);
	assert_true(u->us[BST_U_INACTIVE_EXIT] == 0);
	assert_true(u->us[BST_U_ACTIVE_ENTER] == 0);
	assert_true(u->us[BST_U_INACTIVE_ENTER] == 0);
	assert_string_equal(u->state, "");
	u = find(&l, "b.service");
	assert_non_null(u);
	assert_true(u->us[BST_U_INACTIVE_EXIT] == 100);
	assert_true(u->us[BST_U_ACTIVE_ENTER] == 300);
	bst_units_free(&l);
}

static void test_huge_lines_and_names(void **state)
{
	size_t big = 3 * BST_UNITS_LINE_MAX;
	char *s = malloc(big + 4096), *p;
	struct bst_unit_list l;

	(void)state;
	assert_non_null(s);
	p = s;
	/* A line longer than the bound: skipped whole, the next line read. */
	p += sprintf(p, "Id=x.service\nResult=");
	memset(p, 'r', big);
	p += big;
	p += sprintf(p, "\nActiveState=active\n\n");
	/* A name longer than a unit name can be: no unit. */
	p += sprintf(p, "Id=");
	memset(p, 'n', 300);
	p += 300;
	p += sprintf(p, ".service\nInactiveExitTimestampMonotonic=5\n\n");
	/* A NUL inside a line. */
	memcpy(p, "Id=y.serv\0ice\n\n", 15);
	p += 15;
	assert_int_equal(bst_units_parse(s, (size_t)(p - s), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.u[0].id, "x.service");
	assert_string_equal(l.u[0].result, "");
	assert_string_equal(l.u[0].state, "active");
	assert_int_equal(l.junk, 3);
	assert_int_equal(l.blocks, 3);
	bst_units_free(&l);
	free(s);
}

static void test_missing_fields_and_empty(void **state)
{
	struct bst_unit_list l;

	(void)state;
	/* Only an Id: a unit with nothing known; blank lines in runs. */
	parse_str("\n\n\nId=only-id.mount\n\n\n\nActiveState=active\n\n", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.blocks, 2);	/* the second block has no Id */
	assert_true(l.u[0].us[BST_U_INACTIVE_EXIT] == 0);
	bst_units_free(&l);
	parse_str("", &l);
	assert_int_equal(l.n, 0);
	bst_units_free(&l);
}

static void test_too_many_units(void **state)
{
	size_t n = BST_UNITS_MAX + 5, i;
	char *s = malloc(n * 32), *p = s;
	struct bst_unit_list l;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		p += sprintf(p, "Id=u%zu.service\n\n", i);
	assert_int_equal(bst_units_parse(s, (size_t)(p - s), &l), 0);
	assert_int_equal(l.n, BST_UNITS_MAX);
	assert_int_equal(l.over, 5);
	bst_units_free(&l);
	free(s);
}

static void test_clock_offset(void **state)
{
	int64_t off;
	int susp;

	(void)state;
	/* Never suspended: BOOTTIME between the two MONOTONIC reads. */
	bst_clock_offset_from(1000000000, 1000000400, 1000000900, &off, &susp);
	assert_true(off == 0);
	assert_int_equal(susp, 0);
	/* Suspended 30 s: the offset, and it is said. */
	bst_clock_offset_from(1000000000, 31000000400, 1000000900, &off, &susp);
	assert_true(off == 30000000400 - 450);
	assert_int_equal(susp, 1);
	/* The machine's own clocks, now. */
	bst_clock_offset(&off, &susp);
	assert_true(off >= 0);
	assert_true(susp == (off != 0));
	/* us on MONOTONIC to ns on BOOTTIME. */
	assert_true(bst_unit_time_ns(4100003, 0) == 4100003000ULL);
	assert_true(bst_unit_time_ns(4100003, 30000000000LL) == 34100003000ULL);
}

/* Write the units after a minimal capture and parse the whole file back. */
static char *written(const struct bst_unit_list *l, int64_t off, int susp,
		     struct bst_capture *cap)
{
	char *buf = NULL, *copy;
	size_t len = 0;
	struct bst_error err;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fputs("# bootstamps 1\n# kernel=6.1\n"
	      "1 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
	      "4 2.000000000 init.exec systemd path=/sbin/init pid=1 phase=root\n", f);
	bst_units_write(f, l, 5, "systemctl", off, susp);
	fclose(f);
	copy = strdup(buf);
	assert_non_null(copy);
	if (bst_parse_text("units", copy, cap, &err))
		fail_msg("%s\n%s", err.msg, buf);
	assert_true(bst_validate(cap, NULL, &err) >= 0);
	return buf;
}

static const struct bst_event *event(const struct bst_capture *cap,
				     const char *type, const char *subject)
{
	size_t i;

	for (i = 0; i < cap->nev; i++)
		if (!strcmp(cap->ev[i].type, type) &&
		    !strcmp(cap->ev[i].subject, subject))
			return &cap->ev[i];
	return NULL;
}

static void test_written_events(void **state)
{
	struct bst_unit_list l;
	struct bst_capture cap;
	const struct bst_event *s, *e;
	int64_t v;
	size_t len, i;
	char *text = slurp(fixture_path, &len), *out;

	(void)state;
	assert_int_equal(bst_units_parse(text, len, &l), 0);
	out = written(&l, 0, 0, &cap);
	/* 17 listed; init.scope and apt-daily never started. */
	assert_non_null(strstr(out, "# units units_source=systemctl units=15 units_listed=17 "));
	assert_non_null(strstr(out, " monotonic_offset_ns=0 units_suspended=0\n"));
	assert_null(event(&cap, "unit.start", "apt-daily.service"));
	assert_null(event(&cap, "unit.start", "init.scope"));
	/* A oneshot that stayed active: from InactiveExit to ActiveEnter. */
	s = event(&cap, "unit.start", "cloud-init.service");
	e = event(&cap, "unit.end", "cloud-init.service");
	assert_non_null(s);
	assert_non_null(e);
	assert_true(s->t_ns == 6000340000ULL);
	assert_true(e->t_ns == 7899120000ULL);
	assert_int_equal(bst_event_get_i64(e, "dur_ns", &v), 1);
	assert_true(v == 7899120000LL - 6000340000LL);
	assert_int_equal(bst_event_get_i64(e, "start", &v), 1);
	assert_true((unsigned long)v == s->seq);
	assert_string_equal(bst_event_get(e, "reached"), "active");
	assert_string_equal(bst_event_get(e, "type"), "oneshot");
	assert_string_equal(bst_event_get(e, "src"), "systemd");
	/* A failed oneshot was never active: it ends when it became inactive. */
	e = event(&cap, "unit.end", "ntpdate.service");
	assert_non_null(e);
	assert_true(e->t_ns == 6700112000ULL);
	assert_string_equal(bst_event_get(e, "reached"), "inactive");
	assert_string_equal(bst_event_get(e, "result"), "exit-code");
	assert_string_equal(bst_event_get(e, "state"), "failed");
	/* Still activating when saved: a start, no end. */
	assert_non_null(event(&cap, "unit.start", "bootstamps-save.service"));
	assert_null(event(&cap, "unit.end", "bootstamps-save.service"));
	/* Active since systemd began (-.mount: no InactiveExit): an instant. */
	e = event(&cap, "unit.end", "-.mount");
	assert_non_null(e);
	assert_int_equal(bst_event_get_i64(e, "dur_ns", &v), 1);
	assert_true(v == 0);
	/* A backslash in a name is escaped as the format wants. */
	assert_non_null(event(&cap, "unit.start",
			      "dev-disk-by\\x5cx2duuid-5f1e8c2a\\x5cx2d0b4d\\x5cx2d4c55.device"));
	/* seq from 5 on, strictly increasing, time order. */
	for (i = 2; i < cap.nev; i++) {
		assert_true(cap.ev[i].seq == 5 + (i - 2));
		if (i > 2)
			assert_true(cap.ev[i].t_ns >= cap.ev[i - 1].t_ns);
	}
	bst_capture_free(&cap);
	free(out);
	free(text);
	bst_units_free(&l);
}

static void test_written_after_suspend(void **state)
{
	struct bst_unit_list l;
	struct bst_capture cap;
	const struct bst_event *s;
	char *out;

	(void)state;
	parse_str("Id=late.service\nType=simple\n"
		  "InactiveExitTimestampMonotonic=5000000\n"
		  "ActiveEnterTimestampMonotonic=5000100\n", &l);
	out = written(&l, 60000000000LL, 1, &cap);
	assert_non_null(strstr(out, " monotonic_offset_ns=60000000000 units_suspended=1\n"));
	s = event(&cap, "unit.start", "late.service");
	assert_non_null(s);
	assert_true(s->t_ns == 65000000000ULL);
	bst_capture_free(&cap);
	free(out);
	bst_units_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_junk_is_counted_not_trusted),
		cmocka_unit_test(test_huge_lines_and_names),
		cmocka_unit_test(test_missing_fields_and_empty),
		cmocka_unit_test(test_too_many_units),
		cmocka_unit_test(test_clock_offset),
		cmocka_unit_test(test_written_events),
		cmocka_unit_test(test_written_after_suspend),
	};
	const char *src = __FILE__, *slash = strrchr(src, '/');

	snprintf(fixture_path, sizeof(fixture_path), "%.*s/data/systemctl-show.txt",
		 slash ? (int)(slash - src) : 1, slash ? src : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
