/*
 * activity.h: shared activities outside the bedroom (step 2): exercise,
 * cooking, a hobby, something else; planned for a day, then marked done by
 * either partner, each of whom may say in a few words how it felt.
 *
 * Activities are always shared with the partner: the title and each
 * partner's note are sealed under subkeys of the couple key.  The kind,
 * the day and whether it is done stay plain.
 *
 * Activities are the partners': another member lists none and plans none.
 *
 * Return values: 0, a positive ACTIVITY_* outcome, or a negative errno.
 */
#ifndef KINTSUGI_CORE_ACTIVITY_H
#define KINTSUGI_CORE_ACTIVITY_H

#include <stddef.h>

#include "core/checkin.h"
#include "core/item.h"
#include "core/session.h"

#define ACTIVITY_TITLE_MAX 200	/* API.md: title 1..200 characters */
#define ACTIVITY_FELT_MAX  1000 /* API.md: felt 0..1000 characters */
#define ACTIVITY_LIST_MAX  200	/* the latest activities a list shows */

enum activity_result {
	ACTIVITY_OK = 0,
	ACTIVITY_NOTFOUND = 1,	/* missing or another couple's */
	ACTIVITY_FORBIDDEN = 2, /* the caller is not a partner (403) */
	_ACTIVITY_RESULT_MAX
};

enum activity_kind {
	ACTIVITY_EXERCISE,
	ACTIVITY_COOKING,
	ACTIVITY_HOBBY,
	ACTIVITY_OTHER,
	_ACTIVITY_KIND_MAX
};

/* "exercise", "cooking", "hobby", "other", NULL. */
extern const char *const activity_kinds[];
/* activity_kind_from() - the kind named s, or -EINVAL. */
int activity_kind_from(const char *s);

struct activity {
	char id[VAULT_ID_HEX + 1];
	char author_id[VAULT_ID_HEX + 1];
	int mine; /* the reader planned it */
	enum activity_kind kind;
	char *title; /* malloc'd, NUL-terminated */
	size_t title_len;
	char planned_for[CHECKIN_DATE_LEN + 1];
	int done;
	char done_at[STORE_TIME_LEN + 1]; /* "" unless done */
	char done_by[VAULT_ID_HEX + 1];	  /* "" unless done */
	char created_at[STORE_TIME_LEN + 1];
	char *felt; /* the reader's note, malloc'd, or NULL */
	size_t felt_len;
	char *partner_felt; /* the partner's note, malloc'd, or NULL */
	size_t partner_felt_len;
};

struct activity_counts {
	size_t upcoming; /* not done, planned for today or later */
	size_t overdue;	 /* not done, planned before today */
	size_t done;
};

int activity_add(const struct core *c, const struct session *s, enum activity_kind kind,
		 const char *title, size_t len, const char *planned_for, struct activity *ret);
/* activity_read() - one of the couple's activities; ACTIVITY_NOTFOUND otherwise. */
int activity_read(const struct core *c, const struct session *s, const char *id,
		  struct activity *ret);
/* activity_list() - the latest ACTIVITY_LIST_MAX, latest planned day first. */
int activity_list(const struct core *c, const struct session *s, struct activity **ret,
		  size_t *ret_n);
/*
 * activity_mark() - either partner marks it done (done != 0; marking it
 * again keeps the first mark) or not done, and, when felt is not NULL,
 * puts the reader's own note ("" removes it).  ACTIVITY_NOTFOUND when it
 * is not the couple's.
 */
int activity_mark(const struct core *c, const struct session *s, const char *id, int done,
		  const char *felt, size_t felt_len, struct activity *ret);
int activity_counts(const struct core *c, const struct session *s, const char *today,
		    struct activity_counts *ret);

void activity_clear(struct activity *a);
void activity_list_free(struct activity *list, size_t n);

/* the kinds, for the registry (core/kinds.c) */
extern const struct item_kind activity_kind;
extern const struct item_kind activity_feeling_kind;

#endif
