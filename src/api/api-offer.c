/*
 * api-offer.c: the transparency offer routes of API.md ("Openness, offers,
 * activities"): what a partner offers to make visible, until a date, and
 * ending it early.  An offer another couple owns answers exactly like a
 * random id; only its author can end it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/offer.h"
#include "i18n/i18n.h"

static json_t *offer_json(const void *elem)
{
	const struct offer *of = elem;

	/* coach_flags: the coach's hints on the text, for its author (api-coach.c) */
	return api_coach_own(json_pack("{s:s,s:s,s:b,s:s%,s:s,s:s,s:o,s:s}", "id", of->id,
				       "author_id", of->author_id, "mine", of->mine, "text",
				       of->text, of->text_len, "until", of->until, "created_at",
				       of->created_at, "ended_at", time_or_null(of->ended_at),
				       "status", offer_statuses[of->status]),
			     of->mine, "text");
}

static int offer_reply(struct kreq *r, int status, struct offer *of)
{
	int e = api_reply_one(r, status, "offer", offer_json(of));

	offer_clear(of);
	return e;
}

/* GET /api/v1/offers */
int api_offers_list(struct kreq *r)
{
	struct offer *list = NULL;
	size_t n = 0;
	int e;

	e = offer_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	e = api_reply_list(r, "offers", list, n, sizeof(*list), offer_json);
	offer_list_free(list, n);
	return e;
}

/* POST /api/v1/offers {text, until} */
int api_offers_create(struct kreq *r)
{
	const char *text = kreq_str(r, "text");
	struct offer of;
	int e;

	if (!text)
		return -EINVAL;
	memset(&of, 0, sizeof(of));
	e = offer_add(r->core, r->session, text, strlen(text), kreq_str(r, "until"), &of);
	if (e == OFFER_BAD_UNTIL) /* out of range, with its own sentence */
		return api_error_say(r, 400, INPUT_OUT_OF_RANGE,
				     _("Please choose an end date between today and one year "
				       "from today."));
	if (e != 0)
		return api_item_outcome(r, e, NULL); /* 403: not a partner */
	return offer_reply(r, 201, &of);
}

/* GET /api/v1/offers/{id} */
int api_offers_get(struct kreq *r)
{
	struct offer of;
	int e;

	memset(&of, 0, sizeof(of));
	e = offer_read(r->core, r->session, r->params[0], &of);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return offer_reply(r, 200, &of);
}

/* POST /api/v1/offers/{id}/end */
int api_offers_end(struct kreq *r)
{
	struct offer of;
	int e;

	memset(&of, 0, sizeof(of));
	e = offer_end(r->core, r->session, r->params[0], &of);
	if (e != 0)
		return api_item_outcome_say(
			r, e, NULL,
			e == OFFER_FORBIDDEN ? _("Only the partner who made an offer can end it.")
					     : NULL);
	return offer_reply(r, 200, &of);
}
