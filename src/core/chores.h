/*
 * chores.h: the chores rota (step 3, the safety net).  A chore is done by
 * one partner one week and by the other the next, from the week it starts:
 * a fair share that nobody has to negotiate again every Sunday.  Chores
 * are between the partners, always shared; the one who added a chore
 * removes it.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_CHORES_H
#define KINTSUGI_CORE_CHORES_H

#include <stddef.h>

#include "core/checkin.h"
#include "core/item.h"
#include "core/session.h"

#define CHORE_TITLE_MAX	  200 /* characters */
#define CHORES_MAX	  100 /* the couple's chores a rota shows */
#define CHORE_DAYS_AROUND 366 /* starts_on: within a year of today, either way */

enum { CHORE_F_TITLE, CHORE_F_FIRST, CHORE_F_STARTS, CHORE_NFIELDS };
extern const struct field chore_fields[CHORE_NFIELDS];
extern const struct item_kind chore_kind;

struct chore {
	struct item_view v; /* values[CHORE_F_*]; starts_on is the Monday of its first week */
	char assigned_to[VAULT_ID_HEX + 1]; /* the partner for the week asked; "": not started */
	char next_to[VAULT_ID_HEX + 1];	    /* the partner the week after; "": not started */
};

/*
 * chore_add() - a chore from the body's values v (title, first_partner,
 * starts_on): ITEM_INVALID with *field when first_partner is not one of the
 * couple's partners or starts_on is not a date within a year of today
 * either way; starts_on is kept as the Monday of its week.  *ret as chores_list() gives it for this
 * week.
 */
int chore_add(const struct core *c, const struct session *s, const struct item_values *v,
	      struct chore *ret, const char **field);

/*
 * chores_list() - the couple's chores, newest first, each with who does it
 * in the week of the Monday `week` (NULL: this week); -EINVAL when week is
 * not a Monday.  Free with chores_free().
 */
int chores_list(const struct core *c, const struct session *s, const char *week, struct chore **ret,
		size_t *n);
void chores_free(struct chore *list, size_t n);

/* chore_remove() - remove a chore its author added (ITEM_FORBIDDEN: the partner's). */
int chore_remove(const struct core *c, const struct session *s, const char *id);

#endif
