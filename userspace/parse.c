// SPDX-License-Identifier: GPL-2.0
/*
 * Parse the /proc/bootstamps format (docs/format.md). Strict about
 * structure, so a torn or corrupted capture is an error naming its line;
 * lenient about content, so keys this reader does not know are kept and
 * ignored, as the format promises.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

static int fail(struct bst_error *err, const char *name, size_t line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	n = line ? snprintf(err->msg, sizeof(err->msg), "%s:%zu: ", name, line)
		 : snprintf(err->msg, sizeof(err->msg), "%s: ", name);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *p;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Digits only, at least one, no sign, fits in 64 bits. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "<seconds>.<exactly nine digits>" into nanoseconds. */
static int parse_time(const char *s, uint64_t *ns)
{
	const char *dot = strchr(s, '.');
	uint64_t sec, frac;

	if (!dot || strlen(dot + 1) != 9)
		return -1;
	if (parse_u64(s, (size_t)(dot - s), &sec) ||
	    parse_u64(dot + 1, 9, &frac))
		return -1;
	if (sec > UINT64_MAX / 1000000000u - 1)
		return -1;
	*ns = sec * 1000000000u + frac;
	return 0;
}

static int valid_type(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_'))
			return 0;
	return 1;
}

/* Split on single spaces; an empty token (two spaces) is malformed. */
static int tokenize(char *line, char ***tok, size_t *ntok, size_t *cap)
{
	char *p = line;

	*ntok = 0;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (grow((void **)tok, cap, *ntok + 1, sizeof(char *)))
			return -1;
		(*tok)[(*ntok)++] = p;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return 0;
}

static int split_kv(char *tok, struct bst_kv *kv)
{
	char *eq = strchr(tok, '=');

	if (!eq || eq == tok)
		return -1;
	*eq = '\0';
	kv->key = tok;
	kv->val = eq + 1;
	return 0;
}

int bst_parse_text(const char *name, char *text, struct bst_capture *cap,
		   struct bst_error *err)
{
	size_t evcap = 0, hcap = 0, tokcap = 0, ntok, lineno = 0, i;
	char **tok = NULL;
	char *p = text;
	int rc = -1;

	memset(cap, 0, sizeof(*cap));
	cap->text = text;
	cap->name = strdup(name);
	if (!cap->name)
		return fail(err, name, 0, "out of memory");

	while (*p) {
		char *line = p, *nl;

		lineno++;
		/* One pass: find the newline, refuse anything not printable. */
		for (nl = p; *nl != '\n'; nl++) {
			unsigned char c = (unsigned char)*nl;

			if (c >= 0x20 && c <= 0x7e)
				continue;
			if (c == '\0') {
				fail(err, name, lineno,
				     "last line has no newline: the capture is truncated");
			} else {
				fail(err, name, lineno,
				     "byte 0x%02x at column %zu: not printable ASCII",
				     c, (size_t)(nl - line) + 1);
			}
			goto out;
		}
		*nl = '\0';
		p = nl + 1;

		if (lineno == 1) {
			uint64_t v;

			if (strncmp(line, "# bootstamps ", 13) ||
			    parse_u64(line + 13, strlen(line + 13), &v)) {
				fail(err, name, lineno,
				     "not a bootstamps capture: the first line must be \"# bootstamps <version>\"");
				goto out;
			}
			if (v < 1 || v > BST_FORMAT_SUPPORTED) {
				fail(err, name, lineno,
				     "format version %" PRIu64 " is not supported (this reader knows 1..%d); upgrade bootstamps",
				     v, BST_FORMAT_SUPPORTED);
				goto out;
			}
			cap->format_version = (int)v;
			continue;
		}

		if (line[0] == '#') {
			/* "# word key=value ...": keep every key=value. */
			if (line[1] != ' ')
				continue;
			if (tokenize(line + 2, &tok, &ntok, &tokcap))
				goto oom;
			for (i = 0; i < ntok; i++) {
				struct bst_kv kv;

				if (split_kv(tok[i], &kv))
					continue;
				if (grow((void **)&cap->header, &hcap,
					 cap->nheader + 1, sizeof(kv)))
					goto oom;
				cap->header[cap->nheader++] = kv;
			}
			continue;
		}

		/* <seq> <s.ns> <type> <subject> [key=value ...] */
		{
			struct bst_event ev = { .line = lineno };
			uint64_t seq;

			if (tokenize(line, &tok, &ntok, &tokcap))
				goto oom;
			if (ntok < 4) {
				fail(err, name, lineno,
				     "event line has %zu fields, needs at least 4: <seq> <time> <event> <subject>",
				     ntok);
				goto out;
			}
			if (parse_u64(tok[0], strlen(tok[0]), &seq) || !seq ||
			    seq > 0xffffffffu) {
				fail(err, name, lineno,
				     "sequence number \"%s\" is not a positive integer",
				     tok[0]);
				goto out;
			}
			if (cap->nev && seq <= cap->ev[cap->nev - 1].seq) {
				fail(err, name, lineno,
				     "sequence number %" PRIu64 " does not follow %lu",
				     seq, cap->ev[cap->nev - 1].seq);
				goto out;
			}
			if (parse_time(tok[1], &ev.t_ns)) {
				fail(err, name, lineno,
				     "time \"%s\" is not <seconds>.<9 digits>",
				     tok[1]);
				goto out;
			}
			if (!valid_type(tok[2])) {
				fail(err, name, lineno,
				     "event name \"%s\" is not [a-z0-9._]+",
				     tok[2]);
				goto out;
			}
			if (!tok[3][0]) {
				fail(err, name, lineno, "empty subject");
				goto out;
			}
			ev.seq = (unsigned long)seq;
			ev.type = tok[2];
			ev.subject = tok[3];
			if (ntok > 4) {
				ev.kv = calloc(ntok - 4, sizeof(*ev.kv));
				if (!ev.kv)
					goto oom;
			}
			for (i = 4; i < ntok; i++) {
				if (split_kv(tok[i], &ev.kv[ev.nkv])) {
					free(ev.kv);
					fail(err, name, lineno,
					     "field %zu \"%s\" is not key=value",
					     i + 1, tok[i]);
					goto out;
				}
				ev.nkv++;
			}
			if (grow((void **)&cap->ev, &evcap, cap->nev + 1,
				 sizeof(ev))) {
				free(ev.kv);
				goto oom;
			}
			cap->ev[cap->nev++] = ev;
		}
	}
	if (lineno == 0) {
		fail(err, name, 0, "empty file: not a bootstamps capture");
		goto out;
	}
	rc = 0;
	goto out;
oom:
	fail(err, name, lineno, "out of memory");
out:
	free(tok);
	if (rc) {
		cap->text = NULL;	/* the caller still owns text */
		bst_capture_free(cap);
	}
	return rc;
}

/*
 * The whole file (or standard input, for "-") as a NUL-terminated string.
 * A NUL byte inside it is an error: the format is text.
 */
int bst_read_all(const char *path, char **out, size_t *outlen,
		 struct bst_error *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len = 0, size = 0;
	char *buf = NULL;

	if (!f)
		return fail(err, path, 0, "cannot open: %s", strerror(errno));
	for (;;) {
		size_t n;

		if (grow((void **)&buf, &size, len + 65536, 1)) {
			if (f != stdin)
				fclose(f);
			free(buf);
			return fail(err, path, 0, "out of memory");
		}
		n = fread(buf + len, 1, size - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		if (f != stdin)
			fclose(f);
		free(buf);
		return fail(err, path, 0, "cannot read: %s", strerror(e));
	}
	if (f != stdin)
		fclose(f);
	if (memchr(buf, '\0', len)) {
		free(buf);
		return fail(err, path, 0,
			    "contains a NUL byte: not a bootstamps capture");
	}
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

int bst_parse_file(const char *path, struct bst_capture *cap,
		   struct bst_error *err)
{
	char *buf;

	if (bst_read_all(path, &buf, NULL, err))
		return -1;
	if (bst_parse_text(path, buf, cap, err)) {
		free(buf);
		return -1;
	}
	return 0;
}

void bst_capture_free(struct bst_capture *cap)
{
	size_t i;

	for (i = 0; i < cap->nev; i++)
		free(cap->ev[i].kv);
	free(cap->ev);
	free(cap->header);
	free(cap->name);
	free(cap->text);
	memset(cap, 0, sizeof(*cap));
}

const char *bst_header_get(const struct bst_capture *cap, const char *key)
{
	size_t i;

	for (i = 0; i < cap->nheader; i++)
		if (!strcmp(cap->header[i].key, key))
			return cap->header[i].val;
	return NULL;
}

const char *bst_event_get(const struct bst_event *ev, const char *key)
{
	size_t i;

	for (i = 0; i < ev->nkv; i++)
		if (!strcmp(ev->kv[i].key, key))
			return ev->kv[i].val;
	return NULL;
}

/* 1 if present and a valid integer, 0 if absent, -1 if malformed. */
int bst_event_get_i64(const struct bst_event *ev, const char *key,
		      int64_t *out)
{
	const char *v = bst_event_get(ev, key);
	uint64_t u;
	int neg;

	if (!v)
		return 0;
	neg = v[0] == '-';
	if (parse_u64(v + neg, strlen(v + neg), &u) || u > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)u : (int64_t)u;
	return 1;
}

const struct bst_event *bst_find_seq(const struct bst_capture *cap,
				     unsigned long seq)
{
	size_t lo = 0, hi = cap->nev;

	/* Events are in strictly increasing seq order (checked on parse). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cap->ev[mid].seq == seq)
			return &cap->ev[mid];
		if (cap->ev[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Undo the format's escaping (\xHH) into a new string; the caller frees
 * it. A malformed escape is kept as written.
 */
char *bst_unescape(const char *s)
{
	char *out = malloc(strlen(s ? s : "") + 1), *o = out;

	if (!out)
		return NULL;
	while (s && *s) {
		if (s[0] == '\\' && s[1] == 'x' && hexval(s[2]) >= 0 &&
		    hexval(s[3]) >= 0) {
			*o++ = (char)(hexval(s[2]) * 16 + hexval(s[3]));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}
