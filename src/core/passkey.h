/*
 * passkey.h: a member's passkeys (WebAuthn) as a second factor beside
 * TOTP (factor.h): registering one, listing and removing them, the
 * single-use challenges the server issues, and checking an assertion.
 *
 * A passkey is a second factor; the member may also let one sign them in
 * alone, with no password, when it can do the WebAuthn PRF extension:
 * signing in needs the member's master key (MK), and the PRF's output,
 * which the authenticator gives the page only after the member's
 * fingerprint, face or PIN, seeds a key pair to which MK is sealed
 * (migration 0016; security.md, "Passkeys").
 *
 * Each credential's public key is tagged under a subkey of MK (over the
 * member, the credential id and the key), and its name sealed under
 * another, so someone who can write the database can neither put a key of
 * their own in its place nor read what the member called it.  Challenges
 * are made here, stored by their SHA-256 with the member, the purpose and
 * the origin of the request that asked, for PASSKEY_CHALLENGE_TTL_S, and
 * taken (deleted) by the first answer that names them, right or wrong.
 *
 * An answer to the second factor is one string: six digits, a recovery
 * code, or a passkey assertion as PublicKeyCredential.toJSON() writes it
 * (it starts with "{"); factor_check() sends the last here.
 *
 * Return values: 0, a positive PASSKEY_* or FACTOR_* outcome, or a
 * negative errno.  Nothing here logs.
 */
#ifndef KINTSUGI_CORE_PASSKEY_H
#define KINTSUGI_CORE_PASSKEY_H

#include "core/factor.h"
#include "core/session.h"
#include "vault/webauthn.h"

#define PASSKEY_CHALLENGE_TTL_S 120 /* two minutes: a ceremony is a touch or a fingerprint */
#define PASSKEY_CHALLENGE_B64	44  /* base64url of WEBAUTHN_CHALLENGE_BYTES, unpadded, + NUL */
#define PASSKEY_NAME_MAX	64  /* bytes of a passkey's name */
#define PASSKEY_ORIGIN_MAX	520
#define PASSKEY_PURPOSE_CREATE	"create"
#define PASSKEY_PURPOSE_GET	"get"

enum passkey_result {
	PASSKEY_OK = 0,
	PASSKEY_REFUSED = 1,  /* the authenticator's answer did not pass (or no challenge) */
	PASSKEY_FULL = 2,     /* STORE_PASSKEYS_MAX already, or this credential already */
	PASSKEY_NOTFOUND = 3, /* no such passkey of this member */
	PASSKEY_NO_PRF = 4,   /* the answer is right but carries no PRF output: this passkey cannot
				 sign in alone */
	_PASSKEY_RESULT_MAX
};

/* A passkey as the member sees it. */
struct passkey_view {
	char id[VAULT_ID_HEX + 1];
	char name[PASSKEY_NAME_MAX + 1];
	char created_at[STORE_TIME_LEN + 1];
	char last_used_at[STORE_TIME_LEN + 1];		      /* "" when never */
	char credential_id[WEBAUTHN_CRED_ID_MAX * 4 / 3 + 4]; /* base64url */
	int signs_in;					      /* 1: it signs the member in alone */
};

/*
 * passkey_rp_id() - the RP id of origin ("https://host[:port]"): its host,
 * into out.  0, or -EINVAL when origin has no host name (an IPv6 literal
 * or no "://").
 */
int passkey_rp_id(const char *origin, char *out, size_t len);
/*
 * passkey_challenge() - a fresh challenge for member_id, purpose
 * PASSKEY_PURPOSE_*, asked from origin (the server's trusted origin of the
 * request), stored by its hash; its base64url into ret_b64.
 */
int passkey_challenge(const struct core *c, const char *couple_id, const char *member_id,
		      const char *purpose, const char *origin, char ret_b64[PASSKEY_CHALLENGE_B64]);
/*
 * passkey_register() - the member's registration answer (credential: the
 * JSON of PublicKeyCredential.toJSON() after navigator.credentials.create())
 * to one of their "create" challenges, checked (webauthn_register()) and
 * stored with its name (1 to PASSKEY_NAME_MAX bytes), tagged and sealed
 * under s->mk.  Every other session of the member ends.  PASSKEY_REFUSED,
 * PASSKEY_FULL.
 */
int passkey_register(const struct core *c, const struct session *s, const char *name,
		     const char *credential);
/*
 * passkey_check() - an assertion (JSON, after navigator.credentials.get())
 * answering one of member_id's "get" challenges, by one of member_id's
 * passkeys whose tag opens under mk: 0 with the counter moved, else
 * FACTOR_WRONG (the challenge is spent either way).
 */
int passkey_check(const struct core *c, const char *couple_id, const char *member_id,
		  const unsigned char *mk, const char *assertion);
/* passkey_count() - how many passkeys member_id has. */
int passkey_count(const struct core *c, const char *couple_id, const char *member_id,
		  size_t *ret_n);
/*
 * passkey_list() - member_id's passkeys, names opened with mk (one that
 * does not open is left out, counted in c->unreadable); mk NULL: the
 * names stay "" (the credential ids a sign-in's options list).  *ret is
 * malloc'd, the caller frees it (also when *ret_n is 0).
 */
int passkey_list(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *mk, struct passkey_view **ret, size_t *ret_n);
/*
 * passkey_rekey() - the member's master key changes (issue 11 part 4): each
 * of their passkeys is tagged and its name sealed again under to_mk, and
 * one that signs in alone has to_mk sealed to its sign-in key; one whose
 * tag does not hold under from_mk goes, and a sign-in key whose tag does
 * not hold no longer signs in.  Inside the caller's
 * transaction.  0 or < 0.
 */
int passkey_rekey(const struct core *c, const char *couple_id, const char *member_id,
		  const unsigned char *from_mk, const unsigned char *to_mk);
/* passkey_remove() - the member's passkey id goes: 0 or PASSKEY_NOTFOUND. */
int passkey_remove(const struct core *c, const struct session *s, const char *id);

/* ---- signing in with a passkey alone (migration 0016) ---- */

/*
 * passkey_prf_salt() - the salt every ceremony of a sign-in by passkey
 * asks the PRF about, as base64url: the same for everyone (the PRF's
 * output is the credential's own; the salt is no secret).
 */
void passkey_prf_salt(char out[PASSKEY_CHALLENGE_B64]);
/*
 * passkey_signin_challenge() - a fresh challenge of a sign-in by passkey
 * alone, which names no member, asked from origin by client_ip (textual,
 * or NULL); its base64url into ret_b64.  PASSKEY_FULL when
 * STORE_SIGNIN_CHALLENGES_MAX are out, or STORE_SIGNIN_CHALLENGES_PER_ADDRESS
 * from that address (as the sign-in throttle counts it: IPv6 by its /64).
 */
int passkey_signin_challenge(const struct core *c, const char *origin, const char *client_ip,
			     char ret_b64[PASSKEY_CHALLENGE_B64]);
/*
 * passkey_signin_enable() - s's passkey id signs them in alone from now:
 * assertion answers one of s's "get" challenges, by that very passkey,
 * with the user verified and the PRF's output for passkey_prf_salt();
 * MK (s->mk) is sealed to the key pair that output seeds, its public key
 * tagged under MK.  PASSKEY_NOTFOUND (no such passkey of theirs, or the
 * answer is another's), PASSKEY_REFUSED, PASSKEY_NO_PRF.
 */
int passkey_signin_enable(const struct core *c, const struct session *s, const char *id,
			  const char *assertion);
/* passkey_signin_disable() - s's passkey id no longer signs in alone: 0 or PASSKEY_NOTFOUND. */
int passkey_signin_disable(const struct core *c, const struct session *s, const char *id);
/*
 * passkey_signin() - a sign-in by passkey alone: assertion answers a
 * sign-in challenge, by a passkey that signs in alone, with the user
 * verified and the PRF's output, which opens MK; MK's tag of the
 * passkey's sign-in key and of the passkey itself must hold.  0 with the
 * member's couple and id in ret_couple and ret_member and MK in mk (the counter moved), else
 * PASSKEY_REFUSED (the challenge is spent either way).
 */
int passkey_signin(const struct core *c, const char *assertion, char ret_couple[STORE_ID_LEN + 1],
		   char ret_member[STORE_ID_LEN + 1], unsigned char mk[VAULT_KEY_BYTES]);

#endif
