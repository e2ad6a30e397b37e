// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for compare: the input is cut at "\n==\n" into up to
 * six captures, alternately given to group A and group B (and, for
 * --group-by, all to one group), then compared as table and as JSON.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char pa[128], pb[128], *a[] = { pa }, *b[] = { pb };
	char *text, *p;
	int i;

	if (!sink) {
		sink = fopen("/dev/null", "w");
		bst_quiet_warnings = 1;
		snprintf(dir, sizeof(dir), "/tmp/bst-fuzz-%d", (int)getpid());
		mkdir(dir, 0700);
	}
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pb, sizeof(pb), "%s/b", dir);
	mkdir(pa, 0700);
	mkdir(pb, 0700);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = text;
	for (i = 0; i < 6; i++) {
		char path[160], *end = p ? strstr(p, "\n==\n") : NULL;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%c/%d", dir, i % 2 ? 'b' : 'a', i);
		if (!p) {
			unlink(path);
			continue;
		}
		f = fopen(path, "w");
		if (f) {
			fwrite(p, 1, end ? (size_t)(end - p) + 1 : strlen(p), f);
			fclose(f);
		}
		p = end ? end + 4 : NULL;
	}
	free(text);
	bst_compare(sink, a, 1, b, 1, NULL, 0);
	bst_compare(sink, a, 1, b, 1, NULL, 1);
	bst_compare(sink, a, 1, NULL, 0, "bst_fixture", 0);
	return 0;
}
