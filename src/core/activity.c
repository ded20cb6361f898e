/*
 * activity.c: shared activities, planned and done, with how each partner
 * felt.
 *
 * The title is sealed under a subkey of the couple key (context
 * "activity"); a partner's note about it is an answer to it, its version
 * bumped on every change so that an older note cannot be put back in
 * place of a newer one.  Either partner may mark
 * an activity done: for access_allows() that is changing it (its author)
 * or answering it (the partner it is shared with).
 *
 * Not a kind that is all data (record.c): either partner marks it done,
 * and each partner's feeling about it is an answer of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activity.h"
#include "core/item.h"
#include "core/list.h"

#define ACTIVITY_MARK_TRIES 3

const char *const activity_kinds[] = {"exercise", "cooking", "hobby", "other", NULL};

/* An activity: plain "kind|planned_for|done_at|done_by", sorted by planned_for; sealed: the title.
 */
const struct item_kind activity_kind = {
	.name = "activity",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "activity",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER, /* always shared, by the program's rule */
	.list_max = ACTIVITY_LIST_MAX,
	.legacy_ad = "activities.title",
	.legacy_form = ITEM_LEGACY_ID,
};

/* How one partner felt: one per partner per activity (once = activity/author). */
const struct item_kind activity_feeling_kind = {
	.name = "activity_feeling",
	.parent = "activity",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "activity",
	.key_id = 1,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 2,
	.legacy_ad = "activity_feelings.felt",
	.legacy_form = ITEM_LEGACY_PARENT_AUTHOR,
};

enum { PLAIN_KIND, PLAIN_PLANNED_FOR, PLAIN_DONE_AT, PLAIN_DONE_BY, PLAIN_N };

/* The plain values of an activity row. */
struct activity_plain {
	char kind[16];
	char planned_for[CHECKIN_DATE_LEN + 1];
	char done_at[STORE_TIME_LEN + 1];
	char done_by[VAULT_ID_HEX + 1];
};

static int activity_plain_get(const struct item_row *row, struct activity_plain *p)
{
	if (item_plain_get(row, PLAIN_KIND, p->kind, sizeof(p->kind)) < 0 ||
	    item_plain_get(row, PLAIN_PLANNED_FOR, p->planned_for, sizeof(p->planned_for)) < 0 ||
	    item_plain_get(row, PLAIN_DONE_AT, p->done_at, sizeof(p->done_at)) < 0 ||
	    item_plain_get(row, PLAIN_DONE_BY, p->done_by, sizeof(p->done_by)) < 0)
		return -EBADMSG;
	return 0;
}

static int activity_plain_set(struct item_row *row, const struct activity_plain *p)
{
	const char *vals[PLAIN_N] = {p->kind, p->planned_for, p->done_at, p->done_by};

	memcpy(row->sort, p->planned_for, sizeof(p->planned_for));
	return item_plain_set(row, vals, PLAIN_N);
}

int activity_kind_from(const char *s)
{
	int i;

	for (i = 0; s && activity_kinds[i]; i++)
		if (strcmp(s, activity_kinds[i]) == 0)
			return i;
	return -EINVAL;
}

void activity_clear(struct activity *a)
{
	if (!a)
		return;
	if (a->title) {
		vault_wipe(a->title, a->title_len);
		free(a->title);
	}
	if (a->felt) {
		vault_wipe(a->felt, a->felt_len);
		free(a->felt);
	}
	if (a->partner_felt) {
		vault_wipe(a->partner_felt, a->partner_felt_len);
		free(a->partner_felt);
	}
	memset(a, 0, sizeof(*a));
}

static void clear_any(void *a)
{
	activity_clear(a);
}

void activity_list_free(struct activity *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

/* Opens a row the reader may see, with the feelings among felt[0..nfelt)
 * that answer it; ACTIVITY_NOTFOUND when they may not see it. */
static int activity_open(const struct core *c, const struct session *s, const struct item_row *row,
			 const struct item_row *felt, size_t nfelt, struct activity *ret)
{
	unsigned char *text = NULL;
	struct activity_plain p;
	struct activity out;
	size_t len = 0, i;
	int r, kind;

	if (!item_allows(s, row, ACCESS_READ))
		return ACTIVITY_NOTFOUND;
	if (activity_plain_get(row, &p) < 0 || (kind = activity_kind_from(p.kind)) < 0)
		return -EBADMSG;
	memset(&out, 0, sizeof(out));
	r = item_open(c, &activity_kind, s, row, &text, &len);
	if (r != 0)
		goto out;
	out.title = (char *)text;
	out.title_len = len;
	for (i = 0; i < nfelt; i++) {
		const struct item_row *f = &felt[i];
		int mine = strcmp(f->author_id, s->member_id) == 0;

		if (strcmp(f->parent_id, row->id) != 0)
			continue;
		r = item_open(c, &activity_feeling_kind, s, f, &text, &len);
		if (r != 0)
			goto out;
		if (mine && !out.felt) {
			out.felt = (char *)text;
			out.felt_len = len;
		} else if (!mine && !out.partner_felt) {
			out.partner_felt = (char *)text;
			out.partner_felt_len = len;
		} else {
			item_text_free(text, len);
		}
	}
	memcpy(out.id, row->id, sizeof(out.id));
	memcpy(out.author_id, row->author_id, sizeof(out.author_id));
	out.mine = strcmp(row->author_id, s->member_id) == 0;
	out.kind = (enum activity_kind)kind;
	memcpy(out.planned_for, p.planned_for, sizeof(out.planned_for));
	out.done = p.done_at[0] != '\0';
	memcpy(out.done_at, p.done_at, sizeof(out.done_at));
	memcpy(out.done_by, p.done_by, sizeof(out.done_by));
	memcpy(out.created_at, row->created_at, sizeof(out.created_at));
	session_seen_time(s, out.done_by, out.done_at);
	session_seen_time(s, row->author_id, out.created_at);
	*ret = out;
	memset(&out, 0, sizeof(out));
	r = 0;
out:
	activity_clear(&out);
	return r;
}

/* The feelings about one activity (at most one per partner). */
static int activity_feelings(const struct core *c, const struct item_row *row,
			     struct item_row **felt, size_t *nfelt)
{
	struct item_query q = {
		.couple_id = row->couple_id,
		.kind = activity_feeling_kind.name,
		.parent_kind = activity_kind.name,
		.parent_id = row->id,
		.limit = 2,
		.oldest_first = 1,
	};

	return item_list(c, &q, felt, nfelt);
}

/* Reads activity id with its feelings and opens it for the reader. */
static int activity_fetch(const struct core *c, const struct session *s, const char *id,
			  struct activity *ret)
{
	struct item_row row, *felt = NULL;
	size_t nfelt = 0;
	int r;

	r = item_get(c, s, &activity_kind, id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	r = activity_feelings(c, &row, &felt, &nfelt);
	if (r == 0)
		r = activity_open(c, s, &row, felt, nfelt, ret);
	store_item_list_free(felt, nfelt);
	store_item_free(&row);
	return r;
}

int activity_add(const struct core *c, const struct session *s, enum activity_kind kind,
		 const char *title, size_t len, const char *planned_for, struct activity *ret)
{
	struct activity_plain p;
	struct item_row row;
	long d;
	int r;

	if ((unsigned)kind >= _ACTIVITY_KIND_MAX || !title ||
	    checkin_date_days(planned_for, &d) < 0)
		return -EINVAL;
	if (!item_partner(s))
		return ACTIVITY_FORBIDDEN;
	memset(&p, 0, sizeof(p));
	snprintf(p.kind, sizeof(p.kind), "%s", activity_kinds[kind]);
	snprintf(p.planned_for, sizeof(p.planned_for), "%s", planned_for);
	item_start(&activity_kind, s, NULL, 0, &row);
	r = activity_plain_set(&row, &p);
	if (r == 0)
		r = item_seal(&activity_kind, s, &row, title, len);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == 0)
		r = activity_open(c, s, &row, NULL, 0, ret);
	if (r > 0)
		r = -EIO;
	store_item_free(&row);
	return r;
}

int activity_read(const struct core *c, const struct session *s, const char *id,
		  struct activity *ret)
{
	if (!item_partner(s))
		return ACTIVITY_NOTFOUND;
	return activity_fetch(c, s, id, ret);
}

/* The couple's newest activities and the feelings about them, as stored. */
static int activity_rows(const struct core *c, const struct session *s, struct item_row **rows,
			 size_t *n, struct item_row **felt, size_t *nfelt)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = activity_kind.name,
		.limit = core_list_limit(c, ACTIVITY_LIST_MAX),
	};
	int r;

	*rows = NULL;
	*n = 0;
	if (felt) {
		*felt = NULL;
		*nfelt = 0;
	}
	if (!item_partner(s))
		return 0;
	r = item_list(c, &q, rows, n);
	if (r != 0 || !felt)
		return r;
	q.kind = activity_feeling_kind.name;
	q.of_newest = activity_kind.name;
	q.answer_limit = core_list_limit(c, 2 * ACTIVITY_LIST_MAX);
	r = item_list(c, &q, felt, nfelt);
	if (r != 0) {
		store_item_list_free(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	return r;
}

struct activity_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows, *felt;
	size_t nfelt;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct activity_each *e = ctx;

	return activity_open(e->c, e->s, &e->rows[i], e->felt, e->nfelt, elem);
}

int activity_list(const struct core *c, const struct session *s, struct activity **ret,
		  size_t *ret_n)
{
	struct item_row *rows = NULL, *felt = NULL;
	struct activity_each e = {c, s, NULL, NULL, 0};
	void *list = NULL;
	size_t n = 0, nfelt = 0;
	int r;

	r = activity_rows(c, s, &rows, &n, &felt, &nfelt);
	if (r != 0)
		return r;
	e.rows = rows;
	e.felt = felt;
	e.nfelt = nfelt;
	r = core_open_list(c, n, sizeof(**ret), ACTIVITY_NOTFOUND, open_at, clear_any, &e, &list,
			   ret_n);
	store_item_list_free(felt, nfelt);
	store_item_list_free(rows, n);
	if (r == 0)
		*ret = list;
	return r;
}

/* Puts the reader's note about row (felt_len 0: removes it); CONFLICT means "again". */
static int activity_feel(const struct core *c, const struct session *s, const struct item_row *row,
			 const char *felt, size_t felt_len)
{
	struct item_row *rows = NULL, *mine = NULL, f;
	size_t n = 0, i;
	int r;

	r = activity_feelings(c, row, &rows, &n);
	for (i = 0; r == 0 && i < n; i++)
		if (strcmp(rows[i].author_id, s->member_id) == 0)
			mine = &rows[i];
	if (r != 0 || (!mine && felt_len == 0))
		goto out;
	if (mine && felt_len == 0) {
		r = item_store_result(STORE_CALL(c->st, item_delete, row->couple_id,
						 activity_feeling_kind.name, mine->id));
		goto out;
	}
	if (mine) {
		f = *mine;
		f.version = mine->version + 1;
		f.sealed.data = NULL;
		f.sealed.len = 0;
		session_now(f.updated_at, 0);
		memcpy(f.sort, f.updated_at, sizeof(f.sort));
	} else {
		item_start(&activity_feeling_kind, s, row->id, 0, &f);
		snprintf(f.once, sizeof(f.once), "%s/%s", row->id, s->member_id);
		memcpy(f.sort, f.updated_at, sizeof(f.sort));
	}
	r = item_seal(&activity_feeling_kind, s, &f, felt, felt_len);
	if (r == 0)
		r = mine ? item_update(c, s, &f, mine->version, mine->plain) : item_insert(c, &f);
	store_item_free(&f);
out:
	store_item_list_free(rows, n);
	return r;
}

/* One attempt at activity_mark(), inside a transaction; ITEM_CONFLICT means "again". */
static int activity_mark_once(const struct core *c, const struct session *s,
			      const struct item_row *row, int done, const char *felt,
			      size_t felt_len)
{
	char old_plain[STORE_PLAIN_LEN + 1];
	struct activity_plain p;
	struct item_row next;
	int r;

	if (activity_plain_get(row, &p) < 0)
		return -EBADMSG;
	r = c->st->ops->begin(c->st);
	if (r != 0)
		return r > 0 ? -EIO : r;
	if (!!done != !!p.done_at[0]) {
		next = *row;
		next.sealed.data = NULL; /* a borrowed copy: the blob stays row's */
		memcpy(old_plain, row->plain, sizeof(old_plain));
		if (done) {
			session_now(p.done_at, 0);
			memcpy(p.done_by, s->member_id, sizeof(p.done_by));
		} else {
			p.done_at[0] = p.done_by[0] = '\0';
		}
		r = activity_plain_set(&next, &p);
		next.sealed = row->sealed;
		if (r == 0)
			r = item_update(c, s, &next, row->version, old_plain);
	}
	if (r == 0 && felt)
		r = activity_feel(c, s, row, felt, felt_len);
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	return r;
}

int activity_mark(const struct core *c, const struct session *s, const char *id, int done,
		  const char *felt, size_t felt_len, struct activity *ret)
{
	struct item_row row;
	int r = 0, tries;

	if (!item_partner(s))
		return ACTIVITY_NOTFOUND;
	for (tries = 0; tries < ACTIVITY_MARK_TRIES; tries++) {
		r = item_get(c, s, &activity_kind, id, ACCESS_READ, &row);
		if (r != 0)
			return r;
		if (!item_allows(s, &row, ACCESS_CHANGE) && !item_allows(s, &row, ACCESS_ANSWER)) {
			store_item_free(&row);
			return ACTIVITY_NOTFOUND;
		}
		r = activity_mark_once(c, s, &row, done, felt, felt_len);
		store_item_free(&row);
		if (r != ITEM_CONFLICT)
			break;
	}
	if (r == ITEM_CONFLICT)
		return -EAGAIN;
	if (r == ITEM_NOTFOUND)
		return ACTIVITY_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = activity_fetch(c, s, id, ret);
	return r > 0 ? -EIO : r;
}

int activity_counts(const struct core *c, const struct session *s, const char *today,
		    struct activity_counts *ret)
{
	struct item_row *rows = NULL;
	struct activity_counts out;
	struct activity_plain p;
	size_t n = 0, i;
	int r;

	memset(&out, 0, sizeof(out));
	r = activity_rows(c, s, &rows, &n, NULL, NULL);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!item_allows(s, &rows[i], ACCESS_READ) || activity_plain_get(&rows[i], &p) < 0)
			continue;
		if (p.done_at[0])
			out.done++;
		else if (strcmp(p.planned_for, today) < 0)
			out.overdue++;
		else
			out.upcoming++;
	}
	*ret = out;
	store_item_list_free(rows, n);
	return 0;
}
