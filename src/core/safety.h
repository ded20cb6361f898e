/*
 * safety.h: the private safety check (PROGRAM.md, "Across the steps";
 * API.md, "Safety and ownership") and the help it leads to.
 *
 * Four questions (afraid of the partner, threatened, hurt, forced or
 * pressured into sexual acts); any yes is a concern.  The answers and
 * their time are sealed together under a subkey of the member's own master
 * key, in a record of one length whatever the answers, so that nothing
 * stored reveals them: not to the partner, not to a therapist, not to
 * whoever can read the database.  Only the member's own session opens
 * them.  No function here writes an audit event or a log line.
 *
 * The help (national lines, why couples work is not advised where there
 * is abuse, how to leave safely) is a text file per language,
 * data/safety/<lang>.txt, parsed at start-up by safety_help_load() and
 * kept in memory.
 */
#ifndef KINTSUGI_CORE_SAFETY_H
#define KINTSUGI_CORE_SAFETY_H

#include <stddef.h>

#include "core/session.h"

#define SAFETY_QUESTIONS 4

/* The questions, in the order of the form and of the record. */
enum safety_question {
	SAFETY_AFRAID = 0,     /* afraid of the partner */
	SAFETY_THREATENED = 1, /* threatened by them */
	SAFETY_HURT = 2,       /* hurt by them (hit, pushed, choked...) */
	SAFETY_FORCED = 3,     /* forced or pressured into sexual acts */
	_SAFETY_QUESTION_MAX
};

/* safety_question_name() - the body field of question q ("afraid", ...), or NULL. */
const char *safety_question_name(unsigned q);

enum safety_result {
	SAFETY_NONE = 0,    /* the member never took the check (or it did not open) */
	SAFETY_OK = 1,	    /* every answer was no */
	SAFETY_CONCERN = 2, /* at least one answer was yes */
	_SAFETY_RESULT_MAX
};

/* safety_result_name() - "ok" or "concern" as API.md names them; NULL for SAFETY_NONE. */
const char *safety_result_name(enum safety_result r);

struct safety_check {
	enum safety_result result;
	unsigned char yes[SAFETY_QUESTIONS]; /* 1: yes, 0: no; by enum safety_question */
	char at[STORE_TIME_LEN + 1];	     /* when; "" for SAFETY_NONE */
};

/*
 * safety_rekey() - the member's master key changes (issue 11 part 4): their
 * latest check, opened for from, is sealed again for to (the same member
 * and couple, a new master key), as its next version.  Inside the caller's
 * transaction.  0 (also when there is none) or < 0.
 */
int safety_rekey(const struct core *c, const struct session *from, const struct session *to);

/*
 * safety_record() - the session's member answers the check now (yes[q] is
 * 1 for yes, 0 for no): their previous answers are replaced.  *ret (may be
 * NULL) gets the check as stored.  0 or a negative errno (-EAGAIN when two
 * checks of the member raced and this one kept losing); nothing is logged
 * or audited.
 */
int safety_record(const struct core *c, const struct session *s,
		  const unsigned char yes[SAFETY_QUESTIONS], struct safety_check *ret);

/*
 * safety_latest() - the member's latest check into *ret: result SAFETY_NONE
 * when they never took it, or when its row does not open (damaged or
 * moved: counted as unreadable, and the member may simply take it again).
 * 0 or a negative errno.
 */
int safety_latest(const struct core *c, const struct session *s, struct safety_check *ret);

/*
 * safety_concern() - 1 when the member's latest check is a concern, 0 when
 * it is not (or there is none), or a negative errno: the one question a
 * page asks before it shows a couple exercise.
 */
int safety_concern(const struct core *c, const struct session *s);

/*
 * safety_leave() - inside the leave's transaction, after the member moved
 * from from->couple_id to to->couple_id: their latest check goes with them,
 * the same answers and time sealed again for the new couple (under to->mk),
 * so that a concern keeps the couple exercises paused in the new space.  0
 * when there was none, or it did not open (counted as unreadable), or a
 * negative errno.
 */
int safety_leave(const struct core *c, const struct session *from, const struct session *to);

/*
 * safety_paused_route() - 1 when a route pattern (a page's, or the API's
 * under /api/v1) is a couple exercise: what a member whose check showed a
 * concern is not asked to do, and what a partner could press them through.
 */
int safety_paused_route(const char *pattern);

/* safety_check_clear() - wipe a check (it holds the answers); accepts NULL. */
void safety_check_clear(struct safety_check *chk);

/* ---- the help ---------------------------------------------------------- */

#define SAFETY_HELP_BYTES_MAX (64 * 1024) /* one language's file: a few pages of text */
#define SAFETY_COUNTRIES_MAX  24	  /* per language: the countries that speak it, and "*" */
#define SAFETY_LINES_MAX      96	  /* per language, all countries together */
#define SAFETY_PARAS_MAX      16	  /* paragraphs of "about", items of "leave" */
#define SAFETY_FIELD_MAX      1200 /* bytes of one value: a paragraph of Cyrillic is two a letter */

/* One help line: a service, how to reach it, its site, where it was checked. */
struct safety_line {
	const char *name;    /* "National Domestic Violence Hotline" */
	const char *contact; /* "1-800-799-7233, or text START to 88788" */
	const char *url;     /* https:// */
	const char *source;  /* https://: the page that publishes the number */
};

/* A country's lines: lines[first] .. lines[first + n - 1] of its help. */
struct safety_country {
	const char *code; /* ISO 3166-1 alpha-2 ("US"), or "*" for lines that serve anywhere */
	const char *name; /* "United States", in the file's language */
	size_t first, n;
};

/* One language's help, as parsed; every string points into text. */
struct safety_help {
	char *text;	     /* the file, with NULs where values end (owned) */
	const char *checked; /* "YYYY-MM-DD": when the lines were last checked */
	const char
		*about[SAFETY_PARAS_MAX]; /* why couples work is not advised where there is abuse */
	size_t nabout;
	const char *leave[SAFETY_PARAS_MAX]; /* how to leave safely */
	size_t nleave;
	struct safety_country countries[SAFETY_COUNTRIES_MAX];
	size_t ncountries;
	struct safety_line lines[SAFETY_LINES_MAX];
	size_t nlines;
};

/*
 * safety_help_parse() - the help in buf (len bytes of UTF-8 text), one
 * "key: value" a line; blank lines and lines that begin with '#' are
 * skipped:
 *   checked: YYYY-MM-DD               once
 *   about: a paragraph                1 to SAFETY_PARAS_MAX times
 *   leave: a step                     1 to SAFETY_PARAS_MAX times
 *   country: CC Name                  CC two capital letters, or "*"
 *   line: name | contact | https://site | https://source
 * Every country holds at least one line, a line follows a country, no
 * country appears twice, and "*" is there.  *ret (malloc'd; free with
 * safety_help_free()) on success; else -EINVAL with the line number and
 * the reason in err, or -ENOMEM.  Pure: (buf, len) in, no I/O.
 */
int safety_help_parse(const char *buf, size_t len, struct safety_help **ret, char *err,
		      size_t errlen);
void safety_help_free(struct safety_help *h);

/*
 * safety_help_set() - make h the help of lang ("en", "es", "ru"), which
 * then owns it (the one it replaces is freed).  At start-up only, before
 * the server threads run.  0, or -EINVAL for another language.
 * safety_help_reset() - free every language's help (safe to call twice).
 */
int safety_help_set(const char *lang, struct safety_help *h);
void safety_help_reset(void);

/* safety_help_of() - the help of lang (English for another code), or NULL before any load. */
const struct safety_help *safety_help_of(const char *lang);

/*
 * safety_help_shows() - whether country i of h is shown to someone in
 * region (an ISO code, or NULL when unknown): when h has that country, its
 * lines and the "*" ones; otherwise every country's.  all: every country's
 * anyway.
 */
int safety_help_shows(const struct safety_help *h, size_t i, const char *region, int all);

/* safety_help_has() - 1 when h lists region (a country code) among its countries. */
int safety_help_has(const struct safety_help *h, const char *region);

#endif
