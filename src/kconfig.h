/*
 * kconfig.h: the run-time configuration as the layers below the command
 * line read it (the server, the handlers, kreq).  How it is parsed from
 * the file, the environment and the flags lives above them, in
 * src/cli/config.h; this header holds only the struct and its sizes, so
 * that every arrow runs down the layers of DESIGN.md.
 */
#ifndef KINTSUGI_KCONFIG_H
#define KINTSUGI_KCONFIG_H

#include <stdbool.h>

#include "vault/vault.h"

#define CONFIG_PATH_MAX 4096 /* db, data_dir, locale_dir, with the NUL (PATH_MAX) */
#define CONFIG_ADDR_MAX 46   /* an IPv6 literal with the NUL (INET6_ADDRSTRLEN) */
#define CONFIG_URL_MAX	512  /* public_url; scheme and host only */
#define CONFIG_USER_MAX 33   /* user names are at most 32 bytes on Linux */

struct kconfig {
	char listen_addr[CONFIG_ADDR_MAX]; /* IP literal without brackets, "127.0.0.1" */
	int listen_family;		   /* AF_INET or AF_INET6, from listen_addr */
	unsigned int listen_port;	   /* 1-65535, 8080 */
	char db[CONFIG_PATH_MAX];	/* SQLite file path or postgresql://..., var/kintsugi.db */
	enum vault_kdf kdf;		/* Argon2id cost of new password hashes, moderate */
	char data_dir[CONFIG_PATH_MAX]; /* holds templates/, static/, content/, data/ */
	char locale_dir[CONFIG_PATH_MAX]; /* compiled .mo files; "" until config_finish() */
	char public_url[CONFIG_URL_MAX];  /* "https://example.org", "" = derive from Host */
	bool secure_cookies;		  /* Secure attribute on cookies, false */
	unsigned int session_idle;	  /* seconds without a request before sign-out */
	unsigned int session_absolute;	  /* seconds after sign-in before sign-out */
	unsigned int threads;		  /* HTTP worker threads */
	unsigned int max_connections;	  /* open connections in total */
	unsigned int per_ip_connections;  /* open connections from one address */
	char user[CONFIG_USER_MAX];	  /* drop privileges to this user after binding, "" none */
	unsigned int argon2_concurrency;  /* Argon2 computations at once, 2 */
	bool log_requests;		  /* one line per request on stderr, true */
	/* hostile clients */
	unsigned int signin_login_failures;   /* failed sign-ins of one login per window, 5 */
	unsigned int signin_address_failures; /* failed sign-ins from one address per window, 20 */
	unsigned int signin_window;	      /* the throttling window in seconds, 900 */
	unsigned int connection_timeout;      /* seconds before an idle connection is dropped, 15 */
	unsigned int request_deadline;	      /* seconds for a whole request to arrive, 30 */
	bool seccomp;			      /* confine the server with a seccomp filter, true */
	/* every member turns on a second factor before anything else, false */
	bool require_second_factor;
	/* a reverse proxy whose X-Forwarded-For names the client: an IP
	 * literal in inet_ntop's form, "" = none (the peer is the client) */
	char trusted_proxy[CONFIG_ADDR_MAX];
};

#endif
