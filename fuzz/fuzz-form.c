/*
 * fuzz-form.c: libFuzzer target for form_parse() and fields_from_form().
 *
 * The input is an urlencoded body.  It is parsed with the server's field cap,
 * then converted against a fixed table holding every field type, the way a
 * page handler would.  Besides memory errors, it checks the contract: parsed
 * names and values are valid UTF-8 with the advertised lengths and no
 * duplicates, and a converted object passes fields_check() again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs[] = {"en", "es", "ru", NULL};
static const char *const areas[] = {"emotional", "physical", "mental", "sexual", "financial", NULL};

static const struct field table[] = {
	{.name = "login", .type = FIELD_STRING, .required = 1, .min = 3, .max = 64},
	{.name = "password", .type = FIELD_SECRET, .min = 10, .max = 1024},
	{.name = "read", .type = FIELD_BOOL},
	{.name = "trust", .type = FIELD_INT, .min = 0, .max = 10},
	{.name = "language", .type = FIELD_ENUM, .choices = langs},
	{.name = "before", .type = FIELD_ID},
	{.name = "period", .type = FIELD_DATE},
	{.name = "shared_with", .type = FIELD_SHARED},
	{.name = "scores", .type = FIELD_INT_MAP, .min = 1, .max = 5, .choices = areas},
	{.name = "feelings", .type = FIELD_ENUM_SET, .min = 1, .max = 3, .choices = areas},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_error err;
	struct kfield *f = NULL;
	size_t n = 0, i, j;
	json_t *obj = NULL;
	int r;

	if (size > LIMIT_BODY_BYTES)
		return 0;
	r = form_parse((const char *)data, size, LIMIT_FORM_FIELDS, &f, &n);
	if (r < 0) {
		if (r != -EINVAL && r != -E2BIG && r != -ENOMEM)
			abort();
		return 0;
	}
	if (n > LIMIT_FORM_FIELDS)
		abort();
	for (i = 0; i < n; i++) {
		if (!f[i].name[0] || !utf8_valid(f[i].name, strlen(f[i].name)))
			abort();
		if (strlen(f[i].value) != f[i].value_len || !utf8_valid(f[i].value, f[i].value_len))
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(f[i].name, f[j].name) == 0)
				abort();
	}

	r = fields_from_form(f, n, table, sizeof(table) / sizeof(table[0]), &obj, &err);
	if (r == 0) {
		if (fields_check(obj, table, sizeof(table) / sizeof(table[0]), &err) != 0)
			abort();
		json_decref(obj);
	} else if (r == -EINVAL) {
		if (!err.code || strlen(err.field) >= sizeof(err.field) ||
		    !utf8_valid(err.field, strlen(err.field)))
			abort();
	} else if (r != -ENOMEM) {
		abort();
	}
	form_free(f, n);
	return 0;
}
