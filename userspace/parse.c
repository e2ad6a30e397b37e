// SPDX-License-Identifier: GPL-2.0
/*
 * Parse the /proc/bootstamps format (docs/format.md). Strict about
 * structure, so a torn or corrupted capture is an error naming its line;
 * lenient about content, so keys this reader does not know are kept and
 * ignored, as the format promises.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "input.h"

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
	if (bst_validate(cap, bst_quiet_warnings ? NULL : stderr, err) < 0)
		goto out;
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

size_t bst_max_input_bytes = BST_MAX_INPUT_DEFAULT;
int bst_quiet_warnings;

int bst_parse_size(const char *s, size_t *out)
{
	uint64_t v, unit = 1;
	size_t len = s ? strlen(s) : 0;

	if (len && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		unit = (uint64_t)1 << 10;
	else if (len && s[len - 1] == 'M')
		unit = (uint64_t)1 << 20;
	else if (len && s[len - 1] == 'G')
		unit = (uint64_t)1 << 30;
	if (unit > 1)
		len--;
	if (parse_u64(s, len, &v) || v == 0 || v > SIZE_MAX / 2 / unit)
		return -1;
	*out = (size_t)(v * unit);
	return 0;
}

/* A limit as people read it: "64 MiB (67108864 bytes)". */
static void format_limit(char *buf, size_t size, size_t limit)
{
	if (limit % ((size_t)1 << 20) == 0)
		snprintf(buf, size, "%zu MiB (%zu bytes)", limit >> 20, limit);
	else
		snprintf(buf, size, "%zu bytes", limit);
}

static int too_big(struct bst_error *err, const char *path, size_t limit)
{
	char lim[64];

	format_limit(lim, sizeof(lim), limit);
	return fail(err, path, 0,
		    "larger than the input limit of %s: not a capture this reader reads (--max-size BYTES raises the limit)",
		    lim);
}

/* Where the check of bytes as they arrive has got to. */
struct read_scan {
	size_t line, column;	/* of the next byte, 1-based */
	int first_line_checked;
};

static const char capture_magic[] = "# bootstamps ";

/*
 * Refuse bytes the format never has, and a first line that is not a
 * capture's, as soon as they arrive: binary data and other files are
 * refused after one chunk, not after reading all of them.
 */
static int scan_chunk(struct read_scan *sc, const char *buf, size_t from,
		      size_t to, const char *path, struct bst_error *err)
{
	const size_t magic_len = sizeof(capture_magic) - 1;
	size_t i;

	if (!sc->first_line_checked) {
		const char *nl = memchr(buf, '\n', to);
		size_t have = nl ? (size_t)(nl - buf) : to;

		if (memcmp(buf, capture_magic, have < magic_len ? have : magic_len) ||
		    (nl && have <= magic_len))
			return fail(err, path, 1,
				    "not a bootstamps capture: the first line must be \"# bootstamps <version>\"");
		sc->first_line_checked = have >= magic_len;
	}
	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			sc->line++;
			sc->column = 1;
			continue;
		}
		if (c < 0x20 || c > 0x7e) {
			if (c == '\0')
				return fail(err, path, sc->line,
					    "a NUL byte at column %zu: binary data, not a bootstamps capture",
					    sc->column);
			return fail(err, path, sc->line,
				    "byte 0x%02x at column %zu: not printable ASCII",
				    c, sc->column);
		}
		sc->column++;
	}
	return 0;
}

/*
 * The whole file (or standard input, for "-") as a NUL-terminated string,
 * read in bounded chunks and checked as it arrives: at most
 * bst_max_input_bytes, printable ASCII and newlines only.
 */
int bst_read_all(const char *path, char **out, size_t *outlen,
		 struct bst_error *err)
{
	const size_t chunk = 65536, limit = bst_max_input_bytes;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	struct read_scan sc = { .line = 1, .column = 1 };
	size_t len = 0, size = 0;
	char *buf = NULL;
	struct stat st;
	int rc = -1;

	if (fd < 0)
		return fail(err, path, 0, "cannot open: %s", strerror(errno));
	if (!fstat(fd, &st)) {
		if (S_ISDIR(st.st_mode)) {
			fail(err, path, 0, "is a directory, not a capture");
			goto out;
		}
		/* A regular file's size is known: refuse before reading it. */
		if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit) {
			too_big(err, path, limit);
			goto out;
		}
	}
	for (;;) {
		size_t want;
		ssize_t n;

		/* Room for one more chunk, never past limit + 1 bytes. */
		want = limit + 1 - len < chunk ? limit + 1 - len : chunk;
		if (len + want + 1 > size) {
			/* Doubling, but never past what the limit can need. */
			size_t ncap = size ? 2 * size : chunk + 1;
			char *p;

			if (ncap > limit + 2)
				ncap = limit + 2;
			p = realloc(buf, ncap);
			if (!p) {
				fail(err, path, 0, "out of memory");
				goto out;
			}
			buf = p;
			size = ncap;
		}
		n = read(fd, buf + len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(err, path, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (len + (size_t)n > limit) {
			too_big(err, path, limit);
			goto out;
		}
		if (scan_chunk(&sc, buf, len, len + (size_t)n, path, err))
			goto out;
		len += (size_t)n;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			fail(err, path, 0, "out of memory");
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (outlen)
		*outlen = len;
	rc = 0;
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
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
