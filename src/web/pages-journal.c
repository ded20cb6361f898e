/*
 * pages-journal.c: the private journal (step 1) as pages: the list with
 * excerpts, writing (freely or from a prompt), reading and editing one
 * entry, and deleting it after a confirmation.
 *
 * Entries are only ever the signed-in member's own (core/journal.c
 * enforces it); an id that is not theirs looks exactly like one that does
 * not exist.  What someone wrote is never lost to a failed form: the text
 * they sent comes back in the textarea with the reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/journal.h"
#include "i18n/i18n.h"
#include "vault/vault.h"
#include "web/pages.h"
#include "web/render.h"

#define JOURNAL_PAGE_SIZE     20  /* entries per page: a few screens on a phone */
#define JOURNAL_EXCERPT_CHARS 200 /* enough to recognise an entry, not to read it aloud */

/*
 * entry_data() - one entry as page data: id, dates as a person reads them
 * (with the machine form for <time datetime>), the prompt, and either the
 * whole text or an excerpt.
 */
static json_t *entry_data(const struct kreq *r, const struct journal_entry *e, int excerpt)
{
	json_t *o = json_object();
	char date[128];
	char *x;

	if (!o)
		return NULL;
	web_set(o, "id", e->id);
	web_set(o, "created_at", e->created_at);
	if (i18n_format_date(r->lang, e->created_at, date, sizeof(date)) == 0)
		web_set(o, "date", date);
	else
		web_set(o, "date", e->created_at);
	if (strncmp(e->created_at, e->updated_at, 10) != 0 && *e->updated_at) {
		web_set(o, "updated_at", e->updated_at);
		if (i18n_format_date(r->lang, e->updated_at, date, sizeof(date)) == 0)
			web_set(o, "edited_date", date);
	}
	web_set(o, "prompt", e->prompt);
	if (excerpt) {
		x = web_excerpt(e->body, e->body_len, JOURNAL_EXCERPT_CHARS);
		if (x) {
			web_set(o, "excerpt", x);
			explicit_bzero(x, strlen(x));
			free(x);
		}
	} else {
		web_set(o, "body", e->body);
	}
	return o;
}

/*
 * journal_input_error() - why a journal form came back, said kindly, and
 * that nothing typed was lost (the text is back in the textarea).
 */
static void journal_input_error(const struct kreq *r, json_t *data)
{
	const struct input_error *e = r->input_error;
	char msg[512];

	if (e && !strcmp(e->field, "body") && !strcmp(e->code, INPUT_TOO_LONG)) {
		web_format_count(
			msg, sizeof(msg),
			ngettext_("Your entry is longer than %d character. Nothing is lost: "
				  "please shorten it, or split it into two entries.",
				  "Your entry is longer than %d characters. Nothing is lost: "
				  "please shorten it, or split it into two entries.",
				  LIMIT_JOURNAL_BODY_MAX),
			LIMIT_JOURNAL_BODY_MAX);
		web_form_error(data, "error", msg, "body");
	} else if (!e || (!strcmp(e->field, "body") && (!strcmp(e->code, INPUT_TOO_SHORT) ||
							!strcmp(e->code, INPUT_MISSING_FIELD)))) {
		web_form_error(data, "error", _("Please write something before saving."), "body");
	} else {
		web_input_error(r, data, "error");
	}
}

/*
 * page_journal_list() - GET /journal?before=ID: newest first, a page at a
 * time, with a count line and a link to older entries.  An unknown cursor
 * is 404.
 */
int page_journal_list(struct kreq *r)
{
	struct journal_entry *list = NULL;
	const char *before = kreq_query(r, "before");
	json_t *data = NULL, *entries = NULL, *o;
	char line[256], url[64];
	size_t n = 0, shown, i;
	int rc;

	rc = journal_list(r->core, r->session, before, JOURNAL_PAGE_SIZE + 1, &list, &n);
	if (rc == JOURNAL_BAD_BEFORE)
		return page_error(r, 404);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);

	/* One more than a page was asked for: its presence says "older". */
	shown = n > JOURNAL_PAGE_SIZE ? JOURNAL_PAGE_SIZE : n;
	data = web_page_new(r, _("Your journal"));
	entries = json_array();
	if (!data || !entries) {
		rc = -ENOMEM;
		goto out;
	}
	web_set_bool(data, "nav_journal", 1);
	for (i = 0; i < shown; i++) {
		o = entry_data(r, &list[i], 1);
		if (!o || json_array_append_new(entries, o) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (shown) {
		if (!before && n <= JOURNAL_PAGE_SIZE)
			web_format_count(line, sizeof(line),
					 ngettext_("You have written %d entry so far.",
						   "You have written %d entries so far.",
						   (unsigned long)shown),
					 (long)shown);
		else
			web_format_count(line, sizeof(line),
					 ngettext_("%d entry on this page.",
						   "%d entries on this page.",
						   (unsigned long)shown),
					 (long)shown);
		web_set(data, "count_line", line);
		web_set_bool(data, "has_entries", 1);
		json_object_set(data, "entries", entries);
	} else {
		web_set_bool(data, "empty", !before);
	}
	if (n > JOURNAL_PAGE_SIZE) {
		snprintf(url, sizeof(url), "/journal?before=%s", list[shown - 1].id);
		web_set(data, "older_url", url);
	}
	web_set_bool(data, "paged", before != NULL);
	rc = web_render(r, 200, "journal_list", data, 0);
	data = NULL;
out:
	json_decref(entries);
	json_decref(data);
	journal_list_free(list, n);
	return rc;
}

/*
 * journal_new_page() - the writing page: a prompt when one was chosen (sent
 * back as a hidden field so it is saved with the entry), the textarea, and
 * links to another prompt or to writing freely.
 */
static int journal_new_page(struct kreq *r, int status, const char *prompt, size_t next,
			    const char *body, int error)
{
	json_t *data = web_page_new(r, _("New entry"));
	char url[64];

	web_set_bool(data, "nav_journal", 1);
	web_set(data, "prompt", prompt);
	web_set(data, "body", body);
	if (prompt && journal_prompt_count() > 0) {
		snprintf(url, sizeof(url), "/journal/new?prompt=%zu", next);
		web_set(data, "next_prompt_url", url);
	}
	if (data)
		json_object_set_new(data, "body_max", json_integer(LIMIT_JOURNAL_BODY_MAX));
	if (error)
		journal_input_error(r, data);
	return web_render(r, status, "journal_new", data, 0);
}

/*
 * page_journal_new() - GET /journal/new?prompt=random|N.  "random" picks a
 * prompt; N shows prompt N (an out-of-range N just means no prompt).  The
 * "another prompt" link walks on to the next one, so it never repeats.
 */
int page_journal_new(struct kreq *r)
{
	const char *q = kreq_query(r, "prompt");
	size_t count = journal_prompt_count(), idx = 0, i;
	uint32_t rnd;
	int have = 0;

	if (q && count) {
		if (!strcmp(q, "random")) {
			vault_random(&rnd, sizeof(rnd));
			idx = rnd % count;
			have = 1;
		} else if (*q && strlen(q) <= 6) {
			for (i = 0; q[i] >= '0' && q[i] <= '9'; i++)
				idx = idx * 10 + (size_t)(q[i] - '0');
			have = q[i] == '\0' && idx < count;
		}
	}
	if (!have)
		return journal_new_page(r, 200, NULL, 0, NULL, 0);
	return journal_new_page(r, 200, journal_prompt(idx), (idx + 1) % count, NULL, 0);
}

/*
 * page_journal_create() - POST /journal (body, prompt?): save and 303 to
 * the list.  Bad input comes back with the text as typed.
 */
int page_journal_create(struct kreq *r)
{
	struct journal_entry e;
	const char *body = kreq_str(r, "body");
	const char *prompt = kreq_str(r, "prompt");
	int rc;

	if (r->input_error || !body)
		return journal_new_page(r, 400, web_form_value(r, "prompt"), 0,
					web_form_value(r, "body"), 1);
	memset(&e, 0, sizeof(e));
	rc = journal_add(r->core, r->session, body, strlen(body), prompt && *prompt ? prompt : NULL,
			 &e);
	journal_entry_clear(&e);
	return page_outcome(r, rc, "/journal", NULL);
}

/*
 * journal_show_page() - one entry to read, with its edit form.  typed, when
 * not NULL, is text sent in a failed edit: it fills the textarea instead of
 * the saved text.
 */
static int journal_show_page(struct kreq *r, int status, const struct journal_entry *e,
			     const char *typed, int error)
{
	json_t *data = web_page_new(r, _("Journal entry"));
	json_t *o = entry_data(r, e, 0);

	if (!data || !o) {
		web_wipe(o);
		json_decref(o);
		json_decref(data);
		return -ENOMEM;
	}
	web_set_bool(data, "nav_journal", 1);
	json_object_set_new(data, "entry", o);
	web_set(data, "edit_body", typed ? typed : e->body);
	if (data)
		json_object_set_new(data, "body_max", json_integer(LIMIT_JOURNAL_BODY_MAX));
	web_set_bool(data, "editing", typed != NULL);
	if (error)
		journal_input_error(r, data);
	return web_render(r, status, "journal_show", data, 0);
}

/* page_journal_show() - GET /journal/{id}: the entry and its edit form. */
int page_journal_show(struct kreq *r)
{
	struct journal_entry e;
	const char *id = r->params[0];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = journal_read(r->core, r->session, id, &e);
	if (rc == 0)
		rc = journal_show_page(r, 200, &e, NULL, 0);
	else
		rc = page_outcome(r, rc, NULL, NULL);
	journal_entry_clear(&e);
	return rc;
}

/*
 * page_journal_update() - POST /journal/{id} (body): save the new text and
 * 303 back to the entry.
 */
int page_journal_update(struct kreq *r)
{
	struct journal_entry e;
	const char *id = r->params[0];
	const char *body = kreq_str(r, "body");
	char url[64];
	int rc;

	memset(&e, 0, sizeof(e));
	if (r->input_error || !body) {
		rc = journal_read(r->core, r->session, id, &e);
		if (rc == 0) {
			const char *typed = web_form_value(r, "body");

			rc = journal_show_page(r, 400, &e, typed ? typed : "", 1);
		} else {
			rc = page_outcome(r, rc, NULL, NULL);
		}
		goto out;
	}
	rc = journal_change(r->core, r->session, id, body, strlen(body), &e);
	snprintf(url, sizeof(url), "/journal/%s", id);
	rc = page_outcome(r, rc, url, NULL);
out:
	journal_entry_clear(&e);
	return rc;
}

/*
 * page_journal_delete_confirm() - GET /journal/{id}/delete: "for good?",
 * with the entry's date and beginning so the person knows which one.
 */
int page_journal_delete_confirm(struct kreq *r)
{
	struct journal_entry e;
	const char *id = r->params[0];
	json_t *data, *o;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = journal_read(r->core, r->session, id, &e);
	if (rc != 0) {
		rc = page_outcome(r, rc, NULL, NULL);
	} else {
		data = web_page_new(r, _("Delete this entry?"));
		o = entry_data(r, &e, 1);
		web_set_bool(data, "nav_journal", 1);
		if (data && o)
			json_object_set_new(data, "entry", o);
		else
			json_decref(o);
		rc = web_render(r, 200, "journal_delete", data, 0);
	}
	journal_entry_clear(&e);
	return rc;
}

/* page_journal_delete() - POST /journal/{id}/delete: gone, 303 to the list. */
int page_journal_delete(struct kreq *r)
{
	const char *id = r->params[0];
	int rc;

	rc = journal_remove(r->core, r->session, id);
	return page_outcome(r, rc, "/journal", NULL);
}
