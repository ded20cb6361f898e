/*
 * pages-step2.c: step 2 of the program as pages: the check-in with its
 * simultaneous reveal (/checkin) and its history (/checkins), openness
 * cards (/shares), transparency offers (/offers), shared activities
 * (/activities), the couple's rhythm (POST /settings/rhythm), and the part
 * of the home page that says where the couple stands in steps 1 and 2,
 * what to do next, and how trust and closeness have moved.
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
#include "core/account.h"
#include "core/activity.h"
#include "core/checkin.h"
#include "core/journal.h"
#include "core/offer.h"
#include "core/progress.h"
#include "core/share.h"
#include "i18n/i18n.h"
#include "vault/vault.h"
#include "web/chart.h"
#include "web/pages.h"
#include "web/render.h"

#define HISTORY_DAYS	       28 /* /checkins shows four weeks of a daily rhythm per page */
#define HISTORY_WEEKS	       12 /* and twelve weeks of a weekly one */
#define CHART_DAYS	       14 /* the home chart: two weeks of days */
#define CHART_WEEKS	       12 /* or twelve weeks */
#define OFFER_DEFAULT_DAYS     30 /* the date an offer form suggests */

#define CHART_TRUST_COLOUR     "#7a5410" /* the gold ink of app.css */
#define CHART_CLOSENESS_COLOUR "#2f5f8f"

/* Small helpers ------------------------------------------------------------ */

/* 1 when s is a 32-character lowercase hex id. */
static int id_ok(const char *s)
{
	size_t i;

	for (i = 0; i < VAULT_ID_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[VAULT_ID_HEX] == '\0';
}

/* The {id} of the route, or NULL. */
static const char *route_id(const struct kreq *r)
{
	return r->nparams >= 1 && r->params[0] && id_ok(r->params[0]) ? r->params[0] : NULL;
}

/* data[key] = true or false: set either way, so that a template never falls
 * back to a key of the same name in an outer context. */
static void set_flag(json_t *o, const char *key, int on)
{
	if (o)
		json_object_set_new(o, key, json_boolean(on));
}

/* data[key] = the string, or null. */
static void set_text(json_t *o, const char *key, const char *s, size_t len)
{
	if (o)
		json_object_set_new(o, key, s ? json_stringn(s, len) : json_null());
}

static void set_int(json_t *o, const char *key, long v)
{
	if (o)
		json_object_set_new(o, key, json_integer(v));
}

/* A date (or the date part of a time) as a person reads it in r->lang. */
static void set_date(const struct kreq *r, json_t *o, const char *key, const char *when)
{
	char out[64];

	if (when && *when && i18n_format_date(r->lang, when, out, sizeof(out)) == 0)
		web_set(o, key, out);
	else
		web_set(o, key, when);
}

/* Adds v to the array arr; drops it (and returns -ENOMEM) when that fails. */
static int push(json_t *arr, json_t *v)
{
	if (!arr || !v || json_array_append_new(arr, v) < 0) {
		if (v && arr)
			json_decref(v);
		return -ENOMEM;
	}
	return 0;
}

/* The partner's name, for "shared by ...": theirs, or a kind stand-in. */
static void partner_name(const struct kreq *r, char *out, size_t len)
{
	struct member_view mv;
	size_t i;

	snprintf(out, len, "%s", _("Your partner"));
	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) != 0)
		return;
	for (i = 0; i < mv.npartners && i < 2; i++)
		if (strcmp(mv.partners[i].id, mv.id) != 0)
			snprintf(out, len, "%s", mv.partners[i].display_name);
}

/* A 403 that says what happened (page_error's 403 speaks of expired forms). */
static int not_yours(struct kreq *r, const char *message)
{
	return web_error_page(r, 403, _("That is not yours to change"), message);
}

/*
 * step2_form_error() - why a step 2 form came back, in one kind sentence,
 * and which field to mark.  Nothing typed is lost: the page shows it again.
 */
static void step2_form_error(const struct kreq *r, json_t *data)
{
	static const struct {
		const char *field;
		long max;
	} longs[] = {
		{"note", CHECKIN_NOTE_MAX},    {"body", SHARE_BODY_MAX},
		{"reply", SHARE_REPLY_MAX},    {"text", OFFER_TEXT_MAX},
		{"title", ACTIVITY_TITLE_MAX}, {"felt", ACTIVITY_FELT_MAX},
	};
	const struct input_error *e = r->input_error;
	const char *f = e ? e->field : "";
	char msg[512];
	size_t i;

	if (!e) {
		web_form_error(data, "error", _("Please fill in every field."), NULL);
		return;
	}
	if (!strcmp(e->code, INPUT_TOO_LONG)) {
		for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
			if (strcmp(f, longs[i].field) != 0)
				continue;
			web_format_count(
				msg, sizeof(msg),
				ngettext_("That is longer than %d character. Nothing is lost: "
					  "please shorten it a little.",
					  "That is longer than %d characters. Nothing is lost: "
					  "please shorten it a little.",
					  (unsigned long)longs[i].max),
				longs[i].max);
			web_form_error(data, "error", msg, f);
			return;
		}
	}
	if (!strncmp(f, "scores", 6))
		web_form_error(data, "error",
			       _("Please choose a number from 1 to 5 for each of the five areas."),
			       NULL);
	else if (!strcmp(f, "trust") || !strcmp(f, "closeness"))
		web_form_error(
			data, "error",
			_("Please choose a number from 0 to 10 for trust and for closeness."),
			NULL);
	else if (!strcmp(f, "period"))
		web_form_error(data, "error", _("Please choose a day for this check-in."), f);
	else if (!strcmp(f, "body"))
		web_form_error(data, "error", _("Please write a few words before saving."), f);
	else if (!strcmp(f, "kind"))
		web_form_error(data, "error", _("Please choose one of the kinds."), f);
	else if (!strcmp(f, "text"))
		web_form_error(data, "error", _("Please write what you are offering."), f);
	else if (!strcmp(f, "until"))
		web_form_error(data, "error", _("Please choose until when your offer stands."), f);
	else if (!strcmp(f, "title"))
		web_form_error(data, "error", _("Please give the activity a name."), f);
	else if (!strcmp(f, "planned_for"))
		web_form_error(data, "error", _("Please choose a day for the activity."), f);
	else
		web_input_error(r, data, "error");
}

/* Check-ins -------------------------------------------------------------------- */

static const char *dim_label(size_t i)
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
		web_set(one, "label", dim_label(i));
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
		web_set(dim, "label", dim_label(i));
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
	if (!r->session)
		return web_redirect(r, "/signin");
	return checkin_page(r, 200, kreq_query(r, "period"), 0, 0, NULL);
}

/* The posted check-in as core input; the route validated every field. */
static void checkin_input_of(const struct kreq *r, struct checkin_input *in)
{
	const json_t *scores = json_object_get(r->json, "scores");
	const char *note = kreq_str(r, "note");
	const json_t *shared = json_object_get(r->json, "shared_with");
	size_t i;

	memset(in, 0, sizeof(*in));
	in->period = kreq_str(r, "period");
	for (i = 0; i < _CHECKIN_DIM_MAX; i++)
		in->scores[i] = (int)json_integer_value(json_object_get(scores, checkin_dims[i]));
	in->trust = (int)json_integer_value(json_object_get(r->json, "trust"));
	in->closeness = (int)json_integer_value(json_object_get(r->json, "closeness"));
	in->note = note && *note ? note : NULL;
	in->note_len = in->note ? strlen(note) : 0;
	for (i = 0; i < json_array_size(shared); i++) {
		const char *v = json_string_value(json_array_get(shared, i));

		if (v && !strcmp(v, "partner"))
			in->shared_with |= ACCESS_SHARE_PARTNER;
		else if (v && !strcmp(v, "care"))
			in->shared_with |= ACCESS_SHARE_CARE;
	}
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

	if (!r->session)
		return web_redirect(r, "/signin");
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
	const char *id = route_id(r);
	struct checkin_input in;
	struct checkin ci;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (!id)
		return page_error(r, 404);
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

	if (!r->session)
		return web_redirect(r, "/signin");
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

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !rhythm)
		return page_error(r, 400);
	rc = checkin_rhythm_set(r->core, r->session, rhythm);
	if (rc == CHECKIN_FORBIDDEN)
		return not_yours(r, _("Only the two partners can change how often they check in."));
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/checkins#rhythm");
}

/* Openness cards --------------------------------------------------------------- */

static const char *kind_label(enum share_kind k)
{
	switch (k) {
	case SHARE_INSECURITY:
		return _("An insecurity");
	case SHARE_FEAR:
		return _("A fear");
	case SHARE_DESIRE:
		return _("A desire");
	case SHARE_NEED:
		return _("A need");
	default:
		return _("A hope");
	}
}

static json_t *share_card(const struct kreq *r, const struct share *sh, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", sh->id);
	web_set(o, "kind_label", kind_label(sh->kind));
	set_text(o, "body", sh->body, sh->body_len);
	set_date(r, o, "date", sh->created_at);
	set_flag(o, "mine", sh->mine);
	web_set(o, "from_name", partner);
	set_flag(o, "private", !(sh->shared_with & ACCESS_SHARE_PARTNER));
	set_flag(o, "acked", sh->acked);
	set_flag(o, "can_ack", sh->can_ack);
	set_flag(o, "waiting_ack",
		 sh->mine && !sh->acked && (sh->shared_with & ACCESS_SHARE_PARTNER));
	if (sh->acked)
		set_date(r, o, "ack_date", sh->ack.created_at);
	set_text(o, "reply", sh->acked ? sh->ack.reply : NULL, sh->ack.reply_len);
	return o;
}

/* The /shares page; error says the new-card form failed (typed values come back). */
static int shares_page(struct kreq *r, int status, int error)
{
	struct share *list = NULL;
	char partner[512];
	json_t *data, *cards, *kinds;
	const char *kind = error ? kreq_form(r, "kind") : NULL;
	size_t n = 0, i;
	int rc;

	rc = share_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	partner_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Openness cards"));
	cards = json_array();
	kinds = json_array();
	for (i = 0; i < n; i++)
		if (push(cards, share_card(r, &list[i], partner)) < 0)
			break;
	for (i = 0; share_kinds[i]; i++) {
		json_t *o = json_object();

		web_set(o, "value", share_kinds[i]);
		web_set(o, "label", kind_label((enum share_kind)i));
		set_flag(o, "selected", kind && !strcmp(kind, share_kinds[i]));
		if (push(kinds, o) < 0)
			break;
	}
	share_list_free(list, n);
	set_flag(data, "empty", n == 0);
	if (data) {
		json_object_set_new(data, "cards", cards);
		json_object_set_new(data, "kinds", kinds);
	} else {
		json_decref(cards);
		json_decref(kinds);
	}
	set_int(data, "body_max", SHARE_BODY_MAX);
	set_int(data, "reply_max", SHARE_REPLY_MAX);
	set_flag(data, "share_checked", error ? kreq_form(r, "share_partner") != NULL : 1);
	if (error) {
		web_set(data, "body", kreq_form(r, "body"));
		step2_form_error(r, data);
	}
	return web_render(r, status, "shares", data, 0);
}

/* page_shares() - GET /shares */
int page_shares(struct kreq *r)
{
	if (!r->session)
		return web_redirect(r, "/signin");
	return shares_page(r, 200, 0);
}

/* page_shares_create() - POST /shares */
int page_shares_create(struct kreq *r)
{
	const char *body = kreq_str(r, "body");
	int kind = share_kind_from(kreq_str(r, "kind"));
	const json_t *shared;
	unsigned bits = 0;
	struct share sh;
	size_t i;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !body || kind < 0)
		return shares_page(r, 400, 1);
	shared = json_object_get(r->json, "shared_with");
	for (i = 0; i < json_array_size(shared); i++) {
		const char *v = json_string_value(json_array_get(shared, i));

		if (v && !strcmp(v, "partner"))
			bits |= ACCESS_SHARE_PARTNER;
		else if (v && !strcmp(v, "care"))
			bits |= ACCESS_SHARE_CARE;
	}
	memset(&sh, 0, sizeof(sh));
	rc = share_add(r->core, r->session, (enum share_kind)kind, body, strlen(body), bits, &sh);
	share_clear(&sh);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/shares");
}

/* page_shares_ack() - POST /shares/{id}/ack: "I heard you", with a reply. */
int page_shares_ack(struct kreq *r)
{
	const char *id = route_id(r), *reply;
	struct share_ack ack;
	char url[96];
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (!id)
		return page_error(r, 404);
	if (r->input_error)
		return shares_page(r, 400, 1);
	reply = kreq_str(r, "reply");
	memset(&ack, 0, sizeof(ack));
	rc = share_acknowledge(r->core, r->session, id, reply, reply ? strlen(reply) : 0, &ack);
	share_ack_clear(&ack);
	switch (rc) {
	case SHARE_OK:
	case SHARE_CONFLICT: /* answered already (a second tap): the card shows it */
		snprintf(url, sizeof(url), "/shares#card-%s", id);
		return web_redirect(r, url);
	case SHARE_NOTFOUND:
		return page_error(r, 404);
	case SHARE_FORBIDDEN:
		return not_yours(r, _("This is your own card. Your partner is the one who can say "
				      "they heard it."));
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}

/* Transparency offers ---------------------------------------------------------- */

static json_t *offer_card(const struct kreq *r, const struct offer *of, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", of->id);
	set_text(o, "text", of->text, of->text_len);
	set_flag(o, "mine", of->mine);
	web_set(o, "from_name", partner);
	set_date(r, o, "date", of->created_at);
	set_date(r, o, "until_date", of->until);
	set_flag(o, "active", of->status == OFFER_ACTIVE);
	set_flag(o, "ended", of->status == OFFER_ENDED);
	set_flag(o, "expired", of->status == OFFER_EXPIRED);
	if (of->status == OFFER_ENDED)
		set_date(r, o, "ended_date", of->ended_at);
	set_flag(o, "can_end", of->mine && of->status == OFFER_ACTIVE);
	return o;
}

static int offers_page(struct kreq *r, int status, int error)
{
	struct offer *list = NULL;
	char partner[512], today[CHECKIN_DATE_LEN + 1], last[CHECKIN_DATE_LEN + 1];
	char until[CHECKIN_DATE_LEN + 1];
	json_t *data, *offers;
	size_t n = 0, i;
	int rc;

	rc = offer_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	partner_name(r, partner, sizeof(partner));
	checkin_today(today, 0);
	checkin_today(last, OFFER_UNTIL_MAX_DAYS);
	checkin_today(until, OFFER_DEFAULT_DAYS);
	data = web_page_new(r, _("Transparency offers"));
	offers = json_array();
	for (i = 0; i < n; i++)
		if (push(offers, offer_card(r, &list[i], partner)) < 0)
			break;
	offer_list_free(list, n);
	set_flag(data, "empty", n == 0);
	if (data)
		json_object_set_new(data, "offers", offers);
	else
		json_decref(offers);
	web_set(data, "today", today);
	web_set(data, "last_day", last);
	set_int(data, "text_max", OFFER_TEXT_MAX);
	if (error) {
		web_set(data, "text", kreq_form(r, "text"));
		web_set(data, "until", kreq_form(r, "until"));
		step2_form_error(r, data);
	} else {
		web_set(data, "until", until);
	}
	return web_render(r, status, "offers", data, 0);
}

/* page_offers() - GET /offers */
int page_offers(struct kreq *r)
{
	if (!r->session)
		return web_redirect(r, "/signin");
	return offers_page(r, 200, 0);
}

/* page_offers_create() - POST /offers */
int page_offers_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	struct offer of;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !text)
		return offers_page(r, 400, 1);
	memset(&of, 0, sizeof(of));
	rc = offer_add(r->core, r->session, text, strlen(text), kreq_str(r, "until"), &of);
	offer_clear(&of);
	if (rc == OFFER_BAD_UNTIL) {
		static const struct input_error until_err = {INPUT_OUT_OF_RANGE, "until"};

		r->input_error = &until_err;
		return offers_page(r, 400, 1);
	}
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/offers");
}

/* page_offers_end() - POST /offers/{id}/end */
int page_offers_end(struct kreq *r)
{
	const char *id = route_id(r);
	struct offer of;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (!id)
		return page_error(r, 404);
	memset(&of, 0, sizeof(of));
	rc = offer_end(r->core, r->session, id, &of);
	offer_clear(&of);
	if (rc == OFFER_NOTFOUND)
		return page_error(r, 404);
	if (rc == OFFER_FORBIDDEN)
		return not_yours(r, _("Only the partner who made an offer can end it."));
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/offers");
}

/* Shared activities ------------------------------------------------------------ */

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
	web_set(o, "from_name", partner);
	web_set(o, "from_partner", partner);
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
	partner_name(r, partner, sizeof(partner));
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
	if (!r->session)
		return web_redirect(r, "/signin");
	return activities_page(r, 200, 0);
}

/* page_activities_create() - POST /activities */
int page_activities_create(struct kreq *r)
{
	const char *title = kreq_str(r, "title");
	int kind = activity_kind_from(kreq_str(r, "kind"));
	struct activity a;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (r->input_error || !title || kind < 0)
		return activities_page(r, 400, 1);
	memset(&a, 0, sizeof(a));
	rc = activity_add(r->core, r->session, (enum activity_kind)kind, title, strlen(title),
			  kreq_str(r, "planned_for"), &a);
	activity_clear(&a);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	return web_redirect(r, "/activities");
}

/* page_activities_update() - POST /activities/{id}: done, and how it felt. */
int page_activities_update(struct kreq *r)
{
	const char *id = route_id(r), *felt;
	struct activity a;
	char url[96];
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	if (!id)
		return page_error(r, 404);
	if (r->input_error)
		return activities_page(r, 400, 1);
	felt = kreq_str(r, "felt");
	memset(&a, 0, sizeof(a));
	rc = activity_mark(r->core, r->session, id, json_is_true(json_object_get(r->json, "done")),
			   felt, felt ? strlen(felt) : 0, &a);
	activity_clear(&a);
	if (rc == ACTIVITY_NOTFOUND)
		return page_error(r, 404);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	snprintf(url, sizeof(url), "/activities#activity-%s", id);
	return web_redirect(r, url);
}

/* Home ------------------------------------------------------------------------- */

static const char *status_text(enum progress_status st)
{
	switch (st) {
	case PROGRESS_STEADY:
		return _("This step is going steadily.");
	case PROGRESS_UNDER_WAY:
		return _("You have begun this step.");
	default:
		return _("You have not begun this step yet. It is there whenever you are ready.");
	}
}

/* The suggestion card: its sentence, where it leads, and the button. */
static void next_action(json_t *data, enum progress_action a, int weekly, size_t to_ack)
{
	json_t *o;
	char line[256];

	if (a == PROGRESS_INVITE_PARTNER)
		return; /* the invitation card above already says it */
	o = json_object();
	switch (a) {
	case PROGRESS_CHECKIN_REVEAL:
		web_set(o, "text",
			weekly ? _("Your partner has checked in for this week. Check in too, and "
				   "you will see each other's.")
			       : _("Your partner has checked in for today. Check in too, and you "
				   "will see each other's."));
		web_set(o, "url", "/checkin");
		web_set(o, "button", _("Check in now"));
		break;
	case PROGRESS_CHECKIN:
		web_set(o, "text",
			weekly ? _("How has your week been? A check-in takes about two minutes.")
			       : _("How are you today? A check-in takes about two minutes."));
		web_set(o, "url", "/checkin");
		web_set(o, "button", _("Check in now"));
		break;
	case PROGRESS_ACK_SHARE:
		web_format_count(
			line, sizeof(line),
			ngettext_("Your partner shared %d card with you. Let them know you "
				  "heard it.",
				  "Your partner shared %d cards with you. Let them know you "
				  "heard them.",
				  (unsigned long)to_ack),
			(long)to_ack);
		web_set(o, "text", line);
		web_set(o, "url", "/shares");
		web_set(o, "button", _("Read the cards"));
		break;
	case PROGRESS_ACTIVITY_DONE:
		web_set(o, "text",
			_("The day of an activity you planned together has come. How "
			  "did it go?"));
		web_set(o, "url", "/activities");
		web_set(o, "button", _("Say how it went"));
		break;
	case PROGRESS_WRITE_JOURNAL:
		web_set(o, "text",
			_("Your journal is a private place to think things through. A "
			  "question can help you start."));
		web_set(o, "url", "/journal/new?prompt=random");
		web_set(o, "button", _("Give me a prompt"));
		break;
	case PROGRESS_SHARE_CARD:
		web_set(o, "text",
			_("Share something on your mind with your partner: an "
			  "insecurity, a fear, a desire, a need or a hope."));
		web_set(o, "url", "/shares");
		web_set(o, "button", _("Write a card"));
		break;
	case PROGRESS_PLAN_ACTIVITY:
		web_set(o, "text",
			_("Plan something to do together outside the bedroom: a walk, "
			  "a meal, a hobby."));
		web_set(o, "url", "/activities");
		web_set(o, "button", _("Plan an activity"));
		break;
	default:
		web_set(o, "text",
			_("You are up to date. Thank you for showing up for each "
			  "other."));
		web_set(o, "url", "/checkins");
		web_set(o, "button", _("See your check-ins"));
		break;
	}
	if (data && o)
		json_object_set_new(data, "next", o);
	else
		json_decref(o);
}

/* A value for the chart's table: the number, or a dash for "none". */
static void set_cell(json_t *o, const char *key, int v)
{
	char s[8];

	if (v == CHART_NONE) {
		web_set(o, key, "\xe2\x80\x94"); /* an em dash */
		return;
	}
	snprintf(s, sizeof(s), "%d", v);
	web_set(o, key, s);
}

/*
 * home_chart() - the trust and closeness chart over the last CHART_DAYS
 * days or CHART_WEEKS weeks: one point per period, the reader's values and
 * the partner's revealed ones, and the same numbers as table rows.
 */
static int home_chart(struct kreq *r, json_t *data, const char *rhythm, const char *today)
{
	int weekly = !strcmp(rhythm, "weekly");
	size_t npoints = weekly ? CHART_WEEKS : CHART_DAYS, i, k;
	char now[CHECKIN_DATE_LEN + 1], first[CHECKIN_DATE_LEN + 1], p[CHECKIN_DATE_LEN + 1];
	char label_first[64], label_last[64];
	int values[4][CHART_WEEKS > CHART_DAYS ? CHART_WEEKS : CHART_DAYS];
	struct chart_series series[4];
	struct checkin_list list;
	struct chart chart;
	json_t *rows = NULL;
	char *svg = NULL;
	int rc, any = 0, partner = 0;

	if (checkin_period_of(rhythm, today, now) < 0 ||
	    checkin_period_step(rhythm, now, -(long)(npoints - 1), first) < 0)
		return 0;
	memset(&list, 0, sizeof(list));
	rc = checkin_list(r->core, r->session, first, now, &list);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (k = 0; k < 4; k++)
		for (i = 0; i < npoints; i++)
			values[k][i] = CHART_NONE;
	rows = json_array();
	for (i = 0; i < npoints; i++) {
		json_t *row;
		int has = 0;

		if (checkin_period_step(rhythm, first, (long)i, p) < 0)
			break;
		for (k = 0; k < list.n; k++) {
			const struct checkin *ci = &list.items[k];

			if (strcmp(ci->period, p) != 0)
				continue;
			values[ci->mine ? 0 : 2][i] = ci->trust;
			values[ci->mine ? 1 : 3][i] = ci->closeness;
			has = 1;
			partner |= !ci->mine;
		}
		if (!has)
			continue;
		any = 1;
		row = json_object();
		set_date(r, row, "date", p);
		set_cell(row, "my_trust", values[0][i]);
		set_cell(row, "my_closeness", values[1][i]);
		set_cell(row, "their_trust", values[2][i]);
		set_cell(row, "their_closeness", values[3][i]);
		if (push(rows, row) < 0)
			break;
	}
	checkin_list_free(&list);
	if (!any) {
		json_decref(rows);
		return 0;
	}

	series[0] = (struct chart_series){"chart-trust", CHART_TRUST_COLOUR, 0, values[0]};
	series[1] = (struct chart_series){"chart-closeness", CHART_CLOSENESS_COLOUR, 0, values[1]};
	series[2] = (struct chart_series){"chart-trust", CHART_TRUST_COLOUR, 1, values[2]};
	series[3] = (struct chart_series){"chart-closeness", CHART_CLOSENESS_COLOUR, 1, values[3]};
	if (i18n_format_date(r->lang, first, label_first, sizeof(label_first)) < 0)
		snprintf(label_first, sizeof(label_first), "%s", first);
	if (i18n_format_date(r->lang, now, label_last, sizeof(label_last)) < 0)
		snprintf(label_last, sizeof(label_last), "%s", now);
	memset(&chart, 0, sizeof(chart));
	chart.id = "trust-chart";
	chart.title = _("Trust and closeness over time");
	chart.desc = weekly ? _("Trust and closeness from 0 to 10 for each of the last twelve "
				"weeks: solid lines are yours, dashed lines your partner's "
				"shared check-ins. The same numbers are in the table below.")
			    : _("Trust and closeness from 0 to 10 for each of the last fourteen "
				"days: solid lines are yours, dashed lines your partner's shared "
				"check-ins. The same numbers are in the table below.");
	chart.first_label = label_first;
	chart.last_label = label_last;
	chart.y_max = CHECKIN_LEVEL_MAX;
	chart.npoints = npoints;
	chart.series = series;
	chart.nseries = partner ? 4 : 2;
	rc = chart_svg(&chart, &svg, NULL);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	web_set(data, "chart_svg", svg);
	free(svg);
	set_flag(data, "chart_partner", partner);
	if (data)
		json_object_set_new(data, "chart_rows", rows);
	else
		json_decref(rows);
	return 0;
}

/*
 * page_home_step2() - see pages.h: counts from every step 2 module and the
 * journal, the statuses and the one suggestion (core/progress.c), and the
 * chart.  Counting opens nothing but the journal's first entry.
 */
int page_home_step2(struct kreq *r, json_t *data, int paired)
{
	char rhythm[8], today[CHECKIN_DATE_LEN + 1], line[256];
	struct journal_entry *entries = NULL;
	struct progress_counts counts;
	struct checkin_counts cc;
	struct share_counts sc;
	struct offer_counts oc;
	struct activity_counts ac;
	struct progress pr;
	size_t nentries = 0;
	int rc, weekly;

	rc = checkin_rhythm_get(r->core, r->session, rhythm);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	weekly = !strcmp(rhythm, "weekly");
	checkin_today(today, 0);
	memset(&counts, 0, sizeof(counts));
	rc = checkin_counts(r->core, r->session, today, &cc);
	if (rc == 0)
		rc = share_counts(r->core, r->session, &sc);
	if (rc == 0)
		rc = offer_counts(r->core, r->session, today, &oc);
	if (rc == 0)
		rc = activity_counts(r->core, r->session, today, &ac);
	if (rc == 0)
		rc = journal_list(r->core, r->session, NULL, 1, &entries, &nentries);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	journal_list_free(entries, nentries);

	counts.paired = paired;
	counts.journal_entries = nentries;
	/* statements_delivered and commitments: filled once step 1 counts them */
	counts.checked_in_now = cc.checked_in_now;
	counts.waiting_now = cc.waiting_now;
	counts.recent_checkins = cc.recent_mine;
	counts.shares_mine = sc.mine;
	counts.shares_to_ack = sc.to_ack;
	counts.offers_active = oc.active_mine + oc.active_partner;
	counts.activities_upcoming = ac.upcoming;
	counts.activities_overdue = ac.overdue;
	counts.activities_done = ac.done;
	progress_assess(&counts, &pr);

	web_set(data, "step1_status", status_text(pr.step1));
	web_set(data, "step2_status", status_text(pr.step2));
	if (cc.recent_mine > 0) {
		web_format_count(
			line, sizeof(line),
			weekly ? ngettext_("You checked in %d time in the last four weeks.",
					   "You checked in %d times in the last four weeks.",
					   (unsigned long)cc.recent_mine)
			       : ngettext_("You checked in %d time in the last four days.",
					   "You checked in %d times in the last four days.",
					   (unsigned long)cc.recent_mine),
			(long)cc.recent_mine);
		web_set(data, "step2_detail", line);
	}
	set_flag(data, "weekly", weekly);
	next_action(data, pr.next, weekly, sc.to_ack);
	return home_chart(r, data, rhythm, today);
}
