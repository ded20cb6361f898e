/*
 * dates.c: date nights (core/dates.h).  A date is record.c's item (its
 * title sealed, its day plain so that the list runs by it); each partner's
 * answer (done, a rating, a note) is an answer of its own, sealed by them,
 * one per partner (item_answer_put()).  The kind keeps this file because
 * either partner answers a date and a list shows both answers, which a kind
 * that is all data does not do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkin.h"
#include "core/dates.h"
#include "core/list.h"
#include "i18n/i18n.h"

#define DATE_DAYS_BACK	366 /* a date may be written down after it happened */
#define DATE_DAYS_AHEAD 366

const struct field date_fields[DATE_NFIELDS] = {
	[DATE_F_TITLE] = {"title", FIELD_STRING, 1, 1, DATE_TITLE_MAX, NULL},
	[DATE_F_PLANNED_FOR] = {"planned_for", FIELD_DATE, 1, 0, 0, NULL},
};

/* The day: within a year of today, either way. */
static int date_check(const struct item_values *v, const char *today, const char **field)
{
	char lo[CHECKIN_DATE_LEN + 1], hi[CHECKIN_DATE_LEN + 1];
	const char *day = v->v[DATE_F_PLANNED_FOR];

	(void)today;
	checkin_today(lo, -DATE_DAYS_BACK);
	checkin_today(hi, DATE_DAYS_AHEAD);
	*field = date_fields[DATE_F_PLANNED_FOR].name;
	if (!day || strcmp(day, lo) < 0 || strcmp(day, hi) > 0)
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

const struct item_kind date_kind = {
	.name = "date_night",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "dates___",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = DATES_MAX,
	.fields = date_fields,
	.nfields = DATE_NFIELDS,
	.plain_mask = 1u << DATE_F_PLANNED_FOR,
	.partners_only = 1,
	.check = date_check,
	.sort_by = 1 + DATE_F_PLANNED_FOR,
};

const struct field date_rating_fields[DATE_R_NFIELDS] = {
	[DATE_R_DONE] = {"done", FIELD_BOOL, 1, 0, 0, NULL},
	[DATE_R_RATING] = {"rating", FIELD_INT, 0, 1, 5, NULL},
	[DATE_R_NOTE] = {"note", FIELD_STRING, 0, 0, DATE_NOTE_MAX, NULL},
};

/* One partner's answer to a date: one each (once = date/member), all of it sealed. */
const struct item_kind date_rating_kind = {
	.name = "date_rating",
	.parent = "date_night",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "dates___",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 2,
	.fields = date_rating_fields,
	.nfields = DATE_R_NFIELDS,
	.partners_only = 1,
};

static void rating_clear(struct date_rating *r)
{
	item_text_free(r->note, r->note_len);
	memset(r, 0, sizeof(*r));
}

void date_clear(struct date_night *d)
{
	if (!d)
		return;
	item_view_clear(&d->v);
	rating_clear(&d->mine);
	rating_clear(&d->partner);
	memset(d, 0, sizeof(*d));
}

static void date_clear_any(void *d);

void dates_free(struct date_night *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), date_clear_any);
}

/* An answer's values into r; the note moves out of the view. */
static void rating_take(struct date_rating *r, struct item_view *a)
{
	const char *rating = a->values[DATE_R_RATING];

	r->given = 1;
	r->done = a->values[DATE_R_DONE] && a->values[DATE_R_DONE][0] == '1';
	r->rating =
		rating && rating[0] >= '1' && rating[0] <= '5' && !rating[1] ? rating[0] - '0' : 0;
	r->note = a->values[DATE_R_NOTE];
	r->note_len = a->lens[DATE_R_NOTE];
	a->values[DATE_R_NOTE] = NULL;
	memcpy(r->at, a->updated_at, sizeof(r->at));
}

/* The date of row, opened, with both partners' answers. */
static int date_open(const struct core *c, const struct session *s, const struct item_row *row,
		     struct date_night *ret)
{
	struct item_view *answers = NULL;
	size_t n = 0, i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_view_open(c, &date_kind, s, row, &ret->v);
	if (r != 0)
		return r;
	r = item_answers(c, s, &date_rating_kind, row, &answers, &n);
	if (r != 0) {
		date_clear(ret);
		return r;
	}
	for (i = 0; i < n; i++) {
		struct date_rating *to = answers[i].mine ? &ret->mine : &ret->partner;

		if (!to->given)
			rating_take(to, &answers[i]);
	}
	item_views_free(answers, n);
	ret->done = ret->mine.done || ret->partner.done;
	return 0;
}

/* The row of date id the reader may read (ITEM_NOTFOUND otherwise). */
static int date_row(const struct core *c, const struct session *s, const char *id,
		    struct item_row *row)
{
	if (!item_partner(s))
		return ITEM_NOTFOUND;
	return item_get(c, s, &date_kind, id, ACCESS_READ, row);
}

int date_read(const struct core *c, const struct session *s, const char *id, struct date_night *ret)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = date_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = date_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int date_plan(const struct core *c, const struct session *s, const struct item_values *v,
	      struct date_night *ret, const char **field)
{
	struct item_view out;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_create(c, s, &date_kind, v, ACCESS_SHARE_PARTNER, &out, field);
	if (r != 0)
		return r;
	ret->v = out; /* no answers yet */
	return 0;
}

int date_answer(const struct core *c, const struct session *s, const char *id, int done, int rating,
		const char *note, struct date_night *ret, const char **field)
{
	char num[4];
	struct item_values v;
	struct item_row row;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (rating && (!done || rating < 1 || rating > 5)) {
		*field = date_rating_fields[DATE_R_RATING]
				 .name; /* a rating is of a date that happened */
		return ITEM_INVALID;
	}
	r = date_row(c, s, id, &row);
	if (r != 0)
		return r;
	memset(&v, 0, sizeof(v));
	v.v[DATE_R_DONE] = done ? "1" : "0";
	v.len[DATE_R_DONE] = 1;
	if (rating) {
		snprintf(num, sizeof(num), "%d", rating);
		v.v[DATE_R_RATING] = num;
		v.len[DATE_R_RATING] = 1;
	}
	if (note && *note) {
		v.v[DATE_R_NOTE] = note;
		v.len[DATE_R_NOTE] = strlen(note);
	}
	r = item_answer_put(c, s, &date_rating_kind, &row, &v);
	if (r == 0)
		r = date_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

struct dates_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows;
};

static int date_at(void *ctx, size_t i, void *elem)
{
	const struct dates_each *e = ctx;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return date_open(e->c, e->s, &e->rows[i], elem);
}

static void date_clear_any(void *d)
{
	date_clear(d);
}

int dates_list(const struct core *c, const struct session *s, struct date_night **ret, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = date_kind.name,
			       .limit = core_list_limit(c, date_kind.list_max)};
	struct dates_each e = {c, s, NULL};
	struct item_row *rows = NULL;
	void *list = NULL;
	size_t nrows = 0;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_partner(s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r != 0)
		return r;
	e.rows = rows;
	r = core_open_list(c, nrows, sizeof(**ret), ITEM_NOTFOUND, date_at, date_clear_any, &e,
			   &list, n);
	store_item_list_free(rows, nrows);
	if (r == 0)
		*ret = list;
	return r;
}
