/*
 * config.h: kintsugi's run-time configuration and how it is read.
 *
 * Every setting has a default and can come from three sources, later ones
 * winning: an INI file (--config FILE or KINTSUGI_CONFIG, section [server]),
 * the KINTSUGI_* environment, and command-line flags.  All three go through
 * config_set(), so a value means the same thing and fails with the same
 * message wherever it is written.  The parsers here are pure: they never
 * print, never exit and never look at the process environment directly
 * (config_parse_env() takes a getenv-like callback), so they can be unit
 * tested and fuzzed.  Messages are written to a caller buffer without a
 * program prefix; the caller adds "kintsugi serve: ".
 *
 * Return values: 0 on success, CONFIG_HELP when -h/--help was given,
 * -EINVAL for a bad value, option or file content (a usage error), another
 * negative errno when a config file cannot be read.
 */
#ifndef KINTSUGI_CONFIG_H
#define KINTSUGI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "kconfig.h"

#define CONFIG_FILE_MAX	     (64 * 1024)   /* a config file is a few lines; more is a mistake */
#define CONFIG_LINE_MAX	     197	   /* inih reads lines into 200 bytes (with "\r\n\0") */
#define CONFIG_THREADS_MAX   64		   /* more threads than this only add contention */
#define CONFIG_ARGON2_MAX    64		   /* each Argon2 computation holds up to 1 GiB */
#define CONFIG_SESSION_MAX_S (366 * 86400) /* nobody stays signed in for more than a year */

/* Positive return of the parsers: -h or --help was given; print usage and exit 0. */
#define CONFIG_HELP 1

/* Which subcommands take a key as a command-line flag (the file and environment take all). */
#define CONFIG_CMD_SERVE 0x1u /* kintsugi serve */
#define CONFIG_CMD_DB	 0x2u /* kintsugi backup | migrate | check */

enum config_type {
	CONFIG_STRING, /* a path: not empty, no control characters */
	CONFIG_LISTEN, /* ADDR:PORT */
	CONFIG_KDF,    /* interactive | moderate | sensitive */
	CONFIG_URL,    /* "" or http(s)://host[:port] */
	CONFIG_USER,   /* "" or a user name */
	CONFIG_IP,     /* "" or an IPv4/IPv6 literal (no brackets), stored normalised */
	CONFIG_BOOL,   /* true/false, yes/no, on/off, 1/0 */
	CONFIG_UINT,   /* decimal digits only, within [min, max] */
	_CONFIG_TYPE_MAX
};

/* One setting: its names in each source, for the parsers and for the help texts. */
struct config_key {
	const char *name;    /* INI key and config_set() key, "session_idle" */
	const char *env;     /* environment variable, "KINTSUGI_SESSION_IDLE" */
	const char *flag;    /* long option without "--", "session-idle" */
	const char *metavar; /* what the flag takes, "SECONDS"; NULL for booleans */
	const char *help;    /* one short line for --help */
	enum config_type type;
	unsigned int cmds;     /* CONFIG_CMD_* that take it as a flag */
	size_t offset;	       /* of the field in struct kconfig */
	size_t size;	       /* of the field (strings: the buffer) */
	unsigned int min, max; /* CONFIG_UINT bounds */
};

/* The settings, in the order --help lists them, ending with a NULL name. */
extern const struct config_key config_keys[];

/*
 * config_key_find() - the setting named name (an INI key, "session_idle"),
 * or NULL when there is none.
 */
const struct config_key *config_key_find(const char *name);

/*
 * config_defaults() - fill cfg with the built-in defaults.  locale_dir is
 * left empty: config_finish() derives it once data_dir is known.
 */
void config_defaults(struct kconfig *cfg);

/*
 * config_set() - parse value for setting key and store it in cfg.  label is
 * how the message names the setting ("--kdf", "KINTSUGI_KDF", "kdf"; NULL
 * means key itself).  Returns 0, or -EINVAL with a message like "--kdf must
 * be interactive, moderate or sensitive" in errbuf, cfg unchanged.  An
 * unknown key is -EINVAL too ("unknown key 'x'").
 */
int config_set(struct kconfig *cfg, const char *key, const char *value, const char *label,
	       char *errbuf, size_t errlen);

/*
 * config_get() - format the current value of setting key as config_set()
 * would accept it ("127.0.0.1:8080", "[::1]:8080", "moderate", "true") into
 * buf.  Returns 0, -ENOENT for an unknown key, -ENOSPC when buf is short.
 */
int config_get(const struct kconfig *cfg, const char *key, char *buf, size_t len);

/*
 * config_parse_ini() - apply the INI text buf (len bytes, need not be
 * NUL-terminated) to cfg.  Keys live in section [server]; a key elsewhere,
 * an unknown key, a key given twice, a line that is neither "key = value"
 * nor "[section]", a line over CONFIG_LINE_MAX bytes and a NUL byte are
 * errors.  name labels messages: "NAME:LINE: unknown key 'x'".  Stops at
 * the first error (reported by line), having applied the lines before it.
 * Returns 0 or -EINVAL.
 */
int config_parse_ini(struct kconfig *cfg, const char *buf, size_t len, const char *name,
		     char *errbuf, size_t errlen);

/*
 * config_parse_file() - read the INI file at path (at most CONFIG_FILE_MAX
 * bytes) and apply it with config_parse_ini().  Returns 0, -EINVAL for bad
 * content, or the negative errno of open/read ("cannot read config file
 * PATH: reason" in errbuf).
 */
int config_parse_file(struct kconfig *cfg, const char *path, char *errbuf, size_t errlen);

/* A getenv()-like lookup: the value of variable name, or NULL when unset. */
typedef char *(*config_getenv_fn)(const char *name);

/*
 * config_parse_env() - apply every KINTSUGI_* variable that getenv_fn finds
 * (an empty value counts as set).  Returns 0 or -EINVAL; messages name the
 * variable ("KINTSUGI_THREADS must be ...").
 */
int config_parse_env(struct kconfig *cfg, config_getenv_fn getenv_fn, char *errbuf, size_t errlen);

/*
 * config_parse_args() - apply the flags in argv[0..argc) with getopt_long;
 * argv[0] is the subcommand name and is skipped.  Only keys whose cmds
 * contain cmd are accepted, plus --config FILE and -h/--help.  argv may be
 * permuted (GNU getopt); the index of the first positional argument is
 * stored in *ret_optind, and the --config value (a pointer into argv, or
 * NULL) in *ret_config when ret_config is not NULL.  Returns 0, CONFIG_HELP,
 * or -EINVAL with "unknown option '--x'", "option '--db' needs a value",
 * "option '--secure-cookies' takes no value" or a config_set() message.
 * Safe to call more than once per process (it resets getopt's state).
 */
int config_parse_args(struct kconfig *cfg, unsigned int cmd, int argc, char **argv, int *ret_optind,
		      const char **ret_config, char *errbuf, size_t errlen);

/*
 * config_finish() - derive what depends on other settings (locale_dir
 * defaults to KINTSUGI_LOCALEDIR when the build defines it, else
 * data_dir/po) and check settings against each other (session_idle <=
 * session_absolute, per_ip_connections <= max_connections).  Returns 0 or
 * -EINVAL.
 */
int config_finish(struct kconfig *cfg, char *errbuf, size_t errlen);

/*
 * config_load() - the whole sequence for a subcommand: defaults, then the
 * file named by --config or KINTSUGI_CONFIG (through getenv_fn), then the
 * environment, then the flags, then config_finish().  Flags are checked
 * before any file is read, so a typo in a flag is reported first.  Returns
 * what the steps return (CONFIG_HELP as soon as -h/--help is seen); on
 * success *ret_optind indexes the first positional argument of argv.
 */
int config_load(struct kconfig *cfg, unsigned int cmd, int argc, char **argv,
		config_getenv_fn getenv_fn, int *ret_optind, char *errbuf, size_t errlen);

/*
 * config_listen_url() - "http://ADDR:PORT" for cfg's listen address, with
 * an IPv6 address in brackets.  Returns 0 or -ENOSPC.
 */
int config_listen_url(const struct kconfig *cfg, char *buf, size_t len);

#endif
