/*
 * test-marks.c: unit tests of the held last-seen marks (marks.h): a later
 * mark wins, a flush is due by count or by age, a flush under way keeps its
 * marks visible and takes no new ones, a full table refuses, and a
 * writer's thread waits for a flush to fall due or for the stop.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/marks.h"

#define COUPLE "cccccccccccccccccccccccccccccccc"

/* Session id number i: 32 hex characters. */
static const char *sid(unsigned i)
{
	static char buf[4][STORE_ID_LEN + 1];
	static unsigned turn;
	char *s = buf[turn++ % 4];

	snprintf(s, STORE_ID_LEN + 1, "%08x%024x", i * 2654435761u, i);
	return s;
}

static int setup(void **state)
{
	struct marks *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	assert_int_equal(marks_init(m, MARKS_AGE_MS), 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	marks_destroy(*state);
	free(*state);
	return 0;
}

/* What the process would read for session i whose stored mark is stored. */
static void seen(struct marks *m, unsigned i, const char *stored, const char *want)
{
	char at[STORE_TIME_LEN + 1];

	memcpy(at, stored, sizeof(at));
	marks_raise(m, sid(i), at);
	assert_string_equal(at, want);
}

static void test_later_wins(void **state)
{
	struct marks *m = *state;

	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"); /* nothing held */
	assert_int_equal(marks_put(m, sid(1), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_HELD);
	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z");
	/* an earlier mark does not move it back */
	assert_int_equal(marks_put(m, sid(1), COUPLE, "2024-05-01T10:30:00Z", 1), MARKS_HELD);
	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z");
	/* a stored mark later than the held one stays */
	seen(m, 1, "2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z");
	/* another session is not raised */
	seen(m, 2, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z");
	/* what is not an id, a couple or a time is refused, so written at once */
	assert_int_equal(marks_put(m, "short", COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_FULL);
	assert_int_equal(marks_put(m, sid(3), "short", "2024-05-01T11:00:00Z", 0), MARKS_FULL);
	assert_int_equal(marks_put(m, sid(3), COUPLE, "2024-05-01", 0), MARKS_FULL);
}

static void test_due_by_count(void **state)
{
	struct marks *m = *state;
	struct mark *k;
	size_t n;

	for (unsigned i = 0; i < MARKS_MAX - 1; i++)
		assert_int_equal(marks_put(m, sid(i), COUPLE, "2024-05-01T11:00:00Z", 0),
				 MARKS_HELD);
	/* a session held already adds nothing */
	assert_int_equal(marks_put(m, sid(0), COUPLE, "2024-05-01T11:00:01Z", 0), MARKS_HELD);
	assert_int_equal(marks_put(m, sid(MARKS_MAX - 1), COUPLE, "2024-05-01T11:00:00Z", 0),
			 MARKS_DUE);
	assert_int_equal(marks_take(m, &k, &n), 0);
	assert_int_equal(n, MARKS_MAX);
	/* every mark is in the copy once, with its latest time */
	for (size_t i = 0; i < n; i++) {
		unsigned j;

		assert_int_equal(sscanf(k[i].id + 8, "%x", &j), 1);
		assert_string_equal(k[i].id, sid(j));
		assert_string_equal(k[i].couple_id, COUPLE);
		assert_string_equal(k[i].at,
				    j == 0 ? "2024-05-01T11:00:01Z" : "2024-05-01T11:00:00Z");
	}
	free(k);
	marks_done(m);
}

static void test_due_by_age(void **state)
{
	struct marks *m = *state;

	assert_int_equal(marks_put(m, sid(1), COUPLE, "2024-05-01T11:00:00Z", 1000), MARKS_HELD);
	assert_int_equal(
		marks_put(m, sid(2), COUPLE, "2024-05-01T11:00:05Z", 1000 + MARKS_AGE_MS - 1),
		MARKS_HELD);
	/* the oldest held mark's age counts, not the newest's */
	assert_int_equal(marks_put(m, sid(3), COUPLE, "2024-05-01T11:00:10Z", 1000 + MARKS_AGE_MS),
			 MARKS_DUE);
}

static void test_flush_under_way(void **state)
{
	struct marks *m = *state;
	struct mark *k, *k2, *all;
	size_t n, n2, n_all;

	assert_int_equal(marks_take(m, &k, &n), 0); /* nothing held: nothing to take */
	assert_int_equal(n, 0);
	assert_null(k);

	assert_int_equal(marks_put(m, sid(1), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_HELD);
	assert_int_equal(marks_put(m, sid(2), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_HELD);
	assert_int_equal(marks_take(m, &k, &n), 0);
	assert_int_equal(n, 2);
	/* while they are being written, the process still reads them */
	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z");
	/* a new mark is held apart, and no second flush begins meanwhile */
	assert_int_equal(marks_put(m, sid(1), COUPLE, "2024-05-01T11:05:00Z", MARKS_AGE_MS * 9),
			 MARKS_HELD);
	assert_int_equal(marks_put(m, sid(3), COUPLE, "2024-05-01T11:05:00Z", MARKS_AGE_MS * 9),
			 MARKS_HELD);
	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T11:05:00Z");
	assert_int_equal(marks_take(m, &k2, &n2), 0);
	assert_int_equal(n2, 0);
	/* the purge's copy has both tables: 1 twice (held and being written), 2 and 3 */
	assert_int_equal(marks_copy(m, &all, &n_all), 0);
	assert_int_equal(n_all, 4);
	free(all);

	marks_done(m);
	free(k);
	/* the written marks are forgotten (the file has them now); the held ones stay */
	seen(m, 2, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z");
	seen(m, 1, "2024-05-01T10:00:00Z", "2024-05-01T11:05:00Z");
	assert_int_equal(marks_take(m, &k2, &n2), 0);
	assert_int_equal(n2, 2);
	free(k2);
	marks_done(m);
	assert_int_equal(marks_copy(m, &all, &n_all), 0);
	assert_int_equal(n_all, 0);
	assert_null(all);
}

/* While a flush is under way the held table fills to three quarters, then refuses. */
static void test_full(void **state)
{
	struct marks *m = *state;
	struct mark *k;
	size_t n;
	unsigned i;

	assert_int_equal(marks_put(m, sid(100000), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_HELD);
	assert_int_equal(marks_take(m, &k, &n), 0);
	assert_int_equal(n, 1);
	for (i = 0; i < MARKS_SLOTS / 4 * 3; i++)
		assert_int_equal(marks_put(m, sid(i), COUPLE, "2024-05-01T11:00:00Z", 0),
				 MARKS_HELD);
	assert_int_equal(marks_put(m, sid(i), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_FULL);
	seen(m, i, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z");
	/* one held already still moves */
	assert_int_equal(marks_put(m, sid(7), COUPLE, "2024-05-01T12:00:00Z", 0), MARKS_HELD);
	seen(m, 7, "2024-05-01T10:00:00Z", "2024-05-01T12:00:00Z");
	free(k);
	marks_done(m);
	/* the flush over, a new session is still refused until the next one, which
	 * a mark of one held calls for */
	assert_int_equal(marks_put(m, sid(i), COUPLE, "2024-05-01T11:00:00Z", 0), MARKS_FULL);
	assert_int_equal(marks_put(m, sid(8), COUPLE, "2024-05-01T12:00:00Z", 0), MARKS_DUE);
}

struct waiter {
	struct marks *m;
	bool due;	 /* what marks_wait() said */
	int64_t back_ms; /* when it came back (marks_now_ms()) */
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->due = marks_wait(w->m);
	w->back_ms = marks_now_ms();
	return NULL;
}

static void start_waiter(pthread_t *t, struct waiter *w, struct marks *m)
{
	*w = (struct waiter){m, false, 0};
	assert_int_equal(pthread_create(t, NULL, waiter_main, w), 0);
}

/*
 * The writer's thread (PostgreSQL) sleeps while nothing is held, wakes when
 * the first mark held reaches its age (with no further call), at once when
 * MARKS_MAX are held, and for good at the stop.
 */
static void test_wait(void **state)
{
	struct marks *m = *state, aged;
	struct waiter w;
	pthread_t t;
	struct mark *k;
	size_t n;
	int64_t put_ms;

	/* due by age: not before the first mark is age_ms old */
	assert_int_equal(marks_init(&aged, 200), 0);
	start_waiter(&t, &w, &aged);
	usleep(50 * 1000); /* it waits with nothing held */
	put_ms = marks_now_ms();
	assert_int_equal(marks_put(&aged, sid(1), COUPLE, "2024-05-01T11:00:00Z", put_ms),
			 MARKS_HELD);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(w.due);
	assert_true(w.back_ms >= put_ms + 200);
	assert_int_equal(marks_take(&aged, &k, &n), 0);
	assert_int_equal(n, 1);
	free(k);
	marks_done(&aged);

	/* the stop ends a wait, and every later one */
	start_waiter(&t, &w, &aged);
	usleep(50 * 1000);
	marks_stop(&aged);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(w.due);
	assert_false(marks_wait(&aged));
	marks_destroy(&aged);

	/* due by count, long before MARKS_AGE_MS */
	start_waiter(&t, &w, m);
	put_ms = marks_now_ms();
	for (unsigned i = 0; i < MARKS_MAX; i++)
		(void)marks_put(m, sid(i), COUPLE, "2024-05-01T11:00:00Z", marks_now_ms());
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(w.due);
	assert_true(w.back_ms < put_ms + MARKS_AGE_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_later_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_by_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_by_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_under_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
