/*
 * test-throttle.c: unit tests of sign-in throttling over a real SQLite
 * store in a mkdtemp() directory.  Times are given explicitly, so every
 * boundary (the limit-th failure, the window's edge, Retry-After rounding)
 * is hit exactly, without sleeping.
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

#include "core/throttle.h"
#include "store/store.h"

#define T0     1700000000000LL /* a fixed "now", in ms */
#define WINDOW 900	       /* 15 minutes, the default */

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct throttle_limits lim;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/kintsugi-throttle-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(store_open(f->path, &f->st, err, sizeof(err)), 0);
	f->lim.login_failures = 5;
	f->lim.address_failures = 20;
	f->lim.window_s = WINDOW;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];

	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int check(struct fixture *f, const struct throttle_keys *k, int64_t now, int *retry)
{
	*retry = -1;
	return throttle_check(f->st, &f->lim, k, now, retry);
}

static void test_login_limit_and_retry_after(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys k;
	int retry, i;

	throttle_keys_make(&k, "Ana", "192.0.2.1");
	assert_true(k.has_login && k.has_address);
	for (i = 0; i < 4; i++) {
		assert_int_equal(check(f, &k, T0 + i * 1000, &retry), 0);
		assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + i * 1000), 0);
	}
	/* four failures: the fifth try is still allowed */
	assert_int_equal(check(f, &k, T0 + 4000, &retry), 0);
	assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + 4000), 0);
	/* five: refused until the first failure (T0) leaves the window */
	assert_int_equal(check(f, &k, T0 + 5000, &retry), THROTTLE_LIMITED);
	assert_int_equal(retry, WINDOW - 5);
	/* rounding up: 1 ms before the window frees is one whole second */
	assert_int_equal(check(f, &k, T0 + WINDOW * 1000LL - 1, &retry), THROTTLE_LIMITED);
	assert_int_equal(retry, 1);
	/* the window's edge: at T0 + window the first failure is out */
	assert_int_equal(check(f, &k, T0 + WINDOW * 1000LL, &retry), 0);
}

static void test_login_is_case_insensitive_and_other_logins_are_not_touched(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys k, upper, other;
	int retry, i;

	throttle_keys_make(&k, "ana", NULL);
	throttle_keys_make(&upper, "ANA", NULL);
	throttle_keys_make(&other, "bea", NULL);
	assert_false(k.has_address);
	for (i = 0; i < 5; i++)
		assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + i), 0);
	assert_int_equal(check(f, &upper, T0 + 10, &retry), THROTTLE_LIMITED);
	assert_int_equal(check(f, &other, T0 + 10, &retry), 0);
}

static void test_success_resets_login_but_not_address(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys k, same_addr_other_login;
	int retry, i;

	f->lim.address_failures = 6;
	throttle_keys_make(&k, "ana", "192.0.2.7");
	throttle_keys_make(&same_addr_other_login, "bea", "192.0.2.7");
	for (i = 0; i < 5; i++)
		assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + i), 0);
	assert_int_equal(check(f, &k, T0 + 10, &retry), THROTTLE_LIMITED);
	assert_int_equal(throttle_succeeded(f->st, &k), 0);
	/* the login's count is gone; the address still has five of six */
	assert_int_equal(check(f, &k, T0 + 20, &retry), 0);
	assert_int_equal(throttle_failed(f->st, &f->lim, &same_addr_other_login, T0 + 30), 0);
	assert_int_equal(check(f, &k, T0 + 40, &retry), THROTTLE_LIMITED);
	assert_int_equal(retry, WINDOW);
}

static void test_address_limit_across_logins(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys k;
	char login[32];
	int retry, i;

	for (i = 0; i < 20; i++) {
		snprintf(login, sizeof(login), "user%d", i);
		throttle_keys_make(&k, login, "2001:db8:1:2::1");
		assert_int_equal(check(f, &k, T0 + i, &retry), 0);
		assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + i), 0);
	}
	/* a fresh login from another address of the same /64 */
	throttle_keys_make(&k, "fresh", "2001:db8:1:2:ffff::9");
	assert_int_equal(check(f, &k, T0 + 100, &retry), THROTTLE_LIMITED);
	assert_true(retry >= 1 && retry <= WINDOW);
	/* another /64 is another client */
	throttle_keys_make(&k, "fresh", "2001:db8:1:3::1");
	assert_int_equal(check(f, &k, T0 + 100, &retry), 0);
	/* with no login at all, the address alone decides */
	throttle_keys_make(&k, NULL, "2001:db8:1:2::abcd");
	assert_false(k.has_login);
	assert_int_equal(check(f, &k, T0 + 100, &retry), THROTTLE_LIMITED);
}

static void test_mapped_ipv4_is_ipv4_and_garbage_is_not_counted(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys a, b, bad;

	(void)f;
	throttle_keys_make(&a, NULL, "198.51.100.4");
	throttle_keys_make(&b, NULL, "::ffff:198.51.100.4");
	assert_true(a.has_address && b.has_address);
	assert_memory_equal(a.address, b.address, sizeof(a.address));
	throttle_keys_make(&bad, "", "not an address");
	assert_false(bad.has_login);
	assert_false(bad.has_address);
	/* nothing to count under: no error, never limited */
	assert_int_equal(throttle_failed(f->st, &f->lim, &bad, T0), 0);
	assert_int_equal(throttle_succeeded(f->st, &bad), 0);
}

static void test_zero_limit_means_no_limit_and_old_rows_go(void **state)
{
	struct fixture *f = *state;
	struct throttle_keys k;
	int64_t at;
	int retry, i;

	f->lim.login_failures = 0;
	f->lim.address_failures = 0;
	throttle_keys_make(&k, "ana", "192.0.2.9");
	for (i = 0; i < 30; i++)
		assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + i), 0);
	assert_int_equal(check(f, &k, T0 + 100, &retry), 0);
	/* a failure a window later forgets every older one */
	assert_int_equal(throttle_failed(f->st, &f->lim, &k, T0 + WINDOW * 1000LL + 100), 0);
	assert_int_equal(STORE_CALL(f->st, throttle_nth, k.login, 0, 1, &at), 0);
	assert_true(at == T0 + WINDOW * 1000LL + 100);
	assert_int_equal(STORE_CALL(f->st, throttle_nth, k.login, 0, 2, &at), STORE_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_limit_and_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_login_is_case_insensitive_and_other_logins_are_not_touched, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_success_resets_login_but_not_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_address_limit_across_logins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_ipv4_is_ipv4_and_garbage_is_not_counted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_limit_means_no_limit_and_old_rows_go,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
