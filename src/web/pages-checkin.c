/*
 * pages-checkin.c: the check-in as pages (step 2 of the program): the
 * form with its simultaneous reveal (/checkin), the history (/checkins),
 * and the couple's rhythm (POST /settings/rhythm), daily or weekly, which
 * decides the period a check-in is for.
 *
 * Forms post and redirect (303) on success; a form that fails comes back
 * with what was typed and one kind sentence.  Who sees what is core's
 * decision (core/access.c and the reveal rule in core/checkin.c): these
 * handlers only show what core returns.  Mustache looks names up through
 * the enclosing contexts, so every item handed to a template sets each key
 * its partial reads, false or null included: a partner's check-in can
 * never show the reader's note by falling back to an outer context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/checkin.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define HISTORY_DAYS  28 /* /checkins shows four weeks of a daily rhythm per page */
#define HISTORY_WEEKS 12 /* and twelve weeks of a weekly one */

/* page_checkin_dim_label() - see pages.h. */
const char *page_checkin_dim_label(size_t i)
{
	switch (i) {
	case CHECKIN_EMOTIONAL:
		return _("Emotionally");
	case CHECKIN_PHYSICAL:
		return _("Physically");
	case CHECKIN_MENTAL:
		return _("Mentally");
	case CHECKIN_SEXUAL:
		return _("Sexually");
	default:
		return _("Financially");
	}
}

/* One check-in for checkin_card.mustache: every key it reads is set. */
static json_t *checkin_card(const struct checkin *ci)
{
	json_t *o = json_object(), *scores = json_array(), *one;
	size_t i;

	if (!o || !scores) {
		json_decref(o);
		json_decref(scores);
		return NULL;
	}
	for (i = 0; i < _CHECKIN_DIM_MAX; i++) {
		one = json_object();
		web_set(one, "label", page_checkin_dim_label(i));
		set_int(one, "value", ci->scores[i]);
		if (push(scores, one) < 0)
			break;
	}
	json_object_set_new(o, "scores", scores);
	web_set(o, "id", ci->id);
	set_int(o, "trust", ci->trust);
	set_int(o, "closeness", ci->closeness);
	set_text(o, "note", ci->note, ci->note_len);
	set_flag(o, "mine", ci->mine);
	set_flag(o, "shared", (ci->shared_with & ACCESS_SHARE_PARTNER) != 0);
	return o;
}

/* The value the form had for name: typed (after a failed post), else saved. */
static const char *typed(const struct kreq *r, const char *name)
{
	return kreq_form(r, name);
}

/* <option>s lo..hi with `want` selected (-1: none). */
static json_t *number_options(int lo, int hi, int want)
{
	json_t *arr = json_array(), *o;
	int v;

	for (v = lo; arr && v <= hi; v++) {
		o = json_object();
		set_int(o, "value", v);
		set_flag(o, "selected", v == want); /* <option> */
		set_flag(o, "checked", v == want);  /* radio */
		if (push(arr, o) < 0)
			return NULL;
	}
	return arr;
}

/* A decimal form value in lo..hi, else -1. */
static int typed_int(const char *s, int lo, int hi)
{
	int v = 0;

	if (!s || !*s || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/*
 * checkin_form() - the data of checkin_form.mustache.  Values come from
 * what was typed when use_typed (a failed post), else from saved (editing),
 * else the form starts empty.  error_here puts r's input error on it.
 */
static json_t *checkin_form(struct kreq *r, const char *form_id, const char *action,
			    const char *period, const struct checkin *saved, int use_typed,
			    int error_here)
{
	json_t *form = json_object(), *dims = json_array();
	const char *bad = error_here && r->input_error ? r->input_error->field : "";
	char name[32];
	size_t i;
	int v;

	if (!form || !dims) {
		json_decref(form);
		json_decref(dims);
		return NULL;
	}
	web_set(form, "form_id", form_id);
	web_set(form, "action", action);
	web_set(form, "period", period);
	set_flag(form, "is_new", saved == NULL);
	json_object_set_new(form, "error", json_null());
	json_object_set_new(form, "invalid", json_null());
	set_int(form, "note_max", CHECKIN_NOTE_MAX);
	for (i = 0; i < _CHECKIN_DIM_MAX; i++) {
		json_t *dim = json_object();

		snprintf(name, sizeof(name), "scores.%s", checkin_dims[i]);
		web_set(dim, "name", name);
		web_set(dim, "label", page_checkin_dim_label(i));
		set_flag(dim, "invalid",
			 !strncmp(bad, "scores", 6) &&
				 (!strcmp(bad, "scores") || !strcmp(bad, name)));
		v = use_typed ? typed_int(typed(r, name), CHECKIN_SCORE_MIN, CHECKIN_SCORE_MAX)
			      : (saved ? saved->scores[i] : -1);
		json_object_set_new(dim, "options",
				    number_options(CHECKIN_SCORE_MIN, CHECKIN_SCORE_MAX, v));
		if (push(dims, dim) < 0)
			break;
	}
	json_object_set_new(form, "dims", dims);
	set_flag(form, "invalid_levels", !strcmp(bad, "trust") || !strcmp(bad, "closeness"));
	v = use_typed ? typed_int(typed(r, "trust"), CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX)
		      : (saved ? saved->trust : -1);
	json_object_set_new(form, "trust_options",
			    number_options(CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX, v));
	v = use_typed ? typed_int(typed(r, "closeness"), CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX)
		      : (saved ? saved->closeness : -1);
	json_object_set_new(form, "closeness_options",
			    number_options(CHECKIN_LEVEL_MIN, CHECKIN_LEVEL_MAX, v));
	if (use_typed) {
		const char *note = typed(r, "note");

		set_text(form, "note", note, note ? strlen(note) : 0);
		set_flag(form, "share_checked", typed(r, "share_partner") != NULL);
	} else if (saved) {
		set_text(form, "note", saved->note, saved->note_len);
		set_flag(form, "share_checked", (saved->shared_with & ACCESS_SHARE_PARTNER) != 0);
	} else {
		set_text(form, "note", NULL, 0);
		set_flag(form, "share_checked", 1);
	}
	if (error_here)
		step2_form_error(r, form);
	return form;
}

/* The period a request asks for (?period= or the posted one), else the current. */
static void pick_period(const char *rhythm, const char *asked, const char *today,
			char out[CHECKIN_DATE_LEN + 1])
{
	if (asked && checkin_period_of(rhythm, asked, out) == 0 &&
	    checkin_period_ok(rhythm, out, today) == 0)
		return;
	if (checkin_period_of(rhythm, today, out) < 0)
		snprintf(out, CHECKIN_DATE_LEN + 1, "%s", today);
}

/*
 * checkin_page() - GET /checkin, and the same page after a failed post.
 * asked is the period to show; typed_new / typed_edit say which form the
 * typed values (and the error) belong to; notice is a status sentence.
 */
static int checkin_page(struct kreq *r, int status, const char *asked, int typed_new,
			int typed_edit, const char *notice)
{
	char rhythm[8], today[CHECKIN_DATE_LEN + 1], now[CHECKIN_DATE_LEN + 1];
	char period[CHECKIN_DATE_LEN + 1], max_day[CHECKIN_DATE_LEN + 1], action[64];
	const struct checkin *mine = NULL, *theirs = NULL;
	struct checkin_list list;
	json_t *data;
	size_t i;
	int rc;

	rc = checkin_rhythm_get(r->core, r->session, rhythm);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	checkin_today(today, 0);
	checkin_today(max_day, CHECKIN_FUTURE_DAYS);
	pick_period(rhythm, asked, today, period);
	if (checkin_period_of(rhythm, today, now) < 0)
		snprintf(now, sizeof(now), "%s", today);

	memset(&list, 0, sizeof(list));
	rc = checkin_list(r->core, r->session, period, period, &list);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	for (i = 0; i < list.n; i++) {
		if (list.items[i].mine && !mine)
			mine = &list.items[i];
		else if (!list.items[i].mine && !theirs)
			theirs = &list.items[i];
	}

	data = web_page_new(r, _("Check-in"));
	web_set(data, "period", period);
	set_date(r, data, "period_date", period);
	set_flag(data, "daily", strcmp(rhythm, "weekly") != 0);
	set_flag(data, "weekly", strcmp(rhythm, "weekly") == 0);
	set_flag(data, "is_current", strcmp(period, now) == 0);
	web_set(data, "max_day", max_day);
	web_set(data, "notice", notice);
	set_flag(data, "waiting", list.waiting > 0);
	set_flag(data, "has_mine", mine != NULL);
	if (data)
		json_object_set_new(data, "theirs", theirs ? checkin_card(theirs) : json_null());
	if (mine) {
		snprintf(action, sizeof(action), "/checkin/%s", mine->id);
		if (data) {
			json_object_set_new(data, "mine", checkin_card(mine));
			json_object_set_new(data, "form",
					    checkin_form(r, "edit", action, period, mine,
							 typed_edit, typed_edit));
		}
		set_flag(data, "editing", typed_edit);
	} else if (data) {
		json_object_set_new(data, "mine", json_null());
		json_object_set_new(
			data, "form",
			checkin_form(r, "new", "/checkin", period, NULL, typed_new, typed_new));
	}
	checkin_list_free(&list);
	return web_render(r, status, "checkin", data, 0);
}

/* page_checkin() - GET /checkin?period=YYYY-MM-DD */
int page_checkin(struct kreq *r)
{
	return checkin_page(r, 200, kreq_query(r, "period"), 0, 0, NULL);
}

/* The posted check-in as core input; the route validated every field. */
static void checkin_input_of(const struct kreq *r, struct checkin_input *in)
{
	const json_t *scores = json_object_get(r->json, "scores");
	const char *note = kreq_str(r, "note");
	size_t i;

	memset(in, 0, sizeof(*in));
	in->period = kreq_str(r, "period");
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		in->scores[i] = (int)json_integer_value(json_object_get(scores, checkin_dims[i]));
	in->trust = (int)json_integer_value(json_object_get(r->json, "trust"));
	in->closeness = (int)json_integer_value(json_object_get(r->json, "closeness"));
	in->note = note && *note ? note : NULL;
	in->note_len = in->note ? strlen(note) : 0;
	in->shared_with = kreq_shared_bits(json_object_get(r->json, "shared_with"));
}

static int checkin_redirect(struct kreq *r, const char *period)
{
	char url[64];

	snprintf(url, sizeof(url), "/checkin?period=%s", period);
	return web_redirect(r, url);
}

/* page_checkin_create() - POST /checkin: save, then 303 to the reveal view. */
int page_checkin_create(struct kreq *r)
{
	struct checkin_input in;
	struct checkin ci;
	const char *period;
	int rc;

	if (r->input_error || !r->json)
		return checkin_page(r, 400, kreq_form(r, "period"), 1, 0, NULL);
	checkin_input_of(r, &in);
	memset(&ci, 0, sizeof(ci));
	rc = checkin_add(r->core, r->session, &in, &ci);
	period = in.period;
	switch (rc) {
	case CHECKIN_OK:
		rc = checkin_redirect(r, ci.period);
		checkin_clear(&ci);
		return rc;
	case CHECKIN_CONFLICT:
		return checkin_page(r, 409, period, 0, 0,
				    _("You have already checked in for this period. You can change "
				      "that check-in below."));
	case CHECKIN_BAD_PERIOD:
		return checkin_page(r, 400, NULL, 0, 0,
				    _("We could not use that day for a check-in, so here is the "
				      "current one."));
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/* page_checkin_update() - POST /checkin/{id}: the reader's own, then 303 back. */
int page_checkin_update(struct kreq *r)
{
	const char *id = r->params[0];
	struct checkin_input in;
	struct checkin ci;
	int rc;

	if (r->input_error || !r->json)
		return checkin_page(r, 400, kreq_form(r, "period"), 0, 1, NULL);
	checkin_input_of(r, &in);
	memset(&ci, 0, sizeof(ci));
	rc = checkin_change(r->core, r->session, id, &in, &ci);
	switch (rc) {
	case CHECKIN_OK:
		rc = checkin_redirect(r, ci.period);
		checkin_clear(&ci);
		return rc;
	case CHECKIN_NOTFOUND:
		return page_error(r, 404);
	case CHECKIN_FORBIDDEN:
		return not_yours(r, _("This is your partner's check-in. Only they can change it."));
	case CHECKIN_BAD_PERIOD:
		return page_error(r, 400);
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/* One period of the history: the reader's, the partner's, or a wait. */
static json_t *history_period(const struct kreq *r, const char *period, int weekly,
			      const struct checkin *mine, const struct checkin *theirs, int waits)
{
	json_t *o = json_object();

	web_set(o, "period", period);
	set_date(r, o, "date", period);
	set_flag(o, "weekly_period", weekly);
	if (o) {
		json_object_set_new(o, "mine", mine ? checkin_card(mine) : json_null());
		json_object_set_new(o, "theirs", theirs ? checkin_card(theirs) : json_null());
	}
	set_flag(o, "waits", waits);
	return o;
}

/*
 * page_checkins() - GET /checkins?to=YYYY-MM-DD: the periods that hold a
 * check-in (the reader's, the partner's revealed one, or one that waits),
 * newest first, a page at a time; and the rhythm, with a form to change it.
 */
int page_checkins(struct kreq *r)
{
	char rhythm[8], to[CHECKIN_DATE_LEN + 1], from[CHECKIN_DATE_LEN + 1];
	char older[CHECKIN_DATE_LEN + 1], url[64], line[256];
	const char *qto = kreq_query(r, "to");
	struct checkin_list list;
	json_t *data, *periods;
	size_t i = 0, w = 0;
	long days;
	int rc, weekly;

	rc = checkin_rhythm_get(r->core, r->session, rhythm);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	weekly = !strcmp(rhythm, "weekly");
	if (qto && checkin_date_days(qto, &days) < 0)
		return page_error(r, 404);
	if (qto)
		snprintf(to, sizeof(to), "%s", qto);
	else
		checkin_today(to, CHECKIN_FUTURE_DAYS);
	days = weekly ? HISTORY_WEEKS * 7 : HISTORY_DAYS;
	if (checkin_date_add(to, -(days - 1), from) < 0)
		snprintf(from, sizeof(from), "0001-01-01");
	memset(&list, 0, sizeof(list));
	rc = checkin_list(r->core, r->session, from, to, &list);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);

	data = web_page_new(r, _("Your check-ins"));
	periods = json_array();
	set_flag(data, "daily", !weekly);
	set_flag(data, "weekly", weekly);
	/* items come newest period first, the reader's own before the partner's;
	 * the waiting periods come in the same order */
	while (i < list.n || w < list.waiting) {
		const char *p;
		const struct checkin *mine = NULL, *theirs = NULL;
		int waits = 0;

		if (i < list.n && (w >= list.waiting ||
				   strcmp(list.items[i].period, list.waiting_periods[w]) >= 0))
			p = list.items[i].period;
		else
			p = list.waiting_periods[w];
		for (; i < list.n && !strcmp(list.items[i].period, p); i++) {
			if (list.items[i].mine)
				mine = &list.items[i];
			else
				theirs = &list.items[i];
		}
		for (; w < list.waiting && !strcmp(list.waiting_periods[w], p); w++)
			waits = 1;
		if (push(periods, history_period(r, p, weekly && checkin_weekday(p) == 1, mine,
						 theirs, waits)) < 0)
			break;
	}
	set_flag(data, "empty", json_array_size(periods) == 0);
	if (data)
		json_object_set_new(data, "periods", periods);
	else
		json_decref(periods);
	if (list.waiting) {
		web_format_count(line, sizeof(line),
				 ngettext_("Your partner shared %d check-in for a period you have "
					   "not checked in yet. Check in for it to see it.",
					   "Your partner shared %d check-ins for periods you have "
					   "not checked in yet. Check in for them to see them.",
					   (unsigned long)list.waiting),
				 (long)list.waiting);
		web_set(data, "waiting_line", line);
	}
	if (checkin_date_add(from, -1, older) == 0) {
		snprintf(url, sizeof(url), "/checkins?to=%s", older);
		web_set(data, "older_url", url);
	}
	checkin_list_free(&list);
	return web_render(r, 200, "checkins", data, 0);
}

/* page_settings_rhythm() - POST /settings/rhythm: 303 to the check-in page. */
int page_settings_rhythm(struct kreq *r)
{
	const char *rhythm = kreq_str(r, "rhythm");
	int rc;

	if (r->input_error || !rhythm)
		return page_error(r, 400);
	rc = checkin_rhythm_set(r->core, r->session, rhythm);
	if (rc == CHECKIN_FORBIDDEN)
		return not_yours(r, _("Only the two partners can change how often they check in."));
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/checkins#rhythm");
}
