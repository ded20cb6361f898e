/*
 * test-json-out.c: json_out() writes JSON that reads back as the same value,
 * for structures of every type and for every string of the Big List of
 * Naughty Strings; control characters come out escaped.  The streaming
 * writer gives the very bytes json_out() gives for the same value, escapes
 * a byte the same wherever it falls in a string (the scan goes 8 bytes at
 * a time), and refuses to finish anything that is not one whole value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* Finishes w and checks the text against want (NUL-terminated). */
static void assert_writer_text(struct json_writer *w, const char *want)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(json_writer_finish(w, &text, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(text, want);
	free(text);
}

static void test_writer_shapes(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 1); /* a tiny first buffer: every write grows it */
	json_writer_begin_object(&w);
	json_writer_key(&w, "entries");
	json_writer_begin_array(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "id");
	json_writer_string(&w, "abc", 3);
	json_writer_key(&w, "prompt");
	json_writer_string_or_null(&w, NULL);
	json_writer_key(&w, "n");
	json_writer_integer(&w, -42);
	json_writer_key(&w, "t");
	json_writer_bool(&w, 1);
	json_writer_key(&w, "f");
	json_writer_bool(&w, 0);
	json_writer_key(&w, "e");
	json_writer_begin_array(&w);
	json_writer_end_array(&w);
	json_writer_key(&w, "o");
	json_writer_begin_object(&w);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	json_writer_string(&w, "", 0);
	json_writer_null(&w);
	json_writer_end_array(&w);
	json_writer_key(&w, "k\"ey");
	json_writer_string_or_null(&w, "v");
	JSON_WRITER_KEY(&w, "lit");
	json_writer_integer(&w, 1);
	JSON_WRITER_KEY(&w, "tab\there");
	json_writer_integer(&w, 2);
	json_writer_key_len(&w, "cut here", 3);
	json_writer_integer(&w, 3);
	json_writer_end_object(&w);
	assert_int_equal(json_writer_error(&w), 0);
	assert_writer_text(&w, "{\"entries\":[{\"id\":\"abc\",\"prompt\":null,\"n\":-42,"
			       "\"t\":true,\"f\":false,\"e\":[],\"o\":{}},\"\",null],"
			       "\"k\\\"ey\":\"v\",\"lit\":1,\"tab\\there\":2,\"cut\":3}");
}

/* The writer, driven by hand, and json_out() of the same jansson value: the same bytes. */
static void test_writer_matches_json_out(void **state)
{
	static const char body[] = "Entry 5. Quote \" back\\slash tab\t nl\n \xc3\xbc\xe6\x97\xa5 "
				   "\xf0\x9f\x98\x80 </script>\x01\x7f";
	json_t *v = json_pack("{s:[{s:s,s:s#,s:n,s:s,s:s}],s:I,s:I}", "entries", "id",
			      "56b3153bf02636dbe98857d1dc0196f9", "body", body, sizeof(body) - 1,
			      "prompt", "created_at", "2026-11-26T04:01:26Z", "updated_at",
			      "2026-11-26T04:01:26Z", "min", (json_int_t)INT64_MIN, "max",
			      (json_int_t)INT64_MAX);
	struct json_writer w;
	char *want, *text;
	size_t want_len, len;

	(void)state;
	assert_non_null(v);
	assert_int_equal(json_out(v, &want, &want_len), 0);
	json_writer_init(&w, 0);
	json_writer_begin_object(&w);
	json_writer_key(&w, "entries");
	json_writer_begin_array(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "id");
	json_writer_string(&w, "56b3153bf02636dbe98857d1dc0196f9", 32);
	json_writer_key(&w, "body");
	json_writer_string(&w, body, sizeof(body) - 1);
	json_writer_key(&w, "prompt");
	json_writer_null(&w);
	json_writer_key(&w, "created_at");
	json_writer_string(&w, "2026-11-26T04:01:26Z", 20);
	json_writer_key(&w, "updated_at");
	json_writer_string(&w, "2026-11-26T04:01:26Z", 20);
	json_writer_end_object(&w);
	json_writer_end_array(&w);
	json_writer_key(&w, "min");
	json_writer_integer(&w, (long long)INT64_MIN);
	json_writer_key(&w, "max");
	json_writer_integer(&w, (long long)INT64_MAX);
	json_writer_end_object(&w);
	assert_int_equal(json_writer_finish(&w, &text, &len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(text, want, len);
	assert_non_null(strstr(text, "\"min\":-9223372036854775808,\"max\":9223372036854775807"));
	free(text);
	free(want);
	json_decref(v);
}

/* The escaping of one byte, written out independently of json-out.c. */
static size_t reference_escape(unsigned char ch, char *out)
{
	switch (ch) {
	case '"':
		return (size_t)sprintf(out, "\\\"");
	case '\\':
		return (size_t)sprintf(out, "\\\\");
	case '\n':
		return (size_t)sprintf(out, "\\n");
	case '\r':
		return (size_t)sprintf(out, "\\r");
	case '\t':
		return (size_t)sprintf(out, "\\t");
	case '\b':
		return (size_t)sprintf(out, "\\b");
	case '\f':
		return (size_t)sprintf(out, "\\f");
	default:
		if (ch < 0x20)
			return (size_t)sprintf(out, "\\u%04x", ch);
		out[0] = (char)ch;
		return 1;
	}
}

/*
 * Every byte value at every position of strings of 0 to 40 bytes (so before,
 * inside and after each 8-byte word and 16-byte block), in plain text and in text of
 * multibyte UTF-8 and DEL: the writer's escaping equals the reference.
 */
static void test_writer_escapes_every_byte_everywhere(void **state)
{
	static const char fills[2][9] = {"abcdefgh", "\xd0\x9f\xd1\x80\x7f\xe2\x82\xac"};
	char src[41], want[41 * 6 + 3];
	size_t len, pos, f, k;
	int ch;

	(void)state;
	for (f = 0; f < 2; f++) {
		for (len = 0; len <= 40; len++) {
			for (k = 0; k < len; k++)
				src[k] = fills[f][k % 8];
			for (pos = 0; pos <= len; pos++) {
				for (ch = 0; ch < 256; ch++) {
					struct json_writer w;
					char *text;
					size_t tlen, wl = 0;

					if (pos == len && ch > 0)
						break; /* len == pos: the plain string, once */
					if (pos < len)
						src[pos] = (char)ch;
					want[wl++] = '"';
					for (k = 0; k < len; k++)
						wl += reference_escape((unsigned char)src[k],
								       want + wl);
					want[wl++] = '"';
					json_writer_init(&w, 1);
					json_writer_string(&w, src, len);
					assert_int_equal(json_writer_finish(&w, &text, &tlen), 0);
					assert_int_equal(tlen, wl);
					assert_memory_equal(text, want, wl);
					free(text);
					if (pos < len)
						src[pos] = fills[f][pos % 8];
				}
			}
		}
	}
}

/* A string of nothing but escapes grows the buffer to six times its length. */
static void test_writer_worst_case_string(void **state)
{
	char src[1000], *text;
	struct json_writer w;
	size_t len;

	(void)state;
	memset(src, 0x01, sizeof(src));
	src[500] = '\0';
	json_writer_init(&w, 1);
	json_writer_begin_array(&w);
	json_writer_string(&w, src, sizeof(src));
	json_writer_string(&w, "x", 1);
	json_writer_end_array(&w);
	assert_int_equal(json_writer_finish(&w, &text, &len), 0);
	assert_int_equal(len, 1 + 2 + 6 * sizeof(src) + 1 + 3 + 1);
	assert_memory_equal(text + 1 + 1 + 6 * 500, "\\u0000", 6);
	free(text);
}

static void assert_writer_fails(struct json_writer *w, int error)
{
	char *text = (char *)"untouched";
	size_t len = 7;

	assert_int_equal(json_writer_finish(w, &text, &len), error);
	assert_string_equal(text, "untouched");
	assert_int_equal(len, 7);
}

static void test_writer_refuses_misuse(void **state)
{
	struct json_writer w;
	int i;

	(void)state;
	/* nothing at all */
	json_writer_init(&w, 0);
	assert_writer_fails(&w, -EINVAL);
	/* a value where a key is due */
	json_writer_init(&w, 0);
	json_writer_begin_object(&w);
	json_writer_string(&w, "v", 1);
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_end_object(&w); /* ignored once an error is kept */
	assert_writer_fails(&w, -EINVAL);
	/* a key in an array */
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	json_writer_key(&w, "k");
	assert_writer_fails(&w, -EINVAL);
	/* two keys in a row */
	json_writer_init(&w, 0);
	json_writer_begin_object(&w);
	json_writer_key(&w, "a");
	json_writer_key(&w, "b");
	assert_writer_fails(&w, -EINVAL);
	/* a key without its value */
	json_writer_init(&w, 0);
	json_writer_begin_object(&w);
	json_writer_key(&w, "a");
	json_writer_end_object(&w);
	assert_writer_fails(&w, -EINVAL);
	/* an end that does not match its begin */
	json_writer_init(&w, 0);
	json_writer_begin_object(&w);
	json_writer_end_array(&w);
	assert_writer_fails(&w, -EINVAL);
	/* an end without a begin */
	json_writer_init(&w, 0);
	json_writer_end_array(&w);
	assert_writer_fails(&w, -EINVAL);
	/* left open */
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	json_writer_null(&w);
	assert_writer_fails(&w, -EINVAL);
	/* two values at the top */
	json_writer_init(&w, 0);
	json_writer_null(&w);
	json_writer_null(&w);
	assert_writer_fails(&w, -EINVAL);
	/* NULL with a length */
	json_writer_init(&w, 0);
	json_writer_string(&w, NULL, 3);
	assert_writer_fails(&w, -EINVAL);
	/* JSON_OUT_DEPTH_MAX levels are fine, one more is not */
	json_writer_init(&w, 0);
	for (i = 0; i < JSON_OUT_DEPTH_MAX; i++)
		json_writer_begin_array(&w);
	assert_int_equal(json_writer_error(&w), 0);
	json_writer_begin_object(&w);
	assert_int_equal(json_writer_error(&w), -EINVAL);
	assert_writer_fails(&w, -EINVAL);
	/* a writer given up on is released (valgrind checks the buffer goes) */
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	json_writer_string(&w, "abandoned", 9);
	json_writer_release(&w);
	json_writer_release(&w);
	json_writer_release(NULL);
	/* and is usable again */
	json_writer_null(&w);
	assert_writer_text(&w, "null");
}

static void test_writer_naughty_strings(void **state)
{
	json_error_t err;
	json_t *list = json_load_file(blns_path, 0, &err);
	struct json_writer w;
	char *text, *want;
	size_t i, len, want_len;

	(void)state;
	assert_non_null(list);
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *one = json_array_get(list, i);
		json_writer_string(&w, json_string_value(one), json_string_length(one));
	}
	json_writer_end_array(&w);
	assert_int_equal(json_writer_finish(&w, &text, &len), 0);
	assert_int_equal(json_out(list, &want, &want_len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(text, want, len);
	free(want);
	free(text);
	json_decref(list);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_exact_text),
		cmocka_unit_test(test_naughty_strings),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_writer_shapes),
		cmocka_unit_test(test_writer_matches_json_out),
		cmocka_unit_test(test_writer_escapes_every_byte_everywhere),
		cmocka_unit_test(test_writer_worst_case_string),
		cmocka_unit_test(test_writer_refuses_misuse),
		cmocka_unit_test(test_writer_naughty_strings),
	};

	blns_path = argc > 1 ? argv[1] : "../shared/testdata/naughty-strings/blns.json";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
