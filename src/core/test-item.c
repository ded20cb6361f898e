/*
 * test-item.c: the registry and the item engine over a real SQLite file.
 *
 * Rows are sealed here by hand with the associated data spelled out as the
 * code before migration 0005 wrote it, and stored as that migration leaves
 * them (legacy = 1): each kind must still open them through its public
 * functions, and a record moved to another row, or a legacy mark flipped,
 * must not open.
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

#include "core/activity.h"
#include "core/agreements.h"
#include "core/checkin.h"
#include "core/commitment.h"
#include "core/homework.h"
#include "core/item.h"
#include "core/offer.h"
#include "core/share.h"
#include "store/store-sqlite.h"

static char dir[64];
static struct core core;
static struct session alice, bob;

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
}

static int setup(void **state)
{
	char path[96], err[128];
	struct couple_row c;

	(void)state;
	assert_int_equal(vault_init(), 0);
	strcpy(dir, "/tmp/kintsugi-test-item-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.db", dir);
	assert_int_equal(store_open(path, &core.st, err, sizeof(err)), 0);
	memset(&c, 0, sizeof(c));
	vault_random_id(c.id);
	strcpy(c.created_at, "2026-12-01T10:00:00Z");
	assert_int_equal(STORE_CALL(core.st, couple_insert, &c), 0);
	add_member(c.id, "alice", &alice);
	add_member(c.id, "bob", &bob);
	vault_random(alice.ck, sizeof(alice.ck));
	memcpy(bob.ck, alice.ck, sizeof(bob.ck));
	return 0;
}

static int teardown(void **state)
{
	char path[96];

	(void)state;
	store_close(core.st);
	snprintf(path, sizeof(path), "%s/k.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* A row as migration 0005 moved it: sealed with the old ad under key (ck or mk, ctx). */
static void put_legacy(const struct session *s, const unsigned char *root, const char *ctx,
		       const char *kind, const char *id, const char *parent_kind,
		       const char *parent_id, const char *plain, const char *sort, const char *ad,
		       const char *text, int64_t version, unsigned shared_with)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct item_row row;

	memset(&row, 0, sizeof(row));
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	snprintf(row.id, sizeof(row.id), "%s", id);
	snprintf(row.parent_kind, sizeof(row.parent_kind), "%s", parent_kind);
	snprintf(row.parent_id, sizeof(row.parent_id), "%s", parent_id);
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.shared_with = shared_with;
	row.version = version;
	row.legacy = 1;
	snprintf(row.plain, sizeof(row.plain), "%s", plain);
	snprintf(row.sort, sizeof(row.sort), "%s", sort);
	strcpy(row.created_at, "2026-12-01T10:00:00Z");
	strcpy(row.updated_at, row.created_at);
	if (strcmp(kind, "share_ack") == 0)
		memcpy(row.once, parent_id, STORE_ID_LEN + 1);
	if (strcmp(kind, "activity_feeling") == 0)
		snprintf(row.once, sizeof(row.once), "%s/%s", parent_id, s->member_id);
	vault_derive(key, root, 1, ctx);
	assert_int_equal(vault_seal(key, text, strlen(text), ad, &row.sealed.data, &row.sealed.len),
			 0);
	assert_int_equal(STORE_CALL(core.st, item_insert, &row), 0);
	store_item_free(&row);
}

static void test_registry(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; item_kinds[i]; i++) {
		const struct item_kind *k = item_kinds[i];

		assert_true(strlen(k->name) >= 1 && strlen(k->name) <= STORE_KIND_LEN);
		assert_int_equal(strspn(k->name, "abcdefghijklmnopqrstuvwxyz_"), strlen(k->name));
		assert_int_equal(strlen(k->key_ctx), 8);
		assert_true(k->list_max > 0);
		assert_ptr_equal(item_kind_find(k->name), k);
		assert_true(k->shared_default <= 3 && k->shared_allowed <= 3);
		if (k->parent)
			assert_true(item_kind_find(k->parent) ||
				    strcmp(k->parent, "statement") == 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(item_kinds[j]->name, k->name);
		if (!k->plural)
			continue;
		/* a kind that is all data: its fields fit, its plain ones are never text */
		assert_non_null(k->title);
		assert_non_null(k->fields);
		assert_true(k->nfields >= 1 && k->nfields <= ITEM_FIELDS_MAX);
		assert_ptr_equal(item_kind_at(k->plural), k);
		assert_int_equal(k->plain_mask >> k->nfields, 0);
		for (j = 0; j < k->nfields; j++) {
			enum field_type t = k->fields[j].type;

			assert_true(t == FIELD_STRING || t == FIELD_ENUM || t == FIELD_DATE ||
				    t == FIELD_INT || t == FIELD_BOOL || t == FIELD_SHARED ||
				    t == FIELD_ENUM_SET);
			if ((k->plain_mask >> j) & 1u)
				assert_true(t != FIELD_STRING && t != FIELD_SHARED &&
					    t != FIELD_ENUM_SET);
			if (t == FIELD_ENUM || t == FIELD_ENUM_SET)
				assert_non_null(k->fields[j].choices);
			/* a group's members are declared together (field.h, api-item.c) */
			if (j > 1 && strchr(k->fields[j].name, '.')) {
				size_t g = (size_t)(strchr(k->fields[j].name, '.') -
						    k->fields[j].name);
				size_t m;

				for (m = 0; m + 1 < j; m++)
					if (strncmp(k->fields[m].name, k->fields[j].name, g + 1) ==
					    0)
						assert_int_equal(strncmp(k->fields[m + 1].name,
									 k->fields[j].name, g + 1),
								 0);
			}
		}
	}
	assert_null(item_kind_find("journal"));
	assert_null(item_kind_at("/journal"));
	assert_null(item_kind_at("/api/v1/limitsx"));
	assert_ptr_equal(item_kind_at("/api/v1/limits/0123"), item_kind_at("/limits"));
	assert_null(item_kind_find(NULL));
}

static void test_legacy_rows_open(void **state)
{
	char o1[33], o2[33], cm[33], rv[33], sh[33], ack[33], act[33], ad[256], before[256];
	struct offer offer;
	struct commitment com;
	struct share card;
	struct activity a;

	(void)state;
	vault_random_id(o1);
	vault_random_id(o2);
	snprintf(ad, sizeof(ad), "offers.text|%s|%s|1", o1, alice.couple_id);
	put_legacy(&alice, alice.ck, "offers__", "offer", o1, "", "", "2099-01-01|", "", ad,
		   "I will tell you if she writes", 1, 1);
	snprintf(ad, sizeof(ad), "offers.text|%s|%s|1", o2, alice.couple_id);
	put_legacy(&alice, alice.ck, "offers__", "offer", o2, "", "", "2099-01-01|", "", ad,
		   "second", 1, 1);
	assert_int_equal(offer_read(&core, &bob, o1, &offer), 0);
	assert_string_equal(offer.text, "I will tell you if she writes");
	assert_int_equal(offer.status, OFFER_ACTIVE);
	offer_clear(&offer);
	/* ending it changes only plain values: it keeps opening */
	assert_int_equal(offer_end(&core, &bob, o1, &offer), OFFER_FORBIDDEN);
	assert_int_equal(offer_end(&core, &alice, o1, &offer), 0);
	assert_int_equal(offer.status, OFFER_ENDED);
	assert_string_equal(offer.text, "I will tell you if she writes");
	offer_clear(&offer);

	vault_random_id(cm);
	vault_random_id(rv);
	snprintf(ad, sizeof(ad), "commitments.text|%s|%s|2", cm, alice.couple_id);
	put_legacy(&alice, alice.mk, "commitmt", "commitment", cm, "", "", "7",
		   "2026-12-01T10:00:00Z", ad, "No phone at dinner", 2, 0);
	snprintf(ad, sizeof(ad), "commitment_reviews.body|%s|%s|%s|1", rv, cm, alice.couple_id);
	put_legacy(&alice, alice.mk, "commitmt", "commitment_review", rv, "commitment", cm, "",
		   "2026-12-01T10:00:00Z", ad, "kept\nall week", 1, 0);
	assert_int_equal(commitment_read(&core, &alice, cm, &com), 0);
	assert_string_equal(com.text, "No phone at dinner");
	assert_int_equal(com.review_every_days, 7);
	assert_int_equal(com.nreviews, 1);
	assert_int_equal(com.reviews[0].status, COMMITMENT_KEPT);
	assert_string_equal(com.reviews[0].note, "all week");
	commitment_clear(&com);
	assert_int_equal(commitment_read(&core, &bob, cm, &com), COMMITMENT_NOTFOUND);

	vault_random_id(sh);
	vault_random_id(ack);
	snprintf(ad, sizeof(ad), "shares.content|%s|%s|1", sh, alice.couple_id);
	put_legacy(&alice, alice.ck, "shares__", "share", sh, "", "", "", "", ad,
		   "\x01\x01I am afraid", 1, 1);
	snprintf(ad, sizeof(ad), "share_acks.reply|%s|%s|1", ack, alice.couple_id);
	put_legacy(&bob, bob.ck, "shares__", "share_ack", ack, "share", sh, "", "", ad,
		   "I hear you", 1, 1);
	assert_int_equal(share_read(&core, &bob, sh, &card), 0);
	assert_int_equal(card.kind, SHARE_FEAR);
	assert_string_equal(card.body, "I am afraid");
	assert_true(card.acked);
	assert_string_equal(card.ack.reply, "I hear you");
	share_clear(&card);
	assert_int_equal(share_acknowledge(&core, &bob, sh, NULL, 0, &card.ack), SHARE_CONFLICT);

	vault_random_id(act);
	snprintf(ad, sizeof(ad), "activities.title|%s|%s|1", act, alice.couple_id);
	put_legacy(&alice, alice.ck, "activity", "activity", act, "", "", "hobby|2026-12-03||",
		   "2026-12-03", ad, "Pottery class", 1, 1);
	snprintf(ad, sizeof(ad), "activity_feelings.felt|%s/%s|%s|4", act, bob.member_id,
		 alice.couple_id);
	put_legacy(&bob, bob.ck, "activity", "activity_feeling", "ffffffffffffffffffffffffffffffff",
		   "activity", act, "", "2026-12-03T20:00:00Z", ad, "Calm", 4, 1);
	assert_int_equal(activity_read(&core, &alice, act, &a), 0);
	assert_string_equal(a.title, "Pottery class");
	assert_string_equal(a.partner_felt, "Calm");
	assert_null(a.felt);
	activity_clear(&a);
	/* bob changes his note: sealed afresh, legacy no more, version 5 */
	assert_int_equal(activity_mark(&core, &bob, act, 1, "Calm, and proud", 15, &a), 0);
	assert_true(a.done);
	assert_string_equal(a.felt, "Calm, and proud");
	assert_string_equal(a.title, "Pottery class");
	activity_clear(&a);
	assert_int_equal(activity_read(&core, &alice, act, &a), 0);
	assert_string_equal(a.partner_felt, "Calm, and proud");
	activity_clear(&a);

	/* a record moved onto another row does not open; nor does a flipped legacy mark */
	snprintf(before, sizeof(before),
		 "UPDATE items SET sealed = (SELECT sealed FROM items WHERE id = '%s') "
		 "WHERE id = '%s'",
		 o2, o1);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), before, NULL, NULL, NULL), 0);
	assert_int_equal(offer_read(&core, &bob, o1, &offer), -EBADMSG);
	snprintf(before, sizeof(before), "UPDATE items SET legacy = 0 WHERE id = '%s'", o2);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), before, NULL, NULL, NULL), 0);
	assert_int_equal(offer_read(&core, &bob, o2, &offer), -EBADMSG);
}

/* New items: sealed with the items AD; one answer per card even when raced. */
static void test_new_items(void **state)
{
	struct share card, again;
	struct share_ack ack;

	(void)state;
	assert_int_equal(share_add(&core, &alice, SHARE_HOPE, "That we laugh again", 19,
				   ACCESS_SHARE_PARTNER, &card),
			 0);
	assert_int_equal(share_acknowledge(&core, &alice, card.id, NULL, 0, &ack), SHARE_FORBIDDEN);
	assert_int_equal(share_acknowledge(&core, &bob, card.id, "Me too", 6, &ack), 0);
	assert_string_equal(ack.reply, "Me too");
	share_ack_clear(&ack);
	assert_int_equal(share_acknowledge(&core, &bob, card.id, "twice", 5, &ack), SHARE_CONFLICT);
	assert_int_equal(share_read(&core, &alice, card.id, &again), 0);
	assert_string_equal(again.body, "That we laugh again");
	assert_string_equal(again.ack.reply, "Me too");
	share_clear(&again);
	share_clear(&card);
}

/*
 * A kind that is all data, through record.c: created, read, listed,
 * changed and removed; the partner reads what is shared and changes
 * nothing; a record moved to another row does not open.
 */
static const char *const colours[] = {"red", "blue", NULL};
static const struct field note_fields[] = {
	{"colour", FIELD_ENUM, 1, 0, 0, colours},     {"body", FIELD_STRING, 1, 1, 100, NULL},
	{"day", FIELD_DATE, 0, 0, 0, NULL},	      {"count", FIELD_INT, 0, 0, 9, NULL},
	{"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};
static const struct item_kind note_kind = {
	.name = "test_note",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "testnote",
	.key_id = 1,
	.shared_allowed = ACCESS_SHARE_PARTNER,
	.list_max = 10,
	.plural = "test_notes",
	.title = "Notes",
	.fields = note_fields,
	.nfields = 5,
	.plain_mask = 1u << 2, /* the day is plain */
	.partners_only = 1,
};

static void values(struct item_values *v, const char *colour, const char *body, const char *d)
{
	memset(v, 0, sizeof(*v));
	v->v[0] = colour;
	v->len[0] = colour ? strlen(colour) : 0;
	v->v[1] = body;
	v->len[1] = body ? strlen(body) : 0;
	v->v[2] = d;
	v->len[2] = d ? strlen(d) : 0;
}

static void test_record(void **state)
{
	struct item_values v;
	struct item_view it, again, *list = NULL;
	struct item_row row;
	const char *field = NULL;
	size_t n = 0;

	(void)state;
	values(&v, "red", "a note \xc3\xb1 with | and \n inside", "2026-12-24");
	assert_int_equal(
		item_create(&core, &alice, &note_kind, &v, ACCESS_SHARE_PARTNER, &it, &field), 0);
	assert_string_equal(it.values[0], "red");
	assert_string_equal(it.values[1], "a note \xc3\xb1 with | and \n inside");
	assert_string_equal(it.values[2], "2026-12-24");
	assert_null(it.values[3]);
	assert_int_equal(it.version, 1);
	assert_true(it.mine);

	/* the plain column holds the day and nothing else; the text is sealed */
	assert_int_equal(STORE_CALL(core.st, item_get, alice.couple_id, "test_note", it.id, &row),
			 0);
	assert_string_equal(row.plain, "2026-12-24");
	assert_null(memmem(row.sealed.data, row.sealed.len, "a note", 6));
	store_item_free(&row);

	/* the partner reads it, may not change or remove it */
	assert_int_equal(item_read(&core, &bob, &note_kind, it.id, &again), 0);
	assert_false(again.mine);
	assert_string_equal(again.values[1], it.values[1]);
	item_view_clear(&again);
	values(&v, "blue", "bob was here", NULL);
	assert_int_equal(item_change(&core, &bob, &note_kind, it.id, &v, 0, &again, &field),
			 ITEM_FORBIDDEN);
	assert_int_equal(item_remove(&core, &bob, &note_kind, it.id), ITEM_FORBIDDEN);

	/* bad values change nothing */
	values(&v, "green", "x", NULL);
	assert_int_equal(item_change(&core, &alice, &note_kind, it.id, &v, 0, &again, &field),
			 ITEM_INVALID);
	assert_string_equal(field, "colour");
	values(&v, "red", NULL, NULL);
	assert_int_equal(item_create(&core, &alice, &note_kind, &v, 0, &again, &field),
			 ITEM_INVALID);
	assert_string_equal(field, "body");

	/* the author changes it, private now: the partner no longer sees it */
	values(&v, "blue", "changed", NULL);
	assert_int_equal(item_change(&core, &alice, &note_kind, it.id, &v, 0, &again, &field), 0);
	assert_int_equal(again.version, 2);
	assert_null(again.values[2]);
	assert_string_equal(again.values[0], "blue");
	item_view_clear(&again);
	assert_int_equal(item_read(&core, &bob, &note_kind, it.id, &again), ITEM_NOTFOUND);
	assert_int_equal(item_views(&core, &bob, &note_kind, &list, &n), 0);
	assert_int_equal(n, 0);
	item_views_free(list, n);
	assert_int_equal(item_views(&core, &alice, &note_kind, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].values[1], "changed");
	item_views_free(list, n);

	/* the record of this row, put on another row, does not open */
	{
		struct item_values w;
		struct item_view other;
		struct item_row a, b;

		values(&w, "red", "another", NULL);
		assert_int_equal(item_create(&core, &alice, &note_kind, &w, 0, &other, &field), 0);
		assert_int_equal(
			STORE_CALL(core.st, item_get, alice.couple_id, "test_note", it.id, &a), 0);
		assert_int_equal(
			STORE_CALL(core.st, item_get, alice.couple_id, "test_note", other.id, &b),
			0);
		store_blob_free(&b.sealed);
		b.sealed.data = malloc(a.sealed.len);
		assert_non_null(b.sealed.data);
		memcpy(b.sealed.data, a.sealed.data, a.sealed.len);
		b.sealed.len = a.sealed.len;
		assert_int_equal(STORE_CALL(core.st, item_update, &b, b.version, b.plain), 0);
		assert_int_equal(item_read(&core, &alice, &note_kind, other.id, &again), -EBADMSG);
		/* a list leaves it out, counted for the operator, and shows the rest */
		{
			unsigned unreadable = 0;

			core.unreadable = &unreadable;
			assert_int_equal(item_views(&core, &alice, &note_kind, &list, &n), 0);
			assert_int_equal(n, 1);
			assert_string_equal(list[0].id, it.id);
			assert_int_equal(unreadable, 1);
			item_views_free(list, n);
			core.unreadable = NULL;
		}
		store_item_free(&a);
		store_item_free(&b);
		item_view_clear(&other);
	}

	assert_int_equal(item_remove(&core, &alice, &note_kind, it.id), 0);
	assert_int_equal(item_read(&core, &alice, &note_kind, it.id, &again), ITEM_NOTFOUND);
	assert_int_equal(item_remove(&core, &alice, &note_kind, it.id), ITEM_NOTFOUND);
	item_view_clear(&it);
}

/*
 * A set of choices (FIELD_ENUM_SET) reaches core joined with ',': core
 * takes min..max distinct choices and nothing else, whatever the route
 * checked.
 */
static void test_enum_set_values(void **state)
{
	static const char *const moods[] = {"hurt", "sad", "angry", NULL};
	static const struct field set_fields[] = {
		{"feelings", FIELD_ENUM_SET, 1, 1, 2, moods},
	};
	static const struct item_kind set_kind = {
		.name = "test_set",
		.key_from = ITEM_KEY_COUPLE,
		.key_ctx = "testset_",
		.key_id = 1,
		.list_max = 1,
		.fields = set_fields,
		.nfields = 1,
	};
	static const struct {
		const char *value;
		int ok;
	} cases[] = {
		{"hurt", 1},	  {"angry,hurt", 1}, {"hurt,hurt", 0}, {"hurt,sad,angry", 0},
		{"", 0},	  {"hurt,", 0},	     {",hurt", 0},     {"bored", 0},
		{"hurt,,sad", 0}, {"Hurt", 0},	     {"hurt sad", 0},
	};
	struct item_values v;
	const char *field = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.v[0] = cases[i].value;
		v.len[0] = strlen(cases[i].value);
		if (cases[i].ok) {
			assert_int_equal(item_values_check(&set_kind, &v, &field), 0);
		} else {
			assert_int_equal(item_values_check(&set_kind, &v, &field), ITEM_INVALID);
			assert_string_equal(field, "feelings");
		}
	}
}

/*
 * A list shows the newest items the reader may see: the partner's private
 * items, however many and however new, do not push a shared one out.
 */
static void test_list_counts_visible(void **state)
{
	struct item_values v;
	struct item_view it, *list = NULL;
	const char *field = NULL;
	size_t n = 0, i;

	(void)state;
	values(&v, "red", "shared with bob", NULL);
	assert_int_equal(
		item_create(&core, &alice, &note_kind, &v, ACCESS_SHARE_PARTNER, &it, &field), 0);
	item_view_clear(&it);
	for (i = 0; i < note_kind.list_max + 2; i++) {
		values(&v, "blue", "alice alone", NULL);
		assert_int_equal(item_create(&core, &alice, &note_kind, &v, 0, &it, &field), 0);
		item_view_clear(&it);
	}
	assert_int_equal(item_views(&core, &bob, &note_kind, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].values[1], "shared with bob");
	item_views_free(list, n);
	/* the author's own list is the newest list_max of everything */
	assert_int_equal(item_views(&core, &alice, &note_kind, &list, &n), 0);
	assert_int_equal(n, note_kind.list_max);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i].values[1], "alice alone");
	item_views_free(list, n);
}

/* Overwrites the sealed record of item id with zeros, as damage or a hand in the file would. */
static void damage(const char *id)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "UPDATE items SET sealed = zeroblob(length(sealed)) WHERE id = '%s'", id);
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), 0);
}

/*
 * Issue 11, part 8: one row that does not open is left out of the step 1-2
 * lists (and counted for the operator), not the end of the whole list.
 */
static void test_step2_lists_skip_unreadable(void **state)
{
	struct offer o, *offers = NULL;
	struct share sh, *shares = NULL;
	struct activity a, *acts = NULL;
	struct commitment cm, *coms = NULL;
	char until[CHECKIN_DATE_LEN + 1];
	size_t n0, n = 0;
	unsigned unreadable = 0, u0;

	(void)state;
	core.unreadable = &unreadable;
	checkin_today(until, 30);

	unreadable = 0;
	assert_int_equal(offer_list(&core, &bob, &offers, &n), 0);
	n0 = n;
	u0 = unreadable; /* rows the earlier tests left that do not open */
	offer_list_free(offers, n);
	assert_int_equal(offer_add(&core, &alice, "kept", 4, until, &o), 0);
	offer_clear(&o);
	assert_int_equal(offer_add(&core, &alice, "damaged", 7, until, &o), 0);
	damage(o.id);
	offer_clear(&o);
	unreadable = 0;
	assert_int_equal(offer_list(&core, &bob, &offers, &n), 0);
	assert_int_equal(n, n0 + 1);
	assert_int_equal(unreadable, u0 + 1);
	offer_list_free(offers, n);

	unreadable = 0;
	assert_int_equal(share_list(&core, &bob, &shares, &n), 0);
	n0 = n;
	u0 = unreadable; /* rows the earlier tests left that do not open */
	share_list_free(shares, n);
	assert_int_equal(share_add(&core, &alice, SHARE_HOPE, "kept", 4, ACCESS_SHARE_PARTNER, &sh),
			 0);
	share_clear(&sh);
	assert_int_equal(
		share_add(&core, &alice, SHARE_HOPE, "damaged", 7, ACCESS_SHARE_PARTNER, &sh), 0);
	damage(sh.id);
	share_clear(&sh);
	unreadable = 0;
	assert_int_equal(share_list(&core, &bob, &shares, &n), 0);
	assert_int_equal(n, n0 + 1);
	assert_int_equal(unreadable, u0 + 1);
	share_list_free(shares, n);

	unreadable = 0;
	assert_int_equal(activity_list(&core, &bob, &acts, &n), 0);
	n0 = n;
	u0 = unreadable; /* rows the earlier tests left that do not open */
	activity_list_free(acts, n);
	assert_int_equal(activity_add(&core, &alice, ACTIVITY_HOBBY, "kept", 4, until, &a), 0);
	activity_clear(&a);
	assert_int_equal(activity_add(&core, &alice, ACTIVITY_HOBBY, "damaged", 7, until, &a), 0);
	damage(a.id);
	activity_clear(&a);
	unreadable = 0;
	assert_int_equal(activity_list(&core, &bob, &acts, &n), 0);
	assert_int_equal(n, n0 + 1);
	assert_int_equal(unreadable, u0 + 1);
	activity_list_free(acts, n);

	unreadable = 0;
	assert_int_equal(commitment_list(&core, &alice, &coms, &n), 0);
	n0 = n;
	u0 = unreadable; /* rows the earlier tests left that do not open */
	commitment_list_free(coms, n);
	assert_int_equal(commitment_add(&core, &alice, "kept", 4, 7, &cm), 0);
	commitment_clear(&cm);
	assert_int_equal(commitment_add(&core, &alice, "damaged", 7, 7, &cm), 0);
	damage(cm.id);
	commitment_clear(&cm);
	unreadable = 0;
	assert_int_equal(commitment_list(&core, &alice, &coms, &n), 0);
	assert_int_equal(n, n0 + 1);
	assert_int_equal(unreadable, u0 + 1);
	commitment_list_free(coms, n);

	core.unreadable = NULL;
}

/*
 * A record sealed before the author was bound (issue 11, part 8) keeps
 * opening in its own form until its next change, which binds the author.
 */
static void test_unbound_records_still_open(void **state)
{
	struct item_values v;
	struct item_view it, again;
	struct item_row row;
	unsigned char key[VAULT_KEY_BYTES], *plain = NULL, *old = NULL;
	size_t plen = 0, olen = 0;
	const char *field = NULL;
	char ad[256];

	(void)state;
	values(&v, "red", "written before", NULL);
	assert_int_equal(item_create(&core, &alice, &note_kind, &v, 0, &it, &field), 0);
	assert_int_equal(STORE_CALL(core.st, item_get, alice.couple_id, "test_note", it.id, &row),
			 0);
	vault_derive(key, alice.mk, note_kind.key_id, note_kind.key_ctx);
	snprintf(ad, sizeof(ad), "items.a|test_note|%s|:|%s|%s|1", it.id, alice.couple_id,
		 alice.member_id);
	assert_int_equal(vault_open(key, row.sealed.data, row.sealed.len, ad, &plain, &plen), 0);
	snprintf(ad, sizeof(ad), "items|test_note|%s|:|%s|1", it.id, alice.couple_id);
	assert_int_equal(vault_seal(key, plain, plen, ad, &old, &olen), 0);
	store_blob_free(&row.sealed);
	row.sealed.data = old;
	row.sealed.len = olen;
	assert_int_equal(STORE_CALL(core.st, item_update, &row, row.version, row.plain), 0);
	assert_int_equal(item_read(&core, &alice, &note_kind, it.id, &again), 0);
	assert_string_equal(again.values[1], "written before");
	item_view_clear(&again);
	/* its next change binds the author: the old form no longer opens it */
	values(&v, "blue", "written after", NULL);
	assert_int_equal(item_change(&core, &alice, &note_kind, it.id, &v, 0, &again, &field), 0);
	item_view_clear(&again);
	store_item_free(&row);
	assert_int_equal(STORE_CALL(core.st, item_get, alice.couple_id, "test_note", it.id, &row),
			 0);
	snprintf(ad, sizeof(ad), "items|test_note|%s|:|%s|2", it.id, alice.couple_id);
	free(plain);
	plain = NULL;
	assert_int_equal(vault_open(key, row.sealed.data, row.sealed.len, ad, &plain, &plen),
			 VAULT_BAD);
	store_item_free(&row);
	vault_wipe(key, sizeof(key));
	item_view_clear(&it);
}

/* A "not now" holds through its day and has lapsed from the day after; the other kinds never lapse.
 */
static void test_limit_status(void **state)
{
	const struct item_kind *k = item_kind_find("limit");
	char not_now[] = "not_now", hard[] = "hard_limit", trigger[] = "trigger", text[] = "x";
	char day[] = "2026-12-24";
	char *later[ITEM_FIELDS_MAX] = {not_now, text, day, NULL};
	char *never[ITEM_FIELDS_MAX] = {hard, text, NULL, NULL};
	char *hurts[ITEM_FIELDS_MAX] = {trigger, text, NULL, NULL};

	(void)state;
	assert_non_null(k);
	assert_non_null(k->status);
	assert_string_equal(k->status(later, "2026-12-01"), "active");
	assert_string_equal(k->status(later, "2026-12-24"), "active");
	assert_string_equal(k->status(later, "2026-12-25"), "lapsed");
	assert_string_equal(k->status(later, "2027-06-01"), "lapsed");
	assert_string_equal(k->status(never, "2099-01-01"), "active");
	assert_string_equal(k->status(hurts, "2099-01-01"), "active");
}

/*
 * login joins alice and bob's couple as their therapist, into *care: the
 * three sessions hold one care key, as care_load() gives it (test-care.c
 * tests where it comes from), and a therapist's couple-key slot holds it.
 */
static void care_member(const char *login, struct session *care)
{
	add_member(alice.couple_id, login, care);
	strcpy(care->role, "therapist");
	vault_random(care->tk, sizeof(care->tk));
	memcpy(care->ck, care->tk, sizeof(care->ck));
	memcpy(alice.tk, care->tk, sizeof(alice.tk));
	memcpy(bob.tk, care->tk, sizeof(bob.tk));
	care->has_tk = alice.has_tk = bob.has_tk = 1;
}

static void hw_values(struct item_values *v, const char *title, const char *due)
{
	memset(v, 0, sizeof(*v));
	v->v[HOMEWORK_F_TITLE] = title;
	v->len[HOMEWORK_F_TITLE] = strlen(title);
	v->v[HOMEWORK_F_DUE_ON] = due;
	v->len[HOMEWORK_F_DUE_ON] = strlen(due);
}

/*
 * A care_may_create kind (homework): the couple's therapist makes one, always
 * shared with ["partner", "care"]; sees only those shared with "care";
 * never marks one.  A partners_only kind without the flag stays closed to
 * them.  The three sessions hold one care key, as care_load() gives it
 * (test-care.c tests where it comes from): what is tested is who may do what.
 */
static void test_care_may_create(void **state)
{
	char today[CHECKIN_DATE_LEN + 1], care_id[STORE_ID_LEN + 1], ours_id[STORE_ID_LEN + 1];
	struct homework h, *list = NULL;
	struct item_values v;
	struct item_view out;
	struct session care;
	const char *field = NULL;
	int seen_care = 0, seen_ours = 0;
	size_t n = 0, i;

	(void)state;
	care_member("carol", &care);
	checkin_today(today, 0);

	values(&v, "red", "not for a therapist", NULL);
	assert_int_equal(item_create(&core, &care, &note_kind, &v,
				     ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE, &out, &field),
			 ITEM_FORBIDDEN);

	hw_values(&v, "Ten minutes a day", today);
	assert_int_equal(homework_assign(&core, &care, &v, ACCESS_SHARE_PARTNER, &h, &field), 0);
	assert_int_equal(h.v.shared_with, ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE);
	assert_true(h.by_care);
	assert_string_equal(h.v.values[HOMEWORK_F_BY], "care");
	memcpy(care_id, h.v.id, sizeof(care_id));
	homework_clear(&h);

	hw_values(&v, "A note to myself", today);
	assert_int_equal(homework_assign(&core, &alice, &v, 0, &h, &field), ITEM_INVALID);
	assert_string_equal(field, "shared_with");
	hw_values(&v, "Between us", today);
	assert_int_equal(homework_assign(&core, &alice, &v, ACCESS_SHARE_PARTNER, &h, &field), 0);
	assert_false(h.by_care);
	memcpy(ours_id, h.v.id, sizeof(ours_id));
	homework_clear(&h);

	assert_int_equal(homework_list(&core, &care, &list, &n), 0);
	for (i = 0; i < n; i++) {
		seen_care |= strcmp(list[i].v.id, care_id) == 0;
		seen_ours |= strcmp(list[i].v.id, ours_id) == 0;
	}
	homework_list_free(list, n);
	assert_true(seen_care);
	assert_false(seen_ours);
	assert_int_equal(homework_read(&core, &care, ours_id, &h), ITEM_NOTFOUND);

	assert_int_equal(homework_mark(&core, &bob, care_id, 1, "We did it", &h, &field), 0);
	assert_true(h.done);
	assert_int_equal(h.nmarks, 1);
	homework_clear(&h);
	assert_int_equal(homework_mark(&core, &care, care_id, 1, NULL, &h, &field), ITEM_FORBIDDEN);
	assert_int_equal(homework_read(&core, &care, care_id, &h), 0);
	assert_true(h.done);
	homework_clear(&h);
	alice.has_tk = bob.has_tk = 0;
}

static void agreement_values(struct item_values *v, const char *text, const char *review)
{
	memset(v, 0, sizeof(*v));
	v->v[AGREEMENT_F_CATEGORY] = "privacy";
	v->len[AGREEMENT_F_CATEGORY] = strlen("privacy");
	v->v[AGREEMENT_F_TEXT] = text;
	v->len[AGREEMENT_F_TEXT] = strlen(text);
	v->v[AGREEMENT_F_REVIEW_ON] = review;
	v->len[AGREEMENT_F_REVIEW_ON] = strlen(review);
}

/*
 * A care_may_read kind (agreements, breaches): the couple's therapist reads
 * the ones a partner shared with "care", with their answers (an acceptance
 * follows the agreement's sharing), never a partner-only one, and makes or
 * answers none.  A partner cannot leave the partner out.  The kinds stay
 * partners_only: every other partners-only path is shut to a therapist.
 */
static void test_care_may_read(void **state)
{
	char review[CHECKIN_DATE_LEN + 1], care_id[STORE_ID_LEN + 1], ours_id[STORE_ID_LEN + 1];
	struct agreement a, *list = NULL;
	struct item_values v;
	struct session care;
	const char *field = NULL;
	size_t n = 0;

	(void)state;
	care_member("dora", &care);
	checkin_today(review, 30);
	assert_true(agreement_kind.partners_only && agreement_kind.care_may_read);
	assert_false(agreement_kind.care_may_create);

	agreement_values(&v, "For the care team too", review);
	assert_int_equal(agreement_propose(&core, &alice, &v, ACCESS_SHARE_CARE, &a, &field),
			 ITEM_INVALID);
	assert_string_equal(field, "shared_with");
	assert_int_equal(agreement_propose(&core, &alice, &v, 0, &a, &field), ITEM_INVALID);
	assert_int_equal(agreement_propose(&core, &alice, &v,
					   ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE, &a, &field),
			 0);
	assert_int_equal(a.v.shared_with, ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE);
	memcpy(care_id, a.v.id, sizeof(care_id));
	agreement_clear(&a);
	agreement_values(&v, "Between us", review);
	assert_int_equal(agreement_propose(&core, &alice, &v, ACCESS_SHARE_PARTNER, &a, &field), 0);
	memcpy(ours_id, a.v.id, sizeof(ours_id));
	agreement_clear(&a);
	assert_int_equal(agreement_accept(&core, &bob, care_id, 1, &a), 0);
	agreement_clear(&a);

	assert_int_equal(agreements_list(&core, &care, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].v.id, care_id);
	assert_int_equal(list[0].status, AGREEMENT_AGREED); /* bob's acceptance opens for care */
	agreements_free(list, n);
	assert_int_equal(agreement_read(&core, &care, ours_id, &a), ITEM_NOTFOUND);
	assert_int_equal(agreement_read(&core, &care, care_id, &a), 0);
	assert_int_equal(a.nversions, 1);
	agreement_clear(&a);
	assert_int_equal(agreement_retire(&core, &care, care_id, "no", &a), ITEM_FORBIDDEN);

	care.care_ended = 1; /* an ended therapist: nothing */
	assert_int_equal(agreements_list(&core, &care, &list, &n), 0);
	assert_int_equal(n, 0);
	agreements_free(list, n);
	assert_int_equal(agreement_read(&core, &care, care_id, &a), ITEM_NOTFOUND);
	alice.has_tk = bob.has_tk = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_legacy_rows_open),
		cmocka_unit_test(test_new_items),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_enum_set_values),
		cmocka_unit_test(test_list_counts_visible),
		cmocka_unit_test(test_step2_lists_skip_unreadable),
		cmocka_unit_test(test_unbound_records_still_open),
		cmocka_unit_test(test_limit_status),
		cmocka_unit_test(test_care_may_create),
		cmocka_unit_test(test_care_may_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
