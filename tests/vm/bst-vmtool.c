// SPDX-License-Identifier: GPL-2.0
/*
 * Small static helper for the VM tests, where only busybox is available:
 *   bst-vmtool [--uid N] write FILE TEXT
 *                                write TEXT (with \n, \xHH escapes) in one
 *                                write(2), as user N if given; print
 *                                "ok N" or the errno name
 *   bst-vmtool [--uid N] read FILE
 *                                read FILE whole; print "ok BYTES" or the
 *                                errno name
 *   bst-vmtool --drop-cap N ...  first drop capability N (CAP_SYSLOG is
 *                                34) from every set, then go on
 *   bst-vmtool [--uid N] exec CMD...
 *                                run CMD (as user N if given)
 *   bst-vmtool now               print CLOCK_BOOTTIME in ns, an oracle
 *                                independent of the module under test
 *   bst-vmtool writers FILE N M  N threads, released together, each
 *                                write M markers "w<thread>.<i>"; print
 *                                "ok=A ENOSPC=B other=C"
 *   bst-vmtool readcheck FILE    open FILE, read it whole, write a marker,
 *                                then read the same open file again in
 *                                pieces of many sizes and at every offset
 *                                (pread and lseek+read): every byte must
 *                                be the same; a new open must show every
 *                                line and the marker. Print "ok ..." or
 *                                the first difference.
 *   bst-sleep MS STATUS          (as a link or copy of any other name, such
 *                                as bst-sleep) sleep MS ms, then exit with
 *                                STATUS: a program that really execs, for
 *                                the track= tests
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
#include <sys/prctl.h>
#include <sys/syscall.h>
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

static int differs(const char *ref, const char *got, size_t off, size_t n)
{
	return memcmp(ref + off, got, n) != 0;
}

/* Record a marker through a file of its own, as any writer would. */
static int write_marker(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Every event line of ref (a whole read) is also in got, in any order. */
static const char *missing_line(const char *ref, long ref_len, const char *got)
{
	static char line[4096];
	const char *p = ref, *end = ref + ref_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (*p != '#' && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (!strstr(got, line))
				return line;
		}
		p += n;
	}
	return NULL;
}

/* The value of a header field "key=N" in a NUL-terminated file, or -1. */
static long long header_count(const char *text, const char *key)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof(pat), " %s=", key);
	at = strstr(text, pat);
	return at ? atoll(at + strlen(pat)) : -1;
}

static int readcheck(const char *file)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 7, 13, 64, 100, 511, 4095, 4096, 4097, 65536 };
	const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	char *ref = malloc(READ_MAX + 1), *got = malloc(READ_MAX + 1);
	const char *lost;
	int refused = 0;
	long len, n2;
	size_t s, k;
	int fd;

	if (!ref || !got)
		return 2;
	/* One open file is one snapshot: the reference is its first read. */
	fd = open(file, O_RDONLY);
	if (fd < 0)
		return 2;
	len = read_chunks(fd, ref, 65536);
	if (len <= 0) {
		printf("the first read failed: %ld\n", len);
		return 1;
	}
	/*
	 * Events that arrive now belong to later opens, not to this one. In
	 * a full store the marker is refused, and the header counts it.
	 */
	if (write_marker(file, "read:check:late\n")) {
		if (errno != ENOSPC) {
			printf("writing a marker failed: %s\n", strerror(errno));
			return 1;
		}
		refused = 1;
	}
	for (s = 0; s < nsizes; s++) {
		long n;

		if (lseek(fd, 0, SEEK_SET) != 0) {
			printf("lseek to 0 failed: %s\n", strerror(errno));
			return 1;
		}
		n = read_chunks(fd, got, sizes[s]);
		if (n != len || differs(ref, got, 0, len)) {
			printf("rereads of %zu bytes on one open file: %ld bytes, want %ld, or different bytes\n",
			       sizes[s], n, len);
			return 1;
		}
	}
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
			       want, k, n, n > 0 ? ", different from the first read" : "");
			return 1;
		}
	}
	close(fd);
	/* A new open sees every event the old one did, and the late marker. */
	n2 = read_file(file, got, 65536);
	if (n2 <= 0) {
		printf("a second open read %ld bytes\n", n2);
		return 1;
	}
	got[n2] = '\0';
	lost = missing_line(ref, len, got);
	if (lost) {
		printf("a second open lost the line: %s", lost);
		return 1;
	}
	if (!refused && !strstr(got, " mark read:check:late ")) {
		printf("a second open does not show the marker written after the first\n");
		return 1;
	}
	ref[len] = '\0';
	if (refused && header_count(got, "markers_refused") <= header_count(ref, "markers_refused")) {
		printf("the store was full, and a second open does not count the refused marker\n");
		return 1;
	}
	printf("ok %ld bytes, %zu read sizes, every offset, one snapshot per open (late marker %s)\n", len, nsizes,
	       refused ? "refused, counted" : "shown");
	return 0;
}

/*
 * Drop capability cap from this process's effective, permitted and
 * inheritable sets (and its bounding set, so an exec cannot regain it),
 * without libcap: the VM has no capsh.
 */
static int drop_cap(int cap)
{
	struct { unsigned int version; int pid; } hdr = { 0x20080522, 0 };	/* v3 */
	struct { unsigned int eff, perm, inh; } data[2];

	if (cap < 0 || cap > 63 || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].eff &= ~(1u << (cap % 32));
	data[cap / 32].perm &= ~(1u << (cap % 32));
	data[cap / 32].inh &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &hdr, data);
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/');

	if (strcmp(self ? self + 1 : argv[0], "bst-vmtool") && argc == 3) {
		struct timespec ts = { atoi(argv[1]) / 1000,
				       (atoi(argv[1]) % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return atoi(argv[2]);
	}
	if (argc > 3 && !strcmp(argv[1], "--drop-cap")) {
		if (drop_cap(atoi(argv[2]))) {
			perror("bst-vmtool: dropping a capability");
			return 2;
		}
		argc -= 2;
		argv += 2;
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
	if (argc == 3 && !strcmp(argv[1], "read")) {
		char *buf = malloc(READ_MAX);
		int fd = open(argv[2], O_RDONLY);
		long n;

		if (fd < 0 || !buf) {
			printf("%s\n", errno_name(errno));
			return 1;
		}
		n = read_chunks(fd, buf, 65536);
		if (n < 0) {
			printf("%s\n", errno_name(errno));
			return 1;
		}
		printf("ok %ld\n", n);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "writers"))
		return writers(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "readcheck"))
		return readcheck(argv[2]);
	fprintf(stderr, "usage: bst-vmtool [--drop-cap N] [--uid N] write FILE TEXT | read FILE | exec CMD... | now | writers FILE N M | readcheck FILE\n");
	return 2;
}
