/*
 * test-coach.c: the message coach's core (coach.h) on the shipped pattern
 * files: the check before loading, bad arguments, each pattern with the
 * words it spans in bytes and in code points (after an emoji, accents and
 * Cyrillic), denied and quoted words left alone, one language or all,
 * names, hints, and loading twice or from a missing directory.  The
 * labelled set's figures are coach-eval's (tests/coach/).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "build-config.h"
#include "core/coach.h"

static size_t check(const char *text, const char *lang, struct coach_finding *f)
{
	size_t n = 99;

	assert_int_equal(coach_check(text, strlen(text), lang, f, COACH_FINDINGS_MAX, &n), 0);
	return n;
}

static void test_before_load(void **state)
{
	struct coach_finding f[1];
	size_t n = 7;

	(void)state;
	assert_int_equal(coach_check("Whatever.", 9, NULL, f, 1, &n), -ENOENT);
	assert_int_equal(n, 7);
}

static void test_patterns_and_offsets(void **state)
{
	/* U+1F622, "é" and "ж" take 4, 2 and 2 bytes: byte and code point offsets part ways */
	static const char text[] = "\xf0\x9f\x98\xa2 Caf\xc3\xa9 \xd0\xb6! You never listen. "
				   "You're pathetic. It's not my fault. Whatever. You owe me.";
	static const struct {
		enum coach_pattern p;
		const char *words;
	} want[] = {
		{COACH_CRITICISM, "You never"},
		{COACH_CONTEMPT, "pathetic"},
		{COACH_DEFENSIVENESS, "It's not my fault"},
		{COACH_STONEWALLING, "Whatever"},
		{COACH_CONTROLLING, "You owe me"},
	};
	struct coach_finding f[COACH_FINDINGS_MAX];
	size_t n, i;

	(void)state;
	n = check(text, NULL, f);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		assert_int_equal(f[i].pattern, want[i].p);
		assert_int_equal(f[i].len, strlen(want[i].words));
		assert_memory_equal(text + f[i].start, want[i].words, f[i].len);
		/* 4 + 2 + 2 bytes are 3 code points: 5 fewer than bytes before every finding */
		assert_int_equal(f[i].cp_start, f[i].start - 5);
		assert_int_equal(f[i].cp_end - f[i].cp_start, strlen(want[i].words));
	}
	/* one language: the English patterns; Russian has none of these */
	assert_int_equal(check(text, "en", f), n);
	assert_int_equal(check(text, "ru", f), 0);
}

static void test_left_alone(void **state)
{
	static const char *const kind[] = {
		"I don't think you're stupid.",
		"You said \"whatever\" and that hurt me.",
		"I always feel better after we talk.",
		"You have to try this cake.",
		"I'm done with the dishes, come sit with me.",
		"Whatever you decide, I'll support you.",
		"You don't owe me anything.",
		"You called me pathetic, and I keep thinking about it.",
		"",
	};
	struct coach_finding f[COACH_FINDINGS_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kind) / sizeof(kind[0]); i++)
		if (check(kind[i], NULL, f) != 0)
			fail_msg("flagged: %s", kind[i]);
}

static void test_bad_arguments(void **state)
{
	struct coach_finding f[2];
	size_t n = 5;

	(void)state;
	assert_int_equal(coach_check("x", 1, "fr", f, 2, &n), -EINVAL);
	assert_int_equal(coach_check(NULL, 1, NULL, f, 2, &n), -EINVAL);
	assert_int_equal(coach_check("x", 1, NULL, NULL, 2, &n), -EINVAL);
	assert_int_equal(coach_check("x", 1, NULL, f, 2, NULL), -EINVAL);
	assert_int_equal(coach_check("x", COACH_TEXT_MAX + 1, NULL, f, 2, &n), -EINVAL);
	assert_int_equal(n, 5);
	/* max caps the findings */
	assert_int_equal(coach_check("Whatever. Whatever. Whatever.", 29, NULL, f, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(coach_check(NULL, 0, "", NULL, 0, &n), 0);
	assert_int_equal(n, 0);
}

static void test_names_and_hints(void **state)
{
	int p;

	(void)state;
	assert_string_equal(coach_pattern_name(COACH_CRITICISM), "criticism");
	assert_string_equal(coach_pattern_name(COACH_CONTROLLING), "controlling");
	assert_null(coach_pattern_name(_COACH_PATTERN_MAX));
	assert_int_equal(coach_pattern_from_name("stonewalling"), COACH_STONEWALLING);
	assert_int_equal(coach_pattern_from_name("conditional"), -1);
	assert_int_equal(coach_pattern_from_name(NULL), -1);
	for (p = 0; p < _COACH_PATTERN_MAX; p++) {
		assert_int_equal(coach_pattern_from_name(coach_pattern_name(p)), p);
		assert_true(strlen(coach_hint((enum coach_pattern)p)) > 20);
	}
}

static void test_load_twice_and_missing(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(coach_load(KINTSUGI_SOURCE_ROOT, err, sizeof(err)), -EALREADY);
	coach_unload();
	assert_true(coach_load("/nonexistent-kintsugi", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "data/coach"));
	assert_int_equal(coach_load(KINTSUGI_SOURCE_ROOT, err, sizeof(err)), 0);
}

static int load_patterns(void **state)
{
	char err[512] = "";
	int r = coach_load(KINTSUGI_SOURCE_ROOT, err, sizeof(err));

	(void)state;
	if (r < 0)
		fprintf(stderr, "coach_load: %s\n", err);
	return r < 0 ? -1 : 0;
}

static int unload_patterns(void **state)
{
	(void)state;
	coach_unload();
	return 0;
}

int main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_before_load),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_and_offsets),
		cmocka_unit_test(test_left_alone),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_names_and_hints),
		cmocka_unit_test(test_load_twice_and_missing),
	};
	int r = cmocka_run_group_tests_name("coach before loading", before, NULL, NULL);

	return r + cmocka_run_group_tests_name("coach", tests, load_patterns, unload_patterns);
}
