/*
 * test-keys.c: the keys against someone who can write the database file
 * (issue 11, part 6).  Members are made through account.c over a real
 * SQLite file; the attacker then works on that file through the store, as
 * they would with sqlite3: they seal a couple key of their own to a
 * member's public key (which is stored in the clear) and put it in place
 * of the member's wrap.  The member's next sign-in must refuse it.  Or
 * they change who wrote a row (part 8): what was sealed for one author must
 * not open as another's.  And a copy of the file taken before a password
 * change or a recovery, with the password of then, opens nothing after
 * (part 4).
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

#include "core/account.h"
#include "core/checkin.h"
#include "core/journal.h"
#include "core/safety.h"
#include "core/share.h"
#include "core/statement.h"
#include "store/store-sqlite.h"
#include "store/store.h"
#include "vault/vault.h"

#include "core/test-db.h"

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

static void signup(const char *login, struct session *s)
{
	test_db_signup(&core, login, s);
}

static int signin(const char *login)
{
	struct account_signin out;
	struct session s;

	return account_login(&core, login, PASSWORD, strlen(PASSWORD), NULL, &out, &s);
}

/* What the attacker does with the file: a couple key of their own, sealed to the member. */
static void forge_wrap(const struct session *victim, const unsigned char *tag, size_t taglen)
{
	unsigned char mine[VAULT_KEY_BYTES], *wrapped = NULL;
	struct member_row m;
	size_t len = 0;

	assert_int_equal(STORE_CALL(core.st, member_get, victim->couple_id, victim->member_id, &m),
			 0);
	vault_random(mine, sizeof(mine));
	assert_int_equal(vault_box_seal(m.public_key.data, mine, sizeof(mine), &wrapped, &len), 0);
	assert_int_equal(STORE_CALL(core.st, couple_key_put, victim->couple_id, victim->member_id,
				    wrapped, len, tag, taglen),
			 0);
	free(wrapped);
	store_member_free(&m);
}

static void test_a_forged_wrap_is_refused(void **state)
{
	struct session alice;
	struct blob wrapped, tag;

	(void)state;
	signup("alice", &alice);
	assert_int_equal(signin("alice"), 0);
	assert_int_equal(STORE_CALL(core.st, couple_key_get, alice.couple_id, alice.member_id,
				    &wrapped, &tag),
			 0);
	assert_int_equal(tag.len, VAULT_TAG_BYTES); /* tagged from the start */

	/* a wrap of the attacker's, without a tag, and with the member's own tag */
	forge_wrap(&alice, NULL, 0);
	assert_true(signin("alice") < 0);
	forge_wrap(&alice, tag.data, tag.len);
	assert_true(signin("alice") < 0);

	/* the member's own wrap and tag, put back, open as before */
	assert_int_equal(STORE_CALL(core.st, couple_key_put, alice.couple_id, alice.member_id,
				    wrapped.data, wrapped.len, tag.data, tag.len),
			 0);
	assert_int_equal(signin("alice"), 0);
	store_blob_free(&wrapped);
	store_blob_free(&tag);
}

/*
 * A member made before migration 0008 (their secret key sealed in the old
 * form, their wrap untagged) signs in as before, and from that sign-in on
 * their wrap is tagged and a forged one is refused.
 */
static void test_old_members_are_tagged_at_sign_in(void **state)
{
	struct session bob;
	struct member_row m;
	struct blob wrapped, tag;
	unsigned char *sealed = NULL, sk[VAULT_SK_BYTES];
	size_t len = 0;
	char ad[96];

	(void)state;
	signup("bob", &bob);
	/* back to the old form, with the member's own keys */
	assert_int_equal(STORE_CALL(core.st, member_get, bob.couple_id, bob.member_id, &m), 0);
	snprintf(ad, sizeof(ad), "members.secret_key|%s", bob.member_id);
	assert_int_equal(vault_seal(bob.mk, bob.sk, sizeof(bob.sk), ad, &sealed, &len), 0);
	store_blob_free(&m.secret_key_sealed);
	m.secret_key_sealed.data = sealed;
	m.secret_key_sealed.len = len;
	assert_int_equal(STORE_CALL(core.st, member_set_secret_key, &m), 0);
	assert_int_equal(
		STORE_CALL(core.st, couple_key_get, bob.couple_id, bob.member_id, &wrapped, &tag),
		0);
	store_blob_free(&tag);
	assert_int_equal(STORE_CALL(core.st, couple_key_put, bob.couple_id, bob.member_id,
				    wrapped.data, wrapped.len, NULL, 0),
			 0);
	store_blob_free(&wrapped);
	store_member_free(&m);

	assert_int_equal(signin("bob"), 0);
	assert_int_equal(
		STORE_CALL(core.st, couple_key_get, bob.couple_id, bob.member_id, &wrapped, &tag),
		0);
	assert_int_equal(tag.len, VAULT_TAG_BYTES);
	store_blob_free(&wrapped);
	store_blob_free(&tag);
	/* the secret key is in the new form: the old one no longer opens it */
	assert_int_equal(STORE_CALL(core.st, member_get, bob.couple_id, bob.member_id, &m), 0);
	assert_int_equal(vault_open_into(bob.mk, m.secret_key_sealed.data, m.secret_key_sealed.len,
					 ad, sk, sizeof(sk)),
			 VAULT_BAD);
	store_member_free(&m);

	forge_wrap(&bob, NULL, 0);
	assert_true(signin("bob") < 0);
}

/* A partner's wrap is theirs alone: one partner's tag does not vouch for the other's wrap. */
static void test_tags_are_per_member(void **state)
{
	struct session ana, ben;
	struct account_new in = {"ben", PASSWORD, strlen(PASSWORD), "Ben", "es"};
	struct account_signin out;
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	struct blob wa, ta, wb, tb;

	(void)state;
	signup("ana", &ana);
	assert_int_equal(account_invite(&core, &ana, token), 0);
	assert_int_equal(account_join(&core, token, &in, &out, &ben), 0);
	assert_int_equal(signin("ben"), 0);
	assert_int_equal(
		STORE_CALL(core.st, couple_key_get, ana.couple_id, ana.member_id, &wa, &ta), 0);
	assert_int_equal(
		STORE_CALL(core.st, couple_key_get, ben.couple_id, ben.member_id, &wb, &tb), 0);
	/* ana's tag on ben's row, with ben's own wrap */
	assert_int_equal(STORE_CALL(core.st, couple_key_put, ben.couple_id, ben.member_id, wb.data,
				    wb.len, ta.data, ta.len),
			 0);
	assert_true(signin("ben") < 0);
	assert_int_equal(signin("ana"), 0);
	store_blob_free(&wa);
	store_blob_free(&ta);
	store_blob_free(&wb);
	store_blob_free(&tb);
}

/* What the attacker does with the file: another author for a row. */
static void set_author(const char *table, const char *id, const char *author)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE %s SET author_id = '%s' WHERE id = '%s'", table, author,
		 id);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), 0);
}

/*
 * Issue 11, part 8: a statement whose author_id is changed in the file
 * does not open, so its real author cannot answer their own statement; an
 * answer given another author does not open either.
 */
static void test_the_author_is_bound(void **state)
{
	struct session cleo, dan;
	struct account_new in = {"dan", PASSWORD, strlen(PASSWORD), "Dan", "en"};
	struct account_signin out;
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	const char *parts[_STATEMENT_PART_MAX] = {"I lied about the trip",	"", "", "",
						  "I will tell you where I am", ""};
	struct statement st;
	struct statement_response resp;
	struct share card, again;
	char id[VAULT_ID_HEX + 1];

	(void)state;
	signup("cleo", &cleo);
	assert_int_equal(account_invite(&core, &cleo, token), 0);
	assert_int_equal(account_join(&core, token, &in, &out, &dan), 0);

	assert_int_equal(statement_create(&core, &cleo, parts, &st), 0);
	memcpy(id, st.id, sizeof(id));
	statement_clear(&st);
	assert_int_equal(statement_deliver(&core, &cleo, id, &st), 0);
	statement_clear(&st);
	/* cleo cannot answer her own statement */
	assert_int_equal(statement_respond(&core, &cleo, id, "x", NULL, &resp),
			 STATEMENT_FORBIDDEN);
	/* ... nor after the file says dan wrote it: it no longer opens */
	set_author("statements", id, dan.member_id);
	assert_int_not_equal(statement_respond(&core, &cleo, id, "it landed", NULL, &resp), 0);
	assert_int_not_equal(statement_read(&core, &dan, id, &st), 0);
	set_author("statements", id, cleo.member_id);
	assert_int_equal(statement_read(&core, &dan, id, &st), 0);
	statement_clear(&st);

	/* a card dan wrote, said to be cleo's, does not open for either */
	assert_int_equal(share_add(&core, &dan, SHARE_HOPE, "That we laugh again", 19,
				   ACCESS_SHARE_PARTNER, &card),
			 0);
	set_author("items", card.id, cleo.member_id);
	assert_int_not_equal(share_read(&core, &cleo, card.id, &again), 0);
	assert_int_not_equal(share_read(&core, &dan, card.id, &again), 0);
	set_author("items", card.id, dan.member_id);
	assert_int_equal(share_read(&core, &cleo, card.id, &again), 0);
	share_clear(&again);
	share_clear(&card);

	/* check-ins swapped between the partners in the file open for neither */
	{
		struct checkin_input ci = {.scores = {3, 3, 3, 3, 3},
					   .trust = 5,
					   .closeness = 5,
					   .shared_with = ACCESS_SHARE_PARTNER};
		struct checkin mine, hers, got;
		char today[CHECKIN_DATE_LEN + 1], sql[160];

		checkin_today(today, 0);
		ci.period = today;
		assert_int_equal(checkin_add(&core, &dan, &ci, &mine), 0);
		assert_int_equal(checkin_add(&core, &cleo, &ci, &hers), 0);
		assert_int_equal(checkin_read(&core, &dan, hers.id, &got),
				 0); /* both in: revealed */
		checkin_clear(&got);
		/* cleo's, said to be dan's (his own gone: one per member and period) */
		snprintf(sql, sizeof(sql), "DELETE FROM checkins WHERE id = '%s'", mine.id);
		assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), 0);
		set_author("checkins", hers.id, dan.member_id);
		assert_int_not_equal(checkin_read(&core, &dan, hers.id, &got), 0);
		assert_int_not_equal(checkin_read(&core, &cleo, hers.id, &got), 0);
		checkin_clear(&mine);
		checkin_clear(&hers);
	}
}

/* A card's text as s reads it, or NULL when it does not open or is not s's to read. */
static char *card_text(const struct session *s, const char *id)
{
	struct share card;
	char *text;

	if (share_read(&core, s, id, &card) != 0)
		return NULL;
	text = strdup(card.body);
	share_clear(&card);
	return text;
}

static void card_add(const struct session *s, const char *body, char id[VAULT_ID_HEX + 1])
{
	struct share card;

	assert_int_equal(
		share_add(&core, s, SHARE_HOPE, body, strlen(body), ACCESS_SHARE_PARTNER, &card),
		0);
	memcpy(id, card.id, VAULT_ID_HEX + 1);
	share_clear(&card);
}

/* s as someone holding only the couple key ck would be: its member, ck alone. */
static void holding(struct session *out, const struct session *s, const unsigned char *ck)
{
	*out = *s;
	memcpy(out->ck, ck, VAULT_KEY_BYTES);
	out->n_ck_old = 0;
}

static void assert_card(const struct session *s, const char *id, const char *want)
{
	char *got = card_text(s, id);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void assert_no_card(const struct session *s, const char *id)
{
	char *got = card_text(s, id);

	assert_null(got);
}

/*
 * Issue 11 part 5 and issue 13 "leave": the couple key does not outlive a
 * partner.  The one who leaves (or deletes their account) knew the couple
 * key: with it and a copy of the file taken later, they open nothing the
 * partner who stays writes afterwards.  A partner who joins later opens
 * nothing written before.  And nobody loses what they could read.
 */
static void test_the_couple_key_outlives_no_partner(void **state)
{
	struct account_new fin = {"frank", PASSWORD, strlen(PASSWORD), "Frank", "en"};
	struct account_new gin = {"gina", PASSWORD, strlen(PASSWORD), "Gina", "en"};
	struct account_new ein = {"erin", PASSWORD, strlen(PASSWORD), "Erin", "en"};
	struct account_signin out, eout;
	struct session erin, frank, gina, old, att;
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	char before[VAULT_ID_HEX + 1], his[VAULT_ID_HEX + 1], after[VAULT_ID_HEX + 1];
	char later[VAULT_ID_HEX + 1], c1[VAULT_ID_HEX + 1];
	unsigned char ck0[VAULT_KEY_BYTES], ck1[VAULT_KEY_BYTES];
	struct journal_entry e;
	char jid[VAULT_ID_HEX + 1];

	(void)state;
	assert_int_equal(account_signup(&core, &ein, &eout, &erin), 0);
	assert_int_equal(account_invite(&core, &erin, token), 0);
	assert_int_equal(account_join(&core, token, &fin, &out, &frank), 0);
	memcpy(ck0, frank.ck, sizeof(ck0)); /* what frank takes with him */
	memcpy(c1, erin.couple_id, sizeof(c1));
	card_add(&erin, "Erin before", before);
	card_add(&frank, "Frank's hope", his);
	assert_int_equal(journal_add(&core, &frank, "frank's own", 11, NULL, &e), 0);
	memcpy(jid, e.id, sizeof(jid));
	journal_entry_clear(&e);

	/* frank leaves: a wrong password changes nothing */
	assert_int_equal(account_leave(&core, &frank, NULL, "not it at all, no", 17),
			 ACCOUNT_WRONG_PASSWORD);
	assert_string_equal(frank.couple_id, c1);
	assert_int_equal(account_leave(&core, &frank, NULL, PASSWORD, strlen(PASSWORD)), 0);
	assert_string_not_equal(frank.couple_id, c1);
	assert_memory_not_equal(frank.ck, ck0, VAULT_KEY_BYTES);

	/* erin's session takes a new key at her next request, and keeps reading all */
	assert_int_equal(session_resolve(&core, eout.cookie, strlen(eout.cookie), &erin), 0);
	assert_memory_not_equal(erin.ck, ck0, VAULT_KEY_BYTES);
	assert_card(&erin, before, "Erin before");
	assert_card(&erin, his, "Frank's hope"); /* his, as he left it with her */
	card_add(&erin, "Erin after", after);

	/* frank's old key opens what was there when he left, and nothing after */
	holding(&att, &erin, ck0);
	assert_card(&att, before, "Erin before");
	assert_no_card(&att, after);

	/* frank keeps his own, in his own couple: his card, his journal; not hers */
	assert_card(&frank, his, "Frank's hope");
	assert_int_equal(journal_read(&core, &frank, jid, &e), 0);
	assert_string_equal(e.body, "frank's own");
	journal_entry_clear(&e);
	assert_no_card(&frank, before);
	assert_no_card(&frank, after);
	/* and his other sessions ended: a sign-in works, with his new couple's key */
	assert_int_equal(
		account_login(&core, "frank", PASSWORD, strlen(PASSWORD), NULL, &out, &old), 0);
	assert_string_equal(old.couple_id, frank.couple_id);
	assert_memory_equal(old.ck, frank.ck, VAULT_KEY_BYTES);

	/* erin invites gina: a new key first, so gina opens nothing from before */
	memcpy(ck1, erin.ck, sizeof(ck1));
	assert_int_equal(account_invite(&core, &erin, token), 0);
	assert_memory_not_equal(erin.ck, ck1, VAULT_KEY_BYTES);
	assert_int_equal(account_join(&core, token, &gin, &out, &gina), 0);
	assert_memory_equal(gina.ck, erin.ck, VAULT_KEY_BYTES);
	assert_no_card(&gina, before);
	assert_no_card(&gina, after);
	assert_no_card(&gina, his);
	card_add(&erin, "Erin later", later);
	assert_card(&gina, later, "Erin later");
	assert_card(&erin, after, "Erin after"); /* under a key she keeps */

	/* gina deletes her account: with the key she held, nothing erin writes next opens */
	memcpy(ck1, gina.ck, sizeof(ck1));
	assert_int_equal(account_delete(&core, &gina, NULL, PASSWORD, strlen(PASSWORD)), 0);
	assert_int_equal(
		account_login(&core, "erin", PASSWORD, strlen(PASSWORD), NULL, &eout, &erin), 0);
	assert_memory_not_equal(erin.ck, ck1, VAULT_KEY_BYTES);
	card_add(&erin, "Erin alone again", after);
	holding(&att, &erin, ck1);
	assert_no_card(&att, after);
	assert_card(&att, later, "Erin later");
	assert_card(&erin, later, "Erin later");
	assert_card(&erin, before, "Erin before");
	assert_card(&erin, his, "Frank's hope");
}

/* ---- issue 11 part 4: a new master key at each password change and recovery ---- */

#define NEW_PASSWORD "another long passphrase 9"

/* What the attacker keeps: a copy of the whole file as it is now. */
static void copy_file(char path[160])
{
	char sql[200];

	snprintf(path, 160, "%s/copy-%ld.db", test_db_dir, random());
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", path);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), 0);
}

/* The master key the copy at path and the password of then give, as sqlite3 and libsodium would. */
static void mk_of_copy(const char *path, const char *couple_id, const char *member_id,
		       unsigned char mk[VAULT_KEY_BYTES])
{
	struct store *st = NULL;
	struct member_row m;
	unsigned char kek[VAULT_KEY_BYTES];
	char err[256], ad[96];

	assert_int_equal(store_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(STORE_CALL(st, member_get, couple_id, member_id, &m), 0);
	assert_int_equal(vault_kek_from_password(kek, PASSWORD, strlen(PASSWORD), m.kek_salt.data,
						 VAULT_KDF_INTERACTIVE),
			 0);
	snprintf(ad, sizeof(ad), "members.mk_by_pw|%s", member_id);
	assert_int_equal(
		vault_open_into(kek, m.mk_by_pw.data, m.mk_by_pw.len, ad, mk, VAULT_KEY_BYTES), 0);
	store_member_free(&m);
	store_close(st);
	unlink(path);
}

/* A member's private rows of every kind sealed under the master key, ids into the arrays. */
struct private_rows {
	char journal[VAULT_ID_HEX + 1], card[VAULT_ID_HEX + 1], draft[VAULT_ID_HEX + 1];
	char checkin[VAULT_ID_HEX + 1];
};

static void write_private(const struct session *s, const char *word, struct private_rows *ids,
			  int with_checkin)
{
	const char *parts[_STATEMENT_PART_MAX] = {word, "", "", "", "", ""};
	struct journal_entry e;
	struct share card;
	struct statement st;

	assert_int_equal(journal_add(&core, s, word, strlen(word), NULL, &e), 0);
	memcpy(ids->journal, e.id, sizeof(ids->journal));
	journal_entry_clear(&e);
	assert_int_equal(share_add(&core, s, SHARE_HOPE, word, strlen(word), 0, &card), 0);
	memcpy(ids->card, card.id, sizeof(ids->card));
	share_clear(&card);
	assert_int_equal(statement_create(&core, s, parts, &st), 0);
	memcpy(ids->draft, st.id, sizeof(ids->draft));
	statement_clear(&st);
	if (with_checkin) {
		struct checkin_input ci = {.scores = {2, 3, 4, 3, 2}, .trust = 4, .closeness = 6};
		struct checkin got;
		char today[CHECKIN_DATE_LEN + 1];

		checkin_today(today, 0);
		ci.period = today;
		assert_int_equal(checkin_add(&core, s, &ci, &got), 0);
		memcpy(ids->checkin, got.id, sizeof(ids->checkin));
		checkin_clear(&got);
	}
}

/* 1 when every private row of ids opens for s (with word as the journal's text), 0 when none do. */
static int reads_private(const struct session *s, const struct private_rows *ids, const char *word)
{
	struct journal_entry e;
	struct share card;
	struct statement st;
	struct checkin ci;
	int n = 0, want;

	if (journal_read(&core, s, ids->journal, &e) == 0) {
		assert_string_equal(e.body, word);
		journal_entry_clear(&e);
		n++;
	}
	if (share_read(&core, s, ids->card, &card) == 0) {
		assert_string_equal(card.body, word);
		share_clear(&card);
		n++;
	}
	if (statement_read(&core, s, ids->draft, &st) == 0) {
		statement_clear(&st);
		n++;
	}
	if (ids->checkin[0] && checkin_read(&core, s, ids->checkin, &ci) == 0) {
		checkin_clear(&ci);
		n++;
	}
	/* all or nothing: none is left under the old key */
	want = ids->checkin[0] ? 4 : 3;
	assert_true(n == 0 || n == want);
	return n == want;
}

/* Has s a safety check of concern on record, as its keys open it? */
static int concern_for(const struct session *s)
{
	return safety_concern(&core, s) == 1;
}

static void test_the_master_key_changes_with_the_password(void **state)
{
	struct account_new in = {"hana", PASSWORD, strlen(PASSWORD), "Hana", "en"};
	struct account_signin out;
	struct session hana, att, again;
	struct private_rows before, after;
	unsigned char yes[SAFETY_QUESTIONS] = {1}, old_mk[VAULT_KEY_BYTES];
	char copy[160], rk[VAULT_RECOVERY_CHARS + 1];
	struct member_row m;
	unsigned char sk[VAULT_SK_BYTES];
	char ad[96];

	(void)state;
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	assert_int_equal(account_signup(&core, &in, &out, &hana), 0);
	memcpy(rk, out.recovery_key, sizeof(rk));
	write_private(&hana, "before the change", &before, 1);
	assert_int_equal(safety_record(&core, &hana, yes, NULL), 0);
	copy_file(copy); /* the attacker's copy, and they know the password of then */

	assert_int_equal(account_change_password(&core, &hana, NULL, PASSWORD, strlen(PASSWORD),
						 NULL, NEW_PASSWORD, strlen(NEW_PASSWORD)),
			 0);
	write_private(&hana, "after the change", &after, 0);

	mk_of_copy(copy, hana.couple_id, hana.member_id, old_mk);
	assert_memory_not_equal(old_mk, hana.mk, VAULT_KEY_BYTES);
	att = hana;
	memcpy(att.mk, old_mk, VAULT_KEY_BYTES);
	/* the old key opens nothing: not what is new, not what was there and was sealed again */
	assert_false(reads_private(&att, &after, "after the change"));
	assert_false(reads_private(&att, &before, "before the change"));
	assert_false(concern_for(&att));
	assert_int_equal(STORE_CALL(core.st, member_get, hana.couple_id, hana.member_id, &m), 0);
	snprintf(ad, sizeof(ad), "members.secret_key.tagged|%s", hana.member_id);
	assert_int_equal(vault_open_into(old_mk, m.secret_key_sealed.data, m.secret_key_sealed.len,
					 ad, sk, sizeof(sk)),
			 VAULT_BAD);
	store_member_free(&m);

	/* the session that changed it reads it all; so does a sign-in with the new password */
	assert_true(reads_private(&hana, &before, "before the change"));
	assert_true(reads_private(&hana, &after, "after the change"));
	assert_true(concern_for(&hana));
	assert_int_equal(
		account_login(&core, "hana", PASSWORD, strlen(PASSWORD), NULL, &out, &again),
		ACCOUNT_BAD_CREDENTIALS);
	assert_int_equal(account_login(&core, "hana", NEW_PASSWORD, strlen(NEW_PASSWORD), NULL,
				       &out, &again),
			 0);
	assert_memory_equal(again.mk, hana.mk, VAULT_KEY_BYTES);
	assert_true(reads_private(&again, &before, "before the change"));
	assert_true(reads_private(&again, &after, "after the change"));
	assert_true(concern_for(&again));

	/* the recovery key of the sign-up still opens the account, and its key changes again */
	copy_file(copy);
	assert_int_equal(
		account_recover(&core, "hana", rk, NULL, PASSWORD, strlen(PASSWORD), &out, &again),
		0);
	assert_memory_not_equal(again.mk, hana.mk, VAULT_KEY_BYTES);
	assert_true(reads_private(&again, &before, "before the change"));
	assert_true(reads_private(&again, &after, "after the change"));
	assert_true(concern_for(&again));
	/* a copy from before the recovery with the password of then opens nothing after it */
	memset(&before, 0, sizeof(before));
	write_private(&again, "after the recovery", &before, 0);
	{
		struct store *st = NULL;
		struct member_row om;
		unsigned char kek[VAULT_KEY_BYTES];
		char err[256];

		/* the copy was made under NEW_PASSWORD: that is the password of then */
		assert_int_equal(store_open(copy, &st, err, sizeof(err)), 0);
		assert_int_equal(STORE_CALL(st, member_get, hana.couple_id, hana.member_id, &om),
				 0);
		assert_int_equal(vault_kek_from_password(kek, NEW_PASSWORD, strlen(NEW_PASSWORD),
							 om.kek_salt.data, VAULT_KDF_INTERACTIVE),
				 0);
		snprintf(ad, sizeof(ad), "members.mk_by_pw|%s", hana.member_id);
		assert_int_equal(vault_open_into(kek, om.mk_by_pw.data, om.mk_by_pw.len, ad, old_mk,
						 VAULT_KEY_BYTES),
				 0);
		store_member_free(&om);
		store_close(st);
		unlink(copy);
	}
	assert_memory_equal(old_mk, hana.mk, VAULT_KEY_BYTES);
	att = again;
	memcpy(att.mk, old_mk, VAULT_KEY_BYTES);
	assert_false(reads_private(&att, &before, "after the recovery"));
	assert_false(reads_private(&att, &after, "after the change"));
	assert_false(concern_for(&att));
	assert_true(reads_private(&again, &before, "after the recovery"));
}

/*
 * The couple's content is untouched by one partner's new master key: both
 * read what they share, before and after, and the key holder's couple key
 * wrap still opens at sign-in.
 */
static void test_a_new_master_key_keeps_the_couple(void **state)
{
	struct account_new jin = {"jo", PASSWORD, strlen(PASSWORD), "Jo", "en"};
	struct account_signin out;
	struct session ivy, jo, again;
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	char before[VAULT_ID_HEX + 1], after[VAULT_ID_HEX + 1];

	(void)state;
	signup("ivy", &ivy);
	assert_int_equal(account_invite(&core, &ivy, token), 0);
	assert_int_equal(account_join(&core, token, &jin, &out, &jo), 0);
	card_add(&ivy, "Ivy shares this", before);
	assert_int_equal(account_change_password(&core, &ivy, NULL, PASSWORD, strlen(PASSWORD),
						 NULL, NEW_PASSWORD, strlen(NEW_PASSWORD)),
			 0);
	card_add(&ivy, "and this after", after);
	assert_card(&jo, before, "Ivy shares this");
	assert_card(&jo, after, "and this after");
	assert_card(&ivy, before, "Ivy shares this");
	assert_int_equal(
		account_login(&core, "ivy", NEW_PASSWORD, strlen(NEW_PASSWORD), NULL, &out, &again),
		0);
	assert_memory_equal(again.ck, jo.ck, VAULT_KEY_BYTES);
	assert_card(&again, after, "and this after");
}

/*
 * A member whose recovery wrap has the form before part 4 (MK sealed under
 * a key made from the recovery key): a password change keeps their MK (it
 * could not be sealed for the recovery key), the recovery key still works,
 * and the recovery moves them to the new form: the next password change
 * makes a new MK, and the recovery key of the recovery still opens it.
 */
static void test_an_old_recovery_wrap_is_moved_on(void **state)
{
	struct account_new in = {"kim", PASSWORD, strlen(PASSWORD), "Kim", "en"};
	struct account_signin out;
	struct session kim, again;
	struct member_row m;
	unsigned char salt[VAULT_SALT_BYTES], kek[VAULT_KEY_BYTES], mk[VAULT_KEY_BYTES];
	unsigned char *sealed = NULL;
	size_t len = 0;
	char ad[96], rk[VAULT_RECOVERY_CHARS + 1];
	struct private_rows ids;

	(void)state;
	memset(&ids, 0, sizeof(ids));
	assert_int_equal(account_signup(&core, &in, &out, &kim), 0);
	memcpy(rk, out.recovery_key, sizeof(rk));
	write_private(&kim, "kim's own", &ids, 0);
	/* back to the form before, with the member's own recovery key */
	assert_int_equal(STORE_CALL(core.st, member_get, kim.couple_id, kim.member_id, &m), 0);
	vault_random(salt, sizeof(salt));
	assert_int_equal(vault_kek_from_recovery(kek, rk, strlen(rk), salt), 0);
	snprintf(ad, sizeof(ad), "members.mk_by_rk|%s", kim.member_id);
	assert_int_equal(vault_seal(kek, kim.mk, VAULT_KEY_BYTES, ad, &sealed, &len), 0);
	store_blob_free(&m.rk_salt);
	store_blob_free(&m.mk_by_rk);
	m.rk_salt.data = malloc(sizeof(salt));
	assert_non_null(m.rk_salt.data);
	memcpy(m.rk_salt.data, salt, sizeof(salt));
	m.rk_salt.len = sizeof(salt);
	m.mk_by_rk.data = sealed;
	m.mk_by_rk.len = len;
	assert_int_equal(STORE_CALL(core.st, member_set_recovery, &m), 0);
	store_member_free(&m);

	memcpy(mk, kim.mk, sizeof(mk));
	assert_int_equal(account_change_password(&core, &kim, NULL, PASSWORD, strlen(PASSWORD),
						 NULL, NEW_PASSWORD, strlen(NEW_PASSWORD)),
			 0);
	assert_memory_equal(kim.mk, mk, VAULT_KEY_BYTES);
	assert_int_equal(
		account_recover(&core, "kim", rk, NULL, PASSWORD, strlen(PASSWORD), &out, &again),
		0);
	assert_memory_not_equal(again.mk, mk, VAULT_KEY_BYTES);
	assert_true(reads_private(&again, &ids, "kim's own"));
	memcpy(rk, out.recovery_key, sizeof(rk));
	memcpy(mk, again.mk, sizeof(mk));
	assert_int_equal(account_change_password(&core, &again, NULL, PASSWORD, strlen(PASSWORD),
						 NULL, NEW_PASSWORD, strlen(NEW_PASSWORD)),
			 0);
	assert_memory_not_equal(again.mk, mk, VAULT_KEY_BYTES);
	assert_true(reads_private(&again, &ids, "kim's own"));
	assert_int_equal(
		account_recover(&core, "kim", rk, NULL, PASSWORD, strlen(PASSWORD), &out, &kim), 0);
	assert_true(reads_private(&kim, &ids, "kim's own"));
	vault_wipe(kek, sizeof(kek));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_forged_wrap_is_refused),
		cmocka_unit_test(test_old_members_are_tagged_at_sign_in),
		cmocka_unit_test(test_tags_are_per_member),
		cmocka_unit_test(test_the_author_is_bound),
		cmocka_unit_test(test_the_couple_key_outlives_no_partner),
		cmocka_unit_test(test_the_master_key_changes_with_the_password),
		cmocka_unit_test(test_a_new_master_key_keeps_the_couple),
		cmocka_unit_test(test_an_old_recovery_wrap_is_moved_on),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
