// SPDX-License-Identifier: GPL-2.0
/*
 * Reading captures with bounded memory (parse.c, bst_read_all): a size
 * limit named in the error, and bytes checked as they arrive so that
 * endless or binary input is refused after one chunk.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "input.h"

static char dir[] = "/tmp/bst-input-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void expect_read_error(const char *path, const char *needle)
{
	struct bst_error err;
	size_t len;
	char *buf;

	if (!bst_read_all(path, &buf, &len, &err)) {
		free(buf);
		fail_msg("%s was read (%zu bytes); expected \"%s\"", path, len, needle);
	}
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_parse_size(void **state)
{
	size_t v;

	(void)state;
	assert_int_equal(bst_parse_size("67108864", &v), 0);
	assert_true(v == 67108864);
	assert_int_equal(bst_parse_size("64M", &v), 0);
	assert_true(v == (size_t)64 << 20);
	assert_int_equal(bst_parse_size("2G", &v), 0);
	assert_true(v == (size_t)2 << 30);
	assert_int_equal(bst_parse_size("16k", &v), 0);
	assert_true(v == 16384);
	assert_int_equal(bst_parse_size("0", &v), -1);
	assert_int_equal(bst_parse_size("", &v), -1);
	assert_int_equal(bst_parse_size("M", &v), -1);
	assert_int_equal(bst_parse_size("-1", &v), -1);
	assert_int_equal(bst_parse_size("12T", &v), -1);
	assert_int_equal(bst_parse_size(NULL, &v), -1);
	assert_int_equal(bst_parse_size("99999999999999999999", &v), -1);
}

/* A 2 GB sparse file: refused by its size, before any of it is read. */
static void test_big_file_refused_by_size(void **state)
{
	char p[512];
	int fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/big", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)2 << 30), 0);
	close(fd);
	bst_max_input_bytes = BST_MAX_INPUT_DEFAULT;
	expect_read_error(p, "larger than the input limit of 64 MiB (67108864 bytes)");
	expect_read_error(p, "--max-size");
	/* With the limit raised, its first chunk shows it is no capture. */
	bst_max_input_bytes = (size_t)4 << 30;
	expect_read_error(p, "big:1: not a bootstamps capture");
	bst_max_input_bytes = BST_MAX_INPUT_DEFAULT;
}

static void test_limit_is_exact(void **state)
{
	static const char text[] = "# bootstamps 1\n1 1.000000000 mark x\n";
	struct bst_error err;
	char p[512], *buf;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/small", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	bst_max_input_bytes = sizeof(text) - 1;
	assert_int_equal(bst_read_all(p, &buf, &len, &err), 0);
	assert_int_equal(len, sizeof(text) - 1);
	assert_string_equal(buf, text);
	free(buf);
	bst_max_input_bytes = sizeof(text) - 2;
	expect_read_error(p, "larger than the input limit of 35 bytes");
	bst_max_input_bytes = BST_MAX_INPUT_DEFAULT;
}

/*
 * Endless input on standard input: refused when the bytes say it is no
 * capture, or at the limit, without reading the rest. The feeder offers
 * three times the limit; it exits 0 only if the reader stopped taking
 * bytes before it had offered them all (EPIPE).
 */
static void read_stream_in_child(const char *feed, size_t feed_len,
				 const char *needle)
{
	int status, pipefd[2];
	pid_t feeder, reader;

	assert_int_equal(pipe(pipefd), 0);
	feeder = fork();
	assert_true(feeder >= 0);
	if (feeder == 0) {
		size_t total = 0, offer = 3 * BST_MAX_INPUT_DEFAULT;

		signal(SIGPIPE, SIG_IGN);
		close(pipefd[0]);
		if (write(pipefd[1], "# bootstamps 1\n", 15) != 15)
			_exit(2);
		while (total < offer) {
			ssize_t n = write(pipefd[1], feed, feed_len);

			if (n < 0)
				_exit(0);	/* the reader stopped early */
			total += (size_t)n;
		}
		_exit(1);
	}
	close(pipefd[1]);
	reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		struct bst_error err;
		size_t len;
		char *buf;

		dup2(pipefd[0], STDIN_FILENO);
		close(pipefd[0]);
		if (!bst_read_all("-", &buf, &len, &err))
			_exit(4);
		_exit(strstr(err.msg, needle) ? 0 : 5);
	}
	close(pipefd[0]);
	assert_int_equal(waitpid(reader, &status, 0), reader);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(waitpid(feeder, &status, 0), feeder);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_dev_zero_refused_early(void **state)
{
	static const char zeros[65536];
	struct bst_error err;
	size_t len;
	char *buf;

	(void)state;
	assert_int_equal(bst_read_all("/dev/zero", &buf, &len, &err), -1);
	assert_non_null(strstr(err.msg, "/dev/zero:1: not a bootstamps capture"));
	read_stream_in_child(zeros, sizeof(zeros), "-:2: a NUL byte at column 1");
}

static void test_endless_text_stops_at_limit(void **state)
{
	(void)state;
	read_stream_in_child("# x\n", 4, "-: larger than the input limit of 64 MiB");
}

static void test_binary_refused_with_its_line(void **state)
{
	(void)state;
	read_stream_in_child("# ok\n\x01\x02", 7, "-:3: byte 0x01 at column 1");
	read_stream_in_child("# ok\nab\0", 8, "-:3: a NUL byte at column 3: binary data");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_big_file_refused_by_size),
		cmocka_unit_test(test_limit_is_exact),
		cmocka_unit_test(test_dev_zero_refused_early),
		cmocka_unit_test(test_endless_text_stops_at_limit),
		cmocka_unit_test(test_binary_refused_with_its_line),
	};

	return cmocka_run_group_tests_name("input_limit", tests, setup, teardown);
}
