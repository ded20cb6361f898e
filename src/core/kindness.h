/*
 * kindness.h: step 5, "be patient and kind": appreciations, the trigger
 * plan and "I'm triggered".
 *
 * - An appreciation is a short note of thanks ("what it meant to me"
 *   beside it, if its author likes), always shared with the partner and
 *   sealed under the couple key.  The partner says thanks once; its author
 *   cannot thank their own (ITEM_FORBIDDEN), a second thanks is
 *   ITEM_CONFLICT.  Now and then an older one comes back ("remember
 *   when": appreciation_remember()).
 * - The trigger plan is each partner's one plan (as "what helps me"): what
 *   they would like when triggered (reassurance, space, talk later, a hug)
 *   and the words that help, shared with the partner or kept private.
 * - "I'm triggered" is one tap that tells the partner at once, with the
 *   plan if it is shared with them; the partner answers it ("I'm here")
 *   once; its author cannot (ITEM_FORBIDDEN), a second is ITEM_CONFLICT.
 *
 * Nothing here counts days in a row, scores or "missed" anything.
 * Partners only: a therapist neither makes nor reads these.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_KINDNESS_H
#define KINTSUGI_CORE_KINDNESS_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define APPRECIATION_BODY_MAX	   1000 /* characters */
#define APPRECIATION_MEANT_MAX	   1000 /* characters */
#define APPRECIATION_MAX	   200	/* the appreciations a list shows, newest first */
#define APPRECIATION_REMEMBER_DAYS 7	/* "remember when" takes those older than this */
#define TRIGGER_WORDS_MAX	   2000 /* characters */
#define TRIGGERED_NOTE_MAX	   500	/* characters */
#define TRIGGERED_MAX		   50	/* the alerts a list shows, newest first */
#define TRIGGERED_OPEN_HOURS	   24	/* an alert unanswered this long still shows on home */

enum { APPRECIATION_F_BODY, APPRECIATION_F_MEANT, APPRECIATION_NFIELDS };
extern const struct field appreciation_fields[APPRECIATION_NFIELDS];
extern const struct item_kind appreciation_kind, appreciation_thanks_kind;

enum { TRIGGER_PLAN_F_WANTS, TRIGGER_PLAN_F_WORDS, TRIGGER_PLAN_F_SHARED, TRIGGER_PLAN_NFIELDS };
extern const struct field trigger_plan_fields[TRIGGER_PLAN_NFIELDS];
extern const struct item_kind trigger_plan_kind;
/* the choices of "wants", in the order the page shows them; NULL-ended */
#define TRIGGER_WANTS_N 4
extern const char *const trigger_wants[TRIGGER_WANTS_N + 1];

enum { TRIGGERED_F_NOTE, TRIGGERED_NFIELDS };
extern const struct field triggered_fields[TRIGGERED_NFIELDS];
extern const struct item_kind triggered_kind, triggered_answer_kind;

/* An appreciation, opened, and whether the partner said thanks. */
struct appreciation {
	struct item_view v; /* values[APPRECIATION_F_*] */
	int thanked;
	char thanked_at[STORE_TIME_LEN + 1]; /* "" until thanked; a day unless the reader thanked */
	int can_thank; /* the reader is the partner and it is not thanked yet */
};

/*
 * appreciation_write() - a new appreciation from v (body, meant?), shared
 * with the partner.  ITEM_INVALID with *field; ITEM_FORBIDDEN for one who
 * is not a partner.  *ret (appreciation_clear()) on success only.
 */
int appreciation_write(const struct core *c, const struct session *s, const struct item_values *v,
		       struct appreciation *ret, const char **field);
/*
 * appreciation_thank() - the reader thanks the partner's appreciation id:
 * ITEM_NOTFOUND (missing, another couple's), ITEM_FORBIDDEN (their own),
 * ITEM_CONFLICT (thanked already, also when two race).  *ret on success.
 */
int appreciation_thank(const struct core *c, const struct session *s, const char *id,
		       struct appreciation *ret);
/* appreciation_list() - the couple's newest APPRECIATION_MAX, newest first, with their thanks. */
int appreciation_list(const struct core *c, const struct session *s, struct appreciation **ret,
		      size_t *n);
/*
 * appreciation_remember() - for home's "remember when": one appreciation
 * the reader may read written more than APPRECIATION_REMEMBER_DAYS before
 * today (YYYY-MM-DD), picked by the day, so the same one shows all day
 * and another comes back on another day.  *found 0 (and *ret untouched)
 * when there is none that old.
 */
int appreciation_remember(const struct core *c, const struct session *s, const char *today,
			  struct appreciation *ret, int *found);
void appreciation_clear(struct appreciation *a);
void appreciation_list_free(struct appreciation *list, size_t n);

/* The reader's plan and, when shared with them, the partner's. */
struct trigger_plan {
	struct item_view mine, partner; /* values[TRIGGER_PLAN_F_*]; wants joined with ',' */
	int has_mine, has_partner;
};

int trigger_plan_read(const struct core *c, const struct session *s, struct trigger_plan *ret);
/*
 * trigger_plan_write() - the reader's plan from v (wants and words; at
 * least one of them, else ITEM_INVALID naming "wants"), shared as
 * shared_with allows (the partner or nobody): written the first time,
 * changed after.  *ret holds both plans as they now stand.
 */
int trigger_plan_write(const struct core *c, const struct session *s, const struct item_values *v,
		       unsigned shared_with, struct trigger_plan *ret, const char **field);
void trigger_plan_clear(struct trigger_plan *p);

/* An "I'm triggered" alert, opened, and whether the partner answered. */
struct triggered {
	struct item_view v; /* values[TRIGGERED_F_NOTE] */
	int answered;
	char answered_at[STORE_TIME_LEN + 1]; /* "" until answered */
	int can_answer;			      /* the reader is the partner and it is unanswered */
	int open; /* unanswered and raised within TRIGGERED_OPEN_HOURS */
};

/*
 * triggered_raise() - "I'm triggered", with a note (NULL or len 0: none):
 * the partner sees it at once.  ITEM_INVALID with *field.
 */
int triggered_raise(const struct core *c, const struct session *s, const char *note, size_t len,
		    struct triggered *ret, const char **field);
/*
 * triggered_answer() - the partner's "I'm here" to alert id: ITEM_NOTFOUND,
 * ITEM_FORBIDDEN (the reader's own), ITEM_CONFLICT (answered already).
 */
int triggered_answer(const struct core *c, const struct session *s, const char *id,
		     struct triggered *ret);
/* triggered_list() - both partners' newest TRIGGERED_MAX alerts, newest first. */
int triggered_list(const struct core *c, const struct session *s, struct triggered **ret,
		   size_t *n);
/*
 * kindness_home() - what home shows of this part: *open_alerts, how many
 * of the partner's alerts are open (unanswered, raised within
 * TRIGGERED_OPEN_HOURS), and *has_plan, whether the reader wrote a trigger
 * plan.  A therapist: 0 and 0.
 */
int kindness_home(const struct core *c, const struct session *s, size_t *open_alerts,
		  int *has_plan);
void triggered_clear(struct triggered *t);
void triggered_list_free(struct triggered *list, size_t n);

#endif
