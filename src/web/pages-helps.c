/*
 * pages-helps.c: "what helps me when things get hard" as a page
 * (/helps-me, step 3): the member's own text in a form, shared with the
 * partner or kept to themselves, and the partner's when they shared it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/helps.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int helps_page(struct kreq *r, int status, const char *field)
{
	struct helps_me h;
	char partner[512];
	json_t *data;
	int rc, typed = status == 400;

	rc = helps_me_read(r->core, r->session, &h);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(helps_me_kind.title));
	set_partner(data, "partner_name", partner);
	set_int(data, "body_max", HELPS_ME_BODY_MAX);
	set_flag(data, "has_mine", h.has_mine);
	if (typed) {
		web_set(data, "body", kreq_form(r, "body"));
		set_flag(data, "shared_partner", kreq_form(r, "share_partner") != NULL);
	} else if (h.has_mine) {
		set_text(data, "body", h.mine.values[HELPS_ME_F_BODY],
			 h.mine.lens[HELPS_ME_F_BODY]);
		set_flag(data, "shared_partner", (h.mine.shared_with & ACCESS_SHARE_PARTNER) != 0);
		set_date(r, data, "mine_date", h.mine.updated_at);
	} else {
		set_flag(data, "shared_partner",
			 1); /* offered to the partner; unticking keeps it */
	}
	set_flag(data, "has_partner", h.has_partner);
	if (h.has_partner) {
		set_text(data, "partner_body", h.partner.values[HELPS_ME_F_BODY],
			 h.partner.lens[HELPS_ME_F_BODY]);
		set_date(r, data, "partner_date", h.partner.updated_at);
	}
	helps_me_clear(&h);
	if (!web_form_refused(r, data, typed, field) && kreq_query(r, "saved"))
		web_set(data, "notice", _("Saved. You can change it whenever you like."));
	return web_render(r, status, "helps_me", data, 0);
}

/* page_helps_me() - GET /helps-me */
int page_helps_me(struct kreq *r)
{
	return helps_page(r, 200, NULL);
}

/* page_helps_me_save() - POST /helps-me (body, share_partner) */
int page_helps_me_save(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct helps_me h;
	const char *field = NULL;
	unsigned shared;
	int rc;

	if (r->input_error)
		return helps_page(r, 400, NULL);
	shared = kreq_item_values(r, &helps_me_kind, &v, &scratch);
	rc = helps_me_write(r->core, r->session, v.v[HELPS_ME_F_BODY], v.len[HELPS_ME_F_BODY],
			    shared, &h, &field);
	if (rc == ITEM_INVALID)
		return helps_page(r, 400, field);
	helps_me_clear(&h);
	return page_outcome(r, rc, "/helps-me?saved=1#helps-title",
			    _("Only the person who wrote this can change it."));
}
