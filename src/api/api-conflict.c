/*
 * api-conflict.c: the conflict plan and time-outs (API.md, "Boundaries"):
 * GET and PUT /api/v1/conflict-plan, POST /api/v1/conflict-plan/accept,
 * POST and GET /api/v1/timeouts.  A plan is
 * {id, timeout_word, break_minutes, come_back, soft_startup, proposed_by,
 * version, accepted_by, agreed, created_at, updated_at}; agreed is true
 * only while both partners accepted its current version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/conflict.h"
#include "i18n/i18n.h"

static void write_text(struct json_writer *w, const char *key, const char *v, size_t len)
{
	json_writer_key(w, key);
	if (v)
		json_writer_string(w, v, len);
	else
		json_writer_null(w);
}

static void write_plan(struct json_writer *w, const struct conflict_plan *p)
{
	const struct item_view *v = &p->v;
	size_t i;

	json_writer_begin_object(w);
	write_text(w, "id", v->id, strlen(v->id));
	write_text(w, "timeout_word", v->values[CONFLICT_F_WORD], v->lens[CONFLICT_F_WORD]);
	json_writer_key(w, "break_minutes");
	json_writer_integer(w, strtoll(v->values[CONFLICT_F_BREAK], NULL, 10));
	write_text(w, "come_back", v->values[CONFLICT_F_COME_BACK], v->lens[CONFLICT_F_COME_BACK]);
	write_text(w, "soft_startup", v->values[CONFLICT_F_SOFT_STARTUP],
		   v->lens[CONFLICT_F_SOFT_STARTUP]);
	write_text(w, "proposed_by", p->accepted_by[0], strlen(p->accepted_by[0]));
	json_writer_key(w, "version");
	json_writer_integer(w, (long long)v->version);
	json_writer_key(w, "accepted_by");
	json_writer_begin_array(w);
	for (i = 0; i < p->naccepted; i++)
		json_writer_string(w, p->accepted_by[i], strlen(p->accepted_by[i]));
	json_writer_end_array(w);
	json_writer_key(w, "agreed");
	json_writer_bool(w, p->agreed);
	write_text(w, "created_at", v->created_at, strlen(v->created_at));
	write_text(w, "updated_at", v->updated_at, strlen(v->updated_at));
	json_writer_end_object(w);
}

/* {"plan": plan or null}, and p cleared. */
static int plan_reply(struct kreq *r, struct conflict_plan *p, int has)
{
	struct json_writer w;

	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "plan");
	if (has)
		write_plan(&w, p);
	else
		json_writer_null(&w);
	json_writer_end_object(&w);
	conflict_plan_clear(p);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/conflict-plan */
int api_conflict_plan_get(struct kreq *r)
{
	struct conflict_plan p;
	int has, e = conflict_plan_read(r->core, r->session, &p, &has);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return plan_reply(r, &p, has);
}

/* PUT /api/v1/conflict-plan {timeout_word, break_minutes, come_back, soft_startup} */
int api_conflict_plan_put(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct conflict_plan p;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &conflict_plan_kind, &v, &scratch);
	e = conflict_plan_propose(r->core, r->session, &v, &p, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return plan_reply(r, &p, 1);
}

/* POST /api/v1/conflict-plan/accept {version?} */
int api_conflict_plan_accept(struct kreq *r)
{
	json_t *version = r->json ? json_object_get(r->json, "version") : NULL;
	struct conflict_plan p;
	int e;

	e = conflict_plan_accept(r->core, r->session, version ? json_integer_value(version) : 0,
				 &p);
	if (e == ITEM_FORBIDDEN)
		return api_item_outcome_say(r, e, NULL,
					    _("You proposed this version, so you have accepted it "
					      "already. It is your partner's to accept."));
	if (e == ITEM_CONFLICT)
		return api_item_outcome_say(r, e, NULL,
					    _("The plan changed since you read it. Please read the "
					      "new version before you accept it."));
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return plan_reply(r, &p, 1);
}

void api_write_timeout(struct json_writer *w, const struct timeout *t)
{
	json_writer_begin_object(w);
	write_text(w, "id", t->id, strlen(t->id));
	write_text(w, "author_id", t->author_id, strlen(t->author_id));
	json_writer_key(w, "mine");
	json_writer_bool(w, t->mine);
	json_writer_key(w, "minutes");
	json_writer_integer(w, t->minutes);
	write_text(w, "started_at", t->started_at, strlen(t->started_at));
	write_text(w, "ends_at", t->ends_at, strlen(t->ends_at));
	json_writer_end_object(w);
}

static int timeout_reply(struct kreq *r, int status, const struct timeout *t)
{
	struct json_writer w;

	json_writer_init(&w, 512);
	json_writer_begin_object(&w);
	json_writer_key(&w, "timeout");
	if (t)
		api_write_timeout(&w, t);
	else
		json_writer_null(&w);
	json_writer_end_object(&w);
	return api_reply_writer(r, status, &w);
}

/* POST /api/v1/timeouts {minutes?} */
int api_timeouts_create(struct kreq *r)
{
	json_t *minutes = r->json ? json_object_get(r->json, "minutes") : NULL;
	struct timeout t;
	int e;

	e = timeout_start(r->core, r->session, minutes ? (int)json_integer_value(minutes) : 0, &t);
	if (e != 0)
		return api_item_outcome(r, e, "minutes");
	return timeout_reply(r, 201, &t);
}

/* GET /api/v1/timeouts: the break under way, or null */
int api_timeouts_current(struct kreq *r)
{
	struct timeout t;
	int has, e = timeout_current(r->core, r->session, &t, &has);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return timeout_reply(r, 200, has ? &t : NULL);
}
