/*
 * offer.c: transparency offers.  The text is sealed under a subkey of the
 * couple key (context "offers__") with associated data "offers.text|id|
 * couple|version"; every row found goes through access_allows() as an item
 * shared with the partner.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/offer.h"

#define OFFER_KEY_ID 1

const char *const offer_statuses[] = {"active", "ended", "expired", NULL};

static int is_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

enum offer_status offer_status_of(const char *until, const char *ended_at, const char *today)
{
	if (ended_at && ended_at[0])
		return OFFER_ENDED;
	/* both are YYYY-MM-DD: the text order is the calendar order */
	if (until && today && strcmp(until, today) < 0)
		return OFFER_EXPIRED;
	return OFFER_ACTIVE;
}

static void offer_key(const struct session *s, unsigned char key[VAULT_KEY_BYTES])
{
	vault_derive(key, s->ck, OFFER_KEY_ID, "offers__");
}

static void offer_ad(char *ad, size_t len, const struct offer_row *row)
{
	snprintf(ad, len, "offers.text|%s|%s|%lld", row->id, row->couple_id,
		 (long long)row->version);
}

static void offer_item(const struct offer_row *row, struct access_item *it)
{
	it->couple_id = row->couple_id;
	it->author_id = row->author_id;
	it->shared_with = ACCESS_SHARE_PARTNER; /* always, by the program's rule */
	it->always_private = 0;
}

void offer_clear(struct offer *o)
{
	if (!o)
		return;
	if (o->text) {
		vault_wipe(o->text, o->text_len);
		free(o->text);
	}
	memset(o, 0, sizeof(*o));
}

void offer_list_free(struct offer *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		offer_clear(&list[i]);
	free(list);
}

static int offer_open(const struct session *s, const struct offer_row *row, const char *today,
		      struct offer *ret)
{
	unsigned char key[VAULT_KEY_BYTES], *text = NULL;
	struct access_item it;
	size_t len = 0;
	char ad[160];
	int r;

	offer_item(row, &it);
	if (!access_allows(s, &it, ACCESS_READ))
		return OFFER_NOTFOUND;
	offer_key(s, key);
	offer_ad(ad, sizeof(ad), row);
	r = vault_open(key, row->text_sealed.data, row->text_sealed.len, ad, &text, &len);
	vault_wipe(key, sizeof(key));
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	memset(ret, 0, sizeof(*ret));
	ret->text = (char *)text;
	ret->text_len = len;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->author_id, row->author_id, sizeof(ret->author_id));
	ret->mine = strcmp(row->author_id, s->member_id) == 0;
	memcpy(ret->until, row->until, sizeof(ret->until));
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	memcpy(ret->ended_at, row->ended_at, sizeof(ret->ended_at));
	ret->status = offer_status_of(row->until, row->ended_at, today);
	return 0;
}

int offer_add(const struct core *c, const struct session *s, const char *text, size_t len,
	      const char *until, struct offer *ret)
{
	unsigned char key[VAULT_KEY_BYTES];
	char today[CHECKIN_DATE_LEN + 1], last[CHECKIN_DATE_LEN + 1], ad[160];
	struct offer_row row;
	long u;
	int r;

	if (!text || !until)
		return -EINVAL;
	if (!is_partner(s))
		return OFFER_FORBIDDEN;
	checkin_today(today, 0);
	if (checkin_date_add(today, OFFER_UNTIL_MAX_DAYS, last) < 0)
		return -EINVAL;
	if (checkin_date_days(until, &u) < 0 || strcmp(until, today) < 0 || strcmp(until, last) > 0)
		return OFFER_BAD_UNTIL;

	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.version = 1;
	snprintf(row.until, sizeof(row.until), "%s", until);
	session_now(row.created_at, 0);
	offer_key(s, key);
	offer_ad(ad, sizeof(ad), &row);
	r = vault_seal(key, text, len, ad, &row.text_sealed.data, &row.text_sealed.len);
	vault_wipe(key, sizeof(key));
	if (r < 0)
		return r;
	r = STORE_CALL(c->st, offer_insert, &row);
	if (r == 0) {
		r = offer_open(s, &row, today, ret);
		if (r > 0)
			r = -EIO;
	} else if (r > 0) {
		r = -EIO;
	}
	store_offer_free(&row);
	return r;
}

int offer_read(const struct core *c, const struct session *s, const char *id, struct offer *ret)
{
	char today[CHECKIN_DATE_LEN + 1];
	struct offer_row row;
	int r;

	if (!is_partner(s))
		return OFFER_NOTFOUND;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, offer_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return OFFER_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	checkin_today(today, 0);
	r = offer_open(s, &row, today, ret);
	store_offer_free(&row);
	return r;
}

int offer_list(const struct core *c, const struct session *s, struct offer **ret, size_t *ret_n)
{
	struct offer_row *rows = NULL;
	struct offer *list;
	char today[CHECKIN_DATE_LEN + 1];
	size_t n = 0, m = 0, i;
	int r;

	if (!is_partner(s)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	r = STORE_CALL(c->st, offer_list, s->couple_id, OFFER_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	checkin_today(today, 0);
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = offer_open(s, &rows[i], today, &list[m]);
		if (r == OFFER_NOTFOUND)
			continue;
		if (r != 0) {
			offer_list_free(list, m);
			goto out;
		}
		m++;
	}
	*ret = list;
	*ret_n = m;
	r = 0;
out:
	store_offer_list_free(rows, n);
	return r;
}

int offer_end(const struct core *c, const struct session *s, const char *id, struct offer *ret)
{
	struct offer_row row;
	struct access_item it;
	char today[CHECKIN_DATE_LEN + 1], now[STORE_TIME_LEN + 1];
	int r;

	if (!is_partner(s))
		return OFFER_NOTFOUND;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, offer_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return OFFER_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	offer_item(&row, &it);
	if (!access_allows(s, &it, ACCESS_CHANGE)) {
		r = access_allows(s, &it, ACCESS_READ) ? OFFER_FORBIDDEN : OFFER_NOTFOUND;
		goto out;
	}
	session_now(now, 0);
	r = STORE_CALL(c->st, offer_end, s->couple_id, s->member_id, id, now);
	if (r == STORE_NOTFOUND) {
		r = OFFER_NOTFOUND;
		goto out;
	}
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	store_offer_free(&row);
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, offer_get, s->couple_id, id, &row);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	checkin_today(today, 0);
	r = offer_open(s, &row, today, ret);
	if (r > 0)
		r = -EIO;
out:
	store_offer_free(&row);
	return r;
}

int offer_counts(const struct core *c, const struct session *s, const char *today,
		 struct offer_counts *ret)
{
	struct offer_row *rows = NULL;
	struct offer_counts out;
	struct access_item it;
	size_t n = 0, i;
	int r;

	memset(&out, 0, sizeof(out));
	if (!is_partner(s)) {
		*ret = out;
		return 0;
	}
	r = STORE_CALL(c->st, offer_list, s->couple_id, OFFER_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; rows && i < n; i++) {
		offer_item(&rows[i], &it);
		if (!access_allows(s, &it, ACCESS_READ) ||
		    offer_status_of(rows[i].until, rows[i].ended_at, today) != OFFER_ACTIVE)
			continue;
		if (strcmp(rows[i].author_id, s->member_id) == 0)
			out.active_mine++;
		else
			out.active_partner++;
	}
	*ret = out;
	store_offer_list_free(rows, n);
	return 0;
}
