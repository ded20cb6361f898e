/*
 * progress.h: where a couple stands in steps 1 to 3, and the one thing the
 * home page suggests next.  Pure: it reads counts the caller gathered (the
 * journal, statements, commitments, step 2's tools and step 3's) and
 * touches nothing else, so every rule is a unit test away.
 *
 * No step is ever locked behind another (PROGRAM.md: "the steps overlap");
 * the status only says how far along the reader is, in kind words chosen by
 * the page.  The suggestion puts the partner first: a check-in that waits to
 * be revealed, a card that waits to be heard, or a plan that waits to be
 * read comes before anything the reader could do alone.
 */
#ifndef KINTSUGI_CORE_PROGRESS_H
#define KINTSUGI_CORE_PROGRESS_H

#include <stddef.h>

#define PROGRESS_STEADY_CHECKINS 3 /* of the last 4 periods: a rhythm has taken hold */

/* What the caller counted for the reader. */
struct progress_counts {
	int paired; /* both partners have joined */

	/* step 1: take responsibility */
	size_t journal_entries;	     /* the reader's entries (1 means "at least one") */
	size_t statements_delivered; /* the reader's delivered statements, when known */
	size_t commitments;	     /* the reader's commitments, when known */

	/* step 2: transparency and openness */
	int checked_in_now;	    /* a check-in of the reader's for the current period */
	size_t waiting_now;	    /* the partner's check-in for the current period waits */
	size_t recent_checkins;	    /* of the last 4 periods, how many the reader checked in */
	size_t shares_mine;	    /* openness cards the reader wrote */
	size_t shares_to_ack;	    /* the partner's cards waiting for the reader's "heard" */
	size_t offers_active;	    /* offers that stand, either partner's */
	size_t activities_upcoming; /* planned, not done, today or later */
	size_t activities_overdue;  /* planned before today, not marked done */
	size_t activities_done;

	/* step 3: boundaries */
	size_t limits_mine;	  /* limits the reader wrote */
	int helps_me_mine;	  /* the reader wrote what helps them */
	int plan_exists;	  /* the couple has a conflict plan */
	int plan_agreed;	  /* both accepted its current version */
	int plan_to_accept;	  /* the partner proposed a version the reader has not accepted */
	size_t chores;		  /* chores on the couple's rota */
	size_t agreements_agreed; /* agreements both partners accepted as they stand */
	size_t agreements_to_answer; /* versions the partner proposed that wait for the reader */
	size_t agreements_to_review; /* agreed ones whose review day has come */
	size_t breaches_open;	     /* breaches not repaired yet */
	size_t breaches_to_write;    /* of those, the ones the reader has written no repair for */
};

enum progress_status {
	PROGRESS_NOT_STARTED, /* nothing yet */
	PROGRESS_UNDER_WAY,   /* begun */
	PROGRESS_STEADY,      /* the step's habits are in place */
	_PROGRESS_STATUS_MAX
};

/* The one suggested next action. */
enum progress_action {
	PROGRESS_INVITE_PARTNER, /* the reader is alone: invite the partner */
	PROGRESS_CHECKIN_REVEAL, /* the partner checked in for now: check in to see theirs */
	PROGRESS_CHECKIN,	 /* no check-in for the current period yet */
	PROGRESS_ACK_SHARE,	 /* a card of the partner's waits to be heard */
	PROGRESS_ACCEPT_PLAN, /* the partner proposed a conflict plan: read it, accept it or change
				 it */
	PROGRESS_ANSWER_AGREEMENT, /* the partner proposed an agreement or a change: answer it */
	PROGRESS_REVIEW_AGREEMENT, /* an agreement's review day has come */
	PROGRESS_WRITE_REPAIR,	   /* a breach waits for the reader's side of the repair */
	PROGRESS_ACTIVITY_DONE,	   /* a planned activity's day has passed: how did it go? */
	PROGRESS_WRITE_JOURNAL,	   /* step 1 has not started: a first journal entry */
	PROGRESS_SHARE_CARD,	   /* no openness card yet */
	PROGRESS_PLAN_ACTIVITY,	   /* nothing planned ahead */
	PROGRESS_PROPOSE_PLAN,	   /* no plan for hard conversations yet */
	PROGRESS_KEEP_GOING,	   /* all caught up: a kind word and the journal */
	_PROGRESS_ACTION_MAX
};

struct progress {
	enum progress_status step1;
	enum progress_status step2;
	enum progress_status step3;
	enum progress_action next;
};

/* progress_assess() - the statuses and the suggestion for counts (pure). */
void progress_assess(const struct progress_counts *counts, struct progress *ret);

#endif
