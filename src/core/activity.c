/*
 * activity.c: shared activities, planned and done, with how each partner
 * felt.
 *
 * The title is sealed under a subkey of the couple key (context
 * "activity") with associated data "activities.title|id|couple|version";
 * a partner's note about it with "activity_feelings.felt|activity/author|
 * couple|version", its version bumped on every change so that an older
 * note cannot be put back in place of a newer one.  Either partner may mark
 * an activity done: for access_allows() that is changing it (its author)
 * or answering it (the partner it is shared with).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/activity.h"

#define ACTIVITY_KEY_ID	    1
#define ACTIVITY_MARK_TRIES 3

const char *const activity_kinds[] = {"exercise", "cooking", "hobby", "other", NULL};

static int is_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

int activity_kind_from(const char *s)
{
	int i;

	for (i = 0; s && activity_kinds[i]; i++)
		if (strcmp(s, activity_kinds[i]) == 0)
			return i;
	return -EINVAL;
}

static void activity_key(const struct session *s, unsigned char key[VAULT_KEY_BYTES])
{
	vault_derive(key, s->ck, ACTIVITY_KEY_ID, "activity");
}

static void activity_item(const struct activity_row *row, struct access_item *it)
{
	it->couple_id = row->couple_id;
	it->author_id = row->author_id;
	it->shared_with = ACCESS_SHARE_PARTNER; /* always shared, by the program's rule */
	it->always_private = 0;
}

static void felt_ad(char *ad, size_t len, const char *activity_id, const char *author_id,
		    const char *couple_id, long long version)
{
	snprintf(ad, len, "activity_feelings.felt|%s/%s|%s|%lld", activity_id, author_id, couple_id,
		 version);
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

void activity_list_free(struct activity *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		activity_clear(&list[i]);
	free(list);
}

/* Opens a row the reader may see; ACTIVITY_NOTFOUND when they may not. */
static int activity_open(const struct session *s, const struct activity_row *row,
			 struct activity *ret)
{
	unsigned char key[VAULT_KEY_BYTES], *text = NULL;
	struct access_item it;
	struct activity out;
	size_t len = 0, i;
	char ad[200];
	int r, kind;

	activity_item(row, &it);
	if (!access_allows(s, &it, ACCESS_READ))
		return ACTIVITY_NOTFOUND;
	kind = activity_kind_from(row->kind);
	if (kind < 0)
		return -EBADMSG;
	memset(&out, 0, sizeof(out));
	activity_key(s, key);
	snprintf(ad, sizeof(ad), "activities.title|%s|%s|%lld", row->id, row->couple_id,
		 (long long)row->version);
	r = vault_open(key, row->title_sealed.data, row->title_sealed.len, ad, &text, &len);
	if (r != 0) {
		r = r > 0 ? -EBADMSG : r;
		goto out;
	}
	out.title = (char *)text;
	out.title_len = len;
	for (i = 0; i < row->nfelt && i < 2; i++) {
		const struct activity_feeling *f = &row->felt[i];
		int mine = strcmp(f->author_id, s->member_id) == 0;

		felt_ad(ad, sizeof(ad), row->id, f->author_id, row->couple_id,
			(long long)f->version);
		r = vault_open(key, f->felt_sealed.data, f->felt_sealed.len, ad, &text, &len);
		if (r != 0) {
			r = r > 0 ? -EBADMSG : r;
			goto out;
		}
		if (mine && !out.felt) {
			out.felt = (char *)text;
			out.felt_len = len;
		} else if (!mine && !out.partner_felt) {
			out.partner_felt = (char *)text;
			out.partner_felt_len = len;
		} else {
			vault_wipe(text, len);
			free(text);
		}
	}
	memcpy(out.id, row->id, sizeof(out.id));
	memcpy(out.author_id, row->author_id, sizeof(out.author_id));
	out.mine = strcmp(row->author_id, s->member_id) == 0;
	out.kind = (enum activity_kind)kind;
	memcpy(out.planned_for, row->planned_for, sizeof(out.planned_for));
	out.done = row->done_at[0] != '\0';
	memcpy(out.done_at, row->done_at, sizeof(out.done_at));
	memcpy(out.done_by, row->done_by, sizeof(out.done_by));
	memcpy(out.created_at, row->created_at, sizeof(out.created_at));
	*ret = out;
	memset(&out, 0, sizeof(out));
	r = 0;
out:
	vault_wipe(key, sizeof(key));
	activity_clear(&out);
	return r;
}

int activity_add(const struct core *c, const struct session *s, enum activity_kind kind,
		 const char *title, size_t len, const char *planned_for, struct activity *ret)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct activity_row row;
	char ad[200];
	long d;
	int r;

	if ((unsigned)kind >= _ACTIVITY_KIND_MAX || !title ||
	    checkin_date_days(planned_for, &d) < 0)
		return -EINVAL;
	if (!is_partner(s))
		return ACTIVITY_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	snprintf(row.kind, sizeof(row.kind), "%s", activity_kinds[kind]);
	row.version = 1;
	snprintf(row.planned_for, sizeof(row.planned_for), "%s", planned_for);
	session_now(row.created_at, 0);
	activity_key(s, key);
	snprintf(ad, sizeof(ad), "activities.title|%s|%s|%lld", row.id, row.couple_id,
		 (long long)row.version);
	r = vault_seal(key, title, len, ad, &row.title_sealed.data, &row.title_sealed.len);
	vault_wipe(key, sizeof(key));
	if (r < 0)
		return r;
	r = STORE_CALL(c->st, activity_insert, &row);
	if (r == 0) {
		r = activity_open(s, &row, ret);
		if (r > 0)
			r = -EIO;
	} else if (r > 0) {
		r = -EIO;
	}
	store_activity_free(&row);
	return r;
}

int activity_read(const struct core *c, const struct session *s, const char *id,
		  struct activity *ret)
{
	struct activity_row row;
	int r;

	if (!is_partner(s))
		return ACTIVITY_NOTFOUND;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, activity_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return ACTIVITY_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = activity_open(s, &row, ret);
	store_activity_free(&row);
	return r;
}

int activity_list(const struct core *c, const struct session *s, struct activity **ret,
		  size_t *ret_n)
{
	struct activity_row *rows = NULL;
	struct activity *list;
	size_t n = 0, m = 0, i;
	int r;

	if (!is_partner(s)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	r = STORE_CALL(c->st, activity_list, s->couple_id, ACTIVITY_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = activity_open(s, &rows[i], &list[m]);
		if (r == ACTIVITY_NOTFOUND)
			continue;
		if (r != 0) {
			activity_list_free(list, m);
			goto out;
		}
		m++;
	}
	*ret = list;
	*ret_n = m;
	r = 0;
out:
	store_activity_list_free(rows, n);
	return r;
}

/* The reader's note on row as the store op wants it: version, sealed text. */
static int activity_feeling(const struct session *s, const struct activity_row *row,
			    const char *felt, size_t felt_len, struct activity_feeling *f)
{
	unsigned char key[VAULT_KEY_BYTES];
	int64_t version = 0;
	char ad[200];
	size_t i;
	int r;

	for (i = 0; i < row->nfelt && i < 2; i++)
		if (strcmp(row->felt[i].author_id, s->member_id) == 0)
			version = row->felt[i].version;
	memset(f, 0, sizeof(*f));
	memcpy(f->author_id, s->member_id, sizeof(f->author_id));
	session_now(f->updated_at, 0);
	if (felt_len == 0) {
		f->version = version > 0 ? version : 1; /* removing: no text to seal */
		return 0;
	}
	f->version = version + 1;
	activity_key(s, key);
	felt_ad(ad, sizeof(ad), row->id, s->member_id, row->couple_id, (long long)f->version);
	r = vault_seal(key, felt, felt_len, ad, &f->felt_sealed.data, &f->felt_sealed.len);
	vault_wipe(key, sizeof(key));
	return r;
}

/* One attempt at activity_mark(), inside a transaction; STORE_CONFLICT means "again". */
static int activity_mark_once(const struct core *c, const struct session *s,
			      const struct activity_row *row, int done, const char *felt,
			      size_t felt_len)
{
	struct activity_feeling f;
	char now[STORE_TIME_LEN + 1];
	int r;

	memset(&f, 0, sizeof(f));
	r = c->st->ops->begin(c->st);
	if (r != 0)
		return r > 0 ? -EIO : r;
	session_now(now, 0);
	if (done && !row->done_at[0])
		r = STORE_CALL(c->st, activity_set_done, s->couple_id, row->id, s->member_id, now);
	else if (!done && row->done_at[0])
		r = STORE_CALL(c->st, activity_set_done, s->couple_id, row->id, NULL, NULL);
	if (r == 0 && felt) {
		r = activity_feeling(s, row, felt, felt_len, &f);
		if (r == 0)
			r = STORE_CALL(c->st, activity_feel, s->couple_id, row->id, &f);
	}
	if (r == 0)
		r = c->st->ops->commit(c->st);
	if (r != 0)
		(void)c->st->ops->rollback(c->st);
	store_blob_free(&f.felt_sealed);
	return r;
}

int activity_mark(const struct core *c, const struct session *s, const char *id, int done,
		  const char *felt, size_t felt_len, struct activity *ret)
{
	struct activity_row row;
	struct access_item it;
	int r = 0, tries;

	if (!is_partner(s))
		return ACTIVITY_NOTFOUND;
	for (tries = 0; tries < ACTIVITY_MARK_TRIES; tries++) {
		memset(&row, 0, sizeof(row));
		r = STORE_CALL(c->st, activity_get, s->couple_id, id, &row);
		if (r == STORE_NOTFOUND)
			return ACTIVITY_NOTFOUND;
		if (r != 0)
			return r > 0 ? -EIO : r;
		activity_item(&row, &it);
		if (!access_allows(s, &it, ACCESS_CHANGE) &&
		    !access_allows(s, &it, ACCESS_ANSWER)) {
			store_activity_free(&row);
			return ACTIVITY_NOTFOUND;
		}
		r = activity_mark_once(c, s, &row, done, felt, felt_len);
		store_activity_free(&row);
		if (r != STORE_CONFLICT)
			break;
	}
	if (r == STORE_CONFLICT)
		return -EAGAIN;
	if (r == STORE_NOTFOUND)
		return ACTIVITY_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;

	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, activity_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return ACTIVITY_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = activity_open(s, &row, ret);
	store_activity_free(&row);
	return r > 0 ? -EIO : r;
}

int activity_counts(const struct core *c, const struct session *s, const char *today,
		    struct activity_counts *ret)
{
	struct activity_row *rows = NULL;
	struct activity_counts out;
	struct access_item it;
	size_t n = 0, i;
	int r;

	memset(&out, 0, sizeof(out));
	if (!is_partner(s)) {
		*ret = out;
		return 0;
	}
	r = STORE_CALL(c->st, activity_list, s->couple_id, ACTIVITY_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < n; i++) {
		activity_item(&rows[i], &it);
		if (!access_allows(s, &it, ACCESS_READ))
			continue;
		if (rows[i].done_at[0])
			out.done++;
		else if (strcmp(rows[i].planned_for, today) < 0)
			out.overdue++;
		else
			out.upcoming++;
	}
	*ret = out;
	store_activity_list_free(rows, n);
	return 0;
}
