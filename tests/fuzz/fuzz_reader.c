// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: any bytes through the parser, the model and every
 * output. The reader must reject or explain any input, never crash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "export.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_error err;
	char *text;

	if (!sink) {
		sink = fopen("/dev/null", "w");
		bst_quiet_warnings = 1;	/* warnings are expected output, not findings */
	}
	/* bst_read_all() refuses NUL bytes; the parser sees a C string. */
	if (memchr(data, '\0', size))
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (bst_parse_text("fuzz", text, &cap, &err)) {
		free(text);
		return 0;
	}
	if (!bst_model_build(&cap, &model, &err)) {
		if (!bst_boot_build(&cap, &boot)) {
			bst_show_text(sink, &cap, &model, &boot, 10, 1);
			bst_show_json(sink, &cap, &model, &boot, 10);
			bst_show_csv(sink, &cap);
			bst_trace(sink, &cap, &model, &boot);
			bst_prom(sink, &cap, &model, &boot);
			bst_export_record(sink, &cap, &model, &boot, BST_EXPORT_JSONL, 0);
			bst_export_record(sink, &cap, &model, &boot, BST_EXPORT_EMF, 0);
			bst_plot(sink, &cap, &model, &boot);
			bst_boot_free(&boot);
		}
		bst_model_free(&model);
	}
	bst_capture_free(&cap);
	return 0;
}
