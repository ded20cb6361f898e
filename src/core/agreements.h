/*
 * agreements.h: agreements (step 3, set boundaries).  One partner proposes
 * an agreement in a category: what each will do, the consequence both
 * agree on, and a day to review it.  The other accepts, proposes a change
 * (a new version, which the first must then accept) or declines; either
 * may retire it later, with a reason both see.  An agreement is agreed only
 * while both partners accepted its current version: no answer ever shows a
 * one-sided one as agreed.  Every version is kept.
 *
 * Agreements are between the partners: a member who is not one sees and
 * makes none (ITEM_NOTFOUND to read, ITEM_FORBIDDEN to write).
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_AGREEMENTS_H
#define KINTSUGI_CORE_AGREEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "core/session.h"

#define AGREEMENT_TEXT_MAX     2000 /* what the agreement says: characters */
#define AGREEMENT_NOTE_MAX     1000 /* a note on a change, a decline, a reason to retire */
#define AGREEMENT_REVIEW_DAYS  366  /* the review day: today through a year ahead */
#define AGREEMENTS_MAX	       100  /* the agreements a list shows */
#define AGREEMENT_VERSIONS_MAX 200  /* the versions an agreement's history shows */

/*
 * The fields of an agreement and of each of its versions, in this order:
 * a create sends agreement_new_fields (the first four and shared_with), a
 * revision the four from the text on (text, consequence, review_on, note);
 * proposed_by is set by core.  category and review_on are kept plain (a
 * choice and a day, never content); the rest is sealed under the couple
 * key, or under the care key when the agreement is shared with the care
 * team.  shared_with is the row's, not a value: chosen at creation,
 * ["partner"] or ["partner", "care"], and the versions, acceptances and
 * end follow it.
 */
enum {
	AGREEMENT_F_CATEGORY,
	AGREEMENT_F_TEXT,
	AGREEMENT_F_CONSEQUENCE,
	AGREEMENT_F_REVIEW_ON,
	AGREEMENT_F_NOTE,
	AGREEMENT_F_PROPOSED_BY,
	AGREEMENT_F_SHARED,
	AGREEMENT_NFIELDS
};
#define AGREEMENT_NSENT_NEW    5 /* category, text, consequence, review_on, shared_with */
#define AGREEMENT_NSENT_REVISE 4 /* text, consequence, review_on, note: from AGREEMENT_F_TEXT */
extern const struct field agreement_fields[AGREEMENT_NFIELDS];
extern const struct field agreement_new_fields[AGREEMENT_NSENT_NEW];
/* decline {note?} and retire {reason}: the bodies of those two actions */
extern const struct field agreement_decline_fields[1], agreement_retire_fields[1];
extern const char *const agreement_categories[];

/*
 * agreement_kind: the agreement (its current version); its row's version
 * is the agreement's.  agreement_version_kind: one answer per version, the
 * history.  agreement_accept_kind: a partner's acceptance, naming the
 * version it accepts.  agreement_end_kind: the one decline or retirement.
 */
extern const struct item_kind agreement_kind, agreement_version_kind, agreement_accept_kind,
	agreement_end_kind;

enum agreement_status {
	AGREEMENT_PROPOSED, /* the current version waits for the other partner */
	AGREEMENT_AGREED,   /* both accepted the current version */
	AGREEMENT_DECLINED, /* the other partner declined it: it takes nothing more */
	AGREEMENT_RETIRED,  /* either partner retired it: it takes nothing more */
};

struct agreement {
	struct item_view v; /* the current version: values[AGREEMENT_F_*], v.version */
	char accepted_by[2][VAULT_ID_HEX + 1]; /* of the current version: its proposer first */
	size_t naccepted;
	enum agreement_status status;
	int review_due; /* agreed, and its review day has come */
	/* declined or retired: who, when, with what note or reason (NULL: none) */
	char ended_by[VAULT_ID_HEX + 1];
	char ended_at[STORE_TIME_LEN + 1];
	char *end_note;
	size_t end_note_len;
	/* agreement_read() only: every version, oldest first (values[AGREEMENT_F_*]) */
	struct item_view *versions;
	size_t nversions;
};

/* agreement_status_name() - "proposed", "agreed", "declined" or "retired". */
const char *agreement_status_name(enum agreement_status st);

/*
 * agreement_propose() - a new agreement from v (category, text,
 * consequence, review_on), proposed and so accepted by the caller, as
 * version 1, shared as shared_with says: ACCESS_SHARE_PARTNER, with
 * ACCESS_SHARE_CARE or not (anything else: ITEM_INVALID with *field
 * "shared_with", an agreement is always the couple's).  ITEM_INVALID with
 * *field.
 */
int agreement_propose(const struct core *c, const struct session *s, const struct item_values *v,
		      unsigned shared_with, struct agreement *ret, const char **field);

/*
 * agreement_read() - one agreement of the couple, with its versions (a
 * therapist: one shared with the care team, else ITEM_NOTFOUND).
 */
int agreement_read(const struct core *c, const struct session *s, const char *id,
		   struct agreement *ret);

/*
 * agreements_list() - the couple's agreements, newest first (no versions);
 * a therapist's: those shared with the care team.
 */
int agreements_list(const struct core *c, const struct session *s, struct agreement **ret,
		    size_t *n);

/*
 * agreement_accept() - the caller accepts version of agreement id.
 * ITEM_FORBIDDEN for the version's own proposer (they accepted it by
 * proposing it); ITEM_CONFLICT when version is not the current one, or the
 * agreement was declined or retired.
 */
int agreement_accept(const struct core *c, const struct session *s, const char *id, int64_t version,
		     struct agreement *ret);

/*
 * agreement_revise() - a new version of agreement id from v (text,
 * consequence, review_on, note; category is kept), proposed by the caller:
 * the agreement is proposed again until the other accepts.  ITEM_INVALID
 * with *field; ITEM_CONFLICT when it was declined or retired, or changed at
 * the same moment.
 */
int agreement_revise(const struct core *c, const struct session *s, const char *id,
		     const struct item_values *v, struct agreement *ret, const char **field);

/*
 * agreement_decline() - the caller declines the current version of
 * agreement id (note: NULL or empty for none).  ITEM_FORBIDDEN for its own
 * proposer, ITEM_CONFLICT when it is agreed, declined or retired already.
 */
int agreement_decline(const struct core *c, const struct session *s, const char *id,
		      const char *note, struct agreement *ret);

/*
 * agreement_retire() - either partner retires agreement id, for reason
 * (1..AGREEMENT_NOTE_MAX characters: ITEM_INVALID otherwise).
 * ITEM_CONFLICT when it was declined or retired already.
 */
int agreement_retire(const struct core *c, const struct session *s, const char *id,
		     const char *reason, struct agreement *ret);

/*
 * agreements_waiting() - how many agreements wait for the caller's answer
 * (a version the partner proposed), and how many agreed ones are due for
 * review; opens only the plain columns and who proposed each.
 */
int agreements_waiting(const struct core *c, const struct session *s, size_t *to_answer,
		       size_t *to_review, size_t *agreed);

void agreement_clear(struct agreement *a);
void agreements_free(struct agreement *list, size_t n);

#endif
