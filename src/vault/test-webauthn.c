/*
 * test-webauthn.c: the checks of webauthn.h against vectors the tests'
 * software authenticator made (test-webauthn-vectors.h): each one passes
 * as made, and each check refuses when one thing in it is changed: type,
 * challenge, origin, RP id, flags, key algorithm, attestation format,
 * signature, trailing bytes, a counter that goes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <cmocka.h>

#include "vault/webauthn.h"
#include "test-webauthn-vectors.h"

#define LEN(a) sizeof(a)

static unsigned char challenge[WEBAUTHN_CHALLENGE_BYTES];
static const struct webauthn_expect expect = {challenge, VEC_ORIGIN, VEC_RP_ID, 0};

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(challenge); i++)
		challenge[i] = (unsigned char)i;
	return sodium_init() < 0 ? -1 : 0;
}

static int reg(const struct webauthn_expect *e, const unsigned char *cd, size_t cd_len,
	       const unsigned char *att, size_t att_len, struct webauthn_credential *cred)
{
	return webauthn_register(e, cd, cd_len, att, att_len, cred);
}

/* The credential of the "none" vector, which signed the assertion vector. */
static void none_credential(struct webauthn_credential *cred)
{
	assert_int_equal(
		reg(&expect, vec_none_cd, LEN(vec_none_cd), vec_none_att, LEN(vec_none_att), cred),
		0);
}

static int get(const struct webauthn_expect *e, const struct webauthn_credential *cred,
	       uint32_t stored, const unsigned char *cd, size_t cd_len, const unsigned char *ad,
	       size_t ad_len, const unsigned char *sig, size_t sig_len, uint32_t *count)
{
	return webauthn_assert(e, cred->public_key, stored, cd, cd_len, ad, ad_len, sig, sig_len,
			       count);
}

static void test_register_none_and_packed(void **state)
{
	struct webauthn_credential cred, packed;
	unsigned char got[WEBAUTHN_CHALLENGE_BYTES];

	(void)state;
	none_credential(&cred);
	assert_int_equal(cred.id_len, 32);
	assert_int_equal(cred.public_key[0], 0x04);
	assert_int_equal(cred.sign_count, 0);
	assert_int_equal(reg(&expect, vec_packed_cd, LEN(vec_packed_cd), vec_packed_att,
			     LEN(vec_packed_att), &packed),
			 0);
	assert_memory_not_equal(cred.public_key, packed.public_key, WEBAUTHN_PK_BYTES);
	assert_int_equal(webauthn_client_challenge(vec_none_cd, LEN(vec_none_cd), got), 0);
	assert_memory_equal(got, challenge, sizeof(got));
}

static void test_register_refusals(void **state)
{
	struct webauthn_expect e = expect;
	struct webauthn_credential cred;
	unsigned char other[WEBAUTHN_CHALLENGE_BYTES], buf[WEBAUTHN_ATT_OBJ_MAX];

	(void)state;
	memset(&cred, 0, sizeof(cred));
	memset(other, 7, sizeof(other));
	e.challenge = other;
	assert_int_equal(
		reg(&e, vec_none_cd, LEN(vec_none_cd), vec_none_att, LEN(vec_none_att), &cred),
		WEBAUTHN_CHALLENGE);
	e = expect;
	e.origin = "https://kintsugi.example:8443";
	assert_int_equal(
		reg(&e, vec_none_cd, LEN(vec_none_cd), vec_none_att, LEN(vec_none_att), &cred),
		WEBAUTHN_ORIGIN);
	e = expect;
	e.rp_id = "example";
	assert_int_equal(
		reg(&e, vec_none_cd, LEN(vec_none_cd), vec_none_att, LEN(vec_none_att), &cred),
		WEBAUTHN_RP);
	/* an assertion's client data is not a registration's */
	assert_int_equal(
		reg(&expect, vec_get_cd, LEN(vec_get_cd), vec_none_att, LEN(vec_none_att), &cred),
		WEBAUTHN_TYPE);
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd), vec_eddsa_att,
			     LEN(vec_eddsa_att), &cred),
			 WEBAUTHN_ALG);
	/* packed's signature covers its client data: the same with one more space is refused */
	buf[0] = '{';
	buf[1] = ' ';
	memcpy(buf + 2, vec_packed_cd + 1, LEN(vec_packed_cd) - 1);
	assert_int_equal(reg(&expect, buf, LEN(vec_packed_cd) + 1, vec_packed_att,
			     LEN(vec_packed_att), &cred),
			 WEBAUTHN_SIGNATURE);
	/* a byte after the attestation object */
	memcpy(buf, vec_none_att, LEN(vec_none_att));
	buf[LEN(vec_none_att)] = 0;
	assert_int_equal(
		reg(&expect, vec_none_cd, LEN(vec_none_cd), buf, LEN(vec_none_att) + 1, &cred),
		WEBAUTHN_MALFORMED);
	/* cut short anywhere */
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd), vec_none_att,
			     LEN(vec_none_att) - 1, &cred),
			 WEBAUTHN_MALFORMED);
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd) - 1, vec_none_att,
			     LEN(vec_none_att), &cred),
			 WEBAUTHN_MALFORMED);
	/* "fmt": "none" -> "nonf": an unknown format */
	memcpy(buf, vec_none_att, LEN(vec_none_att));
	for (size_t i = 0; i + 4 <= LEN(vec_none_att); i++)
		if (memcmp(buf + i, "none", 4) == 0) {
			buf[i + 3] = 'f';
			break;
		}
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd), buf, LEN(vec_none_att), &cred),
			 WEBAUTHN_FORMAT);
	assert_int_equal(cred.id_len, 0); /* nothing written on failure */
}

/* The assertion vector with its authData copied into ad, for changing. */
static void test_assert(void **state)
{
	struct webauthn_expect e = expect;
	struct webauthn_credential cred, packed;
	unsigned char ad[WEBAUTHN_AUTH_DATA_MAX], sig[WEBAUTHN_SIG_MAX], other[32];
	uint32_t count = 0;

	(void)state;
	none_credential(&cred);
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 0);
	assert_int_equal(count, VEC_COUNTER);
	assert_int_equal(get(&e, &cred, VEC_COUNTER - 1, vec_get_cd, LEN(vec_get_cd), vec_get_ad,
			     LEN(vec_get_ad), vec_get_sig, LEN(vec_get_sig), &count),
			 0);
	/* the counter must grow */
	assert_int_equal(get(&e, &cred, VEC_COUNTER, vec_get_cd, LEN(vec_get_cd), vec_get_ad,
			     LEN(vec_get_ad), vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_COUNTER);
	assert_int_equal(get(&e, &cred, 99, vec_get_cd, LEN(vec_get_cd), vec_get_ad,
			     LEN(vec_get_ad), vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_COUNTER);
	/* another credential's key */
	assert_int_equal(reg(&expect, vec_packed_cd, LEN(vec_packed_cd), vec_packed_att,
			     LEN(vec_packed_att), &packed),
			 0);
	assert_int_equal(get(&e, &packed, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad,
			     LEN(vec_get_ad), vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_SIGNATURE);
	/* a changed signature byte, a changed counter, a trailing byte */
	memcpy(sig, vec_get_sig, LEN(vec_get_sig));
	sig[LEN(vec_get_sig) - 1] ^= 1;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_SIGNATURE);
	sig[LEN(vec_get_sig) - 1] ^= 1;
	sig[LEN(vec_get_sig)] = 0;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     sig, LEN(vec_get_sig) + 1, &count),
			 WEBAUTHN_SIGNATURE);
	memcpy(ad, vec_get_ad, LEN(vec_get_ad));
	ad[36] ^= 1;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_SIGNATURE);
	ad[36] ^= 1;
	ad[LEN(vec_get_ad)] = 0;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), ad, LEN(vec_get_ad) + 1,
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_MALFORMED);
	/* user presence off */
	ad[32] &= (unsigned char)~WEBAUTHN_FLAG_UP;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_PRESENCE);
	/* a registration's client data, another challenge, origin, RP */
	assert_int_equal(get(&e, &cred, 0, vec_none_cd, LEN(vec_none_cd), vec_get_ad,
			     LEN(vec_get_ad), vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_TYPE);
	memset(other, 9, sizeof(other));
	e.challenge = other;
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_CHALLENGE);
	e = expect;
	e.origin = "http://kintsugi.example";
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_ORIGIN);
	e = expect;
	e.rp_id = "evil.example";
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 WEBAUTHN_RP);
	e = expect;
	e.require_uv = 1; /* the vector has UV: still fine */
	assert_int_equal(get(&e, &cred, 0, vec_get_cd, LEN(vec_get_cd), vec_get_ad, LEN(vec_get_ad),
			     vec_get_sig, LEN(vec_get_sig), &count),
			 0);
	assert_int_equal(count, VEC_COUNTER);
}

/* Client data that is not JSON, or holds no challenge of the right size. */
static void test_client_data_shapes(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"type\":\"webauthn.get\"}",
		"{\"challenge\":\"AAEC\"}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}",
		"{\"challenge\":1}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\","
		"\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}",
	};
	unsigned char out[WEBAUTHN_CHALLENGE_BYTES];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(webauthn_client_challenge((const unsigned char *)bad[i],
							   strlen(bad[i]), out),
				 WEBAUTHN_MALFORMED);
	assert_string_equal(webauthn_strerror(WEBAUTHN_COUNTER), "counter");
}

/* The process's peak virtual size in KiB (VmPeak of /proc/self/status), or 0. */
static long vm_peak_kib(void)
{
	char line[128];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmPeak:", 7) == 0) {
			kib = strtol(line + 7, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

/*
 * A few bytes that claim a huge array (2^28 elements) must not make the
 * CBOR reader ask for gigabytes before it finds the bytes missing (found
 * by fuzz/fuzz-webauthn.c: libcbor allocates what a header declares).
 */
static void test_cbor_claims_cost_nothing(void **state)
{
	static const unsigned char huge[] = {
		0xa1, 0x63, 'f', 'm', 't', 0x9a, 0x10, 0x00, 0x00, 0x00, 0x01, 0x02,
	};
	static const unsigned char deep[] = {
		0xa1, 0x63, 'f',  'm',	't',  0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81,
		0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00,
	};
	struct webauthn_credential cred;
	long before = vm_peak_kib();

	(void)state;
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd), huge, LEN(huge), &cred),
			 WEBAUTHN_MALFORMED);
	assert_int_equal(reg(&expect, vec_none_cd, LEN(vec_none_cd), deep, LEN(deep), &cred),
			 WEBAUTHN_MALFORMED);
	if (before > 0)
		assert_true(vm_peak_kib() - before < 256 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_none_and_packed),
		cmocka_unit_test(test_register_refusals),
		cmocka_unit_test(test_assert),
		cmocka_unit_test(test_client_data_shapes),
		cmocka_unit_test(test_cbor_claims_cost_nothing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
