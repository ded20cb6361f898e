/*
 * guard.c: the request deadline and the room kept for fresh clients (see
 * guard.h).
 *
 * One table of entries, one per open connection, under one mutex.  The
 * sweep runs on the main thread every few hundred milliseconds and holds
 * the lock while it calls shutdown(2): an entry leaves the table (in the
 * server's "connection closed" notice) before libmicrohttpd closes its fd,
 * so a descriptor shut down here always still belongs to its connection,
 * never to a newer one that reused the number.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/guard.h"

struct guard_conn {
	int fd; /* -1: a free entry */
	unsigned char addr[8];
	unsigned char alen; /* 4 (IPv4) or 8 (the /64 of IPv6); 0: unknown */
	unsigned char armed;
	unsigned char shut;
	int64_t since_ms; /* while armed: when the deadline began */
};

static struct {
	pthread_mutex_t lock;
	struct guard_conn *conns;
	unsigned n;
	unsigned open;
	unsigned crowded; /* from this many open on, only addresses holding none */
	int64_t deadline_ms;
	unsigned char exempt[8]; /* the trusted proxy's key, exempt_len 0: none */
	unsigned char exempt_len;
} guard = {.lock = PTHREAD_MUTEX_INITIALIZER};

int64_t guard_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned char address_key(const struct sockaddr *sa, unsigned char out[8]);

int guard_init(unsigned max_connections, int64_t deadline_ms, const char *exempt)
{
	/*
	 * Room for either family: address_key() reads the address by the
	 * family it finds, and an optimising build checks both branches
	 * against the object's size.
	 */
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	unsigned i;

	guard_fini();
	guard.exempt_len = 0;
	if (exempt && exempt[0]) {
		if (inet_pton(AF_INET, exempt, &a4->sin_addr) == 1)
			a4->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, exempt, &a6->sin6_addr) == 1)
			a6->sin6_family = AF_INET6;
		else
			return -EINVAL;
		guard.exempt_len = address_key((const struct sockaddr *)&ss, guard.exempt);
	}
	if (max_connections == 0)
		max_connections = 1;
	guard.conns = calloc(max_connections, sizeof(*guard.conns));
	if (!guard.conns)
		return -ENOMEM;
	for (i = 0; i < max_connections; i++)
		guard.conns[i].fd = -1;
	guard.n = max_connections;
	guard.open = 0;
	guard.crowded = max_connections - max_connections / 4;
	guard.deadline_ms = deadline_ms > 0 ? deadline_ms : 0;
	return 0;
}

void guard_fini(void)
{
	pthread_mutex_lock(&guard.lock);
	free(guard.conns);
	guard.conns = NULL;
	guard.n = 0;
	guard.open = 0;
	pthread_mutex_unlock(&guard.lock);
}

/* The bytes an address is counted by (as the sign-in throttle counts it); 0 when unknown. */
static unsigned char address_key(const struct sockaddr *sa, unsigned char out[8])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a6 =
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;

		if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
			memcpy(out, a6 + 12, 4);
			return 4;
		}
		memcpy(out, a6, 8);
		return 8;
	}
	return 0;
}

int guard_admit(const struct sockaddr *sa)
{
	unsigned char key[8];
	unsigned char len = address_key(sa, key);
	unsigned i;
	int ok = 1;

	if (len && len == guard.exempt_len && memcmp(key, guard.exempt, len) == 0)
		return 1;
	pthread_mutex_lock(&guard.lock);
	if (guard.conns && guard.open >= guard.crowded) {
		for (i = 0; i < guard.n && ok; i++) {
			const struct guard_conn *c = &guard.conns[i];

			if (c->fd >= 0 && c->alen == len && memcmp(c->addr, key, len) == 0)
				ok = 0;
		}
	}
	pthread_mutex_unlock(&guard.lock);
	return ok;
}

struct guard_conn *guard_open(int fd, const struct sockaddr *sa, int64_t now_ms)
{
	struct guard_conn *c = NULL;
	unsigned i;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&guard.lock);
	for (i = 0; i < guard.n; i++) {
		if (guard.conns[i].fd < 0) {
			c = &guard.conns[i];
			break;
		}
	}
	if (c) {
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->alen = address_key(sa, c->addr);
		c->armed = 1;
		c->since_ms = now_ms;
		guard.open++;
	}
	pthread_mutex_unlock(&guard.lock);
	return c;
}

void guard_close(struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&guard.lock);
	if (c->fd >= 0) {
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		guard.open--;
	}
	pthread_mutex_unlock(&guard.lock);
}

void guard_received(struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&guard.lock);
	c->armed = 0;
	pthread_mutex_unlock(&guard.lock);
}

void guard_answered(struct guard_conn *c, int64_t now_ms)
{
	if (!c)
		return;
	pthread_mutex_lock(&guard.lock);
	c->armed = 1;
	c->since_ms = now_ms;
	pthread_mutex_unlock(&guard.lock);
}

unsigned guard_sweep(int64_t now_ms)
{
	unsigned i, shut = 0;

	pthread_mutex_lock(&guard.lock);
	for (i = 0; guard.deadline_ms > 0 && i < guard.n; i++) {
		struct guard_conn *c = &guard.conns[i];

		if (c->fd < 0 || !c->armed || c->shut || now_ms - c->since_ms <= guard.deadline_ms)
			continue;
		/* the connection's own thread sees the end and closes it */
		(void)shutdown(c->fd, SHUT_RDWR);
		c->shut = 1;
		shut++;
	}
	pthread_mutex_unlock(&guard.lock);
	return shut;
}
