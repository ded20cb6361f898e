/*
 * progress.c: where the couple stands in steps 1 to 3, from counts.
 *
 * Step 1 is under way once the reader has written in the journal (or
 * delivered a statement, or made a commitment), and steady once a statement
 * is delivered and a commitment made.  Step 2 is under way with any
 * check-in, card, offer or activity, and steady once check-ins have become
 * a rhythm (PROGRESS_STEADY_CHECKINS of the last four periods) and the
 * couple has opened up beyond them (a card, or an activity done).  Step 3
 * is under way with any limit, "what helps me", chore, conflict plan,
 * agreement or breach, and steady once both agreed on the plan and the reader wrote
 * what helps them.
 */
#include <string.h>

#include "core/progress.h"

static enum progress_status step1_status(const struct progress_counts *c)
{
	if (c->statements_delivered > 0 && c->commitments > 0)
		return PROGRESS_STEADY;
	if (c->journal_entries > 0 || c->statements_delivered > 0 || c->commitments > 0)
		return PROGRESS_UNDER_WAY;
	return PROGRESS_NOT_STARTED;
}

static enum progress_status step2_status(const struct progress_counts *c)
{
	if (c->recent_checkins >= PROGRESS_STEADY_CHECKINS &&
	    (c->shares_mine > 0 || c->activities_done > 0))
		return PROGRESS_STEADY;
	if (c->recent_checkins > 0 || c->checked_in_now || c->shares_mine > 0 ||
	    c->offers_active > 0 || c->activities_upcoming > 0 || c->activities_overdue > 0 ||
	    c->activities_done > 0)
		return PROGRESS_UNDER_WAY;
	return PROGRESS_NOT_STARTED;
}

static enum progress_status step3_status(const struct progress_counts *c)
{
	if (c->plan_agreed && c->helps_me_mine)
		return PROGRESS_STEADY;
	if (c->limits_mine > 0 || c->helps_me_mine || c->plan_exists || c->chores > 0 ||
	    c->agreements_agreed > 0 || c->agreements_to_answer > 0 || c->breaches_open > 0)
		return PROGRESS_UNDER_WAY;
	return PROGRESS_NOT_STARTED;
}

static enum progress_action next_action(const struct progress_counts *c)
{
	if (!c->paired)
		return PROGRESS_INVITE_PARTNER;
	if (!c->checked_in_now)
		return c->waiting_now ? PROGRESS_CHECKIN_REVEAL : PROGRESS_CHECKIN;
	if (c->shares_to_ack > 0)
		return PROGRESS_ACK_SHARE;
	if (c->plan_to_accept)
		return PROGRESS_ACCEPT_PLAN;
	if (c->breaches_to_write > 0)
		return PROGRESS_WRITE_REPAIR;
	if (c->agreements_to_answer > 0)
		return PROGRESS_ANSWER_AGREEMENT;
	if (c->agreements_to_review > 0)
		return PROGRESS_REVIEW_AGREEMENT;
	if (c->activities_overdue > 0)
		return PROGRESS_ACTIVITY_DONE;
	if (step1_status(c) == PROGRESS_NOT_STARTED)
		return PROGRESS_WRITE_JOURNAL;
	if (c->shares_mine == 0)
		return PROGRESS_SHARE_CARD;
	if (c->activities_upcoming == 0)
		return PROGRESS_PLAN_ACTIVITY;
	if (!c->plan_exists)
		return PROGRESS_PROPOSE_PLAN;
	return PROGRESS_KEEP_GOING;
}

void progress_assess(const struct progress_counts *counts, struct progress *ret)
{
	struct progress out;

	memset(&out, 0, sizeof(out));
	if (counts) {
		out.step1 = step1_status(counts);
		out.step2 = step2_status(counts);
		out.step3 = step3_status(counts);
		out.next = next_action(counts);
	} else {
		out.next = PROGRESS_KEEP_GOING;
	}
	*ret = out;
}
