/*
 * share.c: openness cards and their acknowledgement.
 *
 * A card's sealed content is a format byte, the kind's number, then the
 * body's UTF-8 bytes, with associated data "shares.content|id|couple|
 * version".  The answer is sealed under the couple key with "share_acks.
 * reply|ack id|couple|1".  The store holds "once" (a unique card id in
 * share_acks), so two answers racing each other end in one 201 and one 409.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/share.h"

#define SHARE_KEY_ID 1
#define SHARE_FORMAT 1
#define SHARE_HEAD   2 /* format, kind */

const char *const share_kinds[] = {"insecurity", "fear", "desire", "need", "hope", NULL};

static int is_partner(const struct session *s)
{
	return strcmp(s->role, "partner") == 0;
}

int share_kind_from(const char *s)
{
	int i;

	for (i = 0; s && share_kinds[i]; i++)
		if (strcmp(s, share_kinds[i]) == 0)
			return i;
	return -EINVAL;
}

static void share_key(const struct session *s, unsigned shared_with,
		      unsigned char key[VAULT_KEY_BYTES])
{
	if (shared_with & ACCESS_SHARE_PARTNER)
		vault_derive(key, s->ck, SHARE_KEY_ID, "shares__");
	else
		vault_derive(key, s->mk, SHARE_KEY_ID, "shares__");
}

static void share_item(const struct share_row *row, struct access_item *it)
{
	it->couple_id = row->couple_id;
	it->author_id = row->author_id;
	it->shared_with = row->shared_with;
	it->always_private = 0;
}

static void ack_ad(char *ad, size_t len, const char *ack_id, const char *couple_id)
{
	snprintf(ad, len, "share_acks.reply|%s|%s|1", ack_id, couple_id);
}

void share_ack_clear(struct share_ack *a)
{
	if (!a)
		return;
	if (a->reply) {
		vault_wipe(a->reply, a->reply_len);
		free(a->reply);
	}
	memset(a, 0, sizeof(*a));
}

void share_clear(struct share *sh)
{
	if (!sh)
		return;
	if (sh->body) {
		vault_wipe(sh->body, sh->body_len);
		free(sh->body);
	}
	share_ack_clear(&sh->ack);
	memset(sh, 0, sizeof(*sh));
}

void share_list_free(struct share *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		share_clear(&list[i]);
	free(list);
}

/* Opens the answer of row (which has one) into *ret. */
static int share_open_ack(const struct session *s, const struct share_row *row,
			  struct share_ack *ret)
{
	unsigned char key[VAULT_KEY_BYTES], *text = NULL;
	size_t len = 0;
	char ad[160];
	int r;

	memset(ret, 0, sizeof(*ret));
	memcpy(ret->id, row->ack_id, sizeof(ret->id));
	memcpy(ret->author_id, row->ack_author_id, sizeof(ret->author_id));
	memcpy(ret->created_at, row->acked_at, sizeof(ret->created_at));
	if (row->reply_sealed.len == 0)
		return 0;
	vault_derive(key, s->ck, SHARE_KEY_ID, "shares__");
	ack_ad(ad, sizeof(ad), row->ack_id, row->couple_id);
	r = vault_open(key, row->reply_sealed.data, row->reply_sealed.len, ad, &text, &len);
	vault_wipe(key, sizeof(key));
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	ret->reply = (char *)text;
	ret->reply_len = len;
	return 0;
}

/* Opens a row the reader may read; SHARE_NOTFOUND when they may not. */
static int share_open(const struct session *s, const struct share_row *row, struct share *ret)
{
	unsigned char key[VAULT_KEY_BYTES], *text = NULL;
	struct access_item it;
	struct share out;
	size_t len = 0;
	char ad[160];
	int r;

	share_item(row, &it);
	if (!access_allows(s, &it, ACCESS_READ))
		return SHARE_NOTFOUND;
	share_key(s, row->shared_with, key);
	snprintf(ad, sizeof(ad), "shares.content|%s|%s|%lld", row->id, row->couple_id,
		 (long long)row->version);
	r = vault_open(key, row->content_sealed.data, row->content_sealed.len, ad, &text, &len);
	vault_wipe(key, sizeof(key));
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	memset(&out, 0, sizeof(out));
	if (len < SHARE_HEAD || text[0] != SHARE_FORMAT || text[1] >= _SHARE_KIND_MAX) {
		r = -EBADMSG;
		goto out;
	}
	out.kind = (enum share_kind)text[1];
	out.body_len = len - SHARE_HEAD;
	out.body = malloc(out.body_len + 1);
	if (!out.body) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(out.body, text + SHARE_HEAD, out.body_len);
	out.body[out.body_len] = '\0';
	memcpy(out.id, row->id, sizeof(out.id));
	memcpy(out.author_id, row->author_id, sizeof(out.author_id));
	out.mine = strcmp(row->author_id, s->member_id) == 0;
	out.shared_with = row->shared_with;
	memcpy(out.created_at, row->created_at, sizeof(out.created_at));
	if (row->ack_id[0]) {
		r = share_open_ack(s, row, &out.ack);
		if (r != 0) {
			share_clear(&out);
			goto out;
		}
		out.acked = 1;
	} else {
		out.can_ack = access_allows(s, &it, ACCESS_ANSWER);
	}
	*ret = out;
	r = 0;
out:
	vault_wipe(text, len);
	free(text);
	return r;
}

int share_add(const struct core *c, const struct session *s, enum share_kind kind, const char *body,
	      size_t len, unsigned shared_with, struct share *ret)
{
	unsigned char key[VAULT_KEY_BYTES], *buf;
	struct share_row row;
	char ad[160];
	int r;

	if ((unsigned)kind >= _SHARE_KIND_MAX || !body || len > SIZE_MAX - SHARE_HEAD)
		return -EINVAL;
	if (!is_partner(s))
		return SHARE_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.shared_with = shared_with & (ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE);
	row.version = 1;
	session_now(row.created_at, 0);

	buf = malloc(SHARE_HEAD + len);
	if (!buf)
		return -ENOMEM;
	buf[0] = SHARE_FORMAT;
	buf[1] = (unsigned char)kind;
	memcpy(buf + SHARE_HEAD, body, len);
	share_key(s, row.shared_with, key);
	snprintf(ad, sizeof(ad), "shares.content|%s|%s|%lld", row.id, row.couple_id,
		 (long long)row.version);
	r = vault_seal(key, buf, SHARE_HEAD + len, ad, &row.content_sealed.data,
		       &row.content_sealed.len);
	vault_wipe(key, sizeof(key));
	vault_wipe(buf, SHARE_HEAD + len);
	free(buf);
	if (r < 0)
		return r;
	r = STORE_CALL(c->st, share_insert, &row);
	if (r == 0) {
		r = share_open(s, &row, ret);
		if (r > 0)
			r = -EIO;
	} else if (r > 0) {
		r = -EIO;
	}
	store_share_free(&row);
	return r;
}

int share_read(const struct core *c, const struct session *s, const char *id, struct share *ret)
{
	struct share_row row;
	int r;

	if (!is_partner(s))
		return SHARE_NOTFOUND;
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, share_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return SHARE_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = share_open(s, &row, ret);
	store_share_free(&row);
	return r;
}

int share_list(const struct core *c, const struct session *s, struct share **ret, size_t *ret_n)
{
	struct share_row *rows = NULL;
	struct share *list;
	size_t n = 0, m = 0, i;
	int r;

	if (!is_partner(s)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	r = STORE_CALL(c->st, share_list, s->couple_id, SHARE_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = share_open(s, &rows[i], &list[m]);
		if (r == SHARE_NOTFOUND)
			continue; /* the partner's private card: not the reader's to know */
		if (r != 0) {
			share_list_free(list, m);
			goto out;
		}
		m++;
	}
	*ret = list;
	*ret_n = m;
	r = 0;
out:
	store_share_list_free(rows, n);
	return r;
}

int share_acknowledge(const struct core *c, const struct session *s, const char *share_id,
		      const char *reply, size_t reply_len, struct share_ack *ret)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct share_ack_row ack;
	struct share_row row;
	struct access_item it;
	struct share_ack out;
	char ad[160];
	int r;

	if (!is_partner(s))
		return SHARE_NOTFOUND;
	memset(&row, 0, sizeof(row));
	memset(&ack, 0, sizeof(ack));
	r = STORE_CALL(c->st, share_get, s->couple_id, share_id, &row);
	if (r == STORE_NOTFOUND)
		return SHARE_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	share_item(&row, &it);
	if (strcmp(row.author_id, s->member_id) == 0 && strcmp(row.couple_id, s->couple_id) == 0) {
		r = SHARE_FORBIDDEN;
		goto out;
	}
	if (!access_allows(s, &it, ACCESS_ANSWER)) {
		r = SHARE_NOTFOUND;
		goto out;
	}
	if (row.ack_id[0]) {
		r = SHARE_CONFLICT;
		goto out;
	}

	vault_random_id(ack.id);
	memcpy(ack.share_id, row.id, sizeof(ack.share_id));
	memcpy(ack.couple_id, s->couple_id, sizeof(ack.couple_id));
	memcpy(ack.author_id, s->member_id, sizeof(ack.author_id));
	session_now(ack.created_at, 0);
	if (reply && reply_len) {
		vault_derive(key, s->ck, SHARE_KEY_ID, "shares__");
		ack_ad(ad, sizeof(ad), ack.id, ack.couple_id);
		r = vault_seal(key, reply, reply_len, ad, &ack.reply_sealed.data,
			       &ack.reply_sealed.len);
		vault_wipe(key, sizeof(key));
		if (r < 0)
			goto out;
	}
	r = STORE_CALL(c->st, share_ack_insert, &ack);
	if (r == STORE_CONFLICT) {
		r = SHARE_CONFLICT;
		goto out;
	}
	if (r == STORE_NOTFOUND) {
		r = SHARE_NOTFOUND;
		goto out;
	}
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	memset(&out, 0, sizeof(out));
	memcpy(out.id, ack.id, sizeof(out.id));
	memcpy(out.author_id, ack.author_id, sizeof(out.author_id));
	memcpy(out.created_at, ack.created_at, sizeof(out.created_at));
	if (reply && reply_len) {
		out.reply = malloc(reply_len + 1);
		if (!out.reply) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(out.reply, reply, reply_len);
		out.reply[reply_len] = '\0';
		out.reply_len = reply_len;
	}
	*ret = out;
out:
	store_blob_free(&ack.reply_sealed);
	store_share_free(&row);
	return r;
}

int share_counts(const struct core *c, const struct session *s, struct share_counts *ret)
{
	struct share_row *rows = NULL;
	struct share_counts out;
	struct access_item it;
	size_t n = 0, i;
	int r;

	memset(&out, 0, sizeof(out));
	if (!is_partner(s)) {
		*ret = out;
		return 0;
	}
	r = STORE_CALL(c->st, share_list, s->couple_id, SHARE_LIST_MAX, &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < n; i++) {
		share_item(&rows[i], &it);
		if (!access_allows(s, &it, ACCESS_READ))
			continue;
		if (strcmp(rows[i].author_id, s->member_id) == 0) {
			out.mine++;
			if (rows[i].ack_id[0])
				out.mine_heard++;
			continue;
		}
		out.from_partner++;
		if (!rows[i].ack_id[0] && access_allows(s, &it, ACCESS_ANSWER))
			out.to_ack++;
	}
	*ret = out;
	store_share_list_free(rows, n);
	return 0;
}
