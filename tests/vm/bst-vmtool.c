// SPDX-License-Identifier: GPL-2.0
/*
 * Small static helper for the VM tests, where only busybox is available:
 *   bst-vmtool [--uid N] write FILE TEXT
 *                                write TEXT (with \n, \xHH escapes) in one
 *                                write(2), as user N if given; print
 *                                "ok N" or the errno name
 *   bst-vmtool [--uid N] exec CMD...
 *                                run CMD (as user N if given)
 *   bst-vmtool now               print CLOCK_BOOTTIME in ns, an oracle
 *                                independent of the module under test
 *   bst-sleep MS STATUS          (as a link named bst-sleep) sleep MS ms,
 *                                then exit with STATUS: a program that
 *                                really execs, for the track= tests
 * Exit status: 0 when the call succeeded, 1 when it failed, 2 on misuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EFAULT: return "EFAULT";
	default: return "EOTHER";
	}
}

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (in[0] == '\\' && in[1] == 'n') {
			out[n++] = '\n';
			in += 2;
		} else if (in[0] == '\\' && in[1] == 'x' && in[2] && in[3]) {
			char hex[3] = { in[2], in[3], 0 };

			out[n++] = (char)strtoul(hex, NULL, 16);
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/');

	if (!strcmp(self ? self + 1 : argv[0], "bst-sleep") && argc == 3) {
		struct timespec ts = { atoi(argv[1]) / 1000,
				       (atoi(argv[1]) % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return atoi(argv[2]);
	}
	if (argc > 3 && !strcmp(argv[1], "--uid")) {
		uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
			perror("bst-vmtool: dropping privileges");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "exec")) {
		execvp(argv[2], argv + 2);
		perror("bst-vmtool: exec");
		return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "now")) {
		struct timespec ts;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "write")) {
		char *buf = malloc(strlen(argv[3]) + 1);
		size_t len = unescape(argv[3], buf);
		int fd = open(argv[2], O_WRONLY);
		ssize_t n;

		if (fd < 0) {
			printf("%s\n", errno_name(errno));
			return 1;
		}
		n = write(fd, buf, len);
		if (n < 0) {
			printf("%s\n", errno_name(errno));
			return 1;
		}
		printf("ok %zd\n", n);
		return 0;
	}
	fprintf(stderr, "usage: bst-vmtool [--uid N] write FILE TEXT | now\n");
	return 2;
}
