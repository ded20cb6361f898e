/*
 * session.h: a signed-in member's session and the keys it carries.
 *
 * The cookie holds "<id>.<secret>" (32 + 64 hex characters).  The sessions
 * table holds a hash of the secret and the member's keys sealed under a key
 * derived from the secret, so that a request costs a hash and one
 * symmetric open, and the database alone opens nothing (DESIGN.md, Keys).
 * A struct session lives in guarded memory (vault_secure_alloc) and is wiped
 * when the request ends.
 */
#ifndef KINTSUGI_CORE_SESSION_H
#define KINTSUGI_CORE_SESSION_H

#include <stddef.h>

#include "vault/vault.h"
#include "store/store.h"

#define SESSION_COOKIE_NAME "kintsugi_session"
#define SESSION_COOKIE_LEN  (VAULT_ID_HEX + 1 + VAULT_SECRET_HEX) /* id.secret */
#define SESSION_CSRF_LEN    64
/* old couple keys a session carries: one per partner lost or invited after a loss */
#define SESSION_OLD_KEYS 32

struct session {
	char id[VAULT_ID_HEX + 1];
	char member_id[VAULT_ID_HEX + 1];
	char couple_id[VAULT_ID_HEX + 1];
	char role[16];
	char language[4];
	int discreet;				  /* the member's: neutral title, icon, app name */
	int autolock_minutes;			  /* the member's: idle minutes to lock; 0 never */
	int locked;				  /* the session sat idle past it: only unlock */
	char csrf[SESSION_CSRF_LEN + 1];	  /* hex, "" until session_csrf_token() makes it */
	unsigned char secret[VAULT_SECRET_BYTES]; /* the cookie's: the CSRF token's source */
	unsigned char mk[VAULT_KEY_BYTES];	  /* master key: private items */
	unsigned char ck[VAULT_KEY_BYTES];	  /* couple key: partner-shared items */
	unsigned char sk[VAULT_SK_BYTES];	  /* X25519 secret key */
	/* couple keys held before, newest first (core/couplekey.h) */
	unsigned char ck_old[SESSION_OLD_KEYS][VAULT_KEY_BYTES];
	unsigned n_ck_old;
	/*
	 * The care key (core/care.h), opened for each request and never kept
	 * in the session's row: a partner's from the couple's care key row
	 * (under the couple key), a therapist's from their ck slot above,
	 * which for a therapist holds the care key and no couple key.
	 */
	unsigned char tk[VAULT_KEY_BYTES];
	int has_tk;	/* tk holds the couple's current care key */
	int care_ended; /* a therapist whose access a partner ended: sees nothing */
};

struct ledger_cache;

/* What core needs from the outside for one request: no HTTP, no config file. */
struct core {
	struct store *st;
	enum vault_kdf kdf;
	long session_idle_s;	 /* idle limit in seconds */
	long session_absolute_s; /* absolute limit in seconds */
	/* the request's browser as a short name (core/devices.h), kept with a
	 * new session and with audit events; NULL or "": not known */
	const char *browser;
	/*
	 * Rows a list left out because they did not open (damaged, or changed
	 * in the file by someone): counted here for the operator's log line,
	 * never shown; NULL: not counted.
	 */
	unsigned *unreadable;
	/*
	 * Lists answer every item they hold instead of their newest N (the
	 * bound that keeps an ordinary answer's work small): set for the
	 * export alone (api/api-export.c), which must leave nothing out.  It
	 * changes how many, never which: who may read what is decided as ever.
	 */
	int whole_lists;
	/* the ledgers this request has read (core/ledger.h); NULL: none kept */
	struct ledger_cache *ledgers;
	/* --require-second-factor: a member without one sets it up before anything else */
	int require_factor;
};

/* core_list_limit() - limit, or SIZE_MAX when c->whole_lists. */
size_t core_list_limit(const struct core *c, size_t limit);

/*
 * core_skip_unreadable() - a list's answer to one row that did not open
 * (-EBADMSG, or a positive "not the reader's" outcome of a row changed in
 * the file): counted and left out (0); any other error is returned.
 */
int core_skip_unreadable(const struct core *c, int r);

/*
 * session_resolve() - find the live session named by a cookie value
 * ("<id>.<secret>", cookie_len bytes) and open its keys into *ret (guarded
 * memory from the caller).  Touches last_seen.  Returns 0, or 1 when the
 * cookie names no live session (malformed, forged, replayed after sign-out,
 * idle or past its absolute limit: all look the same), or a negative errno.
 *
 * Auto-lock: when the member chose an idle time (autolock_minutes) and the
 * session's last_seen is older than that, the session is marked locked in
 * the store before anything else is answered, and ret->locked is set; a
 * locked session stays locked (and its last_seen is not touched, so that
 * it still ends at the idle limit) until session_unlock().  The caller
 * must then serve nothing but the lock (http/server.c).  When the mark
 * cannot be written, ret->locked is set all the same.
 */
int session_resolve(const struct core *c, const char *cookie, size_t cookie_len,
		    struct session *ret);

/*
 * session_start() - create a new session for member m whose master key mk,
 * couple key ck and secret key sk are given; writes the cookie value
 * (SESSION_COOKIE_LEN + 1 bytes) and fills *ret.  Inside the caller's
 * transaction.  Returns 0 or a negative errno.
 */
int session_start(const struct core *c, const struct member_row *m, const unsigned char *mk,
		  const unsigned char *ck, const unsigned char *sk, char *cookie_out,
		  struct session *ret);

/*
 * SESSION_AUTOLOCK_OK() - the idle times a member may choose, in minutes
 * (0: never); the migration's CHECK holds the same list.
 */
#define SESSION_AUTOLOCK_OK(m) ((m) == 0 || (m) == 1 || (m) == 5 || (m) == 15 || (m) == 60)

/*
 * session_unlock() - the member's password was checked (account_unlock_session()):
 * s is unlocked in the store and in memory, and its last_seen is now.
 * 0 (also when it was not locked), 1 when the session is gone, or < 0.
 */
int session_unlock(const struct core *c, struct session *s);

/*
 * session_couple_key() - the couple keys that may open a partner-shared
 * row: i = 0 the current one (the only one anything is sealed with), then
 * the old ones, newest first; NULL past the last.
 */
const unsigned char *session_couple_key(const struct session *s, unsigned i);

/*
 * session_reseal() - seal s's keys (as they are now in *s) into its row
 * again, under its cookie's secret, and clear the row's rekey mark; the
 * row's couple becomes s->couple_id.  0, 1 when the row is gone, < 0.
 */
int session_reseal(const struct core *c, const struct session *s);

/* session_end() - sign out: delete every session of s's member server-side.  0 or < 0. */
int session_end(const struct core *c, const struct session *s);

/*
 * session_supersede() - a sign-in (or sign-up, join, recovery) answered a
 * request that came with the live session old: end that one session, since
 * the new cookie replaces it in this browser (ASVS 7.2.4).  Only that one:
 * on a shared device it may be another member's.  0 (also when it is gone
 * already) or a negative errno.
 */
int session_supersede(const struct core *c, const struct session *old);

/*
 * session_purge() - delete up to LIMIT_SESSION_PURGE sessions that are past
 * their absolute or idle limit, of any member: their cookies would be
 * refused anyway, and their rows (sealed keys, times) should not outlive
 * them.  Called at each successful sign-in, which adds one row, so the
 * table never grows with dead sessions.  0 or a negative errno.
 */
int session_purge(const struct core *c);

/*
 * session_csrf_token() - the session's CSRF token (SESSION_CSRF_LEN hex
 * digits: form field csrf, header X-CSRF-Token), a keyed hash of the
 * cookie's secret made on first use and kept in *s: a request that shows
 * no form and checks no token (most reads) costs no hash for it.
 */
const char *session_csrf_token(struct session *s);

/* session_csrf_ok() - constant-time check of a presented CSRF token. */
int session_csrf_ok(struct session *s, const char *token);

/* session_now() - current UTC time as RFC 3339 "YYYY-MM-DDTHH:MM:SSZ". */
void session_now(char out[STORE_TIME_LEN + 1], long offset_s);

/*
 * session_seen_time() - t (a time of session_now()'s form, in a view the
 * session's member reads) as that member may see it: as it is when actor_id
 * is theirs, else its day ("YYYY-MM-DDT00:00:00Z").  Nobody learns at what
 * hour someone else wrote, answered, acknowledged, rated or ended something
 * (issue 13, "no 'answered at' time the partner could read").  A date, ""
 * or a NULL actor_id is left as it is.
 */
void session_seen_time(const struct session *s, const char *actor_id, char t[STORE_TIME_LEN + 1]);

#endif
