/*
 * pages-program.c: the program explained, GET /program and
 * /program/step-1 ... /program/step-5, and what to look for in a
 * therapist, GET /find-help.  The words are ours, in
 * content/<lang>/<name>.md, rendered once at start-up by content.c; a request
 * picks the page by its path and the reader's language and puts it into
 * the layout, with a list of the program's pages below it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "web/content.h"
#include "web/pages.h"
#include "web/render.h"

#define PROGRAM_PREFIX "/program"

/*
 * program_nav() - the program's pages as [{url, title, current}], each
 * title being that page's first heading in r->lang.  NULL when memory runs
 * out (the page then shows without the list).
 */
static json_t *program_nav(const struct kreq *r, const char *current)
{
	json_t *nav = json_array(), *o;
	const char *name, *html, *title;
	char url[64];
	size_t i, len;

	for (i = 0; nav && (name = content_name(i)); i++) {
		if (content_find(name, r->lang, &html, &len, &title) < 0)
			continue;
		if (!strcmp(name, "index"))
			snprintf(url, sizeof(url), PROGRAM_PREFIX);
		else
			snprintf(url, sizeof(url), PROGRAM_PREFIX "/%s", name);
		o = json_object();
		web_set(o, "url", url);
		web_set(o, "title", title);
		web_set_bool(o, "current", !strcmp(name, current));
		if (push(nav, o) < 0) {
			json_decref(nav);
			return NULL;
		}
	}
	return nav;
}

/*
 * page_program() - GET /program (the page "index") and /program/{name},
 * where the routing table holds one fixed path per page.  A path that is no
 * page of the program (it cannot come from the table, but the handler does
 * not rely on that) answers the 404 page.  Public: the landing page links
 * here, and nothing on it depends on who reads it.
 */
int page_program(struct kreq *r)
{
	const char *name, *html, *title;
	json_t *data, *nav;
	size_t len;

	if (!strcmp(r->path, PROGRAM_PREFIX))
		name = "index";
	else if (!strncmp(r->path, PROGRAM_PREFIX "/", strlen(PROGRAM_PREFIX "/")))
		name = r->path + strlen(PROGRAM_PREFIX "/");
	else
		return page_error(r, 404);
	if (!strcmp(name, "index") && strcmp(r->path, PROGRAM_PREFIX) != 0)
		return page_error(r, 404); /* /program/index is not an address */
	if (content_find(name, r->lang, &html, &len, &title) < 0)
		return page_error(r, 404);
	data = web_page_new(r, title);
	if (!data)
		return -ENOMEM;
	/* our own rendered Markdown: the template triple-stashes it (see program.mustache) */
	if (json_object_set_new(data, "content", json_stringn(html, len)) < 0) {
		json_decref(data);
		return -ENOMEM;
	}
	nav = program_nav(r, name);
	web_set_bool(data, "has_pages", nav != NULL);
	if (nav)
		json_object_set_new(data, "pages", nav);
	return web_render(r, 200, "program", data, WEB_PUBLIC);
}

/*
 * page_find_help() - GET /find-help: what to look for in a therapist and
 * where to look (content/<lang>/find-help.md), laid out as a page of the
 * program but without its list of pages.  Its links are plain links: the
 * server fetches nothing from those places, and the page loads nothing
 * from them.  Public, like the program.
 */
int page_find_help(struct kreq *r)
{
	const char *html, *title;
	json_t *data;
	size_t len;

	if (content_find("find-help", r->lang, &html, &len, &title) < 0)
		return page_error(r, 404);
	data = web_page_new(r, title);
	if (!data)
		return -ENOMEM;
	/* our own rendered Markdown: the template triple-stashes it (see program.mustache) */
	if (json_object_set_new(data, "content", json_stringn(html, len)) < 0) {
		json_decref(data);
		return -ENOMEM;
	}
	return web_render(r, 200, "program", data, WEB_PUBLIC);
}
