/*
 * access.h: the one place that decides who may see, change or answer an
 * item (DESIGN.md, Visibility).  Every core read of couple data goes
 * through access_allows() after the store found the row, so the rule is
 * written once and tested exhaustively (src/core/test-access.c).
 */
#ifndef KINTSUGI_CORE_ACCESS_H
#define KINTSUGI_CORE_ACCESS_H

#include "core/session.h"

enum access_verb {
	ACCESS_READ,   /* see the item */
	ACCESS_CHANGE, /* edit or delete it */
	ACCESS_ANSWER, /* respond to it (acknowledge, reply) */
	_ACCESS_VERB_MAX
};

/* shared_with bits */
#define ACCESS_SHARE_PARTNER 0x1u
#define ACCESS_SHARE_CARE    0x2u

struct access_item {
	const char *couple_id;
	const char *author_id;
	unsigned shared_with; /* ACCESS_SHARE_* bits; 0 = private */
	int always_private;   /* journal entries: never shown to anyone else */
};

/*
 * access_allows() - 1 when the session's member may do verb to the item,
 * else 0.  A NULL session or item allows nothing.  The author may read and
 * change their own items and never answer them; a partner may read what is
 * shared with "partner" and answer it, never change it; a therapist may
 * read what is shared with "care" while their access is active (an ended
 * one reads nothing of the couple's, not even what they wrote there);
 * nobody crosses couples; nobody but the
 * author ever reads an always-private item.
 */
int access_allows(const struct session *s, const struct access_item *it, enum access_verb verb);

#endif
