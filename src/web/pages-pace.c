/*
 * pages-pace.c: the pace ladder as a page (/pace, step 5): the member's
 * own answers, one radio group per rung in one form; what both want (the
 * rungs both said yes to, and apart from them "both maybe"), or one plain
 * sentence that is the same whether or not the partner has answered; the
 * pause and its resume; and what sensate focus is, with its sources.
 * Everything shown comes from struct pace (core/pace.h), which holds
 * nothing of the partner's own answers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/pace.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

/* The rungs of p whose `both` is want, as [{title}], into data[key]; how many. */
static size_t set_both(json_t *data, const char *key, const struct pace *p, enum pace_choice want)
{
	json_t *arr = json_array();
	size_t i, n = 0;

	for (i = 0; arr && i < _PACE_RUNG_MAX; i++) {
		json_t *o;

		if (p->both[i] != want)
			continue;
		o = json_object();
		web_set(o, "title", _(pace_rung_title(i)));
		if (push(arr, o) == 0)
			n++;
	}
	if (arr)
		json_object_set_new(data, key, arr);
	return n;
}

/* The form's rungs: [{key, title, yes, maybe, not_yet}], checked as chosen (typed: as sent). */
static void set_rungs(const struct kreq *r, json_t *data, const struct pace *p, int typed)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < _PACE_RUNG_MAX; i++) {
		json_t *o = json_object();
		const char *sent = typed ? kreq_form(r, pace_rung_keys[i]) : NULL;
		enum pace_choice c = sent ? pace_choice_find(sent, strlen(sent)) : p->mine[i];

		web_set(o, "key", pace_rung_keys[i]);
		web_set(o, "title", _(pace_rung_title(i)));
		set_flag(o, "yes", c == PACE_YES);
		set_flag(o, "maybe", c == PACE_MAYBE);
		set_flag(o, "not_yet", c == PACE_NOT_YET);
		push(arr, o);
	}
	if (arr)
		json_object_set_new(data, "rungs", arr);
}

/* The page; status 400 shows what was chosen again, with why (field: the one to name). */
static int pace_page(struct kreq *r, int status, const char *field)
{
	struct pace p;
	size_t yes, maybe, left = 0, i;
	json_t *data;
	char count[160];
	int rc, typed = status == 400;

	rc = pace_read(r->core, r->session, &p);
	if (rc != 0)
		return page_outcome(r, rc, NULL, NULL);
	data = web_page_new(r, _("Your pace, together"));
	set_rungs(r, data, &p, typed);
	yes = set_both(data, "both_yes", &p, PACE_YES);
	maybe = set_both(data, "both_maybe", &p, PACE_MAYBE);
	set_flag(data, "has_both_yes", yes > 0);
	set_flag(data, "has_both_maybe", maybe > 0);
	set_flag(data, "nothing_yet", !p.paused && yes == 0 && maybe == 0);
	set_flag(data, "paused", p.paused);
	set_flag(data, "paused_by_me", p.paused_by_me);
	if (p.paused)
		set_date(r, data, "paused_since", p.paused_since);
	for (i = 0; i < _PACE_RUNG_MAX; i++)
		left += p.mine[i] == PACE_NONE;
	if (left > 0) {
		web_format_count(count, sizeof(count),
				 ngettext_("You have %d step left to answer.",
					   "You have %d steps left to answer.",
					   (unsigned long)left),
				 (long)left);
		web_set(data, "left", count);
	}
	if (!web_form_refused(r, data, typed, field)) {
		if (kreq_query(r, "saved"))
			web_set(data, "notice",
				_("Saved. You can change your answers at any time."));
		else if (kreq_query(r, "paused"))
			web_set(data, "notice", _("Paused. Take all the time you need."));
		else if (kreq_query(r, "resumed"))
			web_set(data, "notice", _("Your pause is lifted."));
	}
	memset(&p, 0, sizeof(p));
	return web_render(r, status, "pace", data, 0);
}

/* page_pace() - GET /pace */
int page_pace(struct kreq *r)
{
	return pace_page(r, 200, NULL);
}

/* page_pace_save() - POST /pace (one field per rung's key: yes, maybe or not_yet) */
int page_pace_save(struct kreq *r)
{
	const char *choices[_PACE_RUNG_MAX];
	const char *field = NULL;
	size_t i;
	int rc;

	if (r->input_error)
		return pace_page(r, 400, NULL);
	for (i = 0; i < _PACE_RUNG_MAX; i++)
		choices[i] = kreq_form(r, pace_rung_keys[i]);
	rc = pace_answer(r->core, r->session, choices, NULL, &field);
	if (rc == ITEM_INVALID)
		return pace_page(r, 400, field);
	return page_outcome(r, rc, "/pace?saved=1#pace-title", NULL);
}

/* page_pace_pause() - POST /pace/pause */
int page_pace_pause(struct kreq *r)
{
	return page_outcome(r, pace_pause(r->core, r->session, NULL), "/pace?paused=1#pace-title",
			    NULL);
}

/* page_pace_resume() - POST /pace/resume */
int page_pace_resume(struct kreq *r)
{
	return page_outcome(r, pace_resume(r->core, r->session, NULL), "/pace?resumed=1#pace-title",
			    _("Only the one who pressed pause can resume. Your partner will resume "
			      "when they are ready."));
}
