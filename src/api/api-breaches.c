/*
 * api-breaches.c: breaches and their repair (API.md, "Boundaries"): GET and
 * POST /api/v1/breaches, GET /api/v1/breaches/feelings, GET
 * /api/v1/breaches/{id}, POST and PUT /api/v1/breaches/{id}/repair, POST
 * /api/v1/breaches/{id}/repaired.
 *
 * A breach is the registry's item {id, author_id, mine, agreement_id,
 * description, self_report, shared_with, status, version, created_at,
 * updated_at} with
 * repaired_by (the member ids who said it is repaired), waiting (repairs
 * written that the caller may read once they wrote theirs) and repairs:
 * the ones the caller may read (a therapist: both, of a breach shared with
 * the care team), oldest first, each the registry's item
 * {id, author_id, mine, feelings, my_view, their_view_summary, triggers,
 * my_part, do_differently, version, created_at, updated_at}.
 */
#include <errno.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/breaches.h"
#include "i18n/i18n.h"

static void write_breach(struct json_writer *w, const struct breach *b)
{
	size_t i;

	json_writer_begin_object(w);
	api_write_item_keys(w, &breach_kind, &b->v);
	json_writer_key(w, "repaired_by");
	json_writer_begin_array(w);
	for (i = 0; i < b->nrepaired; i++)
		json_writer_string(w, b->repaired_by[i], strlen(b->repaired_by[i]));
	json_writer_end_array(w);
	json_writer_key(w, "waiting");
	json_writer_integer(w, (long long)b->waiting);
	json_writer_key(w, "repairs");
	json_writer_begin_array(w);
	for (i = 0; i < b->nrepairs; i++)
		api_write_item(w, &breach_repair_kind, &b->repairs[i]);
	json_writer_end_array(w);
	json_writer_end_object(w);
}

/* {"breach": b} with status, and b cleared. */
static int breach_reply(struct kreq *r, int status, struct breach *b)
{
	struct json_writer w;

	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "breach");
	write_breach(&w, b);
	json_writer_end_object(&w);
	breach_clear(b);
	return api_reply_writer(r, status, &w);
}

/* {"repair": the caller's own} with status, and b cleared. */
static int repair_reply(struct kreq *r, int status, struct breach *b)
{
	const struct item_view *mine = breach_repair_mine(b);
	struct json_writer w;

	if (!mine) { /* written a moment ago, and it does not open: damaged */
		breach_clear(b);
		return -EIO;
	}
	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "repair");
	api_write_item(&w, &breach_repair_kind, mine);
	json_writer_end_object(&w);
	breach_clear(b);
	return api_reply_writer(r, status, &w);
}

/* An outcome of core/breaches.h as an answer: each 409 says why, in the member's language. */
static int breach_outcome(struct kreq *r, int e, const char *field)
{
	switch (e) {
	case BREACH_WRITTEN:
		return api_error_say(r, 409, "conflict",
				     _("You have written your part of this repair already. "
				       "Change it instead (PUT)."));
	case BREACH_UNWRITTEN:
		return api_error_say(r, 409, "conflict",
				     _("Write your part of the repair first. Then you can change "
				       "it, or say that it is repaired."));
	case BREACH_CLOSED:
		return api_error_say(r, 409, "conflict",
				     _("You have both said that this is repaired, so its repair "
				       "no longer changes."));
	default:
		return api_item_outcome(r, e, field);
	}
}

/* GET /api/v1/breaches */
int api_breaches_list(struct kreq *r)
{
	struct breach *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	if (step1_no_query(r))
		return 0;
	e = breaches_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "breaches");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		write_breach(&w, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	breaches_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/*
 * POST /api/v1/breaches {agreement_id?, description, self_report, shared_with?}
 * (shared_with: ["partner"] when absent)
 */
int api_breaches_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct breach b;
	const char *field = NULL;
	unsigned shared;
	json_t *o;
	int e;

	shared = kreq_item_values(r, &breach_kind, &v, &scratch);
	if (!json_object_get(r->json, "shared_with"))
		shared = ACCESS_SHARE_PARTNER;
	e = breach_record(r->core, r->session, &v, shared, &b, &field);
	if (e == ITEM_NOTFOUND && field) {
		/* the agreement named is not the couple's: as a random id, naming the field */
		o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "not_found", "message",
			      _("There is no such agreement."), "field", field);
		return o ? api_reply(r, 404, o) : -ENOMEM;
	}
	if (e != 0)
		return api_item_outcome(r, e, field);
	return breach_reply(r, 201, &b);
}

/* GET /api/v1/breaches/feelings: the list a repair chooses from, labelled in the member's language
 */
int api_breach_feelings(struct kreq *r)
{
	struct json_writer w;
	size_t i;

	if (step1_no_query(r))
		return 0;
	json_writer_init(&w, 2048);
	json_writer_begin_object(&w);
	json_writer_key(&w, "feelings");
	json_writer_begin_array(&w);
	for (i = 0; breach_feelings[i]; i++) {
		const char *label = _(breach_feeling_label(breach_feelings[i]));

		json_writer_begin_object(&w);
		json_writer_key(&w, "key");
		json_writer_string(&w, breach_feelings[i], strlen(breach_feelings[i]));
		json_writer_key(&w, "label");
		json_writer_string(&w, label, strlen(label));
		json_writer_end_object(&w);
	}
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* GET /api/v1/breaches/{id} */
int api_breach_get(struct kreq *r)
{
	struct breach b;
	int e;

	if (step1_no_query(r))
		return 0;
	e = breach_read(r->core, r->session, r->params[0], &b);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return breach_reply(r, 200, &b);
}

/* POST and PUT /api/v1/breaches/{id}/repair: the caller's repair, written or changed. */
static int repair_put(struct kreq *r, enum breach_repair_mode mode, int status)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct breach b;
	const char *field = NULL;
	int e;

	kreq_item_values(r, &breach_repair_kind, &v, &scratch);
	e = breach_repair_put(r->core, r->session, r->params[0], &v, mode, &b, &field);
	if (e != 0)
		return breach_outcome(r, e, field);
	return repair_reply(r, status, &b);
}

/* POST /api/v1/breaches/{id}/repair */
int api_breach_repair_create(struct kreq *r)
{
	return repair_put(r, BREACH_REPAIR_NEW, 201);
}

/* PUT /api/v1/breaches/{id}/repair */
int api_breach_repair_change(struct kreq *r)
{
	return repair_put(r, BREACH_REPAIR_CHANGE, 200);
}

/* POST /api/v1/breaches/{id}/repaired */
int api_breach_repaired(struct kreq *r)
{
	struct breach b;
	int e;

	e = breach_mark_repaired(r->core, r->session, r->params[0], &b);
	if (e == BREACH_UNWRITTEN)
		return api_error_say(r, 409, "conflict",
				     _("Write your part of the repair first. Then you can say "
				       "that it is repaired."));
	if (e != 0)
		return breach_outcome(r, e, NULL);
	return breach_reply(r, 200, &b);
}
