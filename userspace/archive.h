/* SPDX-License-Identifier: GPL-2.0 */
/* Archiving a boot, and writing markers (archive.c). */
#ifndef BST_ARCHIVE_H
#define BST_ARCHIVE_H

#define BST_PROC_PATH "/proc/bootstamps"
#define BST_ARCHIVE_DIR "/var/lib/bootstamps"

#include <stddef.h>

int bst_save(const char *from, const char *dir, size_t keep, int quiet);
int bst_mark(const char *text);
/*
 * Whether path's first line is a capture's ("# bootstamps "): 1 yes, 0 no,
 * -1 unreadable (errno set). Used by compare (strays in a directory) and
 * by save --keep (only captures are counted and removed).
 */
int bst_looks_like_capture(const char *path);

#endif /* BST_ARCHIVE_H */
