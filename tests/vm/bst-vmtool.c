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
 *   bst-vmtool writers FILE N M  N threads, released together, each
 *                                write M markers "w<thread>.<i>"; print
 *                                "ok=A ENOSPC=B other=C"
 *   bst-vmtool readcheck FILE    read FILE whole, then in pieces of many
 *                                sizes and at every offset (pread and
 *                                lseek+read); print "ok ..." or the first
 *                                difference. Only the header's
 *                                local_offset_ns value, measured at each
 *                                read, may differ.
 *   bst-sleep MS STATUS          (as a link named bst-sleep) sleep MS ms,
 *                                then exit with STATUS: a program that
 *                                really execs, for the track= tests
 * Exit status: 0 when the call succeeded, 1 when it failed, 2 on misuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
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

/* ------------------------------------------------------------ writers */
struct writer {
	pthread_t thread;
	const char *file;
	int id;
	int count;
	int ok, nospc, other;
};

static pthread_barrier_t writers_go;

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	char text[32];
	int fd = open(w->file, O_WRONLY);
	int i;

	pthread_barrier_wait(&writers_go);
	for (i = 0; i < w->count; i++) {
		int len = snprintf(text, sizeof(text), "w%d.%d\n", w->id, i);

		if (fd >= 0 && write(fd, text, len) == len)
			w->ok++;
		else if (fd >= 0 && errno == ENOSPC)
			w->nospc++;
		else
			w->other++;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int writers(const char *file, int n, int m)
{
	struct writer *w = calloc(n, sizeof(*w));
	pthread_attr_t attr;
	int ok = 0, nospc = 0, other = 0, i;

	if (!w || n < 1 || m < 1)
		return 2;
	pthread_barrier_init(&writers_go, NULL, n);
	pthread_attr_init(&attr);
	/* Small stacks: a thousand threads fit in the VM's memory. */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		w[i] = (struct writer){ .file = file, .id = i, .count = m };
		if (pthread_create(&w[i].thread, &attr, writer_run, &w[i])) {
			fprintf(stderr, "bst-vmtool: thread %d: %s\n", i, strerror(errno));
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		ok += w[i].ok;
		nospc += w[i].nospc;
		other += w[i].other;
	}
	printf("ok=%d ENOSPC=%d other=%d\n", ok, nospc, other);
	return 0;
}

/* ---------------------------------------------------------- readcheck */
#define READ_MAX (4 << 20)

/* Read fd from its current offset to EOF, chunk bytes per read(2). */
static long read_chunks(int fd, char *buf, size_t chunk)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, chunk < READ_MAX - len ? chunk : READ_MAX - len);

		if (n < 0)
			return -1;
		if (n == 0)
			return (long)len;
		len += n;
		if (len == READ_MAX)
			return -1;
	}
}

static long read_file(const char *file, char *buf, size_t chunk)
{
	int fd = open(file, O_RDONLY);
	long len;

	if (fd < 0)
		return -1;
	len = read_chunks(fd, buf, chunk);
	close(fd);
	return len;
}

/* The bytes of the header's local_offset_ns value, re-measured by every read. */
static size_t mask_from, mask_to;

static int differs(const char *ref, const char *got, size_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t at = off + i;

		if (at >= mask_from && at < mask_to)
			continue;
		if (ref[at] != got[i])
			return 1;
	}
	return 0;
}

static int readcheck(const char *file)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 7, 13, 64, 100, 511, 4095, 4096, 4097, 65536 };
	const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	char *ref = malloc(READ_MAX), *got = malloc(READ_MAX);
	long len, again;
	const char *m;
	size_t s, k;
	int fd;

	if (!ref || !got)
		return 2;
	/* The reference: two whole reads of the same length. */
	len = read_file(file, ref, 65536);
	again = read_file(file, got, 65536);
	if (len <= 0 || again != len) {
		printf("whole reads differ in length: %ld, then %ld\n", len, again);
		return 1;
	}
	m = memmem(ref, len, "local_offset_ns=", 16);
	if (m) {
		mask_from = m - ref + 16;
		for (mask_to = mask_from; mask_to < (size_t)len && ref[mask_to] != ' ' && ref[mask_to] != '\n'; mask_to++)
			;
	}
	if (differs(ref, got, 0, len)) {
		printf("two whole reads differ\n");
		return 1;
	}
	for (s = 0; s < nsizes; s++) {
		long n = read_file(file, got, sizes[s]);

		if (n != len || differs(ref, got, 0, len)) {
			printf("reads of %zu bytes: %ld bytes, want %ld, or different bytes\n", sizes[s], n, len);
			return 1;
		}
	}
	fd = open(file, O_RDONLY);
	if (fd < 0)
		return 2;
	for (k = 0; k <= (size_t)len + 1; k++) {
		size_t want = sizes[k % nsizes];
		ssize_t n;

		if (k % 2) {
			n = pread(fd, got, want, k);
		} else {
			if (lseek(fd, k, SEEK_SET) != (off_t)k) {
				printf("lseek to %zu failed: %s\n", k, strerror(errno));
				return 1;
			}
			n = read(fd, got, want);
		}
		if (k >= (size_t)len) {
			if (n != 0) {
				printf("read at %zu, past the end (%ld): got %zd bytes\n", k, len, n);
				return 1;
			}
			continue;
		}
		if (n <= 0 || (size_t)n > want || k + n > (size_t)len || differs(ref, got, k, n)) {
			printf("%s of %zu bytes at offset %zu: got %zd bytes%s\n", k % 2 ? "pread" : "lseek+read",
			       want, k, n, n > 0 ? ", different from the whole read" : "");
			return 1;
		}
	}
	close(fd);
	printf("ok %ld bytes, %zu read sizes, every offset\n", len, nsizes);
	return 0;
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
	if (argc == 5 && !strcmp(argv[1], "writers"))
		return writers(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "readcheck"))
		return readcheck(argv[2]);
	fprintf(stderr, "usage: bst-vmtool [--uid N] write FILE TEXT | exec CMD... | now | writers FILE N M | readcheck FILE\n");
	return 2;
}
