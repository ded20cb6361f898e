/*
 * api-commitment.c: the commitment routes of API.md: what a member will do
 * differently, with the reviews they make of it over time (kept, slipped,
 * renewed).  A commitment is its author's alone: one the caller may not see
 * is 404 exactly as a random id, through step1_outcome() in api.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/commitment.h"

static json_t *commitment_json(const void *elem)
{
	const struct commitment *cm = elem;
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
	int e = api_reply_one(r, status, "commitment", commitment_json(cm));

	commitment_clear(cm);
	return e;
}

int api_commitments_list(struct kreq *r)
{
	struct commitment *list = NULL;
	size_t n = 0;
	int e;

	if (step1_no_query(r))
		return 0;
	e = commitment_list(r->core, r->session, &list, &n);
	if (e != 0)
		return e < 0 ? e : -EIO;
	e = api_reply_list(r, "commitments", list, n, sizeof(*list), commitment_json);
	commitment_list_free(list, n);
	return e;
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
