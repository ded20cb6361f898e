/*
 * summary.h: the session-prep summary (step 4): for a date range, what
 * the caller chose to share with the care team, gathered into one page to
 * print (/summary) or one JSON answer (GET /api/v1/summary), for a session
 * with the couple's therapist.
 *
 * What goes in is the caller's own choice and nothing else:
 *   - every item of theirs, of every kind the registry opens field by
 *     field, shared with "care" and written (created_at) in the range, with
 *     the answers to it that are shared with "care" too (an agreement's
 *     versions, a breach's repairs, a homework's marks);
 *   - their openness cards shared with "care", written in the range;
 *   - their check-ins shared with "care" whose period is in the range, and
 *     the trend of those (trust, closeness, the five dimensions);
 *   - journal entries only when they pick them, one by one, for this
 *     summary (journal ids): the journal is always private, the pick is
 *     not stored anywhere, and it only puts the entry on the caller's own
 *     page or JSON, which reaches nobody unless they print or send it.
 * Never the partner's items (their summary is their own), never anything
 * private but the journal entries picked.
 *
 * The couple's therapist reads the summary of either partner (whose: the
 * member named): the same items, cards and check-ins, which that partner
 * shared with the care team and so the therapist reads anyway, gathered;
 * never a journal entry, and nothing once their access ended.
 *
 * Return values: 0, a positive enum summary_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_SUMMARY_H
#define KINTSUGI_CORE_SUMMARY_H

#include <stddef.h>

#include "core/checkin.h"
#include "core/item.h"
#include "core/journal.h"
#include "core/session.h"
#include "core/share.h"

#define SUMMARY_RANGE_MAX_DAYS 366 /* days in a range, both ends counted: a year (as check-ins) */
#define SUMMARY_JOURNAL_MAX    50  /* journal entries picked for one summary */

enum summary_result {
	SUMMARY_OK = 0,
	SUMMARY_BAD_FROM = 1, /* from missing or not a date (400 "from") */
	SUMMARY_BAD_TO = 2,   /* to missing, not a date, before from, or too far (400 "to") */
	SUMMARY_BAD_JOURNAL =
		3,		/* a pick that is not one of the caller's entries (400 "journal") */
	SUMMARY_BAD_MEMBER = 4, /* not a partner of the couple the caller may read (400 "member") */
	_SUMMARY_RESULT_MAX
};

/* An answer to an item of the summary, shared with the care team. */
struct summary_answer {
	const struct item_kind *kind;
	struct item_view v;
};

/* One item of the caller's, opened, and the answers to it shared with the care team. */
struct summary_item {
	const struct item_kind *kind;
	struct item_view v;
	struct summary_answer *answers; /* oldest first, kind by kind */
	size_t nanswers;
};

/* The trend of the caller's care-shared check-ins in the range, averages in tenths. */
struct summary_trend {
	size_t n;
	int trust_first, trust_last, trust_avg10;
	int closeness_first, closeness_last, closeness_avg10;
	int dims_avg10[_CHECKIN_DIM_MAX];
};

struct summary {
	char member_id[STORE_ID_LEN + 1]; /* whose summary it is */
	char from[CHECKIN_DATE_LEN + 1];
	char to[CHECKIN_DATE_LEN + 1];
	struct summary_item *items; /* by kind in the registry's order, newest first in each */
	size_t nitems;
	struct share *cards;
	size_t ncards;
	struct checkin *checkins; /* oldest period first */
	size_t ncheckins;
	struct summary_trend trend;
	struct journal_entry *journal; /* in the order picked */
	size_t njournal;
};

/*
 * summary_range_check() - from and to as a range (both valid dates, from
 * <= to, at most SUMMARY_RANGE_MAX_DAYS days with both ends): 0 or SUMMARY_BAD_*.
 */
int summary_range_check(const char *from, const char *to);

/*
 * summary_build() - member_id's summary for from..to (inclusive, UTC
 * days), with the njournal journal entries journal_ids picked.  A
 * partner's is their own (member_id NULL or theirs; another is
 * SUMMARY_BAD_MEMBER); a therapist names one of the couple's partners
 * (SUMMARY_BAD_MEMBER otherwise) and picks no journal entry
 * (SUMMARY_BAD_JOURNAL); one whose access ended gets an empty summary
 * (member_id "" in it), whoever they name.  *ret (summary_clear()) is written on success only.
 */
int summary_build(const struct core *c, const struct session *s, const char *member_id,
		  const char *from, const char *to, const char *const *journal_ids, size_t njournal,
		  struct summary *ret);

/*
 * summary_partners() - the couple's partners, whose summaries a therapist
 * reads (oldest first; free *ret); none for a therapist whose access ended.
 * 0 or a negative errno.
 */
int summary_partners(const struct core *c, const struct session *s, struct member_brief **ret,
		     size_t *n);

void summary_clear(struct summary *sm);

#endif
