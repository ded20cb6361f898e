/*
 * server.c: kintsugi's HTTP server.
 *
 * The pipeline, server_handle(), sees one request already read off the
 * wire: header limits (431) -> method (405) -> query arguments (414, 400)
 * -> find the route (404/405) -> body over the limit (413) -> a state change from another
 * site (403) -> session from the cookie -> who may
 * call (401/403) -> CSRF (403) -> content type (415) -> parse and validate the fields (400)
 * -> sign-in throttling (429) -> the handler -> one log line without
 * bodies, ids or tokens.  server_reply_headers() adds the security headers
 * and the cookie's attributes.
 *
 * The libmicrohttpd glue at the bottom is a thin shell: it collects the
 * body (counting bytes: libmicrohttpd has no body limit of its own), hands
 * header and argument lookups to the pipeline as callbacks, and queues the
 * reply.  We answer on the access handler's second call, never its first,
 * so that keep-alive stays on.
 *
 * Each worker thread opens its own store handle and keeps a guarded buffer
 * for the session keys, wiped after every request; threads free both when
 * they exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "api/api.h"
#include "core/account.h"
#include "core/apology.h"
#include "core/coach.h"
#include "core/devices.h"
#include "core/factor.h"
#include "core/session.h"
#include "http/parse.h"
#include "http/routes.h"
#include "http/guard.h"
#include "http/sandbox.h"
#include "http/server.h"
#include "core/throttle.h"
#include "i18n/i18n.h"
#include "kconfig.h"
#include "store/store.h"
#include "vault/vault.h"
#include "web/pages.h"

#define SERVER_CSP                                                                                 \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "           \
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

/*
 * The session cookie's name.  With --secure-cookies it carries the __Host-
 * prefix (RFC 6265bis, section 4.1.3.2): a browser then keeps it only when
 * it is Secure, has Path=/ and no Domain, and so no sibling host and no
 * plain-HTTP page can plant or overwrite it.  Over plain HTTP (loopback,
 * development, tests) a browser would refuse such a cookie, so there the
 * name stays bare.  Only the name of the mode is ever read.
 */
#define SERVER_COOKIE_SECURE "__Host-" SESSION_COOKIE_NAME
#define SERVER_DEVICE_SECURE "__Host-" THROTTLE_DEVICE_COOKIE
/* A device cookie lasts a year from the browser's last sign-in. */
#define SERVER_DEVICE_MAX_AGE (365 * 24 * 3600)
_Static_assert(sizeof(((struct server_reply *)0)->device_cookie) == THROTTLE_DEVICE_LEN + 1,
	       "a device cookie fits its buffer");

/* Sign-in and recovery: a failure here is a password (or key) guess. */
static const char *const throttled_patterns[] = {
	"/api/v1/login", "/api/v1/passkeys/signin", "/api/v1/recover", "/signin", "/recover",
};

/*
 * What a locked session (auto-lock, core/session.h) may still reach: the
 * password form's target, signing out, and the neutral quick exit.  Every
 * other route that reads the session, whoever it is for, answers the lock
 * page or 401 `locked`: nothing private until the password comes again.
 */
/* A route by its method and pattern, for the lists below. */
struct route_key {
	enum kmethod method;
	const char *pattern;
};

static const struct route_key open_when_locked[] = {
	{KMETHOD_POST, "/unlock"},  {KMETHOD_POST, "/api/v1/unlock"},
	{KMETHOD_POST, "/signout"}, {KMETHOD_POST, "/api/v1/logout"},
	{KMETHOD_GET, "/exit"},
};

/*
 * With --require-second-factor, what a signed-in member without a second
 * factor may still reach: the settings page and the routes that turn
 * TOTP on, signing out, their language, and deleting their account.  Every
 * other route that needs a session sends them to the settings (pages) or
 * answers 403 `second_factor_setup_required` (API).
 */
static const struct route_key open_without_factor[] = {
	{KMETHOD_GET, "/settings"},	      {KMETHOD_GET, "/settings/totp"},
	{KMETHOD_POST, "/settings/totp"},     {KMETHOD_POST, "/settings/totp/confirm"},
	{KMETHOD_POST, "/settings/language"}, {KMETHOD_POST, "/settings/delete"},
	{KMETHOD_POST, "/signout"},	      {KMETHOD_GET, "/api/v1/me"},
	{KMETHOD_POST, "/api/v1/totp"},	      {KMETHOD_POST, "/api/v1/totp/confirm"},
	{KMETHOD_POST, "/api/v1/logout"},     {KMETHOD_DELETE, "/api/v1/me"},
};

static const struct kconfig *server_cfg;
static pthread_key_t worker_key;
static int worker_key_made;

/*
 * The process's first handle on the database, open from before the first
 * request until after the last: every worker's handle is a reopen of it,
 * sharing its writer lock, and it keeps the process a user of the -wal and
 * -shm files the whole time, so that no other program takes itself for the
 * last one and removes them.
 */
static struct store *server_store;

/*
 * After a fatal storage fault (enum store_fault, from STORE_FAULT_SYNC) the
 * worker that met it wakes the main thread (server_main, waiting in
 * sigwait) with SIGUSR1; server_fatal tells it why it woke.  Requests in
 * flight (server_inflight) get their 503 out before the daemon stops.
 */
static atomic_int server_fatal;
static atomic_int server_inflight;
static atomic_llong server_last_done_ms; /* CLOCK_MONOTONIC ms of the last answer sent */
static pthread_t server_main;
static int server_main_set;

/* The cookie's name for a request; r->secure also decides its Secure attribute. */
static const char *cookie_name(const struct kreq *r)
{
	return r->secure ? SERVER_COOKIE_SECURE : SESSION_COOKIE_NAME;
}

static const char *device_cookie_name(const struct kreq *r)
{
	return r->secure ? SERVER_DEVICE_SECURE : THROTTLE_DEVICE_COOKIE;
}

/* What one worker thread keeps between requests. */
struct worker {
	struct store *st;
	struct session *session;     /* guarded memory, wiped after each request */
	struct session *session_new; /* scratch for sign-in handlers */
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
	if (!server_store)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (server_store->ops->reopen(server_store, &w->st, err, sizeof(err)) < 0) {
		/* after a fatal fault, the stopping line says it once */
		if (server_store->ops->fatal(server_store) == STORE_FAULT_NONE)
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

static const char *header(const struct server_request *in, const char *name)
{
	return in->header ? in->header(in->ctx, name) : NULL;
}

/* The Host header if it looks like a host name or address with a port. */
static const char *host_header(const struct server_request *in)
{
	const char *h = header(in, "Host");
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

/*
 * Splits an origin "scheme://host[:port]" into its scheme and its host,
 * leaving out a port that is the scheme's default (RFC 6454, section 6.1:
 * browsers never write it, an operator may).  0, or -1 when s is no origin.
 */
static int origin_split(const char *s, const char **scheme, size_t *scheme_len, const char **host,
			size_t *host_len)
{
	const char *sep = strstr(s, "://");
	size_t n;

	if (!sep || sep == s)
		return -1;
	*scheme = s;
	*scheme_len = (size_t)(sep - s);
	*host = sep + 3;
	n = strlen(*host);
	if (n == 0)
		return -1;
	if (*scheme_len == 4 && strncasecmp(s, "http", 4) == 0 && n > 3 &&
	    strcmp(*host + n - 3, ":80") == 0)
		n -= 3;
	else if (*scheme_len == 5 && strncasecmp(s, "https", 5) == 0 && n > 4 &&
		 strcmp(*host + n - 4, ":443") == 0)
		n -= 4;
	*host_len = n;
	return 0;
}

/* Whether two origins are the same: scheme, host and port, case aside. */
static int origin_same(const char *a, const char *b)
{
	const char *as, *ah, *bs, *bh;
	size_t asl, ahl, bsl, bhl;

	if (origin_split(a, &as, &asl, &ah, &ahl) < 0 || origin_split(b, &bs, &bsl, &bh, &bhl) < 0)
		return 0;
	return asl == bsl && ahl == bhl && strncasecmp(as, bs, asl) == 0 &&
	       strncasecmp(ah, bh, ahl) == 0;
}

/*
 * Whether a state change comes from another site (ASVS 3.5.1).  The
 * session's CSRF token protects what a signed-in member does, but sign-in,
 * sign-up, joining and recovery have no session: without this, a page
 * elsewhere could post our sign-in form and sign the browser into an
 * account its author reads (login CSRF).  Browsers say where a request
 * comes from in two headers that no page can set:
 *
 * - Sec-Fetch-Site (W3C Fetch Metadata) must be same-origin, or none (the
 *   member typed or bookmarked it).
 * - Origin (RFC 6454, section 7) must be ours: the public URL when one is
 *   set, else the request's Host with the scheme of --secure-cookies.
 *   "null" is an opaque origin.  Our own pages send it too: under our
 *   Referrer-Policy: no-referrer, the Fetch standard ("serializing a
 *   request origin") makes a browser write "null" on every form post.  So
 *   it passes when Sec-Fetch-Site vouches for it (a sandboxed frame or a
 *   page elsewhere gets cross-site there), and, with no Sec-Fetch-Site (a
 *   browser from before it), like a request with no Origin at all.
 *
 * A request with neither header (curl, an old browser) goes on: no page in
 * a browser that sends them can have forged it, and a session's actions
 * still need its token.
 */
static int cross_site(const struct server_request *in, const struct kreq *r)
{
	const char *site = header(in, "Sec-Fetch-Site");
	const char *origin = header(in, "Origin");
	char ours[CONFIG_URL_MAX + 16];

	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 1;
	if (!origin || strcmp(origin, "null") == 0)
		return 0;
	if (!server_cfg->public_url[0] && !r->host)
		return 1; /* nothing to compare it with */
	if (kreq_base_url(r, ours, sizeof(ours)) < 0)
		return 1;
	return !origin_same(origin, ours);
}

struct query_ctx {
	struct kfield *fields;
	size_t n;
	size_t bytes; /* of names and values so far */
	int bad;      /* malformed, repeated or too many: 400 */
	int too_long; /* more than LIMIT_URL_BYTES in all: 414 */
};

static int query_collect(void *cls, const char *key, const char *value)
{
	struct query_ctx *q = cls;
	size_t i, vlen;

	if (q->bad || q->too_long)
		return 1;
	if (!key)
		key = "";
	if (!value)
		value = "";
	vlen = strlen(value);
	q->bytes += strlen(key) + vlen + 2;
	if (q->bytes > LIMIT_URL_BYTES) {
		q->too_long = 1;
		return 1;
	}
	if (q->n >= LIMIT_FORM_FIELDS || !utf8_valid(key, strlen(key)) ||
	    !utf8_valid(value, vlen)) {
		q->bad = 1;
		return 1;
	}
	for (i = 0; i < q->n; i++) {
		if (strcmp(q->fields[i].name, key) == 0) {
			q->bad = 1; /* a repeated parameter is how pollution works */
			return 1;
		}
	}
	q->fields[q->n].name = strdup(key);
	q->fields[q->n].value = strdup(value);
	q->fields[q->n].value_len = vlen;
	if (!q->fields[q->n].name || !q->fields[q->n].value) {
		free(q->fields[q->n].name);
		free(q->fields[q->n].value);
		q->bad = 1;
		return 1;
	}
	q->n++;
	return 0;
}

struct header_scan {
	size_t n;
	int bad;
};

/* Counts the headers and refuses any too long: a line, or the Cookie. */
static int header_check(void *cls, const char *name, const char *value)
{
	struct header_scan *h = cls;
	size_t nlen = name ? strlen(name) : 0, vlen = value ? strlen(value) : 0;

	if (++h->n > LIMIT_HEADERS || nlen + vlen > LIMIT_HEADER_LINE_BYTES ||
	    (name && strcasecmp(name, "Cookie") == 0 && vlen > LIMIT_COOKIE_BYTES)) {
		h->bad = 1;
		return 1;
	}
	return 0;
}

/*
 * 414 (the target) or 431 (the headers): too much before the body.  The
 * message is the body limit's ("more than we can take at once"), which
 * says it to a person as well.
 */
static void answer_too_large(struct kreq *r, int is_api, int status)
{
	json_t *o;

	if (!is_api) {
		page_error(r, 413);
		r->status = status;
		return;
	}
	o = json_pack("{s:{s:s,s:s}}", "error", "code",
		      status == 414 ? "uri_too_long" : "headers_too_large", "message",
		      _("That is more than we can take at once. Please send less."));
	if (!o || api_reply(r, status, o) < 0)
		r->status = status;
}

/* Sets r's answer to a JSON error or an error page, by route kind. */
static int answer_error(struct kreq *r, int is_api, int status, const char *code)
{
	if (is_api)
		return api_error(r, status, code);
	return page_error(r, status);
}

static int content_type_is(const struct server_request *in, const char *want)
{
	const char *ct = header(in, "Content-Type");
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
static int read_body(struct server_reply *x, const struct server_request *in,
		     const struct route *rt)
{
	struct kreq *r = &x->r;
	int is_api = rt->kind == ROUTE_API;
	int has_body = r->body_len > 0;

	if (is_api) {
		if (rt->csrf && r->session &&
		    !session_csrf_ok(r->session, header(in, "X-CSRF-Token"))) {
			api_error(r, 403, "csrf_failed");
			return 1;
		}
		if (!has_body && rt->nfields == 0)
			return 0;
		if (has_body && !content_type_is(in, "application/json")) {
			api_error(r, 415, "unsupported_media_type");
			return 1;
		}
		if (!has_body) {
			x->input_error.code = INPUT_INVALID_JSON;
			x->input_error.field[0] = '\0';
			api_error_input(r, &x->input_error);
			return 1;
		}
		if (json_parse_body(r->body, r->body_len, LIMIT_JSON_DEPTH, &x->json,
				    &x->input_error) < 0 ||
		    fields_check(x->json, rt->fields, rt->nfields, &x->input_error) < 0) {
			api_error_input(r, &x->input_error);
			return 1;
		}
		r->json = x->json;
		return 0;
	}

	/* a page form */
	if (has_body && !content_type_is(in, "application/x-www-form-urlencoded")) {
		page_error(r, 415);
		return 1;
	}
	if (has_body) {
		int e = form_parse(r->body, r->body_len, LIMIT_FORM_FIELDS, &r->form, &r->nform);
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

static int route_is_throttled(const struct route *rt)
{
	size_t i;

	if (rt->method != KMETHOD_POST)
		return 0;
	for (i = 0; i < sizeof(throttled_patterns) / sizeof(throttled_patterns[0]); i++)
		if (strcmp(rt->pattern, throttled_patterns[i]) == 0)
			return 1;
	return 0;
}

/* Whether rt is one of the n routes of list. */
static int route_listed(const struct route *rt, const struct route_key *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rt->method == list[i].method && strcmp(rt->pattern, list[i].pattern) == 0)
			return 1;
	return 0;
}

/*
 * --require-second-factor: 1 when the request's member has no second
 * factor on and the route is not one of open_without_factor[] (the answer
 * is set: the settings, or 403), 0 to go on, or < 0.
 */
static int factor_gate(struct kreq *r, const struct route *rt, int is_api)
{
	unsigned kinds = 0;
	int e;

	if (!r->core->require_factor || !r->session || rt->auth == ROUTE_ANYONE ||
	    route_listed(rt, open_without_factor,
			 sizeof(open_without_factor) / sizeof(open_without_factor[0])))
		return 0;
	e = factor_active(r->core, r->session->couple_id, r->session->member_id, &kinds);
	if (e < 0 || kinds != 0)
		return e;
	if (is_api)
		return api_error_say(r, 403, "second_factor_setup_required",
				     _("This server asks every member to turn on two-step sign-in "
				       "before anything else. You can do it in your settings.")) < 0
			       ? -ENOMEM
			       : 1;
	r->status = 303;
	r->location = strdup("/settings?setup=second_factor#totp");
	return r->location ? 1 : -ENOMEM;
}

static void throttle_limits_get(struct throttle_limits *lim)
{
	lim->login_failures = server_cfg->signin_login_failures;
	lim->address_failures = server_cfg->signin_address_failures;
	lim->window_s = server_cfg->signin_window ? server_cfg->signin_window : 1;
}

/*
 * Before a sign-in or recovery handler: refuse it (429 with Retry-After)
 * while its login or its address has too many recent failures, whatever
 * the password.  The login is the validated field, or the raw form field
 * when the form failed validation (the handler then answers 400, which is
 * not counted).  A browser whose device cookie (r->device) signed in to
 * that login before is counted on its own instead (see throttle.h).
 * Returns 0 to go on, 1 when an answer has been set.
 */
static int throttle_before(struct kreq *r, const struct route *rt, struct throttle_keys *k)
{
	struct throttle_limits lim;
	const char *login = r->json ? kreq_str(r, "login") : kreq_form(r, "login");
	int retry = 0, e;

	throttle_limits_get(&lim);
	throttle_keys_make(k, login, r->client_ip);
	e = throttle_device_vouch(r->core->st, k, r->device, r->device_len, login);
	if (e >= 0)
		e = throttle_check(r->core->st, &lim, k, throttle_now_ms(), &retry);
	if (e == 0)
		return 0;
	if (e < 0) {
		answer_error(r, rt->kind == ROUTE_API, 503, "unavailable");
		return 1;
	}
	answer_error(r, rt->kind == ROUTE_API, 429, "rate_limited");
	r->retry_after = retry;
	return 1;
}

/* Sign-in (the form and the API): the routes whose new session may come from a new device. */
static int route_is_signin(const struct route *rt)
{
	return strcmp(rt->pattern, "/api/v1/login") == 0 || strcmp(rt->pattern, "/signin") == 0 ||
	       strcmp(rt->pattern, "/api/v1/passkeys/signin") == 0;
}

/*
 * After a handler that began a session (sign-up, joining, sign-in,
 * recovery): this browser is one that signed in to the member's account;
 * its device cookie is kept, or a new one set.  A sign-in from a browser
 * that had none for this account is a new device, which the member is
 * told of (core/devices.h); a sign-up or a join is the account's first
 * browser, and a recovery is in the history already.  A store that fails
 * here costs the browser its standing, not the sign-in.
 */
static void device_after(struct server_reply *x, const struct route *rt)
{
	struct kreq *r = &x->r;
	char now[STORE_TIME_LEN + 1];
	int e;

	/* the pages answer a sign-in with 303, the API with 200 or 201 */
	if (!r->set_cookie || !r->set_cookie[0] || !r->session || r->status >= 400)
		return;
	session_now(now, 0);
	e = throttle_device_remember(r->core->st, r->session->couple_id, r->session->member_id,
				     r->session->id, now, r->device, r->device_len,
				     x->device_cookie);
	if (e < 0)
		fprintf(stderr, "kintsugi: cannot remember a device: %s\n", strerror(-e));
	if (e == 1 && route_is_signin(rt))
		devices_new_device(r->core, r->session);
}

/*
 * After the handler: a 401 is a failed guess, unless the password (or
 * key) was right and only the second factor's code is still to come; a
 * new session cookie is a success.
 */
static void throttle_after(struct kreq *r, const struct throttle_keys *k)
{
	struct throttle_limits lim;
	int e = 0;

	throttle_limits_get(&lim);
	if (r->status == 401 && !r->half_signed_in)
		e = throttle_failed(r->core->st, &lim, k, throttle_now_ms());
	else if (r->set_cookie && r->set_cookie[0])
		e = throttle_succeeded(r->core->st, k);
	if (e < 0)
		fprintf(stderr, "kintsugi: cannot record a sign-in attempt: %s\n", strerror(-e));
}

/* Forget whatever answer the handler had begun (body, redirect, cookie). */
static void answer_reset(struct kreq *r)
{
	if (r->resp_body)
		vault_wipe(r->resp_body, r->resp_len);
	free(r->resp_body);
	r->resp_body = NULL;
	r->resp_len = 0;
	r->attachment[0] = '\0';
	free(r->location);
	r->location = NULL;
	if (r->set_cookie) {
		vault_wipe(r->set_cookie, strlen(r->set_cookie));
		free(r->set_cookie);
		r->set_cookie = NULL;
	}
}

/* What the operator reads for each storage fault (never a member's data). */
static const char *const storage_fault_text[_STORE_FAULT_MAX] = {
	[STORE_FAULT_NONE] = "no fault",
	[STORE_FAULT_BUSY] = "busy: the database stayed locked by another program past the "
			     "timeout",
	[STORE_FAULT_FULL] = "disk full: writes fail until there is room again",
	[STORE_FAULT_READONLY] = "read-only: the database file, its folder or its disk refuses "
				 "writes",
	[STORE_FAULT_IO] = "I/O error on the database (its file, its log or the connection to it)",
	[STORE_FAULT_SYNC] = "fsync failed: a flush to disk failed, so the disk may not hold "
			     "what it was given",
	[STORE_FAULT_MOVED] = "files moved: the database file, its -wal or its -shm was removed "
			      "or replaced while kintsugi had it open",
};

/* Wake the main thread once, after the first fatal fault. */
static void storage_fatal_notify(int fault)
{
	int none = STORE_FAULT_NONE;

	if (!atomic_compare_exchange_strong(&server_fatal, &none, fault))
		return;
	fprintf(stderr, "kintsugi: storage: %s; refusing every request and stopping\n",
		storage_fault_text[fault]);
	if (server_main_set)
		pthread_kill(server_main, SIGUSR1); /* blocked everywhere: sigwait() takes it */
}

/* The 503 of the storage, in the member's language, whatever had begun. */
static void storage_refuse(struct kreq *r, int is_api, int retry_after)
{
	answer_reset(r);
	if (is_api)
		api_error(r, 503, "storage_unavailable");
	else
		page_storage_error(r);
	r->status = 503;
	r->retry_after = retry_after;
}

/*
 * After the pipeline: a failure that came from the storage is not the
 * member's fault nor a bug, and saying "try again later" is the truth.
 * The answer becomes 503 storage_unavailable (Retry-After), in the
 * member's language, whatever the handler had begun; nothing was written
 * (a failed write rolls back whole).  The operator gets one log line.
 */
static void storage_answer(struct kreq *r, struct store *st, int is_api)
{
	int fault = st->ops->fault(st), fatal = st->ops->fatal(st);

	if (fatal != STORE_FAULT_NONE) {
		storage_fatal_notify(fatal);
		fault = fatal;
	} else if (fault == STORE_FAULT_NONE || r->status < 500) {
		return;
	} else {
		fprintf(stderr, "kintsugi: storage: %s\n", storage_fault_text[fault]);
	}
	storage_refuse(r, is_api, fault == STORE_FAULT_BUSY ? 5 : 30);
}

/* The language of an answer before any session is read: Accept-Language's. */
static void lang_from_request(struct kreq *r, const struct server_request *in)
{
	const char *al = header(in, "Accept-Language");

	r->accept_language = al;
	r->lang = i18n_negotiate(al, al ? strlen(al) : 0);
	i18n_set_thread_lang(r->lang);
}

/*
 * A locked session's request: the lock page (which sends the member back
 * to the page they asked for, when it is a page one can GET; else home),
 * or 401 `locked` on the API.  Nothing of the route runs, nothing changes.
 */
static void answer_locked(struct kreq *r, int is_api)
{
	const struct route *page = NULL;
	const char *params[LIMIT_PATH_PARAMS];
	char buf[LIMIT_PATH_PARAMS * (VAULT_ID_HEX + 1)];
	size_t n = 0;

	if (is_api) {
		api_error(r, 401, "locked");
		return;
	}
	if (routes_find(KMETHOD_GET, r->path, &page, params, &n, buf) != ROUTE_FOUND ||
	    page->kind != ROUTE_PAGE)
		page = NULL;
	if (page_locked(r, page ? r->path : NULL) < 0) {
		answer_reset(r);
		answer_error(r, is_api, 500, "internal");
	}
}

/*
 * The session named by the request's cookie, into r->session (none when
 * there is no cookie, or it names no live session), in the member's
 * language from then on.  Returns 0, -EEXIST when the request carries two
 * session cookies (one was put there by someone else), or a negative
 * errno when the store fails.
 */
static int session_of_request(struct kreq *r, const char *cookie_hdr, struct worker *w)
{
	char cookie[SESSION_COOKIE_LEN + 2];
	int e;

	if (!cookie_hdr)
		return 0;
	e = cookie_get(cookie_hdr, strlen(cookie_hdr), cookie_name(r), cookie, sizeof(cookie));
	if (e == -EEXIST)
		return e;
	/* absent or malformed: no session */
	e = e > 0 ? session_resolve(r->core, cookie, (size_t)e, w->session) : 1;
	vault_wipe(cookie, sizeof(cookie));
	if (e < 0)
		return e;
	if (e == 0)
		r->session = w->session;
	if (r->session) {
		r->lang = r->session->language;
		i18n_set_thread_lang(r->lang);
	}
	return 0;
}

/*
 * The error page of a path no route takes (404, 405), for the member
 * whose cookie came with it: in their language and, in discreet mode,
 * under the neutral title.  A cookie that names nothing, or two cookies,
 * get the page of nobody.
 */
static void answer_no_route(struct kreq *r, const struct server_request *in, struct worker *w,
			    int status)
{
	if (session_of_request(r, header(in, "Cookie"), w) != 0)
		r->session = NULL;
	page_error(r, status);
}

/* The route's part of a request: its session, its checks, its handler. */
static void run_route(struct server_reply *x, const struct server_request *in, struct worker *w,
		      const struct route *rt, int is_api)
{
	struct kreq *r = &x->r;
	struct throttle_keys tk;
	const char *cookie_hdr = NULL;
	char device[THROTTLE_DEVICE_LEN + 2] = "";
	int throttled, e;

	if (rt->kind != ROUTE_STATIC && strcmp(rt->pattern, "/healthz") != 0) {
		cookie_hdr = header(in, "Cookie");
		e = session_of_request(r, cookie_hdr, w);
		if (e == -EEXIST) {
			/* two session cookies: one was put there by someone else */
			if (is_api)
				api_error(r, 400, "cookie_conflict");
			else
				page_cookie_conflict(r);
			return;
		}
		if (e < 0) {
			answer_error(r, is_api, 500, "internal");
			return;
		}
	}
	/* before who may call, the body and the CSRF token: a locked session gets nothing */
	if (r->session && r->session->locked &&
	    !route_listed(rt, open_when_locked,
			  sizeof(open_when_locked) / sizeof(open_when_locked[0]))) {
		answer_locked(r, is_api);
		return;
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
	if ((rt->auth == ROUTE_PARTNER && strcmp(r->session->role, "partner") != 0) ||
	    (r->session && strcmp(r->session->role, "therapist") == 0 && routes_care_refused(rt))) {
		answer_error(r, is_api, 403, "forbidden");
		return;
	}
	if (read_body(x, in, rt))
		return;
	/* every POST route is neither static nor /healthz: its Cookie header was read above */
	if (rt->method == KMETHOD_POST && cookie_hdr) {
		/* a device cookie sent twice, or malformed, vouches for nothing */
		e = cookie_get(cookie_hdr, strlen(cookie_hdr), device_cookie_name(r), device,
			       sizeof(device));
		if (e > 0) {
			r->device = device;
			r->device_len = (size_t)e;
		}
	}
	e = factor_gate(r, rt, is_api);
	if (e != 0) {
		if (e < 0) {
			answer_reset(r);
			answer_error(r, is_api, 500, "internal");
		}
		goto out;
	}
	/* a couple exercise asked for by a member whose safety check showed a concern */
	e = !r->session		     ? 0
	    : rt->kind == ROUTE_PAGE ? page_safety_gate(r, rt->pattern)
	    : rt->kind == ROUTE_API  ? api_safety_gate(r, rt->pattern)
				     : 0;
	if (e != 0) {
		if (e < 0) {
			answer_reset(r);
			answer_error(r, is_api, 500, "internal");
		}
		goto out;
	}
	throttled = route_is_throttled(rt);
	if (throttled && throttle_before(r, rt, &tk))
		goto out;
	if (rt->handler(r) < 0) {
		answer_reset(r);
		answer_error(r, is_api, 500, "internal");
		goto out;
	}
	if (throttled)
		throttle_after(r, &tk);
	if (rt->method == KMETHOD_POST)
		device_after(x, rt);
out:
	r->device = NULL;
	r->device_len = 0;
	vault_wipe(device, sizeof(device));
}

/* Runs the request through the pipeline; x->r's answer is set on return. */
static void dispatch(struct server_reply *x, const struct server_request *in, struct worker *w)
{
	struct kreq *r = &x->r;
	const struct route *rt = NULL;
	enum route_match m;
	const char *url = in->url;
	struct query_ctx q = {0};
	int is_api = is_api_path(url), snapshot;

	lang_from_request(r, in);
	r->path = url;
	r->host = host_header(in);

	if (in->each_header) {
		struct header_scan hs = {0, 0};

		in->each_header(in->ctx, header_check, &hs);
		if (hs.bad) {
			answer_too_large(r, is_api, 431);
			return;
		}
	}
	if (method_parse(in->method, &r->method) < 0) {
		answer_error(r, is_api, 405, "method_not_allowed");
		return;
	}
	if (strlen(url) > LIMIT_URL_BYTES) {
		answer_too_large(r, is_api, 414);
		return;
	}
	if (!utf8_valid(url, strlen(url))) {
		answer_error(r, is_api, 404, "not_found");
		return;
	}

	q.fields = calloc(LIMIT_FORM_FIELDS, sizeof(*q.fields));
	if (!q.fields) {
		answer_error(r, is_api, 500, "internal");
		return;
	}
	if (in->each_arg)
		in->each_arg(in->ctx, query_collect, &q);
	r->query = q.fields;
	r->nquery = q.n;
	if (q.too_long) {
		answer_too_large(r, is_api, 414);
		return;
	}

	m = routes_find(r->method, url, &rt, r->params, &r->nparams, x->params);
	if (m != ROUTE_FOUND) {
		if (m == ROUTE_NO_METHOD)
			x->allow = routes_methods(url);
		if (!is_api)
			answer_no_route(r, in, w, m == ROUTE_NO_METHOD ? 405 : 404);
		else if (m == ROUTE_NO_METHOD)
			answer_error(r, is_api, 405, "method_not_allowed");
		else
			answer_error(r, is_api, 404, "not_found");
		return;
	}
	x->route = rt;
	is_api = rt->kind == ROUTE_API;
	if (in->body_too_large) {
		answer_error(r, is_api, 413, "body_too_large");
		return;
	}
	/* before the session is even read: a forged request changes nothing */
	if (r->method != KMETHOD_GET && r->method != KMETHOD_HEAD && cross_site(in, r)) {
		answer_error(r, is_api, 403, "csrf_failed");
		return;
	}

	if (q.bad) {
		x->input_error.code = INPUT_INVALID_VALUE;
		snprintf(x->input_error.field, sizeof(x->input_error.field), "query");
		if (is_api)
			api_error_input(r, &x->input_error);
		else
			page_error(r, 400);
		return;
	}

	/*
	 * A page or an answer that only reads sees one snapshot, read under
	 * one transaction: the session, the member and the page's rows (the
	 * store ends it before any write, such as a session's touch).
	 */
	snapshot = (r->method == KMETHOD_GET || r->method == KMETHOD_HEAD) &&
		   rt->kind != ROUTE_STATIC && strcmp(rt->pattern, "/healthz") != 0 &&
		   w->st->ops->read_begin(w->st) == 0;
	run_route(x, in, w, rt, is_api);
	if (snapshot)
		w->st->ops->read_end(w->st);
}

/*
 * The method as the log shows it: 1 to 7 capital letters, else "?".  A
 * method is whatever bytes a client sent before the first space, escape
 * sequences and newlines included, and a log line must not carry them
 * (ASVS 16.4.1).
 */
static const char *log_method(const char *m)
{
	size_t i;

	if (!m)
		return "?";
	for (i = 0; m[i]; i++)
		if (i >= 7 || m[i] < 'A' || m[i] > 'Z')
			return "?";
	return i > 0 ? m : "?";
}

static void log_request(const struct server_request *in, const struct server_reply *x)
{
	struct timespec now, started;
	long us;
	char at[STORE_TIME_LEN + 1];

	if (!server_cfg->log_requests)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	started = in->started ? *in->started : now;
	us = (now.tv_sec - started.tv_sec) * 1000000L + (now.tv_nsec - started.tv_nsec) / 1000L;
	session_now(at, 0);
	/* the route's pattern, never the path: paths carry ids and invite tokens */
	fprintf(stderr, "%s %s %s %d %ldus\n", at, log_method(in->method),
		x->route ? x->route->pattern : "-", x->r.status, us);
}

/*
 * The client's address, for throttling.  Behind the configured trusted
 * proxy it is the last address of X-Forwarded-For: the one that proxy
 * itself appended (or set); whatever the client wrote earlier in the list
 * is the client's claim and ignored.  A proxy request without a usable
 * header counts as the proxy.  From any other peer the header is ignored,
 * so nobody can pick their own throttling bucket.
 */
static const char *client_ip_of(const struct server_request *in, struct server_reply *out)
{
	char peer[CONFIG_ADDR_MAX], last[CONFIG_ADDR_MAX];
	const char *xff, *start, *end;
	size_t n;

	if (!server_cfg->trusted_proxy[0] || !in->client_ip || !in->header ||
	    parse_ip_normalise(in->client_ip, peer, sizeof(peer)) < 0 ||
	    strcmp(peer, server_cfg->trusted_proxy) != 0)
		return in->client_ip;
	xff = in->header(in->ctx, "X-Forwarded-For");
	if (!xff)
		return in->client_ip;
	start = strrchr(xff, ',');
	start = start ? start + 1 : xff;
	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(last))
		return in->client_ip;
	memcpy(last, start, n);
	last[n] = '\0';
	if (parse_ip_normalise(last, out->client_ip, sizeof(out->client_ip)) < 0)
		return in->client_ip;
	return out->client_ip;
}

void server_handle(const struct server_request *in, struct server_reply *out)
{
	struct kreq *r = &out->r;
	struct worker *w = worker_get();

	out->worker = w;
	r->config = server_cfg;
	r->secure = server_cfg->secure_cookies;
	r->client_ip = client_ip_of(in, out);
	r->body = in->body;
	r->body_len = in->body ? in->body_len : 0;
	r->core = &out->core;
	if (w) {
		out->core.st = w->st;
		out->core.unreadable = &out->unreadable;
		out->core.ledgers = &out->ledgers;
		out->core.kdf = server_cfg->kdf;
		out->core.require_factor = server_cfg->require_second_factor;
		out->core.session_idle_s = (long)server_cfg->session_idle;
		out->core.session_absolute_s = (long)server_cfg->session_absolute;
		r->session_buf = w->session_new;
		/* the short name only: the header itself is kept nowhere */
		out->browser[0] = '\0';
		if (in->method && in->url) {
			const char *ua = header(in, "User-Agent");

			devices_browser_from_ua(ua, ua ? strnlen(ua, 4096) : 0, out->browser);
		}
		out->core.browser = out->browser;
	}
	if (!in->method || !in->url) {
		r->lang = "en";
		answer_error(r, 0, 400, "invalid_value");
	} else if (!w) {
		/*
		 * This thread has no connection of its own: the database could
		 * not be opened for it (removed, replaced, out of descriptors).
		 * That is the storage's answer, in the member's language.
		 */
		int fatal =
			server_store ? server_store->ops->fatal(server_store) : STORE_FAULT_NONE;

		lang_from_request(r, in);
		if (fatal != STORE_FAULT_NONE)
			storage_fatal_notify(fatal);
		storage_refuse(r, is_api_path(in->url), 30);
	} else {
		/* a fault of an earlier request is not this one's */
		(void)w->st->ops->fault(w->st);
		if (w->st->ops->fatal(w->st) == STORE_FAULT_NONE) {
			dispatch(out, in, w);
		} else {
			lang_from_request(r, in);
			r->status = 500;
		}
		storage_answer(r, w->st,
			       out->route ? out->route->kind == ROUTE_API : is_api_path(in->url));
	}
	if (r->status == 0)
		r->status = 500;
	/* the operator learns of rows that do not open; the member gets the rest */
	if (out->unreadable)
		fprintf(stderr,
			"kintsugi: %u stored item%s did not open (damaged, or changed in the "
			"file) and %s left out of an answer to %s\n",
			out->unreadable, out->unreadable == 1 ? "" : "s",
			out->unreadable == 1 ? "was" : "were",
			out->route ? out->route->pattern : "-");
	ledger_cache_clear(&out->ledgers);
	log_request(in, out);
}

void server_reply_headers(struct server_reply *out, server_header_fn fn, void *cls)
{
	const struct kreq *r = &out->r;
	const struct route *rt = out->route;
	char *buf = out->header_buf;
	size_t len = sizeof(out->header_buf);

	if (r->content_type)
		fn(cls, "Content-Type", r->content_type);
	if (r->location)
		fn(cls, "Location", r->location);
	if (r->attachment[0] && r->status == 200) {
		snprintf(buf, len, "attachment; filename=\"%s\"", r->attachment);
		fn(cls, "Content-Disposition", buf);
	}
	if (r->retry_after > 0) {
		snprintf(buf, len, "%d", r->retry_after);
		fn(cls, "Retry-After", buf);
	}
	if (r->status == 405) {
		/* the methods the path takes; every one we know for an unknown method */
		static const enum kmethod order[] = {KMETHOD_GET, KMETHOD_HEAD, KMETHOD_POST,
						     KMETHOD_PUT, KMETHOD_DELETE};
		size_t n = 0;

		buf[0] = '\0';
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			if (out->allow && !(out->allow & (1u << order[i])))
				continue;
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      routes_method_name(order[i]));
		}
		fn(cls, "Allow", buf);
	}
	if (r->set_cookie) {
		const char *secure = r->secure ? "; Secure" : "";

		/* never a Domain: the cookie stays with this host (and __Host- demands it) */
		if (r->set_cookie[0] == '\0')
			snprintf(buf, len, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
				 cookie_name(r), secure);
		else
			snprintf(buf, len, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
				 cookie_name(r), r->set_cookie, secure);
		fn(cls, "Set-Cookie", buf);
		vault_wipe(buf, len);
		/* with a session begun only: an answer replaced by an error sets neither */
		if (r->set_cookie[0] && out->device_cookie[0]) {
			snprintf(buf, len, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
				 device_cookie_name(r), out->device_cookie, SERVER_DEVICE_MAX_AGE,
				 secure);
			fn(cls, "Set-Cookie", buf);
			vault_wipe(buf, len);
		}
	}

	fn(cls, "Content-Security-Policy", SERVER_CSP);
	fn(cls, "X-Content-Type-Options", "nosniff");
	fn(cls, "Referrer-Policy", "no-referrer");
	fn(cls, "X-Frame-Options", "DENY");
	fn(cls, "Cross-Origin-Opener-Policy", "same-origin");
	fn(cls, "Cross-Origin-Resource-Policy", "same-origin");
	fn(cls, "Permissions-Policy",
	   "camera=(), microphone=(), geolocation=(), interest-cohort=()");
	/* HSTS only where the browser reached us over HTTPS (RFC 6797, 7.2) */
	if (r->secure)
		fn(cls, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
	if (rt && rt->kind == ROUTE_STATIC && r->status == 200)
		fn(cls, "Cache-Control", "public, max-age=3600");
	else if (!rt || rt->kind == ROUTE_API || r->private_page || r->session || r->set_cookie ||
		 r->status >= 300)
		fn(cls, "Cache-Control", "no-store");
	else
		fn(cls, "Cache-Control", "no-cache");
	if (r->lang)
		fn(cls, "Content-Language", r->lang);
	fn(cls, "Vary", "Cookie, Accept-Language");
}

void server_reply_fini(struct server_reply *out)
{
	struct kreq *r = &out->r;
	struct worker *w = out->worker;

	json_decref(out->json);
	out->json = NULL;
	form_free(r->form, r->nform);
	form_free(r->query, r->nquery);
	r->form = r->query = NULL;
	r->nform = r->nquery = 0;
	answer_reset(r);
	vault_wipe(out->device_cookie, sizeof(out->device_cookie));
	r->session = NULL;
	if (w) {
		vault_wipe(w->session, sizeof(*w->session));
		vault_wipe(w->session_new, sizeof(*w->session_new));
	}
	out->worker = NULL;
}

int server_init(const struct kconfig *cfg, char *errbuf, size_t errlen)
{
	int r;

	server_cfg = cfg;
	r = account_init(cfg->argon2_concurrency);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot set up the sign-in limiter");
		return r;
	}
	r = web_init(cfg->data_dir, errbuf, errlen);
	if (r < 0)
		return r;
	/* the statement check's patterns (data/language/): a bad file fails the start */
	r = apology_load(cfg->data_dir, errbuf, errlen);
	if (r < 0) {
		web_fini();
		return r;
	}
	/* the message coach's patterns (data/coach/): a bad file fails the start too */
	r = coach_load(cfg->data_dir, errbuf, errlen);
	if (r < 0) {
		apology_unload();
		web_fini();
		return r;
	}
	r = pthread_key_create(&worker_key, worker_free);
	if (r != 0) {
		coach_unload();
		apology_unload();
		web_fini();
		snprintf(errbuf, errlen, "cannot create thread storage");
		return -r;
	}
	worker_key_made = 1;
	return 0;
}

/* A database reached over a socket (PostgreSQL), not a file of the process's own. */
static int server_store_remote(void)
{
	return server_store && strcmp(server_store->ops->name, "postgresql") == 0;
}

int server_open_store(char *errbuf, size_t errlen)
{
	char err[256] = "";
	int r;

	if (server_store)
		return 0;
	r = store_open(server_cfg->db, &server_store, err, sizeof(err));
	if (r < 0) {
		char shown[CONFIG_PATH_MAX];

		snprintf(errbuf, errlen, "cannot open database %s: %s",
			 store_url_shown(server_cfg->db, shown, sizeof(shown)),
			 err[0] ? err : strerror(-r));
		return r;
	}
	/*
	 * Every connection a worker will take is made now, before the sandbox:
	 * a worker's handle (worker_get) is a reopen, which takes one of
	 * these; the sandbox then lets a lost one be made again, but not read
	 * the files a new one would look at (a password file, a host name).
	 */
	if (server_store->ops->warm) {
		r = server_store->ops->warm(server_store, (unsigned)server_cfg->threads, err,
					    sizeof(err));
		if (r < 0) {
			char shown[CONFIG_PATH_MAX];

			snprintf(errbuf, errlen, "cannot connect to database %s: %s",
				 store_url_shown(server_cfg->db, shown, sizeof(shown)),
				 err[0] ? err : strerror(-r));
			store_close(server_store);
			server_store = NULL;
			return r;
		}
	}
	return 0;
}

void server_fini(void)
{
	if (worker_key_made) {
		struct worker *w = pthread_getspecific(worker_key);

		pthread_setspecific(worker_key, NULL);
		worker_free(w);
		pthread_key_delete(worker_key);
		worker_key_made = 0;
	}
	store_close(server_store);
	server_store = NULL;
	coach_unload();
	apology_unload();
	web_fini();
}

/*
 * The main thread's wait for a stopping signal (into *sig).  Between
 * signals it sweeps the connection guard every SERVER_SWEEP_MS, and says
 * once a minute at most how many connections it shut down for not sending
 * a whole request in time (a count only: no address, no request).
 */
#define SERVER_SWEEP_MS	    250
#define SERVER_SWEEP_LOG_MS 60000

static void server_wait(const sigset_t *set, int *sig)
{
	const struct timespec step = {0, SERVER_SWEEP_MS * 1000 * 1000};
	int64_t now, logged = guard_now_ms() - SERVER_SWEEP_LOG_MS;
	unsigned long shut = 0;
	int got;

	for (;;) {
		got = sigtimedwait(set, NULL, &step);
		if (got > 0) {
			*sig = got;
			break;
		}
		now = guard_now_ms();
		shut += guard_sweep(now);
		if (shut > 0 && now - logged >= SERVER_SWEEP_LOG_MS) {
			fprintf(stderr,
				"kintsugi: closed %lu connection%s that did not send a whole "
				"request within %u s\n",
				shut, shut == 1 ? "" : "s", server_cfg->request_deadline);
			shut = 0;
			logged = now;
		}
	}
}

/*
 * After a fatal storage fault, before the daemon stops: go on answering
 * (every request gets its 503 without touching the store) until no request
 * is in flight and none has been answered for SERVER_DRAIN_QUIET_MS, so
 * that requests already sent, still in a socket's buffer, get their answer
 * rather than a closed connection; SERVER_DRAIN_MAX_MS at most.
 */
#define SERVER_DRAIN_QUIET_MS 300
#define SERVER_DRAIN_MAX_MS   3000

static void server_drain(void)
{
	struct timespec now;
	long long t, start = -1;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
		if (start < 0)
			start = t;
		if (t - start >= SERVER_DRAIN_MAX_MS)
			return;
		if (atomic_load(&server_inflight) == 0 &&
		    t - atomic_load(&server_last_done_ms) >= SERVER_DRAIN_QUIET_MS &&
		    t - start >= SERVER_DRAIN_QUIET_MS)
			return;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}

/*
 * After a fatal storage fault: every worker is gone (their handles closed
 * with their threads), so the first handle is the last one of this process.
 * Let the store make sure all that was acknowledged is in a file, and tell
 * the operator where, and what to do.  Returns -EIO: the server stopped
 * because it could not go on.
 */
static int server_rescue(int fault, char *errbuf, size_t errlen)
{
	char where[CONFIG_PATH_MAX + 64]; /* the path and ".rescued-TIME" */
	int r;

	r = server_store->ops->rescue(server_store, where, sizeof(where));
	if (fault == STORE_FAULT_SYNC)
		fprintf(stderr,
			"kintsugi: stopping: %s.  Nothing written after it was acknowledged.  "
			"Check the disk (dmesg), then start kintsugi again: it recovers what "
			"was acknowledged from %s and its -wal.\n",
			storage_fault_text[fault], server_cfg->db);
	else if (r == 0)
		fprintf(stderr,
			"kintsugi: stopping: %s.  Everything acknowledged is in %s; start "
			"kintsugi again to go on.\n",
			storage_fault_text[fault], where);
	else if (r == 1 && strcmp(where, server_cfg->db) == 0)
		fprintf(stderr,
			"kintsugi: stopping: %s.  The database file was gone: everything "
			"acknowledged was written back to %s; start kintsugi again to go on.\n",
			storage_fault_text[fault], where);
	else if (r == 1)
		fprintf(stderr,
			"kintsugi: stopping: %s.  %s is not the file kintsugi had open, so it was "
			"left alone: everything acknowledged was copied to %s.  Stop whatever "
			"replaced it, put the copy in its place (README, \"Backups and restore\"), "
			"then start kintsugi again.\n",
			storage_fault_text[fault], server_cfg->db, where);
	else
		fprintf(stderr,
			"kintsugi: stopping: %s.  The rescue copy failed (%s): do not delete %s or "
			"its -wal before copying them aside.\n",
			storage_fault_text[fault], strerror(-r), server_cfg->db);
	snprintf(errbuf, errlen, "stopped after a storage fault (see the line above)");
	return -EIO;
}

/* ---- the libmicrohttpd shell ------------------------------------------- */

/* One request in flight: its body, collected across calls. */
struct exchange {
	char *body;
	size_t body_len;
	size_t body_cap;
	int too_large;
	struct timespec started;
};

/*
 * An answer's body, owned by the response from now on, is wiped when
 * libmicrohttpd is done sending it: a journal page or a recovery key does
 * not linger in freed memory.
 */
struct sent_body {
	char *data;
	size_t len;
};

static void sent_body_free(void *cls)
{
	struct sent_body *b = cls;

	vault_wipe(b->data, b->len);
	free(b->data);
	free(b);
}

/* The response for body (taken over, also on failure); NULL when memory runs out. */
static struct MHD_Response *body_response(char *body, size_t len)
{
	struct sent_body *b;
	struct MHD_Response *resp;

	if (!body)
		return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	b = malloc(sizeof(*b));
	if (!b) {
		vault_wipe(body, len);
		free(body);
		return NULL;
	}
	b->data = body;
	b->len = len;
	resp = MHD_create_response_from_buffer_with_free_callback_cls(len, body, sent_body_free, b);
	if (!resp)
		sent_body_free(b);
	return resp;
}

static void exchange_free(struct exchange *x)
{
	if (!x)
		return;
	if (x->body) {
		vault_wipe(x->body, x->body_len);
		free(x->body);
	}
	free(x);
}

/* Appends n upload bytes; past LIMIT_BODY_BYTES the body is dropped.  0 or -ENOMEM. */
static int exchange_append(struct exchange *x, const char *data, size_t n)
{
	size_t cap;
	char *nb;

	if (x->too_large)
		return 0;
	if (n > LIMIT_BODY_BYTES - x->body_len) {
		x->too_large = 1;
		vault_wipe(x->body, x->body_len);
		free(x->body);
		x->body = NULL;
		x->body_len = x->body_cap = 0;
		return 0;
	}
	if (x->body_len + n > x->body_cap) {
		cap = x->body_cap ? x->body_cap : 1024;
		while (cap < x->body_len + n)
			cap *= 2;
		if (cap > LIMIT_BODY_BYTES)
			cap = LIMIT_BODY_BYTES;
		nb = malloc(cap);
		if (!nb)
			return -ENOMEM;
		if (x->body) {
			memcpy(nb, x->body, x->body_len);
			vault_wipe(x->body, x->body_len);
			free(x->body);
		}
		x->body = nb;
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, data, n);
	x->body_len += n;
	return 0;
}

static const char *mhd_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

struct mhd_args {
	server_arg_fn fn;
	void *cls;
};

static enum MHD_Result mhd_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct mhd_args *a = cls;

	(void)kind;
	return a->fn(a->cls, key, value) ? MHD_NO : MHD_YES;
}

static void mhd_each_arg(void *ctx, server_arg_fn fn, void *cls)
{
	struct mhd_args a = {fn, cls};

	MHD_get_connection_values(ctx, MHD_GET_ARGUMENT_KIND, mhd_arg, &a);
}

static void mhd_each_header(void *ctx, server_arg_fn fn, void *cls)
{
	struct mhd_args a = {fn, cls};

	MHD_get_connection_values(ctx, MHD_HEADER_KIND, mhd_arg, &a);
}

static void mhd_add_header(void *cls, const char *name, const char *value)
{
	MHD_add_response_header(cls, name, value);
}

/* The peer's address as text, for throttling; "" when unknown. */
static void client_address(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)len);
}

/* The connection's entry in the guard (guard.h), or NULL. */
static struct guard_conn *conn_guard(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* A connection opens or ends: it enters or leaves the guard. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		*socket_context = guard_open(fd ? fd->connect_fd : -1, ad ? ad->client_addr : NULL,
					     guard_now_ms());
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* before libmicrohttpd closes the fd: the sweep never shuts a reused one */
		guard_close(*socket_context);
		*socket_context = NULL;
	}
}

/* Before a connection is taken: the guard keeps room for fresh clients. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)cls;
	(void)addrlen;
	return guard_admit(addr) ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct exchange *x = *con_cls;
	struct server_request in;
	struct server_reply *out;
	struct MHD_Response *resp;
	char ip[INET6_ADDRSTRLEN];
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!x) {
		const char *cl;

		x = calloc(1, sizeof(*x));
		if (!x)
			return MHD_NO;
		atomic_fetch_add(&server_inflight, 1);
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
		return exchange_append(x, upload_data, n) < 0 ? MHD_NO : MHD_YES;
	}

	out = calloc(1, sizeof(*out));
	if (!out)
		return MHD_NO;
	client_address(conn, ip, sizeof(ip));
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.url = url;
	in.client_ip = ip[0] ? ip : NULL;
	in.body = x->body;
	in.body_len = x->body_len;
	in.body_too_large = x->too_large;
	in.started = &x->started;
	in.header = mhd_header;
	in.each_arg = mhd_each_arg;
	in.each_header = mhd_each_header;
	in.ctx = conn;
	server_handle(&in, out);

	resp = body_response(out->r.resp_body, out->r.resp_len);
	out->r.resp_body = NULL; /* the response's now, or wiped and freed */
	if (!resp) {
		server_reply_fini(out);
		free(out);
		return MHD_NO;
	}
	server_reply_headers(out, mhd_add_header, resp);
	guard_received(conn_guard(conn)); /* the answer's own sending has no deadline */
	ret = MHD_queue_response(conn, (unsigned)out->r.status, resp);
	MHD_destroy_response(resp);
	server_reply_fini(out);
	free(out);
	return ret;
}

/*
 * The unescaping of the path and the query arguments: %XX decoded in
 * place, except %00, which stays as it is.  libmicrohttpd's own decodes
 * it into a NUL that ends the C string, so "/static/app.css%00.png" was
 * served as "/static/app.css"; kept literal, such a path matches no route
 * and no file, and such an argument fails its check.
 */
static size_t unescape_no_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s;
	const char *r = s;
	int hi, lo;

	(void)cls;
	(void)conn;
	while (*r) {
		if (r[0] == '%' && (hi = parse_hex_digit((unsigned char)r[1])) >= 0 &&
		    (lo = parse_hex_digit((unsigned char)r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	/* answered (or given up): the next request's deadline runs from now */
	guard_answered(conn_guard(conn), guard_now_ms());
	if (*con_cls) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		atomic_store(&server_last_done_ms,
			     (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
		atomic_fetch_sub(&server_inflight, 1);
	}
	exchange_free(*con_cls);
	*con_cls = NULL;
}

/* Appends s to the log message m (of *n bytes), each byte outside printable ASCII as '?'. */
static void mhd_log_put(char *m, size_t *n, size_t cap, const char *s)
{
	for (; *s && *n + 1 < cap; s++)
		m[(*n)++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	m[*n] = '\0';
}

/*
 * libmicrohttpd's own messages.  Its formats are printf's, but some of
 * them name the request's path ("Failed to send the response body for the
 * request for `%s'"), and a path holds ids and any byte a client sent.  So
 * the line is put together here rather than by vfprintf: in a message
 * about a request no string argument is shown ("-"); other arguments are
 * (socket errors are worth reading); every byte outside printable ASCII,
 * in the format too, becomes '?'; and a conversion not listed here ends
 * the message, as its argument's type is unknown.
 */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char m[512], num[32];
	const char *p;
	size_t n = 0;
	int about_request = strstr(fmt, "request") != NULL;

	(void)cls;
	m[0] = '\0';
	for (p = fmt; *p && n + 1 < sizeof(m); p++) {
		int longs = 0;

		if (*p == '\n')
			continue; /* one line per message: the newline comes last */
		if (*p != '%') {
			char c[2] = {*p, '\0'};

			mhd_log_put(m, &n, sizeof(m), c);
			continue;
		}
		p++;
		while (*p == 'l' && longs < 2) {
			longs++;
			p++;
		}
		if (*p == '%' && longs == 0) {
			mhd_log_put(m, &n, sizeof(m), "%");
		} else if (*p == 's' && longs == 0) {
			const char *arg = va_arg(ap, const char *);

			mhd_log_put(m, &n, sizeof(m), about_request || !arg ? "-" : arg);
		} else if (*p == 'd' || *p == 'i') {
			if (longs == 2)
				snprintf(num, sizeof(num), "%lld", va_arg(ap, long long));
			else if (longs == 1)
				snprintf(num, sizeof(num), "%ld", va_arg(ap, long));
			else
				snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			mhd_log_put(m, &n, sizeof(m), num);
		} else if (*p == 'u') {
			if (longs == 2)
				snprintf(num, sizeof(num), "%llu", va_arg(ap, unsigned long long));
			else if (longs == 1)
				snprintf(num, sizeof(num), "%lu", va_arg(ap, unsigned long));
			else
				snprintf(num, sizeof(num), "%u", va_arg(ap, unsigned int));
			mhd_log_put(m, &n, sizeof(m), num);
		} else {
			mhd_log_put(m, &n, sizeof(m), "...");
			break;
		}
	}
	fprintf(stderr, "kintsugi: http: %s\n", m);
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

/*
 * No copy of the process's memory leaves it: no core file (a zero limit)
 * and not dumpable, so no process of the same user can attach to it or
 * read its /proc memory, and a crash writes no keys or text to disk.  Set
 * after the privilege drop, which would reset dumpable.  A sanitizer
 * build stays dumpable: LeakSanitizer attaches to the process at exit.
 */
static void server_no_dumps(void)
{
	const struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) < 0)
		fprintf(stderr, "kintsugi: cannot turn core files off: %s\n", strerror(errno));
#if !defined(__SANITIZE_ADDRESS__)
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fprintf(stderr, "kintsugi: cannot make the process undumpable: %s\n",
			strerror(errno));
#endif
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
		/* raw-fd: the listening socket */
		close(fd);
		return -e;
	}
	*ret_fd = fd;
	return 0;
bad_addr:
	snprintf(errbuf, errlen, "%s is not an IP address", cfg->listen_addr);
	return -EINVAL;
}

/*
 * Before the pool's threads start (they inherit it): the process opens
 * files only in the database's folder and reads only the data folder.
 * Everything it reads at start-up (templates, static files, catalogs) is
 * in memory by now.  Off with --no-seccomp, with the rest of confinement.
 */
static int server_confine_files(const struct kconfig *cfg, char *errbuf, size_t errlen)
{
	char dir[CONFIG_PATH_MAX];
	int r;

	if (!cfg->seccomp)
		return 0;
	r = server_store->ops->files_dir(server_store, dir, sizeof(dir));
	if (r < 0 && r != -ENOENT) {
		snprintf(errbuf, errlen, "cannot find the database's folder: %s", strerror(-r));
		return r;
	}
	/* -ENOENT: a store with no files of its own (PostgreSQL): nothing to write to */
	r = sandbox_files(cfg->data_dir, r == -ENOENT ? NULL : dir, errbuf, errlen);
	/* a sanitizer build says so once, with the seccomp filter's line */
	if (r == SANDBOX_UNSUPPORTED)
		fprintf(stderr, "kintsugi: this kernel has no Landlock: files are not confined to "
				"the database's and the data folders\n");
	return r < 0 ? r : 0;
}

int server_run(const struct kconfig *cfg, char *errbuf, size_t errlen)
{
	struct MHD_Daemon *d = NULL;
	sigset_t set, old;
	int fd = -1, r, sig = 0, fault;

	r = server_init(cfg, errbuf, errlen);
	if (r < 0)
		return r;
	r = server_bind(cfg, &fd, errbuf, errlen);
	if (r < 0)
		goto out;
	r = server_drop_privileges(cfg, errbuf, errlen);
	if (r < 0)
		goto out;
	/* containers often run as root: say it, and go on */
	if (geteuid() == 0)
		fprintf(stderr,
			"kintsugi: warning: running as root; give --user (or start it as an "
			"unprivileged user) so that a flaw in the server is not the machine's\n");
	server_no_dumps();
	r = server_open_store(errbuf, errlen);
	if (r < 0)
		goto out;
	server_main = pthread_self();
	server_main_set = 1;

	/* the pool's threads inherit this mask; only the main thread waits for signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1); /* a worker's wake-up after a fatal storage fault */
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	r = server_confine_files(cfg, errbuf, errlen);
	if (r < 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	r = guard_init(cfg->max_connections, (int64_t)cfg->request_deadline * 1000,
		       cfg->trusted_proxy);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot set up the connection guard: %s", strerror(-r));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	/* the store's own thread, if it has one: confined as the pool's, before the filter */
	if (server_store->ops->serve) {
		char err[160] = "";

		r = server_store->ops->serve(server_store, err, sizeof(err));
		if (r < 0) {
			snprintf(errbuf, errlen, "cannot start the database's writer: %s",
				 err[0] ? err : strerror(-r));
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			goto out;
		}
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				     (cfg->listen_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, on_accept, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
			     on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_HEADER_POOL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape_no_nul, NULL, MHD_OPTION_END);
	if (!d) {
		snprintf(errbuf, errlen, "the HTTP server did not start");
		r = -EIO;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	fd = -1; /* the daemon's now */

	/* Every thread exists now and privileges are gone: confine them all. */
	r = sandbox_enter(cfg->seccomp ? SANDBOX_ENFORCE : SANDBOX_PERMISSIVE,
			  server_store_remote() ? SANDBOX_DB_CLIENT : 0, errbuf, errlen);
	if (r < 0) {
		MHD_stop_daemon(d);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	if (r > 0)
		fprintf(stderr, "kintsugi: %s\n", sandbox_strerror(r));
	else if (!cfg->seccomp)
		fprintf(stderr, "kintsugi: --no-seccomp: calls off the seccomp list fail with "
				"EPERM instead of ending the process\n");

	fprintf(stderr, "kintsugi %s listening on http://%s%s%s:%u\n", KINTSUGI_VERSION,
		cfg->listen_family == AF_INET6 ? "[" : "", cfg->listen_addr,
		cfg->listen_family == AF_INET6 ? "]" : "", cfg->listen_port);
	sigdelset(&set, SIGPIPE);
	server_wait(&set, &sig);
	fault = atomic_load(&server_fatal);
	if (fault == STORE_FAULT_NONE)
		fprintf(stderr, "kintsugi: stopping\n");
	else
		server_drain();
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r = fault == STORE_FAULT_NONE ? 0 : server_rescue(fault, errbuf, errlen);
out:
	guard_fini();
	if (fd >= 0)
		/* raw-fd: the listening socket */
		close(fd);
	server_fini();
	return r;
}
