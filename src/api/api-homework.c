/*
 * api-homework.c: homework (API.md, "Professional help"): GET and POST
 * /api/v1/homework, PUT /api/v1/homework/{id}.  "homework" is its own
 * plural: one comes back as {"homework": {...}}, a list as
 * {"homework": [...]}.  A homework is the registry's item {id, author_id,
 * mine, title, body, due_on, shared_with, by ("partner" or "care": who
 * assigned it), version, created_at, updated_at} with done (either
 * partner's mark says done) and marks: each partner's own {member_id,
 * mine, done, note, at}, oldest first.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/homework.h"

static void write_homework(struct json_writer *w, const struct homework *h)
{
	size_t i;

	json_writer_begin_object(w);
	api_write_item_keys(w, &homework_kind, &h->v);
	json_writer_key(w, "done");
	json_writer_bool(w, h->done);
	json_writer_key(w, "marks");
	json_writer_begin_array(w);
	for (i = 0; i < h->nmarks; i++) {
		const struct homework_mark *m = &h->marks[i];

		json_writer_begin_object(w);
		json_writer_key(w, "member_id");
		json_writer_string(w, m->member_id, strlen(m->member_id));
		json_writer_key(w, "mine");
		json_writer_bool(w, m->mine);
		json_writer_key(w, "done");
		json_writer_bool(w, m->done);
		json_writer_key(w, "note");
		if (m->note)
			json_writer_string(w, m->note, m->note_len);
		else
			json_writer_null(w);
		json_writer_key(w, "at");
		json_writer_string(w, m->at, strlen(m->at));
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	json_writer_end_object(w);
}

/* {"homework": h} with status, and h cleared. */
static int homework_reply(struct kreq *r, int status, struct homework *h)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "homework");
	write_homework(&w, h);
	json_writer_end_object(&w);
	homework_clear(h);
	return api_reply_writer(r, status, &w);
}

/* GET /api/v1/homework */
int api_homework_list(struct kreq *r)
{
	struct homework *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = homework_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "homework");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_homework(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	homework_list_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/homework {title, body?, due_on, shared_with?} (shared_with: ["partner"] when absent)
 */
int api_homework_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct homework h;
	const char *field = NULL;
	unsigned shared;
	int e;

	shared = kreq_item_values(r, &homework_kind, &v, &scratch);
	if (!json_object_get(r->json, "shared_with"))
		shared = ACCESS_SHARE_PARTNER;
	e = homework_assign(r->core, r->session, &v, shared, &h, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return homework_reply(r, 201, &h);
}

/* PUT /api/v1/homework/{id} {done, note?} */
int api_homework_put(struct kreq *r)
{
	struct homework h;
	const char *field = NULL;
	int e;

	e = homework_mark(r->core, r->session, r->params[0],
			  json_is_true(json_object_get(r->json, "done")), kreq_str(r, "note"), &h,
			  &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return homework_reply(r, 200, &h);
}
