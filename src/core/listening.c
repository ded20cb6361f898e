/*
 * listening.c: the listening exercise (core/listening.h).  A session is
 * record.c's item, sealed under the couple key; each partner's answer is
 * an answer item of its own (once = session/member, item_answer_put()),
 * sealed under its author's master key and never shared, so the partner
 * cannot open it even from the database.  The kind keeps this file
 * because who speaks first must be one of the couple's two partners, and
 * a list shows each reader their own answer only, which a kind that is
 * all data does not do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/list.h"
#include "core/listening.h"
#include "i18n/i18n.h"

const struct field listening_fields[LISTENING_NFIELDS] = {
	[LISTENING_F_TOPIC] = {"topic", FIELD_STRING, 0, 0, LISTENING_TOPIC_MAX, NULL},
	[LISTENING_F_SPEAKER_FIRST] = {"speaker_first", FIELD_ID, 1, 0, 0, NULL},
};

/* Both partners see a session; everything of it sealed, even who spoke first. */
const struct item_kind listening_kind = {
	.name = "listening",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "listenng",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = LISTENING_MAX,
	.fields = listening_fields,
	.nfields = LISTENING_NFIELDS,
	.partners_only = 1,
};

const struct field listening_answer_fields[LISTENING_A_NFIELDS] = {
	[LISTENING_A_TURNS] = {"turns", FIELD_INT, 1, 0, LISTENING_TURNS_MAX, NULL},
	[LISTENING_A_MINUTES] = {"minutes", FIELD_INT, 1, 0, LISTENING_MINUTES_MAX, NULL},
	[LISTENING_A_FELT_HEARD] = {"felt_heard", FIELD_INT, 1, 1, 5, NULL},
};

/*
 * A partner's own answer: private (shared_with 0) and sealed under their
 * master key, one each (once = session/member).
 */
const struct item_kind listening_answer_kind = {
	.name = "listening_answer",
	.parent = "listening",
	.key_from = ITEM_KEY_MEMBER,
	.key_ctx = "listenng",
	.key_id = 2,
	.shared_default = 0,
	.list_max = 2, /* one each: a list of sessions reads both rows, opens the reader's */
	.fields = listening_answer_fields,
	.nfields = LISTENING_A_NFIELDS,
	.partners_only = 1,
};

void listening_clear(struct listening *l)
{
	if (!l)
		return;
	item_view_clear(&l->v);
	memset(l, 0, sizeof(*l));
}

static void listening_clear_any(void *l)
{
	listening_clear(l);
}

void listening_free(struct listening *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), listening_clear_any);
}

/* A decimal value of an opened answer, 0 when absent or not a number. */
static int value_int(const struct item_view *a, int i)
{
	long v;
	char *end;

	if (!a->values[i])
		return 0;
	v = strtol(a->values[i], &end, 10);
	return end != a->values[i] && *end == '\0' && v >= 0 && v <= 1000000
		       ? (int)v
		       : 0; /* turns, minutes, 1-5 */
}

/*
 * The session of row, opened, with the reader's answer from answer (the
 * reader's own answer row to it, or NULL).  An answer that does not open
 * is left out, as if not given: the session still shows.
 */
static int listening_open(const struct core *c, const struct session *s, const struct item_row *row,
			  const struct item_row *answer, struct listening *ret)
{
	const char *first;
	struct item_view a;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_view_open(c, &listening_kind, s, row, &ret->v);
	if (r != 0)
		return r;
	first = ret->v.values[LISTENING_F_SPEAKER_FIRST];
	ret->me_first = first && strcmp(first, s->member_id) == 0;
	if (!answer || strcmp(answer->author_id, s->member_id) != 0)
		return 0;
	if (item_view_open(c, &listening_answer_kind, s, answer, &a) != 0)
		return 0;
	ret->answered = 1;
	ret->turns = value_int(&a, LISTENING_A_TURNS);
	ret->minutes = value_int(&a, LISTENING_A_MINUTES);
	ret->felt_heard = value_int(&a, LISTENING_A_FELT_HEARD);
	memcpy(ret->answered_at, a.updated_at, sizeof(ret->answered_at));
	item_view_clear(&a);
	return 0;
}

/* The reader's own answer row to parent into *ret (store_item_list_free()), or none. */
static int own_answer(const struct core *c, const struct session *s, const struct item_row *parent,
		      struct item_row **ret, size_t *n)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = listening_answer_kind.name,
		.author_id = s->member_id,
		.parent_kind = parent->kind,
		.parent_id = parent->id,
		.limit = 1,
	};

	return item_list(c, &q, ret, n);
}

/* Row and its opening, with the reader's answer. */
static int listening_open_row(const struct core *c, const struct session *s,
			      const struct item_row *row, struct listening *ret)
{
	struct item_row *answers = NULL;
	size_t n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = own_answer(c, s, row, &answers, &n);
	if (r != 0)
		return r;
	r = listening_open(c, s, row, n ? &answers[0] : NULL, ret);
	store_item_list_free(answers, n);
	return r;
}

/* The row of session id the reader may read (ITEM_NOTFOUND otherwise). */
static int listening_row(const struct core *c, const struct session *s, const char *id,
			 struct item_row *row)
{
	if (!item_partner(s))
		return ITEM_NOTFOUND;
	return item_get(c, s, &listening_kind, id, ACCESS_READ, row);
}

int listening_read(const struct core *c, const struct session *s, const char *id,
		   struct listening *ret)
{
	struct item_row row;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = listening_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = listening_open_row(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int listening_start(const struct core *c, const struct session *s, const struct item_values *v,
		    struct listening *ret, const char **field)
{
	const char *first = v->v[LISTENING_F_SPEAKER_FIRST];
	struct member_view mv;
	size_t i;
	int r, ours = 0;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!item_partner(s))
		return ITEM_FORBIDDEN;
	memset(&mv, 0, sizeof(mv));
	r = account_describe(c, s, &mv);
	if (r != 0)
		return r < 0 ? r : -EIO;
	for (i = 0; first && i < mv.npartners; i++)
		ours |= strcmp(mv.partners[i].id, first) == 0;
	if (!ours) {
		*field = listening_fields[LISTENING_F_SPEAKER_FIRST].name;
		return ITEM_INVALID; /* one of the couple's partners */
	}
	r = item_create(c, s, &listening_kind, v, ACCESS_SHARE_PARTNER, &ret->v, field);
	if (r != 0)
		return r;
	ret->me_first = strcmp(first, s->member_id) == 0;
	return 0;
}

int listening_answer(const struct core *c, const struct session *s, const char *id,
		     const struct item_values *v, struct listening *ret, const char **field)
{
	struct item_row row;
	int r;

	*field = NULL;
	memset(ret, 0, sizeof(*ret));
	r = item_values_check(&listening_answer_kind, v, field);
	if (r != 0)
		return r;
	r = listening_row(c, s, id, &row);
	if (r != 0)
		return r;
	r = item_answer_put(c, s, &listening_answer_kind, &row, v);
	if (r == 0)
		r = listening_open_row(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

struct listening_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows, *answers; /* answers: the reader's own only */
	size_t nanswers;
};

static int listening_at(void *ctx, size_t i, void *elem)
{
	const struct listening_each *e = ctx;
	const struct item_row *answer = NULL;
	size_t j;

	if (!item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	for (j = 0; j < e->nanswers; j++)
		if (strcmp(e->answers[j].parent_id, e->rows[i].id) == 0 &&
		    strcmp(e->answers[j].author_id, e->s->member_id) == 0)
			answer = &e->answers[j];
	return listening_open(e->c, e->s, &e->rows[i], answer, elem);
}

int listening_list(const struct core *c, const struct session *s, struct listening **ret, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = listening_kind.name,
			       .limit = core_list_limit(c, listening_kind.list_max)};
	struct listening_each e = {c, s, NULL, NULL, 0};
	struct item_row *rows = NULL, *answers = NULL;
	size_t nrows = 0, nanswers = 0;
	void *list = NULL;
	int r;

	*ret = NULL;
	*n = 0;
	if (!item_partner(s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &nrows);
	if (r != 0)
		return r;
	/* the answers to these sessions in one query; the partner's are never opened */
	r = item_answer_rows(c, s, &listening_answer_kind, &listening_kind, NULL, q.limit, &answers,
			     &nanswers);
	if (r != 0)
		goto out;
	e.rows = rows;
	e.answers = answers;
	e.nanswers = nanswers;
	r = core_open_list(c, nrows, sizeof(**ret), ITEM_NOTFOUND, listening_at,
			   listening_clear_any, &e, &list, n);
	if (r == 0)
		*ret = list;
out:
	store_item_list_free(answers, nanswers);
	store_item_list_free(rows, nrows);
	return r;
}

int listening_count(const struct core *c, const struct session *s, size_t *ret)
{
	if (!item_partner(s)) {
		*ret = 0;
		return 0;
	}
	return item_count(c, s, &listening_kind, 0, ret);
}
