/*
 * api.c: the JSON answers: errors with translated messages, the shapes
 * API.md gives for members, couples and journal entries, and the helpers
 * the handlers of statements, commitments, check-ins, cards, offers and
 * activities share (outcomes and errors, nullable strings, shared_with).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api-json.h"
#include "api/json-out.h"
#include "core/access.h"
#include "core/item.h"
#include "core/statement.h"
#include "i18n/i18n.h"

static const struct {
	const char *code;
	const char *message;
} api_messages[] = {
	{"not_found", N_("There is nothing here, or it is not yours to see.")},
	{"method_not_allowed", N_("This address does not take that kind of request.")},
	{"body_too_large", N_("That is more than we can take at once. Please send less.")},
	{"unsupported_media_type", N_("Please send the request as JSON (application/json).")},
	{"not_signed_in", N_("Please sign in first.")},
	{"locked", N_("This session locked itself after a while without use. Please unlock it "
		      "with your password.")},
	{"bad_credentials", N_("That login and password (or recovery key) do not match.")},
	{"cookie_conflict",
	 N_("Your browser sent two sign-in cookies for this site, and one of them may have been "
	    "put "
	    "there by someone else. Please clear this site's cookies, then sign in again.")},
	{"unknown_host",
	 N_("Invite links carry a secret, so they are made only for this server's own address. "
	    "Please open kintsugi at its usual address, or ask the person who runs it to set its "
	    "public address.")},
	{"csrf_failed",
	 N_("This request could not be verified. Please reload the page and try again.")},
	{"wrong_password", N_("That password is not right.")},
	{"wrong_recovery_key", N_("That is not your current recovery key.")},
	{"second_factor_required",
	 N_("Your password was right. Please also send the 6-digit code from your authenticator "
	    "app, or one of your recovery codes.")},
	{"code_required",
	 N_("Two-step sign-in is on: please also send the 6-digit code from your authenticator "
	    "app, or one of your recovery codes.")},
	{"wrong_code", N_("That code is not right, or it has been used already.")},
	{"second_factor_on", N_("Two-step sign-in is already on.")},
	{"passkey_limit",
	 N_("You have as many passkeys as kintsugi keeps, or this one already. Remove one first.")},
	{"second_factor_off", N_("Two-step sign-in is not on, or its set-up has not begun.")},
	{"passkeys_remain",
	 N_("Please remove your passkeys first: they rely on two-step sign-in's recovery codes, "
	    "which go when it is turned off.")},
	{"forbidden", N_("You cannot do this here.")},
	{"paused", N_("The couple exercises are paused for you after your safety check. Your "
		      "journal, your settings and the help stay open.")},
	{"login_taken", N_("That login is already taken. Please choose another.")},
	{"couple_full", N_("You are already two: there is no one left to invite.")},
	{"rate_limited", N_("Too many tries. Please wait a little and try again.")},
	{"busy", N_("We are busy for a moment. Please try again shortly.")},
	{"unavailable", N_("The service is not available right now. Please try again shortly.")},
	{"storage_unavailable",
	 N_("We could not save this just now: the server cannot reach its storage. Nothing was "
	    "changed. Please keep a copy of what you wrote and try again in a little while.")},
	{"conflict", N_("This changed at the same moment somewhere else. Please reload it and "
			"try again.")},
	{"internal",
	 N_("Something went wrong on our side. Nothing you sent was lost; please try again.")},
};

static void api_reply_head(struct kreq *r, int status)
{
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	r->private_page = 1;
}

int api_reply(struct kreq *r, int status, json_t *body)
{
	char *text;
	size_t len;
	int e;

	api_reply_head(r, status);
	if (!body) {
		r->resp_body = NULL;
		r->resp_len = 0;
		return 0;
	}
	e = json_out(body, &text, &len);
	json_decref(body);
	if (e < 0)
		return e;
	r->resp_body = text;
	r->resp_len = len;
	return 0;
}

int api_reply_writer(struct kreq *r, int status, struct json_writer *w)
{
	char *text;
	size_t len;
	int e;

	api_reply_head(r, status);
	e = json_writer_finish(w, &text, &len);
	if (e < 0)
		return e;
	r->resp_body = text;
	r->resp_len = len;
	return 0;
}

/* {"error":{"code":code,"message":message}}: written directly, as errors can come in floods. */
int api_error_say(struct kreq *r, int status, const char *code, const char *message)
{
	struct json_writer w;

	json_writer_init(&w, 256);
	json_writer_begin_object(&w);
	json_writer_key(&w, "error");
	json_writer_begin_object(&w);
	json_writer_key(&w, "code");
	json_writer_string(&w, code, strlen(code));
	json_writer_key(&w, "message");
	json_writer_string(&w, message, strlen(message));
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	return api_reply_writer(r, status, &w);
}

/* The sentence of an error code, untranslated (the table's last one when unknown). */
static const char *api_message(const char *code)
{
	size_t i, n = sizeof(api_messages) / sizeof(api_messages[0]);

	for (i = 0; i < n; i++)
		if (strcmp(api_messages[i].code, code) == 0)
			return api_messages[i].message;
	return api_messages[n - 1].message;
}

int api_error(struct kreq *r, int status, const char *code)
{
	return api_error_say(r, status, code, _(api_message(code)));
}

int api_error_with(struct kreq *r, int status, const char *code, const char *key, json_t *extra)
{
	json_t *o = json_pack("{s:{s:s,s:s},s:o}", "error", "code", code, "message",
			      _(api_message(code)), key, extra);

	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

int api_error_input(struct kreq *r, const struct input_error *err)
{
	return api_error_say(r, 400, err->code, kreq_input_message(err));
}

int api_health(struct kreq *r)
{
	struct json_writer w;

	json_writer_init(&w, 32);
	json_writer_begin_object(&w);
	json_writer_key(&w, "status");
	json_writer_string(&w, "ok", 2);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

json_t *api_json_member(const struct member_view *v)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "id", v->id, "display_name", v->display_name, "role",
			 v->role, "language", v->language);
}

json_t *api_json_couple(const struct member_view *v)
{
	json_t *partners = json_array(), *o;
	size_t i;

	if (!partners)
		return NULL;
	for (i = 0; i < v->npartners; i++) {
		json_t *p = json_pack("{s:s,s:s}", "id", v->partners[i].id, "display_name",
				      v->partners[i].display_name);
		if (!p || json_array_append_new(partners, p) < 0) {
			json_decref(partners);
			return NULL;
		}
	}
	o = json_pack("{s:s,s:o,s:s,s:b}", "id", v->couple_id, "partners", partners, "created_at",
		      v->couple_created_at, "partner_left", v->has_former && v->npartners < 2);
	return o;
}

void api_write_entry(struct json_writer *w, const struct journal_entry *e)
{
	json_writer_begin_object(w);
	JSON_WRITER_KEY(w, "id");
	json_writer_string(w, e->id, strlen(e->id));
	JSON_WRITER_KEY(w, "body");
	json_writer_string(w, e->body, e->body_len);
	JSON_WRITER_KEY(w, "prompt");
	json_writer_string_or_null(w, e->prompt);
	JSON_WRITER_KEY(w, "created_at");
	json_writer_string(w, e->created_at, strlen(e->created_at));
	JSON_WRITER_KEY(w, "updated_at");
	json_writer_string(w, e->updated_at, strlen(e->updated_at));
	json_writer_end_object(w);
}

/* Turns a core outcome into an answer: positive outcomes by table, errors 500. */
int api_outcome(struct kreq *r, int outcome)
{
	if (outcome < 0)
		return outcome;
	switch (outcome) {
	case ACCOUNT_LOGIN_TAKEN:
		return api_error(r, 409, "login_taken");
	case ACCOUNT_BAD_CREDENTIALS:
		return api_error(r, 401, "bad_credentials");
	case ACCOUNT_WRONG_PASSWORD:
		return api_error(r, 403, "wrong_password");
	case ACCOUNT_WRONG_RECOVERY:
		return api_error(r, 403, "wrong_recovery_key");
	case ACCOUNT_SECOND_FACTOR_REQUIRED:
		r->half_signed_in = 1;
		return api_error(r, 401, "second_factor_required");
	case ACCOUNT_CODE_REQUIRED:
		return api_error(r, 403, "code_required");
	case ACCOUNT_WRONG_CODE:
		return api_error(r, 403, "wrong_code");
	case ACCOUNT_FACTOR_ON:
		return api_error(r, 409, "second_factor_on");
	case ACCOUNT_FACTOR_OFF:
		return api_error(r, 409, "second_factor_off");
	case ACCOUNT_PASSKEY_FULL:
		return api_error(r, 409, "passkey_limit");
	case ACCOUNT_PASSKEYS_REMAIN:
		return api_error(r, 409, "passkeys_remain");
	case ACCOUNT_PASSKEY_NO_PRF:
		return api_error_say(r, 409, "passkey_cannot_sign_in",
				     _("This passkey cannot sign you in on its own. Passkeys added "
				       "before this was possible, and some security keys, cannot: "
				       "you may add this one again, or keep it as a second step."));
	case ACCOUNT_INVITE_INVALID:
	case ACCOUNT_NOT_FOUND:
		return api_error(r, 404, "not_found");
	case ACCOUNT_COUPLE_FULL:
		return api_error(r, 409, "couple_full");
	case ACCOUNT_ALONE:
		return api_error_say(r, 409, "no_partner",
				     _("There is no partner in your shared space to leave."));
	case ACCOUNT_FORBIDDEN:
		return api_error(r, 403, "forbidden");
	case ACCOUNT_BUSY:
		r->retry_after = 5;
		return api_error(r, 429, "busy");
	default:
		return -EINVAL;
	}
}

/*
 * What the handlers of statements, commitments, check-ins, cards, offers
 * and activities share (api-statement.c to api-activity.c; declared in
 * api-json.h).
 */

/* A STATEMENT_* or COMMITMENT_* outcome (or a negative errno) as an answer. */
int step1_outcome(struct kreq *r, int outcome)
{
	if (outcome < 0)
		return outcome;
	switch (outcome) {
	case STATEMENT_NOTFOUND: /* == COMMITMENT_NOTFOUND */
		return api_error(r, 404, "not_found");
	case STATEMENT_DELIVERED:
		return api_error_say(r, 409, "already_delivered",
				     _("This statement has been delivered, so it can no longer "
				       "change. You can write a new one at any time."));
	case STATEMENT_INCOMPLETE:
		return api_error_say(r, 400, "statement_incomplete",
				     _("Before you deliver it, please write what you did and what "
				       "you will do differently."));
	case STATEMENT_FORBIDDEN:
		return api_error_say(r, 403, "forbidden",
				     _("You wrote this statement, so the response is your "
				       "partner's to give."));
	default:
		return -EINVAL;
	}
}

/* Any query parameter is refused, as the journal does with unknown ones. */
int step1_no_query(struct kreq *r)
{
	struct input_error err = {.code = INPUT_INVALID_VALUE};

	if (r->nquery == 0)
		return 0;
	snprintf(err.field, sizeof(err.field), "%s", r->query[0].name);
	api_error_input(r, &err);
	return 1;
}

/* A string of len bytes, or null when len is 0 and empty_is_null. */
json_t *text_or_null(const char *s, size_t len, int empty_is_null)
{
	if (!s || (len == 0 && empty_is_null))
		return json_null();
	return json_stringn(s, len);
}

json_t *shared_json(unsigned bits)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	if ((bits & ACCESS_SHARE_PARTNER) && json_array_append_new(a, json_string("partner")) < 0)
		goto fail;
	if ((bits & ACCESS_SHARE_CARE) && json_array_append_new(a, json_string("care")) < 0)
		goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* "" as JSON null, else the string. */
json_t *time_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

int api_reply_one(struct kreq *r, int status, const char *key, json_t *one)
{
	json_t *o = one ? json_pack("{s:o}", key, one) : NULL;

	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

int api_reply_list(struct kreq *r, const char *key, const void *list, size_t n, size_t size,
		   api_json_fn json)
{
	const unsigned char *p = list;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++) {
		json_t *one = json(p + i * size);

		if (!one || json_array_append_new(arr, one) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return api_reply_one(r, 200, key, arr);
}

/* The one mapping of an item outcome (core/item.h) to an answer. */
int api_item_outcome_say(struct kreq *r, int outcome, const char *field, const char *message)
{
	static const struct {
		int outcome, status;
		const char *code;
	} map[] = {
		{ITEM_NOTFOUND, 404, "not_found"},
		{ITEM_FORBIDDEN, 403, "forbidden"},
		{ITEM_CONFLICT, 409, "conflict"},
	};
	struct input_error err = {.code = INPUT_INVALID_VALUE};
	size_t i;

	if (outcome < 0)
		return outcome;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].outcome != outcome)
			continue;
		if (message)
			return api_error_say(r, map[i].status, map[i].code, message);
		return api_error(r, map[i].status, map[i].code);
	}
	if (outcome != ITEM_INVALID)
		return -EIO;
	snprintf(err.field, sizeof(err.field), "%s", field ? field : "");
	return message ? api_error_say(r, 400, err.code, message) : api_error_input(r, &err);
}

int api_item_outcome(struct kreq *r, int outcome, const char *field)
{
	return api_item_outcome_say(r, outcome, field, NULL);
}
