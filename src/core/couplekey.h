/*
 * couplekey.h: the couple key's life (DESIGN.md, "Keys"; issue 11 part 5).
 *
 * A couple key (CK) is wrapped to each partner with crypto_box_seal and a
 * tag under the partner's own master key (migration 0008).  It must not
 * outlive a partner: when one leaves the couple or deletes their account,
 * the partner who stays gets a new one at their next request or sign-in
 * (couple_keys.rekey, migration 0014), made by their own session, so that
 * the one who is gone, who knew the old key, opens nothing written after;
 * and when a partner is invited into a couple that lost one, the inviter
 * starts a new key first, so that the newcomer opens nothing written
 * before they joined.
 *
 * The keys a member held before stay theirs: each is sealed under a subkey
 * of the member's master key (old_couple_keys; nobody else can put one
 * there), and a session carries the newest SESSION_OLD_KEYS of them, so
 * that what was written under them still opens for that member, with no
 * database read: session_couple_key(s, i) walks them, newest first.
 */
#ifndef KINTSUGI_CORE_COUPLEKEY_H
#define KINTSUGI_CORE_COUPLEKEY_H

#include "core/session.h"

/*
 * couplekey_wrap_tag() - the tag of a wrap (wrapped, len bytes) of member
 * m (its id, couple and public key) under its master key mk.  0 or
 * -EBADMSG (m is not whole), -ENOMEM.
 */
int couplekey_wrap_tag(const unsigned char mk[VAULT_KEY_BYTES], const struct member_row *m,
		       const unsigned char *wrapped, size_t len,
		       unsigned char out[VAULT_TAG_BYTES]);

/*
 * couplekey_rotate() - inside the caller's transaction: keeps ck (the
 * member's current couple key) among m's old keys, puts a fresh one into
 * ck, and wraps and tags it for m (which clears the wrap's rekey mark).
 * On failure ck is unchanged.  0 or a negative errno.
 */
int couplekey_rotate(const struct core *c, const struct member_row *m,
		     const unsigned char mk[VAULT_KEY_BYTES], unsigned char ck[VAULT_KEY_BYTES]);

/*
 * couplekey_load_old() - the newest SESSION_OLD_KEYS old couple keys of
 * member_id in couple_id into s->ck_old (opened with mk); a key that does
 * not open (changed in the file) is left out.  0 or a negative errno.
 */
int couplekey_load_old(const struct core *c, const char *member_id, const char *couple_id,
		       const unsigned char mk[VAULT_KEY_BYTES], struct session *s);

/*
 * couplekey_take() - inside the caller's transaction: s holds ck as its
 * couple key from now on, with its member's old keys read again, and its
 * row is sealed again.  0, 1 when the row is gone, or < 0.
 */
int couplekey_take(const struct core *c, struct session *s,
		   const unsigned char ck[VAULT_KEY_BYTES]);

/*
 * couplekey_refresh() - a session marked for a new couple key: in one
 * transaction, make the new key (when this is the member's first session
 * to come since the mark) or take the one another session made (its wrap
 * opened with s->sk and its tag checked under s->mk), and seal the
 * session's keys again.  0, 1 when the member or wrap is gone (the caller
 * treats the session as ended), or a negative errno.
 */
int couplekey_refresh(const struct core *c, struct session *s);

/*
 * couplekey_rekey() - inside the caller's transaction: member m's master
 * key changes from from_mk to to_mk (issue 11 part 4).  Their couple key
 * wrap, its tag checked under from_mk, is tagged under to_mk; their old
 * couple keys in their couple are sealed again under to_mk, and those of
 * couples they left go.  -EAGAIN when the wrap is due for a new couple key
 * (couplekey_refresh() comes first), -EBADMSG when its tag does not hold,
 * 0 or < 0.
 */
int couplekey_rekey(const struct core *c, const struct member_row *m,
		    const unsigned char from_mk[VAULT_KEY_BYTES],
		    const unsigned char to_mk[VAULT_KEY_BYTES]);

/*
 * The `shared` argument of the functions below: which key a row is sealed
 * under.  COUPLEKEY_CARE: the care key when the session holds one, else
 * (a couple with no care team yet) the couple key; a partner opens it
 * with the care key, then the couple keys (rows sealed before the care key
 * was made), a therapist with the care key alone.
 */
#define COUPLEKEY_MEMBER 0
#define COUPLEKEY_COUPLE 1
#define COUPLEKEY_CARE	 2

/*
 * couplekey_open() - open blob (blen bytes) sealed under subkey (id, ctx)
 * of the session's master key (shared 0) or of a couple key (shared 1:
 * each of session_couple_key() in turn), with associated data ad, or
 * ad_before (NULL: none) for a row sealed before its AD took its present
 * form.  *ret as vault_open() gives it.  0, VAULT_BAD, or < 0.
 */
int couplekey_open(const struct session *s, int shared, uint64_t id, const char ctx[8],
		   const unsigned char *blob, size_t blen, const char *ad, const char *ad_before,
		   unsigned char **ret, size_t *ret_len);

/* couplekey_seal() - seal under the subkey couplekey_open() tries first. */
int couplekey_seal(const struct session *s, int shared, uint64_t id, const char ctx[8],
		   const void *msg, size_t mlen, const char *ad, unsigned char **ret,
		   size_t *ret_len);

/*
 * couplekey_reseal() - a blob that opens for `from` (as couplekey_open()
 * with ad_from, or ad_before) sealed again for `to` with ad_to, into *out
 * (malloc'd; the caller frees it).  A blob of length 0 stays empty.  0,
 * -EBADMSG when it does not open, or < 0.
 */
int couplekey_reseal(const struct session *from, const struct session *to, int shared, uint64_t id,
		     const char ctx[8], const struct blob *blob, const char *ad_from,
		     const char *ad_before, const char *ad_to, struct blob *out);

#endif
