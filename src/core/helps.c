/*
 * helps.c: "what helps me when things get hard" (core/helps.h).  Its items
 * go through record.c like a kind that is all data; the kind keeps this
 * file of its own because each partner has one text, not a list: the
 * store holds "once" (the author's id) so that two first writes racing
 * each other end in one text, and the routes read and replace that one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/helps.h"
#include "i18n/i18n.h"

const struct field helps_me_fields[HELPS_ME_NFIELDS] = {
	[HELPS_ME_F_BODY] = {"body", FIELD_STRING, 1, 1, HELPS_ME_BODY_MAX, NULL},
	[HELPS_ME_F_SHARED] = {"shared_with", FIELD_SHARED, 1, 0, 0, NULL},
};

const struct item_kind helps_me_kind = {
	.name = "helps_me",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "helpsme_",
	.key_id = 1,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = 4, /* one per partner: room to spare */
	.title = N_("What helps me when things get hard"),
	.fields = helps_me_fields,
	.nfields = HELPS_ME_NFIELDS,
	.partners_only = 0, /* the care team reads what is shared with it; only partners write */
	.one_per_author = 1,
};

void helps_me_clear(struct helps_me *h)
{
	if (!h)
		return;
	if (h->has_mine)
		item_view_clear(&h->mine);
	if (h->has_partner)
		item_view_clear(&h->partner);
	for (size_t i = 0; i < h->ncare; i++)
		item_view_clear(&h->care[i]);
	memset(h, 0, sizeof(*h));
}

int helps_me_read(const struct core *c, const struct session *s, struct helps_me *ret)
{
	struct item_view *list = NULL;
	size_t n = 0, i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_views(c, s, &helps_me_kind, &list, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		struct item_view *to = list[i].mine ? &ret->mine : &ret->partner;
		int *has = list[i].mine ? &ret->has_mine : &ret->has_partner;

		if (!item_partner(
			    s)) { /* a therapist: what the partners shared with the care team */
			if (ret->ncare < HELPS_ME_CARE_MAX)
				ret->care[ret->ncare++] = list[i];
			else
				item_view_clear(&list[i]);
			continue;
		}
		if (*has) { /* one per member: a second is not theirs to see */
			item_view_clear(&list[i]);
			continue;
		}
		*to = list[i];
		*has = 1;
	}
	free(list); /* the views moved into ret */
	return 0;
}

int helps_me_write(const struct core *c, const struct session *s, const char *body, size_t len,
		   unsigned shared_with, struct helps_me *ret, const char **field)
{
	struct item_values v = {.v = {body}, .len = {len}};
	struct item_view out;
	int r, tries;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	for (tries = 0; tries < 2; tries++) {
		struct helps_me now;
		int had;

		r = helps_me_read(c, s, &now);
		if (r != 0)
			return r;
		had = now.has_mine;
		if (had)
			r = item_change(c, s, &helps_me_kind, now.mine.id, &v, shared_with, &out,
					field);
		else
			r = item_create(c, s, &helps_me_kind, &v, shared_with, &out, field);
		helps_me_clear(&now);
		/* a first write that lost the race to another first write changes that one */
		if (r != ITEM_CONFLICT || had)
			break;
	}
	if (r != 0)
		return r;
	item_view_clear(&out);
	return helps_me_read(c, s, ret);
}
