/*
 * rituals.h: the small things of step 5 (be patient and kind) that are all
 * data: the couple's rituals of connection (partings, reunions, a weekly
 * date, a weekly "state of the union" talk) and each partner's self-care
 * log.  Their descriptors are in rituals.c; record.c stores them and the
 * registry gives them their routes and pages.  What the home page may ask
 * of them is here.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_RITUALS_H
#define KINTSUGI_CORE_RITUALS_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

extern const struct item_kind ritual_kind, selfcare_kind;

/*
 * rituals_count() - how many rituals the couple keeps every day
 * (*ret_daily) and every week (*ret_weekly), for the home page; both 0
 * for anyone but a partner.  Nothing is counted as kept or missed: a
 * ritual is something the couple means to do, never a score.  Written
 * only on success.
 */
int rituals_count(const struct core *c, const struct session *s, size_t *ret_daily,
		  size_t *ret_weekly);

#endif
