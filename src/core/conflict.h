/*
 * conflict.h: the conflict plan and time-outs (step 3).  The couple keeps
 * one plan for hard conversations: a time-out word, how long a break lasts
 * (flooding takes about twenty minutes to settle), how to come back, and a
 * soft start-up.  Either partner proposes a version; it is agreed only
 * while both accepted that version.  A time-out is a break taken now: both
 * partners see it at once, with the time to come back.
 *
 * Both are between the partners: a member who is not one sees and makes
 * neither (ITEM_FORBIDDEN to write, nothing to read).
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_CONFLICT_H
#define KINTSUGI_CORE_CONFLICT_H

#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "core/session.h"

#define CONFLICT_WORD_MAX  100	/* the time-out word: characters */
#define CONFLICT_TEXT_MAX  2000 /* how to come back, the soft start-up: characters */
#define CONFLICT_BREAK_MIN 20	/* minutes: flooding takes about twenty to settle */
#define CONFLICT_BREAK_MAX 1440 /* a day */
#define TIMEOUTS_MAX	   100	/* the newest breaks a list holds (timeout_kind.list_max) */

/* The plan's fields, in the kind's order (proposed_by is set by core, never sent). */
enum {
	CONFLICT_F_WORD,
	CONFLICT_F_BREAK,
	CONFLICT_F_COME_BACK,
	CONFLICT_F_SOFT_STARTUP,
	CONFLICT_F_PROPOSED_BY,
	CONFLICT_NFIELDS
};
/* What a PUT sends: the first four of them. */
#define CONFLICT_NSENT 4
extern const struct field conflict_plan_fields[CONFLICT_NFIELDS];
extern const struct item_kind conflict_plan_kind, conflict_accept_kind, timeout_kind;

struct conflict_plan {
	struct item_view v; /* values[CONFLICT_F_*]; v.version is the plan's version */
	char accepted_by[2][VAULT_ID_HEX + 1]; /* of the current version: its proposer first */
	size_t naccepted;
	int agreed; /* both partners accepted the current version */
};

/* conflict_plan_read() - the couple's plan into *ret, or 0 with *has 0 when there is none yet. */
int conflict_plan_read(const struct core *c, const struct session *s, struct conflict_plan *ret,
		       int *has);

/*
 * conflict_plan_propose() - a new version of the plan (the first one when
 * there is none) with the sent values v (CONFLICT_NSENT of them), proposed
 * and so accepted by the caller.  ITEM_INVALID with *field; ITEM_CONFLICT
 * when it changed at the same moment elsewhere.
 */
int conflict_plan_propose(const struct core *c, const struct session *s,
			  const struct item_values *v, struct conflict_plan *ret,
			  const char **field);

/*
 * conflict_plan_accept() - the caller accepts version (0: the current one).
 * ITEM_NOTFOUND without a plan; ITEM_FORBIDDEN for the version's own
 * proposer (they accepted it by proposing it); ITEM_CONFLICT when version
 * is not the current one.
 */
int conflict_plan_accept(const struct core *c, const struct session *s, int64_t version,
			 struct conflict_plan *ret);

void conflict_plan_clear(struct conflict_plan *p);

struct timeout {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine;
	int minutes;
	char started_at[STORE_TIME_LEN + 1];
	char ends_at[STORE_TIME_LEN + 1];
};

/*
 * timeout_start() - a break taken now by the caller, of minutes
 * (CONFLICT_BREAK_MIN..MAX), or, with minutes 0, of the plan's length
 * (CONFLICT_BREAK_MIN without a plan).
 */
int timeout_start(const struct core *c, const struct session *s, int minutes, struct timeout *ret);

/* timeout_minutes_left() - whole minutes until t ends, at least 1. */
long timeout_minutes_left(const struct timeout *t);

/* timeout_current() - the couple's break that has not ended yet: *has 0 when there is none. */
int timeout_current(const struct core *c, const struct session *s, struct timeout *ret, int *has);

/*
 * timeouts_list() - the couple's breaks the reader may read, ended or not,
 * newest first (the newest TIMEOUTS_MAX, or all under c->whole_lists); none
 * for a reader who is not a partner; a damaged one is left out and counted.
 * Free *ret with free().
 */
int timeouts_list(const struct core *c, const struct session *s, struct timeout **ret, size_t *n);

#endif
