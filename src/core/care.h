/*
 * care.h: the care team (DESIGN.md, Keys and Visibility; issue 14, step 4).
 *
 * A therapist joins a couple only with both partners' consent: one partner
 * proposes an invite, the other approves it, and only the approval makes
 * its link (once).  The therapist has an account and keys of their own
 * (role "therapist") and reads only what a partner shared with the care
 * team, sealed under the couple's care key (TK):
 *
 * - TK is random, made at the first approval; the rows shared with the
 *   care team before it (sealed under the couple key) are sealed again
 *   under it then, so that a therapist reads them too.
 * - Each partner opens TK from the couple's care_keys row, sealed under a
 *   subkey of the couple key, at each request (care_load()).
 * - Each therapist with active access holds TK sealed to their public key
 *   (care_wraps); their session carries it in the couple key's place.
 * - Either partner alone ends a therapist's access (care_end()): in one
 *   transaction the therapist is marked ended, their wrap goes, every
 *   therapist of the couple is signed out, a new TK is made, every care
 *   row is sealed again under it, and it is wrapped to the therapists who
 *   stay (who sign in again to take it); links approved but not used hold
 *   the old TK under their secret, so they are cancelled.
 * - A partner who leaves the couple takes the care team with them: every
 *   therapist's access ends and the care rows go back under the couple key
 *   (care_retire()), which the partner who stays replaces; a later
 *   approval makes a new TK.
 *
 * Return values: 0, a positive enum care_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_CARE_H
#define KINTSUGI_CORE_CARE_H

#include <stddef.h>

#include "core/session.h"

enum care_result {
	CARE_OK = 0,
	CARE_NOTFOUND = 1,  /* no such invite or therapist in the caller's couple (404) */
	CARE_FORBIDDEN = 2, /* not the caller's to do: approving one's own proposal (403) */
	CARE_CONFLICT = 3,  /* approved, used or cancelled already (409) */
};

/* The most characters of an invite's note. */
#define CARE_NOTE_MAX 500
/* "<32 hex>.<64 hex>": the link's token */
#define CARE_TOKEN_LEN (VAULT_ID_HEX + 1 + VAULT_SECRET_HEX)

struct care_invite {
	char id[VAULT_ID_HEX + 1];
	char status[24]; /* awaiting_partner | approved | used | cancelled */
	char proposed_by[VAULT_ID_HEX + 1];
	char approved_by[VAULT_ID_HEX + 1]; /* "" until approved */
	char created_at[STORE_TIME_LEN + 1];
	char *note; /* NUL-terminated, NULL: none; care_invite_clear() frees it */
};

struct care_therapist {
	char id[VAULT_ID_HEX + 1];
	char display_name[512];
	char since[STORE_TIME_LEN + 1];
};

void care_invite_clear(struct care_invite *inv);
void care_invites_free(struct care_invite *list, size_t n);

/*
 * care_load() - the session's care key for this request: a partner's from
 * the couple's row (none: s->has_tk 0), a therapist's from their ck slot
 * unless their access ended (care_ended from the member's row).  0 or < 0.
 */
int care_load(const struct core *c, struct session *s, int care_ended);

/* care_propose() - a partner proposes inviting a therapist; *ret awaits the other. */
int care_propose(const struct core *c, const struct session *s, const char *note, size_t len,
		 struct care_invite *ret);

/*
 * care_approve() - the other partner approves invite id: the care key is
 * made when the couple has none, and the link's token (CARE_TOKEN_LEN + 1
 * bytes) is written into token_out, the only time it exists.
 */
int care_approve(const struct core *c, struct session *s, const char *id, struct care_invite *ret,
		 char *token_out);

/* care_cancel() - either partner cancels an invite not used yet. */
int care_cancel(const struct core *c, const struct session *s, const char *id,
		struct care_invite *ret);

/* care_invites() - the couple's invites awaiting a partner or approved, newest first. */
int care_invites(const struct core *c, const struct session *s, struct care_invite **ret,
		 size_t *n);

/* care_team() - the couple's therapists whose access is active, oldest first. */
int care_team(const struct core *c, const struct session *s, struct care_therapist **ret,
	      size_t *n);

/* care_end() - a partner ends therapist member_id's access, at once (see above). */
int care_end(const struct core *c, struct session *s, const char *member_id);

/*
 * care_retire() - inside the caller's transaction, for partner s who leaves
 * the couple: every therapist's access ends and the care rows go back under
 * the couple key; s holds no care key after.  0 or < 0.
 */
int care_retire(const struct core *c, struct session *s);

/*
 * care_open_wrap() - a therapist's care key at sign-in: their wrap opened
 * with their key pair into tk; 1 when they have none (access ended), 0, < 0.
 */
int care_open_wrap(const struct core *c, const char *couple_id, const char *member_id,
		   const unsigned char *pk, const unsigned char *sk, unsigned char *tk);

/*
 * care_join_wrap() - inside the join's transaction: therapist member_id
 * (public key pk) holds tk from now on, and invite id is used.  0,
 * CARE_CONFLICT when the invite was cancelled meanwhile, or < 0.
 */
int care_join_wrap(const struct core *c, const char *couple_id, const char *member_id,
		   const unsigned char *pk, const unsigned char *tk, const char *invite_id);

#endif
