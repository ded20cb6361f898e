/*
 * api-listening.c: the listening exercise (API.md, "Patience and
 * kindness"): GET and POST /api/v1/listening, PUT /api/v1/listening/{id}.
 * A session is the registry's item {id, author_id, mine, topic,
 * speaker_first, shared_with, version, created_at, updated_at} with
 * me_first (the caller speaks first) and answer: the caller's own {turns,
 * minutes, felt_heard, at}, or null before they gave it.  The partner's
 * answer is never in it, nor whether there is one.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/listening.h"

static void write_listening(struct json_writer *w, const struct listening *l)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, &listening_kind, &l->v);
	json_writer_key(w, "me_first");
	json_writer_bool(w, l->me_first);
	json_writer_key(w, "answer");
	if (!l->answered) {
		json_writer_null(w);
	} else {
		json_writer_begin_object(w);
		json_writer_key(w, "turns");
		json_writer_integer(w, l->turns);
		json_writer_key(w, "minutes");
		json_writer_integer(w, l->minutes);
		json_writer_key(w, "felt_heard");
		json_writer_integer(w, l->felt_heard);
		json_writer_key(w, "at");
		json_writer_string(w, l->answered_at, strlen(l->answered_at));
		json_writer_end_object(w);
	}
	json_writer_end_object(w);
}

/* {"listening": l} with status, and l cleared. */
static int listening_reply(struct kreq *r, int status, struct listening *l)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "listening");
	write_listening(&w, l);
	json_writer_end_object(&w);
	listening_clear(l);
	return api_reply_writer(r, status, &w);
}

/* GET /api/v1/listening */
int api_listening_list(struct kreq *r)
{
	struct listening *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = listening_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 640);
	json_writer_begin_object(&w);
	json_writer_key(&w, "listening");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_listening(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	listening_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/listening {topic?, speaker_first} */
int api_listening_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct listening l;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &listening_kind, &v, &scratch);
	e = listening_start(r->core, r->session, &v, &l, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return listening_reply(r, 201, &l);
}

/* PUT /api/v1/listening/{id} {turns, minutes, felt_heard}: the caller's own */
int api_listening_put(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct listening l;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &listening_answer_kind, &v, &scratch);
	e = listening_answer(r->core, r->session, r->params[0], &v, &l, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return listening_reply(r, 200, &l);
}
