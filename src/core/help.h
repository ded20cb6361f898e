/*
 * help.h: the help signals of step 4 (PROGRAM.md, "Seek professional
 * help"): when the couple's own data says that a therapist could help, the
 * app says so, with the reason in plain words.  Five rules, each a code:
 *
 *   trust_falling  a partner's trust score fell three periods in a row:
 *                  four check-ins in consecutive periods of the couple's
 *                  rhythm, each trust lower than the one before, the
 *                  newest of them within the last HELP_RECENT_DAYS days;
 *   breaches       two or more breaches recorded within the last
 *                  HELP_RECENT_DAYS days (today included);
 *   overwhelmed    a partner said they are overwhelmed within the last
 *                  HELP_RECENT_DAYS days: a help request of that kind, or
 *                  "overwhelmed" among the feelings of a repair the reader
 *                  may read;
 *   sexual_low     a partner's sexual score was 1 or 2 in every check-in
 *                  over at least 30 days (from the start of the oldest
 *                  such check-in to the end of the newest, which is within
 *                  the last HELP_RECENT_DAYS days);
 *   asked          a partner asked for professional help within the last
 *                  HELP_RECENT_DAYS days.
 *
 * Signals read only what the reader may read: their own check-ins, and the
 * partner's only when shared with them and revealed (the reader checked in
 * for the same period); the breaches and repairs the reader may read; the
 * help requests of both (a request is always shared with the partner).  So
 * a signal never tells the reader anything of the partner they could not
 * read themselves.
 *
 * Each signal has a `since`: the time its present cause began (the start
 * of the period of the third fall; the start of the period in which the
 * low sexual scores reached 30 days; the newest breach, request or repair
 * that raised it, as the reader may see its time).  A member dismisses a
 * signal for themselves; the dismissal names the items that caused it, so
 * it holds until the cause changes (a new request, breach or repair, a new
 * run of falls or of low scores) and the signal then shows again.  A
 * dismissal is an item of its own (help_dismissal), private to its author
 * and sealed: which signal one set aside is nobody else's business.
 *
 * A help request ("I'd like professional help", "I'm overwhelmed") is an
 * item (help_request), always shared with the partner (never with the care
 * team), its kind and optional note sealed under the couple key: the
 * partner sees the signal and, on the help page, the note.
 *
 * Only partners have signals, make requests or dismiss: anyone else gets
 * ITEM_FORBIDDEN.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_HELP_H
#define KINTSUGI_CORE_HELP_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define HELP_RECENT_DAYS 30   /* the window of the rules, today included */
#define HELP_LOW_DAYS	 30   /* sexual_low: how long the low scores last */
#define HELP_LOW_MAX	 2    /* sexual_low: a score of 1 or 2 */
#define HELP_FALLS	 3    /* trust_falling: falls in a row */
#define HELP_NOTE_MAX	 1000 /* a request's note: characters */
#define HELP_MARK_MAX	 80   /* a dismissal's mark: two ids and a ':' */

enum help_code {
	HELP_TRUST_FALLING,
	HELP_BREACHES,
	HELP_OVERWHELMED,
	HELP_SEXUAL_LOW,
	HELP_ASKED,
	_HELP_CODE_MAX
};

/* "trust_falling", "breaches", "overwhelmed", "sexual_low", "asked", NULL. */
extern const char *const help_codes[];
/* "asked", "overwhelmed", NULL: the kinds of a help request. */
extern const char *const help_request_kinds[];

/* help_code_find() - the code named name, or -1. */
int help_code_find(const char *name);

/* Whose data raised a signal (both may). */
#define HELP_WHO_ME	 1u
#define HELP_WHO_PARTNER 2u

struct help_signal {
	enum help_code code;
	unsigned who; /* HELP_WHO_* bits; 0 for breaches, which are the couple's */
	char since[STORE_TIME_LEN + 1];
	char mark[HELP_MARK_MAX + 1]; /* the ids of the items that raised it */
	int dismissed;		      /* the reader set it aside, and its cause has not changed */
};

/*
 * help_signal_reason() - the reason of a signal in plain words, marked N_()
 * (translate it at the edge): by its code and whose data raised it.
 */
const char *help_signal_reason(const struct help_signal *sig);

/*
 * help_signals() - the reader's signals as of today (YYYY-MM-DD, UTC),
 * at most one per code, in the order of enum help_code, into out (room for
 * _HELP_CODE_MAX), *n of them; dismissed ones are in it with dismissed set.
 * ITEM_FORBIDDEN for a member who is not a partner.
 */
int help_signals(const struct core *c, const struct session *s, const char *today,
		 struct help_signal out[_HELP_CODE_MAX], size_t *n);

/*
 * help_dismiss() - the reader sets the signal `code` aside for themselves,
 * as it is now: ITEM_NOTFOUND when the reader has no such signal now (or
 * code is not one), 0 when it is set aside (again: nothing changes).
 */
int help_dismiss(const struct core *c, const struct session *s, const char *code);

/* The fields of a help request, in this order: kind, note (both sealed). */
enum { HELP_REQ_F_KIND, HELP_REQ_F_NOTE, HELP_REQ_NFIELDS };
extern const struct field help_request_fields[HELP_REQ_NFIELDS];
/* The fields of a dismissal: code, mark (both sealed). */
enum { HELP_DIS_F_CODE, HELP_DIS_F_MARK, HELP_DIS_NFIELDS };
extern const struct field help_dismissal_fields[HELP_DIS_NFIELDS];

extern const struct item_kind help_request_kind, help_dismissal_kind;

/*
 * help_request_add() - the reader asks for help (kind "asked") or says
 * they are overwhelmed ("overwhelmed"), with an optional note (NULL or
 * len 0: none).  ITEM_INVALID with *field.  *out (item_view_clear()) is
 * the request as stored.
 */
int help_request_add(const struct core *c, const struct session *s, const char *kind,
		     const char *note, size_t len, struct item_view *out, const char **field);

/*
 * help_requests_list() - the requests the reader may read (their own and
 * the partner's), newest first; free with item_views_free().
 */
int help_requests_list(const struct core *c, const struct session *s, struct item_view **out,
		       size_t *n);

/* help_dismissals_list() - the reader's own dismissals, newest first (item_views_free()). */
int help_dismissals_list(const struct core *c, const struct session *s, struct item_view **out,
			 size_t *n);

#endif
