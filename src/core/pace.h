/*
 * pace.h: the intimacy pace ladder (step 5, "be patient and kind").
 *
 * Nine rungs, from holding hands through the three stages of sensate
 * focus to intercourse.  Each partner answers each rung privately: yes,
 * maybe or not yet.  The couple sees only what both want: the rungs both
 * said yes to, and apart from them those both said yes or maybe to, and
 * only once both have answered every rung, so that the moment of one
 * answer tells nothing.  Nothing here ever hands one partner the other's
 * own choice, or tells "not yet" from no answer.
 *
 * Either partner may pause, without a reason: while any pause stands,
 * nothing is shown as wanted by both.  Only whoever paused resumes; when
 * both paused, each resumes their own.
 *
 * Return values: 0, a positive enum item_result (ITEM_INVALID with the
 * field, ITEM_FORBIDDEN for a therapist, or for resuming a pause the
 * partner made), or a negative errno.
 */
#ifndef KINTSUGI_CORE_PACE_H
#define KINTSUGI_CORE_PACE_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

/* The rungs, in the ladder's order (API.md, "Patience and kindness"). */
enum pace_rung {
	PACE_HANDS,
	PACE_HUG,
	PACE_KISS,
	PACE_CUDDLE,
	PACE_MASSAGE,
	PACE_SENSATE_1, /* non-genital touch */
	PACE_SENSATE_2, /* genital touch, no intercourse */
	PACE_SENSATE_3, /* mutual touch */
	PACE_INTERCOURSE,
	_PACE_RUNG_MAX
};

/* One answer; PACE_NONE: not answered (or, for `both`, nothing shown). */
enum pace_choice { PACE_NONE, PACE_NOT_YET, PACE_MAYBE, PACE_YES, _PACE_CHOICE_MAX };

/* The rungs' keys ("hands", ..., NULL-terminated), the choices' ("yes", "maybe", "not_yet"). */
extern const char *const pace_rung_keys[_PACE_RUNG_MAX + 1];
extern const char *const pace_choice_keys[];
/*
 * The page's form fields: one optional choice per rung, named by its key, in
 * rung order.  (The kind's sealed record holds a one-byte code per rung,
 * pace.c's, so that its length never depends on the answers.)
 */
extern const struct field pace_fields[_PACE_RUNG_MAX];
extern const struct item_kind pace_kind;
extern const struct item_kind pace_pause_kind;

/* pace_rung_title() - the rung's name, N_() (translate it with _()); NULL when out of range. */
const char *pace_rung_title(size_t rung);
/* pace_rung_find() - the rung whose key is the len bytes at key, or -1. */
int pace_rung_find(const char *key, size_t len);
/* pace_choice_find() - the choice named by the len bytes at s, or PACE_NONE. */
enum pace_choice pace_choice_find(const char *s, size_t len);
/* pace_choice_key() - "yes", "maybe", "not_yet", or NULL for PACE_NONE. */
const char *pace_choice_key(enum pace_choice c);

/*
 * pace_reveal() - the one rule of what both see, pure: both[i] is PACE_YES
 * when mine[i] and theirs[i] are both yes, PACE_MAYBE when both are yes or
 * maybe and not both yes, else PACE_NONE; and every both[i] is PACE_NONE
 * while paused or until each of mine and theirs holds an answer for every
 * rung.  The same for either partner (it is symmetric).
 */
void pace_reveal(const enum pace_choice mine[_PACE_RUNG_MAX],
		 const enum pace_choice theirs[_PACE_RUNG_MAX], int paused,
		 enum pace_choice both[_PACE_RUNG_MAX]);

/* What one partner may see of the ladder. */
struct pace {
	enum pace_choice mine[_PACE_RUNG_MAX]; /* the reader's own answers */
	enum pace_choice both[_PACE_RUNG_MAX]; /* pace_reveal()'s, never the partner's own */
	int paused;			       /* a pause stands, whoever made it */
	int paused_by_me;		       /* the reader made one of them: they may resume */
	/* the day the first standing pause began, "" when none */
	char paused_since[STORE_TIME_LEN + 1];
};

/* pace_read() - the ladder as the reader (a partner) may see it. */
int pace_read(const struct core *c, const struct session *s, struct pace *ret);

/*
 * pace_answer() - set the reader's answers: choices[i] (a choice key) for
 * each rung given, NULL to keep what was there.  An unknown choice is
 * ITEM_INVALID with *field the rung's key; nothing is changed then.  On
 * success *ret (may be NULL) holds the ladder as it now stands.
 */
int pace_answer(const struct core *c, const struct session *s,
		const char *const choices[_PACE_RUNG_MAX], struct pace *ret, const char **field);

/*
 * pace_answer_one() - pace_answer() for one rung named by the len bytes at
 * key: an unknown key is ITEM_INVALID with *field "rung", an unknown
 * choice ITEM_INVALID with *field "choice".
 */
int pace_answer_one(const struct core *c, const struct session *s, const char *key, size_t len,
		    const char *choice, struct pace *ret, const char **field);

/*
 * pace_pause() - the reader pauses (again: nothing changes); pace_resume()
 * - the reader lifts their own pause: ITEM_FORBIDDEN when only the partner
 * paused, nothing changes when nobody did.  *ret (may be NULL) as now.
 */
int pace_pause(const struct core *c, const struct session *s, struct pace *ret);
int pace_resume(const struct core *c, const struct session *s, struct pace *ret);

/* For the home page: where the reader's ladder stands. */
struct pace_summary {
	int paused;
	size_t both_yes;   /* rungs both said yes to (0 while paused) */
	size_t both_maybe; /* rungs both said yes or maybe to, not both yes */
	size_t unanswered; /* rungs the reader has not answered yet */
};

/* pace_summary() - pace_read(), counted. */
int pace_summary(const struct core *c, const struct session *s, struct pace_summary *ret);

#endif
