// SPDX-License-Identifier: GPL-2.0
/*
 * The trace (Chrome Trace Event JSON) as the Perfetto UI reads it: slices
 * nest on their track, steps sit under their probe, every track is named,
 * nothing NULL is printed and no start underflows; and the nesting tracks
 * of tracks.c on their own.
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
#include "tracks.h"

/*
 * ENA's probe with two steps inside (pid 29), kernel-log probes that
 * overlap without nesting (pid 0), two module loads that overlap, a disk.
 */
static const char capture[] =
	"# bootstamps 1\n"
	"# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64 clock=boottime\n"
	"1 1.000000000 probe.end 00:04 driver= bus= rc=0 dur_ns=300000000 start=0 pid=0 src=kmsg\n"
	"2 1.100000000 probe.end serio0 driver= bus= rc=0 dur_ns=300000000 start=0 pid=0 src=kmsg\n"
	"3 2.000000000 module.coming ena version=\n"
	"4 2.100000000 module.coming virtio_net version=\n"
	"5 2.200000000 module.live ena dur_ns=200000000 start=3 version=\n"
	"6 2.300000000 module.live virtio_net dur_ns=200000000 start=4 version=\n"
	"7 3.000000000 probe.start 0000:00:05.0 driver=ena bus=pci pid=29 comm=kworker/u4:1\n"
	"8 3.100000000 fn.start ena_device_init module=ena pid=29 comm=kworker/u4:1\n"
	"9 3.200000000 fn.start ena_com_dev_reset module=ena pid=29 comm=kworker/u4:1\n"
	"10 3.300000000 fn.end ena_com_dev_reset module=ena ret=-62 dur_ns=100000000 start=9 pid=29 comm=kworker/u4:1\n"
	"11 3.400000000 fn.end ena_device_init module=ena ret=-62 dur_ns=300000000 start=8 pid=29 comm=kworker/u4:1\n"
	"12 3.500000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=500000000 start=7 pid=29 comm=kworker/u4:1\n"
	"13 4.000000000 disk.add vda parent=virtio0 driver=virtio_blk\n"
	"14 4.100000000 disk.first_io vda rc=0 dur_ns=10000000 pid=228 comm=insmod\n"
	"15 4.200000000 disk.partitions vda count=1 dev=254:0 rc=0 dur_ns=200000000 start=13\n"
	"16 5.000000000 mark boot-done pid=1 comm=init\n";

struct traced {
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	char *json;
	size_t len;
};

static void build(struct traced *t)
{
	struct bst_error err;
	char *copy = strdup(capture);

	assert_non_null(copy);
	if (bst_parse_text("cap.txt", copy, &t->cap, &err))
		fail_msg("%s", err.msg);
	if (bst_model_build(&t->cap, &t->model, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_boot_build(&t->cap, &t->boot), 0);
}

static void render(struct traced *t)
{
	FILE *f = open_memstream(&t->json, &t->len);

	assert_non_null(f);
	bst_trace(f, &t->cap, &t->model, &t->boot);
	assert_int_equal(fclose(f), 0);
}

static void done(struct traced *t)
{
	free(t->json);
	bst_boot_free(&t->boot);
	bst_model_free(&t->model);
	bst_capture_free(&t->cap);
}

/* The complete event named name: its ts, dur (in ns), pid and tid. */
struct slice {
	uint64_t start, end;
	long pid, tid;
};

static uint64_t us_field(const char *ev, const char *key)
{
	const char *p = strstr(ev, key);
	unsigned long long whole = 0;
	unsigned frac = 0;

	if (!p)
		fail_msg("no %s in %.200s", key, ev);
	if (sscanf(p + strlen(key), "%llu.%3u", &whole, &frac) != 2)
		fail_msg("%s is not <us>.<3 digits> in %.200s", key, ev);
	return (uint64_t)whole * 1000 + frac;
}

static long long_field(const char *ev, const char *key)
{
	const char *p = strstr(ev, key);

	if (!p)
		fail_msg("no %s in %.200s", key, ev);
	return strtol(p + strlen(key), NULL, 10);
}

static struct slice find_slice(const char *json, const char *name, int nth)
{
	char needle[128];
	const char *p = json;
	struct slice s;

	snprintf(needle, sizeof(needle), "{\"name\":\"%s\",", name);
	for (; nth >= 0; nth--) {
		p = strstr(p, needle);
		if (!p)
			fail_msg("no slice %s", name);
		p += strlen(needle);
	}
	if (strncmp(strstr(p, "\"ph\":"), "\"ph\":\"X\"", 8))
		fail_msg("%s is not a complete event", name);
	s.start = us_field(p, "\"ts\":");
	s.end = s.start + us_field(p, "\"dur\":");
	s.pid = long_field(p, "\"pid\":");
	s.tid = long_field(p, "\"tid\":");
	return s;
}

static int nests(struct slice a, struct slice b)
{
	return a.end <= b.start || b.end <= a.start ||
	       (a.start <= b.start && b.end <= a.end) ||
	       (b.start <= a.start && a.end <= b.end);
}

static void expect_named(const char *json, long pid, long tid)
{
	char needle[96];

	snprintf(needle, sizeof(needle),
		 "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%ld,\"tid\":%ld,", pid, tid);
	if (!strstr(json, needle))
		fail_msg("track pid %ld tid %ld has no name", pid, tid);
}

static void test_steps_under_their_probe(void **state)
{
	struct traced t = { 0 };
	struct slice probe, init, reset;

	(void)state;
	build(&t);
	render(&t);
	probe = find_slice(t.json, "ena 0000:00:05.0", 0);
	init = find_slice(t.json, "ena_device_init", 0);
	reset = find_slice(t.json, "ena_com_dev_reset", 0);
	assert_int_equal(init.pid, probe.pid);
	assert_int_equal(init.tid, probe.tid);
	assert_int_equal(reset.tid, probe.tid);
	assert_true(probe.start <= init.start && init.end <= probe.end);
	assert_true(init.start <= reset.start && reset.end <= init.end);
	expect_named(t.json, probe.pid, probe.tid);
	if (strstr(t.json, "(null)") || strstr(t.json, ":null"))
		fail_msg("a NULL was printed: %s", strstr(t.json, "null") - 20);
	done(&t);
}

static void test_overlapping_spans_get_tracks(void **state)
{
	static const char *const pairs[][2] = {
		{ "00:04", "serio0" }, { "ena", "virtio_net" },
	};
	struct traced t = { 0 };
	size_t i;

	(void)state;
	build(&t);
	render(&t);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct slice a = find_slice(t.json, pairs[i][0], 0);
		struct slice b = find_slice(t.json, pairs[i][1], 0);

		/* They overlap in time without nesting... */
		assert_false(nests(a, b));
		/* ...so they must not share a track. */
		if (a.pid == b.pid && a.tid == b.tid)
			fail_msg("%s and %s overlap on tid %ld", pairs[i][0],
				 pairs[i][1], a.tid);
		expect_named(t.json, a.pid, a.tid);
		expect_named(t.json, b.pid, b.tid);
	}
	done(&t);
}

/* A dur_ns longer than the time since boot must not wrap the start. */
static void test_long_duration_does_not_underflow(void **state)
{
	struct traced t = { 0 };
	struct slice s;
	size_t i;

	(void)state;
	build(&t);
	/*
	 * Set on the model, not in the text: the parser may refuse such a
	 * capture, but the trace must be safe with any model it is given.
	 */
	for (i = 0; i < t.model.nspans; i++)
		if (t.model.spans[i].end && t.model.spans[i].end->seq == 12)
			t.model.spans[i].dur_ns = 9000000000ULL;	/* > 3.5 s */
	render(&t);
	s = find_slice(t.json, "ena 0000:00:05.0", 0);
	if (s.start > 3500000000ULL || s.end > 3500000000ULL)
		fail_msg("the probe runs [%llu, %llu] ns, past its own end at 3.5 s",
			 (unsigned long long)s.start, (unsigned long long)s.end);
	assert_true(s.start == 0);
	assert_non_null(strstr(t.json, "longer than the time since boot"));
	done(&t);
}

/*
 * tracks.c alone: a staircase of spans that each overlap the next,
 * within one that holds them all, and spans nested three deep.
 */
static void test_tracks_nest(void **state)
{
	struct bst_track_item it[64];
	size_t n = 0, i, j, tracks;

	(void)state;
	memset(it, 0, sizeof(it));
	it[n++] = (struct bst_track_item){ .start_ns = 0, .end_ns = 1000 };
	for (i = 0; i < 20; i++)
		it[n++] = (struct bst_track_item){ .start_ns = 10 + 10 * i,
						   .end_ns = 35 + 10 * i };
	it[n++] = (struct bst_track_item){ .start_ns = 500, .end_ns = 600 };
	it[n++] = (struct bst_track_item){ .start_ns = 510, .end_ns = 590 };
	it[n++] = (struct bst_track_item){ .start_ns = 520, .end_ns = 530 };
	it[n++] = (struct bst_track_item){ .start_ns = 590, .end_ns = 600 };
	it[n++] = (struct bst_track_item){ .start_ns = 600, .end_ns = 600 };
	/* Another key: never on the first key's tracks. */
	it[n++] = (struct bst_track_item){ .group = 1, .start_ns = 0, .end_ns = 5 };
	for (i = 0; i < n; i++)
		it[i].src = i;
	tracks = bst_tracks_assign(it, n);
	assert_true(tracks >= 4);
	for (i = 0; i < n; i++) {
		assert_true(it[i].track >= 1 && it[i].track <= tracks);
		for (j = 0; j < n; j++) {
			struct slice a = { it[i].start_ns, it[i].end_ns, 0, 0 };
			struct slice b = { it[j].start_ns, it[j].end_ns, 0, 0 };

			if (i == j || it[i].track != it[j].track)
				continue;
			assert_true(bst_tracks_same_key(&it[i], &it[j]));
			if (!nests(a, b))
				fail_msg("[%llu,%llu] and [%llu,%llu] share track %zu",
					 (unsigned long long)a.start, (unsigned long long)a.end,
					 (unsigned long long)b.start, (unsigned long long)b.end,
					 it[i].track);
		}
	}
	/* Nested spans need no track of their own: all on the first. */
	for (i = 0; i < n; i++)
		if (it[i].start_ns >= 500 && it[i].group == 0)
			assert_int_equal(it[i].lane, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_under_their_probe),
		cmocka_unit_test(test_overlapping_spans_get_tracks),
		cmocka_unit_test(test_long_duration_does_not_underflow),
		cmocka_unit_test(test_tracks_nest),
	};

	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
