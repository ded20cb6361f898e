/*
 * pages-reflect.c: the short guided reflection (PROGRAM.md, step 1,
 * introspection): a few timed steps of looking inward, for the reader
 * alone.  Nothing is saved or shared; the page is plain HTML and
 * static/js/reflect.js adds the timer.
 */
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* page_reflect() - GET /reflect: the steps in HTML; static/js/reflect.js adds a timer. */
int page_reflect(struct kreq *r)
{
	json_t *data;

	data = web_page_new(r, _("A short reflection"));
	return web_render(r, 200, "reflect", data, 0);
}
