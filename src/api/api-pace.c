/*
 * api-pace.c: the pace ladder (API.md, "Patience and kindness"):
 * GET /api/v1/pace, PUT /api/v1/pace/{key}, POST /api/v1/pace/pause and
 * /resume.  Every answer is written from struct pace (core/pace.h), which
 * holds the caller's own answers and what both want, and nothing of the
 * partner's own: no answer here can carry it.
 *
 * PUT's route is a prefix pattern (/api/v1/pace/ and a star), so that an unknown rung is a
 * 400 naming "rung" (not a 404 that would send a client looking for a
 * route), as API.md asks.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/pace.h"
#include "i18n/i18n.h"

#define PACE_PATH "/api/v1/pace/"

/* {key, title, mine, both} of one rung. */
static void write_rung(struct json_writer *w, const struct pace *p, size_t i, int with_both)
{
	const char *title = _(pace_rung_title(i));

	json_writer_begin_object(w);
	JSON_WRITER_KEY(w, "key");
	json_writer_string(w, pace_rung_keys[i], strlen(pace_rung_keys[i]));
	JSON_WRITER_KEY(w, "title");
	json_writer_string(w, title, strlen(title));
	JSON_WRITER_KEY(w, "mine");
	json_writer_string_or_null(w, pace_choice_key(p->mine[i]));
	if (with_both) {
		JSON_WRITER_KEY(w, "both");
		json_writer_string_or_null(w, pace_choice_key(p->both[i]));
	}
	json_writer_end_object(w);
}

static void write_pause(struct json_writer *w, const struct pace *p)
{
	JSON_WRITER_KEY(w, "paused");
	json_writer_bool(w, p->paused);
	JSON_WRITER_KEY(w, "paused_since");
	json_writer_string_or_null(w, p->paused_since[0] ? p->paused_since : NULL);
	JSON_WRITER_KEY(w, "paused_by_me");
	json_writer_bool(w, p->paused_by_me);
}

/* The whole ladder: {rungs, paused, paused_since, paused_by_me}. */
static int pace_reply(struct kreq *r, const struct pace *p)
{
	struct json_writer w;
	size_t i;

	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "rungs");
	json_writer_begin_array(&w);
	for (i = 0; i < _PACE_RUNG_MAX; i++)
		write_rung(&w, p, i, 1);
	json_writer_end_array(&w);
	write_pause(&w, p);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/pace */
int api_pace_get(struct kreq *r)
{
	struct pace p;
	int e = pace_read(r->core, r->session, &p);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return pace_reply(r, &p);
}

/* PUT /api/v1/pace/{key} {choice} */
int api_pace_put(struct kreq *r)
{
	const char *key = r->path + strlen(PACE_PATH), *field = NULL;
	struct json_writer w;
	struct pace p;
	int e, rung;

	if (strncmp(r->path, PACE_PATH, strlen(PACE_PATH)) != 0)
		return api_error(r, 404, "not_found");
	e = pace_answer_one(r->core, r->session, key, strlen(key), kreq_str(r, "choice"), &p,
			    &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	rung = pace_rung_find(key, strlen(key));
	json_writer_init(&w, 512);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "rung");
	write_rung(&w, &p, (size_t)rung, 1);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* {paused, paused_since, paused_by_me} */
static int pause_reply(struct kreq *r, int e, const struct pace *p)
{
	struct json_writer w;

	if (e != 0)
		return api_item_outcome_say(
			r, e, NULL,
			e == ITEM_FORBIDDEN
				? _("Only the one who pressed pause can resume. Your partner will "
				    "resume when they are ready.")
				: NULL);
	json_writer_init(&w, 256);
	json_writer_begin_object(&w);
	write_pause(&w, p);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/pace/pause */
int api_pace_pause(struct kreq *r)
{
	struct pace p;

	return pause_reply(r, pace_pause(r->core, r->session, &p), &p);
}

/* POST /api/v1/pace/resume */
int api_pace_resume(struct kreq *r)
{
	struct pace p;

	return pause_reply(r, pace_resume(r->core, r->session, &p), &p);
}

/*
 * The export's part (api-export.c): the caller's own answers, {pace:
 * {rungs: [{key, title, mine}], paused_by_me}}; what both want is left
 * out, since the file is the member's own words alone.
 */
int api_pace_mine(struct kreq *r)
{
	struct json_writer w;
	struct pace p;
	size_t i;
	int e = pace_read(r->core, r->session, &p);

	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "pace");
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "rungs");
	json_writer_begin_array(&w);
	for (i = 0; i < _PACE_RUNG_MAX; i++)
		write_rung(&w, &p, i, 0);
	json_writer_end_array(&w);
	JSON_WRITER_KEY(&w, "paused_by_me");
	json_writer_bool(&w, p.paused_by_me);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}
