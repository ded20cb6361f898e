/*
 * pages-help.c: the help page of step 4 (/help): the reader's help
 * signals with their reasons and a button to set each aside, the recent
 * help requests of both partners (with their notes), the two forms "I'd
 * like professional help" and "I'm overwhelmed", and the way to the
 * finding-a-therapist page (/find-help).  Also the home page's part for
 * step 4: where the couple stands, and one next action.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/checkin.h"
#include "core/help.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define HELP_PAGE_REQUESTS 10 /* the newest requests the page shows */

/* The reader's signals as of today. */
static int signals_now(struct kreq *r, struct help_signal sigs[_HELP_CODE_MAX], size_t *n)
{
	char today[CHECKIN_DATE_LEN + 1];

	checkin_today(today, 0);
	return help_signals(r->core, r->session, today, sigs, n);
}

/* The page; status 400 shows the request form again, with why. */
static int help_page(struct kreq *r, int status, const char *field)
{
	struct help_signal sigs[_HELP_CODE_MAX];
	struct item_view *reqs = NULL;
	json_t *data, *list, *rq;
	char line[256];
	size_t n = 0, nreq = 0, i, set_aside = 0;
	int rc, typed = status == 400;

	rc = signals_now(r, sigs, &n);
	if (rc == 0)
		rc = help_requests_list(r->core, r->session, &reqs, &nreq);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	data = web_page_new(r, _("Seek professional help"));
	list = json_array();
	for (i = 0; list && i < n; i++) {
		json_t *o;

		if (sigs[i].dismissed) {
			set_aside++;
			continue;
		}
		o = json_object();
		web_set(o, "code", help_codes[sigs[i].code]);
		web_set(o, "reason", _(help_signal_reason(&sigs[i])));
		set_date(r, o, "since", sigs[i].since);
		set_day(o, "since_day", sigs[i].since);
		if (push(list, o) < 0)
			break;
	}
	if (list && json_array_size(list) > 0)
		json_object_set(data, "signals", list);
	json_decref(list);
	if (set_aside > 0) {
		web_format_count(line, sizeof(line),
				 ngettext_("You set %d signal aside. It comes back if something "
					   "changes.",
					   "You set %d signals aside. They come back if something "
					   "changes.",
					   (unsigned long)set_aside),
				 (long)set_aside);
		web_set(data, "set_aside", line);
	}
	rq = json_array();
	for (i = 0; rq && i < nreq && i < HELP_PAGE_REQUESTS; i++) {
		json_t *o = json_object();
		const char *kind = reqs[i].values[HELP_REQ_F_KIND];
		int asked = kind && !strcmp(kind, "asked");

		set_flag(o, "mine", reqs[i].mine);
		set_flag(o, "asked", asked);
		set_date(r, o, "date", reqs[i].created_at);
		set_day(o, "day", reqs[i].created_at);
		set_text(o, "note", reqs[i].values[HELP_REQ_F_NOTE], reqs[i].lens[HELP_REQ_F_NOTE]);
		if (push(rq, o) < 0)
			break;
	}
	item_views_free(reqs, nreq);
	if (rq && json_array_size(rq) > 0)
		json_object_set(data, "requests", rq);
	json_decref(rq);
	set_int(data, "note_max", HELP_NOTE_MAX);
	if (typed) {
		const char *kind = kreq_form(r, "kind");

		web_set(data, "note", kreq_form(r, "note"));
		set_flag(data, "kind_asked", kind && !strcmp(kind, "asked"));
		set_flag(data, "kind_overwhelmed", kind && !strcmp(kind, "overwhelmed"));
	}
	if (!web_form_refused(r, data, typed, field)) {
		if (kreq_query(r, "sent"))
			web_set(data, "notice",
				_("Thank you for saying so. Your partner can see it now."));
		else if (kreq_query(r, "dismissed"))
			web_set(data, "notice",
				_("Set aside, for you only. It comes back if something changes."));
	}
	return web_render(r, status, "help", data, 0);
}

/* page_help() - GET /help */
int page_help(struct kreq *r)
{
	return help_page(r, 200, NULL);
}

/* page_help_request() - POST /help/requests (kind, note) */
int page_help_request(struct kreq *r)
{
	struct item_view out;
	const char *note, *field = NULL;
	int rc;

	if (r->input_error)
		return help_page(r, 400, NULL);
	note = kreq_form(r, "note");
	rc = help_request_add(r->core, r->session, kreq_form(r, "kind"), note,
			      note ? strlen(note) : 0, &out, &field);
	if (rc == ITEM_INVALID)
		return help_page(r, 400, field);
	if (rc == 0)
		item_view_clear(&out);
	return page_outcome(r, rc, "/help?sent=1#help-title", NULL);
}

/*
 * page_help_dismiss() - POST /help/dismiss (signal).  A signal that is no
 * longer there (it ended, or was set aside in another tab) leaves nothing
 * to do: the page shows where things stand.
 */
int page_help_dismiss(struct kreq *r)
{
	int rc;

	if (r->input_error)
		return help_page(r, 400, NULL);
	rc = help_dismiss(r->core, r->session, kreq_form(r, "signal"));
	if (rc == ITEM_NOTFOUND)
		rc = 0;
	return page_outcome(r, rc, "/help?dismissed=1#help-title", NULL);
}

/*
 * page_home_step4() - see pages.h: the step's status on home and its one
 * next action: the help page while a signal stands, else the way to find
 * a therapist or to ask.
 */
int page_home_step4(struct kreq *r, json_t *data)
{
	struct help_signal sigs[_HELP_CODE_MAX];
	const struct help_signal *first = NULL;
	size_t n = 0, i;
	int rc;

	rc = signals_now(r, sigs, &n);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (i = 0; i < n && !first; i++)
		if (!sigs[i].dismissed)
			first = &sigs[i];
	if (first) {
		web_set(data, "step4_status", _(help_signal_reason(first)));
		web_set(data, "step4_text",
			_("A therapist could help you both with this. See why, and what you can "
			  "do."));
		web_set(data, "step4_url", "/help");
		web_set(data, "step4_button", _("See the signs"));
		set_flag(data, "step4_signal", 1);
	} else {
		web_set(data, "step4_status",
			_("Nothing in your answers calls for a professional right now."));
		web_set(data, "step4_text",
			_("You can still ask for help at any time, or start looking for someone "
			  "who fits you both."));
		web_set(data, "step4_url", "/help");
		web_set(data, "step4_button", _("Ask for help"));
		set_flag(data, "step4_signal", 0);
	}
	return 0;
}
