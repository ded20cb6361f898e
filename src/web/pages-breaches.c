/*
 * pages-breaches.c: breaches and their repair as pages (/breaches, step 3):
 * the couple's breaches and a form to record one (optionally naming the
 * agreement it broke, and whether it is one's own: a self-report is
 * thanked, never scored); one breach with each partner's repair as the
 * reader may read it, the reader's repair form (feelings as a group of
 * checkboxes, then the texts of the "aftermath of a fight"), and "we have
 * talked it through: repaired".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreements.h"
#include "core/breaches.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define EXCERPT_CHARS 160 /* what a list shows of what happened */

/* The texts of a repair, by field, with the name a form and a template use. */
static const int repair_texts[] = {REPAIR_F_MY_VIEW, REPAIR_F_THEIR_VIEW, REPAIR_F_TRIGGERS,
				   REPAIR_F_MY_PART, REPAIR_F_DO_DIFFERENTLY};
#define NTEXTS (sizeof(repair_texts) / sizeof(repair_texts[0]))

/* Whether the comma-joined feelings hold key. */
static int has_feeling(const char *set, const char *key)
{
	size_t n = strlen(key);
	const char *p = set;

	while (p && *p) {
		if (strncmp(p, key, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* The labels of the comma-joined feelings, translated, as [{label}]. */
static json_t *feeling_labels(const char *set)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; set && breach_feelings[i]; i++) {
		json_t *o;

		if (!has_feeling(set, breach_feelings[i]))
			continue;
		o = json_object();
		web_set(o, "label", _(breach_feeling_label(breach_feelings[i])));
		if (push(arr, o) < 0)
			break;
	}
	return arr;
}

/* One repair as the page shows it. */
static json_t *repair_data(const struct item_view *rep)
{
	json_t *o = json_object();
	size_t i;

	set_flag(o, "mine", rep->mine);
	if (o)
		json_object_set_new(o, "feelings", feeling_labels(rep->values[REPAIR_F_FEELINGS]));
	for (i = 0; i < NTEXTS; i++) {
		int f = repair_texts[i];

		set_text(o, breach_repair_fields[f].name, rep->values[f], rep->lens[f]);
		/* the coach's hints on one's own side, which the partner reads */
		if (rep->mine)
			page_coach_hints(o, rep->values[f], rep->lens[f]);
	}
	return o;
}

/* What a breach card shows: whose it is, its status, a self-report as such. */
static json_t *breach_data(const struct kreq *r, const struct breach *b, int excerpt)
{
	const char *text = b->v.values[BREACH_F_DESCRIPTION];
	const char *self = b->v.values[BREACH_F_SELF_REPORT];
	json_t *o = json_object();
	char *cut = NULL;

	web_set(o, "id", b->v.id);
	if (excerpt && text) {
		cut = web_excerpt(text, b->v.lens[BREACH_F_DESCRIPTION], EXCERPT_CHARS);
		web_set(o, "description", cut);
		if (cut) {
			explicit_bzero(cut, strlen(cut));
			free(cut);
		}
	} else {
		set_text(o, "description", text, b->v.lens[BREACH_F_DESCRIPTION]);
	}
	set_date(r, o, "date", b->v.created_at);
	set_flag(o, "mine", b->v.mine);
	set_flag(o, "self_report", self && self[0] == '1');
	set_flag(o, "open", b->status == BREACH_OPEN);
	set_flag(o, "repairing", b->status == BREACH_REPAIRING);
	set_flag(o, "repaired", b->status == BREACH_REPAIRED);
	set_flag(o, "care_shared", (b->v.shared_with & ACCESS_SHARE_CARE) != 0);
	return o;
}

/* The couple's agreements for the form's select, newest first: {id, text}. */
static int agreement_options(struct kreq *r, json_t *data)
{
	struct agreement *list = NULL;
	const char *chosen = web_form_value(r, "agreement_id");
	json_t *arr;
	size_t n = 0, i;
	int rc;

	rc = agreements_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc;
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct item_view *v = &list[i].v;
		json_t *o = json_object();
		char *cut =
			web_excerpt(v->values[AGREEMENT_F_TEXT] ? v->values[AGREEMENT_F_TEXT] : "",
				    v->lens[AGREEMENT_F_TEXT], 80);

		web_set(o, "id", v->id);
		web_set(o, "text", cut);
		set_flag(o, "selected", chosen && strcmp(chosen, v->id) == 0);
		if (cut) {
			explicit_bzero(cut, strlen(cut));
			free(cut);
		}
		if (push(arr, o) < 0)
			break;
	}
	agreements_free(list, n);
	set_flag(data, "has_agreements", n > 0);
	if (data)
		json_object_set_new(data, "agreements", arr);
	else
		json_decref(arr);
	return 0;
}

/*
 * /breaches: status 400 shows what was typed again, with why: message, or
 * r->input_error's, or the field core refused.
 */
static int breaches_page(struct kreq *r, int status, const char *field, const char *message)
{
	struct breach *list = NULL;
	char partner[512];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, typed = status >= 400;

	rc = breaches_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(breach_kind.title));
	set_partner(data, "partner_name", partner);
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, breach_data(r, &list[i], 1)) < 0)
			break;
	breaches_free(list, n);
	if (data)
		json_object_set_new(data, "breaches", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	set_int(data, "text_max", BREACH_TEXT_MAX);
	rc = agreement_options(r, data);
	if (rc < 0) {
		web_wipe(data);
		json_decref(data);
		return rc;
	}
	if (typed) {
		web_set(data, "description", web_form_value(r, "description"));
		set_flag(data, "self_report", web_form_value(r, "self_report") != NULL);
	}
	/* the care team's box, when the couple has one to share with */
	set_flag(data, "care_offer", r->session->has_tk);
	set_flag(data, "care_checked", typed && web_form_value(r, "share_care") != NULL);
	if (message)
		web_form_error(data, "error", message, field);
	else
		web_form_refused(r, data, typed, field);
	return web_render(r, status, "breaches", data, 0);
}

/* page_breaches() - GET /breaches */
int page_breaches(struct kreq *r)
{
	return breaches_page(r, 200, NULL, NULL);
}

/*
 * page_breaches_create() - POST /breaches (agreement_id?, description,
 * self_report?, share_care?): always shared with the partner, with the care
 * team too when that box is ticked.
 */
int page_breaches_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct breach b;
	const char *field = NULL;
	char url[96] = "/breaches";
	unsigned shared;
	int rc;

	if (r->input_error)
		return breaches_page(r, 400, NULL, NULL);
	shared = kreq_item_values(r, &breach_kind, &v, &scratch) | ACCESS_SHARE_PARTNER;
	if (!v.v[BREACH_F_SELF_REPORT]) { /* an unchecked box is not sent: not one's own */
		v.v[BREACH_F_SELF_REPORT] = "0";
		v.len[BREACH_F_SELF_REPORT] = 1;
	}
	rc = breach_record(r->core, r->session, &v, shared, &b, &field);
	if (rc == ITEM_INVALID)
		return breaches_page(r, 400, field, NULL);
	if (rc == ITEM_NOTFOUND && field) /* the agreement chosen is gone, or never was */
		return breaches_page(r, 400, field,
				     _("There is no such agreement. Please choose one from the "
				       "list."));
	if (rc == 0)
		snprintf(url, sizeof(url), "/breaches/%s", b.v.id);
	breach_clear(&b);
	return page_outcome(r, rc, url, NULL);
}

/* The repair form's values: typed after a refusal, else the reader's own repair, else empty. */
static void form_values(const struct kreq *r, json_t *data, const struct item_view *mine, int typed)
{
	json_t *f = json_object(), *feel = json_array();
	char name[64];
	size_t i;

	for (i = 0; breach_feelings[i]; i++) {
		json_t *o = json_object();
		int on;

		snprintf(name, sizeof(name), "feelings.%s", breach_feelings[i]);
		if (typed)
			on = kreq_form(r, name) != NULL;
		else
			on = mine &&
			     has_feeling(mine->values[REPAIR_F_FEELINGS], breach_feelings[i]);
		web_set(o, "key", breach_feelings[i]);
		web_set(o, "label", _(breach_feeling_label(breach_feelings[i])));
		set_flag(o, "on", on);
		if (push(feel, o) < 0)
			break;
	}
	for (i = 0; i < NTEXTS; i++) {
		const char *key = breach_repair_fields[repair_texts[i]].name;

		if (typed)
			web_set(f, key, web_form_value(r, key));
		else if (mine)
			set_text(f, key, mine->values[repair_texts[i]],
				 mine->lens[repair_texts[i]]);
	}
	if (f)
		json_object_set_new(f, "feelings", feel);
	else
		json_decref(feel);
	if (data)
		json_object_set_new(data, "f", f);
	else
		json_decref(f);
}

/*
 * /breaches/{id}: status 400 or 409 shows the form again with message (or
 * r->input_error's, field marked).
 */
static int breach_page(struct kreq *r, int status, const char *field, const char *message)
{
	const struct item_view *mine;
	struct agreement ag;
	struct breach b;
	char partner[512];
	json_t *data, *reps;
	size_t i;
	int rc, typed = status >= 400;

	rc = breach_read(r->core, r->session, r->params[0], &b);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(breach_kind.title));
	set_partner(data, "partner_name", partner);
	if (data)
		json_object_set_new(data, "breach", breach_data(r, &b, 0));
	if (b.v.values[BREACH_F_AGREEMENT] &&
	    agreement_read(r->core, r->session, b.v.values[BREACH_F_AGREEMENT], &ag) == 0) {
		set_text(data, "agreement", ag.v.values[AGREEMENT_F_TEXT],
			 ag.v.lens[AGREEMENT_F_TEXT]);
		agreement_clear(&ag);
	}
	reps = json_array();
	for (i = 0; i < b.nrepairs; i++)
		if (push(reps, repair_data(&b.repairs[i])) < 0)
			break;
	if (data)
		json_object_set_new(data, "repairs", reps);
	else
		json_decref(reps);
	mine = breach_repair_mine(&b);
	set_flag(data, "wrote", b.wrote);
	set_flag(data, "waiting", b.waiting > 0);
	set_flag(data, "closed", b.status == BREACH_REPAIRED);
	set_flag(data, "can_say_repaired",
		 b.wrote && !b.said_repaired && b.status != BREACH_REPAIRED);
	set_flag(data, "said_repaired", b.said_repaired && b.status != BREACH_REPAIRED);
	set_int(data, "text_max", BREACH_TEXT_MAX);
	form_values(r, data, mine, typed);
	breach_clear(&b);
	if (message)
		web_form_error(data, "error", message, NULL);
	else
		web_form_refused(r, data, typed, field);
	if (!typed && kreq_query(r, "saved"))
		web_set(data, "notice", _("Your side is saved."));
	return web_render(r, status, "breach", data, 0);
}

/* page_breach() - GET /breaches/{id} */
int page_breach(struct kreq *r)
{
	return breach_page(r, 200, NULL, NULL);
}

/* page_breach_repair() - POST /breaches/{id}/repair: the reader's side, written or changed. */
int page_breach_repair(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct breach b;
	const char *field = NULL;
	char url[96];
	int rc;

	if (r->input_error)
		return breach_page(r, 400, NULL, NULL);
	kreq_item_values(r, &breach_repair_kind, &v, &scratch);
	rc = breach_repair_put(r->core, r->session, r->params[0], &v, BREACH_REPAIR_ANY, &b,
			       &field);
	breach_clear(&b);
	if (rc == ITEM_INVALID)
		return breach_page(r, 400, field, NULL);
	if (rc == BREACH_CLOSED)
		return breach_page(r, 409, NULL,
				   _("You have both said that this is repaired, so your side no "
				     "longer changes."));
	snprintf(url, sizeof(url), "/breaches/%s?saved=1#repair-title", r->params[0]);
	return page_outcome(r, rc, url, NULL);
}

/* page_breach_repaired() - POST /breaches/{id}/repaired */
int page_breach_repaired(struct kreq *r)
{
	struct breach b;
	char url[96];
	int rc;

	rc = breach_mark_repaired(r->core, r->session, r->params[0], &b);
	breach_clear(&b);
	if (rc == BREACH_UNWRITTEN)
		return breach_page(r, 409, NULL,
				   _("Write your side first. Then you can say that it is "
				     "repaired."));
	snprintf(url, sizeof(url), "/breaches/%s#status-title", r->params[0]);
	return page_outcome(r, rc, url, NULL);
}
