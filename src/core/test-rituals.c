/*
 * test-rituals.c: what the home page may ask of step 5's parts, over a real
 * SQLite file: how many rituals the couple keeps every day and every week
 * (rituals_count()), and how many listening sessions they started
 * (listening_count()); both nothing for another couple.
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

#include "core/item.h"
#include "core/listening.h"
#include "core/rituals.h"
#include "store/store-sqlite.h"

static char dir[64];
static struct core core;
static struct session alice, bob, xena;

static void add_couple(char id[STORE_ID_LEN + 1])
{
	struct couple_row c;

	memset(&c, 0, sizeof(c));
	vault_random_id(c.id);
	strcpy(c.created_at, "2026-12-01T10:00:00Z");
	assert_int_equal(STORE_CALL(core.st, couple_insert, &c), 0);
	memcpy(id, c.id, STORE_ID_LEN + 1);
}

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
	char path[96], err[128], ours[STORE_ID_LEN + 1], theirs[STORE_ID_LEN + 1];

	(void)state;
	assert_int_equal(vault_init(), 0);
	strcpy(dir, "/tmp/kintsugi-test-rituals-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.db", dir);
	assert_int_equal(store_open(path, &core.st, err, sizeof(err)), 0);
	add_couple(ours);
	add_couple(theirs);
	add_member(ours, "alice", &alice);
	add_member(ours, "bob", &bob);
	add_member(theirs, "xena", &xena);
	vault_random(alice.ck, sizeof(alice.ck));
	memcpy(bob.ck, alice.ck, sizeof(bob.ck));
	vault_random(xena.ck, sizeof(xena.ck));
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

/* A ritual of kind every (day or week) by s. */
static void ritual(const struct session *s, const char *every)
{
	struct item_values v;
	struct item_view out;
	const char *field = NULL;

	memset(&v, 0, sizeof(v));
	v.v[0] = "parting";
	v.len[0] = strlen(v.v[0]);
	v.v[1] = "A kiss at the door";
	v.len[1] = strlen(v.v[1]);
	v.v[2] = every;
	v.len[2] = strlen(every);
	assert_int_equal(
		item_create(&core, s, &ritual_kind, &v, ACCESS_SHARE_PARTNER, &out, &field), 0);
	item_view_clear(&out);
}

static void test_rituals_count(void **state)
{
	size_t daily = 9, weekly = 9;

	(void)state;
	assert_int_equal(rituals_count(&core, &alice, &daily, &weekly), 0);
	assert_int_equal(daily, 0);
	assert_int_equal(weekly, 0);
	ritual(&alice, "day");
	ritual(&bob, "day");
	ritual(&bob, "week");
	ritual(&xena, "week");
	/* both partners count the couple's, whoever wrote them; never another couple's */
	assert_int_equal(rituals_count(&core, &alice, &daily, &weekly), 0);
	assert_int_equal(daily, 2);
	assert_int_equal(weekly, 1);
	assert_int_equal(rituals_count(&core, &bob, &daily, &weekly), 0);
	assert_int_equal(daily, 2);
	assert_int_equal(weekly, 1);
	assert_int_equal(rituals_count(&core, &xena, &daily, &weekly), 0);
	assert_int_equal(daily, 0);
	assert_int_equal(weekly, 1);
}

static void test_listening_count(void **state)
{
	struct item_values v;
	struct item_view out;
	const char *field = NULL;
	size_t n = 9;

	(void)state;
	assert_int_equal(listening_count(&core, &alice, &n), 0);
	assert_int_equal(n, 0);
	memset(&v, 0, sizeof(v));
	v.v[LISTENING_F_SPEAKER_FIRST] = bob.member_id;
	v.len[LISTENING_F_SPEAKER_FIRST] = strlen(bob.member_id);
	assert_int_equal(
		item_create(&core, &alice, &listening_kind, &v, ACCESS_SHARE_PARTNER, &out, &field),
		0);
	item_view_clear(&out);
	assert_int_equal(listening_count(&core, &bob, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(listening_count(&core, &xena, &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rituals_count),
		cmocka_unit_test(test_listening_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
