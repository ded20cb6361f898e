/*
 * offer.c: transparency offers.  The text is sealed under a subkey of the
 * couple key (context "offers__"); every row found goes through
 * item_allows() as an item shared with the partner.  The engine (item.c)
 * stores, seals and opens it; this file holds the offer's own rules: its
 * plain values (until, ended_at), the date check and the status.
 *
 * Not a kind that is all data (record.c): an offer is ended by its author
 * alone, and its status (active, ended, expired) is computed from two plain
 * values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/list.h"
#include "core/offer.h"

const char *const offer_statuses[] = {"active", "ended", "expired", NULL};

/* The row: plain "until|ended_at"; sealed: the text. */
const struct item_kind offer_kind = {
	.name = "offer",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "offers__",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER, /* always, by the program's rule */
	.list_max = OFFER_LIST_MAX,
	.legacy_ad = "offers.text",
	.legacy_form = ITEM_LEGACY_ID,
};

enum offer_status offer_status_of(const char *until, const char *ended_at, const char *today)
{
	if (ended_at && ended_at[0])
		return OFFER_ENDED;
	/* both are YYYY-MM-DD: the text order is the calendar order */
	if (until && today && strcmp(until, today) < 0)
		return OFFER_EXPIRED;
	return OFFER_ACTIVE;
}

/* The plain values of a row: until and ended_at ("" while it stands). */
static int offer_plain(const struct item_row *row, char until[CHECKIN_DATE_LEN + 1],
		       char ended_at[STORE_TIME_LEN + 1])
{
	if (item_plain_get(row, 0, until, CHECKIN_DATE_LEN + 1) < 0 ||
	    item_plain_get(row, 1, ended_at, STORE_TIME_LEN + 1) < 0)
		return -EBADMSG;
	return 0;
}

void offer_clear(struct offer *o)
{
	if (!o)
		return;
	item_text_free(o->text, o->text_len);
	memset(o, 0, sizeof(*o));
}

static void clear_any(void *o)
{
	offer_clear(o);
}

void offer_list_free(struct offer *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

static int offer_open(const struct core *c, const struct session *s, const struct item_row *row,
		      const char *today, struct offer *ret)
{
	unsigned char *text = NULL;
	size_t len = 0;
	int r;

	if (!item_allows(s, row, ACCESS_READ))
		return OFFER_NOTFOUND;
	memset(ret, 0, sizeof(*ret));
	r = offer_plain(row, ret->until, ret->ended_at);
	if (r == 0)
		r = item_open(c, &offer_kind, s, row, &text, &len);
	if (r != 0)
		return r;
	ret->text = (char *)text;
	ret->text_len = len;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->author_id, row->author_id, sizeof(ret->author_id));
	ret->mine = strcmp(row->author_id, s->member_id) == 0;
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	ret->status = offer_status_of(ret->until, ret->ended_at, today);
	/* only its author ends an offer */
	session_seen_time(s, row->author_id, ret->created_at);
	session_seen_time(s, row->author_id, ret->ended_at);
	return 0;
}

/* Opens row for *ret, or -EIO when what was just written cannot be read back. */
static int offer_reply(const struct core *c, const struct session *s, const struct item_row *row,
		       struct offer *ret)
{
	char today[CHECKIN_DATE_LEN + 1];
	int r;

	checkin_today(today, 0);
	r = offer_open(c, s, row, today, ret);
	return r > 0 ? -EIO : r;
}

int offer_add(const struct core *c, const struct session *s, const char *text, size_t len,
	      const char *until, struct offer *ret)
{
	char today[CHECKIN_DATE_LEN + 1], last[CHECKIN_DATE_LEN + 1];
	const char *plain[2] = {until, ""};
	struct item_row row;
	long u;
	int r;

	if (!text || !until)
		return -EINVAL;
	if (!item_partner(s))
		return OFFER_FORBIDDEN;
	checkin_today(today, 0);
	if (checkin_date_add(today, OFFER_UNTIL_MAX_DAYS, last) < 0)
		return -EINVAL;
	if (checkin_date_days(until, &u) < 0 || strcmp(until, today) < 0 || strcmp(until, last) > 0)
		return OFFER_BAD_UNTIL;

	item_start(&offer_kind, s, NULL, 0, &row);
	r = item_plain_set(&row, plain, 2);
	if (r == 0)
		r = item_seal(&offer_kind, s, &row, text, len);
	if (r == 0)
		r = item_insert(c, &row);
	if (r > 0)
		r = -EIO;
	if (r == 0)
		r = offer_reply(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int offer_read(const struct core *c, const struct session *s, const char *id, struct offer *ret)
{
	char today[CHECKIN_DATE_LEN + 1];
	struct item_row row;
	int r;

	if (!item_partner(s))
		return OFFER_NOTFOUND;
	r = item_get(c, s, &offer_kind, id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	checkin_today(today, 0);
	r = offer_open(c, s, &row, today, ret);
	store_item_free(&row);
	return r;
}

/* The couple's newest offers, as the store has them (none for another role). */
static int offer_rows(const struct core *c, const struct session *s, struct item_row **rows,
		      size_t *n)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = offer_kind.name,
		.limit = core_list_limit(c, OFFER_LIST_MAX),
	};

	*rows = NULL;
	*n = 0;
	return item_partner(s) ? item_list(c, &q, rows, n) : 0;
}

struct offer_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows;
	const char *today;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct offer_each *e = ctx;

	return offer_open(e->c, e->s, &e->rows[i], e->today, elem);
}

int offer_list(const struct core *c, const struct session *s, struct offer **ret, size_t *ret_n)
{
	struct item_row *rows = NULL;
	char today[CHECKIN_DATE_LEN + 1];
	struct offer_each e = {c, s, NULL, today};
	void *list = NULL;
	size_t n = 0;
	int r;

	r = offer_rows(c, s, &rows, &n);
	if (r != 0)
		return r;
	checkin_today(today, 0);
	e.rows = rows;
	r = core_open_list(c, n, sizeof(**ret), OFFER_NOTFOUND, open_at, clear_any, &e, &list,
			   ret_n);
	store_item_list_free(rows, n);
	if (r == 0)
		*ret = list;
	return r;
}

int offer_end(const struct core *c, const struct session *s, const char *id, struct offer *ret)
{
	char until[CHECKIN_DATE_LEN + 1], ended_at[STORE_TIME_LEN + 1];
	char old_plain[STORE_PLAIN_LEN + 1];
	const char *plain[2] = {until, ended_at};
	struct item_row row;
	int r;

	if (!item_partner(s))
		return OFFER_NOTFOUND;
	r = item_get(c, s, &offer_kind, id, ACCESS_CHANGE, &row);
	if (r != 0)
		return r;
	r = offer_plain(&row, until, ended_at);
	/* an offer already ended keeps its first ended_at */
	if (r == 0 && !ended_at[0]) {
		memcpy(old_plain, row.plain, sizeof(old_plain));
		session_now(ended_at, 0);
		memcpy(row.updated_at, ended_at, sizeof(row.updated_at));
		r = item_plain_set(&row, plain, 2);
		if (r == 0)
			r = item_update(c, s, &row, row.version, old_plain);
		if (r == ITEM_CONFLICT) {
			/* ended meanwhile (by this author: nobody else can): answer with it */
			store_item_free(&row);
			r = item_get(c, s, &offer_kind, id, ACCESS_CHANGE, &row);
			if (r != 0)
				return r;
		}
		if (r > 0)
			r = -EIO;
	}
	if (r == 0)
		r = offer_reply(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int offer_counts(const struct core *c, const struct session *s, const char *today,
		 struct offer_counts *ret)
{
	char until[CHECKIN_DATE_LEN + 1], ended_at[STORE_TIME_LEN + 1];
	struct item_row *rows = NULL;
	struct offer_counts out;
	size_t n = 0, i;
	int r;

	memset(&out, 0, sizeof(out));
	r = offer_rows(c, s, &rows, &n);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!item_allows(s, &rows[i], ACCESS_READ) ||
		    offer_plain(&rows[i], until, ended_at) < 0 ||
		    offer_status_of(until, ended_at, today) != OFFER_ACTIVE)
			continue;
		if (strcmp(rows[i].author_id, s->member_id) == 0)
			out.active_mine++;
		else
			out.active_partner++;
	}
	*ret = out;
	store_item_list_free(rows, n);
	return 0;
}
