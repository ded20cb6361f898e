/*
 * test-lang.c: the language engine on small pattern files of its own.
 *
 * Malformed files are refused with the file and the line at fault; stems
 * match inflections; gaps, optional words, "!word", "[not<=N] word",
 * sentence breaks; the negation and quotation scopes (and @scope_through);
 * offsets in bytes and in code points; several threads matching with one
 * engine at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/lang.h"

static const char *const kinds[] = {"first", "second"};

static struct lang_engine *engine(const char *lang, const char *text)
{
	struct lang_engine *e = NULL;
	char err[256] = "";

	assert_int_equal(lang_engine_new(kinds, 2, &e), 0);
	if (lang_engine_add(e, lang, text, strlen(text), "t.txt", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return e;
}

static size_t match(struct lang_engine *e, const char *text, const char *lang,
		    struct lang_match *out, size_t max)
{
	size_t n = 99;

	assert_int_equal(lang_engine_match(e, text, strlen(text), lang, out, max, &n), 0);
	return n;
}

static void test_bad_files(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{"first: sorry if\nthird: sorry\n", "t.txt:2: unknown kind \"third\""},
		{"# c\n\nfirst: @nope if\n", "t.txt:3: unknown class @nope (define it above)"},
		{"first: sorry [gap<=13] if\n", "t.txt:1: a gap is [gap<=N], N from 1 to 12"},
		{"first: sorry [gap<=x] if\n", "t.txt:1: a gap is [gap<=N], N from 1 to 12"},
		{"first: sorry [gap<=100] if\n", "t.txt:1: a gap is [gap<=N], N from 1 to 12"},
		{"first: sorry [gap<=3", "t.txt:1: a gap is [gap<=N], N from 1 to 12"},
		{"first: [gap<=2] if\n",
		 "t.txt:1: a pattern starts with a word that must be there"},
		{"first: sorry? if\n", "t.txt:1: a pattern starts with a word that must be there"},
		{"first: sorry [gap<=2]\n", "t.txt:1: a pattern ends with a word"},
		{"first: sorry i[f\n", "t.txt:1: a stray sign in \"i[f\""},
		{"@a = x\n@a = y\nfirst: x\n", "t.txt:2: the class @a is defined twice"},
		{"@A = x\n", "t.txt:1: a class name is a-z, 0-9 and _"},
		{"@a x y\n", "t.txt:1: a class is \"@name = words\""},
		{"sorry if\n", "t.txt:1: a pattern is \"kind: words\""},
		{"first: sorry ||if\n", "t.txt:1: an empty word"},
		{"# only comments\n", "t.txt:1: no patterns"},
		{"first: drunk [not<=13] excuse\n",
		 "t.txt:1: \"[not<=N] word\" takes N from 1 to 12"},
		{"first: drunk [not<=0] excuse\n",
		 "t.txt:1: \"[not<=N] word\" takes N from 1 to 12"},
		{"first: drunk [not<=8]\n", "t.txt:1: \"[not<=N]\" is followed by a word"},
		{"first: drunk [not<=8] [gap<=2] x\n",
		 "t.txt:1: \"[not<=N]\" is followed by a word"},
		{"first: drunk [not<=8] excuse?\n", "t.txt:1: \"[not<=N]\" is followed by a word"},
	};
	struct lang_engine *e = NULL;
	char err[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lang_engine_new(kinds, 2, &e), 0);
		err[0] = '\0';
		assert_int_equal(lang_engine_add(e, "en", bad[i].text, strlen(bad[i].text), "t.txt",
						 err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, bad[i].error);
		/* nothing of the refused file is kept: the language is not loaded */
		assert_int_equal(lang_engine_match(e, "sorry if", 8, "en", NULL, 0, &n), -EINVAL);
		e = lang_engine_free(e);
	}
	/* a file missing from a directory is named */
	assert_int_equal(lang_engine_new(kinds, 2, &e), 0);
	assert_true(lang_engine_load(e, "/nonexistent", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/en.txt"));
	e = lang_engine_free(e);
	assert_null(lang_engine_free(NULL));
}

static void test_stems_and_tokens(void **state)
{
	struct lang_engine *e = engine("en", "@you = you =you're\n"
					     "first: @you feel\n"
					     "first: =mistakes were made\n"
					     "second: sorry [gap<=2] but !also\n"
					     "second: sorry . but\n"
					     "first: i only? texted* her\n");
	struct lang_match m[8];

	(void)state;
	/* a stem takes its inflections; an exact form only itself */
	assert_int_equal(match(e, "You're feeling it.", "en", m, 8), 1);
	assert_int_equal(match(e, "you feels", "en", m, 8), 1);
	assert_int_equal(match(e, "Mistakes were made.", "en", m, 8), 1);
	assert_int_equal(match(e, "Mistake were made.", "en", m, 8), 0);
	/* gaps: up to N words, never across a sentence; "!also" */
	assert_int_equal(match(e, "Sorry, truly, but no.", "en", m, 8), 1);
	assert_int_equal(match(e, "Sorry one two three but", "en", m, 8), 0);
	assert_int_equal(match(e, "sorry, but also", "en", m, 8), 0);
	assert_int_equal(match(e, "Sorry. But", "en", m, 8), 1);
	assert_int_equal(match(e, "Sorry! Butter.", "en", m, 8), 0);
	/* an optional word is taken when it is there, and may be left out */
	assert_int_equal(match(e, "Well, I only texted her", "en", m, 8), 1);
	assert_int_equal(m[0].start, 6);
	assert_int_equal(m[0].end, strlen("Well, I only texted her"));
	assert_int_equal(match(e, "I texted her", "en", m, 8), 1);
	assert_int_equal(match(e, "I just texted her", "en", m, 8), 0);
	/* Snowball stems "lying" to "lie": the filter of stems' beginnings lets it through */
	e = lang_engine_free(e);
	e = engine("en", "first: i lie\n");
	assert_int_equal(match(e, "I lying", "en", m, 8), 1);
	assert_int_equal(match(e, "I lied", "en", m, 8), 1);
	e = lang_engine_free(e);
	e = engine("en", "@you = you =you're\nfirst: @you feel\n");
	/* words are cut by Unicode's rules, not by spaces */
	assert_int_equal(match(e, "“you”feel", "en", m, 8), 0); /* “you” is quoted */
	assert_int_equal(match(e, "youfeel", "en", m, 8), 0);
	e = lang_engine_free(e);
}

static void test_not_within(void **state)
{
	struct lang_engine *e = engine("en", "@excuse = excuse =excuses justify* oprav*\n"
					     "first: i was drunk [not<=6] @excuse\n"
					     "second: you [not<=3] =too made me\n");
	struct lang_match m[8];

	(void)state;
	/* a reason on its own is the pattern... */
	assert_int_equal(match(e, "I was drunk that night.", "en", m, 8), 1);
	assert_int_equal(m[0].kind, 0);
	/* ...and the whole match is the words before the rule */
	assert_int_equal(m[0].start, 0);
	assert_int_equal(m[0].end, strlen("I was drunk"));
	/* not when one of the next N words is the rule's: across a comma or a sentence */
	assert_int_equal(match(e, "I was drunk, and that is no excuse.", "en", m, 8), 0);
	assert_int_equal(match(e, "I was drunk. That is no excuse.", "en", m, 8), 0);
	assert_int_equal(match(e, "I was drunk, which does not justify anything.", "en", m, 8), 0);
	/* a word past the N words does not count: "that" "night" "and" "I" "know" "it" */
	assert_int_equal(match(e, "I was drunk that night and I know it is no excuse.", "en", m, 8),
			 1);
	/* in the middle of a pattern the rule looks from where it stands, and takes no word */
	assert_int_equal(match(e, "You made me do it.", "en", m, 8), 1);
	assert_int_equal(m[0].kind, 1);
	assert_int_equal(m[0].end, strlen("You made me"));
	assert_int_equal(match(e, "You made me too.", "en", m, 8), 0);
	assert_int_equal(match(e, "You made me do it, too.", "en", m, 8), 1);
	e = lang_engine_free(e);
}

static void test_scopes(void **state)
{
	struct lang_engine *e = engine("ru", "@scope_through = =что\n"
					     "negation: =не\n"
					     "quotation: говорил*\n"
					     "first: просто поцелу*\n"
					     "second: ты [gap<=3] довел*\n");
	struct lang_match m[8];

	(void)state;
	assert_int_equal(match(e, "Это был просто поцелуй.", NULL, m, 8), 1);
	assert_int_equal(m[0].kind, 0);
	/* denied */
	assert_int_equal(match(e, "Это был не просто поцелуй.", NULL, m, 8), 0);
	/* the negation ends with its clause... */
	assert_int_equal(match(e, "Я не знаю, это был просто поцелуй.", NULL, m, 8), 1);
	/* ...unless the clause opens with a word of @scope_through */
	assert_int_equal(match(e, "Я не скажу, что это просто поцелуй.", NULL, m, 8), 0);
	/* a gap never skips a negation */
	assert_int_equal(match(e, "Ты меня довела.", NULL, m, 8), 1);
	assert_int_equal(match(e, "Ты не довела меня.", NULL, m, 8), 0);
	/* reported speech and quotation marks */
	assert_int_equal(match(e, "Я говорил, что ты меня довела, и это ложь.", NULL, m, 8), 0);
	assert_int_equal(match(e, "Ты сказала: «просто поцелуй?»", NULL, m, 8), 0);
	assert_int_equal(match(e, "«Ладно», просто поцелуй.", NULL, m, 8), 1);
	/* an unclosed quotation ends with its paragraph */
	assert_int_equal(match(e, "«Ладно\nпросто поцелуй.", NULL, m, 8), 1);
	e = lang_engine_free(e);
}

static void test_offsets(void **state)
{
	struct lang_engine *e = engine("es", "first: lo siento si\n");
	/* an emoji, a decomposed ó, then "LO SIENTO, si" */
	static const char text[] = "\xf0\x9f\x98\xa2 Perdo\xcc\x81n. LO SIENTO, si te duele.";
	struct lang_match m[2];

	(void)state;
	assert_int_equal(match(e, text, "es", m, 2), 1);
	assert_int_equal(m[0].start, strlen("\xf0\x9f\x98\xa2 Perdo\xcc\x81n. "));
	assert_int_equal(m[0].end, strlen("\xf0\x9f\x98\xa2 Perdo\xcc\x81n. LO SIENTO, si"));
	/* code points: the emoji is one, the decomposed ó two */
	assert_int_equal(m[0].cp_start, 2 + 7 + 2);
	assert_int_equal(m[0].cp_end, 2 + 7 + 2 + 13);
	/* bad arguments */
	assert_int_equal(lang_engine_match(e, text, 3, "de", m, 2, &(size_t){0}), -EINVAL);
	assert_int_equal(lang_engine_match(e, text, 3, "en", m, 2, &(size_t){0}), -EINVAL);
	assert_int_equal(lang_engine_match(e, text, LANG_TEXT_MAX + 1, NULL, m, 2, &(size_t){0}),
			 -EINVAL);
	assert_int_equal(lang_engine_add(e, "es", "first: x\n", 9, "t", NULL, 0), -EEXIST);
	e = lang_engine_free(e);
}

struct job {
	struct lang_engine *e;
	int bad;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct lang_match m[4];
	size_t n, i;

	for (i = 0; i < 300; i++) {
		if (lang_engine_match(j->e, "I'm sorry you feel hurt, but you felt", 37, NULL, m, 4,
				      &n) != 0 ||
		    n != 2)
			j->bad++;
	}
	return NULL;
}

/* One engine, several threads: each call borrows its own stemmers. */
static void test_threads(void **state)
{
	struct lang_engine *e = engine("en", "first: sorry you feel\nsecond: sorry [gap<=6] but\n");
	pthread_t th[4];
	struct job jobs[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){e, 0};
		assert_int_equal(pthread_create(&th[i], NULL, job_run, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	e = lang_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),  cmocka_unit_test(test_stems_and_tokens),
		cmocka_unit_test(test_not_within), cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_offsets),	   cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
