/*
 * api-step1.c: the step 1 routes of API.md: accountability statements
 * (with the statement check's flags), the partner's responses, and
 * commitments with their reviews.
 *
 * Core decides who sees what; here its outcomes become statuses in one
 * place (step1_outcome): a statement or commitment the caller may not see
 * is 404 exactly as a random id, a delivered statement that someone tries
 * to change is 409, a delivery without what-I-did or repair is 400, and
 * the author answering their own statement is 403.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/commitment.h"
#include "core/statement.h"
#include "i18n/i18n.h"

/* Our own error answers: the codes of this file with their sentences. */
static int step1_error(struct kreq *r, int status, const char *code, const char *message)
{
	json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);

	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* A STATEMENT_* or COMMITMENT_* outcome (or a negative errno) as an answer. */
static int step1_outcome(struct kreq *r, int outcome)
{
	if (outcome < 0)
		return outcome;
	switch (outcome) {
	case STATEMENT_NOTFOUND: /* == COMMITMENT_NOTFOUND */
		return api_error(r, 404, "not_found");
	case STATEMENT_DELIVERED:
		return step1_error(r, 409, "already_delivered",
				   _("This statement has been delivered, so it can no longer "
				     "change. You can write a new one at any time."));
	case STATEMENT_INCOMPLETE:
		return step1_error(r, 400, "statement_incomplete",
				   _("Before you deliver it, please write what you did and what "
				     "you will do differently."));
	case STATEMENT_FORBIDDEN:
		return step1_error(r, 403, "forbidden",
				   _("You wrote this statement, so the response is your "
				     "partner's to give."));
	default:
		return -EINVAL;
	}
}

/* Any query parameter is refused, as the journal does with unknown ones. */
static int step1_no_query(struct kreq *r)
{
	struct input_error err = {.code = INPUT_INVALID_VALUE};

	if (r->nquery == 0)
		return 0;
	snprintf(err.field, sizeof(err.field), "%s", r->query[0].name);
	api_error_input(r, &err);
	return 1;
}

/* ---- statements --------------------------------------------------------- */

/* A string of len bytes, or null when len is 0 and empty_is_null. */
static json_t *text_or_null(const char *s, size_t len, int empty_is_null)
{
	if (!s || (len == 0 && empty_is_null))
		return json_null();
	return json_stringn(s, len);
}

static json_t *response_json(const struct statement_response *resp)
{
	json_t *landed = text_or_null(resp->landed, resp->landed_len, 1);
	json_t *still = text_or_null(resp->still_need, resp->still_need_len, 1);

	if (!landed || !still) {
		json_decref(landed);
		json_decref(still);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:s,s:b,s:o,s:o,s:s}", "id", resp->id, "statement_id",
			 resp->statement_id, "author_id", resp->author_id, "read", 1, "landed",
			 landed, "still_need", still, "created_at", resp->created_at);
}

/* The statement check's findings, with the exact words and a kind sentence. */
static json_t *flags_json(const struct statement *st)
{
	struct statement_flag flags[STATEMENT_FLAGS_MAX];
	json_t *arr = json_array(), *o;
	size_t n = 0, i;

	if (!arr || statement_check(st, flags, STATEMENT_FLAGS_MAX, &n) < 0) {
		json_decref(arr);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s,s:s,s:s%,s:s}", "pattern",
			      apology_pattern_name(flags[i].pattern), "field",
			      statement_part_name(flags[i].part), "match",
			      st->part[flags[i].part] + flags[i].start, flags[i].len, "suggestion",
			      apology_suggestion(flags[i].pattern));
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/*
 * statement_json() - a statement as API.md shapes it.  flags only for its
 * author: the check is a mirror for the one who writes, never a judgement
 * shown to the one who reads.
 */
static json_t *statement_json(const struct statement *st)
{
	json_t *o = json_object(), *responses = json_array(), *v;
	size_t i;
	int bad = !o || !responses;

	if (!bad)
		bad = json_object_set_new(o, "id", json_string(st->id)) < 0 ||
		      json_object_set_new(o, "author_id", json_string(st->author_id)) < 0 ||
		      json_object_set_new(o, "status",
					  json_string(st->delivered ? "delivered" : "draft")) < 0;
	for (i = 0; !bad && i < _STATEMENT_PART_MAX; i++) {
		v = text_or_null(st->part[i], st->part_len[i], i == STATEMENT_FORGIVENESS);
		bad = !v || json_object_set_new(o, statement_part_name(i), v) < 0;
	}
	for (i = 0; !bad && i < st->nresponses; i++) {
		v = response_json(&st->responses[i]);
		bad = !v || json_array_append_new(responses, v) < 0;
	}
	if (!bad) {
		bad = json_object_set_new(o, "created_at", json_string(st->created_at)) < 0 ||
		      json_object_set_new(o, "updated_at", json_string(st->updated_at)) < 0 ||
		      json_object_set_new(o, "delivered_at",
					  st->delivered ? json_string(st->delivered_at)
							: json_null()) < 0 ||
		      json_object_set(o, "responses", responses) < 0;
	}
	if (!bad && st->mine) {
		v = flags_json(st);
		bad = !v || json_object_set_new(o, "flags", v) < 0;
	}
	json_decref(responses);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Answers {statement} and clears st. */
static int statement_reply(struct kreq *r, int status, struct statement *st)
{
	json_t *one = statement_json(st);
	json_t *o = one ? json_pack("{s:o}", "statement", one) : NULL;

	statement_clear(st);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

/* The six parts from the validated body, in enum order (NULL: absent). */
static void statement_parts(const struct kreq *r, const char *parts[_STATEMENT_PART_MAX])
{
	size_t i;

	for (i = 0; i < _STATEMENT_PART_MAX; i++)
		parts[i] = kreq_str(r, statement_part_name(i));
}

int api_statements_list(struct kreq *r)
{
	struct statement *list = NULL;
	json_t *arr, *o;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = statement_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	arr = json_array();
	for (i = 0; arr && i < n; i++) {
		json_t *one = statement_json(&list[i]);

		if (!one || json_array_append_new(arr, one) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	statement_list_free(list, n);
	o = arr ? json_pack("{s:o}", "statements", arr) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

int api_statement_create(struct kreq *r)
{
	const char *parts[_STATEMENT_PART_MAX];
	struct statement st;
	int e;

	statement_parts(r, parts);
	e = statement_create(r->core, r->session, parts, &st);
	if (e != 0)
		return step1_outcome(r, e);
	return statement_reply(r, 201, &st);
}

int api_statement_get(struct kreq *r)
{
	struct statement st;
	int e = statement_read(r->core, r->session, r->params[0], &st);

	if (e != 0)
		return step1_outcome(r, e);
	return statement_reply(r, 200, &st);
}

int api_statement_put(struct kreq *r)
{
	const char *parts[_STATEMENT_PART_MAX];
	struct statement st;
	int e;

	statement_parts(r, parts);
	e = statement_change(r->core, r->session, r->params[0], parts, &st);
	if (e != 0)
		return step1_outcome(r, e);
	return statement_reply(r, 200, &st);
}

int api_statement_deliver(struct kreq *r)
{
	struct statement st;
	int e = statement_deliver(r->core, r->session, r->params[0], &st);

	if (e != 0)
		return step1_outcome(r, e);
	return statement_reply(r, 200, &st);
}

int api_statement_respond(struct kreq *r)
{
	struct statement_response resp;
	json_t *one, *o;
	int e;

	/* "read" is how a response begins: there is no unread answer */
	if (!json_is_true(json_object_get(r->json, "read"))) {
		struct input_error err = {.code = INPUT_INVALID_VALUE, .field = "read"};

		return api_error_input(r, &err);
	}
	e = statement_respond(r->core, r->session, r->params[0], kreq_str(r, "landed"),
			      kreq_str(r, "still_need"), &resp);
	if (e != 0)
		return step1_outcome(r, e);
	one = response_json(&resp);
	statement_response_clear(&resp);
	o = one ? json_pack("{s:o}", "response", one) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 201, o);
}

/* ---- commitments -------------------------------------------------------- */

static json_t *commitment_json(const struct commitment *cm)
{
	json_t *reviews = json_array(), *o;
	size_t i;

	for (i = 0; reviews && i < cm->nreviews; i++) {
		const struct commitment_review *rv = &cm->reviews[i];
		json_t *note = text_or_null(rv->note, rv->note_len, 1);
		json_t *one = note ? json_pack("{s:s,s:o,s:s}", "status",
					       commitment_status_name(rv->status), "note", note,
					       "at", rv->at)
				   : NULL;

		if (!one || json_array_append_new(reviews, one) < 0) {
			json_decref(one);
			json_decref(reviews);
			reviews = NULL;
		}
	}
	if (!reviews)
		return NULL;
	o = json_pack("{s:s,s:s%,s:i,s:s,s:s,s:b,s:o}", "id", cm->id, "text", cm->text,
		      cm->text_len, "review_every_days", cm->review_every_days, "created_at",
		      cm->created_at, "next_review_on", cm->next_review_on, "due", cm->due,
		      "reviews", reviews);
	return o;
}

static int commitment_reply(struct kreq *r, int status, struct commitment *cm)
{
	json_t *one = commitment_json(cm);
	json_t *o = one ? json_pack("{s:o}", "commitment", one) : NULL;

	commitment_clear(cm);
	if (!o)
		return -ENOMEM;
	return api_reply(r, status, o);
}

int api_commitments_list(struct kreq *r)
{
	struct commitment *list = NULL;
	json_t *arr, *o;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = commitment_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	arr = json_array();
	for (i = 0; arr && i < n; i++) {
		json_t *one = commitment_json(&list[i]);

		if (!one || json_array_append_new(arr, one) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	commitment_list_free(list, n);
	o = arr ? json_pack("{s:o}", "commitments", arr) : NULL;
	if (!o)
		return -ENOMEM;
	return api_reply(r, 200, o);
}

int api_commitment_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	json_t *every = json_object_get(r->json, "review_every_days");
	struct commitment cm;
	int e;

	if (!text || !json_is_integer(every))
		return -EINVAL; /* the routing table requires both */
	e = commitment_add(r->core, r->session, text, strlen(text), (int)json_integer_value(every),
			   &cm);
	if (e != 0)
		return step1_outcome(r, e);
	return commitment_reply(r, 201, &cm);
}

int api_commitment_get(struct kreq *r)
{
	struct commitment cm;
	int e = commitment_read(r->core, r->session, r->params[0], &cm);

	if (e != 0)
		return step1_outcome(r, e);
	return commitment_reply(r, 200, &cm);
}

int api_commitment_put(struct kreq *r)
{
	enum commitment_status status;
	const char *note = kreq_str(r, "note");
	struct commitment cm;
	int e;

	if (commitment_status_parse(kreq_str(r, "status"), &status) < 0)
		return -EINVAL; /* the routing table allows only the three names */
	e = commitment_review(r->core, r->session, r->params[0], status, note, &cm);
	if (e != 0)
		return step1_outcome(r, e);
	return commitment_reply(r, 200, &cm);
}
