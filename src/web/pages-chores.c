/*
 * pages-chores.c: the chores rota as a page (/chores, step 3): each chore
 * with who does it this week and next, a form for a new one, and removing
 * one's own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/chores.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* "You", the partner's name (or "your partner": it follows "This week:"), or NULL for nobody. */
static const char *who(const struct kreq *r, const char *id, const char *partner)
{
	if (!id[0])
		return NULL;
	if (strcmp(id, r->session->member_id) == 0)
		return _("You");
	return *partner ? partner : _("your partner");
}

static json_t *chore_card(const struct kreq *r, const struct chore *ch, const char *partner)
{
	json_t *o = json_object();

	web_set(o, "id", ch->v.id);
	set_text(o, "title", ch->v.values[CHORE_F_TITLE], ch->v.lens[CHORE_F_TITLE]);
	web_set(o, "this_week", who(r, ch->assigned_to, partner));
	web_set(o, "next_week", who(r, ch->next_to, partner));
	set_date(r, o, "starts", ch->v.values[CHORE_F_STARTS]);
	set_flag(o, "mine", ch->v.mine);
	return o;
}

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int chores_page(struct kreq *r, int status, const char *field)
{
	struct chore *list = NULL;
	struct member_view mv;
	char partner[512], today[CHECKIN_DATE_LEN + 1];
	json_t *data, *items;
	size_t n = 0, i;
	int rc, typed = status == 400;
	const char *first = typed ? kreq_form(r, "first_partner") : NULL;

	rc = chores_list(r->core, r->session, NULL, &list, &n);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _("Chores, week by week"));
	items = json_array();
	for (i = 0; i < n; i++)
		if (push(items, chore_card(r, &list[i], partner)) < 0)
			break;
	if (data)
		json_object_set_new(data, "chores", items);
	else
		json_decref(items);
	set_flag(data, "empty", n == 0);
	chores_free(list, n);
	/* "who starts": the reader or the partner, by their member ids */
	set_partner(data, "partner_name", partner);
	web_set(data, "me", r->session->member_id);
	memset(&mv, 0, sizeof(mv));
	if (account_describe(r->core, r->session, &mv) == 0)
		for (i = 0; i < mv.npartners; i++)
			if (strcmp(mv.partners[i].id, r->session->member_id) != 0)
				web_set(data, "partner_id", mv.partners[i].id);
	set_flag(data, "partner_starts", first && strcmp(first, r->session->member_id) != 0);
	set_int(data, "title_max", CHORE_TITLE_MAX);
	checkin_today(today, 0);
	web_set(data, "starts_on",
		typed && kreq_form(r, "starts_on") ? kreq_form(r, "starts_on") : today);
	if (typed)
		web_set(data, "title_value", kreq_form(r, "title"));
	web_form_refused(r, data, typed, field);
	return web_render(r, status, "chores", data, 0);
}

/* page_chores() - GET /chores */
int page_chores(struct kreq *r)
{
	return chores_page(r, 200, NULL);
}

/* page_chores_create() - POST /chores (title, first_partner, starts_on) */
int page_chores_create(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct chore ch;
	const char *field = NULL;
	char url[96] = "/chores";
	int rc;

	if (r->input_error)
		return chores_page(r, 400, NULL);
	kreq_item_values(r, &chore_kind, &v, &scratch);
	rc = chore_add(r->core, r->session, &v, &ch, &field);
	if (rc == ITEM_INVALID)
		return chores_page(r, 400, field);
	if (rc == 0)
		snprintf(url, sizeof(url), "/chores#chore-%s", ch.v.id);
	item_view_clear(&ch.v);
	return page_outcome(r, rc, url, NULL);
}

/* page_chores_delete() - POST /chores/{id}/delete */
int page_chores_delete(struct kreq *r)
{
	return page_outcome(r, chore_remove(r->core, r->session, r->params[0]), "/chores",
			    _("Only the partner who added a chore can remove it."));
}
