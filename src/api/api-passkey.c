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
static json_t *passkey_descriptors(const struct core *c, const char *member_id)
{
	struct passkey_view *list = NULL;
	json_t *arr = json_array();
	size_t n = 0, i;

	if (!arr || passkey_list(c, member_id, NULL, &list, &n) != 0) {
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

int api_passkey_request_options(struct kreq *r, const char *member_id, json_t **ret)
{
	char origin[PASSKEY_ORIGIN_MAX], rp[256], ch[PASSKEY_CHALLENGE_B64];
	json_t *allow;
	int e;

	if (passkey_origin(r, origin, rp) < 0)
		return 1;
	e = passkey_challenge(r->core, member_id, PASSKEY_PURPOSE_GET, origin, ch);
	if (e != 0)
		return e;
	allow = passkey_descriptors(r->core, member_id);
	if (!allow)
		return -ENOMEM;
	*ret = json_pack("{s:{s:s,s:s,s:i,s:s,s:o}}", "publicKey", "challenge", ch, "rpId", rp,
			 "timeout", PASSKEY_CHALLENGE_TTL_S * 1000, "userVerification", "preferred",
			 "allowCredentials", allow);
	return *ret ? 0 : -ENOMEM;
}

int api_second_factor_due(struct kreq *r, const char *member_id)
{
	json_t *opts = NULL;
	size_t n = 0;
	int e;

	r->half_signed_in = 1;
	e = member_id && *member_id ? passkey_count(r->core, member_id, &n) : 0;
	if (e < 0)
		return e;
	/* a request from an address that is not the server's gets the code path only */
	if (n > 0 && api_passkey_request_options(r, member_id, &opts) == 0)
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
	exclude = passkey_descriptors(r->core, r->session->member_id);
	if (!exclude)
		return -ENOMEM;
	o = json_pack("{s:{s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:i}],s:i,s:s,s:{s:s,s:s},s:o}}",
		      "publicKey", "challenge", ch, "rp", "id", rp, "name", "kintsugi", "user",
		      "id", uid, "name", v.display_name, "displayName", v.display_name,
		      "pubKeyCredParams", "type", "public-key", "alg", -7, "timeout",
		      PASSKEY_CHALLENGE_TTL_S * 1000, "attestation", "none",
		      "authenticatorSelection", "residentKey", "discouraged", "userVerification",
		      "preferred", "excludeCredentials", exclude);
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

/* GET /api/v1/passkeys: 200 {passkeys: [{id, name, created_at, last_used_at}]}. */
int api_passkey_list(struct kreq *r)
{
	struct passkey_view *list = NULL;
	json_t *arr, *o;
	size_t n = 0, i;
	int e;

	e = passkey_list(r->core, r->session->member_id, r->session->mk, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	arr = json_array();
	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(
			    arr,
			    json_pack("{s:s,s:s,s:s,s:s?}", "id", list[i].id, "name", list[i].name,
				      "created_at", list[i].created_at, "last_used_at",
				      list[i].last_used_at[0] ? list[i].last_used_at : NULL)) < 0) {
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
	int e = passkey_count(r->core, r->session->member_id, &n);

	if (e != 0)
		return e;
	if (n == 0)
		return api_error(r, 409, "second_factor_off");
	e = api_passkey_request_options(r, r->session->member_id, &opts);
	if (e > 0)
		return api_error(r, 400, "unknown_host");
	if (e != 0)
		return e;
	return api_reply(r, 200, opts);
}
