/*
 * test-config.c: the configuration sources, their precedence and every
 * message a person can get from a bad setting; the command line's exit
 * codes and help texts; and a replay of the fuzzer's corpus.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "build-config.h" /* generated: KINTSUGI_SOURCE_ROOT, KINTSUGI_VERSION */

#include "limits.h"
#include "cli/cli.h"
#include "cli/config.h"

static char tmpdir[] = "/tmp/kintsugi-test-config-XXXXXX";
static char errbuf[512];

/* A fake environment for config_load() and config_parse_env(). */
static const char *fake_env[32][2];

static void env_clear(void)
{
	memset(fake_env, 0, sizeof(fake_env));
}

static void env_put(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < 31 && fake_env[i][0]; i++)
		;
	fake_env[i][0] = name;
	fake_env[i][1] = value;
}

static char *fake_getenv(const char *name)
{
	size_t i;

	for (i = 0; fake_env[i][0]; i++)
		if (strcmp(fake_env[i][0], name) == 0)
			return (char *)fake_env[i][1];
	return NULL;
}

/* Write text to tmpdir/name and return the path (static storage). */
static const char *write_file(const char *name, const char *text)
{
	static char path[4][256];
	static int turn;
	char *p = path[turn++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int ini(struct kconfig *cfg, const char *text)
{
	errbuf[0] = '\0';
	return config_parse_ini(cfg, text, strlen(text), "t.ini", errbuf, sizeof(errbuf));
}

/* config_load() on a NULL-terminated list of arguments (the first is the subcommand). */
static int load_args(struct kconfig *cfg, unsigned int cmd, int *first, ...)
{
	static char *argv[32];
	int argc = 0, scratch;
	va_list ap;

	va_start(ap, first);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	errbuf[0] = '\0';
	return config_load(cfg, cmd, argc, argv, fake_getenv, first ? first : &scratch, errbuf,
			   sizeof(errbuf));
}

static void set_fails(const char *key, const char *value, const char *label, const char *msg)
{
	struct kconfig cfg, before;

	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	errbuf[0] = '\0';
	assert_int_equal(config_set(&cfg, key, value, label, errbuf, sizeof(errbuf)), -EINVAL);
	assert_string_equal(errbuf, msg);
	assert_memory_equal(&cfg, &before, sizeof(cfg)); /* nothing written on failure */
}

static void set_ok(struct kconfig *cfg, const char *key, const char *value)
{
	errbuf[0] = '\0';
	assert_int_equal(config_set(cfg, key, value, NULL, errbuf, sizeof(errbuf)), 0);
}

/* Run the command line with captured output; returns the exit code. */
static int run(char **out, char **err, ...)
{
	char *argv[16] = {"kintsugi"};
	int argc = 1, rc;
	size_t olen, elen;
	FILE *fo, *fe;
	va_list ap;

	va_start(ap, err);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fo = open_memstream(out, &olen);
	fe = open_memstream(err, &elen);
	assert_non_null(fo);
	assert_non_null(fe);
	rc = cli_run(argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	return rc;
}

/* Defaults --------------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct kconfig cfg;
	char want[CONFIG_PATH_MAX];

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.listen_addr, "127.0.0.1");
	assert_int_equal(cfg.listen_family, AF_INET);
	assert_int_equal(cfg.listen_port, 8080);
	assert_string_equal(cfg.db, "var/kintsugi.db");
	assert_int_equal(cfg.kdf, VAULT_KDF_MODERATE);
	assert_string_equal(cfg.data_dir, KINTSUGI_SOURCE_ROOT);
	assert_string_equal(cfg.locale_dir, "");
	assert_string_equal(cfg.public_url, "");
	assert_false(cfg.secure_cookies);
	assert_int_equal(cfg.session_idle, LIMIT_SESSION_IDLE_S);
	assert_int_equal(cfg.session_absolute, LIMIT_SESSION_ABSOLUTE_S);
	assert_int_equal(cfg.threads, LIMIT_THREADS);
	assert_int_equal(cfg.max_connections, LIMIT_CONNECTIONS);
	assert_int_equal(cfg.per_ip_connections, LIMIT_CONNECTIONS_PER_IP);
	assert_string_equal(cfg.user, "");
	assert_int_equal(cfg.argon2_concurrency, 2);
	assert_true(cfg.log_requests);

	assert_int_equal(config_finish(&cfg, errbuf, sizeof(errbuf)), 0);
#ifdef KINTSUGI_LOCALEDIR
	snprintf(want, sizeof(want), "%s", KINTSUGI_LOCALEDIR);
#else
	snprintf(want, sizeof(want), "%s/po", KINTSUGI_SOURCE_ROOT);
#endif
	assert_string_equal(cfg.locale_dir, want);

	/* with nothing set anywhere, config_load() gives the same */
	env_clear();
	{
		struct kconfig loaded;
		int first = -1;

		assert_int_equal(load_args(&loaded, CONFIG_CMD_SERVE, &first, "serve", NULL), 0);
		assert_memory_equal(&loaded, &cfg, sizeof(cfg));
		assert_int_equal(first, 1);
	}
}

static void test_locale_dir_follows_data_dir(void **state)
{
	struct kconfig cfg;

	(void)state;
	env_clear();
	assert_int_equal(
		load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--data-dir", "/srv/k", NULL), 0);
#ifndef KINTSUGI_LOCALEDIR
	assert_string_equal(cfg.locale_dir, "/srv/k/po");
#endif
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--data-dir", "/srv/k",
				   "--locale-dir", "/usr/share/locale", NULL),
			 0);
	assert_string_equal(cfg.locale_dir, "/usr/share/locale");
}

/* Sources and precedence ------------------------------------------------- */

static void test_ini_sets_everything(void **state)
{
	struct kconfig cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, "; kintsugi\n"
				   "# comment\n"
				   "[server]\n"
				   "listen = [::1]:9000\n"
				   "db = /var/lib/kintsugi/k.db\n"
				   "kdf = sensitive\n"
				   "data_dir = /usr/share/kintsugi\n"
				   "locale_dir = /usr/share/locale\n"
				   "public_url = https://example.org/\n"
				   "secure_cookies = yes\n"
				   "session_idle = 600\n"
				   "session_absolute = 86400\n"
				   "threads = 8\n"
				   "max_connections = 100\n"
				   "per_ip_connections = 10\n"
				   "user = kintsugi\n"
				   "argon2_concurrency = 1\n"
				   "log_requests = off ; inline comment\n"),
			 0);
	assert_string_equal(cfg.listen_addr, "::1");
	assert_int_equal(cfg.listen_family, AF_INET6);
	assert_int_equal(cfg.listen_port, 9000);
	assert_string_equal(cfg.db, "/var/lib/kintsugi/k.db");
	assert_int_equal(cfg.kdf, VAULT_KDF_SENSITIVE);
	assert_string_equal(cfg.data_dir, "/usr/share/kintsugi");
	assert_string_equal(cfg.locale_dir, "/usr/share/locale");
	assert_string_equal(cfg.public_url, "https://example.org");
	assert_true(cfg.secure_cookies);
	assert_int_equal(cfg.session_idle, 600);
	assert_int_equal(cfg.session_absolute, 86400);
	assert_int_equal(cfg.threads, 8);
	assert_int_equal(cfg.max_connections, 100);
	assert_int_equal(cfg.per_ip_connections, 10);
	assert_string_equal(cfg.user, "kintsugi");
	assert_int_equal(cfg.argon2_concurrency, 1);
	assert_false(cfg.log_requests);
}

static void test_ini_tolerates_crlf_bom_and_blanks(void **state)
{
	struct kconfig cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, "\xEF\xBB\xBF[server]\r\n\r\n  threads=3  \r\nkdf=interactive"),
			 0);
	assert_int_equal(cfg.threads, 3);
	assert_int_equal(cfg.kdf, VAULT_KDF_INTERACTIVE);
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, ""), 0);
	assert_int_equal(ini(&cfg, "[server]\n"), 0);
}

static void test_env_overrides_file(void **state)
{
	const char *path = write_file("env.ini", "[server]\nthreads = 3\ndb = file.db\n");
	struct kconfig cfg;

	(void)state;
	env_clear();
	env_put("KINTSUGI_THREADS", "5");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config", path, NULL),
			 0);
	assert_int_equal(cfg.threads, 5);
	assert_string_equal(cfg.db, "file.db");
}

static void test_flags_override_env(void **state)
{
	struct kconfig cfg;

	(void)state;
	env_clear();
	env_put("KINTSUGI_THREADS", "5");
	env_put("KINTSUGI_SECURE_COOKIES", "true");
	env_put("KINTSUGI_DB", "env.db");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--threads", "7",
				   "--no-secure-cookies", NULL),
			 0);
	assert_int_equal(cfg.threads, 7);
	assert_false(cfg.secure_cookies);
	assert_string_equal(cfg.db, "env.db");
	/* "--x=value" works as well as "--x value"; the last flag wins */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--threads=9",
				   "--threads", "10", NULL),
			 0);
	assert_int_equal(cfg.threads, 10);
}

static void test_every_env_variable(void **state)
{
	const struct config_key *k;
	struct kconfig cfg;

	(void)state;
	env_clear();
	env_put("KINTSUGI_LISTEN", "0.0.0.0:80");
	env_put("KINTSUGI_DB", "e.db");
	env_put("KINTSUGI_KDF", "interactive");
	env_put("KINTSUGI_DATA_DIR", "/d");
	env_put("KINTSUGI_LOCALE_DIR", "/l");
	env_put("KINTSUGI_PUBLIC_URL", "http://localhost:8080");
	env_put("KINTSUGI_SECURE_COOKIES", "1");
	env_put("KINTSUGI_SESSION_IDLE", "60");
	env_put("KINTSUGI_SESSION_ABSOLUTE", "120");
	env_put("KINTSUGI_THREADS", "2");
	env_put("KINTSUGI_USER", "www-data");
	env_put("KINTSUGI_MAX_CONNECTIONS", "20");
	env_put("KINTSUGI_PER_IP_CONNECTIONS", "4");
	env_put("KINTSUGI_ARGON2_CONCURRENCY", "3");
	env_put("KINTSUGI_LOG_REQUESTS", "no");
	/* issue 4: hostile clients */
	env_put("KINTSUGI_SIGNIN_LOGIN_FAILURES", "3");
	env_put("KINTSUGI_SIGNIN_ADDRESS_FAILURES", "7");
	env_put("KINTSUGI_SIGNIN_WINDOW", "2");
	env_put("KINTSUGI_CONNECTION_TIMEOUT", "2");
	env_put("KINTSUGI_REQUEST_DEADLINE", "9");
	env_put("KINTSUGI_SECCOMP", "off");
	env_put("KINTSUGI_TRUSTED_PROXY", "::1");
	/* end of issue 4 */
	env_put("KINTSUGI_REQUIRE_SECOND_FACTOR", "yes");
	config_defaults(&cfg);
	assert_int_equal(config_parse_env(&cfg, fake_getenv, errbuf, sizeof(errbuf)), 0);
	assert_string_equal(cfg.listen_addr, "0.0.0.0");
	assert_int_equal(cfg.listen_port, 80);
	assert_string_equal(cfg.db, "e.db");
	assert_int_equal(cfg.kdf, VAULT_KDF_INTERACTIVE);
	assert_string_equal(cfg.data_dir, "/d");
	assert_string_equal(cfg.locale_dir, "/l");
	assert_string_equal(cfg.public_url, "http://localhost:8080");
	assert_true(cfg.secure_cookies);
	assert_int_equal(cfg.session_idle, 60);
	assert_int_equal(cfg.session_absolute, 120);
	assert_int_equal(cfg.threads, 2);
	assert_string_equal(cfg.user, "www-data");
	assert_int_equal(cfg.max_connections, 20);
	assert_int_equal(cfg.per_ip_connections, 4);
	assert_int_equal(cfg.argon2_concurrency, 3);
	assert_false(cfg.log_requests);
	/* issue 4: hostile clients */
	assert_int_equal(cfg.signin_login_failures, 3);
	assert_int_equal(cfg.signin_address_failures, 7);
	assert_int_equal(cfg.signin_window, 2);
	assert_int_equal(cfg.connection_timeout, 2);
	assert_int_equal(cfg.request_deadline, 9);
	assert_false(cfg.seccomp);
	assert_string_equal(cfg.trusted_proxy, "::1");
	/* end of issue 4 */
	assert_true(cfg.require_second_factor);
	/* every setting has its variable, and every variable its setting */
	for (k = config_keys; k->name; k++)
		assert_non_null(fake_getenv(k->env));
}

static void test_config_file_from_env_and_flag(void **state)
{
	const char *a = write_file("a.ini", "[server]\nthreads = 11\n");
	const char *b = write_file("b.ini", "[server]\nthreads = 12\n");
	struct kconfig cfg;

	(void)state;
	env_clear();
	env_put("KINTSUGI_CONFIG", a);
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", NULL), 0);
	assert_int_equal(cfg.threads, 11);
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config", b, NULL), 0);
	assert_int_equal(cfg.threads, 12);
	/* the db subcommands read the same file, whatever keys it has */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_DB, NULL, "check", NULL), 0);
	assert_int_equal(cfg.threads, 11);
}

static void test_config_file_errors(void **state)
{
	char path[300], *big;
	struct kconfig cfg;

	(void)state;
	env_clear();
	snprintf(path, sizeof(path), "%s/missing.ini", tmpdir);
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config", path, NULL),
			 -ENOENT);
	assert_non_null(strstr(errbuf, "cannot read config file "));
	assert_non_null(strstr(errbuf, "No such file or directory"));

	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config", tmpdir, NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf, "is not a regular file"));

	big = malloc(CONFIG_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, '\n', CONFIG_FILE_MAX + 1);
	big[CONFIG_FILE_MAX + 1] = '\0';
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config",
				   write_file("big.ini", big), NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf, "is larger than 65536 bytes"));
	free(big);

	/* a bad line names the file and the line */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config",
				   write_file("bad.ini", "[server]\n\nthreds = 2\n"), NULL),
			 -EINVAL);
	snprintf(path, sizeof(path), "%s/bad.ini:3: unknown key 'threds'", tmpdir);
	assert_string_equal(errbuf, path);
}

/* Messages --------------------------------------------------------------- */

static void test_bad_values(void **state)
{
	char longpath[CONFIG_PATH_MAX + 8];

	(void)state;
	set_fails("kdf", "fast", "--kdf", "--kdf must be interactive, moderate or sensitive");
	set_fails("kdf", "", "KINTSUGI_KDF",
		  "KINTSUGI_KDF must be interactive, moderate or sensitive");
	set_fails("listen", "8080", "--listen", "--listen wants ADDR:PORT, like 127.0.0.1:8080");
	set_fails("db", "", "--db", "--db must not be empty");
	set_fails("db", "a\tb", "db", "db must not contain control characters");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	set_fails("data_dir", longpath, "--data-dir",
		  "--data-dir is too long (at most 4095 bytes)");
	set_fails("threads", "-1", "--threads",
		  "--threads must be a number from 1 to 64, not '-1'");
	set_fails("threads", "0", "--threads", "--threads must be a number from 1 to 64, not '0'");
	set_fails("threads", "65", "--threads",
		  "--threads must be a number from 1 to 64, not '65'");
	set_fails("threads", "4x", "--threads",
		  "--threads must be a number from 1 to 64, not '4x'");
	set_fails("threads", " 4", "--threads",
		  "--threads must be a number from 1 to 64, not ' 4'");
	set_fails("threads", "+4", "--threads",
		  "--threads must be a number from 1 to 64, not '+4'");
	set_fails("threads", "0x4", "--threads",
		  "--threads must be a number from 1 to 64, not '0x4'");
	set_fails("threads", "", "KINTSUGI_THREADS",
		  "KINTSUGI_THREADS must be a number from 1 to 64, not ''");
	set_fails("threads", "18446744073709551617", "threads",
		  "threads must be a number from 1 to 64, not '18446744073709551617'");
	set_fails("session_idle", "99999999999999999999999999", "--session-idle",
		  "--session-idle must be a number from 1 to 31622400, not "
		  "'99999999999999999999999999'");
	set_fails("max_connections", "513", NULL,
		  "max_connections must be a number from 1 to 512, not '513'");
	/* up to max_connections' own limit: behind a proxy every client has its address */
	set_fails("per_ip_connections", "513", NULL,
		  "per_ip_connections must be a number from 1 to 512, not '513'");
	{
		struct kconfig proxied;

		config_defaults(&proxied);
		set_ok(&proxied, "per_ip_connections", "400");
		assert_int_equal(proxied.per_ip_connections, 400);
	}
	set_fails("argon2_concurrency", "0", NULL,
		  "argon2_concurrency must be a number from 1 to 64, not '0'");
	set_fails("secure_cookies", "maybe", "KINTSUGI_SECURE_COOKIES",
		  "KINTSUGI_SECURE_COOKIES must be true or false, not 'maybe'");
	set_fails("log_requests", "", NULL, "log_requests must be true or false, not ''");
	set_fails("public_url", "example.org", "--public-url",
		  "--public-url must look like https://example.org (scheme and host, no path), "
		  "not 'example.org'");
	set_fails("public_url", "https://example.org/app", "--public-url",
		  "--public-url must look like https://example.org (scheme and host, no path), "
		  "not 'https://example.org/app'");
	set_fails("public_url", "https://", NULL,
		  "public_url must look like https://example.org (scheme and host, no path), "
		  "not 'https://'");
	set_fails("public_url", "https://a.org?x=1", NULL,
		  "public_url must look like https://example.org (scheme and host, no path), "
		  "not 'https://a.org?x=1'");
	set_fails("user", "-root", "--user",
		  "--user must be a user name like 'kintsugi', not '-root'");
	set_fails("user", "a b", "--user", "--user must be a user name like 'kintsugi', not 'a b'");
	set_fails("user", "abcdefghijabcdefghijabcdefghijabc", "--user",
		  "--user must be a user name like 'kintsugi', not "
		  "'abcdefghijabcdefghijabcdefghijabc'");
	set_fails(
		"trusted_proxy", "localhost", "--trusted-proxy",
		"--trusted-proxy must be an IPv4 or IPv6 address like 127.0.0.1, not 'localhost'");
	set_fails("trusted_proxy", "[::1]", NULL,
		  "trusted_proxy must be an IPv4 or IPv6 address like 127.0.0.1, not '[::1]'");
	set_fails(
		"trusted_proxy", "10.0.0.1:80", NULL,
		"trusted_proxy must be an IPv4 or IPv6 address like 127.0.0.1, not '10.0.0.1:80'");
	set_fails("trusted_proxy", "10.0.0", NULL,
		  "trusted_proxy must be an IPv4 or IPv6 address like 127.0.0.1, not '10.0.0'");
	set_fails("nope", "1", NULL, "unknown key 'nope'");
	set_fails("db", NULL, "--db", "--db needs a value");
	/* a bad value is quoted back short and printable */
	set_fails("kdf", "x", NULL, "kdf must be interactive, moderate or sensitive");
	set_fails("threads", "\x1b[2Jabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", NULL,
		  "threads must be a number from 1 to 64, not "
		  "'?[2Jabcdefghijabcdefghijabcdefghijabcdefghijabcd...'");
}

static void test_good_values(void **state)
{
	struct kconfig cfg;

	(void)state;
	config_defaults(&cfg);
	set_ok(&cfg, "threads", "64");
	assert_int_equal(cfg.threads, 64);
	set_ok(&cfg, "threads", "001");
	assert_int_equal(cfg.threads, 1);
	set_ok(&cfg, "session_absolute", "31622400");
	assert_int_equal(cfg.session_absolute, 31622400);
	set_ok(&cfg, "secure_cookies", "ON");
	assert_true(cfg.secure_cookies);
	set_ok(&cfg, "secure_cookies", "False");
	assert_false(cfg.secure_cookies);
	set_ok(&cfg, "public_url", "http://[2001:db8::1]:8443");
	assert_string_equal(cfg.public_url, "http://[2001:db8::1]:8443");
	set_ok(&cfg, "public_url", "");
	assert_string_equal(cfg.public_url, "");
	set_ok(&cfg, "user", "_kintsugi.svc-1");
	set_ok(&cfg, "user", "");
	assert_string_equal(cfg.user, "");
	set_ok(&cfg, "trusted_proxy", "127.0.0.1");
	assert_string_equal(cfg.trusted_proxy, "127.0.0.1");
	set_ok(&cfg, "trusted_proxy", "0:0:0:0:0:0:0:1");
	assert_string_equal(cfg.trusted_proxy, "::1");
	set_ok(&cfg, "trusted_proxy", "::FFFF:10.0.0.1");
	assert_string_equal(cfg.trusted_proxy, "10.0.0.1");
	set_ok(&cfg, "trusted_proxy", "");
	assert_string_equal(cfg.trusted_proxy, "");
	set_ok(&cfg, "db", "postgresql://k@localhost/k");
	assert_string_equal(cfg.db, "postgresql://k@localhost/k");
}

#define RANGE "--listen port must be a number from 1 to 65535, not '%s'"
#define ADDR  "--listen address must be an IPv4 address or an IPv6 one in brackets, not '%s'"

static void test_listen_forms(void **state)
{
	static const struct {
		const char *in, *addr;
		int family;
		unsigned int port;
	} good[] = {
		{"127.0.0.1:8080", "127.0.0.1", AF_INET, 8080},
		{"0.0.0.0:1", "0.0.0.0", AF_INET, 1},
		{"192.168.1.20:65535", "192.168.1.20", AF_INET, 65535},
		{"[::1]:8080", "::1", AF_INET6, 8080},
		{"[::]:443", "::", AF_INET6, 443},
		{"[2001:db8::42]:80", "2001:db8::42", AF_INET6, 80},
		{"[::ffff:127.0.0.1]:81", "::ffff:127.0.0.1", AF_INET6, 81},
	};
	const char *form = "--listen wants ADDR:PORT, like 127.0.0.1:8080";
	char want[256], buf[64];
	struct kconfig cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config_defaults(&cfg);
		set_ok(&cfg, "listen", good[i].in);
		assert_string_equal(cfg.listen_addr, good[i].addr);
		assert_int_equal(cfg.listen_family, good[i].family);
		assert_int_equal(cfg.listen_port, good[i].port);
		/* config_get() gives back what config_set() took */
		assert_int_equal(config_get(&cfg, "listen", buf, sizeof(buf)), 0);
		assert_string_equal(buf, good[i].in);
	}
	config_defaults(&cfg);
	set_ok(&cfg, "listen", "[::1]:8080");
	assert_int_equal(config_listen_url(&cfg, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://[::1]:8080");
	set_ok(&cfg, "listen", "10.0.0.1:80");
	assert_int_equal(config_listen_url(&cfg, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://10.0.0.1:80");
	assert_int_equal(config_listen_url(&cfg, buf, 5), -ENOSPC);

	set_fails("listen", "", "--listen", form);
	set_fails("listen", "127.0.0.1", "--listen", form);
	set_fails("listen", ":8080", "--listen", form);
	set_fails("listen", "127.0.0.1:", "--listen", form);
	set_fails("listen", "[::1]", "--listen", form);
	set_fails("listen", "[::1]8080", "--listen", form);
	set_fails("listen", "[::1:8080", "--listen", form);
	set_fails("listen", "[]:8080", "--listen", form);
	set_fails("listen", "::1:8080", "--listen",
		  "--listen: put an IPv6 address in brackets, like [::1]:8080");
	snprintf(want, sizeof(want), RANGE, "0");
	set_fails("listen", "127.0.0.1:0", "--listen", want);
	snprintf(want, sizeof(want), RANGE, "65536");
	set_fails("listen", "127.0.0.1:65536", "--listen", want);
	snprintf(want, sizeof(want), RANGE, "99999999999999999999");
	set_fails("listen", "[::1]:99999999999999999999", "--listen", want);
	snprintf(want, sizeof(want), RANGE, "-1");
	set_fails("listen", "127.0.0.1:-1", "--listen", want);
	snprintf(want, sizeof(want), RANGE, "80x");
	set_fails("listen", "127.0.0.1:80x", "--listen", want);
	snprintf(want, sizeof(want), ADDR, "localhost");
	set_fails("listen", "localhost:8080", "--listen", want);
	snprintf(want, sizeof(want), ADDR, "256.0.0.1");
	set_fails("listen", "256.0.0.1:80", "--listen", want);
	snprintf(want, sizeof(want), ADDR, "fe80::1%eth0");
	set_fails("listen", "[fe80::1%eth0]:80", "--listen", want);
	snprintf(want, sizeof(want), ADDR, "1.2.3.4");
	set_fails("listen", "[1.2.3.4]:80", "--listen", want);
}

static void test_flag_messages(void **state)
{
	struct kconfig cfg;

	(void)state;
	env_clear();
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--x", NULL), -EINVAL);
	assert_string_equal(errbuf, "unknown option '--x'");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--x=1", NULL), -EINVAL);
	assert_string_equal(errbuf, "unknown option '--x'");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "-x", NULL), -EINVAL);
	assert_string_equal(errbuf, "unknown option '-x'");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--db", NULL), -EINVAL);
	assert_string_equal(errbuf, "option '--db' needs a value");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "option '--config' needs a value");
	assert_int_equal(
		load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--secure-cookies=yes", NULL),
		-EINVAL);
	assert_string_equal(errbuf, "option '--secure-cookies' takes no value");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--help=1", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "option '--help' takes no value");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--kdf", "fast", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "--kdf must be interactive, moderate or sensitive");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--listen", "8080", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "--listen wants ADDR:PORT, like 127.0.0.1:8080");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--threads", "-3", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "--threads must be a number from 1 to 64, not '-3'");
	/* the db subcommands take only --db and --config */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_DB, NULL, "backup", "--threads", "3", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "unknown option '--threads'");
	/* a mistyped flag is reported before a broken config file */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--config",
				   "/nonexistent/k.ini", "--tread", "2", NULL),
			 -EINVAL);
	assert_string_equal(errbuf, "unknown option '--tread'");
	/* help wins and needs nothing else to be right */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "-h", NULL), CONFIG_HELP);
	assert_int_equal(load_args(&cfg, CONFIG_CMD_DB, NULL, "migrate", "--help", "--config",
				   "/nonexistent/k.ini", NULL),
			 CONFIG_HELP);
}

static void test_env_messages(void **state)
{
	struct kconfig cfg;

	(void)state;
	env_clear();
	env_put("KINTSUGI_THREADS", "many");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", NULL), -EINVAL);
	assert_string_equal(errbuf, "KINTSUGI_THREADS must be a number from 1 to 64, not 'many'");
	env_clear();
	env_put("KINTSUGI_LISTEN", "[::1]");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", NULL), -EINVAL);
	assert_string_equal(errbuf, "KINTSUGI_LISTEN wants ADDR:PORT, like 127.0.0.1:8080");
	/* a flag does not rescue a bad variable: the variable is still a mistake */
	env_clear();
	env_put("KINTSUGI_KDF", "turbo");
	assert_int_equal(
		load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--kdf", "moderate", NULL),
		-EINVAL);
	assert_string_equal(errbuf, "KINTSUGI_KDF must be interactive, moderate or sensitive");
	/* KINTSUGI_CONFIG="" means no file */
	env_clear();
	env_put("KINTSUGI_CONFIG", "");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", NULL), 0);
}

static void test_ini_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"[server]\nthreads = 2\nwhat = 1\n", "t.ini:3: unknown key 'what'"},
		{"[server]\nthreads 2\n", "t.ini:2: expected 'key = value' or '[server]'"},
		{"[server\nthreads = 2\n", "t.ini:1: expected 'key = value' or '[server]'"},
		{"threads = 2\n", "t.ini:1: 'threads' must be inside the [server] section"},
		{"[http]\nthreads = 2\n", "t.ini:2: unknown section [http]"},
		{"[Server]\nthreads = 2\n", "t.ini:2: unknown section [Server]"},
		{"[server]\nThreads = 2\n", "t.ini:2: unknown key 'Threads'"},
		{"[server]\nthreads = 2\nthreads = 3\n",
		 "t.ini:3: 'threads' is set more than once"},
		{"[server]\ndb = a\n  b\n", "t.ini:3: 'db' is set more than once"},
		{"[server]\n\n\nthreads = -2\n",
		 "t.ini:4: threads must be a number from 1 to 64, not '-2'"},
		{"[server]\nkdf = fast\n",
		 "t.ini:2: kdf must be interactive, moderate or sensitive"},
		{"[server]\nlisten = 8080\n",
		 "t.ini:2: listen wants ADDR:PORT, like 127.0.0.1:8080"},
		{"[server]\nlisten = 127.0.0.1:70000\n",
		 "t.ini:2: listen port must be a number from 1 to 65535, not '70000'"},
		{"[server]\nsecure_cookies\n", "t.ini:2: expected 'key = value' or '[server]'"},
		/* a syntax error before a bad key is the one reported */
		{"[server]\nbroken\nwhat = 1\n", "t.ini:2: expected 'key = value' or '[server]'"},
		{"[server]\nwhat = 1\nbroken\n", "t.ini:2: unknown key 'what'"},
		{"[server]\nthreads = \x01\n",
		 "t.ini:2: threads must be a number from 1 to 64, not '?'"},
	};
	char text[512];
	struct kconfig cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&cfg);
		assert_int_equal(ini(&cfg, bad[i].text), -EINVAL);
		assert_string_equal(errbuf, bad[i].msg);
	}

	/* a line inih would split in two is refused, not half-read */
	memset(text, 0, sizeof(text));
	strcpy(text, "[server]\ndb = ");
	memset(text + strlen(text), 'a', CONFIG_LINE_MAX - 4); /* "db = " + 193: one too many */
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, text), -EINVAL);
	assert_string_equal(errbuf, "t.ini:2: line is longer than 197 bytes");
	assert_string_equal(cfg.db, "var/kintsugi.db");
	/* ... and one that just fits is read whole */
	text[strlen(text) - 1] = '\n';
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, text), 0);
	assert_int_equal(strlen(cfg.db), CONFIG_LINE_MAX - 5);
	/* "\r\n" does not count against the limit either */
	text[strlen(text) - 1] = '\r';
	strcat(text, "\n");
	config_defaults(&cfg);
	assert_int_equal(ini(&cfg, text), 0);
	assert_int_equal(strlen(cfg.db), CONFIG_LINE_MAX - 5);

	/* a NUL byte is refused, with its line */
	config_defaults(&cfg);
	errbuf[0] = '\0';
	assert_int_equal(config_parse_ini(&cfg, "[server]\nthreads = 2\0 x\n", 24, "t.ini", errbuf,
					  sizeof(errbuf)),
			 -EINVAL);
	assert_string_equal(errbuf, "t.ini:2: line contains a NUL byte");
	/* the text need not end in NUL: only len bytes are read */
	config_defaults(&cfg);
	assert_int_equal(config_parse_ini(&cfg, "[server]\nthreads = 29999", 20, "t.ini", errbuf,
					  sizeof(errbuf)),
			 0);
	assert_int_equal(cfg.threads, 2);
}

static void test_cross_checks(void **state)
{
	struct kconfig cfg;

	(void)state;
	env_clear();
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--session-idle", "100",
				   "--session-absolute", "50", NULL),
			 -EINVAL);
	assert_string_equal(errbuf,
			    "session_idle (100 s) must not be longer than session_absolute (50 s)");
	assert_int_equal(
		load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--max-connections", "8", NULL),
		-EINVAL);
	assert_string_equal(errbuf,
			    "per_ip_connections (32) must not be more than max_connections (8)");
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, NULL, "serve", "--max-connections", "8",
				   "--per-ip-connections", "8", NULL),
			 0);
}

static void test_get_round_trips(void **state)
{
	const struct config_key *k;
	struct kconfig a, b;
	char buf[CONFIG_PATH_MAX];

	(void)state;
	config_defaults(&a);
	assert_int_equal(config_finish(&a, errbuf, sizeof(errbuf)), 0);
	set_ok(&a, "listen", "[::1]:1234");
	set_ok(&a, "kdf", "sensitive");
	set_ok(&a, "public_url", "https://k.example");
	set_ok(&a, "user", "nobody");
	config_defaults(&b);
	for (k = config_keys; k->name; k++) {
		assert_int_equal(config_get(&a, k->name, buf, sizeof(buf)), 0);
		set_ok(&b, k->name, buf);
	}
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(config_get(&a, "nope", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(config_get(&a, "db", buf, 3), -ENOSPC);
	assert_null(config_key_find("nope"));
	assert_null(config_key_find(NULL));
}

static void test_positionals_and_rescans(void **state)
{
	struct kconfig cfg;
	int first = -1;

	(void)state;
	env_clear();
	/* GNU getopt moves FILE after the options, wherever it was typed */
	assert_int_equal(
		load_args(&cfg, CONFIG_CMD_DB, &first, "backup", "out.db", "--db", "x.db", NULL),
		0);
	assert_int_equal(first, 3);
	assert_string_equal(cfg.db, "x.db");
	/* a second scan starts afresh, even after a short-option group */
	assert_int_equal(load_args(&cfg, CONFIG_CMD_SERVE, &first, "serve", "-hx", NULL),
			 CONFIG_HELP);
	assert_int_equal(load_args(&cfg, CONFIG_CMD_DB, &first, "backup", "--", "--db", NULL), 0);
	assert_int_equal(first, 2);
	assert_string_equal(cfg.db, "var/kintsugi.db");
}

/* The command line ------------------------------------------------------- */

static void test_help_exits_zero(void **state)
{
	const struct config_key *k;
	char *out, *err, flag[64];

	(void)state;
	assert_int_equal(run(&out, &err, "--help", NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, "Usage: kintsugi COMMAND"));
	assert_non_null(strstr(out, "serve"));
	assert_non_null(strstr(out, "backup"));
	assert_string_equal(err, "");
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "-h", NULL), CLI_EXIT_OK);
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "serve", "--help", NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, "Usage: kintsugi serve"));
	assert_non_null(strstr(out, "--config FILE"));
	assert_non_null(strstr(out, "$KINTSUGI_CONFIG"));
	for (k = config_keys; k->name; k++) {
		snprintf(flag, sizeof(flag), k->metavar ? "--%s %s" : "--[no-]%s", k->flag,
			 k->metavar);
		assert_non_null(strstr(out, flag));
		assert_non_null(strstr(out, k->env));
	}
	assert_non_null(strstr(out, "(default 127.0.0.1:8080)"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "backup", "-h", NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, "Usage: kintsugi backup"));
	assert_non_null(strstr(out, "--db PATH"));
	assert_non_null(strstr(out, "$KINTSUGI_DB (default var/kintsugi.db)"));
	assert_null(strstr(out, "--threads"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "migrate", "--help", NULL), CLI_EXIT_OK);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "check", "--help", NULL), CLI_EXIT_OK);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "version", "--help", NULL), CLI_EXIT_OK);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "help", "check", NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, "Usage: kintsugi check"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "version", NULL), CLI_EXIT_OK);
	assert_string_equal(out, "kintsugi " KINTSUGI_VERSION "\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--version", NULL), CLI_EXIT_OK);
	assert_string_equal(out, "kintsugi " KINTSUGI_VERSION "\n");
	free(out);
	free(err);
}

static void test_usage_errors_exit_two(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(&out, &err, NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "Usage: kintsugi COMMAND"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "serv", NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "kintsugi: unknown command 'serv'\n"));
	assert_non_null(strstr(err, "Usage: kintsugi COMMAND"));
	assert_string_equal(out, "");
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "serve", "--x", NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "kintsugi serve: unknown option '--x'\n"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "serve", "--kdf", "fast", NULL), CLI_EXIT_USAGE);
	assert_non_null(
		strstr(err, "kintsugi serve: --kdf must be interactive, moderate or sensitive\n"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "serve", "extra", NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "kintsugi serve: unexpected argument 'extra'"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "backup", "--db", "x.db", NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "kintsugi backup: missing argument"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "backup", "a", "b", NULL), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "kintsugi backup: unexpected argument 'b'"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "version", "now", NULL), CLI_EXIT_USAGE);
	free(out);
	free(err);
}

static void test_runtime_failures_exit_one(void **state)
{
	char db[300], *out, *err;
	const char *existing = write_file("existing.bak", "precious");
	struct stat sb;

	(void)state;
	snprintf(db, sizeof(db), "%s/none/k.db", tmpdir);
	/* an existing backup is never replaced, whatever the database */
	assert_int_equal(run(&out, &err, "backup", "--db", db, existing, NULL), CLI_EXIT_FAILURE);
	assert_non_null(strstr(err, "already exists; refusing to overwrite it"));
	free(out);
	free(err);
	assert_int_equal(stat(existing, &sb), 0);
	assert_int_equal(sb.st_size, 8);

	/* check and backup do not create a database that is not there */
	assert_int_equal(run(&out, &err, "check", "--db", db, NULL), CLI_EXIT_FAILURE);
	assert_non_null(strstr(err, "kintsugi check: cannot open database "));
	assert_non_null(strstr(err, "No such file or directory"));
	free(out);
	free(err);
	assert_int_equal(stat(db, &sb), -1);

	/* an unreadable config file is a run-time failure */
	assert_int_equal(run(&out, &err, "check", "--config", db, NULL), CLI_EXIT_FAILURE);
	assert_non_null(strstr(err, "kintsugi check: cannot read config file "));
	free(out);
	free(err);
}

/* The database subcommands against a real store, end to end. */
static void test_migrate_check_backup(void **state)
{
	char db[300], bak[300], *out, *err;
	struct stat sb;

	(void)state;
	snprintf(db, sizeof(db), "%s/var/sub/k.db", tmpdir);
	snprintf(bak, sizeof(bak), "%s/k.bak", tmpdir);

	assert_int_equal(run(&out, &err, "migrate", "--db", db, NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, "schema version "));
	free(out);
	free(err);
	assert_int_equal(stat(db, &sb), 0);

	assert_int_equal(run(&out, &err, "check", "--db", db, NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out, ": ok\n"));
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "backup", bak, "--db", db, NULL), CLI_EXIT_OK);
	free(out);
	free(err);
	assert_int_equal(stat(bak, &sb), 0);
	assert_true(sb.st_size > 0);

	assert_int_equal(run(&out, &err, "backup", "--db", db, bak, NULL), CLI_EXIT_FAILURE);
	assert_non_null(strstr(err, "refusing to overwrite"));
	free(out);
	free(err);
}

/* The fuzzer's corpus replayed: no input may crash or leak. */
static void test_corpus_replays(void **state)
{
	char dir[CONFIG_PATH_MAX], path[CONFIG_PATH_MAX + 256];
	struct kconfig cfg;
	struct dirent *de;
	size_t files = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/config", KINTSUGI_SOURCE_ROOT);
	d = opendir(dir);
	if (!d)
		skip();
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		config_defaults(&cfg);
		errbuf[0] = '\0';
		(void)config_parse_file(&cfg, path, errbuf, sizeof(errbuf));
		/* a message, when there is one, is one printable line */
		for (const char *p = errbuf; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	const struct config_key *k;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	/* cli_run() reads the real environment: keep the caller's out of it */
	unsetenv("KINTSUGI_CONFIG");
	for (k = config_keys; k->name; k++)
		unsetenv(k->env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_locale_dir_follows_data_dir),
		cmocka_unit_test(test_ini_sets_everything),
		cmocka_unit_test(test_ini_tolerates_crlf_bom_and_blanks),
		cmocka_unit_test(test_env_overrides_file),
		cmocka_unit_test(test_flags_override_env),
		cmocka_unit_test(test_every_env_variable),
		cmocka_unit_test(test_config_file_from_env_and_flag),
		cmocka_unit_test(test_config_file_errors),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_listen_forms),
		cmocka_unit_test(test_flag_messages),
		cmocka_unit_test(test_env_messages),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_get_round_trips),
		cmocka_unit_test(test_positionals_and_rescans),
		cmocka_unit_test(test_help_exits_zero),
		cmocka_unit_test(test_usage_errors_exit_two),
		cmocka_unit_test(test_runtime_failures_exit_one),
		cmocka_unit_test(test_migrate_check_backup),
		cmocka_unit_test(test_corpus_replays),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
