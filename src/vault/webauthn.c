/*
 * webauthn.c: the checks of webauthn.h, in the order of WebAuthn Level 2
 * sections 7.1 (registration) and 7.2 (authentication).
 *
 * Every parser here stops at the first byte it does not expect and takes
 * no trailing byte: the attestation object and the COSE key are single
 * CBOR items (libcbor reports how much it read), authenticatorData is
 * walked field by field (section 6.1) and must end where its last field
 * does, the DER signature (X.690, SEQUENCE of two INTEGERs) is read in its
 * one minimal form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <gmp.h>
#include <jansson.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <sodium.h>

#include "vault/webauthn.h"

#define COORD_BYTES 32 /* a P-256 coordinate, and a scalar */
#define AUTH_HEAD   37 /* rpIdHash (32), flags (1), signCount (4) */
#define AAGUID	    16

/* ---- small readers ---- */

/* The text of key name in JSON object o, or NULL. */
static const char *json_text(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static int b64url_decode(unsigned char *out, size_t max, const char *in, size_t *ret_len)
{
	if (!in || sodium_base642bin(out, max, in, strlen(in), NULL, ret_len, NULL,
				     sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return 0;
}

/* A definite CBOR text string equal to s. */
static int cbor_text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(it) && cbor_string_is_definite(it) && cbor_string_length(it) == n &&
	       memcmp(cbor_string_handle(it), s, n) == 0;
}

/* A CBOR integer's value into *ret: 0, or -1 when it is no integer or out of int64_t. */
static int cbor_int(const cbor_item_t *it, int64_t *ret)
{
	uint64_t v;

	if (!cbor_isa_uint(it) && !cbor_isa_negint(it))
		return -1;
	v = cbor_get_int(it);
	if (v > INT64_MAX)
		return -1;
	*ret = cbor_isa_uint(it) ? (int64_t)v : -1 - (int64_t)v;
	return 0;
}

/* A definite byte string's bytes, or NULL. */
static const unsigned char *cbor_bytes(const cbor_item_t *it, size_t *len)
{
	if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return NULL;
	*len = cbor_bytestring_length(it);
	return cbor_bytestring_handle(it);
}

#define CBOR_DEPTH_MAX 16

/*
 * Whether the first CBOR item of buf (len bytes) is whole and bounded:
 * every length and count it declares fits in the bytes that follow (an
 * element takes at least one), nothing is of indefinite length, and it
 * nests at most CBOR_DEPTH_MAX deep.  libcbor allocates what a header
 * declares before it reads the elements, so a few bytes that claim a
 * billion-element array would have it ask for gigabytes: this walk comes
 * first.  0 or -1.
 */
static int cbor_bounded(const unsigned char *buf, size_t len)
{
	uint64_t left[CBOR_DEPTH_MAX + 1];
	size_t depth = 0, pos = 0;

	left[0] = 1;
	for (;;) {
		unsigned major, info, n, i;
		uint64_t v = 0;

		while (left[depth] == 0) {
			if (depth == 0)
				return 0;
			depth--;
		}
		left[depth]--;
		if (pos >= len)
			return -1;
		major = buf[pos] >> 5;
		info = buf[pos] & 31u;
		pos++;
		if (info < 24) {
			v = info;
		} else if (info <= 27) {
			n = 1u << (info - 24);
			if (len - pos < n)
				return -1;
			for (i = 0; i < n; i++)
				v = v << 8 | buf[pos + i];
			pos += n;
		} else {
			return -1; /* reserved, or indefinite length */
		}
		switch (major) {
		case 2: /* byte string */
		case 3: /* text string */
			if (v > len - pos)
				return -1;
			pos += (size_t)v;
			break;
		case 4: /* array */
		case 5: /* map: twice as many items */
			if (v > len - pos || (major == 5 && 2 * v > len - pos))
				return -1;
			if (v == 0)
				break;
			if (depth == CBOR_DEPTH_MAX)
				return -1;
			left[++depth] = major == 5 ? 2 * v : v;
			break;
		case 6: /* a tag: one item follows */
			if (depth == CBOR_DEPTH_MAX)
				return -1;
			left[++depth] = 1;
			break;
		default: /* integers, simple values and floats: the head was all */
			break;
		}
	}
}

/*
 * One CBOR item from buf, a definite map whose keys are all distinct
 * integers or all distinct texts; *used: the bytes it took.  NULL when
 * it is not.
 */
static cbor_item_t *cbor_map_load(const unsigned char *buf, size_t len, size_t *used)
{
	struct cbor_load_result res;
	cbor_item_t *it;
	struct cbor_pair *p;
	size_t i, j, n;

	if (cbor_bounded(buf, len) != 0)
		return NULL;
	it = cbor_load(buf, len, &res);
	if (!it)
		return NULL;
	if (res.error.code != CBOR_ERR_NONE || !cbor_isa_map(it) || !cbor_map_is_definite(it))
		goto bad;
	n = cbor_map_size(it);
	p = cbor_map_handle(it);
	for (i = 0; i < n; i++) {
		int64_t a, b;

		for (j = 0; j < i; j++) {
			if (cbor_int(p[i].key, &a) == 0 && cbor_int(p[j].key, &b) == 0 && a == b)
				goto bad;
			if (cbor_isa_string(p[j].key) && cbor_string_is_definite(p[j].key)) {
				char key[64];
				size_t kl = cbor_string_length(p[j].key);

				if (kl >= sizeof(key))
					goto bad;
				memcpy(key, cbor_string_handle(p[j].key), kl);
				key[kl] = '\0';
				if (cbor_text_is(p[i].key, key))
					goto bad;
			}
		}
	}
	*used = res.read;
	return it;
bad:
	cbor_decref(&it);
	return NULL;
}

/* The value of integer key k in map m, or NULL. */
static const cbor_item_t *cbor_get_ik(const cbor_item_t *m, int64_t k)
{
	struct cbor_pair *p = cbor_map_handle(m);
	size_t i, n = cbor_map_size(m);
	int64_t v;

	for (i = 0; i < n; i++)
		if (cbor_int(p[i].key, &v) == 0 && v == k)
			return p[i].value;
	return NULL;
}

/* The value of text key k in map m, or NULL. */
static const cbor_item_t *cbor_get_tk(const cbor_item_t *m, const char *k)
{
	struct cbor_pair *p = cbor_map_handle(m);
	size_t i, n = cbor_map_size(m);

	for (i = 0; i < n; i++)
		if (cbor_text_is(p[i].key, k))
			return p[i].value;
	return NULL;
}

/* ---- clientDataJSON (section 5.8.1) ---- */

int webauthn_client_challenge(const unsigned char *client_data, size_t len,
			      unsigned char out[WEBAUTHN_CHALLENGE_BYTES])
{
	unsigned char buf[WEBAUTHN_CHALLENGE_BYTES];
	json_t *o;
	size_t n = 0;
	int r;

	if (!client_data || len == 0 || len > WEBAUTHN_CLIENT_DATA_MAX)
		return WEBAUTHN_MALFORMED;
	o = json_loadb((const char *)client_data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!o)
		return WEBAUTHN_MALFORMED;
	r = json_is_object(o) &&
			    b64url_decode(buf, sizeof(buf), json_text(o, "challenge"), &n) == 0 &&
			    n == WEBAUTHN_CHALLENGE_BYTES
		    ? 0
		    : WEBAUTHN_MALFORMED;
	json_decref(o);
	if (r == 0)
		memcpy(out, buf, sizeof(buf));
	return r;
}

/* Steps 7.1.7-10 and 7.2.11-14: type, challenge, origin, no cross-origin frame. */
static int client_data_check(const struct webauthn_expect *e, const char *type,
			     const unsigned char *cd, size_t len)
{
	unsigned char got[WEBAUTHN_CHALLENGE_BYTES];
	const json_t *cross;
	const char *s;
	json_t *o;
	int r;

	r = webauthn_client_challenge(cd, len, got);
	if (r != 0)
		return r;
	o = json_loadb((const char *)cd, len, JSON_REJECT_DUPLICATES, NULL);
	if (!o)
		return WEBAUTHN_MALFORMED;
	s = json_text(o, "type");
	cross = json_object_get(o, "crossOrigin");
	if (!s || strcmp(s, type) != 0)
		r = WEBAUTHN_TYPE;
	else if (sodium_memcmp(got, e->challenge, WEBAUTHN_CHALLENGE_BYTES) != 0)
		r = WEBAUTHN_CHALLENGE;
	/* and no cross-origin frame: our pages are never framed (frame-ancestors 'none') */
	else if (!(s = json_text(o, "origin")) || strcmp(s, e->origin) != 0 ||
		 (cross && !json_is_false(cross)))
		r = WEBAUTHN_ORIGIN;
	json_decref(o);
	return r;
}

/* ---- keys and signatures ---- */

/*
 * The COSE_Key at buf (RFC 9053 section 7.1.1): exactly kty 2 (EC2),
 * alg -7 (ES256), crv 1 (P-256), x and y of 32 bytes, nothing else;
 * into pk as an uncompressed point.  *used: its length.
 */
static int cose_key_read(const unsigned char *buf, size_t len, size_t *used,
			 unsigned char pk[WEBAUTHN_PK_BYTES])
{
	const unsigned char *x, *y;
	size_t xl = 0, yl = 0;
	int64_t kty, alg, crv;
	cbor_item_t *m = cbor_map_load(buf, len, used);
	int r = WEBAUTHN_ALG;

	if (!m)
		return WEBAUTHN_MALFORMED;
	if (cbor_map_size(m) != 5 || !cbor_get_ik(m, 1) || !cbor_get_ik(m, 3) ||
	    cbor_int(cbor_get_ik(m, 1), &kty) != 0 || cbor_int(cbor_get_ik(m, 3), &alg) != 0)
		goto out;
	if (kty != 2 || alg != -7 || !cbor_get_ik(m, -1) ||
	    cbor_int(cbor_get_ik(m, -1), &crv) != 0 || crv != 1)
		goto out;
	x = cbor_bytes(cbor_get_ik(m, -2), &xl);
	y = cbor_bytes(cbor_get_ik(m, -3), &yl);
	if (!x || !y || xl != COORD_BYTES || yl != COORD_BYTES) {
		r = WEBAUTHN_MALFORMED;
		goto out;
	}
	pk[0] = 0x04;
	memcpy(pk + 1, x, COORD_BYTES);
	memcpy(pk + 1 + COORD_BYTES, y, COORD_BYTES);
	r = 0;
out:
	cbor_decref(&m);
	return r;
}

/*
 * One DER INTEGER at *p (below end), positive and minimally encoded, of at
 * most 32 bytes of value: into v, *p past it.  -1 when it is not one.
 */
static int der_int(const unsigned char **p, const unsigned char *end, mpz_t v)
{
	const unsigned char *q = *p;
	size_t n;

	if (end - q < 3 || q[0] != 0x02 || q[1] == 0 || q[1] > COORD_BYTES + 1)
		return -1;
	n = q[1];
	q += 2;
	if ((size_t)(end - q) < n || (q[0] & 0x80))
		return -1; /* cut short, or negative */
	if (n > 1 && q[0] == 0 && !(q[1] & 0x80))
		return -1; /* a leading zero that is not needed */
	if (n == COORD_BYTES + 1 && q[0] != 0)
		return -1;
	nettle_mpz_set_str_256_u(v, n, q);
	*p = q + n;
	return 0;
}

/* ECDSA P-256 over SHA-256 of msg (RFC 6979's curve, FIPS 186-4's check). */
static int es256_verify(const unsigned char pk[WEBAUTHN_PK_BYTES], const unsigned char *msg,
			size_t mlen, const unsigned char *sig, size_t sig_len)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	const unsigned char *p = sig, *end = sig + sig_len;
	struct dsa_signature s;
	struct ecc_point pub;
	mpz_t x, y;
	int r = WEBAUTHN_SIGNATURE;

	if (pk[0] != 0x04)
		return WEBAUTHN_ALG;
	mpz_init(x);
	mpz_init(y);
	dsa_signature_init(&s);
	ecc_point_init(&pub, nettle_get_secp_256r1());
	nettle_mpz_set_str_256_u(x, COORD_BYTES, pk + 1);
	nettle_mpz_set_str_256_u(y, COORD_BYTES, pk + 1 + COORD_BYTES);
	/* a SEQUENCE with a short-form length that covers the rest exactly */
	if (sig_len < 8 || sig_len > WEBAUTHN_SIG_MAX || p[0] != 0x30 || p[1] != sig_len - 2)
		goto out;
	p += 2;
	if (der_int(&p, end, s.r) != 0 || der_int(&p, end, s.s) != 0 || p != end)
		goto out;
	if (!ecc_point_set(&pub, x, y)) /* not on the curve */
		goto out;
	crypto_hash_sha256(digest, msg, mlen);
	if (ecdsa_verify(&pub, sizeof(digest), digest, &s))
		r = 0;
out:
	ecc_point_clear(&pub);
	dsa_signature_clear(&s);
	mpz_clear(x);
	mpz_clear(y);
	return r;
}

/* Signature over authData || SHA-256(clientDataJSON) (sections 7.1.19 and 7.2.20). */
static int ceremony_verify(const unsigned char pk[WEBAUTHN_PK_BYTES], const unsigned char *ad,
			   size_t ad_len, const unsigned char *cd, size_t cd_len,
			   const unsigned char *sig, size_t sig_len)
{
	unsigned char msg[WEBAUTHN_ATT_OBJ_MAX + crypto_hash_sha256_BYTES];

	if (ad_len > WEBAUTHN_ATT_OBJ_MAX)
		return WEBAUTHN_MALFORMED;
	memcpy(msg, ad, ad_len);
	crypto_hash_sha256(msg + ad_len, cd, cd_len);
	return es256_verify(pk, msg, ad_len + crypto_hash_sha256_BYTES, sig, sig_len);
}

/* ---- authenticatorData (section 6.1) ---- */

/* Extensions (ED): one CBOR map, whose content is not used. */
static int extensions_skip(const unsigned char *p, size_t len, size_t *used)
{
	cbor_item_t *m = cbor_map_load(p, len, used);

	if (!m)
		return WEBAUTHN_MALFORMED;
	cbor_decref(&m);
	return 0;
}

/*
 * Reads authData: rpIdHash, flags and counter checked against e; with
 * want_cred, the attested credential data into cred (its key into
 * cred->public_key); ends exactly at len.
 */
static int auth_data_read(const struct webauthn_expect *e, const unsigned char *ad, size_t len,
			  int want_cred, struct webauthn_credential *cred, uint32_t *ret_count)
{
	unsigned char rp_hash[WEBAUTHN_RP_HASH_BYTES];
	size_t pos = AUTH_HEAD, used = 0;
	unsigned flags;
	int r;

	if (len < AUTH_HEAD)
		return WEBAUTHN_MALFORMED;
	crypto_hash_sha256(rp_hash, (const unsigned char *)e->rp_id, strlen(e->rp_id));
	flags = ad[32];
	*ret_count =
		(uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 | (uint32_t)ad[35] << 8 | ad[36];
	if (!!(flags & WEBAUTHN_FLAG_AT) != !!want_cred)
		return WEBAUTHN_MALFORMED;
	if (want_cred) {
		size_t n;

		if (len - pos < AAGUID + 2)
			return WEBAUTHN_MALFORMED;
		pos += AAGUID;
		n = (size_t)ad[pos] << 8 | ad[pos + 1];
		pos += 2;
		if (n == 0 || n > WEBAUTHN_CRED_ID_MAX || len - pos < n)
			return WEBAUTHN_MALFORMED;
		memcpy(cred->id, ad + pos, n);
		cred->id_len = n;
		pos += n;
		r = cose_key_read(ad + pos, len - pos, &used, cred->public_key);
		if (r != 0)
			return r;
		pos += used;
	}
	if (flags & WEBAUTHN_FLAG_ED) {
		if (pos == len || extensions_skip(ad + pos, len - pos, &used) != 0)
			return WEBAUTHN_MALFORMED;
		pos += used;
	}
	if (pos != len)
		return WEBAUTHN_MALFORMED;
	if (sodium_memcmp(ad, rp_hash, sizeof(rp_hash)) != 0)
		return WEBAUTHN_RP;
	if (!(flags & WEBAUTHN_FLAG_UP) || (e->require_uv && !(flags & WEBAUTHN_FLAG_UV)))
		return WEBAUTHN_PRESENCE;
	return 0;
}

/* ---- the two ceremonies ---- */

/* attStmt of fmt "packed" without x5c: {alg: -7, sig}, signed by the new credential. */
static int packed_self_check(const cbor_item_t *stmt, const struct webauthn_credential *cred,
			     const unsigned char *ad, size_t ad_len, const unsigned char *cd,
			     size_t cd_len)
{
	const unsigned char *sig;
	size_t sig_len = 0;
	int64_t alg;

	if (cbor_get_tk(stmt, "x5c") || cbor_get_tk(stmt, "ecdaaKeyId"))
		return WEBAUTHN_FORMAT; /* a vendor's certificate: not trusted, not taken */
	if (cbor_map_size(stmt) != 2 || cbor_int(cbor_get_tk(stmt, "alg"), &alg) != 0)
		return WEBAUTHN_MALFORMED;
	if (alg != -7)
		return WEBAUTHN_ALG;
	sig = cbor_bytes(cbor_get_tk(stmt, "sig"), &sig_len);
	if (!sig)
		return WEBAUTHN_MALFORMED;
	return ceremony_verify(cred->public_key, ad, ad_len, cd, cd_len, sig, sig_len);
}

int webauthn_register(const struct webauthn_expect *e, const unsigned char *client_data,
		      size_t cd_len, const unsigned char *att_obj, size_t att_len,
		      struct webauthn_credential *ret)
{
	struct webauthn_credential cred;
	const cbor_item_t *fmt, *stmt;
	const unsigned char *ad;
	cbor_item_t *m;
	size_t used = 0, ad_len = 0;
	int r;

	r = client_data_check(e, "webauthn.create", client_data, cd_len);
	if (r != 0)
		return r;
	if (!att_obj || att_len == 0 || att_len > WEBAUTHN_ATT_OBJ_MAX)
		return WEBAUTHN_MALFORMED;
	m = cbor_map_load(att_obj, att_len, &used);
	if (!m)
		return WEBAUTHN_MALFORMED;
	memset(&cred, 0, sizeof(cred));
	fmt = cbor_get_tk(m, "fmt");
	stmt = cbor_get_tk(m, "attStmt");
	ad = cbor_bytes(cbor_get_tk(m, "authData"), &ad_len);
	r = WEBAUTHN_MALFORMED;
	if (used != att_len || cbor_map_size(m) != 3 || !fmt || !stmt || !ad ||
	    !cbor_isa_map(stmt) || !cbor_map_is_definite(stmt))
		goto out;
	r = auth_data_read(e, ad, ad_len, 1, &cred, &cred.sign_count);
	if (r != 0)
		goto out;
	if (cbor_text_is(fmt, "none"))
		r = cbor_map_size(stmt) == 0 ? 0 : WEBAUTHN_MALFORMED;
	else if (cbor_text_is(fmt, "packed"))
		r = packed_self_check(stmt, &cred, ad, ad_len, client_data, cd_len);
	else
		r = WEBAUTHN_FORMAT;
	if (r == 0)
		*ret = cred;
out:
	cbor_decref(&m);
	return r;
}

int webauthn_assert(const struct webauthn_expect *e,
		    const unsigned char public_key[WEBAUTHN_PK_BYTES], uint32_t stored_count,
		    const unsigned char *client_data, size_t cd_len, const unsigned char *auth_data,
		    size_t ad_len, const unsigned char *sig, size_t sig_len, uint32_t *ret_count)
{
	uint32_t count = 0;
	int r;

	r = client_data_check(e, "webauthn.get", client_data, cd_len);
	if (r != 0)
		return r;
	if (!auth_data || ad_len > WEBAUTHN_AUTH_DATA_MAX || !sig)
		return WEBAUTHN_MALFORMED;
	r = auth_data_read(e, auth_data, ad_len, 0, NULL, &count);
	if (r != 0)
		return r;
	r = ceremony_verify(public_key, auth_data, ad_len, client_data, cd_len, sig, sig_len);
	if (r != 0)
		return r;
	/* section 7.2.21: a counter that does not grow means two copies of the key exist;
	 * authenticators that keep no counter send 0 every time */
	if ((count != 0 || stored_count != 0) && count <= stored_count)
		return WEBAUTHN_COUNTER;
	*ret_count = count;
	return 0;
}

/* Decodes base64url member name of o into out (at most max bytes): 0, or -1 when absent or bad. */
static int json_b64(const json_t *o, const char *name, unsigned char *out, size_t max,
		    size_t *ret_len)
{
	return b64url_decode(out, max, json_text(o, name), ret_len) == 0 && *ret_len > 0 ? 0 : -1;
}

int webauthn_response_parse(const char *json, size_t len, int create, struct webauthn_response *ret)
{
	const json_t *resp;
	const char *type;
	json_t *o;
	int bad;

	o = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	if (!o)
		return WEBAUTHN_MALFORMED;
	type = json_text(o, "type");
	resp = json_object_get(o, "response");
	bad = !json_is_object(o) || !type || strcmp(type, "public-key") != 0 ||
	      !json_is_object(resp) ||
	      json_b64(o, "rawId", ret->raw_id, sizeof(ret->raw_id), &ret->raw_id_len) != 0 ||
	      json_b64(resp, "clientDataJSON", ret->client_data, sizeof(ret->client_data),
		       &ret->cd_len) != 0;
	if (!bad && create)
		bad = json_b64(resp, "attestationObject", ret->att_obj, sizeof(ret->att_obj),
			       &ret->att_len) != 0;
	else if (!bad)
		bad = json_b64(resp, "authenticatorData", ret->auth_data, sizeof(ret->auth_data),
			       &ret->ad_len) != 0 ||
		      json_b64(resp, "signature", ret->sig, sizeof(ret->sig), &ret->sig_len) != 0;
	ret->has_prf = 0;
	if (!bad && !create) {
		const json_t *prf =
			json_object_get(json_object_get(o, "clientExtensionResults"), "prf");
		const json_t *results = json_object_get(prf, "results");
		size_t n = 0;

		if (json_object_get(results, "first")) {
			bad = json_b64(results, "first", ret->prf, sizeof(ret->prf), &n) != 0 ||
			      n != WEBAUTHN_PRF_BYTES;
			ret->has_prf = !bad;
		}
	}
	json_decref(o);
	return bad ? WEBAUTHN_MALFORMED : 0;
}

const char *webauthn_strerror(int r)
{
	static const char *const names[_WEBAUTHN_RESULT_MAX] = {
		"ok",	    "malformed", "type",   "challenge", "origin",  "rp",
		"presence", "alg",	 "format", "signature", "counter",
	};

	return r >= 0 && r < _WEBAUTHN_RESULT_MAX ? names[r] : "error";
}
