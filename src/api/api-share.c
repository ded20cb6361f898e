/*
 * api-share.c: the openness card routes of API.md ("Openness, offers,
 * activities"): a partner shares an insecurity, a fear, a desire, a need
 * or a hope, and the other says, once, that they heard it.  A card another
 * couple owns, or one not shared with the caller, answers exactly like a
 * random id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-json.h"
#include "api/api.h"
#include "core/share.h"
#include "i18n/i18n.h"

static json_t *ack_json(const struct share_ack *a, const char *share_id)
{
	json_t *o = json_pack("{s:s,s:s,s:o,s:s}", "id", a->id, "author_id", a->author_id, "reply",
			      text_or_null(a->reply, a->reply_len, 0), "created_at", a->created_at);

	if (o && share_id && json_object_set_new(o, "share_id", json_string(share_id)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *share_json(const void *elem)
{
	const struct share *sh = elem;

	/* coach_flags: the coach's hints on a card the partner reads, for its author */
	return api_coach_own(json_pack("{s:s,s:s,s:b,s:s,s:s%,s:o,s:s,s:o,s:b}", "id", sh->id,
				       "author_id", sh->author_id, "mine", sh->mine, "kind",
				       share_kinds[sh->kind], "body", sh->body, sh->body_len,
				       "shared_with", shared_json(sh->shared_with), "created_at",
				       sh->created_at, "ack",
				       sh->acked ? ack_json(&sh->ack, NULL) : json_null(),
				       "can_ack", sh->can_ack),
			     sh->mine && (sh->shared_with & ACCESS_SHARE_PARTNER), "body");
}

static int share_reply(struct kreq *r, int status, struct share *sh)
{
	int e = api_reply_one(r, status, "share", share_json(sh));

	share_clear(sh);
	return e;
}

/* GET /api/v1/shares */
int api_shares_list(struct kreq *r)
{
	struct share *list = NULL;
	size_t n = 0;
	int e;

	e = share_list(r->core, r->session, &list, &n);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	e = api_reply_list(r, "shares", list, n, sizeof(*list), share_json);
	share_list_free(list, n);
	return e;
}

/* POST /api/v1/shares */
int api_shares_create(struct kreq *r)
{
	const char *body = kreq_str(r, "body");
	int kind = share_kind_from(kreq_str(r, "kind"));
	struct share sh;
	int e;

	if (kind < 0 || !body)
		return -EINVAL;
	memset(&sh, 0, sizeof(sh));
	e = share_add(r->core, r->session, (enum share_kind)kind, body, strlen(body),
		      kreq_shared_bits(json_object_get(r->json, "shared_with")), &sh);
	if (e != 0)
		return api_item_outcome(r, e, NULL); /* 403: not a partner */
	return share_reply(r, 201, &sh);
}

/* GET /api/v1/shares/{id} */
int api_shares_get(struct kreq *r)
{
	struct share sh;
	int e;

	memset(&sh, 0, sizeof(sh));
	e = share_read(r->core, r->session, r->params[0], &sh);
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	return share_reply(r, 200, &sh);
}

/* POST /api/v1/shares/{id}/ack {reply?} */
int api_shares_ack(struct kreq *r)
{
	const char *reply = kreq_str(r, "reply");
	struct share_ack ack;
	int e;

	memset(&ack, 0, sizeof(ack));
	e = share_acknowledge(r->core, r->session, r->params[0], reply, reply ? strlen(reply) : 0,
			      &ack);
	if (e == SHARE_FORBIDDEN)
		return api_item_outcome_say(r, e, NULL,
					    _("This is your own card. Your partner is the one who "
					      "can say they heard it."));
	if (e == SHARE_CONFLICT)
		return api_item_outcome_say(r, e, NULL, _("You have already answered this card."));
	if (e != 0)
		return api_item_outcome(r, e, NULL);
	/* the reply was just written by the caller: the coach's hints on it */
	e = api_reply_one(r, 201, "ack", api_coach_own(ack_json(&ack, r->params[0]), 1, "reply"));
	share_ack_clear(&ack);
	return e;
}
