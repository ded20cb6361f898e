/*
 * test-factor.c: the pure parts of the second factor: RFC 6238's SHA1 test
 * vectors (appendix B), the window of accepted steps and the replay bound,
 * how a typed code is read, base32 (RFC 4648's vectors) and the otpauth URI.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/factor.h"

static const unsigned char rfc_key[] = "12345678901234567890";

static int setup(void **state)
{
	(void)state;
	return vault_init();
}

/* RFC 6238 appendix B, the SHA1 column: 8 digits, T0 = 0, X = 30. */
static void test_rfc6238_sha1_vectors(void **state)
{
	static const struct {
		int64_t t;
		uint32_t code;
	} v[] = {
		{59, 94287082},		{1111111109, 7081804},	{1111111111, 14050471},
		{1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(factor_totp_code(rfc_key, 20, factor_totp_step(v[i].t), 8),
				 v[i].code);
	/* the step boundary: 59 s is step 1, 60 s step 2 */
	assert_int_equal(factor_totp_step(59), 1);
	assert_int_equal(factor_totp_step(60), 2);
	assert_int_equal(factor_totp_step(-5), 0);
}

static void code_of(char out[8], int64_t step)
{
	snprintf(out, 8, "%06u", (unsigned)factor_totp_code(rfc_key, 20, step, 6));
}

/* Now, one step either side, never two; never a step at or before the last accepted. */
static void test_match_window_and_replay(void **state)
{
	char code[8];
	int64_t got = -1;
	const int64_t now = 1000;

	(void)state;
	code_of(code, now);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, 0, &got), 0);
	assert_int_equal(got, now);
	code_of(code, now - 1);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, 0, &got), 0);
	assert_int_equal(got, now - 1);
	code_of(code, now + 1);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, 0, &got), 0);
	assert_int_equal(got, now + 1);
	code_of(code, now - 2);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, 0, &got), FACTOR_WRONG);
	code_of(code, now + 2);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, 0, &got), FACTOR_WRONG);
	/* a code whose step was accepted already is spent, and so is any older one */
	code_of(code, now);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, now, &got), FACTOR_WRONG);
	code_of(code, now - 1);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, now, &got), FACTOR_WRONG);
	code_of(code, now + 1);
	assert_int_equal(factor_totp_match(rfc_key, 20, code, now, now, &got), 0);
	assert_int_equal(got, now + 1);
}

/* What a person types: spaces are fine; anything but six digits is wrong. */
static void test_typed_codes(void **state)
{
	char code[8], spaced[16];
	int64_t got = -1;

	(void)state;
	code_of(code, 77);
	snprintf(spaced, sizeof(spaced), "%.3s %.3s", code, code + 3);
	assert_int_equal(factor_totp_match(rfc_key, 20, spaced, 77, 0, &got), 0);
	assert_int_equal(factor_totp_match(rfc_key, 20, "", 77, 0, &got), FACTOR_WRONG);
	assert_int_equal(factor_totp_match(rfc_key, 20, "12345", 77, 0, &got), FACTOR_WRONG);
	assert_int_equal(factor_totp_match(rfc_key, 20, "1234567", 77, 0, &got), FACTOR_WRONG);
	assert_int_equal(factor_totp_match(rfc_key, 20, "12a456", 77, 0, &got), FACTOR_WRONG);
	assert_int_equal(factor_totp_match(rfc_key, 20, "-12345", 77, 0, &got), FACTOR_WRONG);
}

/* RFC 4648 section 10, unpadded, and the secret's length. */
static void test_base32(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"", ""},
		{"f", "MY"},
		{"fo", "MZXQ"},
		{"foo", "MZXW6"},
		{"foob", "MZXW6YQ"},
		{"fooba", "MZXW6YTB"},
		{"foobar", "MZXW6YTBOI"},
	};
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES];
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		factor_base32(out, (const unsigned char *)v[i].in, strlen(v[i].in));
		assert_string_equal(out, v[i].out);
	}
	memset(secret, 0xff, sizeof(secret));
	factor_base32(out, secret, sizeof(secret));
	assert_int_equal(strlen(out), FACTOR_TOTP_B32);
	assert_string_equal(out, "77777777777777777777777777777777");
}

static void test_uri(void **state)
{
	char uri[FACTOR_URI_MAX], small[40];

	(void)state;
	assert_int_equal(factor_uri(uri, sizeof(uri), "ana maría", "MZXW6YTBOI"), 0);
	assert_string_equal(uri, "otpauth://totp/kintsugi:ana%20mar%C3%ADa?secret=MZXW6YTBOI"
				 "&issuer=kintsugi&algorithm=SHA1&digits=6&period=30");
	assert_int_equal(factor_uri(small, sizeof(small), "ana", "MZXW6YTBOI"), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_sha1_vectors),
		cmocka_unit_test(test_match_window_and_replay),
		cmocka_unit_test(test_typed_codes),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
