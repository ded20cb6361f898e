/*
 * pages-agreements.c: agreements as pages (step 3): /agreements (each
 * agreement with where it stands, and a new one), /agreements/{id} (the
 * current version, its history, and the caller's turn: accept, propose a
 * change, decline, retire) and /agreements/guide (what a good agreement
 * looks like, with examples).  A page calls an agreement agreed only when
 * core says both accepted its current version.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/agreements.h"
#include "core/checkin.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define REVIEW_DEFAULT_DAYS 90 /* a first review in about three months */

/* The category's name, translated. */
static const char *category_label(const char *key)
{
	static const struct {
		const char *key, *label;
	} names[] = {
		{"physical_contact", N_("Physical contact")},
		{"flirting", N_("Flirting with others")},
		{"online", N_("Online activity")},
		{"privacy", N_("Privacy")},
		{"finances", N_("Finances")},
		{"decisions", N_("Decision making")},
		{"other", N_("Other")},
	};
	size_t i;

	for (i = 0; key && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].key, key) == 0)
			return _(names[i].label);
	return _("Other");
}

/* The categories for a <select>: [{value, label, selected}]. */
static json_t *category_choices(const char *selected)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; agreement_categories[i]; i++) {
		json_t *o = json_object();

		web_set(o, "value", agreement_categories[i]);
		web_set(o, "label", category_label(agreement_categories[i]));
		set_flag(o, "selected", selected && strcmp(selected, agreement_categories[i]) == 0);
		if (push(arr, o) < 0)
			break;
	}
	return arr;
}

/* Where an agreement stands, for the reader: o.state_<status>, to_answer, waiting, ended. */
static void state_data(const struct kreq *r, json_t *o, const struct agreement *a)
{
	int mine = strcmp(a->accepted_by[0], r->session->member_id) == 0;
	char key[32];

	snprintf(key, sizeof(key), "state_%s", agreement_status_name(a->status));
	set_flag(o, key, 1);
	set_flag(o, "to_answer", a->status == AGREEMENT_PROPOSED && !mine);
	set_flag(o, "waiting", a->status == AGREEMENT_PROPOSED && mine);
	set_flag(o, "ended", a->status == AGREEMENT_DECLINED || a->status == AGREEMENT_RETIRED);
	set_flag(o, "review_due", a->review_due);
	set_flag(o, "proposed_by_me", mine);
	set_flag(o, "care_shared", (a->v.shared_with & ACCESS_SHARE_CARE) != 0);
}

/* One agreement's values as a card: id, category, text, consequence, review day, state. */
static json_t *agreement_card(const struct kreq *r, const struct agreement *a)
{
	const struct item_view *v = &a->v;
	json_t *o = json_object();

	web_set(o, "id", v->id);
	web_set(o, "category", category_label(v->values[AGREEMENT_F_CATEGORY]));
	set_text(o, "text", v->values[AGREEMENT_F_TEXT], v->lens[AGREEMENT_F_TEXT]);
	set_text(o, "consequence", v->values[AGREEMENT_F_CONSEQUENCE],
		 v->lens[AGREEMENT_F_CONSEQUENCE]);
	set_flag(o, "has_consequence", v->lens[AGREEMENT_F_CONSEQUENCE] > 0);
	set_date(r, o, "review_on", v->values[AGREEMENT_F_REVIEW_ON]);
	set_int(o, "version", v->version);
	state_data(r, o, a);
	/* the coach's hints on the version its proposer wrote, for them alone */
	if (strcmp(a->accepted_by[0], r->session->member_id) == 0) {
		page_coach_hints(o, v->values[AGREEMENT_F_TEXT], v->lens[AGREEMENT_F_TEXT]);
		page_coach_hints(o, v->values[AGREEMENT_F_CONSEQUENCE],
				 v->lens[AGREEMENT_F_CONSEQUENCE]);
	}
	return o;
}

/* The page of the list; status 400 shows what was typed again, with why. */
static int list_page(struct kreq *r, int status, const char *field)
{
	struct agreement *list = NULL;
	char partner[512], review[CHECKIN_DATE_LEN + 1];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, typed = status == 400;

	rc = agreements_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(agreement_kind.title));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, agreement_card(r, &list[i])) < 0)
			break;
	agreements_free(list, n);
	if (data)
		json_object_set_new(data, "agreements", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	set_partner(data, "partner_name", partner);
	set_int(data, "text_max", AGREEMENT_TEXT_MAX);
	checkin_today(review, REVIEW_DEFAULT_DAYS);
	if (data)
		json_object_set_new(data, "categories",
				    category_choices(typed ? kreq_form(r, "category") : NULL));
	web_set(data, "review_on",
		typed && kreq_form(r, "review_on") ? kreq_form(r, "review_on") : review);
	if (typed) {
		web_set(data, "text", kreq_form(r, "text"));
		web_set(data, "consequence", kreq_form(r, "consequence"));
	}
	/* the care team's box, when the couple has one to share with */
	set_flag(data, "care_offer", r->session->has_tk);
	set_flag(data, "care_checked", typed && kreq_form(r, "share_care") != NULL);
	web_form_refused(r, data, typed, field);
	return web_render(r, status, "agreements", data, 0);
}

/* page_agreements() - GET /agreements */
int page_agreements(struct kreq *r)
{
	return list_page(r, 200, NULL);
}

/*
 * page_agreements_create() - POST /agreements (category, text, consequence,
 * review_on, share_care): always shared with the partner, with the care team
 * too when the box is ticked.
 */
int page_agreements_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct agreement a;
	const char *field = NULL;
	char url[96] = "/agreements";
	unsigned shared;
	int rc;

	if (r->input_error)
		return list_page(r, 400, NULL);
	shared = kreq_item_values(r, &agreement_kind, &v, &scratch) | ACCESS_SHARE_PARTNER;
	rc = agreement_propose(r->core, r->session, &v, shared, &a, &field);
	if (rc == ITEM_INVALID)
		return list_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/agreements/%s?saved=1", a.v.id);
	agreement_clear(&a);
	return page_outcome(r, rc, url, NULL);
}

/* The history: every version, oldest first. */
static json_t *versions_data(const struct kreq *r, const struct agreement *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < a->nversions; i++) {
		const struct item_view *v = &a->versions[i];
		const char *by = v->values[AGREEMENT_F_PROPOSED_BY];
		json_t *o = json_object();

		set_int(o, "version", v->version);
		set_flag(o, "mine", by && strcmp(by, r->session->member_id) == 0);
		set_date(r, o, "date", v->created_at);
		set_text(o, "text", v->values[AGREEMENT_F_TEXT], v->lens[AGREEMENT_F_TEXT]);
		set_text(o, "consequence", v->values[AGREEMENT_F_CONSEQUENCE],
			 v->lens[AGREEMENT_F_CONSEQUENCE]);
		set_flag(o, "has_consequence", v->lens[AGREEMENT_F_CONSEQUENCE] > 0);
		set_date(r, o, "review_on", v->values[AGREEMENT_F_REVIEW_ON]);
		set_text(o, "note", v->values[AGREEMENT_F_NOTE], v->lens[AGREEMENT_F_NOTE]);
		if (push(arr, o) < 0)
			break;
	}
	return arr;
}

/* The form of a change: typed after an error, else the current version's values. */
static void change_values(const struct kreq *r, json_t *data, const struct agreement *a, int typed)
{
	static const char *const names[] = {"text", "consequence", "review_on", "note"};
	json_t *f = json_object();
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t at = AGREEMENT_F_TEXT + i;

		if (typed)
			web_set(f, names[i], kreq_form(r, names[i]));
		else if (at != AGREEMENT_F_NOTE)
			set_text(f, names[i], a->v.values[at], a->v.lens[at]);
	}
	if (data)
		json_object_set_new(data, "f", f);
	else
		json_decref(f);
}

/* The notice after an action (?saved, ?accepted, ...), or none. */
static void action_notice(const struct kreq *r, json_t *data)
{
	if (kreq_query(r, "saved"))
		web_set(data, "notice",
			_("Your version is saved. It holds once your partner accepts it too."));
	else if (kreq_query(r, "accepted"))
		web_set(data, "notice", _("You accepted this agreement."));
	else if (kreq_query(r, "declined"))
		web_set(data, "notice",
			_("You declined this agreement. Your partner sees it, "
			  "with your note."));
	else if (kreq_query(r, "retired"))
		web_set(data, "notice",
			_("The agreement is retired. Your partner sees who "
			  "retired it and why."));
}

/* One agreement's page; status 400 shows the change or retirement typed again (form: which). */
static int agreement_page(struct kreq *r, int status, const char *form, const char *field)
{
	struct agreement a;
	char partner[512];
	json_t *data;
	int rc, typed = status == 400;

	rc = agreement_read(r->core, r->session, r->params[0], &a);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(agreement_kind.title));
	if (data)
		json_object_set_new(data, "a", agreement_card(r, &a));
	set_partner(data, "partner_name", partner);
	set_date(r, data, "proposed_on", a.v.updated_at);
	set_text(data, "version_note", a.v.values[AGREEMENT_F_NOTE], a.v.lens[AGREEMENT_F_NOTE]);
	if (a.status == AGREEMENT_DECLINED || a.status == AGREEMENT_RETIRED) {
		set_flag(data, "ended_mine", strcmp(a.ended_by, r->session->member_id) == 0);
		set_date(r, data, "ended_on", a.ended_at);
		set_text(data, "end_note", a.end_note, a.end_note_len);
	}
	if (data)
		json_object_set_new(data, "versions", versions_data(r, &a));
	set_flag(data, "has_history", a.nversions > 1);
	change_values(r, data, &a, typed && strcmp(form, "revise") == 0);
	if (typed && strcmp(form, "retire") == 0)
		web_set(data, "reason", kreq_form(r, "reason"));
	agreement_clear(&a);
	set_int(data, "text_max", AGREEMENT_TEXT_MAX);
	set_int(data, "note_max", AGREEMENT_NOTE_MAX);
	/* the error shows in the form it came from; an accept or a decline shows it on top */
	set_flag(data, "retire_error", typed && strcmp(form, "retire") == 0);
	set_flag(data, "revise_error", typed && strcmp(form, "revise") == 0);
	if (!web_form_refused(r, data, typed, field))
		action_notice(r, data);
	return web_render(r, status, "agreement", data, 0);
}

/* page_agreement() - GET /agreements/{id} */
int page_agreement(struct kreq *r)
{
	return agreement_page(r, 200, "", NULL);
}

/* Where a form on /agreements/{id} goes back to after done (?<done>=1). */
static int back_to(struct kreq *r, int rc, const char *done, const char *forbidden)
{
	char url[128];

	snprintf(url, sizeof(url), "/agreements/%s?%s=1#agreement-title", r->params[0], done);
	return page_outcome(r, rc, url, forbidden);
}

/* page_agreements_accept() - POST /agreements/{id}/accept (version) */
int page_agreements_accept(struct kreq *r)
{
	json_t *version = r->json ? json_object_get(r->json, "version") : NULL;
	struct agreement a;
	int rc;

	if (r->input_error)
		return agreement_page(r, 400, "", NULL);
	rc = agreement_accept(r->core, r->session, r->params[0], json_integer_value(version), &a);
	agreement_clear(&a);
	return back_to(r, rc, "accepted",
		       _("You proposed this version, so you have accepted it already. It is "
			 "your partner's to accept."));
}

/* page_agreements_revise() - POST /agreements/{id}/revise (text, consequence, review_on, note) */
int page_agreements_revise(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct agreement a;
	const char *field = NULL;
	int rc;

	if (r->input_error)
		return agreement_page(r, 400, "revise", NULL);
	kreq_item_values(r, &agreement_kind, &v, &scratch);
	rc = agreement_revise(r->core, r->session, r->params[0], &v, &a, &field);
	agreement_clear(&a);
	if (rc == ITEM_INVALID)
		return agreement_page(r, 400, "revise", field);
	return back_to(r, rc, "saved", NULL);
}

/* page_agreements_decline() - POST /agreements/{id}/decline (note) */
int page_agreements_decline(struct kreq *r)
{
	struct agreement a;
	int rc;

	if (r->input_error)
		return agreement_page(r, 400, "", NULL);
	rc = agreement_decline(r->core, r->session, r->params[0], kreq_str(r, "note"), &a);
	agreement_clear(&a);
	return back_to(r, rc, "declined",
		       _("You proposed this version. You can change it or retire it; declining "
			 "it is your partner's to do."));
}

/* page_agreements_retire() - POST /agreements/{id}/retire (reason) */
int page_agreements_retire(struct kreq *r)
{
	struct agreement a;
	int rc;

	if (r->input_error)
		return agreement_page(r, 400, "retire", NULL);
	rc = agreement_retire(r->core, r->session, r->params[0], kreq_str(r, "reason"), &a);
	agreement_clear(&a);
	if (rc == ITEM_INVALID)
		return agreement_page(r, 400, "retire", "reason");
	return back_to(r, rc, "retired", NULL);
}

/* page_agreements_guide() - GET /agreements/guide: what a good agreement looks like. */
int page_agreements_guide(struct kreq *r)
{
	json_t *data = web_page_new(r, _("What makes a good agreement"));

	return web_render(r, 200, "agreements_guide", data, 0);
}
