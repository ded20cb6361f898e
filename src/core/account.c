/*
 * account.c: accounts, pairing and the key scheme of DESIGN.md ("Keys").
 *
 * A member has a random master key (MK).  It is sealed twice: under a key
 * derived from the password with Argon2id (KEK), and under a key derived
 * from the recovery key shown once at sign-up, so that a forgotten password
 * loses nothing.  The member's X25519 secret key is sealed under MK.  The
 * couple key (CK) is sealed to each partner's public key; while an invite
 * is open, it is also sealed under a key derived from the invite link's
 * secret, and that copy is dropped when the partner joins.
 *
 * Argon2id is memory-hard on purpose, so a burst of sign-ins could exhaust
 * memory: a process-wide semaphore lets at most `concurrency` run at once
 * and makes the rest wait a little, then answer ACCOUNT_BUSY.
 *
 * A new password is checked against core/password.h's rules before any
 * hashing.  The password checks behind a session count their failures
 * with the sign-in throttle (account_recheck()): sign-in is throttled at
 * the HTTP edge, by route, but a wrong password typed in the settings is
 * the same guess, and a stolen session must not be a way around the limit.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/account.h"
#include "core/care.h"
#include "core/checkin.h"
#include "core/couplekey.h"
#include "core/devices.h"
#include "core/item.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/password.h"
#include "core/safety.h"
#include "core/statement.h"
#include "core/throttle.h"
#include "limits.h"

#define ACCOUNT_ARGON2_WAIT_S 10
/* the sealed secret key's AD field for a member whose wraps are tagged (couplekey_wrap_tag()) */
#define ACCOUNT_SK_TAGGED "secret_key.tagged"
#define INVITE_TOKEN_LEN  (VAULT_ID_HEX + 1 + VAULT_SECRET_HEX)

static sem_t argon2_sem;
static int argon2_ready;

int account_init(unsigned concurrency)
{
	if (argon2_ready)
		return 0;
	if (concurrency == 0)
		concurrency = 1;
	if (sem_init(&argon2_sem, 0, concurrency) < 0)
		return -errno;
	argon2_ready = 1;
	return 0;
}

static int argon2_enter(void)
{
	struct timespec ts;

	if (!argon2_ready)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ACCOUNT_ARGON2_WAIT_S;
	while (sem_timedwait(&argon2_sem, &ts) < 0) {
		if (errno != EINTR)
			return ACCOUNT_BUSY;
	}
	return 0;
}

static void argon2_leave(void)
{
	if (argon2_ready)
		sem_post(&argon2_sem);
}

/* Logins are compared without regard to ASCII case: "Ana" and "ana" are one. */
static void account_fold_login(char *out, size_t outlen, const char *login)
{
	size_t i;

	for (i = 0; login[i] && i + 1 < outlen; i++) {
		char ch = login[i];
		out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[i] = '\0';
}

static int blob_set(struct blob *b, unsigned char *data, size_t len)
{
	b->data = data;
	b->len = len;
	return 0;
}

static int blob_copy(struct blob *b, const void *data, size_t len)
{
	b->data = malloc(len ? len : 1);
	if (!b->data)
		return -ENOMEM;
	memcpy(b->data, data, len);
	b->len = len;
	return 0;
}

/* 0 when pw (len bytes) may be the new password of login, else ACCOUNT_PASSWORD_*. */
static int account_password_ok(const char *pw, size_t len, const char *login)
{
	switch (password_check(pw, len, login)) {
	case PASSWORD_OK:
		return 0;
	case PASSWORD_TOO_SHORT:
		return ACCOUNT_PASSWORD_TOO_SHORT;
	case PASSWORD_TOO_LONG:
		return ACCOUNT_PASSWORD_TOO_LONG;
	case PASSWORD_COMMON:
		return ACCOUNT_PASSWORD_COMMON;
	case PASSWORD_HAS_LOGIN:
		return ACCOUNT_PASSWORD_HAS_LOGIN;
	default:
		return ACCOUNT_PASSWORD_HAS_NAME;
	}
}

const char *account_password_message(int outcome)
{
	switch (outcome) {
	case ACCOUNT_PASSWORD_TOO_SHORT:
		return password_strerror(PASSWORD_TOO_SHORT);
	case ACCOUNT_PASSWORD_TOO_LONG:
		return password_strerror(PASSWORD_TOO_LONG);
	case ACCOUNT_PASSWORD_COMMON:
		return password_strerror(PASSWORD_COMMON);
	case ACCOUNT_PASSWORD_HAS_LOGIN:
		return password_strerror(PASSWORD_HAS_LOGIN);
	case ACCOUNT_PASSWORD_HAS_NAME:
		return password_strerror(PASSWORD_HAS_NAME);
	default:
		return NULL;
	}
}

/*
 * Keys of one member while they are being made or opened.  Lives in guarded
 * memory and is wiped by account_keys_free().
 */
struct account_keys {
	unsigned char mk[VAULT_KEY_BYTES];
	unsigned char ck[VAULT_KEY_BYTES];
	unsigned char sk[VAULT_SK_BYTES];
	unsigned char pk[VAULT_PK_BYTES];
	unsigned char kek[VAULT_KEY_BYTES];
};

static struct account_keys *account_keys_new(void)
{
	struct account_keys *k = vault_secure_alloc(sizeof(*k));

	if (k)
		memset(k, 0, sizeof(*k));
	return k;
}

static struct account_keys *account_keys_free(struct account_keys *k)
{
	if (k) {
		vault_wipe(k, sizeof(*k));
		vault_secure_free(k);
	}
	return NULL;
}

static void ad_member(char *ad, size_t len, const char *what, const char *member_id)
{
	snprintf(ad, len, "members.%s|%s", what, member_id);
}

/* Seals MK under a fresh password KEK into m (pw_hash, kek, kek_salt, mk_by_pw), at the server's
 * cost. */
static int account_wrap_password(const struct core *c, struct member_row *m, struct account_keys *k,
				 const char *pw, size_t pwlen)
{
	unsigned char salt[VAULT_SALT_BYTES];
	unsigned char *sealed = NULL;
	size_t sealed_len;
	char ad[96];
	int r;

	r = vault_password_hash(m->pw_hash, pw, pwlen, c->kdf);
	if (r < 0)
		return r;
	vault_random(salt, sizeof(salt));
	r = vault_kek_from_password(k->kek, pw, pwlen, salt, c->kdf);
	if (r < 0)
		return r;
	/* the cost goes with the salt: the key is made again at this cost */
	snprintf(m->kdf, sizeof(m->kdf), "%s", vault_kdf_to_string(c->kdf));
	ad_member(ad, sizeof(ad), "mk_by_pw", m->id);
	r = vault_seal(k->kek, k->mk, VAULT_KEY_BYTES, ad, &sealed, &sealed_len);
	vault_wipe(k->kek, sizeof(k->kek));
	if (r < 0)
		return r;
	store_blob_free(&m->kek_salt);
	store_blob_free(&m->mk_by_pw);
	r = blob_copy(&m->kek_salt, salt, sizeof(salt));
	if (r < 0) {
		free(sealed);
		return r;
	}
	return blob_set(&m->mk_by_pw, sealed, sealed_len);
}

/*
 * The recovery wrap (issue 11 part 4).  MK changes at every password
 * change, when the recovery key is not at hand, so MK cannot be sealed
 * under a key made from it then.  The recovery key makes an X25519 key pair
 * instead (its seed: the recovery KEK); MK is sealed to its public key
 * (crypto_box_seal), which anyone may do and nobody but the holder of the
 * recovery key can undo.  rk_salt holds the salt, the public key and a tag
 * of the public key under MK, so that a public key put in the file by
 * someone else is refused before a new MK is sealed to it.  A member whose
 * rk_salt is a bare salt has the form before (MK sealed under the recovery
 * KEK) until their next recovery or new recovery key.
 */
#define ACCOUNT_RK_CTX	"rkpub___"
#define ACCOUNT_RK_LEAD "kintsugi recovery key|"
#define ACCOUNT_RK_FORM (VAULT_SALT_BYTES + VAULT_PK_BYTES + VAULT_TAG_BYTES)

/* The tag of member_id's recovery public key pk under mk. */
static void account_rk_tag(const unsigned char *mk, const char *member_id,
			   const unsigned char pk[VAULT_PK_BYTES],
			   unsigned char out[VAULT_TAG_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES],
		msg[sizeof(ACCOUNT_RK_LEAD) + STORE_ID_LEN + 1 + VAULT_PK_BYTES];
	size_t n = strlen(ACCOUNT_RK_LEAD);

	memcpy(msg, ACCOUNT_RK_LEAD, sizeof(ACCOUNT_RK_LEAD)); /* its NUL is overwritten next */
	memcpy(msg + n, member_id, STORE_ID_LEN);
	n += STORE_ID_LEN;
	msg[n++] = '|';
	memcpy(msg + n, pk, VAULT_PK_BYTES);
	n += VAULT_PK_BYTES;
	vault_derive(key, mk, 1, ACCOUNT_RK_CTX);
	vault_tag(out, key, msg, n);
	vault_wipe(key, sizeof(key));
}

/* Seals mk to the recovery public key pk (made with salt) into m's rk_salt and mk_by_rk. */
static int account_seal_recovery(struct member_row *m, const unsigned char *mk,
				 const unsigned char salt[VAULT_SALT_BYTES],
				 const unsigned char pk[VAULT_PK_BYTES])
{
	unsigned char form[ACCOUNT_RK_FORM], *sealed = NULL;
	size_t sealed_len = 0;
	int r;

	if (strlen(m->id) != STORE_ID_LEN)
		return -EBADMSG;
	r = vault_box_seal(pk, mk, VAULT_KEY_BYTES, &sealed, &sealed_len);
	if (r != 0)
		return r;
	memcpy(form, salt, VAULT_SALT_BYTES);
	memcpy(form + VAULT_SALT_BYTES, pk, VAULT_PK_BYTES);
	account_rk_tag(mk, m->id, pk, form + VAULT_SALT_BYTES + VAULT_PK_BYTES);
	store_blob_free(&m->rk_salt);
	store_blob_free(&m->mk_by_rk);
	r = blob_copy(&m->rk_salt, form, sizeof(form));
	if (r < 0) {
		free(sealed);
		return r;
	}
	return blob_set(&m->mk_by_rk, sealed, sealed_len);
}

/* Seals MK to the key pair of a fresh recovery key, written to recovery_out. */
static int account_wrap_recovery(struct member_row *m, struct account_keys *k,
				 char recovery_out[VAULT_RECOVERY_CHARS + 1])
{
	unsigned char salt[VAULT_SALT_BYTES], pk[VAULT_PK_BYTES], sk[VAULT_SK_BYTES];
	int r;

	vault_recovery_new(recovery_out);
	vault_random(salt, sizeof(salt));
	r = vault_kek_from_recovery(k->kek, recovery_out, strlen(recovery_out), salt);
	if (r < 0)
		return r;
	vault_box_seed_keypair(pk, sk, k->kek);
	vault_wipe(k->kek, sizeof(k->kek));
	vault_wipe(sk, sizeof(sk));
	return account_seal_recovery(m, k->mk, salt, pk);
}

/*
 * A new MK (to_mk) sealed to m's recovery public key, whose tag must hold
 * under the MK before (from_mk): -EBADMSG when it does not, or when m has
 * the form before (account_change_password() keeps their MK then).
 */
static int account_reseal_recovery(struct member_row *m, const unsigned char *from_mk,
				   const unsigned char *to_mk)
{
	unsigned char salt[VAULT_SALT_BYTES], pk[VAULT_PK_BYTES], want[VAULT_TAG_BYTES];

	if (m->rk_salt.len != ACCOUNT_RK_FORM || strlen(m->id) != STORE_ID_LEN)
		return -EBADMSG;
	memcpy(salt, m->rk_salt.data, VAULT_SALT_BYTES);
	memcpy(pk, m->rk_salt.data + VAULT_SALT_BYTES, VAULT_PK_BYTES);
	account_rk_tag(from_mk, m->id, pk, want);
	if (!vault_equal(want, m->rk_salt.data + VAULT_SALT_BYTES + VAULT_PK_BYTES,
			 VAULT_TAG_BYTES))
		return -EBADMSG;
	return account_seal_recovery(m, to_mk, salt, pk);
}

/* MK of member m from a recovery key as typed: 0, VAULT_BAD when it is not theirs, or < 0. */
static int account_open_recovery(const struct member_row *m, const char *typed, size_t len,
				 unsigned char mk[VAULT_KEY_BYTES])
{
	unsigned char kek[VAULT_KEY_BYTES], pk[VAULT_PK_BYTES], sk[VAULT_SK_BYTES];
	unsigned char want[VAULT_TAG_BYTES];
	const unsigned char *form = m->rk_salt.data;
	char ad[96];
	int r;

	if ((m->rk_salt.len != VAULT_SALT_BYTES && m->rk_salt.len != ACCOUNT_RK_FORM) ||
	    strlen(m->id) != STORE_ID_LEN || vault_kek_from_recovery(kek, typed, len, form) != 0)
		return VAULT_BAD;
	if (m->rk_salt.len == VAULT_SALT_BYTES) { /* the form before */
		ad_member(ad, sizeof(ad), "mk_by_rk", m->id);
		r = vault_open_into(kek, m->mk_by_rk.data, m->mk_by_rk.len, ad, mk,
				    VAULT_KEY_BYTES);
	} else {
		vault_box_seed_keypair(pk, sk, kek);
		r = vault_equal(pk, form + VAULT_SALT_BYTES, VAULT_PK_BYTES)
			    ? vault_box_open(pk, sk, m->mk_by_rk.data, m->mk_by_rk.len, mk,
					     VAULT_KEY_BYTES)
			    : VAULT_BAD;
		if (r == 0) {
			account_rk_tag(mk, m->id, pk, want);
			if (!vault_equal(want, form + VAULT_SALT_BYTES + VAULT_PK_BYTES,
					 VAULT_TAG_BYTES))
				r = VAULT_BAD;
		}
		vault_wipe(sk, sizeof(sk));
	}
	vault_wipe(kek, sizeof(kek));
	if (r != 0)
		vault_wipe(mk, VAULT_KEY_BYTES);
	return r;
}

/*
 * The couple key wraps are authenticated (issue 11, part 6): the wrap is
 * sealed to a public key stored in the clear, so whoever can write the
 * file could seal a couple key of their own to both partners.  Each
 * member's wrap carries a tag, a keyed BLAKE2b under a subkey of the
 * member's own MK over the couple, the member, the public key and the
 * wrap, and a wrap whose tag does not match is refused.
 *
 * Whether a member's wraps must be tagged is itself under their MK: the
 * associated data of their sealed secret key says so (ACCOUNT_SK_TAGGED).
 * Members made before migration 0008 have the old form; at their next
 * sign-in their wrap is tagged and their secret key sealed again in the
 * new form, in one transaction, and from then on no untagged wrap opens.
 */
/*
 * A member of the old form whose keys just opened: tag the wrap and seal
 * the secret key again in the tagged form, both or neither.  A failure
 * leaves the old form, which is tried again at the next sign-in.
 */
static void account_tag_wraps(const struct core *c, struct member_row *m,
			      const struct account_keys *k, const struct blob *wrapped)
{
	unsigned char tag[VAULT_TAG_BYTES], *sealed = NULL;
	size_t sealed_len = 0;
	char ad[96];
	int r;

	if (couplekey_wrap_tag(k->mk, m, wrapped->data, wrapped->len, tag) != 0)
		return;
	ad_member(ad, sizeof(ad), ACCOUNT_SK_TAGGED, m->id);
	if (vault_seal(k->mk, k->sk, VAULT_SK_BYTES, ad, &sealed, &sealed_len) != 0)
		return;
	store_blob_free(&m->secret_key_sealed);
	blob_set(&m->secret_key_sealed, sealed, sealed_len);
	if (c->st->ops->begin(c->st) != 0)
		return;
	r = STORE_CALL(c->st, couple_key_put, m->couple_id, m->id, wrapped->data, wrapped->len, tag,
		       sizeof(tag));
	if (r == 0)
		r = STORE_CALL(c->st, member_set_secret_key, m);
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
}

/*
 * A partner of the member left or deleted their account since the
 * member's last request: the member's own sign-in makes the couple key
 * that replaces the one the partner knew (core/couplekey.h), in k.
 */
static int account_rekey_due(const struct core *c, const struct member_row *m,
			     struct account_keys *k)
{
	int r = STORE_CALL(c->st, couple_rekey_due, m->couple_id, m->id);

	if (r == STORE_NOTFOUND)
		return 0;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = c->st->ops->begin(c->st);
	if (r == 0)
		r = couplekey_rotate(c, m, k->mk, k->ck);
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	return r > 0 ? -EIO : r;
}

/* Opens SK (under MK) and CK (sealed to the member's public key, its tag checked) into k. */
static int account_open_keys(const struct core *c, struct member_row *m, struct account_keys *k)
{
	struct blob wrapped = {0}, tag = {0};
	unsigned char want[VAULT_TAG_BYTES];
	char ad[96];
	int r, tagged;

	ad_member(ad, sizeof(ad), ACCOUNT_SK_TAGGED, m->id);
	r = vault_open_into(k->mk, m->secret_key_sealed.data, m->secret_key_sealed.len, ad, k->sk,
			    VAULT_SK_BYTES);
	tagged = r == 0;
	if (r > 0) { /* a member made before migration 0008 */
		ad_member(ad, sizeof(ad), "secret_key", m->id);
		r = vault_open_into(k->mk, m->secret_key_sealed.data, m->secret_key_sealed.len, ad,
				    k->sk, VAULT_SK_BYTES);
	}
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	if (m->public_key.len != VAULT_PK_BYTES)
		return -EBADMSG;
	memcpy(k->pk, m->public_key.data, VAULT_PK_BYTES);
	if (strcmp(m->role, "therapist") == 0) {
		/* a therapist holds the care key in the couple key's place; none: access ended */
		r = care_open_wrap(c, m->couple_id, m->id, k->pk, k->sk, k->ck);
		if (r == 1)
			vault_wipe(k->ck, sizeof(k->ck));
		return r < 0 ? r : 0;
	}
	r = STORE_CALL(c->st, couple_key_get, m->couple_id, m->id, &wrapped, &tag);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	/* a tag, where there is one or must be one, must be this member's own */
	if (tagged || tag.len > 0) {
		r = tag.len == VAULT_TAG_BYTES
			    ? couplekey_wrap_tag(k->mk, m, wrapped.data, wrapped.len, want)
			    : -EBADMSG;
		if (r == 0 && !vault_equal(want, tag.data, VAULT_TAG_BYTES))
			r = -EBADMSG;
	}
	if (r == 0) {
		r = vault_box_open(k->pk, k->sk, wrapped.data, wrapped.len, k->ck, VAULT_KEY_BYTES);
		if (r > 0)
			r = -EBADMSG;
	}
	if (r == 0 && !tagged)
		account_tag_wraps(c, m, k, &wrapped);
	store_blob_free(&wrapped);
	store_blob_free(&tag);
	if (r == 0)
		r = account_rekey_due(c, m, k);
	return r;
}

/*
 * Fills a new member row for `in` in couple_id with fresh MK and key pair
 * (into k; k->ck must already hold the couple key), the password and
 * recovery wraps, and the couple key sealed to the new public key (*ck_out).
 */
static int account_make_member(const struct core *c, const struct account_new *in,
			       const char *couple_id, struct member_row *m, struct account_keys *k,
			       char recovery_out[VAULT_RECOVERY_CHARS + 1], unsigned char **ck_out,
			       size_t *ck_len)
{
	unsigned char *sealed = NULL;
	size_t sealed_len;
	char ad[96];
	int r;

	vault_random_id(m->id);
	snprintf(m->couple_id, sizeof(m->couple_id), "%s", couple_id);
	account_fold_login(m->login, sizeof(m->login), in->login);
	snprintf(m->role, sizeof(m->role), "partner");
	snprintf(m->display_name, sizeof(m->display_name), "%s", in->display_name);
	snprintf(m->language, sizeof(m->language), "%s", in->language);
	session_now(m->created_at, 0);

	vault_random(k->mk, sizeof(k->mk));
	vault_box_keypair(k->pk, k->sk);
	r = blob_copy(&m->public_key, k->pk, sizeof(k->pk));
	if (r < 0)
		return r;
	/* a member made now has tagged wraps from the start: no untagged one is ever taken */
	ad_member(ad, sizeof(ad), ACCOUNT_SK_TAGGED, m->id);
	r = vault_seal(k->mk, k->sk, VAULT_SK_BYTES, ad, &sealed, &sealed_len);
	if (r < 0)
		return r;
	blob_set(&m->secret_key_sealed, sealed, sealed_len);
	r = account_wrap_password(c, m, k, in->password, in->password_len);
	if (r < 0)
		return r;
	r = account_wrap_recovery(m, k, recovery_out);
	if (r < 0)
		return r;
	return vault_box_seal(k->pk, k->ck, VAULT_KEY_BYTES, ck_out, ck_len);
}

static int store_err(int r)
{
	return r > 0 ? -EIO : r;
}

/* An audit event from the request's browser (devices_audit()); the history shows some. */
static void audit(const struct core *c, const char *couple_id, const char *member_id,
		  const char *event)
{
	devices_audit(c, couple_id, member_id, event, NULL);
}

/*
 * Inside the caller's transaction: stores the new member m with its couple
 * key wrap, starts its first session and records `event`.  Returns 0,
 * ACCOUNT_LOGIN_TAKEN, or a negative errno.
 */
static int account_insert_member(const struct core *c, const struct member_row *m,
				 const struct account_keys *k, const unsigned char *ck_wrapped,
				 size_t ck_len, const char *event, struct account_signin *ret,
				 struct session *ret_session)
{
	int r = STORE_CALL(c->st, member_insert, m);

	if (r == STORE_CONFLICT)
		return ACCOUNT_LOGIN_TAKEN;
	if (r == 0) {
		unsigned char tag[VAULT_TAG_BYTES];

		r = couplekey_wrap_tag(k->mk, m, ck_wrapped, ck_len, tag);
		if (r == 0)
			r = STORE_CALL(c->st, couple_key_put, m->couple_id, m->id, ck_wrapped,
				       ck_len, tag, sizeof(tag));
	}
	if (r != 0)
		return store_err(r);
	r = session_start(c, m, k->mk, k->ck, k->sk, ret->cookie, ret_session);
	if (r != 0)
		return store_err(r);
	audit(c, m->couple_id, m->id, event);
	return 0;
}

int account_signup(const struct core *c, const struct account_new *in, struct account_signin *ret,
		   struct session *ret_session)
{
	struct couple_row couple;
	struct member_row m;
	struct account_keys *k = NULL;
	unsigned char *ck_wrapped = NULL;
	size_t ck_len = 0;
	int r, in_tx = 0, entered;

	memset(&couple, 0, sizeof(couple));
	memset(&m, 0, sizeof(m));
	r = account_password_ok(in->password, in->password_len, in->login);
	if (r != 0)
		return r;
	entered = argon2_enter();
	if (entered)
		return entered;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	vault_random_id(couple.id);
	session_now(couple.created_at, 0);
	snprintf(couple.rhythm, sizeof(couple.rhythm), "daily");
	vault_random(k->ck, sizeof(k->ck));
	r = account_make_member(c, in, couple.id, &m, k, ret->recovery_key, &ck_wrapped, &ck_len);
	if (r < 0)
		goto out;

	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	r = STORE_CALL(c->st, couple_insert, &couple);
	if (r != 0)
		goto fail;
	r = account_insert_member(c, &m, k, ck_wrapped, ck_len, "signup", ret, ret_session);
	if (r != 0)
		goto out;
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
	free(ck_wrapped);
	store_member_free(&m);
	account_keys_free(k);
	argon2_leave();
	return r;
}

/* Checks login and password and opens MK into k; ACCOUNT_BAD_CREDENTIALS. */
static int account_unlock(const struct core *c, const char *login, const char *pw, size_t pwlen,
			  struct member_row *m, struct account_keys *k)
{
	char folded[256];
	char ad[96];
	enum vault_kdf kdf;
	int r;

	account_fold_login(folded, sizeof(folded), login);
	r = STORE_CALL(c->st, member_get_by_login, folded, m);
	if (r == STORE_NOTFOUND) {
		/* the same work as a real check, so that time tells nothing */
		vault_password_dummy(pw, pwlen, c->kdf);
		return ACCOUNT_BAD_CREDENTIALS;
	}
	if (r != 0)
		return store_err(r);
	if (vault_password_verify(m->pw_hash, pw, pwlen) != 0)
		return ACCOUNT_BAD_CREDENTIALS;
	/* the member's key at the cost it was made with, whatever the server's is now */
	if (m->kek_salt.len != VAULT_SALT_BYTES || vault_kdf_from_string(m->kdf, &kdf) != 0)
		return -EBADMSG;
	r = vault_kek_from_password(k->kek, pw, pwlen, m->kek_salt.data, kdf);
	if (r < 0)
		return r;
	ad_member(ad, sizeof(ad), "mk_by_pw", m->id);
	r = vault_open_into(k->kek, m->mk_by_pw.data, m->mk_by_pw.len, ad, k->mk, VAULT_KEY_BYTES);
	vault_wipe(k->kek, sizeof(k->kek));
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	return account_open_keys(c, m, k);
}

/*
 * account_rewrap() - after a sign-in with the right password: a member
 * whose key was made at another cost than the server's (--kdf changed
 * since) has it made again at the server's, with a fresh salt, so that
 * every member costs the same to check and an operator's choice of cost
 * reaches everyone who signs in.  A failure here leaves the old wrap,
 * which still opens: it is tried again at the next sign-in.
 */
static void account_rewrap(const struct core *c, struct member_row *m, struct account_keys *k,
			   const char *pw, size_t pwlen)
{
	if (strcmp(m->kdf, vault_kdf_to_string(c->kdf)) == 0)
		return;
	if (account_wrap_password(c, m, k, pw, pwlen) == 0)
		(void)STORE_CALL(c->st, member_set_password, m);
}

/*
 * At sign-in and recovery, once the password or the recovery key was
 * right and MK is open: the member's second factor, where one is on.  A
 * wrong code answers as a wrong password does; its audit row tells the
 * member that someone knew their password.
 */
static int account_second_factor(const struct core *c, const struct member_row *m,
				 const unsigned char *mk, const char *code)
{
	unsigned kinds = 0;
	int r = factor_active(c, m->couple_id, m->id, &kinds);

	if (r != 0 || kinds == 0)
		return r;
	if (!code || !*code)
		return ACCOUNT_SECOND_FACTOR_REQUIRED;
	r = factor_check(c, m->couple_id, m->id, mk, code);
	if (r != FACTOR_WRONG)
		return r;
	audit(c, m->couple_id, m->id, "second_factor_failed");
	return ACCOUNT_BAD_CREDENTIALS;
}

int account_login(const struct core *c, const char *login, const char *password, size_t pwlen,
		  const char *code, struct account_signin *ret, struct session *ret_session)
{
	struct member_row m;
	struct account_keys *k;
	int r, audited = 0;

	memset(&m, 0, sizeof(m));
	r = argon2_enter();
	if (r)
		return r;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	r = account_unlock(c, login, password, pwlen, &m, k);
	if (r != 0)
		goto out;
	r = account_second_factor(c, &m, k->mk, code);
	audited = r == ACCOUNT_BAD_CREDENTIALS;
	if (r == ACCOUNT_SECOND_FACTOR_REQUIRED) {
		memcpy(ret->factor_member, m.id, sizeof(ret->factor_member));
		memcpy(ret->factor_couple, m.couple_id, sizeof(ret->factor_couple));
	}
	if (r != 0)
		goto out;
	account_rewrap(c, &m, k, password, pwlen);
	ret->recovery_key[0] = '\0';
	r = session_start(c, &m, k->mk, k->ck, k->sk, ret->cookie, ret_session);
	if (r == 0) {
		devices_audit(c, m.couple_id, m.id, "signin", ret_session->id);
		/* housekeeping: a failure here must not fail the sign-in */
		(void)session_purge(c);
	}
out:
	if (r == ACCOUNT_BAD_CREDENTIALS && m.id[0] && !audited)
		audit(c, m.couple_id, m.id, "signin_failed");
	store_member_free(&m);
	account_keys_free(k);
	argon2_leave();
	return r;
}

/* Splits an invite token into its id and secret; 0 or ACCOUNT_INVITE_INVALID. */
static int invite_parse(const char *token, char id[VAULT_ID_HEX + 1],
			unsigned char secret[VAULT_SECRET_BYTES])
{
	size_t i;

	if (!token || strlen(token) != INVITE_TOKEN_LEN || token[VAULT_ID_HEX] != '.')
		return ACCOUNT_INVITE_INVALID;
	for (i = 0; i < VAULT_ID_HEX; i++) {
		char ch = token[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return ACCOUNT_INVITE_INVALID;
	}
	if (vault_unhex(secret, VAULT_SECRET_BYTES, token + VAULT_ID_HEX + 1, VAULT_SECRET_HEX))
		return ACCOUNT_INVITE_INVALID;
	memcpy(id, token, VAULT_ID_HEX);
	id[VAULT_ID_HEX] = '\0';
	return 0;
}

static void invite_ad(char *ad, size_t len, const struct invite_row *inv)
{
	snprintf(ad, len, "invites.ck|%s|%s", inv->id, inv->couple_id);
}

/* Finds a usable invite for token into inv; ACCOUNT_INVITE_INVALID otherwise. */
static int invite_find(const struct core *c, const char *token, struct invite_row *inv,
		       unsigned char secret[VAULT_SECRET_BYTES])
{
	unsigned char hash[32];
	char id[VAULT_ID_HEX + 1], now[STORE_TIME_LEN + 1];
	int r;

	if (invite_parse(token, id, secret) != 0)
		return ACCOUNT_INVITE_INVALID;
	r = STORE_CALL(c->st, invite_get, id, inv);
	if (r == STORE_NOTFOUND)
		return ACCOUNT_INVITE_INVALID;
	if (r != 0)
		return store_err(r);
	vault_hash(hash, "kintsugi invite id", secret, VAULT_SECRET_BYTES);
	session_now(now, 0);
	if (inv->used || inv->secret_hash.len != sizeof(hash) ||
	    !vault_equal(hash, inv->secret_hash.data, sizeof(hash)) ||
	    strcmp(inv->expires_at, now) <= 0) {
		store_invite_free(inv);
		return ACCOUNT_INVITE_INVALID;
	}
	return 0;
}

static int couple_partner_count(const struct core *c, const char *couple_id, size_t *ret)
{
	struct member_brief *list = NULL;
	size_t n = 0, i, partners = 0;
	int r;

	r = STORE_CALL(c->st, couple_members, couple_id, &list, &n);
	if (r != 0)
		return store_err(r);
	for (i = 0; i < n; i++)
		partners += strcmp(list[i].role, "partner") == 0 && !list[i].left;
	free(list);
	*ret = partners;
	return 0;
}

int account_invite_check(const struct core *c, const char *token, int *care)
{
	struct invite_row inv;
	unsigned char secret[VAULT_SECRET_BYTES];
	size_t partners;
	int r;

	memset(&inv, 0, sizeof(inv));
	r = invite_find(c, token, &inv, secret);
	vault_wipe(secret, sizeof(secret));
	if (r != 0)
		return r;
	r = couple_partner_count(c, inv.couple_id, &partners);
	/* a care link lets a therapist in beside the two partners */
	if (care)
		*care = strcmp(inv.role, "therapist") == 0;
	if (strcmp(inv.role, "therapist") == 0)
		partners = 0;
	store_invite_free(&inv);
	if (r < 0)
		return r;
	return partners >= 2 ? ACCOUNT_INVITE_INVALID : 0;
}

/*
 * Before an invite into a couple that lost a partner: the inviter starts a
 * new couple key, for the newcomer and what is written from now on, and
 * keeps the one before among their old keys, so that the newcomer opens
 * nothing written before (issue 11 part 5).  Invites still open hold the
 * key before: they go.
 */
static int account_invite_rekey(const struct core *c, struct session *s)
{
	struct member_row m;
	unsigned char ck[VAULT_KEY_BYTES];
	int former = 0, r;

	r = STORE_CALL(c->st, couple_former, s->couple_id, &former);
	if (r != 0 || !former)
		return store_err(r);
	memset(&m, 0, sizeof(m));
	memcpy(ck, s->ck, sizeof(ck));
	r = c->st->ops->begin(c->st);
	if (r == 0)
		r = STORE_CALL(c->st, member_get, s->couple_id, s->member_id, &m);
	if (r == 0)
		r = couplekey_rotate(c, &m, s->mk, ck);
	if (r == 0)
		r = STORE_CALL(c->st, invite_revoke_open, s->couple_id, "partner");
	if (r == 0)
		r = couplekey_take(c, s, ck);
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	vault_wipe(ck, sizeof(ck));
	store_member_free(&m);
	return store_err(r);
}

int account_invite(const struct core *c, struct session *s,
		   char token_out[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1])
{
	struct invite_row inv;
	unsigned char secret[VAULT_SECRET_BYTES], hash[32], key[VAULT_KEY_BYTES];
	unsigned char *sealed = NULL;
	size_t sealed_len, partners;
	char ad[128], secret_hex[VAULT_SECRET_HEX + 1];
	int r;

	r = couple_partner_count(c, s->couple_id, &partners);
	if (r < 0)
		return r;
	if (partners >= 2)
		return ACCOUNT_COUPLE_FULL;
	r = account_invite_rekey(c, s);
	if (r != 0)
		return r;
	memset(&inv, 0, sizeof(inv));
	vault_random_id(inv.id);
	snprintf(inv.couple_id, sizeof(inv.couple_id), "%s", s->couple_id);
	snprintf(inv.role, sizeof(inv.role), "partner");
	session_now(inv.created_at, 0);
	session_now(inv.expires_at, LIMIT_INVITE_TTL_S);
	vault_random(secret, sizeof(secret));
	vault_hash(hash, "kintsugi invite id", secret, sizeof(secret));
	vault_hash(key, "kintsugi invite key", secret, sizeof(secret));
	invite_ad(ad, sizeof(ad), &inv);
	r = vault_seal(key, s->ck, VAULT_KEY_BYTES, ad, &sealed, &sealed_len);
	if (r < 0)
		goto out;
	inv.secret_hash.data = hash;
	inv.secret_hash.len = sizeof(hash);
	inv.ck_wrapped.data = sealed;
	inv.ck_wrapped.len = sealed_len;
	r = STORE_CALL(c->st, invite_insert, &inv);
	if (r != 0) {
		r = store_err(r);
		goto out;
	}
	vault_hex(secret_hex, secret, sizeof(secret));
	snprintf(token_out, INVITE_TOKEN_LEN + 1, "%s.%s", inv.id, secret_hex);
	vault_wipe(secret_hex, sizeof(secret_hex));
	audit(c, s->couple_id, s->member_id, "invite_created");
out:
	free(sealed);
	vault_wipe(secret, sizeof(secret));
	vault_wipe(key, sizeof(key));
	return r;
}

int account_join(const struct core *c, const char *token, const struct account_new *in,
		 struct account_signin *ret, struct session *ret_session)
{
	struct invite_row inv;
	struct member_row m;
	struct account_keys *k = NULL;
	unsigned char secret[VAULT_SECRET_BYTES], key[VAULT_KEY_BYTES];
	unsigned char *ck_wrapped = NULL;
	size_t ck_len = 0, partners;
	char ad[128];
	int r, in_tx = 0, have_inv = 0, therapist = 0;

	memset(&inv, 0, sizeof(inv));
	memset(&m, 0, sizeof(m));
	r = account_password_ok(in->password, in->password_len, in->login);
	if (r != 0)
		return r;
	r = argon2_enter();
	if (r)
		return r;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	r = invite_find(c, token, &inv, secret);
	if (r != 0)
		goto out;
	have_inv = 1;
	vault_hash(key, "kintsugi invite key", secret, sizeof(secret));
	invite_ad(ad, sizeof(ad), &inv);
	r = vault_open_into(key, inv.ck_wrapped.data, inv.ck_wrapped.len, ad, k->ck,
			    VAULT_KEY_BYTES);
	if (r != 0) {
		r = r > 0 ? ACCOUNT_INVITE_INVALID : r;
		goto out;
	}
	r = account_make_member(c, in, inv.couple_id, &m, k, ret->recovery_key, &ck_wrapped,
				&ck_len);
	if (r < 0)
		goto out;
	therapist = strcmp(inv.role, "therapist") == 0;
	if (therapist)
		snprintf(m.role, sizeof(m.role), "therapist");

	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	r = couple_partner_count(c, inv.couple_id, &partners);
	if (r < 0)
		goto out;
	if (therapist) {
		/* a care link: the couple's partners both said yes (core/care.h) */
		r = STORE_CALL(c->st, invite_consume, inv.couple_id, inv.id);
		if (r == 0)
			r = STORE_CALL(c->st, member_insert, &m);
		if (r == STORE_CONFLICT) {
			r = ACCOUNT_LOGIN_TAKEN;
			goto out;
		}
		if (r == STORE_NOTFOUND) {
			r = ACCOUNT_INVITE_INVALID;
			goto out;
		}
		if (r != 0)
			goto fail;
		r = care_join_wrap(c, inv.couple_id, m.id, k->pk, k->ck, inv.id);
		if (r == CARE_CONFLICT) {
			r = ACCOUNT_INVITE_INVALID;
			goto out;
		}
		if (r == 0)
			r = session_start(c, &m, k->mk, k->ck, k->sk, ret->cookie, ret_session);
		if (r != 0)
			goto fail;
		audit(c, m.couple_id, m.id, "joined_care_team");
		goto commit;
	}
	if (partners >= 2) {
		r = ACCOUNT_COUPLE_FULL;
		goto out;
	}
	r = STORE_CALL(c->st, invite_consume, inv.couple_id, inv.id);
	if (r == STORE_NOTFOUND) {
		r = ACCOUNT_INVITE_INVALID;
		goto out;
	}
	if (r != 0)
		goto fail;
	/*
	 * The couple is whole now: another open partner invite would let a
	 * third person in the day this partner leaves, and it holds the couple
	 * key sealed under its link's secret.  It goes with the join.
	 */
	r = STORE_CALL(c->st, invite_revoke_open, inv.couple_id, "partner");
	if (r != 0)
		goto fail;
	r = account_insert_member(c, &m, k, ck_wrapped, ck_len, "joined", ret, ret_session);
	if (r != 0)
		goto out;
commit:
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
	if (have_inv)
		store_invite_free(&inv);
	free(ck_wrapped);
	store_member_free(&m);
	account_keys_free(k);
	vault_wipe(secret, sizeof(secret));
	vault_wipe(key, sizeof(key));
	argon2_leave();
	return r;
}

/*
 * A new master key (issue 11 part 4).  MK never changed before: a copy of
 * the file taken before a password change, with the old password, opened
 * what was written after it.  Now a password change and a recovery each
 * make a new MK and, in the same transaction, seal again everything that
 * was under the old one; the old one's wraps are replaced, and it is wiped
 * from memory.  The member's private rows are few, so this is done at once,
 * not in the background: there is no time in which some of them are still
 * under the old key.
 */

/* A session in secure memory (the keys of one side of a rotation), or NULL. */
static struct session *account_session_new(void)
{
	struct session *s = vault_secure_alloc(sizeof(*s));

	if (s)
		memset(s, 0, sizeof(*s));
	return s;
}

static struct session *account_session_free(struct session *s)
{
	if (s) {
		vault_wipe(s, sizeof(*s));
		vault_secure_free(s);
	}
	return NULL;
}

/*
 * Inside the caller's transaction: member m's rows sealed under from->mk
 * are sealed again under to->mk (to: from with a new MK; the same member
 * and couple): the secret key, the couple key wrap's tag and the old
 * couple keys, the journal, statement drafts, private check-ins and items,
 * the safety check, the TOTP secret and the passkeys.  The caller replaces
 * the password and recovery wraps, and the sessions.  0 or < 0.
 */
static int account_rotate(const struct core *c, struct member_row *m, const struct session *from,
			  const struct session *to)
{
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char ad[96];
	int r;

	/* a therapist holds no couple key: their care key's wrap is sealed to their key pair */
	r = strcmp(m->role, "therapist") == 0 ? 0 : couplekey_rekey(c, m, from->mk, to->mk);
	/* first: what is sealed again below and noted (the safety check) is noted under to */
	if (r == 0)
		r = ledger_rekey(c, from, to);
	if (r == 0) {
		ad_member(ad, sizeof(ad), ACCOUNT_SK_TAGGED, m->id);
		r = vault_seal(to->mk, to->sk, VAULT_SK_BYTES, ad, &sealed, &sealed_len);
	}
	if (r == 0) {
		store_blob_free(&m->secret_key_sealed);
		blob_set(&m->secret_key_sealed, sealed, sealed_len);
		r = store_err(STORE_CALL(c->st, member_set_secret_key, m));
	}
	if (r == 0)
		r = journal_leave(c, from, to);
	if (r == 0)
		r = statement_leave(c, from, to, NULL);
	if (r == 0)
		r = checkin_leave(c, from, to, NULL);
	if (r == 0)
		r = item_leave(c, from, to, NULL);
	if (r == 0)
		r = safety_rekey(c, from, to);
	if (r == 0)
		r = factor_rekey(c, m->couple_id, m->id, from->mk, to->mk);
	if (r == 0)
		r = passkey_rekey(c, m->couple_id, m->id, from->mk, to->mk);
	return store_err(r);
}

/* A copy of s with a new MK for a rotation (account_rotate()), into k->mk too; NULL: no memory. */
static struct session *account_rotation(const struct session *s, struct account_keys *k)
{
	struct session *to = account_session_new();

	if (to) {
		*to = *s;
		vault_random(to->mk, sizeof(to->mk));
		memcpy(k->mk, to->mk, VAULT_KEY_BYTES);
	}
	return to;
}

int account_recover(const struct core *c, const char *login, const char *recovery_key,
		    const char *code, const char *new_password, size_t new_len,
		    struct account_signin *ret, struct session *ret_session)
{
	struct member_row m;
	struct account_keys *k = NULL;
	struct session *from = NULL, *to = NULL;
	char folded[256];
	int r, in_tx = 0;

	memset(&m, 0, sizeof(m));
	/* the request's own login: the answer tells nothing of who exists */
	r = account_password_ok(new_password, new_len, login);
	if (r != 0)
		return r;
	r = argon2_enter();
	if (r)
		return r;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	account_fold_login(folded, sizeof(folded), login);
	r = STORE_CALL(c->st, member_get_by_login, folded, &m);
	if (r == STORE_NOTFOUND) {
		vault_password_dummy(new_password, new_len, c->kdf);
		r = ACCOUNT_BAD_CREDENTIALS;
		goto out;
	}
	if (r != 0)
		goto fail;
	r = account_open_recovery(&m, recovery_key, strlen(recovery_key), k->mk);
	if (r != 0) {
		if (r > 0) {
			/* as long as an unknown login takes: time must not tell who exists */
			vault_password_dummy(new_password, new_len, c->kdf);
			audit(c, m.couple_id, m.id, "recovery_failed");
		}
		r = r > 0 ? ACCOUNT_BAD_CREDENTIALS : r;
		goto out;
	}
	r = account_open_keys(c, &m, k);
	if (r != 0)
		goto out;
	r = account_second_factor(c, &m, k->mk, code);
	if (r != 0)
		goto out;
	/* the member's keys as they open now, and a new MK for everything (account_rotate()) */
	from = account_session_new();
	if (!from) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(from->member_id, m.id, sizeof(from->member_id));
	memcpy(from->couple_id, m.couple_id, sizeof(from->couple_id));
	memcpy(from->mk, k->mk, VAULT_KEY_BYTES);
	memcpy(from->ck, k->ck, VAULT_KEY_BYTES);
	memcpy(from->sk, k->sk, VAULT_SK_BYTES);
	r = couplekey_load_old(c, m.id, m.couple_id, k->mk, from);
	if (r != 0)
		goto out;
	to = account_rotation(from, k);
	if (!to) {
		r = -ENOMEM;
		goto out;
	}
	r = account_wrap_password(c, &m, k, new_password, new_len);
	if (r < 0)
		goto out;
	r = account_wrap_recovery(&m, k, ret->recovery_key);
	if (r < 0)
		goto out;

	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	r = account_rotate(c, &m, from, to);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, member_set_password, &m);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, member_set_recovery, &m);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, session_delete_member, m.couple_id, m.id, NULL);
	if (r != 0 && r != STORE_NOTFOUND)
		goto fail;
	/* and every browser's standing: this one gets a new one as it signs in */
	r = throttle_device_forget(c->st, m.couple_id, m.id, NULL, 0);
	if (r != 0)
		goto fail;
	r = session_start(c, &m, k->mk, k->ck, k->sk, ret->cookie, ret_session);
	if (r != 0)
		goto fail;
	audit(c, m.couple_id, m.id, "recovered");
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
	if (r == ACCOUNT_SECOND_FACTOR_REQUIRED) {
		memcpy(ret->factor_member, m.id, sizeof(ret->factor_member));
		memcpy(ret->factor_couple, m.couple_id, sizeof(ret->factor_couple));
	}
	store_member_free(&m);
	account_session_free(from);
	account_session_free(to);
	account_keys_free(k);
	argon2_leave();
	return r;
}

enum account_secret_kind { SECRET_PASSWORD, SECRET_RECOVERY, SECRET_CODE };

/* A secret a signed-in member typed again: the password, the recovery key, or a code. */
struct account_secret {
	const char *text;
	size_t len;
	enum account_secret_kind kind;
	const unsigned char *mk; /* with the recovery key or a code: the session's MK */
	int wrong;		 /* the outcome when it is not right */
	const char *audit;	 /* the audit event of a wrong one */
	int keep_count;		 /* 1: a right one does not clear the count (a code is still due) */
};

/* 0 when the secret is the member's, < 0 when that cannot be told, else > 0. */
static int account_secret_right(const struct core *c, const struct member_row *m,
				const struct account_secret *sc)
{
	unsigned char mk[VAULT_KEY_BYTES];
	int r;

	if (sc->kind == SECRET_PASSWORD)
		return vault_password_verify(m->pw_hash, sc->text, sc->len);
	/* a code is spent as it is checked (factor_check()) */
	if (sc->kind == SECRET_CODE)
		return factor_check(c, m->couple_id, m->id, sc->mk, sc->text);
	/* the recovery key is right when it opens the member's own MK */
	r = account_open_recovery(m, sc->text, sc->len, mk);
	if (r == 0)
		r = !vault_equal(mk, sc->mk, VAULT_KEY_BYTES);
	vault_wipe(mk, sizeof(mk));
	return r;
}

/*
 * Checks a secret of the signed-in member m under guard g (NULL: not
 * counted).  ACCOUNT_RATE_LIMITED while the login or the address has too
 * many recent failures, before looking at the secret; a wrong one is
 * counted and gives sc->wrong; a right one clears the login's count.  A
 * failure that cannot be counted answers as an error, not as "wrong": an
 * uncounted guess must not learn its outcome.
 */
static int account_recheck_secret(const struct core *c, struct account_guard *g,
				  const struct member_row *m, const struct account_secret *sc)
{
	struct throttle_limits lim;
	struct throttle_keys k;
	int retry = 0, r;

	if (!g) {
		r = account_secret_right(c, m, sc);
		if (r <= 0)
			return r;
		audit(c, m->couple_id, m->id, sc->audit);
		return sc->wrong;
	}
	lim.login_failures = g->login_failures;
	lim.address_failures = g->address_failures;
	lim.window_s = g->window_s ? g->window_s : 1;
	throttle_keys_make(&k, m->login, g->address);
	/* the member's own browser is not locked by failures from elsewhere */
	r = throttle_device_vouch(c->st, &k, g->device, g->device_len, m->login);
	if (r < 0)
		return r;
	r = throttle_check(c->st, &lim, &k, throttle_now_ms(), &retry);
	if (r == THROTTLE_LIMITED) {
		g->retry_after_s = retry;
		return ACCOUNT_RATE_LIMITED;
	}
	if (r != 0)
		return r;
	r = account_secret_right(c, m, sc);
	if (r < 0)
		return r;
	if (r > 0) {
		audit(c, m->couple_id, m->id, sc->audit);
		r = throttle_failed(c->st, &lim, &k, throttle_now_ms());
		return r < 0 ? r : sc->wrong;
	}
	/* as after a sign-in: a count that stays is only stricter; while a
	 * code is still due, clearing it would let each right password wipe
	 * the count of the wrong codes guessed after it */
	if (!sc->keep_count)
		(void)throttle_succeeded(c->st, &k);
	return 0;
}

/* The code check behind a session (account_recheck_secret()). */
static int account_recheck_code(const struct core *c, struct account_guard *g,
				const struct member_row *m, const unsigned char *mk,
				const char *code)
{
	/* not second_factor_failed, which is a wrong code at sign-in: the history shows that one */
	const struct account_secret sc = {
		code, strlen(code), SECRET_CODE, mk, ACCOUNT_WRONG_CODE, "code_check_failed", 0};

	return account_recheck_secret(c, g, m, &sc);
}

/*
 * The password check behind a session (account_recheck_secret()); with
 * want_code, then a code of the member's second factor where one is on
 * (mk: the session's MK; code NULL or "": ACCOUNT_CODE_REQUIRED).
 */
static int account_recheck(const struct core *c, struct account_guard *g,
			   const struct member_row *m, const char *pw, size_t pwlen, int want_code,
			   const unsigned char *mk, const char *code)
{
	struct account_secret sc = {
		pw, pwlen, SECRET_PASSWORD, NULL, ACCOUNT_WRONG_PASSWORD, "password_check_failed",
		0};
	unsigned kinds = 0;
	int r;

	if (want_code) {
		r = factor_active(c, m->couple_id, m->id, &kinds);
		if (r != 0)
			return r;
	}
	sc.keep_count = kinds != 0;
	r = account_recheck_secret(c, g, m, &sc);
	if (r != 0 || kinds == 0)
		return r;
	if (!code || !*code)
		return ACCOUNT_CODE_REQUIRED;
	return account_recheck_code(c, g, m, mk, code);
}

/* account_recheck() inside the Argon2 gate, left at once: a check that no key work follows. */
static int account_recheck_gated(const struct core *c, struct account_guard *g,
				 const struct member_row *m, const char *pw, size_t pwlen,
				 int want_code, const unsigned char *mk, const char *code)
{
	int r = argon2_enter();

	if (r != 0)
		return r;
	r = account_recheck(c, g, m, pw, pwlen, want_code, mk, code);
	argon2_leave();
	return r;
}

/* Loads the session's member into m: 0 or a negative errno. */
static int account_member_of(const struct core *c, const struct session *s, struct member_row *m)
{
	return store_err(STORE_CALL(c->st, member_get, s->couple_id, s->member_id, m));
}

int account_change_password(const struct core *c, struct session *s, struct account_guard *g,
			    const char *old_pw, size_t old_len, const char *code,
			    const char *new_pw, size_t new_len)
{
	struct member_row m;
	struct account_keys *k = NULL;
	struct session *to = NULL;
	int r, in_tx = 0, entered = 0;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r != 0)
		goto out;
	r = account_password_ok(new_pw, new_len, m.login);
	if (r != 0)
		goto out;
	r = argon2_enter();
	if (r != 0)
		goto out;
	entered = 1;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	r = account_recheck(c, g, &m, old_pw, old_len, 1, s->mk, code);
	if (r != 0)
		goto out;
	memcpy(k->mk, s->mk, VAULT_KEY_BYTES);
	/*
	 * A member whose recovery wrap has the form before
	 * (account_open_recovery()) keeps their MK: the new one could not be
	 * sealed for their recovery key.  Their next recovery or new recovery
	 * key changes the form, and the password change after it the key.
	 */
	if (m.rk_salt.len == ACCOUNT_RK_FORM) {
		to = account_rotation(s, k);
		if (!to) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = account_wrap_password(c, &m, k, new_pw, new_len);
	if (r == 0 && to)
		r = account_reseal_recovery(&m, s->mk, to->mk);
	if (r < 0)
		goto out;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	r = STORE_CALL(c->st, member_set_password, &m);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, session_delete_member, m.couple_id, m.id, s->id);
	if (r != 0 && r != STORE_NOTFOUND)
		goto fail;
	if (to) {
		/* this session goes on with the new key; the member's others ended above */
		r = account_rotate(c, &m, s, to);
		if (r == 0)
			r = STORE_CALL(c->st, member_set_recovery, &m);
		if (r == 0)
			r = session_reseal(c, to);
		if (r != 0)
			goto fail;
	}
	/* a browser signed in with the old password loses its standing; this one keeps it */
	r = throttle_device_forget(c->st, m.couple_id, m.id, g ? g->device : NULL,
				   g ? g->device_len : 0);
	if (r != 0)
		goto fail;
	audit(c, s->couple_id, s->member_id, "password_changed");
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	if (to)
		*s = *to; /* the old MK is gone from memory with it */
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	store_member_free(&m);
	account_session_free(to);
	account_keys_free(k);
	if (entered)
		argon2_leave();
	return r;
}

/*
 * A new recovery key needs the current one: a partner who knows the
 * password must not be able to replace it and then change the password,
 * locking the owner out for good.  It also ends the member's other
 * sessions, as a password change does: a member who makes one because the old key was seen may be
 * undoing what someone did with it (recovery signs in), and a session
 * opened that way must not outlive the key that opened it.
 */
int account_new_recovery(const struct core *c, const struct session *s, struct account_guard *g,
			 const char *current_key, const char *code,
			 char recovery_out[VAULT_RECOVERY_CHARS + 1])
{
	const struct account_secret sc = {current_key,
					  current_key ? strlen(current_key) : 0,
					  SECRET_RECOVERY,
					  s->mk,
					  ACCOUNT_WRONG_RECOVERY,
					  "recovery_check_failed",
					  code != NULL};
	struct member_row m;
	struct account_keys *k = NULL;
	int r, in_tx = 0, entered = 0;

	if (!current_key && !code)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r != 0)
		goto out;
	r = argon2_enter();
	if (r != 0)
		goto out;
	entered = 1;
	k = account_keys_new();
	if (!k) {
		r = -ENOMEM;
		goto out;
	}
	r = current_key ? account_recheck_secret(c, g, &m, &sc) : 0;
	if (r == 0 && code)
		r = account_recheck_code(c, g, &m, s->mk, code);
	if (r != 0)
		goto out;
	memcpy(k->mk, s->mk, VAULT_KEY_BYTES);
	r = account_wrap_recovery(&m, k, recovery_out);
	if (r < 0)
		goto out;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	r = STORE_CALL(c->st, member_set_recovery, &m);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, session_delete_member, m.couple_id, m.id, s->id);
	if (r != 0 && r != STORE_NOTFOUND)
		goto fail;
	r = throttle_device_forget(c->st, m.couple_id, m.id, g ? g->device : NULL,
				   g ? g->device_len : 0);
	if (r != 0)
		goto fail;
	audit(c, s->couple_id, s->member_id, "recovery_key_replaced");
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	if (r != 0)
		vault_wipe(recovery_out, VAULT_RECOVERY_CHARS + 1);
	store_member_free(&m);
	account_keys_free(k);
	if (entered)
		argon2_leave();
	return r;
}

/* A FACTOR_* outcome as the ACCOUNT_* one the edges answer. */
static int account_factor_outcome(int r)
{
	switch (r) {
	case FACTOR_WRONG:
		return ACCOUNT_WRONG_CODE;
	case FACTOR_ACTIVE:
		return ACCOUNT_FACTOR_ON;
	case FACTOR_NONE:
		return ACCOUNT_FACTOR_OFF;
	default:
		return r;
	}
}

int account_totp_begin(const struct core *c, const struct session *s, struct account_guard *g,
		       const char *password, size_t pwlen, struct factor_setup *ret)
{
	struct member_row m;
	int r;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r != 0)
		return r;
	r = account_recheck_gated(c, g, &m, password, pwlen, 0, NULL, NULL);
	if (r == 0)
		r = account_factor_outcome(factor_totp_begin(c, &m, s->mk, ret));
	store_member_free(&m);
	return r;
}

int account_totp_confirm(const struct core *c, const struct session *s, const char *code,
			 struct factor_codes *ret)
{
	return account_factor_outcome(factor_totp_confirm(c, s, code, ret));
}

int account_totp_remove(const struct core *c, const struct session *s, struct account_guard *g,
			const char *password, size_t pwlen, const char *code)
{
	struct member_row m;
	unsigned kinds = 0;
	int r;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r == 0)
		r = factor_active(c, m.couple_id, m.id, &kinds);
	if (r == 0 && !(kinds & FACTOR_KIND_TOTP))
		r = ACCOUNT_FACTOR_OFF;
	/*
	 * Passkeys lean on TOTP's recovery codes, which go with it: a member left
	 * with passkeys and no code would be locked out for good by a lost
	 * phone.  Their passkeys go first, by their own choice.
	 */
	if (r == 0 && (kinds & FACTOR_KIND_PASSKEY))
		r = ACCOUNT_PASSKEYS_REMAIN;
	if (r == 0)
		r = account_recheck_gated(c, g, &m, password, pwlen, 1, s->mk, code);
	if (r == 0)
		r = account_factor_outcome(factor_remove(c, s->couple_id, s->member_id));
	store_member_free(&m);
	return r;
}

int account_passkey_begin(const struct core *c, const struct session *s, struct account_guard *g,
			  const char *password, size_t pwlen, const char *origin,
			  char challenge_out[PASSKEY_CHALLENGE_B64])
{
	struct member_row m;
	unsigned kinds = 0;
	int r;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r == 0)
		r = factor_active(c, m.couple_id, m.id, &kinds);
	if (r == 0 && !(kinds & FACTOR_KIND_TOTP))
		r = ACCOUNT_FACTOR_OFF;
	if (r == 0)
		r = account_recheck_gated(c, g, &m, password, pwlen, 0, NULL, NULL);
	if (r == 0)
		r = passkey_challenge(c, m.couple_id, m.id, PASSKEY_PURPOSE_CREATE, origin,
				      challenge_out);
	store_member_free(&m);
	return r;
}

int account_passkey_add(const struct core *c, const struct session *s, const char *name,
			const char *credential)
{
	int r = passkey_register(c, s, name, credential);

	if (r == PASSKEY_REFUSED)
		return ACCOUNT_WRONG_CODE;
	if (r == PASSKEY_FULL)
		return ACCOUNT_PASSKEY_FULL;
	if (r == 0)
		audit(c, s->couple_id, s->member_id, "passkey_added");
	return r;
}

int account_passkey_remove(const struct core *c, const struct session *s, struct account_guard *g,
			   const char *password, size_t pwlen, const char *code, const char *id)
{
	struct member_row m;
	int r;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r == 0)
		r = account_recheck_gated(c, g, &m, password, pwlen, 1, s->mk, code);
	if (r == 0) {
		/* PASSKEY_* outcomes are not ACCOUNT_* ones: mapped here, not after */
		r = passkey_remove(c, s, id);
		if (r == PASSKEY_NOTFOUND)
			r = ACCOUNT_NOT_FOUND;
		else if (r == 0)
			audit(c, s->couple_id, s->member_id, "passkey_removed");
	}
	store_member_free(&m);
	return r;
}

int account_passkey_signin_on(const struct core *c, const struct session *s, const char *id,
			      const char *assertion)
{
	int r = passkey_signin_enable(c, s, id, assertion);

	switch (r) {
	case PASSKEY_OK:
		audit(c, s->couple_id, s->member_id, "passkey_signin_on");
		return 0;
	case PASSKEY_NOTFOUND:
		return ACCOUNT_NOT_FOUND;
	case PASSKEY_NO_PRF:
		return ACCOUNT_PASSKEY_NO_PRF;
	case PASSKEY_REFUSED:
	case PASSKEY_FULL:
		return ACCOUNT_WRONG_CODE;
	default:
		return r;
	}
}

int account_passkey_signin_off(const struct core *c, const struct session *s, const char *id)
{
	int r = passkey_signin_disable(c, s, id);

	if (r == PASSKEY_NOTFOUND)
		return ACCOUNT_NOT_FOUND;
	if (r == 0)
		audit(c, s->couple_id, s->member_id, "passkey_signin_off");
	return r;
}

int account_passkey_login(const struct core *c, const char *assertion, struct account_signin *ret,
			  struct session *ret_session)
{
	char member_id[STORE_ID_LEN + 1], couple_id[STORE_ID_LEN + 1];
	struct member_row m;
	struct account_keys *k;
	int r;

	memset(&m, 0, sizeof(m));
	k = account_keys_new();
	if (!k)
		return -ENOMEM;
	r = passkey_signin(c, assertion, couple_id, member_id, k->mk);
	if (r == PASSKEY_REFUSED || r == PASSKEY_FULL)
		r = ACCOUNT_BAD_CREDENTIALS;
	if (r == 0) {
		r = STORE_CALL(c->st, member_get, couple_id, member_id, &m);
		r = r == STORE_NOTFOUND ? ACCOUNT_BAD_CREDENTIALS : store_err(r);
	}
	if (r == 0)
		r = account_open_keys(c, &m, k);
	if (r == 0) {
		ret->recovery_key[0] = '\0';
		ret->factor_member[0] = '\0';
		ret->factor_couple[0] = '\0';
		r = session_start(c, &m, k->mk, k->ck, k->sk, ret->cookie, ret_session);
	}
	if (r == 0) {
		devices_audit(c, m.couple_id, m.id, "signin", ret_session->id);
		(void)session_purge(c);
	}
	store_member_free(&m);
	account_keys_free(k);
	return r;
}

/*
 * The password of member m asked again before leaving or deleting, under
 * g, with an Argon2 slot taken (*entered set: the caller gives it back).
 */
static int account_password_again(const struct core *c, struct account_guard *g,
				  const struct member_row *m, const char *password, size_t pwlen,
				  int *entered)
{
	int r = argon2_enter();

	if (r != 0)
		return r;
	*entered = 1;
	return account_recheck(c, g, m, password, pwlen, 0, NULL, NULL);
}

int account_delete(const struct core *c, const struct session *s, struct account_guard *g,
		   const char *password, size_t pwlen)
{
	struct member_row m;
	struct member_brief *list = NULL;
	size_t n = 0;
	int r, in_tx = 0, entered = 0;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r == 0)
		r = account_password_again(c, g, &m, password, pwlen, &entered);
	if (r != 0)
		goto out;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto fail;
	in_tx = 1;
	if (strcmp(s->role, "partner") == 0) {
		/* the care key this partner knew: the care team's access ends with them */
		struct session *copy = vault_secure_alloc(sizeof(*copy));

		r = copy ? 0 : -ENOMEM;
		if (r == 0) {
			memcpy(copy, s, sizeof(*copy));
			r = care_retire(c, copy);
			vault_secure_free(copy);
		}
		if (r != 0)
			goto out;
	}
	r = STORE_CALL(c->st, member_delete, s->couple_id, s->member_id);
	if (r != 0)
		goto fail;
	r = STORE_CALL(c->st, couple_members, s->couple_id, &list, &n);
	if (r != 0)
		goto fail;
	if (n == 0) {
		r = STORE_CALL(c->st, couple_delete, s->couple_id);
	} else {
		/* the couple key this member knew: the partner who stays makes a new one */
		r = STORE_CALL(c->st, couple_rekey_mark, s->couple_id, NULL);
		audit(c, s->couple_id, NULL, "member_deleted");
	}
	if (r != 0 && r != STORE_NOTFOUND)
		goto fail;
	r = c->st->ops->commit(c->st);
	if (r != 0)
		goto fail;
	in_tx = 0;
	/* gone from the log too, not only from the file (best effort: a reader may hold it) */
	(void)c->st->ops->scrub(c->st);
	goto out;
fail:
	r = store_err(r);
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	free(list);
	store_member_free(&m);
	if (entered)
		argon2_leave();
	return r;
}

int account_set_language(const struct core *c, struct session *s, const char *lang)
{
	int r = STORE_CALL(c->st, member_set_language, s->couple_id, s->member_id, lang);

	if (r != 0)
		return store_err(r);
	snprintf(s->language, sizeof(s->language), "%s", lang);
	return 0;
}

int account_set_profile(const struct core *c, struct session *s, const struct account_profile *p)
{
	int r, in_tx = 0;

	if (p->autolock_minutes >= 0 && !SESSION_AUTOLOCK_OK(p->autolock_minutes))
		return ACCOUNT_AUTOLOCK_INVALID;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto out;
	in_tx = 1;
	if (p->language)
		r = STORE_CALL(c->st, member_set_language, s->couple_id, s->member_id, p->language);
	if (r == 0 && (p->display_name || p->discreet >= 0 || p->autolock_minutes >= 0))
		r = STORE_CALL(c->st, member_set_profile, s->couple_id, s->member_id,
			       p->display_name, p->discreet, p->autolock_minutes);
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		goto out;
	in_tx = 0;
	if (p->language)
		snprintf(s->language, sizeof(s->language), "%s", p->language);
	if (p->discreet >= 0)
		s->discreet = p->discreet != 0;
	if (p->autolock_minutes >= 0)
		s->autolock_minutes = p->autolock_minutes;
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	return store_err(r);
}

int account_unlock_session(const struct core *c, struct session *s, struct account_guard *g,
			   const char *password, size_t pwlen)
{
	struct member_row m;
	int r;

	memset(&m, 0, sizeof(m));
	r = account_member_of(c, s, &m);
	if (r == 0)
		r = account_recheck_gated(c, g, &m, password, pwlen, 0, NULL, NULL);
	store_member_free(&m);
	if (r != 0)
		return r;
	r = session_unlock(c, s);
	return r == 1 ? ACCOUNT_SESSION_GONE : r;
}

int account_describe(const struct core *c, const struct session *s, struct member_view *ret)
{
	struct member_row m;
	struct couple_row couple;
	struct member_brief *list = NULL;
	size_t n = 0, i;
	int r;

	memset(&m, 0, sizeof(m));
	r = STORE_CALL(c->st, member_get, s->couple_id, s->member_id, &m);
	if (r != 0)
		return store_err(r);
	r = STORE_CALL(c->st, couple_get, s->couple_id, &couple);
	if (r == 0)
		r = STORE_CALL(c->st, couple_members, s->couple_id, &list, &n);
	if (r != 0) {
		store_member_free(&m);
		return store_err(r);
	}
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->id, m.id, sizeof(ret->id));
	snprintf(ret->display_name, sizeof(ret->display_name), "%s", m.display_name);
	snprintf(ret->role, sizeof(ret->role), "%s", m.role);
	snprintf(ret->language, sizeof(ret->language), "%s", m.language);
	memcpy(ret->created_at, m.created_at, sizeof(ret->created_at));
	memcpy(ret->couple_id, couple.id, sizeof(ret->couple_id));
	memcpy(ret->couple_created_at, couple.created_at, sizeof(ret->couple_created_at));
	for (i = 0; i < n; i++) {
		if (list[i].left) { /* the newest former partner, for what they wrote */
			memcpy(ret->former.id, list[i].id, VAULT_ID_HEX + 1);
			snprintf(ret->former.display_name, sizeof(ret->former.display_name), "%s",
				 list[i].display_name);
			ret->has_former = 1;
			continue;
		}
		if (strcmp(list[i].role, "partner") != 0 || ret->npartners >= 2)
			continue;
		memcpy(ret->partners[ret->npartners].id, list[i].id, VAULT_ID_HEX + 1);
		snprintf(ret->partners[ret->npartners].display_name,
			 sizeof(ret->partners[0].display_name), "%s", list[i].display_name);
		ret->npartners++;
	}
	free(list);
	store_member_free(&m);
	return 0;
}

/*
 * The leaver's new couple key, wrapped and tagged for them in their new
 * couple (m: their row, its couple already the new one).
 */
static int account_leave_wrap(const struct core *c, const struct member_row *m,
			      const struct session *to)
{
	unsigned char tag[VAULT_TAG_BYTES], *wrapped = NULL;
	size_t len = 0;
	int r;

	r = vault_box_seal(m->public_key.data, to->ck, VAULT_KEY_BYTES, &wrapped, &len);
	if (r == 0)
		r = couplekey_wrap_tag(to->mk, m, wrapped, len, tag);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, couple_key_put, m->couple_id, m->id, wrapped, len,
					 tag, sizeof(tag)));
	free(wrapped);
	return r;
}

/* Inside the transaction: everything of the leave but the password check. */
static int account_leave_tx(const struct core *c, struct member_row *m, struct session *s,
			    struct session *to)
{
	char ghost[VAULT_ID_HEX + 1], now[STORE_TIME_LEN + 1];
	int r;

	vault_random_id(ghost);
	session_now(now, 0);
	/* the leaver knew the care key: the care team's access ends, its rows go under CK */
	r = care_retire(c, s);
	if (r == 0)
		r = store_err(STORE_CALL(c->st, member_leave, s->couple_id, s->member_id, ghost,
					 to->couple_id, s->id, now));
	if (r == 0)
		r = journal_leave(c, s, to);
	if (r == 0)
		r = statement_leave(c, s, to, ghost);
	if (r == 0)
		r = checkin_leave(c, s, to, ghost);
	if (r == 0)
		r = item_leave(c, s, to, ghost);
	if (r == 0)
		r = safety_leave(c, s, to);
	if (r == 0) {
		snprintf(m->couple_id, sizeof(m->couple_id), "%s", to->couple_id);
		r = account_leave_wrap(c, m, to);
	}
	/* the partner who stays makes a key the leaver never knew; no old invite wakes up */
	if (r == 0)
		r = store_err(STORE_CALL(c->st, couple_rekey_mark, s->couple_id, NULL));
	if (r == 0)
		r = store_err(STORE_CALL(c->st, invite_revoke_open, s->couple_id, "partner"));
	if (r == 0)
		r = session_reseal(c, to);
	if (r == 0) {
		audit(c, s->couple_id, NULL, "partner_left");
		audit(c, to->couple_id, s->member_id, "left_couple");
	}
	return r > 0 ? -EIO : r;
}

int account_leave(const struct core *c, struct session *s, struct account_guard *g,
		  const char *password, size_t pwlen)
{
	struct member_row m;
	struct session *to = NULL;
	size_t partners = 0;
	int r, entered = 0;

	memset(&m, 0, sizeof(m));
	if (strcmp(s->role, "partner") != 0)
		return ACCOUNT_FORBIDDEN;
	r = account_member_of(c, s, &m);
	if (r != 0)
		goto out;
	r = couple_partner_count(c, s->couple_id, &partners);
	if (r == 0 && partners < 2)
		r = ACCOUNT_ALONE;
	if (r == 0)
		r = account_password_again(c, g, &m, password, pwlen, &entered);
	if (r != 0)
		goto out;
	to = vault_secure_alloc(sizeof(*to));
	if (!to) {
		r = -ENOMEM;
		goto out;
	}
	*to = *s;
	vault_random_id(to->couple_id);
	vault_random(to->ck, sizeof(to->ck));
	to->n_ck_old = 0;
	vault_wipe(to->ck_old, sizeof(to->ck_old));
	r = c->st->ops->begin(c->st);
	if (r != 0) {
		r = store_err(r);
		goto out;
	}
	r = account_leave_tx(c, &m, s, to);
	if (r == 0)
		r = store_err(c->st->ops->commit(c->st));
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	else
		*s = *to;
out:
	if (to) {
		vault_wipe(to, sizeof(*to));
		vault_secure_free(to);
	}
	store_member_free(&m);
	if (entered)
		argon2_leave();
	return r;
}
