// SPDX-License-Identifier: GPL-2.0
/*
 * bootstamps: explain, draw, archive and compare boots recorded by the
 * bootstamps kernel module. See bootstamps(8).
 *
 * Exit status: 0 success, 1 usage error, 2 unreadable or malformed input
 * (or nothing to compare), as the man page says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "capture.h"
#include "compare.h"

#ifndef BST_VERSION
#define BST_VERSION "unknown"
#endif

static const char usage_main[] =
	"usage: bootstamps [COMMAND] [OPTIONS] [FILE|-]\n"
	"\n"
	"Explain, draw, archive and compare boots recorded by the bootstamps\n"
	"kernel module. FILE defaults to " BST_PROC_PATH "; - is standard input.\n"
	"\n"
	"commands:\n"
	"  show      phases, milestones, slowest probes and every event (default)\n"
	"  plot      an SVG timeline\n"
	"  trace     Chrome Trace Event JSON, for the Perfetto UI\n"
	"  prom      Prometheus text exposition, for node_exporter's textfile collector\n"
	"  mark      write a marker: bootstamps mark TEXT\n"
	"  save      archive this boot in " BST_ARCHIVE_DIR "\n"
	"  compare   compare groups of saved boots\n"
	"\n"
	"`bootstamps COMMAND --help` tells more. Exit status: 0 ok, 1 usage error,\n"
	"2 unreadable or malformed input.\n";

static const char usage_show[] =
	"usage: bootstamps show [--format table|json|csv] [--slowest N] [FILE|-]\n"
	"\n"
	"Print the boot's phases (kernel until /init, initramfs until switch-root,\n"
	"the real root until the last marker), its milestones, the 10 slowest driver\n"
	"probes with their driver's version, and every event in time order.\n"
	"\n"
	"  --format F    table (default), json (one object, docs/reader.md), csv (events)\n"
	"  --slowest N   print only the N slowest driver probes\n";

static const char usage_out[] =
	"usage: bootstamps %s [-o FILE] [FILE|-]\n"
	"\n"
	"%s\n"
	"  -o FILE   write there (atomically) instead of standard output\n";

static const char usage_mark[] =
	"usage: bootstamps mark TEXT\n"
	"\n"
	"Record a marker in " BST_PROC_PATH ": 1 to 128 printable ASCII characters.\n"
	"Needs root in the initial user namespace.\n";

static const char usage_save[] =
	"usage: bootstamps save [--dir DIR] [--from FILE] [--keep N] [--quiet]\n"
	"\n"
	"Archive this boot: the capture plus the boot id, kernel release, command\n"
	"line, os-release, and the machine as it shows itself (DMI product name and\n"
	"vendor, /sys/hypervisor/type). One file per boot, DIR/<boot_id>.bst; saving\n"
	"again in the same boot replaces it. Written to a temporary file, synced\n"
	"and renamed: a crash never leaves a torn capture.\n"
	"\n"
	"  --dir DIR     where to keep captures (default " BST_ARCHIVE_DIR ")\n"
	"  --from FILE   archive FILE instead of " BST_PROC_PATH "\n"
	"  --keep N      then delete all but the N newest captures in DIR (by\n"
	"                modification time; this boot's is always kept)\n"
	"  --quiet       do not print the file's name, nor what was deleted\n";

static const char usage_compare[] =
	"usage: bootstamps compare [--format table|json] A... --vs B...\n"
	"       bootstamps compare [--format table|json] --group-by version --driver NAME CAPTURE...\n"
	"\n"
	"Compare two groups of saved boots (files, or directories of them). For each\n"
	"phase, milestone and driver probe: the number of boots, median and p90 of\n"
	"each group, the difference of medians (B-A) with its 95% bootstrap\n"
	"confidence interval, and the Mann-Whitney U p-value; rows sorted by effect,\n"
	"significant ones marked. Also names what differs between the groups:\n"
	"driver versions, kernel release, kernel command line.\n"
	"\n"
	"With --group-by version, boots are grouped by the version of driver NAME\n"
	"(its MODULE_VERSION, else srcversion, else the kernel release for in-tree\n"
	"drivers); each version is compared with the oldest.\n";

static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v == 0 || v > 100000)
		return -1;
	*out = v;
	return 0;
}

static int bad_usage(const char *cmd, const char *what)
{
	fprintf(stderr, "bootstamps %s: %s (see bootstamps %s --help)\n", cmd,
		what, cmd);
	return 1;
}

/* Output to a file is written beside it and renamed into place. */
struct out {
	FILE *f;
	char tmp[4096];
	const char *path;
};

static int out_open(struct out *o, const char *path)
{
	int fd;

	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	o->f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!o->f) {
		fprintf(stderr, "bootstamps: cannot write %s: %s\n", o->tmp,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int out_close(struct out *o)
{
	int bad = fflush(o->f) || ferror(o->f);

	if (o->f == stdout) {
		if (bad)
			perror("bootstamps: writing output");
		return bad ? 2 : 0;
	}
	bad |= fsync(fileno(o->f));
	bad |= fclose(o->f) != 0;
	if (bad || rename(o->tmp, o->path)) {
		fprintf(stderr, "bootstamps: writing %s: %s\n", o->path,
			strerror(errno));
		unlink(o->tmp);
		return 2;
	}
	return 0;
}

enum cmd { C_SHOW, C_PLOT, C_TRACE, C_PROM };

/* show, plot, trace, prom: read one capture and write one output. */
/* Why the live file could not be read, and what to do about it. */
static void live_file_hint(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0)
		close(fd);
	else if (errno == ENOENT)
		fprintf(stderr, "bootstamps: is the module loaded? (modprobe bootstamps)\n");
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "bootstamps: only root with CAP_SYSLOG may read %s, or the group the module was given as read_gid= (docs/format.md)\n",
			path);
}

static int one_capture(enum cmd cmd, const char *name, int argc, char **argv)
{
	const char *path = BST_PROC_PATH, *out_path = NULL, *format = "table";
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	size_t slowest = 0;
	int given = 0, events = 0, i, rc;
	struct out o;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			if (cmd == C_SHOW)
				fputs(usage_show, stdout);
			else
				printf(usage_out, name,
				       cmd == C_PLOT ? "Draw the boot as an SVG timeline (open it in a browser)." :
				       cmd == C_TRACE ? "Write the boot as Chrome Trace Event JSON (open it in ui.perfetto.dev)." :
				       "Write the boot as Prometheus text exposition.");
			return 0;
		} else if (cmd == C_SHOW && !strcmp(a, "--slowest")) {
			if (parse_count(i + 1 < argc ? argv[++i] : NULL, &slowest))
				return bad_usage(name, "--slowest needs a count from 1 to 100000");
		} else if (cmd == C_SHOW && !strcmp(a, "--events")) {
			events = 1;
		} else if (cmd == C_SHOW && !strcmp(a, "--format")) {
			format = i + 1 < argc ? argv[++i] : "";
			if (strcmp(format, "table") && strcmp(format, "json") &&
			    strcmp(format, "csv"))
				return bad_usage(name, "--format is table, json or csv");
		} else if (cmd != C_SHOW && !strcmp(a, "-o")) {
			if (i + 1 >= argc)
				return bad_usage(name, "-o needs a file");
			out_path = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "bootstamps %s: unknown option %s\n", name, a);
			return 1;
		} else if (given++) {
			return bad_usage(name, "one FILE at a time");
		} else {
			path = a;
		}
	}

	if (bst_parse_file(path, &cap, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		if (!given)
			live_file_hint(path);
		return 2;
	}
	if (bst_model_build(&cap, &model, &err)) {
		fprintf(stderr, "bootstamps: %s\n", err.msg);
		bst_capture_free(&cap);
		return 2;
	}
	if (bst_boot_build(&cap, &boot)) {
		fprintf(stderr, "bootstamps: out of memory\n");
		bst_model_free(&model);
		bst_capture_free(&cap);
		return 2;
	}
	rc = out_open(&o, out_path) ? 2 : 0;
	if (!rc) {
		if (cmd == C_PLOT)
			bst_plot(o.f, &cap, &model, &boot);
		else if (cmd == C_TRACE)
			bst_trace(o.f, &cap, &model, &boot);
		else if (cmd == C_PROM)
			bst_prom(o.f, &cap, &model, &boot);
		else if (!strcmp(format, "json"))
			bst_show_json(o.f, &cap, &model, &boot, slowest ? slowest : 10);
		else if (!strcmp(format, "csv"))
			bst_show_csv(o.f, &cap);
		else if (slowest)
			bst_print_slowest(o.f, &cap, &model, slowest);
		else
			bst_show_text(o.f, &cap, &model, &boot, 10, events);
		rc = out_close(&o);
	}
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return rc;
}

static int cmd_save(int argc, char **argv)
{
	const char *dir = BST_ARCHIVE_DIR, *from = BST_PROC_PATH;
	size_t keep = 0;
	int quiet = 0, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_save, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--from") && i + 1 < argc) {
			from = argv[++i];
		} else if (!strcmp(argv[i], "--keep") && i + 1 < argc) {
			if (parse_count(argv[++i], &keep))
				return bad_usage("save", "--keep needs a count from 1 to 100000");
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else {
			return bad_usage("save", "unknown argument");
		}
	}
	return bst_save(from, dir, keep, quiet);
}

static int cmd_mark(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		fputs(usage_mark, stdout);
		return 0;
	}
	if (argc != 1)
		return bad_usage("mark", "give the marker's text as one argument");
	return bst_mark(argv[0]);
}

static int cmd_compare(int argc, char **argv)
{
	char **a = calloc((size_t)argc + 1, sizeof(*a));
	char **b = calloc((size_t)argc + 1, sizeof(*b));
	const char *driver = NULL, *group_by = NULL;
	size_t na = 0, nb = 0;
	int vs = 0, json = 0, i, rc;

	if (!a || !b)
		return 2;
	for (i = 0; i < argc; i++) {
		const char *x = argv[i];

		if (!strcmp(x, "--help") || !strcmp(x, "-h")) {
			fputs(usage_compare, stdout);
			free(a);
			free(b);
			return 0;
		} else if (!strcmp(x, "--vs")) {
			vs = 1;
		} else if (!strcmp(x, "--driver") && i + 1 < argc) {
			driver = argv[++i];
		} else if (!strcmp(x, "--group-by") && i + 1 < argc) {
			group_by = argv[++i];
		} else if (!strcmp(x, "--format") && i + 1 < argc) {
			json = !strcmp(argv[++i], "json");
			if (!json && strcmp(argv[i], "table"))
				goto usage;
		} else if (x[0] == '-' && x[1]) {
			goto usage;
		} else if (vs) {
			b[nb++] = argv[i];
		} else {
			a[na++] = argv[i];
		}
	}
	if (group_by && (strcmp(group_by, "version") || !driver || vs || !na))
		goto usage;
	if (!group_by && (!vs || !na || !nb || driver))
		goto usage;
	rc = bst_compare(stdout, a, na, b, nb, group_by ? driver : NULL, json);
	free(a);
	free(b);
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return rc;
usage:
	free(a);
	free(b);
	return bad_usage("compare",
			 "give A... --vs B..., or --group-by version --driver NAME CAPTURE...");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "show";
	int skip = argc > 1 ? 2 : 1;

	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("bootstamps %s\n", BST_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "show"))
		return one_capture(C_SHOW, "show", argc - skip, argv + skip);
	if (!strcmp(cmd, "plot"))
		return one_capture(C_PLOT, "plot", argc - skip, argv + skip);
	if (!strcmp(cmd, "trace"))
		return one_capture(C_TRACE, "trace", argc - skip, argv + skip);
	if (!strcmp(cmd, "prom"))
		return one_capture(C_PROM, "prom", argc - skip, argv + skip);
	if (!strcmp(cmd, "save"))
		return cmd_save(argc - skip, argv + skip);
	if (!strcmp(cmd, "mark"))
		return cmd_mark(argc - skip, argv + skip);
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc - skip, argv + skip);
	/* No command: `bootstamps [show options] [FILE]`. */
	return one_capture(C_SHOW, "show", argc - 1, argv + 1);
}
