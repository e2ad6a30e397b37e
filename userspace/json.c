// SPDX-License-Identifier: GPL-2.0
/* A JSON string literal, escaped as RFC 8259 requires. */
#include "json.h"

void bst_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	while (s && *s) {
		const char *run = s;
		unsigned char c;

		/* Runs that need no escape go out in one write. */
		while ((unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
			s++;
		fwrite(run, 1, (size_t)(s - run), out);
		if (!*s)
			break;
		c = (unsigned char)*s++;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else
			fprintf(out, "\\u%04x", c);
	}
	fputc('"', out);
}
