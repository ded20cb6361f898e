/*
 * pages-offer.c: transparency offers as pages (/offers, step 2 of the
 * program): what a partner offers to make visible, until a date, and
 * ending it early.  Offers are made freely; kintsugi never monitors anyone.
 * Every offer handed to the template sets each key its partial reads (see
 * set_flag() in render.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkin.h"
#include "core/offer.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define OFFER_DEFAULT_DAYS 30 /* the date an offer form suggests */

static json_t *offer_card(const struct kreq *r, const struct offer *of, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", of->id);
	set_text(o, "text", of->text, of->text_len);
	set_flag(o, "mine", of->mine);
	set_partner(o, "from_name", partner);
	set_date(r, o, "date", of->created_at);
	set_date(r, o, "until_date", of->until);
	set_flag(o, "active", of->status == OFFER_ACTIVE);
	set_flag(o, "ended", of->status == OFFER_ENDED);
	set_flag(o, "expired", of->status == OFFER_EXPIRED);
	if (of->status == OFFER_ENDED)
		set_date(r, o, "ended_date", of->ended_at);
	set_flag(o, "can_end", of->mine && of->status == OFFER_ACTIVE);
	/* the coach's hints on the offer's words, for its author alone */
	if (of->mine)
		page_coach_hints(o, of->text, of->text_len);
	return o;
}

static int offers_page(struct kreq *r, int status, int error)
{
	struct offer *list = NULL;
	char partner[512], today[CHECKIN_DATE_LEN + 1], last[CHECKIN_DATE_LEN + 1];
	char until[CHECKIN_DATE_LEN + 1];
	json_t *data, *offers;
	size_t n = 0, i;
	int rc;

	rc = offer_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	partner_display_name(r, partner, sizeof(partner));
	checkin_today(today, 0);
	checkin_today(last, OFFER_UNTIL_MAX_DAYS);
	checkin_today(until, OFFER_DEFAULT_DAYS);
	data = web_page_new(r, _("Transparency offers"));
	offers = json_array();
	for (i = 0; i < n; i++)
		if (push(offers, offer_card(r, &list[i], partner)) < 0)
			break;
	offer_list_free(list, n);
	set_flag(data, "empty", n == 0);
	if (data)
		json_object_set_new(data, "offers", offers);
	else
		json_decref(offers);
	web_set(data, "today", today);
	web_set(data, "last_day", last);
	set_int(data, "text_max", OFFER_TEXT_MAX);
	if (error) {
		web_set(data, "text", kreq_form(r, "text"));
		web_set(data, "until", kreq_form(r, "until"));
		step2_form_error(r, data);
	} else {
		web_set(data, "until", until);
	}
	return web_render(r, status, "offers", data, 0);
}

/* page_offers() - GET /offers */
int page_offers(struct kreq *r)
{
	return offers_page(r, 200, 0);
}

/* page_offers_create() - POST /offers */
int page_offers_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	struct offer of;
	int rc;

	if (r->input_error || !text)
		return offers_page(r, 400, 1);
	memset(&of, 0, sizeof(of));
	rc = offer_add(r->core, r->session, text, strlen(text), kreq_str(r, "until"), &of);
	offer_clear(&of);
	if (rc == OFFER_BAD_UNTIL) {
		static const struct input_error until_err = {INPUT_OUT_OF_RANGE, "until"};

		r->input_error = &until_err;
		return offers_page(r, 400, 1);
	}
	return page_outcome(r, rc, "/offers", NULL);
}

/* page_offers_end() - POST /offers/{id}/end */
int page_offers_end(struct kreq *r)
{
	const char *id = r->params[0];
	struct offer of;
	int rc;

	memset(&of, 0, sizeof(of));
	rc = offer_end(r->core, r->session, id, &of);
	offer_clear(&of);
	return page_outcome(r, rc, "/offers", _("Only the partner who made an offer can end it."));
}
