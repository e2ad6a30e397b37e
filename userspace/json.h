/* SPDX-License-Identifier: GPL-2.0 */
/* Writing JSON strings (json.c). */
#ifndef BST_JSON_H
#define BST_JSON_H

#include <stdio.h>

void bst_json_str(FILE *out, const char *s);

#endif /* BST_JSON_H */
