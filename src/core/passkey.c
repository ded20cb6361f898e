/*
 * passkey.c: passkeys as a second factor (passkey.h) over the store's
 * passkeys and passkey_challenges (migration 0010) and the checks of
 * vault/webauthn.h.
 *
 * The expected origin of a ceremony is the one stored with its challenge:
 * the server's trusted origin of the request that asked for it (the public
 * URL, or a Host that is the server's own: kreq_invite_base_url()), never
 * one the client names; the RP id is that origin's host.
 *
 * Keys: the tag is BLAKE2b-keyed under subkey 1 of context PASSKEY_TAG_CTX
 * of MK, over a fixed lead, the member id, the credential id's length and
 * bytes, and the public key; the name is sealed under subkey 1 of
 * PASSKEY_NAME_CTX, its associated data binding the member and the row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/passkey.h"
#include "core/throttle.h"

#define PASSKEY_TAG_CTX	    "pktag___"
#define PASSKEY_NAME_CTX    "pkname__"
#define PASSKEY_SIGNIN_CTX  "pksignin"
#define PASSKEY_LEAD	    "kintsugi passkey|"
#define PASSKEY_SIGNIN_LEAD "kintsugi passkey sign-in|"
#define PASSKEY_SEED_DOMAIN "passkey-signin-seed"
#define PASSKEY_SALT_TEXT   "kintsugi: a passkey that signs in alone, v1"
#define PASSKEY_FIND_MAX    16 /* members whose passkeys share one credential id: a few at most */

static int store_err(int r)
{
	return r > 0 ? -EIO : r;
}

int passkey_rp_id(const char *origin, char *out, size_t len)
{
	const char *host = origin ? strstr(origin, "://") : NULL;
	size_t n;

	if (!host || host[3] == '\0' || host[3] == '[')
		return -EINVAL;
	host += 3;
	n = strcspn(host, ":/");
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(out, host, n);
	out[n] = '\0';
	return 0;
}

static void challenge_hash(const unsigned char ch[WEBAUTHN_CHALLENGE_BYTES],
			   unsigned char out[STORE_CHALLENGE_HASH_LEN])
{
	crypto_hash_sha256(out, ch, WEBAUTHN_CHALLENGE_BYTES);
}

/*
 * A fresh challenge asked from origin, stored by its hash: the member's
 * for purpose, or (member_id NULL) a sign-in's that names no one, asked
 * from address (a keyed hash); its base64url into ret_b64.  PASSKEY_FULL
 * when the sign-ins' are all out, or that address's.
 */
static int challenge_new(const struct core *c, const char *couple_id, const char *member_id,
			 const char *purpose, const unsigned char *address, const char *origin,
			 char ret_b64[PASSKEY_CHALLENGE_B64])
{
	unsigned char ch[WEBAUTHN_CHALLENGE_BYTES], hash[STORE_CHALLENGE_HASH_LEN];
	int64_t expires = (int64_t)time(NULL) + PASSKEY_CHALLENGE_TTL_S;
	char rp[256];
	int r;

	if (!origin || strlen(origin) >= PASSKEY_ORIGIN_MAX ||
	    passkey_rp_id(origin, rp, sizeof(rp)) != 0)
		return -EINVAL;
	vault_random(ch, sizeof(ch));
	challenge_hash(ch, hash);
	r = member_id ? STORE_CALL(c->st, challenge_put, couple_id, member_id, hash, purpose,
				   origin, expires)
		      : STORE_CALL(c->st, signin_challenge_put, hash, address, origin, expires);
	if (r == 0)
		sodium_bin2base64(ret_b64, PASSKEY_CHALLENGE_B64, ch, sizeof(ch),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	vault_wipe(ch, sizeof(ch));
	return r == STORE_CONFLICT && !member_id ? PASSKEY_FULL : store_err(r);
}

int passkey_challenge(const struct core *c, const char *couple_id, const char *member_id,
		      const char *purpose, const char *origin, char ret_b64[PASSKEY_CHALLENGE_B64])
{
	return member_id ? challenge_new(c, couple_id, member_id, purpose, NULL, origin, ret_b64)
			 : -EINVAL;
}

/*
 * Takes the member's challenge that the client data names, for purpose:
 * the expectation to check against into e (challenge into ch, origin and
 * RP id into the buffers).  PASSKEY_REFUSED when there is none.
 */
static int challenge_take(const struct core *c, const char *couple_id, const char *member_id,
			  const char *purpose, const struct webauthn_response *w,
			  unsigned char ch[WEBAUTHN_CHALLENGE_BYTES],
			  char origin[PASSKEY_ORIGIN_MAX], char rp[256], struct webauthn_expect *e)
{
	unsigned char hash[STORE_CHALLENGE_HASH_LEN];
	int r;

	if (webauthn_client_challenge(w->client_data, w->cd_len, ch) != 0)
		return PASSKEY_REFUSED;
	challenge_hash(ch, hash);
	r = STORE_CALL(c->st, challenge_take, couple_id, member_id, hash, purpose,
		       (int64_t)time(NULL), origin, PASSKEY_ORIGIN_MAX);
	if (r == STORE_NOTFOUND)
		return PASSKEY_REFUSED;
	if (r != 0)
		return store_err(r);
	if (passkey_rp_id(origin, rp, 256) != 0)
		return PASSKEY_REFUSED;
	e->challenge = ch;
	e->origin = origin;
	e->rp_id = rp;
	e->require_uv = 0; /* a second factor: possession is what it proves */
	return 0;
}

static int passkey_tag(const unsigned char *mk, const char *member_id, const unsigned char *cred,
		       size_t cred_len, const unsigned char pk[WEBAUTHN_PK_BYTES],
		       unsigned char out[VAULT_TAG_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES], msg[sizeof(PASSKEY_LEAD) + STORE_ID_LEN + 3 +
						WEBAUTHN_CRED_ID_MAX + WEBAUTHN_PK_BYTES];
	size_t n = strlen(PASSKEY_LEAD);

	/* the lead and the id have fixed lengths, the credential id a length before it */
	if (strlen(member_id) != STORE_ID_LEN || cred_len == 0 || cred_len > WEBAUTHN_CRED_ID_MAX)
		return -EBADMSG;
	memcpy(msg, PASSKEY_LEAD, sizeof(PASSKEY_LEAD)); /* its NUL is overwritten next */
	memcpy(msg + n, member_id, STORE_ID_LEN);
	n += STORE_ID_LEN;
	msg[n++] = '|';
	msg[n++] = (unsigned char)(cred_len >> 8);
	msg[n++] = (unsigned char)cred_len;
	memcpy(msg + n, cred, cred_len);
	n += cred_len;
	memcpy(msg + n, pk, WEBAUTHN_PK_BYTES);
	n += WEBAUTHN_PK_BYTES;
	vault_derive(key, mk, 1, PASSKEY_TAG_CTX);
	vault_tag(out, key, msg, n);
	vault_wipe(key, sizeof(key));
	return 0;
}

static void name_ad(char *ad, size_t len, const char *member_id, const char *id)
{
	snprintf(ad, len, "passkey.name|%s|%s", member_id, id);
}

static void response_free(struct webauthn_response *w)
{
	if (w) {
		vault_wipe(w, sizeof(*w));
		free(w);
	}
}

static struct webauthn_response *response_parse(const char *json, int create)
{
	struct webauthn_response *w;

	if (!json || json[0] != '{')
		return NULL;
	w = malloc(sizeof(*w));
	if (w && webauthn_response_parse(json, strlen(json), create, w) != 0) {
		response_free(w);
		w = NULL;
	}
	return w;
}

/* Fills row p (id, blobs pointing into cred and tag, the sealed name) for a new passkey. */
static int passkey_row_make(const struct session *s, const char *name,
			    struct webauthn_credential *cred, unsigned char tag[VAULT_TAG_BYTES],
			    struct passkey_row *p)
{
	unsigned char key[VAULT_KEY_BYTES];
	char ad[128];
	int r;

	memset(p, 0, sizeof(*p));
	vault_random_id(p->id);
	session_now(p->created_at, 0);
	r = passkey_tag(s->mk, s->member_id, cred->id, cred->id_len, cred->public_key, tag);
	if (r != 0)
		return r;
	vault_derive(key, s->mk, 1, PASSKEY_NAME_CTX);
	name_ad(ad, sizeof(ad), s->member_id, p->id);
	r = vault_seal(key, name, strlen(name), ad, &p->name_sealed.data, &p->name_sealed.len);
	vault_wipe(key, sizeof(key));
	p->credential_id = (struct blob){cred->id, cred->id_len};
	p->public_key = (struct blob){cred->public_key, WEBAUTHN_PK_BYTES};
	p->tag = (struct blob){tag, VAULT_TAG_BYTES};
	p->sign_count = cred->sign_count;
	return r;
}

int passkey_register(const struct core *c, const struct session *s, const char *name,
		     const char *credential)
{
	unsigned char ch[WEBAUTHN_CHALLENGE_BYTES], tag[VAULT_TAG_BYTES];
	char origin[PASSKEY_ORIGIN_MAX], rp[256];
	struct webauthn_credential cred;
	struct webauthn_expect e;
	struct webauthn_response *w = response_parse(credential, 1);
	struct passkey_row p;
	int r;

	memset(&p, 0, sizeof(p));
	if (!w)
		return PASSKEY_REFUSED;
	if (!name || !*name || strlen(name) > PASSKEY_NAME_MAX) {
		response_free(w);
		return -EINVAL;
	}
	r = challenge_take(c, s->couple_id, s->member_id, PASSKEY_PURPOSE_CREATE, w, ch, origin, rp,
			   &e);
	if (r == 0 &&
	    webauthn_register(&e, w->client_data, w->cd_len, w->att_obj, w->att_len, &cred) != 0)
		r = PASSKEY_REFUSED;
	/* the id the browser reports is the one the authenticator attested */
	if (r == 0 &&
	    (cred.id_len != w->raw_id_len || memcmp(cred.id, w->raw_id, cred.id_len) != 0))
		r = PASSKEY_REFUSED;
	if (r == 0)
		r = passkey_row_make(s, name, &cred, tag, &p);
	if (r == 0)
		r = c->st->ops->begin(c->st);
	if (r == 0) {
		r = STORE_CALL(c->st, passkey_put, s->couple_id, s->member_id, &p);
		if (r == 0)
			r = STORE_CALL(c->st, session_delete_member, s->couple_id, s->member_id,
				       s->id);
		if (r == STORE_NOTFOUND)
			r = 0;
		if (r == 0)
			r = c->st->ops->commit(c->st);
		else
			(void)c->st->ops->rollback(c->st);
		r = r == STORE_CONFLICT ? PASSKEY_FULL : store_err(r);
	}
	free(p.name_sealed.data);
	response_free(w);
	return r;
}

/*
 * The member's passkey p answered w: its tag under mk, and the assertion
 * as e expects it (UV when it asks); the counter moved.  0 or
 * PASSKEY_REFUSED (or < 0).
 */
static int passkey_assert(const struct core *c, const char *couple_id, const char *member_id,
			  const unsigned char *mk, const struct webauthn_expect *e,
			  const struct webauthn_response *w, const struct passkey_row *p)
{
	unsigned char want[VAULT_TAG_BYTES];
	char now[STORE_TIME_LEN + 1];
	uint32_t count = 0;
	int r;

	if (p->public_key.len != WEBAUTHN_PK_BYTES || p->tag.len != VAULT_TAG_BYTES ||
	    passkey_tag(mk, member_id, p->credential_id.data, p->credential_id.len,
			p->public_key.data, want) != 0 ||
	    !vault_equal(want, p->tag.data, VAULT_TAG_BYTES))
		return PASSKEY_REFUSED; /* a key someone put in the file */
	if (webauthn_assert(e, p->public_key.data, (uint32_t)p->sign_count, w->client_data,
			    w->cd_len, w->auth_data, w->ad_len, w->sig, w->sig_len, &count) != 0)
		return PASSKEY_REFUSED;
	session_now(now, 0);
	r = STORE_CALL(c->st, passkey_use, couple_id, member_id, p->id, p->sign_count, count, now);
	return r == STORE_CONFLICT ? PASSKEY_REFUSED : store_err(r);
}

int passkey_check(const struct core *c, const char *couple_id, const char *member_id,
		  const unsigned char *mk, const char *assertion)
{
	unsigned char ch[WEBAUTHN_CHALLENGE_BYTES];
	char origin[PASSKEY_ORIGIN_MAX], rp[256];
	struct webauthn_response *w = response_parse(assertion, 0);
	struct webauthn_expect e;
	struct passkey_row p;
	int r;

	memset(&p, 0, sizeof(p));
	if (!w)
		return FACTOR_WRONG;
	r = challenge_take(c, couple_id, member_id, PASSKEY_PURPOSE_GET, w, ch, origin, rp, &e);
	if (r == 0) {
		/* only the member's own credentials: another's id is no passkey of theirs */
		r = STORE_CALL(c->st, passkey_get, couple_id, member_id, w->raw_id, w->raw_id_len,
			       &p);
		r = r == STORE_NOTFOUND ? PASSKEY_REFUSED : store_err(r);
	}
	if (r == 0)
		r = passkey_assert(c, couple_id, member_id, mk, &e, w, &p);
	store_passkey_free(&p);
	response_free(w);
	return r == PASSKEY_REFUSED ? FACTOR_WRONG : r;
}

int passkey_count(const struct core *c, const char *couple_id, const char *member_id, size_t *ret_n)
{
	struct passkey_row *list = NULL;
	int r = STORE_CALL(c->st, passkey_list, couple_id, member_id, &list, ret_n);

	if (r == 0)
		store_passkey_list_free(list, *ret_n);
	return store_err(r);
}

int passkey_list(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *mk, struct passkey_view **ret, size_t *ret_n)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct passkey_row *rows = NULL;
	struct passkey_view *out;
	size_t n = 0, i, k = 0;
	char ad[128];
	int r;

	r = STORE_CALL(c->st, passkey_list, couple_id, member_id, &rows, &n);
	if (r != 0)
		return store_err(r);
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out) {
		store_passkey_list_free(rows, n);
		return -ENOMEM;
	}
	if (mk)
		vault_derive(key, mk, 1, PASSKEY_NAME_CTX);
	for (i = 0; i < n && r == 0; i++) {
		unsigned char *name = NULL;
		size_t len = 0;

		name_ad(ad, sizeof(ad), member_id, rows[i].id);
		if (mk)
			r = vault_open(key, rows[i].name_sealed.data, rows[i].name_sealed.len, ad,
				       &name, &len);
		if (r == 0 && (len > PASSKEY_NAME_MAX || rows[i].credential_id.len == 0 ||
			       rows[i].credential_id.len > WEBAUTHN_CRED_ID_MAX))
			r = -EBADMSG;
		if (r != 0) {
			free(name);
			r = core_skip_unreadable(c, r > 0 ? -EBADMSG : r);
			continue;
		}
		memcpy(out[k].id, rows[i].id, sizeof(out[k].id));
		if (name)
			memcpy(out[k].name, name, len);
		out[k].name[len] = '\0';
		memcpy(out[k].created_at, rows[i].created_at, sizeof(out[k].created_at));
		memcpy(out[k].last_used_at, rows[i].last_used_at, sizeof(out[k].last_used_at));
		out[k].signs_in = rows[i].signin.len > 0;
		sodium_bin2base64(out[k].credential_id, sizeof(out[k].credential_id),
				  rows[i].credential_id.data, rows[i].credential_id.len,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		free(name);
		k++;
	}
	vault_wipe(key, sizeof(key));
	store_passkey_list_free(rows, n);
	if (r != 0) {
		free(out);
		return r;
	}
	*ret = out;
	*ret_n = k;
	return 0;
}

/* ---- signing in with a passkey alone (migration 0016) ---- */

/*
 * The tag of a passkey's sign-in public key pk under mk: over a fixed
 * lead, the member, the credential id (its length first) and pk, as
 * passkey_tag() is over the passkey's own key.
 */
static int signin_tag(const unsigned char *mk, const char *member_id, const struct blob *cred,
		      const unsigned char pk[VAULT_PK_BYTES], unsigned char out[VAULT_TAG_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES], msg[sizeof(PASSKEY_SIGNIN_LEAD) + STORE_ID_LEN + 3 +
						WEBAUTHN_CRED_ID_MAX + VAULT_PK_BYTES];
	size_t n = strlen(PASSKEY_SIGNIN_LEAD);

	if (strlen(member_id) != STORE_ID_LEN || cred->len == 0 || cred->len > WEBAUTHN_CRED_ID_MAX)
		return -EBADMSG;
	memcpy(msg, PASSKEY_SIGNIN_LEAD, sizeof(PASSKEY_SIGNIN_LEAD));
	memcpy(msg + n, member_id, STORE_ID_LEN);
	n += STORE_ID_LEN;
	msg[n++] = '|';
	msg[n++] = (unsigned char)(cred->len >> 8);
	msg[n++] = (unsigned char)cred->len;
	memcpy(msg + n, cred->data, cred->len);
	n += cred->len;
	memcpy(msg + n, pk, VAULT_PK_BYTES);
	n += VAULT_PK_BYTES;
	vault_derive(key, mk, 1, PASSKEY_SIGNIN_CTX);
	vault_tag(out, key, msg, n);
	vault_wipe(key, sizeof(key));
	return 0;
}

/*
 * The key pair the PRF's output seeds for the member's credential: a hash
 * of the output, the member and the credential id, so that the same
 * authenticator secret never makes one key pair for two rows.
 */
static int signin_keypair(const unsigned char prf[WEBAUTHN_PRF_BYTES], const char *member_id,
			  const struct blob *cred, unsigned char pk[VAULT_PK_BYTES],
			  unsigned char sk[VAULT_SK_BYTES])
{
	unsigned char msg[WEBAUTHN_PRF_BYTES + STORE_ID_LEN + WEBAUTHN_CRED_ID_MAX],
		seed[VAULT_KEY_BYTES];

	if (strlen(member_id) != STORE_ID_LEN || cred->len == 0 || cred->len > WEBAUTHN_CRED_ID_MAX)
		return -EBADMSG;
	memcpy(msg, prf, WEBAUTHN_PRF_BYTES);
	memcpy(msg + WEBAUTHN_PRF_BYTES, member_id, STORE_ID_LEN);
	memcpy(msg + WEBAUTHN_PRF_BYTES + STORE_ID_LEN, cred->data, cred->len);
	vault_hash(seed, PASSKEY_SEED_DOMAIN, msg, WEBAUTHN_PRF_BYTES + STORE_ID_LEN + cred->len);
	vault_box_seed_keypair(pk, sk, seed);
	vault_wipe(msg, sizeof(msg));
	vault_wipe(seed, sizeof(seed));
	return 0;
}

/* mk sealed to the sign-in key pk of the member's passkey p, and pk's tag, stored. */
static int signin_store(const struct core *c, const char *couple_id, const char *member_id,
			const struct passkey_row *p, const unsigned char *mk,
			const unsigned char pk[VAULT_PK_BYTES])
{
	unsigned char form[STORE_SIGNIN_FORM];
	struct blob signin = {form, sizeof(form)}, sealed = {NULL, 0};
	int r;

	_Static_assert(STORE_SIGNIN_FORM == VAULT_PK_BYTES + VAULT_TAG_BYTES, "pk || tag");
	memcpy(form, pk, VAULT_PK_BYTES);
	r = signin_tag(mk, member_id, &p->credential_id, pk, form + VAULT_PK_BYTES);
	if (r == 0)
		r = vault_box_seal(pk, mk, VAULT_KEY_BYTES, &sealed.data, &sealed.len);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, passkey_signin_set, couple_id, member_id, p->id,
					 &signin, &sealed));
	free(sealed.data);
	return r;
}

/* Whether p's sign-in public key carries its tag under mk. */
static int signin_tag_holds(const unsigned char *mk, const char *member_id,
			    const struct passkey_row *p)
{
	unsigned char want[VAULT_TAG_BYTES];

	return p->signin.len == STORE_SIGNIN_FORM &&
	       signin_tag(mk, member_id, &p->credential_id, p->signin.data, want) == 0 &&
	       vault_equal(want, p->signin.data + VAULT_PK_BYTES, VAULT_TAG_BYTES);
}

/*
 * A new MK for a passkey that signs in alone: to_mk sealed to the same
 * sign-in key, which needs no passkey at hand.  A key whose tag does not
 * hold under from_mk was put there by someone else: nothing is sealed to
 * it, and the passkey no longer signs in.
 */
static int signin_rekey(const struct core *c, const char *couple_id, const char *member_id,
			const unsigned char *from_mk, const unsigned char *to_mk,
			const struct passkey_row *p)
{
	if (!signin_tag_holds(from_mk, member_id, p))
		return STORE_CALL(c->st, passkey_signin_set, couple_id, member_id, p->id, NULL,
				  NULL);
	return signin_store(c, couple_id, member_id, p, to_mk, p->signin.data);
}

void passkey_prf_salt(char out[PASSKEY_CHALLENGE_B64])
{
	unsigned char salt[WEBAUTHN_PRF_BYTES];

	crypto_hash_sha256(salt, (const unsigned char *)PASSKEY_SALT_TEXT,
			   strlen(PASSKEY_SALT_TEXT));
	sodium_bin2base64(out, PASSKEY_CHALLENGE_B64, salt, sizeof(salt),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int passkey_signin_challenge(const struct core *c, const char *origin, const char *client_ip,
			     char ret_b64[PASSKEY_CHALLENGE_B64])
{
	static const unsigned char unknown[STORE_THROTTLE_KEY_LEN];
	struct throttle_keys k;

	/* an address that does not parse counts with every other such one */
	throttle_keys_make(&k, NULL, client_ip);
	return challenge_new(c, NULL, NULL, NULL, k.has_address ? k.address : unknown, origin,
			     ret_b64);
}

int passkey_signin_enable(const struct core *c, const struct session *s, const char *id,
			  const char *assertion)
{
	unsigned char ch[WEBAUTHN_CHALLENGE_BYTES], pk[VAULT_PK_BYTES], sk[VAULT_SK_BYTES];
	char origin[PASSKEY_ORIGIN_MAX], rp[256];
	struct webauthn_response *w = response_parse(assertion, 0);
	struct webauthn_expect e;
	struct passkey_row p;
	int r;

	memset(&p, 0, sizeof(p));
	if (!w)
		return PASSKEY_REFUSED;
	r = challenge_take(c, s->couple_id, s->member_id, PASSKEY_PURPOSE_GET, w, ch, origin, rp,
			   &e);
	if (r == 0) {
		r = STORE_CALL(c->st, passkey_get, s->couple_id, s->member_id, w->raw_id,
			       w->raw_id_len, &p);
		r = r == STORE_NOTFOUND ? PASSKEY_NOTFOUND : store_err(r);
	}
	if (r == 0 && strcmp(p.id, id) != 0)
		r = PASSKEY_NOTFOUND; /* another passkey of theirs answered */
	e.require_uv = 1; /* alone, it must be the member: their fingerprint, face or PIN */
	if (r == 0)
		r = passkey_assert(c, s->couple_id, s->member_id, s->mk, &e, w, &p);
	if (r == 0 && !w->has_prf)
		r = PASSKEY_NO_PRF;
	if (r == 0)
		r = signin_keypair(w->prf, s->member_id, &p.credential_id, pk, sk);
	if (r == 0)
		r = signin_store(c, s->couple_id, s->member_id, &p, s->mk, pk);
	vault_wipe(sk, sizeof(sk));
	store_passkey_free(&p);
	response_free(w);
	return r;
}

int passkey_signin_disable(const struct core *c, const struct session *s, const char *id)
{
	int r = STORE_CALL(c->st, passkey_signin_set, s->couple_id, s->member_id, id, NULL, NULL);

	return r == STORE_NOTFOUND ? PASSKEY_NOTFOUND : store_err(r);
}

/*
 * MK from the sign-in key of passkey p, which the PRF's output prf seeds:
 * the key must be the one stored, MK must open, and MK's tag of that key
 * must hold.  0 or PASSKEY_REFUSED.
 */
static int signin_open(const unsigned char prf[WEBAUTHN_PRF_BYTES], const struct passkey_row *p,
		       unsigned char mk[VAULT_KEY_BYTES])
{
	unsigned char pk[VAULT_PK_BYTES], sk[VAULT_SK_BYTES];
	int r = PASSKEY_REFUSED;

	if (p->signin.len == STORE_SIGNIN_FORM &&
	    signin_keypair(prf, p->member_id, &p->credential_id, pk, sk) == 0 &&
	    vault_equal(pk, p->signin.data, VAULT_PK_BYTES) &&
	    vault_box_open(pk, sk, p->mk_sealed.data, p->mk_sealed.len, mk, VAULT_KEY_BYTES) == 0)
		r = signin_tag_holds(mk, p->member_id, p) ? 0 : PASSKEY_REFUSED;
	vault_wipe(sk, sizeof(sk));
	if (r != 0)
		vault_wipe(mk, VAULT_KEY_BYTES);
	return r;
}

int passkey_signin(const struct core *c, const char *assertion, char ret_couple[STORE_ID_LEN + 1],
		   char ret_member[STORE_ID_LEN + 1], unsigned char mk[VAULT_KEY_BYTES])
{
	unsigned char ch[WEBAUTHN_CHALLENGE_BYTES], hash[STORE_CHALLENGE_HASH_LEN];
	char origin[PASSKEY_ORIGIN_MAX], rp[256];
	struct webauthn_response *w = response_parse(assertion, 0);
	struct webauthn_expect e;
	struct passkey_row *rows = NULL;
	size_t n = 0, i;
	int r = PASSKEY_REFUSED, found = 0;

	if (!w)
		return PASSKEY_REFUSED;
	if (webauthn_client_challenge(w->client_data, w->cd_len, ch) == 0) {
		challenge_hash(ch, hash);
		r = STORE_CALL(c->st, signin_challenge_take, hash, (int64_t)time(NULL), origin,
			       sizeof(origin));
		r = r == STORE_NOTFOUND ? PASSKEY_REFUSED : store_err(r);
	}
	if (r == 0 && (passkey_rp_id(origin, rp, sizeof(rp)) != 0 || !w->has_prf))
		r = PASSKEY_REFUSED;
	e = (struct webauthn_expect){ch, origin, rp, 1};
	if (r == 0) {
		r = store_err(STORE_CALL(c->st, passkey_find, w->raw_id, w->raw_id_len, &rows, &n));
		if (r == 0 && n == 0)
			r = PASSKEY_REFUSED;
	}
	/* the one whose sign-in key the PRF's output opens, and whose signature holds */
	for (i = 0; r == 0 && !found && i < n && i < PASSKEY_FIND_MAX; i++) {
		if (signin_open(w->prf, &rows[i], mk) != 0)
			continue;
		r = passkey_assert(c, rows[i].couple_id, rows[i].member_id, mk, &e, w, &rows[i]);
		if (r == 0) {
			memcpy(ret_member, rows[i].member_id, STORE_ID_LEN + 1);
			memcpy(ret_couple, rows[i].couple_id, STORE_ID_LEN + 1);
			found = 1;
			continue;
		}
		vault_wipe(mk, VAULT_KEY_BYTES);
		r = r == PASSKEY_REFUSED ? 0 : r;
	}
	if (r == 0 && !found)
		r = PASSKEY_REFUSED;
	store_passkey_list_free(rows, n);
	response_free(w);
	return r;
}

/*
 * One passkey of the member under a new master key: its tag checked under
 * from_mk and made again under to_mk, its name sealed again.  A passkey
 * whose tag or name does not open was not put there by the member: it goes,
 * and is not laundered under the new key.
 */
static int passkey_rekey_one(const struct core *c, const char *couple_id, const char *member_id,
			     const unsigned char *from_mk, const unsigned char *to_mk,
			     const struct passkey_row *p)
{
	unsigned char want[VAULT_TAG_BYTES], tag[VAULT_TAG_BYTES], key[VAULT_KEY_BYTES];
	unsigned char *name = NULL;
	struct blob sealed = {NULL, 0}, tagb = {tag, sizeof(tag)};
	size_t len = 0;
	char ad[128];
	int r = -EBADMSG;

	if (p->public_key.len == WEBAUTHN_PK_BYTES && p->tag.len == VAULT_TAG_BYTES &&
	    passkey_tag(from_mk, member_id, p->credential_id.data, p->credential_id.len,
			p->public_key.data, want) == 0 &&
	    vault_equal(want, p->tag.data, VAULT_TAG_BYTES)) {
		name_ad(ad, sizeof(ad), member_id, p->id);
		vault_derive(key, from_mk, 1, PASSKEY_NAME_CTX);
		r = vault_open(key, p->name_sealed.data, p->name_sealed.len, ad, &name, &len);
		if (r == 0)
			r = passkey_tag(to_mk, member_id, p->credential_id.data,
					p->credential_id.len, p->public_key.data, tag);
		if (r == 0) {
			vault_derive(key, to_mk, 1, PASSKEY_NAME_CTX);
			r = vault_seal(key, name, len, ad, &sealed.data, &sealed.len);
		}
		vault_wipe(key, sizeof(key));
		if (name)
			vault_wipe(name, len);
		free(name);
	}
	if (r == 0) {
		r = STORE_CALL(c->st, passkey_reseal, couple_id, member_id, p->id, &tagb, &sealed);
		if (r == 0 && p->signin.len > 0)
			r = signin_rekey(c, couple_id, member_id, from_mk, to_mk, p);
	} else if (r > 0 || r == -EBADMSG) {
		r = STORE_CALL(c->st, passkey_delete, couple_id, member_id, p->id);
	}
	free(sealed.data);
	return store_err(r);
}

int passkey_rekey(const struct core *c, const char *couple_id, const char *member_id,
		  const unsigned char *from_mk, const unsigned char *to_mk)
{
	struct passkey_row *rows = NULL;
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, passkey_list, couple_id, member_id, &rows, &n);
	if (r != 0)
		return store_err(r);
	for (i = 0; i < n && r == 0; i++)
		r = passkey_rekey_one(c, couple_id, member_id, from_mk, to_mk, &rows[i]);
	store_passkey_list_free(rows, n);
	return r;
}

int passkey_remove(const struct core *c, const struct session *s, const char *id)
{
	int r = STORE_CALL(c->st, passkey_delete, s->couple_id, s->member_id, id);

	if (r == STORE_NOTFOUND)
		return PASSKEY_NOTFOUND;
	return store_err(r);
}
