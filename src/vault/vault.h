/*
 * vault.h: every cryptographic operation kintsugi performs, over libsodium,
 * and over nettle for the one primitive libsodium lacks that a standard
 * requires (HMAC-SHA1, for RFC 4226/6238 one-time codes).
 *
 * Nothing outside src/vault/ calls libsodium or nettle directly.  Keys are 32 bytes
 * (VAULT_KEY_BYTES).  Sealed blobs are nonce || ciphertext || tag
 * (XChaCha20-Poly1305-IETF), with associated data that the caller builds to
 * bind table, item id, couple id and version, so that a blob moved to
 * another row or couple fails to open.
 *
 * Return values: 0 on success, VAULT_BAD (positive) when a secret does not
 * verify or a blob does not open, negative errno (-ENOMEM, -EINVAL) for
 * failures the caller cannot plan for.  Output parameters are not written on
 * failure.  The vault never logs.
 */
#ifndef KINTSUGI_VAULT_H
#define KINTSUGI_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAULT_KEY_BYTES	       32
#define VAULT_SALT_BYTES       16	 /* crypto_pwhash_SALTBYTES */
#define VAULT_PWHASH_STR_BYTES 128	 /* crypto_pwhash_STRBYTES */
#define VAULT_PK_BYTES	       32	 /* X25519 public key */
#define VAULT_SK_BYTES	       32	 /* X25519 secret key */
#define VAULT_SEAL_OVERHEAD    (24 + 16) /* nonce + tag */
#define VAULT_BOXSEAL_OVERHEAD 48	 /* crypto_box_SEALBYTES */
#define VAULT_SECRET_BYTES     32	 /* cookie and invite secrets */
#define VAULT_SECRET_HEX       (2 * VAULT_SECRET_BYTES)
#define VAULT_ID_HEX	       32 /* random 128-bit ids as lowercase hex */
#define VAULT_RECOVERY_CHARS   39 /* "XXXX-XXXX-...-XXXX": 8 groups of 4 + 7 dashes */

enum vault_result { VAULT_OK = 0, VAULT_BAD = 1 };

/* Argon2id cost levels (libsodium's OPSLIMIT/MEMLIMIT presets). */
enum vault_kdf { VAULT_KDF_INTERACTIVE, VAULT_KDF_MODERATE, VAULT_KDF_SENSITIVE, _VAULT_KDF_MAX };

/* vault_init() - initialise libsodium; call once before anything else.  0 or -EIO. */
int vault_init(void);

/* vault_kdf_from_string() - "interactive" | "moderate" | "sensitive" -> level, else -EINVAL. */
int vault_kdf_from_string(const char *s, enum vault_kdf *ret);
/* vault_kdf_to_string() - static name of a level; NULL when kdf is out of range. */
const char *vault_kdf_to_string(enum vault_kdf kdf);
/*
 * vault_kdf_lowest() - true in a build for tests (kintsugi-test) and the
 * scale generator, whose every level costs Argon2id's lowest (vault.c,
 * KINTSUGI_LOWEST_KDF); false in kintsugi.
 */
bool vault_kdf_lowest(void);

/* vault_random() - fill buf with len random bytes. */
void vault_random(void *buf, size_t len);
/* vault_random_id() - 128 random bits as 32 lowercase hex characters + NUL. */
void vault_random_id(char out[VAULT_ID_HEX + 1]);
/* vault_hex() - encode len bytes as lowercase hex into out (2*len+1 bytes). */
void vault_hex(char *out, const unsigned char *in, size_t len);
/*
 * vault_id_valid() - 1 when s (len bytes, no NUL needed) is an id as
 * vault_random_id() makes them: exactly VAULT_ID_HEX lowercase hex digits;
 * else 0.  The one id check of every layer (paths, queries, bodies, cookies);
 * inline, so that the pure parsers use it without linking libsodium.
 */
static inline int vault_id_valid(const char *s, size_t len)
{
	if (!s || len != VAULT_ID_HEX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* vault_unhex() - decode exactly 2*outlen lowercase/uppercase hex chars; 0 or -EINVAL. */
int vault_unhex(unsigned char *out, size_t outlen, const char *hex, size_t hexlen);

/*
 * Password login hash (crypto_pwhash_str, Argon2id). out is NUL-terminated.
 * 0, -EINVAL (bad level or NULL), -ENOMEM (Argon2 could not get its memory).
 */
int vault_password_hash(char out[VAULT_PWHASH_STR_BYTES], const char *pw, size_t pwlen,
			enum vault_kdf kdf);
/* 0 when pw matches hash, VAULT_BAD otherwise (also for a malformed hash). */
int vault_password_verify(const char *hash, const char *pw, size_t pwlen);
/* Spends the same work as a verify at level kdf, for unknown logins (timing). */
void vault_password_dummy(const char *pw, size_t pwlen, enum vault_kdf kdf);

/*
 * Key-encryption key from a password and a salt (crypto_pwhash, Argon2id);
 * deterministic per (pw, salt, kdf).  0, -EINVAL or -ENOMEM.
 */
int vault_kek_from_password(unsigned char kek[VAULT_KEY_BYTES], const char *pw, size_t pwlen,
			    const unsigned char salt[VAULT_SALT_BYTES], enum vault_kdf kdf);

/*
 * vault_recovery_new() - a fresh recovery key for display, 160 random bits in
 * Crockford base32, "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX", NUL-terminated.
 */
void vault_recovery_new(char out[VAULT_RECOVERY_CHARS + 1]);
/*
 * vault_kek_from_recovery() - key-encryption key from a recovery key as a
 * person typed it (case, spaces and dashes ignored, O/I/L read as 0/1/1) and
 * a salt.  -EINVAL when it is not a well-formed recovery key.
 */
int vault_kek_from_recovery(unsigned char kek[VAULT_KEY_BYTES], const char *typed, size_t len,
			    const unsigned char salt[VAULT_SALT_BYTES]);

/*
 * One-time recovery codes (the second factor's fallback): 50 random bits in
 * Crockford base32, shown "XXXXX-XXXXX".  vault_code_new() makes one;
 * vault_code_norm() gives the canonical 10 symbols of a code as a person
 * typed it (case, spaces and dashes ignored, O/I/L read as 0/1/1), or
 * -EINVAL when it is not one.
 */
#define VAULT_CODE_SYMBOLS 10
#define VAULT_CODE_CHARS   (VAULT_CODE_SYMBOLS + 1) /* with the dash */
void vault_code_new(char out[VAULT_CODE_CHARS + 1]);
int vault_code_norm(char out[VAULT_CODE_SYMBOLS + 1], const char *typed, size_t len);

/*
 * vault_hotp() - RFC 4226 HOTP: HMAC-SHA1 of the big-endian counter under
 * key (keylen bytes), dynamically truncated to `digits` decimal digits
 * (6 to 8; others are taken as 6).  The caller compares in constant time.
 */
uint32_t vault_hotp(const unsigned char *key, size_t keylen, uint64_t counter, unsigned digits);

/*
 * vault_seal() - encrypt msg under key with associated data ad (a string,
 * may be ""; NULL counts as ""), into a malloc'd blob of
 * mlen + VAULT_SEAL_OVERHEAD bytes that the caller frees.  0, -EINVAL or -ENOMEM.
 */
int vault_seal(const unsigned char key[VAULT_KEY_BYTES], const void *msg, size_t mlen,
	       const char *ad, unsigned char **ret, size_t *ret_len);
/*
 * vault_open() - decrypt a blob made by vault_seal() with the same key and
 * ad.  *ret is malloc'd, NUL-terminated (not counted in *ret_len), and must
 * be freed by the caller (wipe first with vault_wipe() when it holds a key).
 * VAULT_BAD when the blob is forged, truncated, or the key/ad differ.
 */
int vault_open(const unsigned char key[VAULT_KEY_BYTES], const unsigned char *blob, size_t blen,
	       const char *ad, unsigned char **ret, size_t *ret_len);
/*
 * vault_open_into() - like vault_open() into a caller buffer of exactly mlen
 * bytes; VAULT_BAD also when blen != mlen + VAULT_SEAL_OVERHEAD.  On a failed
 * open, out holds zeros (it is written, unlike other output parameters).
 */
int vault_open_into(const unsigned char key[VAULT_KEY_BYTES], const unsigned char *blob,
		    size_t blen, const char *ad, void *out, size_t mlen);

/* vault_derive() - subkey number id of context ctx (8 chars) from key (crypto_kdf). */
void vault_derive(unsigned char out[VAULT_KEY_BYTES], const unsigned char key[VAULT_KEY_BYTES],
		  uint64_t id, const char ctx[8]);
/* vault_hash() - 32-byte BLAKE2b of in, keyed by the domain string (e.g. "session-secret"). */
void vault_hash(unsigned char out[32], const char *domain, const void *in, size_t len);
/*
 * vault_tag() - a 32-byte MAC of in under a secret key (keyed BLAKE2b):
 * binds stored data to someone who holds the key.  Compare with
 * vault_equal().
 */
#define VAULT_TAG_BYTES 32
void vault_tag(unsigned char out[VAULT_TAG_BYTES], const unsigned char key[VAULT_KEY_BYTES],
	       const void *in, size_t len);

/*
 * X25519 key pair; sealed boxes (crypto_box_seal) to a public key.  The blob
 * is malloc'd (mlen + VAULT_BOXSEAL_OVERHEAD bytes, caller frees); seal gives
 * 0, -EINVAL, -ENOMEM or -EIO (unusable pk).  Open needs blen == mlen +
 * VAULT_BOXSEAL_OVERHEAD and gives 0 or VAULT_BAD.
 */
void vault_box_keypair(unsigned char pk[VAULT_PK_BYTES], unsigned char sk[VAULT_SK_BYTES]);
/* the same pair every time for the same seed (a key made from a recovery key) */
void vault_box_seed_keypair(unsigned char pk[VAULT_PK_BYTES], unsigned char sk[VAULT_SK_BYTES],
			    const unsigned char seed[VAULT_KEY_BYTES]);
int vault_box_seal(const unsigned char pk[VAULT_PK_BYTES], const void *msg, size_t mlen,
		   unsigned char **ret, size_t *ret_len);
int vault_box_open(const unsigned char pk[VAULT_PK_BYTES], const unsigned char sk[VAULT_SK_BYTES],
		   const unsigned char *blob, size_t blen, void *out, size_t mlen);

/* Constant-time comparison; 1 when equal (always for len 0), else 0. */
int vault_equal(const void *a, const void *b, size_t len);
/* Wipe memory that held a secret (sodium_memzero). */
void vault_wipe(void *p, size_t len);
/* Guarded memory for keys (sodium_malloc/sodium_free); free accepts NULL. */
void *vault_secure_alloc(size_t len);
void vault_secure_free(void *p);

#endif
