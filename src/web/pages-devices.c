/*
 * pages-devices.c: the member's signed-in devices (/settings/devices), their
 * own sign-in history (/settings/history), and the notice on home after a
 * sign-in from a new device (core/devices.h).  Each shows the member's own
 * only; times are in UTC, said so, in the member's language.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/devices.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* "26 November 2026 at 14:05 UTC" of an RFC 3339 time, in r->lang. */
static void when_text(const struct kreq *r, const char *at, char *out, size_t len)
{
	char date[64];

	if (!at || strlen(at) < 16 || i18n_format_date(r->lang, at, date, sizeof(date)) != 0) {
		snprintf(out, len, "%s", at ? at : "");
		return;
	}
	/* TRANSLATORS: a date ("26 November 2026") and a time of day ("14:05") in UTC */
	snprintf(out, len, _("%s at %.5s UTC"), date, at + 11);
}

/* o[key] = when_text(at); o[key_dt] = at, for <time datetime>. */
static void set_when(const struct kreq *r, json_t *o, const char *key, const char *at)
{
	char text[160];

	when_text(r, at, text, sizeof(text));
	web_set(o, key, text);
}

static void set_browser(json_t *o, const char *stored)
{
	char label[DEVICES_LABEL_MAX];

	devices_browser_label(stored, label, sizeof(label));
	web_set(o, "browser", label);
}

/*
 * The data of a page under settings: its title, the settings tab, and
 * data[key], the n elements of size bytes at list, each made by item.
 * NULL when memory runs out.
 */
static json_t *settings_list_page(const struct kreq *r, const char *title, const char *key,
				  const void *list, size_t n, size_t size,
				  json_t *(*item)(const struct kreq *r, const void *one))
{
	json_t *data = web_page_new(r, title), *items = json_array();
	const unsigned char *p = list;
	size_t i;

	for (i = 0; items && i < n; i++)
		if (push(items, item(r, p + i * size)) < 0)
			break;
	web_set_bool(data, "nav_settings", 1);
	web_set_bool(data, "empty", n == 0);
	if (!data || !items || json_object_set_new(data, key, items) < 0) {
		json_decref(data);
		return NULL;
	}
	return data;
}

static json_t *device_card(const struct kreq *r, const void *one)
{
	const struct device_view *d = one;
	json_t *o = json_object();

	web_set(o, "id", d->id);
	set_browser(o, d->browser);
	web_set(o, "created_at", d->created_at);
	set_when(r, o, "created", d->created_at);
	web_set(o, "last_seen_at", d->last_seen_at);
	set_when(r, o, "last_seen", d->last_seen_at);
	set_flag(o, "current", d->current);
	return o;
}

/* page_devices() - GET /settings/devices: this device and the others, each to sign out. */
int page_devices(struct kreq *r)
{
	struct device_view *list = NULL;
	const char *ended = kreq_query(r, "ended");
	json_t *data;
	size_t n = 0, i, others = 0;
	int rc;

	rc = devices_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	for (i = 0; i < n; i++)
		others += !list[i].current;
	data = settings_list_page(r, _("Signed-in devices"), "devices", list, n, sizeof(*list),
				  device_card);
	free(list);
	web_set_bool(data, "others", others > 0);
	web_set_bool(data, "ended_one", ended && !strcmp(ended, "one"));
	web_set_bool(data, "ended_others", ended && !strcmp(ended, "others"));
	return web_render(r, 200, "devices", data, 0);
}

/*
 * page_device_end() - POST /settings/devices/{id}/end: that device is
 * signed out (303 back to the list); this one, signed out like /signout;
 * another member's, or none, the 404 page.
 */
int page_device_end(struct kreq *r)
{
	int rc = devices_end(r->core, r->session, r->params[0]);

	if (rc == DEVICES_NOT_FOUND)
		return page_error(r, 404);
	if (rc < 0)
		return rc;
	if (rc == DEVICES_SIGNED_OUT)
		return web_signed_out(r);
	return web_redirect(r, "/settings/devices?ended=one");
}

/* page_devices_end_others() - POST /settings/devices/others: sign out everywhere else. */
int page_devices_end_others(struct kreq *r)
{
	int rc = devices_end_others(r->core, r->session);

	if (rc < 0)
		return rc;
	return web_redirect(r, "/settings/devices?ended=others");
}

/*
 * page_device_notice() - POST /settings/devices/notice (notice): the
 * new-device notice on home is dismissed; back to home.  A notice that is
 * not there to dismiss (dismissed already, older than its days, the
 * session's own sign-in) changes nothing and goes home all the same.
 */
int page_device_notice(struct kreq *r)
{
	json_t *id = r->json ? json_object_get(r->json, "notice") : NULL;
	int rc;

	if (r->input_error || !json_is_integer(id))
		return page_error(r, 400);
	rc = devices_notice_dismiss(r->core, r->session, (int64_t)json_integer_value(id));
	if (rc < 0)
		return rc;
	return web_redirect(r, "/home");
}

/* The words of a history event's kind. */
static const char *kind_text(const char *kind)
{
	static const char *const words[][2] = {
		{"signin", N_("Signed in")},
		{"signin_failed", N_("A sign-in failed")},
		{"password_changed", N_("Password changed")},
		{"recovery_used", N_("Signed in with the recovery key")},
		{"recovery_key_changed", N_("New recovery key made")},
		{"new_device", N_("Signed in from a new device")},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(kind, words[i][0]))
			return _(words[i][1]);
	return kind;
}

static json_t *history_item(const struct kreq *r, const void *one)
{
	const struct history_event *e = one;
	json_t *o = json_object();

	web_set(o, "what", kind_text(e->kind));
	set_flag(o, "failed", !strcmp(e->kind, "signin_failed"));
	set_flag(o, "new_device", !strcmp(e->kind, "new_device"));
	web_set(o, "at", e->at);
	set_when(r, o, "when", e->at);
	set_browser(o, e->browser);
	return o;
}

/* page_history() - GET /settings/history: the member's own events, newest first. */
int page_history(struct kreq *r)
{
	struct history_event *list = NULL;
	json_t *data;
	size_t n = 0;
	int rc;

	rc = devices_history(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	data = settings_list_page(r, _("Sign-in history"), "events", list, n, sizeof(*list),
				  history_item);
	free(list);
	return web_render(r, 200, "history", data, 0);
}

int page_device_notice_data(struct kreq *r, json_t *data)
{
	struct device_notice nt;
	json_t *o;
	int rc = devices_notice(r->core, r->session, &nt);

	if (rc != 0 || nt.id == 0)
		return rc < 0 ? rc : 0;
	o = json_object();
	if (!o || !data) {
		json_decref(o);
		return -ENOMEM;
	}
	set_when(r, o, "when", nt.at);
	web_set(o, "at", nt.at);
	set_browser(o, nt.browser);
	set_int(o, "id", (long long)nt.id);
	return json_object_set_new(data, "new_device", o) < 0 ? -ENOMEM : 0;
}
