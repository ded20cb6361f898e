/*
 * item.c: the engine behind every kind of the registry.
 *
 * The associated data of a sealed record binds where it lives and who
 * wrote it: "items.a|kind|id|parent_kind:parent_id|couple|author|version".
 * A record cannot be moved to another row, kind, answer or couple, given
 * another author, nor put back after a change, without failing to open.
 * Rows sealed before the author was bound (issue 11, part 8) have the form
 * without it, "items|kind|...|couple|version", and open with it until their
 * next change; a record sealed with the author never opens without it.  A
 * row migration 0005 moved in keeps the AD it was sealed with (its kind's
 * legacy_ad form) until its next change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/couplekey.h"
#include "core/item.h"
#include "core/ledger.h"

#define ITEM_AD_MAX 256

int item_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

int item_therapist(const struct session *s)
{
	return strcmp(s->role, "therapist") == 0;
}

int item_store_result(int r)
{
	if (r == STORE_NOTFOUND)
		return ITEM_NOTFOUND;
	if (r == STORE_CONFLICT)
		return ITEM_CONFLICT;
	return r > 0 ? -EIO : r;
}

int item_tx_begin(const struct core *c)
{
	int r = c->st->ops->begin(c->st);

	return r > 0 ? -EIO : r;
}

int item_tx_end(const struct core *c, int r)
{
	if (r == 0) {
		r = c->st->ops->commit(c->st);
		if (r > 0)
			r = -EIO;
	}
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	return r;
}

void item_text_free(void *text, size_t len)
{
	if (!text)
		return;
	vault_wipe(text, len);
	free(text);
}

/*
 * Which key seals k's rows shared as shared_with (couplekey.h): the care
 * key for a row the care team reads (shared with the partner too, or of a
 * kind under the couple key), the couple key for one shared with the
 * partner, else the author's master key.
 */
static int item_shared(const struct item_kind *k, unsigned shared_with)
{
	int couple = k->key_from == ITEM_KEY_COUPLE ||
		     (k->key_from == ITEM_KEY_SHARED && (shared_with & ACCESS_SHARE_PARTNER));

	if (!couple)
		return COUPLEKEY_MEMBER;
	return (shared_with & ACCESS_SHARE_CARE) ? COUPLEKEY_CARE : COUPLEKEY_COUPLE;
}

/*
 * Whether a read or write of a row sealed for `shared` checks or notes the
 * couple's ledger (ledger.h): a partner's does; a therapist, who holds no
 * couple key, checks their own ledger alone.
 */
static int item_ledger_shared(const struct session *s, int shared)
{
	return shared != COUPLEKEY_MEMBER && item_partner(s);
}

/* The AD of row; unbound: the form of the rows sealed before the author was bound. */
static void item_ad(const struct item_kind *k, const struct item_row *row, int unbound,
		    char ad[ITEM_AD_MAX])
{
	long long v = (long long)row->version;

	if ((!row->legacy || !k->legacy_ad) && !unbound)
		snprintf(ad, ITEM_AD_MAX, "items.a|%s|%s|%s:%s|%s|%s|%lld", row->kind, row->id,
			 row->parent_kind, row->parent_id, row->couple_id, row->author_id, v);
	else if (!row->legacy || !k->legacy_ad)
		snprintf(ad, ITEM_AD_MAX, "items|%s|%s|%s:%s|%s|%lld", row->kind, row->id,
			 row->parent_kind, row->parent_id, row->couple_id, v);
	else if (k->legacy_form == ITEM_LEGACY_ID_PARENT)
		snprintf(ad, ITEM_AD_MAX, "%s|%s|%s|%s|%lld", k->legacy_ad, row->id, row->parent_id,
			 row->couple_id, v);
	else if (k->legacy_form == ITEM_LEGACY_PARENT_AUTHOR)
		snprintf(ad, ITEM_AD_MAX, "%s|%s/%s|%s|%lld", k->legacy_ad, row->parent_id,
			 row->author_id, row->couple_id, v);
	else
		snprintf(ad, ITEM_AD_MAX, "%s|%s|%s|%lld", k->legacy_ad, row->id, row->couple_id,
			 v);
}

void item_start(const struct item_kind *k, const struct session *s, const char *parent_id,
		unsigned shared_with, struct item_row *row)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->couple_id, sizeof(row->couple_id), "%s", s->couple_id);
	snprintf(row->kind, sizeof(row->kind), "%s", k->name);
	vault_random_id(row->id);
	if (k->parent && parent_id) {
		snprintf(row->parent_kind, sizeof(row->parent_kind), "%s", k->parent);
		snprintf(row->parent_id, sizeof(row->parent_id), "%s", parent_id);
	}
	snprintf(row->author_id, sizeof(row->author_id), "%s", s->member_id);
	row->shared_with =
		k->shared_allowed ? (shared_with & k->shared_allowed) : k->shared_default;
	/* the care team reads with the partner, never instead (DESIGN.md: {}, {partner}, {partner,
	 * care}) */
	if ((row->shared_with & ACCESS_SHARE_CARE) && (k->shared_allowed & ACCESS_SHARE_PARTNER))
		row->shared_with |= ACCESS_SHARE_PARTNER;
	row->version = 1;
	session_now(row->created_at, 0);
	memcpy(row->updated_at, row->created_at, sizeof(row->updated_at));
}

int item_seal(const struct item_kind *k, const struct session *s, struct item_row *row,
	      const void *data, size_t len)
{
	unsigned char *sealed = NULL;
	char ad[ITEM_AD_MAX];
	size_t sealed_len = 0;
	int r;

	row->legacy = 0;
	store_blob_free(&row->sealed);
	if (len == 0)
		return 0;
	item_ad(k, row, 0, ad);
	r = couplekey_seal(s, item_shared(k, row->shared_with), k->key_id, k->key_ctx, data, len,
			   ad, &sealed, &sealed_len);
	if (r < 0)
		return r;
	row->sealed.data = sealed;
	row->sealed.len = sealed_len;
	return 0;
}

int item_open(const struct core *c, const struct item_kind *k, const struct session *s,
	      const struct item_row *row, unsigned char **ret, size_t *ret_len)
{
	char ad[ITEM_AD_MAX], ad_before[ITEM_AD_MAX];
	int r;

	*ret = NULL;
	*ret_len = 0;
	if (row->sealed.len == 0)
		return 0;
	r = ledger_check(c, s, STORE_TABLE_ITEMS, row->couple_id, row->author_id,
			 item_ledger_shared(s, item_shared(k, row->shared_with)), row->id,
			 row->version);
	if (r != 0)
		return r;
	item_ad(k, row, 0, ad);
	/* one sealed before the author was bound opens in its own form, until its next change */
	if (!row->legacy)
		item_ad(k, row, 1, ad_before);
	r = couplekey_open(s, item_shared(k, row->shared_with), k->key_id, k->key_ctx,
			   row->sealed.data, row->sealed.len, ad, row->legacy ? NULL : ad_before,
			   ret, ret_len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	return 0;
}

int item_allows(const struct session *s, const struct item_row *row, enum access_verb verb)
{
	struct access_item it = {
		.couple_id = row->couple_id,
		.author_id = row->author_id,
		.shared_with = row->shared_with,
		.always_private = 0,
	};

	return access_allows(s, &it, verb);
}

int item_get(const struct core *c, const struct session *s, const struct item_kind *k,
	     const char *id, enum access_verb verb, struct item_row *ret)
{
	struct item_row row;
	int r;

	r = STORE_CALL(c->st, item_get, s->couple_id, k->name, id, &row);
	if (r != 0)
		return item_store_result(r);
	if (!item_allows(s, &row, ACCESS_READ))
		r = ITEM_NOTFOUND;
	else if (verb != ACCESS_READ && !item_allows(s, &row, verb))
		r = ITEM_FORBIDDEN;
	if (r != 0) {
		store_item_free(&row);
		return r;
	}
	*ret = row;
	return 0;
}

int item_insert(const struct core *c, const struct item_row *row)
{
	return item_store_result(STORE_CALL(c->st, item_insert, row));
}

int item_update(const struct core *c, const struct session *s, const struct item_row *row,
		int64_t old_version, const char *old_plain)
{
	const struct item_kind *k = item_kind_find(row->kind);
	int r = item_store_result(STORE_CALL(c->st, item_update, row, old_version, old_plain));

	if (r == 0 && k)
		r = ledger_note(c, s, row->author_id,
				item_ledger_shared(s, item_shared(k, row->shared_with)), row->id,
				row->version);
	return r;
}

int item_list(const struct core *c, const struct item_query *q, struct item_row **rows, size_t *n)
{
	int r = STORE_CALL(c->st, item_list, q, rows, n);

	return r > 0 ? -EIO : r;
}

void item_query_reader(struct item_query *q, const struct session *s)
{
	/* a therapist whose access ended: not even their own rows ("" is nobody's id) */
	q->reader_id = s->care_ended ? "" : s->member_id;
	q->reader_bits = strcmp(s->role, "partner") == 0 ? ACCESS_SHARE_PARTNER
			 : strcmp(s->role, "therapist") == 0 && !s->care_ended ? ACCESS_SHARE_CARE
									       : 0;
}

int item_plain_get(const struct item_row *row, unsigned idx, char *out, size_t cap)
{
	const char *p = row->plain, *end;
	size_t len;

	for (; idx > 0; idx--) {
		p = strchr(p, '|');
		if (!p)
			return -EBADMSG;
		p++;
	}
	end = strchr(p, '|');
	len = end ? (size_t)(end - p) : strlen(p);
	if (len >= cap)
		return -EBADMSG;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

int item_plain_set(struct item_row *row, const char *const *vals, size_t n)
{
	size_t at = 0, len, i;

	for (i = 0; i < n; i++) {
		len = strlen(vals[i]);
		if (memchr(vals[i], '|', len) || at + len + (i > 0) >= sizeof(row->plain))
			return -EINVAL;
		if (i > 0)
			row->plain[at++] = '|';
		memcpy(row->plain + at, vals[i], len);
		at += len;
	}
	row->plain[at] = '\0';
	return 0;
}

/* Is id among the n items (of any kind) of rows?  Their answers go with them. */
static int item_among(const struct item_row *rows, size_t n, const char *kind, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].kind, kind) == 0 && strcmp(rows[i].id, id) == 0)
			return 1;
	return 0;
}

/*
 * One item of a member who leaves: a private one goes with them; a shared
 * one stays with the partner, its author now the former-partner row
 * ghost_id, and a copy under the same id goes with them, sealed for to,
 * when it answers nothing or answers an item of theirs.
 */
static int item_leave_one(const struct core *c, const struct session *from,
			  const struct session *to, const char *ghost_id,
			  const struct item_row *rows, size_t n, const struct item_row *row)
{
	const struct item_kind *k = item_kind_find(row->kind);
	struct item_row moved;
	struct blob sealed = {NULL, 0};
	char ad_from[ITEM_AD_MAX], ad_before[ITEM_AD_MAX], ad_to[ITEM_AD_MAX];
	int shared, r = 0;

	if (!k)
		return 0; /* a kind this version does not know stays as it is */
	shared = item_shared(k, row->shared_with);
	if (!ghost_id && shared)
		return 0; /* a new master key: the couple's key keeps what was shared */
	item_ad(k, row, 0, ad_from);
	item_ad(k, row, 1, ad_before);
	moved = *row;
	moved.legacy = 0;
	snprintf(moved.couple_id, sizeof(moved.couple_id), "%s", to->couple_id);
	item_ad(k, &moved, 0, ad_to);
	/* the couple the leaver goes to has no care key yet (to may still hold the old one): a care
	 * row's copy goes under its couple key, which opens a care row until one comes */
	if (!shared || !row->parent_kind[0] ||
	    item_among(rows, n, row->parent_kind, row->parent_id))
		r = couplekey_reseal(
			from, to, ghost_id && shared == COUPLEKEY_CARE ? COUPLEKEY_COUPLE : shared,
			k->key_id, k->key_ctx, &row->sealed, ad_from,
			row->legacy ? NULL : ad_before, ad_to, &sealed);
	else
		moved.couple_id[0] = '\0'; /* answers the partner's: theirs alone now */
	if (r != 0)
		return r;
	if (!shared) {
		r = STORE_CALL(c->st, rehome, STORE_TABLE_ITEMS, row->couple_id, row->kind, row->id,
			       to->couple_id, to->member_id, &sealed, NULL);
		store_blob_free(&sealed);
		return r > 0 ? -EIO : r;
	}
	if (moved.couple_id[0]) {
		moved.sealed = sealed;
		r = STORE_CALL(c->st, item_insert, &moved);
		store_blob_free(&sealed);
		if (r != 0)
			return r > 0 ? -EIO : r;
	}
	moved = *row;
	moved.legacy = 0;
	snprintf(moved.author_id, sizeof(moved.author_id), "%s", ghost_id);
	item_ad(k, &moved, 0, ad_to);
	r = couplekey_reseal(from, from, shared, k->key_id, k->key_ctx, &row->sealed, ad_from,
			     row->legacy ? NULL : ad_before, ad_to, &sealed);
	if (r == 0)
		r = STORE_CALL(c->st, rehome, STORE_TABLE_ITEMS, row->couple_id, row->kind, row->id,
			       row->couple_id, ghost_id, &sealed, NULL);
	store_blob_free(&sealed);
	return r > 0 ? -EIO : r;
}

int item_leave(const struct core *c, const struct session *from, const struct session *to,
	       const char *ghost_id)
{
	struct item_row *rows = NULL;
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, items_of_author, from->couple_id, from->member_id, &rows, &n);
	if (r != 0)
		return r == STORE_NOTFOUND ? 0 : r > 0 ? -EIO : r;
	for (i = 0; i < n && r == 0; i++)
		r = item_leave_one(c, from, to, ghost_id, rows, n, &rows[i]);
	store_item_list_free(rows, n);
	return r;
}

int item_care_reseal(const struct core *c, const struct session *from, const struct session *to)
{
	struct item_row *rows = NULL;
	struct blob sealed = {NULL, 0};
	char ad_from[ITEM_AD_MAX], ad_before[ITEM_AD_MAX], ad_to[ITEM_AD_MAX];
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, items_care, from->couple_id, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; r == 0 && i < n; i++) {
		const struct item_kind *k = item_kind_find(rows[i].kind);
		struct item_row moved;

		if (!k || item_shared(k, rows[i].shared_with) != COUPLEKEY_CARE ||
		    rows[i].sealed.len == 0)
			continue; /* a kind this version does not know, or sealed for no care key */
		item_ad(k, &rows[i], 0, ad_from);
		item_ad(k, &rows[i], 1, ad_before);
		moved = rows[i];
		moved.legacy = 0;
		item_ad(k, &moved, 0, ad_to);
		r = couplekey_reseal(from, to, COUPLEKEY_CARE, k->key_id, k->key_ctx,
				     &rows[i].sealed, ad_from, rows[i].legacy ? NULL : ad_before,
				     ad_to, &sealed);
		/* one that opens under no key the partner holds (changed in the file) stays shut */
		if (r == -EBADMSG) {
			r = 0;
			continue;
		}
		if (r == 0)
			r = STORE_CALL(c->st, rehome, STORE_TABLE_ITEMS, rows[i].couple_id,
				       rows[i].kind, rows[i].id, rows[i].couple_id,
				       rows[i].author_id, &sealed, NULL);
		r = r > 0 ? -EIO : r;
		store_blob_free(&sealed);
	}
	store_item_list_free(rows, n);
	return r;
}
