/*
 * api-passkey.c: passkeys under /api/v1/passkeys (API.md, "Second factor
 * and the recovery key"): the options of a registration and of an
 * assertion, as PublicKeyCredentialCreationOptions and
 * PublicKeyCredentialRequestOptions serialise to JSON (WebAuthn Level 3,
 * section 5.1.8: binary members as base64url), a registration's result,
 * the list and a removal.  An assertion is not a route of its own: it is
 * an answer to the second factor, sent as `passkey` wherever `totp` is
 * taken (sign-in, recovery, password, recovery key, turning factors off).
 *
 * The origin of every ceremony is the server's trusted origin of the
 * request (kreq_invite_base_url(): the public URL, or a Host that is the
 * server's own), stored with the challenge; a request from any other
 * address gets 400 unknown_host and no challenge.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/account.h"
#include "vault/vault.h"

/* The trusted origin and its RP id; -1 when the request has none. */
static int passkey_origin(const struct kreq *r, char origin[PASSKEY_ORIGIN_MAX], char rp[256])
{
	if (kreq_invite_base_url(r, origin, PASSKEY_ORIGIN_MAX) < 0)
		return -1;
	return passkey_rp_id(origin, rp, 256) == 0 ? 0 : -1;
}

/* [{type: "public-key", id}] of member_id's credentials (NULL on failure). */
static json_t *passkey_descriptors(const struct core *c, const char *couple_id,
				   const char *member_id)
{
	struct passkey_view *list = NULL;
	json_t *arr = json_array();
	size_t n = 0, i;

	if (!arr || passkey_list(c, couple_id, member_id, NULL, &list, &n) != 0) {
		json_decref(arr);
		return NULL;
	}
	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:s,s:s}", "type", "public-key", "id",
							 list[i].credential_id)) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	free(list);
	return arr;
}

int api_passkey_request_options(struct kreq *r, const char *couple_id, const char *member_id,
				json_t **ret)
{
	char origin[PASSKEY_ORIGIN_MAX], rp[256], ch[PASSKEY_CHALLENGE_B64];
	json_t *allow;
	int e;

	if (passkey_origin(r, origin, rp) < 0)
		return 1;
	e = passkey_challenge(r->core, couple_id, member_id, PASSKEY_PURPOSE_GET, origin, ch);
	if (e != 0)
		return e;
	allow = passkey_descriptors(r->core, couple_id, member_id);
	if (!allow)
		return -ENOMEM;
	*ret = json_pack("{s:{s:s,s:s,s:i,s:s,s:o}}", "publicKey", "challenge", ch, "rpId", rp,
			 "timeout", PASSKEY_CHALLENGE_TTL_S * 1000, "userVerification", "preferred",
			 "allowCredentials", allow);
	return *ret ? 0 : -ENOMEM;
}

int api_second_factor_due(struct kreq *r, const char *couple_id, const char *member_id)
{
	json_t *opts = NULL;
	size_t n = 0;
	int e;

	r->half_signed_in = 1;
	e = member_id && *member_id ? passkey_count(r->core, couple_id, member_id, &n) : 0;
	if (e < 0)
		return e;
	/* a request from an address that is not the server's gets the code path only */
	if (n > 0 && api_passkey_request_options(r, couple_id, member_id, &opts) == 0)
		return api_error_with(r, 401, "second_factor_required", "passkey", opts);
	return api_error(r, 401, "second_factor_required");
}

/* POST /api/v1/passkeys/registration-options {password}: 200 {publicKey}. */
int api_passkey_options(struct kreq *r)
{
	char origin[PASSKEY_ORIGIN_MAX], rp[256], ch[PASSKEY_CHALLENGE_B64], uid[32];
	const char *pw = kreq_str(r, "password");
	unsigned char id[VAULT_ID_HEX / 2];
	struct account_guard g;
	struct member_view v;
	json_t *exclude, *o;
	int e;

	if (passkey_origin(r, origin, rp) < 0)
		return api_error(r, 400, "unknown_host");
	kreq_account_guard(r, &g);
	e = account_passkey_begin(r->core, r->session, &g, pw, strlen(pw), origin, ch);
	if (e != 0)
		return api_account_outcome(r, e, &g);
	e = account_describe(r->core, r->session, &v);
	if (e != 0)
		return e < 0 ? e : -EIO;
	/* the user handle is the member id's bytes: no login, nothing personal */
	if (vault_unhex(id, sizeof(id), r->session->member_id, VAULT_ID_HEX) != 0)
		return -EINVAL;
	sodium_bin2base64(uid, sizeof(uid), id, sizeof(id),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	exclude = passkey_descriptors(r->core, r->session->couple_id, r->session->member_id);
	if (!exclude)
		return -ENOMEM;
	/*
	 * A passkey the device keeps ("preferred": a security key that cannot
	 * may still be one) and the PRF asked for, so that it may later sign in
	 * alone: the browser offers it with no account named, and its PRF
	 * output opens MK.
	 */
	o = json_pack("{s:{s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:i}],s:i,s:s,s:{s:s,s:s},s:o,"
		      "s:{s:{}}}}",
		      "publicKey", "challenge", ch, "rp", "id", rp, "name", "kintsugi", "user",
		      "id", uid, "name", v.display_name, "displayName", v.display_name,
		      "pubKeyCredParams", "type", "public-key", "alg", -7, "timeout",
		      PASSKEY_CHALLENGE_TTL_S * 1000, "attestation", "none",
		      "authenticatorSelection", "residentKey", "preferred", "userVerification",
		      "preferred", "excludeCredentials", exclude, "extensions", "prf");
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* POST /api/v1/passkeys {name, credential}: 201 {id, name}; other sessions end. */
int api_passkey_add(struct kreq *r)
{
	const char *name = kreq_str(r, "name");
	int e = account_passkey_add(r->core, r->session, name, kreq_str(r, "credential"));

	if (e != 0)
		return api_outcome(r, e);
	return api_passkey_list(r);
}

/* {id, name, created_at, last_used_at, signs_in} of one passkey. */
static json_t *passkey_json(const struct passkey_view *v)
{
	return json_pack("{s:s,s:s,s:s,s:s?,s:b}", "id", v->id, "name", v->name, "created_at",
			 v->created_at, "last_used_at", v->last_used_at[0] ? v->last_used_at : NULL,
			 "signs_in", v->signs_in);
}

/* GET /api/v1/passkeys: 200 {passkeys: [{id, name, created_at, last_used_at, signs_in}]}. */
int api_passkey_list(struct kreq *r)
{
	struct passkey_view *list = NULL;
	json_t *arr, *o;
	size_t n = 0, i;
	int e;

	e = passkey_list(r->core, r->session->couple_id, r->session->member_id, r->session->mk,
			 &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	arr = json_array();
	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, passkey_json(&list[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	free(list);
	o = arr ? json_pack("{s:o}", "passkeys", arr) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, r->method == KMETHOD_POST ? 201 : 200, o);
}

/* DELETE /api/v1/passkeys/{id} {password, totp | passkey}: 204. */
int api_passkey_delete(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	int e;

	kreq_account_guard(r, &g);
	e = account_passkey_remove(r->core, r->session, &g, pw, strlen(pw), kreq_answer(r, "totp"),
				   r->params[0]);
	if (e != 0)
		return api_account_outcome(r, e, &g);
	return api_reply(r, 204, NULL);
}

/* POST /api/v1/passkeys/assertion-options: 200 {publicKey}, for a check behind the session. */
int api_passkey_assertion(struct kreq *r)
{
	json_t *opts = NULL;
	size_t n = 0;
	int e = passkey_count(r->core, r->session->couple_id, r->session->member_id, &n);

	if (e != 0)
		return e;
	if (n == 0)
		return api_error(r, 409, "second_factor_off");
	e = api_passkey_request_options(r, r->session->couple_id, r->session->member_id, &opts);
	if (e > 0)
		return api_error(r, 400, "unknown_host");
	if (e != 0)
		return e;
	return api_reply(r, 200, opts);
}

/* ---- a passkey that signs in alone (migration 0016) ---- */

/* {publicKey} of an assertion that must verify the user and ask the PRF, challenge ch. */
static json_t *signin_request(const char *ch, const char *rp, json_t *allow)
{
	char salt[PASSKEY_CHALLENGE_B64];

	passkey_prf_salt(salt);
	if (!allow)
		return NULL;
	return json_pack("{s:{s:s,s:s,s:i,s:s,s:o,s:{s:{s:{s:s}}}}}", "publicKey", "challenge", ch,
			 "rpId", rp, "timeout", PASSKEY_CHALLENGE_TTL_S * 1000, "userVerification",
			 "required", "allowCredentials", allow, "extensions", "prf", "eval",
			 "first", salt);
}

/*
 * POST /api/v1/passkeys/signin-options: 200 {publicKey} for a sign-in by
 * passkey alone; no credential is named (the browser offers the member's
 * own), so the answer tells nothing of who has an account.
 */
int api_passkey_signin_options(struct kreq *r)
{
	char origin[PASSKEY_ORIGIN_MAX], rp[256], ch[PASSKEY_CHALLENGE_B64];
	json_t *o;
	int e;

	if (passkey_origin(r, origin, rp) < 0)
		return api_error(r, 400, "unknown_host");
	e = passkey_signin_challenge(r->core, origin, r->client_ip, ch);
	if (e == PASSKEY_FULL) {
		r->retry_after = PASSKEY_CHALLENGE_TTL_S;
		return api_error(r, 429, "busy");
	}
	if (e != 0)
		return e < 0 ? e : -EIO;
	o = signin_request(ch, rp, json_array());
	return o ? api_reply(r, 200, o) : -ENOMEM;
}

/* POST /api/v1/passkeys/signin {credential}: 200 {member, couple, csrf_token}, as /login. */
int api_passkey_signin(struct kreq *r)
{
	struct account_signin in;
	int e;

	memset(&in, 0, sizeof(in));
	e = account_passkey_login(r->core, kreq_str(r, "credential"), &in, r->session_buf);
	if (e != 0)
		return api_outcome(r, e);
	return api_signed_in_reply(r, 200, &in);
}

/* The member's passkey id as they see it, or NULL (none, or no memory: *e says). */
static json_t *passkey_one(struct kreq *r, const char *id, int *e)
{
	struct passkey_view *list = NULL;
	json_t *o = NULL;
	size_t n = 0, i;

	*e = passkey_list(r->core, r->session->couple_id, r->session->member_id, r->session->mk,
			  &list, &n);
	for (i = 0; *e == 0 && i < n; i++)
		if (strcmp(list[i].id, id) == 0) {
			o = passkey_json(&list[i]);
			*e = o ? 0 : -ENOMEM;
			break;
		}
	if (*e == 0 && i == n)
		*e = ACCOUNT_NOT_FOUND;
	free(list);
	return o;
}

/*
 * POST /api/v1/passkeys/{id}/signin-options: 200 {publicKey}, an assertion
 * by that passkey alone, with the user verified and the PRF asked: the
 * answer turns its sign-in on (PUT .../signin).
 */
int api_passkey_signin_begin(struct kreq *r)
{
	char origin[PASSKEY_ORIGIN_MAX], rp[256], ch[PASSKEY_CHALLENGE_B64];
	struct passkey_view *list = NULL;
	json_t *allow = NULL, *o;
	size_t n = 0, i;
	int e;

	if (passkey_origin(r, origin, rp) < 0)
		return api_error(r, 400, "unknown_host");
	e = passkey_list(r->core, r->session->couple_id, r->session->member_id, NULL, &list, &n);
	for (i = 0; e == 0 && i < n; i++)
		if (strcmp(list[i].id, r->params[0]) == 0) {
			allow = json_pack("[{s:s,s:s}]", "type", "public-key", "id",
					  list[i].credential_id);
			break;
		}
	free(list);
	if (e != 0)
		return e < 0 ? e : -EIO;
	if (i == n)
		return api_outcome(r, ACCOUNT_NOT_FOUND);
	e = passkey_challenge(r->core, r->session->couple_id, r->session->member_id,
			      PASSKEY_PURPOSE_GET, origin, ch);
	if (e != 0) {
		json_decref(allow);
		return e < 0 ? e : -EIO;
	}
	o = signin_request(ch, rp, allow);
	return o ? api_reply(r, 200, o) : -ENOMEM;
}

/* PUT /api/v1/passkeys/{id}/signin {credential}: 200 {passkey} with signs_in true. */
int api_passkey_signin_on(struct kreq *r)
{
	json_t *one;
	int e = account_passkey_signin_on(r->core, r->session, r->params[0],
					  kreq_str(r, "credential"));

	if (e != 0)
		return api_outcome(r, e);
	one = passkey_one(r, r->params[0], &e);
	if (!one)
		return e > 0 ? api_outcome(r, e) : e;
	return api_reply(r, 200, json_pack("{s:o}", "passkey", one));
}

/* DELETE /api/v1/passkeys/{id}/signin: 204; that passkey no longer signs in alone. */
int api_passkey_signin_off(struct kreq *r)
{
	int e = account_passkey_signin_off(r->core, r->session, r->params[0]);

	if (e != 0)
		return api_outcome(r, e);
	return api_reply(r, 204, NULL);
}
