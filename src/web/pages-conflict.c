/*
 * pages-conflict.c: the conflict plan and time-outs as pages
 * (/conflict-plan, step 3): the plan as it stands and whether both agreed
 * to it, a form to propose it or a change, accepting the partner's
 * version, and a break taken now, which both partners see at once (here
 * and on home).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conflict.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

int page_timeout_data(struct kreq *r, json_t *data)
{
	struct timeout t;
	char line[256];
	json_t *o;
	long left;
	int has, rc;

	rc = timeout_current(r->core, r->session, &t, &has);
	if (rc != 0 || !has)
		return rc;
	left = timeout_minutes_left(&t);
	web_format_count(line, sizeof(line),
			 t.mine ? ngettext_("You asked for a break. Come back to it together in "
					    "about %d minute.",
					    "You asked for a break. Come back to it together in "
					    "about %d minutes.",
					    (unsigned long)left)
				: ngettext_("Your partner asked for a break. Come back to it "
					    "together in about "
					    "%d minute.",
					    "Your partner asked for a break. Come back to it "
					    "together in about "
					    "%d minutes.",
					    (unsigned long)left),
			 left);
	o = json_object();
	web_set(o, "text", line);
	web_set(o, "ends_at", t.ends_at);
	set_flag(o, "mine", t.mine);
	if (!o || !data || json_object_set_new(data, "timeout", o) < 0)
		return -ENOMEM;
	return 0;
}

/* The form's values: typed after an error, else the plan's, else the defaults. */
static void form_values(const struct kreq *r, json_t *data, const struct conflict_plan *p, int has,
			int typed)
{
	static const char *const names[CONFLICT_NSENT] = {"timeout_word", "break_minutes",
							  "come_back", "soft_startup"};
	json_t *f = json_object();
	size_t i;

	for (i = 0; i < CONFLICT_NSENT; i++) {
		if (typed)
			web_set(f, names[i], kreq_form(r, names[i]));
		else if (has)
			set_text(f, names[i], p->v.values[i], p->v.lens[i]);
	}
	if (!typed && !has)
		set_int(f, "break_minutes", CONFLICT_BREAK_MIN);
	if (data)
		json_object_set_new(data, "f", f);
	else
		json_decref(f);
}

/* The page; status 400 shows what was typed again, with why (field: the one to mark). */
static int plan_page(struct kreq *r, int status, const char *field)
{
	struct conflict_plan p;
	char partner[512];
	json_t *data;
	int rc, has, typed = status == 400;

	rc = conflict_plan_read(r->core, r->session, &p, &has);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	partner_display_name(r, partner, sizeof(partner));
	data = web_page_new(r, _(conflict_plan_kind.title));
	set_partner(data, "partner_name", partner);
	set_flag(data, "has_plan", has);
	if (has) {
		int mine = strcmp(p.accepted_by[0], r->session->member_id) == 0;

		set_text(data, "word", p.v.values[CONFLICT_F_WORD], p.v.lens[CONFLICT_F_WORD]);
		web_set(data, "break_minutes", p.v.values[CONFLICT_F_BREAK]);
		set_text(data, "come_back", p.v.values[CONFLICT_F_COME_BACK],
			 p.v.lens[CONFLICT_F_COME_BACK]);
		set_text(data, "soft_startup", p.v.values[CONFLICT_F_SOFT_STARTUP],
			 p.v.lens[CONFLICT_F_SOFT_STARTUP]);
		set_int(data, "version", p.v.version);
		set_date(r, data, "date", p.v.updated_at);
		set_flag(data, "agreed", p.agreed);
		set_flag(data, "proposed_by_me", mine);
		set_flag(data, "waiting", mine && !p.agreed);
		set_flag(data, "to_accept", !mine && !p.agreed);
	}
	form_values(r, data, &p, has, typed);
	conflict_plan_clear(&p);
	set_int(data, "word_max", CONFLICT_WORD_MAX);
	set_int(data, "text_max", CONFLICT_TEXT_MAX);
	set_int(data, "break_min", CONFLICT_BREAK_MIN);
	set_int(data, "break_max", CONFLICT_BREAK_MAX);
	rc = page_timeout_data(r, data);
	if (rc < 0) {
		web_wipe(data);
		json_decref(data);
		return rc;
	}
	if (!web_form_refused(r, data, typed, field)) {
		if (kreq_query(r, "saved"))
			web_set(data, "notice",
				_("Your version is saved. It holds once your partner "
				  "accepts it too."));
		else if (kreq_query(r, "accepted"))
			web_set(data, "notice", _("You accepted the plan."));
	}
	return web_render(r, status, "conflict_plan", data, 0);
}

/* page_conflict_plan() - GET /conflict-plan */
int page_conflict_plan(struct kreq *r)
{
	return plan_page(r, 200, NULL);
}

/* page_conflict_plan_propose() - POST /conflict-plan: the plan, or a change to it. */
int page_conflict_plan_propose(struct kreq *r)
{
	struct kreq_item_scratch scratch;
	struct item_values v;
	struct conflict_plan p;
	const char *field = NULL;
	int rc;

	if (r->input_error)
		return plan_page(r, 400, NULL);
	kreq_item_values(r, &conflict_plan_kind, &v, &scratch);
	rc = conflict_plan_propose(r->core, r->session, &v, &p, &field);
	if (rc == ITEM_INVALID)
		return plan_page(r, 400, field);
	conflict_plan_clear(&p);
	return page_outcome(r, rc, "/conflict-plan?saved=1#plan-title", NULL);
}

/* page_conflict_plan_accept() - POST /conflict-plan/accept (version) */
int page_conflict_plan_accept(struct kreq *r)
{
	json_t *version = r->json ? json_object_get(r->json, "version") : NULL;
	struct conflict_plan p;
	int rc;

	rc = conflict_plan_accept(r->core, r->session, version ? json_integer_value(version) : 0,
				  &p);
	conflict_plan_clear(&p);
	return page_outcome(r, rc, "/conflict-plan?accepted=1#plan-title",
			    _("You proposed this version, so you have accepted it already. It is "
			      "your partner's to accept."));
}

/* page_timeouts_create() - POST /timeouts (minutes): a break, now; both see it. */
int page_timeouts_create(struct kreq *r)
{
	json_t *minutes = r->json ? json_object_get(r->json, "minutes") : NULL;
	struct timeout t;
	int rc;

	rc = timeout_start(r->core, r->session, minutes ? (int)json_integer_value(minutes) : 0, &t);
	return page_outcome(r, rc, "/conflict-plan#timeout-title", NULL);
}
