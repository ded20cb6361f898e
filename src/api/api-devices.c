/*
 * api-devices.c: the caller's signed-in devices and own sign-in history
 * (API.md, "Safety and ownership" and "Settled details"): their sessions
 * and ending one, and their events.  Only the caller's: another member's
 * session id answers as an unknown one (404), and nothing here tells
 * anyone when someone else was last seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/devices.h"

/* {id, browser, created_at, last_seen, current} */
static json_t *session_json(const void *one)
{
	const struct device_view *d = one;
	char label[DEVICES_LABEL_MAX];

	devices_browser_label(d->browser, label, sizeof(label));
	return json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", d->id, "browser", label, "created_at",
			 d->created_at, "last_seen", d->last_seen_at, "current", d->current);
}

/* {kind, at, browser} */
static json_t *event_json(const void *one)
{
	const struct history_event *e = one;
	char label[DEVICES_LABEL_MAX];

	devices_browser_label(e->browser, label, sizeof(label));
	return json_pack("{s:s,s:s,s:s}", "kind", e->kind, "at", e->at, "browser", label);
}

/* 200 {key: [...]} of a list core gave (e: its result), which goes. */
static int reply_list(struct kreq *r, int e, const char *key, void *list, size_t n, size_t size,
		      api_json_fn json)
{
	if (e == 0)
		e = api_reply_list(r, key, list, n, size, json);
	else if (e > 0)
		e = -EIO;
	free(list);
	return e;
}

/* GET /api/v1/me/sessions: 200 {sessions: [...]}, newest first. */
int api_me_sessions(struct kreq *r)
{
	struct device_view *list = NULL;
	size_t n = 0;
	int e = devices_list(r->core, r->session, &list, &n);

	return reply_list(r, e, "sessions", list, n, sizeof(*list), session_json);
}

/* DELETE /api/v1/me/sessions/{id}: 204; the caller's own session signs this client out. */
int api_me_session_delete(struct kreq *r)
{
	int e = devices_end(r->core, r->session, r->params[0]);

	if (e == DEVICES_NOT_FOUND)
		return api_error(r, 404, "not_found");
	if (e < 0)
		return e;
	if (e == DEVICES_SIGNED_OUT) {
		r->set_cookie = strdup("");
		if (!r->set_cookie)
			return -ENOMEM;
	}
	return api_reply(r, 204, NULL);
}

/* GET /api/v1/me/activity: 200 {events: [...]}, newest first. */
int api_me_activity(struct kreq *r)
{
	struct history_event *list = NULL;
	size_t n = 0;
	int e = devices_history(r->core, r->session, &list, &n);

	return reply_list(r, e, "events", list, n, sizeof(*list), event_json);
}
