/*
 * pages-activity.c: shared activities as pages (/activities, step 2 of
 * the program): something the partners plan to do together outside the
 * bedroom (exercise, cooking, a hobby), marked done with how it felt.
 * Every activity handed to the template sets each key its partial reads
 * (see set_flag() in render.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activity.h"
#include "core/checkin.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

static const char *activity_label(enum activity_kind k)
{
	switch (k) {
	case ACTIVITY_EXERCISE:
		return _("Exercise");
	case ACTIVITY_COOKING:
		return _("Cooking");
	case ACTIVITY_HOBBY:
		return _("A hobby");
	default:
		return _("Something else");
	}
}

static json_t *activity_card(const struct kreq *r, const struct activity *a, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", a->id);
	set_text(o, "title", a->title, a->title_len);
	web_set(o, "kind_label", activity_label(a->kind));
	web_set(o, "planned_for", a->planned_for);
	set_date(r, o, "date", a->planned_for);
	set_flag(o, "mine", a->mine);
	set_partner(o, "from_name", partner);
	set_partner(o, "from_partner", partner);
	set_flag(o, "done", a->done);
	if (a->done)
		set_date(r, o, "done_date", a->done_at);
	set_text(o, "felt", a->felt, a->felt_len);
	set_text(o, "partner_felt", a->partner_felt, a->partner_felt_len);
	return o;
}

static int activities_page(struct kreq *r, int status, int error)
{
	struct activity *list = NULL;
	char partner[512], today[CHECKIN_DATE_LEN + 1];
	json_t *data, *upcoming, *overdue, *done, *kinds;
	const char *kind = error ? kreq_form(r, "kind") : NULL;
	size_t n = 0, i;
	int rc;

	rc = activity_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	partner_display_name(r, partner, sizeof(partner));
	checkin_today(today, 0);
	data = web_page_new(r, _("Shared activities"));
	upcoming = json_array();
	overdue = json_array();
	done = json_array();
	kinds = json_array();
	/* the list is latest day first: the soonest upcoming go to the front */
	for (i = 0; i < n; i++) {
		json_t *card = activity_card(r, &list[i], partner);

		if (list[i].done)
			rc = push(done, card);
		else if (strcmp(list[i].planned_for, today) < 0)
			rc = push(overdue, card);
		else
			rc = card && upcoming && json_array_insert_new(upcoming, 0, card) == 0
				     ? 0
				     : (json_decref(card), -ENOMEM);
		if (rc < 0)
			break;
	}
	activity_list_free(list, n);
	for (i = 0; activity_kinds[i]; i++) {
		json_t *o = json_object();

		web_set(o, "value", activity_kinds[i]);
		web_set(o, "label", activity_label((enum activity_kind)i));
		set_flag(o, "selected", kind && !strcmp(kind, activity_kinds[i]));
		if (push(kinds, o) < 0)
			break;
	}
	set_flag(data, "has_upcoming", json_array_size(upcoming) > 0);
	set_flag(data, "has_overdue", json_array_size(overdue) > 0);
	set_flag(data, "has_done", json_array_size(done) > 0);
	if (data) {
		json_object_set_new(data, "upcoming", upcoming);
		json_object_set_new(data, "overdue", overdue);
		json_object_set_new(data, "done_list", done);
		json_object_set_new(data, "kinds", kinds);
	} else {
		json_decref(upcoming);
		json_decref(overdue);
		json_decref(done);
		json_decref(kinds);
	}
	set_int(data, "title_max", ACTIVITY_TITLE_MAX);
	set_int(data, "felt_max", ACTIVITY_FELT_MAX);
	if (error) {
		web_set(data, "title_value", kreq_form(r, "title"));
		web_set(data, "planned_for",
			kreq_form(r, "planned_for") ? kreq_form(r, "planned_for") : today);
		step2_form_error(r, data);
	} else {
		web_set(data, "planned_for", today);
	}
	return web_render(r, status, "activities", data, 0);
}

/* page_activities() - GET /activities */
int page_activities(struct kreq *r)
{
	return activities_page(r, 200, 0);
}

/* page_activities_create() - POST /activities */
int page_activities_create(struct kreq *r)
{
	const char *title = kreq_str(r, "title");
	int kind = activity_kind_from(kreq_str(r, "kind"));
	struct activity a;
	int rc;

	if (r->input_error || !title || kind < 0)
		return activities_page(r, 400, 1);
	memset(&a, 0, sizeof(a));
	rc = activity_add(r->core, r->session, (enum activity_kind)kind, title, strlen(title),
			  kreq_str(r, "planned_for"), &a);
	activity_clear(&a);
	return page_outcome(r, rc, "/activities", NULL);
}

/* page_activities_update() - POST /activities/{id}: done, and how it felt. */
int page_activities_update(struct kreq *r)
{
	const char *id = r->params[0], *felt;
	struct activity a;
	char url[96];
	int rc;

	if (r->input_error)
		return activities_page(r, 400, 1);
	felt = kreq_str(r, "felt");
	memset(&a, 0, sizeof(a));
	rc = activity_mark(r->core, r->session, id, json_is_true(json_object_get(r->json, "done")),
			   felt, felt ? strlen(felt) : 0, &a);
	activity_clear(&a);
	snprintf(url, sizeof(url), "/activities#activity-%s", id);
	return page_outcome(r, rc, url, NULL);
}
