/*
 * webauthn.h: checking what a passkey (W3C WebAuthn Level 2) hands back,
 * with no I/O and no storage: a registration (the attestation object and
 * the client data of navigator.credentials.create()) and an assertion
 * (authenticator data, client data and signature of .get()).
 *
 * Only ES256 is taken: an EC2 COSE_Key on P-256 with alg -7 (RFC 8152,
 * RFC 9053), every authenticator offers it.  Attestation "none", and
 * "packed" self-attestation (no certificate: the credential signs its own
 * registration); any other format is refused with WEBAUTHN_FORMAT, since
 * the server asks for "none" and trusts no vendor's certificate anyway.
 *
 * Libraries: CBOR is read with libcbor (Debian's libcbor-dev), with the
 * strictness WebAuthn needs on top (definite lengths, no repeated key, no
 * trailing byte); the ECDSA P-256 check is nettle's hogweed (ecdsa.h over
 * GMP), which the vault already uses for HMAC-SHA1; SHA-256 and base64url
 * are libsodium's; the client data is JSON, read with jansson.
 *
 * Return values: 0, a positive WEBAUTHN_* saying which check refused, or
 * a negative errno (-ENOMEM).  Nothing here logs.
 */
#ifndef KINTSUGI_VAULT_WEBAUTHN_H
#define KINTSUGI_VAULT_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#define WEBAUTHN_CHALLENGE_BYTES 32   /* WebAuthn section 13.4.3: at least 16 */
#define WEBAUTHN_CRED_ID_MAX	 255  /* CTAP2 authenticators stay far below WebAuthn's 1023 */
#define WEBAUTHN_PK_BYTES	 65   /* an uncompressed P-256 point: 0x04 || x || y */
#define WEBAUTHN_CLIENT_DATA_MAX 2048 /* clientDataJSON: a few short members */
#define WEBAUTHN_AUTH_DATA_MAX	 1024 /* authenticatorData with a credential and extensions */
#define WEBAUTHN_ATT_OBJ_MAX	 4096 /* attestationObject: authData and a self-signature */
#define WEBAUTHN_SIG_MAX	 72   /* a DER ECDSA P-256 signature */
#define WEBAUTHN_RP_HASH_BYTES	 32
#define WEBAUTHN_PRF_BYTES	 32 /* the PRF extension's output (hmac-secret: HMAC-SHA-256) */

/* authenticatorData flags (WebAuthn section 6.1) */
#define WEBAUTHN_FLAG_UP 0x01u /* user present */
#define WEBAUTHN_FLAG_UV 0x04u /* user verified */
#define WEBAUTHN_FLAG_AT 0x40u /* attested credential data included */
#define WEBAUTHN_FLAG_ED 0x80u /* extension data included */

enum webauthn_result {
	WEBAUTHN_OK = 0,
	WEBAUTHN_MALFORMED = 1, /* not what the spec says it is, or trailing bytes */
	WEBAUTHN_TYPE = 2,	/* clientData type is not webauthn.create / webauthn.get */
	WEBAUTHN_CHALLENGE = 3, /* not the challenge the server gave */
	WEBAUTHN_ORIGIN = 4,	/* not the server's origin, or a cross-origin frame */
	WEBAUTHN_RP = 5,	/* rpIdHash is not SHA-256 of the server's RP id */
	WEBAUTHN_PRESENCE = 6,	/* the user-present flag (or a required UV) is off */
	WEBAUTHN_ALG = 7,	/* a key that is not ES256 on P-256 */
	WEBAUTHN_FORMAT = 8,	/* an attestation format other than none or packed self */
	WEBAUTHN_SIGNATURE = 9, /* the signature does not verify */
	WEBAUTHN_COUNTER = 10,	/* signCount did not grow (a cloned authenticator) */
	_WEBAUTHN_RESULT_MAX
};

/* What the server expects of a ceremony; every pointer must be non-NULL. */
struct webauthn_expect {
	const unsigned char *challenge; /* WEBAUTHN_CHALLENGE_BYTES, as the server issued it */
	const char *origin;		/* "https://example.org[:port]", exactly */
	const char *rp_id;		/* the origin's host: "example.org" */
	int require_uv;			/* 1: the UV flag must be set too */
};

/* A credential as registration finds it. */
struct webauthn_credential {
	unsigned char id[WEBAUTHN_CRED_ID_MAX];
	size_t id_len;
	unsigned char public_key[WEBAUTHN_PK_BYTES];
	uint32_t sign_count;
};

/*
 * webauthn_client_challenge() - the challenge that clientDataJSON (len
 * bytes) names, decoded, into out: the key by which the server finds the
 * challenge it issued.  0 or WEBAUTHN_MALFORMED (it is not JSON, has no
 * challenge, or that is not WEBAUTHN_CHALLENGE_BYTES of base64url).
 */
int webauthn_client_challenge(const unsigned char *client_data, size_t len,
			      unsigned char out[WEBAUTHN_CHALLENGE_BYTES]);

/*
 * webauthn_register() - checks a registration (WebAuthn section 7.1):
 * clientDataJSON of type webauthn.create with e's challenge and origin,
 * and the attestation object: fmt "none" (empty attStmt) or "packed"
 * without x5c (alg -7, signed by the new credential), authData with e's
 * rpIdHash, UP (and UV when required), attested credential data holding
 * an ES256 P-256 key.  0 with the credential in *ret; ret is not written
 * on failure.
 */
int webauthn_register(const struct webauthn_expect *e, const unsigned char *client_data,
		      size_t cd_len, const unsigned char *att_obj, size_t att_len,
		      struct webauthn_credential *ret);

/*
 * webauthn_assert() - checks an assertion (WebAuthn section 7.2) by the
 * credential whose key is public_key and whose stored counter is
 * stored_count: clientDataJSON of type webauthn.get with e's challenge and
 * origin, authData (exactly 37 bytes, or more with extensions) with e's
 * rpIdHash and UP (UV when required), and the DER signature over
 * authData || SHA-256(clientDataJSON).  A counter that is not zero must be
 * greater than stored_count (WEBAUTHN_COUNTER); 0 with the new counter in
 * *ret_count.
 */
int webauthn_assert(const struct webauthn_expect *e,
		    const unsigned char public_key[WEBAUTHN_PK_BYTES], uint32_t stored_count,
		    const unsigned char *client_data, size_t cd_len, const unsigned char *auth_data,
		    size_t ad_len, const unsigned char *sig, size_t sig_len, uint32_t *ret_count);

/* An authenticator's answer as PublicKeyCredential.toJSON() writes it, decoded. */
struct webauthn_response {
	unsigned char raw_id[WEBAUTHN_CRED_ID_MAX]; /* rawId */
	size_t raw_id_len;
	unsigned char client_data[WEBAUTHN_CLIENT_DATA_MAX]; /* response.clientDataJSON */
	size_t cd_len;
	unsigned char att_obj[WEBAUTHN_ATT_OBJ_MAX]; /* response.attestationObject (create) */
	size_t att_len;
	unsigned char auth_data[WEBAUTHN_AUTH_DATA_MAX]; /* response.authenticatorData (get) */
	size_t ad_len;
	unsigned char sig[WEBAUTHN_SIG_MAX]; /* response.signature (get) */
	size_t sig_len;
	/* clientExtensionResults.prf.results.first (get), when there: the PRF's output */
	unsigned char prf[WEBAUTHN_PRF_BYTES];
	int has_prf;
};

/*
 * webauthn_response_parse() - json (len bytes): {type: "public-key", rawId,
 * response: {clientDataJSON, and attestationObject (create 1) or
 * authenticatorData and signature (create 0)}}, each base64url, unpadded,
 * within the limits above, and for an assertion the PRF extension's output
 * (clientExtensionResults.prf.results.first: WEBAUTHN_PRF_BYTES of
 * base64url) when it is there; other members are ignored.  0 or
 * WEBAUTHN_MALFORMED.
 */
int webauthn_response_parse(const char *json, size_t len, int create,
			    struct webauthn_response *ret);

/* webauthn_strerror() - a short English name of a WEBAUTHN_* outcome, for tests. */
const char *webauthn_strerror(int r);

#endif
