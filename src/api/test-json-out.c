/*
 * test-json-out.c: json_out() writes JSON that reads back as the same value,
 * for structures of every type and for every string of the Big List of
 * Naughty Strings; control characters come out escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/json-out.h"

static const char *blns_path;

static void assert_round_trip(json_t *v)
{
	char *text = NULL;
	size_t len = 0;
	json_t *back;
	json_error_t err;

	assert_int_equal(json_out(v, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	back = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!back)
		fail_msg("not JSON: %s", err.text);
	assert_true(json_equal(v, back));
	json_decref(back);
	free(text);
}

static void test_shapes(void **state)
{
	json_t *v = json_pack("{s:s,s:i,s:b,s:n,s:[s,i,{}],s:f,s:s#}", "a", "plain", "n", -42, "t",
			      1, "z", "arr", "x", 7, "r", 1.5, "ctl", "\x01\b\f\n\r\t\"\\/", 9);

	(void)state;
	assert_non_null(v);
	assert_round_trip(v);
	json_decref(v);
}

static void test_exact_text(void **state)
{
	json_t *v = json_pack("{s:s,s:[]}", "k", "a\"b\\c\x1f", "e");
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(json_out(v, &text, &len), 0);
	assert_string_equal(text, "{\"k\":\"a\\\"b\\\\c\\u001f\",\"e\":[]}");
	free(text);
	json_decref(v);
}

static void test_naughty_strings(void **state)
{
	json_error_t err;
	json_t *list = json_load_file(blns_path, 0, &err);
	size_t i;

	(void)state;
	assert_non_null(list);
	assert_true(json_array_size(list) > 400);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *one = json_pack("{s:O}", "body", json_array_get(list, i));
		assert_round_trip(one);
		json_decref(one);
	}
	json_decref(list);
}

static void test_too_deep(void **state)
{
	json_t *v = json_array(), *inner = v;
	char *text;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		json_t *next = json_array();
		json_array_append_new(inner, next);
		inner = next;
	}
	assert_int_equal(json_out(v, &text, &len), -EINVAL);
	json_decref(v);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_exact_text),
		cmocka_unit_test(test_naughty_strings),
		cmocka_unit_test(test_too_deep),
	};

	blns_path = argc > 1 ? argv[1] : "../shared/testdata/naughty-strings/blns.json";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
