/*
 * api-dates.c: date nights (API.md, "Boundaries"): GET and POST
 * /api/v1/dates, PUT /api/v1/dates/{id}.  A date is the registry's item
 * {id, author_id, mine, title, planned_for, shared_with, version,
 * created_at, updated_at} with done (either partner marked it done) and
 * ratings {mine, partner}: each partner's own {done, rating, note, at}, or
 * null before they answered.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/dates.h"

static void write_rating(struct json_writer *w, const char *key, const struct date_rating *r)
{
	json_writer_key(w, key);
	if (!r->given) {
		json_writer_null(w);
		return;
	}
	json_writer_begin_object(w);
	json_writer_key(w, "done");
	json_writer_bool(w, r->done);
	json_writer_key(w, "rating");
	if (r->rating)
		json_writer_integer(w, r->rating);
	else
		json_writer_null(w);
	json_writer_key(w, "note");
	if (r->note)
		json_writer_string(w, r->note, r->note_len);
	else
		json_writer_null(w);
	json_writer_key(w, "at");
	json_writer_string(w, r->at, strlen(r->at));
	json_writer_end_object(w);
}

static void write_date(struct json_writer *w, const struct date_night *d)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, &date_kind, &d->v);
	json_writer_key(w, "done");
	json_writer_bool(w, d->done);
	json_writer_key(w, "ratings");
	json_writer_begin_object(w);
	write_rating(w, "mine", &d->mine);
	write_rating(w, "partner", &d->partner);
	json_writer_end_object(w);
	json_writer_end_object(w);
}

/* {"date": d} with status, and d cleared. */
static int date_reply(struct kreq *r, int status, struct date_night *d)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "date");
	write_date(&w, d);
	json_writer_end_object(&w);
	date_clear(d);
	return api_reply_writer(r, status, &w);
}

/* GET /api/v1/dates */
int api_dates_list(struct kreq *r)
{
	struct date_night *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = dates_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 768);
	json_writer_begin_object(&w);
	json_writer_key(&w, "dates");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_date(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	dates_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/dates {title, planned_for} */
int api_dates_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct date_night d;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &date_kind, &v, &scratch);
	e = date_plan(r->core, r->session, &v, &d, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return date_reply(r, 201, &d);
}

/* PUT /api/v1/dates/{id} {done, rating?, note?} */
int api_dates_put(struct kreq *r)
{
	json_t *rating = json_object_get(r->json, "rating");
	struct date_night d;
	const char *field = NULL;
	int e;

	e = date_answer(
		r->core, r->session, r->params[0], json_is_true(json_object_get(r->json, "done")),
		rating ? (int)json_integer_value(rating) : 0, kreq_str(r, "note"), &d, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return date_reply(r, 200, &d);
}
