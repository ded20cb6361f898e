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

/* sql, then " WHERE id = 'id'", run on the file */
static void exec_where(const char *sql, const char *id)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s WHERE id = '%s'", sql, id);
	exec(buf);
}

/* What the attacker does with the file: the row as it was when saved, version and all. */
static void save(const char *id)
{
	exec("DROP TABLE IF EXISTS saved");
	exec_where("CREATE TABLE saved AS SELECT version, body_sealed FROM journal_entries", id);
}

static void put_back(const char *id)
{
	exec_where("UPDATE journal_entries SET version = (SELECT version FROM saved), "
		   "body_sealed = (SELECT body_sealed FROM saved)",
		   id);
}

/* A new member's entry at its second version; the first saved when keep_first. */
static void two_versions(const char *login, struct session *a, char id[VAULT_ID_HEX + 1],
			 int keep_first)
{
	test_db_signup(&core, login, a);
	add(a, "the first version", id);
	if (keep_first)
		save(id);
	change(a, id, "the second version");
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
	two_versions("ledger-a", &a, id, 1);
	add(&a, "another entry", other);
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
	body = read_body(&a, other, &r);
	assert_int_equal(r, 0);
	assert_string_equal(body, "another entry, changed");
	free(body);
}

/*
 * A new member's entry at its second version, then the file changed by
 * sql (after the first version is put back when put_first); its body as
 * the member then reads it, or NULL with *r the reason.
 */
static char *after_tamper(const char *login, int put_first, const char *sql, int *r)
{
	struct session a;
	char id[VAULT_ID_HEX + 1];

	two_versions(login, &a, id, put_first);
	if (put_first)
		put_back(id);
	exec(sql);
	return read_body(&a, id, r);
}

/* Without the ledger (the first version, before this change) the put-back row opened. */
static void test_without_the_ledger_it_would_open(void **state)
{
	int r;
	char *body = after_tamper("ledger-b", 1, "DELETE FROM ledgers", &r);

	(void)state;
	assert_int_equal(r, 0);
	assert_string_equal(body, "the first version"); /* what the test above refuses */
	free(body);
}

/* A ledger changed in the file does not open: what it would vouch for is refused. */
static void test_a_changed_ledger_is_refused(void **state)
{
	int r;
	char *body = after_tamper("ledger-c", 0,
				  "UPDATE ledgers SET sealed = zeroblob(length(sealed))", &r);

	(void)state;
	assert_null(body);
	assert_int_equal(r, -EBADMSG);
}

/* Entries stay sorted and each keeps its own latest version, through a request's cache. */
/*
 * A reader that read a row just before another request changed it (the row
 * written, then its entry) meets an entry newer than what it holds: no
 * refusal, since the store has that newer version; a row put back older is
 * refused all the same.
 */
static void test_a_change_in_between_is_no_rollback(void **state)
{
	struct session a;
	char id[VAULT_ID_HEX + 1];

	(void)state;
	test_db_signup(&core, "ledger-race", &a);
	add(&a, "the first version", id);
	change(&a, id, "the second version");
	change(&a, id, "the third version");
	/* what a reader of version 2 holds while version 3 lands */
	assert_int_equal(
		ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0, id, 2),
		0);
	/* the file put back at version 2: the store has it older than the entry */
	exec_where("UPDATE journal_entries SET version = 2", id);
	assert_int_equal(
		ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0, id, 2),
		-EBADMSG);
}

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
		assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id,
					      a.member_id, 0, ids[i], 1),
				 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[0], 3), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[1], 2), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[2], 7), 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[0], 2), 0); /* never back */
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[0], 2),
			 -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[0], 3),
			 0);
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[1], 1),
			 -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[1], 2),
			 0);
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[2], 6),
			 -EBADMSG);
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[2], 8),
			 0);
	assert_int_equal(ledger_note(&core, &a, a.member_id, 0, ids[2], 9),
			 0); /* the cache is not stale */
	assert_int_equal(ledger_check(&core, &a, STORE_TABLE_JOURNAL, a.couple_id, a.member_id, 0,
				      ids[2], 8),
			 -EBADMSG);
	ledger_cache_clear(&cache);
	core.ledgers = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_older_version_put_back_does_not_open),
		cmocka_unit_test(test_without_the_ledger_it_would_open),
		cmocka_unit_test(test_a_changed_ledger_is_refused),
		cmocka_unit_test(test_each_row_keeps_its_latest),
		cmocka_unit_test(test_a_change_in_between_is_no_rollback),
	};

	assert_int_equal(vault_init(), 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
