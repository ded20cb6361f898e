/*
 * server.h: the HTTP server: libmicrohttpd with its internal epoll thread
 * pool, the limits of src/limits.h, the routing table, sessions, CSRF,
 * sign-in throttling, input validation and the security headers on every
 * answer.
 *
 * The request pipeline is server_handle(): it takes one request already
 * read off the wire (method, path, headers and query through callbacks,
 * body bytes) and fills a reply, with no socket and no libmicrohttpd in
 * sight, so that fuzz/fuzz-request.c can drive it directly.  server_run()
 * is the libmicrohttpd shell around it.
 */
#ifndef KINTSUGI_HTTP_SERVER_H
#define KINTSUGI_HTTP_SERVER_H

#include <netinet/in.h>
#include <stddef.h>
#include <time.h>

#include "core/ledger.h"
#include "core/session.h"
#include "kreq.h"

struct kconfig;
struct route;

/* Called by server_request.each_arg for each query argument; nonzero stops. */
typedef int (*server_arg_fn)(void *cls, const char *key, const char *value);
/* Called by server_reply_headers() for each header of the answer. */
typedef void (*server_header_fn)(void *cls, const char *name, const char *value);

/* One request as the pipeline sees it, whatever carried it. */
struct server_request {
	const char *method;    /* "GET", "POST", ... as sent (any NUL-terminated string) */
	const char *url;       /* the percent-decoded path, without the query */
	const char *client_ip; /* textual peer address, or NULL */
	const char *body;      /* body bytes, or NULL */
	size_t body_len;
	int body_too_large;		/* over LIMIT_BODY_BYTES: answered 413 */
	const struct timespec *started; /* CLOCK_MONOTONIC start for the log, or NULL */
	/* the value of header name (case-insensitive), or NULL when absent */
	const char *(*header)(void *ctx, const char *name);
	/* calls fn for each decoded query argument (value NULL when it had no
	 * "="), in order, until fn returns nonzero */
	void (*each_arg)(void *ctx, server_arg_fn fn, void *cls);
	/* calls fn for each header (name, value), in order, until fn returns nonzero */
	void (*each_header)(void *ctx, server_arg_fn fn, void *cls);
	void *ctx; /* handed to header and each_arg */
};

/* The answer to one request.  Zero it before server_handle(). */
struct server_reply {
	struct kreq r;		   /* status, content_type, resp_body and resp_len, location,
				    * set_cookie, retry_after: see kreq.h */
	const struct route *route; /* the route that matched, or NULL */
	unsigned allow;		   /* a 405's methods (1u << KMETHOD_x); 0 = every one */

	/* private to server.c */
	char params[LIMIT_PATH_PARAMS * 33];
	json_t *json;
	struct input_error input_error;
	struct core core;
	unsigned unreadable;	     /* rows left out of this answer: core.unreadable points here */
	struct ledger_cache ledgers; /* the ledgers it read: core.ledgers points here */
	char header_buf[SESSION_COOKIE_LEN + 256];
	char client_ip[INET6_ADDRSTRLEN];    /* from X-Forwarded-For behind trusted_proxy */
	char device_cookie[65];		     /* a new device cookie to set, or "" */
	char browser[STORE_BROWSER_LEN + 1]; /* the User-Agent's short name (core/devices.h) */
	void *worker;
};

/*
 * server_init() - prepare what server_handle() needs: the Argon2 limiter,
 * the templates and static files of cfg->data_dir, and per-thread storage.
 * cfg must stay valid until server_fini().  Returns 0, or a negative errno
 * with a reason for a person in errbuf.
 */
int server_init(const struct kconfig *cfg, char *errbuf, size_t errlen);

/*
 * server_open_store() - after server_init() and before the first request
 * (and after dropping privileges): open the process's first handle on
 * cfg->db, kept until server_fini().  Each thread's handle is a reopen of
 * it (one writer lock for the process).  Without it every request answers
 * 503.  Returns 0, or a negative errno with a reason in errbuf.
 */
int server_open_store(char *errbuf, size_t errlen);

/* server_fini() - undo server_init() and server_open_store(); the calling thread's handle closes
 * too. */
void server_fini(void);

/*
 * server_handle() - run one request through the whole pipeline: header
 * limits (431), target length (414), route (404/405), body limit (413),
 * a POST, PUT or DELETE from another site (403), session cookie (named
 * __Host-kintsugi_session with --secure-cookies), who may call (401/403), CSRF
 * (403), content type (415), fields (400), sign-in throttling (429), the
 * handler, and a log line.  out must be zeroed; afterwards out->r.status
 * is set (never 0) and server_reply_headers() lists the headers.  Release
 * out with server_reply_fini(), on the same thread.
 */
void server_handle(const struct server_request *in, struct server_reply *out);

/*
 * server_reply_headers() - call fn for each header of the answer, the
 * security headers and the session cookie included.  The strings are valid
 * during the call only.
 */
void server_reply_headers(struct server_reply *out, server_header_fn fn, void *cls);

/*
 * server_reply_fini() - free what out holds (out itself is the caller's)
 * and wipe the session keys of the request.  Accepts a zeroed reply.
 */
void server_reply_fini(struct server_reply *out);

/*
 * server_run() - server_init(), bind cfg's address, drop privileges, start
 * the libmicrohttpd pool, enter the seccomp filter, serve until SIGINT or
 * SIGTERM, then stop cleanly.  Returns 0, or -EADDRINUSE / -EACCES /
 * -EINVAL / -EIO with a reason for a person in errbuf.
 */
int server_run(const struct kconfig *cfg, char *errbuf, size_t errlen);

#endif
