/*
 * commitment.c: commitments and their reviews (see commitment.h).
 *
 * The text is sealed under the subkey COMMITMENT_KEY of the author's master
 * key with associated data "commitments.text|id|couple|version"; a review
 * seals "<status>\n<note>" with "commitment_reviews.body|id|commitment|
 * couple|1", so a review moved to another commitment does not open.  The
 * store finds rows by couple, author and id together, and every row found
 * goes through access_allows() as always-private.
 *
 * Reviews are never edited: each one is a new row, so the history is what
 * was said at the time.  The next review falls review_every_days after the
 * last review (or after the commitment was made, before the first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/access.h"
#include "core/commitment.h"

#define COMMITMENT_KEY_ID 1

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

static void commitment_key(const struct session *s, unsigned char key[VAULT_KEY_BYTES])
{
	vault_derive(key, s->mk, COMMITMENT_KEY_ID, "commitmt");
}

static int commitment_allows(const struct session *s, const char *couple_id, const char *author_id)
{
	struct access_item it = {
		.couple_id = couple_id,
		.author_id = author_id,
		.shared_with = 0,
		.always_private = 1,
	};

	return access_allows(s, &it, ACCESS_CHANGE);
}

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

void commitment_list_free(struct commitment *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		commitment_clear(&list[i]);
	free(list);
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
static int review_open_row(const struct commitment_review_row *row,
			   const unsigned char key[VAULT_KEY_BYTES], struct commitment_review *ret)
{
	unsigned char *plain = NULL;
	size_t plen = 0, i;
	char ad[200], *nl;
	int r;

	memset(ret, 0, sizeof(*ret));
	snprintf(ad, sizeof(ad), "commitment_reviews.body|%s|%s|%s|1", row->id, row->commitment_id,
		 row->couple_id);
	r = vault_open(key, row->body_sealed.data, row->body_sealed.len, ad, &plain, &plen);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	nl = memchr(plain, '\n', plen);
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
	memcpy(ret->at, row->at, sizeof(ret->at));
	r = 0;
out:
	vault_wipe(plain, plen);
	free(plain);
	return r;
}

/* Opens a commitment row of the caller's, with its reviews and schedule. */
static int commitment_open(const struct core *c, const struct session *s,
			   const struct commitment_row *row,
			   const unsigned char key[VAULT_KEY_BYTES], struct commitment *ret)
{
	struct commitment_review_row *rows = NULL;
	unsigned char *text = NULL;
	size_t len = 0, n = 0, i;
	char ad[160];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!commitment_allows(s, row->couple_id, row->author_id))
		return COMMITMENT_NOTFOUND;
	snprintf(ad, sizeof(ad), "commitments.text|%s|%s|%lld", row->id, row->couple_id,
		 (long long)row->version);
	r = vault_open(key, row->text_sealed.data, row->text_sealed.len, ad, &text, &len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	ret->text = (char *)text;
	ret->text_len = len;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	ret->review_every_days = row->review_every_days;

	r = STORE_CALL(c->st, commitment_review_list, row->couple_id, row->author_id, row->id,
		       COMMITMENT_REVIEWS_MAX, &rows, &n);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	ret->reviews = calloc(n ? n : 1, sizeof(*ret->reviews));
	if (!ret->reviews) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!commitment_allows(s, rows[i].couple_id, rows[i].author_id)) {
			r = -EIO; /* the store handed out someone else's row */
			goto out;
		}
		r = review_open_row(&rows[i], key, &ret->reviews[i]);
		if (r < 0)
			goto out;
		ret->nreviews = i + 1;
	}
	commitment_schedule(ret);
	r = 0;
out:
	store_commitment_review_list_free(rows, n);
	if (r != 0)
		commitment_clear(ret);
	return r;
}

int commitment_add(const struct core *c, const struct session *s, const char *text, size_t len,
		   int every, struct commitment *ret)
{
	struct commitment_row row;
	unsigned char key[VAULT_KEY_BYTES];
	char ad[160];
	int r;

	if (every < COMMITMENT_EVERY_MIN || every > COMMITMENT_EVERY_MAX)
		return -EINVAL;
	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.version = 1;
	row.review_every_days = every;
	session_now(row.created_at, 0);
	commitment_key(s, key);
	snprintf(ad, sizeof(ad), "commitments.text|%s|%s|%lld", row.id, row.couple_id,
		 (long long)row.version);
	r = vault_seal(key, text, len, ad, &row.text_sealed.data, &row.text_sealed.len);
	if (r < 0)
		goto out;
	r = STORE_CALL(c->st, commitment_insert, &row);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	r = commitment_open(c, s, &row, key, ret);
out:
	store_commitment_free(&row);
	vault_wipe(key, sizeof(key));
	return r;
}

int commitment_read(const struct core *c, const struct session *s, const char *id,
		    struct commitment *ret)
{
	struct commitment_row row;
	unsigned char key[VAULT_KEY_BYTES];
	int r;

	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, commitment_get, s->couple_id, s->member_id, id, &row);
	if (r == STORE_NOTFOUND)
		return COMMITMENT_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	commitment_key(s, key);
	r = commitment_open(c, s, &row, key, ret);
	store_commitment_free(&row);
	vault_wipe(key, sizeof(key));
	return r;
}

int commitment_list(const struct core *c, const struct session *s, struct commitment **ret,
		    size_t *ret_n)
{
	struct commitment_row *rows = NULL;
	struct commitment *list = NULL;
	unsigned char key[VAULT_KEY_BYTES];
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, commitment_list, s->couple_id, s->member_id, COMMITMENT_LIST_MAX,
		       &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		r = -ENOMEM;
		goto out;
	}
	commitment_key(s, key);
	for (i = 0; i < n; i++) {
		r = commitment_open(c, s, &rows[i], key, &list[i]);
		if (r != 0) {
			r = r > 0 ? -EIO : r;
			commitment_list_free(list, i);
			list = NULL;
			goto out;
		}
	}
	*ret = list;
	*ret_n = n;
	list = NULL;
	r = 0;
out:
	store_commitment_list_free(rows, n);
	vault_wipe(key, sizeof(key));
	return r;
}

int commitment_review(const struct core *c, const struct session *s, const char *id,
		      enum commitment_status status, const char *note, struct commitment *ret)
{
	struct commitment_review_row row;
	unsigned char key[VAULT_KEY_BYTES];
	const char *name = commitment_status_name(status);
	size_t nlen, slen, len;
	char *body = NULL, ad[200];
	int r;

	if (!name)
		return -EINVAL;
	memset(&row, 0, sizeof(row));
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

	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	snprintf(row.commitment_id, sizeof(row.commitment_id), "%s", id);
	session_now(row.at, 0);
	commitment_key(s, key);
	snprintf(ad, sizeof(ad), "commitment_reviews.body|%s|%s|%s|1", row.id, row.commitment_id,
		 row.couple_id);
	r = vault_seal(key, body, len, ad, &row.body_sealed.data, &row.body_sealed.len);
	if (r < 0)
		goto out;
	/* the composite foreign key refuses a commitment that is not the caller's */
	r = STORE_CALL(c->st, commitment_review_insert, &row);
	if (r == STORE_NOTFOUND) {
		r = COMMITMENT_NOTFOUND;
		goto out;
	}
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	r = commitment_read(c, s, id, ret);
out:
	vault_wipe(body, len);
	free(body);
	store_blob_free(&row.body_sealed);
	vault_wipe(key, sizeof(key));
	return r;
}
