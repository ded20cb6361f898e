/*
 * export-html.c: GET /export/html, the export as a page a person reads and
 * keeps: one standalone HTML file, downloaded rather than shown, that
 * opens anywhere without a network (no script, no style sheet, font or
 * picture from anywhere: its little style is inside it), prints cleanly,
 * and speaks the member's language (headings, labels, dates).
 *
 * It is written here, beside the JSON file, from the same document
 * (api_export_document()), value by value, so that it can never hold more
 * or less than the JSON does: each part under its heading, each item with
 * its fields labelled, member ids as names ("You", the partner's name),
 * the ids that mean nothing to a reader left out.  Every text is escaped;
 * a text's own line breaks are kept by its style (white-space: pre-wrap).
 * The page template machinery of src/web/ is for the site's own pages,
 * which link the site's style sheet and script; this file must not.
 *
 * Like every answer, the buffer is wiped when it grows and when it is
 * freed: it holds the member's private text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/json-out.h"
#include "i18n/i18n.h"
#include "vault/vault.h"

#define HTML_FIRST_CAP 16384

struct html {
	char *buf;
	size_t len, cap;
	int err; /* -ENOMEM once growing failed: every later write does nothing */
};

/* Room for more bytes; 0 or -1 (h->err set).  Grown as the JSON writer grows: old blocks wiped. */
static int reserve(struct html *h, size_t more)
{
	if (!h->err)
		h->err = json_out_reserve(&h->buf, &h->cap, h->len, more, HTML_FIRST_CAP);
	return h->err ? -1 : 0;
}

static void put(struct html *h, const char *s, size_t n)
{
	if (reserve(h, n) == 0) {
		memcpy(h->buf + h->len, s, n);
		h->len += n;
	}
}

/* Markup: a literal of ours, never a member's text. */
static void tag(struct html *h, const char *s)
{
	put(h, s, strlen(s));
}

/* n bytes of text, escaped for an element's content or an attribute's value. */
static void text_n(struct html *h, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '&':
			esc = "&amp;";
			break;
		case '<':
			esc = "&lt;";
			break;
		case '>':
			esc = "&gt;";
			break;
		case '"':
			esc = "&quot;";
			break;
		case '\'':
			esc = "&#39;";
			break;
		default:
			continue;
		}
		put(h, s + from, i - from);
		tag(h, esc);
		from = i + 1;
	}
	put(h, s + from, n - from);
}

static void text(struct html *h, const char *s)
{
	text_n(h, s, strlen(s));
}

/* A sentence of ours with its %s / %d filled (fmt is a translation: checked by format_arg). */
__attribute__((format(printf, 2, 3))) static void textf(struct html *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text(h, buf);
	vault_wipe(buf, sizeof(buf));
}

/* s, or "" for NULL. */
static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* What writing the document needs: the output, and who the members are. */
struct page {
	struct html out;
	const char *me;		/* the caller's member id */
	const json_t *partners; /* couple.partners: [{id, display_name}], or NULL */
};

/* The name of the member whose id is s, or NULL when s names no member. */
static const char *member_name(const struct page *p, const char *s)
{
	size_t i;

	if (p->me && strcmp(s, p->me) == 0)
		return _("You");
	for (i = 0; i < json_array_size(p->partners); i++) {
		const json_t *m = json_array_get(p->partners, i);

		if (strcmp(or_empty(json_string_value(json_object_get(m, "id"))), s) == 0)
			return json_string_value(json_object_get(m, "display_name"));
	}
	return NULL;
}

/* Whether key holds a day or a time (the names the API gives them). */
static int is_when(const char *key)
{
	size_t n = strlen(key);

	if (n > 3 && (strcmp(key + n - 3, "_at") == 0 || strcmp(key + n - 3, "_on") == 0))
		return 1;
	return strcmp(key, "period") == 0 || strcmp(key, "planned_for") == 0 ||
	       strcmp(key, "until") == 0 || strcmp(key, "week") == 0 || strcmp(key, "at") == 0;
}

/*
 * s ("YYYY-MM-DD" or RFC 3339 "YYYY-MM-DDTHH:MM:SSZ") as the member reads
 * it, into out: the day, and for a time its hour in UTC.  0, or -1 when s
 * is neither.
 */
static int when_text(const char *s, char *out, size_t cap)
{
	char day[32];
	size_t n = strlen(s);

	if ((n != 10 && !(n == 20 && s[10] == 'T' && s[19] == 'Z')) ||
	    i18n_format_date(i18n_thread_lang(), s, day, sizeof(day)) < 0)
		return -1;
	/* the partner's actions come to the day (session_seen_time()): no "00:00" */
	if (n == 10 || strcmp(s + 10, "T00:00:00Z") == 0)
		snprintf(out, cap, "%s", day);
	else
		snprintf(out, cap, "%s, %.5s UTC", day, s + 11);
	return 0;
}

/* The label of a member of an answer, in the member's language (key itself for none). */
static const char *label(const char *key)
{
	static const struct {
		const char *key;
		const char *label;
	} labels[] = {
		{"created_at", N_("Written")},
		{"updated_at", N_("Last changed")},
		{"author_id", N_("By")},
		{"status", N_("Where it stands")},
		{"accepted_by", N_("Accepted by")},
		{"repaired_by", N_("Said it is repaired")},
		{"proposed_by", N_("Proposed by")},
		{"delivered_at", N_("Delivered")},
		{"responses", N_("Responses")},
		{"reviews", N_("Reviews")},
		{"repairs", N_("Repairs")},
		{"versions", N_("Versions")},
		{"ack", N_("Heard")},
		{"ratings", N_("How it was")},
		{"felt", N_("How it felt")},
		{"reply", N_("Reply")},
		{"consequence", N_("If it is not kept")},
		{"started_at", N_("Began")},
		{"ends_at", N_("Ends")},
		{"minutes", N_("Minutes")},
		{"waiting", N_("Repairs waiting for yours")},
		{"review_due", N_("Due for review")},
		{"ended", N_("Ended")},
		{"how", N_("How")},
		{"by", N_("By")},
		{"at", N_("When")},
		{"flags", N_("What the check noticed")},
		{"pattern", N_("Pattern")},
		{"field", N_("Part")},
		{"match", N_("Words")},
		{"suggestion", N_("Suggestion")},
		{"mine", N_("Yours")},
		{"partner", N_("Your partner's")},
		{"assigned_to", N_("This week")},
		{"read", N_("Read")},
		{"agreed", N_("Agreed by both")},
		{"emotional", N_("Emotionally")},
		{"physical", N_("Physically")},
		{"mental", N_("Mentally")},
		{"sexual", N_("Sexually")},
		{"financial", N_("Financially")},
		{"done", N_("It happened")},
		{"rating", N_("How it was")},
		{"note", N_("Note")},
		{"partner_felt", N_("How your partner felt")},
		{"done_by", N_("Marked done by")},
		{"done_at", N_("Done")},
		{"due", N_("Due for review")},
		{"next_review_on", N_("Next review")},
		{"next_to", N_("Next week")},
		{"member_id", N_("By")},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, key) == 0)
			return _(labels[i].label);
	return kreq_field_label(key);
}

/* Whether a member of an answer says nothing to a reader: an id, an empty value. */
static int unshown(const struct page *p, const char *key, const json_t *v)
{
	size_t n = strlen(key);

	if (strcmp(key, "shared_with") == 0)
		return 0; /* [] says something: only the author sees it */
	if (json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
		return 1;
	if (strcmp(key, "id") == 0 || strcmp(key, "can_ack") == 0)
		return 1;
	if (strcmp(key, "mine") == 0 && json_is_boolean(v)) /* "mine": an item's, not helps-me's */
		return 1;
	/* the id of another item means nothing on paper; a member's id is a name */
	return n > 3 && strcmp(key + n - 3, "_id") == 0 && json_is_string(v) &&
	       !member_name(p, json_string_value(v));
}

static void fields(struct page *p, const json_t *o, const char *skip);

/* Who sees an item: shared_with's ["partner", "care"] in words. */
static void shared_with(struct html *h, const json_t *v)
{
	size_t i;

	if (json_array_size(v) == 0)
		text(h, _("Only you"));
	for (i = 0; i < json_array_size(v); i++) {
		const char *s = or_empty(json_string_value(json_array_get(v, i)));

		if (i > 0)
			tag(h, ", ");
		text(h, strcmp(s, "care") == 0 ? _("The care team") : _("Your partner"));
	}
}

/* One value: a text, a day, a name, yes or no, a number, a list, or fields. */
static void value(struct page *p, const char *key, const json_t *v)
{
	struct html *h = &p->out;
	char buf[64];
	size_t i;

	if (strcmp(key, "shared_with") == 0 && json_is_array(v)) {
		shared_with(h, v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v), *name = member_name(p, s);

		if (is_when(key) && when_text(s, buf, sizeof(buf)) == 0) {
			text(h, buf);
		} else if (name) {
			text(h, name);
		} else {
			tag(h, "<span class=\"t\">");
			text_n(h, s, json_string_length(v));
			tag(h, "</span>");
		}
	} else if (json_is_boolean(v)) {
		text(h, json_is_true(v) ? _("Yes") : _("No"));
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		text(h, buf);
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
		text(h, buf);
	} else if (json_is_object(v)) {
		fields(p, v, NULL);
	} else if (json_is_array(v)) {
		int scalars = 1;

		for (i = 0; i < json_array_size(v); i++)
			scalars &= !json_is_object(json_array_get(v, i)) &&
				   !json_is_array(json_array_get(v, i));
		if (scalars) {
			for (i = 0; i < json_array_size(v); i++) {
				if (i > 0)
					tag(h, ", ");
				value(p, key, json_array_get(v, i));
			}
			return;
		}
		tag(h, "<ol>");
		for (i = 0; i < json_array_size(v); i++) {
			tag(h, "<li>");
			value(p, key, json_array_get(v, i));
			tag(h, "</li>");
		}
		tag(h, "</ol>");
	}
}

/* An object's members as a description list (but skip, the one its heading shows). */
static void fields(struct page *p, const json_t *o, const char *skip)
{
	const char *key;
	json_t *v;

	tag(&p->out, "<dl>");
	json_object_foreach((json_t *)o, key, v)
	{
		if (unshown(p, key, v) || (skip && strcmp(key, skip) == 0))
			continue;
		/* "last changed" says something only when it was changed */
		if (strcmp(key, "updated_at") == 0 &&
		    json_equal(v, json_object_get(o, "created_at")))
			continue;
		tag(&p->out, "<dt>");
		text(&p->out, label(key));
		tag(&p->out, "</dt><dd>");
		value(p, key, v);
		tag(&p->out, "</dd>");
	}
	tag(&p->out, "</dl>");
}

/*
 * An item's heading: the day it names (the period, begun, planned,
 * written), else its number.  Returns the key it shows (its fields leave
 * it out), or NULL.
 */
static const char *item_heading(struct page *p, const json_t *o, size_t nth)
{
	static const char *const keys[] = {"period", "started_at", "planned_for", "created_at"};
	char buf[64];
	size_t i;

	tag(&p->out, "<h3>");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = json_string_value(json_object_get(o, keys[i]));

		if (s && when_text(s, buf, sizeof(buf)) == 0) {
			text(&p->out, buf);
			tag(&p->out, "</h3>");
			return keys[i];
		}
	}
	snprintf(buf, sizeof(buf), "%zu.", nth);
	text(&p->out, buf);
	tag(&p->out, "</h3>");
	return NULL;
}

/* How many items a part holds: a list's length, or an object's members worth showing. */
static size_t count(const struct page *p, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t n = 0;

	if (json_is_array(v))
		return json_array_size(v);
	json_object_foreach((json_t *)v, key, m) n += !unshown(p, key, m);
	return n;
}

/* One part under its heading: every item, or a sentence saying there is none. */
static void part(struct page *p, const char *name, const json_t *v)
{
	const char *title = api_export_title(name);
	size_t i, n = count(p, v);

	tag(&p->out, "<section id=\"part-");
	text(&p->out, name);
	tag(&p->out, "\"><h2>");
	text(&p->out, title ? title : name);
	tag(&p->out, "</h2>");
	if (n == 0) {
		tag(&p->out, "<p>");
		text(&p->out, _("Nothing here."));
		tag(&p->out, "</p>");
	} else if (json_is_object(v)) { /* one thing with parts: what helps me, the plan */
		tag(&p->out, "<article>");
		fields(p, v, NULL);
		tag(&p->out, "</article>");
	} else {
		tag(&p->out, "<p>");
		textf(&p->out, ngettext_("%d item", "%d items", n), (int)n);
		tag(&p->out, "</p>");
	}
	for (i = 0; json_is_array(v) && i < n; i++) {
		const json_t *o = json_array_get(v, i);

		tag(&p->out, "<article>");
		if (json_is_object(o))
			fields(p, o, item_heading(p, o, i + 1));
		else
			value(p, name, o);
		tag(&p->out, "</article>");
	}
	tag(&p->out, "</section>\n");
}

static const char *language_name(const char *code)
{
	if (code && strcmp(code, "es") == 0)
		return "Español";
	if (code && strcmp(code, "ru") == 0)
		return "Русский";
	return "English";
}

/* One labelled row of the account's or the couple's list. */
static void row(struct html *h, const char *dt, const char *dd)
{
	tag(h, "<dt>");
	text(h, dt);
	tag(h, "</dt><dd>");
	text(h, dd ? dd : "");
	tag(h, "</dd>");
}

/* The caller's account, and the couple when there is one. */
static void account(struct page *p, const json_t *doc)
{
	const json_t *m = json_object_get(doc, "member"), *c = json_object_get(doc, "couple");
	const char *role = json_string_value(json_object_get(m, "role")), *rhythm;
	struct html *h = &p->out;
	char buf[64];
	size_t i;

	tag(h, "<section id=\"account\"><h2>");
	text(h, _("Your account"));
	tag(h, "</h2><dl>");
	row(h, _("Name"), json_string_value(json_object_get(m, "display_name")));
	row(h, _("Role"),
	    role && strcmp(role, "therapist") == 0 ? _("Care team") : _("Partner in the couple"));
	row(h, _("Language"), language_name(json_string_value(json_object_get(m, "language"))));
	if (when_text(or_empty(json_string_value(json_object_get(m, "created_at"))), buf,
		      sizeof(buf)) == 0)
		row(h, _("Joined kintsugi"), buf);
	tag(h, "</dl></section>\n");
	if (!c)
		return;
	tag(h, "<section id=\"couple\"><h2>");
	text(h, _("Your couple"));
	tag(h, "</h2><dl><dt>");
	text(h, _("Partners"));
	tag(h, "</dt><dd>");
	for (i = 0; i < json_array_size(p->partners); i++) {
		if (i > 0)
			tag(h, ", ");
		text(h, or_empty(json_string_value(
				json_object_get(json_array_get(p->partners, i), "display_name"))));
	}
	tag(h, "</dd>");
	if (when_text(or_empty(json_string_value(json_object_get(c, "created_at"))), buf,
		      sizeof(buf)) == 0)
		row(h, _("Together in kintsugi since"), buf);
	rhythm = json_string_value(json_object_get(c, "rhythm"));
	if (rhythm)
		row(h, _("How often you check in"),
		    strcmp(rhythm, "weekly") == 0 ? _("Once a week") : _("Every day"));
	tag(h, "</dl></section>\n");
}

/* The style of the file: inside it, so that it needs nothing from anywhere. */
static const char style[] =
	"<style>\n"
	"body{font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1f1d1a;"
	"background:#fffdf8;max-width:46rem;margin:0 auto;padding:1rem}\n"
	"h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;"
	"padding-bottom:.2rem;border-bottom:2px solid #b08d2e}h3{font-size:1rem;margin:0 0 .3rem}\n"
	"article{border-left:3px solid #d9c58f;padding:.1rem 0 .1rem .8rem;margin:1rem 0;"
	"break-inside:avoid}\n"
	"dl{margin:0}dt{font-weight:600;margin-top:.4rem}dd{margin:0 0 0 1rem}"
	"ol{margin:.2rem 0;padding-left:1.2rem}\n"
	".t{white-space:pre-wrap;overflow-wrap:anywhere}.note{color:#4a4640}\n"
	"@media print{body{background:#fff;max-width:none}}\n"
	"</style>\n";

/* The whole file for doc into p->out. */
static void document(struct page *p, const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items");
	const char *at = or_empty(json_string_value(json_object_get(doc, "exported_at"))), *name;
	struct html *h = &p->out;
	char day[64];
	json_t *v;

	if (when_text(at, day, sizeof(day)) < 0)
		snprintf(day, sizeof(day), "%s", at);
	tag(h, "<!doctype html>\n<html lang=\"");
	text(h, i18n_thread_lang());
	tag(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	textf(h, _("Your kintsugi export, %s"), day);
	tag(h, "</title>\n");
	tag(h, style);
	tag(h, "</head>\n<body>\n<header>\n<h1>");
	text(h, _("Everything you can read in kintsugi"));
	tag(h, "</h1>\n<p class=\"note\">");
	textf(h, _("Downloaded on %s."), day);
	tag(h, " ");
	if (json_object_get(doc, "couple"))
		text(h,
		     _("This file holds your account, your journal, and everything you and your "
		       "partner wrote that you can read: your own writing, private or shared, and "
		       "what your partner shared with you. Nothing your partner keeps private is "
		       "in it."));
	else
		text(h, _("This file holds your own account. Nothing the couple wrote is in it."));
	tag(h, "</p>\n<p class=\"note\">");
	text(h, _("Anyone who opens this file can read it. Keep it where only you can."));
	tag(h, "</p>\n</header>\n<main>\n");
	account(p, doc);
	json_object_foreach((json_t *)items, name, v) part(p, name, v);
	tag(h, "</main>\n</body>\n</html>\n");
}

/* GET /export/html */
int api_export_html(struct kreq *r)
{
	struct page p;
	json_t *doc;
	int e;

	e = api_export_document(r, &doc);
	if (e != 0)
		return e;
	memset(&p, 0, sizeof(p));
	p.me = json_string_value(json_object_get(json_object_get(doc, "member"), "id"));
	p.partners = json_object_get(json_object_get(doc, "couple"), "partners");
	document(&p, doc);
	e = p.out.err;
	if (e == 0) {
		api_export_filename(r, doc, "html");
		r->status = 200;
		r->content_type = "text/html; charset=utf-8";
		r->private_page = 1;
		r->resp_body = p.out.buf;
		r->resp_len = p.out.len;
	} else if (p.out.buf) {
		vault_wipe(p.out.buf, p.out.cap);
		free(p.out.buf);
	}
	json_decref(doc);
	return e;
}
