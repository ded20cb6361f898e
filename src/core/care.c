/*
 * care.c: the care team and its key (care.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/care.h"
#include "core/checkin.h"
#include "core/couplekey.h"
#include "core/devices.h"
#include "core/item.h"
#include "limits.h"

#define CARE_KEY_ID   1
#define CARE_KEY_CTX  "carekey_"
#define CARE_NOTE_ID  2
#define CARE_NOTE_CTX "carenote"

static int store_err(int r)
{
	return r > 0 ? -EIO : r;
}

static int care_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

static void care_key_ad(char *ad, size_t len, const char *couple_id)
{
	snprintf(ad, len, "care_keys|%s", couple_id);
}

static void care_note_ad(char *ad, size_t len, const struct care_invite_row *row)
{
	snprintf(ad, len, "care_invites.note|%s|%s|%s", row->id, row->couple_id, row->proposed_by);
}

void care_invite_clear(struct care_invite *inv)
{
	if (!inv)
		return;
	if (inv->note) {
		vault_wipe(inv->note, strlen(inv->note));
		free(inv->note);
	}
	memset(inv, 0, sizeof(*inv));
}

void care_invites_free(struct care_invite *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		care_invite_clear(&list[i]);
	free(list);
}

int care_load(const struct core *c, struct session *s, int care_ended)
{
	struct blob sealed = {NULL, 0};
	unsigned char *plain = NULL;
	size_t len = 0;
	char ad[96];
	int r;

	s->has_tk = 0;
	s->care_ended = 0;
	if (strcmp(s->role, "therapist") == 0) {
		s->care_ended = care_ended != 0;
		if (!s->care_ended) {
			memcpy(s->tk, s->ck, VAULT_KEY_BYTES);
			s->has_tk = 1;
		}
		return 0;
	}
	r = STORE_CALL(c->st, care_key_get, s->couple_id, &sealed);
	if (r == STORE_NOTFOUND)
		return 0;
	if (r != 0)
		return store_err(r);
	care_key_ad(ad, sizeof(ad), s->couple_id);
	r = couplekey_open(s, COUPLEKEY_COUPLE, CARE_KEY_ID, CARE_KEY_CTX, sealed.data, sealed.len,
			   ad, NULL, &plain, &len);
	store_blob_free(&sealed);
	if (r == 0 && len == VAULT_KEY_BYTES) {
		memcpy(s->tk, plain, VAULT_KEY_BYTES);
		s->has_tk = 1;
	}
	if (plain) {
		vault_wipe(plain, len);
		free(plain);
	}
	/* a row that does not open (changed in the file) gives no care key: care rows stay shut */
	return r < 0 ? r : 0;
}

/* The couple's care key row: tk sealed under the session's couple key. */
static int care_key_write(const struct core *c, const struct session *s,
			  const unsigned char tk[VAULT_KEY_BYTES])
{
	struct blob sealed = {NULL, 0};
	char ad[96], now[STORE_TIME_LEN + 1];
	int r;

	care_key_ad(ad, sizeof(ad), s->couple_id);
	r = couplekey_seal(s, COUPLEKEY_COUPLE, CARE_KEY_ID, CARE_KEY_CTX, tk, VAULT_KEY_BYTES, ad,
			   &sealed.data, &sealed.len);
	if (r != 0)
		return r;
	session_now(now, 0);
	r = store_err(STORE_CALL(c->st, care_key_put, s->couple_id, &sealed, now));
	free(sealed.data);
	return r;
}

/*
 * Inside the caller's transaction: a fresh care key for s's couple; every
 * care row sealed again under it (from what s opens them with now), the
 * couple's row written, and s holding it.  The therapists' wraps are the
 * caller's.
 */
static int care_key_new(const struct core *c, struct session *s, unsigned char tk[VAULT_KEY_BYTES])
{
	struct session *to;
	int r;

	to = vault_secure_alloc(sizeof(*to));
	if (!to)
		return -ENOMEM;
	memcpy(to, s, sizeof(*to));
	vault_random(to->tk, VAULT_KEY_BYTES);
	to->has_tk = 1;
	r = item_care_reseal(c, s, to);
	if (r == 0)
		r = checkin_care_reseal(c, s, to);
	if (r == 0)
		r = care_key_write(c, to, to->tk);
	if (r == 0) {
		memcpy(tk, to->tk, VAULT_KEY_BYTES);
		memcpy(s->tk, to->tk, VAULT_KEY_BYTES);
		s->has_tk = 1;
	}
	vault_secure_free(to);
	return r;
}

static int care_invite_view(const struct session *s, const struct care_invite_row *row,
			    struct care_invite *ret)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	char ad[160];
	int r;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->id, sizeof(ret->id), "%s", row->id);
	snprintf(ret->status, sizeof(ret->status), "%s", row->status);
	snprintf(ret->proposed_by, sizeof(ret->proposed_by), "%s", row->proposed_by);
	snprintf(ret->approved_by, sizeof(ret->approved_by), "%s", row->approved_by);
	snprintf(ret->created_at, sizeof(ret->created_at), "%s", row->created_at);
	if (row->note_sealed.len == 0)
		return 0;
	care_note_ad(ad, sizeof(ad), row);
	r = couplekey_open(s, COUPLEKEY_COUPLE, CARE_NOTE_ID, CARE_NOTE_CTX, row->note_sealed.data,
			   row->note_sealed.len, ad, NULL, &plain, &len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	ret->note = malloc(len + 1);
	if (ret->note) {
		memcpy(ret->note, plain, len);
		ret->note[len] = '\0';
	}
	vault_wipe(plain, len);
	free(plain);
	return ret->note ? 0 : -ENOMEM;
}

int care_propose(const struct core *c, const struct session *s, const char *note, size_t len,
		 struct care_invite *ret)
{
	struct care_invite_row row;
	char ad[160];
	int r;

	if (!care_partner(s))
		return CARE_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	snprintf(row.couple_id, sizeof(row.couple_id), "%s", s->couple_id);
	snprintf(row.proposed_by, sizeof(row.proposed_by), "%s", s->member_id);
	snprintf(row.status, sizeof(row.status), "awaiting_partner");
	session_now(row.created_at, 0);
	memcpy(row.updated_at, row.created_at, sizeof(row.updated_at));
	if (note && len > 0) {
		care_note_ad(ad, sizeof(ad), &row);
		r = couplekey_seal(s, COUPLEKEY_COUPLE, CARE_NOTE_ID, CARE_NOTE_CTX, note, len, ad,
				   &row.note_sealed.data, &row.note_sealed.len);
		if (r != 0)
			return r;
	}
	r = store_err(STORE_CALL(c->st, care_invite_insert, &row));
	if (r == 0)
		r = care_invite_view(s, &row, ret);
	if (r == 0)
		devices_audit(c, s->couple_id, s->member_id, "care_invite_proposed", NULL);
	store_blob_free(&row.note_sealed);
	return r;
}

/* The invite id of s's couple into row: CARE_NOTFOUND, or 0 (free row.note_sealed). */
static int care_invite_row_get(const struct core *c, const struct session *s, const char *id,
			       struct care_invite_row *row)
{
	int r = STORE_CALL(c->st, care_invite_get, s->couple_id, id, row);

	return r == STORE_NOTFOUND ? CARE_NOTFOUND : store_err(r);
}

/* The link: an invites row under the invite's id, tk sealed under its secret's key. */
static int care_link(const struct core *c, const struct session *s, const char *id,
		     const unsigned char tk[VAULT_KEY_BYTES], char *token_out)
{
	struct invite_row inv;
	unsigned char secret[VAULT_SECRET_BYTES], hash[32], key[VAULT_KEY_BYTES];
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char ad[128], secret_hex[VAULT_SECRET_HEX + 1];
	int r;

	memset(&inv, 0, sizeof(inv));
	snprintf(inv.id, sizeof(inv.id), "%s", id);
	snprintf(inv.couple_id, sizeof(inv.couple_id), "%s", s->couple_id);
	snprintf(inv.role, sizeof(inv.role), "therapist");
	session_now(inv.created_at, 0);
	session_now(inv.expires_at, LIMIT_INVITE_TTL_S);
	vault_random(secret, sizeof(secret));
	vault_hash(hash, "kintsugi invite id", secret, sizeof(secret));
	vault_hash(key, "kintsugi invite key", secret, sizeof(secret));
	/* the AD account_join() opens a link's key with (account.c, invite_ad()) */
	snprintf(ad, sizeof(ad), "invites.ck|%s|%s", inv.id, inv.couple_id);
	r = vault_seal(key, tk, VAULT_KEY_BYTES, ad, &sealed, &sealed_len);
	if (r == 0) {
		inv.secret_hash.data = hash;
		inv.secret_hash.len = sizeof(hash);
		inv.ck_wrapped.data = sealed;
		inv.ck_wrapped.len = sealed_len;
		r = store_err(STORE_CALL(c->st, invite_insert, &inv));
	}
	if (r == 0) {
		vault_hex(secret_hex, secret, sizeof(secret));
		snprintf(token_out, CARE_TOKEN_LEN + 1, "%s.%s", id, secret_hex);
		vault_wipe(secret_hex, sizeof(secret_hex));
	}
	free(sealed);
	vault_wipe(secret, sizeof(secret));
	vault_wipe(key, sizeof(key));
	return r;
}

int care_approve(const struct core *c, struct session *s, const char *id, struct care_invite *ret,
		 char *token_out)
{
	struct care_invite_row row;
	unsigned char tk[VAULT_KEY_BYTES];
	char now[STORE_TIME_LEN + 1];
	int r;

	if (!care_partner(s))
		return CARE_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	/* the care key as it is now, inside the write lock: another request may have just made one
	 */
	r = care_load(c, s, 0);
	if (r == 0)
		r = care_invite_row_get(c, s, id, &row);
	/* the one who proposed never approves: the link needs both partners */
	if (r == 0 && strcmp(row.proposed_by, s->member_id) == 0)
		r = CARE_FORBIDDEN;
	else if (r == 0 && strcmp(row.status, "awaiting_partner") != 0)
		r = CARE_CONFLICT;
	if (r == 0 && s->has_tk)
		memcpy(tk, s->tk, sizeof(tk));
	else if (r == 0)
		r = care_key_new(c, s, tk);
	if (r == 0)
		r = care_link(c, s, row.id, tk, token_out);
	session_now(now, 0);
	if (r == 0) {
		r = STORE_CALL(c->st, care_invite_move, s->couple_id, id, "awaiting_partner",
			       "approved", s->member_id, now);
		r = r == STORE_NOTFOUND ? CARE_CONFLICT : store_err(r);
	}
	if (r == 0) {
		snprintf(row.status, sizeof(row.status), "approved");
		snprintf(row.approved_by, sizeof(row.approved_by), "%s", s->member_id);
		r = care_invite_view(s, &row, ret);
	}
	r = item_tx_end(c, r);
	if (r == 0)
		devices_audit(c, s->couple_id, s->member_id, "care_invite_approved", NULL);
	else
		vault_wipe(token_out, CARE_TOKEN_LEN + 1);
	vault_wipe(tk, sizeof(tk));
	store_blob_free(&row.note_sealed);
	return r;
}

int care_cancel(const struct core *c, const struct session *s, const char *id,
		struct care_invite *ret)
{
	struct care_invite_row row;
	char now[STORE_TIME_LEN + 1];
	int r;

	if (!care_partner(s))
		return CARE_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	r = care_invite_row_get(c, s, id, &row);
	if (r == 0 && strcmp(row.status, "awaiting_partner") != 0 &&
	    strcmp(row.status, "approved") != 0)
		r = CARE_CONFLICT;
	session_now(now, 0);
	if (r == 0) {
		r = STORE_CALL(c->st, care_invite_move, s->couple_id, id, row.status, "cancelled",
			       NULL, now);
		r = r == STORE_NOTFOUND ? CARE_CONFLICT : store_err(r);
	}
	/* an approved one has a link, holding the care key under its secret: it goes */
	if (r == 0 && strcmp(row.status, "approved") == 0) {
		r = STORE_CALL(c->st, invite_consume, s->couple_id, id);
		r = r == STORE_NOTFOUND ? CARE_CONFLICT : store_err(r);
	}
	if (r == 0) {
		snprintf(row.status, sizeof(row.status), "cancelled");
		r = care_invite_view(s, &row, ret);
	}
	r = item_tx_end(c, r);
	if (r == 0)
		devices_audit(c, s->couple_id, s->member_id, "care_invite_cancelled", NULL);
	store_blob_free(&row.note_sealed);
	return r;
}

int care_invites(const struct core *c, const struct session *s, struct care_invite **ret, size_t *n)
{
	struct care_invite_row *rows = NULL;
	struct care_invite *out = NULL;
	size_t nrows = 0, i;
	int r;

	*ret = NULL;
	*n = 0;
	if (!care_partner(s))
		return CARE_FORBIDDEN;
	r = store_err(STORE_CALL(c->st, care_invite_list, s->couple_id, &rows, &nrows));
	if (r != 0)
		return r;
	if (nrows > 0) {
		out = calloc(nrows, sizeof(*out));
		if (!out)
			r = -ENOMEM;
	}
	for (i = 0; r == 0 && i < nrows; i++)
		r = care_invite_view(s, &rows[i], &out[i]);
	store_care_invite_list_free(rows, nrows);
	if (r != 0) {
		care_invites_free(out, nrows);
		return r;
	}
	*ret = out;
	*n = nrows;
	return 0;
}

int care_team(const struct core *c, const struct session *s, struct care_therapist **ret, size_t *n)
{
	struct member_brief *list = NULL;
	struct care_therapist *out = NULL;
	size_t nlist = 0, i, k = 0;
	int r;

	*ret = NULL;
	*n = 0;
	if (!care_partner(s))
		return CARE_FORBIDDEN;
	r = STORE_CALL(c->st, couple_members, s->couple_id, &list, &nlist);
	if (r != 0)
		return store_err(r);
	if (nlist > 0) {
		out = calloc(nlist, sizeof(*out));
		if (!out)
			r = -ENOMEM;
	}
	for (i = 0; r == 0 && i < nlist; i++) {
		if (strcmp(list[i].role, "therapist") != 0 || list[i].care_ended)
			continue;
		snprintf(out[k].id, sizeof(out[k].id), "%s", list[i].id);
		snprintf(out[k].display_name, sizeof(out[k].display_name), "%s",
			 list[i].display_name);
		snprintf(out[k].since, sizeof(out[k].since), "%s", list[i].since);
		k++;
	}
	free(list);
	if (r != 0) {
		free(out);
		return r;
	}
	*ret = out;
	*n = k;
	return 0;
}

/* Seals tk to therapist member_id's public key, as their wrap. */
static int care_wrap_to(const struct core *c, const char *couple_id, const char *member_id,
			const unsigned char *pk, const unsigned char tk[VAULT_KEY_BYTES])
{
	struct blob wrapped = {NULL, 0};
	int r;

	r = vault_box_seal(pk, tk, VAULT_KEY_BYTES, &wrapped.data, &wrapped.len);
	if (r != 0)
		return r;
	r = store_err(STORE_CALL(c->st, care_wrap_put, couple_id, member_id, &wrapped));
	free(wrapped.data);
	return r;
}

/*
 * Inside the caller's transaction: the therapists of s's couple: the one
 * ending (NULL: every one) is marked ended and loses their wrap; every one
 * is signed out; the others (keep_tk) get tk wrapped to them.  Links
 * approved but not used go, since they hold the old key.
 */
static int care_therapists_after(const struct core *c, const struct session *s, const char *ending,
				 const unsigned char *tk)
{
	struct member_brief *list = NULL;
	struct member_row m;
	char now[STORE_TIME_LEN + 1];
	size_t n = 0, i;
	int r;

	session_now(now, 0);
	r = store_err(STORE_CALL(c->st, couple_members, s->couple_id, &list, &n));
	for (i = 0; r == 0 && i < n; i++) {
		int ends;

		if (strcmp(list[i].role, "therapist") != 0)
			continue;
		r = STORE_CALL(c->st, session_delete_member, s->couple_id, list[i].id, NULL);
		r = r == STORE_NOTFOUND ? 0 : store_err(r);
		if (r != 0 || list[i].care_ended)
			continue;
		ends = !ending || strcmp(ending, list[i].id) == 0;
		if (ends) {
			r = store_err(STORE_CALL(c->st, care_end, s->couple_id, list[i].id, now));
			if (r == 0) {
				r = STORE_CALL(c->st, care_wrap_delete, s->couple_id, list[i].id);
				r = r == STORE_NOTFOUND ? 0 : store_err(r);
			}
			continue;
		}
		memset(&m, 0, sizeof(m));
		r = store_err(STORE_CALL(c->st, member_get, s->couple_id, list[i].id, &m));
		if (r == 0 && m.public_key.len != VAULT_PK_BYTES)
			r = -EBADMSG;
		if (r == 0 && tk)
			r = care_wrap_to(c, s->couple_id, m.id, m.public_key.data, tk);
		store_member_free(&m);
	}
	free(list);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, care_invites_cancel_approved, s->couple_id, now));
	if (r == 0)
		r = store_err(STORE_CALL(c->st, invite_revoke_open, s->couple_id, "therapist"));
	return r;
}

int care_end(const struct core *c, struct session *s, const char *member_id)
{
	struct member_row m;
	unsigned char tk[VAULT_KEY_BYTES];
	int r;

	if (!care_partner(s))
		return CARE_FORBIDDEN;
	memset(&m, 0, sizeof(m));
	r = item_tx_begin(c);
	if (r != 0)
		return r;
	/* the care key as it is now, inside the write lock: another ending may have just changed it
	 */
	r = care_load(c, s, 0);
	if (r == 0) {
		r = STORE_CALL(c->st, member_get, s->couple_id, member_id, &m);
		r = r == STORE_NOTFOUND ? CARE_NOTFOUND : store_err(r);
	}
	if (r == 0 && (strcmp(m.couple_id, s->couple_id) != 0 || strcmp(m.role, "therapist") != 0))
		r = CARE_NOTFOUND;
	if (r == 0) {
		/* ended already: nothing to end (the member stays, for what they wrote) */
		struct member_standing st;

		r = STORE_CALL(c->st, member_standing, s->couple_id, member_id, &st);
		r = r == STORE_NOTFOUND ? CARE_NOTFOUND : store_err(r);
		if (r == 0 && st.care_ended)
			r = CARE_NOTFOUND;
	}
	/* a new key first, every care row sealed again under it, then the wraps */
	if (r == 0)
		r = care_key_new(c, s, tk);
	if (r == 0)
		r = care_therapists_after(c, s, member_id, tk);
	r = item_tx_end(c, r);
	if (r == 0)
		devices_audit(c, s->couple_id, s->member_id, "care_access_ended", NULL);
	else
		(void)care_load(c, s, 0); /* the key s held before, as the store still has it */
	vault_wipe(tk, sizeof(tk));
	store_member_free(&m);
	return r;
}

int care_retire(const struct core *c, struct session *s)
{
	struct session *to;
	int r;

	if (!care_partner(s))
		return 0;
	r = care_load(c, s, 0); /* inside the caller's write lock: the key as it is now */
	if (r != 0)
		return r;
	if (!s->has_tk)
		return care_therapists_after(c, s, NULL, NULL);
	to = vault_secure_alloc(sizeof(*to));
	if (!to)
		return -ENOMEM;
	memcpy(to, s, sizeof(*to));
	vault_wipe(to->tk, sizeof(to->tk));
	to->has_tk = 0;
	r = item_care_reseal(c, s, to);
	if (r == 0)
		r = checkin_care_reseal(c, s, to);
	vault_secure_free(to);
	if (r == 0) {
		r = STORE_CALL(c->st, care_key_delete, s->couple_id);
		r = r == STORE_NOTFOUND ? 0 : store_err(r);
	}
	if (r == 0)
		r = care_therapists_after(c, s, NULL, NULL);
	if (r == 0) {
		vault_wipe(s->tk, sizeof(s->tk));
		s->has_tk = 0;
	}
	return r;
}

int care_open_wrap(const struct core *c, const char *couple_id, const char *member_id,
		   const unsigned char *pk, const unsigned char *sk, unsigned char *tk)
{
	struct blob wrapped = {NULL, 0};
	int r;

	r = STORE_CALL(c->st, care_wrap_get, couple_id, member_id, &wrapped);
	if (r == STORE_NOTFOUND)
		return 1;
	if (r != 0)
		return store_err(r);
	r = vault_box_open(pk, sk, wrapped.data, wrapped.len, tk, VAULT_KEY_BYTES);
	store_blob_free(&wrapped);
	return r > 0 ? -EBADMSG : r;
}

int care_join_wrap(const struct core *c, const char *couple_id, const char *member_id,
		   const unsigned char *pk, const unsigned char *tk, const char *invite_id)
{
	char now[STORE_TIME_LEN + 1];
	int r;

	session_now(now, 0);
	r = STORE_CALL(c->st, care_invite_move, couple_id, invite_id, "approved", "used", NULL,
		       now);
	if (r == STORE_NOTFOUND)
		return CARE_CONFLICT;
	if (r != 0)
		return store_err(r);
	return care_wrap_to(c, couple_id, member_id, pk, tk);
}
