/*
 * server.h: the HTTP server: libmicrohttpd with its internal epoll thread
 * pool, the limits of src/limits.h, the routing table, sessions, CSRF,
 * input validation and the security headers on every answer.
 */
#ifndef KINTSUGI_HTTP_SERVER_H
#define KINTSUGI_HTTP_SERVER_H

#include <stddef.h>

struct kconfig;

/*
 * server_run() - bind cfg's address, serve until SIGINT or SIGTERM, then
 * stop cleanly.  Loads the templates and static files from cfg->data_dir.
 * Returns 0, or -EADDRINUSE / -EACCES / -EINVAL / -EIO with a reason for a
 * person in errbuf.
 */
int server_run(const struct kconfig *cfg, char *errbuf, size_t errlen);

#endif
