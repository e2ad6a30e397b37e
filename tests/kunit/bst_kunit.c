// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for bootstamps' pure logic: the line format (times, escaping,
 * cutting a line to a buffer) and the store (slot indexing, the drop count,
 * the marker quota, pairing a closing event with its start).
 *
 * Built as its own module, bootstamps_kunit.ko, from the same format.c and
 * store.c as bootstamps.ko (tests/vm/run.sh copies them next to this file),
 * so it has its own store and never touches a loaded bootstamps'. It needs
 * a kernel with CONFIG_KUNIT, which Debian's are not: the debug kernel of
 * `make check-debug` has it, and the VM test loads this module there.
 *
 * Expected lines are written out from docs/format.md, not produced by the
 * code under test.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

#include "bootstamps.h"

#define BST_KUNIT_LINE	1024

/* An expected line: its words joined by spaces, ending in a newline. */
static const char *bst_kunit_line(struct kunit *test,
				  const char * const *words, size_t n)
{
	char *line = kunit_kzalloc(test, BST_KUNIT_LINE, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	for (i = 0; i < n; i++) {
		if (i)
			strlcat(line, " ", BST_KUNIT_LINE);
		strlcat(line, words[i], BST_KUNIT_LINE);
	}
	strlcat(line, "\n", BST_KUNIT_LINE);
	return line;
}

static void bst_kunit_time(struct kunit *test)
{
	static const struct {
		u64 ns;
		const char *text;
	} cases[] = {
		{ 0, "0.000000000" },
		{ 1, "0.000000001" },
		{ 999999999, "0.999999999" },
		{ 1000000000, "1.000000000" },
		{ 1234567890123ULL, "1234.567890123" },
		{ U64_MAX, "18446744073.709551615" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = bst_format_time(buf, sizeof(buf), cases[i].ns);

		KUNIT_EXPECT_STREQ(test, buf, cases[i].text);
		KUNIT_EXPECT_EQ(test, len, strlen(cases[i].text));
	}
}

/* A marker with every kind of byte the format must escape. */
static void bst_kunit_mark_escaped(struct kunit *test)
{
	static const char text[] = "a b\\c\n\x01\x7f\xff\xc3\xa9%n=";
	static const char * const words[] = {
		"7", "1.000000002", "mark",
		"a\\x20b\\x5cc\\x0a\\x01\\x7f\\xff\\xc3\\xa9%n=",
		"pid=42", "comm=sh", "local=0.000000005",
	};
	const char *want = bst_kunit_line(test, words, ARRAY_SIZE(words));
	struct bst_event *ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	char *line = kunit_kzalloc(test, BST_KUNIT_LINE, GFP_KERNEL);
	size_t len;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	ev->type = BST_EV_MARK;
	ev->boot_ns = 1000000002;
	ev->local_ns = 5;
	ev->pid = 42;
	strscpy(ev->comm, "sh", sizeof(ev->comm));
	strscpy(ev->text, text, sizeof(ev->text));

	len = bst_format_event(line, BST_KUNIT_LINE, ev, 7);
	KUNIT_EXPECT_STREQ(test, line, want);
	KUNIT_EXPECT_EQ(test, len, strlen(want));
}

static void bst_kunit_fill_probe_end(struct bst_event *ev)
{
	ev->type = BST_EV_PROBE_END;
	ev->boot_ns = 4204093394ULL;
	ev->local_ns = 4230891032ULL;
	ev->dur_ns = 616965970;
	ev->start_seq = 40;
	ev->rc = -EPROBE_DEFER;
	ev->flags = BST_F_RC | BST_F_ASYNC;
	ev->cpu = 1;
	ev->pid = 290;
	strscpy(ev->comm, "kworker/u4:1", sizeof(ev->comm));
	strscpy(ev->id.subject, "0000:00:01.0", sizeof(ev->id.subject));
	strscpy(ev->id.driver, "ena", sizeof(ev->id.driver));
	strscpy(ev->id.bus, "pci", sizeof(ev->id.bus));
	strscpy(ev->id.module, "ena", sizeof(ev->id.module));
	strscpy(ev->id.version, "2.8.1g", sizeof(ev->id.version));
}

static const char * const bst_kunit_probe_end_words[] = {
	"41", "4.204093394", "probe.end", "0000:00:01.0", "driver=ena",
	"bus=pci", "rc=-517", "dur_ns=616965970", "start=40", "module=ena",
	"version=2.8.1g", "srcversion=", "builtin=0", "async=1", "cpu=1",
	"pid=290", "comm=kworker/u4:1", "local=4.230891032",
};

static const char *bst_kunit_probe_end_line(struct kunit *test)
{
	return bst_kunit_line(test, bst_kunit_probe_end_words,
			      ARRAY_SIZE(bst_kunit_probe_end_words));
}

static void bst_kunit_probe_end(struct kunit *test)
{
	struct bst_event *ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	char *line = kunit_kzalloc(test, BST_KUNIT_LINE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	bst_kunit_fill_probe_end(ev);
	bst_format_event(line, BST_KUNIT_LINE, ev, 41);
	KUNIT_EXPECT_STREQ(test, line, bst_kunit_probe_end_line(test));

	/* No BST_F_RC: the errno is not known, so no rc= at all. */
	ev->flags &= ~BST_F_RC;
	bst_format_event(line, BST_KUNIT_LINE, ev, 41);
	KUNIT_EXPECT_NULL(test, strstr(line, " rc="));
}

/* No subject is written as "?", an unknown type as "unknown". */
static void bst_kunit_placeholders(struct kunit *test)
{
	struct bst_event *ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	char *line = kunit_kzalloc(test, BST_KUNIT_LINE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	ev->type = 200;
	bst_format_event(line, BST_KUNIT_LINE, ev, 1);
	KUNIT_EXPECT_STREQ(test, line, "1 0.000000000 unknown ? local=0.000000000\n");
}

/*
 * Every buffer size from none to more than enough: the line is cut, never
 * overrun, always ends in "\n" and NUL, and is a prefix of the whole line.
 */
static void bst_kunit_cut_to_size(struct kunit *test)
{
	const char *want = bst_kunit_probe_end_line(test);
	const size_t whole = strlen(want);
	struct bst_event *ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	char *line = kunit_kzalloc(test, BST_KUNIT_LINE, GFP_KERNEL);
	size_t size;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	bst_kunit_fill_probe_end(ev);
	for (size = 0; size <= whole + 2; size++) {
		size_t len;

		/* A guard byte past the buffer must survive. */
		memset(line, 'G', BST_KUNIT_LINE);
		len = bst_format_event(line, size, ev, 41);
		KUNIT_EXPECT_EQ(test, line[size], 'G');
		if (size < 2) {
			KUNIT_EXPECT_EQ(test, len, 0);
			continue;
		}
		KUNIT_EXPECT_EQ(test, len, min(whole, size - 1));
		KUNIT_EXPECT_EQ(test, line[len - 1], '\n');
		KUNIT_EXPECT_EQ(test, line[len], '\0');
		KUNIT_EXPECT_EQ(test, memcmp(line, want, len - 1), 0);
	}
}

static void bst_kunit_copy_field(struct kunit *test)
{
	char dst[8];
	u32 flags = 0;

	KUNIT_EXPECT_EQ(test, bst_copy(dst, "ena", &flags), 3);
	KUNIT_EXPECT_STREQ(test, dst, "ena");
	KUNIT_EXPECT_EQ(test, flags, 0);

	KUNIT_EXPECT_EQ(test, bst_copy(dst, "1234567", &flags), 7);
	KUNIT_EXPECT_EQ(test, flags, 0);

	KUNIT_EXPECT_EQ(test, bst_copy(dst, "12345678", &flags), 7);
	KUNIT_EXPECT_STREQ(test, dst, "1234567");
	KUNIT_EXPECT_EQ(test, flags, BST_F_TRUNC);

	flags = 0;
	KUNIT_EXPECT_EQ(test, bst_copy(dst, NULL, &flags), 0);
	KUNIT_EXPECT_STREQ(test, dst, "");
	KUNIT_EXPECT_EQ(test, flags, 0);
}

static int bst_kunit_store_init(struct kunit *test)
{
	return bst_store_init(4, 2);
}

static void bst_kunit_store_exit(struct kunit *test)
{
	bst_store_exit();
}

/* Slots are handed out in order, seq = index + 1, hidden until committed. */
static void bst_kunit_store_order(struct kunit *test)
{
	struct bst_event *ev[4];
	int i;

	for (i = 0; i < 4; i++) {
		ev[i] = bst_store_reserve(BST_EV_PROBE_START);
		KUNIT_ASSERT_NOT_NULL(test, ev[i]);
		KUNIT_EXPECT_EQ(test, bst_store_seq(ev[i]), i + 1);
		KUNIT_EXPECT_EQ(test, ev[i]->type, BST_EV_PROBE_START);
	}
	KUNIT_EXPECT_EQ(test, bst_store_count(), 4);
	/* Claimed but not committed: invisible to readers. */
	KUNIT_EXPECT_NULL(test, bst_store_get(1));
	bst_store_commit(ev[1]);
	KUNIT_EXPECT_PTR_EQ(test, bst_store_get(1), (const struct bst_event *)ev[1]);
	KUNIT_EXPECT_NULL(test, bst_store_get(4));
	/* Stamped on the same clock, in order. */
	KUNIT_EXPECT_LE(test, ev[0]->boot_ns, ev[3]->boot_ns);
}

/* A full store counts what it cannot keep and overwrites nothing. */
static void bst_kunit_store_full(struct kunit *test)
{
	struct bst_event *ev;
	int i;

	for (i = 0; i < 4; i++) {
		ev = bst_store_reserve(BST_EV_MARK);
		KUNIT_ASSERT_NOT_NULL(test, ev);
		ev->rc = i;
		bst_store_commit(ev);
	}
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_NULL(test, bst_store_reserve(BST_EV_PROBE_END));
	KUNIT_EXPECT_EQ(test, bst_store_count(), 4);
	KUNIT_EXPECT_EQ(test, bst_store_dropped(), 1000);
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_NOT_NULL(test, bst_store_get(i));
		KUNIT_EXPECT_EQ(test, bst_store_get(i)->rc, i);
		KUNIT_EXPECT_EQ(test, bst_store_get(i)->type, BST_EV_MARK);
	}
}

/* Markers stop at their quota (2 here) and leave the rest for the kernel. */
static void bst_kunit_store_mark_quota(struct kunit *test)
{
	KUNIT_EXPECT_NOT_NULL(test, bst_store_reserve_mark());
	KUNIT_EXPECT_NOT_NULL(test, bst_store_reserve_mark());
	KUNIT_EXPECT_NULL(test, bst_store_reserve_mark());
	KUNIT_EXPECT_EQ(test, bst_store_marks(), 2);
	KUNIT_EXPECT_EQ(test, bst_store_marks_refused(), 1);
	KUNIT_EXPECT_EQ(test, bst_store_dropped(), 0);
	/* The kernel's events still have the other two slots. */
	KUNIT_EXPECT_NOT_NULL(test, bst_store_reserve(BST_EV_PROBE_START));
	KUNIT_EXPECT_NOT_NULL(test, bst_store_reserve(BST_EV_PROBE_END));
	KUNIT_EXPECT_NULL(test, bst_store_reserve(BST_EV_PROBE_END));
}

static struct bst_event *bst_kunit_record(struct kunit *test,
					  enum bst_event_type type,
					  const char *subject, u32 start_seq)
{
	struct bst_event *ev = bst_store_reserve(type);

	KUNIT_ASSERT_NOT_NULL(test, ev);
	strscpy(ev->id.subject, subject, sizeof(ev->id.subject));
	strscpy(ev->id.bus, "pci", sizeof(ev->id.bus));
	ev->start_seq = start_seq;
	bst_store_commit(ev);
	return ev;
}

/*
 * find_open() finds the start no later event closes: after a closed span
 * of a device, a second open one is found, and once closed, none.
 */
static void bst_kunit_store_find_open(struct kunit *test)
{
	struct bst_event *first, *second;

	first = bst_kunit_record(test, BST_EV_PROBE_START, "dev0", 0);
	bst_kunit_record(test, BST_EV_PROBE_END, "dev0", bst_store_seq(first));
	KUNIT_EXPECT_NULL(test, bst_store_find_open(BST_EV_PROBE_START, "dev0", "pci"));

	second = bst_kunit_record(test, BST_EV_PROBE_START, "dev0", 0);
	KUNIT_EXPECT_PTR_EQ(test, bst_store_find_open(BST_EV_PROBE_START, "dev0", "pci"),
			    (const struct bst_event *)second);
	KUNIT_EXPECT_PTR_EQ(test, bst_store_find_open(BST_EV_PROBE_START, "dev0", NULL),
			    (const struct bst_event *)second);
	KUNIT_EXPECT_NULL(test, bst_store_find_open(BST_EV_PROBE_START, "dev0", "usb"));
	KUNIT_EXPECT_NULL(test, bst_store_find_open(BST_EV_PROBE_START, "dev1", NULL));
	KUNIT_EXPECT_PTR_EQ(test, bst_store_find_last(BST_EV_PROBE_START, "dev0"),
			    (const struct bst_event *)second);
}

static struct kunit_case bst_kunit_format_cases[] = {
	KUNIT_CASE(bst_kunit_time),
	KUNIT_CASE(bst_kunit_mark_escaped),
	KUNIT_CASE(bst_kunit_probe_end),
	KUNIT_CASE(bst_kunit_placeholders),
	KUNIT_CASE(bst_kunit_cut_to_size),
	KUNIT_CASE(bst_kunit_copy_field),
	{}
};

static struct kunit_suite bst_kunit_format_suite = {
	.name = "bootstamps_format",
	.test_cases = bst_kunit_format_cases,
};

static struct kunit_case bst_kunit_store_cases[] = {
	KUNIT_CASE(bst_kunit_store_order),
	KUNIT_CASE(bst_kunit_store_full),
	KUNIT_CASE(bst_kunit_store_mark_quota),
	KUNIT_CASE(bst_kunit_store_find_open),
	{}
};

static struct kunit_suite bst_kunit_store_suite = {
	.name = "bootstamps_store",
	.init = bst_kunit_store_init,
	.exit = bst_kunit_store_exit,
	.test_cases = bst_kunit_store_cases,
};

kunit_test_suites(&bst_kunit_format_suite, &bst_kunit_store_suite);

MODULE_DESCRIPTION("KUnit tests of bootstamps' line format and event store");
MODULE_LICENSE("GPL");
