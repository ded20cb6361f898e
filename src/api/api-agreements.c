/*
 * api-agreements.c: agreements (API.md, "Boundaries"): GET and POST
 * /api/v1/agreements, GET /api/v1/agreements/{id}, and POST …/accept,
 * …/revise, …/decline, …/retire.  An agreement is the registry's item
 * {id, author_id, mine, category, text, consequence, review_on, note,
 * proposed_by, shared_with, version, created_at, updated_at} with
 * status ("proposed" | "agreed" | "declined" | "retired"), accepted_by
 * (who accepted the current version, its proposer first), review_due, and
 * ended ({how, by, at, note} once declined or retired, else null); GET of
 * one adds versions, oldest first.  status is "agreed" only while both
 * partners accepted the current version.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/agreements.h"
#include "i18n/i18n.h"

static void write_ended(struct json_writer *w, const struct agreement *a)
{
	const char *how = agreement_status_name(a->status);

	json_writer_key(w, "ended");
	if (a->status != AGREEMENT_DECLINED && a->status != AGREEMENT_RETIRED) {
		json_writer_null(w);
		return;
	}
	json_writer_begin_object(w);
	json_writer_key(w, "how");
	json_writer_string(w, how, strlen(how));
	json_writer_key(w, "by");
	json_writer_string(w, a->ended_by, strlen(a->ended_by));
	json_writer_key(w, "at");
	json_writer_string(w, a->ended_at, strlen(a->ended_at));
	json_writer_key(w, "note");
	if (a->end_note)
		json_writer_string(w, a->end_note, a->end_note_len);
	else
		json_writer_null(w);
	json_writer_end_object(w);
}

static void write_agreement(struct json_writer *w, const struct agreement *a, int versions)
{
	const char *status = agreement_status_name(a->status);
	size_t i;

	json_writer_begin_object(w);
	api_write_item_keys(w, &agreement_kind, &a->v);
	json_writer_key(w, "status");
	json_writer_string(w, status, strlen(status));
	json_writer_key(w, "accepted_by");
	json_writer_begin_array(w);
	for (i = 0; i < a->naccepted; i++)
		json_writer_string(w, a->accepted_by[i], strlen(a->accepted_by[i]));
	json_writer_end_array(w);
	json_writer_key(w, "review_due");
	json_writer_bool(w, a->review_due);
	write_ended(w, a);
	if (versions) {
		json_writer_key(w, "versions");
		json_writer_begin_array(w);
		for (i = 0; i < a->nversions; i++)
			api_write_item(w, &agreement_version_kind, &a->versions[i]);
		json_writer_end_array(w);
	}
	json_writer_end_object(w);
}

/* {"agreement": a} with status, its versions included, and a cleared. */
static int agreement_reply(struct kreq *r, int status, struct agreement *a)
{
	struct json_writer w;

	json_writer_init(&w, 2048 + a->nversions * 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "agreement");
	write_agreement(&w, a, 1);
	json_writer_end_object(&w);
	agreement_clear(a);
	return api_reply_writer(r, status, &w);
}

/* An agreement's outcome: a refused turn (forbidden: the sentence for a 403, or NULL) and a
 * change that came too late are said in the agreement's own words. */
static int agreement_outcome(struct kreq *r, int e, const char *field, const char *forbidden)
{
	if (e == ITEM_FORBIDDEN && forbidden)
		return api_item_outcome_say(r, e, NULL, forbidden);
	if (e == ITEM_CONFLICT)
		return api_item_outcome_say(
			r, e, NULL,
			_("This agreement has changed since you read it, or it was declined or "
			  "retired. Please read it again."));
	return api_item_outcome(r, e, field);
}

/* GET /api/v1/agreements */
int api_agreements_list(struct kreq *r)
{
	struct agreement *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = agreements_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 1536);
	json_writer_begin_object(&w);
	json_writer_key(&w, "agreements");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_agreement(&w, &list[i], 0);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	agreements_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* A version from the body: a new agreement (id NULL, 201) or a change to agreement id (200). */
static int version_from_body(struct kreq *r, const char *id)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct agreement a;
	const char *field = NULL;
	unsigned shared;
	int e;

	shared = kreq_item_values(r, &agreement_kind, &v, &scratch);
	if (!json_object_get(r->json, "shared_with"))
		shared = ACCESS_SHARE_PARTNER;
	e = id ? agreement_revise(r->core, r->session, id, &v, &a, &field)
	       : agreement_propose(r->core, r->session, &v, shared, &a, &field);
	if (e != 0)
		return agreement_outcome(r, e, field, NULL);
	return agreement_reply(r, id ? 200 : 201, &a);
}

/* POST /api/v1/agreements {category, text, consequence, review_on, shared_with?} (shared_with:
 * ["partner"] when absent) */
int api_agreements_create(struct kreq *r)
{
	return version_from_body(r, NULL);
}

/* GET /api/v1/agreements/{id} */
int api_agreements_get(struct kreq *r)
{
	struct agreement a;
	int e = agreement_read(r->core, r->session, r->params[0], &a);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return agreement_reply(r, 200, &a);
}

/* POST /api/v1/agreements/{id}/accept {version} */
int api_agreements_accept(struct kreq *r)
{
	json_t *version = json_object_get(r->json, "version");
	struct agreement a;
	int e;

	e = agreement_accept(r->core, r->session, r->params[0], json_integer_value(version), &a);
	if (e != 0)
		return agreement_outcome(r, e, NULL,
					 _("You proposed this version, so you have accepted it "
					   "already. It is your partner's to accept."));
	return agreement_reply(r, 200, &a);
}

/* POST /api/v1/agreements/{id}/revise {text, consequence, review_on, note?} */
int api_agreements_revise(struct kreq *r)
{
	return version_from_body(r, r->params[0]);
}

/* POST /api/v1/agreements/{id}/decline {note?} */
int api_agreements_decline(struct kreq *r)
{
	struct agreement a;
	int e = agreement_decline(r->core, r->session, r->params[0], kreq_str(r, "note"), &a);

	if (e != 0)
		return agreement_outcome(r, e, NULL,
					 _("You proposed this version. You can change it or retire "
					   "it; declining it is your partner's to do."));
	return agreement_reply(r, 200, &a);
}

/* POST /api/v1/agreements/{id}/retire {reason} */
int api_agreements_retire(struct kreq *r)
{
	struct agreement a;
	int e = agreement_retire(r->core, r->session, r->params[0], kreq_str(r, "reason"), &a);

	if (e != 0)
		return agreement_outcome(r, e, "reason", NULL);
	return agreement_reply(r, 200, &a);
}
