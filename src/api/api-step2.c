/*
 * api-step2.c: the step 2 routes of API.md ("Check-ins", "Openness,
 * offers, activities") and the couple's rhythm.  Each handler reads the
 * body its route declared (already validated), calls core, and turns the
 * outcome into an answer here, at the edge: an item another couple owns, or
 * one hidden from the caller, answers exactly like a random id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/access.h"
#include "core/account.h"
#include "core/activity.h"
#include "core/checkin.h"
#include "core/offer.h"
#include "core/share.h"
#include "i18n/i18n.h"

/* A JSON error with a sentence chosen here (api.c's table has the common ones). */
static int step2_error(struct kreq *r, int status, const char *code, const char *message)
{
	json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);

	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* 400 for one field, with a sentence of our own. */
static int step2_field_error(struct kreq *r, const char *code, const char *message)
{
	return step2_error(r, 400, code, message);
}

/* The {error} for a query parameter that is not right. */
static int step2_bad_query(struct kreq *r, const char *code, const char *field)
{
	struct input_error err = {.code = code};

	snprintf(err.field, sizeof(err.field), "%s", field);
	return api_error_input(r, &err);
}

static unsigned shared_bits(const json_t *arr)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));

		if (v && !strcmp(v, "partner"))
			bits |= ACCESS_SHARE_PARTNER;
		else if (v && !strcmp(v, "care"))
			bits |= ACCESS_SHARE_CARE;
	}
	return bits;
}

static json_t *shared_json(unsigned bits)
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

/* A string of len bytes, or JSON null when s is NULL. */
static json_t *text_or_null(const char *s, size_t len)
{
	return s ? json_stringn(s, len) : json_null();
}

/* "" as JSON null, else the string. */
static json_t *time_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The json_t value of an integer field the route declared. */
static int int_field(const struct kreq *r, const char *name)
{
	return (int)json_integer_value(json_object_get(r->json, name));
}

/* Check-ins ------------------------------------------------------------------- */

static json_t *checkin_json(const struct checkin *ci)
{
	json_t *scores = json_object(), *o;
	size_t i;

	if (!scores)
		return NULL;
	for (i = 0; i < _CHECKIN_DIM_MAX; i++) {
		if (json_object_set_new(scores, checkin_dims[i], json_integer(ci->scores[i])) < 0) {
			json_decref(scores);
			return NULL;
		}
	}
	o = json_pack("{s:s,s:s,s:b,s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:s,s:s}", "id", ci->id,
		      "author_id", ci->author_id, "mine", ci->mine, "period", ci->period, "rhythm",
		      ci->rhythm, "scores", scores, "trust", ci->trust, "closeness", ci->closeness,
		      "note", text_or_null(ci->note, ci->note_len), "shared_with",
		      shared_json(ci->shared_with), "created_at", ci->created_at, "updated_at",
		      ci->updated_at);
	return o;
}

static int checkin_reply(struct kreq *r, int status, struct checkin *ci)
{
	json_t *one = checkin_json(ci);
	json_t *o = one ? json_pack("{s:o}", "checkin", one) : NULL;

	checkin_clear(ci);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* The body of POST or PUT as core input (the route checked every field). */
static void checkin_input_from(const struct kreq *r, struct checkin_input *in)
{
	const json_t *scores = json_object_get(r->json, "scores");
	const char *note = kreq_str(r, "note");
	size_t i;

	memset(in, 0, sizeof(*in));
	in->period = kreq_str(r, "period");
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		in->scores[i] = (int)json_integer_value(json_object_get(scores, checkin_dims[i]));
	in->trust = int_field(r, "trust");
	in->closeness = int_field(r, "closeness");
	in->note = note && *note ? note : NULL;
	in->note_len = in->note ? strlen(note) : 0;
	in->shared_with = shared_bits(json_object_get(r->json, "shared_with"));
}

/* The sentence for a period the couple's rhythm does not take. */
static int checkin_bad_period(struct kreq *r)
{
	char rhythm[8];

	if (checkin_rhythm_get(r->core, r->session, rhythm) == 0 && !strcmp(rhythm, "weekly"))
		return step2_field_error(r, INPUT_INVALID_VALUE,
					 _("You check in once a week: please choose the Monday of "
					   "this week or of a week that has passed."));
	return step2_field_error(r, INPUT_INVALID_VALUE,
				 _("Please choose today, tomorrow at the latest, or a day that "
				   "has passed."));
}

static int checkin_outcome(struct kreq *r, int e)
{
	switch (e) {
	case CHECKIN_NOTFOUND:
		return api_error(r, 404, "not_found");
	case CHECKIN_CONFLICT:
		return step2_error(r, 409, "conflict",
				   _("You have already checked in for this period. You can change "
				     "that check-in instead."));
	case CHECKIN_BAD_PERIOD:
		return checkin_bad_period(r);
	case CHECKIN_FORBIDDEN:
		return step2_error(r, 403, "forbidden",
				   _("This is your partner's check-in. Only they can change it."));
	case CHECKIN_BAD_RANGE:
		return step2_bad_query(r, INPUT_OUT_OF_RANGE, "from");
	default:
		return e < 0 ? e : -EIO;
	}
}

/* POST /api/v1/checkins */
int api_checkins_create(struct kreq *r)
{
	struct checkin_input in;
	struct checkin ci;
	int e;

	checkin_input_from(r, &in);
	memset(&ci, 0, sizeof(ci));
	e = checkin_add(r->core, r->session, &in, &ci);
	if (e == CHECKIN_FORBIDDEN)
		return api_error(r, 403, "forbidden"); /* not a partner */
	if (e != 0)
		return checkin_outcome(r, e);
	return checkin_reply(r, 201, &ci);
}

/* PUT /api/v1/checkins/{id} */
int api_checkins_put(struct kreq *r)
{
	struct checkin_input in;
	struct checkin ci;
	int e;

	checkin_input_from(r, &in);
	memset(&ci, 0, sizeof(ci));
	e = checkin_change(r->core, r->session, r->params[0], &in, &ci);
	if (e != 0)
		return checkin_outcome(r, e);
	return checkin_reply(r, 200, &ci);
}

/* GET /api/v1/checkins/{id} */
int api_checkins_get(struct kreq *r)
{
	struct checkin ci;
	int e;

	memset(&ci, 0, sizeof(ci));
	e = checkin_read(r->core, r->session, r->params[0], &ci);
	if (e != 0)
		return checkin_outcome(r, e);
	return checkin_reply(r, 200, &ci);
}

/*
 * GET /api/v1/checkins?from=&to=: both optional.  Without `to`, the range
 * ends today + 1, or a year after `from`, whichever comes first; without
 * `from` it starts a year before `to`.
 */
int api_checkins_list(struct kreq *r)
{
	const char *qfrom = kreq_query(r, "from"), *qto = kreq_query(r, "to");
	char from[CHECKIN_DATE_LEN + 1], to[CHECKIN_DATE_LEN + 1], cap[CHECKIN_DATE_LEN + 1];
	struct checkin_list list;
	json_t *items, *o;
	long days;
	size_t i;
	int e;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, "from") != 0 && strcmp(r->query[i].name, "to") != 0)
			return step2_bad_query(r, INPUT_INVALID_VALUE, r->query[i].name);
	if (qfrom && checkin_date_days(qfrom, &days) < 0)
		return step2_bad_query(r, INPUT_INVALID_VALUE, "from");
	if (qto && checkin_date_days(qto, &days) < 0)
		return step2_bad_query(r, INPUT_INVALID_VALUE, "to");
	if (qto) {
		snprintf(to, sizeof(to), "%s", qto);
	} else {
		checkin_today(to, CHECKIN_FUTURE_DAYS);
		if (qfrom && checkin_date_add(qfrom, CHECKIN_RANGE_MAX_DAYS - 1, cap) == 0 &&
		    strcmp(cap, to) < 0)
			memcpy(to, cap, sizeof(to));
	}
	if (qfrom)
		snprintf(from, sizeof(from), "%s", qfrom);
	else if (checkin_date_add(to, -(CHECKIN_RANGE_MAX_DAYS - 1), from) < 0)
		snprintf(from, sizeof(from), "0001-01-01");
	if (strcmp(from, to) > 0)
		return step2_bad_query(r, INPUT_INVALID_VALUE, qfrom ? "from" : "to");

	memset(&list, 0, sizeof(list));
	e = checkin_list(r->core, r->session, from, to, &list);
	if (e == CHECKIN_BAD_RANGE)
		return step2_bad_query(r, INPUT_OUT_OF_RANGE, "to");
	if (e != 0)
		return checkin_outcome(r, e);
	items = json_array();
	for (i = 0; items && i < list.n; i++) {
		json_t *one = checkin_json(&list.items[i]);

		if (!one || json_array_append_new(items, one) < 0) {
			json_decref(items);
			items = NULL;
		}
	}
	o = items ? json_pack("{s:o,s:I}", "checkins", items, "waiting", (json_int_t)list.waiting)
		  : NULL;
	checkin_list_free(&list);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* The couple and its rhythm -------------------------------------------------- */

static int couple_reply(struct kreq *r)
{
	struct member_view v;
	char rhythm[8];
	json_t *couple, *o;
	int e;

	memset(&v, 0, sizeof(v));
	e = account_describe(r->core, r->session, &v);
	if (e != 0)
		return e < 0 ? e : -EIO;
	e = checkin_rhythm_get(r->core, r->session, rhythm);
	if (e != 0)
		return e < 0 ? e : -EIO;
	couple = api_json_couple(&v);
	if (!couple || json_object_set_new(couple, "rhythm", json_string(rhythm)) < 0) {
		json_decref(couple);
		return -ENOMEM;
	}
	o = json_pack("{s:o}", "couple", couple);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* GET /api/v1/couple */
int api_couple_get(struct kreq *r)
{
	return couple_reply(r);
}

/* PUT /api/v1/couple {rhythm} */
int api_couple_put(struct kreq *r)
{
	int e = checkin_rhythm_set(r->core, r->session, kreq_str(r, "rhythm"));

	if (e == CHECKIN_FORBIDDEN)
		return api_error(r, 403, "forbidden");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return couple_reply(r);
}

/* Openness cards ----------------------------------------------------------- */

static json_t *ack_json(const struct share_ack *a, const char *share_id)
{
	json_t *o = json_pack("{s:s,s:s,s:o,s:s}", "id", a->id, "author_id", a->author_id, "reply",
			      text_or_null(a->reply, a->reply_len), "created_at", a->created_at);

	if (o && share_id && json_object_set_new(o, "share_id", json_string(share_id)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *share_json(const struct share *sh)
{
	return json_pack(
		"{s:s,s:s,s:b,s:s,s:s%,s:o,s:s,s:o,s:b}", "id", sh->id, "author_id", sh->author_id,
		"mine", sh->mine, "kind", share_kinds[sh->kind], "body", sh->body, sh->body_len,
		"shared_with", shared_json(sh->shared_with), "created_at", sh->created_at, "ack",
		sh->acked ? ack_json(&sh->ack, NULL) : json_null(), "can_ack", sh->can_ack);
}

/* GET /api/v1/shares */
int api_shares_list(struct kreq *r)
{
	struct share *list = NULL;
	json_t *items, *o;
	size_t n = 0, i;
	int e;

	e = share_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	items = json_array();
	for (i = 0; items && i < n; i++) {
		json_t *one = share_json(&list[i]);

		if (!one || json_array_append_new(items, one) < 0) {
			json_decref(items);
			items = NULL;
		}
	}
	share_list_free(list, n);
	o = items ? json_pack("{s:o}", "shares", items) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* POST /api/v1/shares */
int api_shares_create(struct kreq *r)
{
	const char *body = kreq_str(r, "body");
	int kind = share_kind_from(kreq_str(r, "kind"));
	struct share sh;
	json_t *one, *o;
	int e;

	if (kind < 0 || !body)
		return -EINVAL;
	memset(&sh, 0, sizeof(sh));
	e = share_add(r->core, r->session, (enum share_kind)kind, body, strlen(body),
		      shared_bits(json_object_get(r->json, "shared_with")), &sh);
	if (e == SHARE_FORBIDDEN)
		return api_error(r, 403, "forbidden"); /* not a partner */
	if (e != 0)
		return e < 0 ? e : -EIO;
	one = share_json(&sh);
	o = one ? json_pack("{s:o}", "share", one) : NULL;
	share_clear(&sh);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

/* GET /api/v1/shares/{id} */
int api_shares_get(struct kreq *r)
{
	struct share sh;
	json_t *one, *o;
	int e;

	memset(&sh, 0, sizeof(sh));
	e = share_read(r->core, r->session, r->params[0], &sh);
	if (e == SHARE_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	one = share_json(&sh);
	o = one ? json_pack("{s:o}", "share", one) : NULL;
	share_clear(&sh);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* POST /api/v1/shares/{id}/ack {reply?} */
int api_shares_ack(struct kreq *r)
{
	const char *reply = kreq_str(r, "reply");
	struct share_ack ack;
	json_t *one, *o;
	int e;

	memset(&ack, 0, sizeof(ack));
	e = share_acknowledge(r->core, r->session, r->params[0], reply, reply ? strlen(reply) : 0,
			      &ack);
	switch (e) {
	case SHARE_OK:
		break;
	case SHARE_NOTFOUND:
		return api_error(r, 404, "not_found");
	case SHARE_FORBIDDEN:
		return step2_error(r, 403, "forbidden",
				   _("This is your own card. Your partner is the one who can say "
				     "they heard it."));
	case SHARE_CONFLICT:
		return step2_error(r, 409, "conflict", _("You have already answered this card."));
	default:
		return e < 0 ? e : -EIO;
	}
	one = ack_json(&ack, r->params[0]);
	o = one ? json_pack("{s:o}", "ack", one) : NULL;
	share_ack_clear(&ack);
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

/* Transparency offers ------------------------------------------------------ */

static json_t *offer_json(const struct offer *of)
{
	return json_pack("{s:s,s:s,s:b,s:s%,s:s,s:s,s:o,s:s}", "id", of->id, "author_id",
			 of->author_id, "mine", of->mine, "text", of->text, of->text_len, "until",
			 of->until, "created_at", of->created_at, "ended_at",
			 time_or_null(of->ended_at), "status", offer_statuses[of->status]);
}

static int offer_reply(struct kreq *r, int status, struct offer *of)
{
	json_t *one = offer_json(of);
	json_t *o = one ? json_pack("{s:o}", "offer", one) : NULL;

	offer_clear(of);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* GET /api/v1/offers */
int api_offers_list(struct kreq *r)
{
	struct offer *list = NULL;
	json_t *items, *o;
	size_t n = 0, i;
	int e;

	e = offer_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	items = json_array();
	for (i = 0; items && i < n; i++) {
		json_t *one = offer_json(&list[i]);

		if (!one || json_array_append_new(items, one) < 0) {
			json_decref(items);
			items = NULL;
		}
	}
	offer_list_free(list, n);
	o = items ? json_pack("{s:o}", "offers", items) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* POST /api/v1/offers {text, until} */
int api_offers_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	struct offer of;
	int e;

	if (!text)
		return -EINVAL;
	memset(&of, 0, sizeof(of));
	e = offer_add(r->core, r->session, text, strlen(text), kreq_str(r, "until"), &of);
	if (e == OFFER_FORBIDDEN)
		return api_error(r, 403, "forbidden"); /* not a partner */
	if (e == OFFER_BAD_UNTIL)
		return step2_field_error(r, INPUT_OUT_OF_RANGE,
					 _("Please choose an end date between today and one year "
					   "from today."));
	if (e != 0)
		return e < 0 ? e : -EIO;
	return offer_reply(r, 201, &of);
}

/* GET /api/v1/offers/{id} */
int api_offers_get(struct kreq *r)
{
	struct offer of;
	int e;

	memset(&of, 0, sizeof(of));
	e = offer_read(r->core, r->session, r->params[0], &of);
	if (e == OFFER_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return offer_reply(r, 200, &of);
}

/* POST /api/v1/offers/{id}/end */
int api_offers_end(struct kreq *r)
{
	struct offer of;
	int e;

	memset(&of, 0, sizeof(of));
	e = offer_end(r->core, r->session, r->params[0], &of);
	if (e == OFFER_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e == OFFER_FORBIDDEN)
		return step2_error(r, 403, "forbidden",
				   _("Only the partner who made an offer can end it."));
	if (e != 0)
		return e < 0 ? e : -EIO;
	return offer_reply(r, 200, &of);
}

/* Shared activities ---------------------------------------------------------- */

static json_t *activity_json(const struct activity *a)
{
	return json_pack(
		"{s:s,s:s,s:b,s:s,s:s%,s:s,s:b,s:o,s:o,s:o,s:o,s:s}", "id", a->id, "author_id",
		a->author_id, "mine", a->mine, "kind", activity_kinds[a->kind], "title", a->title,
		a->title_len, "planned_for", a->planned_for, "done", a->done, "done_at",
		time_or_null(a->done_at), "done_by", time_or_null(a->done_by), "felt",
		text_or_null(a->felt, a->felt_len), "partner_felt",
		text_or_null(a->partner_felt, a->partner_felt_len), "created_at", a->created_at);
}

static int activity_reply(struct kreq *r, int status, struct activity *a)
{
	json_t *one = activity_json(a);
	json_t *o = one ? json_pack("{s:o}", "activity", one) : NULL;

	activity_clear(a);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* GET /api/v1/activities */
int api_activities_list(struct kreq *r)
{
	struct activity *list = NULL;
	json_t *items, *o;
	size_t n = 0, i;
	int e;

	e = activity_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	items = json_array();
	for (i = 0; items && i < n; i++) {
		json_t *one = activity_json(&list[i]);

		if (!one || json_array_append_new(items, one) < 0) {
			json_decref(items);
			items = NULL;
		}
	}
	activity_list_free(list, n);
	o = items ? json_pack("{s:o}", "activities", items) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

/* POST /api/v1/activities {kind, title, planned_for} */
int api_activities_create(struct kreq *r)
{
	const char *title = kreq_str(r, "title");
	int kind = activity_kind_from(kreq_str(r, "kind"));
	struct activity a;
	int e;

	if (kind < 0 || !title)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	e = activity_add(r->core, r->session, (enum activity_kind)kind, title, strlen(title),
			 kreq_str(r, "planned_for"), &a);
	if (e == ACTIVITY_FORBIDDEN)
		return api_error(r, 403, "forbidden"); /* not a partner */
	if (e != 0)
		return e < 0 ? e : -EIO;
	return activity_reply(r, 201, &a);
}

/* GET /api/v1/activities/{id} */
int api_activities_get(struct kreq *r)
{
	struct activity a;
	int e;

	memset(&a, 0, sizeof(a));
	e = activity_read(r->core, r->session, r->params[0], &a);
	if (e == ACTIVITY_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return activity_reply(r, 200, &a);
}

/* PUT /api/v1/activities/{id} {done, felt?} */
int api_activities_put(struct kreq *r)
{
	const char *felt = kreq_str(r, "felt");
	struct activity a;
	int e;

	memset(&a, 0, sizeof(a));
	e = activity_mark(r->core, r->session, r->params[0],
			  json_is_true(json_object_get(r->json, "done")), felt,
			  felt ? strlen(felt) : 0, &a);
	if (e == ACTIVITY_NOTFOUND)
		return api_error(r, 404, "not_found");
	if (e != 0)
		return e < 0 ? e : -EIO;
	return activity_reply(r, 200, &a);
}
