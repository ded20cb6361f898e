/*
 * test-safety.c: the private safety check (core/safety.c).
 *
 * The record, over a real SQLite file with members made by account.c: it
 * answers none, then the latest check; a concern and an all-no are sealed
 * blobs of one length; a record moved to another member (someone who can
 * write the file) does not open and counts as none.  The help: the files
 * shipped in data/safety/ parse, every malformed line is refused with its
 * number, and the country choice shows what safety.h says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "build-config.h"
#include "core/account.h"
#include "core/safety.h"
#include "store/store-sqlite.h"
#include "store/store.h"
#include "vault/vault.h"

#include "core/test-db.h"

static struct core core;
static unsigned unreadable;

static int setup(void **state)
{
	(void)state;
	test_db_open(&core);
	core.unreadable = &unreadable;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_close(&core);
	safety_help_reset();
	return 0;
}

static void signup(const char *login, struct session *s)
{
	test_db_signup(&core, login, s);
}

static int64_t sealed_len(const char *member_id)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(
		sqlite3_prepare_v2(store_sqlite_db(core.st),
				   "SELECT length(sealed) FROM safety_checks WHERE member_id = ?1",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_the_latest_check_and_nothing_else(void **state)
{
	static const unsigned char no[SAFETY_QUESTIONS] = {0, 0, 0, 0};
	static const unsigned char forced[SAFETY_QUESTIONS] = {0, 0, 0, 1};
	struct session s;
	struct safety_check chk;
	int64_t len_concern;

	(void)state;
	signup("robin", &s);
	assert_int_equal(safety_latest(&core, &s, &chk), 0);
	assert_int_equal(chk.result, SAFETY_NONE);
	assert_null(safety_result_name(chk.result));
	assert_int_equal(safety_concern(&core, &s), 0);

	assert_int_equal(safety_record(&core, &s, forced, &chk), 0);
	assert_int_equal(chk.result, SAFETY_CONCERN);
	assert_string_equal(safety_result_name(chk.result), "concern");
	assert_int_equal(strlen(chk.at), STORE_TIME_LEN);
	assert_int_equal(safety_latest(&core, &s, &chk), 0);
	assert_int_equal(chk.result, SAFETY_CONCERN);
	assert_memory_equal(chk.yes, forced, SAFETY_QUESTIONS);
	assert_int_equal(safety_concern(&core, &s), 1);
	len_concern = sealed_len(s.member_id);

	/* a new check replaces it, in a sealed record of the same length */
	assert_int_equal(safety_record(&core, &s, no, NULL), 0);
	assert_int_equal(safety_latest(&core, &s, &chk), 0);
	assert_int_equal(chk.result, SAFETY_OK);
	assert_string_equal(safety_result_name(chk.result), "ok");
	assert_int_equal(safety_concern(&core, &s), 0);
	assert_true(len_concern > 0);
	assert_int_equal(sealed_len(s.member_id), len_concern);
	safety_check_clear(&chk);
}

/* Someone who can write the file gives one member's record to another: it does not open. */
static void test_a_moved_record_opens_as_none(void **state)
{
	static const unsigned char afraid[SAFETY_QUESTIONS] = {1, 0, 0, 0};
	struct session a, b;
	struct safety_check chk;
	char sql[256];
	unsigned before;

	(void)state;
	signup("alex", &a);
	signup("sam", &b);
	assert_int_equal(safety_record(&core, &a, afraid, NULL), 0);
	snprintf(sql, sizeof(sql),
		 "UPDATE safety_checks SET member_id = '%s', couple_id = '%s' WHERE member_id = "
		 "'%s'",
		 b.member_id, b.couple_id, a.member_id);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), SQLITE_OK);
	before = unreadable;
	assert_int_equal(safety_latest(&core, &b, &chk), 0);
	assert_int_equal(chk.result, SAFETY_NONE);
	assert_int_equal(unreadable, before + 1);
	assert_int_equal(safety_concern(&core, &b), 0);
	/* and the member it reached can answer for themselves over it */
	assert_int_equal(safety_record(&core, &b, afraid, NULL), 0);
	assert_int_equal(safety_concern(&core, &b), 1);
}

/* A member who moved to another couple (leaving one) takes the check again there. */
static void test_a_row_left_in_another_couple_is_replaced(void **state)
{
	static const unsigned char hurt[SAFETY_QUESTIONS] = {0, 0, 1, 0};
	struct session a, b;
	char sql[256];

	(void)state;
	signup("kim", &a);
	signup("lee", &b);
	assert_int_equal(safety_record(&core, &a, hurt, NULL), 0);
	/* as after leaving: kim's row is in a couple kim is no longer in */
	snprintf(sql, sizeof(sql),
		 "UPDATE safety_checks SET couple_id = '%s' WHERE member_id = '%s'", b.couple_id,
		 a.member_id);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(safety_concern(&core, &a), 0); /* the old row is not this couple's */
	assert_int_equal(safety_record(&core, &a, hurt, NULL), 0);
	assert_int_equal(safety_concern(&core, &a), 1);
}

/* ---- the help ---- */

#define HEAD "checked: 2026-01-02\nabout: Why.\nleave: How.\n"
#define STAR "country: * Anywhere\nline: Net | a site | https://a.example/ | https://b.example/\n"

static int parse(const char *text, struct safety_help **h, char *err, size_t len)
{
	return safety_help_parse(text, strlen(text), h, err, len);
}

static void test_the_shipped_help_parses(void **state)
{
	static const char *const langs[] = {"en", "es", "ru"};
	char file[512], err[160];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct safety_help *h = NULL;
		char *buf;
		long n;
		FILE *f;

		snprintf(file, sizeof(file), "%s/data/safety/%s.txt", KINTSUGI_SOURCE_ROOT,
			 langs[i]);
		f = fopen(file, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)n);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		if (safety_help_parse(buf, (size_t)n, &h, err, sizeof(err)) != 0)
			fail_msg("%s: %s", file, err);
		assert_true(h->ncountries >= 4);
		assert_true(h->nabout >= 2 && h->nleave >= 5);
		assert_true(safety_help_has(h, "*"));
		assert_int_equal(safety_help_set(langs[i], h), 0);
		assert_ptr_equal(safety_help_of(langs[i]), h);
		free(buf);
	}
	assert_ptr_equal(safety_help_of("de"), safety_help_of("en"));
	assert_int_equal(safety_help_set("de", NULL), -EINVAL);
	safety_help_reset();
	assert_null(safety_help_of("en"));
}

static void test_a_malformed_help_is_refused_with_its_line(void **state)
{
	static const struct {
		const char *text;
		const char *err; /* the start of the message */
	} bad[] = {
		{"about: Why.\nleave: How.\n" STAR, "the whole file: no \"checked\""},
		{HEAD "line: A | b | https://c/ | https://d/\n", "line 4: a line before"},
		{HEAD "country: us Lower\nline: A | b | https://c/ | https://d/\n" STAR,
		 "line 4: a country"},
		{HEAD "country: US United States\n" STAR, "line 5: the country before"},
		{HEAD "country: US United States\n", "the whole file: no country"},
		{HEAD "country: US X\nline: A | b | http://c/ | https://d/\n" STAR,
		 "line 5: the site"},
		{HEAD "country: US X\nline: A | b | https://c/\n" STAR, "line 5: a line is"},
		{HEAD "country: US X\nline: A |  | https://c/ | https://d/\n" STAR,
		 "line 5: the contact"},
		{HEAD "country: US X\nline: A | b | https://c/ x | https://d/\n" STAR,
		 "line 5: the site"},
		{HEAD "country: US X\nline: A | b | https://c/ | https://d/\ncountry: US Y\n",
		 "line 6: this"},
		{HEAD "colour: blue\n", "line 4: an unknown key"},
		{HEAD "no colon here\n", "line 4: a line is"},
		{HEAD "checked: 2026-01-03\n" STAR, "line 4: \"checked\" is there twice"},
		{"checked: 2026-1-2\n", "line 1: \"checked\" is a date"},
		{HEAD "about: \tTab\x01inside\n" STAR, "line 4: a paragraph holds"},
		{HEAD "country: US X\nline: A | b | https://c/ | https://d/\n",
		 "the whole file: no lines that serve"},
		{"checked: 2026-01-02\nleave: How.\n" STAR, "the whole file: no \"about\""},
	};
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct safety_help *h = NULL;

		err[0] = '\0';
		if (parse(bad[i].text, &h, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu was taken", i);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("case %zu: \"%s\", not \"%s...\"", i, err, bad[i].err);
		assert_null(h);
	}
	/* a NUL byte, or a file past the limit */
	{
		struct safety_help *h = NULL;
		char *big = calloc(1, SAFETY_HELP_BYTES_MAX + 2);

		assert_non_null(big);
		assert_int_equal(safety_help_parse("checked\0", 8, &h, err, sizeof(err)), -EINVAL);
		memset(big, '#', SAFETY_HELP_BYTES_MAX + 1);
		assert_int_equal(
			safety_help_parse(big, SAFETY_HELP_BYTES_MAX + 1, &h, err, sizeof(err)),
			-EINVAL);
		free(big);
	}
}

static void test_which_countries_show(void **state)
{
	const char *text =
		HEAD "# a comment\r\n\r\n"
		     "country: GB United Kingdom\n"
		     "line: One | 0808 | https://one.example/ | https://src.example/\n"
		     "line: Two | 0800 | https://two.example/ | https://src.example/\n"
		     "country: IE Ireland\n"
		     "line: Three | 1800 | https://three.example/ | https://src.example/\n" STAR;
	struct safety_help *h = NULL;
	char err[160];

	(void)state;
	assert_int_equal(parse(text, &h, err, sizeof(err)), 0);
	assert_int_equal(h->ncountries, 3);
	assert_int_equal(h->nlines, 4);
	assert_string_equal(h->countries[0].code, "GB");
	assert_string_equal(h->countries[0].name, "United Kingdom");
	assert_int_equal(h->countries[0].n, 2);
	assert_string_equal(h->lines[1].contact, "0800");
	assert_string_equal(h->lines[2].url, "https://three.example/");
	assert_string_equal(h->checked, "2026-01-02");
	/* the region's country and the lines that serve anywhere */
	assert_true(safety_help_shows(h, 0, "GB", 0));
	assert_false(safety_help_shows(h, 1, "GB", 0));
	assert_true(safety_help_shows(h, 2, "GB", 0));
	/* a region the help does not have, or none: every country */
	assert_true(safety_help_shows(h, 1, "ZA", 0));
	assert_true(safety_help_shows(h, 0, NULL, 0));
	/* every country when asked */
	assert_true(safety_help_shows(h, 1, "GB", 1));
	assert_false(safety_help_shows(h, 3, "GB", 1));
	safety_help_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_latest_check_and_nothing_else),
		cmocka_unit_test(test_a_moved_record_opens_as_none),
		cmocka_unit_test(test_a_row_left_in_another_couple_is_replaced),
		cmocka_unit_test(test_the_shipped_help_parses),
		cmocka_unit_test(test_a_malformed_help_is_refused_with_its_line),
		cmocka_unit_test(test_which_countries_show),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
