/*
 * pages-share.c: openness cards as pages (/shares, step 2 of the
 * program): a partner shares an insecurity, a fear, a desire, a need or a
 * hope, and the other says, once, that they heard it, with a reply if they
 * wish.  Who sees a card is core's decision; every card handed to the
 * template sets each key its partial reads (see set_flag() in render.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/share.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* page_share_kind_label() - see pages.h. */
const char *page_share_kind_label(int k)
{
	switch (k) {
	case SHARE_INSECURITY:
		return _("An insecurity");
	case SHARE_FEAR:
		return _("A fear");
	case SHARE_DESIRE:
		return _("A desire");
	case SHARE_NEED:
		return _("A need");
	default:
		return _("A hope");
	}
}

static json_t *share_card(const struct kreq *r, const struct share *sh, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", sh->id);
	web_set(o, "kind_label", page_share_kind_label(sh->kind));
	set_text(o, "body", sh->body, sh->body_len);
	set_date(r, o, "date", sh->created_at);
	set_flag(o, "mine", sh->mine);
	set_partner(o, "from_name", partner);
	set_flag(o, "private", !(sh->shared_with & ACCESS_SHARE_PARTNER));
	set_flag(o, "acked", sh->acked);
	set_flag(o, "can_ack", sh->can_ack);
	set_flag(o, "waiting_ack",
		 sh->mine && !sh->acked && (sh->shared_with & ACCESS_SHARE_PARTNER));
	if (sh->acked)
		set_date(r, o, "ack_date", sh->ack.created_at);
	set_text(o, "reply", sh->acked ? sh->ack.reply : NULL, sh->ack.reply_len);
	/* the coach's hints on a card the partner reads, for its author alone */
	if (sh->mine && (sh->shared_with & ACCESS_SHARE_PARTNER))
		page_coach_hints(o, sh->body, sh->body_len);
	/* and on the words the reader sent back with their "heard", for the reader alone */
	if (!sh->mine && sh->acked && sh->ack.reply_len) {
		json_t *hints = json_object();

		if (hints && page_coach_hints(hints, sh->ack.reply, sh->ack.reply_len) == 0 &&
		    json_object_size(hints) > 0 &&
		    json_object_set_new(o, "reply_hints", hints) == 0)
			hints = NULL;
		json_decref(hints);
	}
	return o;
}

/* The /shares page; error says the new-card form failed (typed values come back). */
static int shares_page(struct kreq *r, int status, int error)
{
	struct share *list = NULL;
	char partner[512];
	json_t *data, *cards, *kinds;
	const char *kind = error ? kreq_form(r, "kind") : NULL;
	size_t n = 0, i;
	int rc;

	rc = share_list(r->core, r->session, &list, &n);
	if (rc != 0)
		return rc < 0 ? rc : page_error(r, 500);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Openness cards"));
	cards = json_array();
	kinds = json_array();
	for (i = 0; i < n; i++)
		if (push(cards, share_card(r, &list[i], partner)) < 0)
			break;
	for (i = 0; share_kinds[i]; i++) {
		json_t *o = json_object();

		web_set(o, "value", share_kinds[i]);
		web_set(o, "label", page_share_kind_label((int)i));
		set_flag(o, "selected", kind && !strcmp(kind, share_kinds[i]));
		if (push(kinds, o) < 0)
			break;
	}
	share_list_free(list, n);
	set_flag(data, "empty", n == 0);
	if (data) {
		json_object_set_new(data, "cards", cards);
		json_object_set_new(data, "kinds", kinds);
	} else {
		json_decref(cards);
		json_decref(kinds);
	}
	set_int(data, "body_max", SHARE_BODY_MAX);
	set_int(data, "reply_max", SHARE_REPLY_MAX);
	set_flag(data, "share_checked", error ? kreq_form(r, "share_partner") != NULL : 1);
	if (error) {
		web_set(data, "body", kreq_form(r, "body"));
		step2_form_error(r, data);
	}
	return web_render(r, status, "shares", data, 0);
}

/* page_shares() - GET /shares */
int page_shares(struct kreq *r)
{
	return shares_page(r, 200, 0);
}

/* page_shares_create() - POST /shares */
int page_shares_create(struct kreq *r)
{
	const char *body = kreq_str(r, "body");
	int kind = share_kind_from(kreq_str(r, "kind"));
	unsigned bits;
	struct share sh;
	int rc;

	if (r->input_error || !body || kind < 0)
		return shares_page(r, 400, 1);
	bits = kreq_shared_bits(json_object_get(r->json, "shared_with"));
	memset(&sh, 0, sizeof(sh));
	rc = share_add(r->core, r->session, (enum share_kind)kind, body, strlen(body), bits, &sh);
	share_clear(&sh);
	return page_outcome(r, rc, "/shares", NULL);
}

/* page_shares_ack() - POST /shares/{id}/ack: "I heard you", with a reply. */
int page_shares_ack(struct kreq *r)
{
	const char *id = r->params[0], *reply;
	struct share_ack ack;
	char url[96];
	int rc;

	if (r->input_error)
		return shares_page(r, 400, 1);
	reply = kreq_str(r, "reply");
	memset(&ack, 0, sizeof(ack));
	rc = share_acknowledge(r->core, r->session, id, reply, reply ? strlen(reply) : 0, &ack);
	share_ack_clear(&ack);
	if (rc == SHARE_CONFLICT)
		rc = SHARE_OK; /* answered already (a second tap): the card shows it */
	snprintf(url, sizeof(url), "/shares#card-%s", id);
	return page_outcome(r, rc, url,
			    _("This is your own card. Your partner is the one who can say "
			      "they heard it."));
}
