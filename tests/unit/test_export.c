// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `bootstamps export` (issue 15): the bootstamps.boot/1
 * record, CloudWatch EMF with bounded dimensions only, --append's safety
 * and whole lines under concurrent writers, and save --prom-dir.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "archive.h"
#include "capture.h"
#include "export.h"
#include "outfile.h"

/*
 * One saved boot: ENA probes one device four times (two deferrals, a
 * failure, then bound) and another once; serial8250 is built in; the
 * kernel log times a probe without naming its driver; two markers.
 */
static const char fixture[] =
	"# bootstamps 1\n"
	"# saved boot_id=7d3e5b1c-0000-4000-8000-00000000b007 saved_at=1796183634 hostname=ip-10-0-0-7 machine=x86_64 os_id=amzn os_version=2023 os=Amazon\\x20Linux\\x202023 cmdline=ro\\x20quiet product_name=m7i.large sys_vendor=Amazon\\x20EC2 hypervisor=\n"
	"# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64\n"
	"# capacity=4096 events=16 dropped=3 markers=2 missed=1\n"
	"1 0.000000000 kernel.start linux release=6.1.0-57-cloud-amd64 src=kmsg\n"
	"2 0.500000000 probe.end 00:05 driver= bus= rc=0 dur_ns=1000000 start=0 module= version= srcversion= builtin=0 async=0 src=kmsg\n"
	"3 0.600000000 probe.end serial8250 driver=serial8250 bus=platform rc=0 dur_ns=2000000 start=0 module= version= srcversion= builtin=1 async=0 src=kmsg\n"
	"4 1.000000000 init.exec init path=/init pid=1 phase=initramfs\n"
	"5 1.100000000 disk.partitions nvme0n1 count=2\n"
	"6 1.200000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=0 pid=9\n"
	"7 1.300000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=100000000 start=6 module=ena version=2.17.0g srcversion=ABC builtin=0 async=0 pid=9\n"
	"8 1.400000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"9 1.600000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-517 dur_ns=200000000 start=8 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"10 1.700000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"11 2.000000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=-62 dur_ns=300000000 start=10 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"12 2.100000000 probe.start 0000:00:05.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"13 2.500000000 probe.end 0000:00:05.0 driver=ena bus=pci rc=0 dur_ns=400000000 start=12 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"14 2.550000000 probe.start 0000:00:06.0 driver=ena bus=pci module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"15 2.600000000 probe.end 0000:00:06.0 driver=ena bus=pci rc=0 dur_ns=50000000 start=14 module=ena version=2.17.0g srcversion=ABC builtin=0 async=1 pid=29\n"
	"16 3.000000000 root.mount /dev/nvme0n1p1 fstype=ext4\n"
	"17 3.100000000 init.exec init path=/sbin/init pid=1 phase=root\n"
	"18 3.200000000 exec ntpdate path=/usr/sbin/ntpdate pid=40 ppid=1\n"
	"19 3.700000000 exit ntpdate pid=40 status=0 dur_ns=500000000 start=18\n"
	"20 4.000000000 mark boot-done pid=1\n"
	"21 5.000000000 mark boot-done pid=1\n";

static char *export_of(const char *text, enum bst_export_format format)
{
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *copy = strdup(text), *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(copy);
	if (bst_parse_text("fixture", copy, &cap, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(bst_model_build(&cap, &model, &err), 0);
	assert_int_equal(bst_boot_build(&cap, &boot), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bst_export_record(f, &cap, &model, &boot, format, 42000), 0);
	fclose(f);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

#define assert_has(s, what) \
	do { if (!strstr((s), (what))) fail_msg("no %s in\n%s", (what), (s)); } while (0)

/* The object of the driver d in a record: from its "driver" key to its '}'. */
static char *driver_object(const char *rec, const char *d)
{
	char want[64];
	const char *p, *end;

	snprintf(want, sizeof(want), "{\"driver\":\"%s\"", d);
	p = strstr(rec, want);
	if (!p)
		fail_msg("no driver %s in %s", d, rec);
	end = strchr(p, '}');
	assert_non_null(end);
	return strndup(p, (size_t)(end - p + 1));
}

static void test_export_one_line_identity(void **state)
{
	char *rec = export_of(fixture, BST_EXPORT_JSONL);

	(void)state;
	/* One line: the record ends the output and holds no other newline. */
	assert_int_equal(count(rec, "\n"), 1);
	assert_int_equal(rec[strlen(rec) - 1], '\n');
	assert_true(!strncmp(rec, "{\"schema\":\"bootstamps.boot/1\",", 30));
	assert_has(rec, "\"boot_id\":\"7d3e5b1c-0000-4000-8000-00000000b007\"");
	assert_has(rec, "\"saved_at\":1796183634");
	/* Header values unescaped; an empty one is "", a missing one null. */
	assert_has(rec, "\"instance_type\":\"m7i.large\"");
	assert_has(rec, "\"os\":\"Amazon Linux 2023\"");
	assert_has(rec, "\"cmdline\":\"ro quiet\"");
	assert_has(rec, "\"hypervisor\":\"\"");
	assert_has(rec, "\"kernel\":\"6.1.0-57-cloud-amd64\"");
	assert_has(rec, "\"dropped_events\":3,\"missed_probes\":1");
	free(rec);
}

static void test_export_phases_drivers_programs(void **state)
{
	char *rec = export_of(fixture, BST_EXPORT_JSONL), *ena, *serial;

	(void)state;
	/* To the last marker, 5 s; phases by name. */
	assert_has(rec, "\"boot_ms\":5000.000000");
	assert_has(rec, "\"phases\":{\"kernel\":1000.000000,\"initramfs\":2100.000000,\"userspace\":1900.000000}");
	/* Each milestone once: the first boot-done, not the second. */
	assert_has(rec, "\"mark boot-done\":4000.000000");
	assert_int_equal(count(rec, "\"mark boot-done\""), 1);
	assert_has(rec, "\"root.mount\":3000.000000");
	/* ENA: every attempt on both devices, 100+200+300+400+50 ms. */
	ena = driver_object(rec, "ena");
	assert_has(ena, "\"total_ms\":1050.000000");
	assert_has(ena, "\"attempts\":5");
	assert_has(ena, "\"devices\":2");
	assert_has(ena, "\"deferred\":2,\"failed\":1");
	assert_has(ena, "\"version\":\"2.17.0g\"");
	assert_has(ena, "\"builtin\":false,\"version_label\":\"2.17.0g\"");
	/* A built-in driver is the kernel's, as compare --group-by names it. */
	serial = driver_object(rec, "serial8250");
	assert_has(serial, "\"builtin\":true,\"version_label\":\"in-tree (6.1.0-57-cloud-amd64)\"");
	/* The probe without a driver is counted apart, not a driver "". */
	assert_null(strstr(rec, "{\"driver\":\"\""));
	assert_has(rec, "\"unnamed_probes\":{\"attempts\":1,\"total_ms\":1.000000}");
	assert_has(rec, "{\"name\":\"ntpdate\",\"count\":1,\"exited\":1,\"total_ms\":500.000000");
	free(ena);
	free(serial);
	free(rec);
}

static void test_emf_bounded_dimensions(void **state)
{
	static const char head[] =
		"{\"_aws\":{\"Timestamp\":1796183634000,\"CloudWatchMetrics\":[{\"Namespace\":\"bootstamps\",";
	char *emf = export_of(fixture, BST_EXPORT_EMF), *line, *save = NULL;
	size_t lines = 0;

	(void)state;
	/* The boot, then ENA and serial8250: the unnamed probe has no line. */
	assert_int_equal(count(emf, "\n"), 3);
	for (line = strtok_r(emf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *dims = strstr(line, "\"Dimensions\":"), *end;

		lines++;
		/* saved_at, in milliseconds. */
		assert_true(!strncmp(line, head, strlen(head)));
		assert_non_null(dims);
		end = strstr(dims, "]],");
		assert_non_null(end);
		/* Only bounded names are dimensions; ids are plain properties. */
		{
			char *d = strndup(dims, (size_t)(end - dims));

			assert_null(strstr(d, "boot"));
			assert_null(strstr(d, "host"));
			assert_null(strstr(d, "Instance\""));
			free(d);
		}
		assert_has(line, "\"InstanceType\":\"m7i.large\"");
		assert_has(line, "\"boot_id\":\"7d3e5b1c-0000-4000-8000-00000000b007\"");
		if (lines == 1) {
			assert_has(line, "\"Dimensions\":[[\"InstanceType\"]]");
			assert_has(line, "{\"Name\":\"BootTime\",\"Unit\":\"Milliseconds\"}");
			assert_has(line, "\"BootTime\":5000.000000");
			assert_has(line, "\"KernelTime\":1000.000000");
		} else {
			assert_has(line, "\"Dimensions\":[[\"Driver\",\"Version\"],[\"Driver\",\"Version\",\"InstanceType\"]]");
		}
	}
	free(emf);
	emf = export_of(fixture, BST_EXPORT_EMF);
	assert_has(emf, "\"Driver\":\"ena\",\"Version\":\"2.17.0g\"");
	assert_has(emf, "\"ProbeTime\":1050.000000,\"ProbeAttempts\":5,\"ProbeDeferrals\":2,\"ProbeFailures\":1");
	/* No empty dimension value: CloudWatch refuses one. */
	assert_has(emf, "\"Driver\":\"serial8250\",\"Version\":\"in-tree (6.1.0-57-cloud-amd64)\"");
	assert_null(strstr(emf, "\"Version\":\"\""));
	free(emf);
}

/* A capture save did not write: no saved_at, so the time given is used. */
static void test_emf_unsaved_capture(void **state)
{
	static const char live[] =
		"# bootstamps 1\n"
		"# module_version=0.1.0 kernel=6.1.0-57-cloud-amd64\n"
		"1 1.000000000 mark boot-done pid=1\n";
	char *emf = export_of(live, BST_EXPORT_EMF);

	(void)state;
	assert_has(emf, "\"Timestamp\":42000,");
	assert_has(emf, "\"InstanceType\":\"(not recorded)\"");
	free(emf);
}

static char dir[] = "/tmp/bst-export-XXXXXX";

static char *path_in(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static char *write_fixture(void)
{
	char *p = path_in("boot.bst");
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(fixture, f);
	fclose(f);
	return p;
}

static size_t lines_in(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_append_only_regular_files(void **state)
{
	char *cap = write_fixture(), *out = path_in("boots.jsonl");
	char *link = path_in("link.jsonl"), *fifo = path_in("fifo.jsonl");
	char *args[] = { cap };
	struct bst_export_opts o = { .output = out, .append = 1 };
	struct bst_error err;
	struct stat st;

	(void)state;
	assert_int_equal(bst_export_with(args, 1, &o), 0);
	assert_int_equal(bst_export_with(args, 1, &o), 0);
	assert_int_equal(lines_in(out), 2);
	assert_int_equal(stat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* A link is never followed, whatever it points to. */
	assert_int_equal(symlink(out, link), 0);
	assert_int_equal(bst_outfile_open_append(link, 0644, &err), -1);
	assert_has(err.msg, "symbolic link");
	o.output = link;
	assert_int_equal(bst_export_with(args, 1, &o), 2);
	assert_int_equal(lines_in(out), 2);
	/* A FIFO nobody reads: refused at once, not a hang. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(bst_outfile_open_append(fifo, 0644, &err), -1);
	assert_int_equal(bst_outfile_open_append(dir, 0644, &err), -1);
	assert_int_equal(bst_outfile_open_append("/dev/null", 0644, &err), -1);
	unlink(link);
	unlink(fifo);
	unlink(out);
	unlink(cap);
	free(link);
	free(fifo);
	free(out);
	free(cap);
}

/*
 * Writers appending at once: every line whole. Each record is one
 * write(); with a record written in pieces, lines of the writers interleave.
 */
static void test_append_concurrent_lines_whole(void **state)
{
	enum { WRITERS = 4, EACH = 40 };
	char *cap = write_fixture(), *out = path_in("concurrent.jsonl");
	char *line = NULL;
	size_t size = 0, n = 0, whole = 0;
	ssize_t len;
	FILE *f;
	int w;

	(void)state;
	for (w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			char *args[EACH];
			struct bst_export_opts o = { .output = out, .append = 1 };
			int i;

			for (i = 0; i < EACH; i++)
				args[i] = cap;
			_exit(bst_export_with(args, EACH, &o));
		}
	}
	for (w = 0; w < WRITERS; w++) {
		int status;

		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	f = fopen(out, "r");
	assert_non_null(f);
	while ((len = getline(&line, &size, f)) > 0) {
		n++;
		whole += !strncmp(line, "{\"schema\":\"bootstamps.boot/1\"", 29) &&
			 !strcmp(line + len - 3, "]}\n") &&
			 count(line, "\"schema\"") == 1;
	}
	fclose(f);
	free(line);
	assert_int_equal(n, WRITERS * EACH);
	assert_int_equal(whole, n);
	unlink(out);
	unlink(cap);
	free(out);
	free(cap);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&buf, &len);
	int c;

	assert_non_null(f);
	assert_non_null(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void test_save_prom_dir(void **state)
{
	char *cap = write_fixture(), *archive = path_in("archive");
	char *textfile = path_in("textfile"), *prom = path_in("textfile/bootstamps.prom");
	char *saved = NULL, *got, *want = NULL, *cmd;
	struct bst_save_opts o = { .from = cap, .dir = archive, .quiet = 1,
				   .no_units = 1, .prom_dir = textfile };
	struct bst_capture c;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	size_t len = 0;
	FILE *m;

	(void)state;
	assert_int_equal(mkdir(textfile, 0755), 0);
	assert_int_equal(bst_save_with(&o), 0);
	/* What bootstamps prom writes for the archived capture. */
	assert_true(asprintf(&cmd, "ls %s/*.bst", archive) > 0);
	m = popen(cmd, "r");
	assert_non_null(m);
	assert_true(getline(&saved, &len, m) > 0);
	pclose(m);
	saved[strcspn(saved, "\n")] = '\0';
	assert_int_equal(bst_parse_file(saved, &c, &err), 0);
	assert_int_equal(bst_model_build(&c, &model, &err), 0);
	assert_int_equal(bst_boot_build(&c, &boot), 0);
	m = open_memstream(&want, &len);
	bst_prom(m, &c, &model, &boot);
	fclose(m);
	got = slurp(prom);
	assert_string_equal(got, want);
	assert_has(got, "bootstamps_driver_probe_seconds{driver=\"ena\"} 1.050000000");
	/* Only a regular file is replaced there: a planted link is refused. */
	unlink(prom);
	assert_int_equal(symlink("/etc/passwd", prom), 0);
	assert_int_equal(bst_prom_to_dir(saved, textfile), 2);
	unlink(prom);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&c);
	unlink(saved);
	rmdir(archive);
	rmdir(textfile);
	unlink(cap);
	free(cmd);
	free(saved);
	free(want);
	free(got);
	free(prom);
	free(textfile);
	free(archive);
	free(cap);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_one_line_identity),
		cmocka_unit_test(test_export_phases_drivers_programs),
		cmocka_unit_test(test_emf_bounded_dimensions),
		cmocka_unit_test(test_emf_unsaved_capture),
		cmocka_unit_test(test_append_only_regular_files),
		cmocka_unit_test(test_append_concurrent_lines_whole),
		cmocka_unit_test(test_save_prom_dir),
	};

	return cmocka_run_group_tests_name("export", tests, setup, teardown);
}
