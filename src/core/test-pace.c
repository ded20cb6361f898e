/*
 * test-pace.c: the pace ladder's one reveal rule (pace_reveal(), pace.c),
 * over every pair of answers to a rung, paused or not, with the rest of the
 * ladder answered by both or not; and the keys and choices the routes take.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/pace.h"

/* What API.md says of one rung: "yes" both yes; "maybe" both yes or maybe; else nothing. */
static enum pace_choice expected(enum pace_choice a, enum pace_choice b, int whole)
{
	if (!whole || a == PACE_NONE || b == PACE_NONE)
		return PACE_NONE;
	if (a == PACE_YES && b == PACE_YES)
		return PACE_YES;
	if (a >= PACE_MAYBE && b >= PACE_MAYBE)
		return PACE_MAYBE;
	return PACE_NONE;
}

static void test_reveal_table(void **state)
{
	enum pace_choice mine[_PACE_RUNG_MAX], theirs[_PACE_RUNG_MAX], both[_PACE_RUNG_MAX];
	int a, b, paused, rest_done, rung;

	(void)state;
	for (rung = 0; rung < _PACE_RUNG_MAX; rung++)
		for (a = PACE_NONE; a < _PACE_CHOICE_MAX; a++)
			for (b = PACE_NONE; b < _PACE_CHOICE_MAX; b++)
				for (paused = 0; paused < 2; paused++)
					for (rest_done = 0; rest_done < 2; rest_done++) {
						int i, whole = !paused && rest_done &&
							       a != PACE_NONE && b != PACE_NONE;

						for (i = 0; i < _PACE_RUNG_MAX; i++)
							mine[i] = theirs[i] = PACE_YES;
						if (!rest_done) /* one other rung left open by the
								   partner */
							theirs[(rung + 1) % _PACE_RUNG_MAX] =
								PACE_NONE;
						mine[rung] = (enum pace_choice)a;
						theirs[rung] = (enum pace_choice)b;
						pace_reveal(mine, theirs, paused, both);
						assert_int_equal(both[rung], expected(a, b, whole));
						for (i = 0; i < _PACE_RUNG_MAX; i++)
							if (i != rung)
								assert_int_equal(both[i],
										 whole ? PACE_YES
										       : PACE_NONE);
						/* the same for the partner: the rule is symmetric
						 */
						pace_reveal(theirs, mine, paused, both);
						assert_int_equal(both[rung], expected(b, a, whole));
					}
}

static void test_keys_and_choices(void **state)
{
	static const char *const order[] = {"hands",	 "hug",	      "kiss",
					    "cuddle",	 "massage",   "sensate_1",
					    "sensate_2", "sensate_3", "intercourse"};
	size_t i;

	(void)state;
	for (i = 0; i < _PACE_RUNG_MAX; i++) {
		assert_string_equal(pace_rung_keys[i], order[i]);
		assert_int_equal(pace_rung_find(order[i], strlen(order[i])), (int)i);
		assert_string_equal(pace_fields[i].name, order[i]);
		assert_non_null(pace_rung_title(i));
	}
	assert_null(pace_rung_keys[_PACE_RUNG_MAX]);
	assert_null(pace_rung_title(_PACE_RUNG_MAX));
	assert_int_equal(pace_rung_find("hand", 4), -1);
	assert_int_equal(pace_rung_find("handsx", 6), -1);
	assert_int_equal(pace_rung_find("", 0), -1);
	assert_int_equal(pace_rung_find(NULL, 0), -1);
	assert_int_equal(pace_choice_find("yes", 3), PACE_YES);
	assert_int_equal(pace_choice_find("maybe", 5), PACE_MAYBE);
	assert_int_equal(pace_choice_find("not_yet", 7), PACE_NOT_YET);
	assert_int_equal(pace_choice_find("ye", 2), PACE_NONE);
	assert_int_equal(pace_choice_find("not yet", 7), PACE_NONE);
	assert_null(pace_choice_key(PACE_NONE));
	assert_string_equal(pace_choice_key(PACE_NOT_YET), "not_yet");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reveal_table),
		cmocka_unit_test(test_keys_and_choices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
