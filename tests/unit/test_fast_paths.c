// SPDX-License-Identifier: GPL-2.0
/*
 * The fast paths of issue 14's point 3 must answer exactly as the plain
 * code they replaced: fixed-point numbers as printf writes them, JSON
 * strings escaped byte for byte as RFC 8259 says, seq look-ups across
 * gaps, keys told apart when they share their first characters, duplicate
 * keys found past the hashed ones, numbers refused when they overflow,
 * and fields read back through bst_event_kv in the line's order; JSON
 * strings that end the writer's buffer; event types told apart as strcmp
 * would; the time order as a full sort of every event gives it; blame's
 * names ranked as strcmp orders them.
 * References are libc's printf and qsort and hand-built expectations,
 * never the code under test.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
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
#include "json.h"

#define HEAD "# bootstamps 1\n# kernel=6.1.0\n"

static int parse(const char *text, struct bst_capture *cap,
		 struct bst_error *err)
{
	char *copy = strdup(text);
	int rc;

	assert_non_null(copy);
	bst_quiet_warnings = 1;
	rc = bst_parse_text("cap.txt", copy, cap, err);
	bst_quiet_warnings = 0;
	if (rc)
		free(copy);
	return rc;
}

/* What w wrote, as a string the caller frees. */
static char *written(void (*put)(struct bst_writer *w, const void *arg),
		     const void *arg)
{
	struct bst_writer *w = malloc(sizeof(*w));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(w);
	assert_non_null(f);
	bst_writer_init(w, f);
	put(w, arg);
	bst_writer_flush(w);
	fclose(f);
	free(w);
	return buf;
}

/* Values where rounding is decided: ties, near-ties, powers of ten. */
static void test_fixed_matches_printf(void **state)
{
	static const double edge[] = {
		0.001, 0.0015, 0.0025, 0.05, 0.125, 0.25, 0.35, 0.45, 0.5,
		0.55, 1.0, 1.005, 1.5, 2.5, 9.9995, 9.95, 99.95, 330.05,
		1234.5678, 1569.95, 999999.9995, 1e11, 999999999999.0,
		/* Outside the fast path's range: printf's own answer. */
		0.0, 0.0004, 1e12, 1e15, -1.25, -0.0,
	};
	unsigned long seed = 12345;
	char want[64], got[64];
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		for (d = 0; d <= 3; d++) {
			snprintf(want, sizeof(want), "%.*f", d, edge[i]);
			bst_format_fixed(got, sizeof(got), edge[i], d);
			if (strcmp(want, got))
				fail_msg("%.17g with %d decimals: printf %s, got %s",
					 edge[i], d, want, got);
		}
	/* Coordinates, times in s and ms, exact ties in eighths. */
	for (i = 0; i < 200000; i++) {
		double x;

		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		switch (i % 4) {
		case 0: x = 330 + (double)(seed >> 40) / (1 << 24) * 1240; break;
		case 1: x = (double)(seed >> 30) / 1e9; break;
		case 2: x = (double)(seed >> 34) / 1e6; break;
		default: x = (double)(seed >> 44) / 8.0; break;
		}
		d = (int)(i / 4 % 4);
		snprintf(want, sizeof(want), "%.*f", d, x);
		bst_format_fixed(got, sizeof(got), x, d);
		if (strcmp(want, got))
			fail_msg("%.17g with %d decimals: printf %s, got %s",
				 x, d, want, got);
	}
}

static void put_formats(struct bst_writer *w, const void *arg)
{
	(void)arg;
	bst_put_fmt(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s>",
		    330.05, 116.0, 0.25, -12, "#d62728", "");
	bst_put_fmt(w, "%zux %u%% %s|%.0f|%.3f", (size_t)6, 42u, "abc",
		    2.5, 9.9995);
	/* Not one bst_put_fmt formats itself: vsnprintf's. */
	bst_put_fmt(w, "|%gs|%5d|%x", 1.5, 7, 255u);
}

static void test_put_fmt_matches_printf(void **state)
{
	char want[512];
	char *got;

	(void)state;
	snprintf(want, sizeof(want),
		 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s>"
		 "%zux %u%% %s|%.0f|%.3f|%gs|%5d|%x",
		 330.05, 116.0, 0.25, -12, "#d62728", "", (size_t)6, 42u,
		 "abc", 2.5, 9.9995, 1.5, 7, 255u);
	got = written(put_formats, NULL);
	assert_string_equal(got, want);
	free(got);
}

static void put_every_byte(struct bst_writer *w, const void *arg)
{
	bst_put_json_str(w, arg);
}

/* Every byte 1..255, in a string longer than the writer's buffer. */
static void test_json_escapes_every_byte(void **state)
{
	size_t n = 3 * 65536, i, len = 0;
	char *s = malloc(n + 1), *want = malloc(6 * n + 3), *got, *file = NULL;
	size_t file_len = 0;
	FILE *f;

	(void)state;
	assert_non_null(s);
	assert_non_null(want);
	for (i = 0; i < n; i++)
		s[i] = (char)(i % 255 + 1);
	s[n] = '\0';
	want[len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			len += (size_t)sprintf(want + len, "\\%c", c);
		else if (c < 0x20)
			len += (size_t)sprintf(want + len, "\\u%04x", c);
		else
			want[len++] = (char)c;
	}
	want[len++] = '"';
	want[len] = '\0';

	got = written(put_every_byte, s);
	assert_true(strcmp(got, want) == 0);
	free(got);

	f = open_memstream(&file, &file_len);
	assert_non_null(f);
	bst_json_str(f, s);
	bst_json_str(f, NULL);
	fclose(f);
	assert_int_equal(file_len, len + 2);
	assert_true(memcmp(file, want, len) == 0);
	assert_string_equal(file + len, "\"\"");
	free(file);
	free(s);
	free(want);
}

/* Dense runs, gaps, before the first, past the last. */
static void test_find_seq_across_gaps(void **state)
{
	static const unsigned long seqs[] = { 2, 3, 5, 6, 7, 9, 10, 40, 41, 42, 1000 };
	const size_t n = sizeof(seqs) / sizeof(seqs[0]);
	struct bst_capture cap;
	struct bst_error err;
	char text[4096];
	size_t len, i;
	unsigned long s;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), HEAD);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%lu 1.%09lu mark m%lu\n", seqs[i], seqs[i], seqs[i]);
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(cap.nev, n);
	for (s = 0; s <= 1001; s++) {
		const struct bst_event *want = NULL;

		for (i = 0; i < n; i++)
			if (seqs[i] == s)
				want = &cap.ev[i];
		assert_ptr_equal(bst_find_seq(&cap, s), want);
	}
	bst_capture_free(&cap);
}

/*
 * Keys that share their first two, three or four characters, a one
 * character key, and the fields in the line's order through bst_event_kv.
 */
static void test_keys_sharing_prefixes(void **state)
{
	static const char *const keys[] = {
		"src", "srcversion", "start", "s", "st", "dur_ns", "driver",
		"d", "rc", "ret", "r",
	};
	const size_t n = sizeof(keys) / sizeof(keys[0]);
	struct bst_capture cap;
	struct bst_error err;
	char text[1024], val[32];
	size_t len, i;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), HEAD "1 1.000000000 mark x");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, " %s=v%zu",
					keys[i], i);
	snprintf(text + len, sizeof(text) - len, "\n");
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(cap.ev[0].nkv, n);
	for (i = 0; i < n; i++) {
		struct bst_kv kv = bst_event_kv(&cap.ev[0], i);

		snprintf(val, sizeof(val), "v%zu", i);
		assert_string_equal(kv.key, keys[i]);
		assert_string_equal(kv.val, val);
		assert_string_equal(bst_event_get(&cap.ev[0], keys[i]), val);
	}
	assert_null(bst_event_get(&cap.ev[0], "sr"));
	assert_null(bst_event_get(&cap.ev[0], "srcv"));
	assert_null(bst_event_get(&cap.ev[0], "drivers"));
	assert_null(bst_event_get(&cap.ev[0], ""));
	bst_capture_free(&cap);
}

/* A duplicate among 70 keys: before, at and past the 64 hashed ones. */
static void test_duplicate_among_many_keys(void **state)
{
	static const size_t dup_at[][2] = { { 0, 1 }, { 2, 63 }, { 10, 64 },
					    { 65, 69 }, { 3, 4 } };
	size_t c, i, len;
	char text[8192];

	(void)state;
	for (c = 0; c <= sizeof(dup_at) / sizeof(dup_at[0]); c++) {
		struct bst_capture cap;
		struct bst_error err;
		int rc;

		len = (size_t)snprintf(text, sizeof(text), HEAD "1 1.000000000 mark x");
		for (i = 0; i < 70; i++) {
			size_t k = i;

			if (c < sizeof(dup_at) / sizeof(dup_at[0]) && i == dup_at[c][1])
				k = dup_at[c][0];
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						" key%zu=1", k);
		}
		snprintf(text + len, sizeof(text) - len, "\n");
		rc = parse(text, &cap, &err);
		if (c == sizeof(dup_at) / sizeof(dup_at[0])) {
			/* No duplicate: accepted. */
			assert_int_equal(rc, 0);
			assert_int_equal(cap.ev[0].nkv, 70);
			bst_capture_free(&cap);
			continue;
		}
		assert_int_equal(rc, -1);
		snprintf(text, sizeof(text), "key key%zu= appears twice (fields %zu and %zu)",
			 dup_at[c][0], dup_at[c][0] + 5, dup_at[c][1] + 5);
		if (!strstr(err.msg, text))
			fail_msg("error \"%s\" lacks \"%s\"", err.msg, text);
	}
}

/* 64-bit bounds: the largest values pass, one more is refused. */
static void test_number_bounds(void **state)
{
	struct bst_capture cap;
	struct bst_error err;
	int64_t v;

	(void)state;
	assert_int_equal(parse(HEAD "4294967295 18446744072.999999999 mark x"
			       " a=9223372036854775807 b=-9223372036854775807"
			       " c=9223372036854775808 d=18446744073709551615"
			       " e=18446744073709551616 f=00000000000000000000000000042\n",
			       &cap, &err), 0);
	assert_true(cap.ev[0].seq == 4294967295ul);
	assert_true(cap.ev[0].t_ns == 18446744072999999999ull);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "a", &v), 1);
	assert_true(v == INT64_MAX);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "b", &v), 1);
	assert_true(v == -INT64_MAX);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "c", &v), -1);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "d", &v), -1);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "e", &v), -1);
	assert_int_equal(bst_event_get_i64(&cap.ev[0], "f", &v), 1);
	assert_true(v == 42);
	bst_capture_free(&cap);

	assert_int_equal(parse(HEAD "4294967296 1.000000000 mark x\n", &cap, &err), -1);
	assert_non_null(strstr(err.msg, "cap.txt:3: sequence number \"4294967296\""));
	assert_int_equal(parse(HEAD "1 18446744073.709551616 mark x\n", &cap, &err), -1);
	assert_non_null(strstr(err.msg, "cap.txt:3: time"));
	assert_int_equal(parse(HEAD "184467440737095516160 1.000000000 mark x\n", &cap, &err), -1);
	assert_non_null(strstr(err.msg, "is not a positive integer"));
}

/*
 * A JSON string put when the writer's buffer is nearly full: the direct
 * copy stops at the buffer's end and the rest goes out after a flush.
 */
static void test_json_str_at_buffer_end(void **state)
{
	static const char plain[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	static const char quoted[] = "ab\"c\\d";
	const size_t room = sizeof(((struct bst_writer *)0)->buf);
	size_t fill;

	(void)state;
	for (fill = room - 45; fill <= room; fill++) {
		struct bst_writer *w = malloc(sizeof(*w));
		char *buf = NULL, *want = malloc(fill + 128);
		size_t len = 0, wl = fill;
		FILE *f = open_memstream(&buf, &len);
		size_t i;

		assert_non_null(w);
		assert_non_null(want);
		assert_non_null(f);
		bst_writer_init(w, f);
		for (i = 0; i < fill; i++)
			bst_put_char(w, 'x');
		memset(want, 'x', fill);
		bst_put_json_str(w, plain);
		wl += (size_t)sprintf(want + wl, "\"%s\"", plain);
		bst_put_json_str(w, quoted);
		memcpy(want + wl, "\"ab\\\"c\\\\d\"", 11);
		wl += 10;
		want[wl] = '\0';
		bst_writer_flush(w);
		fclose(f);
		assert_int_equal(len, wl);
		assert_true(memcmp(buf, want, wl) == 0);
		free(buf);
		free(want);
		free(w);
	}
}

/*
 * Every type the reader knows gets its own number, and names near them
 * (one character off, longer, shorter, sharing the first character and
 * the length) are none of them.
 */
static void test_type_ids(void **state)
{
	static const struct { const char *name; enum bst_type_id id; } known[] = {
		{ "probe.start", BST_T_PROBE_START }, { "probe.end", BST_T_PROBE_END },
		{ "module.coming", BST_T_MODULE_COMING }, { "module.live", BST_T_MODULE_LIVE },
		{ "module.going", BST_T_MODULE_GOING }, { "disk.add", BST_T_DISK_ADD },
		{ "disk.first_io", BST_T_DISK_FIRST_IO },
		{ "disk.partitions", BST_T_DISK_PARTITIONS },
		{ "net.register", BST_T_NET_REGISTER }, { "net.up", BST_T_NET_UP },
		{ "net.carrier", BST_T_NET_CARRIER }, { "net.ipv4", BST_T_NET_IPV4 },
		{ "net.ipv6", BST_T_NET_IPV6 }, { "exec", BST_T_EXEC },
		{ "exit", BST_T_EXIT }, { "init.exec", BST_T_INIT_EXEC },
		{ "root.mount", BST_T_ROOT_MOUNT }, { "mark", BST_T_MARK },
		{ "fn.start", BST_T_FN_START }, { "fn.end", BST_T_FN_END },
		{ "unit.start", BST_T_UNIT_START }, { "unit.end", BST_T_UNIT_END },
	};
	static const char *const other[] = {
		"", "probe.star", "probe.startx", "probe.ent", "net.ipv5", "net.ipv",
		"exe", "execs", "exim", "mark.", "marx", "fn.en", "init.exe",
		"kernel.start", "nvme.probe", "unit.ends", "disk.added",
	};
	size_t i, j;

	(void)state;
	assert_int_equal(sizeof(known) / sizeof(known[0]), BST_T_KNOWN - 1);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(bst_type_id_of(known[i].name), known[i].id);
		for (j = 0; j < i; j++)
			assert_int_not_equal(known[i].id, known[j].id);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(bst_type_id_of(other[i]), BST_T_OTHER);
}

static int ref_by_time(const void *a, const void *b)
{
	const struct bst_event *x = *(const struct bst_event *const *)a;
	const struct bst_event *y = *(const struct bst_event *const *)b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/*
 * bst_time_order sorts only the events out of place and merges: on
 * captures in order, reversed, nearly in order, in no order, with an
 * early event far in the future, and with many equal times, it gives
 * what one full sort by (time, seq) gives.
 */
static void test_time_order_matches_full_sort(void **state)
{
	const size_t n = 3000;
	char *text = malloc(n * 64 + 64);
	unsigned shape;

	(void)state;
	assert_non_null(text);
	for (shape = 0; shape < 6; shape++) {
		const struct bst_event **got, **want;
		struct bst_capture cap;
		struct bst_error err;
		uint32_t rnd = 12345 + shape;
		size_t len, i;

		len = (size_t)sprintf(text, HEAD);
		for (i = 0; i < n; i++) {
			uint64_t t;

			rnd = rnd * 1103515245u + 12345u;
			switch (shape) {
			case 0: t = i * 1000; break;
			case 1: t = (n - i) * 1000; break;
			case 2: t = i % 97 ? i * 1000 : (rnd >> 8) % (n * 1000); break;
			case 3: t = (rnd >> 8) % (n * 1000); break;
			case 4: t = i == 0 ? (uint64_t)n * 5000 : i * 1000; break;
			default: t = ((rnd >> 8) % 7) * 1000000; break;
			}
			len += (size_t)sprintf(text + len, "%zu %" PRIu64 ".%09" PRIu64 " mark m%zu\n",
					       i + 1, t / 1000000000u, t % 1000000000u, i);
		}
		assert_int_equal(parse(text, &cap, &err), 0);
		got = bst_time_order(&cap);
		want = calloc(n, sizeof(*want));
		assert_non_null(got);
		assert_non_null(want);
		for (i = 0; i < n; i++)
			want[i] = &cap.ev[i];
		qsort(want, n, sizeof(*want), ref_by_time);
		for (i = 0; i < n; i++)
			assert_ptr_equal(got[i], want[i]);
		free(got);
		free(want);
		bst_capture_free(&cap);
	}
	free(text);
}

/*
 * Blame's names ranked by their first 16 bytes, then the rest: devices
 * that differ only past 16 bytes, or at the 16th by a digit, a capital or
 * a '~', still give the row the device strcmp puts first, and each
 * distinct device is counted once.
 */
static void test_blame_names_in_strcmp_order(void **state)
{
	static const char *const devices[] = {
		"0000:00:00.00000b", "0000:00:00.0000Zx", "0000:00:00.00000ab",
		"0000:00:00.00000a", "0000:00:00.0000~x", "0000:00:00.00000a",
		"0000:00:00.00000aa",
	};
	const size_t n = sizeof(devices) / sizeof(devices[0]);
	struct bst_capture cap;
	struct bst_model model;
	struct bst_blame blame;
	struct bst_error err;
	char text[4096];
	const char *first = devices[0];
	size_t len, i, j, distinct = 0;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), HEAD);
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%zu 1.%09zu probe.end %s driver=drv rc=0 dur_ns=1000 start=0 pid=1\n",
					i + 1, i + 1, devices[i]);
		if (strcmp(devices[i], first) < 0)
			first = devices[i];
		for (j = 0; j < i && strcmp(devices[j], devices[i]); j++)
			;
		distinct += j == i;
	}
	assert_int_equal(parse(text, &cap, &err), 0);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_blame_build(&cap, &model, &blame), 0);
	assert_int_equal(blame.nrows, 1);
	assert_string_equal(blame.rows[0].driver, "drv");
	assert_string_equal(blame.rows[0].device, first);
	assert_int_equal(blame.rows[0].devices, distinct);
	assert_int_equal(blame.rows[0].attempts, n);
	bst_blame_free(&blame);
	bst_model_free(&model);
	bst_capture_free(&cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_matches_printf),
		cmocka_unit_test(test_put_fmt_matches_printf),
		cmocka_unit_test(test_json_escapes_every_byte),
		cmocka_unit_test(test_find_seq_across_gaps),
		cmocka_unit_test(test_keys_sharing_prefixes),
		cmocka_unit_test(test_duplicate_among_many_keys),
		cmocka_unit_test(test_number_bounds),
		cmocka_unit_test(test_json_str_at_buffer_end),
		cmocka_unit_test(test_type_ids),
		cmocka_unit_test(test_time_order_matches_full_sort),
		cmocka_unit_test(test_blame_names_in_strcmp_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
