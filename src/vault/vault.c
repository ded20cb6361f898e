/*
 * vault.c: kintsugi's cryptography, over libsodium.
 *
 * Password login hashes and password key-encryption keys use Argon2id at one
 * of libsodium's three presets.  Recovery keys carry 160 random bits, so they
 * need no slow hash: the KEK is a keyed BLAKE2b of the decoded bytes.  Items
 * are sealed with XChaCha20-Poly1305-IETF under a random 192-bit nonce, which
 * is large enough that random nonces never collide in practice.  Wrapping a
 * key to a member's public key uses crypto_box_seal (X25519 + XSalsa20).
 *
 * Every function here returns 0, VAULT_BAD or a negative errno as vault.h
 * says, writes its output parameters only on success, wipes the temporary
 * copies of secrets it makes, and never logs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>
#include <sodium.h>

#include "vault/vault.h"

_Static_assert(VAULT_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "aead key size");
_Static_assert(VAULT_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");
_Static_assert(VAULT_KEY_BYTES >= crypto_generichash_KEYBYTES_MIN, "hash key size");
_Static_assert(VAULT_SALT_BYTES == crypto_pwhash_SALTBYTES, "pwhash salt size");
_Static_assert(VAULT_PWHASH_STR_BYTES == crypto_pwhash_STRBYTES, "pwhash string size");
_Static_assert(VAULT_KEY_BYTES == crypto_box_SEEDBYTES, "box seed size");
_Static_assert(VAULT_PK_BYTES == crypto_box_PUBLICKEYBYTES, "box public key size");
_Static_assert(VAULT_SK_BYTES == crypto_box_SECRETKEYBYTES, "box secret key size");
_Static_assert(VAULT_SEAL_OVERHEAD == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
					      crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "seal overhead");
_Static_assert(VAULT_BOXSEAL_OVERHEAD == crypto_box_SEALBYTES, "box seal overhead");
_Static_assert(VAULT_ID_HEX % 2 == 0, "id is whole bytes");

#define SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

/* Recovery keys: 20 bytes = 160 bits = 32 base32 symbols, shown as 8 groups of 4. */
#define RECOVERY_BYTES	 20
#define RECOVERY_SYMBOLS 32
#define RECOVERY_GROUP	 4
#define RECOVERY_DOMAIN	 "kintsugi recovery"
_Static_assert(RECOVERY_BYTES * 8 == RECOVERY_SYMBOLS * 5, "recovery key is whole symbols");
_Static_assert(VAULT_RECOVERY_CHARS == RECOVERY_SYMBOLS + RECOVERY_SYMBOLS / RECOVERY_GROUP - 1,
	       "recovery key display length");

/* Password handed to Argon2 by vault_password_dummy(); its value does not matter. */
#define DUMMY_PASSWORD "kintsugi: no such member"

static const char *const kdf_names[_VAULT_KDF_MAX] = {
	[VAULT_KDF_INTERACTIVE] = "interactive",
	[VAULT_KDF_MODERATE] = "moderate",
	[VAULT_KDF_SENSITIVE] = "sensitive",
};

#ifdef KINTSUGI_LOWEST_KDF
/*
 * Two programs compile a copy of this file of their own with
 * KINTSUGI_LOWEST_KDF, in which every level costs libsodium's lowest
 * Argon2id (8 KiB, one pass):
 * - the scale benchmark's generator (bench/scale-gen.c), so that 20,000
 *   synthetic members take seconds, not hours;
 * - kintsugi-test (meson.build), the server the HTTP and browser suites
 *   start, so that their thousands of sign-ups and sign-ins cost
 *   microseconds instead of a fifth of a second of CPU each (about 60% of
 *   an HTTP run).  The tests of the cost itself, and of the time a sign-in
 *   takes, start the real kintsugi (tests/http/harness.mjs, realKdf).
 * The level's name stays (the members table takes no other); the cost is in
 * each password hash ("$m=8,t=1,").  The real kintsugi derives such a
 * member's key at the named level's real cost, so that data is only ever
 * opened by the program that made it.  kintsugi-test is never installed,
 * says what it is in `kintsugi-test version`, and serves loopback
 * addresses only (cli.c).
 */
static const struct {
	unsigned long long ops;
	size_t mem;
} kdf_cost[_VAULT_KDF_MAX] = {
	[VAULT_KDF_INTERACTIVE] = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN},
	[VAULT_KDF_MODERATE] = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN},
	[VAULT_KDF_SENSITIVE] = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN},
};

bool vault_kdf_lowest(void)
{
	return true;
}
#else
/* Argon2id cost per level: libsodium's presets. */
static const struct {
	unsigned long long ops; /* passes over memory */
	size_t mem;		/* bytes of memory */
} kdf_cost[_VAULT_KDF_MAX] = {
	[VAULT_KDF_INTERACTIVE] = {crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE},
	[VAULT_KDF_MODERATE] = {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE},
	[VAULT_KDF_SENSITIVE] = {crypto_pwhash_OPSLIMIT_SENSITIVE,
				 crypto_pwhash_MEMLIMIT_SENSITIVE},
};

bool vault_kdf_lowest(void)
{
	return false;
}
#endif

static int kdf_valid(enum vault_kdf kdf)
{
	return (unsigned)kdf < _VAULT_KDF_MAX;
}

/*
 * Constant-time comparisons for bytes, after libsodium's codecs.
 * ct_ge(x, k) is 1 when x >= k, and ct_in(x, lo, hi) is all ones when
 * lo <= x <= hi, for 0 <= x < 256 (right shifts of negative ints are
 * arithmetic on every compiler we build with, as libsodium also assumes).
 */
static int ct_ge(int x, int k)
{
	return ((k - 1 - x) >> 8) & 1;
}

static int ct_in(int x, int lo, int hi)
{
	return ((lo - 1 - x) & (x - hi - 1)) >> 8;
}

/* Argon2 and our own callers never pass NULL with a length; "" stands in for NULL. */
static const char *nonnull(const char *s)
{
	return s ? s : "";
}

/*
 * vault_init() - initialise libsodium.  sodium_init() returns 1 when it has
 * already run, which is fine: it is idempotent and thread-safe.
 */
int vault_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

/*
 * vault_kdf_from_string() - parse a level name from configuration.  The
 * match is exact and case-sensitive; *ret is not written on failure.
 */
int vault_kdf_from_string(const char *s, enum vault_kdf *ret)
{
	int i;

	if (!s || !ret)
		return -EINVAL;
	for (i = 0; i < _VAULT_KDF_MAX; i++) {
		if (strcmp(s, kdf_names[i]) == 0) {
			*ret = (enum vault_kdf)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* vault_kdf_to_string() - the name of a level, or NULL when kdf is out of range. */
const char *vault_kdf_to_string(enum vault_kdf kdf)
{
	return kdf_valid(kdf) ? kdf_names[kdf] : NULL;
}

/* vault_random() - len bytes from the system CSPRNG (randombytes_buf). */
void vault_random(void *buf, size_t len)
{
	if (buf && len)
		randombytes_buf(buf, len);
}

/* vault_random_id() - a fresh 128-bit identifier as lowercase hex. */
void vault_random_id(char out[VAULT_ID_HEX + 1])
{
	unsigned char raw[VAULT_ID_HEX / 2];

	randombytes_buf(raw, sizeof(raw));
	vault_hex(out, raw, sizeof(raw));
}

/*
 * vault_hex() - lowercase hex of in.  sodium_bin2hex runs in constant time,
 * so secrets may pass through it.
 */
void vault_hex(char *out, const unsigned char *in, size_t len)
{
	if (!out)
		return;
	if (!in || len == 0 || len > (SIZE_MAX - 1) / 2) {
		out[0] = '\0';
		return;
	}
	sodium_bin2hex(out, 2 * len + 1, in, len);
}

/*
 * Value of one hex digit, or -1.  Branch-free, after sodium_hex2bin, because
 * cookie and invite secrets are decoded here: each class test yields a mask
 * of all ones or all zeros, and the result is (value & valid) | ~valid.
 */
static int hex_value(unsigned char c)
{
	int x = c;
	int digit = ct_in(x, '0', '9');
	int alpha = x | 0x20; /* fold A-F onto a-f; nothing else lands there */
	int letter = ct_in(alpha, 'a', 'f');
	int valid = digit | letter;
	int value = ((x - '0') & digit) | ((alpha - 'a' + 10) & letter);

	return (value & valid) | ~valid;
}

/*
 * vault_unhex() - decode hex that must be exactly 2 * outlen characters.
 * Every character is checked before anything is written, without an early
 * exit, so the time taken does not depend on where a bad digit sits.
 */
int vault_unhex(unsigned char *out, size_t outlen, const char *hex, size_t hexlen)
{
	size_t i;
	int bad = 0;

	if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen)
		return -EINVAL;
	if (outlen == 0)
		return 0;
	if (!out || !hex)
		return -EINVAL;
	for (i = 0; i < hexlen; i++)
		bad |= hex_value((unsigned char)hex[i]);
	if (bad < 0)
		return -EINVAL;
	for (i = 0; i < outlen; i++)
		out[i] = (unsigned char)(hex_value((unsigned char)hex[2 * i]) << 4 |
					 hex_value((unsigned char)hex[2 * i + 1]));
	return 0;
}

/*
 * vault_password_hash() - crypto_pwhash_str with Argon2id at level kdf.  The
 * string records its own salt and cost, so a later change of level only
 * affects new hashes.  -EINVAL for a bad level or absurd length, -ENOMEM when
 * Argon2 cannot get its memory.
 */
int vault_password_hash(char out[VAULT_PWHASH_STR_BYTES], const char *pw, size_t pwlen,
			enum vault_kdf kdf)
{
	char tmp[crypto_pwhash_STRBYTES];
	int r = 0;

	if (!out || (!pw && pwlen) || !kdf_valid(kdf) || pwlen > crypto_pwhash_PASSWD_MAX)
		return -EINVAL;
	if (crypto_pwhash_str_alg(tmp, nonnull(pw), pwlen, kdf_cost[kdf].ops, kdf_cost[kdf].mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(out, tmp, sizeof(tmp));
out:
	sodium_memzero(tmp, sizeof(tmp));
	return r;
}

/*
 * vault_password_verify() - crypto_pwhash_str_verify, which compares in
 * constant time.  A NULL, malformed or unsupported hash is VAULT_BAD, as is a
 * verify that runs out of memory: the caller refuses the login either way.
 */
int vault_password_verify(const char *hash, const char *pw, size_t pwlen)
{
	if (!hash || (!pw && pwlen) || pwlen > crypto_pwhash_PASSWD_MAX)
		return VAULT_BAD;
	if (strnlen(hash, crypto_pwhash_STRBYTES) == crypto_pwhash_STRBYTES)
		return VAULT_BAD;
	return crypto_pwhash_str_verify(hash, nonnull(pw), pwlen) == 0 ? VAULT_OK : VAULT_BAD;
}

/*
 * Dummy hashes for vault_password_dummy(), one per level, each made on first
 * use.  pthread_once makes the lazy start safe when several request threads
 * meet an unknown login at once.  An empty string means making it failed.
 */
static char dummy_hash[_VAULT_KDF_MAX][crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once[_VAULT_KDF_MAX] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT,
						    PTHREAD_ONCE_INIT};

static void dummy_make(enum vault_kdf kdf)
{
	if (vault_password_hash(dummy_hash[kdf], DUMMY_PASSWORD, strlen(DUMMY_PASSWORD), kdf) != 0)
		dummy_hash[kdf][0] = '\0';
}

static void dummy_make_interactive(void)
{
	dummy_make(VAULT_KDF_INTERACTIVE);
}

static void dummy_make_moderate(void)
{
	dummy_make(VAULT_KDF_MODERATE);
}

static void dummy_make_sensitive(void)
{
	dummy_make(VAULT_KDF_SENSITIVE);
}

static void (*const dummy_makers[_VAULT_KDF_MAX])(void) = {
	[VAULT_KDF_INTERACTIVE] = dummy_make_interactive,
	[VAULT_KDF_MODERATE] = dummy_make_moderate,
	[VAULT_KDF_SENSITIVE] = dummy_make_sensitive,
};

/*
 * vault_password_dummy() - spend what vault_password_verify() spends on a
 * hash made at level kdf, so that "no such login" and "wrong password" take
 * the same time.  The first call per level also pays for making the dummy
 * hash; if that failed for lack of memory, an Argon2id run at the same cost
 * with a fixed salt stands in.  Does nothing for an out-of-range level.
 */
void vault_password_dummy(const char *pw, size_t pwlen, enum vault_kdf kdf)
{
	static const unsigned char salt[crypto_pwhash_SALTBYTES] = "kintsugi-dummy!";
	unsigned char scratch[VAULT_KEY_BYTES];
	int r;

	if (!kdf_valid(kdf))
		return;
	if (!pw || pwlen > crypto_pwhash_PASSWD_MAX) {
		pw = "";
		pwlen = 0;
	}
	pthread_once(&dummy_once[kdf], dummy_makers[kdf]);
	if (dummy_hash[kdf][0] != '\0') {
		r = crypto_pwhash_str_verify(dummy_hash[kdf], pw, pwlen);
	} else {
		r = crypto_pwhash(scratch, sizeof(scratch), pw, pwlen, salt, kdf_cost[kdf].ops,
				  kdf_cost[kdf].mem, crypto_pwhash_ALG_ARGON2ID13);
		sodium_memzero(scratch, sizeof(scratch));
	}
	(void)r; /* the outcome is meaningless; only the time spent matters */
}

/*
 * vault_kek_from_password() - crypto_pwhash (Argon2id) of pw under salt at
 * level kdf.  The same password, salt and level always give the same KEK.
 * -EINVAL for bad arguments, -ENOMEM when Argon2 cannot get its memory.
 */
int vault_kek_from_password(unsigned char kek[VAULT_KEY_BYTES], const char *pw, size_t pwlen,
			    const unsigned char salt[VAULT_SALT_BYTES], enum vault_kdf kdf)
{
	unsigned char tmp[VAULT_KEY_BYTES];
	int r = 0;

	if (!kek || !salt || (!pw && pwlen) || !kdf_valid(kdf) || pwlen > crypto_pwhash_PASSWD_MAX)
		return -EINVAL;
	if (crypto_pwhash(tmp, sizeof(tmp), nonnull(pw), pwlen, salt, kdf_cost[kdf].ops,
			  kdf_cost[kdf].mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(kek, tmp, sizeof(tmp));
out:
	sodium_memzero(tmp, sizeof(tmp));
	return r;
}

/*
 * Crockford base32 (https://www.crockford.com/base32.html): the alphabet
 * 0123456789ABCDEFGHJKMNPQRSTVWXYZ leaves out I, L, O and U so that a key
 * read aloud or copied by hand survives.  Both directions are branch-free
 * over the symbol value, since the symbols are the recovery key itself.
 */
static char crockford_symbol(unsigned v)
{
	int x = (int)(v & 31);

	/* after '9' jump to 'A' (7 places), then skip I, L, O and U */
	return (char)('0' + x + 7 * ct_ge(x, 10) + ct_ge(x, 18) + ct_ge(x, 20) + ct_ge(x, 22) +
		      ct_ge(x, 27));
}

/* Value 0-31 of a typed symbol (either case; O reads as 0, I and L as 1), or -1. */
static int crockford_value(unsigned char c)
{
	int x = c;
	int up = x - (0x20 & ct_in(x, 'a', 'z'));
	int digit = ct_in(up, '0', '9');
	int zero = ct_in(up, 'O', 'O');
	int one = ct_in(up, 'I', 'I') | ct_in(up, 'L', 'L');
	int ah = ct_in(up, 'A', 'H');
	int jk = ct_in(up, 'J', 'K');
	int mn = ct_in(up, 'M', 'N');
	int pt = ct_in(up, 'P', 'T');
	int vz = ct_in(up, 'V', 'Z');
	int valid = digit | zero | one | ah | jk | mn | pt | vz;
	int value = ((up - '0') & digit) | (1 & one) | ((up - 'A' + 10) & ah) |
		    ((up - 'J' + 18) & jk) | ((up - 'M' + 20) & mn) | ((up - 'P' + 22) & pt) |
		    ((up - 'V' + 27) & vz);

	return (value & valid) | ~valid;
}

/*
 * vault_recovery_new() - 20 random bytes read as a big-endian bit string,
 * five bits per symbol, grouped by four with dashes.
 */
void vault_recovery_new(char out[VAULT_RECOVERY_CHARS + 1])
{
	unsigned char raw[RECOVERY_BYTES];
	unsigned acc = 0, bits = 0;
	size_t i, sym = 0, pos = 0;

	randombytes_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (sym > 0 && sym % RECOVERY_GROUP == 0)
				out[pos++] = '-';
			out[pos++] = crockford_symbol(acc >> bits);
			sym++;
		}
		acc &= (1u << bits) - 1;
	}
	out[pos] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

/* Spaces, tabs, line breaks and dashes: skipped wherever they are in what a person typed. */
static int typed_separator(unsigned char c)
{
	return c == ' ' || c == '-' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Decode a typed recovery key into its 20 bytes.  Spaces, tabs, line breaks
 * and dashes are skipped wherever they are (people paste keys in many
 * shapes); anything else must be a symbol, and there must be exactly 32.
 */
static int recovery_decode(unsigned char raw[RECOVERY_BYTES], const char *typed, size_t len)
{
	unsigned acc = 0, bits = 0;
	size_t i, sym = 0, pos = 0;
	int bad = 0, v;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)typed[i];

		if (typed_separator(c))
			continue;
		if (sym == RECOVERY_SYMBOLS)
			return -EINVAL;
		v = crockford_value(c);
		bad |= v;
		acc = (acc << 5) | ((unsigned)v & 31);
		bits += 5;
		sym++;
		if (bits >= 8) {
			bits -= 8;
			raw[pos++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (sym != RECOVERY_SYMBOLS || bad < 0)
		return -EINVAL;
	return 0;
}

/* vault_code_new() - ten symbols of randombytes_uniform(32), a dash after the fifth. */
void vault_code_new(char out[VAULT_CODE_CHARS + 1])
{
	size_t i, pos = 0;

	for (i = 0; i < VAULT_CODE_SYMBOLS; i++) {
		if (i == VAULT_CODE_SYMBOLS / 2)
			out[pos++] = '-';
		out[pos++] = crockford_symbol(randombytes_uniform(32));
	}
	out[pos] = '\0';
}

/* The same separators as a recovery key; the symbols become canonical. */
int vault_code_norm(char out[VAULT_CODE_SYMBOLS + 1], const char *typed, size_t len)
{
	size_t i, sym = 0;
	int bad = 0, v;

	if (!out || !typed)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)typed[i];

		if (typed_separator(c))
			continue;
		if (sym == VAULT_CODE_SYMBOLS)
			return -EINVAL;
		v = crockford_value(c);
		bad |= v;
		out[sym++] = crockford_symbol((unsigned)v);
	}
	out[sym] = '\0';
	if (sym != VAULT_CODE_SYMBOLS || bad < 0) {
		sodium_memzero(out, VAULT_CODE_SYMBOLS + 1);
		return -EINVAL;
	}
	return 0;
}

/*
 * vault_hotp() - RFC 4226, section 5.3: HS = HMAC-SHA1(K, C), the low four
 * bits of its last byte pick the offset of 31 bits, taken modulo 10^digits.
 * nettle's HMAC-SHA1: libsodium has no SHA-1, and hand-written hashing is
 * no place to save a dependency.
 */
uint32_t vault_hotp(const unsigned char *key, size_t keylen, uint64_t counter, unsigned digits)
{
	struct hmac_sha1_ctx ctx;
	unsigned char msg[8], mac[SHA1_DIGEST_SIZE];
	uint32_t bin, mod = 1;
	unsigned off, i;

	if (digits < 6 || digits > 8)
		digits = 6;
	for (i = 0; i < sizeof(msg); i++)
		msg[sizeof(msg) - 1 - i] = (unsigned char)(counter >> (8 * i));
	hmac_sha1_set_key(&ctx, keylen, key);
	hmac_sha1_update(&ctx, sizeof(msg), msg);
	hmac_sha1_digest(&ctx, sizeof(mac), mac);
	off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
	for (i = 0; i < digits; i++)
		mod *= 10;
	sodium_memzero(&ctx, sizeof(ctx));
	sodium_memzero(mac, sizeof(mac));
	return bin % mod;
}

/*
 * vault_kek_from_recovery() - KEK = BLAKE2b-256(key bytes) keyed with
 * vault_hash(RECOVERY_DOMAIN, salt).  A recovery key holds 160 random bits,
 * far beyond guessing, so Argon2 would add cost and no safety; the salt
 * still makes every account's KEK distinct.
 */
int vault_kek_from_recovery(unsigned char kek[VAULT_KEY_BYTES], const char *typed, size_t len,
			    const unsigned char salt[VAULT_SALT_BYTES])
{
	unsigned char raw[RECOVERY_BYTES];
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char tmp[VAULT_KEY_BYTES];
	int r;

	if (!kek || !salt || (!typed && len))
		return -EINVAL;
	r = recovery_decode(raw, typed, len);
	if (r < 0)
		goto out;
	vault_hash(key, RECOVERY_DOMAIN, salt, VAULT_SALT_BYTES);
	crypto_generichash(tmp, sizeof(tmp), raw, sizeof(raw), key, sizeof(key));
	memcpy(kek, tmp, sizeof(tmp));
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(tmp, sizeof(tmp));
	return r;
}

/*
 * vault_seal() - XChaCha20-Poly1305-IETF, blob = nonce || ciphertext || tag.
 * A NULL ad counts as "".  -EINVAL for NULL key/outputs or a message too
 * long to seal, -ENOMEM when the blob cannot be allocated.
 */
int vault_seal(const unsigned char key[VAULT_KEY_BYTES], const void *msg, size_t mlen,
	       const char *ad, unsigned char **ret, size_t *ret_len)
{
	unsigned char *blob;
	size_t blen;

	if (!key || !ret || !ret_len || (!msg && mlen))
		return -EINVAL;
	if (mlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    mlen > SIZE_MAX - VAULT_SEAL_OVERHEAD)
		return -EINVAL;
	ad = nonnull(ad);
	blen = mlen + VAULT_SEAL_OVERHEAD;
	blob = malloc(blen);
	if (!blob)
		return -ENOMEM;
	randombytes_buf(blob, SEAL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob + SEAL_NONCE_BYTES, NULL, msg, mlen,
						   (const unsigned char *)ad, strlen(ad), NULL,
						   blob, key);
	*ret = blob;
	*ret_len = blen;
	return 0;
}

/* Decrypt a blob of exactly mlen + VAULT_SEAL_OVERHEAD bytes into out; 0 or VAULT_BAD. */
static int seal_decrypt(const unsigned char *key, const unsigned char *blob, size_t blen,
			const char *ad, unsigned char *out)
{
	ad = nonnull(ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, NULL, NULL, blob + SEAL_NONCE_BYTES, blen - SEAL_NONCE_BYTES,
		    (const unsigned char *)ad, strlen(ad), blob, key) != 0)
		return VAULT_BAD;
	return 0;
}

/*
 * vault_open() - open a vault_seal() blob into a fresh buffer.  The extra
 * NUL lets text be used as a string directly.  A failed open wipes what it
 * decrypted (libsodium zeroes it too) before freeing it.
 */
int vault_open(const unsigned char key[VAULT_KEY_BYTES], const unsigned char *blob, size_t blen,
	       const char *ad, unsigned char **ret, size_t *ret_len)
{
	unsigned char *out;
	size_t mlen;
	int r;

	if (!key || !ret || !ret_len || (!blob && blen))
		return -EINVAL;
	if (blen < VAULT_SEAL_OVERHEAD)
		return VAULT_BAD;
	mlen = blen - VAULT_SEAL_OVERHEAD;
	out = malloc(mlen + 1);
	if (!out)
		return -ENOMEM;
	r = seal_decrypt(key, blob, blen, ad, out);
	if (r != 0) {
		sodium_memzero(out, mlen + 1);
		free(out);
		return r;
	}
	out[mlen] = '\0';
	*ret = out;
	*ret_len = mlen;
	return 0;
}

/*
 * vault_open_into() - open a blob that must hold exactly mlen bytes (a
 * wrapped key, say) into out.  The plaintext goes through a guarded buffer
 * first so that out is left untouched when the blob does not open.
 */
int vault_open_into(const unsigned char key[VAULT_KEY_BYTES], const unsigned char *blob,
		    size_t blen, const char *ad, void *out, size_t mlen)
{
	int r;

	if (!key || (!out && mlen) || (!blob && blen))
		return -EINVAL;
	if (mlen > SIZE_MAX - VAULT_SEAL_OVERHEAD || blen != mlen + VAULT_SEAL_OVERHEAD)
		return VAULT_BAD;
	/*
	 * Straight into the caller's buffer: libsodium checks the tag before it
	 * decrypts and zeroes the output when the check fails, so a forged blob
	 * leaves zeros, never a guess.  (A guarded temporary here cost an mmap
	 * and two mprotect calls on every request that opens session keys.)
	 */
	r = seal_decrypt(key, blob, blen, ad, out);
	if (r != 0 && mlen)
		sodium_memzero(out, mlen);
	return r;
}

/*
 * vault_derive() - crypto_kdf_derive_from_key: BLAKE2b keyed with key, with
 * id as salt and the 8 bytes of ctx as personalisation.  ctx need not be
 * NUL-terminated; exactly 8 bytes are read.
 */
void vault_derive(unsigned char out[VAULT_KEY_BYTES], const unsigned char key[VAULT_KEY_BYTES],
		  uint64_t id, const char ctx[8])
{
	crypto_kdf_derive_from_key(out, VAULT_KEY_BYTES, id, ctx, key);
}

/*
 * vault_hash() - BLAKE2b-256 of in, keyed with BLAKE2b-256(domain).  Hashing
 * the domain first turns a string of any length (BLAKE2b keys are 16-64
 * bytes) into a key, so hashes made for different purposes never coincide.
 * A NULL domain counts as "".
 */
void vault_hash(unsigned char out[32], const char *domain, const void *in, size_t len)
{
	unsigned char key[crypto_generichash_KEYBYTES];

	domain = nonnull(domain);
	crypto_generichash(key, sizeof(key), (const unsigned char *)domain, strlen(domain), NULL,
			   0);
	crypto_generichash(out, 32, in, in ? len : 0, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
}

void vault_tag(unsigned char out[VAULT_TAG_BYTES], const unsigned char key[VAULT_KEY_BYTES],
	       const void *in, size_t len)
{
	crypto_generichash(out, VAULT_TAG_BYTES, in, in ? len : 0, key, VAULT_KEY_BYTES);
}

/* vault_box_keypair() - a fresh X25519 key pair (crypto_box_keypair). */
void vault_box_keypair(unsigned char pk[VAULT_PK_BYTES], unsigned char sk[VAULT_SK_BYTES])
{
	crypto_box_keypair(pk, sk);
}

/* vault_box_seed_keypair() - the X25519 key pair of a 32-byte seed (crypto_box_seed_keypair). */
void vault_box_seed_keypair(unsigned char pk[VAULT_PK_BYTES], unsigned char sk[VAULT_SK_BYTES],
			    const unsigned char seed[VAULT_KEY_BYTES])
{
	crypto_box_seed_keypair(pk, sk, seed);
}

/*
 * vault_box_seal() - crypto_box_seal msg to pk into a malloc'd blob of
 * mlen + VAULT_BOXSEAL_OVERHEAD bytes that the caller frees.  -EINVAL for
 * bad arguments, -ENOMEM, or -EIO when pk is not a usable public key.
 */
int vault_box_seal(const unsigned char pk[VAULT_PK_BYTES], const void *msg, size_t mlen,
		   unsigned char **ret, size_t *ret_len)
{
	unsigned char *blob;
	size_t blen;

	if (!pk || !ret || !ret_len || (!msg && mlen))
		return -EINVAL;
	if (mlen > crypto_box_MESSAGEBYTES_MAX - crypto_box_SEALBYTES ||
	    mlen > SIZE_MAX - VAULT_BOXSEAL_OVERHEAD)
		return -EINVAL;
	blen = mlen + VAULT_BOXSEAL_OVERHEAD;
	blob = malloc(blen);
	if (!blob)
		return -ENOMEM;
	if (crypto_box_seal(blob, msg, mlen, pk) != 0) {
		free(blob);
		return -EIO;
	}
	*ret = blob;
	*ret_len = blen;
	return 0;
}

/*
 * vault_box_open() - open a vault_box_seal() blob that must hold exactly
 * mlen bytes into out, which is untouched unless it opens.
 */
int vault_box_open(const unsigned char pk[VAULT_PK_BYTES], const unsigned char sk[VAULT_SK_BYTES],
		   const unsigned char *blob, size_t blen, void *out, size_t mlen)
{
	unsigned char *tmp;
	int r = 0;

	if (!pk || !sk || (!out && mlen) || (!blob && blen))
		return -EINVAL;
	if (mlen > SIZE_MAX - VAULT_BOXSEAL_OVERHEAD || blen != mlen + VAULT_BOXSEAL_OVERHEAD)
		return VAULT_BAD;
	tmp = sodium_malloc(mlen ? mlen : 1);
	if (!tmp)
		return -ENOMEM;
	if (crypto_box_seal_open(tmp, blob, blen, pk, sk) != 0) {
		r = VAULT_BAD;
		goto out;
	}
	if (mlen)
		memcpy(out, tmp, mlen);
out:
	sodium_free(tmp); /* wipes */
	return r;
}

/* vault_equal() - sodium_memcmp: time depends on len only. */
int vault_equal(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 1;
	if (!a || !b)
		return 0;
	return sodium_memcmp(a, b, len) == 0;
}

/* vault_wipe() - sodium_memzero, which the compiler may not optimise away. */
void vault_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}

/*
 * vault_secure_alloc() - sodium_malloc: guard pages around the block, locked
 * against swapping where the system allows.  NULL when out of memory.  Each
 * block costs at least three pages, so keep these few and long-lived.
 */
void *vault_secure_alloc(size_t len)
{
	return sodium_malloc(len);
}

/* vault_secure_free() - sodium_free: wipes and unmaps; NULL is ignored. */
void vault_secure_free(void *p)
{
	sodium_free(p);
}
