/*
 * render.h: what the page handlers share inside src/web/: the templates
 * compiled at start-up (one copy per language, pre-translated), the page
 * data every template expects (language, title, CSRF token, navigation),
 * and small helpers for redirects, form errors, counts and excerpts.
 * Nothing here is used outside src/web/; the public entry points are in
 * pages.h.
 */
#ifndef KINTSUGI_WEB_RENDER_H
#define KINTSUGI_WEB_RENDER_H

#include <stddef.h>
#include <jansson.h>

#include "core/account.h"
#include "kreq.h"

/* Flags for web_render(). */
#define WEB_PUBLIC 0x1 /* may be cached: only honoured when nobody is signed in */

/*
 * web_page_new() - a new page data object holding what the layout needs:
 * lang (r->lang), title (already translated by the caller), signed_in, csrf
 * (only when signed in) and home_url.  Returns a new reference the caller
 * passes to web_render(), or NULL when memory runs out.
 */
json_t *web_page_new(const struct kreq *r, const char *title);

/*
 * web_render() - render template `name` in r->lang with data and fill the
 * response: status, HTML content type, body, and private_page (set unless
 * flags has WEB_PUBLIC and nobody is signed in).  Always takes data over:
 * its strings are wiped and it is released, on success and on failure.
 * data may be NULL (-ENOMEM then).  Returns 0, -ENOENT for an unknown
 * template, -ENOMEM.
 */
int web_render(struct kreq *r, int status, const char *name, json_t *data, int flags);

/*
 * web_read_file() - the whole regular file at path, refusing symbolic links
 * and anything over max bytes.  *ret is malloc'd and NUL-terminated, the
 * caller frees it; untouched on failure.  Returns 0, -EFBIG over max,
 * -EINVAL for a non-regular file, or -errno.  Used at start-up only, so
 * no request path ever reaches the file system.
 */
int web_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/*
 * web_redirect() - a 303 See Other to location (a path on this server).
 * Returns 0 or -ENOMEM.
 */
int web_redirect(struct kreq *r, const char *location);

/*
 * web_signed_out() - this browser is signed out: its session cookie is
 * cleared and the answer is a 303 to the landing page.  0 or -ENOMEM.
 */
int web_signed_out(struct kreq *r);

/*
 * web_error_page() - the small error page with a heading, one sentence and
 * a way home, with the given status.  title and message are translated by
 * the caller.  Returns 0 or a negative errno.
 */
int web_error_page(struct kreq *r, int status, const char *title, const char *message);

/*
 * web_set() - data[key] = a copy of the string val.  A NULL val, or a
 * string that is not valid UTF-8, sets nothing.  Memory failures leave the
 * key unset: the page then shows less, never something wrong.
 */
void web_set(json_t *data, const char *key, const char *val);
/* web_set_bool() - data[key] = true when on; nothing otherwise. */
void web_set_bool(json_t *data, const char *key, int on);

/*
 * web_form_value() - the value a person typed into field `name`: the
 * validated one from r->json when there is one, else the raw form field
 * (so a form that failed validation comes back as it was sent).  NULL when
 * absent.  Never use it for passwords.
 */
const char *web_form_value(const struct kreq *r, const char *name);

/*
 * web_kind_template() - the template of a kind's pages: its plural, a '-'
 * written '_' ("therapy-sessions" is therapy_sessions.mustache), into out
 * (cap bytes, cut to fit).
 */
struct item_kind;
void web_kind_template(const struct item_kind *k, char *out, size_t cap);

/*
 * web_form_error() - put a form error on the page: data.error = message
 * (shown with role="alert") and data.invalid.<field> = true (a dot in field
 * written as "_") when field is not NULL or empty, so the template marks
 * that input aria-invalid and points its aria-describedby at the message.  key names the error slot
 * ("error" for most pages; settings has one per form).
 */
void web_form_error(json_t *data, const char *key, const char *message, const char *field);

/*
 * web_input_error() - the sentence and field for r->input_error, or a
 * generic sentence when the handler found a field missing itself.
 */
void web_input_error(const struct kreq *r, json_t *data, const char *key);
/*
 * web_form_refused() - for a page drawn again after its form was refused
 * (refused 1): data.error says why, from r->input_error, or else names
 * field, the value core's own rule refused; returns refused.
 */
int web_form_refused(const struct kreq *r, json_t *data, int refused, const char *field);

/*
 * web_languages() - the language choices as an array of {code, name,
 * selected} for a <select>, with `selected` (a supported code) marked.
 * Names are endonyms and are never translated.  NULL on memory failure.
 */
json_t *web_languages(const char *selected);

/*
 * web_format_count() - write fmt into out (outlen bytes, always
 * NUL-terminated when outlen > 0) with its "%d" replaced by n and "%%" by
 * "%".  fmt is a translated string, so it is never handed to printf: a
 * translation holding "%s" by mistake prints as written instead of reading
 * memory.
 */
void web_format_count(char *out, size_t outlen, const char *fmt, long n);

/*
 * web_wait_message() - after too many wrong passwords (the sign-in
 * throttle): r->retry_after = wait_s (at least 1) and out (outlen bytes)
 * the sentence that says how many minutes to wait, in r->lang.
 */
void web_wait_message(struct kreq *r, int wait_s, char *out, size_t outlen);

/*
 * web_excerpt() - a copy of the first max_chars code points of text
 * (len bytes of well-formed UTF-8), cut on a character boundary, preferably
 * at a space near the end, with "..." (U+2026) appended when cut.  The
 * caller frees the result; NULL on memory failure.
 */
char *web_excerpt(const char *text, size_t len, size_t max_chars);

/*
 * web_use_session_lang() - after a sign-in, answer in the member's own
 * language from now on (r->lang and the thread's language).
 */
void web_use_session_lang(struct kreq *r);

/*
 * web_wipe() - overwrite every string inside data (recursively) with zero
 * bytes.  Page data holds private text (journal entries, recovery keys);
 * jansson frees without wiping, so web_render() wipes before releasing.
 */
void web_wipe(json_t *data);

/*
 * Helpers of the item pages (statements, commitments, check-ins, cards,
 * offers, activities) and of the home page's part for steps 1 and 2.  The
 * setters do nothing when o is NULL, and a failure to allocate leaves the
 * key unset (see web_set()).
 */

/*
 * set_flag() - o[key] = true or false, set either way.  Mustache looks a
 * name up through the enclosing contexts, so an item that left a key unset
 * would show the outer page's value of that name (a partner's check-in
 * must never show the reader's note that way).
 */
void set_flag(json_t *o, const char *key, int on);
/* set_text() - o[key] = a copy of the len bytes at s, or null when s is NULL. */
void set_text(json_t *o, const char *key, const char *s, size_t len);
/* set_int() - o[key] = v. */
void set_int(json_t *o, const char *key, long long v);
/*
 * set_date() - o[key] = when (an RFC 3339 date or time) as a person reads
 * it in r->lang; when as written if it is not a date; nothing when NULL.
 */
void set_date(const struct kreq *r, json_t *o, const char *key, const char *when);
/*
 * set_day() - o[key] = the date part ("YYYY-MM-DD") of when, for a
 * <time datetime> attribute: a page shows the day of a partner's action,
 * never its time of day (docs/security.md, "Discreet mode and auto-lock").
 * Nothing when when is NULL or shorter than a date.
 */
void set_day(json_t *o, const char *key, const char *when);
/*
 * push() - append v to arr, which takes it over.  Returns 0, or -ENOMEM
 * when arr or v is NULL or appending fails; v is released then.
 */
int push(json_t *arr, json_t *v);
/*
 * partner_display_name() - the partner's display name into out (len bytes),
 * or "" when there is none: hand it to set_partner(), which puts a stand-in
 * of the right case in its place.
 */
void partner_display_name(const struct kreq *r, char *out, size_t len);
/* member_view_partner() - the same, from mv (account_describe()) already read. */
void member_view_partner(const struct member_view *mv, char *out, size_t len);
/*
 * author_display_name() - the display name of the couple's member who
 * wrote something (author_id: a partner, or the former partner who left
 * it), from mv (account_describe()), into out; "" when mv names nobody so:
 * hand it to set_partner().  A therapist's pages name each partner so.
 */
void author_display_name(const struct member_view *mv, const char *author_id, char *out,
			 size_t len);
/*
 * set_partner() - o[key] = name, or "your partner" (translated) when name is
 * NULL or "", for the middle of a sentence; and the same key with a capital
 * first letter (key "from_name": "From_name") = name or "Your partner", for
 * the start of a sentence or a label alone. key is shorter than 64 bytes.
 */
void set_partner(json_t *o, const char *key, const char *name);
/* not_yours() - the 403 page "That is not yours to change" with message (already translated). */
int not_yours(struct kreq *r, const char *message);
/*
 * page_outcome() - the one mapping of an outcome of core (an enum
 * item_result; every kind's own enum starts from it) to a page, for what a
 * form did: ITEM_OK is a 303 to done; ITEM_NOTFOUND the 404 page;
 * ITEM_FORBIDDEN the 403 page with forbidden (translated), or without a
 * sentence of the kind's own when NULL; ITEM_CONFLICT the 409 page "this
 * changed meanwhile"; a negative errno is returned as is; anything else is
 * the 500 page.  ITEM_INVALID and a kind's own outcomes are the caller's to
 * answer first (its form again, with why).
 */
int page_outcome(struct kreq *r, int outcome, const char *done, const char *forbidden);
/*
 * step2_form_error() - the reason a form of a check-in, card, offer or
 * activity came back, as one kind sentence on data ("error") with the
 * field marked (see web_form_error()); from r->input_error, or "Please
 * fill in every field." when there is none.
 */
void step2_form_error(const struct kreq *r, json_t *data);
/*
 * step1_input_error() - the same for a statement or commitment form, in
 * the words of the form's own labels (defined in pages-statement.c, which
 * holds those labels).
 */
void step1_input_error(const struct kreq *r, json_t *data);

#endif
