// SPDX-License-Identifier: GPL-2.0
/*
 * Output files written as root (outfile.c): what is replaced, what is
 * written through, what is refused, and that nothing planted at or beside
 * the target is followed. Runs as root: it makes device nodes.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "outfile.h"

static char dir[] = "/tmp/bst-outfile-XXXXXX";

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file's text ("" if empty; NULL if unreadable). */
static char *read_file(const char *name)
{
	char p[512], *buf = calloc(1, 4096);
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "r");
	assert_non_null(buf);
	if (!f) {
		free(buf);
		return NULL;
	}
	if (!fread(buf, 1, 4095, f))
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void assert_file_is(const char *name, const char *text)
{
	char *got = read_file(name);

	assert_non_null(got);
	assert_string_equal(got, text);
	free(got);
}

static mode_t lmode(const char *name)
{
	char p[512];
	struct stat st;

	path_of(p, sizeof(p), name);
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode;
}

/* Entries in the directory: a temporary file left behind shows here. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static int write_out(const char *name, enum bst_out_policy policy,
		     const char *text, struct bst_error *err)
{
	struct bst_outfile o;
	char p[512];

	path_of(p, sizeof(p), name);
	if (bst_outfile_open(&o, p, policy, 0644, err))
		return -1;
	fputs(text, o.f);
	return bst_outfile_commit(&o, err);
}

static int setup(void **state)
{
	(void)state;
	umask(022);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void clean(void)
{
	teardown(NULL);
	assert_int_equal(mkdir(dir, 0700), 0);
}

static void test_new_file(void **state)
{
	struct bst_error err;

	(void)state;
	clean();
	assert_int_equal(write_out("out.prom", BST_OUT_ANY, "new\n", &err), 0);
	assert_file_is("out.prom", "new\n");
	assert_int_equal(lmode("out.prom") & 07777, 0644);
	assert_int_equal(entries(), 1);
}

/* rename() over the name: a hard link to another file is not written. */
static void test_regular_file_replaced_not_written(void **state)
{
	struct bst_error err;
	char a[512], b[512];

	(void)state;
	clean();
	write_file("victim", "precious\n");
	path_of(a, sizeof(a), "victim");
	path_of(b, sizeof(b), "out.prom");
	assert_int_equal(link(a, b), 0);
	assert_int_equal(write_out("out.prom", BST_OUT_ANY, "new\n", &err), 0);
	assert_file_is("out.prom", "new\n");
	assert_file_is("victim", "precious\n");
	assert_int_equal(entries(), 2);
}

static void test_symlink_to_file_refused(void **state)
{
	struct bst_error err;
	char a[512], b[512];

	(void)state;
	clean();
	write_file("victim", "precious\n");
	path_of(a, sizeof(a), "victim");
	path_of(b, sizeof(b), "out.prom");
	assert_int_equal(symlink(a, b), 0);
	assert_int_equal(write_out("out.prom", BST_OUT_ANY, "new\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a symbolic link to a regular file"));
	assert_file_is("victim", "precious\n");
	assert_true(S_ISLNK(lmode("out.prom")));
	assert_int_equal(entries(), 2);
	/* save's policy refuses any link. */
	assert_int_equal(write_out("out.prom", BST_OUT_REGULAR_ONLY, "new\n", &err), -1);
	assert_file_is("victim", "precious\n");
}

/* A dangling link must not make us create the file it names. */
static void test_dangling_symlink_refused(void **state)
{
	struct bst_error err;
	char a[512], b[512];

	(void)state;
	clean();
	path_of(a, sizeof(a), "created-through-link");
	path_of(b, sizeof(b), "out.prom");
	assert_int_equal(symlink(a, b), 0);
	assert_int_equal(write_out("out.prom", BST_OUT_ANY, "new\n", &err), -1);
	assert_null(read_file("created-through-link"));
	assert_int_equal(entries(), 1);
}

/* A device node is written through, never replaced by a regular file. */
static void test_char_device_written_through(void **state)
{
	struct bst_error err;
	char p[512];

	(void)state;
	clean();
	path_of(p, sizeof(p), "null-like");
	assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(write_out("null-like", BST_OUT_ANY, "data\n", &err), 0);
	assert_true(S_ISCHR(lmode("null-like")));
	assert_int_equal(entries(), 1);
	/* save's policy refuses it instead. */
	assert_int_equal(write_out("null-like", BST_OUT_REGULAR_ONLY, "data\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a character device"));
	assert_true(S_ISCHR(lmode("null-like")));
}

/* A FIFO, named directly or through a link, is written through. */
static void test_fifo_written_through(void **state)
{
	const char *names[] = { "fifo", "link-to-fifo" };
	struct bst_error err;
	char p[512], l[512];
	size_t i;

	(void)state;
	clean();
	path_of(p, sizeof(p), "fifo");
	path_of(l, sizeof(l), "link-to-fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(symlink(p, l), 0);
	for (i = 0; i < 2; i++) {
		char got[64] = "";
		pid_t child;
		int status, fd;

		/* The reader first: a FIFO nobody reads is refused. */
		fd = open(p, O_RDONLY | O_NONBLOCK);
		assert_true(fd >= 0);
		assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			assert_int_equal(write_out(names[i], BST_OUT_ANY, "through\n", &err), 0);
			_exit(0);
		}
		/* The 8 bytes fit in the pipe: the writer is done before we read. */
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_int_equal(status, 0);
		assert_int_equal(read(fd, got, sizeof(got) - 1), 8);
		close(fd);
		assert_string_equal(got, "through\n");
		assert_true(S_ISFIFO(lmode("fifo")));
		assert_true(S_ISLNK(lmode("link-to-fifo")));
		assert_int_equal(entries(), 2);
	}
}

static void test_directory_and_block_device_refused(void **state)
{
	struct bst_error err;
	char p[512];

	(void)state;
	clean();
	path_of(p, sizeof(p), "sub");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(write_out("sub", BST_OUT_ANY, "x\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a directory"));
	assert_true(S_ISDIR(lmode("sub")));
	path_of(p, sizeof(p), "blk");
	assert_int_equal(mknod(p, S_IFBLK | 0600, makedev(7, 200)), 0);
	assert_int_equal(write_out("blk", BST_OUT_ANY, "x\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a block device"));
	assert_true(S_ISBLK(lmode("blk")));
	assert_int_equal(entries(), 2);
}

/* Giving up leaves the old file and no temporary. */
static void test_abort_keeps_old_file(void **state)
{
	struct bst_outfile o;
	struct bst_error err;
	char p[512];

	(void)state;
	clean();
	write_file("out.prom", "old\n");
	path_of(p, sizeof(p), "out.prom");
	assert_int_equal(bst_outfile_open(&o, p, BST_OUT_ANY, 0644, &err), 0);
	assert_int_equal(entries(), 2);		/* the temporary, beside it */
	fputs("half", o.f);
	bst_outfile_abort(&o);
	assert_file_is("out.prom", "old\n");
	assert_int_equal(entries(), 1);
}

/* The temporary is not at a name anyone could guess and plant. */
static void test_temporary_names_differ(void **state)
{
	struct bst_outfile a, b;
	struct bst_error err;
	char p[512];

	(void)state;
	clean();
	path_of(p, sizeof(p), "out.prom");
	assert_int_equal(bst_outfile_open(&a, p, BST_OUT_ANY, 0644, &err), 0);
	assert_int_equal(bst_outfile_open(&b, p, BST_OUT_ANY, 0644, &err), 0);
	assert_non_null(a.tmp);
	assert_non_null(b.tmp);
	assert_string_not_equal(a.tmp, b.tmp);
	assert_null(strstr(a.tmp, "tmp."));
	bst_outfile_abort(&a);
	bst_outfile_abort(&b);
	assert_int_equal(entries(), 0);
}

/* A failed write names the file it was writing (the name outlives abort). */
static void test_write_error_names_the_file(void **state)
{
	struct bst_outfile o;
	struct bst_error err;
	char p[512], want[600];

	(void)state;
	clean();
	path_of(p, sizeof(p), "full-like");
	assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 7)), 0);
	assert_int_equal(bst_outfile_open(&o, p, BST_OUT_ANY, 0644, &err), 0);
	fputs("data that does not fit\n", o.f);
	assert_int_equal(bst_outfile_commit(&o, &err), -1);
	snprintf(want, sizeof(want), "writing %s: ", p);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "No space left on device"));
}

#define NOBODY 65534

/*
 * Someone else's symbolic link in the directory part is not followed:
 * nobody owns alice/ and makes alice/reports point at root's directory.
 * A link of root's own is followed.
 */
static void test_foreign_symlink_in_directory_refused(void **state)
{
	struct bst_error err;
	char p[512], l[512];

	(void)state;
	clean();
	path_of(p, sizeof(p), "victim");
	assert_int_equal(mkdir(p, 0755), 0);
	write_file("victim/important.conf", "precious\n");
	path_of(p, sizeof(p), "alice");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	path_of(p, sizeof(p), "victim");
	path_of(l, sizeof(l), "alice/reports");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(lchown(l, NOBODY, NOBODY), 0);
	assert_int_equal(write_out("alice/reports/important.conf", BST_OUT_ANY, "new\n", &err), -1);
	assert_non_null(strstr(err.msg, "reports is a symbolic link owned by uid 65534"));
	assert_int_equal(write_out("alice/reports/important.conf", BST_OUT_REGULAR_ONLY, "new\n", &err), -1);
	assert_file_is("victim/important.conf", "precious\n");
	/* Deeper, and through ".." too: still the same link. */
	assert_int_equal(write_out("alice/../alice/reports/./important.conf", BST_OUT_ANY, "new\n", &err), -1);
	assert_file_is("victim/important.conf", "precious\n");
	/* Root's own link (relative, chained) is followed. */
	path_of(l, sizeof(l), "rootlink");
	assert_int_equal(symlink("victim", l), 0);
	path_of(l, sizeof(l), "rootlink2");
	assert_int_equal(symlink("rootlink/", l), 0);
	assert_int_equal(write_out("rootlink2/important.conf", BST_OUT_ANY, "mine\n", &err), 0);
	assert_file_is("victim/important.conf", "mine\n");
	path_of(p, sizeof(p), "victim");
	assert_int_equal(entries(), 4);
	/* A file in the directory part is not a directory. */
	assert_int_equal(write_out("victim/important.conf/x", BST_OUT_ANY, "new\n", &err), -1);
	assert_non_null(strstr(err.msg, "not a directory"));
}

/* Someone else's FIFO (or a link to it) is not written: its reader is theirs. */
static void test_foreign_fifo_refused(void **state)
{
	struct bst_error err;
	char p[512], l[512];
	int fd;

	(void)state;
	clean();
	path_of(p, sizeof(p), "fifo");
	path_of(l, sizeof(l), "link-to-fifo");
	assert_int_equal(mkfifo(p, 0666), 0);
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	assert_int_equal(symlink(p, l), 0);
	/* A reader is there, so only the owner check can refuse. */
	fd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(write_out("fifo", BST_OUT_ANY, "secret\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a FIFO owned by uid 65534"));
	assert_int_equal(write_out("link-to-fifo", BST_OUT_ANY, "secret\n", &err), -1);
	assert_non_null(strstr(err.msg, "is a FIFO owned by uid 65534"));
	close(fd);
}

/* A FIFO nobody reads is an error, not a hang. */
static void test_fifo_without_reader_fails(void **state)
{
	struct bst_error err;
	char p[512];

	(void)state;
	clean();
	path_of(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(10);	/* the old open() blocked here for ever */
	assert_int_equal(write_out("fifo", BST_OUT_ANY, "x\n", &err), -1);
	alarm(0);
	assert_non_null(strstr(err.msg, "nobody is reading"));
}

/* A replaced file keeps its mode and owner, not 0644 and root. */
static void test_replaced_file_keeps_mode_and_owner(void **state)
{
	struct bst_error err;
	struct stat st;
	char p[512];

	(void)state;
	clean();
	write_file("out.prom", "old\n");
	path_of(p, sizeof(p), "out.prom");
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(chown(p, NOBODY, NOBODY), 0);
	assert_int_equal(write_out("out.prom", BST_OUT_ANY, "new\n", &err), 0);
	assert_file_is("out.prom", "new\n");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, NOBODY);
	assert_int_equal(st.st_gid, NOBODY);
	assert_int_equal(entries(), 1);
}

/* Our own standard output, named through /dev and /proc links, is used. */
static void test_own_stdout_by_name(void **state)
{
	const char *names[] = { "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1" };
	struct bst_outfile o;
	struct bst_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(bst_outfile_open(&o, names[i], BST_OUT_ANY, 0644, &err), 0);
		assert_ptr_equal(o.f, stdout);
		bst_outfile_abort(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_regular_file_replaced_not_written),
		cmocka_unit_test(test_symlink_to_file_refused),
		cmocka_unit_test(test_dangling_symlink_refused),
		cmocka_unit_test(test_char_device_written_through),
		cmocka_unit_test(test_fifo_written_through),
		cmocka_unit_test(test_directory_and_block_device_refused),
		cmocka_unit_test(test_abort_keeps_old_file),
		cmocka_unit_test(test_temporary_names_differ),
		cmocka_unit_test(test_write_error_names_the_file),
		cmocka_unit_test(test_foreign_symlink_in_directory_refused),
		cmocka_unit_test(test_foreign_fifo_refused),
		cmocka_unit_test(test_fifo_without_reader_fails),
		cmocka_unit_test(test_replaced_file_keeps_mode_and_owner),
		cmocka_unit_test(test_own_stdout_by_name),
	};

	return cmocka_run_group_tests_name("outfile", tests, setup, teardown);
}
