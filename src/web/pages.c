/*
 * pages.c: the pages that only show things: the landing page, who sees
 * what, the quick-exit page and the signed-in home, with its part for
 * steps 1 and 2 (where the couple stands, what to do next, and the trust
 * and closeness chart drawn by chart.c).  Forms and their handlers live in
 * pages-<concept>.c (account, journal, statement, commitment, checkin,
 * share, offer, activity); the machinery they share (templates, static
 * files, error pages, small helpers) in render.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/activity.h"
#include "core/checkin.h"
#include "core/agreements.h"
#include "core/breaches.h"
#include "core/chores.h"
#include "core/commitment.h"
#include "core/conflict.h"
#include "core/helps.h"
#include "core/journal.h"
#include "core/offer.h"
#include "core/progress.h"
#include "core/share.h"
#include "core/statement.h"
#include "i18n/i18n.h"
#include "web/chart.h"
#include "web/pages.h"
#include "web/render.h"

#define CHART_DAYS	       14 /* the home chart: two weeks of days */
#define CHART_WEEKS	       12 /* or twelve weeks */

#define CHART_TRUST_COLOUR     "#7a5410" /* the gold ink of app.css */
#define CHART_CLOSENESS_COLOUR "#2f5f8f"

/*
 * page_landing() - GET /: what kintsugi is, and the way in.  A signed-in
 * member goes straight to their home.
 */
int page_landing(struct kreq *r)
{
	if (r->session)
		return web_redirect(r, "/home");
	return web_render(r, 200, "landing", web_page_new(r, _("Mend trust, together")),
			  WEB_PUBLIC);
}

/*
 * page_privacy() - GET /privacy: who sees what, in plain words, including
 * the honest limit of encryption at rest.
 */
int page_privacy(struct kreq *r)
{
	return web_render(r, 200, "privacy", web_page_new(r, _("Who sees what")), WEB_PUBLIC);
}

/*
 * page_exit() - GET /exit: the quick exit.  A neutral page with nothing
 * about relationships, no navigation and no link back; it never reads the
 * session, so it looks the same to whoever glances at the screen.
 */
int page_exit(struct kreq *r)
{
	json_t *data = json_object();

	web_set(data, "lang", r->lang ? r->lang : "en");
	return web_render(r, 200, "exit", data, WEB_PUBLIC);
}

/*
 * page_home() - GET /home: a greeting, where the couple stands (invite the
 * partner, or the two names), and the five steps; after a safety check
 * that showed a concern, the help instead (pages-safety.c).
 */
int page_home(struct kreq *r)
{
	struct member_view mv;
	json_t *data;
	size_t i;
	int rc;

	memset(&mv, 0, sizeof(mv));
	rc = account_describe(r->core, r->session, &mv);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return page_error(r, 500);

	data = web_page_new(r, _("Home"));
	web_set_bool(data, "nav_home", 1);
	/* a sign-in from a new device comes first: it may not have been the member */
	rc = page_device_notice_data(r, data);
	if (rc < 0) {
		json_decref(data);
		return rc;
	}
	web_set(data, "display_name", mv.display_name);
	/* after a safety check that showed a concern: the help, and no couple exercise */
	rc = page_safety_concern(r, data);
	if (rc != 0) {
		if (rc < 0) {
			json_decref(data);
			return rc;
		}
		return web_render(r, 200, "home", data, 0);
	}
	if (!strcmp(mv.role, "therapist")) {
		json_decref(data);
		return page_care_home(r, mv.display_name);
	}
	web_set_bool(data, "is_partner", !strcmp(mv.role, "partner"));
	if (mv.npartners < 2) {
		const char *left = kreq_query(r, "left");

		web_set_bool(data, "alone", 1);
		if (mv.has_former) /* the partner left, or deleted their account */
			web_set(data, "former_name", mv.former.display_name);
		web_set_bool(data, "just_left", !mv.has_former && left && !strcmp(left, "1"));
	} else {
		for (i = 0; i < mv.npartners && i < 2; i++)
			if (strcmp(mv.partners[i].id, mv.id) != 0)
				web_set(data, "partner_name", mv.partners[i].display_name);
	}
	/* ---- step 2: where the couple stands, the next step, the chart ---- */
	if (!strcmp(mv.role, "partner")) {
		rc = page_home_step2(r, data, mv.npartners >= 2);
		if (rc == 0)
			rc = page_home_step4(r, data);
		if (rc == 0)
			rc = page_home_step5(r, data);
		if (rc == 0)
			rc = page_timeout_data(r, data); /* a break under way: both see it first */
		if (rc < 0) {
			json_decref(data);
			return rc;
		}
	}
	/* ---- end of step 2 ---- */
	return web_render(r, 200, "home", data, 0);
}

/* The home page's part for steps 1 and 2 --------------------------------------- */

static const char *status_text(enum progress_status st)
{
	switch (st) {
	case PROGRESS_STEADY:
		return _("This step is going steadily.");
	case PROGRESS_UNDER_WAY:
		return _("You have begun this step.");
	default:
		return _("You have not begun this step yet. It is there whenever you are ready.");
	}
}

/* The suggestion card: its sentence, where it leads, and the button. */
static void next_action(json_t *data, enum progress_action a, int weekly, size_t to_ack)
{
	json_t *o;
	char line[256];

	if (a == PROGRESS_INVITE_PARTNER)
		return; /* the invitation card above already says it */
	o = json_object();
	switch (a) {
	case PROGRESS_CHECKIN_REVEAL:
		web_set(o, "text",
			weekly ? _("Your partner has checked in for this week. Check in too, and "
				   "you will see each other's.")
			       : _("Your partner has checked in for today. Check in too, and you "
				   "will see each other's."));
		web_set(o, "url", "/checkin");
		web_set(o, "button", _("Check in now"));
		break;
	case PROGRESS_CHECKIN:
		web_set(o, "text",
			weekly ? _("How has your week been? A check-in takes about two minutes.")
			       : _("How are you today? A check-in takes about two minutes."));
		web_set(o, "url", "/checkin");
		web_set(o, "button", _("Check in now"));
		break;
	case PROGRESS_ACK_SHARE:
		web_format_count(
			line, sizeof(line),
			ngettext_("Your partner shared %d card with you. Let them know you "
				  "heard it.",
				  "Your partner shared %d cards with you. Let them know you "
				  "heard them.",
				  (unsigned long)to_ack),
			(long)to_ack);
		web_set(o, "text", line);
		web_set(o, "url", "/shares");
		web_set(o, "button", _("Read the cards"));
		break;
	case PROGRESS_ACTIVITY_DONE:
		web_set(o, "text",
			_("The day of an activity you planned together has come. How "
			  "did it go?"));
		web_set(o, "url", "/activities");
		web_set(o, "button", _("Say how it went"));
		break;
	case PROGRESS_WRITE_JOURNAL:
		web_set(o, "text",
			_("Your journal is a private place to think things through. A "
			  "question can help you start."));
		web_set(o, "url", "/journal/new?prompt=random");
		web_set(o, "button", _("Give me a prompt"));
		break;
	case PROGRESS_SHARE_CARD:
		web_set(o, "text",
			_("Share something on your mind with your partner: an "
			  "insecurity, a fear, a desire, a need or a hope."));
		web_set(o, "url", "/shares");
		web_set(o, "button", _("Write a card"));
		break;
	case PROGRESS_ACCEPT_PLAN:
		web_set(o, "text",
			_("Your partner proposed a plan for hard conversations. Read it, and "
			  "accept it or propose a change."));
		web_set(o, "url", "/conflict-plan");
		web_set(o, "button", _("Read the plan"));
		break;
	case PROGRESS_ANSWER_AGREEMENT:
		web_set(o, "text",
			_("Your partner proposed an agreement, or a change to one. Read it, and "
			  "accept it, ask for a change, or decline it."));
		web_set(o, "url", "/agreements");
		web_set(o, "button", _("Read the agreements"));
		break;
	case PROGRESS_WRITE_REPAIR:
		web_set(o, "text",
			_("A breach waits for your side of the repair: how it felt, how you saw "
			  "it, "
			  "your part, and one thing you will do differently."));
		web_set(o, "url", "/breaches");
		web_set(o, "button", _("Write your side"));
		break;
	case PROGRESS_REVIEW_AGREEMENT:
		web_set(o, "text",
			_("The review day of an agreement has come. Look at it together: keep it "
			  "with a new review day, or change it."));
		web_set(o, "url", "/agreements");
		web_set(o, "button", _("Review the agreements"));
		break;
	case PROGRESS_PROPOSE_PLAN:
		web_set(o, "text",
			_("Agree together, while things are calm, on what you will do when a "
			  "conversation starts to hurt."));
		web_set(o, "url", "/conflict-plan");
		web_set(o, "button", _("Propose a plan"));
		break;
	case PROGRESS_PLAN_ACTIVITY:
		web_set(o, "text",
			_("Plan something to do together outside the bedroom: a walk, "
			  "a meal, a hobby."));
		web_set(o, "url", "/activities");
		web_set(o, "button", _("Plan an activity"));
		break;
	default:
		web_set(o, "text",
			_("You are up to date. Thank you for showing up for each "
			  "other."));
		web_set(o, "url", "/checkins");
		web_set(o, "button", _("See your check-ins"));
		break;
	}
	if (data && o)
		json_object_set_new(data, "next", o);
	else
		json_decref(o);
}

/* A value for the chart's table: the number, or a dash for "none". */
static void set_cell(json_t *o, const char *key, int v)
{
	char s[8];

	if (v == CHART_NONE) {
		web_set(o, key, "\xe2\x80\x94"); /* an em dash */
		return;
	}
	snprintf(s, sizeof(s), "%d", v);
	web_set(o, key, s);
}

/*
 * home_chart() - the trust and closeness chart over the last CHART_DAYS
 * days or CHART_WEEKS weeks: one point per period, the reader's values and
 * the partner's revealed ones, and the same numbers as table rows.
 */
static int home_chart(struct kreq *r, json_t *data, const char *rhythm, const char *today)
{
	int weekly = !strcmp(rhythm, "weekly");
	size_t npoints = weekly ? CHART_WEEKS : CHART_DAYS, i, k;
	char now[CHECKIN_DATE_LEN + 1], first[CHECKIN_DATE_LEN + 1], p[CHECKIN_DATE_LEN + 1];
	char label_first[64], label_last[64];
	int values[4][CHART_WEEKS > CHART_DAYS ? CHART_WEEKS : CHART_DAYS];
	struct chart_series series[4];
	struct checkin_list list;
	struct chart chart;
	json_t *rows = NULL;
	char *svg = NULL;
	size_t svg_len = 0;
	int rc, any = 0, partner = 0;

	if (checkin_period_of(rhythm, today, now) < 0 ||
	    checkin_period_step(rhythm, now, -(long)(npoints - 1), first) < 0)
		return 0;
	memset(&list, 0, sizeof(list));
	rc = checkin_list(r->core, r->session, first, now, &list);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (k = 0; k < 4; k++)
		for (i = 0; i < npoints; i++)
			values[k][i] = CHART_NONE;
	rows = json_array();
	for (i = 0; i < npoints; i++) {
		json_t *row;
		int has = 0;

		if (checkin_period_step(rhythm, first, (long)i, p) < 0)
			break;
		for (k = 0; k < list.n; k++) {
			const struct checkin *ci = &list.items[k];

			if (strcmp(ci->period, p) != 0)
				continue;
			values[ci->mine ? 0 : 2][i] = ci->trust;
			values[ci->mine ? 1 : 3][i] = ci->closeness;
			has = 1;
			partner |= !ci->mine;
		}
		if (!has)
			continue;
		any = 1;
		row = json_object();
		set_date(r, row, "date", p);
		set_cell(row, "my_trust", values[0][i]);
		set_cell(row, "my_closeness", values[1][i]);
		set_cell(row, "their_trust", values[2][i]);
		set_cell(row, "their_closeness", values[3][i]);
		if (push(rows, row) < 0)
			break;
	}
	checkin_list_free(&list);
	if (!any) {
		json_decref(rows);
		return 0;
	}

	series[0] = (struct chart_series){"chart-trust", CHART_TRUST_COLOUR, 0, values[0]};
	series[1] = (struct chart_series){"chart-closeness", CHART_CLOSENESS_COLOUR, 0, values[1]};
	series[2] = (struct chart_series){"chart-trust", CHART_TRUST_COLOUR, 1, values[2]};
	series[3] = (struct chart_series){"chart-closeness", CHART_CLOSENESS_COLOUR, 1, values[3]};
	if (i18n_format_date(r->lang, first, label_first, sizeof(label_first)) < 0)
		snprintf(label_first, sizeof(label_first), "%s", first);
	if (i18n_format_date(r->lang, now, label_last, sizeof(label_last)) < 0)
		snprintf(label_last, sizeof(label_last), "%s", now);
	memset(&chart, 0, sizeof(chart));
	chart.id = "trust-chart";
	chart.title = _("Trust and closeness over time");
	chart.desc = weekly ? _("Trust and closeness from 0 to 10 for each of the last twelve "
				"weeks: solid lines are yours, dashed lines your partner's "
				"shared check-ins. The same numbers are in the table below.")
			    : _("Trust and closeness from 0 to 10 for each of the last fourteen "
				"days: solid lines are yours, dashed lines your partner's shared "
				"check-ins. The same numbers are in the table below.");
	chart.first_label = label_first;
	chart.last_label = label_last;
	chart.y_max = CHECKIN_LEVEL_MAX;
	chart.npoints = npoints;
	chart.series = series;
	chart.nseries = partner ? 4 : 2;
	rc = chart_svg(&chart, &svg, &svg_len);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	web_set(data, "chart_svg", svg);
	explicit_bzero(svg, svg_len); /* the scores, drawn */
	free(svg);
	set_flag(data, "chart_partner", partner);
	if (data)
		json_object_set_new(data, "chart_rows", rows);
	else
		json_decref(rows);
	return 0;
}

/* The breaches not repaired yet, and those the reader has not written their side of. */
static int breach_counts(struct kreq *r, struct progress_counts *counts)
{
	struct breach *list = NULL;
	size_t n = 0, i;
	int rc = breaches_list(r->core, r->session, &list, &n);

	for (i = 0; rc == 0 && i < n; i++) {
		if (list[i].status == BREACH_REPAIRED)
			continue;
		counts->breaches_open++;
		if (!list[i].wrote)
			counts->breaches_to_write++;
	}
	breaches_free(list, n);
	return rc;
}

/* Step 3's counts: the reader's limits and "what helps me", the plan, the chores. */
static int step3_counts(struct kreq *r, struct progress_counts *counts)
{
	const struct item_kind *limits = item_kind_find("limit");
	struct conflict_plan plan;
	struct helps_me h;
	int rc, has;

	rc = item_count(r->core, r->session, limits, 1, &counts->limits_mine);
	if (rc == 0)
		rc = item_count(r->core, r->session, &chore_kind, 0, &counts->chores);
	if (rc == 0)
		rc = helps_me_read(r->core, r->session, &h);
	if (rc != 0)
		return rc;
	counts->helps_me_mine = h.has_mine;
	helps_me_clear(&h);
	rc = conflict_plan_read(r->core, r->session, &plan, &has);
	if (rc != 0)
		return rc;
	counts->plan_exists = has;
	counts->plan_agreed = has && plan.agreed;
	/* the partner proposed it, and the reader has not accepted this version */
	counts->plan_to_accept =
		has && !plan.agreed && strcmp(plan.accepted_by[0], r->session->member_id) != 0;
	conflict_plan_clear(&plan);
	rc = agreements_waiting(r->core, r->session, &counts->agreements_to_answer,
				&counts->agreements_to_review, &counts->agreements_agreed);
	return rc == 0 ? breach_counts(r, counts) : rc;
}

/*
 * page_home_step2() - see pages.h: counts from every step 2 module and the
 * journal, the statuses and the one suggestion (core/progress.c), and the
 * chart.  Counting opens nothing but the journal's first entry.
 */
int page_home_step2(struct kreq *r, json_t *data, int paired)
{
	char rhythm[8], today[CHECKIN_DATE_LEN + 1], line[256];
	struct journal_entry *entries = NULL;
	struct progress_counts counts;
	struct checkin_counts cc;
	struct share_counts sc;
	struct offer_counts oc;
	struct activity_counts ac;
	struct progress pr;
	size_t nentries = 0;
	int rc, weekly;

	rc = checkin_rhythm_get(r->core, r->session, rhythm);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	weekly = !strcmp(rhythm, "weekly");
	checkin_today(today, 0);
	memset(&counts, 0, sizeof(counts));
	rc = checkin_counts(r->core, r->session, today, &cc);
	if (rc == 0)
		rc = share_counts(r->core, r->session, &sc);
	if (rc == 0)
		rc = offer_counts(r->core, r->session, today, &oc);
	if (rc == 0)
		rc = activity_counts(r->core, r->session, today, &ac);
	if (rc == 0)
		rc = journal_list(r->core, r->session, NULL, 1, &entries, &nentries);
	if (rc == 0)
		rc = statement_delivered_count(r->core, r->session, &counts.statements_delivered);
	if (rc == 0)
		rc = commitment_count(r->core, r->session, &counts.commitments);
	if (rc == 0)
		rc = step3_counts(r, &counts);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;
	journal_list_free(entries, nentries);

	counts.paired = paired;
	counts.journal_entries = nentries;
	counts.checked_in_now = cc.checked_in_now;
	counts.waiting_now = cc.waiting_now;
	counts.recent_checkins = cc.recent_mine;
	counts.shares_mine = sc.mine;
	counts.shares_to_ack = sc.to_ack;
	counts.offers_active = oc.active_mine + oc.active_partner;
	counts.activities_upcoming = ac.upcoming;
	counts.activities_overdue = ac.overdue;
	counts.activities_done = ac.done;
	progress_assess(&counts, &pr);

	web_set(data, "step1_status", status_text(pr.step1));
	web_set(data, "step2_status", status_text(pr.step2));
	web_set(data, "step3_status", status_text(pr.step3));
	if (cc.recent_mine > 0) {
		web_format_count(
			line, sizeof(line),
			weekly ? ngettext_("You checked in %d time in the last four weeks.",
					   "You checked in %d times in the last four weeks.",
					   (unsigned long)cc.recent_mine)
			       : ngettext_("You checked in %d time in the last four days.",
					   "You checked in %d times in the last four days.",
					   (unsigned long)cc.recent_mine),
			(long)cc.recent_mine);
		web_set(data, "step2_detail", line);
	}
	if (counts.agreements_to_review > 0) {
		web_format_count(line, sizeof(line),
				 ngettext_("%d agreement is due for review.",
					   "%d agreements are due for review.",
					   (unsigned long)counts.agreements_to_review),
				 (long)counts.agreements_to_review);
		web_set(data, "step3_detail", line);
	}
	set_flag(data, "weekly", weekly);
	next_action(data, pr.next, weekly, sc.to_ack);
	return home_chart(r, data, rhythm, today);
}
