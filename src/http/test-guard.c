/*
 * test-guard.c: the request deadline and the room kept for fresh clients
 * (guard.h), over real sockets: a connection shut down by the sweep reads
 * as ended at its other end.  Times are given, so no test sleeps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/guard.h"

#define T0 1000000

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 v6(const char *ip)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

#define SA(a) ((const struct sockaddr *)&(a))

/* A connected pair: [0] stands for the server's end, [1] for the client's. */
static void pair(int fds[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
}

/* 1 when the client's end reads the end of the stream, 0 when nothing is there yet. */
static int ended(int client_fd)
{
	char b;

	return recv(client_fd, &b, 1, MSG_DONTWAIT) == 0;
}

static void test_deadline(void **state)
{
	int slow[2], quick[2], idle[2];
	struct guard_conn *s, *q, *i;
	struct sockaddr_in a = v4("192.0.2.1");

	(void)state;
	assert_int_equal(guard_init(8, 3000, NULL), 0);
	pair(slow);
	pair(quick);
	pair(idle);
	s = guard_open(slow[0], SA(a), T0);
	q = guard_open(quick[0], SA(a), T0);
	i = guard_open(idle[0], SA(a), T0);
	assert_non_null(s);
	assert_non_null(q);
	assert_non_null(i);

	/* quick's request arrives whole in time; its answer goes out at +2.5 s */
	guard_received(q);
	assert_int_equal(guard_sweep(T0 + 3000), 0);
	assert_false(ended(slow[1]));
	guard_answered(q, T0 + 2500);

	/* past the deadline: the one still sending its request, and the idle one, end */
	assert_int_equal(guard_sweep(T0 + 3001), 2);
	assert_true(ended(slow[1]));
	assert_true(ended(idle[1]));
	assert_false(ended(quick[1]));
	/* shut once: a later sweep leaves them to close */
	assert_int_equal(guard_sweep(T0 + 4000), 0);
	/* quick's next request has its own deadline, from its answer */
	assert_int_equal(guard_sweep(T0 + 5501), 1);
	assert_true(ended(quick[1]));

	guard_close(s);
	guard_close(q);
	guard_close(i);
	guard_close(NULL);
	for (int k = 0; k < 2; k++) {
		close(slow[k]);
		close(quick[k]);
		close(idle[k]);
	}
	guard_fini();
}

static void test_no_deadline(void **state)
{
	int fds[2];
	struct sockaddr_in a = v4("192.0.2.1");
	struct guard_conn *c;

	(void)state;
	assert_int_equal(guard_init(4, 0, NULL), 0);
	pair(fds);
	c = guard_open(fds[0], SA(a), T0);
	assert_int_equal(guard_sweep(T0 + 3600 * 1000), 0);
	assert_false(ended(fds[1]));
	guard_close(c);
	close(fds[0]);
	close(fds[1]);
	guard_fini();
}

/*
 * Eight places: from six open on, only an address that holds none gets
 * one, so a few addresses cannot take the last quarter.
 */
static void test_room_for_fresh_clients(void **state)
{
	struct sockaddr_in greedy = v4("198.51.100.7"), other = v4("198.51.100.8");
	struct sockaddr_in fresh = v4("203.0.113.9"), proxy = v4("10.0.0.2");
	struct sockaddr_in6 six = v6("2001:db8:1:2::1"), same64 = v6("2001:db8:1:2::ffff");
	struct sockaddr_in6 mapped = v6("::ffff:198.51.100.7");
	struct guard_conn *c[8];
	int k;

	(void)state;
	assert_int_equal(guard_init(8, 30000, "10.0.0.2"), 0);
	for (k = 0; k < 5; k++) {
		assert_true(guard_admit(SA(greedy)));
		c[k] = guard_open(100 + k, SA(greedy), T0);
		assert_non_null(c[k]);
	}
	assert_true(guard_admit(SA(greedy))); /* five open: not crowded yet */
	c[5] = guard_open(105, SA(six), T0);
	/* six open: crowded */
	assert_false(guard_admit(SA(greedy)));
	assert_false(guard_admit(SA(mapped))); /* the same IPv4 address, written as IPv6 */
	assert_false(guard_admit(SA(same64))); /* the same /64 */
	assert_true(guard_admit(SA(other)));   /* holds none */
	assert_true(guard_admit(SA(fresh)));
	assert_true(guard_admit(SA(proxy))); /* the trusted proxy is never held back */
	c[6] = guard_open(106, SA(other), T0);
	assert_false(guard_admit(SA(other))); /* one each, now */
	assert_true(guard_admit(SA(fresh)));

	/* when places free up, the greedy address gets in again */
	guard_close(c[0]);
	guard_close(c[1]);
	assert_true(guard_admit(SA(greedy)));
	for (k = 2; k < 7; k++)
		guard_close(c[k]);
	guard_fini();
}

static void test_full_table_and_bad_exempt(void **state)
{
	struct sockaddr_in a = v4("192.0.2.1");
	struct guard_conn *c1, *c2;

	(void)state;
	assert_int_equal(guard_init(1, 1000, "not an address"), -EINVAL);
	assert_int_equal(guard_init(1, 1000, ""), 0);
	c1 = guard_open(50, SA(a), T0);
	assert_non_null(c1);
	c2 = guard_open(51, SA(a), T0);
	assert_null(c2); /* not guarded, and nothing breaks */
	assert_null(guard_open(-1, SA(a), T0));
	guard_close(c1);
	guard_close(c1); /* twice: counted once */
	assert_non_null((c2 = guard_open(52, NULL, T0)));
	guard_close(c2);
	guard_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_no_deadline),
		cmocka_unit_test(test_room_for_fresh_clients),
		cmocka_unit_test(test_full_table_and_bad_exempt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
