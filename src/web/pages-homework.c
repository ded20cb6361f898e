/*
 * pages-homework.c: homework as a page (/homework, step 4): assign some,
 * with a day it is due, shared with the partner and, if the author likes,
 * with the care team; either partner marks it done (or not yet), with a
 * note both see.  A therapist of the couple sees the homework shared with
 * the care team and assigns more, and marks nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/checkin.h"
#include "core/homework.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

static json_t *mark_data(const struct kreq *r, const struct homework_mark *m)
{
	json_t *o = json_object();

	set_flag(o, "mine", m->mine);
	set_flag(o, "done", m->done);
	set_text(o, "note", m->note, m->note_len);
	set_date(r, o, "date", m->at);
	return o;
}

static json_t *homework_card(const struct kreq *r, const struct homework *h, const char *today)
{
	const char *due = h->v.values[HOMEWORK_F_DUE_ON];
	json_t *o = json_object(), *marks = json_array();
	size_t i;

	web_set(o, "id", h->v.id);
	set_text(o, "title", h->v.values[HOMEWORK_F_TITLE], h->v.lens[HOMEWORK_F_TITLE]);
	set_text(o, "body", h->v.values[HOMEWORK_F_BODY], h->v.lens[HOMEWORK_F_BODY]);
	set_date(r, o, "due", due);
	set_flag(o, "done", h->done);
	set_flag(o, "overdue", !h->done && due && strcmp(due, today) < 0);
	set_flag(o, "by_care", h->by_care);
	set_flag(o, "mine", h->v.mine);
	set_flag(o, "care", (h->v.shared_with & ACCESS_SHARE_CARE) != 0);
	for (i = 0; i < h->nmarks; i++) {
		if (h->marks[i].mine)
			set_text(o, "my_note", h->marks[i].note, h->marks[i].note_len);
		if (push(marks, mark_data(r, &h->marks[i])) < 0)
			break;
	}
	if (o)
		json_object_set_new(o, "marks", marks);
	else
		json_decref(marks);
	return o;
}

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int homework_page(struct kreq *r, int status, const char *field)
{
	struct homework *list = NULL;
	char partner[512], today[CHECKIN_DATE_LEN + 1], last[CHECKIN_DATE_LEN + 1];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, typed = status == 400, is_partner = strcmp(r->session->role, "partner") == 0;

	rc = homework_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	checkin_today(today, 0);
	checkin_today(last, HOMEWORK_DAYS_AHEAD);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Homework"));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, homework_card(r, &list[i], today)) < 0)
			break;
	homework_list_free(list, n);
	if (data)
		json_object_set_new(data, "homework", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	set_flag(data, "partner", is_partner);
	set_partner(data, "partner_name", partner);
	web_set(data, "today", today);
	web_set(data, "last_day", last);
	set_int(data, "title_max", HOMEWORK_TITLE_MAX);
	set_int(data, "body_max", HOMEWORK_BODY_MAX);
	set_int(data, "note_max", HOMEWORK_NOTE_MAX);
	web_set(data, "due_on", typed && kreq_form(r, "due_on") ? kreq_form(r, "due_on") : today);
	if (typed) {
		web_set(data, "title_value", kreq_form(r, "title"));
		web_set(data, "body_value", kreq_form(r, "body"));
		set_flag(data, "care_checked", kreq_form(r, "share_care") != NULL);
	}
	web_form_refused(r, data, typed, field);
	return web_render(r, status, "homework", data, 0);
}

/* page_homework() - GET /homework */
int page_homework(struct kreq *r)
{
	return homework_page(r, 200, NULL);
}

/* page_homework_create() - POST /homework (title, body, due_on, share_partner, share_care) */
int page_homework_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct homework h;
	const char *field = NULL;
	char url[96] = "/homework";
	unsigned shared;
	int rc;

	if (r->input_error)
		return homework_page(r, 400, NULL);
	shared = kreq_item_values(r, &homework_kind, &v, &scratch);
	rc = homework_assign(r->core, r->session, &v, shared, &h, &field);
	if (rc == ITEM_INVALID)
		return homework_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/homework#homework-%s", h.v.id);
	homework_clear(&h);
	return page_outcome(r, rc, url, NULL);
}

/* page_homework_mark() - POST /homework/{id} (done, note?): mine. */
int page_homework_mark(struct kreq *r)
{
	struct homework h;
	const char *field = NULL;
	char url[96];
	int rc;

	if (r->input_error)
		return homework_page(r, 400, NULL);
	rc = homework_mark(r->core, r->session, r->params[0],
			   json_is_true(json_object_get(r->json, "done")), kreq_str(r, "note"), &h,
			   &field);
	homework_clear(&h);
	if (rc == ITEM_INVALID)
		return homework_page(r, 400, field);
	snprintf(url, sizeof(url), "/homework#homework-%s", r->params[0]);
	return page_outcome(r, rc, url, NULL);
}
