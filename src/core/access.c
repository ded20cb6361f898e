/*
 * access.c: the visibility rule of DESIGN.md, in one function.
 */
#include <string.h>

#include "core/access.h"

int access_allows(const struct session *s, const struct access_item *it, enum access_verb verb)
{
	int author;

	if (!s || !it || !it->couple_id || !it->author_id || verb >= _ACCESS_VERB_MAX)
		return 0;
	if (s->couple_id[0] == '\0' || strcmp(s->couple_id, it->couple_id) != 0)
		return 0;
	if (s->care_ended)
		return 0; /* a therapist whose access ended sees nothing, old or new */
	author = strcmp(s->member_id, it->author_id) == 0;
	if (author)
		return verb == ACCESS_READ || verb == ACCESS_CHANGE;
	if (it->always_private)
		return 0;
	if (strcmp(s->role, "partner") == 0)
		return (it->shared_with & ACCESS_SHARE_PARTNER) &&
		       (verb == ACCESS_READ || verb == ACCESS_ANSWER);
	if (strcmp(s->role, "therapist") == 0)
		return !s->care_ended && (it->shared_with & ACCESS_SHARE_CARE) &&
		       verb == ACCESS_READ;
	return 0;
}
