/*
 * config.c: defaults, INI file, environment and flags into one struct kconfig.
 *
 * One table (config_keys) names every setting in each source and says how
 * its value is checked; config_set() is the single place a value is parsed,
 * whichever source it came from.  The INI reader is inih, driven through
 * ini_parse_stream() with a reader of our own over a (buf, len) buffer: it
 * counts lines (this inih hands the handler no line number), refuses NUL
 * bytes and refuses lines that do not fit inih's 200-byte line buffer,
 * which inih would otherwise split silently into two lines.
 *
 * Nothing here prints, exits or reads the process environment.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <ini.h>

#include "build-config.h" /* generated: KINTSUGI_SOURCE_ROOT, maybe KINTSUGI_LOCALEDIR */

#include "limits.h"
#include "cli/config.h"
#include "http/parse.h"

#define CONFIG_KEYS_MAX 32  /* room in the getopt table; config_keys has fewer */
#define ARG_CONFIG	256 /* getopt_long values: --config */
#define ARG_KEY		512 /* ARG_KEY + 2 * index (+ 1 for a --no-x flag) */
#define SHOW_MAX	48  /* bytes of a bad value quoted back in a message */

/* config_finish()'s default, as the help says it */
#ifdef KINTSUGI_LOCALEDIR
#define CONFIG_LOCALE_DIR_DEFAULT KINTSUGI_LOCALEDIR " (this build's)"
#else
#define CONFIG_LOCALE_DIR_DEFAULT "DATA_DIR/po"
#endif

#define FIELD(f) offsetof(struct kconfig, f), sizeof(((struct kconfig *)0)->f)

const struct config_key config_keys[] = {
	{"listen", "KINTSUGI_LISTEN", "listen", "ADDR:PORT",
	 "address and port to listen on; IPv6 as [::1]:8080", CONFIG_LISTEN, CONFIG_CMD_SERVE,
	 FIELD(listen_addr), 0, 0},
	{"db", "KINTSUGI_DB", "db", "PATH", "SQLite database file (or postgresql://...)",
	 CONFIG_STRING, CONFIG_CMD_SERVE | CONFIG_CMD_DB, FIELD(db), 0, 0},
	{"kdf", "KINTSUGI_KDF", "kdf", "LEVEL",
	 "Argon2id cost of new passwords: interactive, moderate, sensitive", CONFIG_KDF,
	 CONFIG_CMD_SERVE, FIELD(kdf), 0, 0},
	{"data_dir", "KINTSUGI_DATA_DIR", "data-dir", "DIR",
	 "folder holding templates/, static/, content/ and data/", CONFIG_STRING, CONFIG_CMD_SERVE,
	 FIELD(data_dir), 0, 0},
	{"locale_dir", "KINTSUGI_LOCALE_DIR", "locale-dir", "DIR",
	 "folder of compiled translations (.mo); default " CONFIG_LOCALE_DIR_DEFAULT, CONFIG_STRING,
	 CONFIG_CMD_SERVE, FIELD(locale_dir), 0, 0},
	{"public_url", "KINTSUGI_PUBLIC_URL", "public-url", "URL",
	 "address people use, like https://example.org; empty: from Host", CONFIG_URL,
	 CONFIG_CMD_SERVE, FIELD(public_url), 0, 0},
	{"secure_cookies", "KINTSUGI_SECURE_COOKIES", "secure-cookies", NULL,
	 "mark cookies Secure (turn on behind HTTPS)", CONFIG_BOOL, CONFIG_CMD_SERVE,
	 FIELD(secure_cookies), 0, 0},
	{"session_idle", "KINTSUGI_SESSION_IDLE", "session-idle", "SECONDS",
	 "sign out after this long without a request", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(session_idle), 1, CONFIG_SESSION_MAX_S},
	{"session_absolute", "KINTSUGI_SESSION_ABSOLUTE", "session-absolute", "SECONDS",
	 "sign out this long after signing in", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(session_absolute), 1, CONFIG_SESSION_MAX_S},
	{"threads", "KINTSUGI_THREADS", "threads", "N", "HTTP worker threads", CONFIG_UINT,
	 CONFIG_CMD_SERVE, FIELD(threads), 1, CONFIG_THREADS_MAX},
	{"max_connections", "KINTSUGI_MAX_CONNECTIONS", "max-connections", "N",
	 "open connections in total", CONFIG_UINT, CONFIG_CMD_SERVE, FIELD(max_connections), 1,
	 LIMIT_CONNECTIONS},
	{"per_ip_connections", "KINTSUGI_PER_IP_CONNECTIONS", "per-ip-connections", "N",
	 "open connections from one address (behind a proxy, raise it towards max-connections)",
	 CONFIG_UINT, CONFIG_CMD_SERVE, FIELD(per_ip_connections), 1, LIMIT_CONNECTIONS},
	{"user", "KINTSUGI_USER", "user", "NAME", "drop privileges to this user after binding",
	 CONFIG_USER, CONFIG_CMD_SERVE, FIELD(user), 0, 0},
	{"argon2_concurrency", "KINTSUGI_ARGON2_CONCURRENCY", "argon2-concurrency", "N",
	 "password hashes computed at once (each takes memory)", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(argon2_concurrency), 1, CONFIG_ARGON2_MAX},
	{"log_requests", "KINTSUGI_LOG_REQUESTS", "log-requests", NULL,
	 "log one line per request to stderr", CONFIG_BOOL, CONFIG_CMD_SERVE, FIELD(log_requests),
	 0, 0},
	/* hostile clients */
	{"signin_login_failures", "KINTSUGI_SIGNIN_LOGIN_FAILURES", "signin-login-failures", "N",
	 "failed sign-ins of one login before it must wait", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(signin_login_failures), 1, LIMIT_SIGNIN_FAILURES_MAX},
	{"signin_address_failures", "KINTSUGI_SIGNIN_ADDRESS_FAILURES", "signin-address-failures",
	 "N", "failed sign-ins from one address before it must wait", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(signin_address_failures), 1, LIMIT_SIGNIN_FAILURES_MAX},
	{"signin_window", "KINTSUGI_SIGNIN_WINDOW", "signin-window", "SECONDS",
	 "how far back failed sign-ins are counted", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(signin_window), 1, LIMIT_SIGNIN_WINDOW_MAX_S},
	{"connection_timeout", "KINTSUGI_CONNECTION_TIMEOUT", "connection-timeout", "SECONDS",
	 "drop a connection idle for this long", CONFIG_UINT, CONFIG_CMD_SERVE,
	 FIELD(connection_timeout), 1, LIMIT_CONNECTION_TIMEOUT_S},
	{"request_deadline", "KINTSUGI_REQUEST_DEADLINE", "request-deadline", "SECONDS",
	 "drop a connection whose request has not arrived whole this long after it opened or "
	 "was last answered",
	 CONFIG_UINT, CONFIG_CMD_SERVE, FIELD(request_deadline), 1, LIMIT_REQUEST_DEADLINE_MAX},
	{"seccomp", "KINTSUGI_SECCOMP", "seccomp", NULL,
	 "confine the server with a seccomp filter (--no-seccomp: only log refusals)", CONFIG_BOOL,
	 CONFIG_CMD_SERVE, FIELD(seccomp), 0, 0},
	{"require_second_factor", "KINTSUGI_REQUIRE_SECOND_FACTOR", "require-second-factor", NULL,
	 "every member turns on two-step sign-in before anything else", CONFIG_BOOL,
	 CONFIG_CMD_SERVE, FIELD(require_second_factor), 0, 0},
	{"trusted_proxy", "KINTSUGI_TRUSTED_PROXY", "trusted-proxy", "ADDR",
	 "a reverse proxy's address: its X-Forwarded-For names the client (for throttling)",
	 CONFIG_IP, CONFIG_CMD_SERVE, FIELD(trusted_proxy), 0, 0},
	{NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
};

__attribute__((format(printf, 3, 4))) static void errf(char *errbuf, size_t errlen, const char *fmt,
						       ...)
{
	va_list ap;

	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/*
 * A bad value is quoted back to the person who typed it, but it may come
 * from anywhere (a fuzzer, a binary file): keep it short and printable.
 */
static const char *show(const char *s, char out[SHOW_MAX + 4])
{
	size_t i;

	for (i = 0; i < SHOW_MAX && s[i]; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

const struct config_key *config_key_find(const char *name)
{
	const struct config_key *k;

	if (!name)
		return NULL;
	for (k = config_keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static int copy_string(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		return -ENOSPC;
	memcpy(dst, s, n + 1);
	return 0;
}

void config_defaults(struct kconfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	copy_string(cfg->listen_addr, sizeof(cfg->listen_addr), "127.0.0.1");
	cfg->listen_family = AF_INET;
	cfg->listen_port = 8080;
	copy_string(cfg->db, sizeof(cfg->db), "var/kintsugi.db");
	cfg->kdf = VAULT_KDF_MODERATE;
	copy_string(cfg->data_dir, sizeof(cfg->data_dir), KINTSUGI_SOURCE_ROOT);
	cfg->secure_cookies = false;
	cfg->session_idle = LIMIT_SESSION_IDLE_S;
	cfg->session_absolute = LIMIT_SESSION_ABSOLUTE_S;
	cfg->threads = LIMIT_THREADS;
	cfg->max_connections = LIMIT_CONNECTIONS;
	cfg->per_ip_connections = LIMIT_CONNECTIONS_PER_IP;
	cfg->argon2_concurrency = 2;
	cfg->log_requests = true;
	/* hostile clients */
	cfg->signin_login_failures = LIMIT_SIGNIN_LOGIN_FAILURES;
	cfg->signin_address_failures = LIMIT_SIGNIN_ADDRESS_FAILURES;
	cfg->signin_window = LIMIT_SIGNIN_WINDOW_S;
	cfg->connection_timeout = LIMIT_CONNECTION_TIMEOUT_S;
	cfg->request_deadline = LIMIT_REQUEST_DEADLINE_S;
	cfg->seccomp = true;
}

/* Decimal digits only: no sign, no blanks, no base prefix, nothing after. */
static int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *ret)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max) /* max fits an unsigned int, so v never wraps */
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*ret = (unsigned int)v;
	return 0;
}

static int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * ADDR:PORT with ADDR an IPv4 literal, or [ADDR]:PORT with an IPv6 literal
 * (RFC 3986 section 3.2.2 writes IPv6 hosts in brackets for the same
 * reason: the address itself contains colons).  Host names are refused:
 * resolving them would make the bound address depend on DNS at start-up.
 */
static int parse_listen(struct kconfig *cfg, const char *s, const char *label, char *errbuf,
			size_t errlen)
{
	char addr[CONFIG_ADDR_MAX], shown[SHOW_MAX + 4];
	unsigned char bin[16];
	const char *a, *port;
	size_t alen;
	unsigned int p;
	int family;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			goto form;
		a = s + 1;
		alen = (size_t)(end - a);
		port = end + 2;
		family = AF_INET6;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon)
			goto form;
		a = s;
		alen = (size_t)(colon - s);
		port = colon + 1;
		family = AF_INET;
		if (memchr(s, ':', alen)) {
			errf(errbuf, errlen, "%s: put an IPv6 address in brackets, like [::1]:8080",
			     label);
			return -EINVAL;
		}
	}
	if (alen == 0 || *port == '\0')
		goto form;
	if (alen >= sizeof(addr))
		goto address;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (inet_pton(family, addr, bin) != 1)
		goto address;
	if (parse_uint(port, 1, 65535, &p) < 0) {
		errf(errbuf, errlen, "%s port must be a number from 1 to 65535, not '%s'", label,
		     show(port, shown));
		return -EINVAL;
	}
	memcpy(cfg->listen_addr, addr, alen + 1);
	cfg->listen_family = family;
	cfg->listen_port = p;
	return 0;
form:
	errf(errbuf, errlen, "%s wants ADDR:PORT, like 127.0.0.1:8080", label);
	return -EINVAL;
address:
	errf(errbuf, errlen,
	     "%s address must be an IPv4 address or an IPv6 one in brackets, not '%.*s'", label,
	     (int)(alen < SHOW_MAX ? alen : SHOW_MAX), show(a, shown));
	return -EINVAL;
}

/* "" or http(s)://host[:port] with an optional final "/", which is dropped. */
static int parse_url(char *dst, size_t size, const char *s)
{
	const char *host, *p;
	size_t n = strlen(s);

	if (n == 0) {
		dst[0] = '\0';
		return 0;
	}
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return -EINVAL;
	if (s[n - 1] == '/')
		n--;
	if ((size_t)(host - s) >= n)
		return -EINVAL;
	for (p = host; p < s + n; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._:[]", *p))
			return -EINVAL;
	if (n >= size)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* The portable user name set (POSIX 3.437), not starting with '-'. */
static bool user_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_USER_MAX || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

int config_set(struct kconfig *cfg, const char *key, const char *value, const char *label,
	       char *errbuf, size_t errlen)
{
	const struct config_key *k = config_key_find(key);
	char shown[SHOW_MAX + 4];
	char *field;

	if (!k) {
		errf(errbuf, errlen, "unknown key '%s'", key ? show(key, shown) : "");
		return -EINVAL;
	}
	if (!label)
		label = k->name;
	if (!value) {
		errf(errbuf, errlen, "%s needs a value", label);
		return -EINVAL;
	}
	field = (char *)cfg + k->offset;

	switch (k->type) {
	case CONFIG_LISTEN:
		return parse_listen(cfg, value, label, errbuf, errlen);
	case CONFIG_STRING:
		if (!*value) {
			errf(errbuf, errlen, "%s must not be empty", label);
			return -EINVAL;
		}
		if (has_control(value)) {
			errf(errbuf, errlen, "%s must not contain control characters", label);
			return -EINVAL;
		}
		if (copy_string(field, k->size, value) < 0) {
			errf(errbuf, errlen, "%s is too long (at most %zu bytes)", label,
			     k->size - 1);
			return -EINVAL;
		}
		return 0;
	case CONFIG_KDF: {
		enum vault_kdf kdf;

		if (vault_kdf_from_string(value, &kdf) < 0) {
			errf(errbuf, errlen, "%s must be interactive, moderate or sensitive",
			     label);
			return -EINVAL;
		}
		*(enum vault_kdf *)(void *)field = kdf;
		return 0;
	}
	case CONFIG_URL:
		if (parse_url(field, k->size, value) < 0) {
			errf(errbuf, errlen,
			     "%s must look like https://example.org (scheme and host, no path), "
			     "not '%s'",
			     label, show(value, shown));
			return -EINVAL;
		}
		return 0;
	case CONFIG_USER:
		if (*value && !user_valid(value)) {
			errf(errbuf, errlen, "%s must be a user name like 'kintsugi', not '%s'",
			     label, show(value, shown));
			return -EINVAL;
		}
		return copy_string(field, k->size, value);
	case CONFIG_IP:
		if (*value && parse_ip_normalise(value, field, k->size) < 0) {
			errf(errbuf, errlen,
			     "%s must be an IPv4 or IPv6 address like 127.0.0.1, not '%s'", label,
			     show(value, shown));
			return -EINVAL;
		}
		if (!*value)
			field[0] = '\0';
		return 0;
	case CONFIG_BOOL: {
		bool b;

		if (parse_bool(value, &b) < 0) {
			errf(errbuf, errlen, "%s must be true or false, not '%s'", label,
			     show(value, shown));
			return -EINVAL;
		}
		*(bool *)(void *)field = b;
		return 0;
	}
	case CONFIG_UINT: {
		unsigned int u;

		if (parse_uint(value, k->min, k->max, &u) < 0) {
			errf(errbuf, errlen, "%s must be a number from %u to %u, not '%s'", label,
			     k->min, k->max, show(value, shown));
			return -EINVAL;
		}
		*(unsigned int *)(void *)field = u;
		return 0;
	}
	default:
		break;
	}
	errf(errbuf, errlen, "%s cannot be set", label);
	return -EINVAL;
}

int config_get(const struct kconfig *cfg, const char *key, char *buf, size_t len)
{
	const struct config_key *k = config_key_find(key);
	const char *field;
	int n;

	if (!k)
		return -ENOENT;
	field = (const char *)cfg + k->offset;

	switch (k->type) {
	case CONFIG_LISTEN:
		n = snprintf(buf, len, cfg->listen_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			     cfg->listen_addr, cfg->listen_port);
		break;
	case CONFIG_KDF: {
		const char *s = vault_kdf_to_string(*(const enum vault_kdf *)(const void *)field);

		n = snprintf(buf, len, "%s", s ? s : "");
		break;
	}
	case CONFIG_BOOL:
		n = snprintf(buf, len, "%s", *(const bool *)(const void *)field ? "true" : "false");
		break;
	case CONFIG_UINT:
		n = snprintf(buf, len, "%u", *(const unsigned int *)(const void *)field);
		break;
	default:
		n = snprintf(buf, len, "%s", field);
		break;
	}
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

int config_listen_url(const struct kconfig *cfg, char *buf, size_t len)
{
	char hostport[CONFIG_ADDR_MAX + 16];
	int n;

	if (config_get(cfg, "listen", hostport, sizeof(hostport)) < 0)
		return -ENOSPC;
	n = snprintf(buf, len, "http://%s", hostport);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

/* INI ------------------------------------------------------------------ */

struct ini_state {
	struct kconfig *cfg;
	const char *buf;       /* the whole text */
	size_t len, pos;       /* its length, and where the next line starts */
	unsigned int line;     /* lines handed to inih so far */
	unsigned int err_line; /* line of the first error seen, 0 none */
	uint32_t seen;	       /* bit i: config_keys[i] was set by this text */
	const char *name;      /* file name for messages */
	char *errbuf;
	size_t errlen;
};

_Static_assert(sizeof(config_keys) / sizeof(config_keys[0]) <= 32, "seen is 32 bits");

/* inih's reader: one line of buf per call, with our line count and limits. */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	const char *start, *nl;
	size_t n, content;

	if (st->pos >= st->len || st->err_line)
		return NULL;
	start = st->buf + st->pos;
	nl = memchr(start, '\n', st->len - st->pos);
	n = nl ? (size_t)(nl - start) + 1 : st->len - st->pos;
	if (memchr(start, '\0', n)) {
		st->err_line = st->line + 1;
		errf(st->errbuf, st->errlen, "%s:%u: line contains a NUL byte", st->name,
		     st->err_line);
		return NULL;
	}
	content = n;
	if (content > 0 && start[content - 1] == '\n')
		content--;
	if (content > 0 && start[content - 1] == '\r')
		content--;
	if (num <= 0 || n > (size_t)num - 1 || content > CONFIG_LINE_MAX) {
		st->err_line = st->line + 1;
		errf(st->errbuf, st->errlen, "%s:%u: line is longer than %d bytes", st->name,
		     st->err_line, CONFIG_LINE_MAX);
		return NULL;
	}
	memcpy(str, start, n);
	str[n] = '\0';
	st->pos += n;
	st->line++;
	return str;
}

static int ini_handle(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	const struct config_key *k;
	char shown[SHOW_MAX + 4], msg[256];
	unsigned int bit;

	if (st->err_line)
		return 0;
	if (strcmp(section, "server") != 0) {
		if (!*section)
			errf(st->errbuf, st->errlen,
			     "%s:%u: '%s' must be inside the [server] section", st->name, st->line,
			     show(name, shown));
		else
			errf(st->errbuf, st->errlen, "%s:%u: unknown section [%s]", st->name,
			     st->line, show(section, shown));
		goto fail;
	}
	k = config_key_find(name);
	if (!k) {
		errf(st->errbuf, st->errlen, "%s:%u: unknown key '%s'", st->name, st->line,
		     show(name, shown));
		goto fail;
	}
	bit = (unsigned int)(k - config_keys);
	if (st->seen & (UINT32_C(1) << bit)) {
		errf(st->errbuf, st->errlen, "%s:%u: '%s' is set more than once", st->name,
		     st->line, k->name);
		goto fail;
	}
	st->seen |= UINT32_C(1) << bit;
	if (config_set(st->cfg, name, value, NULL, msg, sizeof(msg)) < 0) {
		errf(st->errbuf, st->errlen, "%s:%u: %s", st->name, st->line, msg);
		goto fail;
	}
	return 1;
fail:
	st->err_line = st->line;
	return 0;
}

int config_parse_ini(struct kconfig *cfg, const char *buf, size_t len, const char *name,
		     char *errbuf, size_t errlen)
{
	struct ini_state st = {
		.cfg = cfg,
		.buf = buf,
		.len = len,
		.name = name ? name : "config",
		.errbuf = errbuf,
		.errlen = errlen,
	};
	int r;

	r = ini_parse_stream(ini_read_line, &st, ini_handle, &st);
	/* inih reports the first bad line, ours or its own; a syntax error
	 * before the line our handler refused wins. */
	if (r > 0 && (st.err_line == 0 || (unsigned int)r < st.err_line)) {
		errf(errbuf, errlen, "%s:%d: expected 'key = value' or '[server]'", st.name, r);
		return -EINVAL;
	}
	if (r < 0 && !st.err_line) {
		errf(errbuf, errlen, "%s: cannot parse (out of memory)", st.name);
		return -ENOMEM;
	}
	return st.err_line ? -EINVAL : 0;
}

int config_parse_file(struct kconfig *cfg, const char *path, char *errbuf, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int fd, r;

	/* raw-fd: the config file, read before any database is open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		errf(errbuf, errlen, "config file %s is not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		goto fail;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONFIG_FILE_MAX) {
			errf(errbuf, errlen, "config file %s is larger than %d bytes", path,
			     CONFIG_FILE_MAX);
			r = -EINVAL;
			goto out;
		}
	}
	r = config_parse_ini(cfg, buf, len, path, errbuf, errlen);
	goto out;
fail:
	errf(errbuf, errlen, "cannot read config file %s: %s", path, strerror(-r));
out:
	free(buf);
	if (fd >= 0)
		close(fd); /* raw-fd: the same file */
	return r;
}

/* Environment and flags -------------------------------------------------- */

int config_parse_env(struct kconfig *cfg, config_getenv_fn getenv_fn, char *errbuf, size_t errlen)
{
	const struct config_key *k;
	int r;

	for (k = config_keys; k->name; k++) {
		const char *v = getenv_fn(k->env);

		if (!v)
			continue;
		r = config_set(cfg, k->name, v, k->env, errbuf, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The option as typed, without any "=value" after it. */
static int option_len(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

	return (int)(n < SHOW_MAX ? n : SHOW_MAX);
}

int config_parse_args(struct kconfig *cfg, unsigned int cmd, int argc, char **argv, int *ret_optind,
		      const char **ret_config, char *errbuf, size_t errlen)
{
	struct option opts[2 * CONFIG_KEYS_MAX + 3];
	char nonames[CONFIG_KEYS_MAX][40];
	const char *config = NULL;
	size_t n = 0, i;
	int r = 0;

	/* cppcheck-suppress arrayIndexOutOfBoundsCond ; the bound guards opts[], not the table */
	for (i = 0; i < CONFIG_KEYS_MAX && config_keys[i].name; i++) {
		const struct config_key *k = &config_keys[i];
		int val = ARG_KEY + 2 * (int)i;

		if (!(k->cmds & cmd))
			continue;
		if (k->type == CONFIG_BOOL) {
			opts[n++] = (struct option){k->flag, no_argument, NULL, val};
			snprintf(nonames[i], sizeof(nonames[i]), "no-%s", k->flag);
			opts[n++] = (struct option){nonames[i], no_argument, NULL, val + 1};
		} else {
			opts[n++] = (struct option){k->flag, required_argument, NULL, val};
		}
	}
	opts[n++] = (struct option){"config", required_argument, NULL, ARG_CONFIG};
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n] = (struct option){NULL, 0, NULL, 0};

	/* optind = 0 makes glibc reinitialise all of getopt's state, including
	 * the position inside a group of short options left by an earlier scan. */
	optind = 0;
	opterr = 0;
	for (;;) {
		const char *arg;
		int c = getopt_long(argc, argv, ":h", opts, NULL);

		if (c == -1)
			break;
		if (c == 'h') {
			r = CONFIG_HELP;
			goto out;
		}
		if (c == ARG_CONFIG) {
			config = optarg;
			continue;
		}
		if (c >= ARG_KEY) {
			const struct config_key *k = &config_keys[(c - ARG_KEY) / 2];
			char label[48];

			snprintf(label, sizeof(label), "--%s", k->flag);
			if (k->type == CONFIG_BOOL)
				r = config_set(cfg, k->name, (c - ARG_KEY) % 2 ? "false" : "true",
					       label, errbuf, errlen);
			else
				r = config_set(cfg, k->name, optarg, label, errbuf, errlen);
			if (r < 0)
				goto out;
			continue;
		}
		arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
		if (c == ':') {
			if (optopt == ARG_CONFIG)
				errf(errbuf, errlen, "option '--config' needs a value");
			else if (optopt >= ARG_KEY)
				errf(errbuf, errlen, "option '--%s' needs a value",
				     config_keys[(optopt - ARG_KEY) / 2].flag);
			else
				errf(errbuf, errlen, "option '-%c' needs a value", optopt);
		} else if (optopt >= ARG_KEY || (optopt == 'h' && strncmp(arg, "--", 2) == 0)) {
			errf(errbuf, errlen, "option '%.*s' takes no value", option_len(arg), arg);
		} else if (optopt > 0 && optopt < 256 && isprint(optopt)) {
			errf(errbuf, errlen, "unknown option '-%c'", optopt);
		} else {
			char shown[SHOW_MAX + 4];

			show(arg, shown);
			errf(errbuf, errlen, "unknown option '%.*s'", option_len(shown), shown);
		}
		r = -EINVAL;
		goto out;
	}
	if (ret_optind)
		*ret_optind = optind;
	if (ret_config)
		*ret_config = config;
out:
	optind = 0;
	return r;
}

int config_finish(struct kconfig *cfg, char *errbuf, size_t errlen)
{
	if (!cfg->locale_dir[0]) {
#ifdef KINTSUGI_LOCALEDIR
		int n = snprintf(cfg->locale_dir, sizeof(cfg->locale_dir), "%s",
				 KINTSUGI_LOCALEDIR);
#else
		int n = snprintf(cfg->locale_dir, sizeof(cfg->locale_dir), "%s/po", cfg->data_dir);
#endif
		if (n < 0 || (size_t)n >= sizeof(cfg->locale_dir)) {
			cfg->locale_dir[0] = '\0';
			errf(errbuf, errlen, "data_dir is too long to derive locale_dir from it");
			return -EINVAL;
		}
	}
	if (cfg->session_idle > cfg->session_absolute) {
		errf(errbuf, errlen,
		     "session_idle (%u s) must not be longer than session_absolute (%u s)",
		     cfg->session_idle, cfg->session_absolute);
		return -EINVAL;
	}
	if (cfg->per_ip_connections > cfg->max_connections) {
		errf(errbuf, errlen,
		     "per_ip_connections (%u) must not be more than max_connections (%u)",
		     cfg->per_ip_connections, cfg->max_connections);
		return -EINVAL;
	}
	return 0;
}

int config_load(struct kconfig *cfg, unsigned int cmd, int argc, char **argv,
		config_getenv_fn getenv_fn, int *ret_optind, char *errbuf, size_t errlen)
{
	struct kconfig *scratch;
	const char *path = NULL;
	int r, first;

	/* A first pass over the flags into a scratch copy finds --config and
	 * -h, and reports a mistyped flag before any file is read. */
	scratch = malloc(sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	config_defaults(scratch);
	r = config_parse_args(scratch, cmd, argc, argv, &first, &path, errbuf, errlen);
	free(scratch);
	if (r != 0)
		return r;

	config_defaults(cfg);
	if (!path && getenv_fn) {
		path = getenv_fn("KINTSUGI_CONFIG");
		if (path && !*path)
			path = NULL;
	}
	if (path) {
		r = config_parse_file(cfg, path, errbuf, errlen);
		if (r < 0)
			return r;
	}
	if (getenv_fn) {
		r = config_parse_env(cfg, getenv_fn, errbuf, errlen);
		if (r < 0)
			return r;
	}
	r = config_parse_args(cfg, cmd, argc, argv, &first, NULL, errbuf, errlen);
	if (r != 0)
		return r;
	r = config_finish(cfg, errbuf, errlen);
	if (r < 0)
		return r;
	if (ret_optind)
		*ret_optind = first;
	return 0;
}
