/*
 * commitment.c: commitments and their reviews (see commitment.h).
 *
 * The text is sealed under a subkey of the author's master key; a review
 * seals "<status>\n<note>" as an answer to its commitment, so a review moved
 * to another commitment does not open (item.c binds the parent into the
 * AD).  Every row found goes through item_allows() for a change: only its
 * author passes.
 *
 * Reviews are never edited: each one is a new row, so the history is what
 * was said at the time.  The next review falls review_every_days after the
 * last review (or after the commitment was made, before the first).
 *
 * Not a kind that is all data (record.c): reviews are answers kept as a
 * history, and the next review date is computed from them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/commitment.h"
#include "core/item.h"
#include "core/list.h"

static const char *const status_names[_COMMITMENT_STATUS_MAX] = {
	[COMMITMENT_KEPT] = "kept",
	[COMMITMENT_SLIPPED] = "slipped",
	[COMMITMENT_RENEWED] = "renewed",
};

const char *commitment_status_name(enum commitment_status st)
{
	return (unsigned)st < _COMMITMENT_STATUS_MAX ? status_names[st] : NULL;
}

int commitment_status_parse(const char *name, enum commitment_status *ret)
{
	int i;

	for (i = 0; name && i < _COMMITMENT_STATUS_MAX; i++) {
		if (!strcmp(name, status_names[i])) {
			*ret = (enum commitment_status)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* The row: plain "review_every_days"; sealed: the text.  Private to its author. */
const struct item_kind commitment_kind = {
	.name = "commitment",
	.key_from = ITEM_KEY_MEMBER,
	.key_ctx = "commitmt",
	.key_id = 1,
	.shared_default = 0,
	.list_max = COMMITMENT_LIST_MAX,
	.legacy_ad = "commitments.text",
	.legacy_form = ITEM_LEGACY_ID,
};

/* A review: sealed "<status>\n<note>"; its AD names the commitment it reviews. */
const struct item_kind commitment_review_kind = {
	.name = "commitment_review",
	.parent = "commitment",
	.key_from = ITEM_KEY_MEMBER,
	.key_ctx = "commitmt",
	.key_id = 1,
	.shared_default = 0,
	.list_max = COMMITMENT_REVIEWS_MAX,
	.legacy_ad = "commitment_reviews.body",
	.legacy_form = ITEM_LEGACY_ID_PARENT,
};

void commitment_clear(struct commitment *cm)
{
	size_t i;

	if (!cm)
		return;
	if (cm->text) {
		vault_wipe(cm->text, cm->text_len);
		free(cm->text);
	}
	for (i = 0; cm->reviews && i < cm->nreviews; i++) {
		if (cm->reviews[i].note) {
			vault_wipe(cm->reviews[i].note, cm->reviews[i].note_len);
			free(cm->reviews[i].note);
		}
	}
	free(cm->reviews);
	memset(cm, 0, sizeof(*cm));
}

static void clear_any(void *cm)
{
	commitment_clear(cm);
}

void commitment_list_free(struct commitment *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

/* digits(s, n) - the n decimal digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int commitment_next_date(const char *rfc3339, int days, char out[COMMITMENT_DATE_LEN + 1])
{
	char buf[48]; /* room for any int the format could print */
	struct tm tm;
	time_t t;
	int y, m, d;

	if (!rfc3339 || strlen(rfc3339) < COMMITMENT_DATE_LEN || days < 0 ||
	    days > COMMITMENT_EVERY_MAX * 100)
		return -EINVAL;
	if (rfc3339[4] != '-' || rfc3339[7] != '-')
		return -EINVAL;
	y = digits(rfc3339, 4);
	m = digits(rfc3339 + 5, 2);
	d = digits(rfc3339 + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + days; /* timegm() normalises the overflow into months and years */
	tm.tm_hour = 12;       /* noon: no edge of a day to fall off */
	t = timegm(&tm);
	if (t == (time_t)-1 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	if (tm.tm_year + 1900 < 1)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	memcpy(out, buf, COMMITMENT_DATE_LEN + 1);
	return 0;
}

/* Next review date and whether it is due, from the last review or creation. */
static void commitment_schedule(struct commitment *cm)
{
	const char *base = cm->nreviews ? cm->reviews[cm->nreviews - 1].at : cm->created_at;
	char now[STORE_TIME_LEN + 1];

	if (commitment_next_date(base, cm->review_every_days, cm->next_review_on) < 0) {
		cm->next_review_on[0] = '\0';
		return;
	}
	session_now(now, 0);
	cm->due = strncmp(cm->next_review_on, now, COMMITMENT_DATE_LEN) <= 0;
}

/* Opens one review row (its author and couple checked by the caller). */
static int review_open_row(const struct core *c, const struct session *s,
			   const struct item_row *row, struct commitment_review *ret)
{
	unsigned char *plain = NULL;
	size_t plen = 0, i;
	char *nl;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_open(c, &commitment_review_kind, s, row, &plain, &plen);
	if (r != 0)
		return r;
	nl = plain ? memchr(plain, '\n', plen) : NULL;
	r = -EBADMSG;
	if (!nl)
		goto out;
	*nl = '\0';
	if (commitment_status_parse((char *)plain, &ret->status) < 0)
		goto out;
	i = (size_t)(nl + 1 - (char *)plain);
	if (plen > i) {
		ret->note_len = plen - i;
		ret->note = malloc(ret->note_len + 1);
		if (!ret->note) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(ret->note, plain + i, ret->note_len);
		ret->note[ret->note_len] = '\0';
	}
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->at, row->created_at, sizeof(ret->at));
	session_seen_time(s, row->author_id, ret->at);
	r = 0;
out:
	item_text_free(plain, plen);
	return r;
}

/* Opens a commitment row of the caller's, with its reviews and schedule. */
static int commitment_open(const struct core *c, const struct session *s,
			   const struct item_row *row, struct commitment *ret)
{
	struct item_query q = {
		.couple_id = row->couple_id,
		.kind = commitment_review_kind.name,
		.author_id = row->author_id,
		.parent_kind = commitment_kind.name,
		.parent_id = row->id,
		.limit = core_list_limit(c, COMMITMENT_REVIEWS_MAX),
		.oldest_first = 1,
	};
	struct item_row *rows = NULL;
	unsigned char *text = NULL;
	char every[8], *end = NULL;
	size_t len = 0, n = 0, i;
	long days;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!item_allows(s, row, ACCESS_CHANGE))
		return COMMITMENT_NOTFOUND;
	if (item_plain_get(row, 0, every, sizeof(every)) < 0)
		return -EBADMSG;
	days = strtol(every, &end, 10);
	if (end == every || *end || days < COMMITMENT_EVERY_MIN || days > COMMITMENT_EVERY_MAX)
		return -EBADMSG;
	r = item_open(c, &commitment_kind, s, row, &text, &len);
	if (r != 0)
		return r;
	ret->text = (char *)text;
	ret->text_len = len;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	session_seen_time(s, row->author_id, ret->created_at);
	ret->review_every_days = (int)days;

	r = item_list(c, &q, &rows, &n);
	if (r != 0)
		goto out;
	ret->reviews = calloc(n ? n : 1, sizeof(*ret->reviews));
	if (!ret->reviews) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!item_allows(s, &rows[i], ACCESS_CHANGE)) {
			r = -EIO; /* the store handed out someone else's row */
			goto out;
		}
		r = review_open_row(c, s, &rows[i], &ret->reviews[i]);
		if (r < 0)
			goto out;
		ret->nreviews = i + 1;
	}
	commitment_schedule(ret);
	r = 0;
out:
	store_item_list_free(rows, n);
	if (r != 0)
		commitment_clear(ret);
	return r;
}

int commitment_add(const struct core *c, const struct session *s, const char *text, size_t len,
		   int every, struct commitment *ret)
{
	struct item_row row;
	char num[8];
	const char *plain[1] = {num};
	int r;

	if (every < COMMITMENT_EVERY_MIN || every > COMMITMENT_EVERY_MAX)
		return -EINVAL;
	item_start(&commitment_kind, s, NULL, 0, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	snprintf(num, sizeof(num), "%d", every);
	r = item_plain_set(&row, plain, 1);
	if (r == 0)
		r = item_seal(&commitment_kind, s, &row, text, len);
	if (r == 0)
		r = item_insert(c, &row);
	if (r > 0)
		r = -EIO;
	if (r == 0)
		r = commitment_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

int commitment_read(const struct core *c, const struct session *s, const char *id,
		    struct commitment *ret)
{
	struct item_row row;
	int r;

	r = item_get(c, s, &commitment_kind, id, ACCESS_CHANGE, &row);
	if (r != 0)
		return r == ITEM_FORBIDDEN ? COMMITMENT_NOTFOUND : r;
	r = commitment_open(c, s, &row, ret);
	store_item_free(&row);
	return r;
}

/* The caller's commitment rows, newest first, unopened. */
static int commitment_rows(const struct core *c, const struct session *s, struct item_row **rows,
			   size_t *n)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = commitment_kind.name,
		.author_id = s->member_id,
		.limit = core_list_limit(c, COMMITMENT_LIST_MAX),
	};

	return item_list(c, &q, rows, n);
}

int commitment_count(const struct core *c, const struct session *s, size_t *ret)
{
	struct item_row *rows = NULL;
	size_t n = 0;
	int r = commitment_rows(c, s, &rows, &n);

	*ret = r == 0 ? n : 0;
	store_item_list_free(rows, n);
	return r;
}

struct commitment_each {
	const struct core *c;
	const struct session *s;
	const struct item_row *rows;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct commitment_each *e = ctx;

	return commitment_open(e->c, e->s, &e->rows[i], elem);
}

int commitment_list(const struct core *c, const struct session *s, struct commitment **ret,
		    size_t *ret_n)
{
	struct item_row *rows = NULL;
	struct commitment_each e = {c, s, NULL};
	void *list = NULL;
	size_t n = 0;
	int r;

	r = commitment_rows(c, s, &rows, &n);
	if (r != 0)
		return r;
	e.rows = rows;
	/* the store gave the caller's own: any outcome but 0 is a damaged row */
	r = core_open_list(c, n, sizeof(**ret), 0, open_at, clear_any, &e, &list, ret_n);
	store_item_list_free(rows, n);
	if (r == 0)
		*ret = list;
	return r;
}

int commitment_review(const struct core *c, const struct session *s, const char *id,
		      enum commitment_status status, const char *note, struct commitment *ret)
{
	struct item_row parent, row;
	const char *name = commitment_status_name(status);
	size_t nlen, slen, len;
	char *body = NULL;
	int r;

	if (!name)
		return -EINVAL;
	/* only the author's own commitment takes a review */
	r = item_get(c, s, &commitment_kind, id, ACCESS_CHANGE, &parent);
	if (r != 0)
		return r == ITEM_FORBIDDEN ? COMMITMENT_NOTFOUND : r;
	store_item_free(&parent);
	slen = strlen(name);
	nlen = note ? strlen(note) : 0;
	len = slen + 1 + nlen;
	body = malloc(len + 1);
	if (!body)
		return -ENOMEM;
	memcpy(body, name, slen);
	body[slen] = '\n';
	if (nlen)
		memcpy(body + slen + 1, note, nlen);

	item_start(&commitment_review_kind, s, id, 0, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	r = item_seal(&commitment_review_kind, s, &row, body, len);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == 0)
		r = commitment_read(c, s, id, ret);
	else if (r == ITEM_CONFLICT)
		r = -EIO;
	vault_wipe(body, len);
	free(body);
	store_item_free(&row);
	return r;
}
