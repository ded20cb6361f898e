/*
 * test-checkin.c: the pure rules of step 2: the calendar (day numbers,
 * ISO weekdays, the Monday of an ISO week), which periods a rhythm accepts,
 * the simultaneous-reveal rule, offer statuses, and where a couple stands
 * with the one suggested next action.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/checkin.h"
#include "core/commitment.h"
#include "core/offer.h"
#include "core/progress.h"

static void assert_period(const char *rhythm, const char *date, const char *want)
{
	char out[CHECKIN_DATE_LEN + 1];

	assert_int_equal(checkin_period_of(rhythm, date, out), 0);
	assert_string_equal(out, want);
}

static void test_day_numbers(void **state)
{
	char out[CHECKIN_DATE_LEN + 1];
	long d, prev;

	(void)state;
	assert_int_equal(checkin_date_days("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(checkin_date_days("2000-03-01", &d), 0);
	assert_int_equal(d, 11017);
	assert_int_equal(checkin_date_days("0001-01-01", &d), 0);
	assert_int_equal(checkin_days_date(d, out), 0);
	assert_string_equal(out, "0001-01-01");
	assert_int_equal(checkin_days_date(d - 1, out), -ERANGE);
	assert_int_equal(checkin_date_days("9999-12-31", &d), 0);
	assert_int_equal(checkin_days_date(d + 1, out), -ERANGE);

	/* every day of four centuries round-trips, one day apart */
	assert_int_equal(checkin_date_days("1900-01-01", &prev), 0);
	for (d = prev; d < prev + 146097; d++) {
		long back;

		assert_int_equal(checkin_days_date(d, out), 0);
		assert_int_equal(checkin_date_days(out, &back), 0);
		assert_int_equal(back, d);
	}

	/* what is not a date */
	assert_int_equal(checkin_date_days("2023-02-29", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2024-02-29", &d), 0);
	assert_int_equal(checkin_date_days("1900-02-29", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2000-02-29", &d), 0);
	assert_int_equal(checkin_date_days("2024-13-01", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2024-04-31", &d), -EINVAL);
	assert_int_equal(checkin_date_days("0000-01-01", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2024-1-01", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2024-01-01T", &d), -EINVAL);
	assert_int_equal(checkin_date_days("2024/01/01", &d), -EINVAL);
	assert_int_equal(checkin_date_days(NULL, &d), -EINVAL);

	assert_int_equal(checkin_date_add("2024-02-28", 1, out), 0);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(checkin_date_add("2024-12-31", 1, out), 0);
	assert_string_equal(out, "2025-01-01");
	assert_int_equal(checkin_date_add("2025-03-01", -1, out), 0);
	assert_string_equal(out, "2025-02-28");
	assert_int_equal(checkin_date_add("2024-01-01", 366, out), 0);
	assert_string_equal(out, "2025-01-01");
	assert_int_equal(checkin_date_add("9999-12-31", 1, out), -ERANGE);
	assert_int_equal(checkin_date_add("2024-01-01", 100000000L, out), -ERANGE);
	assert_int_equal(checkin_date_add("nope", 1, out), -EINVAL);

	checkin_today(out, 0);
	assert_int_equal(checkin_date_days(out, &d), 0);
}

static void test_weekdays_and_weeks(void **state)
{
	(void)state;
	assert_int_equal(checkin_weekday("1970-01-01"), 4); /* a Thursday */
	assert_int_equal(checkin_weekday("2024-01-01"), 1); /* a Monday */
	assert_int_equal(checkin_weekday("2024-12-29"), 7); /* a Sunday */
	assert_int_equal(checkin_weekday("0001-01-01"), 1);
	assert_int_equal(checkin_weekday("bad"), -EINVAL);

	/* daily: the day itself */
	assert_period("daily", "2024-05-15", "2024-05-15");
	/* weekly: the Monday of the ISO week, across months and years */
	assert_period("weekly", "2024-05-15", "2024-05-13");
	assert_period("weekly", "2024-05-13", "2024-05-13");
	assert_period("weekly", "2024-05-19", "2024-05-13"); /* Sunday ends the ISO week */
	assert_period("weekly", "2024-05-20", "2024-05-20");
	assert_period("weekly", "2024-03-01", "2024-02-26"); /* leap February */
	assert_period("weekly", "2025-01-01", "2024-12-30"); /* ISO week 1 of 2025 */
	assert_period("weekly", "2021-01-03", "2020-12-28"); /* ISO week 53 of 2020 */
	assert_period("weekly", "1970-01-01", "1969-12-29");
	/* every day of a year maps to a Monday at most six days before it */
	{
		char day[CHECKIN_DATE_LEN + 1], monday[CHECKIN_DATE_LEN + 1];
		long d, m, i;

		for (i = 0; i < 400; i++) {
			assert_int_equal(checkin_date_add("2023-11-01", i, day), 0);
			assert_int_equal(checkin_period_of("weekly", day, monday), 0);
			assert_int_equal(checkin_weekday(monday), 1);
			assert_int_equal(checkin_date_days(day, &d), 0);
			assert_int_equal(checkin_date_days(monday, &m), 0);
			assert_true(d - m >= 0 && d - m <= 6);
		}
	}

	{
		char out[CHECKIN_DATE_LEN + 1] = "unchanged";

		assert_int_equal(checkin_period_of("monthly", "2024-05-15", out), -EINVAL);
		assert_int_equal(checkin_period_of(NULL, "2024-05-15", out), -EINVAL);
		assert_int_equal(checkin_period_of("weekly", "2024-02-30", out), -EINVAL);
		assert_string_equal(out, "unchanged");

		assert_int_equal(checkin_period_step("weekly", "2024-12-30", -1, out), 0);
		assert_string_equal(out, "2024-12-23");
		assert_int_equal(checkin_period_step("daily", "2024-03-01", -1, out), 0);
		assert_string_equal(out, "2024-02-29");
		assert_int_equal(checkin_period_step("weekly", "2024-12-30", 3, out), 0);
		assert_string_equal(out, "2025-01-20");
	}
}

static void test_periods_a_rhythm_accepts(void **state)
{
	(void)state;
	/* daily: any date up to today + 1 */
	assert_int_equal(checkin_period_ok("daily", "2024-05-15", "2024-05-15"), 0);
	assert_int_equal(checkin_period_ok("daily", "2024-05-16", "2024-05-15"), 0);
	assert_int_equal(checkin_period_ok("daily", "2024-05-17", "2024-05-15"),
			 CHECKIN_BAD_PERIOD);
	assert_int_equal(checkin_period_ok("daily", "2001-01-01", "2024-05-15"), 0);
	assert_int_equal(checkin_period_ok("daily", "2024-02-30", "2024-05-15"),
			 CHECKIN_BAD_PERIOD);
	assert_int_equal(checkin_period_ok("daily", "2025-01-01", "2024-12-31"), 0);

	/* weekly: a Monday, up to the Monday of the week that holds today + 1 */
	assert_int_equal(checkin_period_ok("weekly", "2024-05-13", "2024-05-15"), 0);
	assert_int_equal(checkin_period_ok("weekly", "2024-05-06", "2024-05-15"), 0);
	assert_int_equal(checkin_period_ok("weekly", "2024-05-14", "2024-05-15"),
			 CHECKIN_BAD_PERIOD);
	assert_int_equal(checkin_period_ok("weekly", "2024-05-15", "2024-05-15"),
			 CHECKIN_BAD_PERIOD);
	assert_int_equal(checkin_period_ok("weekly", "2024-05-20", "2024-05-15"),
			 CHECKIN_BAD_PERIOD);
	/* on a Sunday, tomorrow is already next week's Monday */
	assert_int_equal(checkin_period_ok("weekly", "2024-05-20", "2024-05-19"), 0);
	assert_int_equal(checkin_period_ok("weekly", "2024-05-27", "2024-05-19"),
			 CHECKIN_BAD_PERIOD);
	/* the week that starts in one year and ends in the next */
	assert_int_equal(checkin_period_ok("weekly", "2024-12-30", "2025-01-01"), 0);

	assert_int_equal(checkin_period_ok("hourly", "2024-05-13", "2024-05-15"), -EINVAL);
	assert_int_equal(checkin_period_ok("daily", "2024-05-13", "yesterday"), -EINVAL);
}

/* The reveal rule, every combination. */
static void test_reveal_rule(void **state)
{
	(void)state;
	/* the author always sees their own, whatever else holds */
	assert_int_equal(checkin_sight(1, 0, 0), CHECKIN_SHOWN);
	assert_int_equal(checkin_sight(1, 1, 0), CHECKIN_SHOWN);
	assert_int_equal(checkin_sight(1, 0, 1), CHECKIN_SHOWN);
	assert_int_equal(checkin_sight(1, 1, 1), CHECKIN_SHOWN);
	/* a private one (or another couple's) is neither shown nor counted */
	assert_int_equal(checkin_sight(0, 0, 0), CHECKIN_HIDDEN);
	assert_int_equal(checkin_sight(0, 0, 1), CHECKIN_HIDDEN);
	/* a shared one waits until the reader has checked in for that period */
	assert_int_equal(checkin_sight(0, 1, 0), CHECKIN_WAITING);
	assert_int_equal(checkin_sight(0, 1, 1), CHECKIN_SHOWN);
}

static void test_offer_status(void **state)
{
	(void)state;
	assert_int_equal(offer_status_of("2024-05-15", "", "2024-05-15"), OFFER_ACTIVE);
	assert_int_equal(offer_status_of("2024-05-16", "", "2024-05-15"), OFFER_ACTIVE);
	assert_int_equal(offer_status_of("2024-05-14", "", "2024-05-15"), OFFER_EXPIRED);
	assert_int_equal(offer_status_of("2024-05-16", "2024-05-15T10:00:00Z", "2024-05-15"),
			 OFFER_ENDED);
	assert_int_equal(offer_status_of("2024-05-14", "2024-05-01T10:00:00Z", "2024-05-15"),
			 OFFER_ENDED);
	assert_string_equal(offer_statuses[OFFER_EXPIRED], "expired");
}

/* A commitment's next review date: the last one plus `every` days, across
 * months, leap days and years; anything but YYYY-MM-DD... is refused. */
static void test_commitment_next_date(void **state)
{
	char out[COMMITMENT_DATE_LEN + 1];

	(void)state;
	assert_int_equal(commitment_next_date("2024-01-31", 1, out), 0);
	assert_string_equal(out, "2024-02-01");
	assert_int_equal(commitment_next_date("2024-02-28", 1, out), 0);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(commitment_next_date("2023-12-31T10:00:00Z", 7, out), 0);
	assert_string_equal(out, "2024-01-07");
	assert_int_equal(commitment_next_date("2024-05-15", 0, out), 0);
	assert_string_equal(out, "2024-05-15");
	assert_int_equal(commitment_next_date("2024/05/15", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date("+024-05-15", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date(" 024-05-15", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date("2024-13-15", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date("2024-05-3x", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date("2024-05-1", 1, out), -EINVAL);
	assert_int_equal(commitment_next_date("2024-05-15", -1, out), -EINVAL);
}

static struct progress assess(const struct progress_counts *c)
{
	struct progress p;

	memset(&p, 0x5a, sizeof(p));
	progress_assess(c, &p);
	return p;
}

static void test_progress(void **state)
{
	struct progress_counts c;
	struct progress p;

	(void)state;
	memset(&c, 0, sizeof(c));
	p = assess(&c);
	assert_int_equal(p.step1, PROGRESS_NOT_STARTED);
	assert_int_equal(p.step2, PROGRESS_NOT_STARTED);
	assert_int_equal(p.next, PROGRESS_INVITE_PARTNER);

	c.paired = 1;
	assert_int_equal(assess(&c).next, PROGRESS_CHECKIN);
	c.waiting_now = 1;
	assert_int_equal(assess(&c).next, PROGRESS_CHECKIN_REVEAL);

	c.checked_in_now = 1;
	c.recent_checkins = 1;
	c.shares_to_ack = 2;
	p = assess(&c);
	assert_int_equal(p.step2, PROGRESS_UNDER_WAY);
	assert_int_equal(p.next, PROGRESS_ACK_SHARE);
	c.shares_to_ack = 0;
	c.activities_overdue = 1;
	assert_int_equal(assess(&c).next, PROGRESS_ACTIVITY_DONE);
	c.activities_overdue = 0;
	assert_int_equal(assess(&c).next, PROGRESS_WRITE_JOURNAL);
	c.journal_entries = 1;
	p = assess(&c);
	assert_int_equal(p.step1, PROGRESS_UNDER_WAY);
	assert_int_equal(p.next, PROGRESS_SHARE_CARD);
	c.shares_mine = 1;
	assert_int_equal(assess(&c).next, PROGRESS_PLAN_ACTIVITY);
	c.activities_upcoming = 1;
	p = assess(&c);
	assert_int_equal(p.next, PROGRESS_PROPOSE_PLAN);
	assert_int_equal(p.step2, PROGRESS_UNDER_WAY);
	assert_int_equal(p.step3, PROGRESS_NOT_STARTED);
	c.plan_exists = 1;
	p = assess(&c);
	assert_int_equal(p.next, PROGRESS_KEEP_GOING);
	assert_int_equal(p.step3, PROGRESS_UNDER_WAY);
	/* the partner's proposal waits for the reader: before anything of their own */
	c.plan_to_accept = 1;
	c.activities_overdue = 1;
	assert_int_equal(assess(&c).next, PROGRESS_ACCEPT_PLAN);
	c.shares_to_ack = 1;
	assert_int_equal(assess(&c).next, PROGRESS_ACK_SHARE);
	c.shares_to_ack = 0;
	c.activities_overdue = 0;
	c.plan_to_accept = 0;
	c.plan_agreed = 1;
	assert_int_equal(assess(&c).step3, PROGRESS_UNDER_WAY);
	c.helps_me_mine = 1;
	assert_int_equal(assess(&c).step3, PROGRESS_STEADY);
	c.plan_exists = c.plan_agreed = c.helps_me_mine = 0;
	c.chores = 1;
	assert_int_equal(assess(&c).step3, PROGRESS_UNDER_WAY);
	c.chores = 0;
	c.limits_mine = 2;
	assert_int_equal(assess(&c).step3, PROGRESS_UNDER_WAY);
	c.limits_mine = 0;
	c.plan_exists = 1;

	c.recent_checkins = PROGRESS_STEADY_CHECKINS;
	assert_int_equal(assess(&c).step2, PROGRESS_STEADY);
	c.shares_mine = 0;
	assert_int_equal(assess(&c).step2, PROGRESS_UNDER_WAY);
	c.activities_done = 1;
	assert_int_equal(assess(&c).step2, PROGRESS_STEADY);

	c.statements_delivered = 1;
	assert_int_equal(assess(&c).step1, PROGRESS_UNDER_WAY);
	c.commitments = 1;
	assert_int_equal(assess(&c).step1, PROGRESS_STEADY);

	/* an offer alone has begun step 2 */
	memset(&c, 0, sizeof(c));
	c.paired = 1;
	c.offers_active = 1;
	assert_int_equal(assess(&c).step2, PROGRESS_UNDER_WAY);

	p = assess(NULL);
	assert_int_equal(p.next, PROGRESS_KEEP_GOING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_weekdays_and_weeks),
		cmocka_unit_test(test_periods_a_rhythm_accepts),
		cmocka_unit_test(test_reveal_rule),
		cmocka_unit_test(test_offer_status),
		cmocka_unit_test(test_commitment_next_date),
		cmocka_unit_test(test_progress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
