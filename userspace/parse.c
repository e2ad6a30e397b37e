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
	/* Up to 19 digits never overflow: the common case, checked less. */
	if (len <= 19) {
		for (i = 0; i < len; i++) {
			unsigned digit = (unsigned)(unsigned char)s[i] - '0';

			if (digit > 9)
				return -1;
			v = v * 10 + digit;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < len; i++) {
		uint64_t digit = (uint64_t)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return -1;
		/*
		 * 19 digits never overflow; past them, v * 10 + digit must
		 * stay <= UINT64_MAX (checked without a division per digit).
		 */
		if (i >= 19 && (v > UINT64_MAX / 10 ||
				(v == UINT64_MAX / 10 && digit > UINT64_MAX % 10)))
			return -1;
		v = v * 10 + digit;
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

/*
 * Bytes the format allows: printable ASCII and the newline. Checked over
 * blocks of fixed size with no branch inside, which compilers turn into
 * vector code: the check costs a fraction of an instruction per byte.
 */
#define SCAN_BLOCK 128

static int block_is_text(const unsigned char *s)
{
	unsigned char bad = 0;
	int i;

	for (i = 0; i < SCAN_BLOCK; i++)
		bad |= (unsigned char)(s[i] - 0x20) > 0x5e && s[i] != '\n';
	return !bad;
}

/* The first byte of s[0..len) the format never has; len if none. */
static size_t first_non_text(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i + SCAN_BLOCK <= len && block_is_text(u + i))
		i += SCAN_BLOCK;
	for (; i < len; i++)
		if ((u[i] < 0x20 || u[i] > 0x7e) && u[i] != '\n')
			return i;
	return len;
}

/*
 * How many lines the text has and how many spaces: upper bounds on its
 * events and their key=value fields, so that both are allocated once.
 * Counted per block in small counters, for the same vector code.
 */
static void count_lines_and_spaces(const char *text, size_t len,
				   size_t *lines, size_t *spaces)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, nl = 0, sp = 0;

	for (; i + SCAN_BLOCK <= len; i += SCAN_BLOCK) {
		unsigned char bnl = 0, bsp = 0;	/* at most SCAN_BLOCK each */
		int j;

		for (j = 0; j < SCAN_BLOCK; j++) {
			bnl += u[i + j] == '\n';
			bsp += u[i + j] == ' ';
		}
		nl += bnl;
		sp += bsp;
	}
	for (; i < len; i++) {
		nl += u[i] == '\n';
		sp += u[i] == ' ';
	}
	*lines = nl + 1;
	*spaces = sp;
}

/*
 * What each byte means to the line scanner: most bytes are text and cost
 * one table look-up in a tight loop; only the few that end a token, start
 * a value or are not allowed at all leave it.
 */
enum byte_class { B_TEXT, B_SPACE, B_EQUALS, B_NEWLINE, B_BAD };

static unsigned char byte_class[256];

static void init_byte_classes(void)
{
	int c;

	if (byte_class[0] == B_BAD)
		return;
	for (c = 0; c < 256; c++)
		byte_class[c] = c >= 0x20 && c <= 0x7e ? B_TEXT : B_BAD;
	byte_class[' '] = B_SPACE;
	byte_class['='] = B_EQUALS;
	byte_class['\n'] = B_NEWLINE;
}

static const char *const type_names[BST_T_KNOWN] = {
	[BST_T_PROBE_START] = "probe.start", [BST_T_PROBE_END] = "probe.end",
	[BST_T_MODULE_COMING] = "module.coming", [BST_T_MODULE_LIVE] = "module.live",
	[BST_T_MODULE_GOING] = "module.going", [BST_T_DISK_ADD] = "disk.add",
	[BST_T_DISK_FIRST_IO] = "disk.first_io",
	[BST_T_DISK_PARTITIONS] = "disk.partitions",
	[BST_T_NET_REGISTER] = "net.register", [BST_T_NET_UP] = "net.up",
	[BST_T_NET_CARRIER] = "net.carrier", [BST_T_NET_IPV4] = "net.ipv4",
	[BST_T_NET_IPV6] = "net.ipv6", [BST_T_EXEC] = "exec",
	[BST_T_EXIT] = "exit", [BST_T_INIT_EXEC] = "init.exec",
	[BST_T_ROOT_MOUNT] = "root.mount", [BST_T_MARK] = "mark",
	[BST_T_FN_START] = "fn.start", [BST_T_FN_END] = "fn.end",
	[BST_T_UNIT_START] = "unit.start", [BST_T_UNIT_END] = "unit.end",
};

/*
 * Which known type a name is. Once per event: only the names of the same
 * first character and length are compared whole.
 */
enum bst_type_id bst_type_id_of(const char *type)
{
	static unsigned char first[BST_T_KNOWN], len[BST_T_KNOWN];
	size_t n = strlen(type);
	int t;

	if (!first[1])
		for (t = 1; t < BST_T_KNOWN; t++) {
			first[t] = (unsigned char)type_names[t][0];
			len[t] = (unsigned char)strlen(type_names[t]);
		}
	for (t = 1; t < BST_T_KNOWN; t++)
		if (first[t] == (unsigned char)type[0] && len[t] == n &&
		    !memcmp(type_names[t], type, n))
			return (enum bst_type_id)t;
	return BST_T_OTHER;
}

/* A token of a line: where it starts and its first '=' (NULL: none). */
struct token {
	char *s;
	char *eq;
};

/* The tokens of one line; the array is reused from line to line. */
struct line {
	struct token *tok;
	size_t ntok, cap;
};

/*
 * Split the line at p on single spaces in one pass, NUL-terminating each
 * token and the line, and noting each token's first '='. An empty token
 * (two spaces) is kept, for the field checks to refuse. Returns the start
 * of the next line, or NULL with err set (a byte the format never has, a
 * last line with no newline, no memory).
 */
static char *scan_line(char *p, struct line *ln, const char *name,
		       size_t lineno, struct bst_error *err)
{
	char *line = p, *tok = p, *eq = NULL;

	ln->ntok = 0;
	for (;; p++) {
		unsigned char c;

		/*
		 * Four at a time: p[1] is read only if p[0] was text, so
		 * never past the string's NUL.
		 */
		while (byte_class[(unsigned char)p[0]] == B_TEXT &&
		       byte_class[(unsigned char)p[1]] == B_TEXT &&
		       byte_class[(unsigned char)p[2]] == B_TEXT &&
		       byte_class[(unsigned char)p[3]] == B_TEXT)
			p += 4;
		while (byte_class[(unsigned char)*p] == B_TEXT)
			p++;
		c = (unsigned char)*p;
		if (byte_class[c] == B_EQUALS) {
			if (!eq)
				eq = p;
			continue;
		}
		if (byte_class[c] == B_BAD) {
			if (c == '\0')
				fail(err, name, lineno,
				     "last line has no newline: the capture is truncated");
			else
				fail(err, name, lineno,
				     "byte 0x%02x at column %zu: not printable ASCII",
				     c, (size_t)(p - line) + 1);
			return NULL;
		}
		/* A space or the newline ends a token. */
		if (ln->ntok == ln->cap &&
		    grow((void **)&ln->tok, &ln->cap, ln->ntok + 1,
			 sizeof(*ln->tok))) {
			fail(err, name, lineno, "out of memory");
			return NULL;
		}
		ln->tok[ln->ntok++] = (struct token){ tok, eq };
		*p = '\0';
		if (c == '\n')
			return p + 1;
		tok = p + 1;
		eq = NULL;
	}
}

/* "# word key=value ...": keep every key=value. */
static int add_header(struct bst_capture *cap, size_t *hcap,
		      const struct token *tok, size_t ntok)
{
	size_t i;

	for (i = 0; i < ntok; i++) {
		const struct token *t = &tok[i];

		if (!t->eq || t->eq == t->s)
			continue;
		if (grow((void **)&cap->header, hcap, cap->nheader + 1,
			 sizeof(*cap->header)))
			return -1;
		*t->eq = '\0';
		cap->header[cap->nheader++] = (struct bst_kv){ t->s, t->eq + 1 };
	}
	return 0;
}

/* <seq> <s.ns> <type> <subject> [key=value ...]; fields_used grows. */
static int add_event(struct bst_capture *cap, size_t *fields_used,
		     const struct line *ln, const char *name, size_t lineno,
		     struct bst_error *err)
{
	struct bst_event *ev = &cap->ev[cap->nev];
	const struct token *tok = ln->tok;
	uint64_t seq;
	size_t i;

	if (ln->ntok < 4)
		return fail(err, name, lineno,
			    "event line has %zu fields, needs at least 4: <seq> <time> <event> <subject>",
			    ln->ntok);
	if (parse_u64(tok[0].s, strlen(tok[0].s), &seq) || !seq ||
	    seq > 0xffffffffu)
		return fail(err, name, lineno,
			    "sequence number \"%s\" is not a positive integer",
			    tok[0].s);
	if (cap->nev && seq <= cap->ev[cap->nev - 1].seq)
		return fail(err, name, lineno,
			    "sequence number %" PRIu64 " does not follow %lu",
			    seq, cap->ev[cap->nev - 1].seq);
	memset(ev, 0, sizeof(*ev));
	if (parse_time(tok[1].s, &ev->t_ns))
		return fail(err, name, lineno,
			    "time \"%s\" is not <seconds>.<9 digits>", tok[1].s);
	if (!valid_type(tok[2].s))
		return fail(err, name, lineno,
			    "event name \"%s\" is not [a-z0-9._]+", tok[2].s);
	if (!tok[3].s[0])
		return fail(err, name, lineno, "empty subject");
	ev->seq = (unsigned long)seq;
	ev->line = lineno;
	ev->type = tok[2].s;
	ev->type_id = bst_type_id_of(ev->type);
	ev->subject = tok[3].s;
	for (i = 4; i < ln->ntok; i++) {
		struct bst_field *f = &cap->field_pool[*fields_used + ev->nkv];

		if (!tok[i].eq || tok[i].eq == tok[i].s)
			return fail(err, name, lineno,
				    "field %zu \"%s\" is not key=value",
				    i + 1, tok[i].s);
		/* Offsets from the subject are 32 bits (struct bst_field). */
		if ((size_t)(tok[i].eq + 1 - tok[3].s) > UINT32_MAX)
			return fail(err, name, lineno,
				    "line longer than 4 GiB: not a bootstamps capture");
		*tok[i].eq = '\0';
		f->key = (uint32_t)(tok[i].s - tok[3].s);
		f->val = (uint32_t)(tok[i].eq + 1 - tok[3].s);
		ev->nkv++;
	}
	if (ev->nkv)
		ev->fields = &cap->field_pool[*fields_used];
	*fields_used += ev->nkv;
	cap->nev++;
	return 0;
}

int bst_parse_text(const char *name, char *text, struct bst_capture *cap,
		   struct bst_error *err)
{
	size_t hcap = 0, fields_used = 0, lineno = 0, max_lines, max_fields;
	struct line ln = { 0 };
	char *p = text;
	int rc = -1;

	init_byte_classes();
	memset(cap, 0, sizeof(*cap));
	cap->text = text;
	cap->name = strdup(name);
	if (!cap->name)
		return fail(err, name, 0, "out of memory");
	/*
	 * Every event and every key=value in two arrays sized up front (a
	 * line per event, a space before each field): no allocation per
	 * event, no reallocation, and pointers into them stay valid.
	 */
	count_lines_and_spaces(text, strlen(text), &max_lines, &max_fields);
	cap->ev = malloc(max_lines * sizeof(*cap->ev));
	cap->field_pool = malloc((max_fields + 1) * sizeof(*cap->field_pool));
	if (!cap->ev || !cap->field_pool)
		goto oom;

	while (*p) {
		char *line = p;

		lineno++;
		p = scan_line(p, &ln, name, lineno, err);
		if (!p)
			goto out;

		if (lineno == 1) {
			uint64_t v;

			/* "# bootstamps <version>", split on its spaces. */
			if (ln.ntok != 3 || strcmp(ln.tok[0].s, "#") ||
			    strcmp(ln.tok[1].s, "bootstamps") ||
			    parse_u64(ln.tok[2].s, strlen(ln.tok[2].s), &v)) {
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
			/* "#" then a space: the first token is "#" alone. */
			if (line[1] || ln.ntok < 2)
				continue;
			/* The tokens after "# " (the first is "#"). */
			if (add_header(cap, &hcap, ln.tok + 1, ln.ntok - 1))
				goto oom;
			continue;
		}
		if (add_event(cap, &fields_used, &ln, name, lineno, err))
			goto out;
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
	free(ln.tok);
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
	int first_line_checked;
};

static const char capture_magic[] = "# bootstamps ";

/*
 * Refuse bytes the format never has, and a first line that is not a
 * capture's, as soon as they arrive: binary data and other files are
 * refused after one chunk, not after reading all of them. buf holds
 * everything read so far, so the line and column of a bad byte are
 * counted only when there is one.
 */
static int scan_chunk(struct read_scan *sc, const char *buf, size_t from,
		      size_t to, const char *path, struct bst_error *err)
{
	const size_t magic_len = sizeof(capture_magic) - 1;
	size_t bad, line = 1, line_start = 0, i;
	unsigned char c;

	if (!sc->first_line_checked) {
		const char *nl = memchr(buf, '\n', to);
		size_t have = nl ? (size_t)(nl - buf) : to;

		if (memcmp(buf, capture_magic, have < magic_len ? have : magic_len) ||
		    (nl && have <= magic_len))
			return fail(err, path, 1,
				    "not a bootstamps capture: the first line must be \"# bootstamps <version>\"");
		sc->first_line_checked = have >= magic_len;
	}
	bad = from + first_non_text(buf + from, to - from);
	if (bad == to)
		return 0;
	for (i = 0; i < bad; i++)
		if (buf[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	c = (unsigned char)buf[bad];
	if (c == '\0')
		return fail(err, path, line,
			    "a NUL byte at column %zu: binary data, not a bootstamps capture",
			    bad - line_start + 1);
	return fail(err, path, line,
		    "byte 0x%02x at column %zu: not printable ASCII",
		    c, bad - line_start + 1);
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
	struct read_scan sc = { 0 };
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
			/*
			 * Not sized from st_size up front: a sparse or binary
			 * file within the limit is refused after its first bad
			 * chunk, having taken no more memory than that.
			 */
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
	free(cap->field_pool);
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

/*
 * Every output asks each event for a few keys, and an event has a few
 * to fifteen: a walk is fine, but most keys differ from the one asked for
 * in their first two characters, so those are compared before a call to
 * strcmp. (Keys are never empty, so key[1] exists when key[0] matched.)
 */
const char *bst_event_get(const struct bst_event *ev, const char *key)
{
	size_t i;

	for (i = 0; i < ev->nkv; i++) {
		const char *k = ev->subject + ev->fields[i].key;

		if (k[0] == key[0] && k[1] == key[1] &&
		    (!k[1] || !strcmp(k + 2, key + 2)))
			return ev->subject + ev->fields[i].val;
	}
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
	size_t lo = 0, hi = cap->nev, at;

	if (!cap->nev || seq < cap->ev[0].seq)
		return NULL;
	/*
	 * Events are in strictly increasing seq order (checked on parse), so
	 * seq is at most seq - first places in; with no gaps (the module
	 * numbers every event it keeps) exactly there.
	 */
	at = seq - cap->ev[0].seq;
	if (at < cap->nev && cap->ev[at].seq == seq)
		return &cap->ev[at];
	if (at < hi)
		hi = at;
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
