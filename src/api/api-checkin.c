/*
 * api-checkin.c: the check-in routes of API.md ("Check-ins") and the
 * couple with its rhythm (GET and PUT /api/v1/couple), which decides the
 * period a check-in is for.  Each handler reads the body its route
 * declared (already validated), calls core, and turns the outcome into an
 * answer here, at the edge: a check-in another couple owns, or one hidden
 * from the caller by the simultaneous reveal, answers exactly like a
 * random id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/account.h"
#include "core/checkin.h"
#include "i18n/i18n.h"

/* The {error} for a query parameter that is not right. */
static int step2_bad_query(struct kreq *r, const char *code, const char *field)
{
	struct input_error err = {.code = code};

	snprintf(err.field, sizeof(err.field), "%s", field);
	return api_error_input(r, &err);
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
		      "note", text_or_null(ci->note, ci->note_len, 0), "shared_with",
		      shared_json(ci->shared_with), "created_at", ci->created_at, "updated_at",
		      ci->updated_at);
	return o;
}

static int checkin_reply(struct kreq *r, int status, struct checkin *ci)
{
	int e = api_reply_one(r, status, "checkin", checkin_json(ci));

	checkin_clear(ci);
	return e;
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
	in->shared_with = kreq_shared_bits(json_object_get(r->json, "shared_with"));
}

/* The sentence for a period the couple's rhythm does not take. */
static int checkin_bad_period(struct kreq *r)
{
	char rhythm[8];

	if (checkin_rhythm_get(r->core, r->session, rhythm) == 0 && !strcmp(rhythm, "weekly"))
		return api_error_say(r, 400, INPUT_INVALID_VALUE,
				     _("You check in once a week: please choose the Monday of "
				       "this week or of a week that has passed."));
	return api_error_say(r, 400, INPUT_INVALID_VALUE,
			     _("Please choose today, tomorrow at the latest, or a day that "
			       "has passed."));
}

static int checkin_outcome(struct kreq *r, int e)
{
	switch (e) {
	case CHECKIN_NOTFOUND:
		return api_error(r, 404, "not_found");
	case CHECKIN_CONFLICT:
		return api_error_say(
			r, 409, "conflict",
			_("You have already checked in for this period. You can change "
			  "that check-in instead."));
	case CHECKIN_BAD_PERIOD:
		return checkin_bad_period(r);
	case CHECKIN_FORBIDDEN:
		return api_error_say(
			r, 403, "forbidden",
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
	json_t *couple;
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
	return api_reply_one(r, 200, "couple", couple);
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
