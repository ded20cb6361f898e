/*
 * test-ledger.c: an older version put back in the file does not open
 * (issue 11, part 8: rollback).  A member writes and changes a journal
 * entry through journal.c over a real SQLite file; the attacker then puts
 * the first version back with sqlite3, its ciphertext and version number
 * together, which opens on its own since the version in its associated
 * data is the row's own.  The member's ledger (core/ledger.h) refuses it.
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
#include "core/journal.h"
#include "core/ledger.h"
#include "store/store-sqlite.h"
#include "store/store.h"
#include "vault/vault.h"

#include "core/test-db.h"

static struct core core;
static unsigned unreadable;

static int setup(void **state)
{
	(void)state;
	test_db_open(&core);
	unreadable = 0;
	core.unreadable = &unreadable;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_close(&core);
	return 0;
}

static void exec(const char *sql)
{
	assert_int_equal(sqlite3_exec(store_sqlite_db(core.st), sql, NULL, NULL, NULL), 0);
}

static void add(const struct session *s, const char *body, char id[VAULT_ID_HEX + 1])
{
	struct journal_entry e;

	assert_int_equal(journal_add(&core, s, body, strlen(body), NULL, &e), 0);
	memcpy(id, e.id, VAULT_ID_HEX + 1);
	journal_entry_clear(&e);
}

static void change(const struct session *s, const char *id, const char *body)
{
	struct journal_entry e;

	assert_int_equal(journal_change(&core, s, id, body, strlen(body), &e), 0);
	journal_entry_clear(&e);
}

/* What the attacker does with the file: the row as it was when saved, version and all. */
static void save(const char *id)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE saved AS SELECT version, body_sealed FROM journal_entries "
		 "WHERE id = '%s'",
		 id);
	exec(sql);
}

static void put_back(const char *id)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "UPDATE journal_entries SET version = (SELECT version FROM saved), "
		 "body_sealed = (SELECT body_sealed FROM saved) WHERE id = '%s'",
		 id);
	exec(sql);
}

/* The body of entry id as the member reads it, or NULL with *r the reason. */
static char *read_body(const struct session *s, const char *id, int *r)
{
	struct journal_entry e;
	char *body = NULL;

	*r = journal_read(&core, s, id, &e);
	if (*r == 0) {
		body = strdup(e.body);
		journal_entry_clear(&e);
	}
	return body;
}

static void test_older_version_put_back_does_not_open(void **state)
{
	struct session a;
	char id[VAULT_ID_HEX + 1], other[VAULT_ID_HEX + 1], *body;
	struct journal_entry *list = NULL;
	size_t n = 0;
	int r;

	(void)state;
	test_db_signup(&core, "ledger-a", &a);
	add(&a, "the first version", id);
	add(&a, "another entry", other);
	save(id);
	change(&a, id, "the second version");
	change(&a, other, "another entry, changed");

	put_back(id);
	body = read_body(&a, id, &r);
	assert_null(body);
	assert_int_equal(r, -EBADMSG);

	/* the list leaves it out, counted for the operator, and shows the rest */
	assert_int_equal(journal_list(&core, &a, NULL, 10, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].id, other);
	assert_string_equal(list[0].body, "another entry, changed");
	assert_int_equal(unreadable, 1);
	journal_list_free(list, n);

	/* the same row changed as usual again opens as its latest */
	exec("DROP TABLE saved");
	body = read_body(&a, other, &r);
	assert_int_equal(r, 0);
	assert_string_equal(body, "another entry, changed");
	free(body);
}

/* Without the ledger (the first version, before this change) the put-back row opened. */
static void test_without_the_ledger_it_would_open(void **state)
{
	struct session a;
	char id[VAULT_ID_HEX + 1], *body;
	int r;

	(void)state;
	test_db_signup(&core, "ledger-b", &a);
	add(&a, "the first version", id);
	save(id);
	change(&a, id, "the second version");
	put_back(id);
	exec("DELETE FROM ledgers");
	body = read_body(&a, id, &r);
	assert_int_equal(r, 0);
	assert_string_equal(body, "the first version"); /* what the test above refuses */
	free(body);
}

/* A ledger changed in the file does not open: what it would vouch for is refused. */
static void test_a_changed_ledger_is_refused(void **state)
{
	struct session a;
	char id[VAULT_ID_HEX + 1], *body;
	int r;

	(void)state;
	test_db_signup(&core, "ledger-c", &a);
	add(&a, "an entry", id);
	change(&a, id, "an entry, changed");
	exec("UPDATE ledgers SET sealed = zeroblob(length(sealed))");
	body = read_body(&a, id, &r);
	assert_null(body);
	assert_int_equal(r, -EBADMSG);
}

/* Entries stay sorted and each keeps its own latest version, through a request's cache. */
static void test_each_row_keeps_its_latest(void **state)
{
	static const char *const ids[] = {
		"ffffffffffffffffffffffffffffffff",
		"00000000000000000000000000000001",
		"80000000000000000000000000000000",
	};
	struct ledger_cache cache;
	struct session a;

	(void)state;
	memset(&cache, 0, sizeof(cache));
	core.ledgers = &cache;
	test_db_signup(&core, "ledger-d", &a);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[i], 1), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[0], 3), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[1], 2), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[2], 7), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[0], 2), 0); /* never back */
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[0], 2), -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[0], 3), 0);
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[1], 1), -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[1], 2), 0);
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[2], 6), -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[2], 8), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[2], 9), 0); /* the cache is not stale */
	assert_int_equal(ledger_check(&core, &a, a.member_id, 0, ids[2], 8), -EBADMSG);
	ledger_cache_clear(&cache);
	core.ledgers = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_older_version_put_back_does_not_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_without_the_ledger_it_would_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_changed_ledger_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_row_keeps_its_latest, setup, teardown),
	};

	assert_int_equal(vault_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
