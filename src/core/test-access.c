/*
 * test-access.c: the visibility rule, walked over every combination of
 * caller, item owner, couple, sharing and verb.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"

#define COUPLE_1 "11111111111111111111111111111111"
#define COUPLE_2 "22222222222222222222222222222222"
#define A	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B	 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define T	 "cccccccccccccccccccccccccccccccc"
#define X	 "dddddddddddddddddddddddddddddddd"

static void set_session(struct session *s, const char *member, const char *couple, const char *role)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->member_id, member);
	strcpy(s->couple_id, couple);
	strcpy(s->role, role);
}

/* What the design allows, written out independently of access.c. */
static int expected(const char *who, const char *role, const char *couple, const char *author,
		    unsigned shared, int always_private, enum access_verb v)
{
	if (strcmp(couple, COUPLE_1) != 0)
		return 0;
	if (strcmp(who, author) == 0)
		return v == ACCESS_READ || v == ACCESS_CHANGE;
	if (always_private)
		return 0;
	if (strcmp(role, "partner") == 0)
		return (shared & ACCESS_SHARE_PARTNER) && v != ACCESS_CHANGE;
	if (strcmp(role, "therapist") == 0)
		return (shared & ACCESS_SHARE_CARE) && v == ACCESS_READ;
	return 0;
}

static void test_matrix(void **state)
{
	static const struct {
		const char *id, *couple, *role;
	} callers[] = {
		{A, COUPLE_1, "partner"}, {B, COUPLE_1, "partner"},   {T, COUPLE_1, "therapist"},
		{X, COUPLE_2, "partner"}, {X, COUPLE_2, "therapist"},
	};
	const char *authors[] = {A, B};
	struct session s;
	size_t c, a, checked = 0;
	unsigned shared;
	int priv, v;

	(void)state;
	for (c = 0; c < sizeof(callers) / sizeof(callers[0]); c++) {
		set_session(&s, callers[c].id, callers[c].couple, callers[c].role);
		for (a = 0; a < 2; a++)
			for (shared = 0; shared < 4; shared++)
				for (priv = 0; priv < 2; priv++)
					for (v = 0; v < _ACCESS_VERB_MAX; v++) {
						struct access_item it = {COUPLE_1, authors[a],
									 shared, priv};
						assert_int_equal(
							access_allows(&s, &it, (enum access_verb)v),
							expected(callers[c].id, callers[c].role,
								 callers[c].couple, authors[a],
								 shared, priv,
								 (enum access_verb)v));
						checked++;
					}
	}
	assert_int_equal(checked, 5 * 2 * 4 * 2 * 3);
}

static void test_journal_never_leaves_its_author(void **state)
{
	struct session partner;
	struct access_item it = {COUPLE_1, A, ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE, 1};
	int v;

	(void)state;
	set_session(&partner, B, COUPLE_1, "partner");
	for (v = 0; v < _ACCESS_VERB_MAX; v++)
		assert_false(access_allows(&partner, &it, (enum access_verb)v));
}

static void test_null_and_empty_allow_nothing(void **state)
{
	struct session s;
	struct access_item it = {COUPLE_1, A, ACCESS_SHARE_PARTNER, 0};

	(void)state;
	assert_false(access_allows(NULL, &it, ACCESS_READ));
	set_session(&s, A, COUPLE_1, "partner");
	assert_false(access_allows(&s, NULL, ACCESS_READ));
	assert_false(access_allows(&s, &it, _ACCESS_VERB_MAX));
	set_session(&s, A, "", "partner");
	it.couple_id = "";
	assert_false(access_allows(&s, &it, ACCESS_READ));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_journal_never_leaves_its_author),
		cmocka_unit_test(test_null_and_empty_allow_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
