/*
 * api-help.c: the help signals and help requests of step 4 (API.md,
 * "Professional help"): GET /api/v1/help-signals, POST
 * /api/v1/help-signals/{code}/dismiss (one route per code, so that an
 * unknown code is the router's 404), and GET and POST
 * /api/v1/help-requests.  Only partners call them (the routes say so).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "api/json-out.h"
#include "core/checkin.h"
#include "core/help.h"
#include "i18n/i18n.h"

/* The reader's signals that are not dismissed, as [{code, reason, since}]. */
static int signals_write(struct kreq *r, struct json_writer *w)
{
	struct help_signal sigs[_HELP_CODE_MAX];
	char today[CHECKIN_DATE_LEN + 1];
	size_t n = 0, i;
	int e;

	checkin_today(today, 0);
	e = help_signals(r->core, r->session, today, sigs, &n);
	if (e != 0)
		return e;
	json_writer_begin_array(w);
	for (i = 0; i < n; i++) {
		if (sigs[i].dismissed)
			continue;
		json_writer_begin_object(w);
		JSON_WRITER_KEY(w, "code");
		json_writer_string_or_null(w, help_codes[sigs[i].code]);
		JSON_WRITER_KEY(w, "reason");
		json_writer_string_or_null(w, _(help_signal_reason(&sigs[i])));
		JSON_WRITER_KEY(w, "since");
		json_writer_string_or_null(w, sigs[i].since);
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	return 0;
}

/* GET /api/v1/help-signals */
int api_help_signals(struct kreq *r)
{
	struct json_writer w;
	int e;

	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "signals");
	e = signals_write(r, &w);
	if (e != 0) {
		json_writer_release(&w);
		return api_item_outcome(r, e, NULL);
	}
	json_writer_end_object(&w);
	return api_reply_writer(r, 200, &w);
}

/* The code of a route /api/v1/help-signals/<code>/dismiss (or /help/<code>/dismiss). */
const char *api_help_code_of(const char *path)
{
	const char *p = strstr(path ? path : "", "/help-signals/");
	size_t i;

	if (!p)
		return NULL;
	p += strlen("/help-signals/");
	for (i = 0; help_codes[i]; i++) {
		size_t n = strlen(help_codes[i]);

		if (strncmp(p, help_codes[i], n) == 0 && p[n] == '/')
			return help_codes[i];
	}
	return NULL;
}

/* POST /api/v1/help-signals/{code}/dismiss */
int api_help_dismiss(struct kreq *r)
{
	int e = help_dismiss(r->core, r->session, api_help_code_of(r->path));

	if (e != 0)
		return api_item_outcome_say(
			r, e, NULL,
			e == ITEM_NOTFOUND ? _("There is no such signal for you now.") : NULL);
	return api_reply(r, 204, NULL);
}

/* GET /api/v1/help-requests */
int api_help_requests_list(struct kreq *r)
{
	struct item_view *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	e = help_requests_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 512);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "help_requests");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		api_write_item(&w, &help_request_kind, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	item_views_free(list, n);
	return api_reply_writer(r, 200, &w);
}

/* POST /api/v1/help-requests {kind, note?} */
int api_help_requests_create(struct kreq *r)
{
	struct item_view out;
	const char *kind = kreq_str(r, "kind"), *note = kreq_str(r, "note"), *field = NULL;
	struct json_writer w;
	int e;

	e = help_request_add(r->core, r->session, kind, note, note ? strlen(note) : 0, &out,
			     &field);
	if (e != 0)
		return api_item_outcome(r, e, field);
	json_writer_init(&w, 1024);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "help_request");
	api_write_item(&w, &help_request_kind, &out);
	json_writer_end_object(&w);
	item_view_clear(&out);
	return api_reply_writer(r, 201, &w);
}

/* The reader's own dismissals, for the export: {help_dismissals: [...]}. */
int api_help_dismissals_list(struct kreq *r)
{
	struct item_view *list = NULL;
	struct json_writer w;
	size_t n = 0, i;
	int e;

	e = help_dismissals_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	json_writer_init(&w, 256 + n * 256);
	json_writer_begin_object(&w);
	JSON_WRITER_KEY(&w, "help_dismissals");
	json_writer_begin_array(&w);
	for (i = 0; i < n; i++)
		api_write_item(&w, &help_dismissal_kind, &list[i]);
	json_writer_end_array(&w);
	json_writer_end_object(&w);
	item_views_free(list, n);
	return api_reply_writer(r, 200, &w);
}
