/*
 * api-account.c: sign-up, sign-in, sign-out, the member, invites, joining,
 * password change, recovery and account deletion (API.md, "Accounts and
 * pairing").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/account.h"
#include "vault/vault.h"

/* {member, couple, csrf_token[, recovery_key]} for a session just started. */
static int api_signed_in(struct kreq *r, int status, struct account_signin *in)
{
	struct member_view v;
	json_t *o;
	int e;

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
		      "csrf_token", r->session->csrf);
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
		return api_outcome(r, e);
	return api_signed_in(r, 201, &in);
}

int api_login(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_signin in;
	int e;

	e = account_login(r->core, kreq_str(r, "login"), pw, strlen(pw), &in, r->session_buf);
	if (e != 0)
		return api_outcome(r, e);
	return api_signed_in(r, 200, &in);
}

int api_join(struct kreq *r)
{
	struct account_new n;
	struct account_signin in;
	int e;

	account_new_from(r, &n);
	e = account_join(r->core, kreq_str(r, "token"), &n, &in, r->session_buf);
	if (e != 0)
		return api_outcome(r, e);
	return api_signed_in(r, 201, &in);
}

int api_recover(struct kreq *r)
{
	const char *pw = kreq_str(r, "new_password");
	struct account_signin in;
	int e;

	e = account_recover(r->core, kreq_str(r, "login"), kreq_str(r, "recovery_key"), pw,
			    strlen(pw), &in, r->session_buf);
	if (e != 0)
		return api_outcome(r, e);
	return api_signed_in(r, 200, &in);
}

/* POST /api/v1/logout: every session of the member ends server-side (session_end()). */
int api_logout(struct kreq *r)
{
	int e = session_end(r->core, r->session);

	if (e < 0)
		return e;
	r->set_cookie = strdup("");
	return api_reply(r, 204, NULL);
}

int api_me_get(struct kreq *r)
{
	struct member_view v;
	json_t *o;
	int e = account_describe(r->core, r->session, &v);

	if (e != 0)
		return e < 0 ? e : -EIO;
	o = json_pack("{s:o,s:o,s:s}", "member", api_json_member(&v), "couple", api_json_couple(&v),
		      "csrf_token", r->session->csrf);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

int api_me_delete(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	int e = account_delete(r->core, r->session, pw, strlen(pw));

	if (e != 0)
		return api_outcome(r, e);
	r->set_cookie = strdup("");
	return api_reply(r, 204, NULL);
}

int api_invites(struct kreq *r)
{
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1], base[600], url[1024];
	json_t *o;
	int e = account_invite(r->core, r->session, token);

	if (e != 0)
		return api_outcome(r, e);
	if (kreq_base_url(r, base, sizeof(base)) < 0)
		return -EINVAL;
	snprintf(url, sizeof(url), "%s/join?invite=%s", base, token);
	o = json_pack("{s:s,s:s}", "token", token, "url", url);
	vault_wipe(token, sizeof(token));
	vault_wipe(url, sizeof(url));
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

int api_password(struct kreq *r)
{
	const char *old_pw = kreq_str(r, "old_password");
	const char *new_pw = kreq_str(r, "new_password");
	int e = account_change_password(r->core, r->session, old_pw, strlen(old_pw), new_pw,
					strlen(new_pw));

	if (e != 0)
		return api_outcome(r, e);
	return api_reply(r, 204, NULL);
}
