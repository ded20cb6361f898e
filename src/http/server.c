/*
 * server.c: kintsugi's HTTP server over libmicrohttpd.
 *
 * One request goes: collect the body (counting bytes: libmicrohttpd has no
 * body limit of its own) -> find the route (404/405) -> body over the limit
 * (413) -> session from the cookie -> who may call (401/403) -> CSRF (403)
 * -> content type (415) -> parse and validate the fields (400) -> the
 * handler -> headers -> one log line without bodies, ids or tokens.
 *
 * Each worker thread of the pool opens its own store handle and keeps a
 * guarded buffer for the session keys, wiped after every request; threads
 * free both when they exit.  We answer on the access handler's second call,
 * never its first, so that keep-alive stays on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "api/api.h"
#include "cli/config.h"
#include "core/account.h"
#include "core/session.h"
#include "http/parse.h"
#include "http/routes.h"
#include "http/server.h"
#include "i18n/i18n.h"
#include "store/store.h"
#include "vault/vault.h"
#include "web/pages.h"

#define SERVER_CSP                                                                                 \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "        \
	"base-uri 'none'; object-src 'none'"

static const struct kconfig *server_cfg;
static pthread_key_t worker_key;

/* What one worker thread keeps between requests. */
struct worker {
	struct store *st;
	struct session *session;     /* guarded memory, wiped after each request */
	struct session *session_new; /* scratch for sign-in handlers */
};

/* One request in flight. */
struct exchange {
	struct kreq r;
	char *body;
	size_t body_len;
	size_t body_cap;
	int too_large;
	struct timespec started;
	char params[LIMIT_PATH_PARAMS * 33];
	json_t *json;
	struct input_error input_error;
};

static void worker_free(void *p)
{
	struct worker *w = p;

	if (!w)
		return;
	store_close(w->st);
	if (w->session) {
		vault_wipe(w->session, sizeof(*w->session));
		vault_secure_free(w->session);
	}
	if (w->session_new) {
		vault_wipe(w->session_new, sizeof(*w->session_new));
		vault_secure_free(w->session_new);
	}
	free(w);
}

static struct worker *worker_get(void)
{
	struct worker *w = pthread_getspecific(worker_key);
	char err[256];

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (store_open(server_cfg->db, &w->st, err, sizeof(err)) < 0) {
		fprintf(stderr, "kintsugi: worker cannot open the database: %s\n", err);
		free(w);
		return NULL;
	}
	w->session = vault_secure_alloc(sizeof(*w->session));
	w->session_new = vault_secure_alloc(sizeof(*w->session_new));
	if (!w->session || !w->session_new) {
		worker_free(w);
		return NULL;
	}
	pthread_setspecific(worker_key, w);
	return w;
}

static int method_parse(const char *m, enum kmethod *ret)
{
	static const struct {
		const char *name;
		enum kmethod m;
	} methods[] = {
		{"GET", KMETHOD_GET},	    {"POST", KMETHOD_POST}, {"PUT", KMETHOD_PUT},
		{"DELETE", KMETHOD_DELETE}, {"HEAD", KMETHOD_HEAD},
	};
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcmp(m, methods[i].name) == 0) {
			*ret = methods[i].m;
			return 0;
		}
	}
	return -EINVAL;
}

static int is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* The Host header if it looks like a host name or address with a port. */
static const char *host_header(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	size_t i, len;

	if (!h)
		return NULL;
	len = strlen(h);
	if (len == 0 || len > 255)
		return NULL;
	for (i = 0; i < len; i++) {
		char ch = h[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' ||
		      ch == '[' || ch == ']'))
			return NULL;
	}
	return h;
}

struct query_ctx {
	struct kfield *fields;
	size_t n;
	int bad;
};

static enum MHD_Result query_collect(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct query_ctx *q = cls;
	size_t i, vlen;

	(void)kind;
	if (q->bad)
		return MHD_NO;
	if (!value)
		value = "";
	vlen = strlen(value);
	if (q->n >= LIMIT_FORM_FIELDS || !utf8_valid(key, strlen(key)) ||
	    !utf8_valid(value, vlen)) {
		q->bad = 1;
		return MHD_NO;
	}
	for (i = 0; i < q->n; i++) {
		if (strcmp(q->fields[i].name, key) == 0) {
			q->bad = 1; /* a repeated parameter is how pollution works */
			return MHD_NO;
		}
	}
	q->fields[q->n].name = strdup(key);
	q->fields[q->n].value = strdup(value);
	q->fields[q->n].value_len = vlen;
	if (!q->fields[q->n].name || !q->fields[q->n].value) {
		free(q->fields[q->n].name);
		free(q->fields[q->n].value);
		q->bad = 1;
		return MHD_NO;
	}
	q->n++;
	return MHD_YES;
}

/* Sets r's answer to a JSON error or an error page, by route kind. */
static int answer_error(struct kreq *r, int is_api, int status, const char *code)
{
	if (is_api)
		return api_error(r, status, code);
	return page_error(r, status);
}

static int content_type_is(struct MHD_Connection *conn, const char *want)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	size_t n = strlen(want);

	if (!ct)
		return 0;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * Reads and validates the body of r for route rt into r->json (API: JSON;
 * pages: urlencoded form), checking the CSRF token of a page form.  Returns
 * 0 to go on to the handler, or 1 when an answer has been set.
 */
static int read_body(struct exchange *x, struct MHD_Connection *conn, const struct route *rt)
{
	struct kreq *r = &x->r;
	int is_api = rt->kind == ROUTE_API;
	int has_body = x->body_len > 0;

	if (is_api) {
		const char *token;

		if (rt->csrf && r->session) {
			token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
			if (!session_csrf_ok(r->session, token)) {
				api_error(r, 403, "csrf_failed");
				return 1;
			}
		}
		if (!has_body && rt->nfields == 0)
			return 0;
		if (has_body && !content_type_is(conn, "application/json")) {
			api_error(r, 415, "unsupported_media_type");
			return 1;
		}
		if (!has_body) {
			x->input_error.code = INPUT_INVALID_JSON;
			x->input_error.field[0] = '\0';
			api_error_input(r, &x->input_error);
			return 1;
		}
		if (json_parse_body(x->body, x->body_len, LIMIT_JSON_DEPTH, &x->json,
				    &x->input_error) < 0 ||
		    fields_check(x->json, rt->fields, rt->nfields, &x->input_error) < 0) {
			api_error_input(r, &x->input_error);
			return 1;
		}
		r->json = x->json;
		return 0;
	}

	/* a page form */
	if (has_body && !content_type_is(conn, "application/x-www-form-urlencoded")) {
		page_error(r, 415);
		return 1;
	}
	if (has_body) {
		int e = form_parse(x->body, x->body_len, LIMIT_FORM_FIELDS, &r->form, &r->nform);
		if (e < 0) {
			page_error(r, 400);
			return 1;
		}
	}
	if (rt->csrf && r->session && !session_csrf_ok(r->session, kreq_form(r, "csrf"))) {
		page_error(r, 403);
		return 1;
	}
	if (rt->method == KMETHOD_POST && rt->nfields > 0) {
		if (fields_from_form(r->form, r->nform, rt->fields, rt->nfields, &x->json,
				     &x->input_error) < 0 ||
		    fields_check(x->json, rt->fields, rt->nfields, &x->input_error) < 0) {
			json_decref(x->json);
			x->json = NULL;
			r->input_error = &x->input_error;
		} else {
			r->json = x->json;
		}
	}
	return 0;
}

/* Runs the request through the pipeline; r's response is set on return. */
static void dispatch(struct exchange *x, struct MHD_Connection *conn, const char *url,
		     const char *method, struct worker *w, const struct route **ret_route)
{
	struct kreq *r = &x->r;
	const struct route *rt = NULL;
	enum route_match m;
	const char *cookie_hdr, *al;
	char cookie[SESSION_COOKIE_LEN + 2];
	struct query_ctx q = {0};
	struct core *core = (struct core *)r->core;
	int is_api = is_api_path(url), e;

	al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
	r->lang = i18n_negotiate(al, al ? strlen(al) : 0);
	i18n_set_thread_lang(r->lang);
	r->path = url;
	r->host = host_header(conn);

	if (method_parse(method, &r->method) < 0) {
		answer_error(r, is_api, 405, "method_not_allowed");
		return;
	}
	if (strlen(url) > LIMIT_URL_BYTES || !utf8_valid(url, strlen(url))) {
		answer_error(r, is_api, 404, "not_found");
		return;
	}
	m = routes_find(r->method, url, &rt, r->params, &r->nparams, x->params);
	if (m != ROUTE_FOUND) {
		if (m == ROUTE_NO_METHOD)
			answer_error(r, is_api, 405, "method_not_allowed");
		else
			answer_error(r, is_api, 404, "not_found");
		return;
	}
	*ret_route = rt;
	is_api = rt->kind == ROUTE_API;
	if (x->too_large) {
		answer_error(r, is_api, 413, "body_too_large");
		return;
	}

	q.fields = calloc(LIMIT_FORM_FIELDS, sizeof(*q.fields));
	if (!q.fields) {
		answer_error(r, is_api, 500, "internal");
		return;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_collect, &q);
	r->query = q.fields;
	r->nquery = q.n;
	if (q.bad) {
		x->input_error.code = INPUT_INVALID_VALUE;
		snprintf(x->input_error.field, sizeof(x->input_error.field), "query");
		if (is_api)
			api_error_input(r, &x->input_error);
		else
			page_error(r, 400);
		return;
	}

	if (rt->kind != ROUTE_STATIC && strcmp(rt->pattern, "/healthz") != 0) {
		cookie_hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
		if (cookie_hdr) {
			e = cookie_get(cookie_hdr, strlen(cookie_hdr), SESSION_COOKIE_NAME, cookie,
				       sizeof(cookie));
			if (e > 0) {
				e = session_resolve(core, cookie, (size_t)e, w->session);
				if (e == 0)
					r->session = w->session;
				else if (e < 0) {
					answer_error(r, is_api, 500, "internal");
					return;
				}
			}
			vault_wipe(cookie, sizeof(cookie));
		}
	}
	if (r->session) {
		r->lang = r->session->language;
		i18n_set_thread_lang(r->lang);
	}

	if (rt->auth != ROUTE_ANYONE && !r->session) {
		if (is_api) {
			api_error(r, 401, "not_signed_in");
		} else {
			r->status = 303;
			r->location = strdup("/signin");
		}
		return;
	}
	if (rt->auth == ROUTE_PARTNER && strcmp(r->session->role, "partner") != 0) {
		answer_error(r, is_api, 403, "forbidden");
		return;
	}
	if (read_body(x, conn, rt))
		return;
	if (rt->handler(r) < 0) {
		free(r->resp_body);
		r->resp_body = NULL;
		free(r->location);
		r->location = NULL;
		free(r->set_cookie);
		r->set_cookie = NULL;
		answer_error(r, is_api, 500, "internal");
	}
}

static void add_security_headers(struct MHD_Response *resp, const struct kreq *r,
				 const struct route *rt)
{
	MHD_add_response_header(resp, "Content-Security-Policy", SERVER_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), interest-cohort=()");
	if (r->secure)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=63072000; includeSubDomains");
	if (rt && rt->kind == ROUTE_STATIC && r->status == 200)
		MHD_add_response_header(resp, "Cache-Control", "public, max-age=3600");
	else if (!rt || rt->kind == ROUTE_API || r->private_page || r->session || r->set_cookie ||
		 r->status >= 300)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	else
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (r->lang)
		MHD_add_response_header(resp, "Content-Language", r->lang);
	MHD_add_response_header(resp, "Vary", "Cookie, Accept-Language");
}

static void add_cookie(struct MHD_Response *resp, const struct kreq *r)
{
	char value[SESSION_COOKIE_LEN + 256];
	const char *secure = r->secure || server_cfg->secure_cookies ? "; Secure" : "";

	if (!r->set_cookie)
		return;
	if (r->set_cookie[0] == '\0')
		snprintf(value, sizeof(value),
			 SESSION_COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
			 secure);
	else
		snprintf(value, sizeof(value),
			 SESSION_COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s",
			 r->set_cookie, secure);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, value);
	vault_wipe(value, sizeof(value));
}

static void log_request(const struct exchange *x, const struct route *rt, const char *method)
{
	struct timespec now;
	long us;
	char at[STORE_TIME_LEN + 1];

	if (!server_cfg->log_requests)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (now.tv_sec - x->started.tv_sec) * 1000000L +
	     (now.tv_nsec - x->started.tv_nsec) / 1000L;
	session_now(at, 0);
	/* the route's pattern, never the path: paths carry ids and invite tokens */
	fprintf(stderr, "%s %s %s %d %ldus\n", at, method[0] && strlen(method) < 8 ? method : "?",
		rt ? rt->pattern : "-", x->r.status, us);
}

static enum MHD_Result respond(struct exchange *x, struct MHD_Connection *conn,
			       const struct route *rt, const char *method)
{
	struct kreq *r = &x->r;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->status == 0)
		r->status = 500;
	resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	r->resp_body = NULL; /* now the response's */
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (r->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					"GET, HEAD, POST, PUT, DELETE");
	add_cookie(resp, r);
	add_security_headers(resp, r, rt);
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	log_request(x, rt, method);
	return ret;
}

static void exchange_free(struct exchange *x)
{
	struct kreq *r;

	if (!x)
		return;
	r = &x->r;
	if (x->body) {
		vault_wipe(x->body, x->body_len);
		free(x->body);
	}
	json_decref(x->json);
	form_free(r->form, r->nform);
	form_free(r->query, r->nquery);
	free(r->resp_body);
	free(r->location);
	if (r->set_cookie) {
		vault_wipe(r->set_cookie, strlen(r->set_cookie));
		free(r->set_cookie);
	}
	free(x);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct exchange *x = *con_cls;
	const struct route *rt = NULL;
	struct worker *w;
	struct core core;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!x) {
		const char *cl;

		x = calloc(1, sizeof(*x));
		if (!x)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &x->started);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > LIMIT_BODY_BYTES)
			x->too_large = 1;
		*con_cls = x;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (x->too_large)
			return MHD_YES;
		if (n > LIMIT_BODY_BYTES - x->body_len) {
			x->too_large = 1;
			vault_wipe(x->body, x->body_len);
			free(x->body);
			x->body = NULL;
			x->body_len = x->body_cap = 0;
			return MHD_YES;
		}
		if (x->body_len + n > x->body_cap) {
			size_t cap = x->body_cap ? x->body_cap : 1024;
			char *nb;

			while (cap < x->body_len + n)
				cap *= 2;
			if (cap > LIMIT_BODY_BYTES)
				cap = LIMIT_BODY_BYTES;
			nb = malloc(cap);
			if (!nb)
				return MHD_NO;
			if (x->body) {
				memcpy(nb, x->body, x->body_len);
				vault_wipe(x->body, x->body_len);
				free(x->body);
			}
			x->body = nb;
			x->body_cap = cap;
		}
		memcpy(x->body + x->body_len, upload_data, n);
		x->body_len += n;
		return MHD_YES;
	}

	w = worker_get();
	memset(&core, 0, sizeof(core));
	if (w) {
		core.st = w->st;
		core.kdf = server_cfg->kdf;
		core.session_idle_s = (long)server_cfg->session_idle;
		core.session_absolute_s = (long)server_cfg->session_absolute;
	}
	x->r.core = &core;
	x->r.config = server_cfg;
	x->r.secure = server_cfg->secure_cookies;
	x->r.session_buf = w ? w->session_new : NULL;
	x->r.body = x->body;
	x->r.body_len = x->body_len;
	if (!w) {
		x->r.lang = "en";
		answer_error(&x->r, is_api_path(url), 503, "unavailable");
	} else {
		dispatch(x, conn, url, method, w, &rt);
	}
	ret = respond(x, conn, rt, method);
	if (w) {
		vault_wipe(w->session, sizeof(*w->session));
		vault_wipe(w->session_new, sizeof(*w->session_new));
	}
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	exchange_free(*con_cls);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("kintsugi: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/*
 * Drops root to cfg->user after binding (OpenBSD httpd's order: bind, then
 * give up privileges, then verify they cannot come back).  Nothing to do
 * when no user is configured or we are not root.
 */
static int server_drop_privileges(const struct kconfig *cfg, char *errbuf, size_t errlen)
{
	struct passwd *pw;

	if (!cfg->user[0] || geteuid() != 0)
		return 0;
	pw = getpwnam(cfg->user);
	if (!pw) {
		snprintf(errbuf, errlen, "no such user: %s", cfg->user);
		return -EINVAL;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		snprintf(errbuf, errlen, "cannot become user %s: %s", cfg->user, strerror(errno));
		return -EPERM;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		snprintf(errbuf, errlen, "privileges could not be dropped for good");
		return -EPERM;
	}
	return 0;
}

/* Binds the listening socket ourselves, so that errors say what went wrong. */
static int server_bind(const struct kconfig *cfg, int *ret_fd, char *errbuf, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int fd, on = 1, e;

	memset(&ss, 0, sizeof(ss));
	if (cfg->listen_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)cfg->listen_port);
		if (inet_pton(AF_INET6, cfg->listen_addr, &a->sin6_addr) != 1)
			goto bad_addr;
		slen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)cfg->listen_port);
		if (inet_pton(AF_INET, cfg->listen_addr, &a->sin_addr) != 1)
			goto bad_addr;
		slen = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		snprintf(errbuf, errlen, "cannot create a socket: %s", strerror(e));
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, slen) < 0 || listen(fd, 128) < 0) {
		e = errno;
		if (e == EADDRINUSE)
			snprintf(errbuf, errlen,
				 "port %u on %s is already in use (is kintsugi already running?)",
				 cfg->listen_port, cfg->listen_addr);
		else
			snprintf(errbuf, errlen, "cannot listen on %s port %u: %s",
				 cfg->listen_addr, cfg->listen_port, strerror(e));
		close(fd);
		return -e;
	}
	*ret_fd = fd;
	return 0;
bad_addr:
	snprintf(errbuf, errlen, "%s is not an IP address", cfg->listen_addr);
	return -EINVAL;
}

int server_run(const struct kconfig *cfg, char *errbuf, size_t errlen)
{
	struct MHD_Daemon *d = NULL;
	sigset_t set, old;
	int fd = -1, r, sig = 0;

	server_cfg = cfg;
	r = account_init(cfg->argon2_concurrency);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot set up the sign-in limiter");
		return r;
	}
	r = web_init(cfg->data_dir, errbuf, errlen);
	if (r < 0)
		return r;
	r = pthread_key_create(&worker_key, worker_free);
	if (r != 0) {
		web_fini();
		snprintf(errbuf, errlen, "cannot create thread storage");
		return -r;
	}
	r = server_bind(cfg, &fd, errbuf, errlen);
	if (r < 0)
		goto out;
	r = server_drop_privileges(cfg, errbuf, errlen);
	if (r < 0)
		goto out;

	/* the pool's threads inherit this mask; only the main thread waits for signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				     (cfg->listen_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
			     on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LIMIT_CONNECTION_TIMEOUT_S,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_HEADER_POOL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		snprintf(errbuf, errlen, "the HTTP server did not start");
		r = -EIO;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	fd = -1; /* the daemon's now */
	fprintf(stderr, "kintsugi %s listening on http://%s%s%s:%u\n", KINTSUGI_VERSION,
		cfg->listen_family == AF_INET6 ? "[" : "", cfg->listen_addr,
		cfg->listen_family == AF_INET6 ? "]" : "", cfg->listen_port);
	sigdelset(&set, SIGPIPE);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "kintsugi: stopping\n");
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	worker_free(pthread_getspecific(worker_key));
	pthread_key_delete(worker_key);
	web_fini();
	return r;
}
