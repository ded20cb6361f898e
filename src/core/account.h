/*
 * account.h: signing up, signing in, pairing, password change and
 * recovery, and deleting an account: the rules and the key handling of
 * DESIGN.md ("Keys") over the store and the vault.
 *
 * Return values: 0, a positive ACCOUNT_* outcome the caller turns into an
 * answer, or a negative errno for failures it cannot plan for.  Input
 * lengths and shapes are validated by the caller (the routing table's field
 * declarations); core checks the rules.
 */
#ifndef KINTSUGI_CORE_ACCOUNT_H
#define KINTSUGI_CORE_ACCOUNT_H

#include "core/factor.h"
#include "core/passkey.h"
#include "core/session.h"

enum account_result {
	ACCOUNT_OK = 0,
	ACCOUNT_LOGIN_TAKEN = 1,     /* 409 */
	ACCOUNT_BAD_CREDENTIALS = 2, /* 401: unknown login, wrong password or recovery key */
	ACCOUNT_WRONG_PASSWORD = 3,  /* 403: a signed-in member's password check failed */
	ACCOUNT_INVITE_INVALID = 4,  /* 404: unknown, used or expired invite */
	ACCOUNT_COUPLE_FULL = 5,     /* 409 */
	ACCOUNT_BUSY = 6,	     /* 429/503: too many password hashes at once */
	/* a new password breaks a rule of core/password.h (400 for that field) */
	ACCOUNT_PASSWORD_TOO_SHORT = 7,	 /* too_short: fewer than LIMIT_PASSWORD_MIN characters */
	ACCOUNT_PASSWORD_TOO_LONG = 8,	 /* too_long: more than LIMIT_PASSWORD_MAX bytes */
	ACCOUNT_PASSWORD_COMMON = 9,	 /* invalid_value: a common password */
	ACCOUNT_PASSWORD_HAS_LOGIN = 10, /* invalid_value: it contains the login */
	ACCOUNT_PASSWORD_HAS_NAME = 11,	 /* invalid_value: it contains "kintsugi" */
	ACCOUNT_RATE_LIMITED = 12,	 /* 429 rate_limited: too many wrong passwords (guard) */
	ACCOUNT_WRONG_RECOVERY = 13,	 /* 403: a signed-in member's recovery key check failed */
	/* the second factor (core/factor.h) */
	ACCOUNT_SECOND_FACTOR_REQUIRED = 14, /* 401: sign-in or recovery, right secret, no code */
	ACCOUNT_CODE_REQUIRED = 15,	     /* 403: a signed-in check needs a code too */
	ACCOUNT_WRONG_CODE = 16,	     /* 403: a signed-in member's code check failed */
	ACCOUNT_FACTOR_ON = 17,		     /* 409: TOTP is on already */
	ACCOUNT_FACTOR_OFF = 18,	     /* 409: nothing to confirm or to turn off */
	ACCOUNT_PASSKEY_FULL = 19,	     /* 409: STORE_PASSKEYS_MAX, or this one already */
	ACCOUNT_NOT_FOUND = 20,		     /* 404: no such passkey of the member */
	ACCOUNT_PASSKEYS_REMAIN =
		21, /* 409: TOTP off would leave passkeys without recovery codes */
	ACCOUNT_AUTOLOCK_INVALID = 22, /* 400 invalid_value: not an idle time one may choose */
	ACCOUNT_SESSION_GONE = 23,     /* 401: the session ended while it was being unlocked */
	ACCOUNT_ALONE = 24,	       /* 409: no partner to leave */
	ACCOUNT_FORBIDDEN = 25,	       /* 403: not for this role (a therapist leaving a couple) */
	ACCOUNT_PASSKEY_NO_PRF = 26,   /* 409: this passkey cannot sign in alone (no PRF) */
	_ACCOUNT_RESULT_MAX
};

/*
 * How the password checks behind a session (password change, a new
 * recovery key, deleting the account) are counted: each wrong password is a
 * guess like a failed sign-in, so it counts under the sign-in throttle's
 * per-login and per-address counts (http/throttle.h) with its limits; while
 * either is over its limit the check is refused, even with the right
 * password, and a right password clears the login's count, as a sign-in
 * does.  The caller fills the limits (kintsugi serve's signin_*) and the
 * client's address; a NULL guard counts nothing (tools, tests).
 */
struct account_guard {
	unsigned int login_failures;   /* per login and window; 0 = no limit */
	unsigned int address_failures; /* per address and window; 0 = no limit */
	unsigned int window_s;	       /* the window, in seconds (0 is taken as 1) */
	const char *address;	       /* the client's address, or NULL */
	const char *device;	       /* its device cookie (throttle.h), or NULL */
	size_t device_len;
	int retry_after_s; /* out: after ACCOUNT_RATE_LIMITED, seconds to wait */
};

struct account_new {
	const char *login;
	const char *password;
	size_t password_len;
	const char *display_name;
	const char *language;
};

/* What a sign-up, sign-in, join or recovery hands back. */
struct account_signin {
	char cookie[SESSION_COOKIE_LEN + 1];	     /* the new session's cookie value */
	char recovery_key[VAULT_RECOVERY_CHARS + 1]; /* new key (sign-up, join, recover); else "" */
	/* after ACCOUNT_SECOND_FACTOR_REQUIRED: the member whose factor is due
	 * (for the passkey challenge the answer carries); else "" */
	char factor_member[VAULT_ID_HEX + 1];
	char factor_couple[VAULT_ID_HEX + 1]; /* and their couple */
};

struct partner_view {
	char id[VAULT_ID_HEX + 1];
	char display_name[512];
};

struct member_view {
	char id[VAULT_ID_HEX + 1];
	char display_name[512];
	char role[16];
	char language[4];
	char created_at[STORE_TIME_LEN + 1]; /* when the member signed up or joined */
	char couple_id[VAULT_ID_HEX + 1];
	char couple_created_at[STORE_TIME_LEN + 1];
	struct partner_view partners[2];
	size_t npartners;
	/* the newest partner who left (what they wrote stays under this name) */
	struct partner_view former;
	int has_former;
};

/* account_init() - at most `concurrency` Argon2 computations at once, process-wide. */
int account_init(unsigned concurrency);

/*
 * The new password of a sign-up, join, password change or recovery must
 * follow the rules of core/password.h; a password that breaks one is
 * refused with its ACCOUNT_PASSWORD_* outcome before any hashing, and
 * nothing changes.
 */

/* Sign-up: a new couple with this member as its first partner; signs in. */
int account_signup(const struct core *c, const struct account_new *in, struct account_signin *ret,
		   struct session *ret_session);
/*
 * The second factor: where a member has one on (factor_active()), a
 * sign-in, a recovery, a password change, a new recovery key and turning
 * it off each need a code as well (`code`: a TOTP code or a recovery
 * code, NULL or "" for none), checked only after the password or key was
 * right.  At sign-in and recovery no code gives
 * ACCOUNT_SECOND_FACTOR_REQUIRED, a wrong one ACCOUNT_BAD_CREDENTIALS, as
 * a wrong password does; behind a session ACCOUNT_CODE_REQUIRED and
 * ACCOUNT_WRONG_CODE, counted under the guard as a wrong password is.  A
 * member without one is never asked, and a code they send is ignored.
 */

/* Sign-in with login and password (and code); a fresh session.  Also deletes a few
 * sessions past their limits, of anyone (session_purge()). */
int account_login(const struct core *c, const char *login, const char *password, size_t pwlen,
		  const char *code, struct account_signin *ret, struct session *ret_session);
/* Join the couple of the invite token ("<id>.<secret>"); signs in. */
int account_join(const struct core *c, const char *token, const struct account_new *in,
		 struct account_signin *ret, struct session *ret_session);
/* Recovery: the recovery key unwraps the master key; sets the new password and
 * a new recovery key; ends every other session; signs in. */
int account_recover(const struct core *c, const char *login, const char *recovery_key,
		    const char *code, const char *new_password, size_t new_len,
		    struct account_signin *ret, struct session *ret_session);
/* Password change: every other session of the member ends.  The old
 * password is checked under guard g (may be NULL).  The member gets a new
 * master key (issue 11 part 4): everything sealed under the old one is
 * sealed again in the same transaction, and *s holds the new one after. */
int account_change_password(const struct core *c, struct session *s, struct account_guard *g,
			    const char *old_pw, size_t old_len, const char *code,
			    const char *new_pw, size_t new_len);
/* A new recovery key after checking the current one, or a current code of
 * the second factor (either may be NULL, not both; when both are given,
 * both must be right), under g, counted as a password check is:
 * ACCOUNT_WRONG_RECOVERY, ACCOUNT_WRONG_CODE, ACCOUNT_RATE_LIMITED; the old
 * key stops working and every other session of the member ends.  The
 * password alone is not enough: whoever knows it must not be able to take
 * the owner's last way back into their account. */
int account_new_recovery(const struct core *c, const struct session *s, struct account_guard *g,
			 const char *current_key, const char *code,
			 char recovery_out[VAULT_RECOVERY_CHARS + 1]);
/* TOTP set-up after the password (under g): a pending secret to show
 * (factor_totp_begin()); ACCOUNT_FACTOR_ON when it is on already. */
int account_totp_begin(const struct core *c, const struct session *s, struct account_guard *g,
		       const char *password, size_t pwlen, struct factor_setup *ret);
/* The first code of the pending secret turns TOTP on (factor_totp_confirm()):
 * ACCOUNT_WRONG_CODE, ACCOUNT_FACTOR_OFF (nothing pending), ACCOUNT_FACTOR_ON. */
int account_totp_confirm(const struct core *c, const struct session *s, const char *code,
			 struct factor_codes *ret);
/* TOTP off, after the password and a code (under g); ACCOUNT_FACTOR_OFF when it is off. */
int account_totp_remove(const struct core *c, const struct session *s, struct account_guard *g,
			const char *password, size_t pwlen, const char *code);
/*
 * Passkeys (core/passkey.h).  Adding one needs the password (under g) and,
 * for now, TOTP on: its recovery codes are the way back when the passkey
 * is lost (ACCOUNT_FACTOR_OFF without it).  begin makes the "create"
 * challenge for origin; add checks the answer (ACCOUNT_WRONG_CODE when
 * refused, ACCOUNT_PASSKEY_FULL).  Removing one needs the password and an
 * answer of the second factor, as turning TOTP off does.
 */
int account_passkey_begin(const struct core *c, const struct session *s, struct account_guard *g,
			  const char *password, size_t pwlen, const char *origin,
			  char challenge_out[PASSKEY_CHALLENGE_B64]);
int account_passkey_add(const struct core *c, const struct session *s, const char *name,
			const char *credential);
int account_passkey_remove(const struct core *c, const struct session *s, struct account_guard *g,
			   const char *password, size_t pwlen, const char *code, const char *id);
/*
 * A passkey that signs in alone (passkey.h).  Turning it on needs that
 * passkey's own answer, with the member's fingerprint, face or PIN and the
 * PRF's output (ACCOUNT_WRONG_CODE when refused, ACCOUNT_NOT_FOUND,
 * ACCOUNT_PASSKEY_NO_PRF); turning it off needs only the session, since it
 * takes a way in away.  account_passkey_login() signs in with such a
 * passkey's answer to a sign-in challenge, with no password and no second
 * factor (the passkey with the user verified is both): a fresh session as
 * account_login() makes, or ACCOUNT_BAD_CREDENTIALS.
 */
int account_passkey_signin_on(const struct core *c, const struct session *s, const char *id,
			      const char *assertion);
int account_passkey_signin_off(const struct core *c, const struct session *s, const char *id);
int account_passkey_login(const struct core *c, const char *assertion, struct account_signin *ret,
			  struct session *ret_session);
/* Deletes the member's keys and rows (crypto-shredding) after checking the
 * password (under g); the couple goes when empty. */
int account_delete(const struct core *c, const struct session *s, struct account_guard *g,
		   const char *password, size_t pwlen);
/*
 * account_leave() - the member leaves the couple alone, after checking the
 * password (under g): they move to a couple of their own with a new couple
 * key, keeping what they wrote (core's *_leave()); what they shared stays
 * with the partner, under a former-partner row; the partner's next request
 * makes a couple key the leaver never knew.  *s becomes the member's
 * session in the new couple (its row is sealed again; every other session
 * of the member ends).  ACCOUNT_ALONE when there is no partner to leave,
 * ACCOUNT_FORBIDDEN for a therapist, the password check's outcomes.
 */
int account_leave(const struct core *c, struct session *s, struct account_guard *g,
		  const char *password, size_t pwlen);
/* account_password_message() - for an ACCOUNT_PASSWORD_* outcome the sentence
 * to show (password_strerror()), in the thread's language; else NULL. */
const char *account_password_message(int outcome);
int account_set_language(const struct core *c, struct session *s, const char *lang);

/* What PUT /api/v1/me and the settings change; each part is optional. */
struct account_profile {
	const char *display_name; /* NULL: keep (validated by the caller: 1-80 characters) */
	const char *language;	  /* NULL: keep (a supported code) */
	int discreet;		  /* < 0: keep; else 0 or 1 */
	int autolock_minutes;	  /* < 0: keep; else one of SESSION_AUTOLOCK_OK() */
};

/*
 * account_set_profile() - change the parts of p that are given, at once:
 * ACCOUNT_AUTOLOCK_INVALID (and nothing changes) for an idle time that is
 * not one of SESSION_AUTOLOCK_OK(); else 0, with s updated to match (the
 * rest of this request answers in the new language and mode), or < 0.
 */
int account_set_profile(const struct core *c, struct session *s, const struct account_profile *p);

/*
 * account_unlock_session() - a locked session (session.h, auto-lock) asks for the
 * member's password again: checked under g as the other password checks
 * behind a session are, so that a wrong one counts as a failed sign-in
 * (ACCOUNT_WRONG_PASSWORD; ACCOUNT_RATE_LIMITED past the limits, before
 * the password is looked at; ACCOUNT_BUSY).  A right one unlocks s and
 * makes now its last request: 0, or ACCOUNT_SESSION_GONE when the session
 * ended meanwhile.  A session that was not locked is checked the same way.
 */
int account_unlock_session(const struct core *c, struct session *s, struct account_guard *g,
			   const char *password, size_t pwlen);
/* The member and their couple, for display. */
int account_describe(const struct core *c, const struct session *s, struct member_view *ret);
/*
 * A partner invite: token "<id>.<secret>" (VAULT_ID_HEX + 1 +
 * VAULT_SECRET_HEX chars).  In a couple that lost a partner, a new couple
 * key comes first: s's keys change, and so does its row.
 */
int account_invite(const struct core *c, struct session *s,
		   char token_out[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1]);
/* Is this invite token usable now?  0 (yes) or ACCOUNT_INVITE_INVALID; *care (when not
 * NULL) is 1 for a care link, which lets a therapist in (core/care.h). */
int account_invite_check(const struct core *c, const char *token, int *care);

#endif
