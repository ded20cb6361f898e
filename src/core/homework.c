/*
 * homework.c: homework with a due date (core/homework.h).  A homework is
 * record.c's item (title and body sealed; its due day and who assigned it
 * plain, so that the list runs by the day); each partner's mark (done, a
 * note) is an answer of its own, one per partner (item_answer_put()),
 * shared as the homework is.  The kind keeps this file because either
 * partner marks a homework, whoever assigned it, and a list shows both
 * marks, which a kind that is all data does not do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkin.h"
#include "core/homework.h"
#include "core/list.h"

static const char *const homework_by[] = {"partner", "care", NULL};

const struct field homework_fields[HOMEWORK_NFIELDS] = {
	[HOMEWORK_F_TITLE] = {"title", FIELD_STRING, 1, 1, HOMEWORK_TITLE_MAX, NULL},
	[HOMEWORK_F_BODY] = {"body", FIELD_STRING, 0, 0, HOMEWORK_BODY_MAX, NULL},
	[HOMEWORK_F_DUE_ON] = {"due_on", FIELD_DATE, 1, 0, 0, NULL},
	[HOMEWORK_F_SHARED] = {"shared_with", FIELD_SHARED, 0, 0, 0, NULL},
	[HOMEWORK_F_BY] = {"by", FIELD_ENUM, 1, 0, 0, homework_by},
};

/* The due day: today through today + HOMEWORK_DAYS_AHEAD, UTC. */
static int homework_check(const struct item_values *v, const char *today, const char **field)
{
	char last[CHECKIN_DATE_LEN + 1];
	const char *day = v->v[HOMEWORK_F_DUE_ON];

	checkin_today(last, HOMEWORK_DAYS_AHEAD);
	*field = homework_fields[HOMEWORK_F_DUE_ON].name;
	if (!day || strcmp(day, today) < 0 || strcmp(day, last) > 0)
		return ITEM_INVALID;
	*field = NULL;
	return 0;
}

const struct item_kind homework_kind = {
	.name = "homework",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "homework",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = HOMEWORK_MAX,
	.fields = homework_fields,
	.nfields = HOMEWORK_NFIELDS,
	.plain_mask = 1u << HOMEWORK_F_DUE_ON | 1u << HOMEWORK_F_BY,
	.partners_only = 1,
	.care_may_create = 1,
	.check = homework_check,
	.sort_by = 1 + HOMEWORK_F_DUE_ON,
};

const struct field homework_done_fields[HOMEWORK_D_NFIELDS] = {
	[HOMEWORK_D_DONE] = {"done", FIELD_BOOL, 1, 0, 0, NULL},
	[HOMEWORK_D_NOTE] = {"note", FIELD_STRING, 0, 0, HOMEWORK_NOTE_MAX, NULL},
};

/*
 * One partner's mark on a homework: one each (once = homework/member), all
 * of it sealed, shared as the homework is (shared_allowed: item_answer_put()
 * takes the homework's sharing), so the care team sees the marks on what
 * it sees.
 */
const struct item_kind homework_done_kind = {
	.name = "homework_done",
	.parent = "homework",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "homework",
	.key_id = 2,
	.shared_default = ACCESS_SHARE_PARTNER,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = HOMEWORK_MARKS_MAX,
	.fields = homework_done_fields,
	.nfields = HOMEWORK_D_NFIELDS,
	.partners_only = 1,
};

void homework_clear(struct homework *h)
{
	size_t i;

	if (!h)
		return;
	item_view_clear(&h->v);
	for (i = 0; i < HOMEWORK_MARKS_MAX; i++)
		item_text_free(h->marks[i].note, h->marks[i].note_len);
	memset(h, 0, sizeof(*h));
}

static void homework_clear_any(void *h)
{
	homework_clear(h);
}

void homework_list_free(struct homework *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), homework_clear_any);
}

/* The homework of row, opened, with the partners' marks (the note moves out of each). */
static int homework_open(const struct core *c, const struct session *s, const struct item_row *row,
			 struct homework *ret)
{
	struct item_view *answers = NULL;
	const char *by;
	size_t n = 0, i;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_view_open(c, &homework_kind, s, row, &ret->v);
	if (r != 0)
		return r;
	by = ret->v.values[HOMEWORK_F_BY];
	ret->by_care = by && strcmp(by, "care") == 0;
	r = item_answers(c, s, &homework_done_kind, row, &answers, &n);
	if (r != 0) {
		homework_clear(ret);
		return r;
	}
	for (i = 0; i < n && ret->nmarks < HOMEWORK_MARKS_MAX; i++) {
		struct homework_mark *m = &ret->marks[ret->nmarks++];
		const char *done = answers[i].values[HOMEWORK_D_DONE];

		memcpy(m->member_id, answers[i].author_id, sizeof(m->member_id));
		m->mine = answers[i].mine;
		m->done = done && done[0] == '1';
		m->note = answers[i].values[HOMEWORK_D_NOTE];
		m->note_len = answers[i].lens[HOMEWORK_D_NOTE];
		answers[i].values[HOMEWORK_D_NOTE] = NULL;
		memcpy(m->at, answers[i].updated_at, sizeof(m->at));
		ret->done |= m->done;
	}
	item_views_free(answers, n);
	return 0;
}

/* The row of homework id the reader may read (ITEM_NOTFOUND otherwise). */
static int homework_row(const struct core *c, const struct session *s, const char *id,
			struct item_row *row)
{
	if (!item_kind_visible(&homework_kind, s))
		return ITEM_NOTFOUND;
	return item_get(c, s, &homework_kind, id, ACCESS_READ, row);
}

int homework_read(const struct core *c, const struct session *s, const char *id,
		  struct homework *ret)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = homework_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = homework_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int homework_assign(const struct core *c, const struct session *s, struct item_values *v,
		    unsigned shared_with, struct homework *ret, const char **field)
{
	const char *by = item_partner(s) ? "partner" : "care";
	struct item_view out;
	int r;

	memset(ret, 0, sizeof(*ret));
	*field = NULL;
	if (item_partner(s) && !(shared_with & ACCESS_SHARE_PARTNER)) {
		/* homework is the couple's: the partner always sees it */
		*field = homework_fields[HOMEWORK_F_SHARED].name;
		return ITEM_INVALID;
	}
	v->v[HOMEWORK_F_BY] = by;
	v->len[HOMEWORK_F_BY] = strlen(by);
	r = item_create(c, s, &homework_kind, v, shared_with, &out, field);
	if (r != 0)
		return r;
	ret->v = out; /* no marks yet */
	ret->by_care = !item_partner(s);
	return 0;
}

int homework_mark(const struct core *c, const struct session *s, const char *id, int done,
		  const char *note, struct homework *ret, const char **field)
{
	struct item_values v;
	struct item_row row;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	r = homework_row(c, s, id, &row);
	if (r != 0)
		return r;
	if (!item_partner(s)) { /* the care team assigns; the couple does it */
		store_item_free(&row);
		return ITEM_FORBIDDEN;
	}
	memset(&v, 0, sizeof(v));
	v.v[HOMEWORK_D_DONE] = done ? "1" : "0";
	v.len[HOMEWORK_D_DONE] = 1;
	if (note && *note) {
		v.v[HOMEWORK_D_NOTE] = note;
		v.len[HOMEWORK_D_NOTE] = strlen(note);
	}
	r = item_answer_put(c, s, &homework_done_kind, &row, &v);
	if (r == 0)
		r = homework_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

struct homework_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows;
};

static int homework_at(void *ctx, size_t i, void *elem)
{
	const struct homework_each *e = ctx;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return homework_open(e->c, e->s, &e->rows[i], elem);
}

int homework_list(const struct core *c, const struct session *s, struct homework **ret, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = homework_kind.name,
			       .limit = core_list_limit(c, homework_kind.list_max)};
	struct homework_each e = {c, s, NULL};
	struct item_row *rows = NULL;
	void *list = NULL;
	size_t nrows = 0;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_kind_visible(&homework_kind, s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r != 0)
		return r;
	e.rows = rows;
	r = core_open_list(c, nrows, sizeof(**ret), ITEM_NOTFOUND, homework_at, homework_clear_any,
			   &e, &list, n);
	store_item_list_free(rows, nrows);
	if (r == 0)
		*ret = list;
	return r;
}
