/*
 * test-care.c: the care key at the vault level (issue 14, step 4).  Two
 * partners and a therapist are made through account.c over a real SQLite
 * file; a partner ends the therapist's access.  The care key the therapist
 * held (as a copy of their session, or of the file, would give it) must
 * open no care row after that: not one written after the end, and not one
 * written before either, since every care row is sealed again under the
 * new key.  The partners open both, and a therapist who stays opens them
 * with the new key their new sign-in gives them.  Check-ins shared with the
 * care team (their own table, not the registry) follow the same key.
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

#include "core/account.h"
#include "core/care.h"
#include "core/checkin.h"
#include "core/couplekey.h"
#include "core/item.h"
#include "store/store.h"
#include "vault/vault.h"

#include "core/test-db.h"

extern const struct item_kind limit_kind; /* boundaries.c */

static struct core core;

#define PASSWORD TEST_DB_PASSWORD

static int setup(void **state)
{
	(void)state;
	test_db_open(&core);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_close(&core);
	return 0;
}

/* A limit by s shared with the partner and the care team, saying text. */
static void care_limit(const struct session *s, const char *text, char id[VAULT_ID_HEX + 1])
{
	struct item_values v;
	struct item_view out;
	const char *field = NULL;

	memset(&v, 0, sizeof(v));
	v.v[0] = "trigger";
	v.len[0] = strlen("trigger");
	v.v[1] = text;
	v.len[1] = strlen(text);
	assert_int_equal(item_create(&core, s, &limit_kind, &v,
				     ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE, &out, &field),
			 0);
	memcpy(id, out.id, VAULT_ID_HEX + 1);
	item_view_clear(&out);
}

/* Whether s opens row id's sealed record, straight from the store (no access rule). */
static int opens(const struct session *s, const char *id)
{
	struct item_row row;
	unsigned char *plain = NULL;
	size_t len = 0;
	int r;

	assert_int_equal(STORE_CALL(core.st, item_get, s->couple_id, "limit", id, &row), 0);
	r = item_open(&core, &limit_kind, s, &row, &plain, &len);
	item_text_free(plain, len);
	store_item_free(&row);
	return r == 0;
}

/* ana signs up and invites ben, who joins: the couple every test starts from. */
static void couple(struct session *ana, struct session *ben)
{
	struct account_new bin = {"ben", PASSWORD, strlen(PASSWORD), "Ben", "en"};
	struct account_signin out;
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];

	test_db_signup(&core, "ana", ana);
	assert_int_equal(account_invite(&core, ana, token), 0);
	assert_int_equal(account_join(&core, token, &bin, &out, ben), 0);
}

/* A therapist joins through a care invite ana proposes and ben approves. */
static void therapist_joins(struct session *ana, struct session *ben, const char *login,
			    struct session *t)
{
	struct account_new in = {login, PASSWORD, strlen(PASSWORD), login, "en"};
	struct account_signin out;
	struct care_invite inv;
	char token[CARE_TOKEN_LEN + 1];

	memset(&inv, 0, sizeof(inv));
	assert_int_equal(care_propose(&core, ana, NULL, 0, &inv), 0);
	assert_int_equal(care_approve(&core, ana, inv.id, &inv, token), CARE_FORBIDDEN);
	assert_int_equal(care_approve(&core, ben, inv.id, &inv, token), 0);
	care_invite_clear(&inv);
	assert_int_equal(account_join(&core, token, &in, &out, t), 0);
	assert_string_equal(t->role, "therapist");
	assert_true(t->has_tk);
}

static void test_the_old_care_key_opens_nothing_after_the_end(void **state)
{
	struct account_signin out;
	struct session ana, ben, tom, tess, held, tess2;
	char early[VAULT_ID_HEX + 1], before[VAULT_ID_HEX + 1], after[VAULT_ID_HEX + 1];

	(void)state;
	couple(&ana, &ben);
	/* before any care key: under the couple key, moved under the care key at the approval */
	care_limit(&ana, "Shouting, from before", early);
	therapist_joins(&ana, &ben, "tom", &tom);
	assert_true(opens(&tom, early));
	therapist_joins(&ana, &ben, "tess", &tess);
	care_limit(&ben, "Silence for days", before);
	assert_true(opens(&tom, before));
	/* what tom holds: his session, as a copy of it would give it to anyone */
	memcpy(&held, &tom, sizeof(held));
	assert_memory_equal(held.tk, ben.tk, VAULT_KEY_BYTES); /* ben approved: he made it */

	assert_int_equal(care_end(&core, &ben, tom.member_id), 0);
	assert_memory_not_equal(ben.tk, held.tk, VAULT_KEY_BYTES);
	/* ana's next request loads the care key as it is now (session_resolve()) */
	assert_int_equal(care_load(&core, &ana, 0), 0);
	care_limit(&ana, "Being compared with others", after);
	/* the key tom held opens nothing shared with the care team any more */
	assert_false(opens(&held, after));
	assert_false(opens(&held, before));
	assert_false(opens(&held, early));
	/* his sessions are gone, and signing in again gives him no key */
	assert_int_equal(care_end(&core, &ana, tom.member_id), CARE_NOTFOUND);
	assert_int_equal(account_login(&core, "tom", PASSWORD, strlen(PASSWORD), NULL, &out, &tom),
			 0);
	assert_false(tom.has_tk);
	assert_true(tom.care_ended);
	/* the partners read every care row, the one who ended and the other */
	assert_memory_equal(ana.tk, ben.tk, VAULT_KEY_BYTES);
	assert_true(opens(&ana, early) && opens(&ana, before) && opens(&ana, after));
	assert_true(opens(&ben, early) && opens(&ben, before) && opens(&ben, after));
	/* tess still holds the old key until she signs in again, and it opens nothing new */
	assert_false(opens(&tess, after));
	assert_int_equal(
		account_login(&core, "tess", PASSWORD, strlen(PASSWORD), NULL, &out, &tess2), 0);
	assert_true(tess2.has_tk);
	assert_memory_equal(tess2.tk, ben.tk, VAULT_KEY_BYTES);
	assert_true(opens(&tess2, early));
	assert_true(opens(&tess2, before));
	assert_true(opens(&tess2, after));
	vault_wipe(&held, sizeof(held));
}

/* A check-in by s for the day `ago` days before today, shared as shared, its note text. */
static void care_checkin(const struct session *s, long ago, const char *text, unsigned shared,
			 char id[VAULT_ID_HEX + 1])
{
	struct checkin_input in;
	struct checkin out;
	char period[CHECKIN_DATE_LEN + 1];
	size_t i;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	checkin_today(period, -ago);
	in.period = period;
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		in.scores[i] = 3;
	in.trust = 5;
	in.closeness = 6;
	in.note = text;
	in.note_len = strlen(text);
	in.shared_with = shared;
	assert_int_equal(checkin_add(&core, s, &in, &out), 0);
	memcpy(id, out.id, VAULT_ID_HEX + 1);
	checkin_clear(&out);
}

/* Whether s reads check-in id (and then that its note is text). */
static int reads(const struct session *s, const char *id, const char *text)
{
	struct checkin ci;
	int r;

	memset(&ci, 0, sizeof(ci));
	r = checkin_read(&core, s, id, &ci);
	if (r == 0)
		assert_string_equal(ci.note, text);
	checkin_clear(&ci);
	return r == 0;
}

static void test_care_checkins_follow_the_care_key(void **state)
{
	struct account_signin out;
	struct session ana, ben, tom, tess, held, tess2;
	char early[VAULT_ID_HEX + 1], before[VAULT_ID_HEX + 1], after[VAULT_ID_HEX + 1];
	char mine[VAULT_ID_HEX + 1], partner[VAULT_ID_HEX + 1];
	const unsigned care = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE;

	(void)state;
	couple(&ana, &ben);
	/* before any care key: under the couple key, moved under the care key at the approval */
	care_checkin(&ana, 1, "Tired, but we talked", care, early);
	therapist_joins(&ana, &ben, "tom", &tom);
	assert_true(reads(&tom, early, "Tired, but we talked"));
	therapist_joins(&ana, &ben, "tess", &tess);
	care_checkin(&ben, 1, "A better day", care, before);
	care_checkin(&ben, 2, "Only mine", 0, mine);
	care_checkin(&ben, 3, "For ana alone", ACCESS_SHARE_PARTNER, partner);
	assert_true(reads(&tom, before, "A better day"));
	/* the care team reads what was shared with it, nothing else, whatever the key */
	assert_int_equal(checkin_read(&core, &tom, mine, &(struct checkin){0}), CHECKIN_NOTFOUND);
	assert_int_equal(checkin_read(&core, &tom, partner, &(struct checkin){0}),
			 CHECKIN_NOTFOUND);
	memcpy(&held, &tom, sizeof(held));

	assert_int_equal(care_end(&core, &ben, tom.member_id), 0);
	assert_int_equal(care_load(&core, &ana, 0), 0);
	care_checkin(&ana, 2, "Scared of the weekend", care, after);
	/* the key tom held opens no care check-in: not one written after, nor before */
	assert_false(reads(&held, after, ""));
	assert_false(reads(&held, before, ""));
	assert_false(reads(&held, early, ""));
	assert_int_equal(account_login(&core, "tom", PASSWORD, strlen(PASSWORD), NULL, &out, &tom),
			 0);
	assert_false(reads(&tom, before, ""));
	/* the partners read them under the new key (each period checked in by both) */
	assert_true(reads(&ana, early, "Tired, but we talked") &&
		    reads(&ana, before, "A better day") &&
		    reads(&ana, after, "Scared of the weekend"));
	assert_true(reads(&ben, early, "Tired, but we talked") &&
		    reads(&ben, before, "A better day") &&
		    reads(&ben, after, "Scared of the weekend"));
	/* tess's old key opens nothing new; signing in again gives her the new one */
	assert_false(reads(&tess, after, ""));
	assert_int_equal(
		account_login(&core, "tess", PASSWORD, strlen(PASSWORD), NULL, &out, &tess2), 0);
	assert_true(reads(&tess2, early, "Tired, but we talked"));
	assert_true(reads(&tess2, before, "A better day"));
	assert_true(reads(&tess2, after, "Scared of the weekend"));
	vault_wipe(&held, sizeof(held));
}

/*
 * A check-in of s shared with the care team alone, `ago` days back, as it
 * was sealed before the care team read check-ins: under s's master key.
 */
static void care_only_from_before(const struct session *s, long ago, const char *text,
				  char id[VAULT_ID_HEX + 1])
{
	struct checkin_row row;
	unsigned char buf[64];
	size_t len = 1 + _CHECKIN_DIM_MAX + 2 + strlen(text), i;
	char ad[160];

	assert_true(len <= sizeof(buf));
	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", s->couple_id);
	snprintf(row.author_id, sizeof(row.author_id), "%s", s->member_id);
	checkin_today(row.period, -ago);
	snprintf(row.rhythm, sizeof(row.rhythm), "daily");
	row.shared_with = ACCESS_SHARE_CARE;
	row.version = 1;
	session_now(row.created_at, 0);
	memcpy(row.updated_at, row.created_at, sizeof(row.updated_at));
	buf[0] = 1; /* the format byte, the scores, trust, closeness, the note */
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		buf[1 + i] = 3;
	buf[1 + _CHECKIN_DIM_MAX] = 5;
	buf[2 + _CHECKIN_DIM_MAX] = 6;
	memcpy(buf + 3 + _CHECKIN_DIM_MAX, text, strlen(text));
	snprintf(ad, sizeof(ad), "checkins.content.a|%s|%s|%s|1", row.id, row.couple_id,
		 row.author_id);
	assert_int_equal(couplekey_seal(s, COUPLEKEY_MEMBER, 1, "checkin_", buf, len, ad,
					&row.content_sealed.data, &row.content_sealed.len),
			 0);
	assert_int_equal(STORE_CALL(core.st, checkin_insert, &row), 0);
	memcpy(id, row.id, VAULT_ID_HEX + 1);
	store_blob_free(&row.content_sealed);
}

/*
 * A check-in an older version took with "care" alone (under its author's
 * master key) stays private to its author: no therapist reads it, no care
 * key change moves it under the care key (which the partner holds), and a
 * new master key seals it again for its author alone.
 */
static void test_care_only_checkins_from_before_stay_private(void **state)
{
	struct session ana, ben, tom, tess;
	char one[VAULT_ID_HEX + 1], two[VAULT_ID_HEX + 1];

	(void)state;
	couple(&ana, &ben);
	care_only_from_before(&ana, 1, "Only for the therapist", one);
	assert_true(reads(&ana, one, "Only for the therapist"));
	assert_int_equal(checkin_read(&core, &ben, one, &(struct checkin){0}), CHECKIN_NOTFOUND);
	therapist_joins(&ana, &ben, "tom", &tom);
	assert_false(reads(&tom, one, ""));
	/* a care key change leaves it under ana's own key: still hers alone */
	assert_int_equal(care_end(&core, &ana, tom.member_id), 0);
	therapist_joins(&ana, &ben, "tess", &tess);
	assert_false(reads(&tess, one, ""));
	assert_true(reads(&ana, one, "Only for the therapist"));
	assert_int_equal(checkin_read(&core, &ben, one, &(struct checkin){0}), CHECKIN_NOTFOUND);
	/* a new master key seals it again for ana, and for nobody else */
	care_only_from_before(&ana, 2, "Written before the change", two);
	assert_int_equal(account_change_password(&core, &ana, NULL, PASSWORD, strlen(PASSWORD),
						 NULL, "another long passphrase 9",
						 strlen("another long passphrase 9")),
			 0);
	assert_true(reads(&ana, one, "Only for the therapist"));
	assert_true(reads(&ana, two, "Written before the change"));
	assert_false(reads(&tess, two, ""));
	assert_int_equal(checkin_read(&core, &ben, two, &(struct checkin){0}), CHECKIN_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_old_care_key_opens_nothing_after_the_end,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_care_checkins_follow_the_care_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_care_only_checkins_from_before_stay_private,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
