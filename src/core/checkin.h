/*
 * checkin.h: the check-in of step 2 (PROGRAM.md, "Build transparency and
 * openness"), the couple's check-in rhythm, and the calendar arithmetic
 * that step 2 shares (periods, today, date offsets).
 *
 * A member checks in once per period: where they are emotionally,
 * physically, mentally, sexually and financially (1-5 each), trust and
 * closeness (0-10) and an optional note.  A period is a date: the day
 * itself when the couple checks in daily, the Monday of the ISO 8601 week
 * when weekly.  Simultaneous reveal: a partner sees the other's shared
 * check-in for a period only once they have checked in for that period
 * themselves; until then it is only counted as "waiting".  A private
 * check-in (shared with nobody) is never shown to the partner, nor counted.
 *
 * Everything a member enters is sealed: scores, trust, closeness and note
 * together, under a subkey of the care key when shared with the care team
 * (of the couple key while the couple has none), of the couple key when
 * shared with the partner alone, else of the author's master key.  Only the
 * period, the author and who it is shared with stay plain.
 *
 * Only partners check in.  A therapist with active access reads the
 * check-ins either partner shared with the care team, at once (the reveal
 * is between the partners), and writes nothing here; any other member
 * lists nothing.
 *
 * Return values: 0, a positive CHECKIN_* outcome, or a negative errno.
 * Input shapes (dates, ranges, lengths) are checked by the routing table's
 * field declarations; core checks the rules.
 */
#ifndef KINTSUGI_CORE_CHECKIN_H
#define KINTSUGI_CORE_CHECKIN_H

#include <stddef.h>

#include "core/session.h"

#define CHECKIN_DATE_LEN       10   /* "YYYY-MM-DD" */
#define CHECKIN_NOTE_MAX       2000 /* API.md: note 0..2000 characters */
#define CHECKIN_SCORE_MIN      1    /* API.md: scores 1-5 */
#define CHECKIN_SCORE_MAX      5
#define CHECKIN_LEVEL_MIN      0 /* API.md: trust and closeness 0-10 */
#define CHECKIN_LEVEL_MAX      10
#define CHECKIN_RANGE_MAX_DAYS 366 /* one list covers at most a year: bounded work */
#define CHECKIN_FUTURE_DAYS    1   /* today + 1: members ahead of UTC are already there */

enum checkin_result {
	CHECKIN_OK = 0,
	CHECKIN_NOTFOUND = 1,	/* missing, another couple's, or hidden: the same answer */
	CHECKIN_CONFLICT = 2,	/* the member already checked in for that period (409) */
	CHECKIN_BAD_PERIOD = 3, /* not a period of the couple's rhythm, or too far ahead (400) */
	CHECKIN_FORBIDDEN = 4,	/* the partner's check-in, visible to the caller: not theirs; or
				 * the caller is not a partner (403) */
	CHECKIN_BAD_RANGE = 5,	/* from after to, or more than CHECKIN_RANGE_MAX_DAYS (400) */
	_CHECKIN_RESULT_MAX
};

/* The five dimensions, in the order of the form and of struct checkin.scores. */
enum checkin_dim {
	CHECKIN_EMOTIONAL,
	CHECKIN_PHYSICAL,
	CHECKIN_MENTAL,
	CHECKIN_SEXUAL,
	CHECKIN_FINANCIAL,
	_CHECKIN_DIM_MAX
};

/* "emotional", "physical", "mental", "sexual", "financial", NULL. */
extern const char *const checkin_dims[];
/* "daily", "weekly", NULL: the rhythms a couple can choose. */
extern const char *const checkin_rhythms[];

/* What a member enters; validated by the caller. */
struct checkin_input {
	const char *period; /* YYYY-MM-DD; for a change NULL, or the check-in's own period */
	int scores[_CHECKIN_DIM_MAX];
	int trust;
	int closeness;
	const char *note; /* NULL or "" for none */
	size_t note_len;
	unsigned shared_with; /* ACCESS_SHARE_* bits */
};

/* A check-in as its reader sees it. */
struct checkin {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine; /* 1 when the reader wrote it */
	char period[CHECKIN_DATE_LEN + 1];
	char rhythm[8];
	int scores[_CHECKIN_DIM_MAX];
	int trust;
	int closeness;
	char *note; /* malloc'd, NUL-terminated, or NULL when there is none */
	size_t note_len;
	unsigned shared_with;
	char created_at[STORE_TIME_LEN + 1];
	char updated_at[STORE_TIME_LEN + 1];
};

/* A list: the reader's own and the partner's revealed check-ins, newest
 * period first (the reader's own first within a period). */
struct checkin_list {
	struct checkin *items; /* malloc'd, NULL when n is 0 */
	size_t n;
	size_t waiting; /* the partner's shared check-ins for periods the reader has not checked in
			 */
	char (*waiting_periods)[CHECKIN_DATE_LEN +
				1]; /* their periods, `waiting` of them (malloc'd) */
};

/* What the home page needs to know, counted without opening anything. */
struct checkin_counts {
	int checked_in_now;   /* the reader has a check-in for the current period */
	size_t waiting_now;   /* the partner's shared one for the current period waits (0 or 1) */
	size_t waiting;	      /* as in struct checkin_list, over the recent periods */
	size_t recent_mine;   /* of the last 4 periods (the current one included), how many the
			       * reader checked in */
	size_t recent_shared; /* of those, how many the partner can see (shared with partner) */
};

/* How a check-in appears to a reader: the reveal rule, see checkin_sight(). */
enum checkin_sight {
	CHECKIN_HIDDEN,	 /* not shown, not counted */
	CHECKIN_WAITING, /* counted in `waiting`, no content */
	CHECKIN_SHOWN,	 /* shown in full */
	_CHECKIN_SIGHT_MAX
};

/*
 * checkin_sight() - the simultaneous-reveal rule, as a pure function.
 * mine: the reader wrote it.  readable: access_allows() lets the reader
 * read it (shared with them, same couple).  reader_has_period: the reader
 * has a check-in of their own for the same period.  The author always sees
 * their own; an unreadable one is hidden; a readable one is shown only when
 * the reader checked in for that period too, and waits otherwise.
 */
enum checkin_sight checkin_sight(int mine, int readable, int reader_has_period);

/* Calendar ------------------------------------------------------------ */

/*
 * checkin_date_days() - days since 1970-01-01 of a valid "YYYY-MM-DD"
 * (year 0001-9999, a day that exists; proleptic Gregorian).  0 with *ret,
 * or -EINVAL.  checkin_days_date() is its inverse; it writes "" (and gives
 * -ERANGE) outside years 0001-9999.
 */
int checkin_date_days(const char *date, long *ret);
int checkin_days_date(long days, char out[CHECKIN_DATE_LEN + 1]);
/* checkin_date_add() - date + days into out; 0, -EINVAL or -ERANGE. */
int checkin_date_add(const char *date, long days, char out[CHECKIN_DATE_LEN + 1]);
/* checkin_today() - today's UTC date plus offset_days. */
void checkin_today(char out[CHECKIN_DATE_LEN + 1], long offset_days);
/* checkin_weekday() - ISO 8601 weekday of a valid date: 1 Monday .. 7 Sunday; -EINVAL. */
int checkin_weekday(const char *date);

/*
 * checkin_period_of() - the period that holds date under rhythm ("daily":
 * the date itself; "weekly": the Monday of its ISO week).  0, or -EINVAL
 * for a bad date or rhythm (out is not written then).
 */
int checkin_period_of(const char *rhythm, const char *date, char out[CHECKIN_DATE_LEN + 1]);
/*
 * checkin_period_ok() - 0 when period is a period of rhythm that has begun
 * by today + CHECKIN_FUTURE_DAYS: any date up to then for "daily", a
 * Monday up to the Monday of then for "weekly".  CHECKIN_BAD_PERIOD
 * otherwise; -EINVAL for a bad rhythm or today.  Pure: today is given.
 */
int checkin_period_ok(const char *rhythm, const char *period, const char *today);
/*
 * checkin_period_step() - the period `steps` periods after (negative:
 * before) period under rhythm.  0, -EINVAL, -ERANGE.
 */
int checkin_period_step(const char *rhythm, const char *period, long steps,
			char out[CHECKIN_DATE_LEN + 1]);

/* Rhythm ------------------------------------------------------------- */

/* checkin_rhythm_get() - the couple's rhythm ("daily" | "weekly") into out. */
int checkin_rhythm_get(const struct core *c, const struct session *s, char out[8]);
/* checkin_rhythm_set() - either partner sets it; rhythm must be one of checkin_rhythms. */
int checkin_rhythm_set(const struct core *c, const struct session *s, const char *rhythm);

/* Check-ins ----------------------------------------------------------- */

/*
 * checkin_add() - the reader's check-in for in->period.  CHECKIN_BAD_PERIOD
 * when the period does not fit the couple's rhythm or lies ahead,
 * CHECKIN_CONFLICT when there is one already.  On success *ret holds it
 * (free with checkin_clear()); *ret is not written on failure.
 */
int checkin_add(const struct core *c, const struct session *s, const struct checkin_input *in,
		struct checkin *ret);
/*
 * checkin_change() - replace the scores, levels, note and sharing of the
 * reader's own check-in id (the period stays; in->period, when not NULL,
 * must be the same: else CHECKIN_BAD_PERIOD).  CHECKIN_FORBIDDEN when id is
 * the partner's and the reader can see it, CHECKIN_NOTFOUND when nobody
 * could tell it exists.
 */
int checkin_change(const struct core *c, const struct session *s, const char *id,
		   const struct checkin_input *in, struct checkin *ret);
/*
 * checkin_read() - one check-in the reader may see: their own, or the
 * partner's shared one for a period the reader has checked in too; for a
 * therapist with active access, one shared with the care team.  Any other
 * (hidden, waiting, another couple's) is CHECKIN_NOTFOUND.
 */
int checkin_read(const struct core *c, const struct session *s, const char *id,
		 struct checkin *ret);
/*
 * checkin_list() - what the reader may see with from <= period <= to (both
 * valid dates, at most CHECKIN_RANGE_MAX_DAYS apart unless c->whole_lists,
 * else CHECKIN_BAD_RANGE), and how many of the partner's wait; for a
 * therapist, the check-ins either partner shared with the care team (none
 * wait).  Free with checkin_list_free().
 */
int checkin_list(const struct core *c, const struct session *s, const char *from, const char *to,
		 struct checkin_list *ret);
/* checkin_counts() - the home page's numbers for the period that holds today. */
int checkin_counts(const struct core *c, const struct session *s, const char *today,
		   struct checkin_counts *ret);

/* Free what a check-in holds (the note is wiped first); accept NULL. */
void checkin_clear(struct checkin *ci);
void checkin_list_free(struct checkin_list *list);

/*
 * checkin_leave() - as statement_leave() for check-ins: private ones (and
 * those shared with the care team alone, which older versions took and
 * which are private) move, those shared with the partner are copied and
 * stay under the former-partner row ghost_id.  ghost_id NULL: a new
 * master key (statement_leave()): private ones only, in place.
 */
int checkin_leave(const struct core *c, const struct session *from, const struct session *to,
		  const char *ghost_id);

/*
 * checkin_care_reseal() - inside the caller's transaction, as
 * item_care_reseal(): every check-in of from's couple shared with the care
 * team, opened as `from` opens it, sealed again under to's care key (its
 * couple key when to holds none).  One that does not open stays as it is.
 * 0 or < 0.
 */
int checkin_care_reseal(const struct core *c, const struct session *from, const struct session *to);

#endif
