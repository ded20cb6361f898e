/*
 * pages-summary.c: the session-prep summary as a page to print (/summary,
 * step 4), the twin of GET /api/v1/summary.  A GET form picks the range
 * and, one by one, journal entries of that range to add to it; below it,
 * what the member shared with the care team in the range (core/summary.h),
 * laid out to print cleanly (static/css/app.css, "@media print": the form,
 * the site's navigation and footer are left off the paper).  The page is
 * the member's own: nothing on it reaches anyone unless they print it or
 * pass it on, and the journal picks are kept nowhere but in its address.
 * The couple's therapist picks a partner instead of journal entries, and
 * reads what that partner shared with the care team.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreements.h"
#include "core/breaches.h"
#include "core/homework.h"
#include "core/summary.h"
#include "i18n/i18n.h"
#include "web/pages.h"
#include "web/render.h"

#define SUMMARY_DEFAULT_DAYS	30  /* the range the page opens on: the last month */
#define SUMMARY_JOURNAL_OFFERED 50  /* the newest entries offered to pick from */
#define SUMMARY_FIELD_MAX	120 /* a check-in's period line, a trend sentence */

/* The heading of a kind's items: its pages' title, else a name of its own here. */
static const char *kind_heading(const struct item_kind *k)
{
	static const struct {
		const char *name, *heading;
	} names[] = {
		{"homework", N_("Homework")},
		{"homework_done", N_("How it went")},
		{"agreement", N_("Agreements")},
		{"agreement_version", N_("A change to the agreement")},
		{"agreement_ok", N_("Accepted")},
		{"agreement_end", N_("The agreement ended")},
		{"breach", N_("Breaches")},
		{"breach_repair", N_("A repair")},
	};
	size_t i;

	if (k->title)
		return _(k->title);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, k->name) == 0)
			return _(names[i].heading);
	return _("Something you shared");
}

/*
 * A choice as its page words it (the same messages, so already translated);
 * NULL: shown as it is.
 */
static const char *choice_label(const struct item_kind *k, const char *value)
{
	static const struct {
		const char *kind, *value, *label;
	} labels[] = {
		{"limit", "hard_limit", N_("A hard limit: never")},
		{"limit", "trigger", N_("A trigger: something that hurts or frightens me")},
		{"limit", "not_now", N_("Not now: not until a day I choose")},
		{"agreement", "physical_contact", N_("Physical contact")},
		{"agreement", "flirting", N_("Flirting with others")},
		{"agreement", "online", N_("Online activity")},
		{"agreement", "privacy", N_("Privacy")},
		{"agreement", "finances", N_("Finances")},
		{"agreement", "decisions", N_("Decision making")},
		{"agreement", "other", N_("Other")},
		{"agreement_end", "declined", N_("Declined")},
		{"agreement_end", "retired", N_("Retired")},
	};
	const char *kind = k->parent && strcmp(k->parent, "agreement") == 0 &&
					   strcmp(k->name, "agreement_end") != 0
				   ? "agreement" /* a version's category, as the agreement's */
				   : k->name;
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].kind, kind) == 0 && strcmp(labels[i].value, value) == 0)
			return _(labels[i].label);
	return NULL;
}

/*
 * A field's label as the kind's own page words it (the same messages), or
 * NULL: the form's label.  A repair's are in its writer's voice, as on the
 * breach's page, since the partner's side is on the paper too.
 */
static const char *field_label(const struct item_kind *k, const char *name)
{
	static const struct {
		const char *kind, *field, *label;
	} labels[] = {
		{"agreement", "text", N_("The agreement")},
		{"agreement", "consequence", N_("If it is not kept")},
		{"agreement", "review_on", N_("Review on")},
		{"agreement", "note", N_("Why this change")},
		{"agreement_end", "how", N_("How it ended")},
		{"breach_repair", "feelings", N_("Feelings")},
		{"breach_repair", "my_view", N_("How I saw it")},
		{"breach_repair", "their_view_summary", N_("How I understand the other's view")},
		{"breach_repair", "triggers", N_("What set me off")},
		{"breach_repair", "my_part", N_("My part, and my apology")},
		{"breach_repair", "do_differently", N_("One thing I will do differently")},
	};
	const char *kind = k == &agreement_version_kind ? "agreement" : k->name;
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].kind, kind) == 0 && strcmp(labels[i].field, name) == 0)
			return _(labels[i].label);
	return NULL;
}

/* A repair's feelings ("hurt,sad") in words, ", " between them, into out. */
static void feeling_words(const char *set, char *out, size_t cap)
{
	size_t at = 0, i;

	out[0] = '\0';
	for (i = 0; breach_feelings[i]; i++) {
		size_t n = strlen(breach_feelings[i]);
		const char *p = set;
		int on = 0;

		while (p && *p && !on) {
			on = strncmp(p, breach_feelings[i], n) == 0 &&
			     (p[n] == ',' || p[n] == '\0');
			p = strchr(p, ',');
			if (p)
				p++;
		}
		if (on && at < cap)
			at += (size_t)snprintf(out + at, cap - at, "%s%s", at ? ", " : "",
					       _(breach_feeling_label(breach_feelings[i])));
	}
}

/* An item's values as [{label, value}]: what it says, not how it is kept. */
static json_t *item_fields(const struct kreq *r, const struct item_kind *k,
			   const struct item_view *v)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		json_t *o;

		/* nor an id (who proposed a version: "yours" says it), nor an empty text */
		if (f->type == FIELD_SHARED || f->type == FIELD_ID || !v->values[i] ||
		    v->lens[i] == 0 || (k == &homework_kind && i == HOMEWORK_F_BY) ||
		    strcmp(f->name, "proposed_by") == 0)
			continue;
		o = json_object();
		/* a homework's mark says "done", where a date's says "it happened" */
		web_set(o, "label",
			k == &homework_done_kind && i == HOMEWORK_D_DONE ? _("Done")
			: field_label(k, f->name)			 ? field_label(k, f->name)
						  : kreq_field_label(f->name));
		if (f->type == FIELD_ENUM_SET && k == &breach_repair_kind) {
			char words[BREACH_FEELINGS_MAX * 96];

			feeling_words(v->values[i], words, sizeof(words));
			web_set(o, "value", words);
		} else if (f->type == FIELD_BOOL)
			web_set(o, "value", v->values[i][0] == '1' ? _("Yes") : _("No"));
		else if (f->type == FIELD_DATE)
			set_date(r, o, "value", v->values[i]);
		else if (f->type == FIELD_ENUM && choice_label(k, v->values[i]))
			web_set(o, "value", choice_label(k, v->values[i]));
		else
			set_text(o, "value", v->values[i], v->lens[i]);
		if (push(arr, o) < 0)
			break;
	}
	return arr;
}

static json_t *item_data(const struct kreq *r, const struct summary_item *it)
{
	json_t *o = json_object(), *answers = json_array();
	size_t i;

	web_set(o, "kind", kind_heading(it->kind));
	set_date(r, o, "date", it->v.created_at);
	json_object_set_new(o, "fields", item_fields(r, it->kind, &it->v));
	for (i = 0; i < it->nanswers; i++) {
		json_t *a = json_object();

		web_set(a, "kind", kind_heading(it->answers[i].kind));
		set_flag(a, "mine", it->answers[i].v.mine);
		set_date(r, a, "date", it->answers[i].v.created_at);
		json_object_set_new(a, "fields",
				    item_fields(r, it->answers[i].kind, &it->answers[i].v));
		if (push(answers, a) < 0)
			break;
	}
	json_object_set_new(o, "answers", answers);
	return o;
}

/* "7.5" from 75 tenths ("7,5" in Spanish and Russian). */
static void tenths(const struct kreq *r, char *out, size_t cap, int v)
{
	snprintf(out, cap, "%d%c%d", v / 10, strcmp(r->lang, "en") == 0 ? '.' : ',', v % 10);
}

static void trend_data(const struct kreq *r, json_t *data, const struct summary_trend *t)
{
	char line[SUMMARY_FIELD_MAX], avg[16];
	json_t *dims = json_array();
	size_t d;

	if (item_partner(r->session))
		snprintf(line, sizeof(line),
			 ngettext_("%d check-in you shared with the care team.",
				   "%d check-ins you shared with the care team.",
				   (unsigned long)t->n),
			 (int)t->n);
	else
		snprintf(line, sizeof(line),
			 ngettext_("%d check-in shared with the care team.",
				   "%d check-ins shared with the care team.", (unsigned long)t->n),
			 (int)t->n);
	web_set(data, "checkins_count", line);
	if (t->n == 0) {
		json_decref(dims);
		return;
	}
	tenths(r, avg, sizeof(avg), t->trust_avg10);
	snprintf(line, sizeof(line), _("Trust: from %d to %d (on average %s of 10)."),
		 t->trust_first, t->trust_last, avg);
	web_set(data, "trust_line", line);
	tenths(r, avg, sizeof(avg), t->closeness_avg10);
	snprintf(line, sizeof(line), _("Closeness: from %d to %d (on average %s of 10)."),
		 t->closeness_first, t->closeness_last, avg);
	web_set(data, "closeness_line", line);
	for (d = 0; d < _CHECKIN_DIM_MAX; d++) {
		json_t *o = json_object();

		tenths(r, avg, sizeof(avg), t->dims_avg10[d]);
		web_set(o, "label", page_checkin_dim_label(d));
		web_set(o, "average", avg);
		if (push(dims, o) < 0)
			break;
	}
	json_object_set_new(data, "dims", dims);
}

static json_t *checkin_data(const struct kreq *r, const struct checkin *ci)
{
	json_t *o = json_object(), *scores = json_array();
	size_t d;

	set_date(r, o, "period", ci->period);
	set_int(o, "trust", ci->trust);
	set_int(o, "closeness", ci->closeness);
	set_text(o, "note", ci->note, ci->note_len);
	for (d = 0; d < _CHECKIN_DIM_MAX; d++) {
		json_t *s = json_object();

		web_set(s, "label", page_checkin_dim_label(d));
		set_int(s, "value", ci->scores[d]);
		if (push(scores, s) < 0)
			break;
	}
	json_object_set_new(o, "scores", scores);
	return o;
}

/* The summary's parts into data. */
static void summary_data(const struct kreq *r, json_t *data, const struct summary *sm)
{
	json_t *items = json_array(), *cards = json_array(), *checkins = json_array();
	json_t *journal = json_array();
	size_t i;

	for (i = 0; i < sm->nitems; i++)
		if (push(items, item_data(r, &sm->items[i])) < 0)
			break;
	for (i = 0; i < sm->ncards; i++) {
		json_t *o = json_object();

		web_set(o, "kind", page_share_kind_label(sm->cards[i].kind));
		set_text(o, "body", sm->cards[i].body, sm->cards[i].body_len);
		set_date(r, o, "date", sm->cards[i].created_at);
		if (push(cards, o) < 0)
			break;
	}
	for (i = 0; i < sm->ncheckins; i++)
		if (push(checkins, checkin_data(r, &sm->checkins[i])) < 0)
			break;
	for (i = 0; i < sm->njournal; i++) {
		json_t *o = json_object();

		set_text(o, "body", sm->journal[i].body, sm->journal[i].body_len);
		web_set(o, "prompt", sm->journal[i].prompt);
		set_date(r, o, "date", sm->journal[i].created_at);
		if (push(journal, o) < 0)
			break;
	}
	set_flag(data, "nothing",
		 sm->nitems == 0 && sm->ncards == 0 && sm->ncheckins == 0 && sm->njournal == 0);
	set_flag(data, "has_items", sm->nitems > 0);
	set_flag(data, "has_cards", sm->ncards > 0);
	set_flag(data, "has_journal", sm->njournal > 0);
	json_object_set_new(data, "items", items);
	json_object_set_new(data, "cards", cards);
	json_object_set_new(data, "checkins", checkins);
	json_object_set_new(data, "journal", journal);
	trend_data(r, data, &sm->trend);
	set_date(r, data, "from_text", sm->from);
	set_date(r, data, "to_text", sm->to);
}

/* Whether id is among the picks. */
static int picked(const char *const *ids, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

/*
 * The caller's newest journal entries written in from..to, to pick from
 * (checked when picked); a range that is not one offers none.
 */
static json_t *journal_offer(const struct kreq *r, const char *from, const char *to,
			     const char *const *ids, size_t n)
{
	struct journal_entry *list = NULL;
	json_t *arr = json_array();
	size_t nl = 0, i;

	if (!from || !to || summary_range_check(from, to) != 0 ||
	    journal_list(r->core, r->session, NULL, SUMMARY_JOURNAL_OFFERED, &list, &nl) != 0)
		return arr;
	for (i = 0; i < nl; i++) {
		const char *at = list[i].created_at;
		char lead[121];
		size_t cut;
		json_t *o;

		if (strncmp(at, from, CHECKIN_DATE_LEN) < 0 ||
		    strncmp(at, to, CHECKIN_DATE_LEN) > 0)
			continue;
		o = json_object();
		web_set(o, "id", list[i].id);
		/* the first line, cut at a character's start: enough to know it again */
		cut = strcspn(list[i].body, "\n");
		if (cut >= sizeof(lead)) {
			cut = sizeof(lead) - 1;
			while (cut > 0 && ((unsigned char)list[i].body[cut] & 0xC0) == 0x80)
				cut--;
		}
		memcpy(lead, list[i].body, cut);
		lead[cut] = '\0';
		web_set(o, "lead", lead);
		set_date(r, o, "date", at);
		set_flag(o, "checked", picked(ids, n, list[i].id));
		if (push(arr, o) < 0)
			break;
	}
	journal_list_free(list, nl);
	return arr;
}

/*
 * A therapist's choice of whose summary to read: the couple's partners as
 * radio buttons into data ("partners"), the one named by member (or the
 * first) checked and its id into chosen ("" when there is none to read).
 * A name that is no partner's stays as given: summary_build() refuses it.
 */
static int partner_choice(const struct kreq *r, json_t *data, const char *member,
			  char chosen[STORE_ID_LEN + 1])
{
	struct member_brief *list = NULL;
	json_t *arr;
	size_t n = 0, i, at = 0;
	int e;

	snprintf(chosen, STORE_ID_LEN + 1, "%s", member ? member : "");
	e = summary_partners(r->core, r->session, &list, &n);
	if (e != 0)
		return e;
	for (i = 0; member && i < n; i++)
		if (strcmp(list[i].id, member) == 0)
			at = i;
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		web_set(o, "id", list[i].id);
		web_set(o, "name", list[i].display_name);
		set_flag(o, "checked", i == at);
		if (i == at)
			web_set(data, "member_name", list[i].display_name);
		if (push(arr, o) < 0)
			break;
	}
	if (!member && n > 0)
		snprintf(chosen, STORE_ID_LEN + 1, "%s", list[at].id);
	json_object_set_new(data, "partners", arr);
	free(list);
	return 0;
}

/* page_summary() - GET /summary?from=&to=&journal=<id>...[&member=<id>] */
int page_summary(struct kreq *r)
{
	static const char *const bad_field[] = {NULL, "from", "to", "journal", "member"};
	const char *journal[SUMMARY_JOURNAL_MAX];
	char dfrom[CHECKIN_DATE_LEN + 1], dto[CHECKIN_DATE_LEN + 1], member[STORE_ID_LEN + 1];
	const char *from = kreq_query(r, "from"), *to = kreq_query(r, "to"), *field = NULL;
	int care_view = !item_partner(r->session);
	struct summary sm;
	json_t *data;
	size_t i, nj = 0;
	int rc = 0;

	checkin_today(dfrom, -SUMMARY_DEFAULT_DAYS);
	checkin_today(dto, 0);
	if (!from && !to) {
		from = dfrom;
		to = dto;
	}
	for (i = 0; i < r->nquery; i++) {
		const char *name = r->query[i].name;

		if (strcmp(name, "journal") == 0 && nj < SUMMARY_JOURNAL_MAX)
			journal[nj++] = r->query[i].value;
		else if (strcmp(name, "journal") == 0)
			rc = SUMMARY_BAD_JOURNAL;
		else if (strcmp(name, "from") != 0 && strcmp(name, "to") != 0 &&
			 strcmp(name, "member") != 0)
			return page_error(r, 400);
	}
	memset(&sm, 0, sizeof(sm));
	data = web_page_new(r, _("Summary for your next session"));
	set_flag(data, "care_view", care_view);
	if (care_view) {
		rc = partner_choice(r, data, kreq_query(r, "member"), member);
		if (rc < 0) {
			json_decref(data);
			return page_outcome(r, rc, NULL, NULL);
		}
	}
	if (rc == 0)
		rc = summary_build(r->core, r->session, care_view ? member : NULL, from, to,
				   journal, nj, &sm);
	if (rc < 0) {
		json_decref(data);
		return page_outcome(r, rc, NULL, NULL);
	}
	web_set(data, "from", from ? from : "");
	web_set(data, "to", to ? to : "");
	if (!care_view)
		json_object_set_new(data, "offer", journal_offer(r, from, to, journal, nj));
	if (rc == 0)
		summary_data(r, data, &sm);
	else
		field = bad_field[rc];
	summary_clear(&sm);
	set_flag(data, "shown", rc == 0);
	web_form_refused(r, data, rc != 0, field);
	return web_render(r, rc == 0 ? 200 : 400, "summary", data, 0);
}
