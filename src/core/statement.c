/*
 * statement.c: accountability statements and the partner's responses (see
 * statement.h).
 *
 * The six parts are sealed together as one blob: each part as a 4-byte
 * little-endian length and its bytes, so the lengths of single parts stay
 * as hidden as their words.  A draft is sealed under the subkey
 * STATEMENT_KEY_DRAFT of the author's master key, a delivered statement
 * under STATEMENT_KEY_SHARED of the couple key, a response under
 * STATEMENT_KEY_RESPONSE of the couple key, as an item of the registry
 * (item.c).  The associated data binds the table, the row's id (and a
 * response's statement id), the couple and the version, so a blob copied
 * elsewhere does not open.  Statements themselves keep a table and code of
 * their own: a draft is sealed under the author's key and a delivered one
 * under the couple's, delivery is one-way, and the statement check reads
 * the parts; the registry's one key per kind cannot say that cleanly.
 *
 * Not a kind of the registry at all: a statement has a table of its own,
 * the statement check, delivery (after which it never changes) and the
 * partner's responses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/couplekey.h"
#include "core/ledger.h"
#include "core/list.h"
#include "core/statement.h"

#define STATEMENT_KEY_DRAFT	 1 /* subkey of MK: the author's drafts */
#define STATEMENT_KEY_SHARED	 2 /* subkey of CK: delivered statements */
#define STATEMENT_KEY_RESPONSE	 3 /* subkey of CK: responses */
#define STATEMENT_UPDATE_TRIES	 3
#define STATEMENT_RESPONSE_PARTS 2 /* landed, still_need */

static const char *const part_names[_STATEMENT_PART_MAX] = {
	[STATEMENT_WHAT_I_DID] = "what_i_did",
	[STATEMENT_IMPACT] = "impact",
	[STATEMENT_WHY] = "why",
	[STATEMENT_REGRET] = "regret",
	[STATEMENT_REPAIR] = "repair",
	[STATEMENT_FORGIVENESS] = "forgiveness_request",
};

const char *statement_part_name(enum statement_part p)
{
	return (unsigned)p < _STATEMENT_PART_MAX ? part_names[p] : NULL;
}

/* A delivered statement is sealed under the couple key, a draft under the author's. */
#define statement_key_id(delivered) ((delivered) ? STATEMENT_KEY_SHARED : STATEMENT_KEY_DRAFT)

/*
 * The AD of a statement's parts binds its row and its author (issue 11,
 * part 8: someone who changed author_id in the file could otherwise answer
 * their own statement).  unbound: the form of the rows sealed before,
 * which open with it until their next change; a row sealed with the
 * author never opens without it.
 */
static void statement_ad(char *ad, size_t len, const struct statement_row *row, int unbound)
{
	if (unbound)
		snprintf(ad, len, "statements.parts|%s|%s|%lld", row->id, row->couple_id,
			 (long long)row->version);
	else
		snprintf(ad, len, "statements.parts.a|%s|%s|%s|%lld", row->id, row->couple_id,
			 row->author_id, (long long)row->version);
}

/* A response: an answer to a delivered statement; sealed: landed and still_need, packed. */
const struct item_kind statement_response_kind = {
	.name = "statement_response",
	.parent = "statement",
	.key_from = ITEM_KEY_COUPLE,
	.key_ctx = "statemnt",
	.key_id = STATEMENT_KEY_RESPONSE,
	.shared_default = ACCESS_SHARE_PARTNER,
	.list_max = STATEMENT_RESPONSES_MAX,
	.legacy_ad = "statement_responses.body",
	.legacy_form = ITEM_LEGACY_ID_PARENT,
};

/* ---- packing: n strings as (u32 length, bytes) ------------------------- */

static size_t pack_size(const char *const *v, const size_t *lens, size_t n)
{
	size_t total = 0, i;

	for (i = 0; i < n; i++)
		total += 4 + (v[i] ? lens[i] : 0);
	return total;
}

/* Packs into a malloc'd buffer; the caller wipes and frees it. */
static int pack(const char *const *v, const size_t *lens, size_t n, unsigned char **ret,
		size_t *ret_len)
{
	size_t total = pack_size(v, lens, n), off = 0, i, l;
	unsigned char *buf;

	for (i = 0; i < n; i++)
		if (v[i] && lens[i] > UINT32_MAX)
			return -EINVAL;
	buf = malloc(total ? total : 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		l = v[i] ? lens[i] : 0;
		buf[off] = (unsigned char)(l & 0xFF);
		buf[off + 1] = (unsigned char)((l >> 8) & 0xFF);
		buf[off + 2] = (unsigned char)((l >> 16) & 0xFF);
		buf[off + 3] = (unsigned char)((l >> 24) & 0xFF);
		off += 4;
		if (l)
			memcpy(buf + off, v[i], l);
		off += l;
	}
	*ret = buf;
	*ret_len = total;
	return 0;
}

static void strings_free(char **v, size_t *lens, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i]) {
			vault_wipe(v[i], lens[i]);
			free(v[i]);
		}
		v[i] = NULL;
		lens[i] = 0;
	}
}

/*
 * Unpacks exactly n strings, each malloc'd and NUL-terminated.  -EBADMSG
 * when the bytes are not n packed strings (the blob opened, so this is a
 * bug or a foreign file, never input).
 */
static int unpack(const unsigned char *buf, size_t len, char **v, size_t *lens, size_t n)
{
	size_t off = 0, i, l;

	for (i = 0; i < n; i++) {
		v[i] = NULL;
		lens[i] = 0;
	}
	for (i = 0; i < n; i++) {
		if (len - off < 4)
			goto bad;
		l = (size_t)buf[off] | (size_t)buf[off + 1] << 8 | (size_t)buf[off + 2] << 16 |
		    (size_t)buf[off + 3] << 24;
		off += 4;
		if (l > len - off)
			goto bad;
		v[i] = malloc(l + 1);
		if (!v[i]) {
			strings_free(v, lens, n);
			return -ENOMEM;
		}
		memcpy(v[i], buf + off, l);
		v[i][l] = '\0';
		lens[i] = l;
		off += l;
	}
	if (off != len)
		goto bad;
	return 0;
bad:
	strings_free(v, lens, n);
	return -EBADMSG;
}

/* ---- freeing ------------------------------------------------------------ */

void statement_response_clear(struct statement_response *resp)
{
	if (!resp)
		return;
	if (resp->landed) {
		vault_wipe(resp->landed, resp->landed_len);
		free(resp->landed);
	}
	if (resp->still_need) {
		vault_wipe(resp->still_need, resp->still_need_len);
		free(resp->still_need);
	}
	memset(resp, 0, sizeof(*resp));
}

void statement_clear(struct statement *st)
{
	size_t i;

	if (!st)
		return;
	strings_free(st->part, st->part_len, _STATEMENT_PART_MAX);
	for (i = 0; st->responses && i < st->nresponses; i++)
		statement_response_clear(&st->responses[i]);
	free(st->responses);
	memset(st, 0, sizeof(*st));
}

static void clear_any(void *st)
{
	statement_clear(st);
}

void statement_list_free(struct statement *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

/* ---- rows --------------------------------------------------------------- */

static int statement_allows(const struct session *s, const struct statement_row *row,
			    enum access_verb verb)
{
	struct access_item it = {
		.couple_id = row->couple_id,
		.author_id = row->author_id,
		.shared_with = row->delivered ? ACCESS_SHARE_PARTNER : 0,
		.always_private = 0,
	};

	return access_allows(s, &it, verb);
}

/* Seals the parts into row->parts_sealed for its id, couple, version and state. */
static int statement_seal_row(const struct session *s, struct statement_row *row,
			      char *const parts[_STATEMENT_PART_MAX],
			      const size_t lens[_STATEMENT_PART_MAX])
{
	unsigned char *packed = NULL;
	size_t plen = 0;
	char ad[160];
	int r;

	r = pack((const char *const *)parts, lens, _STATEMENT_PART_MAX, &packed, &plen);
	if (r < 0)
		return r;
	statement_ad(ad, sizeof(ad), row, 0);
	r = couplekey_seal(s, row->delivered, statement_key_id(row->delivered), "statemnt", packed,
			   plen, ad, &row->parts_sealed.data, &row->parts_sealed.len);
	vault_wipe(packed, plen);
	free(packed);
	return r;
}

/* Opens a row the caller may read (checked by the caller) into ret's parts. */
static int statement_open_row(const struct core *c, const struct session *s,
			      const struct statement_row *row, struct statement *ret)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	char ad[160], ad_before[160];
	int r;

	memset(ret, 0, sizeof(*ret));
	/* an older version put back does not open: its author's ledger has the latest */
	r = ledger_check(c, s, STORE_TABLE_STATEMENTS, row->couple_id, row->author_id,
			 row->delivered, row->id, row->version);
	if (r != 0)
		return r;
	statement_ad(ad, sizeof(ad), row, 0);
	statement_ad(ad_before, sizeof(ad_before), row, 1);
	r = couplekey_open(s, row->delivered, statement_key_id(row->delivered), "statemnt",
			   row->parts_sealed.data, row->parts_sealed.len, ad, ad_before, &plain,
			   &plen);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	r = unpack(plain, plen, ret->part, ret->part_len, _STATEMENT_PART_MAX);
	vault_wipe(plain, plen);
	free(plain);
	if (r < 0)
		return r;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->author_id, row->author_id, sizeof(ret->author_id));
	ret->mine = strcmp(s->member_id, row->author_id) == 0;
	ret->delivered = row->delivered;
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	memcpy(ret->updated_at, row->updated_at, sizeof(ret->updated_at));
	memcpy(ret->delivered_at, row->delivered_at, sizeof(ret->delivered_at));
	session_seen_time(s, row->author_id, ret->created_at);
	session_seen_time(s, row->author_id, ret->updated_at);
	session_seen_time(s, row->author_id, ret->delivered_at);
	return 0;
}

/* Opens one response row into ret. */
static int response_open_row(const struct core *c, const struct session *s,
			     const struct item_row *row, struct statement_response *ret)
{
	unsigned char *plain = NULL;
	char *v[STATEMENT_RESPONSE_PARTS];
	size_t lens[STATEMENT_RESPONSE_PARTS], plen = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = item_open(c, &statement_response_kind, s, row, &plain, &plen);
	if (r != 0)
		return r;
	r = plain ? unpack(plain, plen, v, lens, STATEMENT_RESPONSE_PARTS) : -EBADMSG;
	item_text_free(plain, plen);
	if (r < 0)
		return r;
	/* an empty answer is no answer */
	if (lens[0]) {
		ret->landed = v[0];
		ret->landed_len = lens[0];
	} else {
		free(v[0]);
	}
	if (lens[1]) {
		ret->still_need = v[1];
		ret->still_need_len = lens[1];
	} else {
		free(v[1]);
	}
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->statement_id, row->parent_id, sizeof(ret->statement_id));
	memcpy(ret->author_id, row->author_id, sizeof(ret->author_id));
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	session_seen_time(s, row->author_id, ret->created_at);
	return 0;
}

/* The responses of a delivered statement the caller may read, into st. */
static int statement_load_responses(const struct core *c, const struct session *s,
				    struct statement *st)
{
	struct item_query q = {
		.couple_id = s->couple_id,
		.kind = statement_response_kind.name,
		.parent_kind = statement_response_kind.parent,
		.parent_id = st->id,
		.limit = core_list_limit(c, STATEMENT_RESPONSES_MAX),
		.oldest_first = 1,
	};
	struct item_row *rows = NULL;
	size_t n = 0, i;
	int r;

	if (!st->delivered)
		return 0;
	r = item_list(c, &q, &rows, &n);
	if (r != 0)
		return r;
	st->responses = calloc(n ? n : 1, sizeof(*st->responses));
	if (!st->responses) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = response_open_row(c, s, &rows[i], &st->responses[st->nresponses]);
		if (r == 0)
			st->nresponses++;
		else if ((r = core_skip_unreadable(c, r)) !=
			 0) /* one damaged answer is not them all */
			goto out;
	}
	r = 0;
out:
	store_item_list_free(rows, n);
	return r;
}

/* Copies parts (NULL: empty) into owned strings. */
static int parts_copy(const char *const in[_STATEMENT_PART_MAX], char *out[_STATEMENT_PART_MAX],
		      size_t lens[_STATEMENT_PART_MAX])
{
	size_t i;

	for (i = 0; i < _STATEMENT_PART_MAX; i++) {
		const char *p = in && in[i] ? in[i] : "";

		lens[i] = strlen(p);
		out[i] = malloc(lens[i] + 1);
		if (!out[i]) {
			strings_free(out, lens, i);
			return -ENOMEM;
		}
		memcpy(out[i], p, lens[i] + 1);
	}
	return 0;
}

/* Fills st from a row just written and the plain parts it holds (taken over). */
static void statement_from_row(const struct session *s, const struct statement_row *row,
			       char *parts[_STATEMENT_PART_MAX], size_t lens[_STATEMENT_PART_MAX],
			       struct statement *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->part, parts, sizeof(st->part));
	memcpy(st->part_len, lens, sizeof(st->part_len));
	memcpy(st->id, row->id, sizeof(st->id));
	memcpy(st->author_id, row->author_id, sizeof(st->author_id));
	st->mine = strcmp(s->member_id, row->author_id) == 0;
	st->delivered = row->delivered;
	memcpy(st->created_at, row->created_at, sizeof(st->created_at));
	memcpy(st->updated_at, row->updated_at, sizeof(st->updated_at));
	memcpy(st->delivered_at, row->delivered_at, sizeof(st->delivered_at));
	session_seen_time(s, row->author_id, st->created_at);
	session_seen_time(s, row->author_id, st->updated_at);
	session_seen_time(s, row->author_id, st->delivered_at);
}

/* ---- operations --------------------------------------------------------- */

int statement_create(const struct core *c, const struct session *s,
		     const char *const parts[_STATEMENT_PART_MAX], struct statement *ret)
{
	struct statement_row row;
	char *plain[_STATEMENT_PART_MAX];
	size_t lens[_STATEMENT_PART_MAX];
	int r;

	memset(&row, 0, sizeof(row));
	r = parts_copy(parts, plain, lens);
	if (r < 0)
		return r;
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.version = 1;
	session_now(row.created_at, 0);
	memcpy(row.updated_at, row.created_at, sizeof(row.updated_at));
	r = statement_seal_row(s, &row, plain, lens);
	if (r == 0)
		r = STORE_CALL(c->st, statement_insert, &row);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		strings_free(plain, lens, _STATEMENT_PART_MAX);
		goto out;
	}
	statement_from_row(s, &row, plain, lens, ret);
out:
	store_statement_free(&row);
	return r;
}

/*
 * The draft id of the caller, for a change: STATEMENT_NOTFOUND unless the
 * caller may change it (its author), STATEMENT_DELIVERED once delivered.
 * On 0, *row owns its blob.
 */
static int statement_get_draft(const struct core *c, const struct session *s, const char *id,
			       struct statement_row *row)
{
	int r;

	memset(row, 0, sizeof(*row));
	r = STORE_CALL(c->st, statement_get, s->couple_id, id, row);
	if (r == STORE_NOTFOUND)
		return STATEMENT_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	if (!statement_allows(s, row, ACCESS_CHANGE))
		r = STATEMENT_NOTFOUND;
	else if (row->delivered)
		r = STATEMENT_DELIVERED;
	if (r != 0)
		store_statement_free(row);
	return r;
}

/*
 * Writes the next version of the draft id: new parts (change) or the same
 * parts sealed for the partner (deliver, parts NULL).  Retries when
 * another request changed the row in between.
 */
static int statement_next_version(const struct core *c, const struct session *s, const char *id,
				  const char *const parts[_STATEMENT_PART_MAX], int deliver,
				  struct statement *ret)
{
	struct statement_row row, next;
	struct statement old;
	char *plain[_STATEMENT_PART_MAX];
	size_t lens[_STATEMENT_PART_MAX];
	int r = 0, tries, have_plain;

	for (tries = 0; tries < STATEMENT_UPDATE_TRIES; tries++) {
		memset(&next, 0, sizeof(next));
		memset(&old, 0, sizeof(old));
		have_plain = 0;
		r = statement_get_draft(c, s, id, &row);
		if (r != 0)
			break;
		if (deliver) {
			r = statement_open_row(c, s, &row, &old);
			if (r == 0 && !statement_is_complete(&old))
				r = STATEMENT_INCOMPLETE;
			if (r == 0) {
				/* the parts move from old to plain */
				memcpy(plain, old.part, sizeof(plain));
				memcpy(lens, old.part_len, sizeof(lens));
				memset(old.part, 0, sizeof(old.part));
				memset(old.part_len, 0, sizeof(old.part_len));
			}
		} else {
			r = parts_copy(parts, plain, lens);
		}
		if (r == 0) {
			have_plain = 1;
			memcpy(next.id, row.id, sizeof(next.id));
			memcpy(next.couple_id, row.couple_id, sizeof(next.couple_id));
			memcpy(next.author_id, row.author_id, sizeof(next.author_id));
			memcpy(next.created_at, row.created_at, sizeof(next.created_at));
			next.version = row.version + 1;
			session_now(next.updated_at, 0);
			if (deliver) {
				next.delivered = 1;
				memcpy(next.delivered_at, next.updated_at,
				       sizeof(next.delivered_at));
			}
			r = statement_seal_row(s, &next, plain, lens);
		}
		if (r == 0) {
			/* the store's outcomes, told apart from ours (both are small numbers) */
			r = STORE_CALL(c->st, statement_update, &next);
			if (r == STORE_NOTFOUND)
				r = STATEMENT_NOTFOUND;
			else if (r == STORE_CONFLICT)
				r = -EAGAIN; /* changed or delivered meanwhile: read again */
			else if (r > 0)
				r = -EIO;
		}
		if (r == 0) /* a delivered one is the partner's to read: under the couple key */
			r = ledger_note(c, s, next.author_id, next.delivered, next.id,
					next.version);
		if (r == 0) {
			statement_from_row(s, &next, plain, lens, ret);
			have_plain = 0;
		}
		if (have_plain)
			strings_free(plain, lens, _STATEMENT_PART_MAX);
		statement_clear(&old);
		store_statement_free(&next);
		store_statement_free(&row);
		if (r != -EAGAIN)
			break;
	}
	return r;
}

int statement_change(const struct core *c, const struct session *s, const char *id,
		     const char *const parts[_STATEMENT_PART_MAX], struct statement *ret)
{
	return statement_next_version(c, s, id, parts, 0, ret);
}

int statement_deliver(const struct core *c, const struct session *s, const char *id,
		      struct statement *ret)
{
	int r = statement_next_version(c, s, id, NULL, 1, ret);

	if (r == 0)
		STORE_CALL(c->st, audit_append, s->couple_id, s->member_id, "statement_delivered",
			   ret->updated_at);
	return r;
}

/* Opens a row the caller may read, with its responses; STATEMENT_NOTFOUND otherwise. */
static int statement_open_visible(const struct core *c, const struct session *s,
				  const struct statement_row *row, struct statement *ret)
{
	int r;

	if (!statement_allows(s, row, ACCESS_READ))
		return STATEMENT_NOTFOUND;
	r = statement_open_row(c, s, row, ret);
	if (r < 0)
		return r;
	r = statement_load_responses(c, s, ret);
	if (r < 0)
		statement_clear(ret);
	return r;
}

int statement_read(const struct core *c, const struct session *s, const char *id,
		   struct statement *ret)
{
	struct statement_row row;
	int r;

	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, statement_get, s->couple_id, id, &row);
	if (r == STORE_NOTFOUND)
		return STATEMENT_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	r = statement_open_visible(c, s, &row, ret);
	store_statement_free(&row);
	return r;
}

int statement_delivered_count(const struct core *c, const struct session *s, size_t *ret)
{
	struct statement_row *rows = NULL;
	size_t n = 0, i, k = 0;
	int r;

	*ret = 0;
	r = STORE_CALL(c->st, statement_list, s->couple_id, s->member_id, STATEMENT_LIST_MAX, &rows,
		       &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	for (i = 0; i < n; i++)
		if (rows[i].delivered && strcmp(rows[i].author_id, s->member_id) == 0)
			k++;
	store_statement_list_free(rows, n);
	*ret = k;
	return 0;
}

struct statement_each {
	const struct core *c;
	const struct session *s;
	const struct statement_row *rows;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct statement_each *e = ctx;

	return statement_open_visible(e->c, e->s, &e->rows[i], elem);
}

int statement_list(const struct core *c, const struct session *s, struct statement **ret,
		   size_t *ret_n)
{
	struct statement_row *rows = NULL;
	struct statement_each e = {c, s, NULL};
	void *list = NULL;
	size_t n = 0;
	int r;

	r = STORE_CALL(c->st, statement_list, s->couple_id, s->member_id,
		       core_list_limit(c, STATEMENT_LIST_MAX), &rows, &n);
	if (r != 0)
		return r > 0 ? -EIO : r;
	e.rows = rows;
	/* STATEMENT_NOTFOUND: the store already filters; access decides */
	r = core_open_list(c, n, sizeof(**ret), STATEMENT_NOTFOUND, open_at, clear_any, &e, &list,
			   ret_n);
	store_statement_list_free(rows, n);
	if (r == 0)
		*ret = list;
	return r;
}

int statement_respond(const struct core *c, const struct session *s, const char *id,
		      const char *landed, const char *still_need, struct statement_response *ret)
{
	struct statement_row st;
	struct statement check;
	struct item_row row;
	unsigned char *packed = NULL;
	const char *v[STATEMENT_RESPONSE_PARTS] = {landed ? landed : "",
						   still_need ? still_need : ""};
	size_t lens[STATEMENT_RESPONSE_PARTS], plen = 0;
	int r;

	memset(&st, 0, sizeof(st));
	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, statement_get, s->couple_id, id, &st);
	if (r == STORE_NOTFOUND)
		return STATEMENT_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	if (!statement_allows(s, &st, ACCESS_READ)) {
		r = STATEMENT_NOTFOUND;
		goto out;
	}
	/*
	 * Its author is the one its sealed parts were bound to: a statement
	 * whose author_id was changed in the file does not open, and is not
	 * there to be answered by the one who wrote it.
	 */
	r = statement_open_row(c, s, &st, &check);
	statement_clear(&check);
	if (r == -EBADMSG)
		r = core_skip_unreadable(c, r) == 0 ? STATEMENT_NOTFOUND : r;
	if (r != 0)
		goto out;
	if (!statement_allows(s, &st, ACCESS_ANSWER)) {
		r = STATEMENT_FORBIDDEN;
		goto out;
	}

	item_start(&statement_response_kind, s, st.id, 0, &row);
	memcpy(row.sort, row.created_at, sizeof(row.sort));
	lens[0] = strlen(v[0]);
	lens[1] = strlen(v[1]);
	r = pack(v, lens, STATEMENT_RESPONSE_PARTS, &packed, &plen);
	if (r < 0)
		goto out;
	r = item_seal(&statement_response_kind, s, &row, packed, plen);
	if (r == 0)
		r = item_insert(c, &row);
	if (r == ITEM_CONFLICT)
		r = -EIO;
	if (r == 0)
		r = response_open_row(c, s, &row, ret);
out:
	item_text_free(packed, plen);
	store_item_free(&row);
	store_statement_free(&st);
	return r;
}

/* ---- the statement check ------------------------------------------------ */

static int is_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
	return 1;
}

int statement_is_complete(const struct statement *st)
{
	return st && st->part[STATEMENT_WHAT_I_DID] && st->part[STATEMENT_REPAIR] &&
	       !is_blank(st->part[STATEMENT_WHAT_I_DID], st->part_len[STATEMENT_WHAT_I_DID]) &&
	       !is_blank(st->part[STATEMENT_REPAIR], st->part_len[STATEMENT_REPAIR]);
}

int statement_check(const struct statement *st, struct statement_flag *out, size_t max,
		    size_t *ret_n)
{
	struct apology_finding f[APOLOGY_FINDINGS_MAX];
	size_t n = 0, k, i, got;
	int r;

	if (!st || (!out && max) || !ret_n)
		return -EINVAL;
	for (i = 0; i < _STATEMENT_PART_MAX && n < max; i++) {
		if (!st->part[i] || st->part_len[i] == 0)
			continue;
		r = apology_check(st->part[i], st->part_len[i], NULL, f, APOLOGY_FINDINGS_MAX,
				  &got);
		if (r < 0)
			return r;
		for (k = 0; k < got && n < max; k++)
			out[n++] = (struct statement_flag){(enum statement_part)i, f[k].pattern,
							   f[k].start, f[k].len};
	}
	*ret_n = n;
	return 0;
}

/*
 * One statement of a member who leaves: a draft goes with them; a
 * delivered one stays with the partner, written by the former-partner row
 * ghost_id, and a copy under a new id goes with them, sealed for to.
 */
static int statement_leave_one(const struct core *c, const struct session *from,
			       const struct session *to, const char *ghost_id,
			       const struct statement_row *row)
{
	struct statement_row moved = *row;
	struct blob sealed = {NULL, 0};
	char ad_from[160], ad_before[160], ad_to[160];
	int r;

	if (!ghost_id && row->delivered)
		return 0; /* a new master key: the couple's key keeps what was delivered */
	statement_ad(ad_from, sizeof(ad_from), row, 0);
	statement_ad(ad_before, sizeof(ad_before), row, 1);
	snprintf(moved.couple_id, sizeof(moved.couple_id), "%s", to->couple_id);
	if (row->delivered)
		vault_random_id(moved.id);
	statement_ad(ad_to, sizeof(ad_to), &moved, 0);
	r = couplekey_reseal(from, to, row->delivered, statement_key_id(row->delivered), "statemnt",
			     &row->parts_sealed, ad_from, ad_before, ad_to, &sealed);
	if (r != 0)
		return r;
	if (!row->delivered) {
		r = STORE_CALL(c->st, rehome, STORE_TABLE_STATEMENTS, row->couple_id, NULL, row->id,
			       to->couple_id, to->member_id, &sealed, NULL);
		store_blob_free(&sealed);
		return r > 0 ? -EIO : r;
	}
	moved.parts_sealed = sealed;
	r = STORE_CALL(c->st, statement_insert, &moved);
	store_blob_free(&sealed);
	if (r != 0)
		return r > 0 ? -EIO : r;
	/* the partner's copy: the same row, its author now the former-partner row */
	moved = *row;
	snprintf(moved.author_id, sizeof(moved.author_id), "%s", ghost_id);
	statement_ad(ad_to, sizeof(ad_to), &moved, 0);
	r = couplekey_reseal(from, from, 1, STATEMENT_KEY_SHARED, "statemnt", &row->parts_sealed,
			     ad_from, ad_before, ad_to, &sealed);
	if (r == 0)
		r = STORE_CALL(c->st, rehome, STORE_TABLE_STATEMENTS, row->couple_id, NULL, row->id,
			       row->couple_id, ghost_id, &sealed, NULL);
	store_blob_free(&sealed);
	return r > 0 ? -EIO : r;
}

int statement_leave(const struct core *c, const struct session *from, const struct session *to,
		    const char *ghost_id)
{
	struct statement_row *rows = NULL;
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, statement_list, from->couple_id, from->member_id, SIZE_MAX, &rows,
		       &n);
	if (r != 0)
		return r == STORE_NOTFOUND ? 0 : r > 0 ? -EIO : r;
	for (i = 0; i < n && r == 0; i++)
		if (strcmp(rows[i].author_id, from->member_id) == 0)
			r = statement_leave_one(c, from, to, ghost_id, &rows[i]);
	store_statement_list_free(rows, n);
	return r;
}
