/*
 * test-vault.c: unit tests for the vault.
 *
 * Each function is checked for a round trip and for the ways it must refuse:
 * sealed blobs that are truncated, extended, bit-flipped, or opened under the
 * wrong key or associated data; hex and recovery keys that are malformed.
 * Argon2 runs only at the INTERACTIVE level so the suite stays quick, even
 * under valgrind.  Recovery keys are checked against an independent
 * base32 packing and libsodium directly, so the encoding cannot drift.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault/vault.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

static const unsigned char salt_a[VAULT_SALT_BYTES] = "salt-aaaaaaaaaaa";
static const unsigned char salt_b[VAULT_SALT_BYTES] = "salt-bbbbbbbbbbb";

static int setup(void **state)
{
	(void)state;
	return vault_init();
}

static void test_init_twice(void **state)
{
	(void)state;
	assert_int_equal(vault_init(), 0);
	assert_int_equal(vault_init(), 0);
}

static void test_kdf_strings(void **state)
{
	enum vault_kdf k = _VAULT_KDF_MAX;
	int i;

	(void)state;
	for (i = 0; i < _VAULT_KDF_MAX; i++) {
		const char *name = vault_kdf_to_string((enum vault_kdf)i);

		assert_non_null(name);
		assert_int_equal(vault_kdf_from_string(name, &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(vault_kdf_to_string(VAULT_KDF_INTERACTIVE), "interactive");
	assert_string_equal(vault_kdf_to_string(VAULT_KDF_MODERATE), "moderate");
	assert_string_equal(vault_kdf_to_string(VAULT_KDF_SENSITIVE), "sensitive");
	assert_null(vault_kdf_to_string(_VAULT_KDF_MAX));

	k = VAULT_KDF_MODERATE;
	assert_int_equal(vault_kdf_from_string("Interactive", &k), -EINVAL);
	assert_int_equal(vault_kdf_from_string("", &k), -EINVAL);
	assert_int_equal(vault_kdf_from_string("fast", &k), -EINVAL);
	assert_int_equal(vault_kdf_from_string("sensitive ", &k), -EINVAL);
	assert_int_equal(vault_kdf_from_string(NULL, &k), -EINVAL);
	assert_int_equal(vault_kdf_from_string("moderate", NULL), -EINVAL);
	assert_int_equal(k, VAULT_KDF_MODERATE); /* untouched on failure */
}

static void test_random(void **state)
{
	unsigned char a[32], b[32];
	char id1[VAULT_ID_HEX + 1], id2[VAULT_ID_HEX + 1];
	size_t i;

	(void)state;
	vault_random(a, sizeof(a));
	vault_random(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	vault_random(NULL, 0);

	vault_random_id(id1);
	vault_random_id(id2);
	assert_int_equal(strlen(id1), VAULT_ID_HEX);
	for (i = 0; i < VAULT_ID_HEX; i++)
		assert_non_null(strchr("0123456789abcdef", id1[i]));
	assert_string_not_equal(id1, id2);
}

static void test_hex_round_trip(void **state)
{
	unsigned char in[256], out[256];
	char hex[2 * sizeof(in) + 1], upper[sizeof(hex)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	vault_hex(hex, in, sizeof(in));
	assert_int_equal(strlen(hex), 2 * sizeof(in));
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 2 * 0xfe, "feff");
	assert_int_equal(vault_unhex(out, sizeof(out), hex, strlen(hex)), 0);
	assert_memory_equal(in, out, sizeof(in));

	for (i = 0; hex[i]; i++)
		upper[i] = (char)toupper((unsigned char)hex[i]);
	upper[i] = '\0';
	memset(out, 0, sizeof(out));
	assert_int_equal(vault_unhex(out, sizeof(out), upper, strlen(upper)), 0);
	assert_memory_equal(in, out, sizeof(in));

	vault_hex(hex, in, 0);
	assert_string_equal(hex, "");
	assert_int_equal(vault_unhex(out, 0, "", 0), 0);
}

static void test_hex_rejects(void **state)
{
	unsigned char out[2] = {0xaa, 0xbb};
	char buf[5];
	int c;
	size_t pos;

	(void)state;
	/* exact length only */
	assert_int_equal(vault_unhex(out, 2, "abc", 3), -EINVAL);
	assert_int_equal(vault_unhex(out, 2, "abcde", 5), -EINVAL);
	assert_int_equal(vault_unhex(out, 2, "abcdef", 6), -EINVAL);
	assert_int_equal(vault_unhex(out, 2, "", 0), -EINVAL);
	assert_int_equal(vault_unhex(out, 2, NULL, 4), -EINVAL);
	assert_int_equal(vault_unhex(NULL, 2, "abcd", 4), -EINVAL);
	assert_int_equal(vault_unhex(out, SIZE_MAX, "abcd", 4), -EINVAL);
	/* every byte value, in every position: accepted exactly when it is a hex digit */
	for (c = 0; c < 256; c++) {
		for (pos = 0; pos < 4; pos++) {
			memcpy(buf, "a0F9", 5);
			buf[pos] = (char)c;
			out[0] = 0xaa;
			out[1] = 0xbb;
			if (isxdigit(c)) {
				assert_int_equal(vault_unhex(out, 2, buf, 4), 0);
			} else {
				assert_int_equal(vault_unhex(out, 2, buf, 4), -EINVAL);
				assert_int_equal(out[0], 0xaa); /* untouched on failure */
				assert_int_equal(out[1], 0xbb);
			}
		}
	}
	assert_int_equal(vault_unhex(out, 2, "a0F9", 4), 0);
	assert_int_equal(out[0], 0xa0);
	assert_int_equal(out[1], 0xf9);
}

static void test_password(void **state)
{
	char h1[VAULT_PWHASH_STR_BYTES], h2[VAULT_PWHASH_STR_BYTES];
	char untouched[VAULT_PWHASH_STR_BYTES];
	static const char pw[] = "correct horse battery";
	static const char nul_pw[] = "abc\0def";

	(void)state;
	assert_int_equal(vault_password_hash(h1, pw, strlen(pw), VAULT_KDF_INTERACTIVE), 0);
	assert_memory_equal(h1, "$argon2id$", 10);
	/* libsodium's interactive preset: 64 MiB, two passes; the HTTP suite's
	 * kintsugi-test has the lowest cost instead, and this build never does */
	assert_false(vault_kdf_lowest());
	assert_non_null(strstr(h1, "$m=65536,t=2,p=1$"));
	assert_int_equal(vault_password_verify(h1, pw, strlen(pw)), VAULT_OK);
	assert_int_equal(vault_password_verify(h1, pw, strlen(pw) - 1), VAULT_BAD);
	assert_int_equal(vault_password_verify(h1, "correct horse battery!", 22), VAULT_BAD);
	assert_int_equal(vault_password_verify(h1, "", 0), VAULT_BAD);
	assert_int_equal(vault_password_verify(h1, NULL, 0), VAULT_BAD);

	/* malformed hashes refuse, never crash */
	assert_int_equal(vault_password_verify(NULL, pw, strlen(pw)), VAULT_BAD);
	assert_int_equal(vault_password_verify("", pw, strlen(pw)), VAULT_BAD);
	assert_int_equal(vault_password_verify("$argon2id$v=19$m=1", pw, strlen(pw)), VAULT_BAD);
	memcpy(h2, h1, sizeof(h2));
	h2[strlen(h2) - 1] ^= 1;
	assert_int_equal(vault_password_verify(h2, pw, strlen(pw)), VAULT_BAD);

	/* the length counts, not the NUL; a fresh salt every time */
	assert_int_equal(vault_password_hash(h2, nul_pw, 7, VAULT_KDF_INTERACTIVE), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(vault_password_verify(h2, nul_pw, 7), VAULT_OK);
	assert_int_equal(vault_password_verify(h2, nul_pw, 3), VAULT_BAD);

	memset(untouched, 'x', sizeof(untouched));
	assert_int_equal(vault_password_hash(untouched, pw, strlen(pw), _VAULT_KDF_MAX), -EINVAL);
	assert_int_equal(vault_password_hash(untouched, NULL, 3, VAULT_KDF_INTERACTIVE), -EINVAL);
	assert_int_equal(untouched[0], 'x');
}

static void test_password_dummy(void **state)
{
	(void)state;
	/* the first call makes the dummy hash, the second reuses it */
	vault_password_dummy("nobody", 6, VAULT_KDF_INTERACTIVE);
	vault_password_dummy("nobody", 6, VAULT_KDF_INTERACTIVE);
	vault_password_dummy(NULL, 0, VAULT_KDF_INTERACTIVE);
	vault_password_dummy("nobody", 6, _VAULT_KDF_MAX);
}

static void test_kek_from_password(void **state)
{
	unsigned char k1[VAULT_KEY_BYTES], k2[VAULT_KEY_BYTES], k3[VAULT_KEY_BYTES];
	unsigned char k4[VAULT_KEY_BYTES], untouched[VAULT_KEY_BYTES];
	static const char pw[] = "correct horse battery";

	(void)state;
	assert_int_equal(vault_kek_from_password(k1, pw, strlen(pw), salt_a, VAULT_KDF_INTERACTIVE),
			 0);
	assert_int_equal(vault_kek_from_password(k2, pw, strlen(pw), salt_a, VAULT_KDF_INTERACTIVE),
			 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(vault_kek_from_password(k3, pw, strlen(pw), salt_b, VAULT_KDF_INTERACTIVE),
			 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));
	assert_int_equal(vault_kek_from_password(k4, "correct horse batterz", strlen(pw), salt_a,
						 VAULT_KDF_INTERACTIVE),
			 0);
	assert_memory_not_equal(k1, k4, sizeof(k1));

	memset(untouched, 0x5a, sizeof(untouched));
	assert_int_equal(vault_kek_from_password(untouched, pw, strlen(pw), salt_a, _VAULT_KDF_MAX),
			 -EINVAL);
	assert_int_equal(
		vault_kek_from_password(untouched, pw, strlen(pw), NULL, VAULT_KDF_INTERACTIVE),
		-EINVAL);
	assert_int_equal(untouched[0], 0x5a);
}

static void test_recovery_format(void **state)
{
	char key[VAULT_RECOVERY_CHARS + 1], prev[VAULT_RECOVERY_CHARS + 1] = "";
	int seen[32] = {0};
	int round, i;

	(void)state;
	for (round = 0; round < 200; round++) {
		vault_recovery_new(key);
		assert_int_equal(strlen(key), VAULT_RECOVERY_CHARS);
		for (i = 0; i < VAULT_RECOVERY_CHARS; i++) {
			if (i % 5 == 4) {
				assert_int_equal(key[i], '-');
				continue;
			}
			assert_true(key[i] != '\0');
			assert_non_null(strchr(CROCKFORD, key[i]));
			seen[strchr(CROCKFORD, key[i]) - CROCKFORD] = 1;
		}
		assert_string_not_equal(key, prev);
		memcpy(prev, key, sizeof(key));
	}
	/* 6400 symbols: every one of the 32 appears (failure odds about e^-200) */
	for (i = 0; i < 32; i++)
		assert_true(seen[i]);
}

/* Retype a displayed key as a person might: lowercase, spaces for dashes. */
static void retype(char *dst, const char *src)
{
	for (; *src; src++, dst++)
		*dst = *src == '-' ? ' ' : (char)tolower((unsigned char)*src);
	*dst = '\0';
}

static void test_recovery_typed(void **state)
{
	char key[VAULT_RECOVERY_CHARS + 1], typed[VAULT_RECOVERY_CHARS + 1];
	char changed[VAULT_RECOVERY_CHARS + 1];
	unsigned char k1[VAULT_KEY_BYTES], k2[VAULT_KEY_BYTES], k3[VAULT_KEY_BYTES];

	(void)state;
	vault_recovery_new(key);
	assert_int_equal(vault_kek_from_recovery(k1, key, strlen(key), salt_a), 0);

	/* the same key typed in lowercase with spaces instead of dashes */
	retype(typed, key);
	assert_int_equal(vault_kek_from_recovery(k2, typed, strlen(typed), salt_a), 0);
	assert_memory_equal(k1, k2, sizeof(k1));

	/* deterministic per salt, distinct across salts */
	assert_int_equal(vault_kek_from_recovery(k2, key, strlen(key), salt_a), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(vault_kek_from_recovery(k3, key, strlen(key), salt_b), 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));

	/* a one-character change gives a different KEK */
	memcpy(changed, key, sizeof(key));
	changed[0] = changed[0] == 'Z' ? 'Y' : 'Z';
	assert_int_equal(vault_kek_from_recovery(k3, changed, strlen(changed), salt_a), 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));
	memcpy(changed, key, sizeof(key));
	changed[VAULT_RECOVERY_CHARS - 1] = changed[VAULT_RECOVERY_CHARS - 1] == '0' ? '1' : '0';
	assert_int_equal(vault_kek_from_recovery(k3, changed, strlen(changed), salt_a), 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));

	/* no separators at all, or stray ones, are fine */
	{
		char bare[64];
		size_t i, n = 0;

		for (i = 0; key[i]; i++)
			if (key[i] != '-')
				bare[n++] = key[i];
		bare[n] = '\0';
		assert_int_equal(vault_kek_from_recovery(k2, bare, n, salt_a), 0);
		assert_memory_equal(k1, k2, sizeof(k1));
		snprintf(bare, sizeof(bare), "  %s -\n", key);
		assert_int_equal(vault_kek_from_recovery(k2, bare, strlen(bare), salt_a), 0);
		assert_memory_equal(k1, k2, sizeof(k1));
	}
}

static void test_recovery_confusables(void **state)
{
	unsigned char a[VAULT_KEY_BYTES], b[VAULT_KEY_BYTES];
	static const char zeros[] = "0000-0000-0000-0000-0000-0000-0000-0000";
	static const char ohs[] = "OoOo-0000-0000-0000-0000-0000-0000-000o";
	static const char ones[] = "1111-1111-1111-1111-1111-1111-1111-1111";
	static const char ells[] = "IiLl-1111-1111-1111-1111-1111-1111-111l";

	(void)state;
	assert_int_equal(vault_kek_from_recovery(a, zeros, strlen(zeros), salt_a), 0);
	assert_int_equal(vault_kek_from_recovery(b, ohs, strlen(ohs), salt_a), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(vault_kek_from_recovery(a, ones, strlen(ones), salt_a), 0);
	assert_int_equal(vault_kek_from_recovery(b, ells, strlen(ells), salt_a), 0);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_recovery_rejects(void **state)
{
	unsigned char k[VAULT_KEY_BYTES];
	static const char *const bad[] = {
		"",
		"----",
		"0000-0000-0000-0000-0000-0000-0000-000",   /* 31 symbols */
		"0000-0000-0000-0000-0000-0000-0000-00000", /* 33 symbols */
		"0000-0000-0000-0000-0000-0000-0000-000U",  /* U is not a symbol */
		"0000-0000-0000-0000-0000-0000-0000-000u",
		"0000-0000-0000-0000-0000-0000-0000-000*",
		"0000_0000_0000_0000_0000_0000_0000_0000",
		"0000-0000-0000-0000-0000-0000-0000-000\xc3\x98",
	};
	static const char with_nul[] = "0000-0000-0000-0000\0-0000-0000-0000-0000";
	size_t i;

	(void)state;
	memset(k, 0x77, sizeof(k));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vault_kek_from_recovery(k, bad[i], strlen(bad[i]), salt_a),
				 -EINVAL);
	assert_int_equal(vault_kek_from_recovery(k, with_nul, sizeof(with_nul) - 1, salt_a),
			 -EINVAL);
	assert_int_equal(vault_kek_from_recovery(k, NULL, 39, salt_a), -EINVAL);
	assert_int_equal(vault_kek_from_recovery(k, "0000", 4, NULL), -EINVAL);
	assert_int_equal(k[0], 0x77); /* untouched on failure */
}

/*
 * Known answer: the alphabet itself is a 32-symbol key whose values are
 * 0..31; pack them five bits at a time, big-endian, and derive the KEK with
 * libsodium as vault.c documents.
 */
static void test_recovery_known_answer(void **state)
{
	unsigned char raw[20] = {0}, key[32], want[VAULT_KEY_BYTES], got[VAULT_KEY_BYTES];
	size_t bit = 0;
	int v, b;

	(void)state;
	for (v = 0; v < 32; v++)
		for (b = 4; b >= 0; b--, bit++)
			if ((v >> b) & 1)
				raw[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
	vault_hash(key, "kintsugi recovery", salt_a, VAULT_SALT_BYTES);
	crypto_generichash(want, sizeof(want), raw, sizeof(raw), key, sizeof(key));

	assert_int_equal(vault_kek_from_recovery(got, CROCKFORD, strlen(CROCKFORD), salt_a), 0);
	assert_memory_equal(want, got, sizeof(want));
	assert_int_equal(
		vault_kek_from_recovery(got, "0123-4567-89ab-cdef-ghjk-mnpq-rstv-wxyz", 39, salt_a),
		0);
	assert_memory_equal(want, got, sizeof(want));
}

static void test_seal_round_trip(void **state)
{
	unsigned char key[VAULT_KEY_BYTES], msg[4096];
	static const size_t lens[] = {0, 1, 15, 16, 17, 100, 4096};
	size_t i, blen, olen;
	unsigned char *blob, *blob2, *out;

	(void)state;
	vault_random(key, sizeof(key));
	vault_random(msg, sizeof(msg));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(vault_seal(key, msg, lens[i], "journal:1:c1:v1", &blob, &blen), 0);
		assert_int_equal(blen, lens[i] + VAULT_SEAL_OVERHEAD);
		assert_int_equal(vault_open(key, blob, blen, "journal:1:c1:v1", &out, &olen), 0);
		assert_int_equal(olen, lens[i]);
		assert_memory_equal(out, msg, lens[i]);
		assert_int_equal(out[olen], '\0');
		free(out);
		free(blob);
	}

	/* text comes back as a string; a random nonce makes each blob different */
	assert_int_equal(vault_seal(key, "hello", 5, "", &blob, &blen), 0);
	assert_int_equal(vault_seal(key, "hello", 5, "", &blob2, &blen), 0);
	assert_memory_not_equal(blob, blob2, blen);
	assert_int_equal(vault_open(key, blob2, blen, NULL, &out, &olen), 0); /* NULL ad == "" */
	assert_string_equal((char *)out, "hello");
	free(out);
	free(blob);
	free(blob2);

	assert_int_equal(vault_seal(NULL, "x", 1, "", &blob, &blen), -EINVAL);
	assert_int_equal(vault_seal(key, NULL, 1, "", &blob, &blen), -EINVAL);
	assert_int_equal(vault_seal(key, "x", 1, "", NULL, &blen), -EINVAL);
	assert_int_equal(vault_seal(key, "x", SIZE_MAX - 10, "", &blob, &blen), -EINVAL);
}

static void test_seal_refuses(void **state)
{
	unsigned char key[VAULT_KEY_BYTES], other[VAULT_KEY_BYTES];
	unsigned char *blob, *out = (unsigned char *)"untouched", *sentinel = out;
	size_t blen, olen = 12345, i;
	int bit;

	(void)state;
	vault_random(key, sizeof(key));
	vault_random(other, sizeof(other));
	assert_int_equal(vault_seal(key, "secret", 6, "t:1:c:1", &blob, &blen), 0);

	/* wrong key, wrong associated data */
	assert_int_equal(vault_open(other, blob, blen, "t:1:c:1", &out, &olen), VAULT_BAD);
	assert_int_equal(vault_open(key, blob, blen, "t:2:c:1", &out, &olen), VAULT_BAD);
	assert_int_equal(vault_open(key, blob, blen, "t:1:c:1 ", &out, &olen), VAULT_BAD);
	assert_int_equal(vault_open(key, blob, blen, "t:1:c:", &out, &olen), VAULT_BAD);
	assert_int_equal(vault_open(key, blob, blen, "", &out, &olen), VAULT_BAD);

	/* truncated to any length, or extended */
	for (i = 0; i < blen; i++)
		assert_int_equal(vault_open(key, blob, i, "t:1:c:1", &out, &olen), VAULT_BAD);
	{
		unsigned char longer[64];

		memcpy(longer, blob, blen);
		longer[blen] = 0;
		assert_int_equal(vault_open(key, longer, blen + 1, "t:1:c:1", &out, &olen),
				 VAULT_BAD);
	}

	/* every bit of nonce, ciphertext and tag */
	for (i = 0; i < blen; i++) {
		for (bit = 0; bit < 8; bit++) {
			blob[i] ^= (unsigned char)(1 << bit);
			assert_int_equal(vault_open(key, blob, blen, "t:1:c:1", &out, &olen),
					 VAULT_BAD);
			blob[i] ^= (unsigned char)(1 << bit);
		}
	}
	assert_ptr_equal(out, sentinel); /* untouched on failure */
	assert_int_equal(olen, 12345);

	assert_int_equal(vault_open(key, blob, blen, "t:1:c:1", &out, &olen), 0);
	assert_string_equal((char *)out, "secret");
	free(out);
	free(blob);
}

static void test_open_into(void **state)
{
	unsigned char key[VAULT_KEY_BYTES], wrapped_key[VAULT_KEY_BYTES], got[VAULT_KEY_BYTES];
	unsigned char *blob;
	size_t blen;

	(void)state;
	vault_random(key, sizeof(key));
	vault_random(wrapped_key, sizeof(wrapped_key));
	assert_int_equal(vault_seal(key, wrapped_key, sizeof(wrapped_key), "mk", &blob, &blen), 0);
	assert_int_equal(vault_open_into(key, blob, blen, "mk", got, sizeof(got)), 0);
	assert_memory_equal(got, wrapped_key, sizeof(got));

	memset(got, 0x33, sizeof(got));
	assert_int_equal(vault_open_into(key, blob, blen, "ck", got, sizeof(got)), VAULT_BAD);
	assert_int_equal(vault_open_into(key, blob, blen, "mk", got, sizeof(got) - 1), VAULT_BAD);
	assert_int_equal(vault_open_into(key, blob, blen - 1, "mk", got, sizeof(got)), VAULT_BAD);
	blob[blen - 1] ^= 0x80;
	assert_int_equal(vault_open_into(key, blob, blen, "mk", got, sizeof(got)), VAULT_BAD);
	/* a failed open leaves zeros: never plaintext, never a partial guess */
	assert_int_equal(got[0], 0);
	assert_int_equal(got[VAULT_KEY_BYTES - 1], 0);
	free(blob);

	assert_int_equal(vault_seal(key, NULL, 0, "empty", &blob, &blen), 0);
	assert_int_equal(vault_open_into(key, blob, blen, "empty", NULL, 0), 0);
	free(blob);
}

static void test_derive(void **state)
{
	unsigned char key[VAULT_KEY_BYTES], other[VAULT_KEY_BYTES];
	unsigned char a[VAULT_KEY_BYTES], b[VAULT_KEY_BYTES];

	(void)state;
	vault_random(key, sizeof(key));
	vault_random(other, sizeof(other));
	vault_derive(a, key, 1, "journal_");
	vault_derive(b, key, 1, "journal_");
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, key, sizeof(a));
	vault_derive(b, key, 2, "journal_");
	assert_memory_not_equal(a, b, sizeof(a));
	vault_derive(b, key, 1, "session_");
	assert_memory_not_equal(a, b, sizeof(a));
	vault_derive(b, other, 1, "journal_");
	assert_memory_not_equal(a, b, sizeof(a));
	/* only 8 bytes of the context are read */
	vault_derive(b, key, 1, "journal_and more");
	assert_memory_equal(a, b, sizeof(a));
}

static void test_hash(void **state)
{
	unsigned char a[32], b[32];
	char longdomain[200];

	(void)state;
	vault_hash(a, "session-secret", "abc", 3);
	vault_hash(b, "session-secret", "abc", 3);
	assert_memory_equal(a, b, sizeof(a));
	vault_hash(b, "invite-secret", "abc", 3);
	assert_memory_not_equal(a, b, sizeof(a));
	vault_hash(b, "session-secret", "abd", 3);
	assert_memory_not_equal(a, b, sizeof(a));
	vault_hash(b, "session-secret", "abc", 2);
	assert_memory_not_equal(a, b, sizeof(a));

	/* a domain of any length works */
	memset(longdomain, 'd', sizeof(longdomain) - 1);
	longdomain[sizeof(longdomain) - 1] = '\0';
	vault_hash(b, longdomain, "abc", 3);
	assert_memory_not_equal(a, b, sizeof(a));
	vault_hash(a, "", "", 0);
	vault_hash(b, NULL, NULL, 0);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_box(void **state)
{
	unsigned char pk[VAULT_PK_BYTES], sk[VAULT_SK_BYTES];
	unsigned char pk2[VAULT_PK_BYTES], sk2[VAULT_SK_BYTES];
	unsigned char ck[VAULT_KEY_BYTES], got[VAULT_KEY_BYTES];
	unsigned char *blob;
	size_t blen;

	(void)state;
	vault_box_keypair(pk, sk);
	vault_box_keypair(pk2, sk2);
	assert_memory_not_equal(pk, pk2, sizeof(pk));
	vault_random(ck, sizeof(ck));

	assert_int_equal(vault_box_seal(pk, ck, sizeof(ck), &blob, &blen), 0);
	assert_int_equal(blen, sizeof(ck) + VAULT_BOXSEAL_OVERHEAD);
	assert_int_equal(vault_box_open(pk, sk, blob, blen, got, sizeof(got)), 0);
	assert_memory_equal(got, ck, sizeof(ck));

	memset(got, 0x44, sizeof(got));
	assert_int_equal(vault_box_open(pk2, sk2, blob, blen, got, sizeof(got)), VAULT_BAD);
	assert_int_equal(vault_box_open(pk, sk2, blob, blen, got, sizeof(got)), VAULT_BAD);
	assert_int_equal(vault_box_open(pk, sk, blob, blen - 1, got, sizeof(got) - 1), VAULT_BAD);
	assert_int_equal(vault_box_open(pk, sk, blob, blen, got, sizeof(got) - 1), VAULT_BAD);
	blob[0] ^= 1;
	assert_int_equal(vault_box_open(pk, sk, blob, blen, got, sizeof(got)), VAULT_BAD);
	blob[0] ^= 1;
	blob[blen - 1] ^= 1;
	assert_int_equal(vault_box_open(pk, sk, blob, blen, got, sizeof(got)), VAULT_BAD);
	assert_int_equal(got[0], 0x44); /* untouched on failure */
	free(blob);

	assert_int_equal(vault_box_seal(pk, NULL, 1, &blob, &blen), -EINVAL);
	assert_int_equal(vault_box_seal(NULL, ck, 1, &blob, &blen), -EINVAL);
}

static void test_equal_wipe_secure(void **state)
{
	unsigned char a[16] = "0123456789abcdef", b[16] = "0123456789abcdef";
	unsigned char *p;

	(void)state;
	assert_int_equal(vault_equal(a, b, sizeof(a)), 1);
	b[15] ^= 1;
	assert_int_equal(vault_equal(a, b, sizeof(a)), 0);
	assert_int_equal(vault_equal(a, b, 15), 1);

	vault_wipe(a, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	vault_wipe(NULL, 10);

	p = vault_secure_alloc(VAULT_KEY_BYTES);
	assert_non_null(p);
	vault_random(p, VAULT_KEY_BYTES);
	vault_secure_free(p);
	vault_secure_free(NULL);
}

/* RFC 4226, appendix D: the ten HOTP values of its test secret. */
static void test_hotp_rfc4226(void **state)
{
	static const unsigned char key[] = "12345678901234567890";
	static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
					  254676, 287922, 162583, 399871, 520489};
	uint64_t i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_int_equal(vault_hotp(key, 20, i, 6), want[i]);
	/* the same truncation to 8 digits keeps the last six */
	assert_int_equal(vault_hotp(key, 20, 0, 8) % 1000000, 755224);
	/* an unsupported length is read as 6 */
	assert_int_equal(vault_hotp(key, 20, 0, 9), 755224);
}

static void test_code_new_and_typed(void **state)
{
	char code[VAULT_CODE_CHARS + 1], other[VAULT_CODE_CHARS + 1];
	char norm[VAULT_CODE_SYMBOLS + 1], lower[VAULT_CODE_CHARS + 1];
	size_t i;

	(void)state;
	vault_code_new(code);
	vault_code_new(other);
	assert_int_equal(strlen(code), VAULT_CODE_CHARS);
	assert_int_equal(code[5], '-');
	assert_string_not_equal(code, other);
	for (i = 0; i < VAULT_CODE_CHARS; i++)
		assert_true(i == 5 || strchr(CROCKFORD, code[i]));
	assert_int_equal(vault_code_norm(norm, code, strlen(code)), 0);
	assert_int_equal(strlen(norm), VAULT_CODE_SYMBOLS);
	assert_memory_equal(norm, code, 5);
	assert_memory_equal(norm + 5, code + 6, 5);
	/* typed in lower case with spaces: the same symbols */
	for (i = 0; i < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)code[i]);
	lower[5] = ' ';
	assert_int_equal(vault_code_norm(other, lower, strlen(lower)), 0);
	assert_string_equal(other, norm);
	/* O, I and L read as 0, 1, 1 */
	assert_int_equal(vault_code_norm(norm, "OIL00-11100", 11), 0);
	assert_string_equal(norm, "0110011100");
	/* too short, too long, a letter outside the alphabet */
	assert_int_equal(vault_code_norm(norm, "ABCDE-FGHJ", 10), -EINVAL);
	assert_int_equal(vault_code_norm(norm, "ABCDE-FGHJKM", 12), -EINVAL);
	assert_int_equal(vault_code_norm(norm, "ABCDE-FGHJU", 11), -EINVAL);
	assert_int_equal(vault_code_norm(norm, "123456", 6), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_twice),
		cmocka_unit_test(test_kdf_strings),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_hex_rejects),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_password_dummy),
		cmocka_unit_test(test_kek_from_password),
		cmocka_unit_test(test_recovery_format),
		cmocka_unit_test(test_recovery_typed),
		cmocka_unit_test(test_recovery_confusables),
		cmocka_unit_test(test_recovery_rejects),
		cmocka_unit_test(test_recovery_known_answer),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_refuses),
		cmocka_unit_test(test_open_into),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_box),
		cmocka_unit_test(test_equal_wipe_secure),
		cmocka_unit_test(test_hotp_rfc4226),
		cmocka_unit_test(test_code_new_and_typed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
