/*
 * factor.c: the second factor (factor.h): TOTP after RFC 6238 over the
 * vault's RFC 4226 HOTP, and one-time recovery codes.
 *
 * Replay: a member's row keeps the step of the last code accepted, and a
 * code is taken only for a later step, by one UPDATE that moves it forward
 * (store.h, totp_use_step), so a code seen over a shoulder or replayed by
 * a second request is spent, even when two requests race.  Recovery codes
 * are deleted as they are used, by one DELETE that only one of two racing
 * requests can win.
 *
 * Keys: the secret is sealed with XChaCha20-Poly1305 under subkey 1 of
 * context FACTOR_TOTP_CTX of MK, its associated data binding the purpose
 * and the member id; recovery codes are BLAKE2b-keyed under subkey 1 of
 * FACTOR_CODES_CTX, over the member id and the code's canonical symbols,
 * so that someone with the database cannot test guesses offline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/factor.h"
#include "core/passkey.h"

#define FACTOR_TOTP_CTX	 "totp____"
#define FACTOR_CODES_CTX "rcodes__"
#define FACTOR_ISSUER	 "kintsugi"

int64_t factor_totp_step(int64_t unix_s)
{
	if (unix_s < 0)
		return 0;
	return unix_s / FACTOR_TOTP_PERIOD_S;
}

uint32_t factor_totp_code(const unsigned char *key, size_t len, int64_t step, unsigned digits)
{
	return vault_hotp(key, len, (uint64_t)step, digits);
}

/* The six digits of typed (spaces skipped) as a number; -1 when it is not six digits. */
static int64_t factor_digits(const char *typed)
{
	int64_t v = 0;
	unsigned n = 0;

	for (; typed && *typed; typed++) {
		if (*typed == ' ')
			continue;
		if (*typed < '0' || *typed > '9' || n == FACTOR_TOTP_DIGITS)
			return -1;
		v = v * 10 + (*typed - '0');
		n++;
	}
	return n == FACTOR_TOTP_DIGITS ? v : -1;
}

int factor_totp_match(const unsigned char *key, size_t len, const char *typed, int64_t now_step,
		      int64_t last_step, int64_t *ret_step)
{
	int64_t want = factor_digits(typed), step, found = -1;
	unsigned char a[4], b[4];
	uint32_t code;
	int d;

	if (want < 0)
		return FACTOR_WRONG;
	for (d = -FACTOR_TOTP_SKEW; d <= FACTOR_TOTP_SKEW; d++) {
		step = now_step + d;
		code = factor_totp_code(key, len, step, FACTOR_TOTP_DIGITS);
		memcpy(a, &code, sizeof(a));
		code = (uint32_t)want;
		memcpy(b, &code, sizeof(b));
		/* every candidate is compared, whatever matched before */
		if (vault_equal(a, b, sizeof(a)) & (step > last_step) & (found < 0))
			found = step;
	}
	vault_wipe(a, sizeof(a));
	if (found < 0)
		return FACTOR_WRONG;
	*ret_step = found;
	return 0;
}

void factor_base32(char *out, const unsigned char *in, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned acc = 0, bits = 0;
	size_t i, pos = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[pos++] = alphabet[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[pos++] = alphabet[(acc << (5 - bits)) & 31];
	out[pos] = '\0';
}

int factor_uri(char *out, size_t len, const char *login, const char *secret_b32)
{
	static const char hex[] = "0123456789ABCDEF";
	char label[3 * 256 + 1];
	size_t pos = 0;
	int n;

	/* RFC 3986 unreserved characters as they are, the rest percent-encoded */
	for (; *login && pos + 4 < sizeof(label); login++) {
		unsigned char ch = (unsigned char)*login;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			label[pos++] = (char)ch;
		} else {
			label[pos++] = '%';
			label[pos++] = hex[ch >> 4];
			label[pos++] = hex[ch & 15];
		}
	}
	label[pos] = '\0';
	n = snprintf(out, len,
		     "otpauth://totp/" FACTOR_ISSUER ":%s?secret=%s&issuer=" FACTOR_ISSUER
		     "&algorithm=SHA1&digits=%d&period=%d",
		     label, secret_b32, FACTOR_TOTP_DIGITS, FACTOR_TOTP_PERIOD_S);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int store_err(int r)
{
	return r > 0 ? -EIO : r;
}

static void factor_ad(char *ad, size_t len, const char *member_id)
{
	snprintf(ad, len, "totp.secret|%s", member_id);
}

/*
 * What a TOTP row holds sealed: the secret, and, once the member's master
 * key changed (issue 11 part 4), the key of the recovery codes' hashes,
 * which was a subkey of the master key before: the codes are stored as
 * hashes only, and could not be hashed again under the new one.
 */
#define FACTOR_SEALED_BYTES (FACTOR_TOTP_SECRET_BYTES + VAULT_KEY_BYTES)

/*
 * Opens the sealed secret of row t into secret, and the key of the
 * recovery codes' hashes into codes_key: 0, or -EBADMSG when it does not open.
 */
static int factor_open_keys(const struct totp_row *t, const char *member_id,
			    const unsigned char *mk, unsigned char secret[FACTOR_TOTP_SECRET_BYTES],
			    unsigned char codes_key[VAULT_KEY_BYTES])
{
	unsigned char key[VAULT_KEY_BYTES], *plain = NULL;
	size_t len = 0;
	char ad[96];
	int r;

	vault_derive(key, mk, 1, FACTOR_TOTP_CTX);
	factor_ad(ad, sizeof(ad), member_id);
	r = vault_open(key, t->secret_sealed.data, t->secret_sealed.len, ad, &plain, &len);
	vault_wipe(key, sizeof(key));
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	if (len == FACTOR_TOTP_SECRET_BYTES || len == FACTOR_SEALED_BYTES) {
		memcpy(secret, plain, FACTOR_TOTP_SECRET_BYTES);
		if (len == FACTOR_SEALED_BYTES)
			memcpy(codes_key, plain + FACTOR_TOTP_SECRET_BYTES, VAULT_KEY_BYTES);
		else
			vault_derive(codes_key, mk, 1, FACTOR_CODES_CTX);
	} else {
		r = -EBADMSG;
	}
	vault_wipe(plain, len);
	free(plain);
	return r;
}

/* Opens the sealed secret of row t into secret: 0, or -EBADMSG when it does not open. */
static int factor_open(const struct totp_row *t, const char *member_id, const unsigned char *mk,
		       unsigned char secret[FACTOR_TOTP_SECRET_BYTES])
{
	unsigned char codes_key[VAULT_KEY_BYTES];
	int r = factor_open_keys(t, member_id, mk, secret, codes_key);

	vault_wipe(codes_key, sizeof(codes_key));
	return r;
}

/* The keyed hash a recovery code is stored as: 0, or FACTOR_WRONG when it is not one. */
static int factor_code_hash(const unsigned char codes_key[VAULT_KEY_BYTES], const char *member_id,
			    const char *typed, unsigned char out[STORE_CODE_HASH_LEN])
{
	char norm[VAULT_CODE_SYMBOLS + 1], msg[STORE_ID_LEN + 1 + VAULT_CODE_SYMBOLS + 1];

	if (vault_code_norm(norm, typed, strlen(typed)) != 0)
		return FACTOR_WRONG;
	snprintf(msg, sizeof(msg), "%s|%s", member_id, norm);
	vault_tag(out, codes_key, msg, strlen(msg));
	vault_wipe(norm, sizeof(norm));
	vault_wipe(msg, sizeof(msg));
	return 0;
}

/*
 * The key of the member's recovery codes' hashes into codes_key, from
 * their TOTP row opened under mk: 0, FACTOR_WRONG when they have no TOTP,
 * or < 0.
 */
static int factor_codes_key(const struct core *c, const char *couple_id, const char *member_id,
			    const unsigned char *mk, unsigned char codes_key[VAULT_KEY_BYTES])
{
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES];
	struct totp_row t;
	int r;

	memset(&t, 0, sizeof(t));
	r = STORE_CALL(c->st, totp_get, couple_id, member_id, &t);
	if (r == STORE_NOTFOUND)
		return FACTOR_WRONG;
	if (r != 0)
		return store_err(r);
	r = factor_open_keys(&t, member_id, mk, secret, codes_key);
	vault_wipe(secret, sizeof(secret));
	store_totp_free(&t);
	return r;
}

int factor_rekey(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *from_mk, const unsigned char *to_mk)
{
	unsigned char plain[FACTOR_SEALED_BYTES], key[VAULT_KEY_BYTES];
	struct blob sealed = {NULL, 0};
	struct totp_row t;
	char ad[96];
	int r;

	memset(&t, 0, sizeof(t));
	r = STORE_CALL(c->st, totp_get, couple_id, member_id, &t);
	if (r == STORE_NOTFOUND)
		return 0;
	if (r != 0)
		return store_err(r);
	/* the codes' key goes along as it is: their hashes stay as they were */
	r = factor_open_keys(&t, member_id, from_mk, plain, plain + FACTOR_TOTP_SECRET_BYTES);
	store_totp_free(&t);
	if (r == 0) {
		vault_derive(key, to_mk, 1, FACTOR_TOTP_CTX);
		factor_ad(ad, sizeof(ad), member_id);
		r = vault_seal(key, plain, sizeof(plain), ad, &sealed.data, &sealed.len);
		vault_wipe(key, sizeof(key));
	}
	if (r == 0)
		r = store_err(STORE_CALL(c->st, totp_reseal, couple_id, member_id, &sealed));
	vault_wipe(plain, sizeof(plain));
	free(sealed.data);
	return r;
}

static void factor_fill(const char *login, const unsigned char secret[FACTOR_TOTP_SECRET_BYTES],
			struct factor_setup *ret)
{
	factor_base32(ret->secret, secret, FACTOR_TOTP_SECRET_BYTES);
	if (factor_uri(ret->uri, sizeof(ret->uri), login, ret->secret) != 0)
		ret->uri[0] = '\0';
}

static void factor_audit(const struct core *c, const char *couple_id, const char *member_id,
			 const char *event)
{
	char now[STORE_TIME_LEN + 1];

	session_now(now, 0);
	(void)STORE_CALL(c->st, audit_append, couple_id, member_id, event, now);
}

int factor_active(const struct core *c, const char *couple_id, const char *member_id,
		  unsigned *ret_kinds)
{
	struct totp_row t;
	unsigned kinds = 0;
	size_t n = 0;
	int r;

	memset(&t, 0, sizeof(t));
	r = STORE_CALL(c->st, totp_get, couple_id, member_id, &t);
	if (r != 0 && r != STORE_NOTFOUND)
		return store_err(r);
	if (r == 0 && t.active)
		kinds |= FACTOR_KIND_TOTP;
	store_totp_free(&t);
	r = passkey_count(c, couple_id, member_id, &n);
	if (r != 0)
		return r;
	if (n > 0)
		kinds |= FACTOR_KIND_PASSKEY;
	*ret_kinds = kinds;
	return 0;
}

/* A TOTP code of the member's active secret, its step spent. */
static int factor_check_totp(const struct core *c, const char *couple_id, const char *member_id,
			     const unsigned char *mk, const char *code)
{
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES];
	struct totp_row t;
	int64_t step = 0;
	int r;

	memset(&t, 0, sizeof(t));
	r = STORE_CALL(c->st, totp_get, couple_id, member_id, &t);
	if (r == STORE_NOTFOUND)
		return FACTOR_WRONG;
	if (r != 0)
		return store_err(r);
	if (!t.active) {
		store_totp_free(&t);
		return FACTOR_WRONG;
	}
	r = factor_open(&t, member_id, mk, secret);
	if (r == 0)
		r = factor_totp_match(secret, sizeof(secret), code,
				      factor_totp_step((int64_t)time(NULL)), t.last_step, &step);
	vault_wipe(secret, sizeof(secret));
	store_totp_free(&t);
	if (r != 0)
		return r;
	r = STORE_CALL(c->st, totp_use_step, couple_id, member_id, step);
	return r == STORE_CONFLICT ? FACTOR_WRONG : store_err(r);
}

int factor_check(const struct core *c, const char *couple_id, const char *member_id,
		 const unsigned char *mk, const char *code)
{
	unsigned char hash[STORE_CODE_HASH_LEN], codes_key[VAULT_KEY_BYTES];
	int r;

	if (!code || !mk)
		return FACTOR_WRONG;
	if (code[0] == '{')
		return passkey_check(c, couple_id, member_id, mk, code);
	if (factor_digits(code) >= 0)
		return factor_check_totp(c, couple_id, member_id, mk, code);
	r = factor_codes_key(c, couple_id, member_id, mk, codes_key);
	if (r == 0)
		r = factor_code_hash(codes_key, member_id, code, hash);
	vault_wipe(codes_key, sizeof(codes_key));
	if (r != 0)
		return r;
	r = STORE_CALL(c->st, recovery_code_use, couple_id, member_id, hash);
	vault_wipe(hash, sizeof(hash));
	return r == STORE_NOTFOUND ? FACTOR_WRONG : store_err(r);
}

int factor_totp_begin(const struct core *c, const struct member_row *m, const unsigned char *mk,
		      struct factor_setup *ret)
{
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES], key[VAULT_KEY_BYTES], *sealed = NULL;
	char ad[96], now[STORE_TIME_LEN + 1];
	size_t sealed_len = 0;
	int r;

	vault_random(secret, sizeof(secret));
	vault_derive(key, mk, 1, FACTOR_TOTP_CTX);
	factor_ad(ad, sizeof(ad), m->id);
	r = vault_seal(key, secret, sizeof(secret), ad, &sealed, &sealed_len);
	vault_wipe(key, sizeof(key));
	if (r == 0) {
		session_now(now, 0);
		r = STORE_CALL(c->st, totp_put, m->couple_id, m->id, sealed, sealed_len, now);
		r = r == STORE_CONFLICT ? FACTOR_ACTIVE : store_err(r);
	}
	if (r == 0)
		factor_fill(m->login, secret, ret);
	free(sealed);
	vault_wipe(secret, sizeof(secret));
	return r;
}

/* The member's pending (not active) row into t: 0, FACTOR_NONE or FACTOR_ACTIVE. */
static int factor_pending_row(const struct core *c, const char *couple_id, const char *member_id,
			      struct totp_row *t)
{
	int r = STORE_CALL(c->st, totp_get, couple_id, member_id, t);

	if (r == STORE_NOTFOUND)
		return FACTOR_NONE;
	if (r != 0)
		return store_err(r);
	if (t->active) {
		store_totp_free(t);
		return FACTOR_ACTIVE;
	}
	return 0;
}

int factor_totp_pending(const struct core *c, const struct session *s, struct factor_setup *ret)
{
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES];
	struct member_row m;
	struct totp_row t;
	int r;

	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	r = factor_pending_row(c, s->couple_id, s->member_id, &t);
	if (r != 0)
		return r == FACTOR_ACTIVE ? FACTOR_NONE : r;
	r = store_err(STORE_CALL(c->st, member_get, s->couple_id, s->member_id, &m));
	if (r == 0)
		r = factor_open(&t, s->member_id, s->mk, secret);
	if (r == 0)
		factor_fill(m.login, secret, ret);
	vault_wipe(secret, sizeof(secret));
	store_totp_free(&t);
	store_member_free(&m);
	return r;
}

int factor_totp_confirm(const struct core *c, const struct session *s, const char *code,
			struct factor_codes *ret)
{
	unsigned char secret[FACTOR_TOTP_SECRET_BYTES];
	unsigned char hashes[FACTOR_RECOVERY_CODES * STORE_CODE_HASH_LEN],
		codes_key[VAULT_KEY_BYTES];
	struct totp_row t;
	int64_t step = 0;
	size_t i;
	int r, in_tx = 0;

	memset(&t, 0, sizeof(t));
	r = factor_pending_row(c, s->couple_id, s->member_id, &t);
	if (r != 0)
		return r;
	r = factor_open_keys(&t, s->member_id, s->mk, secret, codes_key);
	if (r == 0)
		r = factor_totp_match(secret, sizeof(secret), code,
				      factor_totp_step((int64_t)time(NULL)), 0, &step);
	vault_wipe(secret, sizeof(secret));
	store_totp_free(&t);
	if (r != 0) {
		vault_wipe(codes_key, sizeof(codes_key));
		return r;
	}
	for (i = 0; i < FACTOR_RECOVERY_CODES && r == 0; i++) {
		vault_code_new(ret->code[i]);
		r = factor_code_hash(codes_key, s->member_id, ret->code[i],
				     hashes + i * STORE_CODE_HASH_LEN);
	}
	if (r != 0)
		goto out;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		goto out;
	in_tx = 1;
	r = STORE_CALL(c->st, totp_activate, s->couple_id, s->member_id, step, hashes,
		       FACTOR_RECOVERY_CODES);
	if (r == STORE_NOTFOUND) {
		r = FACTOR_NONE; /* a racing confirm or removal won */
		goto out;
	}
	if (r == 0)
		r = STORE_CALL(c->st, session_delete_member, s->couple_id, s->member_id, s->id);
	if (r == STORE_NOTFOUND)
		r = 0;
	if (r != 0) {
		r = store_err(r);
		goto out;
	}
	factor_audit(c, s->couple_id, s->member_id, "second_factor_on");
	r = store_err(c->st->ops->commit(c->st));
	if (r == 0)
		in_tx = 0;
out:
	if (in_tx)
		(void)c->st->ops->rollback(c->st);
	if (r != 0)
		vault_wipe(ret, sizeof(*ret));
	vault_wipe(hashes, sizeof(hashes));
	vault_wipe(codes_key, sizeof(codes_key));
	return r;
}

int factor_remove(const struct core *c, const char *couple_id, const char *member_id)
{
	int r = STORE_CALL(c->st, totp_delete, couple_id, member_id);

	if (r == STORE_NOTFOUND)
		return FACTOR_NONE;
	if (r != 0)
		return store_err(r);
	factor_audit(c, couple_id, member_id, "second_factor_off");
	return 0;
}

int factor_codes_left(const struct core *c, const char *couple_id, const char *member_id,
		      size_t *ret_n)
{
	return store_err(STORE_CALL(c->st, recovery_code_count, couple_id, member_id, ret_n));
}
