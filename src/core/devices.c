/*
 * devices.c: signed-in devices, the member's own sign-in history and the
 * new-device notice (devices.h).
 *
 * The history is the audit trail (audit_log) read back for the member it
 * names, through a fixed map from the events account.c writes to the six
 * kinds of API.md; events of other kinds (statements delivered, invites,
 * password checks behind a session) stay the operator's.  Which sessions
 * are live is decided as session_resolve() decides it, so that a session
 * past its limits, whose row is still there until it is purged, is not
 * shown as signed in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/devices.h"
#include "i18n/i18n.h"

/* A word and what it stands for: a User-Agent token and a name, an event and a kind. */
struct pair {
	const char *key;
	const char *value;
};

/* The browsers, by a token of their User-Agent; the first that matches wins. */
static const struct pair ua_browsers[] = {
	{"EdgA/", "Edge"},
	{"EdgiOS/", "Edge"},
	{"Edg/", "Edge"},
	{"Edge/", "Edge"},
	{"OPR/", "Opera"},
	{"OPiOS/", "Opera"},
	{"OPT/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"YaBrowser/", "Yandex Browser"},
	{"Vivaldi/", "Vivaldi"},
	{"DuckDuckGo/", "DuckDuckGo"},
	{"FxiOS/", "Firefox"},
	{"Firefox/", "Firefox"},
	{"CriOS/", "Chrome"},
	{"Chromium/", "Chromium"},
	{"Chrome/", "Chrome"},
	{"Safari/", "Safari"},
};

/* The systems; the first that matches wins (an iPad may say "Macintosh" too). */
static const struct pair ua_systems[] = {
	{"iPhone", "iPhone"},	{"iPad", "iPad"},      {"iPod", "iPod"},
	{"Android", "Android"}, {"CrOS", "ChromeOS"},  {"Windows", "Windows"},
	{"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The value of the first pair whose key is in the len bytes of ua, or "". */
static const char *ua_find(const struct pair *p, size_t n, const char *ua, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memmem(ua, len, p[i].key, strlen(p[i].key)))
			return p[i].value;
	return "";
}

void devices_browser_from_ua(const char *ua, size_t len, char out[STORE_BROWSER_LEN + 1])
{
	const char *browser, *system;

	out[0] = '\0';
	if (!ua || len == 0)
		return;
	browser = ua_find(ua_browsers, NELEM(ua_browsers), ua, len);
	system = ua_find(ua_systems, NELEM(ua_systems), ua, len);
	if (*browser || *system)
		snprintf(out, STORE_BROWSER_LEN + 1, "%s/%s", browser, system);
}

/*
 * The pair of p whose key (by_value 0) or value (1) is the len bytes at s:
 * its value, or NULL.
 */
static const char *pair_find(const struct pair *p, size_t n, const char *s, size_t len,
			     int by_value)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *w = by_value ? p[i].value : p[i].key;

		if (strlen(w) == len && !memcmp(w, s, len))
			return p[i].value;
	}
	return NULL;
}

void devices_browser_label(const char *stored, char *out, size_t len)
{
	const char *slash = stored ? strchr(stored, '/') : NULL;
	const char *browser = NULL, *system = NULL;

	if (slash) {
		browser = pair_find(ua_browsers, NELEM(ua_browsers), stored,
				    (size_t)(slash - stored), 1);
		system = pair_find(ua_systems, NELEM(ua_systems), slash + 1, strlen(slash + 1), 1);
	}
	if (browser && system)
		/* TRANSLATORS: a browser and the system it runs on: "Firefox on Android" */
		snprintf(out, len, _("%s on %s"), browser, system);
	else if (browser)
		snprintf(out, len, "%s", browser);
	else if (system)
		/* TRANSLATORS: a browser kintsugi does not know, on a system it knows */
		snprintf(out, len, _("A browser on %s"), system);
	else
		snprintf(out, len, "%s", _("Unknown browser"));
}

/*
 * n zeroed elements of size bytes, for what a list keeps of rows (NULL
 * when n is 0, or when memory runs out: rows goes then).
 */
static void *out_array(size_t n, size_t size, void *rows)
{
	void *out = n ? calloc(n, size) : NULL;

	if (n && !out)
		free(rows);
	return out;
}

void devices_audit(const struct core *c, const char *couple_id, const char *member_id,
		   const char *event, const char *session_id)
{
	struct audit_row a;

	memset(&a, 0, sizeof(a));
	snprintf(a.couple_id, sizeof(a.couple_id), "%s", couple_id ? couple_id : "");
	snprintf(a.member_id, sizeof(a.member_id), "%s", member_id ? member_id : "");
	snprintf(a.event, sizeof(a.event), "%s", event);
	snprintf(a.browser, sizeof(a.browser), "%s", c->browser ? c->browser : "");
	snprintf(a.session_id, sizeof(a.session_id), "%s", session_id ? session_id : "");
	session_now(a.at, 0);
	(void)STORE_CALL(c->st, audit_add, &a);
}

void devices_new_device(const struct core *c, const struct session *s)
{
	devices_audit(c, s->couple_id, s->member_id, "new_device", s->id);
}

int devices_list(const struct core *c, const struct session *s, struct device_view **ret,
		 size_t *ret_n)
{
	struct session_brief *rows = NULL;
	struct device_view *out;
	char now[STORE_TIME_LEN + 1], idle[STORE_TIME_LEN + 1];
	size_t n = 0, i, k = 0;
	int r;

	r = STORE_CALL(c->st, session_list, s->couple_id, s->member_id, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	out = out_array(n, sizeof(*out), rows);
	if (n && !out)
		return -ENOMEM;
	/* "past the limit" as session_resolve() has it: a later second than the limit's */
	session_now(now, 0);
	session_now(idle, -c->session_idle_s);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].expires_at, now) < 0 || strcmp(rows[i].last_seen_at, idle) < 0)
			continue;
		memcpy(out[k].id, rows[i].id, sizeof(out[k].id));
		memcpy(out[k].browser, rows[i].browser, sizeof(out[k].browser));
		memcpy(out[k].created_at, rows[i].created_at, sizeof(out[k].created_at));
		memcpy(out[k].last_seen_at, rows[i].last_seen_at, sizeof(out[k].last_seen_at));
		out[k].current = strcmp(rows[i].id, s->id) == 0;
		/* this one first: the list reads "here, and elsewhere" */
		if (out[k].current && k > 0) {
			struct device_view here = out[k];

			memmove(out + 1, out, k * sizeof(*out));
			out[0] = here;
		}
		k++;
	}
	free(rows);
	*ret = out;
	*ret_n = k;
	return 0;
}

int devices_end(const struct core *c, const struct session *s, const char *id)
{
	int r = STORE_CALL(c->st, session_end_own, s->couple_id, s->member_id, id);

	if (r == STORE_NOTFOUND)
		return DEVICES_NOT_FOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	return strcmp(id, s->id) == 0 ? DEVICES_SIGNED_OUT : DEVICES_OK;
}

int devices_end_others(const struct core *c, const struct session *s)
{
	int r = STORE_CALL(c->st, session_end_others, s->couple_id, s->member_id, s->id);

	return r > 0 ? -EIO : r;
}

/*
 * The events of the history: what account.c writes, and the kind of
 * API.md each one is.  A sign-up or a join is the member's first
 * sign-in; a wrong code after a right password (second_factor_failed, at
 * sign-in or recovery only: behind a session it is code_check_failed) and
 * a wrong recovery key for the login are failed sign-ins.
 */
static const struct pair history_kinds[] = {
	{"signin", "signin"},
	{"signup", "signin"},
	{"joined", "signin"},
	{"signin_failed", "signin_failed"},
	{"second_factor_failed", "signin_failed"},
	{"recovery_failed", "signin_failed"},
	{"password_changed", "password_changed"},
	{"recovered", "recovery_used"},
	{"recovery_key_replaced", "recovery_key_changed"},
	{"new_device", "new_device"},
};

#define HISTORY_EVENTS                                                                             \
	"signin,signup,joined,signin_failed,second_factor_failed,recovery_failed,"                 \
	"password_changed,recovered,recovery_key_replaced,new_device"

int devices_history(const struct core *c, const struct session *s, struct history_event **ret,
		    size_t *ret_n)
{
	struct audit_row *rows = NULL;
	struct history_event *out;
	char since[STORE_TIME_LEN + 1];
	size_t n = 0, i, k = 0;
	int r;

	session_now(since, -(long)STORE_AUDIT_DAYS * 24 * 3600);
	r = STORE_CALL(c->st, audit_list, s->couple_id, s->member_id, HISTORY_EVENTS, 0, since,
		       DEVICES_HISTORY_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	out = out_array(n, sizeof(*out), rows);
	if (n && !out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *kind = pair_find(history_kinds, NELEM(history_kinds), rows[i].event,
					     strlen(rows[i].event), 0);

		if (!kind)
			continue;
		out[k].kind = kind;
		memcpy(out[k].at, rows[i].at, sizeof(out[k].at));
		memcpy(out[k].browser, rows[i].browser, sizeof(out[k].browser));
		k++;
	}
	free(rows);
	*ret = out;
	*ret_n = k;
	return 0;
}

/*
 * The notices s may be shown, newest first: sign-ins from a new device of
 * the last DEVICES_NOTICE_DAYS days, above the member's dismissed mark,
 * not made by s.  Calls fn for each until it returns non-zero.
 */
static int notices_each(const struct core *c, const struct session *s,
			int (*fn)(const struct audit_row *row, void *ctx), void *ctx)
{
	struct audit_row *rows = NULL;
	char since[STORE_TIME_LEN + 1];
	int64_t seen = 0;
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, notice_seen_get, s->couple_id, s->member_id, &seen);
	if (r != 0)
		return r > 0 ? -EIO : r;
	session_now(since, -(long)DEVICES_NOTICE_DAYS * 24 * 3600);
	/* one per sign-in from a new device: the member's own rate of those, bounded by the trim */
	r = STORE_CALL(c->st, audit_list, s->couple_id, s->member_id, "new_device", seen, since,
		       STORE_AUDIT_KEEP, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0, r = 0; i < n && r == 0; i++)
		if (strcmp(rows[i].session_id, s->id) != 0)
			r = fn(&rows[i], ctx);
	free(rows);
	return r < 0 ? r : 0;
}

static int notice_take(const struct audit_row *row, void *ctx)
{
	struct device_notice *ret = ctx;

	ret->id = row->id;
	memcpy(ret->at, row->at, sizeof(ret->at));
	memcpy(ret->browser, row->browser, sizeof(ret->browser));
	return 1;
}

int devices_notice(const struct core *c, const struct session *s, struct device_notice *ret)
{
	memset(ret, 0, sizeof(*ret));
	return notices_each(c, s, notice_take, ret);
}

struct notice_find {
	int64_t id;
	int found;
};

static int notice_match(const struct audit_row *row, void *ctx)
{
	struct notice_find *f = ctx;

	f->found = row->id == f->id;
	return f->found;
}

int devices_notice_dismiss(const struct core *c, const struct session *s, int64_t id)
{
	struct notice_find f = {id, 0};
	int r = notices_each(c, s, notice_match, &f);

	if (r != 0)
		return r;
	if (!f.found)
		return DEVICES_NOT_FOUND;
	r = STORE_CALL(c->st, notice_seen_set, s->couple_id, s->member_id, id);
	if (r == STORE_NOTFOUND)
		return DEVICES_NOT_FOUND;
	return r > 0 ? -EIO : r;
}
