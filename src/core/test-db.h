/*
 * test-db.h: a throwaway SQLite store for core's unit tests that make
 * members through account.c (test-keys.c, test-safety.c): a fresh file in
 * a fresh folder under /tmp, interactive Argon2 cost, and the members'
 * password.  Include it once, after cmocka.h, in a test's .c file.
 */
#ifndef KINTSUGI_CORE_TEST_DB_H
#define KINTSUGI_CORE_TEST_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/account.h"
#include "store/store.h"
#include "vault/vault.h"

#define TEST_DB_PASSWORD "a long enough passphrase 7"

static char test_db_dir[64], test_db_path[128];

/* test_db_open() - vault and account ready, and c on a new store. */
static void test_db_open(struct core *c)
{
	char err[256];

	assert_int_equal(vault_init(), 0);
	assert_int_equal(account_init(2), 0);
	snprintf(test_db_dir, sizeof(test_db_dir), "/tmp/kintsugi-core-XXXXXX");
	assert_non_null(mkdtemp(test_db_dir));
	snprintf(test_db_path, sizeof(test_db_path), "%s/t.db", test_db_dir);
	assert_int_equal(store_open(test_db_path, &c->st, err, sizeof(err)), 0);
	c->kdf = VAULT_KDF_INTERACTIVE;
	c->session_idle_s = 3600;
	c->session_absolute_s = 86400;
}

/* test_db_close() - the store closed, its files and folder gone. */
static void test_db_close(struct core *c)
{
	static const char *const files[] = {"", "-wal", "-shm"};
	char p[160];
	size_t i;

	store_close(c->st);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", test_db_path, files[i]);
		unlink(p);
	}
	rmdir(test_db_dir);
}

/* test_db_signup() - a new member (and couple) of that login; s is their session. */
static void test_db_signup(const struct core *c, const char *login, struct session *s)
{
	struct account_new in = {login, TEST_DB_PASSWORD, strlen(TEST_DB_PASSWORD), login, "en"};
	struct account_signin out;

	assert_int_equal(account_signup(c, &in, &out, s), 0);
}

#endif
