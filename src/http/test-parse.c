/*
 * test-parse.c: unit tests of the pure input parsers (utf8.c, form.c,
 * cookie.c) and of the field validators (fields.c).
 *
 * Each test states what a client would see: which input is accepted, and
 * for a refused one which error code and which field name come back.
 * Boundaries are tested on both sides (exactly min and max, one past), with
 * multi-byte text (Cyrillic, emoji) where lengths count characters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/parse.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* UTF-8 ----------------------------------------------------------------- */

static void test_utf8_valid_accepts(void **state)
{
	(void)state;
	assert_true(utf8_valid(NULL, 0));
	assert_true(utf8_valid(S("")));
	assert_true(utf8_valid(S("plain ascii \t\r\n~\x7f")));
	assert_true(utf8_valid(S("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"))); /* Привет */
	assert_true(utf8_valid(S("\xc2\x80")));		/* U+0080, lowest 2-byte */
	assert_true(utf8_valid(S("\xdf\xbf")));		/* U+07FF */
	assert_true(utf8_valid(S("\xe0\xa0\x80")));	/* U+0800, lowest 3-byte */
	assert_true(utf8_valid(S("\xe2\x82\xac")));	/* € */
	assert_true(utf8_valid(S("\xed\x9f\xbf")));	/* U+D7FF, just below surrogates */
	assert_true(utf8_valid(S("\xee\x80\x80")));	/* U+E000, just above */
	assert_true(utf8_valid(S("\xef\xbf\xbf")));	/* U+FFFF */
	assert_true(utf8_valid(S("\xf0\x90\x80\x80"))); /* U+10000, lowest 4-byte */
	assert_true(utf8_valid(S("\xf0\x9f\x98\x80"))); /* 😀 */
	assert_true(utf8_valid(S("\xf4\x8f\xbf\xbf"))); /* U+10FFFF, the last */
}

static void test_utf8_valid_refuses(void **state)
{
	(void)state;
	assert_false(utf8_valid(S("a\0b"))); /* NUL */
	assert_false(utf8_valid(S("\0")));
	assert_false(utf8_valid(S("\xc0\x80")));		 /* overlong NUL */
	assert_false(utf8_valid(S("\xc0\xaf")));		 /* overlong '/' */
	assert_false(utf8_valid(S("\xc1\xbf")));		 /* overlong */
	assert_false(utf8_valid(S("\xe0\x80\x80")));		 /* overlong 3-byte */
	assert_false(utf8_valid(S("\xe0\x9f\xbf")));		 /* overlong U+07FF */
	assert_false(utf8_valid(S("\xf0\x80\x80\x80")));	 /* overlong 4-byte */
	assert_false(utf8_valid(S("\xf0\x8f\xbf\xbf")));	 /* overlong U+FFFF */
	assert_false(utf8_valid(S("\xed\xa0\x80")));		 /* U+D800 surrogate */
	assert_false(utf8_valid(S("\xed\xbf\xbf")));		 /* U+DFFF surrogate */
	assert_false(utf8_valid(S("\xed\xa0\xbd\xed\xb8\x80"))); /* CESU-8 pair */
	assert_false(utf8_valid(S("\xf4\x90\x80\x80")));	 /* U+110000 */
	assert_false(utf8_valid(S("\xf5\x80\x80\x80")));
	assert_false(utf8_valid(S("\xf8\x88\x80\x80\x80")));	 /* 5-byte form */
	assert_false(utf8_valid(S("\xfc\x84\x80\x80\x80\x80"))); /* 6-byte form */
	assert_false(utf8_valid(S("\xfe")));
	assert_false(utf8_valid(S("\xff")));
	assert_false(utf8_valid(S("\x80"))); /* stray continuation */
	assert_false(utf8_valid(S("a\xbf")));
	assert_false(utf8_valid(S("\xc3"))); /* truncated */
	assert_false(utf8_valid(S("\xe2\x82")));
	assert_false(utf8_valid(S("\xf0\x9f\x98")));
	assert_false(utf8_valid(S("\xc3\x28"))); /* bad continuation */
	assert_false(utf8_valid(S("\xe2\x28\xa1")));
	assert_false(utf8_valid(S("\xe2\x82\x28")));
	assert_false(utf8_valid(S("\xf0\x9f\x28\x80")));
	assert_false(utf8_valid(S("\xf0\x9f\x98\x28")));
}

static void test_utf8_valid_honours_len(void **state)
{
	const char buf[] = "\xe2\x82\xac"; /* € */

	(void)state;
	/* A sequence cut by len is truncated, even if the bytes follow. */
	assert_false(utf8_valid(buf, 2));
	assert_true(utf8_valid(buf, 3));
	/* The terminating NUL outside len does not count. */
	assert_true(utf8_valid("abc", 3));
}

static void test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars(NULL, 0), 0);
	assert_int_equal(utf8_chars(S("abc")), 3);
	assert_int_equal(utf8_chars(S("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82")), 6);
	assert_int_equal(utf8_chars(S("\xe2\x82\xac")), 1);
	assert_int_equal(utf8_chars(S("\xf0\x9f\x98\x80")), 1);
	assert_int_equal(utf8_chars(S("a\xf0\x9f\x98\x80\xd0\x96z")), 4);
}

/* Forms ----------------------------------------------------------------- */

static void test_form_parse_basic(void **state)
{
	struct kfield *f = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(form_parse(S("a=1&bb=two&c="), 8, &f, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].name, "a");
	assert_string_equal(f[0].value, "1");
	assert_int_equal(f[0].value_len, 1);
	assert_string_equal(f[1].name, "bb");
	assert_string_equal(f[1].value, "two");
	assert_int_equal(f[1].value_len, 3);
	assert_string_equal(f[2].name, "c");
	assert_string_equal(f[2].value, "");
	assert_int_equal(f[2].value_len, 0);
	form_free(f, n);
}

static void test_form_parse_decoding(void **state)
{
	struct kfield *f = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(form_parse(S("x=a+b%20c%2B&y=%D0%9F%d1%80&z%5Fk=%3D%26&w=b=c"), 8, &f, &n),
			 0);
	assert_int_equal(n, 4);
	assert_string_equal(f[0].value, "a b c+");
	assert_string_equal(f[1].value, "\xd0\x9f\xd1\x80"); /* upper- and lowercase hex */
	assert_string_equal(f[2].name, "z_k");
	assert_string_equal(f[2].value, "=&");
	assert_string_equal(f[3].value, "b=c"); /* only the first '=' splits */
	form_free(f, n);
}

static void test_form_parse_empty_pieces(void **state)
{
	struct kfield *f = (struct kfield *)1;
	size_t n = 7;

	(void)state;
	assert_int_equal(form_parse(S(""), 8, &f, &n), 0);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_int_equal(form_parse(NULL, 0, 8, &f, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(form_parse(S("&&&"), 0, &f, &n), 0);
	assert_int_equal(n, 0);

	/* Empty pieces are skipped and do not count against max_fields. */
	assert_int_equal(form_parse(S("&a=1&&b=2&"), 2, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].name, "a");
	assert_string_equal(f[1].name, "b");
	form_free(f, n);

	/* A name without '=' is a field with an empty value. */
	assert_int_equal(form_parse(S("flag&b=2"), 8, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].name, "flag");
	assert_string_equal(f[0].value, "");
	assert_int_equal(f[0].value_len, 0);
	form_free(f, n);
}

static void test_form_parse_not_nul_terminated(void **state)
{
	const char buf[] = {'a', '=', '1', '2', '&', 'b', '=', '9'};
	struct kfield *f = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(form_parse(buf, 4, 8, &f, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].value, "12");
	form_free(f, n);
}

static void expect_form_einval(const char *buf, size_t len)
{
	struct kfield *f = (struct kfield *)1;
	size_t n = 42;

	assert_int_equal(form_parse(buf, len, 8, &f, &n), -EINVAL);
	/* Output parameters are never written on failure. */
	assert_ptr_equal(f, (struct kfield *)1);
	assert_int_equal(n, 42);
}

static void test_form_parse_bad_escapes(void **state)
{
	(void)state;
	expect_form_einval(S("a=%"));
	expect_form_einval(S("a=%4"));
	expect_form_einval(S("a=%4&b=1"));
	expect_form_einval(S("a=%G0"));
	expect_form_einval(S("a=%4g"));
	expect_form_einval(S("a=%zz"));
	expect_form_einval(S("a=100%"));
	expect_form_einval(S("%=1"));
	expect_form_einval(S("a%2=1"));
	expect_form_einval(S("a=%%41"));
}

static void test_form_parse_bad_utf8(void **state)
{
	(void)state;
	expect_form_einval(S("a=%00"));	 /* NUL */
	expect_form_einval(S("a=x\0y")); /* raw NUL */
	expect_form_einval(S("%00=1"));
	expect_form_einval(S("a=%C0%80"));	    /* overlong NUL */
	expect_form_einval(S("a=%C1%BF"));	    /* overlong */
	expect_form_einval(S("a=%E0%80%AF"));	    /* overlong '/' */
	expect_form_einval(S("a=%ED%A0%80"));	    /* surrogate */
	expect_form_einval(S("a=%F4%90%80%80"));    /* past U+10FFFF */
	expect_form_einval(S("a=%F8%88%80%80%80")); /* 5-byte form */
	expect_form_einval(S("a=%FF"));
	expect_form_einval(S("a=%D0"));	 /* truncated */
	expect_form_einval(S("a=\xd0")); /* raw, truncated */
	expect_form_einval(S("%80=1"));	 /* in a name */
}

static void test_form_parse_empty_name(void **state)
{
	(void)state;
	expect_form_einval(S("=x"));
	expect_form_einval(S("a=1&=2"));
	expect_form_einval(S("="));
}

static void test_form_parse_duplicates(void **state)
{
	(void)state;
	expect_form_einval(S("a=1&a=2"));
	expect_form_einval(S("a=1&a=1"));
	expect_form_einval(S("a&a"));
	expect_form_einval(S("a=1&b=2&a=3"));
	expect_form_einval(S("a=1&%61=2")); /* the same name once decoded */
	expect_form_einval(S("a+b=1&a%20b=2"));
}

static void test_form_parse_max_fields(void **state)
{
	struct kfield *f = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(form_parse(S("a=1&b=2&c=3"), 3, &f, &n), 0);
	assert_int_equal(n, 3);
	form_free(f, n);
	f = (struct kfield *)1;
	n = 42;
	assert_int_equal(form_parse(S("a=1&b=2&c=3&d=4"), 3, &f, &n), -E2BIG);
	assert_ptr_equal(f, (struct kfield *)1);
	assert_int_equal(n, 42);
	assert_int_equal(form_parse(S("a=1"), 0, &f, &n), -E2BIG);

	/* Enough fields to make the array grow several times. */
	{
		char buf[LIMIT_FORM_FIELDS * 8];
		size_t len = 0, i;

		for (i = 0; i < LIMIT_FORM_FIELDS; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%sf%zu=%zu",
						i ? "&" : "", i, i);
		assert_int_equal(form_parse(buf, len, LIMIT_FORM_FIELDS, &f, &n), 0);
		assert_int_equal(n, LIMIT_FORM_FIELDS);
		assert_string_equal(f[LIMIT_FORM_FIELDS - 1].name, "f31");
		form_free(f, n);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "&x=1");
		assert_int_equal(form_parse(buf, len, LIMIT_FORM_FIELDS, &f, &n), -E2BIG);
	}
}

static void test_form_free_null(void **state)
{
	struct kfield *f = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(form_parse(NULL, 3, 8, &f, &n), -EINVAL);
	assert_int_equal(form_parse(S("a=1"), 8, NULL, &n), -EINVAL);
	form_free(NULL, 0);
	form_free(NULL, 5);
}

/* Cookies --------------------------------------------------------------- */

static void expect_cookie(const char *header, const char *name, const char *value)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	assert_int_equal(cookie_get(header, strlen(header), name, out, sizeof(out)),
			 (int)strlen(value));
	assert_string_equal(out, value);
}

static void expect_cookie_err(const char *header, const char *name, int err)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	assert_int_equal(cookie_get(header, strlen(header), name, out, sizeof(out)), err);
	assert_int_equal(out[0], 'X'); /* untouched on failure */
}

static void test_cookie_get_basic(void **state)
{
	(void)state;
	expect_cookie("a=1; b=2", "a", "1");
	expect_cookie("a=1; b=2", "b", "2");
	expect_cookie("kintsugi_session=0123abcd", "kintsugi_session", "0123abcd");
	expect_cookie("a=", "a", "");
	expect_cookie("a=1; b=", "b", "");
	expect_cookie("t=YWJj+/==", "t", "YWJj+/=="); /* '=' is a cookie-octet */
	expect_cookie("t=!#$%&'()*+-./:<=>?@[]^_`{|}~", "t", "!#$%&'()*+-./:<=>?@[]^_`{|}~");
}

static void test_cookie_get_whitespace(void **state)
{
	(void)state;
	expect_cookie("a=1;b=2", "b", "2");
	expect_cookie("a=1;   b=2", "b", "2");
	expect_cookie("a=1;\tb=2", "b", "2");
	expect_cookie("  a=1", "a", "1");
	expect_cookie("a=1 ; b=2", "a", "1");
	expect_cookie("a = 1; b=2", "a", "1");
	expect_cookie("a=1; b=2;", "b", "2");
	expect_cookie("a=1;; b=2", "b", "2");
	expect_cookie("a=1; b=2 ", "b", "2");
}

static void test_cookie_get_quotes(void **state)
{
	(void)state;
	expect_cookie("a=\"xyz\"; b=2", "a", "xyz");
	expect_cookie("a=\"\"", "a", "");
	expect_cookie_err("a=\"", "a", -EINVAL);
	expect_cookie_err("a=\"xyz", "a", -EINVAL);
	expect_cookie_err("a=xyz\"", "a", -EINVAL);
	expect_cookie_err("a=\"x\"y\"", "a", -EINVAL);
}

static void test_cookie_get_absent(void **state)
{
	char out[8];

	(void)state;
	expect_cookie_err("", "a", -ENOENT);
	expect_cookie_err("b=1", "a", -ENOENT);
	expect_cookie_err("ab=1; ba=2", "a", -ENOENT);
	expect_cookie_err("kintsugi_session_old=1", "kintsugi_session", -ENOENT);
	expect_cookie_err("x_kintsugi_session=1", "kintsugi_session", -ENOENT);
	expect_cookie_err("A=1", "a", -ENOENT); /* names are case-sensitive */
	expect_cookie_err("b=a=1", "a", -ENOENT);
	assert_int_equal(cookie_get(NULL, 0, "a", out, sizeof(out)), -ENOENT);
}

static void test_cookie_get_twice_is_refused(void **state)
{
	(void)state;
	expect_cookie_err("a=first; a=second", "a", -EEXIST);
	expect_cookie_err("b=0; a=first; a=\"bad value\"", "a", -EEXIST);
	expect_cookie_err("a=same; a=same", "a", -EEXIST);
	expect_cookie("a=one; ab=two; b=a", "a", "one"); /* other names are no second */
}

static void test_cookie_get_bad_value(void **state)
{
	(void)state;
	expect_cookie_err("a=1 2", "a", -EINVAL);
	expect_cookie_err("a=1,2", "a", -EINVAL);
	expect_cookie_err("a=1\\2", "a", -EINVAL);
	expect_cookie_err("a=1\x01", "a", -EINVAL);
	expect_cookie_err("a=1\x7f", "a", -EINVAL);
	expect_cookie_err("a=\xd0\x9f", "a", -EINVAL);
	expect_cookie_err("a=\"1 2\"", "a", -EINVAL);
	expect_cookie_err("a", "a", -EINVAL);
	expect_cookie_err("b=1; a; c=2", "a", -EINVAL);
}

static void test_cookie_get_ignores_other_pairs(void **state)
{
	(void)state;
	/* Somebody else's sloppy cookies do not hide ours. */
	expect_cookie("junk; x=\"bad value\"; y=a,b\\c; =v; a=1", "a", "1");
	expect_cookie("\xff\xfe=\x01; a=ok", "a", "ok");
}

static void test_cookie_get_nul_and_len(void **state)
{
	const char hdr[] = "a=12; b=3";
	char out[8];

	(void)state;
	/* len ends the header, NUL bytes are ordinary bytes. */
	assert_int_equal(cookie_get(hdr, 3, "a", out, sizeof(out)), 1);
	assert_string_equal(out, "1");
	assert_int_equal(cookie_get(hdr, 4, "b", out, sizeof(out)), -ENOENT);
	assert_int_equal(cookie_get("a=1\0x; b=2", 10, "b", out, sizeof(out)), 1);
	assert_int_equal(cookie_get("a=1\0x; b=2", 10, "a", out, sizeof(out)), -EINVAL);
}

static void test_cookie_get_e2big(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(cookie_get(S("a=123"), "a", out, 4), 3); /* exactly fits */
	assert_string_equal(out, "123");
	memset(out, 'X', sizeof(out));
	assert_int_equal(cookie_get(S("a=1234"), "a", out, 4), -E2BIG);
	assert_int_equal(out[0], 'X');
	assert_int_equal(cookie_get(S("a="), "a", out, 0), -E2BIG);
	assert_int_equal(cookie_get(S("a="), "a", NULL, 0), -E2BIG);
	assert_int_equal(cookie_get(S("a="), "a", out, 1), 0);
}

static void test_cookie_get_bad_args(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(cookie_get(S("a=1"), "", out, sizeof(out)), -EINVAL);
	assert_int_equal(cookie_get(S("a=1"), NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(cookie_get(NULL, 3, "a", out, sizeof(out)), -EINVAL);
}

/* JSON bodies ----------------------------------------------------------- */

static void expect_json_ok(const char *buf, size_t len, size_t depth)
{
	struct input_error err = {0};
	json_t *j = NULL;

	assert_int_equal(json_parse_body(buf, len, depth, &j, &err), 0);
	assert_non_null(j);
	assert_true(json_is_object(j));
	json_decref(j);
}

static void expect_json_bad(const char *buf, size_t len, size_t depth)
{
	struct input_error err = {.code = NULL, .field = "junk"};
	json_t *j = (json_t *)1;

	assert_int_equal(json_parse_body(buf, len, depth, &j, &err), -EINVAL);
	assert_ptr_equal(j, (json_t *)1);
	assert_string_equal(err.code, INPUT_INVALID_JSON);
	assert_string_equal(err.field, "");
}

static void test_json_parse_body_accepts(void **state)
{
	(void)state;
	expect_json_ok(S("{}"), 8);
	expect_json_ok(S(" \n{\"a\": 1, \"b\": [true, null, \"x\"]}\r\n\t"), 8);
	expect_json_ok(S("{\"t\":\"\\u041f\xd1\x80\xf0\x9f\x98\x80\\ud83d\\ude00\"}"), 8);
	expect_json_ok(S("{\"a\":\"[[[[[[[[[[{{{{{{\"}"), 2);	     /* brackets in strings */
	expect_json_ok(S("{\"a\":\"\\\"[[[[[[\\\\\",\"b\":[]}"), 2); /* escaped quotes */
	/* The body need not be NUL-terminated. */
	expect_json_ok("{}garbage", 2, 8);
}

static void test_json_parse_body_not_object(void **state)
{
	(void)state;
	expect_json_bad(S(""), 8);
	expect_json_bad(NULL, 0, 8);
	expect_json_bad(S("   "), 8);
	expect_json_bad(S("[]"), 8);
	expect_json_bad(S("[{}]"), 8);
	expect_json_bad(S("1"), 8);
	expect_json_bad(S("\"s\""), 8);
	expect_json_bad(S("null"), 8);
	expect_json_bad(S("true"), 8);
}

static void test_json_parse_body_syntax(void **state)
{
	(void)state;
	expect_json_bad(S("{"), 8);
	expect_json_bad(S("{\"a\":}"), 8);
	expect_json_bad(S("{\"a\":1,}"), 8);
	expect_json_bad(S("{'a':1}"), 8);
	expect_json_bad(S("{a:1}"), 8);
	expect_json_bad(S("{} x"), 8); /* trailing data */
	expect_json_bad(S("{}{}"), 8);
	expect_json_bad(S("{\"a\":01}"), 8);
	expect_json_bad(S("{\"a\":NaN}"), 8);
	expect_json_bad(S("\xef\xbb\xbf{}"), 8); /* byte order mark */
}

static void test_json_parse_body_duplicates(void **state)
{
	(void)state;
	expect_json_bad(S("{\"a\":1,\"a\":2}"), 8);
	expect_json_bad(S("{\"a\":1,\"a\":1}"), 8);
	expect_json_bad(S("{\"o\":{\"k\":1,\"k\":2}}"), 8);
	expect_json_bad(S("{\"a\":1,\"\\u0061\":2}"), 8); /* the same key once unescaped */
}

static void test_json_parse_body_encoding(void **state)
{
	(void)state;
	expect_json_bad(S("{\"a\":\"\xff\"}"), 8);
	expect_json_bad(S("{\"a\":\"\xc0\x80\"}"), 8);		   /* overlong */
	expect_json_bad(S("{\"a\":\"\xed\xa0\x80\"}"), 8);	   /* surrogate */
	expect_json_bad(S("{\"a\":\"\xf8\x88\x80\x80\x80\"}"), 8); /* 5-byte */
	expect_json_bad(S("{\"\xd0\":1}"), 8);			   /* in a key */
	expect_json_bad(S("{\"a\":\"x\0y\"}"), 8);		   /* raw NUL in a string */
	expect_json_bad(S("{}\0"), 8);				   /* raw NUL after */
	expect_json_bad(S("{\"a\":1\0}"), 8);
	expect_json_bad(S("{\"a\":\"\\u0000\"}"), 8); /* escaped NUL */
	expect_json_bad(S("{\"a\\u0000b\":1}"), 8);
	expect_json_bad(S("{\"a\":\"\\ud800\"}"), 8); /* lone surrogate escape */
	expect_json_bad(S("{\"a\":\"\\udc00\\ud800\"}"), 8);
	expect_json_bad(S("{\"a\":\"\x01\"}"), 8); /* raw control in a string */
}

static void test_json_parse_body_depth(void **state)
{
	(void)state;
	expect_json_ok(S("{\"a\":{\"b\":[{}]}}"), 4);		/* exactly 4 */
	expect_json_bad(S("{\"a\":{\"b\":[{\"c\":[]}]}}"), 4);	/* 5 */
	expect_json_ok(S("{\"a\":[],\"b\":{},\"c\":[{}]}"), 3); /* siblings do not add up */
	expect_json_bad(S("{\"a\":{}}"), 1);
	expect_json_ok(S("{}"), 1);
	expect_json_bad(S("{}"), 0);
	{
		char deep[64];
		size_t len;

		/* One container more than LIMIT_JSON_DEPTH, then exactly it. */
		len = (size_t)snprintf(deep, sizeof(deep), "{\"a\":%.*s%.*s}", LIMIT_JSON_DEPTH,
				       "[[[[[[[[[[[[[[[[", LIMIT_JSON_DEPTH, "]]]]]]]]]]]]]]]]");
		expect_json_bad(deep, len, LIMIT_JSON_DEPTH);
		len = (size_t)snprintf(deep, sizeof(deep), "{\"a\":%.*s%.*s}", LIMIT_JSON_DEPTH - 1,
				       "[[[[[[[[[[[[[[[[", LIMIT_JSON_DEPTH - 1,
				       "]]]]]]]]]]]]]]]]");
		expect_json_ok(deep, len, LIMIT_JSON_DEPTH);
	}
	/* A closing bracket in a string does not lower the depth. */
	expect_json_bad(S("{\"a\":\"]]]]\",\"b\":{\"c\":{}}}"), 2);
}

static void test_json_parse_body_err_null(void **state)
{
	json_t *j = NULL;

	(void)state;
	assert_int_equal(json_parse_body(S("[]"), 8, &j, NULL), -EINVAL);
	assert_null(j);
	assert_int_equal(json_parse_body(S("{}"), 8, &j, NULL), 0);
	json_decref(j);
	assert_int_equal(json_parse_body(S("{}"), 8, NULL, NULL), -EINVAL);
	assert_int_equal(json_parse_body(NULL, 2, 8, &j, NULL), -EINVAL);
}

/* fields_check ---------------------------------------------------------- */

static const char *const langs[] = {"en", "es", "ru", NULL};
static const char *const areas[] = {"emotional", "physical", "sexual", NULL};
static const char *const moods[] = {"hurt", "sad", "angry", NULL};

static const struct field table[] = {
	{.name = "name", .type = FIELD_STRING, .required = 1, .min = 3, .max = 5},
	{.name = "secret", .type = FIELD_SECRET, .min = 4, .max = 6},
	{.name = "flag", .type = FIELD_BOOL},
	{.name = "n", .type = FIELD_INT, .min = 1, .max = 5},
	{.name = "lang", .type = FIELD_ENUM, .choices = langs},
	{.name = "id", .type = FIELD_ID},
	{.name = "date", .type = FIELD_DATE},
	{.name = "shared_with", .type = FIELD_SHARED},
	{.name = "scores", .type = FIELD_INT_MAP, .min = 1, .max = 5, .choices = areas},
	{.name = "feelings", .type = FIELD_ENUM_SET, .min = 1, .max = 2, .choices = moods},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static json_t *load(const char *s)
{
	/* JSON_ALLOW_NUL: fields_check() must also hold for objects that did
	 * not come through json_parse_body(). */
	json_t *j = json_loads(s, JSON_ALLOW_NUL, NULL);

	assert_non_null(j);
	return j;
}

static void check_json_ok(const char *s)
{
	struct input_error err = {0};
	json_t *j = load(s);
	int r = fields_check(j, table, NTABLE, &err);

	if (r != 0)
		fail_msg("%s: %s %s", s, err.code, err.field);
	json_decref(j);
}

static void check_json_err(const char *s, const char *code, const char *field)
{
	struct input_error err = {0};
	json_t *j = load(s);

	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	if (strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
		fail_msg("%s: got %s %s, want %s %s", s, err.code, err.field, code, field);
	json_decref(j);
}

/* {"name": "abc", <rest>} */
#define NAMED(rest) "{\"name\":\"abc\"," rest "}"

static void test_fields_check_minimal(void **state)
{
	(void)state;
	check_json_ok("{\"name\":\"abc\"}");
	check_json_ok(NAMED("\"secret\":null,\"flag\":null,\"n\":null,\"lang\":null,\"id\":null,"
			    "\"date\":null,\"shared_with\":null,\"scores\":null"));
	check_json_ok(NAMED("\"secret\":\"hunter\",\"flag\":true,\"n\":3,\"lang\":\"ru\","
			    "\"id\":\"0123456789abcdef0123456789abcdef\",\"date\":\"2024-02-29\","
			    "\"shared_with\":[\"care\",\"partner\"],"
			    "\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":3}"));
}

static void test_fields_check_not_object(void **state)
{
	struct input_error err = {0};
	json_t *j = load("[]");

	(void)state;
	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_JSON);
	assert_string_equal(err.field, "");
	assert_int_equal(fields_check(NULL, table, NTABLE, &err), -EINVAL);
	assert_int_equal(fields_check(j, table, NTABLE, NULL), -EINVAL);
	json_decref(j);
}

static void test_fields_check_unknown_first(void **state)
{
	(void)state;
	check_json_err("{\"name\":\"abc\",\"zzz\":1}", INPUT_UNKNOWN_FIELD, "zzz");
	/* Reported before a missing required field and before a bad value. */
	check_json_err("{\"zzz\":1}", INPUT_UNKNOWN_FIELD, "zzz");
	check_json_err("{\"name\":5,\"n\":99,\"zzz\":1}", INPUT_UNKNOWN_FIELD, "zzz");
	/* Names are exact: case and prefixes differ. */
	check_json_err(NAMED("\"Name\":\"x\""), INPUT_UNKNOWN_FIELD, "Name");
	check_json_err(NAMED("\"nam\":\"x\""), INPUT_UNKNOWN_FIELD, "nam");
	check_json_err(NAMED("\"names\":\"x\""), INPUT_UNKNOWN_FIELD, "names");
	check_json_err(NAMED("\"\":\"x\""), INPUT_UNKNOWN_FIELD, "");
	check_json_err(NAMED("\"share_partner\":\"1\""), INPUT_UNKNOWN_FIELD, "share_partner");
}

static void test_fields_check_missing(void **state)
{
	(void)state;
	check_json_err("{}", INPUT_MISSING_FIELD, "name");
	check_json_err("{\"name\":null}", INPUT_MISSING_FIELD, "name");
	check_json_err("{\"n\":3}", INPUT_MISSING_FIELD, "name");
}

static void test_fields_check_declaration_order(void **state)
{
	(void)state;
	/* The first declared field with a problem is reported, whatever the
	 * order of the keys in the body. */
	check_json_err("{\"n\":99,\"name\":\"ab\"}", INPUT_TOO_SHORT, "name");
	check_json_err("{\"name\":\"ab\",\"n\":99}", INPUT_TOO_SHORT, "name");
	check_json_err("{\"date\":\"x\",\"name\":\"abc\",\"n\":0}", INPUT_OUT_OF_RANGE, "n");
}

static void test_fields_check_string_length(void **state)
{
	(void)state;
	/* name: 3..5 code points. */
	check_json_ok("{\"name\":\"abc\"}");
	check_json_ok("{\"name\":\"abcde\"}");
	check_json_err("{\"name\":\"ab\"}", INPUT_TOO_SHORT, "name");
	check_json_err("{\"name\":\"\"}", INPUT_TOO_SHORT, "name");
	check_json_err("{\"name\":\"abcdef\"}", INPUT_TOO_LONG, "name");
	/* Cyrillic: two bytes per character, counted once. */
	check_json_ok("{\"name\":\"\xd0\xb0\xd0\xb1\xd0\xb2\"}");		    /* абв */
	check_json_ok("{\"name\":\"\xd0\xb0\xd0\xb1\xd0\xb2\xd0\xb3\xd0\xb4\"}");   /* 5 */
	check_json_err("{\"name\":\"\xd0\xb0\xd0\xb1\"}", INPUT_TOO_SHORT, "name"); /* 2 */
	check_json_err("{\"name\":\"\xd0\xb0\xd0\xb1\xd0\xb2\xd0\xb3\xd0\xb4\xd0\xb5\"}",
		       INPUT_TOO_LONG, "name"); /* 6 */
	/* Emoji: four bytes (or an escaped surrogate pair) per character. */
	check_json_ok("{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\"}");
	check_json_ok("{\"name\":\"\\ud83d\\ude00\\ud83d\\ude01\\ud83d\\ude02\\ud83d\\ude03"
		      "\\ud83d\\ude04\"}");
	check_json_err("{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x81\"}", INPUT_TOO_SHORT, "name");
	check_json_err("{\"name\":\"\\ud83d\\ude00\\ud83d\\ude01\\ud83d\\ude02\\ud83d\\ude03"
		       "\\ud83d\\ude04\\ud83d\\ude05\"}",
		       INPUT_TOO_LONG, "name");
}

static void test_fields_check_string_type(void **state)
{
	(void)state;
	check_json_err("{\"name\":123}", INPUT_WRONG_TYPE, "name");
	check_json_err("{\"name\":true}", INPUT_WRONG_TYPE, "name");
	check_json_err("{\"name\":[\"abc\"]}", INPUT_WRONG_TYPE, "name");
	check_json_err("{\"name\":{}}", INPUT_WRONG_TYPE, "name");
	check_json_err(NAMED("\"secret\":123456"), INPUT_WRONG_TYPE, "secret");
}

static void test_fields_check_control_chars(void **state)
{
	(void)state;
	check_json_ok("{\"name\":\"a\\n\\r\\tc\"}");
	check_json_err("{\"name\":\"ab\\u0001c\"}", INPUT_INVALID_VALUE, "name");
	check_json_err("{\"name\":\"ab\\u001fc\"}", INPUT_INVALID_VALUE, "name");
	check_json_err("{\"name\":\"ab\\bc\"}", INPUT_INVALID_VALUE, "name");
	check_json_err("{\"name\":\"ab\\u001bc\"}", INPUT_INVALID_VALUE, "name"); /* ESC */
	check_json_err("{\"name\":\"ab\\u007fc\"}", INPUT_INVALID_VALUE, "name"); /* DEL */
	check_json_err("{\"name\":\"ab\\u0085c\"}", INPUT_INVALID_VALUE, "name"); /* NEL (C1) */
	check_json_err("{\"name\":\"ab\\u009fc\"}", INPUT_INVALID_VALUE, "name");
	check_json_ok("{\"name\":\"ab\\u00a0c\"}"); /* no-break space is text */
	check_json_ok("{\"name\":\"ab\\u00c0c\"}");
	check_json_err(NAMED("\"secret\":\"pass\\u0001word\""), INPUT_INVALID_VALUE, "secret");
	/* Bad content is reported before the length. */
	check_json_err("{\"name\":\"a\\u0001\"}", INPUT_INVALID_VALUE, "name");
}

static void test_fields_check_string_built_in_code(void **state)
{
	struct input_error err = {0};
	json_t *j = json_object();

	(void)state;
	/* Objects built in code can hold what a parsed body cannot. */
	json_object_set_new(j, "name", json_stringn("ab\0cd", 5));
	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	assert_string_equal(err.field, "name");
	json_object_set_new(j, "name", json_string("abc"));
	json_object_setn_new(j, "n\0x", 3, json_integer(3));
	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_UNKNOWN_FIELD);
	assert_string_equal(err.field, "n");
	json_decref(j);
}

static void test_fields_check_secret_bytes(void **state)
{
	(void)state;
	/* secret: 4..6 bytes, whatever the characters. */
	check_json_ok(NAMED("\"secret\":\"abcd\""));
	check_json_ok(NAMED("\"secret\":\"abcdef\""));
	check_json_err(NAMED("\"secret\":\"abc\""), INPUT_TOO_SHORT, "secret");
	check_json_err(NAMED("\"secret\":\"abcdefg\""), INPUT_TOO_LONG, "secret");
	check_json_ok(NAMED("\"secret\":\"\xd0\xb0\xd0\xb1\""));	 /* 2 chars, 4 bytes */
	check_json_ok(NAMED("\"secret\":\"\xd0\xb0\xd0\xb1\xd0\xb2\"")); /* 3 chars, 6 bytes */
	check_json_err(NAMED("\"secret\":\"\xd0\xb0\xd0\xb1\xd0\xb2\xd0\xb3\""), INPUT_TOO_LONG,
		       "secret"); /* 4 chars, 8 bytes */
	check_json_err(NAMED("\"secret\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\""), INPUT_TOO_LONG,
		       "secret");				 /* 2 emoji, 8 bytes */
	check_json_ok(NAMED("\"secret\":\"\xf0\x9f\x98\x80\"")); /* 1 emoji, 4 bytes */
}

static void test_fields_check_int(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"n\":1"));
	check_json_ok(NAMED("\"n\":5"));
	check_json_err(NAMED("\"n\":0"), INPUT_OUT_OF_RANGE, "n");
	check_json_err(NAMED("\"n\":6"), INPUT_OUT_OF_RANGE, "n");
	check_json_err(NAMED("\"n\":-1"), INPUT_OUT_OF_RANGE, "n");
	check_json_err(NAMED("\"n\":-9223372036854775808"), INPUT_OUT_OF_RANGE, "n");
	check_json_err(NAMED("\"n\":9223372036854775807"), INPUT_OUT_OF_RANGE, "n");
	check_json_err(NAMED("\"n\":3.0"), INPUT_WRONG_TYPE, "n");
	check_json_err(NAMED("\"n\":3e0"), INPUT_WRONG_TYPE, "n");
	check_json_err(NAMED("\"n\":true"), INPUT_WRONG_TYPE, "n");
	check_json_err(NAMED("\"n\":\"3\""), INPUT_WRONG_TYPE, "n");
	check_json_err(NAMED("\"n\":[3]"), INPUT_WRONG_TYPE, "n");
}

static void test_fields_check_bool(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"flag\":true"));
	check_json_ok(NAMED("\"flag\":false"));
	check_json_err(NAMED("\"flag\":1"), INPUT_WRONG_TYPE, "flag");
	check_json_err(NAMED("\"flag\":0"), INPUT_WRONG_TYPE, "flag");
	check_json_err(NAMED("\"flag\":\"true\""), INPUT_WRONG_TYPE, "flag");
	check_json_err(NAMED("\"flag\":{}"), INPUT_WRONG_TYPE, "flag");
}

static void test_fields_check_enum(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"lang\":\"en\""));
	check_json_ok(NAMED("\"lang\":\"es\""));
	check_json_ok(NAMED("\"lang\":\"ru\""));
	check_json_err(NAMED("\"lang\":\"EN\""), INPUT_INVALID_VALUE, "lang");
	check_json_err(NAMED("\"lang\":\"e\""), INPUT_INVALID_VALUE, "lang");
	check_json_err(NAMED("\"lang\":\"enx\""), INPUT_INVALID_VALUE, "lang");
	check_json_err(NAMED("\"lang\":\"\""), INPUT_INVALID_VALUE, "lang");
	check_json_err(NAMED("\"lang\":\"en\\u0000\""), INPUT_INVALID_VALUE, "lang");
	check_json_err(NAMED("\"lang\":1"), INPUT_WRONG_TYPE, "lang");
	check_json_err(NAMED("\"lang\":[\"en\"]"), INPUT_WRONG_TYPE, "lang");
}

static void test_fields_check_id(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"id\":\"0123456789abcdef0123456789abcdef\""));
	check_json_ok(NAMED("\"id\":\"ffffffffffffffffffffffffffffffff\""));
	check_json_err(NAMED("\"id\":\"0123456789abcdef0123456789abcde\""), INPUT_INVALID_VALUE,
		       "id"); /* 31 */
	check_json_err(NAMED("\"id\":\"0123456789abcdef0123456789abcdef0\""), INPUT_INVALID_VALUE,
		       "id"); /* 33 */
	check_json_err(NAMED("\"id\":\"0123456789ABCDEF0123456789abcdef\""), INPUT_INVALID_VALUE,
		       "id");
	check_json_err(NAMED("\"id\":\"0123456789abcdeg0123456789abcdef\""), INPUT_INVALID_VALUE,
		       "id");
	check_json_err(NAMED("\"id\":\"0123456789abcdef 123456789abcdef\""), INPUT_INVALID_VALUE,
		       "id");
	check_json_err(NAMED("\"id\":\"\""), INPUT_INVALID_VALUE, "id");
	check_json_err(NAMED("\"id\":12345"), INPUT_WRONG_TYPE, "id");
}

static void test_fields_check_date(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"date\":\"2024-01-01\""));
	check_json_ok(NAMED("\"date\":\"2024-12-31\""));
	check_json_ok(NAMED("\"date\":\"2024-02-29\"")); /* leap year */
	check_json_ok(NAMED("\"date\":\"2000-02-29\"")); /* divisible by 400 */
	check_json_ok(NAMED("\"date\":\"2023-02-28\""));
	check_json_ok(NAMED("\"date\":\"2024-04-30\""));
	check_json_ok(NAMED("\"date\":\"0001-01-01\""));
	check_json_ok(NAMED("\"date\":\"9999-12-31\""));
	check_json_err(NAMED("\"date\":\"2023-02-29\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"1900-02-29\""), INPUT_INVALID_VALUE, "date"); /* by 100 */
	check_json_err(NAMED("\"date\":\"2024-02-30\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-04-31\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-12-32\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-13-01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-00-10\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-01-00\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"0000-01-01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-1-01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024/01/01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\" 2024-01-01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"2024-01-01T00:00:00Z\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"+024-01-01\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":\"\""), INPUT_INVALID_VALUE, "date");
	check_json_err(NAMED("\"date\":20240101"), INPUT_WRONG_TYPE, "date");
}

static void test_fields_check_shared(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"shared_with\":[]"));
	check_json_ok(NAMED("\"shared_with\":[\"partner\"]"));
	check_json_ok(NAMED("\"shared_with\":[\"partner\",\"care\"]"));
	check_json_ok(NAMED("\"shared_with\":[\"care\",\"partner\"]"));
	/* the care team reads with the partner, never instead */
	check_json_err(NAMED("\"shared_with\":[\"care\"]"), INPUT_INVALID_VALUE, "shared_with");
	check_json_err(NAMED("\"shared_with\":[\"partner\",\"partner\"]"), INPUT_INVALID_VALUE,
		       "shared_with");
	check_json_err(NAMED("\"shared_with\":[\"care\",\"partner\",\"care\"]"),
		       INPUT_INVALID_VALUE, "shared_with");
	check_json_err(NAMED("\"shared_with\":[\"friend\"]"), INPUT_INVALID_VALUE, "shared_with");
	check_json_err(NAMED("\"shared_with\":[\"Partner\"]"), INPUT_INVALID_VALUE, "shared_with");
	check_json_err(NAMED("\"shared_with\":[\"partner\\u0000\"]"), INPUT_INVALID_VALUE,
		       "shared_with");
	check_json_err(NAMED("\"shared_with\":[1]"), INPUT_WRONG_TYPE, "shared_with");
	check_json_err(NAMED("\"shared_with\":[null]"), INPUT_WRONG_TYPE, "shared_with");
	check_json_err(NAMED("\"shared_with\":\"partner\""), INPUT_WRONG_TYPE, "shared_with");
	check_json_err(NAMED("\"shared_with\":{}"), INPUT_WRONG_TYPE, "shared_with");
}

static void test_fields_check_int_map(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":3}"));
	check_json_ok(NAMED("\"scores\":{\"sexual\":3,\"physical\":5,\"emotional\":1}"));
	check_json_err(NAMED("\"scores\":{\"emotional\":1,\"physical\":5}"), INPUT_MISSING_FIELD,
		       "scores.sexual");
	check_json_err(NAMED("\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":null}"),
		       INPUT_MISSING_FIELD, "scores.sexual");
	check_json_err(NAMED("\"scores\":{}"), INPUT_MISSING_FIELD, "scores.emotional");
	check_json_err(
		NAMED("\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":3,\"extra\":1}"),
		INPUT_UNKNOWN_FIELD, "scores.extra");
	/* Unknown keys come first here too. */
	check_json_err(NAMED("\"scores\":{\"extra\":1}"), INPUT_UNKNOWN_FIELD, "scores.extra");
	check_json_err(NAMED("\"scores\":{\"emotional\":0,\"physical\":5,\"sexual\":3}"),
		       INPUT_OUT_OF_RANGE, "scores.emotional");
	check_json_err(NAMED("\"scores\":{\"emotional\":1,\"physical\":6,\"sexual\":3}"),
		       INPUT_OUT_OF_RANGE, "scores.physical");
	check_json_err(NAMED("\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":\"3\"}"),
		       INPUT_WRONG_TYPE, "scores.sexual");
	check_json_err(NAMED("\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":3.5}"),
		       INPUT_WRONG_TYPE, "scores.sexual");
	check_json_err(NAMED("\"scores\":[1,5,3]"), INPUT_WRONG_TYPE, "scores");
	check_json_err(NAMED("\"scores\":3"), INPUT_WRONG_TYPE, "scores");
}

static void test_fields_check_enum_set(void **state)
{
	(void)state;
	check_json_ok(NAMED("\"feelings\":[\"hurt\"]"));
	check_json_ok(NAMED("\"feelings\":[\"angry\",\"hurt\"]"));
	check_json_ok(NAMED("\"feelings\":null"));
	check_json_err(NAMED("\"feelings\":[]"), INPUT_TOO_SHORT, "feelings");
	check_json_err(NAMED("\"feelings\":[\"hurt\",\"sad\",\"angry\"]"), INPUT_TOO_LONG,
		       "feelings");
	/* a choice twice, or not one of them: refused before the count */
	check_json_err(NAMED("\"feelings\":[\"hurt\",\"hurt\"]"), INPUT_INVALID_VALUE, "feelings");
	check_json_err(NAMED("\"feelings\":[\"sad\",\"sad\",\"sad\"]"), INPUT_INVALID_VALUE,
		       "feelings");
	check_json_err(NAMED("\"feelings\":[\"bored\"]"), INPUT_INVALID_VALUE, "feelings");
	check_json_err(NAMED("\"feelings\":[\"Hurt\"]"), INPUT_INVALID_VALUE, "feelings");
	check_json_err(NAMED("\"feelings\":[\"hurt\\u0000\"]"), INPUT_INVALID_VALUE, "feelings");
	check_json_err(NAMED("\"feelings\":[1]"), INPUT_WRONG_TYPE, "feelings");
	check_json_err(NAMED("\"feelings\":[[\"hurt\"]]"), INPUT_WRONG_TYPE, "feelings");
	check_json_err(NAMED("\"feelings\":\"hurt\""), INPUT_WRONG_TYPE, "feelings");
	check_json_err(NAMED("\"feelings\":{\"hurt\":true}"), INPUT_WRONG_TYPE, "feelings");
}

static void test_fields_check_long_field_names(void **state)
{
	struct input_error err = {0};
	char key[200], body[256];
	json_t *j;
	size_t i;

	(void)state;
	/* A long unknown key is cut to fit, never inside a character. */
	for (i = 0; i < 40; i++)
		memcpy(key + i * 2, "\xd0\x96", 2); /* Ж */
	key[80] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":1}", key);
	j = load(body);
	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_UNKNOWN_FIELD);
	assert_int_equal(strlen(err.field), 62);
	assert_true(utf8_valid(err.field, strlen(err.field)));
	json_decref(j);

	memset(key, 'k', 100);
	key[100] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":1}", key);
	j = load(body);
	assert_int_equal(fields_check(j, table, NTABLE, &err), -EINVAL);
	assert_int_equal(strlen(err.field), 63);
	json_decref(j);
}

static void test_fields_check_bad_decl(void **state)
{
	static const struct field odd[] = {
		{.name = "e", .type = FIELD_ENUM},
		{.name = "m", .type = FIELD_INT_MAP},
		{.name = "x", .type = _FIELD_TYPE_MAX},
	};
	struct input_error err = {0};
	json_t *j;

	(void)state;
	/* An enum without choices accepts nothing; a map without keys only {}. */
	j = load("{\"e\":\"a\"}");
	assert_int_equal(fields_check(j, odd, 3, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	json_decref(j);
	j = load("{\"m\":{}}");
	assert_int_equal(fields_check(j, odd, 3, &err), 0);
	json_decref(j);
	j = load("{\"m\":{\"a\":1}}");
	assert_int_equal(fields_check(j, odd, 3, &err), -EINVAL);
	assert_string_equal(err.field, "m.a");
	json_decref(j);
	j = load("{\"x\":1}");
	assert_int_equal(fields_check(j, odd, 3, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	json_decref(j);
	/* No declarations: only the empty object passes. */
	j = load("{}");
	assert_int_equal(fields_check(j, NULL, 0, &err), 0);
	json_decref(j);
}

/*
 * A group (field.h): "checklist.fees" is the member fees of the object
 * checklist, in JSON as in the answer; a form sends the dotted name.
 */
static const struct field grouped[] = {
	{.name = "name", .type = FIELD_STRING, .required = 1, .min = 1, .max = 10},
	{.name = "checklist.certified", .type = FIELD_BOOL},
	{.name = "checklist.fees", .type = FIELD_STRING, .min = 0, .max = 3},
	{.name = "notes", .type = FIELD_STRING, .min = 0, .max = 10},
};
#define NGROUPED (sizeof(grouped) / sizeof(grouped[0]))

static void group_expect(const char *s, const char *code, const char *field)
{
	struct input_error err = {0};
	json_t *j = load(s);
	int r = fields_check(j, grouped, NGROUPED, &err);

	if (!code && r != 0)
		fail_msg("%s: %s %s", s, err.code, err.field);
	if (code && (r != -EINVAL || strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0))
		fail_msg("%s: got %d %s %s, want %s %s", s, r, err.code ? err.code : "", err.field,
			 code, field);
	json_decref(j);
}

static void test_fields_check_group(void **state)
{
	struct kfield *f = NULL;
	struct input_error err = {0};
	const char *body = "name=Ann&checklist.certified=1&checklist.fees=80";
	json_t *j = NULL, *want;
	size_t n = 0;

	(void)state;
	group_expect("{\"name\":\"a\"}", NULL, NULL);
	group_expect("{\"name\":\"a\",\"checklist\":null}", NULL, NULL);
	group_expect("{\"name\":\"a\",\"checklist\":{}}", NULL, NULL);
	group_expect("{\"name\":\"a\",\"checklist\":{\"certified\":true,\"fees\":\"80\"}}", NULL,
		     NULL);
	/* the group is an object of its members, each checked as declared */
	group_expect("{\"name\":\"a\",\"checklist\":[]}", INPUT_WRONG_TYPE, "checklist");
	group_expect("{\"name\":\"a\",\"checklist\":true}", INPUT_WRONG_TYPE, "checklist");
	group_expect("{\"name\":\"a\",\"checklist\":{\"warm\":true}}", INPUT_UNKNOWN_FIELD,
		     "checklist.warm");
	group_expect("{\"name\":\"a\",\"checklist\":{\"certified\":1}}", INPUT_WRONG_TYPE,
		     "checklist.certified");
	group_expect("{\"name\":\"a\",\"checklist\":{\"fees\":\"1234\"}}", INPUT_TOO_LONG,
		     "checklist.fees");
	/* the dotted name is no key of the body, nor a member's own name */
	group_expect("{\"name\":\"a\",\"checklist.fees\":\"80\"}", INPUT_UNKNOWN_FIELD,
		     "checklist.fees");
	group_expect("{\"name\":\"a\",\"fees\":\"80\"}", INPUT_UNKNOWN_FIELD, "fees");
	group_expect("{\"name\":\"a\",\"checklis\":{}}", INPUT_UNKNOWN_FIELD, "checklis");
	j = load("{\"checklist\":[1]}");
	assert_null(fields_value(j, "checklist.fees"));
	json_decref(j);
	j = NULL;

	/* a form's dotted names build the group */
	assert_int_equal(form_parse(body, strlen(body), LIMIT_FORM_FIELDS, &f, &n), 0);
	assert_int_equal(fields_from_form(f, n, grouped, NGROUPED, &j, &err), 0);
	form_free(f, n);
	want = load("{\"name\":\"Ann\",\"checklist\":{\"certified\":true,\"fees\":\"80\"}}");
	assert_true(json_equal(j, want));
	assert_string_equal(json_string_value(fields_value(j, "checklist.fees")), "80");
	json_decref(j);
	json_decref(want);
}

/* fields_from_form ------------------------------------------------------ */

static const struct field form_table[] = {
	{.name = "name", .type = FIELD_STRING, .required = 1, .min = 1, .max = 10},
	{.name = "note", .type = FIELD_STRING, .min = 0, .max = 10},
	{.name = "flag", .type = FIELD_BOOL},
	{.name = "n", .type = FIELD_INT, .min = 1, .max = 5},
	{.name = "lang", .type = FIELD_ENUM, .choices = langs},
	{.name = "shared_with", .type = FIELD_SHARED, .required = 1},
	{.name = "scores", .type = FIELD_INT_MAP, .min = 1, .max = 5, .choices = areas},
	{.name = "feelings", .type = FIELD_ENUM_SET, .min = 1, .max = 2, .choices = moods},
};
#define NFORM (sizeof(form_table) / sizeof(form_table[0]))

/* Parse an urlencoded body and convert it; returns the object or NULL with
 * *err filled. */
static json_t *from_form(const char *body, struct input_error *err)
{
	struct kfield *f = NULL;
	size_t n = 0;
	json_t *j = NULL;
	int r;

	assert_int_equal(form_parse(body, strlen(body), LIMIT_FORM_FIELDS, &f, &n), 0);
	r = fields_from_form(f, n, form_table, NFORM, &j, err);
	form_free(f, n);
	if (r == 0)
		assert_non_null(j);
	else
		assert_int_equal(r, -EINVAL);
	return r == 0 ? j : NULL;
}

static void form_expect(const char *body, const char *json)
{
	struct input_error err = {0};
	json_t *j = from_form(body, &err), *want = load(json);

	if (!j)
		fail_msg("%s: %s %s", body, err.code, err.field);
	if (!json_equal(j, want)) {
		char *got = json_dumps(j, JSON_SORT_KEYS);

		fail_msg("%s: got %s want %s", body, got, json);
	}
	json_decref(j);
	json_decref(want);
}

static void form_expect_err(const char *body, const char *code, const char *field)
{
	struct input_error err = {0};
	json_t *j = from_form(body, &err);

	if (j)
		fail_msg("%s: accepted", body);
	if (strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
		fail_msg("%s: got %s %s, want %s %s", body, err.code, err.field, code, field);
}

static void test_fields_from_form_types(void **state)
{
	(void)state;
	form_expect("name=Anna", "{\"name\":\"Anna\",\"shared_with\":[]}");
	form_expect("csrf=abc&name=A+B&note=x%0Ay&flag=on&n=5&lang=es&share_care=1&share_partner=on"
		    "&scores.emotional=1&scores.physical=2&scores.sexual=05",
		    "{\"name\":\"A B\",\"note\":\"x\\ny\",\"flag\":true,\"n\":5,\"lang\":\"es\","
		    "\"shared_with\":[\"partner\",\"care\"],"
		    "\"scores\":{\"emotional\":1,\"physical\":2,\"sexual\":5}}");
	form_expect("name=%D0%96", "{\"name\":\"\xd0\x96\",\"shared_with\":[]}");
}

static void test_fields_from_form_bool(void **state)
{
	(void)state;
	form_expect("name=a&flag=1", "{\"name\":\"a\",\"flag\":true,\"shared_with\":[]}");
	form_expect("name=a&flag=true", "{\"name\":\"a\",\"flag\":true,\"shared_with\":[]}");
	form_expect("name=a&flag=0", "{\"name\":\"a\",\"flag\":false,\"shared_with\":[]}");
	form_expect("name=a&flag=false", "{\"name\":\"a\",\"flag\":false,\"shared_with\":[]}");
	form_expect("name=a&flag=", "{\"name\":\"a\",\"shared_with\":[]}");
	form_expect_err("name=a&flag=yes", INPUT_WRONG_TYPE, "flag");
	form_expect_err("name=a&flag=ON", INPUT_WRONG_TYPE, "flag");
	form_expect_err("name=a&flag=1+", INPUT_WRONG_TYPE, "flag");
}

static void test_fields_from_form_int(void **state)
{
	(void)state;
	form_expect("name=a&n=1", "{\"name\":\"a\",\"n\":1,\"shared_with\":[]}");
	form_expect("name=a&n=0003", "{\"name\":\"a\",\"n\":3,\"shared_with\":[]}");
	form_expect("name=a&n=", "{\"name\":\"a\",\"shared_with\":[]}");
	form_expect_err("name=a&n=0", INPUT_OUT_OF_RANGE, "n");
	form_expect_err("name=a&n=6", INPUT_OUT_OF_RANGE, "n");
	form_expect_err("name=a&n=-1", INPUT_OUT_OF_RANGE, "n");
	form_expect_err("name=a&n=99999999999999999999999", INPUT_OUT_OF_RANGE, "n");
	form_expect_err("name=a&n=-99999999999999999999999", INPUT_OUT_OF_RANGE, "n");
	form_expect_err("name=a&n=3x", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=+3", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=-", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=3.0", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=+", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=0x3", INPUT_WRONG_TYPE, "n");
	form_expect_err("name=a&n=99999999999999999999999x", INPUT_WRONG_TYPE, "n");
}

static void test_fields_from_form_strings(void **state)
{
	(void)state;
	/* Empty optional strings are absent; an empty required one is short. */
	form_expect("name=a&note=&lang=", "{\"name\":\"a\",\"shared_with\":[]}");
	form_expect_err("name=", INPUT_TOO_SHORT, "name");
	form_expect_err("note=x", INPUT_MISSING_FIELD, "name");
	form_expect_err("name=a&note=12345678901", INPUT_TOO_LONG, "note");
	form_expect_err("name=a%01", INPUT_INVALID_VALUE, "name");
	form_expect_err("name=a&lang=de", INPUT_INVALID_VALUE, "lang");
}

static void test_fields_from_form_shared(void **state)
{
	(void)state;
	form_expect("name=a&share_partner=1", "{\"name\":\"a\",\"shared_with\":[\"partner\"]}");
	form_expect_err("name=a&share_care=on", INPUT_INVALID_VALUE, "shared_with");
	form_expect("name=a&share_care=0&share_partner=", "{\"name\":\"a\",\"shared_with\":[]}");
	form_expect_err("name=a&share_care=yes", INPUT_INVALID_VALUE, "shared_with");
	form_expect_err("name=a&shared_with=partner", INPUT_UNKNOWN_FIELD, "shared_with");
	form_expect_err("name=a&share_friend=1", INPUT_UNKNOWN_FIELD, "share_friend");
}

static void test_fields_from_form_shared_undeclared(void **state)
{
	static const struct field plain[] = {
		{.name = "name", .type = FIELD_STRING, .required = 1, .min = 1, .max = 10},
	};
	struct kfield f[] = {{"name", "a", 1}, {"share_partner", "1", 1}};
	struct input_error err = {0};
	json_t *j = NULL;

	(void)state;
	assert_int_equal(fields_from_form(f, 2, plain, 1, &j, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_UNKNOWN_FIELD);
	assert_string_equal(err.field, "share_partner");
	assert_int_equal(fields_from_form(f, 1, plain, 1, &j, &err), 0);
	assert_non_null(j);
	json_decref(j);
}

static void test_fields_from_form_int_map(void **state)
{
	(void)state;
	form_expect("name=a&scores.emotional=1&scores.physical=5&scores.sexual=3",
		    "{\"name\":\"a\",\"shared_with\":[],"
		    "\"scores\":{\"emotional\":1,\"physical\":5,\"sexual\":3}}");
	form_expect_err("name=a&scores.emotional=1&scores.physical=5", INPUT_MISSING_FIELD,
			"scores.sexual");
	form_expect_err("name=a&scores.emotional=1&scores.physical=5&scores.sexual=",
			INPUT_MISSING_FIELD, "scores.sexual");
	form_expect_err("name=a&scores.emotional=1&scores.physical=6&scores.sexual=3",
			INPUT_OUT_OF_RANGE, "scores.physical");
	form_expect_err("name=a&scores.emotional=x", INPUT_WRONG_TYPE, "scores.emotional");
	form_expect_err("name=a&scores.emotional=99999999999999999999", INPUT_OUT_OF_RANGE,
			"scores.emotional");
	form_expect_err("name=a&scores.bogus=1", INPUT_UNKNOWN_FIELD, "scores.bogus");
	form_expect_err("name=a&scores=1", INPUT_UNKNOWN_FIELD, "scores");
	form_expect_err("name=a&scores.=1", INPUT_UNKNOWN_FIELD, "scores.");
	form_expect_err("name=a&name.x=1", INPUT_UNKNOWN_FIELD, "name.x");
}

static void test_fields_from_form_enum_set(void **state)
{
	(void)state;
	/* one checkbox per choice; the array follows the order of the choices */
	form_expect("name=a&feelings.angry=1&feelings.hurt=on",
		    "{\"name\":\"a\",\"shared_with\":[],\"feelings\":[\"hurt\",\"angry\"]}");
	form_expect("name=a&feelings.sad=1&feelings.hurt=0",
		    "{\"name\":\"a\",\"shared_with\":[],\"feelings\":[\"sad\"]}");
	/* none chosen: no array, so that a required one is missing */
	form_expect("name=a&feelings.sad=", "{\"name\":\"a\",\"shared_with\":[]}");
	form_expect_err("name=a&feelings.hurt=1&feelings.sad=1&feelings.angry=1", INPUT_TOO_LONG,
			"feelings");
	form_expect_err("name=a&feelings.hurt=yes", INPUT_INVALID_VALUE, "feelings");
	form_expect_err("name=a&feelings.bored=1", INPUT_UNKNOWN_FIELD, "feelings.bored");
	form_expect_err("name=a&feelings=hurt", INPUT_UNKNOWN_FIELD, "feelings");
	form_expect_err("name=a&feelings.=1", INPUT_UNKNOWN_FIELD, "feelings.");
}

static void test_fields_from_form_unknown_first(void **state)
{
	(void)state;
	form_expect_err("name=&n=9&zzz=1", INPUT_UNKNOWN_FIELD, "zzz");
	form_expect_err("Name=a", INPUT_UNKNOWN_FIELD, "Name");
	/* csrf is skipped, whatever its value. */
	form_expect("csrf=&name=a", "{\"name\":\"a\",\"shared_with\":[]}");
}

static void test_fields_from_form_raw_kfields(void **state)
{
	struct kfield dup[] = {{"name", "a", 1}, {"name", "b", 1}};
	struct kfield bad[] = {{"name", "\xc0\x80", 2}};
	struct kfield nul[] = {{"name", "a\0b", 3}};
	struct kfield noval[] = {{"name", NULL, 0}};
	struct kfield noname[] = {{NULL, "a", 1}};
	struct input_error err = {0};
	json_t *j = (json_t *)1;

	(void)state;
	/* Callers that build kfields themselves get the same guarantees. */
	assert_int_equal(fields_from_form(dup, 2, form_table, NFORM, &j, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	assert_string_equal(err.field, "name");
	assert_int_equal(fields_from_form(bad, 1, form_table, NFORM, &j, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	assert_int_equal(fields_from_form(nul, 1, form_table, NFORM, &j, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_INVALID_VALUE);
	assert_int_equal(fields_from_form(noval, 1, form_table, NFORM, &j, &err), -EINVAL);
	assert_string_equal(err.code, INPUT_TOO_SHORT);
	assert_int_equal(fields_from_form(noname, 1, form_table, NFORM, &j, &err), -EINVAL);
	assert_int_equal(fields_from_form(NULL, 1, form_table, NFORM, &j, &err), -EINVAL);
	assert_ptr_equal(j, (json_t *)1);
	assert_int_equal(fields_from_form(NULL, 0, form_table, NFORM, &j, NULL), -EINVAL);
	assert_ptr_equal(j, (json_t *)1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_accepts),
		cmocka_unit_test(test_utf8_valid_refuses),
		cmocka_unit_test(test_utf8_valid_honours_len),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_form_parse_basic),
		cmocka_unit_test(test_form_parse_decoding),
		cmocka_unit_test(test_form_parse_empty_pieces),
		cmocka_unit_test(test_form_parse_not_nul_terminated),
		cmocka_unit_test(test_form_parse_bad_escapes),
		cmocka_unit_test(test_form_parse_bad_utf8),
		cmocka_unit_test(test_form_parse_empty_name),
		cmocka_unit_test(test_form_parse_duplicates),
		cmocka_unit_test(test_form_parse_max_fields),
		cmocka_unit_test(test_form_free_null),
		cmocka_unit_test(test_cookie_get_basic),
		cmocka_unit_test(test_cookie_get_whitespace),
		cmocka_unit_test(test_cookie_get_quotes),
		cmocka_unit_test(test_cookie_get_absent),
		cmocka_unit_test(test_cookie_get_twice_is_refused),
		cmocka_unit_test(test_cookie_get_bad_value),
		cmocka_unit_test(test_cookie_get_ignores_other_pairs),
		cmocka_unit_test(test_cookie_get_nul_and_len),
		cmocka_unit_test(test_cookie_get_e2big),
		cmocka_unit_test(test_cookie_get_bad_args),
		cmocka_unit_test(test_json_parse_body_accepts),
		cmocka_unit_test(test_json_parse_body_not_object),
		cmocka_unit_test(test_json_parse_body_syntax),
		cmocka_unit_test(test_json_parse_body_duplicates),
		cmocka_unit_test(test_json_parse_body_encoding),
		cmocka_unit_test(test_json_parse_body_depth),
		cmocka_unit_test(test_json_parse_body_err_null),
		cmocka_unit_test(test_fields_check_minimal),
		cmocka_unit_test(test_fields_check_not_object),
		cmocka_unit_test(test_fields_check_unknown_first),
		cmocka_unit_test(test_fields_check_missing),
		cmocka_unit_test(test_fields_check_declaration_order),
		cmocka_unit_test(test_fields_check_string_length),
		cmocka_unit_test(test_fields_check_string_type),
		cmocka_unit_test(test_fields_check_control_chars),
		cmocka_unit_test(test_fields_check_string_built_in_code),
		cmocka_unit_test(test_fields_check_secret_bytes),
		cmocka_unit_test(test_fields_check_int),
		cmocka_unit_test(test_fields_check_bool),
		cmocka_unit_test(test_fields_check_enum),
		cmocka_unit_test(test_fields_check_id),
		cmocka_unit_test(test_fields_check_date),
		cmocka_unit_test(test_fields_check_shared),
		cmocka_unit_test(test_fields_check_int_map),
		cmocka_unit_test(test_fields_check_enum_set),
		cmocka_unit_test(test_fields_check_group),
		cmocka_unit_test(test_fields_check_long_field_names),
		cmocka_unit_test(test_fields_check_bad_decl),
		cmocka_unit_test(test_fields_from_form_types),
		cmocka_unit_test(test_fields_from_form_bool),
		cmocka_unit_test(test_fields_from_form_int),
		cmocka_unit_test(test_fields_from_form_strings),
		cmocka_unit_test(test_fields_from_form_shared),
		cmocka_unit_test(test_fields_from_form_shared_undeclared),
		cmocka_unit_test(test_fields_from_form_int_map),
		cmocka_unit_test(test_fields_from_form_enum_set),
		cmocka_unit_test(test_fields_from_form_unknown_first),
		cmocka_unit_test(test_fields_from_form_raw_kfields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
