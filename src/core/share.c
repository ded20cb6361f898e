/*
 * share.c: openness cards and their acknowledgement.
 *
 * A card's sealed content is a format byte, the kind's number, then the
 * body's UTF-8 bytes.  The answer is sealed under the couple key as an
 * answer to its card.  The store holds "once" (the card's id as the
 * answer's once), so two answers racing each other end in one 201 and one
 * 409.
 *
 * The couple's therapist reads the cards shared with the care team (sealed
 * under the care key, item.c), never the answer: that is between the
 * partners, so a therapist's card has no ack.
 *
 * Not a kind that is all data (record.c): a card is answered once, by the
 * partner only, and the answer rides along with the card in every list.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/list.h"
#include "core/share.h"

#define SHARE_KEY_ID 1
#define SHARE_FORMAT 1
#define SHARE_HEAD   2 /* format, kind */

const char *const share_kinds[] = {"insecurity", "fear", "desire", "need", "hope", NULL};

int share_kind_from(const char *s)
{
	int i;

	for (i = 0; s && share_kinds[i]; i++)
		if (strcmp(s, share_kinds[i]) == 0)
			return i;
	return -EINVAL;
}

/* A card: sealed format byte, the kind's number, the body. */
const struct item_kind share_kind = {
	.name = "share",
	.key_from = ITEM_KEY_SHARED,
	.key_ctx = "shares__",
	.key_id = SHARE_KEY_ID,
	.shared_default = 0,
	.shared_allowed = ACCESS_SHARE_PARTNER | ACCESS_SHARE_CARE,
	.list_max = SHARE_LIST_MAX,
	.legacy_ad = "shares.content",
	.legacy_form = ITEM_LEGACY_ID,
};

/* "Heard": one per card (once = the card's id), with an optional sealed reply. */
const struct item_kind share_ack_kind = {
	.name = "share_ack",
	.parent = "share",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "shares__",
	.key_id = SHARE_KEY_ID,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = 1,
	.legacy_ad = "share_acks.reply",
	.legacy_form = ITEM_LEGACY_ID,
};

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

static void clear_any(void *sh)
{
	share_clear(sh);
}

void share_list_free(struct share *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

/* Opens the answer ack (to a card the reader may read) into *ret. */
static int share_open_ack(const struct core *c, const struct session *s, const struct item_row *ack,
			  struct share_ack *ret)
{
	unsigned char *text = NULL;
	size_t len = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_open(c, &share_ack_kind, s, ack, &text, &len);
	if (r != 0)
		return r;
	memcpy(ret->id, ack->id, sizeof(ret->id));
	memcpy(ret->author_id, ack->author_id, sizeof(ret->author_id));
	memcpy(ret->created_at, ack->created_at, sizeof(ret->created_at));
	session_seen_time(s, ack->author_id, ret->created_at);
	ret->reply = (char *)text;
	ret->reply_len = len;
	return 0;
}

/* Opens a row the reader may read, with its answer ack (NULL: none yet);
 * SHARE_NOTFOUND when they may not read it. */
static int share_open(const struct core *c, const struct session *s, const struct item_row *row,
		      const struct item_row *ack, struct share *ret)
{
	unsigned char *text = NULL;
	struct share out;
	size_t len = 0;
	int r;

	if (!item_allows(s, row, ACCESS_READ))
		return SHARE_NOTFOUND;
	r = item_open(c, &share_kind, s, row, &text, &len);
	if (r != 0)
		return r;
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
	session_seen_time(s, row->author_id, out.created_at);
	if (ack && item_partner(s)) { /* the answer is the partners': never the care team's */
		r = share_open_ack(c, s, ack, &out.ack);
		if (r != 0) {
			share_clear(&out);
			goto out;
		}
		out.acked = 1;
	} else if (!ack) {
		out.can_ack = item_allows(s, row, ACCESS_ANSWER);
	}
	*ret = out;
	r = 0;
out:
	item_text_free(text, len);
	return r;
}

/* The answer to the card row, if any, into *ack (*has 1); the couple's only. */
static int share_find_ack(const struct core *c, const struct item_row *row, struct item_row *ack,
			  int *has)
{
	struct item_query q = {
		.couple_id = row->couple_id,
		.kind = share_ack_kind.name,
		.parent_kind = share_kind.name,
		.parent_id = row->id,
		.limit = 1,
	};
	struct item_row *rows = NULL;
	size_t n = 0;
	int r;

	*has = 0;
	r = item_list(c, &q, &rows, &n);
	if (r == 0 && n > 0) {
		*ack = rows[0]; /* the row now owns the blob */
		*has = 1;
		free(rows);
		return 0;
	}
	store_item_list_free(rows, n);
	return r;
}

int share_add(const struct core *c, const struct session *s, enum share_kind kind, const char *body,
	      size_t len, unsigned shared_with, struct share *ret)
{
	struct item_row row;
	unsigned char *buf;
	int r;

	if ((unsigned)kind >= _SHARE_KIND_MAX || !body || len > SIZE_MAX - SHARE_HEAD)
		return -EINVAL;
	if (!item_partner(s))
		return SHARE_FORBIDDEN;
	item_start(&share_kind, s, NULL, shared_with, &row);
	buf = malloc(SHARE_HEAD + len);
	if (!buf)
		return -ENOMEM;
	buf[0] = SHARE_FORMAT;
	buf[1] = (unsigned char)kind;
	memcpy(buf + SHARE_HEAD, body, len);
	r = item_seal(&share_kind, s, &row, buf, SHARE_HEAD + len);
	item_text_free(buf, SHARE_HEAD + len);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == 0)
		r = share_open(c, s, &row, NULL, ret);
	if (r > 0)
		r = -EIO;
	store_item_free(&row);
	return r;
}

int share_read(const struct core *c, const struct session *s, const char *id, struct share *ret)
{
	struct item_row row, ack;
	int r, has = 0;

	if (!item_partner(s) && !item_therapist(s))
		return SHARE_NOTFOUND;
	r = item_get(c, s, &share_kind, id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	r = share_find_ack(c, &row, &ack, &has);
	if (r == 0)
		r = share_open(c, s, &row, has ? &ack : NULL, ret);
	if (has)
		store_item_free(&ack);
	store_item_free(&row);
	return r;
}

/*
 * The cards of the couple (newest SHARE_LIST_MAX) and the answers to them,
 * as the store has them; for each card, *ret_ack[i] is its answer or NULL.
 */
struct share_rows {
	struct item_row *cards, *acks;
	size_t ncards, nacks;
	const struct item_row **ack_of; /* per card */
};

static void share_rows_free(struct share_rows *sr)
{
	store_item_list_free(sr->cards, sr->ncards);
	store_item_list_free(sr->acks, sr->nacks);
	free(sr->ack_of);
	memset(sr, 0, sizeof(*sr));
}

static int share_rows(const struct core *c, const struct session *s, struct share_rows *sr)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = share_kind.name,
		.limit = core_list_limit(c, SHARE_LIST_MAX),
	};
	size_t i, j;
	int r;

	memset(sr, 0, sizeof(*sr));
	if (!item_partner(s) && !item_therapist(s))
		return 0;
	item_query_reader(&q, s);
	r = item_list(c, &q, &sr->cards, &sr->ncards);
	if (r != 0)
		return r;
	q.kind = share_ack_kind.name;
	q.of_newest = share_kind.name;
	q.answer_limit = core_list_limit(c, SHARE_LIST_MAX);
	r = item_list(c, &q, &sr->acks, &sr->nacks);
	sr->ack_of = calloc(sr->ncards ? sr->ncards : 1, sizeof(const struct item_row *));
	if (r == 0 && !sr->ack_of)
		r = -ENOMEM;
	if (r != 0) {
		share_rows_free(sr);
		return r;
	}
	for (j = 0; j < sr->nacks; j++)
		for (i = 0; i < sr->ncards; i++)
			if (strcmp(sr->acks[j].parent_id, sr->cards[i].id) == 0)
				sr->ack_of[i] = &sr->acks[j];
	return 0;
}

struct share_each {
	const struct core *c;
	const struct session *s;
	const struct share_rows *sr;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct share_each *e = ctx;

	return share_open(e->c, e->s, &e->sr->cards[i], e->sr->ack_of[i], elem);
}

int share_list(const struct core *c, const struct session *s, struct share **ret, size_t *ret_n)
{
	struct share_rows sr;
	struct share_each e = {c, s, &sr};
	void *list = NULL;
	int r;

	r = share_rows(c, s, &sr);
	if (r != 0)
		return r;
	/* SHARE_NOTFOUND: the partner's private card, not the reader's to know */
	r = core_open_list(c, sr.ncards, sizeof(**ret), SHARE_NOTFOUND, open_at, clear_any, &e,
			   &list, ret_n);
	share_rows_free(&sr);
	if (r == 0)
		*ret = list;
	return r;
}

int share_acknowledge(const struct core *c, const struct session *s, const char *share_id,
		      const char *reply, size_t reply_len, struct share_ack *ret)
{
	struct item_row row, ack;
	int r, has = 0;

	if (!item_partner(s))
		return SHARE_NOTFOUND;
	r = item_get(c, s, &share_kind, share_id, ACCESS_READ, &row);
	if (r != 0)
		return r;
	if (strcmp(row.author_id, s->member_id) == 0) {
		r = SHARE_FORBIDDEN;
		goto out;
	}
	if (!item_allows(s, &row, ACCESS_ANSWER)) {
		r = SHARE_NOTFOUND;
		goto out;
	}
	r = share_find_ack(c, &row, &ack, &has);
	if (has) {
		store_item_free(&ack);
		r = SHARE_CONFLICT;
	}
	if (r != 0)
		goto out;

	item_start(&share_ack_kind, s, row.id, 0, &ack);
	memcpy(ack.once, row.id, sizeof(row.id)); /* one answer per card, held by the store */
	r = item_seal(&share_ack_kind, s, &ack, reply, reply ? reply_len : 0);
	if (r == 0)
		r = item_insert(c, &ack); /* a race lost: CONFLICT */
	if (r == 0) {
		r = share_open_ack(c, s, &ack, ret);
		if (r > 0)
			r = -EIO;
	}
	store_item_free(&ack);
out:
	store_item_free(&row);
	return r;
}

int share_counts(const struct core *c, const struct session *s, struct share_counts *ret)
{
	struct share_counts out;
	struct share_rows sr;
	size_t i;
	int r;

	memset(&out, 0, sizeof(out));
	r = share_rows(c, s, &sr);
	if (r != 0)
		return r;
	for (i = 0; i < sr.ncards; i++) {
		if (!item_allows(s, &sr.cards[i], ACCESS_READ))
			continue;
		if (strcmp(sr.cards[i].author_id, s->member_id) == 0) {
			out.mine++;
			if (sr.ack_of[i])
				out.mine_heard++;
			continue;
		}
		out.from_partner++;
		if (!sr.ack_of[i] && item_allows(s, &sr.cards[i], ACCESS_ANSWER))
			out.to_ack++;
	}
	*ret = out;
	share_rows_free(&sr);
	return 0;
}
