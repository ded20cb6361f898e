/*
 * pages.c: the pages that only show things: the landing page, who sees
 * what, the quick-exit page and the signed-in home.  Forms and their
 * handlers live in pages-account.c and pages-journal.c; the machinery they
 * share (templates, static files, error pages) in render.c.
 */
#include <errno.h>
#include <string.h>

#include "core/account.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/*
 * page_landing() - GET /: what kintsugi is, and the way in.  A signed-in
 * member goes straight to their home.
 */
int page_landing(struct kreq *r)
{
	if (r->session)
		return web_redirect(r, "/home");
	return web_render(r, 200, "landing", web_page_new(r, _("Mend trust, together")),
			  WEB_PUBLIC);
}

/*
 * page_privacy() - GET /privacy: who sees what, in plain words, including
 * the honest limit of encryption at rest.
 */
int page_privacy(struct kreq *r)
{
	return web_render(r, 200, "privacy", web_page_new(r, _("Who sees what")), WEB_PUBLIC);
}

/*
 * page_exit() - GET /exit: the quick exit.  A neutral page with nothing
 * about relationships, no navigation and no link back; it never reads the
 * session, so it looks the same to whoever glances at the screen.
 */
int page_exit(struct kreq *r)
{
	json_t *data = json_object();

	web_set(data, "lang", r->lang ? r->lang : "en");
	return web_render(r, 200, "exit", data, WEB_PUBLIC);
}

/*
 * page_home() - GET /home: a greeting, where the couple stands (invite the
 * partner, or the two names), and the five steps.
 */
int page_home(struct kreq *r)
{
	struct member_view mv;
	json_t *data;
	size_t i;
	int rc;

	if (!r->session)
		return web_redirect(r, "/signin");
	memset(&mv, 0, sizeof(mv));
	rc = account_describe(r->core, r->session, &mv);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);

	data = web_page_new(r, _("Home"));
	web_set_bool(data, "nav_home", 1);
	web_set(data, "display_name", mv.display_name);
	web_set_bool(data, "is_partner", !strcmp(mv.role, "partner"));
	if (mv.npartners < 2) {
		web_set_bool(data, "alone", 1);
	} else {
		for (i = 0; i < mv.npartners && i < 2; i++)
			if (strcmp(mv.partners[i].id, mv.id) != 0)
				web_set(data, "partner_name", mv.partners[i].display_name);
	}
	/* ---- step 2: where the couple stands, the next step, the chart ---- */
	if (!strcmp(mv.role, "partner")) {
		rc = page_home_step2(r, data, mv.npartners >= 2);
		if (rc < 0) {
			json_decref(data);
			return rc;
		}
	}
	/* ---- end of step 2 ---- */
	return web_render(r, 200, "home", data, 0);
}
