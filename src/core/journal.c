/*
 * journal.c: the private journal.
 *
 * Entries are sealed under a subkey of the author's master key (context
 * "journal_"), with associated data "journal_entries.<field>|id|couple|
 * version", so that a ciphertext copied into another row, another couple
 * or an older version does not open.  The store finds rows by couple,
 * author and id together, and every row found goes through access_allows()
 * as well: the journal is always private.
 *
 * An opened entry's text is one allocation: the body, a NUL, the prompt and
 * its NUL.  A page opens its rows with the subkey derived once, and
 * journal_list_each() opens them one after the other, where the store holds
 * them (journal_each(): no row is copied), into a single buffer that grows
 * to the largest entry and is wiped at the end, so that serving a page
 * costs an allocation only when an entry is longer than every one before.
 *
 * Not a kind of the registry: the journal has a table of its own, is never
 * shared, and pages by a cursor (?before=) that an items list has no need of.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/couplekey.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/list.h"
#include "i18n/i18n.h"

#define JOURNAL_KEY_ID	     1
#define JOURNAL_UPDATE_TRIES 3
#define JOURNAL_AD_PREFIX    "journal_entries."
#define JOURNAL_FIELD_MAX    8 /* "body", "prompt" */
/* prefix, field, three '|', two ids, a 64-bit version with its sign, the NUL */
#define JOURNAL_AD_BYTES                                                                           \
	(sizeof(JOURNAL_AD_PREFIX) - 1 + JOURNAL_FIELD_MAX + 3 + 2 * STORE_ID_LEN + 20 + 1)

static void journal_key(const struct session *s, unsigned char key[VAULT_KEY_BYTES])
{
	vault_derive(key, s->mk, JOURNAL_KEY_ID, "journal_");
}

static char *ad_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * journal_ad() - the associated data of one sealed field:
 * "journal_entries.<field>|<id>|<couple>|<version>", the very bytes that
 * snprintf("%s|%s|%s|%lld") gave when the entries were sealed (test-journal.c
 * holds it to that), written by hand: it is built twice per entry of every
 * page, and printf's machinery showed in the profile.  id and couple are
 * read up to STORE_ID_LEN bytes, field up to JOURNAL_FIELD_MAX, so ad never
 * overflows.
 */
static void journal_ad(char ad[JOURNAL_AD_BYTES], const char *field, const char *id,
		       const char *couple, long long version)
{
	char num[21], *q = num + sizeof(num);
	unsigned long long u =
		version < 0 ? 0ULL - (unsigned long long)version : (unsigned long long)version;
	char *p = ad;

	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (version < 0)
		*--q = '-';
	p = ad_put(p, JOURNAL_AD_PREFIX, sizeof(JOURNAL_AD_PREFIX) - 1);
	p = ad_put(p, field, strnlen(field, JOURNAL_FIELD_MAX));
	*p++ = '|';
	p = ad_put(p, id, strnlen(id, STORE_ID_LEN));
	*p++ = '|';
	p = ad_put(p, couple, strnlen(couple, STORE_ID_LEN));
	*p++ = '|';
	p = ad_put(p, q, (size_t)(num + sizeof(num) - q));
	*p = '\0';
}

void journal_entry_clear(struct journal_entry *e)
{
	size_t len;

	if (!e)
		return;
	if (e->body) {
		/* the prompt lives in the same allocation, after the body's NUL */
		len = e->body_len + 1;
		if (e->prompt)
			len += strlen(e->prompt) + 1;
		vault_wipe(e->body, len);
		free(e->body);
	}
	memset(e, 0, sizeof(*e));
}

static void clear_any(void *e)
{
	journal_entry_clear(e);
}

void journal_list_free(struct journal_entry *list, size_t n)
{
	core_list_free(list, n, sizeof(*list), clear_any);
}

static int journal_allows(const struct session *s, const struct journal_row *row)
{
	struct access_item it = {
		.couple_id = row->couple_id,
		.author_id = row->author_id,
		.shared_with = 0,
		.always_private = 1,
	};

	return access_allows(s, &it, ACCESS_CHANGE);
}

/* Plaintext bytes of a sealed field (0 for a blob too short to open). */
static size_t sealed_text_len(const struct blob *b)
{
	return b->len > VAULT_SEAL_OVERHEAD ? b->len - VAULT_SEAL_OVERHEAD : 0;
}

/* Bytes journal_open_row() needs for row: body, NUL, prompt, NUL. */
static size_t journal_text_bytes(const struct journal_row *row)
{
	return sealed_text_len(&row->body_sealed) + 1 + sealed_text_len(&row->prompt_sealed) + 1;
}

/*
 * Opens one sealed field into out (room for its text and a NUL); 0, or
 * -EBADMSG when it does not open (or is too short to be a sealed blob).
 */
static int journal_open_field(const unsigned char key[VAULT_KEY_BYTES], const struct blob *b,
			      const char *ad, char *out, size_t *ret_len)
{
	size_t len = sealed_text_len(b);
	int r;

	if (b->len < VAULT_SEAL_OVERHEAD)
		return -EBADMSG;
	r = vault_open_into(key, b->data, b->len, ad, out, len);
	if (r != 0)
		return r > 0 ? -EBADMSG : r;
	out[len] = '\0';
	*ret_len = len;
	return 0;
}

/*
 * Opens a stored row into a plain entry whose text goes to buf, which has
 * room for journal_text_bytes(row).  ret->body and ret->prompt point into
 * buf.  0, JOURNAL_NOTFOUND (not the caller's), -EBADMSG or < 0; on failure
 * buf may hold zeros, never a part of the text.
 */
static int journal_open_row(const struct core *c, const struct session *s,
			    const struct journal_row *row, const unsigned char key[VAULT_KEY_BYTES],
			    char *buf, struct journal_entry *ret)
{
	char ad[JOURNAL_AD_BYTES];
	size_t len, plen;
	int r;

	if (!journal_allows(s, row))
		return JOURNAL_NOTFOUND;
	memset(ret, 0, sizeof(*ret));
	/* an older version put back does not open: the member's ledger has the latest */
	r = ledger_check(c, s, STORE_TABLE_JOURNAL, row->couple_id, row->author_id, 0, row->id,
			 row->version);
	if (r != 0)
		return r;
	journal_ad(ad, "body", row->id, row->couple_id, (long long)row->version);
	r = journal_open_field(key, &row->body_sealed, ad, buf, &len);
	if (r != 0)
		return r;
	if (row->prompt_sealed.len > 0) {
		journal_ad(ad, "prompt", row->id, row->couple_id, (long long)row->version);
		r = journal_open_field(key, &row->prompt_sealed, ad, buf + len + 1, &plen);
		if (r != 0) {
			vault_wipe(buf, len + 1);
			return r;
		}
		ret->prompt = buf + len + 1;
	}
	ret->body = buf;
	ret->body_len = len;
	memcpy(ret->id, row->id, sizeof(ret->id));
	memcpy(ret->created_at, row->created_at, sizeof(ret->created_at));
	memcpy(ret->updated_at, row->updated_at, sizeof(ret->updated_at));
	return 0;
}

/* journal_open_row() into a fresh allocation that *ret then owns (journal_entry_clear()). */
static int journal_open_row_alloc(const struct core *c, const struct session *s,
				  const struct journal_row *row,
				  const unsigned char key[VAULT_KEY_BYTES],
				  struct journal_entry *ret)
{
	size_t need = journal_text_bytes(row);
	char *buf = malloc(need);
	int r;

	if (!buf)
		return -ENOMEM;
	r = journal_open_row(c, s, row, key, buf, ret);
	if (r != 0) {
		vault_wipe(buf, need);
		free(buf);
	}
	return r;
}

/* Seals body and prompt into row for its id, couple and version. */
static int journal_seal_row(const unsigned char key[VAULT_KEY_BYTES], struct journal_row *row,
			    const char *body, size_t len, const char *prompt)
{
	char ad[JOURNAL_AD_BYTES];
	int r;

	journal_ad(ad, "body", row->id, row->couple_id, (long long)row->version);
	r = vault_seal(key, body, len, ad, &row->body_sealed.data, &row->body_sealed.len);
	if (r < 0)
		return r;
	if (prompt && *prompt) {
		journal_ad(ad, "prompt", row->id, row->couple_id, (long long)row->version);
		r = vault_seal(key, prompt, strlen(prompt), ad, &row->prompt_sealed.data,
			       &row->prompt_sealed.len);
		if (r < 0)
			return r;
	}
	return 0;
}

static void journal_row_release(struct journal_row *row)
{
	store_blob_free(&row->body_sealed);
	store_blob_free(&row->prompt_sealed);
}

int journal_add(const struct core *c, const struct session *s, const char *body, size_t len,
		const char *prompt, struct journal_entry *ret)
{
	struct journal_row row;
	unsigned char key[VAULT_KEY_BYTES];
	int r;

	memset(&row, 0, sizeof(row));
	vault_random_id(row.id);
	memcpy(row.couple_id, s->couple_id, sizeof(row.couple_id));
	memcpy(row.author_id, s->member_id, sizeof(row.author_id));
	row.version = 1;
	session_now(row.created_at, 0);
	memcpy(row.updated_at, row.created_at, sizeof(row.updated_at));
	journal_key(s, key);
	r = journal_seal_row(key, &row, body, len, prompt);
	if (r < 0)
		goto out;
	r = STORE_CALL(c->st, journal_insert, &row);
	if (r != 0) {
		r = r > 0 ? -EIO : r;
		goto out;
	}
	r = journal_open_row_alloc(c, s, &row, key, ret);
out:
	journal_row_release(&row);
	vault_wipe(key, sizeof(key));
	return r;
}

int journal_read(const struct core *c, const struct session *s, const char *id,
		 struct journal_entry *ret)
{
	struct journal_row row;
	unsigned char key[VAULT_KEY_BYTES];
	int r;

	memset(&row, 0, sizeof(row));
	r = STORE_CALL(c->st, journal_get, s->couple_id, s->member_id, id, &row);
	if (r == STORE_NOTFOUND)
		return JOURNAL_NOTFOUND;
	if (r != 0)
		return r > 0 ? -EIO : r;
	journal_key(s, key);
	r = journal_open_row_alloc(c, s, &row, key, ret);
	store_journal_free(&row);
	vault_wipe(key, sizeof(key));
	return r;
}

/* The page's rows from the store; 0, JOURNAL_BAD_BEFORE or < 0. */
static int journal_fetch(const struct core *c, const struct session *s, const char *before,
			 size_t limit, struct journal_row **rows, size_t *n)
{
	int r = STORE_CALL(c->st, journal_list, s->couple_id, s->member_id, before, limit, rows, n);

	if (r == STORE_NOTFOUND)
		return JOURNAL_BAD_BEFORE;
	if (r != 0)
		return r > 0 ? -EIO : r;
	return 0;
}

struct journal_each {
	const struct core *c;
	const struct session *s;
	const struct journal_row *rows;
	const unsigned char *key;
};

static int open_at(void *ctx, size_t i, void *elem)
{
	const struct journal_each *e = ctx;

	return journal_open_row_alloc(e->c, e->s, &e->rows[i], e->key, elem);
}

int journal_list(const struct core *c, const struct session *s, const char *before, size_t limit,
		 struct journal_entry **ret, size_t *ret_n)
{
	struct journal_row *rows = NULL;
	unsigned char key[VAULT_KEY_BYTES];
	struct journal_each e = {c, s, NULL, key};
	void *list = NULL;
	size_t n = 0;
	int r;

	r = journal_fetch(c, s, before, limit, &rows, &n);
	if (r != 0)
		return r;
	journal_key(s, key);
	e.rows = rows;
	/* the store gave the caller's own: any outcome but 0 is a damaged row */
	r = core_open_list(c, n, sizeof(**ret), 0, open_at, clear_any, &e, &list, ret_n);
	store_journal_list_free(rows, n);
	vault_wipe(key, sizeof(key));
	if (r == 0)
		*ret = list;
	return r;
}

/* journal_list_each(): each row from the store, opened into one growing buffer. */
struct journal_walk {
	const struct core *c;
	const struct session *s;
	unsigned char key[VAULT_KEY_BYTES];
	char *buf;
	size_t cap;
	journal_each_fn fn;
	void *ctx;
};

static int journal_walk_row(void *ctx, const struct journal_row *row)
{
	struct journal_walk *w = ctx;
	size_t need = journal_text_bytes(row);
	struct journal_entry e;
	int r;

	if (need > w->cap) {
		char *bigger = malloc(need);

		if (!bigger)
			return -ENOMEM;
		if (w->buf) {
			vault_wipe(w->buf, w->cap);
			free(w->buf);
		}
		w->buf = bigger;
		w->cap = need;
	}
	r = journal_open_row(w->c, w->s, row, w->key, w->buf, &e);
	if (r != 0)
		return core_skip_unreadable(w->c, r); /* one damaged row is not the whole page */
	return w->fn(w->ctx, &e);
}

int journal_list_each(const struct core *c, const struct session *s, const char *before,
		      size_t limit, journal_each_fn fn, void *ctx)
{
	struct journal_walk w = {.c = c, .s = s, .fn = fn, .ctx = ctx};
	int r;

	if (!fn)
		return -EINVAL;
	journal_key(s, w.key);
	/* the rows are opened where the store holds them: nothing is copied */
	r = STORE_CALL(c->st, journal_each, s->couple_id, s->member_id, before, limit,
		       journal_walk_row, &w);
	vault_wipe(w.key, sizeof(w.key));
	if (w.buf) {
		vault_wipe(w.buf, w.cap);
		free(w.buf);
	}
	if (r == STORE_NOTFOUND)
		return JOURNAL_BAD_BEFORE;
	return r > 0 ? -EIO : r;
}

int journal_change(const struct core *c, const struct session *s, const char *id, const char *body,
		   size_t len, struct journal_entry *ret)
{
	struct journal_row row, next;
	struct journal_entry old;
	unsigned char key[VAULT_KEY_BYTES];
	int r = 0, tries;

	journal_key(s, key);
	for (tries = 0; tries < JOURNAL_UPDATE_TRIES; tries++) {
		memset(&row, 0, sizeof(row));
		memset(&next, 0, sizeof(next));
		memset(&old, 0, sizeof(old));
		r = STORE_CALL(c->st, journal_get, s->couple_id, s->member_id, id, &row);
		if (r == STORE_NOTFOUND) {
			r = JOURNAL_NOTFOUND;
			break;
		}
		if (r != 0) {
			r = r > 0 ? -EIO : r;
			break;
		}
		/* the prompt is kept, sealed again for the new version */
		r = journal_open_row_alloc(c, s, &row, key, &old);
		if (r == 0) {
			memcpy(next.id, row.id, sizeof(next.id));
			memcpy(next.couple_id, row.couple_id, sizeof(next.couple_id));
			memcpy(next.author_id, row.author_id, sizeof(next.author_id));
			memcpy(next.created_at, row.created_at, sizeof(next.created_at));
			next.version = row.version + 1;
			session_now(next.updated_at, 0);
			r = journal_seal_row(key, &next, body, len, old.prompt);
		}
		if (r == 0)
			r = STORE_CALL(c->st, journal_update, &next);
		if (r == 0)
			r = ledger_note(c, s, next.author_id, 0, next.id, next.version);
		if (r == 0)
			r = journal_open_row_alloc(c, s, &next, key, ret);
		journal_entry_clear(&old);
		journal_row_release(&next);
		store_journal_free(&row);
		if (r != STORE_CONFLICT)
			break;
	}
	if (r == STORE_NOTFOUND)
		r = JOURNAL_NOTFOUND;
	else if (r == STORE_CONFLICT)
		r = -EAGAIN;
	vault_wipe(key, sizeof(key));
	return r;
}

int journal_remove(const struct core *c, const struct session *s, const char *id)
{
	int r = STORE_CALL(c->st, journal_delete, s->couple_id, s->member_id, id);

	if (r == STORE_NOTFOUND)
		return JOURNAL_NOTFOUND;
	return r > 0 ? -EIO : r;
}

/* Prompts for introspection; each is one open question, kind and concrete. */
static const char *const journal_prompts[] = {
	N_("What happened today that I keep thinking about, and what did I feel then?"),
	N_("When I imagine my partner reading my apology, what do I fear they will not believe?"),
	N_("What was I hoping to get, or to avoid, when I broke our trust?"),
	N_("What does my partner need from me this week that I find hard to give?"),
	N_("Which moment today made me feel closer to my partner, even a little?"),
	N_("What do I want to understand about myself before I speak about this again?"),
	N_("What would repair look like, one year from now, in an ordinary evening?"),
	N_("What am I carrying that I have not said out loud yet?"),
	N_("What helps me stay calm when a hard conversation starts?"),
	N_("What did I do today that I am quietly proud of?"),
	/* ---- step 1: more prompts for looking inward ---- */
	N_("When did I first notice that I was hiding something, and what did I tell myself then?"),
	N_("What did my partner lose because of what I did, beyond what they have said out loud?"),
	N_("Which feeling do I most want to avoid when my partner is hurting, and why?"),
	N_("What would I want to hear, if I were the one who had been hurt?"),
	N_("What need was I trying to meet, and how could I ask for it honestly next time?"),
	N_("Which promise to my partner feels hardest to keep this week, and what would help?"),
	N_("When I feel defensive, what is the first thing I feel in my body?"),
	N_("What have I learned about myself from my partner's questions?"),
	N_("What does my partner do that I have not thanked them for yet?"),
	N_("If trust grows back slowly, what small sign of it could I notice this week?"),
	/* ---- end of step 1 ---- */
};

size_t journal_prompt_count(void)
{
	return sizeof(journal_prompts) / sizeof(journal_prompts[0]);
}

const char *journal_prompt(size_t i)
{
	if (i >= journal_prompt_count())
		return NULL;
	return _(journal_prompts[i]);
}

/*
 * What a member who leaves the couple wrote in the journal goes with them:
 * each entry of `from`'s member in from's couple moves to to's couple,
 * sealed again for its new AD (the same master key).  Inside the caller's
 * transaction.  0 or < 0.
 */
int journal_leave(const struct core *c, const struct session *from, const struct session *to)
{
	struct journal_row *rows = NULL;
	struct blob body, prompt;
	char ad_from[JOURNAL_AD_BYTES], ad_to[JOURNAL_AD_BYTES];
	size_t n = 0, i;
	int r;

	r = STORE_CALL(c->st, journal_list, from->couple_id, from->member_id, NULL, SIZE_MAX, &rows,
		       &n);
	if (r != 0)
		return r == STORE_NOTFOUND ? 0 : r > 0 ? -EIO : r;
	for (i = 0; i < n && r == 0; i++) {
		const struct journal_row *e = &rows[i];
		long long v = (long long)e->version;

		journal_ad(ad_from, "body", e->id, e->couple_id, v);
		journal_ad(ad_to, "body", e->id, to->couple_id, v);
		r = couplekey_reseal(from, to, 0, JOURNAL_KEY_ID, "journal_", &e->body_sealed,
				     ad_from, NULL, ad_to, &body);
		if (r != 0)
			break;
		journal_ad(ad_from, "prompt", e->id, e->couple_id, v);
		journal_ad(ad_to, "prompt", e->id, to->couple_id, v);
		r = couplekey_reseal(from, to, 0, JOURNAL_KEY_ID, "journal_", &e->prompt_sealed,
				     ad_from, NULL, ad_to, &prompt);
		if (r == 0) {
			r = STORE_CALL(c->st, rehome, STORE_TABLE_JOURNAL, e->couple_id, NULL,
				       e->id, to->couple_id, to->member_id, &body, &prompt);
			r = r > 0 ? -EIO : r;
		}
		store_blob_free(&body);
		store_blob_free(&prompt);
	}
	store_journal_list_free(rows, n);
	return r;
}
