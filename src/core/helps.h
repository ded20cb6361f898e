/*
 * helps.h: "what helps me when things get hard" (step 3, the safety net).
 * Each partner keeps one text: what the other can do, or leave undone,
 * when they are flooded, triggered or low.  Its owner shares it with the
 * partner (and the care team) or keeps it as a note to self, and
 * alone changes it.
 *
 * Return values: 0, a positive enum item_result, or a negative errno.
 */
#ifndef KINTSUGI_CORE_HELPS_H
#define KINTSUGI_CORE_HELPS_H

#include <stddef.h>

#include "core/item.h"
#include "core/session.h"

#define HELPS_ME_BODY_MAX 2000 /* characters */

/* Its fields, in the order of the kind: body, shared_with. */
enum { HELPS_ME_F_BODY, HELPS_ME_F_SHARED, HELPS_ME_NFIELDS };
extern const struct field helps_me_fields[HELPS_ME_NFIELDS];
extern const struct item_kind helps_me_kind;

#define HELPS_ME_CARE_MAX 2 /* one text per partner */

/*
 * The reader's own text and the partner's when it is shared with them:
 * has_* says which of the views are filled (clear them with
 * helps_me_clear()).  A therapist has neither: care[] holds the partners'
 * texts shared with the care team (ncare of them).
 */
struct helps_me {
	struct item_view mine, partner;
	int has_mine, has_partner;
	struct item_view care[HELPS_ME_CARE_MAX];
	size_t ncare;
};

/*
 * helps_me_read() - the texts as the reader may see them: a partner's own
 * and their partner's, a therapist's those shared with the care team.
 */
int helps_me_read(const struct core *c, const struct session *s, struct helps_me *ret);

/*
 * helps_me_write() - the reader's text (len bytes), shared as shared_with
 * allows (ACCESS_SHARE_* bits): written the first time, changed after.
 * ITEM_FORBIDDEN for a member who is not a partner; ITEM_INVALID with
 * *field; ITEM_CONFLICT when it changed at the same moment elsewhere.  On
 * success *ret holds both texts as they now stand.
 */
int helps_me_write(const struct core *c, const struct session *s, const char *body, size_t len,
		   unsigned shared_with, struct helps_me *ret, const char **field);

void helps_me_clear(struct helps_me *h);

#endif
