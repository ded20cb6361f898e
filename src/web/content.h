/*
 * content.h: the program's texts (content/<lang>/<name>.md), rendered from
 * Markdown to HTML with md4c once, at start-up, and kept in memory so a
 * request only copies a finished page.  Used by the /program pages and /find-help.
 */
#ifndef KINTSUGI_WEB_CONTENT_H
#define KINTSUGI_WEB_CONTENT_H

#include <stddef.h>

#define CONTENT_TITLE_MAX 200 /* bytes of a page title (its first heading) */

/*
 * content_render() - md (len bytes of Markdown) as HTML: raw HTML in the
 * source is shown as text, never passed through (MD_FLAG_NOHTML); tables
 * are allowed.  Each heading gets an id made from its words (lower-case
 * ASCII letters and digits, other letters as written, '-' between words,
 * "-2", "-3" for a repeat), for in-page links.  The first heading's text
 * goes to title (titlelen bytes, NUL-terminated; "" when there is none).
 * A link may only point at a path on this server ("/..."), a place on the
 * page ("#...") or an https:// address; any other fails the page.
 * *ret is malloc'd, NUL-terminated, the caller frees it; untouched on
 * failure.  Returns 0, -EINVAL for Markdown md4c refuses or a link of
 * another kind, -ENOMEM.
 */
int content_render(const char *md, size_t len, char **ret, size_t *ret_len, char *title,
		   size_t titlelen);

/*
 * content_load() - read and render content/<lang>/<name>.md under
 * data_dir for every page of the program and every language.  A page
 * missing in any language fails start-up (errbuf names it), so a broken
 * install is found before the first visitor.  Call once, before the server
 * threads start; the pages are immutable afterwards.  Returns 0 or -errno.
 */
int content_load(const char *data_dir, char *errbuf, size_t errlen);

/* content_free() - release what content_load() made; safe to call twice. */
void content_free(void);

/*
 * content_find() - the rendered page name ("index", "step-1" ... "step-5",
 * "find-help")
 * in lang ("en", "es", "ru"; another code gives English): its HTML and its
 * title, owned by the cache and valid until content_free().  Returns 0 or
 * -ENOENT for a name that is not a page.
 */
int content_find(const char *name, const char *lang, const char **ret_html, size_t *ret_len,
		 const char **ret_title);

/*
 * content_name() - the name of page i of the program, in its order
 * ("index" first, then "step-1" ... "step-5"), or NULL past the last;
 * "find-help" is a page of its own, not one of the program's.
 */
const char *content_name(size_t i);

#endif
