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
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "capture.h"
#include "compare.h"
#include "export.h"
#include "input.h"
#include "outfile.h"

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
	"  export    one JSON line per boot (or CloudWatch EMF), for a fleet\n"
	"  help      bootstamps help COMMAND: what COMMAND does and its options\n"
	"\n"
	"Without a command, the first argument is read as a FILE for show if it\n"
	"is an option, contains '/' or '.', or names an existing file; any other\n"
	"word is an unknown command. Options take --opt VALUE or --opt=VALUE;\n"
	"-- ends the options. --version prints the version.\n"
	"Exit status: 0 ok, 1 usage error, 2 unreadable or malformed input.\n";

/* Every command that reads captures takes --max-size (bst_read_all). */
#define USAGE_MAX_SIZE \
	"  --max-size BYTES  refuse captures larger than this (default 64M;\n" \
	"                suffixes K, M, G are powers of 1024)\n"

static const char usage_show[] =
	"usage: bootstamps show [--format table|json|csv] [--events] [--slowest N] [--max-size BYTES] [FILE|-]\n"
	"\n"
	"Print where the boot's time went: the \"Startup finished in\" line (kernel\n"
	"until /init, initramfs until switch-root, the real root until the last\n"
	"marker), the drivers that took longest (all attempts of each summed, with\n"
	"their version and last return code), the critical chains to the boot's end\n"
	"and to each interface's first address, then the milestones.\n"
	"\n"
	"  --format F    table (default), json (one object, docs/reader.md), csv (events)\n"
	"  --events      also each probe attempt's steps and every event in time order\n"
	"  --slowest N   print only the N slowest driver probe attempts\n"
	USAGE_MAX_SIZE;

static const char usage_out[] =
	"usage: bootstamps %s [-o FILE] [--max-size BYTES] [FILE|-]\n"
	"\n"
	"%s\n"
	"  -o, --output FILE  write there instead of standard output: a regular\n"
	"                file is replaced atomically; a pipe or terminal is\n"
	"                written through; a symbolic link to a file is refused\n"
	USAGE_MAX_SIZE;

static const char usage_mark[] =
	"usage: bootstamps mark [--] TEXT\n"
	"\n"
	"Record a marker in " BST_PROC_PATH ": 1 to 128 printable ASCII characters.\n"
	"Needs root in the initial user namespace.\n";

static const char usage_save[] =
	"usage: bootstamps save [--dir DIR] [--from FILE] [--keep N] [--quiet] [--no-units]\n"
	"                       [--units-from FILE] [--sysfs DIR] [--prom-dir DIR]\n"
	"                       [--max-size BYTES]\n"
	"\n"
	"Archive this boot: the capture plus the boot id, kernel release, command\n"
	"line, os-release, and the machine as it shows itself (DMI product name and\n"
	"vendor, /sys/hypervisor/type). One file per boot, DIR/<boot_id>.bst; saving\n"
	"again in the same boot replaces it. Written to a temporary file, synced\n"
	"and renamed: a crash never leaves a torn capture. When PID 1 is systemd,\n"
	"every unit's activation (from systemctl show) is added on the capture's\n"
	"clock; where ACPI FPDT exists, the firmware's and boot loader's times.\n"
	"\n"
	"  --dir DIR     where to keep captures (default " BST_ARCHIVE_DIR ")\n"
	"  --from FILE   archive FILE instead of " BST_PROC_PATH "\n"
	"  --keep N      then delete all but the N newest captures in DIR (by\n"
	"                modification time; this boot's is always kept)\n"
	"  --quiet       do not print the file's name, nor what was deleted\n"
	"  --no-units    do not add systemd's units\n"
	"  --units-from FILE  add the units of FILE, systemctl show's output\n"
	"                saved earlier, instead of asking systemctl\n"
	"  --sysfs DIR   read firmware times under DIR instead of /sys\n"
	"  --prom-dir DIR  also write the boot's Prometheus text (bootstamps prom)\n"
	"                to DIR/bootstamps.prom, replaced atomically: node_exporter's\n"
	"                textfile directory. An empty DIR writes none (so that a\n"
	"                unit can pass a variable that is not set)\n"
	USAGE_MAX_SIZE;

static const char usage_compare[] =
	"usage: bootstamps compare [--format table|json] [--baseline LABEL] [--strict] [--max-size BYTES] A... --vs B...\n"
	"       bootstamps compare [--format table|json] [--baseline LABEL] [--strict] [--max-size BYTES] --group-by version --driver NAME CAPTURE...\n"
	"\n"
	"Compare two groups of saved boots (files, or directories of them). For each\n"
	"phase, milestone and driver probe: the number of boots, median and p90 of\n"
	"each group, the difference of medians (B-A) with its 95% bootstrap\n"
	"confidence interval, and the Mann-Whitney U p-value; rows sorted by effect,\n"
	"significant ones marked. Also names what differs between the groups:\n"
	"driver versions, kernel release, kernel command line.\n"
	"\n"
	"With --group-by version, boots are grouped by the version of driver NAME\n"
	"(its MODULE_VERSION; built-in drivers and modules without one are the\n"
	"kernel's own, \"in-tree (<kernel release>)\"). Each group is compared with\n"
	"the baseline: the in-tree driver, else the oldest version.\n"
	"\n"
	"  --baseline LABEL  compare with this group instead: A's or B's first\n"
	"                    argument, a version, or \"in-tree\"\n"
	"  --strict          a file in a directory that is not a capture, or a\n"
	"                    capture that does not parse (a torn one), is an error\n"
	"                    (by default it is skipped with a warning)\n"
	USAGE_MAX_SIZE;

static const char usage_export[] =
	"usage: bootstamps export [--format jsonl|emf] [-o FILE [--append]] [--strict] [--max-size BYTES] CAPTURE|DIR...\n"
	"\n"
	"Write one record per boot, for the engines a fleet already runs\n"
	"(docs/fleet.md): each capture named, and each capture in each\n"
	"directory named (an archive, as compare reads it).\n"
	"\n"
	"  --format F    jsonl (default): one JSON object per line, schema\n"
	"                bootstamps.boot/1 (docs/reader.md), for SQL over JSON;\n"
	"                emf: CloudWatch embedded metric format, a line for the\n"
	"                boot and one per driver, dimensions driver, version and\n"
	"                instance type only\n"
	"  -o, --output FILE  write there instead of standard output (a regular\n"
	"                file is replaced atomically, as for plot)\n"
	"  --append      add to FILE instead of replacing it: created if absent,\n"
	"                only a regular file (never a link), one write per boot\n"
	"                so that writers appending at once never tear a line\n"
	"  --strict      a file in a directory that is not a capture, or does\n"
	"                not parse, is an error (by default skipped, with a warning)\n"
	USAGE_MAX_SIZE;

static const char *const command_names[] = {
	"show", "plot", "trace", "prom", "mark", "save", "compare", "export",
	"help",
};
#define NCOMMANDS (sizeof(command_names) / sizeof(command_names[0]))

/* Help for a command (NULL: the program); -1 if there is no such command. */
static int print_help(const char *cmd)
{
	if (!cmd || !strcmp(cmd, "help"))
		fputs(usage_main, stdout);
	else if (!strcmp(cmd, "show"))
		fputs(usage_show, stdout);
	else if (!strcmp(cmd, "plot"))
		printf(usage_out, cmd, "Draw the boot as an SVG timeline (open it in a browser).");
	else if (!strcmp(cmd, "trace"))
		printf(usage_out, cmd, "Write the boot as Chrome Trace Event JSON (open it in ui.perfetto.dev).");
	else if (!strcmp(cmd, "prom"))
		printf(usage_out, cmd, "Write the boot as Prometheus text exposition.");
	else if (!strcmp(cmd, "mark"))
		fputs(usage_mark, stdout);
	else if (!strcmp(cmd, "save"))
		fputs(usage_save, stdout);
	else if (!strcmp(cmd, "compare"))
		fputs(usage_compare, stdout);
	else if (!strcmp(cmd, "export"))
		fputs(usage_export, stdout);
	else
		return -1;
	return 0;
}

static int print_version(void)
{
	printf("bootstamps %s\n", BST_VERSION);
	return 0;
}

/* Options of any command that take a value: "--opt=v" means "--opt v". */
static const char *const valued_options[] = {
	"--format", "--slowest", "--output", "--max-size", "--dir", "--from",
	"--keep", "--driver", "--group-by", "--baseline", "--units-from",
	"--sysfs", "--prom-dir",
};

/*
 * Rewrite the arguments once, so that each command's option loop sees one
 * spelling: "--opt=value" becomes "--opt" "value" for the options above,
 * "-oFILE" becomes "-o" "FILE". Nothing after "--" is touched: the loops
 * take what follows it as operands. The strings are argv's own (C lets a
 * program modify them), split in place; the array is new, and freed by
 * the caller.
 */
static char **normalize_args(int argc, char **argv, int *nargc)
{
	char **out = calloc(2 * (size_t)argc + 1, sizeof(*out));
	static char dash_o[] = "-o";
	int i, n = 0, ended = 0;

	if (!out)
		return NULL;
	for (i = 0; i < argc; i++) {
		char *a = argv[i], *eq = strchr(a, '=');
		size_t k;

		if (!ended && !strcmp(a, "--"))
			ended = 1;
		if (!ended && !strncmp(a, "-o", 2) && a[2]) {
			out[n++] = dash_o;
			out[n++] = a + 2;
			continue;
		}
		if (!ended && !strncmp(a, "--", 2) && eq) {
			for (k = 0; k < sizeof(valued_options) / sizeof(valued_options[0]); k++)
				if (strlen(valued_options[k]) == (size_t)(eq - a) &&
				    !strncmp(a, valued_options[k], (size_t)(eq - a)))
					break;
			if (k < sizeof(valued_options) / sizeof(valued_options[0])) {
				*eq = '\0';
				out[n++] = a;
				out[n++] = eq + 1;
				continue;
			}
		}
		out[n++] = a;
	}
	*nargc = n;
	return out;
}

/* An option's value, the next argument; NULL if there is none. */
static const char *value_of(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/* "-x", "--x": an option; "-" alone is standard input, an operand. */
static int is_option(const char *a)
{
	return a[0] == '-' && a[1];
}

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

/* A value for --max-size; 1 (usage error) if it is not a size. */
static int set_max_size(const char *cmd, const char *value)
{
	if (bst_parse_size(value, &bst_max_input_bytes))
		return bad_usage(cmd, "--max-size needs a size in bytes (a number, or with K, M or G)");
	return 0;
}

static int unknown_option(const char *cmd, const char *a)
{
	fprintf(stderr, "bootstamps %s: unknown option %s (see bootstamps %s --help)\n",
		cmd, a, cmd);
	return 1;
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
	struct bst_outfile o;
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	size_t slowest = 0;
	int given = 0, operands_only = 0, events = 0, i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (operands_only || !is_option(a)) {
			if (given++)
				return bad_usage(name, "one FILE at a time");
			path = a;
		} else if (!strcmp(a, "--")) {
			operands_only = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return print_help(name) ? 1 : 0;
		} else if (cmd == C_SHOW && !strcmp(a, "--slowest")) {
			if (parse_count(value_of(argc, argv, &i), &slowest))
				return bad_usage(name, "--slowest needs a count from 1 to 100000");
		} else if (cmd == C_SHOW && !strcmp(a, "--events")) {
			events = 1;
		} else if (cmd == C_SHOW && !strcmp(a, "--format")) {
			format = value_of(argc, argv, &i);
			if (!format || (strcmp(format, "table") && strcmp(format, "json") &&
					strcmp(format, "csv")))
				return bad_usage(name, "--format needs table, json or csv");
		} else if (cmd != C_SHOW && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			out_path = value_of(argc, argv, &i);
			/* "--output=" names no file: a usage error, not a directory. */
			if (!out_path || !*out_path)
				return bad_usage(name, !strcmp(a, "-o") ? "-o needs a file" :
						 "--output needs a file");
		} else if (!strcmp(a, "--max-size")) {
			if (set_max_size(name, value_of(argc, argv, &i)))
				return 1;
		} else {
			return unknown_option(name, a);
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
	rc = bst_outfile_open(&o, out_path, BST_OUT_ANY, 0644, &err) ? 2 : 0;
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
		rc = bst_outfile_commit(&o, &err) ? 2 : 0;
	}
	if (rc)
		fprintf(stderr, "bootstamps: %s\n", err.msg);
	bst_boot_free(&boot);
	bst_model_free(&model);
	bst_capture_free(&cap);
	return rc;
}

static int cmd_save(int argc, char **argv)
{
	struct bst_save_opts o = { .from = BST_PROC_PATH, .dir = BST_ARCHIVE_DIR };
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return print_help("save") ? 1 : 0;
		} else if (!strcmp(a, "--dir")) {
			if (!(o.dir = value_of(argc, argv, &i)) || !*o.dir)
				return bad_usage("save", "--dir needs a directory");
		} else if (!strcmp(a, "--from")) {
			if (!(o.from = value_of(argc, argv, &i)) || !*o.from)
				return bad_usage("save", "--from needs a capture file (or - for standard input)");
		} else if (!strcmp(a, "--keep")) {
			if (parse_count(value_of(argc, argv, &i), &o.keep))
				return bad_usage("save", "--keep needs a count from 1 to 100000");
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--no-units")) {
			o.no_units = 1;
		} else if (!strcmp(a, "--units-from")) {
			if (!(o.units_from = value_of(argc, argv, &i)) || !*o.units_from)
				return bad_usage("save", "--units-from needs a file of systemctl show's output");
		} else if (!strcmp(a, "--sysfs")) {
			if (!(o.sysfs = value_of(argc, argv, &i)) || !*o.sysfs)
				return bad_usage("save", "--sysfs needs a directory (where sysfs is mounted)");
		} else if (!strcmp(a, "--prom-dir")) {
			/* Empty on purpose: --prom-dir=${UNSET} in a unit is off. */
			if (!(o.prom_dir = value_of(argc, argv, &i)))
				return bad_usage("save", "--prom-dir needs a directory (node_exporter's textfile directory)");
			if (!*o.prom_dir)
				o.prom_dir = NULL;
		} else if (!strcmp(a, "--max-size")) {
			if (set_max_size("save", value_of(argc, argv, &i)))
				return 1;
		} else if (is_option(a)) {
			return unknown_option("save", a);
		} else {
			return bad_usage("save", "save takes no FILE: archive one with --from FILE");
		}
	}
	if (o.no_units && o.units_from)
		return bad_usage("save", "--no-units and --units-from exclude each other");
	return bst_save_with(&o);
}

static int cmd_mark(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		fputs(usage_mark, stdout);
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "--version"))
		return print_version();
	/* "mark -- TEXT": a marker that looks like an option. */
	if (argc == 2 && !strcmp(argv[0], "--")) {
		argc--;
		argv++;
	}
	if (argc != 1)
		return bad_usage("mark", "give the marker's text as one argument");
	return bst_mark(argv[0]);
}

static int cmd_compare(int argc, char **argv)
{
	char **a = calloc((size_t)argc + 1, sizeof(*a));
	char **b = calloc((size_t)argc + 1, sizeof(*b));
	const char *driver = NULL, *group_by = NULL, *why = NULL;
	struct bst_compare_opts opts = { 0 };
	size_t na = 0, nb = 0;
	int vs = 0, json = 0, operands_only = 0, i, rc;

	if (!a || !b) {
		free(a);
		free(b);
		return 2;
	}
	for (i = 0; i < argc && !why; i++) {
		const char *x = argv[i];

		if (operands_only || !is_option(x)) {
			if (vs)
				b[nb++] = argv[i];
			else
				a[na++] = argv[i];
		} else if (!strcmp(x, "--")) {
			operands_only = 1;
		} else if (!strcmp(x, "--help") || !strcmp(x, "-h")) {
			free(a);
			free(b);
			return print_help("compare") ? 1 : 0;
		} else if (!strcmp(x, "--vs")) {
			vs = 1;
		} else if (!strcmp(x, "--driver")) {
			if (!(driver = value_of(argc, argv, &i)) || !*driver)
				why = "--driver needs a driver's name";
		} else if (!strcmp(x, "--group-by")) {
			if (!(group_by = value_of(argc, argv, &i)) || !*group_by)
				why = "--group-by needs what to group by (version)";
		} else if (!strcmp(x, "--format")) {
			const char *f = value_of(argc, argv, &i);

			json = f && !strcmp(f, "json");
			if (!f || (!json && strcmp(f, "table")))
				why = "--format needs table or json";
		} else if (!strcmp(x, "--max-size")) {
			if (bst_parse_size(value_of(argc, argv, &i), &bst_max_input_bytes))
				why = "--max-size needs a size in bytes (a number, or with K, M or G)";
		} else if (!strcmp(x, "--baseline")) {
			if (!(opts.baseline = value_of(argc, argv, &i)) || !*opts.baseline)
				why = "--baseline needs a group's label";
		} else if (!strcmp(x, "--strict")) {
			opts.strict = 1;
		} else {
			free(a);
			free(b);
			return unknown_option("compare", x);
		}
	}
	if (!why && group_by && (strcmp(group_by, "version") || !driver || vs || !na))
		why = "give A... --vs B..., or --group-by version --driver NAME CAPTURE...";
	if (!why && !group_by && (!vs || !na || !nb || driver))
		why = "give A... --vs B..., or --group-by version --driver NAME CAPTURE...";
	if (why) {
		free(a);
		free(b);
		return bad_usage("compare", why);
	}
	rc = bst_compare_with(stdout, a, na, b, nb, group_by ? driver : NULL,
			      json, &opts);
	free(a);
	free(b);
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	struct bst_export_opts o = { .format = BST_EXPORT_JSONL };
	const char *why = NULL;
	size_t n = 0;
	int operands_only = 0, i, rc;

	if (!files)
		return 2;
	for (i = 0; i < argc && !why; i++) {
		const char *a = argv[i];

		if (operands_only || !is_option(a)) {
			files[n++] = argv[i];
		} else if (!strcmp(a, "--")) {
			operands_only = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			free(files);
			return print_help("export") ? 1 : 0;
		} else if (!strcmp(a, "--format")) {
			const char *f = value_of(argc, argv, &i);

			if (f && !strcmp(f, "jsonl"))
				o.format = BST_EXPORT_JSONL;
			else if (f && !strcmp(f, "emf"))
				o.format = BST_EXPORT_EMF;
			else
				why = "--format needs jsonl or emf";
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			o.output = value_of(argc, argv, &i);
			if (!o.output || !*o.output)
				why = !strcmp(a, "-o") ? "-o needs a file" : "--output needs a file";
		} else if (!strcmp(a, "--append")) {
			o.append = 1;
		} else if (!strcmp(a, "--strict")) {
			o.strict = 1;
		} else if (!strcmp(a, "--max-size")) {
			if (bst_parse_size(value_of(argc, argv, &i), &bst_max_input_bytes))
				why = "--max-size needs a size in bytes (a number, or with K, M or G)";
		} else {
			free(files);
			return unknown_option("export", a);
		}
	}
	if (!why && !n)
		why = "give the captures, or archive directories, to export";
	if (!why && o.append && (!o.output || !strcmp(o.output, "-")))
		why = "--append needs -o FILE";
	if (why) {
		free(files);
		return bad_usage("export", why);
	}
	rc = bst_export_with(files, n, &o);
	free(files);
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return rc;
}

/* Edits (one letter changed, added or dropped) between two short words. */
static size_t edit_distance(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y), i, j, row[16], prev, tmp;

	if (lx >= sizeof(row) / sizeof(row[0]) || ly >= sizeof(row) / sizeof(row[0]))
		return (size_t)-1;
	for (j = 0; j <= ly; j++)
		row[j] = j;
	for (i = 1; i <= lx; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= ly; j++) {
			size_t best = prev + (x[i - 1] != y[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[ly];
}

/*
 * Without a command, is the first argument a FILE for show? Yes if it is
 * an option or "-", contains '/' or '.', or names something that exists;
 * a bare word that exists nowhere is taken as a mistyped command.
 */
static int names_a_file(const char *a)
{
	struct stat st;

	return a[0] == '-' || strchr(a, '/') || strchr(a, '.') || !stat(a, &st);
}

static int unknown_command(const char *word)
{
	const char *near = NULL;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (edit_distance(word, command_names[i]) <= 2)
			near = command_names[i];
	fprintf(stderr, "bootstamps: unknown command \"%s\"%s%s%s (see bootstamps --help; to read a file of that name, write ./%s)\n",
		word, near ? ", did you mean \"" : "", near ? near : "",
		near ? "\"?" : "", word);
	return 1;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1)
		return bad_usage("help", "give one command at most");
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")))
		argc = 0;
	if (argc == 1 && print_help(argv[0]))
		return unknown_command(argv[0]);
	if (!argc)
		print_help(NULL);
	return 0;
}

static int run(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "show";
	int skip = argc > 1 ? 2 : 1, i;

	/* --version anywhere before "--", as other Linux tools take it. */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--version"))
			return print_version();
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return print_help(NULL);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc - skip, argv + skip);
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
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc - skip, argv + skip);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - skip, argv + skip);
	if (argc > 1 && !names_a_file(cmd))
		return unknown_command(cmd);
	/* No command: `bootstamps [show options] [FILE]`. */
	return one_capture(C_SHOW, "show", argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	char **args;
	int nargs, rc;

	/* A marker's text is taken as given: it may look like anything. */
	if (argc > 1 && !strcmp(argv[1], "mark"))
		return cmd_mark(argc - 2, argv + 2);
	args = normalize_args(argc, argv, &nargs);
	if (!args) {
		fprintf(stderr, "bootstamps: out of memory\n");
		return 2;
	}
	rc = run(nargs, args);
	free(args);
	return rc;
}
