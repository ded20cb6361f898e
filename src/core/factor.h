/*
 * factor.h: a member's second factor at sign-in (ASVS 6.3.3): TOTP codes
 * (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) and the one-time
 * recovery codes that stand in for one.
 *
 * The TOTP secret is sealed under a subkey of the member's own master key
 * (MK), so the server computes codes only while it holds MK: at sign-in
 * (after the password), at recovery (after the recovery key), or behind a
 * session.  Recovery codes are stored as keyed hashes under another
 * subkey of MK.  Neither is of use to someone who has only the database.
 *
 * Kinds: today TOTP alone (FACTOR_KIND_TOTP); a passkey (WebAuthn) is a
 * second bit beside it, with its own check, and the recovery codes serve
 * whichever kinds are on.  Callers ask factor_active() whether a second
 * factor is due and factor_check() whether an answer is right.
 *
 * Return values: 0, a positive FACTOR_* outcome, or a negative errno.
 * Nothing here logs; the account's audit rows name events, never codes.
 */
#ifndef KINTSUGI_CORE_FACTOR_H
#define KINTSUGI_CORE_FACTOR_H

#include <stdint.h>

#include "core/session.h"

#define FACTOR_TOTP_SECRET_BYTES 20 /* RFC 4226 section 4: 160 bits recommended */
#define FACTOR_TOTP_B32		 32 /* its base32 (RFC 4648), no padding */
#define FACTOR_TOTP_PERIOD_S	 30 /* RFC 6238's default step, what every app assumes */
#define FACTOR_TOTP_DIGITS	 6
#define FACTOR_TOTP_SKEW	 1  /* steps either side of now: a phone's clock drifts */
#define FACTOR_RECOVERY_CODES	 10 /* shown once when TOTP is turned on */
#define FACTOR_URI_MAX		 640

#define FACTOR_KIND_TOTP	 1u
#define FACTOR_KIND_PASSKEY	 2u /* one passkey or more (core/passkey.h) */

enum factor_result {
	FACTOR_OK = 0,
	FACTOR_WRONG = 1,  /* not a right, unspent code (also: no factor is on) */
	FACTOR_ACTIVE = 2, /* set-up asked while TOTP is already on */
	FACTOR_NONE = 3,   /* nothing pending to confirm, or nothing on to remove */
	_FACTOR_RESULT_MAX
};

/* What a set-up shows: the secret as base32 and as an otpauth:// URI. */
struct factor_setup {
	char secret[FACTOR_TOTP_B32 + 1];
	char uri[FACTOR_URI_MAX];
};

/* The recovery codes made when TOTP is turned on, "XXXXX-XXXXX" each. */
struct factor_codes {
	char code[FACTOR_RECOVERY_CODES][VAULT_CODE_CHARS + 1];
};

/* ---- RFC 6238, pure ---- */

/* factor_totp_step() - the time step of a Unix time: floor(t / 30). */
int64_t factor_totp_step(int64_t unix_s);
/* factor_totp_code() - the TOTP value of key (len bytes) at step, `digits` long (6 to 8). */
uint32_t factor_totp_code(const unsigned char *key, size_t len, int64_t step, unsigned digits);
/*
 * factor_totp_match() - is typed (6 digits, spaces allowed) the code of a
 * step within FACTOR_TOTP_SKEW of now_step and later than last_step?  Every
 * candidate is computed and compared in constant time.  0 with the
 * earliest matching step in *ret_step, else FACTOR_WRONG.
 */
int factor_totp_match(const unsigned char *key, size_t len, const char *typed, int64_t now_step,
		      int64_t last_step, int64_t *ret_step);
/* factor_base32() - RFC 4648 base32 of len bytes, unpadded, into out (len * 8 / 5 + 2 bytes). */
void factor_base32(char *out, const unsigned char *in, size_t len);
/*
 * factor_uri() - "otpauth://totp/kintsugi:<login>?secret=...&issuer=kintsugi
 * &algorithm=SHA1&digits=6&period=30", the login percent-encoded; 0 or
 * -ENAMETOOLONG.
 */
int factor_uri(char *out, size_t len, const char *login, const char *secret_b32);

/* ---- a member's factors ---- */

/* factor_active() - the FACTOR_KIND_* bits member_id has on (0: none): 0 or < 0. */
int factor_active(const struct core *c, const char *couple_id, const char *member_id,
		  unsigned *ret_kinds);
/*
 * factor_check() - is code, as the member typed it, a TOTP code (6 digits)
 * of member_id's active TOTP, or one of their unused recovery codes, or (a
 * JSON object) a passkey assertion of theirs (passkey_check())?  mk is
 * the member's master key.  A right code is spent (its step, or the
 * recovery code) before 0 is returned, atomically, so a code works once.
 * FACTOR_WRONG for anything else, or when no factor is on.
 */
int factor_check(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *mk, const char *code);
/*
 * factor_totp_begin() - a fresh secret for member m (whose MK is mk),
 * pending until confirmed, replacing a pending one; the setup to show into
 * *ret.  FACTOR_ACTIVE when TOTP is already on.
 */
int factor_totp_begin(const struct core *c, const struct member_row *m, const unsigned char *mk,
		      struct factor_setup *ret);
/* factor_totp_pending() - the pending setup of s's member again; FACTOR_NONE when none. */
int factor_totp_pending(const struct core *c, const struct session *s, struct factor_setup *ret);
/*
 * factor_totp_confirm() - a code of the pending secret turns TOTP on: the
 * step is spent, FACTOR_RECOVERY_CODES recovery codes are made (into
 * *ret, shown once), and every other session of the member ends (one may
 * be whoever the member is turning it on against).  FACTOR_WRONG,
 * FACTOR_NONE (nothing pending) or FACTOR_ACTIVE (already on).
 */
int factor_totp_confirm(const struct core *c, const struct session *s, const char *code,
			struct factor_codes *ret);
/*
 * factor_rekey() - the member's master key changes (issue 11 part 4): their
 * TOTP secret, pending or active, opened with from_mk, is sealed again
 * under to_mk, with the key of their recovery codes' hashes, so that the
 * codes they hold keep working.  Inside the caller's transaction.  0 (also
 * when they have none), -EBADMSG when it does not open, or < 0.
 */
int factor_rekey(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *from_mk, const unsigned char *to_mk);
/* factor_remove() - TOTP and the recovery codes of member_id go; FACTOR_NONE when off. */
int factor_remove(const struct core *c, const char *couple_id, const char *member_id);
/* factor_codes_left() - how many unused recovery codes member_id has. */
int factor_codes_left(const struct core *c, const char *couple_id, const char *member_id,
		      size_t *ret_n);

#endif
