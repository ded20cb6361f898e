/*
 * api-kindness.c: appreciations, the trigger plan and "I'm triggered"
 * (API.md, "Patience and kindness"; core/kindness.h).
 *
 * An appreciation is the registry's item {id, author_id, mine, body,
 * meant, shared_with, version, created_at, updated_at} with thanked,
 * thanked_at (null until thanked) and can_thank.  An alert is {id,
 * author_id, mine, note, ..., answered, answered_at, can_answer, open,
 * plan}: plan is its author's trigger plan when they share it with the
 * reader (on the partner's alerts only), else null.  The trigger plan is
 * {trigger_plan: {mine, partner}}, each an item or null, as "what helps
 * me" is.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/kindness.h"
#include "i18n/i18n.h"

static void write_time_or_null(struct json_writer *w, const char *key, const char *t)
{
	json_writer_key(w, key);
	if (t && *t)
		json_writer_string(w, t, strlen(t));
	else
		json_writer_null(w);
}

/* ---- appreciations ------------------------------------------------------------------- */

static void write_appreciation(struct json_writer *w, const struct appreciation *a)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, &appreciation_kind, &a->v);
	json_writer_key(w, "thanked");
	json_writer_bool(w, a->thanked);
	write_time_or_null(w, "thanked_at", a->thanked_at);
	json_writer_key(w, "can_thank");
	json_writer_bool(w, a->can_thank);
	json_writer_end_object(w);
}

/* {"appreciation": a} with status, and a cleared. */
static int appreciation_reply(struct kreq *r, int status, struct appreciation *a)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "appreciation");
	write_appreciation(&w, a);
	json_writer_end_object(&w);
	appreciation_clear(a);
	return api_reply_writer(r, status, &w);
}

/* GET /api/v1/appreciations */
int api_appreciations_list(struct kreq *r)
{
	struct appreciation *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = appreciation_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 512);
	json_writer_begin_object(&w);
	json_writer_key(&w, "appreciations");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_appreciation(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	appreciation_list_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/appreciations {body, meant?} */
int api_appreciations_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct appreciation a;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &appreciation_kind, &v, &scratch);
	e = appreciation_write(r->core, r->session, &v, &a, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return appreciation_reply(r, 201, &a);
}

/* POST /api/v1/appreciations/{id}/thanks */
int api_appreciation_thanks(struct kreq *r)
{
	struct appreciation a;
	int e;

	e = appreciation_thank(r->core, r->session, r->params[0], &a);
	if (e != 0)
		return api_item_outcome_say(
			r, e, NULL,
			e == ITEM_FORBIDDEN ? _("Only your partner can say thanks for this.")
					    : NULL);
	return appreciation_reply(r, 201, &a);
}

/* ---- the trigger plan ------------------------------------------------------------------ */

static void write_plan_or_null(struct json_writer *w, const char *key, const struct item_view *it,
			       int has)
{
	json_writer_key(w, key);
	if (has)
		api_write_item(w, &trigger_plan_kind, it);
	else
		json_writer_null(w);
}

static int plan_reply(struct kreq *r, struct trigger_plan *p)
{
	struct json_writer w;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "trigger_plan");
	json_writer_begin_object(&w);
	write_plan_or_null(&w, "mine", &p->mine, p->has_mine);
	write_plan_or_null(&w, "partner", &p->partner, p->has_partner);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	trigger_plan_clear(p);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/trigger-plan */
int api_trigger_plan_get(struct kreq *r)
{
	struct trigger_plan p;
	int e;

	if (step1_no_query(r))
		return 0;
	e = trigger_plan_read(r->core, r->session, &p);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return plan_reply(r, &p);
}

/* PUT /api/v1/trigger-plan {wants, words, shared_with} */
int api_trigger_plan_put(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct trigger_plan p;
	const char *field = NULL;
	unsigned shared = kreq_item_values(r, &trigger_plan_kind, &v, &scratch);
	int e;

	e = trigger_plan_write(r->core, r->session, &v, shared, &p, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return plan_reply(r, &p);
}

/* ---- "I'm triggered" --------------------------------------------------------------------- */

/* plan: the partner's shared plan, or NULL. */
static void write_triggered(struct json_writer *w, const struct triggered *t,
			    const struct item_view *plan)
{
	json_writer_begin_object(w);
	api_write_item_keys(w, &triggered_kind, &t->v);
	json_writer_key(w, "answered");
	json_writer_bool(w, t->answered);
	write_time_or_null(w, "answered_at", t->answered_at);
	json_writer_key(w, "can_answer");
	json_writer_bool(w, t->can_answer);
	json_writer_key(w, "open");
	json_writer_bool(w, t->open);
	json_writer_key(w, "plan");
	if (plan && !t->v.mine)
		api_write_item(w, &trigger_plan_kind, plan);
	else
		json_writer_null(w);
	json_writer_end_object(w);
}

/* {"triggered": t} with status, t cleared; the plan read for the reader. */
static int triggered_reply(struct kreq *r, int status, struct triggered *t)
{
	struct trigger_plan p;
	struct json_writer w;
	int e;

	e = trigger_plan_read(r->core, r->session, &p);
	if (e != 0) {
		triggered_clear(t);
		return api_item_outcome(r, e, NULL);
	}
	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	json_writer_key(&w, "triggered");
	write_triggered(&w, t, p.has_partner ? &p.partner : NULL);
	json_writer_end_object(&w);
	triggered_clear(t);
	trigger_plan_clear(&p);
	return api_reply_writer(r, status, &w);
}

/* GET /api/v1/triggered */
int api_triggered_list(struct kreq *r)
{
	struct triggered *list = NULL;
	struct trigger_plan p;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = triggered_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	e = trigger_plan_read(r->core, r->session, &p);
	if (e != 0) {
		triggered_list_free(list, n);
		return api_item_outcome(r, e, NULL);
	}
	json_writer_init(&w, 256 + n * 512);
	json_writer_begin_object(&w);
	json_writer_key(&w, "triggered");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_triggered(&w, &list[i], p.has_partner ? &p.partner : NULL);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	triggered_list_free(list, n);
	trigger_plan_clear(&p);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/triggered {note?} */
int api_triggered_create(struct kreq *r)
{
	const char *note = kreq_str(r, "note"), *field = NULL;
	struct triggered t;
	int e;

	e = triggered_raise(r->core, r->session, note, note ? strlen(note) : 0, &t, &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	return triggered_reply(r, 201, &t);
}

/* POST /api/v1/triggered/{id}/answer {} */
int api_triggered_answer(struct kreq *r)
{
	struct triggered t;
	int e;

	e = triggered_answer(r->core, r->session, r->params[0], &t);
	if (e != 0)
		return api_item_outcome_say(
			r, e, NULL,
			e == ITEM_FORBIDDEN ? _("Only your partner can answer this.") : NULL);
	return triggered_reply(r, 201, &t);
}
