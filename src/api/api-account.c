/*
 * api-account.c: sign-up, sign-in, sign-out, the member, invites, joining,
 * password change, recovery and account deletion (API.md, "Accounts and
 * pairing").
 *
 * A new password that breaks a rule of core/password.h is a 400:
 * too_short (in characters), too_long (in bytes), or invalid_value for a
 * common password or one holding the login or the app's name, each with a
 * sentence that says which rule.  The password checks behind a session
 * count their failures with the sign-in throttle and answer 429
 * rate_limited with Retry-After past its limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "kconfig.h"
#include "core/account.h"
#include "i18n/i18n.h"
#include "vault/vault.h"

/* {"error": {code, message}} with a message of our own. */
static int api_error_message(struct kreq *r, int status, const char *code, const char *message)
{
	json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);

	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/*
 * Answers an account_*() outcome: the password rules and the re-check
 * throttle (g, may be NULL) here, the rest through api_outcome().
 */
int api_account_outcome(struct kreq *r, int outcome, const struct account_guard *g)
{
	switch (outcome) {
	case ACCOUNT_PASSWORD_TOO_SHORT:
		return api_error_message(r, 400, INPUT_TOO_SHORT,
					 account_password_message(outcome));
	case ACCOUNT_PASSWORD_TOO_LONG:
		return api_error_message(r, 400, INPUT_TOO_LONG, account_password_message(outcome));
	case ACCOUNT_PASSWORD_COMMON:
	case ACCOUNT_PASSWORD_HAS_LOGIN:
	case ACCOUNT_PASSWORD_HAS_NAME:
		return api_error_message(r, 400, INPUT_INVALID_VALUE,
					 account_password_message(outcome));
	case ACCOUNT_RATE_LIMITED:
		r->retry_after = g && g->retry_after_s > 0 ? g->retry_after_s : 1;
		return api_error(r, 429, "rate_limited");
	default:
		return api_outcome(r, outcome);
	}
}

/*
 * {member, couple, csrf_token[, recovery_key]} for a session just started.
 * When the request came with a live session, the new cookie replaces it in
 * this client, so that session ends (ASVS 7.2.4).
 */
int api_signed_in_reply(struct kreq *r, int status, struct account_signin *in)
{
	struct member_view v;
	json_t *o;
	int e;

	if (r->session && r->session != r->session_buf) {
		e = session_supersede(r->core, r->session);
		if (e < 0) {
			vault_wipe(in, sizeof(*in));
			return e;
		}
	}
	r->session = r->session_buf;
	r->set_cookie = strdup(in->cookie);
	vault_wipe(in->cookie, sizeof(in->cookie));
	if (!r->set_cookie)
		return -ENOMEM;
	e = account_describe(r->core, r->session, &v);
	if (e != 0)
		return e < 0 ? e : -EIO;
	r->lang = r->session->language;
	o = json_pack("{s:o,s:o,s:s}", "member", api_json_member(&v), "couple", api_json_couple(&v),
		      "csrf_token", session_csrf_token(r->session));
	if (!o)
		return -ENOMEM;
	if (in->recovery_key[0] &&
	    json_object_set_new(o, "recovery_key", json_string(in->recovery_key)) < 0) {
		json_decref(o);
		return -ENOMEM;
	}
	vault_wipe(in->recovery_key, sizeof(in->recovery_key));
	return api_reply(r, status, o);
}

static void account_new_from(const struct kreq *r, struct account_new *n)
{
	n->login = kreq_str(r, "login");
	n->password = kreq_str(r, "password");
	n->password_len = strlen(n->password);
	n->display_name = kreq_str(r, "display_name");
	n->language = kreq_str(r, "language");
}

int api_signup(struct kreq *r)
{
	struct account_new n;
	struct account_signin in;
	int e;

	account_new_from(r, &n);
	e = account_signup(r->core, &n, &in, r->session_buf);
	if (e != 0)
		return api_account_outcome(r, e, NULL);
	return api_signed_in_reply(r, 201, &in);
}

int api_login(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_signin in;
	int e;

	memset(&in, 0, sizeof(in));
	e = account_login(r->core, kreq_str(r, "login"), pw, strlen(pw), kreq_answer(r, "totp"),
			  &in, r->session_buf);
	if (e == ACCOUNT_SECOND_FACTOR_REQUIRED)
		return api_second_factor_due(r, in.factor_couple, in.factor_member);
	if (e != 0)
		return api_outcome(r, e);
	return api_signed_in_reply(r, 200, &in);
}

int api_join(struct kreq *r)
{
	struct account_new n;
	struct account_signin in;
	int e;

	account_new_from(r, &n);
	e = account_join(r->core, kreq_str(r, "token"), &n, &in, r->session_buf);
	if (e != 0)
		return api_account_outcome(r, e, NULL);
	return api_signed_in_reply(r, 201, &in);
}

int api_recover(struct kreq *r)
{
	const char *pw = kreq_str(r, "new_password");
	struct account_signin in;
	int e;

	memset(&in, 0, sizeof(in));
	e = account_recover(r->core, kreq_str(r, "login"), kreq_str(r, "recovery_key"),
			    kreq_answer(r, "totp"), pw, strlen(pw), &in, r->session_buf);
	if (e == ACCOUNT_SECOND_FACTOR_REQUIRED)
		return api_second_factor_due(r, in.factor_couple, in.factor_member);
	if (e != 0)
		return api_account_outcome(r, e, NULL);
	return api_signed_in_reply(r, 200, &in);
}

/*
 * POST /api/v1/logout: every session of the member ends server-side
 * (session_end()); from a locked session only that one, since whoever
 * holds it has not shown the password.
 */
int api_logout(struct kreq *r)
{
	int e = r->session->locked ? session_supersede(r->core, r->session)
				   : session_end(r->core, r->session);

	if (e < 0)
		return e;
	r->set_cookie = strdup("");
	return api_reply(r, 204, NULL);
}

/*
 * The member as API.md gives it, and, for the member's own eyes only
 * (GET and PUT /api/v1/me), their choices of discreet mode and auto-lock.
 */
static json_t *api_json_me(const struct kreq *r, const struct member_view *v)
{
	json_t *m = api_json_member(v);

	if (m && (json_object_set_new(m, "discreet", json_boolean(r->session->discreet)) < 0 ||
		  json_object_set_new(m, "autolock_minutes",
				      json_integer(r->session->autolock_minutes)) < 0)) {
		json_decref(m);
		return NULL;
	}
	return m;
}

int api_me_get(struct kreq *r)
{
	struct member_view v;
	json_t *o;
	int e = account_describe(r->core, r->session, &v);

	if (e != 0)
		return e < 0 ? e : -EIO;
	o = json_pack("{s:o,s:o,s:s}", "member", api_json_me(r, &v), "couple", api_json_couple(&v),
		      "csrf_token", session_csrf_token(r->session));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/*
 * PUT /api/v1/me {display_name?, language?, discreet?, autolock_minutes?}:
 * 200 {member}; an idle time not among 0, 1, 5, 15, 60 is 400
 * invalid_value and changes nothing.
 */
int api_me_put(struct kreq *r)
{
	struct input_error bad = {.code = INPUT_INVALID_VALUE, .field = "autolock_minutes"};
	struct account_profile p = {kreq_str(r, "display_name"), kreq_str(r, "language"), -1, -1};
	json_t *v = json_object_get(r->json, "discreet");
	struct member_view mv;
	int e;

	if (v)
		p.discreet = json_is_true(v);
	v = json_object_get(r->json, "autolock_minutes");
	if (v)
		p.autolock_minutes = (int)json_integer_value(v);
	e = account_set_profile(r->core, r->session, &p);
	if (e == ACCOUNT_AUTOLOCK_INVALID)
		return api_error_input(r, &bad);
	if (e != 0)
		return e < 0 ? e : -EIO;
	r->lang = r->session->language;
	i18n_set_thread_lang(r->lang);
	e = account_describe(r->core, r->session, &mv);
	if (e != 0)
		return e < 0 ? e : -EIO;
	return api_reply_one(r, 200, "member", api_json_me(r, &mv));
}

/*
 * POST /api/v1/unlock {password}: 204, and the session serves again; a
 * wrong password is 401 wrong_password, counted as a failed sign-in (429
 * rate_limited with Retry-After past the limits).
 */
int api_unlock(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	int e;

	kreq_account_guard(r, &g);
	e = account_unlock_session(r->core, r->session, &g, pw, strlen(pw));
	if (e == ACCOUNT_WRONG_PASSWORD)
		return api_error(r, 401, "wrong_password");
	if (e == ACCOUNT_SESSION_GONE)
		return api_error(r, 401, "not_signed_in");
	if (e != 0)
		return api_account_outcome(r, e, &g);
	return api_reply(r, 204, NULL);
}

int api_me_delete(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	int e;

	kreq_account_guard(r, &g);
	e = account_delete(r->core, r->session, &g, pw, strlen(pw));
	if (e == ACCOUNT_WRONG_PASSWORD) /* as a sign-in's: the account is at stake */
		return api_error(r, 401, "wrong_password");
	if (e != 0)
		return api_account_outcome(r, e, &g);
	r->set_cookie = strdup("");
	return api_reply(r, 204, NULL);
}

/*
 * POST /api/v1/couple/leave {password}: the caller leaves the couple alone
 * (core/account.h account_leave()); 200 {couple}, their own new one.  The
 * same cookie goes on: its session now holds the new couple's key.
 */
int api_couple_leave(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	struct member_view v;
	json_t *o;
	int e;

	kreq_account_guard(r, &g);
	e = account_leave(r->core, r->session, &g, pw, strlen(pw));
	if (e == ACCOUNT_WRONG_PASSWORD)
		return api_error(r, 401, "wrong_password");
	if (e != 0)
		return api_account_outcome(r, e, &g);
	e = account_describe(r->core, r->session, &v);
	if (e != 0)
		return e < 0 ? e : -EIO;
	o = json_pack("{s:o}", "couple", api_json_couple(&v));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

int api_invites(struct kreq *r)
{
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1], base[600], url[1024];
	json_t *o;
	int e;

	/* first, so that no invite is made that no link could carry */
	if (kreq_invite_base_url(r, base, sizeof(base)) < 0)
		return api_error(r, 400, "unknown_host");
	e = account_invite(r->core, r->session, token);
	if (e != 0)
		return api_outcome(r, e);
	snprintf(url, sizeof(url), "%s/join?invite=%s", base, token);
	o = json_pack("{s:s,s:s}", "token", token, "url", url);
	vault_wipe(token, sizeof(token));
	vault_wipe(url, sizeof(url));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

/*
 * POST /api/v1/recovery-key {recovery_key} or {totp}: a new recovery key,
 * given the current one or a current code of the second factor (a body
 * with both needs both right); a body with neither is 400 missing_field.
 */
int api_recovery_key(struct kreq *r)
{
	char key[VAULT_RECOVERY_CHARS + 1];
	const char *current = kreq_str(r, "recovery_key");
	const char *code = kreq_answer(r, "totp");
	struct input_error missing = {.code = INPUT_MISSING_FIELD, .field = "recovery_key"};
	struct account_guard g;
	json_t *o;
	int e;

	if (current && !*current)
		current = NULL;
	if (code && !*code)
		code = NULL;
	if (!current && !code)
		return api_error_input(r, &missing);
	memset(key, 0, sizeof(key));
	kreq_account_guard(r, &g);
	e = account_new_recovery(r->core, r->session, &g, current, code, key);
	if (e != 0)
		return api_account_outcome(r, e, &g);
	o = json_pack("{s:s}", "recovery_key", key);
	vault_wipe(key, sizeof(key));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

int api_password(struct kreq *r)
{
	const char *old_pw = kreq_str(r, "old_password");
	const char *new_pw = kreq_str(r, "new_password");
	struct account_guard g;
	int e;

	kreq_account_guard(r, &g);
	e = account_change_password(r->core, r->session, &g, old_pw, strlen(old_pw),
				    kreq_answer(r, "totp"), new_pw, strlen(new_pw));
	if (e != 0)
		return api_account_outcome(r, e, &g);
	return api_reply(r, 204, NULL);
}

/* POST /api/v1/totp {password}: 201 {secret, uri}, pending until confirmed. */
int api_totp_begin(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct factor_setup setup;
	struct account_guard g;
	json_t *o;
	int e;

	kreq_account_guard(r, &g);
	e = account_totp_begin(r->core, r->session, &g, pw, strlen(pw), &setup);
	if (e != 0)
		return api_account_outcome(r, e, &g);
	o = json_pack("{s:s,s:s}", "secret", setup.secret, "uri", setup.uri);
	vault_wipe(&setup, sizeof(setup));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

/* POST /api/v1/totp/confirm {code}: 200 {recovery_codes}, shown this once; TOTP is on. */
int api_totp_confirm(struct kreq *r)
{
	struct factor_codes codes;
	json_t *o, *list;
	size_t i;
	int e;

	e = account_totp_confirm(r->core, r->session, kreq_str(r, "code"), &codes);
	if (e != 0)
		return api_account_outcome(r, e, NULL);
	list = json_array();
	for (i = 0; list && i < FACTOR_RECOVERY_CODES; i++)
		if (json_array_append_new(list, json_string(codes.code[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	vault_wipe(&codes, sizeof(codes));
	o = list ? json_pack("{s:o}", "recovery_codes", list) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* DELETE /api/v1/totp {password, code}: 204; TOTP and the recovery codes are gone. */
int api_totp_delete(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	const char *answer = kreq_answer(r, "code");
	struct input_error missing = {.code = INPUT_MISSING_FIELD, .field = "code"};
	struct account_guard g;
	int e;

	/* a code, or a passkey's answer in its place: one of them */
	if (!answer || !*answer)
		return api_error_input(r, &missing);
	kreq_account_guard(r, &g);
	e = account_totp_remove(r->core, r->session, &g, pw, strlen(pw), answer);
	if (e != 0)
		return api_account_outcome(r, e, &g);
	return api_reply(r, 204, NULL);
}
