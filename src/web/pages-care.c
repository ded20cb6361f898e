/*
 * pages-care.c: the care team for partners (/care): propose inviting a
 * therapist, approve or cancel what the other partner proposed (the link
 * is shown once, to whoever approves), the therapists with access and the
 * button that ends one's access; and a therapist's home, which says
 * plainly what they see (core/care.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/care.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* The day of an RFC 3339 time, in r->lang ("6 December 2026"). */
static void care_day(const struct kreq *r, const char *at, char *out, size_t len)
{
	if (!at || i18n_format_date(r->lang, at, out, len) != 0)
		snprintf(out, len, "%s", at ? at : "");
}

static int care_push(json_t *list, json_t *o)
{
	if (!o)
		return -ENOMEM;
	return json_array_append_new(list, o) == 0 ? 0 : -ENOMEM;
}

/* The /care page: the team, the open invites, the form; link: a link just made (shown once). */
static int care_page(struct kreq *r, int status, const char *link)
{
	struct care_therapist *team = NULL;
	struct care_invite *invs = NULL;
	size_t nteam = 0, ninvs = 0, i;
	json_t *data, *a, *b;
	char day[64];
	int rc;

	rc = care_team(r->core, r->session, &team, &nteam);
	if (rc == 0)
		rc = care_invites(r->core, r->session, &invs, &ninvs);
	if (rc != 0) {
		free(team);
		return rc < 0 ? rc : page_error(r, 403);
	}
	data = web_page_new(r, _("Care team"));
	a = json_array();
	b = json_array();
	for (i = 0; rc == 0 && a && i < nteam; i++) {
		json_t *o = json_object();

		care_day(r, team[i].since, day, sizeof(day));
		web_set(o, "id", team[i].id);
		web_set(o, "name", team[i].display_name);
		web_set(o, "since", day);
		web_set(o, "since_dt", team[i].since);
		rc = care_push(a, o);
	}
	for (i = 0; rc == 0 && b && i < ninvs; i++) {
		json_t *o = json_object();
		int mine = strcmp(invs[i].proposed_by, r->session->member_id) == 0;
		int approved = strcmp(invs[i].status, "approved") == 0;

		care_day(r, invs[i].created_at, day, sizeof(day));
		web_set(o, "id", invs[i].id);
		web_set(o, "note", invs[i].note);
		web_set(o, "created", day);
		web_set(o, "created_dt", invs[i].created_at);
		web_set_bool(o, "approved", approved);
		web_set_bool(o, "waiting_mine", !approved && mine);
		web_set_bool(o, "waiting_theirs", !approved && !mine);
		rc = care_push(b, o);
	}
	free(team);
	care_invites_free(invs, ninvs);
	if (!data || !a || !b || rc != 0 || json_object_set_new(data, "therapists", a) < 0) {
		json_decref(data);
		json_decref(b);
		return rc < 0 ? rc : -ENOMEM;
	}
	if (json_object_set_new(data, "invites", b) < 0) {
		json_decref(data);
		return -ENOMEM;
	}
	web_set_bool(data, "has_therapists", nteam > 0);
	web_set_bool(data, "has_invites", ninvs > 0);
	web_set(data, "link", link);
	web_set_bool(data, "nav_home", 1);
	return web_render(r, status, "care", data, 0);
}

/* GET /care */
int page_care(struct kreq *r)
{
	return care_page(r, 200, NULL);
}

/* A care outcome as a page: 404, 403 and 409 as error pages. */
static int care_refused(struct kreq *r, int rc)
{
	if (rc < 0)
		return rc;
	if (rc == CARE_NOTFOUND)
		return page_error(r, 404);
	if (rc == CARE_FORBIDDEN)
		return web_error_page(r, 403, _("Your partner approves this one"),
				      _("An invite you proposed needs your partner's yes. "
					"The link appears once they approve it."));
	return web_error_page(r, 409, _("This invite has changed"),
			      _("It was approved, used or cancelled already. "
				"Please look at the care team page again."));
}

/* POST /care/invites {note?} */
int page_care_propose(struct kreq *r)
{
	const char *note = web_form_value(r, "note");
	struct care_invite inv;
	int rc;

	memset(&inv, 0, sizeof(inv));
	rc = care_propose(r->core, r->session, note, note ? strlen(note) : 0, &inv);
	care_invite_clear(&inv);
	if (rc != 0)
		return care_refused(r, rc);
	return web_redirect(r, "/care");
}

/* POST /care/invites/{id}/approve: the link, shown this once on the page itself */
int page_care_approve(struct kreq *r)
{
	char token[CARE_TOKEN_LEN + 1], base[512], url[1024];
	struct care_invite inv;
	int rc;

	if (kreq_invite_base_url(r, base, sizeof(base)) < 0)
		return web_error_page(r, 400, _("This is not this server's usual address"),
				      _("Invite links carry a secret, so they are made only for "
					"this server's own "
					"address. Please open kintsugi at its usual address, or "
					"ask the person who "
					"runs it to set its public address."));
	memset(&inv, 0, sizeof(inv));
	rc = care_approve(r->core, r->session, r->params[0], &inv, token);
	care_invite_clear(&inv);
	if (rc != 0)
		return care_refused(r, rc);
	rc = snprintf(url, sizeof(url), "%s/join?invite=%s", base, token) >= (int)sizeof(url)
		     ? -E2BIG
		     : 0;
	if (rc == 0)
		rc = care_page(r, 200, url);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(url, sizeof(url));
	return rc;
}

/* POST /care/invites/{id}/cancel */
int page_care_cancel(struct kreq *r)
{
	struct care_invite inv;
	int rc;

	memset(&inv, 0, sizeof(inv));
	rc = care_cancel(r->core, r->session, r->params[0], &inv);
	care_invite_clear(&inv);
	if (rc != 0)
		return care_refused(r, rc);
	return web_redirect(r, "/care");
}

/* POST /care/{id}/end: that therapist's access ends at once */
int page_care_end(struct kreq *r)
{
	int rc = care_end(r->core, r->session, r->params[0]);

	if (rc != 0)
		return care_refused(r, rc);
	return web_redirect(r, "/care");
}

/* A therapist's home: what they see, plainly; or that their access ended. */
int page_care_home(struct kreq *r, const char *display_name)
{
	json_t *data = web_page_new(r, _("Home"));

	web_set_bool(data, "nav_home", 1);
	web_set(data, "display_name", display_name);
	web_set_bool(data, "ended", r->session->care_ended);
	return web_render(r, 200, "care_home", data, 0);
}
