/*
 * fuzz-request.c: libFuzzer target for the whole request pipeline,
 * server_handle(), the way libmicrohttpd hands it a request, against a
 * throwaway SQLite store and the real templates.
 *
 * Input: a request line "METHOD TARGET", header lines "Name: value" up to
 * an empty line, then the body (lines end with "\n"; a "\r" before it is
 * dropped).  TARGET is split at "?": the path is percent-decoded as
 * libmicrohttpd does, the query into arguments ("+" is a space).  Header
 * names are looked up without regard to case; at most FUZZ_HEADERS count.
 * In header values and the body, "$SESSION" becomes the cookie value of a
 * live session and "$CSRF" its CSRF token, so that inputs reach the routes
 * of a signed-in member (the harness signs up again when an input ended
 * that session).
 *
 * Checks, beyond the sanitizers: every answer has a status from 200 to 599
 * and never 500 (a hostile request must not reach "internal error"), the
 * security headers on every answer, Cache-Control: no-store on every API
 * answer, and a JSON body on every API answer that has one.
 *
 * Set-up happens on the first input rather than in LLVMFuzzerInitialize(),
 * which fuzz/replay.c does not call.  The store lives in a mkdtemp()
 * directory removed at exit.  FUZZ_REQUEST_LOG=1 logs one line per request.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "build-config.h"
#include "cli/config.h"
#include "http/routes.h"
#include "http/server.h"
#include "i18n/i18n.h"
#include "vault/vault.h"

#define FUZZ_HEADERS 80
#define FUZZ_ARGS    40

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kconfig cfg;
static char tmpdir[64];
static int ready;
static unsigned signups;
static char live_cookie[SESSION_COOKIE_LEN + 1];
static char live_csrf[SESSION_CSRF_LEN + 1];

struct fuzz_header {
	char *name;
	char *value;
};

struct fuzz_arg {
	char *key;
	char *value; /* NULL when the argument had no "=" */
};

/* One parsed input; every string is malloc'd. */
struct fuzz_req {
	char *method;
	char *path;
	struct fuzz_header headers[FUZZ_HEADERS];
	size_t nheaders;
	struct fuzz_arg args[FUZZ_ARGS];
	size_t nargs;
	char *body;
	size_t body_len;
};

static void cleanup(void)
{
	char p[128];

	if (!tmpdir[0])
		return;
	server_fini();
	snprintf(p, sizeof(p), "%s/fuzz.db", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fuzz.db-wal", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fuzz.db-shm", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

static const char *req_header(void *ctx, const char *name)
{
	const struct fuzz_req *q = ctx;
	size_t i;

	for (i = 0; i < q->nheaders; i++)
		if (strcasecmp(q->headers[i].name, name) == 0)
			return q->headers[i].value;
	return NULL;
}

static void req_each_arg(void *ctx, server_arg_fn fn, void *cls)
{
	const struct fuzz_req *q = ctx;
	size_t i;

	for (i = 0; i < q->nargs; i++)
		if (fn(cls, q->args[i].key, q->args[i].value))
			return;
}

static void req_each_header(void *ctx, server_arg_fn fn, void *cls)
{
	const struct fuzz_req *q = ctx;
	size_t i;

	for (i = 0; i < q->nheaders; i++)
		if (fn(cls, q->headers[i].name, q->headers[i].value))
			return;
}

struct seen {
	int csp, nosniff, frame, no_store, json;
	const char *cookie;
};

static void on_header(void *cls, const char *name, const char *value)
{
	struct seen *s = cls;

	if (!name || !value)
		abort();
	if (strcmp(name, "Content-Security-Policy") == 0 && strstr(value, "frame-ancestors 'none'"))
		s->csp = 1;
	else if (strcmp(name, "X-Content-Type-Options") == 0 && strcmp(value, "nosniff") == 0)
		s->nosniff = 1;
	else if (strcmp(name, "X-Frame-Options") == 0 && strcmp(value, "DENY") == 0)
		s->frame = 1;
	else if (strcmp(name, "Cache-Control") == 0 && strcmp(value, "no-store") == 0)
		s->no_store = 1;
	else if (strcmp(name, "Content-Type") == 0 && strncmp(value, "application/json", 16) == 0)
		s->json = 1;
	/* a header value with a line break would split the answer */
	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n: "))
		abort();
}

/* Runs one request and checks what every answer must hold; returns the status. */
static int run(struct fuzz_req *q, struct server_reply *out)
{
	struct server_request in;
	struct seen seen = {0};
	const struct kreq *r = &out->r;

	memset(&in, 0, sizeof(in));
	in.method = q->method;
	in.url = q->path;
	in.client_ip = "192.0.2.44";
	in.body = q->body;
	in.body_len = q->body_len;
	in.body_too_large = q->body_len > LIMIT_BODY_BYTES;
	in.header = req_header;
	in.each_arg = req_each_arg;
	in.each_header = req_each_header;
	in.ctx = q;
	memset(out, 0, sizeof(*out));
	server_handle(&in, out);
	server_reply_headers(out, on_header, &seen);

	if (r->status < 200 || r->status > 599 || r->status == 500)
		abort();
	if (!seen.csp || !seen.nosniff || !seen.frame)
		abort();
	if (r->resp_len > 0 && !r->resp_body)
		abort();
	if (out->route && out->route->kind == ROUTE_API) {
		if (!seen.no_store)
			abort();
		if (r->resp_len > 0) {
			json_t *j = json_loadb(r->resp_body, r->resp_len, 0, NULL);

			if (!seen.json || !j)
				abort();
			json_decref(j);
		}
	}
	return r->status;
}

static void req_free(struct fuzz_req *q)
{
	size_t i;

	free(q->method);
	free(q->path);
	for (i = 0; i < q->nheaders; i++) {
		free(q->headers[i].name);
		free(q->headers[i].value);
	}
	for (i = 0; i < q->nargs; i++) {
		free(q->args[i].key);
		free(q->args[i].value);
	}
	free(q->body);
	memset(q, 0, sizeof(*q));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a new string (and "+" when plus is set), as libmicrohttpd does. */
static char *unescape(const char *s, size_t n, int plus)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (plus && s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static char *dup_n(const char *s, size_t n)
{
	char *out = malloc(n + 1);

	if (!out)
		abort();
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* s[0..n) with "$SESSION" and "$CSRF" replaced by the live session's values. */
static char *substitute(const char *s, size_t n, size_t *ret_len)
{
	size_t cap = n + 1, o = 0, i = 0;
	char *out = malloc(cap);

	if (!out)
		abort();
	while (i < n) {
		const char *rep = NULL;
		size_t skip = 0, rl;

		if (n - i >= 8 && memcmp(s + i, "$SESSION", 8) == 0) {
			rep = live_cookie;
			skip = 8;
		} else if (n - i >= 5 && memcmp(s + i, "$CSRF", 5) == 0) {
			rep = live_csrf;
			skip = 5;
		}
		if (!rep) {
			out[o++] = s[i++];
			continue;
		}
		rl = strlen(rep);
		cap += rl;
		out = realloc(out, cap);
		if (!out)
			abort();
		memcpy(out + o, rep, rl);
		o += rl;
		i += skip;
	}
	out[o] = '\0';
	if (ret_len)
		*ret_len = o;
	return out;
}

/* The query "a=1&b&c=%20" into q->args. */
static void parse_query(struct fuzz_req *q, const char *s, size_t n)
{
	size_t start = 0, i;

	for (i = 0; i <= n; i++) {
		const char *eq;
		size_t len;

		if (i < n && s[i] != '&')
			continue;
		len = i - start;
		if (len > 0 && q->nargs < FUZZ_ARGS) {
			eq = memchr(s + start, '=', len);
			if (eq) {
				q->args[q->nargs].key =
					unescape(s + start, (size_t)(eq - s - start), 1);
				q->args[q->nargs].value =
					unescape(eq + 1, len - (size_t)(eq - s - start) - 1, 1);
			} else {
				q->args[q->nargs].key = unescape(s + start, len, 1);
				q->args[q->nargs].value = NULL;
			}
			q->nargs++;
		}
		start = i + 1;
	}
}

/* The next line of data[*pos..size) without its "\r\n" / "\n"; NULL at the end. */
static const char *next_line(const uint8_t *data, size_t size, size_t *pos, size_t *ret_len)
{
	const char *start = (const char *)data + *pos;
	const char *nl;
	size_t len;

	if (*pos >= size)
		return NULL;
	nl = memchr(start, '\n', size - *pos);
	len = nl ? (size_t)(nl - start) : size - *pos;
	*pos += len + (nl ? 1 : 0);
	if (len > 0 && start[len - 1] == '\r')
		len--;
	*ret_len = len;
	return start;
}

/* Parses the input into q; 0, or -EINVAL when it has no request line. */
static int parse_input(const uint8_t *data, size_t size, struct fuzz_req *q)
{
	size_t pos = 0, len;
	const char *line, *sp, *qm, *colon;

	line = next_line(data, size, &pos, &len);
	if (!line || memchr(line, '\0', len))
		return -EINVAL;
	sp = memchr(line, ' ', len);
	if (!sp)
		return -EINVAL;
	q->method = dup_n(line, (size_t)(sp - line));
	sp++;
	len -= (size_t)(sp - line);
	qm = memchr(sp, '?', len);
	if (qm) {
		q->path = unescape(sp, (size_t)(qm - sp), 0);
		parse_query(q, qm + 1, len - (size_t)(qm - sp) - 1);
	} else {
		q->path = unescape(sp, len, 0);
	}

	while ((line = next_line(data, size, &pos, &len)) && len > 0) {
		const char *v;

		colon = memchr(line, ':', len);
		if (!colon || memchr(line, '\0', len) || q->nheaders >= FUZZ_HEADERS)
			continue;
		v = colon + 1;
		while (v < line + len && *v == ' ')
			v++;
		q->headers[q->nheaders].name = dup_n(line, (size_t)(colon - line));
		q->headers[q->nheaders].value = substitute(v, (size_t)(line + len - v), NULL);
		q->nheaders++;
	}
	if (pos < size)
		q->body = substitute((const char *)data + pos, size - pos, &q->body_len);
	return 0;
}

/* Signs a new member up and keeps its cookie and CSRF token. */
static void sign_up(void)
{
	struct fuzz_req q = {0};
	struct server_reply out;
	char body[256];
	json_t *j;
	const char *csrf;
	int n;

	n = snprintf(body, sizeof(body),
		     "{\"login\":\"fuzz-owner-%u\",\"password\":\"correct horse battery\","
		     "\"display_name\":\"Fuzz\",\"language\":\"en\"}",
		     signups++);
	q.method = dup_n("POST", 4);
	q.path = dup_n("/api/v1/signup", 14);
	q.headers[0].name = dup_n("Content-Type", 12);
	q.headers[0].value = dup_n("application/json", 16);
	q.nheaders = 1;
	q.body = dup_n(body, (size_t)n);
	q.body_len = (size_t)n;
	if (run(&q, &out) != 201 || !out.r.set_cookie)
		abort();
	snprintf(live_cookie, sizeof(live_cookie), "%s", out.r.set_cookie);
	j = json_loadb(out.r.resp_body, out.r.resp_len, 0, NULL);
	csrf = json_string_value(json_object_get(j, "csrf_token"));
	if (!csrf)
		abort();
	snprintf(live_csrf, sizeof(live_csrf), "%s", csrf);
	json_decref(j);
	server_reply_fini(&out);
	req_free(&q);
}

/* Makes sure $SESSION names a live session. */
static void ensure_session(void)
{
	struct fuzz_req q = {0};
	struct server_reply out;
	char cookie[SESSION_COOKIE_LEN + 32];
	int status;

	if (live_cookie[0]) {
		snprintf(cookie, sizeof(cookie), "kintsugi_session=%s", live_cookie);
		q.method = dup_n("GET", 3);
		q.path = dup_n("/api/v1/me", 10);
		q.headers[0].name = dup_n("Cookie", 6);
		q.headers[0].value = dup_n(cookie, strlen(cookie));
		q.nheaders = 1;
		status = run(&q, &out);
		server_reply_fini(&out);
		req_free(&q);
		if (status == 200)
			return;
	}
	sign_up();
}

static void setup(void)
{
	char err[512];

	json_wipe_on_free(); /* as main() does, before any other jansson call */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kintsugi-fuzzdb-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	atexit(cleanup);
	config_defaults(&cfg);
	snprintf(cfg.db, sizeof(cfg.db), "%s/fuzz.db", tmpdir);
	cfg.kdf = VAULT_KDF_INTERACTIVE;
	cfg.log_requests = getenv("FUZZ_REQUEST_LOG") != NULL; /* one line per request */
	cfg.argon2_concurrency = 1;
	if (config_finish(&cfg, err, sizeof(err)) < 0 || vault_init() < 0)
		abort();
	/* translations are a bonus: without compiled catalogs, English */
	(void)i18n_init(cfg.locale_dir, err, sizeof(err));
	if (server_init(&cfg, err, sizeof(err)) < 0 || server_open_store(err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz-request: %s\n", err);
		abort();
	}
	ready = 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!ready)
		setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_req q = {0};
	struct server_reply out;

	if (!ready)
		setup();
	if (size > LIMIT_BODY_BYTES + 4096)
		return 0;
	if (memmem(data, size, "$SESSION", 8) || memmem(data, size, "$CSRF", 5))
		ensure_session();
	if (parse_input(data, size, &q) == 0) {
		run(&q, &out);
		server_reply_fini(&out);
	}
	req_free(&q);
	return 0;
}
