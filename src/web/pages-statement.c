/*
 * pages-statement.c: accountability statements as pages (step 1 of the
 * program, "take responsibility"): the list, the guided form with the
 * statement check's findings beside each part, delivery, and the partner's
 * response.
 *
 * The same core calls as the API (core/statement.c) decide who sees what;
 * a statement the member may not see is the 404 page, exactly as a random
 * id.  What someone typed is never lost to a failed form: it comes back in
 * its field with the reason (step1_input_error() below, which the
 * commitment form shares).  The hurt partner is never asked to forgive:
 * their form offers "read", "what landed" and "what I still need to hear",
 * and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/statement.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define STEP1_EXCERPT_CHARS 160 /* enough to recognise a statement in a list */

/* The guided form: each part's label, its prompt, and why it matters. */
static const struct {
	const char *label;   /* on the form */
	const char *heading; /* when reading a delivered statement */
	const char *prompt;
	const char *why;
	int needed; /* needed before delivery */
} part_texts[_STATEMENT_PART_MAX] = {
	[STATEMENT_WHAT_I_DID] = {N_("What I did"), N_("What I did"),
				  N_("Name what you did, plainly, without softening it."),
				  N_("Your partner needs to hear that you know exactly what "
				     "happened. Naming it plainly is where trust can begin to "
				     "return."),
				  1},
	[STATEMENT_IMPACT] = {N_("How it affected you"), N_("How it affected you"),
			      N_("Describe how it may have felt from your partner's side, and "
				 "what it changed for them."),
			      N_("Seeing the hurt through their eyes shows that you understand "
				 "its weight, not only its facts."),
			      0},
	[STATEMENT_WHY] = {N_("What I understand about why"), N_("What I understand about why"),
			   N_("What was going on in you that led to it? Explain it, without "
			      "excusing it."),
			   N_("Understanding yourself is how change lasts. An explanation is "
			      "never a reason that it was acceptable."),
			   0},
	[STATEMENT_REGRET] = {N_("My regret"), N_("My regret"),
			      N_("Say what you regret, and how you feel about it now."),
			      N_("Remorse in your own words tells your partner that their pain "
				 "matters to you."),
			      0},
	[STATEMENT_REPAIR] = {N_("What I will do differently"), N_("What I will do differently"),
			      N_("Name concrete things you will do, starting now."),
			      N_("Concrete repair is what rebuilds trust over time. Together "
				 "with naming what you did, it matters most."),
			      1},
	[STATEMENT_FORGIVENESS] = {N_("A request for forgiveness (optional)"),
				   N_("A request for forgiveness"),
				   N_("If you wish, you may ask, in a sentence or two. Your "
				      "partner never has to answer it."),
				   N_("It comes last and is optional: an apology works through "
				      "owning and repairing, and forgiveness cannot be asked "
				      "for on a schedule."),
				   0},
};

/* The partner's display name, for headings ("A statement from ..."). */
static void set_partner_name(const struct kreq *r, json_t *data)
{
	struct member_view mv;
	size_t i;

	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) != 0)
		return;
	for (i = 0; i < mv.npartners && i < 2; i++)
		if (strcmp(mv.partners[i].id, mv.id) != 0)
			web_set(data, "partner_name", mv.partners[i].display_name);
}

/* A person's name for a field of these forms, for error sentences. */
static const char *field_label(const char *field)
{
	size_t i;

	for (i = 0; i < _STATEMENT_PART_MAX; i++)
		if (!strcmp(field, statement_part_name(i)))
			return _(part_texts[i].label);
	if (!strcmp(field, "landed"))
		return _("What landed for me");
	if (!strcmp(field, "still_need"))
		return _("What I still need to hear");
	if (!strcmp(field, "text"))
		return _("What I will do differently");
	if (!strcmp(field, "review_every_days"))
		return _("How often to review it");
	if (!strcmp(field, "status"))
		return _("How it went");
	if (!strcmp(field, "note"))
		return _("A note");
	return NULL;
}

/*
 * step1_input_error() - why a form came back, kindly and in the words of
 * the form, with the field marked; nothing typed is lost.
 */
void step1_input_error(const struct kreq *r, json_t *data)
{
	const struct input_error *e = r->input_error;
	const char *label = e ? field_label(e->field) : NULL;
	char msg[512];

	if (!e || !label) {
		web_input_error(r, data, "error");
		return;
	}
	if (!strcmp(e->code, INPUT_TOO_LONG))
		snprintf(msg, sizeof(msg),
			 _("“%s” is longer than we can keep. Nothing is lost: please shorten "
			   "it a little."),
			 label);
	else if (!strcmp(e->field, "status"))
		snprintf(msg, sizeof(msg), "%s",
			 _("Please choose how it went: kept, slipped or renewed."));
	else if (!strcmp(e->code, INPUT_MISSING_FIELD) || !strcmp(e->code, INPUT_TOO_SHORT))
		snprintf(msg, sizeof(msg), _("Please fill in “%s”."), label);
	else
		snprintf(msg, sizeof(msg), _("Please check “%s” and try again."), label);
	web_form_error(data, "error", msg, e->field);
}

/* ---- statements: the list ----------------------------------------------- */

static json_t *statement_item(const struct kreq *r, const struct statement *st)
{
	json_t *o = json_object();
	char line[256], *x;
	size_t i, answered = 0;

	if (!o)
		return NULL;
	web_set(o, "id", st->id);
	set_day(o, "created_at", st->delivered ? st->delivered_at : st->updated_at);
	set_date(r, o, "date", st->delivered ? st->delivered_at : st->updated_at);
	x = web_excerpt(st->part[STATEMENT_WHAT_I_DID], st->part_len[STATEMENT_WHAT_I_DID],
			STEP1_EXCERPT_CHARS);
	if (x) {
		if (*x)
			web_set(o, "excerpt", x);
		explicit_bzero(x, strlen(x));
		free(x);
	}
	if (st->delivered && st->mine) {
		web_format_count(line, sizeof(line),
				 ngettext_("%d response so far.", "%d responses so far.",
					   (unsigned long)st->nresponses),
				 (long)st->nresponses);
		web_set(o, "responses_line", line);
	}
	for (i = 0; i < st->nresponses; i++)
		answered += !strcmp(st->responses[i].author_id, r->session->member_id);
	web_set_bool(o, "answered", answered > 0);
	return o;
}

/* page_statements() - GET /statements: drafts, delivered, received. */
int page_statements(struct kreq *r)
{
	struct statement *list = NULL;
	json_t *data = NULL, *drafts = NULL, *sent = NULL, *received = NULL, *o;
	size_t n = 0, i;
	int rc;

	rc = statement_list(r->core, r->session, &list, &n);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);
	data = web_page_new(r, _("Accountability statements"));
	drafts = json_array();
	sent = json_array();
	received = json_array();
	if (!data || !drafts || !sent || !received) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *to = !list[i].mine ? received : list[i].delivered ? sent : drafts;

		o = statement_item(r, &list[i]);
		if (!o || json_array_append_new(to, o) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	web_set_bool(data, "has_drafts", json_array_size(drafts) > 0);
	web_set_bool(data, "has_sent", json_array_size(sent) > 0);
	web_set_bool(data, "has_received", json_array_size(received) > 0);
	web_set_bool(data, "empty", n == 0);
	json_object_set(data, "drafts", drafts);
	json_object_set(data, "sent", sent);
	json_object_set(data, "received", received);
	set_partner_name(r, data);
	rc = web_render(r, 200, "statement_list", data, 0);
	data = NULL;
out:
	web_wipe(drafts);
	web_wipe(sent);
	web_wipe(received);
	json_decref(drafts);
	json_decref(sent);
	json_decref(received);
	web_wipe(data);
	json_decref(data);
	statement_list_free(list, n);
	return rc;
}

/* ---- statements: the guided form ---------------------------------------- */

/*
 * statement_form() - the guided form, for a new statement (st NULL) or a
 * saved draft.  typed, when not NULL, is a failed form's fields: they fill
 * the textareas instead of the saved words.  The check's findings sit
 * beside the part they were found in (saved words only: they are what
 * would be delivered).
 */
static int statement_form(struct kreq *r, int status, const struct statement *st, int typed,
			  const char *error)
{
	struct statement_flag flags[STATEMENT_FLAGS_MAX];
	json_t *data = web_page_new(r, st ? _("Your draft") : _("Write a statement"));
	json_t *parts = json_array(), *part, *list, *f;
	size_t nflags = 0, i, k;
	char action[64];

	if (!data || !parts) {
		json_decref(parts);
		json_decref(data);
		return -ENOMEM;
	}
	if (st && statement_check(st, flags, STATEMENT_FLAGS_MAX, &nflags) < 0)
		nflags = 0;
	for (i = 0; i < _STATEMENT_PART_MAX; i++) {
		const char *name = statement_part_name(i);
		const char *value = typed ? web_form_value(r, name) : st ? st->part[i] : NULL;

		part = json_object();
		if (!part || json_array_append_new(parts, part) < 0) {
			json_decref(part);
			goto nomem;
		}
		list = json_array();
		if (!list)
			goto nomem;
		web_set(part, "name", name);
		web_set(part, "label", _(part_texts[i].label));
		web_set(part, "prompt", _(part_texts[i].prompt));
		web_set(part, "why", _(part_texts[i].why));
		web_set_bool(part, "needed", part_texts[i].needed);
		web_set(part, "value", value);
		set_int(part, "max", STATEMENT_PART_MAX_CHARS);
		/* always set: mustache would otherwise find the page's "invalid" map */
		json_object_set_new(
			part, "invalid",
			json_boolean(r->input_error && !strcmp(r->input_error->field, name)));
		for (k = 0; k < nflags; k++) {
			if (flags[k].part != i)
				continue;
			f = json_object();
			if (!f || json_array_append_new(list, f) < 0) {
				json_decref(f);
				web_wipe(list);
				json_decref(list);
				goto nomem;
			}
			json_object_set_new(
				f, "match",
				json_stringn(st->part[i] + flags[k].start, flags[k].len));
			web_set(f, "suggestion", apology_suggestion(flags[k].pattern));
		}
		web_set_bool(part, "has_flags", json_array_size(list) > 0);
		json_object_set_new(part, "flags", list);
		/* the message coach's hints on the saved words, beside the check's */
		if (st && !typed)
			page_coach_hints(part, st->part[i], st->part_len[i]);
	}
	json_object_set_new(data, "parts", parts);
	parts = NULL;
	if (st) {
		snprintf(action, sizeof(action), "/statements/%s", st->id);
		web_set(data, "id", st->id);
		web_set_bool(data, "existing", 1);
		web_set_bool(data, "complete", statement_is_complete(st));
		web_set_bool(data, "has_any_flags", nflags > 0);
		web_set_bool(data, "saved", kreq_query(r, "saved") != NULL && !error && !typed);
		web_set(data, "updated_at", st->updated_at);
		set_date(r, data, "updated_date", st->updated_at);
	} else {
		snprintf(action, sizeof(action), "/statements");
	}
	web_set(data, "action", action);
	if (error)
		web_form_error(data, "error", error, NULL);
	else if (typed)
		step1_input_error(r, data);
	return web_render(r, status, "statement_edit", data, 0);
nomem:
	web_wipe(parts);
	json_decref(parts);
	web_wipe(data);
	json_decref(data);
	return -ENOMEM;
}

/* page_statement_new() - GET /statements/new: the empty guided form. */
int page_statement_new(struct kreq *r)
{
	return statement_form(r, 200, NULL, 0, NULL);
}

static void form_parts(const struct kreq *r, const char *parts[_STATEMENT_PART_MAX])
{
	size_t i;

	for (i = 0; i < _STATEMENT_PART_MAX; i++)
		parts[i] = kreq_str(r, statement_part_name(i));
}

/*
 * The page for what a form did to statement id: a success goes to it, with
 * suffix.  Of a statement's own outcomes only STATEMENT_NOTFOUND may come
 * here (it is ITEM_NOTFOUND); the others do not share the item numbers and
 * each handler answers them first.
 */
static int statement_outcome(struct kreq *r, int outcome, const char *id, const char *suffix)
{
	char url[96];

	snprintf(url, sizeof(url), "/statements/%s%s", id, suffix);
	return page_outcome(r, outcome, url, NULL);
}

/* page_statement_create() - POST /statements: save a draft, 303 to it. */
int page_statement_create(struct kreq *r)
{
	const char *parts[_STATEMENT_PART_MAX];
	struct statement st;
	int rc;

	if (r->input_error || !r->json)
		return statement_form(r, 400, NULL, 1, NULL);
	form_parts(r, parts);
	rc = statement_create(r->core, r->session, parts, &st);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	rc = statement_outcome(r, rc, st.id, "?saved=1");
	statement_clear(&st);
	return rc;
}

/* ---- statements: reading and responding --------------------------------- */

static json_t *response_item(const struct kreq *r, const struct statement_response *resp)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_day(o, "created_at", resp->created_at);
	set_date(r, o, "date", resp->created_at);
	web_set(o, "landed", resp->landed);
	web_set(o, "still_need", resp->still_need);
	return o;
}

/*
 * statement_view() - a delivered statement to read: its parts, its
 * responses, and for the partner who received it the response form.
 */
static int statement_view(struct kreq *r, int status, const struct statement *st, int typed,
			  const char *error)
{
	json_t *data = web_page_new(r, st->mine ? _("Your statement") : _("A statement for you"));
	json_t *parts = json_array(), *responses = json_array(), *o;
	size_t i;

	if (!data || !parts || !responses)
		goto nomem;
	for (i = 0; i < _STATEMENT_PART_MAX; i++) {
		if (!st->part_len[i])
			continue;
		o = json_object();
		if (!o || json_array_append_new(parts, o) < 0) {
			json_decref(o);
			goto nomem;
		}
		web_set(o, "name", statement_part_name(i));
		web_set(o, "heading", _(part_texts[i].heading));
		web_set(o, "value", st->part[i]);
		web_set_bool(o, "forgiveness", i == STATEMENT_FORGIVENESS);
	}
	for (i = 0; i < st->nresponses; i++) {
		o = response_item(r, &st->responses[i]);
		if (!o || json_array_append_new(responses, o) < 0) {
			json_decref(o);
			goto nomem;
		}
	}
	web_set(data, "id", st->id);
	web_set_bool(data, "mine", st->mine);
	set_day(data, "delivered_at", st->delivered_at);
	set_date(r, data, "delivered_date", st->delivered_at);
	web_set_bool(data, "has_responses", st->nresponses > 0);
	web_set_bool(data, "delivered_now", kreq_query(r, "delivered") != NULL);
	web_set_bool(data, "responded_now", kreq_query(r, "responded") != NULL && !typed);
	json_object_set_new(data, "parts", parts);
	json_object_set_new(data, "responses", responses);
	parts = responses = NULL;
	set_int(data, "max", STATEMENT_RESPONSE_MAX_CHARS);
	set_partner_name(r, data);
	if (typed) {
		web_set(data, "landed_value", web_form_value(r, "landed"));
		web_set(data, "still_need_value", web_form_value(r, "still_need"));
		if (error)
			web_form_error(data, "error", error, NULL);
		else
			step1_input_error(r, data);
	}
	return web_render(r, status, "statement_show", data, 0);
nomem:
	web_wipe(parts);
	web_wipe(responses);
	json_decref(parts);
	json_decref(responses);
	web_wipe(data);
	json_decref(data);
	return -ENOMEM;
}

/* page_statement_show() - GET /statements/{id}: a draft's form, or the statement. */
int page_statement_show(struct kreq *r)
{
	struct statement st;
	const char *id = r->params[0];
	int rc;

	rc = statement_read(r->core, r->session, id, &st);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	if (st.mine && !st.delivered)
		rc = statement_form(r, 200, &st, 0, NULL);
	else
		rc = statement_view(r, 200, &st, 0, NULL);
	statement_clear(&st);
	return rc;
}

/* The page for a delivered statement someone tried to change. */
static int delivered_page(struct kreq *r)
{
	return web_error_page(r, 409, _("This statement has been delivered"),
			      _("A delivered statement stays as it was sent. You can write a new "
				"one at any time."));
}

/* page_statement_update() - POST /statements/{id}: save the draft, 303 back. */
int page_statement_update(struct kreq *r)
{
	const char *parts[_STATEMENT_PART_MAX];
	const char *id = r->params[0];
	struct statement st;
	int rc;

	memset(&st, 0, sizeof(st));
	if (r->input_error || !r->json) {
		rc = statement_read(r->core, r->session, id, &st);
		if (rc == 0 && st.mine && !st.delivered)
			rc = statement_form(r, 400, &st, 1, NULL);
		else if (rc == 0 && st.mine)
			rc = delivered_page(r);
		else if (rc == 0 || rc == STATEMENT_NOTFOUND)
			rc = page_error(r, 404);
		else if (rc > 0)
			rc = page_error(r, 500);
		statement_clear(&st);
		return rc;
	}
	form_parts(r, parts);
	rc = statement_change(r->core, r->session, id, parts, &st);
	if (rc == STATEMENT_DELIVERED)
		return delivered_page(r);
	if (rc == 0)
		statement_clear(&st);
	return statement_outcome(r, rc, id, "?saved=1");
}

/* page_statement_deliver() - POST /statements/{id}/deliver. */
int page_statement_deliver(struct kreq *r)
{
	const char *id = r->params[0];
	struct statement st;
	int rc;

	rc = statement_deliver(r->core, r->session, id, &st);
	if (rc == STATEMENT_DELIVERED) /* a second press: it is already there */
		return statement_outcome(r, 0, id, "");
	if (rc == STATEMENT_INCOMPLETE) {
		rc = statement_read(r->core, r->session, id, &st);
		if (rc == 0)
			rc = statement_form(r, 400, &st, 0,
					    _("Before you deliver it, please write what you did "
					      "and what you will do differently, and save."));
		else if (rc > 0)
			rc = page_error(r, rc == STATEMENT_NOTFOUND ? 404 : 500);
		statement_clear(&st);
		return rc;
	}
	if (rc == 0)
		statement_clear(&st);
	return statement_outcome(r, rc, id, "?delivered=1");
}

/* page_statement_respond() - POST /statements/{id}/responses (the partner). */
int page_statement_respond(struct kreq *r)
{
	struct statement_response resp;
	const char *id = r->params[0];
	struct statement st;
	int rc;

	memset(&st, 0, sizeof(st));
	if (r->input_error || !r->json || !json_is_true(json_object_get(r->json, "read"))) {
		rc = statement_read(r->core, r->session, id, &st);
		if (rc == 0 && st.delivered && !st.mine)
			rc = statement_view(r, 400, &st, 1, NULL);
		else if (rc == 0 && st.delivered)
			rc = page_error(r, 403);
		else if (rc >= 0)
			rc = page_error(r, 404);
		statement_clear(&st);
		return rc;
	}
	rc = statement_respond(r->core, r->session, id, kreq_str(r, "landed"),
			       kreq_str(r, "still_need"), &resp);
	if (rc == STATEMENT_FORBIDDEN)
		return web_error_page(r, 403, _("This one is yours"),
				      _("You wrote this statement, so the response is your "
					"partner's to give."));
	if (rc == 0)
		statement_response_clear(&resp);
	return statement_outcome(r, rc, id, "?responded=1#responses-title");
}
