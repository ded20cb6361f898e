/*
 * pages-export.c: GET /export, the page that offers the export (API.md,
 * "Safety and ownership"): what the download holds and who can read it,
 * and its two forms, the JSON file (GET /api/v1/export) and the readable
 * copy (GET /export/html, written in src/api/export-html.c beside the JSON,
 * from the same document).  Both are plain links: no JavaScript needed.
 */
#include <string.h>

#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* page_export() - GET /export */
int page_export(struct kreq *r)
{
	json_t *data = web_page_new(r, _("Download your data"));

	web_set_bool(data, "nav_settings", 1);
	web_set_bool(data, "care_team", strcmp(r->session->role, "therapist") == 0);
	return web_render(r, 200, "export", data, 0);
}
