/*
 * couplekey.c: a couple key that does not outlive a partner (couplekey.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/couplekey.h"

#define WRAP_CTX  "ckwrap__"
#define WRAP_LEAD "kintsugi couple key wrap|"
#define OLD_CTX	  "oldckey_"
#define OLD_AD	  "old_couple_keys|"
/* old couple keys sealed again at a new master key: far more than a member ever has */
#define OLD_REKEY_MAX 4096

int couplekey_wrap_tag(const unsigned char mk[VAULT_KEY_BYTES], const struct member_row *m,
		       const unsigned char *wrapped, size_t len, unsigned char out[VAULT_TAG_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES], *msg;
	size_t head = strlen(WRAP_LEAD) + 2 * (STORE_ID_LEN + 1);
	size_t n = head + VAULT_PK_BYTES + len;

	/* every piece but the last has a fixed length: the message is unambiguous */
	if (m->public_key.len != VAULT_PK_BYTES || strlen(m->couple_id) != STORE_ID_LEN ||
	    strlen(m->id) != STORE_ID_LEN || !wrapped)
		return -EBADMSG;
	msg = malloc(n + 1); /* + 1: snprintf's NUL, overwritten by the public key */
	if (!msg)
		return -ENOMEM;
	snprintf((char *)msg, head + 1, "%s%s|%s|", WRAP_LEAD, m->couple_id, m->id);
	memcpy(msg + head, m->public_key.data, VAULT_PK_BYTES);
	memcpy(msg + head + VAULT_PK_BYTES, wrapped, len);
	vault_derive(key, mk, 1, WRAP_CTX);
	vault_tag(out, key, msg, n);
	vault_wipe(key, sizeof(key));
	free(msg);
	return 0;
}

/* The key and AD an old couple key of member in couple is sealed with. */
static void old_key(const unsigned char mk[VAULT_KEY_BYTES], const char *member_id,
		    const char *couple_id, unsigned char key[VAULT_KEY_BYTES], char *ad, size_t len)
{
	vault_derive(key, mk, 1, OLD_CTX);
	snprintf(ad, len, OLD_AD "%s|%s", member_id, couple_id);
}

static int store_err(int r)
{
	return r > 0 ? -EIO : r;
}

int couplekey_rotate(const struct core *c, const struct member_row *m,
		     const unsigned char mk[VAULT_KEY_BYTES], unsigned char ck[VAULT_KEY_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES], fresh[VAULT_KEY_BYTES], tag[VAULT_TAG_BYTES];
	unsigned char *wrapped = NULL;
	struct blob sealed = {NULL, 0};
	char ad[128], now[STORE_TIME_LEN + 1];
	size_t wrapped_len = 0;
	int r;

	if (m->public_key.len != VAULT_PK_BYTES)
		return -EBADMSG;
	old_key(mk, m->id, m->couple_id, key, ad, sizeof(ad));
	r = vault_seal(key, ck, VAULT_KEY_BYTES, ad, &sealed.data, &sealed.len);
	vault_wipe(key, sizeof(key));
	if (r < 0)
		return r;
	session_now(now, 0);
	r = store_err(STORE_CALL(c->st, old_key_add, m->id, m->couple_id, &sealed, now));
	free(sealed.data);
	if (r < 0)
		return r;
	vault_random(fresh, sizeof(fresh));
	r = vault_box_seal(m->public_key.data, fresh, sizeof(fresh), &wrapped, &wrapped_len);
	if (r == 0)
		r = couplekey_wrap_tag(mk, m, wrapped, wrapped_len, tag);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, couple_key_put, m->couple_id, m->id, wrapped,
					 wrapped_len, tag, sizeof(tag)));
	if (r == 0)
		memcpy(ck, fresh, VAULT_KEY_BYTES);
	vault_wipe(fresh, sizeof(fresh));
	free(wrapped);
	return r;
}

int couplekey_load_old(const struct core *c, const char *member_id, const char *couple_id,
		       const unsigned char mk[VAULT_KEY_BYTES], struct session *s)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct blob *keys = NULL;
	int64_t *nums = NULL;
	size_t n = 0, i;
	unsigned k = 0;
	char ad[128];
	int r;

	r = STORE_CALL(c->st, old_keys_get, member_id, couple_id, SESSION_OLD_KEYS, &keys, &nums,
		       &n);
	if (r != 0)
		return store_err(r);
	old_key(mk, member_id, couple_id, key, ad, sizeof(ad));
	for (i = 0; i < n; i++) {
		if (k < SESSION_OLD_KEYS && vault_open_into(key, keys[i].data, keys[i].len, ad,
							    s->ck_old[k], VAULT_KEY_BYTES) == 0)
			k++;
		store_blob_free(&keys[i]);
	}
	s->n_ck_old = k;
	vault_wipe(key, sizeof(key));
	free(keys);
	free(nums);
	return 0;
}

/* The member's wrap as another of their sessions made it: its tag checked, opened into ck. */
static int couplekey_adopt(const struct core *c, const struct member_row *m,
			   const struct session *s, unsigned char ck[VAULT_KEY_BYTES])
{
	struct blob wrapped = {NULL, 0}, tag = {NULL, 0};
	unsigned char want[VAULT_TAG_BYTES];
	int r;

	r = STORE_CALL(c->st, couple_key_get, m->couple_id, m->id, &wrapped, &tag);
	if (r != 0)
		return r == STORE_NOTFOUND ? 1 : store_err(r);
	r = tag.len == VAULT_TAG_BYTES
		    ? couplekey_wrap_tag(s->mk, m, wrapped.data, wrapped.len, want)
		    : -EBADMSG;
	if (r == 0 && !vault_equal(want, tag.data, VAULT_TAG_BYTES))
		r = -EBADMSG;
	if (r == 0 && vault_box_open(m->public_key.data, s->sk, wrapped.data, wrapped.len, ck,
				     VAULT_KEY_BYTES) != 0)
		r = -EBADMSG;
	store_blob_free(&wrapped);
	store_blob_free(&tag);
	return r;
}

int couplekey_take(const struct core *c, struct session *s, const unsigned char ck[VAULT_KEY_BYTES])
{
	int r;

	memcpy(s->ck, ck, VAULT_KEY_BYTES);
	r = couplekey_load_old(c, s->member_id, s->couple_id, s->mk, s);
	return r == 0 ? session_reseal(c, s) : r;
}

int couplekey_refresh(const struct core *c, struct session *s)
{
	struct member_row m;
	unsigned char ck[VAULT_KEY_BYTES];
	int r;

	memset(&m, 0, sizeof(m));
	r = c->st->ops->begin(c->st);
	if (r != 0)
		return store_err(r);
	r = STORE_CALL(c->st, member_get, s->couple_id, s->member_id, &m);
	if (r == STORE_NOTFOUND || (r == 0 && strcmp(m.couple_id, s->couple_id) != 0))
		r = 1; /* the member is gone, or moved: this session is not theirs any more */
	else
		r = store_err(r);
	if (r == 0 && m.public_key.len != VAULT_PK_BYTES)
		r = -EBADMSG;
	memcpy(ck, s->ck, sizeof(ck));
	if (r == 0) {
		r = STORE_CALL(c->st, couple_rekey_due, s->couple_id, s->member_id);
		if (r == 0)
			r = couplekey_rotate(c, &m, s->mk, ck);
		else if (r == STORE_NOTFOUND)
			r = couplekey_adopt(c, &m, s, ck);
		else
			r = store_err(r);
	}
	if (r == 0)
		r = couplekey_take(c, s, ck);
	if (r == 0)
		r = store_err(c->st->ops->commit(c->st));
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	vault_wipe(ck, sizeof(ck));
	store_member_free(&m);
	return r;
}

/* The member's old couple keys in their couple, opened under from_mk, sealed again under to_mk. */
static int couplekey_rekey_old(const struct core *c, const struct member_row *m,
			       const unsigned char from_mk[VAULT_KEY_BYTES],
			       const unsigned char to_mk[VAULT_KEY_BYTES])
{
	unsigned char from[VAULT_KEY_BYTES], to[VAULT_KEY_BYTES], ck[VAULT_KEY_BYTES];
	struct blob *keys = NULL, sealed = {NULL, 0};
	int64_t *nums = NULL;
	size_t n = 0, i;
	char ad[128];
	int r;

	r = STORE_CALL(c->st, old_keys_get, m->id, m->couple_id, OLD_REKEY_MAX, &keys, &nums, &n);
	if (r != 0)
		return store_err(r);
	old_key(from_mk, m->id, m->couple_id, from, ad, sizeof(ad));
	old_key(to_mk, m->id, m->couple_id, to, ad, sizeof(ad));
	for (i = 0; i < n; i++) {
		/* one that does not open (changed in the file) opens under no key: left as it is */
		if (r == 0 && vault_open_into(from, keys[i].data, keys[i].len, ad, ck,
					      VAULT_KEY_BYTES) == 0) {
			r = vault_seal(to, ck, VAULT_KEY_BYTES, ad, &sealed.data, &sealed.len);
			if (r == 0)
				r = store_err(STORE_CALL(c->st, old_key_set, m->id, m->couple_id,
							 nums[i], &sealed));
			free(sealed.data);
			sealed.data = NULL;
		}
		store_blob_free(&keys[i]);
	}
	vault_wipe(ck, sizeof(ck));
	vault_wipe(from, sizeof(from));
	vault_wipe(to, sizeof(to));
	free(keys);
	free(nums);
	return r;
}

int couplekey_rekey(const struct core *c, const struct member_row *m,
		    const unsigned char from_mk[VAULT_KEY_BYTES],
		    const unsigned char to_mk[VAULT_KEY_BYTES])
{
	struct blob wrapped = {NULL, 0}, tag = {NULL, 0};
	unsigned char want[VAULT_TAG_BYTES];
	int r;

	r = STORE_CALL(c->st, couple_rekey_due, m->couple_id, m->id);
	if (r == 0)
		return -EAGAIN; /* a new couple key comes first: the next request makes it */
	if (r != STORE_NOTFOUND)
		return store_err(r);
	r = STORE_CALL(c->st, couple_key_get, m->couple_id, m->id, &wrapped, &tag);
	if (r != 0)
		return store_err(r);
	/* the wrap is the member's own before its tag is made under the new key */
	r = tag.len == VAULT_TAG_BYTES
		    ? couplekey_wrap_tag(from_mk, m, wrapped.data, wrapped.len, want)
		    : -EBADMSG;
	if (r == 0 && !vault_equal(want, tag.data, VAULT_TAG_BYTES))
		r = -EBADMSG;
	if (r == 0)
		r = couplekey_wrap_tag(to_mk, m, wrapped.data, wrapped.len, want);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, couple_key_put, m->couple_id, m->id, wrapped.data,
					 wrapped.len, want, sizeof(want)));
	store_blob_free(&wrapped);
	store_blob_free(&tag);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, old_keys_drop_others, m->id, m->couple_id));
	return r == 0 ? couplekey_rekey_old(c, m, from_mk, to_mk) : r;
}

/* 1 when s holds couple keys: a partner's session (a therapist's ck slot is the care key). */
static int couplekey_held(const struct session *s)
{
	return strcmp(s->role, "therapist") != 0;
}

/* The i-th key that may open a row sealed for `shared`, or NULL past the last. */
static const unsigned char *couplekey_nth(const struct session *s, int shared, unsigned i)
{
	if (shared == COUPLEKEY_MEMBER)
		return i == 0 ? s->mk : NULL;
	if (shared == COUPLEKEY_CARE && s->has_tk) {
		if (i == 0)
			return s->tk;
		i--;
	}
	return couplekey_held(s) ? session_couple_key(s, i) : NULL;
}

int couplekey_open(const struct session *s, int shared, uint64_t id, const char ctx[8],
		   const unsigned char *blob, size_t blen, const char *ad, const char *ad_before,
		   unsigned char **ret, size_t *ret_len)
{
	unsigned char key[VAULT_KEY_BYTES];
	const unsigned char *from;
	int r = VAULT_BAD;

	for (unsigned i = 0; r == VAULT_BAD; i++) {
		from = couplekey_nth(s, shared, i);
		if (!from)
			break;
		vault_derive(key, from, id, ctx);
		r = vault_open(key, blob, blen, ad, ret, ret_len);
		if (r == VAULT_BAD && ad_before)
			r = vault_open(key, blob, blen, ad_before, ret, ret_len);
	}
	vault_wipe(key, sizeof(key));
	return r;
}

int couplekey_seal(const struct session *s, int shared, uint64_t id, const char ctx[8],
		   const void *msg, size_t mlen, const char *ad, unsigned char **ret,
		   size_t *ret_len)
{
	unsigned char key[VAULT_KEY_BYTES];
	const unsigned char *from = couplekey_nth(s, shared, 0);
	int r;

	if (!from)
		return -EACCES; /* a therapist with no care key, or one writing for the couple */
	vault_derive(key, from, id, ctx);
	r = vault_seal(key, msg, mlen, ad, ret, ret_len);
	vault_wipe(key, sizeof(key));
	return r;
}

int couplekey_reseal(const struct session *from, const struct session *to, int shared, uint64_t id,
		     const char ctx[8], const struct blob *blob, const char *ad_from,
		     const char *ad_before, const char *ad_to, struct blob *out)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	int r;

	out->data = NULL;
	out->len = 0;
	if (blob->len == 0)
		return 0;
	r = couplekey_open(from, shared, id, ctx, blob->data, blob->len, ad_from, ad_before, &plain,
			   &len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	r = couplekey_seal(to, shared, id, ctx, plain, len, ad_to, &out->data, &out->len);
	vault_wipe(plain, len);
	free(plain);
	return r;
}
