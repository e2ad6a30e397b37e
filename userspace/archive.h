/* SPDX-License-Identifier: GPL-2.0 */
/* Archiving a boot, and writing markers (archive.c). */
#ifndef BST_ARCHIVE_H
#define BST_ARCHIVE_H

#define BST_PROC_PATH "/proc/bootstamps"
#define BST_ARCHIVE_DIR "/var/lib/bootstamps"

#include <stddef.h>
#include <stdio.h>

/* A subject or value as the format writes it: \xHH outside 0x21..0x7e. */
void bst_fput_escaped(FILE *out, const char *s);

#define BST_SYSTEMCTL "/usr/bin/systemctl"
#define BST_SYSTEMD_RUN "/run/systemd/system"

struct bst_save_opts {
	const char *from;	/* the capture (BST_PROC_PATH, a file or "-") */
	const char *dir;	/* the archive */
	size_t keep;		/* then keep the newest N; 0: all */
	int quiet;
	/* systemd's units (units_import.c): imported when PID 1 is systemd
	 * (systemd_run is a directory) and systemctl exists, or from a file. */
	int no_units;
	const char *units_from;	/* `systemctl show` output saved earlier */
	const char *systemctl;	/* NULL: BST_SYSTEMCTL, else /bin/systemctl */
	const char *systemd_run;	/* NULL: BST_SYSTEMD_RUN */
	int units_timeout_ms;	/* 0: BST_UNITS_TIMEOUT_MS */
	const char *sysfs;	/* NULL: /sys (firmware times, firmware.c) */
	/* node_exporter's textfile directory: DIR/bootstamps.prom, or NULL */
	const char *prom_dir;
};

int bst_save(const char *from, const char *dir, size_t keep, int quiet);
int bst_save_with(const struct bst_save_opts *opts);
/* The "# firmware" line from SYSFS/firmware/acpi/fpdt/boot/, if it exists:
 * 1 written, 0 nothing there (firmware.c). */
int bst_firmware_write(FILE *out, const char *sysfs);
int bst_mark(const char *text);

/*
 * Whether path's first line is a capture's ("# bootstamps "): 1 yes, 0 no,
 * -1 unreadable (errno set). Used by compare (strays in a directory) and
 * by save --keep (only captures are counted and removed).
 */
int bst_looks_like_capture(const char *path);

#endif /* BST_ARCHIVE_H */
