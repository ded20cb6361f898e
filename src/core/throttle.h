/*
 * throttle.h: sign-in throttling.  After too many failed sign-ins (or
 * recoveries) for one login, or from one client address, within a sliding
 * window, further tries are refused without looking at the password until
 * the window frees, even when the password is right.
 *
 * The counters live in the store (server processes keep no state), under
 * keyed hashes of the folded login and of the client address (its /64 for
 * IPv6), never the values themselves.  Library code: no logging, no HTTP.
 *
 * Return values: 0, THROTTLE_LIMITED (an expected outcome), or a negative
 * errno from the store.
 */
#ifndef KINTSUGI_CORE_THROTTLE_H
#define KINTSUGI_CORE_THROTTLE_H

#include <stdint.h>

#include "store/store.h"

#define THROTTLE_LIMITED 1 /* too many failures: refuse, answer 429 */

struct throttle_limits {
	unsigned int login_failures;   /* failures of one login in the window; 0 = no limit */
	unsigned int address_failures; /* failures from one address in the window; 0 = no limit */
	unsigned int window_s;	       /* the sliding window, in seconds (>= 1) */
};

/* What one sign-in attempt is counted under. */
struct throttle_keys {
	unsigned char login[STORE_THROTTLE_KEY_LEN];   /* hash of the folded login */
	unsigned char address[STORE_THROTTLE_KEY_LEN]; /* hash of the address (IPv6: /64) */
	int has_login;				       /* login was given */
	int has_address;			       /* address was given and parsed */
};

/*
 * throttle_keys_make() - the keys of an attempt for login (any case; NULL
 * or "" when the request carried none) from the textual client address
 * (NULL or unparsable: not counted by address).  Never fails.
 */
void throttle_keys_make(struct throttle_keys *ret, const char *login, const char *address);

/*
 * throttle_check() - may an attempt with keys k be tried at now_ms?  0 when
 * it may; THROTTLE_LIMITED when not, with *ret_retry_s set to the whole
 * seconds (at least 1) until the window has room again for every key that
 * is over its limit.  A negative errno when the store fails (the caller
 * should refuse the attempt).
 */
int throttle_check(struct store *st, const struct throttle_limits *lim,
		   const struct throttle_keys *k, int64_t now_ms, int *ret_retry_s);

/*
 * throttle_failed() - count a failed attempt at now_ms under every key of
 * k, and forget failures older than the window.  0 or a negative errno.
 */
int throttle_failed(struct store *st, const struct throttle_limits *lim,
		    const struct throttle_keys *k, int64_t now_ms);

/*
 * throttle_succeeded() - a successful sign-in resets its login's count.
 * The address's count stays: signing in to one's own account must not let
 * an address go on guessing other members' passwords.  0 or < 0.
 */
int throttle_succeeded(struct store *st, const struct throttle_keys *k);

/*
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device
 * Cookies"): a browser that signed in to an account is given a random
 * cookie, of which the store keeps a keyed hash and the member.  A sign-in
 * for that account that carries it is counted against that browser alone,
 * not against the login nor the address, so that failures from elsewhere
 * (a partner who knows the login, at the same address) never lock the
 * account's owner out of their own browser; that browser's own failures
 * lock it like any login.
 */
#define THROTTLE_DEVICE_COOKIE "kintsugi_device"
#define THROTTLE_DEVICE_LEN    64 /* hex characters */

/*
 * throttle_device_vouch() - when token (len characters) is the device cookie
 * of a browser that signed in to login before, make k count this attempt
 * under that browser alone.  1 when it does, 0 when the token vouches for
 * nothing (absent, malformed, unknown, another account's), < 0 when the
 * store fails.
 */
int throttle_device_vouch(struct store *st, struct throttle_keys *k, const char *token, size_t len,
			  const char *login);

/*
 * throttle_device_remember() - a browser just signed in to member_id at now
 * (RFC 3339), starting session_id: when token (len characters, len 0 for
 * none) is already its device cookie for that member, its row is refreshed
 * and 0 returned with fresh left untouched; otherwise a new cookie is made
 * and stored, written to fresh (THROTTLE_DEVICE_LEN + 1 bytes), and 1
 * returned (a browser new to the account).  Either way the row remembers
 * session_id, so that ending that session from the devices page takes the
 * browser's standing too (core/devices.h).  < 0 when the store fails.
 */
int throttle_device_remember(struct store *st, const char *couple_id, const char *member_id,
			     const char *session_id, const char *now, const char *token, size_t len,
			     char fresh[THROTTLE_DEVICE_LEN + 1]);

/*
 * throttle_device_forget() - after a password change, a recovery or a new
 * recovery key: every browser that signed in to member_id loses its
 * standing but this one (token, len characters; len 0: none keeps it), so
 * that a browser someone signed in from with the old password is counted
 * like any other from now on.  0 or < 0.
 */
int throttle_device_forget(struct store *st, const char *couple_id, const char *member_id,
			   const char *token, size_t len);

/* throttle_now_ms() - the wall clock in Unix milliseconds (shared by all processes). */
int64_t throttle_now_ms(void);

#endif
