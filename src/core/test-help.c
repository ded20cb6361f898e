/*
 * test-help.c: the pure rules behind the help signals of step 4 (help.c,
 * included here to reach its static functions): three falls of trust in
 * consecutive periods, low sexual scores over 30 days in either rhythm,
 * "overwhelmed" among a repair's feelings, and how the causes of both
 * partners make one signal with its since and mark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/help.c"

/* A history of one member from (period, trust, sexual) rows, newest first. */
struct fake {
	struct checkin ci[16];
	struct history h;
};

static void fake_add(struct fake *f, const char *period, int trust, int sexual)
{
	struct checkin *ci = &f->ci[f->h.n];

	memset(ci, 0, sizeof(*ci));
	snprintf(ci->period, sizeof(ci->period), "%s", period);
	snprintf(ci->id, sizeof(ci->id), "%032zx", f->h.n + 1);
	ci->trust = trust;
	ci->scores[CHECKIN_SEXUAL] = sexual;
	f->h.ci[f->h.n++] = ci;
}

static void test_trust_falls(void **state)
{
	struct fake f = {0};
	struct cause c = {0};

	(void)state;
	fake_add(&f, "2026-03-04", 5, 3);
	fake_add(&f, "2026-03-03", 6, 3);
	fake_add(&f, "2026-03-02", 7, 3);
	rule_trust(&f.h, "daily", "2026-02-10", &c);
	assert_false(c.holds); /* two falls: one short */
	fake_add(&f, "2026-03-01", 8, 3);
	rule_trust(&f.h, "daily", "2026-02-10", &c);
	assert_true(c.holds);
	assert_string_equal(c.since, "2026-03-04T00:00:00Z");
	memset(&c, 0, sizeof(c));
	rule_trust(&f.h, "daily", "2026-03-05", &c);
	assert_false(c.holds); /* the newest is not recent */
	memset(&c, 0, sizeof(c));
	f.ci[2].trust = 6; /* level, not lower */
	rule_trust(&f.h, "daily", "2026-02-10", &c);
	assert_false(c.holds);
}

static void test_trust_falls_weekly(void **state)
{
	struct fake f = {0};
	struct cause c = {0};

	(void)state;
	/* Mondays: 2026-03-02, 02-23, 02-16, 02-09; then a gap of a week */
	fake_add(&f, "2026-03-02", 2, 3);
	fake_add(&f, "2026-02-23", 3, 3);
	fake_add(&f, "2026-02-16", 4, 3);
	fake_add(&f, "2026-02-02", 5, 3);
	rule_trust(&f.h, "weekly", "2026-02-02", &c);
	assert_false(c.holds); /* 02-09 is missing: not in a row */
	f.ci[3].period[8] = '0';
	f.ci[3].period[9] = '9';
	rule_trust(&f.h, "weekly", "2026-02-02", &c);
	assert_true(c.holds);
	assert_string_equal(c.since, "2026-03-02T00:00:00Z");
	/* a fourth fall keeps since: the run began to hold at the third */
	memmove(&f.ci[1], &f.ci[0], 4 * sizeof(f.ci[0]));
	snprintf(f.ci[0].period, sizeof(f.ci[0].period), "2026-03-09");
	f.ci[0].trust = 1;
	snprintf(f.ci[0].id, sizeof(f.ci[0].id), "%032x", 99);
	f.h.n = 0;
	for (size_t i = 0; i < 5; i++)
		f.h.ci[f.h.n++] = &f.ci[i];
	memset(&c, 0, sizeof(c));
	rule_trust(&f.h, "weekly", "2026-02-02", &c);
	assert_true(c.holds);
	assert_string_equal(c.since, "2026-03-02T00:00:00Z");
}

static void test_sexual_low(void **state)
{
	struct fake d = {0}, w = {0};
	struct cause c = {0};

	(void)state;
	fake_add(&d, "2026-03-30", 5, 2);
	fake_add(&d, "2026-03-02", 5, 1);
	rule_sexual(&d.h, "daily", "2026-03-01", &c);
	assert_false(c.holds); /* 29 days */
	fake_add(&d, "2026-03-01", 5, 2);
	rule_sexual(&d.h, "daily", "2026-03-01", &c);
	assert_true(c.holds);
	assert_string_equal(c.since, "2026-03-30T00:00:00Z");
	memset(&c, 0, sizeof(c));
	d.ci[1].scores[CHECKIN_SEXUAL] = 3; /* a 3 between ends the run at the newest */
	rule_sexual(&d.h, "daily", "2026-03-01", &c);
	assert_false(c.holds);

	/* weekly: four Mondays cover 28 days, five cover 35 */
	memset(&c, 0, sizeof(c));
	fake_add(&w, "2026-03-23", 5, 1);
	fake_add(&w, "2026-03-16", 5, 1);
	fake_add(&w, "2026-03-09", 5, 1);
	fake_add(&w, "2026-03-02", 5, 1);
	rule_sexual(&w.h, "weekly", "2026-02-23", &c);
	assert_false(c.holds);
	fake_add(&w, "2026-02-23", 5, 2);
	rule_sexual(&w.h, "weekly", "2026-02-23", &c);
	assert_true(c.holds);
	assert_string_equal(c.since, "2026-03-23T00:00:00Z");
}

static void test_overwhelmed_feeling(void **state)
{
	(void)state;
	assert_true(names_overwhelmed("overwhelmed"));
	assert_true(names_overwhelmed("hurt,overwhelmed,sad"));
	assert_false(names_overwhelmed("hurt,overwhelmed_not"));
	assert_false(names_overwhelmed("xoverwhelmed"));
	assert_false(names_overwhelmed(""));
	assert_false(names_overwhelmed(NULL));
}

static void test_signal_of_both(void **state)
{
	struct cause two[2] = {{0}, {0}};
	struct help_signal sig;

	(void)state;
	assert_int_equal(signal_of(HELP_ASKED, two, &sig), 0);
	cause_newest(&two[1], "bbbb", "2026-03-01T00:00:00Z");
	assert_int_equal(signal_of(HELP_ASKED, two, &sig), 1);
	assert_int_equal(sig.who, HELP_WHO_PARTNER);
	assert_string_equal(sig.mark, ":bbbb");
	assert_string_equal(help_signal_reason(&sig),
			    "Your partner is asking for professional help.");
	cause_newest(&two[0], "aaaa", "2026-03-02T10:00:00Z");
	cause_newest(&two[0], "old", "2026-02-02T10:00:00Z"); /* older: kept out */
	assert_int_equal(signal_of(HELP_ASKED, two, &sig), 1);
	assert_int_equal(sig.who, HELP_WHO_ME | HELP_WHO_PARTNER);
	assert_string_equal(sig.since, "2026-03-02T10:00:00Z");
	assert_string_equal(sig.mark, "aaaa:bbbb");
	assert_string_equal(help_signal_reason(&sig), "You both asked for professional help.");
	assert_int_equal(help_code_find("sexual_low"), HELP_SEXUAL_LOW);
	assert_int_equal(help_code_find("lonely"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_falls),    cmocka_unit_test(test_trust_falls_weekly),
		cmocka_unit_test(test_sexual_low),     cmocka_unit_test(test_overwhelmed_feeling),
		cmocka_unit_test(test_signal_of_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
