// SPDX-License-Identifier: GPL-2.0
/*
 * JSON strings, escaped as RFC 8259 requires, and the output buffer
 * (json.h). Strings are written in runs of characters that need no
 * escape, not a character at a time.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "json.h"

/* Characters a JSON string cannot hold as they are. */
static int needs_escape(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20;
}

/* 1 for the bytes that end a plain run: those needing an escape, NUL. */
static unsigned char run_end[256];

static void run_end_init(void)
{
	int c;

	if (run_end[0])
		return;
	for (c = 0; c < 256; c++)
		run_end[c] = (unsigned char)needs_escape((unsigned char)c);
}

/* The length of s's first run of characters that need no escape. */
static size_t plain_run(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;

	run_end_init();
	/* Four at a time: u[n + 1] is read only if u[n] was not NUL. */
	while (!run_end[u[n]] && !run_end[u[n + 1]] && !run_end[u[n + 2]] &&
	       !run_end[u[n + 3]])
		n += 4;
	while (!run_end[u[n]])
		n++;
	return n;
}

/* The escape of c (needs_escape(c)) into buf; its length. */
static size_t escape(unsigned char c, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		buf[0] = '\\';
		buf[1] = (char)c;
		return 2;
	}
	memcpy(buf, "\\u00", 4);
	buf[4] = hex[c >> 4];
	buf[5] = hex[c & 15];
	return 6;
}

void bst_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	while (s && *s) {
		size_t n = plain_run(s);
		char esc[8];

		fwrite(s, 1, n, out);
		s += n;
		if (*s) {
			fwrite(esc, 1, escape((unsigned char)*s, esc), out);
			s++;
		}
	}
	fputc('"', out);
}

void bst_writer_init(struct bst_writer *w, FILE *out)
{
	w->out = out;
	w->len = 0;
}

void bst_writer_flush(struct bst_writer *w)
{
	/* A failed write leaves the stream's error flag set, for its commit. */
	if (w->len)
		fwrite(w->buf, 1, w->len, w->out);
	w->len = 0;
}

void bst_put_mem(struct bst_writer *w, const char *s, size_t n)
{
	if (n > sizeof(w->buf) - w->len) {
		bst_writer_flush(w);
		if (n > sizeof(w->buf)) {
			fwrite(s, 1, n, w->out);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void bst_put_str(struct bst_writer *w, const char *s)
{
	bst_put_mem(w, s, strlen(s));
}

/* v in decimal at the end of buf[20]; returns where it starts. */
static char *decimal(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void bst_put_u64(struct bst_writer *w, uint64_t v)
{
	char buf[20], *s = decimal(v, buf + sizeof(buf));

	bst_put_mem(w, s, (size_t)(buf + sizeof(buf) - s));
}

void bst_put_us(struct bst_writer *w, uint64_t ns)
{
	char buf[24], *end = buf + sizeof(buf), *s;
	unsigned frac = (unsigned)(ns % 1000);

	end[-1] = (char)('0' + frac % 10);
	end[-2] = (char)('0' + frac / 10 % 10);
	end[-3] = (char)('0' + frac / 100);
	end[-4] = '.';
	s = decimal(ns / 1000, end - 4);
	bst_put_mem(w, s, (size_t)(end - s));
}

void bst_put_json_str(struct bst_writer *w, const char *s)
{
	run_end_init();
	bst_put_char(w, '"');
	/*
	 * Most strings are short and need no escape: copied a byte at a
	 * time straight into the buffer while it has room, with no call per
	 * run. An escape, or a full buffer, goes the general way below.
	 */
	if (s) {
		char *buf = w->buf;
		size_t len = w->len;

		while (len < sizeof(w->buf) && !run_end[(unsigned char)*s])
			buf[len++] = *s++;
		w->len = len;
	}
	while (s && *s) {
		size_t n = plain_run(s);
		char esc[8];

		bst_put_mem(w, s, n);
		s += n;
		if (*s) {
			bst_put_mem(w, esc, escape((unsigned char)*s, esc));
			s++;
		}
	}
	bst_put_char(w, '"');
}

size_t bst_format_fixed(char *buf, size_t size, double x, int decimals)
{
	static const uint64_t scale[] = { 1, 10, 100, 1000 };
	char tmp[32], *end = tmp + sizeof(tmp), *s = end;
	uint64_t mant, num, q, rem, half;
	int exp, shift, i;

	/*
	 * x = mant / 2^shift exactly, so x * 10^decimals = num / 2^shift
	 * exactly, rounded half to even as printf rounds the exact binary
	 * value. Bounds keep shift in 13..62 and num below 2^63; anything
	 * else (never a coordinate or a boot's time) goes to printf itself.
	 */
	if (!(x >= 1e-3 && x < 1e12) || decimals < 0 || decimals > 3 ||
	    size < sizeof(tmp)) {
		int n = snprintf(buf, size, "%.*f", decimals, x);

		return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
	}
	mant = (uint64_t)ldexp(frexp(x, &exp), 53);
	shift = 53 - exp;
	num = mant * scale[decimals];
	q = num >> shift;
	rem = num & (((uint64_t)1 << shift) - 1);
	half = (uint64_t)1 << (shift - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	for (i = 0; i < decimals; i++) {
		*--s = (char)('0' + q % 10);
		q /= 10;
	}
	if (decimals)
		*--s = '.';
	s = decimal(q, s);
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	return (size_t)(end - s);
}

void bst_put_fixed(struct bst_writer *w, double x, int decimals)
{
	char buf[64];

	bst_put_mem(w, buf, bst_format_fixed(buf, sizeof(buf), x, decimals));
}

/*
 * The conversions bst_put_fmt writes itself: %s, %d, %u, %zu, %% and %.Nf
 * with N 0..3, no flags or widths. Returns 0 if fmt has any other.
 */
static int simple_format(const char *fmt)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		fmt++;
		if (*fmt == 's' || *fmt == 'd' || *fmt == 'u' || *fmt == '%')
			continue;
		if (fmt[0] == 'z' && fmt[1] == 'u') {
			fmt++;
			continue;
		}
		if (fmt[0] == '.' && fmt[1] >= '0' && fmt[1] <= '3' && fmt[2] == 'f') {
			fmt += 2;
			continue;
		}
		return 0;
	}
	return 1;
}

static void put_i64(struct bst_writer *w, int64_t v)
{
	if (v < 0) {
		bst_put_char(w, '-');
		bst_put_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		bst_put_u64(w, (uint64_t)v);
	}
}

/* What simple_format accepts, written as printf writes it. */
static void put_simple(struct bst_writer *w, const char *fmt, va_list ap)
{
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		const char *s;

		if (!pct) {
			bst_put_str(w, fmt);
			return;
		}
		bst_put_mem(w, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			bst_put_str(w, s ? s : "(null)");
			break;
		case 'd':
			put_i64(w, va_arg(ap, int));
			break;
		case 'u':
			bst_put_u64(w, va_arg(ap, unsigned));
			break;
		case 'z':
			bst_put_u64(w, va_arg(ap, size_t));
			fmt++;
			break;
		case '.':
			bst_put_fixed(w, va_arg(ap, double), fmt[1] - '0');
			fmt += 2;
			break;
		default:
			bst_put_char(w, '%');
			break;
		}
		fmt++;
	}
}

void bst_put_fmt(struct bst_writer *w, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (simple_format(fmt)) {
		put_simple(w, fmt, ap);
		va_end(ap);
		return;
	}
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		bst_put_mem(w, small, (size_t)n);
		return;
	}
	/* Longer than the small buffer: straight to the stream, in order. */
	bst_writer_flush(w);
	va_start(ap, fmt);
	vfprintf(w->out, fmt, ap);
	va_end(ap);
}
