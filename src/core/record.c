/*
 * record.c: the kinds that are all data.  Such a kind is only its
 * descriptor (struct item_kind with plural and fields, see item.h): this
 * file creates, reads, lists, changes and removes its items, the generic
 * API handlers (api/api-item.c) and pages (web/pages-item.c) call it, and
 * the routing table makes their routes from the registry.
 *
 * One item is one row of the items table.  Its plain fields are the row's
 * plain column ('|'-joined, "" for an absent value); all its other fields
 * are one sealed record:
 *
 *   byte 0         RECORD_FORMAT
 *   then, for each sealed field in the kind's order:
 *     byte         1 when given, 0 when absent (then nothing follows)
 *     4 bytes      the value's length, big-endian
 *     len bytes    the value's UTF-8
 *
 * A record that does not parse exactly to its end is -EBADMSG, as a
 * record that does not open is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/list.h"
#include "vault/vault.h"

#define RECORD_FORMAT 1

/* shared_with is the row's, not a value; every other field is a value. */
static int is_value(const struct item_kind *k, size_t i)
{
	return k->fields[i].type != FIELD_SHARED;
}

static int is_plain(const struct item_kind *k, size_t i)
{
	return (k->plain_mask >> i) & 1u;
}

int item_field_sealed(const struct item_kind *k, size_t i)
{
	return is_value(k, i) && !is_plain(k, i);
}

int item_field_index(const struct item_kind *k, const char *name)
{
	size_t i;

	for (i = 0; name && i < k->nfields; i++)
		if (strcmp(k->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The index of the len bytes at s among f's choices, or -1. */
static long choice_index(const struct field *f, const char *s, size_t len)
{
	size_t j;

	for (j = 0; f->choices && f->choices[j]; j++)
		if (strlen(f->choices[j]) == len && memcmp(f->choices[j], s, len) == 0)
			return (long)j;
	return -1;
}

/*
 * A FIELD_ENUM_SET's value: f->min..f->max of its choices joined with ',',
 * none twice (a list of at most 64 choices).
 */
static int set_valid(const struct field *f, const char *s, size_t len)
{
	uint64_t seen = 0;
	size_t at = 0, n = 0;

	while (at <= len) {
		const char *comma = memchr(s + at, ',', len - at);
		size_t piece = comma ? (size_t)(comma - (s + at)) : len - at;
		long j = choice_index(f, s + at, piece);

		if (j < 0 || j >= 64 || ((seen >> j) & 1u))
			return 0;
		seen |= (uint64_t)1 << j;
		n++;
		at += piece + 1;
	}
	return (long long)n >= f->min && (long long)n <= f->max;
}

/*
 * The values core insists on whatever the caller checked: required ones
 * given, choices among the choices, no '|' in a plain value, then the
 * kind's own rule.  0 or ITEM_INVALID with *field.
 */
int item_values_check(const struct item_kind *k, const struct item_values *v, const char **field)
{
	char today[STORE_TIME_LEN + 1];
	size_t i;

	for (i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];
		const char *s = v->v[i];

		*field = f->name;
		if (!is_value(k, i))
			continue;
		if (!s) {
			if (f->required)
				return ITEM_INVALID;
			continue;
		}
		if (memchr(s, '\0', v->len[i]) || (is_plain(k, i) && memchr(s, '|', v->len[i])))
			return ITEM_INVALID;
		if (f->type == FIELD_ENUM && choice_index(f, s, v->len[i]) < 0)
			return ITEM_INVALID;
		if (f->type == FIELD_ENUM_SET && !set_valid(f, s, v->len[i]))
			return ITEM_INVALID;
		if (f->type == FIELD_DATE && v->len[i] != 10)
			return ITEM_INVALID;
	}
	*field = NULL;
	if (!k->check)
		return 0;
	session_now(today, 0); /* YYYY-MM-DDT...: the date is its first ten bytes */
	today[10] = '\0';
	return k->check(v, today, field);
}

/* The sealed record of v's sealed values into a malloc'd *ret. */
static int record_encode(const struct item_kind *k, const struct item_values *v,
			 unsigned char **ret, size_t *ret_len)
{
	unsigned char *buf, *p;
	size_t len = 1, i;

	for (i = 0; i < k->nfields; i++)
		if (item_field_sealed(k, i))
			len += 1 + (v->v[i] ? 4 + v->len[i] : 0);
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	p = buf;
	*p++ = RECORD_FORMAT;
	for (i = 0; i < k->nfields; i++) {
		size_t n = v->len[i];

		if (!item_field_sealed(k, i))
			continue;
		*p++ = v->v[i] != NULL;
		if (!v->v[i])
			continue;
		*p++ = (unsigned char)(n >> 24);
		*p++ = (unsigned char)(n >> 16);
		*p++ = (unsigned char)(n >> 8);
		*p++ = (unsigned char)n;
		memcpy(p, v->v[i], n);
		p += n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* A value of n bytes at s as a malloc'd string into out's slot i. */
static int view_set(struct item_view *out, size_t i, const char *s, size_t n)
{
	char *copy = malloc(n + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';
	out->values[i] = copy;
	out->lens[i] = n;
	return 0;
}

/* The sealed values of the record rec into out. */
static int record_decode(const struct item_kind *k, const unsigned char *rec, size_t len,
			 struct item_view *out)
{
	size_t at = 1, i, n;
	int r;

	if (len < 1 || rec[0] != RECORD_FORMAT)
		return -EBADMSG;
	for (i = 0; i < k->nfields; i++) {
		if (!item_field_sealed(k, i))
			continue;
		if (at >= len || rec[at] > 1)
			return -EBADMSG;
		if (rec[at++] == 0)
			continue;
		if (len - at < 4)
			return -EBADMSG;
		n = (size_t)rec[at] << 24 | (size_t)rec[at + 1] << 16 | (size_t)rec[at + 2] << 8 |
		    rec[at + 3];
		at += 4;
		if (len - at < n)
			return -EBADMSG;
		r = view_set(out, i, (const char *)rec + at, n);
		if (r < 0)
			return r;
		at += n;
	}
	return at == len ? 0 : -EBADMSG;
}

/* The row's plain column from v's plain values. */
static int plain_encode(const struct item_kind *k, const struct item_values *v,
			struct item_row *row)
{
	const char *vals[ITEM_FIELDS_MAX];
	char bufs[ITEM_FIELDS_MAX][STORE_PLAIN_LEN + 1];
	size_t n = 0, i;

	for (i = 0; i < k->nfields; i++) {
		if (!is_value(k, i) || !is_plain(k, i))
			continue;
		if (v->v[i] && v->len[i] > STORE_PLAIN_LEN)
			return -EINVAL;
		snprintf(bufs[n], sizeof(bufs[n]), "%.*s", v->v[i] ? (int)v->len[i] : 0,
			 v->v[i] ? v->v[i] : "");
		vals[n] = bufs[n];
		n++;
	}
	return item_plain_set(row, vals, n);
}

static int plain_decode(const struct item_kind *k, const struct item_row *row,
			struct item_view *out)
{
	char buf[STORE_PLAIN_LEN + 1];
	unsigned idx = 0;
	size_t i;
	int r;

	for (i = 0; i < k->nfields; i++) {
		if (!is_value(k, i) || !is_plain(k, i))
			continue;
		if (item_plain_get(row, idx++, buf, sizeof(buf)) < 0)
			return -EBADMSG;
		if (!buf[0])
			continue;
		r = view_set(out, i, buf, strlen(buf));
		if (r < 0)
			return r;
	}
	return 0;
}

void item_view_clear(struct item_view *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < ITEM_FIELDS_MAX; i++)
		item_text_free(v->values[i], v->lens[i]);
	vault_wipe(v, sizeof(*v));
}

static void view_clear_any(void *v);

void item_views_free(struct item_view *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), view_clear_any);
}

/* A row the reader may read, opened into *out. */
int item_view_open(const struct core *c, const struct item_kind *k, const struct session *s,
		   const struct item_row *row, struct item_view *out)
{
	unsigned char *rec = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = item_open(c, k, s, row, &rec, &len);
	if (r == 0)
		r = record_decode(k, rec, len, out);
	item_text_free(rec, len);
	if (r == 0)
		r = plain_decode(k, row, out);
	if (r != 0) {
		item_view_clear(out);
		return r;
	}
	memcpy(out->id, row->id, sizeof(out->id));
	memcpy(out->author_id, row->author_id, sizeof(out->author_id));
	out->mine = strcmp(row->author_id, s->member_id) == 0;
	out->shared_with = row->shared_with;
	out->version = row->version;
	memcpy(out->created_at, row->created_at, sizeof(out->created_at));
	memcpy(out->updated_at, row->updated_at, sizeof(out->updated_at));
	session_seen_time(s, row->author_id, out->created_at);
	session_seen_time(s, row->author_id, out->updated_at);
	if (k->status) {
		char today[STORE_TIME_LEN + 1];

		session_now(today, 0);
		today[10] = '\0';
		out->status = k->status(out->values, today);
	}
	return 0;
}

/* Seal v into row (whose version and shared_with are set) and fill its plain column. */
int item_row_fill(const struct item_kind *k, const struct session *s, const struct item_values *v,
		  struct item_row *row)
{
	unsigned char *rec = NULL;
	size_t len = 0;
	int r;

	r = plain_encode(k, v, row);
	if (r < 0)
		return r;
	r = record_encode(k, v, &rec, &len);
	if (r < 0)
		return r;
	r = item_seal(k, s, row, rec, len);
	item_text_free(rec, len);
	return r;
}

/* The row's sort key: k's sort_by field of v (a plain value), else when it was written. */
static void sort_key(const struct item_kind *k, const struct item_values *v, struct item_row *row)
{
	size_t i = k->sort_by ? k->sort_by - 1 : 0;

	if (k->sort_by && i < k->nfields && is_plain(k, i) && v->v[i] &&
	    v->len[i] < sizeof(row->sort)) {
		memcpy(row->sort, v->v[i], v->len[i]);
		row->sort[v->len[i]] = '\0';
	} else if (!k->sort_by) {
		memcpy(row->sort, row->created_at, sizeof(row->sort));
	}
}

int item_create(const struct core *c, const struct session *s, const struct item_kind *k,
		const struct item_values *v, unsigned shared_with, struct item_view *out,
		const char **field)
{
	struct item_row row;
	int r;

	*field = NULL;
	if (!item_partner(s)) {
		if (!k->care_may_create || !item_therapist(s) || s->care_ended)
			return ITEM_FORBIDDEN;
		/* a therapist assigns to the couple, and keeps seeing it (API.md) */
		shared_with = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE;
	}
	r = item_values_check(k, v, field);
	if (r != 0)
		return r;
	item_start(k, s, NULL, shared_with, &row);
	sort_key(k, v, &row);
	if (k->one_per_author) /* a second one is ITEM_CONFLICT, held by the store */
		memcpy(row.once, s->member_id, sizeof(s->member_id));
	r = item_row_fill(k, s, v, &row);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == 0)
		r = item_view_open(c, k, s, &row, out);
	store_item_free(&row);
	return r;
}

/*
 * Whether the reader may see items of k at all: a therapist sees no
 * partners_only kind but those the care team assigns or reads (then, as
 * ever, only the items shared with "care": access_allows()).
 */
int item_kind_visible(const struct item_kind *k, const struct session *s)
{
	return !k->partners_only || item_partner(s) ||
	       ((k->care_may_create || k->care_may_read) && item_therapist(s));
}

/* The row of id the reader may `verb` (item_get()'s outcomes), for a kind they may see. */
static int row_of(const struct core *c, const struct session *s, const struct item_kind *k,
		  const char *id, enum access_verb verb, struct item_row *row)
{
	if (!item_kind_visible(k, s))
		return ITEM_NOTFOUND;
	return item_get(c, s, k, id, verb, row);
}

int item_read(const struct core *c, const struct session *s, const struct item_kind *k,
	      const char *id, struct item_view *out)
{
	struct item_row row;
	int r;

	r = row_of(c, s, k, id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	r = item_view_open(c, k, s, &row, out);
	store_item_free(&row);
	return r;
}

/* Opening rows of a kind into views, for core_open_list(). */
struct views_each {
	const struct core *c;
	const struct item_kind *k;
	const struct session *s;
	const struct item_row *rows;
	int answers; /* answers are seen by whoever sees what they answer */
};

static int view_at(void *ctx, size_t i, void *elem)
{
	const struct views_each *e = ctx;

	if (!e->answers && !item_allows(e->s, &e->rows[i], ACCESS_READ))
		return ITEM_NOTFOUND;
	return item_view_open(e->c, e->k, e->s, &e->rows[i], elem);
}

static void view_clear_any(void *v)
{
	item_view_clear(v);
}

/* The rows of q opened into views (a row not the reader's left out, a damaged one counted). */
static int views_of(const struct core *c, const struct session *s, const struct item_kind *k,
		    const struct item_query *q, int answers, struct item_view **out, size_t *n)
{
	struct views_each e = {c, k, s, NULL, answers};
	struct item_row *rows = NULL;
	void *list = NULL;
	size_t nrows = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = item_list(c, q, &rows, &nrows);
	if (r != 0)
		return r;
	e.rows = rows;
	r = core_open_list(c, nrows, sizeof(struct item_view), ITEM_NOTFOUND, view_at,
			   view_clear_any, &e, &list, n);
	store_item_list_free(rows, nrows);
	if (r == 0)
		*out = list;
	return r;
}

int item_views(const struct core *c, const struct session *s, const struct item_kind *k,
	       struct item_view **out, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id,
			       .kind = k->name,
			       .limit = core_list_limit(c, k->list_max)};

	*out = NULL;
	*n = 0;
	if (!item_kind_visible(k, s))
		return 0;
	item_query_reader(&q, s);
	return views_of(c, s, k, &q, 0, out, n);
}

int item_answer_put(const struct core *c, const struct session *s, const struct item_kind *ak,
		    const struct item_row *parent, const struct item_values *v)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = ak->name,
		.author_id = s->member_id,
		.parent_kind = parent->kind,
		.parent_id = parent->id,
		.limit = 1,
	};
	char old_plain[STORE_PLAIN_LEN + 1];
	struct item_row *rows = NULL, row;
	const char *field;
	size_t n = 0;
	int64_t old_version;
	int r;

	r = item_values_check(ak, v, &field);
	if (r == 0)
		r = item_list(c, &q, &rows, &n);
	if (r != 0)
		return r;
	if (n == 0) {
		item_start(ak, s, parent->id,
			   ak->shared_allowed ? parent->shared_with : ak->shared_default, &row);
		memcpy(row.sort, row.created_at, sizeof(row.sort));
		snprintf(row.once, sizeof(row.once), "%s/%s", parent->id, s->member_id);
		r = item_row_fill(ak, s, v, &row);
		if (r == 0)
			r = item_insert(c, &row); /* a first answer racing another: ITEM_CONFLICT */
		store_item_free(&row);
	} else {
		memcpy(old_plain, rows[0].plain, sizeof(old_plain));
		old_version = rows[0].version;
		rows[0].version++;
		session_now(rows[0].updated_at, 0);
		r = item_row_fill(ak, s, v, &rows[0]);
		if (r == 0)
			r = item_update(c, s, &rows[0], old_version, old_plain);
	}
	store_item_list_free(rows, n);
	return r;
}

int item_answers(const struct core *c, const struct session *s, const struct item_kind *ak,
		 const struct item_row *parent, struct item_view **out, size_t *n)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = ak->name,
		.parent_kind = parent->kind,
		.parent_id = parent->id,
		.limit = core_list_limit(c, ak->list_max),
		.oldest_first = 1,
	};

	return views_of(c, s, ak, &q, 1, out, n);
}

int item_answer_rows(const struct core *c, const struct session *s, const struct item_kind *ak,
		     const struct item_kind *top, const struct item_row *parent, size_t newest,
		     struct item_row **rows, size_t *n)
{
	struct item_query q = {.couple_id = s->couple_id, .kind = ak->name, .oldest_first = 1};

	if (parent) {
		q.parent_kind = parent->kind;
		q.parent_id = parent->id;
		q.limit = core_list_limit(c, ak->list_max);
	} else {
		q.of_newest = top->name;
		q.limit = newest;
		/* newest may be SIZE_MAX (core_list_limit()): the product saturates */
		q.answer_limit =
			newest > SIZE_MAX / ak->list_max ? SIZE_MAX : newest * ak->list_max;
		q.answer_limit = core_list_limit(c, q.answer_limit);
	}
	return item_list(c, &q, rows, n);
}

int item_count(const struct core *c, const struct session *s, const struct item_kind *k, int mine,
	       size_t *ret)
{
	struct item_query q = {.couple_id = s->couple_id, .kind = k->name, .limit = k->list_max};
	struct item_row *rows = NULL;
	size_t n = 0;
	int r;

	*ret = 0;
	if (!item_kind_visible(k, s))
		return 0;
	if (mine)
		q.author_id = s->member_id;
	else
		item_query_reader(&q, s);
	r = item_list(c, &q, &rows, &n);
	store_item_list_free(rows, n);
	if (r == 0)
		*ret = n;
	return r;
}

int item_change(const struct core *c, const struct session *s, const struct item_kind *k,
		const char *id, const struct item_values *v, unsigned shared_with,
		struct item_view *out, const char **field)
{
	char old_plain[STORE_PLAIN_LEN + 1];
	struct item_row row;
	int64_t old_version;
	int r;

	*field = NULL;
	r = row_of(c, s, k, id, ACCESS_CHANGE, &row);
	if (r != 0)
		return r;
	r = item_values_check(k, v, field);
	if (r != 0)
		goto out;
	memcpy(old_plain, row.plain, sizeof(old_plain));
	old_version = row.version;
	row.version++;
	row.shared_with = k->shared_allowed ? (shared_with & k->shared_allowed) : k->shared_default;
	if ((row.shared_with & ACCESS_SHARE_CARE) && (k->shared_allowed & ACCESS_SHARE_PARTNER))
		row.shared_with |= ACCESS_SHARE_PARTNER; /* as item_start() */
	session_now(row.updated_at, 0);
	sort_key(k, v, &row);
	r = item_row_fill(k, s, v, &row);
	if (r == 0)
		r = item_update(c, s, &row, old_version, old_plain);
	if (r == 0)
		r = item_view_open(c, k, s, &row, out);
out:
	store_item_free(&row);
	return r;
}

int item_remove(const struct core *c, const struct session *s, const struct item_kind *k,
		const char *id)
{
	struct item_row row;
	int r;

	r = row_of(c, s, k, id, ACCESS_CHANGE, &row);
	if (r != 0)
		return r;
	store_item_free(&row);
	return item_store_result(STORE_CALL(c->st, item_delete, s->couple_id, k->name, id));
}
