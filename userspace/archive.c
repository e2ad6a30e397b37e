// SPDX-License-Identifier: GPL-2.0
/*
 * `bootstamps save`: archive this boot's capture with what identifies the
 * boot and the machine, one file per boot, never torn, and optionally keep
 * only the newest N. And `bootstamps mark`: write a marker.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "capture.h"
#include "input.h"
#include "outfile.h"
#include "units.h"

/* The first line of a small file, without its newline; "" if unreadable. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* A value as the format writes it: bytes outside 0x21..0x7e as \xHH. */
void bst_fput_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > 0x20 && c < 0x7f && c != '\\')
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
}

static void meta(FILE *out, const char *key, const char *val)
{
	fprintf(out, " %s=", key);
	bst_fput_escaped(out, val);
}

/* KEY="value" from os-release. */
static void os_release(const char *key, char *buf, size_t size)
{
	FILE *f = fopen("/etc/os-release", "r");
	char line[512];
	size_t klen = strlen(key);

	buf[0] = '\0';
	if (!f)
		f = fopen("/usr/lib/os-release", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		v = line + klen + 1;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		snprintf(buf, size, "%s", v);
		break;
	}
	fclose(f);
}

/*
 * The "# saved ..." header line: the boot's identity and the machine as it
 * shows itself (on EC2: DMI product name = instance type, sys_vendor,
 * /sys/hypervisor/type = xen on Xen instances). Nothing is fetched.
 */
struct meta_source {
	const char *key, *source;
};

/* From os-release (KEY=value), then one-line files. */
static const struct meta_source from_os[] = {
	{ "os_id", "ID" }, { "os_version", "VERSION_ID" }, { "os", "PRETTY_NAME" },
};
static const struct meta_source from_files[] = {
	{ "cmdline", "/proc/cmdline" },
	{ "product_name", "/sys/class/dmi/id/product_name" },
	{ "sys_vendor", "/sys/class/dmi/id/sys_vendor" },
	{ "hypervisor", "/sys/hypervisor/type" },
};

static void write_meta(FILE *out, const char *boot_id)
{
	char buf[4096];
	struct utsname u;
	size_t i;

	fputs("# saved", out);
	meta(out, "boot_id", boot_id);
	snprintf(buf, sizeof(buf), "%lld", (long long)time(NULL));
	meta(out, "saved_at", buf);
	meta(out, "saved_by", "bootstamps-" BST_VERSION);
	if (!uname(&u)) {
		meta(out, "hostname", u.nodename);
		meta(out, "machine", u.machine);
	}
	for (i = 0; i < sizeof(from_os) / sizeof(from_os[0]); i++) {
		os_release(from_os[i].source, buf, sizeof(buf));
		meta(out, from_os[i].key, buf);
	}
	for (i = 0; i < sizeof(from_files) / sizeof(from_files[0]); i++) {
		read_line(from_files[i].source, buf, sizeof(buf));
		meta(out, from_files[i].key, buf);
	}
	fputc('\n', out);
}

static int mkdir_p(const char *dir)
{
	char path[4096];
	char *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

struct bst_archived {
	char *name;
	struct timespec mtime;
};

/* Newest first; equal times by name, so the order is the same every run. */
static int newest_first(const void *a, const void *b)
{
	const struct bst_archived *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(y->name, x->name);
}

static int is_capture_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".bst");
}

/*
 * Keep the `keep` newest captures (by modification time) in DIR and delete
 * the older ones; `protect` (this boot's file) is never deleted. Only
 * regular files named *.bst are considered: temporaries (dot files) and
 * anything else an operator keeps there are left alone.
 */
static int prune(const char *dir, size_t keep, const char *protect, int quiet)
{
	struct bst_archived *all = NULL, *grown;
	size_t n = 0, cap = 0, i, kept = 0;
	char path[4096];
	struct dirent *de;
	struct stat st;
	int rc = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "bootstamps save: cannot list %s: %s\n", dir,
			strerror(errno));
		return 2;
	}
	while ((de = readdir(d))) {
		if (!is_capture_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		/* Operator notes named *.bst are not boots: never counted, never removed. */
		if (bst_looks_like_capture(path) != 1)
			continue;
		/* This boot's capture counts first, whatever its time says. */
		if (protect && !strcmp(de->d_name, protect)) {
			kept++;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				rc = 2;
				break;
			}
			all = grown;
		}
		all[n].name = strdup(de->d_name);
		if (!all[n].name) {
			rc = 2;
			break;
		}
		all[n++].mtime = st.st_mtim;
	}
	closedir(d);
	if (rc) {
		fprintf(stderr, "bootstamps save: out of memory listing %s\n", dir);
		goto out;
	}
	qsort(all, n, sizeof(*all), newest_first);
	for (i = 0; i < n; i++) {
		if (kept < keep) {
			kept++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, all[i].name);
		if (unlink(path)) {
			fprintf(stderr, "bootstamps save: cannot remove %s: %s\n",
				path, strerror(errno));
			rc = 2;
		} else if (!quiet) {
			printf("removed %s (keeping the %zu newest)\n", path, keep);
		}
	}
out:
	for (i = 0; i < n; i++)
		free(all[i].name);
	free(all);
	return rc;
}

int bst_looks_like_capture(const char *path)
{
	static const char magic[] = "# bootstamps ";
	char head[sizeof(magic) - 1];
	size_t got = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO swapped in for a file must not hang us. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < sizeof(head)) {
		n = read(fd, head + got, sizeof(head) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == sizeof(head) && !memcmp(head, magic, sizeof(head));
}

/* Whether a line is an event save imported (unit.*): replaced, not kept. */
static int is_imported_event(const char *p, size_t n)
{
	const char *end = p + n;
	int field;

	if (*p == '#')
		return 0;
	for (field = 0; field < 2; field++) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return 0;
		p++;
	}
	return end - p > 5 && !strncmp(p, "unit.", 5);
}

/* Header lines save writes: the new ones replace them. */
static int is_saved_header(const char *p)
{
	return !strncmp(p, "# saved ", 8) || !strncmp(p, "# units ", 8) ||
	       !strncmp(p, "# firmware ", 11);
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* A regular file of at most max bytes, whole, NUL-terminated. */
static int read_bounded(const char *path, size_t max, char **out, size_t *len,
			struct bst_error *err)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	size_t got = 0;
	struct stat st;
	char *buf;
	ssize_t n;

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > max) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
			 fd < 0 ? strerror(errno) :
			 !S_ISREG(st.st_mode) ? "not a regular file" :
			 "larger than 16 MiB");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (!buf) {
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
		return -1;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/*
 * systemd's units as `systemctl show` prints them: from a file when asked
 * (-1 if it cannot be read: what was asked for is not done), else from
 * systemctl when PID 1 is systemd. *text NULL: nothing to import (no
 * systemd; or it failed, said on stderr: the save goes on without).
 */
static int units_text(const struct bst_save_opts *o, char **text, size_t *len,
		      const char **source, int64_t *fetch_ms)
{
	const char *systemctl = o->systemctl;
	struct bst_error err;
	struct timespec t0, t1;

	*text = NULL;
	*fetch_ms = -1;
	*len = 0;
	if (o->no_units)
		return 0;
	if (o->units_from) {
		*source = "file";
		if (read_bounded(o->units_from, BST_UNITS_OUTPUT_MAX, text, len, &err)) {
			fprintf(stderr, "bootstamps save: --units-from %s\n", err.msg);
			return -1;
		}
		return 0;
	}
	if (!is_dir(o->systemd_run ? o->systemd_run : BST_SYSTEMD_RUN))
		return 0;	/* PID 1 is not systemd */
	if (!systemctl)
		systemctl = access(BST_SYSTEMCTL, X_OK) ? "/bin/systemctl" : BST_SYSTEMCTL;
	if (access(systemctl, X_OK))
		return 0;
	*source = "systemctl";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (bst_units_run_systemctl(systemctl, BST_UNITS_OUTPUT_MAX,
				    o->units_timeout_ms ? o->units_timeout_ms :
				    BST_UNITS_TIMEOUT_MS, text, len, &err))
		fprintf(stderr, "bootstamps save: units not imported: %s\n", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*fetch_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return 0;
}

/* The largest seq of the capture's own events: imported ones follow it. */
static unsigned long last_seq(const struct bst_capture *cap)
{
	unsigned long max = 0;
	size_t i;

	for (i = 0; i < cap->nev; i++)
		if (strncmp(cap->ev[i].type, "unit.", 5) && cap->ev[i].seq > max)
			max = cap->ev[i].seq;
	return max;
}

/*
 * Archive the capture `from` as DIR/<boot_id>.bst. The file is written
 * to a temporary file beside its final name, synced, then renamed over
 * it: a crash leaves the old file or the new one, never half of one. A
 * DIR/<boot_id>.bst that is not a regular file (a symbolic link, a device,
 * a FIFO) is refused, never written through. Saving twice in one boot
 * replaces the file, so there is one file per boot. With `keep` > 0, only
 * the `keep` newest captures stay in DIR (this boot's always among them).
 * Firmware times and systemd's units are added when the machine has them.
 */
int bst_save_with(const struct bst_save_opts *o)
{
	char boot_id[64], dst[4096];
	struct bst_outfile out;
	struct bst_capture cap;
	struct bst_error err;
	char *raw, *copy, *p, *units = NULL;
	int64_t fetch_ms;
	const char *units_source = "systemctl";
	unsigned long seq;
	size_t len, units_len;
	FILE *f;
	int rc;

	read_line("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (!*boot_id || strchr(boot_id, '/') || boot_id[0] == '.') {
		fprintf(stderr, "bootstamps save: cannot read the boot id from /proc/sys/kernel/random/boot_id\n");
		return 2;
	}
	if (bst_read_all(o->from, &raw, &len, &err)) {
		fprintf(stderr, "bootstamps save: %s\n", err.msg);
		return 2;
	}
	/* Only a capture that parses is archived. */
	copy = strdup(raw);
	if (!copy || bst_parse_text(o->from, copy, &cap, &err)) {
		fprintf(stderr, "bootstamps save: %s\n",
			copy ? err.msg : "out of memory");
		free(copy);
		free(raw);
		return 2;
	}
	seq = last_seq(&cap) + 1;
	bst_capture_free(&cap);		/* frees copy */
	if (mkdir_p(o->dir)) {
		fprintf(stderr, "bootstamps save: cannot create %s: %s\n", o->dir,
			strerror(errno));
		free(raw);
		return 2;
	}
	snprintf(dst, sizeof(dst), "%s/%s.bst", o->dir, boot_id);
	/* Read before the output is open: a slow systemctl holds no temporary. */
	if (units_text(o, &units, &units_len, &units_source, &fetch_ms)) {
		free(raw);
		return 2;
	}
	/* A temporary file by mkstemp() beside dst, renamed over it (outfile.c). */
	if (bst_outfile_open(&out, dst, BST_OUT_REGULAR_ONLY, 0644, &err)) {
		fprintf(stderr, "bootstamps save: %s\n", err.msg);
		free(units);
		free(raw);
		return 2;
	}
	f = out.f;
	/* Line 1, then this boot's metadata, then the rest (minus old metadata). */
	p = strchr(raw, '\n') + 1;
	fwrite(raw, 1, (size_t)(p - raw), f);
	write_meta(f, boot_id);
	bst_firmware_write(f, o->sysfs ? o->sysfs : "/sys");
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (!is_saved_header(p) && !is_imported_event(p, n))
			fwrite(p, 1, n, f);
		p += n;
	}
	free(raw);
	if (units) {
		struct bst_unit_list list;
		int64_t offset;
		int suspended;

		if (bst_units_parse(units, units_len, &list)) {
			fprintf(stderr, "bootstamps save: units not imported: out of memory\n");
		} else {
			list.fetch_ms = fetch_ms;
			/* Read now, as close to systemctl's answer as can be. */
			bst_clock_offset(&offset, &suspended);
			bst_units_write(f, &list, seq, units_source, offset, suspended);
			bst_units_free(&list);
		}
		free(units);
	}
	if (bst_outfile_commit(&out, &err)) {
		fprintf(stderr, "bootstamps save: %s\n", err.msg);
		return 2;
	}
	if (!o->quiet)
		printf("%s\n", dst);
	/* From the archived file: the series show what was saved, units too. */
	rc = o->prom_dir ? bst_prom_to_dir(dst, o->prom_dir) : 0;
	if (o->keep && prune(o->dir, o->keep, strrchr(dst, '/') + 1, o->quiet))
		rc = 2;
	return rc;
}

int bst_save(const char *from, const char *dir, size_t keep, int quiet)
{
	struct bst_save_opts o = { .from = from, .dir = dir, .keep = keep,
				   .quiet = quiet };

	return bst_save_with(&o);
}

int bst_mark(const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	ssize_t n;
	int fd;

	if (!line)
		return 2;
	memcpy(line, text, len);
	line[len] = '\n';
	fd = open(BST_PROC_PATH, O_WRONLY);
	if (fd < 0) {
		int e = errno;

		free(line);
		if (e == ENOENT)
			fprintf(stderr, "bootstamps mark: %s does not exist: is the module loaded? (modprobe bootstamps)\n",
				BST_PROC_PATH);
		else if (e == EACCES || e == EPERM)
			fprintf(stderr, "bootstamps mark: only root may write markers\n");
		else
			fprintf(stderr, "bootstamps mark: %s: %s\n", BST_PROC_PATH,
				strerror(e));
		return 2;
	}
	n = write(fd, line, len + 1);
	free(line);
	if (n < 0) {
		int e = errno;

		close(fd);
		if (e == EINVAL)
			fprintf(stderr, "bootstamps mark: a marker is 1 to 128 printable ASCII characters on one line\n");
		else if (e == EPERM)
			fprintf(stderr, "bootstamps mark: only root in the initial user namespace may write markers\n");
		else if (e == ENOSPC)
			fprintf(stderr, "bootstamps mark: the marker quota (mark_quota) or the store is full\n");
		else
			fprintf(stderr, "bootstamps mark: %s\n", strerror(e));
		return 2;
	}
	close(fd);
	return 0;
}
