/*
 * guard.h: connections that hold a place without finishing a request.
 *
 * libmicrohttpd's own timeout is an idle one: a client that sends a header
 * line every few seconds keeps its connection for as long as it likes, and
 * a few addresses doing that fill every place (issue 11, part 10).  Two
 * rules on top of it, kept here, applied by the HTTP layer:
 *
 * - A deadline.  From the moment a connection opens, or its last answer
 *   was sent, the next request must arrive whole (line, headers and body)
 *   within the deadline; a connection past it is shut down.  The answer's
 *   own sending is not counted.
 * - Room for fresh clients.  Once the open connections reach three
 *   quarters of the limit, a new one is taken only from an address that
 *   holds none (IPv6: none in its /64), so that the last quarter goes to
 *   clients that hold little, not to those that hold much.
 *
 * Thread-safe: one lock around a table the size of the connection limit.
 * No address or request content is kept beyond a connection's life, and
 * none is ever logged.
 */
#ifndef KINTSUGI_HTTP_GUARD_H
#define KINTSUGI_HTTP_GUARD_H

#include <stdint.h>
#include <sys/socket.h>

struct guard_conn;

/*
 * guard_init() - a table for max_connections; deadline_ms 0: no deadline.
 * exempt: an IP literal (the trusted reverse proxy, through which every
 * client comes) that the room rule leaves alone, or NULL or "".  0,
 * -EINVAL (exempt is not an address) or -ENOMEM.  guard_fini() frees it
 * (connections still open are forgotten, not shut down).
 */
int guard_init(unsigned max_connections, int64_t deadline_ms, const char *exempt);
void guard_fini(void);

/* guard_admit() - may a new connection from sa be taken now?  1 or 0. */
int guard_admit(const struct sockaddr *sa);

/*
 * guard_open() - connection fd from sa opened at now_ms: its entry, armed,
 * or NULL when the table is full (then it is not guarded).
 */
struct guard_conn *guard_open(int fd, const struct sockaddr *sa, int64_t now_ms);
/* guard_close() - the connection is gone (before its fd is closed); NULL is ignored. */
void guard_close(struct guard_conn *c);
/* guard_received() - its request arrived whole: no deadline while it is answered. */
void guard_received(struct guard_conn *c);
/* guard_answered() - its answer was sent at now_ms: the next request's deadline runs. */
void guard_answered(struct guard_conn *c, int64_t now_ms);

/*
 * guard_sweep() - shut down (shutdown(2), both ways) every connection past
 * its deadline at now_ms; the server then sees it end and closes it.  How
 * many were shut down.
 */
unsigned guard_sweep(int64_t now_ms);

/* guard_now_ms() - the monotonic clock in milliseconds. */
int64_t guard_now_ms(void);

#endif
