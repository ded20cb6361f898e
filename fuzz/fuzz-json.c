/*
 * fuzz-json.c: libFuzzer target for json_parse_body() and fields_check().
 *
 * The input is a request body.  It is decoded with the server's depth cap and
 * checked against a fixed table holding every field type.  Besides memory
 * errors, it checks the contract: an accepted body is an object whose
 * re-encoding decodes again, and a refusal names a known code and a field
 * that is valid UTF-8 and fits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs[] = {"en", "es", "ru", NULL};
static const char *const kinds[] = {"insecurity", "fear", "desire", "need", "hope", NULL};
static const char *const areas[] = {"emotional", "physical", "mental", "sexual", "financial", NULL};

static const struct field table[] = {
	{.name = "login", .type = FIELD_STRING, .min = 3, .max = 64},
	{.name = "password", .type = FIELD_SECRET, .min = 10, .max = 1024},
	{.name = "read", .type = FIELD_BOOL},
	{.name = "trust", .type = FIELD_INT, .min = 0, .max = 10},
	{.name = "language", .type = FIELD_ENUM, .choices = langs},
	{.name = "kind", .type = FIELD_ENUM, .choices = kinds},
	{.name = "id", .type = FIELD_ID},
	{.name = "period", .type = FIELD_DATE},
	{.name = "shared_with", .type = FIELD_SHARED},
	{.name = "scores", .type = FIELD_INT_MAP, .min = 1, .max = 5, .choices = areas},
	{.name = "feelings", .type = FIELD_ENUM_SET, .min = 1, .max = 3, .choices = areas},
	{.name = "body", .type = FIELD_STRING, .min = 1, .max = 20000},
};

static const char *const codes[] = {
	INPUT_INVALID_JSON, INPUT_UNKNOWN_FIELD, INPUT_MISSING_FIELD, INPUT_WRONG_TYPE,
	INPUT_TOO_SHORT,    INPUT_TOO_LONG,	 INPUT_OUT_OF_RANGE,  INPUT_INVALID_VALUE,
};

static void check_error(const struct input_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (err->code && strcmp(err->code, codes[i]) == 0)
			break;
	if (i == sizeof(codes) / sizeof(codes[0]))
		abort();
	if (strlen(err->field) >= sizeof(err->field) || !utf8_valid(err->field, strlen(err->field)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_error err = {0};
	json_t *obj = NULL, *again = NULL;
	char *dump;
	int r;

	if (size > LIMIT_BODY_BYTES)
		return 0;
	r = json_parse_body((const char *)data, size, LIMIT_JSON_DEPTH, &obj, &err);
	if (r == -ENOMEM)
		return 0;
	if (r < 0) {
		if (r != -EINVAL || !err.code || strcmp(err.code, INPUT_INVALID_JSON) != 0 ||
		    err.field[0])
			abort();
		return 0;
	}
	if (!json_is_object(obj))
		abort();

	/* What we accepted, encoded again, is accepted again. */
	dump = json_dumps(obj, JSON_COMPACT);
	if (dump) {
		if (json_parse_body(dump, strlen(dump), LIMIT_JSON_DEPTH, &again, &err) != 0 ||
		    !json_equal(obj, again))
			abort();
		json_decref(again);
		free(dump);
	}

	r = fields_check(obj, table, sizeof(table) / sizeof(table[0]), &err);
	if (r == -EINVAL)
		check_error(&err);
	else if (r != 0)
		abort();
	json_decref(obj);
	return 0;
}
