/*
 * test-kindness.c: appreciations, the trigger plan and "I'm triggered"
 * over a real SQLite file (core/kindness.h): what the HTTP tests cannot
 * reach without a clock of their own, "remember when" picking an older
 * appreciation by the day, and the counts home shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/checkin.h"
#include "core/kindness.h"
#include "store/store.h"
#include "vault/vault.h"

static char dir[64];
static struct core core;
static struct session alice, bob, carol; /* carol: another couple */

static void add_member(const char *couple_id, const char *login, struct session *s)
{
	static unsigned char bytes[48];
	struct member_row m;

	memset(&m, 0, sizeof(m));
	vault_random_id(m.id);
	snprintf(m.couple_id, sizeof(m.couple_id), "%s", couple_id);
	snprintf(m.login, sizeof(m.login), "%s", login);
	strcpy(m.role, "partner");
	strcpy(m.display_name, login);
	strcpy(m.language, "en");
	strcpy(m.pw_hash, "h");
	strcpy(m.kdf, "interactive");
	m.kek_salt = m.mk_by_pw = m.rk_salt = m.mk_by_rk = (struct blob){bytes, sizeof(bytes)};
	m.public_key = m.secret_key_sealed = (struct blob){bytes, 32};
	strcpy(m.created_at, "2026-12-01T10:00:00Z");
	assert_int_equal(STORE_CALL(core.st, member_insert, &m), 0);
	memset(s, 0, sizeof(*s));
	memcpy(s->member_id, m.id, sizeof(s->member_id));
	memcpy(s->couple_id, couple_id, sizeof(s->couple_id));
	strcpy(s->role, "partner");
	vault_random(s->mk, sizeof(s->mk));
	vault_random(s->ck, sizeof(s->ck));
}

static void add_couple(char id[STORE_ID_LEN + 1])
{
	struct couple_row c;

	memset(&c, 0, sizeof(c));
	vault_random_id(c.id);
	strcpy(c.created_at, "2026-12-01T10:00:00Z");
	assert_int_equal(STORE_CALL(core.st, couple_insert, &c), 0);
	memcpy(id, c.id, STORE_ID_LEN + 1);
}

static int setup(void **state)
{
	char path[96], err[128], couple[STORE_ID_LEN + 1], other[STORE_ID_LEN + 1];

	(void)state;
	assert_int_equal(vault_init(), 0);
	strcpy(dir, "/tmp/kintsugi-test-kindness-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.db", dir);
	assert_int_equal(store_open(path, &core.st, err, sizeof(err)), 0);
	add_couple(couple);
	add_couple(other);
	add_member(couple, "alice", &alice);
	add_member(couple, "bob", &bob);
	memcpy(bob.ck, alice.ck, sizeof(bob.ck));
	add_member(other, "carol", &carol);
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = {"k.db", "k.db-wal", "k.db-shm"};
	char path[96];
	size_t i;

	(void)state;
	store_close(core.st);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

static void appreciate(const struct session *s, const char *body, char id[STORE_ID_LEN + 1])
{
	struct item_values v;
	struct appreciation a;
	const char *field = NULL;

	memset(&v, 0, sizeof(v));
	v.v[APPRECIATION_F_BODY] = body;
	v.len[APPRECIATION_F_BODY] = strlen(body);
	assert_int_equal(appreciation_write(&core, s, &v, &a, &field), 0);
	memcpy(id, a.v.id, STORE_ID_LEN + 1);
	appreciation_clear(&a);
}

/* The id "remember when" picks for s on today plus days, or "" for none. */
static void remembered(const struct session *s, long days, char out[STORE_ID_LEN + 1])
{
	char today[CHECKIN_DATE_LEN + 1];
	struct appreciation a;
	int found = -1;

	checkin_today(today, days);
	assert_int_equal(appreciation_remember(&core, s, today, &a, &found), 0);
	out[0] = '\0';
	if (found) {
		memcpy(out, a.v.id, STORE_ID_LEN + 1);
		appreciation_clear(&a);
	}
	assert_true(found == 0 || found == 1);
}

static void test_remember_when(void **state)
{
	char ids[3][STORE_ID_LEN + 1], got[4][STORE_ID_LEN + 1];
	size_t i, j, distinct = 0;

	(void)state;
	remembered(&alice, 0, got[0]);
	assert_string_equal(got[0], "");
	appreciate(&bob, "For the soup", ids[0]);
	appreciate(&alice, "For the walk", ids[1]);
	appreciate(&bob, "For listening", ids[2]);

	/* written today: none is old enough, today nor in a week */
	remembered(&alice, 0, got[0]);
	assert_string_equal(got[0], "");
	remembered(&alice, APPRECIATION_REMEMBER_DAYS, got[0]);
	assert_string_equal(got[0], "");

	/* later on: one each day, the same all day, each of them now and then */
	for (i = 0; i < 3; i++) {
		remembered(&alice, 30 + (long)i, got[i]);
		assert_int_not_equal(got[i][0], '\0');
	}
	remembered(&bob, 30, got[3]);
	assert_string_equal(got[3], got[0]); /* the day picks, whoever reads */
	for (i = 0; i < 3; i++) {
		int known = 0;

		for (j = 0; j < 3; j++)
			known |= strcmp(got[i], ids[j]) == 0;
		assert_true(known);
		for (j = 0; j < i; j++)
			if (strcmp(got[i], got[j]) == 0)
				break;
		distinct += j == i;
	}
	assert_int_equal(distinct, 3);

	/* another couple's reader is never shown one of these */
	remembered(&carol, 30, got[0]);
	assert_string_equal(got[0], "");
}

static void test_thanks_once(void **state)
{
	struct appreciation *list = NULL, a;
	char id[STORE_ID_LEN + 1];
	size_t n = 0, i;
	int seen = 0;

	(void)state;
	appreciate(&alice, "For the tea", id);
	assert_int_equal(appreciation_thank(&core, &alice, id, &a), ITEM_FORBIDDEN);
	assert_int_equal(appreciation_thank(&core, &carol, id, &a), ITEM_NOTFOUND);
	assert_int_equal(appreciation_thank(&core, &bob, id, &a), 0);
	assert_true(a.thanked);
	assert_false(a.can_thank);
	appreciation_clear(&a);
	assert_int_equal(appreciation_thank(&core, &bob, id, &a), ITEM_CONFLICT);

	assert_int_equal(appreciation_list(&core, &alice, &list, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(list[i].v.id, id) == 0) {
			seen = 1;
			assert_true(list[i].thanked);
			assert_true(list[i].v.mine);
		}
	assert_true(seen);
	appreciation_list_free(list, n);
}

static void test_home_counts(void **state)
{
	struct triggered t, answered;
	struct trigger_plan p;
	struct item_values v;
	const char *field = NULL;
	size_t open = 9;
	int has_plan = 9;

	(void)state;
	assert_int_equal(kindness_home(&core, &bob, &open, &has_plan), 0);
	assert_int_equal(open, 0);
	assert_int_equal(has_plan, 0);

	assert_int_equal(triggered_raise(&core, &alice, "The song", 8, &t, &field), 0);
	assert_int_equal(kindness_home(&core, &bob, &open, &has_plan), 0);
	assert_int_equal(open, 1); /* at once, on the partner's home */
	assert_int_equal(kindness_home(&core, &alice, &open, &has_plan), 0);
	assert_int_equal(open, 0); /* never one's own */
	assert_int_equal(kindness_home(&core, &carol, &open, &has_plan), 0);
	assert_int_equal(open, 0);

	assert_int_equal(triggered_answer(&core, &alice, t.v.id, &answered), ITEM_FORBIDDEN);
	assert_int_equal(triggered_answer(&core, &bob, t.v.id, &answered), 0);
	assert_true(answered.answered);
	triggered_clear(&answered);
	assert_int_equal(triggered_answer(&core, &bob, t.v.id, &answered), ITEM_CONFLICT);
	triggered_clear(&t);
	assert_int_equal(kindness_home(&core, &bob, &open, &has_plan), 0);
	assert_int_equal(open, 0);

	memset(&v, 0, sizeof(v));
	assert_int_equal(trigger_plan_write(&core, &bob, &v, 0, &p, &field), ITEM_INVALID);
	assert_string_equal(field, "wants");
	v.v[TRIGGER_PLAN_F_WANTS] = "space,hold";
	v.len[TRIGGER_PLAN_F_WANTS] = strlen("space,hold");
	assert_int_equal(trigger_plan_write(&core, &bob, &v, 0, &p, &field), 0);
	trigger_plan_clear(&p);
	assert_int_equal(kindness_home(&core, &bob, &open, &has_plan), 0);
	assert_int_equal(has_plan, 1);
	assert_int_equal(trigger_plan_read(&core, &alice, &p), 0);
	assert_false(p.has_partner); /* kept private */
	trigger_plan_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remember_when),
		cmocka_unit_test(test_thanks_once),
		cmocka_unit_test(test_home_counts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
