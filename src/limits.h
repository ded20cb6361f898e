/*
 * limits.h: every cap kintsugi enforces, in one place, each with its reason.
 *
 * Handlers, parsers and the server read these names; configuration may lower
 * some of them (see src/cli/config.h) but never raise them past what is here.
 */
#ifndef KINTSUGI_LIMITS_H
#define KINTSUGI_LIMITS_H

/*
 * With -Isrc this file is found for <limits.h> as well, so it brings the
 * system header along: INT_MAX, PATH_MAX and friends keep working.
 */
#include_next <limits.h>

/* HTTP ----------------------------------------------------------------- */
#define LIMIT_BODY_BYTES	   (64 * 1024) /* API.md: bodies are at most 64 KiB */
#define LIMIT_HEADER_POOL	   (32 * 1024) /* MHD connection memory: caps headers */
#define LIMIT_URL_BYTES		   2048	       /* longer request targets are refused */
#define LIMIT_CONNECTIONS	   512	       /* total open connections */
#define LIMIT_CONNECTIONS_PER_IP   32	       /* the default: one address cannot starve the rest */
#define LIMIT_CONNECTION_TIMEOUT_S 15	       /* idle or slow clients are dropped */
#define LIMIT_REQUEST_DEADLINE_S   30	       /* a whole request, however it trickles */
#define LIMIT_REQUEST_DEADLINE_MAX 3600
#define LIMIT_THREADS		   4	/* MHD internal thread pool */
#define LIMIT_FORM_FIELDS	   32	/* urlencoded fields per request */
#define LIMIT_PATH_PARAMS	   4	/* {id} pieces in one route pattern */
#define LIMIT_COOKIE_BYTES	   4096 /* one Cookie header */

/* JSON ----------------------------------------------------------------- */
#define LIMIT_JSON_DEPTH 8 /* our bodies are flat; deep nesting is hostile */

/* Accounts ------------------------------------------------------------- */
#define LIMIT_LOGIN_MIN	       3 /* API.md: login 3-64 characters */
#define LIMIT_LOGIN_MAX	       64
#define LIMIT_PASSWORD_MIN     10   /* characters (code points), core/password.c */
#define LIMIT_PASSWORD_MAX     1024 /* bytes: what Argon2 hashes; >= 256 characters */
#define LIMIT_DISPLAY_NAME_MIN 1    /* API.md: display_name 1-80 characters */
#define LIMIT_DISPLAY_NAME_MAX 80
#define LIMIT_CODE_MAX                                                                             \
	32 /* a second-factor code as typed: 6 digits or "XXXXX-XXXXX", with spaces */
#define LIMIT_PASSKEY_JSON_MAX                                                                     \
	8192 /* a passkey's answer as JSON: an attestation object of 4 KiB in base64url */

/* Journal -------------------------------------------------------------- */
#define LIMIT_JOURNAL_BODY_MAX	   20000 /* API.md: body 1-20,000 characters */
#define LIMIT_JOURNAL_PROMPT_MAX   500	 /* a prompt is one question */
#define LIMIT_JOURNAL_PAGE_DEFAULT 50	 /* API.md: limit 1-100, default 50 */
#define LIMIT_JOURNAL_PAGE_MAX	   100

/* Sessions and invites ------------------------------------------------- */
#define LIMIT_SESSION_IDLE_S	 (12 * 3600)  /* default idle timeout */
#define LIMIT_SESSION_ABSOLUTE_S (14 * 86400) /* default absolute lifetime */
#define LIMIT_INVITE_TTL_S	 (7 * 86400)  /* an invite link works for a week */
#define LIMIT_SESSION_PURGE	 64	      /* dead sessions deleted at a sign-in */

/* Hostile clients ----------------------------------------------------- */
#define LIMIT_HEADER_LINE_BYTES	      8192  /* one header, name and value (431) */
#define LIMIT_HEADERS		      64    /* headers in one request; browsers send ~20 */
#define LIMIT_SIGNIN_LOGIN_FAILURES   5	    /* guesses at one login per window */
#define LIMIT_SIGNIN_ADDRESS_FAILURES 20    /* guesses from one address (IPv6: /64) */
#define LIMIT_SIGNIN_WINDOW_S	      900   /* failures are counted for 15 minutes */
#define LIMIT_SIGNIN_FAILURES_MAX     10000 /* a limit above this is no limit */
#define LIMIT_SIGNIN_WINDOW_MAX_S     86400 /* failures are forgotten within a day */

#endif
