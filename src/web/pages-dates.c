/*
 * pages-dates.c: date nights as a page (/dates, step 3): plan one, and
 * after it, each partner says it happened and how it was, from 1 to 5,
 * with a note if they like; both see both answers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/checkin.h"
#include "core/dates.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

static json_t *rating_data(const struct kreq *r, const struct date_rating *dr)
{
	json_t *o;

	if (!dr->given)
		return NULL;
	o = json_object();
	set_flag(o, "done", dr->done);
	set_int(o, "rating", dr->rating);
	set_flag(o, "rated", dr->rating > 0);
	set_text(o, "note", dr->note, dr->note_len);
	set_date(r, o, "date", dr->at);
	return o;
}

static json_t *date_card(const struct kreq *r, const struct date_night *d, const char *today)
{
	const char *day = d->v.values[DATE_F_PLANNED_FOR];
	json_t *o = json_object(), *mine = rating_data(r, &d->mine);
	json_t *partner = rating_data(r, &d->partner);
	char key[16];

	web_set(o, "id", d->v.id);
	set_text(o, "title", d->v.values[DATE_F_TITLE], d->v.lens[DATE_F_TITLE]);
	set_date(r, o, "day", day);
	set_flag(o, "done", d->done);
	set_flag(o, "ahead", day && strcmp(day, today) > 0);
	if (mine && d->mine.rating) {
		snprintf(key, sizeof(key), "r%d", d->mine.rating);
		set_flag(o, key, 1); /* the reader's rating checked again in the form */
	}
	if (o) {
		json_object_set_new(o, "mine", mine ? mine : json_null());
		json_object_set_new(o, "partner", partner ? partner : json_null());
	} else {
		json_decref(mine);
		json_decref(partner);
	}
	return o;
}

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int dates_page(struct kreq *r, int status, const char *field)
{
	struct date_night *list = NULL;
	char partner[512], today[CHECKIN_DATE_LEN + 1];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, typed = status == 400;

	rc = dates_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	checkin_today(today, 0);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Date nights"));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, date_card(r, &list[i], today)) < 0)
			break;
	dates_free(list, n);
	if (data)
		json_object_set_new(data, "dates", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	set_partner(data, "partner_name", partner);
	set_int(data, "title_max", DATE_TITLE_MAX);
	set_int(data, "note_max", DATE_NOTE_MAX);
	web_set(data, "planned_for",
		typed && kreq_form(r, "planned_for") ? kreq_form(r, "planned_for") : today);
	if (typed)
		web_set(data, "title_value", kreq_form(r, "title"));
	web_form_refused(r, data, typed, field);
	return web_render(r, status, "dates", data, 0);
}

/* page_dates() - GET /dates */
int page_dates(struct kreq *r)
{
	return dates_page(r, 200, NULL);
}

/* page_dates_create() - POST /dates (title, planned_for) */
int page_dates_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct date_night d;
	const char *field = NULL;
	char url[96] = "/dates";
	int rc;

	if (r->input_error)
		return dates_page(r, 400, NULL);
	kreq_item_values(r, &date_kind, &v, &scratch);
	rc = date_plan(r->core, r->session, &v, &d, &field);
	if (rc == ITEM_INVALID)
		return dates_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/dates#date-%s", d.v.id);
	date_clear(&d);
	return page_outcome(r, rc, url, NULL);
}

/* page_dates_answer() - POST /dates/{id} (done, rating?, note?): how it was, mine. */
int page_dates_answer(struct kreq *r)
{
	json_t *rating = r->json ? json_object_get(r->json, "rating") : NULL;
	struct date_night d;
	const char *field = NULL;
	char url[96];
	int rc;

	if (r->input_error)
		return dates_page(r, 400, NULL);
	rc = date_answer(
		r->core, r->session, r->params[0], json_is_true(json_object_get(r->json, "done")),
		rating ? (int)json_integer_value(rating) : 0, kreq_str(r, "note"), &d, &field);
	date_clear(&d);
	if (rc == ITEM_INVALID)
		return dates_page(r, 400, field);
	snprintf(url, sizeof(url), "/dates#date-%s", r->params[0]);
	return page_outcome(r, rc, url, NULL);
}
