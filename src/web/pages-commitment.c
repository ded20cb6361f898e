/*
 * pages-commitment.c: commitments as pages (step 1 of the program): the
 * list with a review form for each one (kept, slipped, renewed) and the
 * form for a new one.  A commitment is its author's alone; one the member
 * may not see is the 404 page, exactly as a random id.  A failed form comes
 * back with what was typed and the reason, in the words of the form
 * (step1_input_error(), pages-statement.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commitment.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

static const char *status_label(enum commitment_status st)
{
	switch (st) {
	case COMMITMENT_KEPT:
		return _("Kept");
	case COMMITMENT_SLIPPED:
		return _("Slipped");
	default:
		return _("Renewed");
	}
}

static json_t *commitment_item(const struct kreq *r, const struct commitment *cm)
{
	json_t *o = json_object(), *reviews = json_array(), *rv;
	char line[256];
	size_t i;

	if (!o || !reviews) {
		json_decref(reviews);
		json_decref(o);
		return NULL;
	}
	web_set(o, "id", cm->id);
	web_set(o, "text", cm->text);
	if (cm->review_every_days == 1)
		snprintf(line, sizeof(line), "%s", _("Reviewed every day."));
	else
		web_format_count(line, sizeof(line),
				 ngettext_("Reviewed every %d day.", "Reviewed every %d days.",
					   (unsigned long)cm->review_every_days),
				 cm->review_every_days);
	web_set(o, "every_line", line);
	web_set(o, "next_review_on", cm->next_review_on);
	set_date(r, o, "next_date", cm->next_review_on);
	web_set_bool(o, "due", cm->due);
	/* newest first on the page: the latest review is what matters now */
	for (i = cm->nreviews; i > 0; i--) {
		const struct commitment_review *v = &cm->reviews[i - 1];

		rv = json_object();
		if (!rv || json_array_append_new(reviews, rv) < 0) {
			json_decref(rv);
			web_wipe(reviews);
			json_decref(reviews);
			web_wipe(o);
			json_decref(o);
			return NULL;
		}
		web_set(rv, "at", v->at);
		set_date(r, rv, "date", v->at);
		web_set(rv, "status_label", status_label(v->status));
		web_set(rv, "status", commitment_status_name(v->status));
		web_set(rv, "note", v->note);
	}
	web_set_bool(o, "has_reviews", cm->nreviews > 0);
	json_object_set_new(o, "reviews", reviews);
	return o;
}

/*
 * commitments_page() - the list with a review form for each commitment and
 * the form for a new one.  typed_new: a failed new-commitment form whose
 * text comes back.  error: a sentence for the top of the page.
 */
static int commitments_page(struct kreq *r, int status, int typed_new, int typed_review)
{
	struct commitment *list = NULL;
	json_t *data = NULL, *items = NULL, *o;
	const char *every;
	size_t n = 0, i;
	int rc;

	rc = commitment_list(r->core, r->session, &list, &n);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);
	data = web_page_new(r, _("Your commitments"));
	items = json_array();
	if (!data || !items) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		o = commitment_item(r, &list[i]);
		if (!o || json_array_append_new(items, o) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	web_set_bool(data, "has_commitments", n > 0);
	json_object_set(data, "commitments", items);
	set_int(data, "text_max", COMMITMENT_TEXT_MAX_CHARS);
	set_int(data, "note_max", COMMITMENT_NOTE_MAX_CHARS);
	every = typed_new ? web_form_value(r, "review_every_days") : NULL;
	web_set_bool(data, "every_1", every && !strcmp(every, "1"));
	web_set_bool(data, "every_3", every && !strcmp(every, "3"));
	web_set_bool(data, "every_7", !every || !strcmp(every, "7"));
	web_set_bool(data, "every_14", every && !strcmp(every, "14"));
	web_set_bool(data, "every_30", every && !strcmp(every, "30"));
	if (typed_new) {
		web_set(data, "text_value", web_form_value(r, "text"));
		step1_input_error(r, data);
	} else if (typed_review) {
		step1_input_error(r, data);
	} else if (kreq_query(r, "made")) {
		web_set(data, "notice", _("Your commitment is saved. Only you can see it."));
	} else if (kreq_query(r, "reviewed")) {
		web_set(data, "notice",
			_("Your review is saved. Every honest review counts, "
			  "whichever way it went."));
	}
	rc = web_render(r, status, "commitment_list", data, 0);
	data = NULL;
out:
	web_wipe(items);
	json_decref(items);
	web_wipe(data);
	json_decref(data);
	commitment_list_free(list, n);
	return rc;
}

/* page_commitments() - GET /commitments. */
int page_commitments(struct kreq *r)
{
	return commitments_page(r, 200, 0, 0);
}

/* page_commitment_create() - POST /commitments (text, review_every_days). */
int page_commitment_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	json_t *every = r->json ? json_object_get(r->json, "review_every_days") : NULL;
	struct commitment cm;
	int rc;

	if (r->input_error || !text || !json_is_integer(every))
		return commitments_page(r, 400, 1, 0);
	rc = commitment_add(r->core, r->session, text, strlen(text), (int)json_integer_value(every),
			    &cm);
	if (rc == 0)
		commitment_clear(&cm);
	return page_outcome(r, rc, "/commitments?made=1", NULL);
}

/* page_commitment_review() - POST /commitments/{id}/review (status, note?). */
int page_commitment_review(struct kreq *r)
{
	enum commitment_status status;
	const char *id = r->params[0];
	struct commitment cm;
	char url[96];
	int rc;

	if (r->input_error || commitment_status_parse(kreq_str(r, "status"), &status) < 0)
		return commitments_page(r, 400, 0, 1);
	rc = commitment_review(r->core, r->session, id, status, kreq_str(r, "note"), &cm);
	if (rc == 0)
		commitment_clear(&cm);
	snprintf(url, sizeof(url), "/commitments?reviewed=1#c-%s", id);
	return page_outcome(r, rc, url, NULL);
}
