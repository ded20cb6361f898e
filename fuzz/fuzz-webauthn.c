/*
 * fuzz-webauthn.c: libFuzzer target for the WebAuthn parsers (issue 11:
 * the CBOR of attestation objects and COSE keys, the DER of ECDSA
 * signatures, clientDataJSON, and the JSON a browser posts).
 *
 * The first byte picks what the rest is:
 *   0  a registration or assertion answer as the browser posts it (JSON)
 *   1  an attestationObject, after a clientDataJSON that passes
 *   2  a clientDataJSON, before an attestationObject that passes
 *   3  authenticatorData (its length in the next byte) and a DER signature,
 *      after a clientDataJSON that passes, for the credential of the
 *      "none" vector
 *   4  a clientDataJSON whose challenge is read
 * so that mutations reach each parser past the checks in front of it.
 * Besides memory errors it checks the contract: results are of the enum;
 * what a success hands back fits its fields; an assertion verifies only
 * over the vector's own authenticatorData (its signature covers it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vault/vault.h"
#include "vault/webauthn.h"
#include "../src/vault/test-webauthn-vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LEN(a) sizeof(a)

static unsigned char challenge[WEBAUTHN_CHALLENGE_BYTES];
static const struct webauthn_expect expect = {challenge, VEC_ORIGIN, VEC_RP_ID, 0};
static struct webauthn_credential none_cred;
static int ready;

static void check_result(int r)
{
	if (r < 0 || r >= _WEBAUTHN_RESULT_MAX || !webauthn_strerror(r))
		abort();
}

static void setup(void)
{
	if (vault_init() != 0)
		abort();
	for (size_t i = 0; i < sizeof(challenge); i++)
		challenge[i] = (unsigned char)i;
	if (webauthn_register(&expect, vec_none_cd, LEN(vec_none_cd), vec_none_att,
			      LEN(vec_none_att), &none_cred) != WEBAUTHN_OK)
		abort();
	ready = 1;
}

static void parse_response(const uint8_t *in, size_t len)
{
	struct webauthn_response *res = malloc(sizeof(*res));

	if (!res)
		return;
	for (int create = 0; create <= 1; create++) {
		int r = webauthn_response_parse((const char *)in, len, create, res);

		check_result(r);
		/* what each kind of answer fills: the rest is not written */
		if (r == WEBAUTHN_OK && (res->raw_id_len > WEBAUTHN_CRED_ID_MAX ||
					 res->cd_len > WEBAUTHN_CLIENT_DATA_MAX ||
					 (create && res->att_len > WEBAUTHN_ATT_OBJ_MAX) ||
					 (!create && (res->ad_len > WEBAUTHN_AUTH_DATA_MAX ||
						      res->sig_len > WEBAUTHN_SIG_MAX))))
			abort();
	}
	free(res);
}

static void register_one(const uint8_t *cd, size_t cd_len, const uint8_t *att, size_t att_len)
{
	struct webauthn_credential cred;
	int r;

	/* exact-size copies, so that ASan sees a read past either end */
	uint8_t *c = malloc(cd_len ? cd_len : 1), *a = malloc(att_len ? att_len : 1);

	if (!c || !a)
		goto out;
	memcpy(c, cd, cd_len);
	memcpy(a, att, att_len);
	r = webauthn_register(&expect, c, cd_len, a, att_len, &cred);
	check_result(r);
	/* "none" attestation signs nothing: any well-formed object may pass, but whole */
	if (r == WEBAUTHN_OK &&
	    (cred.id_len == 0 || cred.id_len > WEBAUTHN_CRED_ID_MAX || cred.public_key[0] != 0x04))
		abort();
out:
	free(c);
	free(a);
}

static void assert_one(const uint8_t *in, size_t len)
{
	size_t ad_len = len ? in[0] : 0;
	uint8_t *ad, *sig;
	size_t sig_len;
	uint32_t count = 0;
	int r;

	if (len == 0 || ad_len > len - 1)
		return;
	sig_len = len - 1 - ad_len;
	ad = malloc(ad_len ? ad_len : 1);
	sig = malloc(sig_len ? sig_len : 1);
	if (ad && sig) {
		memcpy(ad, in + 1, ad_len);
		memcpy(sig, in + 1 + ad_len, sig_len);
		r = webauthn_assert(&expect, none_cred.public_key, 0, vec_get_cd, LEN(vec_get_cd),
				    ad, ad_len, sig, sig_len, &count);
		check_result(r);
		/* a success is the vector's own signature over the vector's own data */
		if (r == WEBAUTHN_OK &&
		    (ad_len != LEN(vec_get_ad) || memcmp(ad, vec_get_ad, ad_len) != 0))
			abort();
	}
	free(ad);
	free(sig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char got[WEBAUTHN_CHALLENGE_BYTES];
	const uint8_t *in = data + 1;
	size_t len = size ? size - 1 : 0;

	if (!ready)
		setup();
	if (size == 0 || size > 2 * WEBAUTHN_ATT_OBJ_MAX)
		return 0;
	switch (data[0] % 5) {
	case 0:
		parse_response(in, len);
		break;
	case 1:
		register_one(vec_none_cd, LEN(vec_none_cd), in, len);
		break;
	case 2:
		register_one(in, len, vec_none_att, LEN(vec_none_att));
		break;
	case 3:
		assert_one(in, len);
		break;
	default: {
		int r = webauthn_client_challenge(in, len, got);

		if (r != WEBAUTHN_OK && r != WEBAUTHN_MALFORMED)
			abort();
		break;
	}
	}
	return 0;
}
