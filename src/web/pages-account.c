/*
 * pages-account.c: the account pages: sign-up, sign-in and sign-out,
 * recovery, inviting and joining a partner, and settings.
 *
 * Each POST handler reads fields the routing table has validated (r->json),
 * calls one core function, and turns its ACCOUNT_* outcome into a page: a
 * 303 redirect on success (POST-redirect-GET), or the same form again with
 * a kind sentence and the status of API.md.  A form that comes back keeps
 * what the person typed, except passwords.  Pages that show a recovery key
 * answer 200 directly instead of redirecting: the key exists only in this
 * response and is never stored readable.  A new password that breaks a
 * rule of core/password.h comes back as a 400 that says which rule; the
 * password checks in the settings answer 429 past the sign-in limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"
#include "api/api.h"
#include "core/account.h"
#include "core/checkin.h"
#include "core/factor.h"
#include "core/passkey.h"
#include "core/session.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define INVITE_TOKEN_MAX 200 /* the routing table's cap on the invite field */
#define BUSY_RETRY_S	 2   /* Argon2 slots free up within a second or two */

/* The help line under a new password field, with the real minimum and the other rules. */
static void password_hint(json_t *data)
{
	char count[192], hint[512];

	web_format_count(count, sizeof(count),
			 ngettext_("Use at least %d character.", "Use at least %d characters.",
				   LIMIT_PASSWORD_MIN),
			 LIMIT_PASSWORD_MIN);
	snprintf(hint, sizeof(hint), "%s %s", count,
		 _("Not a common password, and not one that contains your login."));
	web_set(data, "password_hint", hint);
}

/*
 * account_form_data() - page data for the sign-up and join forms: the
 * fields typed so far (never the password), and the language choice, which
 * defaults to the language the page is shown in.
 */
static json_t *account_form_data(const struct kreq *r, const char *title)
{
	json_t *data = web_page_new(r, title);
	const char *lang = web_form_value(r, "language");

	if (!lang || !i18n_lang_valid(lang))
		lang = r->lang;
	web_set(data, "display_name", web_form_value(r, "display_name"));
	web_set(data, "login", web_form_value(r, "login"));
	if (data)
		json_object_set_new(data, "languages", web_languages(lang));
	password_hint(data);
	return data;
}

/*
 * begin_session() - after a successful sign-up, sign-in, join or recovery:
 * hand the cookie to the HTTP layer and treat the rest of this request as
 * signed in, in the member's own language.  A live session this request
 * came with ends: the new cookie replaces it in this browser (ASVS 7.2.4).
 */
static int begin_session(struct kreq *r, const struct account_signin *in)
{
	char *cookie;
	int e;

	if (r->session && r->session != r->session_buf) {
		e = session_supersede(r->core, r->session);
		if (e < 0)
			return e;
	}
	cookie = strdup(in->cookie);
	if (!cookie)
		return -ENOMEM;
	free(r->set_cookie);
	r->set_cookie = cookie;
	r->session = r->session_buf;
	web_use_session_lang(r);
	return 0;
}

/*
 * key_groups() - data[name] = [{group}]: key split after each dash (every
 * 0; the dash stays with its group) or every `every` characters, so that
 * it wraps between groups on a narrow phone and reads aloud in pieces.
 */
static void key_groups(json_t *data, const char *name, const char *key, size_t every)
{
	json_t *groups = json_array(), *g;
	const char *p = key, *dash;
	char part[16];
	size_t n;

	while (data && groups && *p) {
		dash = every ? NULL : strchr(p, '-');
		n = dash ? (size_t)(dash - p) : strlen(p);
		if (every && n > every)
			n = every;
		if (n >= sizeof(part) - 1)
			n = sizeof(part) - 2;
		memcpy(part, p, n);
		part[n] = dash ? '-' : '\0';
		part[n + 1] = '\0';
		g = json_object();
		if (!g || json_array_append_new(groups, g) < 0)
			break;
		web_set(g, "group", part);
		p = dash ? dash + 1 : p + n;
	}
	explicit_bzero(part, sizeof(part));
	if (data && groups)
		json_object_set_new(data, name, groups);
	else
		json_decref(groups);
}

/*
 * recovery_key_page() - show a recovery key, once.  The key is split into
 * its groups so that it wraps between groups on a narrow phone; copying it
 * gives back the dashes.  replaced says the old key stopped working.
 */
static int recovery_key_page(struct kreq *r, const char *key, int replaced)
{
	json_t *data = web_page_new(r, _("Your recovery key"));

	key_groups(data, "key_groups", key, 0);
	web_set(data, "recovery_key", key);
	web_set_bool(data, "replaced", replaced);
	return web_render(r, 200, "recovery_key", data, 0);
}

/* GET /signup, and the same form again after a failed POST. */
static int signup_page(struct kreq *r, int status, const char *message, const char *field)
{
	json_t *data = account_form_data(r, _("Sign up"));

	if (message)
		web_form_error(data, "error", message, field);
	else if (status == 400)
		web_input_error(r, data, "error");
	return web_render(r, status, "signup", data, status == 200 ? WEB_PUBLIC : 0);
}

/*
 * page_signup_form() - GET /signup: who sees what first, then the form.
 */
int page_signup_form(struct kreq *r)
{
	if (r->session)
		return web_redirect(r, "/home");
	return signup_page(r, 200, NULL, NULL);
}

/*
 * page_signup() - POST /signup: a new account and couple.  On success the
 * member is signed in and sees their recovery key; a taken login is 409,
 * bad input 400, a busy server 429.
 */
int page_signup(struct kreq *r)
{
	struct account_signin out;
	struct account_new in;
	int rc;

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	if (r->input_error)
		return signup_page(r, 400, NULL, NULL);
	in.login = kreq_str(r, "login");
	in.password = kreq_str(r, "password");
	in.display_name = kreq_str(r, "display_name");
	in.language = kreq_str(r, "language");
	if (!in.language)
		in.language = r->lang;
	if (!in.login || !in.password || !in.display_name)
		return signup_page(r, 400, NULL, NULL);
	in.password_len = strlen(in.password);

	rc = account_signup(r->core, &in, &out, r->session_buf);
	switch (rc) {
	case ACCOUNT_OK:
		rc = begin_session(r, &out);
		if (rc == 0)
			rc = recovery_key_page(r, out.recovery_key, 0);
		break;
	case ACCOUNT_LOGIN_TAKEN:
		rc = signup_page(r, 409, _("That login is taken. Please choose another one."),
				 "login");
		break;
	case ACCOUNT_BUSY:
		r->retry_after = BUSY_RETRY_S;
		rc = signup_page(r, 429,
				 _("The server is busy right now. Please try again in a "
				   "moment."),
				 NULL);
		break;
	default:
		if (rc > 0 && account_password_message(rc))
			rc = signup_page(r, 400, account_password_message(rc), "password");
		else if (rc > 0)
			rc = page_error(r, 500);
		break;
	}
	explicit_bzero(&out, sizeof(out));
	return rc;
}

/* The sentence for a sign-in or recovery that needs the second factor's code too. */
#define CODE_NEEDED                                                                                \
	N_("Your password was right, and two-step sign-in is on. Please type it again, with the "  \
	   "6-digit code your authenticator app shows now.")

/* A sign-in or recovery form that asked for a code (or a passkey) and got a wrong one, or none. */
static int code_was_sent(const struct kreq *r)
{
	const char *code = kreq_answer(r, "totp");

	return code && *code;
}

/*
 * passkey_offer() - when member_id (whose second factor is due) has
 * passkeys: data.passkey_options = the request options of a fresh "get"
 * challenge as JSON, for static/js/passkey.js beside the code field.  No
 * passkey, or a request to an address that is not the server's: nothing,
 * and the code field alone is asked for.
 */
static int passkey_offer(struct kreq *r, json_t *data, const char *couple_id, const char *member_id)
{
	json_t *opts = NULL;
	char *text;
	size_t n = 0, len;
	int e;

	if (!data || !member_id || !*member_id)
		return 0;
	e = passkey_count(r->core, couple_id, member_id, &n);
	if (e != 0 || n == 0)
		return e < 0 ? e : 0;
	e = api_passkey_request_options(r, couple_id, member_id, &opts);
	if (e != 0)
		return e < 0 ? e : 0;
	/* json_dumpb(), not json_dumps(): jansson allocates with the server's own functions */
	len = json_dumpb(opts, NULL, 0, JSON_COMPACT);
	text = len ? malloc(len + 1) : NULL;
	if (text && json_dumpb(opts, text, len, JSON_COMPACT) == len) {
		text[len] = '\0';
	} else {
		free(text);
		text = NULL;
	}
	json_decref(opts);
	if (!text)
		return -ENOMEM;
	web_set(data, "passkey_options", text);
	free(text);
	web_set_bool(data, "passkey_offer", 1);
	web_set(data, "passkey_code", "totp");
	web_set_bool(data, "passkey_js", 1);
	return 0;
}

/*
 * GET /signin, and the same form again after a failed POST; need_code adds
 * the second factor's field (the password is typed again: it is never
 * written back into the page), and a passkey button when factor_member,
 * whose second factor is due, has a passkey.
 */
static int signin_page(struct kreq *r, int status, const char *message, int need_code,
		       const char *factor_couple, const char *factor_member)
{
	json_t *data = web_page_new(r, _("Sign in"));
	int e;

	web_set(data, "login", web_form_value(r, "login"));
	web_set_bool(data, "need_code", need_code);
	web_set_bool(data, "passkey_js", 1); /* "Sign in with a passkey", where WebAuthn is */
	e = passkey_offer(r, data, factor_couple, factor_member);
	if (e < 0) {
		json_decref(data);
		return e;
	}
	if (message)
		web_form_error(data, "error", message, NULL);
	else if (status == 400)
		web_input_error(r, data, "error");
	return web_render(r, status, "signin", data, status == 200 ? WEB_PUBLIC : 0);
}

/* page_signin_form() - GET /signin. */
int page_signin_form(struct kreq *r)
{
	if (r->session)
		return web_redirect(r, "/home");
	return signin_page(r, 200, NULL, 0, NULL, NULL);
}

/*
 * page_signin() - POST /signin: a fresh session and a 303 to /home.  A
 * wrong login and a wrong password get the same 401 and the same words.
 */
int page_signin(struct kreq *r)
{
	struct account_signin out;
	const char *login, *password;
	int rc;

	memset(&out, 0, sizeof(out));
	if (r->input_error)
		return signin_page(r, 400, NULL, code_was_sent(r), NULL, NULL);
	login = kreq_str(r, "login");
	password = kreq_str(r, "password");
	if (!login || !password)
		return signin_page(r, 400, NULL, code_was_sent(r), NULL, NULL);

	rc = account_login(r->core, login, password, strlen(password), kreq_answer(r, "totp"), &out,
			   r->session_buf);
	switch (rc) {
	case ACCOUNT_OK:
		rc = begin_session(r, &out);
		if (rc == 0)
			rc = web_redirect(r, "/home");
		break;
	case ACCOUNT_SECOND_FACTOR_REQUIRED:
		r->half_signed_in = 1;
		rc = signin_page(r, 401, _(CODE_NEEDED), 1, out.factor_couple, out.factor_member);
		break;
	case ACCOUNT_BAD_CREDENTIALS:
		rc = code_was_sent(r)
			     ? signin_page(r, 401, _("Login, password or code is wrong."), 1, NULL,
					   NULL)
			     : signin_page(r, 401, _("Login or password is wrong."), 0, NULL, NULL);
		break;
	case ACCOUNT_BUSY:
		r->retry_after = BUSY_RETRY_S;
		rc = signin_page(r, 429,
				 _("The server is busy right now. Please try again in a "
				   "moment."),
				 code_was_sent(r), NULL, NULL);
		break;
	default:
		if (rc > 0)
			rc = page_error(r, 500);
		break;
	}
	explicit_bzero(&out, sizeof(out));
	return rc;
}

/*
 * page_signout() - POST /signout: end the session server-side, clear the
 * cookie, back to the landing page.  Always signs this browser out; from
 * the lock page (a locked session) it ends only this session: whoever
 * holds the phone has not shown the password, and must not be able to
 * sign the member out everywhere.
 */
int page_signout(struct kreq *r)
{
	/* The cookie goes even when the store fails to end the session: on a
	 * shared device, what matters most is that this browser is signed out.
	 * The session then ends at its idle limit. */
	if (r->session && r->session->locked)
		(void)session_supersede(r->core, r->session);
	else if (r->session)
		(void)session_end(r->core, r->session);
	return web_signed_out(r);
}

/*
 * GET /recover, and the same form again after a failed POST (need_code and
 * factor_member: as signin_page()).
 */
static int recover_page(struct kreq *r, int status, const char *message, const char *field,
			const char *factor_couple, const char *factor_member)
{
	json_t *data = web_page_new(r, _("Forgot your password?"));
	int e = passkey_offer(r, data, factor_couple, factor_member);

	if (e < 0) {
		json_decref(data);
		return e;
	}
	web_set(data, "login", web_form_value(r, "login"));
	web_set_bool(data, "need_code", status == 401 && (r->half_signed_in || code_was_sent(r)));
	password_hint(data);
	if (message)
		web_form_error(data, "error", message, field);
	else if (status == 400)
		web_input_error(r, data, "error");
	return web_render(r, status, "recover", data, 0);
}

/* page_recover_form() - GET /recover. */
int page_recover_form(struct kreq *r)
{
	return recover_page(r, 200, NULL, NULL, NULL, NULL);
}

/*
 * page_recover() - POST /recover: login, recovery key and a new password.
 * On success the member is signed in and sees a new recovery key (the old
 * one stops working); a login and key that do not match get 401.
 */
int page_recover(struct kreq *r)
{
	struct account_signin out;
	const char *login, *key, *password;
	int rc;

	memset(&out, 0, sizeof(out));
	if (r->input_error)
		return recover_page(r, 400, NULL, NULL, NULL, NULL);
	login = kreq_str(r, "login");
	key = kreq_str(r, "recovery_key");
	password = kreq_str(r, "new_password");
	if (!login || !key || !password)
		return recover_page(r, 400, NULL, NULL, NULL, NULL);

	rc = account_recover(r->core, login, key, kreq_answer(r, "totp"), password,
			     strlen(password), &out, r->session_buf);
	switch (rc) {
	case ACCOUNT_OK:
		rc = begin_session(r, &out);
		if (rc == 0)
			rc = recovery_key_page(r, out.recovery_key, 1);
		break;
	case ACCOUNT_SECOND_FACTOR_REQUIRED:
		r->half_signed_in = 1;
		rc = recover_page(
			r, 401,
			_("Your recovery key was right, and two-step sign-in is on. Please "
			  "type the key and a new password again, with the 6-digit code "
			  "your authenticator app shows now, or one of your recovery "
			  "codes."),
			NULL, out.factor_couple, out.factor_member);
		break;
	case ACCOUNT_BAD_CREDENTIALS:
		rc = recover_page(r, 401,
				  code_was_sent(r)
					  ? _("That login, recovery key and code do not match. "
					      "Please check them and try again.")
					  : _("That login and recovery key do not match. Please "
					      "check the key and try again."),
				  NULL, NULL, NULL);
		break;
	case ACCOUNT_BUSY:
		r->retry_after = BUSY_RETRY_S;
		rc = recover_page(r, 429,
				  _("The server is busy right now. Please try again in a "
				    "moment."),
				  NULL, NULL, NULL);
		break;
	default:
		if (rc > 0 && account_password_message(rc))
			rc = recover_page(r, 400, account_password_message(rc), "new_password",
					  NULL, NULL);
		else if (rc > 0)
			rc = page_error(r, 500);
		break;
	}
	explicit_bzero(&out, sizeof(out));
	return rc;
}

/* The invite page: the explanation and button, a fresh link, or "full". */
static int invite_page(struct kreq *r, int status, const char *url, int full)
{
	json_t *data = web_page_new(r, _("Invite your partner"));
	char works[256];

	web_set_bool(data, "nav_home", 1);
	web_set(data, "invite_url", url);
	web_set_bool(data, "full", full);
	web_format_count(works, sizeof(works),
			 ngettext_("It works once, for %d day.", "It works once, for %d days.",
				   LIMIT_INVITE_TTL_S / 86400),
			 LIMIT_INVITE_TTL_S / 86400);
	web_set(data, "works_for", works);
	return web_render(r, status, "invite", data, 0);
}

/*
 * page_invite_form() - GET /invite: what the partner will get and see, and
 * the button that makes the link.  A couple of two gets told so instead.
 */
int page_invite_form(struct kreq *r)
{
	struct member_view mv;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	memset(&mv, 0, sizeof(mv));
	rc = account_describe(r->core, r->session, &mv);
	if (rc < 0)
		return rc;
	return invite_page(r, 200, NULL, rc == 0 && mv.npartners >= 2);
}

/*
 * page_invite() - POST /invite: a new invite link, shown once.  409 when
 * the couple already has two partners.
 */
int page_invite(struct kreq *r)
{
	char token[VAULT_ID_HEX + 1 + VAULT_SECRET_HEX + 1];
	char base[512], url[1024];
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	/* first, so that no invite is made that no link could carry */
	if (kreq_invite_base_url(r, base, sizeof(base)) < 0)
		return web_error_page(r, 400, _("This is not this server's usual address"),
				      _("Invite links carry a secret, so they are made only for "
					"this server's own "
					"address. Please open kintsugi at its usual address, or "
					"ask the person who "
					"runs it to set its public address."));
	rc = account_invite(r->core, r->session, token);
	if (rc == ACCOUNT_COUPLE_FULL)
		return invite_page(r, 409, NULL, 1);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);
	rc = 0;
	if (snprintf(url, sizeof(url), "%s/join?invite=%s", base, token) >= (int)sizeof(url))
		rc = -E2BIG;
	if (rc == 0)
		rc = invite_page(r, 200, url, 0);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(url, sizeof(url));
	return rc;
}

/* The answer to an invite link that cannot be used. */
static int invite_invalid_page(struct kreq *r)
{
	return web_error_page(r, 404, _("This invite link cannot be used"),
			      _("This invite link has been used or has expired. Please ask your "
				"partner for a new one."));
}

/* GET /join, and the same form again after a failed POST. */
static int join_page(struct kreq *r, int status, const char *token, const char *message,
		     const char *field)
{
	int care = 0;
	json_t *data;

	/* a care link: what a therapist will and will not see (core/care.h) */
	if (token && account_invite_check(r->core, token, &care) != 0)
		care = 0;
	data = account_form_data(r, care ? _("Join a couple's care team") : _("Join your partner"));
	web_set_bool(data, "care", care);
	web_set(data, "invite", token);
	if (message)
		web_form_error(data, "error", message, field);
	else if (status == 400)
		web_input_error(r, data, "error");
	return web_render(r, status, "join", data, 0);
}

/*
 * page_join_form() - GET /join?invite=TOKEN: who sees what, then the
 * sign-up form with the token carried along.  404 for a used, expired or
 * unknown link.
 */
int page_join_form(struct kreq *r)
{
	const char *token = kreq_query(r, "invite");
	int rc;

	if (!token || !*token || strlen(token) > INVITE_TOKEN_MAX)
		return invite_invalid_page(r);
	rc = account_invite_check(r->core, token, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return invite_invalid_page(r);
	return join_page(r, 200, token, NULL, NULL);
}

/*
 * page_join() - POST /join: an account in the inviting partner's couple.
 * On success the member is signed in and sees their recovery key.
 */
int page_join(struct kreq *r)
{
	struct account_signin out;
	struct account_new in;
	const char *token = web_form_value(r, "invite");
	int rc;

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	if (r->input_error)
		return join_page(r, 400, token, NULL, NULL);
	in.login = kreq_str(r, "login");
	in.password = kreq_str(r, "password");
	in.display_name = kreq_str(r, "display_name");
	in.language = kreq_str(r, "language");
	if (!in.language)
		in.language = r->lang;
	if (!token || !in.login || !in.password || !in.display_name)
		return join_page(r, 400, token, NULL, NULL);
	in.password_len = strlen(in.password);

	rc = account_join(r->core, token, &in, &out, r->session_buf);
	switch (rc) {
	case ACCOUNT_OK:
		rc = begin_session(r, &out);
		if (rc == 0)
			rc = recovery_key_page(r, out.recovery_key, 0);
		break;
	case ACCOUNT_INVITE_INVALID:
	case ACCOUNT_COUPLE_FULL:
		rc = invite_invalid_page(r);
		break;
	case ACCOUNT_LOGIN_TAKEN:
		rc = join_page(r, 409, token, _("That login is taken. Please choose another one."),
			       "login");
		break;
	case ACCOUNT_BUSY:
		r->retry_after = BUSY_RETRY_S;
		rc = join_page(r, 429, token,
			       _("The server is busy right now. Please try again in a moment."),
			       NULL);
		break;
	default:
		if (rc > 0 && account_password_message(rc))
			rc = join_page(r, 400, token, account_password_message(rc), "password");
		else if (rc > 0)
			rc = page_error(r, 500);
		break;
	}
	explicit_bzero(&out, sizeof(out));
	return rc;
}

/*
 * settings_factor() - the second factor's part of the settings page:
 * totp_on, and how many recovery codes are left.  A store that cannot
 * tell shows it off: the forms that need a code still ask core, which
 * asks for one where it is due.
 */
static void settings_factor(const struct kreq *r, json_t *data)
{
	char left[192];
	unsigned kinds = 0;
	size_t n = 0;

	if (factor_active(r->core, r->session->couple_id, r->session->member_id, &kinds) != 0)
		return;
	/* --require-second-factor: nothing else opens until it is on */
	web_set_bool(data, "factor_required", r->core->require_factor && kinds == 0);
	if (!(kinds & FACTOR_KIND_TOTP))
		return;
	web_set_bool(data, "totp_on", 1);
	if (factor_codes_left(r->core, r->session->couple_id, r->session->member_id, &n) != 0)
		return;
	web_format_count(left, sizeof(left),
			 ngettext_("You have %d unused recovery code.",
				   "You have %d unused recovery codes.", (unsigned long)n),
			 (int)n);
	web_set(data, "codes_left", left);
}

/*
 * settings_passkeys() - the passkeys part of the settings page: each
 * passkey's name, the date it was added and the date it was last used
 * (dates only), for the list and the removal form.  passkey_js loads
 * static/js/passkey.js, which offers adding one (navigator.credentials
 * needs script) and answering the removal's check with a passkey.
 */
static int settings_passkeys(const struct kreq *r, json_t *data)
{
	static const char *const forms[][2] = {
		{"pk_remove", "passkey_off_code"},
		{"pk_password", "password_totp"},
		{"pk_recovery", "recovery_totp"},
	};
	struct passkey_view *list = NULL;
	json_t *arr = json_array(), *o;
	size_t n = 0, i;
	int e;

	e = passkey_list(r->core, r->session->couple_id, r->session->member_id, r->session->mk,
			 &list, &n);
	if (e != 0 || !arr) {
		free(list);
		json_decref(arr);
		return e < 0 ? e : e > 0 ? -EIO : -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		o = json_object();
		if (!o || json_array_append_new(arr, o) < 0)
			break;
		web_set(o, "id", list[i].id);
		web_set(o, "name", list[i].name);
		web_set(o, "csrf", session_csrf_token(r->session));
		web_set_bool(o, "first", i == 0);
		web_set_bool(o, "signs_in", list[i].signs_in);
		set_date(r, o, "added", list[i].created_at);
		set_day(o, "added_at", list[i].created_at);
		if (list[i].last_used_at[0]) {
			set_date(r, o, "used", list[i].last_used_at);
			set_day(o, "used_at", list[i].last_used_at);
		}
	}
	free(list);
	web_set_bool(data, "has_passkeys", n > 0);
	web_set_bool(data, "passkey_js", 1);
	if (!data) {
		json_decref(arr);
		return 0;
	}
	json_object_set_new(data, "passkeys", arr);
	/* each form that takes a passkey in place of a code: the id of its code field */
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		o = json_pack("{s:s}", "passkey_code", forms[i][1]);
		if (!o || json_object_set_new(data, forms[i][0], o) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * settings_privacy() - the discreet mode and auto-lock part of the
 * settings page: the checkbox, and the idle times to choose from with the
 * member's marked.
 */
static void settings_privacy(const struct kreq *r, json_t *data)
{
	static const int minutes[] = {0, 1, 5, 15, 60};
	json_t *list = json_array(), *o;
	char value[8], label[96];
	size_t i;

	web_set_bool(data, "discreet_on", r->session->discreet);
	for (i = 0; data && list && i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		o = json_object();
		if (!o || json_array_append_new(list, o) < 0)
			break;
		snprintf(value, sizeof(value), "%d", minutes[i]);
		if (minutes[i] == 0)
			snprintf(label, sizeof(label), "%s", _("Never"));
		else if (minutes[i] == 60)
			snprintf(label, sizeof(label), "%s", _("After an hour"));
		else
			web_format_count(label, sizeof(label),
					 ngettext_("After %d minute", "After %d minutes",
						   (unsigned long)minutes[i]),
					 minutes[i]);
		web_set(o, "value", value);
		web_set(o, "label", label);
		web_set_bool(o, "selected", minutes[i] == r->session->autolock_minutes);
	}
	if (data && list)
		json_object_set_new(data, "autolock_choices", list);
	else
		json_decref(list);
}

/*
 * settings_page() - GET /settings, and the same page after a failed POST.
 * The page holds four forms; slot names which one the message belongs to
 * (error_language, error_password, error_recovery, error_delete) and field
 * the input to mark (settings-wide unique names: the recovery and delete
 * forms both have a "password" field).
 */
static int settings_page(struct kreq *r, int status, const char *slot, const char *message,
			 const char *field)
{
	json_t *data = web_page_new(r, _("Settings"));
	const char *changed = kreq_query(r, "changed");
	char rhythm[8];
	int e;

	web_set_bool(data, "nav_settings", 1);
	/* the rhythm form shows the couple's rhythm as chosen */
	if (checkin_rhythm_get(r->core, r->session, rhythm) == 0) {
		web_set_bool(data, "rhythm_daily", strcmp(rhythm, "weekly") != 0);
		web_set_bool(data, "rhythm_weekly", strcmp(rhythm, "weekly") == 0);
	}
	if (data)
		json_object_set_new(data, "languages", web_languages(r->session->language));
	password_hint(data);
	web_set_bool(data, "changed_password", changed && !strcmp(changed, "password"));
	web_set_bool(data, "changed_totp_off", changed && !strcmp(changed, "totp_off"));
	web_set_bool(data, "changed_privacy", changed && !strcmp(changed, "privacy"));
	web_set_bool(data, "changed_passkey_added", changed && !strcmp(changed, "passkey_added"));
	web_set_bool(data, "changed_passkey_signin_on",
		     changed && !strcmp(changed, "passkey_signin_on"));
	web_set_bool(data, "changed_passkey_signin_off",
		     changed && !strcmp(changed, "passkey_signin_off"));
	web_set_bool(data, "changed_passkey_removed",
		     changed && !strcmp(changed, "passkey_removed"));
	settings_factor(r, data);
	e = settings_passkeys(r, data);
	if (e < 0) {
		json_decref(data);
		return e;
	}
	settings_privacy(r, data);
	{
		struct member_view mv;

		/* leaving is for a partner who has one */
		if (account_describe(r->core, r->session, &mv) == 0)
			web_set_bool(data, "can_leave",
				     !strcmp(mv.role, "partner") && mv.npartners >= 2);
	}
	if (slot)
		web_form_error(data, slot, message, field);
	return web_render(r, status, "settings", data, 0);
}

/* The message for a settings form that failed validation. */
static int settings_input_error(struct kreq *r, const char *slot, const char *prefix)
{
	char field[96];
	const char *f = r->input_error ? r->input_error->field : "";

	if (prefix && *f)
		snprintf(field, sizeof(field), "%s_%s", prefix, f);
	else
		snprintf(field, sizeof(field), "%s", f);
	return settings_page(r, 400, slot,
			     r->input_error ? kreq_input_message(r->input_error)
					    : _("Please fill in every field."),
			     field);
}

/* A settings form whose password check is over the sign-in limits: 429, how long to wait. */
static int settings_limited(struct kreq *r, const char *slot, const struct account_guard *g)
{
	char message[256];

	web_wait_message(r, g->retry_after_s, message, sizeof(message));
	return settings_page(r, 429, slot, message, NULL);
}

/* A code that was due and missing, or wrong, on one of the settings forms. */
static int settings_code_error(struct kreq *r, int rc, const char *slot, const char *field)
{
	if (rc == ACCOUNT_CODE_REQUIRED)
		return settings_page(r, 403, slot,
				     _("Two-step sign-in is on: please also type the 6-digit code "
				       "your authenticator app shows now."),
				     field);
	return settings_page(r, 403, slot,
			     _("That code is not right, or it has been used already. Please "
			       "type the code your app shows now."),
			     field);
}

/* A settings form whose Argon2 slot did not come free: 429, try again shortly. */
static int settings_busy(struct kreq *r, const char *slot)
{
	r->retry_after = BUSY_RETRY_S;
	return settings_page(r, 429, slot,
			     _("The server is busy right now. Please try again in a moment."),
			     NULL);
}

/*
 * settings_check_failed() - a settings form whose check of the password and
 * the second factor did not pass, or whose outcome has no words of its
 * own: slot names the form's message, pw_field and code_field the inputs
 * to mark (as settings_page() takes them).
 */
static int settings_check_failed(struct kreq *r, int rc, const struct account_guard *g,
				 const char *slot, const char *pw_field, const char *code_field)
{
	switch (rc) {
	case ACCOUNT_RATE_LIMITED:
		return settings_limited(r, slot, g);
	case ACCOUNT_WRONG_PASSWORD:
		return settings_page(r, 403, slot,
				     _("That is not your current password. Please try again."),
				     pw_field);
	case ACCOUNT_CODE_REQUIRED:
	case ACCOUNT_WRONG_CODE:
		return settings_code_error(r, rc, slot, code_field);
	case ACCOUNT_BUSY:
		return settings_busy(r, slot);
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/* page_settings() - GET /settings: language, password, recovery key, delete. */
int page_settings(struct kreq *r)
{
	if (!r->session)
		return web_redirect(r, "/signin");
	return settings_page(r, 200, NULL, NULL, NULL);
}

/* page_settings_language() - POST /settings/language: 303 back to /settings. */
int page_settings_language(struct kreq *r)
{
	const char *lang = kreq_str(r, "language");
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !lang || !i18n_lang_valid(lang))
		return settings_input_error(r, "error_language", NULL);
	rc = account_set_language(r->core, r->session, lang);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);
	return web_redirect(r, "/settings");
}

/*
 * page_settings_privacy() - POST /settings/privacy {discreet?,
 * autolock_minutes}: 303 to /settings?changed=privacy.  An unticked box
 * sends nothing, which turns discreet mode off.
 */
int page_settings_privacy(struct kreq *r)
{
	struct account_profile p = {NULL, NULL, 0, -1};
	json_t *v;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !r->json)
		return settings_input_error(r, "error_privacy", NULL);
	v = json_object_get(r->json, "discreet");
	p.discreet = v && json_is_true(v);
	v = json_object_get(r->json, "autolock_minutes");
	p.autolock_minutes = v ? (int)json_integer_value(v) : -1;
	rc = account_set_profile(r->core, r->session, &p);
	if (rc == ACCOUNT_AUTOLOCK_INVALID)
		return settings_page(r, 400, "error_privacy",
				     _("Please choose one of the times in the list."),
				     "autolock_minutes");
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/settings?changed=privacy#privacy");
}

/*
 * page_settings_password() - POST /settings/password: 303 to
 * /settings?changed=password, which says other devices were signed out;
 * 403 when the current password is not right.
 */
int page_settings_password(struct kreq *r)
{
	const char *old_pw = kreq_str(r, "old_password");
	const char *new_pw = kreq_str(r, "new_password");
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !old_pw || !new_pw)
		return settings_input_error(r, "error_password", NULL);
	kreq_account_guard(r, &g);
	rc = account_change_password(r->core, r->session, &g, old_pw, strlen(old_pw),
				     kreq_answer(r, "totp"), new_pw, strlen(new_pw));
	switch (rc) {
	case ACCOUNT_OK:
		return web_redirect(r, "/settings?changed=password");
	case ACCOUNT_RATE_LIMITED:
		return settings_limited(r, "error_password", &g);
	case ACCOUNT_CODE_REQUIRED:
	case ACCOUNT_WRONG_CODE:
		return settings_code_error(r, rc, "error_password", "password_totp");
	case ACCOUNT_WRONG_PASSWORD:
		return settings_page(r, 403, "error_password",
				     _("That is not your current password. Please try again."),
				     "old_password");
	case ACCOUNT_BUSY:
		return settings_busy(r, "error_password");
	default:
		if (rc > 0 && account_password_message(rc))
			return settings_page(r, 400, "error_password", account_password_message(rc),
					     "new_password");
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/* A field of r's validated body, or NULL when it is absent or empty. */
static const char *nonempty(const struct kreq *r, const char *name)
{
	const char *v = kreq_str(r, name);

	return v && *v ? v : NULL;
}

/*
 * page_settings_recovery() - POST /settings/recovery: given the current
 * recovery key (or, with two-step sign-in on, a code), a new one, shown
 * once; the old key stops working.
 */
int page_settings_recovery(struct kreq *r)
{
	char key[VAULT_RECOVERY_CHARS + 1];
	const char *current = nonempty(r, "recovery_key"), *code = nonempty(r, "passkey");
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (!code)
		code = nonempty(r, "totp");
	if (r->input_error)
		return settings_input_error(r, "error_recovery", "current");
	if (!current && !code)
		return settings_page(r, 400, "error_recovery",
				     _("Please type your current recovery key."),
				     "current_recovery_key");
	memset(key, 0, sizeof(key));
	kreq_account_guard(r, &g);
	rc = account_new_recovery(r->core, r->session, &g, current, code, key);
	switch (rc) {
	case ACCOUNT_OK:
		rc = recovery_key_page(r, key, 1);
		break;
	case ACCOUNT_RATE_LIMITED:
		rc = settings_limited(r, "error_recovery", &g);
		break;
	case ACCOUNT_WRONG_CODE:
		rc = settings_code_error(r, rc, "error_recovery", "recovery_totp");
		break;
	case ACCOUNT_WRONG_RECOVERY:
		rc = settings_page(r, 403, "error_recovery",
				   _("That is not your current recovery key. Please try again."),
				   "current_recovery_key");
		break;
	case ACCOUNT_BUSY:
		rc = settings_busy(r, "error_recovery");
		break;
	default:
		if (rc > 0)
			rc = page_error(r, 500);
		break;
	}
	explicit_bzero(key, sizeof(key));
	return rc;
}

/*
 * page_settings_delete() - POST /settings/delete: after the password, the
 * account's keys and rows are destroyed; the cookie is cleared and the
 * person lands on the public front page.
 */
int page_settings_delete(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	char *clear;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !pw)
		return settings_input_error(r, "error_delete", "delete");
	kreq_account_guard(r, &g);
	rc = account_delete(r->core, r->session, &g, pw, strlen(pw));
	switch (rc) {
	case ACCOUNT_RATE_LIMITED:
		return settings_limited(r, "error_delete", &g);
	case ACCOUNT_OK:
		clear = strdup("");
		if (!clear)
			return -ENOMEM;
		free(r->set_cookie);
		r->set_cookie = clear;
		return web_redirect(r, "/");
	case ACCOUNT_WRONG_PASSWORD:
		return settings_page(r, 401, "error_delete",
				     _("That is not your current password. Please try again."),
				     "delete_password");
	case ACCOUNT_BUSY:
		return settings_busy(r, "error_delete");
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/*
 * page_settings_leave() - POST /settings/leave: after the password, the
 * member leaves the couple alone (core/account.h account_leave()) and
 * lands on their home, which says what happened; 401 for a wrong password.
 */
int page_settings_leave(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !pw)
		return settings_input_error(r, "error_leave", "leave");
	kreq_account_guard(r, &g);
	rc = account_leave(r->core, r->session, &g, pw, strlen(pw));
	switch (rc) {
	case ACCOUNT_RATE_LIMITED:
		return settings_limited(r, "error_leave", &g);
	case ACCOUNT_OK:
		return web_redirect(r, "/home?left=1");
	case ACCOUNT_WRONG_PASSWORD:
		return settings_page(r, 401, "error_leave",
				     _("That is not your current password. Please try again."),
				     "leave_password");
	case ACCOUNT_ALONE:
		return settings_page(r, 409, "error_leave",
				     _("There is no partner in your shared space to leave."), NULL);
	case ACCOUNT_BUSY:
		return settings_busy(r, "error_leave");
	default:
		return rc < 0 ? rc : page_error(r, 403);
	}
}

/*
 * The second factor's pages.  Setting up shows the secret (in groups of
 * four, to type or read aloud) and its otpauth:// link, with a form for
 * the first code; the secret stays pending, sealed under the member's
 * own key, until that code comes, and GET /settings/totp shows it again.
 * Confirming shows the recovery codes, once (200, no redirect: they exist
 * only in this answer).  Turning it off needs the password and a code.
 */
static int totp_setup_page(struct kreq *r, int status, const struct factor_setup *setup,
			   const char *message)
{
	json_t *data = web_page_new(r, _("Set up two-step sign-in"));

	web_set_bool(data, "nav_settings", 1);
	key_groups(data, "secret_groups", setup->secret, 4);
	web_set(data, "secret", setup->secret);
	web_set(data, "uri", setup->uri);
	if (message)
		web_form_error(data, "error", message, "code");
	return web_render(r, status, "totp_setup", data, 0);
}

/* GET /settings/totp: the pending set-up again, else back to the settings. */
int page_settings_totp_form(struct kreq *r)
{
	struct factor_setup setup;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	rc = factor_totp_pending(r->core, r->session, &setup);
	/* no fragment: a page opened by a link starts at its top, with the quick exit first */
	if (rc == FACTOR_NONE)
		return web_redirect(r, "/settings");
	if (rc == 0)
		rc = totp_setup_page(r, 200, &setup, NULL);
	explicit_bzero(&setup, sizeof(setup));
	return rc < 0 ? rc : rc > 0 ? page_error(r, 500) : 0;
}

/* POST /settings/totp {password}: a fresh secret to add to an app. */
int page_settings_totp(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct factor_setup setup;
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !pw)
		return settings_input_error(r, "error_totp", "totp");
	kreq_account_guard(r, &g);
	rc = account_totp_begin(r->core, r->session, &g, pw, strlen(pw), &setup);
	switch (rc) {
	case ACCOUNT_OK:
		rc = totp_setup_page(r, 200, &setup, NULL);
		break;
	case ACCOUNT_RATE_LIMITED:
		rc = settings_limited(r, "error_totp", &g);
		break;
	case ACCOUNT_WRONG_PASSWORD:
		rc = settings_page(r, 403, "error_totp",
				   _("That is not your current password. Please try again."),
				   "totp_password");
		break;
	case ACCOUNT_FACTOR_ON:
		rc = web_redirect(r, "/settings#totp");
		break;
	case ACCOUNT_BUSY:
		rc = settings_busy(r, "error_totp");
		break;
	default:
		rc = rc < 0 ? rc : page_error(r, 500);
		break;
	}
	explicit_bzero(&setup, sizeof(setup));
	return rc;
}

/* POST /settings/totp/confirm {code}: on, and the recovery codes, once. */
int page_settings_totp_confirm(struct kreq *r)
{
	const char *code = kreq_str(r, "code");
	struct factor_codes codes;
	struct factor_setup setup;
	json_t *data, *list;
	size_t i;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	rc = r->input_error || !code ? ACCOUNT_WRONG_CODE
				     : account_totp_confirm(r->core, r->session, code, &codes);
	if (rc == ACCOUNT_WRONG_CODE) {
		/* the set-up again, with the same secret, and what went wrong */
		rc = factor_totp_pending(r->core, r->session, &setup);
		if (rc == 0)
			rc = totp_setup_page(r, 403, &setup,
					     _("That code is not right. Please type the 6 digits "
					       "your app shows now; if it just changed, wait for "
					       "the next one."));
		explicit_bzero(&setup, sizeof(setup));
		return rc == FACTOR_NONE ? web_redirect(r, "/settings#totp")
		       : rc > 0		 ? page_error(r, 500)
					 : rc;
	}
	if (rc == ACCOUNT_FACTOR_ON || rc == ACCOUNT_FACTOR_OFF)
		return web_redirect(r, "/settings#totp");
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	data = web_page_new(r, _("Your recovery codes"));
	list = json_array();
	for (i = 0; data && list && i < FACTOR_RECOVERY_CODES; i++) {
		json_t *one = json_object();

		if (!one || json_array_append_new(list, one) < 0)
			break;
		web_set(one, "code", codes.code[i]);
	}
	explicit_bzero(&codes, sizeof(codes));
	if (data && list)
		json_object_set_new(data, "codes", list);
	else
		json_decref(list);
	web_set_bool(data, "nav_settings", 1);
	return web_render(r, 200, "recovery_codes", data, 0);
}

/* POST /settings/totp/off {password, code}: 303 to /settings?changed=totp_off. */
int page_settings_totp_off(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !pw)
		return settings_input_error(r, "error_totp", "off");
	kreq_account_guard(r, &g);
	rc = account_totp_remove(r->core, r->session, &g, pw, strlen(pw), kreq_answer(r, "code"));
	switch (rc) {
	case ACCOUNT_OK:
	case ACCOUNT_FACTOR_OFF:
		return web_redirect(r, "/settings?changed=totp_off#totp");
	case ACCOUNT_PASSKEYS_REMAIN:
		return settings_page(r, 409, "error_totp",
				     _("Please remove your passkeys first: they rely on two-step "
				       "sign-in's recovery codes, which go when it is turned off."),
				     NULL);
	default:
		return settings_check_failed(r, rc, &g, "error_totp", "off_password", "off_code");
	}
}

/*
 * page_settings_passkey_signin_off() - POST /settings/passkeys/signin-off
 * {passkey_id}: that passkey of the member's no longer signs in alone (it
 * stays a second step); 303 to /settings?changed=passkey_signin_off.  It
 * takes a way in away, so the session is enough, as signing out is.
 */
int page_settings_passkey_signin_off(struct kreq *r)
{
	const char *id = kreq_str(r, "passkey_id");
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !id)
		return settings_input_error(r, "error_passkey", NULL);
	rc = account_passkey_signin_off(r->core, r->session, id);
	if (rc == ACCOUNT_NOT_FOUND)
		return settings_page(r, 404, "error_passkey",
				     _("That passkey is not one of yours, or it was removed "
				       "already."),
				     NULL);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	return web_redirect(r, "/settings?changed=passkey_signin_off#passkeys");
}

/*
 * page_settings_passkey_remove() - POST /settings/passkeys/remove
 * {passkey_id, password, totp | passkey}: the member's passkey goes, after
 * the password and a second factor (a code, a recovery code, or a passkey's
 * answer, which static/js/passkey.js fills in); 303 to
 * /settings?changed=passkey_removed.  Works without script with a code.
 */
int page_settings_passkey_remove(struct kreq *r)
{
	const char *pw = kreq_str(r, "password"), *id = kreq_str(r, "passkey_id");
	struct account_guard g;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !pw || !id)
		return settings_input_error(r, "error_passkey", "passkey_off");
	kreq_account_guard(r, &g);
	rc = account_passkey_remove(r->core, r->session, &g, pw, strlen(pw), kreq_answer(r, "totp"),
				    id);
	switch (rc) {
	case ACCOUNT_OK:
		return web_redirect(r, "/settings?changed=passkey_removed#passkeys");
	case ACCOUNT_NOT_FOUND:
		return settings_page(r, 404, "error_passkey",
				     _("That passkey is not one of yours, or it was removed "
				       "already."),
				     NULL);
	default:
		return settings_check_failed(r, rc, &g, "error_passkey", "passkey_off_password",
					     "passkey_off_code");
	}
}
