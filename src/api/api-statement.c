/*
 * api-statement.c: the statement routes of API.md: accountability
 * statements (with the statement check's flags) and the partner's
 * responses.
 *
 * Core decides who sees what; its outcomes become statuses in one place,
 * step1_outcome() in api.c, shared with api-commitment.c: a statement the
 * caller may not see is 404 exactly as a random id, a delivered statement
 * that someone tries to change is 409, a delivery without what-I-did or
 * repair is 400, and the author answering their own statement is 403.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/statement.h"

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
static json_t *statement_json(const void *elem)
{
	const struct statement *st = elem;
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
	/* the message coach's hints on each part, for the author too (api-coach.c) */
	for (i = 0; !bad && st->mine && i < _STATEMENT_PART_MAX; i++)
		bad = api_coach_flags(o, statement_part_name(i), NULL) < 0;
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
	int e = api_reply_one(r, status, "statement", statement_json(st));

	statement_clear(st);
	return e;
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
	size_t n = 0;
	int e;

	if (step1_no_query(r))
		return 0;
	e = statement_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	e = api_reply_list(r, "statements", list, n, sizeof(*list), statement_json);
	statement_list_free(list, n);
	return e;
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

/*
 * POST /api/v1/statements/check: the statement check over parts being
 * written, for a live check as the member types.  Nothing is stored or
 * sealed; the parts live only in this request.  200 {flags}.
 */
int api_statement_check(struct kreq *r)
{
	const char *parts[_STATEMENT_PART_MAX];
	struct statement st;
	size_t i;

	statement_parts(r, parts);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < _STATEMENT_PART_MAX; i++) {
		st.part[i] = (char *)(parts[i] ? parts[i] : "");
		st.part_len[i] = strlen(st.part[i]);
	}
	return api_reply_one(r, 200, "flags", flags_json(&st));
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
	e = api_reply_one(r, 201, "response", response_json(&resp));
	statement_response_clear(&resp);
	return e;
}
