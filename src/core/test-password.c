/*
 * test-password.c: the rules for a new password: length in code points
 * (not bytes) at the minimum and in bytes at the maximum, case folding of
 * the three languages' letters, the common list (sorted, searched in any
 * case), and the login and context-specific words inside a password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"
#include "limits.h"

static enum password_verdict check(const char *pw, const char *login)
{
	return password_check(pw, strlen(pw), login);
}

/* n copies of the UTF-8 character ch, into buf (NUL-terminated). */
static const char *repeat(char *buf, size_t size, const char *ch, size_t n)
{
	size_t len = strlen(ch), i;

	assert_true(n * len < size);
	for (i = 0; i < n; i++)
		memcpy(buf + i * len, ch, len);
	buf[n * len] = '\0';
	return buf;
}

static void test_chars_are_code_points(void **state)
{
	(void)state;
	assert_int_equal(password_chars("", 0), 0);
	assert_int_equal(password_chars("abc", 3), 3);
	assert_int_equal(password_chars("жжжжж", strlen("жжжжж")), 5);	 /* 10 bytes */
	assert_int_equal(password_chars("ñandú", strlen("ñandú")), 5);	 /* 7 bytes */
	assert_int_equal(password_chars("雨の日", strlen("雨の日")), 3); /* 9 bytes */
	assert_int_equal(password_chars("😀x", strlen("😀x")), 2);	 /* 5 bytes */
	assert_int_equal(password_chars("e\xcc\x81", 3),
			 2); /* e + combining acute: 2 code points */
}

static void test_minimum_counts_characters(void **state)
{
	char buf[64];

	(void)state;
	/* the boundary in ASCII: 9 refused, 10 taken */
	assert_int_equal(check("tqbfjotld", NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(check("tqbfjotldx", NULL), PASSWORD_OK);
	/* five Cyrillic letters are ten bytes and still too short; nine too */
	assert_int_equal(check(repeat(buf, sizeof(buf), "ж", 5), NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(check(repeat(buf, sizeof(buf), "ж", 9), NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(check(repeat(buf, sizeof(buf), "ж", 10), NULL), PASSWORD_OK);
	/* four-byte characters: 9 of them are 36 bytes, still 9 characters */
	assert_int_equal(check(repeat(buf, sizeof(buf), "😀", 9), NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(check(repeat(buf, sizeof(buf), "😀", 10), NULL), PASSWORD_OK);
}

static void test_maximum_counts_bytes(void **state)
{
	static char buf[4 * LIMIT_PASSWORD_MAX + 8];

	(void)state;
	assert_int_equal(check(repeat(buf, sizeof(buf), "p", LIMIT_PASSWORD_MAX), NULL),
			 PASSWORD_OK);
	assert_int_equal(check(repeat(buf, sizeof(buf), "p", LIMIT_PASSWORD_MAX + 1), NULL),
			 PASSWORD_TOO_LONG);
	/* 512 Cyrillic letters are 1024 bytes: taken; 513 are 1026: refused */
	assert_int_equal(check(repeat(buf, sizeof(buf), "ж", LIMIT_PASSWORD_MAX / 2), NULL),
			 PASSWORD_OK);
	assert_int_equal(check(repeat(buf, sizeof(buf), "ж", LIMIT_PASSWORD_MAX / 2 + 1), NULL),
			 PASSWORD_TOO_LONG);
}

static void test_fold(void **state)
{
	const char *in = "ABC xyz ÀÉÑÖ×ÞßÿÄ ЁЖЯАП РЄЇ ёжя Ωω 😀";
	const char *want = "abc xyz àéñö×þßÿä ёжяап рєї ёжя Ωω 😀";
	char out[128];
	size_t len = strlen(in);

	(void)state;
	assert_int_equal(strlen(want), len); /* every fold keeps the byte length */
	password_fold(out, in, len);
	out[len] = '\0';
	assert_string_equal(out, want);
	/* in place */
	memcpy(out, in, len + 1);
	password_fold(out, out, len);
	assert_string_equal(out, want);
	/* a lead byte at the very end (cut by the caller) is copied, not read past */
	memcpy(out, "A\xd0", 3);
	password_fold(out, out, 2);
	assert_memory_equal(out, "a\xd0", 2);
}

static void test_common_list_is_sorted_and_long_enough(void **state)
{
	size_t i;

	(void)state;
	assert_true(password_common_n > 1000);
	for (i = 0; i < password_common_n; i++) {
		const char *w = password_common[i];

		assert_true(password_chars(w, strlen(w)) >= LIMIT_PASSWORD_MIN);
		if (i > 0 && strcmp(password_common[i - 1], w) >= 0)
			fail_msg("not sorted at %zu: \"%s\" then \"%s\"", i, password_common[i - 1],
				 w);
		/* every entry is found by the binary search */
		assert_int_equal(password_is_common(w, strlen(w)), 1);
	}
}

static void test_common_passwords_are_refused_in_any_case(void **state)
{
	(void)state;
	assert_int_equal(check("password123", NULL), PASSWORD_COMMON);
	assert_int_equal(check("Password123", NULL), PASSWORD_COMMON);
	assert_int_equal(check("QWERTYUIOP", NULL), PASSWORD_COMMON);
	assert_int_equal(check("1234567890", NULL), PASSWORD_COMMON);
	/* the first and the last entries: the binary search reaches both ends */
	assert_int_equal(check(password_common[0], NULL), PASSWORD_COMMON);
	assert_int_equal(check(password_common[password_common_n - 1], NULL), PASSWORD_COMMON);
	/* an exact match only: more around a common password is fine */
	assert_int_equal(check("password123 and then some", NULL), PASSWORD_OK);
	assert_int_equal(check("Password12", NULL), PASSWORD_COMMON);
	assert_int_equal(check("password12x", NULL), PASSWORD_OK); /* not on the list */
	assert_int_equal(check("p4ssword12", NULL), PASSWORD_OK);
	/* a prefix or an extension of an entry is not the entry */
	assert_int_equal(password_is_common("1234567890", 9), 0);
	assert_int_equal(password_is_common("", 0), 0);
}

static void test_login_inside_the_password(void **state)
{
	(void)state;
	assert_int_equal(check("my-login-ana-1984", "ana"), PASSWORD_HAS_LOGIN);
	assert_int_equal(check("ANA-was-here-1984", "ana"), PASSWORD_HAS_LOGIN);
	assert_int_equal(check("ana-was-here-1984", "Ana"), PASSWORD_HAS_LOGIN);
	assert_int_equal(check("just anastasia", "AnaStasia"), PASSWORD_HAS_LOGIN);
	/* Cyrillic and Spanish logins fold too */
	assert_int_equal(check("МАША и медведь 77", "маша"), PASSWORD_HAS_LOGIN);
	assert_int_equal(check("el de NÚÑEZ es mío", "núñez"), PASSWORD_HAS_LOGIN);
	/* the login exactly */
	assert_int_equal(check("averylonglogin", "averylonglogin"), PASSWORD_HAS_LOGIN);
	/* no login, or a login the password does not hold */
	assert_int_equal(check("ana-was-here-1984", NULL), PASSWORD_OK);
	assert_int_equal(check("ana-was-here-1984", ""), PASSWORD_OK);
	assert_int_equal(check("an-a-was-here-1984", "ana"), PASSWORD_OK);
	assert_int_equal(check("short", "a-much-longer-login"), PASSWORD_TOO_SHORT);
}

static void test_context_words(void **state)
{
	(void)state;
	assert_int_equal(check("i love kintsugi!", NULL), PASSWORD_HAS_NAME);
	assert_int_equal(check("KintSugi-2025-ok", "someone"), PASSWORD_HAS_NAME);
	assert_int_equal(check("мой КИНЦУГИ пароль", NULL), PASSWORD_HAS_NAME);
	assert_int_equal(check("kin tsu gi kin tsu gi", NULL), PASSWORD_OK);
	/* the order of the rules: common first, then login, then the words */
	assert_int_equal(check("kintsugi-ana-2025", "ana"), PASSWORD_HAS_LOGIN);
}

static void test_messages(void **state)
{
	(void)state;
	assert_non_null(password_strerror(PASSWORD_COMMON));
	assert_non_null(password_strerror(PASSWORD_HAS_LOGIN));
	assert_non_null(password_strerror(PASSWORD_HAS_NAME));
	assert_null(password_strerror(PASSWORD_OK));
	/* the minimum says characters, the maximum bytes, with the numbers */
	assert_non_null(strstr(password_strerror(PASSWORD_TOO_SHORT), "10 characters"));
	assert_non_null(strstr(password_strerror(PASSWORD_TOO_LONG), "1024 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chars_are_code_points),
		cmocka_unit_test(test_minimum_counts_characters),
		cmocka_unit_test(test_maximum_counts_bytes),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_common_list_is_sorted_and_long_enough),
		cmocka_unit_test(test_common_passwords_are_refused_in_any_case),
		cmocka_unit_test(test_login_inside_the_password),
		cmocka_unit_test(test_context_words),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
