/*
 * kinds.c: the registry of item kinds.  Every kind stored in the items
 * table is one line here; its descriptor lives beside its own rules, in
 * the file named after it.  The store keeps items of any kind; this list is
 * what core, the tests and the docs take the kinds from.
 */
#include <string.h>

#include "core/activity.h"
#include "core/agreements.h"
#include "core/breaches.h"
#include "core/chores.h"
#include "core/commitment.h"
#include "core/conflict.h"
#include "core/dates.h"
#include "core/help.h"
#include "core/helps.h"
#include "core/homework.h"
#include "core/item.h"
#include "core/kindness.h"
#include "core/listening.h"
#include "core/offer.h"
#include "core/pace.h"
#include "core/rituals.h"
#include "core/share.h"
#include "core/statement.h"

/* The kinds that are all data: a descriptor in the file of their step. */
extern const struct item_kind limit_kind;	    /* boundaries.c */
extern const struct item_kind therapist_kind;	    /* therapy.c */
extern const struct item_kind therapy_session_kind; /* therapy.c */
extern const struct item_kind workshop_kind;	    /* therapy.c */

const struct item_kind *const item_kinds[] = {
	&statement_response_kind,
	&commitment_kind,
	&commitment_review_kind,
	&share_kind,
	&share_ack_kind,
	&offer_kind,
	&activity_kind,
	&activity_feeling_kind,
	&limit_kind,
	&helps_me_kind,
	&conflict_plan_kind,
	&conflict_accept_kind,
	&timeout_kind,
	&chore_kind,
	&date_kind,
	&date_rating_kind,
	&agreement_kind,
	&agreement_version_kind,
	&agreement_accept_kind,
	&agreement_end_kind,
	&breach_kind,
	&breach_repair_kind,
	&breach_mend_kind,
	&help_request_kind,
	&help_dismissal_kind,
	&therapist_kind,
	&therapy_session_kind,
	&workshop_kind,
	&homework_kind,
	&homework_done_kind,
	&appreciation_kind,
	&appreciation_thanks_kind,
	&trigger_plan_kind,
	&triggered_kind,
	&triggered_answer_kind,
	&pace_kind,
	&pace_pause_kind,
	&ritual_kind,
	&selfcare_kind,
	&listening_kind,
	&listening_answer_kind,
	NULL,
};

/*
 * The kinds with enums of their own start them from the item outcomes, so
 * that one mapping, api_item_outcome(), answers them all in the API.
 */
_Static_assert((int)OFFER_NOTFOUND == (int)ITEM_NOTFOUND &&
		       (int)OFFER_FORBIDDEN == (int)ITEM_FORBIDDEN &&
		       (int)OFFER_BAD_UNTIL == (int)ITEM_INVALID,
	       "offer outcomes are item outcomes");
_Static_assert((int)SHARE_NOTFOUND == (int)ITEM_NOTFOUND &&
		       (int)SHARE_FORBIDDEN == (int)ITEM_FORBIDDEN &&
		       (int)SHARE_CONFLICT == (int)ITEM_CONFLICT,
	       "share outcomes are item outcomes");
_Static_assert((int)ACTIVITY_NOTFOUND == (int)ITEM_NOTFOUND &&
		       (int)ACTIVITY_FORBIDDEN == (int)ITEM_FORBIDDEN,
	       "activity outcomes are item outcomes");
_Static_assert((int)COMMITMENT_NOTFOUND == (int)ITEM_NOTFOUND,
	       "commitment outcomes are item outcomes");

const struct item_kind *item_kind_find(const char *name)
{
	size_t i;

	for (i = 0; name && item_kinds[i]; i++)
		if (strcmp(item_kinds[i]->name, name) == 0)
			return item_kinds[i];
	return NULL;
}

const struct item_kind *item_kind_at(const char *path)
{
	size_t i, n;

	if (!path)
		return NULL;
	if (strncmp(path, "/api/v1/", 8) == 0)
		path += 8;
	else if (*path == '/')
		path++;
	n = strcspn(path, "/");
	for (i = 0; item_kinds[i]; i++)
		if (item_kinds[i]->plural && strlen(item_kinds[i]->plural) == n &&
		    memcmp(item_kinds[i]->plural, path, n) == 0)
			return item_kinds[i];
	return NULL;
}
