/*
 * api-activity.c: the shared activity routes of API.md ("Openness, offers,
 * activities"): something the partners plan to do together outside the
 * bedroom, marked done with how it felt.  An activity another couple owns
 * answers exactly like a random id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/activity.h"

static json_t *activity_json(const void *elem)
{
	const struct activity *a = elem;

	return json_pack(
		"{s:s,s:s,s:b,s:s,s:s%,s:s,s:b,s:o,s:o,s:o,s:o,s:s}", "id", a->id, "author_id",
		a->author_id, "mine", a->mine, "kind", activity_kinds[a->kind], "title", a->title,
		a->title_len, "planned_for", a->planned_for, "done", a->done, "done_at",
		time_or_null(a->done_at), "done_by", time_or_null(a->done_by), "felt",
		text_or_null(a->felt, a->felt_len, 0), "partner_felt",
		text_or_null(a->partner_felt, a->partner_felt_len, 0), "created_at", a->created_at);
}

static int activity_reply(struct kreq *r, int status, struct activity *a)
{
	int e = api_reply_one(r, status, "activity", activity_json(a));

	activity_clear(a);
	return e;
}

/* GET /api/v1/activities */
int api_activities_list(struct kreq *r)
{
	struct activity *list = NULL;
	size_t n = 0;
	int e;

	e = activity_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	e = api_reply_list(r, "activities", list, n, sizeof(*list), activity_json);
	activity_list_free(list, n);
	return e;
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
	if (e != 0)
		return api_item_outcome(r, e, NULL); /* 403: not a partner */
	return activity_reply(r, 201, &a);
}

/* GET /api/v1/activities/{id} */
int api_activities_get(struct kreq *r)
{
	struct activity a;
	int e;

	memset(&a, 0, sizeof(a));
	e = activity_read(r->core, r->session, r->params[0], &a);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
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
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return activity_reply(r, 200, &a);
}
