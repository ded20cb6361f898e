/*
 * pages-kindness.c: appreciations and "when I am triggered" as pages
 * (step 5; core/kindness.h).
 *
 * /appreciations: write one (what you appreciate, and what it meant to
 * you), the couple's list with a "Thank you" button on the partner's, and,
 * now and then, an older one coming back ("remember when").
 *
 * /triggered: the partner's open alerts first, each with "I'm here" and
 * the plan they shared; the one-tap "I'm triggered" button (a note if you
 * like); the reader's own trigger plan in a form, and the partner's when
 * shared.  Thanking or answering twice (two tabs, a double tap) lands back
 * on the page as if once: it already happened.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/checkin.h"
#include "core/kindness.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* ---- appreciations ------------------------------------------------------------------- */

static json_t *appreciation_card(const struct kreq *r, const struct appreciation *a)
{
	json_t *o = json_object();

	web_set(o, "id", a->v.id);
	set_text(o, "body", a->v.values[APPRECIATION_F_BODY], a->v.lens[APPRECIATION_F_BODY]);
	set_text(o, "meant", a->v.values[APPRECIATION_F_MEANT], a->v.lens[APPRECIATION_F_MEANT]);
	set_date(r, o, "date", a->v.created_at);
	set_flag(o, "mine", a->v.mine);
	set_flag(o, "thanked", a->thanked);
	set_flag(o, "can_thank", a->can_thank);
	if (a->thanked)
		set_date(r, o, "thanked_date", a->thanked_at);
	/* the coach's hints on the words the partner reads, for their author alone */
	if (a->v.mine) {
		page_coach_hints(o, a->v.values[APPRECIATION_F_BODY],
				 a->v.lens[APPRECIATION_F_BODY]);
		page_coach_hints(o, a->v.values[APPRECIATION_F_MEANT],
				 a->v.lens[APPRECIATION_F_MEANT]);
	}
	return o;
}

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int appreciations_page(struct kreq *r, int status, const char *field)
{
	struct appreciation *list = NULL, old;
	char partner[512], today[CHECKIN_DATE_LEN + 1];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, found = 0, typed = status == 400;

	rc = appreciation_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	checkin_today(today, 0);
	rc = appreciation_remember(r->core, r->session, today, &old, &found);
	if (rc != 0) {
		appreciation_list_free(list, n);
		return page_outcome(r, rc, NULL, NULL);
	}
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Appreciations"));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, appreciation_card(r, &list[i])) < 0)
			break;
	appreciation_list_free(list, n);
	if (data)
		json_object_set_new(data, "appreciations", items);
	else
		json_decref(items);
	if (found) {
		json_t *card = appreciation_card(r, &old);

		if (data && card)
			json_object_set_new(data, "remember", card);
		else
			json_decref(card);
		appreciation_clear(&old);
	}
	set_flag(data, "empty", n == 0);
	set_partner(data, "partner_name", partner);
	set_int(data, "body_max", APPRECIATION_BODY_MAX);
	set_int(data, "meant_max", APPRECIATION_MEANT_MAX);
	if (typed) {
		web_set(data, "body_value", kreq_form(r, "body"));
		web_set(data, "meant_value", kreq_form(r, "meant"));
	}
	if (!web_form_refused(r, data, typed, field) && kreq_query(r, "sent"))
		web_set(data, "notice", _("Sent. Your partner can read it now."));
	return web_render(r, status, "appreciations", data, 0);
}

/* page_appreciations() - GET /appreciations */
int page_appreciations(struct kreq *r)
{
	return appreciations_page(r, 200, NULL);
}

/* page_appreciations_create() - POST /appreciations (body, meant) */
int page_appreciations_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct appreciation a;
	const char *field = NULL;
	char url[96] = "/appreciations?sent=1";
	int rc;

	if (r->input_error)
		return appreciations_page(r, 400, NULL);
	kreq_item_values(r, &appreciation_kind, &v, &scratch);
	rc = appreciation_write(r->core, r->session, &v, &a, &field);
	if (rc == ITEM_INVALID)
		return appreciations_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/appreciations?sent=1#appreciation-%s", a.v.id);
	appreciation_clear(&a);
	return page_outcome(r, rc, url, NULL);
}

/* page_appreciation_thanks() - POST /appreciations/{id}/thanks: the partner's, once. */
int page_appreciation_thanks(struct kreq *r)
{
	struct appreciation a;
	char url[96];
	int rc;

	rc = appreciation_thank(r->core, r->session, r->params[0], &a);
	appreciation_clear(&a);
	if (rc == ITEM_CONFLICT) /* thanked already: it happened */
		rc = 0;
	snprintf(url, sizeof(url), "/appreciations#appreciation-%s", r->params[0]);
	return page_outcome(r, rc, url, _("Only your partner can say thanks for this."));
}

/* ---- when I am triggered --------------------------------------------------------------- */

/* The choices of "wants" as people read them, in trigger_wants[]'s order. */
static const char *const want_labels[] = {
	N_("Reassurance that we are all right"),
	N_("Some space, for a while"),
	N_("To talk about it later, not now"),
	N_("A hug, or to be held"),
};
_Static_assert(sizeof(want_labels) / sizeof(want_labels[0]) == TRIGGER_WANTS_N,
	       "a label for every choice");

/* Whether the ','-joined set holds choice. */
static int set_holds(const char *set, const char *choice)
{
	size_t n = strlen(choice);

	while (set && *set) {
		size_t len = strcspn(set, ",");

		if (len == n && memcmp(set, choice, n) == 0)
			return 1;
		set += len;
		set += strspn(set, ",");
	}
	return 0;
}

/* [{key, label, on}] for each choice of "wants"; on: held by the set. */
static json_t *wants_data(const char *set, int only_on)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; trigger_wants[i]; i++) {
		json_t *o;
		int on = set_holds(set, trigger_wants[i]);

		if (only_on && !on)
			continue;
		o = json_object();
		web_set(o, "key", trigger_wants[i]);
		web_set(o, "label", _(want_labels[i]));
		set_flag(o, "on", on);
		if (push(arr, o) < 0)
			break;
	}
	return arr;
}

/* data[key] = a plan as the partner shared it: {wants: [...], words}. */
static void plan_data(json_t *data, const char *key, const struct item_view *plan)
{
	json_t *o = json_object();

	if (o) {
		json_object_set_new(o, "wants", wants_data(plan->values[TRIGGER_PLAN_F_WANTS], 1));
		set_text(o, "words", plan->values[TRIGGER_PLAN_F_WORDS],
			 plan->lens[TRIGGER_PLAN_F_WORDS]);
	}
	if (data && o)
		json_object_set_new(data, key, o);
	else
		json_decref(o);
}

static json_t *alert_card(const struct kreq *r, const struct triggered *t)
{
	json_t *o = json_object();

	web_set(o, "id", t->v.id);
	set_text(o, "note", t->v.values[TRIGGERED_F_NOTE], t->v.lens[TRIGGERED_F_NOTE]);
	set_date(r, o, "date", t->v.created_at);
	set_flag(o, "mine", t->v.mine);
	set_flag(o, "answered", t->answered);
	set_flag(o, "can_answer", t->can_answer);
	return o;
}

/*
 * The page; status 400 shows what was typed again, with why (field: the
 * one to mark; plan_form: the refused form was the plan's, else the alert's).
 */
static int triggered_page(struct kreq *r, int status, const char *field, int plan_form)
{
	struct triggered *list = NULL;
	struct trigger_plan plan;
	char partner[512];
	json_t *data, *open, *past;
	const char *wants = NULL;
	size_t n = 0, i;
	int rc, typed = status == 400;

	rc = triggered_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	rc = trigger_plan_read(r->core, r->session, &plan);
	if (rc != 0) {
		triggered_list_free(list, n);
		return page_outcome(r, rc, NULL, NULL);
	}
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("When I am triggered"));
	open = json_array();
	past = json_array();
	for (i = 0; i < n; i++) {
		/* the partner's alerts waiting for an answer come first, then the rest */
		json_t *to = list[i].can_answer ? open : past;

		if (push(to, alert_card(r, &list[i])) < 0)
			break;
	}
	triggered_list_free(list, n);
	if (data) {
		json_object_set_new(data, "open", open);
		json_object_set_new(data, "past", past);
	} else {
		json_decref(open);
		json_decref(past);
	}
	set_flag(data, "has_open", json_array_size(open) > 0);
	set_flag(data, "has_past", json_array_size(past) > 0);
	set_partner(data, "partner_name", partner);
	set_int(data, "words_max", TRIGGER_WORDS_MAX);
	set_int(data, "note_max", TRIGGERED_NOTE_MAX);
	set_flag(data, "has_mine", plan.has_mine);
	if (typed && plan_form) {
		/* what was typed and ticked comes back below */
		web_set(data, "words", kreq_form(r, "words"));
		set_flag(data, "shared_partner", kreq_form(r, "share_partner") != NULL);
	} else if (plan.has_mine) {
		wants = plan.mine.values[TRIGGER_PLAN_F_WANTS];
		set_text(data, "words", plan.mine.values[TRIGGER_PLAN_F_WORDS],
			 plan.mine.lens[TRIGGER_PLAN_F_WORDS]);
		set_flag(data, "shared_partner",
			 (plan.mine.shared_with & ACCESS_SHARE_PARTNER) != 0);
		set_date(r, data, "mine_date", plan.mine.updated_at);
	} else {
		set_flag(data, "shared_partner",
			 1); /* offered to the partner; unticking keeps it */
	}
	if (data)
		json_object_set_new(data, "wants", wants_data(wants, 0));
	if (typed && plan_form)
		for (i = 0; trigger_wants[i]; i++) {
			char name[32];
			json_t *o = json_array_get(json_object_get(data, "wants"), i);

			snprintf(name, sizeof(name), "wants.%s", trigger_wants[i]);
			set_flag(o, "on", kreq_form(r, name) != NULL);
		}
	if (typed && !plan_form)
		web_set(data, "note_value", kreq_form(r, "note"));
	set_flag(data, "has_partner_plan", plan.has_partner);
	if (plan.has_partner)
		plan_data(data, "partner_plan", &plan.partner);
	trigger_plan_clear(&plan);
	if (typed)
		set_flag(data, plan_form ? "plan_refused" : "alert_refused", 1);
	if (!web_form_refused(r, data, typed, field)) {
		if (kreq_query(r, "saved"))
			web_set(data, "notice", _("Saved. You can change it whenever you like."));
		else if (kreq_query(r, "sent"))
			web_set(data, "notice",
				_("Your partner has been told. Breathe slowly; you are not "
				  "alone."));
		else if (kreq_query(r, "answered"))
			web_set(data, "notice", _("Your partner now knows you are here."));
	}
	return web_render(r, status, "triggered", data, 0);
}

/* page_triggered() - GET /triggered */
int page_triggered(struct kreq *r)
{
	return triggered_page(r, 200, NULL, 0);
}

/* page_triggered_create() - POST /triggered (note?): "I'm triggered", one tap. */
int page_triggered_create(struct kreq *r)
{
	const char *note = kreq_form(r, "note"), *field = NULL;
	struct triggered t;
	int rc;

	if (r->input_error)
		return triggered_page(r, 400, NULL, 0);
	rc = triggered_raise(r->core, r->session, note, note ? strlen(note) : 0, &t, &field);
	triggered_clear(&t);
	if (rc == ITEM_INVALID)
		return triggered_page(r, 400, field, 0);
	return page_outcome(r, rc, "/triggered?sent=1#triggered-title", NULL);
}

/* page_triggered_answer() - POST /triggered/{id}/answer: the partner's "I'm here", once. */
int page_triggered_answer(struct kreq *r)
{
	struct triggered t;
	int rc;

	rc = triggered_answer(r->core, r->session, r->params[0], &t);
	triggered_clear(&t);
	if (rc == ITEM_CONFLICT) /* answered already: it happened */
		rc = 0;
	return page_outcome(r, rc, "/triggered?answered=1#triggered-title",
			    _("Only your partner can answer this."));
}

/* page_trigger_plan_save() - POST /trigger-plan (wants.<choice>, words, share_partner) */
int page_trigger_plan_save(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct trigger_plan p;
	const char *field = NULL;
	unsigned shared;
	int rc;

	if (r->input_error)
		return triggered_page(r, 400, NULL, 1);
	shared = kreq_item_values(r, &trigger_plan_kind, &v, &scratch);
	rc = trigger_plan_write(r->core, r->session, &v, shared, &p, &field);
	if (rc == ITEM_INVALID)
		return triggered_page(r, 400, field, 1);
	trigger_plan_clear(&p);
	return page_outcome(r, rc, "/triggered?saved=1#plan-title",
			    _("Only the person who wrote this can change it."));
}
