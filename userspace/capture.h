/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A parsed /proc/bootstamps capture (docs/format.md) and the spans the
 * model pairs out of it.
 */
#ifndef BST_CAPTURE_H
#define BST_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Newest format version this reader understands. */
#define BST_FORMAT_SUPPORTED 1

struct bst_kv {
	const char *key;
	const char *val;
};

struct bst_event {
	unsigned long seq;
	uint64_t t_ns;		/* CLOCK_BOOTTIME */
	const char *type;	/* "probe.end", "mark", ... */
	const char *subject;	/* as written: escaped, no whitespace */
	struct bst_kv *kv;
	size_t nkv;
	size_t line;		/* 1-based line in the source */
};

struct bst_capture {
	char *name;		/* file name, or "-" */
	int format_version;
	struct bst_kv *header;	/* every key=value of the "# " lines */
	size_t nheader;
	struct bst_event *ev;
	size_t nev;
	char *text;		/* the source, split in place */
};

struct bst_error {
	char msg[512];
};

/* parse.c */
int bst_parse_text(const char *name, char *text, struct bst_capture *cap,
		   struct bst_error *err);
int bst_parse_file(const char *path, struct bst_capture *cap,
		   struct bst_error *err);
void bst_capture_free(struct bst_capture *cap);
const char *bst_header_get(const struct bst_capture *cap, const char *key);
const char *bst_event_get(const struct bst_event *ev, const char *key);
int bst_event_get_i64(const struct bst_event *ev, const char *key,
		      int64_t *out);
const struct bst_event *bst_find_seq(const struct bst_capture *cap,
				     unsigned long seq);

/* model.c */
enum bst_span_kind { BST_SPAN_PROBE, BST_SPAN_MODULE };

struct bst_span {
	enum bst_span_kind kind;
	const struct bst_event *start;	/* NULL if it began before capture */
	const struct bst_event *end;	/* NULL if still running */
	uint64_t dur_ns;
	int has_rc;
	int64_t rc;
};

struct bst_model {
	struct bst_span *spans;
	size_t nspans;
};

int bst_model_build(const struct bst_capture *cap, struct bst_model *model,
		    struct bst_error *err);
void bst_model_free(struct bst_model *model);
size_t bst_model_slowest(const struct bst_model *model,
			 enum bst_span_kind kind,
			 const struct bst_span **out, size_t n);

/* output.c */
#include <stdio.h>
void bst_print_table(FILE *out, const struct bst_capture *cap,
		     const struct bst_model *model);
void bst_print_slowest(FILE *out, const struct bst_capture *cap,
		       const struct bst_model *model, size_t n);
void bst_format_ms(char *buf, size_t size, uint64_t ns);

#endif /* BST_CAPTURE_H */
