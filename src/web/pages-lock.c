/*
 * pages-lock.c: what discreet mode and auto-lock show: the web app
 * manifest (kintsugi's, or a neutral one), the lock page and unlocking.
 *
 * The threat is the partner who picks up the member's phone while it is
 * still signed in.  Auto-lock is decided in core (session_resolve() marks
 * an idle session locked) and enforced at the HTTP edge, which answers
 * every request of a locked session with page_locked() (or 401 `locked`
 * on the API) but unlocking and signing out; this file only draws the
 * page and checks the password.  Discreet mode is the member's choice,
 * carried by the session; the layout reads it (web_page_new()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define LOCK_NEXT_MAX 256 /* the longest page path a lock page sends back to */

/*
 * The two faces of the app for a phone's home screen.  The neutral one
 * names nothing of kintsugi and carries its own plain icon; its name is in
 * the language of the request (a manifest is fetched without cookies).
 */
struct manifest_face {
	const char *icon;	/* under /static/icons/, without the size and extension */
	const char *theme;	/* the bar's colour: the icon's background */
	const char *background; /* the splash screen's: the page's paper */
};

static const struct manifest_face face_kintsugi = {"kintsugi", "#1c2433", "#f6f1e7"};
static const struct manifest_face face_neutral = {"notes", "#5f6b7a", "#f4f5f7"};

static json_t *manifest_icon(const char *name, const char *size, const char *ext, const char *type)
{
	char src[96], sizes[16];

	snprintf(src, sizeof(src), "/static/icons/%s%s%s.%s", name, *size ? "-" : "", size, ext);
	snprintf(sizes, sizeof(sizes), *size ? "%sx%s" : "any", size, size);
	return json_pack("{s:s,s:s,s:s,s:s}", "src", src, "sizes", sizes, "type", type, "purpose",
			 "any");
}

/*
 * page_manifest() - GET /manifest.webmanifest: the web app manifest
 * (W3C Web Application Manifest) that lets a phone put kintsugi on its
 * home screen; with ?d=1, the neutral face of discreet mode.  Public: it
 * holds nothing of anyone.
 */
int page_manifest(struct kreq *r)
{
	const char *d = kreq_query(r, "d");
	int neutral = d && !strcmp(d, "1");
	const struct manifest_face *f = neutral ? &face_neutral : &face_kintsugi;
	const char *name = neutral ? _("Notes") : "kintsugi";
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	json_t *icons, *o;
	char *text;
	size_t len;

	icons = json_pack("[o,o,o]", manifest_icon(f->icon, "192", "png", "image/png"),
			  manifest_icon(f->icon, "512", "png", "image/png"),
			  manifest_icon(f->icon, "", "svg", "image/svg+xml"));
	o = icons ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "name", name,
			      "short_name", name, "lang", r->lang ? r->lang : "en", "dir", "ltr",
			      "start_url", "/home", "scope", "/", "display", "standalone",
			      "theme_color", f->theme, "background_color", f->background, "icons",
			      icons)
		  : NULL;
	if (!o)
		return -ENOMEM;
	/* into malloc'd memory: jansson's own allocator may be another (http/fields.c) */
	len = json_dumpb(o, NULL, 0, flags);
	text = len ? malloc(len) : NULL;
	if (text && json_dumpb(o, text, len, flags) != len) {
		free(text);
		text = NULL;
	}
	json_decref(o);
	if (!text)
		return -ENOMEM;
	free(r->resp_body);
	r->resp_body = text;
	r->resp_len = len;
	r->content_type = "application/manifest+json";
	r->status = 200;
	r->private_page = 0;
	return 0;
}

int page_next_ok(const char *next)
{
	size_t i, n;

	if (!next || next[0] != '/')
		return 0;
	n = strnlen(next, LOCK_NEXT_MAX + 1);
	if (n > LOCK_NEXT_MAX)
		return 0;
	for (i = 1; i < n; i++) {
		char ch = next[i];

		if (ch == '/' && next[i - 1] == '/')
			return 0;
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= '0' && ch <= '9') && ch != '-' &&
		    ch != '/')
			return 0;
	}
	return 1;
}

/* The lock page with status, and a message for the password field when there is one. */
static int lock_page(struct kreq *r, int status, const char *next, const char *message)
{
	json_t *data = web_page_new(r, _("Locked"));

	/* no menu, no footer links of a member: nothing but the lock */
	if (data)
		json_object_del(data, "signed_in");
	web_set(data, "next", page_next_ok(next) ? next : "/home");
	if (message)
		web_form_error(data, "error", message, "password");
	return web_render(r, status, "lock", data, 0);
}

int page_locked(struct kreq *r, const char *next)
{
	return lock_page(r, 401, next, NULL);
}

/*
 * page_unlock() - POST /unlock {password, next}: the right password
 * unlocks the session and goes on to next (a page path, else home); a
 * wrong one is the lock page again, 401, counted as a failed sign-in, and
 * 429 past the sign-in limits.
 */
int page_unlock(struct kreq *r)
{
	const char *pw = kreq_str(r, "password");
	const char *next = web_form_value(r, "next");
	struct account_guard g;
	char message[256];
	int rc;

	if (!page_next_ok(next))
		next = "/home";
	if (r->input_error || !pw)
		return lock_page(r, 400, next,
				 r->input_error ? kreq_input_message(r->input_error)
						: _("Please type your password."));
	kreq_account_guard(r, &g);
	rc = account_unlock_session(r->core, r->session, &g, pw, strlen(pw));
	switch (rc) {
	case ACCOUNT_OK:
		return web_redirect(r, next);
	case ACCOUNT_WRONG_PASSWORD:
		return lock_page(r, 401, next, _("That password is not right. Please try again."));
	case ACCOUNT_RATE_LIMITED:
		web_wait_message(r, g.retry_after_s, message, sizeof(message));
		return lock_page(r, 429, next, message);
	case ACCOUNT_BUSY:
		r->retry_after = 2;
		return lock_page(r, 429, next,
				 _("The server is busy right now. Please try again in a moment."));
	case ACCOUNT_SESSION_GONE:
		return web_redirect(r, "/signin");
	default:
		return rc < 0 ? rc : page_error(r, 500);
	}
}
