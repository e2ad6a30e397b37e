/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing output fast (json.c): JSON strings, and a buffer of the
 * reader's own with integer formatting for outputs that write millions of
 * small pieces (trace), where a stdio call per piece (each takes the
 * stream's lock, printf also parses its format) is most of the time.
 */
#ifndef BST_JSON_H
#define BST_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string literal of s (NULL: ""), escaped as RFC 8259 requires. */
void bst_json_str(FILE *out, const char *s);

struct bst_writer {
	FILE *out;
	size_t len;
	char buf[1 << 16];
};

/* Everything put is in out once bst_writer_flush returns. */
void bst_writer_init(struct bst_writer *w, FILE *out);
void bst_writer_flush(struct bst_writer *w);

void bst_put_mem(struct bst_writer *w, const char *s, size_t n);
void bst_put_str(struct bst_writer *w, const char *s);
void bst_put_u64(struct bst_writer *w, uint64_t v);
/* ns as microseconds, exactly: "<ns / 1000>.<three digits>". */
void bst_put_us(struct bst_writer *w, uint64_t ns);
void bst_put_json_str(struct bst_writer *w, const char *s);
/* printf("%.*f", decimals, x) exactly, for decimals 0..3, faster. */
size_t bst_format_fixed(char *buf, size_t size, double x, int decimals);
void bst_put_fixed(struct bst_writer *w, double x, int decimals);
/*
 * printf into the buffer. %s, %d, %u, %zu, %% and %.0f to %.3f (no
 * flags or widths) are formatted here, exactly as printf would, at a
 * fraction of its cost; any other format goes to vsnprintf.
 */
void bst_put_fmt(struct bst_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void bst_put_char(struct bst_writer *w, char c)
{
	if (w->len == sizeof(w->buf))
		bst_writer_flush(w);
	w->buf[w->len++] = c;
}

#endif /* BST_JSON_H */
